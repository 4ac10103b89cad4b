"""Stripe events in: verify, store first, apply once (webhook, `salon stripe ingest`, `salon stripe sync`).

Why it is shaped like this (DESIGN.md, Stripe; rule 3):

* **Store first, by constraint.** Transaction 1 inserts the event row with insert-or-ignore on its
  id (`ON CONFLICT (id) DO NOTHING`) and commits. Stripe delivers at least once, possibly twice at the
  same moment; the primary key, not a read-then-write, is what makes the second delivery a no-op.
* **Apply under the row lock.** Transaction 2 locks the stored row (`FOR UPDATE` on PostgreSQL; on
  SQLite `BEGIN IMMEDIATE` already serialises writers), re-reads its status and applies the event only
  while it is still `received` or `failed`. So ten simultaneous deliveries of one event apply it
  once: the others wait for the lock, then see `applied` and answer "duplicate".
* **A failure is recorded, not lost.** When `stripe_apply.apply` raises, its effects are rolled back
  and transaction 3 records `failed`, the attempt and a one-line error; `EventFailed` tells the caller
  (the webhook answers 500 so Stripe redelivers, and a redelivery re-attempts it; `retry` does too).
* **Audit (rule 1).** Every status change writes its `audit_log` row, as `system`, in the same
  transaction. Audit ids are integers and event ids are not, so the event id is in `after`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, SalonError
from salon_cli.db.models import STRIPE_EVENT_STATUSES, StripeEvent
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, jobs
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.stripe.gateway import verify_webhook
from salon_cli.services.stripe.apply import HANDLED_TYPES
from salon_cli.services.stripe import apply as stripe_apply

JOB = "stripe-sync"
SOURCES = ("webhook", "ingest", "sync")
FINAL = ("applied", "ignored")
SYNC_WINDOW = timedelta(days=3)  # how far back the first sync looks when nothing is stored yet
# Each sync looks this far behind the newest stored event: an older event that reached us late (or
# not at all, while a newer one came by webhook) is still fetched; what is already here is a no-op.
SYNC_OVERLAP_SECONDS = 600
_ERROR_MAX = 500


class EventFailed(SalonError):
    """Applying a stored event raised: it is now `failed` with its error (exit 1; webhook: HTTP 500)."""

    def __init__(self, event_id: str, type_: str, error: str) -> None:
        super().__init__(f"Stripe event {event_id} ({type_}) could not be applied: {error}",
                         hint=f"it is stored as failed; fix the cause, then: salon stripe retry {event_id}")
        self.event_id, self.type, self.error = event_id, type_, error


@dataclass(frozen=True)
class Received:
    """What became of one delivery. `duplicate`: it was already applied (or ignored); nothing changed."""

    event_id: str
    type: str
    status: str
    duplicate: bool
    note: str | None = None


@dataclass(frozen=True)
class EventView:
    id: str
    type: str
    status: str
    source: str
    created_at: datetime | None  # Stripe's own time of the event
    received_at: datetime
    applied_at: datetime | None
    attempts: int
    error: str | None  # why it failed, or why it was ignored

    @classmethod
    def of(cls, row: StripeEvent) -> EventView:
        created = datetime.fromtimestamp(row.created, timezone.utc) if row.created else None
        return cls(id=row.id, type=row.type, status=row.status, source=row.source, created_at=created,
                   received_at=row.received_at, applied_at=row.applied_at, attempts=row.attempts, error=row.error)


@dataclass(frozen=True)
class SyncReport:
    fetched: int
    applied: int
    ignored: int
    duplicates: int
    failed: int
    event_ids: list[str] = field(default_factory=list)  # applied or ignored by this run (dry run: would be)
    failed_ids: list[str] = field(default_factory=list)
    since: datetime | None = None
    dry_run: bool = False
    job_run_id: int | None = None


def one_line(exc: BaseException) -> str:
    """An exception as one line of at most 500 characters (the `error` column)."""
    text = exc.message if isinstance(exc, SalonError) else str(exc)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return line if len(line) <= _ERROR_MAX else line[: _ERROR_MAX - 1] + "…"


def check_event(event: Any) -> dict[str, Any]:
    """The least an event must have to be stored: an id and a type that fit their columns."""
    if not isinstance(event, dict):
        raise InvalidInput("not a Stripe event (not a JSON object)")
    event_id, type_ = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 64:
        raise InvalidInput("not a Stripe event (its id is missing or longer than 64 characters)")
    if not isinstance(type_, str) or not type_.strip() or len(type_) > 64:
        raise InvalidInput(f"Stripe event {event_id} has no usable type")
    return event


def verify(payload: bytes, signature: str | None, *, secret: str, tolerance: int = 300,
           now: int | None = None) -> dict[str, Any]:
    """The signed event, or InvalidInput (exit 2) for a bad, missing or stale signature or a bad body."""
    return check_event(verify_webhook(payload, signature, secret, tolerance=tolerance, now=now))


def receive(engine: Engine, payload: bytes, signature: str | None, *, secret: str, source: str = "webhook",
            tolerance: int = 300, now: int | None = None) -> Received:
    """Verify one delivery, store it, apply it once. Bad signature: InvalidInput and nothing stored."""
    event = verify(payload, signature, secret=secret, tolerance=tolerance, now=now)
    return store_and_apply(engine, event, source=source)


def store_and_apply(engine: Engine, event: dict[str, Any], *, source: str) -> Received:
    """Store the (already trusted) event if new, then apply it unless it already was."""
    check_event(event)
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    stored = _store(engine, event, source)
    if stored is not None:
        return stored
    return _attempt(engine, event["id"], refuse_final=False)


def retry(engine: Engine, event_id: str, *, actor: Actor = SYSTEM) -> Received:
    """Apply a `failed` (or stuck `received`) event again; an applied or ignored one is refused."""
    return _attempt(engine, event_id.strip(), refuse_final=True, actor=actor)


def _insert(engine: Engine) -> Any:
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect in use: its INSERT ... ON CONFLICT
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(StripeEvent.__table__)


def _store(engine: Engine, event: dict[str, Any], source: str) -> Received | None:
    """Transaction 1: insert-or-ignore. A duplicate of a finished event is answered here (None: go on)."""
    created = event.get("created")
    with UnitOfWork(engine) as uow:
        # RETURNING says whether this delivery inserted the row (rowcount is not reliable on every driver)
        inserted = uow.session.execute(_insert(engine).values(
            id=event["id"], type=event["type"], status="received", source=source,
            created=created if type(created) is int and 0 <= created < 2**31 else 0,  # Unix seconds, as the column holds
            payload=event, attempts=0, received_at=clock.now(),
        ).on_conflict_do_nothing(index_elements=["id"]).returning(StripeEvent.__table__.c.id)).first()
        if inserted:
            audit.record(uow.session, actor=SYSTEM, action="stripe_event.received", entity="stripe_event",
                         entity_id=None, after={"event_id": event["id"], "type": event["type"], "source": source})
            uow.commit()
            return None
        row = uow.session.exec(select(StripeEvent).where(StripeEvent.id == event["id"])).one()
        if row.status in FINAL:
            return Received(row.id, row.type, row.status, True, row.error)
        return None  # received (a crashed or concurrent attempt) or failed: (re-)attempt it


def _locked(session: Session, event_id: str) -> StripeEvent | None:
    query = (select(StripeEvent).where(StripeEvent.id == event_id).with_for_update()
             .execution_options(populate_existing=True))
    return session.exec(query).first()


def _attempt(engine: Engine, event_id: str, *, refuse_final: bool, actor: Actor = SYSTEM) -> Received:
    """Transaction 2: lock, apply, record. On failure, transaction 3 records it and EventFailed is raised."""
    with UnitOfWork(engine) as uow:
        session = uow.session
        row = _locked(session, event_id)
        if row is None:
            raise NotFound(f"no Stripe event {event_id!r}", hint="list them: salon stripe events")
        if row.status in FINAL:
            if refuse_final:
                raise RuleViolation(f"Stripe event {event_id} is already {row.status}",
                                    hint="an event is applied once; nothing to retry")
            return Received(row.id, row.type, row.status, True, row.error)
        type_, before = row.type, {"status": row.status, "attempts": row.attempts}
        try:
            status, note = stripe_apply.apply(session, dict(row.payload or {}))
            if status not in FINAL:
                raise ValueError(f"stripe_apply.apply returned status {status!r}")
            session.flush()
            row.status, row.applied_at, row.attempts = status, clock.now(), row.attempts + 1
            row.error = (note or None) if status == "ignored" else None
            if row.error and len(row.error) > _ERROR_MAX:
                row.error = row.error[: _ERROR_MAX - 1] + "…"
            session.add(row)
            audit.record(session, actor=actor, action=f"stripe_event.{status}", entity="stripe_event",
                         entity_id=None, before=before,
                         after={"event_id": event_id, "type": type_, "status": status, "attempts": row.attempts,
                                "note": note})
            uow.commit()
            return Received(event_id, type_, status, False, note)
        except Exception as exc:  # any failure: the event failed; roll back every effect of this attempt
            failure: Exception = exc
            uow.rollback()
    error = one_line(failure)
    _record_failure(engine, event_id, error, actor)
    raise EventFailed(event_id, type_, error) from failure


def _record_failure(engine: Engine, event_id: str, error: str, actor: Actor) -> None:
    """Transaction 3: `failed`, one more attempt, the error -- unless another worker applied it meanwhile."""
    with UnitOfWork(engine) as uow:
        row = _locked(uow.session, event_id)
        if row is None or row.status in FINAL:
            return
        before = {"status": row.status, "attempts": row.attempts}
        row.status, row.attempts, row.error = "failed", row.attempts + 1, error
        uow.session.add(row)
        audit.record(uow.session, actor=actor, action="stripe_event.failed", entity="stripe_event", entity_id=None,
                     before=before, after={"event_id": event_id, "type": row.type, "status": "failed",
                                           "attempts": row.attempts, "error": error})
        uow.commit()


def list_events(session: Session, *, status: str | None = None, limit: int | None = None) -> list[EventView]:
    """Stored events, newest first (by arrival, then Stripe's time)."""
    query = select(StripeEvent).order_by(col(StripeEvent.received_at).desc(), col(StripeEvent.created).desc(),
                                         col(StripeEvent.id).desc())
    if status:
        if status not in STRIPE_EVENT_STATUSES:
            raise InvalidInput(f"status {status!r} is not one of {', '.join(STRIPE_EVENT_STATUSES)}")
        query = query.where(StripeEvent.status == status)
    if limit:
        query = query.limit(limit)
    return [EventView.of(row) for row in session.exec(query)]


def get(session: Session, event_id: str) -> EventView:
    row = session.get(StripeEvent, event_id.strip())
    if row is None:
        raise NotFound(f"no Stripe event {event_id!r}", hint="list them: salon stripe events")
    return EventView.of(row)


def _since(session: Session) -> int:
    newest = session.exec(select(sa.func.max(StripeEvent.created))).one()
    if newest:
        return int(newest) - SYNC_OVERLAP_SECONDS
    return int((clock.now() - SYNC_WINDOW).timestamp())


def _fetch(gateway: Any, since: int) -> list[dict[str, Any]]:
    return [e for e in gateway.list_events(created_gte=since, types=list(HANDLED_TYPES)) if isinstance(e, dict)]


def sync(engine: Engine, gateway: Any, *, dry_run: bool = False) -> SyncReport:
    """Catch up with Stripe for a desk no webhook can reach: pull the events since the newest stored
    one (or the last 3 days) and store and apply each, oldest first. Single-instance (Busy, exit 4)
    and recorded in `job_run` as `stripe-sync`; Stripe unreachable: OutsideServiceFailed (exit 5).
    A dry run reads Stripe and the database, writes nothing and takes no lock."""
    if dry_run:
        with UnitOfWork(engine, write=False) as uow:
            since = _since(uow.session)
            events = _fetch(gateway, since)
            ids = [check_event(e)["id"] for e in events]
            done = set(uow.session.exec(select(col(StripeEvent.id)).where(
                col(StripeEvent.id).in_(ids), col(StripeEvent.status).in_(FINAL))).all()) if ids else set()
        todo = list(dict.fromkeys(i for i in ids if i not in done))
        return SyncReport(fetched=len(events), applied=0, ignored=0, duplicates=len(ids) - len(todo), failed=0,
                          event_ids=todo, since=datetime.fromtimestamp(since, timezone.utc), dry_run=True)

    found: dict[str, Any] = {}

    def work(_uow: UnitOfWork) -> dict[str, Any]:
        # Each event gets transactions of its own (store, apply); this unit of work stays unused so
        # that, on SQLite, it never holds the write lock the per-event transactions need.
        with UnitOfWork(engine, write=False) as reader:
            since = _since(reader.session)
        events = _fetch(gateway, since)
        counts = {"applied": 0, "ignored": 0, "duplicates": 0, "failed": 0}
        event_ids: list[str] = []
        failed_ids: list[str] = []
        for event in events:
            try:
                got = store_and_apply(engine, event, source="sync")
            except EventFailed as exc:
                counts["failed"] += 1
                failed_ids.append(exc.event_id)
                continue
            if got.duplicate:
                counts["duplicates"] += 1
            else:
                counts[got.status] += 1
                event_ids.append(got.event_id)
        found.update(since=since, fetched=len(events), counts=counts, event_ids=event_ids, failed_ids=failed_ids)
        return {"since": since, "fetched": len(events), **counts, "failed_ids": failed_ids[:100]}

    run = jobs.run(engine, job=JOB, location_id=None, work=work)
    counts = found["counts"]
    return SyncReport(fetched=found["fetched"], applied=counts["applied"], ignored=counts["ignored"],
                      duplicates=counts["duplicates"], failed=counts["failed"], event_ids=found["event_ids"],
                      failed_ids=found["failed_ids"], since=datetime.fromtimestamp(found["since"], timezone.utc),
                      dry_run=False, job_run_id=run.id)
