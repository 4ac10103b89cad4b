"""Loyalty cards: the program's rules, enrolment, earning on paid sales (and a referral's bonus on the
first), voids on refunds, manager adjustments, and what the desk reads (the card and its history).

Earning follows what was really paid (DESIGN.md): when a sale becomes paid, its client earns
`floor(net paid in major units x points_per_unit)` times the tier's multiplier, where "net paid" is
the total of its service and product lines (after discounts, with their taxes) but no more than the
money taken for it (payments by points and membership credits do not earn; a gift card sold on it
earns when it is spent, not when it is bought). Below the program's minimum purchase nothing is
earned. One earn entry per sale, by its key. A refund voids the refunded share of those points, but
only what is left of that sale's own lot: points already spent or expired are not taken twice.

A client's first paid sale that earns enrols them (with the welcome bonus), as `loyalty enroll` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.money import exponent
from salon_cli.core.permissions import Permission
from salon_cli.db.models import (
    LoyaltyAccount, LoyaltyEntry, LoyaltyLot, Payment, Redemption, Referral, Refund, Sale, SaleLine,
)
from salon_cli.services.salon import business_days
from salon_cli.services.loyalty import ledger
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon import audit

EARNING_LINES = ("service", "product", "discount")  # a promotion's discount line takes its part off
NON_MONEY = ("points", "credit")
EXPIRY_WARNING = timedelta(days=30)


# ----------------------------------------------------------------------------- read models

@dataclass(frozen=True)
class ExpiringView:
    expires_at: datetime
    points: int


@dataclass(frozen=True)
class CardView:
    client_id: int
    enrolled: bool
    program_type: str
    points: int
    lifetime_points: int
    stamps: int
    stamps_target: int
    tier: str
    multiplier: str
    next_tier: str | None
    points_to_next_tier: int | None
    last_activity_at: datetime | None
    expiring: list[ExpiringView] = field(default_factory=list)
    codes: list[dict[str, Any]] = field(default_factory=list)  # issued redemption codes not yet used

    @property
    def expiring_points(self) -> int:
        return sum(e.points for e in self.expiring)


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    points: int
    stamps: int
    created_at: datetime
    ref: str | None
    reason: str | None
    staff_id: int | None


def _multiplier(bp: int) -> str:
    whole, frac = divmod(int(bp), 10000)
    return f"{whole}.{frac:04d}".rstrip("0").rstrip(".") + "x"


def card(session: Session, client_id: int) -> CardView:
    ledger.live_client(session, client_id)
    prog = ledger.program(session)
    acct = ledger.account(session, client_id, lock=False)
    if acct is None:
        first = ledger.tier_of(prog, 0)
        nxt = _next_tier(prog, 0)
        return CardView(client_id=client_id, enrolled=False, program_type=prog.type, points=0, lifetime_points=0,
                        stamps=0, stamps_target=prog.stamps_target, tier=str(first["name"]),
                        multiplier=_multiplier(int(first.get("multiplier_bp", 10000))),
                        next_tier=nxt[0] if nxt else None, points_to_next_tier=nxt[1] if nxt else None,
                        last_activity_at=None)
    tier = ledger.tier_of(prog, acct.lifetime_points)
    nxt = _next_tier(prog, acct.lifetime_points)
    codes = [{"code": r.code, "description": r.description, "points": r.points, "issued_at": r.issued_at}
             for r in session.exec(select(Redemption).where(Redemption.account_id == acct.id,
                                                            Redemption.status == "issued")
                                   .order_by(col(Redemption.id)))]
    return CardView(client_id=client_id, enrolled=True, program_type=prog.type, points=acct.points,
                    lifetime_points=acct.lifetime_points, stamps=acct.stamps, stamps_target=prog.stamps_target,
                    tier=str(tier["name"]), multiplier=_multiplier(int(tier.get("multiplier_bp", 10000))),
                    next_tier=nxt[0] if nxt else None, points_to_next_tier=nxt[1] if nxt else None,
                    last_activity_at=acct.last_activity_at, expiring=expiring(session, acct), codes=codes)


def _next_tier(prog: Any, lifetime: int) -> tuple[str, int] | None:
    for tier in sorted(prog.tiers or [], key=lambda t: int(t["min_points"])):
        if int(tier["min_points"]) > lifetime:
            return str(tier["name"]), int(tier["min_points"]) - lifetime
    return None


def expiring(session: Session, acct: LoyaltyAccount, *, within: timedelta = EXPIRY_WARNING,
             now: datetime | None = None) -> list[ExpiringView]:
    """Points that expire within `within` (30 days): lots reaching their age, or the whole balance when
    inactivity will expire it first."""
    at = now or clock.now()
    prog = ledger.program(session)
    if prog.expiry_inactivity_days and acct.points > 0:
        when = acct.last_activity_at + timedelta(days=prog.expiry_inactivity_days)
        if when <= at + within:
            return [ExpiringView(when, acct.points)]
    rows = session.exec(select(LoyaltyLot.expires_at, sa.func.sum(LoyaltyLot.remaining))
                        .where(LoyaltyLot.account_id == acct.id, col(LoyaltyLot.remaining) > 0,
                               col(LoyaltyLot.expires_at).is_not(None), col(LoyaltyLot.expires_at) <= at + within)
                        .group_by(LoyaltyLot.expires_at).order_by(LoyaltyLot.expires_at)).all()
    return [ExpiringView(when, int(points)) for when, points in rows]


def history(session: Session, client_id: int, *, limit: int | None = None) -> list[EntryView]:
    ledger.live_client(session, client_id)
    acct = ledger.account(session, client_id, lock=False)
    if acct is None:
        return []
    query = (select(LoyaltyEntry, Redemption.code).outerjoin(Redemption, col(Redemption.id) == LoyaltyEntry.redemption_id)
             .where(LoyaltyEntry.account_id == acct.id).order_by(col(LoyaltyEntry.id).desc()))
    if limit:
        query = query.limit(limit)
    return [EntryView(id=e.id or 0, kind=e.kind, points=e.points, stamps=e.stamps, created_at=e.created_at,
                      ref=_ref(e, code), reason=e.reason, staff_id=e.staff_id) for e, code in session.exec(query)]


def _ref(entry: LoyaltyEntry, code: str | None) -> str | None:
    parts = []
    if entry.sale_id:
        parts.append(f"sale {entry.sale_id}")
    if entry.refund_id:
        parts.append(f"refund {entry.refund_id}")
    if code:
        parts.append(f"code {code}")
    if entry.reverses_id:
        parts.append(f"reverses {entry.reverses_id}")
    return ", ".join(parts) or None


# ----------------------------------------------------------------------------- enrolment

def enroll(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> CardView:
    authorize(actor, Permission.desk)
    business_days.ensure_today_open(session, location, "enrolling a card")
    _program_on(session)
    opened = ledger.open_account(session, client_id, location_id=location.id)
    if not opened.created:
        raise RuleViolation(f"client {client_id} already has a loyalty card",
                            hint=f"see: salon loyalty card {client_id}")
    welcome(session, opened.account, actor=actor, location=location)
    return card(session, client_id)


def welcome(session: Session, acct: LoyaltyAccount, *, actor: Actor, location: LocationView) -> None:
    prog = ledger.program(session)
    key = f"welcome:account:{acct.id}"
    if prog.welcome_bonus > 0 and prog.type != "stamps" and ledger.entry_by_key(session, key) is None:
        ledger.post(session, acct, "welcome", points=prog.welcome_bonus, actor=actor, location_id=location.id,
                    key=key, reason="welcome bonus")


def ensure_account(session: Session, client_id: int, *, actor: Actor, location: LocationView) -> LoyaltyAccount:
    """The client's account, locked; enrolled now (with the welcome bonus) if it was not."""
    opened = ledger.open_account(session, client_id, location_id=location.id)
    if opened.created:
        welcome(session, opened.account, actor=actor, location=location)
    return opened.account


