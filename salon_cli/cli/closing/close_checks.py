"""What `salon close-day` checks before a close (issue 28, the guarded close), on a terminal and for scripts:
`--unfinished` (what still holds the day), `--pending` (days left unclosed), and on a terminal the guard
said before the count is asked and the early close confirmed.

The rules are `services.closing.day_close` and `services.closing.unfinished`'s; a script gets their
refusals as they are (exit 1, `hint: ... --early`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from salon_cli.cli.context import AppContext
from salon_cli.cli.output import Format, emit, message
from salon_cli.core.errors import RuleViolation
from salon_cli.core.permissions import Permission

UNFINISHED_COLUMNS = ["kind", "id", "at", "client", "staff", "what", "status", "amount_cents", "paid_cents",
                      "balance_cents"]
PENDING_COLUMNS = ["business_date", "sales_count", "payments_count", "cash_movements_count", "expenses_count",
                   "appointments_count", "reopened"]


def show_unfinished(app: AppContext, day: date, fmt: Format) -> None:
    """`close-day --unfinished`: one row per appointment, open sale and pending penalty holding the day."""
    from salon_cli.services.closing import unfinished

    loc = app.location()
    left = app.read(lambda s: unfinished.of_day(s, location=loc, day=day))
    aside = f"; {len(left.left_booked)} left booked past the close" if left.left_booked else ""
    message(f"{day.isoformat()} at {loc.code}: {left.words()}{aside}")
    emit(left.rows(loc), fmt, columns=UNFINISHED_COLUMNS if fmt in (Format.table, Format.csv) else None,
         tz=loc.tz, currency=loc.currency)


def show_pending(app: AppContext, fmt: Format) -> None:
    """`close-day --pending`: the days before today, in the look-back window, with activity and no close."""
    from salon_cli.services.closing import unfinished
    from salon_cli.services.salon import business_days

    loc = app.location()
    today = business_days.today(loc)
    days = app.read(lambda s: unfinished.pending_days(s, location=loc, today=today))
    window = f"in the {unfinished.WINDOW_DAYS} days before {today.isoformat()}"
    message(f"{len(days)} day{'s' if len(days) != 1 else ''} left unclosed {window}" if days else
            f"every day with activity {window} is closed")
    emit(days, fmt, columns=PENDING_COLUMNS if fmt in (Format.table, Format.csv) else None)


def on_terminal(app: AppContext, day: date, note: str | None, early: bool) -> bool:
    """Before the count is asked on a terminal: the guard of unfinished work said now (not after the
    count), and a close before the closing hour confirmed. Returns whether the close is meant early."""
    from salon_cli.services.closing import day_close

    loc = app.location()
    actor = app.actor(Permission.day_close)

    def ready(s: Any) -> str | None:
        if day_close.closed_row(s, loc.id, day) is not None:
            return None  # the close itself says it is closed already
        day_close.check_unfinished(s, actor=actor, location=loc, day=day, note=note)
        return day_close.early_words(s, location=loc, day=day)

    words = app.read(ready)
    if words and not early:
        if not typer.confirm(f"{words[0].upper()}{words[1:]}: close the day early?", default=False):
            raise RuleViolation(f"{words}: the day is left open", hint="close it after the closing hour, or say --early")
        return True
    return early


def said(report: dict[str, Any]) -> str | None:
    """What a manager's close over unfinished work kept, for stderr."""
    kept = report.get("unfinished")
    return f"closed over unfinished work ({kept['words']}): the list is kept with the close" if kept else None
