"""The book: appointments, their services, and the no-show or late-cancel penalty one may carry."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _in, _utc, _wide

__all__ = ["Appointment", "AppointmentItem", "PENALTY_KINDS", "PENALTY_STATUSES", "Penalty", "WAITLIST_STATUSES",
           "WaitlistEntry"]

WAITLIST_STATUSES = ("waiting", "booked", "removed")


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
    price_cents: int = _wide()
    deposit_cents: int = _wide(default=0)
    walk_in: bool = False
    checked_in_at: datetime | None = _utc(default=None, nullable=True)
    started_at: datetime | None = _utc(default=None, nullable=True)
    completed_at: datetime | None = _utc(default=None, nullable=True)
    cancelled_at: datetime | None = _utc(default=None, nullable=True)
    cancel_reason: str | None = Field(default=None, max_length=255)
    cancelled_by_salon: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    cancelled_by: str | None = Field(default=None, max_length=120)  # who cancelled, as an imported report names them
    no_show_at: datetime | None = _utc(default=None, nullable=True)
    series_id: int | None = Field(default=None, index=True)  # id of the first appointment of a repeat
    external_id: str | None = Field(default=None, max_length=64)  # from an import (unique per location)
    note: str | None = Field(default=None, max_length=500)
    # the guarded close: why it stayed booked past the close of its day, and that day
    left_booked_reason: str | None = Field(default=None, max_length=255)
    left_booked_on: date | None = None
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
    price_cents: int = _wide()


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
    amount_cents: int = _wide()
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


class WaitlistEntry(TableModel, table=True):
    """A client waiting for a slot that is not free: a service, perhaps a stylist, between two local days.
    When a slot opens, the waiting clients are offered it in order: those with priority booking first,
    then by when they joined."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        sa.CheckConstraint(_in("status", WAITLIST_STATUSES), name="status"),
        sa.CheckConstraint("to_date >= from_date", name="dates_in_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # None: any stylist
    from_date: date  # the location's local days, both included
    to_date: date
    note: str | None = Field(default=None, max_length=255)
    status: str = Field(default="waiting", max_length=8)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")  # the visit it became
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    closed_at: datetime | None = _utc(default=None, nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
