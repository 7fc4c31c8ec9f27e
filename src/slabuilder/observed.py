"""Last period's observed conversion rates beside the agreed ones, for renegotiation.

An observed rate becomes the next version's default only when it can be planned on: above 0%,
at most 100%, and resting on at least :data:`MIN_RATE_SAMPLE` records.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from slabuilder import words
from slabuilder.words import percent, rate_label, rate_text

if TYPE_CHECKING:
    from slabuilder.actuals.model import Actuals, MonthActuals
    from slabuilder.plan import Plan

__all__ = ["MAX_STEP", "MIN_RATE_SAMPLE", "RateComparison", "TermProposal", "compare_rates",
           "missed_terms",
           "observed_cohort_rates", "observed_rate_defaults", "observed_rates",
           "wilson_interval"]


MIN_RATE_SAMPLE = 30
"""Records at a rate's starting stage below which an observed rate is shown but not offered
as the new default: with 3 SQLs, one opportunity more or less moves the rate by 33 points."""

MAX_STEP = Decimal("0.10")
"""The most an observed rate moves the default in one renegotiation (10 percentage points):
one period's evidence is a step, not a new plan; ``--set`` goes further."""


def wilson_interval(reached: int, start: int) -> tuple[Decimal, Decimal]:
    """The 95% Wilson score interval of ``reached / start``, to a tenth of a point."""
    z = 1.96
    p = reached / start
    centre = (p + z * z / (2 * start)) / (1 + z * z / start)
    half = z * math.sqrt(p * (1 - p) / start + z * z / (4 * start * start)) / (1 + z * z / start)
    step = Decimal("0.001")
    return (Decimal(max(centre - half, 0.0)).quantize(step),
            Decimal(min(centre + half, 1.0)).quantize(step))


@dataclass(frozen=True)
class RateComparison:
    """One conversion rate: what the agreement says and what last period's CRM data shows."""

    key: str
    label: str
    agreed: Decimal | None
    observed: Decimal | None
    sample: int | None
    """How many records the observed rate is based on (``None`` when unknown)."""
    interval: tuple[Decimal, Decimal] | None = None
    """The 95% range the rate lies in, given its sample (``None`` when unknown)."""
    too_early: int = 0
    """Months of the period left out because their cohorts have not had the time the
    agreement gives the step (:meth:`slabuilder.plan.Plan.days_to_judge`)."""
    days_to_judge: int | None = None
    step: Decimal = MAX_STEP
    """The most the default moves toward the observed rate (``--max-step``)."""

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return ""
        return f"{percent(self.interval[0])} to {percent(self.interval[1])}"

    @property
    def proposed(self) -> Decimal | None:
        """The new default: the observed rate, moved at most :data:`MAX_STEP` from the
        agreed one (``None`` when the observed rate is not offered)."""
        if self.refusal is not None or self.observed is None or self.agreed is None:
            return None
        moved = max(min(self.observed - self.agreed, self.step), -self.step)
        return self.agreed + moved

    @property
    def capped(self) -> bool:
        return self.proposed is not None and self.proposed != self.observed

    @property
    def agreed_text(self) -> str:
        return "not set" if self.agreed is None else percent(self.agreed)

    @property
    def observed_text(self) -> str:
        return "no data" if self.observed is None else percent(self.observed)

    @property
    def usable(self) -> bool:
        """Whether the observed rate can replace the agreed one (0%, over 100% and a rate
        resting on fewer than :data:`MIN_RATE_SAMPLE` records cannot)."""
        return self.refusal is None

    @property
    def refusal(self) -> str | None:
        """Why the observed rate is not offered as the new default (``None``: it is)."""
        if self.agreed is None:
            return "not in the agreement"
        if self.observed is None and self.too_early:
            step = ("a sale takes" if self.key.endswith("_to_won") else
                    "the agreement gives the step")
            return (f"too early: the period's cohorts are younger than the "
                    f"{words.days(self.days_to_judge or 0)} {step}")
        if self.observed is None:
            return "no data"
        if not 0 < self.observed <= 1:
            return "0% cannot be planned on" if self.observed <= 0 else "over 100%"
        if self.sample is not None and self.sample < MIN_RATE_SAMPLE:
            return f"too few records ({words.count(self.sample)} of {MIN_RATE_SAMPLE} needed)"
        return None

    @property
    def change_points(self) -> Decimal | None:
        """Observed minus agreed, in percentage points."""
        if self.agreed is None or self.observed is None:
            return None
        return (self.observed - self.agreed) * 100


