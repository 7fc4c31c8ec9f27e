"""``slabuilder schema``: the JSON Schema of the answers file."""

from __future__ import annotations

import click


@click.command("schema")
@click.option("--markdown", is_flag=True,
              help="Print the key reference as a Markdown table instead (used in README).")
def command(markdown: bool) -> None:
    """Print the JSON Schema of the answers file, so editors can check it as you type.

    \b
    For VS Code with the YAML extension, save it and point to it:
      slabuilder schema > slabuilder.schema.json
      # yaml-language-server: $schema=slabuilder.schema.json   (first line of answers file)
    """
    from slabuilder.schema import markdown_table, schema_json

    click.echo(markdown_table() if markdown else schema_json())
