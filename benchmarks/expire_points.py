"""How long `expire-points` takes, and how much memory it needs, over 200,000 cards holding 2,000,000 lots.

Run: .venv/bin/python benchmarks/expire_points.py [--accounts 200000] [--lots-per-account 10]
     [--history-per-account 0] [--db sqlite|postgres] [--server URL]

History: `--history-per-account H` adds, to every card, H lots of the years before (one to ten years
ago), all expired by earlier runs: remaining 0, each with its earn entry and its expire entry. The
due set stays the same, so the first run's work is fixed while the tables grow: H = 0, 90 and 990
with ten current lots per card are 1x, 10x and 100x the lots (and entries). The run must not slow
down with them (the due lots are read through `ix_loyalty_lot_due`, a partial index over
`remaining > 0`).

The data: a salon made by `salon init`'s service, `--accounts` clients each with a loyalty card, and
`--lots-per-account` lots per card (each with its earn entry), inserted set-based (a recursive CTE on
SQLite, `generate_series` on PostgreSQL). Lots were earned over the last twelve months, one every
~36 days per card, and expire six months after earning (the program's default): so at `as_of`
(2026-11-21 21:00 Mexico City) about half of them are due. A fifth of each card's lots are already
spent (remaining 0: redeemed earlier), so those due lots are left alone. Every card's cached balance
equals its lots' remaining, as the ledger keeps it.

Printed: the build time; then `expire-points` itself, run in a child process so that its peak
resident memory (VmHWM) is its own: wall time, cards and points expired, peak memory; then a
second run at the same instant (nothing left to expire); and a check that every card still balances
(cached points = sum of lot remaining). The figures are the point: they are not asserted against a
target, except that the second run expires nothing and the ledgers balance.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from detect_no_shows import PG_SERVER, Dialect, database, sql  # noqa: E402

ZONE = ZoneInfo("America/Mexico_City")
AS_OF = datetime(2026, 11, 21, 21, 0, tzinfo=ZONE).astimezone(timezone.utc)
YEAR_S = 365 * 86400
SIX_MONTHS_S = 182 * 86400

_CHILD = r"""
import json, sys, time
from datetime import datetime
from salon_cli.core import clock
from salon_cli.core.clock import FixedClock
from salon_cli.db.engine import make_engine
from salon_cli.services.loyalty import expiry as points_expiry

as_of = datetime.fromisoformat(sys.argv[2])
clock.set_clock(FixedClock(as_of))
engine = make_engine(sys.argv[1])
start = time.perf_counter()
report = points_expiry.expire(engine, as_of=as_of)
seconds = time.perf_counter() - start
# VmHWM: this process's own peak resident memory (ru_maxrss may carry the parent's over from the fork)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "accounts": report.accounts, "points": report.points, "lots": report.lots,
                  "maxrss_kb": hwm}))
