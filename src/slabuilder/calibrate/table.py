# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""A lead file (history or leads to score) as one DuckDB table of cleaned text columns.

Read with the actuals' reader (encodings, delimiters, malformed rows set aside and counted);
placeholder values such as "Select", "Unknown" or "N/A" become missing.  Each column is then
profiled once: how many values, how many distinct, whether they read as numbers, dates or
e-mail addresses, so that identifiers, e-mail addresses, dates and constants are left out of
the model with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from slabuilder.actuals.careful import read_text_columns
from slabuilder.actuals.load import connect
from slabuilder.actuals.reading import ExportFile, open_export
from slabuilder.actuals.timestamps import number_sql, quote_literal
from slabuilder.errors import ExportError
from slabuilder.numbertext import SURE_COMMA_SQL, SURE_POINT_SQL, column_decimal_comma

if TYPE_CHECKING:
    import duckdb

PLACEHOLDERS = ("", "select", "unknown", "n/a", "na", "none", "null", "nil", "nan", "-", "--",
                "?", "not provided", "not specified", "not available", "(none)", "(blank)",
                "(not set)")
"""Values a form or a CRM writes when nobody answered: missing, never a category."""

ColumnKind = Literal["empty", "constant", "id", "email", "text", "date", "number", "category"]

_ID_NAME = re.compile(r"(^|[\s_\-.])(id|uuid|guid|key|number|no)$|^id$", re.IGNORECASE)


def cleaned(raw: str) -> str:
    """SQL for a raw text column with placeholders as NULL and spaces trimmed."""
    values = ", ".join(quote_literal(value) for value in PLACEHOLDERS)
    return f"CASE WHEN lower(trim({raw})) IN ({values}) THEN NULL ELSE trim({raw}) END"


@dataclass(frozen=True)
class ColumnProfile:
    index: int
    name: str
    kind: ColumnKind
    values: int
    distinct: int
    decimal_comma: bool = False
    """Numbers in this column are written ``2,67`` (read from the values themselves: a
    semicolon-separated file may well use decimal points)."""
    id_reason: str | None = None
    """Why a column of numbers was taken for a row identifier, when it was."""
    numbers: bool = False
    """Nearly every value reads as a number (a count or a rating is ordered, even when it
    has few distinct values)."""

    @property
    def sql(self) -> str:
        return f"c{self.index}"


@dataclass
class LeadTable:
    """The ``leads`` table: ``rid`` (0-based order in the file) and cleaned ``c<i>`` columns."""

    con: duckdb.DuckDBPyConnection
    file: ExportFile
    rows: int
    bad_rows: list[int]
    columns: list[ColumnProfile] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return self.file.header

    def column(self, name: str, *, option: str) -> ColumnProfile:
        """The column called ``name`` (case and spaces aside), or a clear error."""
        wanted = name.strip().lower()
        for profile in self.columns:
            if profile.name.strip().lower() == wanted:
                return profile
        shown = ", ".join(repr(p.name) for p in self.columns[:12])
        raise ExportError(f"{option} {name!r} is not a column of this file; its columns are "
                          f"{shown}", file=self.file.source, line=1)

    def number(self, profile: ColumnProfile) -> str:
        return number_sql(profile.sql, profile.decimal_comma)


def read_lead_table(source: Path, scratch: Path, *, show_progress: bool = False,
                    what: str = "--history") -> LeadTable:
    """Read every column of ``source`` into the ``leads`` table and profile the columns."""
    if not source.exists():
        raise ExportError(f"no such file; check the path given to {what}", file=source)
    export = open_export(source, scratch)
    con = connect("UTC", scratch)
    bad_rows: list[int] = []
    indices = list(range(len(export.header)))
    export = read_text_columns(con, export, scratch, indices, "raw", show_progress,
                               bad_rows=bad_rows)
    columns = ", ".join(f"{cleaned(f'c{i}')} AS c{i}" for i in indices)
    con.execute(f"CREATE OR REPLACE TEMP TABLE leads AS SELECT rowid AS rid, {columns} "
                "FROM raw")
    con.execute("DROP TABLE raw")
    row = con.execute("SELECT count(*) FROM leads").fetchone()
    table = LeadTable(con, export, int(row[0]) if row else 0, bad_rows)
    table.columns = _profile(table)
    return table




