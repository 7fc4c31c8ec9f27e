"""Hostile inputs, third round: special files everywhere, signals inside a query, formula
cells in every CSV, and templates that would build what no document can hold.

Each family states the promise it keeps: exit 2 with one ``slabuilder:`` line (130 when
stopped), nothing partial written, nothing the user had lost, and no hang.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT

pytestmark = pytest.mark.slow  # real processes, signals and property tests

EXAMPLE = ROOT / "examples" / "acme.yaml"


@functools.cache
def _model() -> Path:
    """A scoring model score can apply (the example's standard table is in words)."""
    from helpers import write_scored_model

    return write_scored_model(Path(tempfile.mkdtemp(prefix="slabuilder-model-")) / "m.yaml")

LEADS = ROOT / "examples" / "new-leads.csv"
HISTORY = ROOT / "examples" / "lead-history.csv"
Run = Callable[..., Any]


def slabuilder(*args: str | Path, cwd: Path, timeout: float = 60,
               shell_suffix: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "slabuilder", *map(str, args)]
    if shell_suffix:
        line = " ".join(f"'{part}'" for part in command) + shell_suffix
        return subprocess.run(["bash", "-c", line], cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    (line,) = done.stderr.splitlines()
    assert line.startswith("slabuilder: ")
    assert "Traceback" not in done.stderr
    return line


# --------------------------------------------------------------------------- special files

KINDS = ("fifo", "device", "dangling link", "looping link", "folder")


def _special(folder: Path, kind: str) -> Path:
    path = folder / f"special-{kind.replace(' ', '-')}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        return Path("/dev/zero")
    elif kind == "dangling link":
        path.symlink_to(folder / "nowhere")
    elif kind == "looping link":
        path.symlink_to(path)
    else:
        path.mkdir()
    return path


# Each command with the place a special file goes; the kinds that are a valid answer there
# (a folder for an output folder or for status) are left out.
PLACES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("plan", ("plan", "{x}"), ()),
    ("check", ("check", "{x}"), ()),
    ("diff", ("diff", "{x}", str(EXAMPLE)), ()),
    ("new --from", ("new", "--from", "{x}", "--defaults", "-o", "out"), ()),
    ("example -o", ("example", "-o", "{x}", "--force"), ()),
    ("report --actuals", ("report", str(EXAMPLE), "--month", "2027-03", "--json",
                          "--actuals", "{x}"), ()),
    ("score --leads", ("score", str(EXAMPLE), "--leads", "{x}"), ()),
    ("score -o", ("score", str(EXAMPLE), "--leads", str(LEADS), "-o", "{x}"), ()),
    ("calibrate --history", ("calibrate", str(EXAMPLE), "--history", "{x}", "--outcome",
                             "Converted"), ()),
    ("status", ("status", "{x}"), ("folder",)),
    ("status --trust", ("status", str(ROOT / "examples"), "--trust", "{x}"), ()),
    ("sign", ("sign", "{x}", "--key", str(ROOT / "examples" / "keys" / "dana-reyes.p12"),
              "--signer", "Dana Reyes"), ()),
    ("sign --key", ("sign", str(ROOT / "examples" / "acme.yaml"), "--key", "{x}",
                    "--signer", "Dana Reyes"), ()),
    ("render", ("render", "{x}", "-o", "out"), ()),
    ("render -o", ("render", str(EXAMPLE), "-o", "{x}", "--force"), ("folder",)),
    ("render --templates", ("render", str(EXAMPLE), "-o", "out", "--templates", "{x}"),
     ("folder",)),
    ("renegotiate", ("renegotiate", "{x}", "-o", "out", "--defaults"), ()),
    ("report --tasks", ("report", str(EXAMPLE), "--month", "2027-03", "--json", "--actuals",
                        str(ROOT / "examples" / "hubspot-contacts.csv"), "--tasks", "{x}"),
     ()),
    ("report --mapping", ("report", str(EXAMPLE), "--month", "2027-03", "--json",
                          "--actuals", str(ROOT / "examples" / "hubspot-contacts.csv"),
                          "--mapping", "{x}"), ()),
    ("report --breaches", ("report", str(EXAMPLE), "--month", "2027-03", "--json",
                           "--actuals", str(ROOT / "examples" / "hubspot-contacts.csv"),
                           "--breaches", "{x}", "--force"), ()),
    ("new --resume", ("new", "--resume", "{x}", "--defaults", "-o", "out"), ()),
    ("calibrate -o", ("calibrate", str(EXAMPLE), "--history", str(HISTORY), "--outcome",
                      "Converted", "-o", "{x}", "--force"), ("folder",)),
]


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), kind=st.sampled_from(KINDS))
def test_a_special_file_anywhere_is_refused_in_one_line(tmp_path_factory: Any,
                                                        place: tuple[Any, ...], kind: str):
    name, args, valid = place
    if kind in valid:
        return
    folder = tmp_path_factory.mktemp("special")
    target = _special(folder, kind)
    before = sorted(path.name for path in folder.iterdir())
    started = time.monotonic()
    done = slabuilder(*[str(target) if arg == "{x}" else arg for arg in args], cwd=folder,
                      timeout=30)
    assert time.monotonic() - started < 30
    line = one_line(done)
    assert "bug" not in line, (name, kind, line)
    assert sorted(path.name for path in folder.iterdir()) == before, (name, kind)
    if kind == "device":
        assert Path("/dev/zero").exists()


