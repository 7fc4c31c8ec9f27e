"""The questionnaire walked over a set of answers: one walker for the terminal and the browser.

A walk goes through the questions in questionnaire order.  A question whose ``when``
condition fails is closed: its gate is forgotten and, when the questionnaire says
``when_skipped: drop``, its answer is taken out.  An open question gets its default from the
answers so far; an answer is checked by :func:`slabuilder.typedanswer.check_answer` and
stored, except that an unchanged standard default is left out of the file (so the file stays
short and a later change of the standard reaches it).

The walker decides nothing about asking: the terminal asks an open question at a prompt, the
browser shows it as a field.  Both fronts keep their answers here, which is what makes them
agree; ``tests/test_walk.py`` drives both with the same answers and compares.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from slabuilder.keypath import MISSING, delete_path, get_path, set_path
from slabuilder.questionnaire import Question, Questionnaire, Section
from slabuilder.typedanswer import check_answer, default_for, standard_default

__all__ = ["Step", "Walk", "layered"]


@dataclass(frozen=True)
class Step:
    """One question on the walk, as the answers stand when it is reached."""

    section: Section
    question: Question
    open: bool
    """False when its ``when`` condition fails (it is neither asked nor shown)."""
    default: Any
    """What it starts from: the answer so far, else the questionnaire's default."""


@dataclass
class Walk:
    questionnaire: Questionnaire
    data: dict[str, Any]
    """The answers as they stand; the walk changes them in place."""
    before: dict[str, Any] = field(default_factory=dict)
    """The file the answers started from: a standard default it already holds is kept."""
    gates: dict[str, Any] = field(default_factory=dict)
    """The answers of questions that only open or close others (saved nowhere)."""
    done: set[str] = field(default_factory=set)
    """The questions answered on this walk (or an earlier one over the same answers)."""

    @classmethod
    def over(cls, questionnaire: Questionnaire, data: dict[str, Any],
             before: dict[str, Any] | None = None) -> Walk:
        """A walk over a copy of ``data``; ``before`` defaults to ``data`` itself."""
        start = copy.deepcopy(data)
        return cls(questionnaire, start, copy.deepcopy(data if before is None else before))

    def steps(self) -> Iterator[Step]:
        """Every question in order; what the caller stores before the next step counts."""
        for section in self.questionnaire.sections:
            for question in section.questions:
                is_open = question.active(self.data, self.gates)
                if not is_open:
                    self.close(question)
                yield Step(section, question, is_open, self.default(question))

    def default(self, question: Question) -> Any:
        return default_for(question, self.data, self.gates)

    def current(self, question: Question) -> Any:
        """The gate's or the key's value now (MISSING when there is none)."""
        if question.is_gate:
            return self.gates.get(question.id, MISSING)
        return get_path(self.data, question.key or "")

    def check(self, question: Question, typed: Any) -> Any:
        """What ``typed`` means for ``question``; AnswerError with the message when wrong.

        An empty choice is the "not sure" choice when the question has one: nothing is saved.
        """
        if question.type == "choice" and typed == "" and any(
                c.value is None for c in question.choices or []):
            return None
        return check_answer(question, typed, self.data)

    def store(self, question: Question, value: Any) -> None:
        """Keep a checked answer (``None`` takes the key out)."""
        self.done.add(question.id)
        if question.is_gate:
            self.gates[question.id] = value
            return
        assert question.key is not None
        unchanged_default = (question.omit_if_default
                             and value == standard_default(question, self.data)
                             and get_path(self.before, question.key) is MISSING)
        if value is None or unchanged_default:
            delete_path(self.data, question.key)
        else:
            set_path(self.data, question.key, value)

    def forget(self, question: Question) -> None:
        """A refused answer: the question's key holds nothing until it is answered again."""
        self.done.discard(question.id)
        if question.key is not None:
            delete_path(self.data, question.key)

    def close(self, question: Question) -> None:
        self.done.discard(question.id)
        self.gates.pop(question.id, None)
        if question.key is not None and question.when_skipped == "drop":
            delete_path(self.data, question.key)

    def from_before(self, question: Question) -> bool:
        """Whether the file the answers started from answers ``question``."""
        return question.key is not None and get_path(self.before, question.key) is not MISSING


def layered(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` laid over ``base``, group by group (lists are replaced whole)."""
    result = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = layered(result[key], value)
        elif isinstance(value, list) and isinstance(result.get(key), list) and any(
                isinstance(item, dict) for item in value):
            merged = list(result[key])
            for index, item in enumerate(value):
                if index < len(merged) and isinstance(item, dict) and isinstance(
                        merged[index], dict):
                    merged[index] = layered(merged[index], item)
                elif index < len(merged):
                    merged[index] = copy.deepcopy(item)
                else:
                    merged.append(copy.deepcopy(item))
            result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    return result
