"""The answers file: its pydantic model, strict loading and key-by-key error messages.

The model accepts the contract example unchanged and adds optional sections (scoring, sla,
routing, escalation, cadence, documents) whose defaults are the industry figures of the domain
brief.  Every model forbids unknown keys; a misspelt key is reported with the closest real one.
Rates are exact decimals between 0 and 1 (``60%`` or ``0.6``), money is an exact decimal
(``25000``, ``"25,000"``, ``"$25k"``), dates are ISO.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from slabuilder import words
from slabuilder.numbertext import (
    SPACE_BETWEEN_THOUSANDS,
    NumberTextError,
    as_written,
    read_number,
    written_once,
)
from slabuilder.signals import DEFAULT_THRESHOLD, FIT_SIGNALS, KNOWN_SIGNAL_IDS
from slabuilder.words import FIRST_YEAR, LAST_YEAR, STAGE_NAMES, Kind

# --------------------------------------------------------------------------- value types

MIN_RATE = Decimal("0.000001")
"""Smaller rates are typing slips (and would make the exact arithmetic needlessly huge)."""
_PERCENT = re.compile(r"^\s*([-+]?[\d.,]*\d)\s*%\s*$")


def parse_rate(value: Any) -> Decimal:
    """Read a rate written as ``60%``, ``"60 %"``, ``0.6`` or ``1`` into an exact decimal."""
    if isinstance(value, bool):
        raise ValueError("expected a rate such as 60% or 0.6, not yes/no")
    if isinstance(value, str):
        match = _PERCENT.match(value)
        try:
            rate = read_number(match.group(1)) / 100 if match else read_number(value)
        except NumberTextError as error:
            if error.ambiguous:
                raise
            raise ValueError(f"{value!r} is not a rate; write it as "
                             f"{as_written('60% or 0.6')}") from None
        if not match:
            if not rate.is_finite():
                raise ValueError(f"{value!r} is not a rate; write it as {as_written('60% or 0.6')}")
            if rate > 1:
                raise ValueError(_not_a_rate(value, rate))
    elif isinstance(value, int | Decimal | float):
        rate = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not rate.is_finite():
            raise ValueError(f"{value} is not a rate; write it as {as_written('60% or 0.6')}")
        if rate > 1:
            raise ValueError(_not_a_rate(value, rate))
    else:
        raise ValueError("expected a rate such as 60% or 0.6")
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise ValueError(f"{value} is outside 0% to 100%")
    if 0 < rate < MIN_RATE:
        raise ValueError(f"{value} is too small to be a rate; write it as a percentage, "
                         "such as 0.5%")
    return rate.normalize() if rate != 0 else Decimal(0)


def _not_a_rate(value: Any, rate: Decimal) -> str:
    if rate <= 100:
        return (f"{value} is not a rate; write {words.percent(rate / 100, None)} or "
                f"{words.exact(rate / 100)}")
    return (f"{value} is not a rate; a rate lies between 0% and 100%, such as "
            f"{as_written('60% or 0.6')}")


_MONEY = re.compile(
    r"^\s*(?P<sign>-)?\s*(?P<currency>[$€£¥]|[A-Z]{3}\s)?\s*"
    rf"(?P<number>\d(?:[\d,.]|{SPACE_BETWEEN_THOUSANDS}(?=\d{{3}}))*)\s*"  # 1 000 000
    r"(?P<suffix>[kKmMbB])?\s*(?P<after>[$€£¥])?\s*$")  # 25 000 €: the sign after
MAX_AMOUNT = Decimal(10) ** 13
_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def parse_money(value: Any) -> Decimal:
    """Read an amount written as ``25000``, ``"25,000"``, ``"$25k"`` or ``"1.2M"``."""
    if isinstance(value, bool):
        raise ValueError("expected an amount such as 25000 or $25k")
    if isinstance(value, int | Decimal):
        amount = written_once(Decimal(value))
    elif isinstance(value, float):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        match = _MONEY.match(value)
        refused = f"{value!r} is not an amount; write it as {as_written('25000, 25,000 or $25k')}"
        if not match:
            raise ValueError(refused)
        try:
            amount = read_number(match.group("number"))
        except NumberTextError as error:
            if error.ambiguous:
                raise
            raise ValueError(refused) from None
        if match.group("suffix"):
            amount *= _SUFFIX[match.group("suffix").lower()]
        if match.group("sign"):
            amount = -amount
    else:
        raise ValueError("expected an amount such as 25000 or $25k")
    if amount < 1:
        raise ValueError("the amount must be at least 1")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{value} is more than any plan needs; check the number of zeros")
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount




def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD) without a time")
    day = None
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value.strip())
    if day is None:
        raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD, for example "
                         "2027-01-01")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is outside the years slabuilder plans for "
                         f"({FIRST_YEAR} to {LAST_YEAR})")
    return day


def parse_multiple(value: Any) -> Decimal:
    """Read a coverage multiple written as ``3``, ``3.5`` or ``"3x"``."""
    if isinstance(value, str):
        value = value.strip().rstrip("xX").strip()
    try:
        number = (None if isinstance(value, bool) else read_number(value)
                  if isinstance(value, str) else written_once(Decimal(str(value))))
    except NumberTextError as error:
        if error.ambiguous:
            raise
        number = None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number <= 0:
        raise ValueError(f"{value!r} is not a multiple; write it as 3 or 3x")
    if number < Decimal("0.1") or number > 100:
        raise ValueError(f"{value} is not a sensible pipeline multiple; write it as 3 or 3x")
    return number


def _as_int(value: Any) -> Any:
    """Accept whole decimals such as ``4.0``; leave everything else for pydantic to judge."""
    if isinstance(value, Decimal):
        written_once(value)
        if not value.is_finite() or value.adjusted() > 15:
            raise ValueError(f"{value} is not a usable whole number")
        if value == value.to_integral_value():
            return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d[\d,.]*\s*", value):
        number = read_number(value)  # refuses 1,5 and 1.000 with both readings
        return int(number) if number == number.to_integral_value() else value
    return value


def _as_hours(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, Decimal):
        return written_once(value)
    if isinstance(value, str):
        text = value.strip().lower().removesuffix("hours").removesuffix("h").strip()
        try:
            return read_number(text)  # "0,5" is refused, never read as 5
        except NumberTextError as error:
            if error.ambiguous:
                raise
            return value
    return value


_RATE_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                          {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"}],
                "examples": ["60%", 0.6]}
_MONEY_SCHEMA = {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                           {"type": "string", "pattern": r"^\s*([$€£¥]|[A-Z]{3} )?\s*\d[\d,]*"
                                                         r"(\.\d+)?\s*[kKmMbB]?\s*$"}],
                 "examples": [25000, "25,000", "$25k"]}

@dataclass(frozen=True)
class Shown:
    """How a field's value is written (``words.by_kind``), carried in the field's type so
    that the field registry reads it instead of guessing from the field's name."""

    kind: Kind


