"""The report shell, the filled report and ``slabuilder report`` as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from helpers import HEADER, ROOT, ROWS, pdf_text, write_csv
from slabuilder.answerfile import answers_from_data, dump_answers
from slabuilder.charts import funnel_chart, trend_chart
from slabuilder.plan import Plan, build_plan
from slabuilder.report import build_report_context


def draw(macro: str, geometry: dict[str, Any]) -> str:
    """A chart as the report draws it: the macro of ``_charts.svg.j2`` over the geometry."""
    from slabuilder.documents import make_environment

    charts = make_environment().get_template("_charts.svg.j2").module
    return str(getattr(charts, macro)(geometry))


@pytest.fixture(scope="module")
def export_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("export") / "leads.csv", HEADER, ROWS)


def test_shell_fills_targets_and_leaves_blanks(example_plan: Plan) -> None:
    report = build_report_context(example_plan, "2027-03", "March 2027", None)
    assert not report["filled"]
    funnel = {row["stage"]: row for row in report["funnel_rows"]}
    # March is the quarter's third month: the calendar gives it 13 of the 40 deals (14, 13, 13).
    assert {stage: row["target"] for stage, row in funnel.items()} == {
        "mql": 178, "sql": 106, "opportunity": 53, "won": 13}
    rows = report["marketing_rows"] + report["sales_rows"] + report["funnel_rows"]
    assert {row["state"] for row in rows} == {"blank"}
    assert all(row["met"] is None and row["actual"] is None for row in rows)
    assert report["marketing_rows"][0]["target"] == "at least 178"
    assert report["sales_rows"][0]["target"] == (
        "4 h for demo and trial requests and 24 h for every other MQL")
    assert [row["label"] for row in report["sales_rows"][2:4]] == [
        "Touched within 4 business hours: demo and trial requests",
        "Touched within 24 business hours: every other MQL"]
    assert [row["plan"] for row in report["conversion_rows"]] == [0.6, 0.5, 0.25]
    assert report["charts"]["trend"] is None
    assert report["insights"] == []
    assert report["priorities"] == []


def test_filled_report_compares_with_plan(example_plan: Plan, export_csv: Path,
                                          example_answers: Any) -> None:
    from slabuilder.actuals import compute_actuals

    actuals = compute_actuals(export_csv, example_answers, "2027-01",
                              rate_keys=list(example_plan.rates))
    report = build_report_context(example_plan, "2027-01", "January 2027", actuals)
    marketing = {row["field"]: row for row in report["marketing_rows"]}
    assert marketing["mql_volume"]["actual"] == 7
    assert marketing["mql_volume"]["met"] == "missed"
    assert marketing["mql_volume"]["previous"] == 1
    assert marketing["data_completeness"]["state"] == "not in export"
    sales = {row["field"]: row for row in report["sales_rows"]}
    # The median is shown, not judged: each tier is judged against its own limit.
    assert (sales["speed_median"]["actual"], sales["speed_median"]["met"]) == (3.0, None)
    assert sales["speed_median"]["kind"] == "hours"
    assert sales["speed_median"]["note"] == "90th percentile 10 h"
    # This export does not say what made each lead an MQL: nothing is guessed or judged.
    assert sales["speed_within_sla"]["state"] == "not in export"
    assert "tiers cannot be told apart" in sales["speed_within_sla"]["note"]
    assert [(sales[f"speed_{tier}"]["label"], sales[f"speed_{tier}"]["actual"],
             sales[f"speed_{tier}"]["met"]) for tier in ("fast", "standard")] == [
        ("Touched within 4 business hours: all MQLs", 0.7143, None),
        ("Touched within 24 business hours: all MQLs", 0.8571, None)]
    assert sales["no_attempt_72h"]["actual"] == 1
    funnel = {row["stage"]: row for row in report["funnel_rows"]}
    assert funnel["mql"]["change"] == "+6 (+600%)"
    assert report["insights"][0] == ("MQL volume was 7 against the target of 178, 96% "
                                     "short: past the 10% line, the agreement asks for a root "
                                     "cause and a recovery plan.")
    # Every rate is judged against the agreement's own figure, not a generic rating.
    # The export ends two days after the month: its MQLs have not had the 14 days the
    # agreement gives them to be worked, so the rate is stated, with why it is not judged.
    assert ("MQL to SQL ran at 42.9% against the 60% the targets are built on: too early: "
            "the month's MQLs have had 2 days of the 14 days the agreement gives them to "
            "become SQLs.") in report["insights"]
    conversions = {row["key"]: row for row in report["conversion_rows"]}
    assert conversions["opportunity_to_won"]["note"] == (
        "too early: the month's opportunities have had 2 days of the 60 days a sale takes")
    assert {row["met"] for row in conversions.values()} == {None}
    assert not any("rates as" in line for line in report["insights"])
    assert len(set(report["insights"])) == len(report["insights"])
    assert report["priorities"][0].startswith("Close the MQL volume gap")
    assert "<polyline" in draw("trend", report["charts"]["trend"])


def test_the_report_measures_velocity_growth_and_shares(example_plan: Plan, export_csv: Path,
                                                       example_answers: Any) -> None:
    """The rows and columns the source documents ask for, on the hand-worked January export
    (see tests/test_actuals.py): lead velocity against the deadlines the agreement sets,
    MQL growth on the month before, attempts beside the framework floor of 3, each source's
    share of the MQLs and each side's share of the bookings."""
    from slabuilder.actuals import compute_actuals

    actuals = compute_actuals(export_csv, example_answers, "2027-01",
                              rate_keys=list(example_plan.rates))
    report = build_report_context(example_plan, "2027-01", "January 2027", actuals)
    sales = {row["field"]: row for row in report["sales_rows"]}
    assert [(sales[key]["label"], sales[key]["target"], sales[key]["actual"], sales[key]["met"])
            for key in ("velocity_mql_to_sql", "velocity_sql_to_opportunity")] == [
        ("MQL to SQL, median time", "within 5 business days", 4.25, "met"),
        ("SQL to Opportunity, median time", "within 5 business days", 4.0, "met")]
    assert sales["velocity_mql_to_sql"]["note"] == "over 2 leads that reached SQL this month"
    assert sales["attempts"]["note"] == ("2.7 attempts per MQL on average; 42.9% had 3 or "
                                         "more")
    # Sales cycle, SQL to won, of the deal won in January: L1, SQL January 6 10:00, won
    # January 28 10:00: 22 days.
    shared = {row["field"]: row for row in report["shared_rows"]}
    assert (shared["sales_cycle"]["actual"], shared["sales_cycle"]["note"]) == (
        22.0, "SQL to won, over 1 deal won this month")
    assert (sales["crm_hygiene"]["state"], sales["crm_hygiene"]["target"]) == (
        "not in export", "deals updated weekly")
    marketing = {row["field"]: row for row in report["marketing_rows"]}
    # 7 MQLs in January against 1 in December.
    assert marketing["mql_volume"]["note"] == "change on December 2026: +6 (+600%)"
    assert (marketing["quality_score"]["target"], marketing["quality_score"]["state"]) == (
        "average of 30+ points", "not in export")
    assert marketing["content_delivery"]["state"] == "not in export"
    # January MQLs: 3 from the webinar, 2 from paid search, 2 with the neutralised name.
    assert sorted((item["mql"], item["mql_share"]) for item in report["report_sources"]) == [
        (2, round(2 / 7, 4)), (2, round(2 / 7, 4)), (3, round(3 / 7, 4))]
    # The one deal won in January (L1, $25,000) came from a webinar: marketing-sourced.
    revenue = report["revenue"]
    assert (revenue["marketing_sourced"]["share"], revenue["sales_sourced"]["share"],
            revenue["share_of"]) == (1.0, 0.0, "bookings")


