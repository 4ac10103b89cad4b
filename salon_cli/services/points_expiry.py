"""`salon expire-points`: points whose time is up leave their cards.

At `as_of`, a lot expires when its `expires_at` (its age under `expiry_months`, fixed when it was
earned) has come, and every lot of a card expires when the card has been idle for
`expiry_inactivity_days`. Each card with points to expire gets one `expire` entry for the lots'
remaining points, the lots drop to zero and the cached balance falls by the same amount — so the
three stay equal (rule 2) — with one audit row per card.

Idempotent by the data: an expired lot has nothing left, so a second run (or a run at an earlier
`as_of`) finds nothing. Single-instance (`jobs.run`; a run while another holds the lock exits 4) and
job-logged. The cards are done in chunks ordered by id, each chunk its own transaction with its
cards locked (PostgreSQL), so the desks are never held up for long and memory stays flat: the work
reads the due lots through the partial index `ix_loyalty_lot_due`, never the spent ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import LoyaltyAccount, LoyaltyEntry, LoyaltyLot, LoyaltyProgram
from salon_cli.db.uow import UnitOfWork
from salon_cli.services import audit, jobs
from salon_cli.services.actors import SYSTEM

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
    job_run_id: int | None = None


_SHOWN = 100


def _due_accounts(session: Session, prog: LoyaltyProgram, as_of: datetime, after: int) -> list[int]:
    """The next chunk of card ids with something to expire (by lot age, or idle past the limit)."""
    ids: set[int] = set(session.exec(
        select(LoyaltyLot.account_id).where(col(LoyaltyLot.remaining) > 0, col(LoyaltyLot.expires_at) <= as_of,
                                            col(LoyaltyLot.account_id) > after)
        .group_by(LoyaltyLot.account_id).order_by(LoyaltyLot.account_id).limit(CHUNK)).all())
    if prog.expiry_inactivity_days:
        idle = as_of - timedelta(days=prog.expiry_inactivity_days)
        ids.update(session.exec(
            select(LoyaltyAccount.id).where(col(LoyaltyAccount.last_activity_at) <= idle,
                                            col(LoyaltyAccount.points) > 0, col(LoyaltyAccount.id) > after)
            .order_by(LoyaltyAccount.id).limit(CHUNK)).all())
    return sorted(i for i in ids if i is not None)[:CHUNK]


def _expire_chunk(session: Session, prog: LoyaltyProgram, as_of: datetime, ids: list[int], dry_run: bool,
                  report: ExpiryReport) -> None:
    accounts = {a.id: a for a in session.exec(select(LoyaltyAccount).where(col(LoyaltyAccount.id).in_(ids))
                                              .order_by(LoyaltyAccount.id).with_for_update())}
    idle_before = as_of - timedelta(days=prog.expiry_inactivity_days) if prog.expiry_inactivity_days else None
    idle = {i for i, a in accounts.items() if idle_before is not None and a.last_activity_at <= idle_before}
    due = col(LoyaltyLot.expires_at) <= as_of
    if idle:
        due = sa.or_(due, col(LoyaltyLot.account_id).in_(idle))
    lots = session.exec(select(LoyaltyLot.id, LoyaltyLot.account_id, LoyaltyLot.remaining)
                        .where(col(LoyaltyLot.account_id).in_(ids), col(LoyaltyLot.remaining) > 0, due)
                        .with_for_update()).all()
    per_account: dict[int, int] = defaultdict(int)
    for _, account_id, remaining in lots:
        per_account[account_id] += remaining
    report.lots += len(lots)
    report.accounts += len(per_account)
    report.points += sum(per_account.values())
    report.account_ids.extend(sorted(per_account)[: max(0, _SHOWN - len(report.account_ids))])
    if dry_run or not lots:
        return
    now = clock.now()
    reason = f"expired at {as_of.isoformat(timespec='seconds')}"
    lot_ids = [lot_id for lot_id, _, _ in lots]
    for start in range(0, len(lot_ids), 500):
        session.execute(sa.update(LoyaltyLot).where(col(LoyaltyLot.id).in_(lot_ids[start:start + 500]))
                        .values(remaining=0))
    session.execute(sa.insert(LoyaltyEntry.__table__), [
        {"account_id": account_id, "kind": "expire", "points": -points, "stamps": 0, "reason": reason,
         "created_at": now} for account_id, points in sorted(per_account.items())])
    session.execute(sa.update(LoyaltyAccount.__table__).where(LoyaltyAccount.__table__.c.id == sa.bindparam("aid"))
                    .values(points=LoyaltyAccount.__table__.c.points - sa.bindparam("gone"), updated_at=now),
                    [{"aid": account_id, "gone": points} for account_id, points in sorted(per_account.items())])
    audit.record_many(session, actor=SYSTEM, location_id=None, rows=[
        ("loyalty.expire", "loyalty_account", account_id, {"points": accounts[account_id].points},
         {"points": accounts[account_id].points - points, "expired": points, "as_of": as_of.isoformat()})
        for account_id, points in sorted(per_account.items())])


def expire(engine: Engine, *, as_of: datetime | None = None, dry_run: bool = False) -> ExpiryReport:
    at = as_of or clock.now()
    report = ExpiryReport(as_of=at, dry_run=dry_run)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        session = uow.session
        prog = session.get(LoyaltyProgram, 1)
        if prog is None:
            return _counts(report)
        after = 0
        while True:
            ids = _due_accounts(session, prog, at, after)
            if not ids:
                break
            _expire_chunk(session, prog, at, ids, dry_run, report)
            after = ids[-1]
            if dry_run:
                uow.rollback()
            else:
                uow.commit()  # each chunk its own transaction: the cards it locked are free again
        return _counts(report)

    if dry_run:
        with UnitOfWork(engine, write=False) as uow:
            work(uow)
        return report
    run = jobs.run(engine, job=JOB, location_id=None, work=work)
    report.job_run_id = run.id
    return report


def _counts(report: ExpiryReport) -> dict[str, Any]:
    return {"accounts": report.accounts, "points": report.points, "lots": report.lots,
            "as_of": report.as_of.isoformat()}
