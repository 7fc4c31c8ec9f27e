"""Which export column feeds which canonical field, for HubSpot, Salesforce and generic files.

Every export is read into the same canonical fields.  A format names, for each field, the
column labels its CRM uses (HubSpot property labels, Salesforce API names); ``--map`` and a
mapping file override any of them.  A field without a column is "not in export", never zero.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from slabuilder.errors import ExportError

ExportFormat = Literal["hubspot", "salesforce", "generic"]
FORMATS: tuple[ExportFormat, ...] = ("hubspot", "salesforce", "generic")

CANONICAL = (
    "lead_id", "created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at",
    "lost_at", "first_touch_at", "attempts", "disposition", "disposition_at",
    "disqualification_reason", "owner", "source", "amount", "mql_trigger", "score",
    "first_name", "last_name", "email", "company", "phone", "job_title", "company_size",
    "country",
)
"""``mql_trigger`` is what made the lead an MQL (its form or signal): it puts each MQL in its
speed-to-lead tier; ``score`` is the lead score the CRM holds; the contact fields (name,
e-mail, company, phone, title, company size) measure data completeness; company size and
``country`` also split the funnel by segment."""
CORE_FIELDS = (("first_name", "last_name"), ("email",), ("company",))
"""Fields every MQL carries (any one of a group will do: a first or a last name)."""
EXTENDED_FIELDS = (("phone",), ("job_title",), ("company_size",))
"""Fields most MQLs also carry."""
TIMESTAMPS = frozenset({"created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at",
                        "lost_at", "first_touch_at", "disposition_at"})
NUMBERS = frozenset({"attempts", "amount", "score"})
STAGE_COLUMNS = {"mql": "mql_at", "sal": "sal_at", "sql": "sql_at",
                 "opportunity": "opportunity_at", "won": "won_at", "lost": "lost_at"}

# Labels as HubSpot prints them in a contacts export; the first one present wins.
HUBSPOT: dict[str, tuple[str, ...]] = {
    "lead_id": ("Contact ID", "Record ID"),
    "created_at": ("Create Date",),
    "mql_at": ("Became a Marketing Qualified Lead Date",),
    "sal_at": ("Became a Sales Accepted Lead Date",),
    "sql_at": ("Became a Sales Qualified Lead Date",),
    "opportunity_at": ("Became an Opportunity Date",),
    "won_at": ("Became a Customer Date",),
    "first_touch_at": ("Date of first engagement",),
    "attempts": ("Number of times contacted", "Number of Sales Activities"),
    "disposition": ("Lead Status",),
    "disposition_at": ("Lead Status Date", "Disposition Date"),
    "disqualification_reason": ("Disqualification Reason", "Unqualified Reason"),
    "owner": ("Contact owner", "HubSpot Owner"),
    "source": ("Original Source",),
    "amount": ("Total Revenue",),
    "mql_trigger": ("Recent Conversion",),
    "score": ("HubSpot Score", "Lead Score"),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "email": ("Email",),
    "company": ("Company Name", "Company"),
    "phone": ("Phone Number", "Mobile Phone Number"),
    "job_title": ("Job Title",),
    "company_size": ("Number of Employees", "Company size"),
    "country": ("Country/Region", "Country"),
}

# Salesforce Lead API names (Data Loader), then the labels a report export prints.  A lead
# converts into an opportunity, so the conversion date is the SQL date, and the opportunity
# date when an opportunity was created.
SALESFORCE: dict[str, tuple[str, ...]] = {
    "lead_id": ("Id", "Lead ID"),
    "created_at": ("CreatedDate", "Create Date", "Created Date"),
    "mql_at": ("MQL_Date__c", "MQL_Date_Time__c", "MQLDate__c", "Marketing_Qualified_Date__c",
               "MQL Date", "MQL Date/Time", "Marketing Qualified Date"),
    "sql_at": ("ConvertedDate", "Converted Date"),
    "opportunity_at": ("ConvertedDate", "Converted Date"),
    "disposition": ("Status", "Lead Status"),
    "disqualification_reason": ("Disqualification_Reason__c", "Reason_Disqualified__c",
                                "Unqualified_Reason__c", "Disqualification Reason",
                                "Unqualified Reason"),
    # The owner's name before the id: a report names people, not 005... record ids.
    "owner": ("Owner.Name", "Lead Owner", "OwnerId"),
    "source": ("LeadSource", "Lead Source"),
    "mql_trigger": ("MQL_Trigger__c", "MQL Trigger"),
    "score": ("Lead_Score__c", "Score__c", "Lead Score"),
    "first_name": ("FirstName", "First Name"),
    "last_name": ("LastName", "Last Name"),
    "email": ("Email",),
    "company": ("Company",),
    "phone": ("Phone", "MobilePhone"),
    "job_title": ("Title",),
    "company_size": ("NumberOfEmployees", "No. of Employees"),
    "country": ("Country",),
}
SALESFORCE_OPPORTUNITY_ID = "ConvertedOpportunityId"
TOUCH_KINDS = ("call", "email", "e-mail", "listemail", "meeting")
"""A task of one of these kinds (TaskSubtype or Type) reaches the lead; "Task", "Other" and
"Cadence" steps do not."""

GENERIC: dict[str, tuple[str, ...]] = {name: (name,) for name in CANONICAL}
LABELS = {"hubspot": HUBSPOT, "salesforce": SALESFORCE, "generic": GENERIC}
REQUIRED: dict[str, tuple[str, ...]] = {
    "hubspot": ("lead_id", "mql_at"),
    "salesforce": ("lead_id", "created_at"),
    "generic": ("lead_id", "mql_at"),
}

# Salesforce task export: who was touched, and when.  Only a task that is done (Status
# "Completed" or IsClosed; else a CompletedDateTime) and is a call, an e-mail or a meeting is
# a touch: Salesforce creates open tasks at assignment, which nobody has worked yet.
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "who_id": ("WhoId", "Who.Id", "Lead ID", "lead_id"),
    "touched_at": ("CompletedDateTime", "CreatedDate", "touched_at"),
    "created_at": ("CreatedDate",),
    "completed_at": ("CompletedDateTime",),
    "status": ("Status",),
    "closed": ("IsClosed",),
    "subtype": ("TaskSubtype",),
    "type": ("Type",),
}


@dataclass
class ColumnPlan:
    """Where each canonical field comes from in one export's header."""

    export_format: ExportFormat
    columns: dict[str, int]
    """Canonical field to column index (0-based)."""
    header: list[str]
    opportunity_flag: int | None = None
    """Salesforce: the ConvertedOpportunityId column that turns a conversion into an
    opportunity."""
    notes: list[str] = field(default_factory=list)

    def label(self, canonical: str) -> str:
        return self.header[self.columns[canonical]]

    def has(self, canonical: str) -> bool:
        return canonical in self.columns


