"""How slabuilder writes a figure or a word, everywhere: terminal, documents and diff alike.

One rule per kind of value, so a figure reads the same in the plan, the agreement and the
amendment:

- money rounds half up (the rule people learn at school: 12.125 -> 12.13), whole units from
  1,000 up and cents below;
- a percentage has at most one decimal, half up (``60%``, ``12.5%``), except where the
  answers file itself is written (exact, so a saved rate loads back unchanged);
- counts are grouped by thousands; hours and days say their unit in the singular or plural;
- dates are written out (``1 April 2027``, or ``April 1, 2027`` on US letter paper);
- stages have one name and one plural (``MQL``, ``MQLs``; ``opportunities``; ``won deals``);
- a version's files carry ``-vN`` from version 2 on (``acme-analytics-v2-agreement.pdf``,
  ``acme-v2.yaml``).

The Jinja filters in :mod:`slabuilder.documents` are thin calls into this module.  Light on
purpose: it imports nothing beyond the standard library, so any command may use it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "CURRENCY_SYMBOLS", "FIRST_YEAR", "LAST_YEAR", "STAGE_NAMES", "STAGE_PLURALS", "DateStyle",
    "Kind", "add_months", "by_kind", "capfirst", "checked_month", "count", "date_range",
    "hours", "join", "long_date", "lowfirst", "money", "number", "percent", "plain_number",
    "rate_label", "rate_text", "rounded", "sentence", "signed", "slugify", "stage_name",
    "stage_plural", "to_decimal", "unit", "versioned_stem",
]

DateStyle = Literal["us", "international"]
Kind = Literal["money", "rate", "multiple", "count", "points", "hours", "days", "minutes",
               "months", "date", "dates", "text", "list", "bool", "auto", "business_hours",
               "business_days"]
"""How a value is written: ``money`` as ``$25,000``, ``rate`` as ``60%``, and so on."""

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""Every date slabuilder accepts (answers, months, export dates) falls in these years: beyond
them a date is a typo, and would overflow the arithmetic on periods."""

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥",
                    "CHF": "CHF ", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ", "INR": "₹",
                    "NZD": "NZ$", "SGD": "S$"}

STAGE_NAMES = {"lead": "Lead", "mql": "MQL", "sal": "SAL", "sql": "SQL",
               "opportunity": "Opportunity", "won": "Won"}
STAGE_PLURALS = {"lead": "leads", "mql": "MQLs", "sal": "SALs", "sql": "SQLs",
                 "opportunity": "opportunities", "won": "won deals"}


# --------------------------------------------------------------------------- numbers


def to_decimal(value: Any) -> Decimal:
    """Any number as an exact Decimal; a yes/no or text that is no number is a TypeError."""
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise TypeError(f"{value!r} is not a number") from None


def rounded(value: Any, step: str = "1") -> Decimal:
    """Half up to ``step`` (``"1"``, ``"0.1"``, ``"0.01"``): 0.565 -> 0.57, 2.5 -> 3.
    (Decimal's default, half to even, would turn 2.5 into 2 and 0.565 into 0.56.)"""
    return to_decimal(value).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros, grouped by thousands."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{normal:,.0f}"
    return f"{normal:,f}"


def number(value: Any, places: int | None = None) -> str:
    """``1234`` -> ``1,234``; ``2.5`` -> ``2.5``; with ``places``, rounded half up first."""
    amount = to_decimal(value)
    if places is not None:
        amount = rounded(amount, str(Decimal(1).scaleb(-places)))
    return _plain(amount)


def count(value: Any) -> str:
    """A whole count: ``1,234``."""
    return number(value, 0)


def exact(value: Any, *, trim: bool = True) -> str:
    """A number exactly as a file writes it: ``0.5``, ``1200``, ``2.67``; no grouping and no
    exponent.  Trailing zeros go, unless ``trim=False`` keeps those the value was typed with
    (``1234.50`` stays so)."""
    amount = to_decimal(value)
    return format(amount.normalize() if trim else amount, "f")


def code_point(character: str) -> str:
    """A character named for someone who must find and delete it: ``U+001B``."""
    return f"U+{ord(character):04X}"


def plain_number(value: Decimal | Fraction | int) -> int | float:
    """A number for JSON: whole values as int, others as float rounded to 4 places."""
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else round(float(value), 4)
    return int(value) if value == value.to_integral_value() else float(value)


