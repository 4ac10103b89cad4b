"""Memberships: clients' subscriptions to the plans (`services.memberships.plans`).

A membership runs in monthly periods from its anchor day: period n is [anchor + (n-1) months,
anchor + n months), so one started on Jan 31 renews on Feb 28, then on Mar 31. Each period has its
`membership_period` row (one per number, by constraint) and, for a priced plan, a sale at the
location that sold the membership with the fee as a `membership` line (taxed, never discounted).
Memberships know nothing of sales: the till that opens, pays and voids those fee sales is passed in
(`FeeTill`; `till.membership_fees` passes its own and is what the CLI and the dashboard call).
The period's credits pay for services, one credit a service (`spend_credit`); the plan's discount
applies to the client's sales (`discount_for`); its benefits gate features (`has_benefit`).

One active-or-paused membership per client (`ix_membership_client_live`). A paused membership
keeps its credits but cannot spend them, gives no discount or benefit and is skipped by renewal;
resuming moves its period end (and anchor) on by the whole days it was paused. Cancelling stops it
at the period end (`cancelled_at` set while still `active`; `renew-memberships` ends it) or at once
with `now`; a paused one has no running period and stops at once. `services.memberships.renewal`
renews, expires and ends memberships.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import Location, Membership, MembershipPeriod, MembershipPlan, Payment, Sale, SaleLine
from salon_cli.services.salon import audit, business_days
from salon_cli.services.clients import profiles as clients
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.memberships.plans import find_plan

PAY_METHODS = ("cash", "card", "transfer")
LIVE = ("active", "paused")


class FeeTill(Protocol):
    """What a membership needs of the till for its fees, passed in (`till.membership_fees.TILL`)."""

    def open_fee(self, session: Session, *, actor: Actor, location: LocationView, client_id: int,
                 description: str, amount_cents: int) -> int:
        """A new open sale for the client with the fee as its one line; its id."""

    def pay_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int, method: str) -> None:
        """Take what the fee sale is due by `method` (cash, card or transfer)."""

    def void_fee(self, session: Session, *, actor: Actor, location: LocationView, sale_id: int,
                 reason: str) -> None:
        """Void a fee sale that took no money."""


@dataclass(frozen=True)
class MembershipView:
    id: int
    client_id: int
    plan: str
    plan_name: str
    tier: str
    status: str
    credits_remaining: int
    monthly_credits: int
    discount_bp: int
    benefits: list[str]
    current_period_start: date
    current_period_end: date
    period_number: int
    fee_sale_id: int | None
    fee_status: str | None  # the fee sale's status; None for a free plan
    fee_cents: int | None
    location: str
    anchor_date: date
    cancels_at_period_end: bool
    cancel_reason: str | None
    paused_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    created_at: datetime


# ----------------------------------------------------------------------------- reading memberships

def period_end(anchor: date, number: int) -> date:
    """The day period `number` ends (exclusive): anchor + number months, clamped to the month's end."""
    return anchor + relativedelta(months=number)


def live(session: Session, client_id: int, *, lock: bool = False) -> Membership | None:
    """The client's active or paused membership, if any."""
    query = select(Membership).where(Membership.client_id == client_id, col(Membership.status).in_(LIVE))
    return session.exec(query.with_for_update() if lock else query).first()


def _live_or_refuse(session: Session, client_id: int) -> Membership:
    row = live(session, client_id, lock=True)
    if row is None:
        clients.get(session, client_id)
        raise NotFound(f"client {client_id} has no active or paused membership",
                       hint=f"see: salon membership show {client_id}")
    return row


def current_fee(session: Session, row: Membership) -> Sale | None:
    """The sale charging the current period's fee (None: a free period)."""
    sale_id = session.exec(select(MembershipPeriod.sale_id).where(
        MembershipPeriod.membership_id == row.id, MembershipPeriod.number == row.period_number)).first()
    return session.get(Sale, sale_id) if sale_id is not None else None


def home(session: Session, row: Membership) -> LocationView:
    """The location that sold the membership: renewals are charged there, pauses counted in its days."""
    place = session.get(Location, row.location_id)
    assert place is not None
    return LocationView.of(place)


