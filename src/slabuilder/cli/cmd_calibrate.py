"""``slabuilder calibrate``: learn the scoring points and threshold from past leads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT, DATE_FORMAT_OPTION, TZ_OPTION


@click.command("calibrate")
@ANSWERS_ARGUMENT
@click.option("--history", "history", required=True, metavar="FILE",
              type=click.Path(path_type=Path),
              help="Past leads, one row per lead, any columns: a CSV, a Parquet file or a "
                   "folder of Parquet parts.")
@click.option("--outcome", required=True, metavar="COLUMN",
              help="Column saying whether the lead converted.")
@click.option("--positive", metavar="VALUE", default=None,
              help="Value of --outcome that means converted (default: 1, true or yes).")
@click.option("--outcome-stage", type=click.Choice(["sal", "sql", "opportunity", "won"]),
              default="sql", show_default=True,
              help="What a conversion is; sets the rate the threshold must meet.")
@click.option("--exclude", multiple=True, metavar="COLUMN", help="Leave a column out "
              "(repeatable).")
@click.option("--include", multiple=True, metavar="COLUMN",
              help="Keep a column that would be left out as leaking the outcome (repeatable).")
@click.option("--date-column", metavar="COLUMN", default=None,
              help="Fit on the older leads and measure on the newer ones by this date.")
@DATE_FORMAT_OPTION
@TZ_OPTION
@click.option("--max-signals", type=click.IntRange(1, 30), default=8, show_default=True,
              help="Most signals the model may have.")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Write the proposed answers (next version) and the calibration report.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--force", is_flag=True, help="Replace files that already exist, and write a "
              "model that fails the quality check.")
def command(answers_file: Path, history: Path, outcome: str, positive: str | None,
            outcome_stage: Any, exclude: tuple[str, ...], include: tuple[str, ...],
            date_column: str | None, date_format: str | None, timezone: str | None,
            max_signals: int,
            out_dir: Path | None, as_json: bool, force: bool) -> None:
    """Learn the scoring points and the MQL threshold from the company's own past leads.

    Fits at most --max-signals plain signals (one condition per column, cut where the data
    says) with whole points on part of the history and measures everything on the rest.
    The threshold is the lowest score above what fit alone can give whose MQLs convert at the
    agreement's MQL-to-SQL rate (or the rate of --outcome-stage). Columns that look filled in
    after the outcome are left out with a warning. A model graded D (holdout AUC below 0.6)
    or worse than the present one is not written unless --force.

    \b
    Examples:
      slabuilder calibrate examples/acme.yaml --history examples/lead-history.csv \\
          --outcome Converted
      slabuilder calibrate examples/acme.yaml --history examples/lead-history.csv \\
          --outcome Converted --positive Yes --date-column "Create Date" -o q2/
    """
    from slabuilder.actuals.timestamps import parse_date_format
    from slabuilder.calibrate.options import CalibrationOptions
    from slabuilder.jobs.calibrate import calibrate

    options = CalibrationOptions(outcome=outcome, positive=positive,
                                 outcome_stage=outcome_stage, exclude=exclude, include=include,
                                 date_column=date_column, max_signals=max_signals,
                                 date_format=(parse_date_format(date_format)
                                              if date_format else None),
                                 timezone=timezone)
    from slabuilder.jobs.calibrate import STEPS
    from slabuilder.outputs import RenderOptions
    from slabuilder.terminal import print_calibration, step_progress

    with step_progress(STEPS, "Calibrating") as step:
        result = calibrate(answers_file, history, options, out_dir=out_dir,
                           rendering=RenderOptions(force=force), progress=step,
                           show_progress=True)
    for warning in result.figures["warnings"]:  # on stderr, so that --json stays clean
        click.echo(f"warning: {warning['message']}", err=True)
    if as_json:
        click.echo(json.dumps(result.figures, indent=2, ensure_ascii=False))
    else:
        print_calibration(result.figures)
    for path in result.written:
        click.echo(str(path), err=as_json)
