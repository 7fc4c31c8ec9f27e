"""Pieces shared by several commands (not a command itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

ANSWERS_ARGUMENT = click.argument(
    "answers_file", metavar="ANSWERS", type=click.Path(path_type=Path, dir_okay=True))

SET_OPTION = click.option(
    "--set", "settings", metavar="KEY=VALUE", multiple=True,
    help="Change one answer for this run only, e.g. --set funnel.mql_to_sql=55% (repeatable).")


def split_list(value: str, what: str) -> list[str]:
    """``"html, PDF"`` as ``["html", "pdf"]``: an option that takes a comma-separated list."""
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    if not items:
        raise click.BadParameter(f"give at least one {what}")
    return list(dict.fromkeys(items))


def console(*, stderr: bool = False) -> Any:
    """A rich console; imported lazily so commands that do not print tables start fast."""
    from rich.console import Console

    terminal = Console(stderr=stderr, highlight=False)
    if terminal.is_terminal:
        return terminal
    # Piped into a file or another program: wide enough that sentences stay on one line.
    return Console(stderr=stderr, highlight=False, width=160)
