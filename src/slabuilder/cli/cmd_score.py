"""``slabuilder score``: the answers' scoring model applied to a file of leads."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slabuilder import words
from slabuilder.cli.common import ANSWERS_ARGUMENT, say_notes


@click.command("score")
@ANSWERS_ARGUMENT
@click.option("--leads", required=True, metavar="FILE",
              type=click.Path(path_type=Path),
              help="Leads to score: a CSV, a Parquet file or a folder of Parquet parts.")
@click.option("-o", "--output", metavar="FILE.csv", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Write the scores here instead of printing them.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def command(answers_file: Path, leads: Path, output: Path | None, as_json: bool,
            force: bool) -> None:
    """Score every lead with the answers' model: why did I get this lead?

    Writes one row per lead, in input order: the lead's id column(s), its score, whether it
    is an MQL (fit, disqualifiers and threshold, where the columns allow) and the reason in
    words. Signals are checked through their condition (see `scoring.signals.*.condition`).

    \b
    Examples:
      slabuilder calibrate examples/acme.yaml --history examples/lead-history.csv \\
          --outcome Converted -o q2/                  # learn a model first
      slabuilder score q2/acme-v2.yaml --leads examples/new-leads.csv
      slabuilder score q2/acme-v2.yaml --leads examples/new-leads.csv -o scored.csv
    """
    from slabuilder.jobs.score import score_leads

    result = score_leads(answers_file, leads, output=output, force=force)
    say_notes(result.notes)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif output is None:
        click.echo(result.to_csv(), nl=False)
    else:
        summary = result.summary
        click.echo(f"{words.count(summary['leads'])} leads scored, "
                   f"{words.count(summary['mqls'])} MQLs: {output}")
