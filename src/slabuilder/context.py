"""Plan + Answers -> the plain data a document template reads.

Templates never compute: every figure, date and sentence that depends on the answers is
worked out here (or in ``derive``), and handed over as ``str``, ``int``, ``float``, lists and
dicts only.  Money stays a number and the currency travels beside it, so that the template's
``money`` filter formats it; rates stay fractions (0.6) for the ``percent`` filter.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.contexts import (
    AgreementPart,
    AlignmentPart,
    CapacityPart,
    CompanyPart,
    CurrentStatePart,
    DiagnosisPart,
    DocumentContext,
    EconomicsPart,
    ForwardPart,
    FunnelPart,
    IcpPart,
    LeadTimePart,
    MinimumAgreementPart,
    MqlRate,
    RateRow,
    ScoringPart,
    SensitivityRow,
    SignalRow,
    Signer,
    SlaPart,
    StageRow,
    TermRow,
    TermsPart,
    WarningRow,
)
from slabuilder.derive.alignment import SPEED_RESEARCH
from slabuilder.derive.funnel import MONTHS_IN
from slabuilder.derive.scoring import UNSCORED_WITHOUT_SOURCE
from slabuilder.derive.terms import CADENCE_MONTHS, Commitments, code_pointers, code_range
from slabuilder.plan import Plan
from slabuilder.version import build_date
from slabuilder.words import (
    CURRENCY_SYMBOLS,
    STAGE_NAMES,
    add_months,
    join,
    percent,
    plain_number,
    slugify,
    stage_plural,
)

__all__ = ["build_context"]

_PERIOD_WORDS = {"month": "monthly", "quarter": "quarterly", "year": "annual"}
_SIDE_NAMES = {"marketing": "Marketing", "sales": "Sales", "revops": "Revenue Operations",
               "executive": "Executive sponsor"}
_ROLES = {"marketing": "Signs for marketing", "sales": "Signs for sales",
          "revops": "Signs for revenue operations", "executive": "Executive sponsor"}
_PROBLEMS = {
    "definition": "a definition problem",
    "enforcement": "an enforcement problem",
    "trust": "a trust problem",
}


# --------------------------------------------------------------------------- sections


def _company(answers: Answers) -> CompanyPart:
    company = answers.company
    return {
        "name": company.name,
        "slug": slugify(company.name),
        "crm": company.crm,
        "crm_name": company.crm_name,
        "crm_name_start": words.capfirst(company.crm_name),
        "timezone": company.timezone,
        "business_hours": company.business_hours,
        "business_days": list(company.business_days),
        "holidays": company.holidays,
    }


def _agreement(answers: Answers, plan: Plan) -> AgreementPart:
    agreement = answers.agreement
    cadence = plan.terms.commitments.review_cadence
    cadence_months = CADENCE_MONTHS[cadence]
    first_review = add_months(agreement.effective_date, cadence_months)
    latest_review = add_months(agreement.effective_date,
                                answers.cadence.agreement_review_months)
    signatories: list[Signer] = [{"name": s.name, "title": s.title, "side": s.side,
                    "side_name": _SIDE_NAMES[s.side], "role": _ROLES[s.side]}
                   for s in agreement.signatories]
    owner: Signer = {"name": agreement.owner.name, "title": agreement.owner.title,
             "side": "owner", "side_name": "Agreement owner", "role": "Owner of the agreement"}
    already_signing = any(s["name"] == owner["name"] for s in signatories)
    return {
        "signatories_phrase": words.every(len(signatories), "signatory", "signatories"),
        "title": agreement.title,
        "version": agreement.version,
        "effective_date": agreement.effective_date.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "review_cadence": cadence,
        "first_review_date": first_review.isoformat(),
        "latest_review_date": min(first_review, latest_review).isoformat(),
        "review_months": answers.cadence.agreement_review_months,
        "owner": owner,
        "signatories": signatories,
        "signature_blocks": signatories if already_signing else [*signatories, owner],
        "sides": sorted({s.side for s in agreement.signatories}),
    }


def _icp(answers: Answers, plan: Plan) -> IcpPart:
    icp = answers.icp
    size = icp.company_size
    size_text = next(f.requirement for f in plan.scoring.fit if f.criterion == "Company size")
    return {
        "size_text": size_text,
        "size_min": size.min if size else None,
        "size_max": size.max if size else None,
        "industries": list(icp.industries),
        "geographies": list(icp.geographies),
        "titles": list(icp.titles),
        "disqualifiers": list(icp.disqualifiers),
        "missing": list(plan.icp_missing),
        "complete": not plan.icp_missing,
    }


def _economics(answers: Answers, plan: Plan) -> EconomicsPart:
    economics = answers.economics
    months = MONTHS_IN[economics.period]
    return {
        "period": economics.period,
        "period_adjective": _PERIOD_WORDS[economics.period],
        "months_in_period": months,
        "revenue_target": plain_number(plan.revenue_target),
        "revenue_per_month": plan.revenue_per_month,
        "revenue_per_month_rounded": Fraction(plan.revenue_target) % months != 0,
        "average_deal_size": plain_number(plan.average_deal_size),
        "sales_cycle_days": economics.sales_cycle_days,
        "pipeline_coverage": plain_number(economics.pipeline_coverage),
        "pipeline_needed": plain_number(plan.pipeline_needed),
    }


def _funnel(plan: Plan) -> FunnelPart:
    style = plan.answers.date_style
    rate_into: dict[str, Decimal] = {}
    sources: dict[str, str] = {}
    for key, rate in plan.rates.items():
        source, target = key.split("_to_")
        rate_into[target] = rate
        sources[target] = source
    stages: list[StageRow] = []
    for stage in plan.stages:
        count = plan.targets[stage]
        stages.append({
            "id": stage,
            "name": STAGE_NAMES[stage],
            "per_period": count.per_period,
            "per_month": count.per_month,
            "per_week": count.per_week,
            "rate_in": plain_number(rate_into[stage]) if stage in rate_into else None,
            "from_name": STAGE_NAMES[sources[stage]] if stage in sources else None,
            "from_plural": stage_plural(sources[stage]) if stage in sources else None,
        })
    rates: list[RateRow] = [{"key": key, "from_name": STAGE_NAMES[key.split("_to_")[0]],
              "to_name": STAGE_NAMES[key.split("_to_")[1]], "rate": plain_number(rate)}
             for key, rate in plan.rates.items()]
    first = plan.stages[0]
    return {
        "stages": stages,
        "rates": rates,
        "first_stage": first,
        "first_stage_name": STAGE_NAMES[first],
        "mql_per_month": plan.mql_per_month,
        "mql_per_period": plan.targets["mql"].per_period if "mql" in plan.targets else 0,
        "won_per_period": plan.targets["won"].per_period,
        "months": [{"month": m.month, "label": words.month_span(m.start, m.end, style),
                    "targets": [m.targets[s] for s in plan.stages]} for m in plan.months],
    }


def _capacity(plan: Plan) -> CapacityPart | None:
    cap = plan.capacity
    if cap is None:
        return None
    return {
        "reps": cap.reps,
        "rep_role": cap.rep_role,
        "mqls_per_month": cap.mqls_per_month,
        "business_days_per_month": cap.business_days_per_month,
        "leads_per_rep_per_day": words.number(cap.leads_per_rep_per_day, 1),
        # as the brief's sentence says them: "1 new lead", "2.1 new leads", "1 SDR", "4 SDRs"
        "new_leads_per_rep_per_day": words.unit(
            words.rounded(cap.leads_per_rep_per_day, "0.1"), "new lead", "new leads"),
        "reps_text": words.unit(cap.reps, cap.rep_role, f"{cap.rep_role}s"),
        "touches_per_rep_per_day": words.count(cap.touches_per_rep_per_day),
        "max_touches_per_rep_per_day": cap.max_touches_per_rep_per_day,
        "over_capacity": cap.over_capacity,
    }


def _forward(plan: Plan) -> ForwardPart | None:
    forward = plan.forward
    if forward is None:
        return None
    return {
        "start_name": STAGE_NAMES[forward.start_stage],
        "start_per_month": forward.start_per_month,
        "won_per_month": forward.whole("won"),
        "won_per_month_exact": words.number(forward.expected["won"], 1),
        "revenue_per_month": plain_number(forward.revenue_per_month.__floor__()),
    }


def _scoring(plan: Plan) -> ScoringPart:
    scoring = plan.scoring
    waiting = UNSCORED_WITHOUT_SOURCE if not plan.answers.intent.sources else frozenset()
    signals: list[SignalRow] = [{"label": s.label + (" (once an intent source is named)"
                                                     if s.id in waiting else ""),
                                 "points": s.points, "kind": s.kind}
                                for s in scoring.signals]
    return {
        "fit": [{"criterion": f.criterion, "requirement": f.requirement,
                 "answered": f.answered} for f in scoring.fit],
        "disqualifiers": list(scoring.disqualifiers),
        "min_disqualifiers": scoring.min_disqualifiers,
        "fit_signals": [s for s in signals if s["kind"] == "fit"],
        "behaviour_signals": [s for s in signals if s["kind"] == "behaviour"],
        "negative_signals": [s for s in signals if s["kind"] == "negative"],
        "signal_count": len(signals),
        "threshold": scoring.threshold,
        "fit_points": scoring.fit_points,
        "max_points": scoring.max_points,
        "score_cap": scoring.score_cap,
        "explanation": list(scoring.explanation),
        "tiers": [{"tier": t.tier, "examples": t.examples, "rule": t.rule}
                  for t in scoring.tiers],
    }


def _terms(plan: Plan) -> TermsPart:
    terms = plan.terms

    def term(t: Any) -> TermRow:
        return {"id": t.id, "label": t.label, "commitment": t.commitment, "measure": t.measure,
                "in_summary": t.in_summary, "headline": t.headline}

    return {
        "definitions": [{"stage": d.stage, "name": d.name, "meaning": d.meaning,
                         "owner": d.owner, "exit_within": d.exit_within}
                        for d in terms.definitions],
        "marketing": [term(t) for t in terms.marketing],
        "sales": [term(t) for t in terms.sales],
        "dispositions": [{"when": r.when, "then": r.then} for r in terms.dispositions],
        "reason_codes": [{"code": c.code, "reason": c.reason, "follow_up": c.follow_up}
                         for c in terms.reason_codes],
        "reason_code_range": code_range(terms.reason_codes),
        "reason_code_count": len(terms.reason_codes),
        "reason_code_pointers": code_pointers(terms.reason_codes),
        "requeue": [{"when": r.when, "then": r.then} for r in terms.requeue],
        "routing": [{"when": r.when, "then": r.then} for r in terms.routing],
        "routing_method": terms.routing_method,
        "escalation": [{"step": e.step, "who": e.who, "within": e.within}
                       for e in terms.escalation],
        "disputes": list(terms.disputes),
        "meetings": [{"name": m.name, "frequency": m.frequency, "length": m.length,
                      "attendees": m.attendees, "purpose": m.purpose} for m in terms.meetings],
        "review": list(terms.review),
        "business_hours": terms.business_hours,
    }


def _sla(plan: Plan) -> SlaPart:
    """The commitments' figures, from the plan (their one home), for templates to format."""
    agreed = plan.terms.commitments
    team, one, shared = _first_touch(agreed.first_touch_role, agreed.first_touch_reps)
    return {
        "acceptance_rate": plain_number(agreed.acceptance_rate),
        "routing_minutes": agreed.routing_minutes,
        "routing_automated": agreed.routing_automated,
        "response_tiers": [{"id": tier.id, "label": tier.label, "hours": plain_number(tier.hours),
                            "phrase": tier.phrase, "limit": tier.limit,
                            "triggers": list(tier.triggers)} for tier in agreed.response_tiers],
        "fast_triggers": join([f"\u201c{word}\u201d" for word in agreed.fast_tier.triggers],
                              "or"),
        "fast_tier_hours": plain_number(agreed.fast_tier.hours),
        "fast_tier_label": agreed.fast_tier.label,
        "standard_tier_hours": plain_number(agreed.standard_tier.hours),
        "contact_attempts": agreed.contact_attempts,
        "attempts_in_range": agreed.attempts_in_range,
        "attempt_window_days": agreed.attempt_window_days,
        "channels": list(agreed.channels),
        "disposition_days": agreed.disposition_days,
        "no_attempt_hours": agreed.no_attempt_hours,
        "stalled_days": agreed.stalled_days,
        "team_lead": agreed.team_lead,
        "has_team_lead": agreed.has_team_lead,
        "has_revops": agreed.has_revops,
        "first_escalation": agreed.first_escalation,
        "second_escalation": agreed.second_escalation,
        "review_hours": plain_number(agreed.review_hours),
        "win_loss_hours": plain_number(agreed.win_loss_hours),
        "crm_update": agreed.crm_update,
        "first_escalation_hours": plain_number(agreed.first_escalation_hours),
        "second_escalation_hours": plain_number(agreed.second_escalation_hours),
        "quality_review_hours": plain_number(agreed.quality_review_hours),
        "shortfall_threshold": plain_number(agreed.shortfall_threshold),
        "first_touch_role": agreed.first_touch_role,
        "first_touch_reps": agreed.first_touch_reps,
        "first_touch_team": team,
        "first_touch_one": one,
        "first_touch_shared": shared,
    }


