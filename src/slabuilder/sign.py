"""Signature fields, digital signing and signature status: the only module importing pyHanko.

A signable document (agreement, summary, amendment) carries, for each person who signs, an
empty PDF signature field on that person's signature line and a date field beside it.  The
fields are made by :mod:`slabuilder.pdf` while WeasyPrint writes the file; the PDF keeps a
*signing record* (document, company, version, effective date, answers fingerprint and the
people with their field names) in its document information under
:data:`slabuilder.pdf.SIGNING_INFO_KEY`, so ``sign`` and ``status`` need nothing but the PDF.

pyHanko is imported inside the functions that use it, so that no other command pays for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from slabuilder.errors import SlabuilderError

__all__ = [
    "ESIGN_SERVICES",
    "FieldStatus",
    "PdfStatus",
    "SignError",
    "SigningKey",
    "esign_tags",
    "load_signing_key",
    "pdf_status",
    "read_signing_record",
    "sign_pdf_bytes",
    "signing_record",
    "system_trust_roots",
]

RECORD_FORMAT = 1
SIGNABLE = ("agreement", "summary", "amendment")
"""Documents whose signatures bind; the agreement and the amendment decide which version is
in force, the summary is signed as an acknowledgement."""

ESIGN_SERVICES: dict[str, tuple[str, str]] = {
    # DocuSign places tabs at anchor strings set on the envelope: these are the strings.
    "docusign": ("\\s{n}\\", "\\d{n}\\"),
    # Adobe Acrobat Sign text tags: a signature field and the signing date, per signer.
    "adobe": ("{{{{Sig_es_:signer{n}:signature}}}}", "{{{{Dte_es_:signer{n}:date}}}}"),
    # Dropbox Sign (HelloSign) text tags: [type|required|signerN].
    "dropbox": ("[sig|req|signer{n}]", "[date|req|signer{n}]"),
}
"""For each e-signature service: its text for a signature and for a date, signer ``{n}``."""


class SignError(SlabuilderError):
    """A PDF cannot be signed as asked (not ours, already signed, wrong key or person)."""


# --------------------------------------------------------------------------- the record


def _field_label(text: str) -> str:
    """A PDF field name may not hold a period (it separates a field from its parent)."""
    return " ".join(text.replace(".", "").split())


def signing_record(context: dict[str, Any], doc_id: str,
                   esign: str | None = None) -> dict[str, Any]:
    """Who signs ``doc_id`` and the names of their fields, from a document context.

    People come in the order of the signature blocks: the signatories as the answers list
    them, then the owner when the owner does not already sign.  Signer numbers follow the
    same order, as the e-signature services expect."""
    agreement = context["agreement"]
    people: list[dict[str, Any]] = []
    taken: set[str] = set()
    for number, person in enumerate(agreement["signature_blocks"], start=1):
        base = _field_label(f"{person['name']} ({person['side_name']})")
        label = base
        while f"{label} signature" in taken:  # two people of one name on one side
            label = f"{base} {number}"
        taken.add(f"{label} signature")
        entry = {
            "name": person["name"], "title": person["title"], "side": person["side"],
            "side_name": person["side_name"],
            "role": "owner" if person["side"] == "owner" else "signatory",
            "signer": number,
            "signature_field": f"{label} signature", "date_field": f"{label} date",
        }
        if esign is not None:
            entry["esign_signature"], entry["esign_date"] = esign_tags(esign, number)
        people.append(entry)
    return {
        "format": RECORD_FORMAT, "document": doc_id, "company": context["company"]["name"],
        "version": agreement["version"], "effective_date": agreement["effective_date"],
        "fingerprint": context["fingerprint"], "people": people,
        **({"esign": esign} if esign is not None else {}),
    }


def esign_tags(service: str, signer: int) -> tuple[str, str]:
    """The signature and date text tags (or anchors) of ``service`` for signer ``signer``."""
    try:
        signature, date = ESIGN_SERVICES[service]
    except KeyError:
        raise SlabuilderError(f"{service!r} is not an e-signature service slabuilder knows; "
                              f"choose {', '.join(ESIGN_SERVICES)}",
                              key="--esign-tags") from None
    return signature.format(n=signer), date.format(n=signer)


def _pyhanko() -> None:
    """Make sure pyHanko is there, and keep its library notices off the user's terminal.

    pyHanko imports cryptography's DSA classes, which newer cryptography releases mark as
    deprecated: a note for pyHanko's authors that a user can do nothing about.  Only that
    category from pyHanko's own modules is silenced.
    """
    from slabuilder.extras import require

    require("sign")
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning,
                            module=r"pyhanko(_certvalidator)?(\.|$)")


def _reader(data: bytes, where: str) -> Any:
    _pyhanko()
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.startswith(b"%PDF-"):
        raise SignError("is not a PDF; give a PDF that slabuilder rendered", file=where)
    try:
        return PdfFileReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError) as error:
        raise SignError(f"cannot be read as a PDF ({error}); render it again with "
                        "slabuilder render", file=where) from None


def _raw_record(reader: Any) -> str | None:
    """The signing record's text as the file holds it (``None``: there is none)."""
    from slabuilder.pdf import SIGNING_INFO_KEY

    try:
        return str(reader.trailer["/Info"]["/" + SIGNING_INFO_KEY])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


