# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""One calibration from a read lead table to its figures and the proposed scoring section."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.calibrate import fit
from slabuilder.calibrate.conditions import describe, model_signals, score_sql
from slabuilder.calibrate.data import History, Ints, load_history
from slabuilder.calibrate.options import CalibrationOptions, Progress
from slabuilder.calibrate.score import MqlRule, mql_rule
from slabuilder.calibrate.table import LeadTable
from slabuilder.errors import SlabuilderError
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


AUC_FLOOR = 0.6
"""Below this holdout AUC a model ranks leads too little better than chance to write out."""
GRADES = ((0.8, "A", "strong", "ready to use"),
          (0.7, "B", "good", "ready to use"),
          (AUC_FLOOR, "C", "weak", "usable with care: watch what sales accepts"),
          (0.0, "D", "poor", "not ready: it ranks leads little better than chance"))


def _leak_message(leak: dict[str, Any]) -> str:
    alone = words.number(leak["holdout_auc_alone"], 2)
    if leak["kept"]:
        return (f"{leak['column']!r} alone predicts the outcome with a holdout AUC of {alone}; "
                "it is kept because --include asks for it, so check that it is known before "
                "sales talks to the lead")
    return (f"{leak['column']!r} predicts the outcome {_leak_why(leak)}: more than information "
            "known before the outcome plausibly does, so it was most likely filled in "
            "afterwards and is left out; --include it if it is not")


def _leak_why(leak: dict[str, Any]) -> str:
    alone = words.number(leak["holdout_auc_alone"], 2)
    why = []
    if "alone" in leak["reasons"]:
        why.append(f"almost perfectly on its own (holdout AUC {alone})")
    else:
        why.append(f"on its own with a holdout AUC of {alone}")
    if "gain" in leak["reasons"]:
        why.append(f"adds {words.number(leak['gain'], 2)} AUC to every other column together")
    return words.join(why)


def quality(auc_value: float, y: Ints, current_auc: float | None) -> dict[str, Any]:
    """The holdout AUC with its 95% interval, a grade and whether the model may be written."""
    positives = int(y.sum())
    low, high = fit.auc_interval(auc_value, positives, len(y) - positives)
    _, grade, word, verdict = next(g for g in GRADES if auc_value >= g[0])
    reasons = []
    if auc_value < AUC_FLOOR:
        reasons.append(f"its holdout AUC of {words.number(auc_value, 2)} is below the floor "
                       f"of {words.number(AUC_FLOOR, 2)}")
    if current_auc is not None and current_auc > auc_value:
        reasons.append(f"it ranks the same holdout leads worse than the present model (AUC "
                       f"{words.number(auc_value, 2)} against {words.number(current_auc, 2)})")
    return {"auc": round(auc_value, 4), "interval": [round(low, 4), round(high, 4)],
            "grade": grade, "grade_word": word, "verdict": verdict, "floor": AUC_FLOOR,
            "current_model_auc": current_auc, "passed": not reasons, "reasons": reasons}


def priority_bands(scores: npt.NDArray[np.int64], y: Ints, threshold: int,
                   eligible: npt.NDArray[np.bool_]) -> list[dict[str, Any]]:
    """A to D, as a rep works them: A the better-scoring half of the MQLs (call first), B the
    other MQLs, C the leads that are not MQLs but score half the threshold or more (close, or
    scoring well outside the profile), D the rest."""
    mql = (scores >= threshold) & eligible
    top = int(np.median(scores[mql])) if mql.any() else threshold
    a_cut = top if top > threshold else threshold + 5
    half = threshold // 2
    groups = (("A", "call first: the better-scoring half of the MQLs", mql & (scores >= a_cut),
               a_cut, None),
              ("B", "MQL: route to sales within the agreed time", mql & (scores < a_cut),
               threshold, a_cut),
              ("C", "not an MQL: close to the threshold, or outside the fit filter",
               ~mql & (scores >= half),
               half, threshold),
              ("D", "nurture", ~mql & (scores < half), None, half))
    base = float(y.mean())
    found = []
    for band, meaning, inside, low, below in groups:
        count = int(inside.sum())
        rate = float(y[inside].mean()) if count else None
        found.append({"band": band, "meaning": meaning, "min_score": low, "below": below,
                      "leads": count, "share_of_leads": round(count / len(y), 4),
                      "converted": int(y[inside].sum()),
                      "rate": round(rate, 4) if rate is not None else None,
                      "lift": round(rate / base, 2) if rate is not None and base else None})
    return found


