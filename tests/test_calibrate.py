"""calibrate and score: honest holdout figures on a history whose true model is known."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers import EXAMPLE
from leadgen import true_auc, write_history
from slabuilder.answerfile import answers_from_data, load_answers
from slabuilder.answers import SignalCondition
from slabuilder.calibrate.options import CalibrationOptions
from slabuilder.errors import AnswersError
from slabuilder.jobs.calibrate import CalibrateResult, calibrate
from slabuilder.jobs.score import score_leads
from slabuilder.plan import Plan

ROWS = 9240


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("history") / "leads.csv"
    return path, write_history(path, ROWS)


@pytest.fixture(scope="module")
def result(history: tuple[Path, dict[str, Any]]) -> CalibrateResult:
    return calibrate(EXAMPLE, history[0], CalibrationOptions(outcome="Converted"))


# --------------------------------------------------------------------------- conditions


def test_a_signal_condition_loads_and_names_its_one_test():
    condition = SignalCondition.model_validate(
        {"column": "Time on site", "at_least": "300", "below": 900})
    assert (condition.at_least, condition.below) == (300, 900)
    with pytest.raises(ValueError, match="one test: equals, one_of, or at_least"):
        SignalCondition.model_validate({"column": "Source", "equals": "Web", "at_least": 3})


def test_a_custom_signal_with_a_bad_condition_is_one_line_naming_the_key():
    data = load_answers(EXAMPLE).model_dump(mode="json")
    data["scoring"]["signals"] = {"webinar": {"label": "Webinar", "points": 10,
                                              "condition": {"column": "Source"}}}
    with pytest.raises(AnswersError) as caught:
        answers_from_data(data, "acme.yaml")
    assert str(caught.value) == ("acme.yaml: scoring.signals.webinar.condition: a condition "
                                 "needs its column and one test: equals, one_of, or at_least "
                                 "and/or below (blank: true adds blank cells, or alone tests "
                                 "for them)")


# --------------------------------------------------------------------------- the fit


def test_the_holdout_auc_is_close_to_the_true_models(result: CalibrateResult,
                                                     history: tuple[Path, dict[str, Any]]):
    figures = result.figures
    assert figures["train"]["rows"] + figures["holdout"]["rows"] == ROWS
    assert figures["holdout"]["rows"] == round(ROWS * 0.3)
    # The true model's AUC on the whole history; the integer model with 8 signals stays
    # within 0.03 of it and of a plain logistic regression on every column.
    best = true_auc(history[1])
    assert figures["holdout"]["auc"] >= best - 0.03
    assert figures["holdout"]["auc"] >= figures["holdout"]["reference_logistic_auc"] - 0.03
    assert figures["holdout"]["top_decile"]["lift"] >= 2


def test_the_signals_are_the_true_ones_with_the_right_sign(result: CalibrateResult):
    signals = result.figures["signals"]
    assert 1 <= len(signals) <= 8
    assert all(s["points"] % 5 == 0 and s["points"] != 0 for s in signals)
    by_column = {s["column"]: s for s in signals}
    assert len(by_column) == len(signals)  # one condition per column

    def values(signal: dict[str, Any]) -> set[str]:
        condition = signal["condition"]
        return set(condition.get("one_of") or [condition.get("equals")])

    # The true model's strongest effects, with their signs.
    source = by_column["Lead Source"]
    assert source["points"] > 0
    assert "Reference" in values(source)
    assert "Olark Chat" not in values(source)
    occupation = by_column["Occupation"]
    assert occupation["points"] > 0
    assert values(occupation) == {"Working Professional"}
    time = by_column["Total Time Spent on Website"]
    assert time["points"] > 0
    assert "at_least" in time["condition"]
    # A cut the data chose, not a fixed quantile: between 5 and 15 minutes, where the true
    # effect (saturating at 900 s) stops paying off against the 25% who spent none.
    assert 200 <= time["condition"]["at_least"] <= 900
    no_email = by_column["Do Not Email"]
    assert (values(no_email), no_email["points"] < 0) in (({"Yes"}, True), ({"No"}, False))
    # Nothing but columns known before sales contact.
    assert set(by_column) <= {"Lead Source", "Occupation", "Do Not Email", "Asked For Demo",
                              "TotalVisits", "Total Time Spent on Website",
                              "Page Views Per Visit", "Country"}


def test_the_leaky_status_column_is_left_out_with_a_warning(result: CalibrateResult):
    leaks = result.figures["leakage"]
    assert [leak["column"] for leak in leaks] == ["Lead Status"]
    assert leaks[0]["holdout_auc_alone"] >= 0.95
    warning = next(w for w in result.figures["warnings"] if w["code"] == "leak_excluded")
    assert warning["column"] == "Lead Status"
    left_out = {item["column"]: item["code"] for item in result.figures["columns"]["left_out"]}
    assert left_out == {"Prospect ID": "id", "Email": "email", "Created": "date",
                        "Lead Status": "leak"}


def test_the_threshold_meets_the_agreements_rate_above_fit_alone(result: CalibrateResult):
    figures = result.figures
    assert figures["outcome"]["target_rate"] == 0.6  # the example's mql_to_sql
    at = figures["at_threshold"]
    assert at["precision"] >= 0.6
    assert figures["threshold"] > figures["fit_points"]
    # Every lower score that fit alone cannot reach converts below the agreement's rate.
    lower = [row for row in figures["tradeoff"]
             if figures["fit_points"] < row["threshold"] < figures["threshold"]]
    assert all(row["precision"] < 0.6 for row in lower)
    assert sum(band["leads"] for band in figures["bands"]) == figures["holdout"]["rows"]
    assert figures["current_model"] is None
    assert "cannot be measured" in figures["current_model_reason"]


def test_the_proposed_answers_are_the_next_version_with_conditions(result: CalibrateResult):
    proposed = result.proposed
    assert proposed.agreement.version == 2
    assert proposed.scoring.threshold == result.figures["threshold"]
    custom = {key: value for key, value in proposed.scoring.signals.items()
              if value not in (0, None)}
    assert len(custom) == len(result.figures["signals"])
    assert all(value.condition is not None for value in custom.values())  # type: ignore[union-attr]
    assert len(result.figures["explanation"]) == 2
    assert f"at least {result.figures['threshold']} points" in result.figures["explanation"][0]


def test_a_time_split_tests_on_the_newest_leads(history: tuple[Path, dict[str, Any]]):
    found = calibrate(EXAMPLE, history[0], CalibrationOptions(
        outcome="Converted", date_column="Created", exclude=("Lead Status",), max_signals=4))
    assert found.figures["split"]["method"] == "time"
    assert found.figures["split"]["cut_date"] >= "2025-05-01"
    assert len(found.figures["signals"]) <= 4
    assert found.figures["leads_per_month"] == pytest.approx(ROWS / 24, rel=0.05)
    assert all(row["mqls_per_month"] is not None for row in found.figures["tradeoff"])


# --------------------------------------------------------------------------- bad input


def _small(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "small.csv"
    path.write_text("\n".join(["Id,Source,Visits,Converted", *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("rows", "option", "message"), [
    ([f"{i},Web,{i % 7},{i % 2}" for i in range(60)], "Converted",
     "only 60 usable rows; calibrating needs at least 100"),
    ([f"{i},Web,{i % 7},1" for i in range(200)], "Converted", "one class only"),
    ([f"{i},Web,{i % 7},{int(i % 10 == 0)}" for i in range(200)], "Converted",
     "only 20 leads converted; calibrating needs at least 30 of each outcome"),
    ([f"{i},Web,{i % 7},{i % 2}" for i in range(200)], "Won",
     "--outcome 'Won' is not a column of this file"),
])
def test_bad_history_is_one_line_and_exit_2(run_cli, tmp_path: Path, rows: list[str],
                                            option: str, message: str):
    path = _small(tmp_path, rows)
    found = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", option)
    assert found.code == 2
    assert message in found.err
    assert found.err.count("\n") == 1
    assert "Traceback" not in found.err


def test_an_included_column_of_one_value_is_refused(run_cli, tmp_path: Path):
    path = _small(tmp_path, [f"{i},Web,{i % 7},{i % 2}" for i in range(200)])
    found = run_cli("calibrate", EXAMPLE, "--history", path, "--outcome", "Converted",
                    "--include", "Source")
    assert found.code == 2
    assert "--include 'Source': the column holds a single value" in found.err


def test_malformed_rows_are_set_aside_and_counted(tmp_path: Path):
    rng = np.random.default_rng(3)
    lines = []
    for i in range(400):
        visits = int(rng.integers(0, 10))
        converted = int(rng.random() < 0.15 + 0.07 * visits)
        source = "Referral" if rng.random() < 0.3 else "Web"
        lines.append(f"{i},{source},{visits},{converted}")
    lines.insert(10, "11,Web")
    lines.insert(50, "51,Web,3,1,extra")
    found = calibrate(EXAMPLE, _small(tmp_path, lines), CalibrationOptions(outcome="Converted"))
    aside = found.figures["history"]["set_aside"]
    assert aside[0] == {"reason": "a malformed line (rows 12, 52)", "rows": 2}
    assert found.figures["history"]["rows_used"] == 400


# --------------------------------------------------------------------------- score


def _forty_leads(result: CalibrateResult, history: tuple[Path, dict[str, Any]],
                 folder: Path) -> tuple[Path, Path]:
    """The calibrated answers saved, and the first forty leads of the history as a CSV."""
    from slabuilder.answerfile import save_answers

    answers = folder / "acme-v2.yaml"
    save_answers(result.proposed, answers)
    leads = folder / "leads.csv"
    leads.write_text("\n".join(history[0].read_text(encoding="utf-8").splitlines()[:41]) + "\n",
                     encoding="utf-8")
    return answers, leads


def test_score_gives_each_lead_its_score_and_reason_in_input_order(
        result: CalibrateResult, history: tuple[Path, dict[str, Any]], tmp_path: Path):
    answers, leads = _forty_leads(result, history, tmp_path)
    scored = score_leads(answers, leads, output=tmp_path / "scored.csv")
    assert scored.header == ["Prospect ID", "Email", "score", "mql", "reason"]
    assert [row[0] for row in scored.rows] == [f"7927b2df-{i:08d}" for i in range(40)]
    for row in scored.rows:
        assert row[3] in ("yes", "no")
        # the column is data (-15), the reason prose with a true minus sign (−15)
        assert row[4].startswith(row[2].replace("-", "\u2212") + " points from ")
        # The example's ICP lists countries; these leads are in India, so none is an MQL.
        assert row[3] == "no"
    assert (tmp_path / "scored.csv").read_text(encoding="utf-8") == scored.to_csv()
    assert scored.summary["fit_checked"] == ["geography"]
    assert "company size" in scored.summary["fit_not_checked"]
    # The same model, the same scores as the calibration measured.
    threshold = result.figures["threshold"]
    assert all(("reaches the threshold" in row[4]) == (int(row[2]) >= threshold)
               for row in scored.rows)


def test_score_reads_the_same_leads_from_parquet(
        result: CalibrateResult, history: tuple[Path, dict[str, Any]], tmp_path: Path):
    import duckdb

    answers, leads = _forty_leads(result, history, tmp_path)
    unload = tmp_path / "leads.parquet"
    # Text columns, as the CSV has them (a typed unload would turn Yes/No into true/false).
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{leads}', all_varchar = true)) "
                             f"TO '{unload}' (FORMAT parquet)")
    from_csv = score_leads(answers, leads)
    from_parquet = score_leads(answers, unload)
    assert from_parquet.header == from_csv.header
    assert from_parquet.rows == from_csv.rows


def test_score_refuses_to_overwrite_without_force(run_cli, tmp_path: Path):
    leads = _small(tmp_path, ["1,Web,3,1"])
    target = tmp_path / "out.csv"
    target.write_text("keep", encoding="utf-8")
    found = run_cli("score", EXAMPLE, "--leads", leads, "-o", target)
    assert found.code == 2
    assert "already exists" in found.err
    assert target.read_text(encoding="utf-8") == "keep"


# --------------------------------------------------------------------------- start-up


def test_plan_does_not_import_scikit_learn_or_numpy():
    code = ("import sys; from slabuilder.cli import main; "
            f"main(['plan', {str(EXAMPLE)!r}]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sklearn', 'numpy', 'scipy')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout.strip().splitlines()[-1] == "[]"


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_calibrate_writes_answers_and_report_that_diff_reads(
        run_cli, history: tuple[Path, dict[str, Any]], tmp_path: Path):
    out = tmp_path / "q2"
    found = run_cli("calibrate", EXAMPLE, "--history", history[0], "--outcome", "Converted",
                    "-o", out, "--json")
    assert found.code == 0, found.err
    figures = json.loads(found.out)
    for key in ("outcome_rate", "train", "holdout", "signals", "threshold", "at_threshold",
                "bands", "current_model", "warnings"):
        assert key in figures
    names = sorted(path.name for path in out.iterdir())
    assert names == ["acme-analytics-v2-calibration.html", "acme-analytics-v2-calibration.pdf",
                     "acme-v2.yaml"]
    html = (out / "acme-analytics-v2-calibration.html").read_text(encoding="utf-8")
    assert "Lead Status" in html
    assert "Conversion by score" in html
    again = run_cli("calibrate", EXAMPLE, "--history", history[0], "--outcome", "Converted",
                    "-o", out)
    assert again.code == 2
    assert "already exists" in again.err
    diff = run_cli("diff", "--json", EXAMPLE, out / "acme-v2.yaml")
    assert diff.code == 0, diff.err
    changes = {(section["source"], c["key"]): c for section in json.loads(diff.out)["sections"]
               for c in section["changes"]}
    old_threshold = load_answers(EXAMPLE).scoring.threshold
    threshold = changes[("plan", "scoring.threshold")]
    assert (threshold["old_value"], threshold["new_value"]) == (old_threshold,
                                                                figures["threshold"])
    first = figures["signals"][0]
    points = changes[("plan", f"scoring.signals.{first['id']}")]
    assert (points["old_value"], points["new_value"]) == (None, first["points"])
    demo = changes[("plan", "scoring.signals.demo_request")]
    assert demo["old_value"] == 25


def test_the_report_context_states_the_volume_at_the_threshold(result: CalibrateResult,
                                                               example_plan: Plan):
    from decimal import ROUND_HALF_UP, Decimal

    from slabuilder.calibrate.report import report_context

    figures = result.figures
    context = report_context(figures, example_plan, example_plan)
    share = Decimal(str(figures["at_threshold"]["share_of_leads"])) * 100
    whole = share.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert context["volume_sentence"].startswith(
        f"At {figures['threshold']} points, {whole}% of leads become MQLs")
    assert context["volume_sentence"].endswith(f"{example_plan.mql_per_month:,}" + (
        "." if figures["leads_per_month"] is not None else " a month."))
    assert max(band["bar"] for band in context["bands"]) == 100
    assert (context["old_threshold"], context["mql_target_per_month"]) == (
        example_plan.scoring.threshold, example_plan.mql_per_month)


def test_a_history_whose_signals_only_lower_the_chance_gets_a_model_stated_the_right_way(
        tmp_path: Path):
    """Every column only lowers conversion (a do-not-call flag, a bounced e-mail). This used to
    end in an AssertionError, then in a refusal; the model is the same read the other way
    round: leads that may be called and whose e-mail works earn the points."""
    import random

    rng = random.Random(5)
    rows = ["Lead,Do Not Call,Email Bounced,Converted"]
    for number in range(2000):
        no_call, bounced = rng.random() < 0.3, rng.random() < 0.25
        chance = 0.3 * (0.1 if no_call else 1) * (0.2 if bounced else 1)
        rows.append(f"L{number},{'Yes' if no_call else 'No'},{'Yes' if bounced else 'No'},"
                    f"{int(rng.random() < chance)}")
    history = tmp_path / "history.csv"
    history.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = calibrate(EXAMPLE, history, CalibrationOptions(outcome="Converted"))
    signals = {s["label"]: s["points"] for s in found.figures["signals"]}
    assert set(signals) == {"Do Not Call is No", "Email Bounced is No"}
    assert all(points > 0 for points in signals.values())
    assert found.figures["score_range"] == {"min": 0, "max": sum(signals.values())}
    # Only leads with neither flag reach the threshold: 30% convert, the target is 60%, so
    # the threshold is where they convert best, and the report says so.
    assert found.figures["threshold"] == sum(signals.values())
    assert found.figures["threshold_reason"] == "best"
    # The sentence says what the holdout showed, not "where conversion is highest" alone.
    from slabuilder.calibrate.report import threshold_sentence

    at = found.figures["at_threshold"]
    holdout = found.figures["holdout"]
    assert at["leads"] >= max(10, holdout["rows"] // 100)
    whole = round(at["precision"] * 100)
    assert threshold_sentence(found.figures).startswith(
        f"No threshold gives MQLs that convert at 60% (the funnel's MQL to SQL rate "
        f"(mql_to_sql)); at {found.figures['threshold']} points they convert best, {whole}% "
        f"of {at['leads']:,} holdout leads.")
