"""Deposits: money a client leaves against an appointment before the visit (DESIGN.md: deposits).

A deposit is a payment (purpose `deposit`) on the appointment's sale, which is opened for it when the
deposit is taken (its services, the member's discount). So it is in the drawer and the Z-report of the
day it was taken, and at checkout it already pays part of the ticket: `salon checkout` completes that
same sale. When the visit will not happen (`settle_held`):

- a no-show or a late cancellation: the services leave the ticket, the penalty's fee goes on it and the
  deposit pays it first; what is left is refunded or kept, as the policy's `deposit_remainder` says
  (kept: a "deposit kept" line, so the money is takings, not a balance);
- the salon cancels, or the client cancels in time: the whole deposit is refunded.

Each deposit is counted exactly once: applied at checkout, to a penalty, refunded, or kept. A refund
is a manager's (a PIN), as every refund is; only the no-show job refunds by itself, as `system`.
Cancelling through here (`cancel`, `no_show`) settles the deposit in the same transaction; the
no-show job calls `settle_held` after marking, and any deposit left (the day was closed) is settled
by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput, NotPermitted, RuleViolation
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Appointment, Payment, Penalty, Refund, Sale, SaleLine
from salon_cli.services.book import appointments
from salon_cli.services.book import status as appt_status
from salon_cli.services.book import views
from salon_cli.services.book.appointments import Booking
from salon_cli.services.book.status import Cancelled
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon import business_days
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.till import payments, penalty_fees, sales, tenders, tickets
from salon_cli.services.till.sale_views import PaymentView

DEPOSIT_METHODS = ("cash", "card", "transfer", "gift_card")
LIVE = ("booked", "checked_in", "in_service")
NOT_COMING = ("no_show", "late_cancelled", "cancelled")


@dataclass(frozen=True)
class Settled:
    appointment_id: int
    sale_id: int
    held_cents: int
    fee_cents: int  # paid out of the deposit to the penalty
    refunded_cents: int
    kept_cents: int


def held_cents(session: Session, sale_id: int) -> int:
    """Deposit money on a sale and not refunded."""
    back = (select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0))
            .where(Refund.payment_id == Payment.id, col(Refund.status).in_(("succeeded", "pending")))
            .scalar_subquery())
    return int(session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents - back), 0)).where(
        Payment.sale_id == sale_id, Payment.purpose == "deposit", col(Payment.status) == "succeeded")).one())


def take(session: Session, *, actor: Actor, location: LocationView, appointment_id: int, method: str,
         amount_cents: int | None = None, tendered_cents: int | None = None,
         gift_card: str | None = None) -> PaymentView:
    """Take a deposit now: what the appointment asks and is not taken yet, or `amount_cents` (which
    becomes what it asks, when more). Money only, at the desk; a Stripe deposit is a payment link."""
    authorize(actor, Permission.desk)
    how = (method or "").strip().lower()
    if how == "stripe":
        raise InvalidInput("a Stripe deposit is paid through a link", hint=f"salon stripe link --appt {appointment_id}")
    if how not in DEPOSIT_METHODS:
        raise InvalidInput(f"a deposit is paid in {', '.join(DEPOSIT_METHODS)} (or through a Stripe link), not {method!r}")
    appt = appointments.get(session, appointment_id, location, lock=True)
    if appt.status not in LIVE:
        raise RuleViolation(f"appointment {appointment_id} is {appt.status.replace('_', ' ')}: it takes no deposit")
    sale = sales.live_sale_of(session, appointment_id)
    if sale is not None and sale.status != "open":
        raise RuleViolation(f"appointment {appointment_id} was checked out already (sale {sale.id})")
    taken = held_cents(session, sale.id or 0) if sale is not None else 0
    amount = amount_cents if amount_cents is not None else appt.deposit_cents - taken
    if amount <= 0:
        raise (RuleViolation(f"appointment {appointment_id}'s deposit of "
                             f"{format_money(appt.deposit_cents, location.currency)} is taken already")
               if appt.deposit_cents else
               InvalidInput(f"appointment {appointment_id} asks no deposit: say how much", hint="--pay cash:200"))
    if taken + amount > appt.deposit_cents:
        appointments.ask_deposit(session, actor=actor, location=location, appt=appt, cents=taken + amount)
    sale = sale or tickets.create(session, actor=actor, location=location, appointment_id=appointment_id)
    if amount >= payments.due_cents(session, sale):
        raise InvalidInput(f"a deposit of {format_money(amount, location.currency)} leaves nothing to pay at the visit",
                           hint="a deposit is part of the price")
    return tenders.pay(session, actor=actor, location=location, sale_id=sale.id or 0, method=how,
                       amount_cents=amount, tendered_cents=tendered_cents, gift_card=gift_card, purpose="deposit")


def book(session: Session, *, actor: Actor, location: LocationView, method: str, deposit_cents: int,
         tendered_cents: int | None = None, gift_card: str | None = None, **booking: object) -> Booking:
    """Book and take the deposit in one transaction (a client who must leave one books so)."""
    if deposit_cents <= 0:
        raise InvalidInput("--pay takes the deposit: give --deposit AMOUNT too")
    if booking.get("repeat"):
        raise InvalidInput("a repeated booking takes its deposits one by one", hint="salon appt deposit ID --pay METHOD")
    made = appointments.book_appointment(session, actor=actor, location=location, deposit_cents=deposit_cents,
                                         deposit_taken=True, **booking)  # type: ignore[arg-type]
    first = made.appointments[0].id
    take(session, actor=actor, location=location, appointment_id=first, method=method,
         tendered_cents=tendered_cents, gift_card=gift_card)
    return replace(made, appointments=[views.view(session, first), *made.appointments[1:]])


def cancel(session: Session, *, actor: Actor, location: LocationView, appointment_id: int,
           reason: str | None = None, by_salon: bool = False) -> tuple[Cancelled, Settled | None]:
    """`book.status.cancel`, and the deposit it holds settled in the same transaction."""
    done = appt_status.cancel(session, actor=actor, location=location, appointment_id=appointment_id,
                              reason=reason, by_salon=by_salon)
    return done, _settle_one(session, actor, location, appointment_id)


def no_show(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> tuple[AppointmentView, Settled | None]:
    """`book.status.no_show`, and the deposit it holds applied to the penalty in the same transaction."""
    view = appt_status.no_show(session, actor=actor, location=location, appointment_id=appointment_id)
    return view, _settle_one(session, actor, location, appointment_id)


def settle_held(session: Session, *, location: LocationView, actor: Actor = SYSTEM) -> list[Settled]:
    """Every deposit still held for an appointment of this location that will not happen (the no-show
    job's step; idempotent). Nothing while today's business day is closed: the next run does it."""
    if business_days.is_closed(session, location.id, business_days.today(location)):
        return []
    ids = session.exec(select(Sale.appointment_id).join(Appointment, col(Appointment.id) == Sale.appointment_id).where(
        Sale.location_id == location.id, Sale.status == "open", col(Appointment.status).in_(NOT_COMING),
        sa.exists().where(Payment.sale_id == Sale.id, Payment.purpose == "deposit", col(Payment.status) == "succeeded"),
        sa.exists().where(SaleLine.sale_id == Sale.id, col(SaleLine.kind).in_(("service", "product"))),
    ).order_by(col(Sale.id))).all()
    done = [_settle_one(session, actor, location, int(i or 0)) for i in ids]
    return [s for s in done if s is not None]


def _settle_one(session: Session, actor: Actor, location: LocationView, appointment_id: int) -> Settled | None:
    sale = sales.live_sale_of(session, appointment_id)
    if sale is None or sale.status != "open":
        return None
    sale = sales.get(session, sale.id or 0, location, lock=True)
    held = held_cents(session, sale.id or 0)
    visit = session.exec(select(SaleLine.id).where(SaleLine.sale_id == sale.id,
                                                   col(SaleLine.kind).in_(("service", "product")))).first()
    if held <= 0 or visit is None:  # nothing held, or settled already (the visit's lines are gone)
        return None
    appt = appointments.get(session, appointment_id, location)
    penalty = session.exec(select(Penalty).where(Penalty.appointment_id == appointment_id,
                                                 col(Penalty.status).in_(("pending", "failed")))).first()
    keep = appt.status != "cancelled" and policy_row(session, location).deposit_remainder == "keep"
    fee_line = penalty_fees.fee_line(penalty) if penalty is not None and appt.status != "cancelled" else None
    why = {"no_show": "no-show", "late_cancelled": "late cancellation"}.get(appt.status, "cancelled")
    sales.release_lines(session, actor=actor, location=location, sale=sale, why=f"appointment {appointment_id}: {why}")
    if fee_line is not None and fee_line.unit_price_cents > 0:
        sales.add_line(session, actor, location, sale, fee_line)  # with its taxes, as any fee
    fee = min(sale.total_cents, held)
    rest = held - fee
    if rest and not keep and not actor.is_manager:
        raise NotPermitted(f"appointment {appointment_id} holds a deposit of {format_money(held, location.currency)}: "
                           f"{format_money(rest, location.currency)} of it goes back to the client, and a refund is "
                           "a manager's", hint="a manager does it: --as MANAGER --pin PIN")
    if rest:  # what the deposit leaves stays on the ticket (kept as takings, or given back as a refund of it)
        sales.add_line(session, actor, location, sale, SaleLine(
            kind="deposit", quantity=1, unit_price_cents=rest, gross_cents=0,
            description=f"Deposit {'kept' if keep else 'returned'} ({why}, appointment {appointment_id})"))
    tenders.settle(session, sale, actor=actor, location=location)
    refunded = 0
    if rest and not keep:
        rows = tenders.refund(session, actor=actor, location=location, sale_id=sale.id or 0, amount_cents=rest,
                              reason=f"deposit back: appointment {appointment_id}, {why}")
        refunded = sum(r.amount_cents for r in rows)
    return Settled(appointment_id=appointment_id, sale_id=sale.id or 0, held_cents=held, fee_cents=fee,
                   refunded_cents=refunded, kept_cents=rest if keep else 0)

