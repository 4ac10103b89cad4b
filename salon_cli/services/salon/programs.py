"""The business starts with a loyalty program and the Gold/Black/VIP membership plans.

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

# code, name, monthly price (minor units), monthly credits, discount (basis points), benefits.
# Seeded active so the desk can sell them at once; a manager changes them with `salon membership plan set`.
DEFAULT_PLANS = [
    ("gold", "Gold", 50000, 1, 1000, ["priority_booking", "photo_gallery"]),
    ("black", "Black", 90000, 2, 1500, ["priority_booking", "birthday_gift", "photo_gallery"]),
    ("vip", "VIP", 150000, 4, 2000, ["priority_booking", "birthday_gift", "photo_gallery"]),
]


def create_defaults(session: Session, *, now: datetime) -> None:
    """The business's loyalty program and plans, the first time a location is created (a later location
    shares them)."""
    if session.get(LoyaltyProgram, 1) is None:
        session.add(LoyaltyProgram(id=1, tiers=[dict(t) for t in DEFAULT_TIERS], updated_at=now))
    if session.exec(select(MembershipPlan.id).limit(1)).first() is None:
        for code, name, price_cents, credits, discount_bp, benefits in DEFAULT_PLANS:
            session.add(MembershipPlan(code=code, tier=code, name=name, monthly_price_cents=price_cents,
                                       monthly_credits=credits, discount_bp=discount_bp, benefits=list(benefits),
                                       active=True, created_at=now))
    session.flush()


def loyalty_program(session: Session) -> LoyaltyProgram | None:
    return session.get(LoyaltyProgram, 1)


def membership_plans(session: Session) -> list[MembershipPlan]:
    return list(session.exec(select(MembershipPlan).order_by(MembershipPlan.id)))
