"""The monthly alignment report, weekly agenda and dashboard: plan targets against actuals.

:func:`build_report_context` turns a :class:`~slabuilder.plan.Plan`, the month and (when an
export was given) the :class:`~slabuilder.actuals.Actuals` into plain data for the
templates, the way :mod:`slabuilder.context` does for the agreement: compliance tables with a
target, an actual and met or missed for every term; the funnel against plan and against the
previous month; insights and priorities worded from the figures; and the geometry of two
charts (:mod:`slabuilder.charts`), which ``templates/_charts.svg.j2`` draws.

Figures stay numbers (rates as fractions, hours as numbers, counts as ints) for the
templates' filters; a row's ``kind`` (``count``, ``rate`` or ``hours``) says which filter.
Only sentences that carry a figure (targets, notes, insights) are written here, with
:mod:`slabuilder.words`.

Without actuals every actual is ``None`` and the templates draw a blank (a form field in
the PDF).  With actuals, a figure the export cannot support is marked "not in export".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from slabuilder import diagnosis, words
from slabuilder.actuals.metrics import Month
from slabuilder.actuals.model import Actuals, MonthActuals
from slabuilder.charts import funnel_chart, trend_chart
from slabuilder.contexts import (
    ComplianceRow,
    ConversionRow,
    FunnelRow,
    ReportContext,
    RowState,
    Verdict,
)
from slabuilder.derive.alignment import JUDGE_FROM
from slabuilder.derive.funnel import MONTHS_IN
from slabuilder.derive.terms import scoring_misses_text
from slabuilder.diagnosis import no_attempt_age
from slabuilder.plan import Plan
from slabuilder.words import (
    STAGE_NAMES,
    count,
    money,
    number,
    percent,
    stage_plural,
)

__all__ = ["BLANK", "NOT_IN_EXPORT", "build_report_context"]

BLANK: Literal["blank"] = "blank"
"""A shell: the figure is written in by hand."""
NOT_IN_EXPORT: Literal["not in export"] = "not in export"

Kind = Literal["count", "rate", "hours", "money", "days"]

# The terms each view shows, by field: the agenda reviews acceptance and the sales side's
# commitments, the dashboard the response times and the quality of what marketing sends.
_AGENDA_TERMS = ("mql_acceptance", "speed_fast", "speed_standard", "attempts", "disposition")
_DASHBOARD_RESPONSE = ("speed_median", "speed_fast", "speed_standard", "no_attempt_72h")
_DASHBOARD_QUALITY = ("mql_acceptance", "scoring_accuracy")
_HEADLINE_STAGES = ("mql", "sql", "won")
# How many of the top sources, owners, reasons and insights each view has room for.
_REPORT_SOURCES, _AGENDA_SOURCES, _DASHBOARD_OWNERS, _AGENDA_REASONS = 8, 6, 10, 6
_SUMMARY_INSIGHTS = 4
_FORMAT_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce", "generic": "generic"}
_RESPONSE_BUCKETS = (("under_1h", "Under 1 hour"), ("1_to_24h", "1 to 24 hours"),
                     ("over_24h", "Over 24 hours"), ("never", "Not touched"))


def _num(value: Decimal | int | float) -> float:
    return float(value)


class _Rows:
    """Builds compliance rows; knows whether this is a shell or a filled report."""

    def __init__(self, actuals: Actuals | None) -> None:
        self.actuals = actuals

    def row(self, field: str, label: str, target: str, value: float | None, kind: Kind,
            met: bool | None, *, note: str = "", previous: float | None = None,
            measurable: bool = True) -> ComplianceRow:
        row: ComplianceRow = {"field": field, "label": label, "target": target, "kind": kind,
                              "note": note, "actual": None, "met": None, "previous": None,
                              "state": "blank"}
        if self.actuals is None or not measurable:
            row["state"] = "blank" if self.actuals is None else "not in export"
        elif value is None:
            row["state"], row["previous"] = "not in export", previous
        else:
            row["state"], row["actual"], row["previous"] = "value", value, previous
            row["met"] = None if met is None else "met" if met else "missed"
        return row


def _marketing_rows(plan: Plan, actuals: Actuals | None,
                    mql_target: int) -> list[ComplianceRow]:
    agreed = plan.terms.commitments
    rows = _Rows(actuals)
    month = actuals.month if actuals else None
    previous = actuals.previous if actuals else None
    mql = month.mql if month else None
    acceptance = month.acceptance_rate if month else None
    accuracy = actuals.scoring_accuracy if actuals else None
    score = month.mql_average_score if month else None
    core = month.core_fields_complete if month else None
    extended = month.extended_fields_complete if month else None
    return [
        rows.row("mql_volume", "MQL volume", f"at least {count(mql_target)}", mql, "count",
                 mql is not None and mql >= mql_target,
                 previous=previous.mql if previous else None,
                 note=(f"change on {previous.label}: {_change(mql, previous.mql)}"
                       if mql is not None and previous and previous.mql else "")),
        rows.row("mql_acceptance", "MQLs accepted by sales",
                 f"at least {percent(agreed.acceptance_rate)}", acceptance, "rate",
                 acceptance is not None and acceptance >= _num(agreed.acceptance_rate),
                 previous=previous.acceptance_rate if previous else None,
                 note=("of the month's MQLs dispositioned, those accepted as "
                       + agreed.accepted_as)),
        rows.row("scoring_accuracy", "Scoring accuracy",
                 f"over {percent(agreed.scoring_accuracy)}", accuracy, "rate",
                 accuracy is not None and accuracy > _num(agreed.scoring_accuracy),
                 note="of the month's MQLs dispositioned, those not rejected as "
                      + scoring_misses_text()),
        rows.row("quality_score", "MQL quality score",
                 f"average of {agreed.average_mql_score}+ points", score, "count",
                 score is not None and score >= agreed.average_mql_score,
                 previous=previous.mql_average_score if previous else None,
                 note=(f"over {count(month.mqls_scored)} scored MQLs; threshold "
                       f"{agreed.threshold} points" if month and month.mqls_scored
                       else "")),
        rows.row("data_completeness", "Data completeness",
                 f"{percent(agreed.core_fields_complete)} core, "
                 f"{percent(agreed.extended_fields_complete)} extended", core, "rate",
                 core is not None and core >= _num(agreed.core_fields_complete)
                 and (extended is None or extended >= _num(agreed.extended_fields_complete)),
                 previous=previous.core_fields_complete if previous else None,
                 note=("core: name, e-mail and company; "
                       + (f"extended (also phone, title and size): {percent(extended)}"
                          if extended is not None else "extended: not in export"))
                 if core is not None else ""),
        rows.row("routing_speed", "Routing speed",
                 f"within {words.minutes(agreed.routing_minutes)}", None, "count", None,
                 measurable=False),
        rows.row("content_delivery", "Content delivered on time",
                 "every request by its turnaround", None, "rate", None, measurable=False,
                 note="from the content request log"),
    ]


def _disposition_row(rows: _Rows, plan: Plan, month: MonthActuals | None,
                     previous: MonthActuals | None) -> ComplianceRow:
    days = plan.terms.commitments.disposition_days
    disposition = month.disposition_within_deadline if month else None
    undecided = month.undispositioned_past_deadline if month else None
    if disposition is not None or month is None or undecided is None:
        return rows.row("disposition", "Disposition in time",
                        f"100% within {words.days(days, business=True)}", disposition, "rate",
                        disposition is not None and disposition >= 1,
                        previous=previous.disposition_within_deadline if previous else None)
    return rows.row("disposition", "Undecided past the deadline",
                    f"none after {words.days(days, business=True)}", undecided, "count",
                    undecided == 0,
                    previous=previous.undispositioned_past_deadline if previous else None,
                    note="the export has no disposition date; counted from the lead status")


def _speed_rows(plan: Plan, rows: _Rows, month: MonthActuals | None,
                previous: MonthActuals | None) -> list[ComplianceRow]:
    """Speed to lead, each MQL held to its own tier's limit; when the export cannot tell
    the tiers apart, each limit is shown over every MQL and nothing is judged."""
    agreed = plan.terms.commitments
    limits = " and ".join(f"{words.short_hours(tier.hours)} for {tier.phrase}"
                          for tier in agreed.response_tiers)
    known = bool(month and month.tiers_known)
    tiers = {item.tier: item for item in (month.speed_by_tier or ())} if month else {}
    before = {item.tier: item for item in (previous.speed_by_tier or ())} if previous else {}
    median = month.speed_to_lead_median_hours if month else None
    p90 = month.speed_to_lead_p90_hours if month else None
    unknown = ("the export does not say what made each lead an MQL, so the tiers cannot be "
               "told apart" if month and month.tiers_known is False else "")
    early = month.touched_before_mql if month else None
    notes = ([f"90th percentile {words.short_hours(p90, 1)}"] if p90 is not None else []) + (
        [f"{words.unit(early, 'MQL', 'MQLs')} with a touch logged before the MQL time, "
         "counted as 0 h"] if early else [])
    found = [rows.row("speed_median", "Speed to lead, median", limits, median, "hours",
                      None, note="; ".join(notes),
                      previous=previous.speed_to_lead_median_hours if previous else None),
             rows.row("speed_within_sla", "MQLs touched within their tier's limit", "100%",
                      month.speed_to_lead_within_sla if month else None, "rate",
                      bool(month and (month.speed_to_lead_within_sla or 0) >= 1),
                      previous=previous.speed_to_lead_within_sla if previous else None,
                      note=unknown)]
    for tier in agreed.response_tiers:
        measured = tiers.get(tier.id)
        share = measured.share_within if measured else None
        who = tier.phrase if known or rows.actuals is None else "all MQLs"
        found.append(rows.row(
            f"speed_{tier.id}", f"Touched within {tier.limit}: {who}",
            "100%", share, "rate", (share or 0) >= 1 if known else None,
            previous=before[tier.id].share_within if tier.id in before else None,
            note=(f"median {words.short_hours(measured.median_hours, 1)} over "
                  f"{count(measured.mqls)} MQLs" if measured and measured.median_hours
                  is not None else "")))
    return found


def _sales_rows(plan: Plan, actuals: Actuals | None) -> list[ComplianceRow]:
    agreed = plan.terms.commitments
    rows = _Rows(actuals)
    month = actuals.month if actuals else None
    previous = actuals.previous if actuals else None
    attempts = month.attempts_meeting_minimum if month else None
    average = month.attempts_average if month else None
    neglected = month.no_attempt_after_72h if month else None
    reasoned = month.rejections_with_reason if month else None
    return [
        *_speed_rows(plan, rows, month, previous),
        rows.row("attempts", "Minimum attempts made",
                 f"{agreed.contact_attempts}+ attempts before unreachable", attempts, "rate",
                 attempts is not None and attempts >= 1,
                 previous=previous.attempts_meeting_minimum if previous else None,
                 note=(f"{number(average)} attempts per MQL on average; "
                       f"{percent(month.attempts_floor_share)} had "
                       f"{agreed.attempts_floor} or more"
                       if month and average is not None
                       and month.attempts_floor_share is not None else "")),
        _disposition_row(rows, plan, month, previous),
        rows.row("no_attempt_72h", f"MQLs with no attempt after {no_attempt_age(plan)}",
                 "none", neglected,
                 "count", neglected == 0,
                 previous=previous.no_attempt_after_72h if previous else None),
        rows.row("dq_feedback", "Rejections with a reason code", "100%", reasoned, "rate",
                 reasoned is not None and reasoned >= 1,
                 previous=previous.rejections_with_reason if previous else None,
                 note=(f"of {words.unit(month.rejections, 'MQL', 'MQLs')} turned down this "
                       "month" if month and month.rejections else "")),
        *_velocity_rows(plan, rows, month, previous),
        rows.row("crm_hygiene", "CRM hygiene",
                 f"deals updated {agreed.crm_update}", None, "rate", None, measurable=False,
                 note="share of open deals with a current next step and close date"),
    ]


def _velocity_rows(plan: Plan, rows: _Rows, month: MonthActuals | None,
                   previous: MonthActuals | None) -> list[ComplianceRow]:
    """How long leads wait between stages, against the deadline the agreement sets for that
    step: the disposition deadline from MQL, the opportunity deadline from SQL."""
    agreed = plan.terms.commitments
    # MQL to SQL has the disposition deadline; MQL to SAL has the review's hours instead,
    # which the review term measures, so it gets no row of its own.
    deadlines = {"mql_to_sql": agreed.disposition_days,
                 "sql_to_opportunity": agreed.sql_to_opportunity_days}
    measured = {item.key: item for item in (month.velocity or ())} if month else {}
    before = {item.key: item for item in (previous.velocity or ())} if previous else {}
    found = []
    for key, days in deadlines.items():
        if key not in plan.rates:
            continue
        item = measured.get(key)
        value = item.median_days if item else None
        found.append(rows.row(
            f"velocity_{key}", " to ".join(STAGE_NAMES[stage] for stage in key.split("_to_"))
            + ", median time",
            f"within {words.days(days, business=True)}", value, "days",
            value is not None and value <= days,
            previous=before[key].median_days if key in before else None,
            note=(f"over {words.unit(item.leads, 'lead', 'leads')} that reached "
                  f"{STAGE_NAMES[key.split('_to_')[1]]} this month" if item else "")))
    return found


def _shared_rows(plan: Plan, actuals: Actuals | None) -> list[ComplianceRow]:
    """The shared measures the export cannot judge as terms: marketing's shares, the sales
    cycle and the cost of a customer, each against the agreement's target."""
    agreed = plan.terms.commitments
    measures = {measure.id: measure for measure in plan.alignment.measures}
    rows = _Rows(actuals)
    revenue = actuals.revenue if actuals else None
    influenced = None
    if revenue is not None and revenue.marketing_influenced is not None:
        total = (revenue.marketing_sourced.amount or 0) + (revenue.sales_sourced.amount or 0)
        amount = revenue.marketing_influenced.amount
        influenced = round(amount / total, 4) if amount is not None and total else None
    spend = plan.alignment.cac_per_deal
    won = actuals.month.won if actuals else None
    month = actuals.month if actuals else None
    cycle = month.sales_cycle_days if month else None
    months = MONTHS_IN[plan.period]
    answers = plan.answers.economics
    month_spend = ((answers.marketing_spend or 0) + (answers.sales_spend or 0)) / months
    cac = round(float(month_spend) / won, 2) if spend is not None and won else None
    share = _num(agreed.influenced_revenue_share)
    return [
        rows.row("sourced_pipeline", "Marketing-sourced pipeline",
                 f"at least {percent(agreed.sourced_pipeline_share, 0)} of pipeline value",
                 None, "rate", None, measurable=False),
        rows.row("influenced_revenue", "Marketing-influenced revenue",
                 f"at least {percent(share, 0)} of won revenue", influenced, "rate",
                 influenced is not None and influenced >= share,
                 measurable=revenue is not None),
        rows.row("sales_cycle", "Sales cycle, median days", measures["sales_cycle"].target,
                 cycle, "count", None, measurable=cycle is not None or month is None,
                 previous=actuals.previous.sales_cycle_days
                 if actuals and actuals.previous else None,
                 note=(f"SQL to won, over "
                       f"{words.unit(month.sales_cycle_deals, 'deal', 'deals')} won this month"
                       if month and month.sales_cycle_deals else "")),
        rows.row("cac", "Customer acquisition cost", measures["cac"].target, cac, "money",
                 None, measurable=spend is not None,
                 note=(f"planned: {money(spend, plan.currency)} a deal"
                       if spend is not None else "no marketing and sales spend was given, so "
                       "no cost per deal is planned")),
    ]


