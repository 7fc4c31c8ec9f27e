"""A reviewer that reads every company: random company shapes, every document, the same
questions a signer asks.

hypothesis draws the shape (planning period, CRM, funnel stages, SDRs and AEs, one to eight
signatories, currency, page size, review cadence, attempts); the agreement, brief and summary,
and the month's report, agenda and dashboard as blank shells, are rendered as HTML and read
as text.  Whatever the shape:

- no known mistake of wording appears (a plural after one, a cadence as an adjective, ...);
- no role or stage the company does not have is named (SDRs without SDRs, opportunities
  without an opportunity stage, an SAL without that stage);
- the MQL target per month is one figure: the plan's, worked out here from the answers by
  the reverse funnel, and every document states that figure;
- the signatories are counted as they are;
- a team of fewer than three reps is not given a team lead or a campaign manager.

Two more readers: the month's report, agenda and dashboard filled from an export, and the
amendment of a version 2 with one answer changed, which must list every piece of the
agreement that reads differently and nothing that does not.
"""

from __future__ import annotations

import html
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE, HEADER, ROWS, write_csv
from slabuilder.answerfile import answers_from_data
from slabuilder.context import build_context
from slabuilder.documents import render_html
from slabuilder.plan import build_plan
from slabuilder.report import build_report_context
from slabuilder.words import count as written_count
from slabuilder.yamlio import read_yaml_file

FUNNELS = {
    "mql-sql-opp-won": {"mql_to_sql": "60%", "sql_to_opportunity": "50%",
                        "opportunity_to_won": "25%"},
    "sal": {"mql_to_sal": "70%", "sal_to_sql": "50%", "sql_to_opportunity": "60%",
            "opportunity_to_won": "30%"},
    "no-opportunity": {"mql_to_sql": "40%", "sql_to_won": "30%"},
}
MISTAKES = (r"\b1 (AE|SDR|day|month|minute|signatorie|business hour|rep)s\b",
            r"\bamong the 1\b", r"\bone of the 1\b", r"\bbiannual\b", r"\bmQL",
            r"agreement (monthly|quarterly|annual)\b", r"Its source:", r"\ba Owner\b",
            r"when you next answer", r"\bboth signatories\b(?# checked by count below)")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
SIDES = ("marketing", "sales", "revops", "executive")


@st.composite
def companies(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml_file(EXAMPLE).data
    funnel = draw(st.sampled_from(sorted(FUNNELS)))
    data["funnel"] = dict(FUNNELS[funnel])
    data["economics"]["period"] = draw(st.sampled_from(["month", "quarter", "year"]))
    data["economics"]["currency"] = draw(st.sampled_from(["USD", "EUR", "GBP"]))
    data["economics"]["revenue_target"] = draw(st.integers(2, 400)) * 25_000
    data["company"]["crm"] = draw(st.sampled_from(["hubspot", "salesforce", "other"]))
    sdrs = draw(st.integers(0, 5))
    data["team"] = {"sdrs": sdrs, "aes": draw(st.integers(1 if not sdrs else 0, 6))}
    people = draw(st.integers(1, 8))
    data["agreement"]["signatories"] = [
        {"name": f"Person {chr(65 + n)}", "title": f"Lead {chr(65 + n)}", "side": SIDES[n % 4]}
        for n in range(people)]
    data["agreement"]["review_cadence"] = draw(st.sampled_from(
        ["monthly", "quarterly", "biannual", "annual"]))
    data["documents"] = {"page_size": draw(st.sampled_from(["a4", "letter"]))}
    data["sla"] = {"sales": {"contact_attempts": draw(st.integers(1, 10))}}
    return data


def _mql_per_month(data: dict[str, Any]) -> int:
    """The reverse funnel by hand: won deals, then each earlier stage rounded up, then the
    period's MQLs spread over its months, the first months taking the remainder."""
    economics = data["economics"]
    stages = ["mql", "sal", "sql", "opportunity", "won"]
    rates = {tuple(key.split("_to_")): Fraction(value[:-1]) / 100
             for key, value in data["funnel"].items()}
    needed = math.ceil(Fraction(economics["revenue_target"], 25_000))
    stage = "won"
    while stage != "mql":
        (source,) = [a for (a, b) in rates if b == stage]
        needed = math.ceil(needed / rates[(source, stage)])
        stage = source
    assert stages.index("mql") == 0
    return math.ceil(Fraction(needed, MONTHS_IN[economics["period"]]))


def _text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=companies())
def test_every_company_reads_true(data: dict[str, Any]) -> None:
    plan = build_plan(answers_from_data(data))
    context = build_context(plan)
    texts = {doc: _text(render_html(doc, context)) for doc in ("agreement", "brief", "summary")}
    month = plan.months[0]
    shells = {**context, "report": build_report_context(plan, month.month, month.label),
              "actuals": None}
    reports = {doc: _text(render_html(doc, shells)) for doc in ("report", "agenda", "dashboard")}
    everything = " ".join([*texts.values(), *reports.values()])

    mistakes = [match.group(0) for pattern in MISTAKES[:-1]
                for match in re.finditer(pattern, everything)]
    assert mistakes == []

    if not data["team"]["sdrs"]:
        assert not re.search(r"\bSDRs?\b", everything)
    if "opportunity" not in plan.stages:
        assert not re.search(r"[Oo]pportunit", everything)
    if "sal" not in plan.stages:
        assert not re.search(r"\bSALs?\b", everything)
    reps = data["team"]["sdrs"] or data["team"]["aes"]
    if reps < 3:  # too small a team for a team lead or a campaign manager
        assert not re.search(r"team lead|campaign manager", everything)

    per_month = _mql_per_month(data)
    assert plan.mql_per_month == per_month
    for doc, text in texts.items():
        assert written_count(per_month) in text, doc

    people = len(data["agreement"]["signatories"])
    if people != 2:
        assert "both signatories" not in everything


