"""Stripe's events, stored before they are applied (one row per event id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _in, _utc
from salon_cli.db.types import JSONType

__all__ = ["STRIPE_EVENT_STATUSES", "StripeEvent"]


STRIPE_EVENT_STATUSES = ("received", "applied", "ignored", "failed")


class StripeEvent(TableModel, table=True):
    """A Stripe event, stored before it is applied: its id is the key, so a second delivery does nothing."""

    __tablename__ = "stripe_event"
    __table_args__ = (sa.CheckConstraint(_in("status", STRIPE_EVENT_STATUSES), name="status"),)

    id: str = Field(primary_key=True, max_length=64)  # evt_...
    type: str = Field(max_length=64, index=True)
    status: str = Field(default="received", max_length=16, index=True)
    source: str = Field(default="webhook", max_length=8)  # webhook | ingest | sync
    created: int = _wide(default=0, index=True)  # Stripe's own time of the event (Unix seconds)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    received_at: datetime = _utc()
    applied_at: datetime | None = _utc(default=None, nullable=True)