Rate = Annotated[Decimal, BeforeValidator(parse_rate), WithJsonSchema(_RATE_SCHEMA),
                 Shown("rate")]
Money = Annotated[Decimal, BeforeValidator(parse_money), WithJsonSchema(_MONEY_SCHEMA),
                  Shown("money")]
IsoDate = Annotated[dt.date, BeforeValidator(parse_date),
                    WithJsonSchema({"type": "string", "format": "date"}), Shown("date")]
Multiple = Annotated[Decimal, BeforeValidator(parse_multiple),
                     WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                                               {"type": "string", "pattern": r"^\d+(\.\d+)?x$"}]}),
                     Shown("multiple")]
Count = Annotated[int, BeforeValidator(_as_int), Field(ge=0, le=1_000_000_000)]
PositiveCount = Annotated[int, BeforeValidator(_as_int), Field(ge=1, le=1_000_000_000)]
Hours = Annotated[Decimal, BeforeValidator(_as_hours), Field(ge=Decimal("0.01"), le=10_000),
                  WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
                  Shown("business_hours")]
"""A time limit in business hours: every limit on work people do runs on the business clock."""
WholeHours = Annotated[PositiveCount, Shown("business_hours")]
Days = Annotated[PositiveCount, Shown("days")]
BusinessDays = Annotated[PositiveCount, Shown("business_days")]
Minutes = Annotated[PositiveCount, Shown("minutes")]
MeetingMinutes = Annotated[Count, Shown("minutes")]
"""A meeting's length; 0 drops the meeting."""
MeetingHours = Annotated[Count, Shown("hours")]
Months = Annotated[PositiveCount, Shown("months")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              str_strip_whitespace=True)


# --------------------------------------------------------------------------- company

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WORKWEEK: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
_HOURS = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]?\d|2[0-4]):([0-5]\d)$")


