"""What the guarded close (`closing.unfinished`, issue 28) asks of the book for a visit still open at the
end of its day, besides a no-show (`till.deposits.no_show`, which settles a deposit as `appt no-show`
does):

- `leave_booked`: the visit stays as it is (booked, checked in or in the chair) past its day's close,
  with a reason (one line, at most 255 characters): `left_booked_reason` and `left_booked_on` (its day)
  are set, audited (`appointment.leave_booked`). It then no longer holds its day's close. Leaving it
  again changes the reason. A visit of a day still to come is not left (there is nothing to close yet).
- `complete_settled`: the service is done and nothing is owed for it: refused while its price is not
  paid (no sale, or its sale open with something left to pay; the checkout pays it and completes it).
  A visit whose price is zero, or whose sale is paid, is completed by `book.status.complete` (its rules:
  checked in or in the chair).

The book reads the till's rows here (the visit's sale and its payments) and changes none of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import RuleViolation, refusal_words
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import Payment, Sale
from salon_cli.services.book import status as appt_status
from salon_cli.services.book import views as book
from salon_cli.services.book.appointments import get
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

LIVE = ("booked", "checked_in", "in_service")
REASON_MAX = 255


def leave_booked(session: Session, *, actor: Actor, location: LocationView, appointment_id: int,
                 reason: str) -> book.AppointmentView:
    """Leave a visit as it is past its day's close, saying why."""
    authorize(actor, Permission.desk)
    why = clean_text(reason, refusal_words("the reason"), REASON_MAX, required=True)
    appt = get(session, appointment_id, location, lock=True)
    if appt.status not in LIVE:
        raise RuleViolation(f"appointment {appointment_id} is {appt.status.replace('_', ' ')}: only a visit still "
                            "booked, checked in or in the chair is left open past the close",
                            hint=f"see: salon appt show {appointment_id}")
    day = business_date(appt.starts_at, location.tz)
    today = business_date(clock.now(), location.tz)
    if day > today:
        raise RuleViolation(f"appointment {appointment_id} is on {day.isoformat()}, a day still to come: "
                            "there is no close to leave it past")
    before = audit.snapshot(appt)
    appt.left_booked_reason, appt.left_booked_on, appt.updated_at = why, day, clock.now()
    session.add(appt)
    session.flush()
    audit.record(session, actor=actor, action="appointment.leave_booked", entity="appointment", entity_id=appt.id,
                 location_id=location.id, before=before, after=audit.snapshot(appt))
    return book.view(session, appointment_id)


def owed_cents(session: Session, appointment_id: int, price_cents: int) -> int:
    """What is still to pay for the visit: its sale's total less what was paid or is in flight; without
    a sale, its booked price."""
    sale = session.exec(select(Sale).where(Sale.appointment_id == appointment_id, col(Sale.status) != "void")).first()
    if sale is None:
        return price_cents
    if sale.status != "open":
        return 0
    flying = session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0)).where(
        Payment.sale_id == sale.id, col(Payment.status) == "pending")).one()
    return max(sale.total_cents - sale.paid_cents - int(flying), 0)


def complete_settled(session: Session, *, actor: Actor, location: LocationView,
                     appointment_id: int) -> book.AppointmentView:
    """Complete a visit at the close when nothing is owed for it (else refused: the checkout does it)."""
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    if appt.status in LIVE:
        owed = owed_cents(session, appointment_id, appt.price_cents)
        if owed > 0:
            raise RuleViolation(
                f"appointment {appointment_id} has {format_money(owed, location.currency)} to pay: it is "
                "completed by its checkout", hint=f"take the money: salon checkout {appointment_id} --pay METHOD")
    return appt_status.complete(session, actor=actor, location=location, appointment_id=appointment_id)
