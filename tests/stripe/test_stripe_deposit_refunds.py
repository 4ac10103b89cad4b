"""A deposit paid through Stripe goes back through Stripe by itself (issue 26, item 3), on SQLite and
PostgreSQL: when the salon cancels, when the desk marks a no-show and when the no-show job settles a
deposit, the refund the till records is sent to Stripe after the commit. If Stripe cannot be reached
the visit's change stands, the refund waits `pending` (exit 5 says so), and the next no-show job run
sends it with the same idempotency key: never twice.

The salon is `tests/shop.py`'s: now is Saturday 2026-11-21 11:00 in Mexico City; appointment 1 is
Ximena's corte (350.00) with ana at 12:00; no-show fee 50% (175.00). sofia is the receptionist, marco
the manager.
"""

from __future__ import annotations

import json
import socket

import pytest

from cli_helpers import MARCO, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.models import Appointment
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.stripe import apply as stripe_apply
from salon_cli.services.stripe import payments as stripe_payments
from shop import make_shop


@pytest.fixture
def paid_by_link(engine, salon, db_url, stripe_standin, monkeypatch):
    """Appointment 1 with a deposit of 200.00 paid through a Stripe payment link."""
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        appt = uow.session.get(Appointment, shop.appt)
        appt.deposit_cents = 20000
        uow.session.add(appt)
        uow.commit()
    stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                                 gateway=stripe_standin.gateway())
    (session_id,) = stripe_standin.checkout_sessions
    with UnitOfWork(engine) as uow:
        stripe_apply.apply(uow.session, stripe_standin.complete_session(session_id))
        uow.commit()
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_standin")
    monkeypatch.setenv("SALON_STRIPE_API_BASE", stripe_standin.url)
    assert js(db_url, "appt", "show", "1")["deposit_paid_cents"] == 20000
    return db_url


def _refunds(db):
    return [(r["method"], r["status"], r["amount_cents"], bool(r["stripe_refund_id"]))
            for r in js(db, "sale", "show", "1")["refunds"]]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_salon_cancels_and_stripe_gives_the_deposit_back(paid_by_link, stripe_standin):
    run = ok(paid_by_link, *MARCO, "appt", "cancel", "1", "--by-salon", "-f", "json")
    assert "200.00 MXN refunded" in run.stderr
    assert json.loads(run.stdout)["status"] == "cancelled"
    (refund,) = stripe_standin.refunds.values()
    assert (refund["amount"], refund["status"]) == (20000, "succeeded")
    assert _refunds(paid_by_link) == [("stripe", "succeeded", 20000, True)]
    sale = js(paid_by_link, "sale", "show", "1")
    assert (sale["status"], sale["refunded_cents"]) == ("refunded", 20000)


def test_a_no_show_at_the_desk_sends_the_remainder_back_through_stripe(paid_by_link, stripe_standin, clock):
    clock.advance(minutes=90)
    run = ok(paid_by_link, *MARCO, "appt", "no-show", "1")
    assert "175.00 MXN paid the fee, 25.00 MXN refunded" in run.stderr
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [2500]
    assert _refunds(paid_by_link) == [("stripe", "succeeded", 2500, True)]
    assert js(paid_by_link, "appt", "show", "1")["penalty_status"] == "paid"


def test_the_no_show_job_sends_the_remainder_back_through_stripe(paid_by_link, stripe_standin, clock):
    clock.advance(minutes=90)
    assert js(paid_by_link, "detect-no-shows")["marked"] == 1
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [2500]
    assert _refunds(paid_by_link) == [("stripe", "succeeded", 2500, True)]
    js(paid_by_link, "detect-no-shows")  # nothing twice
    assert len(stripe_standin.refunds) == 1


def test_stripe_down_the_cancel_stands_and_the_next_job_sends_the_refund(paid_by_link, stripe_standin,
                                                                           monkeypatch):
    monkeypatch.setenv("SALON_STRIPE_API_BASE", f"http://127.0.0.1:{_closed_port()}")
    run = cli(paid_by_link, *MARCO, "appt", "cancel", "1", "--by-salon")
    assert run.code == 5, run.stderr
    assert "Stripe could not be reached" in run.stderr
    assert "appointment 1 is cancelled" in run.stderr and "salon sale resend-refunds 1" in run.stderr
    assert js(paid_by_link, "appt", "show", "1")["status"] == "cancelled"
    assert _refunds(paid_by_link) == [("stripe", "pending", 20000, False)]
    assert stripe_standin.refunds == {}

    monkeypatch.setenv("SALON_STRIPE_API_BASE", stripe_standin.url)
    report = js(paid_by_link, "detect-no-shows")
    assert (report["marked"], report["deposit_refunds_sent"]) == (0, 1)
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [20000]
    assert _refunds(paid_by_link) == [("stripe", "succeeded", 20000, True)]
    assert js(paid_by_link, "detect-no-shows")["deposit_refunds_sent"] == 0


def test_no_stripe_key_the_job_still_marks_and_says_the_refund_waits(paid_by_link, stripe_standin, clock,
                                                                     monkeypatch):
    monkeypatch.delenv("SALON_STRIPE_API_KEY")
    clock.advance(minutes=90)
    run = cli(paid_by_link, "detect-no-shows", "-f", "json")
    assert run.code == 1, run.stderr
    assert json.loads(run.stdout)["marked"] == 1  # the marking is done and reported
    assert "Stripe is not set up" in run.stderr and "1 deposit refund through Stripe waits" in run.stderr
    assert js(paid_by_link, "appt", "show", "1")["status"] == "no_show"
    assert _refunds(paid_by_link) == [("stripe", "pending", 2500, False)]
