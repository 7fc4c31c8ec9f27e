"""How long slabuilder takes to render the example's documents, next to WeasyPrint alone.

    .venv/bin/python benchmarks/bench_render.py [--repeat 5]

For each document it times, in one warm process (best of --repeat runs, ours and WeasyPrint's
alternating, so that other work on the machine weighs on both alike):

* ours       render_documents(plan, [doc], tmp, formats=["pdf"]): context, Jinja, the locked
             URL fetcher, metadata, PDF and the atomic write;
* weasyprint weasyprint.HTML(string=same_html, base_url=templates).write_pdf(), nothing else;

then the three documents together (our pipeline spreads them over the cores), four answers
files at once (``slabuilder render a.yaml b.yaml ...``), and the real command from a cold start.
Targets: our overhead under 10% of WeasyPrint's time, the agreement under 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme.yaml"
DOCS = ("agreement", "brief", "summary")


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_time(action: Callable[[], object], repeat: int) -> float:
    return statistics.median(timed(action) for _ in range(repeat))


def paired(first: Callable[[], object], second: Callable[[], object],
           repeat: int) -> tuple[float, float]:
    """Best time of each, run alternately so that a busy moment hurts both alike."""
    a, b = [], []
    for _ in range(repeat):
        a.append(timed(first))
        b.append(timed(second))
    return min(a), min(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1798761600")

    import weasyprint

    from slabuilder.answers import load_answers
    from slabuilder.context import build_context
    from slabuilder.documents import render_documents, render_html, render_many
    from slabuilder.plan import build_plan
    from slabuilder.resources import templates_dir

    plan = build_plan(load_answers(EXAMPLE))
    base = templates_dir().as_uri() + "/"
    work = Path(tempfile.mkdtemp(prefix="slabuilder-bench-"))

    def ours(docs: list[str]) -> Callable[[], object]:
        return lambda: render_documents(plan, docs, work, formats=["pdf"], force=True)

    def alone(html: str) -> Callable[[], object]:
        return lambda: weasyprint.HTML(string=html, base_url=base).write_pdf()

    print(f"{'document':<12}{'ours (s)':>10}{'WeasyPrint (s)':>16}{'overhead':>10}")
    htmls = {}
    for doc in DOCS:
        html = render_html(doc, {**build_context(plan)})
        htmls[doc] = html
        ours([doc])()  # warm-up: fonts, caches
        alone(html)()
        mine, theirs = paired(ours([doc]), alone(html), args.repeat)
        print(f"{doc:<12}{mine:>10.2f}{theirs:>16.2f}{(mine / theirs - 1) * 100:>9.1f}%")

    together, serial = paired(ours(list(DOCS)), lambda: [alone(h)() for h in htmls.values()],
                              args.repeat)
    print(f"{'all three':<12}{together:>10.2f}{serial:>16.2f}"
          f"{(together / serial - 1) * 100:>9.1f}%   (ours in parallel, WeasyPrint one by one)")

    files = []
    for index in range(4):
        path = work / f"team-{index}.yaml"
        path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
            "name: Acme Analytics", f"name: Team {index}"), encoding="utf-8")
        files.append(path)
    many = median_time(lambda: render_many(files, list(DOCS), work / "many", formats=["pdf"],
                                           force=True), max(1, args.repeat // 2))
    print(f"4 answers files x 3 documents: {many:.2f} s on {os.cpu_count()} cores "
          f"({many / 12:.2f} s a document)")

    command = [sys.executable, "-m", "slabuilder", "render", str(EXAMPLE), "-o",
               str(work / "cli"), "--doc", "agreement", "--format", "pdf", "--force"]
    cold = median_time(lambda: subprocess.run(command, check=True, capture_output=True),
                       max(1, args.repeat // 2))
    print(f"cold start, `slabuilder render --doc agreement --format pdf`: {cold:.2f} s")


if __name__ == "__main__":
    main()
