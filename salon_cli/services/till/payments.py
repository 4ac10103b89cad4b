"""Payments and refunds at the desk, and the state changes every payment goes through.

Payments and refunds are a ledger (DESIGN.md rule 2): rows are never edited except to move a pending
one to its outcome (`succeeded`, `failed`, `cancelled`); a correction is a refund. Stripe's refunds
also move back: one that succeeded may fail later, and one recorded without knowing which refund it
was is `cancelled` when the refunds Stripe names take its place (`replace_refunds`). A payment counts
(in `sale.paid_cents`, reports and the Z-report) only once `succeeded`: at once for cash, an outside
card terminal, a transfer or a gift card; for Stripe only when Stripe says so (`services.stripe.payments`,
`services.stripe.apply`). Tips ride on payments and are not refunded here (a tip is the stylist's).

This module records money and knows nothing of memberships, rewards, penalties or loyalty: a payment in
kind (a membership credit, a redemption code) is worked out by `till.tenders` and recorded here, and
every change that settles a sale takes the `SaleEffects` to run (`till.tenders` binds them: callers
above the till go through `tenders`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import PAYMENT_METHODS, Payment, Refund, Sale, SaleLine
from salon_cli.services.salon import audit, business_days
from salon_cli.services.till import gift_cards, sales
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import PaymentView, RefundView, payment_view, refund_view
from salon_cli.services.till.sales import SaleEffects

DESK_METHODS = ("cash", "card", "gift_card", "transfer")
# paid with something other than money: a membership credit, a loyalty redemption code. They earn no
# points and are not refunded in money (see README: refunds).
NON_MONEY = ("credit", "points")


def check_method(text: str) -> str:
    method = (text or "").strip().lower()
    if method not in PAYMENT_METHODS or method == "unknown":
        raise InvalidInput(f"method {text!r} is not one of cash, card, stripe, gift_card, credit, points, transfer")
    return method


def due_cents(session: Session, sale: Sale) -> int:
    """What is still to pay: the total less succeeded payments and those in flight (pending)."""
    pending = session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0))
                           .where(Payment.sale_id == sale.id, col(Payment.status) == "pending")).one()
    return sale.total_cents - sale.paid_cents - int(pending)


def audit_row(session: Session, actor: Actor, location: LocationView, action: str, row: Any, before: Any = None) -> None:
    """The audit row of a payment or refund row's change (`payment.create`, `refund.succeeded`, ...)."""
    entity = "payment" if isinstance(row, Payment) else "refund"
    audit.record(session, actor=actor, action=f"{entity}.{action}", entity=entity, entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))


def begin(session: Session, *, actor: Actor, location: LocationView, sale_id: int, method: str, tip_cents: int = 0,
          code: str | None = None) -> tuple[str, Sale, int]:
    """The checks every desk payment passes first, whatever pays it: (method, the sale locked, what is due)."""
    authorize(actor, Permission.desk)
    how = check_method(method)
    if how == "stripe":
        raise InvalidInput("a Stripe payment goes to the card reader", hint="salon sale pay SALE --method stripe")
    if tip_cents < 0:
        raise InvalidInput("a tip must not be negative")
    if how in NON_MONEY and tip_cents:
        raise InvalidInput(f"a tip is money: it does not ride on a {how} payment")
    if how == "points" and not code:
        raise InvalidInput("points pay through a redemption code", hint="--code K7QM-3XPD (or checkout --redeem CODE)")
    if code and how != "points":
        raise InvalidInput("a redemption code goes with --method points")
    tip_only = tip_cents > 0 and how not in NON_MONEY
    sale = sales.get(session, sale_id, location, lock=True)
    if sale.status == "paid" and tip_only:  # a tip after the bill was covered (by a code, a credit, ...)
        business_days.ensure_today_open(session, location, "a tip")
        return how, sale, 0
    sale = sales.open_for_change(session, sale_id, location, "a payment")
    due = due_cents(session, sale)
    if due <= 0 and not tip_only:
        raise RuleViolation(f"sale {sale_id} has nothing left to pay", hint=f"see: salon sale show {sale_id}")
    return how, sale, max(due, 0)


