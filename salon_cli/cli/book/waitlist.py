"""`salon appt waitlist [list] | add | remove | offers`: clients waiting for a slot that is not free, and
who is offered a freed one first (priority booking, then by when they joined). `say_waiting` is the one
stderr line `appt cancel` and `appt no-show` print when the slot they free has offers.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

waitlist_app = typer.Typer(invoke_without_command=True)  # its help is the callback's docstring

ENTRY_COLUMNS = ["id", "client_id", "client", "service", "staff", "from_date", "to_date", "status", "appointment_id",
                 "note", "created_at"]
OFFER_COLUMNS = ["position", "entry_id", "client_id", "client", "phone", "priority", "service", "duration_min",
                 "staff", "from_date", "to_date", "joined_at"]
STATUS_HELP = "waiting (the default), booked, removed, or all."


def _list(ctx: typer.Context, status: str, on: str | None, client: int | None, fmt: Format) -> None:
    from salon_cli.services.book import waitlist

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: waitlist.entries(session, location=loc, status=None if status == "all" else status,
                                                     on=on, client_id=client))
    emit(rows, fmt, columns=ENTRY_COLUMNS, tz=loc.tz)


@waitlist_app.callback()
def waitlist_group(
    ctx: typer.Context,
    status: str = typer.Option("waiting", "--status", help=STATUS_HELP),
    on: str | None = typer.Option(None, "--date", help="Only entries whose days hold this one, YYYY-MM-DD."),
    client: int | None = typer.Option(None, "--client", help="Only this client's."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The waitlist: clients waiting for a slot; who is offered a freed one first.

    Alone, it lists the entries still waiting, in the order clients joined.

    Example: salon appt waitlist
    """
    if ctx.invoked_subcommand is None:
        _list(ctx, status, on, client, fmt)


@waitlist_app.command("list")
def waitlist_list(
    ctx: typer.Context,
    status: str = typer.Option("waiting", "--status", help=STATUS_HELP),
    on: str | None = typer.Option(None, "--date", help="Only entries whose days hold this one, YYYY-MM-DD."),
    client: int | None = typer.Option(None, "--client", help="Only this client's."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The location's waitlist entries, in the order clients joined.

    Example: salon appt waitlist list --status all -f json
    """
    _list(ctx, status, on, client, fmt)


@waitlist_app.command("add")
def waitlist_add(
    ctx: typer.Context,
    client: int = typer.Argument(..., help="Client id (find one: salon client search NAME)."),
    service: str = typer.Option(..., "--service", help="Service id, code or name."),
    staff: str | None = typer.Option(None, "--staff", help="The stylist they wait for (code); default: any."),
    from_: str | None = typer.Option(None, "--from", help="First day they can come, YYYY-MM-DD (default: today)."),
    to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (default: 14 days in all; at most 92)."),
    note: str | None = typer.Option(None, "--note", help="Anything the desk should know (mornings only ...)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Put a client on the waitlist for a service (and a stylist, or any) between two days.

    They are offered a slot that frees in those days; booking them for the service in those days takes
    them off it (the entry becomes booked, with the appointment).

    Example: salon --as sofia appt waitlist add 42 --service corte-dama --note "solo por la tarde"
    """
    from salon_cli.services.book import waitlist

    app = app_context(ctx)
    loc = app.location()
    added = app.change(Permission.desk, lambda session, actor: waitlist.add(
        session, actor=actor, location=loc, client_id=client, service=service, staff=staff, from_date=from_,
        to_date=to, note=note))
    emit(added, fmt, one=True, columns=ENTRY_COLUMNS, tz=loc.tz)


@waitlist_app.command("remove")
def waitlist_remove(
    ctx: typer.Context,
    entry_id: int = typer.Argument(..., help="Waitlist entry id (see: salon appt waitlist)."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Take a waiting entry off the waitlist.

    Example: salon --as sofia appt waitlist remove 1 --reason "ya no puede venir"
    """
    from salon_cli.services.book import waitlist

    app = app_context(ctx)
    loc = app.location()
    removed = app.change(Permission.desk, lambda session, actor: waitlist.remove(
        session, actor=actor, location=loc, entry_id=entry_id, reason=reason))
    emit(removed, fmt, one=True, columns=ENTRY_COLUMNS, tz=loc.tz)


@waitlist_app.command("offers")
def waitlist_offers(
    ctx: typer.Context,
    appointment_id: int = typer.Argument(..., help="A cancelled, no-show or moved appointment's id."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Who to offer the slot a cancelled, no-show or moved appointment left, in order.

    Clients with priority booking (a membership's benefit or a loyalty tier) first, then by when they
    joined. What is still free of the slot goes to stderr, the offers to stdout.

    Example: salon appt waitlist offers 795
    """
    from salon_cli.services.benefits import waitlist_offers as offers_service

    app = app_context(ctx)
    loc = app.location()
    slot, offers = app.read(lambda session: offers_service.offers(session, loc, appointment_id))
    tz = loc.tz
    left = f"{slot.starts_at.astimezone(tz):%Y-%m-%d %H:%M}-{slot.ends_at.astimezone(tz):%H:%M}"
    free = f"{slot.free_from.astimezone(tz):%Y-%m-%d %H:%M}-{slot.free_to.astimezone(tz):%H:%M}"
    message(f"slot left by appointment {appointment_id} ({slot.how.replace('_', ' ')}): {left} with {slot.staff}; "
            + (f"free now: {free}" if slot.minutes else "nothing of it is free now"))
    emit(offers, fmt, columns=OFFER_COLUMNS, tz=tz)


def say_waiting(app: Any, loc: Any, appointment_id: int) -> None:
    """One stderr line after a cancel or a no-show when the freed slot has offers; silent otherwise (a
    failure to read them never fails the change already made)."""
    from salon_cli.core.errors import SalonError
    from salon_cli.services.benefits import waitlist_offers as offers_service

    try:
        _, offers = app.read(lambda session: offers_service.offers(session, loc, appointment_id))
    except SalonError:
        return
    line = offers_service.waiting_summary(offers)
    if line:
        message(f"{line} — salon appt waitlist offers {appointment_id}")
