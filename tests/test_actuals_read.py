"""The one-pass read of an export gives the same figures as the careful read, always.

The quick way parses values as they stream in, with shapes learnt from the first rows; the
careful way reads the raw text first and settles the shapes over the whole file.  Every
export here is measured both ways (the careful way forced by leaving the first rows
unread) and the two ``Actuals`` must be equal, field for field.  Files whose later rows
change shape (a slashed date, an offset, a thousands separator, a date outside the years)
must fall back to the careful way, with its figures and its messages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import slabuilder.actuals.load as load
from helpers import HEADER, ROWS, write_csv
from slabuilder.actuals import Actuals, ExportOptions, compute_actuals
from slabuilder.answers import Answers
from slabuilder.errors import ExportError


def _measure(export: Path, answers: Answers, **options: object) -> Actuals:
    return compute_actuals(export, answers, "2027-01", ExportOptions(**options),  # type: ignore[arg-type]
                           rate_keys=["mql_to_sql"])


def _careful(export: Path, answers: Answers, monkeypatch: pytest.MonkeyPatch,
             **options: object) -> Actuals:
    with monkeypatch.context() as patch:
        patch.setattr(load, "_first_rows_shapes", lambda *args: None)
        return _measure(export, answers, **options)


def _both_ways(export: Path, answers: Answers, monkeypatch: pytest.MonkeyPatch,
               **options: object) -> Actuals:
    """The export measured the careful way, then the quick way only; the two must be equal,
    field for field.  Returns the quick way's figures."""
    careful = _careful(export, answers, monkeypatch, **options)
    _quick_only(monkeypatch)
    quick = _measure(export, answers, **options)
    assert quick.to_dict() == careful.to_dict()
    return quick


def _quick_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the careful way (the raw text table) is used at all."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the careful read ran")
    monkeypatch.setattr(load, "read_text_columns", refuse)


def _with(column: str, changes: dict[str, str]) -> list[list[str]]:
    """ROWS with ``column`` of the given lead ids replaced."""
    index = HEADER.index(column)
    rows = [list(row) for row in ROWS]
    for row in rows:
        if row[0] in changes:
            row[index] = changes[row[0]]
    return rows


def test_the_quick_read_is_taken_for_a_plain_export(tmp_path: Path, example_answers: Answers,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    quick = _both_ways(export, example_answers, monkeypatch)
    assert quick.month.mql == 7
    assert quick.export.rows_read == 11
    assert quick.export.rows_used == 8


@pytest.mark.parametrize(("column", "changes"), [
    # A value whose shape the first row did not show: an offset, a T and Z, a slashed date,
    # a date without time, a thousands separator in a number.
    ("first_touch_at", {"L6": "2027-01-21T22:00:00Z"}),
    ("mql_at", {"L7": "2027-01-25 10:00:00-05:00"}),
    ("sql_at", {"L6": "2/13/2027 10:00 AM"}),
    ("won_at", {"L1": "2027-01-28"}),
    ("attempts", {"L7": "1,000"}),
    ("created_at", {"L7": "  2027-01-25 09:00  "}),
])
@pytest.mark.parametrize("first_rows", [2, load.FIRST_ROWS])
def test_later_rows_of_another_shape_read_as_the_careful_way_reads_them(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch,
        column: str, changes: dict[str, str], first_rows: int) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, _with(column, changes))
    monkeypatch.setattr(load, "FIRST_ROWS", first_rows)
    careful = _careful(export, example_answers, monkeypatch)
    assert _measure(export, example_answers).to_dict() == careful.to_dict()


