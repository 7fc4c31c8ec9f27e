"""What :func:`slabuilder.actuals.compute_actuals` returns: typed, frozen figures.

Every figure the export cannot support is ``None`` ("not in export"), never zero.  Rates are
fractions rounded to four places, hours are business hours rounded to two places (attempts
per MQL to one).  :meth:`Actuals.to_dict` writes the JSON of ``slabuilder report --json``
(its keys and values are a public contract: change them only with a note in the README).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Actuals",
    "BreachesFile",
    "ConversionCount",
    "DqReason",
    "Exclusion",
    "ExportDescription",
    "Group",
    "MonthActuals",
    "ResponseBuckets",
    "Revenue",
    "RevenueLine",
    "TrendMonth",
    "Velocity",
    "Week",
]


@dataclass(frozen=True)
class ResponseBuckets:
    """The month's MQLs by business time to the first touch."""

    under_1h: int
    one_to_24h: int
    over_24h: int
    never: int

    @property
    def total(self) -> int:
        return self.under_1h + self.one_to_24h + self.over_24h + self.never

    def to_dict(self) -> dict[str, int]:
        return {"under_1h": self.under_1h, "1_to_24h": self.one_to_24h,
                "over_24h": self.over_24h, "never": self.never}


@dataclass(frozen=True)
class ConversionCount:
    """A cohort: the records at one stage in the month, and how many reached the next."""

    start: int
    reached: int

    def to_dict(self) -> dict[str, int]:
        return {"from": self.start, "reached": self.reached}


@dataclass(frozen=True)
class TierSpeed:
    """Speed to lead against one tier's limit.

    With the tiers known (the export says what made each lead an MQL) the figures cover that
    tier's MQLs; without, they cover every MQL, held to this limit."""

    tier: str
    """``fast`` or ``standard``."""
    label: str
    limit_hours: float
    mqls: int
    within: int
    share_within: float | None
    median_hours: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier, "label": self.label, "limit_hours": self.limit_hours,
                "mqls": self.mqls, "within": self.within, "share_within": self.share_within,
                "median_hours": self.median_hours}


@dataclass(frozen=True)
class MonthActuals:
    """One month's volumes, conversions, acceptance, speed, attempts and disposition."""

    key: str
    """``2027-01``."""
    label: str
    """``January 2027``."""
    mql: int | None
    sal: int | None
    sql: int | None
    opportunity: int | None
    won: int | None
    lost: int | None
    conversions: Mapping[str, float | None]
    """Cohort rates by rate key (``mql_to_sql``)."""
    conversion_counts: Mapping[str, ConversionCount | None]
    acceptance_rate: float | None
    mqls_dispositioned: int | None
    mqls_accepted: int | None
    speed_to_lead_median_hours: float | None
    speed_to_lead_p90_hours: float | None
    speed_to_lead_within_sla: float | None
    speed_to_lead_touched: int | None
    touched_before_mql: int | None
    response_buckets: ResponseBuckets | None
    attempts_average: float | None
    attempts_meeting_minimum: float | None
    attempts_unconverted_mqls: int | None
    disposition_within_deadline: float | None
    undispositioned_past_deadline: int | None
    no_attempt_after_72h: int | None
    speed_by_tier: tuple[TierSpeed, ...] | None = None
    tiers_known: bool | None = None
    """Whether each MQL's tier could be told from the export (``None``: no first touches)."""
    attempts_floor_share: float | None = None
    """Share of the month's MQLs with at least the framework floor of attempts (3)."""
    mql_average_score: float | None = None
    mqls_scored: int | None = None
    velocity: tuple[Velocity, ...] | None = None
    """Median business days between stages, over the leads that reached the later one."""
    sales_cycle_days: float | None = None
    """Median calendar days from SQL to won, over the deals won in the month."""
    sales_cycle_deals: int | None = None
    rejections: int | None = None
    """The month's MQLs that sales turned down, by their status."""
    core_fields_complete: float | None = None
    """Share of the month's MQLs with a name, an e-mail and a company."""
    extended_fields_complete: float | None = None
    """Share that also have a phone, a title and a company size."""
    rejections_with_reason: float | None = None
    """Their share that carry a reason ("not interested" is none)."""

    def volume(self, stage: str) -> int | None:
        """The month's count at ``stage`` (``mql`` ... ``lost``); ``None``: not in export."""
        value: int | None = getattr(self, stage)
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.key, "month_label": self.label,
            "mql": self.mql, "sal": self.sal, "sql": self.sql,
            "opportunity": self.opportunity, "won": self.won, "lost": self.lost,
            "conversions": dict(self.conversions),
            "conversion_counts": {key: None if count is None else count.to_dict()
                                  for key, count in self.conversion_counts.items()},
            "acceptance_rate": self.acceptance_rate,
            "mqls_dispositioned": self.mqls_dispositioned,
            "mqls_accepted": self.mqls_accepted,
            "speed_to_lead_median_hours": self.speed_to_lead_median_hours,
            "speed_to_lead_p90_hours": self.speed_to_lead_p90_hours,
            "speed_to_lead_within_sla": self.speed_to_lead_within_sla,
            "speed_to_lead_touched": self.speed_to_lead_touched,
            "touched_before_mql": self.touched_before_mql,
            "response_buckets": (None if self.response_buckets is None
                                 else self.response_buckets.to_dict()),
            "attempts_average": self.attempts_average,
            "attempts_meeting_minimum": self.attempts_meeting_minimum,
            "attempts_unconverted_mqls": self.attempts_unconverted_mqls,
            "disposition_within_deadline": self.disposition_within_deadline,
            "undispositioned_past_deadline": self.undispositioned_past_deadline,
            "no_attempt_after_72h": self.no_attempt_after_72h,
            "speed_by_tier": (None if self.speed_by_tier is None
                              else [tier.to_dict() for tier in self.speed_by_tier]),
            "tiers_known": self.tiers_known,
            "attempts_floor_share": self.attempts_floor_share,
            "mql_average_score": self.mql_average_score,
            "mqls_scored": self.mqls_scored,
            "velocity": (None if self.velocity is None
                         else [item.to_dict() for item in self.velocity]),
            "sales_cycle_days": self.sales_cycle_days,
            "sales_cycle_deals": self.sales_cycle_deals,
            "rejections": self.rejections,
            "rejections_with_reason": self.rejections_with_reason,
            "core_fields_complete": self.core_fields_complete,
            "extended_fields_complete": self.extended_fields_complete,
        }


