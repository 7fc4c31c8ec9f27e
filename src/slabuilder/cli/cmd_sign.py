"""``slabuilder sign``: sign one person's signature field of a slabuilder PDF."""

from __future__ import annotations

import os
from pathlib import Path

import click

PASSPHRASE_ENV = "SLABUILDER_SIGN_PASSPHRASE"  # noqa: S105 - a variable name, not a secret


@click.command("sign")
@click.argument("pdf", metavar="PDF", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", "key_file", required=True, metavar="FILE.p12",
              type=click.Path(path_type=Path, dir_okay=False),
              help="The signer's key and certificate, as PKCS#12 (.p12 or .pfx).")
@click.option("--signer", required=True, metavar="NAME",
              help="Whose field to sign: a signatory's (or the owner's) name as the answers "
                   "give it.")
@click.option("--passphrase-env", metavar="VAR", default=PASSPHRASE_ENV, show_default=True,
              help="Environment variable holding the key's passphrase; without it you are "
                   "asked (the passphrase is never an argument).")
@click.option("-o", "--output", metavar="FILE", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Write the signed PDF here instead of adding the signature to PDF itself "
                   "(an existing file is never replaced).")
def command(pdf: Path, key_file: Path, signer: str, passphrase_env: str,
            output: Path | None) -> None:
    """Sign NAME's signature field in a PDF that slabuilder rendered, with a PAdES signature.

    The signature is added as an incremental update of the same file, so the signatures
    already in it stay valid; each person signs in turn. Refused, with nothing written: a
    PDF slabuilder did not make, a field already signed, a name that does not sign this
    document, an expired key, a wrong passphrase, a key made out to someone else.

    \b
    Examples:
      slabuilder render examples/acme.yaml -o out --doc agreement
      export SLABUILDER_SIGN_PASSPHRASE=demo       # the demo keys' passphrase
      slabuilder sign out/acme-analytics-agreement.pdf --signer "Dana Reyes" \\
          --key examples/keys/dana-reyes.p12
      slabuilder sign out/acme-analytics-agreement.pdf --signer "Sam Okafor" \\
          --key examples/keys/sam-okafor.p12
    """
    import sys

    from slabuilder.errors import SlabuilderError
    from slabuilder.jobs.sign import check_sign_inputs, sign_document

    check_sign_inputs(pdf, key_file, output)
    passphrase = os.environ.get(passphrase_env)
    if passphrase is None and not sys.stdin.isatty():
        raise SlabuilderError(f"no terminal to ask for the passphrase of {key_file.name} in; "
                              f"set it in the environment variable {passphrase_env}, or run "
                              "sign in a terminal", key="--passphrase-env")
    if passphrase is None:
        passphrase = click.prompt(f"Passphrase for {key_file.name}", hide_input=True,
                                  default="", show_default=False, err=True)
    result = sign_document(pdf, key_file=key_file, passphrase=passphrase or None,
                           signer=signer, output=output)
    from slabuilder.textclean import printable

    click.echo(f"{printable(str(result.path))}: signed {result.field!r} as "
               f"{result.certificate}")
