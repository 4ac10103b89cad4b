"""What a sale can still give back, payment by payment: the choices of the dashboard's refund.

Each choice is a payment that took money and what is left to refund on it (`payments.refundable_cents`:
its amount less its refunds pending or done; tips are the stylist's and are not refunded). Payments in
kind (a membership credit, a redemption code: `payments.NON_MONEY`) are not refunded in money and are
not offered. A sale that is not paid is refused here, in the words the refund itself would use, so the
desk hears it before a manager types a PIN.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import Payment
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import payments, sale_views
from salon_cli.services.till.sale_views import PaymentView, SaleView


@dataclass(frozen=True)
class RefundChoice:
    payment: PaymentView
    refundable_cents: int


@dataclass(frozen=True)
class RefundChoices:
    sale: SaleView
    choices: list[RefundChoice]


def refund_choices(session: Session, *, location: LocationView, sale_id: int) -> RefundChoices:
    """The sale and its payments that can still be refunded (in the order they were taken)."""
    sale = sale_views.view(session, sale_id, location)
    if sale.status not in ("paid", "partially_refunded"):
        raise RuleViolation(f"sale {sale_id} is {sale.status.replace('_', ' ')}: only a paid sale is refunded",
                            hint="an open sale is voided instead: salon sale void ID --reason ...")
    out = []
    for p in sale.payments:
        if p.status != "succeeded" or p.method in payments.NON_MONEY:
            continue
        row = session.get(Payment, p.id)
        left = payments.refundable_cents(session, row) if row is not None else 0
        if left > 0:
            out.append(RefundChoice(payment=p, refundable_cents=left))
    return RefundChoices(sale=sale, choices=out)
