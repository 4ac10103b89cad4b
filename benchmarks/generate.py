"""A chain's data for the benchmarks: clients, years of appointments, sales, payments, tips, refunds and
no-show penalties, at several locations, written straight through bulk inserts.

Run: .venv/bin/python -m benchmarks.generate --clients 100000 --years 3 --locations 2
         [--db sqlite:///bench.db | postgresql://...] [--stylists 8] [--seed 7] [--today 2026-11-21]

What it writes, and the shapes it follows:
- locations `loc1`..`locN` (America/Mexico_City, MXN; the first is `salon init`'s, owner `lucia`, PIN
  1234), each with six services and eight stylists (`--stylists`; PIN 4444), made through the services;
- clients with realistic Spanish and English names (benchmarks/client_search.py's `Population`), a phone
  each, an e-mail for two in three, a birthday for most, marketing consent for two in five, a home
  location, and search keys built by the clients service's own `reindex_all`;
- visits: how often a client comes is skewed (a log-normal rate, median about four a year; one in five
  came only once), most keep to one stylist, busier in December, November and May and on Fridays and
  Saturdays, quieter in January and on Mondays, at quarter hours 09:00-19:00; a stylist has one client
  at a time (a visit whose slot is taken moves to the stylist's next free quarter hour that day, or is
  dropped);
- outcomes: each location has its own no-show rate between 3 % and 9 %; about 5 % cancelled, 1.5 %
  cancelled late; the rest completed, each with its paid sale (one line, no taxes), its payment (card
  two in three, else cash) and a tip on about half of card payments and a third of cash ones (10-20 %,
  whole pesos); about 1 % refunded in full or in half the day after; each no-show carries its penalty
  (half the price: pending, paid or waived); the next 30 days are booked for about one client in twelve.
Every figure a sale carries equals the sums of its rows (DESIGN.md rule 5); the history carries no
audit rows (it is history brought in, as an import's would be on day one).

It prints what it wrote and how long each part took.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_search import Population  # noqa: E402

ZONE = ZoneInfo("America/Mexico_City")
SERVICES = (("corte", "Corte dama", 45, 35000), ("corte-h", "Corte caballero", 30, 22000),
            ("tinte", "Tinte", 120, 90000), ("manicure", "Manicure", 40, 25000),
            ("peinado", "Peinado", 60, 45000), ("barba", "Arreglo de barba", 20, 15000))
SERVICE_WEIGHTS = (30, 22, 12, 16, 10, 10)
STYLISTS = ("Ana", "Diego", "Valeria", "Emma", "Beto", "Lupita", "Mateo", "Kate")
MONTH_WEIGHT = {1: 0.75, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.15, 6: 0.95, 7: 0.9, 8: 0.9, 9: 0.95, 10: 1.0, 11: 1.15,
                12: 1.45}
WEEKDAY_WEIGHT = (0.6, 0.85, 0.9, 1.0, 1.35, 1.6, 0.7)  # Monday .. Sunday
OPEN_HOUR, SLOTS = 9, 40  # quarter hours from 09:00 to 18:45
CHUNK = 2000  # clients whose visits are made and written together


@dataclass
class Place:
    id: int
    code: str
    no_show_rate: float
    services: list[tuple[int, str, int, int]]  # id, code, minutes, cents
    staff: list[int]


@dataclass
class Counters:
    appointment: int = 0
    sale: int = 0
    line: int = 0
    payment: int = 0
    refund: int = 0
    penalty: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


def utc(day: date, quarter: int) -> datetime:
    local = datetime(day.year, day.month, day.day, OPEN_HOUR, tzinfo=ZONE) + timedelta(minutes=15 * quarter)
    return local.astimezone(timezone.utc)


def setup(engine: Any, locations: int, rng: random.Random, stylists: int = len(STYLISTS)) -> tuple[list[Place], int]:
    from salon_cli.db import migrate
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import catalog, staff
    from salon_cli.services.salon import locations as places
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.setup import initialise

    migrate.upgrade(engine)
    init = initialise(engine, location_code="loc1", location_name="Salón 1", timezone="America/Mexico_City",
                      currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234")
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role, verified=True)
    made = []
    with UnitOfWork(engine) as uow:
        s = uow.session
        views = [init.location]
        for n in range(2, locations + 1):
            views.append(places.add(s, actor=owner, code=f"loc{n}", name=f"Salón {n}",
                                    timezone="America/Mexico_City", currency="MXN"))
        for view in views:
            services = []
            for code, name, minutes, cents in SERVICES:
                row = catalog.add_service(s, actor=owner, location=view, name=name, duration_min=minutes,
                                          price_cents=cents, code=code)
                services.append((row.id, code, minutes, cents))
            names = [STYLISTS[n % len(STYLISTS)] + (str(n // len(STYLISTS) + 1) if n >= len(STYLISTS) else "")
                     for n in range(stylists)]
            people = [staff.add(s, actor=owner, location=view, name=f"{name} {view.code}",
                                code=f"{name.lower()}-{view.code}", role="stylist", pin="4444").id for name in names]
            made.append(Place(id=view.id, code=view.code, no_show_rate=rng.uniform(0.03, 0.09), services=services,
                              staff=people))
        uow.commit()
    return made, owner.id or 1


def clients(engine: Any, count: int, rng: random.Random, places: list[Place], first_day: date) -> tuple[int, int]:
    import sqlalchemy as sa

    from salon_cli.core.text import name_key
    from salon_cli.db import bulk
    from salon_cli.db.models import Client
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients.search import reindex_all

    names = Population(rng)
    created = datetime.combine(first_day, datetime.min.time(), timezone.utc) - timedelta(days=30)
    with UnitOfWork(engine) as uow:
        s = uow.session
        for start in range(0, count, 5000):
            rows = []
            for n in range(start, min(count, start + 5000)):
                first, last = names.name()
                birthday = (date(1950, 1, 1) + timedelta(days=rng.randrange(0, 55 * 365))
                            if rng.random() < 0.8 else None)
                rows.append({"first_name": first, "last_name": last, "name_key": name_key(first, last),
                             "phone": f"+52155{n:08d}", "phone_raw": f"55 {n:08d}",
                             "email": f"client{n}@example.com" if rng.random() < 0.66 else None,
                             "birthday": birthday, "marketing_consent": rng.random() < 0.4,
                             "home_location_id": rng.choice(places).id, "created_at": created})
            bulk.insert_many(s, Client, rows)
        low, high = s.execute(sa.select(sa.func.min(Client.id), sa.func.max(Client.id))).one()
        reindex_all(s)
        bulk.analyze(s, count, Client)
        uow.commit()
    return int(low), int(high)


def _day_weights(first_day: date, days: int) -> list[float]:
    return [MONTH_WEIGHT[d.month] * WEEKDAY_WEIGHT[d.weekday()]
            for d in (first_day + timedelta(days=k) for k in range(days))]


def visits(rng: random.Random, place: Place, first_day: date, days: int,
           cumulative: list[float]) -> Iterator[tuple[date, int, int, tuple[int, str, int, int]]]:
    """(day, quarter hour, stylist, service) of each of one client's visits over the history."""
    per_year = 1.0 if rng.random() < 0.2 else min(24.0, rng.lognormvariate(math.log(4.0), 0.6))
    count = max(1, _poisson(rng, per_year * days / 365))
    favourite = rng.choice(place.staff)
    usual = rng.choices(place.services, weights=SERVICE_WEIGHTS)[0]
    for day_index in sorted(rng.choices(range(days), cum_weights=cumulative, k=count)):
        stylist = favourite if rng.random() < 0.7 else rng.choice(place.staff)
        service = usual if rng.random() < 0.6 else rng.choices(place.services, weights=SERVICE_WEIGHTS)[0]
        yield first_day + timedelta(days=day_index), rng.randrange(SLOTS), stylist, service


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Book:
    """Which quarter hours each stylist has taken, by day: one client at a time."""

    def __init__(self) -> None:
        self.taken: dict[tuple[int, date], bytearray] = {}

    def place(self, stylist: int, day: date, quarter: int, minutes: int) -> int | None:
        slots = self.taken.setdefault((stylist, day), bytearray(SLOTS + 16))
        need = max(1, math.ceil(minutes / 15))
        for start in range(quarter, SLOTS):
            if not any(slots[start:start + need]):
                slots[start:start + need] = b"\x01" * need
                return start
        return None


