"""The rewards catalog: what points buy and what a full stamp card gives (`loyalty rewards add|set|retire|list`).

Every reward is definite: an amount (`value_cents`), a percent (`value_bp`), or one named service (or
the cheapest line of a category) free. A reward may have a window, the location's local days from
`available_from` to `available_to` (both included; either end open), and a stock (`stock`, None: no
limit). Points buy a reward only inside its window and while its stock lasts: each code issued for
points takes one (`take`, under the reward row's lock: `SELECT ... FOR UPDATE` on PostgreSQL, the
writing transaction's `BEGIN IMMEDIATE` on SQLite), and voiding an unused one gives it back (`give_back`).

A full stamp card's reward is earned, not bought: the card gives it whatever its window or stock.
A retired reward (`retire`: inactive, `retired_at` set) is bought no more; codes already issued for it
stay valid. The stamp card's reward cannot be retired while the program gives it (choose another first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.money import format_percent
from salon_cli.core.permissions import Permission
from salon_cli.db.models import REWARD_KINDS, LoyaltyProgram, Reward, Service
from salon_cli.services.salon import audit, business_days, catalog
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

MAX_STOCK = 1_000_000


class _Unset:
    """`set` leaves a field as it is (None means "no limit" or "open-ended", not "unchanged")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


@dataclass(frozen=True)
class RewardView:
    """`value` is the stored figure (cents or basis points, by kind); the typed fields say which."""

    id: int
    name: str
    kind: str
    value: int
    value_cents: int | None  # discount_amount
    value_bp: int | None  # discount_pct
    percent: str | None  # discount_pct, as people read it: "12.5%"
    service_id: int | None  # free_service
    service: str | None
    category: str | None
    points: int
    available_from: date | None
    available_to: date | None
    stock: int | None
    active: bool
    retired_at: datetime | None


def view(session: Session, row: Reward) -> RewardView:
    service = session.get(Service, row.service_id) if row.service_id is not None else None
    pct = row.kind == "discount_pct"
    return RewardView(id=row.id or 0, name=row.name, kind=row.kind, value=row.value,
                      value_cents=row.value if row.kind == "discount_amount" else None,
                      value_bp=row.value if pct else None, percent=format_percent(row.value) if pct else None,
                      service_id=row.service_id, service=service.name if service is not None else None,
                      category=row.category, points=row.points_cost, available_from=row.available_from,
                      available_to=row.available_to, stock=row.stock, active=row.active, retired_at=row.retired_at)


def add_reward(session: Session, *, actor: Actor, location: LocationView, name: str, kind: str, points: int,
               value: int = 0, service: str | None = None, category: str | None = None,
               available_from: date | None = None, available_to: date | None = None,
               stock: int | None = None) -> RewardView:
    """`value` is cents for discount_amount, basis points for discount_pct; free_service names its
    service, or a category (the cheapest line of it on the ticket). `points` 0: a stamp card's reward,
    which points do not buy."""
    authorize(actor, Permission.program_manage)
    title = _name(name)
    if kind not in REWARD_KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(REWARD_KINDS)}")
    row = Reward(name=title, kind=kind, value=value, points_cost=_points(points), created_at=clock.now())
    _definite(session, location, row, value=value, service=service, category=category)
    _window(row, available_from, available_to)
    row.stock = _stock(stock)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="reward.add", entity="reward", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return view(session, row)


def set_reward(session: Session, *, actor: Actor, location: LocationView, reward_id: int, name: str | None = None,
               points: int | None = None, value: int | None = None, service: str | None = None,
               category: str | None = None, available_from: date | None | _Unset = UNSET,
               available_to: date | None | _Unset = UNSET, stock: int | None | _Unset = UNSET) -> RewardView:
    """Change a reward of the catalog (a manager's, audited). Codes already issued keep what they were
    issued for, except that a free-service code issued without a service follows its reward's.
    `available_from`, `available_to` and `stock` given as None clear the bound (UNSET: unchanged)."""
    authorize(actor, Permission.program_manage)
    row = _locked(session, reward_id)
    if row.retired_at is not None or not row.active:
        raise RuleViolation(f"reward {reward_id} ({row.name}) is retired: it cannot be changed",
                            hint="add a new one: salon loyalty rewards add NAME ...")
    before = audit.snapshot(row)
    if name is not None:
        row.name = _name(name)
    if points is not None:
        row.points_cost = _points(points)
    if value is not None or service is not None or category is not None:
        _definite(session, location, row, value=row.value if value is None else value,
                  service=service, category=category)
    _window(row, row.available_from if isinstance(available_from, _Unset) else available_from,
            row.available_to if isinstance(available_to, _Unset) else available_to)
    if not isinstance(stock, _Unset):
        row.stock = _stock(stock)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="reward.set", entity="reward", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return view(session, row)


def retire_reward(session: Session, *, actor: Actor, location: LocationView, reward_id: int) -> RewardView:
    """Take a reward out of the catalog for good (a manager's, audited): points buy it no more; codes
    already issued for it stay valid. The stamp card's own reward is refused: choose another first."""
    authorize(actor, Permission.program_manage)
    row = _locked(session, reward_id)
    if row.retired_at is not None or not row.active:
        when = f" on {row.retired_at.astimezone(location.tz):%Y-%m-%d}" if row.retired_at else ""
        raise RuleViolation(f"reward {reward_id} ({row.name}) is already retired{when}")
    prog = session.get(LoyaltyProgram, 1)
    if prog is not None and prog.stamps_reward_id == row.id:
        raise RuleViolation(f"reward {reward_id} ({row.name}) is what a full stamp card gives",
                            hint="choose another first: salon loyalty program set --stamps-reward REWARD_ID")
    before = audit.snapshot(row)
    row.active, row.retired_at = False, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="reward.retire", entity="reward", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return view(session, row)


