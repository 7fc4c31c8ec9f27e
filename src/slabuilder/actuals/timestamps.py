"""Reading the export's dates and times into the company's local time, inside DuckDB.

ISO values (``2027-03-01 14:05``, ``2027-03-01T19:05:00.000Z``) carry their own order; an
offset or ``Z`` moves them into the company's zone, and values without one are taken in the
zone of ``--tz`` (by default the company's).  Slashed dates are day-first or month-first: the
file decides when a value such as 25/03/2027 settles it, and otherwise the user must say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from slabuilder.errors import ExportError

DateOrder = Literal["mdy", "dmy"]

_ORDER_WORDS = {
    "mdy": "mdy", "m/d/y": "mdy", "m/d/yyyy": "mdy", "mm/dd/yyyy": "mdy", "%m/%d/%y": "mdy",
    "us": "mdy", "month-first": "mdy",
    "dmy": "dmy", "d/m/y": "dmy", "d/m/yyyy": "dmy", "dd/mm/yyyy": "dmy", "%d/%m/%y": "dmy",
    "eu": "dmy", "uk": "dmy", "day-first": "dmy",
}
_TIMES = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%H:%M:%S.%g")


def parse_date_format(text: str) -> DateOrder:
    """``MM/DD/YYYY`` or ``DD/MM/YYYY`` (or ``%m/%d/%Y``, ``us``, ``eu``) as a date order."""
    key = re.sub(r"\s.*$", "", text.strip().lower())
    order = _ORDER_WORDS.get(key)
    if order is None:
        raise ExportError(f"{text!r} is not a date format this reader knows; write "
                          "--date-format MM/DD/YYYY or --date-format DD/MM/YYYY",
                          file="--date-format")
    return "mdy" if order == "mdy" else "dmy"


@dataclass(frozen=True)
class SlashedDates:
    """What the slashed values of one column reveal about their order."""

    column: str
    count: int
    first_max: int | None
    second_max: int | None
    example: str | None


def slashed_probe_sql(expr: str) -> str:
    """An aggregate over one raw column: how many slashed values, and the largest part."""
    first = f"TRY_CAST(split_part({expr}, '/', 1) AS INTEGER)"
    second = f"TRY_CAST(split_part({expr}, '/', 2) AS INTEGER)"
    return (f"count(*) FILTER (WHERE contains({expr}, '/')), "
            f"max({first}) FILTER (WHERE contains({expr}, '/')), "
            f"max({second}) FILTER (WHERE contains({expr}, '/')), "
            f"min(trim({expr})) FILTER (WHERE contains({expr}, '/'))")


def settle_order(probes: list[SlashedDates], given: DateOrder | None,
                 source: str) -> DateOrder | None:
    """The order of slashed dates across the file, or an error asking for --date-format."""
    slashed = [p for p in probes if p.count]
    if not slashed:
        return given
    day_first = [p for p in slashed if (p.first_max or 0) > 12]
    month_first = [p for p in slashed if (p.second_max or 0) > 12]
    if day_first and month_first and given is None:
        raise ExportError(f"column {day_first[0].column!r} has day-first dates and column "
                          f"{month_first[0].column!r} month-first ones; export them in one "
                          "format, or say which with --date-format", file=source)
    if given is not None:
        return given
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    example = slashed[0].example or "03/04/2027"
    raise ExportError(f"dates such as {example} in column {slashed[0].column!r} could be "
                      "month-first or day-first and nothing in the file settles it; rerun with "
                      "--date-format MM/DD/YYYY or --date-format DD/MM/YYYY", file=source)


def _formats(order: DateOrder | None, separator: str) -> str:
    day = ["%m", "%d"] if order != "dmy" else ["%d", "%m"]
    if separator == ".":
        day = ["%d", "%m"]
    date = separator.join([*day, "%Y"])
    formats = [f"{date} {time}" for time in _TIMES] + [date, f"{date}T%H:%M:%S"]
    return "[" + ", ".join(f"'{fmt}'" for fmt in formats) + "]"


def timestamp_sql(expr: str, order: DateOrder | None, company_zone: str,
                  naive_zone: str, *, plain_iso: bool = False, typed: bool = False) -> str:
    """SQL turning one raw text column into a TIMESTAMP in the company's local time.

    The connection's TimeZone must be ``naive_zone`` so that ISO values without an offset are
    read in it.  Unreadable values come out NULL; the caller reports them.  ``plain_iso``
    says every value is ISO without an offset: then a plain cast does (five times faster
    than the time-zone path, which matters at a million rows).  ``typed`` says ``expr`` is
    already a TIMESTAMP without an offset (the CSV reader parsed it).
    """
    value = f"nullif(trim({expr}), '')"
    company = _quote(company_zone)
    naive = _quote(naive_zone)
    if plain_iso or typed:
        local = expr if typed else f"TRY_CAST({value} AS TIMESTAMP)"
        return local if company_zone == naive_zone else (
            f"timezone({company}, timezone({naive}, {local}))")
    slashed = (f"timezone({company}, timezone({naive}, "
               f"try_strptime({_full_year(value)}, {_formats(order, '/')})))")
    dotted = (f"timezone({company}, timezone({naive}, "
              f"try_strptime({_full_year(value)}, {_formats(order, '.')})))")
    return (
        f"CASE WHEN {value} IS NULL THEN NULL "
        f"WHEN substr({value}, 5, 1) = '-' "
        f"THEN timezone({company}, TRY_CAST({value} AS TIMESTAMPTZ)) "
        f"WHEN contains({value}, '/') THEN {slashed} "
        f"WHEN regexp_full_match({value}, '\\d{{1,2}}\\.\\d{{1,2}}\\.\\d{{2}}(\\d{{2}})?(\\D.*)?') "
        f"THEN {dotted} "
        f"WHEN regexp_full_match({value}, '\\d{{12,13}}') "
        f"THEN timezone({company}, to_timestamp(CAST({value} AS BIGINT) / 1000.0)) "
        "ELSE NULL END"
    )


def _full_year(value: str) -> str:
    """Excel's m/d/yy writes two-digit years; in a CRM export they are this century's."""
    return (f"regexp_replace({value}, '^(\\d{{1,2}}[/.]\\d{{1,2}}[/.])(\\d{{2}})(\\D.*)?$', "
            "'\\1' || '20\\2\\3')")


def number_sql(expr: str, decimal_comma: bool) -> str:
    """SQL reading a count or an amount written as ``1,234.50``, ``$1,234`` or ``1234,5``."""
    value = f"regexp_replace(trim({expr}), '[^0-9,.\\-]', '', 'g')"
    if decimal_comma:
        cleaned = f"replace(replace({value}, '.', ''), ',', '.')"
    else:
        cleaned = f"replace({value}, ',', '')"
    # The plain cast first: the clean-up (a regular expression) only runs where it fails.
    plain = "" if decimal_comma else f"TRY_CAST(trim({expr}) AS DOUBLE), "
    return (f"CASE WHEN nullif(trim({expr}), '') IS NULL THEN NULL "
            f"ELSE coalesce({plain}TRY_CAST({cleaned} AS DOUBLE)) END")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_literal(value: Any) -> str:
    return _quote(str(value))
