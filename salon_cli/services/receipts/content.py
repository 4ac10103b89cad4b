"""What a receipt says, as plain data: a paid sale, one refund of a sale, or a voided sale.

A receipt is read from the sale as it stands, so a reprint tomorrow says what today's said, plus any
refund given since (a sale's receipt lists its refunds). Who served: the staff member who took the
payment that settled the sale (a refund: who gave it back; a void: who voided). Taxes are summed by
name over the lines (each line carries its own, rounded per line: `core.sale_math`). The points are
those the loyalty ledger wrote for this sale (or voided for this refund), and the balance is the
client's right after them. A gift card shows its code masked to the last four and its balance now.

An open sale has no receipt: nothing was paid yet (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import NotFound, RuleViolation
from salon_cli.db.models import (
    Client, GiftCard, LoyaltyAccount, LoyaltyEntry, Payment, Refund, Sale, SaleLine, Staff,
)
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.receipts.words import language as pick_language, mask

KINDS = ("sale", "refund", "void")


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    quantity: int
    unit_price_cents: int
    amount_cents: int  # quantity x unit price
    discount_cents: int  # the line's share of the sale's discount
    staff: str | None  # who did the service or sold the product (name)
    gift_card: str | None = None  # a gift card sold on this line, masked


@dataclass(frozen=True)
class TaxTotal:
    name: str
    rate_bp: int
    inclusive: bool  # inside the prices (shown, not added)
    amount_cents: int


@dataclass(frozen=True)
class Tender:
    method: str
    purpose: str  # sale | deposit | penalty
    amount_cents: int  # to the sale
    tip_cents: int
    tendered_cents: int | None  # cash handed over
    change_cents: int
    gift_card: str | None = None  # masked


@dataclass(frozen=True)
class RefundLine:
    id: int
    method: str
    status: str  # succeeded | pending (Stripe has not said yet)
    amount_cents: int
    reason: str
    at: datetime


@dataclass(frozen=True)
class CardBalance:
    code: str  # masked
    balance_cents: int
    sold: bool  # sold on this sale (else: it paid)


@dataclass(frozen=True)
class Receipt:
    kind: str  # sale | refund | void
    sale_id: int
    refund_id: int | None
    sale_status: str
    language: str
    currency: str
    timezone: str
    location: str
    location_name: str
    address: str | None
    phone: str | None
    tax_id: str | None
    business_date: date
    at: datetime  # paid, refunded or voided
    cashier: str | None
    client_id: int | None
    client: str
    client_email: str | None
    lines: tuple[ReceiptLine, ...]
    subtotal_cents: int
    discount_kind: str | None  # pct (discount_value in basis points) | amount
    discount_value: int
    discount_cents: int
    taxes: tuple[TaxTotal, ...]
    tax_cents: int
    total_cents: int
    tip_cents: int
    paid_cents: int  # the tenders: amounts and tips
    refunded_cents: int  # the receipt's refunds that went through
    tenders: tuple[Tender, ...]
    refunds: tuple[RefundLine, ...]
    points: int | None  # earned on the sale (a refund: voided, negative); None: no loyalty card
    points_balance: int | None  # the client's points right after
    gift_cards: tuple[CardBalance, ...]
    void_reason: str | None


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {i: n for i, n in session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(wanted))).all()}


def taxes_by_name(lines: Iterable[SaleLine]) -> tuple[TaxTotal, ...]:
    """The lines' taxes summed by name, in the order they first appear."""
    summed: dict[str, list] = {}
    for line in lines:
        for tax in line.taxes or []:
            name = str(tax.get("name"))
            if name not in summed:
                summed[name] = [int(tax.get("rate_bp") or 0), bool(tax.get("inclusive")), 0]
            summed[name][2] += int(tax.get("amount_cents") or 0)
    return tuple(TaxTotal(name, rate, inclusive, amount) for name, (rate, inclusive, amount) in summed.items())


def _points(session: Session, client_id: int | None, mine: sa.ColumnElement[bool], at: datetime) -> tuple[int | None, int | None]:
    """(points written by this sale or refund, the balance right after them); Nones without a card."""
    if client_id is None:
        return None, None
    account_id = session.exec(select(LoyaltyAccount.id).where(LoyaltyAccount.client_id == client_id)).first()
    if account_id is None:
        return None, None
    entries = session.exec(select(LoyaltyEntry.id, LoyaltyEntry.points)
                           .where(LoyaltyEntry.account_id == account_id, mine)).all()
    points = sum(p for _, p in entries)
    upto = (col(LoyaltyEntry.id) <= max(i for i, _ in entries)) if entries else (col(LoyaltyEntry.created_at) <= at)
    balance = session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0))
                           .where(LoyaltyEntry.account_id == account_id, upto)).one()
    return points, int(balance)


def _cards(session: Session, paying: Iterable[int | None], sold: Iterable[int | None]) -> tuple[CardBalance, ...]:
    sold_ids = {i for i in sold if i is not None}
    ids = list(dict.fromkeys([*(i for i in paying if i is not None), *sold_ids]))
    if not ids:
        return ()
    rows = {c.id: c for c in session.exec(select(GiftCard).where(col(GiftCard.id).in_(ids))).all()}
    return tuple(CardBalance(mask(rows[i].code) or "", rows[i].balance_cents, i in sold_ids) for i in ids if i in rows)