_PERSON_KEYS = ("name", "title", "side", "side_name", "role", "signature_field", "date_field")


def _well_formed(record: Any) -> bool:
    """A record with every key this slabuilder writes, each of its kind."""
    if not isinstance(record, dict):
        return False
    text = all(isinstance(record.get(key), str) for key in ("company", "effective_date",
                                                            "fingerprint"))
    version = record.get("version")
    people = record.get("people")
    if not (text and isinstance(version, int) and not isinstance(version, bool)
            and version >= 1 and isinstance(people, list) and people):
        return False
    try:
        dt.date.fromisoformat(record["effective_date"])
    except ValueError:
        return False
    return all(isinstance(person, dict) and all(isinstance(person.get(key), str)
                                                for key in _PERSON_KEYS)
               and person["role"] in ("owner", "signatory") for person in people)


def read_signing_record(reader: Any, where: str) -> dict[str, Any]:
    """The signing record a slabuilder PDF carries; refuses a PDF that has none, and one
    whose record is not as slabuilder writes it (a crafted or damaged file)."""
    raw = _raw_record(reader)
    try:
        record = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        record = None
    if raw is None or not isinstance(record, dict):
        raise SignError("is not a signable document made by slabuilder (it has no signature "
                        "fields of ours); sign the agreement, summary or amendment that "
                        "slabuilder render or renegotiate wrote", file=where) from None
    if record.get("format") != RECORD_FORMAT or record.get("document") not in SIGNABLE:
        raise SignError("carries a signing record this slabuilder does not understand; "
                        "update slabuilder or render the document again", file=where)
    if not _well_formed(record):
        raise SignError("carries a damaged signing record (a key is missing or of the wrong "
                        "kind); render the document again with slabuilder render",
                        file=where)
    return record


def _record_at_each_signature(data: bytes, signatures: dict[str, Any]) -> dict[str, str | None]:
    """The signing record's text in the revision each signature signed, by field name: what
    each signer saw and signed, whatever later revisions say."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    seen: dict[str, str | None] = {}
    for name, embedded in signatures.items():
        _, _, second, length = (int(value) for value in embedded.byte_range)
        try:
            signed = PdfFileReader(io.BytesIO(data[:second + length]), strict=False)
            seen[name] = _raw_record(signed)
        except Exception:  # a revision that cannot be read is no record
            seen[name] = None
    return seen


# --------------------------------------------------------------------------- keys


@dataclass
class SigningKey:
    """A PKCS#12 key and certificate, checked and ready to sign with."""

    signer: Any  # pyhanko.sign.signers.SimpleSigner
    subject: str
    common_name: str
    not_after: dt.datetime


