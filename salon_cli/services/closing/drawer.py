"""The cash drawer's own ledger: the opening float, cash put in, cash taken out (DESIGN.md rule 2).

Movements are append-only: never edited or deleted; a mistake is corrected by a new movement the
other way (`salon cash in` / `salon cash out`). They always land on today's business day, and are
refused while it is closed (`business_days.ensure_today_open`). One float a day: a second one is
refused. Cash sales, cash refunds and cash expenses live in their own tables; the Z-report adds them
to `totals`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import CASH_MOVEMENT_KINDS, CashMovement, Staff
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

REASON_MAX = 255
MAX_CENTS = 1_000_000_000

_DOING = {"float": "the opening float", "in": "cash in", "out": "cash out"}


@dataclass(frozen=True)
class CashMovementView:
    id: int
    business_date: date
    kind: str
    amount_cents: int
    reason: str | None
    created_by: str | None
    created_at: datetime


def check_kind(kind: str | None) -> str:
    value = (kind or "").strip().lower()
    if value not in CASH_MOVEMENT_KINDS:
        raise InvalidInput(f"cash movement {kind!r} is not one of {', '.join(CASH_MOVEMENT_KINDS)}")
    return value


def _reason(value: str | None, kind: str) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        if kind == "out":
            raise InvalidInput("taking cash out needs a reason", hint='e.g. --reason "bank deposit"')
        return None
    if len(text) > REASON_MAX:
        raise InvalidInput(f"the reason is longer than {REASON_MAX} characters")
    return text


def _float_key(location_id: int, day: date) -> int:
    digest = hashlib.blake2b(f"salon:float:{location_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _one_float_at_a_time(session: Session, location_id: int, day: date) -> None:
    """Two floats at once would both find none: on PostgreSQL they queue on a lock of their own
    (SQLite's writing transactions already hold the database's write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _float_key(location_id, day)})


def move(session: Session, *, actor: Actor, location: LocationView, kind: str, amount_cents: int,
         reason: str | None = None) -> CashMovementView:
    """Record a drawer movement on today's business day. Exit 2 for bad input (a cash out needs a
    reason), exit 1 when today is closed or a float was already counted today."""
    authorize(actor, Permission.desk)
    kind = check_kind(kind)
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise InvalidInput("an amount must be a whole number of minor units")
    if amount_cents <= 0:
        raise InvalidInput(f"{_DOING[kind]} must be more than zero")
    if amount_cents > MAX_CENTS:
        raise InvalidInput(f"{_DOING[kind]} is too large")
    why = _reason(reason, kind)
    day = business_days.ensure_today_open(session, location, "a cash movement")
    if kind == "float":
        _one_float_at_a_time(session, location.id, day)
        earlier = session.exec(select(CashMovement.id).where(
            CashMovement.location_id == location.id, CashMovement.business_date == day,
            col(CashMovement.kind) == "float")).first()
        if earlier is not None:
            raise RuleViolation(f"the float of {day.isoformat()} at {location.code} is already counted",
                                hint="correct it with: salon cash in --amount A  or  salon cash out --amount A --reason ...")
    row = CashMovement(location_id=location.id, business_date=day, kind=kind, amount_cents=amount_cents, reason=why,
                       created_at=clock.now(), created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=f"cash.{kind}", entity="cash_movement", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row, only=("business_date", "kind", "amount_cents",
                                                                           "reason")))
    return CashMovementView(id=row.id or 0, business_date=day, kind=kind, amount_cents=amount_cents, reason=why,
                            created_by=None if actor.is_system else actor.code, created_at=row.created_at)


def movements(session: Session, *, location: LocationView, day: date) -> list[CashMovementView]:
    """A business day's movements, in the order they were made."""
    query = (sa.select(CashMovement, col(Staff.code))
             .outerjoin(Staff, col(Staff.id) == CashMovement.created_by_id)
             .where(col(CashMovement.location_id) == location.id, col(CashMovement.business_date) == day)
             .order_by(col(CashMovement.id)))
    return [CashMovementView(id=row.id or 0, business_date=row.business_date, kind=row.kind,
                             amount_cents=row.amount_cents, reason=row.reason, created_by=code,
                             created_at=row.created_at)
            for row, code in session.execute(query).all()]


def totals(session: Session, location_id: int, day: date) -> dict[str, int]:
    """`float_cents`, `in_cents`, `out_cents` of a location's business day (zeros when none),
    in one GROUP BY on the (location_id, business_date) index."""
    query = (select(col(CashMovement.kind), sa.func.sum(CashMovement.amount_cents))
             .where(CashMovement.location_id == location_id, CashMovement.business_date == day)
             .group_by(col(CashMovement.kind)))
    sums = {kind: int(cents or 0) for kind, cents in session.exec(query).all()}
    return {"float_cents": sums.get("float", 0), "in_cents": sums.get("in", 0), "out_cents": sums.get("out", 0)}
