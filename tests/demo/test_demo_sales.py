"""The demo's month of sales: every completed past visit checked out and paid, with figures that add up
the way the sales services keep them, several methods, tips, gift cards, split tender and refunds,
all on past business days, and the same sales for the same seed."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlmodel import col, func, select

from salon_cli.core.days import business_date, day_bounds
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import (
    Appointment, AppointmentItem, AuditLog, GiftCard, Payment, Policy, Refund, Sale, SaleLine, Staff,
)
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import locations
from salon_cli.services.demo.build import build_demo

SIZE = {"clients": 40, "days": 10}


@pytest.fixture
def demo(engine, clock):
    return build_demo(engine, **SIZE)


def _load(engine):
    """The demo's history of visits and penalties (the memberships sold today, each a sale of its fee,
    are checked on their own in test_demo_members_paid_their_fees)."""
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        fees = select(SaleLine.sale_id).where(SaleLine.kind == "membership")
        data = {
            "location": locations.resolve(s, None),
            "policy": s.exec(select(Policy)).one(),
            "sales": s.exec(select(Sale).where(col(Sale.id).not_in(fees)).order_by(col(Sale.id))).all(),
            "lines": s.exec(select(SaleLine).where(col(SaleLine.sale_id).not_in(fees))
                            .order_by(col(SaleLine.sale_id), col(SaleLine.position))).all(),
            "payments": s.exec(select(Payment).where(col(Payment.sale_id).not_in(fees)).order_by(col(Payment.id))).all(),
            "refunds": s.exec(select(Refund).order_by(col(Refund.id))).all(),
            "cards": s.exec(select(GiftCard).order_by(col(GiftCard.id))).all(),
            "appointments": {a.id: a for a in s.exec(select(Appointment))},
            "items": s.exec(select(AppointmentItem)).all(),
            "staff": {m.code: m.id for m in s.exec(select(Staff))},
            "build": s.exec(select(AuditLog).where(AuditLog.action == "demo.build")).one(),
        }
        s.expunge_all()
    return data


def test_every_sale_adds_up(engine, demo):
    d = _load(engine)
    lines, payments, refunds = defaultdict(list), defaultdict(list), defaultdict(list)
    for x in d["lines"]:
        lines[x.sale_id].append(x)
    for p in d["payments"]:
        payments[p.sale_id].append(p)
    for r in d["refunds"]:
        refunds[r.sale_id].append(r)
    assert len(d["sales"]) == demo.sales > 50
    for sale in d["sales"]:
        mine = lines[sale.id]
        assert [x.position for x in mine] == list(range(len(mine))) and mine
        assert sale.subtotal_cents == sum(x.gross_cents for x in mine)
        assert sale.discount_cents == sum(x.discount_cents for x in mine)
        assert sale.tax_cents == sum(x.tax_cents for x in mine)
        assert sale.total_cents == sum(x.total_cents for x in mine)
        for x in mine:
            included = sum(t["amount_cents"] for t in x.taxes if t["inclusive"])
            on_top = sum(t["amount_cents"] for t in x.taxes if not t["inclusive"])
            assert x.gross_cents == x.quantity * x.unit_price_cents
            assert x.tax_cents == included + on_top
            assert x.net_cents == x.gross_cents - x.discount_cents - included
            assert x.total_cents == x.gross_cents - x.discount_cents + on_top
            assert (x.tax_cents == 0) == (x.kind == "gift_card")
        succeeded = [p for p in payments[sale.id] if p.status == "succeeded"]
        assert sale.paid_cents == sum(p.amount_cents for p in succeeded) == sale.total_cents
        assert sale.tip_cents == sum(p.tip_cents for p in succeeded)
        assert sale.refunded_cents == sum(r.amount_cents for r in refunds[sale.id] if r.status == "succeeded")
        expected = "paid"
        if sale.refunded_cents:
            expected = "refunded" if sale.refunded_cents >= sale.paid_cents else "partially_refunded"
        assert sale.status == expected
        assert sale.paid_at is not None and sale.created_at < sale.paid_at
        for p in succeeded:
            assert p.location_id == sale.location_id and p.business_date == sale.business_date
            if p.tendered_cents is not None:
                assert p.method == "cash" and p.change_cents == p.tendered_cents - p.amount_cents - p.tip_cents >= 0
            assert (p.stripe_payment_intent_id is not None) == (p.method == "stripe")
        for r in refunds[sale.id]:
            payment = next(p for p in succeeded if p.id == r.payment_id)
            assert r.amount_cents <= payment.amount_cents and r.method == payment.method
            assert r.created_by_id == d["staff"]["marco"]


def test_sales_come_from_the_completed_past_visits(engine, demo, clock):
    d = _load(engine)
    tz = d["location"].tz
    today = business_date(clock.now(), tz)
    lo, _ = day_bounds(today, tz)
    done = {a.id for a in d["appointments"].values() if a.status == "completed" and a.starts_at < lo}
    visits = [s for s in d["sales"] if s.appointment_id is not None]
    assert sorted(s.appointment_id for s in visits) == sorted(done)
    items = defaultdict(list)
    for i in d["items"]:
        items[i.appointment_id].append(i)
    lines = defaultdict(list)
    for x in d["lines"]:
        lines[x.sale_id].append(x)
    for sale in visits:
        appt = d["appointments"][sale.appointment_id]
        assert sale.client_id == appt.client_id and sale.business_date < today
        assert sale.business_date == business_date(appt.completed_at, tz) and sale.paid_at == appt.completed_at
        services = [x for x in lines[sale.id] if x.kind == "service"]
        assert [(x.service_id, x.unit_price_cents) for x in services] == [
            (i.service_id, i.price_cents) for i in sorted(items[appt.id], key=lambda i: i.position)]
        assert all(x.staff_id == appt.staff_id for x in lines[sale.id])
        assert sale.taxes == d["policy"].taxes == [{"name": "IVA", "rate_bp": 1600, "inclusive": True}]
    assert all(p.business_date < today for p in d["payments"]) and all(r.business_date < today for r in d["refunds"])


def test_penalties_paid_at_the_desk_are_fee_sales(engine, demo):
    from salon_cli.db.models import Penalty

    d = _load(engine)
    with UnitOfWork(engine, write=False) as uow:
        paid = uow.session.exec(select(Penalty).where(Penalty.status == "paid")).all()
    fees = {x.penalty_id: x for x in d["lines"] if x.kind == "fee"}
    assert paid and sorted(fees) == sorted(p.id for p in paid)
    by_sale = {s.id: s for s in d["sales"]}
    for pen in paid:
        sale = by_sale[fees[pen.id].sale_id]
        (pay,) = [p for p in d["payments"] if p.sale_id == sale.id]
        assert (sale.status, sale.client_id, sale.appointment_id, sale.paid_at) == ("paid", pen.client_id, None, pen.paid_at)
        assert (pay.method, pay.amount_cents, pay.purpose) == (pen.paid_method, sale.total_cents, "penalty")
        assert sale.subtotal_cents == pen.amount_cents


def test_methods_tips_gift_cards_split_tender_and_refunds(engine, demo):
    d = _load(engine)
    methods = Counter(p.method for p in d["payments"])
    assert {"cash", "card", "stripe", "gift_card"} <= set(methods)
    assert methods["cash"] > methods["gift_card"] and methods["card"] > methods["stripe"]
    per_sale = Counter(p.sale_id for p in d["payments"])
    assert any(n >= 2 for n in per_sale.values()), "split tender"
    assert sum(s.tip_cents for s in d["sales"]) > 0 and sum(p.change_cents for p in d["payments"]) > 0
    assert any(s.discount_cents for s in d["sales"]) and any(x.kind == "product" for x in d["lines"])
    assert {s.status for s in d["sales"]} == {"paid", "partially_refunded", "refunded"}
    assert len(d["refunds"]) >= 1
    # gift cards: sold on a sale line, spent later; the balance is what is left
    spent = Counter()
    for p in d["payments"]:
        if p.method == "gift_card":
            spent[p.gift_card_id] += p.amount_cents + p.tip_cents
    sold = {x.gift_card_id: x for x in d["lines"] if x.kind == "gift_card"}
    assert len(d["cards"]) == len(sold) >= 1
    by_id = {s.id: s for s in d["sales"]}
    for card in d["cards"]:
        assert card.status == "active" and card.balance_cents == card.initial_cents - spent[card.id] >= 0
        assert sold[card.id].sale_id == card.sale_id and sold[card.id].total_cents == card.initial_cents
        assert card.activated_at == by_id[card.sale_id].paid_at
    for p in d["payments"]:
        if p.method == "gift_card":
            card = next(c for c in d["cards"] if c.id == p.gift_card_id)
            assert card.activated_at < p.succeeded_at and card.sale_id != p.sale_id


def test_the_build_audit_row_counts_the_sales(engine, demo):
    d = _load(engine)
    after = d["build"].after
    assert (after["sales"], after["sale_lines"], after["payments"], after["refunds"], after["gift_cards"]) == (
        len(d["sales"]), len(d["lines"]), len(d["payments"]), len(d["refunds"]), len(d["cards"]))
    assert after["sales_total_cents"] == sum(s.total_cents for s in d["sales"])
    assert after["tips_cents"] == sum(s.tip_cents for s in d["sales"])
    assert after["refunded_cents"] == sum(r.amount_cents for r in d["refunds"])


def _fingerprint(engine):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        sales = s.exec(select(Sale.appointment_id, Sale.status, Sale.total_cents, Sale.tip_cents, Sale.refunded_cents)
                       .order_by(col(Sale.id))).all()
        pays = s.exec(select(Payment.method, Payment.amount_cents, Payment.tip_cents, Payment.tendered_cents,
                             Payment.stripe_payment_intent_id).order_by(col(Payment.id))).all()
        cards = s.exec(select(GiftCard.code, GiftCard.balance_cents).order_by(col(GiftCard.id))).all()
        return [tuple(r) for r in sales], [tuple(r) for r in pays], [tuple(r) for r in cards]


def test_same_seed_same_sales(engine, clock, tmp_path):
    build_demo(engine, seed=5, **SIZE)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        migrate.upgrade(other)
        build_demo(other, seed=5, **SIZE)
        assert _fingerprint(engine) == _fingerprint(other)
        with UnitOfWork(other, write=False) as uow:
            assert uow.session.exec(select(func.count()).select_from(Sale)).one() > 0
    finally:
        other.dispose()


def test_demo_members_paid_their_fees(engine, demo):
    from salon_cli.db.models import Membership, MembershipPeriod, MembershipPlan

    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        rows = s.exec(select(Membership, MembershipPlan, MembershipPeriod, Sale)
                      .join(MembershipPlan, col(MembershipPlan.id) == Membership.plan_id)
                      .join(MembershipPeriod, col(MembershipPeriod.membership_id) == Membership.id)
                      .join(Sale, col(Sale.id) == MembershipPeriod.sale_id)).all()
        assert d_members(rows) and all(m.status == "active" for m, _, _, _ in rows)
        for member, plan, period, sale in rows:
            assert (sale.client_id, sale.subtotal_cents, member.credits_remaining) == (
                member.client_id, plan.monthly_price_cents, plan.monthly_credits)
        assert {sale.status for _, _, _, sale in rows} <= {"paid", "open"}
        assert any(sale.status == "paid" for _, _, _, sale in rows)


def d_members(rows):
    return len(rows) >= 5


def test_demo_cards_balance_and_span_every_tier(engine, demo):
    from salon_cli.db.models import LoyaltyAccount
    from salon_cli.services.loyalty import ledger as loyalty_ledger

    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        accounts = s.exec(select(LoyaltyAccount)).all()
        assert {a.tier for a in accounts} == {"bronze", "silver", "gold", "platinum"}
        for account in accounts:
            figures = loyalty_ledger.check(s, account.id)
            assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures
            assert figures["stamps"] == figures["entry_stamps"], figures
        assert loyalty_ledger.program(s).type == "hybrid"
