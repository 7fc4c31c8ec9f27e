"""The questionnaire: questions declared in YAML files, and the pure logic of asking them.

A questionnaire is a folder of YAML files, one per section, taken in file-name order.  Each
question names the answers key it fills (``funnel.mql_to_sql``), a type, a default and an
optional ``when`` condition over earlier answers.  Conditions are data (``{key: ..., equals:
...}``), never code and never a template: a questionnaire file cannot run anything.

A question without a ``key`` is a *gate*: a yes/no (or choice) that shapes the interview but
is not saved, such as "does your funnel have a sales-accepted stage?".  Its default is read
back from earlier answers through ``infer`` (``{key: funnel.mql_to_sal, is_set: true}``), so a
previous answers file reopens the same branch.

What a typed answer means, and whether the answers model accepts it, is
:mod:`slabuilder.typedanswer`; walking the questions is :mod:`slabuilder.walk`.  This module
imports no terminal library (:mod:`slabuilder.interview` does the asking) and no pydantic:
the files themselves are read by `_build`.

A section file::

    id: funnel                      # a word: letters, digits, underscores
    title: The funnel               # shown as "Part 4 of 8: The funnel"
    intro: Conversion rates ...     # a paragraph shown before the first question
    summary: funnel                 # optional: funnel (MQL target) or capacity
    questions:
      - id: mql_to_sql              # unique across all files
        key: funnel.mql_to_sql      # the answers key it fills (absent: a gate)
        label: MQL to SQL           # short name on the review screen
        prompt: What share of MQLs become sales qualified (SQL)?
        help: Published figures run from 13% to 60%.
        type: rate                  # text integer number money rate date choice
                                    # multi-choice list yes/no timezone
        choices: [{value: a, label: A}]   # choice and multi-choice; value null = "not sure"
        default: 60%
        required: true              # false: Enter leaves it empty
        min: 0                      # bounds, for integer, number and money
        max: 100
        when: {question: has_sal, equals: false}  # or {key: ..., is_set | equals |
                                                  #  not_equals | one_of: ...}; a list = all
        when_skipped: drop          # keep (default) or drop the answer while `when` is false
        ask: true                   # false: never asked, the value or default is written
        omit_if_default: false      # true: an unchanged default is not written
        cross_check: false          # true: also check rules joining neighbours (max > min)
        infer: {key: funnel.mql_to_sal, is_set: true}   # gates: the default, from answers
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from slabuilder.errors import SlabuilderError
from slabuilder.keypath import (
    MISSING,
    KeyPath,
    format_path,
    get_path,
)
from slabuilder.yamlio import read_yaml_file

if TYPE_CHECKING:
    pass

__all__ = [
    "MISSING", "Choice", "Condition", "Question", "QuestionType", "Questionnaire", "Section",
    "load_questionnaire",
]

QuestionType = Literal["text", "integer", "number", "money", "rate", "date", "choice",
                       "multi-choice", "list", "yes/no", "timezone"]

_ID = r"^[a-z][a-z0-9_]*$"
_KEY = r"^[a-z][a-z0-9_]*(\[\d+\])*(\.[a-z][a-z0-9_]*(\[\d+\])*)*$"


# --------------------------------------------------------------------------- the file's shape
#
# The four kinds of entry below are plain frozen dataclasses, checked by ``_build`` from their
# own field types and the rules in each field's metadata.  pydantic is not used here on
# purpose: importing it and building its models took longer than everything else before the
# first question appears, and a questionnaire's shape is small enough to check directly.
# Typed *answers* are still checked by the answers model (``model_error``).

_RULES_ID = {"pattern": re.compile(_ID), "looks": "a word of lowercase letters, digits and "
             "underscores, starting with a letter"}
_RULES_KEY = {"pattern": re.compile(_KEY), "looks": "an answers key such as funnel.mql_to_sql"}
_NOT_EMPTY = {"min_length": 1}


class _ShapeError(ValueError):
    """A questionnaire entry that does not fit its shape, at ``loc`` in the file's data."""

    def __init__(self, loc: KeyPath, message: str) -> None:
        super().__init__(f"{format_path(loc) or 'the file'}: {message}")
        self.loc = loc
        self.message = message