def _clock_of(zone: str) -> tuple[Any, ...]:
    """What a zone's clocks read at the turns of this decade's seasons: zones that agree
    throughout are one clock under two names (America/Buenos_Aires is a link)."""
    from zoneinfo import ZoneInfo

    moments = [dt.datetime(year, month, 15, 12, tzinfo=dt.UTC) for year in range(2020, 2031)
               for month in (1, 4, 7, 10)]
    return tuple(moment.astimezone(ZoneInfo(zone)).utcoffset() for moment in moments)


def _zone_of_city(value: str) -> str:
    """``Berlin`` -> ``Europe/Berlin``: a city that names exactly one time zone is that zone
    (as the zone list offers it); anything else is refused with what to write."""
    from zoneinfo import available_timezones

    city = value.strip().replace(" ", "_").lower()
    found = sorted(zone for zone in available_timezones()
                   if "/" in zone and zone.rsplit("/", 1)[1].lower() == city)
    if len(found) > 1 and len({_clock_of(zone) for zone in found}) == 1:
        found = [max(found, key=len)]  # one clock under two names: the full name
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{value!r} could be {' or '.join(found)}; write the one you mean")
    raise ValueError(f"{value!r} is not a time zone; use a name such as America/New_York or "
                     "Europe/London")


def _weekday(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 3:
        short = value.strip()[:3].title()
        if short in WEEKDAYS:
            return short
    return value


class Company(_Section):
    name: Text = Field(title="Name")
    crm: Literal["hubspot", "salesforce", "other"] = Field("other", title="CRM")
    timezone: str = Field("UTC", title="Time zone")
    business_hours: str = Field("09:00-17:00", title="Business hours")
    business_days: list[Annotated[Weekday, BeforeValidator(_weekday)]] = Field(
        default_factory=lambda: list(WORKWEEK), min_length=1, title="Business days")
    holidays: str = Field("none", title="Public holidays")
    number_format: Literal["1,234.5", "1.234,5"] = Field(
        "1,234.5", title="How numbers are written")
    """A dot for decimals and commas between thousands, or the other way round: how every
    typed number of these answers is read (the documents always print 1,234.5)."""

    @property
    def crm_name(self) -> str:
        """The CRM as the documents name it: ``HubSpot``, ``Salesforce``, else ``the CRM``."""
        return {"hubspot": "HubSpot", "salesforce": "Salesforce"}.get(self.crm, "the CRM")

    @field_validator("crm", mode="before")
    @classmethod
    def _lower_crm(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return _zone_of_city(value)
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        match = _HOURS.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a range of hours; write it as 09:00-17:00")
        start = int(match.group(1)) * 60 + int(match.group(2))
        end = int(match.group(3)) * 60 + int(match.group(4))
        if end <= start:
            raise ValueError(f"{value!r} ends before it starts; write it as 09:00-17:00")
        return (f"{match.group(1).zfill(2)}:{match.group(2)}-"
                f"{match.group(3).zfill(2)}:{match.group(4)}")

    @field_validator("holidays")
    @classmethod
    def _holiday_code(cls, value: str) -> str:
        if value.lower() == "none":
            return "none"
        code = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,3})?", code):
            raise ValueError(f"{value!r} is not a country code; write one such as US, GB or DE, "
                             "or none")
        from slabuilder.holiday_codes import country_codes, subdivisions

        country, _, region = code.partition("-")
        if country not in country_codes():
            raise ValueError(f"no public-holiday calendar is known for {country!r}; use a "
                             "two-letter country code such as US or GB, or none")
        if region and region not in (regions := subdivisions(country)):
            raise ValueError(f"{region!r} is not a region of {country} with its own holidays; "
                             f"use {country} alone or one of " + ", ".join(regions[:8]))
        return code

    @property
    def day_start_minutes(self) -> int:
        start, _ = self.business_hours.split("-")
        return int(start[:2]) * 60 + int(start[3:])

    @property
    def day_end_minutes(self) -> int:
        _, end = self.business_hours.split("-")
        return int(end[:2]) * 60 + int(end[3:])

    @property
    def business_hours_per_day(self) -> Decimal:
        return Decimal(self.day_end_minutes - self.day_start_minutes) / 60


# --------------------------------------------------------------------------- agreement


class Person(_Section):
    name: Text = Field(title="Name")
    title: Text = Field(title="Title")


class Signatory(Person):
    side: Literal["marketing", "sales", "revops", "executive"] = Field(title="Side")


