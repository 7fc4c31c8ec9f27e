"""The commitments of each side, dispositions, reason codes, routing, escalation and cadence.

Sentences are composed here from the answers, so that templates receive finished text and
never compute.  Figures are the answers' own or the domain brief's defaults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.derive.funnel import MONTHS_IN
from slabuilder.words import STAGE_NAMES

ATTEMPTS_FLOOR = 3
"""The fewest attempts any published follow-up framework asks for: the reports show the share
of MQLs that had at least this many, beside the agreed number."""

TEAM_LEAD_FROM = 3
"""A first-touch team of this many reps or more has a team lead of its own; a smaller one is
watched by the agreement's owner, and has no RevOps of its own either."""

STALLED_DAYS = 14
"""An opportunity with no movement for this many days is stalled: the weekly review inspects
it."""

NO_ATTEMPT_HOURS = 72
"""How old an MQL may grow with no attempt before the reports list it (clock hours)."""


@dataclass(frozen=True)
class Term:
    id: str
    side: str
    """``marketing`` or ``sales``."""
    label: str
    commitment: str
    measure: str
    in_summary: bool = True
    """Whether the one-page summary states it (the service levels do; the way of working
    together is for the agreement)."""

    @property
    def headline(self) -> str:
        """The commitment's main clause, as the one-page summary gives it: what comes before
        the first semicolon (the agreement states the rest)."""
        return self.commitment.split("; ")[0].rstrip(".") + "."


@dataclass(frozen=True)
class Definition:
    stage: str
    name: str
    meaning: str
    owner: str
    exit_within: str


@dataclass(frozen=True)
class ReasonCode:
    code: str
    reason: str
    follow_up: str
    scoring_miss: str = ""
    """For the codes that count against scoring accuracy, how the term names them ("the wrong
    persona"); empty for the others."""
    said_as: tuple[str, ...] = ()
    """Words that mark a free-text rejection reason as this code (lower case)."""
    points_at: str = ""
    """What many rejections with this code say needs fixing: scoring, targeting or data."""


def code_range(codes: Sequence[ReasonCode]) -> str:
    """``DQ-01 to DQ-07``."""
    return f"{codes[0].code} to {codes[-1].code}"


def code_pointers(codes: Sequence[ReasonCode]) -> str:
    """``DQ-02 and DQ-07 point at scoring, DQ-03 at targeting, DQ-06 at data``."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        if code.points_at:
            groups.setdefault(code.points_at, []).append(code.code)
    parts = [f"{words.join(names)} "
             f"{('points at ' if len(names) == 1 else 'point at ') if not index else 'at '}"
             f"{what}" for index, (what, names) in enumerate(groups.items())]
    return ", ".join(parts)


@dataclass(frozen=True)
class Rule:
    when: str
    then: str


@dataclass(frozen=True)
class Meeting:
    name: str
    frequency: str
    length: str
    attendees: str
    purpose: str


@dataclass(frozen=True)
class EscalationStep:
    step: str
    who: str
    within: str


@dataclass(frozen=True)
class ResponseTier:
    """How fast sales makes the first attempt on an MQL, by what made it an MQL."""

    id: str
    """``fast`` (demo and trial requests, by default) or ``standard`` (every other MQL)."""
    label: str
    triggers: tuple[str, ...]
    """Words of the MQL's trigger (its form or signal) that put it in this tier; the
    standard tier has none: it is every MQL the fast tier does not take."""
    hours: Decimal
    """Business hours from MQL to the first attempt."""

    @property
    def phrase(self) -> str:
        """The tier inside a sentence: ``demo and trial requests``, ``every other MQL``."""
        return self.label[0].lower() + self.label[1:]

    @property
    def limit(self) -> str:
        """The limit exactly as agreed: ``4 business hours``, ``1.25 business hours``."""
        return words.hours(self.hours, places=None)

    @property
    def limit_phrase(self) -> str:
        """``4 business hours for demo and trial requests``."""
        return f"{self.limit} for {self.phrase}"


@dataclass(frozen=True)
class RoutingSegment:
    """One company-size segment: whether its leads can be MQLs, and who works them first."""

    name: str
    min_employees: int
    max_employees: int | None
    in_icp: bool
    first_touch: str | None
    """``SDR`` or ``AE``: who receives the segment's MQLs; ``None`` outside the ICP."""
    method: str
    """How they are shared: ``round robin``, ``territory``, ..."""
    then: str
    """What happens to them, in one sentence."""