def money(amount: Any, currency: str = "USD", *, short: bool = False) -> str:
    """``1000000`` -> ``$1,000,000`` (``$1M`` when short), ``12.125`` -> ``$12.13``,
    ``400000`` in SEK -> ``SEK 400,000``; an unknown currency code follows the figure."""
    value = to_decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if short and value >= 1000:
        for size, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"),
                             (Decimal(1000), "k")):
            if value >= size:
                text = format(rounded(value / size, "0.1").normalize(), "f") + suffix
                break
    elif value == value.to_integral_value() or value >= 1000:
        text = f"{rounded(value):,.0f}"
    else:
        text = f"{rounded(value, '0.01'):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def percent(rate: Any, places: int | None = 1) -> str:
    """A share as a percentage: ``0.6`` -> ``60%``, ``0.125`` -> ``12.5%``, ``0.34375`` ->
    ``34.4%``.  ``places=None`` writes it exactly (as the answers file does)."""
    points = to_decimal(rate) * 100
    if places is not None:
        points = rounded(points, str(Decimal(1).scaleb(-places)))
    return format(points.normalize(), "f") + "%"


def rate_text(rate: Any) -> str:
    """A rate as the answers file writes it: exact, ``55.55%``."""
    return percent(rate, None)


def unit(value: Any, singular: str, plural: str) -> str:
    """``1 point``, ``4 points``, ``1.5 hours``."""
    amount = to_decimal(value)
    return f"{_plain(amount)} {singular if amount == 1 else plural}"


def hours(value: Any, *, business: bool = True, places: int | None = 1) -> str:
    """``4`` -> ``4 business hours``, ``1`` -> ``1 business hour``; a measured ``8.93`` ->
    ``8.9 business hours``; ``business=False`` for clock hours."""
    amount = to_decimal(value)
    if places is not None:
        amount = rounded(amount, str(Decimal(1).scaleb(-places)))
    kind = "business " if business else ""
    return unit(amount, f"{kind}hour", f"{kind}hours")


def short_hours(value: Any, places: int | None = None) -> str:
    """Hours where room is short (a tile, a table cell, a chart's scale): ``4 h``, ``1.2 h``."""
    return f"{number(value, places)} h"


def days(value: Any, *, business: bool = False) -> str:
    """``14 days``, ``1 day``; ``business=True`` for ``5 business days``."""
    kind = "business " if business else ""
    return unit(value, f"{kind}day", f"{kind}days")


def minutes(value: Any) -> str:
    """``5 minutes``, ``1 minute``."""
    return unit(value, "minute", "minutes")


def short_minutes(value: Any) -> str:
    """Minutes where room is short (a meeting's length in a table): ``15 min``."""
    return f"{number(value)} min"


def months(value: Any) -> str:
    """``3 months``, ``1 month``."""
    return unit(value, "month", "months")


_SPELLED = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten")


def spelled(value: int) -> str:
    """A small count in words, as prose writes it: ``3`` -> ``three``; 11 and up as digits."""
    return _SPELLED[value] if 0 <= value < len(_SPELLED) else count(value)


def every(number: int, singular: str, plural: str) -> str:
    """The whole of a group, as prose names it: ``the signatory``, ``both signatories``,
    ``all four signatories``."""
    if number == 1:
        return f"the {singular}"
    return f"both {plural}" if number == 2 else f"all {spelled(number)} {plural}"


def signed(points: Any) -> str:
    """Points with their sign: ``+20``, ``−50`` (a true minus sign), ``0``."""
    amount = int(points)
    return f"+{amount}" if amount > 0 else f"\u2212{abs(amount)}" if amount < 0 else "0"


def score(points: Any) -> str:
    """A lead's total score as the points tables write their figures: ``35``, ``0``,
    ``−15`` (a true minus sign, no plus)."""
    return signed(points).removeprefix("+")


# --------------------------------------------------------------------------- dates


def long_date(day: dt.date | str, style: DateStyle | str | None = "international") -> str:
    """``1 April 2027``, or ``April 1, 2027`` in US style."""
    if not isinstance(day, dt.date):
        day = dt.date.fromisoformat(str(day))
    if style == "us":
        return f"{day:%B} {day.day}, {day.year}"
    return f"{day.day} {day:%B} {day.year}"


def date_range(start: dt.date, end: dt.date, style: DateStyle | str = "international") -> str:
    """``1 January 2027 to 31 March 2027``."""
    return f"{long_date(start, style)} to {long_date(end, style)}"


def week_label(monday: dt.date, first: dt.date, last: dt.date) -> str:
    """A week of a report: ``Week of Mar 1`` when all of it, from ``monday``, lies inside
    the month; else the days that do: ``Mar 29 to 31``, ``Jan 1 to 3``."""
    if first == monday and last == monday + dt.timedelta(days=6):
        return f"Week of {monday:%b} {monday.day}"
    end = f"{last.day}" if last.month == first.month else f"{last:%b} {last.day}"
    return f"{first:%b} {first.day} to {end}"


def ordinal_suffix(number: int) -> str:
    """``st``, ``nd``, ``rd`` or ``th``: 1st, 2nd, 3rd, 11th, 21st."""
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def month_span(start: dt.date, end: dt.date,
               style: DateStyle | str | None = "international") -> str:
    """A month of the plan: ``January 2027`` when it is a calendar month, else its days:
    ``15 Feb to 14 Mar 2027`` (``Feb 15 to Mar 14, 2027`` in US style)."""
    if start.day == 1 and end == add_months(start, 1) - dt.timedelta(days=1):
        return f"{start:%B} {start.year}"
    if style == "us":
        return f"{start:%b} {start.day} to {end:%b} {end.day}, {end.year}"
    return f"{start.day} {start:%b} to {end.day} {end:%b} {end.year}"


