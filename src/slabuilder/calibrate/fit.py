# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""Calibrating points and threshold: leakage screen, signal selection, integer points, the
threshold that serves the agreement, and every figure measured on the holdout.

The method, in order:

1. Each column alone predicts the holdout from its training conversion rates; a column that
   does so almost perfectly (AUC 0.95 or more), or better than every other column together,
   was most likely filled in after the outcome was known, and is left out unless
   ``--include`` keeps it.
2. An L1-penalised logistic regression (scikit-learn, liblinear) on yes/no indicators, one per
   category or numeric range, with the penalty set so that at most ``max_signals`` remain.
3. The kept indicators are refitted (L2, lbfgs) on the whole training part and their log-odds
   turned into points in multiples of 5, at the scale that ranks the training leads best.
4. The integer model is scored on the holdout with the very SQL ``slabuilder score`` uses.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from slabuilder import words
from slabuilder.answers import SignalCondition
from slabuilder.calibrate.conditions import ScoredSignal, condition_sql, describe, score_sql
from slabuilder.calibrate.data import Feature, History, Ints
from slabuilder.calibrate.options import CalibrationOptions, Progress
from slabuilder.calibrate.table import LeadTable
from slabuilder.errors import SlabuilderError

SELECTION_ROWS = 100_000
LEAK_ALONE_AUC = 0.95
LEAK_STRONG_AUC = 0.80
SCALES = (5, 10, 15, 20, 25, 30, 40)
"""Points per unit of log-odds tried when rounding the fitted model to multiples of 5."""
FIT_COLUMN = re.compile(r"title|job|role|occupation|seniority|industry|vertical|country|"
                        r"region|geograph|state|city|employee|company.?size|headcount",
                        re.IGNORECASE)


@dataclass(frozen=True)
class ChosenSignal:
    id: str
    label: str
    column: str
    condition: SignalCondition
    points: int
    kind: str
    coefficient: float


def _quiet_fit(model: Any, x: Any, y: Any) -> Any:
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def auc(y: Ints, scores: npt.NDArray[Any]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


def _offsets(features: list[Feature]) -> list[int]:
    offsets, total = [], 0
    for feature in features:
        offsets.append(total)
        total += len(feature.conditions)
    return [*offsets, total]


def indicators(features: list[Feature], rows: Ints) -> Any:
    """A sparse 0/1 matrix: one column per level of every feature, for ``rows``."""
    from scipy import sparse

    offsets = _offsets(features)
    row_parts, col_parts = [], []
    for feature, offset in zip(features, offsets, strict=False):
        codes = feature.codes[rows]
        present = np.nonzero(codes >= 0)[0]
        if feature.cumulative:
            for level in range(len(feature.conditions)):
                inside = np.nonzero(codes >= level)[0]
                row_parts.append(inside)
                col_parts.append(np.full(len(inside), offset + level, dtype=np.int64))
            continue
        row_parts.append(present)
        col_parts.append(offset + codes[present].astype(np.int64))
    row_index = np.concatenate(row_parts) if row_parts else np.array([], dtype=np.int64)
    col_index = np.concatenate(col_parts) if col_parts else np.array([], dtype=np.int64)
    data = np.ones(len(row_index), dtype=np.float64)
    return sparse.csr_matrix((data, (row_index, col_index)), shape=(len(rows), offsets[-1]))


def _sample(rows: Ints, limit: int, seed: int) -> Ints:
    if len(rows) <= limit:
        return rows
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(rows, size=limit, replace=False))


# --------------------------------------------------------------------------- leakage


def alone_auc(feature: Feature, history: History) -> float:
    """Holdout AUC of one column on its own: each level scores its training conversion."""
    codes = feature.codes.astype(np.int64) + 1
    size = int(codes.max()) + 1
    train, y = history.train, history.y
    base = float(y[train].mean())
    converted = np.bincount(codes[train], weights=y[train], minlength=size)
    seen = np.bincount(codes[train], minlength=size)
    rates = (converted + 10 * base) / (seen + 10)
    return auc(y[~train], rates[codes[~train]])


def _together_auc(features: list[Feature], history: History, seed: int) -> float:
    from sklearn.linear_model import LogisticRegression

    train_rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, seed)
    test_rows = np.nonzero(~history.train)[0]
    model = _quiet_fit(LogisticRegression(C=1.0, solver="liblinear"),
                       indicators(features, train_rows), history.y[train_rows])
    scores = model.decision_function(indicators(features, test_rows))
    return auc(history.y[test_rows], scores)


