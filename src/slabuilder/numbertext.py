"""Numbers as people type them, read one way everywhere (the terminal, the browser, answers
files, ``--set``), and refused where the marks could mean two numbers.

slabuilder writes a dot for decimals and commas between thousands (``1,234.5``).  A number
typed that way is read as written; so is one with no marks at all.  Where a comma or a dot
could be read the other way round, the number is refused with both readings, because a
silent guess turns half an hour (``0,5``) into five hours:

- ``0,5``, ``2,5``, ``1,25``: a comma that cannot be between thousands (not followed by
  groups of three digits) is a decimal comma: refused, showing ``0.5`` and ``5``;
- ``1.000``, ``2.500``: a dot followed by exactly three digits may be between thousands (as
  in ``1.000.000``): refused, showing ``1`` and ``1,000``;
- ``1.234,5``, ``2,500.5,0``: marks in an order slabuilder does not write: refused.
"""

from __future__ import annotations

import re
from decimal import Decimal

from slabuilder import words

__all__ = ["SURE_COMMA_SQL", "SURE_POINT_SQL", "NumberTextError", "column_decimal_comma",
           "read_number", "written_once"]

SURE_COMMA_SQL = r"'[-+]?[$€£]?[0-9.]*[0-9],([0-9]{1,2}|[0-9]{4,})'"
"""A value in a column of numbers that can only hold a decimal comma (``2,67``): a comma
followed by other than three digits."""
SURE_POINT_SQL = r"'[-+]?[$€£]?[0-9,]*[0-9]\.([0-9]{1,2}|[0-9]{4,})'"
"""A value that can only hold a decimal point (``2.67``, ``1,000.5``)."""


def column_decimal_comma(commas: int, points: int, delimiter: str) -> bool | None:
    """Whether a column of numbers writes a decimal comma, from the count of its values that
    can only be read with a comma (``commas``) and with a point (``points``).  A column that
    cannot tell (``1.000``, or whole numbers only) follows its file, as a spreadsheet's
    locale would: a comma where the delimiter is ``;``.  ``None``: the column writes both,
    and no reading of it is safe."""
    if commas and points:
        return None
    if commas or points:
        return bool(commas)
    return delimiter == ";"

_PLAIN = re.compile(r"[+-]?\d+(?:\.\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


class NumberTextError(ValueError):
    """A typed number that cannot be read, or could be read two ways (``ambiguous``)."""

    def __init__(self, message: str, *, ambiguous: bool = True) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def read_number(text: str) -> Decimal:
    """``"1,234.5"`` -> ``Decimal("1234.5")``; ``"0,5"`` and ``"1.000"`` are refused with
    both readings (:class:`NumberTextError`), and so is anything that is not a number."""
    typed = text.strip()
    if _DOT_THOUSANDS.fullmatch(typed):
        whole = typed.replace(".", "")
        raise NumberTextError(
            f"{typed!r} could be {words.exact(typed)} (a decimal point) or "
            f"{words.number(whole)} (a dot between thousands); type {words.exact(typed)} or "
            f"{words.exact(whole)}")
    if _PLAIN.fullmatch(typed):
        return Decimal(typed)
    if _GROUPED.fullmatch(typed):
        return Decimal(typed.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(typed):
        decimal = words.exact(typed.replace(",", "."))
        raise NumberTextError(
            f"{typed!r} could be {decimal} (a decimal comma) or "
            f"{words.number(typed.replace(',', ''))} (the comma ignored); type {decimal}, with "
            "a dot for decimals")
    if re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", typed):
        raise NumberTextError(
            f"{typed!r} mixes commas and dots in a way that can be read more than one way; "
            "type it with a dot for decimals and commas only between thousands, such as "
            "1234.5 or 1,234.5")
    raise NumberTextError(f"{typed!r} is not a number", ambiguous=False)


def written_once(value: Decimal) -> Decimal:
    """A number a file already holds as a number (YAML's ``1.000``, kept with its three
    places), refused as :func:`read_number` refuses the same text."""
    text = str(value)
    if _DOT_THOUSANDS.fullmatch(text):
        read_number(text)
    return value