# --------------------------------------------------------------------------- exit 1 no more


def test_plan_with_its_output_closed_says_so(tmp_path: Path):
    line = one_line(slabuilder("plan", EXAMPLE, cwd=tmp_path, shell_suffix=" >&-"))
    assert "standard output is closed" in line


def test_an_absurd_forward_volume_is_refused(tmp_path: Path):
    line = one_line(slabuilder("plan", EXAMPLE, "--mqls", "1" + "0" * 30, cwd=tmp_path))
    assert "is not in the range 1<=x<=1000000000" in line


def test_a_template_nested_thousands_deep_is_refused(tmp_path: Path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "summary.html.j2").write_text(
        "<html><body>" + "<div>" * 3000 + "x" + "</div>" * 3000 + "</body></html>",
        encoding="utf-8")
    line = one_line(slabuilder("render", EXAMPLE, "-o", "out", "--doc", "summary",
                               "--templates", templates, cwd=tmp_path))
    assert "nests its HTML elements too deeply to lay out" in line
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_calibrate_on_junk_never_fails_as_a_bug(tmp_path: Path):
    rng = random.Random(11)
    history = tmp_path / "junk.csv"
    with history.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Colour", "Noise", "Converted"])
        for number in range(20_000):
            writer.writerow([f"J{number}", rng.choice("RGBYK"), rng.random(),
                             int(rng.random() < 0.05)])
    done = slabuilder("calibrate", EXAMPLE, "--history", history, "--outcome", "Converted",
                      cwd=tmp_path)
    assert done.returncode in (0, 2), done.stderr
    assert "bug" not in done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize("raised", ["InterruptException", "RuntimeError"])
def test_an_interrupt_inside_a_query_is_a_stop_not_a_bug(run_cli: Run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          raised: str):
    import duckdb

    from slabuilder.jobs import score

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        if raised == "RuntimeError":
            raise RuntimeError("Query interrupted")
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(score, "score_leads", interrupted)
    from slabuilder.cli import cmd_score

    monkeypatch.setattr(cmd_score, "score_leads", interrupted, raising=False)
    result = run_cli("score", EXAMPLE, "--leads", LEADS, "-o", tmp_path / "scored.csv")
    assert result.code == 130
    assert result.err == "slabuilder: stopped; nothing was written\n"
    assert not (tmp_path / "scored.csv").exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM])  # Ctrl-C: the property test below
