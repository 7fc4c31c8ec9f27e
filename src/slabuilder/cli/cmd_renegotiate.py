"""``slabuilder renegotiate ANSWERS -o DIR``: the next quarter's version, its amendment and diff.

The current answers are the interview's defaults, so only what changes needs typing.  The new
version is written beside nothing it could harm: the input file is only read, and every target
(the new answers file, the amendment, the new agreement) is checked before anything is
written; an existing one is refused without ``--force``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from slabuilder.amend import AgreementDiff, RateComparison
    from slabuilder.answers import Answers
    from slabuilder.plan import Plan

DOCUMENTS = ("amendment", "agreement")


@click.command("renegotiate")
@click.argument("answers_file", metavar="ANSWERS",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the new answers file, the amendment and the new agreement.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Give one answer of the new version without being asked, e.g. --set "
                   "economics.revenue_target=1.2M (repeatable).")
@click.option("--defaults", "use_defaults", is_flag=True,
              help="Ask nothing: keep every current answer except those given with --set "
                   "(and the observed rates, with --actuals).")
@click.option("--actuals", "actuals_file", metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="A CRM export of last period: offer its observed conversion rates as the "
                   "new defaults, shown beside the agreed ones.")
@click.option("--format", "formats", default="html,pdf", show_default=True, metavar="FORMATS",
              help="html, pdf or html,pdf.")
@click.option("--templates", "templates_dir", metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="A folder of your own templates, used before the shipped ones.")
@click.option("--draft", is_flag=True,
              help="Mark the documents DRAFT; allows them while the ICP is incomplete.")
@click.option("--force", is_flag=True,
              help="Replace the new version's files if they already exist (never the input "
                   "file, never a signed PDF).")
def command(answers_file: Path, out_dir: Path, settings: tuple[str, ...], use_defaults: bool,
            actuals_file: Path | None, formats: str, templates_dir: Path | None,
            draft: bool, force: bool) -> None:
    """Write the next version of the agreement, its amendment, and show what changed.

    The interview runs with the current answers as defaults; the version number goes up by
    one and the new version takes effect the day after the current period ends (change it
    with --set agreement.effective_date=YYYY-MM-DD). The input file and the documents of the
    previous version are never changed.

    \b
    Examples:
      slabuilder renegotiate acme.yaml -o q2/
      slabuilder renegotiate acme.yaml -o q2/ --defaults --set economics.revenue_target=1.2M
      slabuilder renegotiate acme.yaml -o q2/ --actuals hubspot-q1.csv
    """
    from slabuilder.amend import diff_plans, next_version_defaults
    from slabuilder.answers import answers_from_data
    from slabuilder.plan import build_plan
    from slabuilder.yamlio import read_yaml_file

    chosen_formats = _formats(formats)
    document = read_yaml_file(answers_file, what="answers file")
    current = answers_from_data(document.data, document.source, document)
    current_plan = build_plan(current)
    defaults = next_version_defaults(document.data, current_plan)
    observed: list[RateComparison] = []
    if actuals_file is not None:
        defaults, observed = _offer_observed_rates(actuals_file, current_plan, defaults)
    data = _interview(defaults, list(settings), use_defaults, observed, document.source)
    new = _checked_new_version(data, current, document.source)
    new_plan = build_plan(new)
    changes = diff_plans(current_plan, new_plan)
    written = _write_version(answers_file, out_dir, data, new_plan, changes,
                             _Options(chosen_formats, templates_dir, draft, force))

    from slabuilder.cli.cmd_diff import print_diff
    from slabuilder.cli.common import console

    out = console()
    print_diff(changes, str(answers_file), str(written[0]), out)
    out.print()
    out.print("Wrote:", markup=False)
    for path in written:
        out.print(f"  {path}", markup=False)
    # Point at the PDF when there is one: that is the copy people sign.
    amendment = min((p for p in written if "-amendment." in p.name),
                    key=lambda p: p.suffix != ".pdf")
    out.print(f"Next: the signatories sign the amendment ({amendment}). The files of version "
              f"{current.agreement.version} stay as they are, as the record of what was "
              "agreed then.", markup=False)


# --------------------------------------------------------------------------- steps


def _formats(text: str) -> list[str]:
    from slabuilder.documents import FORMATS
    from slabuilder.errors import SlabuilderError

    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not formats or any(fmt not in FORMATS for fmt in formats):
        raise SlabuilderError(f"{text!r} is not an output format; choose html, pdf or "
                              "html,pdf", key="--format")
    return formats


def _interview(defaults: dict[str, Any], settings: list[str], use_defaults: bool,
               observed: list[RateComparison], source: str) -> dict[str, Any]:
    """Run the questionnaire with the current answers (and observed rates) as defaults."""
    from slabuilder.interview import collect_answers
    from slabuilder.questionnaire import load_questionnaire

    shown = {f"funnel.{row.key}": f"Last period's CRM export shows {row.observed_text} "
                                  f"(of {row.sample:,}); the agreement says {row.agreed_text}."
             for row in observed if row.usable and row.sample is not None}
    return collect_answers(load_questionnaire(), defaults=defaults, settings=settings,
                           use_defaults=use_defaults,
                           interactive=None,
                           resume=None, show_observed=shown or None, from_label=source)


def _checked_new_version(data: dict[str, Any], current: Answers, source: str) -> Answers:
    """The new answers, refused when they would not follow the current version."""
    from slabuilder.amend import format_date
    from slabuilder.answers import answers_from_data
    from slabuilder.errors import AnswersError

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
                           f"({format_date(old.effective_date)}); give a later date, e.g. "
                           "--set agreement.effective_date=YYYY-MM-DD",
                           key="agreement.effective_date")
    return new


@dataclass(frozen=True)
class _Options:
    formats: list[str]
    templates_dir: Path | None
    draft: bool
    force: bool


def _write_version(source: Path, out_dir: Path, data: dict[str, Any], plan: Plan,
                   changes: AgreementDiff, options: _Options) -> list[Path]:
    """Write the new answers file, then the amendment and the new agreement.

    Every target is checked first, so a refusal writes nothing.  If rendering fails after the
    answers file was written, that new file is removed again (when it did not exist before),
    so a second attempt does not need ``--force``.
    """
    from slabuilder.amend import document_stem, versioned_file_name
    from slabuilder.answers import save_answers
    from slabuilder.documents import output_paths, render_documents
    from slabuilder.errors import OutputError
    from slabuilder.fsutil import check_writable

    version = plan.answers.agreement.version
    target = out_dir / versioned_file_name(source.stem, version)
    stem = document_stem(target.name).replace(".v", "-v")
    if target.resolve() == source.resolve():
        raise OutputError("this is the file being renegotiated, which is never overwritten; "
                          "choose another -o folder", file=target)
    if changes.is_empty:
        raise OutputError("nothing changed, not even the effective date, so there is nothing "
                          "to amend; change an answer with --set or in the interview",
                          file=source)
    if plan.icp_missing and not options.draft:
        missing = ", ".join(plan.icp_missing)
        raise OutputError(f"the amendment cannot be signed without the ideal customer profile; "
                          f"missing: {missing}. Give it with --set or in the interview, or add "
                          "--draft for copies marked DRAFT", key=plan.icp_missing[0])
    check_writable(target, force=options.force)
    for _, _, path in output_paths(stem, DOCUMENTS, out_dir, options.formats):
        if path.resolve() == source.resolve():
            raise OutputError("would replace the file being renegotiated; choose another "
                              "-o folder", file=path)
        check_writable(path, force=options.force)
    existed = target.exists()
    save_answers(data, target, force=options.force)
    try:
        documents = render_documents(
            plan, DOCUMENTS, out_dir, formats=options.formats, force=options.force,
            draft=options.draft, templates_dir=options.templates_dir, answers_path=target,
            extra_context={"amendment": changes.to_dict()}, file_stem=stem)
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                target.unlink()
        raise
    return [target, *documents]


def _offer_observed_rates(actuals_file: Path, plan: Plan,
                          defaults: dict[str, Any]) -> tuple[dict[str, Any],
                                                             list[RateComparison]]:
    """Last period's observed conversion rates as the new defaults, shown beside the agreed."""
    from slabuilder.amend import observed_rate_defaults

    comparisons = _observed_rates(actuals_file, plan)
    _print_rates(comparisons)
    return observed_rate_defaults(defaults, comparisons), comparisons


