"""How long `slabuilder new` takes to show its first question, and what it imports first.

Runs the real command in a pseudo-terminal (pexpect) several times and times the moment
"What is the company called?" appears; then runs it once more with -X importtime and lists
the slowest imports made before that moment, checking that none of the heavy modules
(WeasyPrint, DuckDB, holidays, rich) is among them.

    .venv/bin/python benchmarks/bench_startup.py [--runs 10]

Prints one line per measurement and exits 1 if a heavy module is imported before the first
question or the median is a second or more.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

FIRST_QUESTION = "What is the company called?"
HEAVY = ("weasyprint", "duckdb", "holidays", "rich", "pydyf", "fontTools")
SLABUILDER = Path(sys.executable).parent / "slabuilder"


def _env() -> dict[str, str]:
    # pexpect does not answer the cursor-position request a real terminal answers
    return {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}


def time_to_first_question(folder: str) -> float:
    started = time.perf_counter()
    child = pexpect.spawn(str(SLABUILDER), ["new", "-o", folder], env=_env(),
                          dimensions=(40, 120), encoding="utf-8", timeout=30)
    child.expect_exact(FIRST_QUESTION)
    elapsed = time.perf_counter() - started
    child.sendcontrol("c")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def imports_before_first_question(folder: str) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) for every import made before the first question."""
    log = Path(folder) / "importtime.log"
    command = (f"exec {sys.executable} -X importtime -m slabuilder new -o {folder} "
               f"2> {log}")
    child = pexpect.spawn("/bin/sh", ["-c", command], env=_env(), dimensions=(40, 120),
                          encoding="utf-8", timeout=30)
    child.expect_exact(FIRST_QUESTION)
    lines = log.read_text(encoding="utf-8").splitlines()
    child.sendcontrol("c")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    found = []
    for line in lines:
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        found.append((int(cumulative), name[1:].rstrip()))  # nested imports keep their indent
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        time_to_first_question(folder)  # warm the file cache and .pyc files
        times = [time_to_first_question(folder) for _ in range(args.runs)]
        imports = imports_before_first_question(folder)
    median = statistics.median(times)
    print(f"time to first question over {args.runs} runs: median {median * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    top_level = sorted(((us, name) for us, name in imports if not name.startswith(" ")),
                       reverse=True)
    total = sum(us for us, _ in top_level)
    print(f"{len(imports)} modules imported before the first question, {total / 1000:.0f} ms "
          "of import time; the slowest top-level imports:")
    for micros, name in top_level[:8]:
        print(f"  {micros / 1000:7.1f} ms  {name}")
    heavy = sorted({name.strip() for _, name in imports
                    if name.strip().split(".")[0] in HEAVY})
    print("heavy modules imported before the first question: " + (", ".join(heavy) or "none"))
    return 1 if heavy or median >= 1 else 0


if __name__ == "__main__":
    sys.exit(main())