def _program_on(session: Session) -> Any:
    prog = ledger.program(session)
    if not prog.active:
        raise RuleViolation("the loyalty program is switched off", hint="salon loyalty program set --active")
    return prog


def _points_program(session: Session) -> Any:
    prog = _program_on(session)
    if prog.type == "stamps":
        raise RuleViolation("the loyalty program collects stamps, not points",
                            hint="salon loyalty program set --type hybrid")
    return prog


# ----------------------------------------------------------------------------- earning

def earnable_cents(session: Session, sale: Sale) -> int:
    """The part of a paid sale that earns: service and product lines, no more than the money taken."""
    lines = session.exec(select(sa.func.coalesce(sa.func.sum(SaleLine.total_cents), 0))
                         .where(SaleLine.sale_id == sale.id, col(SaleLine.kind).in_(EARNING_LINES))).one()
    return max(0, min(int(lines), money_paid(session, sale.id or 0)))


def money_paid(session: Session, sale_id: int) -> int:
    return int(session.exec(select(sa.func.coalesce(sa.func.sum(Payment.amount_cents), 0))
                            .where(Payment.sale_id == sale_id, col(Payment.status) == "succeeded",
                                   col(Payment.method).not_in(NON_MONEY))).one())


def points_for(session: Session, cents: int, currency: str, multiplier_bp: int) -> int:
    prog = ledger.program(session)
    if cents < max(prog.min_purchase_cents, 1):
        return 0
    base = cents * prog.points_per_unit // 10 ** exponent(currency)
    return base * multiplier_bp // 10000


