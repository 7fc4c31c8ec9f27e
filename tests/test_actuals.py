"""Actuals from a generic export, with every figure worked out by hand.

The company (examples/acme.yaml) works 09:00-17:00 New York time, Monday to Friday, with US
public holidays; its SLA asks for a first attempt within 4 business hours, 6 attempts, and a
disposition within 5 business days (40 business hours).  Month: January 2027, where Friday
January 1 and Monday January 18 (Martin Luther King Jr. Day) are holidays.

Speed to lead of each January MQL, in business hours:
    L1 Mon 04 10:00 -> Mon 04 10:30                         0.5
    L2 Tue 05 16:00 -> Wed 06 10:00   (over a night)        1 + 1 = 2
    L3 Fri 08 15:00 -> Mon 11 11:00   (over a weekend)      2 + 2 = 4
    L4 Fri 15 16:30 -> Tue 19 09:30   (weekend + holiday)   0.5 + 0 + 0.5 = 1
    L5 Sat 09 12:00 -> Mon 11 13:00   (arrives on Saturday) 4
    L6 Wed 20 09:00 -> Thu 21 17:00                         8 + 8 = 16
    L7 Mon 25 10:00 -> never
Sorted: 0.5, 1, 2, 4, 4, 16 -> median (2 + 4) / 2 = 3; 90th percentile (linear) at position
0.9 x 5 = 4.5, halfway from 4 to 16 = 10.

The export has no trigger column, so no MQL's tier can be told: each limit is shown over every
MQL (within 4 hours: 5 of 7 = 71.43%; within 24 hours: 6 of 7 = 85.71%) and only the longest
limit is a certain breach.  The same export with a trigger column (L3 a free trial, L6 a demo
request, the rest e-book downloads) holds each MQL to its own tier: demo and trial requests
L3 (4 h, in time) and L6 (16 h, late); every other MQL L1, L2, L4, L5 in time and L7 never.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import HEADER, INJECTION, ROWS, write_csv
from slabuilder.actuals import Actuals, ExportOptions, compute_actuals, neutralise
from slabuilder.actuals.calendar import BusinessClock, business_minutes_between
from slabuilder.answers import Answers
from slabuilder.errors import ExportError


@pytest.fixture(scope="module")
def january_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generic")


@pytest.fixture(scope="module")
def january(january_folder: Path, example_answers: Answers) -> Actuals:
    export = write_csv(january_folder / "leads.csv", HEADER, ROWS)
    options = ExportOptions(breaches=january_folder / "breaches.csv")
    return compute_actuals(export, example_answers, "2027-01", options,
                           rate_keys=["mql_to_sql", "sql_to_opportunity",
                                      "opportunity_to_won"])


@pytest.fixture(scope="module")
def breaches_text(january: Actuals, january_folder: Path) -> str:
    return (january_folder / "breaches.csv").read_text(encoding="utf-8-sig")


def test_volumes_count_events_in_the_month(january: Actuals) -> None:
    assert (january.month.mql, january.month.sql, january.month.opportunity, january.month.won,
            january.month.lost) == (7, 2, 1, 1, 1)
    assert january.month.sal is None  # the export has no sal_at column: not in export
    # By cohort: of the 7 January MQLs, L1, L3 and L6 (in February) reached SQL; of the 2
    # January SQLs L1 became an opportunity; the one January opportunity was won.
    assert january.month.conversions == {"mql_to_sql": 0.4286, "sql_to_opportunity": 0.5,
                                      "opportunity_to_won": 1.0}
    # As agreed: over the 5 MQLs dispositioned (all but L4 and L7), 3 accepted as SQL.
    assert (january.month.mqls_dispositioned, january.month.mqls_accepted) == (5, 3)
    assert january.month.acceptance_rate == 0.6


def test_lead_velocity_in_business_days(january: Actuals) -> None:
    """Worked by hand on the clock of 8 business hours a day.  The January SQLs: L1, MQL
    Mon 04 10:00 -> SQL Wed 06 10:00 = 7 + 8 + 1 = 16 h = 2 days; L3, MQL Fri 08 15:00 ->
    SQL Wed 20 11:00 = 2 + 5 x 8 (11 to 15) + 0 (18, a holiday) + 8 (19) + 2 = 52 h = 6.5
    days; median 4.25.  The January opportunity: L1, SQL Wed 06 10:00 -> Tue 12 10:00 =
    7 + 8 + 8 + 8 + 1 = 32 h = 4 days."""
    assert [(v.key, v.median_days, v.leads) for v in january.month.velocity or ()] == [
        ("mql_to_sql", 4.25, 2), ("sql_to_opportunity", 4.0, 1)]
    # Attempts: 2, 6, 3, 7, 0, 1, 0 for L1 to L7: three of seven had 3 or more.
    assert january.month.attempts_floor_share == round(3 / 7, 4)
    # No score column: the quality score is not in the export, never zero.
    assert (january.month.mql_average_score, january.month.mqls_scored) == (None, None)


def test_rejections_carry_a_reason_but_not_interested_is_none(
        january: Actuals, january_folder: Path, example_answers: Answers) -> None:
    """January's rejected MQLs by status: L3 (DQ-05) and L5 (DQ-02), both with a reason.
    With L5's reason "Not interested" instead, one of the two has a reason."""
    assert (january.month.rejections, january.month.rejections_with_reason) == (2, 1.0)
    rows = [[*row[:11], "Not interested", *row[12:]] if row[0] == "L5" else row
            for row in ROWS]
    export = write_csv(january_folder / "not-interested.csv", HEADER, rows)
    month = compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"]).month
    assert (month.rejections, month.rejections_with_reason) == (2, 0.5)


