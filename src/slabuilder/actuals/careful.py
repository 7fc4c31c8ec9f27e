# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""The careful read of an export, and the SQL both reads share.

The careful read takes the raw text of the needed columns first (rejecting malformed rows
with their line, retrying a UTF-8 file as cp1252 and a file of mixed line ends with one kind),
settles the shapes of the values over the whole file (the date order, the plain ISO
columns), parses every value, and names the first one that cannot be read with its row and
column.  ``load.py`` uses it when the one-pass read meets a value the first rows did not
show, and ``calibrate`` uses its raw text read for a history of leads.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.actuals.columns import NUMBERS, TIMESTAMPS, ColumnPlan
from slabuilder.actuals.progress import execute_with_progress, large_export
from slabuilder.actuals.reading import DAMAGED_PARQUET, ExportFile, transcode_to_utf8
from slabuilder.actuals.timestamps import (
    DateOrder,
    SlashedDates,
    number_sql,
    quote_literal,
    settle_order,
    slashed_probe_sql,
    timestamp_sql,
)
from slabuilder.errors import ExportError
from slabuilder.interrupts import is_interrupt
from slabuilder.numbertext import SURE_COMMA_SQL, SURE_POINT_SQL, column_decimal_comma
from slabuilder.words import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    import duckdb

_REJECT_MESSAGES = {
    "UNQUOTED VALUE": "has a quote that is never closed",
    "MISSING COLUMNS": "has fewer columns than the header",
    "TOO MANY COLUMNS": "has more columns than the header",
    "INVALID ENCODING": "holds characters that are not valid text in this encoding",
    "LINE SIZE OVER MAXIMUM": "is too long to be a row of an export",
}


def read_text_columns(con: duckdb.DuckDBPyConnection, export: ExportFile, scratch: Path,
                      indices: list[int], table: str, show_progress: bool, *,
                      bad_rows: list[int] | None = None) -> ExportFile:
    """Create ``table`` with the raw text of columns ``indices`` (named ``c<index>``).

    Returns the export actually read (a cp1252 copy when UTF-8 turned out to be wrong).
    A malformed row stops the read with its line, unless ``bad_rows`` is given: then the
    lines of malformed rows are added to it and the rest is read.
    """
    if export.is_parquet:
        _read_parquet_text(con, export, indices, table, show_progress)
        return export
    try:
        _read_csv(con, export, indices, table, show_progress, bad_rows)
    except _InvalidUtf8Error:
        export = ExportFile(export.source, transcode_to_utf8(export.source, "cp1252", scratch),
                            "cp1252", export.delimiter, export.header, export.size_bytes)
        return read_text_columns(con, export, scratch, indices, table, show_progress,
                                 bad_rows=bad_rows)
    except _UnreadableError as error:
        # Line ends mixed within one file (CRLF, LF and CR) stop DuckDB's parser; a copy
        # with one kind of line end reads.  What still fails is refused in our words.
        copy = None
        if not (export.utf8_path.parent == scratch and export.utf8_path.name.startswith("lf-")):
            copy = one_line_end(export.utf8_path, scratch)
        if copy is None:
            raise ExportError(error.message, file=export.source, line=error.line) from None
        export = dataclasses.replace(export, utf8_path=copy)
        return read_text_columns(con, export, scratch, indices, table, show_progress,
                                 bad_rows=bad_rows)
    return export


class _InvalidUtf8Error(Exception):
    pass


class _UnreadableError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def one_line_end(path: Path, scratch: Path) -> Path | None:
    """A copy of ``path`` in ``scratch`` whose every line ends in LF, written chunk by chunk;
    None when ``path`` has no carriage return (the copy would read the same)."""
    target = scratch / f"lf-{len(list(scratch.iterdir()))}.csv"
    changed = False
    with path.open("rb") as reader, target.open("wb") as writer:
        carry = b""
        while chunk := reader.read(1 << 22):
            chunk = carry + chunk
            changed = changed or b"\r" in chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            if carry:
                chunk = chunk[:-1]
            writer.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        writer.write(carry.replace(b"\r", b"\n"))
    if not changed:
        target.unlink()
        return None
    return target