def _month_targets(plan: Plan, month: str) -> dict[str, int]:
    for item in plan.months:
        if item.month == month:
            return dict(item.targets)
    return {stage: target.per_month for stage, target in plan.targets.items()}


def _change(actual: int | None, previous: int | None) -> str:
    """``+23 (+27%)``, ``−5 (−10%)``, ``±0 (0%)``: the change since the previous month."""
    if actual is None or previous is None:
        return ""
    delta = actual - previous
    sign = "+" if delta > 0 else "\u2212" if delta < 0 else "\u00b10"
    text = f"{sign}{count(abs(delta))}" if delta else sign
    if previous:
        text += f" ({sign if delta else ''}{percent(abs(delta) / previous, 0)})"
    return text


def _funnel_rows(plan: Plan, actuals: Actuals | None,
                 targets: dict[str, int]) -> list[FunnelRow]:
    month = actuals.month if actuals else None
    previous = actuals.previous if actuals else None
    stages = list(plan.stages)
    if month is not None and month.sal is not None and "sal" not in stages:
        stages.insert(stages.index("mql") + 1 if "mql" in stages else 0, "sal")
    rows: list[FunnelRow] = []
    for stage in stages:
        target = targets.get(stage)
        actual = month.volume(stage) if month else None
        prior = previous.volume(stage) if previous else None
        state: RowState = BLANK if actuals is None else ("value" if actual is not None
                                                         else NOT_IN_EXPORT)
        met: Verdict = (None if actual is None or target is None else
                        "met" if actual >= target else "missed")
        rows.append({"stage": stage, "name": STAGE_NAMES[stage], "plural": stage_plural(stage),
                     "field": f"{stage}_actual", "target": target, "actual": actual,
                     "state": state, "met": met, "previous": prior,
                     "change": _change(actual, prior),
                     "share_of_target": (round(actual / target, 3)
                                         if actual is not None and target else None)})
    return rows


