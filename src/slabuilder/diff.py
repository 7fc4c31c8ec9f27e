"""What changed between two versions of an agreement, term by term.

A renegotiation changes a few answers (a new revenue target, an observed conversion rate); the
plan then moves in many places (every stage target, the volume commitment, the pipeline
needed).  :func:`diff_plans` lists both: each changed answer, and each derived term whose value
or wording moved, grouped by section, with the old and new value as exact data and as text a
director can read.  Terms that did not change are never listed, so the diff of a file with
itself is empty.

Pure: no files, no clock.  The amendment document, ``slabuilder diff`` and ``renegotiate`` all
read the :class:`AgreementDiff` this module returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from slabuilder.answers import Answers
from slabuilder.fields import field_at
from slabuilder.keypath import format_path
from slabuilder.plan import Plan, build_plan
from slabuilder.redline import Clause, changed_clauses
from slabuilder.signals import DEFAULT_SIGNALS
from slabuilder.words import (
    DateStyle,
    Kind,
    by_kind,
    capfirst,
    long_date,
    stage_plural,
)

__all__ = ["AgreementDiff", "Change", "Section", "VersionInfo", "answer_label", "diff_answers",
           "diff_plans", "format_value"]

Source = Literal["answers", "plan"]

# The version number and effective date say which agreement this is, not what it says; they
# head the diff (and the amendment) instead of being listed as changed terms.
BOOKKEEPING_KEYS = ("agreement.version", "agreement.effective_date")


# Answers that describe today's situation or the printing, not a term both sides sign: the
# diff shows them, the amendment does not.
NOT_IN_AGREEMENT = ("answers.current_state", "answers.documents")


class _Absent:
    """A term that exists in one version only (a stage added, a signal removed)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Change:
    """One term whose value differs between the two versions."""

    key: str
    """Where it lives: ``economics.revenue_target`` (answers) or ``targets.mql.month`` (plan)."""
    label: str
    old: str
    """The old value, written for people (``$1,000,000``, ``60%``, ``178``)."""
    new: str
    old_value: Any
    """The old value as data (``None`` when the term did not exist)."""
    new_value: Any
    kind: Kind

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "old": self.old, "new": self.new,
                "old_value": _json_value(self.old_value),
                "new_value": _json_value(self.new_value), "kind": self.kind}


@dataclass(frozen=True)
class Section:
    id: str
    """``answers.economics``, ``plan.targets``, ..."""
    title: str
    source: Source
    """``answers`` for what the user changed, ``plan`` for what moved as a result."""
    changes: list[Change]

    @property
    def in_agreement(self) -> bool:
        """False for answers the agreement does not state (today's situation, page size)."""
        return self.id not in NOT_IN_AGREEMENT

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "source": self.source,
                "in_agreement": self.in_agreement,
                "changes": [change.to_dict() for change in self.changes]}


