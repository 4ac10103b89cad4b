"""Dates a business day can fall on (issue 26, item 17): `--date 9999-12-31` and its kind are bad input
(exit 2, one line naming the option), never an OverflowError, wherever a date becomes an instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from salon_cli.core import clock
from salon_cli.core.date_formats import parse_date as parse_file_date
from salon_cli.core.days import FIRST_DAY, LAST_DAY, check_day, day_bounds, parse_date, parse_local
from salon_cli.core.errors import InvalidInput
from salon_cli.core.recurrence import parse_wall, resolve

TOKYO, HONOLULU = ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Honolulu")


@pytest.mark.parametrize("text", ["9999-12-31", "9999-01-01", "0001-01-01", "1899-12-31"])
def test_a_date_no_business_day_can_fall_on_is_refused_naming_the_option(text):
    with pytest.raises(InvalidInput) as err:
        parse_date(text, what="--date")
    assert err.value.exit_code == 2
    assert err.value.message == f"--date {text} is out of range: dates run from 1900-01-01 to 9998-12-31"


def test_the_edges_become_instants_in_any_zone():
    for day in (FIRST_DAY, LAST_DAY):
        assert parse_date(day.isoformat()) == check_day(day) == day
        for tz in (TOKYO, HONOLULU, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")):
            start, end = day_bounds(day, tz)
            assert end > start
    with pytest.raises(InvalidInput):
        day_bounds(date(9999, 12, 31), HONOLULU)  # a date made in code is checked too


@pytest.mark.parametrize("text", ["9999-12-31T23:00:00-06:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z"])
def test_instants_out_of_range_are_refused(text):
    with pytest.raises(InvalidInput, match=r"^--as-of .* is out of range"):
        clock.parse_instant(text, what="--as-of")


def test_wall_times_out_of_range_are_refused():
    with pytest.raises(InvalidInput, match=r"^--at 9999-12-31 23:00 is out of range"):
        parse_local("9999-12-31 23:00", HONOLULU, what="--at")
    with pytest.raises(InvalidInput, match=r"^--at 9999-12-31 23:00 is out of range"):
        parse_wall("9999-12-31 23:00", what="--at")
    with pytest.raises(InvalidInput, match="out of range"):
        resolve(datetime(9999, 12, 31, 23), HONOLULU)  # a repeat's last occurrence, say


def test_dates_in_imported_files_are_refused_too():
    with pytest.raises(InvalidInput, match=r"^date 12/31/9999 is out of range"):
        parse_file_date("12/31/9999", "%m/%d/%Y")
    assert parse_file_date("12/31/2026", "%m/%d/%Y") == date(2026, 12, 31)


def _as_of(at: datetime) -> datetime:
    return clock.parse_as_of(at.astimezone(timezone.utc).isoformat())


def test_as_of_replays_the_past_only(clock):  # the fixture: a test clock stands in for the machine's
    now = clock.now()
    assert _as_of(now - timedelta(days=400)) == now - timedelta(days=400)
    assert _as_of(now + timedelta(seconds=59)) == now + timedelta(seconds=59)  # skew
    with pytest.raises(InvalidInput) as err:
        _as_of(now + timedelta(minutes=1, seconds=1))
    assert err.value.exit_code == 2 and err.value.message.startswith("--as-of ")
    assert "in the future" in err.value.message
