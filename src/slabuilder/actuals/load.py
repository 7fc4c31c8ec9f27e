# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""Loading an export into DuckDB as one typed table of leads in canonical fields.

The export is read once: its needed columns are parsed as they stream in, with the shapes
of the values (the date order, which columns hold plain ISO times) learnt from the first
rows, and every value checked against those shapes in the same pass.  A value that does not
fit stops that pass; the careful way then reads the raw text, settles the shapes over the
whole file and names the first value that cannot be read, with its row and column.  Rows
without a lead id, repeated ids and rows with no funnel date are counted and set aside.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.actuals.calendar import BusinessClock, business_minutes_sql, create_calendar
from slabuilder.actuals.columns import (
    NUMBERS,
    STAGE_COLUMNS,
    TASK_COLUMNS,
    TIMESTAMPS,
    ColumnPlan,
)
from slabuilder.actuals.progress import LARGE_FILE_BYTES, execute_with_progress, status
from slabuilder.actuals.reading import ExportFile, open_export, transcode_to_utf8
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


@dataclass
class LoadedExport:
    """The ``funnel`` view in DuckDB, and what happened to the rows on the way in."""

    con: duckdb.DuckDBPyConnection
    file: ExportFile
    plan: ColumnPlan
    rows_read: int
    exclusions: list[tuple[str, int]]
    available: set[str]
    first_day: dt.date | None
    last_day: dt.date | None
    notes: list[str] = field(default_factory=list)
    tasks_file: ExportFile | None = None
    source_table: str = "leads"
    """The table of kept rows under the ``funnel`` view."""

    @property
    def rows_used(self) -> int:
        return self.rows_read - sum(count for _, count in self.exclusions)


def connect(naive_zone: str, scratch: Path) -> duckdb.DuckDBPyConnection:
    import duckdb

    from slabuilder.limits import actuals_memory_bytes

    con = duckdb.connect(config={"memory_limit": f"{actuals_memory_bytes() // 2**20}MiB",
                                 "temp_directory": str(scratch),
                                 "preserve_insertion_order": True})
    con.execute(f"SET TimeZone = {quote_literal(naive_zone)}")
    # Our own bar shows progress, where a terminal shows one; DuckDB's stays off.
    con.execute("SET enable_progress_bar = false")
    return con


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
    show = _large(export, show_progress)
    # Rejects of an earlier attempt (a UTF-8 read retried as cp1252) must not linger.
    con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {table}_scans")
    try:
        execute_with_progress(con, sql, f"Reading {export.source.name}", show)
    except Exception as error:
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


_PARQUET_TIMES = ("TIMESTAMP", "DATE")
_PARQUET_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                    "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")


def _read_parquet_text(con: duckdb.DuckDBPyConnection, export: ExportFile,
                       indices: list[int], table: str, show_progress: bool) -> None:
    import duckdb

    sql = f"CREATE OR REPLACE TEMP TABLE {table} AS " + export_sql(export, indices)
    show = _large(export, show_progress)
    try:
        execute_with_progress(con, sql, f"Reading {export.source.name}", show)
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except duckdb.Error as error:
        raise ExportError(f"cannot be read as Parquet ({str(error).splitlines()[0]}); "
                          "unload the table again", file=export.source) from None


MAX_LINE_BYTES = 10_000_000
"""A row longer than this is not a row of a CRM export (a notes field runs to a few MB)."""
READ_BUFFER_BYTES = 16 << 20
"""The CSV reader's buffer: left to itself, DuckDB sizes it from the longest row allowed
(160 MB a thread here); 16 MB reads as fast with a fraction of the memory."""


def load_export(source: Path, scratch: Path, plan_for: Any, *, clock: BusinessClock,
                company_zone: str, naive_zone: str, date_order: DateOrder | None,
                show_progress: bool, tasks: Path | None = None) -> LoadedExport:
    """Read ``source`` under the ``funnel`` view; ``plan_for(header)`` picks the columns."""
    export = open_export(source, scratch)
    plan: ColumnPlan = plan_for(export.header)
    check_room(export, plan, scratch)
    con = connect(naive_zone, scratch)
    # Out of file order the read is quicker; only repeated ids need the order back.
    for in_order in (False, True):
        read, ordered = _read_leads(con, export, plan, scratch, company_zone, naive_zone,
                                    date_order, show_progress, in_order)
        loaded = LoadedExport(con, read, plan, 0, [], set(plan.columns), None, None,
                              list(plan.notes))
        with status("Checking the rows read", _large(export, show_progress)):
            if _inspect(loaded, ordered):
                break
        _drop_leads(con)
    if tasks is not None:
        _join_tasks(loaded, tasks, scratch, company_zone, naive_zone, date_order, show_progress)
    _add_business_time(loaded, clock)
    return loaded


