"""This database's own stamp: a random id chosen once, that salon writes into the metadata of what it
creates at Stripe (PaymentIntents, payment links).

Why: two salon databases may share one Stripe account and even a location code, so their payment and
sale ids, and their metadata, can look alike. When an event's object is not found by its Stripe id,
its metadata is only a hint, and the stamp is what tells this database's objects from another's
(`services.stripe.apply`).

Where it lives: there is no settings table, so the stamp is the `after` of one audit row (entity
`database`, action `database.stamp`), written with the database's first Stripe payment or link. The
audit log is append-only (SECURITY.md: the app role may not update or delete it), so the stamp never
changes. A copy of the database (a backup restored) keeps it, as it should: it is the same salon's data.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.db.models import AuditLog
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import SYSTEM

ENTITY, ACTION = "database", "database.stamp"
_LOCK = 0x5A1_0002  # PostgreSQL: two desks stamping an old database at once write one stamp


def install_id(session: Session, *, create: bool = False) -> str | None:
    """The stamp, or None when there is none yet; `create` (in a writing transaction) makes it then."""
    found = _read(session)
    if found is not None or not create:
        return found
    if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already serialises writers
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        found = _read(session)
        if found is not None:
            return found
    stamp = secrets.token_hex(16)
    audit.record(session, actor=SYSTEM, action=ACTION, entity=ENTITY, entity_id=None, after={"install_id": stamp})
    session.flush()
    return stamp


def _read(session: Session) -> str | None:
    after = session.exec(select(AuditLog.after).where(AuditLog.entity == ENTITY, AuditLog.action == ACTION)
                         .order_by(col(AuditLog.id)).limit(1)).first()
    stamp = after.get("install_id") if isinstance(after, dict) else None
    return stamp if isinstance(stamp, str) and stamp else None
