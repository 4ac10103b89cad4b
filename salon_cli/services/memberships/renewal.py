"""`salon renew-memberships`: every membership whose period has ended moves on, one period at a time.

For each `active` membership whose `current_period_end` is on or before the business day of `as_of`
at the location that sold it, while that is so:
- set to cancel at its period end (`cancelled_at`): it ends, status `cancelled`;
- its period's fee sale is not paid (open, voided or refunded): it expires (`end_reason` "unpaid"),
  and its still-open fee sale is voided ("membership expired unpaid"); one with money taken or in
  flight is left open for a person to settle (`open_fee_sale_ids`);
- else it renews: the next period's row (one per number, by constraint), the plan's credits afresh
  (unused credits do not roll over) and a new fee sale at that location for the plan's price now.
So a membership several periods behind catches up one period at a time and expires at the first
unpaid one (a fee the job has just opened is unpaid). Paused memberships are skipped.

The fee sales (and the voids) land on the location's business day today, so a location whose day
is closed is skipped and reported in `skipped`; the next run after the day is re-opened, or the
next day, picks its memberships up. `charged_cents` is the plan prices of the fee sales the run
opened and left open.

Idempotent: the job is single-instance for the whole chain (`jobs.run`: a second run at once exits
4), the memberships due are locked, a renewed one is no longer due, and a period exists once by
constraint. `dry_run` plans the same steps in a read-only transaction and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.db.models import Membership, MembershipPeriod, MembershipPlan, Payment, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, business_days, jobs, locations
from salon_cli.services.memberships import subscriptions as memberships
from salon_cli.services.memberships.subscriptions import FeeTill
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.salon.locations import LocationView

JOB = "renew-memberships"
PAID = ("paid", "partially_refunded")
VOID_REASON = "membership expired unpaid"


@dataclass(frozen=True)
class Step:
    kind: str  # renew | expire | end
    number: int  # the period renewed into, or the period that ended
    starts_on: date | None = None
    ends_on: date | None = None


def plan_steps(*, number: int, period_end: date, anchor: date, cancelling: bool, fee_paid: bool, free: bool,
               day: date) -> list[Step]:
    """What the job does to one membership on `day`, given its current period and whether that
    period's fee is paid: renewals, then an end or an expiry if it comes to one."""
    steps: list[Step] = []
    end, paid = period_end, fee_paid
    while end <= day:
        if cancelling:
            return [*steps, Step("end", number)]
        if not paid:
            return [*steps, Step("expire", number)]
        number += 1
        start, end = end, memberships.period_end(anchor, number)
        steps.append(Step("renew", number, start, end))
        paid = free  # the new period's fee is unpaid until someone pays it
    return steps


@dataclass
class Tally:
    renewed: int = 0
    expired: int = 0
    ended: int = 0
    charged_cents: int = 0
    membership_ids: list[int] = field(default_factory=list)
    fee_sale_ids: list[int] = field(default_factory=list)
    voided_sale_ids: list[int] = field(default_factory=list)
    open_fee_sale_ids: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def counts(self, as_of: datetime) -> dict[str, Any]:
        return {"as_of": as_of.isoformat(), "renewed": self.renewed, "expired": self.expired, "ended": self.ended,
                "charged_cents": self.charged_cents, "membership_ids": self.membership_ids,
                "fee_sale_ids": self.fee_sale_ids, "voided_sale_ids": self.voided_sale_ids,
                "open_fee_sale_ids": self.open_fee_sale_ids, "skipped": self.skipped}


@dataclass(frozen=True)
class RenewalReport:
    as_of: datetime
    dry_run: bool
    renewed: int  # periods started
    expired: int
    ended: int
    charged_cents: int
    membership_ids: list[int]
    fee_sale_ids: list[int]
    voided_sale_ids: list[int]
    open_fee_sale_ids: list[int]
    skipped: list[dict[str, Any]]
    job_run_id: int | None


def _money_taken(session: Session, sale: Sale) -> bool:
    return bool(session.exec(select(sa.func.count()).select_from(Payment).where(
        Payment.sale_id == sale.id, col(Payment.status).in_(("succeeded", "pending")))).one())


def _due(session: Session, place: LocationView, day: date, *, lock: bool) -> list[Membership]:
    query = (select(Membership).where(Membership.location_id == place.id, col(Membership.status) == "active",
                                      col(Membership.current_period_end) <= day)
             .order_by(col(Membership.current_period_end), col(Membership.id)))
    return list(session.exec(query.with_for_update() if lock else query))


def run_due(session: Session, *, as_of: datetime, till: FeeTill, dry_run: bool = False,
            actor: Actor = SYSTEM) -> Tally:
    """The job's work in the caller's transaction: every location's due memberships."""
    tally = Tally()
    for place in locations.list_locations(session):
        day = business_date(as_of, place.tz)
        rows = _due(session, place, day, lock=not dry_run)
        if not rows:
            continue
        today = business_days.today(place)
        if business_days.is_closed(session, place.id, today):
            tally.skipped.append({"location": place.code, "business_date": today.isoformat(), "due": len(rows),
                                  "reason": "business day closed"})
            continue
        for row in rows:
            _catch_up(session, row, place, day, actor, tally, dry_run, till)
    return tally