def _first_touch(role: str | None, reps: int) -> tuple[str, str, bool]:
    """Who takes new MQLs, as sentences say it: ``the 4 SDRs`` and ``one of the 4 SDRs``
    (taken in turn), or ``the AE`` twice when there is one."""
    if role is None:
        return "", "", False
    if reps == 1:
        return f"the {role}", f"the {role}", False
    team = f"the {words.count(reps)} {role}s"
    return team, f"one of {team}", True


def _alignment(plan: Plan) -> AlignmentPart:
    """Measures, handoff, exceptions, intent, diagnosis, benchmark, deal record, rollout."""
    found = plan.alignment
    agreed = plan.terms.commitments

    def measure(item: Any) -> dict[str, Any]:
        return {"id": item.id, "label": item.label, "formula": item.formula,
                "target": item.target, "baseline": item.baseline}

    return {
        "measures": [measure(item) for item in found.measures],
        "success": [measure(item) for item in found.success],
        "cac_per_deal": plain_number(found.cac_per_deal) if found.cac_per_deal else None,
        "handoff": {"system": found.handoff.system, "channel": found.handoff.channel,
                    "notified": found.handoff.notified,
                    "overdue_alert": found.handoff.overdue_alert,
                    "context": list(found.handoff.context)},
        "exceptions": {"cases": list(found.exceptions.cases),
                       "decided_by": found.exceptions.decided_by,
                       "within": found.exceptions.within,
                       "recorded": found.exceptions.recorded},
        "intent": {"sources": list(found.intent.sources), "points": found.intent.points,
                   "rules": list(found.intent.rules)},
        "symptoms": [{"symptom": s.symptom, "marketing_says": s.marketing_says,
                      "sales_says": s.sales_says, "cause": s.root_cause, "fix": s.fix}
                     for s in found.symptoms],
        "rejection_rate": plain_number(found.lines.rejection_rate),
        "low_conversion_rate": plain_number(found.lines.low_conversion_rate),
        "low_conversion_key": found.lines.low_conversion_key,
        "speed_bands": [{"wait": band.wait, "kept": plain_number(band.kept)}
                        for band in found.speed_bands],
        "closed_loop": [{"field": f.field, "what": f.what, "when": f.when}
                        for f in found.closed_loop],
        "rollout": [{"name": phase.name, "start": phase.start.isoformat(),
                     "end": phase.end.isoformat() if phase.end else None, "work": phase.work}
                    for phase in found.rollout],
        "revops": [{"area": area, "owns": owns} for area, owns in found.revops],
        "speed_research": list(SPEED_RESEARCH),
        "attempts_optimal_min": agreed.attempts_optimal_min,
        "attempts_optimal_max": agreed.attempts_optimal_max,
    }


