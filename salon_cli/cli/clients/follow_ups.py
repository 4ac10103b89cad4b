"""`salon client follow-up | follow-ups | follow-up-done`: what to do about a client on a day (call back,
a patch test's result, a colour touch-up due), listed for the desk when due.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

import typer

from salon_cli.cli.clients.group import client_app
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.core.permissions import Permission

FOLLOW_UP_COLUMNS = ["id", "client_id", "client", "due_on", "note", "status", "created_by", "created_at"]
CLOSED_COLUMNS = [*FOLLOW_UP_COLUMNS, "closed_at", "closed_by"]


@client_app.command("follow-up")
def follow_up(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    on: str = typer.Option(..., "--on", help="The day it is due, YYYY-MM-DD (today or later)."),
    note: str = typer.Option(..., "--note", help="What to do: call back, patch test result, touch-up due."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a follow-up on a client, due on a day (listed by `client follow-ups --due` from that day).

    Example: salon --as sofia client follow-up 42 --on 2026-12-14 --note "Llamar: resultado de la prueba de alergia"
    """
    from salon_cli.services.clients import follow_ups

    app = app_context(ctx)
    loc = app.location()
    added = app.change(Permission.desk, lambda session, actor: follow_ups.add(
        session, actor=actor, location=loc, client_id=client_id, on=on, note=note))
    emit(added, fmt, one=True, columns=FOLLOW_UP_COLUMNS, tz=loc.tz)


@client_app.command("follow-ups")
def follow_ups_list(
    ctx: typer.Context,
    due: bool = typer.Option(False, "--due", help="Only those due today or overdue."),
    client_id: int | None = typer.Option(None, "--client", help="Only this client's."),
    everything: bool = typer.Option(False, "--all", help="Done and cancelled ones too."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The location's open follow-ups, soonest first.

    Example: salon client follow-ups --due
    Example: salon client follow-ups --client 42 --all -f json
    """
    from salon_cli.services.clients import follow_ups

    app = app_context(ctx)
    loc = app.location()
    listed = app.read(lambda session: follow_ups.follow_ups(
        session, location=loc, due=due, client_id=client_id, everything=everything))
    emit(listed, fmt, columns=CLOSED_COLUMNS if everything else FOLLOW_UP_COLUMNS, tz=loc.tz)


@client_app.command("follow-up-done")
def follow_up_done(
    ctx: typer.Context,
    follow_up_id: int = typer.Argument(..., help="Follow-up id (see: salon client follow-ups)."),
    cancel: bool = typer.Option(False, "--cancel", help="Cancelled rather than done (no longer needed)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Mark an open follow-up done (or cancelled with --cancel).

    Example: salon --as sofia client follow-up-done 1
    Example: salon --as sofia client follow-up-done 1 --cancel
    """
    from salon_cli.services.clients import follow_ups

    app = app_context(ctx)
    loc = app.location()
    closed = app.change(Permission.desk, lambda session, actor: follow_ups.close(
        session, actor=actor, location=loc, follow_up_id=follow_up_id, cancel=cancel))
    emit(closed, fmt, one=True, columns=CLOSED_COLUMNS, tz=loc.tz)
