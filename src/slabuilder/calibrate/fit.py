# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""Calibrating points and threshold: leakage screen, one plain condition per column, signal
selection, integer points, and every figure measured on the holdout.

The method, in order:

1. Each column alone predicts the holdout from its training conversion rates.  A column that
   does so strongly (AUC 0.75 or more) is a suspect.  Each suspect is then weighed against a
   model of every column that is not a suspect: one that predicts almost perfectly on its own
   (0.90), or that adds 0.12 AUC or more to all of them together, was most likely filled in
   after the outcome was known and is left out unless ``--include`` keeps it.  (The strongest
   honest column of a realistic history, time on the website, adds about 0.09.)
   Suspects never hide one another, because none of them is in the model they are weighed
   against.
2. Each column's best yes/no condition is found on the training leads: for a number, the cut
   point (any percentile) with the highest likelihood gain; for a category, the set of values
   (in order of conversion rate) that splits best.  Blank cells are a value like any other,
   so "Country is blank" can carry points.  A column gives at most one condition.
3. Conditions are added one at a time, the one whose score test against the model so far is
   largest (an unpenalised logistic regression with an intercept), until ``max_signals`` are
   in or none adds significantly (p < 0.001).
4. The kept conditions' log-odds become points in multiples of 5 at the scale that ranks the
   training leads best.  A condition that lowers the chance is stated the other way round
   where that reads naturally ("Do Not Email is No" rather than a minus on almost everyone),
   so every lead starts at 0 and scores are seldom negative.
5. The integer model is scored on the holdout with the very SQL ``slabuilder score`` uses.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from slabuilder import words
from slabuilder.answers import SignalCondition
from slabuilder.calibrate.conditions import ScoredSignal, condition_sql, describe, score_sql
from slabuilder.calibrate.data import BLANK, OTHER, Feature, History, Ints
from slabuilder.calibrate.options import CalibrationOptions
from slabuilder.calibrate.table import LeadTable
from slabuilder.errors import SlabuilderError

SELECTION_ROWS = 100_000
LEAK_SUSPECT_AUC = 0.75
LEAK_ALONE_AUC = 0.90
LEAK_GAIN_AUC = 0.12
"""AUC one column adds to every non-suspect column together beyond which it is implausible
for information known before the outcome."""
ENTRY_CHI2 = 10.83
"""A condition joins the model only if its score test is significant at p < 0.001."""
MAX_NAMED = 6
"""Most values a category condition names ("Lead Source is one of A, B, C")."""
NATURAL_SHARE = 0.9
"""A condition true for more than this share of leads is stated the other way round."""
SCALES = (5, 10, 15, 20, 25, 30, 40, 50)
"""Points per unit of log-odds tried when rounding the fitted model to multiples of 5."""
FIT_COLUMN = re.compile(r"title|job|role|occupation|seniority|industry|vertical|country|"
                        r"region|geograph|state|city|employee|company.?size|headcount",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A column's best yes/no condition, and its opposite where one can be written."""

    feature: Feature
    condition: SignalCondition
    mask: npt.NDArray[np.bool_]
    """Where the condition holds, for every usable row."""
    opposite: SignalCondition | None
    gain: float
    """Log-likelihood gain of the split on the training leads."""


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
    """The area under the ROC curve: the chance that a converting lead scores above one that
    did not, ties counting half (the Mann-Whitney statistic, from average ranks)."""
    from scipy.stats import rankdata

    y = np.asarray(y)
    positives = int(y.sum())
    negatives = len(y) - positives
    ranks = rankdata(scores)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def auc_interval(value: float, positives: int, negatives: int) -> tuple[float, float]:
    """A 95% interval for an AUC (Hanley and McNeil's standard error)."""
    q1, q2 = value / (2 - value), 2 * value * value / (1 + value)
    variance = (value * (1 - value) + (positives - 1) * (q1 - value * value)
                + (negatives - 1) * (q2 - value * value)) / (positives * negatives)
    half = 1.96 * math.sqrt(max(variance, 0.0))
    return max(0.0, value - half), min(1.0, value + half)


def _sample(rows: Ints, limit: int, seed: int) -> Ints:
    if len(rows) <= limit:
        return rows
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(rows, size=limit, replace=False))


