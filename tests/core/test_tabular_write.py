"""Writing CSV: the fast path (`cell_maker`, a cell made by its value's type) gives exactly what the
general rule gives (`csv_cell(jsonable(value, tz))`), and `write_csv` takes raw rows and records alike."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from enum import Enum
from zoneinfo import ZoneInfo

import pytest

from salon_cli.io.tabular import cell_maker, csv_cell, jsonable, neutralise, records, unmark, write_csv

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


# ----------------------------------------------------------------------------- formula cells (OWASP CSV injection)

FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "=1+1", "\tcmd", "\rcmd",
            "-", "+", "- nota", "+a", "'=already marked", "''=twice", "'@x"]
NUMBERS = ["+5215512345678", "-50", "-12.50", "+3", "-0.5", "+1,234.50", "-1.234,50", "-.5", "-3%", "-1e5"]
PLAIN = ["", "Ana", "'quoted", "''", "'", "O'Brien", "a=b", " =not at the start", "12", "2026-11-21", "-"]


@pytest.mark.parametrize("text", FORMULAS, ids=repr)
def test_a_cell_a_spreadsheet_would_run_is_marked_and_the_mark_comes_off_again(text):
    if text in ("-", "+"):  # a lone sign is text to every spreadsheet
        assert neutralise(text) == text
        return
    assert neutralise(text) == "'" + text
    assert unmark(neutralise(text)) == text


@pytest.mark.parametrize("text", NUMBERS + PLAIN, ids=repr)
def test_numbers_phones_and_plain_text_are_left_as_they_are(text):
    assert neutralise(text) == text
    assert unmark(text) == text


def test_unmark_undoes_neutralise_for_every_text():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.settings(max_examples=400, deadline=None)
    @hypothesis.given(st.text(alphabet=st.sampled_from(list("'=@+-\t\r .,e%1aZ|")), max_size=8) | st.text(max_size=6))
    def check(text):
        assert unmark(neutralise(text)) == text

    check()
    assert neutralise("'" * 5000 + "=x") == "'" * 5001 + "=x"  # no recursion limit on a row of quotes


def test_csv_output_is_neutralised_unless_raw():
    rows = [{"name": '=HYPERLINK("http://x","y")', "phone": "+525512345678", "amount": -50, "text": "-12.50",
             "tags": ["=a", "b"], "when": date(2026, 11, 21), "note": "@SUM(A1)"}]
    safe, raw = io.StringIO(), io.StringIO()
    write_csv(iter(rows), safe, columns=list(rows[0]))
    write_csv(iter(rows), raw, columns=list(rows[0]), raw=True)
    assert safe.getvalue().splitlines()[1] == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",+525512345678,-50,-12.50,'=a;b,2026-11-21,'@SUM(A1)"
    assert raw.getvalue().splitlines()[1] == "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",+525512345678,-50,-12.50,=a;b,2026-11-21,@SUM(A1)"
    # records (already JSON-ready) and raw rows give the same neutralised file
    cooked = io.StringIO()
    write_csv(records(rows), cooked, columns=list(rows[0]))
    assert cooked.getvalue() == safe.getvalue()


def test_a_rejects_file_marks_formulas_once():
    from salon_cli.io.tabular import SourceRow, write_rejects

    out = io.StringIO()
    cells = ("=x", "'=y", "+5215512345678", "-2+3")  # as the file had them: one already marked
    write_rejects(out, ["a", "b", "c", "d"], [(SourceRow(2, {}, cells), "=bad row")])
    assert out.getvalue().splitlines() == ["a,b,c,d,import_error", "'=x,'=y,+5215512345678,'-2+3,'=bad row"]
