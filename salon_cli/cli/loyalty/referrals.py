"""`salon loyalty referral-code | refer | referrals`: thin over `services.loyalty.referrals`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.loyalty.group import loyalty_app
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

REFERRAL_COLUMNS = ["id", "referrer_id", "referrer", "referred_id", "referred", "code", "status", "expires_on",
                    "sale_id", "created_at", "rewarded_at"]


@loyalty_app.command("referral-code")
def referral_code(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."),
                  fmt: Format = FORMAT_OPTION) -> None:
    """A client's referral code to hand to friends.

    Made the first time (enrolling the client if needed), the same one every time after.

    Example: salon --as sofia loyalty referral-code 12
    """
    from salon_cli.services.loyalty import referrals

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: referrals.referral_code(
        session, actor=actor, location=loc, client_id=client))
    if fmt is Format.table:
        typer.echo(view.referral_code)
    else:
        emit(view, fmt, one=True)
    message(f"client {client}'s referral code: {view.referral_code} "
            f"(at the desk: salon loyalty refer --code {view.referral_code} --referred NEW_CLIENT)")


@loyalty_app.command("refer")
def refer(ctx: typer.Context,
          client: int | None = typer.Argument(None, help="The client who brought someone (or give --code)."),
          referred: int = typer.Option(..., "--referred", help="The new client they brought."),
          code: str | None = typer.Option(None, "--code", help="The referrer's code, as the new client says it."),
          expires_in_days: int = typer.Option(90, "--expires-in-days",
                                              help="Days the new client has for a first paid sale (default 90)."),
          fmt: Format = FORMAT_OPTION) -> None:
    """Record a referral, by the referrer's id or their code.

    When the new client's first sale is paid, both clients earn the program's referral bonus, unless
    the referral expired first (refused: the new client has a paid sale, or was referred already).

    Example: salon --as sofia loyalty refer 12 --referred 77

    Example: salon --as sofia loyalty refer --code K7QM3XPD --referred 77 --expires-in-days 30
    """
    from salon_cli.services.loyalty import referrals

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: referrals.refer(
        session, actor=actor, location=loc, client_id=client, code=code, referred_id=referred,
        expires_in_days=expires_in_days))
    emit(view, fmt, one=True, columns=REFERRAL_COLUMNS if fmt is Format.table else None, tz=loc.tz)
    message(f"client {view.referrer_id} and client {view.referred_id} earn the referral bonus when client "
            f"{view.referred_id}'s first sale is paid by {view.expires_on}")


@loyalty_app.command("referrals")
def referrals_list(ctx: typer.Context,
                   status: str | None = typer.Option(None, "--status", help="pending, rewarded or expired."),
                   client: int | None = typer.Option(None, "--client",
                                                     help="Only this client's (as referrer or referred)."),
                   fmt: Format = FORMAT_OPTION) -> None:
    """Referrals, newest first, with their status.

    pending: waiting for a first paid sale; rewarded: both bonuses paid; expired: no paid sale in time.

    Example: salon loyalty referrals --status pending -f csv
    """
    from salon_cli.services.loyalty import referrals

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: referrals.list_referrals(session, loc, status=status, client_id=client))
    emit(rows, fmt, columns=REFERRAL_COLUMNS, tz=loc.tz)
