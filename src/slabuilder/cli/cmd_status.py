"""``slabuilder status``: who has signed which version, and which version is in force."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("status")
@click.argument("path", metavar="PATH", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--trust", "trust_files", metavar="CA.pem", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="A certificate authority (PEM or DER) to check the signers' certificates "
                   "against (repeatable); without it a signature is checked for integrity "
                   "only.")
def command(path: Path, as_json: bool, trust_files: tuple[Path, ...]) -> None:
    """Show, for a signed PDF or every signable PDF in a folder: version, effective date,
    answers fingerprint, each person's signature (unsigned, or by whom, when, and whether
    it is intact), whether the document changed after signing, and which version of the
    agreement is in force (the highest one every signatory signed).  Exits with 2, after the
    status, when a signature is broken or untrusted or a document changed after signing.

    \b
    Examples:
      slabuilder render examples/acme.yaml -o out --doc agreement
      slabuilder status out/
      slabuilder status out/acme-analytics-agreement.pdf --json
    """
    from slabuilder.errors import SlabuilderError
    from slabuilder.jobs.status import read_trust_roots, signature_status
    from slabuilder.terminal import status_lines

    report = signature_status(path, trust_roots=read_trust_roots(trust_files) or None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in status_lines(report):
            click.echo(line)
    if report.problems:
        more = len(report.problems) - 1
        raise SlabuilderError(report.problems[0] + (f" (and {more} more problem"
                                                   f"{'s' * (more > 1)} above)" if more else ""))
