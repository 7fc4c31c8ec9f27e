"""Time the actuals of a large HubSpot export, and report peak memory.

    python benchmarks/gen_hubspot_export.py --rows 1000000 -o /tmp/hubspot-1m.csv
    /usr/bin/time -v python benchmarks/bench_actuals.py /tmp/hubspot-1m.csv --month 2027-01

The target on a 2-core machine: under 10 seconds and under 1.5 GB of peak memory for a
million rows.  The script prints the wall time of compute_actuals alone, the whole process's
peak resident memory (getrusage), and a few figures so a run can be checked.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from slabuilder.actuals import ExportOptions, compute_actuals
from slabuilder.answers import load_answers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--month", default="2027-01")
    parser.add_argument("--answers", type=Path, default=ROOT / "examples" / "acme.yaml")
    parser.add_argument("--progress", action="store_true", help="show the progress bar")
    args = parser.parse_args()
    answers = load_answers(args.answers)
    started = time.perf_counter()
    actuals = compute_actuals(args.export, answers, args.month,
                              ExportOptions(show_progress=args.progress))
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    export = actuals["export"]
    print(f"rows read        {export['rows_read']:,}")
    print(f"rows used        {export['rows_used']:,}")
    print(f"MQLs in {args.month}  {actuals['mql']:,}")
    print(f"median speed     {actuals['speed_to_lead_median_hours']} business hours")
    print(f"compute_actuals  {elapsed:.2f} s")
    print(f"peak memory      {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
