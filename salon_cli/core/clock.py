"""The one place that reads the time.

`now()` is the business instant: `SALON_NOW` (an ISO-8601 instant with an offset) replaces it, and
tests install a `FixedClock` with `set_clock`. A command that changes data honours `SALON_NOW` only in
a database that allows a clock override (`cli/context.py` fences the others' writes; `overridden`
tells whether it is in force). `real_now()` is the machine's instant, never `SALON_NOW`: the PIN
lockout and the audit log's `at` keep it. Every instant handed out is timezone-aware UTC.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from salon_cli.core.days import check_day
from salon_cli.core.errors import InvalidInput

SKEW = timedelta(minutes=1)  # how far past the clock in force an `--as-of` may be (clocks differ a little)


def parse_instant(text: str, *, what: str = "instant") -> datetime:
    """An ISO-8601 instant that names its offset (`2026-11-21T10:00:00-06:00` or `...Z`), within the
    dates a business day can be (`core.days.check_day`)."""
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
    check_day(value.date(), what=f"{what} {text.strip()}")
    return value.astimezone(timezone.utc)


def parse_as_of(text: str, *, what: str = "--as-of") -> datetime:
    """A cron job's `--as-of`: it replays the past only. An instant later than the clock in force
    (beyond a minute of skew) is refused (exit 2): a job run "tonight" at noon would mark the
    afternoon's bookings as no-shows, expire points early, renew memberships ahead of time."""
    at = parse_instant(text, what=what)
    current = now()
    if at > current + SKEW:
        raise InvalidInput(f"{what} {text.strip()} is in the future (now is "
                           f"{current.isoformat(timespec='seconds')}); a job replays the past only")
    return at


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
    """The business instant: `SALON_NOW` or a test's clock where one is in force."""
    return _clock.now()


def real_now() -> datetime:
    """The machine's instant, never `SALON_NOW`: for what a clock override must not move (the PIN
    lockout, the audit log's `at`, when a job ran). A test's `FixedClock` still stands in for it."""
    if isinstance(_clock, FixedClock):
        return _clock.now()
    return datetime.now(timezone.utc)


def real_and_business() -> tuple[datetime, datetime]:
    """The machine's instant and the business instant, read together: the same instant unless a clock
    override (`SALON_NOW`) is in force."""
    real = real_now()
    return real, (_clock.now() if overridden() else real)


def overridden() -> bool:
    """Whether `SALON_NOW` is in force: set, and no test clock installed in its place."""
    return isinstance(_clock, SystemClock) and bool(os.environ.get("SALON_NOW"))


def wall_now() -> datetime:
    """The real time, never `SALON_NOW`: only for leases and timings, never for business dates."""
    return datetime.now(timezone.utc)


def get_clock() -> SystemClock | FixedClock:
    return _clock


def set_clock(clock: SystemClock | FixedClock | None) -> None:
    """Install a clock (None restores the system clock)."""
    global _clock
    _clock = clock if clock is not None else SystemClock()
