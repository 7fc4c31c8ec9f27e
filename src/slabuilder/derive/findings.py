"""The plan's findings: a warning where terms do not fit together, or a note; and the rules
that raise them (targets, rates, capacity, terms, today's state).

Named `Finding` rather than `Warning` so that it never shadows Python's built-in warning class."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.derive import funnel
from slabuilder.derive.funnel import Capacity
from slabuilder.derive.terms import REVIEW_ADVERBS, Terms, review_cadence
from slabuilder.words import money, percent

SLA_RARELY_MET = Decimal("0.5")
"""Under this share of MQLs worked within today's service level, the terms exist but
nothing enforces them."""


@dataclass(frozen=True)
class Finding:
    code: str
    """A stable identifier, for tests and scripts."""
    message: str
    """A sentence a demand-gen director can act on."""
    key: str | None = None
    """The answers key to change, when one is to blame."""
    severity: Literal["warning", "note"] = "warning"


def plan_findings(answers: Answers, cap: Capacity | None, terms: Terms,
                  scoring_warnings: list[Finding], mql_per_month: int,
                  won_per_period: int) -> list[Finding]:
    """Every warning and note the plan raises, the incomplete profile first."""
    found = [
        *_target_warnings(answers, won_per_period),
        *_rate_warnings(dict(answers.funnel.rates())),
        *_capacity_warnings(answers, cap, mql_per_month),
        *_term_warnings(answers, terms),
        *_state_warnings(answers, mql_per_month),
        *_signatory_warnings(answers),
        *scoring_warnings,
    ]
    found.sort(key=lambda finding: finding.severity != "warning")  # warnings, then notes
    missing = answers.icp.missing()
    if missing:
        found.insert(0, Finding(
            "icp_incomplete",
            "The ideal customer profile is incomplete (" + ", ".join(missing) + "); the "
            "agreement can only be rendered as a draft until it is filled in.", missing[0]))
    return found


def _signatory_warnings(answers: Answers) -> list[Finding]:
    """One person signing for both teams makes an agreement between two teams that only one
    of them has agreed to."""
    sides: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for person in answers.agreement.signatories:
        known = " ".join(person.name.split()).casefold()
        sides.setdefault(known, set()).add(person.side)
        names.setdefault(known, person.name)
    return [Finding(
        "one_person_signs_for_both_teams",
        f"{names[known]} signs for both marketing and sales; the agreement binds both teams "
        "only when each team's own leader signs it.", "agreement.signatories")
        for known, signed in sides.items() if {"marketing", "sales"} <= signed]


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
            "A first attempt within "
            f"{words.minutes(words.rounded(sales.speed_to_lead_hours * 60))} "
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
            f"({words.percent(Fraction(gap, max(state.mqls_per_month, 1)), 0)} up).",
            "current_state.mqls_per_month"))
    if state.worked_within_sla is not None and state.worked_within_sla < SLA_RARELY_MET:
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
    given = answers.agreement.review_cadence
    months = answers.cadence.agreement_review_months
    settled = review_cadence(answers)
    if settled != given:
        found.append(Finding(
            "review_cadence_too_long",
            f"The agreement is to be reviewed {REVIEW_ADVERBS[given]} but at least every "
            f"{words.months(months)} (cadence.agreement_review_months): the documents follow "
            f"the shorter and review it {REVIEW_ADVERBS[settled]}; make the two answers agree.",
            "agreement.review_cadence"))
    start = answers.agreement.effective_date
    if start.day != 1:
        following = words.add_months(start.replace(day=1), 1)
        style = answers.date_style
        found.append(Finding(
            "period_not_calendar_months",
            f"The agreement starts on {words.long_date(start, style)}, but MQL volume and the "
            "monthly report count calendar months, so each report would set a calendar "
            f"month against a month of the agreement that starts on the {start.day}"
            f"{words.ordinal_suffix(start.day)}: start it on the first of a month (for "
            f"example {words.long_date(following, style)}).", "agreement.effective_date"))
    return found


def _term_warnings(answers: Answers, terms: Terms) -> list[Finding]:
    """Terms that contradict each other or the team."""
    agreed = terms.commitments
    found = []
    fast, standard = agreed.fast_tier, agreed.standard_tier
    if not agreed.attempts_in_range:
        side = "more" if agreed.contact_attempts > agreed.attempts_optimal_max else "fewer"
        found.append(Finding(
            "attempts_outside_range",
            f"{agreed.contact_attempts} contact attempts is {side} than the "
            f"{agreed.attempts_optimal_min} to {agreed.attempts_optimal_max} that work best: "
            + ("each attempt past them costs rep time and rarely reaches anyone"
               if side == "more" else "leads are given up before most of them answer")
            + "; the agreement states the number agreed, without the range.",
            "sla.sales.contact_attempts", severity="note"))
    # Most of the attempts fall after the disposition deadline when the window is more than
    # twice as long (the deadline counted in calendar days).
    working_days = len(answers.company.business_days) or 5
    if agreed.attempt_window_days * working_days > 2 * agreed.disposition_days * 7:
        found.append(Finding(
            "attempts_outlast_disposition",
            f"Attempts run over {words.days(agreed.attempt_window_days)} but every MQL is "
            f"dispositioned within {words.days(agreed.disposition_days, business=True)}, so "
            "most attempts come after the decision; the agreement settles it: a lead not yet "
            "reached by the deadline is marked \u201cattempting\u201d and worked until its "
            f"{agreed.contact_attempts} attempts are made, then marked unable to reach.",
            "sla.sales.attempt_window_days", severity="note"))
    if fast.hours > standard.hours:
        found.append(Finding(
            "fast_tier_slower",
            f"{fast.label} get a first attempt within {fast.limit}, "
            f"slower than the {standard.limit} for {standard.phrase}: the fast tier "
            "must be the faster one (sla.sales.speed_to_lead_hours, sla.sales.other_mql_hours)."
            , "sla.sales.speed_to_lead_hours"))
    funnel_rates = answers.funnel.rates()
    step = "mql_to_sal" if "mql_to_sal" in funnel_rates else "mql_to_sql"
    sal_rate = funnel_rates.get(step)
    given = answers.sla.marketing.acceptance_rate
    if sal_rate is not None and given is not None and given != sal_rate:
        found.append(Finding(
            "acceptance_against_funnel",
            f"The acceptance commitment is {percent(given)} while the funnel plans on "
            f"{percent(sal_rate)} of MQLs becoming {words.stage_plural(step[7:])}: the "
            "targets and the term measure the same step, so make them one figure "
            f"(sla.marketing.acceptance_rate, funnel.{step}).",
            "sla.marketing.acceptance_rate"))
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