@dataclass(frozen=True)
class Condition:
    """One test over an earlier answer: exactly one of ``key`` or ``question``, one test.

    A test not given is :data:`MISSING`, so ``equals: null`` is a test of its own."""

    key: str | None = field(default=None, metadata=_RULES_KEY)
    """An answers key path, such as ``funnel.mql_to_sal``."""
    question: str | None = field(default=None, metadata=_RULES_ID)
    """The id of a gate question (one without a key)."""
    equals: Any = MISSING
    not_equals: Any = MISSING
    one_of: list[Any] = field(default=MISSING, metadata={"list": True})
    is_set: bool = field(default=MISSING, metadata={"bool": True})

    def __post_init__(self) -> None:
        if (self.key is None) == (self.question is None):
            raise ValueError("give exactly one of key or question")
        tests = [name for name in ("equals", "not_equals", "one_of", "is_set")
                 if getattr(self, name) is not MISSING]
        if len(tests) != 1:
            raise ValueError("give exactly one test: equals, not_equals, one_of or is_set")

    def holds(self, data: dict[str, Any], gates: dict[str, Any]) -> bool:
        if self.key is not None:
            value = get_path(data, self.key)
        else:
            value = gates.get(self.question or "", MISSING)
        present = value is not MISSING and value is not None and value not in ([], {})
        if self.is_set is not MISSING:
            return present == self.is_set
        if not present:
            return False
        if self.equals is not MISSING:
            return _same(value, self.equals)
        if self.not_equals is not MISSING:
            return not _same(value, self.not_equals)
        return any(_same(value, option) for option in self.one_of or [])

    @classmethod
    def from_data(cls, data: Any) -> Condition:
        """A condition read from plain data; ValueError names what does not fit."""
        return _build(cls, data, ())


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, str) and isinstance(expected, str):
        return value.strip().lower() == expected.strip().lower()
    return bool(value == expected)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Choice:
    value: str | None
    """What is saved; null saves nothing (the "not sure" answer)."""
    label: str | None = None

    @property
    def title(self) -> str:
        return self.label or (self.value if self.value is not None else "Not sure / skip")


@dataclass(frozen=True)
class Question:
    id: str = field(metadata=_RULES_ID)
    prompt: str = field(metadata=_NOT_EMPTY)
    type: QuestionType
    key: str | None = field(default=None, metadata=_RULES_KEY)
    label: str | None = None
    """A short name for the review screen; the prompt is used when absent."""
    help: str = ""
    choices: list[Choice] | None = None
    default: Any = None
    default_from: str | None = field(default=None, metadata=_RULES_KEY)
    """A key whose answer, when there is one, is the default instead (the acceptance term
    follows the funnel's MQL-to-SAL rate)."""
    required: bool = True
    min: Decimal | None = None
    max: Decimal | None = None
    when: list[Condition] = field(default_factory=list, metadata={"one_or_list": True})
    """All must hold for the question to be asked; one condition may stand alone."""
    when_skipped: Literal["keep", "drop"] = "keep"
    """What happens to a saved answer while ``when`` is false: kept, or dropped (for
    answers that would contradict the branch taken, such as a rate of a stage not used)."""
    ask: bool = True
    """False: never asked nor listed, the value (or default) is written as it is."""
    omit_if_default: bool = False
    """Do not write the answer when it equals the default and was not in the file before."""
    cross_check: bool = False
    """Also report rules that join this answer to its neighbours (max above min)."""
    infer: Condition | None = None
    """For gates: the default, worked out from the answers (``is_set`` of a key)."""

    def __post_init__(self) -> None:
        if self.type in ("choice", "multi-choice") and not self.choices:
            raise ValueError(f"a {self.type} question needs choices")
        if self.type not in ("choice", "multi-choice") and self.choices:
            raise ValueError(f"choices are only for choice and multi-choice, not {self.type}")
        if self.key is None and self.type not in ("yes/no", "choice"):
            raise ValueError("a question without a key (a gate) must be yes/no or choice")
        if self.key is None and not self.ask:
            raise ValueError("a gate question must be asked")
        if self.infer is not None and self.key is not None:
            raise ValueError("infer is only for gate questions (those without a key)")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("max is below min")

    @property
    def is_gate(self) -> bool:
        return self.key is None

    @property
    def title(self) -> str:
        return self.label or self.prompt

    def active(self, data: dict[str, Any], gates: dict[str, Any]) -> bool:
        return all(condition.holds(data, gates) for condition in self.when)


@dataclass(frozen=True)
class Section:
    id: str = field(metadata=_RULES_ID)
    title: str = field(metadata=_NOT_EMPTY)
    questions: list[Question] = field(metadata=_NOT_EMPTY)
    intro: str = ""
    summary: Literal["funnel", "capacity"] | None = None
    """Derived figures shown once the section is answered: ``funnel``, the MQL target;
    ``capacity``, the MQLs and touches each rep would get a day."""


_FIELDS: dict[type, tuple[tuple[dataclasses.Field[Any], Any], ...]] = {}


