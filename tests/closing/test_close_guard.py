"""The guarded close (issue 28) on SQLite and PostgreSQL: what is unfinished on a day, the desk refused
while any remains and a manager closing over it with a note, a visit left booked past the close with a
reason, a visit completed only when nothing is owed, the close before the closing hour, and the days
left unclosed.

The salon is tests/shop.py's: now is Saturday 2026-11-21 11:00 in Mexico City; Ximena's corte at 12:00
is booked; Pedro's 09:00 corte is marked a no-show (a pending penalty of today); Pedro has an empty
ticket open; Ximena's visit on Monday holds a 100.00 cash deposit taken today (its sale waits for it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.db.models import Appointment, AuditLog, CashCount, DayClose, Penalty
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, day_end, penalties, status as appt_status
from salon_cli.services.closing import day_close, drawer, expenses, unfinished
from salon_cli.services.salon import hours
from salon_cli.services.till import deposits, sales, tenders, tickets
from shop import OWNER, make_shop

TODAY = date(2026, 11, 21)
WORDS = "1 appointment still booked or in the chair, 1 sale open, 1 penalty pending"


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, **kw)


@pytest.fixture
def desk(engine, salon, clock):
    shop = make_shop(engine)
    loc, sofia, marco = shop.loc, shop.sofia, shop.marco
    clock.advance(hours=-3)  # booked at 08:00
    missed = _do(engine, appointments.book_appointment, actor=sofia, location=loc, client_id=shop.pedro,
                 services=["corte"], staff="beto", at="2026-11-21 09:00").appointments[0].id
    clock.advance(hours=3)
    _do(engine, appt_status.no_show, actor=marco, location=loc, appointment_id=missed)
    monday = _do(engine, appointments.book_appointment, actor=sofia, location=loc, client_id=shop.ximena,
                 services=["corte"], staff="ana", at="2026-11-23 12:00").appointments[0].id
    held = _do(engine, deposits.take, actor=sofia, location=loc, appointment_id=monday, method="cash",
               amount_cents=10000)
    ticket = _do(engine, tickets.open_sale, actor=sofia, location=loc, client_id=shop.pedro)
    penalty = _read(engine, lambda s: s.exec(select(Penalty.id)).one())
    return shop, dict(missed=missed, monday=monday, deposit_sale=held.sale_id, ticket=ticket.id, penalty=penalty)


def test_the_desk_is_refused_while_work_remains_and_a_manager_closes_over_it_with_a_note(engine, desk):
    shop, ids = desk
    loc, sofia, marco = shop.loc, shop.sofia, shop.marco
    left = _read(engine, unfinished.of_day, location=loc, day=TODAY)
    assert left.words() == WORDS and not left.empty
    assert [(a.id, a.status, a.client, a.staff) for a in left.appointments] == [
        (shop.appt, "booked", "Ximena Jiménez", "ana")]
    assert [(s.id, s.client, s.balance_cents, s.has_payments) for s in left.sales] == [(ids["ticket"], "Pedro Páramo", 0, False)]
    assert [(p.id, p.kind, p.amount_cents) for p in left.penalties] == [(ids["penalty"], "no_show", 17500)]
    assert ids["deposit_sale"] not in [s.id for s in left.sales]  # the deposit waits for Monday's visit
    assert [r["kind"] for r in left.rows(loc)] == ["appointment", "sale", "penalty"]

    for actor, note in ((sofia, None), (sofia, "closing anyway"), (replace(marco, verified=False), "no PIN")):
        with pytest.raises(day_close.WorkUnfinished) as refused:
            _do(engine, day_close.close, actor=actor, location=loc, day=TODAY, counted_cents=10000, note=note)
        assert refused.value.message == f"{WORDS}: finish them first"
        assert refused.value.hint == ("see them: salon close-day --unfinished; a manager may close with --note "
                                      "(--as CODE --pin PIN)")
        assert refused.value.exit_code == 1 and refused.value.left.words() == WORDS
    with pytest.raises(day_close.WorkUnfinished, match="a manager closes over them only with a note"):
        _do(engine, day_close.close, actor=marco, location=loc, day=TODAY, counted_cents=10000, note="  ")
    # refused before the count: nothing was committed, nothing closed
    assert _read(engine, lambda s: (s.exec(select(sa.func.count()).select_from(CashCount)).one(),
                                    s.exec(select(sa.func.count()).select_from(DayClose)).one())) == (0, 0)
    preview = _read(engine, day_close.preview, actor=sofia, location=loc, day=TODAY)
    assert preview["unfinished"]["words"] == WORDS and preview["blind"]

    # the desk closes with the approval of a manager who proved it (the dashboard's "close anyway")
    report = _do(engine, day_close.close, actor=sofia, location=loc, day=TODAY, counted_cents=10000,
                 note="Pedro's ticket and fee wait for Monday", approved_by=marco)
    kept = {"appointments": [shop.appt], "sales": [ids["ticket"]], "penalties": [ids["penalty"]],
            "left_booked": [], "words": WORDS, "approved_by": "marco"}
    assert (report["status"], report["closed_by"], report["unfinished"], report["early"]) == ("closed", "sofia", kept, False)
    row = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "day.close")).one())
    assert row.after["unfinished"] == kept and row.after["note"] == "Pedro's ticket and fee wait for Monday"
    assert _read(engine, day_close.show, location=loc, day=TODAY)["unfinished"] == kept


def test_finishing_the_day_leave_booked_complete_void_waive_then_the_desk_closes(engine, desk):
    shop, ids = desk
    loc, sofia, marco = shop.loc, shop.sofia, shop.marco
    for reason, error in (("  ", "the reason is empty"), ("x" * 256, "longer than 255")):
        with pytest.raises(InvalidInput, match=error):
            _do(engine, day_end.leave_booked, actor=sofia, location=loc, appointment_id=shop.appt, reason=reason)
    with pytest.raises(RuleViolation, match=f"appointment {ids['missed']} is no show: only a visit still booked"):
        _do(engine, day_end.leave_booked, actor=sofia, location=loc, appointment_id=ids["missed"], reason="x")
    with pytest.raises(RuleViolation, match="is on 2026-11-23, a day still to come"):
        _do(engine, day_end.leave_booked, actor=sofia, location=loc, appointment_id=ids["monday"], reason="x")
    view = _do(engine, day_end.leave_booked, actor=sofia, location=loc, appointment_id=shop.appt,
               reason="  she comes\nat 19:00 ")
    assert view.status == "booked"
    row = _read(engine, lambda s: s.get(Appointment, shop.appt))
    assert (row.left_booked_reason, row.left_booked_on) == ("she comes at 19:00", TODAY)
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "appointment.leave_booked")).one())
    assert (audit.entity_id, audit.after["left_booked_reason"], audit.before["left_booked_reason"]) == (
        shop.appt, "she comes at 19:00", None)
    left = _read(engine, unfinished.of_day, location=loc, day=TODAY)
    assert left.appointments == [] and [a.id for a in left.left_booked] == [shop.appt]
    assert left.left_booked[0].left_booked_reason == "she comes at 19:00"

    # a walk-in in the chair is completed by its money, not before; a visit with nothing to pay is completed
    walk_in = _do(engine, appointments.book_appointment, actor=sofia, location=loc, client_id=shop.pedro,
                  services=["corte"], staff="beto", at="2026-11-21 11:00", walk_in=True).appointments[0].id
    _do(engine, appt_status.start, actor=sofia, location=loc, appointment_id=walk_in)
    with pytest.raises(RuleViolation) as owed:
        _do(engine, day_end.complete_settled, actor=sofia, location=loc, appointment_id=walk_in)
    assert owed.value.message == f"appointment {walk_in} has 350.00 MXN to pay: it is completed by its checkout"
    assert owed.value.hint == f"take the money: salon checkout {walk_in} --pay METHOD"
    with UnitOfWork(engine) as uow:  # the salon does it for free
        uow.session.get(Appointment, walk_in).price_cents = 0
        uow.commit()
    assert _do(engine, day_end.complete_settled, actor=sofia, location=loc, appointment_id=walk_in).status == "completed"

    _do(engine, sales.void, actor=marco, location=loc, sale_id=ids["ticket"], reason="opened by mistake")
    _do(engine, penalties.waive, actor=marco, location=loc, penalty_id=ids["penalty"], reason="first time")
    assert _read(engine, unfinished.of_day, location=loc, day=TODAY).empty
    report = _do(engine, day_close.close, actor=sofia, location=loc, day=TODAY, counted_cents=10000)
    assert (report["status"], report["unfinished"], report["note"]) == ("closed", None, None)


def test_closing_today_before_the_closing_hour_needs_early(engine, salon, clock):
    shop = make_shop(engine)
    loc, sofia = shop.loc, shop.sofia
    _do(engine, day_end.leave_booked, actor=sofia, location=loc, appointment_id=shop.appt, reason="later today")
    assert _read(engine, day_close.early_words, location=loc, day=TODAY) is None  # no opening hours: never early
    _do(engine, hours.set_opening, actor=OWNER, location=loc, days={"sat": "09:00-14:00,15:00-20:00",
                                                                    "fri": "09:00-20:00"}, closed=["sun"])
    assert _read(engine, day_close.early_words, location=loc, day=TODAY) == "it is 11:00 and the salon closes at 20:00"
    with pytest.raises(day_close.EarlyClose) as early:
        _do(engine, day_close.close, actor=sofia, location=loc, day=TODAY, counted_cents=0)
    assert (early.value.message, early.value.hint, early.value.exit_code) == (
        "it is 11:00 and the salon closes at 20:00", "close before the closing hour on purpose: salon close-day --early", 1)
    assert _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(CashCount)).one()) == 0
    past = _do(engine, day_close.close, actor=sofia, location=loc, day=date(2026, 11, 20), counted_cents=0)
    assert past["early"] is False  # a past day is never early
    report = _do(engine, day_close.close, actor=sofia, location=loc, day=TODAY, counted_cents=0, early=True)
    assert report["early"] is True
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "day.close")
                                           .order_by(col(AuditLog.id).desc())).first())
    assert audit.after["early"] is True
    clock.set(datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc))  # Saturday 20:00: the hour has come
    assert _read(engine, day_close.early_words, location=loc, day=TODAY) is None
    clock.set(datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc))  # Sunday noon: the salon does not open
    assert _read(engine, day_close.early_words, location=loc, day=date(2026, 11, 22)) is None


def test_days_left_unclosed_within_the_window(engine, salon, clock):
    shop = make_shop(engine)
    loc, sofia, marco = shop.loc, shop.sofia, shop.marco

    def on(day: date, hour: int = 16) -> None:  # 10:00 in Mexico City on that day
        clock.set(datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc))

    on(date(2026, 9, 15))  # 67 days back: outside the window
    _do(engine, drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)
    on(date(2026, 11, 17))  # a visit only, a no-show
    gone = _do(engine, appointments.book_appointment, actor=sofia, location=loc, client_id=shop.pedro,
               services=["corte"], staff="beto", at="2026-11-17 10:30").appointments[0].id
    on(date(2026, 11, 17), 18)
    _do(engine, appt_status.no_show, actor=sofia, location=loc, appointment_id=gone)
    on(date(2026, 11, 18))  # the drawer's float and an expense
    _do(engine, drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)
    _do(engine, expenses.add, actor=sofia, location=loc, amount_cents=2000, category="supplies", description="gloves")
    on(date(2026, 11, 19))  # a sale, closed that evening
    sale = _do(engine, tickets.open_sale, actor=sofia, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_product, actor=sofia, location=loc, sale_id=sale.id, product="shampoo")
    _do(engine, tenders.pay, actor=sofia, location=loc, sale_id=sale.id, method="card")
    _do(engine, day_close.close, actor=sofia, location=loc, day=date(2026, 11, 19), counted_cents=0)
    on(date(2026, 11, 20))  # a visit cancelled: nothing to close; a sale, closed and then re-opened
    cancelled = _do(engine, appointments.book_appointment, actor=sofia, location=loc, client_id=shop.pedro,
                    services=["corte"], staff="beto", at="2026-11-20 17:00").appointments[0].id
    _do(engine, appt_status.cancel, actor=sofia, location=loc, appointment_id=cancelled, by_salon=True)
    card = _do(engine, tickets.open_sale, actor=sofia, location=loc)
    _do(engine, sales.add_product, actor=sofia, location=loc, sale_id=card.id, product="shampoo")
    _do(engine, tenders.pay, actor=sofia, location=loc, sale_id=card.id, method="card")
    _do(engine, day_close.close, actor=sofia, location=loc, day=date(2026, 11, 20), counted_cents=0)
    on(TODAY)
    _do(engine, day_close.reopen, actor=marco, location=loc, day=date(2026, 11, 20), reason="a refund was missed")
    _do(engine, drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)  # today: not listed

    days = _read(engine, unfinished.pending_days, location=loc)
    assert [(d.business_date.isoformat(), d.sales_count, d.payments_count, d.cash_movements_count, d.expenses_count,
             d.appointments_count, d.reopened) for d in days] == [
        ("2026-11-17", 0, 0, 0, 0, 1, False),
        ("2026-11-18", 0, 0, 1, 1, 0, False),
        ("2026-11-20", 1, 1, 0, 0, 0, True),
    ]
    assert [d.business_date for d in _read(engine, unfinished.pending_days, location=loc, window=3)] == [
        date(2026, 11, 18), date(2026, 11, 20)]
    assert _read(engine, unfinished.pending_days, location=loc, today=date(2026, 11, 18)) == [days[0]]
