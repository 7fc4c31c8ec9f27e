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
