# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""The SLA breaches of a month as CSV, safe to open in a spreadsheet (through
:mod:`slabuilder.csvsafe`, like every CSV slabuilder writes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.actuals.timestamps import quote_literal
from slabuilder.csvsafe import spreadsheet_csv
from slabuilder.fsutil import write_atomic
from slabuilder.words import days

if TYPE_CHECKING:
    from slabuilder.actuals.metrics import MonthFigures, Rules, TierRule

BREACH_COLUMNS = ("lead_id", "breach", "owner", "source", "mql_at", "first_touch_at",
                  "business_hours_to_first_touch", "disposition", "sla_hours")
def breaches_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str] = BREACH_COLUMNS) -> str:
    return spreadsheet_csv(columns, rows, line_end="\r\n")


def breaches_file_text(rows: Iterable[Sequence[Any]]) -> str:
    """The breaches file's content; a BOM lets Excel open it as UTF-8."""
    return "\ufeff" + breaches_csv(rows)


def write_breaches(path: Path, rows: Iterable[Sequence[Any]], *, force: bool) -> None:
    write_atomic(path, breaches_file_text(rows), force=force)


def breach_rows(figures: MonthFigures) -> list[tuple[Any, ...]]:
    """Leads over the response time, never touched, or without a disposition in time."""
    has, rules = figures.has, figures.rules
    month = figures._in_month("mql_at")
    # Each MQL against its own tier's limit; without a trigger column the tier cannot be
    # told, so only the longest limit is certain to be broken.
    limit = rules.limit_sql(has) or repr(rules.longest_hours)
    label = _limit_labels(rules, has)
    owner = "owner" if "owner" in has else "NULL"
    source = "source" if "source" in has else "NULL"
    disposition = "disposition" if "disposition" in has else "NULL"
    end_bm = figures.month_end_bm()
    parts = []
    if "first_touch_at" in has:
        hours = "round(greatest(first_touch_bm - mql_bm, 0) / 60.0, 2)"
        parts.append(f"""
            SELECT lead_id, 'first touch after ' || {label}, {owner},
                   {source}, mql_at, first_touch_at, {hours}, {disposition}, {limit}
            FROM {figures.table}
            WHERE {month} AND first_touch_at IS NOT NULL AND {hours} > {limit}""")
        parts.append(f"""
            SELECT lead_id, 'no first touch', {owner}, {source}, mql_at, NULL, NULL,
                   {disposition}, {limit}
            FROM {figures.table} WHERE {month} AND first_touch_at IS NULL
              AND ({end_bm} - mql_bm) / 60.0 > {limit}""")
    undecided = figures._undecided()
    if undecided is not None:
        touch = "first_touch_at" if "first_touch_at" in has else "NULL"
        why = quote_literal(f"no disposition after {days(rules.disposition_days, business=True)}")
        parts.append(f"""
            SELECT lead_id, {why},
                   {owner}, {source}, mql_at, {touch}, NULL, {disposition},
                   {rules.disposition_minutes / 60}
            FROM {figures.table} WHERE {month} AND {end_bm} - mql_bm > {rules.disposition_minutes}
              AND {undecided}""")
    if not parts:
        return []
    sql = " UNION ALL ".join(parts)
    rows = figures.con.execute(
        f"SELECT lead_id, b, o, s, strftime(m, '%Y-%m-%d %H:%M'), "
        f"strftime(t, '%Y-%m-%d %H:%M'), h, d, CAST(sla AS DOUBLE) FROM ({sql}) "
        "AS x(lead_id, b, o, s, m, t, h, d, sla) ORDER BY x.m, x.lead_id, x.b").fetchall()
    return [tuple(_tidy(cell) for cell in row) for row in rows]


def _limit_labels(rules: Rules, has: set[str]) -> str:
    """SQL giving each breach its limit in words: ``4 business hours (demo and trial
    requests)``, or the longest limit when the tiers cannot be told apart."""
    def words(tier: TierRule) -> str:
        return quote_literal(f"{tier.limit} ({tier.phrase})")

    tier = rules.tier_sql(has)
    if tier is None:
        longest = max(rules.tiers, key=lambda item: item.hours)
        return quote_literal(f"{longest.limit}, the longest limit (the export does not "
                             "say what made each lead an MQL)")
    cases = " ".join(f"WHEN {quote_literal(item.id)} THEN {words(item)}" for item in rules.tiers)
    return f"(CASE {tier} {cases} END)"


def _tidy(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell
