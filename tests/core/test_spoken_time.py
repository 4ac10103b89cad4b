"""`core.spoken_time`: times as the desk says them, in English and Spanish, on the location's clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from salon_cli.core.errors import InvalidInput
from salon_cli.core.spoken_time import parse_when, wall_of

MX = ZoneInfo("America/Mexico_City")
MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 21, 11, 0, tzinfo=MX)  # a Saturday, 11:00


def at(text: str, now: datetime = NOW) -> str:
    return parse_when(text, now).strftime("%Y-%m-%d %H:%M %a")


@pytest.mark.parametrize("text, expected", [
    ("2026-12-11 16:00", "2026-12-11 16:00 Fri"),
    ("2026-12-11 4pm", "2026-12-11 16:00 Fri"),
    ("2026-12-11T09:15", "2026-12-11 09:15 Fri"),
    ("16:00", "2026-11-21 16:00 Sat"),
    ("16", "2026-11-21 16:00 Sat"),
    ("4pm", "2026-11-21 16:00 Sat"),
    ("4 PM", "2026-11-21 16:00 Sat"),
    ("4:30 pm", "2026-11-21 16:30 Sat"),
    ("4:30 p.m.", "2026-11-21 16:30 Sat"),
    ("4:30 p. m.", "2026-11-21 16:30 Sat"),
    ("16h", "2026-11-21 16:00 Sat"),
    ("16h30", "2026-11-21 16:30 Sat"),
    ("16 hrs", "2026-11-21 16:00 Sat"),
    ("11:00", "2026-11-21 11:00 Sat"),  # this very minute has not passed
    ("12pm", "2026-11-21 12:00 Sat"),
    ("today 16", "2026-11-21 16:00 Sat"),
    ("hoy 16:00", "2026-11-21 16:00 Sat"),
    ("Hoy a las 5", "2026-11-21 17:00 Sat"),
    ("tomorrow 10:30", "2026-11-22 10:30 Sun"),
    ("mañana 10", "2026-11-22 10:00 Sun"),
    ("manana 10", "2026-11-22 10:00 Sun"),
    ("MAÑANA 9am", "2026-11-22 09:00 Sun"),
    ("mañana 12am", "2026-11-22 00:00 Sun"),
    ("pasado mañana 11", "2026-11-23 11:00 Mon"),
    ("pasado manana 11", "2026-11-23 11:00 Mon"),
    ("day after tomorrow 11", "2026-11-23 11:00 Mon"),
    ("fri 4pm", "2026-11-27 16:00 Fri"),
    ("friday 16:00", "2026-11-27 16:00 Fri"),
    ("Viernes 16:00", "2026-11-27 16:00 Fri"),
    ("vie 16", "2026-11-27 16:00 Fri"),
    ("el viernes a las 5", "2026-11-27 17:00 Fri"),
    ("at fri 4:15pm", "2026-11-27 16:15 Fri"),
    ("sáb 10", "2026-11-28 10:00 Sat"),  # today is Saturday, 10:00 has passed: next week
    ("sab 12", "2026-11-21 12:00 Sat"),  # today, 12:00 still ahead
    ("sábado 11:00", "2026-11-21 11:00 Sat"),
    ("mié 9", "2026-11-25 09:00 Wed"),
    ("mie 9", "2026-11-25 09:00 Wed"),
    ("miércoles 9", "2026-11-25 09:00 Wed"),
    ("dom 10", "2026-11-22 10:00 Sun"),
    ("lunes 10", "2026-11-23 10:00 Mon"),
    ("martes 10", "2026-11-24 10:00 Tue"),
    ("jueves 10", "2026-11-26 10:00 Thu"),
    ("next mon 9", "2026-11-23 09:00 Mon"),
    ("next sat 12", "2026-11-28 12:00 Sat"),  # `next` is never today
    ("próximo sábado 12", "2026-11-28 12:00 Sat"),
    ("this sat 12", "2026-11-21 12:00 Sat"),
    ("viernes 4 de la tarde", "2026-11-27 16:00 Fri"),
    ("mañana a las 9 de la mañana", "2026-11-22 09:00 Sun"),
    ("hoy 8 de la noche", "2026-11-21 20:00 Sat"),
])
def test_what_the_desk_says(text, expected):
    assert at(text) == expected


@pytest.mark.parametrize("text, hour", [
    ("fri 1", 13), ("fri 4", 16), ("fri 7", 19), ("fri 7:30", 19), ("fri 8", 8), ("fri 12", 12),
    ("fri 0", 0), ("fri 07:00", 7), ("fri 04:30", 4), ("fri 7am", 7), ("fri 4am", 4), ("fri 19", 19),
])
def test_a_bare_hour_from_1_to_7_is_afternoon(text, hour):
    assert parse_when(text, NOW).hour == hour


def test_the_answer_is_aware_in_the_zone_of_now():
    when = parse_when("mañana 10", NOW)
    assert when.tzinfo is MX and when.utcoffset().total_seconds() == -6 * 3600


def test_a_time_that_has_passed_today_with_no_day_named_is_refused_with_a_hint():
    with pytest.raises(InvalidInput) as refused:
        parse_when("10:00", NOW)
    assert refused.value.message == "10:00 has passed today: say tomorrow 10:00 or a date"
    with pytest.raises(InvalidInput, match=r"^--at: 07:00 has passed today"):
        parse_when("7am", NOW, what="--at")
    assert at("today 10") == "2026-11-21 10:00 Sat"  # a day said: the booking decides (a walk-in may be in the past)


@pytest.mark.parametrize("text, says", [
    ("11/12 16:00", "day/month in one country"),
    ("12-11 16:00", "day/month in one country"),
    ("23/11/2026 10:00", "is not 'YYYY-MM-DD HH:MM'"),
    ("11.12.2026 10:00", "day/month in one country"),
    ("xyz", "is not a time"),
    ("", "is empty"),
    ("   ", "is empty"),
    ("fri", "has no time of day"),
    ("mañana", "has no time of day"),
    ("2026-12-11", "has no time of day"),
    ("16:60", "minutes 60"),
    ("16:5", "two digits"),
    ("24", "hour 24"),
    ("25:00", "hour 25"),
    ("13pm", "hour 13 with pm"),
    ("0am", "hour 0 with am"),
    ("2026-02-30 10:00", "no such date"),
    ("tomorrow fri 4", "is not a time"),
    ("16 17", "is not a time"),
    ("fri -4", "is not a time"),
    ("9999-12-31 10:00", "out of range"),
])
def test_bad_input_is_one_line_exit_2_with_examples(text, says):
    with pytest.raises(InvalidInput) as refused:
        parse_when(text, NOW)
    assert says in refused.value.message and "\n" not in refused.value.message
    assert refused.value.exit_code == 2
    if "out of range" not in says:
        assert "e.g." in refused.value.message and "tomorrow 10:30" in refused.value.message


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_when("16:00", datetime(2026, 11, 21, 11, 0))


def test_year_rollover():
    last = datetime(2026, 12, 31, 12, 0, tzinfo=MX)  # a Thursday
    assert at("mon 9", last) == "2027-01-04 09:00 Mon"
    assert at("tomorrow 10", last) == "2027-01-01 10:00 Fri"
    assert at("pasado mañana 10", last) == "2027-01-02 10:00 Sat"
    assert at("jue 11", last) == "2027-01-07 11:00 Thu"  # today's 11:00 has passed: a week on


def test_mexico_city_keeps_one_offset_all_year():
    # Mexico dropped DST in 2022: the first Sunday of April and the last of October are ordinary days
    april = datetime(2026, 4, 4, 12, 0, tzinfo=MX)
    assert parse_when("mañana 2:30am", april).utcoffset() == parse_when("mañana 12", april).utcoffset()


def test_dst_days_in_madrid():
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=MADRID)  # clocks go 02:00 -> 03:00 on Sunday 29 March
    sunday = parse_when("mañana 10", saturday)
    assert sunday.strftime("%Y-%m-%d %H:%M") == "2026-03-29 10:00" and sunday.utcoffset().total_seconds() == 7200
    assert parse_when("next sat 10", saturday).utcoffset().total_seconds() == 7200
    gap = parse_when("mañana 2:30am", saturday)  # does not exist: returned as said, the booking resolves it
    assert (gap.hour, gap.minute, gap.fold) == (2, 30, 0)
    october = datetime(2026, 10, 24, 12, 0, tzinfo=MADRID)  # clocks go 03:00 -> 02:00 on Sunday 25 October
    assert parse_when("dom 10", october).utcoffset().total_seconds() == 3600
    assert parse_when("sáb 16", october).utcoffset().total_seconds() == 7200


def test_wall_of_keeps_the_exact_format_and_its_errors():
    assert wall_of("2026-11-23 10:00", NOW, what="--at") == datetime(2026, 11, 23, 10, 0)
    assert wall_of("viernes 16:00", NOW, what="--at") == datetime(2026, 11, 27, 16, 0)
    with pytest.raises(InvalidInput, match=r"^--at '2026-11-23 25:00' is not 'YYYY-MM-DD HH:MM'$"):
        wall_of("2026-11-23 25:00", NOW, what="--at")
    with pytest.raises(InvalidInput, match=r"^--at '23/11/2026 10:00' is not 'YYYY-MM-DD HH:MM'"):
        wall_of("23/11/2026 10:00", NOW, what="--at")
