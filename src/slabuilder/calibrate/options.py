"""What a calibration is asked to do (plain data; importing it costs nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from slabuilder.actuals.timestamps import DateOrder

OutcomeStage = Literal["sal", "sql", "opportunity", "won"]
OUTCOME_STAGES: tuple[OutcomeStage, ...] = ("sal", "sql", "opportunity", "won")
POSITIVE_WORDS = ("1", "true", "yes", "y", "t", "converted", "won", "x")
MIN_ROWS = 100
MIN_EACH_CLASS = 30
DEFAULT_SEED = 20240614
HOLDOUT_SHARE = 0.3

Progress = Callable[[str], None]
"""Told the name of each step as it starts (the CLI draws a bar from it)."""


@dataclass(frozen=True)
class CalibrationOptions:
    outcome: str
    """The column that says whether the lead converted."""
    positive: str | None = None
    """The value of ``outcome`` that means yes, when it is not 1, true or yes."""
    outcome_stage: OutcomeStage = "sql"
    """What a conversion is: reaching SAL, SQL, opportunity or a won deal."""
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    date_column: str | None = None
    date_format: DateOrder | None = None
    """The order of the date column's slashed dates when its values cannot tell."""
    timezone: str | None = None
    """The zone of the date column's times written without an offset (default UTC)."""
    max_signals: int = 8
    seed: int = DEFAULT_SEED
    holdout_share: float = HOLDOUT_SHARE
