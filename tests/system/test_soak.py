"""A soak: four desks (real OS processes) working the demo salon's Saturday while cron runs beside
them, on SQLite and PostgreSQL. At the end every rule of DESIGN.md holds (tests/invariants.py) and no
operation failed except with a documented exit code: 1 (refused by a rule: already checked in, the
cooldown, not enough points, the slot taken, the day closed) or 4 (a job already running).

Each desk does a bounded number of operations (check-in, checkout with split payment and tip, stamp,
redemption, walk-in), chosen by a seeded random generator; the cron process runs detect-no-shows,
expire-points, renew-memberships and send-reminders in a loop, and closes the day once every desk is
half-way through, while they are still selling: what comes after must be refused, and the closed
day's Z-report must not move. `pytest --soak` runs 400 operations per desk instead of 20.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select

from invariants import high_water, problems, tally
from salon_cli.core.days import business_date, day_bounds
from salon_cli.db.models import Appointment, AuditLog, Client, DayClose, Payment, Reward, Sale, Service, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import Actor

START_WAIT_S = 120  # a bound on every wait below, never a timing assertion
DOCUMENTED = {1, 4}
DESKS = 4

_WORKER = r"""
import json, random, sys, time, traceback
from datetime import datetime, timedelta
from pathlib import Path

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.db.engine import make_engine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, no_shows
from salon_cli.services.book import status as appt_status
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.closing import day_close
from salon_cli.services.loyalty import expiry as points_expiry
from salon_cli.services.loyalty import rewards as loyalty_rewards
from salon_cli.services.messages import reminders
from salon_cli.services.till import membership_fees
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

url, sync, tag, role, ops, seed = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
spec = json.loads(sys.argv[7])
desk, manager = Actor(**spec["desk"]), Actor(**spec["manager"])
location = LocationView(**spec["location"])
start, step = datetime.fromisoformat(spec["start"]), timedelta(seconds=spec["step_s"])
fixed = clock.FixedClock(start)
clock.set_clock(fixed)
rng = random.Random(seed)
engine = make_engine(url)
with engine.connect():
    pass
(sync / f"ready-{tag}").touch()
deadline = time.monotonic() + 120
while not (sync / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.002)

walk_ins = []


def in_unit(work):
    with UnitOfWork(engine) as uow:
        done = work(uow.session)
        uow.commit()
    return done


def check_in():
    appt = rng.choice(spec["appointments"] + walk_ins)
    in_unit(lambda s: appt_status.check_in(s, actor=desk, location=location, appointment_id=appt))


def pay():
    appt = rng.choice(spec["appointments"] + walk_ins)
    tenders = ([checkout.Tender("card", None)] if rng.random() < 0.5
               else [checkout.Tender("card", 10000), checkout.Tender("cash", None)])
    checkout.checkout(engine, actor=desk, location=location, appointment_id=appt, tenders=tenders,
                      tip_cents=rng.choice((0, 0, 2000, 5000)))


def stamp():
    client = rng.choice(spec["clients"])
    in_unit(lambda s: loyalty_rewards.stamp(s, actor=desk, location=location, client_id=client))


def redeem():
    client, reward = rng.choice(spec["clients"]), rng.choice(spec["rewards"])
    in_unit(lambda s: loyalty_rewards.redeem(s, actor=desk, location=location, client_id=client, reward_id=reward))


def walk_in():
    client, service, stylist = rng.choice(spec["clients"]), rng.choice(spec["services"]), rng.choice(spec["staff"])
    # the book is full this morning: the desk finds a slot this afternoon (some are taken by then)
    later = start.replace(minute=0) + timedelta(hours=rng.randint(2, 7), minutes=rng.choice((0, 15, 30, 45)))
    done = in_unit(lambda s: appointments.book_appointment(s, actor=desk, location=location, client_id=client,
                                                           services=[service], staff=stylist, at=later))
    walk_ins.append(done.appointments[0].id)


def close():
    day = datetime.fromisoformat(spec["day"]).date()
    # before the closing hour, over the visits still booked (the guard, issue 28): a manager's note, early
    in_unit(lambda s: day_close.close(s, actor=manager, location=location, day=day, counted_cents=500000,
                                      note="counted by the soak's manager", early=True))


DESK_OPS = [("check_in", check_in)] * 3 + [("checkout", pay)] * 3 + [("stamp", stamp)] * 2 + [
    ("redeem", redeem), ("walk_in", walk_in)]
CRON_OPS = [("detect-no-shows", lambda: no_shows.detect(engine, location=location)),
            ("expire-points", lambda: points_expiry.expire(engine)),
            ("renew-memberships", lambda: membership_fees.renew(engine)),
            ("send-reminders", lambda: reminders.run(engine, location=location, channels={}))]

results = []
closed = False
for i in range(ops):
    fixed.set(start + i * step)
    if role == "cron":
        # the manager closes the day once every desk is half-way through, while they are still selling
        halfway = len(list(sync.glob("half-*"))) == spec["desks"]
        todo = [("close-day", close)] if not closed and (halfway or i == ops - 1) else []
        closed = closed or bool(todo)
        todo += CRON_OPS
    else:
        if i == ops // 2:
            (sync / f"half-{tag}").touch()
        todo = [rng.choice(DESK_OPS)]
    for name, op in todo:
        try:
            op()
            results.append({"op": name, "ok": True, "at": clock.now().isoformat()})
        except SalonError as exc:
            results.append({"op": name, "ok": False, "error": type(exc).__name__, "code": exc.exit_code,
                            "message": exc.message, "at": clock.now().isoformat()})