def _catch_up(session: Session, row: Membership, place: LocationView, day: date, actor: Actor, tally: Tally,
              dry_run: bool, till: FeeTill) -> None:
    plan = session.get(MembershipPlan, row.plan_id)
    assert plan is not None
    sale = memberships.current_fee(session, row)
    steps = plan_steps(number=row.period_number, period_end=row.current_period_end, anchor=row.anchor_date,
                       cancelling=row.cancelled_at is not None, fee_paid=sale is None or sale.status in PAID,
                       free=plan.monthly_price_cents <= 0, day=day)
    if steps:
        tally.membership_ids.append(row.id or 0)
    opened_here = False  # whether the current period's fee sale was opened by this run
    for step in steps:
        if step.kind == "renew":
            tally.renewed += 1
            tally.charged_cents += plan.monthly_price_cents
            opened_here = plan.monthly_price_cents > 0
            if not dry_run:
                _renew(session, row, plan, step, place, actor, tally, till)
        elif step.kind == "end":
            tally.ended += 1
            if not dry_run:
                _finish(session, row, place, actor, "cancelled", "cancelled", "end")
        else:
            tally.expired += 1
            fee = memberships.current_fee(session, row) if not dry_run else (None if opened_here else sale)
            if opened_here:  # its fee sale was never paid: the run voids what it opened
                tally.charged_cents -= plan.monthly_price_cents
            if not dry_run:
                _finish(session, row, place, actor, "expired", "unpaid", "expire")
            if fee is not None and fee.status == "open":
                if _money_taken(session, fee):
                    tally.open_fee_sale_ids.append(fee.id or 0)
                else:
                    if not dry_run:
                        till.void_fee(session, actor=actor, location=place, sale_id=fee.id or 0, reason=VOID_REASON)
                    tally.voided_sale_ids.append(fee.id or 0)


def _renew(session: Session, row: Membership, plan: MembershipPlan, step: Step, place: LocationView, actor: Actor,
           tally: Tally, till: FeeTill) -> None:
    assert step.starts_on is not None and step.ends_on is not None
    before = audit.snapshot(row)
    period = MembershipPeriod(membership_id=row.id or 0, number=step.number, starts_on=step.starts_on,
                              ends_on=step.ends_on, credits=plan.monthly_credits, created_at=clock.now())
    session.add(period)
    session.flush()  # a second period of this number fails here, before any sale is opened
    period.sale_id = memberships.open_fee(session, actor=actor, location=place, till=till, row=row, plan=plan,
                                          starts_on=step.starts_on, ends_on=step.ends_on)
    session.add(period)
    if period.sale_id is not None:
        tally.fee_sale_ids.append(period.sale_id)
    row.period_number, row.current_period_start, row.current_period_end = step.number, step.starts_on, step.ends_on
    row.credits_remaining, row.updated_at = plan.monthly_credits, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="membership.renew", entity="membership", entity_id=row.id,
                 location_id=place.id, before=before, after={**(audit.snapshot(row) or {}), "sale_id": period.sale_id})


def _finish(session: Session, row: Membership, place: LocationView, actor: Actor, status: str, reason: str,
            action: str) -> None:
    before = audit.snapshot(row)
    now = clock.now()
    row.status, row.ended_at, row.end_reason, row.updated_at = status, now, reason, now
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=f"membership.{action}", entity="membership", entity_id=row.id,
                 location_id=place.id, before=before, after=audit.snapshot(row))


def renew(engine: Engine, *, till: FeeTill, as_of: datetime | None = None, dry_run: bool = False,
          actor: Actor = SYSTEM) -> RenewalReport:
    """One run of the job for the whole chain (raises `Busy`, exit 4, while another run holds the lock);
    the fee sales go through `till` (`till.membership_fees.renew` passes the till's own)."""
    as_of = as_of or clock.now()
    found: dict[str, Tally] = {}

    def work(uow: UnitOfWork) -> dict[str, Any]:
        found["tally"] = run_due(uow.session, as_of=as_of, till=till, dry_run=dry_run, actor=actor)
        return found["tally"].counts(as_of)

    run_id = None
    if dry_run:  # reads only: no lock, no job run, nothing written
        with UnitOfWork(engine, write=False) as uow:
            work(uow)
    else:
        run_id = jobs.run(engine, job=JOB, location_id=None, work=work, run_by=actor.run_by).id
    t = found["tally"]
    return RenewalReport(as_of=as_of, dry_run=dry_run, renewed=t.renewed, expired=t.expired, ended=t.ended,
                         charged_cents=t.charged_cents, membership_ids=t.membership_ids, fee_sale_ids=t.fee_sale_ids,
                         voided_sale_ids=t.voided_sale_ids, open_fee_sale_ids=t.open_fee_sale_ids,
                         skipped=t.skipped, job_run_id=run_id)
