"""The drawer as the desk sees it (`services.closing.drawer_view`), on SQLite and PostgreSQL: the day's
movements and cash expenses for anyone; the running figure (the Z-report's expected cash, never worked out
again) only for a manager who proved it with a PIN, their look kept once, and for anyone after the count.

The day (`tests/shop.py`'s salon, 2026-11-21): a float of 500.00, Ximena's corte paid in cash (350.00),
100.00 cash in, 50.00 cash out, a 20.00 cash expense (and a 15.00 one voided) and a 90.00 bank expense:
expected cash 500 + 350 + 100 - 50 - 20 = 880.00.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest
from sqlmodel import col, select

from salon_cli.core.errors import NotPermitted
from salon_cli.db.models import CashReveal
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.closing import day_close, drawer as cash_drawer, drawer_view, expenses
from salon_cli.services.salon.actors import SYSTEM
from shop import make_shop

TODAY = date(2026, 11, 21)
EXPECTED = 88000


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, **kw)


def _reveals(engine):
    return _read(engine, lambda s: [(r.via, r.expected_cash_cents) for r in s.exec(
        select(CashReveal).order_by(col(CashReveal.id))).all()])


@pytest.fixture
def shop(engine, salon, clock):
    shop = make_shop(engine)
    loc, sofia = shop.loc, shop.sofia
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)
    checkout.checkout(engine, actor=sofia, location=loc, appointment_id=shop.appt,
                      tenders=[checkout.parse_tender("cash", "MXN")])
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="in", amount_cents=10000, reason="change")
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="out", amount_cents=5000, reason="to the safe")
    _do(engine, expenses.add, actor=sofia, location=loc, amount_cents=2000, category="supplies",
        description="gloves", paid_from="cash")
    wrong = _do(engine, expenses.add, actor=sofia, location=loc, amount_cents=1500, category="supplies",
                description="typed twice", paid_from="cash")
    _do(engine, expenses.void, actor=shop.marco, location=loc, expense_id=wrong.id, reason="typed twice")
    _do(engine, expenses.add, actor=shop.marco, location=loc, amount_cents=9000, category="rent",
        description="storage", paid_from="bank")
    return shop


def test_the_running_figure_is_the_z_reports_and_only_a_managers_look_shows_it(engine, shop, clock):
    loc = shop.loc
    assert _read(engine, day_close.preview, actor=SYSTEM, location=loc, day=TODAY)["expected_cash_cents"] == EXPECTED
    unproven = dataclasses.replace(shop.marco, verified=False)
    for viewer in (None, shop.sofia, unproven):
        view = _read(engine, drawer_view.load, location=loc, viewer=viewer)
        assert view.expected_cash_cents is None and not view.counted and not view.closed
        assert [(m.kind, m.amount_cents, m.reason, m.created_by) for m in view.movements] == [
            ("float", 50000, None, "sofia"), ("in", 10000, "change", "sofia"), ("out", 5000, "to the safe", "sofia")]
        assert [(e.amount_cents, e.status) for e in view.expenses] == [(1500, "void"), (2000, "recorded")]  # cash only
        assert (view.float_cents, view.in_cents, view.out_cents, view.cash_expenses_cents) == (50000, 10000, 5000, 2000)
    # a look needs a manager who proved it: refused to the receptionist and to a manager without a PIN
    for who in (shop.sofia, unproven):
        with pytest.raises(NotPermitted):
            _do(engine, drawer_view.look, actor=who, location=loc)
    assert _reveals(engine) == []
    seen = _do(engine, drawer_view.look, actor=shop.marco, location=loc)
    assert seen.expected_cash_cents == EXPECTED
    assert _reveals(engine) == [("preview", EXPECTED)]  # the look is kept, as the close's preview keeps one
    # the screen that was shown it reads it again after a movement: the same look, not kept twice
    _do(engine, cash_drawer.move, actor=shop.sofia, location=loc, kind="out", amount_cents=1234, reason="coffee")
    again = _read(engine, drawer_view.load, location=loc, viewer=shop.marco)
    assert again.expected_cash_cents == EXPECTED - 1234 and again.out_cents == 6234
    assert _reveals(engine) == [("preview", EXPECTED)]
    # once the drawer is counted the figure is no secret: anyone sees it; after the close, its stored one
    _do(engine, day_close.commit_count, actor=shop.sofia, location=loc, day=TODAY, counted_cents=86000)
    counted = _read(engine, drawer_view.load, location=loc, viewer=None)
    assert (counted.expected_cash_cents, counted.counted) == (EXPECTED - 1234, True)
    clock.set(datetime(2026, 11, 22, 5, 30, tzinfo=timezone.utc))  # 23:30 in Mexico City: past closing time
    _do(engine, day_close.close, actor=shop.marco, location=loc, day=TODAY, counted_cents=None, note="short")
    closed = _read(engine, drawer_view.load, location=loc, viewer=shop.sofia)
    assert (closed.closed, closed.expected_cash_cents) == (True, EXPECTED - 1234)
