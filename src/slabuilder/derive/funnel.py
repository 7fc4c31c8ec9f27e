"""The reverse and forward funnel, sensitivity, lead time and capacity.

All arithmetic is exact (:class:`fractions.Fraction`): rates arrive as decimals and are never
turned into binary floats, so ``70 / 0.7`` is 100, not 101.  Every count is rounded up, because
a target is a floor and leads come whole.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from slabuilder.words import add_months

MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
QUARTERS_IN = {"month": None, "quarter": 1, "year": 4}
WEEKS_IN = {"month": Fraction(13, 3), "quarter": Fraction(13), "year": Fraction(52)}

Step = tuple[str, str, Decimal]
"""One conversion: (from stage, to stage, rate)."""


def ceil_div(numerator: Fraction | int | Decimal, denominator: Fraction | int | Decimal) -> int:
    """``ceil(numerator / denominator)`` computed exactly."""
    return math.ceil(Fraction(numerator) / Fraction(denominator))


@dataclass(frozen=True)
class StageTarget:
    """How many of one stage the plan needs, per period and per shorter span."""

    stage: str
    per_period: int
    per_quarter: int | None
    per_month: int
    per_week: int


def reverse_funnel(revenue_target: Decimal, average_deal_size: Decimal,
                   chain: list[Step]) -> dict[str, int]:
    """Stage totals for one period, from ``won`` back to the first stage of ``chain``."""
    totals = {"won": ceil_div(revenue_target, average_deal_size)}
    for source, target, rate in reversed(chain):
        totals[source] = ceil_div(totals[target], rate)
    first = chain[0][0]
    ordered = [first, *(target for _, target, _ in chain)]
    return {stage: totals[stage] for stage in ordered}


def split_period(period: str, stage: str, total: int) -> StageTarget:
    """Spread a period total over its quarters, months and weeks, rounding each up."""
    quarters = QUARTERS_IN[period]
    return StageTarget(
        stage=stage,
        per_period=total,
        per_quarter=ceil_div(total, quarters) if quarters else None,
        per_month=ceil_div(total, MONTHS_IN[period]),
        per_week=ceil_div(total, WEEKS_IN[period]),
    )


def spread(total: int, spans: int) -> list[int]:
    """``total`` over ``spans`` months or weeks, summing to it exactly: the remainder goes to
    the first spans (40 deals over 3 months: 14, 13, 13), so the busiest span is the
    headline ``ceil(total / spans)``."""
    base, extra = divmod(total, spans)
    return [base + (1 if index < extra else 0) for index in range(spans)]


def weeks_in(period: str) -> int | None:
    """Whole weeks in a period (13 a quarter, 52 a year); a month has no whole number."""
    weeks = WEEKS_IN[period]
    return weeks.numerator if weeks.denominator == 1 else None


@dataclass(frozen=True)
class ForwardResult:
    """What a monthly MQL (or lead) volume turns into at the agreed rates."""

    start_stage: str
    start_per_month: int
    expected: dict[str, Fraction]
    """Expected count of every stage per month, exact (not rounded)."""
    revenue_per_month: Fraction

    def whole(self, stage: str) -> int:
        """The expected count rounded down: what the plan can count on."""
        return math.floor(self.expected[stage])


def forward_funnel(volume_per_month: int, average_deal_size: Decimal,
                   chain: list[Step]) -> ForwardResult:
    """From a monthly MQL volume to expected stages and revenue per month.

    The volume is counted in MQLs, so a funnel that starts at ``lead`` is run from its MQL
    stage; only a funnel with no MQL stage at all is run from its first stage.
    """
    from_mql = [i for i, (source, _, _) in enumerate(chain) if source == "mql"]
    if from_mql:
        chain = chain[from_mql[0]:]
    expected: dict[str, Fraction] = {chain[0][0]: Fraction(volume_per_month)}
    current = Fraction(volume_per_month)
    for _, target, rate in chain:
        current *= Fraction(rate)
        expected[target] = current
    return ForwardResult(
        start_stage=chain[0][0],
        start_per_month=volume_per_month,
        expected=expected,
        revenue_per_month=expected["won"] * Fraction(average_deal_size),
    )


@dataclass(frozen=True)
class SensitivityRow:
    rate_key: str
    rate: Decimal
    delta_points: int
    mql_per_period: int
    mql_per_month: int


def sensitivity(revenue_target: Decimal, average_deal_size: Decimal, chain: list[Step],
                period: str, deltas: tuple[int, ...] = (-10, -5, 0, 5, 10)) -> list[SensitivityRow]:
    """The MQL target when the rate out of MQL moves by a few percentage points either way."""
    index = next((i for i, (source, _, _) in enumerate(chain) if source == "mql"), None)
    if index is None:
        return []
    source, target, base = chain[index]
    rows = []
    for delta in deltas:
        rate = base + Decimal(delta) / 100
        if rate <= 0 or rate > 1:
            continue
        varied = [*chain[:index], (source, target, rate), *chain[index + 1:]]
        totals = reverse_funnel(revenue_target, average_deal_size, varied)
        rows.append(SensitivityRow(
            rate_key=f"{source}_to_{target}", rate=rate, delta_points=delta,
            mql_per_period=totals["mql"],
            mql_per_month=ceil_div(totals["mql"], MONTHS_IN[period]),
        ))
    return rows


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the planning period that starts on ``start``."""
    following = add_months(start, MONTHS_IN[period])
    if following.day != start.day:  # 31 January + 3 months was cut to 30 April: that is the end
        return following
    return following - dt.timedelta(days=1)


