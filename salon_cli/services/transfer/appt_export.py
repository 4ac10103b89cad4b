"""`salon export appointments`: a location's appointments as records, streamed.

One query reads the appointments (with their client, staff member, first service and penalty) in
`starts_at, id` order, in batches (`yield_per`: a server-side cursor on PostgreSQL); the services of
each batch's appointments that have more than one are read beside it in one more query, so that memory
stays flat however many appointments there are and no appointment costs a query of its own.

`services` is the list of the appointment's service codes in order (joined by ';' in CSV) and
`service` their names joined by ' + ', as the book shows them. `client` is the client's name (empty
for a walk-in without one). A file written here imports back with `salon import appointments`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.db.models import Appointment, AppointmentItem, Client, Penalty, Service, Staff
from salon_cli.services.book import views as book
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.transfer.client_export import window
from salon_cli.services.salon.locations import LocationView

COLUMNS = ["id", "external_id", "starts_at", "ends_at", "status", "client_id", "client", "client_phone",
           "client_email", "staff", "service", "services", "price_cents", "deposit_cents", "walk_in",
           "checked_in_at", "completed_at", "cancelled_at", "cancel_reason", "no_show_at", "series_id", "note",
           "penalty_id", "penalty_status", "penalty_cents"]
_CHUNK = 500

_QUERY_COLUMNS = (
    col(Appointment.id), col(Appointment.external_id), col(Appointment.starts_at), col(Appointment.ends_at),
    col(Appointment.status), col(Appointment.client_id),
    col(Client.first_name).label("client_first"), col(Client.last_name).label("client_last"),
    col(Client.phone).label("client_phone"), col(Client.email).label("client_email"),
    col(Staff.code).label("staff"), col(Service.code).label("service_code"), col(Service.name).label("service_name"),
    col(Appointment.price_cents), col(Appointment.deposit_cents), col(Appointment.walk_in),
    col(Appointment.checked_in_at), col(Appointment.completed_at), col(Appointment.cancelled_at),
    col(Appointment.cancel_reason), col(Appointment.no_show_at), col(Appointment.series_id), col(Appointment.note),
    col(Penalty.id).label("penalty_id"), col(Penalty.status).label("penalty_status"),
    col(Penalty.amount_cents).label("penalty_cents"),
)


def appointments(
    session: Session,
    *,
    location: LocationView,
    first: date | None = None,
    last: date | None = None,
    status: str | None = None,
    staff: str | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Appointments of `location` whose start falls on business days `first`..`last` (either end
    open), by start then id: one dict each with `COLUMNS`, from a generator over a batched query.
    Bad options are refused here, before the first record."""
    start, end = window(location, first, last)
    status = book.check_status(status)
    staff_id = staff_service.find(session, staff).id if staff else None  # an unknown code: NotFound
    query = (
        sa.select(*_QUERY_COLUMNS)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .outerjoin(Client, col(Client.id) == Appointment.client_id)
        .outerjoin(Penalty, col(Penalty.appointment_id) == Appointment.id)
        .where(Appointment.location_id == location.id)
    )
    if start is not None:
        query = query.where(col(Appointment.starts_at) >= start)
    if end is not None:
        query = query.where(col(Appointment.starts_at) < end)
    if status:
        query = query.where(Appointment.status == status)
    if staff_id is not None:
        query = query.where(Appointment.staff_id == staff_id)
    return _stream(session, query.order_by(col(Appointment.starts_at), col(Appointment.id)), batch)


def _stream(session: Session, query: Any, batch: int) -> Iterator[dict[str, Any]]:
    # Core rows through the session's connection (same transaction): the ORM's loading machinery for a
    # select of plain columns cost twice the fetch itself
    result = session.connection().execute(query.execution_options(yield_per=batch))
    columns = COLUMNS
    try:
        for part in result.partitions():
            items = _items(session, [row[0] for row in part])
            for (id_, external_id, starts_at, ends_at, status, client_id, first, last, phone, email, staff,
                 service_code, service_name, price, deposit, walk_in, checked_in, completed, cancelled, reason,
                 no_show, series, note, penalty_id, penalty_status, penalty_cents) in part:
                services = items.get(id_) or ((service_code, service_name),)
                client = (f"{first or ''} {last or ''}".strip()) if client_id is not None else None
                yield dict(zip(columns, (
                    id_, external_id, starts_at, ends_at, status, client_id, client, phone, email, staff,
                    " + ".join([n for _, n in services]), [c for c, _ in services], price, deposit, walk_in,
                    checked_in, completed, cancelled, reason, no_show, series, note, penalty_id, penalty_status,
                    penalty_cents)))
    finally:
        result.close()


def _items(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """(code, name) of the services, in order, of the appointments of a batch that have more than one;
    an appointment with one is its own row's service (most are: their items never reach Python)."""
    found: dict[int, list[tuple[str, str]]] = {}
    connection = session.connection()
    for at in range(0, len(ids), _CHUNK):
        several = (sa.select(col(AppointmentItem.appointment_id))
                   .where(col(AppointmentItem.appointment_id).in_(list(ids[at:at + _CHUNK])))
                   .group_by(col(AppointmentItem.appointment_id)).having(sa.func.count() > 1))
        query = (sa.select(col(AppointmentItem.appointment_id), col(Service.code), col(Service.name))
                 .join(Service, col(Service.id) == AppointmentItem.service_id)
                 .where(col(AppointmentItem.appointment_id).in_(several))
                 .order_by(col(AppointmentItem.appointment_id), col(AppointmentItem.position)))
        for appt_id, code, name in connection.execute(query).all():
            found.setdefault(appt_id, []).append((code, name))
    return found
