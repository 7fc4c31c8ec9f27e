"""The PDFs themselves: text, page counts, metadata, PDF/A, reproducibility, the locked URL
fetcher and fonts.  Any WeasyPrint warning during a render fails the test."""

from __future__ import annotations

import functools
import http.server
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from helpers import EPOCH, ROOT, pdf_pages, render_clean, source_date, weasyprint_problems
from slabuilder.answerfile import answers_from_data
from slabuilder.errors import SlabuilderError
from slabuilder.outputs import RenderOptions, render_documents
from slabuilder.pdf import blocked_urls, build_date, html_to_pdf
from slabuilder.plan import Plan, build_plan

TEMPLATES = ROOT / "templates"


@functools.cache
def _extracted(path: Path, size: int) -> tuple[str, ...]:
    return tuple(pdf_pages(path))


def page_texts(path: Path) -> list[str]:
    """The text of every page, whitespace collapsed (cached: extraction is slow)."""
    return list(_extracted(path, path.stat().st_size))


def squashed(text: str) -> str:
    """Text without any whitespace, for strings a line break may have cut."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdfs(example_pdfs: dict[str, Path]) -> dict[str, Path]:
    """The example's three PDFs, rendered once for the session."""
    return example_pdfs


# --------------------------------------------------------------------------- content


def test_agreement_text_carries_figures_and_signatories(pdfs: dict[str, Path]):
    text = " ".join(page_texts(pdfs["agreement"]))
    for needle in ("534", "178", "320", "160", "$1,000,000", "Dana Reyes", "VP Marketing",
                   "Sam Okafor", "VP Sales", "Jordan Lee", "Director of Demand Generation",
                   "Acme Analytics", "DQ-01", "MQL threshold 25 points"):
        assert needle in text, needle


def test_every_page_has_header_footer_version_and_fingerprint(pdfs: dict[str, Path],
                                                              example_plan: Plan):
    pages = page_texts(pdfs["agreement"])
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Version 1" in text
        assert f"Answers fingerprint {example_plan.fingerprint}" in text
        if number > 1:
            assert "ACME ANALYTICS" in text
            assert "Sales and Marketing Service Level Agreement" in text


def test_signature_blocks_stay_together(pdfs: dict[str, Path]):
    pages = page_texts(pdfs["agreement"])
    (last,) = [text for text in pages if "By signing" in text]
    for name in ("Dana Reyes", "Sam Okafor", "Jordan Lee"):
        assert name in last
    import re

    assert len(re.findall(r"\bSignature\b", last)) == 3
    assert len(re.findall(r"\bDate\b", last)) == 3


def test_summary_fits_on_one_page(pdfs: dict[str, Path]):
    reader = PdfReader(pdfs["summary"])
    assert len(reader.pages) == 1
    text = page_texts(pdfs["summary"])[0]
    for needle in ("534", "178", "Dana Reyes", "Sam Okafor", "Jordan Lee", "Page 1 of 1"):
        assert needle in text


def test_page_size_follows_the_answers(pdfs: dict[str, Path], example_path: Path,
                                       tmp_path: Path):
    box = PdfReader(pdfs["summary"]).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(example_path, what="answers").data
    data["documents"] = {"page_size": "a4"}
    (written,) = render_clean(build_plan(answers_from_data(data)), ["summary"], tmp_path)
    box = PdfReader(written).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert len(PdfReader(written).pages) == 1


def test_brief_pdf_has_no_em_dash(pdfs: dict[str, Path]):
    assert all("\u2014" not in text for text in page_texts(pdfs["brief"]))


def test_fonts_are_the_shipped_ones(pdfs: dict[str, Path]):
    for path in pdfs.values():
        reader = PdfReader(path)
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        assert fonts, path
        # "SLA Sans" is the @font-face family over the shipped Inter files, "SLA Form" the
        # same Inter for the signature date fields: no system font.
        assert all(name.startswith(("SLA-Sans", "SLA-Form")) for name in fonts), fonts


# --------------------------------------------------------------------------- metadata


def test_pdf_metadata(pdfs: dict[str, Path], example_plan: Plan):
    meta = PdfReader(pdfs["agreement"]).metadata
    assert meta is not None
    assert meta.title == "Sales and Marketing Service Level Agreement: Acme Analytics"
    assert meta.author == "Jordan Lee, Director of Demand Generation, Acme Analytics"
    assert meta.subject is not None
    assert "Version 1, effective 2027-01-01" in meta.subject
    keywords = meta["/Keywords"]
    assert "service level agreement" in keywords
    assert f"fingerprint {example_plan.fingerprint}" in keywords
    assert meta["/CreationDate"] == "D:20270101000000Z"
    assert meta["/Creator"] == "slabuilder"