@dataclass(frozen=True)
class Commitments:
    """Every figure the agreement commits either side to, once; documents, reports, breaches
    and CRM steps read them from here."""

    mql_volume_per_month: int
    acceptance_rate: Decimal
    scoring_accuracy: Decimal
    core_fields_complete: Decimal
    extended_fields_complete: Decimal
    routing_minutes: int
    """The one routing term: automated or by hand, whichever the CRM set-up does."""
    routing_automated: bool
    response_tiers: tuple[ResponseTier, ...]
    contact_attempts: int
    attempt_window_days: int
    channels: tuple[str, ...]
    disposition_days: int
    review_hours: Decimal
    win_loss_hours: Decimal
    crm_update: str
    first_escalation_hours: Decimal
    second_escalation_hours: Decimal
    quality_review_hours: Decimal
    shortfall_threshold: Decimal
    first_touch_role: str | None
    """``SDR`` or ``AE``: the role every MQL of the ICP reaches first (None: nobody)."""
    first_touch_reps: int
    lead_to_mql_hours: Decimal
    scoring_misses: tuple[ReasonCode, ...]
    """The rejection codes that count against scoring accuracy."""
    no_attempt_hours: int
    """An MQL this many hours old with no attempt logged is listed in the weekly report and
    counted against sales in the monthly one."""
    sql_to_opportunity_days: int
    advocate_review_days: int
    attempts_optimal_min: int
    attempts_optimal_max: int
    attempts_floor: int
    stalled_days: int
    sourced_pipeline_share: Decimal
    """Marketing-sourced share of pipeline value, the target."""
    influenced_revenue_share: Decimal
    exception_decider: str
    exception_decision_hours: Decimal
    handoff_channel: str
    """How the new owner hears of an MQL, in words: ``a CRM task``, ``an e-mail``, ..."""
    accepted_as: str
    """What an accepted MQL becomes, in the funnel's own stages: ``SALs or SQLs``, ``SQLs``."""
    review_cadence: str
    """How often the agreement is reviewed, as :func:`review_cadence` settles it."""
    team_lead: str
    """Who watches the reps day to day, in a sentence: ``the SDR team lead``, or in a team
    too small for one, the agreement's owner by title (``the Founder``)."""
    has_team_lead: bool
    has_revops: bool
    """Whether the company is big enough to have revenue operations of its own (or a RevOps
    signatory)."""
    first_escalation: str
    second_escalation: str
    breach_detector: str
    average_mql_score: int
    """The average score the month's MQLs reach."""
    threshold: int
    sales_rates: tuple[tuple[str, Decimal], ...]
    """The conversions sales owns (every rate after the MQL's first step): key and rate."""

    @property
    def fast_tier(self) -> ResponseTier:
        return self.response_tiers[0]

    @property
    def standard_tier(self) -> ResponseTier:
        return self.response_tiers[-1]

    @property
    def acceptance_measure(self) -> str:
        """How acceptance is worked out, the one wording the term and the shared measure
        give."""
        return f"MQLs accepted as {self.accepted_as}, divided by MQLs dispositioned in the month"

    @property
    def attempts_in_range(self) -> bool:
        """Whether the agreed attempts fall in the range that works best."""
        return self.attempts_optimal_min <= self.contact_attempts <= self.attempts_optimal_max

    @property
    def longest_response_hours(self) -> Decimal:
        return max(tier.hours for tier in self.response_tiers)


@dataclass(frozen=True)
class Terms:
    definitions: list[Definition]
    marketing: list[Term]
    sales: list[Term]
    dispositions: list[Rule]
    reason_codes: list[ReasonCode]
    requeue: list[Rule]
    routing: list[Rule]
    routing_method: str
    escalation: list[EscalationStep]
    disputes: list[str]
    meetings: list[Meeting]
    review: list[str]
    business_hours: str
    """The clock the time limits run on, in words."""
    commitments: Commitments
    routing_segments: list[RoutingSegment]


def _hours(value: Decimal | int, *, business: bool = True) -> str:
    """An agreed number of hours, exactly as agreed."""
    return words.hours(value, business=business, places=None)


def _days(value: int, *, business: bool = True) -> str:
    return words.days(value, business=business)


_WEEKDAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
                  "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}


def business_clock(answers: Answers) -> str:
    company = answers.company
    days = company.business_days
    order = list(_WEEKDAY_NAMES)
    consecutive = [order.index(d) for d in days] == list(
        range(order.index(days[0]), order.index(days[0]) + len(days)))
    if consecutive and len(days) > 2:
        day_text = f"{_WEEKDAY_NAMES[days[0]]} to {_WEEKDAY_NAMES[days[-1]]}"
    else:
        day_text = words.join([_WEEKDAY_NAMES[d] for d in days])
    start, end = company.business_hours.split("-")
    holidays = ("" if company.holidays == "none"
                else f", excluding public holidays ({company.holidays})")
    return f"{start} to {end} {company.timezone}, {day_text}{holidays}"


