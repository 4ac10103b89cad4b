"""The demo salon's next two weeks: the bookings already taken, thinner the further ahead (a salon's
book fills up as the day comes), inside each stylist's shifts (`visits.shifts`), never on a closed day
nor on a stylist's holiday (`team.HOLIDAY`). Its own random stream: the history and today's book stay
as they were.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from salon_cli.services.demo.visits import QUIET_GAPS, Audience, ClientPicker, Visit, fill, shifts

DAYS_AHEAD = 14


def ahead_book(rng: random.Random, today: date, now: datetime, tz: ZoneInfo, menu: dict[str, list[tuple[str, int]]],
               audience: Audience, *, open_on_sunday: bool, holiday: tuple[str, int, int],
               days: int = DAYS_AHEAD) -> list[Visit]:
    """Booked visits on the `days` days after `today`; `holiday` is (stylist, first, last day after today)."""
    away, first_off, last_off = holiday
    visits = []
    for ahead in range(1, days + 1):
        day = today + timedelta(days=ahead)
        if day.weekday() == 6 and not open_on_sunday:
            continue
        clients = ClientPicker(rng, audience)  # nobody twice the same day
        keep = max(0.15, 0.75 - 0.045 * ahead)  # tomorrow is mostly booked, two weeks out is thin
        for code, services in menu.items():
            if code == away and first_off <= ahead <= last_off:
                continue
            for opening, closing in shifts(code, day, tz):
                for start, end, booked in fill(rng, opening, closing, services, QUIET_GAPS):
                    if rng.random() >= keep:
                        continue
                    made = min(now, start) - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
                    visits.append(Visit(code, booked, start, end, "booked", clients.pick(booked), created_at=made))
    return visits