class Agreement(_Section):
    effective_date: IsoDate = Field(title="Effective date")
    review_cadence: Literal["monthly", "quarterly", "biannual", "annual"] = Field(
        "quarterly", title="Review cadence")
    owner: Person = Field(title="Owner")
    signatories: list[Signatory] = Field(min_length=1, title="Signatory")
    version: PositiveCount = Field(1, title="Version")
    title: Text = Field("Sales and Marketing Service Level Agreement", title="Title")


# --------------------------------------------------------------------------- ICP


class SizeRange(_Section):
    min: PositiveCount = Field(title="Minimum")
    max: PositiveCount | None = Field(None, title="Maximum")

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min}); swap them")
        return self


TextList = list[Annotated[Text, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]]


class Icp(_Section):
    company_size: SizeRange | None = Field(None, title="Company size")
    industries: TextList = Field(default_factory=list, title="Industries")
    geographies: TextList = Field(default_factory=list, title="Geographies")
    titles: TextList = Field(default_factory=list, title="Buying roles")
    disqualifiers: TextList = Field(default_factory=list, title="Disqualifiers")
    blank_fit_fields: Literal["pass", "fail"] = Field("pass", title="A blank fit field")
    """How ``score`` and ``calibrate`` treat a lead whose fit field (size, industry, country,
    title) is blank in an export: ``pass`` (unknown is not a reason to hold a lead back) or
    ``fail``."""

    def missing(self) -> list[str]:
        """The ICP answers an agreement cannot be signed without."""
        gaps = [f"icp.{name}" for name in ("industries", "geographies", "titles",
                                           "disqualifiers") if not getattr(self, name)]
        if self.company_size is None:
            gaps.insert(0, "icp.company_size")
        return gaps


# --------------------------------------------------------------------------- economics



class Economics(_Section):
    period: Literal["month", "quarter", "year"] = Field("quarter", title="Planning period")
    revenue_target: Money = Field(title="Revenue target")
    currency: str = Field("USD", title="Currency")
    average_deal_size: Money = Field(title="Average deal size")
    sales_cycle_days: Annotated[int, BeforeValidator(_as_int), Field(ge=0, le=1000),
                                Shown("days")] = Field(0, title="Sales cycle")
    pipeline_coverage: Multiple = Field(Decimal(3), title="Pipeline coverage")
    marketing_spend: Money | None = Field(None, title="Marketing spend")
    """Marketing's acquisition spend for the period; with sales_spend it gives the CAC."""
    sales_spend: Money | None = Field(None, title="Sales spend")

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(f"{value!r} is not a currency code; write three letters such as "
                             "USD, EUR or GBP")
        return code


# --------------------------------------------------------------------------- funnel

STAGES = tuple(STAGE_NAMES)
MIN_FUNNEL_RATE = Decimal("0.0001")
RATE_KEYS = tuple(f"{a}_to_{b}" for i, a in enumerate(STAGES) for b in STAGES[i + 1:])


