"""The wording of messages to clients: placeholders, dates in Spanish and English, quiet hours, back-off.

Pure rules: the services fill the values in and decide what is sent; nothing here reads a database.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from salon_cli.core.errors import InvalidInput

KINDS = ("confirmation", "reminder", "no_show_notice", "birthday", "win_back", "birthday_offer", "birthday_gift")
LANGUAGES = ("es", "en")
# Promotions go only to clients who gave marketing consent; service messages always may. A birthday offer's
# code is marketing; a membership's birthday gift is part of the member's plan: a service message.
PROMOTIONS = frozenset({"birthday", "win_back", "birthday_offer"})
# Messages about one appointment: never sent once it has started or is no longer booked.
ABOUT_AN_APPOINTMENT = frozenset({"confirmation", "reminder"})

_CLIENT = ("client_first_name", "client_last_name", "location_name", "location_phone")
_APPOINTMENT = ("service", "staff_name", "starts_at_local", "date_local", "time_local")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "confirmation": _CLIENT + _APPOINTMENT,
    "reminder": _CLIENT + _APPOINTMENT,
    "no_show_notice": _CLIENT + _APPOINTMENT + ("penalty_amount", "payment_link"),
    "birthday": _CLIENT,
    "win_back": _CLIENT + ("last_visit_date",),
    # the client's personal code, what it gives in words ('20% de descuento') and the last day it is valid
    "birthday_offer": _CLIENT + ("offer_code", "offer_text", "last_day"),
    # the redemption code of the gift and the reward's name
    "birthday_gift": _CLIENT + ("gift_code", "reward_name"),
}
BODY_MAX = 2000
SUBJECT_MAX = 200

_FORMATTER = string.Formatter()


def check_kind(text: str) -> str:
    value = (text or "").strip().lower().replace("-", "_")
    if value not in KINDS:
        raise InvalidInput(f"message {text!r} is not one of {', '.join(KINDS)}")
    return value


def check_language(text: str, *, what: str = "language") -> str:
    value = (text or "").strip().lower()
    if value not in LANGUAGES:
        raise InvalidInput(f"{what} {text!r} is not one of {', '.join(LANGUAGES)}")
    return value


def placeholders_in(text: str, *, what: str = "template") -> list[str]:
    """The `{names}` a text uses, in order (`{{` and `}}` are literal braces); malformed text is refused."""
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise InvalidInput(f"{what}: {exc} (write {{{{ and }}}} for literal braces)") from None
    names = []
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion:
            raise InvalidInput(f"{what}: placeholder {{{field}{'!' + conversion if conversion else ''}"
                               f"{':' + spec if spec else ''}}} takes no format; write {{{field}}}")
        names.append(field)
    return names


def check_template(kind: str, text: str, *, what: str) -> str:
    """`text` with each placeholder known for `kind`; otherwise one line naming the first unknown one."""
    allowed = PLACEHOLDERS[kind]
    for name in placeholders_in(text, what=what):
        if name not in allowed:
            shown = "{}" if name == "" else f"{{{name}}}"
            raise InvalidInput(f"{what}: unknown placeholder {shown}",
                               hint=f"a {kind} may use " + ", ".join(f"{{{p}}}" for p in allowed))
    return text


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill a checked template in; a placeholder with no value (a location's phone not on file) is empty."""
    return text.format_map(_Values(values))


# ----------------------------------------------------------------------------- dates for people

@lru_cache(maxsize=None)
def _names(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The weekdays (Monday first) and the months of `language`, as a date says them: CLDR's, through
    Babel ('EEEE', 'MMMM' in the language's own locale). Loaded on the first date said (start-up)."""
    from babel.dates import format_date

    locale = check_language(language)
    days = tuple(format_date(date(2024, 1, 1 + i), "EEEE", locale=locale) for i in range(7))  # 2024-01-01: a Monday
    months = tuple(format_date(date(2024, m, 1), "MMMM", locale=locale) for m in range(1, 13))
    return days, months


def local_date(day: date, language: str) -> str:
    """'sábado 21 de noviembre' / 'Saturday, November 21'."""
    days, months = _names(language)
    weekday, month = days[day.weekday()], months[day.month - 1]
    if language == "es":
        return f"{weekday} {day.day} de {month}"
    return f"{weekday}, {month} {day.day}"


def local_time(at: datetime, language: str) -> str:
    """'15:00' / '3:00 PM' (wall clock of `at`'s own zone)."""
    if language == "es":
        return f"{at.hour}:{at.minute:02d}"
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def local_when(instant: datetime, tz: ZoneInfo, language: str) -> str:
    """'sábado 21 de noviembre a las 15:00' / 'Saturday, November 21 at 3:00 PM'."""
    at = instant.astimezone(tz)
    if language == "es":
        return f"{local_date(at.date(), 'es')} a la{'' if at.hour == 1 else 's'} {local_time(at, 'es')}"
    return f"{local_date(at.date(), 'en')} at {local_time(at, 'en')}"


# ----------------------------------------------------------------------------- quiet hours

def _minute_of_day(text: str) -> int | None:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and len(hours) <= 2 and (minutes == "" or minutes.isdigit() and len(minutes) == 2)):
        return None
    value = int(hours) * 60 + int(minutes or 0)
    return value if int(hours) < 24 and int(minutes or 0) < 60 else None


def parse_quiet_hours(text: str) -> tuple[int, int]:
    """'21:00-08:00' -> (1260, 480) minutes of the day; 'none' -> (0, 0), no quiet hours."""
    raw = (text or "").strip().lower()
    if raw in ("none", "off"):
        return 0, 0
    parts = [_minute_of_day(p) for p in raw.split("-")]
    if len(parts) != 2 or parts[0] is None or parts[1] is None:
        raise InvalidInput(f"quiet hours {text!r} are not HH:MM-HH:MM", hint="e.g. 21:00-08:00, or none")
    if parts[0] == parts[1]:
        raise InvalidInput(f"quiet hours {text!r} start and end at the same time", hint="say none for no quiet hours")
    return parts[0], parts[1]


def format_quiet_hours(start_min: int, end_min: int) -> str:
    if start_min == end_min:
        return "none"
    return f"{start_min // 60:02d}:{start_min % 60:02d}-{end_min // 60:02d}:{end_min % 60:02d}"


def quiet_until(instant: datetime, tz: ZoneInfo, start_min: int, end_min: int) -> datetime | None:
    """When the quiet hours around `instant` end (UTC), or None when `instant` is outside them.

    The window is on the location's wall clock and may run past midnight (21:00-08:00)."""
    if start_min == end_min:
        return None
    local = instant.astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start_min <= minute < end_min if start_min < end_min else (minute >= start_min or minute < end_min)
    if not inside:
        return None
    day = local.date() if minute < end_min else local.date() + timedelta(days=1)
    end = datetime.combine(day, time(end_min // 60, end_min % 60), tzinfo=tz)
    return end.astimezone(timezone.utc)


def outside_quiet_hours(instant: datetime, tz: ZoneInfo, start_min: int, end_min: int) -> datetime:
    """`instant`, or the end of the quiet hours it falls in."""
    return quiet_until(instant, tz, start_min, end_min) or instant


# ----------------------------------------------------------------------------- retries

MAX_ATTEMPTS = 8
_FIRST_RETRY = timedelta(minutes=2)
_LONGEST_WAIT = timedelta(hours=2)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 2, 4, 8 ... minutes, at most 2 hours."""
    return min(_FIRST_RETRY * (2 ** max(attempts - 1, 0)), _LONGEST_WAIT)
