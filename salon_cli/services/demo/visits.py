"""What the history and today's book share: a `Visit` (an appointment before the clients have ids),
a day's opening hours, a stylist's back-to-back slots in them, and which client comes to each.

The demo's hours (`demo.team` sets them): open Monday to Saturday 09:00-20:00, closed on Sunday (open
then too when the demo is built on a Sunday, so that a newcomer still sees a living book); every
stylist works the opening hours but one, who works a split shift on weekdays (`SPLIT_SHIFTS`).
Today's book keeps inside them; the history is the salon's past, booked before these hours were set.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

OPENING, CLOSING = time(9, 0), time(20, 0)
# A stylist's two shifts a day, Monday to Friday (on Saturday they work the opening hours).
SPLIT_SHIFTS: dict[str, tuple[tuple[time, time], ...]] = {"valeria": ((time(9, 0), time(14, 0)), (time(16, 0), time(20, 0)))}
SPLIT_WEEKDAYS = frozenset({0, 1, 2, 3, 4})

# Services booked by one kind of client only (for believable books; not a rule of the salon).
MENS_SERVICES = frozenset({"corte-caballero", "fade", "barba", "afeitado", "corte-barba"})
WOMENS_SERVICES = frozenset({"corte-dama", "mechas", "balayage", "acrilicas"})

# Minutes between one appointment and the next in a stylist's day.
BUSY_GAPS = (0, 0, 15, 15, 30, 45, 60)
QUIET_GAPS = (0, 15, 30, 45, 60, 90, 120)

# A second service booked with the first, now and then (same stylist, one appointment, two items).
ADD_ONS = {"corte-dama": "blowout", "tinte-raiz": "matiz", "tinte-completo": "matiz", "corte-caballero": "barba",
           "fade": "barba", "manicure-gel": "pedicure-spa", "facial": "ceja"}
ADD_ON_RATE = 0.12


@dataclass
class Visit:
    """An appointment before the clients have ids (`client` is an index into the client list)."""

    staff: str
    services: tuple[str, ...]  # codes, in the order they are done (the first is the appointment's)
    starts_at: datetime
    ends_at: datetime
    status: str
    client: int | None
    created_at: datetime
    walk_in: bool = False
    checked_in_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cancelled_by_salon: bool = False
    no_show_at: datetime | None = None

    @property
    def updated_at(self) -> datetime | None:
        return self.no_show_at or self.cancelled_at or self.completed_at or self.checked_in_at


def hours(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    opening = datetime.combine(day, OPENING, tzinfo=tz).astimezone(timezone.utc)
    return opening, datetime.combine(day, CLOSING, tzinfo=tz).astimezone(timezone.utc)


def shifts(code: str, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The stylist's working spans of `day`, as UTC instants: the opening hours, or their split shift."""
    if code in SPLIT_SHIFTS and day.weekday() in SPLIT_WEEKDAYS:
        return [(datetime.combine(day, start, tzinfo=tz).astimezone(timezone.utc),
                 datetime.combine(day, end, tzinfo=tz).astimezone(timezone.utc)) for start, end in SPLIT_SHIFTS[code]]
    return [hours(day, tz)]


def fill(rng: random.Random, start: datetime, end: datetime, services: Sequence[tuple[str, int]],
         gaps: Sequence[int]) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    """A stylist's back-to-back slots in [start, end): never overlapping, by construction. Now and
    then a slot takes the service's add-on too (`ADD_ONS`), when the stylist does it and it fits."""
    durations = dict(services)
    slots, at = [], start
    while True:
        at += timedelta(minutes=rng.choice(gaps))
        fitting = [(code, minutes) for code, minutes in services if at + timedelta(minutes=minutes) <= end]
        if not fitting:
            return slots
        code, minutes = rng.choice(fitting)
        codes: tuple[str, ...] = (code,)
        extra = ADD_ONS.get(code)
        if (extra in durations and at + timedelta(minutes=minutes + durations[extra]) <= end
                and rng.random() < ADD_ON_RATE):
            codes, minutes = (code, extra), minutes + durations[extra]
        slots.append((at, at + timedelta(minutes=minutes), codes))
        at += timedelta(minutes=minutes)


@dataclass(frozen=True)
class Audience:
    """How often each client comes (`weights`), and who would book men's or women's services."""

    weights: Sequence[int]
    men: Sequence[bool]

    def weights_for(self, service: str) -> Sequence[int]:
        if service in MENS_SERVICES or service in WOMENS_SERVICES:
            want_man = service in MENS_SERVICES
            chosen = [w if man == want_man else 0 for w, man in zip(self.weights, self.men, strict=True)]
            if any(chosen):
                return chosen
        return self.weights


class ClientPicker:
    """Clients for one day's visits: regulars more often, nobody twice the same day (if avoidable)."""

    def __init__(self, rng: random.Random, audience: Audience) -> None:
        self.rng, self.audience = rng, audience
        self.population = range(len(audience.weights))
        self.taken: set[int] = set()

    def pick(self, services: tuple[str, ...]) -> int:
        weights = self.audience.weights_for(services[0])
        for _ in range(8):
            index = self.rng.choices(self.population, weights)[0]
            if index not in self.taken:
                break
        self.taken.add(index)
        return index
