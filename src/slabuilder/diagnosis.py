"""What a month's figures say: the insights, the missed terms by bookings at stake, and the
diagnostic table applied to the month.

Every line is judged against a term or a line the plan holds (the low-conversion and
rejection lines, the shortfall threshold, the agreed rates); nothing here sets a threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slabuilder import words
from slabuilder.derive.alignment import JUDGE_FROM
from slabuilder.derive.terms import scoring_misses_text
from slabuilder.words import STAGE_NAMES, count, money, percent, sentence

if TYPE_CHECKING:
    from slabuilder.actuals import Actuals
    from slabuilder.actuals.model import MonthActuals
    from slabuilder.contexts import ComplianceRow
    from slabuilder.plan import Plan

__all__ = ["diagnoses", "insights", "no_attempt_age", "priorities"]


def insights(plan: Plan, actuals: Actuals, mql_target: int,
             unjudged: dict[str, str] | None = None) -> list[str]:
    """What the month's figures say, each judged against its target in the agreement; a
    rate in ``unjudged`` (too early, too few) is stated with the reason, not judged."""
    unjudged = unjudged or {}
    found = []
    month = actuals.month
    mql = month.mql
    shortfall = float(plan.terms.commitments.shortfall_threshold)
    if mql is not None and mql_target:
        gap = (mql_target - mql) / mql_target
        if gap > shortfall:
            found.append(f"MQL volume was {count(mql)} against the target of "
                         f"{count(mql_target)}, {percent(gap, 0)} short: past the "
                         f"{percent(shortfall, 0)} line, the agreement asks for a root cause "
                         "and a recovery plan.")
        else:
            found.append(f"MQL volume was {count(mql)} against the target of "
                         f"{count(mql_target)} ({percent(mql / mql_target, 0)}).")
    for key, agreed in plan.rates.items():
        rate = month.conversions.get(key)
        if not key.startswith("mql_to_") or rate is None:
            continue
        verdict = (unjudged[key] if key in unjudged else
                   "on plan" if rate >= float(agreed) else "below plan")
        found.append(f"{_rate_name(key)} ran at {percent(rate)} against the {percent(agreed)} "
                     f"the targets are built on: {verdict}.")
    low = _low_conversion(plan, month)
    if low is not None:
        found.append(f"{low}: below the {percent(plan.alignment.lines.low_conversion_rate, 0)} "
                     "line the agreement sets, so look first at qualification and training.")
    found.extend(_speed_insights(plan, month))
    if month.acceptance_rate is not None:
        floor = float(plan.terms.commitments.acceptance_rate)
        verdict = "met" if month.acceptance_rate >= floor else "missed"
        found.append(f"Sales accepted {percent(month.acceptance_rate)} of the MQLs it "
                     f"dispositioned against the agreed {percent(floor)}: {verdict}.")
    reasons = actuals.dq_reasons
    if reasons:
        leading = [item for item in reasons if item.count == reasons[0].count]
        if len(leading) == 1:
            found.append(f"The most common disqualification reason was "
                         f"\u201c{leading[0].reason}\u201d ({count(leading[0].count)}).")
        elif len(leading) <= 3:
            named = words.join([f"\u201c{item.reason}\u201d" for item in leading])
            found.append(f"The most common disqualification reasons were {named}, "
                         f"{count(leading[0].count)} each.")
        else:
            found.append(f"{len(leading)} disqualification reasons tied at "
                         f"{count(leading[0].count)} each: none stands out yet.")
    if actuals.by_source:
        top = actuals.by_source[0]
        found.append(f"{top.name} brought the most MQLs ({count(top.mql or 0)}).")
    neglected = month.no_attempt_after_72h
    if neglected:
        found.append(f"{count(neglected)} MQLs had no attempt {no_attempt_age(plan)} after "
                     "qualifying by the "
                     "month's end, against none agreed.")
    return list(dict.fromkeys(found))


def no_attempt_age(plan: Plan) -> str:
    """"72 hours": how old an MQL may grow with no attempt, as the plan holds it."""
    return words.hours(plan.terms.commitments.no_attempt_hours, business=False, places=0)


def _low_conversion(plan: Plan, month: MonthActuals) -> str | None:
    """"MQL to SQL ran at 12%" when the month's conversion at the low-conversion line's own
    stage (never another stage's) is under the line the plan holds; else None."""
    lines = plan.alignment.lines
    key = lines.low_conversion_key
    rate = month.conversions.get(key) if key is not None else None
    if key is None or rate is None or rate >= float(lines.low_conversion_rate):
        return None
    cohort = month.conversion_counts.get(key)
    if cohort is not None and cohort.start < JUDGE_FROM:  # too few MQLs to call it low
        return None
    return f"{_rate_name(key)} ran at {percent(rate)}"


def _rate_name(key: str) -> str:
    source, target = key.split("_to_")
    return f"{STAGE_NAMES[source]} to {STAGE_NAMES[target]}"


def _speed_insights(plan: Plan, month: MonthActuals) -> list[str]:
    """Each tier against its limit (or, when the export cannot tell the tiers apart, every
    MQL against each limit), then the late touches against the plan's line."""
    found = []
    tiers = month.speed_by_tier or ()
    agreed = {tier.id: tier for tier in plan.terms.commitments.response_tiers}
    if tiers and not month.tiers_known:
        within = " and ".join(f"{percent(tier.share_within or 0, 0)} within "
                              f"{agreed[tier.tier].limit}" for tier in tiers)
        found.append(f"The export does not say what made each lead an MQL, so the "
                     f"speed-to-lead tiers cannot be told apart: of all MQLs, {within}.")
    for tier in tiers if month.tiers_known else ():
        if not tier.mqls:
            continue
        verdict = "met" if (tier.share_within or 0) >= 1 else "missed"
        median = (f" (median {words.short_hours(tier.median_hours, 1)})"
                  if tier.median_hours is not None else "")
        found.append(f"{tier.label}: {percent(tier.share_within or 0, 0)} were touched within "
                     f"{agreed[tier.tier].limit}{median}, where the "
                     f"agreement asks for every one: {verdict}.")
    buckets = month.response_buckets
    late_line = float(plan.alignment.lines.late_touch_share)
    if buckets and month.mql and (buckets.over_24h + buckets.never) / month.mql > late_line:
        found.append(f"{count(buckets.over_24h + buckets.never)} of {count(month.mql)} MQLs "
                     "waited more than 24 business hours or were never touched, over the "
                     f"{percent(late_line, 0)} line: check capacity, routing automation and "
                     "alerts.")
    return found


_PRIORITY = {
    "mql_volume": "Close the MQL volume gap: agree the recovery plan (spend, campaigns, "
                  "dormant leads, joint outbound).",
    "mql_acceptance": "Raise acceptance: review rejected MQLs with sales and adjust the "
                      "definition or the scoring threshold.",
    "scoring_accuracy": "Recalibrate scoring against the rejections coded {misses}.",
    "speed_within_sla": "Get every MQL touched within its tier's limit: set the SLA timer and "
                        "escalate at the deadline.",
    "speed_fast": "Call back every demo and trial request within its limit: alerts and cover "
                  "for peak hours.",
    "speed_standard": "Work every other MQL within its limit: routing alerts and a daily "
                      "queue review.",
    "attempts": "Make the full set of attempts before marking a lead unreachable.",
    "disposition": "Disposition every MQL within the deadline: review the open list weekly.",
    "no_attempt_72h": "Work or reassign every MQL left without an attempt after {age}.",
}


def _mqls_at_stake(row: ComplianceRow, month: MonthActuals, mql_target: int) -> float:
    """How many MQLs a missed term puts at risk this month: the share that missed it times
    the MQLs the term is measured over (a tier's own MQLs, the unconverted MQLs that owe
    their attempts, the dispositioned ones), so that a part never outweighs its whole."""
    actual = row["actual"] or 0
    if row["field"] == "mql_volume":
        return max(mql_target - actual, 0)
    if row["kind"] == "rate":
        tiers = {f"speed_{tier.tier}": tier.mqls for tier in month.speed_by_tier or ()}
        denominator = {"mql_acceptance": month.mqls_dispositioned,
                       "scoring_accuracy": month.mqls_dispositioned,
                       "attempts": month.attempts_unconverted_mqls,
                       **(tiers if month.tiers_known else {})}.get(row["field"], month.mql)
        return (1 - actual) * (denominator or 0)
    return float(actual)


def priorities(plan: Plan, rows: list[ComplianceRow], month: MonthActuals,
                mql_target: int) -> list[str]:
    """The missed terms, the one with the most bookings at stake first."""
    value = float(plan.mql_value)
    fields = {row["field"] for row in rows if row["met"] == "missed"}
    # The tiers of speed to lead are the same problem as the overall share: one of them
    # is named, the tiers when they were judged.
    if fields & {"speed_fast", "speed_standard"}:
        fields.discard("speed_within_sla")
    missed = [(round(_mqls_at_stake(row, month, mql_target) * value), row) for row in rows
              if row["field"] in fields and row["field"] in _PRIORITY]
    missed.sort(key=lambda item: -item[0])
    said = {field: text.format(age=no_attempt_age(plan),
                               misses=scoring_misses_text(codes=False))
            for field, text in _PRIORITY.items()}
    return [f"{said[row['field']]} About {money(stake, plan.currency)} of bookings at "
            "stake." if stake else said[row["field"]] for stake, row in missed[:5]]


def diagnoses(plan: Plan, month: MonthActuals, mql_target: int,
               targets: dict[str, int]) -> list[dict[str, str]]:
    """The diagnostic table applied to the month: each symptom the figures fall into, with
    the figure that shows it, its usual cause and the fix."""
    lines = plan.alignment.lines
    table = {symptom.id: symptom for symptom in plan.alignment.symptoms}
    found: list[tuple[str, str]] = []
    evidence = []
    low = _low_conversion(plan, month)
    if low is not None:
        evidence.append(f"{low}, under {percent(lines.low_conversion_rate, 0)}")
    if month.acceptance_rate is not None and 1 - month.acceptance_rate > float(
            lines.rejection_rate):
        evidence.append(f"sales rejected {percent(1 - month.acceptance_rate)} of the MQLs it "
                        f"dispositioned, over {percent(lines.rejection_rate, 0)}")
    if evidence:
        found.append(("low_conversion", "; ".join(evidence)))
    volume_met = month.mql is not None and mql_target and month.mql >= mql_target
    if volume_met and month.opportunity is not None and month.opportunity < targets.get(
            "opportunity", 0):
        found.append(("pipeline_shortfall",
                      f"{count(month.mql)} MQLs met the target of {count(mql_target)}, but "
                      f"opportunities reached {count(month.opportunity)} of "
                      f"{count(targets['opportunity'])}"))
    if volume_met and month.won is not None and month.won < targets.get("won", 0):
        found.append(("revenue_miss", f"{count(month.mql)} MQLs met the target, but "
                      f"{count(month.won)} deals were won of {count(targets['won'])}"))
    buckets = month.response_buckets
    if buckets and month.mql:
        late = (buckets.over_24h + buckets.never) / month.mql
        if late > float(lines.late_touch_share):
            found.append(("slow_follow_up",
                          f"{percent(late, 0)} of MQLs ({count(buckets.over_24h + buckets.never)}"
                          f" of {count(month.mql)}) were first touched after 24 business hours "
                          f"or never, over {percent(lines.late_touch_share, 0)}"))
    if month.undispositioned_past_deadline:
        undecided = month.undispositioned_past_deadline
        who = "MQL was" if undecided == 1 else "MQLs were"
        days = plan.terms.commitments.disposition_days
        found.append(("no_feedback", f"{count(undecided)} {who} past the {days}-business-day "
                      "deadline without a disposition"))
    elif (month.disposition_within_deadline is not None
          and month.disposition_within_deadline < 1):
        found.append(("no_feedback", f"only {percent(month.disposition_within_deadline)} of "
                      "MQLs were dispositioned within the deadline"))
    return [{"symptom": table[key].symptom, "marketing_says": table[key].marketing_says,
             "sales_says": table[key].sales_says, "cause": table[key].root_cause,
             "fix": table[key].fix, "evidence": sentence(evidence_text)}
            for key, evidence_text in found]