def test_a_touch_before_the_mql_time_is_named_not_hidden(
        example_plan: Plan, tmp_path: Path, example_answers: Any) -> None:
    """L2 touched at 15:30, half an hour before it became an MQL at 16:00: it counts as a
    0 h touch, and the speed row says so."""
    from slabuilder.actuals import compute_actuals

    rows = [[*row[:7], "2027-01-05 15:30", *row[8:]] if row[0] == "L2" else row
            for row in ROWS]
    actuals = compute_actuals(write_csv(tmp_path / "early.csv", HEADER, rows),
                              example_answers, "2027-01", rate_keys=list(example_plan.rates))
    report = build_report_context(example_plan, "2027-01", "January 2027", actuals)
    speed = next(row for row in report["sales_rows"] if row["field"] == "speed_median")
    assert speed["note"].endswith("; 1 MQL with a touch logged before the MQL time, counted "
                                  "as 0 h")


def test_filled_report_names_the_symptoms_its_figures_show(
        example_plan: Plan, export_csv: Path, example_answers: Any) -> None:
    from slabuilder.actuals import compute_actuals

    def diagnosed(plan: Plan) -> dict[str, str]:
        actuals = compute_actuals(export_csv, plan.answers, "2027-01",
                                  rate_keys=list(plan.rates))
        report = build_report_context(plan, "2027-01", "January 2027", actuals)
        return {item["symptom"]: item["evidence"] for item in report["diagnoses"]}

    # Sales accepted 3 of the 5 MQLs it dispositioned; one MQL is past its deadline
    # undecided; one of seven MQLs was never touched.
    assert diagnosed(example_plan) == {
        "Low conversion": "Sales rejected 40% of the MQLs it dispositioned, over 30%.",
        "No feedback": "1 MQL was past the 5-business-day deadline without a disposition."}
    data = example_answers.model_dump(mode="json")
    data["escalation"].update(rejection_rate="50%", late_touch_share="10%")
    found = diagnosed(build_plan(answers_from_data(data)))
    assert "Low conversion" not in found
    assert found["Slow follow-up"] == ("14% of MQLs (1 of 7) were first touched after 24 "
                                       "business hours or never, over 10%.")


