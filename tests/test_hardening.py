"""Hostile and careless input: every case gives exit 0 or 2, one line, no traceback, reads
nothing outside the folders the user named and never leaves half a set of files."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import HEADER, ROWS, source_date, write_csv
from slabuilder import fsutil, limits
from slabuilder.answerfile import load_answers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme.yaml"
Run = Callable[..., Any]


def one_line(result: Any) -> str:
    """The single error line of a refused run (exit 2), with no traceback."""
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert "failed unexpectedly" not in result.err
    return lines[0]


def example_with(tmp_path: Path, extra: str = "", name: str = "acme.yaml",
                 replace: tuple[str, str] | None = None) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace, 1)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def leads(tmp_path: Path, name: str = "leads.csv") -> Path:
    return write_csv(tmp_path / name, HEADER, ROWS)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# --------------------------------------------------------------------------- 1. symlinks


def user_templates(tmp_path: Path, body: str, name: str = "brief.html.j2") -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text("TOP-SECRET-42", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["file", "folder"])
def test_a_symlink_out_of_the_template_folder_is_refused(run_cli: Run, tmp_path: Path,
                                                         secret: Path, how: str) -> None:
    if how == "file":
        include = "leak.txt"
        folder = user_templates(tmp_path, '<p>{% include "leak.txt" %}</p>')
        (folder / "leak.txt").symlink_to(secret)
    else:
        include = "inside/secret.txt"
        folder = user_templates(tmp_path, '<p>{% include "inside/secret.txt" %}</p>')
        (folder / "inside").symlink_to(secret.parent)
    result = run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                     "--format", "html", "--templates", folder)
    line = one_line(result)
    assert include.split("/")[0] in line
    assert "outside the template folder" in line
    assert "TOP-SECRET" not in result.out + result.err
    assert leftovers(tmp_path / "out") == []


def test_a_symlinked_stylesheet_is_not_inlined(run_cli: Run, tmp_path: Path,
                                               secret: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "style.css").symlink_to(secret)
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "html", "--templates", folder))
    assert "style.css" in line
    assert leftovers(tmp_path / "out") == []


def test_a_symlink_inside_the_template_folder_is_followed(run_cli: Run,
                                                          tmp_path: Path) -> None:
    folder = user_templates(tmp_path, '<p>{% include "alias.txt" %}</p>')
    (folder / "real.txt").write_text("INSIDE-TEXT", encoding="utf-8")
    (folder / "alias.txt").symlink_to(folder / "real.txt")
    result = run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                     "--format", "html", "--templates", folder)
    assert result.code == 0, result.err
    assert "INSIDE-TEXT" in (tmp_path / "out" / "acme-analytics-brief.html").read_text()


def test_a_template_that_is_a_fifo_is_refused(run_cli: Run, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    os.mkfifo(folder / "brief.html.j2")
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "html", "--templates", folder))
    assert "not a regular file" in line


def test_the_pdf_fetcher_refuses_a_symlinked_image(tmp_path: Path, secret: Path) -> None:
    from slabuilder.pdf import blocked_urls

    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "leak.png").symlink_to(secret)
    blocked = blocked_urls('<img src="leak.png">', base_url=assets)
    assert blocked
    assert blocked[0].endswith("leak.png")


# --------------------------------------------------------------------------- 2. input kinds


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "fifo"])
@pytest.mark.parametrize("command", [
    ("plan", "{input}"),
    ("check", "{input}"),
    ("new", "--from", "{input}", "--defaults", "-o", "{out}"),
    ("report", "{example}", "--month", "2027-01", "--json", "--actuals", "{leads}",
     "--mapping", "{input}"),
    ("report", "{example}", "--month", "2027-01", "--json", "--actuals", "{input}"),
    ("report", "{example}", "--month", "2027-01", "--json", "--actuals", "{leads}",
     "--tasks", "{input}"),
    ("diff", "{example}", "{input}"),
])
def test_devices_and_fifos_are_refused_at_once(run_cli: Run, tmp_path: Path, fifo: Path,
                                               device: str, command: tuple[str, ...]) -> None:
    given = str(fifo) if device == "fifo" else device
    values = {"input": given, "out": str(tmp_path / "out"), "example": str(EXAMPLE),
              "leads": str(leads(tmp_path))}
    started = time.monotonic()
    result = run_cli(*(part.format(**values) for part in command))
    if result.code == 2 and "no export" in result.err:  # pragma: no cover - not expected
        pytest.fail(result.err)
    line = one_line(result)
    assert given in line
    assert "not a regular file" in line
    assert time.monotonic() - started < 20


def test_a_folder_and_an_oversized_file_are_refused(run_cli: Run, tmp_path: Path) -> None:
    assert "folder" in one_line(run_cli("plan", tmp_path))
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(limits.ANSWERS_MAX_BYTES + 1)
    assert "larger than 1 MB" in one_line(run_cli("plan", big))


def test_read_input_stops_at_the_cap_even_when_the_size_lies(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert fsutil.read_input(path, what="file", max_bytes=100) == b"x" * 100
    with pytest.raises(fsutil.SlabuilderError, match="larger than 99 bytes"):
        fsutil.read_input(path, what="file", max_bytes=99)


# --------------------------------------------------------------------------- 5. bad input


@pytest.mark.parametrize(("extra", "replace", "expected"), [
    ('"a[": 1\n', None, "a[: unknown key; allowed here: format, company"),
    ('"x]y[0]": 1\n', None, "unknown key"),
    ("", ("funnel:\n", 'funnel:\n  "a[": 1\n'), "funnel.a[: unknown key; allowed here"),
    ("", ("funnel:\n", 'funnel:\n  "mql_to_sq[": 1\n'), "did you mean mql_to_sql?"),
    ("2027-01-01: 1\n", None, "the key 2027-01-01 is not a word"),
    ("12: 1\n", None, "the key 12 is not a word"),
])
def test_odd_keys_are_named_not_crashed_on(run_cli: Run, tmp_path: Path, extra: str,
                                           replace: tuple[str, str] | None,
                                           expected: str) -> None:
    path = example_with(tmp_path, extra, replace=replace)
    line = one_line(run_cli("plan", path))
    assert expected in line
    assert "did you mean funnel" not in line
    assert "datetime" not in line
    check = run_cli("check", path)
    assert check.code == 2
    assert "failed unexpectedly" not in check.err


def test_a_misspelt_key_leads_with_its_suggestion(run_cli: Run, tmp_path: Path) -> None:
    path = example_with(tmp_path, replace=("revenue_target", "revenue_targte"))
    line = one_line(run_cli("plan", path))
    assert "economics.revenue_targte: unknown key; did you mean revenue_target?" in line
    assert "(and 1 more problem" in line
    lines = run_cli("check", path).err.splitlines()
    assert "revenue_targte" in lines[0]
    assert "revenue_target: is missing" in lines[1]


@pytest.mark.parametrize(("mapping", "expected"), [
    ("format: evil\n", "format: 'evil' is not an export format; write one of hubspot"),
    ("colums:\n  mql_at: MQL Date\n", "colums: not a field of the report; did you mean "
                                      "columns?"),
    ("columns:\n  mql_at: [a]\n", "mql_at: should name a column of the export"),
    ("columns:\n  mql_att: X\n", "did you mean mql_at?"),
])
def test_mapping_messages_read_well(run_cli: Run, tmp_path: Path, mapping: str,
                                    expected: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(mapping, encoding="utf-8")
    line = one_line(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            leads(tmp_path), "--mapping", path))
    assert expected in line
    assert "format: format:" not in line


def write_field(tmp_path: Path, name: str, size: int, *, header: bool = False) -> Path:
    rows = [list(row) for row in ROWS]
    columns = list(HEADER)
    if header:
        columns.append("y" * size)
        rows = [[*row, ""] for row in rows]
    else:
        rows[2][13] = "x" * size
    return write_csv(tmp_path / name, columns, rows)


@pytest.mark.parametrize(("size", "header", "expected"), [
    (10_000_001, False, "row 4 is too long to be a row of an export"),
    (12_000_000, False, "row 4 is too long"),
    (130_000, True, "the first line is longer than 64,000 characters"),
    (70_000, True, "the first line is longer than 64,000 characters"),
])
def test_huge_fields_and_headers_are_refused_with_the_row(run_cli: Run, tmp_path: Path,
                                                          size: int, header: bool,
                                                          expected: str) -> None:
    export = write_field(tmp_path, "big.csv", size, header=header)
    line = one_line(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            export))
    assert expected in line
    assert "big.csv" in line


def test_a_field_under_the_row_cap_is_read(run_cli: Run, tmp_path: Path) -> None:
    export = write_field(tmp_path, "fine.csv", 200_000)
    assert run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                   export).code == 0


@pytest.mark.parametrize("command", ["render", "report", "example"])
def test_an_overlong_or_looping_output_path_is_refused(run_cli: Run, tmp_path: Path,
                                                       command: str) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for target in (tmp_path / ("x" * 300), loop / "out"):
        if command == "example":
            args: tuple[Any, ...] = ("example", "-o", target / "a.yaml" if target.name ==
                                     "out" else tmp_path / ("y" * 300 + ".yaml"))
        elif command == "render":
            args = ("render", EXAMPLE, "-o", target, "--format", "html")
        else:
            args = ("report", EXAMPLE, "--month", "2027-01", "-o", target, "--format", "html")
        line = one_line(run_cli(*args))
        assert "too long" in line or "points back to itself" in line


def run_module(*args: str, **options: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "slabuilder", *args], check=False,
                          timeout=120, **options)


def test_plan_into_head_and_into_a_full_disk(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-m", "slabuilder", "plan", str(EXAMPLE)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read()
        assert process.wait(timeout=60) == 0, error
    assert b"Traceback" not in error
    with open("/dev/full", "wb") as full:
        done = run_module("plan", str(EXAMPLE), stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert b"No space left on device" in done.stderr


# --------------------------------------------------------------------------- 10. control


@pytest.mark.parametrize(("value", "code"), [
    ('"Acme\\e[31mRed"', "U+001B"), ('"Acme\\a"', "U+0007"), ('"Acme\\0"', "U+0000"),
    ('"Acme\\x9b"', "U+009B")])
def test_control_characters_in_text_are_refused(run_cli: Run, tmp_path: Path, value: str,
                                                code: str) -> None:
    path = example_with(tmp_path, replace=("name: Acme Analytics", f"name: {value}"))
    line = one_line(run_cli("plan", path))
    assert "company.name" in line
    assert code in line
    assert "\x1b" not in line
    assert "\x07" not in line
    assert "\x00" not in line


def test_tabs_and_line_breaks_stay_allowed_in_long_text(run_cli: Run, tmp_path: Path) -> None:
    path = example_with(tmp_path, replace=("[Competitor,", '["Competitor\\tor\\nreseller",'))
    assert run_cli("check", path).code == 0


def test_control_characters_from_set_and_keys_are_escaped(run_cli: Run) -> None:
    line = one_line(run_cli("plan", EXAMPLE, "--set", "company.name=a\x1b[31mb"))
    assert "--set" in line
    assert "company.name" in line
    assert "\x1b" not in line
    line = one_line(run_cli("plan", EXAMPLE, "--set", "company.na\x1bme=x"))
    assert "\x1b" not in line
    assert "\\x1b" in line


def test_printable_escapes_what_a_terminal_would_run() -> None:
    from slabuilder.textclean import printable

    assert printable("a\x1b[2Jb\x07\x00\tc\n") == "a\\x1b[2Jb\\x07\\x00\tc\n"
    assert printable("\u202eevil") == "\\u202eevil"


# --------------------------------------------------------------------------- 11. messages


def test_render_and_report_take_set(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("render", EXAMPLE, "-o", tmp_path / "a", "--doc", "brief", "--format",
                     "html", "--set", "company.name=Beta Corp")
    assert result.code == 0, result.err
    assert (tmp_path / "a" / "beta-corp-brief.html").exists()
    result = run_cli("report", EXAMPLE, "--month", "2027-01", "--json",
                     "--set", "economics.revenue_target=2M")
    assert result.code == 0, result.err
    import json

    assert json.loads(result.out)["targets"]["mql"] > 178
    line = one_line(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--set",
                            "economics.revenue_target=lots"))
    assert line.startswith("slabuilder: --set: economics.revenue_target")


def test_diff_notes_other_companies_and_an_older_new_version(run_cli: Run,
                                                             tmp_path: Path) -> None:
    other = example_with(tmp_path, name="beta.yaml",
                         replace=("name: Acme Analytics", "name: Beta Corp"))
    result = run_cli("diff", EXAMPLE, other)
    assert result.code == 0
    assert "different companies" in result.out + result.err
    newer = example_with(tmp_path, name="v3.yaml",
                         replace=("  review_cadence: quarterly\n",
                                  "  review_cadence: quarterly\n  version: 3\n"))
    result = run_cli("diff", newer, EXAMPLE)
    assert result.code == 0
    assert "older than version 3" in result.out + result.err


@pytest.mark.parametrize("cell", ["\n=1+1", "\u200b=1+1", "\uff1d1+1", "\u00a0+1",
                                  "\ufeff@SUM(A1)", "\r-1"])
def test_hidden_formula_starts_are_neutralised(cell: str) -> None:
    from slabuilder.csvsafe import neutralise

    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ana", "Webinar", "\u200bAna", "1+1", "Paid Search"])
def test_plain_cells_stay_as_they_are(cell: str) -> None:
    from slabuilder.csvsafe import neutralise

    assert neutralise(cell) == cell


# --------------------------------------------------------------------------- 8. figures


def test_a_path_with_pattern_characters_is_one_file(run_cli: Run, tmp_path: Path) -> None:
    import json

    star = leads(tmp_path, "leads*.csv")
    for index in range(3):
        leads(tmp_path, f"leads{index}.csv")
    result = run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals", star)
    assert result.code == 0, result.err
    alone = run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                    tmp_path / "leads0.csv")
    assert json.loads(result.out)["actuals"] == {
        **json.loads(alone.out)["actuals"],
        "export": json.loads(result.out)["actuals"]["export"]}
    assert json.loads(result.out)["actuals"]["export"]["rows_read"] == \
        json.loads(alone.out)["actuals"]["export"]["rows_read"]


@pytest.mark.parametrize("ends", [(b"\r\n", b"\n", 4), (b"\r\n", b"\r", 5),
                                  (b"\r\n", b"\n", 1)])
def test_mixed_line_ends_are_read(run_cli: Run, tmp_path: Path,
                                  ends: tuple[bytes, bytes, int]) -> None:
    import json

    clean = leads(tmp_path)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(clean.read_bytes().replace(ends[0], ends[1], ends[2]))
    first = run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals", clean)
    second = run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals", mixed)
    assert second.code == 0, second.err
    assert json.loads(first.out)["actuals"]["mql"] == json.loads(second.out)["actuals"]["mql"]


def test_a_csv_duckdb_cannot_parse_is_refused_in_our_words(tmp_path: Path) -> None:
    from slabuilder.actuals.careful import _unreadable

    error = _unreadable(RuntimeError("Invalid Input Error: CSV Parser state machine "
                                     "reached an invalid state.\nLine: 17"))
    assert error.line == 17
    assert "row 17" in error.message
    assert "state machine" not in error.message


def test_unreadable_task_rows_are_set_aside_and_counted(tmp_path: Path,
                                                        example_answers: Any) -> None:
    from slabuilder.actuals import ExportOptions, compute_actuals

    header = ["Id", "Status", "LeadSource", "CreatedDate", "IsConverted", "ConvertedDate",
              "ConvertedOpportunityId", "OwnerId"]
    lead_rows = [["00Q000000000001AAA", "Working", "Web", "2027-01-05T21:00:00.000Z",
                  "false", "", "", "005A"]]
    export = write_csv(tmp_path / "leads.csv", header, lead_rows)
    tasks_header = ["Id", "WhoId", "CreatedDate", "CompletedDateTime"]
    good = ["00T1", "00Q000000000001AAA", "2027-01-06T15:00:00.000Z",
            "2027-01-06T15:00:00.000Z"]
    bad = ["00T2", "00Q000000000001AAA", "not a date", "soon"]
    nobody = ["00T3", "", "2027-01-06T15:00:00.000Z", "2027-01-06T15:00:00.000Z"]
    tasks = write_csv(tmp_path / "tasks.csv", tasks_header, [good, bad, bad, nobody])
    result = compute_actuals(export, example_answers, "2027-01", ExportOptions(tasks=tasks))
    assert result.month.attempts_average == 1.0
    notes = " ".join(result.export.notes)
    assert "3 task rows in tasks.csv were set aside (1 without a WhoId and 2 without a " \
           "readable date)" in notes


# --------------------------------------------------------------------------- 3. all or nothing


def fail_on(monkeypatch: pytest.MonkeyPatch, name: str, call: int,
            error: BaseException) -> list[Path]:
    """Make ``fsutil.<name>`` raise ``error`` on its ``call``-th use, after doing its work
    (a temporary written, a file renamed), as a full disk or a signal would."""
    real = getattr(fsutil, name)
    seen: list[Path] = []

    def flaky(item: Any, placed: Any) -> None:
        real(item, placed)
        seen.append(item.path)
        if len(seen) == call:
            raise error

    monkeypatch.setattr(fsutil, name, flaky)
    return seen


FULL = OSError(errno.ENOSPC, "No space left on device")


def render_html(run_cli: Run, out: Path, *extra: str) -> Any:
    return run_cli("render", EXAMPLE, "-o", out, "--format", "html", *extra)


@pytest.mark.parametrize(("name", "call"), [("_stage", 1), ("_stage", 3), ("_commit", 1),
                                            ("_commit", 3)])
def test_a_full_disk_writes_nothing_and_a_rerun_works(run_cli: Run, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      name: str, call: int) -> None:
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        fail_on(patch, name, call, FULL)
        line = one_line(render_html(run_cli, out))
    assert "the disk is full" in line
    assert "nothing was written" in line
    assert leftovers(out) == []
    again = render_html(run_cli, out)
    assert again.code == 0, again.err
    assert len(leftovers(out)) == 3


def test_forced_replacements_are_restored_on_failure(run_cli: Run, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert render_html(run_cli, out).code == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    fail_on(monkeypatch, "_commit", 2, FULL)
    line = one_line(render_html(run_cli, out, "--force", "--set", "company.holidays=GB"))
    assert "nothing was written" in line
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_an_unrestorable_replacement_is_named(run_cli: Run, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert render_html(run_cli, out).code == 0

    def no_links(*args: Any) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    fail_on(monkeypatch, "_commit", 2, FULL)
    line = one_line(render_html(run_cli, out, "--force"))
    assert "could not be restored" in line
    assert "acme-analytics-agreement.html" in line
    assert sorted(leftovers(out)) == sorted(p for p in leftovers(out) if not p.startswith("."))


@pytest.mark.parametrize("how", ["sigint", "sigterm"])
def test_a_signal_while_writing_takes_everything_back(run_cli: Run, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      how: str) -> None:
    out = tmp_path / "out"
    real = fsutil._commit
    done: list[int] = []

    def interrupted(item: Any, placed: Any) -> None:
        real(item, placed)
        done.append(1)
        if len(done) == 2:
            if how == "sigint":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)

    monkeypatch.setattr(fsutil, "_commit", interrupted)
    result = render_html(run_cli, out)
    assert result.code == 130
    assert result.err.strip() == ("slabuilder: stopped; nothing was written; the folder "
                                  "holds what it held before")
    assert leftovers(out) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_report_writes_documents_and_breaches_as_one_set(run_cli: Run, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    out = tmp_path / "out"
    export = leads(tmp_path)
    args = ("report", EXAMPLE, "--month", "2027-01", "-o", out, "--format", "html",
            "--actuals", export, "--breaches", out / "breaches.csv")
    with monkeypatch.context() as patch:
        fail_on(patch, "_stage", 4, FULL)
        assert "nothing was written" in one_line(run_cli(*args))
    assert leftovers(out) == []
    result = run_cli(*args)
    assert result.code == 0, result.err
    assert len(leftovers(out)) == 4
    only_breaches = run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            export, "--breaches", tmp_path / "b.csv")
    assert only_breaches.code == 0
    assert (tmp_path / "b.csv").exists()


@pytest.mark.slow  # renders PDFs of its own
def test_new_keeps_the_answers_when_the_documents_cannot_be_written(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers are saved first; the documents are then all written or none."""
    out = tmp_path / "out"
    fail_on(monkeypatch, "_stage", 3, FULL)
    line = one_line(run_cli("new", "--from", EXAMPLE, "--defaults", "-o", out))
    answers = out / "acme-analytics.yaml"
    assert line.startswith("slabuilder: the documents were not written (")
    assert "the disk is full" in line
    assert line.endswith(f"); the answers are saved in {answers}: make them with "
                         f"`slabuilder render {answers} -o {out}`")
    assert leftovers(out) == ["acme-analytics.yaml"]
    assert load_answers(answers) == load_answers(EXAMPLE)


