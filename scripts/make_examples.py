"""Write the sample CRM files in examples/ that README's commands read.

    python scripts/make_examples.py            # rewrite examples/*.csv (same seed, same bytes)
    python scripts/make_examples.py --keys     # also make new demo signing keys

The files are made up for the fictional Acme Analytics of examples/acme.yaml, from a seeded
generator, so the same script always writes the same files:

- ``hubspot-contacts.csv``: a HubSpot contacts export (property labels as headers, times in
  the portal's zone as ``YYYY-MM-DD HH:MM``), January to March 2027, for ``report`` and
  ``renegotiate --actuals``;
- ``lead-history.csv``: two years of leads with what was known about each when it arrived
  and whether it converted, for ``calibrate``;
- ``new-leads.csv``: this month's leads, without an outcome yet, for ``score``;
- with ``--keys``, ``keys/demo-ca.pem`` (a demo certificate authority) and the keys it
  issued to the example's signatories and owner, ``keys/dana-reyes.p12``,
  ``keys/sam-okafor.p12`` and ``keys/jordan-lee.p12`` (passphrase ``demo``), for trying
  ``sign`` and ``status --trust``. Not for real signatures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

FIRST = ["Ava", "Liam", "Sofía", "Noah", "Zoë", "Mateo", "Chloé", "Ethan", "Amara", "Lucas",
         "Priya", "Jonas", "Mei", "Omar", "Hannah", "Diego", "Fatima", "Oliver", "Ingrid",
         "Kenji", "Aisha", "Renée", "Tomás", "Grace"]
LAST = ["Nguyen", "Smith", "García", "O'Brien", "Müller", "Patel", "Johnson", "Kowalski",
        "Brown", "Rossi", "Okoro", "Lefèvre", "Kim", "Silva", "Andersson", "Cohen", "Haddad",
        "Walker", "Tanaka", "Murphy"]
COMPANIES = ["Northwind", "Brightpath", "Ledgerly", "Mediqo", "Cloudnest", "Finlytics",
             "Carewise", "Stackline", "Paynova", "Healthbridge", "Datamint", "Orbitly"]
SOURCES = [("Organic Search", 0.26), ("Paid Search", 0.20), ("Referrals", 0.08),
           ("Email Marketing", 0.12), ("Paid Social", 0.12), ("Events", 0.07),
           ("Direct Traffic", 0.15)]
CONVERSIONS = [("Demo request", 0.16), ("Free trial sign-up", 0.09),
               ("Ebook: The SLA playbook", 0.25), ("Webinar: Pipeline reviews", 0.18),
               ("Pricing page form", 0.07), ("Contact us", 0.10), ("Newsletter sign-up", 0.15)]
SDRS = ["Maya Chen", "Luis Ortega", "Priya Nair", "Tom Becker"]
STATUS_OPEN = ["Attempted to Contact", "Connected", "In Progress"]
UNQUALIFIED_REASONS = ["No budget authority", "Student or academic", "Competitor",
                       "Outside target geography", "Bad timing"]


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


def stamp(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def business_moment(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Reps work 09:00 to 17:00 on weekdays: move a touch into that window."""
    while moment.weekday() >= 5 or not 9 <= moment.hour < 17:
        if moment.weekday() < 5 and moment.hour < 9:
            moment = moment.replace(hour=9, minute=rng.randrange(60))
        else:
            moment = (moment + dt.timedelta(days=1)).replace(hour=9, minute=rng.randrange(60))
    return moment


# --------------------------------------------------------------------------- HubSpot export

HUBSPOT_HEADER = [
    "Contact ID", "First Name", "Last Name", "Email", "Company Name", "Create Date",
    "Lifecycle Stage", "Became a Lead Date", "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date", "Became an Opportunity Date",
    "Became a Customer Date", "Lead Status", "Unqualified Reason", "Contact owner",
    "Date of first engagement", "Number of times contacted", "Original Source",
    "Recent Conversion", "Total Revenue",
]