def history(engine: Any, rng: random.Random, places: list[Place], ids: tuple[int, int], years: int, today: date,
            owner_id: int) -> dict[str, int]:
    import sqlalchemy as sa
    from sqlmodel import col, select

    from salon_cli.db import bulk
    from salon_cli.db.models import Appointment, AppointmentItem, Client, Payment, Penalty, Refund, Sale, SaleLine
    from salon_cli.db.uow import UnitOfWork

    days = years * 365
    first_day = today - timedelta(days=days)
    weights = _day_weights(first_day, days)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    with UnitOfWork(engine, write=False) as uow:
        home = dict(uow.session.exec(select(col(Client.id), col(Client.home_location_id))).all())
    by_id = {p.id: p for p in places}
    books = {p.id: Book() for p in places}
    ids_of = Counters()
    written = dict.fromkeys(("appointments", "sales", "payments", "tips", "refunds", "no_shows", "future"), 0)
    now = datetime.combine(today, datetime.min.time(), ZONE).astimezone(timezone.utc) + timedelta(hours=2)
    for start in range(ids[0], ids[1] + 1, CHUNK):
        rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("appt", "item", "sale", "line", "pay", "refund", "pen")}
        for client_id in range(start, min(ids[1] + 1, start + CHUNK)):
            place = by_id[home.get(client_id) or places[0].id]
            for day, quarter, stylist, service in visits(rng, place, first_day, days, cumulative):
                _visit(rng, rows, ids_of, written, place, books[place.id], client_id, day, quarter, stylist, service,
                       owner_id)
            if rng.random() < 1 / 12:  # booked ahead
                day = today + timedelta(days=rng.randint(1, 30))
                _visit(rng, rows, ids_of, written, place, books[place.id], client_id, day, rng.randrange(SLOTS),
                       rng.choice(place.staff), rng.choices(place.services, weights=SERVICE_WEIGHTS)[0], owner_id,
                       future=now)
        with UnitOfWork(engine) as uow:
            s = uow.session
            for model, key in ((Appointment, "appt"), (AppointmentItem, "item"), (Penalty, "pen"), (Sale, "sale"),
                               (SaleLine, "line"), (Payment, "pay"), (Refund, "refund")):
                bulk.insert_many(s, model, rows[key])
            uow.commit()
    with UnitOfWork(engine) as uow:
        s = uow.session
        if s.get_bind().dialect.name == "postgresql":
            for table in ("appointment", "appointment_item", "penalty", "sale", "sale_line", "payment", "refund"):
                s.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"coalesce((SELECT max(id) FROM {table}), 1))"))
        bulk.analyze(s, written["appointments"], Appointment, AppointmentItem, Sale, SaleLine, Payment, Refund, Penalty)
        uow.commit()
    return written


