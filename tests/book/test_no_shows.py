"""detect-no-shows: DESIGN.md's rule, idempotency, the lock, and penalties (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from cli_helpers import allow_clock_override
from salon_cli.core.errors import Busy, NotPermitted, RuleViolation
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Client, JobRun, Penalty, Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import status as appt_status, no_shows, penalties
from salon_cli.services.salon import catalog, jobs, locations, staff
from salon_cli.services.clients import profiles as clients
from salon_cli.services.salon.actors import Actor
from salon_cli.services.till import penalty_fees

UTC = timezone.utc
OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
AS_OF = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # 11:00 in Mexico City


@pytest.fixture
def book(engine, salon, clock):
    """A service of 333.33 (a fee of 50% rounds half up to 166.67), stylist ana, two clients."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        service = catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=30, price_cents=33333,
                                      code="corte")
        ana = staff.add(s, actor=OWNER, location=loc, name="Ana", code="ana", role="stylist", pin="2222")
        sofia = staff.add(s, actor=OWNER, location=loc, name="Sofía", code="sofia", role="receptionist", pin="3333")
        a = clients.add(s, actor=OWNER, location=loc, first_name="Ximena", last_name="Jiménez")
        b = clients.add(s, actor=OWNER, location=loc, first_name="Pedro", last_name="Páramo")
        uow.commit()
    return {"loc": loc, "service": service.id, "ana": ana.id, "a": a.id, "b": b.id,
            "sofia": Actor(id=sofia.id, code="sofia", name="Sofía", role="receptionist", verified=True)}


def _appt(engine, book, starts_at, *, client="a", status="booked", price=33333):
    with UnitOfWork(engine) as uow:
        row = Appointment(location_id=book["loc"].id, client_id=book[client] if client else None,
                          staff_id=book["ana"], service_id=book["service"], starts_at=starts_at,
                          ends_at=starts_at + timedelta(minutes=30), status=status, price_cents=price,
                          created_at=starts_at - timedelta(days=3))
        uow.session.add(row)
        uow.session.flush()
        uow.session.add(AppointmentItem(appointment_id=row.id, service_id=book["service"], staff_id=book["ana"],
                                        duration_min=30, price_cents=price))
        uow.commit()
        return row.id


def _statuses(engine):
    with UnitOfWork(engine, write=False) as uow:
        return dict(uow.session.exec(select(Appointment.id, Appointment.status)).all())


def _penalties(engine):
    with UnitOfWork(engine, write=False) as uow:
        return sorted(uow.session.exec(select(Penalty.appointment_id, Penalty.kind, Penalty.amount_cents,
                                              Penalty.status)).all())


def _client(engine, cid):
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.get(Client, cid)
        return row.no_show_count, row.deposit_required


def test_the_rule_marks_exactly_the_due_window(engine, book, clock):
    due_edge = _appt(engine, book, AS_OF - timedelta(minutes=15))  # start + grace == as_of: due
    not_yet = _appt(engine, book, AS_OF - timedelta(minutes=14))  # one minute short of the grace
    oldest = _appt(engine, book, AS_OF - timedelta(hours=12))  # exactly at the look-back edge: due
    stale = _appt(engine, book, AS_OF - timedelta(hours=12, minutes=1))  # older: left alone, reported
    here = _appt(engine, book, AS_OF - timedelta(hours=1), status="checked_in")
    done = _appt(engine, book, AS_OF - timedelta(hours=2), status="completed")
    gone = _appt(engine, book, AS_OF - timedelta(hours=3), status="cancelled")
    no_client = _appt(engine, book, AS_OF - timedelta(hours=4), client=None)
    with UnitOfWork(engine, write=False) as uow:
        audit_before = uow.session.exec(select(func.max(AuditLog.id))).one()
    report = no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    assert report.appointment_ids == [oldest, no_client, due_edge]
    assert (report.marked, report.penalties, report.penalty_cents) == (3, 2, 2 * 16667)
    assert (report.stale, report.stale_ids) == (1, [stale])
    assert _statuses(engine) == {due_edge: "no_show", not_yet: "booked", oldest: "no_show", stale: "booked",
                                 here: "checked_in", done: "completed", gone: "cancelled", no_client: "no_show"}
    assert _penalties(engine) == [(due_edge, "no_show", 16667, "pending"), (oldest, "no_show", 16667, "pending")]
    # two no-shows reach the policy's threshold of 2: the client must leave a deposit from now on
    assert _client(engine, book["a"]) == (2, True) and report.clients_flagged == [book["a"]]
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        actions = s.exec(select(AuditLog.action, func.count())
                         .where(AuditLog.actor == "system", AuditLog.id > audit_before)
                         .group_by(AuditLog.action)).all()
        # each penalty's notice is written in the same transaction (this client has no phone or e-mail:
        # written as skipped, with the reason)
        assert dict(actions) == {"appointment.no_show": 3, "penalty.create": 2, "client.no_show": 1, "message.skip": 2}
        run = s.exec(select(JobRun)).one()
        assert (run.job, run.status, run.counts["marked"], run.counts["penalties"], run.counts["stale"]) == (
            "detect-no-shows", "ok", 3, 2, 1)
        assert s.get(Appointment, due_edge).no_show_at is not None


