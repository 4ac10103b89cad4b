"""What a sale can still give back, payment by payment (`till.refund_choices`: the dashboard's refund
picker), and the dashboard's refund path for a Stripe payment: `stripe.payments.refund_sale` with the
payment chosen, asked of Stripe (the stand-in) by the refund's id. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from salon_cli.core.errors import RuleViolation
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.till.refund_choices import refund_choices
from shop import make_shop


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _choices(engine, shop, sale_id):
    with UnitOfWork(engine, write=False) as uow:
        found = refund_choices(uow.session, location=shop.loc, sale_id=sale_id)
    return [(c.payment.method, c.refundable_cents) for c in found.choices]


def test_the_choices_leave_out_what_is_refunded_or_waiting_and_stripe_refunds_go_to_stripe(engine, salon,
                                                                                            stripe_standin):
    shop = make_shop(engine)
    loc, sofia = shop.loc, shop.sofia
    sale = _do(engine, tickets.open_sale, actor=sofia, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_product, actor=sofia, location=loc, sale_id=sale.id, product="shampoo")  # 180.00
    cash = _do(engine, tenders.pay, actor=sofia, location=loc, sale_id=sale.id, method="cash", amount_cents=10000)
    with pytest.raises(RuleViolation, match="is open: only a paid sale is refunded"):
        _choices(engine, shop, sale.id)
    card = stripe_payments.pay_on_reader(engine, actor=sofia, location=loc, sale_id=sale.id,
                                         gateway=stripe_standin.gateway(), poll=0.0, sleep=lambda _s: None)
    assert card.ok
    assert _choices(engine, shop, sale.id) == [("cash", 10000), ("stripe", 8000)]

    rows = stripe_payments.refund_sale(engine, actor=shop.marco, location=loc, sale_id=sale.id, reason="dented",
                                       amount_cents=3000, payment_id=card.payment.id,
                                       gateway_factory=stripe_standin.gateway)
    assert [(r.payment_id, r.method, r.status, r.amount_cents) for r in rows] == [
        (card.payment.id, "stripe", "succeeded", 3000)]
    asked = stripe_standin.refunds[rows[0].stripe_refund_id]
    assert (asked["payment_intent"], asked["amount"]) == (card.payment.stripe_payment_intent_id, 3000)
    assert asked["metadata"]["salon_refund_id"] == str(rows[0].id)  # asked by the refund's own id
    assert _choices(engine, shop, sale.id) == [("cash", 10000), ("stripe", 5000)]  # the cash untouched

    stripe_standin.refund_status_next = "pending"  # Stripe has not settled it yet: it is no longer refundable
    (waiting,) = stripe_payments.refund_sale(engine, actor=shop.marco, location=loc, sale_id=sale.id, reason="more",
                                             amount_cents=2000, payment_id=card.payment.id,
                                             gateway_factory=stripe_standin.gateway)
    assert waiting.status == "pending"
    assert _choices(engine, shop, sale.id) == [("cash", 10000), ("stripe", 3000)]
    _do(engine, tenders.refund, actor=shop.marco, location=loc, sale_id=sale.id, reason="all", payment_id=cash.id)
    assert _choices(engine, shop, sale.id) == [("stripe", 3000)]  # nothing left on the cash: not offered
