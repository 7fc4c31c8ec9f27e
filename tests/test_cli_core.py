"""The command line of the core: example, plan, check, schema; exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLE


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_plan_json_has_targets_for_every_stage(run_cli):
    result = run_cli("plan", EXAMPLE, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {s: (t["per_period"], t["per_month"]) for s, t in data["targets"].items()} == {
        "mql": (534, 178), "sql": (320, 107), "opportunity": (160, 54), "won": (40, 14)}
    assert data["scoring"]["threshold"] == 25
    assert len(data["scoring"]["explanation"]) == 2
    assert {t["id"] for t in data["terms"]["sales"]} >= {"speed_to_lead", "contact_attempts"}
    # Findings about the business only: the example's own terms fit together.
    assert {w["code"] for w in data["warnings"]} == {"volume_gap", "sla_rarely_met"}
    assert data["terms"]["commitments"]["acceptance_rate"] == 0.6
    assert [t["hours"] for t in data["terms"]["commitments"]["response_tiers"]] == [4, 24]
    assert data["pipeline_needed"] == 3_000_000


def test_plan_what_if_with_set(run_cli):
    result = run_cli("plan", EXAMPLE, "--json", "--set", "economics.revenue_target=1.2M")
    targets = json.loads(result.out)["targets"]
    assert (targets["mql"]["per_period"], targets["mql"]["per_month"]) == (640, 214)
    assert (targets["sql"]["per_period"], targets["won"]["per_period"]) == (384, 48)


def test_plan_forward_from_given_volume(run_cli):
    data = json.loads(run_cli("plan", EXAMPLE, "--json", "--mqls", "200").out)
    assert data["forward"]["expected"] == {"mql": 200, "sql": 120, "opportunity": 60,
                                           "won": 15}
    assert data["forward"]["revenue_per_month"] == 375_000


def test_plan_tables_show_the_figures(run_cli):
    result = run_cli("plan", EXAMPLE)
    assert result.code == 0
    for text in ("Acme Analytics", "534", "178", "$3,000,000", "2 November 2026",
                 "Lead scoring (MQL at 25 points)", "Speed to lead", "2 warnings"):
        assert text in result.out


def test_example_prints_and_writes_without_clobbering(run_cli, tmp_path):
    printed = run_cli("example")
    assert printed.out == EXAMPLE.read_text(encoding="utf-8")
    target = tmp_path / "mine.yaml"
    assert run_cli("example", "-o", target).code == 0
    target.write_text("my own edits\n", encoding="utf-8")
    refused = run_cli("example", "-o", target)
    assert refused.code == 2
    assert "already exists; use --force" in refused.err
    assert target.read_text(encoding="utf-8") == "my own edits\n"


def test_check_lists_warnings_and_succeeds(run_cli):
    result = run_cli("check", EXAMPLE)
    assert result.code == 0
    assert "valid" in result.out
    assert "2 warnings" in result.out


def test_check_json_carries_the_same_as_the_lines(run_cli, tmp_path, example_text):
    good = run_cli("check", EXAMPLE, "--json")
    assert good.code == 0
    data = json.loads(good.out)
    assert (data["file"], data["valid"], data["problems"]) == (str(EXAMPLE), True, [])
    assert [w["code"] for w in data["warnings"]] == ["volume_gap", "sla_rarely_met"]
    assert data["warnings"][0]["message"] in run_cli("check", EXAMPLE).out
    broken = write(tmp_path, example_text.replace("mql_to_sql: 60%", "mql_to_sql: 60"))
    bad = run_cli("check", broken, "--json")
    assert bad.code == 2
    data = json.loads(bad.out)
    assert (data["valid"], data["warnings"]) == (False, [])
    (problem,) = data["problems"]
    assert problem.startswith(f"{broken}:{line_of(example_text, 'mql_to_sql: 60%')}: "
                              "funnel.mql_to_sql: 60 is not")


def test_check_lists_every_problem(run_cli, tmp_path, example_text):
    text = example_text.replace("mql_to_sql: 60%", "mql_to_sql: 60").replace(
        "crm: hubspot", "crm: pipedrive")
    result = run_cli("check", write(tmp_path, text))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert f":{line_of(text, 'crm: pipedrive')}: company.crm: 'pipedrive'" in lines[0]
    assert f":{line_of(text, 'mql_to_sql: 60')}: funnel.mql_to_sql: 60 is not" in lines[1]


def test_schema_is_json_schema_with_every_section(run_cli):
    schema = json.loads(run_cli("schema").out)
    assert schema["title"] == "slabuilder answers file"
    assert set(schema["properties"]) >= {"company", "agreement", "icp", "economics", "funnel",
                                         "scoring", "sla", "routing", "escalation", "cadence"}
    assert schema["additionalProperties"] is False


def test_every_model_key_is_documented():
    """The schema documents exactly the keys of the field registry, in its dialect."""
    from slabuilder.fields import registry
    from slabuilder.schema import KEY_DOCS

    assert [key for key in registry() if key not in KEY_DOCS] == []
    assert [key for key in KEY_DOCS if key not in registry()] == []


def test_readme_key_reference_is_current(run_cli):
    readme = (EXAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")
    result = run_cli("schema", "--markdown")
    assert result.code == 0
    table = result.out.strip()
    assert table.startswith("| key | meaning | default |")
    assert "| `funnel.mql_to_sql` | Share of MQLs that become SQLs. |" in table
    assert "| `sla.sales.contact_attempts` |" in table
    assert table in readme, "README's key reference is stale: paste `slabuilder schema --markdown`"


BAD_INPUTS = [
    # (name, replace what, with what, expected message fragment, key or None)
    ("unknown key", "  mql_to_sql: 60%", "  mql_to_sqll: 60%", "did you mean mql_to_sql?",
     "funnel.mql_to_sqll"),
    ("bare rate over 1", "mql_to_sql: 60%", "mql_to_sql: 60", "write 60% or 0.6",
     "funnel.mql_to_sql"),
    ("gap in chain", "  sql_to_opportunity: 50%\n", "", "the funnel stops at sql",
     "funnel"),
    ("rate of zero", "mql_to_sql: 60%", "mql_to_sql: 0%", "no deal can ever close",
     "funnel.mql_to_sql"),
    ("bad money", "revenue_target: 1000000", "revenue_target: lots", "'lots' is not an amount",
     "economics.revenue_target"),
    ("bad date", "effective_date: 2027-01-01", "effective_date: 01/02/2027",
     "write it as YYYY-MM-DD", "agreement.effective_date"),
    ("impossible date", "effective_date: 2027-01-01", "effective_date: 2027-02-30",
     "is not a real date", "agreement.effective_date"),
    ("bad choice", "period: quarter", "period: fortnight", "'fortnight' is not one of",
     "economics.period"),
    ("missing key", "  revenue_target: 1000000\n", "", "is missing",
     "economics.revenue_target"),
    ("bad time zone", "timezone: America/New_York", "timezone: Mars/Olympus",
     "is not a time zone", "company.timezone"),
    ("size range upside down", "{min: 50, max: 500}", "{min: 500, max: 50}", "swap them",
     "icp.company_size"),
    # Numbers whose marks read two ways are refused, never guessed (0,5 hours was 5 hours).
    ("decimal comma", "pipeline_coverage: 3", "pipeline_coverage: 2,5",
     "'2,5' could be 2.5 (a decimal comma) or 25 (the comma ignored); type 2.5",
     "economics.pipeline_coverage"),
    ("dot between thousands", "sdrs: 4", "sdrs: 1.000",
     "'1.000' could be 1 (a decimal point) or 1,000 (a dot between thousands)", "team.sdrs"),
    ("money with a dot between thousands", "revenue_target: 1000000",
     "revenue_target: 1.000.000",
     "'1.000.000' is written with dots between thousands and a comma for decimals; type "
     "1000000 or 1,000,000",
     "economics.revenue_target"),
]


@pytest.mark.parametrize(("name", "old", "new", "message", "key"), BAD_INPUTS,
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_answers_give_one_line_and_exit_2(run_cli, tmp_path, example_text, name, old, new,
                                              message, key):
    assert old in example_text
    path = write(tmp_path, example_text.replace(old, new, 1))
    for command in ("plan", "check"):
        result = run_cli(command, path)
        assert result.code == 2, name
        assert "Traceback" not in result.err
        assert result.err.startswith(f"slabuilder: {path}:")
        assert message in result.err
        assert f": {key}: " in result.err
        assert result.out == ""
        assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(("name", "text", "message", "line"), [
    ("alias", "a: &x 1\nb: *x\n", "anchors (&name) are not allowed", 1),
    ("merge key", "a: {x: 1}\nb:\n  <<: {y: 1}\n", "merge keys (<<) are not allowed", 3),
    ("duplicate key", "company: {name: A}\nfunnel: {}\ncompany: {name: B}\n",
     "the key 'company' appears twice (first on line 1)", 3),
    ("a set as a key", "company:\n  ? !!set {a}\n  : 1\n",
     "a key must be a plain word, not a list or mapping", 2),
    ("a 5,000-digit number", "team:\n  sdrs: " + "1" * 5000 + "\n",
     "this number is far too long; write a realistic figure", 2),
    ("not YAML", "company: [unclosed\n", "not valid YAML", 2),
    ("tabs", "company:\n\tname: A\n", "not valid YAML", 2),
    ("empty", "", "the answers file is empty", None),
    ("only comments", "# nothing\n\n", "the answers file is empty", None),
    ("a list", "- a\n- b\n", "holds a list", None),
    ("a scalar", "hello\n", "holds a single value", None),
])
def test_unreadable_files(run_cli, tmp_path, name, text, message, line):
    path = write(tmp_path, text)
    result = run_cli("check", path)
    assert result.code == 2, name
    assert message in result.err
    assert result.err.startswith(f"slabuilder: {path}:{line}:" if line
                                 else f"slabuilder: {path}:")
    assert "Traceback" not in result.err


def test_size_cap_and_binary_and_missing_and_folder(run_cli, tmp_path):
    big = write(tmp_path, "x: " + "a" * 1_100_000, "big.yaml")
    assert "larger than 1 MB" in run_cli("plan", big).err
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"company:\n  name: \xff\xfe\n")
    assert "is not UTF-8 text" in run_cli("plan", binary).err
    missing = run_cli("plan", tmp_path / "nope.yaml")
    assert missing.code == 2
    assert "no such answers file" in missing.err
    assert "this is a folder" in run_cli("plan", tmp_path).err


def test_usage_errors_exit_2(run_cli):
    assert run_cli("plan").code == 2
    assert run_cli("no-such-command").code == 2
    assert run_cli("plan", EXAMPLE, "--mqls", "0").code == 2
    bad_set = run_cli("plan", EXAMPLE, "--set", "funnel.mql_to_sql")
    assert bad_set.code == 2
    assert "has no value; write key.path=value" in bad_set.err


@pytest.mark.parametrize("command", ["example", "plan", "check", "schema"])
def test_help_speaks_plainly(run_cli, command):
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Usage: slabuilder " + command in result.out


def test_slabuilder_alone_prints_the_usage_on_several_lines(run_cli):
    result = run_cli()
    assert result.code == 0
    assert result.err == ""
    assert result.out.startswith("Usage: slabuilder [OPTIONS] COMMAND [ARGS]...\n")
    assert result.out == run_cli("--help").out
    assert len(result.out.splitlines()) > 20


@pytest.mark.parametrize(("extra", "command"), [
    ("calibrate", ["calibrate", str(EXAMPLE), "--history", "leads.csv", "--outcome", "Won"]),
    ("sign", ["status", "out.pdf"]),
])
def test_a_missing_optional_part_names_the_pip_install(run_cli, monkeypatch, tmp_path, extra,
                                                       command):
    from slabuilder import extras

    found = extras.util.find_spec
    hidden = set(extras.EXTRAS[extra][1][:1])
    monkeypatch.setattr(extras.util, "find_spec",
                        lambda name, *rest: None if name in hidden else found(name, *rest))
    (tmp_path / "leads.csv").write_text("Won\n1\n", encoding="utf-8")
    (tmp_path / "out.pdf").write_bytes(b"%PDF-1.7\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli(*command)
    assert result.code == 2
    assert result.out == ""
    hint = extras.install_hint(extra)
    assert hint.startswith("pip install '")
    assert hint.endswith(f"[{extra}]'")
    assert result.err == (f"slabuilder: this needs slabuilder's optional part '{extra}' "
                          f"({extras.EXTRAS[extra][0]}), which is not installed; install it "
                          f"with: {hint}\n")


def test_top_level_help_lists_commands(run_cli):
    result = run_cli("--help")
    assert result.code == 0
    for command in ("example", "plan", "check", "schema"):
        assert command in result.out


def test_python_dash_m_and_exit_codes_in_a_real_process(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "slabuilder", "plan", str(EXAMPLE), "--json"],
                        capture_output=True, text=True, check=False, cwd=tmp_path)
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["targets"]["mql"]["per_month"] == 178
    bad = subprocess.run([sys.executable, "-m", "slabuilder", "plan", "missing.yaml"],
                         capture_output=True, text=True, check=False, cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr


def test_public_api_is_complete_and_lazy():
    code = ("import sys, slabuilder\n"
            "heavy = {'weasyprint', 'duckdb', 'questionary', 'holidays', 'rich'}\n"
            "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
            "assert sorted(slabuilder.__all__) == sorted(['__version__', *slabuilder._LAZY])\n"
            "for name in slabuilder.__all__: getattr(slabuilder, name)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_does_not_load_heavy_libraries():
    code = ("import sys\nfrom slabuilder.cli import main\nmain(['--help'])\n"
            "heavy = {'weasyprint', 'duckdb', 'questionary', 'holidays', 'jinja2', 'pydantic'}\n"
            "sys.exit(sorted(heavy & set(sys.modules)) or 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


# What each command may import on its way to its work: the answers models for plan and
# check, the questionnaire and questionary for new.  Anything else (the holidays calendar's
# country modules, Jinja, WeasyPrint, DuckDB, rich) is time a user waits for nothing.
_ANSWERS_STACK = {"slabuilder", "click", "yaml", "pydantic", "pydantic_core", "annotated_types",
                  "typing_extensions", "typing_inspection",
                  "cython_runtime", "org"}  # a compiled module's runtime; copy's Jython probe
_THIRD_PARTY = ("import sys\n"
                "def third_party():\n"
                "    return sorted({m.split('.')[0] for m in sys.modules if not m.startswith('_')}"
                " - set(sys.stdlib_module_names) - before)\n"
                "before = {m.split('.')[0] for m in sys.modules}\n")


@pytest.mark.parametrize("args", [["plan", str(EXAMPLE), "--json"], ["plan", str(EXAMPLE)],
                                  ["check", str(EXAMPLE)]])
def test_plan_and_check_import_only_what_they_use(args: list[str]) -> None:
    code = (_THIRD_PARTY + "from slabuilder.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(third_party())\n")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    imported = set(json.loads(found.stdout.strip().splitlines()[-1].replace("'", '"')))
    extra = imported - _ANSWERS_STACK - ({"rich", "pygments", "markdown_it", "mdurl"}
                                         if "--json" not in args else set())
    assert not extra, f"{args[0]} imports {sorted(extra)}"


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_render_of_one_document_imports_only_what_it_uses(fmt: str, tmp_path: Path) -> None:
    """Templates need Jinja; the one PDF is made by a worker started first, so the command
    itself never waits for WeasyPrint (nor imports pyHanko, pypdf, DuckDB or rich)."""
    import os

    if fmt == "pdf" and len(os.sched_getaffinity(0)) < 2:
        pytest.skip("with one core the PDF is made in the command's own process")
    code = (_THIRD_PARTY + "from slabuilder.cli import main\n"
            f"assert main(['render', {str(EXAMPLE)!r}, '--doc', 'agreement', '--format', "
            f"{fmt!r}, '-o', {str(tmp_path)!r}]) == 0\n"
            "print(third_party())\n")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    imported = set(json.loads(found.stdout.strip().splitlines()[-1].replace("'", '"')))
    extra = imported - _ANSWERS_STACK - {"jinja2", "markupsafe"}
    assert not extra, f"render --format {fmt} imports {sorted(extra)}"


@pytest.mark.slow
def test_new_imports_no_answers_model_before_the_first_question(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    log = tmp_path / "imports.log"
    env = {"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn("/bin/sh", ["-c", f"exec {sys.executable} -X importtime -m slabuilder "
                                            f"new -o {tmp_path} 2> {log}"],
                          env={**__import__("os").environ, **env}, dimensions=(40, 120),
                          encoding="utf-8", timeout=60)
    try:
        child.expect_exact("What is the company called?")
        lines = log.read_text(encoding="utf-8").splitlines()
    finally:
        child.close(force=True)
    bare = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"],
                          capture_output=True, text=True, check=True).stderr.splitlines()

    def packages(found: list[str]) -> set[str]:
        names = {line.split("|")[-1].strip().split(".")[0] for line in found
                 if line.startswith("import time:") and "cumulative" not in line}
        return {name for name in names if not name.startswith("_")}

    # the questionnaire is checked without pydantic: the answers models wait for an answer
    interview_stack = {"slabuilder", "click", "yaml", "questionary", "prompt_toolkit", "wcwidth",
                       "org"}  # copy's Jython probe
    extra = packages(lines) - packages(bare) - set(sys.stdlib_module_names) - interview_stack
    assert not extra, f"new imports {sorted(extra)} before its first question"


def test_set_errors_name_the_command_line_not_the_file(run_cli):
    result = run_cli("plan", EXAMPLE, "--set", "funnel.mql_to_sql=60")
    assert result.code == 2
    assert result.err == ("slabuilder: --set: funnel.mql_to_sql: 60 is not a rate; "
                          "write 60% or 0.6\n")


def test_check_with_set_lists_every_problem(run_cli):
    result = run_cli("check", EXAMPLE, "--set", "scoring.signals.demo_request=150",
                     "--set", "team.sdrs=-1")
    assert result.code == 2
    assert sorted(result.err.strip().splitlines()) == [
        "slabuilder: --set: scoring.signals.demo_request: 150 is too large; it should be at "
        "most 100",
        "slabuilder: --set: team.sdrs: -1 is too small; it should be at least 0"]


def test_a_union_error_speaks_of_what_was_written(run_cli, tmp_path, example_text):
    text = example_text + "scoring: {signals: {demo_request: 150, webinar: {label: Webinar}}}\n"
    result = run_cli("check", write(tmp_path, text))
    lines = result.err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("scoring.signals.demo_request: 150 is too large; it should be at "
                             "most 100")
    assert "scoring.signals.webinar.points: is missing" in lines[1]
    assert "CustomSignal" not in result.err


def test_set_can_add_a_list_item_key_by_key(run_cli):
    result = run_cli("plan", EXAMPLE, "--json",
                     "--set", "agreement.signatories[2].name=Kim Lo",
                     "--set", "agreement.signatories[2].title=CRO",
                     "--set", "agreement.signatories[2].side=executive")
    assert result.code == 0, result.err
    gap = run_cli("plan", EXAMPLE, "--set", "agreement.signatories[5].name=Kim")
    assert gap.err == ("slabuilder: --set: agreement.signatories[5].name: there is no item "
                       "[5]; the list has 2, so add item [2] first\n")


@pytest.mark.parametrize(("setting", "message"), [
    ("economics.sales_cycle_days=1000000", "it should be at most 1,000"),
    ("agreement.effective_date=9999-10-01", "outside the years slabuilder plans for"),
    ("agreement.effective_date=0001-01-01", "outside the years slabuilder plans for"),
])
def test_dates_that_would_overflow_are_refused(run_cli, setting, message):
    result = run_cli("plan", EXAMPLE, "--set", setting)
    assert result.code == 2
    assert message in result.err


def test_deeply_nested_yaml_is_refused(run_cli, tmp_path):
    result = run_cli("check", write(tmp_path, "a: " + "[" * 10_000 + "\n"))
    assert result.code == 2
    assert "nests lists or groups far too deeply" in result.err


def test_python_dash_m_runs_the_command_line(monkeypatch, capsys):
    import runpy
    import signal

    monkeypatch.setattr(sys, "argv", ["slabuilder", "--version"])
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_module("slabuilder", run_name="__main__")
        # a finished run ignores a late Ctrl-C or SIGTERM while Python shuts down
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert done.value.code == 0
    assert capsys.readouterr().out == "slabuilder, version 0.1.0\n"


@pytest.mark.parametrize(("typed", "hours"), [("0,5", None), ("0.5", "0.5"), ("1,5h", None),
                                              ("1.5 hours", "1.5"), ("2", "2")])
def test_half_an_hour_is_never_read_as_five(run_cli, typed, hours):
    """The fast tier's limit through --set: a decimal comma is refused with both readings; a
    dot is read as written, and the agreement's term says so."""
    result = run_cli("plan", EXAMPLE, "--json", "--set",
                     f"sla.sales.speed_to_lead_hours={typed}")
    if hours is None:
        assert result.code == 2
        number = typed.removesuffix("h")
        decimal, ignored = number.replace(",", "."), str(int(number.replace(",", "")))
        assert result.err == (
            f"slabuilder: --set: sla.sales.speed_to_lead_hours: {number!r} could be {decimal} "
            f"(a decimal comma) or {ignored} (the comma ignored); type {decimal}, with a dot "
            "for decimals (or answer company.number_format with 1.234,5 to write a comma for "
            "decimals throughout)\n")
        # Where the answers write a comma for decimals, the same text is half an hour.
        comma = run_cli("plan", EXAMPLE, "--json", "--set", "company.number_format=1.234,5",
                        "--set", f"sla.sales.speed_to_lead_hours={typed}")
        assert comma.code == 0, comma.err
        tiers = json.loads(comma.out)["terms"]["commitments"]["response_tiers"]
        assert str(tiers[0]["hours"]) == decimal
        return
    assert result.code == 0, result.err
    tiers = json.loads(result.out)["terms"]["commitments"]["response_tiers"]
    assert str(tiers[0]["hours"]) == hours