def test_example_and_breaches_on_a_full_disk(run_cli: Run, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        fail_on(patch, "_stage", 1, FULL)
        assert "the disk is full" in one_line(run_cli("example", "-o", tmp_path / "a.yaml"))
    fail_on(monkeypatch, "_stage", 1, FULL)
    line = one_line(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            leads(tmp_path), "--breaches", tmp_path / "b.csv"))
    assert "the disk is full" in line
    assert sorted(leftovers(tmp_path)) == ["leads.csv"]


def test_a_read_only_folder_writes_nothing(run_cli: Run, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert "permission denied" in one_line(render_html(run_cli, out))
    finally:
        out.chmod(0o700)
    assert leftovers(out) == []


# --------------------------------------------------------------------------- 5. limits


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_template_that_loops_without_end_is_stopped(run_cli: Run, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "TEMPLATE_SECONDS", 0.5)
    folder = user_templates(tmp_path, "{% for i in range(100000) %}{% for j in range(100000) "
                                      "%}{% endfor %}{% endfor %}")
    started = time.monotonic()
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "html", "--templates", folder))
    assert time.monotonic() - started < 10
    assert "brief.html.j2" in line
    assert "ran longer than 0.5 seconds" in line


@pytest.mark.parametrize(("body", "expected"), [
    ("{% for i in range(100000) %}<p>{{ i }} and some words to fill the page</p>{% endfor %}",
     "writes more than 1,000 characters"),
    ('{{ "x" * 100000000 }}', "tried something templates may not do"),
    ("{{ 2 ** 100000000 }}", "tried something templates may not do"),
    ("{% for i in range(100001) %}{% endfor %}", "asks for more than a document can hold"),
])
def test_a_template_that_writes_without_end_is_stopped(run_cli: Run, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       body: str, expected: str) -> None:
    monkeypatch.setattr(limits, "HTML_MAX_CHARS", 1000)
    folder = user_templates(tmp_path, body)
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "html", "--templates", folder))
    assert expected in line
    assert "brief.html.j2" in line