@pytest.mark.slow
def test_same_answers_give_identical_bytes(pdfs: dict[str, Path], example_plan: Plan,
                                           example_path: Path, tmp_path: Path):
    """The module fixture rendered in parallel workers; this renders serially: same bytes."""
    (again,) = render_clean(example_plan, ["agreement"], tmp_path, answers_path=example_path)
    assert again.read_bytes() == pdfs["agreement"].read_bytes()


@pytest.mark.slow
def test_one_pdf_made_by_the_worker_started_early_has_the_same_bytes(
        pdfs: dict[str, Path], example_path: Path, tmp_path: Path):
    """`render` of a single PDF starts its worker before the answers are read (it loads
    WeasyPrint meanwhile): the PDF is the one rendered in this process, and no worker is
    left behind, whether the PDF was made or the run failed first."""
    from slabuilder.jobs.render import run_render
    from slabuilder.pdfpool import _PREPARED, prepared_worker

    def children() -> list[str]:
        found = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
        return found.read_text().split() if found.exists() else []

    before = children()
    for doc in ("agreement", "summary"):  # the summary: laid out denser until on one page
        with source_date(), weasyprint_problems() as problems:
            (written,) = run_render([example_path], tmp_path, RenderOptions(formats=["pdf"]),
                                    docs=[doc])
        assert problems == []
        assert written.read_bytes() == pdfs[doc].read_bytes()
        assert _PREPARED == {}

    def fails_before_its_pdf() -> None:
        with prepared_worker():
            assert _PREPARED
            raise SlabuilderError("the answers are wrong")

    with pytest.raises(SlabuilderError):
        fails_before_its_pdf()
    assert _PREPARED == {}
    assert children() == before


