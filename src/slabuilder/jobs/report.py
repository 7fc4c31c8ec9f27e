"""``slabuilder report``: the monthly alignment report, weekly agenda and dashboard for a month.

Every target comes from the plan.  Without an export every actual is a blank to fill in by
hand; with one, the actuals are computed and a figure the export cannot support is marked
"not in export".  All targets (documents and the breaches file) are checked before the export
is read, so a refusal costs no time and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.errors import SlabuilderError
from slabuilder.fsutil import OutputFile

if TYPE_CHECKING:
    from slabuilder.actuals import Actuals, ExportOptions
    from slabuilder.contexts import ReportContext
    from slabuilder.outputs import RenderOptions
    from slabuilder.plan import Plan

__all__ = ["REPORT_DOCUMENTS", "ReportRun", "parse_month", "run_report", "settle_month"]

REPORT_DOCUMENTS = ("report", "agenda", "dashboard")


@dataclass(frozen=True)
class ReportRun:
    """What ``run_report`` did: the month, its figures and the files it wrote."""

    month: str
    """``YYYY-MM``."""
    plan: Plan
    report: ReportContext
    """The report's context, as the templates receive it."""
    actuals: Actuals | None
    """The figures computed from the export (``None`` for shells)."""
    written: list[Path] = field(default_factory=list)
    breaches_file: Path | None = None
    notes: list[str] = field(default_factory=list)
    """Things the user should know about the run (which month and version, and why)."""
    measured_file: Path | None = None
    """The answers file the figures follow: the version in force where one is signed."""

    def to_dict(self) -> dict[str, Any]:
        """The targets and the computed actuals, for ``--json``."""
        targets = {row["stage"]: row["target"] for row in self.report["funnel_rows"]}
        compliance = [{"term": row["field"], "label": row["label"], "target": row["target"],
                       "actual": _figure(row["actual"], row["kind"]), "met": row["met"],
                       "state": row["state"]}
                      for row in self.report["marketing_rows"] + self.report["sales_rows"]]
        return {"month": self.month, "fingerprint": self.plan.fingerprint,
                "targets": targets,
                "rates": {key: float(rate) for key, rate in self.plan.rates.items()},
                "compliance": compliance,
                "actuals": None if self.actuals is None else self.actuals.to_dict()}


def _figure(value: float | None, kind: str) -> str | None:
    """A compliance figure as the documents write it (``71.4%``, ``3 h``, ``1,204``): the
    JSON has always carried the written figure."""
    from slabuilder.words import days, number, percent, short_hours

    if value is None:
        return None
    if kind == "rate":
        return percent(value)
    if kind == "days":
        return days(value, business=True)
    return short_hours(value, 1) if kind == "hours" else number(value)


def parse_month(value: str | None) -> str | None:
    """A month given as ``YYYY-MM``, checked and normalised (``None`` stays ``None``)."""
    from slabuilder.words import checked_month

    return None if value is None else checked_month(value, key="--month")


def settle_month(given: str | None, plan: Plan, today: dt.date) -> tuple[str, list[str]]:
    """The month to report on, and a note when it is not the obvious one.

    Without a month given it is last month, or the agreement's first month while the
    agreement has not started yet (last month would have no targets and no data).
    """
    period = [item.month for item in plan.months]
    month = given
    if month is None:
        month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        if period and month < period[0]:
            return period[0], [f"no month was given and the agreement starts in "
                               f"{plan.months[0].label}, so the report covers that month"]
    from slabuilder.report import outside_period

    note = outside_period(plan, month)
    return month, [note] if note else []


