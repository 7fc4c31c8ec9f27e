"""``slabuilder plan``: targets, scoring model, terms and warnings, as tables or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from slabuilder.cli.common import ANSWERS_ARGUMENT, SET_OPTION, console

if TYPE_CHECKING:
    from slabuilder.plan import Plan


@click.command("plan")
@ANSWERS_ARGUMENT
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (targets, scoring, terms, warnings) for scripts.")
@click.option("--mqls", type=click.IntRange(min=1), default=None, metavar="N",
              help="Also run the funnel forward from N MQLs a month (default: today's volume "
                   "from current_state.mqls_per_month).")
@SET_OPTION
def command(answers_file: Path, as_json: bool, mqls: int | None,
            settings: tuple[str, ...]) -> None:
    """Show the plan: how many MQLs, SQLs and deals the revenue target needs, the lead
    scoring model, each side's commitments and anything that does not add up.

    \b
    Examples:
      slabuilder plan acme.yaml
      slabuilder plan acme.yaml --set economics.revenue_target=1.2M   (what if?)
      slabuilder plan acme.yaml --json | jq .targets.mql
    """
    from slabuilder.answers import load_answers
    from slabuilder.plan import build_plan

    plan = build_plan(load_answers(answers_file, settings), forward_volume=mqls)
    if as_json:
        click.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
        return
    print_plan(plan)


def print_plan(plan: Plan) -> None:
    """The plan as the terminal tables a director reads."""
    from rich.table import Table

    from slabuilder.words import (
        STAGE_NAMES,
        count,
        long_date,
        money,
        number,
        percent,
        rounded,
        stage_plural,
    )

    def _money(amount: Any) -> str:
        return money(amount, plan.currency)

    out = console()
    answers = plan.answers
    out.print(f"[bold]{answers.company.name}[/bold]: plan for the {plan.period} from "
              f"{long_date(plan.period_start)} to {long_date(plan.period_end)}")
    out.print(f"Revenue target {_money(plan.revenue_target)} at "
              f"{_money(plan.average_deal_size)} a deal; pipeline needed "
              f"{_money(plan.pipeline_needed)} "
              f"({number(answers.economics.pipeline_coverage)}x coverage).")

    targets = Table(title="Targets (every figure rounded up)", title_justify="left")
    targets.add_column("Stage")
    targets.add_column("Rate into next", justify="right")
    targets.add_column(f"Per {plan.period}", justify="right")
    if plan.period == "year":
        targets.add_column("Per quarter", justify="right")
    if plan.period != "month":
        targets.add_column("Per month", justify="right")
    targets.add_column("Per week", justify="right")
    outgoing = {key.split("_to_")[0]: rate for key, rate in plan.rates.items()}
    for stage in plan.stages:
        target = plan.targets[stage]
        row = [STAGE_NAMES[stage], percent(outgoing[stage]) if stage in outgoing else "",
               count(target.per_period)]
        if plan.period == "year":
            row.append(count(target.per_quarter))
        if plan.period != "month":
            row.append(count(target.per_month))
        row.append(count(target.per_week))
        targets.add_row(*row)
    out.print(targets)
    lead = plan.lead_time
    out.print(f"Lead time: with a {lead.sales_cycle_days}-day sales cycle, the MQLs for "
              f"bookings from {long_date(lead.bookings_start)} to {long_date(lead.bookings_end)}"
              f" must arrive between {long_date(lead.mql_window_start)} and "
              f"{long_date(lead.mql_window_end)}.")

    if plan.sensitivity:
        table = Table(title=f"If {plan.sensitivity[0].rate_key} turns out different",
                      title_justify="left")
        table.add_column(plan.sensitivity[0].rate_key, justify="right")
        table.add_column(f"MQLs per {plan.period}", justify="right")
        table.add_column("MQLs per month", justify="right")
        for option in plan.sensitivity:
            mark = " (plan)" if option.delta_points == 0 else f" ({option.delta_points:+d} pts)"
            table.add_row(percent(option.rate) + mark, count(option.mql_per_period),
                          count(option.mql_per_month))
        out.print(table)
        out.print("Your own CRM history beats any benchmark: measure these rates each quarter.")

    if plan.forward is not None:
        forward = plan.forward
        expected = ", ".join(f"{number(forward.expected[s], 1)} {stage_plural(s)}"
                             for s in plan.stages[1:])
        out.print(f"Forward: {count(forward.start_per_month)} "
                  f"{stage_plural(forward.start_stage)} a month give about {expected} and "
                  f"{_money(rounded(forward.revenue_per_month))} of revenue a month.")
    if plan.capacity is not None:
        cap = plan.capacity
        out.print(f"Capacity: {number(cap.leads_per_rep_per_day, 1)} new MQLs and "
                  f"{count(cap.touches_per_rep_per_day)} touches per {cap.rep_role} per "
                  f"day (limit {cap.max_touches_per_rep_per_day}).")

    scoring = plan.scoring
    points = Table(title=f"Lead scoring (MQL at {scoring.threshold} points)",
                   title_justify="left")
    points.add_column("Signal")
    points.add_column("Points", justify="right")
    points.add_column("Kind")
    for signal in scoring.signals:
        points.add_row(signal.label, f"{signal.points:+d}", signal.kind)
    out.print(points)
    for criterion in scoring.fit:
        out.print(f"  Fit, {criterion.criterion.lower()}: {criterion.requirement}")
    if scoring.disqualifiers:
        out.print("  Disqualifiers: " + "; ".join(scoring.disqualifiers))
    out.print("[italic]" + " ".join(scoring.explanation) + "[/italic]")

    for side, terms in (("Marketing", plan.terms.marketing), ("Sales", plan.terms.sales)):
        table = Table(title=f"{side} commits to", title_justify="left")
        table.add_column("Term")
        table.add_column("Commitment")
        table.add_column("Measured by")
        for term in terms:
            table.add_row(term.label, term.commitment, term.measure)
        out.print(table)

    if plan.warnings:
        out.print(f"[bold]{len(plan.warnings)} warning(s)[/bold]")
        for warning in plan.warnings:
            style = "yellow" if warning.severity == "warning" else "cyan"
            key = f" [dim]({warning.key})[/dim]" if warning.key else ""
            out.print(f"[{style}]- {warning.message}[/{style}]{key}")
    else:
        out.print("No warnings: the terms fit together.")