def _current_state(answers: Answers, plan: Plan) -> CurrentStatePart:
    state = answers.current_state
    return {
        "mqls_per_month": state.mqls_per_month,
        "worked_within_sla": (plain_number(state.worked_within_sla)
                              if state.worked_within_sla is not None else None),
        "main_conflict": state.main_conflict,
        "main_problem": state.main_problem,
        "starting_point": state.starting_point,
        "volume_gap": (plan.mql_per_month - state.mqls_per_month
                       if state.mqls_per_month is not None else None),
    }


def _diagnosis(answers: Answers, plan: Plan) -> DiagnosisPart:
    """Which of the three classic failures this SLA is fixing, and the evidence for it.

    The answers may name it (``current_state.main_problem``); otherwise the figures decide:
    starting from scratch means nothing is defined yet; a low share of MQLs worked within
    today's SLA means the terms exist but nothing enforces them; a stated conflict about
    lead quality with no such figure points at trust.
    """
    state = answers.current_state
    evidence: list[str] = []
    if state.worked_within_sla is not None:
        evidence.append(f"{percent(state.worked_within_sla)} of MQLs are worked within "
                        "today's service level.")
    if state.mqls_per_month is not None:
        evidence.append(f"Marketing produces {words.count(state.mqls_per_month)} MQLs a month "
                        "today; "
                        f"the revenue target needs {words.count(plan.mql_per_month)}.")
    if state.main_conflict:
        evidence.append(f"In the team's own words: \u201c{state.main_conflict}\u201d")
    if state.mql_definition:
        evidence.append(f"Today an MQL is \u201c{state.mql_definition}\u201d; the agreement "
                        "replaces that with the definition in its section on the MQL.")
    if state.current_sla:
        evidence.append(f"Today's service level: \u201c{state.current_sla}\u201d.")
    if state.main_problem:
        problem, inferred = state.main_problem, False
    elif state.starting_point == "scratch":
        problem, inferred = "definition", True
    elif "sla_rarely_met" in {warning.code for warning in plan.warnings}:
        problem, inferred = "enforcement", True
    elif state.main_conflict:
        problem, inferred = "trust", True
    else:
        problem, inferred = "definition", True
    return {"problem": problem, "label": _PROBLEMS[problem], "inferred": inferred,
            "evidence": evidence}


