"""Clients a bookings file names only by another system's code, created by `--create-missing`, on
SQLite and PostgreSQL (`db_url`); and `client_codes`' API as any import's rows use it.

The clock is Saturday 2026-11-21 11:00 in Mexico City. `tests/shop.py` gives the team (ana, beto; marco
a manager, sofia at the desk), corte and tinte, and Ximena (phone 5512345678).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from cli_helpers import salon as run_salon
from salon_cli.db.uow import UnitOfWork
from salon_cli.io.tabular import ImportRefused
from shop import make_shop

MARCO = ["--as", "marco", "--pin", "2222"]
BOOKINGS = (
    "Ref,Client,Service,Staff,Date,Time,Status\n"
    "K-1,PERA01,corte,ana,2026-10-02,10:00,done\n"
    "K-2,PERA01,tinte,ana,2026-10-20,16:00,no show\n"
    "K-3,NEWB7,corte,beto,2026-10-20,11:00,done\n"
    "K-4,PERA01,corte,ana,2026-11-25,10:00,\n"
    "K-5,5512345678,corte,beto,2026-11-26,10:00,\n"  # Ximena, by her phone
)


def _do(engine, fn):
    from salon_cli.services.salon import locations

    with UnitOfWork(engine) as uow:
        result = fn(uow.session, locations.resolve(uow.session, None))
        uow.commit()
    return result


def _import(engine, actor, text, **kw):
    from salon_cli.services.transfer import appt_import

    rows = appt_import.read(io.BytesIO(text.replace("Ref,", "external_id,", 1).encode()))
    return _do(engine, lambda s, loc: appt_import.import_appointments(s, actor=actor, location=loc, rows=rows, **kw))


def _sql(engine, query):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def test_create_missing_makes_one_client_per_code(db_url, salon, engine, tmp_path):
    shop = make_shop(engine)
    path = tmp_path / "bookings.csv"
    path.write_text(BOOKINGS, encoding="utf-8")
    refused = run_salon(db_url, *MARCO, "import", "appointments", str(path), "--map", "Ref=external_id")
    assert refused.code == 2 and "row 2 column client: 'PERA01' is no client here" in refused.stderr
    # a manager's PIN, as for services and staff
    assert run_salon(db_url, "--as", "sofia", "import", "appointments", str(path), "--map", "Ref=external_id",
                     "--create-missing").code == 3
    dry = _import(engine, shop.marco, BOOKINGS, create_missing=True, dry_run=True)
    assert [(c.kind, c.code, c.name) for c in dry.created] == [("client", "PERA01", "PERA01"), ("client", "NEWB7", "NEWB7")]
    assert [p.record for p in dry.plan][:3] == ["2026-10-02 10:00 ana corte (new client PERA01, completed)",
                                                "2026-10-20 16:00 ana tinte (new client PERA01, no_show)",
                                                "2026-10-20 11:00 beto corte (new client NEWB7, completed)"]
    assert _sql(engine, "SELECT count(*) FROM client") == [(2,)]

    run = run_salon(db_url, *MARCO, "import", "appointments", str(path), "--map", "Ref=external_id", "--create-missing",
                    "-f", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["created"] == 5
    made = _sql(engine, "SELECT id, first_name, last_name, external_code, no_show_count FROM client "
                        "WHERE external_code IS NOT NULL ORDER BY id")
    assert [m[1:] for m in made] == [("PERA01", "", "PERA01", 1), ("NEWB7", "", "NEWB7", 0)]
    ids = {m[3]: m[0] for m in made}
    assert _sql(engine, "SELECT external_id, client_id FROM appointment WHERE external_id IS NOT NULL "
                        "ORDER BY external_id") == [("K-1", ids["PERA01"]), ("K-2", ids["PERA01"]),
                                                    ("K-3", ids["NEWB7"]), ("K-4", ids["PERA01"]), ("K-5", shop.ximena)]
    # audited (whose code, from which row) and found by search
    log = json.loads(run_salon(db_url, *MARCO, "audit", "--entity", "client", "-f", "json").stdout)
    assert sorted((e["entity_id"], e["after"]["import_row"], e["actor"]) for e in log
                  if e["action"] == "client.add" and e["after"].get("named_by") == "client code") == [
        (ids["PERA01"], 2, "marco"), (ids["NEWB7"], 4, "marco")]
    found = json.loads(run_salon(db_url, "client", "search", "PERA01", "-f", "json").stdout)
    assert [c["id"] for c in found] == [ids["PERA01"]]
    # the same file again: found by their codes, nothing twice
    again = run_salon(db_url, *MARCO, "import", "appointments", str(path), "--map", "Ref=external_id",
                      "--create-missing", "-f", "json")
    assert (json.loads(again.stdout)["created"], json.loads(again.stdout)["unchanged"]) == (0, 5)
    assert _sql(engine, "SELECT count(*) FROM client") == [(4,)]


def test_only_codes_are_created(db_url, salon, engine):
    shop = make_shop(engine)
    text = ("Client,Service,Staff,Date,Time\n"
            "nadie@example.com,corte,ana,2026-11-25,10:00\n"
            "55 9876 5432,corte,ana,2026-11-25,11:00\n"
            "Ana Pérez,corte,ana,2026-11-25,12:00\n"
            "OK-1,corte,ana,2026-11-25,13:00\n")
    with pytest.raises(ImportRefused) as refused:
        _import(engine, shop.marco, text, create_missing=True)
    rule = "--create-missing creates a client only from a code (a client code is one word, no '@', not a phone " \
           "number, at most 64 characters)"
    assert [(f.row, f.problem) for f in refused.value.faults] == [
        (2, f"'nadie@example.com' is no client here (by id, phone, e-mail or external code); {rule}"),
        (3, f"'55 9876 5432' is no client here (by id, phone, e-mail or external code); {rule}"),
        (4, f"'Ana Pérez' is no client here (by id, phone, e-mail or external code); {rule}")]
    assert _sql(engine, "SELECT count(*) FROM client") == [(2,)]


@dataclass(eq=False)
class _Line:
    """A receipt's row as `sale_import_rows.Row` carries its client: what `client_codes` reads."""

    number: int
    values: dict[str, str]
    clients: list[tuple[str, str, Any]]
    client_column: str = "client"
    client_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def test_the_api_any_import_uses(db_url, salon, engine):
    from salon_cli.services.transfer import appt_import
    from salon_cli.services.transfer.client_codes import create_clients, find_clients

    shop = make_shop(engine)

    def line(n, code):
        return _Line(n, {"client": code}, [("client", "external_code", code)])

    lines = [line(2, "R-CLI1"), line(3, "R-CLI2"), line(4, "R-CLI1")]

    def run(s, loc):
        assert [f.problem for f in appt_import._resolve_clients(s, lines)] == [  # the old call: faults only
            "'R-CLI1' is no client here (by id, phone, e-mail or external code)",
            "'R-CLI2' is no client here (by id, phone, e-mail or external code)",
            "'R-CLI1' is no client here (by id, phone, e-mail or external code)"]
        faults, new = find_clients(s, lines, create_missing=True)
        stand_ins = [x.client_id for x in lines]
        made = create_clients(s, actor=shop.marco, location=loc, new=new)
        return faults, stand_ins, [x.client_id for x in lines], [(m.kind, m.code) for m in made]

    faults, stand_ins, ids, made = _do(engine, run)
    assert faults == [] and made == [("client", "R-CLI1"), ("client", "R-CLI2")]
    assert stand_ins == [-1, -2, -1]  # one stand-in per code until written: a receipt's one client holds
    assert ids[0] == ids[2] != ids[1] and min(ids) > 0
    assert _sql(engine, f"SELECT external_code FROM client WHERE id IN ({ids[0]}, {ids[1]}) ORDER BY id") == [
        ("R-CLI1",), ("R-CLI2",)]
