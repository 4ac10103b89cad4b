"""Business days in a location's own zone, stored and compared as UTC instants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from salon_cli.core.errors import InvalidInput


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
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def business_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def parse_date(text: str, *, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date", hint="write it as YYYY-MM-DD") from None


def parse_local(text: str, tz: ZoneInfo, *, what: str = "time") -> datetime:
    """`YYYY-MM-DD HH:MM` on the location's wall clock, to UTC. A time a DST gap skips is refused."""
    raw = text.strip().replace("T", " ")
    try:
        naive = datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not 'YYYY-MM-DD HH:MM'") from None
    local = naive.replace(tzinfo=tz)
    round_trip = local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise InvalidInput(f"{what} {text!r} does not exist in {tz.key} (clocks move forward)")
    return local.astimezone(timezone.utc)
