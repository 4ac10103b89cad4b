"""Reading import files: encodings, line endings, quoting, mapping, and faults named by row."""

from __future__ import annotations

import io

import pytest

from salon_cli.io.tabular import ImportRefused, parse_mapping, read_csv

FIELDS = ["first_name", "last_name", "phone", "email"]


def read(data: bytes, **kw):
    return read_csv(io.BytesIO(data), fields=FIELDS, required=["first_name"], **kw)


def test_bom_crlf_and_quoted_newlines():
    data = '\ufefffirst_name,last_name,email\r\n"Ana","Muñoz","a@x.mx"\r\n"José ""Pepe""","Ibáñez\r\nSegunda línea",\r\n'.encode()
    rows = read(data)
    assert [r.number for r in rows] == [2, 4]  # the quoted newline makes row 3 two lines long
    assert rows[0].values == {"first_name": "Ana", "last_name": "Muñoz", "email": "a@x.mx"}
    assert rows[1].values["first_name"] == 'José "Pepe"'
    assert rows[1].values["last_name"] == "Ibáñez\r\nSegunda línea"


def test_header_names_are_matched_loosely_and_mapped():
    rows = read(b"First Name,Apellido,Tel\nAna,Ruiz,555\n",
                mapping=parse_mapping(["apellido=last_name", "Tel=phone"]))
    assert rows[0].values == {"first_name": "Ana", "last_name": "Ruiz", "phone": "555"}


def test_unknown_column_and_ragged_row_are_named_and_nothing_is_returned():
    with pytest.raises(ImportRefused) as err:
        read(b"first_name,colour\nAna,red\nLuis\n")
    assert err.value.exit_code == 2
    faults = [str(f) for f in err.value.faults]
    assert faults == ["row 1 column colour: unknown column", "row 3: has 1 values, the header has 2"]
    assert "row 1 column colour" in err.value.message


def test_missing_required_column():
    with pytest.raises(ImportRefused, match="column first_name: required column is missing"):
        read(b"last_name\nRuiz\n")


def test_not_utf8_says_so_and_latin1_works_when_asked():
    data = "first_name\nJosé\n".encode("latin-1")
    with pytest.raises(ImportRefused, match="not utf-8-sig text"):
        read(data)
    assert read(data, encoding="latin-1")[0].values["first_name"] == "José"


def test_bad_mapping_and_blank_lines():
    with pytest.raises(Exception, match="is not SRC=field"):
        parse_mapping(["nombre"])
    assert len(read(b"first_name\nAna\n\n,\nLuis\n")) == 2


def test_empty_file():
    with pytest.raises(ImportRefused, match="the file is empty"):
        read(b"")


def test_the_formula_mark_of_our_csv_comes_off_on_reading():
    data = ("first_name,last_name,phone\n"
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(A1),+5215512345678\n"
            "'+cmd|' /C calc'!A0,'-2+3,'hello\n"
            "''=twice,O'Brien,-50\n").encode()
    rows = read(data)
    assert [r.values for r in rows] == [
        {"first_name": '=HYPERLINK("http://x","y")', "last_name": "@SUM(A1)", "phone": "+5215512345678"},
        {"first_name": "+cmd|' /C calc'!A0", "last_name": "-2+3", "phone": "'hello"},
        {"first_name": "'=twice", "last_name": "O'Brien", "phone": "-50"},
    ]
    assert rows[0].cells[0] == "'=HYPERLINK(\"http://x\",\"y\")"  # the file's own cells stay as they were
