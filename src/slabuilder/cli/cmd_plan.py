"""``slabuilder plan``: targets, scoring model, terms and warnings, as tables or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT, SET_OPTION


@click.command("plan")
@ANSWERS_ARGUMENT
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (targets, scoring, terms, warnings) for scripts.")
@click.option("--mqls", type=click.IntRange(min=1, max=1_000_000_000), default=None,
              metavar="N",
              help="Also run the funnel forward from N MQLs a month (default: today's volume "
                   "from current_state.mqls_per_month).")
@SET_OPTION
def command(answers_file: Path, as_json: bool, mqls: int | None,
            settings: tuple[str, ...]) -> None:
    """Show the plan: how many MQLs, SQLs and deals the revenue target needs, the lead
    scoring model, each side's commitments and anything that does not add up.

    \b
    Examples:
      slabuilder plan examples/acme.yaml
      slabuilder plan examples/acme.yaml --set economics.revenue_target=1.2M   # what if?
      slabuilder plan examples/acme.yaml --json > plan.json
    """
    from slabuilder.answerfile import load_answers
    from slabuilder.plan import build_plan

    plan = build_plan(load_answers(answers_file, settings), forward_volume=mqls)
    if as_json:
        click.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
        return
    from slabuilder.terminal import print_plan

    print_plan(plan)