def view(session: Session, row: Membership) -> MembershipView:
    plan = session.get(MembershipPlan, row.plan_id)
    assert plan is not None
    sale = current_fee(session, row)
    return MembershipView(
        id=row.id or 0, client_id=row.client_id, plan=plan.code, plan_name=plan.name, tier=plan.tier,
        status=row.status, credits_remaining=row.credits_remaining, monthly_credits=plan.monthly_credits,
        discount_bp=plan.discount_bp, benefits=list(plan.benefits or []),
        current_period_start=row.current_period_start, current_period_end=row.current_period_end,
        period_number=row.period_number, fee_sale_id=sale.id if sale else None,
        fee_status=sale.status if sale else None, fee_cents=sale.total_cents if sale else None,
        location=home(session, row).code, anchor_date=row.anchor_date,
        cancels_at_period_end=row.status == "active" and row.cancelled_at is not None,
        cancel_reason=row.cancel_reason, paused_at=row.paused_at, ended_at=row.ended_at,
        end_reason=row.end_reason, created_at=row.created_at)


def show(session: Session, client_id: int) -> MembershipView:
    """The client's active or paused membership, else their latest one."""
    row = live(session, client_id) or session.exec(
        select(Membership).where(Membership.client_id == client_id).order_by(col(Membership.id).desc())).first()
    if row is None:
        clients.get(session, client_id)
        raise NotFound(f"client {client_id} has no membership", hint="sell one: salon membership subscribe CLIENT PLAN")
    return view(session, row)


# ----------------------------------------------------------------------------- changing memberships

def _refuse_second(session: Session, client_id: int) -> None:
    other = live(session, client_id)
    if other is not None:
        plan = session.get(MembershipPlan, other.plan_id)
        raise Conflict(f"client {client_id} already has membership {other.id} ({plan.name if plan else '?'}, "
                       f"{other.status})", hint=f"see: salon membership show {client_id}; to change plans cancel "
                                            f"it first: salon membership cancel {client_id} --now --reason ...")


def _audit(session: Session, actor: Actor, location: LocationView, row: Membership, action: str,
           before: dict[str, Any] | None, **extra: Any) -> None:
    audit.record(session, actor=actor, action=f"membership.{action}", entity="membership", entity_id=row.id,
                 location_id=location.id, before=before, after={**(audit.snapshot(row) or {}), **extra})


def open_fee(session: Session, *, actor: Actor, location: LocationView, till: FeeTill, row: Membership,
             plan: MembershipPlan, starts_on: date, ends_on: date) -> int | None:
    """A period's fee as a new open sale at `location` through `till` (None for a free plan)."""
    if plan.monthly_price_cents <= 0:
        return None
    return till.open_fee(session, actor=actor, location=location, client_id=row.client_id,
                         description=f"{plan.name} membership {starts_on.isoformat()} to {ends_on.isoformat()}",
                         amount_cents=plan.monthly_price_cents)


