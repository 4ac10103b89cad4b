"""Closing the day: the day close (Z-report snapshot), the drawer's counts and who saw its expected cash,
expenses, the cash drawer's movements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _in, _utc, partial_index
from salon_cli.db.types import JSONType

__all__ = [
    "DayClose", "CASH_REVEAL_VIAS", "CashCount", "CashReveal", "EXPENSE_SOURCES", "EXPENSE_STATUSES",
    "CASH_MOVEMENT_KINDS", "Expense", "CashMovement",
]


class DayClose(TableModel, table=True):
    """A business day's close (the Z-report snapshot). While a `closed` row exists the day is frozen."""

    __tablename__ = "day_close"
    __table_args__ = (
        sa.UniqueConstraint("location_id", "business_date", "revision"),
        partial_index("ix_day_close_closed", "location_id", "business_date", unique=True, where="status = 'closed'"),
        sa.CheckConstraint("status IN ('closed', 'reopened')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    business_date: date
    revision: int = 1
    status: str = Field(default="closed", max_length=16)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    expected_cash_cents: int = _wide(default=0)
    counted_cash_cents: int | None = _wide(default=None)
    variance_cents: int = _wide(default=0)
    note: str | None = Field(default=None, max_length=1000)
    closed_at: datetime = _utc()
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reopened_at: datetime | None = _utc(default=None, nullable=True)
    reopened_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reopen_reason: str | None = Field(default=None, max_length=255)


class CashCount(TableModel, table=True):
    """One committed count of the drawer (append-only): what was counted, by whom, when, and the expected
    cash at that moment. A count is committed when it is submitted to close the day (or checked on the
    dashboard), refused close or not. `revision` is the close it counts for (the `day_close` revision of
    the day); a close uses the last count of its revision. `after_expected_shown`: the day's expected
    cash had already been shown (an earlier count, close or manager's look) when it was made."""

    __tablename__ = "cash_count"
    __table_args__ = (
        sa.Index("ix_cash_count_location_date", "location_id", "business_date", "revision"),
        sa.CheckConstraint("counted_cash_cents >= 0", name="counted_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    business_date: date
    revision: int
    counted_cash_cents: int = _wide()
    denominations: list[dict[str, int]] | None = Field(default=None, sa_type=JSONType)
    expected_cash_cents: int = _wide()
    counted_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()
    after_expected_shown: bool = False


CASH_REVEAL_VIAS = ("preview", "report")


class CashReveal(TableModel, table=True):
    """The expected cash of an open day shown to a manager (with their PIN) before any count of its close
    was committed: after this, counting again needs a manager (append-only)."""

    __tablename__ = "cash_reveal"
    __table_args__ = (
        sa.Index("ix_cash_reveal_location_date", "location_id", "business_date", "revision"),
        sa.CheckConstraint(_in("via", CASH_REVEAL_VIAS), name="via"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    business_date: date
    revision: int
    expected_cash_cents: int = _wide()
    shown_to_id: int | None = Field(default=None, foreign_key="staff.id")
    shown_at: datetime = _utc()
    via: str = Field(max_length=16)


EXPENSE_SOURCES = ("cash", "card", "bank")
EXPENSE_STATUSES = ("recorded", "void")
CASH_MOVEMENT_KINDS = ("float", "in", "out")


class Expense(TableModel, table=True):
    """Money out: rent, supplies, a plumber. Paid from the drawer (`cash`), a card or the bank; dated on the
    business day it belongs to. A mistake is voided (with a reason), never edited or deleted."""

    __table_args__ = (
        sa.Index("ix_expense_location_date", "location_id", "business_date"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint(_in("paid_from", EXPENSE_SOURCES), name="paid_from"),
        sa.CheckConstraint(_in("status", EXPENSE_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    business_date: date
    category: str = Field(max_length=64)  # stored lower-case, so "Supplies" and "supplies" are one group
    description: str = Field(max_length=200)
    amount_cents: int = _wide()
    paid_from: str = Field(default="cash", max_length=8)
    status: str = Field(default="recorded", max_length=16)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=255)


class CashMovement(TableModel, table=True):
    """The cash drawer's own ledger (append-only): the opening float, cash put in, cash taken out.
    Cash sales, cash refunds and cash expenses are read from their own tables by the Z-report."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        sa.Index("ix_cash_movement_location_date", "location_id", "business_date"),
        # one opening float a day, by constraint (a correction is a cash in or out)
        partial_index("ix_cash_movement_one_float", "location_id", "business_date", unique=True, where="kind = 'float'"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint(_in("kind", CASH_MOVEMENT_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    business_date: date
    kind: str = Field(max_length=8)
    amount_cents: int = _wide()
    reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
