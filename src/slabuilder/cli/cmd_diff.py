"""``slabuilder diff OLD NEW``: what changed between two versions of the answers, term by term."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from slabuilder.diff import AgreementDiff, Section


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
    for note in run.notes:
        click.echo(f"note: {note}", err=True)
    print_diff(run.changes, old, new)


def print_diff(changes: AgreementDiff, old_name: str, new_name: str,
               console: Console | None = None) -> None:
    """The diff as one table per section, answers first, then what moved in the agreement."""
    from slabuilder.cli.common import console as make_console

    out = console or make_console()
    for line in describe_versions(changes, old_name, new_name):
        out.print(line, markup=False)
    if changes.is_empty:
        out.print("No term changed.", markup=False)
        return
    for heading, sections in (("Answers you changed", changes.inputs),
                              ("Terms that moved as a result", changes.derived)):
        if sections:
            out.print()
            out.print(f"[bold]{heading}[/bold]")
            for section in sections:
                out.print(_section_table(section))


def describe_versions(changes: AgreementDiff, old_name: str, new_name: str) -> list[str]:
    """Which versions are compared, in one or two lines."""
    summary = changes.to_dict()
    old, new = summary["old"], summary["new"]
    company = old["company"] if old["company"] == new["company"] else \
        f"{old['company']} / {new['company']}"
    lines = [company,
             f"  was: {old_name}, version {old['version']}, effective {old['effective']}",
             f"  now: {new_name}, version {new['version']}, effective {new['effective']}"]
    count = len(changes.changes)
    if count:
        lines.append(f"{count} change{'s' if count != 1 else ''} in "
                     f"{len(changes.sections)} section{'s' if len(changes.sections) != 1 else ''}.")
    return lines


def _section_table(section: Section) -> Table:
    from rich.table import Table

    table = Table(title=section.title, title_justify="left", title_style="bold",
                  show_lines=any(len(c.old) + len(c.new) > 60 for c in section.changes),
                  expand=False)
    table.add_column("Term", overflow="fold", ratio=2)
    table.add_column("Was", style="red", overflow="fold", ratio=3)
    table.add_column("Now", style="green", overflow="fold", ratio=3)
    for change in section.changes:
        table.add_row(change.label, change.old, change.new)
    return table
