"""Documents as HTML: the registry, the context, the filters, golden files, overrides and the
rules a render must keep (missing ICP, overwrite refusal, signed PDFs)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT
from slabuilder.answerfile import answers_from_data
from slabuilder.context import build_context
from slabuilder.documents import DOCUMENTS, money_filter, render_html
from slabuilder.errors import OutputError, SlabuilderError, TemplateError
from slabuilder.outputs import RenderOptions, render_documents
from slabuilder.plan import Plan, build_plan
from slabuilder.words import percent as percent_filter
from slabuilder.words import slugify

GOLDEN = ROOT / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("SLABUILDER_UPDATE_GOLDEN") == "1"


def _data(path: Path) -> dict[str, Any]:
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(path, what="answers file").data
    assert isinstance(data, dict)
    return data


def _plan_with(example_path: Path, **changes: Any) -> Plan:
    """The example's plan with some answers replaced (``section__key=value``)."""
    data = _data(example_path)
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    return build_plan(answers_from_data(data))


BUILT = "1798804800"
"""A fixed moment for the brief's "Built" date: noon UTC on January 1, 2027."""


@pytest.fixture(scope="module")
def context(example_plan: Plan) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILT)
        return build_context(example_plan)


def test_the_brief_says_the_day_it_was_built_in_the_company_zone(
        html: dict[str, str], example_plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Built <b>January 1, 2027</b>" in html["brief"]
    assert "Built" not in _text(html["agreement"])
    assert "Built" not in _text(html["summary"])
    # 03:00 UTC on January 2 is still January 1 in New York.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(BUILT) + 15 * 3600))
    assert build_context(example_plan)["built"] == "2027-01-01"


@pytest.fixture(scope="module")
def html(context: dict[str, Any]) -> dict[str, str]:
    return {doc: render_html(doc, context) for doc in ("agreement", "brief", "summary")}


def _text(html: str) -> str:
    """Visible text, tags removed, entities decoded, whitespace collapsed."""
    import html as html_module

    body = html.split("<body", 1)[1]
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# --------------------------------------------------------------------------- registry


def test_registry_names_every_document_and_its_template():
    assert {doc: spec.template for doc, spec in DOCUMENTS.items()} == {
        "agreement": "agreement.html.j2", "brief": "brief.html.j2",
        "summary": "summary.html.j2", "report": "report.html.j2",
        "agenda": "agenda.html.j2", "dashboard": "dashboard.html.j2",
        "amendment": "amendment.html.j2", "calibration": "calibration.html.j2"}
    assert all(spec.title and spec.description for spec in DOCUMENTS.values())


def test_a_registered_document_without_its_template_is_a_clear_error(
        context: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from slabuilder.documents import DocumentSpec

    monkeypatch.setitem(DOCUMENTS, "memo", DocumentSpec("memo", "Memo", "memo.html.j2", "A memo"))
    with pytest.raises(TemplateError, match=r"memo\.html\.j2 for the memo document is not "
                       r"installed \(looked in .* and the shipped templates\)"):
        render_html("memo", context, templates_dir=tmp_path)


def test_render_help_lists_the_options(run_cli: Any):
    result = run_cli("render", "--help")
    assert result.code == 0
    for option in ("--output", "--format", "--doc", "--force", "--draft", "--pdfa",
                   "--templates"):
        assert option in result.out


def test_an_unknown_document_names_the_choices(context: dict[str, Any]):
    with pytest.raises(SlabuilderError, match=r"'contract' is not a document.*agreement, brief"):
        render_html("contract", context)


# --------------------------------------------------------------------------- context


def test_context_is_plain_data(context: dict[str, Any]):
    def check(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, str), where
                check(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                check(item, f"{where}[{index}]")
        else:
            assert value is None or type(value) in (str, int, float, bool), where

    check(context, "context")


def test_context_carries_the_example_figures(context: dict[str, Any]):
    stages = {s["id"]: s for s in context["funnel"]["stages"]}
    assert (stages["mql"]["per_period"], stages["mql"]["per_month"]) == (534, 178)
    assert (stages["sql"]["per_period"], stages["opportunity"]["per_period"]) == (320, 160)
    assert stages["won"]["per_period"] == 40
    assert stages["sql"]["rate_in"] == 0.6
    assert context["economics"]["revenue_target"] == 1_000_000
    assert context["economics"]["revenue_per_month"] == 333334
    assert context["currency"] == "USD"
    assert context["page_size"] == "letter"
    assert context["agreement"]["first_review_date"] == "2027-04-01"
    assert context["company"]["slug"] == "acme-analytics"
    assert [p["name"] for p in context["agreement"]["signature_blocks"]] == [
        "Dana Reyes", "Sam Okafor", "Jordan Lee"]
    assert context["diagnosis"]["problem"] == "enforcement"
    assert context["capacity"]["touches_per_rep_per_day"] == "13"  # as the brief prints it


@pytest.mark.parametrize(("name", "slug"), [
    ("Acme Analytics", "acme-analytics"), ("Müller & Söhne GmbH", "muller-sohne-gmbh"),
    ("***", "sla"), ("  Beta.io  ", "beta-io"),
    # letters with no accent to drop are spelt out, not lost (a key file jorg-wei.p12 was)
    ("Jörg Weiß", "jorg-weiss"), ("Søren Kjærgaard", "soren-kjaergaard"),
    ("Łukasz Nowak", "lukasz-nowak")])
def test_slugify(name: str, slug: str):
    assert slugify(name) == slug


# --------------------------------------------------------------------------- filters


class _Ctx(dict[str, Any]):
    """Enough of a Jinja context for the context filters."""


@pytest.mark.parametrize(("value", "currency", "short", "text"), [
    (1_000_000, "USD", False, "$1,000,000"), (1_000_000, "USD", True, "$1M"),
    (25_000, "USD", True, "$25k"), (1_250_000, "EUR", True, "€1.3M"),
    (1_240_000, "EUR", True, "€1.2M"),
    (333333.3333, "USD", False, "$333,333"), (12.5, "GBP", False, "£12.50"),
    (25_000, "XYZ", False, "25,000 XYZ"),
    # One rule, half up, wherever the half falls (half to even would split these).
    (0.555, "USD", False, "$0.56"), (0.565, "USD", False, "$0.57"),
    (1_000_000.5, "USD", False, "$1,000,001"), (1_000_001.5, "USD", False, "$1,000,002"),
    (1_000_000.555, "USD", False, "$1,000,001"), (3_000_001.665, "USD", False, "$3,000,002"),
    (-2.5, "USD", False, "-$2.50"), (-1_500.5, "USD", False, "-$1,501")])
def test_money_filter(value: float, currency: str, short: bool, text: str):
    assert money_filter(_Ctx(currency=currency), value, short) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "text"), [(0.6, "60%"), (0.125, "12.5%"), (1, "100%"),
                                             (0.6000000001, "60%")])
def test_percent_filter(value: float, text: str):
    assert percent_filter(value) == text


# --------------------------------------------------------------------------- content


def test_agreement_names_every_party_figure_and_section(html: dict[str, str]):
    text = _text(html["agreement"])
    for needle in ("Dana Reyes", "VP Marketing", "Sam Okafor", "VP Sales", "Jordan Lee",
                   "Director of Demand Generation", "January 1, 2027", "April 1, 2027",
                   "$1,000,000", "$25,000 a deal", "534", "178", "320", "160",
                   "60% of MQLs", "25% of opportunities", "50 to 500 employees",
                   "SaaS, Fintech or Healthcare IT", "United States, Canada or United Kingdom",
                   "Student or academic", "MQL threshold 25 points", "DQ-07",
                   "09:00 to 17:00 America/New_York", "within 24 business hours",
                   "Version 1", "cd27d82ee0e8"[:6]):
        assert needle in text, needle
    headings = re.findall(r"<h2>(.*?)</h2>", html["agreement"])
    assert headings == [
        "Parties and purpose", "Definitions", "Revenue and MQL targets",
        "The MQL definition", "What marketing commits to", "What sales commits to",
        "Routing", "Dispositions and reason codes", "Re-queue rules",
        "Disputes and escalation", "Reporting and meetings", "Review and amendment",
        "Signatures"]
    assert html["agreement"].count('class="signature"') == 3


def test_bookings_per_month_is_rounded_up_like_every_target(html: dict[str, str]):
    """$1,000,000 a quarter is $333,333.33 a month; a floor rounds up, never down."""
    for doc in ("agreement", "brief"):
        assert "Bookings $25,000 a deal $1,000,000 $333,334 (rounded up)" in _text(html[doc])
    assert "against the $333,334 a month the target needs" in _text(html["brief"])
    assert "333,333" not in html["agreement"] + html["brief"]


def test_every_commitment_says_how_it_is_measured(html: dict[str, str], context: dict[str, Any]):
    for side in ("marketing", "sales"):
        for term in context["terms"][side]:
            assert term["measure"] in _text(html["agreement"]).replace("\u2019", "'")


def test_brief_has_no_em_dash_even_when_the_answers_type_one(example_plan):
    from slabuilder.answers import Answers
    from slabuilder.context import build_context
    from slabuilder.documents import render_html
    from slabuilder.plan import build_plan

    data = example_plan.answers.model_dump()
    data["company"]["name"] = "Acme \u2014 Analytics"
    data["current_state"]["main_conflict"] = "Sales\u2014and marketing\u2014disagree"
    brief = render_html("brief", build_context(build_plan(Answers.model_validate(data))))
    assert "\u2014" not in brief
    assert "Acme \u2013 Analytics" in brief


def test_brief_has_no_em_dash(html: dict[str, str]):
    assert "\u2014" not in html["brief"]
    assert "&mdash;" not in html["brief"]
    assert "\\2014" not in html["brief"]


def test_brief_follows_the_outline(html: dict[str, str]):
    headings = re.findall(r"<h2>(.*?)</h2>", html["brief"])
    assert headings == [
        "Where you stand", "The numbers behind the targets", "The MQL definition",
        "The sales service level", "Setting it up in HubSpot", "The reporting dashboard",
        "Running the definition session with sales", "Who must be in the room",
        "The minimum viable agreement", "Why it might not be adopted", "Measuring success",
        "Reading the signs of misalignment", "The closed-loop deal record", "Rolling it out"]


def test_agreement_covers_the_frameworks_items_from_the_plan(html: dict[str, str]):
    text = re.sub(r"<[^>]+>", " ", html["agreement"])
    text = " ".join(text.replace("&ldquo;", "").replace("&rdquo;", "").split())
    for needle in ("Visitor", "Advocate", "Customer Success and Marketing",
                   "The handoff happens in HubSpot", "receives a CRM task",
                   "decided by the Director of Demand Generation with the sales team lead within "
                   "48 business hours", "exception code", "Third-party intent",
                   "adds +10 points", "Marketing-sourced pipeline", "At least 40%",
                   "within the 5 to 7 that work best"):
        assert needle in text, needle


def test_brief_dates_the_rollout_and_tables_the_benchmarks(html: dict[str, str]):
    brief = html["brief"]
    assert "September 1, 2026 to October 31, 2026" in brief
    assert "January 1, 2027 to February 28, 2027" in brief
    assert "From March 1, 2027, ongoing" in brief
    assert re.search(r"Under 5 minutes</td><td class=\"num\">100%", brief)
    assert "Over 24 hours</td><td class=\"num\">10%" in brief
    assert "Winning factor" in brief
    assert "Competitor chosen" in brief
    # What the answers do not give (spend, so the CAC) is a blank, not a guess.
    assert "Customer acquisition cost" in brief
    assert "blank-line" in brief
    text = _text(html["brief"])
    assert "an enforcement problem" in text
    assert "40% of MQLs are worked within today's service level" in text
    assert "120 MQLs a month today; the revenue target needs 178" in text
    assert "Marketing misses the volume term from month one" in text
    assert "a first attempt within 4 business hours for demo and trial requests and 24 " \
        "business hours for every other MQL" in text
    assert "current_state." not in text  # no answers key is shown to the reader


@pytest.mark.parametrize(("crm", "present", "absent"), [
    ("hubspot", ["Became a Marketing Qualified Lead Date", "HubSpot Score", "Workflow"],
     ["Validation rule", "ICP_Fit__c"]),
    ("salesforce", ["ICP_Fit__c", "Validation rule", "record-triggered flow", "Task records"],
     ["HubSpot Score"]),
    ("other", ["Fit flag", "Required reason"], ["HubSpot Score", "ICP_Fit__c"]),
])
def test_brief_crm_steps_follow_the_crm(example_path: Path, crm: str, present: list[str],
                                        absent: list[str]):
    plan = _plan_with(example_path, company__crm=crm)
    text = _text(render_html("brief", build_context(plan)))
    for needle in present:
        assert needle in text, needle
    for needle in absent:
        assert needle not in text, needle
    assert "reaches 25" in text or "at least 25" in text
    # the timers hold each MQL to its own tier
    assert "4 business hours for demo and trial requests and 24 business hours for every " \
        "other MQL" in text


def test_summary_carries_the_key_figures(html: dict[str, str]):
    text = _text(html["summary"])
    for needle in ("$1M", "534", "178", "Dana Reyes", "Sam Okafor", "Jordan Lee", "4 h"):
        assert needle in text, needle


def test_answers_are_escaped_never_markup(example_path: Path):
    attack = '<link rel="attachment" href="file:///etc/passwd"><img src="http://127.0.0.1/x">'
    plan = _plan_with(example_path, current_state__main_conflict=attack)
    brief = render_html("brief", build_context(plan))
    assert "&lt;link rel=&#34;attachment&#34; href=&#34;file:///etc/passwd&#34;&gt;" in brief
    assert '<link rel="attachment"' not in brief
    assert '<img src="http://127.0.0.1/x">' not in brief


# --------------------------------------------------------------------------- golden files


def _without_stylesheet(page: str) -> str:
    """The page with its inlined ``style.css`` replaced by a marker: the stylesheet is a file
    of its own, and copying it into every golden file would make each CSS change a golden one.
    """
    head, found, rest = page.partition("<style>")
    _, closed, tail = rest.partition("</style>")
    assert found, "the page no longer inlines its stylesheet"
    assert closed, "the page's stylesheet is not closed"
    return f"{head}<style>/* templates/style.css */</style>{tail}"


@pytest.mark.parametrize("doc", ["agreement", "brief", "summary"])
def test_golden_html(html: dict[str, str], doc: str):
    """The example's HTML, byte for byte but for the stylesheet.
    SLABUILDER_UPDATE_GOLDEN=1 rewrites the files."""
    golden = GOLDEN / f"acme-{doc}.html"
    page = _without_stylesheet(html[doc])
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(page, encoding="utf-8")
    if not golden.exists():  # the test never writes into the repository unasked
        pytest.fail(f"{golden.name} is missing; make it with SLABUILDER_UPDATE_GOLDEN=1, read "
                    "it and check it in")
    assert page == golden.read_text(encoding="utf-8"), (
        f"{doc} HTML changed; if intended, rerun with SLABUILDER_UPDATE_GOLDEN=1")


# --------------------------------------------------------------------------- overrides


def test_user_stylesheet_and_template_override(context: dict[str, Any], tmp_path: Path):
    (tmp_path / "style.css").write_text("body { color: teal; }", encoding="utf-8")
    html = render_html("summary", context, templates_dir=tmp_path)
    assert "body { color: teal; }" in html
    assert "SLA Sans" not in html.split("</style>")[0].split("<style>")[1].split("@page")[0]
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "summary.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block content %}<p>Ours: {{ funnel.mql_per_month }}'
        " MQLs, {{ economics.revenue_target|money }}</p>{% endblock %}", encoding="utf-8")
    html = render_html("summary", context, templates_dir=ours)
    assert "<p>Ours: 178 MQLs, $1,000,000</p>" in html


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ company.__class__.__init__.__globals__ }}",
])
def test_user_templates_are_sandboxed(context: dict[str, Any], tmp_path: Path, body: str):
    (tmp_path / "summary.html.j2").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match="templates can only show the data"):
        render_html("summary", context, templates_dir=tmp_path)


