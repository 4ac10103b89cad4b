"""`salon expire-points`: points whose time is up leave their cards.

At `as_of`, a lot expires when its `expires_at` (its age under `expiry_months`, fixed when it was
earned) has come, and every lot of a card expires when the card has been idle for
`expiry_inactivity_days`. Each card with points to expire gets one `expire` entry for the lots'
remaining points, the lots drop to zero and the cached balance falls by the same amount — so the
three stay equal (rule 2) — with one audit row per card.

Idempotent by the data: an expired lot has nothing left, so a second run (or a run at an earlier
`as_of`) finds nothing. Single-instance (`jobs.run`; a run while another holds the lock exits 4) and
job-logged. The cards are done in windows of ids, each window its own transaction with its cards
locked (PostgreSQL), so the desks are never held up for long and memory stays flat: the work reads
the live lots through the partial index `ix_loyalty_lot_due` (account, expiry; only lots with points
left), never the spent ones, and each of them once.

The same run marks pending referrals past their `expires_on` (each in its location's local day at
`as_of`) `expired` (`referrals.mark_expired`), in a last transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import LoyaltyAccount, LoyaltyEntry, LoyaltyLot, LoyaltyProgram
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import referrals
from salon_cli.services.salon import audit, jobs
from salon_cli.services.salon.actors import SYSTEM, Actor

JOB = "expire-points"
CHUNK = 2000


@dataclass
class ExpiryReport:
    as_of: datetime
    dry_run: bool
    accounts: int = 0
    points: int = 0
    lots: int = 0
    account_ids: list[int] = field(default_factory=list)
    referrals: int = 0  # pending referrals past their day, marked expired
    referral_ids: list[int] = field(default_factory=list)
    job_run_id: int | None = None


_SHOWN = 100


def _due_accounts(session: Session, prog: LoyaltyProgram, as_of: datetime, first: int, last: int) -> list[int]:
    """The cards with ids in [first, last] that have something to expire (by lot age, or idle too long).
    Both reads are index range scans of that window only (`ix_loyalty_lot_due`, the primary key), so a
    whole run reads each live lot once: its cost follows the live lots, not the history."""
    ids: set[int] = set(session.exec(
        select(LoyaltyLot.account_id).where(col(LoyaltyLot.account_id).between(first, last),
                                            col(LoyaltyLot.remaining) > 0, col(LoyaltyLot.expires_at) <= as_of)
        .distinct()).all())
    if prog.expiry_inactivity_days:
        idle = as_of - timedelta(days=prog.expiry_inactivity_days)
        ids.update(session.exec(
            select(LoyaltyAccount.id).where(col(LoyaltyAccount.id).between(first, last),
                                            col(LoyaltyAccount.last_activity_at) <= idle,
                                            col(LoyaltyAccount.points) > 0)).all())
    return sorted(i for i in ids if i is not None)


def _expire_chunk(session: Session, prog: LoyaltyProgram, as_of: datetime, ids: list[int], dry_run: bool,
                  report: ExpiryReport, actor: Actor = SYSTEM) -> None:
    accounts_t, lots_t = LoyaltyAccount.__table__, LoyaltyLot.__table__
    # the cards first, locked in id order (a desk holding one is waited for; desks lock the card first too)
    query = (sa.select(accounts_t.c.id, accounts_t.c.points, accounts_t.c.last_activity_at)
             .where(accounts_t.c.id.in_(ids)).order_by(accounts_t.c.id))
    accounts = {aid: (points, active) for aid, points, active in session.execute(
        query if dry_run else query.with_for_update()).all()}
    idle_before = as_of - timedelta(days=prog.expiry_inactivity_days) if prog.expiry_inactivity_days else None
    idle = [aid for aid, (_, active) in accounts.items() if idle_before is not None and active <= idle_before]
    due = sa.and_(lots_t.c.account_id.between(ids[0], ids[-1]), lots_t.c.account_id.in_(ids), lots_t.c.remaining > 0,
                  sa.or_(lots_t.c.expires_at <= as_of, lots_t.c.account_id.in_(idle)) if idle
                  else lots_t.c.expires_at <= as_of)
    per_account: dict[int, list[int]] = {}
    for account_id, lots, points in session.execute(
            sa.select(lots_t.c.account_id, sa.func.count(), sa.func.sum(lots_t.c.remaining)).where(due)
            .group_by(lots_t.c.account_id)).all():
        per_account[account_id] = [int(lots), int(points)]
    report.lots += sum(n for n, _ in per_account.values())
    report.accounts += len(per_account)
    report.points += sum(p for _, p in per_account.values())
    report.account_ids.extend(sorted(per_account)[: max(0, _SHOWN - len(report.account_ids))])
    if dry_run or not per_account:
        return
    now = clock.now()
    reason = f"expired at {as_of.isoformat(timespec='seconds')}"
    gone = sorted((aid, points) for aid, (_, points) in per_account.items())
    session.execute(sa.update(lots_t).where(due).values(remaining=0))
    session.execute(sa.insert(LoyaltyEntry.__table__), [
        {"account_id": aid, "kind": "expire", "points": -points, "stamps": 0, "reason": reason, "created_at": now}
        for aid, points in gone])
    session.execute(sa.update(accounts_t).where(accounts_t.c.id == sa.bindparam("aid"))
                    .values(points=accounts_t.c.points - sa.bindparam("gone"), updated_at=now),
                    [{"aid": aid, "gone": points} for aid, points in gone])
    audit.record_many(session, actor=actor, location_id=None, rows=[
        ("loyalty.expire", "loyalty_account", aid, {"points": accounts[aid][0]},
         {"points": accounts[aid][0] - points, "expired": points, "as_of": as_of.isoformat()})
        for aid, points in gone])


def expire(engine: Engine, *, as_of: datetime | None = None, dry_run: bool = False,
           actor: Actor = SYSTEM) -> ExpiryReport:
    at = as_of or clock.now()
    report = ExpiryReport(as_of=at, dry_run=dry_run)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        session = uow.session
        prog = session.get(LoyaltyProgram, 1)
        if prog is None:
            return _counts(report)
        low, high = session.exec(select(sa.func.min(LoyaltyAccount.id), sa.func.max(LoyaltyAccount.id))).one()
        for first in range(low or 0, (high or 0) + 1, CHUNK) if low is not None else ():
            ids = _due_accounts(session, prog, at, first, first + CHUNK - 1)
            if ids:
                _expire_chunk(session, prog, at, ids, dry_run, report, actor)
            if dry_run:
                uow.rollback()
            else:
                uow.commit()  # each window its own transaction: the cards it locked are free again
        gone = referrals.mark_expired(session, as_of=at, actor=actor, dry_run=dry_run)
        report.referrals, report.referral_ids = len(gone), gone[:_SHOWN]
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
        return _counts(report)

    if dry_run:
        with UnitOfWork(engine, write=False) as uow:
            work(uow)
        return report
    run = jobs.run(engine, job=JOB, location_id=None, work=work, run_by=actor.run_by)
    report.job_run_id = run.id
    return report


def _counts(report: ExpiryReport) -> dict[str, Any]:
    return {"accounts": report.accounts, "points": report.points, "lots": report.lots,
            "referrals": report.referrals, "as_of": report.as_of.isoformat()}
