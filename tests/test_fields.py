"""The field registry: every key of the answers model once, with its title and its kind."""

from __future__ import annotations

import re

import pytest

from slabuilder.answers import Answers
from slabuilder.diff import answer_label
from slabuilder.fields import field_at, owner_of, pattern_of, registry
from slabuilder.questionnaire import load_questionnaire
from slabuilder.words import by_kind

UNIT_SUFFIXES = {"_hours": "hours", "_days": "days", "_minutes": "minutes", "_months": "months"}


def test_every_field_has_a_title_on_the_model() -> None:
    untitled = [path for path, field in registry().items() if not field.info.title]
    assert untitled == []


def test_a_field_named_after_a_unit_is_written_in_that_unit() -> None:
    """``business_hours`` (09:00-17:00) and ``business_days`` (Mon..Fri) are not amounts;
    every other key ending in a unit carries that unit's kind in its type."""
    wrong = {path: field.kind for path, field in registry().items()
             for suffix, kind in UNIT_SUFFIXES.items()
             if field.name.endswith(suffix) and field.kind not in (kind, f"business_{kind}")
             and field.name not in ("business_hours", "business_days")}
    assert wrong == {}


def test_limits_on_work_are_in_business_time() -> None:
    """Every time limit people work to is stated in business hours or days, as the
    agreement states it; a meeting's length, a window of attempts and a sales cycle are
    calendar time."""
    kinds = {path: field.kind for path, field in registry().items()}
    assert {path for path, kind in kinds.items() if kind == "business_hours"} == {
        "sla.marketing.lead_to_mql_hours", "sla.sales.speed_to_lead_hours",
        "sla.sales.other_mql_hours", "sla.sales.review_hours", "sla.sales.win_loss_hours",
        "escalation.first_hours", "escalation.second_hours",
        "escalation.quality_review_hours", "exceptions.decision_hours",
        "cadence.emergency_notice_hours"}
    assert kinds["cadence.quarterly_planning_hours"] == "hours"
    assert kinds["sla.sales.disposition_days"] == "business_days"
    assert kinds["sla.sales.attempt_window_days"] == "days"
    assert kinds["economics.sales_cycle_days"] == "days"


def test_rates_money_and_dates_are_known_by_their_type() -> None:
    kinds = {path: field.kind for path, field in registry().items()}
    assert kinds["funnel.mql_to_sql"] == "rate"
    assert kinds["current_state.worked_within_sla"] == "rate"
    assert kinds["economics.revenue_target"] == "money"
    assert kinds["economics.pipeline_coverage"] == "multiple"
    assert kinds["agreement.effective_date"] == "date"
    assert kinds["scoring.signals.*.points"] == "points"
    assert kinds["routing.automated"] == "bool"
    assert kinds["icp.industries"] == "list"
    assert kinds["team.sdrs"] == "count"


@pytest.mark.parametrize(("key", "pattern"), [
    ("agreement.signatories[1].name", "agreement.signatories[].name"),
    ("scoring.signals.demo_request", "scoring.signals.*"),
    ("scoring.signals.webinar.condition.at_least", "scoring.signals.*.condition.at_least"),
    ("funnel.mql_to_sql", "funnel.mql_to_sql"),
    ("funnel.mql_to_nowhere", None),
    ("company.name.first", None),
])
def test_one_dialect_for_every_key(key: str, pattern: str | None) -> None:
    assert pattern_of(key) == pattern


def test_the_whole_file_and_its_sections_are_in_the_registry() -> None:
    assert list(registry())[:2] == ["format", "company"]
    assert {path for path in registry() if "." not in path} == set(Answers.model_fields)


def test_every_question_asks_a_key_of_the_registry_and_its_owner_checks_it() -> None:
    for _, question in load_questionnaire().questions():
        if question.key is None:
            continue
        assert pattern_of(question.key) is not None, question.key
        model, _, rest = owner_of(question.key)
        assert str(rest[0]) in model.model_fields


def test_the_amendment_names_each_key_by_its_registry_title() -> None:
    assert answer_label(("economics", "revenue_target")) == "Revenue target"
    assert answer_label(("funnel", "mql_to_sql")) == "MQL to SQL rate"
    assert answer_label(("agreement", "signatories", 1, "title")) == "Signatory 2: title"
    assert answer_label(("icp", "company_size", "min")) == "Company size: minimum"
    assert answer_label(("company", "crm")) == "CRM"
    assert answer_label(("cadence", "agreement_review_months")) == \
        "Agreement reviewed at least every"


def test_a_value_is_written_by_its_kind() -> None:
    months = field_at("cadence.agreement_review_months")
    assert months is not None
    assert by_kind(1, months.kind) == "1 month"
    assert by_kind(6, months.kind) == "6 months"
    minutes = field_at("sla.marketing.routing_minutes")
    assert minutes is not None
    assert by_kind(5, minutes.kind) == "5 minutes"


def test_titles_are_words_not_key_names() -> None:
    looks_like_a_key = [f"{path}: {field.title}" for path, field in registry().items()
                        if "_" in field.title or re.fullmatch(r"[a-z ]+", field.title)]
    assert looks_like_a_key == []


def test_every_rate_is_saved_as_a_percentage(example_path) -> None:
    """A rate that cannot be left out (``sla.marketing.scoring_accuracy``) was saved as 0.65
    while an optional one was saved as 65%: both are rates by their type now."""
    from slabuilder.answerfile import answers_from_data, dump_answers
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(example_path).data
    data["sla"] = {"marketing": {"scoring_accuracy": 0.65, "acceptance_rate": "55%"}}
    data["escalation"] = {"low_conversion_rate": "0.15"}
    text = dump_answers(answers_from_data(data))
    assert "scoring_accuracy: 65%" in text
    assert "acceptance_rate: 55%" in text
    assert "low_conversion_rate: 15%" in text
