"""Membership plans: one set for the whole business (seeded Gold, Black and VIP by `services.salon.programs`),
sold at every location. Managers add and change them (`Permission.program_manage`).

A plan carries a monthly price (the location's minor units), monthly credits (one pays for one
service), a discount on the member's sales (basis points) and benefits from a known set that gate
features (`photo_gallery` opens the client's photo gallery). A change applies to subscribers from
their next period (price, credits) or at once (discount, benefits); a deactivated plan is no longer
sold, and its subscribers keep renewing on it until they cancel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import check_code
from salon_cli.core.errors import Conflict, InvalidInput, NotFound
from salon_cli.core.permissions import Permission
from salon_cli.db.models import MembershipPlan
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

TIERS = ("gold", "black", "vip")
BENEFITS = ("photo_gallery", "priority_booking", "birthday_gift")
_MAX_CREDITS = 1000


@dataclass(frozen=True)
class PlanView:
    id: int
    code: str
    name: str
    tier: str
    monthly_price_cents: int
    monthly_credits: int
    discount_bp: int
    benefits: list[str]
    active: bool

    @classmethod
    def of(cls, row: MembershipPlan) -> PlanView:
        return cls(id=row.id or 0, code=row.code, name=row.name, tier=row.tier,
                   monthly_price_cents=row.monthly_price_cents, monthly_credits=row.monthly_credits,
                   discount_bp=row.discount_bp, benefits=list(row.benefits or []), active=row.active)


def check_benefits(names: Iterable[str]) -> list[str]:
    """Known benefits only (exit 2 otherwise), each once, in the order given."""
    found: list[str] = []
    for name in names:
        benefit = name.strip().lower().replace("-", "_")
        if benefit not in BENEFITS:
            raise InvalidInput(f"benefit {name!r} is not one of {', '.join(BENEFITS)}")
        if benefit not in found:
            found.append(benefit)
    return found

def _check_plan(*, name: str | None = None, tier: str | None = None, price_cents: int | None = None,
                credits: int | None = None, discount_bp: int | None = None) -> None:
    if name is not None and not name.strip():
        raise InvalidInput("the plan name is empty")
    if name is not None and len(name.strip()) > 64:
        raise InvalidInput("the plan name is longer than 64 characters")
    if tier is not None and tier not in TIERS:
        raise InvalidInput(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    if price_cents is not None and price_cents < 0:
        raise InvalidInput("a plan's price must not be negative")
    if credits is not None and not 0 <= credits <= _MAX_CREDITS:
        raise InvalidInput(f"credits must be between 0 and {_MAX_CREDITS} a month")
    if discount_bp is not None and not 0 <= discount_bp <= 10000:
        raise InvalidInput("a discount must be between 0% and 100%")

def find_plan(session: Session, code: str, *, lock: bool = False) -> MembershipPlan:
    query = select(MembershipPlan).where(MembershipPlan.code == (code or "").strip().lower())
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no membership plan {code!r}", hint="see: salon membership plans")
    return row

def list_plans(session: Session, *, include_inactive: bool = True) -> list[PlanView]:
    query = select(MembershipPlan).order_by(col(MembershipPlan.monthly_price_cents), col(MembershipPlan.id))
    if not include_inactive:
        query = query.where(col(MembershipPlan.active))
    return [PlanView.of(r) for r in session.exec(query)]

def add_plan(session: Session, *, actor: Actor, location: LocationView, code: str, name: str, tier: str,
             price_cents: int, credits: int = 0, discount_bp: int = 0, benefits: Iterable[str] = ()) -> PlanView:
    """A new plan, sold at every location (manager)."""
    authorize(actor, Permission.program_manage)
    code = check_code(code, what="plan code")
    tier = (tier or "").strip().lower()
    _check_plan(name=name, tier=tier, price_cents=price_cents, credits=credits, discount_bp=discount_bp)
    perks = check_benefits(benefits)
    if session.exec(select(MembershipPlan.id).where(MembershipPlan.code == code)).first() is not None:
        raise Conflict(f"plan {code!r} exists already", hint=f"change it: salon membership plan set {code} ...")
    row = MembershipPlan(code=code, tier=tier, name=name.strip(), monthly_price_cents=price_cents,
                         monthly_credits=credits, discount_bp=discount_bp, benefits=perks, active=True,
                         created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="membership_plan.add", entity="membership_plan", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return PlanView.of(row)

def update_plan(session: Session, *, actor: Actor, location: LocationView, code: str, name: str | None = None,
                price_cents: int | None = None, credits: int | None = None, discount_bp: int | None = None,
                benefits: Iterable[str] | None = None, active: bool | None = None) -> PlanView:
    """Change what is given (None: unchanged; `benefits` replaces the list). Manager."""
    authorize(actor, Permission.program_manage)
    if all(v is None for v in (name, price_cents, credits, discount_bp, benefits, active)):
        raise InvalidInput("nothing to change", hint="e.g. salon membership plan set gold --price 550")
    _check_plan(name=name, price_cents=price_cents, credits=credits, discount_bp=discount_bp)
    perks = check_benefits(benefits) if benefits is not None else None
    row = find_plan(session, code, lock=True)
    before = audit.snapshot(row)
    changes: dict[str, Any] = {"name": name.strip() if name is not None else None,
                               "monthly_price_cents": price_cents, "monthly_credits": credits,
                               "discount_bp": discount_bp, "benefits": perks, "active": active}
    for field, value in changes.items():
        if value is not None:
            setattr(row, field, value)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="membership_plan.set", entity="membership_plan", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return PlanView.of(row)

