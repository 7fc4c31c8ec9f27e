"""Signature fields, e-signature tags, digital signing and signature status.

Keys come from a throw-away certificate authority made at test time (tests/pki.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from helpers import CliResult, pdf_pages, pdf_text, render_clean, source_date
from pki import PASSPHRASE, Pki, make_pki
from slabuilder.errors import OutputError, SlabuilderError
from slabuilder.jobs.sign import sign_document
from slabuilder.jobs.status import signature_status, version_in_force
from slabuilder.outputs import RenderOptions, prepare_outputs, render_documents
from slabuilder.plan import Plan

SIGNERS = ("Dana Reyes", "Sam Okafor", "Jordan Lee")
FIELDS = {"Dana Reyes": "Dana Reyes (Marketing)", "Sam Okafor": "Sam Okafor (Sales)",
          "Jordan Lee": "Jordan Lee (Agreement owner)"}


@pytest.fixture(scope="module")
def rendered(example_pdfs: dict[str, Path]) -> dict[str, Path]:
    """The example's three PDFs, rendered once for the session (copied before signing)."""
    return example_pdfs


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


IN_EFFECT = dt.date(2027, 1, 15)
"""A day the example's version 1 (effective 2027-01-01) is in effect."""


@pytest.fixture(autouse=True)
def _company_ca_trusted(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test authority is configured as trusted, as a company's own would be."""
    ca = pki.folder / "company-ca.pem"
    ca.write_bytes(pki.ca_pem)
    monkeypatch.setenv("SLABUILDER_TRUST", str(ca))


@pytest.fixture(scope="module")
def keys(pki: Pki) -> dict[str, Path]:
    return {name: pki.issue(name) for name in SIGNERS}


@pytest.fixture(scope="module")
def both_signed(rendered: dict[str, Path], keys: dict[str, Path],
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes]:
    """The agreement signed by Dana Reyes, then Sam Okafor: (file, unsigned, after one)."""
    folder = tmp_path_factory.mktemp("signed")
    pdf = folder / rendered["agreement"].name
    shutil.copy(rendered["agreement"], pdf)
    unsigned = pdf.read_bytes()
    first = sign_document(pdf, key_file=keys["Dana Reyes"], passphrase=PASSPHRASE,
                          signer="Dana Reyes")
    assert first.in_place
    assert first.field == "Dana Reyes (Marketing) signature"
    after_one = pdf.read_bytes()
    sign_document(pdf, key_file=keys["Sam Okafor"], passphrase=PASSPHRASE, signer="sam okafor")
    return pdf, unsigned, after_one


def _widgets(path: Path) -> list[dict[str, Any]]:
    found = []
    for number, page in enumerate(PdfReader(path).pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            found.append({"page": number, "type": annot.get("/FT"), "name": annot.get("/T"),
                          "rect": [float(v) for v in annot["/Rect"]],
                          "ap": "/AP" in annot, "flags": annot.get("/F")})
    return found


def _words(path: Path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, word, x0, top, x1, bottom) in PDF points from the top of the page."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = []
    for number, page in enumerate(html.split("<page ")[1:]):
        for match in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                 r'yMax="([\d.]+)">([^<]*)</word>', page):
            x0, top, x1, bottom = (float(match.group(i)) for i in range(1, 5))
            words.append((number, match.group(5), x0, top, x1, bottom))
    return words


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize("doc", ["agreement", "summary"])
def test_each_person_has_a_named_signature_and_date_field_on_their_line(
        rendered: dict[str, Path], doc: str):
    widgets = _widgets(rendered[doc])
    signatures = {w["name"]: w for w in widgets if w["type"] == "/Sig"}
    dates = {w["name"]: w for w in widgets if w["type"] == "/Tx"}
    assert sorted(signatures) == sorted(f"{label} signature" for label in FIELDS.values())
    assert sorted(dates) == sorted(f"{label} date" for label in FIELDS.values())
    height = float(PdfReader(rendered[doc]).pages[0].mediabox.height)
    words = _words(rendered[doc])
    for person, label in FIELDS.items():
        first, last = person.split()
        sig, date = signatures[f"{label} signature"], dates[f"{label} date"]
        llx, lly, urx, ury = sig["rect"]
        assert ury - lly > 20, "room to sign"
        # The person's printed name sits just under the field, within its width: the
        # field is on that person's own line, not a neighbour's.
        names = [(x0, height - top) for (page, word, x0, top, _, _), following
                 in itertools.pairwise(words)
                 if word == first and following[1] == last and page == sig["page"]
                 and llx - 1 <= x0 <= urx and 0 < lly - (height - top) < 30]
        assert len(names) == 1, (person, sig["rect"])
        name_y = names[0][1]
        assert sig["page"] == date["page"]
        date_left, date_top = date["rect"][0], max(date["rect"][1::2])
        assert abs(date_left - llx) < 1, (person, "date field in the same block")
        assert name_y - 60 < date_top < name_y, (person, "date field under the name")
        assert sig["ap"]
        assert sig["flags"] == 4


def test_agreement_fields_sit_on_its_signatures_page(rendered: dict[str, Path]):
    pages = pdf_pages(rendered["agreement"])
    (signature_page,) = [n for n, text in enumerate(pages) if "By signing" in text]
    assert {w["page"] for w in _widgets(rendered["agreement"])} == {signature_page}


def test_brief_has_no_signature_fields_and_drafts_none(rendered: dict[str, Path],
                                                        example_plan: Plan, tmp_path: Path):
    assert _widgets(rendered["brief"]) == []
    outputs = prepare_outputs(example_plan, ["agreement"], tmp_path,
                              RenderOptions(formats=["html", "pdf"], draft=True))
    assert "data-sign-field" not in outputs[0].html
    assert outputs[1].pdf_job is not None
    assert outputs[1].pdf_job.signing is None


@pytest.mark.slow  # renders PDFs of its own
def test_fields_survive_pdfa(example_plan: Plan, example_path: Path, tmp_path: Path,
                             keys: dict[str, Path]):
    with source_date():
        (written,) = render_documents(example_plan, ["summary"], tmp_path,
                                      RenderOptions(formats=["pdf"], pdfa=True),
                                      answers_path=example_path)
    widgets = _widgets(written)
    assert sorted(w["type"] for w in widgets) == ["/Sig"] * 3 + ["/Tx"] * 3
    assert all(w["ap"] and w["flags"] == 4 for w in widgets)
    form = PdfReader(written).trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in form
    xmp = PdfReader(written).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    # Signed, the file names one producer in its information and its XMP, as PDF/A asks.
    sign_document(written, key_file=keys["Dana Reyes"], passphrase=PASSPHRASE,
                  signer="Dana Reyes")
    signed = PdfReader(written)
    xmp = signed.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    producer = re.search(r'pdf:Producer(?:>|=")([^<"]*)', xmp)
    assert producer is not None
    assert signed.metadata is not None
    assert signed.metadata["/Producer"] == producer.group(1)


# --------------------------------------------------------------------------- e-sign tags


@pytest.mark.parametrize(("service", "signature", "date"), [
    ("docusign", "\\s{n}\\", "\\d{n}\\"),
    ("adobe", "{{{{Sig_es_:signer{n}:signature}}}}", "{{{{Dte_es_:signer{n}:date}}}}"),
    ("dropbox", "[sig|req|signer{n}]", "[date|req|signer{n}]")])
def test_esign_tags_one_signer_number_per_person_in_answer_order(
        example_plan: Plan, tmp_path: Path, service: str, signature: str, date: str):
    (output,) = prepare_outputs(example_plan, ["agreement"], tmp_path,
                                RenderOptions(formats=["html"], esign_tags=service))
    blocks = output.html.split('<div class="signature">')[1:]
    assert len(blocks) == 3
    for number, (person, block) in enumerate(zip(SIGNERS, blocks, strict=True), start=1):
        assert person in block
        tags = re.findall(r'<span class="esign-tag">([^<]*)</span>', block)
        assert tags == [signature.format(n=number), date.format(n=number)]


@pytest.mark.slow  # renders PDFs of its own
def test_esign_tags_are_in_the_pdf_text_and_white(example_plan: Plan, tmp_path: Path,
                                                  keys: dict[str, Path]):

    (written,) = render_clean(example_plan, ["agreement"], tmp_path, esign_tags="dropbox")
    text = subprocess.run(["pdftotext", str(written), "-"], capture_output=True, text=True,
                          check=True).stdout
    for number in (1, 2, 3):
        assert f"[sig|req|signer{number}]" in text
        assert f"[date|req|signer{number}]" in text
    css = (Path(__file__).parent.parent / "templates" / "style.css").read_text("utf-8")
    assert re.search(r"\.esign-tag \{[^}]*color: #ffffff;", css)
    # The services size a field from its tag: set at 10pt, not 6pt (7pt-tall fields).
    assert re.search(r"\.esign-tag \{[^}]*font-size: 10pt;", css)
    # No PDF field under the tags: a service converting fields would make each twice.
    assert _widgets(written) == []
    # The copy is for the service; `sign` says so instead of failing on a missing field.
    with pytest.raises(SlabuilderError, match="is the copy for dropbox e-signature"):
        sign_document(written, key_file=keys["Dana Reyes"], passphrase=PASSPHRASE,
                      signer="Dana Reyes")


def test_unknown_esign_service_is_refused(run_cli: Callable[..., CliResult],
                                          example_path: Path, tmp_path: Path):
    result = run_cli("render", example_path, "-o", tmp_path, "--esign-tags", "fax")
    assert result.code == 2
    assert "--esign-tags" in result.err
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------------------- signing


def test_two_signers_in_turn_both_valid_by_pyhanko(both_signed: tuple[Path, bytes, bytes],
                                                   pki: Pki):
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    pdf, unsigned, after_one = both_signed
    data = pdf.read_bytes()
    # Incremental updates: every earlier byte is kept.
    assert after_one.startswith(unsigned)
    assert data.startswith(after_one)
    with pdf.open("rb") as handle:
        reader = PdfFileReader(handle)
        signatures = reader.embedded_regular_signatures
        assert [s.field_name for s in signatures] == [
            "Dana Reyes (Marketing) signature", "Sam Okafor (Sales) signature"]
        context = ValidationContext(trust_roots=list(load_certs_from_pemder_data(pki.ca_pem)),
                                    allow_fetching=False)
        first, second = (validate_pdf_signature(s, context) for s in signatures)
        for status in (first, second):
            assert status.intact
            assert status.valid
            assert status.trusted
            assert status.bottom_line
        assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        assert first.signing_cert.subject.native["common_name"] == "Dana Reyes"
        assert second.signing_cert.subject.native["common_name"] == "Sam Okafor"
        # The first covers its whole revision and only a signature was added after it;
        # the last covers the whole file.
        assert first.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        assert first.modification_level == ModificationLevel.FORM_FILLING
        assert second.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert second.modification_level == ModificationLevel.NONE
    # What the signed fields show is set in an embedded font (PDF/A allows no other): the
    # page's four Inter faces, and the Inter subsets of the two stamps and the two dates
    # filled in at signing.
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    embedded = [re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\S+\s+\S+$", line)
                for line in listing]
    assert len(listing) == 8
    assert all(match is not None and match.group(1) == "yes" for match in embedded), listing


def test_status_names_signers_and_the_version_in_force(
        both_signed: tuple[Path, bytes, bytes], pki: Pki, rendered: dict[str, Path]):
    pdf, _, _ = both_signed
    report = signature_status(pdf, trust_roots=[pki.ca_pem])
    (doc,) = report.documents
    assert (doc.document, doc.version, doc.effective_date, doc.company) == (
        "agreement", 1, "2027-01-01", "Acme Analytics")
    assert doc.fingerprint == "cd27d82ee0e8"
    states = {f.name: (f.signed, f.intact, f.trusted, f.changed_after) for f in doc.fields}
    assert states == {"Dana Reyes": (True, True, True, False),
                      "Sam Okafor": (True, True, True, False),
                      "Jordan Lee": (False, None, None, None)}
    dana = doc.fields[0]
    assert dana.signed_by == "Organization: Acme Analytics, Common Name: Dana Reyes"
    assert dana.signed_at is not None
    assert dana.signed_at.endswith("+00:00")
    assert not doc.changed_after_signing
    assert doc.problems == []
    # Signed today, it takes effect on January 1: not in force before then.
    assert version_in_force(pdf.parent, on=dt.date(2026, 12, 31)) is None
    in_force = version_in_force(pdf.parent, on=IN_EFFECT)
    assert in_force is not None
    assert (in_force.version, in_force.effective_date, in_force.fingerprint) == (
        1, "2027-01-01", "cd27d82ee0e8")
    assert in_force.documents == [str(pdf)]
    # The freshly rendered folder: nothing signed, nothing in force; the brief is not ours.
    fresh = signature_status(rendered["agreement"].parent)
    assert fresh.in_force == []
    assert [Path(p).name for p in fresh.not_ours] == ["acme-analytics-brief.pdf"]
    assert version_in_force(rendered["agreement"].parent) is None


def test_a_version_signed_with_untrusted_keys_is_not_in_force(
        both_signed: tuple[Path, bytes, bytes], tmp_path: Path,
        run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch):
    """Keys from another authority bearing the right names: with --trust naming the company's
    authority, the signatures are intact but not trusted, and no version binds."""
    pdf, _, _ = both_signed
    other = make_pki(tmp_path / "other")
    (tmp_path / "other-ca.pem").write_bytes(other.ca_pem)
    report = signature_status(pdf, trust_roots=[other.ca_pem])
    (doc,) = report.documents
    assert [(f.name, f.intact, f.trusted) for f in doc.fields if f.signed] == [
        ("Dana Reyes", True, False), ("Sam Okafor", True, False)]
    assert report.in_force == []
    # Nothing but the other authority is trusted here (not the company's, not this
    # machine's): the right names do not make a signature trusted.
    monkeypatch.delenv("SLABUILDER_TRUST")
    result = run_cli("status", pdf, "--trust", tmp_path / "other-ca.pem", "--on",
                     "2027-01-15")
    assert result.code == 2
    assert "NOT trusted" in result.out
    assert "No version is in force on 2027-01-15" in result.out
    assert result.err.startswith(f"slabuilder: {pdf}: the signature of Dana Reyes is not "
                                 "trusted: its certificate does not chain to a certificate "
                                 "authority trusted here (give yours with --trust CA.pem) "
                                 "(and 1 more problem above)")
    # Nor without --trust: a signature is in force only when it is trusted.
    assert run_cli("status", pdf, "--on", "2027-01-15").code == 2
    monkeypatch.setenv("SLABUILDER_TRUST", str(tmp_path / "other-ca.pem"))
    assert version_in_force(pdf.parent, on=IN_EFFECT) is None


def test_one_signature_is_not_enough(both_signed: tuple[Path, bytes, bytes], tmp_path: Path):
    _, _, after_one = both_signed
    (tmp_path / "agreement.pdf").write_bytes(after_one)
    assert version_in_force(tmp_path, on=IN_EFFECT) is None


def test_a_changed_byte_is_reported(both_signed: tuple[Path, bytes, bytes], tmp_path: Path,
                                    run_cli: Callable[..., CliResult]):
    pdf, _, _ = both_signed
    data = bytearray(pdf.read_bytes())
    at = data.index(b"/Title (Sales and Marketing") + len(b"/Title (S")
    data[at] = ord("X")  # "Sxles": one byte, inside what both signatures cover
    tampered = tmp_path / "agreement.pdf"
    tampered.write_bytes(bytes(data))
    report = signature_status(tampered)
    (doc,) = report.documents
    assert [(f.name, f.intact) for f in doc.fields if f.signed] == [
        ("Dana Reyes", False), ("Sam Okafor", False)]
    assert doc.changed_after_signing
    assert "the signature of Dana Reyes is broken: the signed content was changed" in \
        doc.problems
    assert report.in_force == []
    result = run_cli("status", tampered)
    # the whole status is printed, then one line says why it is not clean (exit 2)
    assert result.code == 2
    assert "BROKEN" in result.out
    assert "CHANGED after signing" in result.out
    assert "No version is in force on" in result.out
    assert result.err == (f"slabuilder: {tampered}: the signature of Dana Reyes is broken: "
                          f"the signed content was changed (and {len(doc.problems) - 1} more "
                          f"problem{'s' * (len(doc.problems) > 2)} above)\n")


def test_answers_that_no_longer_match_are_reported(both_signed: tuple[Path, bytes, bytes],
                                                   example_text: str, tmp_path: Path,
                                                   run_cli: Callable[..., CliResult]):
    pdf, _, _ = both_signed
    shutil.copy(pdf, tmp_path / pdf.name)
    (tmp_path / "acme.yaml").write_text(example_text.replace("1000000", "1200000"),
                                        encoding="utf-8")
    (doc,) = signature_status(tmp_path).documents
    assert len(doc.problems) == 1
    assert doc.problems[0].startswith("its answers file acme.yaml no longer matches it")
    result = run_cli("status", tmp_path, "--json", "--on", "2027-01-15")
    assert result.code == 2

    data = json.loads(result.out)
    assert (data["ok"], data["problems"]) == (
        False, [f"{tmp_path / pdf.name}: {doc.problems[0]}"])
    assert data["in_force"][0]["version"] == 1
    assert data["documents"][0]["problems"] == doc.problems
    assert data["documents"][0]["signed_by_every_signatory"] is True


def test_a_signed_pdf_is_never_overwritten(both_signed: tuple[Path, bytes, bytes],
                                           example_plan: Plan):
    pdf, _, _ = both_signed
    before = pdf.read_bytes()
    with pytest.raises(OutputError, match="carries a signature and is never overwritten"):
        render_documents(example_plan, ["agreement"], pdf.parent,
                         RenderOptions(formats=["pdf"], force=True))
    assert pdf.read_bytes() == before


@pytest.fixture
def sign_cli(run_cli: Callable[..., CliResult],
             monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    monkeypatch.setenv("SLABUILDER_SIGN_PASSPHRASE", PASSPHRASE)

    def run(*args: str | Path) -> CliResult:
        return run_cli("sign", *args)

    return run


def _refused(result: CliResult, message: str) -> str:
    assert result.code == 2, result
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("slabuilder: ")
    assert message in result.err, result.err
    assert "Traceback" not in result.err
    return result.err


@pytest.mark.slow
def test_sign_refuses_bad_input_and_writes_nothing(
        sign_cli: Callable[..., CliResult], both_signed: tuple[Path, bytes, bytes],
        rendered: dict[str, Path], keys: dict[str, Path], pki: Pki, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch):
    signed = tmp_path / "signed.pdf"
    shutil.copy(both_signed[0], signed)
    fresh = tmp_path / "fresh.pdf"
    shutil.copy(rendered["agreement"], fresh)
    brief = tmp_path / "brief.pdf"
    shutil.copy(rendered["brief"], brief)
    text = tmp_path / "notes.pdf"
    text.write_text("hello", encoding="utf-8")
    before = {path: path.read_bytes() for path in (signed, fresh, brief, text)}
    dana = keys["Dana Reyes"]
    _refused(sign_cli(brief, "--key", dana, "--signer", "Dana Reyes"),
             "is not a signable document made by slabuilder")
    _refused(sign_cli(text, "--key", dana, "--signer", "Dana Reyes"), "is not a PDF")
    _refused(sign_cli(fresh, "--key", dana, "--signer", "Pat Kim"),
             "'Pat Kim' does not sign this agreement; choose one of: Dana Reyes, Sam Okafor, "
             "Jordan Lee")
    _refused(sign_cli(signed, "--key", dana, "--signer", "Dana Reyes"),
             "the field 'Dana Reyes (Marketing) signature' is already signed")
    _refused(sign_cli(fresh, "--key", keys["Sam Okafor"], "--signer", "Dana Reyes"),
             "the key belongs to 'Sam Okafor', not to 'Dana Reyes'")
    expired = pki.issue("Dana Reyes", days=(-400, -10), file="expired.p12")
    _refused(sign_cli(fresh, "--key", expired, "--signer", "Dana Reyes"), "expired on")
    _refused(sign_cli(fresh, "--key", tmp_path / "none.p12", "--signer", "Dana Reyes"),
             "no such key file")
    refused = _refused(sign_cli(fresh, "--key", dana, "--signer", "Dana Reyes", "-o", brief),
                       "already exists")
    # sign has no --force, so the message must not offer one
    assert "--force" not in refused
    assert "give -o a new name, or leave -o out to sign the PDF itself" in refused
    monkeypatch.setenv("SLABUILDER_SIGN_PASSPHRASE", "not the passphrase")
    _refused(sign_cli(fresh, "--key", dana, "--signer", "Dana Reyes"),
             "the passphrase is wrong or it is not a PKCS#12")
    for path, data in before.items():
        assert path.read_bytes() == data, path
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "brief.pdf", "fresh.pdf", "notes.pdf", "signed.pdf"]


@pytest.mark.slow
def test_sign_command_signs_the_owner_into_another_file(
        sign_cli: Callable[..., CliResult], both_signed: tuple[Path, bytes, bytes],
        keys: dict[str, Path], tmp_path: Path, run_cli: Callable[..., CliResult]):
    pdf, _, _ = both_signed
    target = tmp_path / "countersigned.pdf"
    result = sign_cli(pdf, "--key", keys["Jordan Lee"], "--signer", "Jordan Lee", "-o", target)
    assert result.code == 0, result.err
    assert result.out == (f"{target}: signed 'Jordan Lee (Agreement owner) signature' as "
                          "O=Acme Analytics,CN=Jordan Lee\n")
    assert target.read_bytes().startswith(pdf.read_bytes())
    status = run_cli("status", target, "--on", "2027-01-15")
    assert status.code == 0
    assert "Jordan Lee (Director of Demand Generation, owner): signed by Organization: Acme " \
        "Analytics, Common Name: Jordan Lee at " in status.out
    assert "not changed after signing" in status.out
    assert "In force for Acme Analytics on 2027-01-15: version 1, effective 2027-01-01 " \
        "(answers fingerprint cd27d82ee0e8)" in status.out


@pytest.mark.parametrize("command", ["sign", "status"])
def test_help(run_cli: Callable[..., CliResult], command: str):
    result = run_cli(command, "--help")
    assert result.code == 0
    assert f"Usage: slabuilder {command}" in result.out


# --------------------------------------------------------------------------- text layer


@pytest.fixture(scope="module")
def every_pdf(rendered: dict[str, Path], example_path: Path,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of PDF the tool writes: the three documents, the report shells (which
    carry form fields) and, from a renegotiation, the amendment and version 2."""
    from slabuilder.cli import main

    out = tmp_path_factory.mktemp("every")
    with source_date():
        assert main(["report", str(example_path), "--month", "2027-01", "-o",
                     str(out / "report")]) == 0
        assert main(["renegotiate", str(example_path), "-o", str(out / "v2"), "--defaults",
                     "--set", "economics.revenue_target=1.2M"]) == 0
    found = dict(rendered)
    for path in [*(out / "report").glob("*.pdf"), *(out / "v2").glob("*.pdf")]:
        found[path.stem.removeprefix("acme-analytics-2027-01-").removeprefix("acme-analytics-")] \
            = path
    return found


V1, V2 = "version 1's fingerprint", "version 2's fingerprint"
TEXT_LAYER = {
    # document: what its pages show (answers fingerprint, targets, people)
    "agreement": [V1, "534", "178", *SIGNERS],
    "brief": [V1, "534", "178", *SIGNERS],
    "summary": [V1, "534", "178", *SIGNERS],
    "report": [V1, "178", "Jordan Lee"],
    "agenda": [V1, "42", "Jordan Lee"],
    "dashboard": [V1, "42", "Jordan Lee"],
    "v2-amendment": [V1, V2, "534", "640", "178", "214", *SIGNERS],
    "v2-agreement": [V2, "640", "214", *SIGNERS],
}


def _private_use(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if 0xE000 <= ord(c) <= 0xF8FF})


@pytest.mark.slow
@pytest.mark.parametrize("doc", sorted(TEXT_LAYER))
def test_text_layer_is_the_text_on_the_page(every_pdf: dict[str, Path], example_path: Path,
                                            doc: str):
    from slabuilder.answerfile import load_answers

    path = every_pdf[doc]
    fingerprints = {V1: load_answers(example_path).fingerprint(),
                    V2: load_answers(every_pdf["v2-amendment"].parent / "acme-v2.yaml")
                    .fingerprint()}
    poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout
    pypdf = pdf_text(path)
    for tool, text in (("pdftotext", poppler), ("pypdf", pypdf)):
        assert _private_use(text) == [], (tool, doc)
        words = " ".join(text.split())
        for needle in (fingerprints.get(item, item) for item in TEXT_LAYER[doc]):
            assert re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", words), \
                (tool, doc, needle)


@pytest.mark.slow  # renders PDFs of its own
def test_the_amendment_is_signable(every_pdf: dict[str, Path]):
    names = sorted(w["name"] for w in _widgets(every_pdf["v2-amendment"])
                   if w["type"] == "/Sig")
    assert names == sorted(f"{label} signature" for label in FIELDS.values())
    from slabuilder.answerfile import load_answers

    (doc,) = signature_status(every_pdf["v2-amendment"]).documents
    version_2 = load_answers(every_pdf["v2-amendment"].parent / "acme-v2.yaml")
    assert (doc.document, doc.version, doc.fingerprint) == (
        "amendment", 2, version_2.fingerprint())


def test_only_sign_and_status_load_pyhanko(example_path: Path, tmp_path: Path):
    """Rendering, even a signable document with its fields, never imports pyHanko."""
    code = ("import sys\nfrom pathlib import Path\nfrom slabuilder.cli import main\n"
            f"assert main(['render', {str(example_path)!r}, '-o', {str(tmp_path)!r}, "
            "'--doc', 'summary', '--format', 'html', '--esign-tags', 'docusign']) == 0\n"
            "import slabuilder.jobs.sign, slabuilder.jobs.status, slabuilder.sign\n"
            "sys.exit(sorted(m for m in sys.modules if m.startswith(('pyhanko', "
            "'cryptography'))) or 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_a_report_measures_against_the_version_in_force(
        both_signed: tuple[Path, bytes, bytes], example_path: Path, tmp_path: Path,
        run_cli: Callable[..., CliResult]):
    """Version 1 is signed by both VPs; version 2's answers sit beside it, unsigned: the
    report follows version 1 and says so, in the terminal and in the report."""
    folder = tmp_path / "agreements"
    folder.mkdir()
    pdf, _, _ = both_signed
    shutil.copy(pdf, folder / pdf.name)
    shutil.copy(example_path, folder / "acme.yaml")
    text = example_path.read_text(encoding="utf-8").replace(
        "revenue_target: 1000000", "revenue_target: 1200000").replace(
        "effective_date: 2027-01-01", "effective_date: 2027-04-01")
    (folder / "acme-v2.yaml").write_text(text.replace("agreement:\n", "agreement:\n  version: 2\n",
                                                      1), encoding="utf-8")
    result = run_cli("report", folder / "acme-v2.yaml", "--month", "2027-01", "-o",
                     tmp_path / "out", "--format", "html", "--doc", "report")
    assert result.code == 0, result.err
    assert ("note: version 1 is the version in force (signed by every signatory), so the "
            "figures follow acme.yaml, not version 2 in acme-v2.yaml") in result.err
    html = (tmp_path / "out" / "acme-analytics-2027-01-report.html").read_text(encoding="utf-8")
    assert "Version 1 of the agreement, in force since" in html
    assert "at least 178" in html  # version 1's target, not version 2's 214


# --------------------------------------------------------------------------- attacks on the record


def _appended(data: bytes, change: Callable[[Any, Any], None]) -> bytes:
    """``data`` with one incremental update made by ``change(writer, info)``: what anyone
    with the file and a PDF library can append."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    info = writer.trailer["/Info"]
    info = info.get_object() if hasattr(info, "get_object") else info
    change(writer, info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _record_rewritten(**values: Any) -> Callable[[Any, Any], None]:
    def change(writer: Any, info: Any) -> None:
        from pyhanko.pdf_utils import generic

        record = json.loads(str(info["/SlabuilderSigning"]))
        record.update(values)
        info[generic.pdf_name("/SlabuilderSigning")] = generic.TextStringObject(
            json.dumps(record))
        writer.update_container(info)
    return change


@pytest.mark.slow  # validates and refuses on altered copies
@pytest.mark.parametrize("forged", [{"version": 9}, {"effective_date": "2026-01-01"}])
def test_a_rewritten_signing_record_puts_no_version_in_force(
        both_signed: tuple[Path, bytes, bytes], keys: dict[str, Path], tmp_path: Path,
        run_cli: Callable[..., CliResult], forged: dict[str, Any]) -> None:
    """Validators take a later change to the document information for harmless metadata:
    a record promoting the version (or moving its start) appended after both VPs signed,
    then countersigned by the owner, must not show a forged version in force."""
    _, _, after_one = both_signed
    pdf = tmp_path / "agreement.pdf"
    altered = _appended(after_one, _record_rewritten(**forged))
    pdf.write_bytes(altered)
    (doc,) = signature_status(pdf, on=IN_EFFECT).documents
    assert doc.changed_after_signing
    assert any("signing record" in problem and "changed after Dana Reyes signed" in problem
               for problem in doc.problems)
    # The owner is refused: nobody signs on top of an altered file.
    with pytest.raises(SlabuilderError, match="is not signed as it stands"):
        sign_document(pdf, key_file=keys["Sam Okafor"], passphrase=PASSPHRASE,
                      signer="Sam Okafor")
    assert pdf.read_bytes() == altered
    result = run_cli("status", pdf, "--on", "2027-01-15")
    assert result.code == 2
    assert "No version is in force on 2027-01-15" in result.out
    assert "In force" not in result.out


@pytest.mark.slow  # signs PDFs of its own
def test_a_date_written_beside_a_signature_is_reported(
        both_signed: tuple[Path, bytes, bytes], tmp_path: Path) -> None:
    """The date beside a signature is filled in at signing with the signing day and locked
    by it: one rewritten to 1999-01-01 afterwards is named, and nothing is in force."""
    _, _, after_one = both_signed

    def backdate(writer: Any, info: Any) -> None:
        from pyhanko.pdf_utils import generic

        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if str(field.get("/T")) == "Dana Reyes (Marketing) date":
                field[generic.pdf_name("/V")] = generic.TextStringObject("1999-01-01")
                writer.update_container(field)

    signed_day = dt.date.today()
    before = signature_status_of(after_one, tmp_path / "before.pdf")
    assert abs((dt.date.fromisoformat(before.fields[0].date or "") - signed_day).days) <= 1
    after = signature_status_of(_appended(after_one, backdate), tmp_path / "after.pdf")
    assert after.changed_after_signing
    assert any("the date beside Dana Reyes's signature reads '1999-01-01'" in problem
               for problem in after.problems)


def signature_status_of(data: bytes, path: Path) -> Any:
    path.write_bytes(data)
    (doc,) = signature_status(path, on=IN_EFFECT).documents
    return doc


@pytest.mark.parametrize(("damage", "expected"), [
    ({"version": "abc"}, "damaged signing record"),
    ({"people": [{"name": "Dana Reyes"}]}, "damaged signing record"),
    ({"effective_date": "someday"}, "damaged signing record"),
    ({"people": "[" * 50_000}, "damaged signing record"),
])
def test_a_crafted_record_is_refused_in_one_line(
        rendered: dict[str, Path], keys: dict[str, Path], tmp_path: Path,
        run_cli: Callable[..., CliResult], damage: dict[str, Any], expected: str) -> None:
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(_appended(rendered["agreement"].read_bytes(), _record_rewritten(**damage)))
    result = run_cli("status", pdf)
    assert result.code == 2, result.err
    assert expected in result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1
    with pytest.raises(SlabuilderError, match=expected):
        sign_document(pdf, key_file=keys["Dana Reyes"], passphrase=PASSPHRASE,
                      signer="Dana Reyes")


def test_a_deeply_nested_record_is_refused_in_one_line(
        rendered: dict[str, Path], tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    def nested(writer: Any, info: Any) -> None:
        from pyhanko.pdf_utils import generic

        info[generic.pdf_name("/SlabuilderSigning")] = generic.TextStringObject(
            "[" * 50_000 + "]" * 50_000)
        writer.update_container(info)

    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(_appended(rendered["agreement"].read_bytes(), nested))
    result = run_cli("status", pdf)
    assert result.code == 2
    assert "it has no signature fields of ours" in result.err
    assert "Traceback" not in result.err


def test_a_trust_file_without_a_certificate_is_refused(
        both_signed: tuple[Path, bytes, bytes], tmp_path: Path,
        run_cli: Callable[..., CliResult]) -> None:
    pdf, _, _ = both_signed
    junk = tmp_path / "ca.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    result = run_cli("status", pdf, "--trust", junk)
    assert result.code == 2
    assert result.err == (f"slabuilder: {junk}: --trust: holds no certificate (PEM or DER); "
                          "give the certificate authority's certificate file\n")


# --------------------------------------------------------------------------- signing safely


@pytest.mark.slow  # signs PDFs of its own
def test_two_people_signing_at_once_both_keep_their_signature(
        rendered: dict[str, Path], keys: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first signer is slowed inside the update (as on a network share); the second,
    started meanwhile, waits for the lock and signs what the first left: both signatures
    are in the file."""
    import threading
    import time

    from slabuilder import sign as signing

    pdf = tmp_path / "agreement.pdf"
    shutil.copy(rendered["agreement"], pdf)
    real = signing.sign_pdf_bytes
    started = threading.Event()

    def slow(data: bytes, **options: Any) -> tuple[bytes, dict[str, Any]]:
        started.set()
        if options["signer_name"] == "Dana Reyes":
            time.sleep(0.4)
        return real(data, **options)

    monkeypatch.setattr(signing, "sign_pdf_bytes", slow)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            sign_document(pdf, key_file=keys[name], passphrase=PASSPHRASE, signer=name)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=run, args=("Dana Reyes",))
    first.start()
    started.wait(5)
    second = threading.Thread(target=run, args=("Sam Okafor",))
    second.start()
    first.join(30)
    second.join(30)
    assert errors == []
    (doc,) = signature_status(pdf, on=IN_EFFECT).documents
    assert [f.name for f in doc.fields if f.signed] == ["Dana Reyes", "Sam Okafor"]
    assert doc.problems == []


@pytest.mark.slow  # signs PDFs of its own
def test_signing_in_place_keeps_the_file_its_mode_and_its_links(
        rendered: dict[str, Path], keys: dict[str, Path], tmp_path: Path) -> None:
    import os
    import stat

    pdf = tmp_path / "private.pdf"
    shutil.copy(rendered["agreement"], pdf)
    pdf.chmod(0o600)
    linked = tmp_path / "linked.pdf"
    os.link(pdf, linked)
    alias = tmp_path / "alias.pdf"
    alias.symlink_to(pdf)
    inode = pdf.stat().st_ino
    sign_document(alias, key_file=keys["Dana Reyes"], passphrase=PASSPHRASE,
                  signer="Dana Reyes")
    assert alias.is_symlink()  # the link still points at the file, which was signed
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert pdf.stat().st_ino == inode
    assert linked.read_bytes() == pdf.read_bytes()
    (doc,) = signature_status(pdf, on=IN_EFFECT).documents
    assert [f.name for f in doc.fields if f.signed] == ["Dana Reyes"]


@pytest.mark.slow  # signs PDFs of its own
def test_a_certificate_naming_no_person_is_refused(
        rendered: dict[str, Path], pki: Pki, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(tz=dt.UTC)
    ca = x509.load_pem_x509_certificate(pki.ca_pem)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                        "Acme Analytics")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(pki.ca_key, hashes.SHA256()))
    p12 = tmp_path / "nobody.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"nobody", key, cert, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    pdf = tmp_path / "agreement.pdf"
    shutil.copy(rendered["agreement"], pdf)
    before = pdf.read_bytes()
    with pytest.raises(SlabuilderError, match="its certificate names no person"):
        sign_document(pdf, key_file=p12, passphrase=PASSPHRASE, signer="Dana Reyes")
    assert pdf.read_bytes() == before


def test_the_first_signature_certifies_and_each_locks_its_date(
        both_signed: tuple[Path, bytes, bytes]) -> None:
    """DocMDP from the first signature (only filling in and signing may follow); FieldMDP
    from each, over the date beside it."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    pdf, _, _ = both_signed
    reader = PdfFileReader(io.BytesIO(pdf.read_bytes()), strict=False)
    first, second = reader.embedded_regular_signatures
    assert first.docmdp_level is not None
    assert first.docmdp_level.value == 2
    assert second.docmdp_level is None or second.docmdp_level.value == 2
    assert [str(name) for name in first.fieldmdp.fields] == ["Dana Reyes (Marketing) date"]
    assert [str(name) for name in second.fieldmdp.fields] == ["Sam Okafor (Sales) date"]
