# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""From the lead table to arrays: the outcome, the honest split, and each usable column as
codes (a category, a yes/no, or a numeric range), with every left-out column and its reason."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from slabuilder.actuals.timestamps import (
    DateOrder,
    SlashedDates,
    number_sql,
    quote_literal,
    settle_order,
    slashed_probe_sql,
    timestamp_sql,
)
from slabuilder.calibrate.options import (
    MIN_EACH_CLASS,
    MIN_ROWS,
    POSITIVE_WORDS,
    CalibrationOptions,
)
from slabuilder.calibrate.table import KIND_REASONS, ColumnProfile, LeadTable
from slabuilder.errors import ExportError

MAX_LEVELS = 30
NUMERIC_BINS = 10

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


BLANK = -1
"""The code of a blank cell."""
OTHER = -2
"""The code of a value too rare to name (fewer than ``least`` leads)."""


@dataclass
class Feature:
    """One usable column: a category per row (``BLANK``, ``OTHER`` or a level), or a number
    per row (``NaN`` when blank) with decile bins as its codes."""

    profile: ColumnProfile
    codes: npt.NDArray[np.int16]
    numeric: bool
    levels: list[str] = field(default_factory=list)
    """A category column's values as first written, in code order."""
    values: Floats | None = None
    """A number column's values (``NaN`` where blank)."""

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass
class History:
    """The usable rows: outcome, split, features, and what was left out on the way."""

    y: Ints
    train: npt.NDArray[np.bool_]
    rids: Ints
    features: list[Feature]
    set_aside: list[tuple[str, int]]
    left_out: list[dict[str, Any]]
    positive_values: list[str]
    split: dict[str, Any]
    months: float | None = None
    """How many months the history spans (with a date column), for leads a month."""
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _count(table: LeadTable, sql: str) -> int:
    row = table.con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def outcome_sql(table: LeadTable, profile: ColumnProfile,
                options: CalibrationOptions) -> tuple[str, list[str]]:
    """SQL giving 1, 0 or NULL for the outcome, and the values read as yes."""
    column = profile.sql
    levels = [str(value) for (value,) in table.con.execute(
        f"SELECT lower({column}) v FROM leads WHERE {column} IS NOT NULL GROUP BY v "
        "ORDER BY count(*) DESC LIMIT 50").fetchall()]
    source = table.file.source
    if options.positive is not None:
        wanted = [options.positive.strip().lower()]
        if wanted[0] not in levels:
            shown = ", ".join(repr(v) for v in levels[:8])
            raise ExportError(f"no row of {profile.name!r} holds {options.positive!r}; its "
                              f"values are {shown}: give one of them as --positive",
                              file=source)
    else:
        wanted = [level for level in levels if level in POSITIVE_WORDS]
        if not wanted:
            shown = ", ".join(repr(v) for v in levels[:8])
            raise ExportError(f"the outcome column {profile.name!r} holds {shown}, none of "
                              "which reads as yes (1, true, yes); name the value that means "
                              "converted with --positive", file=source)
    values = ", ".join(quote_literal(value) for value in wanted)
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN lower({column}) IN ({values}) "
            "THEN 1 ELSE 0 END"), wanted


