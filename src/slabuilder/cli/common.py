"""Pieces shared by several commands (not a command itself)."""

from __future__ import annotations

from pathlib import Path

import click

ANSWERS_ARGUMENT = click.argument(
    "answers_file", metavar="ANSWERS", type=click.Path(path_type=Path, dir_okay=True))

SET_OPTION = click.option(
    "--set", "settings", metavar="KEY=VALUE", multiple=True,
    help="Change one answer for this run only, e.g. --set funnel.mql_to_sql=55% (repeatable).")


FORMAT_OPTION = click.option(
    "--format", "formats", default="html,pdf", show_default=True, metavar="LIST",
    help="Output format of the documents: html, pdf or html,pdf.")

TEMPLATES_OPTION = click.option(
    "--templates", "templates_dir", metavar="DIR", default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of your own templates or style.css, used before the shipped ones.")


def split_list(value: str, what: str) -> list[str]:
    """``"html, PDF"`` as ``["html", "pdf"]``: an option that takes a comma-separated list."""
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    if not items:
        raise click.BadParameter(f"give at least one {what}")
    return list(dict.fromkeys(items))


def say_notes(notes: list[str]) -> None:
    """What the user should know about a run, on stderr, one line each."""
    for note in notes:
        click.echo(f"note: {note}", err=True)
