"""What is unfinished on a location's business day, the guarded close's list (issue 28), and the days
left unclosed.

`of_day` reads, for day D:
- **appointments** starting in D still `booked`, `checked_in` or `in_service`, except those the desk left
  as they are past D's close with a reason (`book.day_end.leave_booked`: `left_booked_on` is D); those
  are listed apart (`left_booked`), they do not hold the close;
- **open sales** of D (status `open`, business date D), with what they took and what is left to pay,
  their client and appointment, except the sale of a visit still to come (a deposit taken today for a
  visit on a later day, or for one left booked past the close): that money waits for its visit;
- **penalties** created in D and still `pending`.

`pending_days` lists the days before today, within `WINDOW_DAYS`, that had sales, payments, drawer
movements, expenses or appointments (not cancelled) and have no close (never closed, or re-opened and not
closed again). It reads one day through an index on (location, day) or (location, instant) per table and
groups by day, so the Today screen can ask it on every load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.days import business_date, day_bounds
from salon_cli.db.models import (
    Appointment, CashMovement, Client, DayClose, Expense, Payment, Penalty, Sale, Service, Staff,
)
from salon_cli.services.salon import business_days
from salon_cli.services.salon.locations import LocationView

LIVE = ("booked", "checked_in", "in_service")
WINDOW_DAYS = 60  # how far back `pending_days` looks
_GONE = ("cancelled", "late_cancelled")


@dataclass(frozen=True)
class OpenAppointment:
    id: int
    starts_at: datetime
    client_id: int | None
    client: str
    staff: str
    staff_name: str
    service: str
    status: str
    price_cents: int
    sale_id: int | None  # its live sale, if one is open or paid
    left_booked_reason: str | None = None


@dataclass(frozen=True)
class OpenSale:
    id: int
    created_at: datetime
    client_id: int | None
    client: str | None
    appointment_id: int | None
    total_cents: int
    paid_cents: int
    balance_cents: int  # what is left to pay (the total less what was paid)
    has_payments: bool  # money taken (or in flight) on it: it cannot simply be voided


@dataclass(frozen=True)
class PendingPenalty:
    id: int
    appointment_id: int
    client_id: int | None
    client: str
    kind: str
    amount_cents: int
    created_at: datetime
    reason: str


@dataclass(frozen=True)
class Unfinished:
    business_date: date
    location: str
    appointments: list[OpenAppointment] = field(default_factory=list)
    sales: list[OpenSale] = field(default_factory=list)
    penalties: list[PendingPenalty] = field(default_factory=list)
    left_booked: list[OpenAppointment] = field(default_factory=list)  # left past the close, with a reason

    @property
    def empty(self) -> bool:
        return not (self.appointments or self.sales or self.penalties)

    def words(self) -> str:
        """'3 appointments still booked or in the chair, 2 sales open, 1 penalty pending' (what there is)."""
        parts = []
        if self.appointments:
            n = len(self.appointments)
            parts.append(f"{n} appointment{'s' if n != 1 else ''} still booked or in the chair")
        if self.sales:
            parts.append(f"{len(self.sales)} sale{'s' if len(self.sales) != 1 else ''} open")
        if self.penalties:
            n = len(self.penalties)
            parts.append(f"{n} penalt{'ies' if n != 1 else 'y'} pending")
        return ", ".join(parts) or "nothing unfinished"

    def summary(self) -> dict[str, Any]:
        """What the close keeps of it (its snapshot and audit row): the counts and the ids."""
        return {"appointments": [a.id for a in self.appointments], "sales": [s.id for s in self.sales],
                "penalties": [p.id for p in self.penalties], "left_booked": [a.id for a in self.left_booked],
                "words": self.words()}

    def rows(self, location: LocationView) -> list[dict[str, Any]]:
        """One flat row per item (`salon close-day --unfinished`): kind, id, when, who, what, money."""
        out: list[dict[str, Any]] = []
        for a in self.appointments:
            out.append(dict(kind="appointment", id=a.id, at=a.starts_at, client=a.client, staff=a.staff,
                            what=a.service, status=a.status, amount_cents=a.price_cents, paid_cents=None,
                            balance_cents=None, appointment_id=a.id, sale_id=a.sale_id))
        for s in self.sales:
            out.append(dict(kind="sale", id=s.id, at=s.created_at, client=s.client, staff=None,
                            what=f"appointment {s.appointment_id}" if s.appointment_id else "desk sale",
                            status="open", amount_cents=s.total_cents, paid_cents=s.paid_cents,
                            balance_cents=s.balance_cents, appointment_id=s.appointment_id, sale_id=s.id))
        for p in self.penalties:
            out.append(dict(kind="penalty", id=p.id, at=p.created_at, client=p.client, staff=None,
                            what=p.kind.replace("_", " "), status="pending", amount_cents=p.amount_cents,
                            paid_cents=None, balance_cents=p.amount_cents, appointment_id=p.appointment_id,
                            sale_id=None))
        return out


def _name(client: Client | None) -> str:
    return f"{client.first_name} {client.last_name}".strip() if client is not None else "walk-in"


def _appointments(session: Session, location: LocationView, day: date) -> tuple[list[OpenAppointment],
                                                                                 list[OpenAppointment]]:
    lo, hi = day_bounds(day, location.tz)
    rows = session.exec(
        select(Appointment, Client, Staff, Service)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .outerjoin(Client, col(Client.id) == Appointment.client_id)
        .where(Appointment.location_id == location.id, col(Appointment.starts_at) >= lo,
               col(Appointment.starts_at) < hi, col(Appointment.status).in_(LIVE))
        .order_by(col(Appointment.starts_at), col(Staff.code), col(Appointment.id))).all()
    ids = [a.id for a, *_ in rows]
    sales = dict(session.exec(select(Sale.appointment_id, Sale.id).where(
        col(Sale.appointment_id).in_(ids), col(Sale.status) != "void")).all()) if ids else {}
    live, left = [], []
    for appt, client, member, service in rows:
        view = OpenAppointment(id=appt.id or 0, starts_at=appt.starts_at, client_id=appt.client_id,
                               client=_name(client), staff=member.code, staff_name=member.name,
                               service=service.name, status=appt.status, price_cents=appt.price_cents,
                               sale_id=sales.get(appt.id), left_booked_reason=appt.left_booked_reason)
        (left if appt.left_booked_on == day else live).append(view)
    return live, left


def _sales(session: Session, location: LocationView, day: date, waiting: set[int]) -> list[OpenSale]:
    """The day's open sales, but the sale of a visit still to come (`waiting`: its deposit waits for it)."""
    rows = session.exec(
        select(Sale, Client, Appointment)
        .outerjoin(Client, col(Client.id) == Sale.client_id)
        .outerjoin(Appointment, col(Appointment.id) == Sale.appointment_id)
        .where(Sale.location_id == location.id, Sale.business_date == day, col(Sale.status) == "open")
        .order_by(col(Sale.id))).all()
    _, hi = day_bounds(day, location.tz)
    keep = [(s, c) for s, c, a in rows
            if not (a is not None and a.status in LIVE and (a.starts_at >= hi or a.id in waiting))]
    ids = [s.id for s, _ in keep]
    taken = dict(session.exec(select(Payment.sale_id, sa.func.count()).where(
        col(Payment.sale_id).in_(ids), col(Payment.status).in_(("succeeded", "pending")))
        .group_by(Payment.sale_id)).all()) if ids else {}
    return [OpenSale(id=s.id or 0, created_at=s.created_at, client_id=s.client_id,
                     client=_name(c) if c is not None else None, appointment_id=s.appointment_id,
                     total_cents=s.total_cents, paid_cents=s.paid_cents,
                     balance_cents=s.total_cents - s.paid_cents, has_payments=bool(taken.get(s.id)))
            for s, c in keep]