def load_signing_key(data: bytes, passphrase: str | None, *, where: str,
                     now: dt.datetime | None = None) -> SigningKey:
    """Open a PKCS#12 (.p12 / .pfx) file and check that it can sign today."""
    _pyhanko()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.sign.signers import SimpleSigner

    secret = passphrase.encode("utf-8") if passphrase else None
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError):
        raise SignError("cannot open this key: the passphrase is wrong or it is not a "
                        "PKCS#12 (.p12 / .pfx) file; check both and try again",
                        file=where) from None
    if key is None or cert is None:
        raise SignError("holds no private key with its certificate; export the signing key "
                        "together with its certificate as .p12", file=where)
    raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*raw) != cert.public_key().public_bytes(*raw):
        raise SignError("its private key does not belong to its certificate; export the "
                        "key again with the right certificate", file=where)
    moment = now or dt.datetime.now(tz=dt.UTC)
    if cert.not_valid_after_utc < moment:
        raise SignError("its certificate expired on "
                        f"{cert.not_valid_after_utc.date().isoformat()}; "
                        "sign with a current key", file=where)
    if cert.not_valid_before_utc > moment:
        raise SignError(f"its certificate is valid only from "
                        f"{cert.not_valid_before_utc.date().isoformat()}; sign with a current key",
                        file=where)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(names[0].value) if names else ""
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=secret)
    except ValueError:
        raise SignError("cannot use this key for signing; export it again as .p12",
                        file=where) from None
    return SigningKey(signer=signer, subject=cert.subject.rfc4514_string(),
                      common_name=common_name, not_after=cert.not_valid_after_utc)


def _name_words(name: str) -> set[str]:
    return {word for word in re.split(r"[\s,.]+", name.casefold()) if word}


# --------------------------------------------------------------------------- signing


def _signed_fields(reader: Any) -> set[str]:
    return {str(sig.field_name) for sig in reader.embedded_regular_signatures}


def sign_pdf_bytes(data: bytes, *, signer_name: str, key: SigningKey,
                   where: str) -> tuple[bytes, dict[str, Any]]:
    """Sign ``signer_name``'s field of a slabuilder PDF; returns the new file and the person.

    The signature is PAdES (ETSI.CAdES.detached, SHA-256) and is appended as an incremental
    update: the bytes of the earlier revisions, and so their signatures, stay as they were.
    The earlier signatures are checked first (a file altered since is refused); the first
    signature certifies the document (DocMDP: only filling in and signing the fields may
    follow), and each fills in the date beside it, which it locks (FieldMDP).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    from slabuilder.textclean import printable

    reader = _reader(data, where)
    record = read_signing_record(reader, where)
    if record.get("esign"):
        raise SignError(f"is the copy for {record['esign']} e-signature: its text tags take "
                        "the place of signature fields; sign the copy rendered without "
                        "--esign-tags", file=where)
    wanted = _name_words(signer_name)
    matches = [p for p in record["people"] if _name_words(p["name"]) == wanted]
    if not matches:
        names = ", ".join(p["name"] for p in record["people"])
        raise SignError(f"{printable(signer_name)!r} does not sign this "
                        f"{record['document']}; choose one of: {names}", file=where,
                        key="--signer")
    person = matches[0]
    signed = _signed_fields(reader)
    if person["signature_field"] in signed:
        raise SignError(f"the field {person['signature_field']!r} is already signed; a signed "
                        "field is never signed again", file=where, key="--signer")
    if not key.common_name.strip():
        raise SignError("its certificate names no person (it has no common name); each "
                        "person signs with a certificate made out to them", key="--key")
    if _name_words(key.common_name) != wanted:
        raise SignError(f"the key belongs to {printable(key.common_name)!r}, not to "
                        f"{person['name']!r}; each person signs with their own key",
                        file=where, key="--key")
    if signed:
        before = pdf_status(data, where=where, trust_roots=None)
        broken = [item for item in before.problems if "not trusted" not in item]
        if broken or before.changed_after_signing:
            reason = broken[0] if broken else "it was changed after signing"
            raise SignError(f"is not signed as it stands: {reason}; nothing was signed. "
                            "Sign a copy the signatories have not altered", file=where)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _one_producer(writer)
    day = dt.datetime.now().astimezone().date().isoformat()
    with _quiet_pyhanko():
        _fill_date(writer, person["date_field"], day)
    meta = signers.PdfSignatureMetadata(
        field_name=person["signature_field"], subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256", name=person["name"],
        reason=f"Signs version {record['version']} of the {record['document']} for "
               f"{person['side_name'].lower()}",
        certify=not signed, docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    try:
        with _quiet_pyhanko():  # it logs "No ROS metadata" about our CFF font, harmlessly
            output = signers.PdfSigner(meta, signer=key.signer,
                                       stamp_style=_stamp_style()).sign_pdf(
                writer, output=io.BytesIO(), existing_fields_only=True)
    except (SigningError, ValueError, KeyError) as error:
        raise SignError(f"cannot be signed in the field {person['signature_field']!r} "
                        f"({printable(str(error))}); render the document again",
                        file=where) from None
    return bytes(output.getvalue()), person


def _one_producer(writer: Any) -> None:
    """pyHanko names itself the producer in a file's XMP metadata but adds itself to the
    document information's producer: a PDF/A file must say the same in both, so the
    information says what the XMP will."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    if "/Metadata" not in writer.root:
        return
    try:
        info = writer.trailer["/Info"].get_object()
    except KeyError:
        return
    info[generic.pdf_name("/Producer")] = generic.TextStringObject(VENDOR)
    writer.update_container(info)


