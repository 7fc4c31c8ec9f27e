"""A realistic lead history whose true scoring model is known (for tests and benchmarks).

Modelled on an education company's public lead export: a lead source, time on site with a
saturating effect, visits with a bump in the middle, yes/no flags, an occupation often left
at "Select", an id and e-mail column, a creation date, and a status column sales fills in
after talking to the lead (which leaks the outcome).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

SOURCES = {"Google": 0.0, "Direct Traffic": 0.0, "Organic Search": 0.3, "Reference": 2.2,
           "Welingak Website": 1.6, "Olark Chat": -1.0, "Select": 0.0}
SOURCE_SHARES = [0.30, 0.22, 0.14, 0.08, 0.06, 0.14, 0.06]
OCCUPATIONS = {"Working Professional": 2.4, "Student": 0.0, "Unemployed": 0.0, "Select": 0.0}
OCCUPATION_SHARES = [0.08, 0.06, 0.46, 0.40]
COUNTRIES = ["India", "United States", "United Arab Emirates", "Unknown"]

TRUE_EFFECTS = {"Lead Source": {"Reference": +1, "Welingak Website": +1, "Olark Chat": -1},
                "Occupation": {"Working Professional": +1},
                "Do Not Email": {"Yes": -1}, "Asked For Demo": {"Yes": +1}}


def true_logit(source: Any, occupation: Any, seconds: Any, visits: Any, no_email: Any,
               demo: Any) -> Any:
    source_effect = np.array([SOURCES[s] for s in SOURCES])[source]
    occupation_effect = np.array([OCCUPATIONS[o] for o in OCCUPATIONS])[occupation]
    time_effect = 3.4 * np.minimum(seconds / 900.0, 1.0)
    visit_effect = np.where(visits == 0, -0.6, np.where(visits <= 6, 0.3, 0.0))
    return (-2.9 + source_effect + occupation_effect + time_effect + visit_effect
            - 1.3 * no_email + 1.5 * demo)


def generate(rows: int, seed: int = 7) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    source = rng.choice(len(SOURCES), size=rows, p=SOURCE_SHARES)
    occupation = rng.choice(len(OCCUPATIONS), size=rows, p=OCCUPATION_SHARES)
    seconds = np.where(rng.random(rows) < 0.25, 0,
                       np.round(rng.lognormal(6.0, 1.0, rows))).astype(int)
    visits = np.where(seconds == 0, 0, rng.poisson(3.5, rows) + 1)
    no_email = (rng.random(rows) < 0.08).astype(int)
    demo = (rng.random(rows) < 0.12).astype(int)
    logit = true_logit(source, occupation, seconds, visits, no_email, demo)
    converted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    honest = rng.random(rows) < 0.97
    status = np.where(converted == 1,
                      np.where(honest, "Will revert after reading the email", "Ringing"),
                      np.where(honest, rng.choice(["Ringing", "Interested in other courses",
                                                   "Already a student"], size=rows),
                               "Will revert after reading the email"))
    country = rng.choice(COUNTRIES, size=rows, p=[0.7, 0.1, 0.1, 0.1])
    pages = np.round(rng.gamma(2.0, 1.2, rows), 1)
    start = dt.date(2024, 1, 1).toordinal()
    created = start + np.sort(rng.integers(0, 730, rows))
    return {"source": source, "occupation": occupation, "seconds": seconds, "visits": visits,
            "no_email": no_email, "demo": demo, "logit": logit, "converted": converted,
            "status": status, "country": country, "pages": pages, "created": created}


HEADER = ["Prospect ID", "Email", "Lead Source", "Do Not Email", "Asked For Demo",
          "TotalVisits", "Total Time Spent on Website", "Page Views Per Visit", "Country",
          "Occupation", "Created", "Lead Status", "Converted"]


def write_history(path: Path, rows: int, seed: int = 7, *, leaky: bool = True) -> dict[str, Any]:
    data = generate(rows, seed)
    sources, occupations = list(SOURCES), list(OCCUPATIONS)
    header = HEADER if leaky else [h for h in HEADER if h != "Lead Status"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            row = [f"7927b2df-{i:08d}", f"lead{i}@example.com", sources[data["source"][i]],
                   "Yes" if data["no_email"][i] else "No", "Yes" if data["demo"][i] else "No",
                   int(data["visits"][i]), int(data["seconds"][i]), data["pages"][i],
                   data["country"][i], occupations[data["occupation"][i]],
                   dt.date.fromordinal(int(data["created"][i])).isoformat()]
            if leaky:
                row.append(data["status"][i])
            row.append(int(data["converted"][i]))
            writer.writerow(row)
    return data


def true_auc(data: dict[str, Any], rows: Any | None = None) -> float:
    from sklearn.metrics import roc_auc_score

    index = slice(None) if rows is None else rows
    return float(roc_auc_score(data["converted"][index], data["logit"][index]))
