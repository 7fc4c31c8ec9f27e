"""Special files where slabuilder writes or looks for PDFs: a FIFO, a device, a link.

Each case runs the real command in a process with a time limit, because the failure these
tests guard against is a hang (opening a FIFO to read it blocks until someone writes) or a
device replaced by a rename.  The promise: one ``slabuilder:`` line and exit 2, nothing
replaced, or, for a link to a file, the file written through and the link kept.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow  # every case runs the real command in a process

EXAMPLE = ROOT / "examples" / "acme.yaml"
NOT_A_FILE = "is not a regular file (a pipe, a device or a socket)"


def slabuilder(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "slabuilder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def refused(done: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    (line,) = done.stderr.splitlines()
    assert line.startswith("slabuilder: ")
    for fragment in fragments:
        assert fragment in line, line
    return line


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


# --------------------------------------------------------------------------- output targets


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_fifo_as_the_output_is_refused_without_hanging(tmp_path: Path, fifo: Path,
                                                         force: list[str]):
    refused(slabuilder("example", "-o", fifo, *force, cwd=tmp_path), f"{fifo}: ", NOT_A_FILE)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_fifo_named_as_a_document_is_refused_without_hanging(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "acme-analytics-summary.pdf")
    for force in ([], ["--force"]):
        refused(slabuilder("render", EXAMPLE, "-o", out, "--doc", "summary", *force,
                           cwd=tmp_path), "acme-analytics-summary.pdf: ", NOT_A_FILE)
    assert sorted(path.name for path in out.iterdir()) == ["acme-analytics-summary.pdf"]


def test_score_into_a_fifo_is_refused(tmp_path: Path, fifo: Path):
    leads = ROOT / "examples" / "new-leads.csv"
    refused(slabuilder("score", EXAMPLE, "--leads", leads, "-o", fifo, cwd=tmp_path),
            NOT_A_FILE)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_never_replaced_even_with_force(tmp_path: Path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    refused(slabuilder("example", "-o", device, "--force", cwd=tmp_path), NOT_A_FILE)
    assert stat.S_ISCHR(device.stat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["null"]


def test_a_link_to_a_file_is_written_through_and_kept(tmp_path: Path):
    real = tmp_path / "real.yaml"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "acme.yaml"
    link.symlink_to(real)
    refused(slabuilder("example", "-o", link, cwd=tmp_path), "already exists; use --force")
    done = slabuilder("example", "-o", link, "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert link.resolve() == real
    assert real.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_a_link_to_nothing_or_to_a_fifo_is_refused(tmp_path: Path, fifo: Path):
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    refused(slabuilder("example", "-o", dangling, "--force", cwd=tmp_path),
            "is a symbolic link that points to nothing")
    to_fifo = tmp_path / "to-fifo.yaml"
    to_fifo.symlink_to(fifo)
    refused(slabuilder("example", "-o", to_fifo, "--force", cwd=tmp_path), NOT_A_FILE)
    assert dangling.is_symlink()
    assert to_fifo.is_symlink()
    assert not (tmp_path / "nowhere.yaml").exists()


# --------------------------------------------------------------------------- PDFs looked for


def test_a_fifo_named_pdf_beside_the_answers_does_not_hang_report_or_status(tmp_path: Path):
    shutil.copy(EXAMPLE, tmp_path / "acme.yaml")
    os.mkfifo(tmp_path / "stray.pdf")
    done = slabuilder("report", "acme.yaml", "--month", "2027-03", "--format", "html",
                      "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    status = slabuilder("status", tmp_path, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert f"{tmp_path / 'stray.pdf'}: not a signable slabuilder document" in status.stdout


@pytest.mark.parametrize("command", ["status", "sign"])
def test_sign_and_status_refuse_a_device_or_a_fifo_at_once(tmp_path: Path, fifo: Path,
                                                           command: str):
    key = ROOT / "examples" / "keys" / "dana-reyes.p12"
    extra = ["--key", key, "--signer", "Dana Reyes"] if command == "sign" else []
    for target in (Path("/dev/zero"), fifo):
        refused(slabuilder(command, target, *extra, cwd=tmp_path), f"{target}: ",
                "the PDF is not a regular file")


def test_sign_without_a_terminal_asks_for_the_passphrase_in_one_line(tmp_path: Path):
    pdf = tmp_path / "acme-analytics-agreement.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    key = ROOT / "examples" / "keys" / "dana-reyes.p12"
    env = {name: value for name, value in os.environ.items()
           if name != "SLABUILDER_SIGN_PASSPHRASE"}
    done = subprocess.run([sys.executable, "-m", "slabuilder", "sign", str(pdf), "--key",
                           str(key), "--signer", "Dana Reyes"], capture_output=True,
                          text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
                          cwd=tmp_path, env=env)
    refused(done, "--passphrase-env: no terminal to ask for the passphrase of dana-reyes.p12 "
                  "in; set it in the environment variable SLABUILDER_SIGN_PASSPHRASE")
    assert pdf.read_bytes() == b"%PDF-1.7\n"
