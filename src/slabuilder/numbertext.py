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
- ``1.000.000``, ``1.234,5``: written the other way round (dots between thousands, a comma
  for decimals): refused, showing the one reading and how to type it;
- ``2,500.5,0``: marks in no order either way: refused.

Spaces between groups of three digits (``1 000 000``) are only ever thousands, and are read.

Where the answers say ``company.number_format: "1.234,5"`` the marks swap: a comma for
decimals (``0,5`` is half), dots between thousands (``1.000`` is a thousand), and ``1,000``
(one with three decimals, or a thousand) is the one refused with both readings.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal

from slabuilder import words

__all__ = ["DECIMAL_COMMA", "NUMBER_FORMATS", "SPACE_BETWEEN_THOUSANDS", "SURE_COMMA_SQL",
           "SURE_POINT_SQL",
           "NumberTextError", "as_written", "column_decimal_comma", "number_format",
           "read_number", "written_once"]

NUMBER_FORMATS = ("1,234.5", "1.234,5")
"""How a company writes numbers: a dot for decimals (the default) or a comma."""
DECIMAL_COMMA = NUMBER_FORMATS[1]
_COMMA: ContextVar[bool] = ContextVar("slabuilder_decimal_comma", default=False)


@contextlib.contextmanager
def number_format(written: object) -> Iterator[None]:
    """Read typed numbers the way ``written`` (an answers file's ``company.number_format``)
    says, for as long as the block runs."""
    token = _COMMA.set(written == DECIMAL_COMMA)
    try:
        yield
    finally:
        _COMMA.reset(token)


_MARKS = str.maketrans(",.", ".,")
_MARKED_NUMBER = re.compile(r"\d[\d,.]*\d")


def as_written(text: str) -> str:
    """An example or a reading (``25,000``, ``0.5 business hours``) the way the answers in
    force write numbers: inside :func:`number_format` with a decimal comma, the marks within
    each number swap (``25.000``, ``0,5``); prose, and the full stops in it, stay."""
    if not _COMMA.get():
        return text
    return _MARKED_NUMBER.sub(lambda found: found.group(0).translate(_MARKS), text)


def format_of(data: object) -> object:
    """``company.number_format`` of answers data, whatever shape the data has."""
    company = data.get("company") if isinstance(data, dict) else None
    return company.get("number_format") if isinstance(company, dict) else None

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


_COMMA_PLAIN = re.compile(r"[+-]?\d+(?:,\d+)?")
_COMMA_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")
_POINT_DECIMAL = re.compile(r"[+-]?\d+\.(?:\d{1,2}|\d{4,})")


def _two_readings(typed: str, small: str, as_decimal: str, large: str, as_group: str,
                  type_as: str) -> NumberTextError:
    """The refusal of a number whose one mark reads two ways, with both readings."""
    return NumberTextError(f"{typed!r} could be {small} ({as_decimal}) or {large} "
                           f"({as_group}); type {type_as}")


def _unreadable(typed: str, how: str) -> NumberTextError:
    """The refusal of a text that is no number, or whose marks read more than one way."""
    if re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", typed):
        if "," in typed and "." in typed:
            return NumberTextError(f"{typed!r} mixes commas and dots in a way that can be "
                                   f"read more than one way; {how}")
        marks = "commas" if "," in typed else "dots"
        return NumberTextError(f"{typed!r} has its {marks} where no number has them; {how}")
    return NumberTextError(f"{typed!r} is not a number", ambiguous=False)


def _read_decimal_comma(typed: str) -> Decimal:
    """A number typed with a comma for decimals and dots between thousands."""
    if _COMMA_THOUSANDS.fullmatch(typed):
        whole = typed.replace(",", "")
        decimal = typed.replace(",", ".")
        raise _two_readings(typed, words.exact(decimal), "a decimal comma", words.number(whole),
                            "a comma between thousands",
                            f"{typed.split(',')[0]} or {whole[:-3]}.{whole[-3:]}")
    if _COMMA_PLAIN.fullmatch(typed):
        return Decimal(typed.replace(",", "."))
    if _COMMA_GROUPED.fullmatch(typed):
        return Decimal(typed.replace(".", "").replace(",", "."))
    if _POINT_DECIMAL.fullmatch(typed):  # 0.5: a dot that cannot be between thousands
        return Decimal(typed)
    raise _unreadable(typed, "these answers write a comma for decimals and dots between "
                             "thousands, such as 1234,5 or 1.234,5")


