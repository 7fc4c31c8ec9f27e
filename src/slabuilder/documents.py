"""The documents slabuilder knows, and how one of them becomes HTML.

    Plan --context--> plain dict --Jinja (templates/*.html.j2)--> HTML

:data:`DOCUMENTS` registers every document by id; :func:`render_html` renders one with a
context from :func:`slabuilder.context.build_context`.  Templates run in a sandboxed Jinja
environment with autoescaping and ``StrictUndefined``; a folder given as ``templates_dir`` is
searched before the shipped templates, file by file.  Turning HTML into files (PDF included)
is :mod:`slabuilder.outputs`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from slabuilder import words
from slabuilder.errors import SlabuilderError, TemplateError

__all__ = [
    "DEFAULT_DOCUMENTS",
    "DOCUMENTS",
    "FILTERS",
    "FORMATS",
    "DocumentSpec",
    "asset_dirs",
    "check_fonts",
    "check_formats",
    "document_info",
    "document_spec",
    "make_environment",
    "render_html",
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


@jinja2.pass_context
def money_filter(context: jinja2.runtime.Context, value: Any, short: bool = False) -> str:
    """``1000000`` -> ``$1,000,000`` (or ``$1M`` when short), in the document's currency."""
    return words.money(value, str(context.get("currency", "USD")), short=short)


@jinja2.pass_context
def longdate_filter(context: jinja2.runtime.Context, value: Any) -> str:
    """``2027-01-01`` -> ``January 1, 2027`` (US style) or ``1 January 2027``."""
    return words.long_date(value, context.get("date_style"))


def hours_filter(value: Any, business: bool = True) -> str:
    """An agreed limit, exactly as agreed: ``4`` -> ``4 business hours``; ``24, False`` ->
    ``24 hours``; ``1.25`` -> ``1.25 business hours``."""
    return words.hours(value, business=business, places=None)


def days_filter(value: Any, business: bool = False) -> str:
    """``14`` -> ``14 days``; ``5, True`` -> ``5 business days``."""
    return words.days(value, business=business)


FILTERS: dict[str, Callable[..., str]] = {
    "money": money_filter, "percent": words.percent, "number": words.number,
    "hours": hours_filter, "short_hours": words.short_hours, "days": days_filter,
    "minutes": words.minutes, "spelled": words.spelled, "signed": words.signed,
    "longdate": longdate_filter,
    "sentence": words.sentence, "capfirst": words.capfirst, "stage_plural": words.stage_plural,
    "words": words.join, "lowfirst": words.lowfirst,
}
"""Every filter is a thin call into :mod:`slabuilder.words`, so a figure reads the same in a
document as in the terminal."""


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


