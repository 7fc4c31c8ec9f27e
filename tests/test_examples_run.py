"""Every command README.md and each command's ``--help`` show runs as written.

Each README code block, and each command's Examples, is a recipe: its commands run in order,
verbatim, in a fresh folder laid out as a fresh clone is (``examples/`` and, as after
``bash scripts/setup``, ``.venv``), with ``.venv/bin`` first on PATH as after
``source .venv/bin/activate``. Each must exit 0 and print no traceback and no library
warning.

Three kinds of line are treated otherwise, each for a stated reason:

- ``bash scripts/setup ...`` is what CI has just run to build the environment these tests
  run in; installing again would only slow the suite, so the line's install step is taken as
  done and the rest of the line runs.
- ``.venv/bin/python -m pytest`` is this suite.
- Interactive commands (``new`` without ``--defaults``, ``serve``) run in a pseudo-terminal
  until they ask their first question or print their address, then get Ctrl-C: they must stop
  cleanly (exit 130 or 0, no traceback).

The Speed section's benchmark commands take minutes each and are run by hand; they are not
code blocks of a recipe, and their ``--help`` runs here instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow

VENV_BIN = Path(sys.executable).parent
COMMANDS = ("new", "serve", "example", "plan", "check", "schema", "render", "report",
            "renegotiate", "diff", "calibrate", "score", "sign", "status")


def _joined(lines: list[str]) -> list[str]:
    """Shell lines with backslash continuations joined, blank lines dropped."""
    commands: list[str] = []
    pending = ""
    for line in lines:
        stripped = line.strip()
        if not stripped and not pending:
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        commands.append(pending + stripped)
        pending = ""
    assert not pending, f"a continuation runs off the end: {pending}"
    return commands


def readme_recipes() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        line = text.count("\n", 0, match.start()) + 1
        found.append((f"README.md:{line}", _joined(match.group(1).splitlines())))
    return found


def help_recipe(command: str | None) -> list[str]:
    args = [str(VENV_BIN / "slabuilder"), *([command] if command else []), "--help"]
    shown = subprocess.run(args, capture_output=True, text=True, check=True,
                           env={**os.environ, "COLUMNS": "100"}).stdout
    block = re.search(r"^  (?:Examples|Start here):\n(.*?)(?:\n\n|\Z)", shown,
                      re.MULTILINE | re.DOTALL)
    return _joined(block.group(1).splitlines()) if block else []


def _sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder as a fresh clone has it, after the set-up; and the environment to run in."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / ".venv").symlink_to(VENV_BIN.parent)
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "BROWSER": "true", "COLUMNS": "100"}
    env.pop("SLABUILDER_SIGN_PASSPHRASE", None)
    return tmp_path, env


def _interactive(command: str) -> bool:
    words = shlex.split(command, comments=True)
    if len(words) < 2 or not words[0].endswith("slabuilder"):
        return False
    return (words[1] == "new" and "--defaults" not in words) or words[1] == "serve"


def _run_in_terminal(command: str, folder: Path, env: dict[str, str]) -> None:
    import pexpect

    child = pexpect.spawn("bash", ["-c", command], cwd=str(folder), env=env,
                          encoding="utf-8", timeout=60, dimensions=(40, 120))
    try:
        child.expect([r"\?\S* \w", r"http://127\.0\.0\.1:\d+/"])  # a question, or the address
        child.sendintr()
        if child.expect([r"Save your answers so far", pexpect.EOF]) == 0:
            child.send("y")
            child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    seen = child.before or ""
    status = child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
    assert status in (0, 130), f"{command}: exit {status}\n{seen}"
    assert "Traceback" not in seen, f"{command}:\n{seen}"


def _run_recipe(commands: list[str], folder: Path, env: dict[str, str]) -> None:
    exported: dict[str, str] = {}
    for line in commands:
        # the install is done (see above); what follows it on the line runs
        command = line.partition("&&")[2].strip() if line.startswith("bash scripts/setup") \
            else line
        if not command:
            continue
        if re.search(r"-m pytest\b", command):
            continue
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").split("#")[0].strip().partition("=")
            exported[name] = value
            continue
        here = {**env, **exported}
        if _interactive(command):
            _run_in_terminal(command, folder, here)
            continue
        done = subprocess.run(["bash", "-c", command], cwd=folder, env=here,
                              capture_output=True, text=True, timeout=300, check=False,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
        # a library's notice (pyHanko's DeprecationWarning, say) never reaches the user
        assert not re.search(r"\w+Warning\b", done.stderr), f"{command}\n{done.stderr}"


def _recipes() -> list[tuple[str, list[str]]]:
    """Every recipe: README's code blocks, then each command's --help examples."""
    found = list(readme_recipes())
    for command in (None, *COMMANDS):
        recipe = help_recipe(command)
        if command in (None, "new", "plan", "check", "render", "report", "renegotiate",
                       "calibrate", "score", "sign", "status", "serve"):
            assert recipe, f"slabuilder {command or ''} --help shows no examples"
        if recipe:
            found.append((f"slabuilder {command or ''} --help", recipe))
    return found


def test_every_readme_block_and_help_example_runs_as_written(tmp_path: Path):
    """The recipes are independent (each in its own fresh folder) and mostly wait on their
    commands, so they run three at a time; every failure is reported with its recipe."""
    from concurrent.futures import ThreadPoolExecutor

    recipes = _recipes()
    assert len(recipes) > 20

    def one(index: int) -> str | None:
        where, commands = recipes[index]
        folder = tmp_path / f"recipe-{index}"
        folder.mkdir()
        try:
            _run_recipe(commands, *_sandbox(folder))
        except AssertionError as failure:
            return f"{where}: {failure}"
        return None

    with ThreadPoolExecutor(max_workers=3) as pool:
        failures = [found for found in pool.map(one, range(len(recipes))) if found]
    assert failures == []


def test_the_readme_recipes_cover_the_main_commands():
    """The recipes are the examples people copy: each main command appears in one."""
    shown = " ".join(" ".join(commands) for _, commands in readme_recipes())
    for command in ("new", "serve", "render", "report", "renegotiate", "calibrate", "score",
                    "sign", "status"):
        assert f"slabuilder {command} " in shown, command


def test_the_benchmark_commands_readme_shows_start():
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        if f"benchmarks/{script.name}" not in (ROOT / "README.md").read_text(encoding="utf-8"):
            continue
        done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                              text=True, check=False, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