def onehot(features: list[Feature], rows: Ints) -> Any:
    """A sparse 0/1 matrix with one column per code (blank and rare values included) of
    every feature, for ``rows``: each column weighed whole, as the leak screen and the
    reference regression do."""
    from scipy import sparse

    parts, offset, cols = [], 0, []
    for feature in features:
        codes = feature.codes[rows].astype(np.int64) - OTHER  # OTHER -> 0, BLANK -> 1
        parts.append(codes + offset)
        cols.append(offset)
        offset += int(feature.codes.max()) - OTHER + 1
    if not parts:
        return sparse.csr_matrix((len(rows), 0))
    col_index = np.concatenate(parts)
    row_index = np.tile(np.arange(len(rows)), len(parts))
    data = np.ones(len(col_index), dtype=np.float64)
    return sparse.csr_matrix((data, (row_index, col_index)), shape=(len(rows), offset))


# --------------------------------------------------------------------------- leakage


def alone_auc(feature: Feature, history: History) -> float:
    """Holdout AUC of one column on its own: each code scores its training conversion."""
    codes = feature.codes.astype(np.int64) - OTHER
    size = int(codes.max()) + 1
    train, y = history.train, history.y
    base = float(y[train].mean())
    converted = np.bincount(codes[train], weights=y[train], minlength=size)
    seen = np.bincount(codes[train], minlength=size)
    rates = (converted + 10 * base) / (seen + 10)
    return auc(y[~train], rates[codes[~train]])


def _together_auc(features: list[Feature], history: History, seed: int) -> float:
    """Holdout AUC of a plain regression on ``features`` (0.5 with none at all)."""
    return reference_auc(features, history, seed)[0] if features else 0.5


def screen_leaks(history: History,
                 options: CalibrationOptions) -> tuple[list[Feature], list[dict[str, Any]],
                                                       dict[str, float]]:
    """The features kept, one record per column suspected of leaking the outcome, and every
    column's holdout AUC on its own."""
    included = {name.strip().lower() for name in options.include}
    alone = {feature.name: alone_auc(feature, history) for feature in history.features}
    suspects = [f for f in history.features if alone[f.name] >= LEAK_SUSPECT_AUC]
    clean = [f for f in history.features if f not in suspects]
    found: list[dict[str, Any]] = []
    if not suspects:
        return list(history.features), found, alone
    others = _together_auc(clean, history, options.seed)
    left_out: set[str] = set()
    for suspect in sorted(suspects, key=lambda f: -alone[f.name]):
        score = alone[suspect.name]
        together = _together_auc([*clean, suspect], history, options.seed)
        gain = together - others
        reasons = []
        if score >= LEAK_ALONE_AUC:
            reasons.append("alone")
        if gain >= LEAK_GAIN_AUC:
            reasons.append("gain")
        kept = suspect.name.strip().lower() in included
        if reasons or kept:
            found.append({"column": suspect.name, "holdout_auc_alone": round(score, 4),
                          "holdout_auc_others": round(others, 4),
                          "holdout_auc_with": round(together, 4),
                          "gain": round(gain, 4), "reasons": reasons, "flagged": bool(reasons),
                          "kept": kept})
        if reasons and not kept:
            left_out.add(suspect.name)
    kept_features = [f for f in history.features if f.name not in left_out]
    return kept_features, found, alone


# --------------------------------------------------------------------------- conditions


