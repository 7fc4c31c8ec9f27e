"""Regression from the QA pass: observed rates from a tiny sample are shown, not adopted."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from slabuilder.amend import MIN_RATE_SAMPLE, compare_rates, observed_cohort_rates
from slabuilder.answers import load_answers


def test_rates_on_too_few_records_keep_the_agreed_default() -> None:
    agreed = {"mql_to_sql": Decimal("0.6"), "sql_to_opportunity": Decimal("0.5")}
    rows = {row.key: row for row in observed_cohort_rates(
        [{"mql_to_sql": (20, 8), "sql_to_opportunity": (3, 3)},
         {"mql_to_sql": (10, 4), "sql_to_opportunity": None}], agreed)}
    assert MIN_RATE_SAMPLE == 30
    assert (rows["mql_to_sql"].observed, rows["mql_to_sql"].sample) == (Decimal("0.4"), 30)
    assert rows["mql_to_sql"].usable
    assert (rows["sql_to_opportunity"].observed, rows["sql_to_opportunity"].sample) == (
        Decimal("1"), 3)
    assert rows["sql_to_opportunity"].refusal == "too few records (3 of 30 needed)"
    assert not rows["sql_to_opportunity"].usable
    assert compare_rates(agreed, {"mql_to_sql": Decimal("1.1")})[0].refusal == "over 100%"


def test_renegotiate_shows_but_does_not_adopt_a_rate_from_three_leads(
        example_path: Path, tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    answers = shutil.copy(example_path, tmp_path / "acme.yaml")
    export = tmp_path / "q1.csv"
    export.write_text("lead_id,created_at,mql_at,sql_at,opportunity_at\n" + "".join(
        f"L{i},2027-01-0{4 + i} 09:00,2027-01-0{4 + i} 10:00,2027-01-0{4 + i} 12:00,"
        f"2027-01-0{4 + i} 14:00\n" for i in range(3)), encoding="utf-8")
    out = tmp_path / "q2"
    result = run_cli("renegotiate", answers, "-o", out, "--defaults", "--format", "html",
                     "--actuals", export)
    assert result.code == 0, result.err
    lines = [" ".join(line.replace("│", " ").split()) for line in result.out.splitlines()]
    assert "SQL to Opportunity rate 50% 100% 3 agreed: too few records (3 of 30 needed)" in lines
    assert "MQL to SQL rate 60% 100% 3 agreed: too few records (3 of 30 needed)" in lines
    new = load_answers(out / "acme.v2.yaml")
    assert (new.funnel.mql_to_sql, new.funnel.sql_to_opportunity) == (Decimal("0.6"),
                                                                      Decimal("0.5"))
