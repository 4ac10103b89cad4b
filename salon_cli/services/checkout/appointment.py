"""`salon checkout APPT`: the everyday path. The appointment's sale (its services with who did them,
plus products, a discount — a member's discount by itself), a redemption code, paid by one or more
methods, and the appointment completed by its money — all in one transaction, so a payment that does
not cover the total changes nothing. The tip rides on the cash tender, else the first that pays in
money; a tip nothing pays is refused. A Stripe card-present payment, when asked, comes last: it runs
after that commit (the reader may take a minute); until the card is taken the appointment stays
checked in, and if the card is declined the sale stays open with its balance for another method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from salon_cli.core.errors import Conflict, InvalidInput, RuleViolation
from salon_cli.core.money import format_money, parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.book import status as appt_status
from salon_cli.services.promotions import apply as promotions
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till import payments, sales, tickets
from salon_cli.services.till import tenders as till_tenders  # `tenders` names what `salon checkout --pay` takes
from salon_cli.services.till.sale_views import SaleView, view

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from salon_cli.services.stripe.gateway import StripeGateway
    from salon_cli.services.stripe.payments import ReaderOutcome


@dataclass(frozen=True)
class Tender:
    method: str
    amount_cents: int | None  # None: whatever is left
    gift_card: str | None = None


def parse_tender(text: str, currency: str) -> Tender:
    """`cash`, `cash:500`, `card:200.50`, `stripe`, `gift_card:GC-ABCD-EFGH[:AMOUNT]`."""
    parts = [p.strip() for p in (text or "").split(":")]
    method = payments.check_method(parts[0])
    code = None
    if method == "gift_card":
        if len(parts) < 2 or not parts[1]:
            raise InvalidInput(f"--pay {text!r}: a gift card payment names the card",
                               hint="--pay gift_card:GC-ABCD-EFGH[:AMOUNT]")
        code, parts = parts[1], [parts[0], *parts[2:]]
    if len(parts) > 2:
        raise InvalidInput(f"--pay {text!r} is not METHOD[:AMOUNT]")
    amount = parse_amount(parts[1], currency, what=f"--pay {method} amount") if len(parts) == 2 and parts[1] else None
    if amount is not None and amount <= 0:
        raise InvalidInput(f"--pay {text!r}: the amount must be more than zero")
    return Tender(method, amount, code)


def parse_product(text: str) -> tuple[str, int]:
    name, _, qty = (text or "").rpartition(":") if ":" in (text or "") else (text, "", "1")
    if not qty.strip().isdigit():
        raise InvalidInput(f"--product {text!r} is not NAME[:QTY]")
    return name.strip(), int(qty)


def tip_carrier(tenders: Sequence[Tender], tip_cents: int) -> int | None:
    """Which tender pays the tip: the cash one, else the first that pays in money (a tip is money: a
    reward code or a membership credit cannot carry it). A tip with no such tender is refused, never
    dropped."""
    money = [i for i, t in enumerate(tenders) if t.method not in payments.NON_MONEY]
    if not tip_cents:
        return None
    if not money:
        raise InvalidInput("a tip is money and nothing here pays it in money",
                           hint="add --pay cash (or card) for the tip")
    return next((i for i in money if tenders[i].method == "cash"), money[0])


@dataclass(frozen=True)
class CheckoutResult:
    sale: SaleView
    change_cents: int
    reader: ReaderOutcome | None


def checkout(engine: Engine, *, actor: Actor, location: LocationView, appointment_id: int, tenders: Sequence[Tender],
             tip_cents: int = 0, discount: str | None = None, products: Sequence[tuple[str, int]] = (),
             redeem: str | None = None, promo: str | None = None, gateway_factory: Callable[[], StripeGateway] | None = None,
             reader_timeout: float = 120.0, poll: float = 1.0,
             progress: Callable[[str], None] | None = None) -> CheckoutResult:
    authorize(actor, Permission.desk)
    if any(t.method == "points" for t in tenders):
        raise InvalidInput("points pay through a redemption code", hint="--redeem CODE")
    if tenders and any(t.method == "stripe" for t in tenders[:-1]):
        raise InvalidInput("a stripe payment goes last (the reader runs after the others are taken)")
    if tip_cents < 0:
        raise InvalidInput("a tip must not be negative")
    stripe_last = bool(tenders) and tenders[-1].method == "stripe"
    gateway = None
    if stripe_last:  # Stripe set up and a reader named, before anything is recorded
        gateway = gateway_factory() if gateway_factory else stripe_payments.default_gateway()
        with UnitOfWork(engine, write=False) as uow:
            stripe_payments.reader_of(uow.session, location)
    carrier = tip_carrier(tenders, tip_cents)
    change = 0
    with UnitOfWork(engine) as uow:
        s = uow.session
        appt = appointments.get(s, appointment_id, location, lock=True)
        if appt.status == "booked":
            appt_status.check_in(s, actor=actor, location=location, appointment_id=appointment_id)
        existing = sales.live_sale_of(s, appointment_id)
        if existing is not None and existing.status != "open":
            raise Conflict(f"appointment {appointment_id} was checked out already: sale {existing.id} is "
                           f"{existing.status.replace('_', ' ')}", hint=f"see: salon sale show {existing.id}")
        sale = existing or tickets.create(s, actor=actor, location=location, appointment_id=appointment_id)
        sale_id = sale.id or 0
        for name, qty in products:
            sales.add_product(s, actor=actor, location=location, sale_id=sale_id, product=name, quantity=qty)
        if discount is not None:
            sales.set_discount(s, actor=actor, location=location, sale_id=sale_id, discount=discount)
        if promo:  # the code first, then the automatic offers whose rules pass
            promotions.apply_code(s, actor=actor, location=location, sale_id=sale_id, code=promo)
        promotions.apply_automatic(s, actor=actor, location=location, sale_id=sale_id)
        if redeem:  # the reward first: the other tenders pay what it leaves
            till_tenders.pay(s, actor=actor, location=location, sale_id=sale_id, method="points", code=redeem)
        if payments.due_cents(s, sales.get(s, sale_id, location)) > 0 and not tenders:
            raise InvalidInput("how is it paid? pass --pay METHOD[:AMOUNT] (several for split tender)")
        if not tenders and not redeem:  # nothing to pay (a complimentary service): the sale is settled as it is
            till_tenders.settle(s, sales.get(s, sale_id, location, lock=True), actor=actor, location=location)
        desk = [(i, t) for i, t in enumerate(tenders) if not (stripe_last and i == len(tenders) - 1)]
        # credits are spent before money, like the reward: the money pays what they leave
        desk.sort(key=lambda pair: pair[1].method not in payments.NON_MONEY)
        for i, tender in desk:
            tip = tip_cents if i == carrier else 0
            due = payments.due_cents(s, sales.get(s, sale_id, location))
            if due <= 0 and not tip:
                if tender.amount_cents is None:
                    continue  # "whatever is left", and nothing is: the tenders before it covered the ticket
                raise RuleViolation(f"--pay {tender.method}:{format_money(tender.amount_cents, location.currency)} "
                                    "has nothing left to pay; nothing was recorded",
                                    hint=f"drop --pay {tender.method}")
            paid = till_tenders.pay(s, actor=actor, location=location, sale_id=sale_id, method=tender.method,
                                    amount_cents=tender.amount_cents, tip_cents=tip, gift_card=tender.gift_card)
            change += paid.change_cents
        sale = sales.get(s, sale_id, location)
        if not stripe_last and sale.status != "paid":
            due = sale.total_cents - sale.paid_cents
            raise RuleViolation(f"the payments leave {format_money(due, location.currency)} of "
                                f"{format_money(sale.total_cents, location.currency)} unpaid; nothing was recorded",
                                hint="add another --pay METHOD (the last one without an amount takes the rest)")
        if stripe_last and payments.due_cents(s, sale) <= 0:
            raise InvalidInput("the other payments already cover the sale: drop --pay stripe"
                               + (" (the tip goes on the cash or card)" if tip_cents else ""))
        # a paid sale completed its appointment (till.tenders.EFFECTS); one waiting for the reader has
        # not: a declined card leaves a checked-in visit with its sale open, never a completed one unpaid
        uow.commit()
    reader = None
    if gateway is not None:
        reader = stripe_payments.pay_on_reader(engine, actor=actor, location=location, sale_id=sale_id,
                                               gateway=gateway, amount_cents=tenders[-1].amount_cents,
                                               tip_cents=tip_cents if carrier == len(tenders) - 1 else 0,
                                               timeout=reader_timeout, poll=poll,
                                               progress=progress)
    with UnitOfWork(engine, write=False) as uow:
        return CheckoutResult(view(uow.session, sale_id, location), change, reader)
