"""``slabuilder render``: the agreement, the design brief and the one-page summary of one or
more answers files, as HTML and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from slabuilder.errors import SlabuilderError

__all__ = ["RENDERED_HERE", "run_render"]

RENDERED_HERE = ("agreement", "brief", "summary")
"""The documents ``render`` writes; the others come from ``report`` and ``renegotiate``."""
_WRITTEN_BY = {"amendment": "renegotiate", "report": "report", "agenda": "report",
               "dashboard": "report", "calibration": "calibrate"}


def run_render(answers_files: Sequence[Path], out_dir: Path, *,
               docs: Sequence[str] = RENDERED_HERE, formats: Sequence[str] = ("html", "pdf"),
               force: bool = False, draft: bool = False, templates_dir: Path | None = None,
               pdfa: bool = False, esign_tags: str | None = None,
               settings: Sequence[str] = ()) -> list[Path]:
    """Write ``docs`` for every answers file into ``out_dir``; return the files written.

    Every target of every file is checked before anything is written; the PDFs of all files
    are made together on all cores.  ``esign_tags`` (``docusign``, ``adobe`` or ``dropbox``)
    adds that service's text tags at every signature and date line; ``settings``
    (``key.path=value``) change answers of every file for this run only.
    """
    for doc in docs:
        if doc in RENDERED_HERE:
            continue
        where = (f"the {doc} is written by `slabuilder {_WRITTEN_BY[doc]}`"
                 if doc in _WRITTEN_BY else f"{doc!r} is not a document")
        raise SlabuilderError(f"{where}; choose from " + ", ".join(RENDERED_HERE), key="--doc")
    from slabuilder.pdf import prepared_worker

    # One PDF: its worker loads WeasyPrint while the answers, the plan and the HTML are made.
    one_pdf = "pdf" in formats and len(answers_files) * len(set(docs)) == 1
    with prepared_worker(one_pdf):
        from slabuilder.outputs import render_many

        return render_many(list(answers_files), docs, out_dir, formats=formats, force=force,
                           draft=draft, templates_dir=templates_dir, pdfa=pdfa,
                           esign_tags=esign_tags, settings=settings)
