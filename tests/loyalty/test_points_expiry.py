"""expire-points against a hand computation (FIFO lots), run twice and at two --as-of instants, by lot
age and by inactivity, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from salon_cli.db.models import AuditLog, LoyaltyLot
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import jobs
from salon_cli.services.loyalty import (
    cards as loyalty,
    program as loyalty_program,
    rewards as loyalty_rewards,
    expiry as points_expiry,
)
from salon_cli.services.loyalty import ledger
from shop import OWNER, make_shop


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _lots(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        acct = loyalty.account_id_of(uow.session, client_id)
        return [(lot.earned, lot.remaining) for lot in
                uow.session.exec(select(LoyaltyLot).where(LoyaltyLot.account_id == acct).order_by(LoyaltyLot.id))]


def _state(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        figures = ledger.check(uow.session, loyalty.account_id_of(uow.session, client_id))
    assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures
    return figures["cached"]


@pytest.fixture
def shop(engine, salon, clock):
    shop = make_shop(engine)
    _do(engine, loyalty_program.update, actor=OWNER, location=shop.loc, welcome_bonus=0, min_redemption=0,
        expiry_months=6)
    return shop


def _earn(engine, shop, clock, when, points, client=None):
    clock.set(when)
    _do(engine, loyalty.adjust, actor=OWNER, location=shop.loc, client_id=client or shop.pedro, points=points,
        reason="earned")


def test_lot_age_fifo_twice_and_at_two_instants(engine, shop, clock):
    # lots: A 100 on Jan 10, B 200 on Mar 10, C 300 on Jun 10 (each expires six months on)
    _earn(engine, shop, clock, utc(2026, 1, 10, 18), 100)
    _earn(engine, shop, clock, utc(2026, 3, 10, 18), 200)
    _earn(engine, shop, clock, utc(2026, 6, 10, 18), 300)
    # on Jun 20 a 150-point reward takes A's 100 and 50 of B (oldest first)
    clock.set(utc(2026, 6, 20, 18))
    reward = _do(engine, loyalty_rewards.add_reward, actor=OWNER, location=shop.loc, name="r", kind="free_service",
                 points=150, service="corte")
    _do(engine, loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc, client_id=shop.pedro, reward_id=reward.id)
    assert _lots(engine, shop.pedro) == [(100, 0), (200, 150), (300, 300)]

    clock.set(utc(2026, 11, 21, 17))
    # as of Aug 1: A is due (Jul 10) but already spent: nothing expires
    first = points_expiry.expire(engine, as_of=utc(2026, 8, 1))
    assert (first.accounts, first.points, first.lots) == (0, 0, 0)
    # as of Oct 1: B (due Sep 10) loses its 150 left; C stays
    second = points_expiry.expire(engine, as_of=utc(2026, 10, 1))
    assert (second.accounts, second.points, second.lots) == (1, 150, 1)
    assert _lots(engine, shop.pedro) == [(100, 0), (200, 0), (300, 300)] and _state(engine, shop.pedro) == 300
    # the same instant again, and an earlier one: nothing more
    assert points_expiry.expire(engine, as_of=utc(2026, 10, 1)).points == 0
    assert points_expiry.expire(engine, as_of=utc(2026, 9, 1)).points == 0
    # as of Dec 10 18:00, C's due instant: the last 300 go
    third = points_expiry.expire(engine, as_of=utc(2026, 12, 10, 18))
    assert (third.points, _state(engine, shop.pedro)) == (300, 0)
    with UnitOfWork(engine, write=False) as uow:
        runs = jobs.list_runs(uow.session, job="expire-points")
        expired = uow.session.exec(select(AuditLog).where(AuditLog.action == "loyalty.expire")).all()
    assert [r.counts["points"] for r in reversed(runs)] == [0, 150, 0, 0, 300]
    assert [(a.before["points"], a.after["points"]) for a in expired] == [(450, 300), (300, 0)]
    assert [(e.kind, e.points) for e in _history(engine, shop.pedro)][:2] == [("expire", -300), ("expire", -150)]


def _history(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        return loyalty.history(uow.session, client_id)


def test_dry_run_changes_nothing(engine, shop, clock):
    _earn(engine, shop, clock, utc(2026, 1, 10, 18), 100)
    _earn(engine, shop, clock, utc(2026, 2, 10, 18), 40, client=shop.ximena)
    clock.set(utc(2026, 11, 21, 17))
    dry = points_expiry.expire(engine, dry_run=True)
    assert (dry.accounts, dry.points, dry.lots, dry.job_run_id) == (2, 140, 2, None)
    assert _state(engine, shop.pedro) == 100 and _state(engine, shop.ximena) == 40
    real = points_expiry.expire(engine)
    assert (real.accounts, real.points) == (2, 140) and real.job_run_id is not None


def test_inactivity_expires_every_lot_of_an_idle_card(engine, shop, clock):
    _do(engine, loyalty_program.update, actor=OWNER, location=shop.loc, expiry_inactivity_days=90)
    _earn(engine, shop, clock, utc(2026, 5, 1, 18), 100)
    _earn(engine, shop, clock, utc(2026, 7, 1, 18), 50)  # last activity: Jul 1
    _earn(engine, shop, clock, utc(2026, 9, 1, 18), 70, client=shop.ximena)
    clock.set(utc(2026, 11, 21, 17))
    # as of Sep 29 18:00 (90 days after Jul 1 18:00) Pedro's whole balance goes; Ximena's stays
    assert points_expiry.expire(engine, as_of=utc(2026, 9, 29, 17, 59)).points == 0
    report = points_expiry.expire(engine, as_of=utc(2026, 9, 29, 18))
    assert (report.accounts, report.points, report.lots) == (1, 150, 2)
    assert (_state(engine, shop.pedro), _state(engine, shop.ximena)) == (0, 70)
    assert points_expiry.expire(engine, as_of=utc(2026, 9, 29, 18)).points == 0


def test_many_cards_in_several_chunks(engine, shop, clock, monkeypatch):
    from salon_cli.services.clients import profiles as clients

    monkeypatch.setattr(points_expiry, "CHUNK", 3)
    ids = []
    clock.set(utc(2026, 1, 5, 18))
    with UnitOfWork(engine) as uow:
        for i in range(8):
            cid = clients.add(uow.session, actor=OWNER, location=shop.loc, first_name=f"C{i}", last_name="X").id
            loyalty.adjust(uow.session, actor=OWNER, location=shop.loc, client_id=cid, points=10 + i, reason="x")
            ids.append(cid)
        uow.commit()
    clock.set(utc(2026, 11, 21, 17))
    report = points_expiry.expire(engine)
    assert (report.accounts, report.points) == (8, sum(10 + i for i in range(8)))
    assert all(_state(engine, cid) == 0 for cid in ids)
