"""Machinery of tests/system/test_faults.py: copies of a database, snapshots of its content, and a `salon`
process stopped at a chosen point inside its transaction (tests/fault_child.py) to be killed there.

A snapshot is every table's row count and a checksum of its rows (ordered by primary key), read the
way the next process would read the database: on SQLite that includes recovering from the WAL a
killed writer left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
SALON = str(ROOT / ".venv" / "bin" / "salon") if (ROOT / ".venv" / "bin" / "salon").exists() else "salon"
CHILD = str(Path(__file__).with_name("fault_child.py"))
NOW = "2026-11-21T11:00:00-06:00"  # conftest's DEFAULT_NOW in the salon's zone
TIMEOUT = 120

Snapshot = dict[str, tuple[int, str]]


# the machine's own instant, which SALON_NOW does not set (issue 26): no two runs write the same one
MACHINE_TIME = {("job_run", "started_at"), ("job_run", "finished_at")}


def _columns(table: sa.Table) -> list[Any]:
    """What a snapshot compares: an audit row's business instant (`business_at`, else `at`: a process
    under SALON_NOW writes the machine's instant in `at`, a test's in-process clock one instant in
    both), never the machine's instant of a job run."""
    if table.name == "audit_log":
        return [*(c for c in table.columns if c.name not in ("at", "business_at")),
                sa.func.coalesce(table.c.business_at, table.c.at).label("when")]
    return [c for c in table.columns if (table.name, c.name) not in MACHINE_TIME]


def snapshot(url: str) -> Snapshot:
    """{table: (rows, sha256 of the rows)} for every table of the schema (see `_columns`)."""
    from salon_cli.db import models  # the tables, registered on SQLModel's metadata
    from salon_cli.db.engine import normalize_url

    engine = sa.create_engine(normalize_url(url), poolclass=NullPool)
    out: Snapshot = {}
    try:
        with engine.connect() as conn:
            for table in models.SQLModel.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                digest, count = hashlib.sha256(), 0
                for row in conn.execute(sa.select(*_columns(table)).order_by(*order)):
                    digest.update(repr(tuple(_plain(v) for v in row)).encode())
                    count += 1
                out[table.name] = (count, digest.hexdigest()[:16])
    finally:
        engine.dispose()
    return out


def _plain(value: Any) -> Any:
    """JSON documents with their keys sorted: an audit row's `after` is the same record whichever
    order a set or dict gave its keys in (that order may change from one process to the next)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def counts(snap: Snapshot) -> dict[str, int]:
    return {name: rows for name, (rows, _) in snap.items()}


def differences(got: Snapshot, want: Snapshot) -> dict[str, tuple[Any, Any]]:
    return {name: (got.get(name), want.get(name)) for name in sorted(set(got) | set(want)) if got.get(name) != want.get(name)}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


class Databases:
    """Copies of a prepared database (SQLite: the backup API; PostgreSQL: CREATE DATABASE ... TEMPLATE),
    dropped at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.made: list[str] = []

    def copy(self, url: str) -> str:
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        if not is_postgres(url):
            target = self.workdir / f"copy-{uuid.uuid4().hex[:8]}.db"
            src = sqlite3.connect(make_url(url).database)
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
            return f"sqlite:///{target}"
        import psycopg

        parsed = make_url(url)
        name = f"salon_fault_{os.environ.get('SALON_TEST_RUN', 'x')}_{uuid.uuid4().hex[:12]}"  # swept at the end
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
        self.made.append(name)
        return parsed.set(database=name).render_as_string(hide_password=False)

    def drop_all(self, server: str | None) -> None:
        if not self.made or server is None:
            return
        import psycopg

        with psycopg.connect(_admin(server), autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def terminate_backend(url: str, pid: int) -> bool:
    import psycopg

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        return bool(conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0])


def env(workdir: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SALON_", "FAULT_"))}
    base.update(SALON_HOME=str(workdir / "home"), SALON_NOW=NOW, NO_COLOR="1", PYTHONUNBUFFERED="1")
    base.update(extra)
    return base


@dataclass
class Done:
    code: int
    stdout: str
    stderr: str


def run(url: str, args: list[str], workdir: Path, *, input: bytes | None = None, hook: dict[str, str] | None = None,
        prefix: list[str] | None = None, extra_env: dict[str, str] | None = None) -> Done:
    """`salon --db URL ARGS` to the end (through the fault child when `hook` is given)."""
    argv = [sys.executable, CHILD] if hook is not None else [SALON]
    done = subprocess.run([*(prefix or []), *argv, "--db", url, *args], input=input, capture_output=True,
                          env=env(workdir, **(hook or {}), **(extra_env or {})), timeout=TIMEOUT, cwd=workdir)
    return Done(done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))


def count_points(url: str, args: list[str], workdir: Path, **kw: Any) -> tuple[Done, list[tuple[str, int]]]:
    """Run to the end, listing the fault points passed, in order: [("write", 1), ("commit", 1), ...]."""
    log = workdir / f"points-{uuid.uuid4().hex[:8]}.log"
    done = run(url, args, workdir, hook={"FAULT_LOG": str(log)}, **kw)
    points = []
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            kind, number = line.split()[:2]
            points.append((kind, int(number)))
    return done, points


@dataclass
class Paused:
    """A `salon` process stopped at its fault point (tests/fault_child.py)."""

    process: subprocess.Popen[bytes]
    ready: Path
    go: Path
    info: dict[str, Any] = field(default_factory=dict)

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(TIMEOUT)
        return self.process.returncode

    def resume(self) -> Done:
        self.go.touch()
        out, err = self.process.communicate(timeout=TIMEOUT)
        return Done(self.process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def start_paused(url: str, args: list[str], workdir: Path, at: str, *, stdin: bytes | None = None,
                 extra_env: dict[str, str] | None = None) -> Paused:
    """Start `salon --db URL ARGS` and return once it has stopped at `at` (e.g. "write:3")."""
    tag = uuid.uuid4().hex[:8]
    ready, go = workdir / f"ready-{tag}", workdir / f"go-{tag}"
    process = subprocess.Popen([sys.executable, CHILD, "--db", url, *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir,
                               env=env(workdir, FAULT_AT=at, FAULT_READY=str(ready), FAULT_GO=str(go),
                                       **(extra_env or {})))
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
    if process.stdin is not None:
        process.stdin.close()
        process.stdin = None  # closed: communicate() must not flush it
    deadline = time.monotonic() + TIMEOUT
    while not ready.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"salon {' '.join(args)} ended (exit {process.returncode}) before {at}:\n"
                                 f"{err.decode(errors='replace')}{out.decode(errors='replace')}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"salon {' '.join(args)} never reached {at}")
        time.sleep(0.02)
    return Paused(process, ready, go, json.loads(ready.read_text(encoding="utf-8")))


def one_line_error(stderr: str) -> str:
    """The `error: ...` line of a failed command, checking there is nothing else but a hint."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert lines and lines[0].startswith("error: "), stderr
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), stderr
    return lines[0]
