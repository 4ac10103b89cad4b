"""The demo salon: counts that match the database, a believable book, penalties that follow the policy,
a history that `detect-no-shows` agrees with, and the same salon for the same seed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import col, func, select

from salon_cli.core.days import day_bounds
from salon_cli.core.errors import RuleViolation
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import (
    Appointment,
    AppointmentItem,
    AuditLog,
    Client,
    Location,
    Penalty,
    Policy,
    Product,
    Service,
    Staff,
)
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book, no_shows
from salon_cli.services.salon import locations
from salon_cli.services.demo.build import WAIVE_REASONS, DemoSummary, build_demo
from salon_cli.services.book.penalties import policy_fee
from salon_cli.services.salon.staff import identify

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
        assert _count(s, Appointment, col(Appointment.starts_at) >= hi) == demo.appointments_ahead
        assert _count(s, Appointment) == demo.appointments_past + demo.appointments_today + demo.appointments_ahead
        assert demo.appointments_past > 0 and demo.appointments_today > 0 and demo.appointments_ahead > 0
        builds = s.exec(select(AuditLog).where(AuditLog.action == "demo.build")).all()
        assert len(builds) == 1 and builds[0].after["clients"] == SMALL["clients"]
        after = builds[0].after
        assert after["appointments_today"] == demo.appointments_today
        assert after["appointment_items"] == _count(s, AppointmentItem)
        assert after["no_shows"] == _count(s, Appointment, Appointment.status == "no_show")
        assert after["late_cancelled"] == _count(s, Appointment, Appointment.status == "late_cancelled")
        assert after["penalties"] == _count(s, Penalty) > 0
        for kind in ("no_show", "late_cancel"):
            assert after[f"penalties_{kind}"] == _count(s, Penalty, Penalty.kind == kind)
        for status in ("pending", "paid", "waived"):
            assert after[f"penalties_{status}"] == _count(s, Penalty, Penalty.status == status)
        assert after["penalty_cents"] == s.exec(select(func.sum(Penalty.amount_cents))).one()


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
        policy = s.exec(select(Policy)).one()
        s.expunge_all()  # keep the loaded rows readable after the read-only transaction ends
    statuses = Counter(a.status for a in past)
    assert statuses["completed"] > len(past) / 2
    assert set(statuses) == {"completed", "no_show", "cancelled", "late_cancelled"}
    assert 0.03 <= statuses["no_show"] / len(past) <= 0.09
    assert 0.05 <= (statuses["cancelled"] + statuses["late_cancelled"]) / len(past) <= 0.10
    window = timedelta(hours=policy.late_cancel_hours)
    for a in past:
        local_start, local_end = a.starts_at.astimezone(location.tz), a.ends_at.astimezone(location.tz)
        assert local_start.weekday() != 6, "closed on Sundays"
        assert (9, 0) <= (local_start.hour, local_start.minute) and (local_end.hour, local_end.minute) <= (20, 0)
        assert 20 <= (a.ends_at - a.starts_at).total_seconds() / 60 <= 180
        assert a.created_at <= a.starts_at
        if a.status == "completed":
            assert a.checked_in_at is not None and a.completed_at is not None
        else:
            assert a.checked_in_at is None and a.completed_at is None and not a.walk_in
        if a.status == "no_show":
            assert a.no_show_at == a.starts_at + timedelta(minutes=policy.no_show_grace_min)
        else:
            assert a.no_show_at is None
        if a.status in ("cancelled", "late_cancelled"):
            assert a.cancelled_at is not None and a.created_at < a.cancelled_at < a.starts_at and a.cancel_reason
            # late exactly when inside the policy's window, unless the salon cancelled
            inside = a.cancelled_at >= a.starts_at - window
            assert inside == (a.status == "late_cancelled" or a.cancelled_by_salon)
            assert not (a.status == "late_cancelled" and a.cancelled_by_salon)
        else:
            assert a.cancelled_at is None and a.cancel_reason is None


def test_every_appointment_has_its_items(engine, demo):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        appts = {a.id: a for a in s.exec(select(Appointment))}
        items = defaultdict(list)
        for item in s.exec(select(AppointmentItem).order_by(AppointmentItem.appointment_id, AppointmentItem.position)):
            items[item.appointment_id].append(item)
        menu = {svc.id: svc for svc in s.exec(select(Service))}
        s.expunge_all()
    assert set(items) == set(appts)
    for appt_id, rows in items.items():
        a = appts[appt_id]
        assert [i.position for i in rows] == list(range(len(rows))) and 1 <= len(rows) <= 2
        assert rows[0].service_id == a.service_id
        assert all(i.staff_id == a.staff_id for i in rows)
        assert all((i.duration_min, i.price_cents) == (menu[i.service_id].duration_min, menu[i.service_id].price_cents)
                   for i in rows)
        assert a.price_cents == sum(i.price_cents for i in rows)
        assert a.ends_at - a.starts_at == timedelta(minutes=sum(i.duration_min for i in rows))
        assert len({i.service_id for i in rows}) == len(rows)
    assert any(len(rows) == 2 for rows in items.values()), "a few appointments have two services"


def test_penalties_follow_the_policy(engine, demo, clock):
    now = clock.now()
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        tz = locations.resolve(s, None).tz
        policy = s.exec(select(Policy)).one()
        appts = {a.id: a for a in s.exec(select(Appointment))}
        penalties = s.exec(select(Penalty)).all()
        names = dict(s.exec(select(Service.id, Service.name)).all())
        staff = {m.code: m.id for m in s.exec(select(Staff))}
        s.expunge_all()
    by_appt = {p.appointment_id: p for p in penalties}
    assert len(by_appt) == len(penalties)
    owing = {a.id for a in appts.values() if a.status in ("no_show", "late_cancelled") and a.client_id is not None}
    assert set(by_appt) == owing, "one penalty per no-show and late cancellation with a client, none else"
    assert Counter(p.status for p in penalties).keys() == {"pending", "paid", "waived"}
    assert Counter(p.status for p in penalties).most_common(1)[0][0] == "pending"
    for p in penalties:
        a = appts[p.appointment_id]
        kind = "no_show" if a.status == "no_show" else "late_cancel"
        assert p.kind == kind and p.client_id == a.client_id and p.location_id == a.location_id
        assert p.amount_cents == policy_fee(policy, kind, a.price_cents) > 0
        what = "no-show" if kind == "no_show" else "late cancellation"
        assert p.reason == f"{what}: {names[a.service_id]}, {a.starts_at.astimezone(tz):%Y-%m-%d %H:%M}"
        if kind == "no_show":
            assert p.created_at == a.no_show_at and p.created_by_id is None  # detection made it
        else:
            assert p.created_at == a.cancelled_at and p.created_by_id == staff["sofia"]
        assert p.created_at <= now
        if p.status == "waived":
            assert p.waived_by_id == staff["lucia"] and p.waive_reason in WAIVE_REASONS
            assert p.created_at < p.waived_at <= now and p.paid_at is None
        else:
            assert p.waived_at is None and p.waived_by_id is None and p.waive_reason is None
        if p.status == "paid":
            assert p.paid_method in ("cash", "card") and p.paid_by_id == staff["sofia"]
            assert timedelta(hours=20) <= p.paid_at - p.created_at <= timedelta(hours=53) and p.paid_at <= now
        else:
            assert p.paid_at is None and p.paid_method is None and p.paid_by_id is None
    assert not any(a.status == "cancelled" and a.id in by_appt for a in appts.values())


def _due_today(engine, now):
    """Ids of the booked appointments whose no-show time has come, within the policy's look-back."""
    with UnitOfWork(engine, write=False) as uow:
        policy = uow.session.exec(select(Policy)).one()
        grace, lookback = timedelta(minutes=policy.no_show_grace_min), timedelta(hours=policy.no_show_lookback_hours)
        rows = uow.session.exec(select(Appointment.id, Appointment.starts_at)
                                .where(Appointment.status == "booked")).all()
    return sorted(i for i, start in rows if now - lookback <= start and start + grace <= now)


