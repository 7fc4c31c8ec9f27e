"""A finding of the plan: a warning where terms do not fit together, or a note.

Named `Finding` rather than `Warning` so that it never shadows Python's built-in warning class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Finding:
    code: str
    """A stable identifier, for tests and scripts."""
    message: str
    """A sentence a demand-gen director can act on."""
    key: str | None = None
    """The answers key to change, when one is to blame."""
    severity: Literal["warning", "note"] = "warning"
