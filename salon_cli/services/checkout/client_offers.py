"""What a client brings to a checkout, read for the desk: the deposit already paid on the ticket, the
membership (plan, discount, credits), unused reward codes and the rewards their points buy now (each
with what it pays on this ticket, or why it pays nothing), gift cards with their balances, open
penalties not yet on a sale, the stamp the visit earns, and the client's own promotion codes
(`checkout.promos.personal`, each with why it cannot apply here).

A read model: it changes nothing. What a code pays follows `loyalty.rewards` (an amount, a percent
of what was bought, or the price on the ticket of its service or the cheapest of its category, never
more than what is due), read from the ticket's lines so that it works on the draft of a sale not
opened yet as on an open one; `loyalty.rewards.use` decides when the code is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from salon_cli.core.days import business_date
from salon_cli.core.money import format_money, percent_of
from salon_cli.db.models import LoyaltyAccount, Redemption, Reward, Service
from salon_cli.services.book import penalties
from salon_cli.services.checkout.promos import PromoOffer, personal
from salon_cli.services.loyalty import ledger
from salon_cli.services.memberships import subscriptions
from salon_cli.services.salon.business_days import today
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import deposits, gift_cards, sales
from salon_cli.services.till.sale_views import SaleLineView, SaleView

BOUGHT = ("service", "product")  # what a percent reward is a percent of (`loyalty.cards.EARNING_LINES`)


@dataclass(frozen=True)
class MembershipOffer:
    plan: str
    plan_name: str
    status: str  # active | paused
    discount_bp: int
    credits_remaining: int
    monthly_credits: int
    renews_on: date


@dataclass(frozen=True)
class CodeOffer:
    """An unused redemption code (`code`), or a reward the points buy now (`code` None)."""
    code: str | None
    reward_id: int | None
    reward: str
    points: int
    pays_cents: int  # on this ticket, now (0: see why_not)
    why_not: str | None


@dataclass(frozen=True)
class GiftCardOffer:
    code: str
    balance_cents: int


@dataclass(frozen=True)
class PenaltyOffer:
    id: int
    kind: str  # no_show | late_cancel
    amount_cents: int
    status: str  # pending | failed
    reason: str


@dataclass(frozen=True)
class StampOffer:
    stamps: int  # on the card now
    target: int
    reward: str | None
    needs_pin: bool  # the program asks the stamping staff member's PIN
    given_today: bool  # the card was stamped today already (this visit's, most likely)

    @property
    def next(self) -> int:
        """The stamp this visit earns: 'stamp 4 of 8'."""
        return self.stamps + 1


@dataclass(frozen=True)
class Offers:
    client_id: int
    deposit_cents: int  # deposits paid on the ticket (payments already) and not given back
    membership: MembershipOffer | None
    codes: list[CodeOffer] = field(default_factory=list)
    points: int = 0
    rewards: list[CodeOffer] = field(default_factory=list)  # what the points buy now
    gift_cards: list[GiftCardOffer] = field(default_factory=list)
    penalties: list[PenaltyOffer] = field(default_factory=list)
    stamp: StampOffer | None = None
    promos: list[PromoOffer] = field(default_factory=list)  # the client's own codes, in their dates


def offers(session: Session, location: LocationView, *, client_id: int, ticket: SaleView | None) -> Offers:
    """What client `client_id` brings to `ticket` (an open sale or a draft; None: nothing on it yet)."""
    categories = _categories(session, [line.service_id for line in (ticket.lines if ticket else [])])
    deposit = deposits.held_cents(session, ticket.id) if ticket is not None and ticket.id else 0
    prog = ledger.program(session)
    acct = ledger.account(session, client_id, lock=False)
    points = acct.points if acct is not None else 0
    codes = [_offer(session, r, ticket, categories, location) for r in session.exec(
        select(Redemption).join(LoyaltyAccount, col(LoyaltyAccount.id) == Redemption.account_id)
        .where(LoyaltyAccount.client_id == client_id, Redemption.status == "issued").order_by(col(Redemption.id)))]
    buyable = []
    if prog.active and prog.type != "stamps" and acct is not None and points >= max(prog.min_redemption, 1):
        for reward in session.exec(select(Reward).where(col(Reward.active).is_(True), col(Reward.points_cost) > 0,
                                                        col(Reward.points_cost) <= points)
                                   .order_by(col(Reward.points_cost), col(Reward.id))):
            buyable.append(_offer(session, reward, ticket, categories, location))
    stamp = None
    if prog.active and prog.type in ("stamps", "hybrid") and prog.stamps_target > 0:
        prize = session.get(Reward, prog.stamps_reward_id) if prog.stamps_reward_id is not None else None
        last = acct.last_stamp_at if acct is not None else None
        stamp = StampOffer(acct.stamps if acct is not None else 0, prog.stamps_target, prize.name if prize else None,
                           prog.require_pin, last is not None and business_date(last, location.tz) == today(location))
    return Offers(client_id=client_id, deposit_cents=deposit, membership=_membership(session, client_id), codes=codes,
                  points=points, rewards=buyable, gift_cards=[
                      GiftCardOffer(c.code, c.balance_cents) for c in gift_cards.list_cards(
                          session, location=location, client_id=client_id, status="active") if c.balance_cents > 0],
                  penalties=_penalties(session, location, client_id), stamp=stamp,
                  promos=personal(session, location, client_id, ticket))


def _membership(session: Session, client_id: int) -> MembershipOffer | None:
    row = subscriptions.live(session, client_id)
    if row is None:
        return None
    seen = subscriptions.view(session, row)
    return MembershipOffer(plan=seen.plan, plan_name=seen.plan_name, status=seen.status, discount_bp=seen.discount_bp,
                           credits_remaining=seen.credits_remaining, monthly_credits=seen.monthly_credits,
                           renews_on=seen.current_period_end)


def _penalties(session: Session, location: LocationView, client_id: int) -> list[PenaltyOffer]:
    """The client's penalties that may still be paid (pending or failed) and sit on no live sale."""
    found = [p for p in penalties.list_penalties(session, location=location, client_id=client_id)
             if p.status in ("pending", "failed")]
    return [PenaltyOffer(p.id, p.kind, p.amount_cents, p.status, p.reason) for p in found
            if sales.sale_of_penalty(session, p.id) is None]