SPACE_BETWEEN_THOUSANDS = "[ \u00a0\u202f]"
"""A space, no-break or narrow, as typed between thousands (a pattern)."""
_SPACE_GROUPED = re.compile(rf"[+-]?\d{{1,3}}(?:{SPACE_BETWEEN_THOUSANDS}\d{{3}})+(?:[.,]\d+)?")
"""``1 000 000`` (a space, no-break or narrow, between thousands): the spaces cannot mean
anything else, and go."""


def _the_other_way(typed: str, written: str, switch: str) -> NumberTextError:
    """The refusal of a number written, unmistakably, in the other convention."""
    return NumberTextError(f"{typed!r} is written {written}; type {switch}")


def read_number(text: str) -> Decimal:
    """``"1,234.5"`` -> ``Decimal("1234.5")``; ``"0,5"`` and ``"1.000"`` are refused with
    both readings (:class:`NumberTextError`), and so is anything that is not a number.
    Inside :func:`number_format` with a decimal comma, the marks are read the other way.
    A typographic minus (``−40``, as word processors write it) is a minus."""
    typed = text.strip().replace("\u2212", "-")
    if not _SPACE_GROUPED.fullmatch(typed):
        return _read_marks(typed)
    spaceless = re.sub(SPACE_BETWEEN_THOUSANDS, "", typed)
    if re.search(r"[.,]\d{3}$", spaceless):  # 1 000.000: one more mark between thousands?
        decimal = words.exact(spaceless.replace(",", "."))
        whole = re.sub(r"[.,]", "", spaceless)
        raise _two_readings(typed, decimal, "a decimal mark", words.number(whole),
                            "one more mark between thousands",
                            f"{decimal} or {words.exact(whole)}")
    try:
        return _read_marks(spaceless)
    except NumberTextError as error:  # the refusal quotes what was typed, spaces and all
        raise NumberTextError(str(error).replace(repr(spaceless), repr(typed), 1),
                              ambiguous=error.ambiguous) from None


def _read_marks(typed: str) -> Decimal:
    """:func:`read_number` of a text with no spaces in it."""
    if _COMMA.get():
        if _GROUPED.fullmatch(typed) and "," in typed \
                and not _COMMA_THOUSANDS.fullmatch(typed):  # 1,000,000 or 1,234.5 (not 1,000)
            value = Decimal(typed.replace(",", ""))
            swapped = words.number(value).translate(_MARKS)
            raise _the_other_way(
                typed, "with commas between thousands and a dot for decimals",
                f"{words.exact(value).translate(_MARKS)} or {swapped}, as these answers "
                "write a comma for decimals and dots between thousands "
                "(company.number_format)")
        return _read_decimal_comma(typed)
    if _DOT_THOUSANDS.fullmatch(typed):
        whole = typed.replace(".", "")
        raise _two_readings(typed, words.exact(typed), "a decimal point", words.number(whole),
                            "a dot between thousands",
                            f"{words.exact(typed)} or {words.exact(whole)}")
    if _PLAIN.fullmatch(typed):
        return Decimal(typed)
    if _GROUPED.fullmatch(typed):
        return Decimal(typed.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(typed):
        decimal = words.exact(typed.replace(",", "."))
        raise NumberTextError(
            f"{typed!r} could be {decimal} (a decimal comma) or "
            f"{words.number(typed.replace(',', ''))} (the comma ignored); type {decimal}, with "
            "a dot for decimals (or answer company.number_format with 1.234,5 to write a "
            "comma for decimals throughout)")
    if _COMMA_GROUPED.fullmatch(typed):  # 1.000.000 or 1.234,5
        value = Decimal(typed.replace(".", "").replace(",", "."))
        raise _the_other_way(
            typed, "with dots between thousands and a comma for decimals",
            f"{words.exact(value)} or {words.number(value)}, with a dot for decimals (or "
            "answer company.number_format with 1.234,5 to write numbers that way throughout)")
    raise _unreadable(typed, "type it with a dot for decimals and commas only between "
                             "thousands, such as 1234.5 or 1,234.5")


def written_once(value: Decimal) -> Decimal:
    """A number a file already holds as a number (YAML's ``1.000``, kept with its three
    places), read as :func:`read_number` reads the same text: refused with both readings,
    or a thousand where the answers write a comma for decimals."""
    text = str(value)
    if _DOT_THOUSANDS.fullmatch(text):
        return read_number(text)
    return value