def test_running_twice_gives_the_same_end_state_and_one_penalty_each(engine, book, clock):
    for minutes in (20, 60, 120, 240):
        _appt(engine, book, AS_OF - timedelta(minutes=minutes), client="b")
    first = no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    state = (_statuses(engine), _penalties(engine), _client(engine, book["b"]))
    second = no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    third = no_shows.detect(engine, location=book["loc"], as_of=AS_OF + timedelta(hours=1))
    assert (first.marked, second.marked, third.marked) == (4, 0, 0)
    assert (_statuses(engine), _penalties(engine), _client(engine, book["b"])) == state
    assert state[2] == (4, True)
    with UnitOfWork(engine, write=False) as uow:
        assert [r.counts["marked"] for r in uow.session.exec(select(JobRun).order_by(JobRun.id))] == [4, 0, 0]


def test_the_penalty_constraint_allows_one_per_appointment(engine, book, clock):
    appt = _appt(engine, book, AS_OF - timedelta(hours=1), status="no_show")
    row = dict(location_id=book["loc"].id, appointment_id=appt, client_id=book["a"], kind="no_show",
               amount_cents=100, created_at=AS_OF)
    with UnitOfWork(engine) as uow:
        uow.session.add(Penalty(**row))
        uow.commit()
    with UnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):
        uow.session.add(Penalty(**row))
        uow.session.flush()
    with UnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):  # and never zero
        uow.session.add(Penalty(**{**row, "appointment_id": _appt(engine, book, AS_OF), "amount_cents": 0}))
        uow.session.flush()


def test_a_check_in_one_minute_before_detection_is_never_marked(engine, book, clock):
    appt = _appt(engine, book, AS_OF - timedelta(minutes=30))
    clock.set(AS_OF - timedelta(minutes=1))
    with UnitOfWork(engine) as uow:
        appt_status.check_in(uow.session, actor=book["sofia"], location=book["loc"], appointment_id=appt)
        uow.commit()
    clock.set(AS_OF)
    report = no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    assert report.marked == 0 and _statuses(engine)[appt] == "checked_in" and _penalties(engine) == []


def test_marking_skips_a_row_checked_in_after_it_was_read(engine, book, clock):
    """The update says `status = 'booked'`: a check-in that lands between reading and writing wins."""
    appt = _appt(engine, book, AS_OF - timedelta(minutes=30))
    with UnitOfWork(engine, write=False) as uow:
        rows = no_shows.due(uow.session, book["loc"], AS_OF, timedelta(minutes=15), timedelta(hours=12))
    with UnitOfWork(engine) as uow:
        appt_status.check_in(uow.session, actor=book["sofia"], location=book["loc"], appointment_id=appt)
        uow.commit()
    with UnitOfWork(engine) as uow:
        policy = uow.session.exec(select(Policy)).one()
        marked = no_shows.mark(uow.session, actor=OWNER, location=book["loc"], policy=policy, rows=rows, now=AS_OF)
        uow.commit()
    assert marked.appointment_ids == [] and marked.penalties == 0
    assert _statuses(engine)[appt] == "checked_in" and _client(engine, book["a"]) == (0, False)


def test_dry_run_changes_nothing_and_says_what_it_would_do(engine, book, clock):
    ids = [_appt(engine, book, AS_OF - timedelta(hours=h)) for h in (1, 2)]
    before = (_statuses(engine), _penalties(engine), _client(engine, book["a"]))
    report = no_shows.detect(engine, location=book["loc"], as_of=AS_OF, dry_run=True)
    assert (report.dry_run, report.marked, report.penalties, report.appointment_ids, report.job_run_id) == (
        True, 2, 2, ids[::-1], None)
    assert report.clients_flagged == [book["a"]]
    assert (_statuses(engine), _penalties(engine), _client(engine, book["a"])) == before
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(func.count()).select_from(JobRun)).one() == 0


