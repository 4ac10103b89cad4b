"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every database test.

`SALON_TEST_POSTGRES_URL` names a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/postgres);
each test gets a throwaway database on it, dropped afterwards. Under CI the variable is required:
a PostgreSQL test never skips there.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

from salon_cli.core import clock as clock_module
from salon_cli.core.clock import FixedClock

# the `stripe_standin` fixture: a local stand-in of Stripe's API for every test that asks for it;
# `mail_server` (a real SMTP server, aiosmtpd) and `twilio` (a stand-in of Twilio's Messages API)
pytest_plugins = ["stripe_standin", "message_standins"]

PG_ENV = "SALON_TEST_POSTGRES_URL"
# This run's mark in the name of every database it makes (salon_test_<run>_..., salon_fault_<run>_...):
# set once by the first process (the controller under xdist) and inherited by the workers, so that the
# controller drops what an interrupted worker left behind (`pytest_sessionfinish`), and only this run's.
RUN = os.environ.setdefault("SALON_TEST_RUN", uuid.uuid4().hex[:8])


def database_name(kind: str = "test") -> str:
    return f"salon_{kind}_{RUN}_{uuid.uuid4().hex[:12]}"


def _cheap_pins() -> None:
    """PINs hashed by the tests cost scrypt N=2**10 instead of the product's 2**14 (95 ms a hash or a check
    on this machine, against 6 ms): every salon a test makes hashes its staff's PINs, and every `--pin`
    checks one, tens of thousands in the suite. Each hash carries its own cost (`core.pins`), so a PIN is
    checked at the cost it was hashed with, as in the product; a database made by `salon init` in a
    process of its own keeps the product's cost."""
    from salon_cli.core import pins

    pins._N = 2**10


_cheap_pins()


def _keep_commands() -> None:
    """Typer's CliRunner makes the click command of the whole tree at every call (0.2 s for this tree,
    thousands of calls in the suite): make it once per Typer app and process. The tree is not changed
    after it is built, and every option is still read at each call."""
    import typer.testing

    made: dict[int, tuple[object, object]] = {}
    make = typer.testing._get_command

    def kept(app):  # type: ignore[no-untyped-def]
        entry = made.get(id(app))
        if entry is None or entry[0] is not app:
            entry = made[id(app)] = (app, make(app))  # the app held: its id is never reused
        return entry[1]

    typer.testing._get_command = kept


_keep_commands()

# Saturday 2026-11-21, 11:00 in Mexico City: the demo salon's usual "now" in tests.
DEFAULT_NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--soak", action="store_true", default=False,
                     help="the long soak: 400 operations per desk (tests/system/test_soak.py) instead of 20")


def _pg_server_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: under CI the PostgreSQL tests must run", pytrace=False)
        pytest.skip(f"{PG_ENV} not set (CI sets it)")
    return url


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# The tests' commits on PostgreSQL do not wait for the server's disk flush (libpq reads PGOPTIONS, so the
# `salon` processes tests start inherit it): 9 ms a commit becomes 0.2 ms on this machine. Only a crash of
# the server itself could lose the last commits, and no test crashes the server.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")


