# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""The month's figures, computed by DuckDB over the ``funnel`` table.

Counting rule: an event counts in the month it happened, in the company's local time.
Conversions follow a cohort: of the records that reached one stage in the month, the share
that reached the next stage (or any later one) by the time of the export, so a rate can never
exceed 100%.  Acceptance and scoring accuracy follow the agreement's own definitions: over
the month's MQLs that have been dispositioned.
Every figure the export cannot support is ``None`` ("not in export"), never zero.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.actuals.calendar import BusinessClock
from slabuilder.actuals.columns import CORE_FIELDS, EXTENDED_FIELDS
from slabuilder.actuals.model import (
    DqReason,
    Group,
    ResponseBuckets,
    Revenue,
    RevenueLine,
    TierSpeed,
    Velocity,
    Week,
)
from slabuilder.actuals.timestamps import quote_literal as _literal
from slabuilder.words import week_label

if TYPE_CHECKING:
    import duckdb

FUNNEL_STAGES = ("mql", "sal", "sql", "opportunity", "won")
STAGE_COLUMN = {"mql": "mql_at", "sal": "sal_at", "sql": "sql_at",
                "opportunity": "opportunity_at", "won": "won_at", "lost": "lost_at"}
# Lead statuses that mean nobody has decided yet what to do with the lead.
OPEN_STATUSES = ("", "new", "open", "in progress", "attempted to contact", "attempting",
                 "connected", "working", "working - contacted", "open - not contacted",
                 "contacted", "not contacted")
ATTEMPTING_STATUSES = ("attempting", "attempted to contact")
"""Lead statuses that mean sales is still making its attempts on a lead it has not reached."""
REJECTED_STATUSES = ("disqualif", "unqualif", "reject")
"""Words of a lead status that mean sales turned the MQL down."""
NO_REASON = ("not interested",)
"""A rejection reason the agreement does not accept as one."""
SALES_SOURCED = ("outbound", "sales", "prospect", "cold", "sdr", "bdr", "offline", "event")


@dataclass(frozen=True)
class Month:
    key: str
    """``2027-03``."""
    start: dt.date
    end: dt.date
    """The first day of the next month."""

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")

    @classmethod
    def parse(cls, text: str) -> Month:
        year, month = (int(part) for part in text.split("-"))
        start = dt.date(year, month, 1)
        return cls(start.strftime("%Y-%m"), start, _next_month(start))

    def previous(self) -> Month:
        last = self.start - dt.timedelta(days=1)
        return Month.parse(last.strftime("%Y-%m"))


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class TierRule:
    """One speed-to-lead tier of the agreement: its limit and the trigger words that put an
    MQL in it (none for the standard tier, which takes every other MQL)."""

    id: str
    label: str
    hours: float
    triggers: tuple[str, ...]
    limit: str
    """The limit as agreed, in words: ``4 business hours``."""
    phrase: str
    """The tier inside a sentence: ``demo and trial requests``."""


