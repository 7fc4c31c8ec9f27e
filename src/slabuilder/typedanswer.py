"""A typed answer: what it means, whether the answers model accepts it, how it is written
back, and where a question's default comes from.

Typed answers are checked with the answers model's own rules: the value is validated through
the pydantic model that owns the key (found by :func:`slabuilder.fields.owner_of`), so the
prompt, the browser and ``slabuilder check`` never disagree.  pydantic is imported only when
the first answer is checked.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from slabuilder import words
from slabuilder.keypath import MISSING, get_path, set_path
from slabuilder.numbertext import (
    NumberTextError,
    as_written,
    format_of,
    number_format,
    read_number,
)
from slabuilder.questionnaire import Question, _truth
from slabuilder.textclean import control_character
from slabuilder.words import rate_text

__all__ = ["AnswerError", "check_answer", "convert", "default_for", "fill_placeholders",
           "model_error", "standard_default", "value_text"]


# --------------------------------------------------------------------------- the answers model


def model_error(key: str, value: Any, data: dict[str, Any] | None = None, *,
                cross_check: bool = False) -> str | None:
    return _model_check(key, value, data, cross_check=cross_check)[0]


def _model_check(key: str, value: Any, data: dict[str, Any] | None = None, *,
                 cross_check: bool = False) -> tuple[str | None, Any]:
    """What the answers model says about ``value`` at ``key`` (None when it accepts it).

    The owning model is validated with the neighbouring answers from ``data``; only problems
    at ``key`` count (a neighbour not yet answered is not this answer's fault), unless
    ``cross_check`` also asks for the rules that join neighbours (max above min).
    """
    from pydantic import ValidationError

    from slabuilder.answerfile import validation_messages
    from slabuilder.fields import owner_of

    model, prefix, rest = owner_of(key)
    neighbours = get_path(data or {}, prefix) if prefix else data or {}
    trial: dict[str, Any] = copy.deepcopy(neighbours) if isinstance(neighbours, dict) else {}
    set_path(trial, rest, value)
    try:
        model.model_validate(trial)
    except ValidationError as error:
        for loc, message in validation_messages(error, trial):
            if tuple(loc[:len(rest)]) == tuple(rest):
                return message, value
            if cross_check and not loc:
                return message, value
    return None, _as_the_model_writes(model, rest, value)


def _as_the_model_writes(model: Any, rest: tuple[Any, ...], value: Any) -> Any:
    """A text the model writes its own way (``Berlin`` as ``Europe/Berlin``, ``9:00-17:30``
    as ``09:00-17:30``), so that the answers file holds what the documents use."""
    if not isinstance(value, str) or len(rest) != 1:
        return value
    from pydantic import ValidationError

    try:
        checked = model.__pydantic_validator__.validate_assignment(
            model.model_construct(), str(rest[0]), value)
    except (ValidationError, TypeError, AttributeError):
        return value
    written = getattr(checked, str(rest[0]), value)
    return written if isinstance(written, str) else value


# --------------------------------------------------------------------------- typed answers


class AnswerError(ValueError):
    """A typed answer that does not fit; the message says what to type instead."""


_LARGEST_DIGITS = 15
"""No answer in an SLA has more digits; beyond that, typing slips (1e999999) are refused."""


def convert(question: Question, typed: Any) -> Any:
    """Turn what was typed (or a default) into the plain value saved in the answers file.

    Returns ``None`` for an empty optional answer.  Raises :class:`AnswerError` with a message
    for the person at the keyboard.
    """
    if _is_empty(typed):
        if question.required:
            raise AnswerError("an answer is needed here" + _example(question))
        return None
    value = _from_text(question, typed)
    if value == []:  # only separators typed, such as ","
        return convert(question, None)
    _check_bounds(question, value)
    return value


def check_answer(question: Question, typed: Any, data: dict[str, Any] | None = None) -> Any:
    """:func:`convert`, then the answers model's own rules for the key."""
    for text in (typed if isinstance(typed, list | tuple) else [typed]):
        if isinstance(text, str) and (bad := control_character(text)) is not None:
            raise AnswerError(f"holds a control character ({words.code_point(bad)}); delete "
                              "it (only tabs and line breaks are allowed in text)")
    with number_format(format_of(data)):  # as the answers so far write numbers
        value = convert(question, typed)
        if value is None or question.key is None:
            return value
        message, value = _model_check(question.key, value, data,
                                      cross_check=question.cross_check)
    if message is not None:
        raise AnswerError(message)
    return value


def _is_empty(typed: Any) -> bool:
    return typed is None or typed is MISSING or (isinstance(typed, str) and not typed.strip()) \
        or (isinstance(typed, list | tuple) and not typed)


def _example(question: Question) -> str:
    return _example_for(question.type)


def _example_for(kind: str) -> str:
    examples = {"rate": "; type it as 60% or 0.6", "money": "; type it as 25000, 25,000 or $25k",
                "date": "; type it as YYYY-MM-DD, for example 2027-01-01",
                "integer": "; type a whole number such as 40",
                "list": "; type the entries separated by commas (quote one that holds a "
                        "comma)",
                "multi-choice": "; tick at least one"}
    return as_written(examples.get(kind, ""))


def _from_text(question: Question, typed: Any) -> Any:
    kind = question.type
    if kind == "yes/no":
        return _yes_no(typed)
    if kind == "list":
        return _as_list(typed)
    if kind == "multi-choice":
        values = typed if isinstance(typed, list | tuple) else _as_list(typed)
        return [_choice_value(question, item) for item in values]
    if kind == "choice":
        return _choice_value(question, typed)
    if kind == "integer":
        return _integer(typed)
    if kind in ("rate", "money", "number", "date"):
        return _parsed(kind, typed)
    return str(typed).strip()


def _yes_no(typed: Any) -> bool:
    found = _truth(typed)
    if found is None:
        raise AnswerError(f"{typed!r} is not yes or no; type y or n")
    return found


def _as_list(typed: Any) -> list[str]:
    """Entries separated by commas; an entry holding a comma is typed in double quotes."""
    if isinstance(typed, list | tuple):
        return [str(item).strip() for item in typed if str(item).strip()]
    import csv

    try:
        fields = next(csv.reader([str(typed)], skipinitialspace=True), [])
    except csv.Error:
        raise AnswerError("type the entries on one line, separated by commas") from None
    return [item.strip() for item in fields if item.strip()]


def _list_entry(text: str) -> str:
    """An entry as typed back at the prompt: quoted when it holds a comma or a quote."""
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text


def _choice_value(question: Question, typed: Any) -> str | None:
    choices = question.choices or []
    text = "" if typed is None else str(typed).strip().lower()
    for choice in choices:
        if text in {(choice.value or "").lower(), choice.title.lower()}:
            return choice.value
    allowed = ", ".join(c.value for c in choices if c.value is not None)
    raise AnswerError(f"{typed!r} is not one of the choices: {allowed}")


def _integer(typed: Any) -> int:
    if isinstance(typed, bool):
        raise AnswerError("type a whole number such as 40")
    if isinstance(typed, int):
        return typed
    text = str(typed).strip().replace(" ", "")
    try:
        number = read_number(text)
    except NumberTextError as error:
        if error.ambiguous:
            raise AnswerError(str(error)) from None
        raise AnswerError(f"{typed!r} is not a whole number; type one such as 40") from None
    if not number.is_finite() or number.adjusted() >= _LARGEST_DIGITS:
        raise AnswerError(f"{typed!r} is not a usable number; type one such as 40")
    if number != number.to_integral_value():
        raise AnswerError(f"{typed} is not a whole number; type one such as 40")
    return int(number)


def _parsed(kind: str, typed: Any) -> Any:
    """Rates as ``60%``, amounts and numbers as plain numbers, dates as dates."""
    from slabuilder.answers import parse_date, parse_money, parse_rate

    try:
        if kind == "rate":
            return rate_text(parse_rate(typed))
        if kind == "money":
            return _plain_number(parse_money(typed))
        if kind == "date":
            return parse_date(typed)
    except ValueError as error:
        raise AnswerError(str(error)) from None
    return _number(typed)


def _number(typed: Any) -> int | str:
    """A plain number; ``3x`` (a multiple) and ``4h`` (hours) are read as 3 and 4."""
    text = str(typed).strip().lower()
    for suffix in ("hours", "hour", "h", "x"):
        text = text.removesuffix(suffix).strip()
    try:
        number = read_number(text)
    except NumberTextError as error:
        if error.ambiguous:
            raise AnswerError(str(error)) from None
        number = None
    if number is None or not number.is_finite() or number.adjusted() >= _LARGEST_DIGITS:
        raise AnswerError(f"{typed!r} is not a number; type one such as {as_written('4 or 1.5')}")
    return _plain_number(number)


def _plain_number(number: Decimal) -> int | str:
    """Whole numbers as int; others as exact text (YAML would turn them into binary floats)."""
    return int(number) if number == number.to_integral_value() else words.exact(number, trim=False)


def _check_bounds(question: Question, value: Any) -> None:
    if question.type not in ("integer", "number", "money") or value is None:
        return
    number = Decimal(str(value))
    if question.min is not None and number < question.min:
        raise AnswerError(f"{value} is below the lowest allowed, "
                          f"{as_written(str(_plain_number(question.min)))}")
    if question.max is not None and number > question.max:
        raise AnswerError(f"{value} is above the highest allowed, "
                          f"{as_written(str(_plain_number(question.max)))}")


NUMBER_TYPES = ("integer", "number", "money", "rate")


def understood(question: Question, typed: Any, value: Any,
               data: dict[str, Any] | None = None, *, as_the_company_writes: bool = True
               ) -> str | None:
    """How a typed number was read (``= 0.5 business hours``, ``= $25,000``), so a decimal
    comma or a ``k`` is seen to be read as meant: written as the company writes numbers
    (``= 0,5 business hours``), or with ``as_the_company_writes=False`` as the documents
    print it.  ``None`` for other answers, for nothing typed, and where the reading says
    nothing new."""
    if question.type not in NUMBER_TYPES or value is None or value is MISSING \
            or not isinstance(typed, str) or not typed.strip() or question.key is None:
        return None
    from slabuilder.fields import registry

    entry = registry().get(question.key)
    kind = entry.kind if entry is not None else "count"
    economics = (data or {}).get("economics")
    currency = economics.get("currency") if isinstance(economics, dict) else None
    try:
        if isinstance(value, str) and value.endswith("%"):
            shown = value  # a rate is kept as the percentage it reads as
        elif kind == "count":
            shown = words.number(value)
        else:
            shown = words.by_kind(value, kind, str(currency or "USD"))
            amount = Decimal(str(value))
            if kind == "money" and amount != amount.to_integral_value():
                # The documents round to whole units; the reading shows the cents kept.
                whole = words.money(amount.to_integral_value(rounding="ROUND_FLOOR"),
                                    str(currency or "USD"))
                part = amount - amount.to_integral_value(rounding="ROUND_FLOOR")
                if part == part.quantize(Decimal("0.01")):
                    part = part.quantize(Decimal("0.01"))  # .5 is 50 cents: .50
                cents = words.exact(part, trim=False).removeprefix("0")
                shown = re.sub(r"(\d)(?=\D*$)", lambda m: m.group(1) + cents, whole, count=1)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if as_the_company_writes:
        with number_format(format_of(data)):
            shown = as_written(shown)  # read back the way the company writes numbers
    return None if shown == typed.strip() else f"= {shown}"


def value_text(question: Question, value: Any) -> str:
    """A saved value as it is typed at the prompt (and shown on the review screen)."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        titles = {c.value: c.title for c in question.choices or []}
        return ", ".join(_list_entry(titles.get(item, value_text(question, item)))
                         if isinstance(item, str) else value_text(question, item)
                         for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if question.type == "rate":
        try:
            return rate_text(_rate(value))
        except ValueError:
            return str(value)
    if question.type == "money" and isinstance(value, int | Decimal):
        return words.number(value)
    if question.type == "choice":
        for choice in question.choices or []:
            if choice.value == value:
                return choice.title
    if isinstance(value, Decimal):
        return words.exact(value, trim=False)
    return str(value)


def _rate(value: Any) -> Decimal:
    from slabuilder.answers import parse_rate

    return parse_rate(value)


def help_text(question: Question, data: dict[str, Any] | None) -> str:
    """A question's help with its examples written as the answers write numbers
    (``25k or 25.000`` where a comma marks decimals)."""
    with number_format(format_of(data)):
        return as_written(question.help or "")


def fill_placeholders(text: str, data: dict[str, Any]) -> str:
    """Put earlier answers into a prompt: ``per {economics.period}`` reads ``per quarter``.

    Plain substitution of key paths, nothing evaluated; an unknown or empty key leaves a
    neutral word so the sentence still reads.
    """
    def replace(match: re.Match[str]) -> str:
        try:
            value = get_path(data, match.group(1))
        except ValueError:
            return match.group(0)
        return "period" if value is MISSING or value is None else str(value)

    return re.sub(r"\{([a-z][a-z0-9_.\[\]]*)\}", replace, text)


# --------------------------------------------------------------------------- defaults


def default_for(question: Question, layered: dict[str, Any], gates: dict[str, Any]) -> Any:
    """The answer Enter keeps: the previous file's value, else the questionnaire's default.

    For a gate, the answer its ``infer`` condition reads from the answers so far.
    """
    if question.is_gate:
        if question.infer is not None and question.infer.holds(layered, gates):
            return True if question.type == "yes/no" else question.default
        return question.default if question.default is not None else (
            False if question.type == "yes/no" else None)
    assert question.key is not None
    value = get_path(layered, question.key)
    if value is not MISSING:
        return value
    return standard_default(question, layered)


def standard_default(question: Question, data: dict[str, Any]) -> Any:
    """The default when the answers do not give one: the value at ``default_from`` where
    the answers have it, else the questionnaire's ``default``."""
    if question.default_from is not None:
        value = get_path(data, question.default_from)
        if value is not MISSING and value is not None:
            return copy.deepcopy(value)
    return copy.deepcopy(question.default)
