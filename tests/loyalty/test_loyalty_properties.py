"""A hypothesis state machine over one card, through the real services, on SQLite and PostgreSQL:
random earns (paid sales), redemptions, voided codes, refunds, expiry runs, manager adjustments and
stamps, with time passing. After every step: cached balance = sum(entries) = sum(lots remaining) >= 0,
stamps = sum(entry stamps), and lifetime points never fall."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from sqlmodel import select

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import LoyaltyEntry
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import profiles as clients
from salon_cli.services.loyalty import (
    cards as loyalty,
    program as loyalty_program,
    rewards as loyalty_rewards,
    expiry as points_expiry,
)
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.loyalty import ledger
from shop import OWNER, make_shop

_names = itertools.count()


def _machine(engine, shop, clock, rewards):
    class Card(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with UnitOfWork(engine) as uow:
                self.client = clients.add(uow.session, actor=OWNER, location=shop.loc,
                                          first_name=f"Prop{next(_names)}", last_name="Test").id
                loyalty.enroll(uow.session, actor=shop.sofia, location=shop.loc, client_id=self.client)
                uow.commit()
            self.sales: list[int] = []
            self.codes: list[str] = []
            self.lifetime = 0

        def _do(self, fn, **kw):
            with UnitOfWork(engine) as uow:
                result = fn(uow.session, **kw)
                uow.commit()
            return result

        @rule(price=st.integers(min_value=1, max_value=200_000), tip=st.integers(min_value=0, max_value=5_000))
        def earn(self, price, tip):
            def work(session):
                sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=self.client)
                sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte",
                                  staff="ana", price_cents=price)
                tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="card",
                             tip_cents=tip)
                return sale.id
            self.sales.append(self._do(work))

        @rule(which=st.integers(min_value=0, max_value=2))
        def redeem(self, which):
            try:
                self.codes.append(self._do(loyalty_rewards.redeem, actor=shop.sofia, location=shop.loc,
                                           client_id=self.client, reward_id=rewards[which]).code)
            except RuleViolation:
                pass  # not enough points: refused, nothing changed (the invariants say so)

        @precondition(lambda self: self.codes)
        @rule(data=st.data())
        def void_code(self, data):
            code = data.draw(st.sampled_from(self.codes))
            try:
                self._do(loyalty_rewards.void, actor=shop.sofia, location=shop.loc, code=code)
            except RuleViolation:
                pass  # voided already

        @precondition(lambda self: self.sales)
        @rule(data=st.data(), share=st.integers(min_value=1, max_value=100))
        def refund(self, data, share):
            sale_id = data.draw(st.sampled_from(self.sales))
            with UnitOfWork(engine, write=False) as uow:
                sale = sales.get(uow.session, sale_id, shop.loc)
                left = sale.paid_cents - sale.refunded_cents
            if left <= 0:
                return
            self._do(tenders.refund, actor=OWNER, location=shop.loc, sale_id=sale_id,
                     amount_cents=max(1, left * share // 100), reason="property")

        @rule(days=st.integers(min_value=0, max_value=120))
        def time_passes_and_points_expire(self, days):
            clock.advance(days=days)
            points_expiry.expire(engine)

        @rule(points=st.integers(min_value=-3000, max_value=3000).filter(bool))
        def adjust(self, points):
            try:
                self._do(loyalty.adjust, actor=OWNER, location=shop.loc, client_id=self.client, points=points,
                         reason="property")
            except RuleViolation:
                pass  # more than the balance: refused

        @rule(minutes=st.integers(min_value=0, max_value=600))
        def stamp(self, minutes):
            clock.advance(minutes=minutes)
            try:
                self._do(loyalty_rewards.stamp, actor=shop.sofia, location=shop.loc, client_id=self.client)
            except RuleViolation:
                pass  # cooldown or daily cap

        @invariant()
        def ledger_balances(self):
            with UnitOfWork(engine, write=False) as uow:
                figures = ledger.check(uow.session, loyalty.account_id_of(uow.session, self.client))
            assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures
            assert figures["stamps"] == figures["entry_stamps"] >= 0, figures
            assert figures["lifetime"] >= self.lifetime, figures
            self.lifetime = figures["lifetime"]

    return Card


def test_random_sequences_keep_the_ledger_balanced(engine, salon, clock):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        prize = loyalty_rewards.add_reward(uow.session, actor=OWNER, location=shop.loc, name="A free corte",
                                           kind="free_service", points=0, service="corte")
        loyalty_program.update(uow.session, actor=OWNER, location=shop.loc, type="hybrid", min_redemption=50,
                               stamps_reward=str(prize.id),
                               expiry_months=3, stamps_target=3, cooldown_minutes=30, max_daily_stamps=2,
                               tiers="bronze:0,silver:1000:1.25,gold:2500:1.5,platinum:5000:2")
        rewards = [loyalty_rewards.add_reward(uow.session, actor=OWNER, location=shop.loc, name=name, kind=kind,
                                              value=value, points=cost,
                                              service="corte" if kind == "free_service" else None).id
                   for name, kind, value, cost in (("small", "discount_amount", 5000, 60),
                                                   ("pct", "discount_pct", 1000, 400),
                                                   ("free", "free_service", 0, 1500))]
        uow.commit()
    run_state_machine_as_test(
        _machine(engine, shop, clock, rewards),
        settings=settings(max_examples=20, stateful_step_count=15, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck)))
    # the run went through every kind of move, not only the easy ones
    with UnitOfWork(engine, write=False) as uow:
        kinds = set(uow.session.exec(select(LoyaltyEntry.kind).distinct()).all())
        voided_refunds = uow.session.exec(select(LoyaltyEntry.id).where(LoyaltyEntry.refund_id.is_not(None))).first()
    assert {"welcome", "earn", "redeem", "void", "expire", "adjust", "stamp"} <= kinds, kinds
    assert voided_refunds is not None
