"""Last period's observed conversion rates beside the agreed ones, for renegotiation.

An observed rate becomes the next version's default only when it can be planned on: above 0%,
at most 100%, and resting on at least :data:`MIN_RATE_SAMPLE` records.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slabuilder import words
from slabuilder.words import percent, rate_label, rate_text

__all__ = ["MAX_STEP", "MIN_RATE_SAMPLE", "RateComparison", "compare_rates",
           "observed_cohort_rates", "observed_rate_defaults", "observed_rates",
           "wilson_interval"]


MIN_RATE_SAMPLE = 30
"""Records at a rate's starting stage below which an observed rate is shown but not offered
as the new default: with 3 SQLs, one opportunity more or less moves the rate by 33 points."""

MAX_STEP = Decimal("0.10")
"""The most an observed rate moves the default in one renegotiation (10 percentage points):
one period's evidence is a step, not a new plan; ``--set`` goes further."""


def wilson_interval(reached: int, start: int) -> tuple[Decimal, Decimal]:
    """The 95% Wilson score interval of ``reached / start``, to a tenth of a point."""
    z = 1.96
    p = reached / start
    centre = (p + z * z / (2 * start)) / (1 + z * z / start)
    half = z * math.sqrt(p * (1 - p) / start + z * z / (4 * start * start)) / (1 + z * z / start)
    step = Decimal("0.001")
    return (Decimal(max(centre - half, 0.0)).quantize(step),
            Decimal(min(centre + half, 1.0)).quantize(step))


@dataclass(frozen=True)
class RateComparison:
    """One conversion rate: what the agreement says and what last period's CRM data shows."""

    key: str
    label: str
    agreed: Decimal | None
    observed: Decimal | None
    sample: int | None
    """How many records the observed rate is based on (``None`` when unknown)."""
    interval: tuple[Decimal, Decimal] | None = None
    """The 95% range the rate lies in, given its sample (``None`` when unknown)."""
    too_early: int = 0
    """Months of the period left out because their cohorts have not had the time the
    agreement gives the step (:meth:`slabuilder.plan.Plan.days_to_judge`)."""
    days_to_judge: int | None = None

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return ""
        return f"{percent(self.interval[0])} to {percent(self.interval[1])}"

    @property
    def proposed(self) -> Decimal | None:
        """The new default: the observed rate, moved at most :data:`MAX_STEP` from the
        agreed one (``None`` when the observed rate is not offered)."""
        if self.refusal is not None or self.observed is None or self.agreed is None:
            return None
        step = max(min(self.observed - self.agreed, MAX_STEP), -MAX_STEP)
        return self.agreed + step

    @property
    def capped(self) -> bool:
        return self.proposed is not None and self.proposed != self.observed

    @property
    def agreed_text(self) -> str:
        return "not set" if self.agreed is None else percent(self.agreed)

    @property
    def observed_text(self) -> str:
        return "no data" if self.observed is None else percent(self.observed)

    @property
    def usable(self) -> bool:
        """Whether the observed rate can replace the agreed one (0%, over 100% and a rate
        resting on fewer than :data:`MIN_RATE_SAMPLE` records cannot)."""
        return self.refusal is None

    @property
    def refusal(self) -> str | None:
        """Why the observed rate is not offered as the new default (``None``: it is)."""
        if self.agreed is None:
            return "not in the agreement"
        if self.observed is None and self.too_early:
            step = ("a sale takes" if self.key.endswith("_to_won") else
                    "the agreement gives the step")
            return (f"too early: the period's cohorts are younger than the "
                    f"{words.days(self.days_to_judge or 0)} {step}")
        if self.observed is None:
            return "no data"
        if not 0 < self.observed <= 1:
            return "0% cannot be planned on" if self.observed <= 0 else "over 100%"
        if self.sample is not None and self.sample < MIN_RATE_SAMPLE:
            return f"too few records ({words.count(self.sample)} of {MIN_RATE_SAMPLE} needed)"
        return None

    @property
    def change_points(self) -> Decimal | None:
        """Observed minus agreed, in percentage points."""
        if self.agreed is None or self.observed is None:
            return None
        return (self.observed - self.agreed) * 100