def _risks(answers: Answers, plan: Plan) -> list[dict[str, str]]:
    """The likeliest reasons this agreement will not be adopted, most serious first."""
    codes = {w.code: w for w in plan.warnings}
    risks: list[dict[str, str]] = []
    state = answers.current_state
    tiers = join([tier.limit_phrase for tier in plan.terms.commitments.response_tiers])
    if "sla_rarely_met" in codes and state.worked_within_sla is not None:
        risks.append({"title": "Sales misses the response term in the first week", "body": (
            f"Only {percent(state.worked_within_sla)} of MQLs are worked within today's "
            f"service level, and the new term asks for a first attempt within "
            f"{tiers}. Switch on automatic "
            "routing and the overdue alert before the effective date, report compliance "
            "from the first Monday, and agree in the room what happens at the first "
            "breach.")})
    if "volume_gap" in codes and state.mqls_per_month is not None:
        gap = plan.mql_per_month - state.mqls_per_month
        risks.append({"title": "Marketing misses the volume term from month one", "body": (
            f"The plan needs {words.count(plan.mql_per_month)} MQLs a month and marketing delivers "
            f"{words.count(state.mqls_per_month)} today, a gap of {words.count(gap)} a month. "
            "If the gap is not "
            "closed by a named plan (budget, campaigns, dormant leads, joint outbound), "
            "sales will read the first monthly report as proof that the agreement is "
            "one-sided.")})
    if "over_capacity" in codes and plan.capacity is not None:
        risks.append({"title": "The team cannot physically meet the terms", "body": (
            f"Each {plan.capacity.rep_role} would need "
            f"{words.count(plan.capacity.touches_per_rep_per_day)} touches a day. Terms "
            "that cannot be met are broken every day and teach everyone that the agreement "
            "does not matter.")})
    for side in ("marketing", "sales"):
        if f"no_{side}_signatory" in codes:
            risks.append({"title": f"Nobody signs for {side}", "body": (
                f"No signatory speaks for {side}; an agreement one side has not signed binds "
                "nobody. Add its leader to the signatories.")})
    if "scoring_too_complex" in codes:
        risks.append({"title": "Reps cannot tell why a lead reached them", "body": (
            f"The model has {len(plan.scoring.signals)} signals. Merge or drop the weakest "
            "until the two-sentence explanation is true.")})
    risks.append({"title": "The definition is seen as marketing's alone", "body": (
        "If sales did not help write the fit criteria and the disqualifiers, the first "
        "rejected lead becomes an argument about the definition instead of a reason code. "
        "Hold the definition session before anything is signed.")})
    return risks[:3]