def earn_for_sale(session: Session, sale: Sale, *, actor: Actor, location: LocationView,
                  multiplier_bp: int = 10000) -> LoyaltyEntry | None:
    # multiplier_bp: a points promotion on the sale (20000: twice the points), after the tier's
    """Called when a sale becomes paid: its client's points, and both referral bonuses on a first sale."""
    prog = ledger.program(session)
    if sale.client_id is None or not prog.active or prog.type == "stamps":
        return None
    key = f"earn:sale:{sale.id}"
    if ledger.entry_by_key(session, key) is not None:
        return None
    known = ledger.account(session, sale.client_id)
    tier = ledger.tier_of(prog, known.lifetime_points if known else 0)
    points = points_for(session, earnable_cents(session, sale), location.currency, int(tier.get("multiplier_bp", 10000)))
    points = points * multiplier_bp // 10000
    if points <= 0:  # nothing bought that earns (a fee, a gift card, a membership): no card made, no referral
        return None
    acct = ensure_account(session, sale.client_id, actor=actor, location=location)
    row = ledger.post(session, acct, "earn", points=points, actor=actor, location_id=location.id, key=key,
                      sale_id=sale.id, reason=f"sale {sale.id} ({tier['name']})")
    _referral(session, acct, sale, actor=actor, location=location)
    return row


def _referral(session: Session, acct: LoyaltyAccount, sale: Sale, *, actor: Actor, location: LocationView) -> None:
    """The referred client's first paid sale: the program's referral bonus to both sides, once each by
    its key, and the referral `rewarded`; past its `expires_on` (today, here) it pays nothing and is
    `expired`. `services.loyalty.referrals` records referrals, lists them and says why a refund keeps it."""
    ref = session.exec(select(Referral).where(Referral.referred_id == acct.client_id).with_for_update()).first()
    if ref is None or ref.status != "pending":
        return
    now = clock.now()
    if ref.expires_on is not None and business_days.today(location) > ref.expires_on:
        ref.status = "expired"
        _referral_audit(session, ref, actor, location, "loyalty.referral_expired", {"sale_id": sale.id})
        return
    bonus = ledger.program(session).referral_bonus
    sides = ((ref.referrer_id, f"referral:client:{ref.referred_id}", f"referred client {ref.referred_id}"),
             (ref.referred_id, f"referral:referred:{ref.referred_id}", f"referred by client {ref.referrer_id}"))
    for client_id, key, reason in (sides if bonus > 0 else ()):
        if ledger.entry_by_key(session, key) is None:
            side = acct if client_id == acct.client_id else ensure_account(session, client_id, actor=actor,
                                                                           location=location)
            ledger.post(session, side, "referral", points=bonus, actor=actor, location_id=location.id, key=key,
                        sale_id=sale.id, reason=reason)
    ref.status, ref.sale_id, ref.rewarded_at = "rewarded", sale.id, now
    _referral_audit(session, ref, actor, location, "loyalty.referral_rewarded", {"sale_id": sale.id, "bonus": bonus})