def test_an_untouched_mql_inside_its_limit_is_not_yet_counted(
        january_folder: Path, example_answers: Answers) -> None:
    """L9 became an MQL on Thursday January 28 at 16:00 and nobody touched it: by the
    month's end (February 1, 00:00) it is 80 clock hours old, past the 72-hour line, but
    only 1 + 8 = 9 business hours, inside its 24: not counted. L7 (January 25 10:00,
    7 + 4 x 8 = 39 business hours) is."""
    late = ["L9", "2027-01-28 15:00", "2027-01-28 16:00", "", "", "", "", "", "0", "New",
            "", "", "Ben", "Webinar", ""]
    export = write_csv(january_folder / "weekend.csv", HEADER, [*ROWS, late])
    month = compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"]).month
    assert (month.mql, month.no_attempt_after_72h) == (8, 1)


def test_data_completeness_of_the_months_mqls(january_folder: Path,
                                              example_answers: Answers) -> None:
    """January's seven MQLs with contact fields: L3 has no e-mail and L5 only a last name;
    L1 and L2 also have a phone, a title and a size. Core: 6 of 7; extended: 2 of 7."""
    contact = {"L1": ["Ana", "Ito", "a@x.example", "X", "555", "VP", "120"],
               "L2": ["Bo", "Li", "b@x.example", "X", "556", "CTO", "80"],
               "L3": ["Cy", "Ng", "", "X", "", "", ""],
               "L5": ["", "Oz", "e@x.example", "X", "", "", ""]}
    blank = ["Dee", "", "d@x.example", "Y", "", "", ""]
    header = [*HEADER, "first_name", "last_name", "email", "company", "phone", "job_title",
              "company_size"]
    rows = [[*row, *contact.get(row[0], blank)] for row in ROWS]
    export = write_csv(january_folder / "contacts.csv", header, rows)
    month = compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"]).month
    assert (month.core_fields_complete, month.extended_fields_complete) == (
        round(6 / 7, 4), round(2 / 7, 4))
    # Without phone, title and size columns the extended share is not in the export.
    short = write_csv(january_folder / "core.csv", header[:-3], [row[:-3] for row in rows])
    month = compute_actuals(short, example_answers, "2027-01", rate_keys=["mql_to_sql"]).month
    assert (month.core_fields_complete, month.extended_fields_complete) == (
        round(6 / 7, 4), None)