def _categories(session: Session, service_ids: Sequence[int | None]) -> dict[int, str]:
    ids = sorted({i for i in service_ids if i is not None})
    if not ids:
        return {}
    return {sid or 0: (cat or "").lower() for sid, cat in session.exec(
        select(Service.id, Service.category).where(col(Service.id).in_(ids)))}


def _offer(session: Session, row: Redemption | Reward, ticket: SaleView | None, categories: dict[int, str],
           location: LocationView) -> CodeOffer:
    """What a code (or a reward bought now) pays on the ticket, or why it pays nothing."""
    if isinstance(row, Redemption):
        code, reward_id, name, points = row.code, row.reward_id, row.description, row.points
    else:
        code, reward_id, name, points = None, row.id, row.name, row.points_cost
    service_id, category = row.service_id, row.category
    if row.kind == "free_service" and service_id is None and category is None and reward_id is not None:
        reward = session.get(Reward, reward_id)  # a code issued before its reward named a service
        service_id, category = (reward.service_id, reward.category) if reward is not None else (None, None)
    worth, why = _worth(row.kind, row.value, service_id, category, ticket, categories, session)
    due = ticket.balance_cents if ticket is not None else 0
    if why is None and due <= 0:
        why = "nothing is due on this ticket"
    pays = min(worth, due) if why is None else 0
    if why is None and pays <= 0:
        why = f"pays nothing on this ticket ({format_money(worth, location.currency)})"
    return CodeOffer(code, reward_id, name, points, pays, why)


def _worth(kind: str, value: int, service_id: int | None, category: str | None, ticket: SaleView | None,
           categories: dict[int, str], session: Session) -> tuple[int, str | None]:
    lines: list[SaleLineView] = ticket.lines if ticket is not None else []
    if kind == "discount_amount":
        return value, None
    if kind == "discount_pct":
        return percent_of(sum(line.total_cents for line in lines if line.kind in BOUGHT), value), None
    if service_id is None and category is None:
        return 0, "names no service, so it pays nothing"
    if service_id is not None:
        matching = [line for line in lines if line.kind == "service" and line.service_id == service_id]
        found = session.get(Service, service_id)
        wanted = found.name if found is not None else f"service {service_id}"
    else:
        matching = [line for line in lines if line.kind == "service" and line.service_id is not None
                    and categories.get(line.service_id) == (category or "").lower()]
        wanted = f"a {category} service"
    if not matching:
        return 0, f"is for {wanted}: this ticket has none"
    return min(line.total_cents // line.quantity for line in matching), None

