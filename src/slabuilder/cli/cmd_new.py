"""``slabuilder new``: the interview that writes a new answers file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from slabuilder.plan import Plan


@click.command("new")
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              metavar="DIR",
              help="Folder for the answers file (named after the company) and documents "
                   "[default: the current folder; with --resume, the resumed file's folder].")
@click.option("--from", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE", help="A previous answers file: its answers become the defaults "
                                   "(Enter keeps each).")
@click.option("--defaults", "use_defaults", is_flag=True,
              help="Accept every default without asking; fails listing the questions that "
                   "have none.")
@click.option("--set", "settings", metavar="KEY=VALUE", multiple=True,
              help="Answer one question on the command line, e.g. --set company.name='Acme' "
                   "(repeatable).")
@click.option("--resume", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Carry on from the answers saved when an interview was stopped (Ctrl-C).")
@click.option("--force", is_flag=True,
              help="Replace an answers file (and documents) that already exist.")
@click.option("--no-documents", "no_documents", is_flag=True,
              help="Write only the answers file; render the documents later.")
def command(output_dir: Path | None, from_file: Path | None, use_defaults: bool,
            settings: tuple[str, ...], resume: Path | None, force: bool,
            no_documents: bool) -> None:
    """Answer plain-language questions and get a validated answers file, the plan and,
    where available, the documents.

    Ten to fifteen minutes: the company and who signs, the ideal customer profile, the
    revenue goal, the funnel, the team, where things stand, then the scoring model and the
    terms. Every answer is checked as you type; at the end you can change any of them before
    saving. Ctrl-C offers to keep your answers so far.

    \b
    Examples:
      slabuilder new -o acme/                    # every question, in the terminal
      slabuilder new -o acme/ --set company.name="Acme Analytics"
      slabuilder new --resume acme/slabuilder-partial.yaml   # after Ctrl-C, into acme/
      slabuilder new -o q2/ --from examples/acme.yaml        # last quarter's answers as defaults
      slabuilder new -o out/ --from examples/acme.yaml --defaults \\
          --set economics.revenue_target=1.2M
    """
    from slabuilder.errors import SlabuilderError
    from slabuilder.jobs.new import run_new

    if output_dir is None:  # a resumed interview writes where the stopped one was writing
        output_dir = resume.parent if resume is not None else Path()
    result = run_new(output_dir, from_file=from_file, settings=settings,
                     use_defaults=use_defaults, resume=resume, force=force,
                     render=not no_documents)
    click.echo(f"\nSaved the answers in {result.path}")
    _print_summary(result.plan)
    for document in result.documents:
        click.echo(f"Wrote {document}")
    if result.plan.icp_missing:
        click.echo("The ideal customer profile is incomplete (" + ", ".join(
            result.plan.icp_missing) + "): the agreement can only be a draft until you fill "
            "it in; edit the file or run `slabuilder new --from " + str(result.path) + "`.")
    click.echo(f"Next: slabuilder plan {result.path}")
    if result.pdf_problem:
        raise SlabuilderError(result.pdf_problem)


def _print_summary(plan: Plan) -> None:
    """The plan's tables, as `slabuilder plan` prints them."""
    from slabuilder.terminal import print_plan

    click.echo()
    print_plan(plan)