@dataclass(frozen=True)
class Rules:
    """The SLA terms the figures are measured against."""

    tiers: tuple[TierRule, ...]
    contact_attempts: int
    disposition_days: int
    no_attempt_hours: int
    clock: BusinessClock
    attempts_floor: int = 3
    attempt_window_days: int = 14
    """Calendar days over which the attempts are made."""
    stalled_days: int = 14
    """The fewest attempts any framework asks for; its share is shown beside the agreed
    minimum."""
    scoring_misses: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The rejection codes that count against scoring accuracy, each with the words that
    mark a free-text reason as that code."""
    icp_size: tuple[int, int | None] | None = None
    """The ideal customer profile's company size (fewest and most employees), which the
    company-size segments are told against."""

    def size_segment_sql(self) -> str:
        """SQL naming a lead's company-size segment against the ICP's range: below it, in
        it or above it, told by the size's first number (a CRM's band such as "51-200" by
        its lower end); a size with no number as written."""
        text = "nullif(trim(company_size), '')"
        if self.icp_size is None:
            return text
        low, high = self.icp_size
        first = ("TRY_CAST(regexp_extract(replace(company_size, ',', ''), '[0-9]+') "
                 "AS BIGINT)")
        inside = (f"{words.count(low)} to {words.count(high)} employees" if high is not None
                  else f"{words.count(low)} employees or more")
        above = (f"WHEN {first} > {high} THEN "
                 f"{_literal(f'Above the ICP (over {words.count(high)})')} "
                 if high is not None else "")
        return (f"CASE WHEN {text} IS NULL THEN NULL WHEN {first} IS NULL THEN {text} "
                f"WHEN {first} < {low} THEN "
                f"{_literal(f'Below the ICP (under {words.count(low)})')} {above}"
                f"ELSE {_literal(f'In the ICP ({inside})')} END")

    @property
    def disposition_minutes(self) -> int:
        return self.disposition_days * self.clock.minutes_per_day

    @property
    def longest_hours(self) -> float:
        return max(tier.hours for tier in self.tiers)

    def limit_sql(self, has: set[str]) -> str | None:
        """Each MQL's own limit in hours, from its trigger; ``None`` when the export does not
        say what made a lead an MQL (then no tier can be told)."""
        return self._by_tier(has, lambda tier: repr(float(tier.hours)))

    def tier_sql(self, has: set[str]) -> str | None:
        """Each MQL's tier id, as :meth:`limit_sql` decides it."""
        return self._by_tier(has, lambda tier: _literal(tier.id))

    def _by_tier(self, has: set[str], value: Callable[[TierRule], str]) -> str | None:
        if "mql_trigger" not in has:
            return None
        cases = []
        for tier in self.tiers:
            if tier.triggers:
                words = " OR ".join(f"contains(lower(coalesce(mql_trigger, '')), "
                                    f"{_literal(word.lower())})" for word in tier.triggers)
                cases.append(f"WHEN {words} THEN {value(tier)}")
        standard = next(tier for tier in reversed(self.tiers) if not tier.triggers)
        return f"(CASE {' '.join(cases)} ELSE {value(standard)} END)"


NOT_GIVEN = "Not given"
"""The group of the leads whose source, owner, size or country the export leaves blank."""