def test_a_misspelt_variable_fails_loudly(context: dict[str, Any], tmp_path: Path):
    (tmp_path / "summary.html.j2").write_text("{{ funnel.mql_per_mnoth }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="mql_per_mnoth"):
        render_html("summary", context, templates_dir=tmp_path)


def test_a_broken_user_template_names_file_and_line(context: dict[str, Any], tmp_path: Path):
    (tmp_path / "summary.html.j2").write_text("<p>\n{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render_html("summary", context, templates_dir=tmp_path)
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{tmp_path / 'summary.html.j2'}:2: template error")


def test_a_huge_range_in_a_user_template_is_a_template_error(run_cli: Any, example_path: Path,
                                                             tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "summary.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}\n'
        "{% for i in range(100001) %}x{% endfor %}\n{% endblock %}\n", encoding="utf-8")
    result = run_cli("render", example_path, "-o", tmp_path / "out", "--doc", "summary",
                     "--format", "html", "--templates", folder)
    assert result.code == 2
    assert result.err == (
        f"slabuilder: {folder / 'summary.html.j2'}:3: the template asks for more than a "
        "document can hold (Range too big); loop over the data it is given instead of large "
        "ranges\n")


def test_a_template_that_is_not_utf8_says_so(context: dict[str, Any], tmp_path: Path):
    (tmp_path / "style.css").write_bytes(b"/* mine */\nbody { content: 'caf\xe9'; }\n")
    with pytest.raises(TemplateError) as caught:
        render_html("summary", context, templates_dir=tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'style.css'}:2: the template is not UTF-8 text; save it as UTF-8 in "
        "your editor")


def test_a_filter_error_names_the_template_line(context: dict[str, Any], tmp_path: Path):
    (tmp_path / "summary.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}\n\n{{ "a lot"|money }}'
        "{% endblock %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render_html("summary", context, templates_dir=tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'summary.html.j2'}:4: the template could not format a value ('a lot' "
        "is not a number); check the filters it uses")


def test_pdfa_with_html_only_is_refused(run_cli: Any, example_path: Path, tmp_path: Path):
    result = run_cli("render", example_path, "-o", tmp_path / "out", "--format", "html",
                     "--pdfa")
    assert result.code == 2
    assert result.err == ("slabuilder: --pdfa: PDF/A is a kind of PDF, but --format html "
                          "writes no PDF; add pdf (--format html,pdf) or leave out --pdfa\n")
    assert not (tmp_path / "out").exists()


def test_templates_folder_must_exist(context: dict[str, Any], tmp_path: Path):
    with pytest.raises(TemplateError, match="is not a folder of templates"):
        render_html("summary", context, templates_dir=tmp_path / "nope")


# --------------------------------------------------------------------------- outputs


def test_html_only_writes_named_files(example_plan: Plan, tmp_path: Path):
    written = render_documents(example_plan, ["agreement", "summary"], tmp_path,
                               RenderOptions(formats=["html"]))
    assert [p.name for p in written] == ["acme-analytics-agreement.html",
                                         "acme-analytics-summary.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in written]


def test_existing_outputs_are_refused_and_nothing_changes(example_plan: Plan, tmp_path: Path):
    (tmp_path / "acme-analytics-summary.html").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists; use --force"):
        render_documents(example_plan, ["agreement", "summary"], tmp_path,
                         RenderOptions(formats=["html"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme-analytics-summary.html"]
    assert (tmp_path / "acme-analytics-summary.html").read_text(encoding="utf-8") == "mine"
    render_documents(example_plan, ["summary"], tmp_path,
                     RenderOptions(formats=["html"], force=True))
    assert "SLA Summary" in (tmp_path / "acme-analytics-summary.html").read_text(
        encoding="utf-8")


def test_a_signed_pdf_is_never_overwritten(example_plan: Plan, tmp_path: Path):
    signed = tmp_path / "acme-analytics-agreement.pdf"
    signed.write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Sig /ByteRange [0 10 20 30]>>\n")
    with pytest.raises(OutputError, match="carries a signature"):
        render_documents(example_plan, ["agreement"], tmp_path, RenderOptions(force=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme-analytics-agreement.pdf"]


def test_file_stem_and_extra_context(example_plan: Plan, tmp_path: Path):
    renamed = {**build_context(example_plan)["company"], "name": "Acme (renamed)"}
    written = render_documents(example_plan, ["summary"], tmp_path,
                               RenderOptions(formats=["html"]), file_stem="acme-2027-q1",
                               extra_context={"company": renamed})
    assert written == [tmp_path / "acme-2027-q1-summary.html"]
    assert "Acme (renamed)" in written[0].read_text(encoding="utf-8")


# --------------------------------------------------------------------------- missing ICP


@pytest.fixture(scope="module")
def no_icp_plan(example_path: Path) -> Plan:
    data = _data(example_path)
    data["icp"] = {"company_size": {"min": 50, "max": 500}, "titles": ["VP"]}
    return build_plan(answers_from_data(data))


def test_agreement_without_icp_is_refused_naming_the_gaps(no_icp_plan: Plan, tmp_path: Path):
    with pytest.raises(SlabuilderError) as caught:
        render_documents(no_icp_plan, ["agreement"], tmp_path)
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert "icp.industries, icp.geographies, icp.disqualifiers" in message
    assert "--draft" in message
    assert list(tmp_path.iterdir()) == []


def test_draft_marks_the_agreement(no_icp_plan: Plan, tmp_path: Path):
    (written,) = render_documents(no_icp_plan, ["agreement"], tmp_path,
                                  RenderOptions(formats=["html"], draft=True))
    html = written.read_text(encoding="utf-8")
    assert '<div class="draft-mark" aria-hidden="true">DRAFT</div>' in html
    assert "missing icp.industries, icp.geographies, icp.disqualifiers" in html
    assert "not yet agreed" in html


def test_brief_renders_without_icp(no_icp_plan: Plan, tmp_path: Path):
    (written,) = render_documents(no_icp_plan, ["brief"], tmp_path, RenderOptions(formats=["html"]))
    assert '<div class="draft-mark"' not in written.read_text(encoding="utf-8")


def test_summary_without_icp_is_refused_like_the_agreement(no_icp_plan: Plan, tmp_path: Path):
    """The summary carries "Signed by" lines: no ICP, no summary, unless drafted."""
    assert DOCUMENTS["summary"].needs_icp
    with pytest.raises(SlabuilderError) as caught:
        render_documents(no_icp_plan, ["summary", "brief"], tmp_path,
                         RenderOptions(formats=["html"]))
    assert str(caught.value).startswith(
        "icp.industries: the summary cannot be signed without the ideal customer profile; "
        "missing: icp.industries, icp.geographies, icp.disqualifiers.")
    assert list(tmp_path.iterdir()) == []


def test_drafted_summary_is_marked_and_has_no_empty_never_routed(no_icp_plan: Plan,
                                                                  tmp_path: Path):
    (written,) = render_documents(no_icp_plan, ["summary"], tmp_path,
                                  RenderOptions(formats=["html"], draft=True))
    html = written.read_text(encoding="utf-8")
    assert '<div class="draft-mark" aria-hidden="true">DRAFT</div>' in html
    assert "DRAFT \\00B7  NOT FOR SIGNATURE" in html
    assert "Never routed" not in html
    assert "Threshold: 25 points." in _text(html)


def test_cli_refuses_summary_and_brief_without_icp(run_cli: Any, tmp_path: Path,
                                                   example_path: Path):
    data = example_path.read_text(encoding="utf-8")
    answers = tmp_path / "no-icp.yaml"
    answers.write_text(data[:data.index("icp:")] + data[data.index("economics:"):],
                       encoding="utf-8")
    result = run_cli("render", answers, "-o", tmp_path / "out", "--doc", "summary,brief",
                     "--format", "html")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "the summary cannot be signed without the ideal customer profile" in result.err
    assert not (tmp_path / "out").exists()


def test_cli_refuses_the_agreement_without_icp(run_cli: Any, example_path: Path,
                                               tmp_path: Path):
    data = example_path.read_text(encoding="utf-8")
    start = data.index("icp:")
    end = data.index("economics:")
    answers = tmp_path / "no-icp.yaml"
    answers.write_text(data[:start] + data[end:], encoding="utf-8")
    result = run_cli("render", answers, "-o", tmp_path / "out", "--format", "html")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "icp.company_size, icp.industries, icp.geographies, icp.titles" in result.err
    assert not (tmp_path / "out").exists()
    result = run_cli("render", answers, "-o", tmp_path / "out", "--format", "html", "--draft")
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 3


def test_cli_html_run_and_refusal(run_cli: Any, example_path: Path, tmp_path: Path):
    result = run_cli("render", example_path, "-o", tmp_path, "--format", "html",
                     "--doc", "brief,summary")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [str(tmp_path / "acme-analytics-brief.html"),
                                       str(tmp_path / "acme-analytics-summary.html")]
    again = run_cli("render", example_path, "-o", tmp_path, "--format", "html",
                    "--doc", "summary")
    assert again.code == 2
    assert "acme-analytics-summary.html: already exists; use --force" in again.err
    wrong = run_cli("render", example_path, "-o", tmp_path, "--format", "docx")
    assert wrong.code == 2
    assert "'docx' is not an output format" in wrong.err



VARIANTS = {
    "monthly-lead-funnel": {
        "economics": {"period": "month", "revenue_target": "120k", "currency": "EUR",
                      "average_deal_size": 8000},
        "funnel": {"lead_to_mql": "20%", "mql_to_sal": "70%", "sal_to_sql": "50%",
                   "sql_to_won": "30%"},
        "team": {"sdrs": 0, "aes": 0},
        "current_state": {},
        "company": {"name": "Zeta GmbH", "crm": "other", "timezone": "Europe/Berlin"},
    },
    "yearly-salesforce": {
        "economics": {"period": "year", "revenue_target": "12M", "currency": "GBP",
                      "average_deal_size": "60k", "sales_cycle_days": 0},
        "company": {"name": "Yonder Ltd", "crm": "salesforce", "timezone": "Europe/London",
                    "holidays": "GB"},
        "current_state": {"main_problem": "trust", "starting_point": "scratch"},
        "agreement": {"effective_date": "2027-07-01", "owner": {"name": "Ana Ruiz",
                      "title": "VP Marketing"},
                      "signatories": [{"name": "Ana Ruiz", "title": "VP Marketing",
                                       "side": "marketing"},
                                      {"name": "Bo Chen", "title": "CRO", "side": "executive"}]},
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_answers_render_every_document(example_path: Path, variant: str):
    data = _data(example_path)
    for section, values in VARIANTS[variant].items():
        data[section] = {**data[section], **values} if values and section not in (
            "funnel", "current_state") else values
    plan = build_plan(answers_from_data(data))
    context = build_context(plan)
    for doc in ("agreement", "brief", "summary"):
        text = _text(render_html(doc, context))
        assert context["company"]["name"] in text
        assert f"{plan.mql_per_month:,}" in text
    if variant == "monthly-lead-funnel":
        assert "€120,000" in _text(render_html("agreement", context))
        assert "Fit flag" in _text(render_html("brief", context))
    else:
        agreement = _text(render_html("agreement", context))
        assert "£12,000,000" in agreement
        assert "1 July 2027" in agreement
        assert agreement.count("Signature") >= 2
        assert "a trust problem" in _text(render_html("brief", context))


def test_two_answers_files_for_one_company_are_refused(run_cli: Any, example_path: Path,
                                                       tmp_path: Path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(example_path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("render", example_path, copy, "-o", tmp_path / "out", "--format", "html")
    assert result.code == 2
    assert "two documents would be written to the same file" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("doc", "message"), [
    ("report", "the report is written by `slabuilder report`"),
    ("amendment", "the amendment is written by `slabuilder renegotiate`"),
    ("contract", "'contract' is not a document; choose from agreement, brief, summary")])
def test_render_offers_only_its_own_documents(run_cli: Any, example_path: Path,
                                              tmp_path: Path, doc: str, message: str):
    result = run_cli("render", example_path, "-o", tmp_path, "--doc", doc)
    assert result.code == 2
    assert message in result.err


def test_a_later_version_gets_its_own_file_names(example_plan, tmp_path):
    from slabuilder.answers import Answers
    from slabuilder.outputs import render_documents
    from slabuilder.plan import build_plan

    data = example_plan.answers.model_dump()
    data["agreement"]["version"] = 3
    plan = build_plan(Answers.model_validate(data))
    written = render_documents(plan, ["summary"], tmp_path, RenderOptions(formats=("html",)))
    assert [path.name for path in written] == ["acme-analytics-v3-summary.html"]


# --------------------------------------------------------------------------- compiled templates


def test_shipped_templates_are_compiled_once_into_a_private_cache(
        context: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A second run loads the shipped templates the first compiled, and writes the same
    HTML; a user's own template is never kept; a cache folder others can write to is not
    used."""
    import stat

    from slabuilder import documents

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = DOCUMENTS["agreement"]
    data = {**context, "document": documents.document_info(spec, context)}

    def render(env: Any) -> str:
        return documents._render_limited(env.get_template(spec.template), data, spec)

    first_run = documents._environment.__wrapped__(None)
    assert first_run.bytecode_cache is not None
    first = render(first_run)
    (folder,) = (tmp_path / "cache" / "slabuilder").iterdir()
    kept = sorted(folder.iterdir())
    assert kept, "no compiled template was kept"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    second_run = documents._environment.__wrapped__(None)
    compiled: list[str] = []
    monkeypatch.setattr(second_run, "compile", lambda *args, **_: compiled.append(args[1]))
    assert render(second_run) == first
    assert compiled == []

    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "summary.html.j2").write_text("<p>{{ funnel.mql_per_month }}</p>", encoding="utf-8")
    assert render_html("summary", context, templates_dir=ours) == "<p>178</p>"
    assert sorted(folder.iterdir()) == kept

    folder.chmod(0o777)
    assert documents._bytecode_cache(first_run) is None


def test_the_brief_counts_reps_and_leads_in_the_right_number(example_answers):
    """One rep getting one lead a day reads "1 SDR" and "1 new lead", not "1 SDRs"."""
    from slabuilder.answerfile import answers_from_data
    from slabuilder.context import build_context

    data = example_answers.model_dump(mode="json")
    data["team"]["sdrs"] = 1
    data["current_state"]["mqls_per_month"] = 21
    data["sla"] = {"marketing": {"mql_volume_per_month": 21}}
    capacity = build_context(build_plan(answers_from_data(data)))["capacity"]
    assert capacity["reps_text"] == "1 SDR"
    example = build_context(build_plan(example_answers))["capacity"]
    assert (example["reps_text"], example["new_leads_per_rep_per_day"]) == (
        "4 SDRs", "2.1 new leads")


def test_limits_of_one_are_singular_and_fractions_are_exact(example_path: Path) -> None:
    """Every figure with a unit is written by words: an agreed 1.25 hours stays 1.25 (it was
    rounded to 1.3 where a filter rounded measured hours), and one day, minute or month is
    singular wherever a document states it."""
    data = _data(example_path)
    data["sla"] = {"sales": {"speed_to_lead_hours": "1.25", "attempt_window_days": 1,
                             "contact_attempts": 1},
                   "marketing": {"routing_minutes_automated": 1, "routing_minutes": 1}}
    data["cadence"] = {"agreement_review_months": 1, "weekly_review_minutes": 1}
    plan = build_plan(answers_from_data(data))
    context = build_context(plan)
    pages = {doc: _text(render_html(doc, context)) for doc in ("agreement", "brief", "summary")}
    everything = " ".join(pages.values())
    assert "1.25 business hours for demo and trial requests" in pages["agreement"]
    assert "1.25 business hours for demo and trial requests" in pages["brief"]
    assert "1.3" not in everything
    assert "over 1 day," in pages["agreement"]
    assert "review this agreement every month." in pages["agreement"]  # settled to monthly
    assert "within 1 minute " in pages["agreement"]
    for plural_of_one in ("1 days", "1 months", "1 minutes", "1 business hours"):
        assert plural_of_one not in everything


@pytest.mark.parametrize(("built", "expected"), [
    ("2026-08-01", None),  # before the foundation phase (September 1): on plan
    ("2026-12-22", "This brief was built 10 days before the effective date, after the "
                   "preparation should have begun"),
    ("2027-01-05", "This brief was built on or after the effective date"),
])
def test_the_brief_says_when_it_is_built_behind_the_rollout(
        example_plan: Plan, monkeypatch: pytest.MonkeyPatch, built: str,
        expected: str | None) -> None:
    import datetime as dt

    noon = dt.datetime.fromisoformat(built).replace(hour=17, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))
    text = _text(render_html("brief", build_context(example_plan)))
    if expected is None:
        assert "Behind the plan" not in text
    else:
        assert f"Behind the plan. {expected}" in text
