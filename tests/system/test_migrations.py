"""Schema revisions: head constant, no drift, refusing a database that is behind or ahead."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cli_helpers import INIT, salon
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine

pytestmark = pytest.mark.empty_database  # what a database with no schema does


def test_head_constant_matches_the_scripts():
    assert migrate.script_heads() == (migrate.HEAD,)


def test_models_and_migrations_do_not_drift(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import salon_cli.db.models  # noqa: F401

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(engine):
    from alembic import command

    with migrate.writer(engine).begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "base")
    assert migrate.current_revision(engine) is None
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD


def test_fresh_init_then_db_check_exits_0(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    run = salon(db_url, "db", "check")
    assert run.code == 0, run.stderr
    assert "at head" in run.stderr
    current = salon(db_url, "db", "current", "-f", "json")
    assert '"at_head": true' in current.stdout


def test_explicit_database_behind_head_is_refused_with_a_hint(db_url):
    make_engine(db_url).dispose()  # exists, but empty
    run = salon(db_url, "staff", "list")
    assert run.code == 1
    assert run.stderr.startswith("error: the database has no salon schema")
    assert "hint: run: salon db upgrade" in run.stderr
    assert salon(db_url, "db", "check").code == 1
    up = salon(db_url, "db", "upgrade", "-f", "json")
    assert up.code == 0 and f'"after": "{migrate.HEAD}"' in up.stdout
    assert salon(db_url, "db", "check").code == 0
    again = salon(db_url, "db", "upgrade")
    assert again.code == 0 and "already at head" in again.stderr


def test_database_newer_than_this_salon_is_refused(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    run = salon(db_url, "staff", "list")
    assert run.code == 1
    assert "newer than this salon knows" in run.stderr


def test_default_sqlite_database_upgrades_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("SALON_HOME", str(tmp_path / "home"))
    run = salon(None, "staff", "list")
    # nothing is created by a command that only uses the database (issue 31); `init` makes it
    assert run.code == 1
    assert "not initialised" in run.stderr and "salon init" in run.stderr
    assert not (tmp_path / "home" / "salon.db").exists()
    assert salon(None, *INIT).code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'salon.db'}")
    from alembic import command

    with migrate.writer(engine).begin() as conn:  # behind head: the default database upgrades itself when used
        command.downgrade(migrate.alembic_config(conn), "0021_client_record")
    assert migrate.current_revision(engine) == "0021_client_record"
    engine.dispose()
    assert salon(None, "staff", "list").code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'salon.db'}")
    assert migrate.current_revision(engine) == migrate.HEAD
    engine.dispose()


def test_migrations_ship_inside_the_package():
    from importlib import resources

    versions = resources.files("salon_cli") / "migrations" / "versions"
    assert any(p.name.startswith(migrate.HEAD) for p in versions.iterdir())
    assert (resources.files("salon_cli") / "migrations" / "env.py").is_file()


def test_a_database_one_revision_behind_is_refused_then_upgraded(db_url, clock):
    from alembic import command

    engine = make_engine(db_url)
    with migrate.writer(engine).begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001_foundation")
    engine.dispose()
    run = salon(db_url, "staff", "list")
    assert run.code == 1
    assert run.stderr.splitlines() == [
        f"error: the database schema is at 0001_foundation, behind {migrate.HEAD}", "hint: run: salon db upgrade",
    ]
    assert salon(db_url, "db", "check").code == 1
    assert salon(db_url, "db", "upgrade").code == 0
    assert salon(db_url, "db", "check").code == 0


def test_upgrading_existing_clients_fills_their_name_keys(db_url):
    from alembic import command

    engine = make_engine(db_url)
    with migrate.writer(engine).begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0002_programs")
        conn.execute(sa.text(
            "INSERT INTO client (first_name, last_name, marketing_consent, no_show_count, deposit_required, created_at)"
            " VALUES ('José', 'MUÑOZ  Ibáñez', false, 0, false, CURRENT_TIMESTAMP)"))
        # rows pointing at the client: SQLite's table copy must not trip over them
        conn.execute(sa.text("INSERT INTO location (code, name, timezone, currency, active, created_at)"
                             " VALUES ('c', 'C', 'UTC', 'MXN', true, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO staff (code, name, role, pin_hash, failed_pins, commission_bp, active, created_at)"
                             " VALUES ('a', 'A', 'owner', 'x', 0, 0, true, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO service (location_id, code, name, duration_min, price_cents, active, created_at)"
                             " VALUES (1, 's', 'S', 30, 100, true, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text(
            "INSERT INTO appointment (location_id, client_id, staff_id, service_id, starts_at, ends_at, status,"
            " price_cents, deposit_cents, walk_in, created_at) VALUES (1, 1, 1, 1, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 'completed', 100, 0, false, CURRENT_TIMESTAMP)"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name_key FROM client")).scalar() == "jose munoz ibanez"
        assert conn.execute(sa.text("SELECT client_id FROM appointment")).scalar() == 1
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_0006_keeps_one_program_and_one_set_of_plans_for_the_business(engine, salon):
    """A database of 0005 had a program and plans per location; 0006 keeps the first location's."""
    from alembic import command

    with migrate.writer(engine).begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0005_sales")
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT id, location_id FROM loyalty_program")).all() == [(1, 1)]
        conn.execute(sa.text("INSERT INTO location (code, name, timezone, currency, active, created_at) "
                             "VALUES ('norte', 'Norte', 'America/Mexico_City', 'MXN', true, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO loyalty_program (id, location_id, type, stamps_target, stamps_reward, "
                             "points_per_unit, min_purchase_cents, welcome_bonus, referral_bonus, min_redemption, "
                             "cooldown_minutes, max_daily_stamps, require_pin, tiers, active, updated_at) "
                             "SELECT 2, 2, 'stamps', stamps_target, stamps_reward, points_per_unit, min_purchase_cents, "
                             "welcome_bonus, referral_bonus, min_redemption, cooldown_minutes, max_daily_stamps, "
                             "require_pin, tiers, active, updated_at FROM loyalty_program"))
        conn.execute(sa.text("INSERT INTO membership_plan (location_id, code, tier, name, monthly_price_cents, "
                             "monthly_credits, discount_bp, benefits, active, created_at) SELECT 2, code, tier, name, "
                             "1, monthly_credits, discount_bp, benefits, active, created_at FROM membership_plan"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, type FROM loyalty_program")).all() == [(1, "points")]
        plans = conn.execute(sa.text("SELECT code, monthly_price_cents FROM membership_plan ORDER BY id")).all()
    assert plans == [("gold", 50000), ("black", 90000), ("vip", 150000)]


def test_partial_indexes_match_the_database(engine):
    """Each model's partial index has the migrated database's own condition, on both databases (the
    PostgreSQL half is attached when a PostgreSQL engine is made, not at import)."""
    from sqlalchemy.schema import CreateIndex

    from salon_cli.db.models import _PARTIAL

    assert len(_PARTIAL) == 5
    with engine.connect() as conn:
        for index, where in _PARTIAL:
            ddl = str(CreateIndex(index).compile(dialect=engine.dialect))
            assert ddl.endswith(f"WHERE {where}"), ddl
            if engine.dialect.name == "sqlite":
                stored = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": index.name}).scalar_one()
            else:
                stored = conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": index.name}).scalar_one()
            assert "WHERE" in stored and (" UNIQUE " in f" {stored} ") == bool(index.unique), stored
