"""One person's workspace: the answers started from, what they typed, and what it gives.

The browser sends every field on each change; the workspace keeps the latest, so the review
page, saving and the PDFs all read the same answers.  It names no web framework: the routes in
:mod:`slabuilder.web.app` call it, and tests can call it directly.
"""

from __future__ import annotations

import io
import secrets
import threading
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.errors import AnswersError, OutputError, SlabuilderError
from slabuilder.web.forms import FormState, Typed, evaluate

if TYPE_CHECKING:
    from slabuilder.answers import Answers
    from slabuilder.plan import Plan
    from slabuilder.questionnaire import Question, Questionnaire

__all__ = ["DRAFT_NAME", "UPLOAD_LIMIT", "Chain", "Figures", "StaleVersion", "Workspace",
           "chain_of", "chain_so_far"]

UPLOAD_LIMIT = 1_000_000
"""Bytes: the strict YAML reader's own cap on an answers file."""
DRAFT_NAME = ".slabuilder-draft.json"
"""The draft in the output folder: every change, incomplete answers included, so that a
stopped workspace resumes where it was."""


class StaleVersion(Exception):  # noqa: N818 - a condition the page acts on, not a fault
    """The answers changed since the page last saw them (another tab or window)."""


@dataclass(frozen=True)
class Chain:
    """The targets the revenue goal asks for, from the first answers that give them
    (revenue, deal size, conversion rates), before the rest of the answers are in."""

    period: str
    revenue: Decimal
    deal_size: Decimal
    currency: str
    totals: dict[str, int]
    """Stage to its total for the period, first stage first, ``won`` last."""
    rates: dict[str, Decimal]
    """``mql_to_sql`` to its rate, in funnel order."""


@dataclass(frozen=True)
class Figures:
    """What the answers give, for the panel beside the form."""

    plan: Plan | None
    problem: str | None = None
    """Why there is no plan yet: the first problem in the answers, one line."""
    problem_question: Question | None = None
    chain: Chain | None = None
    """The targets worked out so far, while the plan waits for other answers."""
    needed: tuple[tuple[Question, str], ...] = ()
    """The answers still needed for the whole plan: each question and its problem."""


