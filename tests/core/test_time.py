"""One clock, UTC in the database, business days in the location's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from salon_cli.core import clock
from salon_cli.core.days import business_date, day_bounds, parse_local, zone
from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import AuditLog, Location
from salon_cli.db.uow import UnitOfWork


def test_salon_now_replaces_now(monkeypatch):
    monkeypatch.setenv("SALON_NOW", "2026-03-08T09:30:00-06:00")
    assert clock.now() == datetime(2026, 3, 8, 15, 30, tzinfo=timezone.utc)
    assert clock.now().tzinfo is timezone.utc


@pytest.mark.parametrize("bad", ["2026-03-08T09:30:00", "yesterday", "2026-13-01T00:00:00Z"])
def test_salon_now_must_be_an_instant_with_offset(monkeypatch, bad):
    monkeypatch.setenv("SALON_NOW", bad)
    with pytest.raises(InvalidInput):
        clock.now()


def test_business_day_is_23_or_25_hours_around_dst():
    ny = ZoneInfo("America/New_York")
    start, end = day_bounds(date(2026, 3, 8), ny)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 11, 1), ny)
    assert end - start == timedelta(hours=25)
    start, end = day_bounds(date(2026, 11, 21), ZoneInfo("America/Mexico_City"))
    assert (start, end - start) == (datetime(2026, 11, 21, 6, tzinfo=timezone.utc), timedelta(hours=24))


def test_business_date_uses_the_location_zone():
    late = datetime(2026, 11, 22, 3, 30, tzinfo=timezone.utc)  # 21:30 on the 21st in Mexico City
    assert business_date(late, ZoneInfo("America/Mexico_City")) == date(2026, 11, 21)


def test_wall_clock_times_that_do_not_exist_are_refused():
    ny = ZoneInfo("America/New_York")
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_local("2026-03-08 02:30", ny)
    assert parse_local("2026-03-08 03:30", ny) == datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc)


def test_zone_names_are_checked():
    with pytest.raises(InvalidInput):
        zone("Mexico City")
    with pytest.raises(InvalidInput):
        zone("America/Atlantis")
    assert zone("Europe/Madrid").key == "Europe/Madrid"


def test_instants_come_back_aware_utc(engine, clock):
    odd = datetime(2026, 11, 21, 11, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    with UnitOfWork(engine) as uow:
        uow.session.add(Location(code="x", name="X", timezone="America/Mexico_City", currency="MXN", created_at=odd))
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.exec(select(Location)).one()
    assert row.created_at.tzinfo is not None and row.created_at.utcoffset() == timedelta(0)
    assert row.created_at == odd


def test_naive_datetimes_are_refused(engine):
    from sqlalchemy.exc import StatementError

    with UnitOfWork(engine) as uow:
        uow.session.add(AuditLog(at=datetime(2026, 1, 1), actor="system", action="x", entity="x"))
        with pytest.raises(StatementError, match="naive datetime"):
            uow.commit()


def test_audit_row_goes_with_its_change(engine, salon):
    """Rule 1: a change that does not commit leaves no audit row either."""
    from salon_cli.services.salon import catalog, locations
    from salon_cli.services.salon.actors import SYSTEM

    with UnitOfWork(engine, write=False) as uow:
        before = len(uow.session.exec(select(AuditLog)).all())
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        catalog.add_service(uow.session, actor=SYSTEM, location=loc, name="Corte", duration_min=30, price_cents=100)
        # leaving without commit: rolled back
    with UnitOfWork(engine, write=False) as uow:
        assert len(uow.session.exec(select(AuditLog)).all()) == before
        assert catalog.list_services(uow.session, location=loc) == []
