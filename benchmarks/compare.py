"""slabuilder beside bare baselines: every comparison in fresh processes, taken in turn.

    .venv/bin/python benchmarks/compare.py                   # everything, 5 rounds
    .venv/bin/python benchmarks/compare.py --rounds 3 --markdown
    .venv/bin/python benchmarks/compare.py --only actuals --rows 1000000

Each comparison runs slabuilder and its baseline alternately (ours, baseline, ours, ...)
for ``--rounds`` pairs after one unmeasured warm-up of each, so that both find the same
.pyc files and the same file cache, and a busy moment on the machine weighs on both alike.
Every measurement is a new child process of the same interpreter (.venv/bin/python, or the
``slabuilder`` script beside it) with the same environment, timed from launch to exit;
peak memory is that child's own maximum resident set (``os.wait4``).  Printed for each
comparison: min and median of each side, and the median of the per-pair ratios
ours/baseline (the figure to quote; below 1 means slabuilder is faster).

For actuals, parquet, plan and check, a third child, the floor, runs in the same turns
(ours, baseline, floor, ...): the least work any tool doing slabuilder's job must do,
written bare.  Its ratio to the baseline shows how much of the goal is left for everything
else slabuilder does.

Sections (``--only``):

actuals         ``compute_actuals(export, acme.yaml, month)`` against bare DuckDB, with the
                settings slabuilder's connection uses (its memory limit, insertion order
                not kept, a temporary folder for spills, the company's time zone, DuckDB's own
                thread count), reading the same CSV with ``read_csv`` auto-detection into a
                table of the three columns it needs, then the month's MQL count, the median
                plain hours from MQL to first engagement and the MQLs by original source.
                Floor: the same bare DuckDB reading every column the report needs (the
                twelve slabuilder's column plan picks for the export) into one table, and
                counting the distinct lead ids (the least a check for repeated ids does).
parquet         the same from a Parquet file converted once from that CSV (types as DuckDB
                detects them, as a warehouse unload would be), the baseline reading it with
                ``read_parquet``.
plan, check     ``slabuilder plan acme.yaml --json`` and ``slabuilder check acme.yaml``
                against ``python -c "import yaml, pydantic; yaml.safe_load(...)"``.
                Floor: the same, then one pydantic model of one field built and the
                file's company name validated with it (the least a check with pydantic
                does).
first-question  ``slabuilder new`` in a pseudo-terminal until "What is the company called?"
                appears, against questionary asking that question alone.
render          ``slabuilder render acme.yaml --doc D --format pdf`` against WeasyPrint alone
                turning the very HTML slabuilder renders for D into a PDF, with the same
                base URL (the templates folder, where the fonts are) and one font
                configuration per process on both sides; for the agreement and the summary.
many            (only when asked for) 20 answers files x 3 documents in one ``slabuilder
                render`` call against 20 separate calls; slow, so not in the default run.

Exports are written by gen_hubspot_export.py into ``--data`` (default
/tmp/slabuilder-bench) at the sizes of ``--rows`` and kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme.yaml"
GENERATOR = ROOT / "benchmarks" / "gen_hubspot_export.py"
SECTIONS = ("actuals", "parquet", "plan", "check", "first-question", "render", "many")
DEFAULT_SECTIONS = SECTIONS[:-1]
FIRST_QUESTION = "What is the company called?"
SOURCE_DATE_EPOCH = "1798761600"

# The children.  Both sides of a comparison are `python -c CODE ARGS`, or the slabuilder
# script, which is the same interpreter; each prints one JSON line with the time of its core
# work (after imports) and a figure to check the two sides measured the same month.
OURS_ACTUALS = r"""
import json, sys, time
from pathlib import Path
from slabuilder.actuals import compute_actuals
from slabuilder.answerfile import load_answers
export, answers, month = Path(sys.argv[1]), load_answers(Path(sys.argv[2])), sys.argv[3]
started = time.perf_counter()
actuals = compute_actuals(export, answers, month)
print(json.dumps({"core": time.perf_counter() - started, "mql": actuals.month.mql}))
"""

BARE_DUCKDB = r"""
import json, sys, tempfile, time
import duckdb
export, reader, zone, start, end, memory = sys.argv[1:7]
started = time.perf_counter()
with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as scratch:
    con = duckdb.connect(config={"memory_limit": memory, "temp_directory": scratch,
                                 "preserve_insertion_order": False})
    con.execute("SET TimeZone = '" + zone.replace("'", "''") + "'")
    con.execute(
        'CREATE TEMP TABLE leads AS SELECT "Became a Marketing Qualified Lead Date" AS mql_at, '
        '"Date of first engagement" AS touch_at, "Original Source" AS source FROM '
        + reader + "('" + export.replace("'", "''") + "')")
    month = f"FROM leads WHERE mql_at >= TIMESTAMP '{start}' AND mql_at < TIMESTAMP '{end}'"
    mql, median = con.execute(
        "SELECT count(*), median(epoch(touch_at - mql_at) / 3600) "
        "FILTER (WHERE touch_at >= mql_at) " + month).fetchone()
    by_source = con.execute(f"SELECT source, count(*) {month} GROUP BY 1 ORDER BY 2 DESC"
                            ).fetchall()
    con.close()
