"""The answers file's schema: what every key means.

One table feeds both the JSON Schema (``slabuilder schema``, for editors) and the README's key
reference (``slabuilder schema --markdown``); a test checks that every key of the model is here.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from slabuilder.words import STAGE_NAMES, stage_plural

_STAGES = tuple(STAGE_NAMES)

KEY_DOCS: dict[str, str] = {
    "format": "Layout version of the file. Always 1.",
    "company": "The company the agreement is for.",
    "company.name": "Company name, as it appears on the documents.",
    "company.crm": "CRM in use: hubspot, salesforce or other. Picks the configuration steps in "
                   "the design brief and the export format for reports.",
    "company.timezone": "Time zone every time limit is measured in, e.g. America/New_York.",
    "company.business_hours": "Working hours for business-hour limits, e.g. 09:00-17:00.",
    "company.business_days": "Working days, e.g. [Mon, Tue, Wed, Thu, Fri].",
    "company.holidays": "Country code whose public holidays do not count as business days "
                        "(US, GB, DE, or US-CA for a state), or none.",
    "company.number_format": "How typed numbers are read: 1,234.5 (a dot for decimals) or "
                             "1.234,5 (a comma for decimals, dots between thousands).",
    "agreement": "The agreement itself: dates, owner and signatories.",
    "agreement.effective_date": "Date the agreement (or this version) takes effect, YYYY-MM-DD. "
                                "The planning period starts on it.",
    "agreement.review_cadence": "How often both sides review it: monthly, quarterly, biannual "
                                "or annual.",
    "agreement.owner": "Who owns the agreement (usually the demand-generation director): "
                       "{name, title}.",
    "agreement.owner.name": "Owner's name.",
    "agreement.owner.title": "Owner's job title.",
    "agreement.signatories": "Everyone who signs: a list of {name, title, side}.",
    "agreement.signatories[].name": "Signatory's name.",
    "agreement.signatories[].title": "Signatory's job title.",
    "agreement.signatories[].side": "Which side they sign for: marketing, sales, revops or "
                                    "executive.",
    "agreement.version": "Version number of the agreement; renegotiation raises it.",
    "agreement.title": "Title printed on the agreement.",
    "icp": "Ideal customer profile. Every key is needed before a signable agreement is "
           "rendered.",
    "icp.company_size": "Employee range that fits: {min, max}; leave max out for no upper "
                        "limit.",
    "icp.company_size.min": "Smallest company that fits (employees).",
    "icp.company_size.max": "Largest company that fits (employees).",
    "icp.industries": "Industries in scope.",
    "icp.geographies": "Countries or regions in scope.",
    "icp.titles": "Titles with buying authority or real influence, e.g. [VP, Director].",
    "icp.disqualifiers": "Reasons a lead is never routed to sales; the plan warns when too "
                         "few are written.",
    "icp.blank_fit_fields": "How `score` and `calibrate` treat a lead whose size, industry, "
                            "country or title is blank in the export: pass (the default: "
                            "unknown does not hold a lead back) or fail.",
    "economics": "The revenue goal the funnel targets are worked back from.",
    "economics.period": "Planning period of the revenue target: month, quarter or year.",
    "economics.revenue_target": "New revenue to book in the period: 1000000, \"1,000,000\" or "
                                "\"$1M\".",
    "economics.currency": "Three-letter currency code, e.g. USD.",
    "economics.average_deal_size": "Average first-year value of a won deal: 25000 or \"$25k\".",
    "economics.sales_cycle_days": "Median days from SQL to closed deal (the sales cycle the "
                                  "agreement measures); sets how early leads must arrive.",
    "economics.pipeline_coverage": "Pipeline needed as a multiple of the target: 3 or \"3x\".",
    "economics.marketing_spend": "Marketing's acquisition spend for the period (programmes and "
                                 "people); with sales_spend it gives the CAC. Empty: the CAC "
                                 "is left blank.",
    "economics.sales_spend": "Sales' acquisition spend for the period, for the CAC.",
    "funnel": "Conversion rates keyed <from>_to_<to> over lead, mql, sal, sql, opportunity, "
              "won. Give one unbroken chain from mql (or lead) to won; each rate as 60% or 0.6.",
    **{f"funnel.{a}_to_{b}": f"Share of {stage_plural(a)} that "
       + ("are won." if b == "won" else f"become {stage_plural(b)}.")
       for i, a in enumerate(_STAGES[:-1]) for b in _STAGES[i + 1:]},
    "team": "The people who work the leads.",
    "team.sdrs": "Number of SDRs working new MQLs (0 if AEs work them).",
    "team.aes": "Number of account executives.",
    "team.business_days_per_month": "Business days in a month, for the capacity check.",
    "team.max_touches_per_rep_per_day": "Most calls and e-mails a rep can make in a day; "
                                        "above it the plan warns.",
    "team.after_hours_coverage": "true if someone works leads outside business hours.",
    "current_state": "Where things stand today (optional; improves the brief and warnings).",
    "current_state.mqls_per_month": "MQLs marketing produces a month today; also runs the "
                                    "funnel forward.",
    "current_state.worked_within_sla": "Share of MQLs worked within the current SLA, e.g. 40%.",
    "current_state.main_conflict": "The main complaint between the teams, in a sentence.",
    "current_state.main_problem": "What mostly goes wrong: definition, enforcement or trust.",
    "current_state.starting_point": "scratch (no SLA yet) or rebuild (replacing one).",
    "current_state.mql_definition": "How an MQL is defined today, in a sentence, if it is "
                                    "(the brief sets it beside the new definition).",
    "current_state.current_sla": "The service level sales works to today, in a sentence, if "
                                 "there is one.",
    "scoring": "Lead scoring model; without this section the standard model applies.",
    "scoring.threshold": "Engagement points a lead that fits the profile needs to become an "
                         "MQL (25: one demo request qualifies). With fit points, it must be "
                         "above all that fit can give.",
    "scoring.signals": "Changes to the points table: `demo_request: 30` changes a standard "
                       "signal, `demo_request: 0` drops it, `webinar: {label: Attended a "
                       "webinar, points: 10}` adds one. Standard signals: demo_request, "
                       "pricing_page, high_intent_content, repeat_visits, intent_surge, "
                       "email_engagement, low_intent_content, competitor, unsubscribed, "
                       "personal_email, inactivity. Fit is a filter, not points, unless you "
                       "add title_match, company_size_match, industry_match or "
                       "geography_match with points (then the threshold must be above their "
                       "sum).",
    "scoring.signals.*.label": "Signal as the rep reads it.",
    "scoring.signals.*.points": "Points, from -100 to 100.",
    "scoring.signals.*.kind": "fit, behaviour or negative.",
    "scoring.signals.*.condition": "Optional test that says, from one column of a lead export, "
                                   "when the signal applies: {column, equals}, {column, "
                                   "one_of}, or {column, at_least, below}, each optionally with "
                                   "blank: true. `slabuilder score` "
                                   "and `slabuilder calibrate` evaluate it.",
    "scoring.signals.*.condition.column": "Column of the export, as in its header.",
    "scoring.signals.*.condition.equals": "The value that makes the signal apply (case is "
                                          "ignored).",
    "scoring.signals.*.condition.one_of": "Values any of which make the signal apply.",
    "scoring.signals.*.condition.at_least": "Lowest number that makes the signal apply.",
    "scoring.signals.*.condition.below": "The signal applies to numbers below this one.",
    "scoring.signals.*.condition.blank": "true: the signal also applies when the column is "
                                         "blank; alone, it applies only to blank cells.",
    "scoring.max_signals": "Above this many signals the model is flagged as too complex to "
                           "explain.",
    "scoring.score_cap": "Highest score the CRM stores (HubSpot: 100, 500 on Enterprise).",
    "sla": "The commitments of each side.",
    "sla.marketing": "What marketing commits to.",
    "sla.marketing.mql_volume_per_month": "MQLs a month marketing commits to; by default the "
                                          "figure worked back from revenue.",
    "sla.marketing.acceptance_rate": "Share of MQLs sales should accept; by default the "
                                     "funnel's MQL to SAL (or MQL to SQL) rate, else 60%.",
    "sla.marketing.scoring_accuracy": "Share of MQLs not rejected as wrong persona or too "
                                      "small.",
    "sla.marketing.core_fields_complete": "Share of MQLs with name, e-mail and company.",
    "sla.marketing.extended_fields_complete": "Share of MQLs also with phone, title and size.",
    "sla.marketing.routing_minutes": "Minutes from MQL to an assigned owner when routing is "
                                     "done by hand.",
    "sla.marketing.routing_minutes_automated": "The same where the CRM routes automatically "
                                               "(see routing.automated).",
    "sla.marketing.forecast_days": "Days of MQL volume forecast each month.",
    "sla.marketing.lead_to_mql_hours": "Business hours from reaching the threshold to MQL "
                                       "status.",
    "sla.marketing.sourced_pipeline_share": "Target share of pipeline value from "
                                            "marketing-sourced leads.",
    "sla.marketing.influenced_revenue_share": "Target share of won revenue that marketing "
                                              "touched.",
    "sla.marketing.advocate_review_days": "Days after onboarding at which a customer is "
                                          "asked for a review or referral.",
    "sla.marketing.objection_handling_days": "Business days to deliver objection handling.",
    "sla.marketing.battlecard_days": "Business days to deliver a battlecard.",
    "sla.marketing.case_study_days": "Business days to deliver a case study.",
    "sla.marketing.product_update_days": "Business days after a product release by which "
                                         "its positioning (messaging and an e-mail "
                                         "template) reaches sales.",
    "sla.marketing.event_support_days": "Business days before an event or webinar by which "
                                        "its landing page, e-mails and posts are ready.",
    "sla.marketing.average_mql_score": "Average score the month's MQLs reach, a sign they "
                                       "are not borderline leads pushed over the line; by "
                                       "default a fifth above the threshold, rounded up to "
                                       "a multiple of 5.",
    "sla.sales": "What sales commits to.",
    "sla.sales.speed_to_lead_hours": "Business hours to the first attempt on an MQL of the "
                                     "fast tier (demo and trial requests by default).",
    "sla.sales.other_mql_hours": "Business hours to the first attempt on every other MQL.",
    "sla.sales.fast_tier_triggers": "Words that put an MQL in the fast tier when its trigger "
                                    "(the form or signal that made it an MQL) contains one, "
                                    "in any case: by default [demo, trial].",
    "sla.sales.contact_attempts": "Attempts before a lead may be marked unreachable.",
    "sla.sales.attempt_window_days": "Days over which the attempts are spread.",
    "sla.sales.channels": "Channels the attempts use: phone, email, linkedin, sms, video.",
    "sla.sales.disposition_days": "Business days to accept, disqualify or recycle an MQL.",
    "sla.sales.review_hours": "Business hours within which every MQL is reviewed.",
    "sla.sales.win_loss_hours": "Business hours after closing to record the win or loss reason.",
    "sla.sales.crm_update": "How often stage, amount, close date and next step are updated: "
                            "daily or weekly.",
    "sla.sales.attempts_optimal_min": "Low end of the range of attempts that works best.",
    "sla.sales.attempts_optimal_max": "High end of that range.",
    "sla.sales.sql_to_opportunity_days": "Business days for an SQL to become an opportunity "
                                         "or be dispositioned.",
    "routing": "Who receives which MQLs.",
    "routing.method": "How mid-market MQLs are shared out: round_robin, territory, skill or "
                      "account_based.",
    "routing.automated": "Whether the CRM assigns MQLs by itself: by default yes for HubSpot "
                         "and Salesforce. Decides which routing time applies.",
    "routing.enterprise_min_employees": "Smallest company in the enterprise segment (routed by "
                                        "territory).",
    "routing.smb_max_employees": "Largest company in the small-business segment. Segments "
                                 "outside the ICP's size range are never routed.",
    "routing.rules": "Your own routing table, replacing the standard one: a list of "
                     "{segment, route_to, method}.",
    "routing.rules[].segment": "Which leads the rule is for.",
    "routing.rules[].route_to": "Who receives them.",
    "routing.rules[].method": "round_robin, territory, skill, account_based or direct.",
    "escalation": "What happens when a term is broken.",
    "escalation.detected_by": "Who spots a breach; by default RevOps or an automated alert (in "
                              "a team of fewer than 3 reps: an automated alert or the "
                              "agreement's owner).",
    "escalation.first_level": "Who hears of it first; by default the team lead (in a team of "
                              "fewer than 3 reps: the agreement's owner).",
    "escalation.first_hours": "Business hours before the first escalation.",
    "escalation.second_level": "Who hears of it next; by default whoever signs for marketing "
                               "and sales.",
    "escalation.second_hours": "Business hours before the second escalation.",
    "escalation.quality_review_hours": "Business hours marketing has to review a disputed MQL.",
    "escalation.shortfall_threshold": "Volume shortfall that calls for a recovery plan, e.g. "
                                      "10%.",
    "escalation.low_conversion_rate": "MQL to SQL rate under which the monthly report "
                                      "diagnoses low conversion.",
    "escalation.rejection_rate": "Share of dispositioned MQLs rejected by sales over which "
                                 "the report diagnoses low conversion.",
    "escalation.late_touch_share": "Share of MQLs touched after 24 business hours (or never) "
                                   "over which the report diagnoses slow follow-up.",
    "handoff": "How an MQL is handed to sales.",
    "handoff.notify_by": "How the new owner hears of an MQL: crm_task, email or slack. The "
                         "handoff itself always happens in the CRM.",
    "exceptions": "Leads outside the written criteria that one side still wants worked.",
    "exceptions.decided_by": "Who decides an exception; by default the agreement's owner "
                             "with the sales team lead (in a team of fewer than 3 reps, with "
                             "whoever signs for sales).",
    "exceptions.decision_hours": "Business hours within which an exception is decided.",
    "intent": "Third-party intent data: research signals about an account from outside your "
              "own properties.",
    "intent.sources": "Where intent data comes from (providers, review sites); empty if none "
                      "is bought yet.",
    "cadence": "The meetings that keep the agreement alive (0 drops a meeting).",
    "cadence.daily_standup_minutes": "Length of the daily pipeline stand-up.",
    "cadence.weekly_review_minutes": "Length of the weekly campaign and pipeline review.",
    "cadence.monthly_review_minutes": "Length of the monthly funnel health review.",
    "cadence.quarterly_planning_hours": "Length of the quarterly planning and renegotiation.",
    "cadence.emergency_notice_hours": "Notice either side gives to call an emergency review.",
    "cadence.agreement_review_months": "Longest time between two reviews of the agreement.",
    "documents": "How the documents are printed.",
    "documents.page_size": "a4 or letter; by default letter in the Americas, A4 elsewhere.",
}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (and a nullable ``anyOf``) to the object that holds ``properties``."""
    if "$ref" in node:
        return _resolve(schema, schema["$defs"][node["$ref"].split("/")[-1]])
    for option in (*node.get("allOf", ()), *node.get("anyOf", ())):
        if "$ref" in option or option.get("type") == "object":
            return _resolve(schema, option)
    if node.get("type") == "array" and "items" in node:
        return _resolve(schema, node["items"])
    if "additionalProperties" in node and isinstance(node["additionalProperties"], dict) \
            and "properties" not in node:
        return _resolve(schema, node["additionalProperties"])
    return node


