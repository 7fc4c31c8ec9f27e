# ruff: noqa: S608 - SQL is assembled from our own column names; user text goes through quote_literal
"""Scoring leads with the answers' model: the score, whether the lead is an MQL (fit,
disqualifiers and threshold, where the columns let them be checked) and why, in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slabuilder import words
from slabuilder.answers import Answers
from slabuilder.calibrate.conditions import ScoredSignal, model_signals
from slabuilder.calibrate.table import ColumnProfile, LeadTable
from slabuilder.errors import ExportError

_SIZE = re.compile(r"employees|company.?size|headcount", re.IGNORECASE)
_INDUSTRY = re.compile(r"industry|vertical", re.IGNORECASE)
_GEOGRAPHY = re.compile(r"country|geograph|region", re.IGNORECASE)
_TITLE = re.compile(r"title|job|role|seniority", re.IGNORECASE)
_PERSONAL_DOMAINS = ("gmail.", "yahoo.", "hotmail.", "outlook.", "aol.", "icloud.", "gmx.",
                     "proton", "live.", "mail.ru", "yandex.")


@dataclass(frozen=True)
class ScoredLead:
    ids: list[str]
    score: int
    mql: bool
    reason: str


def _find(table: LeadTable, pattern: re.Pattern[str]) -> ColumnProfile | None:
    return next((p for p in table.columns if pattern.search(p.name)
                 and p.kind not in ("id", "empty")), None)


def id_columns(table: LeadTable) -> list[ColumnProfile]:
    """The columns that name a lead: its ids and e-mail address, as in the input."""
    return [p for p in table.columns if p.kind in ("id", "email")]


def _fit_checks(answers: Answers, table: LeadTable) -> tuple[list[tuple[str, str]], list[str]]:
    """SQL tests of the ICP that these columns can evaluate, and the ones they cannot.  A
    blank cell passes or fails as ``icp.blank_fit_fields`` says."""
    from slabuilder.actuals.timestamps import quote_literal

    icp = answers.icp
    checks: list[tuple[str, str]] = []
    blank_passes = icp.blank_fit_fields == "pass"

    def test(column: ColumnProfile, sql: str) -> str:
        if blank_passes:
            return f"({column.sql} IS NULL OR coalesce({sql}, false))"
        return f"coalesce({sql}, false)"

    unchecked: list[str] = []
    size = _find(table, _SIZE)
    if icp.company_size is not None:
        if size is None:
            unchecked.append("company size")
        else:
            number = table.number(size)
            within = f"{number} >= {icp.company_size.min}"
            if icp.company_size.max is not None:
                within += f" AND {number} <= {icp.company_size.max}"
            checks.append(("company size", test(size, within)))
    for name, values, regex in (("industry", icp.industries, _INDUSTRY),
                                  ("geography", icp.geographies, _GEOGRAPHY)):
        if not values:
            continue
        column = _find(table, regex)
        if column is None:
            unchecked.append(name)
            continue
        listed = ", ".join(quote_literal(v.lower()) for v in values)
        checks.append((name, test(column, f"lower({column.sql}) IN ({listed})")))
    if icp.titles:
        column = _find(table, _TITLE)
        if column is None:
            unchecked.append("buying role")
        else:
            titles = "|".join(re.escape(t.lower()) for t in icp.titles)
            pattern = quote_literal(r"\b(" + titles + r")\b")
            checks.append(("buying role", test(column, f"regexp_matches(lower({column.sql}), "
                                                       f"{pattern})")))
    return checks, unchecked


def _disqualifier_checks(answers: Answers,
                         table: LeadTable) -> tuple[list[tuple[str, str]], list[str]]:
    from slabuilder.actuals.timestamps import quote_literal

    checks: list[tuple[str, str]] = []
    unchecked: list[str] = []
    email = next((p for p in table.columns if p.kind == "email"), None)
    title = _find(table, _TITLE)
    for text in answers.icp.disqualifiers:
        lowered = text.lower()
        if ("personal" in lowered or "free" in lowered) and "mail" in lowered and email:
            domains = " OR ".join(f"lower({email.sql}) LIKE {quote_literal('%@' + d + '%')}"
                                  for d in _PERSONAL_DOMAINS)
            checks.append((text, f"coalesce({domains}, false)"))
        elif "student" in lowered and title is not None:
            checks.append((text, f"coalesce(lower({title.sql}) LIKE '%student%', false)"))
        else:
            unchecked.append(text)
    return checks, unchecked


@dataclass(frozen=True)
class MqlRule:
    """Who is an MQL in a lead file, as far as its columns tell: the score from the signals
    whose column is there, the fit checks and the disqualifiers; one rule for ``score`` and
    for the volume ``calibrate`` promises."""

    signals: list[ScoredSignal]
    fit_checks: list[tuple[str, str]]
    fit_unchecked: list[str]
    dq_checks: list[tuple[str, str]]
    dq_unchecked: list[str]
    threshold: int

    def eligible_sql(self) -> str:
        """True where the lead passes every fit check and meets no disqualifier."""
        parts = [f"({sql})" for _, sql in self.fit_checks]
        parts += [f"NOT ({sql})" for _, sql in self.dq_checks]
        return " AND ".join(parts) or "true"


def mql_rule(answers: Answers, table: LeadTable,
             signals: list[ScoredSignal] | None = None) -> MqlRule:
    fit_checks, fit_unchecked = _fit_checks(answers, table)
    dq_checks, dq_unchecked = _disqualifier_checks(answers, table)
    return MqlRule(model_signals(answers, table) if signals is None else signals,
                   fit_checks, fit_unchecked, dq_checks, dq_unchecked,
                   answers.scoring.threshold)


def _check_columns(rule: MqlRule, table: LeadTable) -> None:
    """Refuse a file on which the model cannot be applied as written: scores that quietly
    leave out a signal would name the wrong MQLs."""
    missing = [s for s in rule.signals if s.missing_column is not None]
    if missing:
        first = missing[0]
        shown = ", ".join(repr(p.name) for p in table.columns[:12])
        more = (f" (and {words.count(len(missing) - 1)} more signal"
                f"{'' if len(missing) == 2 else 's'})" if len(missing) > 1 else "")
        raise ExportError(f"the signal {first.label!r} (scoring.signals.{first.id}) reads the "
                          f"column {first.missing_column!r}, which this file does not have"
                          f"{more}; its columns are {shown}: rename the column in the file "
                          "or in the answers", file=table.file.source, line=1)
    if not any(s.sql is not None for s in rule.signals):
        raise ExportError(f"none of the model's {words.count(len(rule.signals))} signals says "
                          "which column it reads (the standard signals are described in "
                          "words), so every lead would score 0; learn a model from past leads "
                          "with slabuilder calibrate, or give each signal a condition "
                          "(scoring.signals.*.condition)", file=table.file.source)


def score_table(answers: Answers, table: LeadTable) -> tuple[list[ScoredLead], dict[str, Any]]:
    """Every lead of ``table`` in input order, and what could and could not be checked."""
    rule = mql_rule(answers, table)
    _check_columns(rule, table)
    signals = rule.signals
    usable = [s for s in signals if s.sql is not None]
    fit_checks, fit_unchecked = rule.fit_checks, rule.fit_unchecked
    dq_checks, dq_unchecked = rule.dq_checks, rule.dq_unchecked
    ids = id_columns(table)
    parts = [f"{p.sql}" for p in ids]
    parts += [f"({s.sql})" for s in usable]
    parts += [f"({sql})" for _, sql in fit_checks]
    parts += [f"({sql})" for _, sql in dq_checks]
    rows = [row[1:] for row in table.con.execute(
        "SELECT " + ", ".join(["rid", *parts]) + " FROM leads ORDER BY rid").fetchall()]
    threshold = answers.scoring.threshold
    not_scored = [s.label for s in signals if s.sql is None]
    leads = [_lead(row, len(ids), usable, fit_checks, dq_checks, threshold, fit_unchecked,
                   dq_unchecked) for row in rows]
    summary = {"leads": len(leads), "mqls": sum(lead.mql for lead in leads),
               "threshold": threshold,
               "id_columns": [p.name for p in ids],
               "signals_evaluated": [s.label for s in usable],
               "signals_not_evaluated": not_scored,
               "fit_checked": [name for name, _ in fit_checks],
               "fit_not_checked": fit_unchecked,
               "blank_fit_fields": answers.icp.blank_fit_fields,
               "disqualifiers_checked": [name for name, _ in dq_checks],
               "disqualifiers_not_checked": dq_unchecked,
               "bad_rows": len(table.bad_rows)}
    return leads, summary


def _lead(row: tuple[Any, ...], id_count: int, signals: list[ScoredSignal],
          fit_checks: list[tuple[str, str]], dq_checks: list[tuple[str, str]], threshold: int,
          fit_unchecked: list[str], dq_unchecked: list[str]) -> ScoredLead:
    ids = ["" if value is None else str(value) for value in row[:id_count]]
    hits = row[id_count:id_count + len(signals)]
    fits = row[id_count + len(signals):id_count + len(signals) + len(fit_checks)]
    dqs = row[id_count + len(signals) + len(fit_checks):]
    matched = [s for s, hit in zip(signals, hits, strict=True) if hit]
    score = sum(s.points for s in matched)
    failed_fit = [name for (name, _), ok in zip(fit_checks, fits, strict=True) if not ok]
    disqualified = [name for (name, _), hit in zip(dq_checks, dqs, strict=True) if hit]
    mql = score >= threshold and not failed_fit and not disqualified
    because = ", ".join(f"{s.label} ({words.signed(s.points)})" for s in matched) or "no signal"
    said = [f"{words.score(score)} points from {because}; "
             + (f"reaches the threshold of {threshold}" if score >= threshold
                else f"below the threshold of {threshold}")]
    if failed_fit:
        said.append("outside the profile on " + ", ".join(failed_fit))
    if disqualified:
        said.append("disqualified: " + ", ".join(disqualified))
    not_checked = fit_unchecked + dq_unchecked
    if not_checked:
        said.append("not checked (no column): " + ", ".join(not_checked))
    return ScoredLead(ids, score, mql, "; ".join(said))