def compare_rates(agreed: dict[str, Decimal], observed: dict[str, Decimal],
                  samples: dict[str, int] | None = None) -> list[RateComparison]:
    """Agreed and observed rates side by side, in the agreement's funnel order."""
    keys = list(agreed) + [key for key in observed if key not in agreed]
    return [RateComparison(key=key, label=rate_label(key),
                           agreed=agreed.get(key), observed=observed.get(key),
                           sample=(samples or {}).get(key))
            for key in keys]


def observed_rates(monthly_volumes: list[dict[str, int | None]],
                   agreed: dict[str, Decimal]) -> list[RateComparison]:
    """Agreed and observed rates from each month's stage volumes (summed over the period).

    A rate is the period's count of the later stage over the count of the earlier one; it is
    ``None`` when the export has no column for either stage or no record of the earlier one.
    Rates are kept to a tenth of a percentage point: more digits would be false precision.
    """
    totals: dict[str, int | None] = {}
    for volumes in monthly_volumes:
        for stage, count in volumes.items():
            if count is None:
                totals.setdefault(stage, None)
            else:
                totals[stage] = (totals.get(stage) or 0) + count
    observed: dict[str, Decimal] = {}
    samples: dict[str, int] = {}
    for key in agreed:
        source, target = key.split("_to_")
        low, high = totals.get(source), totals.get(target)
        if low and high is not None:
            observed[key] = (Decimal(high) / Decimal(low)).quantize(Decimal("0.001"))
            samples[key] = low
    return compare_rates(agreed, observed, samples)


def observed_cohort_rates(monthly_counts: list[dict[str, tuple[int, int] | None]],
                          agreed: dict[str, Decimal], *,
                          waited: list[int | None] | None = None,
                          days_to_judge: Mapping[str, int | None] | None = None,
                          ) -> list[RateComparison]:
    """Agreed and observed rates from each month's cohorts (records at the first stage, and
    how many reached the second), summed over the period, so no rate exceeds 100%.

    ``waited`` gives, for each month, the days from its end to the export's last day: a
    rate leaves out the months that have waited less than its ``days_to_judge`` (a sales
    cycle into won), whose leads have not had the time to get there."""
    needed = days_to_judge or {}
    totals: dict[str, tuple[int, int]] = {}
    early: dict[str, int] = {}
    for index, counts in enumerate(monthly_counts):
        days = waited[index] if waited else None
        for key, pair in counts.items():
            young = bool(needed.get(key)) and days is not None and days < (needed[key] or 0)
            if young and pair is not None:
                early[key] = early.get(key, 0) + 1
            elif pair is not None:
                start, reached = totals.get(key, (0, 0))
                totals[key] = (start + pair[0], reached + pair[1])
    observed: dict[str, Decimal] = {}
    samples: dict[str, int] = {}
    intervals: dict[str, tuple[Decimal, Decimal]] = {}
    for key in agreed:
        start, reached = totals.get(key, (0, 0))
        if start:
            observed[key] = (Decimal(reached) / Decimal(start)).quantize(Decimal("0.001"))
            samples[key] = start
            intervals[key] = wilson_interval(reached, start)
    return [dataclasses.replace(row, interval=intervals.get(row.key),
                                too_early=early.get(row.key, 0),
                                days_to_judge=needed.get(row.key))
            for row in compare_rates(agreed, observed, samples)]


def observed_rate_defaults(data: dict[str, Any],
                           comparisons: list[RateComparison]) -> dict[str, Any]:
    """``data`` with each agreed rate replaced by the observed one, where there is one.

    Only rates already in the agreement's funnel are replaced: an observed rate for a stage the
    agreement does not use would break its chain to ``won``.  A rate observed as 0% (no deal
    closed yet) is not offered either, since the funnel cannot plan on it, nor one above 100%
    (more SQLs than MQLs in a month, when the SQLs came from earlier MQLs).
    """
    following = copy.deepcopy(data)
    funnel = following.setdefault("funnel", {})
    for row in comparisons:
        if row.proposed is not None:
            funnel[row.key] = rate_text(row.proposed)
    return following
