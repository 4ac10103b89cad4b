"""Stripe's refund events in any order, any number of times (issue 26, item 6), on SQLite and PostgreSQL.

A `charge.refunded` of the API versions since 2022-11-15 carries no list of refunds, only the charge's
`amount_refunded`; the refunds themselves come in their own events (`refund.created`,
`charge.refund.updated`). The case of the issue: Stripe refunded 50.00 then 30.00 of one charge, and the
two `charge.refunded` came before the refund events: 80.00 became 110.00 here. Refunds are matched by
Stripe's refund id, and a charge's refunds here never add up to more than Stripe says.
"""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from salon_cli.db.models import Payment, Refund, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, locations
from salon_cli.services.till import payments
from invariants import problems
from test_stripe_webhooks import OWNER, PRICE, deliver, event, intent, pending_sale

FIRST, SECOND = 5000, 3000  # 50.00, then 30.00


@pytest.fixture
def shop(engine, salon, clock):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        catalog.add_service(uow.session, actor=OWNER, location=loc, name="Color", duration_min=60,
                            price_cents=PRICE, code="color")
        uow.commit()
    return loc


def charge(pi: str, refunded: int) -> dict:
    """The charge as a `charge.refunded` carries it today: `amount_refunded`, no `refunds` list."""
    return {"id": f"ch_{pi[3:]}", "object": "charge", "amount": PRICE, "amount_captured": PRICE,
            "amount_refunded": refunded, "captured": True, "paid": True, "status": "succeeded",
            "refunded": refunded >= PRICE, "payment_intent": pi, "currency": "mxn", "metadata": {}}


def refund(pi: str, name: str, amount: int, status: str = "succeeded") -> dict:
    return {"id": f"re_{name}_{pi[3:]}", "object": "refund", "amount": amount, "charge": f"ch_{pi[3:]}",
            "payment_intent": pi, "currency": "mxn", "status": status, "metadata": {},
            "failure_reason": "expired_or_canceled_card" if status == "failed" else None}


def paid_sale(engine, shop, pi: str) -> int:
    sale_id, _ = pending_sale(engine, shop, pi)
    deliver(engine, event("payment_intent.succeeded", intent(pi)))
    return sale_id


def sale(engine, sale_id: int) -> Sale:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.get(Sale, sale_id)


def refunds_of(engine, sale_id: int) -> list[Refund]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(Refund).where(Refund.sale_id == sale_id).order_by(col(Refund.id))))


def named(engine, sale_id: int) -> dict[str, tuple[int, str]]:
    return {r.stripe_refund_id: (r.amount_cents, r.status) for r in refunds_of(engine, sale_id) if r.stripe_refund_id}


def counted(engine, sale_id: int) -> int:
    """What the sale's refunds add up to, row by row (what the Z-report sums)."""
    return sum(r.amount_cents for r in refunds_of(engine, sale_id) if r.status == "succeeded")


def the_issue(pi: str) -> dict[str, dict]:
    """What Stripe sends when it refunds 50.00, then 30.00, of one charge."""
    return {"charge 50": event("charge.refunded", charge(pi, FIRST)),
            "refund 50": event("refund.created", refund(pi, "a", FIRST)),
            "charge 80": event("charge.refunded", charge(pi, FIRST + SECOND)),
            "refund 30": event("refund.created", refund(pi, "b", SECOND))}


def test_the_issue_80_refunded_by_stripe_is_80_here_not_110(engine, shop):
    sale_id = paid_sale(engine, shop, "pi_issue")
    sent = the_issue("pi_issue")
    deliver(engine, sent["charge 80"])  # the charge after both refunds: 80.00, recorded unnamed
    assert (sale(engine, sale_id).refunded_cents, named(engine, sale_id)) == (8000, {})
    deliver(engine, sent["refund 30"])  # was 110.00: the unnamed 80.00 and this 30.00
    assert (sale(engine, sale_id).refunded_cents, named(engine, sale_id)) == (8000, {"re_b_issue": (3000, "succeeded")})
    deliver(engine, sent["refund 50"])
    deliver(engine, sent["charge 50"])  # late: the charge after the first refund
    got = sale(engine, sale_id)
    assert (got.refunded_cents, got.status) == (8000, "partially_refunded")
    assert named(engine, sale_id) == {"re_a_issue": (5000, "succeeded"), "re_b_issue": (3000, "succeeded")}
    assert counted(engine, sale_id) == 8000
    # the unnamed 80.00 gave way to the 30.00 and an unnamed 50.00, which the 50.00 became
    assert [(r.amount_cents, r.status) for r in refunds_of(engine, sale_id) if not r.stripe_refund_id] == [
        (8000, "cancelled")]