class MonthFigures:
    """Runs the queries for one month over a loaded export."""

    def __init__(self, con: duckdb.DuckDBPyConnection, available: set[str], month: Month,
                 rules: Rules, table: str = "funnel") -> None:
        self.con = con
        self.table = table
        """The rows queried: ``funnel``, or a :func:`month_window` of it."""
        self.has = available
        self.month = month
        self.rules = rules
        self.start = f"TIMESTAMP '{month.start} 00:00:00'"
        self.end = f"TIMESTAMP '{month.end} 00:00:00'"

    def _in_month(self, column: str) -> str:
        return f"({column} >= {self.start} AND {column} < {self.end})"

    def _one(self, sql: str) -> tuple[Any, ...]:
        row = self.con.execute(sql).fetchone()
        return tuple(row) if row is not None else ()

    def month_end_bm(self) -> float:
        row = self._one(f"SELECT cum_before FROM cal WHERE d = DATE '{self.month.end}'")
        return float(row[0]) if row else 0.0

    # ------------------------------------------------------------------ volumes

    def volumes(self) -> dict[str, int | None]:
        stages = [s for s, c in STAGE_COLUMN.items() if c in self.has]
        values = self._one("SELECT " + ", ".join(
            f"count(*) FILTER (WHERE {self._in_month(STAGE_COLUMN[s])})" for s in stages)
            + f" FROM {self.table}")
        counts: dict[str, int | None] = dict.fromkeys(STAGE_COLUMN)
        for stage, value in zip(stages, values, strict=True):
            counts[stage] = int(value)
        return counts

    # ------------------------------------------------------------------ speed to lead

    def speed(self) -> dict[str, Any]:
        """Median, 90th percentile and the share touched in time, each MQL held to its own
        tier's limit; without a trigger column, each limit over every MQL instead."""
        empty = {"speed_to_lead_median_hours": None, "speed_to_lead_p90_hours": None,
                 "speed_to_lead_within_sla": None, "speed_to_lead_touched": None,
                 "touched_before_mql": None, "response_buckets": None,
                 "speed_by_tier": None, "tiers_known": None}
        if "first_touch_at" not in self.has:
            return empty
        limit = self.rules.limit_sql(self.has)
        tier = self.rules.tier_sql(self.has)
        row = self._one(f"""
            WITH m AS (
                SELECT CASE WHEN first_touch_at IS NULL THEN NULL
                            ELSE greatest(first_touch_bm - mql_bm, 0) / 60.0 END AS hours,
                       first_touch_at < mql_at AS early,
                       {limit or 'NULL'} AS limit_hours
                FROM {self.table} WHERE {self._in_month('mql_at')})
            SELECT median(hours), quantile_cont(hours, 0.9), count(hours), count(*),
                   count(*) FILTER (WHERE hours <= limit_hours),
                   count(*) FILTER (WHERE hours < 1),
                   count(*) FILTER (WHERE hours >= 1 AND hours <= 24),
                   count(*) FILTER (WHERE hours > 24),
                   count(*) FILTER (WHERE hours IS NULL),
                   count(*) FILTER (WHERE early)
            FROM m""")
        median, p90, touched, mqls, within, fast, day, slow, never, early = row
        return {
            "speed_to_lead_median_hours": _round(median),
            "speed_to_lead_p90_hours": _round(p90),
            "speed_to_lead_within_sla": _share(within, mqls) if limit else None,
            "speed_to_lead_touched": int(touched),
            "touched_before_mql": int(early),
            "response_buckets": ResponseBuckets(int(fast), int(day), int(slow), int(never)),
            "speed_by_tier": self._tier_speeds(tier),
            "tiers_known": tier is not None,
        }

    def _tier_speeds(self, tier: str | None) -> tuple[TierSpeed, ...]:
        """Each tier's MQLs against its limit; every MQL against each limit when the tiers
        cannot be told apart.  One pass for all tiers."""
        hours = "greatest(first_touch_bm - mql_bm, 0) / 60.0"
        parts = []
        for rule in self.rules.tiers:
            mine = "true" if tier is None else f"{tier} = {_literal(rule.id)}"
            parts.append(f"count(*) FILTER (WHERE {mine}), "
                         f"count(*) FILTER (WHERE {mine} AND first_touch_at IS NOT NULL "
                         f"AND {hours} <= {rule.hours}), "
                         f"median(CASE WHEN {mine} AND first_touch_at IS NOT NULL "
                         f"THEN {hours} END)")
        row = self._one(f"SELECT {', '.join(parts)} FROM {self.table} "
                        f"WHERE {self._in_month('mql_at')}")
        found = []
        for k, rule in enumerate(self.rules.tiers):
            mqls, within, median = row[3 * k:3 * k + 3]
            found.append(TierSpeed(rule.id, rule.label, rule.hours, int(mqls), int(within),
                                   _share(within, mqls), _round(median)))
        return tuple(found)

    # ------------------------------------------------------------------ attempts, disposition

    def _unconverted(self) -> str:
        """SQL: the lead reached no stage past MQL (the pool the minimum attempts judge)."""
        return " AND ".join(f"{c} IS NULL" for c in ("sql_at", "opportunity_at", "won_at")
                            if c in self.has) or "true"

    def attempts(self) -> dict[str, Any]:
        if "attempts" not in self.has:
            return {"attempts_average": None, "attempts_meeting_minimum": None,
                    "attempts_unconverted_mqls": None, "attempts_floor_share": None}
        unconverted = self._unconverted()
        row = self._one(f"""
            SELECT avg(attempts), count(*) FILTER (WHERE {unconverted}),
                   count(*) FILTER (WHERE {unconverted}
                                    AND attempts >= {self.rules.contact_attempts}),
                   count(*) FILTER (WHERE attempts >= {self.rules.attempts_floor}),
                   count(*)
            FROM {self.table} WHERE {self._in_month('mql_at')}""")
        average, pool, meeting, floor, mqls = row
        return {"attempts_average": _round(average, 1),
                "attempts_meeting_minimum": _share(meeting, pool),
                "attempts_unconverted_mqls": int(pool),
                "attempts_floor_share": _share(floor, mqls)}

    # ------------------------------------------------------------------ quality, velocity

    def quality(self) -> dict[str, Any]:
        """The average score of the month's MQLs, over those the export gives a score."""
        if "score" not in self.has:
            return {"mql_average_score": None, "mqls_scored": None}
        average, scored = self._one(f"SELECT avg(score), count(score) FROM {self.table} "
                                    f"WHERE {self._in_month('mql_at')}")
        return {"mql_average_score": _round(average, 1), "mqls_scored": int(scored)}

    def sales_cycle(self) -> dict[str, Any]:
        """Median calendar days from SQL to won, over the deals won this month."""
        if "sql_at" not in self.has or "won_at" not in self.has:
            return {"sales_cycle_days": None, "sales_cycle_deals": None}
        median, deals = self._one(f"""
            SELECT median(greatest(date_diff('second', sql_at, won_at), 0) / 86400.0),
                   count(*)
            FROM {self.table} WHERE {self._in_month('won_at')} AND sql_at IS NOT NULL""")
        return {"sales_cycle_days": _round(median, 1) if deals else None,
                "sales_cycle_deals": int(deals)}

    def velocity(self, rate_keys: list[str]) -> tuple[Velocity, ...] | None:
        """Median business days from MQL to the funnel's next stage and from SQL to
        opportunity, over the leads that reached the later stage this month."""
        pairs = [key for key in rate_keys if key in ("mql_to_sql", "sql_to_opportunity")]
        per_day = self.rules.clock.minutes_per_day
        found = []
        for key in pairs:
            start, end = (STAGE_COLUMN[stage] for stage in key.split("_to_"))
            if start not in self.has or end not in self.has or end == "won_at":
                continue
            first, last = (column.removesuffix("_at") + "_bm" for column in (start, end))
            median, leads = self._one(f"""
                SELECT median(greatest({last} - {first}, 0) / {per_day}.0), count(*)
                FROM {self.table} WHERE {self._in_month(end)} AND {start} IS NOT NULL""")
            found.append(Velocity(key, _round(median), int(leads)))
        return tuple(found) or None

    def _undecided(self) -> str | None:
        """SQL: the lead had no disposition by the month's end (None: cannot tell)."""
        decided = []
        if "disposition_at" in self.has:
            decided.append(f"disposition_at < {self.end}")
        elif "disposition" in self.has:
            statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
            decided.append(f"lower(coalesce(disposition, '')) NOT IN ({statuses})")
        else:
            return None
        if "disposition" in self.has:
            # A lead not yet reached is marked attempting and worked through its window,
            # as the agreement says: not undecided while the window lasts.
            attempting = ", ".join(f"'{s}'" for s in ATTEMPTING_STATUSES)
            decided.append(f"(lower(coalesce(disposition, '')) IN ({attempting}) AND mql_at > "
                           f"{self.end} - INTERVAL {int(self.rules.attempt_window_days)} DAY)")
        decided += [f"{c} < {self.end}" for c in ("sql_at", "opportunity_at", "won_at",
                                                  "lost_at") if c in self.has]
        return "NOT coalesce(" + " OR ".join(decided) + ", false)"

    def disposition(self) -> dict[str, Any]:
        figures: dict[str, Any] = {"disposition_within_deadline": None,
                                   "undispositioned_past_deadline": None}
        deadline = self.rules.disposition_minutes
        if "disposition_at" in self.has:
            row = self._one(f"""SELECT count(*) FILTER (WHERE disposition_at IS NOT NULL
                                     AND disposition_bm - mql_bm <= {deadline}), count(*)
                                FROM {self.table} WHERE {self._in_month('mql_at')}""")
            figures["disposition_within_deadline"] = _share(row[0], row[1])
        late = self._undecided_late()
        if late is not None:
            figures["undispositioned_past_deadline"] = int(self._one(f"""
                SELECT count(*) FROM {self.table} WHERE {self._in_month('mql_at')}
                AND {late}""")[0])
        return figures

    def _undecided_late(self) -> str | None:
        """SQL: the MQL is past its disposition deadline at the month's end, undecided
        (None: the export cannot tell)."""
        undecided = self._undecided()
        if undecided is None:
            return None
        return (f"{self.month_end_bm()} - mql_bm > {self.rules.disposition_minutes} "
                f"AND {undecided}")

    def no_attempt(self) -> int | None:
        """MQLs of the month with no attempt by its end that are both older than the
        untouched-list age (clock hours) and past their own tier's limit (business hours):
        a lead still inside its 24 business hours over a weekend is not yet a breach."""
        limit = self.rules.limit_sql(self.has) or repr(float(self.rules.longest_hours))
        late = (f"mql_at <= {self.end} - INTERVAL {int(self.rules.no_attempt_hours)} HOUR "
                f"AND ({self.month_end_bm()} - mql_bm) / 60.0 > {limit}")
        if "first_touch_at" in self.has:
            untouched = f"(first_touch_at IS NULL OR first_touch_at >= {self.end})"
        elif "attempts" in self.has:
            untouched = "coalesce(attempts, 0) = 0"
        else:
            return None
        return int(self._one(f"SELECT count(*) FROM {self.table} WHERE {self._in_month('mql_at')} "
                             f"AND {late} AND {untouched}")[0])

    # ------------------------------------------------------------------ reasons, groups

    def dq_reasons(self) -> tuple[DqReason, ...] | None:
        if "disqualification_reason" not in self.has:
            return None
        when = "disposition_at" if "disposition_at" in self.has else "mql_at"
        rows = self.con.execute(f"""
            SELECT disqualification_reason, count(*) FROM {self.table}
            WHERE disqualification_reason IS NOT NULL AND {self._in_month(when)}
            GROUP BY 1 ORDER BY 2 DESC, 1""").fetchall()
        return tuple(DqReason(reason, int(count)) for reason, count in rows)

    def completeness(self) -> dict[str, Any]:
        """Shares of the month's MQLs that carry the core fields (a name, an e-mail, a
        company) and also the extended ones (phone, title, company size); each ``None``
        when the export lacks a column the share needs."""
        def filled(groups: tuple[tuple[str, ...], ...]) -> str | None:
            if not all(any(name in self.has for name in group) for group in groups):
                return None
            return " AND ".join("(" + " OR ".join(f"{name} IS NOT NULL" for name in group
                                                  if name in self.has) + ")"
                                for group in groups)
        core = filled(CORE_FIELDS)
        extended = filled(CORE_FIELDS + EXTENDED_FIELDS) if core else None
        if core is None:
            return {"core_fields_complete": None, "extended_fields_complete": None}
        total, with_core, with_all = self._one(f"""
            SELECT count(*), count(*) FILTER (WHERE {core}),
                   count(*) FILTER (WHERE {extended or 'false'})
            FROM {self.table} WHERE {self._in_month('mql_at')}""")
        return {"core_fields_complete": _share(with_core, total),
                "extended_fields_complete": _share(with_all, total) if extended else None}

    def rejections(self) -> dict[str, Any]:
        """Of the month's MQLs that sales turned down (by their status), the share that
        carry a reason other than "not interested"; ``None`` unless the export has both a
        status and a reason column."""
        if not {"disposition", "disqualification_reason"} <= self.has:
            return {"rejections": None, "rejections_with_reason": None}
        rejected = " OR ".join(f"lower(coalesce(disposition, '')) LIKE "
                               f"{_sql_text('%' + word + '%')}" for word in REJECTED_STATUSES)
        empty = " OR ".join(f"lower(trim(disqualification_reason)) = {_sql_text(text)}"
                            for text in NO_REASON)
        total, reasoned = self._one(f"""
            SELECT count(*), count(*) FILTER (WHERE disqualification_reason IS NOT NULL
                                              AND trim(disqualification_reason) <> ''
                                              AND NOT ({empty}))
            FROM {self.table} WHERE {self._in_month('mql_at')} AND ({rejected})""")
        return {"rejections": int(total), "rejections_with_reason": _share(reasoned, total)}

    def _reached(self, stage: str) -> str | None:
        """SQL: the lead reached ``stage`` or any later one (None: no column for any)."""
        later = FUNNEL_STAGES[FUNNEL_STAGES.index(stage):]
        columns = [STAGE_COLUMN[s] for s in later if STAGE_COLUMN[s] in self.has]
        if STAGE_COLUMN[stage] not in self.has or not columns:
            return None
        return "(" + " OR ".join(f"{c} IS NOT NULL" for c in columns) + ")"

    def _dispositioned(self) -> str:
        """SQL: the MQL has been dispositioned (accepted, disqualified, recycled, lost).

        Without a disposition column every MQL counts, as the export cannot tell."""
        decided = [f"{c} IS NOT NULL" for c in ("sal_at", "sql_at", "opportunity_at",
                                                 "won_at", "lost_at", "disposition_at")
                   if c in self.has]
        if "disposition" in self.has:
            statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
            decided.append(f"lower(coalesce(disposition, '')) NOT IN ({statuses})")
        if "disqualification_reason" in self.has:
            decided.append("disqualification_reason IS NOT NULL")
        if not ({"disposition", "disposition_at", "disqualification_reason"} & self.has):
            return "true"
        return "(" + " OR ".join(decided) + ")"

    def _cohort_sql(self, source: str, target: str) -> str | None:
        """SQL for two counts: records at ``source`` in the month, and how many of them
        reached ``target`` (None: the export cannot tell)."""
        reached = self._reached(target)
        if STAGE_COLUMN[source] not in self.has or reached is None:
            return None
        month = self._in_month(STAGE_COLUMN[source])
        return (f"count(*) FILTER (WHERE {month}), "
                f"count(*) FILTER (WHERE {month} AND {reached})")

    def cohorts(self, volumes: dict[str, int | None],
                rate_keys: list[str]) -> dict[str, tuple[int, int] | None]:
        """For each consecutive pair of stages the export holds, plus the plan's own rate
        keys: the records at the first stage in the month and how many reached the second,
        all counted in one pass."""
        present = [s for s in FUNNEL_STAGES if volumes.get(s) is not None]
        keys = [f"{a}_to_{b}" for a, b in itertools.pairwise(present)]
        keys += [k for k in rate_keys if k not in keys]
        sqls: dict[str, str | None] = {}
        for key in keys:
            source, target = key.split("_to_")
            sqls[key] = (self._cohort_sql(source, target)
                         if source in STAGE_COLUMN and target in FUNNEL_STAGES else None)
        asked = [key for key, sql in sqls.items() if sql is not None]
        row = self._one("SELECT " + ", ".join(str(sqls[key]) for key in asked)
                        + f" FROM {self.table}") if asked else ()
        counts = {key: (int(row[2 * k]), int(row[2 * k + 1])) for k, key in enumerate(asked)}
        return {key: counts.get(key) for key in keys}

    def acceptance(self) -> dict[str, Any]:
        """MQLs accepted (SAL or SQL) over the month's MQLs dispositioned, as agreed."""
        accepted = self._reached("sal") or self._reached("sql")
        if accepted is None:
            return {"acceptance_rate": None, "mqls_dispositioned": None,
                    "mqls_accepted": None}
        row = self._one(f"""SELECT count(*), count(*) FILTER (WHERE {accepted})
            FROM {self.table} WHERE {self._in_month('mql_at')} AND {self._dispositioned()}""")
        return {"acceptance_rate": _share(row[1], row[0]),
                "mqls_dispositioned": int(row[0]), "mqls_accepted": int(row[1])}

    def scoring_accuracy(self) -> float | None:
        """MQLs not disqualified with a code that counts against scoring (the wrong persona,
        too small: the plan's), over the month's MQLs dispositioned."""
        if "disqualification_reason" not in self.has or not self.rules.scoring_misses:
            return None
        patterns = [pattern for code, said in self.rules.scoring_misses
                    for pattern in (code + "%", *("%" + word + "%" for word in said))]
        miss = " OR ".join(f"disqualification_reason ILIKE {_sql_text(pattern)}"
                           for pattern in patterns)
        row = self._one(f"""
            SELECT count(*), count(*) FILTER (WHERE {miss})
            FROM {self.table} WHERE {self._in_month('mql_at')} AND {self._dispositioned()}""")
        dispositioned, wrong = int(row[0]), int(row[1])
        return _share(dispositioned - wrong, dispositioned)

    def by_group(self, column: str, limit: int = 12,
                 expression: str | None = None) -> tuple[Group, ...] | None:
        """The month's figures for each value of ``column`` (or of ``expression`` over it),
        the largest by MQLs first: volumes, the MQL-to-SQL cohort, speed to lead against
        each MQL's own limit, the minimum attempts and the MQLs undecided past the
        deadline, each counted as the month's own figure is."""
        if column not in self.has:
            return None
        stages = [s for s in ("mql", "sql", "won") if STAGE_COLUMN[s] in self.has]
        mqls = self._in_month("mql_at")
        measures = {s: f"count(*) FILTER (WHERE {self._in_month(STAGE_COLUMN[s])})"
                    for s in stages}
        hours = "greatest(first_touch_bm - mql_bm, 0) / 60.0"
        tier_limit = self.rules.limit_sql(self.has)
        if "mql" in stages and "first_touch_at" in self.has:
            measures["speed"] = (f"median(CASE WHEN {mqls} AND first_touch_at IS NOT NULL "
                                 f"THEN {hours} END)")
            if tier_limit is not None:
                measures["within"] = (f"count(*) FILTER (WHERE {mqls} AND first_touch_at IS "
                                      f"NOT NULL AND {hours} <= {tier_limit})")
        reached = self._reached("sql")
        if reached is not None and "mql" in stages:
            measures["reached"] = f"count(*) FILTER (WHERE {mqls} AND {reached})"
        if "attempts" in self.has and "mql" in stages:
            pool = f"{mqls} AND {self._unconverted()}"
            measures["pool"] = f"count(*) FILTER (WHERE {pool})"
            measures["attempted"] = (f"count(*) FILTER (WHERE {pool} AND attempts >= "
                                     f"{self.rules.contact_attempts})")
        late = self._undecided_late()
        if late is not None and "mql" in stages:
            measures["undecided"] = f"count(*) FILTER (WHERE {mqls} AND {late})"
        names = list(measures)
        rows = self.con.execute(f"""
            SELECT coalesce({expression or column}, {_literal(NOT_GIVEN)}) AS name,
                   {', '.join(f'{sql} AS m_{name}' for name, sql in measures.items())}
            FROM {self.table}
            GROUP BY 1 HAVING {' OR '.join(f'm_{s} > 0' for s in stages)}
            ORDER BY 2 DESC, 1 LIMIT {limit}""").fetchall()
        groups = []
        for row in rows:
            found = dict(zip(names, row[1:], strict=True))
            mql = found.get("mql")
            groups.append(Group(
                name=row[0], mql=_int(mql), sql=_int(found.get("sql")),
                won=_int(found.get("won")),
                mql_to_sql=_share(found["reached"], mql) if "reached" in found else None,
                speed_to_lead_median_hours=_round(found.get("speed")),
                within_limit=_share(found["within"], mql) if "within" in found else None,
                attempts_meeting_minimum=(_share(found["attempted"], found["pool"])
                                          if "pool" in found else None),
                undispositioned_past_deadline=_int(found.get("undecided"))))
        return tuple(groups)

    def revenue(self) -> Revenue | None:
        if "won_at" not in self.has or "source" not in self.has:
            return None
        sales = " OR ".join("lower(coalesce(source, '')) LIKE " + _sql_text("%" + word + "%")
                            for word in SALES_SOURCED)
        amount = "sum(amount)" if "amount" in self.has else "NULL"
        rows = self.con.execute(f"""
            SELECT CASE WHEN {sales} THEN 'sales_sourced' ELSE 'marketing_sourced' END,
                   count(*), {amount}
            FROM {self.table} WHERE {self._in_month('won_at')} GROUP BY 1""").fetchall()
        none = RevenueLine(0, 0.0 if "amount" in self.has else None)
        lines = {kind: RevenueLine(int(won), float(total) if total is not None else none.amount)
                 for kind, won, total in rows}
        return Revenue(marketing_sourced=lines.get("marketing_sourced", none),
                       sales_sourced=lines.get("sales_sourced", none))


