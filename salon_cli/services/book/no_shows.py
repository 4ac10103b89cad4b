"""No-shows: marking them (by hand or by cron) and `detect-no-shows`.

DESIGN.md's rule: at `as_of`, an appointment still `booked` whose `starts_at + grace <= as_of` and
`starts_at >= as_of - lookback` becomes `no_show`; its penalty follows the policy (zero: none); the
client's no_show_count rises, and at `deposit_after_no_shows` the client is flagged
deposit_required. Each new penalty's notice to its client (the amount, where to pay) is queued in the
outbox in the same transaction (`services/messages/outbox.py`; sent by `send-reminders`). Booked appointments
older than the look-back are left alone and reported as `stale` (someone should look at them: a
no-show marked days late would surprise the client).

Idempotent by constraint, not by luck: appointments change only `WHERE status = 'booked'` (a
check-in that committed first wins, and on PostgreSQL the rows are locked, so a check-in in flight
is waited for and then wins too), and a penalty is unique per appointment. The job is single-instance
(`jobs.single_instance`): a second run at the same moment exits 4 (busy) and changes nothing.
The work reads the window through `ix_appointment_location_status_starts`, never the whole table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import Appointment, Client, Penalty, Policy, Service
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, jobs
from salon_cli.services.messages import outbox
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.book.penalties import insert_ignoring_duplicates, policy_fee, reason_for
from salon_cli.services.salon.policy import row as policy_row

JOB = "detect-no-shows"
_CHUNK = 500
_STALE_SHOWN = 100


@dataclass(frozen=True)
class Due:
    """What marking needs of an appointment."""

    id: int
    client_id: int | None
    price_cents: int
    starts_at: datetime
    service_id: int


@dataclass
class Marked:
    appointment_ids: list[int] = field(default_factory=list)
    penalties: int = 0
    penalty_cents: int = 0
    clients_flagged: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class NoShowReport:
    """One location's run: what was (or, dry, would be) marked, and what is too old to mark."""

    location: str
    as_of: datetime
    grace_min: int
    lookback_hours: float
    dry_run: bool
    marked: int
    penalties: int
    penalty_cents: int
    appointment_ids: list[int]
    clients_flagged: list[int]
    stale: int
    stale_ids: list[int]
    job_run_id: int | None


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i:i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]


def _due_columns():  # type: ignore[no-untyped-def]
    return select(col(Appointment.id), col(Appointment.client_id), col(Appointment.price_cents),
                  col(Appointment.starts_at), col(Appointment.service_id))


def window(as_of: datetime, grace: timedelta, lookback: timedelta) -> tuple[datetime, datetime]:
    """[as_of - lookback, as_of - grace]: the starts that are due."""
    return as_of - lookback, as_of - grace


def due(session: Session, location: LocationView, as_of: datetime, grace: timedelta, lookback: timedelta,
        *, lock: bool = False) -> list[Due]:
    lo, hi = window(as_of, grace, lookback)
    query = _due_columns().where(
        Appointment.location_id == location.id, Appointment.status == "booked",
        col(Appointment.starts_at) >= lo, col(Appointment.starts_at) <= hi,
    ).order_by(col(Appointment.starts_at), col(Appointment.id))
    if lock:
        query = query.with_for_update()
    return [Due(*row) for row in session.exec(query)]


def stale(session: Session, location: LocationView, as_of: datetime, lookback: timedelta) -> tuple[int, list[int]]:
    """Booked appointments that started before the look-back window (never marked by the job)."""
    clause = (Appointment.location_id == location.id, Appointment.status == "booked",
              col(Appointment.starts_at) < as_of - lookback)
    count = session.exec(select(sa.func.count()).select_from(Appointment).where(*clause)).one()
    ids = session.exec(select(col(Appointment.id)).where(*clause)
                       .order_by(col(Appointment.starts_at).desc()).limit(_STALE_SHOWN)).all()
    return int(count), [int(i) for i in ids]


def _service_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(col(Service.id), col(Service.name)).where(col(Service.id).in_(sorted(ids)))).all())


