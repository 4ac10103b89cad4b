"""Working hours (services.salon.hours, services.salon.time_off): opening hours, staff hours with split
shifts, time off, the day plan the dashboard's grid reads, and who may change them."""

from __future__ import annotations

from datetime import date, time

import pytest

from salon_cli.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import hours, policy, time_off
from salon_cli.services.salon.hours import DEFAULT_DAY, Span
from shop import OWNER, make_shop
from sqlmodel import select

MON, TUE, WED, SUN = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 29)
WEEK = {"mon": "09:00-20:00", "tue": "09:00-20:00", "wed": "09:00-20:00", "thu": "09:00-20:00",
        "fri": "09:00-20:00", "sat": "10:00-16:00"}


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _set_week(engine, shop):
    _do(engine, hours.set_opening, actor=OWNER, location=shop.loc, days=WEEK, closed=["sun"])
    _do(engine, hours.set_staff_hours, actor=shop.marco, location=shop.loc, who="ana",
        days={"mon": "09:00-14:00,15:00-19:00", "tue": "off", "wed": "09:00-19:00", "thu": "09:00-19:00",
              "fri": "09:00-19:00", "sat": "10:00-16:00"})
    _do(engine, time_off.add_time_off, actor=shop.marco, location=shop.loc, who="beto", first_day=WED,
        last_day=date(2026, 11, 26), reason="holiday")


def test_nothing_set_is_unrestricted_and_plans_the_default_day(engine, shop):
    plan = _read(engine, hours.day_plan, shop.loc, SUN)
    assert (plan.day, plan.opening, plan.opening_set, plan.slot_min) == (SUN, (), False, 15)
    assert [(s.code, s.role, s.spans, s.off, s.hours_set) for s in plan.staff] == [
        ("ana", "stylist", (DEFAULT_DAY,), None, False), ("beto", "stylist", (DEFAULT_DAY,), None, False)]
    rule = _read(engine, hours.staff_rule, shop.loc, shop.ana, SUN)
    assert (rule.spans, rule.off) == (None, None)
    assert _read(engine, hours.working_spans, shop.loc, shop.ana, SUN) == (DEFAULT_DAY,)
    assert {r.source for r in _read(engine, hours.show_opening, shop.loc)} == {"any"}


def test_opening_hours_split_shift_and_time_off_make_the_day(engine, shop):
    _set_week(engine, shop)
    _do(engine, hours.set_staff_hours, actor=shop.marco, location=shop.loc, who="marco", days={"mon": "10:00-14:00"})
    monday = _read(engine, hours.day_plan, shop.loc, MON)
    assert monday.opening == (Span(time(9), time(20)),) and monday.opening_set
    by_code = {s.code: s for s in monday.staff}
    assert list(by_code) == ["ana", "beto", "marco"]  # a manager with hours of their own takes appointments
    assert by_code["ana"].spans == (Span(time(9), time(14)), Span(time(15), time(19))) and by_code["ana"].hours_set
    assert by_code["beto"].spans == (Span(time(9), time(20)),) and not by_code["beto"].hours_set
    assert by_code["marco"].spans == (Span(time(10), time(14)),)
    tuesday = {s.code: s for s in _read(engine, hours.day_plan, shop.loc, TUE).staff}
    assert tuesday["ana"].spans == () and tuesday["ana"].off is None
    wednesday = {s.code: s for s in _read(engine, hours.day_plan, shop.loc, WED).staff}
    assert (wednesday["beto"].spans, wednesday["beto"].off) == ((), "holiday")
    assert wednesday["marco"].spans == () and wednesday["marco"].hours_set  # no hours that day: not working
    sunday = _read(engine, hours.day_plan, shop.loc, SUN)
    assert sunday.opening == () and {s.code: s.spans for s in sunday.staff}["beto"] == ()
    assert _read(engine, hours.working_spans, shop.loc, shop.ana, MON) == by_code["ana"].spans
    shown = _read(engine, hours.show_staff_hours, shop.loc, "ana")
    assert [(r.weekday, r.hours, r.source) for r in shown][:2] == [("mon", "09:00-14:00, 15:00-19:00", "own"),
                                                                   ("tue", "off", "own")]
    assert [r.hours for r in _read(engine, hours.show_opening, shop.loc)][-1] == "closed"


