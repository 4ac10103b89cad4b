"""Whole periods before a day, for reports run by cron (`salon report finance --last week`): the day
before, the ISO week before (Monday to Sunday) or the calendar month before. `today` is the location's
business day (`services.salon.business_days.today`), so the machine's own time zone never matters.
"""

from __future__ import annotations

from datetime import date, timedelta

from salon_cli.core.errors import InvalidInput

UNITS = ("day", "week", "month")


def previous(today: date, unit: str) -> tuple[date, date]:
    """The whole `unit` (day, week or month) before the one `today` is in: (first day, last day)."""
    if unit == "day":
        day = today - timedelta(days=1)
        return day, day
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if unit == "month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    raise InvalidInput(f"--last {unit!r} is not one of {', '.join(UNITS)}")
