"""The term-level diff between two versions of the answers (slabuilder.diff, slabuilder diff)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slabuilder.answerfile import answers_from_data, apply_settings, save_answers
from slabuilder.answers import Answers
from slabuilder.cli import main
from slabuilder.diff import AgreementDiff, diff_answers, format_value
from slabuilder.resources import example_answers_path


@pytest.fixture(scope="module")
def example(example_answers: Answers) -> Answers:
    return example_answers


def changed(example_data: dict[str, Any], *settings: str) -> Answers:
    return answers_from_data(apply_settings(example_data, list(settings)))


def summary(diff: AgreementDiff) -> dict[str, tuple[str, str]]:
    return {change.key: (change.old, change.new) for change in diff.changes}


def reverse_funnel(revenue: int, deal: int, rates: list[Fraction]) -> list[int]:
    """The worked example by hand: won first, each earlier stage ceil(next / rate)."""
    counts = [math.ceil(Fraction(revenue, deal))]
    for rate in reversed(rates):
        counts.insert(0, math.ceil(counts[0] / rate))
    return counts


# --------------------------------------------------------------------------- identical


def test_diff_of_identical_answers_is_empty(example: Answers) -> None:
    diff = diff_answers(example, example)
    assert diff.is_empty
    assert diff.sections == []
    assert diff.to_dict()["changed"] is False
    assert diff.to_dict()["change_count"] == 0


def test_diff_of_file_with_itself_prints_no_change(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(example_answers_path())
    assert main(["diff", path, path]) == 0
    out = capsys.readouterr().out
    assert "No term changed." in out
    assert "Was" not in out

    assert main(["diff", path, path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sections"] == []
    assert data["changed"] is False


def test_new_version_number_alone_changes_no_term(example_data: dict[str, Any]) -> None:
    diff = diff_answers(answers_from_data(example_data),
                        changed(example_data, "agreement.version=2"))
    assert diff.is_empty
    assert (diff.old.version, diff.new.version) == (1, 2)


# --------------------------------------------------------------------------- one rate


def test_one_rate_lists_the_rate_and_every_target_it_moves(
        example: Answers, example_data: dict[str, Any]) -> None:
    old = reverse_funnel(1_000_000, 25_000, [Fraction(6, 10), Fraction(1, 2), Fraction(1, 4)])
    new = reverse_funnel(1_000_000, 25_000, [Fraction(5, 10), Fraction(1, 2), Fraction(1, 4)])
    assert old == [534, 320, 160, 40]
    assert new == [640, 320, 160, 40]  # only the MQL target moves: SQLs come from the same deals

    diff = diff_answers(example, changed(example_data, "funnel.mql_to_sql=50%"))

    assert summary(diff) == {
        "funnel.mql_to_sql": ("60%", "50%"),
        "targets.mql.quarter": ("534", "640"),
        "targets.mql.month": (str(math.ceil(Fraction(534, 3))), str(math.ceil(Fraction(640, 3)))),
        "targets.mql.week": (str(math.ceil(Fraction(534, 13))), str(math.ceil(Fraction(640, 13)))),
        "terms.marketing.mql_volume": (
            "Deliver at least 178 MQLs a month (534 for the quarter).",
            "Deliver at least 214 MQLs a month (640 for the quarter)."),
        # Acceptance follows the funnel's first step when the answers do not set it.
        "terms.marketing.acceptance": ("At least 60% of MQLs are accepted by sales.",
                                       "At least 50% of MQLs are accepted by sales."),
        "review[2]": ("Scoring is recalibrated each quarter against sales acceptance "
                      "(target: 60% or more).",
                      "Scoring is recalibrated each quarter against sales acceptance "
                      "(target: 50% or more)."),
    }
    assert summary(diff)["targets.mql.month"] == ("178", "214")
    rate = diff.find("funnel.mql_to_sql")
    assert rate is not None
    assert rate.label == "MQL to SQL rate"
    assert (rate.old_value, rate.new_value) == (Decimal("0.6"), Decimal("0.5"))
    assert [(s.title, s.source) for s in diff.sections] == [
        ("Conversion rates", "answers"), ("Targets", "plan"),
        ("What marketing commits to", "plan"), ("Business hours and review", "plan")]


def test_revenue_target_moves_every_stage(example: Answers,
                                          example_data: dict[str, Any]) -> None:
    rates = [Fraction(6, 10), Fraction(1, 2), Fraction(1, 4)]
    mql, sql, opportunity, won = reverse_funnel(1_200_000, 25_000, rates)
    assert (mql, sql, opportunity, won) == (640, 384, 192, 48)

    diff = diff_answers(example, changed(example_data, "economics.revenue_target=1200000"))
    found = summary(diff)

    assert found["economics.revenue_target"] == ("$1,000,000", "$1,200,000")
    assert found["pipeline_needed"] == ("$3,000,000", "$3,600,000")
    assert found["targets.won.quarter"] == ("40", str(won))
    assert found["targets.opportunity.quarter"] == ("160", str(opportunity))
    assert found["targets.sql.quarter"] == ("320", str(sql))
    assert found["targets.mql.quarter"] == ("534", str(mql))
    assert found["targets.mql.month"] == ("178", "214")
    assert found["targets.won.month"] == ("14", "16")
    # 40 and 48 deals are both 4 a week: an unchanged term is not listed.
    assert "targets.won.week" not in found
    money = diff.find("economics.revenue_target")
    assert money is not None
    assert money.to_dict()["new_value"] == 1_200_000


def test_changes_are_grouped_by_section_answers_first(example: Answers,
                                                      example_data: dict[str, Any]) -> None:
    diff = diff_answers(example, changed(
        example_data, "economics.revenue_target=1200000", "sla.sales.speed_to_lead_hours=2",
        "agreement.effective_date=2027-04-01"))
    assert [s.id for s in diff.inputs] == ["answers.economics", "answers.sla.sales"]
    assert [s.id for s in diff.derived] == ["plan.targets", "plan.timing", "plan.marketing",
                                            "plan.sales"]
    assert diff.sections == [*diff.inputs, *diff.derived]
    assert summary(diff)["sla.sales.speed_to_lead_hours"] == ("4 business hours",
                                                              "2 business hours")
    # Acme works in New York, on letter paper: dates are written the US way.
    assert summary(diff)["lead_time.mql_window"] == (
        "November 2, 2026 to January 30, 2027", "January 31, 2027 to May 1, 2027")
    window = diff.find("lead_time.mql_window")
    assert window is not None
    assert window.to_dict()["new_value"] == ["2027-01-31", "2027-05-01"]
    assert diff.to_dict()["new"]["effective"] == "April 1, 2027"
    assert diff.new.effective_date.isoformat() == "2027-04-01"
    # The effective date heads the diff; it is not a changed term.
    assert "agreement.effective_date" not in summary(diff)


def test_signal_points_show_default_as_old_value(example: Answers,
                                                 example_data: dict[str, Any]) -> None:
    diff = diff_answers(example, changed(example_data, "scoring.signals.demo_request=30"))
    found = summary(diff)
    assert found["scoring.signals.demo_request"] == ("25 points", "30 points")
    assert diff.find("scoring.signals.demo_request") is not None
    labels = [c.label for c in diff.changes if c.key == "scoring.signals.demo_request"]
    assert labels == ["Points for \u201cRequested a demo or trial\u201d",
                      "Requested a demo or trial"]


def test_new_stage_is_listed_as_new(example: Answers, example_data: dict[str, Any]) -> None:
    data = apply_settings(example_data, ["funnel.mql_to_sal=80%", "funnel.sal_to_sql=75%"])
    del data["funnel"]["mql_to_sql"]
    diff = diff_answers(example, answers_from_data(data))
    found = summary(diff)
    assert found["funnel.mql_to_sql"] == ("60%", "not set")
    assert found["funnel.mql_to_sal"] == ("not set", "80%")
    # 320 SQLs / 75% = 427 SALs; 427 / 80% = 534 MQLs: the MQL target does not move.
    assert found["targets.sal.quarter"] == ("none", "427")
    assert "targets.mql.quarter" not in found


def test_signatory_change_is_named_by_position(example: Answers,
                                               example_data: dict[str, Any]) -> None:
    diff = diff_answers(example, changed(example_data,
                                         "agreement.signatories[1].title=Chief Revenue Officer"))
    change = diff.find("agreement.signatories[1].title")
    assert change is not None
    assert (change.label, change.old, change.new) == (
        "Signatory 2: title", "VP Sales", "Chief Revenue Officer")


@pytest.mark.parametrize(("value", "kind", "currency", "text"), [
    (Decimal(1_200_000), "money", "USD", "$1,200,000"),
    (Decimal("25000"), "money", "EUR", "€25,000"),
    (Decimal("1999.5"), "money", "XYZ", "2,000 XYZ"),  # whole units from 1,000 up
    (Decimal("12.125"), "money", "USD", "$12.13"),  # half up, as in the documents
    (Decimal("0.555"), "rate", "USD", "55.5%"),
    (Decimal("0.6"), "rate", "USD", "60%"),
    (Decimal(3), "multiple", "USD", "3x"),
    (Decimal("1"), "hours", "USD", "1 hour"),
    (Decimal("0.5"), "hours", "USD", "0.5 hours"),
    (1234, "count", "USD", "1,234"),
    (("SaaS", "Fintech"), "list", "USD", "SaaS, Fintech"),
    ((), "list", "USD", "none"),
    (None, "count", "USD", "not set"),
    (True, "bool", "USD", "yes"),
])
def test_values_are_written_for_people(value: Any, kind: Any, currency: str,
                                       text: str) -> None:
    assert format_value(value, kind, currency) == text


def test_cli_diff_tables_and_json(tmp_path: Path, example_data: dict[str, Any],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    newer = tmp_path / "acme-v2.yaml"
    save_answers(apply_settings(example_data, ["economics.revenue_target=1200000",
                                               "agreement.version=2"]), newer)
    old = str(example_answers_path())
    assert main(["diff", old, str(newer)]) == 0
    out = capsys.readouterr().out
    for text in ("version 1", "version 2", "Revenue target", "$1,000,000", "$1,200,000",
                 "MQLs a quarter", "534", "640", "Answers you changed",
                 "Terms that moved as a result"):
        assert text in out

    assert main(["diff", old, str(newer), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"]["version"] == 1
    assert data["new"]["version"] == 2
    targets = next(s for s in data["sections"] if s["id"] == "plan.targets")
    mql = next(c for c in targets["changes"] if c["key"] == "targets.mql.quarter")
    assert (mql["old_value"], mql["new_value"]) == (534, 640)


def test_cli_diff_missing_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(example_answers_path()), "no-such-file.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no-such-file.yaml" in err


# --------------------------------------------------------------------------- properties

revenues = st.integers(min_value=1, max_value=400).map(lambda n: n * 25_000)
rates = st.integers(min_value=5, max_value=100).map(lambda n: f"{n}%")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # only read
@given(revenue=revenues, rate=rates)
def test_diff_is_symmetric_and_empty_on_itself(example_data: dict[str, Any], example: Answers,
                                               revenue: int, rate: str) -> None:
    other = changed(example_data, f"economics.revenue_target={revenue}",
                    f"funnel.mql_to_sql={rate}")
    forward, backward = diff_answers(example, other), diff_answers(other, example)
    assert diff_answers(other, other).is_empty
    assert {c.key: (c.old, c.new) for c in forward.changes} == {
        c.key: (c.new, c.old) for c in backward.changes}
    # The MQL target is listed exactly when it moved, with the plan's own figures.
    mql = forward.find("targets.mql.quarter")
    old_mql = 534
    new_mql = math.ceil(math.ceil(math.ceil(Fraction(revenue, 25_000) / Fraction(1, 4))
                                  / Fraction(1, 2)) / (Fraction(rate[:-1]) / 100))
    if new_mql == old_mql:
        assert mql is None
    else:
        assert mql is not None
        assert (mql.old_value, mql.new_value) == (old_mql, new_mql)


def test_the_targets_compared_are_the_ones_the_agreement_states(
        example_data: dict[str, Any]) -> None:
    """A yearly plan states its year, busiest month and busiest week, never a quarter; the
    month's bookings (the year's over 12, rounded up) are compared as well."""
    yearly = changed(example_data, "economics.period=year", "economics.revenue_target=4000000")
    grown = changed(example_data, "economics.period=year", "economics.revenue_target=4800000")
    diff = diff_answers(yearly, grown)
    keys = {item.key for section in diff.sections for item in section.changes}
    assert "targets.mql.year" in keys
    assert not any(key.endswith(".quarter") for key in keys)
    # 4,000,000 / 12 = 333,333.33 -> 333,334; 4,800,000 / 12 = 400,000.
    assert summary(diff)["targets.bookings.month"] == ("$333,334", "$400,000")