def test_a_lead_still_being_attempted_is_not_undecided_within_its_window(
        january_folder: Path, example_answers: Answers) -> None:
    """L10 became an MQL on Tuesday January 19 at 09:00; 5 business days later (Tuesday 26,
    09:00) it still has no disposition. Marked "New" it is undecided past the deadline;
    marked "Attempting" it is inside its 14-day window (until February 2), as the
    agreement allows. L4 (no status, January 15) stays undecided either way."""
    def undecided(status: str) -> int | None:
        late = ["L10", "2027-01-19 08:00", "2027-01-19 09:00", "", "", "", "", "", "2",
                status, "", "", "Ana", "Webinar", ""]
        export = write_csv(january_folder / f"{status}.csv", HEADER, [*ROWS, late])
        return compute_actuals(export, example_answers, "2027-01",
                               rate_keys=["mql_to_sql"]).month.undispositioned_past_deadline

    assert (undecided("New"), undecided("Attempting")) == (2, 1)


def test_the_average_score_of_the_months_mqls(january_folder: Path,
                                              example_answers: Answers) -> None:
    scores = {"L0": "90", "L1": "40", "L2": "25", "L3": "", "L4": "31", "L5": "27",
              "L6": "33", "L7": "29", "L8": "5"}
    rows = [[*row, scores.get(row[0], "")] for row in ROWS]
    export = write_csv(january_folder / "scored.csv", [*HEADER, "score"], rows)
    month = compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"]).month
    # January MQLs L1 to L7 with a score (L3 has none): 40, 25, 31, 27, 33, 29.
    assert (month.mql_average_score, month.mqls_scored) == (
        round((40 + 25 + 31 + 27 + 33 + 29) / 6, 1), 6)


def test_speed_to_lead_in_business_hours(january: Actuals) -> None:
    assert january.month.speed_to_lead_median_hours == 3.0
    assert january.month.speed_to_lead_p90_hours == 10.0
    assert january.month.speed_to_lead_within_sla is None  # no tier can be told
    assert january.month.tiers_known is False
    assert [(t.tier, t.limit_hours, t.mqls, t.within, t.share_within)
            for t in january.month.speed_by_tier or ()] == [
        ("fast", 4.0, 7, 5, 0.7143), ("standard", 24.0, 7, 6, 0.8571)]
    assert january.month.speed_to_lead_touched == 6
    assert january.to_dict()["response_buckets"] == {"under_1h": 1, "1_to_24h": 5, "over_24h": 0,
                                           "never": 1}


def test_attempts_disposition_and_neglect(january: Actuals) -> None:
    # 19 attempts over 7 MQLs; of the 4 never converted (L2, L4, L5, L7) L2 and L4 had 6+.
    assert january.month.attempts_average == 2.7
    assert january.month.attempts_unconverted_mqls == 4
    assert january.month.attempts_meeting_minimum == 0.5
    # Within 40 business hours: L1 (16 h), L3, L5, L6; L2 took 50 h; L4 and L7 never.
    assert january.month.disposition_within_deadline == 0.5714
    # At the month's end L4 had waited 72.5 business hours undecided, L7 only 39.
    assert january.month.undispositioned_past_deadline == 1
    # MQLs older than 72 hours at the month's end with no attempt: L7.
    assert january.month.no_attempt_after_72h == 1


def test_reasons_sources_owners_and_revenue(january: Actuals) -> None:
    assert january.to_dict()["dq_reasons"] == [{"reason": "DQ-02 Wrong persona", "count": 1},
                                      {"reason": "DQ-05 Competitor chosen", "count": 1}]
    # Of the 5 dispositioned MQLs, only L5 was rejected as the wrong persona (DQ-02).
    assert january.scoring_accuracy == 0.8
    assert january.by_source is not None
    assert january.by_owner is not None
    assert january.revenue is not None
    by_source = {row.name: row for row in january.by_source}
    assert by_source["Webinar"].mql == 3
    assert by_source["Webinar"].sql == 2
    assert by_source["Webinar"].mql_to_sql == 0.6667
    assert by_source["Webinar"].speed_to_lead_median_hours == 2.0
    assert by_source["Paid Search"].mql == 2
    by_owner = {row.name: row for row in january.by_owner}
    assert (by_owner["Ana"].mql, by_owner["Ben"].mql) == (4, 3)
    assert january.revenue.marketing_sourced.to_dict() == {"won": 1, "amount": 25000.0}
    assert january.revenue.marketing_influenced is None


