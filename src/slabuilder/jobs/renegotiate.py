"""``slabuilder renegotiate``: the next version of the agreement, its amendment and the diff.

The current answers are the interview's defaults, so only what changes needs typing.  The new
version is written beside nothing it could harm: the input file is only read, and every target
(the new answers file, the amendment, the new agreement) is checked before anything is
written; an existing one is refused without ``force``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.errors import AnswersError, ExportError, OutputError

if TYPE_CHECKING:
    from slabuilder.actuals import ExportOptions
    from slabuilder.answers import Answers
    from slabuilder.diff import AgreementDiff
    from slabuilder.observed import RateComparison, TermProposal
    from slabuilder.outputs import RenderOptions
    from slabuilder.plan import Plan

__all__ = ["AMENDMENT_DOCUMENTS", "RenegotiationRun", "observed_period",
           "run_renegotiate"]

AMENDMENT_DOCUMENTS = ("amendment", "agreement", "summary")
"""Every signable document of the new version, and the amendment that leads to it."""


@dataclass(frozen=True)
class RenegotiationRun:
    """The new version: its answers file, documents, and what changed from the current one."""

    source: Path
    current: Answers
    plan: Plan
    """The new version's plan."""
    changes: AgreementDiff
    answers_file: Path
    documents: list[Path]
    observed: list[RateComparison] = field(default_factory=list)
    missed: list[TermProposal] = field(default_factory=list)
    """The terms last period missed, with the evidence and a proposal for each."""
    notes: list[str] = field(default_factory=list)
    """What the user should know: whether the version renegotiated is the one in force."""

    @property
    def written(self) -> list[Path]:
        return [self.answers_file, *self.documents]

    @property
    def amendment(self) -> Path:
        """The amendment people sign: the PDF when there is one."""
        return min((path for path in self.documents if "-amendment." in path.name),
                   key=lambda path: path.suffix != ".pdf")


def run_renegotiate(answers_file: Path, out_dir: Path, *, settings: Sequence[str] = (),
                    use_defaults: bool = False, actuals_file: Path | None = None,
                    export: ExportOptions | None = None,
                    rendering: RenderOptions | None = None,
                    show_rates: Callable[[list[RateComparison]], None] | None = None,
                    show_missed: Callable[[list[TermProposal]], None] | None = None,
                    interactive: bool | None = None,
                    max_step: float | None = None) -> RenegotiationRun:
    """Interview for the next version (current answers as defaults), write it and its
    amendment, new agreement and new summary into ``out_dir``.

    With ``actuals_file`` last period's observed conversion rates become the defaults where
    they rest on enough records, each moved at most ``max_step`` percentage points (10 by
    default);
    ``show_rates`` is called with them before the interview, so the user sees them beside
    the agreed rates, and ``show_missed`` with the terms the period missed.
    """
    from slabuilder.answerfile import answers_from_data
    from slabuilder.diff import diff_plans
    from slabuilder.documents import check_formats
    from slabuilder.outputs import RenderOptions
    from slabuilder.plan import build_plan
    from slabuilder.versions import next_version_defaults
    from slabuilder.yamlio import read_yaml_file

    rendering = rendering or RenderOptions()
    check_formats(rendering.formats)
    document = read_yaml_file(answers_file, what="answers file")
    current = answers_from_data(document.data, document.source, document)
    current_plan = build_plan(current)
    from slabuilder.jobs.status import binding_version

    binding = binding_version(answers_file, current.company.name, current.agreement.version,
                              current_plan.fingerprint)
    notes = []
    if binding.in_force is not None and binding.in_force.fingerprint != current_plan.fingerprint:
        notes.append(f"version {binding.in_force.version} is the version in force (signed by "
                     f"every signatory); this renegotiation starts from version "
                     f"{current.agreement.version} in {answers_file.name}, which is not")
    defaults = next_version_defaults(document.data, current_plan)
    observed: list[RateComparison] = []
    missed: list[TermProposal] = []
    if actuals_file is not None:
        from slabuilder.observed import MAX_STEP, observed_rate_defaults

        step = MAX_STEP if max_step is None else Decimal(str(max_step)) / 100
        observed, missed = observed_period(actuals_file, current_plan, export, step=step)
        if show_rates is not None:
            show_rates(observed)
        if show_missed is not None:
            show_missed(missed)
        defaults = observed_rate_defaults(defaults, observed)
    data = _interview(defaults, settings, use_defaults, observed, document.source,
                      interactive)
    new = _checked_new_version(data, current, document.source)
    new_plan = build_plan(new)
    changes = diff_plans(current_plan, new_plan, wording=True,
                         templates_dir=rendering.templates_dir)
    target, documents = _write_version(answers_file, out_dir, data, new_plan, changes,
                                       rendering)
    return RenegotiationRun(source=answers_file, current=current, plan=new_plan,
                            changes=changes, answers_file=target, documents=documents,
                            observed=observed, missed=missed, notes=notes)


def _interview(defaults: dict[str, Any], settings: Sequence[str], use_defaults: bool,
               observed: list[RateComparison], source: str,
               interactive: bool | None) -> dict[str, Any]:
    """Run the questionnaire with the current answers (and observed rates) as defaults."""
    from slabuilder.interview import collect_answers
    from slabuilder.questionnaire import load_questionnaire

    shown = {f"funnel.{row.key}": f"Last period's CRM export shows {row.observed_text} "
                                  f"(of {words.count(row.sample)}); the agreement says "
                                  f"{row.agreed_text}."
             for row in observed if row.usable and row.sample is not None}
    return collect_answers(load_questionnaire(), defaults=defaults, settings=settings,
                           use_defaults=use_defaults, interactive=interactive, resume=None,
                           show_observed=shown or None, from_label=source)