def _conversion_rows(plan: Plan, actuals: Actuals | None, month: str) -> list[ConversionRow]:
    """Each conversion against its plan rate, judged only on a cohort old enough and large
    enough: a rate whose leads have not yet had the time the agreement gives that step
    (:meth:`Plan.days_to_judge`: a sales cycle into won) is "too early", and one on fewer
    than :data:`JUDGE_FROM` records is "too few to judge"."""
    rates = actuals.month.conversions if actuals else {}
    counts = actuals.month.conversion_counts if actuals else {}
    previous = actuals.previous.conversions if actuals and actuals.previous else {}
    waited = _days_since_month_end(actuals, month)
    rows: list[ConversionRow] = []
    for key, rate in plan.rates.items():
        source, target = key.split("_to_")
        actual = rates.get(key)
        state: RowState = BLANK if actuals is None else ("value" if actual is not None
                                                         else NOT_IN_EXPORT)
        cohort = counts.get(key)
        needed = plan.days_to_judge(key)
        note = ""
        if actual is not None and needed and waited is not None and waited < needed:
            note = (f"too early: the month's {stage_plural(source)} have had "
                    f"{words.days(max(waited, 0))} of the {words.days(needed)} "
                    + ("a sale takes" if target == "won" else
                       f"the agreement gives them to become {stage_plural(target)}"))
        elif actual is not None and cohort is not None and cohort.start < JUDGE_FROM:
            counted = words.unit(cohort.start, STAGE_NAMES[source], stage_plural(source))
            note = f"too few to judge: {counted}, {JUDGE_FROM} needed"
        rows.append({"key": key, "label": f"{STAGE_NAMES[source]} to {STAGE_NAMES[target]}",
                     "field": f"{key}_actual", "kind": "rate", "plan": _num(rate),
                     "actual": actual, "state": state, "previous": previous.get(key),
                     "met": (None if actual is None or note else
                             "met" if actual >= _num(rate) else "missed"),
                     "note": note})
    return rows


