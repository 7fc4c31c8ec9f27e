"""The answers format: the contract example, value types, defaults, and every bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import EXAMPLE
from slabuilder.answerfile import (
    answers_from_data,
    apply_settings,
    dump_answers,
    load_answers,
    save_answers,
)
from slabuilder.answers import Answers, parse_money, parse_rate
from slabuilder.errors import AnswersError, OutputError, SlabuilderError
from slabuilder.yamlio import parse_yaml

D = Decimal


def test_contract_example_is_accepted_unchanged_and_equals_the_builtin_example(
        contract_example: Path):
    contract = load_answers(contract_example)
    assert contract == load_answers(EXAMPLE)
    assert contract.fingerprint() == load_answers(EXAMPLE).fingerprint()


def test_keys_added_later_keep_old_fingerprints_until_they_are_set(example_answers):
    # The fingerprint printed on version 1's signed pages, from before these keys existed.
    assert example_answers.fingerprint() == "cd27d82ee0e8"
    data = example_answers.model_dump(mode="json")
    data["handoff"] = {"notify_by": "slack"}
    assert answers_from_data(data).fingerprint() != "cd27d82ee0e8"


def test_example_values(example_answers):
    a = example_answers
    assert a.company.name == "Acme Analytics"
    assert a.company.holidays == "US"
    assert a.agreement.effective_date == dt.date(2027, 1, 1)
    assert [s.name for s in a.agreement.signatories] == ["Dana Reyes", "Sam Okafor"]
    assert a.economics.revenue_target == 1_000_000
    assert a.funnel.rates() == {"mql_to_sql": D("0.6"), "sql_to_opportunity": D("0.5"),
                                "opportunity_to_won": D("0.25")}
    assert a.current_state.worked_within_sla == D("0.4")
    assert a.page_size == "letter"


def test_left_out_sections_take_the_domain_defaults(example_answers):
    a = example_answers
    assert a.scoring.threshold == 25
    assert a.sla.marketing.acceptance_rate is None  # the plan settles it: 60% without a SAL
    assert a.sla.sales.fast_tier_triggers == ["demo", "trial"]
    assert a.routing.automated is None  # the plan settles it from the CRM
    assert a.sla.sales.speed_to_lead_hours == 4
    assert a.sla.sales.contact_attempts == 6
    assert a.sla.sales.attempt_window_days == 14
    assert a.sla.sales.disposition_days == 5
    assert a.escalation.first_hours == 24
    assert a.escalation.second_hours == 48
    assert a.cadence.daily_standup_minutes == 15
    assert a.routing.enterprise_min_employees == 500


@pytest.mark.parametrize(("text", "expected"), [
    ("60%", D("0.6")), ("60 %", D("0.6")), (" 12.5% ", D("0.125")), (D("0.6"), D("0.6")),
    ("0.6", D("0.6")), (1, D(1)), ("100%", D(1)), (0.25, D("0.25")), ("0%", D(0)),
])
def test_rates(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize(("text", "hint"), [
    (60, "write 60% or 0.6"), ("60", "write 60% or 0.6"), (D("1.5"), "write 1.5% or 0.015"),
    ("150%", "outside 0% to 100%"), ("-5%", "outside"), ("sixty", "not a rate"),
    (True, "not yes/no"),
])
def test_bad_rates(text, hint):
    with pytest.raises(ValueError, match=hint):
        parse_rate(text)


@pytest.mark.parametrize(("text", "expected"), [
    (25000, D(25000)), ("25,000", D(25000)), ("$25k", D(25000)), ("$25K", D(25000)),
    ("1.2M", D(1_200_000)), ("€1,250.50", D("1250.50")), ("USD 40k", D(40000)),
    (D("2500.5"), D("2500.5")),
])
def test_money(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["lots", "25,00", "$", "-5", "0", True, "25kk"])
def test_bad_money(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked through the CLI
        parse_money(text)


@given(st.decimals(min_value=D("0.0001"), max_value=D(1), places=4))
def test_percent_and_fraction_spellings_agree(rate):
    assert parse_rate(f"{rate * 100}%") == parse_rate(str(rate))


def test_yaml_keeps_norway_and_times_as_text():
    doc = parse_yaml("holidays: NO\nhours: 09:00-17:00\nat: 1:30\nyes_please: yes\n", "t")
    assert doc.data == {"holidays": "NO", "hours": "09:00-17:00", "at": "1:30",
                        "yes_please": "yes"}


def test_yaml_floats_are_exact_decimals():
    assert parse_yaml("rate: 0.1\n", "t").data["rate"] == D("0.1")


def test_dump_round_trips_and_keeps_only_given_keys(example_answers):
    text = dump_answers(example_answers)
    assert "mql_to_sql: 60%" in text
    assert "scoring:" not in text
    assert "# Ideal customer profile" in text
    assert answers_from_data(parse_yaml(text, "t").data) == example_answers


def test_save_refuses_to_overwrite(tmp_path: Path, example_answers):
    target = tmp_path / "acme.yaml"
    save_answers(example_answers, target)
    before = target.read_bytes()
    with pytest.raises(OutputError, match="already exists"):
        save_answers(example_answers, target)
    assert target.read_bytes() == before
    save_answers(example_answers, target, force=True)
    assert list(tmp_path.iterdir()) == [target]


def test_overrides_with_set(example_answers):
    data = apply_settings(example_answers.model_dump(), [
        "funnel.mql_to_sql=55%", "economics.revenue_target=$1.2M",
        "agreement.signatories[1].name=Sam O.", "icp.industries=[SaaS, Retail]"])
    a = Answers.model_validate(data)
    assert a.funnel.mql_to_sql == D("0.55")
    assert a.economics.revenue_target == 1_200_000
    assert a.agreement.signatories[1].name == "Sam O."
    assert a.icp.industries == ["SaaS", "Retail"]


@pytest.mark.parametrize("setting", ["funnel.mql_to_sql", "funnel..x=1", "a[9].b=1"])
def test_bad_overrides(example_answers, setting):
    with pytest.raises(AnswersError):
        apply_settings(example_answers.model_dump(), [setting])


def test_scoring_overrides_change_drop_and_add(example_answers):
    from slabuilder.derive.scoring import build_scoring

    data = example_answers.model_dump()
    data["scoring"] = {"threshold": 60, "signals": {
        "demo_request": 30, "low_intent_content": 0,
        "webinar": {"label": "Attended a webinar", "points": 10}}}
    model = build_scoring(Answers.model_validate(data))
    points = {s.id: s.points for s in model.signals}
    assert points["demo_request"] == 30
    assert "low_intent_content" not in points
    assert points["webinar"] == 10
    assert model.threshold == 60


def test_unknown_scoring_signal_suggests_the_close_one(example_answers):
    data = example_answers.model_dump()
    data["scoring"] = {"signals": {"demo_requst": 30}}
    with pytest.raises(AnswersError, match="did you mean demo_request"):
        answers_from_data(data)


def bad_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_icp_is_allowed_but_reported(example_text, tmp_path):
    start = example_text.index("icp:")
    end = example_text.index("# Revenue goal")
    answers = load_answers(bad_file(tmp_path, example_text[:start] + example_text[end:]))
    assert answers.icp.missing() == ["icp.company_size", "icp.industries", "icp.geographies",
                                     "icp.titles", "icp.disqualifiers"]


def test_error_carries_file_line_and_key(example_text, tmp_path):
    path = bad_file(tmp_path, example_text.replace("mql_to_sql: 60%", "mql_to_sql: 160"))
    with pytest.raises(SlabuilderError) as caught:
        load_answers(path)
    line = example_text.splitlines().index("  mql_to_sql: 60%") + 1
    assert str(caught.value) == (f"{path}:{line}: funnel.mql_to_sql: 160 is not a rate; "
                                 "a rate lies between 0% and 100%, such as 60% or 0.6")


def test_holiday_codes_match_the_calendar_without_importing_it():
    import holidays

    from slabuilder.holiday_codes import country_codes

    assert country_codes() == frozenset(holidays.list_supported_countries())


@pytest.mark.parametrize(("code", "kept", "message"), [
    ("us", "US", None), ("US-CA", "US-CA", None), ("UK", "UK", None), ("none", "none", None),
    ("ZZ", None, "no public-holiday calendar is known for 'ZZ'"),
    ("US-ZZ", None, "'ZZ' is not a region of US with its own holidays; use US alone or one of"),
])
def test_holiday_codes_are_checked(example_answers, code, kept, message):
    data = example_answers.model_dump()
    data["company"]["holidays"] = code
    if message is None:
        assert Answers.model_validate(data).company.holidays == kept
    else:
        with pytest.raises(ValueError, match=message):
            Answers.model_validate(data)


def test_one_country_calendar_is_imported_alone_and_agrees_with_the_package():
    import subprocess
    import sys

    code = ("import sys\nfrom slabuilder.holiday_codes import country_class\n"
            "country_class('DE')(subdiv='BY', years=2027)\n"
            "print(sum(m.startswith('holidays.countries.') for m in sys.modules))\n")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert int(found.stdout.strip()) < 5
    import holidays

    from slabuilder.holiday_codes import country_class

    for country, region in (("US", "CA"), ("GB", "SCT"), ("UK", None), ("DE", "BY")):
        assert dict(country_class(country)(subdiv=region, years=range(2026, 2029))) == dict(
            holidays.country_holidays(country, subdiv=region, years=range(2026, 2029)))
