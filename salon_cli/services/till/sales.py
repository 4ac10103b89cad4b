"""Sales: a ticket of lines (services with who did them, products, fees, gift cards, membership fees), a
discount, the location's taxes, then payments and refunds (`services.till.payments`).

A sale knows nothing of memberships, penalties or loyalty: what it needs of them is passed in. The
till's composition does that (`till.tickets` opens a client's sale with their member's discount,
`till.penalty_fees` puts a penalty's fee on it, `till.tenders` says what a paid or refunded sale sets
off): `settle` takes the `SaleEffects` to run when the sale becomes paid.

The figures on `sale` and `sale_line` are always those `core.sale_math.price` gives for the lines,
rewritten by `reprice` in the transaction that changes a line or the discount; `paid_cents`,
`tip_cents` and `refunded_cents` are the sums of succeeded payments and refunds, rewritten by `settle`.
A sale is `open` until its payments cover the total (`paid`); only an open sale with no money taken
can be voided (a manager, with a reason); refunds make it `partially_refunded` or `refunded`.
Every change is refused in a closed business day (`business_days.ensure_open`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation, refusal_words
from salon_cli.core.money import check_bound, format_percent, parse_fee
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import (
    Appointment, AppointmentItem, GiftCard, Payment, Product, Promotion, PromotionUse, Refund, Sale, SaleLine, Service,
)
from salon_cli.services.salon import audit, business_days, catalog
from salon_cli.services.till import gift_cards
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.clients.profiles import get as get_client
from salon_cli.services.till.pricing import reprice
from salon_cli.services.till.sale_views import SaleView, view

_REASON_MAX = 255


class SaleEffects(Protocol):
    """What a sale's money sets off beyond the till, passed in by the till's composition
    (`till.tenders.EFFECTS`): the sale knows nothing of penalties or loyalty."""

    def paid(self, session: Session, sale: Sale, *, actor: Actor, location: LocationView, method: str,
             now: datetime) -> None:
        """The sale has just become paid (`method`: the one method that paid it, or `mixed`)."""

    def refunded(self, session: Session, refund: Refund, *, actor: Actor, location: LocationView) -> None:
        """One of the sale's refunds has just succeeded."""

    def failed(self, session: Session, payment: Payment, reason: str, *, actor: Actor,
               location: LocationView) -> None:
        """One of the sale's pending payments has just failed."""


def get(session: Session, sale_id: int, location: LocationView, *, lock: bool = False) -> Sale:
    row = session.get(Sale, sale_id, with_for_update=lock or None)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no sale {sale_id} at {location.code}", hint="see: salon sale list")
    return row


def open_for_change(session: Session, sale_id: int, location: LocationView, doing: str) -> Sale:
    """The sale, locked, if it is still open and today's business day is open."""
    sale = get(session, sale_id, location, lock=True)
    if sale.status != "open":
        raise RuleViolation(f"sale {sale_id} is {sale.status.replace('_', ' ')}: {doing} is refused",
                            hint=f"see: salon sale show {sale_id}")
    business_days.ensure_today_open(session, location, doing)
    return sale


def _audit(session: Session, actor: Actor, location: LocationView, sale: Sale, action: str,
           before: dict[str, Any] | None, **extra: Any) -> None:
    after = audit.snapshot(sale, only=("status", "client_id", "appointment_id", "subtotal_cents", "discount_cents",
                                       "tax_cents", "total_cents", "tip_cents", "paid_cents", "refunded_cents"))
    audit.record(session, actor=actor, action=f"sale.{action}", entity="sale", entity_id=sale.id,
                 location_id=location.id, before=before, after={**(after or {}), **extra})


def _before(sale: Sale) -> dict[str, Any] | None:
    return audit.snapshot(sale, only=("status", "subtotal_cents", "discount_cents", "tax_cents", "total_cents",
                                      "tip_cents", "paid_cents", "refunded_cents"))


# ----------------------------------------------------------------------------- opening

