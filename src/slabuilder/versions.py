"""Versions of an agreement: the next version's defaults and the names its files carry.

Version 1 of Acme's answers is ``acme.yaml`` and its documents ``acme-analytics-agreement.pdf``;
from version 2 on both carry the number (``acme-v2.yaml``, ``acme-analytics-v2-agreement.pdf``)
so that a new version never collides with the signed files of the last.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from slabuilder.words import versioned_stem

if TYPE_CHECKING:
    from slabuilder.plan import Plan

__all__ = ["next_version_defaults", "versioned_answers_name"]


def next_version_defaults(data: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The current answers as the defaults of the next version.

    The version number goes up by one and the new version takes effect the day after the
    current planning period ends; everything else stays as agreed, so a renegotiation types
    only what changes.  ``data`` is not modified.
    """
    following = copy.deepcopy(data)
    agreement = following.setdefault("agreement", {})
    agreement["version"] = plan.answers.agreement.version + 1
    agreement["effective_date"] = plan.period_end + dt.timedelta(days=1)
    return following


def versioned_answers_name(stem: str, version: int) -> str:
    """The answers file of ``version``: ``acme`` (or ``acme-v2``), version 3 -> ``acme-v3.yaml``."""
    return f"{versioned_stem(stem, version)}.yaml"