def _fields(cls: type) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    """Each field of the dataclass ``cls`` with its type, the annotation read once."""
    if cls not in _FIELDS:
        hints = get_type_hints(cls)
        _FIELDS[cls] = tuple((item, hints[item.name]) for item in dataclasses.fields(cls))
    return _FIELDS[cls]


def _build(cls: type[_Entry], data: Any, loc: KeyPath) -> _Entry:
    """An entry of type ``cls`` from the file's ``data`` at ``loc``, or :class:`_ShapeError`
    naming the first thing that does not fit (unknown keys first, then each field in order,
    then the rules that join fields)."""
    if not isinstance(data, dict):
        raise _ShapeError(loc, "should be a group of keys (key: value lines)")
    fields = _fields(cls)
    names = [item.name for item, _ in fields]
    for name in data:
        if not isinstance(name, str):
            raise _ShapeError(loc, f"{name!r} is not a key; keys are words such as "
                              f"{names[0]}")
        if name not in names:
            raise _ShapeError((*loc, name), _unknown(name, names))
    values: dict[str, Any] = {}
    for item, kind in fields:
        if item.name in data:
            values[item.name] = _value(kind, data[item.name], (*loc, item.name),
                                       item.metadata)
        elif item.default is dataclasses.MISSING and \
                item.default_factory is dataclasses.MISSING:
            raise _ShapeError((*loc, item.name), "is missing; add it")
    try:
        return cls(**values)
    except ValueError as error:
        raise _ShapeError(loc, str(error)) from None


