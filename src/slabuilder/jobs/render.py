"""``slabuilder render``: the agreement, the design brief and the one-page summary of one or
more answers files, as HTML and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from slabuilder.errors import SlabuilderError

if TYPE_CHECKING:
    from slabuilder.outputs import RenderOptions

__all__ = ["RENDERED_HERE", "run_render"]

RENDERED_HERE = ("agreement", "brief", "summary")
"""The documents ``render`` writes; the others come from ``report`` and ``renegotiate``."""
_WRITTEN_BY = {"amendment": "renegotiate", "report": "report", "agenda": "report",
               "dashboard": "report", "calibration": "calibrate"}


def run_render(answers_files: Sequence[Path], out_dir: Path,
               rendering: RenderOptions | None = None, *,
               docs: Sequence[str] = RENDERED_HERE, settings: Sequence[str] = ()) -> list[Path]:
    """Write ``docs`` for every answers file into ``out_dir``; return the files written.

    Every target of every file is checked before anything is written; the PDFs of all files
    are made together on all cores.  ``rendering`` holds the formats, ``force``, ``draft``,
    the user's templates, PDF/A and e-signature tags; ``settings`` (``key.path=value``)
    change answers of every file for this run only.
    """
    from slabuilder.outputs import RenderOptions

    rendering = rendering or RenderOptions()
    for doc in docs:
        if doc in RENDERED_HERE:
            continue
        where = (f"the {doc} is written by `slabuilder {_WRITTEN_BY[doc]}`"
                 if doc in _WRITTEN_BY else f"{doc!r} is not a document")
        raise SlabuilderError(f"{where}; choose from " + ", ".join(RENDERED_HERE), key="--doc")
    from slabuilder.pdfpool import prepared_worker

    # One PDF: its worker loads WeasyPrint while the answers, the plan and the HTML are made.
    one_pdf = "pdf" in rendering.formats and len(answers_files) * len(set(docs)) == 1
    with prepared_worker(one_pdf):
        from slabuilder.outputs import render_many

        return render_many(list(answers_files), docs, out_dir, rendering, settings=settings)
