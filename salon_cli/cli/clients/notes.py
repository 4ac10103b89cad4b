"""`salon client note | notes | note-edit | note-delete`: a client's notes.

Private notes show only to a reader who proves who they are (`--as CODE --pin PIN`) and may read
them: the owner, a manager, or the note's author. Without that, `notes` holds them back and says on
stderr how many were held back, and `note-edit`/`note-delete` do not find them. A note is corrected or
removed by its author, or by a manager or the owner with their PIN; both are audited.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from salon_cli.cli.clients.group import client_app, note_reader, say_hidden
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.actors import Actor

NOTE_COLUMNS = ["id", "created_at", "type", "private", "author", "edited_at", "edited_by", "body"]


@client_app.command("note")
def note(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    text: str = typer.Argument(..., help="The note."),
    type_: str = typer.Option("general", "--type", help="general, technical, medical, preference or complaint."),
    private: bool = typer.Option(False, "--private", help="Only the owner, managers and you may read it."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Write a note on a client (you are its author).

    Example: salon --as ana client note 42 "Alergia al tinte con amoníaco" --type medical --private
    """
    from salon_cli.services.clients import notes as client_notes

    app = app_context(ctx)
    loc = app.location()
    written = app.change(Permission.desk, lambda session, actor: client_notes.add_note(
        session, actor=actor, location=loc, client_id=client_id, body=text, type=type_, private=private))
    emit(written, fmt, one=True, columns=NOTE_COLUMNS, tz=loc.tz)


@client_app.command("notes")
def notes(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    type_: str | None = typer.Option(None, "--type", help="Only this type: general, technical, medical, "
                                                          "preference or complaint."),
    private: bool = typer.Option(False, "--private", help="Only the private notes (those you may read)."),
    author: str | None = typer.Option(None, "--author", help="Only those written by this staff code."),
    since: str | None = typer.Option(None, "--since", help="Only those written on or after YYYY-MM-DD "
                                                           "(the location's day) or an ISO instant."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A client's notes, newest first (private ones only for the owner, managers and their author).

    Example: salon --as marco --pin 2222 client notes 6 --type medical --since 2026-01-01 -f json
    """
    from salon_cli.core.clock import parse_instant
    from salon_cli.core.days import day_bounds, parse_date
    from salon_cli.services.clients import notes as client_notes

    app = app_context(ctx)
    loc = app.location()
    since_at = None
    if since:
        since_at = (parse_instant(since, what="--since") if "T" in since
                    else day_bounds(parse_date(since, what="--since"), loc.tz)[0])
    reader = note_reader(app)
    listed = app.read(lambda session: client_notes.notes(
        session, client_id=client_id, reader=reader, type=type_, private_only=private, author=author,
        since=since_at))
    emit(listed.notes, fmt, columns=NOTE_COLUMNS, tz=loc.tz)
    say_hidden(listed.hidden, reader)


@client_app.command("note-edit")
def note_edit(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    note_id: int = typer.Argument(..., help="Note id (see: salon client notes ID)."),
    text: str = typer.Argument(..., help="The note's new text."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Correct a note's text (its author, or a manager or the owner with their PIN); audited.

    Example: salon --as ana --pin 4444 client note-edit 42 87 "Alergia al tinte con amoníaco y al PPD"
    """
    from salon_cli.services.clients import note_edits

    app = app_context(ctx)
    loc = app.location()
    edited = app.change(Permission.desk, lambda session, actor: note_edits.edit_note(
        session, actor=actor, location=loc, client_id=client_id, note_id=note_id, body=text))
    emit(edited, fmt, one=True, columns=NOTE_COLUMNS, tz=loc.tz)


@client_app.command("note-delete")
def note_delete(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    note_id: int = typer.Argument(..., help="Note id (see: salon client notes ID)."),
    reason: str = typer.Option(..., "--reason", help="Why it is removed (kept in the audit)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Remove a note (its author, or a manager or the owner with their PIN); the audit keeps who and why.

    Prints the note as it was.

    Example: salon --as marco --pin 2222 client note-delete 42 40 --reason "written on the wrong client"
    """
    from salon_cli.services.clients import note_edits

    app = app_context(ctx)
    loc = app.location()
    gone = app.change(Permission.desk, lambda session, actor: note_edits.delete_note(
        session, actor=actor, location=loc, client_id=client_id, note_id=note_id, reason=reason))
    message(f"note {gone.id} removed from client {client_id}")
    emit(gone, fmt, one=True, columns=NOTE_COLUMNS, tz=loc.tz)
