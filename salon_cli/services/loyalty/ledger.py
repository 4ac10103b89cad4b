"""The loyalty ledger: accounts, entries and lots (DESIGN.md, Loyalty; rules 2 and 3).

Every change goes through `post` (points in: a new lot; points out: taken from lots oldest first) or
the two targeted moves, `take_from_lot` (a refund voids the points of its own sale's lot) and
`give_back` (a voided redemption returns its points to the very lots they came from). Each moves the
account's cached `points`, the entries' sum and the lots' `remaining` together, in the caller's
transaction, after the account row is locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
writers are serialised by `BEGIN IMMEDIATE`). So two desks spending the last points of one card
cannot both succeed: the second waits for the first, then finds the balance gone.

Lifetime points (which set the tier) rise with every lot made and never fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import NotFound, RuleViolation
from salon_cli.db.models import Client, LoyaltyAccount, LoyaltyEntry, LoyaltyLot, LoyaltyLotUse, LoyaltyProgram
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.db.models import Redemption

# entries that bring new points make a lot; these also count towards lifetime points
LOT_KINDS = frozenset({"earn", "welcome", "referral", "adjust"})
# what counts as the client using the card (inactivity expiry looks at it)
ACTIVITY_KINDS = frozenset({"earn", "redeem", "welcome", "referral", "adjust", "stamp"})


def program(session: Session) -> LoyaltyProgram:
    row = session.get(LoyaltyProgram, 1)
    if row is None:
        raise NotFound("there is no loyalty program", hint="salon init creates it")
    return row


def tier_of(prog: LoyaltyProgram, lifetime: int) -> dict[str, Any]:
    """The highest tier whose threshold the lifetime points reach."""
    tiers = sorted(prog.tiers or [{"name": "bronze", "min_points": 0, "multiplier_bp": 10000}],
                   key=lambda t: int(t["min_points"]))
    best = tiers[0]
    for tier in tiers:
        if lifetime >= int(tier["min_points"]):
            best = tier
    return best


def account(session: Session, client_id: int, *, lock: bool = True) -> LoyaltyAccount | None:
    query = select(LoyaltyAccount).where(LoyaltyAccount.client_id == client_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def live_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client {client_id}", hint="find one: salon client search NAME")
    if client.merged_into_id is not None:
        raise RuleViolation(f"client {client_id} was merged into {client.merged_into_id}",
                            hint=f"use client {client.merged_into_id}")
    return client


@dataclass(frozen=True)
class Opened:
    account: LoyaltyAccount
    created: bool


def open_account(session: Session, client_id: int, *, location_id: int | None, now: datetime | None = None) -> Opened:
    """The client's account, locked; made first if there is none. Two desks enrolling the same client
    at once make one account (the insert does nothing on a conflict) and only the maker says so."""
    found = account(session, client_id)
    if found is not None:
        return Opened(found, False)
    live_client(session, client_id)
    at = now or clock.now()
    prog = program(session)
    values = {"client_id": client_id, "points": 0, "stamps": 0, "lifetime_points": 0,
              "tier": str(tier_of(prog, 0)["name"]), "enrolled_at": at, "enrolled_location_id": location_id,
              "last_activity_at": at, "updated_at": at}
    table = LoyaltyAccount.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect in use: its INSERT ... ON CONFLICT
    else:
        from sqlalchemy.dialects.sqlite import insert
    made = session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=["client_id"]))
    row = account(session, client_id)
    assert row is not None
    session.refresh(row)
    return Opened(row, bool(made.rowcount))


def entry_by_key(session: Session, key: str) -> LoyaltyEntry | None:
    return session.exec(select(LoyaltyEntry).where(LoyaltyEntry.key == key)).first()


def post(session: Session, acct: LoyaltyAccount, kind: str, *, points: int = 0, stamps: int = 0,
         actor: Actor, location_id: int | None, key: str | None = None, track_lots: bool = False,
         reason: str | None = None, now: datetime | None = None, **refs: Any) -> LoyaltyEntry:
    """Append one entry and keep the caches and lots in step. Positive points make a lot (with its
    expiry under the program); negative points are taken from the lots oldest first, refused beyond
    the balance. `track_lots` records which lots were used (a redemption, so a void can give them back)."""
    at = now or clock.now()
    if points < 0 and acct.points + points < 0:
        raise RuleViolation(f"the card has {acct.points} points, not {-points}")
    if stamps < 0 and acct.stamps + stamps < 0:
        raise RuleViolation(f"the card has {acct.stamps} stamps, not {-stamps}")
    row = LoyaltyEntry(account_id=acct.id or 0, kind=kind, points=points, stamps=stamps, key=key, reason=reason,
                       staff_id=actor.id, location_id=location_id, created_at=at, **refs)
    session.add(row)
    session.flush()
    if points > 0 and kind in LOT_KINDS:
        _new_lot(session, acct, row, points, at)
        acct.lifetime_points += points
        acct.tier = str(tier_of(program(session), acct.lifetime_points)["name"])
    elif points < 0:
        _take_oldest(session, acct, -points, row if track_lots else None)
    acct.points += points
    acct.stamps += stamps
    if kind in ACTIVITY_KINDS:
        acct.last_activity_at = max(acct.last_activity_at, at)
    acct.updated_at = at
    session.add(acct)
    session.flush()
    audit.record(session, actor=actor, action=f"loyalty.{kind}", entity="loyalty_account", entity_id=acct.id,
                 location_id=location_id, after={"entry_id": row.id, "points": points, "stamps": stamps,
                                                 "balance": acct.points, "stamps_on_card": acct.stamps,
                                                 **({"reason": reason} if reason else {}),
                                                 **{k: v for k, v in refs.items() if v is not None}})
    return row


def _new_lot(session: Session, acct: LoyaltyAccount, entry: LoyaltyEntry, points: int, at: datetime) -> None:
    prog = program(session)
    expires = at + relativedelta(months=prog.expiry_months) if prog.expiry_months else None
    session.add(LoyaltyLot(account_id=acct.id or 0, entry_id=entry.id or 0, earned=points, remaining=points,
                           earned_at=at, expires_at=expires))


def open_lots(session: Session, account_id: int) -> list[LoyaltyLot]:
    """The lots with points left, oldest first (the order they are spent and expire in)."""
    return list(session.exec(select(LoyaltyLot).where(LoyaltyLot.account_id == account_id,
                                                      col(LoyaltyLot.remaining) > 0)
                             .order_by(col(LoyaltyLot.earned_at), col(LoyaltyLot.id)).with_for_update()))


def _take_oldest(session: Session, acct: LoyaltyAccount, points: int, entry: LoyaltyEntry | None) -> None:
    left = points
    for lot in open_lots(session, acct.id or 0):
        if left <= 0:
            break
        take = min(lot.remaining, left)
        lot.remaining -= take
        left -= take
        session.add(lot)
        if entry is not None:
            session.add(LoyaltyLotUse(entry_id=entry.id or 0, lot_id=lot.id or 0, points=take))
    if left > 0:  # the cache said there was enough: the ledger disagrees, so stop rather than drift
        raise RuntimeError(f"loyalty account {acct.id}: lots hold {points - left} points, the card says {acct.points}")
    session.flush()


def take_from_lot(session: Session, acct: LoyaltyAccount, lot: LoyaltyLot, points: int, kind: str, *,
                  actor: Actor, location_id: int | None, key: str, reason: str, **refs: Any) -> LoyaltyEntry | None:
    """Remove up to `points` from one lot (never more than it still holds): a refund voiding its sale's
    points. None when nothing is left to take."""
    take = min(points, lot.remaining)
    if take <= 0:
        return None
    at = clock.now()
    row = LoyaltyEntry(account_id=acct.id or 0, kind=kind, points=-take, key=key, reason=reason,
                       staff_id=actor.id, location_id=location_id, created_at=at, **refs)
    session.add(row)
    lot.remaining -= take
    acct.points -= take
    acct.updated_at = at
    session.add_all([lot, acct])
    session.flush()
    audit.record(session, actor=actor, action=f"loyalty.{kind}", entity="loyalty_account", entity_id=acct.id,
                 location_id=location_id, after={"entry_id": row.id, "points": -take, "balance": acct.points,
                                                 "reason": reason, **{k: v for k, v in refs.items() if v is not None}})
    return row


def give_back(session: Session, acct: LoyaltyAccount, spent: LoyaltyEntry, *, actor: Actor,
              location_id: int | None, key: str, reason: str, stamps: int = 0, **refs: Any) -> LoyaltyEntry:
    """Reverse a redemption: its points go back to the very lots they were taken from (a lot past its
    expiry is expired again by the next expire-points run)."""
    uses = session.exec(select(LoyaltyLotUse).where(LoyaltyLotUse.entry_id == spent.id)).all()
    total = sum(u.points for u in uses)
    at = clock.now()
    row = LoyaltyEntry(account_id=acct.id or 0, kind="void", points=total, stamps=stamps, key=key, reason=reason,
                       reverses_id=spent.id, staff_id=actor.id, location_id=location_id, created_at=at, **refs)
    session.add(row)
    for use in uses:
        session.execute(sa.update(LoyaltyLot).where(col(LoyaltyLot.id) == use.lot_id)
                        .values(remaining=LoyaltyLot.remaining + use.points))
    acct.points += total
    acct.stamps += stamps
    acct.updated_at = at
    session.add(acct)
    session.flush()
    audit.record(session, actor=actor, action="loyalty.void", entity="loyalty_account", entity_id=acct.id,
                 location_id=location_id, after={"entry_id": row.id, "points": total, "stamps": stamps,
                                                 "balance": acct.points, "reverses": spent.id, "reason": reason})
    return row


def merge_accounts(session: Session, keep_id: int, dup_id: int) -> int:
    """A duplicate client's card joins the kept client's: with no card of its own the kept client takes
    it whole; with both, the duplicate's entries, lots and codes move over and the caches are the sums
    (lifetime points add up, the tier follows). Referrals of the duplicate point at the kept client."""
    session.execute(sa.update(LoyaltyAccount).where(col(LoyaltyAccount.referred_by_id) == dup_id)
                    .values(referred_by_id=keep_id))
    dup = account(session, dup_id)
    if dup is None:
        return 0
    keep = account(session, keep_id)
    if keep is None:
        dup.client_id = keep_id
        session.add(dup)
        session.flush()
        return 1

    for model in (LoyaltyEntry, LoyaltyLot, Redemption):
        session.execute(sa.update(model).where(col(model.account_id) == dup.id).values(account_id=keep.id))
    keep.points += dup.points
    keep.stamps += dup.stamps
    keep.lifetime_points += dup.lifetime_points
    keep.tier = str(tier_of(program(session), keep.lifetime_points)["name"])
    keep.last_activity_at = max(keep.last_activity_at, dup.last_activity_at)
    if dup.last_stamp_at is not None and (keep.last_stamp_at is None or dup.last_stamp_at > keep.last_stamp_at):
        keep.last_stamp_at = dup.last_stamp_at
    if keep.referred_by_id is None and dup.referred_by_id not in (None, keep_id):
        keep.referred_by_id = dup.referred_by_id
    keep.updated_at = clock.now()
    session.add(keep)
    session.flush()
    session.delete(dup)
    session.flush()
    return 1


def check(session: Session, account_id: int) -> dict[str, int]:
    """The three figures rule 2 keeps equal (tests and `salon loyalty card --check` read them)."""
    acct = session.get(LoyaltyAccount, account_id)
    assert acct is not None
    entries = session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0),
                                  sa.func.coalesce(sa.func.sum(LoyaltyEntry.stamps), 0))
                           .where(LoyaltyEntry.account_id == account_id)).one()
    lots = session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyLot.remaining), 0))
                        .where(LoyaltyLot.account_id == account_id)).one()
    return {"cached": acct.points, "entries": int(entries[0]), "lots": int(lots), "stamps": acct.stamps,
            "entry_stamps": int(entries[1]), "lifetime": acct.lifetime_points}
