"""The communication log: what the salon told a client, and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.db.models import Client, Communication, Outbox
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.messages.outbox import LOG_PURPOSE, client_messages

CHANNELS = ("sms", "email", "whatsapp", "phone", "in_person")
PURPOSES = ("reminder", "confirmation", "follow_up", "marketing", "birthday", "win_back", "no_show", "other")


@dataclass(frozen=True)
class CommView:
    """A message in the log: logged by hand (`source` log) or sent by the salon (`source` outbox, with
    its address and, when it was skipped or failed, why)."""

    id: int
    client_id: int
    channel: str
    purpose: str
    status: str
    body: str
    staff_id: int | None
    sent_at: datetime | None
    created_at: datetime
    source: str = "log"
    recipient: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, row: Communication) -> CommView:
        return cls(id=row.id or 0, client_id=row.client_id, channel=row.channel, purpose=row.purpose,
                   status=row.status, body=row.body, staff_id=row.staff_id, sent_at=row.sent_at,
                   created_at=row.created_at)

    @classmethod
    def of_outbox(cls, row: Outbox) -> CommView:
        purpose = "receipt" if "receipt" in (row.payload or {}) else LOG_PURPOSE[row.template]  # receipts.emailing
        return cls(id=row.id or 0, client_id=row.client_id, channel=row.channel, purpose=purpose,
                   status=row.status, body=row.body, staff_id=row.created_by_id, sent_at=row.sent_at,
                   created_at=row.created_at, source="outbox", recipient=row.recipient, error=row.error)


def _live_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client {client_id}")
    if client.merged_into_id is not None:
        raise NotFound(f"client {client_id} was merged into {client.merged_into_id}",
                       hint=f"use client {client.merged_into_id}")
    return client


def log_comm(session: Session, *, actor: Actor, location: LocationView, client_id: int, channel: str,
             purpose: str, message: str) -> CommView:
    """Record a message sent by hand (a call, a WhatsApp from the salon's phone)."""
    channel, purpose = channel.strip().lower(), purpose.strip().lower().replace("-", "_")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    if not message.strip():
        raise InvalidInput("message is empty")
    if len(message) > 4000:
        raise InvalidInput("message is longer than 4000 characters")
    client = _live_client(session, client_id)
    now = clock.now()
    row = Communication(client_id=client.id or 0, location_id=location.id, channel=channel, purpose=purpose,
                        status="logged", body=message.strip(), staff_id=actor.id, sent_at=now, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.log_comm", entity="communication", entity_id=row.id,
                 after={"client_id": client.id, "channel": channel, "purpose": purpose}, location_id=location.id)
    return CommView.of(row)


def comms(session: Session, *, client_id: int, limit: int = 100) -> list[CommView]:
    """Messages logged by hand and those the salon queued or sent (the outbox), newest first."""
    _live_client(session, client_id)
    query = (select(Communication).where(Communication.client_id == client_id)
             .order_by(col(Communication.created_at).desc(), col(Communication.id).desc()).limit(limit))
    logged = [CommView.of(r) for r in session.exec(query)]
    sent = [CommView.of_outbox(r) for r in client_messages(session, client_id, limit=limit)]
    return sorted(logged + sent, key=lambda c: (c.created_at, c.source == "outbox", c.id), reverse=True)[:limit]
