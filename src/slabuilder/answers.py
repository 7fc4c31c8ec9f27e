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
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from slabuilder import words
from slabuilder.errors import AnswersError
from slabuilder.keypath import KeyPath, KeyPathError, data_path, format_path, set_path
from slabuilder.numbertext import NumberTextError, read_number, written_once
from slabuilder.signals import DEFAULT_THRESHOLD, FIT_SIGNALS, KNOWN_SIGNAL_IDS
from slabuilder.textclean import CONTROL_IN_TEXT
from slabuilder.words import FIRST_YEAR, LAST_YEAR, STAGE_NAMES
from slabuilder.yamlio import YamlDocument, read_yaml_file

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
            raise ValueError(f"{value!r} is not a rate; write it as 60% or 0.6") from None
        if not match:
            if not rate.is_finite():
                raise ValueError(f"{value!r} is not a rate; write it as 60% or 0.6")
            if rate > 1:
                raise ValueError(_not_a_rate(value, rate))
    elif isinstance(value, int | Decimal | float):
        rate = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not rate.is_finite():
            raise ValueError(f"{value} is not a rate; write it as 60% or 0.6")
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
    return f"{value} is not a rate; a rate lies between 0% and 100%, such as 60% or 0.6"


_MONEY = re.compile(
    r"^\s*(?P<sign>-)?\s*(?P<currency>[$€£¥]|[A-Z]{3}\s)?\s*(?P<number>\d[\d,.]*)\s*"
    r"(?P<suffix>[kKmMbB])?\s*$")
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
        refused = f"{value!r} is not an amount; write it as 25000, 25,000 or $25k"
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

Rate = Annotated[Decimal, BeforeValidator(parse_rate), WithJsonSchema(_RATE_SCHEMA)]
Money = Annotated[Decimal, BeforeValidator(parse_money), WithJsonSchema(_MONEY_SCHEMA)]
IsoDate = Annotated[dt.date, BeforeValidator(parse_date),
                    WithJsonSchema({"type": "string", "format": "date"})]
Multiple = Annotated[Decimal, BeforeValidator(parse_multiple),
                     WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                                               {"type": "string", "pattern": r"^\d+(\.\d+)?x$"}]})]
Count = Annotated[int, BeforeValidator(_as_int), Field(ge=0, le=1_000_000_000)]
PositiveCount = Annotated[int, BeforeValidator(_as_int), Field(ge=1, le=1_000_000_000)]
Hours = Annotated[Decimal, BeforeValidator(_as_hours), Field(ge=Decimal("0.01"), le=10_000),
                  WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              str_strip_whitespace=True)


# --------------------------------------------------------------------------- company

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WORKWEEK: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)$")


def _weekday(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 3:
        short = value.strip()[:3].title()
        if short in WEEKDAYS:
            return short
    return value


class Company(_Section):
    name: Text
    crm: Literal["hubspot", "salesforce", "other"] = "other"
    timezone: str = "UTC"
    business_hours: str = "09:00-17:00"
    business_days: list[Annotated[Weekday, BeforeValidator(_weekday)]] = Field(
        default_factory=lambda: list(WORKWEEK), min_length=1)
    holidays: str = "none"

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
            raise ValueError(f"{value!r} is not a time zone; use a name such as "
                             "America/New_York or Europe/London") from None
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
        return f"{match.group(1)}:{match.group(2)}-{match.group(3)}:{match.group(4)}"

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
    name: Text
    title: Text


class Signatory(Person):
    side: Literal["marketing", "sales", "revops", "executive"]


class Agreement(_Section):
    effective_date: IsoDate
    review_cadence: Literal["monthly", "quarterly", "biannual", "annual"] = "quarterly"
    owner: Person
    signatories: list[Signatory] = Field(min_length=1)
    version: PositiveCount = 1
    title: Text = "Sales and Marketing Service Level Agreement"


# --------------------------------------------------------------------------- ICP


class SizeRange(_Section):
    min: PositiveCount
    max: PositiveCount | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min}); swap them")
        return self


TextList = list[Annotated[Text, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]]