def _penalties(session: Session, location: LocationView, day: date) -> list[PendingPenalty]:
    lo, hi = day_bounds(day, location.tz)
    rows = session.exec(
        select(Penalty, Client).outerjoin(Client, col(Client.id) == Penalty.client_id)
        .where(Penalty.location_id == location.id, col(Penalty.status) == "pending",
               col(Penalty.created_at) >= lo, col(Penalty.created_at) < hi)
        .order_by(col(Penalty.created_at), col(Penalty.id))).all()
    return [PendingPenalty(id=p.id or 0, appointment_id=p.appointment_id, client_id=p.client_id,
                           client=_name(c), kind=p.kind, amount_cents=p.amount_cents, created_at=p.created_at,
                           reason=p.reason) for p, c in rows]


def of_day(session: Session, *, location: LocationView, day: date) -> Unfinished:
    """What is unfinished on `day` at `location` (read only)."""
    live, left = _appointments(session, location, day)
    return Unfinished(business_date=day, location=location.code, appointments=live,
                      sales=_sales(session, location, day, {a.id for a in left}),
                      penalties=_penalties(session, location, day), left_booked=left)


# ----------------------------------------------------------------------------- days left unclosed

@dataclass(frozen=True)
class PendingDay:
    business_date: date
    sales_count: int
    payments_count: int
    cash_movements_count: int
    expenses_count: int
    appointments_count: int
    reopened: bool  # it was closed once, then re-opened and not closed again


