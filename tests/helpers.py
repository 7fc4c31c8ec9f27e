"""Helpers shared by the test modules, so that no test module imports another."""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slabuilder.outputs import RenderOptions, render_documents
from slabuilder.plan import Plan

__all__ = ["EPOCH", "EXAMPLE", "HEADER", "INJECTION", "ROOT", "ROWS", "CliResult", "pdf_pages",
           "pdf_text", "render_clean", "source_date", "weasyprint_problems", "write_csv"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "acme.yaml"


@dataclass
class CliResult:
    """What a command run in-process gave: its exit code and what it wrote."""

    code: int
    out: str
    err: str


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    """A CSV file as a CRM writes it (CRLF line ends), in ``encoding``."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# The generic January 2027 export whose every figure tests/test_actuals.py works out by hand
# (its docstring gives each MQL's speed to lead); the report's tests fill the report from it.
HEADER = ["lead_id", "created_at", "mql_at", "sql_at", "opportunity_at", "won_at", "lost_at",
          "first_touch_at", "attempts", "disposition", "disposition_at",
          "disqualification_reason", "owner", "source", "amount"]
INJECTION = "=cmd|' /C calc'!A0"
ROWS = [
    # December: one MQL, touched after 2 business hours.
    ["L0", "2026-12-15 09:00", "2026-12-15 10:00", "", "", "", "", "2026-12-15 12:00", "3",
     "Open", "", "", "Ana", "Webinar", ""],
    ["L1", "2027-01-04 09:00", "2027-01-04 10:00", "2027-01-06 10:00", "2027-01-12 10:00",
     "2027-01-28 10:00", "", "2027-01-04 10:30", "2", "Accepted", "2027-01-06 10:00", "",
     "Ana", "Webinar", "25,000"],
    ["L2", "2027-01-05 15:00", "2027-01-05 16:00", "", "", "", "", "2027-01-06 10:00", "6",
     "Recycled", "2027-01-14 10:00", "", "Ana", "Webinar", ""],
    ["L3", "2027-01-08 14:00", "2027-01-08 15:00", "2027-01-20 11:00", "", "",
     "2027-01-29 12:00", "2027-01-11 11:00", "3", "Disqualified", "2027-01-12 12:00",
     "DQ-05 Competitor chosen", "Ben", "Webinar", ""],
    ["L4", "2027-01-15 16:00", "2027-01-15 16:30", "", "", "", "", "2027-01-19 09:30", "7",
     "", "", "", "Ana", "Paid Search", ""],
    ["L5", "2027-01-09 11:00", "2027-01-09 12:00", "", "", "", "", "2027-01-11 13:00", "0",
     "Disqualified", "2027-01-11 14:00", "DQ-02 Wrong persona", "Ben", "Paid Search", ""],
    ["L6", "2027-01-20 08:00", "2027-01-20 09:00", "2027-02-02 10:00", "", "", "",
     "2027-01-21 17:00", "1", "Accepted", "2027-01-22 10:00", "", "Ana", INJECTION, ""],
    ["L7", "2027-01-25 09:00", "2027-01-25 10:00", "", "", "", "", "", "0", "New", "", "",
     "Ben", INJECTION, ""],
    # Set aside: no lead id, a repeated id, and a contact that never became an MQL.
    ["", "2027-01-05 09:00", "2027-01-05 10:00", "", "", "", "", "", "", "", "", "", "", "",
     ""],
    ["L1", "2027-01-04 09:00", "2027-01-04 10:00", "", "", "", "", "", "", "", "", "", "", "",
     ""],
    ["L8", "2027-01-07 09:00", "", "", "", "", "", "", "", "", "", "", "Ben", "Webinar", ""],
]


# --------------------------------------------------------------------------- PDFs

EPOCH = "1798761600"  # 2027-01-01T00:00:00Z


@contextmanager
def weasyprint_problems() -> Iterator[list[str]]:
    """Collect every warning or error WeasyPrint logs inside the block."""
    problems: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield problems
    finally:
        logger.removeHandler(handler)


@contextmanager
def source_date(epoch: str = EPOCH) -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def render_clean(plan: Plan, docs: list[str], out: Path, *, answers_path: Path | None = None,
                 **choices: Any) -> list[Path]:
    """Render PDFs with SOURCE_DATE_EPOCH set; fail on any WeasyPrint warning.  ``choices``
    are :class:`RenderOptions` fields (``draft=True``, ``pdfa=True``)."""
    with source_date(), weasyprint_problems() as problems:
        written = render_documents(plan, docs, out, RenderOptions(formats=("pdf",), **choices),
                                   answers_path=answers_path)
    assert problems == []
    return written


def pdf_pages(source: Path | bytes) -> list[str]:
    """The text of each page of a PDF as pypdf reads it, words joined by single spaces."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_text(source: Path | bytes) -> str:
    """The text of a whole PDF, pages joined by a space: the one way tests read a PDF's
    words (poppler's pdftotext is run beside it where two readers must agree)."""
    return " ".join(pdf_pages(source))


def write_scored_model(path: Path) -> Path:
    """The example answers with a scoring model that says which column it reads, as
    ``calibrate`` writes one (``score`` refuses the standard table, which is in words): one
    signal on Original Source, a column every lead file of the tests has."""
    from slabuilder.answerfile import load_answers, save_answers
    from slabuilder.signals import DEFAULT_SIGNALS

    example = Path(__file__).resolve().parent.parent / "examples" / "acme.yaml"
    data = load_answers(example).model_dump(mode="json", exclude_none=True)
    data["scoring"] = {"threshold": 25, "signals": {
        **{signal.id: 0 for signal in DEFAULT_SIGNALS},
        "events": {"label": "Original Source is Events", "points": 25,
                   "condition": {"column": "Original Source", "equals": "Events"}}}}
    save_answers(data, path)
    return path
