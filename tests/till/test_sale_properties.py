"""Property tests through the real services and database: for any mix of lines, discount, taxes, tips,
split payments and partial refunds, a sale's figures equal the sums of its parts to the cent, and what
it kept is the sum of its payments less the sum of its refunds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from salon_cli.db.models import Payment, Product, Refund, Sale, SaleLine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.salon import policy
from shop import OWNER, make_shop

TAX_SETS = [[], ["IVA:16%:inclusive"], ["IVA:5%", "ISH:8%"], ["IVA:16%:inclusive", "ISH:3%"],
            ["A:5%:inclusive", "B:8%:inclusive"]]

line = st.tuples(st.sampled_from(["service", "product", "gift_card"]), st.integers(0, 250_000), st.integers(1, 3))
discount = st.one_of(st.none(), st.integers(0, 10_000).map(lambda bp: f"{bp // 100}.{bp % 100:02d}%"),
                     st.integers(0, 5_000).map(lambda c: f"{c // 100}.{c % 100:02d}"))
method = st.sampled_from(["cash", "card", "transfer"])


@pytest.fixture
def shop(engine, salon):
    made = make_shop(engine)
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(select(Product).where(Product.code == "shampoo")).one()
        row.stock = 1_000_000
        uow.session.add(row)
        uow.commit()
    return made


def _sum(rows, name):
    return sum(getattr(r, name) for r in rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=6), taxes=st.sampled_from(TAX_SETS), disc=discount,
       parts=st.lists(st.tuples(method, st.integers(1, 100), st.integers(0, 5_000)), min_size=1, max_size=4),
       refunds=st.lists(st.integers(1, 100), max_size=3))
def test_any_sale_adds_up(engine, shop, lines, taxes, disc, parts, refunds):
    loc = shop.loc
    with UnitOfWork(engine) as uow:
        s = uow.session
        policy.update(s, actor=OWNER, location=loc, taxes=taxes) if taxes else policy.update(
            s, actor=OWNER, location=loc, taxes=[])
        sale = tickets.create(s, actor=OWNER, location=loc)
        for kind, cents, qty in lines:
            if kind == "service":
                sales.add_service(s, actor=OWNER, location=loc, sale_id=sale.id, service="corte", staff="ana",
                                  price_cents=cents, quantity=qty)
            elif kind == "product":
                sales.add_product(s, actor=OWNER, location=loc, sale_id=sale.id, product="shampoo", quantity=qty)
            else:
                sales.add_gift_card(s, actor=OWNER, location=loc, sale_id=sale.id, amount_cents=max(cents, 1))
        try:
            sales.set_discount(s, actor=OWNER, location=loc, sale_id=sale.id, discount=disc)
        except Exception as exc:  # an amount above the discountable lines is refused, and that is all
            assert "is more than" in str(exc)
        sale_id = sale.id
        total = s.get(Sale, sale_id).total_cents
        # split the total by the drawn weights; the last part takes the rest
        weights = [w for _, w, _ in parts]
        shares = [total * w // sum(weights) for w in weights]
        shares[-1] = total - sum(shares[:-1])
        for (how, _, tip), share in zip(parts, shares):
            if share > 0:
                tenders.pay(s, actor=OWNER, location=loc, sale_id=sale_id, method=how, amount_cents=share,
                             tip_cents=tip)
        uow.commit()
    with UnitOfWork(engine) as uow:
        s = uow.session
        for pct in refunds:
            row = s.get(Sale, sale_id)
            room = row.paid_cents - row.refunded_cents
            amount = room * pct // 100
            if row.status in ("paid", "partially_refunded") and amount > 0:
                tenders.refund(s, actor=OWNER, location=loc, sale_id=sale_id, reason="property", amount_cents=amount)
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        sale = s.get(Sale, sale_id)
        rows = s.exec(select(SaleLine).where(SaleLine.sale_id == sale_id)).all()
        paid = s.exec(select(Payment).where(Payment.sale_id == sale_id, Payment.status == "succeeded")).all()
        back = s.exec(select(Refund).where(Refund.sale_id == sale_id, Refund.status == "succeeded")).all()
        assert sale.subtotal_cents == _sum(rows, "gross_cents") == sum(r.quantity * r.unit_price_cents for r in rows)
        assert sale.discount_cents == _sum(rows, "discount_cents")
        assert sale.tax_cents == _sum(rows, "tax_cents") == sum(t["amount_cents"] for r in rows for t in r.taxes)
        assert sale.total_cents == _sum(rows, "total_cents")
        exclusive = sum(t["amount_cents"] for r in rows for t in r.taxes if not t["inclusive"])
        assert sale.total_cents == sale.subtotal_cents - sale.discount_cents + exclusive
        for r in rows:
            inclusive = sum(t["amount_cents"] for t in r.taxes if t["inclusive"])
            assert r.gross_cents - r.discount_cents == r.net_cents + inclusive
            assert r.total_cents == r.net_cents + r.tax_cents and min(r.net_cents, r.tax_cents, r.discount_cents) >= 0
        assert sale.paid_cents == _sum(paid, "amount_cents") and sale.tip_cents == _sum(paid, "tip_cents")
        assert sale.refunded_cents == _sum(back, "amount_cents") <= sale.paid_cents
        kept = sale.paid_cents - sale.refunded_cents
        assert kept == _sum(paid, "amount_cents") - _sum(back, "amount_cents")
        if sale.total_cents > 0:
            assert sale.paid_cents == sale.total_cents
            expected = "paid" if not back else ("refunded" if kept == 0 else "partially_refunded")
            assert sale.status == expected
        for p in paid:
            assert sum(b.amount_cents for b in back if b.payment_id == p.id) <= p.amount_cents
