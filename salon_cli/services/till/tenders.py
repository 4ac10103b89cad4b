"""Paying at the till by every tender, and what money at the till sets off beyond it.

`till.payments` records money and `till.sales` keeps a ticket's figures; neither knows of memberships,
rewards, penalties or loyalty. This module composes them: a `credit` payment spends a membership credit
(`memberships.subscriptions.spend_credit`), a `points` payment uses a redemption code
(`loyalty.rewards.use`), and `EFFECTS` is what a sale's money sets off: when it is paid, its appointment is completed
(by the money, whichever way it came: the desk, the reader or a webhook), the penalties whose fees it
carries are paid and its client earns points; when a refund succeeds, the refunded share
of those points is voided; when a payment fails, the penalties it was paying fail. Everything above the
till (checkout, Stripe, the CLI, the dashboard) pays, settles and refunds through here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.db.models import Payment, Promotion, PromotionUse, Refund, Sale
from salon_cli.services.book import appointments, penalties
from salon_cli.services.book import status as appt_status
from salon_cli.services.loyalty import cards as loyalty
from salon_cli.services.loyalty import rewards
from salon_cli.services.memberships import subscriptions
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import payments, sales
from salon_cli.services.till.sale_views import PaymentView


def promotion_multiplier_bp(session: Session, sale_id: int) -> int:
    """The points promotions applied to the sale, multiplied together (10000: none)."""
    bp = 10000
    for value in session.exec(select(Promotion.value).join(PromotionUse, col(PromotionUse.promotion_id) == Promotion.id)
                              .where(PromotionUse.sale_id == sale_id, PromotionUse.status == "applied",
                                     Promotion.kind == "points_multiplier").order_by(col(Promotion.id))).all():
        bp = bp * int(value) // 10000
    return bp


class _TillEffects:
    """`sales.SaleEffects` of the till: the visit, penalties and loyalty follow the sale's money."""

    def paid(self, session: Session, sale: Sale, *, actor: Actor, location: LocationView, method: str,
             now: datetime) -> None:
        penalties.paid_by_sale(session, sale.id or 0, method=method, actor=actor, location=location, now=now)
        loyalty.earn_for_sale(session, sale, actor=actor, location=location,
                              multiplier_bp=promotion_multiplier_bp(session, sale.id or 0))
        if sale.appointment_id is not None:  # a visit is completed by its money, never before it
            appt = appointments.get(session, sale.appointment_id, location, lock=True)
            if appt.status in ("checked_in", "in_service"):
                appt_status.complete(session, actor=actor, location=location, appointment_id=appt.id or 0)

    def refunded(self, session: Session, refund: Refund, *, actor: Actor, location: LocationView) -> None:
        loyalty.void_for_refund(session, refund, actor=actor, location=location)

    def failed(self, session: Session, payment: Payment, reason: str, *, actor: Actor,
               location: LocationView) -> None:
        penalties.failed_with_payment(session, payment.sale_id, reason, actor=actor, location=location)


EFFECTS: sales.SaleEffects = _TillEffects()


def pay(session: Session, *, actor: Actor, location: LocationView, sale_id: int, method: str,
        amount_cents: int | None = None, tip_cents: int = 0, tendered_cents: int | None = None,
        gift_card: str | None = None, reference: str | None = None, code: str | None = None,
        purpose: str = "sale") -> PaymentView:
    """Take a payment at the desk. `amount_cents` None pays what is due. Cash may be more than is due:
    the rest is change. Other methods may not be more than is due. `credit` spends one of the client's
    membership credits on one service line; `points` uses a redemption `code` (what its reward is worth
    on this sale, at most `amount_cents`)."""
    how, sale, due = payments.begin(session, actor=actor, location=location, sale_id=sale_id, method=method,
                                    tip_cents=tip_cents, code=code)
    if purpose != "deposit" and sale.appointment_id is not None:
        appt = appointments.get(session, sale.appointment_id, location)
        if appt.status == "booked":  # money before the visit is a deposit, settled if the visit never happens
            raise RuleViolation(f"appointment {appt.id} has not begun: money taken before the visit is a deposit",
                                hint=f"salon appt deposit {appt.id} --pay METHOD[:AMOUNT], or check it in first")
    if how not in payments.NON_MONEY:
        return payments.take_money(session, actor=actor, location=location, sale=sale, method=how, due=due,
                                   effects=EFFECTS, amount_cents=amount_cents, tip_cents=tip_cents,
                                   tendered_cents=tendered_cents, gift_card=gift_card, reference=reference,
                                   purpose=purpose)
    if amount_cents is not None and amount_cents <= 0:
        raise InvalidInput("a payment must be more than zero")
    cap = due if amount_cents is None else min(due, amount_cents)
    if how == "points":
        redemption, amount = rewards.use(session, location=location, sale=sale, code=code or "", due_cents=cap)
        return payments.record_in_kind(session, actor=actor, location=location, sale=sale, method=how,
                                       amount_cents=amount, reference=redemption.code, effects=EFFECTS,
                                       redemption_id=redemption.id)
    if sale.client_id is None:
        raise RuleViolation(f"sale {sale.id} has no client: membership credits are a client's")
    membership_id, amount = subscriptions.spend_credit(session, actor=actor, location=location, sale=sale,
                                                       due_cents=payments.due_cents(session, sale))
    return payments.record_in_kind(session, actor=actor, location=location, sale=sale, method=how,
                                   amount_cents=min(amount, cap), reference=f"membership {membership_id}",
                                   effects=EFFECTS, membership_id=membership_id)


def settle(session: Session, sale: Sale, *, actor: Actor, location: LocationView, day: date | None = None) -> None:
    """`sales.settle` with the till's effects (a sale with nothing to pay is settled as it is)."""
    sales.settle(session, sale, actor=actor, location=location, effects=EFFECTS, day=day)


def succeed(session: Session, payment: Payment, *, actor: Actor, location: LocationView, day: date | None = None,
            charge_id: str | None = None, intent_id: str | None = None) -> bool:
    return payments.succeed(session, payment, actor=actor, location=location, effects=EFFECTS, day=day,
                            charge_id=charge_id, intent_id=intent_id)


def fail(session: Session, payment: Payment, reason: str, *, actor: Actor, location: LocationView,
         status: str = "failed") -> bool:
    return payments.fail(session, payment, reason, actor=actor, location=location, effects=EFFECTS, status=status)


def refund(session: Session, *, actor: Actor, location: LocationView, sale_id: int, reason: str,
           amount_cents: int | None = None, payment_id: int | None = None) -> list[Refund]:
    return payments.refund(session, actor=actor, location=location, sale_id=sale_id, reason=reason, effects=EFFECTS,
                           amount_cents=amount_cents, payment_id=payment_id)


def replace_refunds(session: Session, old: list[Refund], new: list[Refund], *, actor: Actor, location: LocationView,
                    why: str) -> None:
    payments.replace_refunds(session, old, new, actor=actor, location=location, effects=EFFECTS, why=why)


def refund_outcome(session: Session, row: Refund, status: str, *, actor: Actor, location: LocationView,
                   day: date | None = None, reason: str | None = None, stripe_refund_id: str | None = None) -> bool:
    return payments.refund_outcome(session, row, status, actor=actor, location=location, effects=EFFECTS, day=day,
                                   reason=reason, stripe_refund_id=stripe_refund_id)
