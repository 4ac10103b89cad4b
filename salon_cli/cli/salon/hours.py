"""`salon hours ...` (the location's opening hours) and `salon staff hours` / `salon staff off` (each
staff member's working hours and time off; `salon.staff` adds them to its group).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

hours_app = typer.Typer(help="Opening hours: by weekday, several ranges a day; none set: open at any time.",
                        no_args_is_help=True)
HOURS_COLUMNS = ["weekday", "hours", "source"]
STAFF_HOURS_COLUMNS = ["staff", "weekday", "hours", "source"]
OFF_COLUMNS = ["id", "staff", "first_day", "last_day", "days", "reason", "created_by", "booked"]
_RANGES = "HH:MM-HH:MM[,HH:MM-HH:MM]"


def _day(flag: str, what: str) -> Any:
    return typer.Option(None, f"--{flag}", help=f"{what} ({_RANGES}), or off.")


def _week(mon: str | None, tue: str | None, wed: str | None, thu: str | None, fri: str | None,
          sat: str | None, sun: str | None) -> dict[str, str | None]:
    return {"mon": mon, "tue": tue, "wed": wed, "thu": thu, "fri": fri, "sat": sat, "sun": sun}


@hours_app.command("show")
def show(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """The location's opening hours by weekday.

    `any`: none set, the book takes any time.

    Example: salon hours show -f json
    """
    from salon_cli.services.salon import hours

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: hours.show_opening(session, loc))
    if fmt is Format.table and rows and rows[0].source == "any":
        message(f"{loc.code} has no opening hours set: the book takes any time (salon hours set --mon 09:00-19:00 ...)")
    emit([{k: v for k, v in vars(r).items() if k != "staff"} for r in rows], fmt, columns=HOURS_COLUMNS)


@hours_app.command("set")
def set_(
    ctx: typer.Context,
    mon: str | None = _day("mon", "Monday"), tue: str | None = _day("tue", "Tuesday"),
    wed: str | None = _day("wed", "Wednesday"), thu: str | None = _day("thu", "Thursday"),
    fri: str | None = _day("fri", "Friday"), sat: str | None = _day("sat", "Saturday"),
    sun: str | None = _day("sun", "Sunday"),
    closed: list[str] | None = typer.Option(None, "--closed", help="A closed day (mon..sun); repeat, or sat,sun."),
    clear: bool = typer.Option(False, "--clear", help="Forget every opening hour: the book takes any time again."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Set the opening hours of some weekdays (manager PIN); a day not given keeps its hours.

    Example: salon --as marco --pin 2222 hours set --mon 09:00-19:00 --tue 09:00-19:00 --sat 10:00-14:00 --closed sun
    """
    from salon_cli.services.salon import hours

    app = app_context(ctx)
    loc = app.location()
    rows = app.change(Permission.policy_manage, lambda session, actor: hours.set_opening(
        session, actor=actor, location=loc, days=_week(mon, tue, wed, thu, fri, sat, sun), closed=closed or (),
        clear=clear))
    emit([{k: v for k, v in vars(r).items() if k != "staff"} for r in rows], fmt, columns=HOURS_COLUMNS)


def staff_hours(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="Staff code or id."),
    mon: str | None = _day("mon", "Monday"), tue: str | None = _day("tue", "Tuesday"),
    wed: str | None = _day("wed", "Wednesday"), thu: str | None = _day("thu", "Thursday"),
    fri: str | None = _day("fri", "Friday"), sat: str | None = _day("sat", "Saturday"),
    sun: str | None = _day("sun", "Sunday"),
    clear: bool = typer.Option(False, "--clear", help="Forget their own hours: they work the opening hours."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A staff member's working hours; with a day given, set them (manager PIN).

    Two ranges a day are a split shift; `off`: not working that day; a day not given keeps its value.
    Without hours of their own they work the opening hours.

    Example: salon --as marco --pin 2222 staff hours ana --mon 09:00-14:00,15:00-19:00 --tue off
    """
    from salon_cli.services.salon import hours

    app = app_context(ctx)
    loc = app.location()
    week = _week(mon, tue, wed, thu, fri, sat, sun)
    if clear or any(v is not None for v in week.values()):
        rows = app.change(Permission.staff_manage, lambda session, actor: hours.set_staff_hours(
            session, actor=actor, location=loc, who=who, days=week, clear=clear))
    else:
        rows = app.read(lambda session: hours.show_staff_hours(session, loc, who))
    emit(rows, fmt, columns=STAFF_HOURS_COLUMNS)


def staff_off(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="Staff code or id."),
    from_: str | None = typer.Option(None, "--from", help="First day off, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Last day off, YYYY-MM-DD (default: the first)."),
    reason: str | None = typer.Option(None, "--reason", help="Why: holiday, sick leave, a course ..."),
    list_: bool = typer.Option(False, "--list", help="List their time off (the default without --from)."),
    cancel: int | None = typer.Option(None, "--cancel", help="Take back the time off with this id (manager PIN)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A staff member's time off: add days (manager PIN), list them, or cancel one.

    The book refuses them those days; appointments already booked then are listed, to move.

    Example: salon --as marco --pin 2222 staff off ana --from 2026-12-10 --to 2026-12-12 --reason holiday
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.salon import time_off

    app = app_context(ctx)
    loc = app.location()
    if sum((from_ is not None, list_, cancel is not None)) > 1:
        raise InvalidInput("--from, --list and --cancel go one at a time")
    if (to is not None or reason is not None) and from_ is None:
        raise InvalidInput("--to and --reason go with --from", hint=f"salon staff off {who} --from D --to D --reason R")
    if cancel is not None:
        view = app.change(Permission.staff_manage, lambda session, actor: time_off.cancel_time_off(
            session, actor=actor, location=loc, time_off_id=cancel, who=who))
        message(f"time off {view.id} cancelled: {view.staff} works {view.first_day} to {view.last_day} again")
        emit(view, fmt, one=True, columns=OFF_COLUMNS, tz=loc.tz)
        return
    if from_ is None:
        rows = app.read(lambda session: time_off.list_time_off(session, loc, who))
        emit(rows, fmt, columns=OFF_COLUMNS, tz=loc.tz)
        return
    first = parse_date(from_, what="--from")
    last = parse_date(to, what="--to") if to is not None else first
    view = app.change(Permission.staff_manage, lambda session, actor: time_off.add_time_off(
        session, actor=actor, location=loc, who=who, first_day=first, last_day=last, reason=reason))
    if view.booked:
        message(f"warning: {view.staff} has {len(view.booked)} appointment(s) booked on those days: "
                f"{', '.join(str(i) for i in view.booked[:10])} (move them: salon appt move ID --at ... --staff ...)")
    emit(view, fmt, one=True, columns=OFF_COLUMNS, tz=loc.tz)


def add_staff_commands(staff_app: typer.Typer) -> None:
    """`salon staff hours` and `salon staff off` (called by `salon.staff` when it registers)."""
    staff_app.command("hours")(staff_hours)
    staff_app.command("off")(staff_off)


def register(root: typer.Typer) -> None:
    root.add_typer(hours_app, name="hours")