def test_slashed_dates_settled_by_the_first_rows(tmp_path: Path, example_answers: Answers,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    day_first = [[*row[:2], *("/".join(reversed(v[:10].split("-"))) + v[10:] if v else ""
                              for v in row[2:8]), *row[8:]] for row in ROWS]
    export = write_csv(tmp_path / "eu.csv", HEADER, day_first)
    quick = _both_ways(export, example_answers, monkeypatch)
    assert quick.month.speed_to_lead_median_hours == 3


def test_a_late_month_first_date_still_conflicts(tmp_path: Path, example_answers: Answers,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The first rows settle day-first; a later 01/25/2027 cannot be, and the careful way
    names the two columns that disagree."""
    rows = _with("created_at", {"L0": "15/12/2026 09:00"})
    rows = [list(row) for row in rows]
    rows[7][HEADER.index("sql_at")] = "01/25/2027 10:00"
    export = write_csv(tmp_path / "mixed.csv", HEADER, rows)
    monkeypatch.setattr(load, "FIRST_ROWS", 1)
    with pytest.raises(ExportError, match="day-first dates and column 'sql_at' month-first"):
        _measure(export, example_answers)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("mql_at", "soon", "row 9, column 'mql_at': 'soon' cannot be read as a date and time"),
    ("mql_at", "0027-01-25 10:00", "is not a date between 2000 and 2099"),
    ("attempts", "many", "row 9, column 'attempts': 'many' cannot be read as a number"),
])
def test_a_bad_value_after_the_first_rows_is_named_with_its_row(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch,
        column: str, value: str, message: str) -> None:
    export = write_csv(tmp_path / "bad.csv", HEADER, _with(column, {"L7": value}))
    monkeypatch.setattr(load, "FIRST_ROWS", 2)
    with pytest.raises(ExportError, match=message):
        _measure(export, example_answers)


def test_a_different_zone_for_plain_times(tmp_path: Path, example_answers: Answers,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    quick = _both_ways(export, example_answers, monkeypatch, timezone="UTC")
    assert quick.to_dict() != _measure(export, example_answers).to_dict()


# --------------------------------------------------------------------------- Parquet


def _parquet(csv_path: Path, target: Path, *, text: bool = False, parts: int = 0) -> Path:
    """The CSV export unloaded as a warehouse would: typed columns (or all text), in one
    file or in ``parts`` numbered files of a folder."""
    import duckdb

    con = duckdb.connect()
    source = (f"read_csv('{csv_path}', all_varchar = {str(text).lower()}, "
              "header = true)")
    if not parts:
        con.execute(f"COPY (SELECT * FROM {source}) TO '{target}' (FORMAT parquet)")
        return target
    target.mkdir()
    total = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]  # type: ignore[index]
    size = -(-total // parts)
    for part in range(parts):
        con.execute(f"COPY (SELECT * FROM {source} LIMIT {size} OFFSET {part * size}) "
                    f"TO '{target / f'part-{part:04d}.parquet'}' (FORMAT parquet)")
    return target


def _figures(actuals: Actuals) -> dict[str, object]:
    figures = actuals.to_dict()
    figures.pop("export")
    return figures


@pytest.mark.parametrize(("text", "parts"), [(False, 0), (True, 0), (False, 3)])
def test_parquet_gives_the_figures_of_the_csv(tmp_path: Path, example_answers: Answers,
                                              text: bool, parts: int) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    unload = _parquet(export, tmp_path / ("parts" if parts else "leads.parquet"), text=text,
                      parts=parts)
    from_csv = _measure(export, example_answers)
    from_parquet = _measure(unload, example_answers)
    assert _figures(from_parquet) == _figures(from_csv)
    assert from_parquet.export.encoding == "parquet"
    assert from_parquet.export.rows_read == 11
    assert from_parquet.export.excluded == from_csv.export.excluded


def test_parquet_with_numeric_lead_ids(tmp_path: Path, example_answers: Answers,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids a warehouse stores as numbers read as their text, blank ids and repeats alike."""
    import duckdb

    rows = [[str(100 + int(row[0][1:])) if row[0] else "", *row[1:]] for row in ROWS]
    export = write_csv(tmp_path / "leads.csv", HEADER, rows)
    unload = _parquet(export, tmp_path / "leads.parquet")
    kind = duckdb.connect().execute(f"SELECT typeof(lead_id) FROM '{unload}' LIMIT 1").fetchone()
    assert kind == ("BIGINT",)
    quick = _both_ways(unload, example_answers, monkeypatch)
    from_csv = _measure(export, example_answers)
    assert _figures(quick) == _figures(from_csv)
    assert quick.export.excluded == from_csv.export.excluded
    assert quick.month.mql == 7


def test_parquet_with_zoned_times(tmp_path: Path, example_answers: Answers) -> None:
    """A time with a zone is an instant: read in New York time whatever the unload's zone."""
    import duckdb

    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    target = tmp_path / "zoned.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")
    stamps = ", ".join(f"CAST({name} AS TIMESTAMPTZ) AS {name}" for name in
                       ("mql_at", "first_touch_at"))
    con.execute(f"COPY (SELECT * REPLACE ({stamps}) FROM read_csv('{export}')) TO "
                f"'{target}' (FORMAT parquet)")
    assert _figures(_measure(target, example_answers)) == _figures(
        _measure(export, example_answers))


def test_a_bad_parquet_value_is_named_by_row_and_column(tmp_path: Path,
                                                       example_answers: Answers) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, _with("mql_at", {"L7": "soon"}))
    unload = _parquet(export, tmp_path / "leads.parquet", text=True)
    with pytest.raises(ExportError) as refused:
        _measure(unload, example_answers)
    assert str(refused.value) == (f"{unload}: row 8, column 'mql_at': 'soon' cannot be read "
                                  "as a date and time; correct it in the export (or --map "
                                  "another column) and run again")


