"""Reports: revenue (by day, week, month, service, staff), staff, no-shows, loyalty and finance, on SQLite
and PostgreSQL. A few days of a small salon are built through the services; every figure is worked out
by hand in the comments (IVA 16% on top, rounded half up per line)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cli_helpers import salon as run
from salon_cli.db.models import Expense, LoyaltyLot, Penalty, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import status as appt_status, penalties
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.till import penalty_fees, sales, tenders, tickets
from salon_cli.services.loyalty import (
    cards as loyalty,
    program as loyalty_program,
    rewards as loyalty_rewards,
    expiry as points_expiry,
)
from salon_cli.services.closing import (
    revenue,
    reports,
    loyalty_report as reports_loyalty,
    no_show_report as reports_no_shows,
)
from salon_cli.services.closing.revenue import RevenueRow
from shop import OWNER, book, make_shop

MX = ZoneInfo("America/Mexico_City")
FIRST, LAST = date(2026, 11, 20), date(2026, 12, 1)


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=MX)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, **kw)


def _tender(text):
    return checkout.parse_tender(text, "MXN")


def _penalty_of(engine, appointment_id):
    return _read(engine, lambda session: session.exec(
        select(Penalty.id).where(Penalty.appointment_id == appointment_id)).one())


class Book:
    """What `_build` made: the shop and the ids the tests look at."""

    def __init__(self, shop, **ids):
        self.shop = shop
        self.loc = shop.loc
        self.__dict__.update(ids)


def _build(engine, clock) -> Book:
    """Five business days of the salon (times are Mexico City's; IVA 16% on top of every line but gift cards).

    Fri 2026-11-20 (ISO week 47)
      S1 checkout of a1 (Ximena, corte, ana) + shampoo sold by sofia, 10% off, tip 50.00, card 200 + cash:
         corte 350.00 - 35.00 = 315.00 + IVA 50.40 = 365.40; shampoo 180.00 - 18.00 = 162.00 + 25.92 = 187.92
      S2 Pedro, tinte by beto: 800.00 + 128.00 = 928.00, cash, no tip
      S3 Pedro, a gift card of 500.00 (untaxed), tip 7.00 (no line with staff: the tip goes to "(none)")
      an open sale and a void sale (neither counts); ns1 (Pedro, tinte, beto, 10:00) marked a no-show
         -> penalty 50% = 400.00
    Sat 2026-11-21: the shop's appointment (Ximena, corte, ana, 12:00) a no-show -> penalty 175.00, waived;
      ns1's penalty paid in cash: S7, fee 400.00 + IVA 64.00 (no staff)
    Mon 2026-11-23 (week 48): S4 checkout of a2 (Pedro, tinte, beto), tip 20.00; refund of 100.00 on S1;
      a5 (Pedro, corte, ana) completed without a sale; a6 (Pedro, 30th) cancelled; a4 booked (Pedro, Dec 5)
    Tue 2026-12-01 (week 49): S5 checkout of a3 (Ximena, corte, ana) by card: 350.00 + 56.00;
      refund of 200.00 on S2; a7 (Ximena, Dec 10) booked and cancelled
    Wed 2026-12-02: a8 (Ximena, Dec 9) booked; "now" stays here.
    """
    clock.set(at("2026-11-20", "09:00"))
    shop = make_shop(engine, taxes=["IVA:16%"])
    loc, desk, boss = shop.loc, shop.sofia, shop.marco
    with UnitOfWork(engine) as uow:
        for code, bp in (("ana", 4000), ("beto", 3500), ("sofia", 500)):
            row = uow.session.exec(select(Staff).where(Staff.code == code)).one()
            row.commission_bp = bp
            uow.session.add(row)
        uow.commit()
    a1 = book(engine, shop, at="2026-11-20 12:00")
    ns1 = book(engine, shop, at="2026-11-20 10:00", client=shop.pedro, services=("tinte",), staff_code="beto")

    clock.set(at("2026-11-20", "12:30"))
    s1 = checkout.checkout(engine, actor=desk, location=loc, appointment_id=a1,
                           tenders=[_tender("card:200"), _tender("cash")], tip_cents=5000, discount="10%",
                           products=[("shampoo", 1)]).sale
    assert [(ln.kind, ln.staff, ln.net_cents, ln.tax_cents, ln.total_cents) for ln in s1.lines] == [
        ("service", "ana", 31500, 5040, 36540), ("product", "sofia", 16200, 2592, 18792)]
    assert (s1.total_cents, s1.tip_cents, s1.status) == (55332, 5000, "paid")
    s2 = _do(engine, tickets.open_sale, actor=desk, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_service, actor=desk, location=loc, sale_id=s2.id, service="tinte", staff="beto")
    _do(engine, tenders.pay, actor=desk, location=loc, sale_id=s2.id, method="cash")
    s3 = _do(engine, tickets.open_sale, actor=desk, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_gift_card, actor=desk, location=loc, sale_id=s3.id, amount_cents=50000)
    _do(engine, tenders.pay, actor=desk, location=loc, sale_id=s3.id, method="cash", tip_cents=700)
    still_open = _do(engine, tickets.open_sale, actor=desk, location=loc, client_id=shop.ximena)
    _do(engine, sales.add_service, actor=desk, location=loc, sale_id=still_open.id, service="corte", staff="ana")
    voided = _do(engine, tickets.open_sale, actor=desk, location=loc)
    _do(engine, sales.add_product, actor=desk, location=loc, sale_id=voided.id, product="shampoo")
    _do(engine, sales.void, actor=boss, location=loc, sale_id=voided.id, reason="rang up twice")
    _do(engine, appt_status.no_show, actor=desk, location=loc, appointment_id=ns1)

    clock.set(at("2026-11-21", "12:30"))
    _do(engine, appt_status.no_show, actor=desk, location=loc, appointment_id=shop.appt)
    _do(engine, penalties.waive, actor=boss, location=loc, penalty_id=_penalty_of(engine, shop.appt), reason="flu")
    _do(engine, penalty_fees.mark_paid, actor=desk, location=loc, penalty_id=_penalty_of(engine, ns1), method="cash")

    clock.set(at("2026-11-23", "09:00"))
    a2 = book(engine, shop, at="2026-11-23 10:00", client=shop.pedro, services=("tinte",), staff_code="beto")
    a5 = book(engine, shop, at="2026-11-23 11:00", client=shop.pedro)
    a3 = book(engine, shop, at="2026-12-01 12:00")
    a6 = book(engine, shop, at="2026-11-30 10:00", client=shop.pedro, services=("tinte",), staff_code="beto")
    _do(engine, appt_status.cancel, actor=desk, location=loc, appointment_id=a6)
    clock.set(at("2026-11-23", "10:30"))
    s4 = checkout.checkout(engine, actor=desk, location=loc, appointment_id=a2, tenders=[_tender("cash")],
                           tip_cents=2000).sale
    r1 = _do(engine, tenders.refund, actor=boss, location=loc, sale_id=s1.id, reason="shampoo spilt",
             amount_cents=10000)
    assert [(r.method, r.amount_cents) for r in r1] == [("cash", 10000)]
    a4 = book(engine, shop, at="2026-12-05 10:00", client=shop.pedro, staff_code="beto")
    clock.set(at("2026-11-23", "11:50"))
    _do(engine, appt_status.check_in, actor=desk, location=loc, appointment_id=a5)
    _do(engine, appt_status.complete, actor=desk, location=loc, appointment_id=a5)

    clock.set(at("2026-12-01", "12:30"))
    s5 = checkout.checkout(engine, actor=desk, location=loc, appointment_id=a3, tenders=[_tender("card")]).sale
    _do(engine, tenders.refund, actor=boss, location=loc, sale_id=s2.id, reason="colour redone", amount_cents=20000)
    a7 = book(engine, shop, at="2026-12-10 10:00", services=("tinte",), staff_code="beto")
    _do(engine, appt_status.cancel, actor=desk, location=loc, appointment_id=a7)

    clock.set(at("2026-12-02", "10:00"))
    a8 = book(engine, shop, at="2026-12-09 12:00")
    with UnitOfWork(engine) as uow:
        for day, category, cents, status in ((date(2026, 11, 23), "supplies", 12000, "recorded"),
                                             (date(2026, 11, 25), "supplies", 5000, "void"),
                                             (date(2026, 11, 30), "rent", 100000, "recorded"),
                                             (date(2026, 12, 1), "supplies", 3000, "recorded"),
                                             (date(2026, 12, 2), "supplies", 999, "recorded")):
            uow.session.add(Expense(location_id=loc.id, business_date=day, category=category, description=category,
                                    amount_cents=cents, status=status, created_at=clock.now()))
        uow.commit()
    return Book(shop, s1=s1.id, s2=s2.id, s3=s3.id, s4=s4.id, s5=s5.id, a1=a1, a2=a2, a3=a3, a4=a4, a5=a5,
                a6=a6, a7=a7, a8=a8, ns1=ns1)


@pytest.fixture
def days(engine, salon, clock):
    return _build(engine, clock)


def _rows(engine, days, by, first=FIRST, last=LAST):
    return _read(engine, revenue.rows, location_id=days.loc.id, first=first, last=last, by=by)


def _tuples(rows):
    return [(r.period, r.sales_count, r.revenue_cents, r.tax_cents, r.tips_cents) for r in rows]


# ----------------------------------------------------------------------------- revenue

# The refund of 100.00 on S1 (Nov 23) splits over S1's line totals 365.40 / 187.92 (largest remainder):
# 66.04 / 33.96; before tax 66.04 x 315.00 / 365.40 = 56.93 (+ 9.11 tax), 33.96 x 162.00 / 187.92 = 29.28
# (+ 4.68 tax). The refund of 200.00 on S2 (Dec 1): 200.00 x 800.00 / 928.00 = 172.41 (+ 27.59 tax).
BY_DAY = [
    ("2026-11-20", 3, 31500 + 16200 + 80000, 5040 + 2592 + 12800, 5000 + 700),  # the gift card is no revenue
    ("2026-11-21", 1, 40000, 6400, 0),  # the penalty fee (S7)
    ("2026-11-23", 1, 80000 - 5693 - 2928, 12800 - 911 - 468, 2000),  # S4 less the refund on S1
    ("2026-12-01", 1, 35000 - 17241, 5600 - 2759, 0),  # S5 less the refund on S2
]
TOTAL = (6, 256838, 41094, 7700)


def test_revenue_by_day_week_and_month(engine, days):
    assert _tuples(_rows(engine, days, "day")) == BY_DAY
    assert _tuples(_rows(engine, days, "week")) == [
        ("2026-W47", 4, 167700, 26832, 5700), ("2026-W48", 1, 71379, 11421, 2000), ("2026-W49", 1, 17759, 2841, 0)]
    assert _tuples(_rows(engine, days, "month")) == [
        ("2026-11", 5, 239079, 38253, 7700), ("2026-12", 1, 17759, 2841, 0)]
    whole = revenue.total(_rows(engine, days, "day"))
    assert (whole.sales_count, whole.revenue_cents, whole.tax_cents, whole.tips_cents) == TOTAL


def test_revenue_by_staff_and_service_split_tips_by_net(engine, days):
    # S1's tip of 50.00 is ana's: tips follow the services (sofia only sold the shampoo)
    assert _tuples(_rows(engine, days, "staff")) == [
        ("beto", 2, 80000 + 80000 - 17241, 12800 + 12800 - 2759, 2000),
        ("ana", 2, 31500 + 35000 - 5693, 5040 + 5600 - 911, 5000),
        ("(none)", 1, 40000, 6400, 700),  # the penalty fee, and S3's tip (its gift card is no revenue)
        ("sofia", 1, 16200 - 2928, 2592 - 468, 0),
    ]
    assert _tuples(_rows(engine, days, "service")) == [
        ("Tinte", 2, 142759, 22841, 2000),
        ("Corte", 2, 60807, 9729, 5000),
        ("(fees)", 1, 40000, 6400, 0),
        ("(products)", 1, 13272, 2124, 0),
        ("(none)", 0, 0, 0, 700),
    ]


@pytest.mark.parametrize("first,last", [(FIRST, LAST), (date(2026, 11, 21), date(2026, 11, 23)),
                                        (date(2026, 11, 23), date(2026, 11, 23)), (date(2026, 12, 1), date(2026, 12, 2))])
def test_every_grouping_adds_up_to_the_same_totals(engine, days, first, last):
    totals = set()
    for by in revenue.BY:
        whole = revenue.total(_rows(engine, days, by, first, last))
        totals.add((whole.revenue_cents, whole.tax_cents, whole.tips_cents))
    assert len(totals) == 1
    by_day = revenue.total(_rows(engine, days, "day", first, last))
    assert by_day.sales_count == sum(r.sales_count for r in _rows(engine, days, "month", first, last))


def test_day_totals_reads_one_day(engine, days):
    read = lambda day: _read(engine, revenue.day_totals, location_id=days.loc.id, day=day)  # noqa: E731
    assert read(date(2026, 11, 23)) == RevenueRow("2026-11-23", 1, 71379, 11421, 2000)
    assert read(date(2026, 11, 22)) == RevenueRow("2026-11-22", 0, 0, 0, 0)
    assert sum(read(FIRST + timedelta(days=i)).revenue_cents for i in range(12)) == TOTAL[1]


def test_day_totals_goes_through_the_day_indexes(engine, days):
    # PostgreSQL plans a tiny table as a sequential scan whatever its indexes, so there the planner is
    # told to avoid one where it can: a query no index can serve still shows "Seq Scan"
    postgres = engine.dialect.name == "postgresql"
    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", grab)
    try:
        _read(engine, revenue.day_totals, location_id=days.loc.id, day=date(2026, 11, 23))
    finally:
        sa.event.remove(engine, "before_cursor_execute", grab)
    plans = []
    with engine.connect() as conn:
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT") and ("FROM sale" in statement or "FROM refund" in statement):
                explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
                plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(explain + statement, parameters))
                plans.append(plan)
    scan = "Seq Scan" if postgres else "SCAN"
    assert plans and all(scan not in p for p in plans), plans  # every table read through an index
    assert any("ix_sale_location_date" in p for p in plans) and any("ix_refund_location_date" in p for p in plans)


def test_bad_grouping_and_backwards_period_are_invalid(engine, days):
    from salon_cli.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _rows(engine, days, "hour")
    with pytest.raises(InvalidInput):
        _rows(engine, days, "day", LAST, FIRST)


# ----------------------------------------------------------------------------- staff

def test_staff_report(engine, days):
    rows = _read(engine, reports.staff, location=days.loc, first=FIRST, last=LAST)
    assert [asdict(r) for r in rows] == [
        # ana: 2 cortes sold; 608.07 x 40% = 243.228 -> 243.23; 608.07 / 2 sales = 304.035 -> 304.04;
        # appointments a1, the shop's (no-show), a5, a3; completed a1 (rebooked: the shop's appointment,
        # booked on the 20th), a5 (rebooked: a4, booked the same morning), a3 (a7 cancelled, a8 booked a
        # day late: not rebooked): 2 of 3
        dict(code="ana", name="Ana", services=2, revenue_cents=60807, tips_cents=5000, commission_cents=24323,
             no_shows=1, appointments=4, average_ticket_cents=30404, rebooking_rate=66.7),
        # beto: 1427.59 x 35% = 499.6565 -> 499.66; 1427.59 / 2 = 713.795 -> 713.80; ns1 (no-show) and a2
        # (a6 cancelled); a2 rebooked: a5 (same client, later that day, booked that morning)
        dict(code="beto", name="Beto", services=2, revenue_cents=142759, tips_cents=2000, commission_cents=49966,
             no_shows=1, appointments=2, average_ticket_cents=71380, rebooking_rate=100.0),
        # sofia sold the shampoo: 132.72 x 5% = 6.636 -> 6.64; no appointments
        dict(code="sofia", name="Sofia", services=0, revenue_cents=13272, tips_cents=0, commission_cents=664,
             no_shows=0, appointments=0, average_ticket_cents=13272, rebooking_rate=None),
    ]
    assert sum(r.revenue_cents for r in rows) + 40000 == TOTAL[1]  # + "(none)": the penalty fee


def test_staff_report_of_a_day_with_only_a_refund(engine, days):
    # Dec 1: ana's corte (S5); beto only has the refund on S2 (negative revenue: no commission, no clawback)
    rows = _read(engine, reports.staff, location=days.loc, first=LAST, last=LAST)
    assert [(r.code, r.revenue_cents, r.commission_cents, r.average_ticket_cents, r.appointments, r.rebooking_rate)
            for r in rows] == [("ana", 35000, 14000, 35000, 1, 0.0), ("beto", -17241, 0, 0, 0, None)]


# ----------------------------------------------------------------------------- no-shows

def test_no_show_report(engine, days):
    report = _read(engine, reports_no_shows.no_shows, location=days.loc, first=FIRST, last=LAST)
    shop = days.shop
    # due: a1, ns1, the shop's, a2, a5, a3 (a6 cancelled; a4, a7, a8 later); no-shows ns1 (tinte 800.00)
    # and the shop's (corte 350.00); penalties 400.00 (paid) + 175.00 (waived)
    assert asdict(report) == dict(
        appointments=6, no_shows=2, rate=33.3, cost_cents=115000, penalties_cents=57500, collected_cents=40000,
        waived_cents=17500,
        by_client=[dict(client_id=shop.pedro, name="Pedro Páramo", no_shows=1, cost_cents=80000),
                   dict(client_id=shop.ximena, name="Ximena Jiménez", no_shows=1, cost_cents=35000)],
        by_staff=[dict(code="ana", appointments=4, no_shows=1, rate=25.0),
                  dict(code="beto", appointments=2, no_shows=1, rate=50.0)],
        by_week=[dict(week="2026-W47", appointments=3, no_shows=2, rate=66.7),
                 dict(week="2026-W48", appointments=2, no_shows=0, rate=0.0),
                 dict(week="2026-W49", appointments=1, no_shows=0, rate=0.0)])
    empty = _read(engine, reports_no_shows.no_shows, location=days.loc, first=date(2026, 11, 22), last=date(2026, 11, 22))
    assert (empty.appointments, empty.rate, empty.by_week) == (0, None, [])


# ----------------------------------------------------------------------------- finance

def test_finance_report(engine, days):
    report = _read(engine, reports.finance, location=days.loc, first=FIRST, last=LAST, by="month")
    assert asdict(report) == dict(
        revenue_cents=256838, tax_cents=41094, tips_cents=7700, refund_cents=10000 + 20000,
        expenses_cents=12000 + 100000 + 3000, net_cents=256838 - 115000,  # the void one and Dec 2's left out
        expenses_by_category=[dict(category="rent", amount_cents=100000), dict(category="supplies", amount_cents=15000)],
        periods=[dict(period="2026-11", revenue_cents=239079, expenses_cents=112000, net_cents=127079),
                 dict(period="2026-12", revenue_cents=17759, expenses_cents=3000, net_cents=14759)])
    weekly = _read(engine, reports.finance, location=days.loc, first=FIRST, last=LAST, by="week")
    assert sum(p["net_cents"] for p in weekly.periods) == weekly.net_cents == 141838
    assert _read(engine, reports.finance, location=days.loc, first=FIRST, last=LAST).periods is None


# ----------------------------------------------------------------------------- loyalty

@pytest.fixture
def plain(engine, salon, clock):
    clock.set(at("2026-11-20", "11:00"))
    return make_shop(engine)


def test_loyalty_report(engine, plain, clock):
    shop, loc, boss = plain, plain.loc, plain.marco
    prize = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=loc, name="A free corte",
                kind="free_service", points=0, service="corte")
    _do(engine, loyalty_program.update, actor=OWNER, location=loc, type="hybrid", stamps_reward=str(prize.id))
    # Nov 20: Ximena enrols (+50), +500 and -30 by hand, a reward of 100 points redeemed, voided (+100 back)
    # and redeemed again (code C2 left open); one stamp
    _do(engine, loyalty.enroll, actor=shop.sofia, location=loc, client_id=shop.ximena)
    _do(engine, loyalty.adjust, actor=boss, location=loc, client_id=shop.ximena, points=500, reason="goodwill")
    _do(engine, loyalty.adjust, actor=boss, location=loc, client_id=shop.ximena, points=-30, reason="typo")
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=loc, name="50 off", kind="discount_amount",
                 points=100, value=5000)
    c1 = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=loc, client_id=shop.ximena, reward_id=reward.id)
    _do(engine, loyalty_rewards.void, actor=shop.sofia, location=loc, code=c1.code)
    c2 = _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=loc, client_id=shop.ximena, reward_id=reward.id)
    _do(engine, loyalty_rewards.stamp, actor=shop.sofia, location=loc, client_id=shop.ximena)
    # Nov 21: Pedro's first sale (corte 350.00): welcome 50 + 350 earned; half refunded: 175 voided
    clock.set(at("2026-11-21", "11:00"))
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_service, actor=shop.sofia, location=loc, sale_id=sale.id, service="corte", staff="ana")
    _do(engine, tenders.pay, actor=shop.sofia, location=loc, sale_id=sale.id, method="cash")
    _do(engine, tenders.refund, actor=boss, location=loc, sale_id=sale.id, reason="half", amount_cents=17500)
    # Nov 23: a stamp; Ximena pays 50.00 of a corte with C2 and 300.00 cash (300 earned), then +200 by hand
    # (lifetime 50 + 500 + 300 + 200 = 1050: silver); Pedro's welcome lot is due and expires (50)
    clock.set(at("2026-11-23", "11:00"))
    _do(engine, loyalty_rewards.stamp, actor=shop.sofia, location=loc, client_id=shop.ximena)
    sale = _do(engine, tickets.open_sale, actor=shop.sofia, location=loc, client_id=shop.ximena)
    _do(engine, sales.add_service, actor=shop.sofia, location=loc, sale_id=sale.id, service="corte", staff="ana")
    _do(engine, tenders.pay, actor=shop.sofia, location=loc, sale_id=sale.id, method="points", code=c2.code)
    _do(engine, tenders.pay, actor=shop.sofia, location=loc, sale_id=sale.id, method="cash")
    _do(engine, loyalty.adjust, actor=boss, location=loc, client_id=shop.ximena, points=200, reason="birthday")
    with UnitOfWork(engine) as uow:
        lot = uow.session.exec(select(LoyaltyLot).where(LoyaltyLot.earned == 50,
                                                        LoyaltyLot.account_id == loyalty.account_id_of(
                                                            uow.session, shop.pedro))).one()
        lot.expires_at = at("2026-11-22", "00:00")
        uow.session.add(lot)
        uow.commit()
    assert points_expiry.expire(engine).points == 50

    def report(first, last):
        return asdict(_read(engine, reports_loyalty.loyalty, location=loc, first=first, last=last))

    tiers = dict(bronze=1, silver=1, gold=0, platinum=0)
    # now: Ximena 50 + 500 - 30 - 100 + 100 - 100 + 300 + 200 = 920, Pedro 50 + 350 - 175 - 50 = 175
    assert report(date(2026, 11, 20), date(2026, 11, 23)) == dict(
        points_issued=50 + 500 + 50 + 350 + 300 + 200, points_redeemed=100 + 100 - 100, points_expired=50,
        points_voided=175, stamps_issued=2, rewards_issued=2, rewards_used=1, liability_points=920 + 175,
        open_codes=0, accounts=2, by_tier=tiers)
    # a period that ended: balances as they stood then (Ximena 420 and C2 open on the 20th; Pedro 225 by the
    # 21st), tiers from the lifetime points earned by then (both bronze)
    assert report(date(2026, 11, 20), date(2026, 11, 20)) == dict(
        points_issued=550, points_redeemed=100, points_expired=0, points_voided=0, stamps_issued=1,
        rewards_issued=2, rewards_used=0, liability_points=420, open_codes=1, accounts=1,
        by_tier=dict(bronze=1, silver=0, gold=0, platinum=0))
    assert report(date(2026, 11, 21), date(2026, 11, 21)) == dict(
        points_issued=400, points_redeemed=0, points_expired=0, points_voided=175, stamps_issued=0,
        rewards_issued=0, rewards_used=0, liability_points=420 + 225, open_codes=1, accounts=2,
        by_tier=dict(bronze=2, silver=0, gold=0, platinum=0))


# ----------------------------------------------------------------------------- the command line

OWNER_AS = ["--as", "lucia"]
PERIOD = ["--from", "2026-11-20", "--to", "2026-12-01"]


def test_cli_revenue_formats(db_url, days):
    out = run(db_url, *OWNER_AS, "report", "revenue", *PERIOD, "-f", "json")
    assert out.code == 0, out.stderr
    rows = json.loads(out.stdout)
    assert all(list(r) == ["period", "sales_count", "revenue_cents", "tax_cents", "tips_cents"] for r in rows)
    assert [tuple(r.values()) for r in rows] == BY_DAY
    out = run(db_url, *OWNER_AS, "report", "revenue", *PERIOD, "--by", "staff", "-f", "csv")
    parsed = list(csv.reader(io.StringIO(out.stdout)))
    assert parsed[0] == ["period", "sales_count", "revenue_cents", "tax_cents", "tips_cents"]
    assert parsed[1] == ["beto", "2", "142759", "22841", "2000"] and len(parsed) == 5
    lines = run(db_url, *OWNER_AS, "report", "revenue", *PERIOD, "--by", "month", "-f", "ndjson").stdout.splitlines()
    assert [json.loads(x)["period"] for x in lines] == ["2026-11", "2026-12"]
    table = run(db_url, *OWNER_AS, "report", "revenue", *PERIOD, "--by", "month")
    lines = table.stdout.splitlines()
    assert table.code == 0 and lines[0].split() == ["month", "sales_count", "revenue", "tax", "tips"]
    total = lines.index("") - 1  # the table, a blank line, then the chart
    assert lines[total].startswith("total")
    assert "2568.38" in lines[total]  # the total row, in major units
    widths = {len(line) for line in lines[:total + 1]}
    assert len(widths) == 1  # figures right-aligned: every row ends at the last column's edge
    # piped: no colour, no Unicode blocks; the chart in ASCII, one bar per month, the largest 40 wide
    assert "█" not in table.stdout and "\x1b[" not in table.stdout
    chart = lines[total + 2:]
    assert [c.split()[0] for c in chart] == ["2026-11", "2026-12"]
    assert max(c.count("#") for c in chart) == 40 and all(set(c.split()[-1]) == {"#"} for c in chart)
    today = json.loads(run(db_url, *OWNER_AS, "report", "revenue", "-f", "json").stdout)
    assert today == []  # default: today (Dec 2), nothing sold


def test_cli_revenue_chart_on_a_terminal(db_url, days, monkeypatch):
    from salon_cli.cli.closing import reports as cli_reports

    monkeypatch.setattr(cli_reports, "styled", lambda: True)
    out = run(db_url, *OWNER_AS, "report", "revenue", "--from", "2026-11-20", "--to", "2026-11-24")
    chart = [line for line in out.stdout.splitlines() if line.startswith("2026-11-2") and ("█" in line or
                                                                                         line.endswith(" 0.00"))]
    # the table's 3 days, then the chart's 5 (the empty 22nd and 24th drawn as zero)
    assert [line.split()[0] for line in chart[-5:]] == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23",
                                                        "2026-11-24"]
    assert chart[-5].endswith("█" * 40) and chart[-3].endswith(" 0.00")


def test_cli_staff_no_shows_loyalty_finance_json_keys(db_url, days):
    staff = json.loads(run(db_url, *OWNER_AS, "report", "staff", *PERIOD, "-f", "json").stdout)
    assert [list(r) for r in staff] == [["code", "name", "services", "revenue_cents", "tips_cents",
                                         "commission_cents", "no_shows", "appointments", "average_ticket_cents",
                                         "rebooking_rate"]] * 3
    assert staff[0]["rebooking_rate"] == 66.7 and staff[2]["rebooking_rate"] is None
    ns = json.loads(run(db_url, *OWNER_AS, "report", "no-shows", *PERIOD, "-f", "json").stdout)
    assert list(ns) == ["appointments", "no_shows", "rate", "cost_cents", "penalties_cents", "collected_cents",
                        "waived_cents", "by_client", "by_staff", "by_week"]
    assert list(ns["by_client"][0]) == ["client_id", "name", "no_shows", "cost_cents"]
    assert list(ns["by_staff"][0]) == ["code", "appointments", "no_shows", "rate"]
    assert list(ns["by_week"][0]) == ["week", "appointments", "no_shows", "rate"]
    summary = run(db_url, *OWNER_AS, "report", "no-shows", *PERIOD, "-f", "csv").stdout
    assert summary.splitlines() == ["appointments,no_shows,rate,cost_cents,penalties_cents,collected_cents,waived_cents",
                                    "6,2,33.3,115000,57500,40000,17500"]
    weeks = run(db_url, *OWNER_AS, "report", "no-shows", *PERIOD, "--breakdown", "week", "-f", "csv").stdout
    assert weeks.splitlines()[0] == "week,appointments,no_shows,rate" and len(weeks.splitlines()) == 4
    loyal = json.loads(run(db_url, *OWNER_AS, "report", "loyalty", *PERIOD, "-f", "json").stdout)
    assert list(loyal) == ["points_issued", "points_redeemed", "points_expired", "points_voided", "stamps_issued",
                           "rewards_issued", "rewards_used", "liability_points", "open_codes", "accounts", "by_tier"]
    money = json.loads(run(db_url, *OWNER_AS, "report", "finance", *PERIOD, "--by", "week", "-f", "json").stdout)
    assert list(money) == ["revenue_cents", "tax_cents", "tips_cents", "refund_cents", "expenses_cents", "net_cents",
                           "expenses_by_category", "periods"]
    assert [list(p) for p in money["periods"]][0] == ["period", "revenue_cents", "expenses_cents", "net_cents"]
    assert money["net_cents"] == 141838 and sum(p["net_cents"] for p in money["periods"]) == 141838
    assert run(db_url, *OWNER_AS, "report", "finance", *PERIOD, "-f", "csv").stdout.splitlines() == [
        "revenue_cents,tax_cents,tips_cents,refund_cents,expenses_cents,net_cents",
        "256838,41094,7700,30000,115000,141838"]
    for command in (["staff"], ["no-shows"], ["loyalty"], ["finance", "--by", "month"]):
        table = run(db_url, *OWNER_AS, "report", *command, *PERIOD)
        assert table.code == 0 and table.stdout and "\x1b[" not in table.stdout, (command, table.stderr)


def test_cli_exit_codes(db_url, days):
    bad_by = run(db_url, *OWNER_AS, "report", "revenue", "--by", "hour")
    assert bad_by.code == 2 and bad_by.stdout == ""
    assert run(db_url, *OWNER_AS, "report", "finance", "--by", "staff").code == 2
    backwards = run(db_url, *OWNER_AS, "report", "revenue", "--from", "2026-12-01", "--to", "2026-11-20")
    assert backwards.code == 2 and "after" in backwards.stderr and backwards.stdout == ""
    assert run(db_url, *OWNER_AS, "report", "staff", "--date", "2026-11-20", "--from", "2026-11-20").code == 2
    assert run(db_url, *OWNER_AS, "report", "loyalty", "--date", "20/11/2026").code == 2
    assert run(db_url, *OWNER_AS, "report", "no-shows", "--breakdown", "day").code == 2
    desk = run(db_url, "--as", "sofia", "report", "revenue")
    assert desk.code == 3 and desk.stderr.startswith("error: ") and desk.stdout == ""
    assert run(db_url, "--as", "marco", "report", "staff", "-f", "json").code == 0  # a manager, no PIN
    assert run(db_url, "report", "--help").code == 0


def test_charts_draw_in_eighths_of_a_cell():
    from salon_cli.cli.closing import charts

    assert [charts.bar(v, 8, 1) for v in (0, 1, 4, 8)] == ["", "▏", "▌", "█"]
    assert charts.bar(-3, 8, 2) == "░" and charts.bar(1, 10_000, 40) == "▏"  # never invisible
    assert charts.bar_chart([("a", 200), ("bb", 50)], width=4) == ["a   200  ████", "bb   50  █"]
    assert charts.sparkline([0, 5, 10, None]) == "▁▅█ " and charts.sparkline([None]) == " "