def test_every_order_of_the_issue_and_a_duplicate_is_80(engine, shop):
    """All 24 orders of the four events, each followed by a redelivery of its first event and the first
    refund once more under another event (`charge.refund.updated`)."""
    for n, order in enumerate(permutations(["charge 50", "refund 50", "charge 80", "refund 30"])):
        pi = f"pi_order_{n}"
        sale_id = paid_sale(engine, shop, pi)
        sent = the_issue(pi)
        for name in order:
            deliver(engine, sent[name])
            assert 0 < sale(engine, sale_id).refunded_cents <= 8000, (order, name)
        assert deliver(engine, sent[order[0]]).duplicate
        deliver(engine, event("charge.refund.updated", refund(pi, "a", FIRST)))
        got = sale(engine, sale_id)
        assert (got.refunded_cents, got.status, counted(engine, sale_id)) == (8000, "partially_refunded", 8000), order
        assert named(engine, sale_id) == {f"re_a_{pi[3:]}": (5000, "succeeded"),
                                          f"re_b_{pi[3:]}": (3000, "succeeded")}, order
    assert problems(engine) == []  # every refund audited, every sale's figures the sums of its rows


def test_a_failed_refund_leaves_the_sale_as_it_was_before_it(engine, shop):
    sale_id = paid_sale(engine, shop, "pi_fail")
    deliver(engine, event("charge.refunded", charge("pi_fail", FIRST)))
    deliver(engine, event("refund.created", refund("pi_fail", "a", FIRST)))
    assert (sale(engine, sale_id).refunded_cents, sale(engine, sale_id).status) == (5000, "partially_refunded")
    deliver(engine, event("charge.refund.updated", refund("pi_fail", "a", FIRST, "failed")))
    got = sale(engine, sale_id)
    assert (got.paid_cents, got.refunded_cents, got.status) == (PRICE, 0, "paid")
    with UnitOfWork(engine, write=False) as uow:
        payment = uow.session.exec(select(Payment).where(Payment.sale_id == sale_id)).one()
        assert payments.refundable_cents(uow.session, payment) == PRICE
    (row,) = [r for r in refunds_of(engine, sale_id) if r.stripe_refund_id]
    assert (row.status, row.failure_reason) == ("failed", "expired_or_canceled_card")
    # the charge as it was before the refund failed, delivered late: it does not bring the money back
    deliver(engine, event("charge.refunded", charge("pi_fail", FIRST)))
    assert (sale(engine, sale_id).refunded_cents, sale(engine, sale_id).status) == (0, "paid")


def test_a_failure_heard_first_is_never_counted(engine, shop):
    sale_id = paid_sale(engine, shop, "pi_fail_first")
    deliver(engine, event("charge.refund.updated", refund("pi_fail_first", "a", FIRST, "failed")))
    deliver(engine, event("charge.refunded", charge("pi_fail_first", FIRST)))  # older than the failure
    deliver(engine, event("refund.created", refund("pi_fail_first", "a", FIRST)))  # older still
    got = sale(engine, sale_id)
    assert (got.refunded_cents, got.status) == (0, "paid")
    assert named(engine, sale_id) == {"re_a_fail_first": (5000, "failed")}


# Stripe refunds 50.00 and 30.00; later the 50.00 fails (the card was closed): 30.00 is refunded.
FAILING = {
    "charge 50": lambda pi: event("charge.refunded", charge(pi, FIRST)),
    "refund 50": lambda pi: event("refund.created", refund(pi, "a", FIRST)),
    "charge 80": lambda pi: event("charge.refunded", charge(pi, FIRST + SECOND)),
    "refund 30": lambda pi: event("refund.created", refund(pi, "b", SECOND)),
    "50 failed": lambda pi: event("charge.refund.updated", refund(pi, "a", FIRST, "failed")),
    "charge 30": lambda pi: event("charge.refunded", charge(pi, SECOND)),  # the charge after the failure
}


@st.composite
def deliveries(draw) -> list[str]:
    """Every event once, in any order, and up to three redeliveries anywhere."""
    order = list(draw(st.permutations(sorted(FAILING))))
    for _ in range(draw(st.integers(0, 3))):
        order.insert(draw(st.integers(0, len(order))), draw(st.sampled_from(sorted(FAILING))))
    return order


def test_any_order_of_refunds_and_a_failure_ends_at_what_stripe_refunded(engine, shop):
    examples = iter(range(10**6))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(deliveries())
    def check(order):
        pi = f"pi_any_{next(examples)}"
        sale_id = paid_sale(engine, shop, pi)
        sent = {name: make(pi) for name, make in FAILING.items()}
        for name in order:
            deliver(engine, sent[name])
            assert sale(engine, sale_id).refunded_cents <= FIRST + SECOND, (order, name)  # never more than Stripe
        got = sale(engine, sale_id)
        assert (got.refunded_cents, got.status, counted(engine, sale_id)) == (3000, "partially_refunded", 3000), order
        assert named(engine, sale_id) == {f"re_a_{pi[3:]}": (5000, "failed"),
                                          f"re_b_{pi[3:]}": (3000, "succeeded")}, order

    check()
    assert problems(engine) == []
