"""Answers files read, checked and written: strict loading, key-by-key messages, ``--set``,
and saving with every section in order.

A problem is reported at its key, in words a director can act on: a misspelt key with the
closest real one (from the field registry), a value out of range with the range, and the
line of the file it is on.  Saving writes rates as percentages and keeps the layout of the
file the user edits.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from slabuilder import words
from slabuilder.answers import Answers, _Section
from slabuilder.errors import AnswersError
from slabuilder.fields import kind_of, model_at
from slabuilder.keypath import KeyPath, KeyPathError, data_path, format_path, set_path
from slabuilder.numbertext import format_of, number_format
from slabuilder.textclean import CONTROL_IN_TEXT
from slabuilder.yamlio import YamlDocument, read_yaml_file

# --------------------------------------------------------------------------- loading


def _model_names(model: type[BaseModel]) -> set[str]:
    names = {model.__name__}
    for sub in model.__subclasses__():
        names |= _model_names(sub)
    return names


_MODEL_NAMES = _model_names(_Section)

_FRIENDLY = {
    "missing": "is missing; add it (see `slabuilder schema` or the README)",
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "bool_type": "should be true or false",
    "list_type": "should be a list, such as [A, B]",
    "model_type": "should be a group of keys (a mapping)",
    "dict_type": "should be a group of keys (a mapping)",
    "too_short": "needs at least one entry",
    "string_too_short": "is empty; fill it in",
}


def _is_union_tag(part: str) -> bool:
    return "[" in part or "function-" in part or part in _MODEL_NAMES


def _describe(error: Any, data: Any = None) -> tuple[KeyPath, str]:
    loc = data_path(tuple(error["loc"]), data, _is_union_tag)
    kind = error["type"]
    if kind == "extra_forbidden" and loc:
        parent, key = loc[:-1], str(loc[-1])
        model = model_at(parent)
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean {close[0]}?"
            else:
                hint = "; allowed here: " + ", ".join(model.model_fields)
        return loc, f"unknown key{hint}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return loc, f"{error['input']!r} is not one of the choices: {expected}"
    if kind in _FRIENDLY:
        return loc, _FRIENDLY[kind]
    bounds = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
              "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds:
        side, name = bounds[kind]
        limit = error.get("ctx", {}).get(name)
        # pydantic passes a Decimal bound as its repr, "Decimal('0.01')"
        shown = words.count(limit) if isinstance(limit, int) else re.sub(
            r"^Decimal\('(.*)'\)$", r"\1", str(limit))
        return loc, f"{error['input']} is too {'large' if 'l' in name else 'small'}; " \
                    f"it should be {side} {shown}"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return loc, message


def _union_member(loc: tuple[Any, ...]) -> str | None:
    """The union member an error belongs to (``CustomSignal``, ``function-after[...]``)."""
    for part in loc:
        if isinstance(part, str) and (part in _MODEL_NAMES or "[" in part
                                      or part.startswith("function-")):
            return part
    return None


def validation_messages(error: ValidationError,
                        data: Any = None) -> list[tuple[KeyPath, str]]:
    """One message per key; of a union's members only the one the value was written for.

    pydantic reports every member of ``int | CustomSignal`` that failed; a reader wants to
    hear about the number when they wrote a number and about the mapping when they wrote one.
    """
    messages: dict[KeyPath, str] = {}
    for item in error.errors():
        member = _union_member(item["loc"])
        if member in _MODEL_NAMES and item["type"] == "model_type":
            continue  # a plain value was written: the mapping form is not what they meant
        if member is not None and member not in _MODEL_NAMES and isinstance(
                item.get("input"), dict):
            continue  # a mapping was written: the plain-value form is not what they meant
        path, message = _describe(item, data)
        messages.setdefault(path, message)
    # A misspelt key explains the "missing" key beside it: it leads.
    return sorted(messages.items(), key=lambda item: not item[1].startswith("unknown key"))


def _problems(error: ValidationError, source: str, document: YamlDocument | None,
              settings: Sequence[str], data: Any = None) -> list[AnswersError]:
    """Each problem as an error naming where it came from: the file's line, or ``--set``."""
    overridden = [setting.partition("=")[0].strip() for setting in settings]
    found = []
    for path, message in validation_messages(error, data):
        key = format_path(path)
        if any(key == given or key.startswith((given + ".", given + "["))
               or given.startswith((key + ".", key + "[")) for given in overridden):
            found.append(AnswersError(message, file="--set", key=key or None))
        else:
            line = document.line_of(path) if document else None
            found.append(AnswersError(message, file=source, line=line, key=key or None))
    return found


