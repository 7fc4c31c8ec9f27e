"""Time ``slabuilder calibrate`` against a plain scikit-learn logistic regression on the same
file (run by hand, not a test).

    .venv/bin/python benchmarks/bench_calibrate.py               # 28,800 rows, 3 rounds
    .venv/bin/python benchmarks/bench_calibrate.py 1000000 1     # a million rows, once

Writes a synthetic lead history once (``tests/leadgen.py``: a known true model, a leaking
status column), then in turn, in this one process, round after round:

- **slabuilder**: the whole calibration as the command runs it (reading the CSV, the leak
  screen, the cut points, the selection, the integer points, every holdout figure);
- **baseline**: what a data scientist would write by hand with the same advantages: the CSV
  read by DuckDB (as slabuilder reads it), the leaking column and the ids left out by hand,
  every other column one-hot encoded (numbers in deciles), a scikit-learn logistic regression
  fitted on the same 70% and its holdout AUC.

Prints each round's wall time for both, the median ratio, and the holdout AUC and top-decile
lift of both models.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from leadgen import true_auc, write_history  # noqa: E402
from slabuilder.calibrate.options import CalibrationOptions  # noqa: E402
from slabuilder.jobs.calibrate import calibrate  # noqa: E402

NUMBERS = ("TotalVisits", "Total Time Spent on Website", "Page Views Per Visit")
CATEGORIES = ("Lead Source", "Do Not Email", "Asked For Demo", "Country", "Occupation")


def baseline(history: Path) -> tuple[float, float]:
    """Holdout AUC and top-decile lift of a one-hot logistic regression, by hand."""
    import warnings

    import duckdb
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder

    table = duckdb.connect().execute(
        f"SELECT * FROM read_csv('{history}', all_varchar = true)").fetchnumpy()
    y = np.asarray(table["Converted"], dtype=np.int64)
    numbers = np.column_stack([np.asarray(table[c], dtype=np.float64) for c in NUMBERS])
    categories = np.column_stack([np.asarray(table[c], dtype=object) for c in CATEGORIES])
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=0.3, random_state=20240614, stratify=y)
    bins = KBinsDiscretizer(n_bins=10, encode="onehot", strategy="quantile",
                            quantile_method="averaged_inverted_cdf")
    onehot = OneHotEncoder(handle_unknown="ignore", min_frequency=20)
    from scipy import sparse

    with warnings.catch_warnings():  # deciles of a count collapse; the binner says so
        warnings.simplefilter("ignore", UserWarning)
        binned = bins.fit_transform(numbers[train])
    x_train = sparse.hstack([binned, onehot.fit_transform(categories[train])]).tocsr()
    x_test = sparse.hstack([bins.transform(numbers[test]),
                            onehot.transform(categories[test])]).tocsr()
    model = LogisticRegression(C=1.0, solver="liblinear").fit(x_train, y[train])
    scores = model.decision_function(x_test)
    top = np.argsort(-scores, kind="stable")[:round(len(test) / 10)]
    lift = float(y[test][top].mean() / y[test].mean())
    return float(roc_auc_score(y[test], scores)), lift


def ours(history: Path) -> dict[str, Any]:
    return calibrate(ROOT / "examples" / "acme.yaml", history,
                     CalibrationOptions(outcome="Converted")).figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="?", type=int, default=28_800,
                        help="rows of the synthetic history (default 28,800)")
    parser.add_argument("rounds", nargs="?", type=int, default=3,
                        help="rounds, each timing both in turn (default 3)")
    args = parser.parse_args()
    rows, rounds = args.rows, args.rounds
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(scratch) / "history.csv"
        data = write_history(history, rows)
        print(f"history: {rows:,} rows, {history.stat().st_size / 1e6:.1f} MB; true model "
              f"AUC {true_auc(data):.4f}")
        ratios = []
        figures: dict[str, Any] = {}
        reference = (0.0, 0.0)
        for round_number in range(1, rounds + 1):
            started = time.perf_counter()
            figures = ours(history)
            mine = time.perf_counter() - started
            started = time.perf_counter()
            reference = baseline(history)
            theirs = time.perf_counter() - started
            ratios.append(mine / theirs)
            print(f"round {round_number}: slabuilder {mine:6.2f} s, baseline {theirs:6.2f} s, "
                  f"ratio {mine / theirs:.2f}")
        holdout = figures["holdout"]
        print(f"median ratio {statistics.median(ratios):.2f}")
        print(f"slabuilder: holdout AUC {holdout['auc']:.4f}, top-decile lift "
              f"{holdout['top_decile']['lift']:.2f}, {len(figures['signals'])} signals, "
              f"threshold {figures['threshold']}, grade {figures['quality']['grade']}")
        print(f"baseline:   holdout AUC {reference[0]:.4f}, top-decile lift {reference[1]:.2f}")


if __name__ == "__main__":
    main()