def test_a_signal_during_a_big_read_stops_cleanly(tmp_path: Path, sig: signal.Signals):
    leads = tmp_path / "big.csv"
    rng = random.Random(3)
    with leads.open("w", encoding="utf-8") as handle:
        handle.write("Record ID,Email,Original Source,Demo Requested,Pricing Page Views\n")
        handle.writelines(f"{n},l{n}@x.example,{rng.choice(['Web', 'Events'])},"
                          f"{rng.choice(['Yes', 'No'])},{rng.randint(0, 9)}\n"
                          for n in range(1_000_000))
    process = subprocess.Popen(
        [sys.executable, "-m", "slabuilder", "score", str(EXAMPLE), "--leads", str(leads),
         "-o", str(tmp_path / "scored.csv")], cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    time.sleep(1.0)
    assert process.poll() is None, "the read finished before the signal: make the file larger"
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == [
        "slabuilder: stopped; nothing was written"]
    assert not (tmp_path / "scored.csv").exists()


RUNS: list[tuple[str, ...]] = [
    ("render", str(EXAMPLE), "-o", "out"),
    ("report", str(EXAMPLE), "--month", "2027-03", "-o", "out", "--actuals",
     str(ROOT / "examples" / "hubspot-contacts.csv"), "--breaches", "out/breaches.csv"),
    ("score", "{model}", "--leads", str(HISTORY), "-o", "out/scored.csv"),
    ("new", "--from", str(EXAMPLE), "--defaults", "-o", "out"),
    ("renegotiate", str(EXAMPLE), "-o", "out", "--defaults"),
    ("calibrate", str(EXAMPLE), "--history", str(HISTORY), "--outcome", "Converted", "-o",
     "out"),
    ("example", "-o", "out/acme.yaml"),
    ("diff", str(EXAMPLE), str(EXAMPLE)),
    ("status", str(ROOT / "examples")),
]


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(run=st.sampled_from(RUNS), sig=st.sampled_from([signal.SIGINT, signal.SIGTERM]),
       after=st.floats(min_value=0.15, max_value=2.0))
def test_a_signal_at_any_moment_leaves_nothing_partial(tmp_path_factory: Any,
                                                       run: tuple[str, ...],
                                                       sig: signal.Signals, after: float):
    """Stopped at a random moment, a command either finished (exit 0, every file complete)
    or stopped (130, one line) and left nothing behind: no temporary file, no half set.
    A signal that lands while Python itself is still starting, before any of slabuilder's
    code runs, ends the process by the signal (no program can catch it there): allowed, with
    nothing printed and nothing written."""
    folder = tmp_path_factory.mktemp("signal")
    run = tuple(str(_model()) if part == "{model}" else part for part in run)
    process = subprocess.Popen(
        [sys.executable, "-m", "slabuilder", *run], cwd=folder, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    time.sleep(after)
    if process.poll() is None:
        process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    left = sorted(path.name for path in folder.rglob("*"))
    if process.returncode == -sig:
        assert (err, left) == ("", []), "killed by the signal after slabuilder had started"
        return
    assert process.returncode in (0, 130), (process.returncode, err)
    assert not [name for name in left if name.startswith(".")], left
    if process.returncode == 130:
        assert err.splitlines()[-1].startswith("slabuilder: stopped")
        written = [name for name in left if name != "out"]
        # new saves its answers first by design; everything else is all or nothing
        assert written in ([], ["acme-analytics.yaml"]), written


# --------------------------------------------------------------------------- formula cells

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-1+2", '=HYPERLINK("http://x.example","y")',
            "@SUM(A1)", "\uff1d1+1"]


@pytest.mark.parametrize("to_file", [True, False])
def test_score_neutralises_formula_cells_in_ids_emails_and_headers(tmp_path: Path,
                                                                   to_file: bool):
    leads = tmp_path / "leads.csv"
    with leads.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["=Record ID", "Email", "Original Source"])
        for number, formula in enumerate(FORMULAS):
            writer.writerow([formula, f"{formula}@x.example", "Web"])
            writer.writerow([f"L{number}", "plain@x.example", "Web"])
    args = ["-o", tmp_path / "scored.csv"] if to_file else []
    done = slabuilder("score", _model(), "--leads", leads, *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "scored.csv").read_text(encoding="utf-8") if to_file else done.stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "'=Record ID"
    cells = [cell for row in rows for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells
        assert formula not in cells
        assert f"'{formula}@x.example" in cells
    assert "plain@x.example" in cells


# --------------------------------------------------------------------------- template limits

HUGE = [
    "{{ '%999999999s'|format('x') }}",
    "{{ 'x'" + "|replace('x', 'xxxxxxxxxx')" * 9 + " }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ 'x'|center(999999999) }}",
    "{{ '%*s' % (999999999, 'x') }}",
]


@pytest.mark.parametrize("body", HUGE)
def test_a_template_cannot_build_what_no_document_holds(tmp_path: Path, body: str):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "summary.html.j2").write_text(body, encoding="utf-8")
    started = time.monotonic()
    line = one_line(slabuilder("render", EXAMPLE, "-o", "out", "--doc", "summary", "--format",
                               "html", "--templates", templates, cwd=tmp_path))
    assert time.monotonic() - started < 20
    assert "the template tried something templates may not do" in line
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u202a"])
def test_direction_overrides_are_refused_in_every_way_in(run_cli: Run, tmp_path: Path,
                                                         mark: str):
    from slabuilder.questionnaire import load_questionnaire
    from slabuilder.typedanswer import AnswerError, check_answer

    name = f"Acme{mark}evil"
    code = f"U+{ord(mark):04X}"
    result = run_cli("plan", EXAMPLE, "--set", f"company.name={name}")
    assert result.code == 2
    assert f"company.name: holds a control character ({code})" in result.err
    answers = tmp_path / "acme.yaml"
    answers.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "name: Acme Analytics", f"name: {name}"), encoding="utf-8")
    assert f"holds a control character ({code})" in run_cli("check", answers).err
    with pytest.raises(AnswerError, match=re.escape(f"holds a control character ({code})")):
        check_answer(load_questionnaire().question("company_name"), name)


