"""`salon export appointments` to CSV beside the database's own CSV dump of the same query (the limit),
at 100,000 and 1,000,000 appointments, with the export's peak memory at each size (issue 11).

Run: .venv/bin/python benchmarks/export_appointments.py [--sizes 100000,1000000] [--db sqlite|postgres]
     [--server URL] [--runs 3] [--keep DIR] [--reuse]

The book: one location written by benchmarks/generate.py (three years of a salon's history: repeat
visits, seasons, no-shows with penalties, cancellations, the next 30 days booked), with about
size / 8.5 clients and one stylist for every 1,000 of them (so the book has room for their visits);
the generator's count of appointments is the size printed, close to the size asked for.

Timed, `--runs` times each (median), as separate processes:
  - the export: `salon --db URL --location loc1 export appointments --output FILE` (CSV), its wall
    time from spawn to exit and its peak resident memory (GNU time's %M);
  - the limit: SQLite's own `sqlite3 -csv -header FILE` or PostgreSQL's `psql -c "\\copy (...) TO
    FILE CSV HEADER"` of the same query: every column of the export (services aggregated in SQL, the
    client's name joined, the same joins and order), written to a file, with its peak memory. The
    database's own formatter does less (instants as stored, booleans as 0/1): that is the limit.
Both files are counted (the same rows) and deleted after each run.

Target (issue 11): the export within 3x of the limit, and its peak memory flat (the same at 100,000 and
1,000,000 rows: the export streams).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SALON = [sys.executable, "-m", "salon_cli"]
NOW = "2026-11-21T21:00:00-06:00"
TIME = "/usr/bin/time"  # GNU time, for the peak memory of a child

# the export's query with every column it writes: the services aggregated in SQL, one way per database
QUERY = """
SELECT a.id, a.external_id, a.starts_at, a.ends_at, a.status, a.client_id,
       CASE WHEN a.client_id IS NULL THEN NULL
            ELSE trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) END AS client,
       c.phone AS client_phone, c.email AS client_email, st.code AS staff,
       {names} AS service, {codes} AS services,
       a.price_cents, a.deposit_cents, a.walk_in, a.checked_in_at, a.completed_at, a.cancelled_at,
       a.cancel_reason, a.no_show_at, a.series_id, a.note, p.id AS penalty_id, p.status AS penalty_status,
       p.amount_cents AS penalty_cents
