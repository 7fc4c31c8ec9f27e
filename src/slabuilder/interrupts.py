"""Ctrl-C and SIGTERM: one way to stop, and held over the imports that would lose them.

Low in the house so that any layer may use it: the command line turns SIGTERM into Ctrl-C for
the whole run, and ``pdf`` holds both over WeasyPrint's import.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["import_held", "interrupts_held", "is_interrupt", "sigterm_as_interrupt"]


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM takes the path of Ctrl-C (a KeyboardInterrupt), so that a
    killed run cleans up as a stopped one does; the previous handler is put back after."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM wait; at its end they take effect as they would
    have.  Around imports of libraries whose loading catches every error: WeasyPrint's font
    code loads lxml, and an interrupt landing in there was lost, so the run went on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    # A signal ignored (a job started in the background) stays so; one handled outside
    # Python (getsignal gives None) is left alone.
    previous = {signum: handler for signum in (signal.SIGINT, signal.SIGTERM)
                if (handler := signal.getsignal(signum)) not in (None, signal.SIG_IGN)}
    for signum in previous:
        signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for caught in dict.fromkeys(held):  # once each, in the order they came
            signal.raise_signal(caught)


def is_interrupt(error: BaseException | None) -> bool:
    """A stop, not a bug: DuckDB turns an interrupt that lands while a query runs into its
    own exception (or a RuntimeError, "Query interrupted"), and a library being imported may
    wrap it in another error (pydantic's RuntimeError, an extension's ImportError) whose
    cause or context is the KeyboardInterrupt; pydantic building a model's validators names
    it only in the text of its SchemaError.  Named, not imported: no DuckDB on start-up."""
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, KeyboardInterrupt) or type(error).__name__ == "InterruptException" \
                or (isinstance(error, RuntimeError) and str(error) == "Query interrupted") \
                or (type(error).__name__ == "SchemaError"
                    and "KeyboardInterrupt" in str(error)):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def import_held(name: str) -> object:
    """Import ``name`` with Ctrl-C and SIGTERM held until it is done.  An interrupt inside a
    compiled extension's initialisation (DuckDB's) can abort the whole process instead of
    raising; held, it takes effect right after, where it is an ordinary stop."""
    import importlib

    with interrupts_held():
        return importlib.import_module(name)
