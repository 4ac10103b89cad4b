"""The blind count in the services (issue 26, item 11), on SQLite and PostgreSQL: until a count is committed
nobody without a manager's PIN sees the expected cash or any part of it; every committed count is kept and
audited, a refused close's too; a different count after the expected cash was shown needs a manager's PIN.

The day (`tests/shop.py`'s salon, 2026-11-21 in Mexico City): a float of 500.00, Ximena's corte paid in cash
(350.00), a shampoo paid by card (180.00) and 30.00 of it refunded by card, 100.00 cash in, 50.00 cash out,
a 20.00 cash expense and a 90.00 bank expense: expected cash 500 + 350 + 100 - 50 - 20 = 880.00.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import InvalidInput, NotPermitted
from salon_cli.db.models import AuditLog, CashCount, CashReveal, DayClose
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.closing import counts, day_close, drawer as cash_drawer, expenses
from salon_cli.services.till import sales, tenders, tickets
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


def _rows(engine, model):
    return _read(engine, lambda s: list(s.exec(select(model).order_by(col(model.id))).all()))


def _actions(engine):
    return _read(engine, lambda s: list(s.exec(select(AuditLog.action).where(
        col(AuditLog.action).in_(("day.count", "day.close_refused", "day.expected_shown", "day.close")))
        .order_by(col(AuditLog.id))).all()))


@pytest.fixture
def shop(engine, salon, clock):
    shop = make_shop(engine)
    loc, sofia = shop.loc, shop.sofia
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)
    checkout.checkout(engine, actor=sofia, location=loc, appointment_id=shop.appt,
                      tenders=[checkout.parse_tender("cash", "MXN")])
    card = _do(engine, tickets.open_sale, actor=sofia, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_product, actor=sofia, location=loc, sale_id=card.id, product="shampoo")
    _do(engine, tenders.pay, actor=sofia, location=loc, sale_id=card.id, method="card")
    _do(engine, tenders.refund, actor=shop.marco, location=loc, sale_id=card.id, amount_cents=3000, reason="dented")
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="in", amount_cents=10000, reason="change")
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="out", amount_cents=5000, reason="to the safe")
    _do(engine, expenses.add, actor=sofia, location=loc, amount_cents=2000, category="supplies",
        description="gloves", paid_from="cash")
    _do(engine, expenses.add, actor=shop.marco, location=loc, amount_cents=9000, category="rent",
        description="storage", paid_from="bank")
    return shop


def _unproven(actor):
    """The same staff member, not proved with a PIN in this command (`--as marco` alone)."""
    return dataclasses.replace(actor, verified=False)


def test_the_preview_is_blind_to_whoever_has_not_proved_a_managers_pin(engine, shop):
    for who in (shop.sofia, _unproven(shop.marco), None):
        report = _do(engine, day_close.preview, actor=who, location=shop.loc, day=TODAY)
        assert report["blind"] is True and report["status"] == "preview"
        assert {key: report[key] for key in counts.HIDDEN} == dict.fromkeys(counts.HIDDEN)
        assert report["by_method"] == {"card": 18000} and report["refunds_by_method"] == {"card": 3000}
        assert [(s["code"], s["services"], s["revenue_cents"], s["tips_cents"], s["commission_cents"])
                for s in report["staff"]] == [("ana", 1, None, None, None), ("sofia", 0, None, None, None)]
        assert (report["sales_count"], report["open_sales"], report["counts"]) == (2, 0, [])
    assert _rows(engine, CashReveal) == [] and _actions(engine) == []  # nothing was shown, nothing kept
    # the open day's report (a manager's `report day`) is the same blind view
    live = _do(engine, day_close.show, actor=_unproven(shop.marco), location=shop.loc, day=TODAY)
    assert live["status"] == "open" and live["blind"] is True and live["cash_float_cents"] is None


def test_a_managers_look_with_a_pin_shows_the_cash_and_is_kept(engine, shop):
    report = _do(engine, day_close.preview, actor=shop.marco, location=shop.loc, day=TODAY)
    assert report["blind"] is False and report["expected_cash_cents"] == EXPECTED
    assert (report["cash_float_cents"], report["cash_sales_cents"], report["cash_in_cents"], report["cash_out_cents"],
            report["cash_expenses_cents"]) == (50000, 35000, 10000, 5000, 2000)
    assert report["counted_cash_cents"] is None and report["variance_cents"] is None
    [look] = _rows(engine, CashReveal)
    assert (look.business_date, look.revision, look.expected_cash_cents, look.via) == (TODAY, 1, EXPECTED, "preview")
    assert _actions(engine) == ["day.expected_shown"]
    # the desk's first count after that is allowed, and marked as made after the expected cash was shown
    _do(engine, day_close.commit_count, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=EXPECTED)
    assert [c.after_expected_shown for c in _rows(engine, CashCount)] == [True]


def test_a_blind_preview_with_a_count_is_refused_and_stores_nothing(engine, shop):
    with pytest.raises(NotPermitted, match="would show the expected cash before the count is committed"):
        _do(engine, day_close.preview, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=80000)
    assert _rows(engine, CashCount) == [] and _actions(engine) == []


def test_a_refused_close_keeps_its_count_and_audits_it(engine, shop):
    with pytest.raises(day_close.NoteNeeded, match=r"80\.00 MXN short, more than the 50\.00 MXN .*"
                                                   r"\(expected 880\.00 MXN, counted 800\.00 MXN\)"):
        _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=80000)
    [kept] = _rows(engine, CashCount)
    assert (kept.business_date, kept.revision, kept.counted_cash_cents, kept.expected_cash_cents,
            kept.counted_by_id, kept.after_expected_shown) == (TODAY, 1, 80000, EXPECTED, shop.sofia.id, False)
    assert _rows(engine, DayClose) == []
    assert _actions(engine) == ["day.count", "day.close_refused"]
    refused = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "day.close_refused")).one())
    assert (refused.actor, refused.entity, refused.entity_id) == ("sofia", "cash_count", kept.id)
    assert refused.after["variance_cents"] == -8000
    # the count is committed: the desk now sees the drawer, with that count
    seen = _do(engine, day_close.preview, actor=shop.sofia, location=shop.loc, day=TODAY)
    assert seen["blind"] is False and (seen["expected_cash_cents"], seen["counted_cash_cents"],
                                       seen["variance_cents"]) == (EXPECTED, 80000, -8000)
    assert [(c["counted_cash_cents"], c["by"], c["after_expected_shown"]) for c in seen["counts"]] == [
        (80000, "sofia", False)]
    # a note closes with the count made (given again, or not at all): no second count
    report = _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=None,
                 note="a 100 bill went to the bank by mistake")
    assert (report["counted_cash_cents"], report["variance_cents"], len(report["counts"])) == (80000, -8000, 1)
    assert len(_rows(engine, CashCount)) == 1


def test_a_receptionists_count_again_after_the_expected_was_shown_is_refused(engine, shop):
    _do(engine, day_close.commit_count, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=80000)
    for fn, kw in ((day_close.close, dict(note="recounted")), (day_close.commit_count, {})):
        with pytest.raises(NotPermitted, match="counting again needs a manager's PIN") as refused:
            _do(engine, fn, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=EXPECTED, **kw)
        assert refused.value.exit_code == 3
    with pytest.raises(NotPermitted):  # a manager who has not given the PIN is not proved to be one
        _do(engine, day_close.close, actor=_unproven(shop.marco), location=shop.loc, day=TODAY, counted_cents=EXPECTED)
    assert [c.counted_cash_cents for c in _rows(engine, CashCount)] == [80000]
    assert _rows(engine, DayClose) == []
    # the same count again is that count (a receptionist may close with it and a note)
    again = _do(engine, day_close.commit_count, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=80000)
    assert len(again["counts"]) == 1 and len(_rows(engine, CashCount)) == 1


def test_a_managers_count_again_with_a_pin_keeps_both_counts_in_the_z_report(engine, shop):
    with pytest.raises(day_close.NoteNeeded):
        _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=80000,
            denominations=[{"denomination_cents": 50000, "count": 1}, {"denomination_cents": 10000, "count": 3}])
    report = _do(engine, day_close.close, actor=shop.marco, location=shop.loc, day=TODAY, counted_cents=87900)
    assert (report["status"], report["counted_cash_cents"], report["variance_cents"]) == ("closed", 87900, -100)
    assert [(c["counted_cash_cents"], c["expected_cash_cents"], c["variance_cents"], c["by"], c["after_expected_shown"])
            for c in report["counts"]] == [(80000, EXPECTED, -8000, "sofia", False), (87900, EXPECTED, -100, "marco", True)]
    assert report["counts"][0]["count"] == [{"denomination_cents": 50000, "count": 1},
                                            {"denomination_cents": 10000, "count": 3}]
    assert report["counts"][1]["at"] == "2026-11-21T11:00:00-06:00"
    stored = _read(engine, day_close.show, location=shop.loc, day=TODAY)
    assert stored["counts"] == report["counts"] and stored["counted_cash_cents"] == 87900
    row = _read(engine, lambda s: s.exec(select(DayClose)).one())
    assert (row.counted_cash_cents, row.variance_cents) == (87900, -100)
    assert _actions(engine) == ["day.count", "day.close_refused", "day.count", "day.close"]
    recount = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "day.count")
                                             .order_by(col(AuditLog.id).desc())).first())
    assert (recount.actor, recount.after["recount"], recount.after["after_expected_shown"]) == ("marco", True, True)


def test_after_a_reopen_the_next_close_is_counted_afresh_and_marked(engine, shop):
    _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=EXPECTED)
    _do(engine, day_close.reopen, actor=shop.marco, location=shop.loc, day=TODAY, reason="a card refund was missed")
    blind = _do(engine, day_close.preview, actor=shop.sofia, location=shop.loc, day=TODAY)
    assert blind["blind"] is True and blind["revision"] == 2
    report = _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=EXPECTED - 1000)
    assert (report["revision"], [c["after_expected_shown"] for c in report["counts"]]) == (2, [True])
    assert [(c.revision, c.counted_cash_cents) for c in _rows(engine, CashCount)] == [(1, EXPECTED), (2, EXPECTED - 1000)]
    first = _read(engine, day_close.show, location=shop.loc, day=TODAY, revision=1)
    assert [c["counted_cash_cents"] for c in first["counts"]] == [EXPECTED]


def test_no_count_to_close_with_is_exit_2(engine, shop):
    with pytest.raises(InvalidInput, match="needs the drawer's count"):
        _do(engine, day_close.close, actor=shop.sofia, location=shop.loc, day=TODAY, counted_cents=None)
    assert _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(CashCount)).one()) == 0
