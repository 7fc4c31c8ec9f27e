"""HubSpot and Salesforce exports, encodings, delimiters, date formats and bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from helpers import write_csv
from slabuilder.actuals import Actuals, ExportOptions, compute_actuals
from slabuilder.answers import Answers
from slabuilder.errors import ExportError

HUBSPOT_HEADER = ["Contact ID", "Create Date", "Lifecycle Stage",
                  "Became a Marketing Qualified Lead Date",
                  "Became a Sales Qualified Lead Date", "Became an Opportunity Date",
                  "Became a Customer Date", "Lead Status", "Contact owner",
                  "Number of times contacted", "Date of first engagement", "Original Source"]
# Three MQLs in January: speed 2 h (over a night), 4 h (over a weekend), never touched.
HUBSPOT_ROWS = [
    ["101", "2027-01-05 15:00", "salesqualifiedlead", "2027-01-05 16:00",
     "2027-01-07 10:00", "", "", "Connected", "Zoë Müller", "4", "2027-01-06 10:00",
     "Paid Search"],
    ["102", "2027-01-08 14:00", "marketingqualifiedlead", "2027-01-08 15:00", "", "", "",
     "Attempted to Contact", "Zoë Müller", "2", "2027-01-11 11:00", "Organic Search"],
    ["103", "2027-01-12 09:00", "marketingqualifiedlead", "2027-01-12 10:00", "", "", "",
     "New", "Sam Lee", "0", "", "Organic Search"],
    ["104", "2027-01-13 09:00", "lead", "", "", "", "", "New", "Sam Lee", "0", "", "Direct"],
]


def hubspot(tmp_path: Path, answers: Answers, *, name: str = "hubspot.csv",
            delimiter: str = ",", encoding: str = "utf-8",
            rows: list[list[str]] | None = None,
            header: list[str] | None = None, **options: object) -> Actuals:
    export = write_csv(tmp_path / name, header or HUBSPOT_HEADER, rows or HUBSPOT_ROWS,
                       delimiter=delimiter, encoding=encoding)
    return compute_actuals(export, answers, "2027-01", ExportOptions(**options))  # type: ignore[arg-type]


def test_hubspot_labels(tmp_path: Path, example_answers: Answers) -> None:
    result = hubspot(tmp_path, example_answers)
    # "Became a Customer Date" is empty in every row: not in export, rather than 0 won.
    assert (result.month.mql, result.month.sql, result.month.won) == (3, 1, None)
    assert result.month.speed_to_lead_median_hours == 3.0  # median of 2 and 4
    assert result.export.format == "hubspot"
    assert result.export.rows_excluded == 1
    # A contacts export has no lost date, SAL date, disposition date or amount.
    assert result.month.lost is None
    assert result.month.disposition_within_deadline is None
    assert "lost_at" in result.not_in_export
    # Lead Status still says nobody decided: 103 has waited longer than 5 business days.
    assert result.month.undispositioned_past_deadline == 2


def test_hubspot_without_touch_times_says_not_in_export(tmp_path: Path,
                                                        example_answers: Answers) -> None:
    header = [h for h in HUBSPOT_HEADER if h != "Date of first engagement"]
    rows = [row[:10] + row[11:] for row in HUBSPOT_ROWS]
    result = hubspot(tmp_path, example_answers, header=header, rows=rows)
    assert result.month.speed_to_lead_median_hours is None
    assert result.month.speed_to_lead_within_sla is None
    assert result.month.mql == 3


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ","), ("utf-16", "\t"), ("utf-8", ";"),
    ("cp1252", ";"),
])
def test_encodings_and_delimiters(tmp_path: Path, example_answers: Answers, encoding: str,
                                  delimiter: str) -> None:
    result = hubspot(tmp_path, example_answers, encoding=encoding, delimiter=delimiter)
    assert result.month.mql == 3
    assert result.by_owner is not None
    owners = {row.name: row.mql for row in result.by_owner}
    assert owners == {"Zoë Müller": 2, "Sam Lee": 1}


def test_cp1252_detected_late_in_a_file(tmp_path: Path, example_answers: Answers) -> None:
    """A file whose first megabyte is plain ASCII still reads a later cp1252 character."""
    filler = [[str(1000 + i), "2027-01-13 09:00", "lead", "", "", "", "", "New", "Sam Lee",
               "0", "", "Direct"] for i in range(20000)]
    late = ["999", "2027-01-05 15:00", "lead", "2027-01-05 16:00", "", "", "", "New",
            "Renée €uro", "0", "", "Web"]
    rows = [*filler, late]
    result = hubspot(tmp_path, example_answers, encoding="cp1252", rows=rows)
    assert result.export.encoding == "cp1252"
    assert result.by_owner is not None
    assert result.by_owner[0].name == "Renée €uro"


SLASHED = ["L1", "03/04/2027 10:00", "03/04/2027 10:00", "", "", "", "", "03/04/2027 12:00",
           "", "", "", "", "", "", ""]
GENERIC = ["lead_id", "created_at", "mql_at", "sql_at", "opportunity_at", "won_at",
           "lost_at", "first_touch_at", "attempts", "disposition", "disposition_at",
           "disqualification_reason", "owner", "source", "amount"]


def test_ambiguous_dates_are_refused(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "us.csv", GENERIC, [SLASHED])
    with pytest.raises(ExportError, match=r"03/04/2027 10:00.*--date-format MM/DD/YYYY"):
        compute_actuals(export, example_answers, "2027-03")


def test_date_format_settles_the_order(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "us.csv", GENERIC, [SLASHED])
    march = compute_actuals(export, example_answers, "2027-03",
                            ExportOptions(date_format="mdy"))
    assert march.month.mql == 1  # Thursday 4 March
    assert march.month.speed_to_lead_median_hours == 2.0
    april = compute_actuals(export, example_answers, "2027-04",
                            ExportOptions(date_format="dmy"))
    assert april.month.mql == 1  # Saturday 3 April: both times fall before Monday's opening
    assert april.month.speed_to_lead_median_hours == 0.0


def test_day_first_is_recognised_from_the_file(tmp_path: Path,
                                               example_answers: Answers) -> None:
    rows = [SLASHED, ["L2", "25/03/2027 9:00", "25/03/2027 09:00", "", "", "", "",
                      "", "", "", "", "", "", "", ""]]
    export = write_csv(tmp_path / "uk.csv", GENERIC, rows)
    april = compute_actuals(export, example_answers, "2027-04")
    assert april.month.mql == 1  # 03/04 read as 3 April because 25/03 is day-first


def test_us_excel_am_pm(tmp_path: Path, example_answers: Answers) -> None:
    rows = [["L1", "", "1/5/2027 4:00 PM", "", "", "", "", "1/6/2027 10:00 AM", "", "", "", "",
             "", "", ""], ["L2", "", "1/25/2027 9:00 AM", "", "", "", "", "", "", "", "", "",
                          "", "", ""]]
    export = write_csv(tmp_path / "excel.csv", GENERIC, rows)
    result = compute_actuals(export, example_answers, "2027-01")
    assert result.month.mql == 2
    assert result.month.speed_to_lead_median_hours == 2.0


def test_unclosed_quote_names_row_and_column(tmp_path: Path, example_answers: Answers) -> None:
    export = tmp_path / "quote.csv"
    export.write_text("lead_id,mql_at,owner\nL1,2027-01-05 10:00,Ana\n"
                      'L2,2027-01-06 10:00,"Ben\nL3,2027-01-07 10:00,Cy\n', encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        compute_actuals(export, example_answers, "2027-01")
    message = str(caught.value)
    assert "row 3, column 'owner'" in message
    assert "quote that is never closed" in message


def test_short_row_names_its_row(tmp_path: Path, example_answers: Answers) -> None:
    export = tmp_path / "short.csv"
    export.write_text("lead_id,mql_at,owner\nL1,2027-01-05 10:00,Ana\nL2,2027-01-06\n",
                      encoding="utf-8")
    with pytest.raises(ExportError, match=r"row 3.*fewer columns than the header"):
        compute_actuals(export, example_answers, "2027-01")


def test_missing_required_column(tmp_path: Path, example_answers: Answers) -> None:
    header = [h for h in HUBSPOT_HEADER if h != "Became a Marketing Qualified Lead Date"]
    rows = [row[:3] + row[4:] for row in HUBSPOT_ROWS]
    with pytest.raises(ExportError) as caught:
        hubspot(tmp_path, example_answers, header=header, rows=rows)
    message = str(caught.value)
    assert "hubspot.csv:1:" in message
    assert "'Became a Marketing Qualified Lead Date' (mql_at) is missing" in message
    assert "--map mql_at=" in message


def test_unreadable_date_names_row_and_column(tmp_path: Path,
                                              example_answers: Answers) -> None:
    rows = [list(row) for row in HUBSPOT_ROWS]
    rows[2][3] = "next Tuesday"
    with pytest.raises(ExportError) as caught:
        hubspot(tmp_path, example_answers, rows=rows)
    assert ("row 4, column 'Became a Marketing Qualified Lead Date': 'next Tuesday' cannot be "
            "read as a date and time") in str(caught.value)


def test_unreadable_number_names_row_and_column(tmp_path: Path,
                                                example_answers: Answers) -> None:
    rows = [list(row) for row in HUBSPOT_ROWS]
    rows[0][9] = "many"
    with pytest.raises(ExportError, match="row 2, column 'Number of times contacted': 'many'"):
        hubspot(tmp_path, example_answers, rows=rows)


def test_unknown_format_asks_for_export_format(tmp_path: Path,
                                               example_answers: Answers) -> None:
    export = write_csv(tmp_path / "odd.csv", ["Person", "When"], [["a", "2027-01-01"]])
    with pytest.raises(ExportError, match="--export-format hubspot, salesforce or generic"):
        compute_actuals(export, example_answers, "2027-01")


def test_map_and_mapping_file(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "own.csv", ["Person", "Qualified On", "Called On"],
                       [["a", "2027-01-05 16:00", "2027-01-06 10:00"]])
    mapped = compute_actuals(export, example_answers, "2027-01", ExportOptions(
        column_map={"lead_id": "Person", "mql_at": "Qualified On",
                    "first_touch_at": "Called On"}))
    assert mapped.month.speed_to_lead_median_hours == 2.0
    mapping = tmp_path / "map.yaml"
    mapping.write_text("format: generic\ncolumns:\n  lead_id: Person\n  mql_at: Qualified On\n",
                       encoding="utf-8")
    from_file = compute_actuals(export, example_answers, "2027-01",
                                ExportOptions(mapping_file=mapping))
    assert from_file.month.mql == 1
    assert from_file.month.speed_to_lead_median_hours is None


def test_map_to_a_missing_column(tmp_path: Path, example_answers: Answers) -> None:
    with pytest.raises(ExportError, match="no column 'MQL Dat'; did you mean 'MQL Date'"):
        hubspot(tmp_path, example_answers, header=[*HUBSPOT_HEADER[:-1], "MQL Date"],
                column_map={"mql_at": "MQL Dat"})


def test_empty_file(tmp_path: Path, example_answers: Answers) -> None:
    export = tmp_path / "empty.csv"
    export.write_bytes(b"")
    with pytest.raises(ExportError, match="the file is empty"):
        compute_actuals(export, example_answers, "2027-01")


SF_LEADS = ["Id", "Status", "LeadSource", "CreatedDate", "IsConverted", "ConvertedDate",
            "ConvertedOpportunityId", "OwnerId"]
SF_TASKS = ["Id", "WhoId", "Subject", "Type", "TaskSubtype", "CreatedDate",
            "CompletedDateTime", "ActivityDate"]


def test_salesforce_with_tasks_in_utc(tmp_path: Path, example_answers: Answers) -> None:
    """CreatedDate 21:00Z is 16:00 in New York; the first task is a 15-character WhoId."""
    leads = write_csv(tmp_path / "leads.csv", SF_LEADS, [
        ["00Q000000000001AAA", "Closed - Converted", "Web", "2027-01-05T21:00:00.000Z",
         "true", "2027-01-12", "006000000000001AAA", "005A"],
        ["00Q000000000002AAA", "Working - Contacted", "Partner Referral",
         "2027-01-08T20:00:00.000Z", "false", "", "", "005B"],
        ["00Q000000000003AAA", "Open - Not Contacted", "Web", "2027-01-20T14:00:00.000Z",
         "false", "", "", "005B"],
    ])
    tasks = write_csv(tmp_path / "tasks.csv", SF_TASKS, [
        ["00T1", "00Q000000000001", "Call", "Call", "Call", "2027-01-06T15:00:00.000Z",
         "2027-01-06T15:00:00.000Z", "2027-01-06"],
        ["00T2", "00Q000000000002AAA", "Email", "Email", "Email", "2027-01-12T14:00:00.000Z",
         "", "2027-01-12"],
        ["00T3", "00Q000000000002AAA", "Call", "Call", "Call", "2027-01-11T16:00:00.000Z",
         "2027-01-11T16:00:00.000Z", "2027-01-11"],
        ["00T4", "003000000000009AAA", "Call", "Call", "Call", "2027-01-11T16:00:00.000Z",
         "", ""],
    ])
    result = compute_actuals(leads, example_answers, "2027-01", ExportOptions(tasks=tasks))
    assert result.export.format == "salesforce"
    assert (result.month.mql, result.month.sql, result.month.opportunity) == (3, 1, 1)
    assert result.month.speed_to_lead_median_hours == 3.0  # 2 h and 4 h; lead 3 untouched
    # 1 + 1 + 0 over three leads: the e-mail task 00T2 has no CompletedDateTime (and this
    # export no Status), so it is not done and is no attempt
    assert result.month.attempts_average == 0.7
    notes = " ".join(result.export.notes)
    assert "no standard MQL date" in notes
    assert "1 person with tasks in tasks.csv is not a lead in the lead export" in notes


def test_first_touches_from_tasks_count_in_the_dates_covered(tmp_path: Path,
                                                             example_answers: Answers) -> None:
    leads = write_csv(tmp_path / "leads.csv", SF_LEADS, [
        ["00Q000000000001AAA", "Working - Contacted", "Web", "2027-01-05T15:00:00.000Z",
         "false", "", "", "005A"],
    ])
    tasks = write_csv(tmp_path / "tasks.csv", SF_TASKS, [
        ["00T1", "00Q000000000001AAA", "Call", "Call", "Call", "2027-01-28T15:00:00.000Z",
         "2027-01-28T15:00:00.000Z", "2027-01-28"],
    ])
    result = compute_actuals(leads, example_answers, "2027-01", ExportOptions(tasks=tasks))
    assert (result.export.first_date, result.export.last_date) == ("2027-01-05", "2027-01-28")


def test_salesforce_without_tasks(tmp_path: Path, example_answers: Answers) -> None:
    leads = write_csv(tmp_path / "leads.csv", SF_LEADS, [
        ["00Q1", "Open - Not Contacted", "Web", "2027-01-05T21:00:00.000Z", "false", "", "",
         "005A"]])
    result = compute_actuals(leads, example_answers, "2027-01")
    assert result.month.speed_to_lead_median_hours is None
    assert result.month.attempts_average is None
    assert result.month.no_attempt_after_72h is None
    assert result.month.won is None


# --------------------------------------------------------------------------- odd dates, odd files


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
                                        "between 2000 and 2099; correct it in the export "
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


SF_TASKS_DATA_LOADER = ["Id", "WhoId", "Subject", "Status", "IsClosed", "Type", "TaskSubtype",
                        "CreatedDate", "CompletedDateTime", "ActivityDate"]


def _business_hours(start: dt.datetime, end: dt.datetime) -> float:
    """Hours between two New York times within 09:00-17:00 on weekdays (no holiday falls in
    these days), worked out here, not by slabuilder."""
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, dt.time(9))
            closes = dt.datetime.combine(day, dt.time(17))
            begin, finish = max(start, opens), min(end, closes)
            total += max((finish - begin).total_seconds(), 0) / 3600
        day += dt.timedelta(days=1)
    return total


def test_only_completed_calls_emails_and_meetings_are_touches(
        tmp_path: Path, example_answers: Answers) -> None:
    """A Data Loader task export as Salesforce writes it: the open task created at assignment,
    a completed generic task and one still in progress are not touches."""
    leads = write_csv(tmp_path / "leads.csv", SF_LEADS, [
        ["00Q000000000001AAA", "Working - Contacted", "Web", "2027-01-05T14:00:00.000Z",
         "false", "", "", "005A"],
        ["00Q000000000002AAA", "Working - Contacted", "Web", "2027-01-06T15:00:00.000Z",
         "false", "", "", "005A"],
        ["00Q000000000003AAA", "Open - Not Contacted", "Web", "2027-01-07T16:00:00.000Z",
         "false", "", "", "005B"],
    ])
    tasks = write_csv(tmp_path / "tasks.csv", SF_TASKS_DATA_LOADER, [
        # created by the assignment rule, never worked: not a touch
        ["00T1", "00Q000000000001AAA", "Call new lead", "Not Started", "false", "Call", "Task",
         "2027-01-05T14:00:00.000Z", "", "2027-01-05"],
        ["00T2", "00Q000000000001AAA", "Call", "Completed", "true", "Call", "Call",
         "2027-01-05T17:30:00.000Z", "2027-01-05T17:30:00.000Z", "2027-01-05"],
        # a completed to-do that is not a call, an e-mail or a meeting: not a touch
        ["00T3", "00Q000000000002AAA", "Research account", "Completed", "true", "Other", "Task",
         "2027-01-06T15:30:00.000Z", "2027-01-06T15:30:00.000Z", "2027-01-06"],
        ["00T4", "00Q000000000002AAA", "Email: intro", "Completed", "true", "Email", "Email",
         "2027-01-07T15:00:00.000Z", "2027-01-07T15:00:00.000Z", "2027-01-07"],
        # still in progress: not a touch, so lead 3 is untouched
        ["00T5", "00Q000000000003AAA", "Call", "In Progress", "false", "Call", "Call",
         "2027-01-07T16:05:00.000Z", "", "2027-01-07"],
    ])
    result = compute_actuals(leads, example_answers, "2027-01", ExportOptions(tasks=tasks))
    # New York is UTC-5 in January.
    first = _business_hours(dt.datetime(2027, 1, 5, 9), dt.datetime(2027, 1, 5, 12, 30))
    second = _business_hours(dt.datetime(2027, 1, 6, 10), dt.datetime(2027, 1, 7, 10))
    assert (first, second) == (3.5, 8.0)
    assert result.month.mql == 3
    assert result.month.speed_to_lead_median_hours == (first + second) / 2
    assert result.month.speed_to_lead_touched == 2
    assert result.month.attempts_average == round((1 + 1 + 0) / 3, 1)
    notes = " ".join(result.export.notes)
    assert ("3 tasks in tasks.csv are not a touch (still open, or not a call, an e-mail or a "
            "meeting) and count neither as touches nor as attempts.") in notes


SF_REPORT_ROWS = [
    ["Lead ID", "First Name", "Last Name", "Company / Account", "Lead Source", "Lead Status",
     "Lead Owner", "Create Date", "Converted Date", "MQL Date"],
    ["00Q5g00000A1", "Ana", "Lee", "Northwind", "Web", "Working - Contacted", "Maya Chen",
     "3/1/2027 9:00 AM", "", "3/1/2027 9:30 AM"],
    ["00Q5g00000A2", "Bo", "Kim", "Ledgerly", "Webinar", "Open - Not Contacted",
     "Luis Ortega", "3/2/2027 2:15 PM", "3/9/2027", "3/2/2027 2:30 PM"],
    ["00Q5g00000A3", "Cy", "Roy", "Mediqo", "Web", "Closed - Converted", "Maya Chen",
     "3/15/2027 11:05 AM", "3/20/2027", "3/15/2027 11:20 AM"],
    ["00Q5g00000A4", "Di", "Fox", "Paynova", "Web", "Working - Contacted", "Maya Chen",
     "2/27/2027 4:00 PM", "", "2/28/2027 10:00 AM"],
]
SF_REPORT_FOOTER = ['"Confidential Information - Do Not Distribute"',
                    '"Copyright (c) 2000-2027 salesforce.com, inc. All rights reserved."',
                    '"Generated By:  Jordan Lee  3/31/2027 5:02 PM"', '"Acme Analytics"']


def test_a_salesforce_report_export_with_its_footer_is_read(tmp_path: Path,
                                                             example_answers: Answers) -> None:
    """A lead report exported from Salesforce: the labels it prints, US dates with AM/PM,
    CRLF line ends, every field quoted, and the footer lines after a blank line."""
    lines = ['"' + '","'.join(row) + '"' for row in SF_REPORT_ROWS]
    export = tmp_path / "report.csv"
    export.write_bytes(("\r\n".join([*lines, "", *SF_REPORT_FOOTER]) + "\r\n").encode())
    result = compute_actuals(export, example_answers, "2027-03")
    # Worked out from the rows above: March MQL dates, and which of them converted.
    march = [row for row in SF_REPORT_ROWS[1:] if row[9].startswith("3/")]
    converted = [row for row in march if row[8]]
    assert result.export.format == "salesforce"
    assert (result.month.mql, result.month.sql) == (len(march), len(converted)) == (3, 2)
    assert result.previous.mql == 1
    assert {group.name: group.mql for group in result.by_owner} == {
        "Maya Chen": 2, "Luis Ortega": 1}
    assert "The 4 lines of the report's footer (Confidential Information, Generated By, ...) " \
        "were left out." in result.export.notes


def _won_deals(amounts: list[str]) -> list[list[str]]:
    """One MQL of January won on January 20 for each amount, in the generic columns."""
    return [[f"W{n}", "2027-01-04 09:00", "2027-01-04 10:00", "2027-01-05 10:00", "",
             "2027-01-20 10:00", "", "", "2", "Won", "", "", "Ana", "Web", amount]
            for n, amount in enumerate(amounts)]


@pytest.mark.parametrize(("amounts", "total"), [
    (["2,67", "2"], 4.67),  # a ';' file with decimal commas
    (["2.67", "2"], 4.67),  # a ';' file that writes points: not 267
    (["1.000,5", "2"], 1002.5),  # dots between thousands, a decimal comma
    (["1.000", "2"], 1002.0),  # undecided by its values: the ';' file's comma decides
])
def test_each_number_column_reads_its_own_decimal_mark(
        tmp_path: Path, example_answers: Answers, amounts: list[str], total: float) -> None:
    export = write_csv(tmp_path / "semi.csv", GENERIC, _won_deals(amounts), delimiter=";")
    revenue = compute_actuals(export, example_answers, "2027-01").revenue
    assert revenue is not None
    assert revenue.marketing_sourced.amount == pytest.approx(total)


def test_a_column_with_both_decimal_marks_is_refused_by_name(
        tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "both.csv", GENERIC, _won_deals(["2,5", "2,500.5"]),
                       delimiter=";")
    with pytest.raises(ExportError, match=r"column 'amount' writes decimals both ways "
                                          r"\('2,5' with a comma, '2,500.5' with a point\)"):
        compute_actuals(export, example_answers, "2027-01")


def test_the_funnel_splits_by_company_size_against_the_icp_and_by_country(
        tmp_path: Path, example_answers: Answers) -> None:
    """A HubSpot contacts export with "Number of Employees" and "Country/Region": each MQL
    falls below, in or above the ICP's 50 to 500 employees by its size's first number (a
    band such as "51-200" by its lower end), and each country is its own segment."""
    import re

    sizes = ["12", "120", "2,500", "51-200", "", "480", "49"]
    countries = ["United States", "Germany", "United States", "", "France", "Germany",
                 "United States"]
    header = [*HUBSPOT_HEADER, "Number of Employees", "Country/Region"]
    rows = []
    for n, (size, country) in enumerate(zip(sizes, countries, strict=True)):
        converted = n % 2 == 0
        rows.append([str(200 + n), f"2027-01-{n + 4:02d} 09:00", "lead",
                     f"2027-01-{n + 4:02d} 10:00",
                     f"2027-01-{n + 5:02d} 10:00" if converted else "", "", "", "Connected",
                     "Sam Lee", "3", f"2027-01-{n + 4:02d} 11:00", "Paid Search", size,
                     country])
    result = hubspot(tmp_path, example_answers, rows=rows, header=header)

    def segment(size: str) -> str:
        if not size:
            return "Not given"
        first = int(re.search(r"\d+", size.replace(",", "")).group())  # type: ignore[union-attr]
        return ("Below the ICP (under 50)" if first < 50 else
                "Above the ICP (over 500)" if first > 500 else "In the ICP (50 to 500 employees)")

    expected: dict[str, list[int]] = {}
    for row in rows:
        counts = expected.setdefault(segment(row[12]), [0, 0])
        counts[0] += 1
        counts[1] += bool(row[4])
    assert expected == {"Below the ICP (under 50)": [2, 2], "In the ICP (50 to 500 employees)":
                        [3, 0], "Above the ICP (over 500)": [1, 1], "Not given": [1, 1]}
    assert {group.name: [group.mql, group.sql] for group in result.by_size or ()} == expected
    by_country = {group.name: (group.mql, group.mql_to_sql) for group in result.by_country or ()}
    assert by_country == {"United States": (3, 1.0), "Germany": (2, 0.0), "France": (1, 1.0),
                          "Not given": (1, 0.0)}
