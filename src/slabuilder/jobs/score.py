"""``score``: apply the answers' scoring model to a file of leads, one row out per lead."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slabuilder.answerfile import load_answers


@dataclass
class ScoreResult:
    header: list[str]
    rows: list[list[str]]
    summary: dict[str, Any]
    written: Path | None = None
    notes: list[str] = field(default_factory=list)

    def to_csv(self) -> str:
        """Ids, e-mails and headers come from the leads file: a cell that a spreadsheet would
        run as a formula is neutralised, as in every CSV slabuilder writes."""
        from slabuilder.csvsafe import spreadsheet_csv

        return spreadsheet_csv(self.header, self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary,
                "leads": [dict(zip(self.header, row, strict=True)) for row in self.rows]}


def score_leads(answers_path: str | Path, leads: str | Path, *, output: Path | None = None,
                force: bool = False, show_progress: bool = False) -> ScoreResult:
    """Score every lead of ``leads`` with the model in ``answers_path``; write ``output``
    (CSV, atomically, never over an existing file unless ``force``) when given."""
    from slabuilder.interrupts import import_held

    import_held("duckdb")  # a stop inside its initialisation would abort the process
    from slabuilder.calibrate.score import score_table
    from slabuilder.calibrate.table import read_lead_table
    from slabuilder.fsutil import check_writable, write_atomic

    answers = load_answers(answers_path)
    if output is not None:
        check_writable(Path(output), force=force)
    with tempfile.TemporaryDirectory(prefix="slabuilder-") as scratch:
        table = read_lead_table(Path(leads), Path(scratch), show_progress=show_progress,
                                what="--leads")
        try:
            scored, summary = score_table(answers, table)
            id_names = [table.header[p.index] for p in
                        (q for q in table.columns if q.name in summary["id_columns"])]
        finally:
            table.con.close()
    header = [*(id_names or ["row"]), "score", "mql", "reason"]
    rows = [[*(lead.ids or [str(number)]), str(lead.score), "yes" if lead.mql else "no",
             lead.reason] for number, lead in enumerate(scored, start=2)]
    result = ScoreResult(header, rows, summary)
    if not id_names:
        result.notes.append("no id or e-mail column found; leads are named by their row in "
                            "the file")
    unscored = summary["signals_not_evaluated"]
    if unscored:
        from slabuilder import words

        result.notes.append(
            ("1 signal of the model says no column to read and scores" if len(unscored) == 1
             else f"{words.count(len(unscored))} signals of the model say no column to read "
                  "and score")
            + " 0 for every lead ("
            + words.join([f"\u201c{label}\u201d" for label in unscored[:3]]
                         + ([f"{words.count(len(unscored) - 3)} more"]
                            if len(unscored) > 3 else []))
            + "); give them a condition (scoring.signals.*.condition)")
    if output is not None:
        write_atomic(Path(output), result.to_csv(), force=force)
        result.written = Path(output)
    return result
