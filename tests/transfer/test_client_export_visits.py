"""`salon export clients` carries each client's visit figures (`visits`, `total_spent_cents`, `first_visit`,
`last_visit`) as `client list` and `client show` count them, and a re-import of the export ignores those
read-only columns; on SQLite and PostgreSQL (`db_url`).

The salon is `tests/shop.py`'s (America/Mexico_City, MXN; the clock at 2026-11-21 11:00 there): Ximena
with today's 12:00 corte (350.00) with ana; Pedro with nothing.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_helpers import INIT, OWNER, SOFIA, js, ok
from shop import book, make_shop

VISIT_COLUMNS = ["visits", "total_spent_cents", "first_visit", "last_visit"]


@pytest.fixture
def visited(engine, salon, db_url, clock):
    """Ximena: a visit on 2026-11-21 (corte, 350.00 cash) and one on 2026-11-28 (tinte, 800.00 + a 50.00 tip)."""
    shop = make_shop(engine)
    js(db_url, *SOFIA, "checkout", str(shop.appt), "--pay", "cash")
    clock.advance(days=7)
    second = book(engine, shop, at="2026-11-28 12:00", services=("tinte",))
    js(db_url, *SOFIA, "checkout", str(second), "--pay", "card", "--tip", "50")
    return db_url, shop


def _export(url, fmt):
    return ok(url, "export", "clients", "--format", fmt).stdout


def test_the_export_carries_the_figures_of_client_list_and_show(visited):
    url, shop = visited
    listed = {c["id"]: c for c in js(url, "client", "list")}
    doc = {c["id"]: c for c in json.loads(_export(url, "json"))}
    lines = {c["id"]: c for c in map(json.loads, _export(url, "ndjson").splitlines())}
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(_export(url, "csv")))}
    assert doc == lines and set(doc) == set(rows) == set(listed) == {shop.ximena, shop.pedro}
    x = doc[shop.ximena]
    assert (x["visits"], x["total_spent_cents"], x["first_visit"], x["last_visit"]) == (
        2, 35000 + 80000, "2026-11-21", "2026-11-28")  # tips aside, exact to the cent
    for cid, record in doc.items():
        shown = js(url, "client", "show", str(cid))
        assert record["visits"] == listed[cid]["visits"] == shown["visits"]
        assert record["total_spent_cents"] == listed[cid]["total_spent_cents"] == shown["total_spent_cents"]
        assert record["first_visit"] == (shown["first_visit_at"] or "")[:10] or record["first_visit"] is None
        assert record["last_visit"] == (listed[cid]["last_visit_at"] or "")[:10] or record["last_visit"] is None
    p = doc[shop.pedro]
    assert (p["visits"], p["total_spent_cents"], p["first_visit"], p["last_visit"]) == (0, 0, None, None)
    assert [rows[shop.ximena][c] for c in VISIT_COLUMNS] == ["2", "115000", "2026-11-21", "2026-11-28"]
    assert [rows[shop.pedro][c] for c in VISIT_COLUMNS] == ["0", "0", "", ""]
    header = next(csv.reader(io.StringIO(_export(url, "csv"))))
    assert header[13:18] == [*VISIT_COLUMNS, "notes"]  # the profile's parts (migration 0021) come after them


def test_a_reimport_of_the_export_ignores_the_figures(visited, fresh_url, tmp_path):
    url, shop = visited
    path = tmp_path / "clients.csv"
    path.write_text(_export(url, "csv"), encoding="utf-8")
    # into a new salon: the clients come, their visits do not (they are the salon's own records)
    ok(fresh_url, *INIT)
    summary = js(fresh_url, *OWNER, "import", "clients", str(path))
    assert (summary["created"], summary["refused"]) == (2, 0)
    moved = {c["first_name"]: c for c in json.loads(_export(fresh_url, "json"))}
    assert [moved["Ximena"][c] for c in VISIT_COLUMNS] == [0, 0, None, None]
    # into the same salon: both found, nothing created, nothing changed
    before = json.loads(_export(url, "json"))
    again = js(url, *OWNER, "import", "clients", str(path))
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert json.loads(_export(url, "json")) == before
