"""A warning the plan raises where terms do not fit together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Warning:
    code: str
    """A stable identifier, for tests and scripts."""
    message: str
    """A sentence a demand-gen director can act on."""
    key: str | None = None
    """The answers key to change, when one is to blame."""
    severity: Literal["warning", "note"] = "warning"
