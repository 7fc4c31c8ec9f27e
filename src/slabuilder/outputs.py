"""Writing documents to files: every target checked first, PDFs made in parallel, each file
written atomically.

    Plan --context--> HTML (documents) --pdf--> PDF --here--> files

:func:`render_documents` checks every target file before anything is rendered (nothing is
overwritten without ``force``, a signed PDF never), renders everything, and only then writes.
:func:`render_many` does the same for several answers files at once, on all cores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.documents import (
    DOCUMENTS,
    FORMATS,
    DocumentSpec,
    asset_dirs,
    check_fonts,
    check_formats,
    document_info,
    document_spec,
    render_html,
)
from slabuilder.errors import OutputError, SlabuilderError
from slabuilder.fsutil import OutputFile, check_writable, write_all

if TYPE_CHECKING:
    from slabuilder.answers import Answers
    from slabuilder.pdf import PdfJob
    from slabuilder.plan import Plan

__all__ = ["PlannedOutput", "RenderOptions", "default_stem", "output_paths", "prepare_outputs",
           "render_documents", "render_many", "write_outputs"]


@dataclass(frozen=True)
class RenderOptions:
    """How documents are rendered and written, whatever the documents: one object that the
    command line builds once and every step reads."""

    formats: Sequence[str] = FORMATS
    """``html``, ``pdf`` or both."""
    force: bool = False
    """Replace files that exist (never a signed PDF)."""
    draft: bool = False
    """Mark every page DRAFT and leave out signature fields."""
    templates_dir: Path | None = None
    """A folder of the user's own templates, tried before the shipped ones."""
    pdfa: bool = False
    """PDF/A-3b with the answers file attached."""
    esign_tags: str | None = None
    """An e-signature service whose text tags go under each signature line."""


@dataclass
class PlannedOutput:
    """One file a render will write: its HTML, and for a PDF the job that makes it."""

    path: Path
    doc_id: str
    fmt: str
    html: str = ""
    pdf_job: PdfJob | None = None


def output_paths(stem: str, doc_ids: Sequence[str], out_dir: Path,
                 formats: Sequence[str]) -> list[tuple[str, str, Path]]:
    """``(doc_id, format, path)`` for every file a render will write, e.g.
    ``out/acme-analytics-agreement.pdf``."""
    return [(doc_id, fmt, Path(out_dir) / f"{stem}-{doc_id}.{fmt}")
            for doc_id in doc_ids for fmt in formats]


def _check_choices(doc_ids: Sequence[str], formats: Sequence[str], pdfa: bool = False) -> None:
    for doc_id in doc_ids:
        document_spec(doc_id)
    check_formats(formats)
    if not doc_ids:
        raise SlabuilderError("no document chosen; give for example --doc agreement",
                              key="--doc")
    if pdfa and "pdf" not in formats:
        # Asking for an archive copy and getting none would be noticed too late.
        raise SlabuilderError("PDF/A is a kind of PDF, but --format html writes no PDF; "
                              "add pdf (--format html,pdf) or leave out --pdfa", key="--pdfa")


def _refuse_without_icp(plan: Plan, doc_ids: Sequence[str], draft: bool,
                        answers_path: Path | None) -> None:
    signable = [d for d in doc_ids if DOCUMENTS[d].needs_icp]
    if signable and plan.icp_missing and not draft:
        names = ", ".join(plan.icp_missing)
        raise SlabuilderError(
            f"the {signable[0]} cannot be signed without the ideal customer profile; "
            f"missing: {names}. Fill them in, or add --draft for a copy marked DRAFT",
            file=answers_path, key=plan.icp_missing[0])


def _pdf_metadata(context: dict[str, Any], info: dict[str, str]) -> dict[str, Any]:
    company = context["company"]["name"]
    agreement = context["agreement"]
    owner = agreement["owner"]
    version = agreement["version"]
    return {
        "title": f"{info['title']}: {company}",
        "author": f"{owner['name']}, {owner['title']}, {company}",
        "subject": f"{info['description']} Version {version}, effective "
                   f"{agreement['effective_date']}.",
        "keywords": ["service level agreement", "SLA", "marketing", "sales", "MQL", company,
                     info["id"], f"version {version}", f"fingerprint {context['fingerprint']}"],
        "lang": "en",
    }