def month_starts(start: dt.date, period: str) -> list[dt.date]:
    """The first day of each month of the period (the start date itself for the first)."""
    return [add_months(start, offset) for offset in range(MONTHS_IN[period])]


@dataclass(frozen=True)
class LeadTime:
    sales_cycle_days: int
    mql_window_start: dt.date
    mql_window_end: dt.date
    bookings_start: dt.date
    bookings_end: dt.date


def lead_time(start: dt.date, period: str, sales_cycle_days: int) -> LeadTime:
    """When the MQLs must arrive for the period's bookings: one sales cycle earlier."""
    end = period_end(start, period)
    shift = dt.timedelta(days=sales_cycle_days)
    return LeadTime(sales_cycle_days=sales_cycle_days, mql_window_start=start - shift,
                    mql_window_end=end - shift, bookings_start=start, bookings_end=end)


@dataclass(frozen=True)
class Capacity:
    reps: int
    rep_role: str
    """``SDR`` or ``AE``: who works new MQLs."""
    mqls_per_month: int
    business_days_per_month: int
    leads_per_rep_per_day: Fraction
    touches_per_rep_per_day: Fraction
    max_touches_per_rep_per_day: int

    @property
    def over_capacity(self) -> bool:
        return self.touches_per_rep_per_day > self.max_touches_per_rep_per_day


def capacity(mqls_per_month: int, sdrs: int, aes: int, business_days_per_month: int,
             touches_per_lead: int, max_touches: int) -> Capacity | None:
    """New leads and touches per rep per day; ``None`` when nobody is named to work them."""
    reps, role = (sdrs, "SDR") if sdrs else (aes, "AE")
    if not reps:
        return None
    leads = Fraction(mqls_per_month, reps * business_days_per_month)
    return Capacity(reps=reps, rep_role=role, mqls_per_month=mqls_per_month,
                    business_days_per_month=business_days_per_month,
                    leads_per_rep_per_day=leads,
                    touches_per_rep_per_day=leads * touches_per_lead,
                    max_touches_per_rep_per_day=max_touches)


TYPICAL_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "mql_to_sal": (Decimal("0.40"), Decimal("0.80")),
    "mql_to_sql": (Decimal("0.13"), Decimal("0.60")),
    "sql_to_opportunity": (Decimal("0.40"), Decimal("0.80")),
    "opportunity_to_won": (Decimal("0.10"), Decimal("0.35")),
}
"""Published ranges, used only to warn; the user's own CRM history beats any of them."""