def date_sql(table: LeadTable, column: ColumnProfile, given: DateOrder | None,
             zone: str | None = None) -> str:
    """Seconds since 1970 of a date column, read as the monthly report reads a CRM export's
    dates: ISO, with an offset or not, and slashed dates in the order their values show
    (03/04/2027 could be either: --date-format settles it, as it does for `report`); times
    without an offset in ``zone`` (--tz, default UTC), so that they order rightly among
    times with one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    naive = zone or "UTC"
    try:
        ZoneInfo(naive)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExportError(f"{naive!r} is not a time zone; use a name such as UTC or "
                           "America/New_York", file="--tz") from None
    table.con.execute(f"SET TimeZone = {quote_literal(naive)}")
    found = table.con.execute(f"SELECT {slashed_probe_sql(column.sql)} FROM leads").fetchone()
    probe = SlashedDates(column.name, int((found or (0,))[0] or 0),
                         *((found or (0, None, None, None))[1:]))
    order = settle_order([probe], given, str(table.file.source))
    return f"epoch({timestamp_sql(column.sql, order, 'UTC', naive)})"


def load_history(table: LeadTable, options: CalibrationOptions) -> History:
    """Outcome, split and features of the usable rows; bad input stops with a clear error."""
    source = table.file.source
    outcome = table.column(options.outcome, option="--outcome")
    y_sql, positive = outcome_sql(table, outcome, options)
    date = (table.column(options.date_column, option="--date-column")
            if options.date_column else None)
    time_sql = (date_sql(table, date, options.date_format, options.timezone) if date
                else "NULL")
    table.con.execute(f"CREATE OR REPLACE TEMP TABLE usable AS SELECT rid, {y_sql} AS y, "
                      f"{time_sql} AS t FROM leads")
    set_aside = [(f"a malformed line (rows {_lines(table.bad_rows)})", len(table.bad_rows))]
    no_outcome = _count(table, "SELECT count(*) FROM usable WHERE y IS NULL")
    set_aside.append((f"no value in {outcome.name!r}", no_outcome))
    table.con.execute("DELETE FROM usable WHERE y IS NULL")
    if date is not None:
        undated = _count(table, "SELECT count(*) FROM usable WHERE t IS NULL")
        dated = _count(table, "SELECT count(*) FROM usable") - undated
        if dated < max(MIN_ROWS, undated):
            sample = table.con.execute(
                f"SELECT {date.sql} FROM leads WHERE {date.sql} IS NOT NULL LIMIT 1").fetchone()
            shown = f" (such as {str(sample[0])!r})" if sample else ""
            raise ExportError(f"--date-column {date.name!r}: {dated} of {dated + undated} "
                              f"rows hold a date slabuilder can read{shown}; give a column "
                              "of dates such as 2027-03-31 or 03/31/2027, or drop "
                              "--date-column to split at random", file=source)
        set_aside.append((f"no readable date in {date.name!r}", undated))
        table.con.execute("DELETE FROM usable WHERE t IS NULL")
    rows = _count(table, "SELECT count(*) FROM usable")
    converted = _count(table, "SELECT sum(y) FROM usable")
    _check_size(rows, converted, outcome.name, str(source))
    fetched = table.con.execute("SELECT rid, y, t FROM usable ORDER BY rid").fetchnumpy()
    rids = np.asarray(fetched["rid"], dtype=np.int64)
    y = np.asarray(fetched["y"], dtype=np.int64)
    train, split, months = _split(y, np.asarray(fetched["t"], dtype=np.float64)
                                  if date is not None else None, options)
    if date is not None:
        split["date_column"] = date.name
    used = {outcome.index} | ({date.index} if date else set())
    features, left_out = _features(table, options, used, train)
    if not features:
        raise ExportError("no column is left to learn from once identifiers, e-mail "
                          "addresses, dates and excluded columns are set aside; add columns "
                          "known before sales contact (source, pages viewed, ...)",
                          file=source)
    return History(y, train, rids, features, [item for item in set_aside if item[1]],
                   left_out, positive, split, months)


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:5])
    return shown + (", ..." if len(lines) > 5 else "")


def _check_size(rows: int, converted: int, column: str, source: str) -> None:
    if converted in (0, rows):
        kind = "converted" if converted else "did not convert"
        raise ExportError(f"every usable row of {column!r} says the lead {kind}: one class "
                          "only, so there is nothing to learn; check --outcome and --positive",
                          file=source)
    if rows < MIN_ROWS:
        raise ExportError(f"only {rows} usable rows; calibrating needs at least {MIN_ROWS} "
                          "past leads with a known outcome", file=source)
    if min(converted, rows - converted) < MIN_EACH_CLASS:
        raise ExportError(f"only {min(converted, rows - converted)} leads "
                          f"{'converted' if converted < rows - converted else 'did not convert'}"
                          f"; calibrating needs at least {MIN_EACH_CLASS} of each outcome: "
                          "give a longer history", file=source)


def _split(y: Ints, times: Floats | None,
           options: CalibrationOptions) -> tuple[npt.NDArray[np.bool_], dict[str, Any],
                                                 float | None]:
    """Train mask: stratified random with a fixed seed, or the oldest rows by date."""
    n = len(y)
    train = np.zeros(n, dtype=bool)
    if times is None:
        from sklearn.model_selection import train_test_split

        index = np.arange(n)
        fit_rows, _ = train_test_split(index, test_size=options.holdout_share,
                                       random_state=options.seed, stratify=y)
        train[fit_rows] = True
        return train, {"method": "random", "seed": options.seed,
                       "holdout_share": options.holdout_share}, None
    order = np.argsort(times, kind="stable")
    cut = round(n * (1 - options.holdout_share))
    train[order[:cut]] = True
    span_days = (float(times.max()) - float(times.min())) / 86400
    months = max(span_days / 30.4375, 1.0)
    if y[train].min() == y[train].max() or y[~train].min() == y[~train].max():
        raise ExportError("the older or the newer part of the history holds one outcome only; "
                          "drop --date-column to split at random")
    return train, {"method": "time", "holdout_share": options.holdout_share,
                   "cut_date": _iso(float(times[order[cut]]))}, months


def _iso(epoch: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat()


def _features(table: LeadTable, options: CalibrationOptions, used: set[int],
              train: npt.NDArray[np.bool_]) -> tuple[list[Feature], list[dict[str, Any]]]:
    excluded = {table.column(name, option="--exclude").index for name in options.exclude}
    included = {table.column(name, option="--include").index for name in options.include}
    left_out: list[dict[str, Any]] = []
    chosen: list[ColumnProfile] = []
    for profile in table.columns:
        if profile.index in used:
            continue
        if profile.index in excluded:
            left_out.append({"column": profile.name, "code": "excluded",
                             "reason": "left out with --exclude"})
            continue
        kind = profile.kind
        if kind in ("empty", "constant") and profile.index in included:
            raise ExportError(f"--include {profile.name!r}: the column "
                              f"{KIND_REASONS[kind]}; drop it from --include",
                              file=table.file.source)
        if kind in KIND_REASONS and profile.index not in included:
            left_out.append({"column": profile.name, "code": kind,
                             "reason": profile.id_reason or KIND_REASONS[kind]})
            continue
        chosen.append(profile)
    features = []
    for profile in chosen:
        ordered = profile.kind == "number" or (profile.numbers and profile.distinct > 2)
        feature = (_numeric(table, profile, train) if ordered
                   else _categorical(table, profile))
        if feature is None:
            left_out.append({"column": profile.name, "code": "too_rare",
                             "reason": "no value is common enough to learn from"})
        else:
            features.append(feature)
    return features, left_out


def _fetch(table: LeadTable, expression: str, dtype: Any) -> Any:
    result = table.con.execute(f"SELECT {expression} AS v FROM usable u JOIN leads l "
                               "USING (rid) ORDER BY rid").fetchnumpy()["v"]
    return np.asarray(result, dtype=dtype)


def _categorical(table: LeadTable, profile: ColumnProfile) -> Feature | None:
    rows = _count(table, "SELECT count(*) FROM usable")
    least = max(20, math.ceil(rows * 0.005))
    column = f"l.{profile.sql}"
    levels = table.con.execute(
        f"SELECT lower({column}) v, min({column}) shown, count(*) n FROM usable u "
        f"JOIN leads l USING (rid) WHERE {column} IS NOT NULL GROUP BY v HAVING n >= {least} "
        f"ORDER BY n DESC, v LIMIT {MAX_LEVELS}").fetchall()
    if not levels:
        return None
    cases = " ".join(f"WHEN {quote_literal(value)} THEN {code}"
                     for code, (value, _, _) in enumerate(levels))
    codes = _fetch(table, f"CASE WHEN {column} IS NULL THEN {BLANK} "
                          f"ELSE CASE lower({column}) {cases} ELSE {OTHER} END END", np.int16)
    return Feature(profile, codes, numeric=False, levels=[str(shown) for _, shown, _ in levels])


def _numeric(table: LeadTable, profile: ColumnProfile,
             train: npt.NDArray[np.bool_]) -> Feature | None:
    values = _fetch(table, number_sql(f"l.{profile.sql}", profile.decimal_comma),
                    np.float64)
    known = values[train & ~np.isnan(values)]
    if len(known) < MIN_ROWS or known.min() == known.max():
        return None
    # Decile bins stand for the column where a whole column is weighed at once (the leak
    # screen, the reference regression); signals cut it where the data says.
    edges = np.unique(np.quantile(known, np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1]))
    codes = np.searchsorted(edges, values, side="right").astype(np.int16)
    codes[np.isnan(values)] = BLANK
    return Feature(profile, codes, numeric=True, values=values)