def _lookup(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        found.setdefault(name.strip().lower(), index)
    return found


def detect_format(header: list[str]) -> ExportFormat | None:
    """Recognise the CRM from the header's column names."""
    names = _lookup(header)
    if "became a marketing qualified lead date" in names or (
            ("contact id" in names or "record id" in names) and "create date" in names):
        return "hubspot"
    if "id" in names and ("createddate" in names or "leadsource" in names
                          or "isconverted" in names):
        return "salesforce"
    if "lead id" in names and ({"create date", "created date", "lead owner", "lead source"}
                               & names.keys()):
        return "salesforce"  # a report export, with the labels Salesforce prints
    if "lead_id" in names:
        return "generic"
    return None


def parse_map_options(options: list[str], *, where: str = "--map") -> dict[str, str]:
    """``["mql_at=MQL Date", ...]`` into ``{"mql_at": "MQL Date"}``, checking field names."""
    mapping: dict[str, str] = {}
    for option in options:
        canonical, sep, column = option.partition("=")
        if not sep or not column.strip():
            raise ExportError(f"{option!r} is not a mapping; write canonical=Export Column, "
                              "for example mql_at=MQL Date", file=where)
        mapping[check_canonical(canonical.strip(), where)] = column.strip()
    return mapping


def check_canonical(name: str, where: str) -> str:
    if name in CANONICAL:
        return name
    close = difflib.get_close_matches(name, CANONICAL, n=1)
    hint = f"did you mean {close[0]}?" if close else "the fields are " + ", ".join(CANONICAL)
    raise ExportError(f"{name!r} is not a field of the report; {hint}", file=where)


def read_mapping_file(path: Path) -> tuple[ExportFormat | None, dict[str, str]]:
    """A YAML mapping file: ``format: hubspot`` (optional) and ``columns: {mql_at: MQL Date}``.

    A file holding only ``canonical: Column`` pairs is accepted too.
    """
    from slabuilder.yamlio import read_yaml_file

    data: Any = read_yaml_file(path, what="mapping file").data
    if not isinstance(data, dict):
        raise ExportError("a mapping file holds pairs such as mql_at: MQL Date", file=path)
    export_format = data.get("format")
    if export_format is not None and export_format not in FORMATS:
        raise ExportError(f"{export_format!r} is not an export format; write one of "
                          + ", ".join(FORMATS), file=path, key="format")
    pairs = data.get("columns", {k: v for k, v in data.items() if k != "format"})
    if not isinstance(pairs, dict):
        raise ExportError("columns: should hold pairs such as mql_at: MQL Date", file=path,
                          key="columns")
    mapping = {}
    for canonical, column in pairs.items():
        name = canonical.isoformat() if isinstance(canonical, dt.date) else str(canonical)
        if name not in CANONICAL:
            known = [*CANONICAL, *(() if "columns" in data else ("columns", "format"))]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}?" if close else "the fields are " + ", ".join(
                CANONICAL)
            raise ExportError(f"not a field of the report; {hint}", file=path, key=name)
        if not isinstance(column, str) or not column.strip():
            raise ExportError("should name a column of the export, such as MQL Date",
                              file=path, key=name)
        mapping[name] = column.strip()
    return export_format, mapping