def hubspot_row(index: int, rng: random.Random) -> list[str]:
    start = dt.datetime(2026, 12, 15, 0, 0)
    created = start + dt.timedelta(minutes=rng.randrange(106 * 24 * 60))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    conversion = pick(rng, CONVERSIONS)
    fast = conversion in ("Demo request", "Free trial sign-up")
    mql = sql = opportunity = customer = touch = None
    status, reason, owner, attempts, revenue = "New", "", "", 0, ""
    if rng.random() < (0.9 if fast else 0.55):
        mql = created + dt.timedelta(minutes=rng.randrange(5, 60 * 30))
    if mql is not None and mql.year == 2027:
        owner = SDRS[index % len(SDRS)]
        # Demo and trial requests are usually worked within 4 business hours, the rest
        # within a day; about one in eight is late, and a few are never touched.
        if rng.random() < 0.94:
            hours = rng.expovariate(1 / (2.0 if fast else 9.0))
            if rng.random() < 0.12:
                hours += rng.uniform(8, 40)
            touch = business_moment(mql + dt.timedelta(hours=hours), rng)
            attempts = rng.randint(1, 7)
            status = rng.choice(STATUS_OPEN)
        if touch is not None and rng.random() < (0.7 if fast else 0.5):
            sql = touch + dt.timedelta(days=rng.uniform(0.5, 8))
            status = "Open Deal"
            if rng.random() < 0.55:
                opportunity = sql + dt.timedelta(days=rng.uniform(1, 12))
                if rng.random() < 0.3:
                    customer = opportunity + dt.timedelta(days=rng.uniform(15, 70))
                    revenue = str(rng.choice([18000, 22000, 24000, 25000, 30000, 36000]))
        elif touch is not None and rng.random() < 0.4:
            status, reason = "Unqualified", rng.choice(UNQUALIFIED_REASONS)
    moments = {"sql": sql, "opportunity": opportunity, "customer": customer}
    cutoff = dt.datetime(2027, 4, 1)
    for name, moment in list(moments.items()):
        if moment is not None and moment >= cutoff:  # not yet happened when exported
            moments[name] = None
    sql, opportunity, customer = moments["sql"], moments["opportunity"], moments["customer"]
    if customer is None:
        revenue = ""
    if touch is not None and touch >= cutoff:
        touch, attempts = None, 0
    stage = ("Customer" if customer else "Opportunity" if opportunity else
             "Sales Qualified Lead" if sql else "Marketing Qualified Lead" if mql else "Lead")
    return [
        str(51_000_000 + index * 7 + rng.randrange(7)), first, last,
        f"{first.lower()}.{last.lower()}@{company.lower()}.example".replace("'", ""),
        company, stamp(created), stage, stamp(created), stamp(mql), stamp(sql),
        stamp(opportunity), stamp(customer), status if mql else "New", reason, owner,
        stamp(touch), str(attempts), pick(rng, SOURCES), conversion, revenue,
    ]


def write_hubspot(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    body = [hubspot_row(index, rng) for index in range(rows)]
    body.sort(key=lambda row: row[5])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HUBSPOT_HEADER)
        writer.writerows(body)


# --------------------------------------------------------------------------- lead history

HISTORY_HEADER = [
    "Record ID", "Email", "Create Date", "Original Source", "Industry", "Company Size",
    "Country", "Job Level", "Demo Requested", "Free Trial", "Webinar Attended",
    "Pricing Page Views", "Email Clicks (90 days)", "Website Sessions", "Converted",
]
INDUSTRIES = [("SaaS", 0.3), ("Fintech", 0.15), ("Healthcare IT", 0.12), ("Retail", 0.15),
              ("Education", 0.1), ("Manufacturing", 0.18)]
COUNTRIES = [("United States", 0.55), ("Canada", 0.1), ("United Kingdom", 0.12),
             ("Germany", 0.08), ("India", 0.07), ("", 0.08)]
LEVELS = [("C-suite", 0.06), ("VP", 0.12), ("Director", 0.2), ("Manager", 0.32),
          ("Individual Contributor", 0.3)]


