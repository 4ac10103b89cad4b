"""What the booking form reads and checks before it books, from the services' own checks: what the book
would refuse (`book_problems`), "any stylist" (`any_stylist`), the repeat as an RRULE (`repeat_rule`), and
the services' refusals in the form's words (`desk_words`, on top of `tui.words` for the form's own
messages). Services are imported inside the functions (the dashboard's launch)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from salon_cli.core.errors import InvalidInput, SalonError
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.widgets.when_input import shown

# The services' hints name command-line flags; the dashboard says the same in its own words.
_HINTS = (
    ("--allow-overlap", "choose another time or stylist: the free slots are listed"),
    ("--deposit AMOUNT --pay METHOD", "take a deposit now (amount and how it is paid), or a manager books it"),
    ("--walk-in", "if the client is here now, book a walk-in instead (w on the book)"),
    ("appt deposit", "book it once, then repeat it after the deposit is taken"),
    ("--on-gap", "choose another time"),
    ("--allow-outside-hours", "choose another time or stylist: the free slots are listed"),
)
_MESSAGES = (
    (re.compile(r"^--client is needed"), "choose a client"),
    (re.compile(r"^--at is needed"), "say when"),
    (re.compile(r"^--pay takes the deposit.*"), "a deposit needs an amount"),
)


def desk_words(text: str) -> str:
    """A refusal as the service words it, with its command-line hint said the dashboard's way."""
    for pattern, words in _MESSAGES:
        text = pattern.sub(words, text)

    def hint(match: re.Match[str]) -> str:
        inside = match.group(1)
        for flag, words in _HINTS:
            if flag in inside:
                return f" ({words})"
        return "" if ("--" in inside or "salon " in inside or "see:" in inside) else match.group(0)

    text = re.sub(r" \(([^()]*)\)$", hint, text)
    return re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", " "), text)


def repeat_rule(every: str, until: str, now: datetime) -> str | None:
    """'every N weeks until a date' as the RRULE `book_appointment` takes (`FREQ=WEEKLY;INTERVAL=N;UNTIL=...`)."""
    every, until = every.strip(), until.strip()
    if not every and not until:
        return None
    if not every.isdigit() or not 1 <= int(every) <= 52:
        raise InvalidInput("repeat every how many weeks? (1 to 52)")
    if not until:
        raise InvalidInput("repeat until which date?")
    from salon_cli.core.spoken_time import parse_when

    try:
        last = datetime.fromisoformat(until).date() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", until) \
            else parse_when(f"{until} 23:59", now).date()
    except (ValueError, SalonError):
        raise InvalidInput(f"repeat until {until!r}: not a date (e.g. 2027-03-31)") from None
    return f"FREQ=WEEKLY;INTERVAL={int(every)};UNTIL={last:%Y%m%d}T235959"


def first_free(session: Any, location: LocationView, *, minutes: int, staff: str | None, at: datetime) -> Any:
    """The first free slot at or after `at` (`book.slots.free_slots`), or None."""
    from salon_cli.services.book.slots import free_slots

    found = free_slots(session, location, minutes=minutes, staff=staff, after=at, count=1)
    return found[0] if found else None


def any_stylist(session: Any, location: LocationView, *, minutes: int, at: datetime) -> str:
    """'Any stylist': the one free at `at`, or a refusal naming the first free time."""
    slot = first_free(session, location, minutes=minutes, staff=None, at=at)
    if slot is not None and slot.starts_at == at:
        return slot.staff
    later = f"; the first free is {shown(slot.starts_at.astimezone(location.tz))} with {slot.staff}" if slot else ""
    raise InvalidInput(f"no stylist is free at {shown(at.astimezone(location.tz))}{later}")


def book_problems(session: Any, location: LocationView, *, staff: str, at: datetime, minutes: int) -> list[str]:
    """What the book would refuse for `staff` at `at` for `minutes`, before saving, by the booking
    service's own checks: their working hours and their appointments (`overlapping`)."""
    from salon_cli.services.book import appointments
    from salon_cli.services.salon import staff as staff_service

    member = staff_service.find(session, staff)
    ends = at + timedelta(minutes=minutes)
    problems = []
    why = appointments.outside_hours(session, location, member, at, ends)
    if why:
        problems.append(why)
    clashes = appointments.overlapping(session, member.id or 0, at, ends)
    if clashes:
        tz = location.tz
        problems.append(f"{member.code} is already booked: " + "; ".join(
            f"{c.starts_at.astimezone(tz):%H:%M}-{c.ends_at.astimezone(tz):%H:%M} (appointment {c.id})"
            for c in clashes[:3]))
    return problems