def build(session: Session, location: LocationView, sale_id: int, *, refund_id: int | None = None,
          lang: str | None = None) -> Receipt:
    """The receipt of a sale (paid, refunded or void), or of one of its refunds (`refund_id`).
    `lang` is SALON_LANG's (None: the location's language)."""
    sale = session.get(Sale, sale_id)
    if sale is None or sale.location_id != location.id:
        raise NotFound(f"no sale {sale_id} at {location.code}", hint="see: salon sale list")
    if sale.status == "open":
        raise RuleViolation(f"sale {sale_id} is open: nothing paid yet",
                            hint=f"take the payment first: salon sale pay {sale_id} --method ...")
    refund = None
    if refund_id is not None:
        refund = session.get(Refund, refund_id)
        if refund is None or refund.sale_id != sale.id:
            raise NotFound(f"sale {sale_id} has no refund {refund_id}", hint=f"see: salon sale show {sale_id}")
    kind = "refund" if refund is not None else "void" if sale.status == "void" else "sale"
    lines = session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(col(SaleLine.position))).all()
    payments = session.exec(select(Payment).where(Payment.sale_id == sale.id, Payment.status == "succeeded")
                            .order_by(col(Payment.id))).all()
    refunds = [refund] if refund is not None else session.exec(
        select(Refund).where(Refund.sale_id == sale.id, col(Refund.status).in_(("succeeded", "pending")))
        .order_by(col(Refund.id))).all()
    client = session.get(Client, sale.client_id) if sale.client_id is not None else None
    if kind == "refund":
        assert refund is not None
        at, by, day = refund.succeeded_at or refund.created_at, refund.created_by_id, refund.business_date
    elif kind == "void":
        at, by, day = sale.voided_at or sale.created_at, sale.voided_by_id, sale.business_date
    else:
        last = payments[-1] if payments else None
        at = sale.paid_at or (last.succeeded_at if last else None) or sale.created_at
        by, day = (last.created_by_id if last else sale.created_by_id), sale.business_date
    names = _names(session, [by, *(line.staff_id for line in lines)])
    card_codes = {c.id: c.code for c in session.exec(select(GiftCard).where(col(GiftCard.id).in_(
        [p.gift_card_id for p in payments if p.gift_card_id] + [line.gift_card_id for line in lines if line.gift_card_id])))}
    if kind == "refund":
        assert refund is not None
        mine = col(LoyaltyEntry.refund_id) == refund.id
        paid_by = session.get(Payment, refund.payment_id)
        paying, sold = [paid_by.gift_card_id if paid_by else None], []
    else:
        mine = (col(LoyaltyEntry.sale_id) == sale.id) & (LoyaltyEntry.kind == "earn")
        paying, sold = [p.gift_card_id for p in payments], [line.gift_card_id for line in lines]
    points, balance = _points(session, sale.client_id, mine, at) if kind != "void" else (None, None)
    # an imported receipt's negative lines (a discount, an item given back) are shown as lines, so the
    # subtotal is that of every line and the sale's discount only what is not on a line of its own
    taken_off = -sum(line.gross_cents for line in lines if line.kind in ("discount", "return"))
    shown_refunds = tuple(RefundLine(r.id or 0, r.method, r.status, r.amount_cents, r.reason,
                                     r.succeeded_at or r.created_at) for r in refunds)
    return Receipt(
        kind=kind, sale_id=sale.id or 0, refund_id=refund.id if refund is not None else None, sale_status=sale.status,
        language=pick_language(policy_row(session, location).message_language, lang), currency=location.currency,
        timezone=location.timezone, location=location.code, location_name=location.name, address=location.address,
        phone=location.phone, tax_id=location.tax_id, business_date=day, at=at, cashier=names.get(by) if by else None,
        client_id=sale.client_id, client=f"{client.first_name} {client.last_name}".strip() if client else "",
        client_email=client.email if client else None,
        lines=tuple(ReceiptLine(line.description, line.quantity, line.unit_price_cents, line.gross_cents,
                                line.discount_cents, names.get(line.staff_id) if line.staff_id else None,
                                mask(card_codes.get(line.gift_card_id)) if line.gift_card_id else None)
                    for line in lines),
        subtotal_cents=sale.subtotal_cents - taken_off, discount_kind=sale.discount_kind,
        discount_value=sale.discount_value - taken_off if sale.discount_kind == "amount" else sale.discount_value,
        discount_cents=sale.discount_cents - taken_off, taxes=taxes_by_name(lines), tax_cents=sale.tax_cents,
        total_cents=sale.total_cents, tip_cents=sale.tip_cents,
        paid_cents=sum(p.amount_cents + p.tip_cents for p in payments),
        refunded_cents=sum(r.amount_cents for r in refunds if r.status == "succeeded"),
        tenders=tuple(Tender(p.method, p.purpose, p.amount_cents, p.tip_cents, p.tendered_cents, p.change_cents,
                             mask(card_codes.get(p.gift_card_id)) if p.gift_card_id else None) for p in payments),
        refunds=shown_refunds, points=points, points_balance=balance,
        gift_cards=_cards(session, paying, sold) if kind != "void" else (),
        void_reason=sale.void_reason if kind == "void" else None,
    )