def validate_answers(data: dict[str, Any]) -> Answers:
    """The answers model over ``data``, its typed numbers read as the answers say numbers are
    written (``company.number_format``: "0,5" is half where a comma marks decimals)."""
    with number_format(format_of(data)):
        return Answers.model_validate(data)


def answers_from_data(data: Any, source: str = "answers",
                      document: YamlDocument | None = None,
                      settings: Sequence[str] = ()) -> Answers:
    """Validate already-parsed data; errors name ``source``, the key path and its line (or
    ``--set`` for a value that came from the command line)."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise AnswersError("the file holds " + kind + ", not the sections of an answers file "
                           "(company:, agreement:, ...); see `slabuilder example`", file=source)
    _check_keys_and_text(data, source, document, settings)
    try:
        return validate_answers(data)
    except ValidationError as error:
        problems = _problems(error, source, document, settings, data)
        first = problems[0]
        if len(problems) > 1:
            first.message += (f" (and {len(problems) - 1} more problem"
                              f"{'s' * (len(problems) > 2)}: `slabuilder check` lists them)")
        raise first from None


def load_answers(path: str | Path, settings: Sequence[str] = ()) -> Answers:
    """Read, check and validate an answers file, with ``key.path=value`` changes applied."""
    document = read_yaml_file(Path(path), what="answers file")
    data = document.data
    if settings and isinstance(data, dict):
        data = apply_settings(data, list(settings))
    return answers_from_data(data, document.source, document, settings)


def check_answers(path: str | Path,
                  settings: Sequence[str] = ()) -> tuple[Answers | None, list[str]]:
    """The answers of a valid file and no problems, or None and every problem, one line
    each: what :func:`load_answers` would return, without reading the file twice."""
    from slabuilder.errors import SlabuilderError

    try:
        document = read_yaml_file(Path(path), what="answers file")
        data = document.data
        if not isinstance(data, dict):
            answers_from_data(data, document.source, document)
        data = apply_settings(data, list(settings)) if settings else data
    except SlabuilderError as error:
        return None, [str(error)]
    try:
        _check_keys_and_text(data, document.source, document, settings)
        return validate_answers(data), []
    except SlabuilderError as error:
        return None, [str(error)]
    except ValidationError as error:
        return None, [str(problem) for problem in _problems(error, document.source, document,
                                                            settings, data)]


# Control characters in an answer would reach the terminal (escape sequences), the HTML and
# the PDF's metadata (NUL); tab and line feed are kept in values, where text may be long.
_CONTROL_IN_VALUE = CONTROL_IN_TEXT
_CONTROL_IN_KEY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_keys_and_text(data: Any, source: str, document: YamlDocument | None,
                         settings: Sequence[str], path: KeyPath = ()) -> None:
    """Refuse keys that are not words (a date, a number) and text holding control
    characters, naming the key, before the model sees them."""
    from slabuilder.textclean import printable

    def fail(message: str, where: KeyPath) -> None:
        key = format_path(where) or None
        given = [s.partition("=")[0].strip() for s in settings]
        if key is not None and any(key == g or key.startswith((g + ".", g + "["))
                                   for g in given):
            raise AnswersError(message, file="--set", key=key)
        line = document.line_of(where) if document else None
        raise AnswersError(message, file=source, line=line, key=key)

    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                shown = key.isoformat() if isinstance(key, dt.date) else str(key)
                fail(f"the key {shown} is not a word; keys are names such as mql_to_sql "
                     "(check the indentation: a value may have slipped into the keys)", path)
            found = _CONTROL_IN_KEY.search(key)
            if found:
                fail(f"the key {printable(key)!r} holds a control character "
                     f"({words.code_point(found.group())}); delete it", path)
            _check_keys_and_text(value, source, document, settings, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _check_keys_and_text(item, source, document, settings, (*path, index))
    elif isinstance(data, str):
        found = _CONTROL_IN_VALUE.search(data)
        if found:
            fail(f"holds a control character ({words.code_point(found.group())}); delete it "
                 "(only tabs and line breaks are allowed in text)", path)


# --------------------------------------------------------------------------- --set overrides


def apply_settings(data: dict[str, Any], settings: list[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` strings (values read as YAML scalars) to a copy of ``data``."""
    import copy

    from slabuilder.yamlio import parse_scalar

    result = copy.deepcopy(data)
    for setting in settings:
        if "=" not in setting:
            raise AnswersError(f"{setting!r} has no value; write key.path=value, for example "
                               "funnel.mql_to_sql=55%", file="--set")
        key, _, raw = setting.partition("=")
        try:
            set_path(result, key.strip(), parse_scalar(raw), strict=True)
        except KeyPathError as error:
            raise AnswersError(str(error), file="--set") from None
    return result


