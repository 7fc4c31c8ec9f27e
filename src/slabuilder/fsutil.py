"""Writing outputs safely: atomically, never over an existing file unless asked, never over a
signed PDF."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from slabuilder.errors import OutputError


def is_signed_pdf(path: Path) -> bool:
    """True when ``path`` is a PDF carrying a digital signature (a /Sig field or /ByteRange)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
            if head != b"%PDF-":
                return False
            data = head + handle.read()
    except OSError:
        return False
    return b"/ByteRange" in data and (b"/Sig" in data or b"/DocMDP" in data)


def same_file(first: Path, second: Path) -> bool:
    """True when both paths name one file (through links too), existing or not."""
    try:
        return Path(first).samefile(second)
    except OSError:
        return Path(first).resolve() == Path(second).resolve()


def check_writable(path: Path, *, force: bool) -> None:
    """Refuse, before anything is written, to replace a file the user already has."""
    if path.exists():
        if path.is_dir():
            raise OutputError(f"{path} is a folder; choose another output name", file=path)
        if is_signed_pdf(path):
            raise OutputError("this PDF carries a signature and is never overwritten; "
                              "write the new version to another folder", file=path)
        if not force:
            raise OutputError("already exists; use --force to replace it or choose another "
                              "folder", file=path)


def write_atomic(path: Path, data: bytes | str, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    check_writable(path, force=force)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write into this folder: {error.strerror}",
                          file=folder) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # noqa: PTH101 - mkstemp creates 0600 files
        if not force and path.exists():
            raise OutputError("already exists; use --force to replace it", file=path)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # noqa: PTH108
        raise


def append_update_atomic(path: Path, original: bytes, updated: bytes) -> None:
    """Replace ``path`` by ``updated``, which must be ``original`` with bytes appended.

    This is the one way a signed PDF is ever rewritten: an incremental update (a new
    signature) leaves every earlier byte, and so every earlier signature, as it was.  The
    file is checked again just before the rename, so a copy changed meanwhile is not lost.
    """
    if not updated.startswith(original):
        raise OutputError("the update would change earlier bytes of this PDF; nothing was "
                          "written", file=path)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                 dir=path.parent)
    except OSError as error:
        raise OutputError(f"cannot write into this folder: {error.strerror}",
                          file=path.parent) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(updated)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # noqa: PTH101 - mkstemp creates 0600 files
        if path.read_bytes() != original:
            raise OutputError("changed while it was being signed; nothing was written, "
                              "sign it again", file=path)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # noqa: PTH108
        raise
