"""`salon appt ics ID`: the appointment as an iCalendar invitation on stdout, for the client's calendar.

Imports inside the command keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import sys

import typer

from salon_cli.cli.context import app_context


def ics(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id.")) -> None:
    """The appointment as an iCalendar (.ics) invitation, on stdout: a phone's calendar adds it, and
    updates it when a later one for the same visit arrives (moved, or cancelled).

    Example: salon appt ics 120 > cita-120.ics
    """
    from salon_cli.services.book import ics as ics_service

    app = app_context(ctx)
    loc = app.location()
    data = app.read(lambda session: ics_service.invitation(session, loc, appointment_id))
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
