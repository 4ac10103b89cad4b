"""The front desk's board for one day: each appointment's state in the desk's words, who is waiting,
and each stylist's next free slot. A read model for the dashboard's Today screen (no writes).

States: `booked`, `late` (booked, its start plus the no-show grace has passed and it is not yet marked),
`here` (checked in, waiting), `in chair`, `done`, `no-show`, `cancelled`, `late cancel`.
The next free slot of a stylist is the first slot of the policy's grid from now (today only), inside
their working hours (`salon.hours`, as `book.slots` reads them), at which they have `SLOT_MINUTES`
clear of live appointments (booked, late, here, in chair). Without hours (`spans` None) the day ends
at `CLOSING`.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.services.book import views as book
from salon_cli.services.book.slots import LIVE, fits, span_bounds
from salon_cli.services.salon import hours
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.hours import Span
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

WORDS = {"booked": "booked", "checked_in": "here", "in_service": "in chair", "completed": "done",
         "no_show": "no-show", "cancelled": "cancelled", "late_cancelled": "late cancel"}
SLOT_MINUTES = 30
CLOSING = time(20, 0)


@dataclass(frozen=True)
class BoardRow:
    appointment: AppointmentView
    state: str  # one of WORDS' values, or "late"


@dataclass(frozen=True)
class Board:
    location: LocationView
    day: date
    today: date
    now: datetime
    rows: list[BoardRow]
    waiting: list[BoardRow]  # checked in, not yet in the chair, longest waiting first
    next_free: dict[str, datetime | None]  # stylist code -> next free slot (today only)


def state_of(appt: AppointmentView, now: datetime, grace: timedelta) -> str:
    if appt.status == "booked" and appt.starts_at + grace <= now:
        return "late"
    return WORDS.get(appt.status, appt.status)


def next_free(rows: list[AppointmentView], now: datetime, tz: object, *, minutes: int = SLOT_MINUTES,
              spans: Sequence[Span] | None = None, slot_min: int = 15) -> datetime | None:
    """The first slot from `now` with `minutes` clear of `rows` (one stylist's), inside `spans` (their
    working hours today; None: until `CLOSING`)."""
    local = now.astimezone(tz)  # type: ignore[arg-type]
    zone = local.tzinfo
    assert zone is not None
    day = local.date()
    bounds = [span_bounds(day, s, zone) for s in (spans if spans is not None else (Span(time(0), CLOSING),))]
    busy = [(r.starts_at, r.ends_at) for r in rows if r.status in LIVE]
    return next(fits(bounds, busy, minutes=minutes, after=now, tz=zone, slot_min=slot_min), None)


def board(session: Session, *, location: LocationView, day: date | None = None) -> Board:
    now = clock.now()
    today = business_date(now, location.tz)
    day = day or today
    grace = timedelta(minutes=policy_row(session, location).no_show_grace_min)
    appts = book.appointments(session, location=location, start=day)
    rows = [BoardRow(a, state_of(a, now, grace)) for a in appts]
    waiting = sorted((r for r in rows if r.appointment.status == "checked_in"),
                     key=lambda r: r.appointment.checked_in_at or r.appointment.starts_at)
    free: dict[str, datetime | None] = {}
    if day == today:
        plan = hours.day_plan(session, location, day)
        spans = {sd.code: sd.spans for sd in plan.staff}
        for code in sorted(set(spans) | {a.staff for a in appts if a.status in LIVE}):
            if code not in spans:  # someone booked who does not take appointments by the plan
                spans[code] = hours.working_spans(session, location, staff_service.find(session, code).id or 0, day)
            free[code] = next_free([a for a in appts if a.staff == code], now, location.tz, spans=spans[code],
                                   slot_min=plan.slot_min)
    return Board(location=location, day=day, today=today, now=now, rows=rows, waiting=waiting, next_free=free)
