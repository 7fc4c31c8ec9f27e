"""``calibrate``: fit the scoring model's points and threshold on the company's own lead
history, and propose them as the next version of the answers with a calibration report."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.calibrate.options import CalibrationOptions, Progress

if TYPE_CHECKING:
    from slabuilder.answers import Answers
    from slabuilder.outputs import RenderOptions
    from slabuilder.plan import Plan

__all__ = ["CalibrateResult", "CalibrationOptions", "calibrate"]


@dataclass
class CalibrateResult:
    figures: dict[str, Any]
    """Everything measured, JSON-ready (``slabuilder calibrate --json``)."""
    proposed: Answers
    """The next version of the answers, with the calibrated ``scoring`` section."""
    proposed_name: str
    written: list[Path] = field(default_factory=list)


STEPS = ("Reading the history", "Preparing the columns", "Checking for leaking columns",
         "Choosing the signals", "Measuring on the holdout", "Writing the report")
"""The steps a calibration reports to its ``progress`` callback, in order."""


def _nothing(step: str) -> None:
    """No progress shown."""


def calibrate(answers_path: str | Path, history: str | Path, options: CalibrationOptions, *,
              out_dir: Path | None = None, rendering: RenderOptions | None = None,
              progress: Progress | None = None,
              show_progress: bool = False) -> CalibrateResult:
    """Calibrate on ``history``; with ``out_dir``, write the proposed answers
    (``<stem>-v<N>.yaml``) and the calibration report beside them.  ``rendering.force``
    replaces files, and writes a proposal that failed the quality check."""
    from slabuilder.outputs import RenderOptions

    rendering = rendering or RenderOptions()
    from slabuilder.extras import require

    require("calibrate")
    from slabuilder.interrupts import import_held

    import_held("duckdb")  # a stop inside its initialisation would abort the process
    from slabuilder.answerfile import answers_from_data, load_answers
    from slabuilder.calibrate.run import calibrate_table
    from slabuilder.calibrate.table import read_lead_table
    from slabuilder.outputs import default_stem
    from slabuilder.plan import build_plan
    from slabuilder.versions import next_version_defaults, versioned_answers_name
    from slabuilder.yamlio import read_yaml_file

    step = progress or _nothing
    answers_file = Path(answers_path)
    answers = load_answers(answers_file)
    plan = build_plan(answers)
    step("Reading the history")
    with tempfile.TemporaryDirectory(prefix="slabuilder-") as scratch:
        table = read_lead_table(Path(history), Path(scratch), show_progress=show_progress)
        try:
            calibration = calibrate_table(table, plan, options, step)
        finally:
            table.con.close()
    data = read_yaml_file(answers_file, what="answers file").data
    data["scoring"] = calibration.scoring
    following = next_version_defaults(data, plan)
    name = versioned_answers_name(answers_file.stem, plan.answers.agreement.version + 1)
    proposed = answers_from_data(following, name)
    new_plan = build_plan(proposed)
    figures = calibration.figures
    figures["explanation"] = new_plan.scoring.explanation
    figures["proposed_answers"] = {"file": name, "version": proposed.agreement.version,
                                   "effective_date": proposed.agreement.effective_date
                                   .isoformat()}
    figures["current_model_summary"] = {"threshold": answers.scoring.threshold,
                                        "signals": len(plan.scoring.signals),
                                        "explanation": plan.scoring.explanation}
    result = CalibrateResult(figures, proposed, name)
    gate = figures["quality"]
    if out_dir is not None and not gate["passed"] and not rendering.force:
        from slabuilder import words
        from slabuilder.errors import SlabuilderError

        raise SlabuilderError(
            f"the calibrated model was not written: {words.join(gate['reasons'])}; give "
            "columns known before sales contact or a longer history, or write it anyway "
            "with --force", key="--history")
    if out_dir is not None:
        step("Writing the report")
        result.written = _write(out_dir, name, default_stem(proposed), following, new_plan,
                                plan, figures, rendering)
    return result


def _write(out_dir: Path, name: str, stem: str, data: dict[str, Any], new_plan: Plan,
           old_plan: Plan, figures: dict[str, Any],
           rendering: RenderOptions) -> list[Path]:
    from slabuilder.answerfile import save_answers
    from slabuilder.calibrate.report import report_context
    from slabuilder.fsutil import check_writable
    from slabuilder.outputs import prepare_outputs, write_outputs

    force = rendering.force
    target = Path(out_dir) / name
    check_writable(target, force=force)
    outputs = prepare_outputs(new_plan, ["calibration"], Path(out_dir), rendering,
                              extra_context={"calibration": report_context(figures,
                                                                           old_plan,
                                                                           new_plan)},
                              file_stem=stem)
    for output in outputs:
        check_writable(output.path, force=force)
    written = write_outputs(outputs, force=force)
    save_answers(data, target, force=force)
    return [target, *written]
