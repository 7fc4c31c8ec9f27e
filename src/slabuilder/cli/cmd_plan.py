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


def _money(plan: Plan, amount: Any) -> str:
    from slabuilder.answers import CURRENCY_SYMBOLS

    symbol = CURRENCY_SYMBOLS.get(plan.currency)
    value = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{symbol}{value}" if symbol else f"{value} {plan.currency}"


def _count(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"


def _plural(stage: str) -> str:
    return {"opportunity": "opportunities", "won": "deals", "lead": "leads"}.get(
        stage, stage.upper() + "s")


def print_plan(plan: Plan) -> None:
    """The plan as the terminal tables a director reads."""
    from rich.table import Table

    from slabuilder.answers import STAGE_NAMES
    from slabuilder.derive.terms import percent

    out = console()
    answers = plan.answers
    out.print(f"[bold]{answers.company.name}[/bold]: plan for the {plan.period} from "
              f"{plan.period_start:%d %B %Y} to {plan.period_end:%d %B %Y}")
    out.print(f"Revenue target {_money(plan, plan.revenue_target)} at "
              f"{_money(plan, plan.average_deal_size)} a deal; pipeline needed "
              f"{_money(plan, plan.pipeline_needed)} "
              f"({answers.economics.pipeline_coverage}x coverage).")

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
               f"{target.per_period:,}"]
        if plan.period == "year":
            row.append(f"{target.per_quarter:,}")
        if plan.period != "month":
            row.append(f"{target.per_month:,}")
        row.append(f"{target.per_week:,}")
        targets.add_row(*row)
    out.print(targets)
    lead = plan.lead_time
    out.print(f"Lead time: with a {lead.sales_cycle_days}-day sales cycle, the MQLs for "
              f"bookings from {lead.bookings_start:%d %b %Y} to {lead.bookings_end:%d %b %Y} "
              f"must arrive between {lead.mql_window_start:%d %b %Y} and "
              f"{lead.mql_window_end:%d %b %Y}.")

    if plan.sensitivity:
        table = Table(title=f"If {plan.sensitivity[0].rate_key} turns out different",
                      title_justify="left")
        table.add_column(plan.sensitivity[0].rate_key, justify="right")
        table.add_column(f"MQLs per {plan.period}", justify="right")
        table.add_column("MQLs per month", justify="right")
        for option in plan.sensitivity:
            mark = " (plan)" if option.delta_points == 0 else f" ({option.delta_points:+d} pts)"
            table.add_row(percent(option.rate) + mark, f"{option.mql_per_period:,}",
                          f"{option.mql_per_month:,}")
        out.print(table)
        out.print("Your own CRM history beats any benchmark: measure these rates each quarter.")

    if plan.forward is not None:
        forward = plan.forward
        expected = ", ".join(f"{_count(forward.expected[s])} {_plural(s)}"
                             for s in plan.stages[1:])
        out.print(f"Forward: {forward.start_per_month:,} {_plural(forward.start_stage)} a "
                  f"month give about {expected} and "
                  f"{_money(plan, round(float(forward.revenue_per_month)))} of revenue a month.")
    if plan.capacity is not None:
        cap = plan.capacity
        out.print(f"Capacity: {float(cap.leads_per_rep_per_day):.1f} new MQLs and "
                  f"{float(cap.touches_per_rep_per_day):.0f} touches per {cap.rep_role} per "
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
