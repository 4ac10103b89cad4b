"""Loyalty: earning on paid sales, tiers, voids on refunds, redemptions, stamps, referrals, adjustments,
on SQLite and PostgreSQL. Figures are worked by hand in the comments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from salon_cli.core.errors import InvalidInput, NotPermitted, RuleViolation
from salon_cli.db.models import AuditLog, LoyaltyEntry, LoyaltyLot, Payment, Redemption
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program, rewards as loyalty_rewards
from salon_cli.services.loyalty import ledger, referrals
from salon_cli.services.salon.actors import Actor
from shop import OWNER, make_shop


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


def _program(engine, **changes):
    return _do(engine, loyalty_program.update, actor=OWNER, location=_loc(engine), **changes)


def _stamp_program(engine, **changes):
    """A stamp card gives a reward of the catalog: a free corte (0 points: not for points)."""
    prize = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=_loc(engine), name="A free corte",
                kind="free_service", points=0, service="corte")
    return _program(engine, stamps_reward=str(prize.id), **changes)


def _loc(engine):
    from salon_cli.services.salon import locations

    return _read(engine, locations.resolve, None)


def _card(engine, client_id):
    return _read(engine, loyalty.card, client_id)


def _balanced(engine, client_id):
    acct_id = _read(engine, loyalty.account_id_of, client_id)
    figures = _read(engine, ledger.check, acct_id)
    assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures
    assert figures["stamps"] == figures["entry_stamps"] >= 0, figures
    return figures


def _sale(engine, shop, client_id, *, service="corte", products=(), pay="cash"):
    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=client_id)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service=service, staff="ana")
        for product in products:
            sales.add_product(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product=product)
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method=pay)
        return sale.id
    return _do(engine, work)


# ----------------------------------------------------------------------------- earning

def test_a_paid_sale_enrols_the_client_and_earns_once(engine, shop):
    sale_id = _sale(engine, shop, shop.pedro)  # 350.00 paid: welcome 50 + 350 points (1 per peso, bronze 1x)
    card = _card(engine, shop.pedro)
    assert (card.enrolled, card.points, card.lifetime_points, card.tier) == (True, 400, 400, "bronze")
    kinds = [(e.kind, e.points) for e in _read(engine, loyalty.history, shop.pedro)]
    assert kinds == [("earn", 350), ("welcome", 50)]
    # settling the same sale again earns nothing more (one earn per sale, by its key)
    with UnitOfWork(engine) as uow:
        sale = sales.get(uow.session, sale_id, shop.loc)
        assert loyalty.earn_for_sale(uow.session, sale, actor=shop.sofia, location=shop.loc) is None
        uow.session.add(LoyaltyEntry(account_id=1, kind="earn", points=1, key=f"earn:sale:{sale_id}"))
        with pytest.raises(sa.exc.IntegrityError):
            uow.session.flush()
    _balanced(engine, shop.pedro)


def test_earning_counts_money_on_services_and_products_after_discount(engine, shop):
    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_product(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
        sales.add_gift_card(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=100000)
        sales.set_discount(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, discount="10%")
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="card", tip_cents=5000)
    _do(engine, work)
    # (350 + 180) - 10% = 477.00 earns 477; the 1,000.00 gift card and the 50.00 tip earn nothing
    assert [(e.kind, e.points) for e in _read(engine, loyalty.history, shop.pedro)] == [("earn", 477), ("welcome", 50)]


def test_minimum_purchase_tiers_and_multipliers(engine, shop):
    _program(engine, min_purchase_cents=40000, welcome_bonus=0,
             tiers="bronze:0,silver:1000:1.25,gold:2500:1.5,platinum:5000:2")
    _sale(engine, shop, shop.pedro)  # 350.00 < 400.00 minimum: nothing
    assert _card(engine, shop.pedro).points == 0
    _sale(engine, shop, shop.pedro, service="tinte")  # 800 bronze -> 800
    _sale(engine, shop, shop.pedro, service="tinte")  # 1600 lifetime
    card = _card(engine, shop.pedro)
    assert (card.points, card.tier, card.multiplier, card.next_tier, card.points_to_next_tier) == (
        1600, "silver", "1.25x", "gold", 900)
    _sale(engine, shop, shop.pedro, service="tinte")  # silver: 800 x 1.25 = 1000 -> 2600, gold
    card = _card(engine, shop.pedro)
    assert (card.points, card.lifetime_points, card.tier) == (2600, 2600, "gold")
    _balanced(engine, shop.pedro)


def test_points_and_credit_payments_do_not_earn(engine, shop):
    _program(engine, welcome_bonus=0)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=500, reason="goodwill")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="100 off",
                 kind="discount_amount", value=10000, points=200)
    code = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro,
               reward_id=reward.id).code

    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="points", code=code)
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
        return sale.id
    sale_id = _do(engine, work)
    # 350.00 - 100.00 paid by the code: 250 earned; 500 - 200 + 250 = 550
    assert _card(engine, shop.pedro).points == 550
    used = _read(engine, lambda s: s.exec(select(Redemption).where(Redemption.code == code)).one())
    assert (used.status, used.sale_id) == ("used", sale_id)
    _balanced(engine, shop.pedro)


# ----------------------------------------------------------------------------- refunds

def test_a_refund_voids_the_refunded_share_and_no_more_than_is_left(engine, shop, clock):
    _program(engine, welcome_bonus=0, expiry_months=1)
    sale_id = _sale(engine, shop, shop.pedro, service="tinte")  # 800 points in one lot
    _do(engine, tenders.refund, actor=OWNER, location=shop.loc, sale_id=sale_id, amount_cents=20000, reason="a")
    # a quarter refunded: 200 voided from the sale's lot
    assert _card(engine, shop.pedro).points == 600
    hist = _read(engine, loyalty.history, shop.pedro)
    assert (hist[0].kind, hist[0].points, hist[0].ref.startswith("sale")) == ("void", -200, True)
    # the lot expires (one month on); a later refund finds nothing left to void
    from salon_cli.services.loyalty import expiry as points_expiry

    clock.advance(days=40)
    points_expiry.expire(engine)
    assert _card(engine, shop.pedro).points == 0
    _sale(engine, shop, shop.pedro)  # a newer sale: 350 points in a lot of their own
    _do(engine, tenders.refund, actor=OWNER, location=shop.loc, sale_id=sale_id, amount_cents=20000, reason="b")
    # the first sale's lot has nothing left: the refund voids nothing, and the newer points stay whole
    assert [e.kind for e in _read(engine, loyalty.history, shop.pedro)] == ["earn", "expire", "void", "earn"]
    assert _card(engine, shop.pedro).points == 350
    _balanced(engine, shop.pedro)


def test_a_refund_after_partial_spending_voids_only_what_remains_of_the_lot(engine, shop):
    _program(engine, welcome_bonus=0, min_redemption=0)
    sale_id = _sale(engine, shop, shop.pedro, service="tinte")  # 800
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="free", kind="free_service",
                 points=700, service="tinte")
    _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, reward_id=reward.id)
    _do(engine, tenders.refund, actor=OWNER, location=shop.loc, sale_id=sale_id, reason="all of it")
    # 800 should go; only 100 are left in the lot: 100 voided, the balance is 0, never negative
    assert _card(engine, shop.pedro).points == 0
    assert _read(engine, loyalty.history, shop.pedro)[0].points == -100
    _balanced(engine, shop.pedro)


# ----------------------------------------------------------------------------- redemption

def test_redeem_uses_oldest_lots_and_a_void_restores_the_very_lots(engine, shop, clock):
    _program(engine, welcome_bonus=0, min_redemption=100)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=300, reason="first")
    clock.advance(days=1)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=400, reason="second")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="15% off", kind="discount_pct",
                 value=1500, points=500)
    row = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro,
              reward_id=reward.id)
    assert len(row.code) == 9 and row.code[4] == "-" and row.balance == 200
    lots = _read(engine, lambda s: [(lot.earned, lot.remaining) for lot in s.exec(select(LoyaltyLot).order_by(LoyaltyLot.id))])
    assert lots == [(300, 0), (400, 200)]  # oldest first
    again = _do(engine, loyalty_rewards.void, actor=shop.sofia, location=shop.loc, code=row.code.lower().replace("-", ""))
    assert (again.status, again.balance) == ("voided", 700)
    lots = _read(engine, lambda s: [(lot.earned, lot.remaining) for lot in s.exec(select(LoyaltyLot).order_by(LoyaltyLot.id))])
    assert lots == [(300, 300), (400, 400)]
    assert _card(engine, shop.pedro).lifetime_points == 700  # restoring is not earning
    with pytest.raises(RuleViolation, match="voided"):
        _do(engine, loyalty_rewards.void, actor=shop.sofia, location=shop.loc, code=row.code)
    _balanced(engine, shop.pedro)


def test_redeem_refusals(engine, shop):
    _program(engine, welcome_bonus=0, min_redemption=100)
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="big", kind="free_service",
                 points=500, service="tinte")
    with pytest.raises(RuleViolation, match="no loyalty card"):
        _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, reward_id=reward.id)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=99, reason="x")
    with pytest.raises(RuleViolation, match="redeeming starts at 100"):
        _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, reward_id=reward.id)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=1, reason="x")
    with pytest.raises(RuleViolation, match="costs 500 points; the card has 100"):
        _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, reward_id=reward.id)
    with pytest.raises(InvalidInput):
        _do(engine, loyalty_rewards.void, actor=shop.sofia, location=shop.loc, code="not-a-code")


def test_checkout_redeem_uses_the_code_once(engine, shop):
    _program(engine, welcome_bonus=0, min_redemption=0)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.ximena, points=300, reason="x")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="Free corte",
                 kind="free_service", points=300, service="corte")
    code = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
               reward_id=reward.id).code
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, tenders=[],
                             redeem=code)
    assert (done.sale.status, [(p.method, p.amount_cents) for p in done.sale.payments]) == ("paid", [("points", 35000)])
    assert _card(engine, shop.ximena).points == 0  # a free service earns nothing
    # the same code on another sale: refused, and that sale is untouched
    with pytest.raises(RuleViolation, match="is used"):
        _sale_with_code(engine, shop, shop.ximena, code)
    assert _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(Payment)
                                          .where(Payment.method == "points")).one()) == 1


def _sale_with_code(engine, shop, client_id, code):
    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=client_id)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="points", code=code)
    _do(engine, work)


def test_a_code_is_only_for_its_own_client_and_refunds_skip_it(engine, shop):
    _program(engine, welcome_bonus=0, min_redemption=0)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.ximena, points=300, reason="x")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="100 off",
                 kind="discount_amount", value=10000, points=300)
    code = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
               reward_id=reward.id).code
    with pytest.raises(RuleViolation, match="belongs to client"):
        _sale_with_code(engine, shop, shop.pedro, code)
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[checkout.parse_tender("cash", "MXN")], redeem=code)
    assert [(p.method, p.amount_cents) for p in done.sale.payments] == [("points", 10000), ("cash", 25000)]
    rows = _do(engine, tenders.refund, actor=OWNER, location=shop.loc, sale_id=done.sale.id, reason="unhappy")
    # the money is refunded (250.00); the code stays spent; the sale counts as refunded
    assert [(r.method, r.amount_cents) for r in rows] == [("cash", 25000)]
    assert _read(engine, sales.get, done.sale.id, shop.loc).status == "refunded"
    assert _card(engine, shop.ximena).points == 0  # the 250 earned are voided again
    _balanced(engine, shop.ximena)


# ----------------------------------------------------------------------------- stamps

def test_stamps_fill_a_card_and_issue_the_reward(engine, shop, clock):
    _stamp_program(engine, type="stamps", stamps_target=3, cooldown_minutes=0, max_daily_stamps=0)
    results = [_do(engine, loyalty_rewards.stamp, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
               for _ in range(3)]
    assert [r.stamps for r in results] == [1, 2, 0]
    assert results[-1].reward_code and results[-1].reward == "A free corte"
    card = _card(engine, shop.pedro)
    assert (card.points, card.stamps, [c["code"] for c in card.codes]) == (0, 0, [results[-1].reward_code])
    # voiding the reward's code gives the stamps back
    _do(engine, loyalty_rewards.void, actor=shop.sofia, location=shop.loc, code=results[-1].reward_code)
    assert _card(engine, shop.pedro).stamps == 3
    _balanced(engine, shop.pedro)


def test_stamp_cooldown_daily_cap_and_pin(engine, shop, clock):
    _stamp_program(engine, type="hybrid", cooldown_minutes=60, max_daily_stamps=2, require_pin=True)
    with pytest.raises(NotPermitted, match="PIN"):
        _do(engine, loyalty_rewards.stamp, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    desk = Actor(id=shop.sofia.id, code="sofia", name="Sofía", role="receptionist", verified=True)
    first = _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro)
    assert first.stamps == 1
    clock.advance(minutes=30)  # 11:30 local
    with pytest.raises(RuleViolation, match="next stamp is allowed at 12:00"):
        _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro)
    clock.advance(minutes=30)
    _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro)
    clock.advance(minutes=30)  # inside the cooldown and at the daily limit: the later of the two is told
    with pytest.raises(RuleViolation, match="was stamped at 12:00 and has had 2 stamps today, the daily limit: "
                                            "the next stamp is allowed from 2026-11-22 00:00"):
        _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro)
    clock.advance(minutes=90)
    with pytest.raises(RuleViolation, match="daily limit: the next stamp is allowed from 2026-11-22 00:00"):
        _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro)
    clock.set(datetime(2026, 11, 22, 6, 5, tzinfo=timezone.utc))  # 00:05 local, the next day
    assert _do(engine, loyalty_rewards.stamp, actor=desk, location=shop.loc, client_id=shop.pedro).stamps == 3
    # nothing refused left a trace
    assert _card(engine, shop.pedro).stamps == 3
    _balanced(engine, shop.pedro)


def test_a_points_program_refuses_stamps(engine, shop):
    with pytest.raises(RuleViolation, match="collects points"):
        _do(engine, loyalty_rewards.stamp, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)


# ----------------------------------------------------------------------------- enrolment, referral, adjust

def test_enroll_welcome_bonus_once(engine, shop):
    card = _do(engine, loyalty.enroll, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    assert (card.points, card.lifetime_points) == (50, 50)
    with pytest.raises(RuleViolation, match="already has a loyalty card"):
        _do(engine, loyalty.enroll, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    audit = _read(engine, lambda s: s.exec(select(AuditLog.action).where(AuditLog.entity == "loyalty_account")).all())
    assert audit == ["loyalty.welcome"]


def test_referral_bonus_on_the_first_paid_sale_only(engine, shop):
    _do(engine, referrals.refer, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, referred_id=shop.pedro)
    with pytest.raises(RuleViolation, match="referred by client"):
        _do(engine, referrals.refer, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, referred_id=shop.pedro)
    with pytest.raises(InvalidInput):
        _do(engine, referrals.refer, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, referred_id=shop.pedro)
    _sale(engine, shop, shop.pedro)
    _sale(engine, shop, shop.pedro)
    # Ximena: welcome 50 + one referral bonus 100 (Pedro earns his too: tests/loyalty/test_referrals.py)
    assert [(e.kind, e.points) for e in _read(engine, loyalty.history, shop.ximena)] == [("referral", 100), ("welcome", 50)]
    with pytest.raises(RuleViolation, match="has paid sale"):  # Pedro is no longer a new client
        _do(engine, referrals.refer, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, referred_id=shop.pedro)


def test_adjust_needs_a_manager_and_a_reason_and_never_goes_negative(engine, shop):
    with pytest.raises(NotPermitted):
        _do(engine, loyalty.adjust, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, points=10, reason="x")
    with pytest.raises(InvalidInput, match="say why"):
        _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=10, reason="  ")
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=-50, reason="typo")
    with pytest.raises(RuleViolation, match="the card has 0 points"):
        _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=-1, reason="typo")
    assert _card(engine, shop.pedro).lifetime_points == 50  # the welcome bonus; lifetime never falls
    _balanced(engine, shop.pedro)


def test_program_set_validates_and_keeps_one_program(engine, shop):
    view = _program(engine, type="hybrid", tiers="bronze:0,silver:800:1.3", expiry_inactivity_days=180)
    assert (view.type, view.expiry_months, view.expiry_inactivity_days) == ("hybrid", None, 180)
    assert view.tiers == [{"name": "bronze", "min_points": 0, "multiplier_bp": 10000, "discount_bp": 0, "priority": False},
                          {"name": "silver", "min_points": 800, "multiplier_bp": 13000, "discount_bp": 0,
                           "priority": False}]
    for bad in (dict(type="cards"), dict(tiers="silver:10"), dict(tiers="bronze:0,silver:0"),
                dict(expiry_months=3, expiry_inactivity_days=9), dict(stamps_target=0)):
        with pytest.raises(InvalidInput):
            _program(engine, **bad)
    with pytest.raises(NotPermitted):
        _do(engine, loyalty_program.update, actor=shop.sofia, location=shop.loc, type="points")
    from salon_cli.db.models import LoyaltyProgram

    with pytest.raises(sa.exc.IntegrityError):
        _do(engine, lambda s: (s.add(LoyaltyProgram(id=2)), s.flush()))


def test_card_warns_of_points_expiring_within_30_days(engine, shop, clock):
    _program(engine, welcome_bonus=0, expiry_months=2)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=120, reason="x")
    assert _card(engine, shop.pedro).expiring == []  # due 2027-01-21: two months away
    clock.advance(days=35)
    card = _card(engine, shop.pedro)
    assert [(e.points, e.expires_at) for e in card.expiring] == [
        (120, datetime(2027, 1, 21, 17, 0, tzinfo=timezone.utc))]
    _program(engine, expiry_inactivity_days=20)
    card = _card(engine, shop.pedro)  # idle since the adjustment: everything goes 20 days after it
    assert [(e.points, e.expires_at) for e in card.expiring] == [
        (120, datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc) + timedelta(days=20))]


def test_merging_clients_joins_their_cards(engine, shop):
    from salon_cli.services.record import merge as client_merge

    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.ximena, points=100, reason="x")
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=1000, reason="x")
    _do(engine, client_merge.merge, actor=OWNER, keep_id=shop.ximena, duplicate_id=shop.pedro)
    card = _card(engine, shop.ximena)
    # 50 + 100 and 50 + 1000: one card, lifetime points added up, silver
    assert (card.points, card.lifetime_points, card.tier) == (1200, 1200, "silver")
    assert _read(engine, ledger.account, shop.pedro, lock=False) is None
    _balanced(engine, shop.ximena)


def test_a_sale_that_earns_nothing_enrols_nobody(engine, shop):
    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sales.add_gift_card(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=50000)
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
    _do(engine, work)
    assert _card(engine, shop.pedro).enrolled is False


def test_a_percent_code_takes_its_share_of_services_and_products_only(engine, shop):
    _program(engine, welcome_bonus=0, min_redemption=0)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=400, reason="x")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="15% off",
                 kind="discount_pct", value=1500, points=400)
    code = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro,
               reward_id=reward.id).code

    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_gift_card(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, amount_cents=100000)
        return tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="points", code=code)
    paid = _do(engine, work)
    assert (paid.method, paid.amount_cents) == ("points", 5250)  # 15% of the 350.00 corte, not of the gift card
