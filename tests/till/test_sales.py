"""Sales, payments, refunds, gift cards, checkout and the closed day, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import dataclasses

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import Conflict, InvalidInput, NotPermitted, RuleViolation
from salon_cli.db.models import Appointment, AuditLog, DayClose, GiftCard, Payment, Penalty, Product, Refund, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import status as appt_status
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.till import gift_cards, penalty_fees, sales, tenders, tickets
from salon_cli.services.till.sale_views import view
from shop import make_shop

TODAY = date(2026, 11, 21)


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine, taxes=["IVA:16%:inclusive"])


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _count(engine, model, *where):
    return _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(model).where(*where)).one())


def _tender(text):
    return checkout.parse_tender(text, "MXN")


# ----------------------------------------------------------------------------- checkout

def test_checkout_split_tender_tip_discount_product_and_inclusive_tax(engine, shop):
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[_tender("card:100"), _tender("cash:500")], tip_cents=5000, discount="10%",
                             products=[("shampoo", 1)])
    sale = done.sale
    # corte 350.00 + shampoo 180.00 = 530.00; 10% = 53.00 split 35.00 / 18.00; IVA 16% inside each line
    assert [(line.kind, line.gross_cents, line.discount_cents, line.net_cents, line.tax_cents, line.total_cents)
            for line in sale.lines] == [("service", 35000, 3500, 27155, 4345, 31500),
                                        ("product", 18000, 1800, 13966, 2234, 16200)]
    assert (sale.subtotal_cents, sale.discount_cents, sale.tax_cents, sale.total_cents) == (53000, 5300, 6579, 47700)
    assert (sale.status, sale.paid_cents, sale.tip_cents, sale.balance_cents) == ("paid", 47700, 5000, 0)
    assert [(p.method, p.amount_cents, p.tip_cents, p.tendered_cents, p.change_cents) for p in sale.payments] == [
        ("card", 10000, 0, None, 0), ("cash", 37700, 5000, 50000, 7300)]
    assert done.change_cents == 7300 and sale.lines[0].staff == "ana"
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.get(Appointment, shop.appt).status == "completed"
        assert uow.session.exec(select(Product.stock).where(Product.code == "shampoo")).one() == 4
        actions = uow.session.exec(select(AuditLog.action).where(col(AuditLog.action).like("sale.%"))).all()
        assert {"sale.open", "sale.line_add", "sale.discount", "sale.paid"} <= set(actions)


def test_checkout_that_does_not_cover_changes_nothing(engine, shop):
    with pytest.raises(RuleViolation, match="unpaid; nothing was recorded"):
        checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                          tenders=[_tender("card:100")], products=[("shampoo", 2)])
    assert _count(engine, Sale) == 0 and _count(engine, Payment) == 0
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.get(Appointment, shop.appt).status == "booked"
        assert uow.session.exec(select(Product.stock).where(Product.code == "shampoo")).one() == 5


def test_checkout_twice_is_refused(engine, shop):
    checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, tenders=[_tender("cash")])
    with pytest.raises(Conflict, match="checked out already"):
        checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                          tenders=[_tender("cash")])
    assert _count(engine, Payment) == 1


def test_card_for_more_than_due_is_refused_cash_gives_change(engine, shop):
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    with pytest.raises(RuleViolation, match="money taken before the visit is a deposit"):  # still booked
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
    _do(engine, appt_status.check_in, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    with pytest.raises(RuleViolation, match="more than the 350.00 MXN due"):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="card", amount_cents=40000)
    with pytest.raises(RuleViolation, match="less than"):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash",
            amount_cents=30000, tendered_cents=20000)
    paid = _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash",
               amount_cents=50000)
    assert (paid.amount_cents, paid.tendered_cents, paid.change_cents) == (35000, 50000, 15000)
    with pytest.raises(RuleViolation, match="is paid"):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")


def test_bad_input_is_exit_2_and_changes_nothing(engine, shop):
    with pytest.raises(InvalidInput):
        checkout.parse_tender("bitcoin:10", "MXN")
    with pytest.raises(InvalidInput):
        checkout.parse_tender("cash:10.001", "MXN")
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    with pytest.raises(InvalidInput):
        _do(engine, sales.set_discount, actor=shop.sofia, location=shop.loc, sale_id=sale.id, discount="abc")
    with pytest.raises(RuleViolation, match="only 5 of Shampoo"):
        _do(engine, sales.add_product, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo", quantity=6)
    assert _read(engine, view, sale.id, shop.loc).lines == []


# ----------------------------------------------------------------------------- two taxes, void, refunds

def test_two_exclusive_taxes_are_each_rounded_per_line(engine, salon):
    shop = make_shop(engine, taxes=["IVA:5%", "ISH:8%"])
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    sale = _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte",
               staff="beto", price_cents=3333)
    assert [(t["name"], t["amount_cents"]) for t in sale.lines[1].taxes] == [("IVA", 167), ("ISH", 267)]
    assert [(t["name"], t["amount_cents"]) for t in sale.lines[0].taxes] == [("IVA", 1750), ("ISH", 2800)]
    assert sale.tax_cents == 1750 + 2800 + 167 + 267
    assert sale.total_cents == 35000 + 3333 + sale.tax_cents and sale.lines[1].staff == "beto"


def test_void_needs_a_manager_and_an_open_sale_without_money(engine, shop):
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    _do(engine, sales.add_product, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo", quantity=2)
    with pytest.raises(NotPermitted):
        _do(engine, sales.void, actor=shop.sofia, location=shop.loc, sale_id=sale.id, reason="mistake")
    with pytest.raises(InvalidInput):
        _do(engine, sales.void, actor=shop.marco, location=shop.loc, sale_id=sale.id, reason="  ")
    voided = _do(engine, sales.void, actor=shop.marco, location=shop.loc, sale_id=sale.id, reason="rang up twice")
    assert voided.status == "void" and voided.void_reason == "rang up twice"
    assert _read(engine, lambda s: s.exec(select(Product.stock).where(Product.code == "shampoo")).one()) == 5
    paid = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[_tender("cash")]).sale
    with pytest.raises(RuleViolation, match="is paid"):
        _do(engine, sales.void, actor=shop.marco, location=shop.loc, sale_id=paid.id, reason="x")


def test_refunds_partial_then_full_across_payments_newest_first(engine, shop):
    sale = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[_tender("card:100"), _tender("cash")], tip_cents=2000).sale
    with pytest.raises(NotPermitted):
        _do(engine, tenders.refund, actor=shop.sofia, location=shop.loc, sale_id=sale.id, reason="x")
    rows = _do(engine, tenders.refund, actor=shop.marco, location=shop.loc, sale_id=sale.id, reason="unhappy",
               amount_cents=30000)
    assert [(r.method, r.amount_cents, r.status) for r in rows] == [("cash", 25000, "succeeded"),
                                                                    ("card", 5000, "succeeded")]
    after = _read(engine, view, sale.id, shop.loc)
    assert (after.status, after.refunded_cents, after.paid_cents, after.tip_cents) == ("partially_refunded", 30000, 35000, 2000)
    with pytest.raises(RuleViolation, match="more than the 50.00 MXN"):
        _do(engine, tenders.refund, actor=shop.marco, location=shop.loc, sale_id=sale.id, reason="x", amount_cents=6000)
    _do(engine, tenders.refund, actor=shop.marco, location=shop.loc, sale_id=sale.id, reason="all of it")
    after = _read(engine, view, sale.id, shop.loc)
    assert (after.status, after.refunded_cents) == ("refunded", 35000)
    assert _count(engine, AuditLog, AuditLog.action == "refund.create") == 3


# ----------------------------------------------------------------------------- gift cards

def test_gift_card_sold_then_spent_never_below_zero(engine, shop):
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    sale = _do(engine, sales.add_gift_card, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=50000)
    code = sale.lines[0].gift_card
    assert sale.tax_cents == 0 and sale.total_cents == 50000  # not taxed when sold
    with pytest.raises(RuleViolation, match="not paid yet"):
        _do(engine, gift_cards.debit, code=code, amount_cents=100)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
    assert _read(engine, gift_cards.show, code).status == "active"
    spent = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                              tenders=[_tender(f"gift_card:{code.lower()}")]).sale
    assert spent.status == "paid" and spent.payments[0].gift_card == code
    assert _read(engine, gift_cards.show, code).balance_cents == 15000
    second = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    _do(engine, sales.add_product, actor=shop.sofia, location=shop.loc, sale_id=second.id, product="shampoo")
    with pytest.raises(RuleViolation, match="has 150.00 MXN left, less than 180.00 MXN"):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=second.id, method="gift_card",
            gift_card=code)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=second.id, method="gift_card",
        gift_card=code, amount_cents=15000)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=second.id, method="cash")
    assert _read(engine, gift_cards.show, code).balance_cents == 0
    _do(engine, tenders.refund, actor=shop.marco, location=shop.loc, sale_id=spent.id, reason="redo")
    assert _read(engine, gift_cards.show, code).balance_cents == 35000  # back on the card
    with UnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):
        uow.session.execute(sa.update(GiftCard).values(balance_cents=-1))
        uow.session.flush()


def test_a_gift_card_cannot_pay_for_its_own_sale(engine, shop):
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    sale = _do(engine, sales.add_gift_card, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=1000)
    with pytest.raises(RuleViolation):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="gift_card",
            gift_card=sale.lines[0].gift_card)


# ----------------------------------------------------------------------------- penalties as fees

def test_a_penalty_paid_as_a_fee_line_is_paid(engine, shop):
    with UnitOfWork(engine) as uow:
        s = uow.session
        row = s.get(Appointment, shop.appt)
        row.status = "no_show"
        s.add(row)
        s.flush()
        s.add(Penalty(location_id=shop.loc.id, appointment_id=shop.appt, client_id=shop.ximena, kind="no_show",
                      amount_cents=17500, created_at=row.created_at))
        uow.commit()
    pid = _read(engine, lambda s: s.exec(select(Penalty.id)).one())
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    sale = _do(engine, penalty_fees.add_fee, actor=shop.sofia, location=shop.loc, sale_id=sale.id, penalty_id=pid)
    assert sale.lines[0].kind == "fee" and sale.total_cents == 17500 and sale.discount_cents == 0
    other = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    with pytest.raises(Conflict, match="already on sale"):
        _do(engine, penalty_fees.add_fee, actor=shop.sofia, location=shop.loc, sale_id=other.id, penalty_id=pid)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
    pen = _read(engine, lambda s: s.get(Penalty, pid))
    assert (pen.status, pen.paid_method) == ("paid", "cash")


# ----------------------------------------------------------------------------- the closed day

def test_a_closed_day_refuses_sales_payments_and_refunds(engine, shop):
    paid = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[_tender("cash")]).sale
    open_sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    with UnitOfWork(engine) as uow:
        uow.session.add(DayClose(location_id=shop.loc.id, business_date=TODAY, closed_at=paid.created_at))
        uow.commit()
    with pytest.raises(RuleViolation, match="business day 2026-11-21 at centro is closed"):
        _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    with pytest.raises(RuleViolation, match="is closed"):
        _do(engine, sales.add_product, actor=shop.sofia, location=shop.loc, sale_id=open_sale.id, product="shampoo")
    with pytest.raises(RuleViolation, match="is closed"):
        _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=open_sale.id, method="cash",
            amount_cents=100)
    with pytest.raises(RuleViolation, match="is closed"):
        _do(engine, tenders.refund, actor=shop.marco, location=shop.loc, sale_id=paid.id, reason="x")
    assert _count(engine, Refund) == 0 and _count(engine, Sale) == 2


# ----------------------------------------------------------------------------- two desks at once

def test_two_desks_spending_one_gift_card_at_once_cannot_overdraw_it(engine, shop):
    import threading

    card_sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    card_sale = _do(engine, sales.add_gift_card, actor=shop.sofia, location=shop.loc, sale_id=card_sale.id,
                    amount_cents=50000)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=card_sale.id, method="cash")
    code = card_sale.lines[0].gift_card
    targets = []
    for _ in range(2):
        sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
        _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte",
            staff="ana", price_cents=30000)
        targets.append(sale.id)
    barrier, outcomes = threading.Barrier(2), []

    def spend(sale_id):
        barrier.wait()
        try:
            _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale_id, method="gift_card",
                gift_card=code)
            outcomes.append("paid")
        except RuleViolation as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=spend, args=(sale_id,)) for sale_id in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[:4] for o in outcomes) == ["gift", "paid"], outcomes
    assert _read(engine, gift_cards.show, code).balance_cents == 20000
    assert _count(engine, Payment, Payment.method == "gift_card") == 1


def test_a_complimentary_checkout_needs_no_payment_but_a_paid_one_does(engine, shop):
    with pytest.raises(InvalidInput, match="how is it paid"):
        checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, tenders=[])
    assert _count(engine, Sale) == 0
    with pytest.raises(NotPermitted, match="more than the desk may give"):  # a manager's to give
        checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, tenders=[],
                          discount="100%")
    marco = dataclasses.replace(shop.marco, verified=True)
    free = checkout.checkout(engine, actor=marco, location=shop.loc, appointment_id=shop.appt, tenders=[],
                             discount="100%").sale
    assert (free.status, free.total_cents, free.payments) == ("paid", 0, [])
    assert _read(engine, lambda s: s.get(Appointment, shop.appt)).status == "completed"