def definitions(answers: Answers, stages: list[str], agreed: Commitments) -> list[Definition]:
    icp = answers.icp
    threshold = answers.scoring.threshold
    fit = "matches the agreed ideal customer profile" if not icp.missing() else \
        "matches the ideal customer profile (still to be completed)"
    meaning = {
        "lead": ("A person we can name and reach: they filled in a form, signed up, chatted "
                 "with us or were matched by enrichment.", "Marketing",
                 f"becomes an MQL within {_hours(agreed.lead_to_mql_hours)} of reaching the "
                 "threshold"),
        "mql": (f"A lead who {fit}, is not excluded by any disqualifier and has scored at "
                f"least {threshold} points.", "Marketing",
                f"is reviewed by sales within {_hours(agreed.review_hours)}"),
        "sal": ("An MQL that sales has reviewed and taken on: the contact details check out, "
                "no disqualifier applies and a named owner is assigned.", "Sales",
                "gets a first attempt within " + _tier_times(agreed)),
        "sql": ("A lead sales has qualified on a discovery call: budget, authority, need "
                "and timing (BANT) are confirmed on the scorecard in the CRM, and the next "
                "steps are agreed with the buyer.", "Sales",
                ("becomes an opportunity or is dispositioned within "
                 f"{_days(agreed.sql_to_opportunity_days)}") if "opportunity" in stages else
                ("is closed won or lost within the sales cycle "
                 f"(about {_days(answers.economics.sales_cycle_days, business=False)})")),
        "opportunity": ("A qualified deal in progress: discovery is done and the requirements "
                        "and the decision maker are known.", "Sales",
                        f"is closed won or lost within the sales cycle "
                        f"(about {_days(answers.economics.sales_cycle_days, business=False)})"),
        "won": ("A customer: the contract is signed or the first payment received.",
                "Sales, then Customer Success",
                f"is asked for a review or referral "
                f"{_days(agreed.advocate_review_days, business=False)} after onboarding"),
    }
    visitor = Definition("visitor", "Visitor", "Someone we cannot yet name, on our website or "
                         "another property we own.", "Marketing",
                         "becomes a lead when they tell us who they are")
    advocate = Definition("advocate", "Advocate", "A customer who speaks for us: a referral, "
                          "a review, a case study or a promoter score of 9 or 10.",
                          "Customer Success and Marketing", "is thanked and kept informed; "
                          "marketing asks before using their name")
    # The whole funnel, visitor to advocate: a funnel planned from MQL still has leads.
    chain = stages if "lead" in stages else ["lead", *stages]
    return [visitor, *(Definition(stage, STAGE_NAMES[stage], *meaning[stage])
                       for stage in chain), advocate]


def marketing_terms(answers: Answers, agreed: Commitments, mql_per_period: int) -> list[Term]:
    terms = answers.sla.marketing
    period = answers.economics.period
    volume = agreed.mql_volume_per_month
    crm = answers.company.crm_name
    assigned = (f"assigned automatically by {crm}" if agreed.routing_automated
                else "assigned by hand")
    return [
        Term("mql_volume", "marketing", "MQL volume",
             f"Deliver at least {words.count(volume)} MQLs a month"
             + (f" ({words.count(mql_per_period)} for the {period})"
                if period != "month" else "") + ".",
             "MQLs created in the CRM during the calendar month."),
        Term("acceptance", "marketing", "MQL acceptance",
             f"At least {words.percent(agreed.acceptance_rate)} of MQLs are accepted by sales.",
             f"{agreed.acceptance_measure}."),
        Term("scoring_accuracy", "marketing", "Scoring accuracy",
             f"More than {words.percent(terms.scoring_accuracy)} of MQLs survive sales review "
             f"without being rejected as {scoring_misses_text(codes=False)}.",
             "MQLs not disqualified with "
             + words.join([code.code for code in SCORING_MISSES], "or")
             + ", divided by MQLs dispositioned."),
        Term("data_completeness", "marketing", "Data completeness",
             f"{words.percent(terms.core_fields_complete)} of MQLs carry name, e-mail and company; "
             f"{words.percent(terms.extended_fields_complete)} also carry phone, title and company "
             "size.", "Field completeness of the month's new MQLs."),
        Term("routing_speed", "marketing", "Routing speed",
             f"Every MQL has an owner within "
             f"{words.unit(agreed.routing_minutes, 'minute', 'minutes')} of qualifying, "
             f"{assigned}.",
             "Owner assignment time minus the time the lead became an MQL."),
        Term("lead_context", "marketing", "Lead context",
             "Each MQL arrives with its score, its source and its activity history.",
             "Checked on five random MQLs at every weekly review."),
        Term("forecast", "marketing", "Volume forecast",
             f"At the start of each month, a forecast of MQL volume for the next "
             f"{_days(terms.forecast_days, business=False)}.",
             "Forecast against actual, at the monthly review."),
        Term("enablement", "marketing", "Sales enablement content",
             "Sales content is refreshed every month; requests are met within "
             f"{_days(terms.objection_handling_days)} (objection handling), "
             f"{_days(terms.battlecard_days)} (battlecard), "
             f"{_days(terms.case_study_days)} (case study) and "
             f"{_days(terms.product_update_days)} of a release (product update), and "
             f"event material {_days(terms.event_support_days)} before the event.",
             "Dates in the content request log."),
        Term("quality_score", "marketing", "MQL quality score",
             f"The month's MQLs reach an average score of {agreed.average_mql_score} or more "
             f"(the threshold is {agreed.threshold} points): most of them clearly qualified, "
             "not pushed just over the line.",
             "Average score of the month's MQLs when they qualified, from the CRM.",
             in_summary=False),
        Term("attribution", "marketing", "Attribution",
             "Each month marketing reports the pipeline it sourced and the won revenue it "
             "influenced, each as a share of the total (targets: at least "
             f"{words.percent(agreed.sourced_pipeline_share, 0)} and "
             f"{words.percent(agreed.influenced_revenue_share, 0)}).",
             "The attribution section of the monthly report.", in_summary=False),
        Term("joint_training", "marketing", "Joint training",
             "Marketing organises a training with sales every quarter, where each team "
             "shows the other its process and the problems it meets; every new hire on "
             "either side is walked through this agreement in their first month.",
             "Sessions held and attended, reviewed at the planning and renegotiation "
             "session.", in_summary=False),
    ]