def test_the_slow_follow_up_insight_and_diagnosis_share_the_answers_line(
        export_csv: Path, example_answers: Any) -> None:
    """One of the month's seven MQLs was never touched (1/7, 14%): under the default 50%
    line neither the insight nor the diagnosis speaks of slow follow-up; at a 10% line both
    do (the insight had its own fixed 50% before)."""
    from slabuilder.actuals import compute_actuals

    mqls = _january_mqls()
    assert len(mqls) == 7

    def report_at(line: str) -> dict[str, Any]:
        data = example_answers.model_dump(mode="json")
        data["escalation"]["late_touch_share"] = line
        plan = build_plan(answers_from_data(data))
        actuals = compute_actuals(export_csv, plan.answers, "2027-01",
                                  rate_keys=list(plan.rates))
        return build_report_context(plan, "2027-01", "January 2027", actuals)

    def slow(report: dict[str, Any]) -> tuple[bool, bool]:
        return (any("waited more than 24 business hours" in line
                    for line in report["insights"]),
                any(item["symptom"] == "Slow follow-up" for item in report["diagnoses"]))

    assert slow(report_at("50%")) == (False, False)
    assert slow(report_at("10%")) == (True, True)


def _january_mqls() -> list[list[str]]:
    """The export's January MQLs, worked out from its rows here (not by slabuilder): a lead
    id, first appearance of that id, an MQL date in January 2027."""
    seen: set[str] = set()
    kept = []
    for row in ROWS:
        if row[0] and row[0] not in seen and row[2].startswith("2027-01"):
            kept.append(row)
        seen.add(row[0])
    return kept


def test_the_low_conversion_line_judges_only_its_own_stage(
        example_answers: Any, tmp_path: Path) -> None:
    """The line is about MQL to SQL: a funnel without an SQL stage is never told its leads
    do not move on, and across an SAL stage the MQL-to-SQL cohort is what is judged.  The
    January export three times over (21 MQLs, the same rates) is large enough to judge, and
    a lead of April makes January old enough for a rate into won."""
    from slabuilder.actuals import compute_actuals

    tripled = [[f"{row[0]}-{k}" if row[0] else "", *row[1:]] for k in range(3) for row in ROWS]
    late = ["LATE", "2027-04-15 09:00", "2027-04-15 10:00", *[""] * 12]
    export_csv = write_csv(tmp_path / "tripled.csv", HEADER, [*tripled, late])
    mqls = _january_mqls()
    won = sum(1 for row in mqls if row[5]) / len(mqls)
    to_sql = sum(1 for row in mqls if row[3]) / len(mqls)
    assert (len(mqls), round(won, 3), round(to_sql, 3)) == (7, 0.143, 0.429)

    def report_for(funnel: dict[str, str], line: str) -> dict[str, Any]:
        data = example_answers.model_dump(mode="json")
        data["funnel"] = funnel
        data["escalation"]["low_conversion_rate"] = line
        plan = build_plan(answers_from_data(data))
        actuals = compute_actuals(export_csv, plan.answers, "2027-01",
                                  rate_keys=plan.measured_rates)
        return build_report_context(plan, "2027-01", "January 2027", actuals)

    # MQL straight to won at 14.3% against a plan of 10%: on plan, and nothing about a
    # 20% line meant for MQL to SQL.
    direct = report_for({"mql_to_won": "10%"}, "20%")
    assert "MQL to Won ran at 14.3% against the 10% the targets are built on: on plan." \
        in direct["insights"]
    assert not any("line the agreement sets" in line or "one in five" in line
                   for line in direct["insights"])
    evidence = {item["symptom"]: item["evidence"] for item in direct["diagnoses"]}
    # (sales rejecting 2 of the 5 it dispositioned is the other half of that symptom)
    assert evidence["Low conversion"] == ("Sales rejected 40% of the MQLs it dispositioned, "
                                          "over 30%.")
    # Across an SAL stage: MQL to SQL (3 of 7) is measured and judged against the line.
    sal = {"mql_to_sal": "70%", "sal_to_sql": "60%", "sql_to_opportunity": "50%",
           "opportunity_to_won": "25%"}
    judged = report_for(sal, "50%")
    assert ("MQL to SQL ran at 42.9%: below the 50% line the agreement sets, so look first "
            "at qualification and training.") in judged["insights"]
    evidence = {item["symptom"]: item["evidence"] for item in judged["diagnoses"]}
    assert evidence["Low conversion"].startswith("MQL to SQL ran at 42.9%, under 50%")
    assert not any("line the agreement sets" in line
                   for line in report_for(sal, "40%")["insights"])


