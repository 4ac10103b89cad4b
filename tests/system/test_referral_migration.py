"""Migration 0021 turns the referrals recorded before it (`loyalty_account.referred_by_id`) into `referral`
rows: `rewarded` where the referrer's bonus entry (`referral:client:{referred}`) exists, else `pending`;
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from salon_cli.db import migrate
from salon_cli.db.engine import make_engine

pytestmark = pytest.mark.empty_database  # what a database with no schema does


def _insert(conn, table: str, **values):
    cols = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    return conn.execute(sa.text(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id"), values).scalar()


def test_0021_makes_rows_of_the_old_referrals(db_url):
    from alembic import command

    engine = make_engine(db_url)
    at = "2026-10-01 15:00:00+00:00"
    with migrate.writer(engine).begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0020_moving_in")
        loc = _insert(conn, "location", code="c", name="C", timezone="UTC", currency="MXN", active=True, created_at=at)
        ids = [_insert(conn, "client", first_name=name, last_name="X", name_key=name.lower(), marketing_consent=False,
                       no_show_count=0, deposit_required=False, created_at=at)
               for name in ("Ximena", "Pedro", "Rosa", "Lola")]
        ximena, pedro, rosa, lola = ids
        accounts = {}
        for client, referred_by in ((ximena, None), (pedro, ximena), (rosa, ximena), (lola, None)):
            accounts[client] = _insert(conn, "loyalty_account", client_id=client, points=0, stamps=0,
                                       lifetime_points=0, tier="bronze", referred_by_id=referred_by,
                                       enrolled_at=at, enrolled_location_id=loc, last_activity_at=at, updated_at=at)
        # Pedro's first sale was paid: Ximena's bonus entry exists; Rosa has not bought yet
        paid_at = "2026-10-05 16:00:00+00:00"
        _insert(conn, "loyalty_entry", account_id=accounts[ximena], kind="referral", points=100, stamps=0,
                key=f"referral:client:{pedro}", reason=f"referred client {pedro}", location_id=loc, created_at=paid_at)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT referrer_id, referred_id, status, code, expires_on, rewarded_at, location_id"
                                    " FROM referral ORDER BY referred_id")).all()
    engine.dispose()
    assert [(r.referrer_id, r.referred_id, r.status, r.code, r.expires_on, r.location_id) for r in rows] == [
        (ximena, pedro, "rewarded", None, None, loc),
        (ximena, rosa, "pending", None, None, loc),
    ]
    assert rows[0].rewarded_at is not None and rows[1].rewarded_at is None
