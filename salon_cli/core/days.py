"""Business days in a location's own zone, stored and compared as UTC instants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from salon_cli.core.errors import InvalidInput

# The dates a business day may fall on. Python's dates end at 9999-12-31, and a day becomes instants
# ([D 00:00, D+1 00:00) in its zone, a week or a month around it in reports): a year of room at the end,
# and nothing before 1900 (no salon's books go back further; zones before it kept local mean time).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


def check_day(day: date, *, what: str = "date") -> date:
    """`day` if a business day can fall on it, else exit 2 (`--date 9999-12-31` is no OverflowError)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"{what} is out of range: dates run from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
    return day


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`; exit 2 for anything else."""
    if not name or "/" not in name and name not in ("UTC", "GMT"):
        raise InvalidInput(f"timezone {name!r} is not an IANA zone", hint="e.g. America/Mexico_City")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(z for z in available_timezones() if name.lower().split("/")[-1] in z.lower())
        hint = f"did you mean {', '.join(close[:3])}?" if close else "e.g. America/Mexico_City"
        raise InvalidInput(f"timezone {name!r} is not an IANA zone", hint=hint) from None


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """`[day 00:00, day+1 00:00)` in the zone, as UTC instants (23 or 25 hours around DST)."""
    check_day(day, what=f"date {day.isoformat()}")
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def business_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def parse_date(text: str, *, what: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date", hint="write it as YYYY-MM-DD") from None
    return check_day(day, what=f"{what} {text.strip()}")


def parse_local(text: str, tz: ZoneInfo, *, what: str = "time") -> datetime:
    """`YYYY-MM-DD HH:MM` on the location's wall clock, to UTC. A time a DST gap skips is refused."""
    raw = text.strip().replace("T", " ")
    try:
        naive = datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not 'YYYY-MM-DD HH:MM'") from None
    check_day(naive.date(), what=f"{what} {text.strip()}")
    local = naive.replace(tzinfo=tz)
    round_trip = local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise InvalidInput(f"{what} {text!r} does not exist in {tz.key} (clocks move forward)")
    return local.astimezone(timezone.utc)
