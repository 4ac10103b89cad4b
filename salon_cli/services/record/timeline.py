"""One client's story across every area, newest first: visits, notes (as the reader may see them), the
communication log and the messages the outbox holds for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from salon_cli.db.models import Appointment, Communication, Service, Staff
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.clients.profiles import get
from salon_cli.services.messages import outbox
from salon_cli.services.salon.actors import Actor


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # visit | note | message (sales and loyalty join as they arrive)
    ref: int
    summary: str


def timeline(session: Session, *, client_id: int, reader: Actor | None, limit: int = 200) -> list[TimelineEvent]:
    """Visits, notes (as `reader` may see them) and messages, newest first."""
    get(session, client_id)
    events: list[TimelineEvent] = []
    visits = session.exec(
        select(Appointment, Service.name, Staff.code)
        .join(Service, col(Service.id) == Appointment.service_id)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .where(Appointment.client_id == client_id)
        .order_by(col(Appointment.starts_at).desc()).limit(limit)
    ).all()
    for appt, service, staff in visits:
        events.append(TimelineEvent(appt.starts_at, "visit", appt.id or 0, f"{service} with {staff} ({appt.status})"))
    for note in client_notes.notes(session, client_id=client_id, reader=reader, limit=limit).notes:
        label = f"{note.type}{', private' if note.private else ''}"
        events.append(TimelineEvent(note.created_at, "note", note.id, f"[{label}] {note.author}: {note.body}"))
    messages = session.exec(select(Communication).where(Communication.client_id == client_id)
                            .order_by(col(Communication.created_at).desc()).limit(limit)).all()
    for msg in messages:
        events.append(TimelineEvent(msg.created_at, "message", msg.id or 0,
                                    f"{msg.channel} {msg.purpose} ({msg.status}): {msg.body[:80]}"))
    for out in outbox.client_messages(session, client_id, limit=limit):
        events.append(TimelineEvent(out.created_at, "message", out.id or 0,
                                    f"{out.channel} {outbox.LOG_PURPOSE[out.template]} ({out.status}): {out.body[:80]}"))
    events.sort(key=lambda e: (e.at, e.kind, e.ref), reverse=True)
    return events[:limit]