def _profile(table: LeadTable) -> list[ColumnProfile]:
    probes = []
    for index in range(len(table.header)):
        c = f"c{index}"
        probes += [f"count({c})", f"approx_count_distinct(lower({c}))",
                   f"count(*) FILTER (WHERE regexp_full_match({c}, "
                   r"'[-+]?[$€£]?\s?[0-9][0-9,. ]*%?'))",
                   f"count(*) FILTER (WHERE {c} LIKE '%_@_%._%')",
                   f"count(*) FILTER (WHERE regexp_full_match({c}, "
                   r"'[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}([ T].*)?'))",
                   f"count(*) FILTER (WHERE regexp_full_match({c}, {SURE_COMMA_SQL}))",
                   f"count(*) FILTER (WHERE regexp_full_match({c}, {SURE_POINT_SQL}))"]
    width = 7
    found = table.con.execute("SELECT " + ", ".join(probes) + " FROM leads").fetchone() or ()
    profiles = []
    for index, name in enumerate(table.header):
        values, distinct, numeric, emails, dates, commas, points = (
            int(v or 0) for v in found[width * index:width * (index + 1)])
        if values:
            distinct = max(1, min(distinct, values))
        # Each column speaks for itself; only where its values cannot tell (1.000, or no
        # fraction at all) does the file's delimiter decide, as a spreadsheet's locale would.
        # A column that writes both is left to the delimiter here: a history has many
        # columns, and the model reads only those that separate converters.
        comma = column_decimal_comma(commas, points, table.file.delimiter)
        comma = table.file.delimiter == ";" if comma is None else comma
        kind = _kind(name, values, distinct, numeric, emails, dates, table.rows)
        profile = ColumnProfile(index, name, kind, values, distinct, comma,
                                numbers=bool(values) and numeric >= values * 0.95)
        if kind in ("number", "category") and numeric >= values * 0.95 \
                and distinct >= values * 0.9 and values >= 50:
            profile = _maybe_row_number(table, profile)
        profiles.append(profile)
    return profiles


def _maybe_row_number(table: LeadTable, profile: ColumnProfile) -> ColumnProfile:
    """A column of numbers that names rows rather than describing leads, found by what it
    holds (whatever it is called): a different whole number in every row, or numbers that
    rise or fall with the order of the rows."""
    number = table.number(profile)
    row = table.con.execute(
        f"SELECT count(DISTINCT {number}), count(*) FILTER (WHERE {number} = round({number})), "
        f"count({number}), corr({number}, rid) FROM leads").fetchone()
    distinct, whole, counted, order = (row or (0, 0, 0, None))
    if not counted:
        return profile
    reason = None
    if distinct == counted and whole == counted:
        reason = "holds a different whole number in every row (a record number)"
    elif order is not None and abs(float(order)) >= 0.98 and distinct >= counted * 0.95:
        reason = "rises with the order of the rows (a row or record number)"
    if reason is None:
        return profile
    return ColumnProfile(profile.index, profile.name, "id", profile.values, profile.distinct,
                         profile.decimal_comma, reason, profile.numbers)


def _kind(name: str, values: int, distinct: int, numeric: int, emails: int, dates: int,
          rows: int) -> ColumnKind:
    if not values:
        return "empty"
    if distinct == 1:
        return "constant"
    if emails >= values / 2:
        return "email"
    if _ID_NAME.search(name.strip()):
        return "id"
    if dates >= values * 0.9:
        return "date"
    if numeric >= values * 0.95:
        return "number" if distinct > 12 else "category"
    if distinct > max(200, values // 2):
        return "text"
    return "category"


KIND_REASONS: dict[str, str] = {
    "empty": "empty in every row",
    "constant": "holds a single value, so it tells no lead from another",
    "id": "identifies a row (an id or number), which predicts nothing",
    "email": "holds e-mail addresses, which identify a person",
    "text": "mostly unique values (free text or an identifier)",
    "date": "holds dates; give it as --date-column to test on the newest leads",
}