@dataclass(frozen=True)
class VersionInfo:
    """Which agreement a side of the diff is."""

    company: str
    title: str
    version: int
    effective_date: dt.date
    period: str
    period_start: dt.date
    period_end: dt.date
    fingerprint: str

    @classmethod
    def of(cls, plan: Plan) -> VersionInfo:
        agreement = plan.answers.agreement
        return cls(company=plan.answers.company.name, title=agreement.title,
                   version=agreement.version, effective_date=agreement.effective_date,
                   period=plan.period, period_start=plan.period_start,
                   period_end=plan.period_end, fingerprint=plan.fingerprint)

    def to_dict(self, date_style: DateStyle = "international") -> dict[str, Any]:
        return {"company": self.company, "title": self.title, "version": self.version,
                "effective_date": self.effective_date.isoformat(),
                "effective": long_date(self.effective_date, date_style),
                "period": self.period, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(),
                "period_text": format_value((self.period_start, self.period_end), "dates",
                                            date_style=date_style),
                "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class AgreementDiff:
    old: VersionInfo
    new: VersionInfo
    sections: list[Section]
    date_style: DateStyle = "international"
    """How dates are written: ``April 1, 2027`` (us) or ``1 April 2027``."""
    clauses: list[Clause] | None = None
    """Every clause of the agreement that reads differently, when asked for (the
    amendment); None when the diff was made without rendering the agreements."""

    @property
    def inputs(self) -> list[Section]:
        """The answers that changed."""
        return [section for section in self.sections if section.source == "answers"]

    @property
    def derived(self) -> list[Section]:
        """The terms of the plan that moved because of them."""
        return [section for section in self.sections if section.source == "plan"]

    @property
    def changes(self) -> list[Change]:
        return [change for section in self.sections for change in section.changes]

    @property
    def is_empty(self) -> bool:
        """True when no term changed (the version and effective date aside)."""
        return not self.sections

    def find(self, key: str) -> Change | None:
        return next((change for change in self.changes if change.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old.to_dict(self.date_style),
                "new": self.new.to_dict(self.date_style),
                # Version 2 is made by amendment 1, version 3 by amendment 2, and so on.
                "number": max(self.new.version - 1, 1),
                "changed": not self.is_empty,
                "change_count": len(self.changes),
                "sections": [section.to_dict() for section in self.sections],
                "clauses": (None if self.clauses is None
                            else [clause.to_dict() for clause in self.clauses])}


# --------------------------------------------------------------------------- entry points


def diff_answers(old: Answers, new: Answers) -> AgreementDiff:
    """Every changed answer and every derived term that moved, from ``old`` to ``new``."""
    return diff_plans(build_plan(old), build_plan(new))


def diff_plans(old: Plan, new: Plan, *, wording: bool = False,
               templates_dir: Path | None = None) -> AgreementDiff:
    """As :func:`diff_answers`, for plans already built.  With ``wording``, both agreements
    are rendered (from the user's templates when given) and every clause that reads
    differently is kept too, as the amendment lists it."""
    # Dates are written as the new version's documents write them (US style on letter paper).
    style: DateStyle = new.answers.date_style
    sections: list[Section] = []
    for section_id, title, old_entries, new_entries in _answer_sections(old.answers,
                                                                          new.answers):
        changes = _compare(old_entries, new_entries, old.currency, new.currency, style)
        if changes:
            sections.append(Section(section_id, title, "answers", changes))
    for section_id, title, extract in _PLAN_SECTIONS:
        changes = _compare(extract(old), extract(new), old.currency, new.currency, style)
        if changes:
            sections.append(Section(section_id, title, "plan", changes))
    clauses = changed_clauses(old, new, templates_dir=templates_dir) if wording else None
    return AgreementDiff(VersionInfo.of(old), VersionInfo.of(new), sections, style, clauses)


# --------------------------------------------------------------------------- comparing

Entry = tuple[str, Any, Kind]
"""A term's label, its value (exact) and how to write the value for people."""
Entries = dict[str, Entry]


def _compare(old: Entries, new: Entries, old_currency: str, new_currency: str,
             date_style: DateStyle) -> list[Change]:
    """The entries whose values differ, in the old version's order; a term only the new
    version has is placed after the term it follows there."""
    keys = list(new) + [key for key in old if key not in new]
    # Keep removed terms next to where they stood in the old version.
    keys = sorted(keys, key=lambda k: (list(old).index(k) if k in old
                                       else _position_after(k, new, old)))
    changes = []
    for key in keys:
        old_label, old_value, old_kind = old.get(key, ("", ABSENT, "auto"))
        new_label, new_value, new_kind = new.get(key, ("", ABSENT, "auto"))
        if _same(old_value, new_value):
            continue
        kind = new_kind if new_value is not ABSENT else old_kind
        changes.append(Change(
            key=key, label=new_label or old_label,
            old=format_value(old_value, old_kind, old_currency, date_style),
            new=format_value(new_value, new_kind, new_currency, date_style),
            old_value=None if old_value is ABSENT else old_value,
            new_value=None if new_value is ABSENT else new_value,
            kind=kind))
    return changes


def _position_after(key: str, new: Entries, old: Entries) -> float:
    """Sort a term new in this version just after the old term it follows."""
    order = list(new)
    index = order.index(key)
    for before in reversed(order[:index]):
        if before in old:
            return list(old).index(before) + 0.5 + index / 1000
    return -1 + index / 1000


def _same(old: Any, new: Any) -> bool:
    if old is ABSENT or new is ABSENT:
        return old is new
    if isinstance(old, Decimal | int) and isinstance(new, Decimal | int) \
            and not isinstance(old, bool) and not isinstance(new, bool):
        return Decimal(old) == Decimal(new)
    return bool(old == new)


# --------------------------------------------------------------------------- answers side

_ANSWER_SECTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("company",), "Company"),
    (("agreement",), "Agreement and signatories"),
    (("icp",), "Ideal customer profile"),
    (("economics",), "Economics"),
    (("funnel",), "Conversion rates"),
    (("team",), "Team"),
    (("current_state",), "Current state"),
    (("scoring",), "Lead scoring"),
    (("sla", "marketing"), "Marketing commitments"),
    (("sla", "sales"), "Sales commitments"),
    (("routing",), "Routing"),
    (("escalation",), "Escalation"),
    (("cadence",), "Meetings and review"),
    (("documents",), "Documents"),
)

