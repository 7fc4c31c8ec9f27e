"""Fixtures shared by every test module."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLE, ROOT, CliResult
from slabuilder.answerfile import load_answers
from slabuilder.answers import Answers
from slabuilder.plan import Plan, build_plan
from slabuilder.questionnaire import Questionnaire, load_questionnaire
from slabuilder.yamlio import read_yaml_file

CONTRACT = ROOT.parent / "shared" / "contract" / "answers-example.yaml"

os.environ.setdefault("COLUMNS", "120")


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def contract_example() -> Path:
    """The answers file slabuilder must accept unchanged, from ``../shared/contract/``.

    It lies beside the repository in CI, which must check it; a clone on its own (a
    newcomer's) has no such folder, and the tests that read it say so and skip.
    """
    if CONTRACT.is_file():
        return CONTRACT
    if os.environ.get("CI"):
        pytest.fail(f"CI must check the contract files, but {CONTRACT} is missing")
    pytest.skip(f"the contract file {CONTRACT} is not beside this clone (CI checks it)")


@pytest.fixture(scope="session")
def example_answers() -> Answers:
    return load_answers(EXAMPLE)


@pytest.fixture(scope="session")
def example_plan(example_answers: Answers) -> Plan:
    return build_plan(example_answers)


@pytest.fixture(scope="session")
def example_pdfs(example_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example's agreement, brief and summary as PDFs (no WeasyPrint warning allowed),
    rendered once for the whole session.  Read them or copy them; never change them."""
    from helpers import render_clean

    out = tmp_path_factory.mktemp("example-pdfs")
    written = render_clean(example_plan, ["agreement", "brief", "summary"], out,
                           answers_path=EXAMPLE)
    return {path.stem.removeprefix("acme-analytics-"): path for path in written}


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    """The shipped questionnaire, loaded once."""
    return load_questionnaire()


@pytest.fixture
def example_data() -> dict[str, Any]:
    """The example answers file as plain data, a fresh copy for each test to change."""
    data: dict[str, Any] = read_yaml_file(EXAMPLE).data
    return data


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``slabuilder`` in-process; returns the exit code and what it printed."""
    from slabuilder.cli import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _signal_handlers_kept() -> Iterator[None]:
    """A test must leave Ctrl-C and SIGTERM as it found them: a SIGINT left ignored is
    inherited by every command a later test starts, which then cannot be stopped."""
    signals = (signal.SIGINT, signal.SIGTERM)
    before = [signal.getsignal(signum) for signum in signals]
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    after = [signal.getsignal(signum) for signum in signals]
    left_blocked = signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    for signum, found, left in zip(signals, before, after, strict=True):
        signal.signal(signum, found)
        assert left == found, f"the test left {signum.name} handled by {left!r}"
    assert left_blocked == blocked, f"the test left {sorted(left_blocked)} blocked"