def working_bytes(export: ExportFile, plan: ColumnPlan) -> int:
    """About the most the tables of ``export`` take, in memory and the scratch folder.

    A CSV's typed table is smaller than its text (only the needed columns are kept), so the
    file's size is a safe bound; a Parquet file is compressed, so its rows are counted (from
    its footer, without reading them) at a generous 32 bytes a needed column."""
    if not export.is_parquet:
        return export.size_bytes
    import duckdb

    files = "[" + ", ".join(quote_literal(part) for part in export.parts) + "]"
    rows = duckdb.connect().execute(
        f"SELECT sum(num_rows) FROM parquet_file_metadata({files})").fetchone()
    return int(rows[0] or 0) * 32 * len(_indices(plan)) if rows else 0


def check_room(export: ExportFile, plan: ColumnPlan, scratch: Path) -> None:
    """Refuse up front an export whose tables fit neither the memory DuckDB may use nor the
    disk space of the scratch folder, rather than fail after minutes of reading."""
    import shutil

    from slabuilder.fsutil import describe_size
    from slabuilder.limits import MEMORY_ENV, actuals_memory_bytes

    need = working_bytes(export, plan)
    memory = actuals_memory_bytes()
    free = shutil.disk_usage(scratch).free
    if need <= memory or need - memory <= free * 0.8:
        return
    raise ExportError(
        f"needs about {describe_size(need)} of working space for its tables, more than "
        f"{describe_size(memory)} of memory and the {describe_size(free)} free in "
        f"{scratch.parent}; free disk space there, point TMPDIR at a larger disk, raise "
        f"{MEMORY_ENV} (e.g. {MEMORY_ENV}=4GB), or export fewer months", file=export.source)


@contextlib.contextmanager
def refusing_exhaustion(source: Path) -> Iterator[None]:
    """Turn DuckDB running out of memory and scratch space into a message that says what
    to do (the up-front estimate can be beaten by an unusual export)."""
    import duckdb

    from slabuilder.limits import MEMORY_ENV

    try:
        yield
    except duckdb.OutOfMemoryException:
        raise ExportError(
            "ran out of memory and scratch space while measuring it; raise "
            f"{MEMORY_ENV} (e.g. {MEMORY_ENV}=4GB), free disk space in the temporary "
            "folder (or point TMPDIR at a larger disk), or export fewer months",
            file=source) from None


def _large(export: ExportFile, show_progress: bool) -> bool:
    """Whether to show progress for this export: asked for, and large enough to wait on."""
    return show_progress and export.size_bytes >= LARGE_FILE_BYTES


def _indices(plan: ColumnPlan) -> list[int]:
    return sorted(set(plan.columns.values()) | (
        {plan.opportunity_flag} if plan.opportunity_flag is not None else set()))


def _read_leads(con: duckdb.DuckDBPyConnection, export: ExportFile, plan: ColumnPlan,
                scratch: Path, company_zone: str, naive_zone: str,
                date_order: DateOrder | None, show_progress: bool,
                in_order: bool) -> tuple[ExportFile, bool]:
    """Create the typed ``leads`` table; return the export as it was read (a UTF-8 or
    one-line-end copy when the careful way needed one) and whether the table is in file
    order (the careful way always is; the quick one when ``in_order``)."""
    import duckdb

    quick = _first_rows_shapes(con, export, plan, date_order)
    if quick is not None:
        try:
            con.execute(f"SET preserve_insertion_order = {str(in_order).lower()}")
            _read_parsed(con, export, plan, quick, company_zone, naive_zone, show_progress,
                         as_view=export.is_parquet and not in_order)
            return export, in_order
        except (duckdb.InterruptException, duckdb.OutOfMemoryException):
            raise
        except duckdb.Error:
            con.execute("DROP TABLE IF EXISTS leads")
        finally:
            con.execute("SET preserve_insertion_order = true")
    export = read_text_columns(con, export, scratch, _indices(plan), "raw", show_progress)
    _parse(con, plan, _probe(con, plan, date_order, export), company_zone, naive_zone, export)
    return export, True


