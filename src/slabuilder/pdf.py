"""HTML -> PDF with WeasyPrint: the only module that imports it.

Three promises live here:

* **Nothing is fetched from outside.**  The URL fetcher serves ``data:`` URLs and files inside
  the template folders (the shipped ones and the user's ``--templates`` folder) and refuses
  everything else: no ``file:///etc/passwd``, no ``http://127.0.0.1``.  Answers are escaped
  by the templates, so such a string reaches the PDF as text; the fetcher is the second lock.
* **Same input, same bytes.**  Creation dates come from ``SOURCE_DATE_EPOCH`` when it is set,
  attachments carry the same dates, and WeasyPrint's own file identifier is a digest of the
  content.
* **Same look everywhere.**  Fonts come from the template folder through ``@font-face``; the
  system's fonts are never needed, so a machine without any still renders the same document.

Rendering many documents shares one :class:`FontConfiguration` per process;
:mod:`slabuilder.pdfpool` spreads documents over the machine's cores.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from slabuilder import words
from slabuilder.errors import LimitError, SlabuilderError
from slabuilder.interrupts import interrupts_held
from slabuilder.version import build_date

__all__ = [
    "SIGNING_INFO_KEY",
    "PdfJob",
    "PdfRenderError",
    "PlacedField",
    "blocked_urls",
    "build_date",
    "html_to_pdf",
    "render_job",
]

_WEASYPRINT: Any = None
_FONT_CONFIG: Any = None


class PdfRenderError(SlabuilderError):
    """WeasyPrint is missing, or its system libraries are: the machine, not the input, is at
    fault, but the user can act on it (install Pango), so it is not reported as a bug."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}, or render with --format html")
        self.reason = reason
        """Why, without the hint about ``--format`` (``new`` has no such option)."""

    def __reduce__(self) -> tuple[type[PdfRenderError], tuple[str]]:
        return type(self), (self.reason,)  # from a worker process, as it was raised


def _weasyprint() -> Any:
    """Import WeasyPrint once, turning a missing Pango into a message a person can act on."""
    global _WEASYPRINT  # noqa: PLW0603 - one import per process, on first use
    if _WEASYPRINT is None:
        try:
            with warnings.catch_warnings(), interrupts_held():
                # "No fonts configured": harmless, every font comes from our own folder.
                warnings.simplefilter("ignore", UserWarning)
                import weasyprint
        except (ImportError, OSError) as error:
            raise PdfRenderError(
                "PDF output needs WeasyPrint and the Pango library "
                f"({type(error).__name__}: {error}); install Pango (for example "
                "`apt-get install libpango-1.0-0 libpangoft2-1.0-0`)") from None
        _WEASYPRINT = weasyprint
    return _WEASYPRINT


def _font_config() -> Any:
    """One font configuration per process: @font-face files are loaded once, not per PDF."""
    global _FONT_CONFIG  # noqa: PLW0603
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _weasyprint()
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


# --------------------------------------------------------------------------- URL fetcher


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _make_fetcher(asset_dirs: Sequence[Path], blocked: list[str]) -> Any:
    """A WeasyPrint URL fetcher that serves only ``data:`` URLs and our template assets.

    ``asset_dirs`` are searched in order (the user's ``--templates`` folder first), so a user
    can replace a font or an image by putting a file of the same relative name there.
    Refused URLs are appended to ``blocked``; WeasyPrint logs them and carries on.
    """
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [d.resolve() for d in asset_dirs]

    class LockedFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = self._asset(Path(unquote(urlsplit(url).path)))
                if path is not None:
                    from slabuilder.fsutil import read_input
                    from slabuilder.limits import ASSET_MAX_BYTES

                    data = read_input(path, what="file a document loads",
                                      max_bytes=ASSET_MAX_BYTES)
                    return URLFetcherResponse(path.as_uri(), data)
            blocked.append(url)
            raise ValueError(f"slabuilder documents may not load {url}")

        def _asset(self, requested: Path) -> Path | None:
            """The file in the first asset folder that holds ``requested``'s relative path."""
            resolved = requested.resolve()
            relative = next((resolved.relative_to(root) for root in roots
                             if _within(resolved, root)), None)
            if relative is None:
                return None
            for root in roots:
                candidate = (root / relative).resolve()
                if _within(candidate, root) and candidate.is_file():
                    return candidate
            return None

    return LockedFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


