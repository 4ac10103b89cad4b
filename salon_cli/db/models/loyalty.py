"""Loyalty: the program, clients' accounts, the ledger (entries), point lots, rewards and redemptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _in, _utc, partial_index
from salon_cli.db.types import JSONType

__all__ = [
    "LOYALTY_ENTRY_KINDS", "REWARD_KINDS", "REDEMPTION_STATUSES", "REFERRAL_STATUSES", "LoyaltyProgram",
    "LoyaltyAccount", "LoyaltyEntry", "LoyaltyLot", "LoyaltyLotUse", "Reward", "Redemption", "Referral",
]


LOYALTY_ENTRY_KINDS = ("earn", "redeem", "expire", "void", "welcome", "adjust", "referral", "stamp", "stamp_reward")
REWARD_KINDS = ("discount_amount", "discount_pct", "free_service")
REDEMPTION_STATUSES = ("issued", "used", "voided")
REFERRAL_STATUSES = ("pending", "rewarded", "expired")


class LoyaltyProgram(TableModel, table=True):
    """The business's loyalty rules (stamps, points or both), shared by all its locations: one row."""

    __tablename__ = "loyalty_program"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="one_program"),
        sa.CheckConstraint("type IN ('stamps', 'points', 'hybrid')", name="type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(default="points", max_length=8)  # stamps | points | hybrid
    stamps_target: int = 10
    # what a full card gives: a reward of the catalog (None: not chosen yet; a stamp card needs one)
    stamps_reward_id: int | None = Field(default=None, foreign_key="reward.id")
    points_per_unit: int = 1  # points per major unit of net paid
    min_purchase_cents: int = _wide(default=0)
    welcome_bonus: int = _wide(default=50)
    referral_bonus: int = _wide(default=100)
    min_redemption: int = _wide(default=100)
    expiry_months: int | None = 6
    expiry_inactivity_days: int | None = None
    cooldown_minutes: int = 60
    max_daily_stamps: int = 1
    require_pin: bool = False
    # [{"name": "bronze", "min_points": 0, "multiplier_bp": 10000}, ...] by lifetime points
    tiers: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    # the reward a membership's `birthday_gift` benefit gives each birthday, as a code (None: none chosen)
    birthday_gift_reward_id: int | None = Field(default=None, foreign_key="reward.id")
    active: bool = True
    updated_at: datetime = _utc()


class LoyaltyAccount(TableModel, table=True):
    """A client's card. `points` and `stamps` are caches of the entries, kept in the same transaction
    (the row is locked first); `points` also equals the lots' `remaining` (DESIGN.md rule 2)."""

    __tablename__ = "loyalty_account"
    __table_args__ = (
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
        sa.CheckConstraint("stamps >= 0", name="stamps_not_negative"),
        sa.Index("ix_loyalty_account_activity", "last_activity_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", unique=True)
    points: int = _wide(default=0)
    stamps: int = _wide(default=0)
    lifetime_points: int = _wide(default=0)
    tier: str = Field(default="bronze", max_length=16)
    referred_by_id: int | None = Field(default=None, foreign_key="client.id")
    referral_code: str | None = Field(default=None, max_length=16, unique=True)  # `loyalty referral-code`
    enrolled_at: datetime = _utc()
    enrolled_location_id: int | None = Field(default=None, foreign_key="location.id")
    last_activity_at: datetime = _utc()
    last_stamp_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime = _utc()


class LoyaltyEntry(TableModel, table=True):
    """The loyalty ledger: append-only. `key` makes each idempotent entry unique by constraint
    (`earn:sale:12`, `void:refund:7`, `restore:redemption:3`, `welcome:account:4`, `referral:client:9`)."""

    __tablename__ = "loyalty_entry"
    __table_args__ = (
        sa.Index("ix_loyalty_entry_account", "account_id", "id"),
        # the Z-report reads one location's entries of one business day
        sa.Index("ix_loyalty_entry_location_at", "location_id", "created_at"),
        sa.CheckConstraint(_in("kind", LOYALTY_ENTRY_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="loyalty_account.id")
    kind: str = Field(max_length=16)
    points: int = _wide(default=0)  # signed
    stamps: int = _wide(default=0)  # signed
    key: str | None = Field(default=None, max_length=64, unique=True)
    sale_id: int | None = Field(default=None, foreign_key="sale.id", index=True)
    refund_id: int | None = Field(default=None, foreign_key="refund.id")
    redemption_id: int | None = Field(default=None, foreign_key="redemption.id")
    reverses_id: int | None = Field(default=None, foreign_key="loyalty_entry.id")
    reason: str | None = Field(default=None, max_length=255)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    location_id: int | None = Field(default=None, foreign_key="location.id")
    created_at: datetime = _utc()


class LoyaltyLot(TableModel, table=True):
    """Points earned together (one earning entry), spent and expired oldest first."""

    __tablename__ = "loyalty_lot"
    __table_args__ = (
        sa.CheckConstraint("remaining >= 0 AND remaining <= earned", name="remaining_within_earned"),
        sa.Index("ix_loyalty_lot_account", "account_id", "earned_at"),
        # expire-points reads the lots due without scanning the spent ones
        partial_index("ix_loyalty_lot_due", "account_id", "expires_at", where="remaining > 0"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="loyalty_account.id")
    entry_id: int = Field(foreign_key="loyalty_entry.id", unique=True)
    earned: int = _wide()
    remaining: int = _wide()
    earned_at: datetime = _utc()
    expires_at: datetime | None = _utc(default=None, nullable=True)


class LoyaltyLotUse(TableModel, table=True):
    """Which lots a redemption took its points from, so that voiding it gives them back to the same lots."""

    __tablename__ = "loyalty_lot_use"
    __table_args__ = (sa.CheckConstraint("points > 0", name="points_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="loyalty_entry.id", index=True)
    lot_id: int = Field(foreign_key="loyalty_lot.id", index=True)
    points: int = _wide()


class Reward(TableModel, table=True):
    """What points buy, or what a full stamp card gives: an amount off, a percent off, or one named
    service (or the cheapest line of a category) free. Always something definite."""

    __table_args__ = (
        sa.CheckConstraint(_in("kind", REWARD_KINDS), name="kind"),
        sa.CheckConstraint("points_cost >= 0", name="cost_positive"),  # 0: a stamp card's, not for points
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    value: int = _wide(default=0)  # cents (discount_amount), basis points (discount_pct), unused (free_service)
    service_id: int | None = Field(default=None, foreign_key="service.id")  # free_service: which one
    category: str | None = Field(default=None, max_length=64)  # free_service: or the cheapest of a category
    points_cost: int = _wide()
    active: bool = True
    created_at: datetime = _utc()
    # when it can be redeemed (the location's local days, both included; None: open-ended) and how many
    # are left to issue (None: no limit); `loyalty rewards set`
    available_from: date | None = None
    available_to: date | None = None
    stock: int | None = None
    retired_at: datetime | None = _utc(default=None, nullable=True)


class Redemption(TableModel, table=True):
    """A code a client hands over at checkout: a reward bought with points, or a full stamp card's reward.
    Used once (as a `points` payment); an unused one can be voided and its points restored."""

    __table_args__ = (
        sa.CheckConstraint(_in("status", REDEMPTION_STATUSES), name="status"),
        sa.UniqueConstraint("account_id", "birthday_year", name="one_birthday_gift"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    account_id: int = Field(foreign_key="loyalty_account.id", index=True)
    reward_id: int | None = Field(default=None, foreign_key="reward.id")
    description: str = Field(max_length=120)
    kind: str = Field(max_length=16)  # the reward's kind and value when it was issued
    value: int = _wide(default=0)
    service_id: int | None = Field(default=None, foreign_key="service.id")
    category: str | None = Field(default=None, max_length=64)
    points: int = _wide(default=0)
    status: str = Field(default="issued", max_length=8)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    issued_at: datetime = _utc()
    issued_by_id: int | None = Field(default=None, foreign_key="staff.id")
    used_at: datetime | None = _utc(default=None, nullable=True)
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=255)
    birthday_year: int | None = None  # a membership's birthday gift: the year of the birthday it was for


class Referral(TableModel, table=True):
    """A client brought by another: pending until the new client's first paid sale, then both sides'
    bonus (rewarded), or expired when no sale came in time. One per referred client, by constraint."""

    __table_args__ = (
        sa.CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
        sa.CheckConstraint("referrer_id <> referred_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    referrer_id: int = Field(foreign_key="client.id", index=True)
    referred_id: int = Field(foreign_key="client.id", unique=True)
    code: str | None = Field(default=None, max_length=16)  # the referrer's code, when one was given
    status: str = Field(default="pending", max_length=12)
    expires_on: date | None = None  # no first sale by this local day: expired
    sale_id: int | None = Field(default=None, foreign_key="sale.id")  # the first paid sale that rewarded it
    location_id: int | None = Field(default=None, foreign_key="location.id")
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()
    rewarded_at: datetime | None = _utc(default=None, nullable=True)