def _answers_attachment(plan: Plan, answers_path: Path | None,
                        stem: str) -> tuple[Path | None, str | None]:
    """The answers file a PDF/A copy embeds, and its name; an answers file written in the
    same set as the documents (a renegotiation's new version) is embedded from the plan's
    answers, which it holds."""
    if answers_path is not None:
        path = Path(answers_path)
        return (path if path.exists() else None), path.name
    return None, f"{stem}-answers.yaml"


def default_stem(answers: Answers) -> str:
    """``acme-analytics``, or ``acme-analytics-v2`` from the second version on, so that a
    new version's documents never collide with the signed ones of the last."""
    return words.versioned_stem(words.slugify(answers.company.name),
                                answers.agreement.version)


def prepare_outputs(plan: Plan, doc_ids: Sequence[str], out_dir: Path,
                    options: RenderOptions = RenderOptions(), *,
                    answers_path: Path | None = None,
                    extra_context: dict[str, Any] | None = None,
                    file_stem: str | None = None) -> list[PlannedOutput]:
    """Render the HTML of every requested document and describe every file to write.

    A signable document that is not a draft gets its signing record (who signs, the names
    of their fields, and with ``esign_tags`` the e-signature service's text tags), which
    the template shows and the PDF turns into signature and date fields."""
    from slabuilder.context import build_context
    from slabuilder.sign import esign_tags as check_service

    _check_choices(doc_ids, options.formats, options.pdfa)
    if options.esign_tags is not None:
        check_service(options.esign_tags, 1)
    _refuse_without_icp(plan, doc_ids, options.draft, answers_path)
    if "pdf" in options.formats:
        check_fonts()
    base = build_context(plan, draft=options.draft)
    stem = file_stem or default_stem(plan.answers)
    folders = asset_dirs(options.templates_dir)
    attachment, attachment_name = _answers_attachment(plan, answers_path, stem)
    outputs: list[PlannedOutput] = []
    for doc_id in doc_ids:
        spec = DOCUMENTS[doc_id]
        context = {**base, **(extra_context or {})}
        if spec.needs_icp and plan.icp_missing:
            context["draft"] = True
        info = document_info(spec, context)
        context["document"] = info
        context["signing"] = _signing(spec, context, options.esign_tags)
        html = render_html(doc_id, context, templates_dir=options.templates_dir)
        for _, fmt, path in output_paths(stem, [doc_id], out_dir, options.formats):
            output = PlannedOutput(path=path, doc_id=doc_id, fmt=fmt, html=html)
            if fmt == "pdf":
                output.pdf_job = _pdf_job(html, context, info, folders, options.pdfa,
                                          attachment, attachment_name, plan)
                output.pdf_job.signing = context["signing"]
            outputs.append(output)
    return outputs


def _signing(spec: DocumentSpec, context: dict[str, Any],
             esign_tags: str | None) -> dict[str, Any] | None:
    """The signing record of a document to be signed; none for a draft or another document."""
    from slabuilder.sign import signing_record

    if not spec.needs_icp or context.get("draft"):
        return None
    return signing_record(context, spec.id, esign_tags)


def _pdf_job(html: str, context: dict[str, Any], info: dict[str, str], folders: list[Path],
             pdfa: bool, attachment: Path | None, attachment_name: str | None,
             plan: Plan) -> PdfJob:
    from slabuilder.pdf import PdfJob

    job = PdfJob(html=html, base_url=folders[-1], metadata=_pdf_metadata(context, info),
                 pdfa=pdfa, asset_dirs=folders, one_page=DOCUMENTS[info["id"]].one_page)
    if job.one_page:
        job.fit_key, job.fit_hint = longest_answers(plan.answers)
    if pdfa:
        job.attachment = attachment
        job.attachment_name = attachment_name
        if attachment is None:
            from slabuilder.answerfile import dump_answers

            job.attachment_data = dump_answers(plan.answers).encode("utf-8")
    return job


