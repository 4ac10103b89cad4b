"""`salon checkout` and `salon sale ...`: taking the money (`salon giftcard ...` is in `cli.till.gift_cards`,
`salon stripe link` in `cli.stripe`).

Thin commands: parse what people type (amounts in major units of the location's currency), call the
services (`services.checkout.appointment`, `services.till.sales`, `payments`, `stripe.payments`,
`gift_cards`), print records (`cli.till.sale_output`). On a table a sale prints as a receipt; in JSON as
SPEC.md's sale. Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports): `--help`
loads neither sqlalchemy nor stripe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.cli.till.sale_output import LIST_COLUMNS, PAYMENT_COLUMNS, REFUND_COLUMNS, SALE_COLUMNS, reader_refused, show_sale
from salon_cli.cli.till.receipts import sale_receipt
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView
    from salon_cli.services.till.sale_views import SaleView
    from salon_cli.services.stripe.gateway import StripeGateway

sale_app = typer.Typer(help="Sales: open a ticket, add lines, discount, take payments, void, refund.",
                       no_args_is_help=True)

READER_TIMEOUT: Any = typer.Option(120.0, "--reader-timeout", min=5.0,
                                   help="Seconds to wait for the card at the Stripe reader.")


sale_app.command("receipt")(sale_receipt)  # `salon sale receipt`: its own module, cli/till/receipts.py

# ----------------------------------------------------------------------------- helpers

def _money(loc: LocationView, text: str | None, what: str) -> int | None:
    from salon_cli.core.money import parse_amount

    return None if text is None else parse_amount(text, loc.currency, what=what)


def _gateway() -> StripeGateway:
    from salon_cli.services.stripe.payments import default_gateway

    return default_gateway()


def _view(app: AppContext, loc: LocationView, sale_id: int) -> SaleView:
    from salon_cli.services.till import sale_views

    return app.read(lambda session: sale_views.view(session, sale_id, loc))


# ----------------------------------------------------------------------------- checkout

def checkout(
    ctx: typer.Context,
    appointment_id: int = typer.Argument(..., help="Appointment id (salon appt list)."),
    pay: list[str] = typer.Option([], "--pay", help="METHOD[:AMOUNT]: cash, card, transfer, gift_card:CODE[:AMOUNT], "
                                                    "credit (a membership credit), stripe (last). Repeat to split; the last without an amount takes the rest."),
    tip: str | None = typer.Option(None, "--tip", help="Tip, e.g. 50 (rides on the last payment)."),
    discount: str | None = typer.Option(None, "--discount", help="PCT% or AMOUNT off the services and products."),
    redeem: str | None = typer.Option(None, "--redeem", help="A loyalty redemption code."),
    promo: str | None = typer.Option(None, "--promo", help="A promotion code, e.g. HAPPY10 (automatic offers apply by themselves)."),
    products: list[str] = typer.Option([], "--product", help="NAME[:QTY] sold with the visit; repeat."),
    reader_timeout: float = READER_TIMEOUT,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Check out an appointment: its sale, products, discount, paid, the visit completed. All or nothing.

    Payments that do not cover the total change nothing (exit 1). Cash may be more than is due: the
    rest is change. --pay stripe goes last and hands the rest to the location's Stripe reader; a
    declined card leaves the sale open with its balance (exit 1).

    Example: salon --as sofia checkout 791 --pay card:100 --pay cash:500 --tip 20 --discount 10% --product shampoo-reparador:1
    Example: salon --as sofia checkout 821 --promo HAPPY10 --pay cash
    """
    from salon_cli.services.checkout import appointment as service

    app = app_context(ctx)
    loc = app.location()
    tenders = [service.parse_tender(text, loc.currency) for text in pay]
    products_in = [service.parse_product(text) for text in products]
    tip_cents = _money(loc, tip, "--tip") or 0
    actor = app.actor(Permission.desk)
    done = service.checkout(app.engine, actor=actor, location=loc, appointment_id=appointment_id, tenders=tenders,
                            tip_cents=tip_cents, discount=discount, products=products_in, redeem=redeem,
                            promo=promo, gateway_factory=_gateway, reader_timeout=reader_timeout, progress=message)
    show_sale(loc, done.sale, fmt, change_cents=done.change_cents)
    if done.reader is not None and not done.reader.ok:
        reader_refused(loc, done.sale, done.reader.reason)
    if done.sale.status == "paid":
        message(f"sale {done.sale.id} paid; appointment {appointment_id} completed")


# ----------------------------------------------------------------------------- sale ...

