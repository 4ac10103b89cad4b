"""Time off: days a staff member does not work (a holiday, sick leave, a course), first to last day
inclusive, with a reason. The book refuses them those days (`book.appointments`), the dashboard shades
them (`salon.hours.day_plan`). Adding and cancelling need a manager and are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Appointment, Staff, TimeOff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.staff import find

REASON_MAX = 120
MAX_DAYS = 366
_LIVE = ("booked", "checked_in", "in_service")


@dataclass(frozen=True)
class TimeOffView:
    id: int
    staff: str
    first_day: date
    last_day: date
    days: int
    reason: str
    created_at: datetime
    created_by: str | None
    booked: list[int]  # live appointments of theirs on those days (to move): ids


def _view(session: Session, row: TimeOff, code: str, location: LocationView | None = None) -> TimeOffView:
    by = session.get(Staff, row.created_by_id) if row.created_by_id else None
    return TimeOffView(id=row.id or 0, staff=code, first_day=row.first_day, last_day=row.last_day,
                       days=(row.last_day - row.first_day).days + 1, reason=row.reason, created_at=row.created_at,
                       created_by=by.code if by else None,
                       booked=_booked(session, row, location) if location is not None else [])


def _booked(session: Session, row: TimeOff, location: LocationView) -> list[int]:
    appts = session.exec(select(Appointment).where(
        Appointment.staff_id == row.staff_id, Appointment.location_id == location.id,
        col(Appointment.status).in_(_LIVE)).order_by(col(Appointment.starts_at))).all()
    return [a.id or 0 for a in appts
            if row.first_day <= business_date(a.starts_at, location.tz) <= row.last_day]


def add_time_off(session: Session, *, actor: Actor, location: LocationView, who: str, first_day: date,
                 last_day: date, reason: str | None = None) -> TimeOffView:
    """Days off for a staff member. Days overlapping time off already there are refused; appointments
    already booked on those days stay (listed in `booked`, for the desk to move)."""
    authorize(actor, Permission.staff_manage)
    member = find(session, who, lock=True)
    text = " ".join((reason or "").split()) or "time off"
    if len(text) > REASON_MAX:
        raise InvalidInput(f"the reason is longer than {REASON_MAX} characters")
    if last_day < first_day:
        raise InvalidInput(f"--to {last_day} is before --from {first_day}")
    if (last_day - first_day).days >= MAX_DAYS:
        raise InvalidInput(f"time off is at most {MAX_DAYS} days at once")
    clash = session.exec(select(TimeOff).where(TimeOff.staff_id == member.id, col(TimeOff.first_day) <= last_day,
                                               col(TimeOff.last_day) >= first_day)).first()
    if clash is not None:
        raise RuleViolation(f"{member.code} is already off {clash.first_day} to {clash.last_day} ({clash.reason})",
                            hint=f"cancel it first: salon staff off {member.code} --cancel {clash.id}")
    row = TimeOff(staff_id=member.id or 0, first_day=first_day, last_day=last_day, reason=text,
                  created_at=clock.now(), created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="staff.time_off", entity="time_off", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return _view(session, row, member.code, location)


def list_time_off(session: Session, location: LocationView, who: str | None = None, *,
                  since: date | None = None) -> list[TimeOffView]:
    """Time off, by first day (one staff member's, or everyone's); `since`: what ends on or after it."""
    query = select(TimeOff, Staff.code).join(Staff, col(Staff.id) == TimeOff.staff_id)
    if who is not None:
        query = query.where(TimeOff.staff_id == find(session, who).id)
    if since is not None:
        query = query.where(col(TimeOff.last_day) >= since)
    rows = session.exec(query.order_by(col(TimeOff.first_day), col(Staff.code), col(TimeOff.id))).all()
    return [_view(session, row, code, location) for row, code in rows]


def cancel_time_off(session: Session, *, actor: Actor, location: LocationView, time_off_id: int,
                    who: str | None = None) -> TimeOffView:
    """Take time off back (the row goes; the audit log keeps it)."""
    authorize(actor, Permission.staff_manage)
    row = session.get(TimeOff, time_off_id, with_for_update=True)
    member = session.get(Staff, row.staff_id) if row is not None else None
    if row is None or member is None or (who is not None and member.id != find(session, who).id):
        raise NotFound(f"no time off {time_off_id}" + (f" for {who}" if who else ""),
                       hint="see: salon staff off CODE --list")
    view = _view(session, row, member.code)
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor=actor, action="staff.time_off_cancel", entity="time_off", entity_id=time_off_id,
                 location_id=location.id, before=before)
    return view
