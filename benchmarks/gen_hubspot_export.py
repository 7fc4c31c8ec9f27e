"""Write a synthetic HubSpot contacts export for the actuals benchmark.

    python benchmarks/gen_hubspot_export.py --rows 1000000 -o /tmp/hubspot-1m.csv

Columns and value formats follow a real contacts export (property labels as headers, local
times as ``YYYY-MM-DD HH:MM``).  The numbers come from a seeded generator, so the same
arguments always give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

HEADER = [
    "Contact ID", "First Name", "Last Name", "Email", "Create Date", "Lifecycle Stage",
    "Became a Lead Date", "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date", "Became an Opportunity Date",
    "Became a Customer Date", "Lead Status", "Contact owner", "Owner Assigned Date",
    "Last Contacted", "Last Activity Date", "Number of times contacted",
    "Number of Sales Activities", "Date of first engagement", "Type of first engagement",
    "Lead response time", "HubSpot Score", "Original Source", "Recent Conversion",
]
SOURCES = ["Organic Search", "Paid Search", "Email Marketing", "Social Media", "Referrals",
           "Direct Traffic", "Offline Sources", "Paid Social", "Other Campaigns"]
OWNERS = [f"Rep {n:02d}" for n in range(1, 21)]
CONVERSIONS = ["Demo request", "Free trial sign-up", "Ebook: SLA playbook", "Webinar: pipeline",
               "Contact us", "Pricing page form"]
STATUSES = ["New", "Open", "In Progress", "Open Deal", "Unqualified", "Attempted to Contact",
            "Connected", "Bad Timing"]
START = dt.datetime(2026, 4, 1)


def stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def working_hours(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Reps touch leads on weekdays between 09:00 and 17:00: move a touch into that window."""
    while moment.weekday() >= 5 or not 9 <= moment.hour < 17:
        if moment.weekday() < 5 and moment.hour < 9:
            moment = moment.replace(hour=9, minute=rng.randrange(0, 60))
        else:
            moment = (moment + dt.timedelta(days=1)).replace(hour=9,
                                                             minute=rng.randrange(0, 60))
    return moment


def row(index: int, rng: random.Random) -> list[str]:
    created = START + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
    mql = sql = opportunity = customer = touch = None
    if rng.random() < 0.55:
        mql = created + dt.timedelta(hours=rng.expovariate(1 / 30))
        if rng.random() < 0.85:
            touch = working_hours(mql + dt.timedelta(hours=rng.expovariate(1 / 5)), rng)
        if rng.random() < 0.35:
            sql = mql + dt.timedelta(days=rng.expovariate(1 / 4))
            if rng.random() < 0.5:
                opportunity = sql + dt.timedelta(days=rng.expovariate(1 / 6))
                if rng.random() < 0.25:
                    customer = opportunity + dt.timedelta(days=rng.expovariate(1 / 45))
    stage = ("customer" if customer else "opportunity" if opportunity else
             "salesqualifiedlead" if sql else "marketingqualifiedlead" if mql else "lead")
    contacted = rng.randrange(0, 10) if touch else 0
    return [
        str(100000 + index), f"First{index}", f"Last{index}", f"person{index}@example.com",
        stamp(created), stage, stamp(created), stamp(mql), stamp(sql), stamp(opportunity),
        stamp(customer), rng.choice(STATUSES), rng.choice(OWNERS), stamp(mql),
        stamp(touch), stamp(touch), str(contacted), str(contacted), stamp(touch),
        "CALL" if touch else "", str(rng.randrange(60_000, 9_000_000)) if touch else "",
        str(rng.randrange(0, 100)), rng.choice(SOURCES), rng.choice(CONVERSIONS),
    ]


def write(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\n")
        batch = []
        for index in range(rows):
            batch.append(",".join(row(index, rng)))
            if len(batch) == 10_000:
                handle.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            handle.write("\n".join(batch) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    write(args.output, args.rows, args.seed)
    print(f"wrote {args.rows:,} rows to {args.output} "
          f"({args.output.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
