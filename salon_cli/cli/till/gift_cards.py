"""`salon giftcard show|list`: a card's balance, and the location's cards (sold with `sale add --gift-card`).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.cli.till.sale_output import GIFT_CARD_COLUMNS
from salon_cli.core.errors import InvalidInput

giftcard_app = typer.Typer(help="Gift cards: balance and list (sell one with: salon sale add SALE --gift-card AMOUNT).",
                           no_args_is_help=True)


@giftcard_app.command("show")
def giftcard_show(ctx: typer.Context, code: str = typer.Argument(..., help="GC-XXXX-XXXX (dashes optional)."),
                  fmt: Format = FORMAT_OPTION) -> None:
    """A gift card and its balance.

    Example: salon giftcard show GC-RP98-7ETY
    """
    from salon_cli.services.till import gift_cards

    app = app_context(ctx)
    loc = app.location()
    card = app.read(lambda session: gift_cards.show(session, code))
    emit(card, fmt, one=True, columns=GIFT_CARD_COLUMNS if fmt is Format.table else None, tz=loc.tz,
         currency=loc.currency)


@giftcard_app.command("list")
def giftcard_list(
    ctx: typer.Context,
    client: int | None = typer.Option(None, "--client", help="Holder's client id."),
    status: str | None = typer.Option(None, "--status", help="pending (its sale unpaid), active or void."),
    limit: int = typer.Option(500, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Gift cards of the location, newest first.

    Example: salon giftcard list --status active -f csv
    """
    from salon_cli.services.till import gift_cards

    wanted = status.strip().lower() if status else None
    if wanted and wanted not in ("pending", "active", "void"):
        raise InvalidInput(f"status {status!r} is not one of pending, active, void")
    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: gift_cards.list_cards(session, location=loc, client_id=client, status=wanted,
                                                          limit=limit))
    emit(rows, fmt, columns=GIFT_CARD_COLUMNS, tz=loc.tz, currency=loc.currency)


def register(root: typer.Typer) -> None:
    root.add_typer(giftcard_app, name="giftcard")
