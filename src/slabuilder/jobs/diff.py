"""``slabuilder diff OLD NEW``: every term that changed between two versions of the answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slabuilder.diff import AgreementDiff

__all__ = ["DiffRun", "run_diff"]


@dataclass(frozen=True)
class DiffRun:
    """The changes from ``old_file`` to ``new_file``, and what the reader should know first."""

    old_file: Path
    new_file: Path
    changes: AgreementDiff
    notes: list[str] = field(default_factory=list)
    """Why the comparison may not be the one meant (two companies, an older "new" file)."""

    def to_dict(self) -> dict[str, Any]:
        return {"old_file": str(self.old_file), "new_file": str(self.new_file),
                **self.changes.to_dict(), "notes": self.notes}


def run_diff(old_file: Path, new_file: Path) -> DiffRun:
    """Load both versions and list every changed answer and every term that moved."""
    from slabuilder.answerfile import load_answers
    from slabuilder.diff import diff_answers

    old, new = load_answers(old_file), load_answers(new_file)
    notes = []
    if old.company.name != new.company.name:
        notes.append(f"the two files are for different companies ({old.company.name} and "
                     f"{new.company.name}); every term is compared all the same")
    if new.agreement.version < old.agreement.version:
        notes.append(f"{new_file} is version {new.agreement.version}, older than version "
                     f"{old.agreement.version} in {old_file}; give the older file first to "
                     "see what the newer one changed")
    return DiffRun(Path(old_file), Path(new_file), diff_answers(old, new), notes)
