"""Who is offered a freed slot first: the first offer of the next free slot is a priority-booking benefit.

A slot is freed by a cancel, a late cancel or a no-show (the appointment's own time and stylist) or by a
move (the time and stylist it had before its last move, as the audit log keeps them). What is offered is
what is still free of it: from now at the earliest (a no-show's slot has begun), and the longest stretch
that no live appointment of the stylist has taken since. The waiting entries that fit it
(`book.waitlist.matching`, the appointment's own client left out) are offered in order: clients with
priority booking (`benefits.priority`) first, then by when they joined the waitlist (created_at, id).

Read only: nothing here changes the waitlist; the desk books the client it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import NotFound, RuleViolation
from salon_cli.db.models import Appointment, AuditLog, Staff
from salon_cli.services.benefits.priority import has_priority
from salon_cli.services.book import waitlist
from salon_cli.services.book.views import OCCUPYING
from salon_cli.services.salon.locations import LocationView

FREEING = ("cancelled", "late_cancelled", "no_show")


@dataclass(frozen=True)
class FreedSlot:
    appointment_id: int
    how: str  # cancelled | late_cancelled | no_show | moved
    staff_id: int
    staff: str
    starts_at: datetime  # the slot as the appointment left it (UTC)
    ends_at: datetime
    free_from: datetime  # what is still free of it (UTC): empty when free_to == free_from
    free_to: datetime

    @property
    def minutes(self) -> int:
        """How long what is still free of it lasts."""
        return max(0, int((self.free_to - self.free_from).total_seconds() // 60))


@dataclass(frozen=True)
class Offer:
    position: int  # 1 is offered first
    entry_id: int
    client_id: int
    client: str
    phone: str | None
    priority: bool
    service: str
    service_name: str
    duration_min: int
    staff: str | None  # the stylist the client waits for; None: any
    from_date: date
    to_date: date
    note: str | None
    joined_at: datetime


def _left_by_move(session: Session, appt: Appointment) -> tuple[datetime, datetime, int] | None:
    row = session.exec(select(AuditLog).where(
        AuditLog.entity == "appointment", AuditLog.entity_id == appt.id, AuditLog.action == "appointment.move",
    ).order_by(col(AuditLog.id).desc())).first()
    before = (row.before or {}) if row is not None else {}
    try:
        return (datetime.fromisoformat(before["starts_at"]), datetime.fromisoformat(before["ends_at"]),
                int(before["staff_id"]))
    except (KeyError, TypeError, ValueError):
        return None


def _still_free(session: Session, staff_id: int, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The longest stretch of [start, end) that no live appointment of the stylist holds."""
    busy = sorted((a.starts_at, a.ends_at) for a in session.exec(select(Appointment).where(
        Appointment.staff_id == staff_id, col(Appointment.status).in_(OCCUPYING),
        col(Appointment.starts_at) < end, col(Appointment.ends_at) > start)))
    best, at = (start, start), start
    for taken_from, taken_to in busy + [(end, end)]:
        if taken_from > at and taken_from - at > best[1] - best[0]:
            best = (at, min(taken_from, end))
        at = max(at, taken_to)
    return best


def freed_slot(session: Session, location: LocationView, appointment_id: int) -> FreedSlot:
    """The slot an appointment left: cancelled, a no-show or moved."""
    appt = session.get(Appointment, appointment_id)
    if appt is None or appt.location_id != location.id:
        raise NotFound(f"no appointment {appointment_id} at {location.code}", hint="see: salon appt list")
    moved = _left_by_move(session, appt) if appt.status not in FREEING else None
    if appt.status in FREEING:
        start, end, staff_id, how = appt.starts_at, appt.ends_at, appt.staff_id, appt.status
    elif moved is not None:
        (start, end, staff_id), how = moved, "moved"
    else:
        raise RuleViolation(f"appointment {appointment_id} is {appt.status.replace('_', ' ')} and was never moved: "
                            "it left no slot free", hint="offers follow a cancel, a no-show or a move")
    free_from = max(start, clock.now())
    free_from, free_to = _still_free(session, staff_id, free_from, end) if end > free_from else (free_from, free_from)
    member = session.get(Staff, staff_id)
    return FreedSlot(appointment_id=appointment_id, how=how, staff_id=staff_id, staff=member.code if member else "",
                     starts_at=start, ends_at=end, free_from=free_from, free_to=free_to)


def order(session: Session, entries: list[waitlist.WaitlistView]) -> list[Offer]:
    """The entries as offers: priority first, then by when they joined."""
    marked = [(e, has_priority(session, e.client_id)) for e in entries]
    marked.sort(key=lambda pair: (not pair[1], pair[0].created_at, pair[0].id))
    return [Offer(position=n, entry_id=e.id, client_id=e.client_id, client=e.client, phone=e.phone, priority=p,
                  service=e.service, service_name=e.service_name, duration_min=e.duration_min, staff=e.staff,
                  from_date=e.from_date, to_date=e.to_date, note=e.note, joined_at=e.created_at)
            for n, (e, p) in enumerate(marked, start=1)]


def offers(session: Session, location: LocationView, appointment_id: int) -> tuple[FreedSlot, list[Offer]]:
    """The slot an appointment left and its offers, in the order they are made."""
    slot = freed_slot(session, location, appointment_id)
    if slot.minutes <= 0:
        return slot, []
    client_id = session.get(Appointment, appointment_id).client_id  # type: ignore[union-attr]
    fits = [e for e in waitlist.matching(session, location, slot.free_from, slot.free_to, slot.staff_id)
            if e.client_id != client_id]
    return slot, order(session, fits)


def waiting_summary(offers: list[Offer]) -> str | None:
    """The desk's one line about a freed slot's offers (the command line and the dashboard say it
    alike), or None when nobody waits for it."""
    if not offers:
        return None
    first = offers[0]
    return f"waitlist: {len(offers)} waiting for this slot; first: {first.client}{' (priority)' if first.priority else ''}"