class Icp(_Section):
    company_size: SizeRange | None = None
    industries: TextList = Field(default_factory=list)
    geographies: TextList = Field(default_factory=list)
    titles: TextList = Field(default_factory=list)
    disqualifiers: TextList = Field(default_factory=list)
    blank_fit_fields: Literal["pass", "fail"] = "pass"
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
    period: Literal["month", "quarter", "year"] = "quarter"
    revenue_target: Money
    currency: str = "USD"
    average_deal_size: Money
    sales_cycle_days: Annotated[int, BeforeValidator(_as_int), Field(ge=0, le=1000)] = 0
    pipeline_coverage: Multiple = Decimal(3)
    marketing_spend: Money | None = None
    """Marketing's acquisition spend for the period; with sales_spend it gives the CAC."""
    sales_spend: Money | None = None

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

    lead_to_mql: Rate | None = None
    lead_to_sal: Rate | None = None
    lead_to_sql: Rate | None = None
    lead_to_opportunity: Rate | None = None
    lead_to_won: Rate | None = None
    mql_to_sal: Rate | None = None
    mql_to_sql: Rate | None = None
    mql_to_opportunity: Rate | None = None
    mql_to_won: Rate | None = None
    sal_to_sql: Rate | None = None
    sal_to_opportunity: Rate | None = None
    sal_to_won: Rate | None = None
    sql_to_opportunity: Rate | None = None
    sql_to_won: Rate | None = None
    opportunity_to_won: Rate | None = None

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
        for key, value in rates.items():
            if value == 0:
                raise ValueError(f"{key} is 0%, so no deal can ever close; give the real rate")
            if value < MIN_FUNNEL_RATE:
                raise ValueError(f"{key} is below 0.01%, too small to plan with; write the "
                                 "rate as a percentage, such as 0.5%")
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
    sdrs: Count = 0
    aes: Count = 0
    business_days_per_month: Annotated[int, BeforeValidator(_as_int), Field(ge=1, le=31)] = 21
    max_touches_per_rep_per_day: PositiveCount = 60
    after_hours_coverage: bool = False


class CurrentState(_Section):
    mqls_per_month: Count | None = None
    worked_within_sla: Rate | None = None
    main_conflict: Text | None = None
    main_problem: Literal["definition", "enforcement", "trust"] | None = None
    starting_point: Literal["scratch", "rebuild"] | None = None


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

    column: Text
    equals: CellText | None = None
    one_of: list[CellText] | None = None
    at_least: Bound | None = None
    below: Bound | None = None
    blank: bool = False
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
    label: Text
    points: Annotated[int, BeforeValidator(_as_int), Field(ge=-100, le=100)]
    kind: Literal["fit", "behaviour", "negative"] = "behaviour"
    condition: SignalCondition | None = None


SignalOverride = (Annotated[int, BeforeValidator(_as_int), Field(ge=-100, le=100)]
                  | CustomSignal | None)


class Scoring(_Section):
    threshold: Annotated[int, BeforeValidator(_as_int),
                         Field(ge=1, le=1000)] = DEFAULT_THRESHOLD
    signals: dict[str, SignalOverride] = Field(default_factory=dict)
    max_signals: PositiveCount = 15
    score_cap: PositiveCount | None = None

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
    mql_volume_per_month: PositiveCount | None = None
    acceptance_rate: Rate | None = None
    """None: the funnel's MQL-to-SAL rate where there is a SAL stage, else 60%."""
    scoring_accuracy: Rate = Decimal("0.7")
    core_fields_complete: Rate = Decimal(1)
    extended_fields_complete: Rate = Decimal("0.8")
    routing_minutes: PositiveCount = 60
    routing_minutes_automated: PositiveCount = 5
    forecast_days: PositiveCount = 30
    lead_to_mql_hours: Hours = Decimal(1)
    sourced_pipeline_share: Rate = Decimal("0.4")
    influenced_revenue_share: Rate = Decimal("0.6")
    advocate_review_days: PositiveCount = 90
    objection_handling_days: PositiveCount = 5
    battlecard_days: PositiveCount = 10
    case_study_days: PositiveCount = 20


Channel = Literal["phone", "email", "linkedin", "sms", "video"]
DEFAULT_CHANNELS: tuple[Channel, ...] = ("phone", "email")


