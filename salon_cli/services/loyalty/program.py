"""`salon loyalty program show | set`: the business's one program (a manager's change, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Reward
from salon_cli.services.salon import audit
from salon_cli.services.loyalty import ledger
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

TYPES = ("stamps", "points", "hybrid")
_FIELDS = ("type", "stamps_target", "stamps_reward_id", "points_per_unit", "min_purchase_cents", "welcome_bonus",
           "referral_bonus", "min_redemption", "expiry_months", "expiry_inactivity_days", "cooldown_minutes",
           "max_daily_stamps", "require_pin", "active")


@dataclass(frozen=True)
class ProgramView:
    type: str
    stamps_target: int
    stamps_reward_id: int | None
    points_per_unit: int
    min_purchase_cents: int
    welcome_bonus: int
    referral_bonus: int
    min_redemption: int
    expiry_months: int | None
    expiry_inactivity_days: int | None
    cooldown_minutes: int
    max_daily_stamps: int
    require_pin: bool
    tiers: list[dict[str, Any]]
    active: bool
    stamps_reward: str | None  # the name of the catalog reward a full card gives


def show(session: Session) -> ProgramView:
    row = ledger.program(session)
    tiers = sorted((dict(t) for t in row.tiers or []), key=lambda t: int(t["min_points"]))
    prize = session.get(Reward, row.stamps_reward_id) if row.stamps_reward_id is not None else None
    return ProgramView(**{f: getattr(row, f) for f in _FIELDS}, tiers=tiers,
                       stamps_reward=prize.name if prize is not None else None)


def parse_tiers(text: str, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`bronze:0,silver:1000,gold:2500:1.5` -> tiers by lifetime points; a multiplier left out keeps the
    tier's current one (1x for a new tier). The first tier starts at 0; thresholds rise."""
    known = {str(t["name"]): int(t.get("multiplier_bp", 10000)) for t in current}
    tiers: list[dict[str, Any]] = []
    for part in (p.strip() for p in (text or "").split(",")):
        bits = [b.strip() for b in part.split(":")]
        if len(bits) not in (2, 3) or not bits[0] or not bits[1].isdigit():
            raise InvalidInput(f"tier {part!r} is not NAME:MIN_POINTS[:MULTIPLIER]",
                               hint="e.g. --tiers bronze:0,silver:1000,gold:2500:1.5,platinum:5000:2")
        name = bits[0].lower()
        bp = known.get(name, 10000)
        if len(bits) == 3:
            try:
                factor = Decimal(bits[2].removesuffix("x"))
            except InvalidOperation:
                raise InvalidInput(f"tier {part!r}: multiplier {bits[2]!r} is not a number") from None
            if not factor.is_finite() or not Decimal(1) <= factor <= Decimal(10) or factor * 10000 % 1:
                raise InvalidInput(f"tier {part!r}: the multiplier must be between 1 and 10, at most 4 decimals")
            bp = int(factor * 10000)
        tiers.append({"name": name, "min_points": int(bits[1]), "multiplier_bp": bp})
    if not tiers or tiers[0]["min_points"] != 0:
        raise InvalidInput("the first tier must start at 0 points")
    if any(b["min_points"] <= a["min_points"] for a, b in zip(tiers, tiers[1:])):
        raise InvalidInput("tier thresholds must rise from one tier to the next")
    if len({t["name"] for t in tiers}) != len(tiers):
        raise InvalidInput("tier names must differ")
    return tiers


def _stamps_reward(session: Session, text: str | int) -> int:
    """`--stamps-reward REWARD_ID`: an active reward of the catalog, never free text (a reward is
    something definite: an amount, a percent, or a named service)."""
    ref = str(text).strip()
    if not ref.isdigit():
        raise InvalidInput(f"--stamps-reward {ref!r} is not a reward id",
                           hint="a full card gives a reward of the catalog: salon loyalty rewards list --all "
                                "(or add one: loyalty rewards add NAME --points 0 --kind free_service --service S)")
    prize = session.get(Reward, int(ref))
    if prize is None or not prize.active:
        raise NotFound(f"no active reward {ref}", hint="see: salon loyalty rewards list --all")
    return prize.id or 0


def update(session: Session, *, actor: Actor, location: LocationView, **changes: Any) -> ProgramView:
    """Change what is given (None: unchanged). `expiry_months` and `expiry_inactivity_days` exclude each
    other: setting one clears the other. Lots already earned keep the expiry they were given."""
    authorize(actor, Permission.program_manage)
    row = ledger.program(session)
    before = audit.snapshot(row)
    tiers = changes.pop("tiers", None)
    if tiers is not None:
        row.tiers = parse_tiers(tiers, list(row.tiers or []))
    kind = changes.get("type")
    if kind is not None and kind not in TYPES:
        raise InvalidInput(f"--type {kind!r} is not one of {', '.join(TYPES)}")
    for name in ("stamps_target", "points_per_unit", "min_purchase_cents", "welcome_bonus", "referral_bonus",
                 "min_redemption", "cooldown_minutes", "max_daily_stamps"):
        value = changes.get(name)
        if value is not None and not 0 <= value <= 100_000_000:
            raise InvalidInput(f"--{name.replace('_cents', '').replace('_', '-')} must be 0 or more")
    if changes.get("stamps_target") == 0:
        raise InvalidInput("--stamps-target must be at least 1")
    if changes.get("expiry_months") is not None and changes.get("expiry_inactivity_days") is not None:
        raise InvalidInput("give --expiry-months or --expiry-inactivity-days, not both")
    for name in ("expiry_months", "expiry_inactivity_days"):
        value = changes.get(name)
        if value is not None and value < 0:
            raise InvalidInput(f"--{name.replace('_', '-')} must be 0 (never) or more")
    if changes.get("expiry_months") is not None:
        row.expiry_months, row.expiry_inactivity_days = changes.pop("expiry_months") or None, None
        changes.pop("expiry_inactivity_days", None)
    elif changes.get("expiry_inactivity_days") is not None:
        row.expiry_inactivity_days, row.expiry_months = changes.pop("expiry_inactivity_days") or None, None
        changes.pop("expiry_months", None)
    reward = changes.pop("stamps_reward", None)
    if reward is not None:
        changes["stamps_reward_id"] = _stamps_reward(session, reward)
    for name, value in changes.items():
        if value is not None:
            setattr(row, name, value)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="loyalty.program", entity="loyalty_program", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return show(session)
