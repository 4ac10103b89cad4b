"""Times as the desk says them, in English or Spanish: "tomorrow 10:30", "viernes 16:00", "fri 4pm".

`parse_when(text, now)` reads what a receptionist types into the booking form or `--at`, on the
location's clock (`now` is aware, in the location's zone; the answer is aware, in that same zone):

- a date and a time: `2026-12-11 16:00`, `2026-12-11 4pm` (only the ISO date: `11/12` and `12-11`
  are day/month in Mexico and month/day next door, so they are refused);
- a time alone, today: `16:00`, `16`, `4pm`, `4:30 pm`, `16h`, `16h30`; a time that has passed today
  is refused with a hint (say `tomorrow 16:00` or a date): nobody books into the past by accident;
- a named day and a time: `today 16` / `hoy 16:00`, `tomorrow 10:30` / `mañana 10` / `manana 10`,
  `pasado mañana 11` / `day after tomorrow 11`, a weekday (`fri 4pm`, `friday 16:00`, `viernes 16:00`,
  `vie 16`, `sáb 10`, `mié`, `miércoles`): the next such day, today when it is that weekday and the
  time has not passed yet, else a week on; `next mon 9` / `próximo lunes 9`: the next such day after
  today (never today). Words such as `at`, `a las`, `el` are ignored; `de la tarde` / `de la noche`
  are pm, `de la mañana` am.

Hours: 0-23 (24-hour clock) or 1-12 with am/pm (`a.m.`, `p.m.`, `12am` is midnight, `12pm` noon). A
bare hour from 1 to 7 with no am/pm and no leading zero is afternoon: a salon books `4` at 16:00,
never at 04:00 (`04:00` or `4am` for the early bird). Minutes run 0-59.

A wall time that a DST change skips or repeats comes back as typed (fold 0), with the zone attached;
the booking resolves it (`core.recurrence.resolve`) and says what it did. Anything else raises
`InvalidInput` (exit 2), one line with examples. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from salon_cli.core.days import check_day
from salon_cli.core.errors import InvalidInput, refusal_words
from salon_cli.core.recurrence import parse_wall

EXAMPLES = refusal_words("e.g. 2026-12-11 16:00, 16:00, 4pm, tomorrow 10:30, mañana 10, viernes 16:00, next mon 9")
_WEEKDAYS = {
    0: ("mon", "monday", "lun", "lunes"),
    1: ("tue", "tues", "tuesday", "mar", "martes"),
    2: ("wed", "weds", "wednesday", "mie", "miercoles"),
    3: ("thu", "thur", "thurs", "thursday", "jue", "jueves"),
    4: ("fri", "friday", "vie", "viernes"),
    5: ("sat", "saturday", "sab", "sabado"),
    6: ("sun", "sunday", "dom", "domingo"),
}
WEEKDAY = {word: number for number, words in _WEEKDAYS.items() for word in words}
_OFFSETS = {"today": 0, "hoy": 0, "tomorrow": 1, "manana": 1, "pasado manana": 2, "day after tomorrow": 2}
_NEXT = ("next", "proximo", "proxima", "este", "esta", "this", "el", "la")  # `next` alone changes anything
_FILLER = frozenset({"at", "a", "las", "la", "el", "de", "on", "@"})
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_OTHER_DATE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}(?:[/.\-]\d{1,4})?$")
_TIME = re.compile(r"^(\d{1,2})(?:(?::|\.|h)(\d{1,2}))?h?(am|pm)?$")
_EXACT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{1,2}$")
_PM_BARE = range(1, 8)  # 1-7 with no am/pm: afternoon (module docstring)


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", plain)  # ISO's 'T' between date and time
    plain = re.sub(r"\b([ap])\.?\s?m\.?(?=\s|$)", r"\1m", plain)  # 'p. m.', 'p.m.', 'pm' -> 'pm'
    plain = re.sub(r"\bde la (?:tarde|noche)\b", "pm", plain)  # '4 de la tarde' -> '4 pm'
    plain = re.sub(r"\bde la manana\b", "am", plain)  # '9 de la mañana' -> '9 am' (not tomorrow)
    plain = re.sub(r"(\d)\s+([ap]m)\b", r"\1\2", plain)  # '4 pm' -> '4pm'
    plain = re.sub(r"(\d{1,2}(?:[:.h]\d{1,2})?)\s*(?:hrs?|horas?)\b", r"\1", plain)  # '16 hrs' -> '16'
    return " ".join(plain.replace(",", " ").split())


def _said(what: str, text: str) -> str:
    return f"{what} {text!r}" if what else repr(text)


def _time(word: str, what: str, text: str) -> tuple[int, int]:
    found = _TIME.fullmatch(word)
    if found is None:
        raise InvalidInput(f"{_said(what, text)} is not a time: {EXAMPLES}")
    hour_text, minute_text, half = found.groups()
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute_text is not None and len(minute_text) != 2:
        raise InvalidInput(f"{_said(what, text)} has minutes {minute_text!r} (write two digits, 00-59): {EXAMPLES}")
    if minute > 59:
        raise InvalidInput(f"{_said(what, text)} has minutes {minute} (they run 00-59): {EXAMPLES}")
    if half:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{_said(what, text)} has hour {hour} with {half} (1-12 with am/pm): {EXAMPLES}")
        return (hour % 12) + (12 if half == "pm" else 0), minute
    if hour > 23:
        raise InvalidInput(f"{_said(what, text)} has hour {hour} (0-23, or 1-12 with am/pm): {EXAMPLES}")
    if hour in _PM_BARE and not hour_text.startswith("0"):
        hour += 12
    return hour, minute


def parse_when(text: str, now: datetime, *, what: str = "") -> datetime:
    """`text` as the desk says a time (module docstring), on the clock of aware `now`; `what` names
    the field in errors (`--at`)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the location's zone")
    raw = (text or "").strip()
    words = _fold(raw).split()
    if not words:
        raise InvalidInput(f"{_said(what, raw)} is empty: {EXAMPLES}")
    day: date | None = None
    weekday: int | None = None
    strictly_next = False
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        pair = " ".join(words[i:i + 2])
        triple = " ".join(words[i:i + 3])
        if day is None and weekday is None and (triple in _OFFSETS or pair in _OFFSETS or word in _OFFSETS):
            phrase = triple if triple in _OFFSETS else pair if pair in _OFFSETS else word
            day = now.date() + timedelta(days=_OFFSETS[phrase])
            i += len(phrase.split())
            continue
        if day is None and weekday is None and word in _NEXT and i + 1 < len(words) and words[i + 1] in WEEKDAY:
            strictly_next = word in ("next", "proximo", "proxima")
            weekday = WEEKDAY[words[i + 1]]
            i += 2
            continue
        if day is None and weekday is None and word in WEEKDAY:
            weekday = WEEKDAY[word]
        elif day is None and weekday is None and (iso := _ISO_DATE.fullmatch(word)):
            try:
                day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                raise InvalidInput(f"{_said(what, raw)} has no such date {word!r}: {EXAMPLES}") from None
            check_day(day, what=f"{what or 'time'} {raw}")
        elif _OTHER_DATE.fullmatch(word) and not _TIME.fullmatch(word):
            raise InvalidInput(f"{_said(what, raw)} is not 'YYYY-MM-DD HH:MM' ({word!r} is day/month in one "
                               f"country and month/day in the next: write the date as YYYY-MM-DD): {EXAMPLES}")
        elif word not in _FILLER:
            rest.append(word)
        i += 1
    if not rest:
        raise InvalidInput(f"{_said(what, raw)} has no time of day: {EXAMPLES}")
    if len(rest) > 1:
        raise InvalidInput(f"{_said(what, raw)} is not a time: {EXAMPLES}")
    hour, minute = _time(rest[0], what, raw)
    wall_now = now.replace(tzinfo=None)
    if weekday is not None:
        ahead = (weekday - wall_now.weekday()) % 7
        candidate = datetime.combine(wall_now.date() + timedelta(days=ahead), datetime.min.time()).replace(
            hour=hour, minute=minute)
        if ahead == 0 and (strictly_next or candidate < wall_now.replace(second=0, microsecond=0)):
            candidate += timedelta(days=7)
        return candidate.replace(tzinfo=now.tzinfo, fold=0)
    if day is None:
        candidate = wall_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate < wall_now.replace(second=0, microsecond=0):
            hhmm = f"{hour:02d}:{minute:02d}"
            said = f"{what}: " if what else ""
            raise InvalidInput(f"{said}{hhmm} has passed today: say tomorrow {hhmm} or a date")
        return candidate.replace(tzinfo=now.tzinfo, fold=0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=now.tzinfo, fold=0)


def wall_of(text: str, now: datetime, *, what: str = "time") -> datetime:
    """A naive wall time for a booking: `YYYY-MM-DD HH:MM` read exactly as always (its errors), and
    anything else as the desk says it (`parse_when`)."""
    if _EXACT.fullmatch((text or "").strip().replace("T", " ", 1)) or not (text or "").strip():
        return parse_wall(text, what=what)
    return parse_when(text, now, what=what).replace(tzinfo=None)