FIRST_ROWS = 20_000
"""Rows read first to learn the shapes of the values."""

_ISO_FORMATS = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S"}


@dataclass(frozen=True)
class _QuickRead:
    """How the one pass reads: the shapes of the first rows, and the columns the CSV reader
    parses itself (plain ISO times of one length, plain numbers)."""

    shapes: _Shapes
    typed: dict[int, str]
    timestamp_format: str | None


def _first_rows_shapes(con: duckdb.DuckDBPyConnection, export: ExportFile, plan: ColumnPlan,
                       date_order: DateOrder | None) -> _QuickRead | None:
    """The shapes of the first rows' values; None when the first rows cannot be read or do
    not settle the date order (the careful way then decides over the whole file)."""
    import duckdb

    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE first_rows AS SELECT * FROM "
                    f"({export_sql(export, _indices(plan))}) LIMIT {FIRST_ROWS}")
        shapes = _probe(con, plan, date_order, export, "first_rows")
        if export.is_parquet:
            return _parquet_read(plan, shapes, export)
        return _quick_read(con, plan, shapes, export.delimiter == ";")
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except (duckdb.Error, ExportError):
        return None
    finally:
        con.execute("DROP TABLE IF EXISTS first_rows")


def _quick_read(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, shapes: _Shapes,
                decimal_comma: bool) -> _QuickRead:
    """Which columns the CSV reader can parse itself, judged on the first rows: plain ISO
    times all of one length (the most common one wins a format), and numbers a plain cast
    reads.  A later value that does not fit stops the pass, and the careful way takes over."""
    stamps = sorted(index for index in shapes.plain if index in plan.columns.values())
    numbers = [] if decimal_comma else sorted(
        plan.columns[name] for name in plan.columns if name in NUMBERS)
    probes = [f"min(strlen(c{i})), max(strlen(c{i}))" for i in stamps]
    probes += [f"count(c{i}) = count(TRY_CAST(trim(c{i}) AS DOUBLE))" for i in numbers]
    found = con.execute(f"SELECT {', '.join(probes)} FROM first_rows").fetchone() \
        if probes else ()
    found = found or ()
    lengths = {index: found[2 * k] for k, index in enumerate(stamps)
               if found[2 * k] is not None and found[2 * k] == found[2 * k + 1]}
    typed: dict[int, str] = {index: "DOUBLE" for k, index in enumerate(numbers)
                             if found[2 * len(stamps) + k]}
    timestamp_format = None
    if lengths:
        common = max(sorted(set(lengths.values())), key=list(lengths.values()).count)
        timestamp_format = _ISO_FORMATS[common]
        typed |= {index: "TIMESTAMP" for index, length in lengths.items() if length == common}
    return _QuickRead(shapes, typed, timestamp_format)


def _parquet_read(plan: ColumnPlan, shapes: _Shapes, export: ExportFile) -> _QuickRead:
    """A Parquet export's typed columns are read as they are: times (with or without a
    zone) and dates as times, numbers as numbers; text columns are parsed as a CSV's."""
    typed: dict[int, str] = {}
    for name, index in plan.columns.items():
        kind = export.types[index].upper()
        if name in TIMESTAMPS and kind.startswith(_PARQUET_TIMES):
            typed[index] = "TIMESTAMP"
        elif name in NUMBERS and kind.startswith(_PARQUET_NUMBERS):
            typed[index] = "DOUBLE"
    return _QuickRead(shapes, typed, None)