"""


def build(url: str, *, accounts: int, per: int, history: int = 0) -> float:
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import LoyaltyEntry, LoyaltyLot
    from salon_cli.services.salon.setup import initialise

    start = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
               currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234")
    d = Dialect(engine.dialect.name)
    as_of = int(AS_OF.timestamp())
    lots = accounts * per
    tables = (LoyaltyEntry.__table__, LoyaltyLot.__table__)
    indexes = [index for table in tables for index in table.indexes]
    with engine.begin() as conn:
        if d.name == "sqlite":
            sql(conn, "PRAGMA cache_size = -262144")
        for index in indexes:
            index.drop(conn)
        sql(conn, d.insert_from_counter(
            "client", ("id", "first_name", "last_name", "name_key", "marketing_consent", "no_show_count",
                       "deposit_required", "created_at"),
            f"SELECT n + 1, 'Client', 'N' || n, 'client n' || n, false, 0, false, {d.ts(str(as_of - 2 * YEAR_S))} "
            "FROM {source}", accounts))
        sql(conn, d.insert_from_counter(
            "loyalty_account", ("id", "client_id", "points", "stamps", "lifetime_points", "tier", "enrolled_at",
                                "last_activity_at", "updated_at"),
            f"SELECT n + 1, n + 1, 0, 0, 0, 'bronze', {d.ts(str(as_of - YEAR_S))}, {d.ts(str(as_of - 86400))}, "
            f"{d.ts(str(as_of))} FROM {{source}}", accounts))
        # lot k of card a: earned (a*7 + k*36) days into the last year; 100..149 points; every fifth spent
        earned = f"({as_of - YEAR_S} + ((n % {per}) * 36 + (n / {per}) % 7) * 86400)"
        sql(conn, d.insert_from_counter(
            "loyalty_entry", ("id", "account_id", "kind", "points", "stamps", "reason", "created_at"),
            f"SELECT n + 1, n / {per} + 1, 'earn', 100 + n % 50, 0, 'bench', {d.ts(earned)} FROM {{source}}", lots))
        sql(conn, d.insert_from_counter(
            "loyalty_lot", ("id", "account_id", "entry_id", "earned", "remaining", "earned_at", "expires_at"),
            f"SELECT n + 1, n / {per} + 1, n + 1, 100 + n % 50, CASE WHEN n % 5 = 0 THEN 0 ELSE 100 + n % 50 END, "
            f"{d.ts(earned)}, {d.ts(f'{earned} + {SIX_MONTHS_S}')} FROM {{source}}", lots))
        if history:
            # history lot h of card a (ids after the current lots): earned one to ten years ago, expired
            # six months later by an earlier run; its earn entry here, its expire entry below
            old = history * accounts
            earned_then = f"({as_of - YEAR_S} - ((n % {history}) * {9 * YEAR_S // history} + (n / {history}) % 7 * 86400))"
            sql(conn, d.insert_from_counter(
                "loyalty_entry", ("id", "account_id", "kind", "points", "stamps", "reason", "created_at"),
                f"SELECT {lots} + n + 1, n / {history} + 1, 'earn', 100 + n % 50, 0, 'bench', {d.ts(earned_then)} "
                "FROM {source}", old))
            sql(conn, d.insert_from_counter(
                "loyalty_lot", ("id", "account_id", "entry_id", "earned", "remaining", "earned_at", "expires_at"),
                f"SELECT {lots} + n + 1, n / {history} + 1, {lots} + n + 1, 100 + n % 50, 0, {d.ts(earned_then)}, "
                f"{d.ts(f'{earned_then} + {SIX_MONTHS_S}')} FROM {{source}}", old))
        for index in indexes:
            index.create(conn)
        if d.name == "postgresql":  # the rows above came with their ids: move the sequences past them
            for table in ("client", "loyalty_account", "loyalty_entry", "loyalty_lot"):
                sql(conn, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        # the spent fifth: a redeem entry each, so that entries, lots and cache all agree
        sql(conn, f"INSERT INTO loyalty_entry (account_id, kind, points, stamps, reason, created_at) "
                  f"SELECT account_id, 'redeem', -earned, 0, 'bench', earned_at FROM loyalty_lot "
                  f"WHERE remaining = 0 AND id <= {lots}")
        if history:
            sql(conn, f"INSERT INTO loyalty_entry (account_id, kind, points, stamps, reason, created_at) "
                      f"SELECT account_id, 'expire', -earned, 0, 'bench', expires_at FROM loyalty_lot WHERE id > {lots}")
        sql(conn, "UPDATE loyalty_account SET points = (SELECT COALESCE(SUM(remaining), 0) FROM loyalty_lot "
                  "WHERE loyalty_lot.account_id = loyalty_account.id), lifetime_points = (SELECT SUM(earned) "
                  "FROM loyalty_lot WHERE loyalty_lot.account_id = loyalty_account.id)")
    if d.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            sql(conn, "VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - start


def run_child(url: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, url, AS_OF.isoformat()], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def balanced(url: str) -> tuple[int, int]:
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        off = conn.execute(sa.text(
            "SELECT COUNT(*) FROM loyalty_account a WHERE a.points <> (SELECT COALESCE(SUM(remaining), 0) "
            "FROM loyalty_lot l WHERE l.account_id = a.id) OR a.points <> (SELECT COALESCE(SUM(points), 0) "
            "FROM loyalty_entry e WHERE e.account_id = a.id)")).scalar_one()
        total = conn.execute(sa.text("SELECT COALESCE(SUM(points), 0) FROM loyalty_account")).scalar_one()
    engine.dispose()
    return int(off), int(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--lots-per-account", type=int, default=10)
    parser.add_argument("--history-per-account", type=int, default=0,
                        help="expired lots of earlier years per card (history; the due set stays the same)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL server for --db postgres ({PG_SERVER})")
    args = parser.parse_args()
    with database(args.db, args.server) as url:
        lots = args.accounts * args.lots_per_account
        old = args.accounts * args.history_per_account
        where = "SQLite file" if args.db == "sqlite" else f"PostgreSQL {args.server.split('@')[-1]}"
        print(f"building: {args.accounts:,} cards, {lots:,} current lots + {old:,} expired lots of earlier years "
              f"({(lots + old) / lots:.0f}x history) on {where} ...", flush=True)
        took = build(url, accounts=args.accounts, per=args.lots_per_account, history=args.history_per_account)
        print(f"build: {took:.1f} s")
        before_off, before_total = balanced(url)
        assert before_off == 0, f"{before_off} cards do not balance before the run"
        first = run_child(url)
        print(f"expire-points: {first['seconds']:.2f} s   cards {first['accounts']:,}   lots {first['lots']:,}   "
              f"points {first['points']:,}   peak memory {first['maxrss_kb'] / 1024:.0f} MB (child process)")
        second = run_child(url)
        assert second["points"] == 0, second
        print(f"expire-points again (nothing due): {second['seconds']:.2f} s   peak memory "
              f"{second['maxrss_kb'] / 1024:.0f} MB")
        off, total = balanced(url)
        assert off == 0, f"{off} cards do not balance after the run"
        assert total == before_total - first["points"], (before_total, total, first["points"])
        print(f"every card balances: cached = sum(entries) = sum(lot remaining); points left {total:,}")


if __name__ == "__main__":
    main()