class SalesTerms(_Section):
    speed_to_lead_hours: Hours = Decimal(4)
    other_mql_hours: Hours = Decimal(24)
    fast_tier_triggers: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=lambda: ["demo", "trial"], min_length=1, max_length=20)
    """What made a lead an MQL (its form or signal) that puts it in the fast tier: a trigger
    containing any of these words, in any case."""
    contact_attempts: PositiveCount = 6
    attempt_window_days: PositiveCount = 14
    attempts_optimal_min: PositiveCount = 5
    attempts_optimal_max: PositiveCount = 7
    channels: list[Channel] = Field(default_factory=lambda: list(DEFAULT_CHANNELS),
                                    min_length=1)
    disposition_days: PositiveCount = 5
    review_hours: Hours = Decimal(24)
    win_loss_hours: Hours = Decimal(48)
    crm_update: Literal["daily", "weekly"] = "weekly"
    sql_to_opportunity_days: PositiveCount = 5

    @model_validator(mode="after")
    def _optimal_range(self) -> SalesTerms:
        if self.attempts_optimal_max < self.attempts_optimal_min:
            raise ValueError(f"attempts_optimal_max ({self.attempts_optimal_max}) is below "
                             f"attempts_optimal_min ({self.attempts_optimal_min})")
        return self


class Sla(_Section):
    marketing: MarketingTerms = Field(default_factory=MarketingTerms)
    sales: SalesTerms = Field(default_factory=SalesTerms)


class RoutingRule(_Section):
    segment: Text
    route_to: Text
    method: Literal["round_robin", "territory", "skill", "account_based", "direct"] = "direct"


class Routing(_Section):
    method: Literal["round_robin", "territory", "skill", "account_based"] = "round_robin"
    automated: bool | None = None
    """None: automated where the CRM routes by itself (HubSpot, Salesforce)."""
    enterprise_min_employees: PositiveCount = 500
    smb_max_employees: PositiveCount = 49
    rules: list[RoutingRule] | None = None


class Escalation(_Section):
    detected_by: Text = "RevOps or an automated alert"
    first_level: Text = "the team lead"
    first_hours: Hours = Decimal(24)
    second_level: Text = "the VPs of Marketing and Sales"
    second_hours: Hours = Decimal(48)
    quality_review_hours: Hours = Decimal(48)
    shortfall_threshold: Rate = Decimal("0.1")
    low_conversion_rate: Rate = Decimal("0.2")
    rejection_rate: Rate = Decimal("0.3")
    late_touch_share: Rate = Decimal("0.5")


class Handoff(_Section):
    notify_by: Literal["crm_task", "email", "slack"] = "crm_task"


class Exceptions(_Section):
    decided_by: Text = "the demand generation director with the sales team lead"
    decision_hours: Hours = Decimal(48)


class Intent(_Section):
    sources: TextList = Field(default_factory=list)


class Cadence(_Section):
    daily_standup_minutes: Count = 15
    weekly_review_minutes: Count = 30
    monthly_review_minutes: Count = 60
    quarterly_planning_hours: Count = 4
    emergency_notice_hours: PositiveCount = 48
    agreement_review_months: PositiveCount = 6


