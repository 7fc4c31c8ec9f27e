"""A scoring signal's condition as SQL over a :class:`LeadTable`, and in words.

The same SQL scores the holdout when a model is calibrated and scores leads with
``slabuilder score``, so the figures a calibration reports are those of the model written
into the answers, rounding and all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slabuilder import words
from slabuilder.actuals.timestamps import quote_literal
from slabuilder.answers import Answers, CustomSignal, SignalCondition
from slabuilder.calibrate.table import LeadTable
from slabuilder.derive.scoring import resolve_signals


@dataclass(frozen=True)
class ScoredSignal:
    """A signal of the answers' model and, when its column is in the file, its SQL test."""

    id: str
    label: str
    points: int
    kind: str
    condition: SignalCondition | None
    sql: str | None
    """``None`` when the signal has no condition or its column is not in the file."""
    missing_column: str | None = None


def number_text(value: Decimal) -> str:
    return words.number(value)


def condition_sql(condition: SignalCondition, table: LeadTable) -> str | None:
    """A boolean SQL test (never NULL) for ``condition``; ``None`` if the column is absent."""
    wanted = condition.column.strip().lower()
    profile = next((p for p in table.columns if p.name.strip().lower() == wanted), None)
    if profile is None:
        return None
    column = profile.sql
    test = None
    if condition.equals is not None:
        test = f"lower({column}) = {quote_literal(condition.equals.lower())}"
    elif condition.one_of is not None:
        test = f"lower({column}) IN (" + ", ".join(
            quote_literal(value.lower()) for value in condition.one_of) + ")"
    elif condition.at_least is not None or condition.below is not None:
        number = table.number(profile)
        parts = []
        if condition.at_least is not None:
            parts.append(f"{number} >= {words.exact(condition.at_least, trim=False)}")
        if condition.below is not None:
            parts.append(f"{number} < {words.exact(condition.below, trim=False)}")
        test = " AND ".join(parts)
    if condition.blank:
        # Blank is what the reader leaves as NULL: an empty cell or a placeholder ("Select").
        blank = f"{column} IS NULL"
        return blank if test is None else f"({blank} OR coalesce({test}, false))"
    return f"coalesce({test}, false)"


def describe(condition: SignalCondition) -> str:
    """``Lead Source is Google``, ``Page Views from 3 to under 6``, ``Country is blank``."""
    column = condition.column
    blank = " or blank" if condition.blank else ""
    if condition.equals is not None:
        return f"{column} is {condition.equals}{blank}"
    if condition.one_of is not None:
        return f"{column} is one of {', '.join(condition.one_of)}{blank}"
    if condition.at_least is not None and condition.below is not None:
        return (f"{column} from {number_text(condition.at_least)} to under "
                f"{number_text(condition.below)}{blank}")
    if condition.at_least is not None:
        return f"{column} at least {number_text(condition.at_least)}{blank}"
    if condition.below is not None:
        return f"{column} below {number_text(condition.below)}{blank}"
    return f"{column} is blank"


def model_signals(answers: Answers, table: LeadTable) -> list[ScoredSignal]:
    """The answers' signals (defaults with their changes), each with its SQL test if any."""
    found = []
    for signal in resolve_signals(answers.scoring.signals):
        change = answers.scoring.signals.get(signal.id)
        condition = change.condition if isinstance(change, CustomSignal) else None
        sql = condition_sql(condition, table) if condition is not None else None
        missing = condition.column if condition is not None and sql is None else None
        found.append(ScoredSignal(signal.id, signal.label, signal.points, signal.kind,
                                  condition, sql, missing))
    return found


def score_sql(signals: list[ScoredSignal]) -> str:
    """SQL for the score of a row: the points of every signal whose test holds."""
    terms = [f"CASE WHEN {s.sql} THEN {s.points} ELSE 0 END" for s in signals
             if s.sql is not None]
    return " + ".join(terms) if terms else "0"
