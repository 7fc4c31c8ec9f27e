"""How the documents fill their pages, measured on the laid-out pages of each PDF: no table
split after one row or leaving fewer than three behind, no heading at the foot of a page, no
page (but the last) less than a quarter full, and the summary on one page.  Checked for the
example and for two answers files that stretch the layout: a long ideal customer profile
with four signatories, and a funnel with a SAL stage and no SDRs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from helpers import HEADER, ROWS, write_csv
from layout import layout_problems, measure
from slabuilder.answerfile import answers_from_data
from slabuilder.context import build_context
from slabuilder.diff import diff_plans
from slabuilder.documents import render_html
from slabuilder.plan import Plan, build_plan
from slabuilder.report import build_report_context
from slabuilder.yamlio import read_yaml_file

pytestmark = pytest.mark.slow


def _long_icp(data: dict[str, Any]) -> dict[str, Any]:
    data["agreement"]["signatories"] += [
        {"name": "Lee Chan", "title": "Director of Revenue Operations", "side": "revops"},
        {"name": "Pat Kim", "title": "Chief Revenue Officer", "side": "executive"}]
    data["icp"]["industries"] = ["SaaS", "Fintech", "Healthcare IT", "Insurance", "Logistics",
                                 "Retail technology", "Education technology", "Cybersecurity"]
    data["icp"]["geographies"] = ["United States", "Canada", "United Kingdom", "Ireland",
                                  "Germany", "Netherlands", "Nordics", "Australia"]
    data["icp"]["titles"] = ["VP Marketing", "VP Sales", "Director of Revenue Operations",
                             "Chief Revenue Officer", "Head of Growth", "Head of Demand"]
    data["icp"]["disqualifiers"] = [
        "Competitor", "Student or academic", "Outside target geography",
        "No budget authority", "Personal or free e-mail domain", "Partner or reseller",
        "An account in an active renewal, which the account manager owns"]
    return data


def _sal_no_sdrs(data: dict[str, Any]) -> dict[str, Any]:
    data["funnel"] = {"mql_to_sal": "70%", "sal_to_sql": "60%", "sql_to_opportunity": "50%",
                      "opportunity_to_won": "25%"}
    data["team"] = {"sdrs": 0, "aes": 8}
    return data


VARIANTS = {"example": lambda data: data, "long-icp": _long_icp, "sal-no-sdrs": _sal_no_sdrs}


def _plan(example_path: Path, variant: str) -> Plan:
    data = dict(read_yaml_file(example_path, what="answers").data)
    return build_plan(answers_from_data(VARIANTS[variant](data)))


def _documents(plan: Plan, export: Path) -> dict[str, str]:
    from slabuilder.actuals import compute_actuals

    base = build_context(plan)
    html = {doc: render_html(doc, base) for doc in ("agreement", "brief")}
    actuals = compute_actuals(export, plan.answers, "2027-01", rate_keys=list(plan.rates))
    for name, filled in (("shell", None), ("filled", actuals)):
        report = build_report_context(plan, "2027-01", "January 2027", filled)
        context = {**base, "report": report,
                   "actuals": filled.to_dict() if filled is not None else None}
        for doc in ("report", "agenda", "dashboard"):
            html[f"{doc}-{name}"] = render_html(doc, context)
    data = plan.answers.model_dump(mode="json")
    data["economics"]["revenue_target"] = 1_200_000
    data["agreement"]["version"] = 2
    data["agreement"]["effective_date"] = dt.date(2027, 4, 1).isoformat()
    new = build_plan(answers_from_data(data))
    amendment = diff_plans(plan, new, wording=True).to_dict()
    html["amendment"] = render_html("amendment", {**build_context(new), "amendment": amendment})
    return html


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_pages_are_laid_out_to_be_read(example_path: Path, tmp_path: Path,
                                       variant: str) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    plan = _plan(example_path, variant)
    found = {doc: layout_problems(html) for doc, html in _documents(plan, export).items()}
    assert {doc: problems for doc, problems in found.items() if problems} == {}


def test_the_measure_sees_a_split_table_and_an_empty_page() -> None:
    rows = "".join(f"<tr><td>row {n}</td></tr>" for n in range(60))
    html = ("<html><body><p>x</p><h2>Alone</h2><table><tbody>" + rows + "</tbody></table>"
            "<p style='break-before: page'>short</p><p style='break-before: page'>end</p>"
            "</body></html>")
    pages = measure(html)
    assert sum(sum(page.table_rows.values()) for page in pages) == 60
    problems = layout_problems(html)
    assert any("only" in problem and "full" in problem for problem in problems), problems


def test_the_example_summary_fits_on_its_first_layout(example_path: Path) -> None:
    """The summary's page as designed holds a typical answers file, so the example is laid
    out once; a long profile with four signatories still needs the denser steps."""
    example = render_html("summary", build_context(_plan(example_path, "example")))
    assert len(measure(example)) == 1
    long = render_html("summary", build_context(_plan(example_path, "long-icp")))
    assert len(measure(long)) > 1


@pytest.mark.parametrize("count", [1, 3, 8])
def test_the_signature_section_stays_on_one_page(example_path: Path, tmp_path: Path,
                                                 count: int) -> None:
    """Heading, clause and every block (each with its signature and its labelled date line)
    on one page, from one signatory to eight and the agreement's owner."""
    from helpers import pdf_pages, render_clean

    data = dict(read_yaml_file(example_path, what="answers").data)
    sides = ["marketing", "sales", "revops", "executive"]
    data["agreement"]["signatories"] = [
        {"name": f"Signer Number{n}", "title": f"Title {n}", "side": sides[n % 4]}
        for n in range(count)]
    (written,) = render_clean(build_plan(answers_from_data(data)), ["agreement"], tmp_path)
    pages = pdf_pages(written)
    page = next(text for text in pages if "Signatures By signing" in text)
    names = [f"Signer Number{n}" for n in range(count)] + ["Jordan Lee"]
    assert [name for name in names if name not in page] == []
    assert page.count("Signature") - 1 == page.count("Date") == len(names)