def _visit(rng: random.Random, rows: dict[str, list[dict[str, Any]]], ids: Counters, written: dict[str, int],
           place: Place, book: Book, client_id: int, day: date, quarter: int, stylist: int,
           service: tuple[int, str, int, int], owner_id: int, future: datetime | None = None) -> None:
    service_id, _, minutes, cents = service
    slot = book.place(stylist, day, quarter, minutes)
    if slot is None:
        return
    starts = utc(day, slot)
    ends = starts + timedelta(minutes=minutes)
    booked_at = future if future is not None else starts - timedelta(days=rng.randint(0, 21), hours=rng.randint(0, 8))
    appt_id = ids.next("appointment")
    roll = rng.random()
    status = ("booked" if future is not None else "no_show" if roll < place.no_show_rate
              else "cancelled" if roll < place.no_show_rate + 0.05
              else "late_cancelled" if roll < place.no_show_rate + 0.065 else "completed")
    appt = {"id": appt_id, "location_id": place.id, "client_id": client_id, "staff_id": stylist,
            "service_id": service_id, "starts_at": starts, "ends_at": ends, "status": status, "price_cents": cents,
            "created_at": min(booked_at, starts), "created_by_id": owner_id, "checked_in_at": None,
            "completed_at": None, "cancelled_at": None, "no_show_at": None}
    written["appointments"] += 1
    if status == "booked":
        written["future"] += 1
    elif status == "completed":
        appt["checked_in_at"], appt["completed_at"] = starts - timedelta(minutes=rng.randint(0, 10)), ends
        _sale(rng, rows, ids, written, place, client_id, appt_id, day, service, stylist, ends, owner_id)
    elif status == "no_show":
        appt["no_show_at"] = starts + timedelta(minutes=20)
        written["no_shows"] += 1
        penalty_status = rng.choices(("pending", "paid", "waived"), weights=(5, 3, 2))[0]
        rows["pen"].append({"id": ids.next("penalty"), "location_id": place.id, "appointment_id": appt_id,
                            "client_id": client_id, "kind": "no_show", "amount_cents": cents // 2,
                            "status": penalty_status, "reason": f"no-show: {day.isoformat()}",
                            "created_at": starts + timedelta(minutes=20), "created_by_id": None,
                            "waived_at": starts + timedelta(days=1) if penalty_status == "waived" else None,
                            "waived_by_id": owner_id if penalty_status == "waived" else None,
                            "waive_reason": "first time" if penalty_status == "waived" else None})
    else:
        appt["cancelled_at"] = starts - timedelta(hours=rng.randint(1, 6) if status == "late_cancelled" else 48)
    rows["appt"].append(appt)
    rows["item"].append({"id": appt_id, "appointment_id": appt_id, "position": 0, "service_id": service_id,
                         "staff_id": stylist, "duration_min": minutes, "price_cents": cents})