def _plan(session: Session, policy: Policy, rows: Sequence[Due], *, lock: bool) -> tuple[list[tuple[Due, int]], dict[int, tuple[int, bool, int, bool]]]:
    """Penalties (appointment, amount) and client changes {id: (count, flag, new count, new flag)}."""
    fees = [(r, policy_fee(policy, "no_show", r.price_cents)) for r in rows if r.client_id is not None]
    fees = [(r, amount) for r, amount in fees if amount > 0]
    per_client = Counter(r.client_id for r in rows if r.client_id is not None)
    changes: dict[int, tuple[int, bool, int, bool]] = {}
    threshold = policy.deposit_after_no_shows
    for chunk in _chunks(sorted(per_client)):
        query = (select(col(Client.id), col(Client.no_show_count), col(Client.deposit_required))
                 .where(col(Client.id).in_(chunk)))
        if lock:
            query = query.with_for_update()
        for cid, count, flagged in session.exec(query):
            new_count = count + per_client[cid]
            changes[cid] = (count, flagged, new_count, flagged or (threshold > 0 and new_count >= threshold))
    return fees, changes


def mark(session: Session, *, actor: Actor, location: LocationView, policy: Policy, rows: Sequence[Due],
         now: datetime, dry_run: bool = False) -> Marked:
    """Mark `rows` as no-shows with their penalties and client counts, in the caller's transaction.

    Only rows still booked change (the update says so), so a row checked in meanwhile is left alone.
    """
    result = Marked()
    if dry_run:
        fees, changes = _plan(session, policy, rows, lock=False)
        result.appointment_ids = [r.id for r in rows]
    else:
        changed: set[int] = set()
        for chunk in _chunks([r.id for r in rows]):
            done = session.execute(
                sa.update(Appointment).where(col(Appointment.id).in_(chunk), Appointment.status == "booked")
                .values(status="no_show", no_show_at=now, updated_at=now).returning(col(Appointment.id)),
                execution_options={"synchronize_session": False},
            ).scalars().all()
            changed.update(done)
        rows = [r for r in rows if r.id in changed]
        result.appointment_ids = [r.id for r in rows]
        fees, changes = _plan(session, policy, rows, lock=True)
        names = _service_names(session, {r.service_id for r, _ in fees})
        insert_ignoring_duplicates(session, [{
            "location_id": location.id, "appointment_id": r.id, "client_id": r.client_id, "kind": "no_show",
            "amount_cents": amount, "status": "pending", "created_at": now, "created_by_id": actor.id,
            "reason": reason_for("no_show", names.get(r.service_id, "?"), r.starts_at, location),
        } for r, amount in fees])
        if changes:
            session.execute(sa.update(Client.__table__).where(Client.__table__.c.id == sa.bindparam("b_id"))
                            .values(no_show_count=sa.bindparam("b_count"), deposit_required=sa.bindparam("b_flag")),
                            [{"b_id": cid, "b_count": c[2], "b_flag": c[3]} for cid, c in changes.items()])
        penalty_ids: dict[int, int] = {}
        for chunk in _chunks([r.id for r, _ in fees]):
            penalty_ids.update(session.exec(select(col(Penalty.appointment_id), col(Penalty.id))
                                            .where(col(Penalty.appointment_id).in_(chunk))).all())
        amounts = dict((r.id, amount) for r, amount in fees)
        audit.record_many(session, actor=actor, location_id=location.id, rows=[
            *(("appointment.no_show", "appointment", r.id, {"status": "booked"},
               {"status": "no_show", "no_show_at": now, "penalty_id": penalty_ids.get(r.id),
                "penalty_cents": amounts.get(r.id, 0)}) for r in rows),
            *(("penalty.create", "penalty", penalty_ids[r.id], None,
               {"appointment_id": r.id, "client_id": r.client_id, "kind": "no_show", "amount_cents": amount,
                "status": "pending"}) for r, amount in fees if r.id in penalty_ids),
            *(("client.no_show", "client", cid, {"no_show_count": c[0], "deposit_required": c[1]},
               {"no_show_count": c[2], "deposit_required": c[3]}) for cid, c in changes.items()),
        ])
        _queue_notices(session, actor=actor, location=location, penalty_ids=list(penalty_ids.values()), now=now)
    result.penalties = len(fees)
    result.penalty_cents = sum(amount for _, amount in fees)
    result.clients_flagged = sorted(cid for cid, c in changes.items() if c[3] and not c[1])
    return result


