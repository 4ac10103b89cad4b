"""detect-no-shows reads through `ix_appointment_location_status_starts`, never the whole table (SQLite).

The statements are the very ones `no_shows.due` and `no_shows.stale` send (captured as they run),
explained with the same parameters: a SEARCH on the index, no SCAN of `appointment` -- on a fresh
database and after ANALYZE has given the planner statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.db.models import Appointment, AppointmentItem, Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, locations, staff
from salon_cli.services.book import no_shows
from salon_cli.services.salon.actors import Actor

INDEX = "ix_appointment_location_status_starts"
AS_OF = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)  # 21:00 in Mexico City, after closing
GRACE, LOOKBACK = timedelta(minutes=15), timedelta(hours=12)
STATUSES = ("completed",) * 14 + ("cancelled", "late_cancelled", "no_show")


@pytest.fixture
def db_url(sqlite_url) -> str:
    """SQLite only: the plans are SQLite's (PostgreSQL's is printed by benchmarks/detect_no_shows.py)."""
    return sqlite_url


@pytest.fixture
def book(engine, salon, clock):
    """A few hundred appointments over two months: history, today's due ones, stale ones, ahead."""
    owner = Actor(id=salon.owner.id, code="lucia", name="Lucía", role="owner", verified=True)
    with UnitOfWork(engine) as uow:
        s = uow.session
        location = locations.resolve(s, None)
        service = catalog.add_service(s, actor=owner, location=location, name="Corte", duration_min=30,
                                      price_cents=280_00, code="corte")
        stylist = staff.add(s, actor=owner, location=location, name="Ana", code="ana", role="stylist", pin="4444")
        s.execute(sa.insert(Client), [{"first_name": f"Cliente {n}", "created_at": AS_OF - timedelta(days=400)}
                                      for n in range(40)])
        client_ids = s.execute(sa.select(Client.id)).scalars().all()
        rows = []
        for n in range(360):  # 60 days back, six a day
            starts = AS_OF - timedelta(days=60 - n // 6, hours=10) + timedelta(hours=n % 6)
            rows.append((starts, STATUSES[n % len(STATUSES)]))
        rows += [(AS_OF - GRACE - timedelta(minutes=40 * n), "booked") for n in range(12)]  # due
        rows += [(AS_OF - timedelta(days=3 + n), "booked") for n in range(5)]  # stale
        rows += [(AS_OF + timedelta(days=1 + n // 6, hours=n % 6 - 12), "booked") for n in range(60)]  # ahead
        s.execute(sa.insert(Appointment), [
            {"location_id": location.id, "client_id": client_ids[n % len(client_ids)], "staff_id": stylist.id,
             "service_id": service.id, "starts_at": starts, "ends_at": starts + timedelta(minutes=30),
             "status": status, "price_cents": service.price_cents, "created_at": starts - timedelta(days=7)}
            for n, (starts, status) in enumerate(rows)])
        s.execute(sa.insert(AppointmentItem).from_select(
            ["appointment_id", "position", "service_id", "staff_id", "duration_min", "price_cents"],
            sa.select(Appointment.id, sa.literal(0), Appointment.service_id, Appointment.staff_id, sa.literal(30),
                      Appointment.price_cents)))
        uow.commit()
    return location


@contextmanager
def captured(engine) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)


def _plans(engine, location) -> dict[str, list[list[str]]]:
    """{query: [plan lines of each statement it sent]}, and checks the queries found what the book holds."""
    plans: dict[str, list[list[str]]] = {}
    with Session(engine) as session:
        with captured(engine) as due_sql:
            due = no_shows.due(session, location, AS_OF, GRACE, LOOKBACK, lock=True)  # as the real run reads
        with captured(engine) as stale_sql:
            stale_count, stale_ids = no_shows.stale(session, location, AS_OF, LOOKBACK)
        assert len(due) == 12 and stale_count == len(stale_ids) == 5
        conn = session.connection()
        for name, seen in (("due", due_sql), ("stale", stale_sql)):
            plans[name] = [[row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
                           for statement, params in seen]
    return plans


@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh", "after-analyze"])
def test_due_and_stale_search_the_index(engine, book, analyzed):
    if analyzed:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    plans = _plans(engine, book)
    assert len(plans["due"]) == 1 and len(plans["stale"]) == 2  # the window; the stale count and ids
    for name, statements in plans.items():
        for lines in statements:
            assert any(line.startswith("SEARCH appointment USING") and f"INDEX {INDEX} (" in line for line in lines), \
                (name, lines)
            assert not any(line.startswith("SCAN appointment") for line in lines), (name, lines)
    # the due query's window is a range on the index: location and status equal, starts_at bounded both ways
    assert any("location_id=? AND status=? AND starts_at>? AND starts_at<?" in line for line in plans["due"][0])
    # and its order (starts_at, id) comes from the index: no sorting step
    assert not any("TEMP B-TREE" in line for line in plans["due"][0]), plans["due"][0]
