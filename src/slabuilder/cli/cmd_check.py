"""``slabuilder check``: validate an answers file and list its warnings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT, SET_OPTION
from slabuilder.errors import AnswersError
from slabuilder.words import tally


@click.command("check")
@ANSWERS_ARGUMENT
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (valid, problems, warnings) for scripts.")
@SET_OPTION
def command(answers_file: Path, as_json: bool, settings: tuple[str, ...]) -> None:
    """Check an answers file: every problem, then every warning about the terms.

    Exits with 2 when the file has problems; warnings alone do not fail the check.

    \b
    Examples:
      slabuilder check examples/acme.yaml
      slabuilder check examples/acme.yaml --json > check.json
    """
    from slabuilder.answerfile import check_answers
    from slabuilder.plan import build_plan

    answers, problems = check_answers(answers_file, settings)
    warnings = build_plan(answers).to_dict()["warnings"] if answers is not None else []
    if as_json:
        click.echo(json.dumps({"file": str(answers_file), "valid": answers is not None,
                               "problems": problems, "warnings": warnings},
                              indent=2, ensure_ascii=False))
        if problems:
            raise click.exceptions.Exit(2)
        return
    if answers is None:
        for line in problems[:-1]:
            click.echo(f"slabuilder: {line}", err=True)
        raise AnswersError(problems[-1])
    click.echo(f"{answers_file}: valid.")
    click.echo(f"{tally([w['severity'] for w in warnings])}:" if warnings
               else "No warnings: the terms fit together.")
    for warning in warnings:
        key = f" [{warning['key']}]" if warning["key"] else ""
        click.echo(f"  {warning['severity']}: {warning['message']}{key}")
