"""Random bytes and random YAML to every reader, random strings to --set: the answer is
always exit 0 or 2 with one line, never a traceback (a bounded number of examples, so it
runs in CI)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import HEADER, ROWS, write_csv
from slabuilder.errors import SlabuilderError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme.yaml"
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FEW = settings(FUZZ, max_examples=12)

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(max_size=30) | st.dates().map(str))
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.integers(), children, max_size=4),
    max_leaves=20)
keys = st.sampled_from(["company", "company.name", "agreement.signatories", "funnel",
                        "funnel.mql_to_sql", "icp.disqualifiers", "economics", "sla", "x",
                        "scoring.signals", "agreement.signatories[0].name", "team"])

SCRATCH = Path(tempfile.mkdtemp(prefix="slabuilder-fuzz-"))
LEADS = write_csv(SCRATCH / "leads.csv", HEADER, ROWS)


def refused_or_done(result: Any) -> None:
    assert result.code in (0, 2), result
    assert "Traceback" not in result.err
    assert "failed unexpectedly" not in result.err
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err


def fuzz_file(name: str, content: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(content)
    return path


def dumped(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True).encode("utf-8")


@FUZZ
@given(content=st.binary(max_size=400) | structures.map(dumped))
def test_any_answers_file(run_cli: Callable[..., Any], content: bytes) -> None:
    path = fuzz_file("answers.yaml", content)
    refused_or_done(run_cli("plan", path))
    check = run_cli("check", path)
    assert check.code in (0, 2)
    assert "failed unexpectedly" not in check.err


@FUZZ
@given(key=keys, value=structures)
def test_any_value_under_any_key(run_cli: Callable[..., Any], key: str, value: Any) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    from slabuilder.keypath import set_path

    set_path(data, key, value)
    refused_or_done(run_cli("plan", fuzz_file("answers.yaml", dumped(data))))


@FUZZ
@given(key=st.text(max_size=40) | keys, value=st.text(max_size=40))
def test_any_set(run_cli: Callable[..., Any], key: str, value: str) -> None:
    refused_or_done(run_cli("plan", EXAMPLE, "--set", f"{key}={value}"))


@FUZZ
@given(content=st.binary(max_size=400) | structures.map(dumped))
def test_any_questionnaire_file(content: bytes) -> None:
    from slabuilder.questionnaire import load_questionnaire

    path = fuzz_file("questions.yaml", content)
    try:
        load_questionnaire(path)
    except SlabuilderError as error:  # refused: one line that names the file
        message = str(error)
        assert re.match(re.escape(str(path)) + r"(:\d+)?: \S", message), message
        assert "\n" not in message


@FEW
@given(content=st.binary(max_size=300) | structures.map(dumped))
def test_any_mapping_file(run_cli: Callable[..., Any], content: bytes) -> None:
    path = fuzz_file("map.yaml", content)
    refused_or_done(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            LEADS, "--mapping", path))


@FEW
@given(content=st.binary(max_size=600)
       | st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=16), max_size=6).map(
           lambda rows: "\r\n".join(",".join(row) for row in [HEADER, *rows]).encode()))
def test_any_export(run_cli: Callable[..., Any], content: bytes) -> None:
    path = fuzz_file("export.csv", content)
    refused_or_done(run_cli("report", EXAMPLE, "--month", "2027-01", "--json", "--actuals",
                            path))


@pytest.fixture(autouse=True)
def _quiet_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
