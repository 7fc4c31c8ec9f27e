"""The browser workspace's routes and forms, through Starlette's test client."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from helpers import EXAMPLE
from slabuilder.answerfile import check_answers, dump_answers, load_answers
from slabuilder.jobs.serve import build_app, build_workspace
from slabuilder.questionnaire import load_questionnaire
from slabuilder.typedanswer import AnswerError, check_answer

QUESTIONNAIRE = load_questionnaire()


def _client(tmp_path: Path, answers: Path | None = EXAMPLE) -> tuple[TestClient, str]:
    workspace = build_workspace(answers, tmp_path / "out")
    client = TestClient(build_app(workspace), base_url="http://127.0.0.1:8765")
    return client, workspace.token


def _update(client: TestClient, token: str, **values: str | list[str]) -> dict:
    response = client.post("/api/form", json={"values": values}, headers={"X-Token": token})
    assert response.status_code == 200, response.text
    return response.json()


def test_every_question_of_the_questionnaire_is_on_the_page(tmp_path):
    client, _ = _client(tmp_path)
    page = client.get("/").text
    for section in QUESTIONNAIRE.sections:
        assert str(escape(section.title)) in page
        for question in section.questions:
            if not question.ask:
                assert f'id="q-{question.id}"' not in page
                continue
            assert f'id="q-{question.id}"' in page
            assert str(escape(question.help)) in page
            for choice in question.choices or []:
                assert str(escape(choice.title)) in page


def test_the_page_starts_from_the_file_given(tmp_path):
    client, _ = _client(tmp_path)
    page = client.get("/").text
    assert re.search(r'id="f-company_name" name="company_name" type="text" '
                     r'value="Acme Analytics"', page)
    assert 'id="f-revenue_target" name="revenue_target" type="text" value="1,000,000"' in page


def test_a_condition_shows_and_hides_questions_as_answers_change(tmp_path):
    client, token = _client(tmp_path)
    without = _update(client, token, has_sal="no")["fields"]
    assert without["mql_to_sql"]["visible"]
    assert not without["mql_to_sal"]["visible"]
    with_sal = _update(client, token, has_sal="yes", mql_to_sal="70%", sal_to_sql="60%")
    fields = with_sal["fields"]
    assert fields["mql_to_sal"]["visible"]
    assert not fields["mql_to_sql"]["visible"]
    assert fields["mql_to_sal"]["error"] is None
    assert "SALs" in with_sal["figures"]


def test_messages_are_the_questionnaires_own(tmp_path):
    client, token = _client(tmp_path)
    fields = _update(client, token, revenue_target="a lot", sdrs="-3")["fields"]
    revenue = QUESTIONNAIRE.question("revenue_target")
    with pytest.raises(AnswerError) as expected:
        check_answer(revenue, "a lot")
    assert fields["revenue_target"]["error"] == str(expected.value)
    assert fields["sdrs"]["error"]
    assert fields["company_name"]["error"] is None


def test_a_decimal_comma_is_refused_in_the_browser_as_in_the_terminal(tmp_path):
    """Half an hour typed as 0,5 used to become 5 hours: the browser now shows both readings,
    and keeps the file's value until the answer is clear."""
    client, token = _client(tmp_path)
    fields = _update(client, token, change_terms="yes", speed_to_lead_hours="0,5",
                     pipeline_coverage="1.000")["fields"]
    assert fields["speed_to_lead_hours"]["error"] == (
        "'0,5' could be 0.5 (a decimal comma) or 5 (the comma ignored); type 0.5, with a dot "
        "for decimals (or answer “Numbers” with 1.234,5 to write a comma for decimals "
        "throughout)")
    assert fields["pipeline_coverage"]["error"] == (
        "'1.000' could be 1 (a decimal point) or 1,000 (a dot between thousands); type 1 or "
        "1000")
    clear = _update(client, token, change_terms="yes", speed_to_lead_hours="0.5")["fields"]
    assert clear["speed_to_lead_hours"]["error"] is None