def test_grace_and_lookback_can_be_given(engine, book, clock):
    recent = _appt(engine, book, AS_OF - timedelta(minutes=10))
    old = _appt(engine, book, AS_OF - timedelta(hours=20))
    report = no_shows.detect(engine, location=book["loc"], as_of=AS_OF, grace=timedelta(minutes=5),
                             lookback=timedelta(hours=24))
    assert sorted(report.appointment_ids) == sorted([recent, old])


def test_fixed_fee_and_zero_fee_policies(engine, book, clock):
    with UnitOfWork(engine) as uow:
        policy = uow.session.exec(select(Policy)).one()
        policy.no_show_fee_kind, policy.no_show_fee_value, policy.deposit_after_no_shows = "fixed", 20000, 0
        uow.session.add(policy)
        uow.commit()
    appt = _appt(engine, book, AS_OF - timedelta(hours=1))
    no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    assert _penalties(engine) == [(appt, "no_show", 20000, "pending")]
    assert _client(engine, book["a"]) == (1, False)  # a threshold of 0 never asks for a deposit
    with UnitOfWork(engine) as uow:
        policy = uow.session.exec(select(Policy)).one()
        policy.no_show_fee_value = 0
        uow.session.add(policy)
        uow.commit()
    second = _appt(engine, book, AS_OF - timedelta(minutes=50))
    report = no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    assert report.appointment_ids == [second] and report.penalties == 0 and len(_penalties(engine)) == 1


def test_a_run_while_another_holds_the_lock_is_busy_and_changes_nothing(engine, book, clock):
    _appt(engine, book, AS_OF - timedelta(hours=1))
    with jobs.single_instance(engine, no_shows.JOB, book["loc"].id):
        with pytest.raises(Busy, match="detect-no-shows is already running"):
            no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    assert _penalties(engine) == [] and set(_statuses(engine).values()) == {"booked"}


# ----------------------------------------------------------------------------- penalties

def test_a_waived_penalty_stays_waived_and_is_never_charged_or_paid(engine, book, clock):
    appt = _appt(engine, book, AS_OF - timedelta(hours=1))
    no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    (pid,) = [p.id for p in _list(engine, book)]
    with UnitOfWork(engine) as uow, pytest.raises(NotPermitted, match="sofia \\(receptionist\\) may not penalty waive"):
        penalties.waive(uow.session, actor=book["sofia"], location=book["loc"], penalty_id=pid, reason="amable")
    with UnitOfWork(engine) as uow:
        seen = penalties.waive(uow.session, actor=OWNER, location=book["loc"], penalty_id=pid,
                               reason=" llamó con emergencia ")
        uow.commit()
    assert (seen.status, seen.waived_by, seen.waive_reason, seen.waived_at) == (
        "waived", "lucia", "llamó con emergencia", clock.now())
    for later in (AS_OF, AS_OF + timedelta(minutes=5), AS_OF + timedelta(hours=2)):
        no_shows.detect(engine, location=book["loc"], as_of=later)
    assert _penalties(engine) == [(appt, "no_show", 16667, "waived")]
    for fn, kw in ((penalty_fees.mark_paid, {"method": "cash"}), (penalties.waive, {"reason": "again"})):
        with UnitOfWork(engine) as uow, pytest.raises(RuleViolation, match=f"penalty {pid} was waived"):
            fn(uow.session, actor=OWNER, location=book["loc"], penalty_id=pid, **kw)
    with UnitOfWork(engine, write=False) as uow:
        log = uow.session.exec(select(AuditLog).where(AuditLog.action == "penalty.waive")).one()
    assert (log.actor, log.before["status"], log.after["status"], log.after["waive_reason"]) == (
        "lucia", "pending", "waived", "llamó con emergencia")


