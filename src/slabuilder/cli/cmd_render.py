"""``slabuilder render``: the agreement, the design brief and the summary as HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import click


def _split(value: str, what: str) -> list[str]:
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    if not items:
        raise click.BadParameter(f"give at least one {what}")
    return list(dict.fromkeys(items))


@click.command("render")
@click.argument("answers_files", metavar="ANSWERS...", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the documents into (created if missing).")
@click.option("--format", "formats", default="html,pdf", show_default=True, metavar="LIST",
              help="html, pdf or html,pdf.")
@click.option("--doc", "docs", default="agreement,brief,summary", show_default=True,
              metavar="LIST", help="Which documents: agreement, brief, summary.")
@click.option("--force", is_flag=True,
              help="Replace files that already exist (a signed PDF is never replaced).")
@click.option("--draft", is_flag=True,
              help="Mark every page DRAFT; allows the agreement and the summary while the ICP "
                   "is incomplete.")
@click.option("--pdfa", is_flag=True,
              help="Write PDF/A-3b, with the answers file embedded, for archiving (needs pdf in "
                   "--format).")
@click.option("--templates", "templates_dir", metavar="DIR", default=None,
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder of your own templates or style.css, used before the shipped ones.")
def command(answers_files: tuple[Path, ...], out_dir: Path, formats: str, docs: str,
            force: bool, draft: bool, pdfa: bool, templates_dir: Path | None) -> None:
    """Write the documents people sign and read: the SLA agreement, the design brief for
    its owner and a one-page summary, each as HTML and PDF.

    Files are named after the company, e.g. acme-analytics-agreement.pdf. Every target is
    checked before anything is written: nothing is replaced without --force, and a signed
    PDF never. The agreement and the summary (both are signed) need a complete ideal
    customer profile; until then add --draft for copies marked DRAFT.

    \b
    Examples:
      slabuilder render acme.yaml -o out
      slabuilder render acme.yaml -o out --doc summary --format pdf
      slabuilder render acme.yaml -o out --draft --force
      slabuilder render team-a.yaml team-b.yaml -o out     (both cores)
    """
    from slabuilder.documents import DEFAULT_DOCUMENTS, DOCUMENTS, render_many

    chosen = _split(docs, "document")
    for doc in chosen:
        if doc in DEFAULT_DOCUMENTS:
            continue
        other = {"amendment": "renegotiate", "calibration": "calibrate"}.get(doc, "report")
        where = f"the {doc} is written by `slabuilder {other}`" if doc in DOCUMENTS else \
            f"{doc!r} is not a document"
        raise click.BadParameter(f"{where}; choose from agreement, brief, summary",
                                 param_hint="--doc")
    written = render_many(list(answers_files), chosen, out_dir,
                          formats=_split(formats, "format"), force=force, draft=draft,
                          templates_dir=templates_dir, pdfa=pdfa)
    for path in written:
        click.echo(str(path))