def test_shared_measures_show_the_cac_only_when_the_answers_give_the_spend(
        example_plan: Plan, export_csv: Path, example_answers: Any) -> None:
    from slabuilder.actuals import compute_actuals

    def shared(plan: Plan) -> dict[str, dict[str, Any]]:
        actuals = compute_actuals(export_csv, plan.answers, "2027-01",
                                  rate_keys=list(plan.rates))
        report = build_report_context(plan, "2027-01", "January 2027", actuals)
        return {row["field"]: row for row in report["shared_rows"]}

    rows = shared(example_plan)
    assert rows["cac"]["state"] == "not in export"
    assert rows["sourced_pipeline"]["target"] == "at least 40% of pipeline value"
    data = example_answers.model_dump(mode="json")
    data["economics"].update(marketing_spend="300k", sales_spend="150k")
    cac = shared(build_plan(answers_from_data(data)))["cac"]
    # 450,000 a quarter is 150,000 a month, over January's one won deal.
    assert (cac["actual"], cac["kind"], cac["note"]) == (150000.0, "money",
                                                         "planned: $11,250 a deal")


def test_shell_lists_the_symptoms_to_tick(example_plan: Plan) -> None:
    report = build_report_context(example_plan, "2027-03", "March 2027", None)
    assert report["diagnoses"] == []
    assert [item["symptom"] for item in report["symptoms"]] == [
        "Low conversion", "Pipeline shortfall", "Revenue missed despite volume",
        "Slow follow-up", "No feedback"]
    assert report["symptoms"][0]["trigger"] == (
        "MQL to SQL under 20%, or sales rejecting more than 30% of MQLs")


def test_funnel_chart_marks_missing_actuals() -> None:
    svg = draw("funnel", funnel_chart([
        {"name": "MQL", "target": 178, "actual": 120, "state": "value"},
        {"name": "SAL", "target": None, "actual": None, "state": "not in export"},
    ]))
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert ">178<" in svg
    assert ">120<" in svg
    assert ">not in export<" in svg


def test_trend_chart_draws_months_and_target() -> None:
    from slabuilder.words import short_month

    svg = draw("trend", trend_chart([
        {"label": short_month("2027-01"), "mql": 90, "speed_to_lead_median_hours": 2.0},
        {"label": short_month("2027-02"), "mql": 120, "speed_to_lead_median_hours": None}],
        100))
    assert ">Jan \u201927<" in svg  # a month, never a date such as 01/27
    assert ">Feb \u201927<" in svg
    assert ">target 100<" in svg
    assert svg.count("<rect") == 2


def test_trend_target_label_clears_the_speed_scale() -> None:
    """With the target as the tallest value its label sat on the speed scale's ("1.1 h")."""
    chart = trend_chart([{"label": "Jan", "mql": 90, "speed_to_lead_median_hours": 1.0}],
                        178)
    assert chart["target"]["y"] == chart["top_pad"]
    assert abs(chart["target"]["label_y"] - chart["scale_label_y"]) >= 8
    alone = trend_chart([{"label": "Jan", "mql": 90, "speed_to_lead_median_hours": None}],
                        178)
    assert alone["speed_top"] is None
    assert alone["target"]["label_y"] == alone["target"]["y"] + 2.5


# --------------------------------------------------------------------------- the command


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.problems.append(record.getMessage())


@pytest.fixture(scope="module")
def shell_pdfs(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Path:
    from slabuilder.cli import main

    out = tmp_path_factory.mktemp("shell")
    collect = _Collect()
    logging.getLogger("weasyprint").addHandler(collect)
    try:
        assert main(["report", str(example_path), "--month", "2027-03", "-o", str(out)]) == 0
    finally:
        logging.getLogger("weasyprint").removeHandler(collect)
    assert collect.problems == []  # no CSS or layout WeasyPrint complains about
    return out


def test_shell_documents_are_written(shell_pdfs: Path) -> None:
    names = sorted(path.name for path in shell_pdfs.iterdir())
    assert names == [f"acme-analytics-2027-03-{doc}.{fmt}"
                     for doc in ("agenda", "dashboard", "report") for fmt in ("html", "pdf")]


def test_shell_pdf_has_a_form_field_for_every_actual(shell_pdfs: Path) -> None:
    reader = PdfReader(shell_pdfs / "acme-analytics-2027-03-report.pdf")
    fields = reader.get_fields() or {}
    for name in ("report.marketing.mql_volume", "report.sales.speed_median",
                 "report.sales.attempts", "report.funnel.mql_actual",
                 "report.conversion.mql_to_sql_actual", "report.summary"):
        assert fields[name]["/FT"] == "/Tx", name
    assert fields["report.marketing.mql_volume.met"]["/FT"] == "/Btn"
    assert fields["report.marketing.mql_volume.missed"]["/FT"] == "/Btn"
    # pypdf cannot map the digits of a font that form fields also use; the words suffice
    # here and the HTML (same template) carries the figures.
    text = pdf_text(shell_pdfs / "acme-analytics-2027-03-report.pdf")
    assert "Marketing commitments" in text
    assert "Touched within 4 business hours" in " ".join(text.split())
    html = (shell_pdfs / "acme-analytics-2027-03-report.html").read_text(encoding="utf-8")
    assert "March 2027" in html
    assert "at least 178" in html


def test_shell_agenda_and_dashboard_have_fields(shell_pdfs: Path) -> None:
    agenda = PdfReader(shell_pdfs / "acme-analytics-2027-03-agenda.pdf").get_fields() or {}
    assert "agenda.action.1.owner" in agenda
    assert "agenda.deal.4.next" in agenda
    dashboard = PdfReader(shell_pdfs / "acme-analytics-2027-03-dashboard.pdf")
    assert "dashboard.response.never" in (dashboard.get_fields() or {})
    html = (shell_pdfs / "acme-analytics-2027-03-dashboard.html").read_text(encoding="utf-8")
    assert "Weekly target" in html
    assert ">42<" in html


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, example_path: Path,
           export_csv: Path) -> Path:
    from slabuilder.cli import main

    out = tmp_path_factory.mktemp("filled")
    code = main(["report", str(example_path), "--month", "2027-01", "-o", str(out),
                 "--actuals", str(export_csv), "--doc", "report", "--breaches",
                 str(out / "breaches.csv")])
    assert code == 0
    return out


