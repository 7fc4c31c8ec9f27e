"""The version of slabuilder and the moment a build is stamped with, in one place every layer
may read."""

from __future__ import annotations

import datetime as dt
import os

from slabuilder.errors import SlabuilderError

__version__ = "0.1.0"


def build_date() -> dt.datetime:
    """The moment a document says it was made: ``SOURCE_DATE_EPOCH`` when set (so that the
    same answers give the same bytes), else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise SlabuilderError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds "
                                  "since 1970; unset it or give one such as 1798761600") \
                from None
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
