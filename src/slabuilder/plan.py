"""``build_plan(answers) -> Plan``: the one entry point that derives everything from answers.

Pure: no files, no clock, no network.  Documents, reports and diffs all read a :class:`Plan`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.derive import funnel
from slabuilder.derive.alignment import Alignment, build_alignment
from slabuilder.derive.findings import Finding, plan_findings
from slabuilder.derive.funnel import (
    Capacity,
    ForwardResult,
    LeadTime,
    SensitivityRow,
    StageTarget,
)
from slabuilder.derive.scoring import ScoringModel, build_scoring
from slabuilder.derive.terms import Terms, build_terms
from slabuilder.words import STAGE_NAMES

__all__ = ["Finding", "MonthTarget", "Plan", "WeekTarget", "build_plan"]



@dataclass(frozen=True)
class MonthTarget:
    month: str
    """``2027-01``."""
    label: str
    """``January 2027``; ``15 Feb to 14 Mar 2027`` for a month of an agreement that starts
    after the first."""
    targets: dict[str, int]
    start: dt.date
    end: dt.date
    """The month's last day."""



@dataclass(frozen=True)
class WeekTarget:
    week: int
    """1 to 13 (or 52): the week of the period."""
    start: dt.date
    targets: dict[str, int]


@dataclass(frozen=True)
class Plan:
    """Everything derived from one answers file."""

    answers: Answers
    fingerprint: str
    period: str
    period_start: dt.date
    period_end: dt.date
    stages: list[str]
    """The funnel's stages in order, first to ``won``."""
    rates: dict[str, Decimal]
    """The chain's rates keyed ``<from>_to_<to>``, in funnel order."""
    targets: dict[str, StageTarget]
    revenue_target: Decimal
    average_deal_size: Decimal
    currency: str
    pipeline_needed: Decimal
    months: list[MonthTarget]
    """Month by month, summing exactly to each stage's period target."""
    weeks: list[WeekTarget]
    """Week by week (quarters and years), summing exactly to each period target."""
    lead_time: LeadTime
    sensitivity: list[SensitivityRow]
    forward: ForwardResult | None
    capacity: Capacity | None
    scoring: ScoringModel
    terms: Terms
    alignment: Alignment
    icp_missing: list[str]
    warnings: list[Finding] = field(default_factory=list)

    @property
    def mql_per_month(self) -> int:
        return self.targets["mql"].per_month if "mql" in self.targets else 0

    @property
    def revenue_per_month(self) -> int:
        """The busiest month's share of the bookings: rounded up to a whole unit of money,
        like every stage's count, because a target is a floor ($1,000,000 a quarter ->
        $333,334)."""
        return math.ceil(Fraction(self.revenue_target) / funnel.MONTHS_IN[self.period])

    @property
    def mql_value(self) -> Decimal:
        """The bookings one MQL brings at the agreed rates: the rates from MQL to won times
        the average deal size (0 without an MQL stage)."""
        if "mql" not in self.stages:
            return Decimal(0)
        value = self.average_deal_size
        first = self.stages.index("mql")
        for key, rate in self.rates.items():
            if self.stages.index(key.split("_to_")[0]) >= first:
                value *= rate
        return value

    @property
    def measured_rates(self) -> list[str]:
        """The conversions a month's report measures: the chain's rates, and the one the
        low-conversion line judges when the chain does not hold it (MQL to SQL across an SAL
        stage)."""
        line = self.alignment.lines.low_conversion_key
        return [*self.rates, *([line] if line and line not in self.rates else [])]

    def days_to_judge(self, key: str) -> int | None:
        """Calendar days a month's leads need after the month ends before the rate ``key``
        can be judged on them: a sales cycle into won, the opportunity deadline from SQL to
        opportunity, the attempt window into any earlier stage (``None``: no rule known)."""
        target = key.split("_to_")[1]
        agreed = self.terms.commitments
        if target == "won":
            return self.answers.economics.sales_cycle_days
        if target == "opportunity":
            return math.ceil(agreed.sql_to_opportunity_days * 7 / 5)
        return agreed.attempt_window_days

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (numbers as numbers, dates as ISO text)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "answers"}
        result: dict[str, Any] = _plain(data)
        result["stage_names"] = {stage: STAGE_NAMES[stage] for stage in self.stages}
        return result


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else round(float(value), 4)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def build_plan(answers: Answers, *, forward_volume: int | None = None) -> Plan:
    """Derive targets, scoring, terms and warnings from validated answers.

    ``forward_volume`` runs the funnel forward from that many MQLs (or leads) a month; by
    default the current monthly MQL volume from the answers is used, when given.
    """
    economics = answers.economics
    chain = answers.funnel.chain()
    stages = [chain[0][0], *(target for _, target, _ in chain)]
    totals = funnel.reverse_funnel(economics.revenue_target, economics.average_deal_size, chain)
    targets = {stage: funnel.split_period(economics.period, stage, total)
               for stage, total in totals.items()}
    start = answers.agreement.effective_date
    month_days = funnel.month_starts(start, economics.period)
    by_month = {stage: funnel.spread(total, len(month_days)) for stage, total in totals.items()}
    ends = [*(day - dt.timedelta(days=1) for day in month_days[1:]),
            funnel.period_end(start, economics.period)]
    months = [MonthTarget(month=day.strftime("%Y-%m"), label=words.month_span(day, end),
                          targets={stage: by_month[stage][index] for stage in totals},
                          start=day, end=end)
              for index, (day, end) in enumerate(zip(month_days, ends, strict=True))]
    week_count = funnel.weeks_in(economics.period) or 0
    by_week = {stage: funnel.spread(total, week_count) if week_count else []
               for stage, total in totals.items()}
    weeks = [WeekTarget(week=index + 1, start=start + dt.timedelta(weeks=index),
                        targets={stage: by_week[stage][index] for stage in totals})
             for index in range(week_count)]
    mql_month = targets["mql"].per_month if "mql" in targets else 0
    mql_period = targets["mql"].per_period if "mql" in targets else 0
    volume = forward_volume if forward_volume is not None else answers.current_state.mqls_per_month
    forward = (funnel.forward_funnel(volume, economics.average_deal_size, chain)
               if volume is not None else None)
    cap = funnel.capacity(answers.sla.marketing.mql_volume_per_month or mql_month,
                          answers.team.sdrs, answers.team.aes,
                          answers.team.business_days_per_month,
                          answers.sla.sales.contact_attempts,
                          answers.team.max_touches_per_rep_per_day)
    scoring = build_scoring(answers)
    terms = build_terms(answers, stages, {f"{a}_to_{b}": r for a, b, r in chain}, mql_month,
                        mql_period)
    intent_points = next((s.points for s in scoring.signals if s.id == "intent_surge"), None)
    alignment = build_alignment(answers, terms.commitments,
                                {f"{a}_to_{b}": r for a, b, r in chain}, stages, totals["won"],
                                economics.currency, answers.company.crm_name,
                                intent_points)
    icp_missing = answers.icp.missing()
    warnings = plan_findings(answers, cap, terms, scoring.warnings, mql_month,
                             totals["won"])
    return Plan(
        answers=answers,
        fingerprint=answers.fingerprint(),
        period=economics.period,
        period_start=start,
        period_end=funnel.period_end(start, economics.period),
        stages=stages,
        rates={f"{s}_to_{t}": r for s, t, r in chain},
        targets=targets,
        revenue_target=economics.revenue_target,
        average_deal_size=economics.average_deal_size,
        currency=economics.currency,
        pipeline_needed=economics.revenue_target * economics.pipeline_coverage,
        months=months,
        weeks=weeks,
        lead_time=funnel.lead_time(start, economics.period, economics.sales_cycle_days),
        sensitivity=funnel.sensitivity(economics.revenue_target, economics.average_deal_size,
                                       chain, economics.period),
        forward=forward,
        capacity=cap,
        scoring=scoring,
        terms=terms,
        alignment=alignment,
        icp_missing=icp_missing,
        warnings=warnings,
    )