def test_figures_and_preview_follow_the_revenue_target(tmp_path):
    client, token = _client(tmp_path)
    before = _update(client, token)
    assert '<td data-stage="MQLs">534</td>' in before["figures"]
    assert "534" in before["preview"]
    after = _update(client, token, revenue_target="1.2M")
    assert '<td data-stage="MQLs">640</td>' in after["figures"]
    assert "640" in after["preview"]
    assert "534" not in after["preview"]
    broken = _update(client, token, revenue_target="")
    assert broken["preview"] is None
    # What is still needed, by the question's own title and with a link to it, never a key.
    assert '<a href="/#q-revenue_target">Revenue target</a>: an answer is needed' in \
        broken["figures"]
    assert "economics.revenue_target" not in broken["figures"]


def test_the_targets_appear_from_the_first_answers_that_give_them(tmp_path):
    """From nothing: the targets appear once the revenue goal, the deal size and the rates
    are in, long before the team and the ICP, with each step of the chain worked out here."""
    import math

    client, token = _client(tmp_path, None)
    empty = _update(client, token)
    assert "The targets appear once the revenue goal" in empty["figures"]
    answers = {"revenue_target": "1M", "average_deal_size": "25k", "mql_to_sql": "60%",
               "sql_to_opportunity": "50%", "opportunity_to_won": "25%"}
    shown = _update(client, token, **answers)
    assert shown["preview"] is None  # the whole plan still waits for other answers
    deals = math.ceil(1_000_000 / 25_000)
    opportunities = math.ceil(deals / 0.25)
    sqls = math.ceil(opportunities / 0.5)
    mqls = math.ceil(sqls / 0.6)
    assert (deals, opportunities, sqls, mqls) == (40, 160, 320, 534)
    figures = shown["figures"]
    assert "What the target asks for, so far" in figures
    assert f'<td data-stage="MQLs">{mqls}</td>' in figures
    assert "$1,000,000 / $25,000 a deal = 40 deals" in figures
    assert f"{sqls} / 60% = {mqls} MQLs" in figures
    assert "Still needed for the whole plan" in figures


def test_the_preview_is_a_draft_without_the_icp_and_escapes_answers(tmp_path):
    client, token = _client(tmp_path)
    result = _update(client, token, company_name="<script>alert(1)</script> & Co",
                     industries="")
    assert "<script>alert(1)" not in result["preview"]
    assert "&lt;script&gt;" in result["preview"]
    assert "DRAFT" in result["preview"]
    assert "<script>alert(1)" not in client.get("/review").text


def test_foreign_hosts_and_origins_are_refused(tmp_path):
    client, token = _client(tmp_path)
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 421
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    refused = client.post("/api/form", json={"values": {}}, headers={
        "X-Token": token, "Origin": "http://attacker.example"})
    assert refused.status_code == 421
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("host", ["127.0.0.1:1@evil.example", "127.0.0.1:8765/x",
                                  "127.0.0.1 evil.example", "evil.example#127.0.0.1"])
def test_a_host_header_naming_another_site_is_refused(tmp_path, host):
    client, _ = _client(tmp_path)
    assert client.get("/", headers={"Host": host}).status_code == 421


def test_a_download_needs_the_pages_token(tmp_path):
    """Another site's <img src="http://127.0.0.1:8765/download/all.zip"> would make this
    machine render three PDFs on every page view: without the page's token nothing is
    made."""
    client, _ = _client(tmp_path)
    for name in ("all.zip", "agreement.pdf"):
        refused = client.get(f"/download/{name}")
        assert refused.status_code == 403
        assert "reload the workspace page" in refused.text
        assert client.get(f"/download/{name}?token=guess").status_code == 403


def test_json_nested_past_any_depth_is_a_plain_refusal(tmp_path):
    client, token = _client(tmp_path)
    body = b'{"values": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = client.post("/api/form", content=body, headers={"X-Token": token})
    assert response.status_code == 400
    assert response.json() == {"error": "the form sent something unexpected; reload the page"}