def answers_schema() -> dict[str, Any]:
    """The JSON Schema of an answers file, with every key described."""
    from slabuilder.answers import Answers

    schema = Answers.model_json_schema(mode="validation")
    schema["title"] = "slabuilder answers file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = ("Answers from which slabuilder writes the sales and marketing "
                             "SLA. Rates: 60% or 0.6. Money: 25000, \"25,000\" or \"$25k\". "
                             "Dates: YYYY-MM-DD.")
    for dotted, text in KEY_DOCS.items():
        node: dict[str, Any] = schema
        parts = dotted.replace("[]", "").split(".")
        for part in parts:
            holder = _resolve(schema, node)
            node = holder.get("properties", {}).get(part) if part != "*" else holder
            if node is None:
                break
        if node is not None:
            if "$ref" in node:
                node = {"allOf": [{"$ref": node.pop("$ref")}], **node}
                _set_property(schema, parts, node)
            node["description"] = text
    return schema


def _set_property(schema: dict[str, Any], parts: list[str], value: dict[str, Any]) -> None:
    node: dict[str, Any] = schema
    for part in parts[:-1]:
        node = _resolve(schema, node)["properties"][part] if part != "*" else _resolve(
            schema, node)
    _resolve(schema, node)["properties"][parts[-1]] = value


