"""The documents slabuilder writes, and the one pipeline that writes them all.

    Plan --build_context--> plain dict --Jinja (templates/*.html.j2)--> HTML --pdf--> PDF

:data:`DOCUMENTS` registers every document by id.  :func:`render_html` turns a context into
HTML; :func:`render_documents` checks every target file first (nothing is overwritten without
``force``, a signed PDF never), renders everything, and only then writes, each file atomically.
Templates run in a sandboxed Jinja environment with autoescaping and ``StrictUndefined``; a
folder given as ``templates_dir`` is searched before the shipped templates, file by file.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from slabuilder.answers import CURRENCY_SYMBOLS, Answers
from slabuilder.errors import OutputError, SlabuilderError, TemplateError
from slabuilder.fsutil import check_writable, write_atomic

if TYPE_CHECKING:
    from slabuilder.pdf import PdfJob
    from slabuilder.plan import Plan

__all__ = [
    "DEFAULT_DOCUMENTS",
    "DOCUMENTS",
    "FORMATS",
    "DocumentSpec",
    "PlannedOutput",
    "asset_dirs",
    "make_environment",
    "output_paths",
    "prepare_outputs",
    "render_documents",
    "render_html",
    "render_many",
    "write_outputs",
]


@dataclass(frozen=True)
class DocumentSpec:
    id: str
    title: str
    template: str
    description: str
    needs_icp: bool = False
    """A signable document: refused while the ICP is incomplete, unless drafted."""
    no_em_dash: bool = False
    """The house style of the brief: em dashes, even in typed answers, become en dashes."""
    one_page: bool = False
    """Its PDF is laid out denser, step by step, until it holds on one page."""


DOCUMENTS: dict[str, DocumentSpec] = {spec.id: spec for spec in (
    DocumentSpec("agreement", "Sales and Marketing Service Level Agreement",
                 "agreement.html.j2",
                 "The agreement both VPs sign: targets, MQL definition, commitments, "
                 "escalation, cadence and signatures.", needs_icp=True),
    DocumentSpec("brief", "SLA Design Brief", "brief.html.j2",
                 "For the SLA's owner: where things stand, how the terms were set, the CRM "
                 "set-up and how to get the agreement adopted.", no_em_dash=True),
    # The summary carries "Signed by" lines, so it is as signable as the agreement.
    DocumentSpec("summary", "SLA Summary", "summary.html.j2",
                 "The agreement on one page, for everyone in marketing and sales.",
                 needs_icp=True, one_page=True),
    DocumentSpec("report", "Monthly Alignment Report", "report.html.j2",
                 "Targets against actuals for the monthly funnel review."),
    DocumentSpec("agenda", "Weekly Pipeline Review Agenda", "agenda.html.j2",
                 "The agenda of the weekly pipeline review."),
    DocumentSpec("dashboard", "Weekly SLA Dashboard", "dashboard.html.j2",
                 "Lead flow, response times and quality rates for RevOps."),
    DocumentSpec("amendment", "Amendment to the Service Level Agreement", "amendment.html.j2",
                 "Every changed term, old and new, with its effective date and signatures.",
                 needs_icp=True),
    DocumentSpec("calibration", "Scoring Calibration Report", "calibration.html.j2",
                 "The scoring points and threshold learnt from the company's own leads, "
                 "with the holdout evidence and what was left out."),
)}
DEFAULT_DOCUMENTS = ("agreement", "brief", "summary")
FORMATS = ("html", "pdf")

# --------------------------------------------------------------------------- filters


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise TypeError(f"{value!r} is not a number") from None


def _grouped(value: Decimal, places: int = 0) -> str:
    return f"{value:,.{places}f}"


def _rounded(value: Decimal, step: str) -> Decimal:
    """Half up, the rule people learn at school: 0.565 -> 0.57, 1.5 -> 2, 2.5 -> 3.
    (Decimal's default, half to even, would turn 2.5 into 2 and 0.565 into 0.56.)"""
    return value.quantize(Decimal(step), rounding=ROUND_HALF_UP)


@jinja2.pass_context
def money_filter(context: jinja2.runtime.Context, value: Any, short: bool = False) -> str:
    """``1000000`` -> ``$1,000,000`` (or ``$1M`` when short), in the answers' currency.

    Whole units from 1,000 up, cents below; every rounding is half up."""
    amount = _decimal(value)
    currency = str(context.get("currency", "USD"))
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if short and amount >= 1000:
        for size, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"),
                             (Decimal(1000), "k")):
            if amount >= size:
                scaled = _rounded(amount / size, "0.1")
                text = format(scaled.normalize(), "f") + suffix
                break
    elif amount == amount.to_integral_value() or amount >= 1000:
        text = _grouped(_rounded(amount, "1"))
    else:
        text = _grouped(_rounded(amount, "0.01"), 2)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def percent_filter(value: Any, places: int = 1) -> str:
    """``0.6`` -> ``60%``; ``0.125`` -> ``12.5%``."""
    scaled = (_decimal(value) * 100).quantize(Decimal(1).scaleb(-places))
    text = format(scaled.normalize(), "f")
    return f"{text}%"


