"""Booking and the status flow, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select

from salon_cli.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Client, Penalty, Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, status as appt_status
from salon_cli.services.salon import catalog, locations, setup, staff
from salon_cli.services.clients import profiles as clients
from salon_cli.services.salon.actors import Actor
from salon_cli.services.till import deposits

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
UTC = timezone.utc


@pytest.fixture
def desk(engine, salon):
    """Services corte (45 min, 350.00) and tinte (90 min, 800.00), stylists ana and marco,
    receptionist sofia, clients Ximena Jiménez and Jimena Giménez."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        catalog.add_service(s, actor=OWNER, location=loc, name="Tinte", duration_min=90, price_cents=80000, code="tinte")
        catalog.add_service(s, actor=OWNER, location=loc, name="Ceja", duration_min=15, price_cents=33333, code="ceja")
        ids = {}
        for code, role in (("ana", "stylist"), ("marco", "manager"), ("sofia", "receptionist")):
            ids[code] = staff.add(s, actor=OWNER, location=loc, name=code.title(), code=code, role=role, pin="2222").id
        x = clients.add(s, actor=OWNER, location=loc, first_name="Ximena", last_name="Jiménez", phone="5512345678")
        j = clients.add(s, actor=OWNER, location=loc, first_name="Pedro", last_name="Páramo")
        uow.commit()
    return {"loc": loc, "ximena": x.id, "pedro": j.id, "sofia": Actor(id=ids["sofia"], code="sofia", name="Sofía",
                                                                         role="receptionist"),
            "marco": Actor(id=ids["marco"], code="marco", name="Marco", role="manager", verified=True)}


def _book(engine, desk, *, actor=OWNER, commit=True, **kw):
    kw.setdefault("client_id", desk["ximena"])
    kw.setdefault("services", ["corte"])
    kw.setdefault("staff", "ana")
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=actor, location=desk["loc"], **kw)
        if commit:
            uow.commit()
    return done


def _count(engine, model, *where):
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(model).where(*where)).one()


def _do(engine, fn, *args, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, *args, **kw)
        uow.commit()
    return result


# ----------------------------------------------------------------------------- booking

def test_booking_two_services_stores_utc_items_total_and_audit(engine, desk, clock):
    done = _book(engine, desk, services=["corte", "Tinte"], at="2026-11-23 10:00", note="  trae foto ")
    (appt,) = done.appointments
    # 10:00 in Mexico City (UTC-6) is 16:00 UTC; 45 + 90 minutes
    assert appt.starts_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert appt.ends_at == datetime(2026, 11, 23, 18, 15, tzinfo=UTC)
    assert (appt.status, appt.price_cents, appt.service, appt.services) == ("booked", 115000, "Corte + Tinte", ("corte", "tinte"))
    assert appt.note == "trae foto" and done.warnings == []
    with UnitOfWork(engine, write=False) as uow:
        items = uow.session.exec(select(AppointmentItem).where(AppointmentItem.appointment_id == appt.id)
                                 .order_by(AppointmentItem.position)).all()
        assert [(i.position, i.duration_min, i.price_cents) for i in items] == [(0, 45, 35000), (1, 90, 80000)]
        log = uow.session.exec(select(AuditLog).where(AuditLog.action == "appointment.book")).one()
        assert log.entity_id == appt.id and log.after["services"] == ["corte", "tinte"] and log.actor == "lucia"


