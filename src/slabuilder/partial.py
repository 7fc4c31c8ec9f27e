"""The answers of a stopped interview, kept to carry on from: ``slabuilder new --resume``.

A partial file is not yet a valid answers file; its first line says so, and only a file with
that line is ever replaced by a later partial file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["PARTIAL_HEADER", "PARTIAL_NAME", "is_partial", "read_partial", "resume_command",
           "save_partial"]

PARTIAL_HEADER = "# slabuilder partial answers"
PARTIAL_NAME = "slabuilder-partial.yaml"
"""The file a stopped interview keeps its answers in, in the folder it was writing to."""


def resume_command(partial: Path, from_label: str | None = None) -> str:
    """The command that carries on from ``partial``, writing where the stopped run wrote."""
    from shlex import quote

    again = f" --from {quote(from_label)}" if from_label else ""
    return (f"slabuilder new -o {quote(str(partial.parent))} --resume {quote(str(partial))}"
            f"{again}")


def save_partial(partial: dict[str, Any], path: Path) -> Path:
    """Write answers so far (not yet a valid answers file) for ``--resume``.

    Overwrites only an earlier partial file; any other file of that name is left alone and a
    numbered name is used instead.
    """
    import yaml

    from slabuilder.fsutil import write_atomic

    target = path
    number = 2
    while target.exists() and not is_partial(target):
        target = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    body = yaml.safe_dump(partial, sort_keys=False, allow_unicode=True,
                          default_flow_style=False)
    text = (f"{PARTIAL_HEADER}: not a complete answers file yet.\n"
            "# Carry on with `slabuilder new --resume THIS-FILE`.\n" + body)
    write_atomic(target, text, force=True)
    return target


def is_partial(path: Path) -> bool:
    if not path.is_file():  # a FIFO or a device is never a file of saved answers
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().startswith(PARTIAL_HEADER)
    except OSError:
        return False


def read_partial(path: Path) -> dict[str, Any]:
    from slabuilder.yamlio import read_mapping

    return read_mapping(path, "file of saved answers",
                         "a file of saved answers; resume from the file `slabuilder new` "
                         "wrote when it was stopped")
