"""Stripe's three money flows and its refunds, each in short transactions around the network calls.

Every flow first commits a `pending` payment (or refund) row, then calls Stripe with idempotency keys
derived from that row's id, then records what Stripe said. So:
- no database lock is held while a reader waits for a card or Stripe is slow;
- a network failure (exit 5) leaves the row pending and nothing counted as paid; running the same
  command again finds that pending row and repeats the call with the same key, which Stripe answers
  with the first result (no double charge);
- the money counts only when Stripe reports `succeeded` (the reader poll, a webhook, or `stripe sync`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Appointment, Client, Location, Payment, Penalty, Refund, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, business_days, install
from salon_cli.services.till import payments, penalty_fees, pricing, sales, tenders, tickets
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import PaymentView, RefundView, payment_view, refund_view
from salon_cli.services.stripe.gateway import CardDeclined, StripeGateway
from salon_cli.services.book import penalties

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from salon_cli.services.book.penalties import PenaltyView

_OPEN_PI = ("requires_payment_method", "requires_confirmation", "requires_action", "processing")


def key_prefix(session: Session, location: LocationView) -> str:
    """Idempotency keys must not collide across databases that share a Stripe account: the location's
    code and creation instant tell one salon database's ids from another's."""
    row = session.get(Location, location.id)
    stamp = int(row.created_at.timestamp()) if row is not None else 0
    return f"salon-{location.code}-{stamp}"


def _metadata(session: Session, location: LocationView, payment: Payment) -> dict[str, str]:
    """Ours on the PaymentIntent and the link; `stripe.apply` trusts it only with this database's stamp."""
    return {"salon_payment_id": str(payment.id), "salon_sale_id": str(payment.sale_id),
            "salon_location": location.code, "salon_install": install.install_id(session, create=True) or ""}


def _new_pending(session: Session, *, actor: Actor, location: LocationView, sale: Sale, amount: int, tip: int,
                 purpose: str, reader_id: str | None = None) -> Payment:
    now = clock.now()
    row = Payment(sale_id=sale.id or 0, location_id=location.id, method="stripe", status="pending", purpose=purpose,
                  amount_cents=amount, tip_cents=tip, business_date=business_days.today(location),
                  reader_id=reader_id, created_at=now, created_by_id=actor.id, updated_at=now)
    session.add(row)
    session.flush()
    payments.audit_row(session, actor, location, "create", row)
    return row


def _pending_stripe(session: Session, sale_id: int, purpose: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.sale_id == sale_id, col(Payment.method) == "stripe",
                                              col(Payment.status) == "pending", Payment.purpose == purpose)
                        .order_by(col(Payment.id).desc())).first()


# ----------------------------------------------------------------------------- card-present

@dataclass(frozen=True)
class ReaderOutcome:
    payment: PaymentView
    ok: bool
    reason: str | None


