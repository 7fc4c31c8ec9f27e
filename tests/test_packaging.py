"""The wheel carries templates, questionnaires and the example, and works outside the repo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT

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


def test_the_sdist_carries_every_file_the_project_tracks(tmp_path: Path):
    """An unpacked sdist must install from its own lock and pass its own tests: it carries
    every tracked file but the CI script."""
    import shutil
    import tarfile

    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout (an unpacked sdist): nothing to compare with")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d",
                    str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    (sdist,) = tmp_path.glob("slabuilder-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True,
                             cwd=ROOT).stdout.split()
    expected = {name for name in tracked if not name.startswith(".ci/")}
    assert sorted(expected - names) == []
    assert {"LICENSE", "ARCHITECTURE.md", "requirements/dev.txt", "uv.lock"} <= names


def test_the_lock_pins_every_dependency_and_keeps_test_tools_out_of_the_user_install():
    import tomllib

    def pinned(name: str) -> set[str]:
        text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
        return {line.split("==")[0].lower() for line in text.splitlines()
                if "==" in line and not line.startswith((" ", "#"))}

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~; ]", item, maxsplit=1)[0].lower().replace("_", "-")
                for item in requirements if not item.startswith("slabuilder")}

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    users = names(project["project"]["dependencies"] + extras["calibrate"] + extras["sign"])
    tools = names(extras["test"])
    user_lock, dev_lock = pinned("user.txt"), pinned("dev.txt")
    assert sorted(users - user_lock) == []
    assert sorted((users | tools) - dev_lock) == []
    assert sorted((tools - users - {"hatchling"}) & user_lock) == []
    assert "hatchling" in user_lock  # the editable install builds with it, from the lock
    for line in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            assert line.rstrip().endswith("\\"), f"{line}: no hashes follow"
