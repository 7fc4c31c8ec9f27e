"""The questionnaire as a web form: what each field shows, whether it is visible, its message.

Nothing about a question is restated here.  The form is walked in questionnaire order the way
the terminal interview walks it: a question whose ``when`` condition fails is hidden (and its
answer dropped when the questionnaire says so), every typed value goes through
:func:`slabuilder.questionnaire.check_answer`, so the browser, the terminal prompt and
``slabuilder check`` give the same messages.  Pure: no web framework, no files.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

from slabuilder.keypath import MISSING, delete_path, get_path, set_path
from slabuilder.questionnaire import (
    AnswerError,
    Question,
    Questionnaire,
    Section,
    check_answer,
    default_for,
    fill_placeholders,
    standard_default,
    value_text,
)

__all__ = ["Field", "FormState", "evaluate", "field_value"]

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


def field_value(question: Question, value: Any) -> Typed:
    """A saved value (or default) as the form field holds it."""
    if value is MISSING or value is None:
        return [] if question.type == "multi-choice" else ""
    if question.type == "multi-choice":
        return [str(item) for item in value] if isinstance(value, list) else []
    if question.type == "choice":
        return str(value)
    return value_text(question, value)


def evaluate(questionnaire: Questionnaire, base: dict[str, Any],
             typed: dict[str, Typed]) -> FormState:
    """Lay ``typed`` (field id to what the browser sent) over ``base`` and check each answer."""
    state = FormState(data=copy.deepcopy(base))
    for section, question in questionnaire.questions():
        if not question.active(state.data, state.gates):
            _deactivate(state, question)
            shown = typed.get(question.id, field_value(question, default_for(
                question, state.data, state.gates)))
            state.fields[question.id] = Field(question, section, False, shown,
                                              _prompt(question, state.data))
            continue
        default = default_for(question, state.data, state.gates)
        if not question.ask:
            _settle_unasked(state, question, default, base)
            continue
        raw: Any = typed.get(question.id, default)
        shown = typed[question.id] if question.id in typed else field_value(question, default)
        error = None
        try:
            _store(state, question, _checked(question, raw, state.data), base)
        except AnswerError as problem:
            error = str(problem)
            if question.key is not None:
                delete_path(state.data, question.key)
        state.fields[question.id] = Field(
            question, section, True, shown, _prompt(question, state.data), error,
            empty=not (shown.strip() if isinstance(shown, str) else shown))
    return state


def _checked(question: Question, raw: Any, data: dict[str, Any]) -> Any:
    if question.type == "choice" and raw == "" and any(
            c.value is None for c in question.choices or []):
        return None  # the "not sure" choice: nothing is saved
    return check_answer(question, raw, data)


def _prompt(question: Question, data: dict[str, Any]) -> str:
    return fill_placeholders(question.prompt, data)


def _deactivate(state: FormState, question: Question) -> None:
    state.gates.pop(question.id, None)
    if question.key is not None and question.when_skipped == "drop":
        delete_path(state.data, question.key)


def _settle_unasked(state: FormState, question: Question, default: Any,
                    base: dict[str, Any]) -> None:
    """A question that is never asked keeps its value or default, as in the terminal."""
    if default is None or default is MISSING:
        return
    # On a bad value the file's answer stays; the whole-file check names the problem.
    with contextlib.suppress(AnswerError):
        _store(state, question, check_answer(question, default, state.data), base)


def _store(state: FormState, question: Question, value: Any, base: dict[str, Any]) -> None:
    if question.is_gate:
        state.gates[question.id] = value
        return
    assert question.key is not None
    unchanged_default = (question.omit_if_default
                         and value == standard_default(question, state.data)
                         and get_path(base, question.key) is MISSING)
    if value is None or unchanged_default:
        delete_path(state.data, question.key)
    else:
        set_path(state.data, question.key, value)