def take_money(session: Session, *, actor: Actor, location: LocationView, sale: Sale, method: str, due: int,
               effects: SaleEffects, amount_cents: int | None = None, tip_cents: int = 0,
               tendered_cents: int | None = None, gift_card: str | None = None,
               reference: str | None = None, purpose: str = "sale") -> PaymentView:
    """A money payment (after `begin`). `amount_cents` None pays what is due. Cash may be more than is
    due: the rest is change. Other methods may not be more than is due. With nothing due, a payment
    carries only its tip (the bill was covered by a code, a credit or a gift card)."""
    how = method
    amount = due if amount_cents is None else amount_cents
    if amount < 0 or (amount == 0 and not tip_cents):
        raise InvalidInput("a payment must be more than zero")
    change = 0
    if how == "cash":
        if tendered_cents is None and amount > due:
            tendered_cents, amount = amount, due  # the rest of what was handed over is tip and change
        if tendered_cents is not None:
            change = tendered_cents - amount - tip_cents
            if change < 0:
                raise RuleViolation(f"{format_money(tendered_cents, location.currency)} handed over is less than "
                                    f"{format_money(amount + tip_cents, location.currency)}")
    elif amount > due:
        raise RuleViolation(f"a {how} payment of {format_money(amount, location.currency)} is more than the "
                            f"{format_money(due, location.currency)} due", hint="only cash gives change")
    card_id = None
    if how == "gift_card":
        if not gift_card:
            raise InvalidInput("which gift card? pass its code", hint="--gift-card GC-XXXX-XXXX")
        if _sells_gift_card(session, sale.id or 0, gift_card):
            raise RuleViolation("a gift card cannot pay for its own sale")
        card_id = gift_cards.debit(session, gift_card, amount + tip_cents).id
    now = clock.now()
    row = Payment(sale_id=sale.id or 0, location_id=location.id, method=how, status="succeeded", purpose=purpose,
                  amount_cents=amount,
                  tip_cents=tip_cents, tendered_cents=tendered_cents, change_cents=change,
                  business_date=business_days.today(location), gift_card_id=card_id,
                  reference=(reference or None), created_at=now, created_by_id=actor.id, succeeded_at=now,
                  updated_at=now)
    session.add(row)
    session.flush()
    audit_row(session, actor, location, "create", row)
    sales.settle(session, sale, actor=actor, location=location, effects=effects)
    return payment_view(row, 0, gift_card and gift_cards.normalise(gift_card))


def record_in_kind(session: Session, *, actor: Actor, location: LocationView, sale: Sale, method: str,
                   amount_cents: int, reference: str, effects: SaleEffects, redemption_id: int | None = None,
                   membership_id: int | None = None) -> PaymentView:
    """A membership credit or a redemption code, recorded as a payment of what it covers (worked out
    by `till.tenders`, which has spent the credit or used the code in the same transaction)."""
    now = clock.now()
    row = Payment(sale_id=sale.id or 0, location_id=location.id, method=method, status="succeeded",
                  amount_cents=amount_cents, business_date=business_days.today(location), redemption_id=redemption_id,
                  membership_id=membership_id, reference=reference, created_at=now, created_by_id=actor.id,
                  succeeded_at=now, updated_at=now)
    session.add(row)
    session.flush()
    audit_row(session, actor, location, "create", row)
    sales.settle(session, sale, actor=actor, location=location, effects=effects)
    return payment_view(row, 0, None)


def _sells_gift_card(session: Session, sale_id: int, code: str) -> bool:
    card = gift_cards.find(session, code)
    return session.exec(select(SaleLine.id).where(SaleLine.sale_id == sale_id,
                                                  SaleLine.gift_card_id == card.id)).first() is not None


# ----------------------------------------------------------------------------- outcomes (all methods)