@dataclass(frozen=True)
class Velocity:
    """How long leads took from one stage to the next, in business days."""

    key: str
    """The rate key of the step: ``mql_to_sql``, ``sql_to_opportunity``."""
    median_days: float | None
    leads: int
    """Leads that reached the later stage in the month with a date at the earlier one."""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "median_business_days": self.median_days,
                "leads": self.leads}


@dataclass(frozen=True)
class DqReason:
    reason: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "count": self.count}


@dataclass(frozen=True)
class Group:
    """The month's figures for one source, owner, company size or country."""

    name: str
    mql: int | None
    sql: int | None
    won: int | None
    mql_to_sql: float | None
    speed_to_lead_median_hours: float | None
    within_limit: float | None = None
    """Share of the group's MQLs touched within their own tier's limit (``None``: the
    export cannot tell)."""
    attempts_meeting_minimum: float | None = None
    """Share of the group's unconverted MQLs with the agreed attempts."""
    undispositioned_past_deadline: int | None = None
    """The group's MQLs still undecided past the disposition deadline."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mql": self.mql, "sql": self.sql, "won": self.won,
                "mql_to_sql": self.mql_to_sql,
                "speed_to_lead_median_hours": self.speed_to_lead_median_hours,
                "within_limit": self.within_limit,
                "attempts_meeting_minimum": self.attempts_meeting_minimum,
                "undispositioned_past_deadline": self.undispositioned_past_deadline}


@dataclass(frozen=True)
class RevenueLine:
    won: int
    amount: float | None
    """Bookings; ``None`` when the export has no amount."""

    def to_dict(self) -> dict[str, Any]:
        return {"won": self.won, "amount": self.amount}


@dataclass(frozen=True)
class Revenue:
    """The month's won deals by who sourced them."""

    marketing_sourced: RevenueLine
    sales_sourced: RevenueLine
    marketing_influenced: RevenueLine | None = None
    """No export says which deals marketing influenced."""

    def to_dict(self) -> dict[str, Any]:
        return {"marketing_sourced": self.marketing_sourced.to_dict(),
                "sales_sourced": self.sales_sourced.to_dict(),
                "marketing_influenced": (None if self.marketing_influenced is None
                                         else self.marketing_influenced.to_dict())}


