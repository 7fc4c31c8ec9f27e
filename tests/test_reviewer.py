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
- the signatories are counted as they are.
"""

from __future__ import annotations

import html
import math
import re
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE
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

    per_month = _mql_per_month(data)
    assert plan.mql_per_month == per_month
    for doc, text in texts.items():
        assert written_count(per_month) in text, doc

    people = len(data["agreement"]["signatories"])
    if people != 2:
        assert "both signatories" not in everything