def test_duration_given_overrides_the_services(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-23 10:00", duration_min=60).appointments
    assert appt.ends_at - appt.starts_at == timedelta(minutes=60)


@pytest.mark.parametrize("bad, message", [
    ({"at": "2026-11-23 25:00"}, "is not 'YYYY-MM-DD HH:MM'"),
    ({"at": "2026-11-23 10:00", "duration_min": 0}, "duration 0"),
    ({"at": "2026-11-23 10:00", "services": []}, "no service"),
    ({"at": "2026-11-23 10:00", "deposit_cents": 99999999}, "not less than the price"),
    ({"at": None}, "--at is needed"),
    ({"at": "2026-11-23 10:00", "client_id": None}, "--client is needed"),
    ({"at": "2026-11-23 10:00", "walk_in": True, "repeat": "FREQ=DAILY;COUNT=2"}, "does not repeat"),
])
def test_bad_bookings_are_refused_with_exit_2_and_write_nothing(engine, desk, clock, bad, message):
    with pytest.raises(InvalidInput, match=message):
        _book(engine, desk, **bad)
    assert _count(engine, Appointment) == 0


def test_unknown_service_staff_or_client_are_not_found(engine, desk, clock):
    with pytest.raises(NotFound, match="no service 'peinado'"):
        _book(engine, desk, services=["peinado"], at="2026-11-23 10:00")
    with pytest.raises(NotFound, match="no staff member 'zoe'"):
        _book(engine, desk, staff="zoe", at="2026-11-23 10:00")
    with pytest.raises(NotFound, match="no client 999"):
        _book(engine, desk, client_id=999, at="2026-11-23 10:00")


def test_staff_double_booking_is_refused_unless_allowed(engine, desk, clock):
    first = _book(engine, desk, at="2026-11-23 10:00").appointments[0]  # 10:00-10:45
    for at in ("2026-11-23 10:00", "2026-11-23 10:30", "2026-11-23 09:30"):  # 09:30 + 45 min ends 10:15
        with pytest.raises(Conflict, match=f"ana is already booked: 2026-11-23 10:00-10:45 \\(appointment {first.id}\\)"):
            _book(engine, desk, at=at, client_id=desk["pedro"])
    # back to back is fine, so is another stylist at the same time
    _book(engine, desk, at="2026-11-23 10:45", client_id=desk["pedro"])
    _book(engine, desk, at="2026-11-23 09:15", client_id=desk["pedro"])
    _book(engine, desk, at="2026-11-23 10:00", staff="marco", client_id=desk["pedro"])
    _book(engine, desk, at="2026-11-23 10:15", client_id=desk["pedro"], allow_overlap=True)
    # a cancelled appointment frees its time
    _do(engine, appt_status.cancel, actor=OWNER, location=desk["loc"], appointment_id=first.id)
    _book(engine, desk, at="2026-11-23 10:00", client_id=desk["pedro"], duration_min=15, allow_overlap=False)
    assert _count(engine, Appointment) == 6


def test_a_time_already_past_is_refused_but_a_walk_in_is_booked_checked_in(engine, desk, clock):
    # now is 11:00 in Mexico City; grace 15 minutes
    with pytest.raises(RuleViolation, match="2026-11-21 10:30 has already passed"):
        _book(engine, desk, at="2026-11-21 10:30")
    _book(engine, desk, at="2026-11-21 10:50", client_id=desk["pedro"])  # inside the grace: still bookable
    (walk,) = _book(engine, desk, walk_in=True, at=None, client_id=None, staff="marco").appointments
    assert (walk.status, walk.walk_in, walk.client, walk.checked_in_at) == ("checked_in", True, "walk-in", clock.now())
    assert walk.starts_at == clock.now()


def test_deposit_required_client_needs_a_deposit_unless_a_manager_with_pin_books(engine, desk, clock):
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Client, desk["ximena"])
        row.no_show_count, row.deposit_required = 2, True
        uow.session.add(row)
        uow.commit()
    with pytest.raises(RuleViolation, match=r"Ximena Jiménez must leave a deposit to book \(2 no-shows\)"):
        _book(engine, desk, actor=desk["sofia"], at="2026-11-23 10:00")
    unproven = Actor(id=desk["marco"].id, code="marco", name="Marco", role="manager", verified=False)
    with pytest.raises(RuleViolation, match="must leave a deposit"):
        _book(engine, desk, actor=unproven, at="2026-11-23 10:00")
    # a deposit asked is not a deposit taken (issue 26): the desk books her only with the money
    with pytest.raises(RuleViolation, match="must leave a deposit"):
        _book(engine, desk, actor=desk["sofia"], at="2026-11-23 10:00", deposit_cents=10000)
    assert _count(engine, Appointment) == 0
    with UnitOfWork(engine) as uow:
        done = deposits.book(uow.session, actor=desk["sofia"], location=desk["loc"], method="cash",
                             deposit_cents=10000, client_id=desk["ximena"], services=["corte"], staff="ana",
                             at="2026-11-23 10:00")
        uow.commit()
    assert (done.appointments[0].deposit_cents, done.appointments[0].deposit_paid_cents) == (10000, 10000)
    assert done.warnings == ["Ximena Jiménez has a deposit required (2 no-shows)"]
    done = _book(engine, desk, actor=desk["marco"], at="2026-11-24 10:00")
    assert done.warnings == ["Ximena Jiménez has a deposit required (2 no-shows); booked without one taken by marco"]