def _answer_sections(old: Answers, new: Answers) -> Iterator[tuple[str, str, Entries,
                                                                   Entries]]:
    for path, title in _ANSWER_SECTIONS:
        old_entries = _flatten_model(_descend(old, path), path)
        new_entries = _flatten_model(_descend(new, path), path)
        if path == ("scoring",):
            _default_signals(old_entries)
            _default_signals(new_entries)
        yield "answers." + ".".join(path), title, old_entries, new_entries


def _default_signals(entries: Entries) -> None:
    """A signal the answers leave out scores its default points; say so, rather than none."""
    for signal in DEFAULT_SIGNALS:
        key = f"scoring.signals.{signal.id}"
        if key not in entries and not any(k.startswith(key + ".") for k in entries):
            entries[key] = (answer_label(("scoring", "signals", signal.id)), signal.points,
                            "points")


def _descend(model: BaseModel, path: tuple[str, ...]) -> BaseModel:
    for part in path:
        model = getattr(model, part)
    return model


def _flatten_model(model: BaseModel, path: tuple[str, ...]) -> Entries:
    """Each leaf answer of a section, keyed by its dotted path (lists of words are one leaf)."""
    entries: Entries = {}
    for name in type(model).model_fields:
        key_path = (*path, name)
        if ".".join(key_path) in BOOKKEEPING_KEYS:
            continue
        _flatten_value(getattr(model, name), key_path, entries)
    return entries


def _flatten_value(value: Any, path: tuple[str | int, ...], entries: Entries) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _flatten_value(getattr(value, name), (*path, name), entries)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten_value(item, (*path, key), entries)
        return
    if isinstance(value, list) and any(isinstance(item, BaseModel) for item in value):
        for index, item in enumerate(value):
            _flatten_value(item, (*path, index), entries)
        return
    found = field_at(path)
    kind: Kind = "points" if found is None else found.kind  # a signal's points by its id
    if isinstance(value, list):
        value, kind = tuple(value), "list"
    entries[format_path(path)] = (answer_label(path), value, kind)


_SIGNAL_LABELS = {signal.id: signal.label for signal in DEFAULT_SIGNALS}


def _title(path: tuple[str | int, ...]) -> str:
    found = field_at(path)
    leaf = str(path[-1])
    return found.title if found is not None else leaf.replace("_", " ").capitalize()


def answer_label(path: tuple[str | int, ...]) -> str:
    """``Revenue target``, ``MQL to SQL rate``, ``Signatory 2: title``: the field titles of
    the registry, a group's title before its key."""
    if path[:2] == ("scoring", "signals") and len(path) >= 3:
        signal = str(path[2])
        name = _SIGNAL_LABELS.get(signal, signal.replace("_", " ").capitalize())
        detail = f" ({_title(path).lower()})" if len(path) > 3 else ""
        return f"Points for \u201c{name}\u201d{detail}"
    groups: list[str] = []
    for index in range(1, len(path) - 1):
        part = path[index]
        if isinstance(part, int):
            groups[-1] = f"{groups[-1]} {part + 1}"
        elif not (path[0] == "sla" and part in ("marketing", "sales")):
            groups.append(_title(path[:index + 1]))
    if isinstance(path[-1], int):
        return f"{' '.join(groups)} {path[-1] + 1}"
    label = _title(path)
    if not groups:
        return label
    if not label[1:2].isupper():  # keep acronyms such as CRM as they are
        label = label[0].lower() + label[1:]
    return f"{' '.join(groups)}: {label}"


# --------------------------------------------------------------------------- plan side

_SPAN_WORDS = {"year": "a year", "quarter": "a quarter", "month": "a month", "week": "a week"}


def _targets(plan: Plan) -> Entries:
    entries: Entries = {"pipeline_needed": ("Pipeline needed", plan.pipeline_needed, "money")}
    if plan.period != "month":
        entries["targets.bookings.month"] = ("Bookings a month", plan.revenue_per_month,
                                             "money")
    # The spans the agreement states: the period, the busiest month and week (a yearly
    # plan's quarters are not among them).
    for stage in plan.stages:
        target = plan.targets[stage]
        spans: dict[str, int | None] = {plan.period: target.per_period}
        spans["month"] = target.per_month
        spans["week"] = target.per_week
        for span, count in spans.items():
            if count is not None:
                entries[f"targets.{stage}.{span}"] = (
                    f"{capfirst(stage_plural(stage))} "
                    f"{_SPAN_WORDS[span]}", count, "count")
    return entries


def _timing(plan: Plan) -> Entries:
    window = plan.lead_time
    return {"lead_time.mql_window": (
        "MQLs needed for this period's bookings",
        (window.mql_window_start, window.mql_window_end), "dates")}


