"""One calibration from a read lead table to its figures and the proposed scoring section."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.calibrate import fit
from slabuilder.calibrate.conditions import model_signals
from slabuilder.calibrate.data import History, load_history
from slabuilder.calibrate.options import CalibrationOptions, Progress
from slabuilder.calibrate.table import LeadTable
from slabuilder.plan import Plan
from slabuilder.signals import DEFAULT_SIGNALS
from slabuilder.words import STAGE_NAMES


@dataclass
class Calibration:
    figures: dict[str, Any]
    """Plain JSON-ready data (what ``--json`` prints)."""
    scoring: dict[str, Any]
    """The ``scoring`` section of the proposed answers."""


def target_rate(plan: Plan, stage: str) -> tuple[Decimal, str]:
    """The share of MQLs the agreement expects to reach ``stage``, and where it comes from."""
    stages = plan.stages
    if "mql" in stages and stage in stages and stages.index(stage) > stages.index("mql"):
        rate = Decimal(1)
        steps = stages[stages.index("mql"):stages.index(stage) + 1]
        for source, target in itertools.pairwise(steps):
            rate *= plan.rates[f"{source}_to_{target}"]
        keys = " x ".join(f"{s}_to_{t}" for s, t in itertools.pairwise(steps))
        return rate, f"the funnel's MQL to {STAGE_NAMES[stage]} rate ({keys})"
    return plan.terms.commitments.acceptance_rate, "the agreement's MQL acceptance term"


def _leads_per_month(plan: Plan, history: History) -> tuple[float | None, str]:
    if "lead" in plan.targets:
        return float(plan.targets["lead"].per_month), "the plan's lead target"
    if history.months:
        return len(history.y) / history.months, "the history's leads a month"
    return None, ("unknown: the funnel starts at MQL and no --date-column dates the history, "
                  "so MQLs a month cannot be estimated")


def _warning(code: str, message: str, column: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "message": message}
    if column is not None:
        item["column"] = column
    return item


def calibrate_table(table: LeadTable, plan: Plan, options: CalibrationOptions,
                    progress: Progress) -> Calibration:
    answers = plan.answers
    progress("Preparing the columns")
    history = load_history(table, options)
    warnings: list[dict[str, Any]] = []
    progress("Checking for leaking columns")
    features, leaks = fit.screen_leaks(history, options, progress)
    for leak in leaks:
        if leak["kept"]:
            warnings.append(_warning(
                "leak_kept", f"{leak['column']!r} alone predicts the outcome with a holdout "
                f"AUC of {words.number(leak['holdout_auc_alone'], 2)}; it is kept because "
                "--include asks "
                "for it, so check that it is known before sales talks to the lead",
                leak["column"]))
        else:
            why = ("almost perfectly" if leak["holdout_auc_alone"] >= fit.LEAK_ALONE_AUC else
                   f"better than all the other columns together "
                   f"({words.number(leak['holdout_auc_others'], 2)})")
            warnings.append(_warning(
                "leak_excluded", f"{leak['column']!r} alone predicts the outcome {why} "
                f"(holdout AUC {words.number(leak['holdout_auc_alone'], 2)}): it was most "
                "likely filled in "
                "after the outcome was known, so it is left out; --include it if it is not",
                leak["column"]))
    for item in history.left_out:
        if item["code"] in ("constant", "empty"):
            warnings.append(_warning("column_unusable", f"{item['column']!r} "
                                     f"{item['reason']}; it is left out", item["column"]))
    progress("Choosing the signals")
    cap = answers.scoring.score_cap or (100 if answers.company.crm == "hubspot" else None)
    chosen = fit.choose_signals(features, history, options, cap)
    scored = fit.as_scored(table, chosen)
    progress("Measuring on the holdout")
    scores = fit.scores_of(table, scored)
    holdout = ~history.train
    y_test, s_test = history.y[holdout], scores[holdout]
    fit_points = sum(s.points for s in chosen if s.kind == "fit")
    rate, rate_source = target_rate(plan, options.outcome_stage)
    threshold, met = fit.choose_threshold(s_test, y_test, float(rate), max(5, fit_points + 5))
    if not met:
        warnings.append(_warning(
            "target_unreachable", f"no score converts at {words.percent(rate, 0)} on the holdout; "
            f"the threshold is set where conversion is highest ({threshold} points)"))
    if len(chosen) < 2:
        warnings.append(_warning("few_signals", "the history supports fewer than two "
                                 "signals; add columns known before sales contact"))
    per_month, per_month_source = _leads_per_month(plan, history)
    tradeoff = _tradeoff(s_test, y_test, threshold, per_month, plan.mql_per_month)
    current, reason = _current_model(table, answers, history, scores_index=holdout)
    used = [f.name for f in features]
    left_out = [*history.left_out,
                *({"column": leak["column"], "code": "leak",
                   "reason": f"alone predicts the outcome on the holdout with AUC "
                             f"{words.number(leak['holdout_auc_alone'], 2)}"}
                  for leak in leaks if not leak["kept"])]
    figures: dict[str, Any] = {
        "history": _describe_history(table, history),
        "outcome": {"column": table.column(options.outcome, option="--outcome").name,
                    "positive_values": history.positive_values,
                    "stage": options.outcome_stage,
                    "stage_name": STAGE_NAMES[options.outcome_stage],
                    "target_rate": float(rate), "target_source": rate_source},
        "outcome_rate": round(float(history.y.mean()), 4),
        "split": history.split,
        "train": _part(history.y[history.train]),
        "holdout": {**_part(y_test), "auc": round(fit.auc(y_test, s_test), 4),
                    "reference_logistic_auc": round(fit.reference_auc(features, history,
                                                                      options.seed), 4),
                    "top_decile": fit.top_decile(s_test, y_test)},
        "signals": [{"id": s.id, "label": s.label, "column": s.column,
                     "condition": _condition_dict(s), "points": s.points, "kind": s.kind,
                     "log_odds": s.coefficient} for s in chosen],
        "threshold": threshold,
        "fit_points": fit_points,
        "threshold_meets_target": met,
        "at_threshold": fit.at_threshold(s_test, y_test, threshold),
        "leads_per_month": round(per_month, 1) if per_month is not None else None,
        "leads_per_month_source": per_month_source,
        "mql_target_per_month": plan.mql_per_month,
        "tradeoff": tradeoff,
        "bands": fit.bands(s_test, y_test),
        "current_model": current,
        "current_model_reason": reason,
        "columns": {"used": used, "left_out": left_out, "included": list(options.include)},
        "leakage": leaks,
        "warnings": warnings,
    }
    return Calibration(figures, _scoring_section(answers, chosen, threshold))


def _part(y: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {"rows": len(y), "converted": int(y.sum()), "rate": round(float(y.mean()), 4)}


def _condition_dict(signal: fit.ChosenSignal) -> dict[str, Any]:
    data = signal.condition.model_dump(exclude_none=True)
    return {key: (float(value) if isinstance(value, Decimal) else value)
            for key, value in data.items()}


def _describe_history(table: LeadTable, history: History) -> dict[str, Any]:
    from slabuilder.actuals.reading import DELIMITER_NAMES

    return {"file": str(table.file.source), "encoding": table.file.encoding,
            "delimiter": DELIMITER_NAMES.get(table.file.delimiter, table.file.delimiter),
            "rows_read": table.rows + len(table.bad_rows), "rows_used": len(history.y),
            "set_aside": [{"reason": reason, "rows": rows}
                          for reason, rows in history.set_aside]}


def _tradeoff(scores: np.ndarray[Any, Any], y: np.ndarray[Any, Any], threshold: int,
              per_month: float | None, target: int) -> list[dict[str, Any]]:
    levels = sorted({int(s) for s in scores if s >= 5} | {threshold})
    here = levels.index(threshold)
    rows = []
    for level in levels[max(0, here - 2):here + 3]:
        row = fit.at_threshold(scores, y, level)
        row["chosen"] = level == threshold
        row["mqls_per_month"] = (round(row["share_of_leads"] * per_month)
                                 if per_month is not None else None)
        row["mql_target_per_month"] = target
        rows.append(row)
    return rows


def _current_model(table: LeadTable, answers: Answers, history: History,
                   scores_index: np.ndarray[Any, Any]) -> tuple[dict[str, Any] | None,
                                                              str | None]:
    signals = model_signals(answers, table)
    usable = [s for s in signals if s.sql is not None]
    if not usable:
        return None, ("none of the present model's signals has a condition on a column of "
                      "this history (the standard signals are described in words), so it "
                      "cannot be measured here")
    scores = fit.scores_of(table, signals)
    y_test, s_test = history.y[scores_index], scores[scores_index]
    threshold = answers.scoring.threshold
    return {"threshold": threshold,
            "signals_evaluated": len(usable),
            "signals_not_evaluated": [s.label for s in signals if s.sql is None],
            "holdout": {"auc": round(fit.auc(y_test, s_test), 4) if s_test.min() < s_test.max()
                        else None},
            "at_threshold": fit.at_threshold(s_test, y_test, threshold),
            "bands": fit.bands(s_test, y_test)}, None


def _scoring_section(answers: Answers, chosen: list[fit.ChosenSignal],
                     threshold: int) -> dict[str, Any]:
    """The calibrated ``scoring`` answers: every standard signal dropped (they cannot be
    evaluated on columns), the calibrated ones added with their conditions."""
    signals: dict[str, Any] = {signal.id: 0 for signal in DEFAULT_SIGNALS}
    for signal in chosen:
        signals[signal.id] = {"label": signal.label, "points": signal.points,
                              "kind": signal.kind,
                              "condition": signal.condition.model_dump(exclude_none=True)}
    section: dict[str, Any] = {"threshold": threshold, "signals": signals}
    if answers.scoring.score_cap is not None:
        section["score_cap"] = answers.scoring.score_cap
    if "max_signals" in answers.scoring.model_fields_set:
        section["max_signals"] = answers.scoring.max_signals
    return section