def list_rewards(session: Session, *, include_inactive: bool = False, for_points: bool = False) -> list[RewardView]:
    """The catalog, cheapest first; `for_points`: only what points buy (not a stamp card's reward)."""
    query = select(Reward).order_by(col(Reward.points_cost), col(Reward.id))
    if not include_inactive:
        query = query.where(col(Reward.active).is_(True))
    if for_points:
        query = query.where(col(Reward.points_cost) > 0)
    return [view(session, r) for r in session.exec(query)]


# ----------------------------------------------------------------------------- buying one

def buyable(session: Session, location: LocationView, reward_id: int) -> Reward:
    """The reward, locked, that points may buy today: active, in its window, in stock (exit 1 else)."""
    row = session.get(Reward, reward_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"no reward {reward_id}", hint="see: salon loyalty rewards list")
    if row.retired_at is not None or not row.active:
        if row.retired_at is None:
            raise RuleViolation(f"{row.name} was retired: it can no longer be redeemed",
                                hint="see: salon loyalty rewards list")
        raise RuleViolation(f"{row.name} was retired on {row.retired_at.astimezone(location.tz):%Y-%m-%d}: it can no "
                            "longer be redeemed", hint="see: salon loyalty rewards list")
    if row.points_cost == 0:
        raise RuleViolation(f"{row.name} is a full stamp card's reward: points do not buy it")
    today = business_days.today(location)
    early = row.available_from is not None and today < row.available_from
    late = row.available_to is not None and today > row.available_to
    if early or late:  # a whole sentence for each window: the desk says each in its language
        start, end = row.available_from, row.available_to
        if start and end:
            raise RuleViolation(f"{row.name} can be redeemed from {start.isoformat()} to {end.isoformat()}; "
                                f"today is {today.isoformat()}")
        if start:
            raise RuleViolation(f"{row.name} can be redeemed from {start.isoformat()}; today is {today.isoformat()}")
        raise RuleViolation(f"{row.name} could be redeemed until {end.isoformat() if end else '-'}; "
                            f"today is {today.isoformat()}")
    if row.stock is not None and row.stock <= 0:
        raise RuleViolation(f"{row.name} is out of stock", hint="a manager adds more: salon loyalty rewards set "
                                                                f"{row.id} --stock N")
    return row


def take(session: Session, row: Reward) -> None:
    """One of a reward's stock for a code issued (the row is locked by `buyable`)."""
    if row.stock is not None:
        row.stock -= 1
        session.add(row)


def give_back(session: Session, reward_id: int | None) -> None:
    """A voided code's reward back in stock (a reward with no limit has nothing to give back)."""
    if reward_id is None:
        return
    row = session.get(Reward, reward_id, with_for_update=True, populate_existing=True)
    if row is not None and row.stock is not None:
        row.stock += 1
        session.add(row)




# ----------------------------------------------------------------------------- checks

def _locked(session: Session, reward_id: int) -> Reward:
    row = session.get(Reward, reward_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no reward {reward_id}", hint="see: salon loyalty rewards list --all")
    return row


def _name(text: str | None) -> str:
    title = " ".join((text or "").split())
    if not title or len(title) > 120:
        raise InvalidInput("a reward needs a name of 1 to 120 characters")
    return title


def _points(points: int) -> int:
    if not 0 <= points <= 100_000_000:
        raise InvalidInput("--points must be 0 (a stamp card's reward) or more")
    return points


def _stock(stock: int | None) -> int | None:
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        raise InvalidInput(f"--stock must be between 0 and {MAX_STOCK:,}", hint="--no-stock-limit for no limit")
    return stock


def _window(row: Reward, start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    row.available_from, row.available_to = start, end


def _definite(session: Session, location: LocationView, row: Reward, *, value: int, service: str | None,
              category: str | None) -> None:
    """What the reward is for, checked: an amount, a percent, or one service or category (exit 2 else)."""
    if row.kind == "discount_pct" and not 0 < value <= 10000:
        raise InvalidInput("a percent reward needs --value between 0% and 100%")
    if row.kind == "discount_amount" and value <= 0:
        raise InvalidInput("an amount reward needs --value more than zero")
    if row.kind != "free_service":
        if service or category:
            raise InvalidInput("--service and --category are for a free_service reward")
        row.value, row.service_id, row.category = value, None, None
        return
    if bool(service) == bool(category):
        raise InvalidInput("a free_service reward names its service or a category (one of them)",
                           hint="--service corte, or --category cuts: it pays at most that service's price")
    row.value = 0
    if service:
        row.service_id, row.category = catalog.find(session, Service, location, service).id, None
        return
    known = session.exec(select(Service.category).where(
        Service.location_id == location.id, sa.func.lower(Service.category) == (category or "").strip().lower())).first()
    if known is None:
        raise InvalidInput(f"no service is in category {category!r}", hint="see: salon service list")
    row.service_id, row.category = None, known