def _pacing(plan: Plan, actuals: Actuals | None, month: str) -> list[dict[str, Any]]:
    """The period to date: MQLs and won deals so far against the calendar's targets for the
    same months, and what each month still to come must bring to reach the period's target
    (empty for a monthly plan, a month outside the period, or a shell)."""
    months = [item.month for item in plan.months]
    if actuals is None or len(months) < 2 or month not in months:
        return []
    done = months[:months.index(month) + 1]
    left = len(months) - len(done)
    measured = {item.month: item for item in actuals.trend}
    rows = []
    for stage in ("mql", "won"):
        if stage not in plan.targets:
            continue
        counts = [getattr(measured[key], stage) if key in measured else 0 for key in done]
        if any(count is None for count in counts):
            continue
        so_far = sum(counts)
        planned = sum(item.targets[stage] for item in plan.months[:len(done)])
        total = plan.targets[stage].per_period
        rows.append({"stage": stage, "name": STAGE_NAMES[stage], "to_date": so_far,
                     "planned_to_date": planned, "period_target": total,
                     "months_left": left,
                     "needed_per_month": (math.ceil(max(total - so_far, 0) / left)
                                          if left else None),
                     "on_pace": so_far >= planned})
    return rows


_TREND_COLUMNS = 6
"""Months in one table of the term trend."""