@pytest.mark.parametrize("column", ["mql_at", "first_touch_at"])
def test_a_typed_parquet_date_outside_the_years_is_named(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch,
        column: str) -> None:
    """Typed Parquet dates are checked by their smallest and largest, from the footer; one
    after the first rows and outside the years still sends the read the careful way, which
    names its row.  No id repeats, so the file is read once, out of order, and every
    column is typed (the amount without its thousands separator)."""
    rows = [[value.replace("25,000", "25000") for value in row]
            for row in _with(column, {"L7": "1970-01-01 00:00"})]
    export = write_csv(tmp_path / "leads.csv", HEADER, rows[:9] + rows[10:])
    unload = _parquet(export, tmp_path / "leads.parquet")
    monkeypatch.setattr(load, "FIRST_ROWS", 2)
    with pytest.raises(ExportError) as refused:
        _measure(unload, example_answers)
    assert str(refused.value) == (f"{unload}: row 8, column {column!r}: '1970-01-01 00:00:00' "
                                  "is not a date between 2000 and 2099; correct it in the "
                                  "export and run again")


def test_parquet_folders_that_cannot_be_read(tmp_path: Path, example_answers: Answers) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ExportError, match=re.escape("is a folder with no .parquet files in it")):
        _measure(empty, example_answers)
    parts = _parquet(export, tmp_path / "parts", parts=2)
    (parts / "part-0002.parquet").write_text("lead_id,mql_at\n", encoding="utf-8")
    with pytest.raises(ExportError, match=re.escape("part-0002.parquet: is not a Parquet file")):
        _measure(parts, example_answers)
    (parts / "part-0002.parquet").unlink()
    import duckdb

    duckdb.connect().execute(f"COPY (SELECT 1 AS lead_id, 2 AS other) TO "
                             f"'{parts / 'part-0002.parquet'}' (FORMAT parquet)")
    with pytest.raises(ExportError, match=re.escape("has other columns than part-0000.parquet")):
        _measure(parts, example_answers)


# --------------------------------------------------------------------------- room