def number_filter(value: Any) -> str:
    """``1234`` -> ``1,234``; ``2.5`` -> ``2.5``."""
    amount = _decimal(value)
    if amount == amount.to_integral_value():
        return _grouped(amount)
    return format(amount.normalize(), ",f")


def hours_filter(value: Any, business: bool = True) -> str:
    """``4`` -> ``4 business hours``, ``1`` -> ``1 business hour``, ``24, False`` -> ``24 hours``.
    """
    amount = _decimal(value)
    unit = "hour" if amount == 1 else "hours"
    return f"{number_filter(amount)} {'business ' if business else ''}{unit}"


def signed_filter(value: Any) -> str:
    """Points with their sign: ``+20``, ``-50`` (with a true minus sign)."""
    amount = int(value)
    return f"+{amount}" if amount > 0 else f"\u2212{abs(amount)}" if amount < 0 else "0"


@jinja2.pass_context
def longdate_filter(context: jinja2.runtime.Context, value: Any) -> str:
    """``2027-01-01`` -> ``January 1, 2027`` (US style) or ``1 January 2027``."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    month = day.strftime("%B")
    if context.get("date_style") == "us":
        return f"{month} {day.day}, {day.year}"
    return f"{day.day} {month} {day.year}"


def capfirst_filter(value: Any) -> str:
    """First letter up, the rest untouched (unlike Jinja's capitalize, which lowers it)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def sentence_filter(value: Any) -> str:
    """A clause as a sentence: first letter up (the rest untouched), one full stop at the end."""
    text = str(value).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


FILTERS = {"money": money_filter, "percent": percent_filter, "number": number_filter,
           "hours": hours_filter, "signed": signed_filter, "longdate": longdate_filter,
           "sentence": sentence_filter, "capfirst": capfirst_filter}

# --------------------------------------------------------------------------- environment


def _shipped_templates() -> Path:
    from slabuilder.resources import templates_dir

    return templates_dir()


def _checked_user_dir(templates_dir: Path | None) -> Path | None:
    if templates_dir is None:
        return None
    folder = Path(templates_dir)
    if not folder.is_dir():
        raise TemplateError("is not a folder of templates; give the folder that holds your "
                            "agreement.html.j2 or style.css", file=folder)
    return folder.resolve()


class _TemplateLoader(jinja2.FileSystemLoader):
    """Reads templates as UTF-8 and names the file that is not, instead of a bare codec
    error that the render would report as a formatting problem."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            pieces = jinja2.loaders.split_template_path(template)
            found = [Path(folder, *pieces) for folder in self.searchpath]
            path = next((p for p in found if p.is_file()), found[0])
            line = bytes(error.object[:error.start]).count(b"\n") + 1
            raise TemplateError("the template is not UTF-8 text; save it as UTF-8 in your "
                                "editor", file=path, line=line) from None


@functools.lru_cache(maxsize=8)
def _environment(user_dir: Path | None) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        loaders.append(_TemplateLoader(str(user_dir)))
    loaders.append(_TemplateLoader(str(_shipped_templates())))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def make_environment(templates_dir: Path | None = None) -> SandboxedEnvironment:
    """The sandboxed Jinja environment: ``templates_dir`` first, then the shipped templates."""
    return _environment(_checked_user_dir(templates_dir))


def check_fonts() -> None:
    """PDFs are set only in the shipped fonts; without them every machine would differ."""
    fonts = _shipped_templates() / "fonts"
    if not any(fonts.glob("*.otf")):
        raise SlabuilderError("slabuilder is installed without its fonts (templates/fonts), "
                              "so its PDFs would not look the same everywhere; reinstall it, "
                              "or render with --format html", file=fonts)


def asset_dirs(templates_dir: Path | None = None) -> list[Path]:
    """Folders a document may load files (fonts) from, the user's first."""
    user = _checked_user_dir(templates_dir)
    return [*([user] if user else []), _shipped_templates()]


# --------------------------------------------------------------------------- HTML


def _spec(doc_id: str) -> DocumentSpec:
    try:
        return DOCUMENTS[doc_id]
    except KeyError:
        known = ", ".join(DOCUMENTS)
        raise SlabuilderError(f"{doc_id!r} is not a document slabuilder knows; choose from "
                              f"{known}", key="--doc") from None


def _document_info(spec: DocumentSpec, context: dict[str, Any]) -> dict[str, str]:
    title = spec.title
    if spec.id == "agreement":
        agreement = context.get("agreement")
        if isinstance(agreement, dict) and agreement.get("title"):
            title = str(agreement["title"])
    return {"id": spec.id, "title": title, "description": spec.description}


def render_html(doc_id: str, context: dict[str, Any], *,
                templates_dir: Path | None = None) -> str:
    """Render one registered document to HTML with ``context`` (from :func:`build_context`)."""
    spec = _spec(doc_id)
    env = make_environment(templates_dir)
    data = {**context}
    data.setdefault("document", _document_info(spec, context))
    try:
        template = env.get_template(spec.template)
        html = template.render(data)
        if spec.no_em_dash:
            html = html.replace("\u2014", "\u2013").replace("&mdash;", "&ndash;").replace(
                "&#8212;", "&#8211;")
        return html
    except jinja2.TemplateNotFound as error:
        missing = str(error.name or spec.template)
        where = (f" (looked in {templates_dir} and the shipped templates)"
                 if templates_dir else "")
        raise TemplateError(f"the template {missing} for the {spec.id} document is not "
                            f"installed{where}; add it or render other documents with --doc",
                            file=missing) from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template error: {error.message}; fix the template",
                            file=error.filename or error.name or spec.template,
                            line=error.lineno) from None
    except jinja2.exceptions.SecurityError as error:
        file, line = _template_location(error, spec.template)
        raise TemplateError(f"the template tried something templates may not do ({error}); "
                            "templates can only show the data they are given",
                            file=file, line=line) from None
    except (OverflowError, MemoryError, RecursionError) as error:
        # The sandbox refuses huge ranges with OverflowError; a runaway recursion or a
        # giant string is the same mistake: more than any document can show.
        file, line = _template_location(error, spec.template)
        detail = str(error).split(".")[0] or type(error).__name__
        raise TemplateError(f"the template asks for more than a document can hold ({detail}); "
                            "loop over the data it is given instead of large ranges",
                            file=file, line=line) from None
    except (TypeError, ValueError) as error:
        file, line = _template_location(error, spec.template)
        raise TemplateError(f"the template could not format a value ({error}); check the "
                            "filters it uses", file=file, line=line) from None
    except jinja2.UndefinedError as error:
        file, line = _template_location(error, spec.template)
        raise TemplateError(f"the template uses a value that does not exist ({error.message});"
                            " check the spelling against the shipped templates",
                            file=file, line=line) from None