def _by_day(session: Session, model: Any, location_id: int, first: date, last: date, *where: Any) -> dict[date, int]:
    rows = session.exec(select(model.business_date, sa.func.count()).where(
        model.location_id == location_id, col(model.business_date) >= first, col(model.business_date) <= last,
        *where).group_by(model.business_date)).all()
    return {d: int(n) for d, n in rows}


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _appointments_by_day(session: Session, location: LocationView, days: list[date]) -> dict[date, int]:
    """Appointments (not cancelled) on those days, one query over the runs of consecutive days."""
    if not days:
        return {}
    spans = []
    for first, last in _ranges(days):
        lo, _ = day_bounds(first, location.tz)
        _, hi = day_bounds(last, location.tz)
        spans.append(sa.and_(col(Appointment.starts_at) >= lo, col(Appointment.starts_at) < hi))
    found: dict[date, int] = {}
    for at in session.exec(select(Appointment.starts_at).where(
            Appointment.location_id == location.id, sa.or_(*spans),
            col(Appointment.status).not_in(_GONE))).all():
        d = business_date(at, location.tz)
        found[d] = found.get(d, 0) + 1
    return found


def pending_days(session: Session, *, location: LocationView, today: date | None = None,
                 window: int = WINDOW_DAYS) -> list[PendingDay]:
    """The days before `today` (the location's, by default) and within `window` days of it that had
    activity and have no close, oldest first."""
    today = today or business_days.today(location)
    first, last = today - timedelta(days=window), today - timedelta(days=1)
    closes = session.exec(select(DayClose.business_date, DayClose.status).where(
        DayClose.location_id == location.id, col(DayClose.business_date) >= first,
        col(DayClose.business_date) <= last)).all()
    closed = {d for d, status in closes if status == "closed"}
    reopened = {d for d, status in closes if status == "reopened"} - closed
    sales = _by_day(session, Sale, location.id, first, last, col(Sale.status) != "void")
    paid = _by_day(session, Payment, location.id, first, last, col(Payment.status).in_(("succeeded", "pending")))
    moves = _by_day(session, CashMovement, location.id, first, last)
    spent = _by_day(session, Expense, location.id, first, last, col(Expense.status) == "recorded")
    open_days = [first + timedelta(days=i) for i in range(window) if first + timedelta(days=i) not in closed]
    booked = _appointments_by_day(session, location, open_days)
    out = []
    for d in open_days:
        counts = (sales.get(d, 0), paid.get(d, 0), moves.get(d, 0), spent.get(d, 0), booked.get(d, 0))
        if any(counts) or d in reopened:
            out.append(PendingDay(d, *counts, reopened=d in reopened))
    return out