def history_row(index: int, rng: random.Random, start: dt.date,
                days: int) -> tuple[list[str], float]:
    source = pick(rng, SOURCES)
    industry = pick(rng, INDUSTRIES)
    size = int(math.exp(rng.gauss(5.0, 1.4)))
    country = pick(rng, COUNTRIES)
    level = pick(rng, LEVELS)
    demo = rng.random() < 0.1
    trial = rng.random() < 0.07
    webinar = rng.random() < 0.18
    pricing = min(int(rng.expovariate(1 / 1.2)), 12)
    clicks = min(int(rng.expovariate(1 / 2.0)), 30)
    sessions = 1 + min(int(rng.expovariate(1 / 3.0)), 40)
    logit = (-3.9 + 2.6 * demo + 2.2 * trial + 0.8 * webinar + 0.5 * min(pricing, 4)
             + 0.12 * min(clicks, 6) + 0.05 * min(sessions, 10)
             + {"C-suite": 1.0, "VP": 1.1, "Director": 0.8, "Manager": 0.1}.get(level, -0.5)
             + {"Referrals": 1.2, "Events": 0.6, "Paid Social": -0.6}.get(source, 0.0)
             + (0.4 if industry in ("SaaS", "Fintech", "Healthcare IT") else -0.2)
             + (0.3 if 50 <= size <= 500 else -0.2))
    created = start + dt.timedelta(days=rng.randrange(days))
    row = [str(30_000_000 + index * 3 + rng.randrange(3)),
           f"lead{index}@{rng.choice(COMPANIES).lower()}.example", created.isoformat(), source,
           industry, str(size), country, level, "Yes" if demo else "No",
           "Yes" if trial else "No", "Yes" if webinar else "No", str(pricing), str(clicks),
           str(sessions)]
    return row, 1 / (1 + math.exp(-logit))


def write_history(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    body = []
    for index in range(rows):
        row, chance = history_row(index, rng, dt.date(2025, 1, 1), 730)
        body.append([*row, "Yes" if rng.random() < chance else "No"])
    body.sort(key=lambda row: row[2])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HISTORY_HEADER)
        writer.writerows(body)


def write_new_leads(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    body = [history_row(100_000 + index, rng, dt.date(2027, 1, 1), 28)[0]
            for index in range(rows)]
    body.sort(key=lambda row: row[2])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HISTORY_HEADER[:-1])
        writer.writerows(body)


# --------------------------------------------------------------------------- demo keys


def write_demo_keys(folder: Path, names: list[str], passphrase: bytes) -> None:
    """A demo certificate authority (``demo-ca.pem``, valid ten years) and, for each name, a
    key and a certificate it issued, as PKCS#12 (``dana-reyes.p12``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                      "Acme Analytics (demo key, not for real use)")
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Acme Analytics demo CA"),
                         organisation])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for name in names:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), organisation])
        certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                       .public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - dt.timedelta(days=1))
                       .not_valid_after(now + dt.timedelta(days=3650))
                       .add_extension(x509.KeyUsage(True, True, False, False, False, False,
                                                    False, False, False), critical=True)
                       .sign(ca_key, hashes.SHA256()))
        (folder / f"{name.lower().replace(' ', '-')}.p12").write_bytes(
            pkcs12.serialize_key_and_certificates(
                name.encode(), key, certificate, [ca],
                serialization.BestAvailableEncryption(passphrase)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--keys", action="store_true", help="also make new demo signing keys")
    args = parser.parse_args()
    write_hubspot(EXAMPLES / "hubspot-contacts.csv", 900, args.seed)
    write_history(EXAMPLES / "lead-history.csv", 4000, args.seed)
    write_new_leads(EXAMPLES / "new-leads.csv", 200, args.seed + 1)
    if args.keys:
        write_demo_keys(EXAMPLES / "keys", ["Dana Reyes", "Sam Okafor", "Jordan Lee"], b"demo")
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(EXAMPLES.parent)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
