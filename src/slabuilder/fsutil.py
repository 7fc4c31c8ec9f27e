"""Reading inputs and writing outputs safely.

Inputs: every file the user names is checked for its kind and size before a byte of it is
read (a regular file under a cap; a pipe, a device or a folder is refused at once, so
``/dev/zero`` or a FIFO never fills memory or hangs), and read in bounded memory.

Outputs: a set of files is written all or nothing.  Every file goes to a hidden temporary
file in its target folder first; only when all of them are complete are they renamed into
place.  On any failure (a full disk, a permission, Ctrl-C, SIGTERM) the temporary files are
removed and the files of this run already renamed are taken back (a file that ``--force``
replaced is restored from a hard link kept until the end), so the folder holds what it held
before.  Never over an existing file unless asked, never over a signed PDF.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from slabuilder import words
from slabuilder.errors import Interrupted, OutputError, SlabuilderError

# --------------------------------------------------------------------------- inputs


def _input_problem(error: OSError, what: str) -> str:
    if isinstance(error, FileNotFoundError):
        return f"no such {what}; check the path"
    if isinstance(error, PermissionError):
        return f"cannot read the {what}: permission denied"
    if error.errno == errno.ELOOP:
        return f"the {what} is a symbolic link that points back to itself; give the real file"
    if error.errno == errno.ENAMETOOLONG:
        return f"the name of the {what} is too long for this system; rename it"
    if error.errno == errno.EISDIR:
        return f"this is a folder, not an {what}"
    return f"cannot read the {what}: {error.strerror or error}"


def _checked_descriptor(path: Path, what: str, max_bytes: int,
                        error_type: type[SlabuilderError]) -> tuple[int, int]:
    """Open ``path`` without blocking and check it is a regular file under ``max_bytes``;
    returns the open descriptor and the size.  O_NONBLOCK keeps a FIFO from hanging the
    open itself; the kind check then refuses it before any read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise error_type(_input_problem(error, what), file=path) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise error_type(f"this is a folder, not an {what}; give the file", file=path)
        if not stat.S_ISREG(info.st_mode):
            raise error_type(f"the {what} is not a regular file (a pipe, a device or a "
                             "socket); save the content to a file and give that file",
                             file=path)
        if info.st_size > max_bytes:
            raise error_type(f"the {what} is larger than {describe_size(max_bytes)}, the "
                             "most slabuilder reads; is this the right file?", file=path)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info.st_size


