"""The demo's next two weeks (issue 27): bookings on every open day after today, inside each stylist's
hours (the hours service accepts every one of them), none on Emma's holiday, thinner further out; and
`ensure_demo` (what `salon tui --demo` runs) builds the demo, keeps a current one, and builds a stale
one again for today, saying so as it goes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from salon_cli.core.days import business_date, day_bounds
from salon_cli.db.engine import make_engine
from salon_cli.db.models import Appointment, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.demo.build import ensure_demo
from salon_cli.services.salon import hours, locations


def test_two_weeks_of_bookings_inside_the_hours(sqlite_url, clock):
    from salon_cli.db import migrate
    from salon_cli.services.demo.build import build_demo

    demo_engine = make_engine(sqlite_url)
    migrate.upgrade(demo_engine)
    build_demo(demo_engine, clients=30, days=7)
    with UnitOfWork(demo_engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        today = business_date(clock.now(), loc.tz)
        _, tomorrow = day_bounds(today, loc.tz)
        ahead = s.exec(select(Appointment, Staff.code).join(Staff, col(Staff.id) == Appointment.staff_id)
                       .where(col(Appointment.starts_at) >= tomorrow)).all()
        assert ahead and all(a.status == "booked" and a.client_id is not None for a, _ in ahead)
        days = Counter(business_date(a.starts_at, loc.tz) for a, _ in ahead)
        assert max(days) <= today + timedelta(days=14)
        assert min(days) == today + timedelta(days=2)  # Saturday: Sunday is closed, the book goes on Monday
        assert not [d for d in days if d.weekday() == 6]
        first_week = sum(n for d, n in days.items() if d <= today + timedelta(days=7))
        assert first_week > sum(days.values()) - first_week  # the book fills up as the day comes
        for appt, code in ahead:
            day = business_date(appt.starts_at, loc.tz)
            spans = hours.working_spans(s, loc, appt.staff_id, day)
            start, end = appt.starts_at.astimezone(loc.tz), appt.ends_at.astimezone(loc.tz)
            assert any(sp.start <= start.time() and end.time() <= sp.end for sp in spans), (code, start, end, spans)
            assert hours.off_reason(s, appt.staff_id, day) is None, (code, day)
    demo_engine.dispose()


def test_tui_demo_builds_keeps_and_rebuilds_a_stale_demo(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    said: list[str] = []
    assert ensure_demo(engine, progress=said.append) == "built"
    assert said and all(line.startswith("building the demo salon") for line in said)
    assert ensure_demo(engine) is None  # current: kept as it is
    clock.advance(days=3)
    said.clear()
    done = ensure_demo(engine, progress=said.append)
    assert done is not None and done.startswith("rebuilt for") and "it was of 2026-11-21" in done
    assert "building it again for today" in said[0]
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        lo, hi = day_bounds(business_date(clock.now(), loc.tz), loc.tz)
        assert uow.session.exec(select(Appointment).where(col(Appointment.starts_at) >= lo,
                                                          col(Appointment.starts_at) < hi)).first() is not None
    engine.dispose()
