"""What the terminal shows: the plan, the diff between two versions, observed rates,
signature status and calibration as rich tables.  rich is imported on first use, so commands
that print no table start fast.  The top of the house, beside ``cli/``: only the command line
imports it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.textclean import printable
from slabuilder.words import count, number, percent

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from slabuilder.diff import AgreementDiff, Section
    from slabuilder.jobs.renegotiate import RenegotiationRun
    from slabuilder.jobs.status import StatusReport
    from slabuilder.observed import RateComparison, TermProposal
    from slabuilder.plan import Plan

__all__ = ["console", "describe_versions", "print_calibration", "print_diff", "print_plan",
           "print_rates", "quiet_stdout", "status_lines", "step_progress"]


def _text(text: str) -> str:
    """Answers as rich shows them: as written, never read as markup (``[link=...]``) and
    without control characters."""
    from rich.markup import escape

    return escape(printable(text))


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _broken_pipe() -> None:
    # rich's own handler exits with status 1; a reader that stops early (`| head`) is no
    # failure, so let the command line treat it as one: exit 0, quietly.
    raise BrokenPipeError


def console(*, stderr: bool = False) -> Any:
    """A rich console; imported lazily so commands that do not print tables start fast."""
    from rich.console import Console

    terminal = Console(stderr=stderr, highlight=False)
    if not terminal.is_terminal:
        # Piped into a file or another program: wide enough that sentences stay on one line.
        terminal = Console(stderr=stderr, highlight=False, width=160)
    terminal.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return terminal


def print_plan(plan: Plan, out: Console | None = None) -> None:
    """The plan as the terminal tables a director reads."""
    from rich.table import Table

    from slabuilder.words import (
        STAGE_NAMES,
        count,
        long_date,
        money,
        number,
        percent,
        rounded,
        stage_plural,
    )

    def _money(amount: Any) -> str:
        return money(amount, plan.currency)

    out = out or console()
    answers = plan.answers
    out.print(f"[bold]{_text(answers.company.name)}[/bold]: plan for the {plan.period} from "
              f"{long_date(plan.period_start)} to {long_date(plan.period_end)}")
    out.print(f"Revenue target {_money(plan.revenue_target)} at "
              f"{_money(plan.average_deal_size)} a deal; pipeline needed "
              f"{_money(plan.pipeline_needed)} "
              f"({number(answers.economics.pipeline_coverage)}x coverage).")

    targets = Table(title="Targets (every figure rounded up)", title_justify="left")
    targets.add_column("Stage")
    targets.add_column("Rate into next", justify="right")
    targets.add_column(f"Per {plan.period}", justify="right")
    if plan.period == "year":
        targets.add_column("Per quarter", justify="right")
    if plan.period != "month":
        targets.add_column("Per month", justify="right")
    targets.add_column("Per week", justify="right")
    outgoing = {key.split("_to_")[0]: rate for key, rate in plan.rates.items()}
    for stage in plan.stages:
        target = plan.targets[stage]
        row = [STAGE_NAMES[stage], percent(outgoing[stage]) if stage in outgoing else "",
               count(target.per_period)]
        if plan.period == "year":
            row.append(count(target.per_quarter))
        if plan.period != "month":
            row.append(count(target.per_month))
        row.append(count(target.per_week))
        targets.add_row(*row)
    out.print(targets)
    lead = plan.lead_time
    out.print(f"Lead time: with a {lead.sales_cycle_days}-day sales cycle, the MQLs for "
              f"bookings from {long_date(lead.bookings_start)} to {long_date(lead.bookings_end)}"
              f" must arrive between {long_date(lead.mql_window_start)} and "
              f"{long_date(lead.mql_window_end)}.")

    if plan.sensitivity:
        table = Table(title=f"If {plan.sensitivity[0].rate_key} turns out different",
                      title_justify="left")
        table.add_column(plan.sensitivity[0].rate_key, justify="right")
        monthly = plan.period == "month"
        if not monthly:
            table.add_column(f"MQLs per {plan.period}", justify="right")
        table.add_column("MQLs per month", justify="right")
        for option in plan.sensitivity:
            mark = (" (plan)" if option.delta_points == 0
                    else f" ({words.signed(option.delta_points)} pts)")
            figures = ([] if monthly else [count(option.mql_per_period)]) + [
                count(option.mql_per_month)]
            table.add_row(percent(option.rate) + mark, *figures)
        out.print(table)
        out.print("Your own CRM history beats any benchmark: measure these rates each quarter.")

    if plan.forward is not None:
        forward = plan.forward
        expected = ", ".join(f"{number(forward.expected[s], 1)} {stage_plural(s)}"
                             for s in plan.stages[1:])
        out.print(f"Forward: {count(forward.start_per_month)} "
                  f"{stage_plural(forward.start_stage)} a month give about {expected} and "
                  f"{_money(rounded(forward.revenue_per_month))} of revenue a month.")
    if plan.capacity is not None:
        cap = plan.capacity
        out.print(f"Capacity: {number(cap.leads_per_rep_per_day, 1)} new MQLs and "
                  f"{count(cap.touches_per_rep_per_day)} touches per {cap.rep_role} per "
                  f"day (limit {cap.max_touches_per_rep_per_day}).")

    scoring = plan.scoring
    points = Table(title=f"Lead scoring (MQL at {scoring.threshold} points)",
                   title_justify="left")
    points.add_column("Signal")
    points.add_column("Points", justify="right")
    points.add_column("Kind")
    for item in scoring.signals:
        points.add_row(_text(item.label), f"{words.signed(item.points)}", item.kind)
    out.print(points)
    for criterion in scoring.fit:
        out.print(f"  Fit, {criterion.criterion.lower()}: {_text(criterion.requirement)}")
    if scoring.disqualifiers:
        out.print("  Disqualifiers: " + _text("; ".join(scoring.disqualifiers)))
    out.print("[italic]" + _text(" ".join(scoring.explanation)) + "[/italic]")

    for side, terms in (("Marketing", plan.terms.marketing), ("Sales", plan.terms.sales)):
        table = Table(title=f"{side} commits to", title_justify="left")
        table.add_column("Term")
        table.add_column("Commitment")
        table.add_column("Measured by")
        for term in terms:
            table.add_row(_text(term.label), _text(term.commitment), _text(term.measure))
        out.print(table)

    if plan.warnings:
        out.print(f"[bold]{words.tally([w.severity for w in plan.warnings])}[/bold]")
        for warning in plan.warnings:
            style = "yellow" if warning.severity == "warning" else "cyan"
            key = f" [dim]({warning.key})[/dim]" if warning.key else ""
            out.print(f"[{style}]- {_text(warning.message)}[/{style}]{key}")
    else:
        out.print("No warnings: the terms fit together.")


def print_diff(changes: AgreementDiff, old_name: str, new_name: str,
               out: Console | None = None) -> None:
    """The diff as one table per section, answers first, then what moved in the agreement."""
    out = out or console()
    for line in describe_versions(changes, old_name, new_name):
        out.print(line, markup=False)
    if changes.is_empty:
        out.print("No term changed.", markup=False)
        return
    for heading, sections in (("Answers you changed", changes.inputs),
                              ("Terms that moved as a result", changes.derived)):
        if sections:
            out.print()
            out.print(f"[bold]{heading}[/bold]")
            for section in sections:
                out.print(_section_table(section))


def describe_versions(changes: AgreementDiff, old_name: str, new_name: str) -> list[str]:
    """Which versions are compared, in one or two lines."""
    summary = changes.to_dict()
    old, new = summary["old"], summary["new"]
    company = old["company"] if old["company"] == new["company"] else \
        f"{old['company']} / {new['company']}"
    lines = [company,
             f"  was: {old_name}, version {old['version']}, effective {old['effective']}",
             f"  now: {new_name}, version {new['version']}, effective {new['effective']}"]
    count = len(changes.changes)
    if count:
        lines.append(f"{count} change{'s' if count != 1 else ''} in "
                     f"{len(changes.sections)} section{'s' if len(changes.sections) != 1 else ''}.")
    return lines


def _section_table(section: Section) -> Table:
    from rich.table import Table

    table = Table(title=section.title, title_justify="left", title_style="bold",
                  show_lines=any(len(c.old) + len(c.new) > 60 for c in section.changes),
                  expand=False)
    table.add_column("Term", overflow="fold", ratio=2)
    table.add_column("Was", style="red", overflow="fold", ratio=3)
    table.add_column("Now", style="green", overflow="fold", ratio=3)
    for change in section.changes:
        table.add_row(change.label, change.old, change.new)
    return table


def print_rates(comparisons: list[RateComparison], out: Console | None = None) -> None:
    """Agreed and observed conversion rates side by side, and which become the defaults."""
    from rich.table import Table

    table = Table(title="Conversion rates: agreed and observed last period",
                  title_justify="left")
    table.add_column("Rate")
    table.add_column("Agreed", justify="right")
    table.add_column("Observed", justify="right")
    table.add_column("Based on", justify="right")
    table.add_column("95% range", justify="right")
    table.add_column("New default")
    for row in comparisons:
        offered = ("observed" if row.proposed is not None and not row.capped else
                   f"{percent(row.proposed)}: one step of {words.number(row.step * 100)} "
                   "points toward it" if row.proposed is not None else
                   f"agreed: {row.refusal}")
        table.add_row(row.label, row.agreed_text, row.observed_text,
                      f"{words.count(row.sample)}" if row.sample is not None else "",
                      row.interval_text, offered)
    out = out or console()
    out.print(table)
    if any(row.usable for row in comparisons):
        out.print("Observed rates resting on enough records are offered as the new defaults; "
                  "keep or change each one.", markup=False)
    else:
        out.print("The export gives no usable rate; the agreed rates stay the defaults.",
                  markup=False)


def print_renegotiation(run: RenegotiationRun, answers_file: Path) -> None:
    """What changed, the files written, and what happens next."""
    out = console()
    print_diff(run.changes, str(answers_file), str(run.answers_file), out)
    out.print()
    out.print("Wrote:", markup=False)
    for path in run.written:
        out.print(f"  {path}", markup=False)
    out.print(f"Next: the signatories sign the amendment ({run.amendment}). The files of "
              f"version {run.current.agreement.version} stay as they are, as the record of "
              "what was agreed then.", markup=False)


def print_missed(proposals: list[TermProposal], out: Console | None = None) -> None:
    """The terms last period missed in most months that judged them, with a proposal."""
    out = out or console()
    if not proposals:
        out.print("Every term the export measures was met in most months of the period.",
                  markup=False)
        return
    from rich.table import Table

    table = Table(title="Terms missed last period, and what the next version could change",
                  title_justify="left")
    table.add_column("Term")
    table.add_column("Target")
    table.add_column("Missed", justify="right")
    table.add_column("Measured")
    table.add_column("Proposal")
    # Terms with one remedy (the speed-to-lead limits and the untouched leads) are one
    # problem: the remedy is stated once, on the first of them.
    said: set[tuple[str, str | None]] = set()
    for item in proposals:
        remedy = (item.proposal, item.setting)
        proposal = ("the same as above" if remedy in said else
                    item.proposal + (f" (--set {item.setting})" if item.setting else ""))
        said.add(remedy)
        months = words.unit(item.judged, "month", "months")
        table.add_row(item.label, item.target, f"{item.missed} of {months}", item.measured,
                      proposal)
    out.print(table)


def status_lines(report: StatusReport) -> list[str]:
    """Each signable document's version and signatures, then the version in force."""
    from slabuilder.textclean import printable

    lines = []
    for doc in report.documents:
        lines.append(f"{printable(doc.path)}: {doc.document}, version {doc.version}, "
                     f"effective {doc.effective_date}, answers fingerprint {doc.fingerprint}")
        for entry in doc.fields:
            who = f"  {entry.name} ({entry.title}, {entry.role}): "
            if not entry.signed:
                lines.append(who + "unsigned")
                continue
            state = "intact" if entry.intact else "BROKEN"
            state += ", trusted" if entry.trusted else ", NOT trusted"
            dated = f", dated {entry.date}" if entry.date else ""
            lines.append(who + f"signed by {entry.signed_by} at {entry.signed_at}{dated}, "
                         f"{state}")
        lines.append("  CHANGED after signing" if doc.changed_after_signing else
                     "  not changed after signing" if doc.any_signature else
                     "  not signed yet")
        lines.extend(f"  problem: {problem}" for problem in doc.problems)
    lines.extend(f"{printable(name)}: not a signable slabuilder document"
                 for name in report.not_ours)
    if not report.documents:
        lines.append("No signable slabuilder document here.")
    lines.extend(f"In force for {item.company} on {report.on}: version {item.version}, "
                 f"effective {item.effective_date} (answers fingerprint {item.fingerprint})"
                 for item in report.in_force)
    lines.extend(f"Signed, not yet in force: version {item.version} of {item.company}'s "
                 f"agreement takes effect on {item.effective_date}; until then "
                 + (f"version {current.version} binds" if (current := next(
                     (found for found in report.in_force if found.company == item.company),
                     None)) else "no version binds")
                 for item in report.upcoming)
    if report.documents and not report.in_force and not report.upcoming:
        lines.append(f"No version is in force on {report.on}: none is signed by every "
                     "signatory, with intact and trusted signatures, and in effect.")
    return lines