def describe_size(size: int) -> str:
    """``1_000_000`` as ``1 MB``: caps are stated in the units README uses."""
    for unit, name in ((10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if size >= unit:
            return f"{words.number(size / unit)} {name}"
    return f"{size} bytes"


def check_input(path: Path, *, what: str, max_bytes: int,
                error_type: type[SlabuilderError] = SlabuilderError) -> int:
    """Check, without reading it, that ``path`` is a regular file under ``max_bytes``;
    returns its size.  For files another reader (DuckDB) reads itself."""
    descriptor, size = _checked_descriptor(Path(path), what, max_bytes, error_type)
    os.close(descriptor)
    return size


def read_input(path: Path, *, what: str, max_bytes: int,
               error_type: type[SlabuilderError] = SlabuilderError) -> bytes:
    """The bytes of ``path``, a regular file under ``max_bytes``, read in bounded memory
    (a file that grows while it is read is still cut off at the cap)."""
    descriptor, _ = _checked_descriptor(Path(path), what, max_bytes, error_type)
    try:
        return _read_descriptor(descriptor, Path(path), what, max_bytes, error_type)
    except OSError as error:
        raise error_type(_input_problem(error, what), file=path) from None
    finally:
        os.close(descriptor)


# --------------------------------------------------------------------------- outputs


def is_regular_file(path: Path) -> bool:
    """True for a regular file (through links); never opens it, so a FIFO cannot hang."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except (OSError, ValueError):
        return False


def is_signed_pdf(path: Path) -> bool:
    """True when ``path`` is a PDF carrying a digital signature (a /Sig field or /ByteRange).
    Only a regular file is opened: a FIFO or a device named ``*.pdf`` is no signed PDF."""
    if not is_regular_file(path):
        return False
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
        try:
            return Path(first).resolve() == Path(second).resolve()
        except (OSError, RuntimeError):  # a symlink loop names no file at all
            return False


def _output_problem(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is used up"
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long for this system; choose a shorter one"
    if error.errno == errno.ELOOP:
        return "a symbolic link on the way points back to itself; give a real folder"
    if isinstance(error, PermissionError):
        return "permission denied"
    return str(error.strerror or error)


def check_writable(path: Path, *, force: bool) -> None:
    """Refuse, before anything is written, to replace a file the user already has."""
    try:
        if len(path.name.encode("utf-8", "surrogateescape")) > 255:
            raise OSError(errno.ENAMETOOLONG, "File name too long")
        present = path.exists()
        for folder in (path.parent, *path.parent.parents):
            if os.path.lexists(folder):
                if not folder.exists():
                    raise OSError(errno.ELOOP, "Too many levels of symbolic links")
                if not folder.is_dir():
                    raise OutputError(f"{folder} is a file, not a folder; choose another "
                                      "output folder", file=path)
                break
        if not present and os.path.lexists(path):
            raise OSError(errno.ELOOP, "Too many levels of symbolic links")
    except OSError as error:
        raise OutputError(f"cannot write here: {_output_problem(error)}", file=path) from None
    if present:
        if path.is_dir():
            raise OutputError(f"{path} is a folder; choose another output name", file=path)
        if not is_regular_file(path):
            raise OutputError("is not a regular file (a pipe, a device or a socket), and "
                              "slabuilder writes only files; choose another name", file=path)
        if is_signed_pdf(path):
            raise OutputError("this PDF carries a signature and is never overwritten; "
                              "write the new version to another folder", file=path)
        if not force:
            raise OutputError("already exists; use --force to replace it or choose another "
                              "folder", file=path)


@dataclass
class OutputFile:
    """One file of a set to write: where, what, and whether it may replace a file."""

    path: Path
    data: bytes | str
    force: bool = False


@dataclass
class _Placed:
    target: Path
    temporary: Path
    backup: Path | None = None
    replaced: bool = False


def _temporary_name(path: Path, kind: str) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.{kind}")


def _stage(item: OutputFile, staged: list[_Placed]) -> None:
    """Write ``item`` to a hidden temporary file beside its target (recorded before it is
    created, so that an interruption at any point leaves nothing behind)."""
    payload = item.data.encode("utf-8") if isinstance(item.data, str) else item.data
    item.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_name(item.path, "tmp")
    staged.append(_Placed(item.path, temporary))
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def _commit(item: OutputFile, placed: _Placed) -> None:
    if os.path.lexists(item.path):
        if not item.force:
            raise OutputError("appeared while the documents were being made; use --force "
                              "to replace it", file=item.path)
        placed.backup = _temporary_name(item.path, "bak")
        try:
            os.link(item.path, placed.backup)
        except OSError:
            placed.backup = None  # no hard links here: the old file cannot be restored
    placed.temporary.replace(item.path)


def _roll_back(staged: Sequence[_Placed], committed: int) -> list[Path]:
    """Undo a set: remove temporaries, take back renamed files; returns the files that were
    replaced and could not be restored."""
    lost: list[Path] = []
    for index, placed in enumerate(staged):
        renamed = index < committed and not os.path.lexists(placed.temporary)
        with contextlib.suppress(OSError):
            placed.temporary.unlink()
        if not renamed:
            if placed.backup is not None:
                with contextlib.suppress(OSError):
                    placed.backup.unlink()
            continue
        try:
            if placed.backup is not None:
                placed.backup.replace(placed.target)
            elif not placed.replaced:
                placed.target.unlink()
            else:
                lost.append(placed.target)
        except OSError:
            lost.append(placed.target)
    return lost


def write_all(items: Sequence[OutputFile]) -> list[Path]:
    """Write a set of files all or nothing (see the module's docstring); returns the paths.

    A target that is a symbolic link to a file is written through (the file it points to is
    replaced, the link stays); one that points to nothing or to something other than a file
    is refused.  A failure becomes an :class:`OutputError` and Ctrl-C or SIGTERM an
    :class:`~slabuilder.errors.Interrupted`, each saying that nothing was written, or naming
    the replaced files that could not be restored."""
    items = [_through_link(item) for item in items]
    for item in items:
        check_writable(item.path, force=item.force)
    staged: list[_Placed] = []
    committed = 0
    try:
        for item in items:
            _stage(item, staged)
        for item, placed in zip(items, staged, strict=True):
            placed.replaced = os.path.lexists(item.path)
            committed += 1
            _commit(item, placed)
    except BaseException as error:
        lost = _roll_back(staged, committed)
        raise _explained(error, items, staged, lost) from None
    for placed in staged:
        if placed.backup is not None:
            with contextlib.suppress(OSError):
                placed.backup.unlink()
    return [item.path for item in items]


def _through_link(item: OutputFile) -> OutputFile:
    """The same output with a symbolic link as its target replaced by the file it names."""
    try:
        if not item.path.is_symlink():
            return item
    except OSError:  # a name too long, a loop on the way: check_writable says which
        return item
    try:
        real = item.path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise OutputError("is a symbolic link that points to nothing; remove it or choose "
                          "another name", file=item.path) from None
    if not is_regular_file(real):
        raise OutputError(f"is a link to {real}, which is not a regular file (a pipe, a "
                          "device or a socket), and slabuilder writes only files; choose "
                          "another name", file=item.path)
    return OutputFile(real, item.data, item.force)


def _explained(error: BaseException, items: Sequence[OutputFile], staged: Sequence[_Placed],
               lost: list[Path]) -> BaseException:
    if lost:
        outcome = ("nothing new was written, but these files were replaced and could not "
                   "be restored: " + ", ".join(str(path) for path in lost))
    else:
        outcome = "nothing was written; the folder holds what it held before"
    if isinstance(error, KeyboardInterrupt | Interrupted):
        return Interrupted(f"stopped; {outcome}")
    if isinstance(error, OutputError):
        error.message = f"{error.message}; {outcome}"
        return error
    if isinstance(error, OSError):
        where = staged[-1].target if staged else items[0].path
        return OutputError(f"cannot write {where.name}: {_output_problem(error)}; {outcome}",
                           file=where.parent)
    return error


def write_atomic(path: Path, data: bytes | str, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    write_all([OutputFile(Path(path), data, force)])


def append_update_locked(path: Path, update: Callable[[bytes], bytes], *, what: str,
                         max_bytes: int, wait_seconds: float = 60.0) -> bytes:
    """Append to ``path`` what ``update(original)`` adds, holding an exclusive lock on the
    file from before it is read until the new bytes are on disk; returns the new content.

    This is the one way a signed PDF is ever rewritten: an incremental update (a new
    signature) leaves every earlier byte, and so every earlier signature, as it was.  The
    file itself is written (through a symbolic link to its target, keeping its mode, its
    owner and its other hard links); two people signing at once take turns, the second
    signing the file the first left, so no signature is lost.  An update that fails
    half-way is cut back to the original length.
    """
    import fcntl
    import time

    flags = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise OutputError(_input_problem(error, what), file=path) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"the {what} is not a regular file; give the file itself",
                              file=path)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError("someone else is signing this file and has not "
                                      "finished; nothing was written, sign again in a "
                                      "minute", file=path) from None
                time.sleep(0.05)
        original = _read_descriptor(descriptor, path, what, max_bytes)
        updated = update(original)
        if not updated.startswith(original):
            raise OutputError("the update would change earlier bytes of this PDF; nothing "
                              "was written", file=path)
        try:
            os.lseek(descriptor, len(original), os.SEEK_SET)
            view = memoryview(updated)[len(original):]
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(descriptor, len(original))
            raise OutputError(f"cannot write this file: {_output_problem(error)}; nothing "
                              "was added to it", file=path) from None
        return updated
    finally:
        os.close(descriptor)  # closing releases the lock


def _read_descriptor(descriptor: int, path: Path, what: str, max_bytes: int,
                     error_type: type[SlabuilderError] = OutputError) -> bytes:
    """The whole file open at ``descriptor``, in bounded memory: one that grows past
    ``max_bytes`` while it is read is refused at the cap."""
    chunks: list[bytes] = []
    total = 0
    os.lseek(descriptor, 0, os.SEEK_SET)
    while chunk := os.read(descriptor, min(1 << 20, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise error_type(f"the {what} is larger than {describe_size(max_bytes)}, the "
                             "most slabuilder reads; is this the right file?", file=path)
    return b"".join(chunks)