engine.dispose()
print(json.dumps(results))
"""


@pytest.fixture
def soak_ops(request) -> int:
    return 400 if request.config.getoption("--soak") else 20


def _actor(row: Staff) -> dict:
    return asdict(Actor(id=row.id, code=row.code, name=row.name, role=row.role, verified=True))


def _spec(engine, clock) -> dict:
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        day = business_date(clock.now(), loc.tz)
        start, end = day_bounds(day, loc.tz)
        people = {r.role: r for r in s.exec(select(Staff).order_by(col(Staff.id)))}
        stylists = [r.code for r in s.exec(select(Staff).where(Staff.role == "stylist"))]
        appts = s.exec(select(col(Appointment.id)).where(Appointment.location_id == loc.id,
                                                         col(Appointment.starts_at) >= start,
                                                         col(Appointment.starts_at) < end)).all()
        clients = s.exec(select(col(Client.id)).where(col(Client.merged_into_id).is_(None))).all()
        rewards = s.exec(select(col(Reward.id)).where(col(Reward.active))).all()
        services = s.exec(select(Service.code).where(col(Service.active))).all()
    assert appts and clients and rewards and services and stylists
    return {"desk": _actor(people["receptionist"]), "manager": _actor(people["manager"]),
            "location": {k: getattr(loc, k) for k in ("id", "code", "name", "timezone", "currency", "address", "phone",
                                                      "active", "stripe_reader_id")},
            "appointments": list(appts), "clients": list(clients), "rewards": list(rewards),
            "services": [c for c in services if c], "staff": stylists, "day": day.isoformat(),
            "start": clock.now().isoformat(), "step_s": 30, "desks": DESKS}


def _run(db_url: str, tmp_path, spec: dict, ops: int) -> list[dict]:
    sync = tmp_path / "sync"
    sync.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    env = {k: v for k, v in os.environ.items() if k != "SALON_NOW"}
    roles = [("cron", 0)] + [("desk", k + 1) for k in range(DESKS)]
    procs = [subprocess.Popen([sys.executable, str(script), db_url, str(sync), str(tag), role, str(ops), str(tag),
                               json.dumps(spec)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for role, tag in roles]
    deadline = time.monotonic() + START_WAIT_S
    while len(list(sync.glob("ready-*"))) < len(procs):
        assert time.monotonic() < deadline, [p.communicate()[1] for p in procs if p.poll() is not None]
        time.sleep(0.02)
    (sync / "go").touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=max(600, ops * 10))
        assert proc.returncode == 0, err[-3000:]
        results += json.loads(out.strip().splitlines()[-1])
    return results


@pytest.mark.slow
def test_four_desks_and_cron_at_once_keep_every_rule(db_url, tmp_path, clock, soak_ops):
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.services.demo.build import build_demo

    engine = make_engine(db_url)
    migrate.upgrade(engine)
    build_demo(engine, clients=30, days=7)
    spec = _spec(engine, clock)
    before = high_water(engine)
    engine.dispose()

    results = _run(db_url, tmp_path, spec, soak_ops)

    failed = [r for r in results if not r["ok"] and r["code"] not in DOCUMENTED]
    assert not failed, failed[:5]
    counts = tally(results)
    print("\nsoak:", sorted(counts.items()))
    for reason in sorted({(r["op"], r["message"]) for r in results if not r["ok"]}):
        print("  refused:", *reason)
    # the desks did real work of every kind, and cron ran
    for op in ("check_in", "checkout", "stamp", "walk_in", "close-day", "detect-no-shows", "expire-points"):
        assert counts[(op, "ok")] > 0, (op, counts)
    assert problems(engine, since=before) == []
    # nothing was written into the day once it was closed (each process has its own clock, so the order
    # is the audit log's: a sale's or payment's row of that day never comes after the close's)
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        (closed,) = s.exec(select(DayClose).where(DayClose.business_date == date.fromisoformat(spec["day"]))).all()
        close_row = s.exec(select(func.min(AuditLog.id)).where(AuditLog.entity == "day_close",
                                                              AuditLog.entity_id == closed.id)).one()
        day_sales = select(col(Sale.id)).where(Sale.business_date == closed.business_date)
        day_payments = select(col(Payment.id)).where(Payment.business_date == closed.business_date)
        after = s.exec(select(AuditLog.action, AuditLog.entity_id).where(
            col(AuditLog.id) > close_row,
            sa.or_(sa.and_(AuditLog.entity == "sale", col(AuditLog.entity_id).in_(day_sales)),
                   sa.and_(AuditLog.entity == "payment", col(AuditLog.entity_id).in_(day_payments))))).all()
    assert close_row is not None and after == []
    # in the long run the desks go on long after the close: what they tried in that day was refused
    refused = [r for r in results if not r["ok"] and f"business day {spec['day']}" in r["message"]]
    assert soak_ops < 100 or refused, counts
    engine.dispose()


def test_the_checks_see_a_broken_rule(engine, salon, clock):
    """The invariants are not vacuous: a sale whose figures disagree with its lines is reported."""
    from shop import make_shop

    shop = make_shop(engine)
    from salon_cli.services.till import sales, tickets

    with UnitOfWork(engine) as uow:
        sale = tickets.open_sale(uow.session, actor=shop.marco, location=shop.loc, client_id=shop.ximena)
        sales.add_service(uow.session, actor=shop.marco, location=shop.loc, sale_id=sale.id, service="corte")
        uow.commit()
    assert problems(engine) == []
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Sale, sale.id)
        row.total_cents += 1
        uow.session.add(row)
        uow.commit()
    assert problems(engine) == [f"sale {sale.id} (open): total, paid, tip, refunded are (35001, 0, 0, 0); "
                                "its rows sum to (35000, 0, 0, 0)"]
