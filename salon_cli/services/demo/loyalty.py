"""The demo salon's loyalty and memberships: a hybrid program (points on every paid sale, a stamp card
of eight), cards at every tier, a rewards catalog, a few codes waiting to be used, and some members.

Everything goes through the ledger (`loyalty_ledger.post`, dated when the sale was paid), so the
demo's cards balance exactly as real ones do; memberships sold at the till (`services.till.membership_fees`).
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.db.models import Refund, Sale
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program, rewards as loyalty_rewards
from salon_cli.services.till import membership_fees
from salon_cli.services.loyalty import ledger
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

REWARDS = (("$100 off your next visit", "discount_amount", 10000, 500, None),
           ("15% off a colour service", "discount_pct", 1500, 1500, None),
           ("A free haircut", "free_service", 0, 2500, "cuts"))
# lifetime points carried over from the salon's paper cards, so the demo shows every tier
CARRIED = (16000, 12000, 9000, 7000, 2500, 1500, 900)
# pesos earn a point each, so the demo salon's thresholds sit higher than the program's defaults
TIERS = "bronze:0,silver:3000:1.25,gold:8000:1.5,platinum:15000:2"
MEMBERS = (("vip", "card"), ("vip", "cash"), ("black", "card"), ("black", "transfer"), ("gold", "card"),
           ("gold", "cash"), ("gold", None))


def demo_loyalty(session: Session, *, rng: random.Random, location: LocationView, owner: Actor, desk: Actor,
                 history_start: datetime, now: datetime) -> dict[str, Any]:
    blow_dry = loyalty_rewards.add_reward(session, actor=owner, location=location, name="A free blow-dry",
                                          kind="free_service", points=0, service="blowout")
    loyalty_program.update(session, actor=owner, location=location, type="hybrid", stamps_target=8,
                           stamps_reward=str(blow_dry.id), cooldown_minutes=60, max_daily_stamps=1, tiers=TIERS)
    prog = ledger.program(session)
    sold = session.exec(select(Sale).where(Sale.location_id == location.id, col(Sale.client_id).is_not(None),
                                           col(Sale.status).in_(("paid", "partially_refunded", "refunded")))
                        .order_by(col(Sale.paid_at), col(Sale.id))).all()
    earned = 0
    for sale in sold:
        when = sale.paid_at or now
        opened = ledger.open_account(session, sale.client_id or 0, location_id=location.id, now=when)
        acct = opened.account
        if opened.created and prog.welcome_bonus:
            ledger.post(session, acct, "welcome", points=prog.welcome_bonus, actor=desk, location_id=location.id,
                        key=f"welcome:account:{acct.id}", reason="welcome bonus", now=when)
        tier = ledger.tier_of(prog, acct.lifetime_points)
        points = loyalty.points_for(session, loyalty.earnable_cents(session, sale), location.currency,
                                    int(tier.get("multiplier_bp", 10000)))
        if points > 0:
            ledger.post(session, acct, "earn", points=points, actor=desk, location_id=location.id,
                        key=f"earn:sale:{sale.id}", sale_id=sale.id, reason=f"sale {sale.id} ({tier['name']})",
                        now=when)
            earned += points
        if rng.random() < 0.35 and sale.appointment_id is not None:  # the desk stamped the card that visit
            ledger.post(session, acct, "stamp", stamps=1, actor=desk, location_id=location.id, reason="stamp",
                        now=when)
            acct.last_stamp_at = when
            session.add(acct)
    for refund in session.exec(select(Refund).where(Refund.location_id == location.id,
                                                    col(Refund.status) == "succeeded")).all():
        loyalty.void_for_refund(session, refund, actor=owner, location=location)
    # the best regulars brought their paper cards' points
    regulars = sorted({s.client_id for s in sold if s.client_id is not None})
    rng.shuffle(regulars)
    for client_id, points in zip(regulars, CARRIED):
        acct = ledger.open_account(session, client_id, location_id=location.id, now=history_start).account
        ledger.post(session, acct, "adjust", points=points, actor=owner, location_id=location.id,
                    reason="balance carried over from the paper card", now=history_start)
    rewards = [loyalty_rewards.add_reward(session, actor=owner, location=location, name=name, kind=kind, value=value,
                                          points=cost, category=category)
               for name, kind, value, cost, category in REWARDS]
    codes = 0
    for client_id in regulars[:3]:
        loyalty_rewards.redeem(session, actor=desk, location=location, client_id=client_id, reward_id=rewards[0].id)
        codes += 1
    members = 0
    for client_id, (plan, pay) in zip(regulars[len(CARRIED):], MEMBERS):
        membership_fees.subscribe(session, actor=desk, location=location, client_id=client_id, plan_code=plan,
                                  pay_method=pay)
        members += 1
    tiers: dict[str, int] = {}
    for client_id in {s.client_id for s in sold} | set(regulars):
        card = loyalty.card(session, client_id or 0)
        tiers[card.tier] = tiers.get(card.tier, 0) + 1
    return {"loyalty_cards": sum(tiers.values()), "loyalty_tiers": tiers, "points_earned": earned,
            "redemption_codes": codes, "memberships": members}