# --------------------------------------------------------------------------- rendering


@dataclass
class PdfJob:
    """One PDF to make; plain data, so that it can travel to a worker process."""

    html: str
    base_url: Path
    metadata: dict[str, Any]
    pdfa: bool = False
    attachment: Path | None = None
    attachment_name: str | None = None
    attachment_data: bytes | None = None
    """The attachment's content when there is no file to read it from."""
    asset_dirs: list[Path] = field(default_factory=list)
    one_page: bool = False
    """Lay the document out denser, step by step, until it holds on one page (and fail,
    naming ``fit_hint``, when even the densest step does not)."""
    fit_hint: str | None = None
    """The answers that take the most room, for the message when a one-page document
    does not fit."""
    fit_key: str | None = None
    signing: dict[str, Any] | None = None
    """For a signable document: who signs and the names of their fields (see
    :func:`slabuilder.sign.signing_record`).  An empty signature field is placed on each
    person's signature line and the record is kept in the PDF for ``sign`` and ``status``."""


FIT_STEPS = ("fit-1", "fit-1 fit-2", "fit-1 fit-2 fit-3")
"""Body classes the stylesheet tightens a one-page document with, gentlest first."""


def _apply_metadata(document: Any, metadata: dict[str, Any], when: dt.datetime) -> None:
    meta = document.metadata
    meta.title = metadata.get("title") or meta.title
    author = metadata.get("author")
    if author:
        meta.authors = [author] if isinstance(author, str) else list(author)
    meta.description = metadata.get("subject") or meta.description
    keywords = metadata.get("keywords")
    if keywords:
        meta.keywords = [keywords] if isinstance(keywords, str) else list(keywords)
    meta.generator = metadata.get("creator", "slabuilder")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    meta.created = stamp
    meta.modified = stamp
    meta.lang = metadata.get("lang", meta.lang)
    # <link rel=attachment> and <a rel=attachment> in a document never become embedded
    # files (stamped with the time they were read, they would also break byte-identical
    # output): the only attachment a slabuilder PDF carries is the answers file.
    meta.attachments = []
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] != "attachment"]


def _attachment(job: PdfJob, when: dt.datetime, fetcher: Any) -> Any:
    weasyprint = _weasyprint()
    path = job.attachment
    data = job.attachment_data
    if path is None and data is None:
        return None
    if data is None and path is not None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SlabuilderError(f"cannot read the answers file to embed: {error.strerror}",
                                  file=path) from None
    naive = when.replace(tzinfo=None)
    name = job.attachment_name or (path.name if path else "answers.yaml")
    return weasyprint.Attachment(
        string=data, url_fetcher=fetcher, name=name,
        description="The answers this agreement was made from", created=naive,
        modified=naive, relationship="Source")


def render_job(job: PdfJob) -> bytes:
    """Make one PDF (in this process), under the time, element and page limits of
    :mod:`slabuilder.limits`."""
    from slabuilder import limits

    name = job.metadata.get("title") or "the document"
    elements = job.html.count("<")
    if elements > limits.HTML_MAX_ELEMENTS:
        raise LimitError(f"{name} has {words.count(elements)} HTML elements, more than the "
                         f"{words.count(limits.HTML_MAX_ELEMENTS)} a document may have; "
                         "shorten the "
                         "template (--templates) or the answers it repeats")
    _weasyprint()  # loading WeasyPrint is not the template's time, and must not be cut
    _font_config()
    try:
        with limits.deadline(limits.PDF_SECONDS):
            return _render_job(job)
    except RecursionError:  # WeasyPrint styles nested elements recursively
        raise LimitError(f"{name} nests its HTML elements too deeply to lay out (thousands of "
                         "levels); flatten the template (--templates)") from None
    except limits.TimeLimitExceeded:
        raise LimitError(f"laying out {name} took longer than {words.number(limits.PDF_SECONDS)} "
                         "seconds, the limit for one PDF; simplify the template (--templates): "
                         "fewer elements, smaller images") from None


