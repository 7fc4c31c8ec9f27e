"""``build_plan(answers) -> Plan``: the one entry point that derives everything from answers.

Pure: no files, no clock, no network.  Documents, reports and diffs all read a :class:`Plan`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.derive import funnel
from slabuilder.derive.alignment import Alignment, build_alignment
from slabuilder.derive.findings import Finding
from slabuilder.derive.funnel import (
    Capacity,
    ForwardResult,
    LeadTime,
    SensitivityRow,
    StageTarget,
)
from slabuilder.derive.scoring import ScoringModel, build_scoring
from slabuilder.derive.terms import Terms, build_terms
from slabuilder.words import STAGE_NAMES, money, number, percent

__all__ = ["Finding", "MonthTarget", "Plan", "WeekTarget", "build_plan"]

_CRM_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce"}


@dataclass(frozen=True)
class MonthTarget:
    month: str
    """``2027-01``."""
    label: str
    """``January 2027``."""
    targets: dict[str, int]


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
    def measured_rates(self) -> list[str]:
        """The conversions a month's report measures: the chain's rates, and the one the
        low-conversion line judges when the chain does not hold it (MQL to SQL across an SAL
        stage)."""
        line = self.alignment.lines.low_conversion_key
        return [*self.rates, *([line] if line and line not in self.rates else [])]

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


def _rate_warnings(rates: dict[str, Decimal]) -> list[Finding]:
    found = []
    for key, rate in rates.items():
        if key not in funnel.TYPICAL_RANGES:
            continue
        low, high = funnel.TYPICAL_RANGES[key]
        if not low <= rate <= high:
            side = "below" if rate < low else "above"
            found.append(Finding(
                "rate_outside_typical_range",
                f"{key} of {percent(rate)} is {side} the typical {percent(low)} to "
                f"{percent(high)}; use your own CRM history if you have it, and check this "
                "figure if you do not.", f"funnel.{key}"))
    return found


def _capacity_warnings(answers: Answers, cap: Capacity | None, mql_per_month: int) -> list[Finding]:
    if cap is None:
        return [Finding("no_reps",
                        f"Nobody is named to work the {words.count(mql_per_month)} MQLs a "
                        "month: give the number of SDRs or AEs.", "team.sdrs")]
    found = []
    if cap.over_capacity:
        found.append(Finding(
            "over_capacity",
            f"Each {cap.rep_role} would get {words.number(cap.leads_per_rep_per_day, 1)} new "
            f"MQLs a day and need {words.number(cap.touches_per_rep_per_day, 0)} touches a "
            "day to meet the "
            f"attempts term, over the {cap.max_touches_per_rep_per_day} a rep can make: add "
            "reps, lower the attempts or route some MQLs to AEs.", "team.sdrs"))
    sales = answers.sla.sales
    if sales.speed_to_lead_hours < 1 and not answers.team.after_hours_coverage:
        found.append(Finding(
            "speed_without_coverage",
            f"A first attempt within {words.number(sales.speed_to_lead_hours * 60, 0)} minutes "
            "cannot be met for leads arriving at night or at weekends without cover outside "
            "business hours: lengthen it or set team.after_hours_coverage.",
            "sla.sales.speed_to_lead_hours"))
    return found


def _state_warnings(answers: Answers, mql_per_month: int) -> list[Finding]:
    found = []
    state = answers.current_state
    if state.mqls_per_month is not None and state.mqls_per_month < mql_per_month:
        gap = mql_per_month - state.mqls_per_month
        found.append(Finding(
            "volume_gap",
            f"The plan needs {words.count(mql_per_month)} MQLs a month and marketing produces "
            f"{words.count(state.mqls_per_month)} today: {words.count(gap)} more a month "
            f"({words.number(Fraction(gap, max(state.mqls_per_month, 1)) * 100, 0)}% up).",
            "current_state.mqls_per_month"))
    if state.worked_within_sla is not None and state.worked_within_sla < Decimal("0.5"):
        found.append(Finding(
            "sla_rarely_met",
            f"Only {percent(state.worked_within_sla)} of MQLs are worked within the SLA today; "
            "an SLA broken this often teaches everyone it does not matter. Start with terms "
            "the team can meet and tighten them each quarter.",
            "current_state.worked_within_sla"))
    override = answers.sla.marketing.mql_volume_per_month
    if override is not None and override < mql_per_month:
        found.append(Finding(
            "volume_term_below_plan",
            f"The MQL volume term ({words.count(override)} a month) is below the "
            f"{words.count(mql_per_month)} the "
            "revenue target needs.", "sla.marketing.mql_volume_per_month"))
    sides = {s.side for s in answers.agreement.signatories}
    for side in ("marketing", "sales"):
        if side not in sides:
            found.append(Finding(
                f"no_{side}_signatory",
                f"No signatory speaks for {side}; an agreement one side has not signed binds "
                "nobody.", "agreement.signatories"))
    return found


def _target_warnings(answers: Answers, won_per_period: int) -> list[Finding]:
    economics = answers.economics
    found = []
    if economics.average_deal_size > economics.revenue_target:
        found.append(Finding(
            "deal_above_target",
            f"One average deal ({money(economics.average_deal_size, economics.currency)}) is "
            f"larger than the revenue target ({money(economics.revenue_target, economics.currency)}"
            f"), so the plan asks for a single deal in the {economics.period} and every "
            "shorter target is that one deal: check both figures.",
            "economics.average_deal_size"))
    elif economics.period != "month" and won_per_period < funnel.MONTHS_IN[economics.period]:
        found.append(Finding(
            "under_a_deal_a_month",
            f"The target is {won_per_period} won deal{'s' * (won_per_period != 1)} in the "
            f"{economics.period}, fewer than one a month: monthly and weekly targets are then "
            "mostly zero, so judge the agreement over the whole period.",
            "economics.revenue_target"))
    return found


def _term_warnings(answers: Answers, terms: Terms) -> list[Finding]:
    """Terms that contradict each other or the team."""
    agreed = terms.commitments
    found = []
    fast, standard = agreed.fast_tier, agreed.standard_tier
    if fast.hours > standard.hours:
        found.append(Finding(
            "fast_tier_slower",
            f"{fast.label} get a first attempt within {number(fast.hours)} business hours, "
            f"slower than the {number(standard.hours)} for every other MQL: the fast tier "
            "must be the faster one (sla.sales.speed_to_lead_hours, sla.sales.other_mql_hours)."
            , "sla.sales.speed_to_lead_hours"))
    sal_rate = answers.funnel.rates().get("mql_to_sal")
    given = answers.sla.marketing.acceptance_rate
    if sal_rate is not None and given is not None and given != sal_rate:
        found.append(Finding(
            "acceptance_against_funnel",
            f"The acceptance commitment is {percent(given)} while the funnel plans on "
            f"{percent(sal_rate)} of MQLs becoming SALs: the targets and the term measure the "
            "same step, so make them one figure (sla.marketing.acceptance_rate, "
            "funnel.mql_to_sal).", "sla.marketing.acceptance_rate"))
    team = answers.team
    for index, rule in enumerate(answers.routing.rules or []):
        for role, people, key in (("SDR", team.sdrs, "team.sdrs"), ("AE", team.aes, "team.aes")):
            if people == 0 and role.lower() in rule.route_to.lower().replace("-", " ").split():
                found.append(Finding(
                    "routing_to_nobody",
                    f"Routing rule {index + 1} ({rule.segment}) sends MQLs to {role}s, but the "
                    f"team has none ({key}): route them to someone who exists.",
                    f"routing.rules[{index}].route_to"))
    return found


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
    months = [MonthTarget(month=day.strftime("%Y-%m"), label=day.strftime("%B %Y"),
                          targets={stage: by_month[stage][index] for stage in totals})
              for index, day in enumerate(month_days)]
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
                                economics.currency, _CRM_NAMES.get(answers.company.crm, "the CRM"),
                                intent_points)
    icp_missing = answers.icp.missing()
    warnings = [
        *_target_warnings(answers, totals["won"]),
        *_rate_warnings(dict(answers.funnel.rates())),
        *_capacity_warnings(answers, cap, mql_month),
        *_term_warnings(answers, terms),
        *_state_warnings(answers, mql_month),
        *scoring.warnings,
    ]
    if icp_missing:
        warnings.insert(0, Finding(
            "icp_incomplete",
            "The ideal customer profile is incomplete (" + ", ".join(icp_missing) + "); the "
            "agreement can only be rendered as a draft until it is filled in.", icp_missing[0]))
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
