"""The demo salon: counts that match the database, a believable book, and the same salon for the same seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest
from sqlmodel import col, func, select

from salon_cli.core.days import day_bounds
from salon_cli.core.errors import RuleViolation
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import Appointment, AuditLog, Client, Location, Product, Service, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services import book, locations
from salon_cli.services.demo import DemoSummary, build_demo
from salon_cli.services.staff import identify

SMALL = {"clients": 30, "days": 7}


@pytest.fixture
def demo(engine, clock) -> DemoSummary:
    return build_demo(engine, **SMALL)


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_counts_match_the_database(engine, demo, clock):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        location = locations.resolve(s, None)
        assert (location.code, location.name, location.timezone, location.currency) == (
            "centro", "Salón Centro", "America/Mexico_City", "MXN")
        assert _count(s, Staff) == len(demo.staff) == 7
        assert Counter(s.exec(select(Staff.role)).all()) == {"owner": 1, "manager": 1, "receptionist": 1, "stylist": 4}
        assert _count(s, Service) == demo.services
        assert _count(s, Product) == demo.products
        assert _count(s, Client) == demo.clients == SMALL["clients"]
        lo, hi = day_bounds(demo.business_date, location.tz)
        assert _count(s, Appointment, col(Appointment.starts_at) < lo) == demo.appointments_past
        assert _count(s, Appointment, col(Appointment.starts_at) >= lo,
                      col(Appointment.starts_at) < hi) == demo.appointments_today
        assert _count(s, Appointment) == demo.appointments_past + demo.appointments_today
        assert demo.appointments_past > 0 and demo.appointments_today > 0
        builds = s.exec(select(AuditLog).where(AuditLog.action == "demo.build")).all()
        assert len(builds) == 1 and builds[0].after["clients"] == SMALL["clients"]
        assert builds[0].after["appointments_today"] == demo.appointments_today


def test_every_documented_pin_works(engine, demo):
    with UnitOfWork(engine) as uow:
        location = locations.resolve(uow.session, None)
        for member in demo.staff:
            actor = identify(uow, who=member.code, pin=member.pin, location=location)
            assert (actor.code, actor.role) == (member.code, member.role)


def test_no_stylist_is_double_booked(engine, demo):
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.session.exec(
            select(Appointment.staff_id, Appointment.starts_at, Appointment.ends_at)
            .order_by(Appointment.staff_id, Appointment.starts_at)
        ).all()
        overlaps = uow.session.exec(
            select(func.count()).select_from(Appointment).join(
                other := Appointment.__table__.alias("other"),
                (other.c.staff_id == Appointment.staff_id) & (other.c.id != Appointment.id)
                & (other.c.starts_at < Appointment.ends_at) & (other.c.ends_at > Appointment.starts_at),
            )
        ).one()
    assert overlaps == 0
    by_staff = defaultdict(list)
    for staff_id, starts_at, ends_at in rows:
        by_staff[staff_id].append((starts_at, ends_at))
    for slots in by_staff.values():
        for (_, earlier_end), (later_start, _) in zip(slots, slots[1:]):
            assert earlier_end <= later_start


def test_history_is_plausible(engine, demo):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        location = locations.resolve(s, None)
        lo, _ = day_bounds(demo.business_date, location.tz)
        past = s.exec(select(Appointment).where(col(Appointment.starts_at) < lo)).all()
        prices = dict(s.exec(select(Service.id, Service.price_cents)).all())
        s.expunge_all()  # keep the loaded rows readable after the read-only transaction ends
    statuses = Counter(a.status for a in past)
    assert statuses["completed"] > len(past) / 2
    assert set(statuses) <= {"completed", "no_show", "cancelled", "late_cancelled"}
    for a in past:
        assert a.price_cents == prices[a.service_id]
        local_start, local_end = a.starts_at.astimezone(location.tz), a.ends_at.astimezone(location.tz)
        assert local_start.weekday() != 6, "closed on Sundays"
        assert (9, 0) <= (local_start.hour, local_start.minute) and (local_end.hour, local_end.minute) <= (20, 0)
        assert 20 <= (a.ends_at - a.starts_at).total_seconds() / 60 <= 180
        if a.status == "completed":
            assert a.checked_in_at is not None and a.completed_at is not None
        if a.status in ("cancelled", "late_cancelled"):
            assert a.cancelled_at is not None and a.cancelled_at < a.starts_at


def test_todays_book_lives_around_now(engine, demo, clock):
    now = clock.now()
    with UnitOfWork(engine, write=False) as uow:
        location = locations.resolve(uow.session, None)
        today = book.appointments(uow.session, location=location, start=demo.business_date)
    assert len(today) == demo.appointments_today
    assert {a.status for a in today} >= {"completed", "in_service", "checked_in", "booked"}
    for a in today:
        if a.status == "completed":
            assert a.ends_at <= now
        elif a.status == "in_service":
            assert a.starts_at <= now < a.ends_at and a.checked_in_at is not None
        elif a.status == "checked_in":
            assert now < a.starts_at and a.checked_in_at is not None and a.checked_in_at <= now
    overdue = [a for a in today if a.status == "booked" and a.starts_at < now]
    assert len(overdue) == 1 and overdue[0].checked_in_at is None  # the likely no-show


def test_no_show_counts_match_the_no_shows(engine, demo):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        counted = Counter(s.exec(select(Appointment.client_id).where(Appointment.status == "no_show")).all())
        for client in s.exec(select(Client)).all():
            assert client.no_show_count == counted.get(client.id, 0)
            assert client.deposit_required == (client.no_show_count >= 2)


def test_clients_look_real(engine, demo):
    with UnitOfWork(engine, write=False) as uow:
        people = uow.session.exec(select(Client)).all()
        first_visit = uow.session.exec(select(func.min(Appointment.starts_at))).one()
        uow.session.expunge_all()
    assert all(c.created_at < first_visit for c in people)
    assert len({c.phone for c in people}) == len(people)
    assert all(c.phone and c.phone.startswith("+5255") and len(c.phone) == 13 for c in people)
    emails = [c.email for c in people if c.email]
    assert len(set(emails)) == len(emails) and len(emails) > len(people) / 2
    assert any(c.birthday for c in people) and any(c.marketing_consent for c in people)


def _fingerprint(engine) -> tuple[list[str], list[tuple[str, str, str]]]:
    with UnitOfWork(engine, write=False) as uow:
        names = [f"{c.first_name} {c.last_name}" for c in uow.session.exec(select(Client).order_by(Client.id))]
        rows = uow.session.exec(
            select(Appointment.starts_at, Staff.code, Appointment.status)
            .join(Staff, col(Staff.id) == Appointment.staff_id)
            .order_by(Appointment.starts_at, Staff.code)
        ).all()
    return names, [(s.isoformat(), code, status) for s, code, status in rows]


def test_same_seed_same_salon(engine, clock, tmp_path):
    build_demo(engine, seed=11, **SMALL)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        migrate.upgrade(other)
        build_demo(other, seed=11, **SMALL)
        assert _fingerprint(engine) == _fingerprint(other)
    finally:
        other.dispose()


def test_another_seed_another_salon(engine, clock, tmp_path):
    build_demo(engine, seed=1, **SMALL)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        migrate.upgrade(other)
        build_demo(other, seed=2, **SMALL)
        assert _fingerprint(engine) != _fingerprint(other)
    finally:
        other.dispose()


def test_refuses_an_initialised_database(engine, salon):
    with pytest.raises(RuleViolation):
        build_demo(engine, **SMALL)
    with UnitOfWork(engine, write=False) as uow:
        assert _count(uow.session, Location) == 1
        assert _count(uow.session, Client) == 0


@pytest.mark.parametrize("utc_hour", [13, 3], ids=["07h00-before-opening", "21h00-after-closing"])
def test_todays_book_outside_opening_hours(engine, clock, utc_hour):
    clock.set(datetime(2026, 11, 21 if utc_hour == 13 else 22, utc_hour, 0, tzinfo=timezone.utc))
    summary = build_demo(engine, **SMALL)
    now = clock.now()
    with UnitOfWork(engine, write=False) as uow:
        location = locations.resolve(uow.session, None)
        today = book.appointments(uow.session, location=location, start=summary.business_date)
    assert summary.business_date.isoformat() == "2026-11-21" and len(today) == summary.appointments_today > 0
    statuses = Counter(a.status for a in today)
    if now < today[0].starts_at:
        assert set(statuses) == {"booked"}
    else:
        assert statuses["booked"] == 1 and set(statuses) == {"booked", "completed"}
