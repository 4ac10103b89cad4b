"""How fast `detect-no-shows` marks a day's no-shows in a book of a million appointments, and how it reads them.

Run: .venv/bin/python benchmarks/detect_no_shows.py [--rows 1000000] [--due 5000] [--db sqlite|postgres]
     [--server URL] [--clients 5000] [--profile]

The book: one location (America/Mexico_City, MXN) made by `salon init`'s service, its owner, six
services and four stylists (through the services, audited), `--clients` clients, and `--rows`
appointments, each with its item row, inserted set-based (SQLite: `INSERT ... SELECT` from a
recursive CTE; PostgreSQL: from `generate_series`), so a million build in seconds:

  - about three years of history before today, 09:00-20:00 local, in time order: 87 % completed,
    6 % cancelled, 2 % late-cancelled, 5 % no-shows (those and the late cancellations with their
    penalties, as earlier runs would have left them);
  - `--due` booked appointments inside the detection window [as_of - 12 h, as_of - 15 min] (the
    policy's defaults), all with a client, so each gets a penalty;
  - 20 booked appointments from 2 to 21 days ago (stale: reported, never marked);
  - 5 % of the rows booked ahead, over the next 90 days.

`as_of` is Saturday 2026-11-21 21:00 in Mexico City, after closing, when a nightly cron would run.
SQLite: a fresh file in a temporary directory, no ANALYZE (the app never runs it). PostgreSQL: a
throwaway database created on `--server` and dropped afterwards, vacuumed and analysed after the
load (as autovacuum soon would).

Printed: the build time; the plan of the due query -- the very SQL `no_shows.due` sends, captured
as it runs, under `EXPLAIN QUERY PLAN` (SQLite) or `EXPLAIN` (PostgreSQL) with the same parameters
-- and of the stale queries, and whether they read `ix_appointment_location_status_starts` rather
than the table; the wall time of `no_shows.detect(...)` (the real run: marks, penalties, client
counts, audit rows, the job run), its counts (asserted equal to `--due`), and of a second run at
the same `as_of` (nothing left to mark). `--profile` adds a cProfile of the first run.

Target: the first run under 2 s on SQLite for 1,000,000 rows with 5,000 due.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("America/Mexico_City")
AS_OF = datetime(2026, 11, 21, 21, 0, tzinfo=ZONE).astimezone(timezone.utc)
HISTORY_DAYS = 3 * 365
STALE = 20
INDEX = "ix_appointment_location_status_starts"

# (code, name, minutes, price in cents) and (code, name) of the stylists
SERVICES = (("corte-dama", "Corte de dama", 60, 450_00), ("corte-caballero", "Corte de caballero", 30, 280_00),
            ("tinte-raiz", "Tinte de raíz", 90, 850_00), ("manicure", "Manicure clásico", 40, 300_00),
            ("facial", "Facial hidratante", 60, 850_00), ("fade", "Fade / degradado", 45, 320_00))
STYLISTS = (("ana", "Ana Jiménez"), ("diego", "Diego Muñoz"), ("valeria", "Valeria Torres"), ("emma", "Emma Collins"))
FIRST = ("María", "Guadalupe", "Ximena", "Sofía", "José", "Luis", "Carlos", "Emily", "James", "Andrea")
LAST = ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Smith", "Johnson", "Ruiz", "Flores")

COLUMNS = ("id", "location_id", "client_id", "staff_id", "service_id", "starts_at", "ends_at", "status", "price_cents",
           "deposit_cents", "walk_in", "checked_in_at", "completed_at", "cancelled_at", "cancel_reason",
           "no_show_at", "created_at", "created_by_id")


# ----------------------------------------------------------------------------- the throwaway database

@contextmanager
def database(kind: str, server: str) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in a temporary directory, or a PostgreSQL database
    created on `server` and dropped afterwards (as tests/conftest.py's `pg_url` does)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    plain = server.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"salon_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----------------------------------------------------------------------------- building the book

def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _case(expr: str, values: list[int]) -> str:
    """`values[expr]` in SQL (expr in 0..len-1)."""
    return f"CASE {expr} " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values)) + " END"


class Dialect:
    """The few bits of SQL that differ: a row counter and epoch seconds as a stored timestamp."""

    def __init__(self, name: str) -> None:
        self.name = name

    def ts(self, seconds: str) -> str:
        if self.name == "sqlite":  # the text SQLAlchemy stores for a naive UTC DATETIME
            return f"(datetime({seconds}, 'unixepoch') || '.000000')"
        return f"to_timestamp({seconds})"

    def next_day(self, stored: str) -> str:
        """A stored timestamp plus one day."""
        if self.name == "sqlite":
            return f"(datetime({stored}, '+1 day') || '.000000')"
        return f"({stored} + interval '1 day')"

    def insert_from_counter(self, table: str, columns: tuple[str, ...], select: str, count: int) -> str:
        """INSERT INTO table SELECT ... where `n` runs over 0..count-1."""
        cols = ", ".join(columns)
        if self.name == "sqlite":
            return (f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < {count}) "
                    f"INSERT INTO {table} ({cols}) {select.format(source='seq')}")
        return (f"INSERT INTO {table} ({cols}) "
                f"{select.format(source=f'generate_series(0::bigint, {count - 1}::bigint) AS seq(n)')}")


def _appointments(d: Dialect, *, first_id: int, count: int, start: str, status: str, location_id: int, owner_id: int,
                  client_ids: tuple[int, int], service_rows: list[tuple[int, int, int]], staff_ids: list[int],
                  walk_ins: bool, created: str = "x.s - 7 * 86400") -> str:
    """One block of appointments; `start` and `created` (epoch seconds) and `status` are SQL in `n`
    (`created` may use the row's start, `x.s`)."""
    low, high = client_ids
    services = len(service_rows)
    # inner: the row's start, status, service and client; outer: the columns
    inner = (f"SELECT n, {start} AS s, {status} AS st, n % {services} AS k, "
             f"{low} + (n * 7919) % {high - low + 1} AS c FROM {{source}}")
    client = "CASE WHEN x.st = 'completed' AND n % 40 = 0 THEN NULL ELSE x.c END" if walk_ins else "x.c"
    minutes = _case("x.k", [m for _, m, _ in service_rows])
    ts = d.ts
    select = (
        f"SELECT {first_id} + n, {location_id}, {client}, {_case('(n / 7) % ' + str(len(staff_ids)), staff_ids)}, "
        f"{_case('x.k', [i for i, _, _ in service_rows])}, {ts('x.s')}, {ts(f'x.s + 60 * {minutes}')}, x.st, "
        f"{_case('x.k', [p for _, _, p in service_rows])}, 0, FALSE, "
        f"CASE WHEN x.st = 'completed' THEN {ts('x.s - 300')} END, "
        f"CASE WHEN x.st = 'completed' THEN {ts(f'x.s + 60 * {minutes} + 300')} END, "
        f"CASE x.st WHEN 'cancelled' THEN {ts('x.s - 2 * 86400')} "
        f"WHEN 'late_cancelled' THEN {ts('x.s - 3 * 3600')} END, "
        f"CASE WHEN x.st IN ('cancelled', 'late_cancelled') THEN 'cambio de planes' END, "
        f"CASE WHEN x.st = 'no_show' THEN {ts('x.s + 900')} END, "
        f"{ts(created)}, {owner_id} "
        f"FROM ({inner}) AS x"
    )
    return d.insert_from_counter("appointment", COLUMNS, select, count)


def sql(conn, statement: str) -> None:  # type: ignore[no-untyped-def]
    """Run a statement without parameters (through `text`, so psycopg's `%` needs no doubling)."""
    import sqlalchemy as sa

    conn.execute(sa.text(statement))


def build(url: str, *, rows: int, due: int, clients: int) -> dict[str, float]:
    """The book described in the module docstring; returns timings in seconds."""
    import sqlalchemy as sa
    from sqlmodel import select

    from salon_cli.core.text import name_key
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Appointment, AppointmentItem, Client, Policy
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import catalog, staff
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.setup import initialise

    future = rows // 20
    history = rows - due - future - STALE
    if history < 0:
        raise SystemExit(f"--rows {rows} is too few for --due {due} (and {future + STALE} booked ahead or stale)")
    timings: dict[str, float] = {}
    engine = make_engine(url)
    d = Dialect(engine.dialect.name)
    start = time.perf_counter()
    migrate.upgrade(engine)
    init = initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
                      currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234")
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role)
    location = init.location
    with UnitOfWork(engine) as uow:
        s = uow.session
        service_rows = []
        for code, name, minutes, cents in SERVICES:
            view = catalog.add_service(s, actor=owner, location=location, name=name, duration_min=minutes,
                                       price_cents=cents, code=code)
            service_rows.append((view.id, minutes, cents))
        staff_ids = [staff.add(s, actor=owner, location=location, name=name, code=code, role="stylist",
                               pin="4444").id for code, name in STYLISTS]
        s.execute(sa.insert(Client), [
            {"first_name": FIRST[n % len(FIRST)], "last_name": LAST[n // len(FIRST) % len(LAST)],
             "name_key": name_key(FIRST[n % len(FIRST)], LAST[n // len(FIRST) % len(LAST)]),
             "phone": f"+52155{n:08d}", "created_at": AS_OF - timedelta(days=4 * 365)}
            for n in range(clients)])
        low, high = s.execute(sa.select(sa.func.min(Client.id), sa.func.max(Client.id))).one()
        policy = s.exec(select(Policy).where(Policy.location_id == location.id)).one()
        assert (policy.no_show_grace_min, policy.no_show_lookback_hours) == (15, 12), "the policy's defaults"
        uow.commit()
    timings["setup"] = time.perf_counter() - start

    today = AS_OF.astimezone(ZONE).date()
    first_open = _epoch(datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), ZONE)
                        + timedelta(hours=9))
    tomorrow_open = first_open + (HISTORY_DAYS + 1) * 86400
    as_of, span = _epoch(AS_OF), 12 * 3600 - 15 * 60
    common = dict(location_id=location.id, owner_id=owner.id, client_ids=(low, high), service_rows=service_rows,
                  staff_ids=staff_ids)
    h = "(n * 2654435761) % 1000"  # a deterministic scramble of the row number
    blocks = [
        # history, oldest first, day by day (86400 s: Mexico City keeps UTC-6 all year), quarter hours 09:00-18:30
        (history, f"{first_open} + (n * {HISTORY_DAYS} / {history}) * 86400 + ((n * 37) % 39) * 900",
         f"CASE WHEN {h} < 870 THEN 'completed' WHEN {h} < 930 THEN 'cancelled' "
         f"WHEN {h} < 950 THEN 'late_cancelled' ELSE 'no_show' END", True),
        (STALE, f"{as_of} - 2 * 86400 - n * 86400 - 6 * 3600", "'booked'", False),  # at 15:00, days ago
        # due: spread over [as_of - 12 h, as_of - 15 min] to the minute, the window's upper edge included
        (due, f"{as_of} - 900 - ((n * {span}) / {max(due, 1)} / 60) * 60", "'booked'", False),
        # ahead: the next 90 days from tomorrow, opening hours
        (future, f"{tomorrow_open} + (n * 90 / {max(future, 1)}) * 86400 + ((n * 37) % 39) * 900", "'booked'", False),
    ]
    booked_ahead = f"{as_of} - 86400 * (1 + n % 30)"  # booked in the last month, for a day ahead
    # Bulk-load practice: the secondary indexes go before the load and come back after it (the same
    # definitions, from the models: the schema stays at head), each built once from sorted keys
    # instead of taking a million inserts in random order. On PostgreSQL the foreign keys too: one
    # validating join when they come back instead of a trigger query per row and key.
    tables = (Appointment.__table__, AppointmentItem.__table__)
    indexes = [index for table in tables for index in table.indexes]
    foreign_keys = [fk for table in tables for fk in table.foreign_key_constraints] if d.name == "postgresql" else []
    start = time.perf_counter()
    with engine.begin() as conn:
        if d.name == "sqlite":  # room for the indexes being built (the default cache is 2 MB)
            sql(conn, "PRAGMA cache_size = -262144")
        for index in indexes:
            index.drop(conn)
        for fk in foreign_keys:
            conn.execute(sa.schema.DropConstraint(fk))
        next_id = 1
        for number, (count, starts, status, walk_ins) in enumerate(blocks):
            if count:
                created = booked_ahead if number == len(blocks) - 1 else "x.s - 7 * 86400"
                sql(conn, _appointments(d, first_id=next_id, count=count, start=starts, status=status,
                                        walk_ins=walk_ins, created=created, **common))
                next_id += count
        sql(conn, "INSERT INTO appointment_item "
                  "(id, appointment_id, position, service_id, staff_id, duration_min, price_cents) "
                  "SELECT a.id, a.id, 0, a.service_id, a.staff_id, s.duration_min, a.price_cents "
                  "FROM appointment a JOIN service s ON s.id = a.service_id")
        for index in indexes:
            index.create(conn)
        for fk in foreign_keys:
            conn.execute(sa.schema.AddConstraint(fk))
        settled = "id % 4 <> 0"  # three in four paid at the desk, the rest still pending
        sql(conn, "INSERT INTO penalty (location_id, appointment_id, client_id, kind, amount_cents, status, reason, "
                  "created_at, created_by_id, paid_at, paid_method, paid_by_id, updated_at) "
                  "SELECT location_id, id, client_id, "
                  "CASE status WHEN 'no_show' THEN 'no_show' ELSE 'late_cancel' END, "
                  "CASE status WHEN 'no_show' THEN price_cents / 2 ELSE price_cents / 4 END, "
                  f"CASE WHEN {settled} THEN 'paid' ELSE 'pending' END, 'history', COALESCE(no_show_at, cancelled_at), "
                  f"NULL, CASE WHEN {settled} THEN {d.next_day('COALESCE(no_show_at, cancelled_at)')} END, "
                  f"CASE WHEN {settled} THEN 'cash' END, CASE WHEN {settled} THEN {owner.id} END, "
                  "COALESCE(no_show_at, cancelled_at) "
                  "FROM appointment WHERE status IN ('no_show', 'late_cancelled') AND client_id IS NOT NULL")
        # the clients' counts and flags, as the earlier runs left them
        sql(conn, f"UPDATE client SET no_show_count = t.c, deposit_required = t.c >= {policy.deposit_after_no_shows} "
                  "FROM (SELECT client_id, count(*) AS c FROM appointment WHERE status = 'no_show' "
                  "GROUP BY client_id) AS t WHERE t.client_id = client.id")
        if d.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("appointment", "appointment_item"):
                sql(conn, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    timings["appointments"] = time.perf_counter() - start
    if d.name == "postgresql":
        start = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("appointment", "appointment_item", "penalty", "client"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        timings["vacuum analyze"] = time.perf_counter() - start
    engine.dispose()
    return timings


# ----------------------------------------------------------------------------- plans and runs

@contextmanager
def captured(engine) -> Iterator[list[tuple[str, object]]]:  # type: ignore[no-untyped-def]
    """The statements (and their parameters) the engine sends inside the block."""
    import sqlalchemy as sa

    seen: list[tuple[str, object]] = []

    def hook(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)


def plans(engine, location, as_of: datetime, grace: timedelta,  # type: ignore[no-untyped-def]
          lookback: timedelta) -> dict[str, list[str]]:
    """The plans of the due query (as the real run sends it: locked) and of the stale queries."""
    from sqlmodel import Session

    from salon_cli.services.book import no_shows

    out: dict[str, list[str]] = {}
    with Session(engine) as session:
        with captured(engine) as seen:
            no_shows.due(session, location, as_of, grace, lookback, lock=True)
        out["due"] = explain(session, seen)
        with captured(engine) as seen:
            no_shows.stale(session, location, as_of, lookback)
        out["stale"] = explain(session, seen)
        session.rollback()
    return out


def explain(session, seen: list[tuple[str, object]]) -> list[str]:  # type: ignore[no-untyped-def]
    conn = session.connection()
    lines: list[str] = []
    for statement, parameters in seen:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            lines += [row[-1] for row in rows]
        else:
            lines += [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()]
        lines.append("")
    return lines[:-1]


def uses_index(dialect: str, lines: list[str]) -> bool:
    if dialect == "sqlite":
        return any(INDEX in line and line.lstrip().startswith("SEARCH") for line in lines) and not any(
            line.lstrip().startswith("SCAN appointment") for line in lines)
    return any(INDEX in line for line in lines) and not any("Seq Scan on appointment" in line for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=5000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL server for --db postgres ({PG_SERVER})")
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="cProfile the first run (top 25 by cumulative time)")
    args = parser.parse_args()

    from salon_cli.core import clock
    from salon_cli.core.clock import FixedClock
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.book import no_shows

    clock.set_clock(FixedClock(AS_OF))  # the run's "now" (marks, penalties, audit rows) is as_of
    with database(args.db, args.server) as url:
        where = ("SQLite file" if args.db == "sqlite"
                 else f"PostgreSQL {args.server.split('@')[-1]} (throwaway database)")
        print(f"building: {args.rows:,} appointments ({args.due:,} due), {args.clients:,} clients on {where} ...",
              flush=True)
        timings = build(url, rows=args.rows, due=args.due, clients=args.clients)
        print("build: " + "   ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
        engine = make_engine(url)
        with UnitOfWork(engine, write=False) as uow:
            location = locations.resolve(uow.session, "centro")
            total = uow.session.connection().exec_driver_sql("SELECT count(*) FROM appointment").scalar_one()
            items = uow.session.connection().exec_driver_sql("SELECT count(*) FROM appointment_item").scalar_one()
        assert items == total == args.rows, (items, total)
        print(f"rows: {total:,} appointments, {items:,} items   due: {args.due:,}   "
              f"as_of: {AS_OF.astimezone(ZONE):%Y-%m-%d %H:%M} {ZONE.key}")

        grace, lookback = timedelta(minutes=15), timedelta(hours=12)
        found = plans(engine, location, AS_OF, grace, lookback)
        verb = "EXPLAIN QUERY PLAN" if args.db == "sqlite" else "EXPLAIN"
        for name, lines in found.items():
            ok = uses_index(engine.dialect.name, lines)
            print(f"{verb} of the {name} quer{'ies' if name == 'stale' else 'y'}: "
                  f"{'uses ' + INDEX if ok else 'DOES NOT USE ' + INDEX}")
            for line in lines:
                print(f"    {line}" if line else "")

        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        first = no_shows.detect(engine, location=location, as_of=AS_OF)
        if profiler:
            profiler.disable()
        first_s = time.perf_counter() - start
        assert first.marked == first.penalties == args.due, (first.marked, first.penalties, args.due)
        assert first.stale == STALE, first.stale
        print(f"detect (real run): {first_s:.3f} s   marked {first.marked:,}   penalties {first.penalties:,} "
              f"({first.penalty_cents / 100:,.2f} MXN)   clients flagged {len(first.clients_flagged):,}   "
              f"stale {first.stale}   (target < 2 s on SQLite for 1,000,000 rows with 5,000 due)")
        start = time.perf_counter()
        second = no_shows.detect(engine, location=location, as_of=AS_OF)
        second_s = time.perf_counter() - start
        assert second.marked == second.penalties == 0, (second.marked, second.penalties)
        print(f"detect again (nothing due): {second_s:.3f} s   marked {second.marked}   penalties {second.penalties}   "
              f"stale {second.stale}")
        engine.dispose()
        if profiler:
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
            print(text.getvalue())


if __name__ == "__main__":
    main()
