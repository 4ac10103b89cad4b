"""Money given back for a gift card is value the card no longer holds (issue 26; BUG 2 of the money
state machine), on SQLite and PostgreSQL.

A refund of a sale that sold gift cards comes off the sale's other lines first (a complaint about the
haircut does not empty the card bought beside it); what goes beyond them comes off the cards, up to
what is left unspent on them, and more than that is refused. A Stripe refund that fails puts the value
back on the card. A card whose whole value went back is void.

The salon is `tests/shop.py`'s: sofia the receptionist, marco the manager; the shampoo costs 180.00.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import GiftCard, Payment, Refund, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.till import gift_cards, sales, tenders, tickets
from shop import make_shop


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _sell(engine, shop, *, card_cents=50_000, shampoo=False, method="cash"):
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale = tickets.open_sale(s, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sold = sales.add_gift_card(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=card_cents)
        if shampoo:
            sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method=method)
        uow.commit()
    return sale.id, sold.lines[0].gift_card


def _refund(engine, shop, sale_id, amount_cents=None):
    with UnitOfWork(engine) as uow:
        rows = tenders.refund(uow.session, actor=shop.marco, location=shop.loc, sale_id=sale_id, reason="returned",
                              amount_cents=amount_cents)
        uow.commit()
    return rows


def _card(engine, code):
    with UnitOfWork(engine, write=False) as uow:
        card = uow.session.exec(select(GiftCard).where(GiftCard.code == code)).one()
        return card.status, card.balance_cents, card.refunded_cents


def _spend(engine, shop, code, cents):
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale = tickets.open_sale(s, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="gift_card", gift_card=code,
                    amount_cents=cents)
        uow.commit()


def test_a_gift_card_refunded_in_full_is_void_and_cannot_be_spent(engine, shop):
    sale_id, code = _sell(engine, shop)
    _refund(engine, shop, sale_id)
    assert _card(engine, code) == ("void", 0, 50_000)
    with UnitOfWork(engine) as uow, pytest.raises(RuleViolation, match="cannot be used: it was voided"):
        gift_cards.debit(uow.session, code, 100)


def test_a_partial_refund_takes_that_much_off_the_card(engine, shop):
    sale_id, code = _sell(engine, shop)
    _refund(engine, shop, sale_id, 20_000)
    assert _card(engine, code) == ("active", 30_000, 20_000)
    _refund(engine, shop, sale_id, 30_000)
    assert _card(engine, code) == ("void", 0, 50_000)


def test_what_was_spent_from_the_card_cannot_be_refunded(engine, shop):
    sale_id, code = _sell(engine, shop)
    _spend(engine, shop, code, 18_000)
    with pytest.raises(RuleViolation, match=f"gift card {code} has 320.00 MXN left unspent"):
        _refund(engine, shop, sale_id)
    assert _card(engine, code) == ("active", 32_000, 0)
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(Refund)).all() == []
    _refund(engine, shop, sale_id, 32_000)
    assert _card(engine, code) == ("active", 0, 32_000)
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.get(Sale, sale_id).status == "partially_refunded"


def test_a_refund_comes_off_the_other_lines_first(engine, shop):
    sale_id, code = _sell(engine, shop, shampoo=True)  # 500.00 card + 180.00 shampoo
    _refund(engine, shop, sale_id, 18_000)  # the shampoo came back
    assert _card(engine, code) == ("active", 50_000, 0)
    _refund(engine, shop, sale_id, 10_000)
    assert _card(engine, code) == ("active", 40_000, 10_000)


def test_a_failed_stripe_refund_puts_the_value_back_on_the_card(engine, shop):
    sale_id, code = _sell(engine, shop)
    with UnitOfWork(engine) as uow:  # as if the sale had been paid through Stripe
        payment = uow.session.exec(select(Payment).where(Payment.sale_id == sale_id)).one()
        payment.method, payment.stripe_payment_intent_id = "stripe", "pi_card"
        uow.session.add(payment)
        uow.commit()
    (row,) = _refund(engine, shop, sale_id, 20_000)
    assert row.status == "pending" and _card(engine, code) == ("active", 30_000, 20_000)
    with UnitOfWork(engine) as uow:
        fresh = uow.session.get(Refund, row.id)
        tenders.refund_outcome(uow.session, fresh, "failed", actor=shop.marco, location=shop.loc, reason="declined")
        uow.commit()
    assert _card(engine, code) == ("active", 50_000, 0)
