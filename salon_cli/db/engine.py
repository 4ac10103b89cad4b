"""Engines for SQLite and PostgreSQL, configured the way concurrent front desks need them.

SQLite: WAL, a busy timeout, foreign keys on, and `BEGIN IMMEDIATE` for transactions that write:
a deferred transaction that reads and then writes fails at once with "database is locked" when
another writer got there first, while an immediate one waits its turn for the write lock.
PostgreSQL: psycopg 3; row locks (`FOR UPDATE`) and advisory locks are taken by the services.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from salon_cli.core.errors import InvalidInput
from salon_cli.core.redact import redact_url
from salon_cli.io.private_files import prepare_sqlite_file

BUSY_TIMEOUT_MS = 30_000
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
_FENCES: weakref.WeakKeyDictionary[Engine, Callable[[], Exception]] = weakref.WeakKeyDictionary()
WRITE = "salon_write"


def normalize_url(url: str) -> str:
    """Accept `sqlite:///file.db` and `postgresql://...` (psycopg 3 is the driver we ship)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"database URL {redact_url(url)!r} is not valid", hint="sqlite:///salon.db or postgresql+psycopg://user@host/db") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgresql" and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url
    raise InvalidInput(
        f"database URL {redact_url(url)!r} is not SQLite or PostgreSQL (psycopg)",
        hint="sqlite:///salon.db or postgresql+psycopg://user@host/db",
    )


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(url: str) -> Path | None:
    db = make_url(url).database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            prepare_sqlite_file(path)  # a new database 0600 in folders made 0700 (salon_cli/io/private_files.py)
        engine = sa.create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, **kwargs)
        # start-up: the models load here only for PostgreSQL (a SQLite command may never need them)
        from salon_cli.db.models import partial_indexes_for_postgresql

        partial_indexes_for_postgresql()
    _ENGINES.add(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own is always deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        # 16 MB of pages rather than SQLite's 2 MB: a bulk write (an import's 100,000 lines, a few hundred
        # thousand index entries) read pages back from the OS again and again, half again its system time;
        # pages are only taken as they are read, so a small database costs no more
        cur.execute("PRAGMA cache_size = -16384")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine, *, fenced: bool = True) -> Engine:
    """The same engine (same pool), marked so that its transactions take the write lock up front.

    Refused, before anything is sent, on an engine behind a fence (`fence_writes`) unless `fenced` is
    False (proving who acts, whose writes are a failed PIN's count and its audit row)."""
    refusal = _FENCES.get(engine) if fenced else None
    if refusal is not None:
        raise refusal()
    return engine.execution_options(**{WRITE: True})


def fence_writes(engine: Engine, refusal: Callable[[], Exception]) -> None:
    """Refuse every transaction that writes on `engine` from now on, with the error `refusal()` makes
    (cli/context.py: SALON_NOW set where the database does not allow a clock override)."""
    _FENCES[engine] = refusal


def check_writable(engine: Engine) -> None:
    """Raise now what a write on `engine` would raise (a command that is about to change data)."""
    writer(engine)


def dispose_all() -> None:
    """Close every pooled connection of every engine made here (tests drop databases after)."""
    for engine in list(_ENGINES):
        engine.dispose()
    _ENGINES.clear()