def _scoring(plan: Plan) -> Entries:
    model = plan.scoring
    entries: Entries = {"scoring.threshold": ("MQL threshold", model.threshold, "points")}
    for criterion in model.fit:
        entries[f"scoring.fit.{criterion.criterion}"] = (
            f"Fit: {criterion.criterion.lower()}", criterion.requirement, "text")
    entries["scoring.disqualifiers"] = ("Disqualifiers", tuple(model.disqualifiers), "list")
    for signal in model.signals:
        entries[f"scoring.signals.{signal.id}"] = (signal.label, signal.points, "points")
    entries["scoring.max_points"] = ("Highest possible score", model.max_points, "points")
    entries["scoring.score_cap"] = ("Score cap", model.score_cap, "points")
    for number, sentence in enumerate(model.explanation, start=1):
        entries[f"scoring.explanation[{number - 1}]"] = (
            f"Why a lead reaches sales, sentence {number}", sentence, "text")
    return entries


def _definitions(plan: Plan) -> Entries:
    entries: Entries = {}
    for item in plan.terms.definitions:
        entries[f"definitions.{item.stage}.meaning"] = (item.name, item.meaning, "text")
        entries[f"definitions.{item.stage}.exit_within"] = (
            f"{item.name}: next step", item.exit_within, "text")
    return entries


def _commitments(side: Literal["marketing", "sales"]) -> Callable[[Plan], Entries]:
    def extract(plan: Plan) -> Entries:
        entries: Entries = {}
        for term in getattr(plan.terms, side):
            entries[f"terms.{side}.{term.id}"] = (term.label, term.commitment, "text")
            entries[f"terms.{side}.{term.id}.measure"] = (
                f"{term.label}: how it is measured", term.measure, "text")
        return entries
    return extract


def _routing(plan: Plan) -> Entries:
    terms = plan.terms
    entries: Entries = {"routing.method": ("Routing method", terms.routing_method, "text")}
    for index, rule in enumerate(terms.routing):
        entries[f"routing.rules[{index}]"] = (f"Routing rule {index + 1}",
                                              f"{rule.when}: {rule.then}", "text")
    for index, rule in enumerate(terms.dispositions):
        entries[f"dispositions[{index}]"] = (f"Disposition: {rule.when.lower()}", rule.then,
                                             "text")
    for index, rule in enumerate(terms.requeue):
        entries[f"requeue[{index}]"] = (f"Re-queue rule {index + 1}",
                                        f"{rule.when}: {rule.then}", "text")
    return entries


def _escalation(plan: Plan) -> Entries:
    terms = plan.terms
    entries: Entries = {}
    for step in terms.escalation:
        entries[f"escalation.{step.step}"] = (step.step, f"{step.who}, {step.within}", "text")
    for index, rule in enumerate(terms.disputes):
        entries[f"disputes[{index}]"] = (f"Dispute rule {index + 1}", rule, "text")
    for code in terms.reason_codes:
        entries[f"reason_codes.{code.code}"] = (
            f"{code.code} {code.reason}", code.follow_up, "text")
    return entries


def _meetings(plan: Plan) -> Entries:
    return {f"meetings.{meeting.name}": (
        meeting.name, f"{meeting.frequency}, {meeting.length}: {meeting.attendees}", "text")
        for meeting in plan.terms.meetings}


def _review(plan: Plan) -> Entries:
    entries: Entries = {"business_hours": ("Business hours the time limits run on",
                                           plan.terms.business_hours, "text")}
    for index, clause in enumerate(plan.terms.review):
        entries[f"review[{index}]"] = (f"Review clause {index + 1}", clause, "text")
    return entries


_PLAN_SECTIONS: tuple[tuple[str, str, Callable[[Plan], Entries]], ...] = (
    ("plan.targets", "Targets", _targets),
    ("plan.timing", "Timing", _timing),
    ("plan.scoring", "MQL definition and scoring", _scoring),
    ("plan.definitions", "Stage definitions", _definitions),
    ("plan.marketing", "What marketing commits to", _commitments("marketing")),
    ("plan.sales", "What sales commits to", _commitments("sales")),
    ("plan.routing", "Routing, dispositions and re-queue", _routing),
    ("plan.escalation", "Escalation and disputes", _escalation),
    ("plan.meetings", "Meetings", _meetings),
    ("plan.review", "Business hours and review", _review),
)


def format_value(value: Any, kind: Kind, currency: str = "USD",
                 date_style: DateStyle = "international") -> str:
    """A term's value as a director would write it; ``none`` for a term one version lacks."""
    if value is ABSENT:
        return "none"
    return by_kind(value, kind, currency, date_style)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return value