def _read_csv(con: duckdb.DuckDBPyConnection, export: ExportFile, indices: list[int],
              table: str, show_progress: bool, bad_rows: list[int] | None = None) -> None:
    rejects = f"{table}_rejects"
    sql = (f"CREATE OR REPLACE TEMP TABLE {table} AS "
           + export_sql(export, indices, rejects=rejects))
    show = large_export(export, show_progress)
    # Rejects of an earlier attempt (a UTF-8 read retried as cp1252) must not linger.
    con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {table}_scans")
    try:
        execute_with_progress(con, sql, f"Reading {export.source.name}", show)
    except Exception as error:
        if is_interrupt(error):  # Ctrl-C or SIGTERM while DuckDB reads: a stop, not a bad file
            raise
        raise _unreadable(error) from None
    reject = con.execute(f"SELECT line, column_idx, error_type FROM {rejects} "
                         "ORDER BY line LIMIT 1").fetchone()
    if reject is None:
        return
    line, column_index, kind = reject
    if kind == "INVALID ENCODING" and export.encoding in ("utf-8", "utf-8-sig"):
        raise _InvalidUtf8Error
    if bad_rows is not None:
        bad_rows.extend(int(found) for (found,) in con.execute(
            f"SELECT DISTINCT line FROM {rejects} ORDER BY line").fetchall())
        return
    column = (export.header[column_index - 1]
              if isinstance(column_index, int) and 0 < column_index <= len(export.header)
              else "")
    problem = _REJECT_MESSAGES.get(kind, f"cannot be read ({kind.lower()})")
    where = f"row {line}" + (f", column {column!r}" if column else "")
    hint = ("; close the quote or remove it, then export again" if kind == "UNQUOTED VALUE"
            else "; check the export settings and export again")
    # Raised for read_text_columns, which tries once more with one kind of line end (a
    # CR left at the end of a quoted field reads as an unclosed quote) before refusing.
    raise _UnreadableError(f"{where} {problem}{hint}", int(line))


def _unreadable(error: Exception) -> _UnreadableError:
    """DuckDB's refusal of a whole file, in our words, with the line it names if any."""
    found = re.search(r"\bline:?\s*(\d+)", str(error), flags=re.IGNORECASE)
    line = int(found.group(1)) if found else None
    where = f"row {line} " if line else "its rows "
    return _UnreadableError(
        f"cannot be read as a CSV export: {where}do not follow one CSV layout (quotes, "
        "delimiters or line ends change part way); export it again as CSV from the CRM",
        line)


def export_sql(export: ExportFile, indices: list[int], *, rejects: str | None = None,
               types: dict[int, str] | None = None,
               timestamp_format: str | None = None) -> str:
    """SELECT columns ``indices`` (named ``c<index>``) from the export, as text unless
    ``types`` names another type (for a CSV, a TIMESTAMP read with ``timestamp_format``);
    with ``rejects``, malformed CSV rows are stored in that table instead of stopping the
    read."""
    types = types or {}
    if export.is_parquet:
        files = "[" + ", ".join(quote_literal(part) for part in export.parts) + "]"
        return (f"SELECT {', '.join(_parquet_column(export, i, types) for i in indices)} "
                f"FROM read_parquet({files})")
    columns = "{" + ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'"
                              for i in range(len(export.header))) + "}"
    if timestamp_format:
        columns += f", timestampformat = '{timestamp_format}'"
    wanted = ", ".join(f"c{i}" for i in indices)
    stored = (f"store_rejects = true, rejects_table = '{rejects}', "
              f"rejects_scan = '{rejects.removesuffix('_rejects')}_scans', "
              if rejects else "")
    return (f"SELECT {wanted} FROM read_csv("
            f"{quote_literal(export.utf8_path)}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = {quote_literal(export.delimiter)}, quote = '\"', "
            f"escape = '\"', {stored}max_line_size = {MAX_LINE_BYTES}, "
            f"buffer_size = {READ_BUFFER_BYTES}, parallel = true)")


