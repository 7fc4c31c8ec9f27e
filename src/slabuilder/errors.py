"""Errors a user can act on.

Every failure caused by the user's input is a :class:`SlabuilderError` (or one of its
subclasses).  The command line turns each into one line on stderr and exit code 2; anything
else is a bug and exits 1.
"""

from __future__ import annotations

from pathlib import Path


class SlabuilderError(Exception):
    """A problem with the user's input, with a message that says what to do about it."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class AnswersError(SlabuilderError):
    """The answers file cannot be read or does not validate."""


class OutputError(SlabuilderError):
    """An output cannot be written (it exists, is signed, or the folder is not writable)."""


class TemplateError(SlabuilderError):
    """A document template (usually a user override) is broken."""


class ExportError(SlabuilderError):
    """A CRM export cannot be read."""


class InterviewAborted(SlabuilderError):  # noqa: N818 - it is an event, not a bug
    """The user pressed Ctrl-C during the interview."""

    exit_code = 130


class Interrupted(SlabuilderError):  # noqa: N818 - it is an event, not a bug
    """Ctrl-C or SIGTERM stopped a run; the message says what was and was not written."""

    exit_code = 130


class LimitError(SlabuilderError):
    """An input or a template went past one of the documented caps (size, time, pages)."""