def _read_parsed(con: duckdb.DuckDBPyConnection, export: ExportFile, plan: ColumnPlan,
                 quick: _QuickRead, company_zone: str, naive_zone: str,
                 show_progress: bool, *, as_view: bool = False) -> None:
    """Read and parse in one pass; a value that does not fit ``quick`` raises an error.
    ``as_view``: check every value in that pass, and make ``leads`` a view that parses
    again whatever a later query reads."""
    decimal_comma = export.delimiter == ";"
    shapes, typed = quick.shapes, frozenset(quick.typed)
    parsed = [_canonical_sql(plan, name, shapes.order, company_zone, naive_zone,
                             decimal_comma, shapes.plain, typed) + f" AS {name}"
              for name in plan.columns]
    fits = [_fits_sql(plan, name, shapes, typed) for name in plan.columns
            if name in TIMESTAMPS or (name in NUMBERS and plan.columns[name] not in typed)]
    # The raw text rides along only as far as the check; the table holds parsed values.
    raw = [f"c{i} AS r{i}" for i in _indices(plan)]
    check = (" WHERE CASE WHEN " + " AND ".join(fits)
             + " THEN true ELSE error('a value does not fit the first rows') END"
             if fits else "")
    source = export_sql(export, _indices(plan), types=quick.typed,
                        timestamp_format=quick.timestamp_format)
    rows = f"(SELECT {', '.join(parsed + raw)} FROM ({source}))"
    show = _large(export, show_progress)
    if as_view:
        # Parquet is columnar: each later query reads only its own columns from the file,
        # so the parsed rows need not be held at all, once one pass has checked them.
        execute_with_progress(con, f"SELECT count(*) FROM {rows}{check}",
                              f"Reading {export.source.name}", show)
        con.execute(f"CREATE OR REPLACE TEMP VIEW leads AS SELECT {', '.join(plan.columns)} "
                    f"FROM {rows}")
        return
    sql = (f"CREATE OR REPLACE TEMP TABLE leads AS SELECT {', '.join(plan.columns)} "
           f"FROM {rows}{check}")
    execute_with_progress(con, sql, f"Reading {export.source.name}", show)


def _drop_leads(con: duckdb.DuckDBPyConnection) -> None:
    """Drop ``leads``, a table or (for Parquet) a view."""
    found = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'leads' "
                        "AND temporary").fetchone()
    con.execute("DROP VIEW leads" if found and found[0] else "DROP TABLE leads")


def _fits_sql(plan: ColumnPlan, name: str, shapes: _Shapes, typed: frozenset[int]) -> str:
    """SQL over the parsed ``name`` and its raw value ``r<index>``: true when the value
    reads as the careful way would read it.  Blank, or parsed; for a date, within the
    years slabuilder knows, plain ISO where the first rows were, and not a slashed date
    when nothing settled their order."""
    index = plan.columns[name]
    raw = f"r{index}"
    if index in typed:
        blank = f"{name} IS NULL"
    else:
        blank = f"nullif(trim({raw}), '') IS NULL"
        if name == "opportunity_at" and plan.opportunity_flag is not None:
            blank += f" OR nullif(trim(r{plan.opportunity_flag}), '') IS NULL"
    if name in NUMBERS:
        return f"({blank} OR {name} IS NOT NULL)"
    checks = [f"{name} >= TIMESTAMP '{FIRST_YEAR}-01-01'",
              f"{name} < TIMESTAMP '{LAST_YEAR + 1}-01-01'"]
    if index in shapes.plain and index not in typed:
        checks.append(f"strlen({raw}) IN (10, 16, 19) AND substr({raw}, 5, 1) = '-'")
    elif index not in shapes.plain and shapes.order is None:
        checks.append(f"NOT contains({raw}, '/')")
    return f"({blank} OR ({' AND '.join(checks)}))"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


@dataclass(frozen=True)
class _Shapes:
    """What one pass over the raw text says about its columns."""

    order: DateOrder | None
    plain: set[int]
    """Timestamp columns whose every value is plain ISO without an offset."""
    given: dict[str, int]
    """Values present in each date or number column (to check that all were read)."""


def _counted(plan: ColumnPlan, name: str) -> str:
    raw = f"c{plan.columns[name]}"
    if name == "opportunity_at" and plan.opportunity_flag is not None:
        return f"count({raw}) FILTER (WHERE c{plan.opportunity_flag} IS NOT NULL)"
    return f"count({raw})"