def judged_months(plan: Plan, actuals: Actuals,
                  months: Sequence[str] | None = None) -> list[tuple[MonthActuals, list[Any]]]:
    """Each month of the export's history (or those of ``months`` it holds) with its terms'
    rows, judged as the report judges its own month."""
    found = []
    for block in actuals.history:
        if months is not None and block.key not in months:
            continue
        one = dataclasses.replace(actuals, month=block, previous=None)
        target = (plan.answers.sla.marketing.mql_volume_per_month
                  or _month_targets(plan, block.key).get("mql", 0))
        found.append((block, [*_marketing_rows(plan, one, target), *_sales_rows(plan, one),
                              *_conversion_rows(plan, one, block.key)]))
    return found


def _term_trend(plan: Plan, actuals: Actuals | None) -> dict[str, Any] | None:
    """Every term the export measures, month by month over the months it holds (up to
    twelve), each month judged by the same rows as the report's own month: a conversion
    whose leads have not had their time is shown but not judged.  ``None`` for a shell or
    an export of one month."""
    if actuals is None or len(actuals.history) < 2:
        return None
    months, terms = [], {}  # type: ignore[var-annotated]
    for block, rows in judged_months(plan, actuals):
        months.append({"key": block.key, "label": words.short_month(block.key)})
        for row in rows:
            # Scoring accuracy is measured over the report's month alone.
            if row["field"] == "scoring_accuracy":
                continue
            # Days as bare figures under a label naming them: "3.01 business days" in
            # each of six narrow columns runs into its neighbours.
            days = row["kind"] == "days"
            entry = terms.setdefault(row["field"], {
                "field": row["field"],
                "label": row["label"] + (", business days" if days else ""),
                "kind": "count" if days else row["kind"],
                "target": row.get("target") or percent(row["plan"]), "cells": []})
            entry["cells"].append({"actual": row["actual"], "met": row["met"],
                                   "unjudged": bool(row["note"]) and row["field"].endswith(
                                       "_actual") and row["actual"] is not None})
    measured = [term for term in terms.values()
                if any(cell["actual"] is not None for cell in term["cells"])]
    if not measured:
        return None
    # Six months to a table: twelve columns of figures do not fit a page.
    spans = [(start, start + _TREND_COLUMNS) for start in range(0, len(months), _TREND_COLUMNS)]
    return {"tables": [{"months": months[a:b],
                        "terms": [{**term, "cells": term["cells"][a:b]} for term in measured]}
                       for a, b in spans]}


