"""Redemption codes and stamps (the catalog itself is `reward_catalog`, whose names this module still offers).

`redeem` spends a card's points on a reward and issues a code (8 characters from an alphabet without
look-alikes, `K7QM-3XPD`: about 40 bits, short enough to read aloud, far too many to guess at a desk).
The code is used once, at checkout, as a `points` payment (`use`): the payment's unique
`redemption_id` makes "once" a constraint. An unused code can be voided: its points go back to the
very lots they came from, and the reward's stock gets its one back. Points buy a reward only inside
its window and while its stock lasts (`reward_catalog.buyable`, which locks the reward's row).

A stamp obeys the program's anti-fraud rules: a cooldown between two stamps of one card, a cap per
business day, and the staff member's PIN when the program asks for it. The card's row is locked
before those checks, so two desks stamping the same card in the same second are served one after
the other and the second is refused. A full card issues the stamp reward as a code and starts over.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import day_bounds
from salon_cli.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.core.money import percent_of
from salon_cli.core.permissions import Permission
from salon_cli.db.models import LoyaltyAccount, LoyaltyEntry, Redemption, Reward, Sale, SaleLine, Service
from salon_cli.services.salon import business_days
from salon_cli.services.loyalty import cards as loyalty
from salon_cli.services.loyalty import ledger, reward_catalog
from salon_cli.services.loyalty.reward_catalog import RewardView, add_reward, list_rewards, retire_reward, set_reward
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

__all__ = ["RedemptionView", "RewardView", "StampResult", "add_reward", "find", "list_rewards", "new_code",
           "normalise", "redeem", "retire_reward", "set_reward", "stamp", "use", "void"]

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class RedemptionView:
    id: int
    code: str
    client_id: int
    reward_id: int | None
    description: str
    kind: str
    value: int
    points: int
    status: str
    issued_at: datetime
    used_at: datetime | None
    sale_id: int | None
    balance: int


def _redemption_view(session: Session, row: Redemption) -> RedemptionView:
    acct = session.get(LoyaltyAccount, row.account_id)
    assert acct is not None
    return RedemptionView(id=row.id or 0, code=row.code, client_id=acct.client_id, reward_id=row.reward_id,
                          description=row.description, kind=row.kind, value=row.value, points=row.points,
                          status=row.status, issued_at=row.issued_at, used_at=row.used_at, sale_id=row.sale_id,
                          balance=acct.points)


# ----------------------------------------------------------------------------- codes

def new_code() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def normalise(code: str) -> str:
    body = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(body) != 8 or any(ch not in _ALPHABET for ch in body):
        raise InvalidInput(f"{code!r} is not a redemption code", hint="codes look like K7QM-3XPD")
    return f"{body[:4]}-{body[4:]}"


def _unique_code(session: Session) -> str:
    while True:
        code = new_code()
        if session.exec(select(Redemption.id).where(Redemption.code == code)).first() is None:
            return code


def find(session: Session, code: str, *, lock: bool = False) -> Redemption:
    query = select(Redemption).where(Redemption.code == normalise(code))
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no redemption code {normalise(code)}")
    return row


def redeem(session: Session, *, actor: Actor, location: LocationView, client_id: int, reward_id: int) -> RedemptionView:
    """Spend points on a reward: the points leave the oldest lots now; the code is used at checkout."""
    authorize(actor, Permission.desk)
    business_days.ensure_today_open(session, location, "a redemption")
    prog = loyalty._points_program(session)
    reward = reward_catalog.buyable(session, location, reward_id)  # locked: its stock is taken below
    acct = ledger.account(session, client_id)
    if acct is None:
        ledger.live_client(session, client_id)
        raise RuleViolation(f"client {client_id} has no loyalty card", hint=f"salon loyalty enroll {client_id}")
    if acct.points < prog.min_redemption:
        raise RuleViolation(f"the card has {acct.points} points; redeeming starts at {prog.min_redemption}")
    if acct.points < reward.points_cost:
        raise RuleViolation(f"{reward.name} costs {reward.points_cost} points; the card has {acct.points}")
    row = Redemption(code=_unique_code(session), account_id=acct.id or 0, reward_id=reward.id,
                     description=reward.name, kind=reward.kind, value=reward.value, service_id=reward.service_id,
                     category=reward.category, points=reward.points_cost, location_id=location.id,
                     issued_at=clock.now(), issued_by_id=actor.id)
    reward_catalog.take(session, reward)
    session.add(row)
    session.flush()
    ledger.post(session, acct, "redeem", points=-reward.points_cost, actor=actor, location_id=location.id,
                key=f"redeem:redemption:{row.id}", track_lots=True, redemption_id=row.id, reason=reward.name)
    return _redemption_view(session, row)


def void(session: Session, *, actor: Actor, location: LocationView, code: str, reason: str | None = None) -> RedemptionView:
    """An unused code is cancelled; its points (or a stamp card's stamps) come back, and a code bought
    with points gives its reward's stock its one back (locked before the card, as `redeem` locks them)."""
    authorize(actor, Permission.desk)
    business_days.ensure_today_open(session, location, "voiding a code")
    row = find(session, code, lock=True)
    if row.status != "issued":
        raise RuleViolation(f"code {row.code} is {row.status}: only an unused code can be voided")
    if row.points > 0:  # bought with points (a stamp card's code took no stock)
        reward_catalog.give_back(session, row.reward_id)
    acct = session.exec(select(LoyaltyAccount).where(LoyaltyAccount.id == row.account_id).with_for_update()).one()
    spent = session.exec(select(LoyaltyEntry).where(LoyaltyEntry.redemption_id == row.id,
                                                    col(LoyaltyEntry.kind).in_(("redeem", "stamp_reward")))).one()
    now = clock.now()
    row.status, row.voided_at, row.voided_by_id = "voided", now, actor.id
    row.void_reason = loyalty._reason(reason)
    session.add(row)
    session.flush()
    ledger.give_back(session, acct, spent, actor=actor, location_id=location.id, key=f"restore:redemption:{row.id}",
                     reason=f"code {row.code} voided" + (f": {row.void_reason}" if row.void_reason else ""),
                     stamps=-spent.stamps, redemption_id=row.id)
    return _redemption_view(session, row)


def use(session: Session, *, location: LocationView, sale: Sale, code: str, due_cents: int) -> tuple[Redemption, int]:
    """Mark a code used on a sale and say how much of it the reward pays (the caller records that as a
    `points` payment). The code must be the sale's client's."""
    row = find(session, code, lock=True)
    if row.status != "issued":
        raise RuleViolation(f"code {row.code} is {row.status}" + (f" (sale {row.sale_id})" if row.sale_id else ""))
    acct = session.get(LoyaltyAccount, row.account_id)
    assert acct is not None
    if sale.client_id != acct.client_id:
        raise RuleViolation(f"code {row.code} belongs to client {acct.client_id}, not to this sale's client")
    amount = min(_worth(session, row, sale), due_cents)
    if amount <= 0:
        raise RuleViolation(f"code {row.code} ({row.description}) pays nothing on sale {sale.id}")
    row.status, row.used_at, row.sale_id = "used", clock.now(), sale.id
    session.add(row)
    session.flush()
    return row, amount


def _worth(session: Session, row: Redemption, sale: Sale) -> int:
    """What the code pays on this sale: its amount, its percent of what was bought, or the price on
    the ticket of its service (the cheapest line of its category). A code matching no line is refused."""
    if row.kind == "discount_amount":
        return row.value
    if row.kind == "discount_pct":  # of what was bought: services and products, not fees or gift cards
        bought = session.exec(select(sa.func.coalesce(sa.func.sum(SaleLine.total_cents), 0))
                              .where(SaleLine.sale_id == sale.id, col(SaleLine.kind).in_(loyalty.EARNING_LINES))).one()
        return percent_of(int(bought), row.value)
    service_id, category = row.service_id, row.category
    if service_id is None and category is None and row.reward_id is not None:
        reward = session.get(Reward, row.reward_id)  # issued before its reward named a service
        service_id, category = (reward.service_id, reward.category) if reward is not None else (None, None)
    if service_id is None and category is None:
        raise RuleViolation(f"code {row.code} ({row.description}) names no service, so it pays nothing",
                            hint=f"a manager names it: salon loyalty rewards set {row.reward_id or 'ID'} --service S")
    query = select(SaleLine).join(Service, col(Service.id) == col(SaleLine.service_id)).where(
        SaleLine.sale_id == sale.id, SaleLine.kind == "service")
    if service_id is not None:
        query, wanted = query.where(SaleLine.service_id == service_id), _service_name(session, service_id)
    else:
        query, wanted = query.where(sa.func.lower(Service.category) == (category or "").lower()), f"a {category} service"
    lines = session.exec(query).all()
    if not lines:
        raise RuleViolation(f"code {row.code} ({row.description}) is for {wanted}: sale {sale.id} has none",
                            hint="add that service to the ticket, or keep the code for a visit that has it")
    return min(line.total_cents // line.quantity for line in lines)


def _service_name(session: Session, service_id: int) -> str:
    found = session.get(Service, service_id)
    return found.name if found is not None else f"service {service_id}"


# ----------------------------------------------------------------------------- stamps

@dataclass(frozen=True)
class StampResult:
    client_id: int
    stamps: int
    stamps_target: int
    stamped_at: datetime
    reward_code: str | None
    reward: str | None
    next_stamp_at: datetime


def stamp(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> StampResult:
    authorize(actor, Permission.desk)
    business_days.ensure_today_open(session, location, "a stamp")
    prog = loyalty._program_on(session)
    if prog.type == "points":
        raise RuleViolation("the loyalty program collects points, not stamps",
                            hint="salon loyalty program set --type hybrid")
    if prog.require_pin and not actor.verified and not actor.is_system:
        raise NotPermitted("a stamp needs the staff member's PIN", hint="pass --pin (or set SALON_PIN)")
    prize = session.get(Reward, prog.stamps_reward_id) if prog.stamps_reward_id is not None else None
    if prize is None:
        raise RuleViolation("the stamp card has no reward yet",
                            hint="a manager chooses one of the catalog: salon loyalty program set --stamps-reward REWARD_ID")
    acct = loyalty.ensure_account(session, client_id, actor=actor, location=location)
    now = clock.now()
    start, end = day_bounds(business_days.today(location), location.tz)
    today = session.exec(select(sa.func.count()).select_from(LoyaltyEntry).where(
        LoyaltyEntry.account_id == acct.id, LoyaltyEntry.kind == "stamp",
        col(LoyaltyEntry.created_at) >= start, col(LoyaltyEntry.created_at) < end)).one()
    capped = prog.max_daily_stamps > 0 and today >= prog.max_daily_stamps
    next_day = _local(end, location)
    if acct.last_stamp_at is not None and prog.cooldown_minutes > 0:
        ready = acct.last_stamp_at + timedelta(minutes=prog.cooldown_minutes)
        if now < ready:  # when the daily limit is reached too, the later of the two is the one to tell
            stamped = _local(acct.last_stamp_at, location)
            if capped and end > ready:
                raise RuleViolation(f"client {client_id} was stamped at {stamped} and has had {today} "
                                    f"stamp{'s' if today != 1 else ''} today, the daily limit: the next stamp is "
                                    f"allowed from {next_day}")
            raise RuleViolation(f"client {client_id} was stamped at {stamped}: the next stamp is allowed at "
                                f"{_local(ready, location)} ({prog.cooldown_minutes} min cooldown)")
    if capped:
        raise RuleViolation(f"client {client_id} has had {today} stamp{'s' if today != 1 else ''} today, the daily "
                            f"limit: the next stamp is allowed from {next_day}")
    ledger.post(session, acct, "stamp", stamps=1, actor=actor, location_id=location.id, reason="stamp", now=now)
    acct.last_stamp_at = now
    session.add(acct)
    code = None
    if acct.stamps >= prog.stamps_target > 0:
        given = Redemption(code=_unique_code(session), account_id=acct.id or 0, reward_id=prize.id,
                           description=prize.name, kind=prize.kind, value=prize.value, service_id=prize.service_id,
                           category=prize.category, points=0, location_id=location.id, issued_at=now,
                           issued_by_id=actor.id)
        session.add(given)
        session.flush()
        ledger.post(session, acct, "stamp_reward", stamps=-prog.stamps_target, actor=actor, location_id=location.id,
                    key=f"stamp_reward:redemption:{given.id}", redemption_id=given.id, reason=prize.name, now=now)
        code = given.code
    session.flush()
    nxt = max(now + timedelta(minutes=prog.cooldown_minutes),
              end if prog.max_daily_stamps > 0 and today + 1 >= prog.max_daily_stamps else now)
    return StampResult(client_id=client_id, stamps=acct.stamps, stamps_target=prog.stamps_target, stamped_at=now,
                       reward_code=code, reward=prize.name if code else None, next_stamp_at=nxt)


def _local(instant: datetime, location: LocationView) -> str:
    here = instant.astimezone(location.tz)
    today = clock.now().astimezone(location.tz).date()
    return here.strftime("%H:%M") if here.date() == today else here.strftime("%Y-%m-%d %H:%M")
