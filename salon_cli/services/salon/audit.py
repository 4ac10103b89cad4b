"""The audit log: every change writes its row in the same transaction as the change.

`at` is always the machine's real instant (`clock.real_now`): a clock override (SALON_NOW) cannot date
a row at will. When the override set another business instant, the row keeps that too (`business_at`).
A cron job acts as `system`; `run_by` names who ran it (`--as`, else the machine's user).

A new audit row moves the change marker the dashboard watches (`changes.marker`); on PostgreSQL its
transaction also tells the listening dashboards when it commits (`db.notify`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from salon_cli.core import clock
from salon_cli.db import notify
from salon_cli.db.models import AuditLog
from salon_cli.services.salon.actors import Actor
from salon_cli.db.bulk import insert_many

notify.install()  # every session that writes an audit row tells the other desks when it commits

_SECRET = frozenset({"pin_hash", "pin"})


def snapshot(row: SQLModel | None, *, only: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """A JSON-safe picture of a row for before/after (secrets left out)."""
    if row is None:
        return None
    data = row.model_dump()
    return {k: _json_safe(v) for k, v in data.items() if k not in _SECRET and (only is None or k in only)}


_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON as they are: most values of an audit row


def _json_safe(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: v if type(v) in _PLAIN else _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    location_id: int | None = None,
) -> AuditLog:
    row = AuditLog(
        **instants(),
        run_by=actor.run_by,
        location_id=location_id,
        actor=actor.code,
        actor_id=actor.id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
    )
    session.add(row)
    notify.changed(session, location_id)
    return row


def instants() -> dict[str, datetime | None]:
    """An audit row's `at` (the machine's instant) and `business_at` (the business instant, where a
    clock override made it another): for code that writes audit rows in bulk itself."""
    real, business = clock.real_and_business()
    return {"at": real, "business_at": business if business != real else None}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    location_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    business_at: datetime | None = None
    run_by: str | None = None


def entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> Iterator[AuditEntry]:
    query = select(AuditLog).order_by(col(AuditLog.id).desc())
    if entity:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    if actor:
        query = query.where(AuditLog.actor == actor.lower())
    if since is not None:
        query = query.where(col(AuditLog.at) >= since)
    if limit:
        query = query.limit(limit)
    for row in session.exec(query):
        yield AuditEntry(
            id=row.id or 0, at=row.at, actor=row.actor, action=row.action, entity=row.entity,
            entity_id=row.entity_id, location_id=row.location_id, before=row.before, after=row.after,
            business_at=row.business_at, run_by=row.run_by,
        )


def record_many(
    session: Session,
    *,
    actor: Actor,
    location_id: int | None,
    rows: Iterable[tuple[str, str, int | None, dict[str, Any] | None, dict[str, Any] | None]],
) -> int:
    """Many audit rows at once (action, entity, entity_id, before, after), for bulk changes such as
    a cron job's: one statement, still in the caller's transaction."""
    when = instants()
    values = [
        {**when, "run_by": actor.run_by, "location_id": location_id, "actor": actor.code, "actor_id": actor.id,
         "action": action, "entity": entity, "entity_id": entity_id,
         "before": _json_safe(before) if before is not None else None,
         "after": _json_safe(after) if after is not None else None}
        for action, entity, entity_id, before, after in rows
    ]
    # the plain table, not the ORM's bulk machinery: one executemany (a job or an import writes thousands)
    insert_many(session, AuditLog, values)
    if values:
        notify.changed(session, location_id)
    return len(values)
