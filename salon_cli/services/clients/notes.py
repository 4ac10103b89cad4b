"""Client notes (with privacy) and preferences.

A private note is shown only to a reader who may read private notes (owner, manager: the
`notes.private.read` permission) and to the staff member who wrote it; with no reader (nobody
identified) no private note is shown. `readable_clause` is the one rule, in SQL, and
`can_read_note` asks it of one note. Note bodies never go into the audit log (managers read it):
only the note's id, type and privacy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.message_text import check_language
from salon_cli.core.permissions import Permission, can
from salon_cli.db.models import ClientNote, ClientPref, Service, Staff
from salon_cli.services.salon import audit, catalog
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.clients.profiles import get, live
from salon_cli.services.salon.locations import LocationView

NOTE_TYPES = ("general", "technical", "medical", "preference", "complaint")
CHANNELS = ("sms", "email", "whatsapp")
REMINDERS = ("24h", "1h", "both", "none")
_BODY_MAX = 4000
_REQUESTS_MAX = 1000


@dataclass(frozen=True)
class NoteView:
    id: int
    client_id: int
    type: str
    body: str
    private: bool
    author: str  # staff code, or "system"
    created_at: datetime


@dataclass(frozen=True)
class NoteList:
    """The notes a reader may see, newest first, and how many private ones were held back."""

    client_id: int
    notes: tuple[NoteView, ...]
    hidden: int


@dataclass(frozen=True)
class PrefsView:
    client_id: int
    channel: str | None
    reminder: str
    preferred_staff: str | None  # staff code
    preferred_services: tuple[str, ...]  # service codes
    requests: str | None
    updated_at: datetime | None
    language: str | None = None  # of the messages the salon sends (None: the location's)


# ----------------------------------------------------------------------------- privacy

def reads_every_private_note(reader: Actor | None) -> bool:
    return reader is not None and not reader.is_system and can(reader.role, Permission.notes_private_read)


def readable_clause(reader: Actor | None) -> Any:
    """SQL condition on `ClientNote`: the notes `reader` may see."""
    if reads_every_private_note(reader):
        return sa.true()
    if reader is None or reader.is_system:
        return ~col(ClientNote.private)
    # `is_not(None)` keeps the condition true or false (never NULL), so that `~` counts the hidden ones
    return sa.or_(~col(ClientNote.private),
                  sa.and_(col(ClientNote.author_id).is_not(None), col(ClientNote.author_id) == reader.id))


def can_read_note(reader: Actor | None, note: ClientNote) -> bool:
    if not note.private:
        return True
    return reads_every_private_note(reader) or (reader is not None and not reader.is_system
                                                and note.author_id == reader.id)


# ----------------------------------------------------------------------------- notes

def _note_type(text: str) -> str:
    value = (text or "").strip().lower()
    if value not in NOTE_TYPES:
        raise InvalidInput(f"note type {text!r} is not one of {', '.join(NOTE_TYPES)}")
    return value


def add_note(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int,
    body: str,
    type: str = "general",
    private: bool = False,
) -> NoteView:
    """A note on the client, written by `actor` (its author) now."""
    authorize(actor, Permission.desk)
    kind = _note_type(type)
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the note is empty")
    if len(text) > _BODY_MAX:
        raise InvalidInput(f"the note is longer than {_BODY_MAX} characters")
    live(session, client_id)
    row = ClientNote(client_id=client_id, type=kind, body=text, private=private, author_id=actor.id,
                     created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.note", entity="client_note", entity_id=row.id,
                 after={"client_id": client_id, "type": kind, "private": private}, location_id=location.id)
    return NoteView(id=row.id or 0, client_id=client_id, type=kind, body=text, private=private,
                    author=actor.code, created_at=row.created_at)


def notes(session: Session, *, client_id: int, reader: Actor | None, limit: int | None = None) -> NoteList:
    """The client's notes that `reader` may see, newest first."""
    get(session, client_id)
    query = (
        select(ClientNote, Staff.code)
        .outerjoin(Staff, col(Staff.id) == ClientNote.author_id)
        .where(ClientNote.client_id == client_id, readable_clause(reader))
        .order_by(col(ClientNote.created_at).desc(), col(ClientNote.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    shown = tuple(
        NoteView(id=n.id or 0, client_id=n.client_id, type=n.type, body=n.body, private=n.private,
                 author=code or "system", created_at=n.created_at)
        for n, code in session.exec(query)
    )
    hidden = session.exec(
        select(func.count()).select_from(ClientNote)
        .where(ClientNote.client_id == client_id, ~readable_clause(reader))
    ).one()
    return NoteList(client_id=client_id, notes=shown, hidden=int(hidden))


# ----------------------------------------------------------------------------- preferences

def _prefs_view(session: Session, client_id: int, row: ClientPref | None) -> PrefsView:
    if row is None:
        return PrefsView(client_id=client_id, channel=None, reminder="24h", preferred_staff=None,
                         preferred_services=(), requests=None, updated_at=None, language=None)
    member = session.get(Staff, row.preferred_staff_id) if row.preferred_staff_id else None
    return PrefsView(client_id=client_id, channel=row.channel, reminder=row.reminder,
                     preferred_staff=member.code if member else None,
                     preferred_services=tuple(row.preferred_services or ()), requests=row.requests,
                     updated_at=row.updated_at, language=row.language)


def prefs(session: Session, *, client_id: int) -> PrefsView:
    get(session, client_id)
    return _prefs_view(session, client_id, session.get(ClientPref, client_id))


def _choice(text: str, allowed: Sequence[str], what: str) -> str:
    value = text.strip().lower()
    if value not in allowed:
        raise InvalidInput(f"{what} {text!r} is not one of {', '.join(allowed)}")
    return value


def set_prefs(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int,
    channel: str | None = None,
    reminder: str | None = None,
    staff: str | None = None,
    services: Sequence[str] | None = None,
    requests: str | None = None,
    language: str | None = None,
) -> PrefsView:
    """Change what is given. An empty `channel`, `staff`, `requests` or `language` clears it; `services`
    replaces the list (service ids, codes or names at this location; an empty list clears it)."""
    authorize(actor, Permission.desk)
    channel_ = _choice(channel, CHANNELS, "channel") if channel else None
    reminder_ = _choice(reminder, REMINDERS, "reminder") if reminder is not None else None
    requests_ = " ".join(requests.split()) if requests is not None else None
    if requests_ and len(requests_) > _REQUESTS_MAX:
        raise InvalidInput(f"requests are longer than {_REQUESTS_MAX} characters")
    language_ = check_language(language, what="language") if language else None
    if all(v is None for v in (channel, reminder, staff, services, requests, language)):
        raise InvalidInput("nothing to change", hint="see: salon client prefs --help")
    client = live(session, client_id)
    if channel_ == "email" and not client.email:
        raise RuleViolation(f"client {client_id} has no e-mail for reminders by email",
                            hint=f"add one: salon client edit {client_id} --email ADDRESS")
    if channel_ in ("sms", "whatsapp") and not client.phone:
        raise RuleViolation(f"client {client_id} has no phone for reminders by {channel_}",
                            hint=f"add one: salon client edit {client_id} --phone NUMBER")
    staff_id = _preferred_staff(session, staff) if staff else None
    codes = [_preferred_service(session, location, s) for s in services if s.strip()] if services is not None else None

    row = session.get(ClientPref, client_id, with_for_update=True)
    before = audit.snapshot(row)
    if row is None:
        row = ClientPref(client_id=client_id, updated_at=clock.now())
    if channel is not None:
        row.channel = channel_
    if reminder_ is not None:
        row.reminder = reminder_
    if staff is not None:
        row.preferred_staff_id = staff_id
    if codes is not None:
        row.preferred_services = list(dict.fromkeys(codes))
    if requests_ is not None:
        row.requests = requests_ or None
    if language is not None:
        row.language = language_
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.prefs", entity="client", entity_id=client_id,
                 before=before, after=audit.snapshot(row), location_id=location.id)
    return _prefs_view(session, client_id, row)


def _preferred_staff(session: Session, who: str) -> int:
    member = staff_service.find(session, who)
    if not member.active:
        raise RuleViolation(f"staff member {member.code} is deactivated")
    return member.id or 0


def _preferred_service(session: Session, location: LocationView, ref: str) -> str:
    service = catalog.find(session, Service, location, ref)
    if not service.active:
        raise RuleViolation(f"service {service.code} is no longer offered")
    return service.code
