"""The loyalty report. The program is business-wide, so its figures are chain-wide: entries of every
location whose `created_at` falls in the business days `first..last` of the location asking (its zone).

Flows in the period, as `loyalty.flows` defines them (the Z-report uses the same definition):
`points_issued`, `points_redeemed` (net of codes voided), `points_expired`, `points_voided`,
`stamps_issued`; and `rewards_issued` / `rewards_used`: codes issued / used in the period (points
rewards and full stamp cards alike).

Balances at the end of the period (or now, when the period runs to today or later): `liability_points`
(points on the cards), `open_codes` (codes issued and neither used nor voided), `accounts` (cards) and
`by_tier` (cards per tier). For a period that ended in the past they are rebuilt from the ledger as
they stood then (the tier from the lifetime points earned by then, under today's tier thresholds).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import LoyaltyAccount, LoyaltyEntry, LoyaltyProgram, Redemption
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.closing.reports import bounds, check_period
from salon_cli.services.loyalty.flows import ISSUING, flows
from salon_cli.services.loyalty.ledger import tier_of



@dataclass(frozen=True)
class LoyaltyReport:
    points_issued: int
    points_redeemed: int
    points_expired: int
    points_voided: int
    stamps_issued: int
    rewards_issued: int
    rewards_used: int
    liability_points: int
    open_codes: int
    accounts: int
    by_tier: dict[str, int]  # tier -> cards, in the program's tier order


def loyalty(session: Session, *, location: LocationView, first: date, last: date) -> LoyaltyReport:
    check_period(first, last)
    start, end = bounds(location, first, last)
    made = flows(session, col(LoyaltyEntry.created_at) >= start, col(LoyaltyEntry.created_at) < end)
    issued_codes = _count(session, col(Redemption.issued_at) >= start, col(Redemption.issued_at) < end)
    used_codes = _count(session, col(Redemption.used_at) >= start, col(Redemption.used_at) < end)
    now = clock.now()
    balances = _now(session) if end > now else _as_of(session, end)
    return LoyaltyReport(
        points_issued=made.issued, points_redeemed=made.redeemed, points_expired=made.expired,
        points_voided=made.voided, stamps_issued=made.stamps, rewards_issued=issued_codes, rewards_used=used_codes,
        liability_points=balances[0], open_codes=balances[1], accounts=balances[2],
        by_tier=_tiers(session, balances[3]))


def _count(session: Session, *where: object) -> int:
    return int(session.exec(select(sa.func.count()).select_from(Redemption).where(*where)).one())


def _now(session: Session) -> tuple[int, int, int, dict[str, int]]:
    points, accounts = session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyAccount.points), 0),
                                           sa.func.count()).select_from(LoyaltyAccount)).one()
    codes = _count(session, col(Redemption.status) == "issued")
    tiers = {str(t): int(n) for t, n in session.exec(select(LoyaltyAccount.tier, sa.func.count())
                                                     .group_by(LoyaltyAccount.tier)).all()}
    return int(points), codes, int(accounts), tiers


def _as_of(session: Session, end: datetime) -> tuple[int, int, int, dict[str, int]]:
    """The balances as they stood at `end`, from the ledger (entries, codes and enrolment times)."""
    points = int(session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0))
                              .where(col(LoyaltyEntry.created_at) < end)).one())
    codes = _count(session, col(Redemption.issued_at) < end,
                   sa.or_(col(Redemption.used_at).is_(None), col(Redemption.used_at) >= end),
                   sa.or_(col(Redemption.voided_at).is_(None), col(Redemption.voided_at) >= end))
    ids = session.exec(select(LoyaltyAccount.id).where(col(LoyaltyAccount.enrolled_at) < end)).all()
    lifetime = dict(session.exec(
        select(LoyaltyEntry.account_id, sa.func.sum(LoyaltyEntry.points))
        .where(col(LoyaltyEntry.created_at) < end, col(LoyaltyEntry.kind).in_(ISSUING), col(LoyaltyEntry.points) > 0)
        .group_by(LoyaltyEntry.account_id)).all())
    prog = session.get(LoyaltyProgram, 1)
    tiers: dict[str, int] = defaultdict(int)
    for account_id in ids:
        earned = int(lifetime.get(account_id) or 0)
        name = str(tier_of(prog, earned)["name"]) if prog is not None else "bronze"
        tiers[name] += 1
    return points, codes, len(ids), dict(tiers)


def _tiers(session: Session, counts: dict[str, int]) -> dict[str, int]:
    """Every tier of the program in threshold order (0 for an empty one), then any other tier a card
    still carries."""
    prog = session.get(LoyaltyProgram, 1)
    order = [str(t["name"]) for t in sorted((prog.tiers if prog else None) or [], key=lambda t: int(t["min_points"]))]
    out = {name: counts.get(name, 0) for name in order}
    for name in sorted(counts):
        out.setdefault(name, counts[name])
    return out
