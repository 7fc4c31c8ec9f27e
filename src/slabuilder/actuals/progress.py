"""A progress bar for the slow step (reading a large export), drawn on stderr with rich.

DuckDB reports how far a running query has got through ``query_progress()``; the query runs
in a worker thread while this thread redraws the bar.  Small files and non-terminals get no
bar at all.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    from rich.console import Console

    from slabuilder.actuals.reading import ExportFile

LARGE_FILE_BYTES = 20 * 1024 * 1024


def large_export(export: ExportFile, show_progress: bool) -> bool:
    """Whether to show progress for this export: asked for, and large enough to wait on."""
    return show_progress and export.size_bytes >= LARGE_FILE_BYTES


def execute_with_progress(con: duckdb.DuckDBPyConnection, sql: str, label: str,
                          show: bool) -> None:
    """Run ``sql`` on ``con``; while it runs, show a bar labelled ``label`` if ``show``."""
    console = _terminal(show)
    if console is None:
        con.execute(sql)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    failure: list[BaseException] = []

    def work() -> None:
        try:
            con.execute(sql)
        except BaseException as error:
            failure.append(error)

    # DuckDB only tracks progress when its bar is on; its own printing stays off.
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false; "
                "SET progress_bar_time = 0")
    worker = threading.Thread(target=work, daemon=True)
    columns: list[Any] = [TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=100)
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
            done = con.query_progress()
            if done is not None and done >= 0:
                progress.update(task, completed=min(done, 100))
        progress.update(task, completed=100)
    if failure:
        raise failure[0]


@contextlib.contextmanager
def status(label: str, show: bool) -> Iterator[None]:
    """A spinner labelled ``label`` on stderr while the block runs (the steps after the
    read of a large export, which report no progress of their own), if ``show``."""
    console = _terminal(show)
    if console is None:
        yield
        return
    with console.status(label):
        yield


def _terminal(show: bool) -> Console | None:
    """The console on stderr, when progress is to be shown and stderr is a terminal."""
    if not show:
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return console if console.is_terminal else None
