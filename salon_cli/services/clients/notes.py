"""Client notes (with privacy) and preferences.

A private note is shown only to a reader who may read private notes (owner, manager: the
`notes.private.read` permission) and to the staff member who wrote it; with no reader (nobody
identified) no private note is shown. `readable_clause` is the one rule, in SQL, and
`can_read_note` asks it of one note. A new note's body never goes into the audit log (managers read
it): only the note's id, type and privacy. Corrections and removals (`note_edits`) keep the body of a note
that is not private, never a private one's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.message_text import check_language
from salon_cli.core.permissions import Permission, can
from salon_cli.db.models import ClientNote, ClientPref, ClientPreferredStaff, Service, Staff
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
    edited_at: datetime | None = None  # the last `client note-edit`
    edited_by: str | None = None  # staff code of who made it


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
    preferred_staff: str | None  # staff code: the first preferred stylist (the one the booking form offers)
    preferred_services: tuple[str, ...]  # service codes
    requests: str | None
    updated_at: datetime | None
    language: str | None = None  # of the messages the salon sends (None: the location's)
    preferred_staff_codes: tuple[str, ...] = ()  # every preferred stylist, in order


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


def check_body(body: str) -> str:
    """A note's text as it is kept: trimmed, not empty, at most 4000 characters."""
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the note is empty")
    if len(text) > _BODY_MAX:
        raise InvalidInput(f"the note is longer than {_BODY_MAX} characters")
    return text


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
    text = check_body(body)
    live(session, client_id)
    row = ClientNote(client_id=client_id, type=kind, body=text, private=private, author_id=actor.id,
                     created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.note", entity="client_note", entity_id=row.id,
                 after={"client_id": client_id, "type": kind, "private": private}, location_id=location.id)
    return NoteView(id=row.id or 0, client_id=client_id, type=kind, body=text, private=private,
                    author=actor.code, created_at=row.created_at)


def note_view(row: ClientNote, author: str | None, edited_by: str | None) -> NoteView:
    return NoteView(id=row.id or 0, client_id=row.client_id, type=row.type, body=row.body, private=row.private,
                    author=author or "system", created_at=row.created_at, edited_at=row.edited_at,
                    edited_by=edited_by if row.edited_at is not None else None)


def _filters(session: Session, type: str | None, private_only: bool, author: str | None,
             since: datetime | None) -> list[Any]:
    """`client notes --type --private --author --since` as SQL conditions on `ClientNote`."""
    where: list[Any] = []
    if type is not None:
        where.append(ClientNote.type == _note_type(type))
    if private_only:
        where.append(col(ClientNote.private))
    if author is not None:
        if author.strip().lower() == "system":
            where.append(col(ClientNote.author_id).is_(None))
        else:
            where.append(ClientNote.author_id == staff_service.find(session, author).id)
    if since is not None:
        where.append(col(ClientNote.created_at) >= since)
    return where