def _render_job(job: PdfJob) -> bytes:
    from slabuilder import limits

    weasyprint = _weasyprint()
    blocked: list[str] = []
    dirs = job.asset_dirs or [job.base_url]
    fetcher = _make_fetcher(dirs, blocked)
    when = build_date()
    base = job.base_url.resolve().as_uri() + "/"
    options: dict[str, Any] = {"pdf_identifier": True}
    if job.pdfa:
        options["pdf_variant"] = "pdf/a-3b"
    attachment = _attachment(job, when, fetcher)

    def layout(text: str) -> Any:
        html = weasyprint.HTML(string=text, base_url=base, url_fetcher=fetcher)
        return html.render(font_config=_font_config(), **options)

    document = layout(job.html)
    if len(document.pages) > limits.PDF_MAX_PAGES:
        raise LimitError(f"{job.metadata.get('title') or 'the document'} would have "
                         f"{words.count(len(document.pages))} pages, more than the "
                         f"{limits.PDF_MAX_PAGES} "
                         "a document may have; shorten the template (--templates)")
    if job.one_page:
        # A long company name, many signatories or disqualifiers push the page over: try
        # the stylesheet's denser steps before giving a second page to the signatures.
        for classes in FIT_STEPS:
            denser = job.html.replace('<body class="', f'<body class="{classes} ', 1)
            if len(document.pages) <= 1 or denser == job.html:
                break
            document = layout(denser)
        if len(document.pages) > 1:
            raise SlabuilderError(
                f"{job.metadata.get('title') or 'the one-page document'} does not fit on one "
                f"page even set at its densest ({len(document.pages)} pages); shorten "
                + (job.fit_hint or "the longest answers on it"), key=job.fit_key)
    _apply_metadata(document, job.metadata, when)
    if attachment is not None:
        options["attachments"] = [attachment]
    finisher = None
    if job.signing is not None:
        # A copy for an e-signature service carries its tags and no fields of its own.
        placed = [] if job.signing.get("esign") else _signature_lines(document, job.signing)
        finisher = _signature_finisher(placed, job.signing, pdfa=job.pdfa)
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A output and never closes it.
        warnings.simplefilter("ignore", ResourceWarning)
        data: bytes = document.write_pdf(finisher=finisher, **options)
    return data


# --------------------------------------------------------------------------- signature fields

SIGNING_INFO_KEY = "SlabuilderSigning"
"""The document information entry that records who signs a slabuilder PDF, and where."""

PT_PER_PX = 0.75  # 72 PDF points per inch / 96 CSS pixels per inch


@dataclass(frozen=True)
class PlacedField:
    """An empty signature field: its name, what a reader is told about it, and where it is."""

    name: str
    tooltip: str
    page: int
    rect: tuple[float, float, float, float]
    """PDF user space (points, origin at the foot of the page): llx, lly, urx, ury."""


