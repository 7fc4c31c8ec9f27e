"""The reverse and forward funnel: the domain's worked examples, shapes, periods, properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slabuilder.answers import Answers, Funnel
from slabuilder.derive import funnel
from slabuilder.plan import build_plan

D = Decimal


def chain_of(**rates: str) -> list[tuple[str, str, Decimal]]:
    return Funnel.model_validate(rates).chain()


def answers_with(example_answers: Answers, *, period: str = "quarter",
                 revenue: int = 1_000_000, deal: int = 25_000,
                 rates: dict[str, str] | None = None) -> Answers:
    data = example_answers.model_dump()
    data["economics"].update(period=period, revenue_target=revenue, average_deal_size=deal)
    data["funnel"] = rates or {"mql_to_sql": "60%", "sql_to_opportunity": "50%",
                               "opportunity_to_won": "25%"}
    return Answers.model_validate(data)


def test_worked_example_534_per_quarter_178_per_month(example_plan):
    targets = example_plan.targets
    assert {s: t.per_period for s, t in targets.items()} == {
        "mql": 534, "sql": 320, "opportunity": 160, "won": 40}
    assert targets["mql"].per_month == 178
    assert targets["mql"].per_week == 42  # ceil(534 / 13)
    assert example_plan.pipeline_needed == 3_000_000


def test_second_shape_forward_200_mqls_give_60_sqls_and_12_deals():
    chain = chain_of(mql_to_sql="30%", sql_to_won="20%")
    result = funnel.forward_funnel(200, D(25_000), chain)
    assert result.expected == {"mql": 200, "sql": 60, "won": 12}
    assert result.revenue_per_month == 300_000


def test_seventy_at_seventy_percent_is_exactly_one_hundred():
    # 70 / 0.7 in binary floating point is 100.00000000000001, whose ceiling is 101.
    chain = chain_of(mql_to_sql="70%", sql_to_won="100%")
    assert funnel.reverse_funnel(D(70), D(1), chain) == {"mql": 100, "sql": 70, "won": 70}


@pytest.mark.parametrize(
    ("rates", "revenue", "deal", "expected"),
    [
        ({"mql_to_sql": "60%", "sql_to_opportunity": "50%", "opportunity_to_won": "25%"},
         1_000_000, 25_000, {"mql": 534, "sql": 320, "opportunity": 160, "won": 40}),
        ({"mql_to_sal": "80%", "sal_to_sql": "50%", "sql_to_won": "20%"},
         500_000, 10_000, {"mql": 625, "sal": 500, "sql": 250, "won": 50}),
        ({"lead_to_mql": "10%", "mql_to_sql": "30%", "sql_to_won": "20%"},
         120_000, 10_000, {"lead": 2_000, "mql": 200, "sql": 60, "won": 12}),
        ({"mql_to_sql": "33%", "sql_to_won": "33%"},
         100_000, 30_000, {"mql": 40, "sql": 13, "won": 4}),  # 13 / 0.33 = 39.4
        ({"mql_to_won": "1%"}, 1_000, 999, {"mql": 200, "won": 2}),
    ],
)
def test_funnel_shapes(rates, revenue, deal, expected):
    assert funnel.reverse_funnel(D(revenue), D(deal), chain_of(**rates)) == expected


@pytest.mark.parametrize(
    ("period", "per_period", "per_quarter", "per_month", "per_week"),
    [
        ("month", 534, None, 534, 124),     # 534 * 3 / 13 = 123.2
        ("quarter", 534, 534, 178, 42),
        ("year", 534, 134, 45, 11),         # 534/4 = 133.5, 534/12 = 44.5, 534/52 = 10.3
    ],
)
def test_periods(example_answers, period, per_period, per_quarter, per_month, per_week):
    plan = build_plan(answers_with(example_answers, period=period))
    mql = plan.targets["mql"]
    assert (mql.per_period, mql.per_quarter, mql.per_month, mql.per_week) == (
        per_period, per_quarter, per_month, per_week)
    assert len(plan.months) == {"month": 1, "quarter": 3, "year": 12}[period]


def test_months_and_lead_time_follow_the_calendar(example_plan):
    assert [m.label for m in example_plan.months] == ["January 2027", "February 2027",
                                                       "March 2027"]
    assert all(m.targets["mql"] == 178 for m in example_plan.months)
    lead = example_plan.lead_time
    assert (lead.mql_window_start.isoformat(), lead.mql_window_end.isoformat()) == (
        "2026-11-02", "2027-01-30")
    assert example_plan.period_end.isoformat() == "2027-03-31"


def test_sensitivity_five_and_ten_points_either_side(example_plan):
    rows = {r.delta_points: (r.rate, r.mql_per_period, r.mql_per_month)
            for r in example_plan.sensitivity}
    assert rows == {
        -10: (D("0.5"), 640, 214), -5: (D("0.55"), 582, 194), 0: (D("0.6"), 534, 178),
        5: (D("0.65"), 493, 165), 10: (D("0.7"), 458, 153)}


def test_sensitivity_skips_rates_outside_zero_to_one():
    chain = chain_of(mql_to_sql="95%", sql_to_won="50%")
    deltas = [r.delta_points for r in funnel.sensitivity(D(100), D(1), chain, "month")]
    assert deltas == [-10, -5, 0, 5]


def test_capacity_leads_and_touches_per_rep_per_day(example_plan):
    cap = example_plan.capacity
    assert cap is not None
    assert cap.rep_role == "SDR"
    assert cap.leads_per_rep_per_day == Fraction(178, 4 * 21)
    assert cap.touches_per_rep_per_day == Fraction(178 * 6, 4 * 21)
    assert not cap.over_capacity


def test_capacity_uses_aes_when_there_are_no_sdrs():
    cap = funnel.capacity(1_000, 0, 2, 20, 6, 60)
    assert cap is not None
    assert (cap.rep_role, cap.leads_per_rep_per_day, cap.touches_per_rep_per_day) == (
        "AE", 25, 150)
    assert cap.over_capacity


stage_rates = st.decimals(min_value=D("0.01"), max_value=D("1"), places=2)


@settings(max_examples=200, deadline=None)
@given(revenue=st.integers(1, 50_000_000), deal=st.integers(1, 2_000_000),
       a=stage_rates, b=stage_rates, c=stage_rates)
def test_each_stage_at_least_the_next(revenue, deal, a, b, c):
    totals = funnel.reverse_funnel(D(revenue), D(deal), [
        ("mql", "sql", a), ("sql", "opportunity", b), ("opportunity", "won", c)])
    assert totals["mql"] >= totals["sql"] >= totals["opportunity"] >= totals["won"] >= 1
    # every stage is the least whole number that, converted at its rate, covers the next
    assert totals["won"] * deal >= revenue > (totals["won"] - 1) * deal
    assert Fraction(totals["mql"]) * Fraction(a) >= totals["sql"]
    assert Fraction(totals["mql"] - 1) * Fraction(a) < totals["sql"]


@settings(max_examples=200, deadline=None)
@given(revenue=st.integers(1, 50_000_000), deal=st.integers(1, 2_000_000),
       a=stage_rates, b=stage_rates, raise_by=st.decimals(min_value=D("0.01"),
                                                           max_value=D("0.99"), places=2))
def test_raising_a_rate_never_raises_a_target(revenue, deal, a, b, raise_by):
    higher = min(a + raise_by, D(1))
    before = funnel.reverse_funnel(D(revenue), D(deal), [("mql", "sql", a), ("sql", "won", b)])
    after = funnel.reverse_funnel(D(revenue), D(deal),
                                  [("mql", "sql", higher), ("sql", "won", b)])
    assert all(after[s] <= before[s] for s in before)


@settings(max_examples=300, deadline=None)
@given(count=st.integers(1, 100_000), percent=st.integers(1, 100))
def test_exact_where_floats_round_the_wrong_way(count, percent):
    # count MQLs converting at percent% give count * percent / 100 SQLs; asking backward for
    # exactly that many SQLs must give count back whenever the division is exact.
    sqls = count * percent
    if sqls % 100:
        return
    rate = D(percent) / 100
    totals = funnel.reverse_funnel(D(sqls // 100), D(1), [("mql", "won", rate)])
    assert totals["mql"] == count


def test_forward_counts_mqls_even_when_the_funnel_starts_at_leads():
    chain = chain_of(lead_to_mql="10%", mql_to_sal="70%", sal_to_sql="60%", sql_to_won="20%")
    result = funnel.forward_funnel(120, D(25_000), chain)
    assert result.start_stage == "mql"
    assert result.expected == {"mql": 120, "sal": 84, "sql": Fraction(252, 5),
                               "won": Fraction(252, 25)}
    assert result.revenue_per_month == 252_000


def test_forward_runs_from_leads_when_there_is_no_mql_stage():
    result = funnel.forward_funnel(1_000, D(10_000), chain_of(lead_to_sql="5%", sql_to_won="20%"))
    assert (result.start_stage, result.expected["won"]) == ("lead", 10)


@pytest.mark.parametrize(("start", "period", "end"), [
    ("2027-01-01", "quarter", "2027-03-31"),
    ("2027-01-15", "quarter", "2027-04-14"),
    ("2027-01-30", "quarter", "2027-04-29"),
    ("2027-01-31", "quarter", "2027-04-30"),
    ("2027-01-31", "month", "2027-02-28"),
    ("2027-11-30", "quarter", "2028-02-29"),
    ("2027-07-01", "year", "2028-06-30"),
])
def test_period_end(start, period, end):
    import datetime as dt

    assert funnel.period_end(dt.date.fromisoformat(start), period).isoformat() == end
