"""Promotions on the dashboard's ticket, by the rules and the arithmetic of `salon checkout --promo`
(`promotions.apply`).

A code is applied when the desk types it (`apply_code`: `promotions.apply.apply_code`, refused with the
exact reason and nothing changed). The automatic offers go on the sale at the moment `salon checkout` puts
them there: just before the money (`ticket.before_money` calls `promotions.apply.apply_automatic`), after
any code. Until then `ahead` shows the ticket as that moment will leave it, writing nothing: the draft
and the open sale with the discount lines the offers whose rules pass would add, priced as
`till.pricing.reprice` prices them, so the figures on screen are the sale's to the cent once paid.
`personal` lists the client's own codes (a promotion with `client_id`, active, in its dates), each with
why it cannot apply to this ticket, if it cannot. A sale left with no money is deleted with its uses,
given back (`give_back`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from salon_cli.core.sale_math import LineIn, price, tax_rates
from salon_cli.db.models import Promotion, PromotionUse, Sale, Service
from salon_cli.services.promotions import apply as promotions
from salon_cli.services.promotions.catalog import describe
from salon_cli.services.promotions.rules import LineInfo, PromoRules, SaleContext, matching, refusal
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.business_days import today
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import SaleLineView, SaleView

ITEMS = promotions.ITEMS  # the lines a promotion reads and takes off


@dataclass(frozen=True)
class PromoOffer:
    """One of the client's personal codes, with what it is and why it cannot apply here (None: it can)."""

    code: str
    text: str
    why_not: str | None


def line_text(promo: Promotion, currency: str) -> str:
    """The description `promotions.apply` gives the promotion's discount lines."""
    text = f"Promo {promo.code}: {promo.name if promo.name != promo.code else describe(promo, currency)}" \
        if promo.code else f"Promo: {promo.name}"
    return text[:200]


def _categories(session: Session, lines: Sequence[SaleLineView]) -> dict[int, str | None]:
    ids = sorted({line.service_id for line in lines if line.service_id is not None})
    if not ids:
        return {}
    return {sid or 0: cat for sid, cat in session.exec(select(Service.id, Service.category)
                                                       .where(col(Service.id).in_(ids)))}


class _Reading:
    """What the promotions' rules read of a ticket (an open sale or a draft) and of its client, as
    `promotions.apply.context` reads it of a sale; `added` are the offers `ahead` has put on it so far."""

    def __init__(self, session: Session, location: LocationView, shown: SaleView) -> None:
        self.session, self.location, self.shown = session, location, shown
        row = session.get(Sale, shown.id) if shown.id else None
        # a draft is no row yet: its client is all `context` reads of it (no lines, no promotions, no id)
        self.row = row if row is not None else Sale(client_id=shown.client_id, location_id=location.id)
        self.items = [line for line in shown.lines if line.kind in ITEMS]
        cats = _categories(session, self.items)
        self.info = [LineInfo(line.kind, line.gross_cents, line.service_id, cats.get(line.service_id or 0))
                     for line in self.items]
        self.added: list[PromoRules] = []

    def context(self, promo: Promotion) -> SaleContext:
        ctx = promotions.context(self.session, self.row, self.location, promo)
        return replace(ctx, lines=self.info, subtotal_cents=sum(line.gross_cents for line in self.items),
                       other_promotions=[*ctx.other_promotions, *self.added])

    def refusal(self, promo: Promotion) -> str | None:
        return refusal(promotions.rules_of(promo), self.context(promo))