@contextlib.contextmanager
def step_progress(steps: Sequence[str], title: str) -> Iterator[Callable[[str], None]]:
    """A bar over named steps on stderr when it is a terminal; silent otherwise.  Yields the
    function a job calls with the name of each step it starts."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    terminal = Console(stderr=True)
    if not terminal.is_terminal:
        yield lambda step: None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=terminal, transient=True)
    task = bar.add_task(title, total=len(steps))

    def step(name: str) -> None:
        bar.update(task, description=name,
                   completed=steps.index(name) if name in steps else 0)

    with bar:
        yield step


def print_calibration(figures: dict[str, Any], out: Console | None = None) -> None:
    """The verdict first, then the model, its threshold and its two sentences."""
    from slabuilder.calibrate.report import threshold_sentence

    out = out or console()
    holdout = figures["holdout"]
    grade = figures["quality"]
    low, high = grade["interval"]
    out.print(f"Grade {grade['grade']}, {grade['grade_word']}: {grade['verdict']}. Holdout AUC "
              f"{number(grade['auc'], 3)} (95% interval {number(low, 2)} to "
              f"{number(high, 2)}; plain logistic regression "
              f"{number(holdout['reference_logistic_auc'], 3)}).", markup=False)
    out.print(f"Calibrated on {count(figures['train']['rows'])} leads, measured on "
              f"{count(holdout['rows'])} others ({percent(figures['outcome_rate'])} "
              f"converted); the top tenth converts {number(holdout['top_decile']['lift'], 1)}x "
              "the average.", markup=False)
    out.print("")
    for item in figures["signals"]:
        out.print(f"  {words.signed(item['points']).rjust(4)}  {item['label']}", markup=False)
    out.print("")
    score_range = figures["score_range"]
    out.print(f"Scores run from {words.signed(score_range['min'])} to "
              f"{words.signed(score_range['max'])}. {threshold_sentence(figures)}",
              markup=False)
    at = figures["at_threshold"]
    file_mqls = figures["file_mqls"]
    out.print(f"At {figures['threshold']} points {percent(at['share_of_leads'], 0)} of leads "
              f"are MQLs, catching {percent(at['recall'], 0)} of conversions; on the whole "
              f"file, score names {count(file_mqls['mqls'])} of {count(file_mqls['leads'])}.",
              markup=False)
    for sentence in figures["explanation"]:
        out.print(sentence, markup=False)
