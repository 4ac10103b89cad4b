"""`book.history.history` (an appointment's states in desk words) and `book.status.cancel_terms`
(what a cancellation would charge now, the very rule `cancel` applies)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from salon_cli.core.errors import NotFound, RuleViolation
from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, corrections, status
from salon_cli.services.book.history import StateChange, history
from shop import book, make_shop


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        done = fn(uow.session, **kw)
        uow.commit()
    return done


def _history(engine, appt_id):
    with UnitOfWork(engine, write=False) as uow:
        return history(uow.session, appt_id)


def _audits(engine):
    with UnitOfWork(engine, write=False) as uow:
        return len(uow.session.exec(select(AuditLog.id)).all())


def test_a_visit_from_booking_to_done(engine, shop, clock):
    desk = dict(actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    _do(engine, appointments.move, at="2026-11-21 13:00", staff="beto", **desk)
    clock.advance(minutes=110)  # 12:50
    _do(engine, status.check_in, **desk)
    clock.advance(minutes=2)
    _do(engine, corrections.undo_check_in, **desk)
    _do(engine, status.check_in, **desk)
    _do(engine, status.start, **desk)
    clock.advance(minutes=45)
    _do(engine, status.complete, **desk)
    changes = _history(engine, shop.appt)
    assert all(isinstance(c, StateChange) for c in changes)
    assert [(c.action, c.actor, c.detail) for c in changes] == [
        ("booked", "lucia", None),
        ("moved to 2026-11-21 13:00 with beto", "sofia", None),
        ("checked in", "sofia", None),
        ("check-in undone", "sofia", None),
        ("checked in", "sofia", None),
        ("started", "sofia", None),
        ("completed", "sofia", None),
    ]
    assert [c.at for c in changes] == sorted(c.at for c in changes)
    assert changes[-1].at == clock.now()


def test_a_no_show_reinstated_and_a_late_cancellation(engine, shop, clock):
    clock.advance(minutes=80)
    _do(engine, status.no_show, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    _do(engine, corrections.reinstate, actor=shop.marco, location=shop.loc, appointment_id=shop.appt,
        reason="she was in the waiting room")
    _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, reason="se enfermó")
    actions = [(c.action, c.actor) for c in _history(engine, shop.appt)]
    assert actions == [("booked", "lucia"), ("no-show", "sofia"), ("reinstated", "marco"), ("cancelled", "sofia")]
    details = [c.detail for c in _history(engine, shop.appt)]
    assert details[2] == "back to booked: she was in the waiting room"
    assert details[3] == "late: inside the policy's window; se enfermó"


def test_a_cancellation_by_the_salon_and_an_unknown_appointment(engine, shop, clock):
    later = book(engine, shop, at="2026-11-25 10:00")
    _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=later, by_salon=True)
    assert [(c.action, c.detail) for c in _history(engine, later)] == [
        ("booked", None), ("cancelled", "by the salon")]
    with pytest.raises(NotFound):
        _history(engine, 9999)


def _terms(engine, shop, appt_id, by_salon=False):
    with UnitOfWork(engine, write=False) as uow:
        return status.cancel_terms(uow.session, location=shop.loc, appointment_id=appt_id, by_salon=by_salon)


def test_cancel_terms_say_what_cancel_does_and_change_nothing(engine, shop, clock):
    before = _audits(engine)
    terms = _terms(engine, shop, shop.appt)  # 12:00 today, 24-hour window, 25% of 350.00
    assert (terms.late, terms.fee_cents, terms.window_hours) == (True, 8750, 24)
    assert _terms(engine, shop, shop.appt, by_salon=True).late is False
    assert _terms(engine, shop, shop.appt, by_salon=True).fee_cents == 0
    assert _audits(engine) == before
    done = _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    assert done.late is terms.late and done.penalty.amount_cents == terms.fee_cents


def test_cancel_terms_outside_the_window_and_once_checked_in(engine, shop, clock):
    later = book(engine, shop, at="2026-11-23 10:00")  # 47 hours ahead
    terms = _terms(engine, shop, later)
    assert (terms.late, terms.fee_cents) == (False, 0)
    done = _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=later)
    assert (done.late, done.penalty) == (False, None)
    _do(engine, status.check_in, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    assert (_terms(engine, shop, shop.appt).late, _terms(engine, shop, shop.appt).fee_cents) == (False, 0)


def test_cancel_terms_refuse_what_cancel_refuses(engine, shop, clock):
    _do(engine, status.start, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    with pytest.raises(RuleViolation, match="is already in the chair; it cannot be cancelled"):
        _terms(engine, shop, shop.appt)
    with pytest.raises(NotFound):
        _terms(engine, shop, 9999)


def test_a_walk_in_starts_checked_in(engine, shop, clock):
    walk = _do(engine, appointments.book_appointment, actor=shop.sofia, location=shop.loc, client_id=shop.pedro,
               services=["corte"], staff="beto", at=None, walk_in=True).appointments[0]
    assert [(c.action, c.actor, c.detail) for c in _history(engine, walk.id)] == [("checked in", "sofia", "walk-in")]