def pay_on_reader(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int, gateway: StripeGateway,
                  amount_cents: int | None = None, tip_cents: int = 0, timeout: float = 120.0, poll: float = 1.0,
                  sleep: Callable[[float], None] = time.sleep,
                  progress: Callable[[str], None] | None = None,
                  stop: threading.Event | None = None) -> ReaderOutcome:
    """Hand a PaymentIntent to the location's Stripe Terminal reader and wait for the card (or the
    timeout, Ctrl-C, or `stop` set by the desk: the reader is told to stop and the PaymentIntent is
    cancelled)."""
    authorize(actor, Permission.desk)
    say = progress or (lambda _text: None)
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale = sales.open_for_change(s, sale_id, location, "a payment")
        reader = reader_of(s, location)
        if tip_cents < 0:
            raise InvalidInput("a tip must not be negative")
        payment = _pending_stripe(s, sale.id or 0, "sale")
        if payment is not None and payment.reader_id is None:
            payment = None
        due = payments.due_cents(s, sale) + (payment.amount_cents if payment is not None else 0)
        amount = due if amount_cents is None else amount_cents
        if amount <= 0 or amount > due:
            raise RuleViolation(f"sale {sale_id} has {format_money(max(due, 0), location.currency)} due; "
                                f"a payment of {format_money(max(amount, 0), location.currency)} does not fit")
        if payment is not None and (payment.amount_cents, payment.tip_cents) != (amount, tip_cents):
            tenders.fail(s, payment, "replaced by a new reader payment", actor=actor, location=location,
                          status="cancelled")
            payment = None
        if payment is None:
            payment = _new_pending(s, actor=actor, location=location, sale=sale, amount=amount, tip=tip_cents,
                                   purpose="sale", reader_id=reader)
        prefix, payment_id = key_prefix(s, location), payment.id or 0
        metadata = _metadata(s, location, payment)
        uow.commit()
    key = f"{prefix}-payment-{payment_id}"
    intent = gateway.create_card_present_intent(
        amount_cents=amount + tip_cents, currency=location.currency.lower(), idempotency_key=f"{key}-intent",
        metadata=metadata, description=f"Sale {sale_id} at {location.code}")
    _record_intent(engine, payment_id, intent.id)
    if not intent.succeeded:
        say(f"waiting for the card on reader {reader} ...")
        gateway.process_on_reader(reader_id=reader, payment_intent_id=intent.id, idempotency_key=f"{key}-reader")
        deadline = time.monotonic() + timeout
        stopped = False
        try:
            while intent.status in _OPEN_PI and not intent.last_error and time.monotonic() < deadline:
                if stop is None:
                    sleep(poll)
                elif stop.is_set() or stop.wait(poll):  # wakes as soon as the desk says stop
                    stopped = True
                    break
                intent = gateway.retrieve_intent(intent.id)
        except KeyboardInterrupt:
            stopped = True
        if stopped:
            _cancel(gateway, reader, intent.id, key)
            return _finish(engine, payment_id, location, actor, None, "cancelled at the desk")
        if intent.status in _OPEN_PI and not intent.last_error:
            _cancel(gateway, reader, intent.id, key)
            return _finish(engine, payment_id, location, actor, None, f"no card after {timeout:g} s at the reader")
    if intent.succeeded:
        return _finish(engine, payment_id, location, actor, intent.latest_charge, None)
    return _finish(engine, payment_id, location, actor, None, intent.last_error or f"payment {intent.status}",
                   declined=True)


def reader_of(session: Session, location: LocationView) -> str:
    """The location's Stripe Terminal reader, or a refusal saying how to name one."""
    place = session.get(Location, location.id)
    if place is None or not place.stripe_reader_id:
        raise RuleViolation(f"location {location.code} has no Stripe reader",
                            hint=f"salon location set {location.code} --stripe-reader tmr_...")
    return place.stripe_reader_id


def _cancel(gateway: StripeGateway, reader: str, intent_id: str, key: str) -> None:
    gateway.cancel_reader_action(reader, idempotency_key=f"{key}-reader-cancel")
    gateway.cancel_intent(intent_id, idempotency_key=f"{key}-cancel")


def _record_intent(engine: Engine, payment_id: int, intent_id: str) -> None:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Payment, payment_id, with_for_update=True)
        if row is not None and row.stripe_payment_intent_id != intent_id:
            row.stripe_payment_intent_id, row.updated_at = intent_id, clock.now()
            uow.session.add(row)
            uow.commit()


def _finish(engine: Engine, payment_id: int, location: LocationView, actor: Actor, charge_id: str | None,
            failure: str | None, *, declined: bool = False) -> ReaderOutcome:
    with UnitOfWork(engine) as uow:
        s = uow.session
        row = s.get(Payment, payment_id, with_for_update=True)
        assert row is not None
        if failure is None:
            tenders.succeed(s, row, actor=actor, location=location, charge_id=charge_id)
        else:
            tenders.fail(s, row, failure, actor=actor, location=location,
                          status="failed" if declined else "cancelled")
        uow.commit()
        return ReaderOutcome(payment=payment_view(row), ok=row.status == "succeeded",
                             reason=row.failure_reason)


