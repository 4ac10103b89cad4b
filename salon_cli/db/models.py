"""The tables. Money is integer minor units (`*_cents`), instants are UTC (`UTCDateTime`).

Every change to these tables goes through a service, which writes its audit row in the same
transaction. Migrations in `salon_cli/migrations` must match this module exactly (a test checks).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from salon_cli.db.types import JSONType, UTCDateTime

# Stable constraint names, so that migrations (and SQLite batch mode) can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    address: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
    active: bool = True
    created_at: datetime = _utc()


class Staff(SQLModel, table=True):
    """A person who works the desk or the chair. Codes are unique across the whole chain."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    pin_hash: str = Field(max_length=255)
    failed_pins: int = 0
    locked_until: datetime | None = _utc(default=None, nullable=True)
    commission_bp: int = 0
    active: bool = True
    created_at: datetime = _utc()


class Policy(SQLModel, table=True):
    """A location's house rules; one row per location, created with defaults."""

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", unique=True)
    no_show_grace_min: int = 15
    no_show_lookback_hours: int = 12
    no_show_fee_kind: str = Field(default="pct", max_length=8)  # pct (basis points) | fixed (cents)
    no_show_fee_value: int = 5000
    late_cancel_hours: int = 24
    late_cancel_fee_kind: str = Field(default="pct", max_length=8)
    late_cancel_fee_value: int = 2500
    deposit_after_no_shows: int = 2
    variance_note_over_cents: int = 5000
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    pin_max_failures: int = 5
    pin_lock_minutes: int = 15
    desk_actor_id: int | None = Field(default=None, foreign_key="staff.id")
    updated_at: datetime = _utc()


