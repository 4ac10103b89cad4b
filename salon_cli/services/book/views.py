"""The appointment book as the desk reads it: one row per appointment, its services by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.days import day_bounds
from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.db.models import Appointment, AppointmentItem, Client, Payment, Penalty, Refund, Sale, Service, Staff
from salon_cli.services.salon.locations import LocationView

STATUSES = ("booked", "checked_in", "in_service", "completed", "cancelled", "late_cancelled", "no_show")
# Statuses that hold the staff member's time (a double booking is checked against these).
OCCUPYING = ("booked", "checked_in", "in_service", "completed")
_CHUNK = 500


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as SPEC.md shows it (`service` names every service, joined by ' + ')."""

    id: int
    client_id: int | None
    client: str
    staff: str
    staff_name: str
    service: str
    services: tuple[str, ...]  # service codes, in order
    starts_at: datetime
    ends_at: datetime
    status: str
    price_cents: int
    deposit_cents: int
    checked_in_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    no_show_at: datetime | None
    walk_in: bool
    cancel_reason: str | None
    series_id: int | None
    external_id: str | None
    note: str | None
    penalty_id: int | None
    penalty_status: str | None
    penalty_cents: int | None
    deposit_paid_cents: int = 0  # deposits taken for it and not given back (DESIGN.md: deposits)


def check_status(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower().replace("-", "_")
    if value not in STATUSES:
        raise InvalidInput(f"status {text!r} is not one of {', '.join(STATUSES)}")
    return value


def _items(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """(code, name) of each appointment's services, in order, for many appointments at once."""
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start:start + _CHUNK])
        query = (select(AppointmentItem.appointment_id, Service.code, Service.name)
                 .join(Service, col(Service.id) == AppointmentItem.service_id)
                 .where(col(AppointmentItem.appointment_id).in_(chunk))
                 .order_by(col(AppointmentItem.appointment_id), col(AppointmentItem.position)))
        for appt_id, code, name in session.exec(query):
            found[appt_id].append((code, name))
    return found


def _deposits(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Deposit money held or applied for each appointment: succeeded deposit payments of its live sale,
    less what was refunded of them (the book reads the till's rows; it changes none)."""
    held: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start:start + _CHUNK])
        back = (select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0))
                .where(Refund.payment_id == Payment.id, col(Refund.status) == "succeeded").scalar_subquery())
        query = (select(Sale.appointment_id, sa.func.sum(Payment.amount_cents - back))
                 .join(Payment, col(Payment.sale_id) == Sale.id)
                 .where(col(Sale.appointment_id).in_(chunk), col(Sale.status) != "void",
                        Payment.purpose == "deposit", col(Payment.status) == "succeeded")
                 .group_by(Sale.appointment_id))
        held.update((int(a), int(c or 0)) for a, c in session.exec(query))
    return held


def _views(session: Session, rows: Sequence[tuple[Appointment, Client | None, Staff, Service, Penalty | None]]) -> list[AppointmentView]:
    items = _items(session, [appt.id or 0 for appt, *_ in rows])
    deposits = _deposits(session, [appt.id or 0 for appt, *_ in rows])
    views = []
    for appt, client, member, service, penalty in rows:
        services = items.get(appt.id or 0) or [(service.code, service.name)]
        views.append(AppointmentView(
            id=appt.id or 0, client_id=appt.client_id,
            client=f"{client.first_name} {client.last_name}".strip() if client else "walk-in",
            staff=member.code, staff_name=member.name,
            service=" + ".join(name for _, name in services), services=tuple(code for code, _ in services),
            starts_at=appt.starts_at, ends_at=appt.ends_at, status=appt.status, price_cents=appt.price_cents,
            deposit_cents=appt.deposit_cents, checked_in_at=appt.checked_in_at, started_at=appt.started_at,
            completed_at=appt.completed_at, cancelled_at=appt.cancelled_at, no_show_at=appt.no_show_at,
            walk_in=appt.walk_in, cancel_reason=appt.cancel_reason, series_id=appt.series_id,
            external_id=appt.external_id, note=appt.note,
            penalty_id=penalty.id if penalty else None, penalty_status=penalty.status if penalty else None,
            penalty_cents=penalty.amount_cents if penalty else None,
            deposit_paid_cents=deposits.get(appt.id or 0, 0),
        ))
    return views


def _query():  # type: ignore[no-untyped-def]
    return (
        select(Appointment, Client, Staff, Service, Penalty)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .outerjoin(Client, col(Client.id) == Appointment.client_id)
        .outerjoin(Penalty, col(Penalty.appointment_id) == Appointment.id)
    )


def appointments(
    session: Session,
    *,
    location: LocationView,
    start: date,
    end: date | None = None,
    staff: str | None = None,
    status: str | None = None,
    client_id: int | None = None,
) -> list[AppointmentView]:
    """Appointments whose start falls on business days `start`..`end` (inclusive), by time."""
    lo, _ = day_bounds(start, location.tz)
    _, hi = day_bounds(end or start, location.tz)
    query = (
        _query()
        .where(Appointment.location_id == location.id, col(Appointment.starts_at) >= lo,
               col(Appointment.starts_at) < hi)
        .order_by(col(Appointment.starts_at), col(Staff.code), col(Appointment.id))
    )
    if staff:
        query = query.where(Staff.code == staff.strip().lower())
    status = check_status(status)
    if status:
        query = query.where(Appointment.status == status)
    if client_id is not None:
        query = query.where(Appointment.client_id == client_id)
    return _views(session, list(session.exec(query)))


def view(session: Session, appointment_id: int, *, location: LocationView | None = None) -> AppointmentView:
    """One appointment (at `location`, when given)."""
    query = _query().where(Appointment.id == appointment_id)
    row = session.exec(query).first()
    if row is None or (location is not None and row[0].location_id != location.id):
        where = f" at {location.code}" if location is not None else ""
        raise NotFound(f"no appointment {appointment_id}{where}", hint="see: salon appt list")
    return _views(session, [row])[0]


def views(session: Session, appointment_ids: Sequence[int]) -> list[AppointmentView]:
    """Many appointments by id, in the order given, a few queries in all (not one per id)."""
    found: dict[int, AppointmentView] = {}
    for start in range(0, len(appointment_ids), _CHUNK):
        chunk = list(appointment_ids[start:start + _CHUNK])
        rows = list(session.exec(_query().where(col(Appointment.id).in_(chunk))))
        found.update((v.id, v) for v in _views(session, rows))
    return [found[i] for i in appointment_ids if i in found]