def _snapshot(engine):
    with UnitOfWork(engine, write=False) as uow:
        appts = sorted((a.id, a.status, a.no_show_at) for a in uow.session.exec(select(Appointment)))
        penalties = sorted((p.appointment_id, p.kind, p.status, p.amount_cents)
                           for p in uow.session.exec(select(Penalty)))
    return appts, penalties


@pytest.mark.parametrize("utc_hour", [17, 3], ids=["11h00", "21h00-after-closing"])
def test_detection_agrees_with_the_demo(engine, clock, utc_hour):
    """Run right after the build, detection marks only today's overdue booking: the past holds no
    `booked` appointment (nothing stale), and its no-shows already have their penalties."""
    clock.set(datetime(2026, 11, 21 if utc_hour == 17 else 22, utc_hour, 0, tzinfo=timezone.utc))
    summary = build_demo(engine, **SMALL)
    now = clock.now()
    due = _due_today(engine, now)
    before_appts, before_penalties = _snapshot(engine)
    with UnitOfWork(engine, write=False) as uow:
        location = locations.resolve(uow.session, None)
        lo, _ = day_bounds(summary.business_date, location.tz)
        assert _count(uow.session, Appointment, Appointment.status == "booked", col(Appointment.starts_at) < lo) == 0
    assert len(due) == 1  # the demo's one client who never came
    report = no_shows.detect(engine, location=location, as_of=now)
    assert (report.marked, report.penalties, report.stale) == (1, 1, 0)
    assert report.appointment_ids == due
    after_appts, after_penalties = _snapshot(engine)
    changed = [b for b, a in zip(before_appts, after_appts, strict=True) if b != a]
    assert [c[0] for c in changed] == due and len(after_penalties) == len(before_penalties) + 1
    assert set(before_penalties) < set(after_penalties)
    again = no_shows.detect(engine, location=location, as_of=now)
    assert (again.marked, again.penalties, again.stale) == (0, 0, 0)
    with UnitOfWork(engine, write=False) as uow:  # the clients' counts still match their no-shows
        s = uow.session
        counted = Counter(s.exec(select(Appointment.client_id).where(Appointment.status == "no_show")).all())
        for client in s.exec(select(Client)).all():
            assert client.no_show_count == counted.get(client.id, 0)


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


def _fingerprint(engine) -> tuple[list[str], list[tuple[str, str, str, int, str | None, str | None]]]:
    with UnitOfWork(engine, write=False) as uow:
        names = [f"{c.first_name} {c.last_name}" for c in uow.session.exec(select(Client).order_by(Client.id))]
        items = Counter(uow.session.exec(select(AppointmentItem.appointment_id)).all())
        rows = uow.session.exec(
            select(Appointment.id, Appointment.starts_at, Staff.code, Appointment.status, Penalty.status,
                   Penalty.paid_method)
            .join(Staff, col(Staff.id) == Appointment.staff_id)
            .outerjoin(Penalty, col(Penalty.appointment_id) == Appointment.id)
            .order_by(Appointment.starts_at, Staff.code)
        ).all()
    return names, [(s.isoformat(), code, status, items[i], penalty, paid) for i, s, code, status, penalty, paid in rows]


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