def _template_location(error: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template file and line a render failed in, from the traceback Jinja rewrites so
    that its frames point at template lines; ``fallback`` when none is found."""
    import traceback

    found: tuple[str, int | None] = (fallback, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        name = frame.f_code.co_filename
        if not name.endswith(".py") and Path(name).is_file():
            found = (name, line)
    return found


# --------------------------------------------------------------------------- outputs


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
        _spec(doc_id)
    for fmt in formats:
        if fmt not in FORMATS:
            raise SlabuilderError(f"{fmt!r} is not an output format; choose html, pdf or "
                                  "html,pdf", key="--format")
    if not doc_ids:
        raise SlabuilderError("no document chosen; give for example --doc agreement",
                              key="--doc")
    if not formats:
        raise SlabuilderError("no format chosen; give --format html, pdf or html,pdf",
                              key="--format")
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
    if answers_path is not None:
        return Path(answers_path), Path(answers_path).name
    return None, f"{stem}-answers.yaml"


def default_stem(answers: Answers) -> str:
    """``acme-analytics``, or ``acme-analytics-v2`` from the second version on, so that a
    new version's documents never collide with the signed ones of the last."""
    from slabuilder.context import slugify

    version = answers.agreement.version
    slug = slugify(answers.company.name)
    return slug if version == 1 else f"{slug}-v{version}"


def prepare_outputs(plan: Plan, doc_ids: Sequence[str], out_dir: Path, *,
                    formats: Sequence[str] = FORMATS, draft: bool = False,
                    templates_dir: Path | None = None, pdfa: bool = False,
                    answers_path: Path | None = None,
                    extra_context: dict[str, Any] | None = None,
                    file_stem: str | None = None) -> list[PlannedOutput]:
    """Render the HTML of every requested document and describe every file to write."""
    from slabuilder.context import build_context

    _check_choices(doc_ids, formats, pdfa)
    _refuse_without_icp(plan, doc_ids, draft, answers_path)
    if "pdf" in formats:
        check_fonts()
    base = build_context(plan, draft=draft)
    stem = file_stem or default_stem(plan.answers)
    folders = asset_dirs(templates_dir)
    attachment, attachment_name = _answers_attachment(plan, answers_path, stem)
    outputs: list[PlannedOutput] = []
    for doc_id in doc_ids:
        spec = DOCUMENTS[doc_id]
        context = {**base, **(extra_context or {})}
        if spec.needs_icp and plan.icp_missing:
            context["draft"] = True
        info = _document_info(spec, context)
        context["document"] = info
        html = render_html(doc_id, context, templates_dir=templates_dir)
        for _, fmt, path in output_paths(stem, [doc_id], out_dir, formats):
            output = PlannedOutput(path=path, doc_id=doc_id, fmt=fmt, html=html)
            if fmt == "pdf":
                output.pdf_job = _pdf_job(html, context, info, folders, pdfa,
                                          attachment, attachment_name, plan)
            outputs.append(output)
    return outputs


def _pdf_job(html: str, context: dict[str, Any], info: dict[str, str], folders: list[Path],
             pdfa: bool, attachment: Path | None, attachment_name: str | None,
             plan: Plan) -> PdfJob:
    from slabuilder.pdf import PdfJob

    job = PdfJob(html=html, base_url=folders[-1], metadata=_pdf_metadata(context, info),
                 pdfa=pdfa, asset_dirs=folders, one_page=DOCUMENTS[info["id"]].one_page)
    if pdfa:
        job.attachment = attachment
        job.attachment_name = attachment_name
        if attachment is None:
            from slabuilder.answers import dump_answers

            job.attachment_data = dump_answers(plan.answers).encode("utf-8")
    return job


def _check_targets(outputs: Iterable[PlannedOutput], force: bool) -> None:
    seen: set[Path] = set()
    for output in outputs:
        resolved = output.path.resolve()
        if resolved in seen:
            raise OutputError("two documents would be written to the same file; render the "
                              "answers files into different folders", file=output.path)
        seen.add(resolved)
        check_writable(output.path, force=force)


def write_outputs(outputs: Sequence[PlannedOutput], *, force: bool) -> list[Path]:
    """Check every target, make the PDFs (in parallel), then write each file atomically."""
    from slabuilder.pdf import html_to_pdf_many

    _check_targets(outputs, force)
    jobs = [o.pdf_job for o in outputs if o.pdf_job is not None]
    pdfs = iter(html_to_pdf_many(jobs))
    payloads: list[tuple[Path, bytes | str]] = []
    for output in outputs:
        payloads.append((output.path, next(pdfs) if output.pdf_job is not None
                         else output.html))
    for path, payload in payloads:
        write_atomic(path, payload, force=force)
    return [path for path, _ in payloads]


def render_documents(plan: Plan, doc_ids: Sequence[str], out_dir: Path, *,
                     formats: Sequence[str] = FORMATS, force: bool = False,
                     draft: bool = False, templates_dir: Path | None = None,
                     pdfa: bool = False, answers_path: Path | None = None,
                     extra_context: dict[str, Any] | None = None,
                     file_stem: str | None = None) -> list[Path]:
    """Write ``doc_ids`` for ``plan`` into ``out_dir`` as HTML and/or PDF; return the paths.

    Every target is checked before anything is rendered or written: an existing file is
    refused without ``force`` (and nothing at all is written), a signed PDF always.
    ``extra_context`` is laid over the plan's context (reports pass ``actuals``, amendments
    ``amendment``).  Files are named ``<file_stem>-<doc>.<format>``, the stem defaulting to
    the company's name as a slug.
    """
    outputs = prepare_outputs(plan, doc_ids, out_dir, formats=formats, draft=draft,
                              templates_dir=templates_dir, pdfa=pdfa,
                              answers_path=answers_path, extra_context=extra_context,
                              file_stem=file_stem)
    return write_outputs(outputs, force=force)


def render_many(answers_paths: Sequence[Path], doc_ids: Sequence[str], out_dir: Path, *,
                formats: Sequence[str] = FORMATS, force: bool = False, draft: bool = False,
                templates_dir: Path | None = None, pdfa: bool = False) -> list[Path]:
    """Render several answers files at once: all targets are checked first, then the PDFs
    of every file are made together on all cores."""
    from slabuilder.answers import load_answers
    from slabuilder.plan import build_plan

    outputs: list[PlannedOutput] = []
    for path in answers_paths:
        plan = build_plan(load_answers(path))
        outputs.extend(prepare_outputs(plan, doc_ids, out_dir, formats=formats, draft=draft,
                                       templates_dir=templates_dir, pdfa=pdfa,
                                       answers_path=Path(path)))
    return write_outputs(outputs, force=force)