class _Dropper:
    """Drops throwaway databases on a thread of its own: DROP DATABASE waits for a checkpoint (a second or
    more while the other worker writes), which the next test need not wait for. `finish` (end of the
    session, and at exit) waits until every one is gone."""

    def __init__(self) -> None:
        import queue

        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def drop(self, admin: str, name: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
            self._thread.start()
            atexit.register(self.finish)
        self._queue.put((admin, name))

    def _run(self) -> None:
        import psycopg

        while (item := self._queue.get()) is not None:
            admin, name = item
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - said, and the next one still goes
                print(f"could not drop the test database {name}: {exc}", file=sys.stderr)

    def finish(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None


DROPPER = _Dropper()


def pytest_sessionfinish(session) -> None:
    POOL.close()  # and waits for every drop
    if not hasattr(session.config, "workerinput"):  # the controller (or the only process): after the workers
        _sweep()


def _sweep() -> None:
    """Drop every database this run made that is still there: a worker stopped in the middle of its
    drops (xdist interrupts a worker at the end, Ctrl-C, a crash) leaves its databases to this."""
    server = _pg_server_url()
    if not server:
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = _psycopg_url(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            left = [row[0] for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"salon\\_%\\_{RUN}\\_%",))]
            for name in left:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # noqa: BLE001 - said; the run's result stands
        print(f"could not drop this run's test databases: {exc}", file=sys.stderr)


@contextmanager
def throwaway_database(server: str, template: str | None = None) -> Iterator[str]:
    """A new database on the PostgreSQL server at `server` (any driver), empty or a copy of `template`,
    dropped afterwards (on the dropping thread)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = database_name()
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(_psycopg_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = make_url(server).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        DROPPER.drop(_psycopg_url(admin), name)


_AT_HEAD: set[str] = set()  # the databases at schema head: SQLite copies of head_sqlite, PostgreSQL ones from the pool

# A database's schema, said in one digest: its tables, columns and types, constraints, indexes,
# sequences, functions, triggers and the Alembic revision. A test that changed any of these (a
# downgrade, a dropped column) leaves a database that is not the template's: it is dropped, not reused.
_SCHEMA_DIGEST = """
SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
  SELECT c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text AS x
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT c.relname || ':' || c.relkind::text FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT 'c:' || conname || contype::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 'f:' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 't:' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL SELECT 'v:' || version_num FROM alembic_version
) s
"""


class _Pool:
    """PostgreSQL databases at schema head, reused by the tests of this process: after a test its
    database is emptied (every row deleted, every sequence restarted, in one transaction) and waits for
    the next test, instead of being made from the template and dropped (1-2 s each under the suite's
    load, against about 0.1 s). A database whose schema the test changed, or that cannot be emptied,
    is dropped instead. `close` (end of the session, and at exit) drops the ones left."""

    def __init__(self) -> None:
        self._free: list[str] = []
        self._digest: str | None = None
        self._admin: str | None = None

    def take(self, server: str, template: str) -> str:
        from sqlalchemy.engine import make_url

        if self._free:
            return self._free.pop()
        name = database_name()
        self._admin = _psycopg_url(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False))
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            if self._digest is None:
                with psycopg.connect(self._on(name), autocommit=True) as fresh:
                    self._digest = fresh.execute(_SCHEMA_DIGEST).fetchone()[0]
        return make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)

    def _on(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self._admin).set(database=name).render_as_string(hide_password=False)

    def give_back(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        name = make_url(url).database or ""
        try:
            with psycopg.connect(self._on(name), autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                if conn.execute(_SCHEMA_DIGEST).fetchone()[0] != self._digest:
                    raise LookupError("the test changed the schema")
                tables = [r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
                sequences = [r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
                with conn.transaction():
                    conn.execute("SET LOCAL session_replication_role = replica")  # every row goes: no order
                    for table in tables:
                        conn.execute(f'DELETE FROM "{table}"')
                    for sequence in sequences:
                        conn.execute(f"SELECT setval('\"{sequence}\"', 1, false)")
        except Exception:  # noqa: BLE001 - not reusable: dropped, and the next test gets a new copy
            DROPPER.drop(self._admin or "", name)
            return
        self._free.append(url)

    def close(self) -> None:
        from sqlalchemy.engine import make_url

        while self._free:
            DROPPER.drop(self._admin or "", make_url(self._free.pop()).database or "")
        DROPPER.finish()


POOL = _Pool()
atexit.register(POOL.close)


@pytest.fixture
def pg_url(request) -> Iterator[str]:
    """A PostgreSQL database for one test: at schema head (from this process's pool, emptied after the
    test), or a fresh one with no schema for a test marked `empty_database`, dropped after the test."""
    server = _pg_server_url()
    assert server
    if _wants_empty(request):
        with throwaway_database(server) as url:
            yield url
        return
    url = POOL.take(server, request.getfixturevalue("head_postgres"))
    _AT_HEAD.add(url)
    try:
        yield url
    finally:
        _AT_HEAD.discard(url)
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        POOL.give_back(url)


@pytest.fixture
def fresh_url(db_url, tmp_path) -> Iterator[str]:
    """A second, empty database of the same kind as `db_url` (imports into a new salon)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with throwaway_database(db_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'salon.db'}"


