"""`salon penalty ...`: no-show and late-cancel penalties: list, show, waive, mark paid, charge by Stripe.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.core.errors import RuleViolation
from salon_cli.core.permissions import Permission

penalty_app = typer.Typer(help="No-show and late-cancel penalties: list, waive, charge, mark paid.", no_args_is_help=True)

PENALTY_COLUMNS = ["id", "appointment_id", "appointment_at", "client_id", "client", "kind", "amount_cents",
                   "status", "reason", "waived_by", "waive_reason", "paid_method"]


@penalty_app.command("list")
def penalty_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending, charged, waived, paid or failed."),
    client: int | None = typer.Option(None, "--client", help="Client id."),
    from_: str | None = typer.Option(None, "--from", help="Appointments from this day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Appointments up to this day, YYYY-MM-DD."),
    limit: int = typer.Option(500, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Penalties, newest appointment first.

    Example: salon penalty list --status pending -f json
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.book import penalties

    app = app_context(ctx)
    loc = app.location()
    start = parse_date(from_, what="--from") if from_ else None
    end = parse_date(to, what="--to") if to else None
    rows = app.read(lambda session: penalties.list_penalties(session, location=loc, status=status, client_id=client,
                                                             start=start, end=end, limit=limit))
    emit(rows, fmt, columns=PENALTY_COLUMNS, tz=loc.tz, currency=loc.currency)


@penalty_app.command("show")
def penalty_show(ctx: typer.Context, penalty_id: int = typer.Argument(..., help="Penalty id."),
                 fmt: Format = FORMAT_OPTION) -> None:
    """One penalty.

    Example: salon penalty show 7 -f json
    """
    from salon_cli.services.book import penalties

    app = app_context(ctx)
    loc = app.location()
    emit(app.read(lambda session: penalties.view(session, penalty_id, loc)), fmt, one=True, tz=loc.tz,
         currency=loc.currency)


@penalty_app.command("waive")
def waive(ctx: typer.Context, penalty_id: int = typer.Argument(..., help="Penalty id."),
          reason: str = typer.Option(..., "--reason", help="Why it is waived (kept in the audit log)."),
          fmt: Format = FORMAT_OPTION) -> None:
    """Waive a penalty (manager or owner, with PIN); a waived penalty is never charged.

    Example: salon --as marco --pin 2222 penalty waive 7 --reason "llamó con emergencia familiar"
    """
    from salon_cli.services.book import penalties

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.penalty_waive, lambda session, actor: penalties.waive(
        session, actor=actor, location=loc, penalty_id=penalty_id, reason=reason))
    emit(view, fmt, one=True, columns=PENALTY_COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@penalty_app.command("mark-paid")
def mark_paid(ctx: typer.Context, penalty_id: int = typer.Argument(..., help="Penalty id."),
              method: str = typer.Option(..., "--method", help="cash, card, transfer or other."),
              fmt: Format = FORMAT_OPTION) -> None:
    """Record that the client paid the penalty at the desk.

    Example: salon --as sofia penalty mark-paid 7 --method cash
    """
    from salon_cli.services.till import penalty_fees

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: penalty_fees.mark_paid(
        session, actor=actor, location=loc, penalty_id=penalty_id, method=method))
    emit(view, fmt, one=True, columns=PENALTY_COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@penalty_app.command("charge")
def charge(ctx: typer.Context, penalty_id: int = typer.Argument(..., help="Penalty id."),
           fmt: Format = FORMAT_OPTION) -> None:
    """Charge the penalty to the client's saved card through Stripe, off-session, and print it.

    Accepted by Stripe, the penalty is `charged` (then `paid` when Stripe confirms). A declined card
    leaves it `failed` with the reason (exit 1); Stripe unreachable changes nothing counted (exit 5:
    run it again, Stripe will not charge twice). Needs SALON_STRIPE_API_KEY and the client's card saved
    first, e.g. for penalty 7's client: salon --as sofia client card 18 --customer cus_Q2n5Zb8kLm
    --payment-method pm_1PqR7sT

    Example: salon --as sofia penalty charge 7
    """
    from salon_cli.services.stripe import payments as stripe_payments
    from salon_cli.services.stripe.gateway import StripeGateway

    app = app_context(ctx)
    loc = app.location()
    actor = app.actor(Permission.desk)
    gateway = StripeGateway.from_env()
    done = stripe_payments.charge_penalty(app.engine, actor=actor, location=loc, penalty_id=penalty_id,
                                          gateway=gateway)
    emit(done.penalty, fmt, one=True, columns=[*PENALTY_COLUMNS, "failure_reason"] if fmt is Format.table else None,
         tz=loc.tz, currency=loc.currency)
    if not done.ok:
        raise RuleViolation(f"penalty {penalty_id} was not charged: {done.reason}",
                            hint=f"send the client a payment link (salon stripe link --penalty {penalty_id}) or "
                                 f"take it at the desk (salon penalty mark-paid {penalty_id} --method cash)")


def register(root: typer.Typer) -> None:
    root.add_typer(penalty_app, name="penalty")
