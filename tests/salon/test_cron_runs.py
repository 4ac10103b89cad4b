"""Cron jobs run by hand (issue 26, items 12 and 17).

`--as-of` replays the past only: a later instant than the clock in force (beyond a minute of skew) is
refused, exit 2, one line naming `--as-of`, nothing changed. A job acts as `system`; its `job_run` row
and its audit rows name who ran it (`run_by`: the staff code given with `--as`, else the machine's user).
A wrong `--as` (an unknown member, or a wrong PIN where one is given) is refused, exit 3, before the job
starts.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import col, select

from cli_helpers import salon as cli
from salon_cli.db.models import Appointment, AuditLog, JobRun, Penalty
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import SYSTEM
from shop import OWNER, make_shop

JOBS = ["detect-no-shows", "expire-points", "renew-memberships", "send-reminders"]
TONIGHT = "2026-11-21T23:00:00-06:00"  # the clock says 11:00 in Mexico City; Ximena's corte is at 12:00


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)


def _runs(engine) -> list[JobRun]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(JobRun).order_by(col(JobRun.id))))


def _status(engine, appt_id: int) -> str:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.get(Appointment, appt_id).status


def _system_rows(engine) -> list[AuditLog]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(AuditLog).where(AuditLog.actor == "system").order_by(col(AuditLog.id))))


def test_detect_no_shows_as_of_tonight_is_refused_and_marks_nothing(db_url, engine, shop):
    done = cli(db_url, "detect-no-shows", "--as-of", TONIGHT)
    assert done.code == 2
    assert done.stderr.splitlines() == [done.stderr.strip()] and done.stderr.startswith(f"error: --as-of {TONIGHT} ")
    assert "future" in done.stderr and done.stdout == ""
    assert _status(engine, shop.appt) == "booked"
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(Penalty)).all() == []
    assert _runs(engine) == []


@pytest.mark.parametrize("job", JOBS)
def test_as_of_replays_the_past_only(db_url, engine, shop, clock, job):
    later = (clock.now() + timedelta(minutes=2)).isoformat()
    for as_of in (later, TONIGHT, "2030-01-01T00:00:00Z"):
        for extra in ([], ["--dry-run"]):
            done = cli(db_url, job, "--as-of", as_of, *extra)
            assert done.code == 2, (as_of, extra, done.stderr)
            assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: --as-of "), done.stderr
    assert _runs(engine) == []
    # the past, now, and a clock a little behind (less than a minute of skew) are all fine
    for as_of in ("2026-11-20T23:00:00-06:00", clock.now().isoformat(),
                  (clock.now() + timedelta(seconds=50)).isoformat()):
        done = cli(db_url, job, "--as-of", as_of)
        assert done.code == 0, (as_of, done.stderr)
    assert len(_runs(engine)) == 3


@pytest.mark.parametrize("job", JOBS)
def test_a_job_names_who_ran_it(db_url, engine, shop, job):
    assert cli(db_url, job).code == 0
    assert cli(db_url, "--as", "sofia", job).code == 0
    assert cli(db_url, "--as", "marco", "--pin", "2222", job).code == 0
    assert [r.run_by for r in _runs(engine)] == [getpass.getuser(), "sofia", "marco"]
    shown = cli(db_url, "jobs", "--job", job, "-f", "json")
    assert [r["run_by"] for r in json.loads(shown.stdout)] == ["marco", "sofia", getpass.getuser()]


@pytest.mark.parametrize("job", JOBS)
def test_a_wrong_as_is_refused_and_the_job_never_starts(db_url, engine, shop, clock, job):
    clock.advance(minutes=90)  # 12:30: Ximena's 12:00 corte is overdue
    unknown = cli(db_url, "--as", "nobody", job)
    assert unknown.code == 3 and unknown.stderr.startswith("error: no staff member 'nobody'")
    wrong = cli(db_url, "--as", "marco", "--pin", "9999", job)
    assert wrong.code == 3 and wrong.stderr.startswith("error: wrong PIN for marco")
    assert cli(db_url, "--as", "system", job).code == 3
    assert _runs(engine) == [] and _status(engine, shop.appt) == "booked"
    with UnitOfWork(engine, write=False) as uow:  # the wrong PIN counted and audited, as anywhere
        failed = uow.session.exec(select(AuditLog).where(AuditLog.action == "staff.pin_failed")).all()
    assert [a.actor for a in failed] == ["marco"]


def test_the_audit_rows_of_a_job_name_who_ran_it_beside_system(db_url, engine, shop, clock):
    clock.advance(minutes=90)
    setup = len(_system_rows(engine))  # init's: the location and its owner
    done = cli(db_url, "--as", "sofia", "detect-no-shows", "-f", "json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["appointment_ids"] == [shop.appt]
    rows = _system_rows(engine)[setup:]
    assert {a.action for a in rows} >= {"appointment.no_show", "penalty.create", "client.no_show"}
    assert {(a.actor, a.actor_id, a.run_by) for a in rows} == {("system", None, "sofia")}
    shown = json.loads(cli(db_url, "audit", "--actor", "system", "-f", "json").stdout)[:len(rows)]
    assert {(r["actor"], r["run_by"]) for r in shown} == {("system", "sofia")}


def test_expire_points_audits_in_bulk_with_who_ran_it(db_url, engine, shop, clock):
    with UnitOfWork(engine) as uow:
        loyalty_program.update(uow.session, actor=OWNER, location=shop.loc, welcome_bonus=0, expiry_months=6)
        uow.commit()
    clock.set(datetime(2026, 1, 10, 18, tzinfo=timezone.utc))
    with UnitOfWork(engine) as uow:
        loyalty.adjust(uow.session, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=100, reason="earned")
        uow.commit()
    clock.set(datetime(2026, 11, 21, 17, tzinfo=timezone.utc))
    done = cli(db_url, "expire-points", "-f", "json")
    assert done.code == 0 and json.loads(done.stdout)["points"] == 100, done.stderr
    (row,) = [a for a in _system_rows(engine) if a.action == "loyalty.expire"]
    assert (row.run_by, row.at, row.business_at) == (getpass.getuser(), clock.now(), None)


def test_as_on_a_chain_without_location_is_proved_at_the_members_own(db_url, engine, shop):
    with UnitOfWork(engine) as uow:
        locations.create(uow.session, actor=SYSTEM, code="norte", name="Norte", timezone="America/Monterrey",
                         currency="MXN")
        uow.commit()
    done = cli(db_url, "--as", "sofia", "detect-no-shows", "-f", "json")
    assert done.code == 0, done.stderr
    assert [r.run_by for r in _runs(engine)] == ["sofia", "sofia"]  # one run per location
    assert cli(db_url, "--as", "nobody", "detect-no-shows").code == 3
