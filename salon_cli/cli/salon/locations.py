"""Locations and their policy (manager and owner work).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

location_app = typer.Typer(help="Locations: one salon, or each branch of a chain.", no_args_is_help=True)
policy_app = typer.Typer(help="A location's rules: no-shows, late cancels, deposits, taxes, PIN lockout, messages.",
                         no_args_is_help=True)

LOCATION_COLUMNS = ["id", "code", "name", "timezone", "country", "currency", "active"]
COUNTRY_HELP = ("ISO 3166-1 country code, e.g. MX, ES, US: phone numbers typed without a country code are read "
                "in its plan")
PHONE_HELP = "The location's phone, checked in the country's plan and kept as +52 55 1234 5678"


@location_app.command("list")
def location_list(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """List locations.

    Example: salon location list -f json
    """
    from salon_cli.services.salon import locations

    with app_context(ctx).uow(write=False) as uow:
        emit(locations.list_locations(uow.session), fmt, columns=LOCATION_COLUMNS)


@location_app.command("show")
def location_show(ctx: typer.Context, code: str | None = typer.Argument(None, help="Location code (default: the current one)."),
                  fmt: Format = FORMAT_OPTION) -> None:
    """Show one location.

    Example: salon location show centro
    """
    from salon_cli.services.salon import locations

    with app_context(ctx).uow(write=False) as uow:
        loc = locations.resolve(uow.session, code or app_context(ctx).settings.location)
    emit(loc, fmt, one=True)


@location_app.command("add")
def location_add(
    ctx: typer.Context,
    code: str = typer.Option(..., "--code", help="Short code, e.g. norte."),
    name: str = typer.Option(..., "--name"),
    timezone: str = typer.Option(..., "--timezone", help="IANA zone."),
    currency: str = typer.Option(..., "--currency", help="ISO-4217 code."),
    country: str | None = typer.Option(None, "--country", help=COUNTRY_HELP + " (default: the zone's)."),
    address: str | None = typer.Option(None, "--address"),
    phone: str | None = typer.Option(None, "--phone", help=PHONE_HELP + "."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a branch (owner only; gets the default policy).

    Example: salon --as lucia --pin 1234 location add --code norte --name "Salón Norte" --timezone America/Monterrey --currency MXN

    Example: salon --as lucia --pin 1234 location add --code tenerife --name "Salón Tenerife" --timezone Atlantic/Canary --currency EUR --country ES --phone "922 12 34 56"
    """
    from salon_cli.services.salon import locations

    app = app_context(ctx)
    loc = app.change(Permission.location_manage, lambda session, actor: locations.add(
        session, actor=actor, code=code, name=name, timezone=timezone,
        currency=currency, address=address, phone=phone, country=country))
    emit(loc, fmt, one=True)