def _probe(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, given: DateOrder | None,
           export: ExportFile, table: str = "raw") -> _Shapes:
    """The date order of slashed values, the plain ISO columns and the counts of values."""
    checked = [name for name in plan.columns if name in TIMESTAMPS or name in NUMBERS]
    stamped = sorted({plan.columns[name] for name in checked if name in TIMESTAMPS})
    # Plain ISO is 10, 16 or 19 bytes with a dash at the fifth; anything else (an offset,
    # a Z, a slash, AM/PM) takes the slower, careful path.
    probes = [f"count(*) FILTER (WHERE strlen(c{i}) NOT IN (10, 16, 19) "
              f"OR substr(c{i}, 5, 1) <> '-')" for i in stamped]
    probes += [_counted(plan, name) for name in checked]
    values = con.execute("SELECT " + ", ".join(probes) + f" FROM {table}").fetchone() \
        if probes else ()
    values = values or ()
    odd = dict(zip(stamped, values[:len(stamped)], strict=True))
    counts = dict(zip(checked, (int(v) for v in values[len(stamped):]), strict=True))
    plain = {index for index, count in odd.items() if not count}
    suspects = [index for index, count in odd.items() if count]
    if not suspects:
        return _Shapes(given, plain, counts)
    probes_sql = ", ".join(slashed_probe_sql(f"c{i}") for i in suspects)
    found = con.execute(f"SELECT {probes_sql} FROM {table}").fetchone() or ()
    slashed = [SlashedDates(export.header[index], int(found[4 * k] or 0), found[4 * k + 1],
                            found[4 * k + 2], found[4 * k + 3])
               for k, index in enumerate(suspects)]
    return _Shapes(settle_order(slashed, given, str(export.source)), plain, counts)