def _eligible(table: LeadTable, rule: MqlRule) -> npt.NDArray[np.bool_]:
    """Whether each usable row (in ``rid`` order) passes the fit filter and disqualifiers."""
    result = table.con.execute(f"SELECT ({rule.eligible_sql()}) AS e FROM usable u "
                               "JOIN leads USING (rid) ORDER BY rid").fetchnumpy()["e"]
    return np.asarray(result, dtype=bool)


def calibrate_table(table: LeadTable, plan: Plan, options: CalibrationOptions,
                    progress: Progress) -> Calibration:
    answers = plan.answers
    progress("Preparing the columns")
    history = load_history(table, options)
    warnings: list[dict[str, Any]] = []
    progress("Checking for leaking columns")
    features, leaks, alone = fit.screen_leaks(history, options)
    for leak in leaks:
        warnings.append(_warning("leak_kept" if leak["kept"] else "leak_excluded",
                                 _leak_message(leak), leak["column"]))
    for item in history.left_out:
        if item["code"] in ("constant", "empty"):
            warnings.append(_warning("column_unusable", f"{item['column']!r} "
                                     f"{item['reason']}; it is left out", item["column"]))
    progress("Choosing the signals")
    cap = answers.scoring.score_cap or (100 if answers.company.crm == "hubspot" else None)
    chosen, found = fit.choose_signals(features, history, options, cap)
    if not chosen:
        raise SlabuilderError(
            "no column of this history tells converted leads from the others clearly enough "
            "(no condition is significant at p < 0.001), so no model was written; give a "
            "longer history or columns that record what leads did", key="--history")
    scored = fit.as_scored(table, chosen)
    rule = mql_rule(answers, table, signals=scored)
    progress("Measuring on the holdout")
    scores = fit.scores_of(table, scored)
    eligible = _eligible(table, rule)
    holdout = ~history.train
    y_test, s_test, e_test = history.y[holdout], scores[holdout], eligible[holdout]
    fit_points = _fit_points(chosen)
    rate, rate_source = target_rate(plan, options.outcome_stage)
    floor = max(5, fit_points + 5)
    choice = fit.choose_threshold(s_test, y_test, float(rate), floor, e_test)
    threshold = choice.threshold
    if choice.why == "best":
        best = fit.at_threshold(s_test, y_test, threshold, e_test)
        warnings.append(_warning(
            "target_unreachable",
            f"no threshold gives MQLs that convert at {words.percent(rate, 0)} on the holdout; "
            f"{threshold} points is where they convert best "
            f"({words.percent(best['precision'], 0)} of {words.count(best['leads'])} leads)"))
    elif choice.why == "too_few":
        warnings.append(_warning(
            "threshold_untested",
            f"fewer than {words.count(choice.least)} holdout leads pass the fit filter and "
            f"score above {words.count(floor - 5)} points, so no threshold could be judged; "
            f"{threshold} points is only the lowest the agreement allows, check it against "
            "the first month's MQLs"))
    share_eligible = float(e_test.mean())
    if rule.fit_checks and share_eligible < 0.5:
        names = words.join([name for name, _ in rule.fit_checks])
        warnings.append(_warning(
            "fit_filter_narrow",
            f"the agreement's fit filter ({names}) passes only "
            f"{words.percent(share_eligible, 0)} of this history's leads, so most of them can "
            "never be MQLs whatever they score; check the profile or the history"))
    if len(chosen) < 2:
        warnings.append(_warning("few_signals", "the history supports fewer than two "
                                 "signals; add columns known before sales contact"))
    per_month, per_month_source = _leads_per_month(plan, history)
    tradeoff = _tradeoff(s_test, y_test, e_test, threshold, fit_points, per_month,
                         plan.mql_per_month)
    current, reason = _current_model(table, answers, history, scores_index=holdout)
    model_auc = fit.auc(y_test, s_test) if s_test.min() < s_test.max() else 0.5
    reference, reference_scores = fit.reference_auc(features, history, options.seed)
    comparable = (current["holdout"]["auc"] if current is not None
                  and not current["signals_not_evaluated"] else None)
    grade = quality(model_auc, y_test, comparable)
    if not grade["passed"]:
        warnings.insert(0, _warning("quality_gate", "the model is not written out unless "
                                    "--force: " + words.join(grade["reasons"])))
    at = fit.at_threshold(s_test, y_test, threshold, e_test)
    file_mqls = _file_mqls(table, rule, scored, threshold)
    used = [f.name for f in features]
    left_out = [*history.left_out,
                *({"column": leak["column"], "code": "leak",
                   "reason": f"predicts the outcome {_leak_why(leak)}, so it was most likely "
                             "filled in after the outcome was known"}
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
        "holdout": {**_part(y_test), "auc": round(model_auc, 4),
                    "auc_interval": grade["interval"],
                    "reference_logistic_auc": round(reference, 4),
                    "top_decile": fit.top_decile(s_test, y_test),
                    "reference_top_decile": fit.top_decile(reference_scores, y_test)},
        "quality": grade,
        "signals": [{"id": s.id, "label": s.label, "column": s.column,
                     "condition": _condition_dict(s), "points": s.points, "kind": s.kind,
                     "log_odds": s.coefficient} for s in chosen],
        "score_range": {"min": sum(s.points for s in chosen if s.points < 0),
                        "max": sum(s.points for s in chosen if s.points > 0)},
        "threshold": threshold,
        "fit_points": fit_points,
        "threshold_floor": floor,
        "threshold_meets_target": choice.met,
        "threshold_reason": choice.why,
        "below_floor_at_target": _below_floor(s_test, y_test, e_test, floor, float(rate),
                                              choice.least),
        "at_threshold": at,
        "fit_filter": {"checked": [name for name, _ in rule.fit_checks],
                       "not_checked": rule.fit_unchecked,
                       "blank_fit_fields": answers.icp.blank_fit_fields,
                       "share_of_leads_passing": round(share_eligible, 4),
                       "disqualifiers_checked": [name for name, _ in rule.dq_checks]},
        "leads_per_month": round(per_month, 1) if per_month is not None else None,
        "leads_per_month_source": per_month_source,
        "mqls_per_month": (round(at["share_of_leads"] * per_month)
                           if per_month is not None else None),
        "mql_target_per_month": plan.mql_per_month,
        "file_mqls": file_mqls,
        "tradeoff": tradeoff,
        "bands": fit.bands(s_test, y_test),
        "priority_bands": priority_bands(s_test, y_test, threshold, e_test),
        "importance": _importance(found, alone, chosen, leaks, history),
        "current_model": current,
        "current_model_reason": reason,
        "columns": {"used": used, "left_out": left_out, "included": list(options.include)},
        "leakage": leaks,
        "warnings": warnings,
    }
    return Calibration(figures, _scoring_section(answers, chosen, threshold))


def _fit_points(chosen: list[fit.ChosenSignal]) -> int:
    """The most fit alone can give: one condition per column, so the positive fit points
    simply add up."""
    return sum(s.points for s in chosen if s.kind == "fit" and s.points > 0)


def _below_floor(scores: npt.NDArray[np.int64], y: Ints, eligible: npt.NDArray[np.bool_],
                 floor: int, target: float, least: int) -> list[dict[str, Any]]:
    """Thresholds under the floor (fit alone could reach them) whose MQLs would convert at
    the target: the price of the rule that fit alone never makes an MQL."""
    found = []
    for level in sorted({int(s) for s in scores if 5 <= s < floor}):
        row = fit.at_threshold(scores, y, level, eligible)
        if row["leads"] >= least and row["precision"] is not None \
                and row["precision"] >= target:
            found.append(row)
    return found


def _file_mqls(table: LeadTable, rule: MqlRule, scored: list[Any],
               threshold: int) -> dict[str, Any]:
    """How many leads of the whole file ``slabuilder score`` will call MQLs with this model:
    the same SQL, the same rows."""
    row = table.con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE ({score_sql(scored)}) >= {threshold} AND "
        f"({rule.eligible_sql()})) FROM leads").fetchone()
    leads, mqls = (int(row[0]), int(row[1])) if row else (0, 0)
    return {"leads": leads, "mqls": mqls, "share": round(mqls / leads, 4) if leads else None}


