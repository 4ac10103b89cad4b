"""Tests drop their PostgreSQL databases also when a worker is interrupted: every database a run makes
carries the run's mark (`SALON_TEST_RUN`, set by the first process and inherited by xdist's workers),
and the controller drops whatever of its run is left when the session ends (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _databases(server: str, run: str) -> list[str]:
    import psycopg

    url = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"%{run}%",))]


def test_a_worker_that_dies_leaves_no_database_behind(tmp_path):
    server = os.environ["SALON_TEST_POSTGRES_URL"]
    run = uuid.uuid4().hex[:8]
    note = tmp_path / "made.txt"
    env = {**os.environ, "SALON_TEST_RUN": run, "LEAKY_WORKER_NOTE": str(note)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "1", "--max-worker-restart", "1",
         "tests/system/leaky_worker.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert "crashed" in out or "worker" in out.lower(), out  # the worker did die
    assert "1 passed" in out, out
    made = note.read_text().split()
    assert len(made) == 2 and all(run in name for name in made), made  # both carry this run's mark
    assert _databases(server, run) == [], out  # and the controller dropped them
