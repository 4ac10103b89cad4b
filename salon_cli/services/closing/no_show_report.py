"""The no-show report of a location over business days `first..last`.

An appointment is *due* when it starts in the period and its status is completed, in_service,
checked_in or no_show: it was not cancelled and its time has been dealt with (still-booked ones are
left out, so today's later book does not lower the rate). `rate` = no-shows / due, in percent with one
decimal (None when nothing was due). `cost_cents` is the booked price of the no-shows (the revenue they
cost); `penalties_cents` the no-show penalties on them (any status), `collected_cents` those paid,
`waived_cents` those waived.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.days import business_date
from salon_cli.db.models import Appointment, Client, Penalty, Staff
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.closing.reports import bounds, check_period, percent
from salon_cli.services.closing.revenue import period_of

DUE = ("completed", "in_service", "checked_in", "no_show")
TOP_CLIENTS = 10


@dataclass(frozen=True)
class ClientNoShows:
    client_id: int
    name: str
    no_shows: int
    cost_cents: int


@dataclass(frozen=True)
class StaffNoShows:
    code: str
    appointments: int
    no_shows: int
    rate: float | None


@dataclass(frozen=True)
class WeekNoShows:
    week: str  # ISO week, YYYY-Www
    appointments: int
    no_shows: int
    rate: float | None


@dataclass(frozen=True)
class NoShowReport:
    appointments: int
    no_shows: int
    rate: float | None
    cost_cents: int
    penalties_cents: int
    collected_cents: int
    waived_cents: int
    by_client: list[ClientNoShows]  # the 10 clients with most no-shows (then most cost)
    by_staff: list[StaffNoShows]
    by_week: list[WeekNoShows]


def no_shows(session: Session, *, location: LocationView, first: date, last: date) -> NoShowReport:
    check_period(first, last)
    start, end = bounds(location, first, last)
    where = (Appointment.location_id == location.id, col(Appointment.starts_at) >= start,
             col(Appointment.starts_at) < end, col(Appointment.status).in_(DUE))
    rows = session.exec(select(Appointment.client_id, Appointment.staff_id, Appointment.status,
                               Appointment.price_cents, Appointment.starts_at).where(*where)).all()
    staff_due: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    week_due: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    client_missed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    missed = cost = 0
    for client_id, staff_id, status, price, starts in rows:
        miss = status == "no_show"
        week = period_of(business_date(starts, location.tz), "week")
        for acc in (staff_due[int(staff_id)], week_due[week]):
            acc[0] += 1
            acc[1] += int(miss)
        if miss:
            missed += 1
            cost += int(price)
            if client_id is not None:
                client_missed[int(client_id)][0] += 1
                client_missed[int(client_id)][1] += int(price)
    fines: dict[str, int] = defaultdict(int)
    for status, cents in session.exec(
            select(Penalty.status, sa.func.sum(Penalty.amount_cents))
            .join(Appointment, col(Appointment.id) == Penalty.appointment_id)
            .where(*where, Appointment.status == "no_show", Penalty.kind == "no_show")
            .group_by(Penalty.status)).all():
        fines[status] += int(cents)
    top = sorted(client_missed.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:TOP_CLIENTS]
    names = {c.id: f"{c.first_name} {c.last_name}".strip() for c in session.exec(
        select(Client).where(col(Client.id).in_([cid for cid, _ in top])))} if top else {}
    codes = dict(session.exec(select(Staff.id, Staff.code).where(col(Staff.id).in_(list(staff_due)))).all()) \
        if staff_due else {}
    return NoShowReport(
        appointments=len(rows), no_shows=missed, rate=percent(missed, len(rows)), cost_cents=cost,
        penalties_cents=sum(fines.values()), collected_cents=fines.get("paid", 0), waived_cents=fines.get("waived", 0),
        by_client=[ClientNoShows(cid, names.get(cid, ""), n, c) for cid, (n, c) in top],
        by_staff=sorted((StaffNoShows(codes.get(sid, f"#{sid}"), a, m, percent(m, a))
                         for sid, (a, m) in staff_due.items()), key=lambda r: r.code),
        by_week=[WeekNoShows(w, a, m, percent(m, a)) for w, (a, m) in sorted(week_due.items())])
