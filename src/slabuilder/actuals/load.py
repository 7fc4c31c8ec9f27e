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
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.actuals.calendar import BusinessClock, business_minutes_sql, create_calendar
from slabuilder.actuals.careful import (
    PARQUET_NUMBERS,
    PARQUET_TIMES,
    Shapes,
    canonical_sql,
    count_of,
    export_sql,
    parse_raw,
    plain_iso_sql,
    probe,
    read_text_columns,
    within_years_sql,
)
from slabuilder.actuals.columns import (
    NUMBERS,
    STAGE_COLUMNS,
    TASK_COLUMNS,
    TIMESTAMPS,
    TOUCH_KINDS,
    ColumnPlan,
)
from slabuilder.actuals.progress import execute_with_progress, large_export, status
from slabuilder.actuals.reading import ExportFile, open_export
from slabuilder.actuals.timestamps import (
    DateOrder,
    quote_literal,
    timestamp_sql,
)
from slabuilder.errors import ExportError

if TYPE_CHECKING:
    import duckdb


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


def load_export(source: Path, scratch: Path, plan_for: Any, *, clock: BusinessClock,
                company_zone: str, naive_zone: str, date_order: DateOrder | None,
                show_progress: bool, tasks: Path | None = None) -> LoadedExport:
    """Read ``source`` under the ``funnel`` view; ``plan_for(header)`` picks the columns."""
    export = open_export(source, scratch)
    try:
        plan: ColumnPlan = plan_for(export.header)
    except ExportError as error:
        if not (export.is_parquet and error.line):
            raise
        # The header is line 1 of a CSV; a Parquet file has its column names, not lines.
        raise ExportError(error.message, file=error.file) from None
    check_room(export, plan, scratch)
    con = connect(naive_zone, scratch)
    # Out of file order the read is quicker; only repeated ids need the order back.
    for in_order in (False, True):
        read, ordered = _read_leads(con, export, plan, scratch, company_zone, naive_zone,
                                    date_order, show_progress, in_order)
        loaded = LoadedExport(con, read, plan, 0, [], set(plan.columns), None, None,
                              list(plan.notes))
        with status("Checking the rows read", large_export(export, show_progress)):
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
    return (export.rows or 0) * 32 * len(needed_columns(plan))


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


def needed_columns(plan: ColumnPlan) -> list[int]:
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
    export = read_text_columns(con, export, scratch, needed_columns(plan), "raw", show_progress)
    parse_raw(con, plan, probe(con, plan, date_order, export), company_zone, naive_zone, export)
    return export, True


FIRST_ROWS = 5_000
"""Rows read first to learn the shapes of the values."""

_ISO_FORMATS = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S"}


@dataclass(frozen=True)
class _QuickRead:
    """How the one pass reads: the shapes of the first rows, and the columns the CSV reader
    parses itself (plain ISO times of one length, plain numbers)."""

    shapes: Shapes
    typed: dict[int, str]
    timestamp_format: str | None


def _first_rows_shapes(con: duckdb.DuckDBPyConnection, export: ExportFile, plan: ColumnPlan,
                       date_order: DateOrder | None) -> _QuickRead | None:
    """The shapes of the first rows' values; None when the first rows cannot be read or do
    not settle the date order (the careful way then decides over the whole file)."""
    import duckdb

    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE first_rows AS SELECT * FROM "
                    f"({export_sql(export, needed_columns(plan))}) LIMIT {FIRST_ROWS}")
        shapes = probe(con, plan, date_order, export, "first_rows")
        if export.is_parquet:
            return _parquet_read(plan, shapes, export)
        return _quick_read(con, plan, shapes, export.delimiter == ";")
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except (duckdb.Error, ExportError):
        return None
    finally:
        con.execute("DROP TABLE IF EXISTS first_rows")


