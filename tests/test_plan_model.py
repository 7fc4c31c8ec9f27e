"""Scoring model, terms and warnings derived from the answers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slabuilder.answers import Answers
from slabuilder.plan import build_plan


def changed(example_answers: Answers, **sections: dict) -> Answers:
    data = example_answers.model_dump()
    for section, values in sections.items():
        data.setdefault(section, {})
        data[section].update(values)
    return Answers.model_validate(data)


def codes(plan) -> set[str]:
    return {w.code for w in plan.warnings}


def test_explanation_is_two_sentences_naming_the_fit_and_threshold(example_plan):
    first, second = example_plan.scoring.explanation
    assert first == ("A lead reaches sales only when the contact is a VP, Director or C-suite, "
                     "the company has 50 to 500 employees, works in SaaS, Fintech or "
                     "Healthcare IT and is based in one of our markets (United States, Canada "
                     "or United Kingdom), and no agreed disqualifier applies.")
    assert second.startswith("It must also score 50 points")
    assert all(len(re.findall(r"[.!?](\s|$)", s)) == 1 for s in (first, second))


def test_explanation_gives_a_path_to_the_threshold(example_answers):
    plan = build_plan(changed(example_answers, scoring={"threshold": 75}))
    assert plan.scoring.explanation[1] == (
        "It must also score at least 75 points, which a full profile match (50) reaches with "
        "real engagement such as requested a demo or trial (+25), while negative signals like "
        "a competitor's address pull it back.")
    assert "fit_alone_qualifies" not in codes(plan)


def test_fit_points_table_and_threshold(example_plan):
    scoring = example_plan.scoring
    assert scoring.fit_points == 50
    assert scoring.max_points == 117  # 20+15+10+5 fit, 25+15+10+10+5+2 behaviour
    assert scoring.score_cap == 100  # HubSpot
    assert [(c.criterion, c.requirement) for c in scoring.fit] == [
        ("Company size", "50 to 500 employees"),
        ("Industry", "SaaS, Fintech or Healthcare IT"),
        ("Geography", "United States, Canada or United Kingdom"),
        ("Buying role", "VP, Director or C-suite")]
    assert len(scoring.signals) == 14
    assert {s.id: s.points for s in scoring.signals}["competitor"] == -50


def test_too_complex_and_unreachable_models_are_flagged(example_answers):
    many = {f"extra_{i}": {"label": f"Signal {i}", "points": 1} for i in range(5)}
    plan = build_plan(changed(example_answers, scoring={"signals": many, "threshold": 60}))
    assert "scoring_too_complex" in codes(plan)
    plan = build_plan(changed(example_answers, scoring={"threshold": 200}))
    assert {"threshold_unreachable", "threshold_over_cap", "threshold_unusual"} <= codes(plan)


def test_few_disqualifiers_and_missing_signatory(example_answers):
    data = example_answers.model_dump()
    data["icp"]["disqualifiers"] = ["Competitor"]
    data["agreement"]["signatories"] = data["agreement"]["signatories"][:1]
    plan = build_plan(Answers.model_validate(data))
    assert {"few_disqualifiers", "no_sales_signatory"} <= codes(plan)


def test_rates_outside_typical_ranges(example_answers):
    plan = build_plan(changed(example_answers, funnel={"mql_to_sql": "75%",
                                                       "opportunity_to_won": "5%"}))
    messages = [w.message for w in plan.warnings if w.code == "rate_outside_typical_range"]
    assert messages == [
        "mql_to_sql of 75% is above the typical 13% to 60%; use your own CRM history if you "
        "have it, and check this figure if you do not.",
        "opportunity_to_won of 5% is below the typical 10% to 35%; use your own CRM history "
        "if you have it, and check this figure if you do not."]


def test_capacity_warning_names_the_load(example_answers):
    # 178 MQLs / 1 SDR / 21 days = 8.5 a day; x 6 attempts = 51 touches: still under 60
    assert "over_capacity" not in codes(build_plan(changed(example_answers, team={"sdrs": 1})))
    plan = build_plan(changed(example_answers, team={"sdrs": 1},
                              sla={"sales": {"contact_attempts": 8}}))
    (warning,) = [w for w in plan.warnings if w.code == "over_capacity"]
    assert "8.5 new MQLs a day and need 68 touches a day" in warning.message


def test_minutes_without_after_hours_cover(example_answers):
    plan = build_plan(changed(example_answers, sla={"sales": {"speed_to_lead_hours": "0.25"}}))
    assert "speed_without_coverage" in codes(plan)
    plan = build_plan(changed(example_answers, sla={"sales": {"speed_to_lead_hours": "0.25"}},
                              team={"after_hours_coverage": True}))
    assert "speed_without_coverage" not in codes(plan)


def test_terms_carry_the_answers_figures(example_plan):
    sales = {t.id: t for t in example_plan.terms.sales}
    assert sales["speed_to_lead"].commitment.startswith(
        "A first attempt within 4 business hours of the MQL")
    assert "6 attempts over 14 days, using phone and e-mail" in \
        sales["contact_attempts"].commitment
    marketing = {t.id: t for t in example_plan.terms.marketing}
    assert marketing["mql_volume"].commitment == (
        "Deliver at least 178 MQLs a month (534 for the quarter).")
    assert example_plan.terms.business_hours == (
        "09:00 to 17:00 America/New_York, Monday to Friday, excluding public holidays (US)")
    assert [r.code for r in example_plan.terms.reason_codes] == [
        f"DQ-0{i}" for i in range(1, 8)]
    assert [e.within for e in example_plan.terms.escalation] == [
        "as it happens", "within 24 hours", "within 48 hours"]
    assert [m.frequency for m in example_plan.terms.meetings] == [
        "Daily", "Weekly", "Monthly", "Quarterly"]


def test_definitions_cover_exactly_the_funnel_stages(example_plan):
    assert [d.stage for d in example_plan.terms.definitions] == [
        "mql", "sql", "opportunity", "won"]
    mql = example_plan.terms.definitions[0]
    assert "at least 50 points" in mql.meaning


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_text_is_an_answer_or_a_one_line_error(run_cli, tmp_path: Path, text: str):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = run_cli("check", path)
    assert result.code in (0, 2)
    assert "Traceback" not in result.err
    if result.code == 2:
        assert result.err.startswith("slabuilder: ")


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["funnel.mql_to_sql", "economics.revenue_target", "team.sdrs",
                            "agreement.effective_date", "icp.company_size.min",
                            "scoring.threshold", "company.holidays"]),
       value=st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True)))
def test_any_set_value_is_accepted_or_refused_cleanly(run_cli, example_path, key, value):
    result = run_cli("check", example_path, "--set", f"{key}={value}")
    assert result.code in (0, 2)
    assert "Traceback" not in result.err


NUMERIC_KEYS = ["funnel.mql_to_sql", "economics.revenue_target", "economics.average_deal_size",
                "economics.pipeline_coverage", "team.sdrs", "scoring.threshold",
                "icp.company_size.min", "sla.sales.review_hours",
                "sla.sales.speed_to_lead_hours", "escalation.shortfall_threshold"]


@pytest.mark.parametrize("value", ["NaN", "sNaN", "inf", "-Infinity", "1e999999999",
                                   "1e-999999999", "-0", "1e-30"])
@pytest.mark.parametrize("key", NUMERIC_KEYS)
def test_extreme_numbers_are_refused_quickly(run_cli, example_path, key, value):
    started = time.monotonic()
    result = run_cli("check", example_path, "--set", f"{key}={value}")
    assert result.code in (0, 2)
    assert "unexpectedly" not in result.err
    assert time.monotonic() - started < 5
