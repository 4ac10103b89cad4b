"""Free slots: when a staff member (or anyone) can take an appointment of so many minutes.

A slot starts on the policy's grid (`slot_min` minutes from midnight, on the location's clock), lies
inside the staff member's working spans that day (`salon.hours`: their own hours, else the opening
hours, else `DEFAULT_DAY`; none on time off), and overlaps no live appointment of theirs (booked,
checked in, in the chair). Read only. The dashboard's next free slot (`book.board`) and its booking
form, and `salon appt free`, read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.db.models import Appointment, Service
from salon_cli.services.salon import catalog, hours
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.hours import Span
from salon_cli.services.salon.locations import LocationView

LIVE = ("booked", "checked_in", "in_service")
MAX_MINUTES = 12 * 60
MAX_DAYS = 92


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime  # UTC aware
    staff: str


def _on_grid(instant: datetime, tz: tzinfo, slot_min: int) -> datetime:
    """The first instant at or after `instant` on the grid of the local clock, in UTC."""
    local = instant.astimezone(tz)
    base = local.replace(second=0, microsecond=0)
    if base < local:
        base += timedelta(minutes=1)
    over = (base.hour * 60 + base.minute) % slot_min
    return (base.astimezone(timezone.utc) + timedelta(minutes=(slot_min - over) % slot_min))


def span_bounds(day: date, span: Span, tz: tzinfo) -> tuple[datetime, datetime]:
    """A span of `day` as UTC instants (an end of 24:00 is the next midnight)."""
    start = datetime.combine(day, span.start, tzinfo=tz)
    end = (datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) if span.end == time.max
           else datetime.combine(day, span.end, tzinfo=tz))
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def fits(bounds: Sequence[tuple[datetime, datetime]], busy: Sequence[tuple[datetime, datetime]], *,
         minutes: int, after: datetime, tz: tzinfo, slot_min: int) -> Iterator[datetime]:
    """Starts on the grid, inside one of `bounds`, at or after `after`, with `minutes` clear of `busy`."""
    need, step = timedelta(minutes=minutes), timedelta(minutes=slot_min)
    for begin, end in sorted(bounds):
        at = _on_grid(max(begin, after), tz, slot_min)
        while at + need <= end:
            clash = max((stop for start, stop in busy if start < at + need and stop > at), default=None)
            if clash is None:
                yield at
                at = _on_grid(at + step, tz, slot_min)
            else:
                at = _on_grid(max(at + step, clash), tz, slot_min)


def _busy(session: Session, staff_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    found: dict[int, list[tuple[datetime, datetime]]] = {sid: [] for sid in staff_ids}
    if not staff_ids:
        return found
    for appt in session.exec(select(Appointment).where(
            col(Appointment.staff_id).in_(staff_ids), col(Appointment.status).in_(LIVE),
            col(Appointment.starts_at) < end, col(Appointment.ends_at) > start)):
        found[appt.staff_id].append((appt.starts_at, appt.ends_at))
    return found


def free_slots(session: Session, location: LocationView, *, minutes: int, staff: str | None, after: datetime,
               count: int = 6, days: int = 14) -> list[FreeSlot]:
    """The first `count` free slots from `after` over `days` days: one staff member's, or anyone's who
    takes appointments (`staff` None), earliest first, then by staff code."""
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"{minutes} minutes is not between 1 and {MAX_MINUTES}")
    if not 1 <= count <= 100:
        raise InvalidInput("--count must be between 1 and 100")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days must be between 1 and {MAX_DAYS}")
    tz = location.tz
    member = None
    if staff is not None:
        member = staff_service.find(session, staff)
        if not member.active:
            raise RuleViolation(f"staff member {member.code} is deactivated", hint="see: salon staff list")
    first_day = after.astimezone(tz).date()
    plans = [hours.day_plan(session, location, first_day + timedelta(days=n)) for n in range(days)]
    if member is not None:
        who = {member.id or 0: member.code}
    else:
        who = {sd.staff_id: sd.code for plan in plans for sd in plan.staff}
    start = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(first_day + timedelta(days=days + 1), time(0), tzinfo=tz).astimezone(timezone.utc)
    busy = _busy(session, list(who), start - timedelta(minutes=MAX_MINUTES), end)
    found: list[FreeSlot] = []
    for plan in plans:
        if member is not None:
            spans = hours.working_spans(session, location, member.id or 0, plan.day)
            day_staff = [(member.id or 0, member.code, spans)]
        else:
            day_staff = [(sd.staff_id, sd.code, sd.spans) for sd in plan.staff]
        for sid, code, spans in day_staff:
            bounds = [span_bounds(plan.day, span, tz) for span in spans]
            taken = fits(bounds, busy.get(sid, []), minutes=minutes, after=after, tz=tz, slot_min=plan.slot_min)
            found += [FreeSlot(at, code) for _, at in zip(range(count), taken)]
        if len(found) >= count:
            break
    found.sort(key=lambda s: (s.starts_at, s.staff))
    return found[:count]


def service_minutes(session: Session, location: LocationView, refs: Sequence[str]) -> int:
    """How long the services take one after the other (by id, code or name)."""
    if not refs:
        raise InvalidInput("no service given", hint="--service NAME|CODE|ID, or --duration MIN")
    return sum(catalog.find(session, Service, location, ref).duration_min for ref in refs)