def _tier_times(agreed: Commitments) -> str:
    """``4 business hours for demo and trial requests and 24 business hours for every other
    MQL``."""
    return " and ".join(tier.limit_phrase for tier in agreed.response_tiers)


def sales_terms(answers: Answers, agreed: Commitments) -> list[Term]:
    terms = answers.sla.sales
    channels = words.join([{"email": "e-mail", "linkedin": "LinkedIn", "sms": "SMS"}.get(c, c)
                      for c in terms.channels])
    review = ("each monthly funnel health review" if answers.cadence.monthly_review_minutes
              else "each review of this agreement")
    found = [
        Term("speed_to_lead", "sales", "Speed to lead",
             f"A first attempt within {_tier_times(agreed)}.",
             "Time from MQL to the first logged call or e-mail, in business hours; an MQL's "
             "tier comes from what made it an MQL (its form or signal)."),
        Term("contact_attempts", "sales", "Contact attempts",
             f"At least {terms.contact_attempts} attempts over "
             f"{_days(terms.attempt_window_days, business=False)}, using {channels}, "
             "before a lead is marked unreachable"
             + (f"; {terms.contact_attempts} is within the {agreed.attempts_optimal_min} to "
               f"{agreed.attempts_optimal_max} that work best." if agreed.attempts_in_range
               else "."),
             "Logged activities per MQL in its first "
             f"{_days(terms.attempt_window_days, business=False)}."),
        Term("disposition", "sales", "Disposition",
             f"Every MQL is accepted, disqualified or recycled within "
             f"{_days(terms.disposition_days)}; one not yet reached by then is marked "
             f"\u201cattempting\u201d and worked until its {terms.contact_attempts} attempts "
             "are made, then marked unable to reach.",
             "MQLs still without a disposition after the deadline, leaving out those marked "
             "attempting within their attempt window."),
        Term("review", "sales", "Review",
             f"Every MQL is reviewed within {_hours(terms.review_hours)} "
             "of arriving.",
             "Time from MQL to the first change of lead status."),
        Term("dq_feedback", "sales", "Disqualification feedback",
             "Every rejected MQL carries one of the agreed reason codes "
             f"({code_range(REASON_CODES)}); \"not interested\" is "
             "not a reason.", "Rejected MQLs without a reason code (target: none)."),
        Term("crm_hygiene", "sales", "CRM hygiene",
             f"Stage, amount, close date and next step are updated {terms.crm_update}.",
             "Open deals with a stale next step or a close date in the past."),
        Term("win_loss", "sales", "Win/loss feedback",
             f"The reason for every win or loss is recorded within "
             f"{_hours(terms.win_loss_hours)} of closing.",
             "Closed deals without a recorded reason after the deadline."),
        Term("profile_feedback", "sales", "Profile feedback",
             f"At {review}, sales reports which accounts bought, which stalled and why, so "
             "that both sides refine the ideal customer profile together.",
             "Changes to the profile proposed there and agreed.", in_summary=False),
    ]
    if agreed.sales_rates:
        found.append(Term(
            "conversion", "sales", "Conversion",
            "Sales turns at least " + words.join([
                f"{words.percent(rate)} of {words.stage_plural(key.split('_to_')[0])} into "
                f"{words.stage_plural(key.split('_to_')[1])}" for key, rate in agreed.sales_rates])
            + (", the rates the targets are built on." if len(agreed.sales_rates) > 1
               else ", the rate the targets are built on."),
            # The summary's targets table states these rates already.
            "Conversion of each stage, in the monthly report.", in_summary=False))
    return found


