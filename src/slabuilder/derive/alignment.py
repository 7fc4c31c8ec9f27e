"""What keeps both teams aligned beyond the terms: how success is measured, how a lead is
handed over, what happens to exceptions, third-party intent, the diagnostic table, the
speed-to-lead benchmark, the closed-loop deal record and the rollout phases.

Like :mod:`slabuilder.derive.terms`, figures come from the answers (or the domain's
defaults) and sentences are finished here; what the answers do not give stays ``None``, so
that documents show a blank instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.derive.terms import Commitments


@dataclass(frozen=True)
class Symptom:
    """One row of the diagnostic table: what both sides say, and what is usually wrong."""

    id: str
    symptom: str
    marketing_says: str
    sales_says: str
    root_cause: str
    fix: str
    trigger: str
    """What in a month's figures shows it, in words (empty: not measured monthly)."""


JUDGE_FROM = 20
"""The fewest records at a stage on which the monthly report judges a conversion rate met
or missed; on fewer it shows the rate and says it is too few to judge."""


@dataclass(frozen=True)
class DiagnosticLines:
    """The figures past which the monthly report names a symptom."""

    low_conversion_rate: Decimal
    low_conversion_key: str | None
    """The conversion the low-conversion line applies to: MQL to SQL, the step where marketing's
    leads meet sales' qualification (``None`` when the funnel has no SQL stage)."""
    rejection_rate: Decimal
    late_touch_share: Decimal


@dataclass(frozen=True)
class SpeedBand:
    """How much of a lead's expected conversion survives a given wait (published research)."""

    wait: str
    kept: Decimal


@dataclass(frozen=True)
class RecordField:
    """A field of the closed-loop record kept for every closed deal."""

    field: str
    what: str
    when: str
    """``always``, ``if won`` or ``if lost``."""


@dataclass(frozen=True)
class RolloutPhase:
    name: str
    start: dt.date
    end: dt.date | None
    """Last day of the phase; ``None``: it goes on."""
    work: str


@dataclass(frozen=True)
class Measure:
    """A shared measure: its formula, its target, and today's figure when the answers give it."""

    id: str
    label: str
    formula: str
    target: str
    baseline: str | None


@dataclass(frozen=True)
class Handoff:
    system: str
    channel: str
    notified: str
    overdue_alert: str
    context: tuple[str, ...]


@dataclass(frozen=True)
class Exceptions:
    cases: tuple[str, ...]
    decided_by: str
    within: str
    recorded: str


@dataclass(frozen=True)
class IntentTerms:
    sources: tuple[str, ...]
    points: int | None
    """The scoring model's points for a third-party intent surge (None: not scored)."""
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Alignment:
    measures: list[Measure]
    success: list[Measure]
    cac_per_deal: Decimal | None
    """Planned acquisition cost per won deal: the period's spend over its won deals."""
    handoff: Handoff
    exceptions: Exceptions
    intent: IntentTerms
    symptoms: list[Symptom]
    lines: DiagnosticLines
    speed_bands: list[SpeedBand]
    closed_loop: list[RecordField]
    rollout: list[RolloutPhase]
    revops: tuple[tuple[str, str], ...] = ()
    """What revenue operations owns, area by area."""


REVOPS = (
    ("Process", "The funnel's stage definitions, the routing rules, the handoff and the "
                "service levels of this agreement."),
    ("Technology", "The CRM, marketing automation, sales engagement and reporting tools, run "
                   "as one set."),
    ("Data", "One source for pipeline, conversion and revenue figures, and its hygiene."),
    ("Reporting", "The shared dashboard, funnel analytics, attribution and the forecast."),
    ("Enablement", "Training on the process for both teams, the written playbook and the "
                   "onboarding of new hires."),
)
"""Revenue operations: the team (or the person) that owns the machinery both sides use."""


