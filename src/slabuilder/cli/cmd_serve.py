"""``slabuilder serve``: options of the browser workspace."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.argument("answers", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(), show_default=".", metavar="DIR",
              help="Folder the answers file is saved into (named after the company).")
@click.option("--port", type=click.IntRange(0, 65535), metavar="N",
              help="Port to listen on (default 8765, or a free one when it is taken; 0: any).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on, and the one other machines must use (0.0.0.0: "
                   "every address of this machine). Anything but 127.0.0.1 lets them reach "
                   "your answers: only on a network you trust.")
@click.option("--no-browser", is_flag=True, help="Do not open the browser; just print the "
                                                  "address.")
def command(answers: Path | None, output_dir: Path, port: int | None, host: str,
            no_browser: bool) -> None:
    """Answer the questions in your browser and watch the agreement take shape beside them.

    Starts a small web app on this machine, prints its address and opens it. The same
    questions, checks and documents as `slabuilder new`; a review page saves the answers
    and downloads the agreement, brief and summary as PDF. Ctrl-C stops it.

    \b
    Examples:
      slabuilder serve -o acme/
      slabuilder serve examples/acme.yaml -o acme/ --port 8800 --no-browser
    """
    from slabuilder.jobs.serve import ServeSettings, StoppedServing, run_serve

    try:
        run_serve(ServeSettings(output_dir=output_dir, answers_file=answers, host=host,
                                port=port, open_browser=not no_browser), say=click.echo)
    except StoppedServing:
        raise click.exceptions.Exit(130) from None
