"""Alembic environment: the same for `alembic ...` (developers) and `salon db ...` (users).

`salon` hands over its own connection in `config.attributes["connection"]`. The `alembic` command
finds the database in `-x url=...`, else `SALON_DATABASE_URL`, else the default SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import salon_cli.db.models  # noqa: F401  (registers the tables)
from salon_cli.db.engine import make_engine, writer
from salon_cli.db.migrate import check_foreign_keys, sqlite_foreign_keys_off

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from salon_cli.settings import Settings

    return Settings.from_env().database_url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with writer(engine).connect() as conn, sqlite_foreign_keys_off(conn):
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
            check_foreign_keys(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
