"""CSV cells a spreadsheet would run are neutralised (issue 26, item 15), and imports take the mark off.

OWASP's advice: a cell that starts with `=`, `@`, a tab or a carriage return, or with `+`/`-` followed by
anything but a number, is written with a leading `'`. Phones (`+525512345678`) and signed amounts stay as
they are; JSON and NDJSON are exact; `--raw` writes the cells as they are stored; an export imported into a
fresh salon gives the same names back.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_helpers import INIT, OWNER, salon

DESK = ["--as", "lucia"]
NAMES = [('=HYPERLINK("http://x","y")', "@SUM(A1)"), ("+cmd|' /C calc'!A0", "-2+3"), ("'=ya marcado", "O'Brien")]


@pytest.fixture
def shop(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    for first, last in NAMES:
        phone = ["--phone", "+5215512345678"] if first.startswith("=") else []
        run = salon(db_url, *DESK, "client", "add", "--first", first, "--last", last, *phone,
                    "--tag", "vip")
        assert run.code == 0, run.stderr
    return db_url


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _table(text):
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _names(url):
    clients = json.loads(_ok(salon(url, "export", "clients", "-f", "json")).stdout)
    return [(c["first_name"], c["last_name"], c["phone"], c["tags"]) for c in clients]


def test_csv_exports_neutralise_formulas_and_raw_keeps_them(shop):
    rows = _table(_ok(salon(shop, "export", "clients")).stdout)
    assert [(r["first_name"], r["last_name"], r["phone"], r["tags"]) for r in rows] == [
        ("'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "+525512345678", "vip"),
        ("'+cmd|' /C calc'!A0", "'-2+3", "", "vip"),
        ("''=ya marcado", "O'Brien", "", "vip"),  # an apostrophe already there is marked once more: exact again
    ]
    raw = _table(_ok(salon(shop, "export", "clients", "--raw")).stdout)
    assert [(r["first_name"], r["last_name"], r["tags"]) for r in raw] == [
        ('=HYPERLINK("http://x","y")', "@SUM(A1)", "vip"), ("+cmd|' /C calc'!A0", "-2+3", "vip"),
        ("'=ya marcado", "O'Brien", "vip")]
    # JSON and NDJSON are exact, with or without --raw
    assert _names(shop) == [(first, last, "+525512345678" if first.startswith("=") else None,
                             ["vip"]) for first, last in NAMES]
    ndjson = [json.loads(line) for line in _ok(salon(shop, "export", "clients", "-f", "ndjson")).stdout.splitlines()]
    assert [(c["first_name"], c["last_name"]) for c in ndjson] == NAMES


def test_every_export_neutralises_the_client_name_it_carries(shop):
    sales = _ok(salon(shop, *DESK, "sale", "open", "--client", "1", "-f", "json"))
    sale = json.loads(sales.stdout)["id"]
    rows = _table(_ok(salon(shop, "export", "sales")).stdout)
    assert [r["client"] for r in rows if r["id"] == str(sale)] == ["'=HYPERLINK(\"http://x\",\"y\") @SUM(A1)"]
    raw = _table(_ok(salon(shop, "export", "sales", "--raw")).stdout)
    assert [r["client"] for r in raw] == ['=HYPERLINK("http://x","y") @SUM(A1)']


def test_list_commands_in_csv_neutralise_too(shop):
    rows = _table(_ok(salon(shop, "client", "list", "-f", "csv")).stdout)
    assert sorted((r["first_name"], r["last_name"], r["phone"]) for r in rows) == sorted([
        ("'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "+525512345678"),
        ("'+cmd|' /C calc'!A0", "'-2+3", ""), ("''=ya marcado", "O'Brien", "")])
    listed = json.loads(_ok(salon(shop, "client", "list", "-f", "json")).stdout)
    assert sorted(c["first_name"] for c in listed) == sorted(first for first, _ in NAMES)


def test_a_neutralised_export_imports_back_exactly(shop, fresh_url, tmp_path):
    out = tmp_path / "clientes.csv"
    _ok(salon(shop, "export", "clients", "--output", str(out)))
    assert salon(fresh_url, *INIT).code == 0
    summary = json.loads(_ok(salon(fresh_url, *DESK, "import", "clients", str(out), "-f", "json")).stdout)
    assert summary["created"] == 3
    assert _names(fresh_url) == _names(shop)
    # and exporting the new salon again gives the same neutralised cells
    again = _table(_ok(salon(fresh_url, "export", "clients")).stdout)
    first = _table(out.read_text(encoding="utf-8"))
    keep = ("first_name", "last_name", "phone", "tags")
    assert [[r[k] for k in keep] for r in again] == [[r[k] for k in keep] for r in first]


def test_a_rejects_file_is_neutralised_and_imports_as_it_is(db_url, clock, tmp_path):
    assert salon(db_url, *INIT).code == 0
    source = tmp_path / "nuevos.csv"
    source.write_text('first_name,last_name,birthday\n"=HYPERLINK(""http://x"",""y"")",-2+3,not a day\n',
                      encoding="utf-8")
    _ok(salon(db_url, *DESK, "import", "clients", str(source), "--skip-bad"))
    rejects = tmp_path / "nuevos.rejected.csv"
    row = _table(rejects.read_text(encoding="utf-8"))[0]
    assert (row["first_name"], row["last_name"]) == ("'=HYPERLINK(\"http://x\",\"y\")", "'-2+3")
    fixed = rejects.read_text(encoding="utf-8").replace("not a day", "1990-01-02")
    rejects.write_text(fixed, encoding="utf-8")
    _ok(salon(db_url, *OWNER, "import", "clients", str(rejects)))
    assert [(c[0], c[1]) for c in _names(db_url)] == [('=HYPERLINK("http://x","y")', "-2+3")]