def _queue_notices(session: Session, *, actor: Actor, location: LocationView, penalty_ids: list[int],
                   now: datetime) -> None:
    """Each new penalty's notice to its client (amount, where to pay), in the same transaction."""
    drafts = []
    for chunk in _chunks(sorted(penalty_ids)):
        rows = session.exec(select(col(Penalty.id), Penalty.amount_cents, Penalty.client_id, col(Appointment.id),
                                   Appointment.starts_at, Appointment.service_id, Appointment.staff_id)
                            .join(Appointment, col(Appointment.id) == Penalty.appointment_id)
                            .where(col(Penalty.id).in_(chunk), col(Penalty.client_id).is_not(None))).all()
        drafts += [outbox.Draft(template="no_show_notice", client_id=client_id, due=now,
                                appointment=outbox.AppointmentFacts(appt_id, starts_at, service_id, staff_id),
                                penalty=outbox.PenaltyFacts(penalty_id, amount), created_by_id=actor.id,
                                dedupe_key=f"no_show_notice:penalty:{penalty_id}")
                   for penalty_id, amount, client_id, appt_id, starts_at, service_id, staff_id in rows]
    outbox.queue(session, location=location, drafts=drafts, actor=actor)


def detect(
    engine: Engine,
    *,
    location: LocationView,
    as_of: datetime | None = None,
    grace: timedelta | None = None,
    lookback: timedelta | None = None,
    dry_run: bool = False,
    actor: Actor = SYSTEM,
    then: Callable[[Session], object] | None = None,
) -> NoShowReport:
    """One location's run of the job (raises `Busy`, exit 4, while another run holds the lock). `then`
    runs in the same transaction after the marking (the till settles the deposits they held)."""
    as_of = as_of or clock.now()
    with UnitOfWork(engine, write=False) as uow:
        policy = policy_row(uow.session, location)
    grace = grace if grace is not None else timedelta(minutes=policy.no_show_grace_min)
    lookback = lookback if lookback is not None else timedelta(hours=policy.no_show_lookback_hours)
    found: dict[str, Any] = {}

    def work(uow: UnitOfWork) -> dict[str, Any]:
        session = uow.session
        current = policy_row(session, location)
        rows = due(session, location, as_of, grace, lookback, lock=not dry_run)
        marked = mark(session, actor=actor, location=location, policy=current, rows=rows, now=clock.now(),
                      dry_run=dry_run)
        stale_count, stale_ids = stale(session, location, as_of, lookback)
        if then is not None and not dry_run:
            then(session)
        found.update(marked=marked, stale=(stale_count, stale_ids))
        return {"as_of": as_of.isoformat(), "marked": len(marked.appointment_ids), "penalties": marked.penalties,
                "penalty_cents": marked.penalty_cents, "clients_flagged": len(marked.clients_flagged),
                "stale": stale_count}

    run_id = None
    if dry_run:  # reads only: no lock, no job run, nothing written
        with UnitOfWork(engine, write=False) as uow:
            work(uow)
    else:
        run_id = jobs.run(engine, job=JOB, location_id=location.id, work=work, run_by=actor.run_by).id
    marked, (stale_count, stale_ids) = found["marked"], found["stale"]
    return NoShowReport(
        location=location.code, as_of=as_of, grace_min=int(grace.total_seconds() // 60),
        lookback_hours=lookback.total_seconds() / 3600, dry_run=dry_run, marked=len(marked.appointment_ids),
        penalties=marked.penalties, penalty_cents=marked.penalty_cents, appointment_ids=marked.appointment_ids,
        clients_flagged=marked.clients_flagged, stale=stale_count, stale_ids=stale_ids, job_run_id=run_id,
    )
