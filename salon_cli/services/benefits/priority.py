"""Priority booking: a client holds it through their membership (the plan's `priority_booking`
benefit, while active: a paused membership gives none) or their loyalty tier (a tier marked `priority`,
while the program is active). It gives the longer booking horizon of the location's policy
(`priority_horizon_days` against `booking_horizon_days`) and the first offer of a freed slot on the
waitlist.

The book knows neither memberships nor loyalty: the horizon is handed to it as a number of days
(`book.appointments.book_appointment` and `move` take `horizon_days`).
"""

from __future__ import annotations

from sqlmodel import Session

from salon_cli.db.models import Appointment
from salon_cli.services.loyalty.program import client_tier
from salon_cli.services.memberships.subscriptions import has_benefit
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

PRIORITY_BENEFIT = "priority_booking"


def tier_priority(session: Session, client_id: int) -> bool:
    """Whether the client's loyalty tier (by lifetime points) is marked `priority`."""
    tier = client_tier(session, client_id)
    return tier is not None and bool(tier["priority"])


def has_priority(session: Session, client_id: int | None) -> bool:
    """Whether the client books with priority: an active membership's benefit or a priority tier."""
    if client_id is None:
        return False
    return has_benefit(session, client_id, PRIORITY_BENEFIT) or tier_priority(session, client_id)


def horizon_days(session: Session, location: LocationView, client_id: int | None) -> int:
    """How many days ahead this client's visit may be booked at this location."""
    policy = policy_row(session, location)
    if has_priority(session, client_id):
        return max(policy.priority_horizon_days, policy.booking_horizon_days)
    return policy.booking_horizon_days


def appointment_horizon_days(session: Session, location: LocationView, appointment_id: int) -> int:
    """`horizon_days` for the client of an appointment (what moving it may reach); the general horizon
    when there is no such appointment (the move then says it is not found)."""
    appt = session.get(Appointment, appointment_id)
    return horizon_days(session, location, appt.client_id if appt is not None else None)