def subscribe(session: Session, *, actor: Actor, location: LocationView, till: FeeTill, client_id: int,
              plan_code: str, pay_method: str | None = None) -> MembershipView:
    """Sell a plan at this location from today: period 1, its credits and its fee sale through `till`
    (paid at once with `pay_method`: cash, card or transfer)."""
    authorize(actor, Permission.desk)
    method = pay_method.strip().lower() if pay_method is not None else None
    if method is not None and method not in PAY_METHODS:
        raise InvalidInput(f"--pay {pay_method!r} is not one of {', '.join(PAY_METHODS)}",
                           hint="or leave the fee open and take it later: salon sale pay SALE ...")
    clients.live(session, client_id)  # locked: two desks subscribing one client take turns
    plan = find_plan(session, plan_code)
    if not plan.active:
        raise RuleViolation(f"plan {plan.code} is no longer sold", hint="see: salon membership plans")
    _refuse_second(session, client_id)
    day = business_days.today(location)
    end = period_end(day, 1)
    now = clock.now()
    row = Membership(client_id=client_id, plan_id=plan.id or 0, location_id=location.id, status="active",
                     credits_remaining=plan.monthly_credits, anchor_date=day, period_number=1,
                     current_period_start=day, current_period_end=end, created_at=now, created_by_id=actor.id,
                     updated_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another desk's subscription committed between our check and insert
        _refuse_second(session, client_id)
        raise
    period = MembershipPeriod(membership_id=row.id or 0, number=1, starts_on=day, ends_on=end,
                              credits=plan.monthly_credits, created_at=now)
    session.add(period)
    session.flush()
    period.sale_id = open_fee(session, actor=actor, location=location, till=till, row=row, plan=plan, starts_on=day,
                              ends_on=end)
    session.add(period)
    session.flush()
    _audit(session, actor, location, row, "subscribe", None, plan=plan.code, sale_id=period.sale_id)
    if method is not None and period.sale_id is not None:
        till.pay_fee(session, actor=actor, location=location, sale_id=period.sale_id, method=method)
    return view(session, row)


def _reason(text: str | None, *, required: bool = False) -> str | None:
    return clean_text(text, refusal_words("the reason"), 255, required=required)


def pause(session: Session, *, actor: Actor, location: LocationView, client_id: int,
          reason: str | None = None) -> MembershipView:
    """Stop the clock: credits kept but not spendable, no discount or benefits, no renewal."""
    authorize(actor, Permission.desk)
    why = _reason(reason)
    row = _live_or_refuse(session, client_id)
    if row.status == "paused":
        raise RuleViolation(f"membership {row.id} is paused already", hint=f"resume it: salon membership resume {client_id}")
    if row.cancelled_at is not None:
        raise RuleViolation(f"membership {row.id} ends on {row.current_period_end.isoformat()}: it cannot be paused",
                            hint=f"to end it now: salon membership cancel {client_id} --now --reason ...")
    before = audit.snapshot(row)
    now = clock.now()
    row.status, row.paused_at, row.updated_at = "paused", now, now
    session.add(row)
    session.flush()
    _audit(session, actor, location, row, "pause", before, reason=why)
    return view(session, row)


def resume(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> MembershipView:
    """A paused membership runs again, its period end (and anchor) moved on by the whole days paused;
    an active one set to cancel at its period end keeps going instead."""
    authorize(actor, Permission.desk)
    row = _live_or_refuse(session, client_id)
    before = audit.snapshot(row)
    days = 0
    if row.status == "paused":
        place = home(session, row)
        paused_on = business_date(row.paused_at or clock.now(), place.tz)
        days = max(0, (business_days.today(place) - paused_on).days)
        row.current_period_end += timedelta(days=days)
        row.anchor_date += timedelta(days=days)
        session.execute(sa.update(MembershipPeriod).where(
            col(MembershipPeriod.membership_id) == row.id, col(MembershipPeriod.number) == row.period_number)
            .values(ends_on=row.current_period_end))
        row.status, row.paused_at = "active", None
    elif row.cancelled_at is not None:
        row.cancelled_at, row.cancel_reason = None, None
    else:
        raise RuleViolation(f"membership {row.id} is active: there is nothing to resume")
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    _audit(session, actor, location, row, "resume", before, days_paused=days)
    return view(session, row)


def cancel(session: Session, *, actor: Actor, location: LocationView, client_id: int, reason: str,
           now: bool = False) -> MembershipView:
    """Cancel at the period end (the default: it stays active until `renew-memberships` ends it) or at
    once (`now`, and always for a paused one). An open fee sale is left for the desk to take or void."""
    authorize(actor, Permission.desk)
    why = _reason(reason, required=True)
    row = _live_or_refuse(session, client_id)
    if not now and row.status == "active" and row.cancelled_at is not None:
        raise RuleViolation(f"membership {row.id} already ends on {row.current_period_end.isoformat()}",
                            hint=f"to end it now: salon membership cancel {client_id} --now --reason ...")
    before = audit.snapshot(row)
    at = clock.now()
    row.cancelled_at, row.cancel_reason, row.updated_at = at, why, at
    at_once = now or row.status == "paused"
    if at_once:
        row.status, row.ended_at, row.end_reason = "cancelled", at, "cancelled"
    session.add(row)
    session.flush()
    _audit(session, actor, location, row, "cancel", before, at_period_end=not at_once)
    return view(session, row)


# ----------------------------------------------------------------------------- what sales ask

def _active_plan(session: Session, client_id: int) -> tuple[Membership, MembershipPlan] | None:
    found = session.exec(select(Membership, MembershipPlan)
                         .join(MembershipPlan, col(MembershipPlan.id) == Membership.plan_id)
                         .where(Membership.client_id == client_id, col(Membership.status) == "active")).first()
    return (found[0], found[1]) if found else None


def discount_for(session: Session, client_id: int | None) -> tuple[int, str] | None:
    """(basis points, label) of the client's active (not paused) membership's discount, if it has one."""
    found = _active_plan(session, client_id) if client_id is not None else None
    if found is None or found[1].discount_bp <= 0:
        return None
    return found[1].discount_bp, f"{found[1].name} membership"


def has_benefit(session: Session, client_id: int, benefit: str) -> bool:
    """Whether the client's active (not paused) membership's plan lists `benefit`."""
    found = _active_plan(session, client_id)
    return found is not None and benefit in (found[1].benefits or [])


def _service_units(session: Session, sale: Sale) -> list[int]:
    """One amount per service done, largest first: a line of quantity q counts as q services of
    total // q, its last taking the remainder (ties keep the lines' order)."""
    lines = session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id, col(SaleLine.kind) == "service")
                         .order_by(col(SaleLine.position))).all()
    units: list[tuple[int, int, int]] = []
    for line in lines:
        each = line.total_cents // line.quantity
        for i in range(line.quantity):
            units.append((each if i < line.quantity - 1 else line.total_cents - each * i, line.position, i))
    return [amount for amount, _, _ in sorted(units, key=lambda u: (-u[0], u[1], u[2]))]


