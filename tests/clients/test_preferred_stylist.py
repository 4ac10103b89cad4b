"""`clients.at_desk.preferred_stylist`: the booking form's stylist for a client on a day, the first of
their preferred stylists (in order) who works that day. Saturday 21 November 2026 is the test's today."""

from __future__ import annotations

from datetime import date

import pytest

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import at_desk, notes as client_notes
from salon_cli.services.salon import hours, staff, time_off
from shop import OWNER, make_shop

SATURDAY, MONDAY = date(2026, 11, 21), date(2026, 11, 23)


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)  # stylists ana and beto, manager marco, receptionist sofia; no hours set


def _prefer(engine, shop, codes):
    with UnitOfWork(engine) as uow:
        client_notes.set_prefs(uow.session, actor=OWNER, location=shop.loc, client_id=shop.ximena, staff=codes)
        uow.commit()


def _preferred(engine, shop, day=SATURDAY):
    with UnitOfWork(engine, write=False) as uow:
        return at_desk.preferred_stylist(uow.session, location=shop.loc, client_id=shop.ximena, day=day)


def test_the_first_of_the_list_in_its_order(engine, shop):
    assert _preferred(engine, shop) is None  # no preferred stylist: the form leaves the stylist to the desk
    _prefer(engine, shop, ["beto", "ana"])
    assert _preferred(engine, shop) == "beto"
    _prefer(engine, shop, ["ana", "beto"])
    assert _preferred(engine, shop) == "ana"


def test_one_off_that_day_or_without_hours_that_weekday_gives_the_next(engine, shop):
    _prefer(engine, shop, ["beto", "ana"])
    with UnitOfWork(engine) as uow:
        time_off.add_time_off(uow.session, actor=OWNER, location=shop.loc, who="beto", first_day=SATURDAY,
                              last_day=SATURDAY, reason="holiday")
        hours.set_staff_hours(uow.session, actor=OWNER, location=shop.loc, who="ana",
                              days={"mon": "10:00-18:00"})  # ana: Mondays only
        uow.commit()
    assert _preferred(engine, shop, SATURDAY) is None  # beto is off, ana does not work Saturdays
    assert _preferred(engine, shop, MONDAY) == "beto"  # beto is back on Monday, and first


def test_a_deactivated_stylist_or_one_who_takes_no_appointments_is_passed_over(engine, shop):
    _prefer(engine, shop, ["marco", "beto", "ana"])  # marco: a manager with no hours of his own
    assert _preferred(engine, shop) == "beto"
    with UnitOfWork(engine) as uow:
        staff.deactivate(uow.session, actor=OWNER, who="beto")
        uow.commit()
    assert _preferred(engine, shop) == "ana"