FROM appointment a JOIN staff st ON st.id = a.staff_id JOIN service sv ON sv.id = a.service_id
LEFT JOIN client c ON c.id = a.client_id LEFT JOIN penalty p ON p.appointment_id = a.id
WHERE a.location_id = 1 ORDER BY a.starts_at, a.id
"""
ITEMS = "FROM appointment_item i JOIN service s2 ON s2.id = i.service_id WHERE i.appointment_id = a.id"
SQLITE_QUERY = QUERY.format(
    names=f"(SELECT group_concat(name, ' + ') FROM (SELECT s2.name {ITEMS} ORDER BY i.position))",
    codes=f"(SELECT group_concat(code, ';') FROM (SELECT s2.code {ITEMS} ORDER BY i.position))")
PG_QUERY = QUERY.format(names=f"(SELECT string_agg(s2.name, ' + ' ORDER BY i.position) {ITEMS})",
                        codes=f"(SELECT string_agg(s2.code, ';' ORDER BY i.position) {ITEMS})")


def timed(argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds from spawn to exit and peak resident MB of one child process. The peak is GNU
    time's (%M) of the child it execs: a child forked from this process would report this process's
    own size as its peak (ru_maxrss counts the memory it had before exec)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        done = subprocess.run([TIME, "-f", "%M", "-o", rss.name, *argv], input=stdin, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")
        return wall, int(rss.read().split()[-1]) / 1024


def lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def build(url: str, size: int) -> int:
    """The book at `url` (empty): about `size` appointments at loc1; returns how many were written."""
    from benchmarks import generate
    from datetime import date, datetime, timedelta

    from salon_cli.core import clock

    clients = max(1000, round(size / 8.5))
    stylists = max(8, clients // 1000)
    clock.set_clock(clock.FixedClock(datetime.combine(date(2026, 11, 21), datetime.min.time(), generate.ZONE)
                                     + timedelta(hours=8)))
    start = time.perf_counter()
    figures = generate.generate(url, clients_n=clients, years=3, locations=1, seed=7, today=date(2026, 11, 21),
                                stylists=stylists)
    print(f"  built {figures['appointments']:,} appointments ({clients:,} clients, {stylists} stylists) "
          f"in {time.perf_counter() - start:.0f} s")
    return int(figures["appointments"])


def count(url: str) -> int:
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM appointment WHERE location_id = 1")).scalar_one()
    engine.dispose()
    return int(n)


def pg_database(server: str, name: str, create: bool) -> tuple[str, str]:
    """(SQLAlchemy URL, libpq URL) of database `name` on `server`, created when asked."""
    import psycopg
    from sqlalchemy.engine import make_url

    plain = server.replace("postgresql+psycopg://", "postgresql://", 1)
    if create:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name)
    return (url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False),
            url.set(drivername="postgresql").render_as_string(hide_password=False))


def drop_pg(server: str, name: str) -> None:
    import psycopg

    plain = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="appointments, comma-separated")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL server for --db postgres ({PG_SERVER})")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="keep the books (SQLite files in DIR; PostgreSQL databases "
                        "salon_bench_export_SIZE) for --reuse")
    parser.add_argument("--reuse", action="store_true", help="time the books kept by an earlier --keep")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tool = "sqlite3" if args.db == "sqlite" else "psql"
    if shutil.which(tool) is None:
        raise SystemExit(f"error: {tool} is not installed; it is the reference")
    if not os.access(TIME, os.X_OK):
        raise SystemExit(f"error: GNU time ({TIME}) is needed for the peak memory (apt install time)")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="salon-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SALON_NOW": NOW}
    results = []
    print(f"salon export appointments vs {tool}, {args.db}, median of {args.runs}")
    try:
        for size in sizes:
            name = f"salon_bench_export_{size}" if args.keep else f"salon_bench_{uuid.uuid4().hex[:12]}"
            if args.db == "sqlite":
                path = folder / f"export_{size}.db"
                if not args.reuse and path.exists():
                    path.unlink()
                url = libpq = f"sqlite:///{path}"
            else:
                url, libpq = pg_database(args.server, name, create=not args.reuse)
            print(f"size {size:,}:")
            rows = count(url) if args.reuse else build(url, size)
            out = folder / "out.csv"
            app_runs, ref_runs = [], []
            for _ in range(args.runs):
                app_runs.append(timed([*SALON, "--db", url, "--location", "loc1", "export", "appointments",
                                       "--output", str(out)], env=env))
                assert lines(out) == rows + 1, f"the export wrote {lines(out) - 1} rows, not {rows}"
                out.unlink()
                if args.db == "sqlite":
                    ref_runs.append(timed(["sqlite3", "-csv", "-header", str(path)], stdin=SQLITE_QUERY))
                else:
                    query = " ".join(PG_QUERY.split())
                    ref_runs.append(timed(["psql", libpq, "-X", "-q", "-c",
                                           f"\\copy ({query}) TO '{out}' WITH (FORMAT csv, HEADER)"]))
                    assert lines(out) == rows + 1, f"psql wrote {lines(out) - 1} rows, not {rows}"
                    out.unlink(missing_ok=True)
            if args.db == "sqlite":  # sqlite3 wrote to its stdout: count one run's rows apart from the timing
                check = subprocess.run(["sqlite3", "-csv", "-header", str(path)], input=SQLITE_QUERY, text=True,
                                       capture_output=True, check=True)
                assert check.stdout.count("\n") == rows + 1, "sqlite3 gave a different number of rows"
            app = statistics.median(t for t, _ in app_runs)
            ref = statistics.median(t for t, _ in ref_runs)
            app_mb = max(m for _, m in app_runs)
            ref_mb = max(m for _, m in ref_runs)
            results.append((rows, app, ref, app_mb, ref_mb))
            print(f"  salon export: {app:6.2f} s  peak {app_mb:5.0f} MB   {tool}: {ref:6.2f} s  peak {ref_mb:5.0f} MB"
                  f"   ratio {app / ref:.2f}x  ({rows / app:,.0f} rows/s)")
            if args.db == "postgres" and not args.keep:
                from salon_cli.db import engine as engine_module

                engine_module.dispose_all()
                drop_pg(args.server, name)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(f"{'rows':>10} {'salon (s)':>10} {tool + ' (s)':>12} {'ratio':>6} {'target':>7} {'met':>4}"
          f" {'salon peak MB':>14} {tool + ' peak MB':>14}")
    for rows, app, ref, app_mb, ref_mb in results:
        print(f"{rows:>10,} {app:>10.2f} {ref:>12.2f} {app / ref:>5.2f}x {'< 3x':>7} {'met' if app / ref < 3 else 'NOT':>4}"
              f" {app_mb:>14.0f} {ref_mb:>14.0f}")
    if len(results) > 1:
        low, high = results[0], results[-1]
        print(f"peak memory at {high[0]:,} rows / at {low[0]:,} rows: {high[3] / low[3]:.2f}"
              f" ({'flat' if high[3] / low[3] < 1.25 else 'GROWS'}; rows x{high[0] / low[0]:.0f})")


if __name__ == "__main__":
    main()