def short_month(key: str) -> str:
    """``2027-01`` as ``Jan ’27``: a month, never a date such as 01/27."""
    return f"{dt.date(int(key[:4]), int(key[5:7]), 1):%b} \u2019{key[2:4]}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day
    (31 January plus one month is 28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = (dt.date(year + (month == 11), (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def checked_month(text: str, *, key: str | None = None) -> str:
    """``2027-3`` or ``2027-03`` as ``2027-03``; anything else, or a year outside
    :data:`FIRST_YEAR` to :data:`LAST_YEAR`, is a one-line error naming ``key``."""
    from slabuilder.errors import SlabuilderError

    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise SlabuilderError(f"{text!r} is not a month; write it as YYYY-MM, for example "
                              "2027-03", key=key)
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise SlabuilderError(f"{text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}; "
                              "give the month as YYYY-MM, for example 2027-03", key=key)
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


# --------------------------------------------------------------------------- words


def stage_name(stage: str) -> str:
    """``mql`` -> ``MQL``, ``opportunity`` -> ``Opportunity``."""
    return STAGE_NAMES[stage]


def stage_plural(stage: str) -> str:
    """``mql`` -> ``MQLs``, ``opportunity`` -> ``opportunities``, ``won`` -> ``won deals``."""
    return STAGE_PLURALS[stage]


def rate_label(key: str) -> str:
    """``mql_to_sql`` -> ``MQL to SQL rate``."""
    source, target = key.split("_to_")
    return f"{STAGE_NAMES[source]} to {STAGE_NAMES[target]} rate"


def by_kind(value: Any, kind: Kind, currency: str = "USD",
            style: DateStyle = "international") -> str:
    """A value as a director would write it: ``$1,200,000``, ``55%``, ``4 hours``, ``3x``."""
    if value is None:
        return "not set"
    writers: dict[str, Any] = {
        "money": lambda: money(value, currency),
        "rate": lambda: percent(value),
        "multiple": lambda: f"{number(value)}x",
        "points": lambda: unit(value, "point", "points"),
        "hours": lambda: unit(value, "hour", "hours"),
        "business_hours": lambda: unit(value, "business hour", "business hours"),
        "days": lambda: unit(value, "day", "days"),
        "business_days": lambda: unit(value, "business day", "business days"),
        "minutes": lambda: unit(value, "minute", "minutes"),
        "months": lambda: unit(value, "month", "months"),
        "list": lambda: ", ".join(str(item) for item in value) if value else "none",
        "dates": lambda: date_range(value[0], value[1], style),
    }
    if kind in writers:
        return str(writers[kind]())
    if kind == "bool" or isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return long_date(value, style)
    if isinstance(value, int | Decimal):
        return number(value)
    return str(value)


def tally(severities: list[str]) -> str:
    """``2 warnings and 1 note``: how many findings of each kind, warnings first."""
    parts = [unit(n, kind, kind + "s") for kind in ("warning", "note")
             if (n := severities.count(kind))]
    return join(parts)


def join(items: list[str], last: str = "and") -> str:
    """``a, b and c`` (or ``a, b or c``)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def lowfirst(text: Any) -> str:
    """First letter down, the rest untouched: ``The Founder`` -> ``the Founder``."""
    value = str(text)
    return value[:1].lower() + value[1:]


def capfirst(text: Any) -> str:
    """First letter up, the rest untouched (unlike ``str.capitalize``, which lowers it)."""
    value = str(text)
    return value[:1].upper() + value[1:]


def sentence(text: Any) -> str:
    """A clause as a sentence: first letter up, one full stop at the end."""
    value = str(text).strip()
    if not value:
        return value
    value = value[0].upper() + value[1:]
    return value if value.endswith((".", "!", "?")) else value + "."


# --------------------------------------------------------------------------- file names

_VERSION_SUFFIX = re.compile(r"-v\d+$")


_NO_DECOMPOSITION = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o",
                                    "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
                                    "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d"})
"""Latin letters Unicode does not split into a plain letter and an accent: written out as
their languages spell them without (Weiß -> weiss), not dropped."""


def slugify(text: str) -> str:
    """``Acme Analytics`` -> ``acme-analytics``, ``Jörg Weiß`` -> ``jorg-weiss``: safe in a
    file name on every system."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION)).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "sla"


def versioned_stem(stem: str, version: int) -> str:
    """The name a version's files share: ``acme`` for version 1, ``acme-v2`` from version 2
    on; a stem that already carries a version (``acme-v2``) has it replaced."""
    base = _VERSION_SUFFIX.sub("", stem)
    return base if version == 1 else f"{base}-v{version}"


