"""`salon export expenses`: a location's expenses (recorded and void) as records, streamed.

Read in keyset pages by id (`WHERE id > last ORDER BY id LIMIT batch`), like `sale_export`: memory
stays flat, and an expense written while the export runs cannot shift a page. The window is the
business day (`--from`/`--to`, inclusive). Staff are named by their codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from salon_cli.db.models import Expense, Staff
from salon_cli.services.closing.expenses import check_window
from salon_cli.services.salon.locations import LocationView

COLUMNS = ["id", "business_date", "category", "description", "amount_cents", "paid_from", "status", "created_by",
           "created_at", "void_reason", "voided_by", "voided_at"]


def expenses(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
             batch: int = 500) -> Iterator[dict[str, Any]]:
    """Expenses of `location` on business days `first`..`last` (either end open), by id: one dict
    each with `COLUMNS`, from a generator over keyset pages. A bad window is refused here, before
    the first record."""
    check_window(first, last)
    made, voided = aliased(Staff), aliased(Staff)
    query = (sa.select(col(Expense.id), col(Expense.business_date), col(Expense.category), col(Expense.description),
                       col(Expense.amount_cents), col(Expense.paid_from), col(Expense.status),
                       made.code.label("created_by"), col(Expense.created_at), col(Expense.void_reason),
                       voided.code.label("voided_by"), col(Expense.voided_at))
             .outerjoin(made, made.id == Expense.created_by_id)
             .outerjoin(voided, voided.id == Expense.voided_by_id)
             .where(col(Expense.location_id) == location.id))
    if first is not None:
        query = query.where(col(Expense.business_date) >= first)
    if last is not None:
        query = query.where(col(Expense.business_date) <= last)
    return _pages(session, query, batch)


def _pages(session: Session, query: Any, batch: int) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = session.execute(query.where(col(Expense.id) > after).order_by(col(Expense.id)).limit(batch)).all()
        for row in rows:
            record = dict(row._mapping)
            yield {column: record[column] for column in COLUMNS}
        if len(rows) < batch:
            return
        after = rows[-1].id