def _days_since_month_end(actuals: Actuals | None, month: str) -> int | None:
    """Days from the month's end to the last day the export covers (None: unknown)."""
    if actuals is None or not actuals.export.last_date:
        return None
    following = Month.parse(month).end  # the first day after the month
    return (dt.date.fromisoformat(actuals.export.last_date) - following).days + 1


def _response_buckets(actuals: Actuals | None) -> list[dict[str, Any]]:
    """The four response-time buckets with their count and share (``None``: not measured)."""
    buckets = actuals.month.response_buckets if actuals else None
    counts = buckets.to_dict() if buckets else {}
    total = buckets.total if buckets else 0
    return [{"key": key, "label": label, "count": counts.get(key),
             "share": counts[key] / total if total else None}
            for key, label in _RESPONSE_BUCKETS]


# --------------------------------------------------------------------------- the context


def _agenda_minutes(total: int) -> dict[str, int]:
    """The weekly review's time split: a third each on the funnel and the deals, a sixth
    each on campaigns and feedback (10, 10, 5 and 5 of the default 30 minutes)."""
    third, sixth = round(total / 3), round(total / 6)
    return {"funnel": third, "deals": third, "campaigns": sixth,
            "feedback": max(total - 2 * third - sixth, 0)}


def _pick(by_term: dict[str, ComplianceRow], fields: Sequence[str]) -> list[ComplianceRow]:
    return [by_term[field] for field in fields]


