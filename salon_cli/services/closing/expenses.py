"""Expenses: money out of the business (rent, supplies, a plumber), paid from the drawer, a card or the bank.

An expense is dated on the business day it belongs to (today by default, an earlier day when it is
entered late, never a day still to come) and is refused in a closed day (`business_days.ensure_open`,
DESIGN.md rule 4). Categories are free text kept in one spelling (trimmed, single spaces, lower
case), so "Supplies" and " supplies " add up together. A mistake is voided by a manager with a reason
(the row stays, audited), never edited or deleted. The Z-report reads `by_category` (recorded ones only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.db.models import EXPENSE_SOURCES, Expense, Staff
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

CATEGORY_MAX = 64
DESCRIPTION_MAX = 200
REASON_MAX = 255
MAX_CENTS = 1_000_000_000  # 10,000,000.00 of a two-decimal currency: well inside the column's range

_AUDITED = ("business_date", "category", "description", "amount_cents", "paid_from", "status", "void_reason")


@dataclass(frozen=True)
class ExpenseView:
    id: int
    business_date: date
    category: str
    description: str
    amount_cents: int
    paid_from: str
    status: str
    created_by: str | None
    created_at: datetime
    void_reason: str | None
    voided_by: str | None
    voided_at: datetime | None


# ----------------------------------------------------------------------------- input

def _text(value: str | None, what: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidInput(f"{what} is empty")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text


def clean_category(value: str | None) -> str:
    """' Office  SUPPLIES ' -> 'office supplies' (exit 2 when empty or longer than 64)."""
    return _text(value, "the category", CATEGORY_MAX).lower()


def check_amount(amount_cents: int) -> int:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise InvalidInput("an amount must be a whole number of minor units")
    if amount_cents <= 0:
        raise InvalidInput("an expense's amount must be more than zero")
    if amount_cents > MAX_CENTS:
        raise InvalidInput("an expense's amount is too large")
    return amount_cents


def check_source(paid_from: str | None) -> str:
    source = (paid_from or "").strip().lower()
    if source not in EXPENSE_SOURCES:
        raise InvalidInput(f"paid from {paid_from!r} is not one of {', '.join(EXPENSE_SOURCES)}")
    return source


def check_window(first: date | None, last: date | None) -> None:
    if first and last and first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")


# ----------------------------------------------------------------------------- changes

def add(session: Session, *, actor: Actor, location: LocationView, amount_cents: int, category: str,
        description: str, paid_from: str = "cash", day: date | None = None) -> ExpenseView:
    """Record an expense on `day` (default: today's business day). Exit 2 for bad input or a day
    still to come, exit 1 when the day is closed."""
    authorize(actor, Permission.desk)
    amount = check_amount(amount_cents)
    cat = clean_category(category)
    what = _text(description, "the description", DESCRIPTION_MAX)
    source = check_source(paid_from)
    today = business_days.today(location)
    day = today if day is None else day
    if day > today:
        raise InvalidInput(f"{day.isoformat()} is after today ({today.isoformat()}): an expense is dated on "
                           "the day it was paid", hint="leave out --date for today")
    business_days.ensure_open(session, location, day, "an expense")
    row = Expense(location_id=location.id, business_date=day, category=cat, description=what, amount_cents=amount,
                  paid_from=source, status="recorded", created_at=clock.now(), created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="expense.add", entity="expense", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row, only=_AUDITED))
    return get(session, row.id or 0, location)


def void(session: Session, *, actor: Actor, location: LocationView, expense_id: int, reason: str) -> ExpenseView:
    """A manager (with PIN) voids a recorded expense, saying why. Refused in a closed day (exit 1)."""
    authorize(actor, Permission.expense_void)
    why = _text(reason, refusal_words("the reason"), REASON_MAX)
    row = session.get(Expense, expense_id, with_for_update=True)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no expense {expense_id} at {location.code}", hint="see: salon expense list")
    if row.status != "recorded":
        raise RuleViolation(f"expense {expense_id} is already void", hint=f"reason given: {row.void_reason}")
    business_days.ensure_open(session, location, row.business_date, "voiding an expense")
    before = audit.snapshot(row, only=_AUDITED)
    row.status, row.voided_at, row.voided_by_id, row.void_reason = "void", clock.now(), actor.id, why
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="expense.void", entity="expense", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row, only=_AUDITED))
    return get(session, expense_id, location)


# ----------------------------------------------------------------------------- reading

def _query() -> Any:
    made, voided = aliased(Staff), aliased(Staff)
    return (sa.select(Expense, made.code.label("created_by"), voided.code.label("voided_by"))
            .outerjoin(made, made.id == Expense.created_by_id)
            .outerjoin(voided, voided.id == Expense.voided_by_id))


def _view(row: Expense, created_by: str | None, voided_by: str | None) -> ExpenseView:
    return ExpenseView(id=row.id or 0, business_date=row.business_date, category=row.category,
                       description=row.description, amount_cents=row.amount_cents, paid_from=row.paid_from,
                       status=row.status, created_by=created_by, created_at=row.created_at,
                       void_reason=row.void_reason, voided_by=voided_by, voided_at=row.voided_at)


def get(session: Session, expense_id: int, location: LocationView) -> ExpenseView:
    found = session.execute(_query().where(col(Expense.id) == expense_id,
                                           col(Expense.location_id) == location.id)).first()
    if found is None:
        raise NotFound(f"no expense {expense_id} at {location.code}", hint="see: salon expense list")
    return _view(*found)


def list_expenses(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
                  category: str | None = None, include_void: bool = False) -> list[ExpenseView]:
    """Expenses of business days `first`..`last` (either end open), newest first."""
    check_window(first, last)
    query = _query().where(col(Expense.location_id) == location.id)
    if first is not None:
        query = query.where(col(Expense.business_date) >= first)
    if last is not None:
        query = query.where(col(Expense.business_date) <= last)
    if category is not None:
        query = query.where(col(Expense.category) == clean_category(category))
    if not include_void:
        query = query.where(col(Expense.status) == "recorded")
    query = query.order_by(col(Expense.business_date).desc(), col(Expense.id).desc())
    return [_view(*found) for found in session.execute(query).all()]


def by_category(session: Session, *, location: LocationView, first: date | None, last: date | None,
                paid_from: str | None = None) -> list[tuple[str, int]]:
    """(category, cents) of recorded expenses on days `first`..`last`, by category name; with
    `paid_from` only those paid that way (the Z-report's cash expenses: `paid_from="cash"`)."""
    check_window(first, last)
    query = (select(col(Expense.category), sa.func.sum(Expense.amount_cents))
             .where(col(Expense.location_id) == location.id, col(Expense.status) == "recorded"))
    if first is not None:
        query = query.where(col(Expense.business_date) >= first)
    if last is not None:
        query = query.where(col(Expense.business_date) <= last)
    if paid_from is not None:
        query = query.where(col(Expense.paid_from) == check_source(paid_from))
    query = query.group_by(col(Expense.category)).order_by(col(Expense.category))
    return [(category, int(cents)) for category, cents in session.exec(query).all()]
