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
    # the catalog reward a membership's `birthday_gift` gives each birthday (services.benefits.birthdays)
    birthday_gift_reward_id: int | None = None
    birthday_gift_reward: str | None = None


def show(session: Session) -> ProgramView:
    row = ledger.program(session)
    tiers = sorted(({**t, **_perks(t)} for t in row.tiers or []), key=lambda t: int(t["min_points"]))
    prize = session.get(Reward, row.stamps_reward_id) if row.stamps_reward_id is not None else None
    gift = session.get(Reward, row.birthday_gift_reward_id) if row.birthday_gift_reward_id is not None else None
    return ProgramView(**{f: getattr(row, f) for f in _FIELDS}, tiers=tiers,
                       stamps_reward=prize.name if prize is not None else None,
                       birthday_gift_reward_id=row.birthday_gift_reward_id,
                       birthday_gift_reward=gift.name if gift is not None else None)


def parse_tiers(text: str, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`bronze:0,silver:1000,gold:2500:1.5` -> tiers by lifetime points; a multiplier left out keeps the
    tier's current one (1x for a new tier), and a tier keeps its discount and priority by name (none for a
    new tier). The first tier starts at 0; thresholds rise."""
    known = {str(t["name"]): int(t.get("multiplier_bp", 10000)) for t in current}
    perks = {str(t["name"]): _perks(t) for t in current}
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
        tiers.append({"name": name, "min_points": int(bits[1]), "multiplier_bp": bp,
                      **perks.get(name, _perks({}))})
    if not tiers or tiers[0]["min_points"] != 0:
        raise InvalidInput("the first tier must start at 0 points")
    if any(b["min_points"] <= a["min_points"] for a, b in zip(tiers, tiers[1:])):
        raise InvalidInput("tier thresholds must rise from one tier to the next")
    if len({t["name"] for t in tiers}) != len(tiers):
        raise InvalidInput("tier names must differ")
    return tiers


def _perks(tier: dict[str, Any]) -> dict[str, Any]:
    """What a tier gives besides its multiplier: a discount on the client's sales (basis points) and
    priority booking (`services.benefits.priority`)."""
    return {"discount_bp": int(tier.get("discount_bp") or 0), "priority": bool(tier.get("priority"))}


MAX_TIER_DISCOUNT_BP = 5000  # a tier's discount: a whole percent, 0% (none) to 50%


def _tier_name(flag: str, text: str, tiers: list[dict[str, Any]], given: str | None = None) -> str:
    name = text.strip().lower()
    if name not in {str(t["name"]) for t in tiers}:
        raise InvalidInput(f"{flag} {(given or text).strip()!r}: there is no tier {name!r} "
                           f"(tiers: {', '.join(str(t['name']) for t in tiers)})")
    return name


def _named(flag: str, names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidInput(f"{flag} names {', '.join(twice)} twice")


def parse_tier_discounts(text: str, tiers: list[dict[str, Any]]) -> dict[str, int]:
    """`gold=5%,platinum=10%` -> {tier name: basis points}; `none` gives every tier none. The tiers
    not named get none: the option sets every tier's discount at once."""
    flag, given = "--tier-discount", (text or "").strip()
    if given.lower() == "none":
        return {}
    found: dict[str, int] = {}
    names: list[str] = []
    for part in given.split(","):
        name, eq, pct = part.partition("=")
        if not eq or not name.strip() or not pct.strip():
            raise InvalidInput(f"{flag} {part.strip()!r} is not TIER=PCT%",
                               hint="e.g. --tier-discount gold=5%,platinum=10%")
        tier = _tier_name(flag, name, tiers, part)
        try:
            value = Decimal(pct.strip().removesuffix("%").strip())
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value != value.to_integral_value() or not 0 <= value * 100 <= MAX_TIER_DISCOUNT_BP:
            raise InvalidInput(f"{flag} {part.strip()!r}: a tier's discount is a whole percent from 0% to "
                               f"{MAX_TIER_DISCOUNT_BP // 100}%")
        names.append(tier)
        found[tier] = int(value * 100)
    _named(flag, names)
    return {name: bp for name, bp in found.items() if bp}


def parse_tier_priority(text: str, tiers: list[dict[str, Any]]) -> set[str]:
    """`gold,platinum` -> the tiers that book with priority (the others do not); `none`: no tier."""
    flag, given = "--tier-priority", (text or "").strip()
    if given.lower() == "none":
        return set()
    if not given:
        raise InvalidInput(f"{flag} needs tier names or none", hint="e.g. --tier-priority gold,platinum")
    names = [_tier_name(flag, part, tiers) for part in given.split(",")]
    _named(flag, names)
    return set(names)


def client_tier(session: Session, client_id: int | None) -> dict[str, Any] | None:
    """The client's tier (by lifetime points, `ledger.tier_of`) with its perks, while the program is
    active and the client holds a card; None otherwise. What a tier's discount and priority read."""
    if client_id is None:
        return None
    prog = ledger.program(session)
    acct = ledger.account(session, client_id, lock=False) if prog.active else None
    if acct is None:
        return None
    tier = ledger.tier_of(prog, acct.lifetime_points)
    return {**tier, **_perks(tier)}


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


def _birthday_gift_reward(session: Session, text: str) -> int | None:
    """`--birthday-gift-reward REWARD_ID|none`: an active reward of the catalog that a membership's
    `birthday_gift` gives each birthday, as a code (no points spent); none: no gift."""
    ref = str(text).strip()
    if ref.lower() == "none":
        return None
    if not ref.isdigit():
        raise InvalidInput(f"--birthday-gift-reward {ref!r} is not a reward id or none",
                           hint="the gift is a reward of the catalog: salon loyalty rewards list --all")
    gift = session.get(Reward, int(ref))
    if gift is None or not gift.active:
        raise NotFound(f"no active reward {ref}", hint="see: salon loyalty rewards list --all")
    return gift.id


def update(session: Session, *, actor: Actor, location: LocationView, **changes: Any) -> ProgramView:
    """Change what is given (None: unchanged). `expiry_months` and `expiry_inactivity_days` exclude each
    other: setting one clears the other. Lots already earned keep the expiry they were given."""
    authorize(actor, Permission.program_manage)
    row = ledger.program(session)
    before = audit.snapshot(row)
    tiers = changes.pop("tiers", None)
    if tiers is not None:
        row.tiers = parse_tiers(tiers, list(row.tiers or []))
    discounts, priority = changes.pop("tier_discount", None), changes.pop("tier_priority", None)
    if discounts is not None or priority is not None:  # against the tiers as they now are
        now = [dict(t) for t in row.tiers or []]
        off = parse_tier_discounts(discounts, now) if discounts is not None else None
        first = parse_tier_priority(priority, now) if priority is not None else None
        row.tiers = [{**t, **_perks(t), **({"discount_bp": off.get(str(t["name"]), 0)} if off is not None else {}),
                      **({"priority": str(t["name"]) in first} if first is not None else {})} for t in now]
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
    gift = changes.pop("birthday_gift_reward", None)
    if gift is not None:  # none clears it
        row.birthday_gift_reward_id = _birthday_gift_reward(session, gift)
    for name, value in changes.items():
        if value is not None:
            setattr(row, name, value)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="loyalty.program", entity="loyalty_program", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return show(session)