def test_filled_report_shows_actuals(filled: Path) -> None:
    html = (filled / "acme-analytics-2027-01-report.html").read_text(encoding="utf-8")
    assert "not in export" in html
    assert "<input" not in html  # nothing left blank in a filled report
    # The funnel chart has a heading and sits right under its table.
    assert (html.index("funnel-actuals") < html.index("Target against actual, by stage")
            < html.index("<th class=\"w-25\">Conversion</th>"))
    text = pdf_text(filled / "acme-analytics-2027-01-report.pdf")
    assert "MQL volume was 7 against the target of 178" in text
    assert "11 read, 8 used, 3 set aside" in text
    assert "1 with no lead id" in text
    rows = list(csv.reader(io.StringIO(
        (filled / "breaches.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3  # L4 undecided, L7 never touched; L6 may be within its tier


def test_json_prints_the_actuals(run_cli: Callable[..., Any], example_path: Path,
                                 export_csv: Path) -> None:
    result = run_cli("report", example_path, "--month", "2027-01", "--actuals", export_csv,
                     "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    actuals = data["actuals"]
    assert (actuals["mql"], actuals["sql"], actuals["won"]) == (7, 2, 1)
    assert actuals["speed_to_lead_median_hours"] == 3.0
    assert actuals["by_source"][0] == {"name": "Webinar", "mql": 3, "sql": 2, "won": 1,
                                       "mql_to_sql": 0.6667,
                                       "speed_to_lead_median_hours": 2.0,
                                       "within_limit": None,  # no trigger: no tier
                                       # L2, the one not converted, had its 6 attempts and
                                       # was recycled in time.
                                       "attempts_meeting_minimum": 1.0,
                                       "undispositioned_past_deadline": 0}
    assert data["targets"] == {"mql": 178, "sql": 107, "opportunity": 54, "won": 14}


def test_json_without_touch_times_is_null(run_cli: Callable[..., Any], example_path: Path,
                                          tmp_path: Path) -> None:
    export = write_csv(tmp_path / "few.csv", ["lead_id", "mql_at"],
                       [["A", "2027-01-05 10:00"]])
    result = run_cli("report", example_path, "--month", "2027-01", "--actuals", export,
                     "--json")
    data = json.loads(result.out)
    assert data["actuals"]["speed_to_lead_median_hours"] is None
    assert data["actuals"]["by_source"] is None
    assert data["actuals"]["mql"] == 1


def test_json_of_a_shell(run_cli: Callable[..., Any], example_path: Path) -> None:
    result = run_cli("report", example_path, "--month", "2027-03", "--json")
    data = json.loads(result.out)
    assert data["actuals"] is None
    assert {row["state"] for row in data["compliance"]} == {"blank"}


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "March", "--json"], "'March' is not a month; write it as YYYY-MM"),
    (["--month", "2027-03", "--json", "--breaches", "b.csv"],
     "--breaches needs a CRM export; give it with --actuals FILE"),
    (["--month", "2027-03"], "say where to write the documents with -o DIR"),
    (["--month", "2027-03", "--json", "--doc", "agreement"],
     "'agreement' is not a report document"),
])
def test_usage_errors_are_one_line(run_cli: Callable[..., Any], example_path: Path,
                                   args: list[str], message: str) -> None:
    result = run_cli("report", example_path, *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_ambiguous_dates_through_the_command(run_cli: Callable[..., Any], example_path: Path,
                                             tmp_path: Path) -> None:
    export = write_csv(tmp_path / "dates.csv", ["lead_id", "mql_at"],
                       [["A", "03/04/2027"], ["B", "04/03/2027"]])
    refused = run_cli("report", example_path, "--month", "2027-04", "--actuals", export,
                      "--json")
    assert refused.code == 2
    assert "--date-format MM/DD/YYYY or --date-format DD/MM/YYYY" in refused.err
    settled = run_cli("report", example_path, "--month", "2027-04", "--actuals", export,
                      "--json", "--date-format", "DD/MM/YYYY")
    assert json.loads(settled.out)["actuals"]["mql"] == 1  # 3 April


def test_breaches_file_is_not_overwritten(run_cli: Callable[..., Any], example_path: Path,
                                          export_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "breaches.csv"
    target.write_text("mine", encoding="utf-8")
    result = run_cli("report", example_path, "--month", "2027-01", "--actuals", export_csv,
                     "--json", "--breaches", target)
    assert result.code == 2
    assert "already exists" in result.err
    assert target.read_text(encoding="utf-8") == "mine"


def test_help_names_both_format_options(run_cli: Callable[..., Any]) -> None:
    result = run_cli("report", "--help")
    assert "--export-format [hubspot|salesforce|generic]" in result.out
    assert "--format LIST" in result.out
    assert "--date-format" in result.out


def test_existing_documents_stop_the_run_before_anything_is_written(
        run_cli: Callable[..., Any], example_path: Path, export_csv: Path,
        tmp_path: Path) -> None:
    existing = tmp_path / "acme-analytics-2027-01-report.pdf"
    existing.write_bytes(b"%PDF-1.7 mine")
    result = run_cli("report", example_path, "--month", "2027-01", "-o", tmp_path,
                     "--actuals", export_csv, "--breaches", tmp_path / "breaches.csv",
                     "--doc", "report")
    assert result.code == 2
    assert "already exists; use --force" in result.err
    assert not (tmp_path / "breaches.csv").exists()
    assert existing.read_bytes() == b"%PDF-1.7 mine"


# --------------------------------------------------------------------------- odd inputs


@pytest.mark.parametrize(("header", "rows"), [
    (["lead_id", "created_at", "mql_at", "first_touch_at"], []),
    (["lead_id", "created_at", "mql_at", "sql_at"], [["L1", "2027-01-04 10:00", "", ""]]),
], ids=["header-only", "no-mql-date"])
def test_export_without_mql_dates_renders_zero_mqls(
        run_cli: Callable[..., Any], example_path: Path, tmp_path: Path,
        header: list[str], rows: list[list[str]]) -> None:
    export = write_csv(tmp_path / "leads.csv", header, rows)
    out = tmp_path / "out"
    result = run_cli("report", example_path, "--month", "2027-01", "-o", out, "--format",
                     "html", "--actuals", export)
    assert result.code == 0, result.err
    for doc in ("report", "agenda", "dashboard"):
        assert (out / f"acme-analytics-2027-01-{doc}.html").is_file()
    html = (out / "acme-analytics-2027-01-report.html").read_text(encoding="utf-8")
    assert "which holds no lead with a funnel date, so every count is zero" in html
    data = json.loads(run_cli("report", example_path, "--month", "2027-01", "--json",
                              "--actuals", export).out)
    assert data["actuals"]["mql"] == 0
    assert data["actuals"]["export"]["first_date"] is None


@pytest.mark.parametrize("month", ["9999-12", "1999-12", "2101-01"])
def test_months_outside_the_calendar_are_refused(run_cli: Callable[..., Any],
                                                 example_path: Path, month: str) -> None:
    result = run_cli("report", example_path, "--month", month, "-o", "x")
    assert result.code == 2
    assert result.err == (f"slabuilder: --month: '{month}' is outside the years 2000 to "
                          "2099; give the month as YYYY-MM, for example "
                          "2027-03\n")


@pytest.mark.parametrize("option", ["--actuals", "--tasks"])
def test_breaches_never_overwrite_an_input_even_with_force(
        run_cli: Callable[..., Any], example_path: Path, tmp_path: Path,
        option: str) -> None:
    export = write_csv(tmp_path / "leads.csv", ["lead_id", "mql_at"],
                       [["A", "2027-01-05 10:00"]])
    tasks = write_csv(tmp_path / "tasks.csv", ["WhoId", "CreatedDate"],
                      [["A", "2027-01-05 11:00"]])
    before = {export: export.read_bytes(), tasks: tasks.read_bytes()}
    target = export if option == "--actuals" else tasks
    result = run_cli("report", example_path, "--month", "2027-01", "--json", "--actuals",
                     export, "--tasks", tasks, "--breaches", target, "--force")
    assert result.code == 2
    assert f"{target} is the file given to {option}; write the breaches to another file" \
        in result.err
    assert {path: path.read_bytes() for path in before} == before


def test_default_month_is_the_agreements_first_before_it_starts(example_plan: Any) -> None:
    import datetime as dt

    from slabuilder.jobs.report import settle_month

    # acme's agreement runs January to March 2027.
    assert settle_month(None, example_plan, dt.date(2026, 11, 22)) == (
        "2027-01", ["no month was given and the agreement starts in January 2027, so the "
                    "report covers that month"])
    assert settle_month(None, example_plan, dt.date(2027, 3, 5)) == ("2027-02", [])
    assert settle_month(None, example_plan, dt.date(2027, 6, 5)) == (
        "2027-05", ["2027-05 is outside the agreement's period (January 2027 to March 2027); "
                    "its targets are the plan's monthly averages"])


def test_the_breaches_file_states_an_agreed_limit_exactly(
        run_cli: Any, tmp_path: Path, example_answers: Any) -> None:
    """A 1.25-hour tier is 1.25 business hours in the breaches file, as in the agreement
    (the file rounded it to 1.3 while the agreement said 1.25)."""
    data = example_answers.model_dump(mode="json")
    data["sla"]["sales"]["speed_to_lead_hours"] = "1.25"
    answers = tmp_path / "acme.yaml"
    answers.write_text(dump_answers(answers_from_data(data)), encoding="utf-8")
    breaches = tmp_path / "breaches.csv"
    result = run_cli("report", answers, "--month", "2027-03", "--actuals",
                     ROOT / "examples" / "hubspot-contacts.csv", "--breaches", breaches,
                     "-o", tmp_path / "out", "--format", "html")
    assert result.code == 0, result.err
    with breaches.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fast = [row for row in rows if row["breach"].startswith("first touch after")]
    assert fast
    assert {row["breach"] for row in fast} <= {
        "first touch after 1.25 business hours (demo and trial requests)",
        "first touch after 24 business hours (every other MQL)"}
    assert all(float(row["business_hours_to_first_touch"]) > float(row["sla_hours"])
               for row in fast)
    assert any(row["sla_hours"] == "1.25" for row in fast)


def test_the_agendas_speed_target_names_every_tier(example_plan: Plan) -> None:
    """The weekly median is read against both limits, not the fast tier's alone."""
    from slabuilder.context import build_context
    from slabuilder.documents import render_html

    report = build_report_context(example_plan, "2027-01", "January 2027")
    page = render_html("agenda", {**build_context(example_plan), "report": report,
                                  "actuals": None})
    assert "4 h / 24 h by tier" in page
    assert "4 h or less" not in page


def test_a_month_outside_the_period_says_so_in_the_report(example_plan: Plan) -> None:
    """June 2027 lies after Acme's quarter: the report itself (not only the terminal) says
    its targets are the plan's monthly averages."""
    from slabuilder.context import build_context
    from slabuilder.documents import render_html

    report = build_report_context(example_plan, "2027-06", "June 2027")
    assert report["outside_period"] == (
        "2027-06 is outside the agreement's period (January 2027 to March 2027); its "
        "targets are the plan's monthly averages.")
    page = render_html("report", {**build_context(example_plan), "report": report,
                                  "actuals": None})
    assert page.count("2027-06 is outside the agreement&#39;s period") == 2
    assert build_report_context(example_plan, "2027-02", "February 2027")[
        "outside_period"] is None


def test_tied_reasons_are_named_together_or_not_at_all(
        example_plan: Plan, tmp_path: Path, example_answers: Any) -> None:
    """'The most common reason' names one reason only when one leads: January's two
    rejections (L3, DQ-05, and L5, DQ-02) tie at one each."""
    from slabuilder.actuals import compute_actuals

    def said(name: str, rows: list[list[str]]) -> list[str]:
        export = write_csv(tmp_path / f"{name}.csv", HEADER, rows)
        actuals = compute_actuals(export, example_answers, "2027-01",
                                  rate_keys=list(example_plan.rates))
        report = build_report_context(example_plan, "2027-01", "January 2027", actuals)
        return [line for line in report["insights"] if "disqualification reason" in line]

    assert said("tied", ROWS) == ["The most common disqualification reasons were \u201cDQ-02 Wrong "
                          "persona\u201d and \u201cDQ-05 Competitor chosen\u201d, 1 each."]
    same = [[*row[:11], "DQ-05 Competitor chosen", *row[12:]] if row[0] == "L5" else row
            for row in ROWS]
    assert said("one", same) == ["The most common disqualification reason was \u201cDQ-05 "
                          "Competitor chosen\u201d (2)."]


def test_bookings_at_stake_weigh_each_term_over_its_own_mqls(
        example_plan: Plan, example_answers: Any) -> None:
    """On the example HubSpot export (March 2027): a tier's stake is its own MQLs that
    missed the limit (never all MQLs), attempts weigh the unconverted MQLs that owe them,
    and speed to lead is one problem, named by tier, and counted once in the summary."""
    import re

    from slabuilder.actuals import compute_actuals

    actuals = compute_actuals(ROOT / "examples" / "hubspot-contacts.csv", example_answers,
                              "2027-03", rate_keys=list(example_plan.rates))
    report = build_report_context(example_plan, "2027-03", "March 2027", actuals)
    month = actuals.month
    value = 25_000 * 0.6 * 0.5 * 0.25  # the example's deal times its rates from MQL on
    tiers = {tier.tier: tier for tier in month.speed_by_tier or ()}
    expected = {
        "Call back every demo": (1 - tiers["fast"].share_within) * tiers["fast"].mqls,
        "Work every other MQL": (1 - tiers["standard"].share_within) * tiers["standard"].mqls,
        "Make the full set of attempts": ((1 - month.attempts_meeting_minimum)
                                          * month.attempts_unconverted_mqls),
    }
    stakes = {}
    for line in report["priorities"]:
        found = re.search(r"About \$([\d,]+) of bookings", line)
        assert found is not None
        stakes[line] = int(found.group(1).replace(",", ""))
    for start, mqls in expected.items():
        (line,) = [text for text in stakes if text.startswith(start)]
        assert stakes[line] == round(mqls * value)
    assert not any(line.startswith("Get every MQL touched") for line in stakes)
    sales = {row["field"]: row for row in report["sales_rows"]}
    assert sales["speed_within_sla"]["met"] == "missed"  # shown, but not counted again
    counted = [row for row in report["marketing_rows"] + report["sales_rows"]
               if row["met"] and row["field"] != "speed_within_sla"]
    assert (report["met_count"], report["missed_count"]) == (
        sum(row["met"] == "met" for row in counted),
        sum(row["met"] == "missed" for row in counted))


def test_the_period_to_date_paces_against_the_calendar(
        example_plan: Plan, export_csv: Path, example_answers: Any) -> None:
    """January of Acme's quarter, from the hand-worked export: 7 MQLs against January's
    178, and 534 - 7 = 527 over the two months left, 264 each (rounded up); one deal won
    (L1, January 28) against 14, and 40 - 1 = 39 over two months, 20 each."""
    from slabuilder.actuals import compute_actuals

    actuals = compute_actuals(export_csv, example_answers, "2027-01",
                              rate_keys=list(example_plan.rates))
    pacing = build_report_context(example_plan, "2027-01", "January 2027", actuals)["pacing"]
    assert [(row["stage"], row["to_date"], row["planned_to_date"], row["period_target"],
             row["months_left"], row["needed_per_month"], row["on_pace"])
            for row in pacing] == [("mql", 7, 178, 534, 2, 264, False),
                                   ("won", 1, 14, 40, 2, 20, False)]
    assert build_report_context(example_plan, "2027-01", "January 2027")["pacing"] == []


def test_every_term_is_shown_month_by_month_and_young_cohorts_are_not_judged(
        example_plan: Plan, tmp_path: Path) -> None:
    """Three months of MQLs, 25 in each (enough to judge), of which 20, 10 and 5 became SQLs
    within a week; the export ends on March 20, so March's MQLs have not had the 14 days the
    agreement gives them: shown, not judged.  Volumes and rates worked out here."""
    from slabuilder.actuals import compute_actuals

    rows = []
    for month, converted in (("01", 20), ("02", 10), ("03", 5)):
        for n in range(25):
            day = f"2027-{month}-{(n % 18) + 2:02d}"
            sql = f"2027-{month}-{(n % 18) + 3:02d} 11:00" if n < converted else ""
            rows.append([f"{month}-{n}", f"{day} 09:00", f"{day} 10:00", sql, *[""] * 11])
    rows.append(["END", "2027-03-20 09:00", "", "", *[""] * 11])
    export = write_csv(tmp_path / "quarter.csv", HEADER, rows)
    expected = {}
    for month in ("01", "02", "03"):
        mine = [row for row in rows if row[2].startswith(f"2027-{month}")]
        expected[month] = (len(mine), round(sum(1 for row in mine if row[3]) / len(mine), 4))
    assert expected == {"01": (25, 0.8), "02": (25, 0.4), "03": (25, 0.2)}
    actuals = compute_actuals(export, example_plan.answers, "2027-03",
                              rate_keys=example_plan.measured_rates)
    assert [(item.key, item.mql) for item in actuals.history] == [
        ("2027-01", 25), ("2027-02", 25), ("2027-03", 25)]
    report = build_report_context(example_plan, "2027-03", "March 2027", actuals)
    (table,) = report["term_trend"]["tables"]
    assert [month["label"] for month in table["months"]] == ["Jan \u201927", "Feb \u201927",
                                                              "Mar \u201927"]
    terms = {term["field"]: term for term in table["terms"]}
    # The plan's monthly targets (14, 13, 13 deals over the quarter) give 178 or more MQLs.
    assert [(cell["actual"], cell["met"]) for cell in terms["mql_volume"]["cells"]] == [
        (25, "missed"), (25, "missed"), (25, "missed")]
    # MQL to SQL against the plan's 60%: January met, February missed, March too young.
    cells = terms["mql_to_sql_actual"]["cells"]
    assert [(cell["actual"], cell["unjudged"]) for cell in cells] == [
        (expected["01"][1], False), (expected["02"][1], False), (expected["03"][1], True)]
    assert [cell["met"] for cell in cells[:2]] == ["met", "missed"]
    assert terms["mql_to_sql_actual"]["target"] == "60%"
    # Terms the export cannot measure (no touches, no attempts) are left out.
    assert "attempts" not in terms
    assert "speed_within_sla" not in terms
    from slabuilder.documents import make_environment

    html = make_environment().get_template("report_parts.j2").module.term_trend(table)
    assert "Feb \u201927" in str(html)
    assert "cell-unjudged" in str(html)
