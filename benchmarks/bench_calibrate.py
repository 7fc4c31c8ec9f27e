"""Time ``slabuilder calibrate`` on a large synthetic lead history (run by hand).

    .venv/bin/python benchmarks/bench_calibrate.py            # 1,000,000 rows
    .venv/bin/python benchmarks/bench_calibrate.py 9240       # the size of the public set

Writes the history once into a scratch folder, then runs the calibration as the command does
and prints the wall time, the holdout AUC of the integer model beside the true model's and a
plain logistic regression's, and the top decile's lift.  The goal: a million rows in under a
minute.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from leadgen import true_auc, write_history  # noqa: E402
from slabuilder.calibrate.options import CalibrationOptions  # noqa: E402
from slabuilder.jobs.calibrate import calibrate  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(scratch) / "history.csv"
        started = time.perf_counter()
        data = write_history(history, rows)
        print(f"wrote {rows:,} rows ({history.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        steps: list[tuple[str, float]] = []
        result = calibrate(ROOT / "examples" / "acme.yaml", history,
                           CalibrationOptions(outcome="Converted"),
                           progress=lambda step: steps.append((step, time.perf_counter())))
        elapsed = time.perf_counter() - started
    for (step, at), (_, following) in zip(steps, [*steps[1:], ("end", started + elapsed)],
                                          strict=True):
        print(f"  {step:<32} {following - at:6.1f} s")
    holdout = result.figures["holdout"]
    print(f"calibrated in {elapsed:.1f} s")
    print(f"holdout AUC {holdout['auc']:.4f} (true model {true_auc(data):.4f}, plain logistic "
          f"regression {holdout['reference_logistic_auc']:.4f}); top decile lift "
          f"{holdout['top_decile']['lift']:.2f}; {len(result.figures['signals'])} signals, "
          f"threshold {result.figures['threshold']}")


if __name__ == "__main__":
    main()