def _canonical_sql(plan: ColumnPlan, name: str, order: DateOrder | None, company_zone: str,
                   naive_zone: str, decimal_comma: bool, plain: set[int],
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
        return raw if index in typed else number_sql(raw, decimal_comma)
    return f"nullif(trim({raw}), '')"


def _parse(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, shapes: _Shapes,
           company_zone: str, naive_zone: str, export: ExportFile) -> None:
    order, plain = shapes.order, shapes.plain
    decimal_comma = export.delimiter == ";"
    selected = [_canonical_sql(plan, name, order, company_zone, naive_zone, decimal_comma,
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


# Dates a CRM export can hold are the years every date of slabuilder lives in; beyond them
# a value is a typo (0027 for 2027) and would overflow the calendar.


def _report_out_of_range(con: duckdb.DuckDBPyConnection, plan: ColumnPlan,
                         export: ExportFile) -> None:
    stamps = [name for name in plan.columns if name in TIMESTAMPS]
    if not stamps:
        return
    outside = [f"NOT (l.{name} >= TIMESTAMP '{FIRST_YEAR}-01-01' AND "
               f"l.{name} < TIMESTAMP '{LAST_YEAR + 1}-01-01')" for name in stamps]
    # Cheap first: one pass over the parsed table; the join to the raw text only on a find.
    if not _count(con, "SELECT count(*) FROM leads l WHERE " + " OR ".join(outside)):
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


# Fields kept even when empty: without them there is nothing to count at all.
_ALWAYS_KEPT = frozenset({"lead_id", "mql_at"})


def _inspect(loaded: LoadedExport, ordered: bool) -> bool:
    """One pass over the parsed rows: the rows read, the columns empty in every row and the
    rows set aside (no lead id, a repeated id, no funnel date).  False, with nothing done,
    when ids repeat in a table not in file order (the first row of an id cannot be told).

    A column that holds no value in any row counts as absent ("not in export"), not as
    zero: an export template with an unused SAL date column must not report 0% accepted.
    Set-aside rows are left out by the ``kept`` view (no copy of a million rows)."""
    con, plan = loaded.con, loaded.plan
    names = [name for name in plan.columns if name not in _ALWAYS_KEPT]
    stages = [column for column in STAGE_COLUMNS.values() if plan.has(column)]
    any_stage = " OR ".join(f"{column} IS NOT NULL" for column in stages) or "false"
    kept = f"lead_id IS NOT NULL AND ({any_stage})"
    # Distinct hashes prove distinct ids, and a table of numbers is quicker to build than
    # one of strings; only when two hashes meet are the ids themselves counted.
    found = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE lead_id IS NULL), count(lead_id), "
        "count(DISTINCT hash(lead_id)) FILTER (WHERE lead_id IS NOT NULL), "
        f"count(*) FILTER (WHERE lead_id IS NOT NULL AND NOT ({any_stage}))"
        + "".join(f", count({name})" for name in names) + " FROM leads").fetchone()
    assert found is not None
    rows, blank, ids, distinct, no_stage = (int(value) for value in found[:5])
    if distinct != ids:
        distinct = _count(con, "SELECT count(DISTINCT lead_id) FROM leads")
    repeated = ids - distinct
    if repeated and not ordered:
        return False
    loaded.rows_read = rows
    empty = [name for name, count in zip(names, found[5:], strict=True) if not count]
    if empty and rows:
        loaded.available -= set(empty)
        labels = ", ".join(repr(plan.label(name)) for name in empty)
        loaded.notes.append(f"The column{'s' if len(empty) > 1 else ''} {labels} "
                            f"{'are' if len(empty) > 1 else 'is'} in the export but empty in "
                            "every row, so counted as not in export.")
    if repeated:
        # The first row of each id is kept; which rows lack a funnel date is then counted
        # again over what is left.
        con.execute("DELETE FROM leads WHERE rowid IN (SELECT rowid FROM (SELECT rowid, "
                    "row_number() OVER (PARTITION BY lead_id ORDER BY rowid) AS n "
                    "FROM leads WHERE lead_id IS NOT NULL) WHERE n > 1)")
        no_stage = _count(con, "SELECT count(*) FROM leads WHERE lead_id IS NOT NULL AND "
                               f"NOT ({any_stage})")
    if blank or no_stage:
        # A view, not a DELETE: deleted rows slow down every later scan of the table.
        con.execute(f"CREATE OR REPLACE TEMP VIEW kept AS SELECT * FROM leads WHERE {kept}")
        loaded.source_table = "kept"
    for reason, count in (("no lead id", blank),
                          ("the same lead id as an earlier row", repeated),
                          ("no funnel date (never an MQL or later stage)", no_stage)):
        if count:
            loaded.exclusions.append((reason, count))
    return True


def _join_tasks(loaded: LoadedExport, tasks: Path, scratch: Path, company_zone: str,
                naive_zone: str, date_order: DateOrder | None, show_progress: bool) -> None:
    """First touch and attempts per lead from a Salesforce task export."""
    from slabuilder.actuals.columns import _lookup, detect_format

    con = loaded.con
    if loaded.plan.export_format == "hubspot":
        raise ExportError("--tasks reads a Salesforce task export, and this is a HubSpot "
                          "export, which carries its first touches itself; drop --tasks",
                          file=tasks)
    export = open_export(tasks, scratch, option="--tasks")
    names = _lookup(export.header)
    if detect_format(export.header) == "hubspot" or "mql_at" in names:
        raise ExportError("is a lead or contact export, not a Salesforce task export; give "
                          "--tasks the Tasks export (WhoId and CompletedDateTime or "
                          "CreatedDate)", file=tasks, line=1)
    found: dict[str, int] = {}
    for key, labels in TASK_COLUMNS.items():
        for label in labels:
            if label.lower() in names:
                found[key] = names[label.lower()]
                break
    for key in ("who_id", "touched_at"):
        if key not in found:
            raise ExportError(f"the task export needs a {TASK_COLUMNS[key][0]!r} column; "
                              "export Tasks with WhoId and CompletedDateTime or CreatedDate",
                              file=tasks, line=1)
    indices = sorted(set(found.values()))
    export = read_text_columns(con, export, scratch, indices, "raw_tasks", show_progress)
    plan = ColumnPlan("salesforce", {"lead_id": found["who_id"],
                                     "first_touch_at": found["touched_at"]}, export.header)
    order = _probe(con, plan, date_order, export, "raw_tasks").order
    touched = f"c{found['touched_at']}"
    if "created_at" in found and found["created_at"] != found["touched_at"]:
        touched = f"coalesce(nullif(trim({touched}), ''), c{found['created_at']})"
    parsed = timestamp_sql(touched, order, company_zone, naive_zone)
    # A task without a WhoId or without a readable date is set aside and counted, as bad
    # rows of a lead export are: it is neither a touch nor an attempt.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE tasks_read AS
        SELECT nullif(left(trim(c{found['who_id']}), 15), '') AS who, {parsed} AS touched_at
        FROM raw_tasks""")
    no_who, no_date = con.execute(
        "SELECT count(*) FILTER (WHERE who IS NULL), "
        "count(*) FILTER (WHERE who IS NOT NULL AND touched_at IS NULL) FROM tasks_read"
    ).fetchone() or (0, 0)
    con.execute("""CREATE OR REPLACE TEMP TABLE touches AS
        SELECT who, min(touched_at) AS first_touch_at, count(*) AS attempts
        FROM tasks_read WHERE who IS NOT NULL AND touched_at IS NOT NULL GROUP BY 1""")
    con.execute("DROP TABLE tasks_read")
    _note_task_rows_set_aside(loaded, tasks, int(no_who), int(no_date))
    unmatched = _count(con, "SELECT count(*) FROM touches WHERE who NOT IN "
                            f"(SELECT left(lead_id, 15) FROM {loaded.source_table})")
    drop = [column for column in ("first_touch_at", "attempts") if loaded.plan.has(column)]
    exclude = f" EXCLUDE ({', '.join(drop)})" if drop else ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE with_tasks AS
        SELECT f.*{exclude}, t.first_touch_at, coalesce(t.attempts, 0) AS attempts
        FROM {loaded.source_table} f LEFT JOIN touches t ON t.who = left(f.lead_id, 15)""")
    loaded.source_table = "with_tasks"
    con.execute("DROP TABLE raw_tasks; DROP VIEW IF EXISTS kept")
    _drop_leads(con)
    loaded.available |= {"first_touch_at", "attempts"}
    loaded.tasks_file = export
    if unmatched:
        loaded.notes.append(f"{unmatched:,} people with tasks in {tasks.name} are not leads "
                            "in the lead export (contacts, or leads outside it); their tasks "
                            "were left out.")