def test_listening_on_every_address_answers_to_this_machines_own(tmp_path):
    from slabuilder.jobs.serve import build_app, build_workspace, own_addresses

    workspace = build_workspace(EXAMPLE, tmp_path / "out")
    app = build_app(workspace, "0.0.0.0")
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    addresses = sorted(own_addresses())
    assert addresses
    for address in addresses:
        assert client.get(f"/?key={workspace.token}",
                          headers={"Host": f"{address}:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 421


@pytest.mark.parametrize("route", ["/api/form", "/api/save", "/api/load"])
def test_every_change_needs_the_pages_token(tmp_path, route):
    client, _ = _client(tmp_path)
    assert client.post(route, content=b"{}").status_code == 403
    assert client.post(route, content=b"{}", headers={"X-Token": "guess"}).status_code == 403
    assert not (tmp_path / "out").exists()


def test_saving_writes_the_commented_file_and_asks_before_replacing(tmp_path):
    client, token = _client(tmp_path)
    _update(client, token, revenue_target="1.2M")
    saved = client.post("/api/save", json={"replace": False}, headers={"X-Token": token})
    assert saved.status_code == 200, saved.text
    target = tmp_path / "out" / "acme-analytics.yaml"
    assert saved.json()["saved"] == str(target)
    answers = load_answers(target)
    assert answers.economics.revenue_target == 1_200_000
    assert target.read_text(encoding="utf-8") == dump_answers(answers)
    again = client.post("/api/save", json={}, headers={"X-Token": token})
    assert again.status_code == 409
    assert again.json()["exists"]
    replaced = client.post("/api/save", json={"replace": True}, headers={"X-Token": token})
    assert replaced.status_code == 200
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["acme-analytics.yaml"]


def test_saving_refuses_answers_with_a_problem(tmp_path):
    client, token = _client(tmp_path)
    _update(client, token, average_deal_size="nothing")
    refused = client.post("/api/save", json={}, headers={"X-Token": token})
    assert refused.status_code == 400
    assert "economics.average_deal_size" in refused.json()["error"]
    assert "Not ready to save" in client.get("/review").text


def test_review_lists_every_answer_with_a_link_back(tmp_path):
    """Each answer as the documents will read it: a number typed "1.2M" is $1,200,000, and one
    from the file is written out too (48 business hours, not a bare 48)."""
    client, token = _client(tmp_path)
    _update(client, token, revenue_target="1.2M")
    page = client.get("/review").text
    rows = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page))
    assert rows["Revenue target"] == "$1,200,000"
    assert rows["Average deal size"] == "$25,000"
    assert rows["Exceptions decided within (business hours)"] == "48 business hours"
    assert rows["Company name"] == "Acme Analytics"
    for section in QUESTIONNAIRE.sections:
        assert str(escape(section.title)) in page
    assert 'href="/#q-revenue_target"' in page
    assert f'href="/download/agreement.pdf?token={token}"' in page


def test_loading_a_file_uses_the_command_lines_messages(tmp_path):
    client, token = _client(tmp_path, None)
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "mql_to_sql: 60%", "mql_to_sql: 160%"), encoding="utf-8")
    response = client.post("/api/load", content=bad.read_bytes(), headers={
        "X-Token": token, "X-Filename": "C%3A%5Cfolder%5Cbad.yaml"})
    # Opened as `serve bad.yaml` opens it: the bad value is marked beside its question, with
    # the checker's own words, instead of the whole file being refused.
    assert response.status_code == 200
    expected = check_answers(bad)[1][0]
    fields = _update(client, token)["fields"]
    assert fields["mql_to_sql"]["error"] is not None
    assert fields["mql_to_sql"]["error"] in expected
    assert "Started from bad.yaml" in client.get("/").text
    for body, message in [(b"a: [", "not valid YAML"), (b"\xff\xfe", "not UTF-8"),
                          (b"x" * 1_000_001, "larger than"), (b"- 1\n", "holds a list")]:
        answer = client.post("/api/load", content=body, headers={"X-Token": token})
        assert answer.status_code == 400, body[:10]
        assert message in answer.json()["error"], body[:10]
    good = client.post("/api/load", content=EXAMPLE.read_bytes(), headers={
        "X-Token": token, "X-Filename": "acme.yaml"})
    assert good.status_code == 200
    assert 'value="Acme Analytics"' in client.get("/").text


@pytest.mark.slow  # renders PDFs of its own
def test_the_zip_holds_the_three_pdfs(tmp_path):
    client, token = _client(tmp_path)
    response = client.get(f"/download/all.zip?token={token}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["acme-analytics-agreement.pdf", "acme-analytics-brief.pdf",
                             "acme-analytics-summary.pdf"]
    assert client.get(f"/download/../../etc/passwd?token={token}").status_code == 404
    assert client.get(f"/download/other.pdf?token={token}").status_code == 404
    assert not (tmp_path / "out").exists()