def screen_leaks(history: History, options: CalibrationOptions,
                 progress: Progress) -> tuple[list[Feature], list[dict[str, Any]]]:
    """The features kept, and one record per column suspected of leaking the outcome."""
    included = {name.strip().lower() for name in options.include}
    kept = list(history.features)
    found: list[dict[str, Any]] = []
    alone = {feature.name: alone_auc(feature, history) for feature in kept}
    for _ in range(len(kept)):
        candidates = [f for f in kept if f.name.strip().lower() not in included
                      and f.name not in {item["column"] for item in found}]
        if not candidates or len(kept) < 2:
            break
        top = max(candidates, key=lambda f: alone[f.name])
        score = alone[top.name]
        if score < LEAK_STRONG_AUC:
            break
        progress("Checking for leaking columns")
        others = _together_auc([f for f in kept if f is not top], history, options.seed)
        if score < LEAK_ALONE_AUC and score <= others:
            break
        found.append({"column": top.name, "holdout_auc_alone": round(score, 4),
                      "holdout_auc_others": round(others, 4), "kept": False})
        kept.remove(top)
    for feature in history.features:
        if feature.name.strip().lower() in included and alone[feature.name] >= LEAK_STRONG_AUC:
            found.append({"column": feature.name,
                          "holdout_auc_alone": round(alone[feature.name], 4),
                          "holdout_auc_others": None, "kept": True})
    return kept, found


# --------------------------------------------------------------------------- selection


def select_levels(features: list[Feature], history: History, max_signals: int,
                  seed: int) -> list[int]:
    """Indicator columns kept by the strongest L1 penalty that leaves at most
    ``max_signals`` of them (a bisection on the penalty's log scale)."""
    from sklearn.linear_model import LogisticRegression

    rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, seed)
    x, y = indicators(features, rows), history.y[rows]

    def kept(log_c: float) -> list[int]:
        model = _quiet_fit(LogisticRegression(C=10 ** log_c, l1_ratio=1.0,
                                              solver="liblinear", random_state=seed), x, y)
        return [int(i) for i in np.nonzero(np.abs(model.coef_[0]) > 1e-6)[0]]

    low, high = -5.0, 1.0
    best = kept(high)
    if len(best) <= max_signals:
        return best
    best = []
    for _ in range(14):
        middle = (low + high) / 2
        found = kept(middle)
        if len(found) <= max_signals:
            low, best = middle, found if len(found) >= len(best) else best
        else:
            high = middle
    return best


def _refit(features: list[Feature], levels: list[int], history: History) -> Any:
    from sklearn.linear_model import LogisticRegression

    rows = np.nonzero(history.train)[0]
    x = indicators(features, rows)[:, levels].toarray()
    return _quiet_fit(LogisticRegression(C=1.0), x, history.y[rows]).coef_[0]


def to_points(coefficients: npt.NDArray[np.float64], x_sample: Any, y_sample: Ints,
              cap: int | None) -> npt.NDArray[np.int64]:
    """Multiples of 5 at the scale whose rounded model ranks the training sample best."""
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    for scale in SCALES:
        points = (np.round(coefficients * scale / 5) * 5).astype(np.int64)
        points = np.clip(points, -100, 100)
        if not points.any() or (points > 0).sum() == 0:
            continue
        if cap is not None and points[points > 0].sum() > cap and best is not None:
            continue
        score = auc(y_sample, x_sample @ points)
        if best is None or score > best[0] + 0.0002:
            best = (score, points)
    if best is None:  # every signal lowers the chance (or rounds to nothing that raises it)
        raise _NothingRaisesError
    return best[1]


