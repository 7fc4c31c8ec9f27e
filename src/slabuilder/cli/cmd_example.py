"""``slabuilder example``: the built-in example answers file."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("example")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the example to this file instead of printing it.")
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
def command(output: Path | None, force: bool) -> None:
    """Print a complete answers file for a fictional company (Acme Analytics).

    Copy it, change the figures to your own, and check it with `slabuilder check`.
    """
    from slabuilder.fsutil import write_atomic
    from slabuilder.resources import example_answers_path

    text = example_answers_path().read_text(encoding="utf-8")
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, text, force=force)
    click.echo(f"Wrote {output}. Edit it, then run: slabuilder plan {output}", err=True)
