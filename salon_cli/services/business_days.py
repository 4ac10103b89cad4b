"""Business days and the frozen day (DESIGN.md rule 4): the ONE check every money change goes through.

A day is closed while a `day_close` row with status `closed` exists for the location and date
(`salon close-day` writes it; `salon reopen-day` turns it into a revision). Sales, payments, refunds,
gift cards and penalties paid at the desk call `ensure_open` for the day they would land on; expenses
and drawer movements (the close-day issue) call it too. Money that Stripe confirms late (a webhook, a
sync, a refund settled days after it was asked) lands on the day it is received, or the next open day
after it when that day is closed too (`landing_day`), never on a closed one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import DayClose
from salon_cli.services.locations import LocationView


def today(location: LocationView) -> date:
    """The location's business date now, in its own zone."""
    return business_date(clock.now(), location.tz)


def is_closed(session: Session, location_id: int, day: date) -> bool:
    query = select(sa.func.count()).select_from(DayClose).where(
        DayClose.location_id == location_id, DayClose.business_date == day, col(DayClose.status) == "closed")
    return bool(session.exec(query).one())


def ensure_open(session: Session, location: LocationView, day: date, doing: str) -> None:
    """Refuse (exit 1) a change dated in a closed business day, saying what was refused."""
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
    while day in closed:
        day += timedelta(days=1)
    return day