_FORMULA_HEADS = ["=", "+", "-", "@", "\t", "\uff1d", "\u200b=", "\u00a0+", "\r"]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(heads=st.lists(st.sampled_from(_FORMULA_HEADS), min_size=3, max_size=3),
       tails=st.lists(st.text(alphabet="abcAB1(),!|' ", max_size=12), min_size=3, max_size=3))
def test_no_csv_slabuilder_writes_carries_a_formula_cell(run_cli: Run, tmp_path_factory: Any,
                                                         heads: list[str], tails: list[str]):
    """Cells from the user's files (ids, e-mails, owners, sources, headers) that a spreadsheet
    would run come out of score and of report's breaches file with a leading apostrophe."""
    folder = tmp_path_factory.mktemp("formulas")
    cells = [head + tail for head, tail in zip(heads, tails, strict=True)]
    leads = folder / "leads.csv"
    with leads.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        # A header full of '|' would be read as '|'-separated (then the model's column is
        # missing and score refuses); the data cells keep them.
        writer.writerow([(cells[0] or "=x").replace("|", "!"), "Email", "Original Source"])
        writer.writerow([cells[1], f"{cells[2]}@x.example", "Web"])
    scored = folder / "scored.csv"
    assert run_cli("score", _model(), "--leads", leads, "-o", scored).code == 0
    export = folder / "export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "mql_at", "owner", "source"])
        writer.writerow([cells[0], "2027-03-02 10:00", cells[1], cells[2]])
    breaches = folder / "breaches.csv"
    result = run_cli("report", EXAMPLE, "--month", "2027-03", "--json", "--actuals", export,
                     "--breaches", breaches)
    assert result.code == 0, result.err
    for written in (scored, breaches):
        for row in csv.reader(io.StringIO(written.read_text(encoding="utf-8-sig"))):
            for cell in row:
                visible = cell.lstrip("\u200b\u00a0")
                assert not visible.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d")), \
                    (written.name, cell)


def test_a_stop_inside_pydantic_building_a_model_is_a_stop_not_a_bug():
    """pydantic turns a Ctrl-C that lands while it builds a model's validators into a
    SchemaError naming it only in its text: a stop (exit 130), not "failed unexpectedly"."""
    from pydantic_core import SchemaError

    from slabuilder.interrupts import is_interrupt

    wrapped = SchemaError('Error building "model" validator: SchemaError: Error building '
                          '"function-after" validator: KeyboardInterrupt: ')
    assert is_interrupt(wrapped)
    assert not is_interrupt(SchemaError('Error building "model" validator: bad field'))
    assert not is_interrupt(ValueError("KeyboardInterrupt"))