def _checked_new_version(data: dict[str, Any], current: Answers, source: str) -> Answers:
    """The new answers, refused when they would not follow the current version."""
    from slabuilder.answerfile import answers_from_data
    from slabuilder.words import long_date

    agreement = data.setdefault("agreement", {})
    if agreement.get("version") is None:
        agreement["version"] = current.agreement.version + 1
    new = answers_from_data(data, "the new version")
    old = current.agreement
    if new.agreement.version <= old.version:
        raise AnswersError(f"the new version must be numbered above {old.version}, the "
                           f"version in {source}; give --set agreement.version="
                           f"{old.version + 1}", key="agreement.version")
    if new.agreement.effective_date <= old.effective_date:
        raise AnswersError(f"the new version must take effect after version {old.version} "
                           f"({long_date(old.effective_date)}); give a later date, e.g. "
                           "--set agreement.effective_date=YYYY-MM-DD",
                           key="agreement.effective_date")
    return new


def _write_version(source: Path, out_dir: Path, data: dict[str, Any], plan: Plan,
                   changes: AgreementDiff,
                   rendering: RenderOptions) -> tuple[Path, list[Path]]:
    """Write the new answers file, then the amendment, the new agreement and its summary.

    Every target is checked first, so a refusal writes nothing; the answers file and the
    documents are then written as one set, all or nothing.
    """
    from slabuilder.answerfile import answers_from_data, dump_answers
    from slabuilder.fsutil import OutputFile, check_writable, same_file
    from slabuilder.outputs import default_stem, output_paths, render_documents
    from slabuilder.versions import versioned_answers_name

    version = plan.answers.agreement.version
    target = out_dir / versioned_answers_name(source.stem, version)
    stem = default_stem(plan.answers)
    if same_file(target, source):
        raise OutputError("this is the file being renegotiated, which is never overwritten; "
                          "choose another -o folder", file=target)
    if changes.is_empty:
        raise OutputError("nothing changed, not even the effective date, so there is nothing "
                          "to amend; change an answer with --set or in the interview",
                          file=source)
    force = rendering.force
    if plan.icp_missing and not rendering.draft:
        missing = ", ".join(plan.icp_missing)
        raise OutputError(f"the amendment cannot be signed without the ideal customer profile; "
                          f"missing: {missing}. Give it with --set or in the interview, or add "
                          "--draft for copies marked DRAFT", key=plan.icp_missing[0])
    check_writable(target, force=force)
    for _, _, path in output_paths(stem, AMENDMENT_DOCUMENTS, out_dir, rendering.formats):
        if same_file(path, source):
            raise OutputError("would replace the file being renegotiated; choose another "
                              "-o folder", file=path)
        check_writable(path, force=force)
    answers_file = OutputFile(target, dump_answers(answers_from_data(data, str(target))),
                              force)
    written = render_documents(
        plan, AMENDMENT_DOCUMENTS, out_dir, rendering, answers_path=target,
        extra_context={"amendment": changes.to_dict()}, file_stem=stem,
        extra_files=[answers_file])
    return target, written[:-1]


def observed_period(actuals_file: Path, plan: Plan, export: ExportOptions | None = None,
                    step: Decimal | None = None,
                    ) -> tuple[list[RateComparison], list[TermProposal]]:
    """The plan's period measured from one reading of the export: each rate over the months
    old enough to judge it, and the terms the period missed.

    Months the export does not reach are skipped (a renegotiation often happens before the
    period's last month is over); an export that reaches none of them is refused.
    """
    from slabuilder.interrupts import import_held

    import_held("duckdb")  # a stop inside its initialisation would abort the process
    from slabuilder.actuals import compute_actuals
    from slabuilder.actuals.metrics import Month
    from slabuilder.observed import MAX_STEP, missed_terms, observed_cohort_rates

    if not actuals_file.is_file():
        raise ExportError("no such file; check the path given to --actuals", file=actuals_file)
    step = MAX_STEP if step is None else step
    months = [item.month for item in plan.months]
    measured = None
    problem: ExportError | None = None
    # The latest month the export reaches: its history holds every earlier month.
    for month in reversed(months):
        try:
            measured = compute_actuals(actuals_file, plan.answers, month, export,
                                       rate_keys=plan.measured_rates)
        except ExportError as error:
            if "holds nothing" not in error.message:
                raise
            problem = problem or error
            continue
        break
    held = [block for block in (measured.history if measured else ()) if block.key in months]
    if measured is None or not held:
        first, last = plan.months[0].label, plan.months[-1].label
        raise ExportError(f"the export holds no leads from {first} to {last}, the period "
                          "being renegotiated; export that period from the CRM",
                          file=actuals_file) from problem
    last_day = measured.export.last_date
    cohorts = [{key: (None if pair is None else (pair.start, pair.reached))
                for key, pair in block.conversion_counts.items()} for block in held]
    # Days from each calendar month's last day, as the months were measured.
    waited = [(dt.date.fromisoformat(last_day) - Month.parse(block.key).end).days + 1 if last_day
              else None for block in held]
    rates = observed_cohort_rates(cohorts, dict(plan.rates), waited=waited,
                                  days_to_judge={key: plan.days_to_judge(key)
                                                 for key in plan.rates}, step=step)
    return rates, missed_terms(plan, measured, [block.key for block in held], step)
