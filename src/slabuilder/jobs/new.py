"""``slabuilder new``: the interview, a validated answers file named after the company, the
plan, and the documents beside it.

Every file that would be written is settled before anything is: a known company name (from
``--from``, ``--set`` or ``--resume``) is checked before the first question, so nobody types
for ten minutes to be told the file cannot be saved.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.errors import InterviewAborted, OutputError, SlabuilderError
from slabuilder.interview import Terminal, collect_answers, confirm
from slabuilder.keypath import get_path
from slabuilder.partial import PARTIAL_NAME, is_partial, read_partial
from slabuilder.walk import layered
from slabuilder.words import slugify

if TYPE_CHECKING:
    from slabuilder.answers import Answers
    from slabuilder.plan import Plan
    from slabuilder.questionnaire import Questionnaire

__all__ = ["NewResult", "run_new"]


@dataclass(frozen=True)
class NewResult:
    path: Path
    """The answers file written."""
    answers: Answers
    plan: Plan
    documents: list[Path]
    """Documents rendered beside it (none with ``render=False``)."""
    pdf_problem: str | None = None
    """Why no PDF could be made (the answers and the HTML documents were saved)."""


def run_new(
    output_dir: Path,
    *,
    from_file: Path | None = None,
    settings: Sequence[str] = (),
    use_defaults: bool = False,
    resume: Path | None = None,
    force: bool = False,
    interactive: bool | None = None,
    questionnaire: Questionnaire | None = None,
    terminal: Terminal | None = None,
    show_observed: dict[str, str] | None = None,
    render: bool = True,
) -> NewResult:
    """``slabuilder new``: interview, validate, write ``DIR/<company>.yaml``, render documents."""
    from slabuilder.questionnaire import load_questionnaire

    questionnaire = questionnaire or load_questionnaire()
    previous = _read_previous(from_file) if from_file is not None else None
    if resume is None and _is_interactive(interactive, use_defaults):
        resume = _offer_to_resume(output_dir / PARTIAL_NAME, terminal or Terminal())
    _refuse_known_target(output_dir, previous, settings, resume, force)
    data = collect_answers(
        questionnaire, defaults=previous, settings=settings, use_defaults=use_defaults,
        interactive=interactive, resume=resume, show_observed=show_observed,
        terminal=terminal, partial_path=output_dir / PARTIAL_NAME,
        from_label=str(from_file) if from_file is not None else None)
    # imported only now: the first question must not wait for the plan's modules
    from slabuilder.answerfile import answers_from_data, dump_answers
    from slabuilder.fsutil import OutputFile, write_all
    from slabuilder.plan import build_plan

    answers = answers_from_data(data, "your answers")
    asking = _is_interactive(interactive, use_defaults)
    target = output_dir / f"{slugify(answers.company.name)}.yaml"
    replace_answers = force
    if target.exists() and not force and asking:
        target, replace_answers = _place_for(target, terminal or Terminal())
    documents_wanted = render and _documents_may_be_written(
        _document_paths(answers, output_dir), force=force, asking=asking,
        terminal=terminal or Terminal())
    plan = build_plan(answers)
    # The answers are saved first: ten minutes of typing must survive whatever rendering
    # meets (no Pango, a full disk, Ctrl-C); the documents are then one set of their own.
    write_all([OutputFile(target, dump_answers(answers), replace_answers)])
    if resume is not None and is_partial(resume):
        resume.unlink(missing_ok=True)
    documents: list[Path] = []
    problem = None
    if documents_wanted:
        later = f"make them with `slabuilder render {target} -o {output_dir}`"
        try:
            documents, problem = _render_documents(plan, output_dir, target)
        except KeyboardInterrupt:
            raise InterviewAborted(f"stopped while making the documents; the answers are "
                                   f"saved in {target}: {later}") from None
        except SlabuilderError as error:
            raise SlabuilderError(f"the documents were not written ({error}); the answers "
                                  f"are saved in {target}: {later}") from None
    return NewResult(path=target, answers=answers, plan=plan, documents=documents,
                     pdf_problem=problem)


def _offer_to_resume(partial: Path, terminal: Terminal) -> Path | None:
    """A stopped interview left its answers in the output folder: offer to carry on."""
    if not is_partial(partial):
        return None
    if confirm(terminal, f"An interview stopped earlier left its answers in {partial}. "
               "Carry on from them?", default=True):
        return partial
    terminal.say(f"Starting afresh; {partial} is kept until these answers are saved.")
    return None


def _is_interactive(interactive: bool | None, use_defaults: bool) -> bool:
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    return interactive and not use_defaults


def _place_for(target: Path, terminal: Terminal) -> tuple[Path, bool]:
    """The file appeared while the user was typing: replace it, or save beside it."""
    from slabuilder.fsutil import is_signed_pdf

    replace = not is_signed_pdf(target) and target.is_file() and confirm(
        terminal, f"{target} already exists. Replace it?")
    if replace:
        return target, True
    number = 2
    while (other := target.with_name(f"{target.stem}-{number}{target.suffix}")).exists():
        number += 1
    terminal.say(f"Saving as {other} instead.")
    return other, False


def _read_previous(path: Path) -> dict[str, Any]:
    from slabuilder.yamlio import read_mapping

    return read_mapping(path, "answers file",
                         "an answers file (it should start with company:, agreement:, ...)")


def _refuse_known_target(output_dir: Path, previous: dict[str, Any] | None,
                         settings: Sequence[str], resume: Path | None, force: bool) -> None:
    """Fail before the first question when the file to be written already exists.

    Only possible when the company name is already known (--from, --set or --resume); then
    nobody types for ten minutes to be told the file cannot be saved.
    """
    from slabuilder.fsutil import check_writable

    known = layered(previous or {}, read_partial(resume) if resume is not None else {})
    if settings:
        from slabuilder.answerfile import apply_settings

        known = apply_settings(known, list(settings))
    name = get_path(known, "company.name")
    if isinstance(name, str) and name.strip():
        check_writable(output_dir / f"{slugify(name)}.yaml", force=force)
    if output_dir.exists() and not output_dir.is_dir():
        raise OutputError("is a file, not a folder; give a folder with -o", file=output_dir)


def _document_paths(answers: Answers, output_dir: Path) -> list[Path]:
    """The files rendering will write, named as ``slabuilder render`` names them."""
    from slabuilder.documents import DEFAULT_DOCUMENTS, FORMATS
    from slabuilder.outputs import default_stem, output_paths

    return [path for _, _, path in output_paths(default_stem(answers), DEFAULT_DOCUMENTS,
                                                output_dir, FORMATS)]


def _documents_may_be_written(paths: list[Path], *, force: bool, asking: bool,
                              terminal: Terminal) -> bool:
    """Settle, before anything is written, whether the documents can be (re)written.

    A signed PDF is never replaced; other existing documents need --force, or a yes at the
    terminal (a no keeps them and skips rendering, but still saves the answers).
    """
    from slabuilder.fsutil import check_writable, is_signed_pdf

    existing = [path for path in paths if path.exists()]
    for path in existing:
        if is_signed_pdf(path):
            check_writable(path, force=True)  # raises: signed documents are never replaced
    if not existing or force:
        return bool(paths)
    if not asking:
        check_writable(existing[0], force=False)  # raises with the --force hint
    replace = confirm(terminal, f"Documents for this company are already in "
                      f"{existing[0].parent} ({existing[0].name}, ...). Replace them?")
    if not replace:
        terminal.say("Keeping the existing documents; render new ones later with "
                     "`slabuilder render`.")
    return replace


def _render_documents(plan: Plan, output_dir: Path,
                      answers_path: Path) -> tuple[list[Path], str | None]:
    """Render the documents beside the answers file, as a draft while the ICP is missing.

    When PDFs cannot be made (WeasyPrint or its Pango library missing), the HTML documents
    are still written and the reason comes back instead of an error: the answers are saved.
    """
    from dataclasses import replace

    from slabuilder.documents import DEFAULT_DOCUMENTS
    from slabuilder.outputs import RenderOptions, render_documents
    from slabuilder.pdf import PdfRenderError

    rendering = RenderOptions(force=True, draft=bool(plan.icp_missing))
    try:
        written = render_documents(plan, DEFAULT_DOCUMENTS, output_dir, rendering,
                                   answers_path=answers_path)
    except PdfRenderError as error:
        written = render_documents(plan, DEFAULT_DOCUMENTS, output_dir,
                                   replace(rendering, formats=("html",)),
                                   answers_path=answers_path)
        return written, (f"no PDFs were made: {error.reason}. The answers and the HTML "
                         "documents are saved; once PDFs work, make them with "
                         f"`slabuilder render {answers_path} -o {output_dir}`")
    return written, None