class Documents(_Section):
    page_size: Literal["a4", "letter"] | None = None

    @field_validator("page_size", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


# --------------------------------------------------------------------------- the whole file


class Answers(_Section):
    """One answers file: everything slabuilder needs to write the agreement."""

    format: Literal[1] = 1
    company: Company
    agreement: Agreement
    icp: Icp = Field(default_factory=Icp)
    economics: Economics
    funnel: Funnel
    team: Team = Field(default_factory=Team)
    current_state: CurrentState = Field(default_factory=CurrentState)
    scoring: Scoring = Field(default_factory=Scoring)
    sla: Sla = Field(default_factory=Sla)
    routing: Routing = Field(default_factory=Routing)
    escalation: Escalation = Field(default_factory=Escalation)
    handoff: Handoff = Field(default_factory=Handoff)
    exceptions: Exceptions = Field(default_factory=Exceptions)
    intent: Intent = Field(default_factory=Intent)
    cadence: Cadence = Field(default_factory=Cadence)
    documents: Documents = Field(default_factory=Documents)

    @property
    def page_size(self) -> Literal["a4", "letter"]:
        """Letter for the Americas (by the company's time zone), A4 elsewhere, unless set."""
        if self.documents.page_size:
            return self.documents.page_size
        return "letter" if self.company.timezone.startswith("America/") else "a4"

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
    "economics": {"marketing_spend": None, "sales_spend": None},
    "sla.marketing": {"lead_to_mql_hours": "1", "sourced_pipeline_share": "0.4",
                      "influenced_revenue_share": "0.6", "advocate_review_days": 90},
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


# --------------------------------------------------------------------------- loading


def _model_names(model: type[BaseModel]) -> set[str]:
    names = {model.__name__}
    for sub in model.__subclasses__():
        names |= _model_names(sub)
    return names


_MODEL_NAMES = _model_names(_Section)

_FRIENDLY = {
    "missing": "is missing; add it (see `slabuilder schema` or the README)",
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "bool_type": "should be true or false",
    "list_type": "should be a list, such as [A, B]",
    "model_type": "should be a group of keys (a mapping)",
    "dict_type": "should be a group of keys (a mapping)",
    "too_short": "needs at least one entry",
    "string_too_short": "is empty; fill it in",
}


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that owns keys at ``path`` (for suggesting a misspelt key)."""
    model: Any = Answers
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        field = fields.get(part) if isinstance(fields, dict) else None
        if field is None:
            return None
        model = _unwrap_model(field.annotation)
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: str) -> bool:
    return "[" in part or "function-" in part or part in _MODEL_NAMES


def _describe(error: Any, data: Any = None) -> tuple[KeyPath, str]:
    loc = data_path(tuple(error["loc"]), data, _is_union_tag)
    kind = error["type"]
    if kind == "extra_forbidden" and loc:
        parent, key = loc[:-1], str(loc[-1])
        model = _model_at(parent)
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(key, list(model.model_fields), n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean {close[0]}?"
            else:
                hint = "; allowed here: " + ", ".join(model.model_fields)
        return loc, f"unknown key{hint}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return loc, f"{error['input']!r} is not one of the choices: {expected}"
    if kind in _FRIENDLY:
        return loc, _FRIENDLY[kind]
    bounds = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"),
              "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds:
        side, name = bounds[kind]
        limit = error.get("ctx", {}).get(name)
        # pydantic passes a Decimal bound as its repr, "Decimal('0.01')"
        shown = words.count(limit) if isinstance(limit, int) else re.sub(
            r"^Decimal\('(.*)'\)$", r"\1", str(limit))
        return loc, f"{error['input']} is too {'large' if 'l' in name else 'small'}; " \
                    f"it should be {side} {shown}"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return loc, message


def _union_member(loc: tuple[Any, ...]) -> str | None:
    """The union member an error belongs to (``CustomSignal``, ``function-after[...]``)."""
    for part in loc:
        if isinstance(part, str) and (part in _MODEL_NAMES or "[" in part
                                      or part.startswith("function-")):
            return part
    return None


def validation_messages(error: ValidationError,
                        data: Any = None) -> list[tuple[KeyPath, str]]:
    """One message per key; of a union's members only the one the value was written for.

    pydantic reports every member of ``int | CustomSignal`` that failed; a reader wants to
    hear about the number when they wrote a number and about the mapping when they wrote one.
    """
    messages: dict[KeyPath, str] = {}
    for item in error.errors():
        member = _union_member(item["loc"])
        if member in _MODEL_NAMES and item["type"] == "model_type":
            continue  # a plain value was written: the mapping form is not what they meant
        if member is not None and member not in _MODEL_NAMES and isinstance(
                item.get("input"), dict):
            continue  # a mapping was written: the plain-value form is not what they meant
        path, message = _describe(item, data)
        messages.setdefault(path, message)
    # A misspelt key explains the "missing" key beside it: it leads.
    return sorted(messages.items(), key=lambda item: not item[1].startswith("unknown key"))


def _problems(error: ValidationError, source: str, document: YamlDocument | None,
              settings: Sequence[str], data: Any = None) -> list[AnswersError]:
    """Each problem as an error naming where it came from: the file's line, or ``--set``."""
    overridden = [setting.partition("=")[0].strip() for setting in settings]
    found = []
    for path, message in validation_messages(error, data):
        key = format_path(path)
        if any(key == given or key.startswith((given + ".", given + "["))
               or given.startswith((key + ".", key + "[")) for given in overridden):
            found.append(AnswersError(message, file="--set", key=key or None))
        else:
            line = document.line_of(path) if document else None
            found.append(AnswersError(message, file=source, line=line, key=key or None))
    return found


def answers_from_data(data: Any, source: str = "answers",
                      document: YamlDocument | None = None,
                      settings: Sequence[str] = ()) -> Answers:
    """Validate already-parsed data; errors name ``source``, the key path and its line (or
    ``--set`` for a value that came from the command line)."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise AnswersError("the file holds " + kind + ", not the sections of an answers file "
                           "(company:, agreement:, ...); see `slabuilder example`", file=source)
    _check_keys_and_text(data, source, document, settings)
    try:
        return Answers.model_validate(data)
    except ValidationError as error:
        problems = _problems(error, source, document, settings, data)
        first = problems[0]
        if len(problems) > 1:
            first.message += (f" (and {len(problems) - 1} more problem"
                              f"{'s' * (len(problems) > 2)}: `slabuilder check` lists them)")
        raise first from None


def load_answers(path: str | Path, settings: Sequence[str] = ()) -> Answers:
    """Read, check and validate an answers file, with ``key.path=value`` changes applied."""
    document = read_yaml_file(Path(path), what="answers file")
    data = document.data
    if settings and isinstance(data, dict):
        data = apply_settings(data, list(settings))
    return answers_from_data(data, document.source, document, settings)


def check_answers(path: str | Path,
                  settings: Sequence[str] = ()) -> tuple[Answers | None, list[str]]:
    """The answers of a valid file and no problems, or None and every problem, one line
    each: what :func:`load_answers` would return, without reading the file twice."""
    from slabuilder.errors import SlabuilderError

    try:
        document = read_yaml_file(Path(path), what="answers file")
        data = document.data
        if not isinstance(data, dict):
            answers_from_data(data, document.source, document)
        data = apply_settings(data, list(settings)) if settings else data
    except SlabuilderError as error:
        return None, [str(error)]
    try:
        _check_keys_and_text(data, document.source, document, settings)
        return Answers.model_validate(data), []
    except SlabuilderError as error:
        return None, [str(error)]
    except ValidationError as error:
        return None, [str(problem) for problem in _problems(error, document.source, document,
                                                            settings, data)]


# Control characters in an answer would reach the terminal (escape sequences), the HTML and
# the PDF's metadata (NUL); tab and line feed are kept in values, where text may be long.
_CONTROL_IN_VALUE = CONTROL_IN_TEXT
_CONTROL_IN_KEY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_keys_and_text(data: Any, source: str, document: YamlDocument | None,
                         settings: Sequence[str], path: KeyPath = ()) -> None:
    """Refuse keys that are not words (a date, a number) and text holding control
    characters, naming the key, before the model sees them."""
    from slabuilder.textclean import printable

    def fail(message: str, where: KeyPath) -> None:
        key = format_path(where) or None
        given = [s.partition("=")[0].strip() for s in settings]
        if key is not None and any(key == g or key.startswith((g + ".", g + "["))
                                   for g in given):
            raise AnswersError(message, file="--set", key=key)
        line = document.line_of(where) if document else None
        raise AnswersError(message, file=source, line=line, key=key)

    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                shown = key.isoformat() if isinstance(key, dt.date) else str(key)
                fail(f"the key {shown} is not a word; keys are names such as mql_to_sql "
                     "(check the indentation: a value may have slipped into the keys)", path)
            found = _CONTROL_IN_KEY.search(key)
            if found:
                fail(f"the key {printable(key)!r} holds a control character "
                     f"({words.code_point(found.group())}); delete it", path)
            _check_keys_and_text(value, source, document, settings, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _check_keys_and_text(item, source, document, settings, (*path, index))
    elif isinstance(data, str):
        found = _CONTROL_IN_VALUE.search(data)
        if found:
            fail(f"holds a control character ({words.code_point(found.group())}); delete it "
                 "(only tabs and line breaks are allowed in text)", path)


# --------------------------------------------------------------------------- --set overrides


def apply_settings(data: dict[str, Any], settings: list[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` strings (values read as YAML scalars) to a copy of ``data``."""
    import copy

    from slabuilder.yamlio import parse_scalar

    result = copy.deepcopy(data)
    for setting in settings:
        if "=" not in setting:
            raise AnswersError(f"{setting!r} has no value; write key.path=value, for example "
                               "funnel.mql_to_sql=55%", file="--set")
        key, _, raw = setting.partition("=")
        try:
            set_path(result, key.strip(), parse_scalar(raw), strict=True)
        except KeyPathError as error:
            raise AnswersError(str(error), file="--set") from None
    return result


# --------------------------------------------------------------------------- saving

SECTION_NOTES: dict[str, str] = {
    "format": "Version of this file's layout; leave it at 1.",
    "company": "Who the agreement is for, and the clock every time limit runs on.",
    "agreement": "When it takes effect, how often it is reviewed, and who signs.",
    "icp": "Ideal customer profile: which companies and roles marketing brings to sales.\n"
           "No signable agreement is rendered until this section is complete.",
    "economics": "Revenue goal for one planning period; the MQL targets are worked back from it.",
    "funnel": "Conversion rates between stages, as 60% or 0.6, ending at won.\n"
              "Your own CRM history beats any published benchmark.",
    "team": "Who works the leads; used to check that the terms can be met.",
    "current_state": "Where you are today; used in the design brief and the warnings.",
    "scoring": "Lead scoring: the MQL threshold and changes to the default points table.",
    "sla": "The commitments of each side; anything left out takes the standard term.",
    "routing": "Who receives which MQLs.",
    "escalation": "What happens, and how fast, when a term is broken.",
    "cadence": "The meetings that keep the agreement alive (minutes; 0 drops a meeting).",
    "documents": "How the documents are printed.",
}


def _is_rate_field(annotation: Any) -> bool:
    return "parse_rate" in repr(annotation)


def _plain_section(model: BaseModel) -> dict[str, Any]:
    """The keys the user set, with rates as ``60%`` and amounts as plain numbers."""
    result: dict[str, Any] = {}
    for name in model.model_fields_set:
        if name not in type(model).model_fields:
            continue
        value = getattr(model, name)
        annotation = type(model).model_fields[name].annotation
        result[name] = _plain_value(value, _is_rate_field(annotation))
    order = list(type(model).model_fields)
    return {key: result[key] for key in sorted(result, key=order.index)}


def _plain_value(value: Any, is_rate: bool) -> Any:
    if isinstance(value, BaseModel):
        return _plain_section(value)
    if isinstance(value, list):
        return [_plain_value(item, is_rate) for item in value]
    if isinstance(value, dict):
        return {key: _plain_value(item, is_rate) for key, item in value.items()}
    if isinstance(value, Decimal):
        if is_rate:
            return words.exact(value * 100) + "%"
        if value == value.to_integral_value():
            return int(value)
        return words.exact(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


class _FlowDict(dict[str, Any]):
    pass


class _FlowList(list[Any]):
    pass


_Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=True))