def _entropy_loss(positives: npt.NDArray[np.float64], count: npt.NDArray[np.float64]) -> Any:
    """``n * H(p)`` in nats, element-wise (0 for an empty or pure group)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(count > 0, positives / np.maximum(count, 1), 0.0)
        inner = (np.where(rate > 0, rate * np.log(np.where(rate > 0, rate, 1)), 0.0)
                 + np.where(rate < 1, (1 - rate) * np.log(np.where(rate < 1, 1 - rate, 1)),
                            0.0))
    return -count * inner


def nice(value: float, figures: int = 2) -> Decimal:
    """A cut point a person would write: ``figures`` significant figures."""
    if value == 0:
        return Decimal(0)
    found: Decimal = Context(prec=figures).create_decimal_from_float(value).normalize()
    return found


def _categorical_candidate(feature: Feature, history: History, least: int) -> Candidate | None:
    train, y = history.train, history.y
    codes = feature.codes.astype(np.int64)
    groups = sorted(set(codes[train].tolist()))
    stats = []
    base = float(y[train].mean())
    for code in groups:
        inside = train & (codes == code)
        n, k = int(inside.sum()), int(y[inside].sum())
        stats.append((code, n, k, (k + 5 * base) / (n + 5)))
    stats.sort(key=lambda item: -item[3])
    total_n, total_k = int(train.sum()), int(y[train].sum())
    whole = _entropy_loss(np.array([total_k], float), np.array([total_n], float))[0]
    best: tuple[float, list[int], list[int]] | None = None
    for cut in range(1, len(stats)):
        high, low = stats[:cut], stats[cut:]
        hn, hk = sum(s[1] for s in high), sum(s[2] for s in high)
        if hn < least or total_n - hn < least:
            continue
        if not (_nameable([s[0] for s in high]) or _nameable([s[0] for s in low])):
            continue
        gain = whole - float(_entropy_loss(np.array([hk, total_k - hk], float),
                                           np.array([hn, total_n - hn], float)).sum())
        if best is None or gain > best[0]:
            best = (gain, [s[0] for s in high], [s[0] for s in low])
    if best is None:
        return None
    gain, high_codes, low_codes = best
    sides = [side for side in (high_codes, low_codes) if _nameable(side)]
    counts = {code: n for code, n, _, _ in stats}
    named = min(sides, key=lambda side: sum(counts[c] for c in side))
    other = low_codes if named is high_codes else high_codes
    condition = _category_condition(feature, named)
    opposite = _category_condition(feature, other) if _nameable(other) else None
    return Candidate(feature, condition, np.isin(codes, named), opposite, gain)


def _nameable(codes: list[int]) -> bool:
    return OTHER not in codes and len([c for c in codes if c != BLANK]) <= MAX_NAMED


def _category_condition(feature: Feature, codes: list[int]) -> SignalCondition:
    values = [feature.levels[c] for c in sorted(c for c in codes if c >= 0)]
    blank = BLANK in codes
    if not values:
        return SignalCondition(column=feature.name, blank=True)
    if len(values) == 1:
        return SignalCondition(column=feature.name, equals=values[0], blank=blank)
    return SignalCondition(column=feature.name, one_of=values, blank=blank)


def _numeric_candidate(feature: Feature, history: History, least: int) -> Candidate | None:
    assert feature.values is not None
    train, y = history.train, history.y
    values = feature.values
    known = train & ~np.isnan(values)
    blank = train & np.isnan(values)
    order = np.sort(values[known])
    sorted_y = y[known][np.argsort(values[known], kind="stable")]
    distinct = np.unique(order)
    cuts = distinct[1:] if len(distinct) <= 100 else np.unique(
        np.quantile(order, np.linspace(0.01, 0.99, 99), method="higher"))
    cuts = cuts[cuts > order[0]]
    if not len(cuts):
        return None
    below = np.searchsorted(order, cuts, side="left").astype(np.float64)
    cum = np.concatenate([[0], np.cumsum(sorted_y)]).astype(np.float64)
    below_k = cum[below.astype(np.int64)]
    n_known, k_known = float(len(order)), float(cum[-1])
    n_blank, k_blank = float(blank.sum()), float(y[blank].sum())
    total_n, total_k = n_known + n_blank, k_known + k_blank
    whole = float(_entropy_loss(np.array([total_k]), np.array([total_n]))[0])
    best: tuple[float, int, bool] | None = None
    for blank_low in (True, False):
        low_n = below + (n_blank if blank_low else 0)
        low_k = below_k + (k_blank if blank_low else 0)
        high_n, high_k = total_n - low_n, total_k - low_k
        gains = whole - _entropy_loss(low_k, low_n) - _entropy_loss(high_k, high_n)
        gains[(low_n < least) | (high_n < least)] = -np.inf
        index = int(np.argmax(gains))
        if np.isfinite(gains[index]) and (best is None or gains[index] > best[0]):
            best = (float(gains[index]), index, blank_low)
    if best is None:
        return None
    gain, index, blank_low = best
    cut = _rounded_cut(float(cuts[index]), order)
    low_rate = ((below_k[index] + (k_blank if blank_low else 0))
                / max(below[index] + (n_blank if blank_low else 0), 1))
    high_rate = ((k_known - below_k[index] + (0 if blank_low else k_blank))
                 / max(n_known - below[index] + (0 if blank_low else n_blank), 1))
    up = SignalCondition(column=feature.name, at_least=cut, blank=not blank_low)
    down = SignalCondition(column=feature.name, below=cut, blank=blank_low)
    condition, opposite = (up, down) if high_rate >= low_rate else (down, up)
    with np.errstate(invalid="ignore"):
        mask = np.where(np.isnan(values), condition.blank,
                        values >= float(cut) if condition.at_least is not None
                        else values < float(cut))
    return Candidate(feature, condition, mask.astype(bool), opposite, gain)


def _rounded_cut(cut: float, order: npt.NDArray[np.float64]) -> Decimal:
    """The roundest number that splits the training values exactly where ``cut`` does."""
    index = int(np.searchsorted(order, cut, side="left"))
    for figures in range(1, 16):
        rounded = nice(cut, figures)
        if int(np.searchsorted(order, float(rounded), side="left")) == index:
            return rounded
    return Decimal(repr(cut))


def candidates(features: list[Feature], history: History) -> list[Candidate]:
    """Each column's best condition on the training leads (columns with none left out)."""
    least = max(20, math.ceil(int(history.train.sum()) * 0.01))
    found = []
    for feature in features:
        candidate = (_numeric_candidate(feature, history, least) if feature.numeric
                     else _categorical_candidate(feature, history, least))
        if candidate is not None and candidate.gain > 0:
            found.append(candidate)
    return found


