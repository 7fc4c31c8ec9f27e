"""``slabuilder sign``: sign one person's field of a slabuilder PDF with their key."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from slabuilder.errors import OutputError
from slabuilder.fsutil import append_update_locked, read_input, same_file, write_atomic

__all__ = ["SignResult", "check_sign_inputs", "sign_document"]


@dataclass(frozen=True)
class SignResult:
    """What was signed, by whom, and where the signed PDF is."""

    path: Path
    signer: str
    field: str
    certificate: str
    in_place: bool


def _read(path: Path, what: str) -> bytes:
    """A PDF or a key file, checked to be a regular file under the cap before it is read
    (a FIFO would hang, /dev/zero fill memory)."""
    from slabuilder.limits import SIGNED_PDF_MAX_BYTES

    return read_input(path, what=what, max_bytes=SIGNED_PDF_MAX_BYTES)


def check_sign_inputs(pdf: Path, key_file: Path, output: Path | None) -> None:
    """Refuse, before anyone types a passphrase, a PDF or key that cannot be read (a pipe, a
    device, a folder, too large) and an ``-o`` that names an existing file."""
    from slabuilder.fsutil import check_input
    from slabuilder.limits import SIGNED_PDF_MAX_BYTES

    check_input(pdf, what="PDF", max_bytes=SIGNED_PDF_MAX_BYTES)
    check_input(key_file, what="key file", max_bytes=SIGNED_PDF_MAX_BYTES)
    if output is not None and os.path.lexists(output) and not same_file(output, pdf):
        # sign has no --force: it never replaces a file
        raise OutputError("already exists; sign never replaces a file: give -o a new name, "
                          "or leave -o out to sign the PDF itself", file=output)


def sign_document(pdf: Path, *, key_file: Path, passphrase: str | None, signer: str,
                  output: Path | None = None, now: dt.datetime | None = None) -> SignResult:
    """Sign ``signer``'s signature field in ``pdf`` with the PKCS#12 key in ``key_file``.

    By design the signature is an incremental update of the same file: the PDF is replaced
    (atomically) by itself with the new revision appended, so every earlier signature stays
    valid.  With ``output`` the signed copy goes there instead, and an existing file is
    never replaced.
    """
    from slabuilder.limits import SIGNED_PDF_MAX_BYTES
    from slabuilder.sign import load_signing_key, sign_pdf_bytes
    from slabuilder.textclean import printable

    check_sign_inputs(pdf, key_file, output)
    key = load_signing_key(_read(key_file, "key file"), passphrase, where=str(key_file),
                           now=now)
    signed: dict[str, object] = {}

    def add_signature(original: bytes) -> bytes:
        updated, signed["person"] = sign_pdf_bytes(original, signer_name=signer, key=key,
                                                   where=str(pdf))
        return updated

    in_place = output is None or same_file(output, pdf)
    if in_place:
        # Under a lock on the file itself: a second signer waits, then signs what the first
        # left, and the file keeps its mode, its links and its place.
        append_update_locked(pdf, add_signature, what="PDF", max_bytes=SIGNED_PDF_MAX_BYTES)
        target = pdf
    else:
        assert output is not None
        write_atomic(output, add_signature(_read(pdf, "PDF")), force=False)
        target = output
    person: dict[str, str] = signed["person"]  # type: ignore[assignment]
    return SignResult(path=target, signer=printable(str(person["name"])),
                      field=printable(str(person["signature_field"])),
                      certificate=printable(key.subject), in_place=in_place)