def _fill_date(writer: Any, name: str, day: str) -> None:
    """Write ``day`` into the date field ``name``, with an appearance drawn in the
    documents' Inter at the foot of the field, on its line (a PDF/A copy shows only what a
    field's appearance draws)."""
    from pyhanko.pdf_utils import generic, layout
    from pyhanko.stamp import TextStamp, TextStampStyle

    for ref in writer.root["/AcroForm"]["/Fields"]:
        item = ref.get_object()
        if str(item.get("/T")) != name or item.get("/FT") != "/Tx":
            continue
        llx, lly, urx, ury = (float(value) for value in item["/Rect"])
        style = TextStampStyle(
            stamp_text=day, text_box_style=_stamp_style().text_box_style, border_width=0,
            background=None, inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins(left=2, bottom=3),
                inner_content_scaling=layout.InnerScaling.NO_SCALING))
        stamp = TextStamp(writer, style, box=layout.BoxConstraints(
            width=abs(urx - llx), height=abs(ury - lly)))
        appearance = writer.add_object(stamp.as_form_xobject())
        item[generic.pdf_name("/V")] = generic.TextStringObject(day)
        item[generic.pdf_name("/AP")] = generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {generic.pdf_name("/N"): appearance})
        writer.update_container(item)
        return


def _stamp_style() -> Any:
    """What the signed field shows: who and when, in the documents' own Inter, embedded.

    pyHanko's default stamp sets Courier without embedding it (which PDF/A forbids) over its
    own logo; ours reads like the rest of the page."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    from slabuilder.resources import templates_dir

    class InMemoryFont(GlyphAccumulatorFactory):
        """pyHanko's factory opens the font file and never closes it; read it whole."""

        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            with open(self.font_file, "rb") as handle:  # noqa: PTH123 - str path from pyHanko
                data = io.BytesIO(handle.read())
            return ThousandUnits(writer=writer, font_handle=data, font_size=self.font_size,
                                 obj_stream=obj_stream)

    class ThousandUnits(GlyphAccumulator):
        """pyHanko writes a CFF font's glyph widths and advances in the font's own units,
        which PDF reads as thousandths of an em: right for a 1000-unit font only.  Inter
        has 2816, so everything is scaled to 1000 units here."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._font_units = self.units_per_em
            self.units_per_em = 1000
            self.hb_font.scale = (1000, 1000)

        def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
            known = glyph_id in self._glyphs
            cid, width = super()._get_cid_and_width(glyph_id)
            if not known:
                width = round(width * 1000 / self._font_units)
                self._glyphs[glyph_id] = (cid, width)
            return cid, width

    font = templates_dir() / "fonts" / "Inter-Regular.otf"
    return TextStampStyle(
        stamp_text="Signed digitally by %(signer)s\n%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M %Z",
        text_box_style=TextBoxStyle(font=InMemoryFont(str(font)), font_size=9),
        border_width=0, background=None)


# --------------------------------------------------------------------------- status


@dataclass
class FieldStatus:
    """One person's signature field."""

    name: str
    title: str
    side: str
    role: str
    field: str
    signed: bool = False
    signed_by: str | None = None
    """The signing certificate's subject."""
    signed_at: str | None = None
    intact: bool | None = None
    """The signed bytes are unchanged and the signature is cryptographically valid."""
    trusted: bool | None = None
    """The certificate chains to a trusted certificate authority: one given with
    ``--trust``, one in ``SLABUILDER_TRUST``, or one the system trusts."""
    changed_after: bool | None = None
    """The document was changed after this signature beyond signing other fields."""
    date: str | None = None
    """What the date field beside the signature reads."""