@location_app.command("set")
def location_set(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name"),
    timezone: str | None = typer.Option(None, "--timezone"),
    country: str | None = typer.Option(None, "--country", help=COUNTRY_HELP + "."),
    address: str | None = typer.Option(None, "--address"),
    phone: str | None = typer.Option(None, "--phone", help=PHONE_HELP + '; "" removes it.'),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    stripe_reader: str | None = typer.Option(None, "--stripe-reader",
                                             help="The desk's Stripe Terminal reader, tmr_... (salon checkout --pay stripe)."),
    no_stripe_reader: bool = typer.Option(False, "--no-stripe-reader", help="Forget the Stripe reader."),
    tax_id: str | None = typer.Option(None, "--tax-id", help="The tax id printed on receipts (RFC, NIF, VAT number); none removes it."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change the current location (--location CODE picks it).

    Example: salon --as lucia --pin 1234 --location norte location set --phone +528112345678 --stripe-reader tmr_FZx8d2

    Example: salon --as lucia --pin 1234 location set --tax-id SACE800101AB1 --address "Av. Juárez 10, CDMX"

    Example: salon --as lucia --pin 1234 location set --country MX --phone "55 1234 5678"
    """
    from salon_cli.services.salon import locations

    if stripe_reader is not None and no_stripe_reader:
        raise InvalidInput("--stripe-reader and --no-stripe-reader together")
    reader = "" if no_stripe_reader else stripe_reader
    app = app_context(ctx)
    loc = app.change(Permission.location_manage, lambda session, actor: locations.update(
        session, actor=actor, location=app.location(), name=name,
        timezone=timezone, address=address, phone=phone, active=active, stripe_reader_id=reader, tax_id=tax_id,
        country=country))
    emit(loc, fmt, one=True)


@policy_app.command("show")
def policy_show(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """Show the location's policy.

    Example: salon policy show -f json
    """
    from salon_cli.services.salon import policy

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        view = policy.show(uow.session, loc)
    emit(view, fmt, one=True, currency=loc.currency)


@policy_app.command("set")
def policy_set(
    ctx: typer.Context,
    no_show_grace: int | None = typer.Option(None, "--no-show-grace", help="Minutes after the start before a no-show."),
    no_show_lookback: int | None = typer.Option(None, "--no-show-lookback", help="Hours back that detection looks."),
    no_show_fee: str | None = typer.Option(None, "--no-show-fee", help="PCT% of the booked price, or a fixed AMOUNT; 0 for none."),
    late_cancel_hours: int | None = typer.Option(None, "--late-cancel-hours", help="Cancelling within H hours of the start is late."),
    late_cancel_fee: str | None = typer.Option(None, "--late-cancel-fee", help="PCT% or AMOUNT; 0 for none."),
    deposit_after: int | None = typer.Option(None, "--deposit-after", help="Require a deposit after N no-shows (0: never)."),
    variance_note_over: str | None = typer.Option(None, "--variance-note-over", help="A cash variance above AMOUNT needs a note."),
    deposit_remainder: str | None = typer.Option(None, "--deposit-remainder", help="refund or keep: what a no-show's or late cancellation's deposit leaves after paying the fee (default refund)."),
    max_desk_discount: str | None = typer.Option(None, "--max-desk-discount", help="The largest discount the desk gives without a manager's PIN (default 20%); more needs --as MANAGER --pin."),
    tax: list[str] | None = typer.Option(None, "--tax", help="NAME:RATE%[:inclusive]; repeat for several; replaces the list."),
    no_taxes: bool = typer.Option(False, "--no-taxes", help="Remove every tax."),
    pin_max_failures: int | None = typer.Option(None, "--pin-max-failures", help="Wrong PINs before a lock (default 5)."),
    pin_lock_minutes: int | None = typer.Option(None, "--pin-lock-minutes", help="Minutes a lock lasts (default 15)."),
    desk_actor: str | None = typer.Option(None, "--desk-actor", help="Staff code that desk commands run as without --as ('none' to clear)."),
    quiet_hours: str | None = typer.Option(None, "--quiet-hours", help="HH:MM-HH:MM on the location's clock when no message goes out (default 21:00-08:00), or none."),
    message_language: str | None = typer.Option(None, "--message-language", help="es or en: messages to clients who chose no language."),
    win_back_days: int | None = typer.Option(None, "--win-back-days", help="Offer consenting clients a win-back message N days after their last visit (0: never)."),
    payment_url: str | None = typer.Option(None, "--payment-url", help="Where clients pay a penalty, {payment_link} in the no-show notice ({penalty_id} is filled in); none to forget."),
    slot: int | None = typer.Option(None, "--slot", help="The book's row in minutes, 5 to 60 and dividing an hour (default 15): next free and slot suggestions sit on it."),
    allow_clock_override: bool | None = typer.Option(None, "--allow-clock-override/--no-allow-clock-override", help="Let commands that change data honour SALON_NOW (tests, demos, backfills), at every location; the owner only."),
    receipt_printer: str | None = typer.Option(None, "--receipt-printer", help="The ESC/POS receipt printer: network:HOST[:PORT], usb:VENDOR:PRODUCT (hex), serial:DEVICE[:BAUD], file:PATH, or none."),
    receipt_via: str | None = typer.Option(None, "--receipt-via", help="How receipts go out by default: one or more of screen, print, email (comma-separated)."),
    booking_horizon: int | None = typer.Option(None, "--booking-horizon", metavar="DAYS", help="A visit may be booked up to today + DAYS (1 to 1095, default 180); a repeated series is checked by its first visit; walk-ins and imports are not limited."),
    priority_horizon: int | None = typer.Option(None, "--priority-horizon", metavar="DAYS", help="The same for clients with priority booking (a membership with priority_booking, or a tier set with loyalty program set --tier-priority): 1 to 1095, default 365, never shorter than --booking-horizon."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change the location's policy (manager PIN).

    Example: salon --as marco --pin 2222 policy set --no-show-fee 50% --late-cancel-hours 24 --tax IVA:16%:inclusive

    Example: salon --as marco --pin 2222 policy set --quiet-hours 20:30-09:00 --message-language en --win-back-days 90

    Example: salon --as lucia --pin 1234 policy set --no-allow-clock-override

    Example: salon --as marco --pin 2222 policy set --receipt-printer network:192.168.1.50:9100 --receipt-via screen,print

    Example: salon --as marco --pin 2222 policy set --booking-horizon 90 --priority-horizon 365
    """
    from salon_cli.services.salon import clock_override, policy

    if tax and no_taxes:
        raise InvalidInput("--tax and --no-taxes together")
    app = app_context(ctx)
    loc = app.location()

    def change(session: Any, actor: Any) -> Any:
        if allow_clock_override is not None:  # the owner's alone (services/salon/clock_override.py)
            clock_override.set_allowed(session, actor=actor, allow=allow_clock_override)
        return policy.update(
            session, actor=actor, location=loc, no_show_grace_min=no_show_grace,
            no_show_lookback_hours=no_show_lookback, no_show_fee=no_show_fee,
            late_cancel_hours=late_cancel_hours, late_cancel_fee=late_cancel_fee,
            deposit_after_no_shows=deposit_after, variance_note_over=variance_note_over,
            taxes=[] if no_taxes else (tax or None), pin_max_failures=pin_max_failures,
            pin_lock_minutes=pin_lock_minutes, desk_actor=desk_actor, quiet_hours=quiet_hours,
            message_language=message_language, win_back_days=win_back_days, payment_url=payment_url,
            max_desk_discount=max_desk_discount, deposit_remainder=deposit_remainder, slot_min=slot,
            receipt_printer=receipt_printer, receipt_via=receipt_via,
            booking_horizon_days=booking_horizon, priority_horizon_days=priority_horizon)

    view = app.change(Permission.policy_manage, change)
    emit(view, fmt, one=True, currency=loc.currency)


def register(root: typer.Typer) -> None:
    root.add_typer(location_app, name="location")
    root.add_typer(policy_app, name="policy")
