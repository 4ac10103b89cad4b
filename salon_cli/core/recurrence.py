"""Wall-clock times that repeat, and spans of time typed by people ("12h", "15m").

A repeat (RFC 5545 RRULE, read by python-dateutil) is expanded on the location's wall clock, so that
a weekly 10:00 stays 10:00 across a DST change; each local time is then turned into UTC. A local time
that a DST change skips (02:30 on the night clocks move forward) is resolved as RFC 5545 says: with
the offset before the gap, which lands on the same distance past the change (03:30) -- or skipped,
when asked. A local time that happens twice (clocks move back) is the first of the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from salon_cli.core.days import check_day
from salon_cli.core.errors import InvalidInput

MAX_OCCURRENCES = 200
GAP_CHOICES = ("shift", "skip")
_SPAN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_span(text: str, *, what: str) -> timedelta:
    """'12h', '15m', '1h30m', '2d' -> a timedelta (a unit is required; 0m is allowed)."""
    raw = (text or "").strip().lower().replace(" ", "")
    found = _SPAN.fullmatch(raw) if raw else None
    if not found or not any(found.groups()):
        raise InvalidInput(f"{what} {text!r} is not a span of time", hint="e.g. 15m, 12h, 1h30m or 2d")
    days, hours, minutes = (int(g or 0) for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def format_span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


@dataclass(frozen=True)
class LocalTime:
    """A wall-clock time as typed, and the UTC instant it becomes."""

    wall: datetime  # naive, on the location's clock, as asked for
    at: datetime  # aware UTC
    shifted: bool  # the wall time did not exist (DST gap) and was moved forward
    ambiguous: bool  # the wall time happened twice; the first was taken

    def landed(self, tz: ZoneInfo) -> datetime:
        """Where it lands on the wall clock (differs from `wall` only when shifted)."""
        return self.at.astimezone(tz).replace(tzinfo=None)


def resolve(wall: datetime, tz: ZoneInfo) -> LocalTime:
    """The UTC instant of a naive wall time in `tz` (gaps: offset before the gap; folds: first)."""
    check_day(wall.date(), what=f"time {wall:%Y-%m-%d %H:%M}")
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    at = first.astimezone(timezone.utc)
    back = at.astimezone(tz).replace(tzinfo=None)
    shifted = back != wall
    ambiguous = not shifted and first.utcoffset() != second.utcoffset()
    return LocalTime(wall=wall, at=at, shifted=shifted, ambiguous=ambiguous)


def parse_wall(text: str, *, what: str = "time") -> datetime:
    """'YYYY-MM-DD HH:MM' (or with a T) as a naive wall time."""
    raw = (text or "").strip().replace("T", " ")
    try:
        wall = datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not 'YYYY-MM-DD HH:MM'") from None
    check_day(wall.date(), what=f"{what} {text.strip()}")
    return wall


def occurrences(rule: str, start: datetime, *, most: int = MAX_OCCURRENCES) -> list[datetime]:
    """The wall times of `rule` (an RRULE, with or without 'RRULE:') from `start` (naive).

    The rule must end (COUNT or UNTIL) and give at most `most` times; `start` is the first of them
    whether or not the rule would produce it (as calendars do).
    """
    from dateutil.rrule import rrulestr  # start-up: dateutil's rrule loads only for a repeating booking

    text = (rule or "").strip()
    body = text[len("RRULE:"):] if text.upper().startswith("RRULE:") else text
    if not body:
        raise InvalidInput("--repeat is empty", hint="e.g. FREQ=WEEKLY;COUNT=6")
    upper = body.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise InvalidInput(f"repeat {text!r} never ends", hint="add COUNT=N or UNTIL=YYYYMMDD, e.g. FREQ=WEEKLY;COUNT=6")
    if "DTSTART" in upper:
        raise InvalidInput("the repeat starts at --at; leave DTSTART out of it")
    # An UNTIL in UTC ('...Z') would not compare with a wall-clock start: read it as a wall time.
    body = re.sub(r"(UNTIL=\d{8}(?:T\d{6})?)Z", r"\1", body, flags=re.IGNORECASE)
    try:
        parsed = rrulestr(body, dtstart=start, forceset=False, ignoretz=True)
        times: list[datetime] = []
        for when in parsed:  # type: ignore[union-attr]
            if len(times) > most:
                break
            times.append(when)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"repeat {text!r} is not an RRULE: {exc}", hint="e.g. FREQ=WEEKLY;INTERVAL=2;COUNT=6") from None
    if times and times[0] != start:
        times.insert(0, start)
    if len(times) > most:
        raise InvalidInput(f"repeat {text!r} gives more than {most} appointments", hint="lower COUNT or bring UNTIL closer")
    if not times:
        raise InvalidInput(f"repeat {text!r} gives no appointments")
    return times