# ----------------------------------------------------------------------------- repeats and DST

@pytest.fixture
def nyc(engine, clock):
    """A salon in New York (DST: 2026-11-01 clocks go back, 2027-03-14 they go forward)."""
    clock.set(datetime(2026, 10, 1, 12, 0, tzinfo=UTC))
    init = setup.initialise(engine, location_code="nyc", location_name="Brooklyn", timezone="America/New_York",
                            currency="USD", owner_name="Lucy", owner_code="lucy", owner_pin="1234")
    owner = Actor(id=init.owner.id, code="lucy", name="Lucy", role="owner", verified=True)
    with UnitOfWork(engine) as uow:
        catalog.add_service(uow.session, actor=owner, location=init.location, name="Cut", duration_min=60,
                            price_cents=5000, code="cut")
        client = clients.add(uow.session, actor=owner, location=init.location, first_name="Grace", last_name="Taylor")
        uow.commit()
    return {"loc": init.location, "owner": owner, "client": client.id}


def _book_nyc(engine, nyc, **kw):
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=nyc["owner"], location=nyc["loc"],
                                             client_id=nyc["client"], services=["cut"], staff="lucy", **kw)
        uow.commit()
    return done


def _local(at, tz="America/New_York"):
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def test_weekly_repeat_keeps_the_wall_clock_time_across_the_fall_change(engine, nyc):
    done = _book_nyc(engine, nyc, at="2026-10-20 10:00", repeat="FREQ=WEEKLY;COUNT=4")
    assert [_local(a.starts_at) for a in done.appointments] == [
        "2026-10-20 10:00 EDT", "2026-10-27 10:00 EDT", "2026-11-03 10:00 EST", "2026-11-10 10:00 EST"]
    assert [a.starts_at.hour for a in done.appointments] == [14, 14, 15, 15]  # UTC moves, the wall clock does not
    assert {a.series_id for a in done.appointments} == {done.appointments[0].id}
    assert all(a.ends_at - a.starts_at == timedelta(hours=1) for a in done.appointments)


def test_0230_on_the_spring_forward_night_lands_at_0330_or_is_skipped(engine, nyc, clock):
    done = _book_nyc(engine, nyc, at="2027-03-14 02:30")
    assert [_local(a.starts_at) for a in done.appointments] == ["2027-03-14 03:30 EDT"]
    assert done.appointments[0].starts_at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert done.warnings == ["2027-03-14 02:30 does not exist in America/New_York (clocks move forward): booked at 03:30"]
    with pytest.raises(InvalidInput, match="does not exist"):
        _book_nyc(engine, nyc, at="2027-03-14 02:45", on_gap="skip")
    skipped = _book_nyc(engine, nyc, at="2027-03-13 02:30", repeat="FREQ=DAILY;COUNT=3", on_gap="skip",
                        allow_overlap=True)
    assert [_local(a.starts_at) for a in skipped.appointments] == ["2027-03-13 02:30 EST", "2027-03-15 02:30 EDT"]
    assert "skipped" in skipped.warnings[0]
    shifted = _book_nyc(engine, nyc, at="2027-03-13 02:30", repeat="FREQ=DAILY;COUNT=3", allow_overlap=True)
    assert [_local(a.starts_at) for a in shifted.appointments] == [
        "2027-03-13 02:30 EST", "2027-03-14 03:30 EDT", "2027-03-15 02:30 EDT"]


def test_0130_on_the_fall_back_night_is_the_first_0130(engine, nyc):
    done = _book_nyc(engine, nyc, at="2026-11-01 01:30")
    assert done.appointments[0].starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert "happens twice" in done.warnings[0]