class Funnel(_Section):
    """Conversion rates keyed ``<from>_to_<to>``; the set given must chain to ``won``."""

    lead_to_mql: Rate | None = Field(None, title="Lead to MQL rate")
    lead_to_sal: Rate | None = Field(None, title="Lead to SAL rate")
    lead_to_sql: Rate | None = Field(None, title="Lead to SQL rate")
    lead_to_opportunity: Rate | None = Field(None, title="Lead to Opportunity rate")
    lead_to_won: Rate | None = Field(None, title="Lead to Won rate")
    mql_to_sal: Rate | None = Field(None, title="MQL to SAL rate")
    mql_to_sql: Rate | None = Field(None, title="MQL to SQL rate")
    mql_to_opportunity: Rate | None = Field(None, title="MQL to Opportunity rate")
    mql_to_won: Rate | None = Field(None, title="MQL to Won rate")
    sal_to_sql: Rate | None = Field(None, title="SAL to SQL rate")
    sal_to_opportunity: Rate | None = Field(None, title="SAL to Opportunity rate")
    sal_to_won: Rate | None = Field(None, title="SAL to Won rate")
    sql_to_opportunity: Rate | None = Field(None, title="SQL to Opportunity rate")
    sql_to_won: Rate | None = Field(None, title="SQL to Won rate")
    opportunity_to_won: Rate | None = Field(None, title="Opportunity to Won rate")

    @field_validator(*RATE_KEYS)
    @classmethod
    def _moves_leads_on(cls, value: Decimal | None) -> Decimal | None:
        """A rate of the funnel must let leads through: said at the rate itself, so the
        interview refuses it at its question and a file's error names its key."""
        if value is not None and value == 0:
            raise ValueError("0% means no lead ever moves on from this stage, so no deal can "
                             "ever close; give the real rate")
        if value is not None and value < MIN_FUNNEL_RATE:
            raise ValueError("a rate below 0.01% is too small to plan with; write the rate "
                             "as a percentage, such as 0.5%")
        return value

    @model_validator(mode="after")
    def _one_chain(self) -> Funnel:
        self.chain()
        return self

    def rates(self) -> dict[str, Decimal]:
        return {key: value for key in RATE_KEYS if (value := getattr(self, key)) is not None}

    def chain(self) -> list[tuple[str, str, Decimal]]:
        """The rates as ``(from, to, rate)`` steps from the first stage to ``won``."""
        rates = self.rates()
        if not rates:
            raise ValueError("no conversion rates given; add for example mql_to_sql, "
                             "sql_to_opportunity and opportunity_to_won")
        steps: dict[str, tuple[str, Decimal]] = {}
        for key, value in rates.items():
            source, target = key.split("_to_")
            if source in steps:
                other = f"{source}_to_{steps[source][0]}"
                raise ValueError(f"{other} and {key} both start at {source}; keep one of them")
            steps[source] = (target, value)
        start = min(steps, key=STAGES.index)
        if start not in ("lead", "mql"):
            raise ValueError(f"the funnel starts at {start}; it must start at mql (or lead), "
                             f"for example mql_to_{start}")
        chain: list[tuple[str, str, Decimal]] = []
        stage = start
        while stage != "won":
            if stage not in steps:
                following = list(STAGES[STAGES.index(stage) + 1:])
                raise ValueError(f"the funnel stops at {stage}; add a rate from {stage} onward, "
                                 f"such as {stage}_to_{following[0]}")
            target, value = steps.pop(stage)
            chain.append((stage, target, value))
            stage = target
        if steps:
            stray = ", ".join(f"{s}_to_{t}" for s, (t, _) in steps.items())
            raise ValueError(f"{stray} is not on the chain to won; remove it or fill the gap")
        return chain

    def stages(self) -> list[str]:
        chain = self.chain()
        return [chain[0][0], *(target for _, target, _ in chain)]


# --------------------------------------------------------------------------- team and current state


class Team(_Section):
    sdrs: Count = Field(0, title="SDRs")
    aes: Count = Field(0, title="AEs")
    business_days_per_month: Annotated[int, BeforeValidator(_as_int), Field(ge=1, le=31)] = Field(
        21, title="Business days a month")
    max_touches_per_rep_per_day: PositiveCount = Field(
        60, title="Most touches a rep can make a day")
    after_hours_coverage: bool = Field(False, title="Cover outside business hours")


class CurrentState(_Section):
    mqls_per_month: Count | None = Field(None, title="MQLs a month today")
    worked_within_sla: Rate | None = Field(None, title="MQLs worked within the SLA today")
    main_conflict: Text | None = Field(None, title="Main conflict")
    main_problem: Literal["definition", "enforcement", "trust"] | None = Field(
        None, title="Main problem")
    starting_point: Literal["scratch", "rebuild"] | None = Field(None, title="Starting point")
    mql_definition: Text | None = Field(None, title="Today's MQL definition")
    current_sla: Text | None = Field(None, title="Today's service level")


# --------------------------------------------------------------------------- scoring