REASON_CODES = (
    ReasonCode("DQ-01", "No budget", "Nurture with ROI content; re-engage next fiscal year."),
    ReasonCode("DQ-02", "No authority or wrong persona",
               "Marketing refines targeting and the title criteria of scoring.",
               "the wrong persona", ("persona",), "scoring"),
    ReasonCode("DQ-03", "No need", "Marketing reviews targeting and tightens the ICP.",
               points_at="targeting"),
    ReasonCode("DQ-04", "Bad timing (more than 6 months out)", "Long-term nurture."),
    ReasonCode("DQ-05", "Chose a competitor",
               "Feeds competitive intelligence and positioning."),
    ReasonCode("DQ-06", "Bad data", "Marketing audits the source and the form's validation.",
               points_at="data"),
    ReasonCode("DQ-07", "Too small, not ICP",
               "Adjust scoring; point the lead to the self-serve path.",
               "too small", ("not icp", "too small"), "scoring"),
)
SCORING_MISSES = tuple(code for code in REASON_CODES if code.scoring_miss)
"""The rejections that count against scoring accuracy: the lead should never have been an
MQL."""


def scoring_misses_text(*, codes: bool = True) -> str:
    """The codes that count against scoring, named: ``the wrong persona (DQ-02) or too small
    (DQ-07)``, or without the codes."""
    return words.join([f"{code.scoring_miss} ({code.code})" if codes else code.scoring_miss
                       for code in SCORING_MISSES], "or")


def dispositions(answers: Answers, stages: list[str]) -> list[Rule]:
    attempts = answers.sla.sales.contact_attempts
    converted = ("The lead becomes an opportunity and follows the sales process."
                 if "opportunity" in stages else
                 "The lead follows the sales process towards a signed deal.")
    return [
        Rule("Converted", converted),
        Rule("Disqualified", "Sales records a reason code; marketing acts on it as listed."),
        Rule("Unable to reach",
             f"After {attempts} attempts the lead returns to marketing nurture; it is never "
             "archived."),
        Rule("Recycled", "The timing is wrong; the lead goes back to nurture with a note."),
    ]


def requeue_rules(answers: Answers) -> list[Rule]:
    sales = answers.sla.sales
    return [
        Rule(f"Unreachable after {sales.contact_attempts} attempts in "
             f"{_days(sales.attempt_window_days, business=False)}",
             "Back to nurture; the lead re-enters the queue if its score rises again."),
        Rule("Interested, but more than six months away",
             "Long-term nurture with a CRM reminder for the owner."),
        Rule("Qualified, but the wrong persona", "Routed to the right team or contact."),
        Rule("Needs education first",
             "Back to marketing, with the content the rep suggests."),
    ]


def routing_segments(answers: Answers, first_touch: str | None) -> list[RoutingSegment]:
    """Small business, mid-market and enterprise, each marked in or out of the ICP's size
    range, with who works its MQLs first: SDRs when the team has any, else AEs."""
    routing = answers.routing
    small, big = routing.smb_max_employees, routing.enterprise_min_employees
    size = answers.icp.company_size
    low, high = (size.min, size.max) if size is not None else (1, None)
    method = routing.method.replace("_", " ")
    found = []
    for name, start, end, share in (("Small business", 1, small, method),
                                    ("Mid-market", small + 1, big - 1, method),
                                    ("Enterprise", big, None, "territory")):
        first = max(start, low)
        last = end if high is None else high if end is None else min(end, high)
        in_icp = last is None or first <= last
        shown_start, shown_end = (first, last) if in_icp else (start, end)
        if not in_icp or first_touch is None:
            then = ("Not an MQL: outside the ideal customer profile, so never routed; "
                    "marketing nurtures it." if not in_icp else
                    "Nobody is named to work these MQLs yet.")
            found.append(RoutingSegment(_segment_name(name, shown_start, shown_end),
                                        shown_start, shown_end, in_icp, None, share, then))
            continue
        team = answers.team
        if first_touch == "SDR":
            then = ((f"An SDR, by {method}," if team.sdrs > 1 else "The SDR")
                    + " makes the first attempt and qualifies; "
                    + (f"an AE takes the SQL by {share}." if team.aes > 1
                       else "the AE takes the SQL." if team.aes else "sales takes the SQL."))
        else:
            then = f"An AE, by {share}." if team.aes > 1 else "The AE."
        found.append(RoutingSegment(_segment_name(name, shown_start, shown_end), shown_start,
                                    shown_end, True, first_touch, share, then))
    return found