def ahead(session: Session, location: LocationView, shown: SaleView, taxes: Sequence[dict]) -> SaleView:
    """`shown` (an open sale or a draft) as `apply_automatic` will leave it at the first money: each
    automatic offer whose rules pass, by id, as its discount lines; `shown` itself when none would.
    `taxes` are the sale's (the policy's, for a draft). Nothing is written."""
    if shown.status not in ("open", "draft"):
        return shown
    offers = session.exec(select(Promotion).where(col(Promotion.automatic).is_(True), col(Promotion.active).is_(True))
                          .order_by(col(Promotion.id))).all()
    if not offers:
        return shown
    reading = _Reading(session, location, shown)
    taken = -sum(line.gross_cents for line in shown.lines if line.kind == "discount")
    new: list[tuple[str, int, str | None]] = []  # (description, amount off, staff) per discount line
    for promo in offers:
        if reading.refusal(promo) is not None:
            continue
        targets = [reading.items[i] for i in matching(promotions.rules_of(promo), reading.info)]
        shares = promotions.shares(promo, targets, taken)  # the same arithmetic as `apply`
        if promo.kind != "points_multiplier" and not sum(shares):
            continue  # `apply` refuses it: nothing to take off this ticket
        reading.added.append(promotions.rules_of(promo))
        taken += sum(shares)
        new += [(line_text(promo, location.currency), share, target.staff)
                for target, share in zip(targets, shares) if share]
    if not new:
        return shown
    # a discount line is taxed like the item it takes off, negated (`till.pricing.reprice`); every line
    # is priced on its own, so the lines already on the sale keep their figures
    off = price([LineIn(gross_cents=amount, discountable=False) for _, amount, _ in new], tax_rates(taxes))
    top = max((line.position for line in shown.lines), default=-1)
    lines = [SaleLineView(
        id=0, position=top + 1 + i, kind="discount", description=text, quantity=1, unit_price_cents=amount,
        gross_cents=-out.gross_cents, discount_cents=out.gross_cents, net_cents=-out.net_cents,
        tax_cents=-out.tax_cents, total_cents=-out.total_cents,
        taxes=[{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive, "amount_cents": -t.amount_cents}
               for t in out.taxes],
        staff=staff, service_id=None, product_id=None, penalty_id=None, gift_card=None)
        for i, ((text, amount, staff), out) in enumerate(zip(new, off.lines))]
    total = shown.total_cents - off.total_cents
    return replace(shown, lines=[*shown.lines, *lines], discount_cents=shown.discount_cents + off.subtotal_cents,
                   tax_cents=shown.tax_cents - off.tax_cents, total_cents=total,
                   balance_cents=max(0, total - shown.paid_cents))


def personal(session: Session, location: LocationView, client_id: int, shown: SaleView | None) -> list[PromoOffer]:
    """The client's own codes that are active and in their dates today, with why each cannot apply to
    `shown` (None: it can; no ticket: not checked)."""
    day = today(location)
    rows = session.exec(select(Promotion).where(Promotion.client_id == client_id, col(Promotion.active).is_(True),
                                                col(Promotion.code).is_not(None))
                        .order_by(col(Promotion.ends_on), col(Promotion.id))).all()
    rows = [p for p in rows if (p.starts_on is None or p.starts_on <= day) and (p.ends_on is None or day <= p.ends_on)]
    reading = _Reading(session, location, shown) if shown is not None and shown.status in ("open", "draft") else None
    out = []
    for promo in rows:
        why = reading.refusal(promo) if reading is not None else None
        out.append(PromoOffer(promo.code or "", line_text(promo, location.currency).split(": ", 1)[-1], why))
    return out


def apply_code(session: Session, location: LocationView, actor: Actor, *, sale_id: int, code: str) -> PromotionUse:
    """The code typed (or picked) at the desk on the open sale: `promotions.apply.apply_code`, refused with
    the exact reason, nothing changed."""
    return promotions.apply_code(session, actor=actor, location=location, sale_id=sale_id, code=code)


def apply_automatic(session: Session, location: LocationView, actor: Actor, sale_id: int) -> list[PromotionUse]:
    """The automatic offers whose rules pass, put on the sale (`promotions.apply.apply_automatic`)."""
    return promotions.apply_automatic(session, actor=actor, location=location, sale_id=sale_id)


def give_back(session: Session, location: LocationView, actor: Actor, sale_id: int) -> int:
    """Before a sale left with no money is deleted (`ticket.discard_if_empty`): each promotion use on it goes
    with it, an applied one giving its use back under the promotion's row lock (audited). How many went."""
    uses = session.exec(select(PromotionUse).where(PromotionUse.sale_id == sale_id)).all()
    for use in uses:
        if use.status == "applied":
            promo = session.exec(select(Promotion).where(Promotion.id == use.promotion_id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
            promo.uses = max(0, promo.uses - 1)
            session.add(promo)
            audit.record(session, actor=actor, action="promotion.give_back", entity="promotion",
                         entity_id=promo.id, location_id=location.id, before={"uses": promo.uses + 1},
                         after={"uses": promo.uses, "sale_id": sale_id, "reason": "its sale was left with no payment"})
        session.delete(use)
    session.flush()
    return len(uses)
