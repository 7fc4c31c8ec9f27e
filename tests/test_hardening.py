"""Hostile and careless input: every case gives exit 0 or 2, one line, no traceback, reads
nothing outside the folders the user named and never leaves half a set of files."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import HEADER, ROWS, source_date, write_csv
from slabuilder import fsutil, limits

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
    assert blocked and blocked[0].endswith("leak.png")


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
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read()
        assert process.wait(timeout=60) == 0, error
    assert b"Traceback" not in error
    with open("/dev/full", "wb") as full:  # noqa: PTH123
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
    assert "\x1b" not in line and "\x07" not in line and "\x00" not in line


def test_tabs_and_line_breaks_stay_allowed_in_long_text(run_cli: Run, tmp_path: Path) -> None:
    path = example_with(tmp_path, replace=("[Competitor,", '["Competitor\\tor\\nreseller",'))
    assert run_cli("check", path).code == 0


def test_control_characters_from_set_and_keys_are_escaped(run_cli: Run) -> None:
    line = one_line(run_cli("plan", EXAMPLE, "--set", "company.name=a\x1b[31mb"))
    assert "--set" in line and "company.name" in line and "\x1b" not in line
    line = one_line(run_cli("plan", EXAMPLE, "--set", "company.na\x1bme=x"))
    assert "\x1b" not in line
    assert "\\x1b" in line


def test_printable_escapes_what_a_terminal_would_run() -> None:
    from slabuilder.terminal import printable

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
    from slabuilder.actuals.breaches import neutralise

    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ana", "Webinar", "\u200bAna", "1+1", "Paid Search"])
def test_plain_cells_stay_as_they_are(cell: str) -> None:
    from slabuilder.actuals.breaches import neutralise

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
    from slabuilder.actuals.load import _unreadable

    error = _unreadable(RuntimeError("Invalid Input Error: CSV Parser state machine "
                                     "reached an invalid state.\nLine: 17"))
    assert error.line == 17
    assert "row 17" in error.message and "state machine" not in error.message


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
