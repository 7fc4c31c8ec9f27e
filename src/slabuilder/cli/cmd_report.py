"""``slabuilder report``: the monthly alignment report, weekly agenda and dashboard."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from slabuilder.errors import SlabuilderError

if TYPE_CHECKING:
    from slabuilder.plan import Plan

REPORT_DOCUMENTS = ("report", "agenda", "dashboard")


def _split(value: str, what: str) -> list[str]:
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    if not items:
        raise click.BadParameter(f"give at least one {what}")
    return list(dict.fromkeys(items))


# Months a report can cover: beyond them a --month is a typo (and would overflow dates).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month(value: str | None) -> str | None:
    """The --month given, checked (``None`` when it was not given)."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise SlabuilderError(f"{value!r} is not a month; write it as YYYY-MM, for example "
                              "2027-03", key="--month")
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise SlabuilderError(f"{value!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}; "
                              "give the month to report on as YYYY-MM, for example 2027-03",
                              key="--month")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def _settle_month(given: str | None, plan: Plan, today: dt.date) -> str:
    """The month to report on; says on stderr when it is not in the agreement's period.

    Without --month it is last month, or the agreement's first month while the agreement
    has not started yet (last month would have no targets and no data)."""
    period: list[str] = [item.month for item in plan.months]
    month = given
    if month is None:
        month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        if period and month < period[0]:
            click.echo(f"note: no --month given and the agreement starts in "
                       f"{plan.months[0].label}, so the report covers that month", err=True)
            return period[0]
    if period and month not in period:
        click.echo(f"note: {month} is outside the agreement's period "
                   f"({plan.months[0].label} to {plan.months[-1].label}); its targets are "
                   "the plan's monthly averages", err=True)
    return month


@click.command("report")
@click.argument("answers_file", metavar="ANSWERS", type=click.Path(path_type=Path,
                                                                   dir_okay=False))
@click.option("--month", metavar="YYYY-MM", default=None,
              help="The month to report on (default: last month).")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the documents into (created if missing).")
@click.option("--actuals", "actuals_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="CRM export (CSV) to fill the actuals from. Without it, the documents "
                   "are shells with blanks to fill in by hand.")
@click.option("--export-format", type=click.Choice(["hubspot", "salesforce", "generic"]),
              default=None, help="The CRM that wrote the export (default: recognised from "
                                 "its header).")
@click.option("--map", "column_map", metavar="FIELD=COLUMN", multiple=True,
              help="Take a report field from another export column, e.g. "
                   "--map \"mql_at=MQL Date\". Repeatable.")
