"""The salon itself: locations, staff, house rules (policy), the catalog (services and products),
working hours (a location's opening hours, each staff member's hours and time off), the audit log and
the cron jobs' runs and locks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _utc
from salon_cli.db.types import JSONType

__all__ = ["Location", "Staff", "Policy", "Service", "Product", "OpeningHours", "StaffHours", "TimeOff",
           "AuditLog", "JobRun", "JobLock"]


class Location(TableModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    # ISO 3166-1 alpha-2: the country whose plan national phone numbers are read in (NULL: not known)
    country: str | None = Field(default=None, max_length=2)
    address: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
    tax_id: str | None = Field(default=None, max_length=32)  # printed on receipts (RFC, NIF, VAT number)
    # the Stripe Terminal reader (tmr_...) the desk hands card-present payments to
    stripe_reader_id: str | None = Field(default=None, max_length=64)
    active: bool = True
    created_at: datetime = _utc()


class Staff(TableModel, table=True):
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


class Policy(TableModel, table=True):
    """A location's house rules; one row per location, created with defaults."""

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", unique=True)
    no_show_grace_min: int = 15
    no_show_lookback_hours: int = 12
    no_show_fee_kind: str = Field(default="pct", max_length=8)  # pct (basis points) | fixed (cents)
    no_show_fee_value: int = _wide(default=5000)
    late_cancel_hours: int = 24
    late_cancel_fee_kind: str = Field(default="pct", max_length=8)
    late_cancel_fee_value: int = _wide(default=2500)
    deposit_after_no_shows: int = 2
    deposit_remainder: str = Field(default="refund", max_length=8)  # refund | keep: a deposit less the fee
    variance_note_over_cents: int = _wide(default=5000)
    max_desk_discount_bp: int = 2000  # a larger desk discount needs a manager's PIN
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    pin_max_failures: int = 5
    pin_lock_minutes: int = 15
    desk_actor_id: int | None = Field(default=None, foreign_key="staff.id")
    # messages (send-reminders): quiet hours in minutes of the day on the location's clock (start == end:
    # none), the language of a client who named none, a win-back offer after N days away (0: never),
    # and the page where a client pays a penalty ({payment_link}; none: "at the front desk")
    quiet_hours_start_min: int = 21 * 60
    quiet_hours_end_min: int = 8 * 60
    message_language: str = Field(default="es", max_length=2)
    win_back_days: int = 0
    payment_url: str | None = Field(default=None, max_length=255)
    # the owner's switch (`init --allow-clock-override`, `policy set --allow-clock-override`): commands that
    # change data honour SALON_NOW only where it is on, on every location's row (cli/context.py)
    allow_clock_override: bool = False
    # the book's row: appointments are offered (next free, slot suggestions) on this grid of minutes
    slot_min: int = 15
    # how far ahead a visit can be booked, in days: for everyone, and for clients with priority booking (a
    # membership's `priority_booking` benefit or a loyalty tier's `priority`)
    booking_horizon_days: int = 180
    priority_horizon_days: int = 365
    # receipts: the ESC/POS printer (network:HOST[:PORT] | usb:VENDOR:PRODUCT | serial:DEVICE | file:PATH;
    # none: no printer) and the ways a receipt goes out by default (screen, print, email; comma-separated)
    receipt_printer: str | None = Field(default=None, max_length=255)
    receipt_via: str = Field(default="screen", max_length=32)
    updated_at: datetime = _utc()


class Service(TableModel, table=True):
    __table_args__ = (sa.UniqueConstraint("location_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    code: str = Field(max_length=32)
    external_code: str | None = Field(default=None, max_length=64)  # the source's own code, from an import
    name: str = Field(max_length=120)
    category: str | None = Field(default=None, max_length=64)
    duration_min: int
    price_cents: int = _wide()
    active: bool = True
    created_at: datetime = _utc()


class Product(TableModel, table=True):
    """A retail item sold at the desk."""

    __table_args__ = (sa.UniqueConstraint("location_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    code: str = Field(max_length=32)
    external_code: str | None = Field(default=None, max_length=64)  # the source's own code, from an import
    name: str = Field(max_length=120)
    category: str | None = Field(default=None, max_length=64)
    price_cents: int = _wide()
    stock: int = 0
    active: bool = True
    created_at: datetime = _utc()


def _range_checks() -> tuple[sa.CheckConstraint, ...]:
    """A weekday (0 Monday .. 6 Sunday) and a range of minutes of the day, start before end."""
    return (sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
            sa.CheckConstraint("start_min >= 0 AND start_min < end_min AND end_min <= 1440", name="range"))


class OpeningHours(TableModel, table=True):
    """One range of a location's opening hours on a weekday (0 Monday .. 6 Sunday), in minutes of the
    day on the location's clock. Several ranges a day are allowed; a weekday with none is closed, and a
    location with none at all is open at any time (services.salon.hours)."""

    __tablename__ = "opening_hours"
    __table_args__ = _range_checks()

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    weekday: int
    start_min: int
    end_min: int


class StaffHours(TableModel, table=True):
    """One range of a staff member's working hours on a weekday; two ranges a day are a split shift.
    A member with none works the opening hours."""

    __tablename__ = "staff_hours"
    __table_args__ = _range_checks()

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    weekday: int
    start_min: int
    end_min: int


class TimeOff(TableModel, table=True):
    """Days a staff member does not work (holiday, sick leave, training), first to last day inclusive."""

    __tablename__ = "time_off"
    __table_args__ = (sa.CheckConstraint("first_day <= last_day", name="days"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    first_day: date
    last_day: date
    reason: str = Field(max_length=120)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")


class AuditLog(TableModel, table=True):
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
    # `at` is the machine's real instant; `business_at` the instant the change was made for, when a clock
    # override (SALON_NOW) set another; `run_by` who ran a cron job that acts as "system"
    business_at: datetime | None = _utc(default=None, nullable=True)
    run_by: str | None = Field(default=None, max_length=64)


class JobRun(TableModel, table=True):
    """One run of a cron job (detect-no-shows, expire-points, ...)."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64, index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(default=None, nullable=True)
    status: str = Field(default="running", max_length=16)  # running | ok | failed | abandoned (died unfinished) ; a busy run records nothing
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    error: str | None = Field(default=None, max_length=2000)
    run_by: str | None = Field(default=None, max_length=64)  # the staff code given with --as, else the machine's user


class JobLock(TableModel, table=True):
    """SQLite's single-instance lock for a job (PostgreSQL uses an advisory transaction lock)."""

    __tablename__ = "job_lock"

    name: str = Field(primary_key=True, max_length=128)
    holder: str = Field(max_length=64)
    acquired_at: datetime = _utc()
    expires_at: datetime = _utc()
