"""``slabuilder status``: which signable documents there are, who signed them, and which
version of the agreement is in force."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.errors import SlabuilderError

if TYPE_CHECKING:
    from slabuilder.sign import PdfStatus

__all__ = ["Binding", "InForce", "StatusReport", "binding_version", "signature_status",
           "version_in_force"]

BINDING = ("agreement", "amendment")
"""The documents whose signatures put a version in force (the summary is acknowledged)."""
TRUST_ENV = "SLABUILDER_TRUST"
"""Certificate authorities trusted on this machine besides the system's: files (PEM or DER)
separated as in PATH; what ``--trust`` adds for one command, for every command."""


@dataclass(frozen=True)
class InForce:
    """The version of a company's agreement that binds: the highest one signed by every
    signatory, with intact and trusted signatures and no change since, whose effective date
    has come."""

    company: str
    version: int
    effective_date: str
    fingerprint: str
    documents: list[str]


@dataclass
class StatusReport:
    documents: list[PdfStatus] = field(default_factory=list)
    in_force: list[InForce] = field(default_factory=list)
    upcoming: list[InForce] = field(default_factory=list)
    """Versions signed by every signatory whose effective date is still to come."""
    not_ours: list[str] = field(default_factory=list)
    """PDFs in the folder that are not signable slabuilder documents."""
    on: str = ""
    """The day the version in force is told for (ISO)."""

    @property
    def problems(self) -> list[str]:
        """Every problem found, each naming its PDF: a broken or untrusted signature, a
        change after signing, answers that no longer match."""
        return [f"{doc.path}: {problem}" for doc in self.documents for problem in doc.problems]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "problems": self.problems,
            "documents": [{**asdict(doc),
                           "signed_by_every_signatory": doc.signed_by_every_signatory}
                          for doc in self.documents],
            "on": self.on,
            "in_force": [asdict(item) for item in self.in_force],
            "upcoming": [asdict(item) for item in self.upcoming],
            "not_ours": self.not_ours,
        }


def _pdfs(path: Path) -> tuple[list[Path], Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".pdf"), path
    if path.exists():  # a pipe or a device is refused by the read, without blocking
        return [path], path.parent
    raise SlabuilderError("no such PDF or folder; give a signed PDF or the folder that holds "
                          "the documents", file=path)


def _answers_fingerprints(folder: Path) -> dict[tuple[str, int], tuple[Path, str]]:
    """The answers files beside the PDFs: (company, version) -> (file, fingerprint)."""
    from slabuilder.answerfile import load_answers
    from slabuilder.plan import build_plan

    found: dict[tuple[str, int], tuple[Path, str]] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            answers = load_answers(path)
        except SlabuilderError:
            continue  # not an answers file (a mapping, a questionnaire...)
        plan = build_plan(answers)
        found[(answers.company.name, answers.agreement.version)] = (path, plan.fingerprint)
    return found


def read_trust_roots(files: Sequence[Path] = ()) -> list[bytes]:
    """The certificate authorities given with ``--trust`` and in ``SLABUILDER_TRUST``:
    regular files under the cap, read whole (a pipe or a device is refused at once), each
    checked to hold a certificate."""
    from slabuilder.fsutil import read_input
    from slabuilder.limits import SIGNED_PDF_MAX_BYTES
    from slabuilder.sign import check_trust_root

    configured = [Path(item) for item in os.environ.get(TRUST_ENV, "").split(os.pathsep)
                  if item.strip()]
    roots = []
    for file in [*files, *configured]:
        data = read_input(Path(file), what="certificate", max_bytes=SIGNED_PDF_MAX_BYTES)
        check_trust_root(data, str(file))
        roots.append(data)
    return roots


def signature_status(path: Path, *, trust_roots: list[bytes] | None = None,
                     on: dt.date | None = None) -> StatusReport:
    """The signature status of a PDF, or of every PDF in a folder, and the version in force
    on ``on`` (today by default); ``trust_roots`` (default: those configured) are trusted
    besides the system's certificate authorities.

    A PDF whose answers file (same company and version, in the same folder) now has another
    fingerprint is reported: its content no longer matches its answers.
    """
    from slabuilder.fsutil import is_regular_file, read_input
    from slabuilder.limits import SIGNED_PDF_MAX_BYTES
    from slabuilder.sign import SignError, pdf_status

    pdfs, folder = _pdfs(path)
    day = on or dt.date.today()
    report = StatusReport(on=day.isoformat())
    if trust_roots is None:
        trust_roots = read_trust_roots()
    for pdf in pdfs:
        if path.is_dir() and not is_regular_file(pdf):
            report.not_ours.append(str(pdf))  # a pipe or a device named *.pdf: never opened
            continue
        data = read_input(pdf, what="PDF", max_bytes=SIGNED_PDF_MAX_BYTES)
        try:
            status = pdf_status(data, where=str(pdf), trust_roots=trust_roots)
        except SignError:
            if path.is_dir():
                report.not_ours.append(str(pdf))
                continue
            raise
        report.documents.append(status)
    answers = _answers_fingerprints(folder) if report.documents else {}
    for doc in report.documents:
        source = answers.get((doc.company, doc.version))
        if source is not None and source[1] != doc.fingerprint:
            doc.problems.append(
                f"its answers file {source[0].name} no longer matches it (fingerprint "
                f"{source[1]}, the PDF was made from {doc.fingerprint})")
    report.in_force, report.upcoming = _in_force(report.documents, day)
    return report


def _in_force(documents: list[PdfStatus],
              on: dt.date) -> tuple[list[InForce], list[InForce]]:
    """For each company, the highest fully signed version whose effective date has come, and
    the fully signed versions still to take effect."""
    best: dict[str, InForce] = {}
    upcoming: dict[tuple[str, int], InForce] = {}
    for doc in sorted(documents, key=lambda d: (d.company, d.version, d.path)):
        if doc.document not in BINDING or not doc.signed_by_every_signatory:
            continue
        item = InForce(company=doc.company, version=doc.version,
                       effective_date=doc.effective_date, fingerprint=doc.fingerprint,
                       documents=[doc.path])
        if dt.date.fromisoformat(doc.effective_date) > on:
            known = upcoming.setdefault((doc.company, doc.version), item)
            if known is not item:
                known.documents.append(doc.path)
            continue
        current = best.get(doc.company)
        if current is not None and current.version == doc.version:
            current.documents.append(doc.path)
        elif current is None or doc.version > current.version:
            best[doc.company] = item
    later = [item for key, item in sorted(upcoming.items())
             if item.version > getattr(best.get(key[0]), "version", 0)]
    return [best[name] for name in sorted(best)], later


def version_in_force(folder: Path, *, company: str | None = None,
                     trust_roots: list[bytes] | None = None,
                     on: dt.date | None = None) -> InForce | None:
    """The version of the agreement in force on ``on`` (today by default) among the PDFs in
    ``folder`` (``None`` when no version is signed by every signatory and in effect yet).
    This is what a report measures against.

    With documents of several companies in the folder, ``company`` says which one.
    """
    found = signature_status(folder, trust_roots=trust_roots, on=on).in_force
    if company is not None:
        found = [item for item in found if item.company == company]
    if len(found) > 1:
        names = ", ".join(item.company for item in found)
        raise SlabuilderError(f"holds signed agreements of several companies ({names}); say "
                              "which company", file=folder)
    return found[0] if found else None


def _on(day: dt.date | None) -> str:
    return "today" if day is None else f"on {day.isoformat()}"


@dataclass(frozen=True)
class Binding:
    """Which answers a report or a renegotiation works from, and why."""

    answers_file: Path
    in_force: InForce | None
    notes: list[str]


def binding_version(answers_file: Path, company: str, version: int,
                    fingerprint: str, on: dt.date | None = None) -> Binding:
    """The version in force beside ``answers_file``, and the answers file to measure against.

    The signed PDFs in the answers file's folder say which version binds.  When it is not
    the given file's version, the in-force version's own answers file (same folder, same
    fingerprint) is used instead; when that file is missing, the given one is used and a note
    says so.  Folders without a signed PDF cost one quick read of each PDF, no more.
    """
    from slabuilder.fsutil import is_signed_pdf

    folder = Path(answers_file).parent
    if not any(is_signed_pdf(pdf) for pdf in folder.glob("*.pdf")):
        return Binding(Path(answers_file), None, [])
    in_force = version_in_force(folder, company=company, on=on)
    if in_force is None:
        return Binding(Path(answers_file), None, [
            f"no version of {company}'s agreement is signed by every signatory (with trusted, "
            f"intact signatures) and in effect {_on(on)}; the figures follow version "
            f"{version}, which is not binding"])
    if in_force.fingerprint == fingerprint:
        return Binding(Path(answers_file), in_force, [
            f"measured against version {in_force.version}, the version in force (signed by "
            "every signatory)"])
    source = _answers_fingerprints(folder).get((company, in_force.version))
    if source is not None and source[1] == in_force.fingerprint:
        return Binding(source[0], in_force, [
            f"version {in_force.version} is the version in force (signed by every "
            f"signatory), so the figures follow {source[0].name}, not version {version} in "
            f"{Path(answers_file).name}"])
    return Binding(Path(answers_file), in_force, [
        f"version {in_force.version} is in force but its answers file is not in {folder}; "
        f"the figures follow version {version} in {Path(answers_file).name}"])