SPEED_RESEARCH = (
    "Leads contacted within 5 minutes are about 9 times likelier to convert than leads "
    "contacted after 30 minutes.",
    "Across 2,241 companies (Harvard Business Review, 2011), answering within an hour made "
    "qualifying a lead about 7 times likelier than an hour later and about 60 times likelier "
    "than after 24 hours; 23% of the companies never answered at all.",
)
"""What the speed-to-lead research found, as the brief quotes it."""


SPEED_BANDS = (
    SpeedBand("Under 5 minutes", Decimal(1)),
    SpeedBand("5 to 30 minutes", Decimal("0.8")),
    SpeedBand("30 to 60 minutes", Decimal("0.6")),
    SpeedBand("1 to 24 hours", Decimal("0.35")),
    SpeedBand("Over 24 hours", Decimal("0.1")),
)

CLOSED_LOOP = (
    RecordField("Company", "The account's name as the CRM holds it.", "always"),
    RecordField("Outcome", "Won or lost, and the date.", "always"),
    RecordField("Deal size", "The contract's first-year value.", "always"),
    RecordField("Sales cycle", "Days from SQL to close.", "always"),
    RecordField("Lead source", "The first touch that brought the lead in.", "always"),
    RecordField("Marketing touchpoints", "Each campaign, content or event, with its date.",
                "always"),
    RecordField("Sales touchpoints", "Each call, meeting or demo, with its date.", "always"),
    RecordField("Reason code", "The disqualification code that fits the loss.", "if lost"),
    RecordField("Competitor chosen", "Who won the deal instead, if anyone.", "if lost"),
    RecordField("Winning factor", "The one thing that decided it for us.", "if won"),
)


def symptoms(answers: Answers, stages: list[str]) -> list[Symptom]:
    esc = answers.escalation
    late = words.percent(esc.late_touch_share, 0)
    return [
        Symptom("low_conversion", "Low conversion", "We send plenty of leads.",
                "The leads are poor.", "The MQL criteria are too loose or the scoring was "
                "never calibrated.", "Hold a joint scoring workshop and recalibrate on "
                "closed deals.",
                f"MQL to SQL under {words.percent(esc.low_conversion_rate, 0)}, or sales "
                f"rejecting more than {words.percent(esc.rejection_rate, 0)} of MQLs"),
        Symptom("pipeline_shortfall", "Pipeline shortfall", "The MQL target was met.",
                "There is not enough pipeline.", "MQLs are not turning into pipeline.",
                "Tighten the fit criteria and add intent signals to scoring.",
                "MQL volume on target while "
                + ("opportunities" if "opportunity" in stages else "won deals")
                + " fall short"),
        Symptom("long_cycles", "Long sales cycles", "Our leads are well nurtured.",
                "Leads are not ready to buy.", "Nurture does not answer the objections "
                "buyers raise.", "Map content to each buying stage, with sales' input.", ""),
        Symptom("high_cac", "High acquisition cost", "We need a bigger budget.",
                "We need better leads, not more of them.",
                "Weak channels in the mix.", "Compare CAC by channel, cut the worst and "
                "move the money to the best.", ""),
        Symptom("revenue_miss", "Revenue missed despite volume", "We beat the MQL target.",
                "The win rate fell.", "Quantity was chased over quality.",
                "Weight the MQL target by quality and track MQL to revenue.",
                "MQL volume on target while won deals fall short"),
        Symptom("slow_follow_up", "Slow follow-up", "Sales ignores our leads.",
                "We are at capacity.", "Capacity or priorities.",
                f"Add {'SDR' if answers.team.sdrs else 'sales'} capacity, automate routing "
                "and switch on SLA alerts.",
                f"more than {late} of MQLs first touched after 24 business hours, or never"),
        Symptom("no_feedback", "No feedback", "We never hear what happened.",
                "Updating the CRM is a chore.", "The process or the tooling.",
                "Cut the fields to the few that matter, automate updates and enforce the "
                "disposition term.", "MQLs past the disposition deadline without a "
                "disposition"),
    ]


