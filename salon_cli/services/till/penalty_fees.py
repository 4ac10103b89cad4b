"""A penalty's fee at the till: a line on a sale (`salon sale add --fee`), paid at the desk (`salon penalty
mark-paid`), or the sale that a saved-card charge or a payment link pays (`stripe.payments`). When that
sale is paid, the penalty is paid (`till.tenders.EFFECTS`).
"""

from __future__ import annotations

from sqlmodel import Session

from salon_cli.core.errors import Conflict, InvalidInput, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Penalty, SaleLine
from salon_cli.services.book import penalties
from salon_cli.services.book.penalties import PenaltyView
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.till.sale_views import SaleView

PAID_METHODS = ("cash", "card", "transfer")


def fee_penalty(session: Session, location: LocationView, penalty_id: int) -> Penalty:
    """A penalty that may still be paid: pending or failed, not already on a live sale."""
    penalty = penalties.open_penalty(session, penalty_id, location, "charged or paid")
    other = sales.sale_of_penalty(session, penalty_id)
    if other is not None:
        raise Conflict(f"penalty {penalty_id} is already on sale {other.id}", hint=f"see: salon sale show {other.id}")
    return penalty


def fee_line(penalty: Penalty) -> SaleLine:
    what = "No-show fee" if penalty.kind == "no_show" else "Late-cancellation fee"
    return SaleLine(kind="fee", description=f"{what} (penalty {penalty.id})"[:200], quantity=1,
                    unit_price_cents=penalty.amount_cents, gross_cents=0, penalty_id=penalty.id)


def add_fee(session: Session, *, actor: Actor, location: LocationView, sale_id: int, penalty_id: int) -> SaleView:
    """A penalty's fee as a line: when the sale is paid, the penalty is paid."""
    authorize(actor, Permission.desk)
    sale = sales.open_for_change(session, sale_id, location, "adding a line")
    penalty = fee_penalty(session, location, penalty_id)
    if sale.client_id is not None and penalty.client_id is not None and sale.client_id != penalty.client_id:
        raise RuleViolation(f"penalty {penalty_id} is client {penalty.client_id}'s; sale {sale_id} is client {sale.client_id}'s")
    return sales.add_line(session, actor, location, sale, fee_line(penalty))


def mark_paid(session: Session, *, actor: Actor, location: LocationView, penalty_id: int, method: str) -> PenaltyView:
    """The client paid the penalty at the desk (cash, an outside card terminal, a transfer): a sale with
    the fee as its line and one payment, so the money is in the day's takings and the cash drawer."""
    authorize(actor, Permission.desk)
    how = (method or "").strip().lower()
    if how not in PAID_METHODS:
        raise InvalidInput(f"method {method!r} is not one of {', '.join(PAID_METHODS)}")
    penalties.open_penalty(session, penalty_id, location, "paid")
    existing = sales.sale_of_penalty(session, penalty_id)
    if existing is not None and existing.status == "open":
        sale_id = existing.id or 0
    else:
        row = session.get(Penalty, penalty_id)
        assert row is not None
        sale_id = tickets.create(session, actor=actor, location=location, client_id=row.client_id).id or 0
        add_fee(session, actor=actor, location=location, sale_id=sale_id, penalty_id=penalty_id)
    tenders.pay(session, actor=actor, location=location, sale_id=sale_id, method=how)
    return penalties.view(session, penalty_id, location)