def _note_task_rows_set_aside(loaded: LoadedExport, tasks: Path, no_who: int,
                              no_date: int) -> None:
    reasons = [f"{count:,} without {what}" for count, what in
               ((no_who, "a WhoId"), (no_date, "a readable date")) if count]
    if reasons:
        total = no_who + no_date
        loaded.notes.append(f"{total:,} task row{'s' * (total != 1)} in {tasks.name} "
                            f"{'were' if total != 1 else 'was'} set aside ("
                            + " and ".join(reasons) + "); they count neither as touches "
                            "nor as attempts.")


def _add_business_time(loaded: LoadedExport, clock: BusinessClock) -> None:
    """The ``funnel`` view: the kept rows with business minutes at MQL, first touch and
    disposition, looked up in the calendar table when a query asks for them."""
    con = loaded.con
    stamps = [c for c in TIMESTAMPS if c in loaded.available]
    bounds = con.execute("SELECT " + ", ".join(
        f"min({c}), max({c})" for c in stamps)
        + f" FROM {loaded.source_table}").fetchone() if stamps else ()
    days = [moment.date() for moment in bounds or () if moment is not None]
    loaded.first_day = min(days) if days else None
    loaded.last_day = max(days) if days else None
    first = (loaded.first_day or dt.date.today()) - dt.timedelta(days=40)
    last = (loaded.last_day or dt.date.today()) + dt.timedelta(days=40)
    create_calendar(con, clock, first, last)
    joins, columns = [], []
    for alias, column in (("cm", "mql_at"), ("ct", "first_touch_at"),
                          ("cd", "disposition_at")):
        if column not in loaded.available:
            continue
        joins.append(f"LEFT JOIN cal {alias} ON {alias}.d = CAST(f.{column} AS DATE)")
        columns.append(f"{business_minutes_sql('f.' + column, alias, clock)} "
                       f"AS {column.removesuffix('_at')}_bm")
    con.execute("CREATE OR REPLACE TEMP VIEW funnel AS SELECT f.*"
                + "".join(", " + column for column in columns)
                + f" FROM {loaded.source_table} f " + " ".join(joins))
