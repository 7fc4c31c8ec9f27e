"""The agreement's changed clauses, word for word.

The amendment's term tables list what the parties decided and what moved with it; this
module makes sure nothing else moved unseen.  Both versions of the agreement are rendered
from the same templates, cut into clauses (each paragraph, list item and table row, under the
section heading it sits in) and compared in order.  Every clause that differs is returned with
its old and new wording, the changed words marked, so the amendment can say truthfully that a
clause it does not list stays exactly as it was.

What only says which version it is (the version number, the fingerprint, the effective date
and the planning period) is set aside before comparing: the amendment states those once,
at its top.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slabuilder import words

if TYPE_CHECKING:
    from pathlib import Path

    from slabuilder.plan import Plan

__all__ = ["Clause", "changed_clauses", "clauses_of"]

_SKIPPED_SECTIONS = ("Signatures",)
"""Sections whose content the amendment restates itself (its own signature blocks)."""
_BLOCK_END = re.compile(r"</(?:p|li|tr|h[1-6]|dd|dt|caption|figcaption)\s*>", re.I)
_SECTION = "\x01"
_CELL = "\x02"


@dataclass(frozen=True)
class Clause:
    """One clause that differs: its section, and its wording in each version as runs of
    ``(changed, text)`` (no old wording for a new clause, no new one for a dropped clause)."""

    section: str
    old: tuple[tuple[bool, str], ...]
    new: tuple[tuple[bool, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section,
                "old": [{"changed": changed, "text": text} for changed, text in self.old],
                "new": [{"changed": changed, "text": text} for changed, text in self.new]}


def clauses_of(page: str) -> list[tuple[str, str]]:
    """``(section heading, clause text)`` for every clause of a rendered document, in order;
    the header before the first section and the signature section are left out."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<h2\b[^>]*>", _SECTION, body, flags=re.I)
    body = re.sub(r"</t[dh]\s*>", f" {_CELL} ", body, flags=re.I)
    found: list[tuple[str, str]] = []
    section = ""
    for chunk in _BLOCK_END.split(body):
        if _SECTION in chunk:
            section = _text(chunk.rpartition(_SECTION)[2])
            continue
        text = _text(chunk)
        if text and section and section not in _SKIPPED_SECTIONS:
            found.append((section, text))
    return found


def _text(chunk: str) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", " ", chunk))
    cells = [" ".join(cell.split()) for cell in plain.split(_CELL)]
    return " | ".join(cell for cell in cells if cell)


def _neutralizer(plan: Plan) -> Callable[[str], str]:
    """Replaces, in a clause, what only names the plan's version by placeholders."""
    answers = plan.answers
    style = answers.date_style
    names = ((plan.fingerprint, "⟨fingerprint⟩"),
             (words.long_date(answers.agreement.effective_date, style), "⟨effective date⟩"),
             (words.long_date(plan.period_start, style), "⟨period start⟩"),
             (words.long_date(plan.period_end, style), "⟨period end⟩"))
    version = re.compile(rf"\b[Vv]ersion {answers.agreement.version}\b")

    def neutral(text: str) -> str:
        for value, placeholder in names:
            text = text.replace(value, placeholder)
        return version.sub("version ⟨n⟩", text)

    return neutral


def changed_clauses(old: Plan, new: Plan, *,
                    templates_dir: Path | None = None) -> list[Clause]:
    """Every clause of the agreement whose wording differs between ``old`` and ``new``,
    both rendered from the same templates (the user's own, when given)."""
    before = clauses_of(_agreement(old, templates_dir))
    after = clauses_of(_agreement(new, templates_dir))
    old_neutral, new_neutral = _neutralizer(old), _neutralizer(new)
    matcher = difflib.SequenceMatcher(None, [old_neutral(text) for _, text in before],
                                      [new_neutral(text) for _, text in after],
                                      autojunk=False)
    found: list[Clause] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = before[i1:i2], after[j1:j2]
        for index in range(max(len(olds), len(news))):
            was = olds[index] if index < len(olds) else None
            now = news[index] if index < len(news) else None
            section = (now or was or ("", ""))[0]
            old_runs, new_runs = _marked(was[1] if was else "", now[1] if now else "")
            found.append(Clause(section, old_runs, new_runs))
    return found


def _marked(old: str, new: str) -> tuple[tuple[tuple[bool, str], ...],
                                         tuple[tuple[bool, str], ...]]:
    """Both wordings as runs of words, the ones that differ marked."""
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    old_runs: list[tuple[bool, str]] = []
    new_runs: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            old_runs.append((changed, " ".join(old_words[i1:i2])))
        if j2 > j1:
            new_runs.append((changed, " ".join(new_words[j1:j2])))
    return tuple(old_runs), tuple(new_runs)


def _agreement(plan: Plan, templates_dir: Path | None) -> str:
    from slabuilder.context import build_context
    from slabuilder.documents import render_html

    return render_html("agreement", dict(build_context(plan, draft=bool(plan.icp_missing))),
                       templates_dir=templates_dir)