def succeed(session: Session, payment: Payment, *, actor: Actor, location: LocationView, effects: SaleEffects,
            day: date | None = None, charge_id: str | None = None, intent_id: str | None = None) -> bool:
    """A pending (or failed, then retried) payment succeeded; False if it already had."""
    if payment.status == "succeeded":
        if charge_id and not payment.stripe_charge_id:
            payment.stripe_charge_id = charge_id
            session.add(payment)
        return False
    before = audit.snapshot(payment)
    now = clock.now()
    payment.status, payment.succeeded_at, payment.updated_at = "succeeded", now, now
    payment.failure_reason = None
    payment.business_date = day or business_days.landing_day(session, location)
    payment.stripe_charge_id = charge_id or payment.stripe_charge_id
    payment.stripe_payment_intent_id = intent_id or payment.stripe_payment_intent_id
    session.add(payment)
    session.flush()
    audit_row(session, actor, location, "succeeded", payment, before)
    sale = session.get(Sale, payment.sale_id, with_for_update=True)
    assert sale is not None
    if sale.status == "void":  # money arrived for a voided sale: record it, a person must refund it
        return True
    sales.settle(session, sale, actor=actor, location=location, effects=effects, day=payment.business_date)
    return True


def fail(session: Session, payment: Payment, reason: str, *, actor: Actor, location: LocationView,
         effects: SaleEffects, status: str = "failed") -> bool:
    """A pending payment failed (declined, cancelled at the reader, timed out); `effects.failed` tells
    what it was paying (penalties become `failed` with the reason). A payment that already succeeded
    stays succeeded."""
    if payment.status != "pending":
        return False
    before = audit.snapshot(payment)
    payment.status, payment.failure_reason, payment.updated_at = status, reason[:255], clock.now()
    session.add(payment)
    session.flush()
    audit_row(session, actor, location, status, payment, before)
    effects.failed(session, payment, reason, actor=actor, location=location)
    return True


# ----------------------------------------------------------------------------- refunds

def refundable_cents(session: Session, payment: Payment) -> int:
    if payment.status != "succeeded":
        return 0
    taken = session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment.id, col(Refund.status).in_(("pending", "succeeded")))).one()
    return payment.amount_cents - int(taken)


def refund(session: Session, *, actor: Actor, location: LocationView, sale_id: int, reason: str, effects: SaleEffects,
           amount_cents: int | None = None, payment_id: int | None = None) -> list[Refund]:
    """Give money back (a manager, with a reason): from one payment, or from the newest payments first.
    Cash comes out of the drawer, a gift card gets its balance back, an outside card terminal's refund
    is recorded; Stripe refunds are created `pending` here and sent by `stripe_payments.send_refunds`."""
    authorize(actor, Permission.sale_refund)
    why = clean_text(reason, refusal_words("the reason"), 255, required=True) or ""
    sale = sales.get(session, sale_id, location, lock=True)
    if sale.status not in ("paid", "partially_refunded"):
        raise RuleViolation(f"sale {sale_id} is {sale.status.replace('_', ' ')}: only a paid sale is refunded",
                            hint="an open sale is voided instead: salon sale void ID --reason ...")
    day = business_days.ensure_today_open(session, location, "a refund")
    query = select(Payment).where(Payment.sale_id == sale.id, col(Payment.status) == "succeeded",
                                  col(Payment.method).not_in(NON_MONEY))
    if payment_id is not None:
        query = query.where(Payment.id == payment_id)
    candidates = session.exec(query.order_by(col(Payment.id).desc()).with_for_update()).all()
    if payment_id is not None and not candidates:
        raise NotFound(f"sale {sale_id} has no succeeded payment {payment_id}", hint=f"see: salon sale show {sale_id}")
    room = [(p, refundable_cents(session, p)) for p in candidates]
    available = sum(r for _, r in room)
    wanted = available if amount_cents is None else amount_cents
    if wanted <= 0:
        raise RuleViolation(f"sale {sale_id} has nothing left to refund") if available <= 0 else \
            InvalidInput("a refund must be more than zero")
    if wanted > available:
        raise RuleViolation(f"a refund of {format_money(wanted, location.currency)} is more than the "
                            f"{format_money(available, location.currency)} that can still be refunded")
    now = clock.now()
    rows: list[Refund] = []
    for payment, left in room:
        if wanted <= 0:
            break
        take = min(left, wanted)
        if take <= 0:
            continue
        wanted -= take
        row = Refund(sale_id=sale.id or 0, payment_id=payment.id or 0, location_id=location.id, method=payment.method,
                     status="pending", amount_cents=take, reason=why, business_date=day, created_at=now,
                     created_by_id=actor.id, updated_at=now)
        session.add(row)
        session.flush()
        audit_row(session, actor, location, "create", row)
        if payment.method != "stripe":
            if payment.method == "gift_card" and payment.gift_card_id is not None:
                gift_cards.credit(session, payment.gift_card_id, take)
            refund_outcome(session, row, "succeeded", actor=actor, location=location, effects=effects, day=day)
        rows.append(row)
    gift_cards.follow_refunds(session, sale, actor=actor, location=location, asked_cents=sum(r.amount_cents for r in rows))
    return rows


