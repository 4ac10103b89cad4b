"""Migration 0021 and the client's profile in parts (issue 30): from 0020_moving_in, the one-line
address moves to `street`, the emergency contact ("Ana Pérez 55 1234 5678") into its name and phone
(E.164 when it reads as a number of the location's country, else as written), a preferred stylist
becomes the first of the ordered list, and the old columns are dropped. A downgrade puts them back,
filled from the parts. Both databases.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import INIT, OWNER, salon
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine

DESK = ["--as", "lucia"]


def _id(run) -> int:
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)["id"]


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def _alembic(engine, how: str, revision: str) -> None:
    from alembic import command

    with migrate.writer(engine).begin() as conn:
        getattr(command, how)(migrate.alembic_config(conn), revision)


def test_0021_moves_the_one_line_columns_into_the_parts_and_back(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    run = salon(db_url, *OWNER, "staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444")
    assert run.code == 0, run.stderr
    parted = _id(salon(db_url, *DESK, "client", "add", "--first", "Ximena", "--last", "Jiménez", "--street",
                       "Av. Juárez 10", "--city", "CDMX", "--postal-code", "06050", "--country", "MX",
                       "--emergency-name", "Rosa", "--emergency-phone", "55 8765 4321", "-f", "json"))
    assert salon(db_url, *DESK, "client", "prefs", str(parted), "--staff", "ana", "--staff", "lucia").code == 0
    others = [_id(salon(db_url, *DESK, "client", "add", "--first", f"C{i}", "--last", "X", "-f", "json"))
              for i in range(5)]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ana, lucia = (conn.execute(sa.text("SELECT id FROM staff WHERE code = :c"), {"c": c}).scalar_one()
                      for c in ("ana", "lucia"))

    # down to 0020: the old columns are back, filled from the parts
    _alembic(engine, "downgrade", "0020_moving_in")
    assert {"address", "emergency_contact"} <= _columns(engine, "client")
    assert "street" not in _columns(engine, "client") and "preferred_staff_id" in _columns(engine, "client_pref")
    assert "client_preferred_staff" not in sa.inspect(engine).get_table_names()
    with engine.begin() as conn:
        got = conn.execute(sa.text("SELECT address, emergency_contact FROM client WHERE id = :i"), {"i": parted}).one()
        assert tuple(got) == ("Av. Juárez 10, CDMX, 06050, MX", "Rosa +525587654321")
        assert conn.execute(sa.text("SELECT preferred_staff_id FROM client_pref WHERE client_id = :i"),
                            {"i": parted}).scalar_one() == ana
        # rows as a database of 0020 holds them
        b, c, d, e, f = others
        for cid, address, contact in (
                (b, "  Calle 5 de Mayo 12,  Centro, Puebla ", "Ana Pérez 55 1234 5678"),
                (c, None, "Mamá: +34 612 345 678"),
                (d, None, "Pedro 123-456"),
                (e, "Av. Reforma 222", "Tía Lupe"),
                (f, None, None)):
            conn.execute(sa.text("UPDATE client SET address = :a, emergency_contact = :c WHERE id = :i"),
                         {"a": address, "c": contact, "i": cid})
        conn.execute(sa.text("INSERT INTO client_pref (client_id, channel, reminder, preferred_staff_id, "
                             "preferred_services, updated_at) VALUES (:i, NULL, '24h', :s, '[]', CURRENT_TIMESTAMP)"),
                     {"i": b, "s": lucia})

    # up to head: the data moves into the parts, the old columns are dropped
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD
    assert not {"address", "emergency_contact"} & _columns(engine, "client")
    assert "preferred_staff_id" not in _columns(engine, "client_pref")
    with engine.connect() as conn:
        rows = {r.id: (r.street, r.city, r.emergency_name, r.emergency_phone) for r in conn.execute(sa.text(
            "SELECT id, street, city, emergency_name, emergency_phone FROM client"))}
        assert rows[parted] == ("Av. Juárez 10, CDMX, 06050, MX", None, "Rosa", "+525587654321")
        assert rows[b] == ("Calle 5 de Mayo 12, Centro, Puebla", None, "Ana Pérez", "+525512345678")
        assert rows[c] == (None, None, "Mamá", "+34612345678")
        assert rows[d] == (None, None, "Pedro", "123-456")  # not a phone of the location's country: as written
        assert rows[e] == ("Av. Reforma 222", None, "Tía Lupe", None)
        assert rows[f] == (None, None, None, None)
        preferred = conn.execute(sa.text(
            "SELECT client_id, staff_id, position FROM client_preferred_staff ORDER BY client_id")).all()
        assert [tuple(p) for p in preferred] == [(parted, ana, 1), (b, lucia, 1)]

        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        from sqlmodel import SQLModel

        import salon_cli.db.models  # noqa: F401

        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []
    engine.dispose()

    # and the salon reads them
    card = json.loads(salon(db_url, "client", "show", str(b), "-f", "json").stdout)
    assert (card["emergency_name"], card["emergency_phone"]) == ("Ana Pérez", "+525512345678")
    assert card["prefs"]["preferred_staff_codes"] == ["lucia"]