PARAGRAPHS = ("<html><head></head><body>{% for i in range(8000) %}<p>Paragraph {{ i }} with "
              "a few words in it.</p>{% endfor %}</body></html>")


# The alarm that ends a runaway layout can land while Python runs a finaliser, which it then
# reports as an unraisable exception: noise of the timer, not of the outcome asserted here.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_layout_that_takes_too_long_is_stopped(run_cli: Run, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "PDF_SECONDS", 1)
    folder = user_templates(tmp_path, PARAGRAPHS)
    started = time.monotonic()
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "pdf", "--templates", folder))
    assert time.monotonic() - started < 30
    assert "SLA Design Brief" in line
    assert "longer than 1 seconds" in line
    assert leftovers(tmp_path / "out") == []


SVG_BOMB = ("<svg width='100' height='100' xmlns='http://www.w3.org/2000/svg' "
            "xmlns:xlink='http://www.w3.org/1999/xlink'>"
            "<defs><rect id='a0' width='1' height='1'/>"
            + "".join(f"<g id='a{n + 1}'>" + f"<use xlink:href='#a{n}'/>" * 10 + "</g>"
                      for n in range(9))
            + "</defs><use xlink:href='#a9'/></svg>")


# The alarm that ends a runaway layout can land while Python runs a finaliser, which it then
# reports as an unraisable exception: noise of the timer, not of the outcome asserted here.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_svg_bomb_in_a_data_url_is_stopped(run_cli: Run, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    monkeypatch.setattr(limits, "PDF_SECONDS", 3)
    data = base64.b64encode(SVG_BOMB.encode()).decode()
    folder = user_templates(tmp_path, f'<html><body><img src="data:image/svg+xml;base64,'
                                      f'{data}"></body></html>')
    started = time.monotonic()
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "out", "--doc", "brief",
                            "--format", "pdf", "--templates", folder))
    assert time.monotonic() - started < 60
    assert "longer than 3 seconds" in line


