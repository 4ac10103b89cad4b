"""The book and working hours: booking and moving outside a stylist's hours or on their time off is
refused (exit 1) unless a manager allows it; free slots and the next free slot honour split shifts,
time off and live appointments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from cli_helpers import MARCO, SOFIA, js, ok, salon
from salon_cli.core.errors import NotPermitted, RuleViolation
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, board, slots
from salon_cli.services.salon import hours, time_off
from salon_cli.services.salon.hours import Span
from shop import OWNER, book, make_shop

WED = date(2026, 11, 25)


@pytest.fixture
def shop(engine, salon):
    made = make_shop(engine)
    with UnitOfWork(engine) as uow:
        s = uow.session
        hours.set_opening(s, actor=OWNER, location=made.loc, closed=["sun"], days={
            "mon": "09:00-20:00", "tue": "09:00-20:00", "wed": "09:00-20:00", "thu": "09:00-20:00",
            "fri": "09:00-20:00", "sat": "09:00-20:00"})
        hours.set_staff_hours(s, actor=OWNER, location=made.loc, who="ana", days={
            "mon": "09:00-14:00,15:00-19:00", "tue": "off", "wed": "09:00-19:00", "thu": "09:00-19:00",
            "fri": "09:00-14:00,15:00-19:00", "sat": "09:00-19:00"})
        time_off.add_time_off(s, actor=OWNER, location=made.loc, who="beto", first_day=WED,
                              last_day=date(2026, 11, 26), reason="holiday")
        uow.commit()
    return made


def _book(engine, shop, *, at, staff="ana", actor=None, **kw):
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=actor or shop.sofia, location=shop.loc,
                                             client_id=shop.ximena, services=["corte"], staff=staff, at=at, **kw)
        uow.commit()
    return done


@pytest.mark.parametrize("at, words", [
    ("2026-11-27 19:30", "ana works 09:00-14:00, 15:00-19:00 on Friday: 19:30-20:15 is outside their hours"),
    ("2026-11-23 13:30", "ana works 09:00-14:00, 15:00-19:00 on Monday: 13:30-14:15 is outside their hours"),
    ("2026-11-23 08:30", "08:30-09:15 is outside their hours"),
    ("2026-11-24 10:00", "ana does not work on Tuesdays"),
    ("2026-11-29 10:00", "ana does not work on Sundays"),
])
def test_booking_outside_a_stylists_hours_is_refused_in_the_desks_words(engine, shop, at, words):
    with pytest.raises(RuleViolation) as err:
        _book(engine, shop, at=at)
    assert words in err.value.message and err.value.exit_code == 1
    assert "--allow-outside-hours" in (err.value.hint or "")


def test_inside_the_hours_books_and_time_off_is_refused(engine, shop):
    assert _book(engine, shop, at="2026-11-23 15:00").appointments[0].staff == "ana"
    assert _book(engine, shop, at="2026-11-23 13:15").appointments  # ends 14:00 sharp: inside
    with pytest.raises(RuleViolation, match=r"beto is off on 2026-11-25 \(holiday\)"):
        _book(engine, shop, at="2026-11-25 10:00", staff="beto")
    assert _book(engine, shop, at="2026-11-27 19:15", staff="beto").appointments  # the opening hours: to 20:00
    with pytest.raises(RuleViolation, match="beto works 09:00-20:00 on Friday: 19:30-20:15"):
        _book(engine, shop, at="2026-11-27 19:30", staff="beto")


def test_a_series_is_checked_whole(engine, shop):
    with pytest.raises(RuleViolation, match=r"beto is off on 2026-11-25 \(holiday\)"):
        _book(engine, shop, at="2026-11-24 10:00", staff="beto",
              repeat="FREQ=DAILY;COUNT=3")


def test_only_a_manager_with_a_pin_books_outside_the_hours(engine, shop):
    with pytest.raises(NotPermitted):
        _book(engine, shop, at="2026-11-27 19:30", allow_outside_hours=True)
    unproved = shop.marco.__class__(**{**vars(shop.marco), "verified": False})
    with pytest.raises(NotPermitted):
        _book(engine, shop, at="2026-11-27 19:30", actor=unproved, allow_outside_hours=True)
    done = _book(engine, shop, at="2026-11-27 19:30", actor=shop.marco, allow_outside_hours=True)
    assert any("outside their hours: booked anyway by marco" in w for w in done.warnings)
    assert _book(engine, shop, at="2026-11-25 10:00", staff="beto", actor=shop.marco,
                 allow_outside_hours=True).appointments


def test_a_move_and_a_walk_in_are_checked_too(engine, shop):
    appt = book(engine, shop, at="2026-11-23 10:00")
    with UnitOfWork(engine) as uow:
        with pytest.raises(RuleViolation, match="ana works 09:00-14:00, 15:00-19:00 on Monday: 14:00-14:45"):
            appointments.move(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=appt,
                              at="2026-11-23 14:00")
        with pytest.raises(RuleViolation, match="beto is off on 2026-11-25"):
            appointments.move(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=appt,
                              at="2026-11-25 10:00", staff="beto")
        moved = appointments.move(uow.session, actor=shop.marco, location=shop.loc, appointment_id=appt,
                                  at="2026-11-23 14:00", allow_outside_hours=True)
        assert moved.warnings
    with UnitOfWork(engine) as uow:  # Saturday 11:00 now; ana works 09:00-19:00 then: in; beto off today: out
        time_off.add_time_off(uow.session, actor=OWNER, location=shop.loc, who="beto", first_day=date(2026, 11, 21),
                              last_day=date(2026, 11, 21), reason="dentist")
        uow.commit()
    assert _book(engine, shop, at=None, walk_in=True).appointments[0].status == "checked_in"
    with pytest.raises(RuleViolation, match=r"beto is off on 2026-11-21 \(dentist\)"):
        _book(engine, shop, at=None, staff="beto", walk_in=True)


def _free(engine, shop, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return slots.free_slots(uow.session, shop.loc, **kw)


def _local(slot, tz):
    return f"{slot.starts_at.astimezone(tz):%a %H:%M} {slot.staff}"


def test_free_slots_honour_split_shifts_time_off_and_appointments(engine, shop):
    tz = shop.loc.tz
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=tz)
    book(engine, shop, at="2026-11-23 09:00")  # ana 09:00-09:45
    found = _free(engine, shop, minutes=45, staff="ana", after=monday, count=3)
    assert [_local(s, tz) for s in found] == ["Mon 09:45 ana", "Mon 10:00 ana", "Mon 10:15 ana"]
    assert all(s.starts_at.tzinfo is not None and s.starts_at.utcoffset() == timedelta(0) for s in found)
    noon = datetime(2026, 11, 23, 13, 0, tzinfo=tz)
    assert [_local(s, tz) for s in _free(engine, shop, minutes=45, staff="ana", after=noon, count=3)] == [
        "Mon 13:00 ana", "Mon 13:15 ana", "Mon 15:00 ana"]  # nothing across the break
    late = datetime(2026, 11, 23, 18, 30, tzinfo=tz)  # ana: Tuesday off; so the next is Wednesday 09:00
    assert [_local(s, tz) for s in _free(engine, shop, minutes=45, staff="ana", after=late, count=1)] == ["Wed 09:00 ana"]
    tuesday = datetime(2026, 11, 24, 19, 30, tzinfo=tz)  # beto: Wednesday and Thursday on holiday, Sunday closed
    assert [_local(s, tz) for s in _free(engine, shop, minutes=45, staff="beto", after=tuesday, count=1)] == ["Fri 09:00 beto"]
    anyone = _free(engine, shop, minutes=45, staff=None, after=monday, count=5)
    assert [_local(s, tz) for s in anyone] == ["Mon 09:00 beto", "Mon 09:15 beto", "Mon 09:30 beto", "Mon 09:45 ana",
                                               "Mon 09:45 beto"]


def test_free_slots_follow_the_policys_slot_and_the_default_day(engine, salon):
    made = make_shop(engine)  # no hours at all: 09:00-20:00
    tz = made.loc.tz
    with UnitOfWork(engine) as uow:
        from salon_cli.services.salon import policy

        policy.update(uow.session, actor=OWNER, location=made.loc, slot_min=30)
        uow.commit()
    found = _free(engine, made, minutes=45, staff="ana", after=datetime(2026, 11, 21, 11, 5, tzinfo=tz), count=3)
    # 12:00-12:45 is booked (make_shop): 11:30-12:15 does not fit
    assert [_local(s, tz) for s in found] == ["Sat 13:00 ana", "Sat 13:30 ana", "Sat 14:00 ana"]
    evening = _free(engine, made, minutes=45, staff="ana", after=datetime(2026, 11, 21, 19, 20, tzinfo=tz), count=1)
    assert [_local(s, tz) for s in evening] == ["Sun 09:00 ana"]


def test_next_free_reads_the_hours(engine, shop, clock):
    tz = shop.loc.tz
    clock.set(datetime(2026, 11, 23, 13, 35, tzinfo=tz))
    with UnitOfWork(engine, write=False) as uow:
        free = board.board(uow.session, location=shop.loc).next_free
    assert free["ana"] == datetime(2026, 11, 23, 15, 0, tzinfo=tz)  # 30 minutes do not fit before 14:00
    assert free["beto"] == datetime(2026, 11, 23, 13, 45, tzinfo=tz)
    assert board.next_free([], datetime(2026, 11, 23, 18, 40, tzinfo=tz), tz,
                           spans=(Span(time(9), time(19)),)) is None


def test_cli_books_refuses_and_lists_free_slots(db_url, engine, shop):
    run = salon(db_url, *SOFIA, "appt", "book", "--client", str(shop.ximena), "--service", "corte", "--staff", "ana",
                "--at", "2026-11-27 19:30")
    assert run.code == 1
    assert "error: ana works 09:00-14:00, 15:00-19:00 on Friday: 19:30-20:15 is outside their hours" in run.stderr
    run = salon(db_url, *SOFIA, "appt", "book", "--client", str(shop.ximena), "--service", "corte", "--staff", "ana",
                "--at", "2026-11-27 19:30", "--allow-outside-hours")
    assert run.code == 3, run.stderr
    done = js(db_url, *MARCO, "appt", "book", "--client", str(shop.ximena), "--service", "corte", "--staff", "ana",
              "--at", "2026-11-27 19:30", "--allow-outside-hours")
    assert done["starts_at"] == "2026-11-27T19:30:00-06:00"
    run = salon(db_url, *SOFIA, "appt", "move", str(done["id"]), "--at", "2026-11-25 10:00", "--staff", "beto")
    assert run.code == 1 and "beto is off on 2026-11-25 (holiday)" in run.stderr
    free = js(db_url, "appt", "free", "--service", "corte", "--staff", "ana", "--after", "2026-11-23 13:00",
              "--count", "3")
    assert [(f["starts_at"], f["staff"], f["minutes"]) for f in free] == [
        ("2026-11-23T13:00:00-06:00", "ana", 45), ("2026-11-23T13:15:00-06:00", "ana", 45),
        ("2026-11-23T15:00:00-06:00", "ana", 45)]
    assert ok(db_url, "appt", "free", "--duration", "30", "--after", "2026-11-23 09:00", "-f", "csv").stdout.startswith(
        "starts_at,staff,minutes")
    assert salon(db_url, "appt", "free", "--after", "2026-11-23 09:00").code == 2  # no service, no duration
