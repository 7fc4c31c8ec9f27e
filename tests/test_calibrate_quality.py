"""calibrate on histories built to show one failure each: leaks that hide one another, a
post-outcome number, a renamed row number, a semicolon file with decimal points, a model
worse than chance, blanks that carry meaning; and score agreeing with calibrate."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers import EXAMPLE, ROOT
from leadgen import write_history
from slabuilder.answerfile import load_answers, save_answers
from slabuilder.calibrate.options import CalibrationOptions
from slabuilder.jobs.calibrate import calibrate
from slabuilder.jobs.score import score_leads
from slabuilder.outputs import RenderOptions
from slabuilder.signals import DEFAULT_SIGNALS


def _write(path: Path, header: list[str], columns: list[Any], delimiter: str = ",") -> Path:
    lines = [delimiter.join(header)]
    lines += [delimiter.join(str(value) for value in row) for row in zip(*columns, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pre_contact(rng: np.random.Generator, rows: int) -> tuple[dict[str, Any], Any]:
    """Columns known before sales contact, and the true log-odds they give."""
    source = rng.choice(["Web", "Referral", "Event", "Ads"], size=rows, p=[.4, .2, .15, .25])
    visits = rng.poisson(3, rows)
    demo = rng.random(rows) < 0.15
    logit = (-1.6 + np.where(source == "Referral", 1.0, 0.0) + 0.12 * visits
             + np.where(demo, 1.0, 0.0))
    return {"Source": source, "Visits": visits,
            "Asked For Demo": np.where(demo, "Yes", "No")}, logit


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """Two sales-entered columns that leak the outcome (a tag and a quality rating, each
    almost as good as the other), a call duration known only after the call, and honest
    columns; the row number renamed 'Record' rises with the rows, which are in date order
    while conversion drifts upwards."""
    rng = np.random.default_rng(11)
    rows = 6000
    columns, logit = _pre_contact(rng, rows)
    logit = logit + np.linspace(-0.8, 0.8, rows)  # conversion drifts with time (row order)
    converted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    tags = np.where(rng.random(rows) < 0.9,
                    np.where(converted == 1, "Will revert", "Ringing"),
                    rng.choice(["Will revert", "Ringing"], size=rows))
    quality = np.where(rng.random(rows) < 0.88,
                       np.where(converted == 1, "High", "Low"), rng.choice(["High", "Low"], rows))
    duration = np.round(np.where(converted == 1, rng.gamma(4, 150, rows),
                                 rng.gamma(2, 120, rows)))
    header = ["Record", "Source", "Visits", "Asked For Demo", "Tags", "Lead Quality",
              "Call Duration", "Converted"]
    data = [np.arange(1, rows + 1), columns["Source"], columns["Visits"],
            columns["Asked For Demo"], tags, quality, duration.astype(int), converted]
    path = _write(tmp_path_factory.mktemp("leaky") / "history.csv", header, data)
    found = calibrate(EXAMPLE, path, CalibrationOptions(outcome="Converted"))
    return path, found


def test_leaks_among_leaks_are_all_found_and_named(leaky: tuple[Path, Any]):
    figures = leaky[1].figures
    flagged = {leak["column"]: leak for leak in figures["leakage"]}
    assert set(flagged) == {"Tags", "Lead Quality", "Call Duration"}
    # The call duration is not near-perfect on its own; what gives it away is what it adds
    # to every column known before contact, measured without the other suspects.
    duration = flagged["Call Duration"]
    assert duration["holdout_auc_alone"] < 0.95
    assert duration["reasons"] == ["gain"]
    assert duration["holdout_auc_with"] - duration["holdout_auc_others"] == pytest.approx(
        duration["gain"], abs=1e-3)
    used = {s["column"] for s in figures["signals"]}
    assert used.isdisjoint(flagged)
    assert {s["column"] for s in figures["signals"]} <= {"Source", "Visits", "Asked For Demo"}
    warned = {w["column"] for w in figures["warnings"] if w["code"] == "leak_excluded"}
    assert warned == set(flagged)


def test_a_renamed_row_number_is_an_identifier_not_a_signal(leaky: tuple[Path, Any]):
    figures = leaky[1].figures
    left_out = {item["column"]: item for item in figures["columns"]["left_out"]}
    assert left_out["Record"]["code"] == "id"
    assert left_out["Record"]["reason"] == ("holds a different whole number in every row (a "
                                            "record number)")


@pytest.mark.slow  # renders PDFs of its own
def test_leaks_are_on_stderr_and_the_reports_first_page(run_cli: Any, leaky: tuple[Path, Any],
                                                        tmp_path: Path):
    from helpers import pdf_pages

    out = tmp_path / "out"
    found = run_cli("calibrate", EXAMPLE, "--history", leaky[0], "--outcome", "Converted",
                    "-o", out, "--json")
    assert found.code == 0, found.err
    figures = json.loads(found.out)
    assert {leak["column"] for leak in figures["leakage"]} == {"Tags", "Lead Quality",
                                                               "Call Duration"}
    plain = run_cli("calibrate", EXAMPLE, "--history", leaky[0], "--outcome", "Converted")
    for column in ("Tags", "Lead Quality", "Call Duration"):
        assert f"warning: '{column}' predicts the outcome" in plain.err
        assert f"warning: '{column}' predicts the outcome" in found.err
    first = " ".join(pdf_pages(next(out.glob("*.pdf")))[0].split())
    for column in ("Tags", "Lead Quality", "Call Duration"):
        assert f"\u2018{column}\u2019 predicts the outcome" in first or \
            f"'{column}' predicts the outcome" in first
    assert "Grade " in first


def test_semicolon_file_with_decimal_points_reads_the_points(tmp_path: Path):
    """The widely used original of a public telemarketing history: ';' between fields and
    '.' before decimals. 2.67 must stay 2.67 (it used to become 267 while 2 stayed 2)."""
    rng = np.random.default_rng(3)
    rows = 3000
    rate = np.round(rng.uniform(-3.4, 1.4, rows), 2)
    whole = rng.random(rows) < 0.3
    rate[whole] = np.round(rate[whole])  # some written without a fraction
    converted = (rng.random(rows) < np.where(rate < -1, 0.45, 0.08)).astype(int)
    path = _write(tmp_path / "bank.csv", ["emp.var.rate", "channel", "y"],
                  [[f"{v:g}" for v in rate], rng.choice(["cell", "phone"], rows),
                   np.where(converted == 1, "yes", "no")], delimiter=";")
    found = calibrate(EXAMPLE, path, CalibrationOptions(outcome="y"))
    (signal,) = [s for s in found.figures["signals"] if s["column"] == "emp.var.rate"]
    assert signal["condition"].get("below") == -1 or signal["condition"].get("at_least") == -1
    assert found.figures["history"]["delimiter"] == "semicolon"


@pytest.mark.slow  # fits and refuses a model on a history of its own
def test_a_model_worse_than_chance_is_not_written_without_force(run_cli: Any, tmp_path: Path):
    """What held in the older leads reverses in the newer ones: the model learnt on the
    older part ranks the newer ones worse than chance."""
    rng = np.random.default_rng(8)
    rows = 3000
    source = rng.choice(["Web", "Referral"], size=rows)
    old = np.arange(rows) < rows * 0.7
    good = np.where(old, source == "Referral", source == "Web")
    converted = (rng.random(rows) < np.where(good, 0.4, 0.1)).astype(int)
    days = np.sort(rng.integers(0, 700, rows))
    dates = [f"2025-{1 + d // 60 % 12:02d}-{1 + d % 28:02d}" for d in days]
    dates = [f"{2024 + d // 360}-{1 + d % 360 // 30:02d}-{1 + d % 30 // 2 + 1:02d}"
             for d in days]
    path = _write(tmp_path / "drift.csv", ["Created", "Source", "Converted"],
                  [dates, source, converted])
    out = tmp_path / "out"
    refused = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                      "--date-column", "Created", "-o", out)
    assert refused.code == 2
    (line,) = refused.err.splitlines()
    assert "the calibrated model was not written: its holdout AUC of 0." in line
    assert "is below the floor of 0.6" in line
    assert line.endswith("or write it anyway with --force")
    assert not out.exists()
    forced = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                     "--date-column", "Created", "-o", out, "--force", "--json")
    assert forced.code == 0, forced.err
    quality = json.loads(forced.out)["quality"]
    assert quality["grade"] == "D"
    assert quality["passed"] is False
    assert quality["interval"][0] < quality["auc"] < quality["interval"][1]
    assert (out / "acme-v2.yaml").exists()


def test_a_recalibration_worse_than_the_present_model_is_refused(tmp_path: Path):
    """The present model (every signal with a condition) is measured on the same holdout;
    a new one that ranks worse is not proposed silently."""
    from slabuilder.errors import SlabuilderError

    rng = np.random.default_rng(21)
    rows = 4000
    source = rng.choice(["Web", "Referral", "Event"], size=rows)
    visits = rng.poisson(3, rows)
    chance = np.where(source == "Referral", 0.5, 0.1) + 0.02 * np.minimum(visits, 5)
    converted = (rng.random(rows) < chance).astype(int)
    path = _write(tmp_path / "h.csv", ["Source", "Visits", "Converted"],
                  [source, visits, converted])
    data = load_answers(EXAMPLE).model_dump(mode="json", exclude_none=True)
    data["scoring"] = {"threshold": 20, "signals": {
        **{signal.id: 0 for signal in DEFAULT_SIGNALS},
        "referral": {"label": "Referred", "points": 20,
                     "condition": {"column": "Source", "equals": "Referral"}}}}
    present = tmp_path / "present.yaml"
    save_answers(data, present)
    # The present model holds the strongest effect; without Source, what Visits tells cannot
    # beat it.
    with pytest.raises(SlabuilderError, match="worse than the present model"):
        calibrate(present, path, CalibrationOptions(outcome="Converted", exclude=("Source",)),
                  out_dir=tmp_path / "out")


def test_blank_cells_can_carry_points(tmp_path: Path):
    rng = np.random.default_rng(4)
    rows = 3000
    country = rng.choice(["India", "Germany", ""], size=rows, p=[.5, .3, .2])
    converted = (rng.random(rows) < np.where(country == "", 0.45, 0.12)).astype(int)
    path = _write(tmp_path / "h.csv", ["Country", "Converted"], [country, converted])
    found = calibrate(EXAMPLE, path, CalibrationOptions(outcome="Converted"))
    (signal,) = found.figures["signals"]
    assert signal["label"] == "Country is blank"
    assert signal["points"] > 0
    assert signal["condition"] == {"column": "Country", "blank": True}


def test_max_signals_gives_that_many_and_ids_read_as_words(tmp_path: Path):
    path = tmp_path / "leads.csv"
    write_history(path, 6000, leaky=False)
    found = calibrate(EXAMPLE, path, CalibrationOptions(outcome="Converted", max_signals=3))
    assert len(found.figures["signals"]) == 3
    for signal in found.figures["signals"]:
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", signal["id"])
        assert not re.search(r"\de_\d", signal["id"])  # no 3.7E-2 in an id


def test_the_integer_model_keeps_the_regressions_top_decile_lift(tmp_path: Path):
    path = tmp_path / "leads.csv"
    write_history(path, 9240, leaky=False)
    found = calibrate(EXAMPLE, path, CalibrationOptions(outcome="Converted"))
    holdout = found.figures["holdout"]
    ours, reference = holdout["top_decile"], holdout["reference_top_decile"]
    assert ours["leads"] == reference["leads"] == round(holdout["rows"] / 10)
    assert ours["lift"] >= 0.9 * reference["lift"]
    # The lift is what the leads did: converted share of the top tenth over the average.
    assert ours["lift"] == pytest.approx(ours["rate"] / holdout["rate"], abs=0.01)


def test_an_unreadable_date_column_says_so(run_cli: Any, tmp_path: Path):
    rng = np.random.default_rng(2)
    rows = 400
    path = _write(tmp_path / "h.csv", ["When", "Source", "Converted"],
                  [["soon"] * rows, rng.choice(["A", "B"], rows), rng.integers(0, 2, rows)])
    found = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                    "--date-column", "When")
    assert found.code == 2
    assert "--date-column 'When': 0 of 400 rows hold a date slabuilder can read (such as " \
           "'soon')" in found.err
    assert "one class only" not in found.err


# --------------------------------------------------------------------------- score agrees


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    folder = tmp_path_factory.mktemp("agree")
    history = folder / "leads.csv"
    write_history(history, 6000, leaky=False)
    found = calibrate(EXAMPLE, history, CalibrationOptions(outcome="Converted"),
                      out_dir=folder / "out",
                      rendering=RenderOptions(formats=("html",)))
    return history, folder / "out" / "acme-v2.yaml", found


def test_score_names_as_many_mqls_as_calibrate_promised(calibrated: tuple[Path, Path, Any]):
    history, answers, found = calibrated
    scored = score_leads(answers, history)
    promised = found.figures["file_mqls"]
    assert scored.summary["mqls"] == promised["mqls"]
    assert scored.summary["leads"] == promised["leads"]
    # Independently: the fit filter (geography) lets through leads whose country is in the
    # profile or blank (the default), and nobody else.
    answers_read = load_answers(answers)
    markets = {g.lower() for g in answers_read.icp.geographies}
    import csv

    with history.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    threshold = answers_read.scoring.threshold
    expected = 0
    for row, lead in zip(rows, scored.rows, strict=True):
        country = row["Country"].strip().lower()
        fits = country in markets or country in ("", "unknown")
        expected += fits and int(lead[2]) >= threshold
        assert (lead[3] == "yes") == (fits and int(lead[2]) >= threshold)
    assert expected == promised["mqls"]


def test_blank_fit_fields_fail_when_the_answers_say_so(calibrated: tuple[Path, Path, Any],
                                                       tmp_path: Path):
    history, answers, _ = calibrated
    data = load_answers(answers).model_dump(mode="json", exclude_none=True)
    data["icp"]["blank_fit_fields"] = "fail"
    strict = tmp_path / "strict.yaml"
    save_answers(data, strict)
    lenient = score_leads(answers, history).summary["mqls"]
    assert score_leads(strict, history).summary["mqls"] < lenient


def test_score_refuses_a_file_without_a_models_column(run_cli: Any,
                                                      calibrated: tuple[Path, Path, Any],
                                                      tmp_path: Path):
    history, answers, found = calibrated
    column = found.figures["signals"][0]["column"]
    lines = history.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace(column, "Renamed")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("\n".join(lines[:50]) + "\n", encoding="utf-8")
    result = run_cli("score", answers, "--leads", renamed)
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert f"reads the column {column!r}, which this file does not have" in line
    assert line.endswith("rename the column in the file or in the answers")


def test_score_with_the_standard_model_says_it_cannot(run_cli: Any, tmp_path: Path):
    path = _write(tmp_path / "leads.csv", ["Email", "Visits"],
                  [["a@example.com", "b@example.com"], [1, 2]])
    result = run_cli("score", EXAMPLE, "--leads", path)
    assert result.code == 2
    assert "none of the model's 11 signals says which column it reads" in result.err
    assert "Traceback" not in result.err


def test_check_does_not_dispute_a_learnt_threshold(run_cli: Any,
                                                   calibrated: tuple[Path, Path, Any]):
    _, answers, _ = calibrated
    result = run_cli("check", "--json", answers)
    assert "threshold_unusual" not in result.out


def test_the_json_has_grade_interval_importance_and_bands(calibrated: tuple[Path, Path, Any]):
    figures = calibrated[2].figures
    quality = figures["quality"]
    assert quality["grade"] in ("A", "B", "C", "D")
    assert quality["verdict"]
    assert quality["interval"][0] <= quality["auc"] <= quality["interval"][1]
    columns = {row["column"] for row in figures["importance"]}
    assert columns == set(figures["columns"]["used"])
    assert [band["band"] for band in figures["priority_bands"]] == ["A", "B", "C", "D"]
    assert sum(band["leads"] for band in figures["priority_bands"]) == \
        figures["holdout"]["rows"]
    # Bands A and B are exactly the MQLs at the threshold.
    mqls = figures["priority_bands"][0]["leads"] + figures["priority_bands"][1]["leads"]
    assert mqls == figures["at_threshold"]["leads"]


def test_the_agreements_intent_tiers_list_the_calibrated_signals(
        calibrated: tuple[Path, Path, Any]):
    from slabuilder.plan import build_plan

    _, answers, found = calibrated
    plan = build_plan(load_answers(answers))
    tiers = {tier.tier: tier.examples for tier in plan.scoring.tiers}
    shown = " ".join(tiers.values())
    assert "demo or trial request" not in shown
    behaviour = [s["label"] for s in found.figures["signals"]
                 if s["kind"] == "behaviour" and s["points"] > 0]
    assert behaviour
    assert all(label.lower() in shown.lower() for label in behaviour)
    # High intent: exactly the behaviours that reach the threshold with fit's points.
    needed = found.figures["threshold"] - found.figures["fit_points"]
    high = [s["label"] for s in found.figures["signals"]
            if s["kind"] == "behaviour" and s["points"] >= needed]
    assert tiers.get("High intent", "").lower() == "; ".join(high).lower()


def test_a_date_column_is_read_as_the_report_reads_dates(run_cli: Any, tmp_path: Path):
    """Slashed dates whose days all stay under 13 (03/04/2026) could be either order: the
    calibration stops and asks, as `report` does; --date-format DD/MM/YYYY reads them, and
    the newest tenth of the leads by that reading (the later months) is the holdout. With a
    day over 12 in the column the order is plain and nothing is asked."""
    rng = np.random.default_rng(3)
    rows = 400
    days = [f"{1 + n % 12:02d}/{1 + (n // 12) % 12:02d}/2026" for n in range(rows)]
    source = rng.choice(["A", "B"], rows)
    converted = (rng.random(rows) < np.where(source == "A", 0.7, 0.15)).astype(int)
    path = _write(tmp_path / "h.csv", ["When", "Source", "Converted"],
                  [days, source, converted])
    asked = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                    "--date-column", "When")
    assert asked.code == 2
    assert "--date-format DD/MM/YYYY" in asked.err
    assert "Traceback" not in asked.err
    read = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                   "--date-column", "When", "--date-format", "DD/MM/YYYY", "--json",
                   "--force")
    assert read.code == 0, read.err
    assert json.loads(read.out)["split"]["method"] == "time"
    plain = _write(tmp_path / "p.csv", ["When", "Source", "Converted"],
                   [[f"{13 + n % 15}/{1 + n % 12:02d}/2026" for n in range(rows)],
                    source, converted])
    found = run_cli("calibrate", EXAMPLE, "--history", plain, "--outcome", "Converted",
                    "--date-column", "When", "--json", "--force")
    assert "date" not in found.err  # read without a question (it may still find no model)


def test_the_date_column_takes_tz_as_report_does(run_cli: Any, tmp_path: Path):
    """--tz is the zone of times without an offset, as for `report`: an unknown zone is a
    one-line refusal naming the option; a known one reads the column."""
    wrong = run_cli("calibrate", EXAMPLE, "--history", ROOT / "examples" / "lead-history.csv",
                    "--outcome", "Converted", "--date-column", "Create Date", "--tz",
                    "Mars/Base")
    assert wrong.code == 2
    assert wrong.err.strip() == ("slabuilder: --tz: 'Mars/Base' is not a time zone; use a "
                                 "name such as UTC or America/New_York")
    read = run_cli("calibrate", EXAMPLE, "--history", ROOT / "examples" / "lead-history.csv",
                   "--outcome", "Converted", "--date-column", "Create Date", "--tz",
                   "America/New_York", "--json", "--force")
    assert read.code == 0, read.err
    assert json.loads(read.out)["split"]["method"] == "time"
