"""Cron jobs: each run recorded in `job_run`, one run at a time per job and location (exit 4 otherwise).

PostgreSQL holds `pg_try_advisory_xact_lock` on a connection of its own; SQLite keeps a `job_lock`
row with a lease, so a crashed run's lock runs out instead of blocking the job for ever.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlmodel import col, func, select
from typer.testing import CliRunner

from salon_cli.cli.app import app
from salon_cli.core import clock as clock_module
from salon_cli.core.errors import Busy
from salon_cli.db.engine import make_engine
from salon_cli.db.models import AuditLog, JobLock, JobRun
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, jobs
from salon_cli.services.salon.actors import SYSTEM

JOB = "detect-no-shows"
WAIT_S = 30  # a bound on every wait, never a timing assertion


def _runs(engine, job: str = JOB) -> list[JobRun]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(JobRun).where(JobRun.job == job).order_by(col(JobRun.id))))


def _audited(engine, action: str) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == action)).one()


def _leases(engine) -> list[JobLock]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(JobLock)))


def _touch(uow: UnitOfWork, location_id: int) -> None:
    """A write the job makes, so that commit and rollback of its unit of work show."""
    audit.record(uow.session, actor=SYSTEM, action="job.touched", entity="job", entity_id=None,
                 location_id=location_id)


# -- recording runs -------------------------------------------------------------------------------

def test_run_records_an_ok_run_with_counts_and_times(engine, salon, clock):
    loc = salon.location
    started = clock.now()

    def work(uow: UnitOfWork) -> dict[str, int]:
        _touch(uow, loc.id)
        clock.advance(minutes=2)
        return {"marked": 2, "penalties": 1}

    view = jobs.run(engine, job=JOB, location_id=loc.id, work=work)

    assert (view.job, view.location_id, view.status, view.error) == (JOB, loc.id, "ok", None)
    assert view.counts == {"marked": 2, "penalties": 1}
    assert view.started_at == started
    assert view.finished_at == started + timedelta(minutes=2)
    (row,) = _runs(engine)
    assert row.id == view.id
    assert (row.status, row.counts, row.error, row.location_id) == ("ok", {"marked": 2, "penalties": 1}, None, loc.id)
    assert row.started_at == started and row.finished_at == started + timedelta(minutes=2)
    assert _audited(engine, "job.touched") == 1  # the work's unit of work was committed
    assert _leases(engine) == []  # the lock went with the run


def test_a_failing_run_is_recorded_as_failed_with_its_error_and_raises(engine, salon, clock):
    loc = salon.location

    def work(uow: UnitOfWork) -> dict[str, int]:
        _touch(uow, loc.id)
        uow.session.flush()
        raise RuntimeError("policy row missing for centro")

    with pytest.raises(RuntimeError, match="policy row missing"):
        jobs.run(engine, job=JOB, location_id=loc.id, work=work)

    (row,) = _runs(engine)
    assert row.status == "failed"
    assert row.error == "policy row missing for centro"
    assert row.counts == {}
    assert row.started_at == clock.now() and row.finished_at == clock.now()
    assert _audited(engine, "job.touched") == 0  # what the failed work wrote was rolled back
    assert _leases(engine) == []
    # the lock was released: the next run goes ahead
    assert jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 0}).status == "ok"
    assert [r.status for r in _runs(engine)] == ["failed", "ok"]


# -- one run at a time ----------------------------------------------------------------------------

def test_a_held_lock_refuses_a_second_acquisition_with_exit_code_4(db_url, engine, salon):
    loc = salon.location
    other = make_engine(db_url)  # another terminal, another cron process: its own pool of connections
    try:
        with jobs.single_instance(engine, JOB, loc.id):
            for eng in (engine, other):
                with pytest.raises(Busy) as caught:
                    with jobs.single_instance(eng, JOB, loc.id):
                        pytest.fail("two holders of one job's lock")
                assert caught.value.exit_code == 4
                assert "already running" in caught.value.message
            # the lock is per job and per location
            with jobs.single_instance(other, "expire-points", loc.id):
                pass
            with jobs.single_instance(other, JOB, None):
                pass
        # released: it can be taken again, from either side, and again after that
        with jobs.single_instance(other, JOB, loc.id):
            pass
        with jobs.single_instance(engine, JOB, loc.id):
            pass
    finally:
        other.dispose()
    assert _leases(engine) == []


def test_run_while_the_lock_is_held_is_busy_and_does_not_run(engine, salon):
    loc = salon.location
    ran = []
    with jobs.single_instance(engine, JOB, loc.id):
        with pytest.raises(Busy) as caught:
            jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: ran.append(1) or {})
    assert caught.value.exit_code == 4
    assert ran == []
    assert _runs(engine) == []


def test_two_runs_at_once_one_runs_the_other_is_busy(engine, salon):
    loc = salon.location
    start = threading.Barrier(2)
    entered, release = threading.Event(), threading.Event()
    calls = []

    def work(uow: UnitOfWork) -> dict[str, int]:
        calls.append(threading.get_ident())
        entered.set()
        assert release.wait(timeout=WAIT_S), "never released"
        _touch(uow, loc.id)
        return {"marked": 1}

    def cron() -> jobs.JobRunView:
        start.wait(timeout=WAIT_S)
        return jobs.run(engine, job=JOB, location_id=loc.id, work=work)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(cron), pool.submit(cron)]
        try:
            assert entered.wait(timeout=WAIT_S), "neither run started its work"
            # the run that is working cannot finish before `release`: the first to finish is the other one
            done, _ = wait(futures, timeout=WAIT_S, return_when=FIRST_COMPLETED)
            assert len(done) == 1
            (loser,) = done
            with pytest.raises(Busy) as caught:
                loser.result()
            assert caught.value.exit_code == 4
        finally:
            release.set()
        (winner,) = [f for f in futures if f is not loser]
        view = winner.result(timeout=WAIT_S)

    assert len(calls) == 1
    assert view.status == "ok" and view.counts == {"marked": 1}
    runs = _runs(engine)
    assert [(r.id, r.status, r.counts) for r in runs] == [(view.id, "ok", {"marked": 1})]
    assert _audited(engine, "job.touched") == 1
    assert _leases(engine) == []


# -- SQLite's lease -------------------------------------------------------------------------------

def _lease_name(engine, job: str, location_id: int | None) -> str:
    with jobs.single_instance(engine, job, location_id):
        (lease,) = _leases(engine)
    return lease.name


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_crashed_runs_stale_lease_does_not_block_a_new_run(db_url, engine, salon):
    loc = salon.location
    name = _lease_name(engine, JOB, loc.id)
    now = clock_module.wall_now()
    with UnitOfWork(engine) as uow:  # what a run killed mid-way leaves behind
        uow.session.add(JobLock(name=name, holder="desk-2:4242:0123456789ab",
                                acquired_at=now - timedelta(hours=3), expires_at=now - timedelta(hours=1)))
        uow.commit()

    view = jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 3})

    assert view.status == "ok"
    assert [r.status for r in _runs(engine)] == ["ok"]
    assert _leases(engine) == []  # the stale lease was replaced, then released


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_live_lease_of_another_process_blocks(db_url, engine, salon):
    loc = salon.location
    name = _lease_name(engine, JOB, loc.id)
    now = clock_module.wall_now()
    with UnitOfWork(engine) as uow:
        uow.session.add(JobLock(name=name, holder="desk-2:4242:0123456789ab",
                                acquired_at=now - timedelta(minutes=5), expires_at=now + timedelta(hours=1)))
        uow.commit()

    with pytest.raises(Busy) as caught:
        jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 3})

    assert caught.value.exit_code == 4
    assert _runs(engine) == []
    assert [lease.holder for lease in _leases(engine)] == ["desk-2:4242:0123456789ab"]  # not ours to drop


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_holder_whose_lease_was_taken_over_does_not_release_the_new_one(db_url, engine, salon, monkeypatch):
    loc = salon.location
    monkeypatch.setattr(jobs, "LEASE", timedelta(seconds=-1))  # every lease is stale at once
    with ExitStack() as outer:
        old = ExitStack()
        old.enter_context(jobs.single_instance(engine, JOB, loc.id))
        (old_lease,) = _leases(engine)
        outer.enter_context(jobs.single_instance(engine, JOB, loc.id))  # takes over the stale lease
        (new_lease,) = _leases(engine)
        assert new_lease.holder != old_lease.holder
        old.close()  # the old holder finishes late
        assert [lease.holder for lease in _leases(engine)] == [new_lease.holder]
    assert _leases(engine) == []


def test_a_run_left_running_by_a_dead_process_is_marked_abandoned_by_the_next(engine, salon, clock):
    """Holding the lock, the next run knows no live run of its job and location can be `running`:
    rows still saying so died unfinished (killed, crashed). Other jobs and locations are untouched."""
    loc = salon.location
    with UnitOfWork(engine) as uow:  # what a run killed mid-way leaves in job_run
        for job, location_id in ((JOB, loc.id), (JOB, None), ("expire-points", loc.id)):
            uow.session.add(JobRun(job=job, location_id=location_id, started_at=clock_module.now()))
        uow.commit()
    dead, other_place, other_job = _all_runs(engine)

    view = jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 0})

    by_id = {r.id: r for r in _all_runs(engine)}
    assert (by_id[dead.id].status, by_id[dead.id].finished_at) == ("abandoned", None)
    assert by_id[dead.id].error == f"stopped without finishing (killed or crashed); found by run {view.id}"
    assert by_id[other_place.id].status == by_id[other_job.id].status == "running"
    assert by_id[view.id].status == "ok"
    jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 0})
    assert _all_runs(engine)[0].error == by_id[dead.id].error  # found once, by the first run after it


def _all_runs(engine) -> list[JobRun]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(JobRun).order_by(col(JobRun.id))))


# -- salon jobs -----------------------------------------------------------------------------------

def test_salon_jobs_lists_the_recorded_runs_as_json(db_url, engine, salon, clock):
    loc = salon.location
    first = jobs.run(engine, job=JOB, location_id=loc.id, work=lambda uow: {"marked": 2})
    clock.advance(hours=1)
    with pytest.raises(RuntimeError):
        jobs.run(engine, job="expire-points", location_id=loc.id,
                 work=lambda uow: (_ for _ in ()).throw(RuntimeError("boom")))

    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "jobs", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [first.id + 1, first.id]  # newest first
    for row in rows:
        assert {"id", "job", "started_at", "finished_at", "status", "counts"} <= row.keys()
    failed, ok = rows
    assert (ok["job"], ok["status"], ok["counts"]) == (JOB, "ok", {"marked": 2})
    assert ok["started_at"] == ok["finished_at"] == "2026-11-21T11:00:00-06:00"  # the location's offset
    assert (failed["job"], failed["status"], failed["counts"]) == ("expire-points", "failed", {})
    assert failed["started_at"] == "2026-11-21T12:00:00-06:00"

    only = runner.invoke(app, ["--db", db_url, "jobs", "--job", JOB, "-f", "json"])
    assert only.exit_code == 0, only.output
    assert [r["id"] for r in json.loads(only.stdout)] == [first.id]