def rollout(effective: dt.date) -> list[RolloutPhase]:
    """The four RevOps phases of two months each, placed so that the agreement takes effect
    when they say it does: the first two (audit, then connecting the systems and defining the
    SLA) end the day before the effective date, when tracking the service levels begins.
    So the CRM set-up the brief asks for is built before the effective date, as it says."""
    def month(n: int) -> dt.date:
        return words.add_months(effective, n)

    return [
        RolloutPhase("Foundation", month(-4), month(-2) - dt.timedelta(days=1),
                     "Audit today's process, write it down, find the gaps and agree the "
                     "funnel stages."),
        RolloutPhase("Unification", month(-2), effective - dt.timedelta(days=1),
                     "Connect the CRM and marketing automation, share one dashboard, set up "
                     "scoring and the SLA timers, and sign this agreement."),
        RolloutPhase("Optimisation", effective, month(2) - dt.timedelta(days=1),
                     "From the effective date: track the service levels, close the loop on "
                     "every deal and hold the full meeting cadence."),
        RolloutPhase("Maturity", month(2), None,
                     "Predictive scoring, attribution, forecasting and steady improvement."),
    ]


def _spend(answers: Answers) -> Decimal | None:
    economics = answers.economics
    if economics.marketing_spend is None and economics.sales_spend is None:
        return None
    return (economics.marketing_spend or Decimal(0)) + (economics.sales_spend or Decimal(0))


def measures(answers: Answers, agreed: Commitments, rates: dict[str, Decimal],
             stages: list[str], won_per_period: int, currency: str) -> tuple[
                 list[Measure], list[Measure], Decimal | None]:
    """The shared measures with their targets, and the success criteria with today's
    figures where the answers give them."""
    state, economics = answers.current_state, answers.economics
    spend = _spend(answers)
    cac = (Decimal(math.ceil(spend / won_per_period)) if spend is not None and won_per_period
           else None)
    lead_rate = None
    if stages[0] == "lead":
        lead_rate = Decimal(1)
        for rate in rates.values():
            lead_rate *= rate
    mql_key = next((key for key in rates if key.startswith("mql_to_")), None)
    sql_key = "sql_to_opportunity" if "sql_to_opportunity" in rates else None
    cycle = economics.sales_cycle_days
    found = [
        Measure("sourced_pipeline", "Marketing-sourced pipeline",
                "Pipeline value from leads marketing generated, over all pipeline",
                f"at least {words.percent(agreed.sourced_pipeline_share, 0)}", None),
        Measure("influenced_revenue", "Marketing-influenced revenue",
                "Won revenue where marketing touched the buyer's journey, over all won "
                "revenue", f"at least {words.percent(agreed.influenced_revenue_share, 0)}",
                None),
        Measure("lead_to_customer", "Lead to customer", "Customers won over all new leads",
                words.percent(lead_rate) if lead_rate is not None else "", None),
        Measure("acceptance", "MQL acceptance", agreed.acceptance_measure,
                f"at least {words.percent(agreed.acceptance_rate, 0)}", None),
        Measure("mql_to_sql", words.rate_label(mql_key) if mql_key else "MQL to SQL",
                f"{words.capfirst(words.stage_plural(mql_key.split('_to_')[1]))} over the "
                "month's MQLs" if mql_key else "",
                f"at least {words.percent(rates[mql_key])}" if mql_key else "", None),
        Measure("sql_to_opportunity", "SQL to opportunity", "Opportunities over SQLs",
                f"at least {words.percent(rates[sql_key])}" if sql_key else "", None),
        Measure("speed_to_lead", "Speed to lead", "Median business hours from MQL to the "
                "first sales touch", f"within {agreed.fast_tier.limit_phrase}", None),
        Measure("sales_cycle", "Sales cycle", "Median days from SQL to close",
                f"shorter than last {economics.period}", words.days(cycle) if cycle
                else None),
        Measure("deal_size", "Average deal size", "Won revenue over won deals",
                f"{words.money(economics.average_deal_size, currency)} or more", None),
        Measure("cac", "Customer acquisition cost", "Marketing and sales acquisition spend "
                "over new customers, by channel"
                + (f" (planned: {words.money(cac, currency)} a deal)" if cac is not None
                   else ""), f"lower than last {economics.period}", None),
    ]
    # A conversion the funnel does not have is not a shared measure (no empty targets), and
    # MQL to SAL is the acceptance measure itself.
    found = [item for item in found if (item.id not in ("mql_to_sql", "sql_to_opportunity")
                                        or item.target)
             and not (item.id == "mql_to_sql" and mql_key == "mql_to_sal")]
    by_id = {item.id: item for item in found}
    # A success criterion that is also a shared measure reads the measure: one target, one
    # baseline, in both tables.
    success = [
        Measure("more_leads", "More qualified leads", "MQLs a month",
                f"{words.count(agreed.mql_volume_per_month)} a month",
                f"{words.count(state.mqls_per_month)} a month"
                if state.mqls_per_month is not None else None),
        Measure("conversion", "A higher conversion from MQL",
                words.rate_label(mql_key) if mql_key else "MQL to SQL",
                words.percent(rates[mql_key]) if mql_key else "", None),
        Measure("shorter_cycle", "A shorter sales cycle", "Median days from SQL to close",
                by_id["sales_cycle"].target, by_id["sales_cycle"].baseline),
        Measure("lower_cac", "A lower acquisition cost", by_id["cac"].formula,
                by_id["cac"].target, None),
        Measure("one_language", "One language, one rhythm",
                "Both teams use the agreement's definitions and hold its meetings",
                "every meeting held", None),
    ]
    return found, success, cac


