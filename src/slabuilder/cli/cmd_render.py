"""``slabuilder render``: the agreement, the design brief and the summary as HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import click

from slabuilder.cli.common import SET_OPTION, signable_output_options, split_list


@click.command("render")
@click.argument("answers_files", metavar="ANSWERS...", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the documents into (created if missing).")
@signable_output_options
@click.option("--doc", "docs", default="agreement,brief,summary", show_default=True,
              metavar="LIST", help="Which documents: agreement, brief, summary.")
@click.option("--force", is_flag=True,
              help="Replace files that already exist (a signed PDF is never replaced).")
@click.option("--draft", is_flag=True,
              help="Mark every page DRAFT; allows the agreement and the summary while the ICP "
                   "is incomplete.")
@SET_OPTION
def command(answers_files: tuple[Path, ...], out_dir: Path, formats: str, docs: str,
            force: bool, draft: bool, pdfa: bool, esign_tags: str | None,
            templates_dir: Path | None, settings: tuple[str, ...]) -> None:
    """Write the documents people sign and read: the SLA agreement, the design brief for
    its owner and a one-page summary, each as HTML and PDF.

    Files are named after the company, e.g. acme-analytics-agreement.pdf. Every target is
    checked before anything is written: nothing is replaced without --force, and a signed
    PDF never. The agreement and the summary (both are signed) need a complete ideal
    customer profile; until then add --draft for copies marked DRAFT.

    \b
    Examples:
      slabuilder render examples/acme.yaml -o out
      slabuilder render examples/acme.yaml -o out --draft --force     # replace, marked DRAFT
      slabuilder render examples/acme.yaml -o one --doc summary --format pdf
      slabuilder render examples/acme.yaml -o tags --doc agreement --esign-tags docusign
    """
    from slabuilder.jobs.render import run_render
    from slabuilder.outputs import RenderOptions

    rendering = RenderOptions(formats=split_list(formats, "format"), force=force, draft=draft,
                              templates_dir=templates_dir, pdfa=pdfa, esign_tags=esign_tags)
    for path in run_render(answers_files, out_dir, rendering,
                           docs=split_list(docs, "document"), settings=settings):
        click.echo(str(path))
