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
    agreement is in force (the highest one every signatory signed).

    \b
    Examples:
      slabuilder status out/
      slabuilder status out/acme-analytics-agreement.pdf --json
    """
    from slabuilder.errors import SlabuilderError
    from slabuilder.jobs.status import signature_status

    roots: list[bytes] = []
    for file in trust_files:
        try:
            roots.append(file.read_bytes())
        except OSError as error:
            raise SlabuilderError(f"cannot read the certificate: {error.strerror}",
                                  file=file, key="--trust") from None
    report = signature_status(path, trust_roots=roots or None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    for doc in report.documents:
        click.echo(f"{doc.path}: {doc.document}, version {doc.version}, effective "
                   f"{doc.effective_date}, answers fingerprint {doc.fingerprint}")
        for entry in doc.fields:
            who = f"  {entry.name} ({entry.title}, {entry.role}): "
            if not entry.signed:
                click.echo(who + "unsigned")
                continue
            state = "intact" if entry.intact else "BROKEN"
            if entry.trusted is not None:
                state += ", trusted" if entry.trusted else ", NOT trusted"
            click.echo(who + f"signed by {entry.signed_by} at {entry.signed_at}, {state}")
        changed = "CHANGED after signing" if doc.changed_after_signing else \
            "not changed after signing" if doc.any_signature else "not signed yet"
        click.echo(f"  {changed}")
        for problem in doc.problems:
            click.echo(f"  problem: {problem}")
    for name in report.not_ours:
        click.echo(f"{name}: not a signable slabuilder document")
    if not report.documents:
        click.echo("No signable slabuilder document here.")
    for item in report.in_force:
        click.echo(f"In force for {item.company}: version {item.version}, effective "
                   f"{item.effective_date} (answers fingerprint {item.fingerprint})")
    if report.documents and not report.in_force:
        click.echo("No version is in force yet: none is signed by every signatory.")
