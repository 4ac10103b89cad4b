"""Opening a sale: the one way a sale starts above `till.sales`, so that a member's discount applies by
itself (an explicit `--discount` replaces it) whoever opens it: the desk, checkout, a membership's
fee, a penalty's fee, a Stripe payment link.
"""

from __future__ import annotations

from sqlmodel import Session

from salon_cli.db.models import Appointment, Sale
from salon_cli.services.loyalty.program import client_tier
from salon_cli.services.memberships.subscriptions import discount_for
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import sales
from salon_cli.services.till.sale_views import SaleView, view


def client_discount(session: Session, client_id: int | None) -> tuple[int, str] | None:
    """(basis points, label) of the discount a client's sales get by themselves: the larger of their
    active membership's ("Gold membership") and their loyalty tier's ("Gold tier"), never both (the
    membership's on a tie). The one place checkout, the dashboard's ticket and every opened sale read it from."""
    member = discount_for(session, client_id)
    tier = client_tier(session, client_id)
    mine = (tier["discount_bp"], f"{str(tier['name']).title()} tier") if tier and tier["discount_bp"] > 0 else None
    if mine is None or member is not None and member[0] >= mine[0]:
        return member
    return mine


def create(session: Session, *, actor: Actor, location: LocationView, client_id: int | None = None,
           appointment_id: int | None = None, note: str | None = None) -> Sale:
    """A new open sale (`sales.create`) with its client's own discount (`client_discount`: membership or
    tier), if any. From an appointment the client is the appointment's."""
    client = client_id
    if appointment_id is not None:
        appt = session.get(Appointment, appointment_id)
        if appt is not None and appt.location_id == location.id:
            client = appt.client_id
    member = client_discount(session, client)
    return sales.create(session, actor=actor, location=location, client_id=client_id, appointment_id=appointment_id,
                        note=note, discount_bp=member[0] if member else None)


def open_sale(session: Session, *, actor: Actor, location: LocationView, client_id: int | None = None,
              appointment_id: int | None = None, note: str | None = None) -> SaleView:
    sale = create(session, actor=actor, location=location, client_id=client_id, appointment_id=appointment_id,
                  note=note)
    return view(session, sale.id or 0, location)