def month_window(con: duckdb.DuckDBPyConnection, has: set[str], month: Month,
                 first: Month | None = None, name: str = "month_rows") -> str:
    """A table of the rows a month's figures can touch, made in one pass over ``funnel``.

    Every figure of the month and the month before it (or of every month from ``first``),
    and of the weeks that touch the month, counts rows with a date in those months (or those
    weeks); the rest of the export only feeds the stalled opportunities, which read
    ``funnel`` itself.  Business time is looked up for these rows alone."""
    start = (first or month.previous()).start - dt.timedelta(days=7)
    end = month.end + dt.timedelta(days=7)
    dated = [column for column in (*STAGE_COLUMN.values(), "disposition_at") if column in has]
    inside = " OR ".join(f"({column} >= TIMESTAMP '{start}' AND {column} < TIMESTAMP '{end}')"
                         for column in dated) or "false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM funnel "
                f"WHERE {inside}")
    return name


def history_months(con: duckdb.DuckDBPyConnection, has: set[str], month: Month,
                   months: int = 12) -> list[Month]:
    """The months a trend shows, oldest first: up to ``months`` ending with ``month``, from
    the first month the export has an MQL in."""
    row = con.execute(f"SELECT min(mql_at) FROM funnel WHERE mql_at < "
                      f"TIMESTAMP '{month.end} 00:00:00'").fetchone() if "mql_at" in has else None
    first = row[0].date() if row and row[0] is not None else month.start
    found = [month]
    while len(found) < months and found[-1].start > first.replace(day=1):
        found.append(found[-1].previous())
    return found[::-1]


