"""Pieces shared by several commands (not a command itself)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

ANSWERS_ARGUMENT = click.argument(
    "answers_file", metavar="ANSWERS", type=click.Path(path_type=Path, dir_okay=True))

SET_OPTION = click.option(
    "--set", "settings", metavar="KEY=VALUE", multiple=True,
    help="Change one answer for this run only, e.g. --set funnel.mql_to_sql=55% (repeatable).")


FORMAT_OPTION = click.option(
    "--format", "formats", default="html,pdf", show_default=True, metavar="LIST",
    help="Output format of the documents: html, pdf or html,pdf.")

PDFA_OPTION = click.option("--pdfa", is_flag=True, help="Write PDF/A-3b, with the answers "
                           "file embedded, for archiving (needs pdf in --format).")
ESIGN_OPTION = click.option(
    "--esign-tags", "esign_tags", type=click.Choice(["docusign", "adobe", "dropbox"]),
    help="Also put the e-signature service's text tags (invisible on paper) on every "
         "signature and date line, signer 1, 2, ... in the order of the answers' signatories, "
         "then the owner.")

TEMPLATES_OPTION = click.option(
    "--templates", "templates_dir", metavar="DIR", default=None,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of your own templates or style.css, used before the shipped ones.")


def signable_output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How signable documents are written, the same for render and renegotiate: --format,
    --pdfa, --esign-tags and --templates."""
    for option in (TEMPLATES_OPTION, ESIGN_OPTION, PDFA_OPTION, FORMAT_OPTION):
        command = option(command)
    return command


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


# The two date-reading options, the same wherever a command reads dates from a file.
TZ_OPTION = click.option("--tz", "timezone", metavar="ZONE", help="Zone of times written "
                         "without an offset (default: the company's time zone), e.g. UTC.")
DATE_FORMAT_OPTION = click.option("--date-format", metavar="FORMAT", help="MM/DD/YYYY or "
                                  "DD/MM/YYYY, when the file's slashed dates are ambiguous.")

_EXPORT_READING = [
    click.option("--export-format", type=click.Choice(["hubspot", "salesforce", "generic"]),
                 default=None, help="The CRM that wrote the export (default: recognised from "
                                    "its header)."),
    click.option("--map", "column_map", metavar="FIELD=COLUMN", multiple=True,
                 help="Take a report field from another export column, e.g. "
                      "--map \"mql_at=MQL Date\". Repeatable."),
    click.option("--mapping", "mapping_file", metavar="FILE", default=None,
                 type=click.Path(path_type=Path, dir_okay=False),
                 help="YAML file of field: column pairs (and optionally format:)."),
    click.option("--tasks", "tasks_file", metavar="FILE", default=None,
                 type=click.Path(path_type=Path, dir_okay=False),
                 help="Salesforce task export (WhoId, Status, CompletedDateTime) for first "
                      "touches and attempts."),
    TZ_OPTION,
    DATE_FORMAT_OPTION,
]


def export_reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say how to read a CRM export, the same for every command that reads
    one (report, renegotiate; calibrate takes the two date options for its date column);
    ``ExportOptions.from_options`` takes them as they come."""
    for option in reversed(_EXPORT_READING):
        command = option(command)
    return command