def _people(answers: Answers, agreed: Commitments) -> list[dict[str, str]]:
    """Who must be in the room for the definition session."""
    agreement = answers.agreement
    named = [{"name": s.name, "title": s.title,
              "why": ("is the executive sponsor" if s.side == "executive" else
                      f"signs for {_SIDE_NAMES[s.side].lower()}")}
             for s in agreement.signatories]
    if all(s.name != agreement.owner.name for s in agreement.signatories):
        named.insert(0, {"name": agreement.owner.name, "title": agreement.owner.title,
                         "why": "owns the agreement and runs the session"})
    crm = answers.company.crm_name
    if not agreed.has_team_lead:  # a small team: everyone who works leads is in the room
        reps = agreed.first_touch_reps
        return named + ([{"name": "", "title": words.capfirst(
            f"every {agreed.first_touch_role or 'AE'}" if reps > 1 else
            f"the {agreed.first_touch_role or 'AE'}"),
            "why": "works the MQLs every day and knows which ones are wasted"}]
            if not any(person.side == "sales" for person in agreement.signatories)
            or reps > 1 else [])
    roles = [
        {"name": "", "title": "RevOps or the CRM administrator",
         "why": f"says what {crm} can measure and builds it"},
        {"name": "", "title": words.capfirst(agreed.team_lead),
         "why": "works the MQLs every day and knows which ones are wasted"},
        {"name": "", "title": "One strong account executive",
         "why": "knows what a deal that closes looked like as a lead"},
        {"name": "", "title": "The campaign manager",
         "why": "owns the sources the MQL volume comes from"},
    ]
    return named + roles