@sale_app.command("open")
def sale_open(
    ctx: typer.Context,
    client: int | None = typer.Option(None, "--client", help="Client id."),
    appt: int | None = typer.Option(None, "--appt", help="Appointment id: its services become the lines."),
    note: str | None = typer.Option(None, "--note"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Open a sale (a walk-in purchase, or an appointment's ticket to build up before paying).

    Example: salon --as sofia sale open --client 42
    """
    from salon_cli.services.till import tickets

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: tickets.open_sale(
        session, actor=actor, location=loc, client_id=client, appointment_id=appt, note=note))
    message(f"sale {view.id} opened")
    show_sale(loc, view, fmt)


@sale_app.command("add")
def sale_add(
    ctx: typer.Context,
    sale_id: int = typer.Argument(..., help="Sale id."),
    service: str | None = typer.Option(None, "--service", help="Service id, code or name."),
    staff: str | None = typer.Option(None, "--staff", help="Who did the service (or sold the product): staff code."),
    price: str | None = typer.Option(None, "--price", help="A service's price, if not the list price."),
    product: str | None = typer.Option(None, "--product", help="Product id, code or name."),
    qty: int = typer.Option(1, "--qty", min=1, help="How many (products)."),
    fee: int | None = typer.Option(None, "--fee", help="A penalty id: its fee as a line."),
    gift_card: str | None = typer.Option(None, "--gift-card", help="Sell a gift card of this AMOUNT."),
    for_client: int | None = typer.Option(None, "--for", help="The gift card's holder (client id; default: the sale's)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add one line to an open sale: a service, a product, a penalty's fee or a gift card.

    Example: salon --as sofia sale add 712 --service tinte-raiz --staff ana --price 750
    """
    from salon_cli.services.till import penalty_fees, sales

    kinds = [k for k, v in (("--service", service), ("--product", product), ("--fee", fee),
                            ("--gift-card", gift_card)) if v is not None]
    if len(kinds) != 1:
        raise InvalidInput("say what to add: one of --service, --product, --fee or --gift-card"
                           if not kinds else f"one line at a time: {' and '.join(kinds)} together")
    if price is not None and service is None:
        raise InvalidInput("--price goes with --service")
    if for_client is not None and gift_card is None:
        raise InvalidInput("--for goes with --gift-card")
    if qty != 1 and product is None:
        raise InvalidInput("--qty goes with --product")
    if staff is not None and service is None and product is None:
        raise InvalidInput("--staff goes with --service or --product")
    app = app_context(ctx)
    loc = app.location()
    price_cents = _money(loc, price, "--price")
    card_cents = _money(loc, gift_card, "--gift-card")

    def add(session: Any, actor: Any) -> SaleView:
        if service is not None:
            return sales.add_service(session, actor=actor, location=loc, sale_id=sale_id, service=service,
                                     staff=staff, price_cents=price_cents)
        if product is not None:
            return sales.add_product(session, actor=actor, location=loc, sale_id=sale_id, product=product,
                                     quantity=qty, staff=staff)
        if fee is not None:
            return penalty_fees.add_fee(session, actor=actor, location=loc, sale_id=sale_id, penalty_id=fee)
        return sales.add_gift_card(session, actor=actor, location=loc, sale_id=sale_id,
                                   amount_cents=card_cents or 0, client_id=for_client)

    show_sale(loc, app.change(Permission.desk, add), fmt)


@sale_app.command("remove")
def sale_remove(ctx: typer.Context, sale_id: int = typer.Argument(..., help="Sale id."),
                line_id: int = typer.Argument(..., help="Line id (the #N on the receipt)."),
                fmt: Format = FORMAT_OPTION) -> None:
    """Take a line off an open sale (a product goes back to stock; an unsold gift card is voided).

    Example: salon --as sofia sale remove 712 828
    """
    from salon_cli.services.till import sales

    app = app_context(ctx)
    loc = app.location()
    show_sale(loc, app.change(Permission.desk, lambda session, actor: sales.remove_line(
        session, actor=actor, location=loc, sale_id=sale_id, line_id=line_id)), fmt)


@sale_app.command("discount")
def sale_discount(ctx: typer.Context, sale_id: int = typer.Argument(..., help="Sale id."),
                  discount: str = typer.Argument(..., help="PCT% or AMOUNT off services and products; 0 removes it."),
                  fmt: Format = FORMAT_OPTION) -> None:
    """Set (or remove, with 0) the discount of an open sale; taxes follow.

    Example: salon --as sofia sale discount 712 15%
    """
    from salon_cli.services.till import sales

    app = app_context(ctx)
    loc = app.location()
    show_sale(loc, app.change(Permission.desk, lambda session, actor: sales.set_discount(
        session, actor=actor, location=loc, sale_id=sale_id, discount=discount)), fmt)


@sale_app.command("pay")
def sale_pay(
    ctx: typer.Context,
    sale_id: int = typer.Argument(..., help="Sale id."),
    method: str = typer.Option(..., "--method", help="cash, card (outside terminal), stripe (the reader), gift_card, "
                                                     "transfer, credit or points."),
    amount: str | None = typer.Option(None, "--amount", help="How much goes to the sale (default: all that is due)."),
    tip: str | None = typer.Option(None, "--tip", help="Tip on top of the amount."),
    tendered: str | None = typer.Option(None, "--tendered", help="Cash handed over (the rest is change)."),
    gift_card: str | None = typer.Option(None, "--gift-card", help="The card paying: GC-XXXX-XXXX."),
    reference: str | None = typer.Option(None, "--reference", help="A terminal or transfer reference."),
    code: str | None = typer.Option(None, "--code", help="--method points: the loyalty redemption code."),
    reader_timeout: float = READER_TIMEOUT,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Take a payment on an open sale and print it; the sale is paid once its payments cover it.

    --method credit spends one of the client's membership credits on a service line; --method points
    uses a redemption code (--code) for what its reward is worth.

    Example: salon --as sofia sale pay 712 --method cash --amount 400 --tendered 500 --tip 50
    """
    from salon_cli.core.money import format_money
    from salon_cli.services.till import payments, tenders

    how = payments.check_method(method)
    app = app_context(ctx)
    loc = app.location()
    amount_cents = _money(loc, amount, "--amount")
    tip_cents = _money(loc, tip, "--tip") or 0
    tendered_cents = _money(loc, tendered, "--tendered")
    if how == "stripe":
        if tendered is not None or gift_card is not None:
            raise InvalidInput("--tendered and --gift-card do not go with --method stripe")
        from salon_cli.services.stripe import payments as stripe_payments

        gateway = _gateway()
        actor = app.actor(Permission.desk)
        outcome = stripe_payments.pay_on_reader(app.engine, actor=actor, location=loc, sale_id=sale_id,
                                                gateway=gateway, amount_cents=amount_cents, tip_cents=tip_cents,
                                                timeout=reader_timeout, progress=message)
        payment = outcome.payment
        emit(payment, fmt, one=True, columns=PAYMENT_COLUMNS if fmt is Format.table else None, tz=loc.tz,
             currency=loc.currency)
        sale = _view(app, loc, sale_id)
        if not outcome.ok:
            reader_refused(loc, sale, outcome.reason)
    else:
        if gift_card is not None and how != "gift_card":
            raise InvalidInput("--gift-card goes with --method gift_card")
        if tendered is not None and how != "cash":
            raise InvalidInput("--tendered goes with --method cash")
        payment = app.change(Permission.desk, lambda session, actor: tenders.pay(
            session, actor=actor, location=loc, sale_id=sale_id, method=how, amount_cents=amount_cents,
            tip_cents=tip_cents, tendered_cents=tendered_cents, gift_card=gift_card, reference=reference, code=code))
        emit(payment, fmt, one=True, columns=PAYMENT_COLUMNS if fmt is Format.table else None, tz=loc.tz,
             currency=loc.currency)
        sale = _view(app, loc, sale_id)
    state = "paid" if sale.status == "paid" else f"{format_money(sale.balance_cents, loc.currency)} still due"
    change = f"; change: {format_money(payment.change_cents, loc.currency)}" if payment.change_cents else ""
    message(f"sale {sale_id}: {state}{change}")


@sale_app.command("show")
def sale_show(ctx: typer.Context, sale_id: int = typer.Argument(..., help="Sale id."),
              fmt: Format = FORMAT_OPTION) -> None:
    """One sale: a receipt on a table; lines, payments and refunds in JSON.

    Example: salon sale show 31 -f json
    """
    app = app_context(ctx)
    loc = app.location()
    show_sale(loc, _view(app, loc, sale_id), fmt)


@sale_app.command("list")
def sale_list(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="One business day, YYYY-MM-DD."),
    from_: str | None = typer.Option(None, "--from", help="First business day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Last business day, YYYY-MM-DD."),
    status: str | None = typer.Option(None, "--status", help="open, paid, void, partially_refunded or refunded."),
    client: int | None = typer.Option(None, "--client", help="Client id."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many, newest first."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Sales, newest first (every day unless --date or --from/--to say which).

    Example: salon sale list --date 2026-11-21 --status paid -f csv
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.till import sale_views

    if date_ and (from_ or to):
        raise InvalidInput("--date goes alone, or use --from and --to")
    start = end = parse_date(date_, what="--date") if date_ else None
    if not date_:
        start = parse_date(from_, what="--from") if from_ else None
        end = parse_date(to, what="--to") if to else None
    if start and end and end < start:
        raise InvalidInput("--to is before --from")
    sale_views.check_status(status)
    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: sale_views.list_sales(session, location=loc, start=start, end=end,
                                                          status=status, client_id=client, limit=limit))
    if fmt in (Format.json, Format.ndjson):
        emit(rows, fmt, tz=loc.tz)
    else:
        emit(rows, fmt, columns=LIST_COLUMNS if fmt is Format.table else SALE_COLUMNS, tz=loc.tz,
             currency=loc.currency)


@sale_app.command("void")
def sale_void(ctx: typer.Context, sale_id: int = typer.Argument(..., help="Sale id."),
              reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
              fmt: Format = FORMAT_OPTION) -> None:
    """Void an open sale that has taken no money (manager PIN): stock goes back, gift cards die.

    Example: salon --as marco --pin 2222 sale void 712 --reason "rang up twice"
    """
    from salon_cli.services.till import sales

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.sale_void, lambda session, actor: sales.void(
        session, actor=actor, location=loc, sale_id=sale_id, reason=reason))
    message(f"sale {sale_id} voided")
    show_sale(loc, view, fmt)


@sale_app.command("refund")
def sale_refund(
    ctx: typer.Context,
    sale_id: int = typer.Argument(..., help="Sale id."),
    amount: str | None = typer.Option(None, "--amount", help="How much (default: all that can be refunded)."),
    payment: int | None = typer.Option(None, "--payment", help="From this payment only (default: newest first)."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Give money back on a paid sale (manager PIN) and print the refunds. Tips are not refunded.

    Cash comes out of the drawer, a gift card gets its balance back, Stripe payments are refunded
    through Stripe (pending until Stripe confirms; exit 5 if Stripe cannot be reached: then
    salon sale resend-refunds SALE).

    Example: salon --as marco --pin 2222 sale refund 31 --amount 100 --reason "tinte disparejo"
    """
    from salon_cli.core.money import format_money
    from salon_cli.services.stripe import payments as stripe_payments

    app = app_context(ctx)
    loc = app.location()
    amount_cents = _money(loc, amount, "--amount")
    actor = app.actor(Permission.sale_refund)
    rows = stripe_payments.refund_sale(app.engine, actor=actor, location=loc, sale_id=sale_id, reason=reason,
                                       amount_cents=amount_cents, payment_id=payment)
    emit(rows, fmt, columns=REFUND_COLUMNS if fmt in (Format.table, Format.csv) else None, tz=loc.tz,
         currency=loc.currency)
    done = sum(r.amount_cents for r in rows if r.status == "succeeded")
    waiting = sum(r.amount_cents for r in rows if r.status == "pending")
    message(f"sale {sale_id}: refunded {format_money(done, loc.currency)}"
            + (f"; {format_money(waiting, loc.currency)} waiting for Stripe" if waiting else ""))


@sale_app.command("resend-refunds")
def sale_resend_refunds(ctx: typer.Context, sale_id: int = typer.Argument(..., help="Sale id."),
                        fmt: Format = FORMAT_OPTION) -> None:
    """Ask Stripe again for refunds whose answer never came back (after exit 5); never refunds twice.

    Example: salon --as sofia sale resend-refunds 31
    """
    from salon_cli.services.stripe import payments as stripe_payments

    app = app_context(ctx)
    loc = app.location()
    _view(app, loc, sale_id)  # a sale of this location, or exit 1
    gateway = _gateway()
    actor = app.actor(Permission.desk)
    ids = stripe_payments.resend_pending_refunds(app.engine, actor=actor, location=loc, sale_id=sale_id,
                                                 gateway=gateway)
    sale = _view(app, loc, sale_id)
    emit(sale.refunds, fmt, columns=REFUND_COLUMNS if fmt in (Format.table, Format.csv) else None, tz=loc.tz,
         currency=loc.currency)
    message(f"sale {sale_id}: resent {len(ids)} refund{'s' if len(ids) != 1 else ''}" if ids
            else f"sale {sale_id}: no refund waiting to be resent")


def register(root: typer.Typer) -> None:
    root.command("checkout")(checkout)
    root.add_typer(sale_app, name="sale")
