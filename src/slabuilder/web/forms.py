"""The questionnaire as a web form: what each field shows, whether it is visible, its message.

Nothing about a question is restated here.  The form is walked by the walker the terminal
interview uses (:mod:`slabuilder.walk`): a question whose ``when`` condition fails is hidden
(and its answer dropped when the questionnaire says so), every typed value goes through the
same check, so the browser, the terminal prompt and ``slabuilder check`` give the same
messages.  Pure: no web framework, no files.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from slabuilder.keypath import MISSING
from slabuilder.numbertext import DECIMAL_COMMA, as_written, format_of, number_format
from slabuilder.questionnaire import Question, Questionnaire, Section
from slabuilder.typedanswer import (
    NUMBER_TYPES,
    AnswerError,
    fill_placeholders,
    help_text,
    understood,
    value_text,
)
from slabuilder.walk import Walk

__all__ = ["Field", "FormState", "evaluate", "field_value", "in_words"]

Typed = str | list[str]
"""What a browser sends for one field: text, or the ticked values of a multi-choice."""


@dataclass(frozen=True)
class Field:
    question: Question
    section: Section
    visible: bool
    value: Typed
    """What the field shows: the typed text, else the answer or default as it is typed."""
    prompt: str
    """The prompt with earlier answers put in (``per quarter``)."""
    error: str | None = None
    empty: bool = False
    """Nothing typed: a message about it waits until the user has been to the field."""
    understood: str | None = None
    """How a typed number was read (``= 0.5 business hours``), shown beside the field."""
    help: str = ""
    """The question's help, its examples written as the answers write numbers."""
    reads_as: str | None = None
    """A number as the documents will state it (``$900,000``), typed or not: the review
    page shows it."""

    @property
    def id(self) -> str:
        return self.question.id


@dataclass
class FormState:
    data: dict[str, Any]
    """The answers as they stand: the file started from, with every valid typed answer."""
    gates: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, str]:
        return {name: f.error for name, f in self.fields.items()
                if f.visible and f.error is not None}


_KEY = re.compile(r"\b[a-z][a-z_]*(?:\.[a-z][a-z_]*)+\b")
_RATE = re.compile(r"(?<![.\w])[a-z]+_to_[a-z]+\b")


def in_words(text: str, questionnaire: Questionnaire) -> str:
    """A message as the page says it: where the shared checks name an answers-file key
    (``company.name``, ``icp.company_size``), the page names the question that asks it
    ("Company name"); a word that is no key (``acme.yaml``) stays as it is."""
    def title(match: re.Match[str]) -> str:
        question = questionnaire.question_for(match.group(0))
        return f"“{question.title}”" if question is not None else match.group(0)

    def rate(match: re.Match[str]) -> str:  # a funnel rate named alone (mql_to_sql)
        question = questionnaire.question_for(f"funnel.{match.group(0)}")
        return f"“{question.title}”" if question is not None else match.group(0)

    return _RATE.sub(rate, _KEY.sub(title, text))


def field_value(question: Question, value: Any, data: dict[str, Any] | None = None) -> Typed:
    """A saved value (or default) as the form field holds it, its number written as the
    answers ``data`` write numbers (``25.000`` where a comma marks decimals)."""
    if value is MISSING or value is None:
        return [] if question.type == "multi-choice" else ""
    if question.type == "multi-choice":
        return [str(item) for item in value] if isinstance(value, list) else []
    if question.type == "choice":
        return str(value)
    if question.type not in NUMBER_TYPES:
        return value_text(question, value)
    with number_format(format_of(data)):
        return as_written(value_text(question, value))


def _as_given(question: Question, typed: Typed, value: Any) -> bool:
    """Whether the browser sends back the very text the page was given for ``value`` (in
    either way of writing numbers): the user has not changed it, so it is that value, even
    after the way numbers are read has changed (25,000 given, then a comma for decimals)."""
    if value is MISSING or value is None or question.type not in NUMBER_TYPES:
        return False
    return typed in (field_value(question, value),
                     field_value(question, value, {"company": {"number_format": DECIMAL_COMMA}}))


def evaluate(questionnaire: Questionnaire, base: dict[str, Any],
             typed: dict[str, Typed]) -> FormState:
    """Lay ``typed`` (field id to what the browser sent) over ``base`` and check each answer."""
    walk = Walk.over(questionnaire, base)
    state = FormState(data=walk.data, gates=walk.gates)
    for step in walk.steps():
        question = step.question
        shown = typed[question.id] if question.id in typed else field_value(
            question, step.default, walk.data)
        if not step.open:
            state.fields[question.id] = Field(question, step.section, False, shown,
                                              fill_placeholders(question.prompt, walk.data))
            continue
        if not question.ask:
            _settle_unasked(walk, question, step.default)
            continue
        error = read = value = None
        try:
            given = question.id not in typed or _as_given(question, typed[question.id],
                                                          step.default)
            value = walk.check(question, step.default if given else typed[question.id])
            walk.store(question, value)
            read = understood(question, shown, value, walk.data)
        except AnswerError as problem:
            error = in_words(str(problem), questionnaire)
            walk.forget(question)
        state.fields[question.id] = Field(
            question, step.section, True, shown, fill_placeholders(question.prompt, walk.data),
            error, empty=not (shown.strip() if isinstance(shown, str) else shown),
            understood=read if question.id in typed else None,
            help=help_text(question, walk.data),
            reads_as=_as_documents_state(question, shown, value, walk.data))
    return state


def _as_documents_state(question: Question, shown: Typed, value: Any,
                        data: dict[str, Any]) -> str | None:
    """A number as the documents will print it (``$1,200,000``, ``48 business hours``), for
    the review page; None for other answers."""
    if question.type not in NUMBER_TYPES or value is None:
        return None
    read = understood(question, shown if isinstance(shown, str) else "", value, data,
                      as_the_company_writes=False)
    return read.removeprefix("= ") if read else None


def _settle_unasked(walk: Walk, question: Question, default: Any) -> None:
    """A question that is never asked keeps its value or default, as in the terminal."""
    if default is None or default is MISSING:
        return
    # On a bad value the file's answer stays; the whole-file check names the problem.
    with contextlib.suppress(AnswerError):
        walk.store(question, walk.check(question, default))