def _sale(rng: random.Random, rows: dict[str, list[dict[str, Any]]], ids: Counters, written: dict[str, int],
          place: Place, client_id: int, appt_id: int, day: date, service: tuple[int, str, int, int], stylist: int,
          paid_at: datetime, owner_id: int) -> None:
    service_id, code, _, cents = service
    card = rng.random() < 2 / 3
    tip = 0
    if rng.random() < (0.5 if card else 0.33):
        tip = round(cents * rng.uniform(0.10, 0.20) / 100) * 100
    refund = 0
    if rng.random() < 0.01:
        refund = cents if rng.random() < 0.5 else cents // 2
    sale_id, payment_id = ids.next("sale"), ids.next("payment")
    status = "paid" if refund == 0 else "refunded" if refund == cents else "partially_refunded"
    rows["sale"].append({"id": sale_id, "location_id": place.id, "client_id": client_id, "appointment_id": appt_id,
                         "status": status, "business_date": day, "taxes": [], "subtotal_cents": cents,
                         "total_cents": cents, "tip_cents": tip, "paid_cents": cents, "refunded_cents": refund,
                         "created_at": paid_at, "created_by_id": owner_id, "paid_at": paid_at})
    rows["line"].append({"id": ids.next("line"), "sale_id": sale_id, "position": 0, "kind": "service",
                         "description": code, "quantity": 1, "unit_price_cents": cents, "gross_cents": cents,
                         "net_cents": cents, "total_cents": cents, "taxes": [], "service_id": service_id,
                         "staff_id": stylist})
    method = "card" if card else "cash"
    rows["pay"].append({"id": payment_id, "sale_id": sale_id, "location_id": place.id, "method": method,
                        "status": "succeeded", "amount_cents": cents, "tip_cents": tip,
                        "tendered_cents": None if card else cents + tip, "business_date": day,
                        "created_at": paid_at, "created_by_id": owner_id, "succeeded_at": paid_at})
    written["sales"] += 1
    written["payments"] += 1
    written["tips"] += tip > 0
    if refund:
        at = paid_at + timedelta(days=1)
        rows["refund"].append({"id": ids.next("refund"), "sale_id": sale_id, "payment_id": payment_id,
                               "location_id": place.id, "method": method, "status": "succeeded",
                               "amount_cents": refund, "reason": "client not happy", "business_date": day + timedelta(days=1),
                               "created_at": at, "created_by_id": owner_id, "succeeded_at": at})
        written["refunds"] += 1


def generate(url: str, *, clients_n: int, years: int, locations: int, seed: int, today: date,
             stylists: int = len(STYLISTS)) -> dict[str, Any]:
    from salon_cli.db.engine import make_engine

    rng = random.Random(seed)
    engine = make_engine(url)
    timings: dict[str, Any] = {}
    start = time.perf_counter()
    places, owner_id = setup(engine, locations, rng, stylists)
    timings["setup_s"] = time.perf_counter() - start
    start = time.perf_counter()
    ids = clients(engine, clients_n, rng, places, today - timedelta(days=years * 365))
    timings["clients_s"] = time.perf_counter() - start
    start = time.perf_counter()
    written = history(engine, rng, places, ids, years, today, owner_id)
    timings["history_s"] = time.perf_counter() - start
    engine.dispose()
    return {"clients": clients_n, "locations": locations, "years": years, "stylists": stylists,
            "no_show_rates": {p.code: round(p.no_show_rate, 4) for p in places}, **written, **timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--locations", type=int, default=1)
    parser.add_argument("--db", default="sqlite:///bench.db", help="a new SQLite file or an empty PostgreSQL database")
    parser.add_argument("--stylists", type=int, default=len(STYLISTS),
                        help="stylists per location (default 8; one holds about 1,250 clients' visits)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 21))
    args = parser.parse_args()
    if args.clients < 1 or args.years < 1 or args.locations < 1 or args.stylists < 1:
        parser.error("--clients, --years, --locations and --stylists must be at least 1")
    from salon_cli.core import clock

    clock.set_clock(clock.FixedClock(datetime.combine(args.today, datetime.min.time(), ZONE) + timedelta(hours=8)))
    figures = generate(args.db, clients_n=args.clients, years=args.years, locations=args.locations, seed=args.seed,
                       today=args.today, stylists=args.stylists)
    for key, value in figures.items():
        print(f"{key:>16}: {round(value, 2) if isinstance(value, float) else value}")


if __name__ == "__main__":
    main()