class _NothingRaisesError(Exception):
    """No chosen signal raises a lead's score, so no threshold could ever be reached."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48] or "signal"


def _signal_id(condition: SignalCondition, taken: set[str]) -> str:
    if condition.equals is not None:
        base = _slug(f"{condition.column} {condition.equals}")
    elif condition.below is None:
        base = _slug(f"{condition.column} at least {condition.at_least}")
    else:
        low = "" if condition.at_least is None else f"from {condition.at_least}"
        high = "" if condition.below is None else f"below {condition.below}"
        base = _slug(f"{condition.column} {low} {high}")
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def choose_signals(features: list[Feature], history: History, options: CalibrationOptions,
                   cap: int | None) -> list[ChosenSignal]:
    from slabuilder.signals import KNOWN_SIGNAL_IDS

    levels = select_levels(features, history, options.max_signals, options.seed)
    if not levels:
        return []
    coefficients = _refit(features, levels, history)
    rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, options.seed + 1)
    x_sample = indicators(features, rows)[:, levels].toarray()
    offsets = _offsets(features)
    try:
        points = to_points(coefficients, x_sample, history.y[rows], cap)
    except _NothingRaisesError:
        found = [describe(features[index].conditions[level - offsets[index]])
                 for level in levels
                 for index in [int(np.searchsorted(offsets, level, side="right")) - 1]]
        raise SlabuilderError(
            "every signal this history supports lowers a lead's chance of converting ("
            + words.join([f"\u201c{text}\u201d" for text in found[:4]]
                         + ([f"{words.count(len(found) - 4)} more"] if len(found) > 4 else []))
            + "), so no score could ever reach a threshold and no model was written; give "
            "columns that record what leads did (visits, forms, demo requests), or keep the "
            "current model", key="--history") from None
    taken = set(KNOWN_SIGNAL_IDS)
    chosen = []
    for level, coefficient, value in zip(levels, coefficients, points, strict=True):
        if value == 0:
            continue
        index = int(np.searchsorted(offsets, level, side="right")) - 1
        feature = features[index]
        condition = feature.conditions[level - offsets[index]]
        kind = "negative" if value < 0 else (
            "fit" if FIT_COLUMN.search(feature.name) else "behaviour")
        chosen.append(ChosenSignal(_signal_id(condition, taken), describe(condition),
                                   feature.name, condition, int(value), kind,
                                   round(float(coefficient), 4)))
    chosen.sort(key=lambda s: -s.points)
    return chosen


# --------------------------------------------------------------------------- measuring


def scores_of(table: LeadTable, signals: list[ScoredSignal]) -> npt.NDArray[np.int64]:
    """The score of every usable row (in ``rid`` order) by the model's own SQL."""
    result = table.con.execute(
        f"SELECT ({score_sql(signals)}) AS s FROM usable u JOIN leads USING (rid) "
        "ORDER BY rid").fetchnumpy()["s"]
    return np.asarray(result, dtype=np.int64)


def as_scored(table: LeadTable, chosen: list[ChosenSignal]) -> list[ScoredSignal]:
    return [ScoredSignal(s.id, s.label, s.points, s.kind, s.condition,
                         condition_sql(s.condition, table)) for s in chosen]


def at_threshold(scores: npt.NDArray[np.int64], y: Ints, threshold: int) -> dict[str, Any]:
    chosen = scores >= threshold
    count = int(chosen.sum())
    hits = int(y[chosen].sum())
    return {"threshold": threshold, "leads": count,
            "share_of_leads": round(count / len(y), 4),
            "converted": hits,
            "precision": round(hits / count, 4) if count else None,
            "recall": round(hits / int(y.sum()), 4) if y.sum() else None}


def bands(scores: npt.NDArray[np.int64], y: Ints) -> list[dict[str, Any]]:
    """Up to ten score bands cut at the deciles (ties keep a band whole), best first."""
    base = float(y.mean())
    mins = sorted({int(np.quantile(scores, q, method="lower"))
                   for q in np.linspace(0, 0.9, 10)}, reverse=True)
    found, upper = [], None
    for low in mins:
        inside = (scores >= low) & ((scores < upper) if upper is not None else True)
        count = int(inside.sum())
        if count:
            rate = float(y[inside].mean())
            found.append({"min_score": low, "max_score": int(scores[inside].max()),
                          "leads": count, "share_of_leads": round(count / len(y), 4),
                          "converted": int(y[inside].sum()), "rate": round(rate, 4),
                          "lift": round(rate / base, 2) if base else None})
        upper = low
    return found


def top_decile(scores: npt.NDArray[np.int64], y: Ints) -> dict[str, Any]:
    """Leads scoring at or above the score of the lead at the 90th percentile."""
    cut = int(np.quantile(scores, 0.9, method="higher"))
    inside = scores >= cut
    rate = float(y[inside].mean())
    return {"min_score": cut, "leads": int(inside.sum()),
            "share_of_leads": round(float(inside.mean()), 4), "rate": round(rate, 4),
            "lift": round(rate / float(y.mean()), 2)}


def choose_threshold(scores: npt.NDArray[np.int64], y: Ints, target: float,
                     floor: int) -> tuple[int, bool]:
    """The lowest score, not below ``floor``, whose leads at or above it convert at
    ``target`` or better; else the best-converting score with enough leads (``False``)."""
    levels = sorted({int(s) for s in scores if s >= floor})
    least = max(10, len(y) // 100)
    for level in levels:
        chosen = scores >= level
        if chosen.sum() >= least and float(y[chosen].mean()) >= target:
            return level, True
    usable = [(float(y[scores >= level].mean()), -level) for level in levels
              if (scores >= level).sum() >= least]
    if not usable:
        return floor, False
    return -max(usable)[1], False


def reference_auc(features: list[Feature], history: History, seed: int) -> float:
    """Holdout AUC of a plain logistic regression on every indicator (the benchmark)."""
    return _together_auc(features, history, seed)


def decimal_of(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