@dataclass
class PdfStatus:
    """A signable PDF: what it is and who has signed it."""

    path: str
    document: str
    company: str
    version: int
    effective_date: str
    fingerprint: str
    fields: list[FieldStatus] = field(default_factory=list)
    changed_after_signing: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def signed_by_every_signatory(self) -> bool:
        """Every signatory's signature is there, intact and trusted, and nothing changed
        since (the signing record included)."""
        signatories = [f for f in self.fields if f.role == "signatory"]
        return bool(signatories) and not self.changed_after_signing and all(
            f.signed and f.intact and f.trusted for f in signatories)

    @property
    def any_signature(self) -> bool:
        return any(f.signed for f in self.fields)


@functools.cache
def system_trust_roots() -> tuple[bytes, ...]:
    """The certificate authorities this machine trusts (DER), as Python's TLS sees them;
    read once a run."""
    import ssl

    try:
        context = ssl.create_default_context()
        return tuple(bytes(cert) for cert in context.get_ca_certs(binary_form=True))
    except (ssl.SSLError, OSError):
        return ()


@functools.cache
def _certificates(data: bytes) -> tuple[Any, ...]:
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        return tuple(load_certs_from_pemder_data(data))
    except (ValueError, TypeError):
        return ()  # checked when the file was read (jobs.status.read_trust_roots)


def _validation_context(trust_roots: list[bytes] | None) -> Any:
    from pyhanko_certvalidator import ValidationContext

    roots = [cert for data in [*(trust_roots or []), *system_trust_roots()]
             for cert in _certificates(data)]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def check_trust_root(data: bytes, where: str) -> None:
    """Refuse a ``--trust`` file that holds no certificate, in one line."""
    _pyhanko()
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        found = list(load_certs_from_pemder_data(data))
    except Exception:  # any parse failure means the same to the user
        found = []
    if not found:
        raise SignError("holds no certificate (PEM or DER); give the certificate "
                        "authority's certificate file", file=where, key="--trust")


