"""The calibration report's context: plain numbers and sentences for the template (which
only formats them)."""

from __future__ import annotations

from typing import Any

from slabuilder import words
from slabuilder.plan import Plan

FIRST_PAGE = ("quality_gate", "leak_excluded", "leak_kept", "fit_filter_narrow",
              "target_unreachable", "threshold_untested")
"""Warnings a reader must see before the model: they change whether to use it."""


def _volume_sentence(figures: dict[str, Any]) -> str:
    at = figures["at_threshold"]
    share = words.percent(at["share_of_leads"], 0)
    per_month = figures["leads_per_month"]
    target = figures["mql_target_per_month"]
    if per_month is None:
        return (f"At {figures['threshold']} points, {share} of leads become MQLs. The MQLs a "
                f"month this yields is {figures['leads_per_month_source']}; the plan's MQL "
                f"target is {words.count(target)} a month.")
    mqls = round(at["share_of_leads"] * per_month)
    side = "above" if mqls >= target else "below"
    return (f"At {figures['threshold']} points, {share} of leads become MQLs: about "
            f"{words.count(mqls)} a month from {figures['leads_per_month_source']} "
            f"({words.count(per_month)} leads), {side} the plan's MQL target of "
            f"{words.count(target)}.")


def threshold_sentence(figures: dict[str, Any]) -> str:
    """Why the threshold is where it is, in the words the figures support."""
    threshold, target = figures["threshold"], figures["outcome"]["target_rate"]
    fit_points, reason = figures["fit_points"], figures["threshold_reason"]
    at = figures["at_threshold"]
    floor = (f" above the {words.count(fit_points)} points that fit alone can give"
             if fit_points else "")
    if reason == "met":
        said = (f"{threshold} points is the lowest threshold{floor} at which the MQLs (leads at "
                f"or above it that pass the fit filter) convert at {words.percent(target, 0)} "
                f"or better, {figures['outcome']['target_source']}: "
                f"{words.percent(at['precision'], 0)} of {words.count(at['leads'])} holdout "
                "leads.")
    elif reason == "best":
        said = (f"No threshold{floor} gives MQLs that convert at {words.percent(target, 0)} "
                f"({figures['outcome']['target_source']}); at {threshold} points they convert "
                f"best, {words.percent(at['precision'], 0)} of "
                f"{words.count(at['leads'])} holdout leads.")
    else:
        said = (f"Too few holdout leads score above {words.count(fit_points)} points and pass "
                f"the fit filter to judge any threshold; {threshold} points is only the lowest "
                "the agreement allows and must be checked against the first month's MQLs.")
    lower = figures["below_floor_at_target"]
    if lower:
        rates = [row["precision"] for row in lower]
        span = (words.percent(min(rates), 0) if min(rates) == max(rates) else
                f"{words.percent(min(rates), 0)} to {words.percent(max(rates), 0)}")
        said += (f" A threshold of {words.join([str(row['threshold']) for row in lower])} "
                 f"would also reach the rate ({span}), but fit alone can give that many "
                 "points, and the agreement never lets fit alone make an MQL.")
    return said


def report_context(figures: dict[str, Any], old_plan: Plan, new_plan: Plan) -> dict[str, Any]:
    bands = figures["bands"]
    top_rate = max((band["rate"] for band in bands), default=0) or 1
    current = figures["current_model"]
    return {
        "outcome": figures["outcome"],
        "history": figures["history"],
        "split": figures["split"],
        "train": figures["train"],
        "holdout": figures["holdout"],
        "outcome_rate": figures["outcome_rate"],
        "signals": figures["signals"],
        "explanation": figures["explanation"],
        "threshold": figures["threshold"],
        "old_threshold": old_plan.scoring.threshold,
        "old_signals": len(old_plan.scoring.signals),
        "threshold_meets_target": figures["threshold_meets_target"],
        "threshold_sentence": threshold_sentence(figures),
        "quality": figures["quality"],
        "score_range": figures["score_range"],
        "priority_bands": figures["priority_bands"],
        "importance": figures["importance"],
        "fit_filter": figures["fit_filter"],
        "file_mqls": figures["file_mqls"],
        "first_page_warnings": [item["message"] for item in figures["warnings"]
                                if item["code"] in FIRST_PAGE],
        "fit_points": figures["fit_points"],
        "at_threshold": figures["at_threshold"],
        "volume_sentence": _volume_sentence(figures),
        "tradeoff": figures["tradeoff"],
        "bands": [{**band, "bar": round(band["rate"] / top_rate * 100, 1)} for band in bands],
        "current_model": current,
        "current_model_reason": figures["current_model_reason"],
        "left_out": figures["columns"]["left_out"],
        "used": figures["columns"]["used"],
        "included": figures["columns"]["included"],
        "leakage": figures["leakage"],
        "warnings": [item["message"] for item in figures["warnings"]
                     if item["code"] not in FIRST_PAGE],
        "proposed": figures["proposed_answers"],
        "mql_target_per_month": new_plan.mql_per_month,
    }