@click.option("--mapping", "mapping_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="YAML file of field: column pairs (and optionally format:).")
@click.option("--tasks", "tasks_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Salesforce task export (WhoId, CompletedDateTime or CreatedDate) for "
                   "first touches and attempts.")
@click.option("--tz", "timezone", metavar="ZONE", default=None,
              help="Zone of export times written without an offset (default: the company's "
                   "time zone), e.g. UTC.")
@click.option("--date-format", metavar="FORMAT", default=None,
              help="MM/DD/YYYY or DD/MM/YYYY, when the export's slashed dates are ambiguous.")
@click.option("--breaches", "breaches_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the month's SLA breaches as CSV (safe to open in Excel).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the targets and computed actuals as JSON.")
@click.option("--format", "formats", default="html,pdf", show_default=True, metavar="LIST",
              help="Output format of the documents: html, pdf or html,pdf.")
@click.option("--doc", "docs", default=",".join(REPORT_DOCUMENTS), show_default=True,
              metavar="LIST", help="Which documents: report, agenda, dashboard.")
@click.option("--templates", "templates_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder of your own templates or style.css, used before the shipped ones.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
def command(answers_file: Path, month: str | None, out_dir: Path | None,
            actuals_file: Path | None, export_format: str | None, column_map: tuple[str, ...],
            mapping_file: Path | None, tasks_file: Path | None, timezone: str | None,
            date_format: str | None, breaches_file: Path | None, as_json: bool,
            formats: str, docs: str, templates_dir: Path | None, force: bool) -> None:
    """Write the monthly alignment report, the weekly pipeline review agenda and the weekly
    dashboard for one month, as HTML and PDF.

    Every target comes from the plan. Without --actuals every actual is a blank to fill in
    (a form field in the PDF); with a CRM export they are computed, and a figure the export
    cannot support is marked "not in export". The export's CRM is recognised from its
    header: HubSpot contacts (property labels), Salesforce leads (API names) or a generic CSV
    with the columns lead_id, created_at, mql_at, sal_at, sql_at, opportunity_at, won_at,
    lost_at, first_touch_at, attempts, disposition, disposition_at,
    disqualification_reason, owner, source, amount.

    --export-format names the CRM of the export; --format is the documents' output format.

    \b
    Examples:
      slabuilder report acme.yaml --month 2027-03 -o out
      slabuilder report acme.yaml --month 2027-03 -o out --actuals contacts.csv
      slabuilder report acme.yaml --month 2027-03 --actuals leads.csv --tasks tasks.csv --json
      slabuilder report acme.yaml --month 2027-03 -o out --actuals export.csv \\
          --map "mql_at=MQL Date" --tz UTC --breaches out/breaches.csv
    """
    from slabuilder.answers import load_answers
    from slabuilder.plan import build_plan

    if out_dir is None and not as_json:
        raise SlabuilderError("say where to write the documents with -o DIR (or print the "
                              "figures with --json)", key="-o")
    needs_export = [name for name, value in (("--breaches", breaches_file),
                                             ("--tasks", tasks_file),
                                             ("--map", column_map),
                                             ("--mapping", mapping_file)) if value]
    if needs_export and actuals_file is None:
        raise SlabuilderError(f"{needs_export[0]} needs a CRM export; give it with --actuals "
                              "FILE", key=needs_export[0])
    month_given = _month(month)
    doc_ids = _split(docs, "document")
    for doc_id in doc_ids:
        if doc_id not in REPORT_DOCUMENTS:
            raise SlabuilderError(f"{doc_id!r} is not a report document; choose from "
                                  + ", ".join(REPORT_DOCUMENTS), key="--doc")
    answers = load_answers(answers_file)
    from slabuilder.context import slugify
    from slabuilder.fsutil import check_writable

    plan = build_plan(answers)
    month_key = _settle_month(month_given, plan, dt.date.today())
    stem = f"{slugify(answers.company.name)}-{month_key}"
    if out_dir is not None:
        # Refuse before the export is read (and the breach file written) rather than after.
        from slabuilder.documents import output_paths

        for _, _, path in output_paths(stem, doc_ids, out_dir, _split(formats, "format")):
            check_writable(path, force=force)
    if breaches_file is not None:
        _refuse_input_as_output(breaches_file, {"--actuals": actuals_file,
                                                "--tasks": tasks_file,
                                                "--mapping": mapping_file,
                                                "the answers file": answers_file})
        check_writable(breaches_file, force=force)
    actuals = (_compute(actuals_file, answers, month_key, export_format, column_map,
                        mapping_file, tasks_file, timezone, date_format, breaches_file, force,
                        plan.rates)
               if actuals_file is not None else None)
    from slabuilder.actuals.metrics import Month
    from slabuilder.report import build_report_context

    report = build_report_context(plan, month_key, Month.parse(month_key).label, actuals)
    if out_dir is not None:
        from slabuilder.documents import render_documents

        written = render_documents(
            plan, doc_ids, out_dir, formats=_split(formats, "format"), force=force,
            templates_dir=templates_dir, answers_path=answers_file,
            extra_context={"report": report, "actuals": actuals},
            file_stem=stem)
        if not as_json:
            for path in written:
                click.echo(str(path))
            if actuals is not None and actuals.get("breaches"):
                click.echo(actuals["breaches"]["file"])
    if as_json:
        click.echo(json.dumps(_json_payload(plan, month_key, report, actuals), indent=2,
                              ensure_ascii=False))


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return first.resolve() == second.resolve()


def _refuse_input_as_output(output: Path, inputs: dict[str, Path | None]) -> None:
    """Even --force never writes over a file the run reads (the CRM export above all)."""
    for option, source in inputs.items():
        if source is not None and _same_file(output, source):
            raise SlabuilderError(f"{output} is the file given to {option}; write the "
                                  "breaches to another file", key="--breaches")


def _compute(actuals_file: Path, answers: Any, month: str, export_format: str | None,
             column_map: tuple[str, ...], mapping_file: Path | None, tasks_file: Path | None,
             timezone: str | None, date_format: str | None, breaches_file: Path | None,
             force: bool, rates: dict[str, Any]) -> dict[str, Any]:
    from slabuilder.actuals import (
        ExportOptions,
        compute_actuals,
        parse_date_format,
        parse_map_options,
    )

    options = ExportOptions(
        export_format=export_format,  # type: ignore[arg-type]
        column_map=parse_map_options(list(column_map)),
        mapping_file=mapping_file, tasks=tasks_file, timezone=timezone,
        date_format=parse_date_format(date_format) if date_format else None,
        show_progress=True, breaches=breaches_file, force=force)
    return compute_actuals(actuals_file, answers, month, options, rate_keys=list(rates))


def _json_payload(plan: Any, month: str, report: dict[str, Any],
                  actuals: dict[str, Any] | None) -> dict[str, Any]:
    targets = {row["stage"]: row["target"] for row in report["funnel_rows"]}
    compliance = [{"term": row["field"], "label": row["label"], "target": row["target"],
                   "actual": row["actual"], "met": row["met"],
                   "state": row["state"]} for row in report["marketing_rows"]
                  + report["sales_rows"]]
    return {"month": month, "fingerprint": plan.fingerprint, "targets": targets,
            "rates": {key: float(rate) for key, rate in plan.rates.items()},
            "compliance": compliance, "actuals": actuals}