print(json.dumps({"core": time.perf_counter() - started, "mql": mql, "median": median,
                  "sources": len(by_source)}))
"""

FLOOR_DUCKDB = r"""
import json, sys, tempfile, time
import duckdb
export, reader, zone, memory, lead_id, *columns = sys.argv[1:]
started = time.perf_counter()
with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as scratch:
    con = duckdb.connect(config={"memory_limit": memory, "temp_directory": scratch,
                                 "preserve_insertion_order": False})
    con.execute("SET TimeZone = '" + zone.replace("'", "''") + "'")
    quoted = ['"' + name.replace('"', '""') + '"' for name in columns]
    con.execute("CREATE TEMP TABLE leads AS SELECT " + ", ".join(quoted) + " FROM "
                + reader + "('" + export.replace("'", "''") + "')")
    rows, ids = con.execute('SELECT count(*), count(DISTINCT "'
                            + lead_id.replace('"', '""') + '") FROM leads').fetchone()
    con.close()
print(json.dumps({"core": time.perf_counter() - started, "rows": rows, "ids": ids}))
"""

BARE_YAML = "import yaml, pydantic; yaml.safe_load(open({path!r}, encoding='utf-8'))"

FLOOR_YAML = """import yaml, pydantic
answers = yaml.safe_load(open({path!r}, encoding='utf-8'))
class Company(pydantic.BaseModel):
    name: str
Company(name=answers['company']['name'])
"""

BARE_QUESTION = f"import questionary; questionary.text({FIRST_QUESTION!r}).ask()"

CAPTURE_HTML = r"""
import json, sys, types
from pathlib import Path
from slabuilder import pdf
from slabuilder.answerfile import load_answers
from slabuilder.outputs import prepare_outputs
from slabuilder.plan import build_plan
answers, folder, docs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
real = pdf._weasyprint()
seen = []
class RecordingHTML(real.HTML):
    def __init__(self, *args, string=None, **kwargs):
        seen.append(string)
        super().__init__(*args, string=string, **kwargs)
spy = types.SimpleNamespace(**{name: getattr(real, name) for name in dir(real)
                              if not name.startswith("__")})
spy.HTML = RecordingHTML
pdf._WEASYPRINT = spy
plan = build_plan(load_answers(answers))
layouts = {}
for doc in docs:
    (output,) = prepare_outputs(plan, [doc], folder / "capture", formats=["pdf"],
                                answers_path=answers)
    seen.clear()
    pdf.render_job(output.pdf_job)
    layouts[doc] = len(seen)
    (folder / f"{doc}.layout-1.html").write_text(seen[0], encoding="utf-8")
    (folder / f"{doc}.pdf.html").write_text(seen[-1], encoding="utf-8")
print(json.dumps(layouts))
"""

BARE_WEASYPRINT = r"""
import sys
import weasyprint
html, base, out = sys.argv[1:4]
with open(html, encoding="utf-8") as handle:
    weasyprint.HTML(string=handle.read(), base_url=base).write_pdf(out)
"""


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float
    peak_mb: float | None = None
    core: float | None = None
    """Seconds of the child's own work after its imports, when it reports it."""
    report: dict[str, object] = field(default_factory=dict)


@dataclass
class Comparison:
    name: str
    ours: Callable[[], Sample]
    baseline: Callable[[], Sample]
    memory: bool = False
    check: Callable[[Sample, Sample], None] | None = None
    """Given the warm-up samples: prints a warning when the two sides disagree."""
    floor: Callable[[], Sample] | None = None
    """The least work the job needs, written bare (see the module's docstring)."""