def compare_rates(agreed: dict[str, Decimal], observed: dict[str, Decimal],
                  samples: dict[str, int] | None = None) -> list[RateComparison]:
    """Agreed and observed rates side by side, in the agreement's funnel order."""
    keys = list(agreed) + [key for key in observed if key not in agreed]
    return [RateComparison(key=key, label=rate_label(key),
                           agreed=agreed.get(key), observed=observed.get(key),
                           sample=(samples or {}).get(key))
            for key in keys]


def observed_rates(monthly_volumes: list[dict[str, int | None]],
                   agreed: dict[str, Decimal]) -> list[RateComparison]:
    """Agreed and observed rates from each month's stage volumes (summed over the period).

    A rate is the period's count of the later stage over the count of the earlier one; it is
    ``None`` when the export has no column for either stage or no record of the earlier one.
    Rates are kept to a tenth of a percentage point: more digits would be false precision.
    """
    totals: dict[str, int | None] = {}
    for volumes in monthly_volumes:
        for stage, count in volumes.items():
            if count is None:
                totals.setdefault(stage, None)
            else:
                totals[stage] = (totals.get(stage) or 0) + count
    observed: dict[str, Decimal] = {}
    samples: dict[str, int] = {}
    for key in agreed:
        source, target = key.split("_to_")
        low, high = totals.get(source), totals.get(target)
        if low and high is not None:
            observed[key] = (Decimal(high) / Decimal(low)).quantize(Decimal("0.001"))
            samples[key] = low
    return compare_rates(agreed, observed, samples)


def observed_cohort_rates(monthly_counts: list[dict[str, tuple[int, int] | None]],
                          agreed: dict[str, Decimal], *,
                          waited: list[int | None] | None = None,
                          days_to_judge: Mapping[str, int | None] | None = None,
                          step: Decimal = MAX_STEP) -> list[RateComparison]:
    """Agreed and observed rates from each month's cohorts (records at the first stage, and
    how many reached the second), summed over the period, so no rate exceeds 100%.

    ``waited`` gives, for each month, the days from its end to the export's last day: a
    rate leaves out the months that have waited less than its ``days_to_judge`` (a sales
    cycle into won), whose leads have not had the time to get there."""
    needed = days_to_judge or {}
    totals: dict[str, tuple[int, int]] = {}
    early: dict[str, int] = {}
    for index, counts in enumerate(monthly_counts):
        days = waited[index] if waited else None
        for key, pair in counts.items():
            young = bool(needed.get(key)) and days is not None and days < (needed[key] or 0)
            if young and pair is not None:
                early[key] = early.get(key, 0) + 1
            elif pair is not None:
                start, reached = totals.get(key, (0, 0))
                totals[key] = (start + pair[0], reached + pair[1])
    observed: dict[str, Decimal] = {}
    samples: dict[str, int] = {}
    intervals: dict[str, tuple[Decimal, Decimal]] = {}
    for key in agreed:
        start, reached = totals.get(key, (0, 0))
        if start:
            observed[key] = (Decimal(reached) / Decimal(start)).quantize(Decimal("0.001"))
            samples[key] = start
            intervals[key] = wilson_interval(reached, start)
    return [dataclasses.replace(row, interval=intervals.get(row.key),
                                too_early=early.get(row.key, 0),
                                days_to_judge=needed.get(row.key), step=step)
            for row in compare_rates(agreed, observed, samples)]


def observed_rate_defaults(data: dict[str, Any],
                           comparisons: list[RateComparison]) -> dict[str, Any]:
    """``data`` with each agreed rate replaced by the observed one, where there is one.

    Only rates already in the agreement's funnel are replaced: an observed rate for a stage the
    agreement does not use would break its chain to ``won``.  A rate observed as 0% (no deal
    closed yet) is not offered either, since the funnel cannot plan on it, nor one above 100%
    (more SQLs than MQLs in a month, when the SQLs came from earlier MQLs).
    """
    following = copy.deepcopy(data)
    funnel = following.setdefault("funnel", {})
    for row in comparisons:
        if row.proposed is not None:
            funnel[row.key] = rate_text(row.proposed)
    return following


# --------------------------------------------------------------------------- missed terms


