"""The calibration report's context: plain numbers and sentences for the template (which
only formats them)."""

from __future__ import annotations

from typing import Any

from slabuilder import words
from slabuilder.plan import Plan


def _volume_sentence(figures: dict[str, Any]) -> str:
    at = figures["at_threshold"]
    share = f"{words.number(at['share_of_leads'] * 100, 0)}%"
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
        "warnings": [item["message"] for item in figures["warnings"]],
        "proposed": figures["proposed_answers"],
        "mql_target_per_month": new_plan.mql_per_month,
    }
