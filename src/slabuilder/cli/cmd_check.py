"""``slabuilder check``: validate an answers file and list its warnings."""

from __future__ import annotations

from pathlib import Path

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT, SET_OPTION
from slabuilder.errors import AnswersError


@click.command("check")
@ANSWERS_ARGUMENT
@SET_OPTION
def command(answers_file: Path, settings: tuple[str, ...]) -> None:
    """Check an answers file: every problem, then every warning about the terms.

    Exits with 2 when the file has problems; warnings alone do not fail the check.
    """
    from slabuilder.answers import check_answers
    from slabuilder.plan import build_plan

    answers, problems = check_answers(answers_file, settings)
    if answers is None:
        for line in problems[:-1]:
            click.echo(f"slabuilder: {line}", err=True)
        raise AnswersError(problems[-1])
    plan = build_plan(answers)
    click.echo(f"{answers_file}: valid.")
    if not plan.warnings:
        click.echo("No warnings: the terms fit together.")
        return
    click.echo(f"{len(plan.warnings)} warning(s):")
    for warning in plan.warnings:
        key = f" [{warning.key}]" if warning.key else ""
        label = "note" if warning.severity == "note" else "warning"
        click.echo(f"  {label}: {warning.message}{key}")
