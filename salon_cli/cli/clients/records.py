"""`salon client merge | log-comm | comms ...`: what happens around a client's profile (photos: `photos`).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.clients.group import client_app, note_reader
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

COMM_COLUMNS = ["id", "source", "created_at", "channel", "purpose", "status", "body"]


@client_app.command("merge")
def merge(
    ctx: typer.Context,
    keep_id: int = typer.Argument(..., help="The client to keep."),
    duplicate_id: int = typer.Argument(..., help="The duplicate, merged into the kept one."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Merge a duplicate into the client kept: visits, notes, tags, messages, photos move (manager PIN).

    Example: salon --as marco --pin 2222 client merge 12 101
    """
    from salon_cli.services.record import merge as client_merge

    app = app_context(ctx)
    app.location()
    result = app.change(Permission.client_merge, lambda session, actor: client_merge.merge(
        session, actor=actor, keep_id=keep_id, duplicate_id=duplicate_id))
    message(f"client {duplicate_id} merged into {keep_id}")
    emit(result, fmt, one=True)


@client_app.command("log-comm")
def log_comm(
    ctx: typer.Context,
    client_id: int = typer.Argument(...),
    channel: str = typer.Option(..., "--channel", help="sms, email, whatsapp, phone or in_person."),
    purpose: str = typer.Option(..., "--purpose", help="reminder, confirmation, follow_up, marketing, birthday, win_back, no_show, other."),
    text: str = typer.Option(..., "--message", help="What was said."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Log a message sent or a call made by hand.

    Example: salon --as sofia client log-comm 12 --channel phone --purpose follow_up --message "Confirmó su cita"
    """
    from salon_cli.services.messages import comms as client_comms

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: client_comms.log_comm(
        session, actor=actor, location=loc, client_id=client_id, channel=channel, purpose=purpose, message=text))
    emit(view, fmt, one=True, columns=COMM_COLUMNS, tz=loc.tz)


@client_app.command("comms")
def comms(ctx: typer.Context, client_id: int = typer.Argument(...),
          limit: int = typer.Option(100, "--limit", min=1), fmt: Format = FORMAT_OPTION) -> None:
    """Messages to and from a client, newest first.

    Example: salon client comms 12 -f json
    """
    from salon_cli.services.messages import comms as client_comms

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: client_comms.comms(session, client_id=client_id, limit=limit))
    emit(rows, fmt, columns=COMM_COLUMNS, tz=loc.tz)


@client_app.command("stats")
def stats(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """The client base at this location: total, active, new, churned, lifetime value, top clients.

    Example: salon client stats -f json
    """
    from salon_cli.services.clients import insights as client_insights

    app = app_context(ctx)
    loc = app.location()
    emit(app.read(lambda session: client_insights.stats(session, location=loc)), fmt, one=True,
         currency=loc.currency)


@client_app.command("birthdays")
def birthdays(ctx: typer.Context, days: int = typer.Option(7, "--days", help="Today and the next N days."),
              fmt: Format = FORMAT_OPTION) -> None:
    """Clients whose birthday is coming up.

    Example: salon client birthdays --days 14 -f csv
    """
    from salon_cli.services.clients import insights as client_insights

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: client_insights.birthdays(session, location=loc, days=days))
    emit(rows, fmt, columns=["id", "first_name", "last_name", "next_birthday", "days_away", "turns", "phone",
                             "marketing_consent"])


@client_app.command("win-back")
def win_back(ctx: typer.Context,
             inactive_days: int = typer.Option(90, "--inactive-days", min=1, help="No visit in this many days."),
             limit: int | None = typer.Option(None, "--limit", min=1), fmt: Format = FORMAT_OPTION) -> None:
    """Clients who came before but not lately, best customers first.

    Example: salon client win-back --inactive-days 120 --limit 50
    """
    from salon_cli.services.clients import insights as client_insights

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: client_insights.win_back(session, location=loc, inactive_days=inactive_days,
                                                             limit=limit))
    emit(rows, fmt, columns=["id", "first_name", "last_name", "phone", "email", "visits", "total_spent_cents",
                             "last_visit_at", "marketing_consent"], tz=loc.tz, currency=loc.currency)


@client_app.command("timeline")
def timeline(ctx: typer.Context, client_id: int = typer.Argument(...),
             limit: int = typer.Option(200, "--limit", min=1), fmt: Format = FORMAT_OPTION) -> None:
    """A client's visits, sales, refunds, loyalty, notes and messages, newest first (private notes need --as and --pin).

    A sale is named by its receipt (an import's receipt number, else LOCATION:ID); `amount` is a sale's total
    or a refund given back (negative), `points` a loyalty entry's (signed).

    Example: salon --as marco --pin 2222 client timeline 12
    """
    from salon_cli.services.record import timeline

    app = app_context(ctx)
    loc = app.location()
    reader = note_reader(app)
    rows = app.read(lambda session: timeline.timeline(session, client_id=client_id, reader=reader, limit=limit))
    emit(rows, fmt, columns=["at", "kind", "ref", "summary", "amount_cents", "points"], tz=loc.tz,
         currency=loc.currency)


@client_app.command("duplicates")
def duplicates(
    ctx: typer.Context,
    min_score: int = typer.Option(70, "--min-score", help="0-100: 100 same phone or e-mail; 80-95 names that sound alike with close birthdays."),
    limit: int = typer.Option(500, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Likely duplicates to merge (salon client merge KEEP DUP).

    Example: salon client duplicates --min-score 85 -f csv
    """
    from salon_cli.services.clients import duplicates as client_duplicates

    app = app_context(ctx)
    app.location()
    rows = app.read(lambda session: client_duplicates.find(session, min_score=min_score, limit=limit))
    emit(rows, fmt)


@client_app.command("card")
def card(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="Client id."),
    customer: str | None = typer.Option(None, "--customer", help="The client's Stripe customer, cus_..."),
    payment_method: str | None = typer.Option(None, "--payment-method", help="Their saved card at Stripe, pm_..."),
    remove: bool = typer.Option(False, "--remove", help="Forget the saved card (manager PIN)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Show, save or remove the client's saved Stripe card (charged for no-show and late-cancel fees).

    Only Stripe's ids are kept, never the card number. With no option it shows what is saved.

    Example: salon --as sofia client card 42 --customer cus_Q2n5Zb8kLm --payment-method pm_1PqR7sT
    """
    from salon_cli.services.clients import saved_cards as client_cards

    if remove and (customer or payment_method):
        raise InvalidInput("--remove goes alone")
    if (customer is None) != (payment_method is None):
        raise InvalidInput("a saved card needs both --customer cus_... and --payment-method pm_...")
    app = app_context(ctx)
    loc = app.location()
    if remove:
        view = app.change(client_cards.REMOVE_PERMISSION, lambda session, actor: client_cards.remove_card(
            session, actor=actor, location=loc, client_id=client_id))
        message(f"client {client_id}: saved card removed")
    elif customer is not None and payment_method is not None:
        client_cards.check_stripe_id(customer, "cus_", "--customer")
        client_cards.check_stripe_id(payment_method, "pm_", "--payment-method")
        view = app.change(Permission.desk, lambda session, actor: client_cards.set_card(
            session, actor=actor, location=loc, client_id=client_id, customer_id=customer,
            payment_method_id=payment_method))
    else:
        view = app.read(lambda session: client_cards.show(session, client_id=client_id))
    emit(view, fmt, one=True)