def _unknown(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if close:
        return f"unknown key; did you mean {close[0]}?"
    return f"unknown key; the keys here are {', '.join(names)}"


def _yes_or_no(value: Any, loc: KeyPath) -> bool:
    """true or false, also as the words a yes/no answer takes (yes, no, on, off, 1, 0),
    which files written for earlier versions used."""
    found = _truth(value)
    if found is None:
        raise _ShapeError(loc, f"should be true or false, not {value!r}")
    return found


def _value(kind: Any, value: Any, loc: KeyPath, rules: Any) -> Any:
    """``value`` checked against the type ``kind`` and the field's ``rules``."""
    origin, args = get_origin(kind), get_args(kind)
    if kind is Any:
        return value
    if origin in (UnionType, Union):
        if value is None and type(None) in args:
            return None
        inner = [arg for arg in args if arg is not type(None)]
        return _value(inner[0], value, loc, rules)
    if rules.get("one_or_list") and isinstance(value, dict):
        value = [value]
    if origin is list or rules.get("list"):
        if not isinstance(value, list):
            raise _ShapeError(loc, "should be a list")
        if rules.get("min_length") and not value:
            raise _ShapeError(loc, "should not be empty")
        item_kind = args[0] if args else Any
        return [_value(item_kind, item, (*loc, index), {}) for index, item in enumerate(value)]
    if origin is Literal:
        if value not in args:
            options = ", ".join(repr(arg) for arg in args)
            raise _ShapeError(loc, f"should be one of {options}")
        return value
    if kind is bool or rules.get("bool"):
        return _yes_or_no(value, loc)
    if kind is str:
        if not isinstance(value, str):
            raise _ShapeError(loc, "should be text")
        if rules.get("min_length") and not value.strip():
            raise _ShapeError(loc, "should not be empty")
        if "pattern" in rules and not rules["pattern"].fullmatch(value):
            raise _ShapeError(loc, f"should be {rules['looks']}, not {value!r}")
        return value
    if kind is Decimal:
        return _decimal(value, loc)
    if kind in (Condition, Choice, Question, Section):
        return _build(kind, value, loc)
    raise TypeError(f"no rule to read {kind!r}")  # a field type this module does not know


def _decimal(value: Any, loc: KeyPath) -> Decimal:
    if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number
    raise _ShapeError(loc, "should be a number")


_Entry = TypeVar("_Entry", Condition, Choice, Question, Section)


@dataclass(frozen=True)
class Questionnaire:
    sections: tuple[Section, ...]
    sources: tuple[str, ...]

    def questions(self) -> Iterator[tuple[Section, Question]]:
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question:
        for _, question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def by_key(self, key: str) -> Question | None:
        return next((q for _, q in self.questions() if q.key == key), None)

    def question_for(self, key: str | None,
                     among: Iterable[Question] | None = None) -> Question | None:
        """The question to change for a problem the answers model found at ``key``.

        The question asking that key, else one asking a key below or above it (a problem at
        ``funnel`` points at its first rate; one at ``icp.company_size.min`` at the size).
        ``among`` narrows the search to the questions a front can go back to.
        """
        if not key:
            return None
        questions = [q for _, q in self.questions() if q.ask] if among is None else list(among)
        exact = next((q for q in questions if key in (q.key, q.title)), None)
        if exact is not None:
            return exact
        return next((q for q in questions if q.key and (
            q.key.startswith((key + ".", key + "[")) or key.startswith((q.key + ".",
                                                                       q.key + "[")))), None)

    def controlled_by(self, gate_id: str) -> list[Question]:
        """The questions whose ``when`` reads the gate ``gate_id``."""
        return [q for _, q in self.questions()
                if any(c.question == gate_id for c in q.when)]


# --------------------------------------------------------------------------- loading


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """Load the shipped questionnaire, or the folder (or single file) at ``path``."""
    if path is None:
        from slabuilder.resources import questionnaires_dir

        path = questionnaires_dir()
    folder = Path(path)
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else [folder]
    if not files:
        raise SlabuilderError("no questionnaire files (*.yaml) in this folder", file=folder)
    sections = tuple(_load_section(file) for file in files)
    questionnaire = Questionnaire(sections=sections, sources=tuple(str(f) for f in files))
    _check_whole(questionnaire)
    return questionnaire


def _load_section(path: Path) -> Section:
    data = _fast_read(path)
    if data is not None:
        try:
            return _build(Section, data, ())
        except _ShapeError:
            pass  # read it again, slowly, for the line of the problem
    document = read_yaml_file(path, what="questionnaire file")
    try:
        return _build(Section, document.data, ())
    except _ShapeError as error:
        raise SlabuilderError(error.message, file=document.source,
                              line=document.line_of(error.loc),
                              key=format_path(error.loc) or None) from None


def _fast_read(path: Path) -> Any:
    """The file read by libyaml with the strict reader's rules, or None to use that reader.

    The strict reader is pure Python and ten times slower; reading the eight shipped files
    with it was the largest single cost before the first question appears.  Same scalars,
    same duplicate-key refusal; anything unusual (anchors, a parse error, no libyaml) goes
    back to the strict reader, whose messages carry the line.
    """
    loader_class = _c_strict_loader()
    from slabuilder.errors import SlabuilderError
    from slabuilder.fsutil import read_input
    from slabuilder.limits import ANSWERS_MAX_BYTES

    try:
        text = read_input(path, what="questionnaire file",
                          max_bytes=ANSWERS_MAX_BYTES).decode("utf-8-sig")
    except (SlabuilderError, UnicodeDecodeError):
        return None
    if loader_class is None or "&" in text or "*" in text or "<<" in text:
        return None
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    except Exception:
        return None
    finally:
        loader.dispose()


@cache
def _c_strict_loader() -> Any:
    try:
        from yaml.constructor import SafeConstructor
        from yaml.cyaml import CParser  # type: ignore[attr-defined]
        from yaml.resolver import Resolver
    except ImportError:  # PyYAML without libyaml
        return None
    from slabuilder import yamlio

    strict = getattr(yamlio, "_StrictLoader", None)
    if strict is None:
        return None

    class _CStrictLoader(CParser, strict):  # type: ignore[misc,valid-type]
        """libyaml's parser with the strict reader's resolvers and constructors."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return _CStrictLoader


def _check_whole(questionnaire: Questionnaire) -> None:
    """Ids and keys are unique, and every condition reads an earlier question; a problem is
    named by its file and the question's place in it."""
    seen_ids: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for section, source in zip(questionnaire.sections, questionnaire.sources, strict=True):
        for index, question in enumerate(section.questions):
            at = f"questions[{index}]"
            if question.id in seen_ids:
                raise SlabuilderError(
                    f"the id {question.id!r} is already used in {seen_ids[question.id]}; "
                    "give this question another id", file=source, key=f"{at}.id")
            if question.key is not None:
                if question.key in seen_keys:
                    raise SlabuilderError(
                        f"the key {question.key!r} is already asked in "
                        f"{seen_keys[question.key]}; ask it once", file=source, key=f"{at}.key")
                seen_keys[question.key] = Path(source).name
            for part, conditions in (("when", question.when),
                                     ("infer", [question.infer] if question.infer else [])):
                for condition in conditions:
                    if condition.question is not None and condition.question not in seen_ids:
                        raise SlabuilderError(
                            f"question {question.id!r} depends on {condition.question!r}, "
                            "which is not an earlier question; ask that one first",
                            file=source, key=f"{at}.{part}")
            seen_ids[question.id] = Path(source).name


_YES = {"y", "yes", "true", "1", "on"}
_NO = {"n", "no", "false", "0", "off"}


def _truth(value: Any) -> bool | None:
    """``value`` as true or false (a boolean, or one of the yes and no words); None when it
    is neither."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str | int):
        return None
    word = str(value).strip().lower()
    return True if word in _YES else False if word in _NO else None