def _as_cell_text(value: Any) -> Any:
    """A value compared with a CSV cell: numbers and yes/no become the text they are."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float):
        return words.exact(value, trim=False)
    return value


def _as_bound(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value


CellText = Annotated[str, BeforeValidator(_as_cell_text), Field(min_length=1, max_length=500)]
Bound = Annotated[Decimal, BeforeValidator(_as_bound), WithJsonSchema({"type": "number"})]


class SignalCondition(_Section):
    """When a signal applies, as a test on one column of a lead export (so that a model can
    be checked, re-run and turned into CRM rules).  Text is compared ignoring case."""

    column: Text = Field(title="Column")
    equals: CellText | None = Field(None, title="Equals")
    one_of: list[CellText] | None = Field(None, title="One of")
    at_least: Bound | None = Field(None, title="At least")
    below: Bound | None = Field(None, title="Below")
    blank: bool = Field(False, title="Blank")
    """The signal also applies when the column is blank (alone: only when it is blank)."""

    @model_validator(mode="after")
    def _one_test(self) -> SignalCondition:
        text_tests = (self.equals is not None) + (self.one_of is not None)
        numeric = self.at_least is not None or self.below is not None
        if text_tests + numeric > 1 or (text_tests + numeric == 0 and not self.blank):
            raise ValueError("a condition needs its column and one test: equals, one_of, or "
                             "at_least and/or below (blank: true adds blank cells, or alone "
                             "tests for them)")
        if self.one_of is not None and not self.one_of:
            raise ValueError("one_of needs at least one value")
        if (self.at_least is not None and self.below is not None
                and self.below <= self.at_least):
            raise ValueError(f"below ({self.below}) must be more than at_least "
                             f"({self.at_least})")
        return self


class CustomSignal(_Section):
    label: Text = Field(title="Label")
    points: Annotated[int, BeforeValidator(_as_int), Field(ge=-100, le=100),
                      Shown("points")] = Field(title="Points")
    kind: Literal["fit", "behaviour", "negative"] = Field("behaviour", title="Kind")
    condition: SignalCondition | None = Field(None, title="Condition")


SignalOverride = (Annotated[int, BeforeValidator(_as_int), Field(ge=-100, le=100)]
                  | CustomSignal | None)


class Scoring(_Section):
    threshold: Annotated[int, BeforeValidator(_as_int),
                         Field(ge=1, le=1000)] = Field(DEFAULT_THRESHOLD, title="MQL threshold")
    signals: dict[str, SignalOverride] = Field(default_factory=dict, title="Signals")
    max_signals: PositiveCount = Field(15, title="Most signals in the model")
    score_cap: PositiveCount | None = Field(None, title="Score cap")

    @field_validator("signals")
    @classmethod
    def _known_or_described(cls, signals: dict[str, Any]) -> dict[str, Any]:
        for signal_id, change in signals.items():
            if signal_id in KNOWN_SIGNAL_IDS or isinstance(change, CustomSignal):
                continue
            close = difflib.get_close_matches(signal_id, KNOWN_SIGNAL_IDS, n=1)
            hint = (f"did you mean {close[0]}?" if close else
                    "to add a signal of your own give it as {label: ..., points: ...}")
            raise ValueError(f"{signal_id!r} is not a default signal; {hint}")
        return signals

    def fit_points(self) -> int:
        """The most a lead can score from fit points alone (0 in the default model, where
        fit is a filter and never points)."""
        fit_ids = {signal.id for signal in FIT_SIGNALS}
        total = 0
        for signal_id, change in self.signals.items():
            if isinstance(change, CustomSignal):
                total += change.points if change.kind == "fit" and change.points > 0 else 0
            elif signal_id in fit_ids and change is not None and change > 0:
                total += change
        return total

    @model_validator(mode="after")
    def _fit_never_qualifies_alone(self) -> Scoring:
        fit = self.fit_points()
        if fit and self.threshold <= fit:
            raise ValueError(
                f"fit points can give {fit} and the threshold is {self.threshold}, so a lead "
                "that fits and has done nothing would become an MQL; set scoring.threshold "
                f"above {fit}, or drop the fit points (fit is already a filter)")
        return self


# --------------------------------------------------------------------------- SLA terms


class MarketingTerms(_Section):
    mql_volume_per_month: PositiveCount | None = Field(
        None, title="MQL volume a month (set by hand)")
    acceptance_rate: Rate | None = Field(None, title="MQL acceptance")
    """None: the funnel's MQL-to-SAL rate where there is a SAL stage, else 60%."""
    scoring_accuracy: Rate = Field(Decimal("0.7"), title="Scoring accuracy")
    core_fields_complete: Rate = Field(Decimal(1), title="Name, e-mail and company filled in")
    extended_fields_complete: Rate = Field(Decimal("0.8"), title="Phone, title and size filled in")
    routing_minutes: Minutes = Field(60, title="Routing time")
    routing_minutes_automated: Minutes = Field(5, title="Routing time when automated")
    forecast_days: Days = Field(30, title="Volume forecast horizon")
    lead_to_mql_hours: Hours = Field(Decimal(1), title="Lead to MQL within")
    sourced_pipeline_share: Rate = Field(Decimal("0.4"),
                                         title="Marketing-sourced share of pipeline")
    influenced_revenue_share: Rate = Field(Decimal("0.6"),
                                           title="Marketing-influenced share of revenue")
    advocate_review_days: Days = Field(90, title="Review or referral asked after onboarding")
    objection_handling_days: BusinessDays = Field(5, title="Objection handling turnaround")
    battlecard_days: BusinessDays = Field(10, title="Battlecard turnaround")
    case_study_days: BusinessDays = Field(20, title="Case study turnaround")
    product_update_days: BusinessDays = Field(5, title="Product update positioning turnaround")
    event_support_days: BusinessDays = Field(15, title="Event support lead time")
    average_mql_score: PositiveCount | None = Field(None, title="Average score of the MQLs")
    """None: a fifth above the threshold, rounded up to a multiple of 5."""