def notes(session: Session, *, client_id: int, reader: Actor | None, limit: int | None = None,
          type: str | None = None, private_only: bool = False, author: str | None = None,
          since: datetime | None = None) -> NoteList:
    """The client's notes that `reader` may see, newest first; with filters, only those of that type,
    the private ones, those written by `author` (a staff code, or "system") or on or after `since`.
    `hidden` counts the private notes held back among those the filters take."""
    get(session, client_id)
    where = [ClientNote.client_id == client_id, *_filters(session, type, private_only, author, since)]
    editor = aliased(Staff)
    query = (
        select(ClientNote, Staff.code, editor.code)
        .outerjoin(Staff, col(Staff.id) == ClientNote.author_id)
        .outerjoin(editor, col(editor.id) == ClientNote.edited_by_id)
        .where(*where, readable_clause(reader))
        .order_by(col(ClientNote.created_at).desc(), col(ClientNote.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    shown = tuple(note_view(n, code, edited_by) for n, code, edited_by in session.exec(query))
    hidden = session.exec(
        select(func.count()).select_from(ClientNote).where(*where, ~readable_clause(reader))
    ).one()
    return NoteList(client_id=client_id, notes=shown, hidden=int(hidden))


# ----------------------------------------------------------------------------- preferences

def preferred_staff_ids(session: Session, client_id: int) -> list[int]:
    """The client's preferred stylists' ids, first first (the booking form offers the first)."""
    query = (select(ClientPreferredStaff.staff_id).where(ClientPreferredStaff.client_id == client_id)
             .order_by(col(ClientPreferredStaff.position), col(ClientPreferredStaff.staff_id)))
    return list(session.exec(query).all())


def _preferred_codes(session: Session, client_id: int) -> tuple[str, ...]:
    query = (select(Staff.code).join(ClientPreferredStaff, col(ClientPreferredStaff.staff_id) == Staff.id)
             .where(ClientPreferredStaff.client_id == client_id)
             .order_by(col(ClientPreferredStaff.position), col(ClientPreferredStaff.staff_id)))
    return tuple(session.exec(query).all())


def _prefs_view(session: Session, client_id: int, row: ClientPref | None) -> PrefsView:
    codes = _preferred_codes(session, client_id)
    if row is None:
        return PrefsView(client_id=client_id, channel=None, reminder="24h", preferred_staff=codes[0] if codes else None,
                         preferred_services=(), requests=None, updated_at=None, language=None,
                         preferred_staff_codes=codes)
    return PrefsView(client_id=client_id, channel=row.channel, reminder=row.reminder,
                     preferred_staff=codes[0] if codes else None,
                     preferred_services=tuple(row.preferred_services or ()), requests=row.requests,
                     updated_at=row.updated_at, language=row.language, preferred_staff_codes=codes)


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
    staff: str | Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    requests: str | None = None,
    language: str | None = None,
) -> PrefsView:
    """Change what is given. An empty `channel`, `staff`, `requests` or `language` clears it; `services`
    replaces the list (service ids, codes or names at this location; an empty list clears it); `staff`
    (a code, or several in order: the first is the one the booking form offers) replaces the preferred
    stylists (an empty one or an empty list clears them)."""
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
    wanted = [staff] if isinstance(staff, str) else list(staff) if staff is not None else None
    staff_ids = (list(dict.fromkeys(_preferred_staff(session, s) for s in wanted if s.strip()))
                 if wanted is not None else None)
    codes = [_preferred_service(session, location, s) for s in services if s.strip()] if services is not None else None

    row = session.get(ClientPref, client_id, with_for_update=True)
    before = audit.snapshot(row)
    if before is not None:
        before = {**before, "preferred_staff_ids": preferred_staff_ids(session, client_id)}
    if row is None:
        row = ClientPref(client_id=client_id, updated_at=clock.now())
    if channel is not None:
        row.channel = channel_
    if reminder_ is not None:
        row.reminder = reminder_
    if staff_ids is not None:
        _set_preferred_staff(session, client_id, staff_ids)
    if codes is not None:
        row.preferred_services = list(dict.fromkeys(codes))
    if requests_ is not None:
        row.requests = requests_ or None
    if language is not None:
        row.language = language_
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    after = {**(audit.snapshot(row) or {}), "preferred_staff_ids": preferred_staff_ids(session, client_id)}
    audit.record(session, actor=actor, action="client.prefs", entity="client", entity_id=client_id,
                 before=before, after=after, location_id=location.id)
    return _prefs_view(session, client_id, row)


def _set_preferred_staff(session: Session, client_id: int, staff_ids: Sequence[int]) -> None:
    """The preferred stylists replaced by `staff_ids`, positions 1, 2, ... in that order."""
    session.execute(sa.delete(ClientPreferredStaff).where(col(ClientPreferredStaff.client_id) == client_id))
    session.add_all([ClientPreferredStaff(client_id=client_id, staff_id=sid, position=n)
                     for n, sid in enumerate(staff_ids, start=1)])
    session.flush()


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