def create(session: Session, *, actor: Actor, location: LocationView, client_id: int | None = None,
           appointment_id: int | None = None, note: str | None = None, discount_bp: int | None = None) -> Sale:
    """A new open sale; from an appointment it takes the client and one service line per item.
    `discount_bp`: a percentage discount it starts with (a member's: `till.tickets` passes it)."""
    authorize(actor, Permission.desk)
    day = business_days.ensure_today_open(session, location, "opening a sale")
    appt = None
    if appointment_id is not None:
        appt = session.get(Appointment, appointment_id, with_for_update=True)
        if appt is None or appt.location_id != location.id:
            raise NotFound(f"no appointment {appointment_id} at {location.code}", hint="see: salon appt list")
        if appt.status in ("cancelled", "late_cancelled", "no_show"):
            raise RuleViolation(f"appointment {appointment_id} is {appt.status.replace('_', ' ')}: it has no sale",
                                hint="a penalty is charged with: salon penalty charge ID or salon stripe link --penalty ID")
        existing = live_sale_of(session, appointment_id)
        if existing is not None:
            raise Conflict(f"appointment {appointment_id} already has sale {existing.id} ({existing.status})",
                           hint=f"see: salon sale show {existing.id}")
        if client_id is not None and appt.client_id is not None and client_id != appt.client_id:
            raise InvalidInput(f"appointment {appointment_id} is client {appt.client_id}'s, not {client_id}'s")
        client_id = appt.client_id
    if client_id is not None:
        get_client(session, client_id)
    now = clock.now()
    sale = Sale(location_id=location.id, client_id=client_id, appointment_id=appointment_id, business_date=day,
                taxes=list(policy_row(session, location).taxes or []), note=clean_text(note, "the note", 500),
                created_at=now, created_by_id=actor.id, updated_at=now)
    if discount_bp:  # an explicit --discount replaces it
        sale.discount_kind, sale.discount_value = "pct", discount_bp
    session.add(sale)
    session.flush()
    if appt is not None:
        items = session.exec(select(AppointmentItem, Service)
                             .join(Service, col(Service.id) == AppointmentItem.service_id)
                             .where(AppointmentItem.appointment_id == appt.id)
                             .order_by(col(AppointmentItem.position))).all()
        for position, (item, service) in enumerate(items):
            session.add(SaleLine(sale_id=sale.id, position=position, kind="service", description=service.name,
                                 quantity=1, unit_price_cents=item.price_cents, gross_cents=item.price_cents,
                                 service_id=service.id, staff_id=item.staff_id))
        session.flush()
    reprice(session, sale)
    _audit(session, actor, location, sale, "open", None)
    return sale


def live_sale_of(session: Session, appointment_id: int) -> Sale | None:
    return session.exec(select(Sale).where(Sale.appointment_id == appointment_id,
                                           col(Sale.status) != "void")).first()


# ----------------------------------------------------------------------------- lines

def _next_position(session: Session, sale_id: int) -> int:
    top = session.exec(select(sa.func.max(SaleLine.position)).where(SaleLine.sale_id == sale_id)).one()
    return 0 if top is None else top + 1


def _quantity(quantity: int) -> int:
    if quantity < 1 or quantity > 10_000:
        raise InvalidInput(f"quantity {quantity} must be between 1 and 10000")
    return quantity


def add_line(session: Session, actor: Actor, location: LocationView, sale: Sale, line: SaleLine) -> SaleView:
    """Put a line made by the caller on an open sale (locked by `open_for_change`) and reprice it."""
    before = _before(sale)
    line.sale_id, line.position = sale.id or 0, _next_position(session, sale.id or 0)
    line.gross_cents = check_bound(line.quantity * line.unit_price_cents, location.currency,
                                   what=f"line {line.description!r}")
    session.add(line)
    session.flush()
    reprice(session, sale)
    _audit(session, actor, location, sale, "line_add", before, line={
        "id": line.id, "kind": line.kind, "description": line.description, "quantity": line.quantity,
        "unit_price_cents": line.unit_price_cents})
    return view(session, sale.id or 0, location)


