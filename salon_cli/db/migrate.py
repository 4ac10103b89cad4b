"""Schema revisions (Alembic) as `salon` uses them: upgrade, current, and the check at start-up.

The check at start-up reads one row and compares it with `HEAD`, so ordinary commands never import
Alembic; a test keeps `HEAD` equal to the head of `salon_cli/migrations`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from salon_cli.core.errors import RuleViolation
from salon_cli.db.engine import is_sqlite, writer

HEAD = "0023_location_country"
_LOCK_KEY = 0x5A1_0000  # advisory lock that serialises migrations on PostgreSQL


def alembic_config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config  # start-up: alembic loads only to migrate

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("salon_cli") / "migrations"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory  # start-up: alembic loads only to migrate

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory  # start-up: alembic loads only to migrate

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to `revision`; returns (before, after). Safe to run twice at once."""
    from alembic import command  # start-up: alembic loads only to migrate

    before = current_revision(engine)
    with writer(engine).connect() as conn, sqlite_foreign_keys_off(conn):
        with conn.begin():
            if not is_sqlite(engine):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            command.upgrade(alembic_config(conn), revision)
            check_foreign_keys(conn)
    return before, current_revision(engine)


@contextmanager
def sqlite_foreign_keys_off(conn: sa.Connection) -> Iterator[None]:
    """SQLite batch migrations copy a table, drop it and rename the copy: with foreign keys on, the
    drop fails as soon as other rows point at the table. The pragma only changes outside a
    transaction, so it is set on the raw connection before ours begins, and set back after."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(conn: sa.Connection) -> None:
    """With the checks off during a SQLite migration, prove no reference was broken before committing."""
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuleViolation(f"migration left {len(broken)} broken references (first: {tuple(broken[0])})")


def ensure_current(engine: Engine, *, auto_upgrade: bool) -> None:
    """Refuse to work on a database whose schema is not the one this `salon` knows (exit 1)."""
    rev = current_revision(engine)
    if rev == HEAD:
        return
    if rev is not None and rev not in known_revisions():
        raise RuleViolation(
            f"the database is at schema revision {rev}, newer than this salon knows",
            hint="upgrade salon on this machine",
        )
    if auto_upgrade:
        upgrade(engine)
        return
    if rev is None:
        raise RuleViolation(
            "the database has no salon schema", hint="run: salon db upgrade, then salon init ..."
        )
    raise RuleViolation(
        f"the database schema is at {rev}, behind {HEAD}", hint="run: salon db upgrade"
    )


def drop_everything(engine: Engine) -> None:
    """Remove every salon table and the revision marker (`demo --force`). Irreversible."""
    from sqlmodel import SQLModel  # start-up: the models load only to compare them

    import salon_cli.db.models  # noqa: F401

    with writer(engine).begin() as conn:
        SQLModel.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