@dataclass
class Result:
    name: str
    ours: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)
    memory: bool = False
    floor: list[Sample] = field(default_factory=list)


class ChildFailedError(RuntimeError):
    pass


def run_child(argv: Sequence[str], env: dict[str, str], *, stdout: bool = True) -> Sample:
    """Run one child to its end: wall time from launch to exit, its peak memory, and its
    JSON report line (the last line of its output) when ``stdout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                   stdout=out if stdout else subprocess.DEVNULL, stderr=err,
                                   env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
        if code != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip()[-2000:]
            raise ChildFailedError(f"{' '.join(argv[:3])} ... exited with {code}:\n{tail}")
    report = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    core = report.get("core")
    return Sample(wall, usage.ru_maxrss / 1024, float(core) if core is not None else None,
                  report)


def first_question(argv: Sequence[str], env: dict[str, str]) -> Sample:
    """Seconds from launching ``argv`` in a pseudo-terminal to the first question on it;
    then Ctrl-C twice and wait for the end, the same for both sides."""
    import pexpect

    started = time.perf_counter()
    child = pexpect.spawn(argv[0], list(argv[1:]), env=env, cwd=str(ROOT), dimensions=(40, 120),
                          encoding="utf-8", timeout=60)
    try:
        child.expect_exact(FIRST_QUESTION)
        elapsed = time.perf_counter() - started
        for _ in range(2):
            try:
                child.sendcontrol("c")
            except OSError:  # it already ended after the first
                break
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return Sample(elapsed)


def measure(comparison: Comparison, rounds: int) -> Result:
    result = Result(comparison.name, memory=comparison.memory)
    say(f"{comparison.name}: warm-up")
    warm_ours, warm_base = comparison.ours(), comparison.baseline()
    if comparison.floor is not None:
        comparison.floor()
    if comparison.check is not None:
        comparison.check(warm_ours, warm_base)
    for index in range(rounds):
        result.ours.append(comparison.ours())
        result.baseline.append(comparison.baseline())
        floor = ""
        if comparison.floor is not None:
            result.floor.append(comparison.floor())
            floor = f", floor {result.floor[-1].wall:.2f} s"
        say(f"{comparison.name}: round {index + 1}/{rounds}: ours "
            f"{result.ours[-1].wall:.2f} s, baseline {result.baseline[-1].wall:.2f} s{floor}")
    return result


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- comparisons


@dataclass
class Setup:
    python: Path
    slabuilder: Path
    env: dict[str, str]
    data: Path
    work: Path
    month: str
    zone: str = "UTC"


def month_bounds(month: str) -> tuple[str, str]:
    year, number = (int(part) for part in month.split("-"))
    following = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year:04d}-{number:02d}-01", f"{following[0]:04d}-{following[1]:02d}-01"


def export_csv(setup: Setup, rows: int) -> Path:
    path = setup.data / f"hubspot-{rows}.csv"
    if not path.exists():
        say(f"writing {rows:,} rows to {path} (once; kept for the next run)")
        partial = path.with_suffix(".csv.part")
        subprocess.run([str(setup.python), str(GENERATOR), "--rows", str(rows), "-o",
                        str(partial)], check=True, stdout=subprocess.DEVNULL)
        partial.rename(path)
    return path


def export_parquet(setup: Setup, rows: int) -> Path:
    csv = export_csv(setup, rows)
    path = setup.data / f"hubspot-{rows}.parquet"
    if not path.exists():
        say(f"converting {csv.name} to {path.name} (once; kept for the next run)")
        partial = path.with_suffix(".parquet.part")
        code = ("import duckdb, sys; duckdb.connect().execute(\"COPY (SELECT * FROM "
                "read_csv('\" + sys.argv[1] + \"')) TO '\" + sys.argv[2] + \"' "
                "(FORMAT parquet)\")")
        # DuckDB's progress bar goes to stdout, which holds the table
        subprocess.run([str(setup.python), "-c", code, str(csv), str(partial)],
                       check=True, stdout=subprocess.DEVNULL)
        partial.rename(path)
    return path


def same_month(ours: Sample, baseline: Sample) -> None:
    if ours.report.get("mql") != baseline.report.get("mql"):
        say(f"warning: slabuilder counts {ours.report.get('mql')} MQLs in the month, the "
            f"baseline {baseline.report.get('mql')}: they did not measure the same thing")


def actuals_comparison(setup: Setup, export: Path, reader: str, label: str) -> Comparison:
    start, end = month_bounds(setup.month)
    ours = [str(setup.python), "-c", OURS_ACTUALS, str(export), str(EXAMPLE), setup.month]
    from slabuilder.limits import actuals_memory_bytes

    memory = f"{actuals_memory_bytes() // 2**20}MiB"
    base = [str(setup.python), "-c", BARE_DUCKDB, str(export), reader, setup.zone, start, end,
            memory]
    floor = [str(setup.python), "-c", FLOOR_DUCKDB, str(export), reader, setup.zone, memory,
             *needed_labels(setup, export)]
    return Comparison(
        label, lambda: run_child(ours, setup.env),
        lambda: run_child(base, setup.env), memory=True, check=same_month,
        floor=lambda: run_child(floor, setup.env))


NEEDED_LABELS = r"""
import json, sys, tempfile
from pathlib import Path
from slabuilder.actuals.columns import plan_columns
from slabuilder.actuals.reading import open_export
export = Path(sys.argv[1])
with tempfile.TemporaryDirectory(prefix="slabuilder-compare-") as scratch:
    header = open_export(export, Path(scratch)).header
