"""Correcting and removing a client's note (`client note-edit`, `client note-delete`), each audited in
the same transaction with who did it and why.

Who may: the note's author, or a manager or the owner who proved it with their PIN; anyone else is
refused (exit 3). A private note is found only by someone who may read it (`notes.can_read_note`) and
proved who they are with their PIN: to anyone else it does not exist (exit 1), as in `client notes`.

The audit keeps the body of a note that is not private (before and after an edit; what was removed).
A private note stays private in the audit too: only that it was private and its length, never its
body. A removal keeps the note's type, author and when it was written, and the reason given.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, NotPermitted
from salon_cli.core.permissions import Permission
from salon_cli.db.models import ClientNote, Staff
from salon_cli.services.clients.notes import NoteView, can_read_note, check_body, note_view
from salon_cli.services.clients.profiles import live
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

_REASON_MAX = 500


def _code(session: Session, staff_id: int | None) -> str:
    member = session.get(Staff, staff_id) if staff_id is not None else None
    return member.code if member else "system"


def _changeable(session: Session, actor: Actor, client_id: int, note_id: int) -> ClientNote:
    """The note, locked, once `actor` may change it: NotFound when it is not this client's or not
    readable by them, NotPermitted when it is someone else's and they are no manager."""
    authorize(actor, Permission.desk)
    live(session, client_id)
    row = session.get(ClientNote, note_id, with_for_update=True)
    reader = actor if actor.verified or actor.is_system else None
    if row is None or row.client_id != client_id or not can_read_note(reader, row):
        raise NotFound(f"client {client_id} has no note {note_id}",
                       hint=f"see: salon client notes {client_id} (private ones: --as CODE --pin PIN)")
    if row.author_id != actor.id and not actor.is_manager:
        raise NotPermitted(
            f"{actor.code} ({actor.role}) may not change a note written by {_code(session, row.author_id)}",
            hint="its author, or a manager or the owner with their PIN (--as CODE --pin PIN)")
    return row


def _text(row: ClientNote, body: str) -> dict[str, Any]:
    """What the audit may keep of a note's text: the body, or for a private note only its length."""
    return {"length": len(body)} if row.private else {"body": body}


def edit_note(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int,
    note_id: int,
    body: str,
) -> NoteView:
    """Replace the note's text; it keeps its author, type, privacy and date, and records who edited it
    and when. The same text again changes nothing."""
    text = check_body(body)
    row = _changeable(session, actor, client_id, note_id)
    author = _code(session, row.author_id)
    if text != row.body:
        kept = {"client_id": client_id, "type": row.type, "private": row.private, "author": author}
        before = {**kept, **_text(row, row.body)}
        row.body, row.edited_at, row.edited_by_id = text, clock.now(), actor.id
        session.add(row)
        session.flush()
        audit.record(session, actor=actor, action="client.note_edit", entity="client_note", entity_id=row.id,
                     before=before, after={**kept, **_text(row, text)}, location_id=location.id)
    return note_view(row, author, _code(session, row.edited_by_id) if row.edited_at else None)


def delete_note(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int,
    note_id: int,
    reason: str,
) -> NoteView:
    """Remove the note for good; the audit keeps why, and the note's type, author and date. Returns
    the note as it was."""
    why = " ".join((reason or "").split())
    if not why:
        raise InvalidInput("say why the note is removed (--reason)")
    if len(why) > _REASON_MAX:
        raise InvalidInput(f"the reason is longer than {_REASON_MAX} characters")
    row = _changeable(session, actor, client_id, note_id)
    author = _code(session, row.author_id)
    gone = note_view(row, author, _code(session, row.edited_by_id) if row.edited_at else None)
    before = {"client_id": client_id, "type": row.type, "private": row.private, "author": author,
              "created_at": row.created_at, **_text(row, row.body)}
    session.delete(row)
    session.flush()
    audit.record(session, actor=actor, action="client.note_delete", entity="client_note", entity_id=note_id,
                 before=before, after={"reason": why}, location_id=location.id)
    return gone