@pytest.mark.parametrize("rule, message", [
    ("FREQ=WEEKLY", "never ends"),
    ("FREQ=SOMETIMES;COUNT=3", "is not an RRULE"),
    ("FREQ=DAILY;COUNT=500", "more than 200"),
    ("DTSTART:20261101T100000\nRRULE:FREQ=DAILY;COUNT=2", "DTSTART"),
])
def test_bad_repeats_are_refused(engine, nyc, rule, message):
    with pytest.raises(InvalidInput, match=message):
        _book_nyc(engine, nyc, at="2026-10-20 10:00", repeat=rule)


def test_a_series_with_one_clash_is_refused_whole(engine, nyc):
    _book_nyc(engine, nyc, at="2026-10-27 10:30")
    with pytest.raises(Conflict, match="lucy is already booked: 2026-10-27 10:30-11:30"):
        _book_nyc(engine, nyc, at="2026-10-20 10:00", repeat="FREQ=WEEKLY;UNTIL=20261110")
    assert _count(engine, Appointment) == 1
    until = _book_nyc(engine, nyc, at="2026-10-20 12:00", repeat="FREQ=WEEKLY;UNTIL=20261110T235959Z")
    assert len(until.appointments) == 4


# ----------------------------------------------------------------------------- the status flow

def test_checkin_start_complete_with_times_and_an_audit_row_each(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-21 12:00").appointments
    loc = desk["loc"]
    seen = _do(engine, appt_status.check_in, actor=desk["sofia"], location=loc, appointment_id=appt.id)
    assert (seen.status, seen.checked_in_at) == ("checked_in", clock.now())
    clock.advance(minutes=5)
    seen = _do(engine, appt_status.start, actor=desk["sofia"], location=loc, appointment_id=appt.id)
    assert (seen.status, seen.started_at) == ("in_service", clock.now())
    clock.advance(minutes=40)
    seen = _do(engine, appt_status.complete, actor=desk["sofia"], location=loc, appointment_id=appt.id)
    assert (seen.status, seen.completed_at) == ("completed", clock.now())
    with UnitOfWork(engine, write=False) as uow:
        actions = uow.session.exec(select(AuditLog.action, AuditLog.actor).where(AuditLog.entity == "appointment",
                                   AuditLog.entity_id == appt.id).order_by(AuditLog.id)).all()
    assert actions == [("appointment.book", "lucia"), ("appointment.check_in", "sofia"),
                       ("appointment.start", "sofia"), ("appointment.complete", "sofia")]


def test_start_from_booked_checks_in_on_the_way(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-21 12:00").appointments
    seen = _do(engine, appt_status.start, actor=OWNER, location=desk["loc"], appointment_id=appt.id)
    assert (seen.status, seen.checked_in_at, seen.started_at) == ("in_service", clock.now(), clock.now())


@pytest.mark.parametrize("status, action, message", [
    ("cancelled", "check_in", "was cancelled; it cannot be checked in"),
    ("late_cancelled", "check_in", "was cancelled late; it cannot be checked in"),
    ("no_show", "complete", "was marked a no-show; it cannot be completed"),
    ("no_show", "check_in", "was marked a no-show; it cannot be checked in"),
    ("booked", "complete", "is booked and not checked in yet; it cannot be completed"),
    ("completed", "cancel", "is already completed; it cannot be cancelled"),
    ("checked_in", "no_show", "is already checked in; it cannot be marked a no-show"),
    ("in_service", "check_in", "is already in the chair; it cannot be checked in"),
])
def test_every_wrong_transition_is_refused_and_changes_nothing(engine, desk, clock, status, action, message):
    (appt,) = _book(engine, desk, at="2026-11-21 11:05").appointments
    with UnitOfWork(engine) as uow:
        uow.session.execute(sa.update(Appointment).where(Appointment.id == appt.id).values(status=status))
        uow.commit()
    fn = {"check_in": appt_status.check_in, "complete": appt_status.complete, "cancel": appt_status.cancel,
          "no_show": appt_status.no_show}[action]
    with pytest.raises(RuleViolation, match=message):
        _do(engine, fn, actor=OWNER, location=desk["loc"], appointment_id=appt.id)
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.get(Appointment, appt.id).status == status
    assert _count(engine, AuditLog, AuditLog.entity == "appointment", AuditLog.entity_id == appt.id) == 1


def test_check_in_is_for_todays_appointments_only(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-22 12:00").appointments
    with pytest.raises(RuleViolation, match="is on 2026-11-22, not today"):
        _do(engine, appt_status.check_in, actor=OWNER, location=desk["loc"], appointment_id=appt.id)


def test_a_manual_no_show_needs_its_time_to_have_come(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-21 11:10").appointments
    with pytest.raises(RuleViolation, match="not a no-show yet"):
        _do(engine, appt_status.no_show, actor=OWNER, location=desk["loc"], appointment_id=appt.id)
    clock.advance(minutes=12)
    seen = _do(engine, appt_status.no_show, actor=desk["sofia"], location=desk["loc"], appointment_id=appt.id)
    assert (seen.status, seen.penalty_cents, seen.penalty_status) == ("no_show", 17500, "pending")  # 50% of 350.00
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.get(Client, desk["ximena"]).no_show_count == 1


def test_move_keeps_length_checks_overlaps_and_only_moves_booked(engine, desk, clock):
    (appt,) = _book(engine, desk, at="2026-11-23 10:00", services=["corte", "tinte"]).appointments
    _book(engine, desk, at="2026-11-24 10:00", staff="marco", client_id=desk["pedro"])
    with pytest.raises(Conflict, match="marco is already booked"):
        _do(engine, appointments.move, actor=OWNER, location=desk["loc"], appointment_id=appt.id,
            at="2026-11-24 09:30", staff="marco")
    moved = _do(engine, appointments.move, actor=OWNER, location=desk["loc"], appointment_id=appt.id,
                at="2026-11-24 11:00").appointments[0]
    assert (moved.starts_at, moved.ends_at - moved.starts_at, moved.staff) == (
        datetime(2026, 11, 24, 17, 0, tzinfo=UTC), timedelta(minutes=135), "ana")
    _do(engine, appt_status.cancel, actor=OWNER, location=desk["loc"], appointment_id=appt.id)
    with pytest.raises(RuleViolation, match="is cancelled; only a booked one moves"):
        _do(engine, appointments.move, actor=OWNER, location=desk["loc"], appointment_id=appt.id, at="2026-11-25 11:00")


# ----------------------------------------------------------------------------- cancellations

def test_a_cancel_inside_the_window_is_late_with_the_policys_fee(engine, desk, clock):
    (late,) = _book(engine, desk, at="2026-11-22 10:00").appointments  # 23 hours ahead: inside 24 h
    (early,) = _book(engine, desk, at="2026-11-23 10:00").appointments
    (salon_side,) = _book(engine, desk, at="2026-11-22 12:00").appointments
    done = _do(engine, appt_status.cancel, actor=desk["sofia"], location=desk["loc"], appointment_id=late.id,
               reason="  se enfermó ")
    assert (done.late, done.appointment.status, done.appointment.cancel_reason) == (True, "late_cancelled", "se enfermó")
    assert (done.penalty.kind, done.penalty.amount_cents, done.penalty.status) == ("late_cancel", 8750, "pending")
    assert done.penalty.reason == "late cancellation: Corte, 2026-11-22 10:00"
    done = _do(engine, appt_status.cancel, actor=desk["sofia"], location=desk["loc"], appointment_id=early.id)
    assert (done.late, done.appointment.status, done.penalty) == (False, "cancelled", None)
    done = _do(engine, appt_status.cancel, actor=desk["sofia"], location=desk["loc"], appointment_id=salon_side.id,
               by_salon=True)
    assert (done.late, done.appointment.status, done.penalty) == (False, "cancelled", None)
    assert _count(engine, Penalty) == 1
    assert _count(engine, AuditLog, AuditLog.action == "penalty.create") == 1


@pytest.mark.parametrize("kind, value, expected", [("fixed", 20000, 20000), ("pct", 0, None), ("fixed", 0, None)])
def test_late_cancel_fee_fixed_or_zero(engine, desk, clock, kind, value, expected):
    with UnitOfWork(engine) as uow:
        policy = uow.session.exec(select(Policy)).one()
        policy.late_cancel_fee_kind, policy.late_cancel_fee_value = kind, value
        uow.session.add(policy)
        uow.commit()
    (appt,) = _book(engine, desk, at="2026-11-21 15:00").appointments
    done = _do(engine, appt_status.cancel, actor=OWNER, location=desk["loc"], appointment_id=appt.id)
    assert done.late and (done.penalty.amount_cents if done.penalty else None) == expected


# ----------------------------------------------------------------------------- check-in by search

def test_checkin_by_search_finds_the_clients_next_appointment_today(engine, desk, clock):
    (later,) = _book(engine, desk, at="2026-11-21 16:00").appointments
    (sooner,) = _book(engine, desk, at="2026-11-21 12:00", staff="marco").appointments
    _book(engine, desk, at="2026-11-22 12:00")  # tomorrow's does not count
    seen = _do(engine, appt_status.check_in_client, actor=desk["sofia"], location=desk["loc"], query="jimena gimenez")
    assert (seen.id, seen.status, seen.client) == (sooner.id, "checked_in", "Ximena Jiménez")
    seen = _do(engine, appt_status.check_in_client, actor=desk["sofia"], location=desk["loc"], query="55 1234 5678")
    assert seen.id == later.id
    with pytest.raises(NotFound, match="no booked appointment today for Ximena Jiménez"):
        _do(engine, appt_status.check_in_client, actor=desk["sofia"], location=desk["loc"], query="ximena")
    with pytest.raises(NotFound, match="no client matches"):
        _do(engine, appt_status.check_in_client, actor=desk["sofia"], location=desk["loc"], query="zzyzx qwrt")


def test_checkin_from_the_card_takes_the_clients_next_booked_today(engine, desk, clock):
    """The dashboard's client card: `c` checks in this client's next booked appointment, no one else's."""
    (later,) = _book(engine, desk, at="2026-11-21 16:00").appointments
    (sooner,) = _book(engine, desk, at="2026-11-21 12:00", staff="marco").appointments
    (pedro,) = _book(engine, desk, at="2026-11-21 11:30", client_id=desk["pedro"]).appointments
    _book(engine, desk, at="2026-11-22 12:00")  # tomorrow's does not count
    with UnitOfWork(engine, write=False) as uow:
        assert appt_status.next_to_check_in(uow.session, location=desk["loc"], client_id=desk["ximena"]).id == sooner.id
    first = _do(engine, appt_status.check_in_next, actor=desk["sofia"], location=desk["loc"], client_id=desk["ximena"])
    second = _do(engine, appt_status.check_in_next, actor=desk["sofia"], location=desk["loc"], client_id=desk["ximena"])
    assert [(a.id, a.status) for a in (first, second)] == [(sooner.id, "checked_in"), (later.id, "checked_in")]
    with pytest.raises(NotFound, match=f"client {desk['ximena']} has no booked appointment today"):
        _do(engine, appt_status.check_in_next, actor=desk["sofia"], location=desk["loc"], client_id=desk["ximena"])
    with UnitOfWork(engine, write=False) as uow:
        assert appt_status.next_to_check_in(uow.session, location=desk["loc"], client_id=desk["ximena"]) is None
        assert uow.session.get(Appointment, pedro.id).status == "booked"


def test_checkin_by_search_refuses_to_guess_between_two_clients(engine, desk, clock):
    with UnitOfWork(engine) as uow:
        other = clients.add(uow.session, actor=OWNER, location=desk["loc"], first_name="Ximena", last_name="Jiménez López")
        uow.commit()
    _book(engine, desk, at="2026-11-21 12:00")
    _book(engine, desk, at="2026-11-21 13:00", client_id=other.id)
    with pytest.raises(RuleViolation, match="2 clients match 'ximena' with appointments today"):
        _do(engine, appt_status.check_in_client, actor=OWNER, location=desk["loc"], query="ximena")
    assert _count(engine, Appointment, col(Appointment.status) == "checked_in") == 0