class Service(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("location_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    category: str | None = Field(default=None, max_length=64)
    duration_min: int
    price_cents: int
    active: bool = True
    created_at: datetime = _utc()


class Product(SQLModel, table=True):
    """A retail item sold at the desk."""

    __table_args__ = (sa.UniqueConstraint("location_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    category: str | None = Field(default=None, max_length=64)
    price_cents: int
    stock: int = 0
    active: bool = True
    created_at: datetime = _utc()


class Client(SQLModel, table=True):
    """A client of the chain (clients are shared by every location)."""

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(default="", max_length=80)
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164
    phone_raw: str | None = Field(default=None, max_length=40)  # as it was typed
    email: str | None = Field(default=None, max_length=254, index=True)  # lower-cased
    birthday: date | None = None
    gender: str | None = Field(default=None, max_length=16)
    address: str | None = Field(default=None, max_length=255)
    emergency_contact: str | None = Field(default=None, max_length=255)
    external_code: str | None = Field(default=None, max_length=64, index=True)  # from an import
    marketing_consent: bool = False
    no_show_count: int = 0
    deposit_required: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="client.id")
    home_location_id: int | None = Field(default=None, foreign_key="location.id")
    # "first last" folded (lower case, no accents): sorting and prefix look-ups without Python scans
    name_key: str = Field(default="", max_length=170, index=True)
    created_at: datetime = _utc()
    updated_at: datetime | None = _utc(default=None, nullable=True)


class ClientTag(SQLModel, table=True):
    __tablename__ = "client_tag"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True, index=True)


class ClientNote(SQLModel, table=True):
    __tablename__ = "client_note"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    type: str = Field(default="general", max_length=16)  # general|technical|medical|preference|complaint
    body: str = Field(max_length=4000)
    private: bool = False
    author_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class ClientPref(SQLModel, table=True):
    __tablename__ = "client_pref"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    channel: str | None = Field(default=None, max_length=16)  # sms | email | whatsapp
    reminder: str = Field(default="24h", max_length=8)  # 24h | 1h | both | none
    preferred_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    preferred_services: list[str] = Field(default_factory=list, sa_type=JSONType)  # service codes
    requests: str | None = Field(default=None, max_length=1000)
    updated_at: datetime = _utc()


class ClientSearchKey(SQLModel, table=True):
    """Look-up keys of a client's names (folded tokens, phonetic codes and their neighbours),
    so that a search finds its candidates through an index instead of scanning every client."""

    __tablename__ = "client_search_key"

    key: str = Field(max_length=40, primary_key=True)
    client_id: int = Field(foreign_key="client.id", primary_key=True, index=True)
    kind: str = Field(max_length=8, primary_key=True)


class Communication(SQLModel, table=True):
    """A message to or from a client (sent by the salon or logged by hand)."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    channel: str = Field(max_length=16)  # sms | email | whatsapp | phone | in_person
    purpose: str = Field(max_length=32)  # reminder | marketing | follow_up | ...
    status: str = Field(default="logged", max_length=16)  # logged | queued | sent | failed
    body: str = Field(default="", max_length=4000)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    sent_at: datetime | None = _utc(default=None, nullable=True)
    created_at: datetime = _utc()


class ClientPhoto(SQLModel, table=True):
    __tablename__ = "client_photo"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    path: str = Field(max_length=500)  # relative to SALON_HOME/media
    caption: str | None = Field(default=None, max_length=255)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class Appointment(SQLModel, table=True):
    """A booking: one or more services (`appointment_item`) with one staff member, in UTC.

    `service_id` and `price_cents` are the first service and the total of all items, so that the
    book reads one row per appointment.
    """

    __table_args__ = (
        sa.Index("ix_appointment_location_starts", "location_id", "starts_at"),
        # detect-no-shows reads booked appointments of one location in a time window
        sa.Index("ix_appointment_location_status_starts", "location_id", "status", "starts_at"),
        # double-booking checks read one staff member's appointments near a time
        sa.Index("ix_appointment_staff_starts", "staff_id", "starts_at"),
        sa.UniqueConstraint("location_id", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    service_id: int = Field(foreign_key="service.id")
    starts_at: datetime = _utc()
    ends_at: datetime = _utc()
    # booked -> checked_in -> in_service -> completed | cancelled | late_cancelled | no_show
    status: str = Field(default="booked", max_length=16, index=True)
    price_cents: int
    deposit_cents: int = 0
    walk_in: bool = False
    checked_in_at: datetime | None = _utc(default=None, nullable=True)
    started_at: datetime | None = _utc(default=None, nullable=True)
    completed_at: datetime | None = _utc(default=None, nullable=True)
    cancelled_at: datetime | None = _utc(default=None, nullable=True)
    cancel_reason: str | None = Field(default=None, max_length=255)
    cancelled_by_salon: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    no_show_at: datetime | None = _utc(default=None, nullable=True)
    series_id: int | None = Field(default=None, index=True)  # id of the first appointment of a repeat
    external_id: str | None = Field(default=None, max_length=64)  # from an import (unique per location)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    updated_at: datetime | None = _utc(default=None, nullable=True)


class AppointmentItem(SQLModel, table=True):
    """One service of an appointment, in the order they are done."""

    __tablename__ = "appointment_item"
    __table_args__ = (sa.UniqueConstraint("appointment_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    position: int = 0
    service_id: int = Field(foreign_key="service.id")
    staff_id: int = Field(foreign_key="staff.id")
    duration_min: int
    price_cents: int


PENALTY_KINDS = ("no_show", "late_cancel")
PENALTY_STATUSES = ("pending", "charged", "paid", "waived", "failed")


class Penalty(SQLModel, table=True):
    """A no-show or late-cancel fee: one per appointment, by constraint."""

    __table_args__ = (
        sa.Index("ix_penalty_location_status", "location_id", "status"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("kind IN ('no_show', 'late_cancel')", name="kind"),
        sa.CheckConstraint("status IN ('pending', 'charged', 'paid', 'waived', 'failed')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    appointment_id: int = Field(foreign_key="appointment.id", unique=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    kind: str = Field(max_length=16)  # no_show | late_cancel
    amount_cents: int
    status: str = Field(default="pending", max_length=16)  # pending | charged | paid | waived | failed
    reason: str = Field(default="", max_length=255)  # why it exists, e.g. "no-show: Corte dama 2026-11-21 10:00"
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")  # None: the system (cron)
    waived_at: datetime | None = _utc(default=None, nullable=True)
    waived_by_id: int | None = Field(default=None, foreign_key="staff.id")
    waive_reason: str | None = Field(default=None, max_length=255)
    paid_at: datetime | None = _utc(default=None, nullable=True)
    paid_method: str | None = Field(default=None, max_length=16)
    paid_by_id: int | None = Field(default=None, foreign_key="staff.id")
    failure_reason: str | None = Field(default=None, max_length=255)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class AuditLog(SQLModel, table=True):
    """Append-only record of every change, written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    actor: str = Field(max_length=32)  # staff code, or "system"
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)


class JobRun(SQLModel, table=True):
    """One run of a cron job (detect-no-shows, expire-points, ...)."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64, index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None, nullable=True)
    status: str = Field(default="running", max_length=16)  # running | ok | failed (a busy run records nothing)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    error: str | None = Field(default=None, max_length=2000)


class JobLock(SQLModel, table=True):
    """SQLite's single-instance lock for a job (PostgreSQL uses an advisory transaction lock)."""

    __tablename__ = "job_lock"

    name: str = Field(primary_key=True, max_length=128)
    holder: str = Field(max_length=64)
    acquired_at: datetime = _utc()
    expires_at: datetime = _utc()


class LoyaltyProgram(SQLModel, table=True):
    """A location's loyalty rules (stamps, points or both); created by `init` with defaults."""

    __tablename__ = "loyalty_program"

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", unique=True)
    type: str = Field(default="points", max_length=8)  # stamps | points | hybrid
    stamps_target: int = 10
    stamps_reward: str = Field(default="A free service of your choice", max_length=120)
    points_per_unit: int = 1  # points per major unit of net paid
    min_purchase_cents: int = 0
    welcome_bonus: int = 50
    referral_bonus: int = 100
    min_redemption: int = 100
    expiry_months: int | None = 6
    expiry_inactivity_days: int | None = None
    cooldown_minutes: int = 60
    max_daily_stamps: int = 1
    require_pin: bool = False
    # [{"name": "bronze", "min_points": 0, "multiplier_bp": 10000}, ...] by lifetime points
    tiers: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    active: bool = True
    updated_at: datetime = _utc()


class MembershipPlan(SQLModel, table=True):
    """A monthly plan (Gold, Black, VIP): credits each period, a discount, benefits."""

    __tablename__ = "membership_plan"
    __table_args__ = (sa.UniqueConstraint("location_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    code: str = Field(max_length=32)
    tier: str = Field(max_length=16)  # gold | black | vip
    name: str = Field(max_length=64)
    monthly_price_cents: int = 0
    monthly_credits: int = 0
    discount_bp: int = 0
    benefits: list[str] = Field(default_factory=list, sa_type=JSONType)
    # Plans start unpriced and inactive: a manager sets the price before selling one.
    active: bool = False
    created_at: datetime = _utc()
