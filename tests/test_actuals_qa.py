"""Regressions from the QA pass on actuals: empty columns, the agreed definitions of acceptance
and scoring accuracy, cohort conversions, exports without MQL dates, odd dates and odd files.

The export below is a smaller twin of QA's: 12 January MQLs in a generic export whose
``sal_at`` column is present but empty.  Every even lead became an SQL (6), leads 1 and 3 were
disqualified as the wrong persona (DQ-02), lead 5 as no budget (DQ-01); the rest are open.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from slabuilder.actuals import Actuals, compute_actuals
from slabuilder.answers import Answers

HEADER = ["lead_id", "created_at", "mql_at", "sal_at", "sql_at", "opportunity_at",
          "disposition", "disposition_at", "disqualification_reason"]
REASONS = {1: "DQ-02", 3: "DQ-02 Wrong persona", 5: "DQ-01"}


def _rows() -> list[list[str]]:
    rows = []
    for i in range(12):
        mql = f"2027-01-{4 + i:02d} 10:00"
        sql = f"2027-01-{4 + i:02d} 13:00" if i % 2 == 0 else ""
        reason = REASONS.get(i, "")
        status = "Converted" if sql else ("Disqualified" if reason else "Open")
        when = sql or (f"2027-01-{5 + i:02d} 10:00" if reason else "")
        rows.append([f"L{i}", mql, mql, "", sql, "", status, when, reason])
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory,
            example_answers: Answers) -> Actuals:
    export = write_csv(tmp_path_factory.mktemp("qa") / "leads.csv", HEADER, _rows())
    return compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"])


def test_empty_sal_column_counts_as_not_in_export(january: Actuals) -> None:
    assert january.month.sal is None
    assert "sal_at" in january.not_in_export
    assert "mql_to_sal" not in january.month.conversions
    assert january.month.opportunity is None
    assert list(january.export.notes) == [
        "The columns 'sal_at', 'opportunity_at' are in the export but empty in every row, "
        "so counted as not in export."]


def test_acceptance_falls_back_to_sqls_over_dispositioned_mqls(
        january: Actuals) -> None:
    # 6 converted + 3 disqualified = 9 dispositioned; 6 of them accepted as SQL.
    assert (january.month.mqls_dispositioned, january.month.mqls_accepted) == (9, 6)
    assert january.month.acceptance_rate == 0.6667


def test_scoring_accuracy_over_dispositioned_mqls(january: Actuals) -> None:
    # Two DQ-02 among 9 dispositioned (DQ-01 is not a scoring error): 7 / 9.
    assert january.scoring_accuracy == 0.7778
    assert january.month.conversions["mql_to_sql"] == 0.5


def test_conversion_by_cohort_never_exceeds_100_percent(tmp_path: Path,
                                                        example_answers: Answers) -> None:
    # Three December MQLs become SQLs in January next to one January MQL that does too:
    # counting events gives 4 SQLs over 1 MQL (400%); the cohort gives 1 of 1.
    rows = [[f"D{i}", "2026-12-10 10:00", "2026-12-10 10:00", "2027-01-05 10:00"]
            for i in range(3)]
    rows.append(["J1", "2027-01-06 10:00", "2027-01-06 10:00", "2027-01-07 10:00"])
    export = write_csv(tmp_path / "sql.csv", ["lead_id", "created_at", "mql_at", "sql_at"],
                       rows)
    result = compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"])
    assert (result.month.mql, result.month.sql) == (1, 4)
    assert result.month.conversions == {"mql_to_sql": 1.0}
    assert result.month.acceptance_rate == 1.0
    assert result.previous.conversions == {"mql_to_sql": 1.0}


@pytest.mark.parametrize(("value", "zone", "first_date"), [
    ("1/1/01 00:30", None, "2001-01-01"),
    ("1/1/01 00:30", "Asia/Tokyo", "2000-12-31"),  # 00:30 in Tokyo is 10:30 in New York
    ("1/4/27", None, "2027-01-04"),
    ("4.1.27 10:00", None, "2027-01-04"),  # dotted dates are day-first
])
def test_two_digit_years_are_this_century(tmp_path: Path, example_answers: Answers,
                                          value: str, zone: str | None,
                                          first_date: str) -> None:
    from slabuilder.actuals import ExportOptions

    export = write_csv(tmp_path / "xl.csv", ["lead_id", "mql_at"], [["A", value]])
    result = compute_actuals(export, example_answers, first_date[:7],
                             ExportOptions(timezone=zone, date_format="mdy"))
    assert result.export.first_date == first_date
    assert result.month.mql == 1


@pytest.mark.parametrize("value", ["0001-01-01T00:30:00+14:00", "1/4/0027", "2250-01-01"])
def test_dates_outside_the_calendar_are_refused_with_row_and_column(
        tmp_path: Path, example_answers: Answers, value: str) -> None:
    from slabuilder.actuals import ExportOptions
    from slabuilder.errors import ExportError

    export = write_csv(tmp_path / "odd.csv", ["lead_id", "mql_at"],
                       [["A", "2027-01-05 10:00"], ["B", value]])
    for zone in (None, "Asia/Tokyo"):
        with pytest.raises(ExportError) as caught:
            compute_actuals(export, example_answers, "2027-01",
                            ExportOptions(timezone=zone, date_format="mdy"))
        assert caught.value.message == (f"row 3, column 'mql_at': {value!r} is not a date "
                                        "between 1900 and 2199; correct it in the export "
                                        "and run again")


def _refusal(export: Path, answers: Answers, **options: Any) -> str:
    from slabuilder.actuals import ExportOptions
    from slabuilder.errors import ExportError

    with pytest.raises(ExportError) as caught:
        compute_actuals(export, answers, "2027-01", ExportOptions(**options))
    return str(caught.value.message)


def test_binary_file_is_not_a_csv_text_file(tmp_path: Path,
                                             example_answers: Answers) -> None:
    export = tmp_path / "report.xlsx"
    export.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\n"
                       b"\x00\x00\x90\x04")
    assert _refusal(export, example_answers) == (
        "is not a CSV text file (its first line holds binary data); export the contacts or "
        "leads from the CRM as CSV and give that file")


def test_repeated_column_names_are_refused(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "dup.csv", ["lead_id", "mql_at", "MQL_at", "notes", "notes"],
                       [["A", "2027-01-05 10:00", "", "", ""]])
    assert _refusal(export, example_answers) == (
        "the column 'MQL_at' appears twice in the header; remove or rename one of them and "
        "export again")


def test_tasks_are_refused_with_a_hubspot_export_or_a_lead_export(
        tmp_path: Path, example_answers: Answers) -> None:
    tasks = write_csv(tmp_path / "tasks.csv", ["WhoId", "CreatedDate"],
                      [["A", "2027-01-05 11:00"]])
    hubspot = write_csv(tmp_path / "hubspot.csv",
                        ["Contact ID", "Create Date", "Became a Marketing Qualified Lead Date"],
                        [["1", "2027-01-05 09:00", "2027-01-05 10:00"]])
    assert _refusal(hubspot, example_answers, tasks=tasks) == (
        "--tasks reads a Salesforce task export, and this is a HubSpot export, which carries "
        "its first touches itself; drop --tasks")
    leads = write_csv(tmp_path / "leads.csv", ["lead_id", "mql_at"],
                      [["A", "2027-01-05 10:00"]])
    assert _refusal(leads, example_answers, tasks=leads) == (
        "is a lead or contact export, not a Salesforce task export; give --tasks the Tasks "
        "export (WhoId and CompletedDateTime or CreatedDate)")
