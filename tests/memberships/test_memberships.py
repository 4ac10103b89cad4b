"""Memberships on SQLite and PostgreSQL: plans, subscriptions, credits, discount, benefits, renewal.

Every salon here is `tests/shop.py`'s, now Saturday 2026-11-21 11:00 in Mexico City (MXN): clients
Ximena and Pedro, manager marco, receptionist sofia; plans Gold (500.00, 1 credit, 10%), Black
(900.00, 2 credits, 15%) and VIP (1,500.00, 4 credits, 20%, the photo gallery) as seeded.
A membership sold today runs its first period from 2026-11-21 to 2026-12-21.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import Busy, Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.db.models import (
    AuditLog, DayClose, JobRun, Membership, MembershipPeriod, MembershipPlan, Payment, Sale, SaleLine,
)
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.record import photos as client_photos
from salon_cli.services.salon import jobs, locations
from salon_cli.services.memberships import (
    plans as membership_plans,
    renewal as membership_renewal,
    subscriptions as memberships,
)
from salon_cli.services.till import membership_fees, payments, sales, tenders, tickets
from salon_cli.services.salon.actors import SYSTEM
from shop import OWNER, make_shop

MX = timezone(timedelta(hours=-6))
TODAY = date(2026, 11, 21)
END_1 = date(2026, 12, 21)


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _rows(engine, model, *where, order=None):
    return _read(engine, lambda s: list(s.exec(select(model).where(*where).order_by(order or col(model.id)))))


def _count(engine, model, *where):
    return _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(model).where(*where)).one())


def _local(y, m, d, hh=11, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=MX)


def _subscribe(engine, shop, plan="gold", client=None, pay=None, actor=None):
    return _do(engine, membership_fees.subscribe, actor=actor or shop.sofia, location=shop.loc,
               client_id=client or shop.ximena, plan_code=plan, pay_method=pay)


def _pay(engine, shop, sale_id, method="cash"):
    return _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale_id, method=method)


def _add_plan(engine, shop, code="bono", price=30000, credits=5, discount=0, benefits=()):
    return _do(engine, membership_plans.add_plan, actor=shop.marco, location=shop.loc, code=code,
               name=code.title(), tier="gold", price_cents=price, credits=credits, discount_bp=discount,
               benefits=benefits)


def _renew(engine, at, **kw):
    return membership_fees.renew(engine, as_of=at, **kw)


def _membership(engine, membership_id):
    return _read(engine, lambda s: s.get(Membership, membership_id))


# ----------------------------------------------------------------------------- plans

def test_seeded_plans_and_a_manager_adds_and_changes_one(engine, shop):
    assert [(p.code, p.tier, p.monthly_price_cents, p.monthly_credits, p.discount_bp, p.benefits, p.active)
            for p in _read(engine, membership_plans.list_plans)] == [
        ("gold", "gold", 50000, 1, 1000, ["priority_booking", "photo_gallery"], True),
        ("black", "black", 90000, 2, 1500, ["priority_booking", "birthday_gift", "photo_gallery"], True),
        ("vip", "vip", 150000, 4, 2000, ["priority_booking", "birthday_gift", "photo_gallery"], True)]
    plan = _do(engine, membership_plans.add_plan, actor=shop.marco, location=shop.loc, code="Platinum",
               name=" Platinum ", tier="VIP", price_cents=200000, credits=6, discount_bp=2500,
               benefits=["photo-gallery", "priority_booking", "photo_gallery"])
    assert (plan.code, plan.name, plan.tier, plan.benefits) == ("platinum", "Platinum", "vip",
                                                               ["photo_gallery", "priority_booking"])
    changed = _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="platinum",
                  price_cents=210000, credits=5, benefits=["birthday_gift"], active=False)
    assert (changed.monthly_price_cents, changed.monthly_credits, changed.discount_bp, changed.benefits,
            changed.active) == (210000, 5, 2500, ["birthday_gift"], False)
    assert [p.code for p in _read(engine, membership_plans.list_plans, include_inactive=False)] == ["gold", "black", "vip"]
    audits = _rows(engine, AuditLog, col(AuditLog.entity) == "membership_plan")
    assert [(a.action, a.actor) for a in audits] == [("membership_plan.add", "marco"), ("membership_plan.set", "marco")]
    assert audits[1].before["monthly_price_cents"] == 200000 and audits[1].after["monthly_price_cents"] == 210000


@pytest.mark.parametrize("bad, error", [
    ({"tier": "platinum"}, InvalidInput), ({"benefits": ["spa_day"]}, InvalidInput),
    ({"discount_bp": 10001}, InvalidInput), ({"price_cents": -1}, InvalidInput), ({"credits": -1}, InvalidInput),
    ({"code": "gold"}, Conflict), ({"code": "no good"}, InvalidInput), ({"name": "  "}, InvalidInput),
])
def test_plan_add_refusals_change_nothing(engine, shop, bad, error):
    fields = {"code": "plus", "name": "Plus", "tier": "gold", "price_cents": 10000, "credits": 1, "discount_bp": 0,
              "benefits": [], **bad}
    with pytest.raises(error):
        _do(engine, membership_plans.add_plan, actor=shop.marco, location=shop.loc, **fields)
    assert _count(engine, MembershipPlan) == 3


def test_only_a_manager_changes_plans(engine, shop):
    with pytest.raises(NotPermitted):
        _do(engine, membership_plans.add_plan, actor=shop.sofia, location=shop.loc, code="plus", name="Plus",
            tier="gold", price_cents=1, credits=1)
    with pytest.raises(NotPermitted):
        _do(engine, membership_plans.update_plan, actor=shop.sofia, location=shop.loc, code="gold", price_cents=1)
    with pytest.raises(NotFound):
        _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="nope", price_cents=1)
    assert _read(engine, membership_plans.find_plan, "gold").monthly_price_cents == 50000


# ----------------------------------------------------------------------------- subscribing

def test_subscribe_gives_the_credits_period_one_and_an_open_fee_sale(engine, shop):
    view = _subscribe(engine, shop)
    assert (view.plan, view.plan_name, view.tier, view.status, view.credits_remaining, view.monthly_credits,
            view.discount_bp, view.period_number) == ("gold", "Gold", "gold", "active", 1, 1, 1000, 1)
    assert (view.anchor_date, view.current_period_start, view.current_period_end) == (TODAY, TODAY, END_1)
    assert (view.fee_status, view.fee_cents, view.location, view.cancels_at_period_end) == ("open", 50000, "centro", False)
    (period,) = _rows(engine, MembershipPeriod)
    assert (period.membership_id, period.number, period.starts_on, period.ends_on, period.credits, period.sale_id) == (
        view.id, 1, TODAY, END_1, 1, view.fee_sale_id)
    sale = _read(engine, lambda s: s.get(Sale, view.fee_sale_id))
    assert (sale.client_id, sale.status, sale.total_cents, sale.business_date) == (shop.ximena, "open", 50000, TODAY)
    (line,) = _rows(engine, SaleLine, SaleLine.sale_id == sale.id)
    assert (line.kind, line.description, line.gross_cents, line.discount_cents) == (
        "membership", "Gold membership 2026-11-21 to 2026-12-21", 50000, 0)
    (audit,) = _rows(engine, AuditLog, col(AuditLog.action) == "membership.subscribe")
    assert (audit.actor, audit.entity_id, audit.after["sale_id"], audit.after["plan"]) == (
        "sofia", view.id, sale.id, "gold")


def test_subscribe_with_pay_takes_the_fee_at_once(engine, shop):
    view = _subscribe(engine, shop, plan="vip", pay="card")
    assert (view.fee_status, view.fee_cents, view.credits_remaining) == ("paid", 150000, 4)
    (payment,) = _rows(engine, Payment)
    assert (payment.sale_id, payment.method, payment.amount_cents, payment.status) == (
        view.fee_sale_id, "card", 150000, "succeeded")


@pytest.mark.parametrize("method", ["bitcoin", "stripe", "credit"])
def test_subscribe_with_another_method_is_bad_input_and_changes_nothing(engine, shop, method):
    with pytest.raises(InvalidInput, match="cash, card, transfer"):
        _subscribe(engine, shop, pay=method)
    assert _count(engine, Membership) == 0 and _count(engine, Sale) == 0


def test_a_second_membership_is_refused_naming_the_first(engine, shop):
    first = _subscribe(engine, shop, pay="cash")
    with pytest.raises(Conflict, match=rf"client {shop.ximena} already has membership {first.id} \(Gold, active\)"):
        _subscribe(engine, shop, plan="vip")
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    with pytest.raises(Conflict, match="paused"):
        _subscribe(engine, shop, plan="vip")
    assert _count(engine, Membership) == 1 and _count(engine, Sale) == 1
    _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason="upgrade")
    assert _subscribe(engine, shop, plan="vip").plan == "vip"  # once it has ended, a new one is sold


def test_the_unique_index_refuses_a_second_membership_that_slipped_past_the_check(engine, shop, monkeypatch):
    """Two desks at once: both checked before either inserted. The index refuses the second, which
    is turned into the same refusal (the savepoint keeps the transaction usable on PostgreSQL)."""
    first = _subscribe(engine, shop)
    real, calls = memberships._refuse_second, []

    def late_check(session, client_id):
        calls.append(client_id)
        if len(calls) > 1:
            real(session, client_id)

    monkeypatch.setattr(memberships, "_refuse_second", late_check)
    with pytest.raises(Conflict, match=f"already has membership {first.id}"):
        _subscribe(engine, shop, plan="vip")
    assert len(calls) == 2
    assert _count(engine, Membership) == 1 and _count(engine, Sale) == 1


def test_an_inactive_plan_is_not_sold_and_a_free_plan_makes_no_sale(engine, shop):
    _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="black", active=False)
    with pytest.raises(RuleViolation, match="no longer sold"):
        _subscribe(engine, shop, plan="black")
    with pytest.raises(NotFound, match="no membership plan"):
        _subscribe(engine, shop, plan="diamond")
    with pytest.raises(NotFound, match="no client"):
        _subscribe(engine, shop, client=999)
    _add_plan(engine, shop, code="amigo", price=0, credits=0, discount=500)
    view = _subscribe(engine, shop, plan="amigo", pay="cash")
    assert (view.fee_sale_id, view.fee_status, view.status) == (None, None, "active")
    assert _count(engine, Sale) == 0


# ----------------------------------------------------------------------------- pause, resume, cancel

def test_pause_keeps_credits_but_stops_discount_benefits_and_credits(engine, shop, clock):
    view = _subscribe(engine, shop, plan="vip", pay="cash")
    paused = _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                 reason="de viaje")
    assert (paused.status, paused.credits_remaining) == ("paused", 4)
    assert _read(engine, memberships.discount_for, shop.ximena) is None
    assert _read(engine, memberships.has_benefit, shop.ximena, "photo_gallery") is False
    with pytest.raises(RuleViolation, match="paused already"):
        _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    clock.advance(days=5, hours=3)
    resumed = _do(engine, memberships.resume, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    assert (resumed.status, resumed.credits_remaining, resumed.paused_at) == ("active", 4, None)
    assert (resumed.current_period_end, resumed.anchor_date) == (date(2026, 12, 26), date(2026, 11, 26))
    (period,) = _rows(engine, MembershipPeriod)
    assert period.ends_on == date(2026, 12, 26)
    assert _read(engine, memberships.discount_for, shop.ximena) == (2000, "VIP membership")
    with pytest.raises(RuleViolation, match="nothing to resume"):
        _do(engine, memberships.resume, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    actions = [a.action for a in _rows(engine, AuditLog, col(AuditLog.entity) == "membership")]
    assert actions == ["membership.subscribe", "membership.pause", "membership.resume"]
    assert _rows(engine, AuditLog, col(AuditLog.action) == "membership.pause")[0].after["reason"] == "de viaje"
    assert view.id == resumed.id


def test_cancel_at_period_end_then_now_and_resume_undoes_a_pending_cancel(engine, shop):
    _subscribe(engine, shop, pay="cash")
    with pytest.raises(InvalidInput, match="reason"):
        _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason=" ")
    later = _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                reason="se muda")
    assert (later.status, later.cancels_at_period_end, later.cancel_reason, later.ended_at) == (
        "active", True, "se muda", None)
    assert _read(engine, memberships.discount_for, shop.ximena) == (1000, "Gold membership")  # until the end
    with pytest.raises(RuleViolation, match="already ends on 2026-12-21"):
        _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason="x")
    with pytest.raises(RuleViolation, match="cannot be paused"):
        _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    kept = _do(engine, memberships.resume, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    assert (kept.status, kept.cancels_at_period_end, kept.cancel_reason) == ("active", False, None)
    ended = _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                reason="se muda", now=True)
    assert (ended.status, ended.end_reason, ended.cancels_at_period_end) == ("cancelled", "cancelled", False)
    assert ended.ended_at is not None
    with pytest.raises(NotFound, match="no active or paused membership"):
        _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason="x")
    assert _read(engine, memberships.show, shop.ximena).status == "cancelled"  # the latest one still shows


def test_cancelling_a_paused_membership_ends_it_at_once(engine, shop):
    _subscribe(engine, shop, pay="cash")
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    view = _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason="no")
    assert view.status == "cancelled"


def test_show_without_a_membership_is_not_found(engine, shop):
    with pytest.raises(NotFound, match=f"client {shop.pedro} has no membership"):
        _read(engine, memberships.show, shop.pedro)
    with pytest.raises(NotFound, match="no client 999"):
        _read(engine, memberships.show, 999)


# ----------------------------------------------------------------------------- credits

def _sale_with_services(engine, shop, client=None):
    """Tinte x1 (800.00) and corte x3 at 333.34 (1,000.02), 16% IVA on top: line totals 928.00 and
    1,160.02; corte counts as three services of 386.67, 386.67 and 386.68."""
    s = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, client_id=client or shop.ximena)
    _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=s.id, service="tinte", staff="ana")
    _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=s.id, service="corte", staff="ana",
        price_cents=33334, quantity=3)
    _do(engine, sales.set_discount, actor=shop.sofia, location=shop.loc, sale_id=s.id, discount=None)
    return s.id


def _spend(engine, shop, sale_id, *, record=True):
    """spend_credit, then the `credit` payment the payments service records with it."""
    with UnitOfWork(engine) as uow:
        sale = sales.get(uow.session, sale_id, shop.loc, lock=True)
        membership_id, amount = memberships.spend_credit(uow.session, actor=shop.sofia, location=shop.loc, sale=sale,
                                                         due_cents=payments.due_cents(uow.session, sale))
        if record:
            uow.session.add(Payment(sale_id=sale_id, location_id=shop.loc.id, method="credit", status="succeeded",
                                    amount_cents=amount, business_date=TODAY, membership_id=membership_id,
                                    created_at=sale.created_at))
            uow.session.flush()
            tenders.settle(uow.session, sale, actor=shop.sofia, location=shop.loc)
        uow.commit()
    return membership_id, amount


@pytest.fixture
def taxed(engine, salon):
    return make_shop(engine, taxes=["IVA:16%"])


def test_a_credit_pays_one_service_largest_first_quantity_counted_cap_at_due(engine, taxed):
    shop = taxed
    member = _subscribe(engine, shop, plan="vip", pay="cash")  # 4 credits
    sale_id = _sale_with_services(engine, shop)
    lines = _rows(engine, SaleLine, SaleLine.sale_id == sale_id, order=col(SaleLine.position))
    assert [(ln.quantity, ln.total_cents) for ln in lines] == [(1, 92800), (3, 116002)]
    assert _spend(engine, shop, sale_id) == (member.id, 92800)
    assert _spend(engine, shop, sale_id)[1] == 38668  # corte's last unit carries the remainder
    assert _spend(engine, shop, sale_id)[1] == 38667
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale_id, method="cash",
        amount_cents=38000)
    assert _spend(engine, shop, sale_id)[1] == 667  # capped at what is still due
    assert _membership(engine, member.id).credits_remaining == 0
    assert _read(engine, lambda s: s.get(Sale, sale_id)).status == "paid"
    used = _rows(engine, AuditLog, col(AuditLog.action) == "membership.credit_used")
    assert [(a.before["credits_remaining"], a.after["credits_remaining"], a.after["amount_cents"]) for a in used] == [
        (4, 3, 92800), (3, 2, 38668), (2, 1, 38667), (1, 0, 667)]


def test_a_credit_taken_at_the_desk_is_a_payment_naming_the_membership(engine, shop):
    member = _subscribe(engine, shop, plan="black", pay="cash")  # 2 credits, 15% off
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte")
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="credit")
    (row,) = _rows(engine, Payment, col(Payment.method) == "credit")
    assert (row.membership_id, row.amount_cents, row.status) == (member.id, 29750, "succeeded")  # 350.00 less 15%
    assert _read(engine, lambda s: s.get(Sale, sale.id)).status == "paid"
    assert _membership(engine, member.id).credits_remaining == 1


def test_no_credit_left_no_service_left_paused_or_no_membership_are_refused(engine, taxed):
    shop = taxed
    _subscribe(engine, shop, plan="gold", pay="cash")  # 1 credit
    sale_id = _sale_with_services(engine, shop)
    assert _spend(engine, shop, sale_id)[1] == 92800
    with pytest.raises(RuleViolation, match=r"no credits left this period \(renews on 2026-12-21\)"):
        _spend(engine, shop, sale_id)
    # a sale with one service, already paid by credit: nothing left for another credit
    _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="gold", credits=3)
    with UnitOfWork(engine) as uow:
        uow.session.execute(sa.update(Membership).values(credits_remaining=3))
        uow.commit()
    one = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    _do(engine, sales.add_service, actor=shop.sofia, location=shop.loc, sale_id=one.id, service="corte")
    _do(engine, sales.add_product, actor=shop.sofia, location=shop.loc, sale_id=one.id, product="shampoo")
    _spend(engine, shop, one.id)
    with pytest.raises(RuleViolation, match="no service left for a credit"):
        _spend(engine, shop, one.id)
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    with pytest.raises(RuleViolation, match="is paused"):
        _spend(engine, shop, sale_id)
    pedro = _sale_with_services(engine, shop, client=shop.pedro)
    with pytest.raises(RuleViolation, match="no active membership"):
        _spend(engine, shop, pedro)
    nobody = _do(engine, tickets.open_sale, actor=shop.sofia, location=shop.loc)
    with pytest.raises(RuleViolation, match="has no client"):
        _spend(engine, shop, nobody.id)
    assert _membership(engine, 1).credits_remaining == 2  # refusals took nothing


def test_discount_for_the_active_membership_only(engine, shop):
    assert _read(engine, memberships.discount_for, None) is None
    assert _read(engine, memberships.discount_for, shop.ximena) is None
    _subscribe(engine, shop, plan="black")
    assert _read(engine, memberships.discount_for, shop.ximena) == (1500, "Black membership")
    _add_plan(engine, shop, code="solo", discount=0)
    _subscribe(engine, shop, plan="solo", client=shop.pedro)
    assert _read(engine, memberships.discount_for, shop.pedro) is None  # no discount on that plan
    _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="black", discount_bp=1800)
    assert _read(engine, memberships.discount_for, shop.ximena) == (1800, "Black membership")


def test_benefits_follow_the_plan_and_the_gallery_opens_for_photos(engine, shop, tmp_path):
    photo = tmp_path / "antes.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    media = tmp_path / "media"
    _subscribe(engine, shop, plan="gold")
    assert _read(engine, memberships.has_benefit, shop.ximena, "priority_booking") is True
    assert _read(engine, client_photos.gallery_allowed, shop.ximena) is True  # Gold includes it (0022)
    _do(engine, membership_plans.update_plan, actor=shop.marco, location=shop.loc, code="gold",
        benefits=["priority_booking"])
    assert _read(engine, client_photos.gallery_allowed, shop.ximena) is False  # at once, as the plan changes
    _subscribe(engine, shop, plan="vip", client=shop.pedro)
    assert _read(engine, client_photos.gallery_allowed, shop.pedro) is True
    added = _do(engine, client_photos.add_photo, actor=OWNER, media_root=media, client_id=shop.pedro, source=photo)
    assert [p.id for p in _read(engine, client_photos.list_photos, client_id=shop.pedro)] == [added.id]
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    with pytest.raises(RuleViolation, match="photo gallery"):
        _read(engine, client_photos.list_photos, client_id=shop.pedro)


# ----------------------------------------------------------------------------- renewal

def test_period_ends_follow_the_anchor_not_the_previous_end():
    anchor = date(2027, 1, 31)
    assert [memberships.period_end(anchor, n) for n in range(1, 6)] == [
        date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31), date(2027, 6, 30)]
    assert memberships.period_end(date(2028, 1, 31), 1) == date(2028, 2, 29)
    steps = membership_renewal.plan_steps(number=1, period_end=date(2027, 2, 28), anchor=anchor, cancelling=False,
                                          fee_paid=True, free=True, day=date(2027, 4, 30))
    assert [(s.kind, s.number, s.starts_on, s.ends_on) for s in steps] == [
        ("renew", 2, date(2027, 2, 28), date(2027, 3, 31)), ("renew", 3, date(2027, 3, 31), date(2027, 4, 30)),
        ("renew", 4, date(2027, 4, 30), date(2027, 5, 31))]


def test_a_paid_period_renews_credits_reset_new_period_and_fee_sale(engine, taxed, clock):
    shop = taxed
    view = _subscribe(engine, shop, plan="gold", pay="card")
    _spend(engine, shop, _sale_with_services(engine, shop))
    assert _membership(engine, view.id).credits_remaining == 0
    clock.set(_local(2026, 12, 20, 23, 59))
    assert _renew(engine, clock.now()).renewed == 0  # not due before its last day is over
    clock.set(_local(2026, 12, 21, 9))
    report = _renew(engine, clock.now())
    assert (report.renewed, report.expired, report.ended, report.charged_cents, report.membership_ids) == (
        1, 0, 0, 50000, [view.id])
    after = _read(engine, memberships.show, shop.ximena)
    assert (after.status, after.period_number, after.credits_remaining, after.current_period_start,
            after.current_period_end, after.fee_status) == ("active", 2, 1, END_1, date(2027, 1, 21), "open")
    assert report.fee_sale_ids == [after.fee_sale_id]
    (line,) = _rows(engine, SaleLine, SaleLine.sale_id == after.fee_sale_id)
    assert (line.kind, line.description, line.gross_cents) == ("membership", "Gold membership 2026-12-21 to 2027-01-21", 50000)
    sale = _read(engine, lambda s: s.get(Sale, after.fee_sale_id))
    assert (sale.total_cents, sale.business_date, sale.created_by_id) == (58000, date(2026, 12, 21), None)  # IVA on top
    assert [p.number for p in _rows(engine, MembershipPeriod)] == [1, 2]
    (audit,) = _rows(engine, AuditLog, col(AuditLog.action) == "membership.renew")
    assert (audit.actor, audit.before["period_number"], audit.after["period_number"]) == ("system", 1, 2)
    (run,) = _rows(engine, JobRun, JobRun.job == "renew-memberships", JobRun.id == report.job_run_id)
    assert (run.status, run.counts["renewed"], run.counts["charged_cents"]) == ("ok", 1, 50000)


def test_an_unpaid_period_expires_and_its_fee_sale_is_voided(engine, shop, clock):
    view = _subscribe(engine, shop)
    partly = _subscribe(engine, shop, plan="black", client=shop.pedro)
    _do(engine, tenders.pay, actor=shop.sofia, location=shop.loc, sale_id=partly.fee_sale_id, method="cash",
        amount_cents=10000)
    clock.set(_local(2026, 12, 21))
    report = _renew(engine, clock.now())
    assert (report.renewed, report.expired, report.charged_cents) == (0, 2, 0)
    assert (report.voided_sale_ids, report.open_fee_sale_ids) == ([view.fee_sale_id], [partly.fee_sale_id])
    row = _membership(engine, view.id)
    assert (row.status, row.end_reason, row.ended_at) == ("expired", "unpaid", clock.now())
    sale = _read(engine, lambda s: s.get(Sale, view.fee_sale_id))
    assert (sale.status, sale.void_reason) == ("void", "membership expired unpaid")
    assert _read(engine, lambda s: s.get(Sale, partly.fee_sale_id)).status == "open"  # money taken: a person settles it
    assert _read(engine, memberships.discount_for, shop.ximena) is None
    assert {a.action for a in _rows(engine, AuditLog, col(AuditLog.actor) == "system",
                                                       col(AuditLog.entity).in_(("membership", "sale")))} == {
        "membership.expire", "sale.void"}


def test_cancelled_at_period_end_ends_without_a_new_fee(engine, shop, clock):
    view = _subscribe(engine, shop, pay="cash")
    _do(engine, memberships.cancel, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, reason="se muda")
    clock.set(_local(2026, 12, 21))
    report = _renew(engine, clock.now())
    assert (report.renewed, report.expired, report.ended, report.membership_ids) == (0, 0, 1, [view.id])
    row = _membership(engine, view.id)
    assert (row.status, row.end_reason, row.period_number) == ("cancelled", "cancelled", 1)
    assert _count(engine, Sale) == 1


def test_catching_up_one_period_at_a_time(engine, shop, clock):
    """Three periods behind: a free plan renews three times; a paid one renews once, then expires at
    its first unpaid period (the fee the run opened is voided again)."""
    _add_plan(engine, shop, code="amigo", price=0, credits=2)
    free = _subscribe(engine, shop, plan="amigo", client=shop.pedro)
    paid = _subscribe(engine, shop, plan="gold", pay="cash")
    clock.set(_local(2027, 2, 22))
    report = _renew(engine, clock.now())
    assert (report.renewed, report.expired, report.ended, report.charged_cents) == (4, 1, 0, 0)
    assert sorted(report.membership_ids) == sorted([free.id, paid.id])
    row = _membership(engine, free.id)
    assert (row.status, row.period_number, row.current_period_start, row.current_period_end, row.credits_remaining) == (
        "active", 4, date(2027, 2, 21), date(2027, 3, 21), 2)
    assert [(p.number, p.starts_on, p.ends_on) for p in _rows(engine, MembershipPeriod,
                                                              MembershipPeriod.membership_id == free.id)] == [
        (1, TODAY, END_1), (2, END_1, date(2027, 1, 21)), (3, date(2027, 1, 21), date(2027, 2, 21)),
        (4, date(2027, 2, 21), date(2027, 3, 21))]
    row = _membership(engine, paid.id)
    assert (row.status, row.end_reason, row.period_number) == ("expired", "unpaid", 2)
    (second,) = report.voided_sale_ids
    assert report.fee_sale_ids == [second]
    assert _read(engine, lambda s: s.get(Sale, second)).status == "void"
    assert _renew(engine, clock.now()).renewed == 0


def test_a_jan_31_membership_renews_on_feb_28_then_mar_31(engine, shop, clock):
    clock.set(_local(2027, 1, 31, 12))
    view = _subscribe(engine, shop, pay="cash")
    assert view.current_period_end == date(2027, 2, 28)
    for day, end in ((date(2027, 2, 28), date(2027, 3, 31)), (date(2027, 3, 31), date(2027, 4, 30)),
                     (date(2027, 4, 30), date(2027, 5, 31))):
        clock.set(_local(day.year, day.month, day.day, 8))
        assert _renew(engine, clock.now()).renewed == 1
        current = _read(engine, memberships.show, shop.ximena)
        assert (current.current_period_start, current.current_period_end) == (day, end)
        _pay(engine, shop, current.fee_sale_id)


def test_run_twice_gives_the_state_of_one_run_and_dry_run_changes_nothing(engine, shop, clock):
    _subscribe(engine, shop, pay="cash")
    _subscribe(engine, shop, plan="black", client=shop.pedro)
    clock.set(_local(2026, 12, 21))
    before = _state(engine)
    dry = _renew(engine, clock.now(), dry_run=True)
    assert (dry.dry_run, dry.renewed, dry.expired, dry.charged_cents, dry.job_run_id) == (True, 1, 1, 50000, None)
    assert _state(engine) == before
    assert _count(engine, JobRun) == 0
    first = _renew(engine, clock.now())
    assert (first.renewed, first.expired, first.charged_cents, sorted(first.membership_ids)) == (
        dry.renewed, dry.expired, dry.charged_cents, sorted(dry.membership_ids))
    assert first.voided_sale_ids == dry.voided_sale_ids
    once = _state(engine)
    second = _renew(engine, clock.now())
    assert (second.renewed, second.expired, second.ended, second.membership_ids) == (0, 0, 0, [])
    assert _state(engine) == once


def _state(engine):
    """What a renewal run changes (ids and figures; not times)."""
    members = [(m.id, m.status, m.period_number, m.credits_remaining, m.current_period_end, m.end_reason)
               for m in _rows(engine, Membership)]
    periods = [(p.membership_id, p.number, p.sale_id) for p in _rows(engine, MembershipPeriod)]
    sale_rows = [(s.id, s.status, s.total_cents) for s in _rows(engine, Sale)]
    actions = sorted(a.action for a in _rows(engine, AuditLog))
    return members, periods, sale_rows, actions


def test_as_of_is_read_as_each_locations_own_business_day(engine, shop, clock):
    tokyo = _do(engine, locations.create, actor=SYSTEM, code="ginza", name="Ginza", timezone="Asia/Tokyo",
                currency="MXN")
    here = _subscribe(engine, shop, pay="cash")
    with UnitOfWork(engine) as uow:  # sold in Ginza, where it is already Sunday the 22nd
        there = membership_fees.subscribe(uow.session, actor=shop.sofia, location=tokyo, client_id=shop.pedro,
                                      plan_code="gold", pay_method="cash")
        uow.commit()
    assert there.current_period_end == date(2026, 12, 22)
    clock.set(_local(2026, 12, 21, 8))
    assert _renew(engine, datetime(2026, 12, 21, 5, 59, tzinfo=timezone.utc)).renewed == 0  # still the 20th here
    report = _renew(engine, datetime(2026, 12, 21, 14, 0, tzinfo=timezone.utc))  # 23:00 on the 21st in Tokyo
    assert report.membership_ids == [here.id]
    report = _renew(engine, datetime(2026, 12, 21, 15, 0, tzinfo=timezone.utc))  # midnight in Tokyo
    assert report.membership_ids == [there.id]
    ginza_fee = _read(engine, memberships.show, shop.pedro).fee_sale_id
    assert _read(engine, lambda s: s.get(Sale, ginza_fee)).location_id == tokyo.id  # charged where it was sold


def test_paused_memberships_are_skipped_and_a_closed_day_skips_its_location(engine, shop, clock):
    _subscribe(engine, shop, pay="cash")
    _subscribe(engine, shop, client=shop.pedro, pay="cash")
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    clock.set(_local(2026, 12, 21, 18))
    with UnitOfWork(engine) as uow:
        uow.session.add(DayClose(location_id=shop.loc.id, business_date=date(2026, 12, 21), closed_at=clock.now()))
        uow.commit()
    before = _state(engine)
    report = _renew(engine, clock.now())
    assert (report.renewed, report.skipped) == (0, [{"location": "centro", "business_date": "2026-12-21", "due": 1,
                                                     "reason": "business day closed"}])
    assert _state(engine) == before
    clock.set(_local(2026, 12, 22, 9))  # the next day is open: the job catches up
    report = _renew(engine, clock.now())
    assert (report.renewed, report.skipped, len(report.membership_ids)) == (1, [], 1)
    assert _read(engine, memberships.show, shop.pedro).status == "paused"


def test_a_run_while_another_holds_the_lock_is_busy(engine, shop, clock):
    _subscribe(engine, shop, pay="cash")
    clock.set(_local(2026, 12, 21))
    with jobs.single_instance(engine, membership_renewal.JOB, None):
        with pytest.raises(Busy) as caught:
            _renew(engine, clock.now())
    assert caught.value.exit_code == 4
    assert _count(engine, MembershipPeriod) == 1
    assert _renew(engine, clock.now()).renewed == 1


# ----------------------------------------------------------------------------- two cron runs at once

def _renew_in_a_process(url, now, start, results):
    """A cron process: its own engine and clock (SALON_NOW); waits for the other, then runs the job."""
    os.environ["SALON_NOW"] = now
    from salon_cli.core.clock import parse_instant
    from salon_cli.core.errors import Busy as BusyError
    from salon_cli.db.engine import make_engine
    from salon_cli.services.till import membership_fees

    engine = make_engine(url)
    try:
        with engine.connect():
            pass
        start.wait(60)
        try:
            report = membership_fees.renew(engine, as_of=parse_instant(now))
            results.put(("ok", report.renewed, report.expired, report.ended))
        except BusyError:
            results.put(("busy", 0, 0, 0))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_two_runs_at_once_end_as_one_run(db_url, engine, shop, clock):
    from salon_cli.services.clients import profiles as clients

    _add_plan(engine, shop, code="amigo", price=0, credits=2)
    clock.set(_local(2026, 9, 21))
    for first in ("Ana", "Berta", "Carla"):  # free, sold three months ago: three periods behind
        c = _do(engine, clients.add, actor=OWNER, location=shop.loc, first_name=first, last_name="Ruiz")
        _subscribe(engine, shop, plan="amigo", client=c.id)
    clock.set(_local(2026, 11, 21))
    _subscribe(engine, shop, pay="cash")                         # renews
    _subscribe(engine, shop, plan="black", client=shop.pedro)    # expires unpaid
    clock.set(_local(2026, 12, 21, 10))
    engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_renew_in_a_process, args=(db_url, clock.now().isoformat(), start, results))
             for _ in range(2)]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    done = [o for o in outcomes if o[0] == "ok"]
    assert done and sum(o[1] for o in done) == 1 + 9 and sum(o[2] for o in done) == 1  # as one run
    assert [o for o in outcomes if o[0] == "ok" and o[1:] != (0, 0, 0)] == [("ok", 10, 1, 0)]
    members = {m.client_id: (m.status, m.period_number) for m in _rows(engine, Membership)}
    assert members[shop.ximena] == ("active", 2) and members[shop.pedro] == ("expired", 1)
    assert sorted(v for k, v in members.items() if k not in (shop.ximena, shop.pedro)) == [("active", 4)] * 3
    assert _count(engine, MembershipPeriod) == 2 + 1 + 3 * 4
    assert _count(engine, AuditLog, col(AuditLog.action) == "membership.renew") == 10
    assert _count(engine, Sale, col(Sale.status) == "open") == 1
    assert _count(engine, JobRun, col(JobRun.status) == "ok") == len(done)
