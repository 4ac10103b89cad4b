"""`book.corrections.reinstate` and `salon appt reinstate`: a wrong no-show taken back by a manager."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from cli_helpers import MARCO, SOFIA, js, salon
from salon_cli.core.errors import InvalidInput, NotPermitted, RuleViolation
from salon_cli.db.models import Appointment, AuditLog, Client, Penalty
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import corrections, status
from salon_cli.services.salon import policy
from salon_cli.services.till import deposits, penalty_fees
from shop import OWNER, book, make_shop


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)


def _no_show(engine, shop, clock, appt_id=None):
    clock.advance(minutes=80)  # 12:20: the 12:00 appointment's time has come
    with UnitOfWork(engine) as uow:
        status.no_show(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=appt_id or shop.appt)
        uow.commit()


def _state(engine, shop, appt_id=None):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        appt = s.get(Appointment, appt_id or shop.appt)
        penalty = s.exec(select(Penalty).where(Penalty.appointment_id == appt.id)).first()
        client = s.get(Client, shop.ximena)
        audits = s.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
        return (appt.status, appt.no_show_at is not None, penalty.status if penalty else None,
                client.no_show_count, client.deposit_required, len(audits))


def _reinstate(engine, shop, actor=None, **kw):
    with UnitOfWork(engine) as uow:
        view = corrections.reinstate(uow.session, actor=actor or shop.marco, location=shop.loc,
                                     appointment_id=kw.pop("appointment_id", shop.appt),
                                     reason=kw.pop("reason", "she was here, nobody checked her in"), **kw)
        uow.commit()
    return view


def test_back_to_booked_penalty_waived_count_corrected_audited(engine, shop, clock):
    _no_show(engine, shop, clock)
    assert _state(engine, shop)[:5] == ("no_show", True, "pending", 1, False)
    view = _reinstate(engine, shop)
    assert (view.status, view.no_show_at, view.checked_in_at, view.penalty_status) == ("booked", None, None, "waived")
    assert _state(engine, shop)[:5] == ("booked", False, "waived", 0, False)
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        penalty = s.exec(select(Penalty).where(Penalty.appointment_id == shop.appt)).one()
        assert penalty.waive_reason == "no-show reinstated: she was here, nobody checked her in"
        assert penalty.waived_by_id == shop.marco.id
        rows = s.exec(select(AuditLog).where(col(AuditLog.action).in_(
            ("appointment.reinstate", "penalty.waive", "client.no_show_reinstated")))).all()
        by = {r.action: r for r in rows}
        assert set(by) == {"appointment.reinstate", "penalty.waive", "client.no_show_reinstated"}
        assert by["appointment.reinstate"].actor == "marco"
        assert by["appointment.reinstate"].before["status"] == "no_show"
        assert by["appointment.reinstate"].after["status"] == "booked"
        assert by["appointment.reinstate"].after["reason"] == "she was here, nobody checked her in"
        assert by["client.no_show_reinstated"].before == {"no_show_count": 1, "deposit_required": False}
        assert by["client.no_show_reinstated"].after == {"no_show_count": 0, "deposit_required": False}


def test_straight_to_checked_in(engine, shop, clock):
    _no_show(engine, shop, clock)
    view = _reinstate(engine, shop, checked_in=True)
    assert view.status == "checked_in" and view.checked_in_at == clock.now()


def test_the_deposit_flag_goes_when_the_count_is_under_the_threshold(engine, shop, clock):
    with UnitOfWork(engine) as uow:
        policy.update(uow.session, actor=OWNER, location=shop.loc, deposit_after_no_shows=1)
        uow.commit()
    _no_show(engine, shop, clock)
    assert _state(engine, shop)[3:5] == (1, True)
    _reinstate(engine, shop)
    assert _state(engine, shop)[3:5] == (0, False)


def test_the_deposit_flag_stays_while_the_count_is_still_at_the_threshold(engine, shop, clock):
    with UnitOfWork(engine) as uow:
        client = uow.session.get(Client, shop.ximena)
        client.no_show_count = 2
        uow.session.add(client)
        uow.commit()
    _no_show(engine, shop, clock)
    assert _state(engine, shop)[3:5] == (3, True)
    _reinstate(engine, shop)
    assert _state(engine, shop)[3:5] == (2, True)


def test_a_zero_threshold_leaves_the_flag_alone(engine, shop, clock):
    with UnitOfWork(engine) as uow:
        client = uow.session.get(Client, shop.ximena)
        client.deposit_required = True
        uow.session.add(client)
        policy.update(uow.session, actor=OWNER, location=shop.loc, deposit_after_no_shows=0)
        uow.commit()
    _no_show(engine, shop, clock)
    _reinstate(engine, shop)
    assert _state(engine, shop)[3:5] == (0, True)


def test_a_receptionist_is_refused_and_nothing_changes(engine, shop, clock):
    _no_show(engine, shop, clock)
    before = _state(engine, shop)
    with pytest.raises(NotPermitted):
        _reinstate(engine, shop, actor=shop.sofia)
    assert _state(engine, shop) == before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 256])
def test_a_reason_is_needed(engine, shop, clock, reason):
    _no_show(engine, shop, clock)
    before = _state(engine, shop)
    with pytest.raises(InvalidInput):
        _reinstate(engine, shop, reason=reason)
    assert _state(engine, shop) == before


def test_only_a_no_show_is_reinstated(engine, shop, clock):
    before = _state(engine, shop)
    with pytest.raises(RuleViolation, match=f"appointment {shop.appt} is booked, not a no-show"):
        _reinstate(engine, shop)
    assert _state(engine, shop) == before


def test_twice_is_refused_the_second_time(engine, shop, clock):
    _no_show(engine, shop, clock)
    _reinstate(engine, shop)
    before = _state(engine, shop)
    with pytest.raises(RuleViolation, match="not a no-show"):
        _reinstate(engine, shop)
    assert _state(engine, shop) == before


def test_a_paid_fee_is_refused_with_the_sale_to_refund(engine, shop, clock):
    _no_show(engine, shop, clock)
    with UnitOfWork(engine) as uow:
        penalty = uow.session.exec(select(Penalty).where(Penalty.appointment_id == shop.appt)).one()
        penalty_fees.mark_paid(uow.session, actor=shop.sofia, location=shop.loc, penalty_id=penalty.id, method="cash")
        uow.commit()
    before = _state(engine, shop)
    with pytest.raises(RuleViolation, match="is paid already") as refused:
        _reinstate(engine, shop)
    assert "refund that sale first: salon sale refund" in refused.value.hint
    assert _state(engine, shop) == before


def test_a_settled_deposit_is_refused(engine, shop, clock):
    with UnitOfWork(engine) as uow:
        deposits.take(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, method="cash",
                      amount_cents=10000)
        uow.commit()
    clock.advance(minutes=80)
    with UnitOfWork(engine) as uow:
        _, settled = deposits.no_show(uow.session, actor=shop.marco, location=shop.loc, appointment_id=shop.appt)
        uow.commit()
    assert settled is not None
    before = _state(engine, shop)
    with pytest.raises(RuleViolation, match="deposit was settled"):
        _reinstate(engine, shop)
    assert _state(engine, shop) == before


def test_checked_in_is_for_todays_visit_only(engine, shop, clock):
    other = book(engine, shop, at="2026-11-21 15:00")
    clock.advance(days=1)  # the next morning: the 15:00 appointment is marked by hand
    with UnitOfWork(engine) as uow:
        status.no_show(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=other)
        uow.commit()
    with pytest.raises(RuleViolation, match="only today's visit is checked in"):
        _reinstate(engine, shop, appointment_id=other, checked_in=True)
    assert _reinstate(engine, shop, appointment_id=other).status == "booked"


def test_the_cli_needs_a_manager_pin(engine, shop, clock, db_url):
    _no_show(engine, shop, clock)
    before = _state(engine, shop)
    refused = salon(db_url, *SOFIA, "appt", "reinstate", str(shop.appt), "--reason", "she came")
    assert refused.code == 3 and refused.stdout == "" and refused.stderr.startswith("error: ")
    no_pin = salon(db_url, "--as", "marco", "appt", "reinstate", str(shop.appt), "--reason", "she came")
    assert no_pin.code == 3
    assert _state(engine, shop)[:5] == before[:5]
    done = js(db_url, *MARCO, "appt", "reinstate", str(shop.appt), "--reason", "she came", "--checked-in")
    assert (done["id"], done["status"], done["penalty_status"]) == (shop.appt, "checked_in", "waived")
    again = salon(db_url, *MARCO, "appt", "reinstate", str(shop.appt), "--reason", "she came")
    assert again.code == 1 and again.stderr.splitlines()[0] == (
        f"error: appointment {shop.appt} is checked in, not a no-show: only a no-show is reinstated")
    missing = salon(db_url, *MARCO, "appt", "reinstate", str(shop.appt), "--reason", " ")
    assert missing.code == 2
