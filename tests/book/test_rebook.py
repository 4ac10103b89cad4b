"""`book.rebook.proposal`: the usual services, stylist and interval, from the client's completed visits."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from salon_cli.db.models import Service, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, rebook, status
from shop import OWNER, make_shop

MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)  # Saturday 11:00 in Mexico City


@pytest.fixture
def shop(engine, salon, clock):
    clock.set(datetime(2026, 9, 1, 15, 0, tzinfo=timezone.utc))
    made = make_shop(engine)
    yield made


def _visit(engine, shop, clock, local: str, services, staff, client=None, complete=True):
    wall = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=MX)
    clock.set(wall.astimezone(timezone.utc))
    with UnitOfWork(engine) as uow:
        s = uow.session
        appt = appointments.book_appointment(s, actor=OWNER, location=shop.loc, client_id=client or shop.ximena,
                                             services=list(services), staff=staff, at=local).appointments[0]
        if complete:
            status.check_in(s, actor=OWNER, location=shop.loc, appointment_id=appt.id)
            status.complete(s, actor=OWNER, location=shop.loc, appointment_id=appt.id)
        uow.commit()
    return appt.id


def _propose(engine, shop, client=None, now=None):
    with UnitOfWork(engine, write=False) as uow:
        return rebook.proposal(uow.session, location=shop.loc, client_id=client or shop.ximena, now=now or NOW)


def _history(engine, shop, clock):
    _visit(engine, shop, clock, "2026-09-05 10:00", ["corte", "tinte"], "ana")
    _visit(engine, shop, clock, "2026-10-03 10:00", ["corte", "tinte"], "ana")
    _visit(engine, shop, clock, "2026-10-31 10:00", ["corte", "tinte"], "ana")
    _visit(engine, shop, clock, "2026-11-14 10:00", ["corte"], "beto")
    clock.set(NOW)


def test_the_usual_services_stylist_and_interval(engine, shop, clock):
    _history(engine, shop, clock)
    got = _propose(engine, shop)
    assert (got.client_id, got.services, got.staff, got.interval_days) == (shop.ximena, ("corte", "tinte"), "ana", 28)
    assert got.at == datetime(2026, 12, 12, 10, 0, tzinfo=MX) and got.at.tzinfo.key == "America/Mexico_City"
    assert got.at.weekday() == 5  # the last visit's weekday, a Saturday
    assert "corte + tinte (3 of the last 4 visits) with ana (3 of 4)" in got.basis
    assert "every 28 days (median of 3 gaps)" in got.basis and "last visit 2026-11-14 Sat 10:00" in got.basis


def test_one_visit_long_ago_means_28_days_moved_on_to_the_future(engine, shop, clock):
    _visit(engine, shop, clock, "2026-09-10 16:00", ["corte"], "beto", client=shop.pedro)
    clock.set(NOW)
    got = _propose(engine, shop, client=shop.pedro)
    assert (got.services, got.staff, got.interval_days) == (("corte",), "beto", 28)
    assert got.at == datetime(2026, 11, 26, 16, 0, tzinfo=MX)  # Thursdays, the first one after now
    assert "one visit: every 28 days" in got.basis


def test_only_the_last_six_visits_count(engine, shop, clock):
    for day in ("2026-09-01", "2026-09-02", "2026-09-03"):
        _visit(engine, shop, clock, f"{day} 10:00", ["tinte"], "beto")
    for day in ("2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12"):
        _visit(engine, shop, clock, f"{day} 10:00", ["corte"], "ana")
    clock.set(NOW)
    got = _propose(engine, shop)
    assert (got.services, got.staff, got.interval_days) == (("corte",), "ana", 7)
    assert got.at == datetime(2026, 11, 23, 10, 0, tzinfo=MX)  # Monday: 2026-10-19, then a week at a time


def test_no_completed_visit_no_proposal(engine, shop, clock):
    clock.set(NOW)
    assert _propose(engine, shop) is None  # Ximena has only today's booked visit
    _visit(engine, shop, clock, "2026-11-21 16:00", ["corte"], "beto", client=shop.pedro, complete=False)
    assert _propose(engine, shop, client=shop.pedro) is None


def test_what_is_no_longer_offered_gives_way(engine, shop, clock):
    _history(engine, shop, clock)
    with UnitOfWork(engine) as uow:
        s = uow.session
        tinte = s.get(Service, _id(s, Service, "tinte"))
        ana = s.get(Staff, shop.ana)
        tinte.active, ana.active = False, False
        s.add(tinte)
        s.add(ana)
        uow.commit()
    got = _propose(engine, shop)
    assert (got.services, got.staff) == (("corte",), "beto")


def _id(session, model, code):
    from sqlmodel import select

    return session.exec(select(model.id).where(model.code == code)).one()