@dataclass(frozen=True)
class TermProposal:
    """A term the period missed in most of the months that judged it, the evidence, and
    what the next version could change."""

    field: str
    label: str
    target: str
    judged: int
    """Months of the period that judged the term."""
    missed: int
    measured: str
    """The months' figures, oldest first: ``62%, 58% and 71%``."""
    proposal: str
    setting: str | None = None
    """The ``--set`` that makes the proposed change, where the evidence gives a figure."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def missed_terms(plan: Plan, actuals: Actuals, months: Sequence[str],
                 step: Decimal = MAX_STEP) -> list[TermProposal]:
    """The terms missed in at least half of the period's months that judged them (speed to
    lead once: by tier when the tiers were judged), each with a proposal; a figure for the
    next version only where the period's own evidence gives one, moved at most ``step``."""
    from slabuilder.report import judged_months

    judged = judged_months(plan, actuals, months)
    rows: dict[str, list[dict[str, Any]]] = {}
    for _, month_rows in judged:
        for row in month_rows:
            rows.setdefault(row["field"], []).append(row)
    tiers = any(row["met"] for field in ("speed_fast", "speed_standard")
                for row in rows.get(field, ()))
    blocks = [block for block, _ in judged]
    found = []
    for field, series in rows.items():
        if field.endswith("_actual") or field == "scoring_accuracy" or (
                field == "speed_within_sla" and tiers):
            continue
        verdicts = [row["met"] for row in series if row["met"] is not None]
        missed = verdicts.count("missed")
        if not missed or 2 * missed < len(verdicts):
            continue
        values = [row["actual"] for row in series if row["actual"] is not None]
        proposal, setting = _proposal(plan, field, values, blocks, step)
        found.append(TermProposal(
            field=field, label=series[0]["label"], target=series[0]["target"],
            judged=len(verdicts), missed=missed,
            measured=words.join([_figure(value, series[0]["kind"]) for value in values]),
            proposal=proposal, setting=setting))
    return found


def _figure(value: float, kind: str) -> str:
    if kind == "rate":
        return percent(value)
    if kind == "hours":
        return words.short_hours(value, 1)
    if kind == "days":
        return words.days(value, business=True)
    return words.number(value)


def _proposal(plan: Plan, field: str, values: list[float], blocks: list[MonthActuals],
              step: Decimal) -> tuple[str, str | None]:
    """What to change for a missed term, and the setting where the evidence gives a figure."""
    agreed = plan.terms.commitments
    average = sum(values) / len(values) if values else 0.0
    if field == "mql_volume":
        return ("the MQL target is worked back from the revenue target and the conversion "
                "rates: fund more demand generation, or plan on a lower revenue target "
                "(economics.revenue_target)", None)
    if field == "mql_acceptance":
        floor = agreed.acceptance_rate - step
        proposed = max(Decimal(str(round(average, 2))), floor)
        return (f"sales accepted {percent(average)} on average: tighten the MQL threshold so "
                f"fewer weak leads pass, or set the acceptance target to {percent(proposed)} "
                f"(one step of at most {words.number(step * 100)} points)",
                f"sla.marketing.acceptance_rate={rate_text(proposed)}")
    if field == "attempts":
        made = [block.attempts_average for block in blocks
                if block.attempts_average is not None]
        usual = math.ceil(sum(made) / len(made)) if made else None
        if usual is not None and agreed.attempts_floor <= usual < agreed.contact_attempts:
            return (f"reps made {words.number(sum(made) / len(made), 1)} attempts per "
                    f"MQL on average: put the cadence into a sequence tool, or set the "
                    f"minimum to {usual}", f"sla.sales.contact_attempts={usual}")
        return ("put the cadence into a sequence tool and review the unreachable list each "
                "week", None)
    if field.startswith("speed_") or field == "no_attempt_72h":
        return ("keep the limit and add capacity or route leads faster: the capacity check "
                "of the next version says how many reps the volume needs", None)
    if field == "disposition":
        return ("review the undecided MQLs at every weekly meeting and make the status "
                "required in the CRM", None)
    if field == "dq_feedback":
        return ("make the reason code required in the CRM whenever a lead is turned down",
                None)
    if field == "data_completeness":
        return ("make name, e-mail and company required on every form, and enrich the rest",
                None)
    if field == "quality_score":
        return ("review the scoring model with `slabuilder calibrate` on the company's own "
                "converted leads", None)
    if field.startswith("velocity_"):
        key = field.removeprefix("velocity_")
        limit = (agreed.disposition_days if key == "mql_to_sql"
                 else agreed.sql_to_opportunity_days)
        usual = math.ceil(average)
        name = ("sla.sales.disposition_days" if key == "mql_to_sql"
                else "sla.sales.sql_to_opportunity_days")
        if limit < usual <= 2 * limit:
            return (f"leads took {words.days(words.number(average, 1), business=True)} at the "
                    f"median: speed up the hand-over, or allow {words.days(usual, business=True)}",
                    f"{name}={usual}")
        return "speed up the hand-over between the stages", None
    return "discuss it at the renegotiation meeting", None