def spend_credit(session: Session, *, actor: Actor, location: LocationView, sale: Sale,
                 due_cents: int) -> tuple[int, int]:
    """Take one credit of the sale's client's active membership for the next service on the sale not yet
    paid by credit; returns (membership id, amount to pay, capped at `due_cents`, what the sale has
    still to pay). The caller (`till.tenders`) records the `credit` payment with that membership id in
    the same transaction."""
    authorize(actor, Permission.desk)
    if sale.client_id is None:
        raise RuleViolation(f"sale {sale.id} has no client: membership credits are the client's",
                            hint="open the sale for the client: salon sale open --client ID")
    row = live(session, sale.client_id, lock=True)
    if row is None:
        raise RuleViolation(f"client {sale.client_id} has no active membership to pay with credits")
    if row.status == "paused":
        raise RuleViolation(f"membership {row.id} is paused: its credits cannot be spent until it resumes",
                            hint=f"salon membership resume {sale.client_id}")
    if row.credits_remaining <= 0:
        raise RuleViolation(f"no credits left this period (renews on {row.current_period_end.isoformat()})")
    used = session.exec(select(sa.func.count()).select_from(Payment).where(
        Payment.sale_id == sale.id, col(Payment.method) == "credit",
        col(Payment.status).in_(("succeeded", "pending")))).one()
    units = _service_units(session, sale)
    if used >= len(units):
        raise RuleViolation(f"sale {sale.id} has no service left for a credit to pay"
                            + (f" ({used} already paid by credit)" if used else ""))
    amount = min(units[used], due_cents)
    if amount <= 0:
        raise RuleViolation(f"sale {sale.id} has nothing left for a credit to pay")
    before = {"credits_remaining": row.credits_remaining}
    row.credits_remaining -= 1
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="membership.credit_used", entity="membership", entity_id=row.id,
                 location_id=location.id, before=before,
                 after={"credits_remaining": row.credits_remaining, "sale_id": sale.id, "amount_cents": amount})
    return row.id or 0, amount
