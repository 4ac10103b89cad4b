"""A promotion on a sale: its rules checked against the sale (`rules.refusal`), its discount put on the
sale as discount lines, its use counted.

The discount is a `discount` line per ticket line it takes off (`promotion_id` set, the staff member of
that line, a negative amount): `till.pricing.reprice` taxes it like the item it takes off, negated, so the
sale's tax, a staff member's revenue (report staff, close-day staff lines, commission) and the loyalty earn
(`loyalty.cards.EARNING_LINES`) all follow it to the cent. A points promotion takes nothing off: the
till's `EFFECTS` multiply the sale's earn by it.

The promotion's row is locked (`SELECT ... FOR UPDATE` on PostgreSQL, re-read after the wait; SQLite's
write transaction is `BEGIN IMMEDIATE`) while its uses are checked and incremented: two desks racing for
the last use give one success. `till.sales.void` gives a voided sale's uses back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.core.sale_math import allocate, round_half_up_div
from salon_cli.db.models import ClientTag, Promotion, PromotionUse, Sale, SaleLine, Service
from salon_cli.services.loyalty import ledger
from salon_cli.services.promotions.catalog import check_code, describe
from salon_cli.services.promotions.rules import LineInfo, PromoRules, SaleContext, label, matching, refusal
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import pricing, sales

PAID = ("paid", "partially_refunded", "refunded")
ITEMS = ("service", "product")


def rules_of(row: Promotion) -> PromoRules:
    return PromoRules(
        id=row.id, code=row.code, name=row.name, kind=row.kind, service_id=row.service_id, category=row.category,
        starts_on=row.starts_on, ends_on=row.ends_on, days=tuple(row.days or ()), start_minute=row.start_minute,
        end_minute=row.end_minute, min_spend_cents=row.min_spend_cents, tier=row.tier, tag=row.tag,
        new_clients=row.new_clients, per_client=row.per_client, use_limit=row.use_limit, uses=row.uses,
        stackable=row.stackable, client_id=row.client_id, location_id=row.location_id, active=row.active,
        birthday_days=row.birthday_days)


def _items(session: Session, sale_id: int) -> list[tuple[SaleLine, str | None]]:
    return list(session.exec(select(SaleLine, Service.category)
                             .join(Service, col(Service.id) == SaleLine.service_id, isouter=True)
                             .where(SaleLine.sale_id == sale_id, col(SaleLine.kind).in_(ITEMS))
                             .order_by(col(SaleLine.position))).all())


def _tiers_held(session: Session, client_id: int) -> frozenset[str]:
    prog = ledger.program(session)
    acct = ledger.account(session, client_id, lock=False)
    lifetime = acct.lifetime_points if acct else 0
    return frozenset(str(t["name"]).lower() for t in (prog.tiers or []) if lifetime >= int(t["min_points"]))


def context(session: Session, sale: Sale, location: LocationView, promo: Promotion,
            now: datetime | None = None) -> SaleContext:
    """What the promotion's rules read of this sale, its client and the promotion's uses."""
    local = (now or clock.now()).astimezone(location.tz)
    items = _items(session, sale.id or 0)
    client_id = sale.client_id
    on_sale = session.exec(select(Promotion).join(PromotionUse, col(PromotionUse.promotion_id) == Promotion.id)
                           .where(PromotionUse.sale_id == sale.id, PromotionUse.status == "applied")).all()
    tiers: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    first = False
    uses = 0
    if client_id is not None:
        tiers = _tiers_held(session, client_id)
        tags = frozenset(t.lower() for t in session.exec(select(ClientTag.tag).where(ClientTag.client_id == client_id)))
        first = session.exec(select(Sale.id).where(Sale.client_id == client_id, col(Sale.status).in_(PAID),
                                                   Sale.id != sale.id).limit(1)).first() is None
        uses = int(session.exec(select(sa.func.count()).select_from(PromotionUse).where(
            PromotionUse.promotion_id == promo.id, PromotionUse.client_id == client_id,
            PromotionUse.status == "applied")).one())
    return SaleContext(
        currency=location.currency, local_date=local.date(), local_time=local.time(), location_id=location.id,
        subtotal_cents=sum(line.gross_cents for line, _ in items),
        lines=[LineInfo(line.kind, line.gross_cents, line.service_id, category) for line, category in items],
        client_id=client_id, client_tiers=tiers, client_tags=tags, first_visit=first, client_uses=uses,
        other_promotions=[rules_of(p) for p in on_sale])


def _locked(session: Session, promotion_id: int) -> Promotion:
    """The promotion's row, locked and read again (another desk may have just used it)."""
    return session.exec(select(Promotion).where(Promotion.id == promotion_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


class PricedLine(Protocol):
    """What `shares` reads of a line: a sale's line, or the dashboard's priced view of one."""

    gross_cents: int
    discount_cents: int


def shares(promo: Promotion, targets: Sequence[PricedLine], taken: int) -> list[int]:
    """What comes off each target line: what is left of it after the sale's discount, at most. The one
    arithmetic of a promotion's amount: `apply` writes it, the dashboard's ticket shows it ahead."""
    bases = [max(0, line.gross_cents - line.discount_cents) for line in targets]
    room = max(0, sum(bases) - taken)  # other promotions' lines on this sale took `taken` already
    if promo.kind == "percent":
        off = round_half_up_div(sum(bases) * promo.value, 10000)
    elif promo.kind == "amount":
        off = promo.value
    elif promo.kind == "free_service":
        bases = bases[:1] + [0] * (len(bases) - 1)  # one of its service, at its price on the ticket
        off = bases[0] if bases else 0
    else:
        return [0] * len(bases)
    return allocate(min(off, room), bases) if sum(bases) else [0] * len(bases)


def apply(session: Session, *, actor: Actor, location: LocationView, sale_id: int, promotion_id: int) -> PromotionUse:
    """Put the promotion on the open sale or refuse it with the exact reason (RuleViolation, nothing changed)."""
    authorize(actor, Permission.desk)
    sale = sales.open_for_change(session, sale_id, location, "a promotion")
    promo = _locked(session, promotion_id)
    why = refusal(rules_of(promo), context(session, sale, location, promo))
    if why:
        raise RuleViolation(why)
    items = [line for line, _ in _items(session, sale_id)]
    ctx_lines = [LineInfo(line.kind, line.gross_cents, line.service_id, cat) for line, cat in _items(session, sale_id)]
    targets = [items[i] for i in matching(rules_of(promo), ctx_lines)]
    taken = -int(session.exec(select(sa.func.coalesce(sa.func.sum(SaleLine.gross_cents), 0)).where(
        SaleLine.sale_id == sale_id, SaleLine.kind == "discount")).one())
    parts = shares(promo, targets, taken)
    if promo.kind != "points_multiplier" and not sum(parts):
        raise RuleViolation(f"{label(rules_of(promo))} leaves nothing to take off this ticket")
    text = f"Promo {promo.code}: {promo.name if promo.name != promo.code else describe(promo, location.currency)}" \
        if promo.code else f"Promo: {promo.name}"
    top = session.exec(select(sa.func.max(SaleLine.position)).where(SaleLine.sale_id == sale_id)).one()
    position = 0 if top is None else top + 1
    for target, share in zip(targets, parts):
        if share:
            session.add(SaleLine(sale_id=sale_id, position=position, kind="discount", description=text[:200],
                                 quantity=1, unit_price_cents=share, gross_cents=-share, staff_id=target.staff_id,
                                 promotion_id=promo.id))
            position += 1
    now = clock.now()
    use = PromotionUse(promotion_id=promo.id or 0, sale_id=sale_id, client_id=sale.client_id, location_id=location.id,
                       discount_cents=sum(parts), created_at=now, created_by_id=actor.id)
    promo.uses += 1
    session.add_all([use, promo])
    session.flush()
    before = audit.snapshot(sale, only=("subtotal_cents", "discount_cents", "tax_cents", "total_cents"))
    pricing.reprice(session, sale)
    audit.record(session, actor=actor, action="sale.promotion", entity="sale", entity_id=sale_id,
                 location_id=location.id, before=before,
                 after={**(audit.snapshot(sale, only=("subtotal_cents", "discount_cents", "tax_cents", "total_cents"))
                           or {}), "promotion_id": promo.id, "promotion_use_id": use.id, "uses": promo.uses,
                        "discount_cents": use.discount_cents})
    return use


def apply_code(session: Session, *, actor: Actor, location: LocationView, sale_id: int, code: str) -> PromotionUse:
    """`--promo CODE`: the code's promotion on the sale (an unknown code is refused, exit 1)."""
    wanted = check_code(code)
    found = session.exec(select(Promotion.id).where(Promotion.code == wanted)).first()
    if found is None:
        raise RuleViolation(f"no promotion {wanted}", hint="see: salon promo list")
    return apply(session, actor=actor, location=location, sale_id=sale_id, promotion_id=found)


def apply_automatic(session: Session, *, actor: Actor, location: LocationView, sale_id: int) -> list[PromotionUse]:
    """Every automatic promotion whose rules pass on this sale, by id; the others are left out silently."""
    applied = []
    ids = session.exec(select(Promotion.id).where(col(Promotion.automatic).is_(True), col(Promotion.active).is_(True))
                       .order_by(col(Promotion.id))).all()
    sale = sales.get(session, sale_id, location)
    for promotion_id in ids:
        promo = _locked(session, promotion_id or 0)
        if refusal(rules_of(promo), context(session, sale, location, promo)) is None:
            try:  # refused before anything is written: nothing to take off this ticket
                applied.append(apply(session, actor=actor, location=location, sale_id=sale_id,
                                     promotion_id=promo.id or 0))
            except RuleViolation:
                continue
    return applied
