"""How long `salon import clients|appointments|sales` take on files of 100,000 rows from another system (issues 9, 29).

Run: .venv/bin/python benchmarks/import_rows.py [--rows 100000] [--db sqlite|postgres|URL] [--keep DIR]
     [--seed 9] [--numeric-codes]

The salon: a fresh one (America/Mexico_City, MXN), made in this process through the services as in
detect_no_shows.py -- `salon init`'s `initialise`, owner `lucia` PIN 2580, eight services, four
products, five stylists and IVA 16 % included in prices in its policy. On a SQLite file in a
temporary folder (default), or with `--db postgres` (or a URL naming a PostgreSQL server, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) on a throwaway database created on that
server and dropped at the end. "Now" is Sunday 2026-11-22 08:30 in Mexico City (`SALON_NOW`).

The files, generated from `--seed` (the same seed, the same bytes), each `--rows` rows, shaped like
another system's export (US dates MM/DD/YYYY, 12-hour times with seconds such as 3:50:00 PM):

  - clients.csv: Client Code, First Name, Last Name, Mobile, Email, Date of Birth. Names from
    client_search.py's population (two in three Spanish, Zipf-skewed); unique codes (C100001, ...;
    `--numeric-codes`: bare numbers in random order, as many systems export them); unique phones, 93 %
    Mexican mobiles typed four ways (+52 55 1234 5678, 55 1234 5678, (55) 1234-5678, 5512345678),
    5 % US numbers with +1, 2 % none; an e-mail on 65 %, a birthday on 70 %.
  - appointments.csv: Booking Ref, Client Code, Service, Staff, Date, Time, Status. 98 % history
    over the three years before today (86 % Completed, 8 % Cancelled, 6 % No Show), 2 % Confirmed
    ahead, laid one after another in each stylist's day so that none double-books; 8 % name two
    services ("Corte de dama + Tinte de raíz"); staff by name; clients skewed towards regulars.
  - sales.csv: Receipt, Date, Time, Client Code, Staff, Item, Qty, Amount, Tax, Payment Method, Tip:
    receipts of 1-3 rows (the last one cut so the file has exactly `--rows` rows), over the same
    three years; services and products by name, amounts like 350.00 with the IVA in them in Tax;
    cash, Visa, Mastercard, Debit Card, Amex or Bank Transfer (5 % of receipts split between cash and
    Visa); a tip on a third of card receipts; 12 % without a client.
  - receipts.csv (issue 29: a real salon system's sales report, as it exports it): Receipt No, Date,
    Time, Client Code, Staff, Item Code, Description, Qty, Amount, IVA, Payment Type -- receipt lines
    over the same three years: the IVA in each amount printed with four decimals (56.5517); 1-3 lines
    by the receipt's stylist, a product now and then rung up by another; negative lines by another
    staff member on 6 % of receipts (a "Misc" -50.00, or a product returned, Qty -1; never more than
    the visit), and 1 % of receipts a return alone (a product of an earlier receipt of the file,
    brought back within 30 days: money given back from that sale, no sale of its own); 3 % of
    receipts for two clients (mother and daughter: one sale each); 12 % without a client; the Item
    Code column (the old system's codes, with spaces) skipped (`-`): lines go by description.

The column -> field mapping of each file is one dict below (CLIENT_COLUMNS, ...), written as a
`--mapping KIND.toml` file; no date or time format is given: the import reads them off the file.

Timed: each import as the real CLI in a child process (`salon --as lucia --pin 2580 import KIND FILE
--mapping KIND.toml --format json`), clients -> appointments -> sales -> receipts (the real export's
shapes, printed beside the others), then the clients file again (it must create nothing). Wall time
from spawn to exit (interpreter start included), rows per second, and the child's own CPU time and
peak RSS (`os.wait4`'s rusage of that child alone: on a busy machine its CPU time is the steadier
figure). The JSON summary of each is checked (created == what the file holds -- for receipts.csv
one sale per client of a receipt, and each return --, nothing unchanged; the re-import: nothing
created, every row unchanged), and afterwards the database itself (the money given back too):
the rows counted, every appointment's and sale's client the one its Client Code names (a sale of
receipts.csv: the receipt its external id starts with, and one of that receipt's clients), the sales'
totals, taxes and tips to the cent (a receipt's IVA: the sum of its four-decimal lines, rounded once,
half up).

Target (issue 9): each import of 100,000 rows in under 20 s on this machine. The figures are a
report: the exit status is 0 whether or not the targets are met, 1 when an import fails (its stderr
is printed) or a check above finds a difference.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from client_search import Population  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 22, 8, 30, tzinfo=ZONE)  # SALON_NOW in every child
TODAY = NOW.date()
HISTORY_DAYS = 3 * 365
OWNER, PIN = "lucia", "2580"
TARGET_S = 20.0

# ----------------------------------------------------------------------------- how the files are read
# The other system's column -> our field, one dict a file (the files' headers, in this order), written
# as each file's `--mapping FILE.toml`. No date or time format is given: the import reads them off
# the file (US dates, 12-hour times with seconds), as a salon moving in would run it.

CLIENT_COLUMNS = {
    "Client Code": "external_code", "First Name": "first_name", "Last Name": "last_name", "Mobile": "phone",
    "Email": "email", "Date of Birth": "birthday",
}
APPOINTMENT_COLUMNS = {
    "Booking Ref": "external_id", "Client Code": "client", "Service": "service", "Staff": "staff", "Date": "date",
    "Time": "time", "Status": "status",
}
SALE_COLUMNS = {
    "Receipt": "receipt", "Date": "date", "Time": "time", "Client Code": "client", "Staff": "staff",
    "Item": "description", "Qty": "quantity", "Amount": "amount", "Tax": "tax:IVA", "Payment Method": "method",
    "Tip": "tip",
}
# a real salon system's sales report (issue 29): every column named, its Item Code skipped
RECEIPT_COLUMNS = {
    "Receipt No": "receipt", "Date": "date", "Time": "time", "Client Code": "client", "Staff": "staff",
    "Item Code": "-", "Description": "description", "Qty": "quantity", "Amount": "amount", "IVA": "tax:IVA",
    "Payment Type": "method",
}
COLUMNS = {"clients": CLIENT_COLUMNS, "appointments": APPOINTMENT_COLUMNS, "sales": SALE_COLUMNS,
           "receipts": RECEIPT_COLUMNS}


def mapping_file(folder: Path, kind: str) -> Path:
    """KIND.toml beside the files: the [columns] table of `salon import --mapping`."""
    path = folder / f"{kind}.toml"
    lines = ["[columns]"] + [f"{json.dumps(source)} = {json.dumps(target)}" for source, target in COLUMNS[kind].items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_options(stem: str, folder: Path) -> list[str]:
    """The options that tell `salon import` how to read the file STEM.csv."""
    return ["--mapping", str(mapping_file(folder, stem))]


# ----------------------------------------------------------------------------- the salon

# (code, name, minutes, price in pesos) -- the names are what the files say
SERVICES = (
    ("corte-dama", "Corte de dama", 60, 450), ("corte-caballero", "Corte de caballero", 30, 280),
    ("tinte-raiz", "Tinte de raíz", 90, 850), ("mechas", "Mechas / balayage", 180, 2400),
    ("peinado", "Peinado de evento", 60, 650), ("manicure", "Manicure clásico", 40, 300),
    ("pedicure", "Pedicure spa", 60, 450), ("facial", "Facial hidratante", 60, 850),
)
SERVICE_WEIGHTS = (30, 18, 12, 4, 6, 14, 8, 8)
PRODUCTS = (("shampoo", "Shampoo profesional", 380), ("acondicionador", "Acondicionador", 350),
            ("aceite", "Aceite de argán", 490), ("esmalte", "Esmalte de uñas", 120))
STYLISTS = (("ana", "Ana Jiménez"), ("diego", "Diego Muñoz"), ("valeria", "Valeria Torres"),
            ("emma", "Emma Collins"), ("luis", "Luis Ortega"))
IVA_BP = 1600  # 16 %, included in the prices


def setup(url: str) -> None:
    """The salon described in the module docstring, through the services (audited)."""
    from salon_cli.db import engine as engine_module
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import catalog, policy, staff
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.setup import initialise

    engine = make_engine(url)
    init = initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
                      currency="MXN", owner_name="Lucía Hernández", owner_code=OWNER, owner_pin=PIN,
                      allow_clock_override=True)  # the children import under SALON_NOW
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role, verified=True)
    with UnitOfWork(engine) as uow:
        s = uow.session
        for code, name, minutes, pesos in SERVICES:
            catalog.add_service(s, actor=owner, location=init.location, name=name, duration_min=minutes,
                                price_cents=pesos * 100, code=code)
        for code, name, pesos in PRODUCTS:
            catalog.add_product(s, actor=owner, location=init.location, name=name, price_cents=pesos * 100,
                                stock=500, code=code)
        for code, name in STYLISTS:
            staff.add(s, actor=owner, location=init.location, name=name, code=code, role="stylist", pin="4444")
        policy.update(s, actor=owner, location=init.location, taxes=[f"IVA:{IVA_BP // 100}%:inclusive"])
        uow.commit()
    engine.dispose()
    engine_module.dispose_all()


# ----------------------------------------------------------------------------- the files

@dataclass
class Expected:
    """What the files hold, to check the imports against."""

    clients: int = 0
    appointments: int = 0
    receipts: int = 0
    sale_rows: int = 0
    sale_total_cents: int = 0
    sale_tax_cents: int = 0
    sale_tip_cents: int = 0
    receipt_sales: set[tuple[str, str | None]] = field(default_factory=set)  # receipts.csv: (receipt, client)
    receipt_rows: int = 0  # receipts.csv's rows that are sale lines (a return's are refunds)
    returns: int = 0  # receipts.csv's receipts that give money back from an earlier one
    refund_cents: int = 0
    appointment_client: dict[str, str] = field(default_factory=dict)  # booking ref -> client code
    receipt_client: dict[str, str | None] = field(default_factory=dict)  # receipt -> client code
    statuses: dict[str, int] = field(default_factory=dict)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _us_date(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _us_time(hour: int, minute: int, second: int = 0) -> str:
    return f"{(hour - 1) % 12 + 1}:{minute:02d}:{second:02d} {'AM' if hour < 12 else 'PM'}"


def _money(cents: int) -> str:
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _writer(path: Path, columns: dict[str, str]) -> tuple[Any, Any]:
    out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by the caller)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(columns))
    return out, writer


def client_codes(rng: random.Random, rows: int, numeric: bool) -> list[str]:
    if numeric:  # bare numbers, in no particular order (ids in the other system)
        return [str(n) for n in rng.sample(range(1, 5 * rows + 10), rows)]
    return [f"C{100_001 + n}" for n in range(rows)]


def write_clients(path: Path, rng: random.Random, codes: list[str]) -> None:
    people = Population(rng)
    rows = len(codes)
    mexican = rng.sample(range(10**8), rows)  # the 8 digits after the area code: unique
    american = rng.sample(range(10**7), rows)
    out, writer = _writer(path, CLIENT_COLUMNS)
    with out:
        for n, code in enumerate(codes):
            first, last = people.name()
            roll = rng.random()
            if roll < 0.93:
                area, d = rng.choice(("55", "55", "55", "33", "81")), f"{mexican[n]:08d}"
                phone = rng.choice((f"+52 {area} {d[:4]} {d[4:]}", f"{area} {d[:4]} {d[4:]}",
                                    f"({area}) {d[:4]}-{d[4:]}", f"{area}{d}"))
            elif roll < 0.98:
                d = f"{american[n]:07d}"
                phone = f"+1 ({rng.choice(('512', '210', '713', '305'))}) {d[:3]}-{d[3:]}"
            else:
                phone = ""
            email = ""
            if rng.random() < 0.65:
                user = _ascii(f"{first.split()[0]}.{last.split()[0]}").lower().replace("'", "")
                email = f"{user}{n}@{rng.choice(('gmail.com', 'hotmail.com', 'yahoo.com.mx', 'outlook.com'))}"
            birthday = ""
            if rng.random() < 0.70:
                birthday = _us_date(date(1950, 1, 1) + timedelta(days=rng.randrange(58 * 365)))
            writer.writerow([code, first, last, phone, email, birthday])


def _regular(rng: random.Random, codes: list[str]) -> str:
    """A client, regulars more often (the first ones in the file come most)."""
    return codes[int(len(codes) * rng.random() ** 2)]


def _services(rng: random.Random) -> list[tuple[str, str, int, int]]:
    first = rng.choices(SERVICES, SERVICE_WEIGHTS)[0]
    if rng.random() < 0.08:
        second = rng.choice([s for s in SERVICES if s is not first and s[2] <= 90])
        return [first, second]
    return [first]


def write_appointments(path: Path, rng: random.Random, codes: list[str], rows: int, expected: Expected) -> None:
    ahead = rows * 2 // 100
    # each stylist's next free minute ahead: tomorrow 09:00 (a Monday), one booking after another
    cursor = {name: datetime.combine(TODAY + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)
              for _, name in STYLISTS}
    out, writer = _writer(path, APPOINTMENT_COLUMNS)
    with out:
        for n in range(rows):
            ref, client = f"BK{500_001 + n}", _regular(rng, codes)
            services = _services(rng)
            minutes = sum(s[2] for s in services)
            stylist = rng.choice(STYLISTS)[1]
            if n < rows - ahead:
                day = TODAY - timedelta(days=rng.randint(1, HISTORY_DAYS))
                start = datetime.combine(day, datetime.min.time()) + timedelta(
                    minutes=9 * 60 + 15 * rng.randrange((20 * 60 - 9 * 60 - minutes) // 15 + 1))
                status = rng.choices(("Completed", "Cancelled", "No Show"), (86, 8, 6))[0]
            else:
                start = cursor[stylist]
                if start.hour * 60 + start.minute + minutes > 20 * 60:  # past closing: the next day, 09:00
                    start = datetime.combine(start.date() + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)
                cursor[stylist] = start + timedelta(minutes=minutes + 15 * rng.randrange(3))
                status = "Confirmed"
            name = " + ".join(s[1] for s in services)
            writer.writerow([ref, client, name, stylist, _us_date(start.date()), _us_time(start.hour, start.minute),
                             status])
            expected.appointment_client[ref] = client
            expected.statuses[status] = expected.statuses.get(status, 0) + 1
    expected.appointments = rows


def write_sales(path: Path, rng: random.Random, codes: list[str], rows: int, expected: Expected) -> None:
    items = [(name, pesos * 100, True) for _, name, _, pesos in SERVICES] + \
            [(name, pesos * 100, False) for _, name, pesos in PRODUCTS]
    weights = list(SERVICE_WEIGHTS) + [5, 4, 3, 4]
    methods = ("Cash", "Visa", "Mastercard", "Debit Card", "Amex", "Bank Transfer")
    out, writer = _writer(path, SALE_COLUMNS)
    written, receipt = 0, 700_000
    with out:
        while written < rows:
            receipt += 1
            lines = min(rng.choices((1, 2, 3), (55, 30, 15))[0], rows - written)
            day = TODAY - timedelta(days=rng.randint(1, HISTORY_DAYS))
            at = _us_time(rng.randrange(9, 20), rng.randrange(60), rng.randrange(60))
            client = _regular(rng, codes) if rng.random() < 0.88 else ""
            stylist = rng.choice(STYLISTS)[1]
            method = rng.choices(methods, (40, 20, 15, 10, 5, 10))[0]
            split = lines > 1 and rng.random() < 0.05
            tipped = method not in ("Cash", "Bank Transfer") and rng.random() < 0.33
            for position in range(lines):
                name, cents, service = rng.choices(items, weights)[0]
                qty = 1 if service else rng.choices((1, 2), (85, 15))[0]
                amount = cents * qty
                tax = (amount * IVA_BP + (10_000 + IVA_BP) // 2) // (10_000 + IVA_BP)  # the IVA in the amount
                tip = amount * rng.choice((10, 12, 15)) // 100 if tipped and position == 0 else 0
                row_method = ("Cash", "Visa")[position % 2] if split else method
                writer.writerow([str(receipt), _us_date(day), at, client, stylist, name, str(qty), _money(amount),
                                 _money(tax), row_method, _money(tip)])
                expected.sale_total_cents += amount
                expected.sale_tax_cents += tax
                expected.sale_tip_cents += tip
            expected.receipt_client[str(receipt)] = client or None
            written += lines
    expected.receipts = len(expected.receipt_client)
    expected.sale_rows = written


FIRST_RECEIPT = 9_000_001  # receipts.csv's numbers: past sales.csv's (700,001 on), so no external id is both


def _iva_in(amount: int) -> Decimal:
    """The IVA in a line's amount (cents), as the report prints it: four decimals, in major units."""
    return (Decimal(amount) * IVA_BP / (10_000 + IVA_BP) / 100).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def write_receipts(path: Path, rng: random.Random, codes: list[str], rows: int, expected: Expected) -> None:
    """receipts.csv: the real export's shapes (module docstring). A sale is a receipt's lines of one
    client: its IVA is theirs summed and rounded once, half up."""
    items = [(name, pesos * 100, True) for _, name, _, pesos in SERVICES] + \
            [(name, pesos * 100, False) for _, name, pesos in PRODUCTS]
    weights = list(SERVICE_WEIGHTS) + [5, 4, 3, 4]
    products = [(name, pesos * 100, False) for _, name, pesos in PRODUCTS]
    # the old system's item codes, with its spaces and dots (skipped by the mapping: lines go by description)
    item_codes = {name: code.upper().replace("-", " ") for code, name, *_ in SERVICES + PRODUCTS}
    item_codes.update({"Misc": "MISC", "Manicure clásico": "MANI.C"})
    methods = ("Cash", "Visa", "Mastercard", "Debit Card", "Amex")
    stylists = [name for _, name in STYLISTS]
    out, writer = _writer(path, RECEIPT_COLUMNS)
    written, receipt = 0, FIRST_RECEIPT - 1
    bought: list[tuple[str, str, int, date]] = []  # products sold to a client on the receipts so far: (client, ...)
    sold_alone = {name for name, _, _ in products}
    with out:
        while written < rows:
            receipt += 1
            day = TODAY - timedelta(days=rng.randint(1, HISTORY_DAYS))
            at = _us_time(rng.randrange(9, 20), rng.randrange(60), rng.randrange(60))
            client = _regular(rng, codes) if rng.random() < 0.88 else ""
            stylist = rng.choice(stylists)
            other = rng.choice([s for s in stylists if s != stylist])
            method = rng.choices(methods, (35, 25, 15, 15, 10))[0]
            lines: list[tuple[str, str, str, int, int]] = []  # (client, staff, description, qty, amount)
            roll = rng.random()
            if roll < 0.01 and bought:  # a product bought on an earlier receipt, brought back alone
                k = rng.randrange(len(bought))
                client, name, cents, day_bought = bought[k]
                bought[k] = bought[-1]
                bought.pop()
                day = min(day_bought + timedelta(days=rng.randint(1, 30)), TODAY - timedelta(days=1))
                lines.append((client, other, name, -1, -cents))
            else:
                for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
                    name, cents, service = rng.choices(items, weights)[0]
                    qty = 1 if service else rng.choices((1, 2), (85, 15))[0]
                    lines.append((client, stylist if service or rng.random() < 0.7 else other, name, qty, cents * qty))
                paid = sum(line[4] for line in lines)
                name, cents, _ = rng.choice(products)
                if roll < 0.05 and paid > 5000:  # another staff member's adjustment, never more than the visit
                    lines.append((client, other, "Misc", 1, -5000))
                elif roll < 0.07 and paid > cents:  # a product returned during the visit, by another staff member
                    lines.append((client, other, name, -1, -cents))
                elif roll < 0.10 and client:  # her daughter too, on the same receipt (IVA in whole cents)
                    daughter = _regular(rng, codes)
                    if daughter != client:
                        lines.append((daughter, other, "Manicure clásico", 1, 29_000))
                if all(line[4] > 0 for line in lines):  # what may come back later, with money enough on its sale
                    bought += [(who, name, amount // qty, day) for who, _, name, qty, amount in lines
                               if who and name in sold_alone]
            lines = lines[: rows - written]
            if lines[0][3] < 0:  # less than zero: money given back from the earlier sale, no sale of its own
                for who, staff, name, qty, amount in lines:
                    writer.writerow([str(receipt), _us_date(day), at, who, staff, item_codes[name], name, str(qty),
                                     _money(amount), f"{_iva_in(amount):.4f}", "Cash"])
                    expected.refund_cents -= amount
                expected.returns += 1
                written += len(lines)
                continue
            sales: dict[str, Decimal] = {}
            for who, staff, name, qty, amount in lines:
                iva = _iva_in(amount)
                writer.writerow([str(receipt), _us_date(day), at, who, staff, item_codes[name], name, str(qty), _money(amount),
                                 f"{iva:.4f}", method])
                sales[who] = sales.get(who, Decimal(0)) + iva
                expected.sale_total_cents += amount
            for who, iva in sales.items():
                expected.sale_tax_cents += int((iva * 100).quantize(Decimal(1), ROUND_HALF_UP))
                expected.receipt_sales.add((str(receipt), who or None))
            written += len(lines)
            expected.receipt_rows += len(lines)


def generate(folder: Path, rows: int, seed: int, numeric: bool) -> Expected:
    rng = random.Random(seed)
    expected = Expected(clients=rows)
    codes = client_codes(rng, rows, numeric)
    write_clients(folder / "clients.csv", random.Random(seed + 1), codes)
    write_appointments(folder / "appointments.csv", random.Random(seed + 2), codes, rows, expected)
    write_sales(folder / "sales.csv", random.Random(seed + 3), codes, rows, expected)
    write_receipts(folder / "receipts.csv", random.Random(seed + 4), codes, rows, expected)
    return expected


# ----------------------------------------------------------------------------- the database

@contextmanager
def database(db: str, folder: Path, keep: bool) -> Iterator[str]:
    """The salon's URL: a SQLite file in `folder`, or a throwaway PostgreSQL database on the server
    `db` names (dropped afterwards unless `keep`), as tests/conftest.py's `throwaway_database`."""
    if db == "sqlite":
        yield f"sqlite:///{folder / 'salon.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    server = PG_SERVER if db == "postgres" else db
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"salon_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    finally:
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_database(url: str, expected: Expected) -> list[str]:
    """Differences between the database and the files (empty: none)."""
    import sqlalchemy as sa

    from salon_cli.db import engine as engine_module
    from salon_cli.db.engine import make_engine

    problems: list[str] = []
    engine = make_engine(url)
    with engine.connect() as conn:
        def one(query: str) -> Any:
            return conn.execute(sa.text(query)).scalar_one()

        for table, want in (("client", expected.clients), ("appointment", expected.appointments),
                            ("sale", expected.receipts + len(expected.receipt_sales)),
                            ("sale_line", expected.sale_rows + expected.receipt_rows)):
            got = one(f"SELECT count(*) FROM {table}")
            if got != want:
                problems.append(f"{table}: {got:,} rows, the files hold {want:,}")
        total, tax, tips = conn.execute(sa.text("SELECT coalesce(sum(total_cents), 0), coalesce(sum(tax_cents), 0), "
                                                "coalesce(sum(tip_cents), 0) FROM sale")).one()
        if (total, tax, tips) != (expected.sale_total_cents, expected.sale_tax_cents, expected.sale_tip_cents):
            problems.append(f"sales: total {total}, tax {tax} and tips {tips} cents, the files have "
                            f"{expected.sale_total_cents}, {expected.sale_tax_cents} and {expected.sale_tip_cents}")
        refunded = one("SELECT coalesce(sum(amount_cents), 0) FROM refund")
        if refunded != expected.refund_cents:
            problems.append(f"refunds: {refunded} cents given back, receipts.csv's returns {expected.refund_cents}")
        sales = {}
        for ref, code in conn.execute(sa.text("SELECT s.external_id, c.external_code FROM sale s "
                                              "LEFT JOIN client c ON c.id = s.client_id")):
            number = re.match(r"\d+", ref or "")
            if number and int(number.group()) >= FIRST_RECEIPT:  # receipts.csv: one sale per client of a receipt
                sales[(number.group(), code)] = ref
        theirs = set(sales.values())
        if set(sales) != expected.receipt_sales:
            wrong = sorted(set(sales) ^ expected.receipt_sales, key=str)
            problems.append(f"receipts: {len(wrong):,} (receipt, client) pairs differ from the file's, e.g. {wrong[0]} "
                            f"({'in the database only' if wrong[0] in sales else 'in the file only'})")
        for what, query, want in (
            ("appointments", "SELECT a.external_id, c.external_code FROM appointment a "
                             "LEFT JOIN client c ON c.id = a.client_id", expected.appointment_client),
            ("sales", "SELECT s.external_id, c.external_code FROM sale s LEFT JOIN client c ON c.id = s.client_id",
             expected.receipt_client),
        ):
            wrong = [(ref, code, want.get(ref)) for ref, code in conn.execute(sa.text(query))
                     if want.get(ref) != code and (what == "appointments" or ref not in theirs)]
            if wrong:
                ref, got, meant = wrong[0]
                problems.append(f"{what}: {len(wrong):,} linked to another client than their Client Code names "
                                f"(e.g. {ref}: client {got!r}, the file says {meant!r})")
    engine.dispose()
    engine_module.dispose_all()
    return problems


# ----------------------------------------------------------------------------- the imports

@dataclass
class Run:
    name: str
    rows: int
    seconds: float
    peak_mb: float
    cpu_seconds: float  # the child's user + system time: the figure to read when the machine is busy
    code: int
    summary: dict[str, Any] | None
    stderr: str


def salon_command() -> list[str]:
    script = Path(sys.executable).parent / "salon"
    return [str(script)] if script.exists() else [sys.executable, "-m", "salon_cli"]


def run_import(name: str, stem: str, kind: str, file: Path, rows: int, env: dict[str, str], folder: Path) -> Run:
    """`salon import KIND FILE` in a child process: its wall time, its own peak RSS, its JSON summary
    (its stdout and stderr are kept in `folder` as STEM.stdout and STEM.stderr)."""
    argv = [*salon_command(), "--as", OWNER, "--pin", PIN, "import", kind, str(file),
            *import_options(file.stem, folder), "--format", "json"]
    out_path, err_path = folder / f"{stem}.stdout", folder / f"{stem}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage alone
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux
    text = out_path.read_text(encoding="utf-8", errors="replace")
    try:
        summary = json.loads(text) if proc.returncode == 0 else None
    except json.JSONDecodeError:
        summary = None
    return Run(name, rows, seconds, peak_kb / 1024, usage.ru_utime + usage.ru_stime, proc.returncode, summary,
               err_path.read_text(encoding="utf-8", errors="replace"))


def check_summary(run: Run, created: int, unchanged: int) -> str | None:
    s = run.summary
    if s is None:
        return f"{run.name}: no JSON summary on stdout"
    rows = s.get("rows_read", s.get("rows"))  # rows_read and rows_used since issue 29
    if (rows, s.get("rows_used", rows), s.get("created"), s.get("unchanged")) != (run.rows, run.rows, created, unchanged):
        return (f"{run.name}: rows {rows} read, {s.get('rows_used')} used, created {s.get('created')}, unchanged "
                f"{s.get('unchanged')}; expected {run.rows}, {run.rows}, {created}, {unchanged}")
    return None


def report(runs: list[Run]) -> None:
    print()
    print(f"{'import':<24}{'rows':>9}{'seconds':>9}{'cpu s':>8}{'rows/s':>9}{'peak RSS MB':>13}  {'target':<8}{'met':>4}")
    for r in runs:
        failed = r.code != 0
        rate = "-" if failed else f"{r.rows / r.seconds:,.0f}"
        met = "FAIL" if failed else ("yes" if r.seconds < TARGET_S else "no")
        print(f"{r.name:<24}{r.rows:>9,}{r.seconds:>9.2f}{r.cpu_seconds:>8.2f}{rate:>9}{r.peak_mb:>13.0f}  "
              f"{'< 20 s':<8}{met:>4}")
    print("(target for 100,000 rows; wall time from spawn to exit, interpreter start included; cpu: that child's "
          "user + system time, the database server's not included; peak RSS of that child alone)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in each file (default 100,000)")
    parser.add_argument("--db", default="sqlite",
                        help=f"sqlite (default), postgres ({PG_SERVER}) or a PostgreSQL server URL: a throwaway "
                             "database is made on it and dropped afterwards")
    parser.add_argument("--keep", metavar="DIR", help="generate the files and (SQLite) the salon in DIR and keep "
                                                       "them (PostgreSQL: the database is not dropped)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--numeric-codes", action="store_true",
                        help="client codes as bare numbers (as many systems export them)")
    args = parser.parse_args()
    if args.rows < 10:
        parser.error("--rows must be at least 10")
    if args.db != "sqlite" and args.db != "postgres" and not args.db.startswith("postgresql"):
        parser.error("--db is sqlite, postgres or a postgresql:// URL")
    os.environ["SALON_NOW"] = NOW.isoformat()  # the in-process setup and checks run at the same "now"

    if args.keep:
        folder = Path(args.keep).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        stale = [p.name for p in folder.iterdir() if p.name in ("salon.db", "clients.csv", "appointments.csv",
                                                                 "sales.csv", "receipts.csv")]
        if stale:
            parser.error(f"--keep {folder} already holds {', '.join(stale)}: give an empty folder")
        temp = None
    else:
        temp = tempfile.mkdtemp(prefix="salon-import-bench-")
        folder = Path(temp)
    failed = False
    try:
        start = time.perf_counter()
        expected = generate(folder, args.rows, args.seed, args.numeric_codes)
        sizes = ", ".join(f"{n} {(folder / n).stat().st_size / 1e6:.1f} MB"
                          for n in ("clients.csv", "appointments.csv", "sales.csv", "receipts.csv"))
        print(f"generated {args.rows:,} rows a file in {time.perf_counter() - start:.1f} s ({sizes}); "
              f"{expected.receipts:,} receipts in sales.csv; {len({r for r, _ in expected.receipt_sales}):,} "
              f"receipts of {len(expected.receipt_sales):,} sales in receipts.csv; appointments "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(expected.statuses.items())), flush=True)
        with database(args.db, folder, keep=bool(args.keep)) as url:
            where = "SQLite file" if args.db == "sqlite" else url.split("@")[-1]
            start = time.perf_counter()
            setup(url)
            print(f"salon on {where}: set up in {time.perf_counter() - start:.1f} s", flush=True)
            env = {k: v for k, v in os.environ.items() if k not in ("SALON_STAFF", "SALON_PIN", "SALON_LOCATION")}
            env.update(SALON_HOME=str(folder / "home"), SALON_DATABASE_URL=url, SALON_NOW=NOW.isoformat())
            # (shown as, kind, the file, its output files' stem, created, unchanged)
            plan = (("clients", "clients", "clients", "clients", expected.clients, 0),
                    ("appointments", "appointments", "appointments", "appointments", expected.appointments, 0),
                    ("sales", "sales", "sales", "sales", expected.receipts, 0),
                    ("receipts (real export)", "sales", "receipts", "receipts",
                     len(expected.receipt_sales) + expected.returns, 0),
                    ("clients (re-import)", "clients", "clients", "clients-again", 0, expected.clients))
            runs: list[Run] = []
            problems: list[str] = []
            for name, kind, file, stem, created, unchanged in plan:
                print(f"importing {name} ...", flush=True)
                run = run_import(name, stem, kind, folder / f"{file}.csv", args.rows, env, folder)
                runs.append(run)
                if run.code != 0:
                    print(f"  FAILED (exit {run.code}); its stderr:\n{run.stderr.rstrip()}", flush=True)
                    failed = True
                    break
                problem = check_summary(run, created, unchanged)
                if problem:
                    problems.append(problem)
            if not failed:
                problems += check_database(url, expected)
            report(runs)
            if problems:
                failed = True
                print("\nCHECKS FAILED:")
                for problem in problems:
                    print(f"  {problem}")
            elif not failed:
                print("checks: every summary as expected; the database holds what the files hold, each appointment "
                      "and sale on the client its Client Code names (receipts.csv: one sale per client of a receipt), "
                      "sales' totals, taxes and tips to the cent")
            if args.keep:
                print(f"kept: {folder}" + ("" if args.db == "sqlite" else f" and the database {url}"))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
