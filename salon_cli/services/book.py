"""The appointment book as the desk reads it (booking and its rules come with appointments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from salon_cli.core.days import day_bounds
from salon_cli.db.models import Appointment, Client, Service, Staff
from salon_cli.services.locations import LocationView


@dataclass(frozen=True)
class AppointmentView:
    id: int
    client_id: int | None
    client: str
    staff: str
    staff_name: str
    service: str
    starts_at: datetime
    ends_at: datetime
    status: str
    price_cents: int
    checked_in_at: datetime | None
    walk_in: bool


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
        select(Appointment, Client, Staff, Service)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .outerjoin(Client, col(Client.id) == Appointment.client_id)
        .where(Appointment.location_id == location.id, col(Appointment.starts_at) >= lo,
               col(Appointment.starts_at) < hi)
        .order_by(col(Appointment.starts_at), col(Staff.code), col(Appointment.id))
    )
    if staff:
        query = query.where(Staff.code == staff.strip().lower())
    if status:
        query = query.where(Appointment.status == status)
    if client_id is not None:
        query = query.where(Appointment.client_id == client_id)
    rows = []
    for appt, client, member, service in session.exec(query):
        rows.append(AppointmentView(
            id=appt.id or 0, client_id=appt.client_id,
            client=f"{client.first_name} {client.last_name}".strip() if client else "walk-in",
            staff=member.code, staff_name=member.name, service=service.name,
            starts_at=appt.starts_at, ends_at=appt.ends_at, status=appt.status,
            price_cents=appt.price_cents, checked_in_at=appt.checked_in_at, walk_in=appt.walk_in,
        ))
    return rows
