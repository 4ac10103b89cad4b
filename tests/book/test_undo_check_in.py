"""`book.corrections.undo_check_in` and `salon appt undo-checkin`: a check-in taken back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import col, select

from cli_helpers import MARCO, SOFIA, js, salon
from salon_cli.core.errors import NotPermitted, RuleViolation
from salon_cli.db.models import Appointment, AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, corrections, status
from salon_cli.services.till import tenders, tickets
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)


def _check_in(engine, shop, appt_id=None):
    with UnitOfWork(engine) as uow:
        status.check_in(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=appt_id or shop.appt)
        uow.commit()


def _undo(engine, shop, actor=None, appt_id=None):
    with UnitOfWork(engine) as uow:
        view = corrections.undo_check_in(uow.session, actor=actor or shop.sofia, location=shop.loc,
                                         appointment_id=appt_id or shop.appt)
        uow.commit()
    return view


def _state(engine, appt_id):
    with UnitOfWork(engine, write=False) as uow:
        appt = uow.session.get(Appointment, appt_id)
        audits = len(uow.session.exec(select(AuditLog.id)).all())
        return appt.status, appt.checked_in_at, audits


def test_within_15_minutes_anyone_at_the_desk(engine, shop, clock):
    _check_in(engine, shop)
    clock.advance(minutes=15)
    view = _undo(engine, shop)
    assert (view.status, view.checked_in_at) == ("booked", None)
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.exec(select(AuditLog).where(AuditLog.action == "appointment.undo_check_in")).one()
        assert (row.actor, row.entity_id, row.before["status"], row.after["status"]) == (
            "sofia", shop.appt, "checked_in", "booked")
        assert row.after["checked_in_at_was"] is not None
    _check_in(engine, shop)  # and it can be checked in again
    assert _state(engine, shop.appt)[0] == "checked_in"


def test_later_only_a_manager_with_a_pin(engine, shop, clock):
    _check_in(engine, shop)
    clock.advance(minutes=16)
    before = _state(engine, shop.appt)
    with pytest.raises(NotPermitted, match="only a manager undoes a check-in"):
        _undo(engine, shop)
    with pytest.raises(NotPermitted):  # a manager who gave no PIN is not proved a manager
        _undo(engine, shop, actor=replace(shop.marco, verified=False))
    assert _state(engine, shop.appt) == before
    assert _undo(engine, shop, actor=shop.marco).status == "booked"


@pytest.mark.parametrize("steps, says", [
    ((), "is booked: only a checked-in appointment goes back to booked"),
    (("start",), "is in the chair"),
    (("start", "complete"), "is completed"),
])
def test_other_states_are_refused(engine, shop, clock, steps, says):
    for step in steps:
        with UnitOfWork(engine) as uow:
            getattr(status, step)(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
            uow.commit()
    before = _state(engine, shop.appt)
    with pytest.raises(RuleViolation, match=says):
        _undo(engine, shop)
    assert _state(engine, shop.appt) == before


def test_a_walk_in_was_never_booked(engine, shop, clock):
    with UnitOfWork(engine) as uow:
        walk = appointments.book_appointment(uow.session, actor=OWNER, location=shop.loc, client_id=shop.pedro,
                                             services=["corte"], staff="beto", at=None, walk_in=True)
        uow.commit()
    appt_id = walk.appointments[0].id
    before = _state(engine, appt_id)
    with pytest.raises(RuleViolation, match="is a walk-in"):
        _undo(engine, shop, appt_id=appt_id)
    assert _state(engine, appt_id) == before


def test_a_visit_whose_sale_took_a_payment_stays_checked_in(engine, shop, clock):
    _check_in(engine, shop)
    with UnitOfWork(engine) as uow:
        sale = tickets.create(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
        tenders.pay(uow.session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash", amount_cents=10000)
        uow.commit()
    before = _state(engine, shop.appt)
    with pytest.raises(RuleViolation, match="has taken a payment"):
        _undo(engine, shop)
    assert _state(engine, shop.appt) == before


def test_the_cli(engine, shop, clock, db_url):
    _check_in(engine, shop)
    done = js(db_url, *SOFIA, "appt", "undo-checkin", str(shop.appt))
    assert (done["status"], done["checked_in_at"]) == ("booked", None)
    again = salon(db_url, *SOFIA, "appt", "undo-checkin", str(shop.appt))
    assert again.code == 1 and again.stdout == "" and again.stderr.startswith(
        f"error: appointment {shop.appt} is booked: only a checked-in appointment goes back to booked")
    _check_in(engine, shop)
    clock.advance(minutes=30)
    late = salon(db_url, *SOFIA, "appt", "undo-checkin", str(shop.appt))
    assert late.code == 3 and "only a manager" in late.stderr
    assert _state(engine, shop.appt)[0] == "checked_in"
    assert js(db_url, *MARCO, "appt", "undo-checkin", str(shop.appt))["status"] == "booked"
    with UnitOfWork(engine, write=False) as uow:
        actors = uow.session.exec(select(AuditLog.actor).where(AuditLog.action == "appointment.undo_check_in")
                                  .order_by(col(AuditLog.id))).all()
    assert actors == ["sofia", "marco"]
