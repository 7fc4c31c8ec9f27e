"""slabuilder: write, render and renegotiate the service level agreement between marketing
and sales.

The library is the API; the ``slabuilder`` command only calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Answers",
    "AnswersError",
    "Plan",
    "SlabuilderError",
    "__version__",
    "build_plan",
    "load_answers",
]

if TYPE_CHECKING:
    from slabuilder.answers import Answers, load_answers
    from slabuilder.errors import AnswersError, SlabuilderError
    from slabuilder.plan import Plan, build_plan

_LAZY = {
    "Answers": "slabuilder.answers",
    "load_answers": "slabuilder.answers",
    "AnswersError": "slabuilder.errors",
    "SlabuilderError": "slabuilder.errors",
    "Plan": "slabuilder.plan",
    "build_plan": "slabuilder.plan",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import slabuilder`` stays instant."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'slabuilder' has no attribute {name!r}")
