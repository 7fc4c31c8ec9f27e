"""The wheel carries templates, questionnaires and the example, and works outside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("slabuilder-*.whl")
    return found


def test_wheel_carries_the_data_folders(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("templates", "questionnaires", "examples"):
        shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
        assert shipped, folder
        for name in shipped:
            assert f"slabuilder/_data/{name}" in names
    assert "slabuilder/py.typed" in names


def test_installed_wheel_runs_from_any_folder(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import slabuilder.resources as r; print(r.templates_dir())"],
        capture_output=True, text=True, check=True, cwd=elsewhere, env=env)
    assert probe.stdout.strip().startswith(str(target))
    script = target / "bin" / "slabuilder"
    result = subprocess.run([sys.executable, str(script), "example", "-o", "acme.yaml"],
                            capture_output=True, text=True, check=False, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    plan = subprocess.run([sys.executable, str(script), "plan", "acme.yaml", "--json"],
                          capture_output=True, text=True, check=True, cwd=elsewhere, env=env)
    assert json.loads(plan.stdout)["targets"]["mql"]["per_period"] == 534
