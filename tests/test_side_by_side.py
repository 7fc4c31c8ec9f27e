"""Every document, read side by side: a term that appears in more than one says the same.

For several answers files (the example, a funnel with a SAL stage, a team without SDRs, a fast
tier of 2 hours, a Salesforce company) every document is rendered as its reader gets it:
agreement, brief and summary; the report blank and filled from an export; agenda and
dashboard; and the amendment of a renegotiation.  Each term that the plan holds once (MQLs a
month, each tier's response time, routing time, acceptance, threshold, attempts, who takes
MQLs first) is then found in the rendered text, and every occurrence must carry the plan's
own value: a document that restated a term from the answers or from a literal would show up
here as a second value.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import ROOT
from slabuilder.answerfile import answers_from_data
from slabuilder.cli import main
from slabuilder.plan import Plan, build_plan
from slabuilder.words import count, percent

VARIANTS: dict[str, dict[str, Any]] = {
    "example": {},
    "sal-stage": {"funnel": {"mql_to_sal": "80%", "sal_to_sql": "75%",
                             "sql_to_opportunity": "50%", "opportunity_to_won": "25%"}},
    "no-sdrs": {"team": {"sdrs": 0, "aes": 6}},
    "fast-2h": {"sla": {"sales": {"speed_to_lead_hours": 2, "other_mql_hours": 24}}},
    "salesforce": {"company": {"crm": "salesforce"}},
}
DOCUMENTS = ("agreement", "brief", "summary", "report-blank", "report", "agenda", "dashboard",
             "amendment")


def _answers(variant: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "examples" / "acme.yaml").read_text(encoding="utf-8"))
    for section, values in VARIANTS[variant].items():
        if section == "funnel":
            data["funnel"] = values
        elif section == "sla":
            data["sla"] = values
        else:
            data[section] = {**data[section], **values}
    return data


def _text(path: Path) -> str:
    """The words a reader sees: tags, the style sheet and entities gone, space folded."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location(
        "gen_hubspot_export", ROOT / "benchmarks" / "gen_hubspot_export.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    path = tmp_path_factory.mktemp("export") / "hubspot.csv"
    generator.write(path, 2000, seed=7)
    return path


@pytest.fixture(scope="module", params=list(VARIANTS))
def rendered(request: pytest.FixtureRequest, export: Path,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, dict[str, str]]:
    folder = tmp_path_factory.mktemp(request.param)
    answers = folder / "acme.yaml"
    answers.write_text(yaml.safe_dump(_answers(request.param)), encoding="utf-8")
    html_only = ["--format", "html"]
    assert main(["render", str(answers), "-o", str(folder / "docs"), *html_only]) == 0
    assert main(["report", str(answers), "--month", "2027-01", "-o", str(folder / "blank"),
                 *html_only]) == 0
    assert main(["report", str(answers), "--month", "2027-01", "-o", str(folder / "filled"),
                 "--actuals", str(export), *html_only]) == 0
    assert main(["renegotiate", str(answers), "-o", str(folder / "q2"), "--defaults",
                 "--set", "economics.revenue_target=1.2M", *html_only]) == 0
    texts = {
        "agreement": _text(folder / "docs" / "acme-analytics-agreement.html"),
        "brief": _text(folder / "docs" / "acme-analytics-brief.html"),
        "summary": _text(folder / "docs" / "acme-analytics-summary.html"),
        "report-blank": _text(folder / "blank" / "acme-analytics-2027-01-report.html"),
        "report": _text(folder / "filled" / "acme-analytics-2027-01-report.html"),
        "agenda": _text(folder / "filled" / "acme-analytics-2027-01-agenda.html"),
        "dashboard": _text(folder / "filled" / "acme-analytics-2027-01-dashboard.html"),
        "amendment": _text(folder / "q2" / "acme-analytics-v2-amendment.html"),
    }
    return build_plan(answers_from_data(yaml.safe_load(answers.read_text(encoding="utf-8")))), \
        texts