def add_service(session: Session, *, actor: Actor, location: LocationView, sale_id: int, service: str,
                staff: str | None = None, price_cents: int | None = None, quantity: int = 1) -> SaleView:
    """A service line, with the staff member who did it (their commission follows the line)."""
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "adding a line")
    row = catalog.find(session, Service, location, service)
    member = staff_service.find(session, staff) if staff else None
    if price_cents is not None and price_cents < 0:
        raise InvalidInput("a price must not be negative")
    return add_line(session, actor, location, sale, SaleLine(
        kind="service", description=row.name, quantity=_quantity(quantity),
        unit_price_cents=row.price_cents if price_cents is None else price_cents, gross_cents=0,
        service_id=row.id, staff_id=member.id if member else (actor.id if actor.id else None)))


def add_product(session: Session, *, actor: Actor, location: LocationView, sale_id: int, product: str,
                quantity: int = 1, staff: str | None = None) -> SaleView:
    """A retail line; the stock goes down now (and back up if the line is removed or the sale voided)."""
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "adding a line")
    row = catalog.find(session, Product, location, product, lock=True)
    qty = _quantity(quantity)
    if not row.active:
        raise RuleViolation(f"product {row.code} is no longer sold", hint="see: salon product list")
    if row.stock < qty:
        raise RuleViolation(f"only {row.stock} of {row.name} in stock, not {qty}",
                            hint=f"correct the stock first: salon product set {row.code} --stock N")
    row.stock -= qty
    session.add(row)
    member = staff_service.find(session, staff) if staff else None
    return add_line(session, actor, location, sale, SaleLine(
        kind="product", description=row.name, quantity=qty, unit_price_cents=row.price_cents, gross_cents=0,
        product_id=row.id, staff_id=member.id if member else actor.id))


def sale_of_penalty(session: Session, penalty_id: int) -> Sale | None:
    """The live sale that carries penalty `penalty_id`'s fee, if any."""
    return session.exec(select(Sale).join(SaleLine, col(SaleLine.sale_id) == Sale.id)
                        .where(SaleLine.penalty_id == penalty_id, col(Sale.status) != "void")).first()


def add_gift_card(session: Session, *, actor: Actor, location: LocationView, sale_id: int, amount_cents: int,
                  client_id: int | None = None, code: str | None = None) -> SaleView:
    """Sell a gift card: it is usable once this sale is paid. Not taxed or discounted when sold. `code`:
    the one printed on the card handed over (else a new one)."""
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "adding a line")
    card = gift_cards.create_pending(session, location=location, sale=sale, amount_cents=amount_cents,
                                     client_id=client_id if client_id is not None else sale.client_id, code=code)
    return add_line(session, actor, location, sale, SaleLine(
        kind="gift_card", description=f"Gift card {card.code}", quantity=1, unit_price_cents=amount_cents,
        gross_cents=0, gift_card_id=card.id))


def add_membership_fee(session: Session, *, actor: Actor, location: LocationView, sale_id: int, description: str,
                       amount_cents: int) -> SaleView:
    """A membership period's fee as a line (`till.membership_fees` opens the sale): taxed, never discounted."""
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "adding a line")
    if amount_cents < 0:
        raise InvalidInput("a price must not be negative")
    return add_line(session, actor, location, sale, SaleLine(
        kind="membership", description=description[:200], quantity=1, unit_price_cents=amount_cents, gross_cents=0))


def remove_line(session: Session, *, actor: Actor, location: LocationView, sale_id: int, line_id: int) -> SaleView:
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "removing a line")
    line = session.get(SaleLine, line_id)
    if line is None or line.sale_id != sale.id:
        raise NotFound(f"sale {sale_id} has no line {line_id}", hint=f"see: salon sale show {sale_id}")
    before = _before(sale)
    _undo_line(session, line)
    session.delete(line)
    session.flush()
    reprice(session, sale)
    if sale.total_cents < sale.paid_cents:
        raise RuleViolation(f"sale {sale_id} would total less than the {sale.paid_cents} already paid",
                            hint="refund first, or leave the line")
    _audit(session, actor, location, sale, "line_remove", before, line={"id": line_id, "kind": line.kind,
                                                                        "description": line.description})
    return view(session, sale_id, location)