def _wants_empty(request) -> bool:
    return request.node.get_closest_marker("empty_database") is not None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Every database test runs twice: on a SQLite file and on PostgreSQL. The database is at schema head
    and not initialised, as `salon db upgrade` leaves a new one: a copy of the process's migrated database
    (migrating each test's took a second or more, and most tests begin with `salon init`). A test of
    what a database with no schema does (migrations, `init` or `demo` on a new file) is marked
    `empty_database` and gets one."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
        if not _wants_empty(request):
            copy_sqlite(request.getfixturevalue("head_sqlite"), url)
            _AT_HEAD.add(url)
        return url
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(DEFAULT_NOW)
    clock_module.set_clock(fixed)
    yield fixed
    clock_module.set_clock(None)


def copy_sqlite(source: Path, url: str) -> None:
    """The SQLite database `source` copied to the file of `url` with SQLite's backup (its write-ahead log
    included)."""
    import sqlite3

    target = url.removeprefix("sqlite:///")
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))  # private, as the app creates its database
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def head_sqlite(tmp_path_factory) -> Path:
    """A SQLite file at schema head, migrated once per test process: `engine` copies it."""
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine

    path = tmp_path_factory.mktemp("head") / "head.db"
    eng = make_engine(f"sqlite:///{path}")
    migrate.upgrade(eng)
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def head_postgres() -> Iterator[str]:
    """A PostgreSQL database at schema head, migrated once per test process (dropped at the end, as every
    throwaway database is): `engine` makes each test's database from it (CREATE DATABASE ... TEMPLATE)."""
    from sqlalchemy.engine import make_url

    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine

    server = _pg_server_url()
    assert server
    with throwaway_database(server) as url:
        eng = make_engine(url)
        migrate.upgrade(eng)
        eng.dispose()
        yield make_url(url).database or ""


def _from_template(url: str, template: str) -> None:
    """The (empty, unused) PostgreSQL database of `url` made again as a copy of `template`."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = make_url(_pg_server_url() or "").set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"')


@pytest.fixture
def engine(db_url, request):
    """An engine on a database at schema head (empty: not initialised): a copy of the process's migrated
    database (migrating every test's database took a second or more each)."""
    from salon_cli.db.engine import make_engine

    if db_url not in _AT_HEAD:  # db_url is already at head unless the test is marked empty_database
        if db_url.startswith("sqlite"):
            copy_sqlite(request.getfixturevalue("head_sqlite"), db_url)
        else:
            _from_template(db_url, request.getfixturevalue("head_postgres"))
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def salon(engine, clock):
    """An initialised salon: location `centro` (America/Mexico_City, MXN), owner `lucia` PIN 1234."""
    from salon_cli.services.salon.setup import initialise

    return initialise(
        engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
        currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234",
    )


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch, request):
    """Keep the developer's own salon out of tests: a private SALON_HOME, no SALON_* leaking in.

    The dashboard's tests (tests/tui) speak English: the demo salon's language is Spanish and the app
    speaks the location's language when SALON_LANG is not set, so they get SALON_LANG=en; a test that
    wants Spanish sets SALON_LANG=es itself, or deletes it to get the location's. The desk's language
    is a process global (`salon_cli.i18n.use`): English again after every test."""
    from salon_cli import i18n

    for key in list(os.environ):
        if key.startswith("SALON_") and key not in (PG_ENV, "SALON_DEBUG", "SALON_TEST_RUN"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SALON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NO_COLOR", "1")
    if "tui" in request.node.path.parent.parts:
        monkeypatch.setenv("SALON_LANG", "en")
        from textual.app import App

        posted = App.notify

        def notify(self, message, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.__dict__.setdefault("notes_seen", []).append(message)  # read by tui_helpers.notes
            return posted(self, message, *args, **kwargs)

        monkeypatch.setattr(App, "notify", notify)
    yield
    i18n.use("en")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo salon built once per test process, at the test clock: each `demo_engine` starts from a
    copy of it (building it, 19 migrations and the demo, took seconds for each of the dashboard's tests)."""
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.services.demo.build import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    clock_module.set_clock(FixedClock(DEFAULT_NOW))
    try:
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        build_demo(engine, clients=30, days=7, ahead=0)
        engine.dispose()
    finally:
        clock_module.set_clock(None)
    return path


@pytest.fixture
def demo_engine(sqlite_url, clock, demo_template):
    """The demo salon (30 clients, a week of history, today's book) on a SQLite file: the dashboard's tests.
    Without the demo's next two weeks of bookings, so that a test books any free time ahead it names
    (tests/demo/test_demo_ahead.py builds those). A copy of `demo_template`."""
    from salon_cli.db.engine import make_engine

    copy_sqlite(demo_template, sqlite_url)
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()
