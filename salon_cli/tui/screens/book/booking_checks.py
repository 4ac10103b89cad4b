"""What the booking form reads and checks before it books, from the services' own checks: what the book
would refuse (`book_problems`), "any stylist" (`any_stylist`), the repeat as an RRULE (`repeat_rule`), and
the services' refusals in the form's words (`desk_words`, on top of `tui.words` for the form's own
messages). The form's words are the desk's language (`_`); the services' own messages stay English.
Services are imported inside the functions (the dashboard's launch)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from salon_cli.core.errors import InvalidInput, SalonError
from salon_cli.core.text import fold
from salon_cli.i18n import N_, _, formats
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.widgets.when_input import shown

# The services' hints name command-line flags; the dashboard says the same in its own words (said through
# `_`). In order: the first flag a hint names wins.
_HINTS = {
    "--allow-overlap": N_("choose another time or stylist: the free slots are listed"),
    "--deposit AMOUNT --pay METHOD": N_("take a deposit now (amount and how it is paid), or a manager books it"),
    "--walk-in": N_("if the client is here now, book a walk-in instead (w on the book)"),
    "appt deposit": N_("book it once, then repeat it after the deposit is taken"),
    "--on-gap": N_("choose another time"),
    "--allow-outside-hours": N_("choose another time or stylist: the free slots are listed"),
}
_MESSAGES = (
    (re.compile(r"^--client is needed"), N_("choose a client")),
    (re.compile(r"^--at is needed"), N_("say when")),
    (re.compile(r"^--pay takes the deposit.*"), N_("a deposit needs an amount")),
)


METHODS = {"cash": N_("cash"), "card": N_("card"), "transfer": N_("transfer")}  # the desk's tenders (through _)


def method_typed(text: str) -> str:
    """A tender as the desk types it, in either language ('Efectivo', 'cash') -> its code ('cash'); anything
    else as typed, for the service to refuse in its words."""
    typed = fold(text.strip())
    return next((code for code, word in METHODS.items() if typed in (code, fold(_(word)))), text.strip().lower())


def desk_words(text: str) -> str:
    """A refusal as the service words it, with its command-line hint said the dashboard's way."""
    for pattern, words in _MESSAGES:
        said = _(words)
        text = pattern.sub(lambda _match: said, text)

    def hint(match: re.Match[str]) -> str:
        inside = match.group(1)
        for flag, words in _HINTS.items():
            if flag in inside:
                return " (" + _(words) + ")"
        return "" if ("--" in inside or "salon " in inside or "see:" in inside) else match.group(0)

    text = re.sub(r" \(([^()]*)\)$", hint, text)
    return re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", " "), text)


def repeat_rule(every: str, until: str, now: datetime) -> str | None:
    """'every N weeks until a date' as the RRULE `book_appointment` takes (`FREQ=WEEKLY;INTERVAL=N;UNTIL=...`)."""
    every, until = every.strip(), until.strip()
    if not every and not until:
        return None
    if not every.isdigit() or not 1 <= int(every) <= 52:
        raise InvalidInput(_("repeat every how many weeks? (1 to 52)"))
    if not until:
        raise InvalidInput(_("repeat until which date?"))
    from salon_cli.core.spoken_time import parse_when

    try:
        last = datetime.fromisoformat(until).date() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", until) \
            else parse_when(f"{until} 23:59", now).date()
    except (ValueError, SalonError):
        raise InvalidInput(_("repeat until {until!r}: not a date (e.g. 2027-03-31)").format(until=until)) from None
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
    later = first_free_words(slot, location)
    when = shown(at.astimezone(location.tz), location.currency)
    raise InvalidInput(_("no stylist is free at {when}").format(when=when) + later)


def first_free_words(slot: Any, location: LocationView) -> str:
    """'; the first free is Mon Nov 23, 2026 4:00 PM with ana' (nothing when there is no slot)."""
    if slot is None:
        return ""
    return _("; the first free is {when} with {staff}").format(
        when=shown(slot.starts_at.astimezone(location.tz), location.currency), staff=slot.staff)


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
        tz, currency = location.tz, location.currency
        problems.append(_("{code} is already booked: {times}").format(code=member.code, times="; ".join(
            _("{start}-{end} (appointment {id})").format(start=formats.clock_time(c.starts_at, currency, tz),
                                                         end=formats.clock_time(c.ends_at, currency, tz), id=c.id)
            for c in clashes[:3])))
    return problems