def test_previous_month_and_trend(january: Actuals) -> None:
    assert january.previous is not None
    assert january.previous.key == "2026-12"
    assert january.previous.mql == 1
    assert january.previous.speed_to_lead_median_hours == 2.0
    assert january.to_dict()["trend"] == [
        {"month": "2026-12", "mql": 1, "speed_to_lead_median_hours": 2.0, "won": 0},
        {"month": "2027-01", "mql": 7, "speed_to_lead_median_hours": 3.0, "won": 1},
    ]  # L1 was won on January 28


def test_rows_read_used_and_excluded_with_reasons(january: Actuals) -> None:
    export = january.export
    assert (export.rows_read, export.rows_used, export.rows_excluded) == (11, 8, 3)
    assert [item.to_dict() for item in export.excluded] == [
        {"reason": "no lead id", "rows": 1},
        {"reason": "the same lead id as an earlier row", "rows": 1},
        {"reason": "no funnel date (never an MQL or later stage)", "rows": 1},
    ]
    assert export.format == "generic"
    assert export.delimiter == "comma"


def test_breach_csv_neutralises_formulas_and_keeps_numbers(january: Actuals,
                                                           breaches_text: str) -> None:
    rows = list(csv.reader(io.StringIO(breaches_text)))
    assert rows[0][:3] == ["lead_id", "breach", "owner"]
    body = {(row[0], row[1]): row for row in rows[1:]}
    # Without triggers L6's 16 hours may be within its tier: only the longest limit counts.
    assert set(body) == {("L4", "no disposition after 5 business days"),
                         ("L7", "no first touch")}
    assert body[("L7", "no first touch")][3] == "'" + INJECTION
    assert body[("L7", "no first touch")][8] == "24"  # the limit, a number, unquoted
    assert '"24"' not in breaches_text
    assert january.breaches is not None
    assert january.breaches.rows == 2


TRIGGERS = {"L3": "Free trial", "L6": "Demo request"}


@pytest.fixture(scope="module")
def tiered(january_folder: Path, example_answers: Answers) -> tuple[Actuals, str]:
    rows = [[*row, TRIGGERS.get(row[0], "Ebook download")] for row in ROWS]
    export = write_csv(january_folder / "with-triggers.csv", [*HEADER, "mql_trigger"], rows)
    options = ExportOptions(breaches=january_folder / "tiered-breaches.csv")
    found = compute_actuals(export, example_answers, "2027-01", options)
    return found, (january_folder / "tiered-breaches.csv").read_text(encoding="utf-8-sig")


def test_each_mql_is_held_to_its_own_tier(tiered: tuple[Actuals, str]) -> None:
    found, breaches = tiered
    assert found.month.tiers_known is True
    assert found.month.speed_to_lead_within_sla == 0.7143  # L1-L5 in time; L6 late; L7 never
    assert [(t.tier, t.mqls, t.within, t.share_within, t.median_hours)
            for t in found.month.speed_by_tier or ()] == [
        ("fast", 2, 1, 0.5, 10.0), ("standard", 5, 4, 0.8, 1.5)]
    body = {(row[0], row[1]): row for row in list(csv.reader(io.StringIO(breaches)))[1:]}
    assert set(body) == {
        ("L4", "no disposition after 5 business days"),
        ("L6", "first touch after 4 business hours (demo and trial requests)"),
        ("L7", "no first touch")}
    late = body[("L6", "first touch after 4 business hours (demo and trial requests)")]
    assert late[3] == "'" + INJECTION
    assert (late[6], late[8]) == ("16", "4")  # numbers, unquoted
    assert body[("L7", "no first touch")][8] == "24"