def _found(texts: dict[str, str], pattern: str) -> dict[str, set[str]]:
    """Each document's values for ``pattern``'s group, where the document states it."""
    found = {doc: set(re.findall(pattern, text)) for doc, text in texts.items()}
    return {doc: values for doc, values in found.items() if values}


def test_every_document_states_each_tier_with_the_plans_hours(
        rendered: tuple[Plan, dict[str, str]]) -> None:
    plan, texts = rendered
    fast, standard = plan.terms.commitments.response_tiers
    stated = _found(texts, r"(\d+(?:\.\d+)?) (?:business hours|h) for demo and trial requests")
    assert set(stated) >= {"agreement", "brief", "summary"}
    assert {value for values in stated.values() for value in values} == {f"{fast.hours}"}
    other = _found(texts, r"(\d+(?:\.\d+)?) (?:business hours|h) for every other MQL")
    assert {value for values in other.values() for value in values} == {f"{standard.hours}"}
    # No document holds every MQL to the fast tier's limit alone.
    assert not _found(texts, r"(every MQL within \d+ business hours)")


def test_routing_time_is_one_term(rendered: tuple[Plan, dict[str, str]]) -> None:
    plan, texts = rendered
    minutes = _found(texts, r"within (\d+) minutes(?: of qualifying)?")
    assert set(minutes) >= {"agreement", "summary"}
    assert {value for values in minutes.values() for value in values} == {
        str(plan.terms.commitments.routing_minutes)}


def test_the_mql_target_and_threshold_agree(rendered: tuple[Plan, dict[str, str]]) -> None:
    plan, texts = rendered
    # Today's volume is a fact about the business, not the target: it is left out.
    monthly = _found(texts, r"(\d[\d,]*) MQLs a month(?! today| at the planned rates)")
    assert set(monthly) >= {"agreement", "brief", "summary"}
    assert {value for doc, values in monthly.items() if doc != "amendment"
            for value in values} == {count(plan.mql_per_month)}
    threshold = _found(texts, r"(?:at least|threshold of|Threshold:|MQL threshold) (\d+) points")
    assert set(threshold) >= {"agreement", "summary", "brief"}
    assert {value for doc, values in threshold.items() if doc != "amendment"
            for value in values} == {str(plan.scoring.threshold)}


def test_acceptance_is_the_plans_commitment(rendered: tuple[Plan, dict[str, str]]) -> None:
    plan, texts = rendered
    agreed = percent(plan.terms.commitments.acceptance_rate)
    stated = _found(texts, r"(?:[Aa]t least|against the agreed|accepts less than) "
                           r"(\d+(?:\.\d+)?%) of MQLs")
    stated.update(_found({doc: texts[doc] for doc in ("report-blank", "report")},
                         r"MQLs accepted by sales .{0,80}?at least (\d+(?:\.\d+)?%)"))
    assert set(stated) >= {"agreement", "report"}
    assert {value for values in stated.values() for value in values} == {agreed}


def test_who_takes_mqls_first_matches_the_team(rendered: tuple[Plan, dict[str, str]]) -> None:
    plan, texts = rendered
    agreed = plan.terms.commitments
    if agreed.first_touch_role == "AE":
        for doc, text in texts.items():
            assert "SDR" not in text, doc  # nobody in the team is an SDR
    else:
        assert f"one of the {agreed.first_touch_reps} SDRs" in texts["agreement"]


def test_no_document_speaks_to_a_programmer(rendered: tuple[Plan, dict[str, str]]) -> None:
    _, texts = rendered
    for doc, text in texts.items():
        assert not re.search(r"\b(company|agreement|icp|economics|funnel|team|current_state|"
                             r"scoring|sla|routing|escalation|cadence)\.[a-z_]{3,}", text), doc
        assert not re.search(r"slabuilder (report|render|plan|check|new)|--[a-z]{3,}", text), doc
        assert "/tmp/" not in text, doc
        assert "pytest-of" not in text, doc
