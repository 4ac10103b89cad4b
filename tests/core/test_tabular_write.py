"""Writing CSV: the fast path (`cell_maker`, a cell made by its value's type) gives exactly what the
general rule gives (`csv_cell(jsonable(value, tz))`), and `write_csv` takes raw rows and records alike."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from enum import Enum
from zoneinfo import ZoneInfo

import pytest

from salon_cli.io.tabular import cell_maker, csv_cell, jsonable, records, write_csv

MEXICO = ZoneInfo("America/Mexico_City")


class Colour(Enum):
    red = "rojo"


VALUES = [
    None, "", "texto, con coma", 0, -350, 12.5, True, False,
    datetime(2026, 11, 21, 15, 30, tzinfo=timezone.utc), datetime(2026, 4, 5, 7, 59, 59, 123456, tzinfo=timezone.utc),
    date(2026, 11, 21), Colour.red, ["corte", "tinte"], [], [1, None, True], [{"a": 1}],
    {"when": datetime(2026, 1, 1, tzinfo=timezone.utc), "n": 2}, ("a", "b"),
]


@pytest.mark.parametrize("tz", [MEXICO, None])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_fast_cell_is_the_general_rule(value, tz):
    expected = csv_cell(jsonable(value, tz))
    made = cell_maker(tz)(value)
    assert made == expected


def test_raw_rows_and_records_write_the_same_file():
    rows = [{"id": 1, "at": datetime(2026, 11, 21, 15, 0, tzinfo=timezone.utc), "walk_in": False,
             "services": ["corte", "barba"], "note": None},
            {"id": 2, "at": None, "walk_in": True, "services": ["fade"], "note": 'dice "hola"\nadiós'}]
    columns = ["id", "at", "walk_in", "services", "note", "missing"]
    raw, cooked = io.StringIO(), io.StringIO()
    write_csv(iter(rows), raw, columns=columns, tz=MEXICO)
    write_csv(records(rows, MEXICO), cooked, columns=columns)
    assert raw.getvalue() == cooked.getvalue()
    assert raw.getvalue().splitlines()[:2] == [
        "id,at,walk_in,services,note,missing", "1,2026-11-21T09:00:00-06:00,false,corte;barba,,"]


def test_one_column_and_no_rows():
    out = io.StringIO()
    write_csv(iter([{"field": "a"}, {}]), out, columns=["field"])
    assert out.getvalue() == 'field\na\n""\n'  # one empty cell is quoted: not a blank line
    empty = io.StringIO()
    write_csv(iter([]), empty, columns=["a", "b"])
    assert empty.getvalue() == "a,b\n"