@dataclass
class Workspace:
    questionnaire: Questionnaire
    output_dir: Path
    base: dict[str, Any] = field(default_factory=dict)
    """The answers file started from (or loaded), as data."""
    source: str | None = None
    """Its name, for messages."""
    typed: dict[str, Typed] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    lock: threading.Lock = field(default_factory=threading.Lock)
    version: int = 0
    """Raised on every change; a page that sends an older one is out of date."""
    resumed: str | None = None
    """When the draft was resumed from the output folder: what the page says about it."""
    last_tab: str | None = None
    """The page that made the last change."""

    # ----------------------------------------------------------------- the answers

    def update(self, typed: dict[str, Typed], seen: int | None = None,
               tab: str | None = None) -> FormState:
        """Take what the page holds now; ``seen`` is the version the page last had and
        ``tab`` names the page: a page that missed a change another one made is refused
        with :class:`StaleVersion` (its own changes still on their way are not).  The
        draft on disk follows at once."""
        known = {q.id for _, q in self.questionnaire.questions()}
        with self.lock:
            if seen is not None and seen != self.version and (tab is None
                                                              or tab != self.last_tab):
                raise StaleVersion(self.version)
            kept = {key: value for key, value in typed.items() if key in known}
            self.last_tab = tab
            if kept != self.typed:
                self.typed = kept
                self.version += 1
                self._write_draft()
            return self.state()

    # ----------------------------------------------------------------- the draft

    @property
    def draft_path(self) -> Path:
        return self.output_dir / DRAFT_NAME

    def _write_draft(self) -> None:
        """Every answer as typed, the file started from, the version and the page's token
        (so a page left open goes on working once the workspace is back), private to this
        user, replaced atomically."""
        import json
        import os

        data = {"format": 1, "version": self.version, "token": self.token,
                "source": self.source, "base": self.base, "typed": self.typed}
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            temporary = self.draft_path.with_name(f"{DRAFT_NAME}.{secrets.token_hex(4)}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                # dates of the file started from, as the file wrote them
                json.dump(data, handle, ensure_ascii=False, default=str)
            temporary.replace(self.draft_path)
        except OSError as error:
            raise OutputError(f"cannot keep the draft of these answers here ({error.strerror}); "
                              "start serve with another -o folder",
                              file=self.output_dir) from None

    def resume_draft(self) -> bool:
        """Take up the draft a stopped workspace left in the output folder; False when there
        is none (or it is not one, which is then left alone)."""
        import datetime as dt
        import json

        try:
            raw = json.loads(self.draft_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return False
        typed = raw.get("typed") if isinstance(raw, dict) else None
        if not (isinstance(typed, dict) and isinstance(raw.get("base"), dict)
                and isinstance(raw.get("version"), int) and isinstance(raw.get("token"), str)
                and all(isinstance(v, str) or (isinstance(v, list) and all(
                    isinstance(i, str) for i in v)) for v in typed.values())):
            return False
        self.base, self.typed, self.version = raw["base"], typed, raw["version"]
        self.token = raw["token"]
        self.source = raw.get("source") if isinstance(raw.get("source"), str) else None
        when = dt.datetime.fromtimestamp(self.draft_path.stat().st_mtime)
        self.resumed = ("Resumed the answers not yet saved (last changed "
                        f"{when.isoformat(sep=' ', timespec='minutes')}).")
        return True

    def drop_draft(self) -> None:
        """The answers are saved: the draft has done its work."""
        import contextlib

        with contextlib.suppress(OSError):
            self.draft_path.unlink()

    def state(self) -> FormState:
        return evaluate(self.questionnaire, self.base, self.typed)

    def answers(self, state: FormState | None = None) -> Answers:
        """The answers as a valid file would hold them; raises naming the first problem."""
        from slabuilder.answerfile import answers_from_data

        state = state or self.state()
        if state.errors:
            name, message = next(iter(state.errors.items()))
            question = state.fields[name].question
            raise AnswersError(message, key=question.key or question.title)
        data = {"format": 1, **{k: v for k, v in state.data.items() if k != "format"}}
        return answers_from_data(data, "your answers")

    def figures(self, state: FormState | None = None) -> Figures:
        from slabuilder.plan import build_plan

        state = state or self.state()
        try:
            plan = build_plan(self.answers(state))
        except SlabuilderError as error:
            needed = tuple((f.question, f.error or "") for f in state.fields.values()
                           if f.visible and f.error is not None)
            return Figures(None, f"{error.key + ': ' if error.key else ''}{error.message}",
                           self.questionnaire.question_for(error.key),
                           chain=chain_so_far(state.data), needed=needed)
        return Figures(plan, chain=chain_of(plan))

    # ----------------------------------------------------------------- documents

    def preview(self, plan: Plan) -> str:
        """The agreement's HTML, from the same templates as the PDF (a draft while the ICP
        is incomplete)."""
        from slabuilder.outputs import RenderOptions, prepare_outputs

        outputs = prepare_outputs(plan, ["agreement"], self.output_dir,
                                  RenderOptions(formats=("html",), draft=bool(plan.icp_missing)))
        return outputs[0].html

    def pdfs(self, doc_ids: tuple[str, ...], esign: str | None = None) -> dict[str, bytes]:
        """File name to PDF bytes, made in memory: a download writes nothing on this side;
        ``esign`` puts that service's text tags in place of the signature fields."""
        from slabuilder.outputs import RenderOptions, prepare_outputs
        from slabuilder.pdfpool import html_to_pdf_many
        from slabuilder.plan import build_plan

        plan = build_plan(self.answers())
        outputs = prepare_outputs(plan, doc_ids, self.output_dir,
                                  RenderOptions(formats=("pdf",), draft=bool(plan.icp_missing),
                                                esign_tags=esign))
        made = html_to_pdf_many([o.pdf_job for o in outputs if o.pdf_job is not None])
        return {o.path.name: pdf for o, pdf in zip(outputs, made, strict=True)}

    def zip_of_pdfs(self, doc_ids: tuple[str, ...],
                    esign: str | None = None) -> tuple[str, bytes]:
        files = self.pdfs(doc_ids, esign)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        stem = next(iter(files)).rsplit("-", 1)[0] if files else "documents"
        return f"{stem}-documents.zip", buffer.getvalue()

    # ----------------------------------------------------------------- files

    def answers_path(self, answers: Answers) -> Path:
        from slabuilder.words import slugify

        return self.output_dir / f"{slugify(answers.company.name)}.yaml"

    def save(self, *, replace: bool) -> Path:
        """Write the commented answers file into the output folder, atomically; an existing
        file is replaced only when the user said so."""
        from slabuilder.answerfile import save_answers

        answers = self.answers()
        target = self.answers_path(answers)
        if target.exists() and not replace:
            raise FileExistsError(target)
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise OutputError("is a file, not a folder; start again with another -o",
                              file=self.output_dir)
        save_answers(answers, target, force=replace)
        self.drop_draft()
        return target

    def load(self, raw: bytes, name: str) -> None:
        """Start again from an uploaded answers file, read by the same strict reader as
        ``slabuilder check`` and opened as ``serve FILE`` opens it: a file that is not an
        answers file is refused with the checker's message, a bad answer in one is marked
        beside its question."""
        from slabuilder.answerfile import answers_from_data
        from slabuilder.yamlio import parse_yaml

        source = _plain_name(name)
        if len(raw) > UPLOAD_LIMIT:
            raise SlabuilderError(f"the answers file is larger than {UPLOAD_LIMIT // 1000} kB; "
                                  "is this the right file?", file=source)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise SlabuilderError("the answers file is not UTF-8 text; save it as UTF-8",
                                  file=source, line=line) from None
        document = parse_yaml(text, source, what="answers file")
        if not isinstance(document.data, dict):
            # only the shape is refused: a bad value is marked beside its question, as when
            # `serve FILE` opens the same file
            answers_from_data(document.data, source, document)
        with self.lock:
            self.base = document.data
            self.source = source
            self.typed = {}
            self.version += 1
            self._write_draft()


def _plain_name(name: str) -> str:
    """The file's own name, for messages only: the browser never names a path here."""
    leaf = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in leaf if ch.isprintable())[:100].strip()
    return cleaned or "the uploaded file"


def chain_so_far(data: dict[str, Any]) -> Chain | None:
    """The reverse funnel from the revenue goal, the deal size and the rates alone, when
    those answers are in and valid (``None`` until then)."""
    from pydantic import ValidationError

    from slabuilder.answers import Economics, Funnel
    from slabuilder.derive.funnel import reverse_funnel
    from slabuilder.numbertext import format_of, number_format

    try:
        with number_format(format_of(data)):
            economics = Economics.model_validate(data.get("economics") or {})
            funnel = Funnel.model_validate(data.get("funnel") or {})
        steps = funnel.chain()
    except (ValidationError, ValueError, TypeError):
        return None
    return Chain(economics.period, economics.revenue_target, economics.average_deal_size,
                 economics.currency,
                 reverse_funnel(economics.revenue_target, economics.average_deal_size, steps),
                 {f"{a}_to_{b}": rate for a, b, rate in steps})


def chain_of(plan: Plan) -> Chain:
    economics = plan.answers.economics
    return Chain(plan.period, economics.revenue_target, economics.average_deal_size,
                 plan.currency, {stage: plan.targets[stage].per_period
                                 for stage in plan.stages if stage in plan.targets},
                 dict(plan.rates))