def test_each_rep_is_held_to_the_tiers_too(tiered: tuple[Actuals, str]) -> None:
    """By owner: Ana's January MQLs L1, L2, L4 in time and L6 (a demo request touched after
    16 h) late: 3 of 4; Ben's L3 and L5 in time and L7 never touched: 2 of 3."""
    found, _ = tiered
    owners = {group.name: group for group in found.by_owner or ()}
    assert {name: (group.mql, group.within_limit) for name, group in owners.items()} == {
        "Ana": (4, 0.75), "Ben": (3, round(2 / 3, 4))}
    assert {name: group.mql_to_sql for name, group in owners.items()} == {
        "Ana": 0.5, "Ben": round(1 / 3, 4)}  # L1, L6 of Ana's; L3 of Ben's reached SQL


def test_a_hubspot_recent_conversion_is_the_trigger() -> None:
    from slabuilder.actuals.columns import HUBSPOT, SALESFORCE

    assert HUBSPOT["mql_trigger"] == ("Recent Conversion",)
    assert SALESFORCE["mql_trigger"] == ("MQL_Trigger__c", "MQL Trigger")  # API name, label


@pytest.mark.parametrize(("cell", "expected"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@foo", "'@foo"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-2, -2), (3.5, 3.5), (None, ""),
])
def test_neutralise(cell: Any, expected: Any) -> None:
    assert neutralise(cell) == expected


