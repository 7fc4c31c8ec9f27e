"""Last period's observed conversion rates beside the agreed ones, for renegotiation.

An observed rate becomes the next version's default only when it can be planned on: above 0%,
at most 100%, and resting on at least :data:`MIN_RATE_SAMPLE` records.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slabuilder import words
from slabuilder.words import percent, rate_label, rate_text

__all__ = ["MIN_RATE_SAMPLE", "RateComparison", "compare_rates", "observed_cohort_rates",
           "observed_rate_defaults", "observed_rates"]


MIN_RATE_SAMPLE = 30
"""Records at a rate's starting stage below which an observed rate is shown but not offered
as the new default: with 3 SQLs, one opportunity more or less moves the rate by 33 points."""


@dataclass(frozen=True)
class RateComparison:
    """One conversion rate: what the agreement says and what last period's CRM data shows."""

    key: str
    label: str
    agreed: Decimal | None
    observed: Decimal | None
    sample: int | None
    """How many records the observed rate is based on (``None`` when unknown)."""

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
                          agreed: dict[str, Decimal]) -> list[RateComparison]:
    """Agreed and observed rates from each month's cohorts (records at the first stage, and
    how many reached the second), summed over the period, so no rate exceeds 100%."""
    totals: dict[str, tuple[int, int]] = {}
    for counts in monthly_counts:
        for key, pair in counts.items():
            if pair is not None:
                start, reached = totals.get(key, (0, 0))
                totals[key] = (start + pair[0], reached + pair[1])
    observed: dict[str, Decimal] = {}
    samples: dict[str, int] = {}
    for key in agreed:
        start, reached = totals.get(key, (0, 0))
        if start:
            observed[key] = (Decimal(reached) / Decimal(start)).quantize(Decimal("0.001"))
            samples[key] = start
    return compare_rates(agreed, observed, samples)


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
        if row.usable:
            funnel[row.key] = rate_text(row.observed)
    return following
