"""CSV that is safe to open in a spreadsheet: the one writer of every CSV slabuilder makes.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break (also behind
invisible characters, or written full-width) would be run as a formula by Excel or Sheets;
such cells, headers included, get a leading apostrophe, which spreadsheets show as text.
Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["neutralise", "spreadsheet_csv"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell: Any) -> Any:
    """Make a text cell inert in a spreadsheet; leave numbers and blanks alone."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int | float):
        return cell
    text = str(cell)
    return "'" + text if _may_run(text) else text


def _may_run(text: str) -> bool:
    """A cell a spreadsheet could take for a formula: one that starts with a formula sign
    or a line break, also behind invisible characters (a zero-width space, a no-break
    space) or written full-width (``＝``, which spreadsheets read as ``=``)."""
    if text.startswith(_FORMULA_STARTS):
        return True
    for character in text:
        if unicodedata.category(character) in ("Cf", "Zs", "Cc"):
            continue
        return unicodedata.normalize("NFKC", character).startswith(_FORMULA_STARTS)
    return False


def spreadsheet_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                    line_end: str = "\n") -> str:
    """The header and rows as CSV text, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
