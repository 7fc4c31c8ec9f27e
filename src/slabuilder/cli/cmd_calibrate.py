"""``slabuilder calibrate``: learn the scoring points and threshold from past leads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT

_STEPS = ("Reading the history", "Preparing the columns", "Checking for leaking columns",
          "Choosing the signals", "Measuring on the holdout", "Writing the report")


@click.command("calibrate")
@ANSWERS_ARGUMENT
@click.option("--history", "history", required=True, metavar="FILE",
              type=click.Path(path_type=Path, dir_okay=False),
              help="CSV of past leads, one row per lead, any columns.")
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
@click.option("--max-signals", type=click.IntRange(1, 30), default=8, show_default=True,
              help="Most signals the model may have.")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Write the proposed answers (next version) and the calibration report.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
def command(answers_file: Path, history: Path, outcome: str, positive: str | None,
            outcome_stage: Any, exclude: tuple[str, ...], include: tuple[str, ...],
            date_column: str | None, max_signals: int, out_dir: Path | None, as_json: bool,
            force: bool) -> None:
    """Learn the scoring points and the MQL threshold from the company's own past leads.

    Fits at most --max-signals plain signals with whole points on part of the history and
    measures everything on the rest. The threshold is the lowest score whose leads convert
    at the agreement's MQL-to-SQL rate (or the rate of --outcome-stage). Columns that look
    filled in after the outcome are left out with a warning.

    \b
    Examples:
      slabuilder calibrate acme.yaml --history leads.csv --outcome Converted
      slabuilder calibrate acme.yaml --history leads.csv --outcome Stage --positive SQL \\
          --date-column "Create Date" -o out
    """
    from slabuilder.calibrate.options import CalibrationOptions
    from slabuilder.jobs.calibrate import calibrate

    options = CalibrationOptions(outcome=outcome, positive=positive,
                                 outcome_stage=outcome_stage, exclude=exclude, include=include,
                                 date_column=date_column, max_signals=max_signals)
    with _progress() as step:
        result = calibrate(answers_file, history, options, out_dir=out_dir, force=force,
                           progress=step, show_progress=True)
    if as_json:
        click.echo(json.dumps(result.figures, indent=2, ensure_ascii=False))
    else:
        _print(result.figures)
    for path in result.written:
        click.echo(str(path), err=as_json)


class _progress:  # noqa: N801 - used as a context manager, like a function
    """A bar over the steps on stderr when it is a terminal; silent otherwise."""

    def __enter__(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self.bar: Any = None
        if not console.is_terminal:
            return lambda step: None
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("Calibrating", total=len(_STEPS))

        def step(name: str) -> None:
            done = _STEPS.index(name) if name in _STEPS else 0
            self.bar.update(self.task, description=name, completed=done)
        return step

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print(figures: dict[str, Any]) -> None:
    from slabuilder.cli.common import console

    out = console()
    holdout = figures["holdout"]
    at = figures["at_threshold"]
    out.print(f"Calibrated on {figures['train']['rows']:,} leads, measured on "
              f"{holdout['rows']:,} others ({figures['outcome_rate']:.1%} converted).",
              markup=False)
    out.print(f"Holdout AUC {holdout['auc']:.3f} (plain logistic regression "
              f"{holdout['reference_logistic_auc']:.3f}); top tenth converts "
              f"{holdout['top_decile']['lift']:.1f}x the average.", markup=False)
    out.print("")
    for signal in figures["signals"]:
        out.print(f"  {signal['points']:+4d}  {signal['label']}", markup=False)
    out.print("")
    precision = "none" if at["precision"] is None else f"{at['precision']:.0%}"
    out.print(f"Threshold {figures['threshold']}: {at['share_of_leads']:.0%} of leads, "
              f"{precision} of them convert, catching {at['recall']:.0%} of conversions.",
              markup=False)
    for sentence in figures["explanation"]:
        out.print(sentence, markup=False)
    for warning in figures["warnings"]:
        out.print(f"warning: {warning['message']}", markup=False)