def test_python_reference_clock_agrees(example_answers: Answers) -> None:
    import datetime as dt

    clock = BusinessClock.of(example_answers.company)
    holidays = clock.holidays(dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert dt.date(2027, 1, 18) in holidays
    minutes = business_minutes_between(dt.datetime(2027, 1, 15, 16, 30),
                                       dt.datetime(2027, 1, 19, 9, 30), clock, holidays)
    assert minutes == 60


def test_utc_export_converted_with_tz(tmp_path: Path, example_answers: Answers) -> None:
    """Times written in UTC (--tz UTC) land in New York time: 21:00 UTC is 16:00 EST."""
    rows = [["U1", "2027-01-05 21:00", "2027-01-05 21:00", "", "", "", "", "2027-01-06 15:00",
             "1", "", "", "", "Ana", "Web", ""],
            ["U2", "2027-01-31 23:30", "2027-02-01 02:30", "", "", "", "", "", "0", "", "", "",
             "Ana", "Web", ""]]
    export = write_csv(tmp_path / "utc.csv", HEADER, rows)
    result = compute_actuals(export, example_answers, "2027-01",
                             ExportOptions(timezone="UTC"))
    # U2 became an MQL at 02:30 UTC on 1 February, which is 21:30 on 31 January in New York.
    assert result.month.mql == 2
    assert result.month.speed_to_lead_median_hours == 2.0  # Tue 16:00 -> Wed 10:00


def test_offsets_in_values_are_honoured(tmp_path: Path, example_answers: Answers) -> None:
    rows = [["Z1", "", "2027-01-05T21:00:00Z", "", "", "", "", "2027-01-06T10:00:00-05:00",
             "", "", "", "", "", "", ""]]
    export = write_csv(tmp_path / "z.csv", HEADER, rows)
    result = compute_actuals(export, example_answers, "2027-01")
    assert result.month.speed_to_lead_median_hours == 2.0


def test_json_is_plain(january: Actuals) -> None:
    text = json.dumps(january.to_dict())
    assert '"speed_to_lead_median_hours": 3.0' in text


def test_json_keeps_its_keys_and_values(january: Actuals) -> None:
    """``report --json`` is a public contract: the typed actuals write the same JSON as the
    dict they replaced, key for key and in the same order (the tiers of speed to lead, the
    attempts floor, the quality score and lead velocity came later, as keys of their own)."""
    data = json.loads(json.dumps(january.to_dict()))
    assert list(data) == [
        "month", "month_label", "mql", "sal", "sql", "opportunity", "won", "lost",
        "conversions", "conversion_counts", "acceptance_rate", "mqls_dispositioned",
        "mqls_accepted", "speed_to_lead_median_hours", "speed_to_lead_p90_hours",
        "speed_to_lead_within_sla", "speed_to_lead_touched", "touched_before_mql",
        "response_buckets", "attempts_average", "attempts_meeting_minimum",
        "attempts_unconverted_mqls", "disposition_within_deadline",
        "undispositioned_past_deadline", "no_attempt_after_72h", "speed_by_tier",
        "tiers_known", "attempts_floor_share", "mql_average_score", "mqls_scored",
        "velocity", "sales_cycle_days", "sales_cycle_deals", "rejections",
        "rejections_with_reason", "core_fields_complete", "extended_fields_complete",
        "scoring_accuracy",
        "dq_reasons", "by_source", "by_owner", "by_size", "by_country", "revenue",
        "previous", "trend", "history", "weeks",
        "stalled_opportunities", "export", "not_in_export", "breaches"]
    assert (data["month"], data["month_label"]) == ("2027-01", "January 2027")
    assert data["conversion_counts"]["mql_to_sql"] == {"from": 7, "reached": 3}
    assert data["response_buckets"] == {"under_1h": 1, "1_to_24h": 5, "over_24h": 0,
                                        "never": 1}
    assert data["previous"]["month_label"] == "December 2026"
    assert "scoring_accuracy" not in data["previous"]
    assert data["revenue"]["sales_sourced"] == {"won": 0, "amount": 0.0}
    assert data["weeks"][0] == {"week_start": "2026-12-28", "label": "Jan 1 to 3",
                                "mql": 0, "sal": None, "sql": 0, "opportunity": 0,
                                "speed_to_lead_median_hours": None}
    assert data["export"]["excluded"][0] == {"reason": "no lead id", "rows": 1}
    assert data["not_in_export"] == ["company", "company_size", "country", "email", "first_name",
                                     "job_title", "last_name", "mql_trigger", "phone",
                                     "sal_at", "score"]
    assert data["breaches"]["rows"] == 2


def test_month_outside_the_export(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    with pytest.raises(ExportError, match=r"covers 2026-12-15 to 2027-02-02.*--month"):
        compute_actuals(export, example_answers, "2027-06")


def test_benchmark_generator_writes_a_readable_hubspot_export(
        tmp_path: Path, example_answers: Answers) -> None:
    """The benchmark's generator and the reader agree on the HubSpot layout."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_hubspot_export",
        Path(__file__).resolve().parent.parent / "benchmarks" / "gen_hubspot_export.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    export = tmp_path / "hubspot.csv"
    generator.write(export, 3000, seed=1)
    result = compute_actuals(export, example_answers, "2027-01")
    assert result.export.format == "hubspot"
    assert result.export.rows_read == 3000
    assert result.month.mql > 0
    assert result.month.speed_to_lead_median_hours is not None
    # "Recent Conversion" tells the tiers apart: demo requests and trial sign-ups are fast.
    assert result.month.tiers_known is True
    assert [tier.tier for tier in result.month.speed_by_tier or ()] == ["fast", "standard"]
    fast, standard = result.month.speed_by_tier or ()
    assert fast.mqls + standard.mqls == result.month.mql
    assert 0 < fast.mqls < standard.mqls  # two trigger kinds of six


# --------------------------------------------------------------------------- agreed definitions
# A smaller twin of QA's export: 12 January MQLs in a generic export whose ``sal_at`` column
# is present but empty.  Every even lead became an SQL (6), leads 1 and 3 were disqualified as
# the wrong persona (DQ-02), lead 5 as no budget (DQ-01); the rest are open.

EMPTY_SAL_HEADER = ["lead_id", "created_at", "mql_at", "sal_at", "sql_at", "opportunity_at",
          "disposition", "disposition_at", "disqualification_reason"]
EMPTY_SAL_REASONS = {1: "DQ-02", 3: "DQ-02 Wrong persona", 5: "DQ-01"}


def _empty_sal_rows() -> list[list[str]]:
    rows = []
    for i in range(12):
        mql = f"2027-01-{4 + i:02d} 10:00"
        sql = f"2027-01-{4 + i:02d} 13:00" if i % 2 == 0 else ""
        reason = EMPTY_SAL_REASONS.get(i, "")
        status = "Converted" if sql else ("Disqualified" if reason else "Open")
        when = sql or (f"2027-01-{5 + i:02d} 10:00" if reason else "")
        rows.append([f"L{i}", mql, mql, "", sql, "", status, when, reason])
    return rows


@pytest.fixture(scope="module")
def empty_sal(tmp_path_factory: pytest.TempPathFactory,
              example_answers: Answers) -> Actuals:
    export = write_csv(tmp_path_factory.mktemp("qa") / "leads.csv", EMPTY_SAL_HEADER,
                       _empty_sal_rows())
    return compute_actuals(export, example_answers, "2027-01", rate_keys=["mql_to_sql"])


def test_empty_sal_column_counts_as_not_in_export(empty_sal: Actuals) -> None:
    assert empty_sal.month.sal is None
    assert "sal_at" in empty_sal.not_in_export
    assert "mql_to_sal" not in empty_sal.month.conversions
    assert empty_sal.month.opportunity is None
    assert list(empty_sal.export.notes) == [
        "The columns 'sal_at', 'opportunity_at' are in the export but empty in every row, "
        "so counted as not in export."]


def test_acceptance_falls_back_to_sqls_over_dispositioned_mqls(
        empty_sal: Actuals) -> None:
    # 6 converted + 3 disqualified = 9 dispositioned; 6 of them accepted as SQL.
    assert (empty_sal.month.mqls_dispositioned, empty_sal.month.mqls_accepted) == (9, 6)
    assert empty_sal.month.acceptance_rate == 0.6667


def test_scoring_accuracy_over_dispositioned_mqls(empty_sal: Actuals) -> None:
    # Two DQ-02 among 9 dispositioned (DQ-01 is not a scoring error): 7 / 9.
    assert empty_sal.scoring_accuracy == 0.7778
    assert empty_sal.month.conversions["mql_to_sql"] == 0.5


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


def test_the_weeks_add_up_to_the_month(january: Actuals) -> None:
    """January 2027 touches six weeks; the first (from Monday December 28) counts only
    January 1 to 3 and the last (from Monday January 25) January 25 to 31, so the weekly
    MQLs add up to the month's seven (each MQL's week is worked out here from the rows)."""
    import datetime as dt

    weeks = january.weeks
    assert [week.label for week in weeks] == [
        "Jan 1 to 3", "Week of Jan 4", "Week of Jan 11", "Week of Jan 18", "Week of Jan 25"]
    expected: dict[str, int] = {}
    seen: set[str] = set()
    for row in ROWS:
        if row[0] and row[0] not in seen and row[2].startswith("2027-01"):
            day = dt.date.fromisoformat(row[2][:10])
            monday = day - dt.timedelta(days=day.weekday())
            expected[monday.isoformat()] = expected.get(monday.isoformat(), 0) + 1
        seen.add(row[0])
    assert {week.week_start: week.mql for week in weeks if week.mql} == expected
    assert sum(week.mql or 0 for week in weeks) == january.month.mql == 7


def test_compliance_per_rep_counts_attempts_and_undecided_leads(january: Actuals) -> None:
    """Worked out from the rows by hand.  Ana's January MQLs not converted are L2 (6
    attempts, recycled in time) and L4 (7 attempts, no status, 2 business weeks old at the
    month's end): both worked to the 6 attempts, and L4 undecided past the 5-day deadline.
    Ben's are L5 (disqualified, 0 attempts) and L7 (new, 0 attempts, qualified on Monday
    the 25th at 10:00, 39 business hours before the month ends, under the 40 of the
    deadline): neither worked to 6, and none late."""
    owners = {group.name: (group.mql, group.attempts_meeting_minimum,
                           group.undispositioned_past_deadline)
              for group in january.by_owner or ()}
    assert owners == {"Ana": (4, 1.0, 1), "Ben": (3, 0.0, 0)}
    # The month's own figures are the sums of the reps'.
    assert january.month.undispositioned_past_deadline == 1