def release_lines(session: Session, *, actor: Actor, location: LocationView, sale: Sale, why: str) -> None:
    """Take the services and products off an open sale (locked by the caller) whose visit will not
    happen, even below what was paid: the caller balances it (a fee, a deposit kept, a refund)."""
    before = _before(sale)
    lines = session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id,
                                                col(SaleLine.kind).in_(("service", "product")))).all()
    for line in lines:
        _undo_line(session, line)
        session.delete(line)
    session.flush()
    reprice(session, sale)
    _audit(session, actor, location, sale, "lines_release", before, reason=why, lines=len(lines))


def _undo_line(session: Session, line: SaleLine) -> None:
    """What adding the line did elsewhere, undone: stock back, an unsold gift card voided."""
    if line.product_id is not None:
        session.execute(sa.update(Product).where(col(Product.id) == line.product_id)
                        .values(stock=Product.stock + line.quantity))
    if line.gift_card_id is not None:
        gift_cards.void_pending(session, line.gift_card_id)


def set_discount(session: Session, *, actor: Actor, location: LocationView, sale_id: int,
                 discount: str | None) -> SaleView:
    """`10%` (of the discountable lines) or an amount such as `50`; None or `0` removes it."""
    authorize(actor, Permission.desk)
    sale = open_for_change(session, sale_id, location, "a discount")
    before = _before(sale)
    apply_discount(sale, discount, location)
    reprice(session, sale)
    if sale.total_cents < sale.paid_cents:
        raise RuleViolation(f"sale {sale_id} would total less than the {sale.paid_cents} already paid")
    _check_desk_discount(session, actor, location, sale, discount)
    _audit(session, actor, location, sale, "discount", before, discount=discount)
    return view(session, sale_id, location)


def _check_desk_discount(session: Session, actor: Actor, location: LocationView, sale: Sale,
                         discount: str | None) -> None:
    """A discount typed at the desk beyond the policy's `max_desk_discount_bp` of the discountable
    lines (a percentage or an amount alike) needs a manager who proved it with a PIN (exit 3)."""
    limit = policy_row(session, location).max_desk_discount_bp
    items = session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id, col(SaleLine.kind).not_in(
        ("gift_card", "fee", "membership", "deposit", "discount")))).all()  # a promotion's line is not the desk's
    base, given = sum(line.gross_cents for line in items), sum(line.discount_cents for line in items)
    if given * 10000 <= base * limit or actor.is_manager:
        return
    raise NotPermitted(f"a discount of {discount} is more than the desk may give ({format_percent(limit)})",
                       hint="a manager gives it: --as MANAGER --pin PIN")


def apply_discount(sale: Sale, discount: str | None, location: LocationView) -> None:
    if discount is None or not discount.strip() or discount.strip() in ("0", "0%"):
        sale.discount_kind, sale.discount_value = None, 0
        return
    kind, value = parse_fee(discount, location.currency, what="discount")
    sale.discount_kind, sale.discount_value = ("pct" if kind == "pct" else "amount"), value