def _segment_name(name: str, start: int, end: int | None) -> str:
    if end is None:
        return f"{name} ({words.count(start)}+ employees)"
    if start == end:
        return f"{name} ({words.count(start)} employees)"
    if start <= 1:
        return f"{name} (up to {words.count(end)} employees)"
    return f"{name} ({words.count(start)} to {words.count(end)} employees)"


def routing_rules(answers: Answers, segments: list[RoutingSegment]) -> list[Rule]:
    routing = answers.routing
    if routing.rules:
        return [Rule(rule.segment, rule.route_to) for rule in routing.rules]
    return [
        Rule("Named target accounts", "The account owner."),
        Rule("Existing customers", "Their account manager."),
        Rule("Partner referrals", "Partner sales."),
        *(Rule(segment.name, segment.then) for segment in segments),
    ]


def agreed_commitments(answers: Answers, rates: dict[str, Decimal],
                       mql_per_month: int) -> Commitments:
    """The figures of every term, with the defaults that depend on other answers settled:
    acceptance follows the funnel's SAL rate, routing time follows the CRM's automation."""
    marketing, sales = answers.sla.marketing, answers.sla.sales
    automated = answers.routing.automated
    if automated is None:
        automated = answers.company.crm in ("hubspot", "salesforce")
    acceptance = marketing.acceptance_rate
    if acceptance is None:  # the funnel's own first step, so that targets and term agree
        acceptance = rates.get("mql_to_sal", rates.get("mql_to_sql", Decimal("0.6")))
    triggers = tuple(sales.fast_tier_triggers)
    fast_label = ("Demo and trial requests" if {t.lower() for t in triggers} == {"demo", "trial"}
                  else "MQLs from " + words.join([f"\u201c{t}\u201d" for t in triggers], "or"))
    team = answers.team
    role, reps = ("SDR", team.sdrs) if team.sdrs else ("AE", team.aes) if team.aes else (None, 0)
    after_mql = next((key.split("_to_")[1] for key in rates if key.startswith("mql_to_")), "sql")
    accepted_as = ("SALs or SQLs" if after_mql == "sal" else "won deals" if after_mql == "won"
                   else words.stage_plural(after_mql))
    threshold = answers.scoring.threshold
    owner = f"the {answers.agreement.owner.title}"
    has_lead = reps >= TEAM_LEAD_FROM
    team_lead = ((f"the {role} team lead" if role == "SDR" else "the sales team lead")
                 if has_lead else owner)
    has_revops = has_lead or any(person.side == "revops"
                                 for person in answers.agreement.signatories)
    esc = answers.escalation
    given = esc.model_fields_set
    return Commitments(
        review_cadence=review_cadence(answers),
        team_lead=team_lead,
        has_team_lead=has_lead,
        has_revops=has_revops,
        first_escalation=(esc.first_level if "first_level" in given or has_lead
                          else team_lead),
        second_escalation=_second_level(answers),
        breach_detector=(esc.detected_by if "detected_by" in given or has_revops
                         else f"an automated alert or {owner}"),
        accepted_as=accepted_as,
        average_mql_score=(marketing.average_mql_score
                           or default_average_score(threshold, answers.scoring.score_cap)),
        threshold=threshold,
        sales_rates=tuple((key, rate) for key, rate in rates.items()
                          if key.split("_to_")[0] not in ("lead", "mql")),
        mql_volume_per_month=marketing.mql_volume_per_month or mql_per_month,
        acceptance_rate=acceptance,
        scoring_accuracy=marketing.scoring_accuracy,
        core_fields_complete=marketing.core_fields_complete,
        extended_fields_complete=marketing.extended_fields_complete,
        routing_minutes=(marketing.routing_minutes_automated if automated
                         else marketing.routing_minutes),
        routing_automated=automated,
        response_tiers=(ResponseTier("fast", fast_label, triggers, sales.speed_to_lead_hours),
                        ResponseTier("standard", "Every other MQL", (), sales.other_mql_hours)),
        contact_attempts=sales.contact_attempts,
        attempt_window_days=sales.attempt_window_days,
        channels=tuple(sales.channels),
        disposition_days=sales.disposition_days,
        review_hours=sales.review_hours,
        win_loss_hours=sales.win_loss_hours,
        crm_update=sales.crm_update,
        first_escalation_hours=answers.escalation.first_hours,
        second_escalation_hours=answers.escalation.second_hours,
        quality_review_hours=answers.escalation.quality_review_hours,
        shortfall_threshold=answers.escalation.shortfall_threshold,
        first_touch_role=role,
        first_touch_reps=reps,
        lead_to_mql_hours=marketing.lead_to_mql_hours,
        scoring_misses=SCORING_MISSES,
        no_attempt_hours=NO_ATTEMPT_HOURS,
        sql_to_opportunity_days=sales.sql_to_opportunity_days,
        advocate_review_days=marketing.advocate_review_days,
        attempts_optimal_min=sales.attempts_optimal_min,
        attempts_optimal_max=sales.attempts_optimal_max,
        attempts_floor=ATTEMPTS_FLOOR,
        stalled_days=STALLED_DAYS,
        sourced_pipeline_share=marketing.sourced_pipeline_share,
        influenced_revenue_share=marketing.influenced_revenue_share,
        exception_decider=_exception_decider(answers, has_lead, owner),
        exception_decision_hours=answers.exceptions.decision_hours,
        handoff_channel=HANDOFF_CHANNELS[answers.handoff.notify_by],
    )


