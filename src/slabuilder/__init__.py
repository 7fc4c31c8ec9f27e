"""slabuilder: write, render and renegotiate the service level agreement between marketing
and sales.

The library is the API; the ``slabuilder`` command only calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slabuilder.version import __version__

_LAZY = {
    # answers -> plan
    "Answers": "slabuilder.answers",
    "load_answers": "slabuilder.answerfile",
    "dump_answers": "slabuilder.answerfile",
    "save_answers": "slabuilder.answerfile",
    "load_questionnaire": "slabuilder.questionnaire",
    "Plan": "slabuilder.plan",
    "build_plan": "slabuilder.plan",
    # plan -> context -> HTML -> files
    "build_context": "slabuilder.context",
    "render_html": "slabuilder.documents",
    "RenderOptions": "slabuilder.outputs",
    "render_documents": "slabuilder.outputs",
    # actuals and the monthly report
    "Actuals": "slabuilder.actuals",
    "ExportOptions": "slabuilder.actuals",
    "compute_actuals": "slabuilder.actuals",
    "build_report_context": "slabuilder.report",
    # versions
    "AgreementDiff": "slabuilder.diff",
    "diff_answers": "slabuilder.diff",
    "diff_plans": "slabuilder.diff",
    # one call per command
    "NewResult": "slabuilder.jobs.new",
    "run_new": "slabuilder.jobs.new",
    "run_render": "slabuilder.jobs.render",
    "ReportRun": "slabuilder.jobs.report",
    "run_report": "slabuilder.jobs.report",
    "RenegotiationRun": "slabuilder.jobs.renegotiate",
    "run_renegotiate": "slabuilder.jobs.renegotiate",
    "DiffRun": "slabuilder.jobs.diff",
    "run_diff": "slabuilder.jobs.diff",
    "SignResult": "slabuilder.jobs.sign",
    "sign_document": "slabuilder.jobs.sign",
    "InForce": "slabuilder.jobs.status",
    "StatusReport": "slabuilder.jobs.status",
    "signature_status": "slabuilder.jobs.status",
    "version_in_force": "slabuilder.jobs.status",
    "CalibrationOptions": "slabuilder.jobs.calibrate",
    "calibrate": "slabuilder.jobs.calibrate",
    "score_leads": "slabuilder.jobs.score",
    # errors
    "AnswersError": "slabuilder.errors",
    "SlabuilderError": "slabuilder.errors",
}
"""Public names and their modules, imported on first use so ``import slabuilder`` is instant
(the interview must not pay for WeasyPrint or DuckDB)."""

__all__ = [
    "Actuals",
    "AgreementDiff",
    "Answers",
    "AnswersError",
    "CalibrationOptions",
    "DiffRun",
    "ExportOptions",
    "InForce",
    "NewResult",
    "Plan",
    "RenderOptions",
    "RenegotiationRun",
    "ReportRun",
    "SignResult",
    "SlabuilderError",
    "StatusReport",
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
    "run_diff",
    "run_new",
    "run_render",
    "run_renegotiate",
    "run_report",
    "save_answers",
    "score_leads",
    "sign_document",
    "signature_status",
    "version_in_force",
]

if TYPE_CHECKING:
    from slabuilder.actuals import Actuals, ExportOptions, compute_actuals
    from slabuilder.answerfile import dump_answers, load_answers, save_answers
    from slabuilder.answers import Answers
    from slabuilder.context import build_context
    from slabuilder.diff import AgreementDiff, diff_answers, diff_plans
    from slabuilder.documents import render_html
    from slabuilder.errors import AnswersError, SlabuilderError
    from slabuilder.jobs.calibrate import CalibrationOptions, calibrate
    from slabuilder.jobs.diff import DiffRun, run_diff
    from slabuilder.jobs.new import NewResult, run_new
    from slabuilder.jobs.render import run_render
    from slabuilder.jobs.renegotiate import RenegotiationRun, run_renegotiate
    from slabuilder.jobs.report import ReportRun, run_report
    from slabuilder.jobs.score import score_leads
    from slabuilder.jobs.sign import SignResult, sign_document
    from slabuilder.jobs.status import InForce, StatusReport, signature_status, version_in_force
    from slabuilder.outputs import RenderOptions, render_documents
    from slabuilder.plan import Plan, build_plan
    from slabuilder.questionnaire import load_questionnaire
    from slabuilder.report import build_report_context


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``import slabuilder`` stays instant."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'slabuilder' has no attribute {name!r}")