def pdf_status(data: bytes, *, where: str,
               trust_roots: list[bytes] | None = None) -> PdfStatus:
    """Read a slabuilder PDF's signing record and check every signature in it with pyHanko's
    validator: intact, trusted, who, when, whether anything beyond signing changed after it,
    and whether the signing record each signer signed is the one the file now carries."""
    reader = _reader(data, where)
    record = read_signing_record(reader, where)
    status = PdfStatus(path=where, document=record["document"], company=record["company"],
                       version=int(record["version"]),
                       effective_date=record["effective_date"],
                       fingerprint=record["fingerprint"])
    try:
        signatures = {str(sig.field_name): sig for sig in reader.embedded_regular_signatures}
    except Exception:  # pyHanko's many errors on a damaged signature field
        raise SignError("has a damaged signature field; it cannot be checked, so no version "
                        "of it is in force", file=where) from None
    with _quiet_pyhanko():
        _check_signatures(status, record, signatures, trust_roots)
        _check_record(status, data, signatures, _raw_record(reader))
        _check_dates(status, record, reader)
    return status


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for every certificate it cannot chain to a trust root (the
    status says "not trusted" instead) and notes about fonts: noise on the terminal."""
    logger = logging.getLogger("pyhanko")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def _check_signatures(status: PdfStatus, record: dict[str, Any], signatures: dict[str, Any],
                      trust_roots: list[bytes] | None) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from slabuilder.textclean import printable

    context = _validation_context(trust_roots)
    remaining = dict(signatures)
    last = max(signatures.values(), key=lambda s: s.signed_revision, default=None)
    for person in record["people"]:
        entry = FieldStatus(name=person["name"], title=person["title"], side=person["side"],
                            role=person["role"], field=person["signature_field"])
        status.fields.append(entry)
        embedded = remaining.pop(person["signature_field"], None)
        if embedded is None:
            continue
        try:
            result = validate_pdf_signature(embedded, context)
        except Exception:  # a signature pyHanko cannot even parse is broken
            entry.signed, entry.intact, entry.trusted = True, False, False
            status.problems.append(f"the signature of {entry.name} cannot be read: it is "
                                   "broken")
            continue
        entry.signed = True
        entry.signed_by = printable(result.signing_cert.subject.human_friendly)
        when = result.signer_reported_dt or embedded.self_reported_timestamp
        entry.signed_at = when.astimezone(dt.UTC).isoformat() if when else None
        entry.intact = bool(result.intact and result.valid)
        entry.trusted = bool(result.trusted)
        level = result.modification_level
        uncovered = (embedded is last and result.coverage != SignatureCoverageLevel.ENTIRE_FILE)
        entry.changed_after = bool(uncovered or level is None
                                   or level > ModificationLevel.FORM_FILLING)
        if not entry.intact:
            status.problems.append(f"the signature of {entry.name} is broken: the signed "
                                   "content was changed")
        elif not entry.trusted:
            status.problems.append(f"the signature of {entry.name} is not trusted: its "
                                   "certificate does not chain to a certificate authority "
                                   "trusted here (give yours with --trust CA.pem)")
        elif entry.changed_after:
            status.problems.append(f"the document was changed after {entry.name} signed")
    for name in remaining:
        status.problems.append(f"carries a signature in the field {printable(name)!r}, which "
                               "is not one of its signatories' fields")
    status.changed_after_signing = any(
        f.signed and (not f.intact or f.changed_after) for f in status.fields)


def _check_record(status: PdfStatus, data: bytes, signatures: dict[str, Any],
                  now: str | None) -> None:
    """The signing record (who signs which version, in force from when) must read in the
    file as it read when each person signed: a record rewritten in a later revision, which
    validators treat as harmless metadata, would otherwise make ``status`` name a version
    nobody signed."""
    changed = [name for name, seen in _record_at_each_signature(data, signatures).items()
               if seen != now]
    if not changed:
        return
    names = {person.field: person.name for person in status.fields}
    who = ", ".join(sorted(names.get(name, name) for name in changed))
    status.problems.append(f"its signing record (version, effective date, who signs) was "
                           f"changed after {who} signed: the document was altered, and no "
                           "version of it is in force")
    status.changed_after_signing = True


def _field_values(reader: Any) -> dict[str, str]:
    """Each text field's name and value in the file as it stands."""
    values: dict[str, str] = {}
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except (KeyError, TypeError):
        return values
    for ref in fields:
        try:
            item = ref.get_object()
            if item.get("/FT") == "/Tx":
                values[str(item.get("/T"))] = str(item.get("/V", ""))
        except Exception:  # noqa: S112 - a damaged field is no date
            continue
    return values


def _check_dates(status: PdfStatus, record: dict[str, Any], reader: Any) -> None:
    """The date beside each signature is filled in at signing from the signature's time
    (and locked by it): one that reads otherwise was written by someone else."""
    from slabuilder.textclean import printable

    values = _field_values(reader)
    dates = {person["signature_field"]: person["date_field"] for person in record["people"]}
    for entry in status.fields:
        entry.date = values.get(dates[entry.field]) or None
        if not entry.signed or not entry.date or not entry.signed_at:
            continue
        signed = dt.datetime.fromisoformat(entry.signed_at).date()
        try:
            off = abs((dt.date.fromisoformat(entry.date.strip()) - signed).days)
        except ValueError:
            off = None
        if off is None or off > 1:  # a signer's own day may be the day before or after UTC
            status.problems.append(f"the date beside {entry.name}'s signature reads "
                                   f"{printable(entry.date)!r}, not the day they signed "
                                   f"({signed.isoformat()})")
            status.changed_after_signing = True
