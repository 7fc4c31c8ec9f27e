"""``slabuilder diff OLD NEW``: what changed between two versions of the answers, term by term."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slabuilder.cli.common import say_notes


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print the changes as JSON (old and new values as data and as text).")
def command(old: str, new: str, as_json: bool) -> None:
    """Show every term that changed from OLD to NEW.

    Lists the answers that changed (revenue target, conversion rates, terms) and every term of
    the agreement that moved because of them (MQL, SQL and opportunity targets, pipeline
    needed, commitments), grouped by section. Unchanged terms are not listed.

    \b
    Example:
      slabuilder diff acme.yaml acme-v2.yaml
      slabuilder diff acme.yaml acme-v2.yaml --json
    """
    from slabuilder.jobs.diff import run_diff

    run = run_diff(Path(old), Path(new))
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
        return
    say_notes(run.notes)
    from slabuilder.terminal import print_diff

    print_diff(run.changes, old, new)