def _minimum_agreement(answers: Answers, plan: Plan) -> MinimumAgreementPart:
    fewest = plan.scoring.min_disqualifiers
    disqualifiers = list(answers.icp.disqualifiers[:fewest])
    return {
        "disqualifiers": disqualifiers,
        "disqualifiers_missing": max(0, fewest - len(disqualifiers)),
        "threshold": plan.scoring.threshold,
        "disposition_days": plan.terms.commitments.disposition_days,
        "mql_per_month": plan.mql_per_month,
    }


def _warnings(plan: Plan) -> list[WarningRow]:
    return [{"code": w.code, "message": w.message, "key": w.key, "severity": w.severity}
            for w in plan.warnings]


def _sensitivity(plan: Plan) -> list[SensitivityRow]:
    return [{"rate": plain_number(row.rate), "delta_points": row.delta_points,
             "mql_per_period": row.mql_per_period, "mql_per_month": row.mql_per_month,
             "current": row.delta_points == 0} for row in plan.sensitivity]


def _lead_time(plan: Plan) -> LeadTimePart:
    lead = plan.lead_time
    return {"sales_cycle_days": lead.sales_cycle_days,
            "mql_window_start": lead.mql_window_start.isoformat(),
            "mql_window_end": lead.mql_window_end.isoformat(),
            "bookings_start": lead.bookings_start.isoformat(),
            "bookings_end": lead.bookings_end.isoformat()}


def build_context(plan: Plan, *, draft: bool = False) -> DocumentContext:
    """Everything a document template may show, as plain data."""
    answers = plan.answers
    rates = plan.rates
    mql_rate_key = next((key for key in rates if key.startswith("mql_to_")), None)
    built = build_date().astimezone(ZoneInfo(answers.company.timezone)).date()
    mql_rate: MqlRate | None = ({"key": mql_rate_key, "to_name": STAGE_NAMES[mql_rate_key[7:]],
                                 "rate": plain_number(rates[mql_rate_key])}
                                if mql_rate_key else None)
    return {
        "draft": draft,
        "fingerprint": plan.fingerprint,
        "built": built.isoformat(),
        "preparation_days_left": ((answers.agreement.effective_date - built).days
                                  if built > plan.alignment.rollout[0].start else None),
        "currency": plan.currency,
        "currency_symbol": CURRENCY_SYMBOLS.get(plan.currency, ""),
        "page_size": answers.page_size,
        "date_style": answers.date_style,
        "company": _company(answers),
        "agreement": _agreement(answers, plan),
        "icp": _icp(answers, plan),
        "economics": _economics(answers, plan),
        "funnel": _funnel(plan),
        "mql_rate": mql_rate,
        "lead_time": _lead_time(plan),
        "sensitivity": _sensitivity(plan),
        "forward": _forward(plan),
        "capacity": _capacity(plan),
        "team": {"sdrs": answers.team.sdrs, "aes": answers.team.aes,
                 "after_hours_coverage": answers.team.after_hours_coverage},
        "scoring": _scoring(plan),
        "terms": _terms(plan),
        "sla": _sla(plan),
        "alignment": _alignment(plan),
        "routing": {"method": answers.routing.method.replace("_", " "),
                    "enterprise_min_employees": answers.routing.enterprise_min_employees,
                    "smb_max_employees": answers.routing.smb_max_employees},
        "current_state": _current_state(answers, plan),
        "diagnosis": _diagnosis(answers, plan),
        "risks": _risks(answers, plan),
        "people": _people(answers, plan.terms.commitments),
        "minimum_agreement": _minimum_agreement(answers, plan),
        "cadence": {"weekly_review_minutes": answers.cadence.weekly_review_minutes,
                    "emergency_notice_hours": answers.cadence.emergency_notice_hours},
        "warnings": _warnings(plan),
    }