def settle(session: Session, sale: Sale, *, actor: Actor, location: LocationView, effects: SaleEffects,
           day: date | None = None) -> None:
    """Bring `paid`, `tip` and `refunded` back to the sums of succeeded payments and refunds, and move the
    status: open -> paid when covered (gift cards activate, then `effects.paid`: penalties on it are
    paid, points earned), paid -> partially_refunded -> refunded as money goes back (and back the other way
    when a refund fails)."""
    paid, tips = session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0),
                                     sa.func.coalesce(sa.func.sum(Payment.tip_cents), 0))
                              .where(Payment.sale_id == sale.id, col(Payment.status) == "succeeded")).one()
    refunded = session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0))
                            .where(Refund.sale_id == sale.id, col(Refund.status) == "succeeded")).one()
    before = _before(sale)
    sale.paid_cents, sale.tip_cents, sale.refunded_cents = int(paid), int(tips), int(refunded)
    was = sale.status
    now = clock.now()
    if sale.status == "open" and sale.paid_cents >= sale.total_cents and (sale.total_cents > 0 or sale.paid_cents > 0
                                                                          or _has_lines(session, sale)):
        sale.status, sale.paid_at = "paid", now
        sale.business_date = day or business_days.today(location)
        _on_paid(session, sale, actor, location, now, effects)
    if sale.status in ("partially_refunded", "refunded") and sale.refunded_cents <= 0:
        sale.status = "paid"  # its refunds failed (Stripe took the money back): as it was before them
    elif sale.status in ("paid", "partially_refunded", "refunded") and sale.refunded_cents > 0:
        # refunds give back money only: what was paid with membership credits or points stays spent
        in_kind = session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0)).where(
            Payment.sale_id == sale.id, col(Payment.status) == "succeeded",
            col(Payment.method).in_(("credit", "points")))).one()
        money = sale.paid_cents - int(in_kind)
        sale.status = "refunded" if sale.refunded_cents >= money else "partially_refunded"
    sale.updated_at = now
    session.add(sale)
    session.flush()
    if sale.status != was:
        _audit(session, actor, location, sale, sale.status if sale.status != "paid" else "paid", before)


def _has_lines(session: Session, sale: Sale) -> bool:
    return bool(session.exec(select(sa.func.count()).select_from(SaleLine).where(SaleLine.sale_id == sale.id)).one())


def _on_paid(session: Session, sale: Sale, actor: Actor, location: LocationView, now: datetime,
             effects: SaleEffects) -> None:
    methods = session.exec(select(Payment.method).where(Payment.sale_id == sale.id,
                                                        col(Payment.status) == "succeeded")).all()
    method = methods[0] if len(set(methods)) == 1 else "mixed"
    for card_id in session.exec(select(SaleLine.gift_card_id).where(
            SaleLine.sale_id == sale.id, col(SaleLine.gift_card_id).is_not(None)).order_by(col(SaleLine.id))).all():
        gift_cards.activate(session, card_id, actor=actor, location=location)
    effects.paid(session, sale, actor=actor, location=location, method=method, now=now)


def void(session: Session, *, actor: Actor, location: LocationView, sale_id: int, reason: str) -> SaleView:
    """A manager cancels an open sale that has taken no money (audited, with the reason)."""
    authorize(actor, Permission.sale_void)
    why = clean_text(reason, refusal_words("the reason"), _REASON_MAX, required=True)
    sale = open_for_change(session, sale_id, location, "voiding")
    taken = session.exec(select(sa.func.count()).select_from(Payment).where(
        Payment.sale_id == sale.id, col(Payment.status).in_(("succeeded", "pending")))).one()
    if taken:
        raise RuleViolation(f"sale {sale_id} has payments taken or in progress: it cannot be voided",
                            hint=f"refund them instead: salon sale refund {sale_id} --reason ...")
    before = _before(sale)
    for line in session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id)).all():
        _undo_line(session, line)
    now = clock.now()
    sale.status, sale.voided_at, sale.voided_by_id, sale.void_reason, sale.updated_at = "void", now, actor.id, why, now
    session.add(sale)
    session.flush()
    _give_back_promotions(session, sale.id or 0, now)
    _audit(session, actor, location, sale, "void", before, reason=why)
    return view(session, sale_id, location)


def _give_back_promotions(session: Session, sale_id: int, now: datetime) -> None:
    """A voided sale gives its promotions' uses back (each promotion's row locked, then decremented)."""
    for use in session.exec(select(PromotionUse).where(PromotionUse.sale_id == sale_id,
                                                       PromotionUse.status == "applied")).all():
        promo = session.get(Promotion, use.promotion_id, with_for_update=True)
        use.status, use.voided_at = "voided", now
        session.add(use)
        if promo is not None and promo.uses > 0:
            promo.uses -= 1
            session.add(promo)
    session.flush()


__all__ = ["SaleView", "view", "GiftCard"]