class _TemplateLoader(jinja2.BaseLoader):
    """Reads templates from one folder, and nothing outside it.

    ``..`` and absolute names are refused by Jinja's own splitting; a symbolic link (to a
    file or to a folder) is followed only when it stays inside the folder, so
    ``{% include "leak.txt" %}`` with ``leak.txt -> /etc/passwd`` is refused, not printed.
    A template must be a regular file under the template cap, read as UTF-8 (the file that
    is not is named, instead of a bare codec error)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        from slabuilder.fsutil import read_input
        from slabuilder.limits import TEMPLATE_MAX_BYTES

        pieces = jinja2.loaders.split_template_path(template)
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise TemplateError("is a symbolic link that leads nowhere (or back to itself); "
                                "replace it by the file itself", file=path) from None
        if resolved != self.folder and self.folder not in resolved.parents:
            raise TemplateError("is a symbolic link to a file outside the template folder, "
                                "which templates may not read; copy the file into the folder "
                                "instead", file=path)
        if resolved.is_dir():
            raise jinja2.TemplateNotFound(template)
        raw = read_input(resolved, what="template", max_bytes=TEMPLATE_MAX_BYTES,
                         error_type=TemplateError)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[:error.start].count(b"\n") + 1
            raise TemplateError("the template is not UTF-8 text; save it as UTF-8 in your "
                                "editor", file=path, line=line) from None
        modified = resolved.stat().st_mtime_ns

        def unchanged() -> bool:
            try:
                return resolved.stat().st_mtime_ns == modified
            except OSError:
                return False

        return text, str(path), unchanged


_WIDTH = re.compile(r"[%:](?:\([^)]*\))?[-+ #0<>^=,_]*(\d+)(?:\.(\d+))?|\.(\d+)")
"""A width or precision in a ``%`` or ``{:}`` format: ``%999999999s``, ``{:>99999999}``."""


def _too_wide(text: str) -> bool:
    from slabuilder.limits import HTML_MAX_CHARS

    return any(int(number) > HTML_MAX_CHARS for found in _WIDTH.finditer(text)
               for number in found.groups() if number)


def _refuse_growth(name: str, value: Any, args: tuple[Any, ...]) -> None:
    """Refuse, before it runs, a call that would build a text no document can hold: the work
    is done in C, where the time limit's alarm cannot stop it."""
    from slabuilder.limits import HTML_MAX_CHARS

    # A size argument (ljust's width, center's, a '%*s' star): values to be formatted are
    # only sizes where the format asks for one with '*'.
    sizes = args if name not in ("format", "%") or "*" in str(value) else ()
    if any(isinstance(arg, int) and not isinstance(arg, bool) and arg > HTML_MAX_CHARS
           for arg in sizes):
        raise jinja2.exceptions.SecurityError(f"{name}() with a size no document can hold")
    if name in ("format", "%") and isinstance(value, str) and _too_wide(value):
        raise jinja2.exceptions.SecurityError("a field width no document can hold")
    if name == "replace" and isinstance(value, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        grown = len(value) + (value.count(old) if old else len(value) + 1) * (len(new) - len(old))
        if grown > HTML_MAX_CHARS:
            raise jinja2.exceptions.SecurityError("replace() would make a text longer than a "
                                                  "document holds")


def _guarded_filter(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, checked by :func:`_refuse_growth` first; Jinja's marker for a filter that
    takes the context or environment first is kept (``functools.wraps`` copies it)."""
    passes = getattr(real, "jinja_pass_arg", None) is not None

    @functools.wraps(real)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        value, *rest = args[1:] if passes else args
        _refuse_growth(name, value, (*rest, *kwargs.values()))
        return real(*args, **kwargs)

    return guarded


class _LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, refusing results no document can hold before they fill memory: ``*``
    and ``**`` (a string repeated a billion times, ``10 ** 10 ** 9``), ``%`` and format
    widths (``'%999999999s'|format('x')``), ``replace`` chains that double a text, and any
    padding or repeating method asked for more characters than a document may have."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805
             *args: Any, **kwargs: Any) -> Any:
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str):
            _refuse_growth(name, __obj.__self__, args + tuple(kwargs.values()))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>999999999}'.format(x)``: the sandbox hands templates its own ``format``; a
        width no document can hold is refused before it runs."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and _too_wide(value.__self__):
            def refuse(*args: Any, **kwargs: Any) -> str:
                raise jinja2.exceptions.SecurityError("a field width no document can hold")

            return refuse
        return wrapped

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        from slabuilder.limits import HTML_MAX_CHARS

        if operator == "%":
            _refuse_growth("%", left, right if isinstance(right, tuple) else (right,))
        if operator == "*":
            sizes = [len(side) for side in (left, right) if isinstance(side, str | list | tuple)]
            counts = [side for side in (left, right) if isinstance(side, int)]
            if sizes and counts and sizes[0] * counts[0] > HTML_MAX_CHARS:
                raise jinja2.exceptions.SecurityError(
                    "repeating a text or list that many times is more than a document holds")
        if (operator == "**" and isinstance(left, int | float) and isinstance(right, int | float)
                and abs(left) > 1 and right > 1000):
            raise jinja2.exceptions.SecurityError("the power is too large for a document")
        return super().call_binop(context, operator, left, right)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The shipped templates, compiled once and kept in the user's cache folder, keyed by
    their name, file and a digest of their text (Jinja's own rules), so a run does not
    compile the same templates again.  A user's own templates (``--templates``) are compiled
    every time and never kept.  The cache only ever saves time: a file that cannot be read
    or written is left alone, and a changed template is compiled afresh."""

    def __init__(self, directory: Path, shipped: Path) -> None:
        super().__init__(str(directory))
        self.shipped = shipped

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        if filename is None or not Path(filename).is_relative_to(self.shipped):
            return jinja2.bccache.Bucket(environment, "", "")  # compiled, never kept
        return super().get_bucket(environment, name, filename, source)

    def set_bucket(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key:
            super().set_bucket(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: compile the template instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _private_folder(folder: Path, top: Path) -> bool:
    """Every folder from ``top`` down to ``folder`` is ours (or root's) and writable by
    nobody else, so nobody else can put compiled code where it will be run."""
    uid = os.getuid()
    for part in [folder, *folder.parents]:
        info = part.lstat()
        if (not stat.S_ISDIR(info.st_mode) or info.st_uid not in (uid, 0)
                or info.st_mode & 0o022):
            return False
        if part == top:
            return True
    return False


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """The cache of compiled shipped templates for ``env``, in
    ``$XDG_CACHE_HOME/slabuilder`` (else ``~/.cache/slabuilder``); none where that folder
    is not safely private or cannot be made.  The folder is named after everything the
    compiled code depends on: the Jinja, Python and slabuilder versions and the
    environment's settings."""
    if os.name != "posix":
        return None
    from slabuilder.version import __version__

    try:
        top = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    if not top.is_absolute():
        return None
    settings = (jinja2.__version__, sys.version, __version__, type(env).__qualname__,
                env.autoescape, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline,
                env.newline_sequence, env.optimized, sorted(env.extensions),
                sorted(getattr(env, "intercepted_binops", ())),
                sorted(getattr(env, "intercepted_unops", ())),
                env.block_start_string, env.block_end_string, env.variable_start_string,
                env.variable_end_string, env.comment_start_string, env.comment_end_string,
                env.line_statement_prefix, env.line_comment_prefix)
    digest = hashlib.sha256(repr(settings).encode()).hexdigest()[:16]
    folder = top / "slabuilder" / f"templates-{digest}"
    try:
        top.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.parent.mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        if not _private_folder(folder, top):
            return None
    except OSError:
        return None
    return _CompiledTemplates(folder, _shipped_templates().resolve())


@functools.lru_cache(maxsize=8)
def _environment(user_dir: Path | None) -> SandboxedEnvironment:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        loaders.append(_TemplateLoader(user_dir))
    loaders.append(_TemplateLoader(_shipped_templates()))
    env = _LimitedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    for name in ("format", "replace", "center", "indent", "truncate", "wordwrap"):
        env.filters[name] = _guarded_filter(name, env.filters[name])
    env.bytecode_cache = _bytecode_cache(env)
    return env


def make_environment(templates_dir: Path | None = None) -> SandboxedEnvironment:
    """The sandboxed Jinja environment: ``templates_dir`` first, then the shipped templates."""
    return _environment(_checked_user_dir(templates_dir))


def check_formats(formats: Sequence[str]) -> None:
    """Refuse an output format slabuilder does not write, or none at all."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise SlabuilderError(f"{fmt!r} is not an output format; choose html, pdf or "
                                  "html,pdf", key="--format")
    if not formats:
        raise SlabuilderError("no format chosen; give --format html, pdf or html,pdf",
                              key="--format")


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


def document_spec(doc_id: str) -> DocumentSpec:
    try:
        return DOCUMENTS[doc_id]
    except KeyError:
        known = ", ".join(DOCUMENTS)
        raise SlabuilderError(f"{doc_id!r} is not a document slabuilder knows; choose from "
                              f"{known}", key="--doc") from None


def document_info(spec: DocumentSpec, context: dict[str, Any]) -> dict[str, str]:
    title = spec.title
    if spec.id == "agreement":
        agreement = context.get("agreement")
        if isinstance(agreement, dict) and agreement.get("title"):
            title = str(agreement["title"])
    return {"id": spec.id, "title": title, "description": spec.description}


def render_html(doc_id: str, context: dict[str, Any], *,
                templates_dir: Path | None = None) -> str:
    """Render one registered document to HTML with ``context`` (from :func:`build_context`)."""
    spec = document_spec(doc_id)
    env = make_environment(templates_dir)
    data = {**context}
    data.setdefault("document", document_info(spec, context))
    try:
        template = env.get_template(spec.template)
        html = _render_limited(template, data, spec)
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


def _render_limited(template: jinja2.Template, data: dict[str, Any], spec: DocumentSpec) -> str:
    """Render under the time limit and the HTML cap of :mod:`slabuilder.limits` (see there
    why an alarm can stop a template anywhere); the output is collected piece by piece, so
    a template printing without end is stopped at the cap, not when memory runs out."""
    from slabuilder import limits

    pieces: list[str] = []
    size = 0
    try:
        with limits.deadline(limits.TEMPLATE_SECONDS):
            for piece in template.generate(data):
                size += len(piece)
                if size > limits.HTML_MAX_CHARS:
                    raise TemplateError(
                        f"the template of the {spec.id} writes more than "
                        f"{words.count(limits.HTML_MAX_CHARS)} characters of HTML, the most a "
                        "document "
                        "may have; loop over the data it is given instead of large ranges",
                        file=template.filename or spec.template)
                pieces.append(piece)
    except limits.TimeLimitExceeded:
        raise TemplateError(f"the template of the {spec.id} ran longer than "
                            f"{words.number(limits.TEMPLATE_SECONDS)} seconds, the limit for "
                            "one document; "
                            "look for loops over large ranges",
                            file=template.filename or spec.template) from None
    return "".join(pieces)


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