def _referral_audit(session: Session, ref: Referral, actor: Actor, location: LocationView, action: str,
                    extra: dict[str, Any]) -> None:
    session.add(ref)
    session.flush()
    audit.record(session, actor=actor, action=action, entity="referral", entity_id=ref.id, location_id=location.id,
                 before={"status": "pending"}, after={"status": ref.status, **extra})


def void_for_refund(session: Session, refund: Refund, *, actor: Actor, location: LocationView) -> LoyaltyEntry | None:
    """A refund succeeded: void the refunded share of its sale's earned points (cumulative over the
    sale's refunds), from what is left of that sale's lot."""
    key = f"void:refund:{refund.id}"
    earned = ledger.entry_by_key(session, f"earn:sale:{refund.sale_id}")
    if earned is None or ledger.entry_by_key(session, key) is not None:
        return None
    paid = money_paid(session, refund.sale_id)
    refunded = int(session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0))
                                .where(Refund.sale_id == refund.sale_id, col(Refund.status) == "succeeded")).one())
    target = earned.points if refunded >= paid else earned.points * refunded // max(paid, 1)
    voided = -int(session.exec(select(sa.func.coalesce(sa.func.sum(LoyaltyEntry.points), 0))
                               .where(LoyaltyEntry.reverses_id == earned.id, LoyaltyEntry.kind == "void")).one())
    acct = session.exec(select(LoyaltyAccount).where(LoyaltyAccount.id == earned.account_id).with_for_update()).one()
    lot = session.exec(select(LoyaltyLot).where(LoyaltyLot.entry_id == earned.id).with_for_update()).one()
    return ledger.take_from_lot(session, acct, lot, target - voided, "void", actor=actor, location_id=location.id,
                                key=key, reason=f"refund {refund.id} of sale {refund.sale_id}",
                                refund_id=refund.id, sale_id=refund.sale_id, reverses_id=earned.id)


# ----------------------------------------------------------------------------- by hand

def earn_manual(session: Session, *, actor: Actor, location: LocationView, client_id: int, amount_cents: int,
                reason: str | None = None) -> CardView:
    """Points for a purchase made outside a sale (a manager, since nothing was paid here)."""
    authorize(actor, Permission.points_adjust)
    business_days.ensure_today_open(session, location, "earning points")
    _points_program(session)
    if amount_cents <= 0:
        raise InvalidInput("the amount must be more than zero")
    acct = ensure_account(session, client_id, actor=actor, location=location)
    tier = ledger.tier_of(ledger.program(session), acct.lifetime_points)
    points = points_for(session, amount_cents, location.currency, int(tier.get("multiplier_bp", 10000)))
    if points <= 0:
        raise RuleViolation("that amount earns no points (below the minimum purchase or one currency unit)",
                            hint="see: salon loyalty program show")
    ledger.post(session, acct, "earn", points=points, actor=actor, location_id=location.id,
                reason=_reason(reason) or f"purchase of {amount_cents} minor units")
    return card(session, client_id)


def adjust(session: Session, *, actor: Actor, location: LocationView, client_id: int, points: int,
           reason: str) -> CardView:
    """A manager's correction, with the reason: positive adds a lot, negative takes oldest first."""
    authorize(actor, Permission.points_adjust)
    business_days.ensure_today_open(session, location, "a points adjustment")
    why = _reason(reason)
    if not why:
        raise InvalidInput("say why points are adjusted", hint='--reason "goodwill after a complaint"')
    if points == 0:
        raise InvalidInput("--points must not be zero")
    if abs(points) > 10_000_000:
        raise InvalidInput("--points is out of range")
    acct = ensure_account(session, client_id, actor=actor, location=location)
    ledger.post(session, acct, "adjust", points=points, actor=actor, location_id=location.id, reason=why)
    return card(session, client_id)


def _reason(text: str | None) -> str | None:
    clean = " ".join((text or "").split())
    if len(clean) > 255:
        raise InvalidInput("the reason is longer than 255 characters")
    return clean or None


def account_id_of(session: Session, client_id: int) -> int:
    acct = ledger.account(session, client_id, lock=False)
    if acct is None:
        raise NotFound(f"client {client_id} has no loyalty card", hint=f"salon loyalty enroll {client_id}")
    return acct.id or 0
