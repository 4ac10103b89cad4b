"""Discarding an empty sale: a ticket the desk started and left before any money was taken is not kept.

The dashboard's checkout opens a sale only with the first change to the ticket (a product, a discount,
a fee); leaving it with no payment (`Esc`) deletes that sale here, audited, so that neither the close
nor the sales list shows a sale nobody meant to leave open. The sale's lines go with it, and what
adding them did is undone (stock back, an unsold gift card removed).

A sale is kept (`discard_if_empty` answers False) when anything on it must stay on record: a payment
of any status (a card declined at the reader is a record too) or a refund, a membership's fee (the
membership stands and owes it: the sale stays open, as `salon membership subscribe` without `--pay`
leaves it), or a business day that is closed (frozen). Only an open sale is ever deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.permissions import Permission
from salon_cli.db.models import GiftCard, Payment, Refund, SaleLine
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import sales


def keeps(session: Session, sale_id: int) -> str | None:
    """Why sale `sale_id` must be kept rather than discarded (None: nothing on it needs keeping)."""
    if session.exec(select(sa.func.count()).select_from(Payment).where(Payment.sale_id == sale_id)).one():
        return "it has payments"
    if session.exec(select(sa.func.count()).select_from(Refund).where(Refund.sale_id == sale_id)).one():
        return "it has refunds"
    if session.exec(select(SaleLine.id).where(SaleLine.sale_id == sale_id, SaleLine.kind == "membership")).first():
        return "it carries a membership's fee"
    return None


def discard_if_empty(session: Session, actor: Actor, location: LocationView, sale_id: int) -> bool:
    """Delete open sale `sale_id` if no money was taken on it (see the module's docstring); True when it
    was deleted, False when it is kept."""
    authorize(actor, Permission.desk)
    sale = sales.get(session, sale_id, location, lock=True)
    if sale.status != "open" or keeps(session, sale_id) is not None:
        return False
    if business_days.is_closed(session, location.id, sale.business_date) or \
            business_days.is_closed(session, location.id, business_days.today(location)):
        return False
    before = audit.snapshot(sale, only=("status", "client_id", "appointment_id", "business_date", "subtotal_cents",
                                        "discount_cents", "tax_cents", "total_cents"))
    lines = session.exec(select(SaleLine).where(SaleLine.sale_id == sale_id).order_by(col(SaleLine.position))).all()
    cards = []
    for line in lines:
        sales._undo_line(session, line)  # stock back, an unsold card voided
        if line.gift_card_id is not None:
            cards.append(line.gift_card_id)
        session.delete(line)
    session.flush()
    for card_id in cards:  # never activated, never spent: nothing refers to it but this sale
        session.execute(sa.delete(GiftCard).where(col(GiftCard.id) == card_id, col(GiftCard.status) == "void"))
    session.delete(sale)
    session.flush()
    audit.record(session, actor=actor, action="sale.discard", entity="sale", entity_id=sale_id,
                 location_id=location.id, before=before,
                 after={"reason": "left at the desk with no payment",
                        "lines": [{"kind": line.kind, "description": line.description, "quantity": line.quantity}
                                  for line in lines]})
    return True