def _with(section: str, key: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        part = data
        for name in section.split("."):
            part = part.setdefault(name, {})
        part[key] = value(part.get(key)) if callable(value) else value
    return change


CHANGES = {
    "revenue": _with("economics", "revenue_target", lambda old: old * 2),
    "speed": _with("sla.sales", "speed_to_lead_hours", 2),
    "attempts": _with("sla.sales", "contact_attempts", lambda old: (old or 6) % 10 + 1),
    "accuracy": _with("sla.marketing", "scoring_accuracy", "80%"),
    "review": _with("escalation", "quality_review_hours", 24),
}
VERSION_ONLY = re.compile(r"[Vv]ersion [12]\b|fingerprint|took effect|takes effect|effective|"
                          r"\b20(26|27|28|29)\b")


def _cells(page: str) -> set[str]:
    """The text of every paragraph, list item and table cell of a page's sections (the title
    block before them restates the key figures of the sections)."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page.split("<body", 1)[1], flags=re.S)
    body = body[body.index("<h2"):]
    parts = re.split(r"</(?:p|li|td|th|h[1-6])>", body)
    return {text for part in parts if (text := " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", part)).split()))}


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=companies(), change=st.sampled_from(sorted(CHANGES)))
def test_the_amendment_is_the_difference_between_the_agreements(
        data: dict[str, Any], change: str) -> None:
    """Version 2 of any company, with one answer changed: every piece of the agreement that
    reads differently is in the amendment (but for the version's own number, dates and
    fingerprint, which its header states), and nothing the amendment lists is unchanged."""
    import copy
    import datetime as dt

    from slabuilder.diff import diff_plans

    old = build_plan(answers_from_data(data))
    changed_data = copy.deepcopy(data)
    CHANGES[change](changed_data)
    changed_data["agreement"]["version"] = 2
    changed_data["agreement"]["effective_date"] = (
        old.period_end + dt.timedelta(days=1)).isoformat()
    new = build_plan(answers_from_data(changed_data))
    diff = diff_plans(old, new, wording=True)
    context: dict[str, Any] = dict(build_context(new))
    context["amendment"] = diff.to_dict()
    amendment = _squashed(_text(render_html("amendment", context)))

    before = _cells(render_html("agreement", build_context(old)))
    after = _cells(render_html("agreement", build_context(new)))
    differing = (after - before) | (before - after)
    missing = sorted(text for text in differing
                     if not VERSION_ONLY.search(text) and _squashed(text) not in amendment)
    assert missing == []
    listed = [item for section in diff.sections for item in section.changes]
    assert listed
    assert all(item.old != item.new for item in listed)
    for clause in diff.clauses:
        assert "".join(text for _, text in clause.old) != "".join(text for _, text in clause.new)


@pytest.fixture(scope="module")
def january_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("reviewer") / "leads.csv", HEADER, ROWS)


@pytest.mark.slow  # measures an export for each of twelve companies
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=companies())
def test_every_filled_report_reads_true(january_export: Path, data: dict[str, Any]) -> None:
    """The month's report, agenda and dashboard filled from an export: the same mistakes,
    roles and stages as the shells, and the month's MQL target as the plan's calendar gives
    it."""
    from slabuilder.actuals import compute_actuals

    plan = build_plan(answers_from_data(data))
    month = plan.months[0]
    actuals = compute_actuals(january_export, plan.answers, month.month,
                              rate_keys=list(plan.rates))
    context = {**build_context(plan), "actuals": actuals.to_dict(),
               "report": build_report_context(plan, month.month, month.label, actuals)}
    texts = {doc: _text(render_html(doc, context)) for doc in ("report", "agenda", "dashboard")}
    everything = " ".join(texts.values())
    assert [match.group(0) for pattern in MISTAKES[:-1]
            for match in re.finditer(pattern, everything)] == []
    if not data["team"]["sdrs"]:
        assert not re.search(r"\bSDRs?\b", everything)
    if "opportunity" not in plan.stages:
        assert not re.search(r"[Oo]pportunit", everything)
    target = month.targets["mql"]
    assert f"MQL volume was 7 against the target of {written_count(target)}" in texts["report"]