def _importance(found: list[fit.Candidate], alone: dict[str, float],
                chosen: list[fit.ChosenSignal], leaks: list[dict[str, Any]],
                history: History) -> list[dict[str, Any]]:
    """Every column weighed: its holdout AUC on its own, its best condition, and whether the
    model uses it (or why not)."""
    best = {c.feature.name: c for c in found}
    used = {s.column for s in chosen}
    leaked = {leak["column"] for leak in leaks if not leak["kept"]}
    rows = []
    for feature in sorted(history.features, key=lambda f: -alone[f.name]):
        candidate = best.get(feature.name)
        status = ("used" if feature.name in used else "leak" if feature.name in leaked
                  else "not needed" if candidate is not None else "no clear split")
        rows.append({"column": feature.name, "holdout_auc_alone": round(alone[feature.name], 4),
                     "best_condition": describe(candidate.condition) if candidate else None,
                     "status": status})
    return rows


def _part(y: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {"rows": len(y), "converted": int(y.sum()), "rate": round(float(y.mean()), 4)}


def _condition_dict(signal: fit.ChosenSignal) -> dict[str, Any]:
    data = signal.condition.model_dump(exclude_defaults=True)
    return {key: (float(value) if isinstance(value, Decimal) else value)
            for key, value in data.items()}


def _describe_history(table: LeadTable, history: History) -> dict[str, Any]:
    from slabuilder.actuals.reading import DELIMITER_NAMES

    return {"file": str(table.file.source), "encoding": table.file.encoding,
            "delimiter": DELIMITER_NAMES.get(table.file.delimiter, table.file.delimiter),
            "rows_read": table.rows + len(table.bad_rows), "rows_used": len(history.y),
            "set_aside": [{"reason": reason, "rows": rows}
                          for reason, rows in history.set_aside]}


def _tradeoff(scores: npt.NDArray[np.int64], y: Ints, eligible: npt.NDArray[np.bool_],
              threshold: int, fit_points: int, per_month: float | None,
              target: int) -> list[dict[str, Any]]:
    levels = sorted({int(s) for s in scores if s >= 5} | {threshold})
    here = levels.index(threshold)
    rows = []
    for level in levels[max(0, here - 2):here + 3]:
        row = fit.at_threshold(scores, y, level, eligible)
        row["chosen"] = level == threshold
        row["fit_alone_reaches"] = level <= fit_points
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
                              "condition": signal.condition.model_dump(exclude_defaults=True)}
    section: dict[str, Any] = {"threshold": threshold, "signals": signals}
    if answers.scoring.score_cap is not None:
        section["score_cap"] = answers.scoring.score_cap
    if "max_signals" in answers.scoring.model_fields_set:
        section["max_signals"] = answers.scoring.max_signals
    return section
