"""Regressions from the QA pass on ``slabuilder report``: exports without MQL dates, months
outside the calendar's range, outputs over inputs, and the default month."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from test_actuals_qa import write_csv


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
