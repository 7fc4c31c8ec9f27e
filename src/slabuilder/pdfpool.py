"""Many PDFs at once: worker processes over the machine's cores, and the worker started early.

:func:`html_to_pdf_many` makes several PDFs in parallel, one :func:`slabuilder.pdf.render_job`
per document in forked workers that loaded WeasyPrint and the fonts once; their WeasyPrint
warnings are logged again in the parent.  :func:`prepared_worker` starts the one worker a
single PDF needs while the answers, the plan and the HTML are still being made.  Every worker
dies with its parent, and Ctrl-C or a failed document ends them all.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from slabuilder.interrupts import interrupts_held
from slabuilder.pdf import PdfJob, _font_config, build_date, render_job

__all__ = ["html_to_pdf_many", "prepared_worker"]


def _warm_up(job: PdfJob) -> None:
    """Load WeasyPrint, the fonts and their caches once, before forking, so that every
    worker inherits them instead of loading them again."""
    head = job.html.split("<body", 1)[0]
    sample = "<p>Warm <b>up</b> <strong>1,234</strong> <em>text</em></p>"
    render_job(PdfJob(html=f"{head}<body>{sample}</body></html>", base_url=job.base_url,
                      metadata={}, asset_dirs=job.asset_dirs))


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this worker when the process that started it dies, even by SIGKILL,
    so that no worker outlives a render (elsewhere the parent's ``finally`` ends them)."""
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _worker_start(parent: int) -> None:
    """Load WeasyPrint and the shared fonts once per worker, not once per document."""
    import signal

    _die_with_parent(parent)
    # Ctrl-C and SIGTERM are the parent's to handle: it ends the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _font_config()


class _Recorder(logging.Handler):
    """Keeps a worker's WeasyPrint warnings so the parent process can log them again."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


def _render_in_worker(job: PdfJob) -> tuple[bytes, list[tuple[int, str]]]:
    recorder = _Recorder()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(recorder)
    try:
        return render_job(job), recorder.records
    finally:
        logger.removeHandler(recorder)


def html_to_pdf_many(jobs: Sequence[PdfJob], *, workers: int | None = None) -> list[bytes]:
    """Make several PDFs, in parallel on every core when there is more than one to make.

    Each worker process keeps one font configuration for all the documents it renders, and
    its WeasyPrint warnings are logged again here, so nothing a worker saw goes unnoticed.
    The results come back in the order of ``jobs``.
    """
    if not jobs:
        return []
    build_date()  # a bad SOURCE_DATE_EPOCH is reported here, not from inside a worker
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if len(jobs) == 1 and (prepared := _PREPARED.pop(threading.get_ident(), None)):
        return [_render_in_prepared(prepared, jobs[0])]
    if count <= 1:
        return [render_job(job) for job in jobs]
    _warm_up(jobs[0])
    import multiprocessing

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    # Forked workers share the parent's memory until they write to it; the garbage
    # collector's first pass would touch (and so copy) every object WeasyPrint loaded.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context,
                               initializer=_worker_start, initargs=(os.getpid(),))
    try:
        # The workers are forked as the jobs are handed out: a Ctrl-C or SIGTERM landing in
        # the fork's own bookkeeping (logging's lock) is printed by Python as an exception
        # it ignored; held, it takes effect a moment later and stops the run cleanly.
        with interrupts_held():
            pending = pool.map(_render_in_worker, jobs)
        results = list(pending)
    except BaseException:
        # Ctrl-C, SIGTERM or a failed document: no worker may go on rendering.
        _end_workers(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        gc.unfreeze()
    for _, records in results:
        _replay(records)
    return [data for data, _ in results]


def _replay(records: Sequence[tuple[int, str]]) -> None:
    """Log here what WeasyPrint logged in a worker."""
    logger = logging.getLogger("weasyprint")
    for level, message in records:
        logger.log(level, "%s", message)


_PREPARED: dict[int, ProcessPoolExecutor] = {}
"""The worker :func:`prepared_worker` started in each thread, until a single PDF is given
to it."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start its worker now."""


@contextmanager
def prepared_worker(wanted: bool = True) -> Iterator[None]:
    """Start the process that will make the one PDF of a run before the run needs it.

    Loading WeasyPrint and the fonts takes about as long as reading the answers, working
    out the plan and rendering the HTML; with a second core the two happen side by side:
    the worker loads WeasyPrint while this process does the rest, and the one PDF that
    :func:`html_to_pdf_many` is then given is made there.  Nothing changes in the PDF, the
    limits or the messages (the worker runs the same :func:`render_job`).  Without a second
    core, on a system without ``fork``, or when ``wanted`` is false (more than one PDF,
    which :func:`html_to_pdf_many` spreads over the cores itself) nothing is started.  A
    worker left unused (the run failed before its PDF) is ended at once.
    """
    thread = threading.get_ident()
    if not wanted or thread in _PREPARED or os.name != "posix" or _cores() < 2:
        yield
        return
    import multiprocessing

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                               initializer=_prepared_start, initargs=(os.getpid(),))
    _PREPARED[thread] = pool
    stopped = True
    try:
        with interrupts_held():  # the worker is forked here (see html_to_pdf_many)
            ready = pool.submit(_ready)
        yield
        stopped = False
    except Exception:
        stopped = False  # a refusal, not Ctrl-C: the worker may finish starting
        raise
    finally:
        if _PREPARED.get(thread) is pool:
            del _PREPARED[thread]
            if stopped:
                _end_workers(pool)  # Ctrl-C or SIGTERM: no worker goes on
            else:
                # Killing a worker while the pool still sends it its first task makes the
                # pool's sending thread print a traceback: let it take the task, then end.
                with contextlib.suppress(Exception):
                    ready.result(timeout=30)
                _end_workers(pool)


def _prepared_start(parent: int) -> None:
    """:func:`_worker_start`, except that WeasyPrint failing to load (no Pango) is left for
    the job to report: a failed start would break the pool and lose the message."""
    import contextlib

    with contextlib.suppress(Exception):  # render_job loads it again, raising the message
        _worker_start(parent)


def _render_in_prepared(pool: ProcessPoolExecutor, job: PdfJob) -> bytes:
    try:
        data, records = pool.submit(_render_in_worker, job).result()
    except BaseException:
        _end_workers(pool)
        raise
    pool.shutdown(wait=True)
    _replay(records)
    return data


def _end_workers(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
