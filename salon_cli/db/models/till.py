"""The till: sales and their lines, payments, refunds, gift cards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _wide, _in, _utc, partial_index
from salon_cli.db.types import JSONType

__all__ = [
    "SALE_STATUSES", "LINE_KINDS", "PAYMENT_METHODS", "PAYMENT_STATUSES", "REFUND_STATUSES", "Sale",
    "SaleLine", "Payment", "Refund", "GiftCard",
]


SALE_STATUSES = ("open", "paid", "void", "partially_refunded", "refunded")
# deposit: what a deposit left once its visit did not happen, kept or given back (never taxed or discounted)
LINE_KINDS = ("service", "product", "fee", "gift_card", "membership", "deposit", "discount", "return")
PAYMENT_METHODS = ("cash", "card", "stripe", "gift_card", "credit", "points", "transfer", "unknown")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "cancelled")
REFUND_STATUSES = ("pending", "succeeded", "failed", "cancelled")


class Sale(TableModel, table=True):
    """A ticket: lines, a discount, taxes from the location's policy, payments, refunds.

    The `*_cents` figures are kept equal to the sums of the lines, payments and refunds by the
    sales service, in the same transaction as the change (DESIGN.md rule 5).
    """

    __table_args__ = (
        sa.Index("ix_sale_location_date", "location_id", "business_date"),
        # a client's purchases, and the sale of an appointment (the partial unique index below serves
        # only queries that say status != 'void')
        sa.Index("ix_sale_client_history", "client_id", "location_id", "status"),
        sa.Index("ix_sale_appointment", "appointment_id"),
        # one live sale per appointment: a second checkout of the same visit is refused
        partial_index("ix_sale_appointment_live", "appointment_id", unique=True, where="status != 'void'"),
        sa.UniqueConstraint("location_id", "external_id"),
        sa.CheckConstraint(_in("status", SALE_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id")
    status: str = Field(default="open", max_length=20)
    business_date: date
    discount_kind: str | None = Field(default=None, max_length=8)  # pct (basis points) | amount (cents)
    discount_value: int = _wide(default=0)
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)  # the policy's, when opened
    subtotal_cents: int = _wide(default=0)
    discount_cents: int = _wide(default=0)
    tax_cents: int = _wide(default=0)
    total_cents: int = _wide(default=0)
    tip_cents: int = _wide(default=0)
    paid_cents: int = _wide(default=0)
    refunded_cents: int = _wide(default=0)
    external_id: str | None = Field(default=None, max_length=64)  # a receipt number from an import
    # an imported receipt's own figures as its file gave them (exact, e.g. tax "3.1875"), for reports to show beside ours
    source: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    paid_at: datetime | None = _utc(default=None, nullable=True)
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    void_reason: str | None = Field(default=None, max_length=255)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class SaleLine(TableModel, table=True):
    """One line of a sale; its discount share and taxes are computed by `core.sale_math`."""

    __tablename__ = "sale_line"
    __table_args__ = (
        sa.UniqueConstraint("sale_id", "position"),
        sa.CheckConstraint(_in("kind", LINE_KINDS), name="kind"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    position: int = 0
    kind: str = Field(max_length=16)
    description: str = Field(max_length=200)
    quantity: int = 1
    unit_price_cents: int = _wide()
    gross_cents: int = _wide()
    discount_cents: int = _wide(default=0)
    net_cents: int = _wide(default=0)
    tax_cents: int = _wide(default=0)
    total_cents: int = _wide(default=0)
    taxes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)  # [{name, rate_bp, inclusive, amount_cents}]
    service_id: int | None = Field(default=None, foreign_key="service.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)  # who did it (commission)
    penalty_id: int | None = Field(default=None, foreign_key="penalty.id", index=True)
    gift_card_id: int | None = Field(default=None, foreign_key="gift_card.id")
    promotion_id: int | None = Field(default=None, foreign_key="promotion.id")  # a promotion's discount line


class Payment(TableModel, table=True):
    """Money received for a sale. It counts only once `succeeded` (for Stripe: when Stripe says so)."""

    __table_args__ = (
        sa.Index("ix_payment_location_date", "location_id", "business_date"),
        sa.CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
        sa.CheckConstraint(_in("status", PAYMENT_STATUSES), name="status"),
        # a payment brings money: an amount, or only a tip when a code or credit covered the bill
        sa.CheckConstraint("amount_cents >= 0 AND (amount_cents > 0 OR tip_cents > 0)", name="amount_positive"),
        sa.CheckConstraint("tip_cents >= 0", name="tip_not_negative"),
        sa.CheckConstraint("change_cents >= 0", name="change_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    method: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    purpose: str = Field(default="sale", max_length=16)  # sale | deposit | penalty
    amount_cents: int = _wide()  # applied to the sale, without the tip
    tip_cents: int = _wide(default=0)
    tendered_cents: int | None = _wide(default=None)  # cash handed over
    change_cents: int = _wide(default=0)
    business_date: date  # the day the money came in (for Stripe: the day it was confirmed)
    gift_card_id: int | None = Field(default=None, foreign_key="gift_card.id", index=True)
    # method points: the redemption code it used (once, by constraint); method credit: the membership
    redemption_id: int | None = Field(default=None, foreign_key="redemption.id", unique=True)
    membership_id: int | None = Field(default=None, foreign_key="membership.id", index=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=64, unique=True)
    stripe_charge_id: str | None = Field(default=None, max_length=64, index=True)
    stripe_checkout_session_id: str | None = Field(default=None, max_length=80, unique=True)
    payment_url: str | None = Field(default=None, max_length=500)
    reader_id: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=120)
    failure_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    succeeded_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class Refund(TableModel, table=True):
    """Money given back against one payment: through Stripe's Refund API, from the drawer, or to a gift card."""

    __table_args__ = (
        sa.Index("ix_refund_location_date", "location_id", "business_date"),
        sa.CheckConstraint(_in("status", REFUND_STATUSES), name="status"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    method: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)
    amount_cents: int = _wide()
    reason: str = Field(default="", max_length=255)
    business_date: date
    # who gave it back, when the source says (an imported return): revenue by staff takes it from them
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    stripe_refund_id: str | None = Field(default=None, max_length=64, unique=True)
    failure_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    succeeded_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)


class GiftCard(TableModel, table=True):
    """A gift card: sold on a sale (active once that sale is paid), spent as a payment method."""

    __tablename__ = "gift_card"
    __table_args__ = (
        sa.CheckConstraint("balance_cents >= 0", name="balance_not_negative"),
        sa.CheckConstraint("balance_cents <= initial_cents", name="balance_within_initial"),
        sa.CheckConstraint("status IN ('pending', 'active', 'void')", name="status"),
        sa.CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
        sa.CheckConstraint("balance_cents + refunded_cents <= initial_cents", name="refunded_within_initial"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    location_id: int = Field(foreign_key="location.id")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    initial_cents: int = _wide()
    balance_cents: int = _wide()
    refunded_cents: int = _wide(default=0)  # value taken off the card because its sale gave the money back
    status: str = Field(default="pending", max_length=8)  # pending (its sale is unpaid) | active | void
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    created_at: datetime = _utc()
    activated_at: datetime | None = _utc(default=None, nullable=True)
    updated_at: datetime | None = _utc(default=None, nullable=True)
