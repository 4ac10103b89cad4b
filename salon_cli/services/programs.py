"""Every location starts with a loyalty program and the Gold/Black/VIP membership plans.

Only the defaults live here; earning, redeeming and subscribing belong to the loyalty and
membership services.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from salon_cli.db.models import LoyaltyProgram, MembershipPlan

DEFAULT_TIERS = [
    {"name": "bronze", "min_points": 0, "multiplier_bp": 10000},
    {"name": "silver", "min_points": 1000, "multiplier_bp": 12500},
    {"name": "gold", "min_points": 2500, "multiplier_bp": 15000},
    {"name": "platinum", "min_points": 5000, "multiplier_bp": 20000},
]

# code, name, monthly credits, discount (basis points), benefits. Prices are the salon's to set.
DEFAULT_PLANS = [
    ("gold", "Gold", 1, 1000, ["priority_booking"]),
    ("black", "Black", 2, 1500, ["priority_booking", "birthday_gift"]),
    ("vip", "VIP", 4, 2000, ["priority_booking", "birthday_gift", "photo_gallery"]),
]


def create_defaults(session: Session, *, location_id: int, now: datetime) -> None:
    session.add(LoyaltyProgram(location_id=location_id, tiers=[dict(t) for t in DEFAULT_TIERS], updated_at=now))
    for code, name, credits, discount_bp, benefits in DEFAULT_PLANS:
        session.add(MembershipPlan(
            location_id=location_id, code=code, tier=code, name=name, monthly_credits=credits,
            discount_bp=discount_bp, benefits=list(benefits), created_at=now,
        ))
    session.flush()


def loyalty_program(session: Session, location_id: int) -> LoyaltyProgram | None:
    return session.exec(select(LoyaltyProgram).where(LoyaltyProgram.location_id == location_id)).first()


def membership_plans(session: Session, location_id: int) -> list[MembershipPlan]:
    return list(session.exec(select(MembershipPlan).where(MembershipPlan.location_id == location_id)
                             .order_by(MembershipPlan.id)))
