"""The shape of what templates read: one typed dictionary per part of a template context.

:mod:`slabuilder.context` (agreement, brief, summary) and :mod:`slabuilder.report` (report,
agenda, dashboard) return these, so mypy checks every key they hand to a template and every
key of a part is named here once.  Values are plain: ``str``, ``int``, ``float`` and ``bool``,
ISO dates as text, lists and these dictionaries; money and rates stay numbers for the
templates' ``money`` and ``percent`` filters.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "AgreementPart",
    "AlignmentPart",
    "CapacityPart",
    "CompanyPart",
    "ComplianceRow",
    "ConversionRow",
    "DocumentContext",
    "EconomicsPart",
    "FunnelPart",
    "FunnelRow",
    "IcpPart",
    "MqlRate",
    "ReportContext",
    "RowState",
    "ScoringPart",
    "SlaPart",
    "TermsPart",
    "Verdict",
]

Number = int | float


# --------------------------------------------------------------------------- the agreement


class CompanyPart(TypedDict):
    name: str
    slug: str
    crm: str
    crm_name: str
    crm_name_start: str
    timezone: str
    business_hours: str
    business_days: list[str]
    holidays: str


class Signer(TypedDict):
    name: str
    title: str
    side: str
    side_name: str
    role: str


class AgreementPart(TypedDict):
    signatories_phrase: str
    """``both signatories``, ``all four signatories``, ``the signatory``."""
    title: str
    version: int
    effective_date: str
    period_end: str
    review_cadence: str
    first_review_date: str
    latest_review_date: str
    review_months: int
    owner: Signer
    signatories: list[Signer]
    signature_blocks: list[Signer]
    sides: list[str]


class IcpPart(TypedDict):
    size_text: str
    size_min: int | None
    size_max: int | None
    industries: list[str]
    geographies: list[str]
    titles: list[str]
    disqualifiers: list[str]
    missing: list[str]
    complete: bool


class EconomicsPart(TypedDict):
    period: str
    period_adjective: str
    months_in_period: int
    revenue_target: Number
    revenue_per_month: int
    revenue_per_month_rounded: bool
    average_deal_size: Number
    sales_cycle_days: int
    pipeline_coverage: Number
    pipeline_needed: Number


class StageRow(TypedDict):
    id: str
    name: str
    per_period: int
    per_month: int
    per_week: int
    rate_in: Number | None
    from_name: str | None
    from_plural: str | None


class RateRow(TypedDict):
    key: str
    from_name: str
    to_name: str
    rate: Number


class MqlRate(TypedDict):
    """The rate out of the MQL stage the targets are built on."""

    key: str
    to_name: str
    rate: Number


class MonthRow(TypedDict):
    month: str
    label: str
    targets: list[int]


class FunnelPart(TypedDict):
    stages: list[StageRow]
    rates: list[RateRow]
    first_stage: str
    first_stage_name: str
    mql_per_month: int
    mql_per_period: int
    won_per_period: int
    months: list[MonthRow]


class CapacityPart(TypedDict):
    reps: int
    rep_role: str
    mqls_per_month: int
    business_days_per_month: int
    leads_per_rep_per_day: str
    new_leads_per_rep_per_day: str
    reps_text: str
    touches_per_rep_per_day: str
    max_touches_per_rep_per_day: int
    over_capacity: bool


class ForwardPart(TypedDict):
    start_name: str
    start_per_month: int
    won_per_month: int
    won_per_month_exact: str
    revenue_per_month: Number


class SignalRow(TypedDict):
    label: str
    points: int
    kind: str


class ScoringPart(TypedDict):
    fit: list[dict[str, Any]]
    disqualifiers: list[str]
    min_disqualifiers: int
    fit_signals: list[SignalRow]
    behaviour_signals: list[SignalRow]
    negative_signals: list[SignalRow]
    signal_count: int
    threshold: int
    fit_points: int
    max_points: int
    score_cap: int | None
    explanation: list[str]
    tiers: list[dict[str, str]]


class TermRow(TypedDict):
    id: str
    label: str
    commitment: str
    measure: str
    in_summary: bool
    headline: str
    """The main clause, for the one-page summary."""


class TermsPart(TypedDict):
    definitions: list[dict[str, Any]]
    marketing: list[TermRow]
    sales: list[TermRow]
    dispositions: list[dict[str, str]]
    reason_codes: list[dict[str, str]]
    reason_code_range: str
    reason_code_count: int
    reason_code_pointers: str
    requeue: list[dict[str, str]]
    routing: list[dict[str, str]]
    routing_method: str
    escalation: list[dict[str, str]]
    disputes: list[str]
    meetings: list[dict[str, str]]
    review: list[str]
    business_hours: str


class TierRow(TypedDict):
    id: str
    label: str
    hours: Number
    phrase: str
    limit: str
    triggers: list[str]


class SlaPart(TypedDict):
    acceptance_rate: Number
    routing_minutes: int
    routing_automated: bool
    response_tiers: list[TierRow]
    fast_triggers: str
    fast_tier_hours: Number
    fast_tier_label: str
    standard_tier_hours: Number
    contact_attempts: int
    attempts_in_range: bool
    attempt_window_days: int
    channels: list[str]
    disposition_days: int
    no_attempt_hours: int
    stalled_days: int
    team_lead: str
    """Who watches the reps day to day: ``the SDR team lead``, ``the Founder``."""
    has_team_lead: bool
    has_revops: bool
    first_escalation: str
    second_escalation: str
    review_hours: Number
    win_loss_hours: Number
    crm_update: str
    first_escalation_hours: Number
    second_escalation_hours: Number
    quality_review_hours: Number
    shortfall_threshold: Number
    first_touch_role: str | None
    first_touch_reps: int
    first_touch_team: str
    """``the 4 SDRs``, ``the AE``."""
    first_touch_one: str
    """``one of the 4 SDRs``, ``the AE``."""
    first_touch_shared: bool
    """More than one rep takes new MQLs in turn."""


class AlignmentPart(TypedDict):
    measures: list[dict[str, Any]]
    success: list[dict[str, Any]]
    cac_per_deal: Number | None
    handoff: dict[str, Any]
    exceptions: dict[str, Any]
    intent: dict[str, Any]
    symptoms: list[dict[str, str]]
    rejection_rate: Number
    low_conversion_rate: Number
    low_conversion_key: str | None
    """The conversion the low-conversion line judges (MQL to SQL), or None."""
    speed_bands: list[dict[str, Any]]
    closed_loop: list[dict[str, str]]
    rollout: list[dict[str, Any]]
    revops: list[dict[str, str]]
    speed_research: list[str]
    attempts_optimal_min: int
    attempts_optimal_max: int


class CurrentStatePart(TypedDict):
    mqls_per_month: int | None
    worked_within_sla: Number | None
    main_conflict: str | None
    main_problem: str | None
    starting_point: str | None
    volume_gap: int | None


class DiagnosisPart(TypedDict):
    problem: str
    label: str
    inferred: bool
    evidence: list[str]


class MinimumAgreementPart(TypedDict):
    disqualifiers: list[str]
    disqualifiers_missing: int
    threshold: int
    disposition_days: int
    mql_per_month: int


class WarningRow(TypedDict):
    code: str
    message: str
    key: str | None
    severity: str


class SensitivityRow(TypedDict):
    rate: Number
    delta_points: int
    mql_per_period: int
    mql_per_month: int
    current: bool


class LeadTimePart(TypedDict):
    sales_cycle_days: int
    mql_window_start: str
    mql_window_end: str
    bookings_start: str
    bookings_end: str


class DocumentContext(TypedDict):
    """What the agreement, the brief and the summary read (a render adds ``document`` and
    ``signing``, and a report or an amendment its own part)."""

    draft: bool
    fingerprint: str
    built: str
    """The day the documents were made, in the company's time zone (ISO date); the brief
    states it."""
    preparation_days_left: int | None
    """Days from ``built`` to the effective date when the preparation phases should already
    have begun (negative once the agreement applies); ``None`` when there is time."""
    currency: str
    currency_symbol: str
    page_size: Literal["a4", "letter"]
    date_style: Literal["us", "international"]
    company: CompanyPart
    agreement: AgreementPart
    icp: IcpPart
    economics: EconomicsPart
    funnel: FunnelPart
    mql_rate: MqlRate | None
    lead_time: LeadTimePart
    sensitivity: list[SensitivityRow]
    forward: ForwardPart | None
    capacity: CapacityPart | None
    team: dict[str, Any]
    scoring: ScoringPart
    terms: TermsPart
    sla: SlaPart
    alignment: AlignmentPart
    routing: dict[str, Any]
    current_state: CurrentStatePart
    diagnosis: DiagnosisPart
    risks: list[dict[str, str]]
    people: list[dict[str, str]]
    minimum_agreement: MinimumAgreementPart
    cadence: dict[str, int]
    warnings: list[WarningRow]


# --------------------------------------------------------------------------- the month's report

RowState = Literal["blank", "not in export", "value"]
Verdict = Literal["met", "missed"] | None


class ComplianceRow(TypedDict):
    """One term of the agreement against the month: its target in words, the measured value
    (``None`` on a shell or when the export lacks it) and whether it was met."""

    field: str
    label: str
    target: str
    kind: str
    note: str
    actual: float | None
    met: Verdict
    previous: float | None
    state: RowState


class FunnelRow(TypedDict):
    stage: str
    name: str
    plural: str
    field: str
    target: int | None
    actual: int | None
    state: RowState
    met: Verdict
    previous: int | None
    change: str
    share_of_target: float | None


class ConversionRow(TypedDict):
    key: str
    label: str
    field: str
    kind: str
    plan: float
    actual: float | None
    state: RowState
    previous: float | None
    met: Verdict
    note: str
    """Why a rate is shown but not judged: too early, or too few to judge."""


class ReportContext(TypedDict):
    """What the report, the agenda and the dashboard read beside the document context."""

    month: str
    month_label: str
    in_force: dict[str, Any] | None
    filled: bool
    previous_label: str
    mql_target: int
    marketing_rows: list[ComplianceRow]
    sales_rows: list[ComplianceRow]
    rows_by_term: dict[str, ComplianceRow]
    agenda_sales_rows: list[ComplianceRow]
    dashboard_response_rows: list[ComplianceRow]
    dashboard_quality_rows: list[ComplianceRow]
    funnel_rows: list[FunnelRow]
    flow_stages: list[str]
    """The stages the week-by-week tables show: the plan's, with an SAL the export counts."""
    shared_rows: list[ComplianceRow]
    headline_rows: list[FunnelRow]
    conversion_rows: list[ConversionRow]
    weekly_targets: dict[str, int]
    weeks: list[dict[str, Any]]
    met_count: int
    missed_count: int
    insights: list[str]
    summary_insights: list[str]
    more_insights: list[str]
    priorities: list[str]
    diagnoses: list[dict[str, str]]
    symptoms: list[dict[str, str]]
    sources: list[dict[str, Any]] | None
    owners: list[dict[str, Any]] | None
    pacing: list[dict[str, Any]]
    term_trend: dict[str, Any] | None
    segments: list[dict[str, Any]]
    """The period to date, by stage: so far, planned so far, the period's target, and what
    each month left must bring."""
    outside_period: str | None
    """A sentence when the month lies outside the agreement's period."""
    report_sources: list[dict[str, Any]] | None
    agenda_sources: list[dict[str, Any]] | None
    dashboard_owners: list[dict[str, Any]] | None
    report_owners: list[dict[str, Any]] | None
    agenda_owners: list[dict[str, Any]] | None
    dq_reasons: list[dict[str, Any]] | None
    agenda_dq_reasons: list[dict[str, Any]] | None
    revenue: dict[str, Any] | None
    response_measured: bool
    response_buckets: list[dict[str, Any]]
    stalled_opportunities: int | None
    export: dict[str, Any] | None
    agenda_minutes: dict[str, int]
    charts: dict[str, Any]
