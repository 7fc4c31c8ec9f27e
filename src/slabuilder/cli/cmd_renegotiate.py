"""``slabuilder renegotiate ANSWERS -o DIR``: the next version, its amendment and the diff
(the workflow is :func:`slabuilder.jobs.renegotiate.run_renegotiate`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from slabuilder.cli.common import (
    export_reading_options,
    say_notes,
    signable_output_options,
    split_list,
)


@click.command("renegotiate")
@click.argument("answers_file", metavar="ANSWERS",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the new answers file, the amendment, the new agreement and its "
                   "summary.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Give one answer of the new version without being asked, e.g. --set "
                   "economics.revenue_target=1.2M (repeatable).")
@click.option("--defaults", "use_defaults", is_flag=True,
              help="Ask nothing: keep every current answer except those given with --set "
                   "(and the observed rates, with --actuals).")
@click.option("--actuals", "actuals_file", metavar="FILE",
              type=click.Path(path_type=Path),
              help="A CRM export of last period (CSV or Parquet): offer its observed "
                   "conversion rates as the new defaults, shown beside the agreed ones.")
@click.option("--max-step", metavar="POINTS", type=click.FloatRange(0, 100, min_open=True),
              help="With --actuals: most points a rate's default moves (default 10).")
@export_reading_options
@signable_output_options
@click.option("--draft", is_flag=True,
              help="Mark the documents DRAFT; allows them while the ICP is incomplete.")
@click.option("--force", is_flag=True,
              help="Replace the new version's files if they already exist (never the input "
                   "file, never a signed PDF).")
def command(answers_file: Path, out_dir: Path, settings: tuple[str, ...], use_defaults: bool,
            actuals_file: Path | None, max_step: float | None, formats: str, pdfa: bool,
            esign_tags: str | None, templates_dir: Path | None, draft: bool, force: bool,
            **reading: Any) -> None:
    """Write the next version of the agreement, its amendment, and show what changed.

    The interview runs with the current answers as defaults; the version number goes up by
    one and the new version takes effect the day after the current period ends (change it
    with --set agreement.effective_date=YYYY-MM-DD). The input file and the documents of the
    previous version are never changed.

    \b
    Examples:
      slabuilder renegotiate examples/acme.yaml -o q2/
      slabuilder renegotiate examples/acme.yaml -o bigger/ --defaults \\
          --set economics.revenue_target=1.2M
      slabuilder renegotiate examples/acme.yaml -o evidence/ \\
          --actuals examples/hubspot-contacts.csv
    """
    from slabuilder.actuals import ExportOptions
    from slabuilder.jobs.renegotiate import run_renegotiate
    from slabuilder.outputs import RenderOptions
    from slabuilder.terminal import print_missed, print_rates, print_renegotiation

    export = ExportOptions.from_options(**reading) if actuals_file is not None else None
    run = run_renegotiate(answers_file, out_dir, settings=settings, use_defaults=use_defaults,
                          actuals_file=actuals_file, export=export,
                          rendering=RenderOptions(formats=split_list(formats, "format"),
                                                  templates_dir=templates_dir, draft=draft,
                                                  force=force, pdfa=pdfa, esign_tags=esign_tags),
                          show_rates=print_rates, show_missed=print_missed, max_step=max_step)
    say_notes(run.notes)
    print_renegotiation(run, answers_file)
