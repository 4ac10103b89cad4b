"""Messages to clients: the outbox and each location's own templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _in, _utc
from salon_cli.db.types import JSONType

__all__ = [
    "MESSAGE_CHANNELS", "MESSAGE_KINDS", "MESSAGE_LANGUAGES", "MESSAGE_PURPOSES", "OUTBOX_STATUSES", "OUTBOX_TEMPLATES",
    "Outbox", "MessageTemplate",
]


MESSAGE_CHANNELS = ("sms", "email", "whatsapp")
MESSAGE_KINDS = ("confirmation", "reminder", "no_show_notice", "birthday", "win_back", "birthday_offer", "birthday_gift")
# what the outbox carries: the message kinds (each with its template) and a receipt (services.receipts)
OUTBOX_TEMPLATES = (*MESSAGE_KINDS, "receipt")
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
        sa.CheckConstraint(_in("template", OUTBOX_TEMPLATES), name="template"),
        sa.CheckConstraint(_in("purpose", MESSAGE_PURPOSES), name="purpose"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=96, unique=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int = Field(foreign_key="client.id")
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    penalty_id: int | None = Field(default=None, foreign_key="penalty.id")
    template: str = Field(max_length=24)  # a message kind (MESSAGE_KINDS) or receipt
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
