"""Rebooking from the client card: the usual services, stylist and interval, proposed (nothing is booked).

From the client's last completed visits at the location (at most `RECENT`):

- services: the combination (codes, in order) done most often, ties to the latest; a combination
  with a service no longer offered gives way to one still on the menu;
- staff: the stylist seen most often, ties to the latest; an active one before a deactivated one;
- interval: the median of the days between those visits (one visit: `DEFAULT_INTERVAL_DAYS`);
- when: the last visit's weekday and time, the interval after it (then on to that weekday), and
  on a week at a time until it is in the future.

`None` for a client with no completed visit here. The desk books it through `appointments`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import TypeVar

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.recurrence import resolve
from salon_cli.db.models import Appointment, AppointmentItem, Service, Staff
from salon_cli.services.salon.locations import LocationView

RECENT = 6
DEFAULT_INTERVAL_DAYS = 28
T = TypeVar("T")


@dataclass(frozen=True)
class Rebook:
    client_id: int
    services: tuple[str, ...]  # service codes, in order
    staff: str  # staff code
    at: datetime  # aware, on the location's clock
    interval_days: int
    basis: str  # in words: what the proposal rests on


def _usual(seen: list[T], usable: set[T]) -> T:
    """Most frequent (ties: the first met, i.e. the latest visit), among the usable when there is one."""
    tally = Counter(seen)
    pool = [v for v in seen if v in usable] or seen
    return max(pool, key=lambda v: (tally[v], -seen.index(v)))


def proposal(session: Session, *, location: LocationView, client_id: int,
             now: datetime | None = None) -> Rebook | None:
    now = now or clock.now()
    visits = session.exec(select(Appointment).where(
        Appointment.client_id == client_id, Appointment.location_id == location.id,
        Appointment.status == "completed").order_by(col(Appointment.starts_at).desc(), col(Appointment.id).desc())
        .limit(RECENT)).all()
    if not visits:
        return None
    ids = [v.id or 0 for v in visits]
    items: dict[int, list[tuple[str, bool]]] = {i: [] for i in ids}
    for appt_id, code, active in session.exec(
            select(AppointmentItem.appointment_id, Service.code, Service.active)
            .join(Service, col(Service.id) == AppointmentItem.service_id)
            .where(col(AppointmentItem.appointment_id).in_(ids))
            .order_by(col(AppointmentItem.appointment_id), col(AppointmentItem.position))):
        items[appt_id].append((code, active))
    first = {s.id: (s.code, s.active) for s in session.exec(
        select(Service).where(col(Service.id).in_(sorted({v.service_id for v in visits}))))}
    combos = [tuple(c for c, _ in items[v.id or 0]) or (first[v.service_id][0],) for v in visits]
    offered = {tuple(c for c, _ in items[v.id or 0]) or (first[v.service_id][0],) for v in visits
               if all(a for _, a in items[v.id or 0] or [first[v.service_id]])}
    services = _usual(combos, offered)
    members = {m.id: m for m in session.exec(select(Staff).where(col(Staff.id).in_(sorted({v.staff_id for v in visits}))))}
    codes = [members[v.staff_id].code for v in visits]
    staff = _usual(codes, {m.code for m in members.values() if m.active})

    tz = location.tz
    days = sorted(v.starts_at.astimezone(tz).date() for v in visits)
    gaps = [(b - a).days for a, b in zip(days, days[1:]) if (b - a).days > 0]
    interval = int(round(median(gaps))) if gaps else DEFAULT_INTERVAL_DAYS
    last = visits[0].starts_at.astimezone(tz)
    day = last.date() + timedelta(days=interval)
    day += timedelta(days=(last.weekday() - day.weekday()) % 7)
    wall = datetime.combine(day, last.time().replace(tzinfo=None))
    while resolve(wall, tz).at <= now:
        wall += timedelta(days=7)
    at = resolve(wall, tz).at.astimezone(tz)
    times = sum(1 for c in combos if c == services)
    seen = codes.count(staff)
    basis = (f"{' + '.join(services)} ({times} of the last {len(visits)} visits) with {staff} ({seen} of {len(visits)}); "
             + (f"every {interval} days (median of {len(gaps)} gap{'s' if len(gaps) != 1 else ''})" if gaps
                else f"one visit: every {DEFAULT_INTERVAL_DAYS} days")
             + f"; last visit {last:%Y-%m-%d %a %H:%M}")
    return Rebook(client_id=client_id, services=services, staff=staff, at=at, interval_days=interval, basis=basis)