def handoff(answers: Answers, agreed: Commitments, crm_name: str) -> Handoff:
    who = (f"the {agreed.first_touch_role} who owns the lead" if agreed.first_touch_role
           else "the lead's new owner")
    return Handoff(
        system=crm_name,
        channel=agreed.handoff_channel,
        notified=who,
        overdue_alert=(f"{words.capfirst(agreed.first_escalation)} is alerted when the "
                       "SLA timer runs out without a first attempt."),
        context=("the score and the reasons behind it", "the lead source",
                 "the activity history", "any third-party intent on the account"),
    )


def exceptions(answers: Answers, agreed: Commitments) -> Exceptions:
    return Exceptions(
        cases=("a named target account below the threshold",
               "a lead that misses one fit criterion by a narrow margin",
               "a strong buying signal from a segment the criteria exclude"),
        decided_by=agreed.exception_decider,
        within=words.hours(agreed.exception_decision_hours, places=None),
        recorded=("an exception code on the lead, so that exceptions that keep coming back "
                  "change the criteria at the next review"),
    )


def intent(answers: Answers, points: int | None, agreed: Commitments) -> IntentTerms:
    fast = words.hours(agreed.fast_tier.hours, places=None)
    return IntentTerms(
        sources=tuple(answers.intent.sources),
        points=points,
        rules=(
            "Intent describes the account, not the person: it raises priority but never "
            "makes an MQL on its own.",
            f"An MQL with strong first-party intent (such as a demo request) and a surge on "
            f"its account is worked first, within {fast} at most.",
        ),
    )


def build_alignment(answers: Answers, agreed: Commitments, rates: dict[str, Decimal],
                    stages: list[str], won_per_period: int, currency: str, crm_name: str,
                    intent_points: int | None) -> Alignment:
    found, success, cac = measures(answers, agreed, rates, stages, won_per_period, currency)
    esc = answers.escalation
    return Alignment(
        measures=found,
        success=success,
        cac_per_deal=cac,
        handoff=handoff(answers, agreed, crm_name),
        exceptions=exceptions(answers, agreed),
        intent=intent(answers, intent_points, agreed),
        symptoms=symptoms(answers, stages),
        lines=DiagnosticLines(esc.low_conversion_rate,
                              "mql_to_sql" if "sql" in stages else None, esc.rejection_rate,
                              esc.late_touch_share),
        speed_bands=list(SPEED_BANDS),
        closed_loop=list(CLOSED_LOOP),
        rollout=rollout(answers.agreement.effective_date),
        revops=REVOPS,
    )
