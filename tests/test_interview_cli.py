"""``slabuilder new`` as a user runs it: in-process, without a terminal, and in a real one."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from slabuilder.answerfile import load_answers

ROOT = Path(__file__).resolve().parent.parent
SLABUILDER = Path(sys.executable).parent / "slabuilder"


def test_from_the_example_with_defaults_reproduces_it_exactly(
        run_cli: Callable[..., object], tmp_path: Path, example_path: Path) -> None:
    result = run_cli("new", "-o", tmp_path, "--from", example_path, "--defaults",
                     "--no-documents")
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    saved = tmp_path / "acme-analytics.yaml"
    assert saved.read_text(encoding="utf-8") == example_path.read_text(encoding="utf-8")
    assert load_answers(saved) == load_answers(example_path)
    out = result.out  # type: ignore[attr-defined]
    assert f"Saved the answers in {saved}" in out
    assert "│ MQL         │            60% │         534 │       178 │       42 │" in out
    assert f"Next: slabuilder plan {saved}" in out


def test_an_existing_answers_file_is_refused_before_any_question(
        run_cli: Callable[..., object], tmp_path: Path, example_path: Path) -> None:
    (tmp_path / "acme-analytics.yaml").write_text("mine\n", encoding="utf-8")
    result = run_cli("new", "-o", tmp_path, "--from", example_path, "--no-documents")
    assert result.code == 2  # type: ignore[attr-defined]
    assert result.err == (  # type: ignore[attr-defined]
        f"slabuilder: {tmp_path / 'acme-analytics.yaml'}: already exists; use --force to "
        "replace it or choose another folder\n")
    assert (tmp_path / "acme-analytics.yaml").read_text(encoding="utf-8") == "mine\n"
    forced = run_cli("new", "-o", tmp_path, "--from", example_path, "--defaults", "--force",
                     "--no-documents")
    assert forced.code == 0  # type: ignore[attr-defined]
    assert load_answers(tmp_path / "acme-analytics.yaml") == load_answers(example_path)


def test_set_changes_one_answer_and_names_the_file(
        run_cli: Callable[..., object], tmp_path: Path, example_path: Path) -> None:
    result = run_cli("new", "-o", tmp_path, "--from", example_path, "--defaults",
                     "--set", "company.name=Globex Ltd", "--set",
                     "economics.revenue_target=1.2M", "--no-documents")
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    answers = load_answers(tmp_path / "globex-ltd.yaml")
    assert answers.company.name == "Globex Ltd"
    assert answers.economics.revenue_target == 1200000


def test_defaults_without_a_previous_file_lists_what_has_no_default(
        run_cli: Callable[..., object], tmp_path: Path) -> None:
    result = run_cli("new", "-o", tmp_path, "--defaults")
    assert result.code == 2  # type: ignore[attr-defined]
    assert result.err.startswith(  # type: ignore[attr-defined]
        "slabuilder: --defaults: 9 questions have no default: company.name, ")
    assert list(tmp_path.iterdir()) == []


def test_help_shows_every_option(run_cli: Callable[..., object]) -> None:
    result = run_cli("new", "--help")
    for option in ("-o, --output DIR", "--from FILE", "--defaults", "--set KEY=VALUE",
                   "--resume FILE", "--force", "--no-documents"):
        assert option in result.out  # type: ignore[attr-defined]


@pytest.mark.slow
def test_without_a_terminal_it_stops_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run([str(SLABUILDER), "new", "-o", str(tmp_path)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 2
    assert time.monotonic() - started < 10
    assert done.stderr.startswith("slabuilder: no terminal to ask in, and 9 answers are "
                                  "missing: company.name, agreement.owner.name, ")
    assert "--set company.name=..." in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_new_renders_the_documents_beside_the_answers(tmp_path: Path,
                                                      example_path: Path) -> None:
    done = subprocess.run([str(SLABUILDER), "new", "-o", str(tmp_path), "--from",
                           str(example_path), "--defaults"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["acme-analytics-agreement.html", "acme-analytics-agreement.pdf",
                     "acme-analytics-brief.html", "acme-analytics-brief.pdf",
                     "acme-analytics-summary.html", "acme-analytics-summary.pdf",
                     "acme-analytics.yaml"]
    assert (tmp_path / "acme-analytics-agreement.pdf").read_bytes().startswith(b"%PDF-")
    again = subprocess.run([str(SLABUILDER), "new", "-o", str(tmp_path), "--from",
                            str(example_path), "--defaults", "--set", "company.name=Acme"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=300, check=False)
    assert again.returncode == 0, again.stderr


# --------------------------------------------------------------------------- a real terminal

DOWN, UP = "\x1b[B", "\x1b[A"

ANSWERS: list[tuple[str, str]] = [
    # (what the prompt says, what the user types)
    (r"What is the company called\?", "Northwind Traders\r"),
    (r"Which CRM holds your leads\?", DOWN + DOWN + "\r"),  # other -> hubspot -> salesforce
    (r"Which time zone do the SLA clocks run in\?", "Europe/Berlin\r"),
    (r"What are your business hours\?", "08:30-17:30\r"),
    (r"Which days are business days\?", "\r"),
    (r"Whose public holidays stop the clock\?", "DE\r"),
    (r"How do you write numbers\?", "\r"),
    (r"Who owns the agreement day to day", "Mia Wagner\r"),
    (r"What is the owner's job title\?", "\r"),
    (r"Who signs for marketing\?", "Jonas Berg\r"),
    (r"job title of the person signing for marketing\?", "CMO\r"),
    (r"Who signs for sales\?", "Lena Vogt\r"),
    (r"job title of the person signing for sales\?", "\r"),
    (r"On what date does the agreement take effect\?", "2027-07-01\r"),
    (r"How often will you renegotiate the figures\?", "\r"),
    (r"What is the smallest company you sell to", "100\r"),
    (r"And the largest, in employees\?", "2000\r"),
    (r"Which industries are in scope\?", "Manufacturing, Logistics\r"),
    (r"Which countries or regions do you sell into\?", "Germany, Austria, Switzerland\r"),
    (r"Which job titles can buy", "Head of Operations, COO\r"),
    (r"Which leads are never sent to sales", "\r"),
    (r"Over what period do you plan revenue\?", "\r"),
    (r"In which currency\?", "EUR\r"),
    (r"How much new revenue must the funnel bring in per quarter\?", "€900k\r"),
    (r"What is the average size of a won deal\?", "45,000\r"),
    (r"How many days does a deal take", "120\r"),
    (r"How many times the revenue target should open pipeline cover\?", "4x\r"),
    (r"How much does marketing spend on acquiring customers per quarter\?", "€200k\r"),
    (r"And how much does sales spend on winning new customers", "\r"),
    (r"Does sales accept each MQL as a separate step", "y"),
    (r"What share of MQLs does sales accept\?", "75%\r"),
    (r"What share of accepted leads become sales qualified", "0.5\r"),
    (r"What share of SQLs become opportunities\?", "\r"),
    (r"What share of opportunities do you win\?", "30%\r"),
    (r"How many SDRs", "3\r"),
    (r"How many account executives carry a quota\?", "4\r"),
    (r"Does anyone answer leads outside business hours\?", "n"),
    (r"About how many MQLs does marketing produce a month today\?", "150\r"),
    (r"What share of MQLs does sales work within the agreed time today\?", "\r"),
    (r"What gets in the way most today\?", UP + UP + UP + "\r"),  # Not sure -> Definition
    (r"what do the two teams say about each other\?", "Nobody agrees what a lead is.\r"),
    (r"How is an MQL defined today", "any form fill\r"),
    (r"What does sales commit to today", "\r"),  # skipped
    (r"Is this a first agreement", UP + UP + "\r"),  # Not sure -> A first agreement
    (r"How many points make a lead an MQL\?", "65\r"),
    (r"Do you want to change any of the standard points\?", "n"),
    (r"How should the CRM tell a rep that an MQL is theirs\?", DOWN + DOWN + "\r"),  # Slack
    (r"Who decides when a lead outside the written criteria", "\r"),
    (r"Within how many business hours is such an exception decided\?", "24\r"),
    (r"Do you want to go through the terms one by one\?", "y"),
    (r"Within how many business hours must sales first call back a demo or trial request\?",
     "2\r"),
    (r"And for other MQLs", "\r"),
    (r"Which words in the form or signal that made a lead an MQL", "\r"),
    (r"How many attempts must sales make", "8\r"),
    (r"Over how many days\?", "\r"),
    (r"On which channels\?", DOWN + DOWN + " \r"),  # tick LinkedIn as well
    (r"Within how many business days must every MQL be accepted", "\r"),
    (r"What share of MQLs should sales accept", "\r"),
    (r"within how many minutes must each reach its owner", "15\r"),
    (r"How often must sales update stage", "\r"),
    (r"How are mid-market MQLs shared among the reps\?", "\r"),
    (r"After how many hours does a breach go to the team lead\?", "\r"),
    (r"And to the VPs, after how many hours\?", "\r"),
]


@pytest.mark.slow
def test_the_whole_interview_in_a_real_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    # pexpect does not answer the cursor-position request a real terminal answers; without
    # this, prompt_toolkit waits for the reply before each prompt.
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "100",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(str(SLABUILDER), ["new", "-o", str(tmp_path), "--no-documents"],
                          env=env, dimensions=(100, 120), encoding="utf-8", timeout=20)
    transcript = io.StringIO()
    child.logfile_read = transcript
    try:
        child.expect("The company and the people who sign")
        for prompt, keys in ANSWERS:
            child.expect(prompt)
            child.send(keys)
        child.expect("Check your answers")
        child.expect("Company name: Northwind Traders")
        # go back to the company name, change it, come back to the review and save
        child.send(DOWN + "\r")
        child.expect(r"What is the company called\?")
        child.send("Northwind GmbH\r")
        child.expect("Check your answers")
        child.send(UP + "\r")
        child.expect("Saved the answers in")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    # each typed number was shown back as read: "€900k" as €900,000, "0.5" as 50%
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript.getvalue())
    assert "= €900,000" in screen
    assert "= €45,000" in screen
    assert "= 50%" in screen
    # the derived figures came right after the funnel section
    assert ("That means, per quarter: 20 won deals, 67 opportunities, 134 SQLs, 268 SALs, "
            "358 MQLs.") in transcript.getvalue()
    answers = load_answers(tmp_path / "northwind-gmbh.yaml")
    assert answers.company.model_dump() == {
        "name": "Northwind GmbH", "crm": "salesforce", "timezone": "Europe/Berlin",
        "business_hours": "08:30-17:30", "business_days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
        "holidays": "DE", "number_format": "1,234.5"}
    assert [(s.name, s.title, s.side) for s in answers.agreement.signatories] == [
        ("Jonas Berg", "CMO", "marketing"), ("Lena Vogt", "VP Sales", "sales")]
    assert answers.agreement.owner.title == "Director of Demand Generation"
    assert str(answers.agreement.effective_date) == "2027-07-01"
    assert answers.icp.model_dump() == {
        "company_size": {"min": 100, "max": 2000},
        "industries": ["Manufacturing", "Logistics"],
        "geographies": ["Germany", "Austria", "Switzerland"],
        "titles": ["Head of Operations", "COO"],
        "disqualifiers": ["Competitor", "Student or academic", "Outside target geography",
                          "No budget authority", "Personal or free e-mail domain"],
        "blank_fit_fields": "pass"}
    economics = answers.economics
    assert (economics.currency, economics.revenue_target, economics.average_deal_size,
            economics.sales_cycle_days, economics.pipeline_coverage) == (
        "EUR", 900000, 45000, 120, 4)
    assert (economics.marketing_spend, economics.sales_spend) == (200000, None)
    assert (answers.handoff.notify_by, answers.exceptions.decision_hours) == ("slack", 24)
    assert {k: str(v) for k, v in answers.funnel.rates().items()} == {
        "mql_to_sal": "0.75", "sal_to_sql": "0.5", "sql_to_opportunity": "0.5",
        "opportunity_to_won": "0.3"}
    assert (answers.team.sdrs, answers.team.aes, answers.team.after_hours_coverage) == (
        3, 4, False)
    state = answers.current_state
    assert (state.mqls_per_month, state.worked_within_sla, state.main_problem,
            state.main_conflict, state.starting_point) == (
        150, None, "definition", "Nobody agrees what a lead is.", "scratch")
    assert answers.scoring.threshold == 65
    assert answers.scoring.signals == {}
    sales = answers.sla.sales
    assert (str(sales.speed_to_lead_hours), sales.contact_attempts, sales.channels) == (
        "2", 8, ["phone", "email", "linkedin"])
    assert answers.sla.marketing.routing_minutes == 15
    # Enter kept the acceptance default, which follows the SAL rate: one figure, written once.
    assert answers.sla.marketing.acceptance_rate is None
    from slabuilder.plan import build_plan

    assert build_plan(answers).terms.commitments.acceptance_rate == Decimal("0.75")
    # ... and the review screen showed that figure, not the questionnaire's fixed default
    assert "MQLs sales should accept: 75%" in transcript.getvalue()
    assert "MQLs sales should accept: 60%" not in transcript.getvalue()
    text = (tmp_path / "northwind-gmbh.yaml").read_text(encoding="utf-8")
    assert "sla:\n  marketing: {routing_minutes: 15}\n" in text
    assert "escalation" not in text


def _terminal(args: list[str], cwd: Path) -> object:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "100",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(str(SLABUILDER), args, env=env, cwd=str(cwd), dimensions=(100, 120),
                         encoding="utf-8", timeout=20)


@pytest.mark.slow
def test_a_stopped_interview_is_offered_again_in_its_folder(tmp_path: Path) -> None:
    import pexpect

    folder = tmp_path / "acme"
    folder.mkdir()
    partial = folder / "slabuilder-partial.yaml"
    partial.write_text("# slabuilder partial answers: not a complete answers file yet.\n"
                       "company:\n  name: Zeta Corp\n  crm: other\n", encoding="utf-8")
    child = _terminal(["new", "-o", str(folder), "--no-documents"], tmp_path)
    try:
        child.expect(r"An interview stopped earlier left its answers in .*Carry on from them\?")
        child.send("\r")
        child.expect("Carrying on from")
        child.expect(r"Which time zone")  # the name and CRM are kept: the next question
        child.sendintr()
        child.expect("Save your answers so far")
        child.send("y")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    said = " ".join((child.before or "").split())
    assert f"carry on with `slabuilder new -o {folder} --resume {partial}`" in said
    assert "name: Zeta Corp" in partial.read_text(encoding="utf-8")


def test_resume_writes_into_the_folder_of_the_stopped_interview(
        tmp_path: Path, example_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    partial = folder / "slabuilder-partial.yaml"
    partial.write_text("# slabuilder partial answers: not a complete answers file yet.\n"
                       + example_path.read_text(encoding="utf-8"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([str(SLABUILDER), "new", "--resume", str(partial), "--defaults",
                           "--no-documents"], cwd=elsewhere, capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert load_answers(folder / "acme-analytics.yaml") == load_answers(example_path)
    assert list(elsewhere.iterdir()) == []
    assert not partial.exists()  # carried on and saved: the partial answers are done with


@pytest.mark.slow
def test_without_pango_new_keeps_the_answers_and_the_html(
        tmp_path: Path, example_path: Path) -> None:
    """The whole interview must survive a machine that cannot make PDFs."""
    fake = tmp_path / "no-pango" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': no such file\")\n",
        encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    done = subprocess.run([str(SLABUILDER), "new", "--from", str(example_path), "--defaults",
                           "-o", str(out)], capture_output=True, text=True, check=False,
                          env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    answers = out / "acme-analytics.yaml"
    assert line == (
        "slabuilder: no PDFs were made: PDF output needs WeasyPrint and the Pango library "
        "(OSError: cannot load library 'libpango-1.0-0': no such file); install Pango (for "
        "example `apt-get install libpango-1.0-0 libpangoft2-1.0-0`). The answers and the "
        "HTML documents are saved; once PDFs work, make them with "
        f"`slabuilder render {answers} -o {out}`")
    assert f"Saved the answers in {answers}" in done.stdout
    assert sorted(path.name for path in out.iterdir()) == [
        "acme-analytics-agreement.html", "acme-analytics-brief.html",
        "acme-analytics-summary.html", "acme-analytics.yaml"]
    assert load_answers(answers) == load_answers(example_path)