# ----------------------------------------------------------------------------- payment links

def _penalty_sale(session: Session, *, actor: Actor, location: LocationView, penalty_id: int) -> tuple[Sale, Penalty]:
    """The open sale that carries a penalty's fee: the one it is already on, or a new one."""
    penalty = session.get(Penalty, penalty_id, with_for_update=True)
    existing = sales.sale_of_penalty(session, penalty_id) if penalty is not None else None
    if existing is not None and existing.status == "open" and penalty is not None:
        if penalty.status in ("waived", "paid"):
            raise RuleViolation(f"penalty {penalty_id} is {penalty.status}: it is never charged")
        return sales.open_for_change(session, existing.id or 0, location, "a payment"), penalty
    penalty = penalty_fees.fee_penalty(session, location, penalty_id)
    sale = tickets.create(session, actor=actor, location=location, client_id=penalty.client_id)
    line = penalty_fees.fee_line(penalty)
    line.sale_id, line.position, line.gross_cents = sale.id or 0, 0, penalty.amount_cents
    session.add(line)
    session.flush()
    pricing.reprice(session, sale)
    return sale, penalty


def payment_link(engine: Engine, *, actor: Actor, location: LocationView, gateway: StripeGateway,
                 sale_id: int | None = None, penalty_id: int | None = None, appointment_id: int | None = None,
                 success_url: str = "https://stripe.com", cancel_url: str = "https://stripe.com") -> PaymentView:
    """A Checkout Session URL for what is due on a sale, a penalty's fee, or an appointment's deposit."""
    authorize(actor, Permission.desk)
    if [sale_id, penalty_id, appointment_id].count(None) != 2:
        raise InvalidInput("say what the link is for: one of --sale, --penalty or --appt")
    with UnitOfWork(engine) as uow:
        s = uow.session
        purpose, description = "sale", ""
        if penalty_id is not None:
            sale, penalty = _penalty_sale(s, actor=actor, location=location, penalty_id=penalty_id)
            purpose, description = "penalty", penalty.reason or f"Penalty {penalty_id}"
        elif appointment_id is not None:
            appt = s.get(Appointment, appointment_id, with_for_update=True)
            if appt is None or appt.location_id != location.id:
                raise RuleViolation(f"no appointment {appointment_id} at {location.code}")
            if appt.deposit_cents <= 0:
                raise RuleViolation(f"appointment {appointment_id} asks no deposit",
                                    hint="book with --deposit AMOUNT")
            sale = sales.live_sale_of(s, appointment_id) or tickets.create(
                s, actor=actor, location=location, appointment_id=appointment_id)
            sale = sales.open_for_change(s, sale.id or 0, location, "a deposit")
            purpose, description = "deposit", f"Deposit, appointment {appointment_id}"
        else:
            sale = sales.open_for_change(s, sale_id or 0, location, "a payment link")
            description = f"Sale {sale.id}"
        payment = _pending_stripe(s, sale.id or 0, purpose)
        if payment is not None and payment.reader_id is not None:
            payment = None
        if payment is None:
            due = payments.due_cents(s, sale)
            amount = min(due, appt.deposit_cents) if purpose == "deposit" else due
            if amount <= 0:
                raise RuleViolation(f"sale {sale.id} has nothing left to pay")
            payment = _new_pending(s, actor=actor, location=location, sale=sale, amount=amount, tip=0, purpose=purpose)
        client = s.get(Client, sale.client_id) if sale.client_id else None
        prefix, payment_id, amount = key_prefix(s, location), payment.id or 0, payment.amount_cents
        metadata = _metadata(s, location, payment)
        existing_url = payment.payment_url
        uow.commit()
    if existing_url:
        return _payment(engine, payment_id)
    link = gateway.create_payment_link(
        amount_cents=amount, currency=location.currency.lower(), description=description[:200],
        idempotency_key=f"{prefix}-payment-{payment_id}-link", metadata=metadata, success_url=success_url,
        cancel_url=cancel_url, customer_id=client.stripe_customer_id if client else None,
        customer_email=client.email if client and not client.stripe_customer_id else None)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Payment, payment_id, with_for_update=True)
        assert row is not None
        row.stripe_checkout_session_id, row.payment_url, row.updated_at = link.id, link.url, clock.now()
        if link.payment_intent_id:
            row.stripe_payment_intent_id = link.payment_intent_id
        uow.session.add(row)
        audit.record(uow.session, actor=actor, action="payment.link", entity="payment", entity_id=payment_id,
                     location_id=location.id, after={"url": link.url, "session": link.id})
        uow.commit()
    return _payment(engine, payment_id)