AVERAGE_SCORE_MARGIN = Decimal("1.2")
"""By default the month's MQLs average a fifth above the threshold: most of them clearly
qualified, not a pile of leads pushed just over the line."""


def default_average_score(threshold: int, cap: int | None) -> int:
    """A fifth above ``threshold``, rounded up to a multiple of 5, never above the cap."""
    value = math.ceil(threshold * AVERAGE_SCORE_MARGIN / 5) * 5
    return min(value, cap) if cap else value


def _exception_decider(answers: Answers, has_lead: bool, owner: str) -> str:
    """Who rules on a lead outside the criteria: as the answers say, else the agreement's
    owner with the sales team lead, or in a team without a lead the owner with whoever signs
    for sales."""
    if "decided_by" in answers.exceptions.model_fields_set:
        return answers.exceptions.decided_by
    if has_lead:
        return f"{owner} with the sales team lead"
    sales = next((f"the {person.title}" for person in answers.agreement.signatories
                  if person.side == "sales" and f"the {person.title}" != owner), None)
    return f"{owner} with {sales}" if sales else owner


HANDOFF_CHANNELS = {"crm_task": "a CRM task", "email": "an e-mail", "slack": "a Slack alert"}


def escalation_steps(answers: Answers, agreed: Commitments) -> list[EscalationStep]:
    return [
        EscalationStep("A breach is detected", agreed.breach_detector, "as it happens"),
        EscalationStep("First escalation", agreed.first_escalation,
                       f"within {_hours(agreed.first_escalation_hours)}"),
        EscalationStep("Second escalation", agreed.second_escalation,
                       f"within {_hours(agreed.second_escalation_hours)}"),
    ]


def _second_level(answers: Answers) -> str:
    """Who hears of a breach second: as the answers say, else the people who sign for
    marketing and sales, by title (a company without VPs is not told to call its VPs)."""
    esc = answers.escalation
    if "second_level" in esc.model_fields_set:
        return esc.second_level
    leaders = list(dict.fromkeys(person.title for person in answers.agreement.signatories
                                 if person.side in ("marketing", "sales")))
    return words.join([f"the {title}" for title in leaders]) if leaders else esc.second_level


def dispute_rules(answers: Answers) -> list[str]:
    esc = answers.escalation
    shortfall = words.percent(esc.shortfall_threshold)
    return [
        "Sales rejects an MQL it disputes with a reason code, never silently.",
        "Marketing reviews every disputed MQL within "
        f"{_hours(esc.quality_review_hours)}.",
        "Changes to scoring are decided jointly, at the next weekly review.",
        f"If MQL volume falls more than {shortfall} short of the month's target, marketing "
        "presents the root cause and a recovery plan (spend, new campaigns, dormant leads, "
        "joint outbound) at the next weekly review.",
        "Either side may call an emergency review with at least "
        f"{_hours(answers.cadence.emergency_notice_hours)} of notice.",
    ]