def schema_json() -> str:
    return json.dumps(answers_schema(), indent=2, ensure_ascii=False, default=str)


def _field_at(dotted: str) -> Any:
    """The pydantic FieldInfo for a documented key."""
    from slabuilder.fields import field_at

    found = field_at(dotted)
    return None if found is None else found.info


def default_text(dotted: str) -> str:
    """The default of a key as README shows it: ``required``, a value, or empty."""
    from pydantic_core import PydanticUndefined

    from slabuilder.answerfile import _plain_value
    from slabuilder.fields import kind_of

    info = _field_at(dotted)
    if info is None:
        return ""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg,unused-ignore]
        if isinstance(value, BaseModel):
            return ""
    else:
        value = info.default
    if value is None or value is PydanticUndefined:
        return ""
    plain = _plain_value(value, kind_of(info) == "rate")
    if isinstance(plain, list):
        return "[" + ", ".join(str(item) for item in plain) + "]"
    return str(plain).lower() if isinstance(plain, bool) else str(plain)


def markdown_table() -> str:
    """The README's key reference, generated so that it cannot drift from the model."""
    rows = ["| key | meaning | default |", "|---|---|---|"]
    for dotted, text in KEY_DOCS.items():
        default = default_text(dotted)
        rows.append(f"| `{dotted}` | {text.replace('|', '/')} | "
                    f"{f'`{default}`' if default and default != 'required' else default} |")
    return "\n".join(rows)