def weekly(con: duckdb.DuckDBPyConnection, has: set[str], month: Month,
           table: str = "funnel") -> tuple[Week, ...]:
    """Week by week (weeks start on Monday) for the weeks that touch the month, each
    counting only its days inside the month, so that the weeks add up to the month; a week
    cut by the month's edge is labelled with its days (``Mar 29 to 31``)."""
    stages = [s for s in ("mql", "sal", "sql", "opportunity") if STAGE_COLUMN[s] in has]
    first = month.start - dt.timedelta(days=month.start.weekday())
    last = month.end - dt.timedelta(days=1)
    last = last - dt.timedelta(days=last.weekday())
    weeks = []
    monday = first
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    start, end = f"TIMESTAMP '{month.start} 00:00:00'", f"TIMESTAMP '{month.end} 00:00:00'"
    speed = ("median(CASE WHEN mql_at IS NOT NULL AND first_touch_at IS NOT NULL THEN "
             "greatest(first_touch_bm - mql_bm, 0) / 60.0 END)"
             if "first_touch_at" in has else "NULL")
    found: dict[dt.date, dict[str, Any]] = {}
    for stage in stages:
        column = STAGE_COLUMN[stage]
        extra = f", {speed}" if stage == "mql" else ""
        rows = con.execute(f"""
            SELECT CAST(date_trunc('week', {column}) AS DATE), count(*){extra} FROM {table}
            WHERE {column} >= {start} AND {column} < {end} GROUP BY 1""").fetchall()
        for row in rows:
            week = found.setdefault(row[0], {})
            week[stage] = int(row[1])
            if stage == "mql":
                week["speed_to_lead_median_hours"] = _round(row[2])
    result = []
    for monday in weeks:
        counts = {stage: (found.get(monday, {}).get(stage, 0) if stage in stages else None)
                  for stage in ("mql", "sal", "sql", "opportunity")}
        label = week_label(monday, max(monday, month.start),
                           min(monday + dt.timedelta(days=6), month.end - dt.timedelta(days=1)))
        result.append(Week(
            week_start=monday.isoformat(), label=label, **counts,
            speed_to_lead_median_hours=found.get(monday, {}).get(
                "speed_to_lead_median_hours")))
    return tuple(result)


def stalled_opportunities(con: duckdb.DuckDBPyConnection, has: set[str], month: Month,
                          days: int) -> int | None:
    """Opportunities opened ``days`` or more before the month's end and neither won nor lost
    by it.
    Without a lost date a contacts export cannot tell a lost deal from a stalled one."""
    if "opportunity_at" not in has or "lost_at" not in has:
        return None
    end = f"TIMESTAMP '{month.end} 00:00:00'"
    closed = " OR ".join(f"coalesce({c} < {end}, false)" for c in ("won_at", "lost_at")
                         if c in has)
    row = con.execute(f"""SELECT count(*) FROM funnel
        WHERE opportunity_at < {end} - INTERVAL {days} DAY AND NOT ({closed})""").fetchone()
    return int(row[0]) if row else 0


def cohort_rates(cohorts: dict[str, tuple[int, int] | None]) -> dict[str, float | None]:
    """Each cohort's share that reached the next stage (``None``: not in export or empty)."""
    return {key: _share(counts[1], counts[0]) if counts else None
            for key, counts in cohorts.items()}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _share(part: Any, whole: Any) -> float | None:
    if part is None or not whole:
        return None
    return round(float(part) / float(whole), 4)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _round(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)