def _flow_leaves(value: Any, depth: int = 0) -> Any:
    """Short groups of plain values on one line (``[Mon, Tue]``), sections as blocks."""
    if isinstance(value, dict):
        inner = {key: _flow_leaves(item, depth + 1) for key, item in value.items()}
        leaf = all(not isinstance(item, dict | list) for item in value.values())
        return _FlowDict(inner) if leaf and depth > 0 and value else inner
    if isinstance(value, list):
        items = [_flow_leaves(item, depth + 1) for item in value]
        leaf = all(not isinstance(item, dict | list) for item in value)
        return _FlowList(items) if leaf else items
    return value


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=88).rstrip()


def dump_answers(answers: Answers | dict[str, Any]) -> str:
    """The answers as a commented, hand-editable YAML file (only the keys that were given)."""
    model = answers if isinstance(answers, Answers) else Answers.model_validate(answers)
    data = _plain_section(model)
    out = ["# slabuilder answers file. Edit it freely, then check it with",
           "# `slabuilder check FILE`; `slabuilder schema` describes every key.", ""]
    for section, content in data.items():
        out.extend(f"# {note}" for note in SECTION_NOTES.get(section, "").splitlines())
        out.append(_dump({section: _flow_leaves(content)}))
        out.append("")
    return "\n".join(out)


def save_answers(answers: Answers | dict[str, Any], path: str | Path, *,
                 force: bool = False) -> Answers:
    """Validate, then write the commented file atomically; refuses to overwrite unless forced."""
    from slabuilder.fsutil import write_atomic

    target = Path(path)
    model = (answers if isinstance(answers, Answers)
             else answers_from_data(answers, str(target)))
    text = dump_answers(model)
    write_atomic(target, text, force=force)
    return model