def test_assets_are_the_packages_own(tmp_path):
    client, _ = _client(tmp_path)
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/fonts/Inter-Regular.otf").status_code == 200
    assert client.get("/static/..%2F__init__.py").status_code == 404
    page = client.get("/").text
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_serve_refuses_a_bad_start_with_one_line(run_cli, tmp_path):
    missing = run_cli("serve", tmp_path / "missing.yaml", "--no-browser")
    assert missing.code == 2
    assert "no such answers file" in missing.err
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    result = run_cli("serve", listed, "--no-browser")
    assert result.code == 2
    assert result.err.count("\n") == 1


def test_other_commands_do_not_load_the_web_libraries():
    code = ("import sys\nfrom slabuilder.cli import main\n"
            f"main(['plan', {str(EXAMPLE)!r}])\nmain(['--help'])\n"
            "sys.exit(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('starlette', 'uvicorn', 'httpx')) or 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_every_change_is_kept_as_a_draft_that_a_restart_resumes(tmp_path):
    """An incomplete answer typed, then the workspace stopped: started again on the same
    folder it shows that answer, says it resumed the draft, and a page left open keeps
    working (same token, same version)."""
    import stat

    client, token = _client(tmp_path, None)
    answer = client.post("/api/form", json={"values": {"company_name": "Pebble Labs"},
                                            "version": 0}, headers={"X-Token": token})
    assert answer.status_code == 200
    assert answer.json()["version"] == 1
    draft = tmp_path / "out" / ".slabuilder-draft.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert json.loads(draft.read_text(encoding="utf-8"))["typed"] == {
        "company_name": "Pebble Labs"}
    again = build_workspace(None, tmp_path / "out")
    assert (again.token, again.version) == (token, 1)
    restarted = TestClient(build_app(again), base_url="http://127.0.0.1:8765")
    page = restarted.get("/").text
    assert 'value="Pebble Labs"' in page
    assert "Resumed the answers not yet saved (last changed " in page
    assert restarted.get("/api/ping").json()["version"] == 1
    kept = restarted.post("/api/form", json={"values": {"company_name": "Pebble Labs Inc"},
                                             "version": 1}, headers={"X-Token": token})
    assert kept.status_code == 200


def test_a_stale_tab_is_told_to_reload_instead_of_overwriting(tmp_path):
    client, token = _client(tmp_path)
    first = client.post("/api/form", json={"values": {"revenue_target": "1.2M"},
                                           "version": 0}, headers={"X-Token": token})
    assert first.status_code == 200
    stale = client.post("/api/form", json={"values": {"revenue_target": "2M"}, "version": 0},
                        headers={"X-Token": token})
    assert stale.status_code == 409
    assert stale.json()["stale"] is True
    assert "changed in another tab or window; reload this page" in stale.json()["error"]
    draft = json.loads((tmp_path / "out" / ".slabuilder-draft.json").read_text("utf-8"))
    assert draft["typed"]["revenue_target"] == "1.2M"


def test_saving_the_answers_ends_the_draft(tmp_path):
    client, token = _client(tmp_path)
    _update(client, token, revenue_target="1.2M")
    assert (tmp_path / "out" / ".slabuilder-draft.json").exists()
    saved = client.post("/api/save", json={"replace": False}, headers={"X-Token": token})
    assert saved.status_code == 200, saved.text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["acme-analytics.yaml"]


def test_a_workspace_other_machines_can_reach_opens_only_with_its_key(tmp_path):
    """With --host other than loopback the address printed carries a key; without it the
    pages are refused, with it they open and the key is kept for the site alone."""
    from slabuilder.jobs.serve import is_loopback

    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.20")
    workspace = build_workspace(EXAMPLE, tmp_path / "out")
    client = TestClient(build_app(workspace, "192.168.1.20"), base_url="http://192.168.1.20:8765")
    for page in ("/", "/review"):
        refused = client.get(page)
        assert refused.status_code == 403
        assert "key included" in refused.text
    opened = client.get(f"/?key={workspace.token}")
    assert opened.status_code == 200
    assert "samesite=strict" in opened.headers["set-cookie"].lower()
    assert "httponly" in opened.headers["set-cookie"].lower()
    assert client.get("/review").status_code == 200  # the cookie carries the key


