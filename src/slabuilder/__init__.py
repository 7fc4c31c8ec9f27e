"""slabuilder: write, render and renegotiate the service level agreement between marketing
and sales.

The library is the API; the ``slabuilder`` command only calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Answers": "slabuilder.answers",
    "load_answers": "slabuilder.answers",
    "dump_answers": "slabuilder.answers",
    "save_answers": "slabuilder.answers",
    "AnswersError": "slabuilder.errors",
    "SlabuilderError": "slabuilder.errors",
    "Plan": "slabuilder.plan",
    "build_plan": "slabuilder.plan",
    "build_context": "slabuilder.context",
    "render_documents": "slabuilder.documents",
    "render_html": "slabuilder.documents",
    "load_questionnaire": "slabuilder.questionnaire",
    "ExportOptions": "slabuilder.actuals",
    "compute_actuals": "slabuilder.actuals",
    "build_report_context": "slabuilder.report",
    "AgreementDiff": "slabuilder.amend",
    "diff_answers": "slabuilder.amend",
    "diff_plans": "slabuilder.amend",
    "CalibrationOptions": "slabuilder.jobs.calibrate",
    "calibrate": "slabuilder.jobs.calibrate",
    "score_leads": "slabuilder.jobs.score",
}
"""Public names and their modules, imported on first use so ``import slabuilder`` is instant
(the interview must not pay for WeasyPrint or DuckDB)."""

__all__ = [
    "AgreementDiff",
    "Answers",
    "AnswersError",
    "CalibrationOptions",
    "ExportOptions",
    "Plan",
    "SlabuilderError",
    "__version__",
    "build_context",
    "build_plan",
    "build_report_context",
    "calibrate",
    "compute_actuals",
    "diff_answers",
    "diff_plans",
    "dump_answers",
    "load_answers",
    "load_questionnaire",
    "render_documents",
    "render_html",
    "save_answers",
    "score_leads",
]

if TYPE_CHECKING:
    from slabuilder.actuals import ExportOptions, compute_actuals
    from slabuilder.amend import AgreementDiff, diff_answers, diff_plans
    from slabuilder.answers import Answers, dump_answers, load_answers, save_answers
    from slabuilder.context import build_context
    from slabuilder.documents import render_documents, render_html
    from slabuilder.errors import AnswersError, SlabuilderError
    from slabuilder.jobs.calibrate import CalibrationOptions, calibrate
    from slabuilder.jobs.score import score_leads
    from slabuilder.plan import Plan, build_plan
    from slabuilder.questionnaire import load_questionnaire
    from slabuilder.report import build_report_context


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import slabuilder`` stays instant."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'slabuilder' has no attribute {name!r}")