@dataclass(frozen=True)
class Week:
    """One week (Monday to Sunday) that touches the month."""

    week_start: str
    label: str
    mql: int | None
    sal: int | None
    sql: int | None
    opportunity: int | None
    speed_to_lead_median_hours: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"week_start": self.week_start, "label": self.label, "mql": self.mql,
                "sal": self.sal, "sql": self.sql, "opportunity": self.opportunity,
                "speed_to_lead_median_hours": self.speed_to_lead_median_hours}


@dataclass(frozen=True)
class TrendMonth:
    month: str
    mql: int
    speed_to_lead_median_hours: float | None
    won: int | None = None
    """Deals won in the month (``None``: the export has no won date)."""

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, "mql": self.mql,
                "speed_to_lead_median_hours": self.speed_to_lead_median_hours,
                "won": self.won}


@dataclass(frozen=True)
class Exclusion:
    reason: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "rows": self.rows}


@dataclass(frozen=True)
class ExportDescription:
    """The file read: its format, encoding, columns, and the rows used and set aside."""

    file: str
    format: str
    encoding: str
    delimiter: str
    columns: Mapping[str, str]
    """Canonical column name -> the export's own column label."""
    tasks_file: str | None
    rows_read: int
    rows_used: int
    rows_excluded: int
    excluded: tuple[Exclusion, ...]
    first_date: str | None
    last_date: str | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "format": self.format, "encoding": self.encoding,
                "delimiter": self.delimiter, "columns": dict(self.columns),
                "tasks_file": self.tasks_file, "rows_read": self.rows_read,
                "rows_used": self.rows_used, "rows_excluded": self.rows_excluded,
                "excluded": [item.to_dict() for item in self.excluded],
                "first_date": self.first_date, "last_date": self.last_date,
                "notes": list(self.notes)}


@dataclass(frozen=True)
class BreachesFile:
    file: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows}


@dataclass(frozen=True)
class Actuals:
    """A month measured from a CRM export, with the month before it for comparison."""

    month: MonthActuals
    previous: MonthActuals | None
    """``None`` when the export holds no MQL in the previous month."""
    scoring_accuracy: float | None
    dq_reasons: tuple[DqReason, ...] | None
    by_source: tuple[Group, ...] | None
    by_owner: tuple[Group, ...] | None
    by_size: tuple[Group, ...] | None
    """By company size against the ICP's range (``None``: no size column)."""
    by_country: tuple[Group, ...] | None
    revenue: Revenue | None
    history: tuple[MonthActuals, ...]
    """Up to twelve months ending with ``month`` (oldest first), each measured as it is."""
    weeks: tuple[Week, ...]
    stalled_opportunities: int | None
    export: ExportDescription
    not_in_export: tuple[str, ...]
    """Canonical columns the export lacks."""
    breaches: BreachesFile | None = None

    @property
    def trend(self) -> tuple[TrendMonth, ...]:
        """MQLs, median speed to lead and deals won, month by month, from the first month
        with an MQL."""
        first = next((k for k, item in enumerate(self.history) if item.mql), len(self.history))
        return tuple(TrendMonth(item.key, item.mql or 0, item.speed_to_lead_median_hours,
                                item.won) for item in self.history[first:])

    def to_dict(self) -> dict[str, Any]:
        """The ``actuals`` of ``slabuilder report --json``."""
        result = self.month.to_dict()
        result["scoring_accuracy"] = self.scoring_accuracy
        result["dq_reasons"] = _listed(self.dq_reasons)
        result["by_source"] = _listed(self.by_source)
        result["by_owner"] = _listed(self.by_owner)
        result["by_size"] = _listed(self.by_size)
        result["by_country"] = _listed(self.by_country)
        result["revenue"] = None if self.revenue is None else self.revenue.to_dict()
        result["previous"] = None if self.previous is None else self.previous.to_dict()
        result["trend"] = [item.to_dict() for item in self.trend]
        result["history"] = [item.to_dict() for item in self.history]
        result["weeks"] = [item.to_dict() for item in self.weeks]
        result["stalled_opportunities"] = self.stalled_opportunities
        result["export"] = self.export.to_dict()
        result["not_in_export"] = list(self.not_in_export)
        if self.breaches is not None:
            result["breaches"] = self.breaches.to_dict()
        return result


def _listed(items: tuple[DqReason, ...] | tuple[Group, ...] | None) -> list[Any] | None:
    return None if items is None else [item.to_dict() for item in items]