plan = plan_columns(header, None, {}, export)
print(json.dumps([plan.label("lead_id"),
                  *(header[index] for index in sorted(set(plan.columns.values())))]))
"""


def needed_labels(setup: Setup, export: Path) -> list[str]:
    """The lead id's column, then every column slabuilder's report reads from ``export``.
    Asked of a child: this process stays small, as every child's peak memory counts the
    memory of the process it was started from."""
    found = subprocess.run([str(setup.python), "-c", NEEDED_LABELS, str(export)],
                           check=True, capture_output=True, text=True).stdout
    labels: list[str] = json.loads(found)
    return labels


def command_comparison(setup: Setup, command: str) -> Comparison:
    ours = [str(setup.slabuilder), command, str(EXAMPLE)] + (["--json"] if command == "plan"
                                                              else [])
    base = [str(setup.python), "-c", BARE_YAML.format(path=str(EXAMPLE))]
    floor = [str(setup.python), "-c", FLOOR_YAML.format(path=str(EXAMPLE))]
    return Comparison(f"`slabuilder {' '.join([command, *ours[3:]])}` (cold)",
                      lambda: run_child(ours, setup.env, stdout=False),
                      lambda: run_child(base, setup.env, stdout=False), memory=True,
                      floor=lambda: run_child(floor, setup.env, stdout=False))


def question_comparison(setup: Setup) -> Comparison:
    # pexpect does not answer the cursor-position request a real terminal answers
    env = {**setup.env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    folder = setup.work / "new"
    folder.mkdir(exist_ok=True)
    ours = [str(setup.slabuilder), "new", "-o", str(folder)]
    base = [str(setup.python), "-c", BARE_QUESTION]
    return Comparison("first question of `slabuilder new`", lambda: first_question(ours, env),
                      lambda: first_question(base, env))


def render_html_once(setup: Setup) -> Path:
    """The HTML each of our PDFs is laid out from, captured from slabuilder's own PDF step
    (``CAPTURE_HTML``), and the HTML that ``render --format html`` writes, for comparison."""
    folder = setup.work / "html"
    subprocess.run([str(setup.slabuilder), "render", str(EXAMPLE), "--doc",
                    "agreement,summary", "--format", "html", "-o", str(folder), "--force"],
                   check=True, env=setup.env, stdout=subprocess.DEVNULL)
    found = subprocess.run([str(setup.python), "-c", CAPTURE_HTML, str(EXAMPLE),
                            str(folder), "agreement", "summary"],
                           check=True, env=setup.env, capture_output=True, text=True)
    for doc, layouts in json.loads(found.stdout.strip().splitlines()[-1]).items():
        written = next(folder.glob(f"*-{doc}.html")).read_text(encoding="utf-8")
        first = (folder / f"{doc}.layout-1.html").read_text(encoding="utf-8")
        if first != written:
            say(f"warning: the HTML slabuilder lays out the {doc} from is not the HTML "
                "`render --format html` writes")
        if layouts > 1:
            say(f"note: slabuilder lays the {doc} out {layouts} times (denser each time) to "
                "fit it on one page; WeasyPrint alone gets the last, fitting HTML")
    return folder


def templates_uri(setup: Setup) -> str:
    code = "from slabuilder.resources import templates_dir; print(templates_dir().as_uri())"
    found = subprocess.run([str(setup.python), "-c", code], check=True,
                           capture_output=True, text=True, env=setup.env)
    return found.stdout.strip() + "/"


def page_count(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(path).pages)


def render_comparison(setup: Setup, doc: str, html_folder: Path, base_url: str) -> Comparison:
    html = html_folder / f"{doc}.pdf.html"
    ours_dir, base_out = setup.work / f"ours-{doc}", setup.work / f"weasyprint-{doc}.pdf"
    ours = [str(setup.slabuilder), "render", str(EXAMPLE), "--doc", doc, "--format", "pdf",
            "-o", str(ours_dir), "--force"]
    base = [str(setup.python), "-c", BARE_WEASYPRINT, str(html), base_url, str(base_out)]

    def same_pages(_ours: Sample, _base: Sample) -> None:
        ours_pdf = next(ours_dir.glob(f"*-{doc}.pdf"))
        mine, theirs = page_count(ours_pdf), page_count(base_out)
        if mine != theirs:
            say(f"warning: our {doc} has {mine} pages, WeasyPrint's {theirs}: the layouts "
                "differ, so the work differs")

    return Comparison(f"`slabuilder render --doc {doc} --format pdf` (cold)",
                      lambda: run_child(ours, setup.env, stdout=False),
                      lambda: run_child(base, setup.env, stdout=False), memory=True,
                      check=same_pages)


def many_comparison(setup: Setup, files: int = 20) -> Comparison:
    folder = setup.work / "many"
    folder.mkdir(exist_ok=True)
    text = EXAMPLE.read_text(encoding="utf-8")
    answers = []
    for index in range(files):
        path = folder / f"team-{index:02d}.yaml"
        path.write_text(text.replace("name: Acme Analytics", f"name: Team {index:02d}"),
                        encoding="utf-8")
        answers.append(path)
    common = ["--format", "pdf", "--force"]
    together = [str(setup.slabuilder), "render", *map(str, answers), "-o",
                str(folder / "together"), *common]

    def one_call() -> Sample:
        return run_child(together, setup.env, stdout=False)

    def separate_calls() -> Sample:
        started = time.perf_counter()
        peak = 0.0
        for path in answers:
            sample = run_child([str(setup.slabuilder), "render", str(path), "-o",
                                str(folder / "separate"), *common], setup.env, stdout=False)
            peak = max(peak, sample.peak_mb or 0.0)
        return Sample(time.perf_counter() - started, peak)

    return Comparison(f"{files} answers files x 3 documents: one call against {files} calls",
                      one_call, separate_calls)


# --------------------------------------------------------------------------- report


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"nproc {usable or os.cpu_count()}"
    return f"{cores}, {model}, {memory}, {platform.system()} {platform.release()}"


def versions(python: Path) -> str:
    code = ("import sys, duckdb, weasyprint; from importlib.metadata import version; "
            "print(f'Python {sys.version.split()[0]}, DuckDB {duckdb.__version__}, "
            "WeasyPrint {weasyprint.__version__}, slabuilder {version(\"slabuilder\")}')")
    found = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                           check=False)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return found.stdout.strip() + (f", commit {commit}" if commit else "")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def seconds(values: Sequence[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def median_ratio(tops: Sequence[float], bottoms: Sequence[float]) -> str:
    """The median of the per-round ratios, as printed."""
    return f"{statistics.median(a / b for a, b in zip(tops, bottoms, strict=True)):.2f}"


def row_cells(result: Result) -> list[str]:
    ours = [s.wall for s in result.ours]
    base = [s.wall for s in result.baseline]
    cores = [s.core for s in result.ours], [s.core for s in result.baseline]
    core = "–"
    if all(c is not None for c in cores[0] + cores[1]):
        core = (f"{statistics.median(c for c in cores[0] if c is not None):.2f} / "
                f"{statistics.median(c for c in cores[1] if c is not None):.2f}")
    peak = memory_ratio = "–"
    if result.memory:
        mine = [s.peak_mb or 0.0 for s in result.ours]
        theirs = [s.peak_mb or 0.0 for s in result.baseline]
        peak = f"{statistics.median(mine):.0f} / {statistics.median(theirs):.0f}"
        memory_ratio = median_ratio(mine, theirs)
    floor = floor_ratio = "–"
    if result.floor:
        least = [s.wall for s in result.floor]
        floor = seconds(least)
        floor_ratio = median_ratio(least, base)
    return [result.name, seconds(ours), seconds(base), median_ratio(ours, base), core, peak,
            memory_ratio, floor, floor_ratio]


HEADINGS = ["comparison", "ours min / median (s)", "baseline min / median (s)",
            "ratio (median of pairs)", "in-process ours / baseline (s)",
            "peak MB ours / baseline (medians)", "memory ratio", "floor min / median (s)",
            "floor ratio (median of pairs)"]


def print_table(results: Sequence[Result], header: Sequence[str], markdown: bool) -> None:
    rows = [row_cells(result) for result in results]
    if markdown:
        print("\n".join(f"{line}  " for line in header))
        print()
        print("| " + " | ".join(HEADINGS) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(HEADINGS))) + "|")
        for cells in rows:
            print("| " + " | ".join(cells) + " |")
        return
    print("\n".join(header))
    widths = [max([len(HEADINGS[i]), *(len(r[i]) for r in rows)])
              for i in range(len(HEADINGS))]
    for cells in [HEADINGS, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(cells, widths, strict=True))))


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]) if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5,
                        help="measured pairs per comparison, after one warm-up (default 5)")
    parser.add_argument("--only", default=",".join(DEFAULT_SECTIONS),
                        help="sections, comma separated: " + ", ".join(SECTIONS)
                        + " (default: all but many)")
    parser.add_argument("--rows", default="100000,1000000,3000000",
                        help="export sizes for actuals and parquet, comma separated")
    parser.add_argument("--data", type=Path, default=Path("/tmp/slabuilder-bench"),
                        help="folder the exports are written to and reused from")
    parser.add_argument("--month", default="2027-01",
                        help="month measured (the generated exports cover 2026-04 to 2027-03 "
                             "fully)")
    parser.add_argument("--python", type=Path, default=ROOT / ".venv" / "bin" / "python",
                        help="interpreter of every child (default .venv/bin/python)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the result as a Markdown table for README.md")
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from "
                     + ", ".join(SECTIONS))
    try:
        args.row_counts = [int(n.replace("_", "")) for n in args.rows.split(",") if n.strip()]
    except ValueError:
        parser.error("--rows takes whole numbers, e.g. 100000,1000000")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def company_zone(python: Path) -> str:
    code = ("from pathlib import Path; from slabuilder.answerfile import load_answers; "
            f"print(load_answers(Path({str(EXAMPLE)!r})).company.timezone)")
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def comparisons(args: argparse.Namespace, setup: Setup) -> list[Comparison]:
    found: list[Comparison] = []
    for section in SECTIONS:
        if section not in args.sections:
            continue
        if section in ("actuals", "parquet"):
            for rows in args.row_counts:
                if section == "actuals":
                    path, reader, kind = export_csv(setup, rows), "read_csv", "CSV"
                else:
                    path, reader, kind = export_parquet(setup, rows), "read_parquet", "Parquet"
                size = path.stat().st_size / 1e6
                found.append(actuals_comparison(
                    setup, path, reader, f"actuals, {rows:,}-row HubSpot {kind} ({size:.0f} MB)"))
        elif section in ("plan", "check"):
            found.append(command_comparison(setup, section))
        elif section == "first-question":
            found.append(question_comparison(setup))
        elif section == "render":
            html_folder, base_url = render_html_once(setup), templates_uri(setup)
            found.extend(render_comparison(setup, doc, html_folder, base_url)
                         for doc in ("agreement", "summary"))
        elif section == "many":
            found.append(many_comparison(setup))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    python = args.python if args.python.is_absolute() else Path.cwd() / args.python
    slabuilder = python.parent / "slabuilder"
    if not python.exists() or not slabuilder.exists():
        say(f"{python} or {slabuilder} is missing; run scripts/setup first")
        return 2
    args.data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    start_load = load()
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="slabuilder-compare-") as work:
        setup = Setup(python, slabuilder, env, args.data, Path(work), args.month,
                      company_zone(python))
        for comparison in comparisons(args, setup):
            try:
                results.append(measure(comparison, args.rounds))
            except ChildFailedError as error:
                say(f"{comparison.name}: {error}")
                return 1
    header = [
        f"benchmarks/compare.py --rounds {args.rounds}: {machine()}",
        versions(python),
        f"load average (1, 5, 15 min) at start {start_load}, at end {load()}; "
        f"{(time.perf_counter() - started) / 60:.1f} minutes",
    ]
    print_table(results, header, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