def test_elements_and_pages_are_capped(run_cli: Run, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "HTML_MAX_ELEMENTS", 100)
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "a", "--doc", "brief",
                            "--format", "pdf"))
    assert "HTML elements, more than the 100" in line
    monkeypatch.setattr(limits, "HTML_MAX_ELEMENTS", 60_000)
    monkeypatch.setattr(limits, "PDF_MAX_PAGES", 2)
    line = one_line(run_cli("render", EXAMPLE, "-o", tmp_path / "b", "--doc", "brief",
                            "--format", "pdf"))
    assert "more than the 2 a document may have" in line


def test_the_deadline_is_left_as_it_was_found() -> None:
    with limits.deadline(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    def spin() -> None:
        with limits.deadline(0.2):
            while True:
                pass

    with pytest.raises(limits.TimeLimitExceeded):
        spin()

    def swallow() -> None:  # as WeasyPrint does around SVG images
        with limits.deadline(0.2):
            try:
                while True:
                    pass
            except BaseException:
                pass

    with pytest.raises(limits.TimeLimitExceeded):
        swallow()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# --------------------------------------------------------------------------- 7. attachments


@pytest.mark.slow
def test_a_template_cannot_embed_files_and_output_stays_identical(
        run_cli: Run, tmp_path: Path) -> None:
    folder = user_templates(tmp_path, '<html><body><a rel="attachment" href="style.css">css'
                                      '</a><link rel="attachment" href="style.css"></body>'
                                      "</html>")
    (folder / "style.css").write_text("p {}", encoding="utf-8")
    pdfs = []
    for attempt in ("a", "b"):
        with source_date():
            result = run_cli("render", EXAMPLE, "-o", tmp_path / attempt, "--doc", "brief",
                             "--format", "pdf", "--templates", folder)
        assert result.code == 0, result.err
        pdfs.append((tmp_path / attempt / "acme-analytics-brief.pdf").read_bytes())
        time.sleep(1.1)
    assert pdfs[0] == pdfs[1]
    assert b"/EmbeddedFile" not in pdfs[0]
    assert b"/FileAttachment" not in pdfs[0]


# --------------------------------------------------------------------------- 9. one page


@pytest.mark.slow
def test_a_summary_that_cannot_fit_fails_naming_the_long_answers(run_cli: Run,
                                                                 tmp_path: Path) -> None:
    long = ", ".join(f'"Disqualifier {n}: ' + "an account in an active renewal " * 9 + '"'
                     for n in range(20))
    path = example_with(tmp_path, replace=(
        "disqualifiers: [Competitor, Student or academic, Outside target geography, No budget "
        "authority]", f"disqualifiers: [{long}]"))
    line = one_line(run_cli("render", path, "-o", tmp_path / "out", "--doc", "summary",
                            "--format", "pdf"))
    assert "does not fit on one page" in line
    assert "icp.disqualifiers (20 entries" in line
    assert leftovers(tmp_path / "out") == []


# --------------------------------------------------------------------------- 4. workers


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt in this process during the test, as in a terminal,
    and reaches the commands it starts (a background job starts with Ctrl-C ignored, and
    its commands inherit that); the handler found is put back after."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
@pytest.mark.usefixtures("ctrl_c_raises")
def test_killing_a_render_ends_every_worker(tmp_path: Path, sig: signal.Signals) -> None:
    folder = user_templates(tmp_path, PARAGRAPHS)
    second = example_with(tmp_path, name="beta.yaml",
                          replace=("name: Acme Analytics", "name: Beta Corp"))
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    # Files, not pipes: a worker that outlived the render would hold a pipe open.
    with log.open("wb") as stderr, subprocess.Popen(
            [sys.executable, "-m", "slabuilder", "render", str(EXAMPLE), str(second), "-o",
             str(out), "--doc", "brief", "--format", "pdf", "--templates", str(folder)],
            stdout=subprocess.DEVNULL, stderr=stderr) as process:
        started = time.monotonic()
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() - started < 90:
            workers = [pid for pid in _children(process.pid) if _alive(pid)]
            time.sleep(0.1)
        assert len(workers) >= 2, "the render never started its workers"
        time.sleep(0.5)
        process.send_signal(sig)
        process.wait(timeout=60)
    error = log.read_bytes()
    ended = time.monotonic()
    while any(_alive(pid) for pid in workers) and time.monotonic() - ended < 15:
        time.sleep(0.1)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # end them before failing, so the test leaves nothing behind
        os.kill(pid, signal.SIGKILL)
    assert not survivors
    if sig != signal.SIGKILL:
        assert process.returncode == 130, (process.returncode, error, workers)
        assert b"stopped" in error
        assert b"Traceback" not in error
    assert [name for name in leftovers(out) if name.endswith(".tmp")] == []


def _interrupt_swallowed() -> None:
    """What a library that catches every error while it loads does to a Ctrl-C landing
    there (lxml under WeasyPrint's fonts did): the signal arrives, and nothing comes of it."""
    with contextlib.suppress(BaseException):
        signal.raise_signal(signal.SIGINT)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_an_interrupt_held_over_an_import_takes_effect_after_it() -> None:
    from slabuilder.interrupts import interrupts_held, sigterm_as_interrupt

    _interrupt_swallowed()  # without the hold, nothing is left of it
    steps: list[str] = []

    def held_block() -> None:
        with interrupts_held():
            _interrupt_swallowed()
            steps.append("the block went on to its end")

    with pytest.raises(KeyboardInterrupt):
        held_block()
    assert steps == ["the block went on to its end"]
    with sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt), interrupts_held():
        signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with interrupts_held():  # nothing came: nothing happens
        steps.append("quiet")
    assert steps[-1] == "quiet"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a background job: Ctrl-C stays ignored
    with interrupts_held():
        signal.raise_signal(signal.SIGINT)
        steps.append("ignored")
    assert steps[-1] == "ignored"
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


@pytest.mark.usefixtures("ctrl_c_raises")
def test_an_interrupt_while_weasyprint_loads_stops_the_render(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from slabuilder import pdf

    real = builtins.__import__

    def importing(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            _interrupt_swallowed()
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)
    monkeypatch.setattr(pdf, "_WEASYPRINT", None)
    with pytest.raises(KeyboardInterrupt):
        pdf._weasyprint()


def test_answers_are_printed_as_written_not_as_markup(run_cli: Run) -> None:
    result = run_cli("plan", EXAMPLE, "--set", "company.name=[red]Acme[/red] [link=x]y",
                     "--set", "icp.disqualifiers=[\"[bold]Rival[/bold]\"]")
    assert result.code == 0, result.err
    assert "[red]Acme[/red] [link=x]y: plan for the quarter" in result.out
    assert "Disqualifiers: [bold]Rival[/bold]" in result.out


def test_resume_from_a_fifo_is_refused(run_cli: Run, tmp_path: Path, fifo: Path) -> None:
    line = one_line(run_cli("new", "--resume", fifo, "--defaults", "-o", tmp_path / "out"))
    assert "not a regular file" in line