def _signature_lines(document: Any, signing: dict[str, Any]) -> list[PlacedField]:
    """Find each person's signature line in the laid-out pages.

    The signature block marks its line with ``data-sign-field`` (the field's name); its
    border box, the space above the rule, becomes the field.  A block the template left out
    is an error: a signable document without a field for someone would be signed short."""
    boxes: dict[str, tuple[int, Any, float]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            name = element.get("data-sign-field") if element is not None else None
            if name and name not in boxes:
                boxes[name] = (number, box, page.height)
    placed: list[PlacedField] = []
    for person in signing["people"]:
        name = person["signature_field"]
        if name not in boxes:
            raise SlabuilderError(
                f"the template has no signature line for {person['name']} (an element with "
                f'data-sign-field="{name}"); keep the signatures block of the shipped '
                "_signatures.html.j2 in your template", key="--templates")
        number, box, height = boxes[name]
        x, y = box.border_box_x(), box.border_box_y()
        width, tall = box.border_width(), box.border_height()
        rect = (round(x * PT_PER_PX, 2), round((height - y - tall) * PT_PER_PX, 2),
                round((x + width) * PT_PER_PX, 2), round((height - y) * PT_PER_PX, 2))
        tooltip = f"Signature of {person['name']}, {person['title']} ({person['side_name']})"
        placed.append(PlacedField(name=name, tooltip=tooltip, page=number, rect=rect))
    return placed


def _signature_finisher(placed: Sequence[PlacedField], signing: dict[str, Any], *,
                        pdfa: bool) -> Any:
    """A WeasyPrint finisher adding the empty signature fields and the signing record.

    Done on WeasyPrint's own PDF objects before it writes them, so the file has one
    revision and stays byte-identical under ``SOURCE_DATE_EPOCH``."""
    import json

    import pydyf

    def finish(document: Any, pdf: Any) -> None:
        form = pdf.catalog.get("AcroForm")
        if form is None:
            form = pdf.catalog["AcroForm"] = pydyf.Dictionary({"Fields": pydyf.Array()})
        pages = [pdf.objects[int(ref.split()[0])] for ref in pdf.page_references]
        dates = {person["signature_field"]: person["date_field"]
                 for person in signing["people"]}
        for spot in placed:
            page = pages[spot.page]
            llx, lly, urx, ury = spot.rect
            appearance = pydyf.Stream([], pydyf.Dictionary({
                "Type": "/XObject", "Subtype": "/Form",
                "BBox": pydyf.Array([0, 0, round(urx - llx, 2), round(ury - lly, 2)])}))
            pdf.add_object(appearance)
            widget = pydyf.Dictionary({
                "Type": "/Annot", "Subtype": "/Widget", "FT": "/Sig",
                "T": pydyf.String(spot.name), "TU": pydyf.String(spot.tooltip),
                "F": 4,  # print
                "Rect": pydyf.Array(spot.rect), "P": page.reference,
                "AP": pydyf.Dictionary({"N": appearance.reference}),
                # The signature locks the date beside it (FieldMDP): filled in at signing,
                # a later change to it breaks the signature's permissions.
                "Lock": pydyf.Dictionary({
                    "Type": "/SigFieldLock", "Action": "/Include",
                    "Fields": pydyf.Array([pydyf.String(dates[spot.name])])}),
            })
            pdf.add_object(widget)
            if "Annots" not in page:
                page["Annots"] = pydyf.Array()
            page["Annots"].append(widget.reference)
            form["Fields"].append(widget.reference)
        if pdfa:
            _appearances_for_pdfa(pdf, form)
        pdf.info[SIGNING_INFO_KEY] = pydyf.String(
            json.dumps(signing, sort_keys=True, ensure_ascii=False, separators=(",", ":")))

    return finish


def _appearances_for_pdfa(pdf: Any, form: Any) -> None:
    """PDF/A wants every widget drawn by its own appearance and no viewer-made ones:
    WeasyPrint leaves text fields to the viewer, so each empty one gets an empty appearance
    and ``NeedAppearances`` goes."""
    import pydyf

    form.pop("NeedAppearances", None)
    for item in list(pdf.objects):
        if isinstance(item, dict) and item.get("Subtype") == "/Widget" and "AP" not in item:
            llx, lly, urx, ury = (float(v) for v in item["Rect"])
            appearance = pydyf.Stream([], pydyf.Dictionary({
                "Type": "/XObject", "Subtype": "/Form",
                "BBox": pydyf.Array([0, 0, round(abs(urx - llx), 2),
                                     round(abs(ury - lly), 2)])}))
            pdf.add_object(appearance)
            item["AP"] = pydyf.Dictionary({"N": appearance.reference})


def html_to_pdf(html: str, *, base_url: Path | str, metadata: dict[str, Any], pdfa: bool,
                attachment: Path | None, asset_dirs: Sequence[Path] | None = None,
                attachment_name: str | None = None) -> bytes:
    """Turn ``html`` into PDF bytes.

    ``base_url`` is the folder relative asset URLs (fonts) resolve against; ``asset_dirs``
    are the only folders files may be read from (default: ``base_url``).  ``metadata`` keys:
    title, author, subject, keywords (list), lang.  ``pdfa`` makes a PDF/A-3b; ``attachment``
    (the answers file) is embedded when given.
    """
    base = Path(base_url) if not str(base_url).startswith("file:") else \
        Path(unquote(urlsplit(str(base_url)).path))
    job = PdfJob(html=html, base_url=base, metadata=dict(metadata), pdfa=pdfa,
                 attachment=attachment, attachment_name=attachment_name,
                 asset_dirs=list(asset_dirs or [base]))
    return render_job(job)


def blocked_urls(html: str, *, base_url: Path) -> list[str]:
    """The URLs a render of ``html`` tried to load and was refused (for tests and audits)."""
    weasyprint = _weasyprint()
    blocked: list[str] = []
    fetcher = _make_fetcher([base_url], blocked)
    weasyprint.HTML(string=html, base_url=base_url.resolve().as_uri() + "/",
                    url_fetcher=fetcher).render(font_config=_font_config())
    return blocked