def meetings(answers: Answers, agreed: Commitments) -> list[Meeting]:
    cadence = answers.cadence
    found = []
    if cadence.daily_standup_minutes:
        found.append(Meeting("Pipeline stand-up", "Daily",
                             words.short_minutes(cadence.daily_standup_minutes),
                             (("SDR lead" if answers.team.sdrs else "Sales team lead")
                              + " and campaign manager") if agreed.has_team_lead else
                             words.capfirst(words.join(list(dict.fromkeys(
                                 [_reps(agreed), agreed.team_lead])))),
                             "Yesterday's MQLs, today's follow-ups, anything stuck."))
    if cadence.weekly_review_minutes:
        found.append(Meeting("Campaign and pipeline review", "Weekly",
                             words.short_minutes(cadence.weekly_review_minutes),
                             "Marketing and sales managers" if agreed.has_team_lead else
                             words.capfirst(words.join([f"the {title}" for title in
                                                        _signatory_titles(answers, agreed)])),
                             "Funnel metrics, stalled deals, campaign impact, feedback."))
    if cadence.monthly_review_minutes:
        found.append(Meeting("Funnel health review", "Monthly",
                             words.short_minutes(cadence.monthly_review_minutes),
                             words.join(_signatory_titles(answers, agreed)),
                             "The monthly alignment report: targets against actuals."))
    if cadence.quarterly_planning_hours:
        review = agreed.review_cadence
        span = REVIEW_SPANS[review]
        period = answers.economics.period
        purpose = (f"Next {span}'s targets, rates and terms; an amendment if they change."
                   if CADENCE_MONTHS[review] >= MONTHS_IN[period] else
                   f"The {period}'s targets against actuals, the rates and the terms; an "
                   "amendment if they change.")
        found.append(Meeting("Planning and SLA renegotiation", REVIEW_WORDS[review],
                             words.short_hours(cadence.quarterly_planning_hours),
                             "Every signatory" if any(
                                 person.name == answers.agreement.owner.name
                                 for person in answers.agreement.signatories)
                             else "Every signatory and the agreement's owner",
                             purpose))
    return found


CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "biannual": 6, "annual": 12}
"""Months between reviews of the agreement, by review cadence."""


def review_cadence(answers: Answers) -> str:
    """How often the agreement is reviewed: the answers' cadence, unless it is longer than
    the longest the answers allow between reviews (``cadence.agreement_review_months``); then
    the longest cadence within that, so that no document names two intervals."""
    cadence = answers.agreement.review_cadence
    months = answers.cadence.agreement_review_months
    if CADENCE_MONTHS[cadence] <= months:
        return cadence
    return max((name for name, span in CADENCE_MONTHS.items() if span <= months),
               key=CADENCE_MONTHS.__getitem__, default="monthly")


REVIEW_WORDS = {"monthly": "Monthly", "quarterly": "Quarterly", "biannual": "Twice a year",
                "annual": "Yearly"}
"""How often the agreement is reviewed and renegotiated, as a meeting's frequency."""
REVIEW_SPANS = {"monthly": "month", "quarterly": "quarter", "biannual": "half-year",
                "annual": "year"}
REVIEW_ADVERBS = {"monthly": "every month", "quarterly": "every quarter",
                  "biannual": "twice a year", "annual": "once a year"}


def _signatory_titles(answers: Answers, agreed: Commitments) -> list[str]:
    """Who sits in the monthly review: the signatories by title, each once, and whoever
    keeps the CRM when no signatory speaks for revenue operations (in a company big enough
    to have one)."""
    signatories = answers.agreement.signatories
    titles = list(dict.fromkeys(person.title for person in signatories))
    if agreed.has_revops and not any(person.side == "revops" for person in signatories):
        titles.append("the CRM administrator (RevOps)")
    return titles


def _reps(agreed: Commitments) -> str:
    """The reps who take new MQLs: ``the AE``, ``the 2 AEs``."""
    role, reps = agreed.first_touch_role or "AE", agreed.first_touch_reps
    return f"the {role}" if reps <= 1 else f"the {reps} {role}s"


def review_clauses(answers: Answers, agreed: Commitments) -> list[str]:
    cadence = agreed.review_cadence
    return [
        f"Both sides review this agreement {REVIEW_ADVERBS[cadence]}.",
        "Any change is made by a numbered amendment that lists each changed term with its old "
        "and new value and is signed by the same signatories.",
        "Scoring is recalibrated each quarter against sales acceptance (target: "
        f"{words.percent(agreed.acceptance_rate)} or more).",
    ]


def build_terms(answers: Answers, stages: list[str], rates: dict[str, Decimal],
                mql_per_month: int, mql_per_period: int) -> Terms:
    agreed = agreed_commitments(answers, rates, mql_per_month)
    segments = routing_segments(answers, agreed.first_touch_role)
    return Terms(
        definitions=definitions(answers, stages, agreed),
        marketing=marketing_terms(answers, agreed, mql_per_period),
        sales=sales_terms(answers, agreed),
        dispositions=dispositions(answers, stages),
        reason_codes=list(REASON_CODES),
        requeue=requeue_rules(answers),
        routing=routing_rules(answers, segments),
        routing_method=answers.routing.method.replace("_", " "),
        escalation=escalation_steps(answers, agreed),
        disputes=dispute_rules(answers),
        meetings=meetings(answers, agreed),
        review=review_clauses(answers, agreed),
        business_hours=business_clock(answers),
        commitments=agreed,
        routing_segments=segments,
    )
