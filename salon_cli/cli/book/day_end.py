"""`salon appt leave-booked`: a visit left as it is past its day's close, with a reason (issue 28, the
guarded close). In a module of its own, registered on `salon appt` by `book.appointments`.

Imports inside the command keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

COLUMNS = ["id", "starts_at", "ends_at", "staff", "client", "service", "status", "price_cents"]


def leave_booked(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
                 reason: str = typer.Option(..., "--reason", help="Why it stays open past the close (one line, "
                                                                  "kept with the appointment and in the audit log)."),
                 fmt: Format = FORMAT_OPTION) -> None:
    """Leave a visit as it is (booked, checked in or in the chair) past its day's close, saying why: it no
    longer holds the close of its day (salon close-day --unfinished no longer lists it). Leaving it again
    changes the reason.

    Example: salon --as sofia appt leave-booked 799 --reason "client running late, stylist stays on"
    """
    from salon_cli.services.book import day_end

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: day_end.leave_booked(
        session, actor=actor, location=loc, appointment_id=appointment_id, reason=reason))
    message(f"appointment {appointment_id} stays {view.status.replace('_', ' ')} past the close of "
            f"{view.starts_at.astimezone(loc.tz):%Y-%m-%d}")
    emit(view, fmt, one=True, columns=COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)