def _quick_read(con: duckdb.DuckDBPyConnection, plan: ColumnPlan, shapes: Shapes,
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


def _parquet_read(plan: ColumnPlan, shapes: Shapes, export: ExportFile) -> _QuickRead:
    """A Parquet export's typed columns are read as they are: times (with or without a
    zone) and dates as times, numbers as numbers; text columns are parsed as a CSV's.
    A number in a text field (a numeric lead id) is its text, never blank or padded, so
    it skips the trim every later query would otherwise repeat."""
    typed: dict[int, str] = {}
    for name, index in plan.columns.items():
        kind = export.types[index].upper()
        if name in TIMESTAMPS and kind.startswith(PARQUET_TIMES):
            typed[index] = "TIMESTAMP"
        elif name in NUMBERS and kind.startswith(PARQUET_NUMBERS):
            typed[index] = "DOUBLE"
        elif name not in TIMESTAMPS | NUMBERS and kind.startswith(PARQUET_NUMBERS):
            typed[index] = "VARCHAR"
    return _QuickRead(shapes, typed, None)


def _read_parsed(con: duckdb.DuckDBPyConnection, export: ExportFile, plan: ColumnPlan,
                 quick: _QuickRead, company_zone: str, naive_zone: str,
                 show_progress: bool, *, as_view: bool = False) -> None:
    """Read and parse in one pass; a value that does not fit ``quick`` raises an error.
    ``as_view``: check every value in that pass, and make ``leads`` a view that parses
    again whatever a later query reads."""
    decimal_comma = export.delimiter == ";"
    shapes, typed = quick.shapes, frozenset(quick.typed)
    parsed = [canonical_sql(plan, name, shapes.order, company_zone, naive_zone,
                             decimal_comma, shapes.plain, typed) + f" AS {name}"
              for name in plan.columns]
    fits = [_fits_sql(plan, name, shapes, typed) for name in plan.columns
            if name in TIMESTAMPS or (name in NUMBERS and plan.columns[name] not in typed)]
    # The raw text rides along only as far as the check; the table holds parsed values.
    raw = [f"c{i} AS r{i}" for i in needed_columns(plan)]
    check = (" WHERE CASE WHEN " + " AND ".join(fits)
             + " THEN true ELSE error('a value does not fit the first rows') END"
             if fits else "")
    source = export_sql(export, needed_columns(plan), types=quick.typed,
                        timestamp_format=quick.timestamp_format)
    rows = f"(SELECT {', '.join(parsed + raw)} FROM ({source}))"
    show = large_export(export, show_progress)
    if as_view:
        # Parquet is columnar: each later query reads only its own columns from the file,
        # so the parsed rows need not be held at all, once one pass has checked them.
        checked = [name for name in plan.columns if name in TIMESTAMPS | NUMBERS]
        if all(plan.columns[name] in typed for name in checked):
            # Typed values need only be within the years, which the smallest and largest
            # tell, and a Parquet file keeps those in its footer: no pass at all.
            years = [f"coalesce({within_years_sql(f'min({name})', f'max({name})')}, true)"
                     for name in checked if name in TIMESTAMPS]
            if years:
                con.execute(f"SELECT CASE WHEN {' AND '.join(years)} THEN true "
                            f"ELSE error('a date is outside the years') END FROM {rows}")
        else:
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


def _fits_sql(plan: ColumnPlan, name: str, shapes: Shapes, typed: frozenset[int]) -> str:
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
    checks = [within_years_sql(name)]
    if index in shapes.plain and index not in typed:
        checks.append(plain_iso_sql(raw))
    elif index not in shapes.plain and shapes.order is None:
        checks.append(f"NOT contains({raw}, '/')")
    return f"({blank} OR ({' AND '.join(checks)}))"


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
    stamps = [name for name in plan.columns if name in TIMESTAMPS]
    # Distinct hashes prove distinct ids, and a table of numbers is quicker to build than
    # one of strings; only when two hashes meet are the ids themselves counted.
    found = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE lead_id IS NULL), count(lead_id), "
        "count(DISTINCT hash(lead_id)) FILTER (WHERE lead_id IS NOT NULL), "
        f"count(*) FILTER (WHERE lead_id IS NOT NULL AND NOT ({any_stage}))"
        + "".join(f", count({name})" for name in names)
        # The dates the kept rows cover, in the same pass (unless ids repeat, see below).
        + "".join(f", min({name}) FILTER (WHERE {kept}), max({name}) FILTER (WHERE {kept})"
                  for name in stamps)
        + " FROM leads").fetchone()
    assert found is not None
    rows, blank, ids, distinct, no_stage = (int(value) for value in found[:5])
    counts, moments = found[5:5 + len(names)], found[5 + len(names):]
    if distinct != ids:
        distinct = count_of(con, "SELECT count(DISTINCT lead_id) FROM leads")
    repeated = ids - distinct
    if repeated and not ordered:
        return False
    loaded.rows_read = rows
    empty = [name for name, count in zip(names, counts, strict=True) if not count]
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
        no_stage = count_of(con, "SELECT count(*) FROM leads WHERE lead_id IS NOT NULL AND "
                               f"NOT ({any_stage})")
        _count_days(loaded, f"leads WHERE {kept}")
    else:
        # Without repeated ids no row is deleted, so the kept rows' dates are final.
        _set_days(loaded, moments)
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
    order = probe(con, plan, date_order, export, "raw_tasks").order
    touched = f"c{found['touched_at']}"
    if "created_at" in found and found["created_at"] != found["touched_at"]:
        touched = f"coalesce(nullif(trim({touched}), ''), c{found['created_at']})"
    parsed = timestamp_sql(touched, order, company_zone, naive_zone)
    # A task without a WhoId or without a readable date is set aside and counted, as bad
    # rows of a lead export are: it is neither a touch nor an attempt.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE tasks_read AS
        SELECT nullif(left(trim(c{found['who_id']}), 15), '') AS who, {parsed} AS touched_at,
               {_task_is_touch(con, found)} AS is_touch
        FROM raw_tasks""")
    no_who, no_date, not_touches = con.execute(
        "SELECT count(*) FILTER (WHERE who IS NULL), "
        "count(*) FILTER (WHERE who IS NOT NULL AND touched_at IS NULL), "
        "count(*) FILTER (WHERE who IS NOT NULL AND touched_at IS NOT NULL AND NOT is_touch) "
        "FROM tasks_read").fetchone() or (0, 0, 0)
    con.execute("""CREATE OR REPLACE TEMP TABLE touches AS
        SELECT who, min(touched_at) AS first_touch_at, count(*) AS attempts
        FROM tasks_read WHERE who IS NOT NULL AND touched_at IS NOT NULL AND is_touch
        GROUP BY 1""")
    unmatched = count_of(con, "SELECT count(DISTINCT who) FROM tasks_read WHERE who NOT IN "
                              f"(SELECT left(lead_id, 15) FROM {loaded.source_table})")
    con.execute("DROP TABLE tasks_read")
    _note_task_rows_set_aside(loaded, tasks, int(no_who), int(no_date))
    if not_touches:
        loaded.notes.append(
            f"{words.count(not_touches)} task{'s' * (not_touches != 1)} in {tasks.name} "
            f"{'are' if not_touches != 1 else 'is'} not a touch (still open, or not a call, "
            "an e-mail or a meeting) and count neither as touches nor as attempts.")
    drop = [column for column in ("first_touch_at", "attempts") if loaded.plan.has(column)]
    exclude = f" EXCLUDE ({', '.join(drop)})" if drop else ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE with_tasks AS
        SELECT f.*{exclude}, t.first_touch_at, coalesce(t.attempts, 0) AS attempts
        FROM {loaded.source_table} f LEFT JOIN touches t ON t.who = left(f.lead_id, 15)""")
    loaded.source_table = "with_tasks"
    con.execute("DROP TABLE raw_tasks; DROP VIEW IF EXISTS kept")
    _drop_leads(con)
    loaded.available |= {"first_touch_at", "attempts"}
    _count_days(loaded, "with_tasks")  # first touches now come from the tasks
    loaded.tasks_file = export
    if unmatched:
        one = unmatched == 1
        loaded.notes.append(f"{words.count(unmatched)} {'person' if one else 'people'} with "
                            f"tasks in {tasks.name} {'is not a lead' if one else 'are not leads'}"
                            " in the lead export (contacts, or leads outside it); their tasks "
                            "were left out.")