def _parquet_column(export: ExportFile, index: int, types: dict[int, str]) -> str:
    """One Parquet column as ``c<index>``: text, or the type ``types`` asks for.  A time
    with a zone becomes the wall time in the connection's zone, as a CSV's would read."""
    name = '"' + export.header[index].replace('"', '""') + '"'
    return f"CAST({name} AS {types.get(index, 'VARCHAR')}) AS c{index}"


PARQUET_TIMES = ("TIMESTAMP", "DATE")
PARQUET_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                    "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


def _read_parquet_text(con: duckdb.DuckDBPyConnection, export: ExportFile,
                       indices: list[int], table: str, show_progress: bool) -> None:
    import duckdb

    sql = f"CREATE OR REPLACE TEMP TABLE {table} AS " + export_sql(export, indices)
    show = large_export(export, show_progress)
    try:
        execute_with_progress(con, sql, f"Reading {export.source.name}", show)
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except duckdb.Error:
        raise ExportError(DAMAGED_PARQUET, file=export.source) from None


MAX_LINE_BYTES = 10_000_000
"""A row longer than this is not a row of a CRM export (a notes field runs to a few MB)."""
READ_BUFFER_BYTES = 16 << 20
"""The CSV reader's buffer: left to itself, DuckDB sizes it from the longest row allowed
(160 MB a thread here); 16 MB reads as fast with a fraction of the memory."""