def test_the_early_worker_says_when_weasyprint_cannot_load(
        example_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from slabuilder import pdf
    from slabuilder.jobs.render import run_render

    def missing() -> None:
        raise pdf.PdfRenderError("PDF output needs WeasyPrint and the Pango library")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    with pytest.raises(pdf.PdfRenderError, match="needs WeasyPrint and the Pango library"):
        run_render([example_path], tmp_path, RenderOptions(formats=["pdf"]), docs=["summary"])
    assert list(tmp_path.iterdir()) == []


def test_source_date_epoch_must_be_a_number():
    with source_date("next tuesday"), pytest.raises(SlabuilderError, match="SOURCE_DATE_EPOCH"):
        build_date()


@pytest.mark.slow  # renders PDFs of its own
def test_pdfa_embeds_the_answers_file(example_plan: Plan, example_path: Path, tmp_path: Path):
    (written,) = render_clean(example_plan, ["summary"], tmp_path, pdfa=True,
                              answers_path=example_path)
    reader = PdfReader(written)
    assert reader.attachments == {"acme.yaml": [example_path.read_bytes()]}
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b'pdfaid:conformance="B"' in xmp or b"<pdfaid:conformance>B" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    with source_date():
        again = render_documents(example_plan, ["summary"], tmp_path / "again",
                                 RenderOptions(formats=["pdf"], pdfa=True),
                                 answers_path=example_path)
    assert again[0].read_bytes() == written.read_bytes()


def test_plain_pdf_has_no_attachment(pdfs: dict[str, Path]):
    assert PdfReader(pdfs["agreement"]).attachments == {}


# --------------------------------------------------------------------------- draft


@pytest.mark.slow
def test_draft_marks_every_page(example_path: Path, tmp_path: Path):
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(example_path, what="answers").data
    del data["icp"]
    (written,) = render_clean(build_plan(answers_from_data(data)), ["agreement"], tmp_path,
                              draft=True)
    pages = page_texts(written)
    assert len(pages) >= 5
    for text in pages:
        assert "DRAFT" in text
        assert "NOT FOR SIGNATURE" in text


# --------------------------------------------------------------------------- the fetcher


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_fetcher_refuses_files_and_network(local_server: tuple[str, list[str]],
                                           tmp_path: Path):
    url, hits = local_server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    html = (f'<html><head><link rel="attachment" href="{secret.as_uri()}">'
            f'<link rel="stylesheet" href="{secret.as_uri()}">'
            f'<link rel="stylesheet" href="{url}/style.css"></head>'
            f'<body><img src="{url}/pixel.png"><img src="../../../../etc/hostname">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            "<p>text</p></body></html>")
    with weasyprint_problems():
        blocked = blocked_urls(html, base_url=TEMPLATES)
        data = html_to_pdf(html, base_url=TEMPLATES, metadata={"title": "t"}, pdfa=False,
                           attachment=None)
    assert hits == []
    assert secret.as_uri() in blocked
    assert f"{url}/style.css" in blocked
    assert f"{url}/pixel.png" in blocked
    assert "file:///etc/hostname" in blocked
    assert not any(u.startswith("data:") for u in blocked)
    assert b"/EmbeddedFile" not in data
    assert PdfReader(io.BytesIO(data)).attachments == {}
    assert "TOPSECRET" not in pdf_pages(data)[0]


@pytest.mark.slow  # renders PDFs of its own
def test_answers_that_look_like_markup_stay_text(example_path: Path, tmp_path: Path,
                                                 local_server: tuple[str, list[str]]):
    url, hits = local_server
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(example_path, what="answers").data
    data["current_state"]["main_conflict"] = (
        f'<link rel="attachment" href="file:///etc/passwd"> <img src="{url}/x.png">')
    (written,) = render_clean(build_plan(answers_from_data(data)), ["brief"], tmp_path)
    text = squashed(" ".join(page_texts(written)))
    assert squashed('<link rel="attachment" href="file:///etc/passwd">') in text
    assert squashed(f'<img src="{url}/x.png">') in text
    assert hits == []
    assert PdfReader(written).attachments == {}


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_render_many_files_on_a_machine_without_fonts(example_path: Path, tmp_path: Path):
    """Two answers files at once, with fontconfig knowing no fonts at all: same PDFs."""
    second = tmp_path / "beta.yaml"
    second.write_text(example_path.read_text(encoding="utf-8").replace(
        "name: Acme Analytics", "name: Beta Robotics"), encoding="utf-8")
    empty = tmp_path / "fonts.conf"
    empty.write_text("<?xml version='1.0'?><fontconfig></fontconfig>", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FONTCONFIG_FILE": str(empty)}
    command = [sys.executable, "-m", "slabuilder", "render", str(example_path), str(second),
               "-o", str(tmp_path / "out"), "--doc", "summary,agreement", "--format", "pdf"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["acme-analytics-agreement.pdf", "acme-analytics-summary.pdf",
                     "beta-robotics-agreement.pdf", "beta-robotics-summary.pdf"]
    beta = " ".join(page_texts(tmp_path / "out" / "beta-robotics-summary.pdf"))
    assert "BETA ROBOTICS" in beta
    assert "178" in beta
    with source_date():
        (reference,) = render_documents(build_plan(answers_from_data(_read(example_path))),
                                        ["summary"], tmp_path / "reference",
                                        RenderOptions(formats=["pdf"]))
    assert (tmp_path / "out" / "acme-analytics-summary.pdf").read_bytes() == \
        reference.read_bytes()


def _read(path: Path) -> Any:
    from slabuilder.yamlio import read_yaml_file

    return read_yaml_file(path, what="answers").data


def test_missing_fonts_are_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         example_plan: Plan):
    import slabuilder.documents as documents

    monkeypatch.setattr(documents, "_shipped_templates", lambda: tmp_path)
    with pytest.raises(SlabuilderError, match="installed without its fonts"):
        render_documents(example_plan, ["summary"], tmp_path / "out",
                         RenderOptions(formats=["pdf"]))
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # renders PDFs of its own
def test_pdfa_without_a_file_embeds_the_answers_as_yaml(example_plan: Plan, tmp_path: Path):
    (written,) = render_clean(example_plan, ["summary"], tmp_path, pdfa=True)
    ((name, (content,)),) = PdfReader(written).attachments.items()
    assert name == "acme-analytics-answers.yaml"
    embedded = tmp_path / name
    embedded.write_bytes(content)
    from slabuilder.answerfile import load_answers

    assert load_answers(embedded) == example_plan.answers


@pytest.mark.slow  # renders PDFs of its own
def test_a_user_folder_can_bring_its_own_font(example_plan: Plan, tmp_path: Path):
    user = tmp_path / "ours"
    (user / "fonts").mkdir(parents=True)
    (user / "fonts" / "Custom.otf").write_bytes((TEMPLATES / "fonts" / "Inter-Bold.otf")
                                                .read_bytes())
    (user / "style.css").write_text(
        (TEMPLATES / "style.css").read_text(encoding="utf-8")
        + '@font-face { font-family: "Custom"; src: url("fonts/Custom.otf"); }'
        + ' p { font-family: "Custom"; }', encoding="utf-8")
    (written,) = render_clean(example_plan, ["summary"], tmp_path / "out", templates_dir=user)
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for font in PdfReader(written).pages[0]["/Resources"]["/Font"].values()}
    assert any(name.startswith("Custom") for name in fonts), fonts


def test_agreement_outline_follows_the_numbered_sections(pdfs: dict[str, Path]):
    outline = PdfReader(pdfs["agreement"]).outline
    assert outline[0].title == "Sales and Marketing Service Level Agreement"
    sections = [item.title for item in outline[1] if not isinstance(item, list)]
    assert sections[:3] == ["1. Parties and purpose", "2. Definitions",
                            "3. Revenue and MQL targets"]
    assert sections[-1] == "13. Signatures"


# --------------------------------------------------------------------------- one-page summary


def _long_summary_data(example_path: Path, disqualifier: str) -> dict[str, Any]:
    """Four signatories, a very long company name and seven disqualifiers."""
    from slabuilder.yamlio import read_yaml_file

    data = read_yaml_file(example_path, what="answers").data
    data["company"]["name"] = "Acme Analytics International Holdings (EMEA) GmbH & Co. KG"
    data["agreement"]["signatories"] += [
        {"name": "Lee Chan", "title": "Director of Revenue Operations", "side": "revops"},
        {"name": "Pat Kim", "title": "Chief Revenue Officer", "side": "executive"}]
    data["icp"]["disqualifiers"] = [f"{disqualifier} {n}" for n in range(1, 8)]
    return dict(data)


@pytest.mark.slow  # renders PDFs of its own
def test_draft_summary_fits_on_one_page(example_plan: Plan, tmp_path: Path):
    (written,) = render_clean(example_plan, ["summary"], tmp_path, draft=True)
    (text,) = page_texts(written)
    assert "DRAFT" in text
    assert "Signed by" in text
    assert "Jordan Lee Director of Demand Generation, owner" in text
    assert "Page 1 of 1" in text


@pytest.mark.parametrize("disqualifier", [
    "Partner or reseller",
    "An account in an active renewal or with an open support escalation of any severity, "
    "whichever team owns it"])
@pytest.mark.slow  # renders PDFs of its own
def test_long_summary_fits_on_one_page(example_path: Path, tmp_path: Path, disqualifier: str):
    """The longer disqualifiers overflow the page as designed: the denser steps take over."""
    plan = build_plan(answers_from_data(_long_summary_data(example_path, disqualifier)))
    (written,) = render_clean(plan, ["summary"], tmp_path, draft=True)
    (text,) = page_texts(written)
    for needle in ("Signed by", "Dana Reyes", "Sam Okafor", "Lee Chan", "Pat Kim",
                   "Jordan Lee", "Page 1 of 1", f"{disqualifier} 7"):
        assert squashed(needle) in squashed(text)


def test_overlong_summary_needs_the_denser_steps(example_path: Path):
    from slabuilder.context import build_context
    from slabuilder.documents import render_html

    plan = build_plan(answers_from_data(_long_summary_data(
        example_path, "An account in an active renewal or with an open support escalation "
        "of any severity, whichever team owns it")))
    html = render_html("summary", build_context(plan, draft=True))
    with source_date():
        as_designed = html_to_pdf(html, base_url=TEMPLATES, metadata={}, pdfa=False,
                                  attachment=None)
    assert len(PdfReader(io.BytesIO(as_designed)).pages) == 2


@pytest.mark.slow  # renders PDFs of its own
def test_symbols_inter_lacks_print_from_the_shipped_fallback(example_path: Path,
                                                              tmp_path: Path):
    """Smileys, ticks and arrows come from the shipped DejaVu subset, not empty boxes."""
    data = _read(example_path)
    data["company"]["name"] = "Acme \u263a Analytics \u2713 \u2192 \u2605"
    (written,) = render_clean(build_plan(answers_from_data(data)), ["summary"], tmp_path)
    fonts = set()
    for page in PdfReader(written).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    families = {"-".join(name.split("-")[:2]) for name in fonts}
    assert families == {"SLA-Sans", "SLA-Symbols", "SLA-Form"}, fonts
    assert "\u263a ANALYTICS \u2713 \u2192 \u2605" in page_texts(written)[0]
    assert (TEMPLATES / "fonts" / "LICENSE-DejaVu.txt").is_file()
