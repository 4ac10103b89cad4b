"""The one place that reads the time.

`SALON_NOW` (an ISO-8601 instant with an offset) replaces "now" everywhere; tests install a
`FixedClock` with `set_clock`. Every instant handed out is timezone-aware UTC.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from salon_cli.core.errors import InvalidInput


def parse_instant(text: str, *, what: str = "instant") -> datetime:
    """An ISO-8601 instant that names its offset (`2026-11-21T10:00:00-06:00` or `...Z`)."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not an ISO-8601 instant") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{what} {text!r} has no UTC offset", hint="write it like 2026-11-21T10:00:00-06:00"
        )
    return value.astimezone(timezone.utc)


class SystemClock:
    def now(self) -> datetime:
        fixed = os.environ.get("SALON_NOW")
        if fixed:
            return parse_instant(fixed, what="SALON_NOW")
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to (tests, backfills)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> datetime:
        self._at += timedelta(**delta)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)


_clock: SystemClock | FixedClock = SystemClock()


def now() -> datetime:
    return _clock.now()


def wall_now() -> datetime:
    """The real time, never `SALON_NOW`: only for leases and timings, never for business dates."""
    return datetime.now(timezone.utc)


def get_clock() -> SystemClock | FixedClock:
    return _clock


def set_clock(clock: SystemClock | FixedClock | None) -> None:
    """Install a clock (None restores the system clock)."""
    global _clock
    _clock = clock if clock is not None else SystemClock()
