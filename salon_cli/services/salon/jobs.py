"""Cron jobs: one run at a time per job and location, each run recorded in `job_run`.

The lock is PostgreSQL's `pg_try_advisory_xact_lock`, held by a connection of its own for as long
as the job runs (it goes away with the connection if the process dies). SQLite has no such thing,
so a `job_lock` row with a lease plays its part; the lock of a run that died on this machine is
taken over at once (its process is gone), one from another machine when its lease runs out.

A run is dated by the machine's clock (`clock.real_now`: a clock override moves the job's `as_of`,
never when it ran) and names who ran it (`run_by`: the staff code given with --as, else the machine's
user), as the audit rows of a job acting as `system` do.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import Busy
from salon_cli.db.engine import is_sqlite
from salon_cli.db.models import JobLock, JobRun
from salon_cli.db.uow import UnitOfWork

LEASE = timedelta(hours=2)


@dataclass(frozen=True)
class JobRunView:
    id: int
    job: str
    location_id: int | None
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]
    error: str | None
    run_by: str | None = None

    @classmethod
    def of(cls, row: JobRun) -> JobRunView:
        return cls(id=row.id or 0, job=row.job, location_id=row.location_id, started_at=row.started_at,
                   finished_at=row.finished_at, status=row.status, counts=dict(row.counts or {}),
                   error=row.error, run_by=row.run_by)


def _lock_name(job: str, location_id: int | None) -> str:
    return f"{job}@{location_id if location_id is not None else '*'}"


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _holder_gone(holder: str) -> bool:
    """Whether the lock's holder was a process on this machine that has ended (killed, crashed, the
    power cut) without letting go: then its lease need not run out first. Another machine's holder,
    or one we cannot tell about, counts as alive until its lease ends."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if os.name != "posix" or host != socket.gethostname()[:40] or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's process), or we cannot tell
        return False
    return False


@contextmanager
def single_instance(engine: Engine, job: str, location_id: int | None) -> Iterator[None]:
    """Hold the job's lock for the block, or raise `Busy` (exit 4) at once."""
    name = _lock_name(job, location_id)
    if not is_sqlite(engine):
        with engine.connect() as conn, conn.begin():
            got = conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _advisory_key(name)}).scalar()
            if not got:
                raise Busy(f"{job} is already running", hint="another run holds its lock; retry later")
            yield
        return
    holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    with UnitOfWork(engine) as uow:
        now = clock.wall_now()
        current = uow.session.get(JobLock, name)
        if current is not None and current.expires_at > now and not _holder_gone(current.holder):
            raise Busy(f"{job} is already running (since {current.acquired_at:%H:%M} UTC)",
                       hint="another run holds its lock; retry later")
        if current is not None:
            uow.session.delete(current)
            uow.session.flush()
        uow.session.add(JobLock(name=name, holder=holder, acquired_at=now, expires_at=now + LEASE))
        uow.commit()
    try:
        yield
    finally:
        with UnitOfWork(engine) as uow:
            uow.session.execute(sa.delete(JobLock).where(col(JobLock.name) == name, col(JobLock.holder) == holder))
            uow.commit()


def run(
    engine: Engine,
    *,
    job: str,
    location_id: int | None,
    work: Callable[[UnitOfWork], dict[str, Any]],
    run_by: str | None = None,
) -> JobRunView:
    """Run `work` once under the job's lock; it gets a unit of work that is committed if it returns."""
    def in_one_transaction() -> dict[str, Any]:
        with UnitOfWork(engine) as uow:
            counts = work(uow)
            uow.commit()
        return counts

    return run_steps(engine, job=job, location_id=location_id, work=in_one_transaction, run_by=run_by)


def run_steps(
    engine: Engine,
    *,
    job: str,
    location_id: int | None,
    work: Callable[[], dict[str, Any]],
    run_by: str | None = None,
) -> JobRunView:
    """Run `work` once under the job's lock, recorded in `job_run`; `work` opens and commits its own
    transactions (send-reminders: one a message, none held while a mail server is talked to)."""
    with single_instance(engine, job, location_id):
        with UnitOfWork(engine) as uow:
            run_row = JobRun(job=job, location_id=location_id, started_at=clock.real_now(), run_by=run_by)
            uow.session.add(run_row)
            uow.session.flush()
            run_id = run_row.id
            _mark_abandoned(uow.session, job=job, location_id=location_id, found_by=run_id)
            uow.commit()
        try:
            counts = work()
        except Exception as exc:
            _finish(engine, run_id, status="failed", counts={}, error=str(exc)[:2000])
            raise
        return _finish(engine, run_id, status="ok", counts=counts, error=None)


ABANDONED = "abandoned"


def _mark_abandoned(session: Session, *, job: str, location_id: int | None, found_by: int | None) -> int:
    """Runs of this job and location still `running` while we hold its lock died without finishing
    (killed, crashed, the power cut): no live run can hold the lock beside us. Say so rather than
    leave them `running` for ever. What a run commits in one transaction (every job but
    send-reminders) was rolled back with it; send-reminders commits one message at a time, and the
    outbox shows which went."""
    where = col(JobRun.location_id).is_(None) if location_id is None else col(JobRun.location_id) == location_id
    result = session.execute(
        sa.update(JobRun)
        .where(col(JobRun.job) == job, where, col(JobRun.status) == "running", col(JobRun.id) != found_by)
        .values(status=ABANDONED, error=f"stopped without finishing (killed or crashed); found by run {found_by}")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _finish(engine: Engine, run_id: int | None, *, status: str, counts: dict[str, Any], error: str | None) -> JobRunView:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(JobRun, run_id)
        assert row is not None
        row.finished_at, row.status, row.counts, row.error = clock.real_now(), status, counts, error
        uow.session.add(row)
        uow.commit()
        return JobRunView.of(row)


def list_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRunView]:
    query = select(JobRun).order_by(col(JobRun.id).desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    return [JobRunView.of(r) for r in session.exec(query)]