def _list(engine, book, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return penalties.list_penalties(uow.session, location=book["loc"], **kw)


def test_mark_paid_goes_through_a_sale_with_the_fee(engine, book, clock):
    from salon_cli.db.models import Payment, Sale, SaleLine

    _appt(engine, book, AS_OF - timedelta(hours=1))
    no_shows.detect(engine, location=book["loc"], as_of=AS_OF)
    (pid,) = [p.id for p in _list(engine, book)]
    with UnitOfWork(engine) as uow:
        seen = penalty_fees.mark_paid(uow.session, actor=book["sofia"], location=book["loc"], penalty_id=pid, method="Cash")
        uow.commit()
    assert (seen.status, seen.paid_method, seen.paid_at) == ("paid", "cash", clock.now())
    with UnitOfWork(engine, write=False) as uow:
        sale = uow.session.exec(select(Sale)).one()
        line = uow.session.exec(select(SaleLine)).one()
        payment = uow.session.exec(select(Payment)).one()
    assert (sale.status, sale.total_cents, line.kind, line.penalty_id) == ("paid", 16667, "fee", pid)
    assert (payment.method, payment.amount_cents, payment.status) == ("cash", 16667, "succeeded")
    assert [p.id for p in _list(engine, book, status="paid")] == [pid] and _list(engine, book, status="pending") == []
    with UnitOfWork(engine) as uow, pytest.raises(RuleViolation, match="already paid"):
        penalties.waive(uow.session, actor=OWNER, location=book["loc"], penalty_id=pid, reason="x")


# ----------------------------------------------------------------------------- two processes, 10,000 due

DUE = 10_000


def _seed_due(engine, book) -> None:
    """10,000 booked appointments in the window, 2,000 clients with five each."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        s.execute(sa.insert(Client), [{"first_name": f"C{i}", "last_name": "Due", "name_key": f"c{i} due",
                                       "created_at": AS_OF - timedelta(days=400)} for i in range(2000)])
        client_ids = s.exec(select(Client.id).where(Client.last_name == "Due").order_by(Client.id)).all()
        rows = []
        for i in range(DUE):
            start = AS_OF - timedelta(minutes=20 + (i % 600))
            rows.append({"location_id": book["loc"].id, "client_id": client_ids[i % 2000], "staff_id": book["ana"],
                         "service_id": book["service"], "starts_at": start, "ends_at": start + timedelta(minutes=30),
                         "status": "booked", "price_cents": 30000 + i % 7, "deposit_cents": 0, "walk_in": False,
                         "cancelled_by_salon": False, "created_at": AS_OF - timedelta(days=2)})
        s.execute(sa.insert(Appointment), rows)
        a = Appointment.__table__
        s.execute(sa.insert(AppointmentItem.__table__).from_select(
            ["appointment_id", "position", "service_id", "staff_id", "duration_min", "price_cents"],
            sa.select(a.c.id, sa.literal(0), a.c.service_id, a.c.staff_id, sa.literal(30), a.c.price_cents)))
        uow.commit()


def _end_state(engine):
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        statuses = s.exec(select(Appointment.status, func.count()).group_by(Appointment.status)).all()
        pens = s.exec(select(func.count(), func.count(sa.distinct(Penalty.appointment_id)),
                             func.sum(Penalty.amount_cents))).one()
        counts = s.exec(select(Client.no_show_count, Client.deposit_required, func.count())
                        .where(Client.last_name == "Due").group_by(Client.no_show_count, Client.deposit_required)).all()
        audits = s.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "appointment.no_show")).one()
        return dict(statuses), tuple(pens), sorted(counts), audits


def test_two_processes_at_once_against_10000_due(db_url, engine, book):
    _seed_due(engine, book)
    allow_clock_override(engine)  # the processes run under SALON_NOW
    env = {**os.environ, "SALON_DATABASE_URL": db_url, "SALON_NOW": AS_OF.isoformat()}
    command = [sys.executable, "-m", "salon_cli", "detect-no-shows", "-f", "json"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]  # reads as it waits: no pipe can fill up
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 4]), results
    for code, out, err in results:
        if code == 4:
            assert err.startswith("error: detect-no-shows is already running") and out == ""
    marked = [json.loads(out)["marked"] for code, out, _ in results if code == 0]
    assert sorted(marked) in ([DUE], [0, DUE])
    expected_sum = sum(15000 + (i % 7) // 2 + ((i % 7) % 2) for i in range(DUE))  # 50%, half up
    state = _end_state(engine)
    assert state == ({"no_show": DUE}, (DUE, DUE, expected_sum), [(5, True, 2000)], DUE)
    # and again, one after the other: nothing more happens
    for _ in range(2):
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0 and json.loads(again.stdout)["marked"] == 0, again.stderr
    assert _end_state(engine) == state
    with UnitOfWork(engine, write=False) as uow:
        runs = uow.session.exec(select(JobRun.status, JobRun.counts).order_by(JobRun.id)).all()
    assert all(status == "ok" for status, _ in runs) and sum(c["marked"] for _, c in runs) == DUE
    assert len(runs) == len(marked) + 2
