"""The benchmarks' data generator (`python -m benchmarks.generate`): a small chain on SQLite and
PostgreSQL whose figures follow the shapes it promises, and on which DESIGN.md's rules hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from invariants import high_water, problems
from salon_cli.db.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_small_chain_follows_its_shapes_and_keeps_the_rules(db_url):
    env = {k: v for k, v in os.environ.items() if k != "SALON_NOW"}
    run = subprocess.run([sys.executable, "-m", "benchmarks.generate", "--clients", "250", "--years", "1",
                          "--locations", "2", "--db", db_url, "--seed", "3"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    printed = dict(line.strip().split(": ", 1) for line in run.stdout.splitlines() if ": " in line)
    assert printed["clients"] == "250" and printed["locations"] == "2"
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            def one(sql: str):
                return conn.execute(sa.text(sql)).scalar_one()

            appointments = one("SELECT count(*) FROM appointment")
            assert appointments == int(printed["appointments"]) > 500
            assert one("SELECT count(DISTINCT location_id) FROM appointment") == 2
            # each location's own no-show rate, drawn between 3 % and 9 %
            for loc in (1, 2):
                rate = one(f"SELECT 1.0 * sum(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) / count(*) "
                           f"FROM appointment WHERE location_id = {loc} AND status != 'booked'")
                assert 0.01 < float(rate) < 0.12, (loc, rate)
            # one penalty per no-show; a paid sale per completed visit, tips and refunds among them
            assert one("SELECT count(*) FROM penalty") == one("SELECT count(*) FROM appointment WHERE status = 'no_show'")
            assert one("SELECT count(*) FROM sale") == one("SELECT count(*) FROM appointment WHERE status = 'completed'")
            assert one("SELECT count(*) FROM payment WHERE tip_cents > 0") > 0
            assert one("SELECT count(*) FROM refund") > 0
            # seasons: December busier than January; repeat visitors
            months = dict(conn.execute(sa.text(
                "SELECT extract(month FROM starts_at) AS m, count(*) FROM appointment GROUP BY m"
                if engine.dialect.name == "postgresql" else
                "SELECT CAST(strftime('%m', starts_at) AS INTEGER) AS m, count(*) FROM appointment GROUP BY m")).all())
            assert months[12] > 1.3 * months[1], months
            assert one("SELECT count(*) FROM (SELECT client_id FROM appointment GROUP BY client_id "
                       "HAVING count(*) >= 5) AS regulars") > 20
            # a stylist has one client at a time
            assert one("SELECT count(*) FROM appointment a JOIN appointment b ON a.staff_id = b.staff_id "
                       "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at") == 0
        # the history carries no audit rows (it is brought in); every other rule holds
        assert problems(engine, since=high_water(engine)) == []
    finally:
        engine.dispose()
