"""A membership's fees at the till: selling a plan (`salon membership subscribe`) and renewing
(`salon renew-memberships`) open each period's fee as a sale the way every sale is opened
(`till.tickets`), pay it through `till.tenders`, and void one left unpaid. The memberships themselves
(periods, credits, expiry) are `memberships.subscriptions` and `memberships.renewal`, which are handed
this till (`TILL`) rather than knowing sales.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from salon_cli.services.memberships import renewal, subscriptions
from salon_cli.services.memberships.renewal import RenewalReport
from salon_cli.services.memberships.subscriptions import FeeTill, MembershipView
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import sales, tenders, tickets


class _Till:
    """`memberships.subscriptions.FeeTill` of the till."""

    def open_fee(self, session: Session, *, actor: Actor, location: LocationView, client_id: int,
                 description: str, amount_cents: int) -> int:
        sale = tickets.create(session, actor=actor, location=location, client_id=client_id)
        sales.add_membership_fee(session, actor=actor, location=location, sale_id=sale.id or 0,
                                 description=description, amount_cents=amount_cents)
        return sale.id or 0

    def pay_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int, method: str) -> None:
        tenders.pay(session, actor=actor, location=location, sale_id=sale_id, method=method)

    def void_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int,
                 reason: str) -> None:
        sales.void(session, actor=actor, location=location, sale_id=sale_id, reason=reason)


TILL: FeeTill = _Till()


def subscribe(session: Session, *, actor: Actor, location: LocationView, client_id: int, plan_code: str,
              pay_method: str | None = None) -> MembershipView:
    """Sell a plan (`subscriptions.subscribe`) with its first fee sale at this till."""
    return subscriptions.subscribe(session, actor=actor, location=location, till=TILL, client_id=client_id,
                                   plan_code=plan_code, pay_method=pay_method)


def renew(engine: Engine, *, as_of: datetime | None = None, dry_run: bool = False,
          actor: Actor = SYSTEM) -> RenewalReport:
    """One run of `renew-memberships` (`renewal.renew`) with the fee sales at this till."""
    return renewal.renew(engine, till=TILL, as_of=as_of, dry_run=dry_run, actor=actor)
