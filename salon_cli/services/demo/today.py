"""Today's book in the demo salon, around "now": done, in the chair, arriving, still to come, and one
client overdue (left `booked` for no-show detection). Its own random stream: a change to the history
leaves it as it was.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from salon_cli.services.demo.visits import BUSY_GAPS, Audience, ClientPicker, Visit, fill, shifts


def today_book(rng: random.Random, today: date, now: datetime, tz: ZoneInfo,
               menu: dict[str, list[tuple[str, int]]], audience: Audience) -> list[Visit]:
    """Today's book around `now`: done, in the chair, arriving, still to come, and one who never came.
    Each stylist's day keeps inside their shifts (`visits.shifts`: the opening hours, or a split shift)."""
    local = now.astimezone(tz)
    this_quarter = local.replace(minute=local.minute // 15 * 15, second=0, microsecond=0).astimezone(timezone.utc)
    clients = ClientPicker(rng, audience)
    visits = []
    for turn, (code, services) in enumerate(menu.items()):
        for opening, closing in shifts(code, today, tz):
            for start, end, booked in _shift(rng, turn, services, opening, closing, now, this_quarter):
                visits.append(_today_visit(rng, code, booked, start, end, now, clients))
    # One client who should be here by now and is not: left `booked` for no-show detection.
    overdue = [v for v in visits if v.status == "completed" and not v.walk_in]
    if overdue:
        late = rng.choice(overdue)
        late.status, late.checked_in_at, late.completed_at = "booked", None, None
    return visits


def _shift(rng: random.Random, turn: int, services: list[tuple[str, int]], opening: datetime, closing: datetime,
           now: datetime, this_quarter: datetime) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    """One shift's slots; when `now` falls well inside it, one slot is anchored on now: half the stylists
    (by `turn`) are mid-service, half about to start."""
    quarter = timedelta(minutes=15)
    if opening + 2 * quarter <= now <= closing - 4 * quarter:
        if turn % 2 == 0:
            start = max(opening, this_quarter - rng.randint(0, 2) * quarter)
            fitting = [(s, m) for s, m in services
                       if start + timedelta(minutes=m) > now and start + timedelta(minutes=m) <= closing]
        else:
            start = this_quarter + rng.randint(1, 2) * quarter
            fitting = [(s, m) for s, m in services if start + timedelta(minutes=m) <= closing]
        if fitting:
            service, minutes = rng.choice(fitting)
            end = start + timedelta(minutes=minutes)
            return (fill(rng, opening, start, services, BUSY_GAPS) + [(start, end, (service,))]
                    + fill(rng, end, closing, services, BUSY_GAPS))
    return fill(rng, opening, closing, services, BUSY_GAPS)


def _today_visit(rng: random.Random, staff_code: str, services: tuple[str, ...], start: datetime, end: datetime,
                 now: datetime, clients: ClientPicker) -> Visit:
    minutes = timedelta(minutes=1)
    if end <= now and rng.random() < 0.08:
        return Visit(staff_code, services, start, end, "completed", None, created_at=start, walk_in=True,
                     checked_in_at=start, completed_at=end)
    visit = Visit(staff_code, services, start, end, "booked", clients.pick(services),
                  created_at=min(start, now) - timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600)))
    if end <= now:
        visit.status = "completed"
        visit.checked_in_at = start - rng.randint(0, 10) * minutes
        visit.completed_at = min(now, end + rng.randint(0, 8) * minutes)
    elif start <= now:
        visit.status, visit.checked_in_at = "in_service", start - rng.randint(0, 10) * minutes
    elif start <= now + 30 * minutes:
        visit.status, visit.checked_in_at = "checked_in", now - rng.randint(1, 10) * minutes
    return visit