def _observed_rates(actuals_file: Path, plan: Plan) -> list[RateComparison]:
    """Each month of the current period measured from the export, rates over the whole period.

    Months the export does not reach are skipped (a renegotiation often happens before the
    period's last month is over); an export that reaches none of them is refused.
    """
    from slabuilder.actuals import compute_actuals
    from slabuilder.amend import observed_cohort_rates
    from slabuilder.errors import ExportError

    if not actuals_file.is_file():
        raise ExportError("no such file; check the path given to --actuals", file=actuals_file)
    cohorts: list[dict[str, tuple[int, int] | None]] = []
    problem: ExportError | None = None
    for month in plan.months:
        try:
            measured = compute_actuals(actuals_file, plan.answers, month.month,
                                       rate_keys=list(plan.rates))
        except ExportError as error:
            problem = problem or error
            continue
        cohorts.append({key: (None if pair is None else (pair["from"], pair["reached"]))
                        for key, pair in measured["conversion_counts"].items()})
    if not cohorts:
        if problem is not None and "holds nothing" not in problem.message:
            raise problem
        first, last = plan.months[0].label, plan.months[-1].label
        raise ExportError(f"the export holds no leads from {first} to {last}, the period "
                          "being renegotiated; export that period from the CRM",
                          file=actuals_file)
    return observed_cohort_rates(cohorts, dict(plan.rates))


def _print_rates(comparisons: list[RateComparison]) -> None:
    from rich.table import Table

    from slabuilder.cli.common import console

    table = Table(title="Conversion rates: agreed and observed last period",
                  title_justify="left")
    table.add_column("Rate")
    table.add_column("Agreed", justify="right")
    table.add_column("Observed", justify="right")
    table.add_column("Based on", justify="right")
    table.add_column("New default")
    for row in comparisons:
        table.add_row(row.label, row.agreed_text, row.observed_text,
                      f"{row.sample:,}" if row.sample is not None else "",
                      "observed" if row.refusal is None else f"agreed: {row.refusal}")
    out = console()
    out.print(table)
    if any(row.usable for row in comparisons):
        out.print("Observed rates resting on enough records are offered as the new defaults; "
                  "keep or change each one.", markup=False)
    else:
        out.print("The export gives no usable rate; the agreed rates stay the defaults.",
                  markup=False)