def _task_is_touch(con: Any, found: dict[str, int]) -> str:
    """SQL that is true for a task that reached the lead: done, and a call, an e-mail or a
    meeting.  Done is Status "Completed" or IsClosed, else a CompletedDateTime; the kind comes
    from TaskSubtype or Type when the export fills either in (else every done task counts)."""
    def cell(key: str) -> str:
        return f"lower(trim(coalesce(c{found[key]}, '')))"

    if "status" in found or "closed" in found:
        done = " OR ".join([*([f"{cell('status')} = 'completed'"] if "status" in found else []),
                            *([f"{cell('closed')} IN ('true', '1', 'yes')"]
                              if "closed" in found else [])])
    elif "completed_at" in found:
        done = f"{cell('completed_at')} <> ''"
    else:
        done = "true"
    kinds = [key for key in ("subtype", "type") if key in found and count_of(
        con, f"SELECT count(*) FROM raw_tasks WHERE {cell(key)} <> ''")]
    if not kinds:
        return f"({done})"
    listed = ", ".join(f"'{kind}'" for kind in TOUCH_KINDS)
    kind = " OR ".join(f"{cell(key)} IN ({listed})" for key in kinds)
    return f"(({done}) AND ({kind}))"


def _note_task_rows_set_aside(loaded: LoadedExport, tasks: Path, no_who: int,
                              no_date: int) -> None:
    reasons = [f"{words.count(count)} without {what}" for count, what in
               ((no_who, "a WhoId"), (no_date, "a readable date")) if count]
    if reasons:
        total = no_who + no_date
        loaded.notes.append(f"{words.count(total)} task row{'s' * (total != 1)} in {tasks.name} "
                            f"{'were' if total != 1 else 'was'} set aside ("
                            + " and ".join(reasons) + "); they count neither as touches "
                            "nor as attempts.")


def _set_days(loaded: LoadedExport, moments: Any) -> None:
    """The first and last day of ``moments`` (instants, some of them None)."""
    days = [moment.date() for moment in moments if moment is not None]
    loaded.first_day = min(days) if days else None
    loaded.last_day = max(days) if days else None


def _count_days(loaded: LoadedExport, rows: str) -> None:
    """The first and last day of ``rows`` (a table, with its WHERE clause if any), for when
    the kept rows changed after the pass that counted the rows set aside."""
    stamps = [c for c in TIMESTAMPS if c in loaded.available]
    bounds = loaded.con.execute("SELECT " + ", ".join(f"min({c}), max({c})" for c in stamps)
                                + f" FROM {rows}").fetchone() if stamps else ()
    _set_days(loaded, bounds or ())


def _add_business_time(loaded: LoadedExport, clock: BusinessClock) -> None:
    """The ``funnel`` view: the kept rows with business minutes at MQL, first touch and
    disposition, looked up in the calendar table when a query asks for them."""
    con = loaded.con
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
