"""Actuals from CRM exports: read a HubSpot, Salesforce or generic export and measure a month.

The one entry point is :func:`compute_actuals`; it returns :class:`Actuals`, typed and frozen
(its ``to_dict()`` is the ``actuals`` of ``slabuilder report --json``).  Figures the export
cannot support are ``None``.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slabuilder.actuals.breaches import (
    breach_rows,
    breaches_file_text,
    write_breaches,
)
from slabuilder.actuals.calendar import BusinessClock
from slabuilder.actuals.columns import (
    CANONICAL,
    FORMATS,
    ExportFormat,
    parse_map_options,
    plan_columns,
    read_mapping_file,
)
from slabuilder.actuals.load import LoadedExport, load_export, refusing_exhaustion
from slabuilder.actuals.metrics import (
    Month,
    MonthFigures,
    Rules,
    TierRule,
    cohort_rates,
    history_months,
    month_window,
    stalled_opportunities,
    weekly,
)
from slabuilder.actuals.model import (
    Actuals,
    BreachesFile,
    ConversionCount,
    Exclusion,
    ExportDescription,
    MonthActuals,
)
from slabuilder.actuals.progress import large_export, status
from slabuilder.actuals.reading import DELIMITER_NAMES
from slabuilder.actuals.timestamps import DateOrder, parse_date_format
from slabuilder.answers import Answers
from slabuilder.csvsafe import neutralise
from slabuilder.errors import ExportError
from slabuilder.fsutil import OutputFile

__all__ = ["CANONICAL", "FORMATS", "Actuals", "ExportOptions", "Month", "MonthActuals",
           "compute_actuals", "neutralise", "parse_date_format", "parse_map_options"]


@dataclass
class ExportOptions:
    """How to read an export; every field has a sensible default."""

    export_format: ExportFormat | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    mapping_file: Path | None = None
    tasks: Path | None = None
    timezone: str | None = None
    """The zone of timestamps written without an offset (default: the company's)."""
    date_format: DateOrder | None = None
    show_progress: bool = False
    breaches: Path | None = None
    force: bool = False

    @classmethod
    def from_options(cls, *, export_format: str | None, column_map: tuple[str, ...],
                     mapping_file: Path | None, tasks_file: Path | None,
                     timezone: str | None, date_format: str | None,
                     **extra: Any) -> ExportOptions:
        """The reading options as the command line gives them (``--map`` as text, the date
        order as ``MM/DD/YYYY``), checked; ``extra``: a command's own, such as breaches."""
        return cls(export_format=export_format,  # type: ignore[arg-type]
                   column_map=parse_map_options(list(column_map)), mapping_file=mapping_file,
                   tasks=tasks_file, timezone=timezone,
                   date_format=parse_date_format(date_format) if date_format else None,
                   **extra)


def compute_actuals(export: Path, answers: Answers, month: Month | str,
                    options: ExportOptions | None = None,
                    rate_keys: list[str] | None = None,
                    pending: list[OutputFile] | None = None) -> Actuals:
    """Measure ``month`` from the export at ``export`` against the SLA in ``answers``.

    The breaches file (``options.breaches``) is written at once, or, with ``pending``,
    appended to it for the caller to write with its documents as one set."""
    options = options or ExportOptions()
    month = Month.parse(month) if isinstance(month, str) else month
    export_format = options.export_format
    mapping: dict[str, str] = {}
    if options.mapping_file is not None:
        file_format, mapping = read_mapping_file(options.mapping_file)
        export_format = export_format or file_format
    mapping.update(options.column_map)
    zone = answers.company.timezone
    naive_zone = _check_zone(options.timezone) if options.timezone else zone
    clock = BusinessClock.of(answers.company)
    from slabuilder.plan import build_plan

    agreed = build_plan(answers).terms.commitments
    tiers = tuple(TierRule(tier.id, tier.label, float(tier.hours), tier.triggers,
                           tier.limit, tier.phrase)
                  for tier in agreed.response_tiers)
    rules = Rules(tiers, agreed.contact_attempts, agreed.disposition_days,
                  agreed.no_attempt_hours, clock,
                  scoring_misses=tuple((code.code, code.said_as)
                                       for code in agreed.scoring_misses),
                  attempts_floor=agreed.attempts_floor, stalled_days=agreed.stalled_days,
                  attempt_window_days=agreed.attempt_window_days,
                  icp_size=((answers.icp.company_size.min, answers.icp.company_size.max)
                            if answers.icp.company_size else None))
    if options.tasks is not None:
        from slabuilder.fsutil import check_input
        from slabuilder.limits import EXPORT_MAX_BYTES

        if not os.path.lexists(options.tasks):
            raise ExportError("no such file; check the path given to --tasks",
                              file=options.tasks)
        check_input(options.tasks, what="file given to --tasks", max_bytes=EXPORT_MAX_BYTES,
                    error_type=ExportError)
    with (tempfile.TemporaryDirectory(prefix="slabuilder-") as scratch,
          refusing_exhaustion(export)):
        loaded = load_export(
            export, Path(scratch),
            lambda header: plan_columns(header, export_format, mapping, export),
            clock=clock, company_zone=zone, naive_zone=naive_zone,
            date_order=options.date_format, show_progress=options.show_progress,
            tasks=options.tasks)
        try:
            _check_month(loaded, month)
            with status(f"Measuring {month.label}",
                        large_export(loaded.file, options.show_progress)):
                window = month_window(loaded.con, loaded.available, month)
                result = _measure(loaded, month, rules, rate_keys or [], window)
            if options.breaches is not None:
                rows = breach_rows(MonthFigures(loaded.con, loaded.available, month, rules,
                                                window))
                if pending is None:
                    write_breaches(options.breaches, rows, force=options.force)
                else:
                    pending.append(OutputFile(options.breaches, breaches_file_text(rows),
                                              options.force))
                result = dataclasses.replace(
                    result, breaches=BreachesFile(str(options.breaches), len(rows)))
        finally:
            loaded.con.close()
    return result


def _check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExportError(f"{name!r} is not a time zone; use a name such as UTC or "
                          "America/New_York", file="--tz") from None
    return name


def _check_month(loaded: LoadedExport, month: Month) -> None:
    if loaded.first_day is None or loaded.last_day is None:
        return
    if month.start > loaded.last_day or month.end <= loaded.first_day:
        raise ExportError(f"the export covers {loaded.first_day} to {loaded.last_day}, so it "
                          f"holds nothing for {month.label}; choose a --month inside it",
                          file=loaded.file.source)


def _month_block(figures: MonthFigures, rate_keys: list[str]) -> MonthActuals:
    month = figures.month
    volumes = figures.volumes()
    cohorts = figures.cohorts(volumes, rate_keys)
    return MonthActuals(
        key=month.key, label=month.label, mql=volumes["mql"], sal=volumes["sal"],
        sql=volumes["sql"], opportunity=volumes["opportunity"], won=volumes["won"],
        lost=volumes["lost"],
        conversions=cohort_rates(cohorts),
        conversion_counts={key: None if counts is None else ConversionCount(*counts)
                           for key, counts in cohorts.items()},
        **figures.acceptance(), **figures.speed(), **figures.attempts(),
        **figures.disposition(), no_attempt_after_72h=figures.no_attempt(),
        **figures.quality(), **figures.sales_cycle(), **figures.rejections(),
        **figures.completeness(),
        velocity=figures.velocity(rate_keys))


def _measure(loaded: LoadedExport, month: Month, rules: Rules,
             rate_keys: list[str], window: str) -> Actuals:
    con, has = loaded.con, loaded.available
    figures = MonthFigures(con, has, month, rules, window)
    current = _month_block(figures, rate_keys)
    prior = _month_block(MonthFigures(con, has, month.previous(), rules, window), rate_keys)
    return Actuals(
        month=current,
        previous=prior if prior.mql else None,
        scoring_accuracy=figures.scoring_accuracy(),
        dq_reasons=figures.dq_reasons(),
        by_source=figures.by_group("source"),
        by_owner=figures.by_group("owner"),
        by_size=figures.by_group("company_size", expression=rules.size_segment_sql()),
        by_country=figures.by_group("country"),
        revenue=figures.revenue(),
        history=_history(loaded, month, rules, rate_keys, (prior, current)),
        weeks=weekly(con, has, month, window),
        stalled_opportunities=stalled_opportunities(con, has, month, rules.stalled_days),
        export=_describe_export(loaded),
        not_in_export=tuple(sorted(name for name in CANONICAL if name not in has)),
    )


def _history(loaded: LoadedExport, month: Month, rules: Rules, rate_keys: list[str],
             known: tuple[MonthActuals, ...]) -> tuple[MonthActuals, ...]:
    """Every month of the trend measured the way the report's month is (the month and the
    one before it are already measured); the earlier months from one table of their rows."""
    con, has = loaded.con, loaded.available
    months = history_months(con, has, month)
    measured = {block.key: block for block in known}
    earlier = [item for item in months if item.key not in measured]
    if earlier:
        table = month_window(con, has, earlier[-1], earlier[0], name="history_rows")
        for item in earlier:
            measured[item.key] = _month_block(MonthFigures(con, has, item, rules, table),
                                              rate_keys)
    return tuple(measured[item.key] for item in months)


def _describe_export(loaded: LoadedExport) -> ExportDescription:
    return ExportDescription(
        file=str(loaded.file.source),
        format=loaded.plan.export_format,
        encoding=loaded.file.encoding,
        delimiter=DELIMITER_NAMES.get(loaded.file.delimiter, loaded.file.delimiter),
        columns={name: loaded.plan.label(name) for name in loaded.plan.columns},
        tasks_file=str(loaded.tasks_file.source) if loaded.tasks_file else None,
        rows_read=loaded.rows_read,
        rows_used=loaded.rows_used,
        rows_excluded=loaded.rows_read - loaded.rows_used,
        excluded=tuple(Exclusion(reason, count) for reason, count in loaded.exclusions),
        first_date=loaded.first_day.isoformat() if loaded.first_day else None,
        last_date=loaded.last_day.isoformat() if loaded.last_day else None,
        notes=tuple(loaded.notes),
    )
