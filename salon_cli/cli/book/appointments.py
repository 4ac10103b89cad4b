"""`salon appt ...` and `salon checkin` (`salon detect-no-shows` is in `book.no_show_job`, `salon penalty ...`
in `book.penalties`).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.book.day_end import leave_booked
from salon_cli.cli.book.invites import ics
from salon_cli.cli.book.waitlist import say_waiting, waitlist_app
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView

appt_app = typer.Typer(help="Appointments: book, list, move, cancel, check in, no-shows.", no_args_is_help=True)

APPT_COLUMNS = ["id", "starts_at", "ends_at", "staff", "client", "service", "status", "price_cents"]
SHOW_COLUMNS = ["id", "client_id", "client", "staff", "staff_name", "service", "services", "starts_at", "ends_at",
                "status", "price_cents", "deposit_cents", "walk_in", "checked_in_at", "started_at", "completed_at",
                "cancelled_at", "cancel_reason", "no_show_at", "series_id", "external_id", "note", "penalty_id",
                "penalty_status", "penalty_cents", "deposit_paid_cents"]


class Gap(StrEnum):
    shift = "shift"
    skip = "skip"


GAP_OPTION: Any = typer.Option(Gap.shift, "--on-gap",
                               help="A local time a DST change skips: shift (to the time it becomes, RFC 5545) or skip.")


def _one(loc: LocationView, view: Any, fmt: Format) -> None:
    emit(view, fmt, one=True, columns=APPT_COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@appt_app.command("book")
def book(
    ctx: typer.Context,
    client: int | None = typer.Option(None, "--client", help="Client id (find one: salon client search NAME)."),
    services: list[str] = typer.Option([], "--service", help="Service id, code or name; repeat for several, done in order."),
    staff: str = typer.Option(..., "--staff", help="Staff code."),
    at: str | None = typer.Option(None, "--at", help='"YYYY-MM-DD HH:MM" on the location\'s clock, or as said: '
                               '"mañana 10", "viernes 16:00", "fri 4pm" (a walk-in: now).'),
    duration: int | None = typer.Option(None, "--duration", help="Minutes in all (default: the services' own)."),
    walk_in: bool = typer.Option(False, "--walk-in", help="The client is here now: booked and checked in at once."),
    deposit: str | None = typer.Option(None, "--deposit", help="Deposit asked, e.g. 200 (taken now with --pay)."),
    pay: str | None = typer.Option(None, "--pay", help="How the deposit is paid now: cash, card, transfer or gift_card:CODE."),
    repeat: str | None = typer.Option(None, "--repeat", help="An RRULE that ends, e.g. FREQ=WEEKLY;INTERVAL=2;COUNT=6."),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Book even if the staff member is busy then."),
    allow_outside_hours: bool = typer.Option(False, "--allow-outside-hours", help="Book outside the staff member's working hours or on their time off (a manager, with --pin)."),
    on_gap: Gap = GAP_OPTION,
    note: str | None = typer.Option(None, "--note"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Book an appointment (or a repeating series, all or nothing) and print it.

    A client who must leave a deposit books only with it taken (--deposit AMOUNT --pay METHOD), or by a
    manager (--as CODE --pin PIN).

    A visit opens at most the policy's booking horizon ahead (salon policy show: 180 days by default),
    its priority horizon (365) for a client with priority booking; a --repeat series is checked by its
    first visit only.

    Example: salon --as sofia appt book --client 42 --service corte-dama --service blowout --staff ana --at "2026-11-24 10:30" --repeat "FREQ=WEEKLY;COUNT=4"
    """
    from salon_cli.core.money import parse_amount
    from salon_cli.services.benefits import priority
    from salon_cli.services.book import appointments

    app = app_context(ctx)
    loc = app.location()
    deposit_cents = parse_amount(deposit, loc.currency, what="--deposit") if deposit else 0
    booking = dict(client_id=client, services=services, staff=staff, at=at, duration_min=duration, walk_in=walk_in,
                   repeat=repeat, allow_overlap=allow_overlap, on_gap=on_gap.value, note=note,
                   allow_outside_hours=allow_outside_hours)
    if pay is not None:
        from salon_cli.services.checkout.appointment import parse_tender
        from salon_cli.services.till import deposits

        tender = parse_tender(pay, loc.currency)
        if tender.amount_cents is not None:
            raise InvalidInput("--pay takes the --deposit amount: write --pay METHOD")
        done = app.change(Permission.desk, lambda session, actor: deposits.book(
            session, actor=actor, location=loc, method=tender.method, deposit_cents=deposit_cents,
            gift_card=tender.gift_card, horizon_days=priority.horizon_days(session, loc, client), **booking))
    else:
        done = app.change(Permission.desk, lambda session, actor: appointments.book_appointment(
            session, actor=actor, location=loc, deposit_cents=deposit_cents,
            horizon_days=priority.horizon_days(session, loc, client), **booking))  # type: ignore[arg-type]
    for warning in done.warnings:
        message(f"warning: {warning}")
    if len(done.appointments) == 1:
        _one(loc, done.appointments[0], fmt)
    else:
        message(f"booked {len(done.appointments)} appointments (series {done.appointments[0].series_id})")
        emit(done.appointments, fmt, columns=APPT_COLUMNS, tz=loc.tz, currency=loc.currency)