Channel = Literal["phone", "email", "linkedin", "sms", "video"]
DEFAULT_CHANNELS: tuple[Channel, ...] = ("phone", "email")


class SalesTerms(_Section):
    speed_to_lead_hours: Hours = Field(Decimal(4), title="Speed to lead (demo and trial requests)")
    other_mql_hours: Hours = Field(Decimal(24), title="Speed to lead (other MQLs)")
    fast_tier_triggers: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=lambda: ["demo", "trial"], min_length=1, max_length=20,
        title="What puts an MQL in the fast tier")
    """What made a lead an MQL (its form or signal) that puts it in the fast tier: a trigger
    containing any of these words, in any case."""
    contact_attempts: PositiveCount = Field(6, title="Contact attempts")
    attempt_window_days: Days = Field(14, title="Contact attempt window")
    attempts_optimal_min: PositiveCount = Field(5, title="Fewest attempts that work best")
    attempts_optimal_max: PositiveCount = Field(7, title="Most attempts that work best")
    channels: list[Channel] = Field(default_factory=lambda: list(DEFAULT_CHANNELS),
                                    min_length=1, title="Contact channels")
    disposition_days: BusinessDays = Field(5, title="Disposition deadline")
    review_hours: Hours = Field(Decimal(24), title="Review deadline")
    win_loss_hours: Hours = Field(Decimal(48), title="Win/loss feedback deadline")
    crm_update: Literal["daily", "weekly"] = Field("weekly", title="CRM update frequency")
    sql_to_opportunity_days: BusinessDays = Field(5, title="SQL to opportunity within")

    @model_validator(mode="after")
    def _optimal_range(self) -> SalesTerms:
        if self.attempts_optimal_max < self.attempts_optimal_min:
            raise ValueError(f"attempts_optimal_max ({self.attempts_optimal_max}) is below "
                             f"attempts_optimal_min ({self.attempts_optimal_min})")
        return self


class Sla(_Section):
    marketing: MarketingTerms = Field(default_factory=MarketingTerms, title="Marketing")
    sales: SalesTerms = Field(default_factory=SalesTerms, title="Sales")


class RoutingRule(_Section):
    segment: Text = Field(title="Segment")
    route_to: Text = Field(title="Route to")
    method: Literal["round_robin", "territory", "skill", "account_based", "direct"] = Field(
        "direct", title="Routing method")


class Routing(_Section):
    method: Literal["round_robin", "territory", "skill", "account_based"] = Field(
        "round_robin", title="Routing method")
    automated: bool | None = Field(None, title="Automated")
    """None: automated where the CRM routes by itself (HubSpot, Salesforce)."""
    enterprise_min_employees: PositiveCount = Field(500, title="Enterprise from (employees)")
    smb_max_employees: PositiveCount = Field(49, title="Small business up to (employees)")
    rules: list[RoutingRule] | None = Field(None, title="Routing rule")


class Escalation(_Section):
    detected_by: Text = Field("RevOps or an automated alert", title="Breaches detected by")
    first_level: Text = Field("the team lead", title="First escalation to")
    first_hours: Hours = Field(Decimal(24), title="First escalation within")
    second_level: Text = Field("the VPs of Marketing and Sales", title="Second escalation to")
    second_hours: Hours = Field(Decimal(48), title="Second escalation within")
    quality_review_hours: Hours = Field(Decimal(48), title="Disputed MQL review within")
    shortfall_threshold: Rate = Field(
        Decimal("0.1"), title="Volume shortfall that triggers a recovery plan")
    low_conversion_rate: Rate = Field(Decimal("0.2"), title="Low conversion line (MQL to SQL)")
    rejection_rate: Rate = Field(Decimal("0.3"), title="Rejection line")
    late_touch_share: Rate = Field(Decimal("0.5"), title="Late first touches line")


class Handoff(_Section):
    notify_by: Literal["crm_task", "email", "slack"] = Field("crm_task", title="New MQL alert")


class Exceptions(_Section):
    decided_by: Text = Field(
        "the demand generation director with the sales team lead", title="Exceptions decided by")
    decision_hours: Hours = Field(Decimal(48), title="Exceptions decided within")


