# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""The company's business clock: opening hours, working days and public holidays.

Speed to lead and disposition deadlines are measured in business time.  Rather than walk
each lead through the calendar in Python, every day from the first to the last date in the
export gets one row in a small DuckDB table with the business minutes elapsed before it; the
business time between two instants is then the difference of two lookups, done for a million
leads in one join.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slabuilder.answers import WEEKDAYS, Company
from slabuilder.errors import AnswersError

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class BusinessClock:
    """Opening hours as minutes after midnight, working days as ISO numbers (Mon = 1)."""

    open_minute: int
    close_minute: int
    days: frozenset[int]
    holiday_country: str | None

    @property
    def minutes_per_day(self) -> int:
        return self.close_minute - self.open_minute

    @classmethod
    def of(cls, company: Company) -> BusinessClock:
        country = None if company.holidays == "none" else company.holidays
        return cls(company.day_start_minutes, company.day_end_minutes,
                   frozenset(WEEKDAYS.index(day) + 1 for day in company.business_days),
                   country)

    def holidays(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Public holidays between two dates (inclusive) in the company's country."""
        if self.holiday_country is None:
            return {}
        from slabuilder.holiday_codes import country_class

        country, _, subdivision = self.holiday_country.partition("-")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = country_class(country)(subdiv=subdivision or None,
                                               years=range(first.year, last.year + 1))
        except (NotImplementedError, AttributeError):
            raise AnswersError(f"{self.holiday_country!r} is not a country (or region) the "
                               "holidays calendar knows; use a code such as US, GB or DE, "
                               "or none", key="company.holidays") from None
        return {day: str(name) for day, name in found.items() if first <= day <= last}

    def is_business_day(self, day: dt.date, holidays: dict[dt.date, str]) -> bool:
        return day.isoweekday() in self.days and day not in holidays


def create_calendar(con: duckdb.DuckDBPyConnection, clock: BusinessClock,
                    first: dt.date, last: dt.date) -> None:
    """Create table ``cal(d, business, cum_before)`` covering ``first`` to ``last``."""
    holidays = clock.holidays(first, last)
    con.execute("CREATE OR REPLACE TEMP TABLE holiday (d DATE)")
    if holidays:
        con.executemany("INSERT INTO holiday VALUES (?)", [[day] for day in sorted(holidays)])
    days = ", ".join(str(day) for day in sorted(clock.days))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cal AS
        WITH days AS (
            SELECT CAST(range AS DATE) AS d FROM range(DATE '{first}', DATE '{last}' + 1,
                                                      INTERVAL 1 DAY)
        ), flagged AS (
            SELECT d, isodow(d) IN ({days}) AND d NOT IN (SELECT d FROM holiday) AS business
            FROM days
        )
        SELECT d, business,
               CAST(coalesce(sum(CASE WHEN business THEN {clock.minutes_per_day} ELSE 0 END)
                    OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    AS BIGINT) AS cum_before
        FROM flagged
    """)


def business_minutes_sql(ts: str, cal: str, clock: BusinessClock) -> str:
    """Business minutes from the calendar's start to timestamp ``ts`` (joined to ``cal``)."""
    minute = f"(hour({ts}) * 60 + minute({ts}) + second({ts}) / 60.0)"
    inside = (f"least(greatest({minute} - {clock.open_minute}, 0), "
              f"{clock.minutes_per_day})")
    return f"({cal}.cum_before + CASE WHEN {cal}.business THEN {inside} ELSE 0 END)"


def business_minutes_between(start: dt.datetime, end: dt.datetime, clock: BusinessClock,
                             holidays: dict[dt.date, str]) -> float:
    """The same measure in plain Python, for one pair (used for month ends and checks)."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.date()
    while day <= end.date():
        if clock.is_business_day(day, holidays):
            midnight = dt.datetime.combine(day, dt.time())
            opens = midnight + dt.timedelta(minutes=clock.open_minute)
            closes = midnight + dt.timedelta(minutes=clock.close_minute)
            span = min(closes, end) - max(opens, start)
            total += max(span.total_seconds() / 60, 0.0)
        day += dt.timedelta(days=1)
    return total
