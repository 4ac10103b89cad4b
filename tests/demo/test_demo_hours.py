"""The demo salon's hours: open Monday to Saturday, a split shift, a holiday ahead; today's book keeps
inside everyone's hours, whatever the day it is built on."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.demo.build import build_demo
from salon_cli.services.salon import hours, locations, time_off
from salon_cli.services.salon.hours import Span

SMALL = {"clients": 30, "days": 3}


@pytest.mark.parametrize("now", [
    datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc),  # Monday 11:00: the split shift's day
    datetime(2026, 11, 23, 21, 0, tzinfo=timezone.utc),  # Monday 15:00: in the split shift's break
    datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc),  # Saturday 11:00: the tests' usual now
    datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc),  # Sunday: built anyway, open that day
], ids=["monday", "monday-break", "saturday", "sunday"])
def test_todays_book_keeps_inside_the_hours(sqlite_url, clock, now):
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine

    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    clock.set(now)
    summary = build_demo(engine, **SMALL)
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        today = summary.business_date
        plan = hours.day_plan(s, loc, today)
        assert plan.opening == (Span(time(9), time(20)),) and plan.opening_set
        staff = {d.code: d for d in plan.staff}
        assert set(staff) == {"ana", "diego", "valeria", "emma"} and staff["emma"].off is None
        split = (Span(time(9), time(14)), Span(time(16), time(20)))
        assert staff["valeria"].spans == (split if today.weekday() < 5 else (Span(time(9), time(20)),))
        sunday = today + timedelta(days=(6 - today.weekday()) or 7)
        assert hours.day_plan(s, loc, sunday).opening == (plan.opening if today.weekday() == 6 else ())
        off = time_off.list_time_off(s, loc)
        assert [(o.staff, o.reason) for o in off] == [("emma", "vacaciones")]
        assert today < off[0].first_day <= today + timedelta(days=13)
        assert {d.code: d.off for d in hours.day_plan(s, loc, off[0].first_day).staff}["emma"] == "vacaciones"
        ids = {d.code: d.staff_id for d in plan.staff}
        appts = book.appointments(s, location=loc, start=today)
        assert appts
        for a in appts:
            start, end = a.starts_at.astimezone(loc.tz), a.ends_at.astimezone(loc.tz)
            spans = hours.working_spans(s, loc, ids[a.staff], today)
            assert any(sp.start <= start.time() and end.time() <= sp.end for sp in spans), (a.staff, start, end)