def count_of(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


@dataclass(frozen=True)
class Shapes:
    """What one pass over the raw text says about its columns."""

    order: DateOrder | None
    plain: set[int]
    """Timestamp columns whose every value is plain ISO without an offset."""
    given: dict[str, int]
    """Values present in each date or number column (to check that all were read)."""
    commas: frozenset[int] = frozenset()
    """Number columns that write a decimal comma (``2,67``), each decided by its values."""


def _counted(plan: ColumnPlan, name: str) -> str:
    raw = f"c{plan.columns[name]}"
    if name == "opportunity_at" and plan.opportunity_flag is not None:
        return f"count({raw}) FILTER (WHERE c{plan.opportunity_flag} IS NOT NULL)"
    return f"count({raw})"


def plain_iso_sql(raw: str) -> str:
    """SQL: the text ``raw`` is a plain ISO time, 10, 16 or 19 bytes with a dash at the
    fifth; anything else (an offset, a Z, a slash, AM/PM) takes the slower, careful path."""
    return f"(strlen({raw}) IN (10, 16, 19) AND substr({raw}, 5, 1) = '-')"


def within_years_sql(earliest: str, latest: str | None = None) -> str:
    """SQL: the times ``earliest`` to ``latest`` (one time when only ``earliest`` is given)
    fall within the years every date of slabuilder lives in."""
    return (f"{earliest} >= TIMESTAMP '{FIRST_YEAR}-01-01' AND "
            f"{latest or earliest} < TIMESTAMP '{LAST_YEAR + 1}-01-01'")


def probe(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, given: DateOrder | None,
           export: ExportFile, table: str = "raw") -> Shapes:
    """The date order of slashed values, the plain ISO columns and the counts of values."""
    checked = [name for name in plan.columns if name in TIMESTAMPS or name in NUMBERS]
    stamped = sorted({plan.columns[name] for name in checked if name in TIMESTAMPS})
    probes = [f"count(*) FILTER (WHERE NOT {plain_iso_sql(f'c{i}')})" for i in stamped]
    probes += [_counted(plan, name) for name in checked]
    values = con.execute("SELECT " + ", ".join(probes) + f" FROM {table}").fetchone() \
        if probes else ()
    values = values or ()
    odd = dict(zip(stamped, values[:len(stamped)], strict=True))
    counts = dict(zip(checked, (int(v) for v in values[len(stamped):]), strict=True))
    plain = {index for index, count in odd.items() if not count}
    suspects = [index for index, count in odd.items() if count]
    commas = _decimal_commas(con, plan, export, table)
    if not suspects:
        return Shapes(given, plain, counts, commas)
    probes_sql = ", ".join(slashed_probe_sql(f"c{i}") for i in suspects)
    found = con.execute(f"SELECT {probes_sql} FROM {table}").fetchone() or ()
    slashed = [SlashedDates(export.header[index], int(found[4 * k] or 0), found[4 * k + 1],
                            found[4 * k + 2], found[4 * k + 3])
               for k, index in enumerate(suspects)]
    return Shapes(settle_order(slashed, given, str(export.source)), plain, counts, commas)


def _decimal_commas(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, export: ExportFile,
                    table: str) -> frozenset[int]:
    """The number columns that write a decimal comma, each decided by its own values (a
    ``;`` file may well write ``2.67``); a column that writes both marks is refused, naming
    it and a value of each kind, since either reading would change some figures silently."""
    numbers = sorted({plan.columns[name] for name in plan.columns if name in NUMBERS})
    if not numbers or export.is_parquet:
        return frozenset()
    probes = []
    for index in numbers:
        c = f"c{index}"
        probes += [f"min({c}) FILTER (WHERE regexp_full_match(trim({c}), {SURE_COMMA_SQL}))",
                   f"min({c}) FILTER (WHERE regexp_full_match(trim({c}), {SURE_POINT_SQL}))"]
    found = con.execute("SELECT " + ", ".join(probes) + f" FROM {table}").fetchone() or ()
    commas = set()
    for k, index in enumerate(numbers):
        comma, point = found[2 * k], found[2 * k + 1]
        decided = column_decimal_comma(int(comma is not None), int(point is not None),
                                       export.delimiter)
        if decided is None:
            raise ExportError(f"column {export.header[index]!r} writes decimals both ways "
                              f"({comma!r} with a comma, {point!r} with a point), so its "
                              "figures cannot be read safely; export it again with one "
                              "decimal mark", file=export.source)
        if decided:
            commas.add(index)
    return frozenset(commas)


def canonical_sql(plan: ColumnPlan, name: str, order: DateOrder | None, company_zone: str,
                   naive_zone: str, commas: frozenset[int], plain: set[int],
                   typed: frozenset[int] = frozenset()) -> str:
    """SQL for canonical field ``name`` from its column ``c<index>``: raw text, or a value
    the CSV reader already parsed when the index is in ``typed``."""
    index = plan.columns[name]
    raw = f"c{index}"
    if name in TIMESTAMPS:
        parsed = timestamp_sql(raw, order, company_zone, naive_zone,
                               plain_iso=index in plain, typed=index in typed)
        if name == "opportunity_at" and plan.opportunity_flag is not None:
            return (f"CASE WHEN nullif(trim(c{plan.opportunity_flag}), '') IS NOT NULL "
                    f"THEN {parsed} END")
        return parsed
    if name in NUMBERS:
        return raw if index in typed else number_sql(raw, index in commas)
    return raw if index in typed else f"nullif(trim({raw}), '')"


def parse_raw(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, shapes: Shapes,
           company_zone: str, naive_zone: str, export: ExportFile) -> None:
    order, plain = shapes.order, shapes.plain
    selected = [canonical_sql(plan, name, order, company_zone, naive_zone, shapes.commas,
                               plain) + f" AS {name}" for name in plan.columns]
    con.execute("CREATE OR REPLACE TEMP TABLE leads AS SELECT " + ", ".join(selected)
                + " FROM raw")
    checks = [(name, f"c{plan.columns[name]}") for name in plan.columns
              if name in TIMESTAMPS or name in NUMBERS]
    if checks:
        _report_unreadable(con, plan, checks, shapes.given, export)
    _report_out_of_range(con, plan, export)
    con.execute("DROP TABLE raw")


def _first_row(export: ExportFile) -> int:
    """The number of the first row of data: 2 in a CSV (under its header), 1 in Parquet."""
    return 1 if export.is_parquet else 2


def _line(export: ExportFile, row: Any) -> int | None:
    """The line to name in a message: a CSV row's; a Parquet file has none."""
    return None if export.is_parquet else int(row)


def _report_out_of_range(con: duckdb.DuckDBPyConnection, plan: ColumnPlan,
                         export: ExportFile) -> None:
    """Name the first date outside the years every date of slabuilder lives in: beyond
    them a value is a typo (0027 for 2027) and would overflow the calendar."""
    stamps = [name for name in plan.columns if name in TIMESTAMPS]
    if not stamps:
        return
    outside = [f"NOT ({within_years_sql(f'l.{name}')})" for name in stamps]
    # Cheap first: one pass over the parsed table; the join to the raw text only on a find.
    if not count_of(con, "SELECT count(*) FROM leads l WHERE " + " OR ".join(outside)):
        return
    which = " ".join(f"WHEN coalesce({cond}, false) THEN '{name}'"
                     for cond, name in zip(outside, stamps, strict=True))
    values = " ".join(f"WHEN coalesce({cond}, false) THEN r.c{plan.columns[name]}"
                      for cond, name in zip(outside, stamps, strict=True))
    found = con.execute(
        f"SELECT r.rowid + {_first_row(export)} AS row, CASE {which} END, CASE {values} END "
        "FROM raw r POSITIONAL JOIN leads l "
        f"WHERE {' OR '.join(outside)} ORDER BY row LIMIT 1").fetchone()
    if found is None:
        return
    row, name, value = found
    raise ExportError(f"row {row}, column {plan.label(name)!r}: {value!r} is not a date "
                      f"between {FIRST_YEAR} and {LAST_YEAR}; correct it in the export and run "
                      "again", file=export.source, line=_line(export, row))


def _report_unreadable(con: duckdb.DuckDBPyConnection, plan: ColumnPlan,
                       checks: list[tuple[str, str]], given: dict[str, int],
                       export: ExportFile) -> None:
    conditions = [f"(nullif(trim(r.{raw}), '') IS NOT NULL AND l.{name} IS NULL"
                  + (f" AND nullif(trim(r.c{plan.opportunity_flag}), '') IS NOT NULL"
                     if name == "opportunity_at" and plan.opportunity_flag is not None else "")
                  + ")" for name, raw in checks]
    # Cheap first: as many values read as there were (blank cells aside), nothing to report.
    read = con.execute("SELECT " + ", ".join(f"count({name})" for name, _ in checks)
                       + " FROM leads").fetchone() or ()
    if tuple(read) == tuple(given[name] for name, _ in checks):
        return
    which = " ".join(f"WHEN {cond} THEN '{name}'" for cond, (name, _) in
                     zip(conditions, checks, strict=True))
    values = " ".join(f"WHEN {cond} THEN r.{raw}" for cond, (_, raw) in
                      zip(conditions, checks, strict=True))
    found = con.execute(
        f"SELECT r.rowid + {_first_row(export)} AS row, CASE {which} END, CASE {values} END "
        "FROM raw r POSITIONAL JOIN leads l "
        f"WHERE {' OR '.join(conditions)} ORDER BY row LIMIT 1").fetchone()
    if found is None:
        return
    row, name, value = found
    column = plan.label(name)
    kind = "a date and time" if name in TIMESTAMPS else "a number"
    raise ExportError(f"row {row}, column {column!r}: {value!r} cannot be read as {kind}; "
                      "correct it in the export (or --map another column) and run again",
                      file=export.source, line=_line(export, row))