# --------------------------------------------------------------------------- selection


def _fit_logistic(x: npt.NDArray[np.float64], y: Ints) -> tuple[float, npt.NDArray[Any]]:
    """Intercept and coefficients of a logistic regression whose intercept is not penalised
    (a very light ridge on the coefficients keeps separable data finite), by Newton's method:
    a handful of steps on at most a few dozen columns."""
    rows, width = x.shape
    design = np.column_stack([np.ones(rows), x])
    rate = min(max(float(y.mean()), 1e-6), 1 - 1e-6)
    beta = np.zeros(width + 1)
    beta[0] = math.log(rate / (1 - rate))
    ridge = np.full(width + 1, 1e-4 * rows)
    ridge[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ beta, -30, 30)))
        w = np.maximum(p * (1 - p), 1e-10)
        gradient = design.T @ (y - p) - ridge * beta
        hessian = design.T @ (design * w[:, None]) + np.diag(ridge)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(width + 1), gradient)
        beta += step
        if float(np.abs(step).max()) < 1e-7:
            break
    return float(beta[0]), beta[1:]


def select(found: list[Candidate], history: History, max_signals: int,
           seed: int) -> tuple[list[Candidate], npt.NDArray[np.float64]]:
    """Forward selection by the score test: at each step the condition that the model so
    far explains least, while it is significant and fewer than ``max_signals`` are in."""
    rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, seed)
    y = history.y[rows].astype(np.float64)
    pool = np.column_stack([c.mask[rows] for c in found]).astype(np.float64) if found \
        else np.zeros((len(rows), 0))
    chosen: list[int] = []
    coefficients: npt.NDArray[Any] = np.zeros(0)
    while len(chosen) < max_signals:
        x = pool[:, chosen]
        intercept, coefficients = _fit_logistic(x, y.astype(np.int64))
        p = 1 / (1 + np.exp(-(intercept + x @ coefficients)))
        w = p * (1 - p)
        design = np.column_stack([np.ones(len(rows)), x])
        information = design.T @ (design * w[:, None])
        cross = design.T @ (pool * w[:, None])
        inverse = np.linalg.pinv(information)
        variance = (pool * pool * w[:, None]).sum(axis=0) - np.einsum(
            "ij,ik,kj->j", cross, inverse, cross)
        statistic = (pool.T @ (y - p)) ** 2 / np.maximum(variance, 1e-12)
        statistic[chosen] = 0
        statistic[variance < 1e-9] = 0
        best = int(np.argmax(statistic)) if len(statistic) else -1
        if best < 0 or statistic[best] < ENTRY_CHI2:
            break
        chosen.append(best)
    if chosen:
        coefficients = _fit_logistic(pool[:, chosen], y.astype(np.int64))[1]
    return [found[i] for i in chosen], np.asarray(coefficients, dtype=np.float64)