def _payment(engine: Engine, payment_id: int) -> PaymentView:
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.get(Payment, payment_id)
        assert row is not None
        return payment_view(row)


# ----------------------------------------------------------------------------- saved card (penalties)

@dataclass(frozen=True)
class ChargeOutcome:
    penalty: PenaltyView
    payment: PaymentView
    ok: bool
    reason: str | None


def charge_penalty(engine: Engine, *, actor: Actor, location: LocationView, penalty_id: int,
                   gateway: StripeGateway) -> ChargeOutcome:
    """Charge a no-show or late-cancel fee to the client's saved card, off-session. Accepted by Stripe,
    the penalty is `charged`; it is `paid` when Stripe confirms the payment (webhook or sync). A decline
    or a bank asking for authentication leaves it `failed` with the reason."""
    authorize(actor, Permission.desk)
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale, penalty = _penalty_sale(s, actor=actor, location=location, penalty_id=penalty_id)
        client = s.get(Client, penalty.client_id) if penalty.client_id else None
        if client is None or not client.stripe_customer_id or not client.stripe_payment_method_id:
            raise RuleViolation(f"client {penalty.client_id} has no saved card to charge",
                                hint=f"send a payment link instead: salon stripe link --penalty {penalty_id}")
        payment = _pending_stripe(s, sale.id or 0, "penalty")
        if payment is None:
            payment = _new_pending(s, actor=actor, location=location, sale=sale,
                                   amount=payments.due_cents(s, sale), tip=0, purpose="penalty")
        prefix, payment_id, amount = key_prefix(s, location), payment.id or 0, payment.amount_cents
        metadata = {**_metadata(s, location, payment), "salon_penalty_id": str(penalty_id)}
        customer, method = client.stripe_customer_id, client.stripe_payment_method_id
        uow.commit()
    try:
        intent = gateway.charge_saved_card(
            amount_cents=amount, currency=location.currency.lower(), customer_id=customer, payment_method_id=method,
            idempotency_key=f"{prefix}-payment-{payment_id}-offsession", metadata=metadata,
            description=f"Penalty {penalty_id} at {location.code}")
    except CardDeclined as declined:
        with UnitOfWork(engine) as uow:
            row = uow.session.get(Payment, payment_id, with_for_update=True)
            assert row is not None
            row.stripe_payment_intent_id = row.stripe_payment_intent_id or declined.payment_intent_id
            tenders.fail(uow.session, row, str(declined), actor=actor, location=location)
            uow.commit()
            return ChargeOutcome(penalties.view(uow.session, penalty_id, location), payment_view(row), False,
                                 str(declined))
    with UnitOfWork(engine) as uow:
        s = uow.session
        row = s.get(Payment, payment_id, with_for_update=True)
        assert row is not None
        row.stripe_payment_intent_id = intent.id
        row.stripe_charge_id = intent.latest_charge or row.stripe_charge_id
        row.updated_at = clock.now()
        s.add(row)
        pen = s.get(Penalty, penalty_id, with_for_update=True)
        assert pen is not None
        if pen.status in ("pending", "failed"):
            before = audit.snapshot(pen)
            pen.status, pen.stripe_payment_intent_id, pen.failure_reason, pen.updated_at = (
                "charged", intent.id, None, clock.now())
            s.add(pen)
            s.flush()
            audit.record(s, actor=actor, action="penalty.charged", entity="penalty", entity_id=pen.id,
                         location_id=location.id, before=before, after=audit.snapshot(pen))
        uow.commit()
        return ChargeOutcome(penalties.view(s, penalty_id, location), payment_view(row), True, None)


