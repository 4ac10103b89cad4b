"""The loyalty ledger's flows over a stretch of time: one definition of points issued and redeemed,
which the Z-report (`closing.zreport`, one location's day) and the loyalty report (`closing.loyalty_report`,
the chain over a period) both use, so the two can never disagree.

- `issued`: points of earn, welcome and referral entries, and of adjustments upwards;
- `redeemed`: points spent on rewards (redeem entries) less the points voided codes gave back, so a
  code issued and voided within the stretch counts nothing, and one voided later counts back then;
- `expired`: points taken by expiry; `voided`: points taken back by refunds;
- `stamps`: stamps given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.db.models import LoyaltyEntry

ISSUING = ("earn", "welcome", "referral", "adjust")  # the kinds that make lots (and lifetime points)


@dataclass(frozen=True)
class Flows:
    issued: int
    redeemed: int
    expired: int
    voided: int
    stamps: int


def flows(session: Session, *where: Any) -> Flows:
    """The flows of the entries that match `where` (a time range, a location)."""
    plus = sa.func.sum(sa.case((col(LoyaltyEntry.points) > 0, col(LoyaltyEntry.points)), else_=0))
    minus = sa.func.sum(sa.case((col(LoyaltyEntry.points) < 0, -col(LoyaltyEntry.points)), else_=0))
    stamps = sa.func.sum(sa.case((col(LoyaltyEntry.stamps) > 0, col(LoyaltyEntry.stamps)), else_=0))
    from_code = col(LoyaltyEntry.redemption_id).is_not(None)
    got: dict[tuple[str, str], int] = defaultdict(int)
    for kind, coded, p, m, s in session.exec(select(LoyaltyEntry.kind, from_code, plus, minus, stamps)
                                             .where(*where).group_by(LoyaltyEntry.kind, from_code)).all():
        got[(kind, "plus")] += int(p or 0)
        got[(kind, "minus")] += int(m or 0)
        got[(kind, "stamps")] += int(s or 0)
        if kind == "void" and coded:  # a voided code giving its points back (refund voids take points)
            got[("restore", "plus")] += int(p or 0)
    return Flows(issued=sum(got[(k, "plus")] for k in ISSUING),
                 redeemed=got[("redeem", "minus")] - got[("restore", "plus")],
                 expired=got[("expire", "minus")], voided=got[("void", "minus")], stamps=got[("stamp", "stamps")])
