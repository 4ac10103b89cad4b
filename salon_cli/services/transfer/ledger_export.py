"""`salon export loyalty` and `salon export audit`: the loyalty ledger and the audit log as records, streamed.

Both are read in keyset pages by id (`WHERE id > last ORDER BY id LIMIT batch`), like `sale_export`:
memory stays flat, and a row written while the export runs cannot shift a page. The window
(`--from`/`--to`, inclusive) is in the location's business days, on each row's instant.

A location's rows are its own and the chain's (no location): a point expiry (`expire-points` runs for
the whole chain) or a merge of clients belongs to every location's books. Staff are named by their
codes, locations by theirs. The audit log never holds a PIN hash or a note's body (`services.salon.audit`),
so there is nothing private to leave out here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.days import day_bounds
from salon_cli.db.models import AuditLog, Client, Location, LoyaltyAccount, LoyaltyEntry, Redemption, Staff
from salon_cli.services.closing.expenses import check_window
from salon_cli.services.salon.locations import LocationView

LOYALTY_COLUMNS = ["id", "created_at", "client_id", "client", "kind", "points", "stamps", "ref", "sale_id",
                   "refund_id", "redemption_code", "reverses_id", "reason", "staff", "location"]
AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "location", "before", "after"]


def loyalty_entries(session: Session, *, location: LocationView, first: date | None = None,
                    last: date | None = None, kind: str | None = None, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """The ledger's entries of `location` (and the chain's) made on business days `first`..`last`,
    by id: one dict each with `LOYALTY_COLUMNS`. A bad window is refused here, before the first record."""
    check_window(first, last)
    e = LoyaltyEntry
    query = (sa.select(col(e.id), col(e.created_at), col(LoyaltyAccount.client_id),
                       col(Client.first_name), col(Client.last_name), col(e.kind), col(e.points), col(e.stamps),
                       col(e.sale_id), col(e.refund_id), col(Redemption.code).label("redemption_code"),
                       col(e.reverses_id), col(e.reason), col(Staff.code).label("staff"),
                       col(Location.code).label("location"))
             .join(LoyaltyAccount, col(LoyaltyAccount.id) == e.account_id)
             .join(Client, col(Client.id) == LoyaltyAccount.client_id)
             .outerjoin(Redemption, col(Redemption.id) == e.redemption_id)
             .outerjoin(Staff, col(Staff.id) == e.staff_id)
             .outerjoin(Location, col(Location.id) == e.location_id)
             .where(sa.or_(col(e.location_id) == location.id, col(e.location_id).is_(None))))
    query = _window(query, col(e.created_at), location, first, last)
    if kind:
        query = query.where(col(e.kind) == kind)
    for row in _pages(session, query, col(e.id), batch):
        yield {
            "id": row.id, "created_at": row.created_at, "client_id": row.client_id,
            "client": f"{row.first_name or ''} {row.last_name or ''}".strip(), "kind": row.kind,
            "points": row.points, "stamps": row.stamps, "ref": _ref(row), "sale_id": row.sale_id,
            "refund_id": row.refund_id, "redemption_code": row.redemption_code, "reverses_id": row.reverses_id,
            "reason": row.reason, "staff": row.staff, "location": row.location,
        }


def _ref(row: Any) -> str | None:
    """What the entry points at, as `salon loyalty history` says it."""
    parts = [f"{label} {value}" for label, value in (("sale", row.sale_id), ("refund", row.refund_id),
                                                      ("code", row.redemption_code), ("reverses", row.reverses_id))
             if value]
    return ", ".join(parts) or None


def audit_entries(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
                  entity: str | None = None, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """The audit rows of `location` (and the chain's) written on business days `first`..`last`, by id:
    one dict each with `AUDIT_COLUMNS` (`before` and `after` as they were recorded)."""
    check_window(first, last)
    a = AuditLog
    query = (sa.select(col(a.id), col(a.at), col(a.actor), col(a.action), col(a.entity), col(a.entity_id),
                       col(Location.code).label("location"), col(a.before), col(a.after))
             .outerjoin(Location, col(Location.id) == a.location_id)
             .where(sa.or_(col(a.location_id) == location.id, col(a.location_id).is_(None))))
    query = _window(query, col(a.at), location, first, last)
    if entity:
        query = query.where(col(a.entity) == entity)
    for row in _pages(session, query, col(a.id), batch):
        yield {column: getattr(row, column) for column in AUDIT_COLUMNS}


def _window(query: Any, instant: Any, location: LocationView, first: date | None, last: date | None) -> Any:
    if first is not None:
        query = query.where(instant >= day_bounds(first, location.tz)[0])
    if last is not None:
        query = query.where(instant < day_bounds(last, location.tz)[1])
    return query


def _pages(session: Session, query: Any, key: Any, batch: int) -> Iterator[Any]:
    after = 0
    while True:
        rows = session.execute(query.where(key > after).order_by(key).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id
