"""Memberships: the plans, clients' memberships, and their billed periods."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _in, _utc, partial_index
from salon_cli.db.types import JSONType

__all__ = ["MEMBERSHIP_STATUSES", "MembershipPlan", "Membership", "MembershipPeriod"]


MEMBERSHIP_STATUSES = ("active", "paused", "cancelled", "expired")


class MembershipPlan(TableModel, table=True):
    """A monthly plan (Gold, Black, VIP), the same at every location: credits each period, a discount, benefits."""

    __tablename__ = "membership_plan"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    tier: str = Field(max_length=16)  # gold | black | vip
    name: str = Field(max_length=64)
    monthly_price_cents: int = _wide(default=0)
    monthly_credits: int = 0
    discount_bp: int = 0
    benefits: list[str] = Field(default_factory=list, sa_type=JSONType)
    active: bool = True
    created_at: datetime = _utc()


class Membership(TableModel, table=True):
    """A client's subscription to a plan. One active (or paused) per client, by constraint."""

    __table_args__ = (
        partial_index("ix_membership_client_live", "client_id", unique=True, where="status IN ('active', 'paused')"),
        sa.Index("ix_membership_status_end", "status", "current_period_end"),
        sa.CheckConstraint(_in("status", MEMBERSHIP_STATUSES), name="status"),
        sa.CheckConstraint("credits_remaining >= 0", name="credits_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    plan_id: int = Field(foreign_key="membership_plan.id")
    location_id: int = Field(foreign_key="location.id")  # where it was sold: renewals are charged there
    status: str = Field(default="active", max_length=12)
    credits_remaining: int = 0
    anchor_date: date  # the first day: period n runs from anchor + (n-1) months to anchor + n months
    period_number: int = 1
    current_period_start: date
    current_period_end: date  # exclusive: renewal is due on this local day
    paused_at: datetime | None = _utc(default=None, nullable=True)
    cancelled_at: datetime | None = _utc(default=None, nullable=True)
    cancel_reason: str | None = Field(default=None, max_length=255)
    ended_at: datetime | None = _utc(default=None, nullable=True)
    end_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    updated_at: datetime = _utc()


class MembershipPeriod(TableModel, table=True):
    """One billed period of a membership and the sale that charges its fee: one per period, by constraint."""

    __tablename__ = "membership_period"
    __table_args__ = (sa.UniqueConstraint("membership_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="membership.id", index=True)
    number: int
    starts_on: date
    ends_on: date
    credits: int = 0
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    created_at: datetime = _utc()