def test_a_day_not_given_keeps_its_hours_and_clear_forgets(engine, shop):
    _set_week(engine, shop)
    _do(engine, hours.set_opening, actor=shop.marco, location=shop.loc, days={"mon": "08:00-12:00"})
    week = {r.weekday: r.hours for r in _read(engine, hours.show_opening, shop.loc)}
    assert (week["mon"], week["tue"], week["sun"]) == ("08:00-12:00", "09:00-20:00", "closed")
    _do(engine, hours.set_staff_hours, actor=shop.marco, location=shop.loc, who="ana", days={}, clear=True)
    assert not {s.code: s for s in _read(engine, hours.day_plan, shop.loc, TUE).staff}["ana"].hours_set
    _do(engine, hours.set_opening, actor=shop.marco, location=shop.loc, days={}, clear=True)
    assert not _read(engine, hours.day_plan, shop.loc, MON).opening_set
    with UnitOfWork(engine, write=False) as uow:
        actions = [a.action for a in uow.session.exec(select(AuditLog).where(
            AuditLog.action.in_(("hours.set", "staff.hours", "staff.time_off"))))]  # type: ignore[attr-defined]
    assert actions.count("hours.set") == 3 and actions.count("staff.hours") == 2 and "staff.time_off" in actions


@pytest.mark.parametrize("text, words", [
    ("9-14", "--tue '9-14': '9-14' is not HH:MM-HH:MM"),
    ("15:00-14:00", "--tue '15:00-14:00': 15:00-14:00 ends before it starts"),
    ("09:00-14:00,13:00-19:00", "09:00-14:00 and 13:00-19:00 overlap"),
    ("25:00-26:00", "is not a time of day"),
])
def test_bad_ranges_are_refused_naming_the_day(engine, shop, text, words):
    with pytest.raises(InvalidInput) as err:
        _do(engine, hours.set_staff_hours, actor=shop.marco, location=shop.loc, who="ana", days={"tue": text})
    assert words in err.value.message and "--tue" in err.value.message
    with pytest.raises(InvalidInput):
        _do(engine, hours.set_opening, actor=shop.marco, location=shop.loc, days={"tue": text})


def test_other_refusals(engine, shop):
    with pytest.raises(NotPermitted):
        _do(engine, hours.set_opening, actor=shop.sofia, location=shop.loc, days=WEEK)
    with pytest.raises(NotPermitted):
        _do(engine, hours.set_staff_hours, actor=shop.sofia, location=shop.loc, who="ana", days={"mon": "09:00-14:00"})
    with pytest.raises(NotPermitted):
        _do(engine, time_off.add_time_off, actor=shop.sofia, location=shop.loc, who="ana", first_day=MON, last_day=MON)
    with pytest.raises(InvalidInput, match="no hours given"):
        _do(engine, hours.set_opening, actor=shop.marco, location=shop.loc, days={})
    with pytest.raises(InvalidInput, match="not a day of the week"):
        _do(engine, hours.set_opening, actor=shop.marco, location=shop.loc, days=WEEK, closed=["domingo"])
    with pytest.raises(InvalidInput, match="work no day at all"):
        _do(engine, hours.set_staff_hours, actor=shop.marco, location=shop.loc, who="ana", days={"mon": "off"})
    with pytest.raises(InvalidInput, match="before --from"):
        _do(engine, time_off.add_time_off, actor=shop.marco, location=shop.loc, who="ana", first_day=TUE, last_day=MON)
    with pytest.raises(InvalidInput, match="between 5 and 60"):
        _do(engine, policy.update, actor=shop.marco, location=shop.loc, slot_min=7)
    assert _do(engine, policy.update, actor=shop.marco, location=shop.loc, slot_min=30).slot_min == 30
    assert _read(engine, hours.day_plan, shop.loc, MON).slot_min == 30


def test_time_off_is_listed_refused_twice_and_cancelled(engine, shop):
    _set_week(engine, shop)
    with pytest.raises(RuleViolation, match=r"beto is already off 2026-11-25 to 2026-11-26 \(holiday\)"):
        _do(engine, time_off.add_time_off, actor=shop.marco, location=shop.loc, who="beto",
            first_day=date(2026, 11, 26), last_day=date(2026, 11, 30))
    added = _do(engine, time_off.add_time_off, actor=shop.marco, location=shop.loc, who="ana",
                first_day=date(2026, 11, 21), last_day=date(2026, 11, 21), reason="  sick   leave ")
    assert (added.reason, added.days, added.created_by, added.booked) == ("sick leave", 1, "marco", [shop.appt])
    listed = _read(engine, time_off.list_time_off, shop.loc)
    assert [(v.staff, str(v.first_day), v.reason) for v in listed] == [
        ("ana", "2026-11-21", "sick leave"), ("beto", "2026-11-25", "holiday")]
    assert [v.staff for v in _read(engine, time_off.list_time_off, shop.loc, "beto")] == ["beto"]
    with pytest.raises(NotFound):
        _do(engine, time_off.cancel_time_off, actor=shop.marco, location=shop.loc, time_off_id=added.id, who="beto")
    _do(engine, time_off.cancel_time_off, actor=shop.marco, location=shop.loc, time_off_id=added.id)
    assert [v.staff for v in _read(engine, time_off.list_time_off, shop.loc)] == ["beto"]
    assert _read(engine, hours.staff_rule, shop.loc, shop.ana, date(2026, 11, 21)).off is None
