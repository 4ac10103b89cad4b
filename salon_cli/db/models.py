"""The tables. Money is integer minor units (`*_cents`), instants are UTC (`UTCDateTime`).

Every change to these tables goes through a service, which writes its audit row in the same
transaction. Migrations in `salon_cli/migrations` must match this module exactly (a test checks).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from salon_cli.db.types import JSONType, UTCDateTime

# Stable constraint names, so that migrations (and SQLite batch mode) can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_PARTIAL: list[tuple[sa.Index, str]] = []


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> sa.Index:
    """An index over the rows that match `where` (SQLite and PostgreSQL both have them).

    The PostgreSQL half is attached by `partial_indexes_for_postgresql` when a PostgreSQL engine is
    made: naming `postgresql_where=` here would load SQLAlchemy's PostgreSQL dialect on every start,
    SQLite included."""
    index = sa.Index(name, *columns, unique=unique, sqlite_where=sa.text(where))
    _PARTIAL.append((index, where))
    return index


def partial_indexes_for_postgresql() -> None:
    """Give each partial index its PostgreSQL `WHERE` (idempotent; db/engine.py calls it)."""
    for index, where in _PARTIAL:
        index.dialect_options["postgresql"]["where"] = sa.text(where)


class TableModel(SQLModel):
    """The base of every table: pydantic builds a table's validator and serializer when first used
    (an audit snapshot, say), not when this module is imported — the dashboard opens sooner."""

    model_config = SQLModelConfig(defer_build=True)


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Location(TableModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64)
    currency: str = Field(max_length=3)
    address: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=32)
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
    # messages (send-reminders): quiet hours in minutes of the day on the location's clock (start == end:
    # none), the language of a client who named none, a win-back offer after N days away (0: never),
    # and the page where a client pays a penalty ({payment_link}; none: "at the front desk")
    quiet_hours_start_min: int = 21 * 60
    quiet_hours_end_min: int = 8 * 60
    message_language: str = Field(default="es", max_length=2)
    win_back_days: int = 0
    payment_url: str | None = Field(default=None, max_length=255)
    updated_at: datetime = _utc()


class Service(TableModel, table=True):
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


class Product(TableModel, table=True):
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


class Client(TableModel, table=True):
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
    # a saved card for off-session charges (no-show and late-cancel penalties)
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    stripe_payment_method_id: str | None = Field(default=None, max_length=64)
    # "first last" folded (lower case, no accents): sorting and prefix look-ups without Python scans
    name_key: str = Field(default="", max_length=170, index=True)
    created_at: datetime = _utc()
    updated_at: datetime | None = _utc(default=None, nullable=True)


class ClientTag(TableModel, table=True):
    __tablename__ = "client_tag"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True, index=True)


class ClientNote(TableModel, table=True):
    __tablename__ = "client_note"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    type: str = Field(default="general", max_length=16)  # general|technical|medical|preference|complaint
    body: str = Field(max_length=4000)
    private: bool = False
    author_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class ClientPref(TableModel, table=True):
    __tablename__ = "client_pref"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    channel: str | None = Field(default=None, max_length=16)  # sms | email | whatsapp
    reminder: str = Field(default="24h", max_length=8)  # 24h | 1h | both | none
    preferred_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    preferred_services: list[str] = Field(default_factory=list, sa_type=JSONType)  # service codes
    requests: str | None = Field(default=None, max_length=1000)
    language: str | None = Field(default=None, max_length=2)  # es | en (None: the location's)
    updated_at: datetime = _utc()


class ClientSearchKey(TableModel, table=True):
    """Look-up keys of a client's names (folded tokens, phonetic codes and their neighbours),
    so that a search finds its candidates through an index instead of scanning every client."""

    __tablename__ = "client_search_key"

    key: str = Field(max_length=40, primary_key=True)
    client_id: int = Field(foreign_key="client.id", primary_key=True, index=True)
    kind: str = Field(max_length=8, primary_key=True)


class Communication(TableModel, table=True):
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


class ClientPhoto(TableModel, table=True):
    __tablename__ = "client_photo"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    path: str = Field(max_length=500)  # relative to SALON_HOME/media
    caption: str | None = Field(default=None, max_length=255)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class Appointment(TableModel, table=True):
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
        # a client's visits (card, search results' last visit): without it SQLite reads the whole
        # location's history through ix_appointment_location_status_starts
        sa.Index("ix_appointment_client_history", "client_id", "location_id", "status", "starts_at"),
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


class AppointmentItem(TableModel, table=True):
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


class Penalty(TableModel, table=True):
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


SALE_STATUSES = ("open", "paid", "void", "partially_refunded", "refunded")
LINE_KINDS = ("service", "product", "fee", "gift_card", "membership")
PAYMENT_METHODS = ("cash", "card", "stripe", "gift_card", "credit", "points", "transfer", "unknown")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "cancelled")
REFUND_STATUSES = ("pending", "succeeded", "failed", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Sale(TableModel, table=True):
    """A ticket: lines, a discount, taxes from the location's policy, payments, refunds.

    The `*_cents` figures are kept equal to the sums of the lines, payments and refunds by the
    sales service, in the same transaction as the change (DESIGN.md rule 5).
    """

    __table_args__ = (
        sa.Index("ix_sale_location_date", "location_id", "business_date"),
        # a client's purchases, and the sale of an appointment (the partial unique index below serves
        # only queries that say status != 'void')
        sa.Index("ix_sale_client_history", "client_id", "location_id", "status"),
        sa.Index("ix_sale_appointment", "appointment_id"),
        # one live sale per appointment: a second checkout of the same visit is refused
        partial_index("ix_sale_appointment_live", "appointment_id", unique=True, where="status != 'void'"),
        sa.UniqueConstraint("location_id", "external_id"),
        sa.CheckConstraint(_in("status", SALE_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    status: str = Field(default="open", max_length=20)
    business_date: date
    discount_kind: str | None = Field(default=None, max_length=8)  # pct (basis points) | amount (cents)
    discount_value: int = 0
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)  # the policy's, when opened
    subtotal_cents: int = 0
    discount_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    tip_cents: int = 0
    paid_cents: int = 0
    refunded_cents: int = 0
    external_id: str | None = Field(default=None, max_length=64)  # a receipt number from an import
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    paid_at: datetime | None = _utc(default=None, nullable=True)
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=255)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class SaleLine(TableModel, table=True):
    """One line of a sale; its discount share and taxes are computed by `core.sale_math`."""

    __tablename__ = "sale_line"
    __table_args__ = (
        sa.UniqueConstraint("sale_id", "position"),
        sa.CheckConstraint(_in("kind", LINE_KINDS), name="kind"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    position: int = 0
    kind: str = Field(max_length=16)
    description: str = Field(max_length=200)
    quantity: int = 1
    unit_price_cents: int
    gross_cents: int
    discount_cents: int = 0
    net_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)  # [{name, rate_bp, inclusive, amount_cents}]
    service_id: int | None = Field(default=None, foreign_key="service.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)  # who did it (commission)
    penalty_id: int | None = Field(default=None, foreign_key="penalty.id", index=True)
    gift_card_id: int | None = Field(default=None, foreign_key="gift_card.id")


class Payment(TableModel, table=True):
    """Money received for a sale. It counts only once `succeeded` (for Stripe: when Stripe says so)."""

    __table_args__ = (
        sa.Index("ix_payment_location_date", "location_id", "business_date"),
        sa.CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
        sa.CheckConstraint(_in("status", PAYMENT_STATUSES), name="status"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("tip_cents >= 0", name="tip_not_negative"),
        sa.CheckConstraint("change_cents >= 0", name="change_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    method: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    purpose: str = Field(default="sale", max_length=16)  # sale | deposit | penalty
    amount_cents: int  # applied to the sale, without the tip
    tip_cents: int = 0
    tendered_cents: int | None = None  # cash handed over
    change_cents: int = 0
    business_date: date  # the day the money came in (for Stripe: the day it was confirmed)
    gift_card_id: int | None = Field(default=None, foreign_key="gift_card.id", index=True)
    # method points: the redemption code it used (once, by constraint); method credit: the membership
    redemption_id: int | None = Field(default=None, foreign_key="redemption.id", unique=True)
    membership_id: int | None = Field(default=None, foreign_key="membership.id", index=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=64, unique=True)
    stripe_charge_id: str | None = Field(default=None, max_length=64, index=True)
    stripe_checkout_session_id: str | None = Field(default=None, max_length=80, unique=True)
    payment_url: str | None = Field(default=None, max_length=500)
    reader_id: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=120)
    failure_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    succeeded_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class Refund(TableModel, table=True):
    """Money given back against one payment: through Stripe's Refund API, from the drawer, or to a gift card."""

    __table_args__ = (
        sa.Index("ix_refund_location_date", "location_id", "business_date"),
        sa.CheckConstraint(_in("status", REFUND_STATUSES), name="status"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    method: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    amount_cents: int
    reason: str = Field(default="", max_length=255)
    business_date: date
    stripe_refund_id: str | None = Field(default=None, max_length=64, unique=True)
    failure_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    succeeded_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class GiftCard(TableModel, table=True):
    """A gift card: sold on a sale (active once that sale is paid), spent as a payment method."""

    __tablename__ = "gift_card"
    __table_args__ = (
        sa.CheckConstraint("balance_cents >= 0", name="balance_not_negative"),
        sa.CheckConstraint("balance_cents <= initial_cents", name="balance_within_initial"),
        sa.CheckConstraint("status IN ('pending', 'active', 'void')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    initial_cents: int
    balance_cents: int
    status: str = Field(default="pending", max_length=8)  # pending (its sale is unpaid) | active | void
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    created_at: datetime = _utc()
    activated_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


STRIPE_EVENT_STATUSES = ("received", "applied", "ignored", "failed")


class StripeEvent(TableModel, table=True):
    """A Stripe event, stored before it is applied: its id is the key, so a second delivery does nothing."""

    __tablename__ = "stripe_event"
    __table_args__ = (sa.CheckConstraint(_in("status", STRIPE_EVENT_STATUSES), name="status"),)

    id: str = Field(primary_key=True, max_length=64)  # evt_...
    type: str = Field(max_length=64, index=True)
    status: str = Field(default="received", max_length=16, index=True)
    source: str = Field(default="webhook", max_length=8)  # webhook | ingest | sync
    created: int = Field(default=0, index=True)  # Stripe's own time of the event (Unix seconds)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    received_at: datetime = _utc()
    applied_at: datetime | None = _utc(default=None, nullable=True)


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
    expected_cash_cents: int = 0
    counted_cash_cents: int | None = None
    variance_cents: int = 0
    note: str | None = Field(default=None, max_length=1000)
    closed_at: datetime = _utc()
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reopened_at: datetime | None = _utc(default=None, nullable=True)
    reopened_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reopen_reason: str | None = Field(default=None, max_length=255)


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
    amount_cents: int
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
    amount_cents: int
    reason: str | None = Field(default=None, max_length=255)
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


class JobLock(TableModel, table=True):
    """SQLite's single-instance lock for a job (PostgreSQL uses an advisory transaction lock)."""

    __tablename__ = "job_lock"

    name: str = Field(primary_key=True, max_length=128)
    holder: str = Field(max_length=64)
    acquired_at: datetime = _utc()
    expires_at: datetime = _utc()


LOYALTY_ENTRY_KINDS = ("earn", "redeem", "expire", "void", "welcome", "adjust", "referral", "stamp", "stamp_reward")
REWARD_KINDS = ("discount_amount", "discount_pct", "free_service")
REDEMPTION_STATUSES = ("issued", "used", "voided")
MEMBERSHIP_STATUSES = ("active", "paused", "cancelled", "expired")


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
    points: int = 0
    stamps: int = 0
    lifetime_points: int = 0
    tier: str = Field(default="bronze", max_length=16)
    referred_by_id: int | None = Field(default=None, foreign_key="client.id")
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
    points: int = 0  # signed
    stamps: int = 0  # signed
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
    earned: int
    remaining: int
    earned_at: datetime = _utc()
    expires_at: datetime | None = _utc(default=None, nullable=True)


class LoyaltyLotUse(TableModel, table=True):
    """Which lots a redemption took its points from, so that voiding it gives them back to the same lots."""

    __tablename__ = "loyalty_lot_use"
    __table_args__ = (sa.CheckConstraint("points > 0", name="points_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="loyalty_entry.id", index=True)
    lot_id: int = Field(foreign_key="loyalty_lot.id", index=True)
    points: int


class Reward(TableModel, table=True):
    """What points buy: an amount off, a percent off, or a service free."""

    __table_args__ = (
        sa.CheckConstraint(_in("kind", REWARD_KINDS), name="kind"),
        sa.CheckConstraint("points_cost > 0", name="cost_positive"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    value: int = 0  # cents (discount_amount), basis points (discount_pct), unused (free_service)
    service_id: int | None = Field(default=None, foreign_key="service.id")  # free_service: which one (None: any)
    points_cost: int
    active: bool = True
    created_at: datetime = _utc()


class Redemption(TableModel, table=True):
    """A code a client hands over at checkout: a reward bought with points, or a full stamp card's reward.
    Used once (as a `points` payment); an unused one can be voided and its points restored."""

    __table_args__ = (sa.CheckConstraint(_in("status", REDEMPTION_STATUSES), name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    account_id: int = Field(foreign_key="loyalty_account.id", index=True)
    reward_id: int | None = Field(default=None, foreign_key="reward.id")  # None: the stamp card's reward
    description: str = Field(max_length=120)
    kind: str = Field(max_length=16)  # the reward's kind and value when it was issued
    value: int = 0
    service_id: int | None = Field(default=None, foreign_key="service.id")
    points: int = 0
    status: str = Field(default="issued", max_length=8)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    issued_at: datetime = _utc()
    issued_by_id: int | None = Field(default=None, foreign_key="staff.id")
    used_at: datetime | None = _utc(default=None, nullable=True)
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=255)


class MembershipPlan(TableModel, table=True):
    """A monthly plan (Gold, Black, VIP), the same at every location: credits each period, a discount, benefits."""

    __tablename__ = "membership_plan"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    tier: str = Field(max_length=16)  # gold | black | vip
    name: str = Field(max_length=64)
    monthly_price_cents: int = 0
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


MESSAGE_CHANNELS = ("sms", "email", "whatsapp")
MESSAGE_KINDS = ("confirmation", "reminder", "no_show_notice", "birthday", "win_back")
MESSAGE_LANGUAGES = ("es", "en")
MESSAGE_PURPOSES = ("service", "promotion")
# `sending`: claimed by the run that is sending it (a run that died leaves it; the next run takes it back)
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "skipped")


class Outbox(TableModel, table=True):
    """A message to a client, written in the same transaction as what caused it (a booking, a no-show,
    send-reminders) and sent by `send-reminders`. `dedupe_key` names what the message is about
    (`reminder:appointment:12:24h`, `birthday:client:7:2026`): the same message is never queued twice,
    by constraint."""

    __table_args__ = (
        # send-reminders reads one location's queued messages that are due
        sa.Index("ix_outbox_due", "location_id", "status", "next_attempt_at"),
        # the communication log reads a client's messages, newest first
        sa.Index("ix_outbox_client", "client_id", "created_at"),
        sa.CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        sa.CheckConstraint(_in("channel", MESSAGE_CHANNELS), name="channel"),
        sa.CheckConstraint(_in("template", MESSAGE_KINDS), name="template"),
        sa.CheckConstraint(_in("purpose", MESSAGE_PURPOSES), name="purpose"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=96, unique=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int = Field(foreign_key="client.id")
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    penalty_id: int | None = Field(default=None, foreign_key="penalty.id")
    template: str = Field(max_length=24)  # which message: confirmation | reminder | no_show_notice | birthday | win_back
    purpose: str = Field(max_length=16)  # service (always allowed) | promotion (marketing consent only)
    channel: str = Field(max_length=16)
    recipient: str | None = Field(default=None, max_length=254)  # e-mail address or E.164 number
    language: str = Field(max_length=2)
    subject: str | None = Field(default=None, max_length=200)
    body: str = Field(max_length=4000)
    # what the template was filled with (appointment time, penalty amount, reminder lead ...)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default="queued", max_length=16)
    send_after: datetime = _utc()  # not before (quiet hours moved it past their end)
    next_attempt_at: datetime | None = _utc(default=None, nullable=True)  # None once sent, failed or skipped
    attempts: int = 0
    provider_id: str | None = Field(default=None, max_length=128)  # Message-ID, Twilio's SM... sid
    error: str | None = Field(default=None, max_length=500)  # why it was skipped, or the last failure
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")  # None: the system (cron)
    sent_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class MessageTemplate(TableModel, table=True):
    """A location's own wording of a message in one language; without one the built-in text is used."""

    __tablename__ = "message_template"
    __table_args__ = (
        sa.UniqueConstraint("location_id", "kind", "language"),
        sa.CheckConstraint(_in("kind", MESSAGE_KINDS), name="kind"),
        sa.CheckConstraint(_in("language", MESSAGE_LANGUAGES), name="language"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    kind: str = Field(max_length=24)
    language: str = Field(max_length=2)
    subject: str | None = Field(default=None, max_length=200)  # e-mail only
    body: str = Field(max_length=2000)
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="staff.id")
