"""The front desk's board for one day: each appointment's state in the desk's words, who is waiting,
and each stylist's next free slot. A read model for the dashboard's Today screen (no writes).

States: `booked`, `late` (booked, its start plus the no-show grace has passed and it is not yet marked),
`here` (checked in, waiting), `in chair`, `done`, `no-show`, `cancelled`, `late cancel`.
The next free slot of a stylist is the first quarter hour from now (today only) at which they have
`SLOT_MINUTES` clear of live appointments (booked, late, here, in chair) before `CLOSING`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.services.book import views as book
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

WORDS = {"booked": "booked", "checked_in": "here", "in_service": "in chair", "completed": "done",
         "no_show": "no-show", "cancelled": "cancelled", "late_cancelled": "late cancel"}
LIVE = ("booked", "checked_in", "in_service")
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


def next_free(rows: list[AppointmentView], now: datetime, tz: object, *, minutes: int = SLOT_MINUTES) -> datetime | None:
    """The first quarter hour from `now` with `minutes` clear of `rows` (one stylist's), before closing."""
    local = now.astimezone(tz)  # type: ignore[arg-type]
    start = local.replace(second=0, microsecond=0) + timedelta(minutes=(-local.minute) % 15)
    closing = datetime.combine(local.date(), CLOSING, tzinfo=local.tzinfo)
    busy = sorted((r.starts_at, r.ends_at) for r in rows if r.status in LIVE)
    slot = start.astimezone(timezone.utc)
    need = timedelta(minutes=minutes)
    while slot + need <= closing.astimezone(timezone.utc):
        clash = next((end for begin, end in busy if begin < slot + need and end > slot), None)
        if clash is None:
            return slot
        slot = max(slot + timedelta(minutes=15), clash)
    return None


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
        stylists = [s.code for s in staff_service.list_staff(session) if s.role == "stylist"
                    and s.location_id in (None, location.id)]
        for code in sorted(set(stylists) | {a.staff for a in appts if a.status in LIVE}):
            free[code] = next_free([a for a in appts if a.staff == code], now, location.tz)
    return Board(location=location, day=day, today=today, now=now, rows=rows, waiting=waiting, next_free=free)