def refund_outcome(session: Session, row: Refund, status: str, *, actor: Actor, location: LocationView,
                   effects: SaleEffects, day: date | None = None, reason: str | None = None,
                   stripe_refund_id: str | None = None) -> bool:
    """Move a refund to its outcome and keep the sale's figures and status in step."""
    if stripe_refund_id and not row.stripe_refund_id:
        row.stripe_refund_id = stripe_refund_id
    # a refund Stripe reported succeeded may still fail later (the money comes back): that one move back
    # is allowed; failed and cancelled are final
    if row.status == status or row.status in ("failed", "cancelled") or (
            row.status == "succeeded" and status != "failed"):
        session.add(row)
        session.flush()
        return False
    before = audit.snapshot(row)
    now = clock.now()
    row.status, row.updated_at = status, now
    if status == "succeeded":
        row.succeeded_at = now
        row.business_date = day or business_days.landing_day(session, location)
    if reason:
        row.failure_reason = reason[:255]
    session.add(row)
    session.flush()
    audit_row(session, actor, location, status if status != "succeeded" else "succeeded", row, before)
    sale = session.get(Sale, row.sale_id, with_for_update=True)
    assert sale is not None
    sales.settle(session, sale, actor=actor, location=location, effects=effects)
    gift_cards.follow_refunds(session, sale, actor=actor, location=location)
    if status == "succeeded":
        effects.refunded(session, row, actor=actor, location=location)
    return True


def replace_refunds(session: Session, old: list[Refund], new: list[Refund], *, actor: Actor, location: LocationView,
                    effects: SaleEffects, why: str) -> None:
    """Refunds recorded without knowing which refunds they were (Stripe's charge said how much went back,
    not by which refunds) give way, in one step, to those that take their place: each of `old` (succeeded)
    becomes `cancelled` with `why`, each of `new` (rows not yet added, their status and amount set) is
    recorded on the landing day, and the sale is settled once, so its figures never pass through a state
    that was never true. A new succeeded refund sets off its effects (the loyalty void of the refunded
    share, which is nothing more while the sale's refunded total is unchanged)."""
    now = clock.now()
    for row in old:
        before = audit.snapshot(row)
        row.status, row.failure_reason, row.updated_at = "cancelled", why[:255], now
        session.add(row)
        session.flush()
        audit_row(session, actor, location, "cancelled", row, before)
    day = business_days.landing_day(session, location)
    for row in new:
        row.business_date, row.created_at, row.updated_at = day, now, now
        row.succeeded_at = now if row.status == "succeeded" else None
        session.add(row)
        session.flush()
        audit_row(session, actor, location, "create", row)
    sale = session.get(Sale, (old or new)[0].sale_id, with_for_update=True)
    assert sale is not None
    sales.settle(session, sale, actor=actor, location=location, effects=effects)
    gift_cards.follow_refunds(session, sale, actor=actor, location=location)
    for row in new:
        if row.status == "succeeded":
            effects.refunded(session, row, actor=actor, location=location)


def refund_views(rows: list[Refund]) -> list[RefundView]:
    return [refund_view(r) for r in rows]