def orient(chosen: list[Candidate],
           coefficients: npt.NDArray[np.float64]) -> tuple[list[Candidate], list[float]]:
    """State each condition the way a rep reads it best: one that lowers the chance turns
    into its opposite (raising it by as much) unless that opposite would hold for nearly
    every lead; if no condition raises the chance at all, every one that can turns."""
    turned: list[Candidate] = []
    signs: list[float] = []

    def flip(candidate: Candidate) -> Candidate:
        assert candidate.opposite is not None
        return replace(candidate, condition=candidate.opposite, opposite=candidate.condition,
                       mask=~candidate.mask)

    for candidate, coefficient in zip(chosen, coefficients, strict=True):
        share = 1 - float(candidate.mask.mean())
        if coefficient < 0 and candidate.opposite is not None and share <= NATURAL_SHARE:
            turned.append(flip(candidate))
            signs.append(-float(coefficient))
        else:
            turned.append(candidate)
            signs.append(float(coefficient))
    if signs and max(signs) <= 0:
        for index, candidate in enumerate(turned):
            if signs[index] < 0 and candidate.opposite is not None:
                turned[index] = flip(candidate)
                signs[index] = -signs[index]
    return turned, signs


def to_points(coefficients: npt.NDArray[np.float64], x_sample: Any, y_sample: Ints,
              cap: int | None) -> npt.NDArray[np.int64]:
    """Multiples of 5 at the scale whose rounded model ranks the training sample best."""
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    for scale in SCALES:
        points = (np.round(coefficients * scale / 5) * 5).astype(np.int64)
        points = np.clip(points, -100, 100)
        if (points > 0).sum() == 0:
            continue
        if cap is not None and points[points > 0].sum() > cap and best is not None:
            continue
        score = auc(y_sample, x_sample @ points)
        if best is None or score > best[0] + 0.0002:
            best = (score, points)
    if best is None:
        raise _NothingRaisesError
    return best[1]


class _NothingRaisesError(Exception):
    """No chosen signal raises a lead's score, so no threshold could ever be reached."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48] or "signal"


def _signal_id(condition: SignalCondition, taken: set[str]) -> str:
    base = _slug(describe(condition))
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def choose_signals(features: list[Feature], history: History, options: CalibrationOptions,
                   cap: int | None) -> tuple[list[ChosenSignal], list[Candidate]]:
    """The signals of the calibrated model, and every column's best condition."""
    from slabuilder.signals import KNOWN_SIGNAL_IDS

    found = candidates(features, history)
    picked, coefficients = select(found, history, options.max_signals, options.seed)
    if not picked:
        return [], found
    picked, signs = orient(picked, coefficients)
    rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, options.seed + 1)
    x_sample = np.column_stack([c.mask[rows] for c in picked]).astype(np.float64)
    try:
        points = to_points(np.array(signs), x_sample, history.y[rows], cap)
    except _NothingRaisesError:
        shown = [describe(c.condition) for c in picked]
        raise SlabuilderError(
            "every signal this history supports lowers a lead's chance of converting ("
            + words.join([f"\u201c{text}\u201d" for text in shown[:4]]
                         + ([f"{words.count(len(shown) - 4)} more"] if len(shown) > 4 else []))
            + "), so no score could ever reach a threshold and no model was written; give "
            "columns that record what leads did (visits, forms, demo requests), or keep the "
            "current model", key="--history") from None
    taken = set(KNOWN_SIGNAL_IDS)
    chosen = []
    for candidate, coefficient, value in zip(picked, signs, points, strict=True):
        if value == 0:
            continue
        kind = "negative" if value < 0 else (
            "fit" if FIT_COLUMN.search(candidate.feature.name) else "behaviour")
        chosen.append(ChosenSignal(_signal_id(candidate.condition, taken),
                                   describe(candidate.condition), candidate.feature.name,
                                   candidate.condition, int(value), kind,
                                   round(float(coefficient), 4)))
    chosen.sort(key=lambda s: -s.points)
    return chosen, found


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


