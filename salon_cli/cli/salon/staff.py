"""`salon staff ...`: the team, their roles and PINs.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import sys

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput, NotPermitted
from salon_cli.core.permissions import Permission

staff_app = typer.Typer(help="Staff: roles owner|manager|receptionist|stylist, PINs, lockouts.", no_args_is_help=True)
COLUMNS = ["id", "code", "name", "role", "active", "commission_bp", "locked_until"]


def _commission(text: str | None) -> int | None:
    from salon_cli.core.money import parse_percent

    return parse_percent(text, what="commission") if text is not None else None


@staff_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Full name."),
    code: str = typer.Option(..., "--code", help="Short code staff type for --as."),
    role: str = typer.Option(..., "--role", help="owner, manager, receptionist or stylist."),
    pin: str = typer.Option(..., "--pin", help="Their PIN, 4 to 12 digits (the acting manager's goes before the command)."),
    commission: str | None = typer.Option(None, "--commission", help="Commission on their services, e.g. 40%."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a staff member (manager PIN).

    Example: salon --as lucia --pin 1234 staff add "Paola Reyes" --code paola --role stylist --pin 4821 --commission 40%
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    view = app.change(Permission.staff_manage, lambda session, actor: staff.add(
        session, actor=actor, location=app.location(), name=name, code=code, role=role, pin=pin,
        commission_bp=_commission(commission) or 0))
    emit(view, fmt, one=True, columns=COLUMNS)


@staff_app.command("list")
def list_(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Include deactivated staff."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List staff.

    Example: salon staff list -f csv
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        rows = staff.list_staff(uow.session, include_inactive=all_)
    emit(rows, fmt, columns=COLUMNS, tz=loc.tz)


@staff_app.command("set")
def set_(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="Staff code or id."),
    name: str | None = typer.Option(None, "--name"),
    role: str | None = typer.Option(None, "--role"),
    commission: str | None = typer.Option(None, "--commission", help="e.g. 35%"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a staff member's name, role or commission (manager PIN).

    Example: salon --as lucia --pin 1234 staff set ana --role manager
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    view = app.change(Permission.staff_manage, lambda session, actor: staff.update(
        session, actor=actor, who=who, name=name, role=role, commission_bp=_commission(commission)))
    emit(view, fmt, one=True, columns=COLUMNS, tz=app.location().tz)


@staff_app.command("set-pin")
def set_pin(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="Staff code or id."),
    new_pin: str | None = typer.Option(None, "--new-pin", help="The new PIN (prompted on a terminal)."),
) -> None:
    """Change a PIN: your own (prove it with --pin), or anyone's as a manager.

    Example: salon --as ana --pin 4444 staff set-pin ana --new-pin 7390
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    if new_pin is None:
        if not sys.stdin.isatty():
            raise InvalidInput("--new-pin is required when not on a terminal")
        new_pin = typer.prompt("New PIN", hide_input=True, confirmation_prompt=True)
    own = (app.settings.staff or "").lower() == who.strip().lower()
    # Changing your own PIN needs your current PIN; anyone else's needs a manager's.
    if own and app.settings.pin is None:
        raise NotPermitted("changing your PIN needs your current one", hint="pass --pin")
    view = app.change(Permission.desk if own else Permission.staff_manage, lambda session, actor: staff.set_pin(
        session, actor=actor, who=who, new_pin=new_pin))
    message(f"PIN changed for {view.code}")


@staff_app.command("deactivate")
def deactivate(ctx: typer.Context, who: str = typer.Argument(...), fmt: Format = FORMAT_OPTION) -> None:
    """Deactivate a staff member; their history stays (manager PIN).

    Example: salon --as lucia --pin 1234 staff deactivate ana
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    view = app.change(Permission.staff_manage, lambda session, actor: staff.deactivate(
        session, actor=actor, who=who))
    emit(view, fmt, one=True, columns=COLUMNS)


@staff_app.command("unlock")
def unlock(ctx: typer.Context, who: str = typer.Argument(...), fmt: Format = FORMAT_OPTION) -> None:
    """Lift a PIN lock before it runs out (manager PIN).

    Example: salon --as marco --pin 2222 staff unlock sofia
    """
    from salon_cli.services.salon import staff

    app = app_context(ctx)
    view = app.change(Permission.staff_manage, lambda session, actor: staff.unlock(
        session, actor=actor, who=who))
    emit(view, fmt, one=True, columns=COLUMNS)


def register(root: typer.Typer) -> None:
    from salon_cli.cli.salon.hours import add_staff_commands  # `staff hours`, `staff off`

    add_staff_commands(staff_app)
    root.add_typer(staff_app, name="staff")
