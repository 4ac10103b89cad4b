"""`salon report promotions`: per promotion, over a location's business days `first..last` (inclusive),
the uses on counting sales (paid, partly or wholly refunded: open and void sales never count), the
discount given, the revenue of those sales (their lines' net, before tax and tips, without gift cards, as
`report revenue` counts a sale), what was refunded on those sales since (`refunded_cents`, the money given
back, taxes included, whenever it was refunded) and the new clients it brought (clients whose first paid
sale, anywhere, used it). Promotions still on offer are listed even without a use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import Promotion, PromotionUse, Refund, Sale, SaleLine
from salon_cli.services.salon.locations import LocationView

COUNTED = ("paid", "partially_refunded", "refunded")


@dataclass(frozen=True)
class PromotionRow:
    id: int
    code: str | None
    name: str
    kind: str
    active: bool
    uses: int
    discount_cents: int
    revenue_cents: int
    refunded_cents: int
    new_clients: int


def rows(session: Session, *, location: LocationView, first: date, last: date) -> list[PromotionRow]:
    if first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    used = session.exec(select(PromotionUse.promotion_id, PromotionUse.sale_id, PromotionUse.discount_cents,
                               Sale.client_id)
                        .join(Sale, col(Sale.id) == PromotionUse.sale_id)
                        .where(PromotionUse.status == "applied", Sale.location_id == location.id,
                               col(Sale.status).in_(COUNTED), col(Sale.business_date) >= first,
                               col(Sale.business_date) <= last)).all()
    sale_ids = sorted({sale_id for _, sale_id, _, _ in used})
    net: dict[int, int] = {}
    refunded: dict[int, int] = {}
    if sale_ids:
        net = {int(sid): int(total) for sid, total in session.exec(
            select(SaleLine.sale_id, sa.func.coalesce(sa.func.sum(SaleLine.net_cents), 0))
            .where(col(SaleLine.sale_id).in_(sale_ids), SaleLine.kind != "gift_card")
            .group_by(SaleLine.sale_id)).all()}
        refunded = {int(sid): int(total) for sid, total in session.exec(
            select(Refund.sale_id, sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0))
            .where(col(Refund.sale_id).in_(sale_ids), Refund.status == "succeeded")
            .group_by(Refund.sale_id)).all()}
    clients = sorted({c for _, _, _, c in used if c is not None})
    first_sale: dict[int, int] = {}
    if clients:
        for client_id, sale_id in session.exec(
                select(Sale.client_id, Sale.id).where(col(Sale.client_id).in_(clients), col(Sale.status).in_(COUNTED))
                .order_by(col(Sale.paid_at), col(Sale.id))).all():
            first_sale.setdefault(int(client_id or 0), int(sale_id or 0))
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for promotion_id, sale_id, discount, client_id in used:
        acc = sums[promotion_id]
        acc[0] += 1
        acc[1] += int(discount)
        acc[2] += net.get(sale_id, 0)
        acc[3] += 1 if client_id is not None and first_sale.get(client_id) == sale_id else 0
        acc[4] += refunded.get(sale_id, 0)
    promos = session.exec(select(Promotion).where(sa.or_(col(Promotion.id).in_(list(sums) or [0]),
                                                         col(Promotion.active).is_(True)))
                          .order_by(col(Promotion.id))).all()
    return [PromotionRow(id=p.id or 0, code=p.code, name=p.name, kind=p.kind, active=p.active,
                         uses=sums[p.id or 0][0], discount_cents=sums[p.id or 0][1], revenue_cents=sums[p.id or 0][2],
                         refunded_cents=sums[p.id or 0][4],
                         new_clients=sums[p.id or 0][3]) for p in promos]