class Intent(_Section):
    sources: TextList = Field(default_factory=list, title="Sources")


class Cadence(_Section):
    daily_standup_minutes: MeetingMinutes = Field(15, title="Daily stand-up")
    weekly_review_minutes: MeetingMinutes = Field(30, title="Weekly review")
    monthly_review_minutes: MeetingMinutes = Field(60, title="Monthly review")
    quarterly_planning_hours: MeetingHours = Field(4, title="Quarterly planning")
    emergency_notice_hours: WholeHours = Field(48, title="Notice for an emergency review")
    agreement_review_months: Months = Field(6, title="Agreement reviewed at least every")


class Documents(_Section):
    page_size: Literal["a4", "letter"] | None = Field(None, title="Page size")

    @field_validator("page_size", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


# --------------------------------------------------------------------------- the whole file


class Answers(_Section):
    """One answers file: everything slabuilder needs to write the agreement."""

    format: Literal[1] = Field(1, title="Format")
    company: Company = Field(title="Company")
    agreement: Agreement = Field(title="Agreement")
    icp: Icp = Field(default_factory=Icp, title="Icp")
    economics: Economics = Field(title="Economics")
    funnel: Funnel = Field(title="Funnel")
    team: Team = Field(default_factory=Team, title="Team")
    current_state: CurrentState = Field(default_factory=CurrentState, title="Current state")
    scoring: Scoring = Field(default_factory=Scoring, title="Scoring")
    sla: Sla = Field(default_factory=Sla, title="Sla")
    routing: Routing = Field(default_factory=Routing, title="Routing")
    escalation: Escalation = Field(default_factory=Escalation, title="Escalation")
    handoff: Handoff = Field(default_factory=Handoff, title="Handoff")
    exceptions: Exceptions = Field(default_factory=Exceptions, title="Exceptions")
    intent: Intent = Field(default_factory=Intent, title="Intent")
    cadence: Cadence = Field(default_factory=Cadence, title="Cadence")
    documents: Documents = Field(default_factory=Documents, title="Documents")

    @property
    def page_size(self) -> Literal["a4", "letter"]:
        """Letter for the Americas (by the company's time zone), A4 elsewhere, unless set."""
        if self.documents.page_size:
            return self.documents.page_size
        return "letter" if self.company.timezone.startswith("America/") else "a4"

    @property
    def date_style(self) -> Literal["us", "international"]:
        """How the documents write dates: US style on letter paper (``April 1, 2027``),
        international on A4 (``1 April 2027``)."""
        return "us" if self.page_size == "letter" else "international"

    def fingerprint(self) -> str:
        """A short, stable digest of every answer, printed on each page of the documents."""
        data = self.model_dump(mode="json")
        default = _LATER_DEFAULTS
        for section, keys in default.items():
            part = data
            for name in section.split("."):
                part = part[name]
            for key, value in keys.items():
                if part.get(key) == value:
                    del part[key]
            if not part and "." not in section:
                del data[section]
        for signal in data.get("scoring", {}).get("signals", {}).values():
            condition = signal.get("condition") if isinstance(signal, dict) else None
            if isinstance(condition, dict) and condition.get("blank") is False:
                del condition["blank"]  # added later too, like the keys below
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


# Keys added after answers files were first signed: left at their defaults they are not part
# of the fingerprint, so that a file written before them keeps the fingerprint printed on
# its signed documents.
_LATER_DEFAULTS: dict[str, dict[str, Any]] = {
    "company": {"number_format": "1,234.5"},
    "economics": {"marketing_spend": None, "sales_spend": None},
    "current_state": {"mql_definition": None, "current_sla": None},
    "sla.marketing": {"lead_to_mql_hours": "1", "sourced_pipeline_share": "0.4",
                      "influenced_revenue_share": "0.6", "advocate_review_days": 90,
                      "product_update_days": 5, "event_support_days": 15,
                      "average_mql_score": None},
    "sla.sales": {"attempts_optimal_min": 5, "attempts_optimal_max": 7,
                  "sql_to_opportunity_days": 5},
    "escalation": {"low_conversion_rate": "0.2", "rejection_rate": "0.3",
                   "late_touch_share": "0.5"},
    "handoff": {"notify_by": "crm_task"},
    "icp": {"blank_fit_fields": "pass"},
    "exceptions": {"decided_by": "the demand generation director with the sales team lead",
                   "decision_hours": "48"},
    "intent": {"sources": []},
}
