"""Sales as people and scripts read them (SPEC.md: a sale in JSON), read in batched queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.db.models import SALE_STATUSES, Client, GiftCard, Payment, Refund, Sale, SaleLine, Staff
from salon_cli.services.salon.locations import LocationView


@dataclass(frozen=True)
class SaleLineView:
    id: int
    position: int
    kind: str
    description: str
    quantity: int
    unit_price_cents: int
    gross_cents: int
    discount_cents: int
    net_cents: int
    tax_cents: int
    total_cents: int
    taxes: list[dict[str, Any]]
    staff: str | None
    service_id: int | None
    product_id: int | None
    penalty_id: int | None
    gift_card: str | None


@dataclass(frozen=True)
class PaymentView:
    id: int
    sale_id: int
    method: str
    status: str
    purpose: str
    amount_cents: int
    tip_cents: int
    tendered_cents: int | None
    change_cents: int
    refunded_cents: int
    business_date: date
    gift_card: str | None
    stripe_payment_intent_id: str | None
    payment_url: str | None
    failure_reason: str | None
    created_at: datetime
    succeeded_at: datetime | None


@dataclass(frozen=True)
class RefundView:
    id: int
    sale_id: int
    payment_id: int
    method: str
    status: str
    amount_cents: int
    reason: str
    business_date: date
    stripe_refund_id: str | None
    failure_reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class SaleView:
    id: int
    status: str
    location: str
    currency: str
    client_id: int | None
    client: str
    appointment_id: int | None
    business_date: date
    subtotal_cents: int
    discount_kind: str | None  # pct (discount_value in basis points) | amount (in cents) | None
    discount_value: int
    discount_cents: int
    tax_cents: int
    tip_cents: int
    total_cents: int
    paid_cents: int
    refunded_cents: int
    balance_cents: int
    created_at: datetime
    paid_at: datetime | None
    note: str | None
    void_reason: str | None
    lines: list[SaleLineView] = field(default_factory=list)
    payments: list[PaymentView] = field(default_factory=list)
    refunds: list[RefundView] = field(default_factory=list)


def _lines(session: Session, ids: Sequence[int]) -> dict[int, list[SaleLineView]]:
    rows = session.exec(select(SaleLine, Staff.code, GiftCard.code)
                        .outerjoin(Staff, col(Staff.id) == SaleLine.staff_id)
                        .outerjoin(GiftCard, col(GiftCard.id) == SaleLine.gift_card_id)
                        .where(col(SaleLine.sale_id).in_(ids))
                        .order_by(col(SaleLine.sale_id), col(SaleLine.position))).all()
    out: dict[int, list[SaleLineView]] = defaultdict(list)
    for line, staff_code, card_code in rows:
        out[line.sale_id].append(SaleLineView(
            id=line.id or 0, position=line.position, kind=line.kind, description=line.description,
            quantity=line.quantity, unit_price_cents=line.unit_price_cents, gross_cents=line.gross_cents,
            discount_cents=line.discount_cents, net_cents=line.net_cents, tax_cents=line.tax_cents,
            total_cents=line.total_cents, taxes=list(line.taxes or []), staff=staff_code,
            service_id=line.service_id, product_id=line.product_id, penalty_id=line.penalty_id, gift_card=card_code))
    return out


def refund_view(r: Refund) -> RefundView:
    return RefundView(id=r.id or 0, sale_id=r.sale_id, payment_id=r.payment_id, method=r.method, status=r.status,
                      amount_cents=r.amount_cents, reason=r.reason, business_date=r.business_date,
                      stripe_refund_id=r.stripe_refund_id, failure_reason=r.failure_reason, created_at=r.created_at)


def payment_view(p: Payment, refunded: int = 0, card_code: str | None = None) -> PaymentView:
    return PaymentView(
        id=p.id or 0, sale_id=p.sale_id, method=p.method, status=p.status, purpose=p.purpose,
        amount_cents=p.amount_cents, tip_cents=p.tip_cents, tendered_cents=p.tendered_cents,
        change_cents=p.change_cents, refunded_cents=refunded, business_date=p.business_date, gift_card=card_code,
        stripe_payment_intent_id=p.stripe_payment_intent_id, payment_url=p.payment_url,
        failure_reason=p.failure_reason, created_at=p.created_at, succeeded_at=p.succeeded_at)


def _money(session: Session, ids: Sequence[int]) -> tuple[dict[int, list[PaymentView]], dict[int, list[RefundView]]]:
    refunds: dict[int, list[RefundView]] = defaultdict(list)
    refunded_by_payment: dict[int, int] = defaultdict(int)
    for r in session.exec(select(Refund).where(col(Refund.sale_id).in_(ids)).order_by(col(Refund.id))).all():
        refunds[r.sale_id].append(refund_view(r))
        if r.status == "succeeded":
            refunded_by_payment[r.payment_id] += r.amount_cents
    payments: dict[int, list[PaymentView]] = defaultdict(list)
    rows = session.exec(select(Payment, GiftCard.code).outerjoin(GiftCard, col(GiftCard.id) == Payment.gift_card_id)
                        .where(col(Payment.sale_id).in_(ids)).order_by(col(Payment.id))).all()
    for p, code in rows:
        payments[p.sale_id].append(payment_view(p, refunded_by_payment.get(p.id or 0, 0), code))
    return payments, refunds


def views(session: Session, sale_ids: Sequence[int], location: LocationView) -> list[SaleView]:
    """The sales, in the order of `sale_ids`, with lines, payments and refunds (four queries in all)."""
    ids = list(sale_ids)
    if not ids:
        return []
    rows = {s.id: (s, c) for s, c in session.exec(
        select(Sale, Client).outerjoin(Client, col(Client.id) == Sale.client_id).where(col(Sale.id).in_(ids))).all()}
    lines = _lines(session, ids)
    payments, refunds = _money(session, ids)
    out = []
    for sale_id in ids:
        if sale_id not in rows:
            continue
        s, c = rows[sale_id]
        out.append(SaleView(
            id=s.id or 0, status=s.status, location=location.code, currency=location.currency, client_id=s.client_id,
            client=f"{c.first_name} {c.last_name}".strip() if c else "", appointment_id=s.appointment_id,
            business_date=s.business_date, subtotal_cents=s.subtotal_cents, discount_kind=s.discount_kind,
            discount_value=s.discount_value, discount_cents=s.discount_cents,
            tax_cents=s.tax_cents, tip_cents=s.tip_cents, total_cents=s.total_cents, paid_cents=s.paid_cents,
            refunded_cents=s.refunded_cents,
            balance_cents=max(0, s.total_cents - s.paid_cents) if s.status == "open" else 0,
            created_at=s.created_at, paid_at=s.paid_at, note=s.note, void_reason=s.void_reason,
            lines=lines.get(sale_id, []), payments=payments.get(sale_id, []), refunds=refunds.get(sale_id, [])))
    return out


def view(session: Session, sale_id: int, location: LocationView) -> SaleView:
    row = session.get(Sale, sale_id)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no sale {sale_id} at {location.code}", hint="see: salon sale list")
    return views(session, [sale_id], location)[0]


def check_status(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower().replace("-", "_")
    if value not in SALE_STATUSES:
        raise InvalidInput(f"status {text!r} is not one of {', '.join(SALE_STATUSES)}")
    return value


def list_sales(session: Session, *, location: LocationView, start: date | None = None, end: date | None = None,
               status: str | None = None, client_id: int | None = None, limit: int | None = None) -> list[SaleView]:
    """Sales of the location by business day (`start`..`end` inclusive), newest first."""
    query = select(Sale.id).where(Sale.location_id == location.id)
    if start is not None:
        query = query.where(col(Sale.business_date) >= start)
    if end is not None:
        query = query.where(col(Sale.business_date) <= end)
    status = check_status(status)
    if status:
        query = query.where(Sale.status == status)
    if client_id is not None:
        query = query.where(Sale.client_id == client_id)
    query = query.order_by(col(Sale.business_date).desc(), col(Sale.id).desc())
    if limit:
        query = query.limit(limit)
    return views(session, [int(i) for i in session.exec(query).all()], location)


def count(session: Session, location: LocationView) -> int:
    return int(session.exec(select(sa.func.count()).select_from(Sale).where(Sale.location_id == location.id)).one())