def test_a_pages_own_changes_in_flight_are_never_stale(tmp_path):
    """A page sends a change while its previous one is still on its way (both with the
    version it last saw): its own, so taken; another page with that version is refused."""
    client, token = _client(tmp_path)
    headers = {"X-Token": token}
    first = client.post("/api/form", json={"values": {"revenue_target": "1.1M"}, "version": 0,
                                           "tab": "a"}, headers=headers)
    second = client.post("/api/form", json={"values": {"revenue_target": "1.2M"},
                                            "version": 0, "tab": "a"}, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    other = client.post("/api/form", json={"values": {"revenue_target": "2M"}, "version": 0,
                                           "tab": "b"}, headers=headers)
    assert other.status_code == 409


def test_the_review_page_shows_the_figures_and_the_way_to_signatures(tmp_path):
    client, token = _client(tmp_path)
    page = client.get("/review").text
    assert "What the target asks for" in page
    assert '<td data-stage="MQLs">534</td>' in page
    assert "What happens next: signing" in page
    for name, key in (("Dana Reyes", "dana-reyes"), ("Sam Okafor", "sam-okafor"),
                      ("Jordan Lee", "jordan-lee")):
        assert (f'slabuilder sign acme-analytics-agreement.pdf --signer "{name}" --key '
                f"{key}.p12") in html.unescape(page)
    for service in ("docusign", "adobe", "dropbox"):
        assert f"/download/agreement.pdf?token={token}&amp;esign={service}" in page
    assert "DRAFT" not in page
    # Without the ICP the documents are drafts: said beside the downloads, and no signing.
    _update(client, token, industries=[])
    draft = client.get("/review").text
    assert "The documents are marked DRAFT until the ideal customer profile is complete" \
        in draft
    assert "agreement (PDF, DRAFT)" in draft
    # The way to signatures says what is missing first, by the questions' titles.
    assert "slabuilder sign" not in draft
    assert "The documents get their signature fields once the ideal customer profile is " \
        'complete (<a href="/#part-icp">still to answer</a>: Industries).' in draft
    assert client.get(f"/download/agreement.pdf?token={token}&esign=fax").status_code == 404


@pytest.mark.slow  # renders a PDF
def test_the_agreement_downloads_with_e_signature_tags(tmp_path):
    from pypdf import PdfReader

    client, token = _client(tmp_path)
    response = client.get(f"/download/agreement.pdf?token={token}&esign=docusign")
    assert response.status_code == 200
    # named apart from the agreement signed here, which the sign commands name
    assert response.headers["content-disposition"] == (
        'attachment; filename="acme-analytics-agreement-docusign.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\\s1\\" in text
    assert not reader.get_fields()


def test_a_company_that_writes_decimal_commas_is_read_its_way(tmp_path):
    """Answered "1.234,5", the browser reads 0,5 as half an hour and 1.000 as a thousand,
    refuses 1,000 with both readings, and the saved file holds the numbers as numbers."""
    client, token = _client(tmp_path)
    fields = _update(client, token, number_format="1.234,5", change_terms="yes",
                     speed_to_lead_hours="0,5", revenue_target="1.000.000",
                     pipeline_coverage="1,000")["fields"]
    assert fields["speed_to_lead_hours"]["error"] is None
    assert fields["revenue_target"]["error"] is None
    # Each number is shown back as read, written as the company writes numbers, and so
    # are the examples in the help and in a refusal.
    assert fields["speed_to_lead_hours"]["understood"] == "= 0,5 business hours"
    assert fields["revenue_target"]["understood"] == "= $1.000.000"
    assert "1,2M, $1.200.000 and 1200000 all work" in fields["revenue_target"]["help"]
    assert "Type rates as 60% or 0,6." in client.get("/").text  # a part's own introduction
    # Cents are read back as kept (the documents round to whole dollars; the plan does not).
    assert _update(client, token, number_format="1.234,5", revenue_target="1000000,5")[
        "fields"]["revenue_target"]["understood"] == "= $1.000.000,50"
    assert _update(client, token, revenue_target="1000000.5")["fields"]["revenue_target"][
        "understood"] == "= $1,000,000.50"
    assert _update(client, token, number_format="1.234,5", revenue_target="lots")["fields"][
        "revenue_target"]["error"] == "'lots' is not an amount; write it as 25000, 25.000 or $25k"
    assert fields["pipeline_coverage"]["error"] == (
        "'1,000' could be 1 (a decimal comma) or 1,000 (a comma between thousands); type 1 "
        "or 1.000")
    _update(client, token, number_format="1.234,5", change_terms="yes",
            speed_to_lead_hours="0,5", revenue_target="1.000.000", pipeline_coverage="3")
    saved = client.post("/api/save", json={"replace": False}, headers={"X-Token": token})
    assert saved.status_code == 200, saved.text
    from slabuilder.answerfile import load_answers

    answers = load_answers(tmp_path / "out" / "acme-analytics.yaml")
    assert (answers.sla.sales.speed_to_lead_hours, answers.economics.revenue_target) == (
        Decimal("0.5"), Decimal("1000000"))


def test_a_rate_of_zero_is_refused_at_its_own_question(tmp_path):
    """0% for the win rate used to leave the rate unmarked, blank the figures and point at a
    hidden question: the refusal now stands under the rate, and the panel links to it."""
    client, token = _client(tmp_path)
    data = _update(client, token, opportunity_to_won="0%")
    message = ("0% means no lead ever moves on from this stage, so no deal can ever close; "
               "give the real rate")
    assert data["fields"]["opportunity_to_won"]["error"] == message
    assert data["parts"]["funnel"] == "attention"
    assert f'<a href="/#q-opportunity_to_won">Win rate</a>: {message}' in data["figures"]


def test_the_page_names_questions_not_keys_and_an_empty_profile_is_not_done(tmp_path):
    """What the shared checks say with an answers-file key (company.name, icp.titles) the
    page says with the question's title; the profile's part is not ticked while its gaps
    keep the documents drafts."""
    client, token = _client(tmp_path, None)
    data = _update(client, token)
    assert data["parts"]["icp"] == "attention"
    review = client.get("/review").text
    assert "Not ready to save: “Company name”: an answer is needed here" in review
    assert not re.search(r"\b(company|icp|funnel|economics|sla)\.[a-z_]+", review)
    complete = _update(client, token, company_name="Pebble Labs", owner_name="Ana Ruiz",
                       marketing_signatory_name="Lee Park", sales_signatory_name="Jörg Weiß",
                       effective_date="2027-02-01", revenue_target="900k",
                       average_deal_size="30k", sdrs="2", aes="3", size_min="20",
                       size_max="200", industries="SaaS", geographies="Germany",
                       titles="VP Sales")
    assert complete["parts"]["icp"] == "done"
    assert '--signer "Jörg Weiß" --key jorg-weiss.p12' in html.unescape(
        client.get("/review").text)


def test_a_page_that_missed_a_change_saves_nothing(tmp_path):
    """A review page left open while another tab changed the answers would save what it
    does not show: it is told to reload, and nothing is written."""
    client, token = _client(tmp_path)
    seen = _update(client, token)["version"]
    _update(client, token, revenue_target="500000")  # another tab
    refused = client.post("/api/save", json={"replace": False, "version": seen},
                          headers={"X-Token": token})
    assert refused.status_code == 409
    assert refused.json()["stale"]
    assert not (tmp_path / "out" / "acme-analytics.yaml").exists()


def test_numbers_the_page_was_given_survive_a_change_of_number_format(tmp_path):
    """The page shows the file's deal size as 25,000; switching to a comma for decimals
    must not turn that untouched text into an ambiguous answer (it is the file's 25000)."""
    client, token = _client(tmp_path)
    page = client.get("/").text
    given = dict(re.findall(r'id="f-([a-z_]+)" name="[a-z_]+" type="text" value="([^"]*)"',
                            page))
    assert given["average_deal_size"] == "25,000"
    data = _update(client, token, **{**given, "number_format": "1.234,5"})
    assert data["fields"]["average_deal_size"]["error"] is None
    assert '<td data-stage="MQLs">534</td>' in data["figures"]
    # typed anew, the company's way, it is read that way
    data = _update(client, token, **{**given, "number_format": "1.234,5",
                                     "average_deal_size": "12.500"})
    assert '<td data-stage="MQLs">1,067</td>' in data["figures"]


def test_a_monthly_plan_shows_its_month_once(tmp_path):
    client, token = _client(tmp_path)
    figures = _update(client, token, period="month")["figures"]
    assert re.findall(r'<th scope="col">(a [a-z]+)</th>', figures) == ["a month", "a week"]