def run_report(answers_file: Path, *, month: str | None = None, out_dir: Path | None = None,
               actuals_file: Path | None = None, export: ExportOptions | None = None,
               rendering: RenderOptions | None = None,
               docs: Sequence[str] = REPORT_DOCUMENTS, today: dt.date | None = None,
               settings: Sequence[str] = ()) -> ReportRun:
    """Measure one month against the plan and write its documents into ``out_dir``.

    With ``out_dir`` None nothing is written (the caller only wants the figures); with one,
    the documents and the breaches file are written as one set, all or nothing.
    ``settings`` (``key.path=value``) change answers for this run only.  ``export``
    says how to read ``actuals_file`` (its CRM, column map, tasks, time zone, and where to
    write the breaches); it needs ``actuals_file``.  ``rendering`` holds the formats, the
    user's templates and ``force``.
    """
    from slabuilder.answerfile import load_answers
    from slabuilder.outputs import RenderOptions
    from slabuilder.plan import build_plan
    from slabuilder.words import slugify

    rendering = rendering or RenderOptions()
    _refuse_export_options_without_export(export, actuals_file)
    for doc_id in docs:
        if doc_id not in REPORT_DOCUMENTS:
            raise SlabuilderError(f"{doc_id!r} is not a report document; choose from "
                                  + ", ".join(REPORT_DOCUMENTS), key="--doc")
    month_given = parse_month(month)
    answers = load_answers(answers_file, settings)
    plan = build_plan(answers)
    from slabuilder.jobs.status import binding_version

    month_key, notes = settle_month(month_given, plan, today or dt.date.today())
    # The signed PDFs beside the answers say which version binds on the month's first day
    # (a version signed now that takes effect later does not): measure against that one.
    binding = binding_version(answers_file, answers.company.name,
                              answers.agreement.version, plan.fingerprint,
                              on=dt.date.fromisoformat(f"{month_key}-01"))
    if binding.answers_file != Path(answers_file):
        answers = load_answers(binding.answers_file)
        plan = build_plan(answers)
        month_key, notes = settle_month(month_key, plan, today or dt.date.today())
    notes = [*binding.notes, *notes]
    stem = f"{slugify(answers.company.name)}-{month_key}"
    _check_targets(stem, docs, out_dir, rendering, answers_file, actuals_file, export)
    actuals = None
    pending: list[OutputFile] = []
    if actuals_file is not None:
        from slabuilder.interrupts import import_held

        import_held("duckdb")  # a stop inside its initialisation would abort the process
        from slabuilder.actuals import ExportOptions, compute_actuals

        actuals = compute_actuals(actuals_file, answers, month_key, export or ExportOptions(),
                                  rate_keys=plan.measured_rates, pending=pending)
    from slabuilder.actuals.metrics import Month
    from slabuilder.report import build_report_context

    report = build_report_context(plan, month_key, Month.parse(month_key).label, actuals)
    report["in_force"] = (None if binding.in_force is None else
                          {"version": binding.in_force.version,
                           "effective_date": binding.in_force.effective_date})
    written: list[Path] = []
    if out_dir is not None:
        from slabuilder.outputs import render_documents

        written = render_documents(
            plan, docs, out_dir, rendering, answers_path=binding.answers_file,
            extra_context={"report": report,
                           "actuals": actuals.to_dict() if actuals is not None else None},
            file_stem=stem, extra_files=pending)
        written = written[:len(written) - len(pending)]
    elif pending:
        from slabuilder.fsutil import write_all

        write_all(pending)
    breaches = export.breaches if export is not None and actuals is not None else None
    return ReportRun(month=month_key, plan=plan, report=report, actuals=actuals,
                     written=written, breaches_file=breaches, notes=notes,
                     measured_file=binding.answers_file)


def _refuse_export_options_without_export(export: ExportOptions | None,
                                          actuals_file: Path | None) -> None:
    if export is None or actuals_file is not None:
        return
    needs = [name for name, value in (("--breaches", export.breaches),
                                      ("--tasks", export.tasks),
                                      ("--map", export.column_map),
                                      ("--mapping", export.mapping_file)) if value]
    if needs:
        raise SlabuilderError(f"{needs[0]} needs a CRM export; give it with --actuals FILE",
                              key=needs[0])


def _check_targets(stem: str, docs: Sequence[str], out_dir: Path | None,
                   rendering: RenderOptions, answers_file: Path,
                   actuals_file: Path | None, export: ExportOptions | None) -> None:
    """Refuse before the export is read (and the breaches written) rather than after."""
    from slabuilder.fsutil import check_writable, same_file

    if out_dir is not None:
        from slabuilder.outputs import output_paths

        for _, _, path in output_paths(stem, docs, out_dir, rendering.formats):
            check_writable(path, force=rendering.force)
    breaches = export.breaches if export is not None else None
    if breaches is None:
        return
    # Even --force never writes over a file the run reads (the CRM export above all).
    inputs = {"--actuals": actuals_file, "--tasks": export.tasks if export else None,
              "--mapping": export.mapping_file if export else None,
              "the answers file": answers_file}
    for option, source in inputs.items():
        if source is not None and same_file(breaches, source):
            raise SlabuilderError(f"{breaches} is the file given to {option}; write the "
                                  "breaches to another file", key="--breaches")
    check_writable(breaches, force=rendering.force)
