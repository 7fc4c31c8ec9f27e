"""``slabuilder status``: who has signed which version, and which version is in force."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click


@click.command("status")
@click.argument("path", metavar="PATH", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--trust", "trust_files", metavar="CA.pem", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="A certificate authority (PEM or DER) to trust besides the system's and "
                   "those in SLABUILDER_TRUST (repeatable).")
@click.option("--on", "on", metavar="YYYY-MM-DD", default=None,
              type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Tell the version in force on this day (default: today).")
def command(path: Path, as_json: bool, trust_files: tuple[Path, ...],
            on: dt.datetime | None) -> None:
    """Show, for a signed PDF or every signable PDF in a folder: version, effective date,
    answers fingerprint, each person's signature (unsigned, or by whom, when, whether it is
    intact and trusted), whether the document changed after signing, and which version of
    the agreement is in force: the highest one every signatory signed, with intact and
    trusted signatures, whose effective date has come.  Exits with 2, after the status,
    when a signature is broken or untrusted or a document was altered after signing.

    \b
    Examples:
      slabuilder render examples/acme.yaml -o out --doc agreement
      slabuilder status out/
      slabuilder status out/acme-analytics-agreement.pdf --json
    """
    from slabuilder.errors import SlabuilderError
    from slabuilder.jobs.status import read_trust_roots, signature_status
    from slabuilder.terminal import status_lines

    report = signature_status(path, trust_roots=read_trust_roots(trust_files),
                              on=on.date() if on else None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in status_lines(report):
            click.echo(line)
    if report.problems:
        more = len(report.problems) - 1
        raise SlabuilderError(report.problems[0] + (f" (and {more} more problem"
                                                   f"{'s' * (more > 1)} above)" if more else ""))
