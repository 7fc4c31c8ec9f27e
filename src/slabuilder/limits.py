"""The caps on what slabuilder reads and runs, in one place, and the alarm that enforces
the time limits.

README states every number here.  A user template is code the user wrote, so it runs under
limits: a time limit on the Jinja render and another on the PDF layout of each document,
a cap on the HTML it may produce, on its elements and on the pages of its PDF.

The time limits use a ``SIGALRM`` timer whose handler raises :class:`TimeLimitExceeded`.
Jinja templates compile to Python and WeasyPrint lays pages out in Python, so the exception
arrives within moments of the deadline, wherever the loop is.  It derives from
``BaseException`` on purpose, so that ``except Exception`` does not swallow it; where even
that is caught (WeasyPrint catches ``BaseException`` around SVG images), the alarm rings
again, and a block that ends after it rang fails all the same.  PDFs of
several documents are made in worker processes, each the main thread of its own process, so
the same timer works there.  Where no timer is available (Windows, or a render started from
a thread other than the main one) the size, element and page caps still apply.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = [
    "ANSWERS_MAX_BYTES",
    "ASSET_MAX_BYTES",
    "EXPORT_MAX_BYTES",
    "HTML_MAX_CHARS",
    "HTML_MAX_ELEMENTS",
    "MEMORY_ENV",
    "PDF_MAX_PAGES",
    "PDF_SECONDS",
    "SIGNED_PDF_MAX_BYTES",
    "TEMPLATE_MAX_BYTES",
    "TEMPLATE_SECONDS",
    "TimeLimitExceeded",
    "actuals_memory_bytes",
    "deadline",
]

ANSWERS_MAX_BYTES = 1_000_000
"""Answers, questionnaire and mapping files are hand-written; anything bigger is not one."""
TEMPLATE_MAX_BYTES = 1_000_000
"""A template or stylesheet in a ``--templates`` folder."""
ASSET_MAX_BYTES = 20_000_000
"""A font or an image a document loads from a template folder."""
SIGNED_PDF_MAX_BYTES = 50_000_000
"""A PDF that sign or status reads (slabuilder's own are well under 1 MB, even signed by
eight people)."""
EXPORT_MAX_BYTES = 4_000_000_000
"""A CRM export (or task export): millions of rows fit well below it."""
ACTUALS_MEMORY_BYTES = 256_000_000
"""The memory DuckDB may hold while it measures an export; beyond it, tables move to the
scratch folder on disk (the operating system's cache keeps them quick to read back)."""
MEMORY_ENV = "SLABUILDER_MEMORY_LIMIT"
"""Environment variable that raises or lowers that memory (``2GB``, ``512MB``; ``MiB`` and
``GiB`` count in 1024s)."""
TEMPLATE_SECONDS = 20.0
"""Jinja render of one document (the shipped ones take well under a second)."""
HTML_MAX_CHARS = 20_000_000
"""The HTML one document may produce."""
HTML_MAX_ELEMENTS = 60_000
"""Elements (tags) in one document's HTML; the shipped agreement has a few thousand."""
PDF_SECONDS = 120.0
"""Layout and writing of one PDF (the shipped agreement takes a few seconds)."""
PDF_MAX_PAGES = 300
"""Pages of one PDF."""


def actuals_memory_bytes() -> int:
    """:data:`ACTUALS_MEMORY_BYTES`, or what :data:`MEMORY_ENV` says."""
    import os
    import re

    from slabuilder.errors import ExportError

    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return ACTUALS_MEMORY_BYTES
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]i?B?)", text, flags=re.IGNORECASE)
    if found is None or float(found.group(1)) <= 0:
        raise ExportError(f"{text!r} is not an amount of memory; write it as 512MB or 2GB",
                          file=MEMORY_ENV)
    power = "KMG".index(found.group(2)[0].upper()) + 1
    unit = 1024**power if "i" in found.group(2).lower() else 1000**power
    amount = int(float(found.group(1)) * unit)
    if amount < 64_000_000:
        raise ExportError(f"{text!r} is too little memory to measure an export; give at "
                          "least 64MB", file=MEMORY_ENV)
    return amount


class TimeLimitExceeded(BaseException):
    """Raised by the alarm of :func:`deadline`."""


def _timer_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in this thread if the block runs past ``seconds``."""
    if seconds <= 0 or not _timer_available():
        yield
        return

    rang = False

    def ring(signum: int, frame: object) -> None:
        nonlocal rang
        rang = True
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, ring)
    # The alarm rings again every quarter second after the deadline, and a block that ends
    # normally after it rang still fails: an exception raised where it is swallowed (a
    # garbage-collector callback, WeasyPrint's ``except BaseException`` around SVG images)
    # is not the end of the limit.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if rang:
        raise TimeLimitExceeded