# --------------------------------------------------------------------------- saving

SECTION_NOTES: dict[str, str] = {
    "format": "Version of this file's layout; leave it at 1.",
    "company": "Who the agreement is for, and the clock every time limit runs on.",
    "agreement": "When it takes effect, how often it is reviewed, and who signs.",
    "icp": "Ideal customer profile: which companies and roles marketing brings to sales.\n"
           "No signable agreement is rendered until this section is complete.",
    "economics": "Revenue goal for one planning period; the MQL targets are worked back from it.",
    "funnel": "Conversion rates between stages, as 60% or 0.6, ending at won.\n"
              "Your own CRM history beats any published benchmark.",
    "team": "Who works the leads; used to check that the terms can be met.",
    "current_state": "Where you are today; used in the design brief and the warnings.",
    "scoring": "Lead scoring: the MQL threshold and changes to the default points table.",
    "sla": "The commitments of each side; anything left out takes the standard term.",
    "routing": "Who receives which MQLs.",
    "escalation": "What happens, and how fast, when a term is broken.",
    "cadence": "The meetings that keep the agreement alive (minutes; 0 drops a meeting).",
    "documents": "How the documents are printed.",
}


def _plain_section(model: BaseModel) -> dict[str, Any]:
    """The keys the user set, with rates as ``60%`` and amounts as plain numbers."""
    result: dict[str, Any] = {}
    for name in model.model_fields_set:
        if name not in type(model).model_fields:
            continue
        value = getattr(model, name)
        info = type(model).model_fields[name]
        result[name] = _plain_value(value, kind_of(info) == "rate")
    order = list(type(model).model_fields)
    return {key: result[key] for key in sorted(result, key=order.index)}


def _plain_value(value: Any, is_rate: bool) -> Any:
    if isinstance(value, BaseModel):
        return _plain_section(value)
    if isinstance(value, list):
        return [_plain_value(item, is_rate) for item in value]
    if isinstance(value, dict):
        return {key: _plain_value(item, is_rate) for key, item in value.items()}
    if isinstance(value, Decimal):
        if is_rate:
            return words.exact(value * 100) + "%"
        if value == value.to_integral_value():
            return int(value)
        return words.exact(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


class _FlowDict(dict[str, Any]):
    pass


class _FlowList(list[Any]):
    pass


_Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=True))


def _flow_leaves(value: Any, depth: int = 0) -> Any:
    """Short groups of plain values on one line (``[Mon, Tue]``), sections as blocks."""
    if isinstance(value, dict):
        inner = {key: _flow_leaves(item, depth + 1) for key, item in value.items()}
        leaf = all(not isinstance(item, dict | list) for item in value.values())
        return _FlowDict(inner) if leaf and depth > 0 and value else inner
    if isinstance(value, list):
        items = [_flow_leaves(item, depth + 1) for item in value]
        leaf = all(not isinstance(item, dict | list) for item in value)
        return _FlowList(items) if leaf else items
    return value


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=88).rstrip()


def dump_answers(answers: Answers | dict[str, Any]) -> str:
    """The answers as a commented, hand-editable YAML file (only the keys that were given)."""
    model = answers if isinstance(answers, Answers) else validate_answers(answers)
    data = _plain_section(model)
    out = ["# slabuilder answers file. Edit it freely, then check it with",
           "# `slabuilder check FILE`; `slabuilder schema` describes every key.", ""]
    for section, content in data.items():
        out.extend(f"# {note}" for note in SECTION_NOTES.get(section, "").splitlines())
        out.append(_dump({section: _flow_leaves(content)}))
        out.append("")
    return "\n".join(out)


def save_answers(answers: Answers | dict[str, Any], path: str | Path, *,
                 force: bool = False) -> Answers:
    """Validate, then write the commented file atomically; refuses to overwrite unless forced."""
    from slabuilder.fsutil import write_atomic

    target = Path(path)
    model = (answers if isinstance(answers, Answers)
             else answers_from_data(answers, str(target)))
    text = dump_answers(model)
    write_atomic(target, text, force=force)
    return model
