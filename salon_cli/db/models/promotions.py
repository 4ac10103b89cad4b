"""Promotions: codes and automatic offers with their rules, and each use of one on a sale."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _in, _utc, _wide
from salon_cli.db.types import JSONType

__all__ = ["PROMOTION_KINDS", "PROMOTION_USE_STATUSES", "Promotion", "PromotionUse"]

PROMOTION_KINDS = ("percent", "amount", "free_service", "points_multiplier")
PROMOTION_USE_STATUSES = ("applied", "voided")


class Promotion(TableModel, table=True):
    """A promotion: a code the client gives (`code`), or an automatic offer (no code) that applies by
    itself. Its rules are checked at checkout; `uses` counts its uses, changed only under a row lock
    so that two desks cannot pass `use_limit` at once."""

    __table_args__ = (
        sa.CheckConstraint(_in("kind", PROMOTION_KINDS), name="kind"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("uses >= 0", name="uses_not_negative"),
        sa.CheckConstraint("use_limit IS NULL OR uses <= use_limit", name="within_limit"),
        sa.CheckConstraint("birthday_days IS NULL OR birthday_days BETWEEN 0 AND 60", name="birthday_window"),
        # the birthday job issues one personal code per client and birthday window of a birthday offer
        sa.UniqueConstraint("template_id", "client_id", "starts_on", name="one_birthday_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=32, unique=True)  # upper case; None: automatic
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    # percent: basis points (1000 = 10 %); amount: minor units; points_multiplier: basis points of the
    # points earned (20000 = twice); free_service: unused (the service's price, at most)
    value: int = _wide(default=0)
    service_id: int | None = Field(default=None, foreign_key="service.id")  # only this service's lines
    category: str | None = Field(default=None, max_length=64)  # or only this category's
    starts_on: date | None = None  # the location's local days, both included
    ends_on: date | None = None
    days: list[int] = Field(default_factory=list, sa_type=JSONType)  # weekdays, 0 = Monday; empty: every day
    start_minute: int | None = None  # local minutes after midnight, [start, end)
    end_minute: int | None = None
    min_spend_cents: int = _wide(default=0)
    tier: str | None = Field(default=None, max_length=16)  # loyalty tier the client must hold
    tag: str | None = Field(default=None, max_length=40)  # client tag the client must carry
    new_clients: bool = False  # only a client's first paid visit
    per_client: int | None = None  # uses per client
    use_limit: int | None = None  # uses in all
    uses: int = 0
    stackable: bool = False  # may go with another promotion on one sale
    automatic: bool = False
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)  # a personal code
    # a birthday offer: never used itself; the birthday job issues each consenting client a personal code
    # (`template_id` names the offer) valid from `birthday_days` before the birthday to as many after
    birthday_days: int | None = None
    template_id: int | None = Field(default=None, foreign_key="promotion.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")  # None: every location
    active: bool = True
    ended_at: datetime | None = _utc(default=None, nullable=True)
    ended_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    updated_at: datetime = _utc()
    extra: dict[str, Any] | None = Field(default=None, sa_type=JSONType)  # where it came from (birthday job)


class PromotionUse(TableModel, table=True):
    """One promotion on one sale: what it took off. Voided when the sale is voided (the use is given back)."""

    __tablename__ = "promotion_use"
    __table_args__ = (
        sa.CheckConstraint(_in("status", PROMOTION_USE_STATUSES), name="status"),
        sa.UniqueConstraint("promotion_id", "sale_id", name="one_per_sale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    promotion_id: int = Field(foreign_key="promotion.id", index=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    discount_cents: int = _wide(default=0)
    status: str = Field(default="applied", max_length=10)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    voided_at: datetime | None = _utc(default=None, nullable=True)