def at_threshold(scores: npt.NDArray[np.int64], y: Ints, threshold: int,
                 eligible: npt.NDArray[np.bool_] | None = None) -> dict[str, Any]:
    """Leads at or above ``threshold`` (and ``eligible``: passing the fit filter), how many
    convert and what share of every conversion they catch."""
    chosen = scores >= threshold
    if eligible is not None:
        chosen &= eligible
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


def top_decile(scores: npt.NDArray[Any], y: Ints) -> dict[str, Any]:
    """The tenth of leads with the highest scores (ties broken at random, seeded, so that
    an integer score and a continuous one are compared on the same number of leads)."""
    count = max(1, round(len(y) / 10))
    jitter = np.random.default_rng(0).random(len(y))
    top = np.lexsort((jitter, -np.asarray(scores, dtype=np.float64)))[:count]
    rate = float(y[top].mean())
    return {"min_score": round(float(np.min(np.asarray(scores)[top])), 4), "leads": count,
            "share_of_leads": round(count / len(y), 4), "rate": round(rate, 4),
            "lift": round(rate / float(y.mean()), 2)}


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: int
    met: bool
    why: str
    """``met``: the lowest score above the floor at the target rate; ``best``: no score does,
    the best-converting one with enough leads; ``too_few``: no score above the floor has
    enough leads to judge."""
    least: int
    """Fewest holdout MQLs a threshold must give to be judged."""


def choose_threshold(scores: npt.NDArray[np.int64], y: Ints, target: float, floor: int,
                     eligible: npt.NDArray[np.bool_] | None = None) -> ThresholdChoice:
    """The lowest score, not below ``floor``, whose MQLs (at or above it and ``eligible``)
    convert at ``target`` or better; else the best-converting score with enough MQLs."""
    mask = np.ones(len(y), dtype=bool) if eligible is None else eligible
    levels = sorted({int(s) for s in scores[mask] if s >= floor})
    least = max(10, len(y) // 100)
    usable = []
    for level in levels:
        chosen = (scores >= level) & mask
        if chosen.sum() < least:
            continue
        rate = float(y[chosen].mean())
        if rate >= target:
            return ThresholdChoice(level, True, "met", least)
        usable.append((rate, -level))
    if not usable:
        return ThresholdChoice(floor, False, "too_few", least)
    return ThresholdChoice(-max(usable)[1], False, "best", least)


def reference_auc(features: list[Feature], history: History, seed: int) -> tuple[float, Any]:
    """Holdout AUC and scores of a plain logistic regression on every column (the
    benchmark the integer model is held against)."""
    from sklearn.linear_model import LogisticRegression

    train_rows = _sample(np.nonzero(history.train)[0], SELECTION_ROWS, seed)
    test_rows = np.nonzero(~history.train)[0]
    model = _quiet_fit(LogisticRegression(C=1.0, solver="liblinear"),
                       onehot(features, train_rows), history.y[train_rows])
    scores = model.decision_function(onehot(features, test_rows))
    return auc(history.y[test_rows], scores), scores