# ----------------------------------------------------------------------------- refunds

def refund_sale(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int, reason: str,
                amount_cents: int | None = None, payment_id: int | None = None,
                gateway_factory: Callable[[], StripeGateway] | None = None) -> list[RefundView]:
    """Refund a sale: desk methods at once, Stripe payments through the Refund API (pending until Stripe
    reports the refund succeeded)."""
    with UnitOfWork(engine) as uow:
        rows = tenders.refund(uow.session, actor=actor, location=location, sale_id=sale_id, reason=reason,
                               amount_cents=amount_cents, payment_id=payment_id)
        ids = [r.id or 0 for r in rows]
        uow.commit()
    send = [r.id or 0 for r in rows if r.method == "stripe"]
    if send:
        gateway = gateway_factory() if gateway_factory else default_gateway()
        send_refunds(engine, actor=actor, location=location, refund_ids=send, gateway=gateway)
    with UnitOfWork(engine, write=False) as uow:
        return [refund_view(r) for r in uow.session.exec(select(Refund).where(col(Refund.id).in_(ids))
                                                        .order_by(col(Refund.id))).all()]


def send_refunds(engine: Engine, *, actor: Actor, location: LocationView, refund_ids: list[int],
                 gateway: StripeGateway) -> None:
    for refund_id in refund_ids:
        with UnitOfWork(engine, write=False) as uow:
            row = uow.session.get(Refund, refund_id)
            payment = uow.session.get(Payment, row.payment_id) if row is not None else None
            prefix = key_prefix(uow.session, location)
        if row is None or payment is None or row.status != "pending" or not payment.stripe_payment_intent_id:
            continue
        result = gateway.create_refund(payment_intent_id=payment.stripe_payment_intent_id,
                                       amount_cents=row.amount_cents, idempotency_key=f"{prefix}-refund-{refund_id}",
                                       metadata={"salon_refund_id": str(refund_id), "reason": row.reason[:200]})
        status = {"succeeded": "succeeded", "failed": "failed", "canceled": "cancelled"}.get(result.status, "pending")
        with UnitOfWork(engine) as uow:
            fresh = uow.session.get(Refund, refund_id, with_for_update=True)
            assert fresh is not None
            tenders.refund_outcome(uow.session, fresh, status, actor=actor, location=location,
                                    reason=result.failure_reason, stripe_refund_id=result.id)
            uow.commit()


def resend_pending_refunds(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int,
                           gateway: StripeGateway) -> list[int]:
    """Refunds asked of Stripe whose answer never came back (exit 5): ask again with the same keys."""
    with UnitOfWork(engine, write=False) as uow:
        ids = [r for r in uow.session.exec(select(Refund.id).where(
            Refund.sale_id == sale_id, col(Refund.method) == "stripe", col(Refund.status) == "pending",
            col(Refund.stripe_refund_id).is_(None))).all()]
    send_refunds(engine, actor=actor, location=location, refund_ids=[int(i) for i in ids], gateway=gateway)
    return [int(i) for i in ids]


def default_gateway() -> StripeGateway:
    """The Stripe gateway from the environment's settings (`SALON_STRIPE_*`)."""
    return StripeGateway.from_env()

