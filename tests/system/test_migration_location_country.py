"""Migration 0023 (issue 31): `location.country` is filled from each location's zone where CLDR puts the
zone in a country (an old zone name through its alias); a zone of no country leaves it NULL. The
clients' phones are not touched. A downgrade drops the column. Both databases.
"""

from __future__ import annotations

import sqlalchemy as sa

from cli_helpers import INIT, OWNER, ok, salon
from salon_cli.db import migrate


def _alembic(engine, how: str, revision: str) -> None:
    from alembic import command

    with migrate.writer(engine).begin() as conn:
        getattr(command, how)(migrate.alembic_config(conn), revision)


def test_0023_fills_the_country_from_the_zone_and_leaves_the_phones(db_url, engine, clock):
    ok(db_url, *INIT)
    ok(db_url, *OWNER, "client", "add", "--first", "Ana", "--last", "Ruiz", "--phone", "55 1234 5678")
    _alembic(engine, "downgrade", "0022_benefits")
    assert "country" not in {c["name"] for c in sa.inspect(engine).get_columns("location")}
    with engine.begin() as conn:
        for code, zone in (("canarias", "Atlantic/Canary"), ("utc", "UTC"), ("viejo", "US/Eastern"),
                           ("nada", "Etc/GMT+5")):
            conn.execute(sa.text("INSERT INTO location (code, name, timezone, currency, active, created_at) "
                                 "VALUES (:c, :c, :z, 'MXN', true, CURRENT_TIMESTAMP)"), {"c": code, "z": zone})
        conn.execute(sa.text("UPDATE client SET phone = '+15551234567'"))  # accepted by the old tables
    _alembic(engine, "upgrade", "0023_location_country")
    with engine.connect() as conn:
        countries = dict(conn.execute(sa.text("SELECT code, country FROM location")).all())
        assert conn.execute(sa.text("SELECT phone FROM client")).scalar_one() == "+15551234567"
    assert countries == {"centro": "MX", "canarias": "ES", "utc": None, "viejo": "US", "nada": None}
    assert salon(db_url, "db", "check", "--data").code == 1  # reported, not rewritten
    _alembic(engine, "downgrade", "0022_benefits")
    assert "country" not in {c["name"] for c in sa.inspect(engine).get_columns("location")}
    _alembic(engine, "upgrade", "head")
    assert migrate.current_revision(engine) == migrate.HEAD
    engine.dispose()