def longest_answers(answers: Answers) -> tuple[str | None, str]:
    """The lists of the one-page summary that take the most room, largest first, as
    ``icp.disqualifiers (20 entries, 6,120 characters)``."""
    lists = {f"icp.{name}": list(getattr(answers.icp, name))
             for name in ("disqualifiers", "titles", "industries", "geographies")}
    lists["agreement.signatories"] = [f"{person.name} {person.title}"
                                      for person in answers.agreement.signatories]
    sizes = sorted(((sum(len(item) for item in items), len(items), key)
                    for key, items in lists.items() if items), reverse=True)
    shown = [f"{key} ({count} entr{'y' if count == 1 else 'ies'}, {words.count(chars)} characters)"
             for chars, count, key in sizes[:2]]
    if not shown:
        return None, "the longest answers on it"
    return sizes[0][2], "the longest answers on it: " + ", ".join(shown)


def _check_targets(outputs: Iterable[PlannedOutput], force: bool) -> None:
    seen: set[Path] = set()
    for output in outputs:
        check_writable(output.path, force=force)  # first: it explains a path that loops
        resolved = output.path.resolve()
        if resolved in seen:
            raise OutputError("two documents would be written to the same file; render the "
                              "answers files into different folders", file=output.path)
        seen.add(resolved)


def write_outputs(outputs: Sequence[PlannedOutput], *, force: bool,
                  extra_files: Sequence[OutputFile] = ()) -> list[Path]:
    """Check every target, make the PDFs (in parallel), then write the files (with
    ``extra_files``, such as the answers or the breaches) as one set, all or nothing."""
    from slabuilder.pdfpool import html_to_pdf_many

    _check_targets(outputs, force)
    for extra in extra_files:
        check_writable(extra.path, force=extra.force)
    jobs = [o.pdf_job for o in outputs if o.pdf_job is not None]
    pdfs = iter(html_to_pdf_many(jobs))
    files = [OutputFile(output.path, next(pdfs) if output.pdf_job is not None else output.html,
                        force) for output in outputs]
    return write_all([*files, *extra_files])


def render_documents(plan: Plan, doc_ids: Sequence[str], out_dir: Path,
                     options: RenderOptions = RenderOptions(), *,
                     answers_path: Path | None = None,
                     extra_context: dict[str, Any] | None = None,
                     file_stem: str | None = None,
                     extra_files: Sequence[OutputFile] = ()) -> list[Path]:
    """Write ``doc_ids`` for ``plan`` into ``out_dir`` as HTML and/or PDF; return the paths.

    Every target is checked before anything is rendered or written: an existing file is
    refused without ``options.force`` (and nothing at all is written), a signed PDF always.
    ``extra_context`` is laid over the plan's context (reports pass ``actuals``, amendments
    ``amendment``); ``extra_files`` are written in the same all-or-nothing set (and
    returned last).  Files
    are named ``<file_stem>-<doc>.<format>``, the stem defaulting to the company's name as a
    slug.
    """
    outputs = prepare_outputs(plan, doc_ids, out_dir, options, answers_path=answers_path,
                              extra_context=extra_context, file_stem=file_stem)
    return write_outputs(outputs, force=options.force, extra_files=extra_files)


def render_many(answers_paths: Sequence[Path], doc_ids: Sequence[str], out_dir: Path,
                options: RenderOptions = RenderOptions(), *,
                settings: Sequence[str] = ()) -> list[Path]:
    """Render several answers files at once: all targets are checked first, then the PDFs
    of every file are made together on all cores."""
    from slabuilder.answerfile import load_answers
    from slabuilder.plan import build_plan

    outputs: list[PlannedOutput] = []
    for path in answers_paths:
        plan = build_plan(load_answers(path, settings))
        outputs.extend(prepare_outputs(plan, doc_ids, out_dir, options,
                                       answers_path=Path(path)))
    return write_outputs(outputs, force=options.force)