def test_an_export_too_large_for_memory_and_disk_is_refused_up_front(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    monkeypatch.setattr(load, "working_bytes", lambda *args: 2_100_000_000)
    monkeypatch.setattr("shutil.disk_usage", lambda path: type("Usage", (), {
        "free": 1_300_000_000})())
    monkeypatch.setenv("SLABUILDER_MEMORY_LIMIT", "512MB")
    monkeypatch.setattr(load, "connect", lambda *args: pytest.fail("read anyway"))
    with pytest.raises(ExportError) as refused:
        _measure(export, example_answers)
    assert "needs about 2.1 GB of working space for its tables, more than 512 MB of " \
           "memory and the 1.3 GB free in" in str(refused.value)
    assert "SLABUILDER_MEMORY_LIMIT=4GB" in str(refused.value)


def test_running_out_of_memory_says_what_to_do(tmp_path: Path, example_answers: Answers,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import slabuilder.actuals as actuals

    def exhausted(*args: object) -> str:
        raise duckdb.OutOfMemoryException("could not allocate block of size 256KiB")
    monkeypatch.setattr(actuals, "month_window", exhausted)
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    with pytest.raises(ExportError, match="ran out of memory and scratch space while "
                                          "measuring it; raise SLABUILDER_MEMORY_LIMIT"):
        _measure(export, example_answers)


@pytest.mark.parametrize(("value", "message"), [
    ("lots", "'lots' is not an amount of memory; write it as 512MB or 2GB"),
    ("10MB", "'10MB' is too little memory to measure an export; give at least 64MB"),
])
def test_the_memory_limit_is_checked(tmp_path: Path, example_answers: Answers,
                                     monkeypatch: pytest.MonkeyPatch, value: str,
                                     message: str) -> None:
    monkeypatch.setenv("SLABUILDER_MEMORY_LIMIT", value)
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    with pytest.raises(ExportError, match=re.escape(f"SLABUILDER_MEMORY_LIMIT: {message}")):
        _measure(export, example_answers)


def test_a_small_memory_limit_gives_the_same_figures(tmp_path: Path, example_answers: Answers,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    default = _measure(export, example_answers)
    monkeypatch.setenv("SLABUILDER_MEMORY_LIMIT", "64MB")
    assert _measure(export, example_answers).to_dict() == default.to_dict()


@pytest.mark.parametrize(("rows", "reads"), [
    (ROWS, [False, True]),
    ([row for row in ROWS if row[0] != "L1" or row[2] != "2027-01-04 10:00" or row[3]],
     [False]),
])
def test_the_file_order_is_kept_only_when_ids_repeat(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch,
        rows: list[list[str]], reads: list[bool]) -> None:
    """Out of file order the read is quicker; repeated ids read it again in order, so that
    the first row of an id is the one kept."""
    export = write_csv(tmp_path / "leads.csv", HEADER, rows)
    seen: list[bool] = []
    real = load._read_leads

    def counted(*args: object) -> tuple[object, bool]:
        seen.append(bool(args[-1]))
        return real(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(load, "_read_leads", counted)
    _measure(export, example_answers)
    assert seen == reads


@pytest.mark.parametrize("repeated", [False, True])
def test_rows_set_aside_do_not_widen_the_dates_covered(
        tmp_path: Path, example_answers: Answers, monkeypatch: pytest.MonkeyPatch,
        repeated: bool) -> None:
    """The dates an export covers are those of the rows kept, whether they come from the
    pass that counts the rows set aside or (when ids repeat) from the rows left after it."""
    lead_id, created, mql = (HEADER.index(name) for name in ("lead_id", "created_at", "mql_at"))
    rows = [list(row) for row in ROWS]
    rows[8][created], rows[8][mql] = "2026-06-01 09:00", "2026-06-01 10:00"  # no lead id
    rows[10][created] = "2026-05-04 09:00"  # never an MQL
    if repeated:
        rows[9][mql] = "2027-03-30 10:00"  # L1 again
    else:
        rows[9][lead_id] = ""
    export = write_csv(tmp_path / "leads.csv", HEADER, rows)
    quick = _both_ways(export, example_answers, monkeypatch)
    assert (quick.export.first_date, quick.export.last_date) == ("2026-12-15", "2027-02-02")
    assert {item.reason: item.rows for item in quick.export.excluded} == (
        {"no lead id": 1, "the same lead id as an earlier row": 1,
         "no funnel date (never an MQL or later stage)": 1} if repeated else
        {"no lead id": 2, "no funnel date (never an MQL or later stage)": 1})


def test_a_damaged_or_foreign_parquet_file_is_refused_in_plain_words(
        tmp_path: Path, example_answers: Answers) -> None:
    import duckdb

    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    whole = _parquet(export, tmp_path / "leads.parquet")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[:300])
    with pytest.raises(ExportError) as refused:
        _measure(cut, example_answers)
    assert str(refused.value) == (f"{cut}: cannot be read as Parquet: the file is cut short or "
                                  "damaged; unload the table from the warehouse again")
    foreign = tmp_path / "foreign.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS a, 2 AS b) TO '{foreign}' (FORMAT parquet)")
    with pytest.raises(ExportError) as unknown:
        _measure(foreign, example_answers)
    # Named by its file alone: a Parquet file has column names, not a header line.
    assert str(unknown.value).startswith(f"{foreign}: cannot tell which CRM wrote this export")


def test_the_room_a_parquet_export_needs_comes_from_its_footers(tmp_path: Path) -> None:
    from slabuilder.actuals.columns import plan_columns
    from slabuilder.actuals.reading import open_export

    export = write_csv(tmp_path / "leads.csv", HEADER, ROWS)
    unload = open_export(_parquet(export, tmp_path / "parts", parts=3), tmp_path)
    assert unload.rows == 11
    plan = plan_columns(unload.header, None, {}, unload.source)
    assert load.working_bytes(unload, plan) == 11 * 32 * len(load.needed_columns(plan))