def plan_columns(header: list[str], export_format: ExportFormat | None,
                 overrides: dict[str, str], source: Path) -> ColumnPlan:
    """Decide, for every canonical field, which column of ``header`` feeds it."""
    chosen = export_format or detect_format(header)
    if chosen is None:
        if not overrides:
            shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
            raise ExportError(f"cannot tell which CRM wrote this export (its columns are "
                              f"{shown}); give --export-format hubspot, salesforce or generic, "
                              "and --map for the columns with other names", file=source, line=1)
        chosen = "generic"
    names = _lookup(header)
    plan = ColumnPlan(chosen, {}, header)
    for canonical, labels in LABELS[chosen].items():
        for label in labels:
            if label.lower() in names:
                plan.columns[canonical] = names[label.lower()]
                break
    for canonical, column in overrides.items():
        if column.lower() not in names:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ExportError(f"--map {canonical}={column}: the export has no column "
                              f"{column!r}{hint}", file=source, line=1)
        plan.columns[canonical] = names[column.lower()]
    if chosen == "salesforce":
        _salesforce_rules(plan, names, overrides)
    _check_required(plan, source)
    _refuse_repeated_columns(plan, source)
    return plan


def _refuse_repeated_columns(plan: ColumnPlan, source: Path) -> None:
    """Two columns with the name of one the report reads: which holds the truth is unknown."""
    used = {plan.header[index].strip().lower() for index in plan.columns.values()}
    seen: set[str] = set()
    for name in plan.header:
        key = name.strip().lower()
        if key in seen and key in used:
            raise ExportError(f"the column {name!r} appears twice in the header; remove or "
                              "rename one of them and export again", file=source, line=1)
        seen.add(key)


def _salesforce_rules(plan: ColumnPlan, names: dict[str, int],
                      overrides: dict[str, str]) -> None:
    if "opportunity_at" not in overrides and "opportunity_at" in plan.columns:
        flag = names.get(SALESFORCE_OPPORTUNITY_ID.lower())
        if flag is None:
            del plan.columns["opportunity_at"]
        else:
            plan.opportunity_flag = flag
    if "mql_at" not in plan.columns and "created_at" in plan.columns:
        plan.columns["mql_at"] = plan.columns["created_at"]
        plan.notes.append("Salesforce has no standard MQL date, so each lead counts as an MQL "
                          "when it was created (CreatedDate); give --map mql_at=<your MQL "
                          "date field> to use another.")


def _check_required(plan: ColumnPlan, source: Path) -> None:
    for canonical in REQUIRED[plan.export_format]:
        if canonical in plan.columns:
            continue
        labels = LABELS[plan.export_format].get(canonical, (canonical,))
        raise ExportError(f"the required column {labels[0]!r} ({canonical}) is missing from "
                          f"this {plan.export_format} export; add it to the export, or name "
                          f"the column holding it with --map {canonical}=<column>",
                          file=source, line=1)