@appt_app.command("free")
def free(
    ctx: typer.Context,
    services: list[str] = typer.Option([], "--service", help="Service id, code or name; repeat for several."),
    duration: int | None = typer.Option(None, "--duration", help="Minutes in all (instead of the services' own)."),
    staff: str | None = typer.Option(None, "--staff", help="One staff member's (code); default: anyone's."),
    after: str | None = typer.Option(None, "--after", help='"YYYY-MM-DD HH:MM" on the location\'s clock (default: now).'),
    count: int = typer.Option(6, "--count", help="How many slots (1 to 100)."),
    days: int = typer.Option(14, "--days", help="How many days ahead to look (1 to 92)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Free slots: inside working hours, on the policy's slot grid, clear of live appointments.

    Example: salon appt free --service corte-dama --staff ana --after "2026-11-24 09:00" --count 3
    """
    from salon_cli.core import clock
    from salon_cli.core.days import parse_local
    from salon_cli.services.book import slots

    app = app_context(ctx)
    loc = app.location()
    start = parse_local(after, loc.tz, what="--after") if after else clock.now()

    def work(session: Any) -> Any:
        minutes = duration if duration is not None else slots.service_minutes(session, loc, services)
        return [{"starts_at": s.starts_at, "staff": s.staff, "minutes": minutes}
                for s in slots.free_slots(session, loc, minutes=minutes, staff=staff, after=start, count=count,
                                          days=days)]

    rows = app.read(work)
    if not rows:
        message("no free slot in those days")
    emit(rows, fmt, columns=["starts_at", "staff", "minutes"], tz=loc.tz)


@appt_app.command("list")
def appt_list(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default: today)."),
    from_: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    staff: str | None = typer.Option(None, "--staff", help="Staff code."),
    status: str | None = typer.Option(None, "--status", help="booked, checked_in, in_service, completed, cancelled, late_cancelled or no_show."),
    client: int | None = typer.Option(None, "--client", help="Client id."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The book for a day or a range of days, by start time.

    Example: salon appt list --date 2026-11-21 --staff ana
    """
    from salon_cli.core import clock
    from salon_cli.core.days import business_date, parse_date
    from salon_cli.services.book.views import appointments

    app = app_context(ctx)
    loc = app.location()
    if date_ and (from_ or to):
        raise InvalidInput("--date goes alone, or use --from and --to")
    today = business_date(clock.now(), loc.tz)
    if date_:
        start = end = parse_date(date_, what="--date")
    else:
        start = parse_date(from_, what="--from") if from_ else today
        end = parse_date(to, what="--to") if to else start
    if end < start:
        raise InvalidInput("--to is before --from")
    rows = app.read(lambda session: appointments(session, location=loc, start=start, end=end, staff=staff,
                                                 status=status, client_id=client))
    emit(rows, fmt, columns=APPT_COLUMNS, tz=loc.tz, currency=loc.currency)


@appt_app.command("show")
def show(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
         fmt: Format = FORMAT_OPTION) -> None:
    """One appointment with its services, times of each step and its penalty.

    Example: salon appt show 120 -f json
    """
    from salon_cli.services.book import views as book_service

    app = app_context(ctx)
    loc = app.location()
    view = app.read(lambda session: book_service.view(session, appointment_id, location=loc))
    emit(view, fmt, one=True, columns=SHOW_COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@appt_app.command("move")
def move(
    ctx: typer.Context,
    appointment_id: int = typer.Argument(..., help="Appointment id."),
    at: str = typer.Option(..., "--at", help='"YYYY-MM-DD HH:MM" on the location\'s clock, or as said: '
                                             '"tomorrow 10:30", "viernes 16:00".'),
    staff: str | None = typer.Option(None, "--staff", help="Another staff member (code)."),
    allow_overlap: bool = typer.Option(False, "--allow-overlap"),
    allow_outside_hours: bool = typer.Option(False, "--allow-outside-hours", help="Move it outside the staff member's working hours (a manager, with --pin)."),
    on_gap: Gap = GAP_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Move a booked appointment to another time (and staff member), keeping its length, no further ahead
    than the client's booking horizon (as appt book).

    Example: salon --as sofia appt move 793 --at "2026-11-26 16:00" --staff ana
    """
    from salon_cli.services.benefits import priority
    from salon_cli.services.book import appointments

    app = app_context(ctx)
    loc = app.location()
    done = app.change(Permission.desk, lambda session, actor: appointments.move(
        session, actor=actor, location=loc, appointment_id=appointment_id, at=at, staff=staff,
        allow_overlap=allow_overlap, on_gap=on_gap.value, allow_outside_hours=allow_outside_hours,
        horizon_days=priority.appointment_horizon_days(session, loc, appointment_id)))
    for warning in done.warnings:
        message(f"warning: {warning}")
    _one(loc, done.appointments[0], fmt)


@appt_app.command("cancel")
def cancel(
    ctx: typer.Context,
    appointment_id: int = typer.Argument(..., help="Appointment id."),
    reason: str | None = typer.Option(None, "--reason"),
    by_salon: bool = typer.Option(False, "--by-salon", help="The salon cancels (never a late cancellation)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Cancel an appointment; a client's cancellation inside the policy window is late and gets its fee.

    Example: salon --as sofia appt cancel 793 --reason "se enfermó"
    """
    from salon_cli.core.money import format_money
    from salon_cli.services.till import deposits

    app = app_context(ctx)
    loc = app.location()
    actor, (done, settled) = app.change(Permission.desk, lambda session, actor: (actor, deposits.cancel(
        session, actor=actor, location=loc, appointment_id=appointment_id, reason=reason, by_salon=by_salon)))
    if done.late:
        covered = settled is not None and done.penalty is not None and settled.fee_cents >= done.penalty.amount_cents
        state = "paid from the deposit" if covered else "pending"
        fee = (f"penalty {done.penalty.id} of {format_money(done.penalty.amount_cents, loc.currency)} ({state})"
               if done.penalty else "no fee under the policy")
        message(f"late cancellation: {fee}")
    _say_deposit(settled, loc)
    _one(loc, app.read(lambda session: _view(session, appointment_id)) if settled else done.appointment, fmt)
    _send_deposit_refund(app, actor, loc, settled, f"appointment {appointment_id} is cancelled")
    say_waiting(app, loc, appointment_id)


def _view(session: Any, appointment_id: int) -> Any:
    from salon_cli.services.book import views

    return views.view(session, appointment_id)


def _say_deposit(settled: Any, loc: Any) -> None:
    from salon_cli.core.money import format_money

    if settled is None:
        return
    parts = [f"{format_money(settled.fee_cents, loc.currency)} paid the fee"] if settled.fee_cents else []
    parts += [f"{format_money(settled.refunded_cents, loc.currency)} refunded"] if settled.refunded_cents else []
    parts += [f"{format_money(settled.kept_cents, loc.currency)} kept"] if settled.kept_cents else []
    message(f"deposit of {format_money(settled.held_cents, loc.currency)} (sale {settled.sale_id}): " + ", ".join(parts))


def _send_deposit_refund(app: Any, actor: Any, loc: Any, settled: Any, done: str) -> None:
    """A Stripe deposit's refund, recorded in the change just committed, sent to Stripe now."""
    if settled is None or not settled.refunded_cents:
        return
    from salon_cli.services.stripe import deposit_refunds

    deposit_refunds.send(app.engine, actor=actor, location=loc, sale_id=settled.sale_id, done=done)


def _step(name: str, doc: str) -> None:
    def command(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
                fmt: Format = FORMAT_OPTION) -> None:
        from salon_cli.services.book import status as appt_status

        app = app_context(ctx)
        loc = app.location()
        action = getattr(appt_status, name)
        view = app.change(Permission.desk, lambda session, actor: action(
            session, actor=actor, location=loc, appointment_id=appointment_id))
        _one(loc, view, fmt)

    command.__doc__ = doc
    appt_app.command(name.replace("_", "-") if name != "check_in" else "checkin")(command)


_step("check_in", "The client is here: check the appointment in.\n\nExample: salon --as sofia appt checkin 793")
_step("start", "The client is in the chair (checks them in if that was skipped).\n\nExample: salon --as emma appt start 822")
_step("complete", "The service is done.\n\nExample: salon --as ana appt complete 791")


@appt_app.command("no-show")
def no_show(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
            fmt: Format = FORMAT_OPTION) -> None:
    """Mark a booked appointment whose time has come as a no-show, with its penalty (a deposit it
    holds pays the penalty first; the rest is refunded or kept, as the policy says).

    Example: salon --as sofia appt no-show 789
    """
    from salon_cli.services.till import deposits

    app = app_context(ctx)
    loc = app.location()
    actor, (view, settled) = app.change(Permission.desk, lambda session, actor: (actor, deposits.no_show(
        session, actor=actor, location=loc, appointment_id=appointment_id)))
    _say_deposit(settled, loc)
    _one(loc, app.read(lambda session: _view(session, appointment_id)) if settled else view, fmt)
    _send_deposit_refund(app, actor, loc, settled, f"appointment {appointment_id} is a no-show")
    say_waiting(app, loc, appointment_id)


appt_app.command("leave-booked")(leave_booked)
appt_app.command("ics")(ics)
appt_app.add_typer(waitlist_app, name="waitlist")


@appt_app.command("reinstate")
def reinstate(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
              reason: str = typer.Option(..., "--reason", help="Why it was not a no-show (kept in the audit log)."),
              checked_in: bool = typer.Option(False, "--checked-in", help="The client is here: check it in too."),
              fmt: Format = FORMAT_OPTION) -> None:
    """Undo a wrong no-show (manager or owner, with PIN): back to booked (or checked in), its penalty
    waived with the reason, the client's no-show count corrected. Refused once its fee is paid or its
    deposit was settled.

    Example: salon --as marco --pin 2222 appt reinstate 789 --reason "llegó, no la registramos" --checked-in
    """
    from salon_cli.services.book import corrections

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.penalty_waive, lambda session, actor: corrections.reinstate(
        session, actor=actor, location=loc, appointment_id=appointment_id, reason=reason, checked_in=checked_in))
    _one(loc, view, fmt)


@appt_app.command("undo-checkin")
def undo_checkin(ctx: typer.Context, appointment_id: int = typer.Argument(..., help="Appointment id."),
                 fmt: Format = FORMAT_OPTION) -> None:
    """Take back a check-in: the appointment is booked again. Anyone at the desk within 15 minutes of
    the check-in; later a manager (--as CODE --pin PIN).

    Example: salon --as sofia appt undo-checkin 822
    """
    from salon_cli.services.book import corrections

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: corrections.undo_check_in(
        session, actor=actor, location=loc, appointment_id=appointment_id))
    _one(loc, view, fmt)


@appt_app.command("deposit")
def deposit(
    ctx: typer.Context,
    appointment_id: int = typer.Argument(..., help="Appointment id."),
    pay: str = typer.Option(..., "--pay", help="METHOD[:AMOUNT]: cash, card, transfer or gift_card:CODE[:AMOUNT] "
                                               "(default amount: the deposit asked and not taken yet)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Take an appointment's deposit: a payment on its sale, in today's drawer and Z-report, applied at
    checkout, to the penalty if the client does not come, refunded if the salon cancels. A Stripe
    deposit is a payment link: salon stripe link --appt ID.

    Example: salon --as sofia appt deposit 793 --pay cash:200
    """
    from salon_cli.services.checkout.appointment import parse_tender
    from salon_cli.services.till import deposits

    app = app_context(ctx)
    loc = app.location()
    tender = parse_tender(pay, loc.currency)
    payment = app.change(Permission.desk, lambda session, actor: deposits.take(
        session, actor=actor, location=loc, appointment_id=appointment_id, method=tender.method,
        amount_cents=tender.amount_cents, gift_card=tender.gift_card))
    emit(payment, fmt, one=True, tz=loc.tz, currency=loc.currency)
    message(f"deposit taken for appointment {appointment_id}: {payment.method} (sale {payment.sale_id})")


def checkin(ctx: typer.Context, query: str = typer.Argument(..., help="The client's name, phone or e-mail."),
            fmt: Format = FORMAT_OPTION) -> None:
    """Find the client and check in their next booked appointment today.

    Example: salon --as sofia checkin "jimena ibanez"
    """
    from salon_cli.services.book import status as appt_status

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: appt_status.check_in_client(
        session, actor=actor, location=loc, query=query))
    message(f"checked in {view.client}: {view.service} with {view.staff} at {view.starts_at.astimezone(loc.tz):%H:%M}")
    _one(loc, view, fmt)


def register(root: typer.Typer) -> None:
    root.add_typer(appt_app, name="appt")
    root.command("checkin")(checkin)