def _listed(items: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    return None if items is None else [item.to_dict() for item in items]


def _top(items: Sequence[Any] | None, limit: int, filled: bool,
         mqls: int | None = None) -> list[dict[str, Any]] | None:
    """The first ``limit`` groups for a table, each with its share of the month's ``mqls``:
    ``None`` on a shell (blank rows to fill in), an empty list when the export has none or
    cannot tell."""
    if not filled:
        return None
    return [{**item.to_dict(),
             "mql_share": round(item.mql / mqls, 4) if mqls and item.mql is not None else None}
            for item in (items or ())[:limit]]


def _segments(actuals: Actuals | None, mqls: int | None) -> list[dict[str, Any]]:
    """The funnel by company size and by country, where the export has the column."""
    if actuals is None:
        return []
    return [{"heading": heading, "groups": _top(groups, _REPORT_SOURCES, True, mqls)}
            for heading, groups in (("Company size", actuals.by_size),
                                    ("Country", actuals.by_country)) if groups]


def _revenue(actuals: Actuals | None) -> dict[str, Any] | None:
    """The month's won deals by who sourced them, each with its share of the bookings (of
    the deals when the export has no amounts)."""
    if actuals is None or actuals.revenue is None:
        return None
    lines = actuals.revenue.to_dict()
    sourced = [lines[key] for key in ("marketing_sourced", "sales_sourced")]
    by_amount = all(line["amount"] is not None for line in sourced)
    measure = "amount" if by_amount else "won"
    total = sum(line[measure] for line in sourced)
    for line in lines.values():
        if line is not None:
            line["share"] = round(line[measure] / total, 4) if total else None
    return {**lines, "share_of": "bookings" if by_amount else "deals"}


def _export(actuals: Actuals | None) -> dict[str, Any] | None:
    if actuals is None:
        return None
    export = actuals.export.to_dict()
    # The file's name, not where it sat on someone's disk: the report goes to executives.
    return {**export, "file": Path(export["file"]).name,
            "tasks_file": Path(export["tasks_file"]).name if export["tasks_file"] else None,
            "format_name": _FORMAT_NAMES.get(actuals.export.format, actuals.export.format),
            "layout": ("Parquet" if export["encoding"] == "parquet"
                       else f"{export['encoding']}, {export['delimiter']}-separated")}


def outside_period(plan: Plan, month: str) -> str | None:
    """The note for a month outside the agreement's period (``None`` inside it): its
    targets are then the plan's monthly averages, which the report must say."""
    period = [item.month for item in plan.months]
    if not period or month in period:
        return None
    return (f"{month} is outside the agreement's period ({plan.months[0].label} to "
            f"{plan.months[-1].label}); its targets are the plan's monthly averages")


def build_report_context(plan: Plan, month: str, month_label: str,
                         actuals: Actuals | None = None) -> ReportContext:
    """Everything the report, agenda and dashboard show, as plain data."""
    targets = _month_targets(plan, month)
    outside = outside_period(plan, month)
    mql_target = plan.answers.sla.marketing.mql_volume_per_month or targets.get("mql", 0)
    marketing = _marketing_rows(plan, actuals, mql_target)
    sales = _sales_rows(plan, actuals)
    by_term = {row["field"]: row for row in marketing + sales}
    funnel = _funnel_rows(plan, actuals, targets)
    weekly_targets = {stage: target.per_week for stage, target in plan.targets.items()}
    filled = actuals is not None
    by_source = actuals.by_source if actuals else None
    month_mqls = actuals.month.mql if actuals else None
    conversions = _conversion_rows(plan, actuals, month)
    # Speed to lead counts once: by tier when the tiers were judged, else overall.
    tiers_judged = any(row["field"] in ("speed_fast", "speed_standard") and row["met"]
                       for row in sales)
    judged = [row for row in marketing + sales
              if not (tiers_judged and row["field"] == "speed_within_sla")]
    unjudged = {row["key"]: row["note"] for row in conversions if row["note"]}
    insights = diagnosis.insights(plan, actuals, mql_target, unjudged) if actuals else []
    return {
        "month": month,
        "month_label": month_label,
        "in_force": None,  # the version signed by every signatory, filled in by the job
        "filled": filled,
        "previous_label": actuals.previous.label if actuals and actuals.previous else "",
        "mql_target": mql_target,
        "marketing_rows": marketing,
        "sales_rows": sales,
        "rows_by_term": by_term,
        "agenda_sales_rows": _pick(by_term, _AGENDA_TERMS),
        "dashboard_response_rows": _pick(by_term, _DASHBOARD_RESPONSE),
        "dashboard_quality_rows": _pick(by_term, _DASHBOARD_QUALITY),
        "pacing": _pacing(plan, actuals, month),
        "term_trend": _term_trend(plan, actuals),
        "outside_period": words.sentence(outside) if outside else None,
        "funnel_rows": funnel,
        "flow_stages": [row["stage"] for row in funnel
                        if row["stage"] in ("mql", "sal", "sql", "opportunity")],
        "shared_rows": _shared_rows(plan, actuals),
        "headline_rows": [row for row in funnel if row["stage"] in _HEADLINE_STAGES],
        "conversion_rows": conversions,
        "weekly_targets": weekly_targets,
        "weeks": [week.to_dict() for week in actuals.weeks] if actuals else [],
        "met_count": sum(1 for row in judged if row["met"] == "met"),
        "missed_count": sum(1 for row in judged if row["met"] == "missed"),
        "insights": insights,
        "summary_insights": insights[:_SUMMARY_INSIGHTS],
        "more_insights": insights[_SUMMARY_INSIGHTS:],
        "priorities": (diagnosis.priorities(plan, marketing + sales, actuals.month, mql_target)
                       if actuals else []),
        "diagnoses": (diagnosis.diagnoses(plan, actuals.month, mql_target, targets)
                      if actuals else []),
        "symptoms": [{"symptom": s.symptom, "trigger": s.trigger, "cause": s.root_cause,
                      "fix": s.fix} for s in plan.alignment.symptoms if s.trigger],
        "sources": _listed(actuals.by_source) if actuals else None,
        "owners": _listed(actuals.by_owner) if actuals else None,
        "report_sources": _top(by_source, _REPORT_SOURCES, filled, month_mqls),
        "agenda_sources": _top(by_source, _AGENDA_SOURCES, filled, month_mqls),
        "dashboard_owners": _top(actuals.by_owner if actuals else None, _DASHBOARD_OWNERS,
                                 filled, month_mqls),
        "report_owners": _top(actuals.by_owner if actuals else None, _DASHBOARD_OWNERS,
                              filled, month_mqls),
        "agenda_owners": _top(actuals.by_owner if actuals else None, _AGENDA_SOURCES,
                              filled, month_mqls),
        "segments": _segments(actuals, month_mqls),
        "dq_reasons": _listed(actuals.dq_reasons) if actuals else None,
        "agenda_dq_reasons": _listed(actuals.dq_reasons[:_AGENDA_REASONS]
                                     if actuals and actuals.dq_reasons else None),
        "revenue": _revenue(actuals),
        "response_measured": bool(actuals and actuals.month.response_buckets),
        "response_buckets": _response_buckets(actuals),
        # A funnel without an opportunity stage has no opportunities to call stalled.
        "stalled_opportunities": (actuals.stalled_opportunities
                                  if actuals and "opportunity" in plan.stages else None),
        "export": _export(actuals),
        "agenda_minutes": _agenda_minutes(plan.answers.cadence.weekly_review_minutes),
        "charts": {
            "funnel": funnel_chart(funnel),
            "trend": (trend_chart([{**item.to_dict(), "label": words.short_month(item.month)}
                                   for item in actuals.trend], mql_target)
                      if actuals and actuals.trend else None),
        },
    }
