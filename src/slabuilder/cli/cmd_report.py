"""``slabuilder report``: the monthly alignment report, weekly agenda and dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slabuilder.cli.common import (
    FORMAT_OPTION,
    SET_OPTION,
    TEMPLATES_OPTION,
    export_reading_options,
    say_notes,
    split_list,
)
from slabuilder.errors import SlabuilderError
from slabuilder.jobs.report import REPORT_DOCUMENTS


@click.command("report")
@click.argument("answers_file", metavar="ANSWERS", type=click.Path(path_type=Path,
                                                                   dir_okay=False))
@click.option("--month", metavar="YYYY-MM", default=None,
              help="The month to report on (default: last month).")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the documents into (created if missing).")
@click.option("--actuals", "actuals_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path),
              help="CRM export to fill the actuals from: a CSV, a Parquet file or a folder "
                   "of Parquet parts. Without it, the documents are shells with blanks to "
                   "fill in by hand.")
@export_reading_options
@click.option("--breaches", "breaches_file", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the month's SLA breaches as CSV (safe to open in Excel).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the targets and computed actuals as JSON.")
@FORMAT_OPTION
@click.option("--doc", "docs", default=",".join(REPORT_DOCUMENTS), show_default=True,
              metavar="LIST", help="Which documents: report, agenda, dashboard.")
@TEMPLATES_OPTION
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@SET_OPTION
def command(answers_file: Path, month: str | None, out_dir: Path | None, as_json: bool,
            actuals_file: Path | None, export_format: str | None, column_map: tuple[str, ...],
            mapping_file: Path | None, tasks_file: Path | None, timezone: str | None, force: bool,
            date_format: str | None, breaches_file: Path | None, formats: str, docs: str,
            templates_dir: Path | None, settings: tuple[str, ...]) -> None:
    """Write the monthly alignment report, the weekly pipeline review agenda and the weekly
    dashboard for one month, as HTML and PDF.

    Every target comes from the plan. Without --actuals every actual is a blank to fill in
    (a form field in the PDF); with a CRM export they are computed, and a figure the export
    cannot support is marked "not in export". The export's CRM is recognised from its
    header: HubSpot contacts (property labels), Salesforce leads (API names) or a generic CSV
    with the columns lead_id, created_at, mql_at, sal_at, sql_at, opportunity_at, won_at,
    lost_at, first_touch_at, attempts, disposition, disposition_at,
    disqualification_reason, owner, source, amount, mql_trigger, score and the
    contact fields (first_name, last_name, email, company, phone, job_title, company_size).

    --export-format names the CRM of the export; --format is the documents' output format.

    \b
    Examples:
      slabuilder report examples/acme.yaml --month 2027-03 -o shells
      slabuilder report examples/acme.yaml --month 2027-03 -o out \\
          --actuals examples/hubspot-contacts.csv
      slabuilder report examples/acme.yaml --month 2027-03 --json \\
          --actuals examples/hubspot-contacts.csv > march.json
      slabuilder report examples/acme.yaml --month 2027-02 -o feb \\
          --actuals examples/hubspot-contacts.csv --tz America/New_York \\
          --map "mql_at=Became a Marketing Qualified Lead Date" --breaches feb/breaches.csv
    """
    from slabuilder.jobs.report import run_report
    from slabuilder.outputs import RenderOptions

    if out_dir is None and not as_json:
        raise SlabuilderError("say where to write the documents with -o DIR (or print the "
                              "figures with --json)", key="-o")
    export = None
    if actuals_file is not None or any((breaches_file, tasks_file, column_map, mapping_file)):
        from slabuilder.actuals import ExportOptions

        export = ExportOptions.from_options(
            export_format=export_format, column_map=column_map, mapping_file=mapping_file,
            tasks_file=tasks_file, timezone=timezone, date_format=date_format,
            show_progress=True, breaches=breaches_file, force=force)
    rendering = RenderOptions(formats=split_list(formats, "format"), force=force,
                              templates_dir=templates_dir)
    run = run_report(answers_file, month=month, out_dir=out_dir, actuals_file=actuals_file,
                     export=export, rendering=rendering, docs=split_list(docs, "document"),
                     settings=settings)
    say_notes(run.notes)
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
        return
    for path in run.written:
        click.echo(str(path))
    if run.breaches_file is not None:
        click.echo(str(run.breaches_file))
