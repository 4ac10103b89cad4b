"""Business days and the frozen day (DESIGN.md rule 4): the ONE check every money change goes through.

A day is closed while a `day_close` row with status `closed` exists for the location and date
(`salon close-day` writes it; `salon reopen-day` turns it into a revision). Sales, payments, refunds,
gift cards and penalties paid at the desk call `ensure_open` for the day they would land on; expenses
and drawer movements (the close-day issue) call it too. Money that Stripe confirms late (a webhook, a
sync, a refund settled days after it was asked) lands on the day it is received, or the next open day
after it when that day is closed too (`landing_day`), never on a closed one.

A write and a close of the same day never interleave. On SQLite every writing transaction holds the
database's write lock from its first statement (`BEGIN IMMEDIATE`). On PostgreSQL a write takes a
shared advisory lock on (location, day) before it checks the day, and `salon close-day` takes the
exclusive one before it reads the figures: a close waits for the writes already past their check, and
a write that comes after waits for the close and then sees the day closed.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import DayClose
from salon_cli.services.salon.locations import LocationView


def today(location: LocationView) -> date:
    """The location's business date now, in its own zone."""
    return business_date(clock.now(), location.tz)


def _day_key(location_id: int, day: date) -> int:
    digest = hashlib.blake2b(f"salon:day:{location_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock(session: Session, location_id: int, day: date, *, exclusive: bool) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the writing transaction already holds the database's write lock
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(sa.text(f"SELECT {fn}(:k)"), {"k": _day_key(location_id, day)})


def lock_for_close(session: Session, location_id: int, day: date) -> None:
    """Wait until no transaction is writing into the day, and keep new ones out until this one ends."""
    _lock(session, location_id, day, exclusive=True)


def is_closed(session: Session, location_id: int, day: date) -> bool:
    query = select(sa.func.count()).select_from(DayClose).where(
        DayClose.location_id == location_id, DayClose.business_date == day, col(DayClose.status) == "closed")
    return bool(session.exec(query).one())


def ensure_open(session: Session, location: LocationView, day: date, doing: str) -> None:
    """Refuse (exit 1) a change dated in a closed business day, saying what was refused."""
    _lock(session, location.id, day, exclusive=False)
    if is_closed(session, location.id, day):
        raise RuleViolation(
            f"business day {day.isoformat()} at {location.code} is closed: {doing} is refused",
            hint=f"a manager can re-open it: salon reopen-day --date {day.isoformat()} --reason ...",
        )


def ensure_today_open(session: Session, location: LocationView, doing: str) -> date:
    """`ensure_open` for today; returns today's business date."""
    day = today(location)
    ensure_open(session, location, day, doing)
    return day


def landing_day(session: Session, location: LocationView, when: datetime | None = None) -> date:
    """The business day a late confirmation (webhook, sync) is booked on: the day it is received,
    or the first open day after it."""
    day = business_date(when or clock.now(), location.tz)
    closed = set(session.exec(select(DayClose.business_date).where(
        DayClose.location_id == location.id, col(DayClose.status) == "closed",
        col(DayClose.business_date) >= day)).all())
    while True:
        while day in closed:
            day += timedelta(days=1)
        _lock(session, location.id, day, exclusive=False)
        if not is_closed(session, location.id, day):  # a close that finished while we waited
            return day
        closed.add(day)
