"""Selling at the desk on the checkout's ticket, with or without an appointment: a gift card (an amount,
the code printed on the card handed over or a new one) and a membership (the plan subscribed now, its
first fee a line of this ticket, paid with the rest by any tender). Retail products and services go
on through `till.sales` as on any ticket.

A membership is sold through `memberships.subscriptions.subscribe` as `salon membership subscribe`
sells it; only the till it is handed differs: instead of a sale of its own, the fee goes on the sale
at the desk (`OnTicket`), so one payment covers a gift card, a product and the membership together.
"""

from __future__ import annotations

from sqlmodel import Session

from salon_cli.core.errors import RuleViolation
from salon_cli.services.memberships import plans, subscriptions
from salon_cli.services.memberships.plans import PlanView
from salon_cli.services.memberships.subscriptions import FeeTill, MembershipView
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import membership_fees, sales
from salon_cli.services.till.sale_views import SaleView


class OnTicket:
    """`subscriptions.FeeTill` whose fee is a line of an open sale at the desk (the client's own)."""

    def __init__(self, sale_id: int) -> None:
        self.sale_id = sale_id

    def open_fee(self, session: Session, *, actor: Actor, location: LocationView, client_id: int,
                 description: str, amount_cents: int) -> int:
        sale = sales.get(session, self.sale_id, location)
        if sale.client_id != client_id:
            raise RuleViolation(f"sale {self.sale_id} is not client {client_id}'s: the fee goes on the client's sale")
        sales.add_membership_fee(session, actor=actor, location=location, sale_id=self.sale_id,
                                 description=description, amount_cents=amount_cents)
        return self.sale_id

    def pay_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int, method: str) -> None:
        membership_fees.TILL.pay_fee(session, actor=actor, location=location, sale_id=sale_id, method=method)

    def void_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int,
                 reason: str) -> None:
        membership_fees.TILL.void_fee(session, actor=actor, location=location, sale_id=sale_id, reason=reason)


def plans_on_sale(session: Session) -> list[PlanView]:
    """The plans the desk may sell."""
    return plans.list_plans(session, include_inactive=False)


def subscribe(session: Session, *, actor: Actor, location: LocationView, sale_id: int,
              plan_code: str) -> MembershipView:
    """The sale's client subscribes to `plan_code` from today; the first period's fee is a line of this sale."""
    sale = sales.get(session, sale_id, location)
    if sale.client_id is None:
        raise RuleViolation("a membership is a client's: this sale has no client",
                            hint="start the sale with the client chosen")
    till: FeeTill = OnTicket(sale_id)
    return subscriptions.subscribe(session, actor=actor, location=location, till=till, client_id=sale.client_id,
                                   plan_code=plan_code)


def sell_gift_card(session: Session, *, actor: Actor, location: LocationView, sale_id: int, amount_cents: int,
                   code: str | None = None) -> SaleView:
    """A gift card of `amount_cents` on the sale (usable once the sale is paid); `code`: the card's own,
    when a printed card is handed over."""
    return sales.add_gift_card(session, actor=actor, location=location, sale_id=sale_id, amount_cents=amount_cents,
                               code=code or None)
