"""Issue 26, item 3: a deposit is money, not a number.

Taken at booking or later (`appt book --deposit A --pay M`, `appt deposit ID --pay M[:A]`), in the drawer
and Z-report of its day, shown on the appointment, applied at checkout, paying the penalty of a
no-show or late cancellation (the rest refunded or kept by policy), refunded when the salon cancels.

The salon is `tests/shop.py`'s (no taxes): now is Saturday 2026-11-21 11:00 in Mexico City; appointment
1 is Ximena's corte (350.00) with ana at 12:00. Policy defaults: no-show fee 50% (175.00 of a corte),
late cancellation within 24 h, fee 25% (87.50 of a corte). sofia is the receptionist, marco the manager (PINs 2222).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cli_helpers import MARCO, SOFIA, js, ok
from cli_helpers import salon as cli
from shop import make_shop





@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def _payments(db, sale_id):
    return [(p["method"], p["purpose"], p["amount_cents"], p["refunded_cents"])
            for p in js(db, "sale", "show", str(sale_id))["payments"]]


def test_a_deposit_taken_at_booking_is_in_the_drawer_and_pays_part_of_the_checkout(desk):
    appt = js(desk, *SOFIA, "appt", "book", "--client", "2", "--service", "tinte", "--staff", "beto",
              "--at", "2026-11-21 15:00", "--deposit", "200", "--pay", "cash")
    assert (appt["deposit_cents"], appt["deposit_paid_cents"], appt["status"]) == (20000, 20000, "booked")
    day = js(desk, *MARCO, "close-day", "--preview", "--counted-cash", "200")
    assert (day["by_method"], day["expected_cash_cents"], day["sales_count"]) == ({"cash": 20000}, 20000, 0)
    sale = js(desk, *SOFIA, "checkout", str(appt["id"]), "--pay", "card")
    assert (sale["status"], sale["total_cents"], sale["paid_cents"]) == ("paid", 80000, 80000)
    assert [(p["method"], p["purpose"], p["amount_cents"]) for p in sale["payments"]] == [
        ("cash", "deposit", 20000), ("card", "sale", 60000)]
    assert js(desk, "appt", "show", str(appt["id"]))["status"] == "completed"


def test_a_deposit_taken_later_and_what_is_refused(desk):
    none_asked = cli(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash")
    assert none_asked.code == 2 and "asks no deposit: say how much" in none_asked.stderr
    for pay, code, words in (("cash:350", 2, "is not less than the price 350.00"),
                             ("credit:100", 2, "a deposit is paid in cash, card, transfer, gift_card"),
                             ("stripe", 2, "through a link"), ("cash:0", 2, "more than zero")):
        run = cli(desk, *SOFIA, "appt", "deposit", "1", "--pay", pay)
        assert (run.code, words in run.stderr) == (code, True), (pay, run.stderr)
    assert js(desk, "appt", "show", "1")["deposit_paid_cents"] == 0 and js(desk, "sale", "list") == []
    paid = js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "card:100")
    assert (paid["purpose"], paid["amount_cents"], paid["method"]) == ("deposit", 10000, "card")
    again = cli(desk, *SOFIA, "appt", "deposit", "1", "--pay", "card")
    assert again.code == 1 and "is taken already" in again.stderr
    assert js(desk, "appt", "show", "1")["deposit_paid_cents"] == 10000
    js(desk, *SOFIA, "checkout", "1", "--pay", "cash")
    late = cli(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:10")
    assert late.code == 1 and "it takes no deposit" in late.stderr


def test_a_no_show_deposit_pays_the_penalty_and_the_rest_goes_back_by_a_manager(desk, clock):
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:200")
    clock.advance(minutes=90)
    refused = cli(desk, *SOFIA, "appt", "no-show", "1")
    assert refused.code == 3 and "a refund is a manager's" in refused.stderr
    assert js(desk, "appt", "show", "1")["status"] == "booked"
    run = ok(desk, *MARCO, "appt", "no-show", "1", "-f", "json")
    assert "deposit of 200.00 MXN (sale 1): 175.00 MXN paid the fee, 25.00 MXN refunded" in run.stderr
    appt = json.loads(run.stdout)
    assert (appt["status"], appt["penalty_status"], appt["deposit_paid_cents"]) == ("no_show", "paid", 17500)
    sale = js(desk, "sale", "show", "1")
    # the fee and the deposit's remainder stay on the ticket, the remainder given back as its refund:
    # the sale's payments are its total, and the day keeps exactly the fee
    assert (sale["status"], sale["total_cents"], sale["paid_cents"], sale["refunded_cents"]) == (
        "partially_refunded", 20000, 20000, 2500)
    assert [(line["kind"], line["total_cents"]) for line in sale["lines"]] == [("fee", 17500), ("deposit", 2500)]
    day = js(desk, *MARCO, "close-day", "--preview", "--counted-cash", "175")
    assert (day["expected_cash_cents"], day["refund_cents"], day["variance_cents"]) == (17500, 2500, 0)
    assert day["net_cents"] == 17500


def test_kept_by_policy_the_desk_marks_the_no_show_and_the_deposit_is_takings(desk, clock):
    ok(desk, *MARCO, "policy", "set", "--deposit-remainder", "keep")
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:200")
    clock.advance(minutes=90)
    run = ok(desk, *SOFIA, "appt", "no-show", "1")
    assert "175.00 MXN paid the fee, 25.00 MXN kept" in run.stderr
    sale = js(desk, "sale", "show", "1")
    assert (sale["status"], sale["total_cents"], sale["paid_cents"]) == ("paid", 20000, 20000)
    assert [(line["kind"], line["total_cents"]) for line in sale["lines"]] == [("fee", 17500), ("deposit", 2500)]


def test_the_no_show_job_applies_a_deposit_smaller_than_the_fee(desk, clock):
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:100")
    clock.advance(minutes=90)
    report = js(desk, "detect-no-shows")
    assert report["marked"] == 1
    sale = js(desk, "sale", "show", "1")
    assert (sale["status"], sale["total_cents"], sale["paid_cents"], sale["balance_cents"]) == (
        "open", 17500, 10000, 7500)
    assert js(desk, "appt", "show", "1")["penalty_status"] == "pending"
    assert js(desk, "detect-no-shows")["marked"] == 0  # nothing twice
    assert js(desk, "sale", "show", "1")["paid_cents"] == 10000
    paid = js(desk, *SOFIA, "sale", "pay", "1", "--method", "cash")
    assert paid["amount_cents"] == 7500
    assert js(desk, "appt", "show", "1")["penalty_status"] == "paid"


def test_the_salon_cancels_and_the_whole_deposit_goes_back(desk):
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:200")
    refused = cli(desk, *SOFIA, "appt", "cancel", "1", "--by-salon")
    assert refused.code == 3
    assert js(desk, "appt", "show", "1")["status"] == "booked"
    run = ok(desk, *MARCO, "appt", "cancel", "1", "--by-salon", "-f", "json")
    assert "200.00 MXN refunded" in run.stderr
    assert json.loads(run.stdout)["deposit_paid_cents"] == 0
    assert _payments(desk, 1) == [("cash", "deposit", 20000, 20000)]
    sale = js(desk, "sale", "show", "1")
    assert (sale["status"], sale["total_cents"], sale["refunded_cents"]) == ("refunded", 20000, 20000)
    day = js(desk, *MARCO, "close-day", "--preview", "--counted-cash", "0")
    assert (day["net_cents"], day["expected_cash_cents"]) == (0, 0)


def test_money_before_the_visit_is_a_deposit(desk):
    """A sale opened by a deposit cannot be paid off before the visit: that money would escape the
    deposit's settling (found by the state machine)."""
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "cash:100")
    early = cli(desk, *SOFIA, "sale", "pay", "1", "--method", "card")
    assert early.code == 1 and "money taken before the visit is a deposit" in early.stderr
    assert js(desk, "sale", "show", "1")["paid_cents"] == 10000
    js(desk, *SOFIA, "appt", "checkin", "1")
    assert js(desk, *SOFIA, "sale", "pay", "1", "--method", "card")["amount_cents"] == 25000


def test_a_late_cancel_with_the_remainder_kept(desk):
    ok(desk, *MARCO, "policy", "set", "--deposit-remainder", "keep")
    js(desk, *SOFIA, "appt", "deposit", "1", "--pay", "card:200")
    run = ok(desk, *SOFIA, "appt", "cancel", "1", "--reason", "se enfermó")
    assert run.stderr.splitlines() == ["late cancellation: penalty 1 of 87.50 MXN (paid from the deposit)",
                                       "deposit of 200.00 MXN (sale 1): 87.50 MXN paid the fee, 112.50 MXN kept"]
    assert js(desk, "sale", "show", "1")["status"] == "paid"


def test_a_client_who_must_leave_a_deposit_books_only_with_one_taken(desk, engine):
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE client SET deposit_required = TRUE, no_show_count = 2 WHERE id = 2"))
    base = ["appt", "book", "--client", "2", "--service", "corte", "--staff", "beto", "--at", "2026-11-21 16:00"]
    for extra in ([], ["--deposit", "100"]):
        run = cli(desk, *SOFIA, *base, *extra)
        assert run.code == 1 and "must leave a deposit to book" in run.stderr
        assert "--deposit AMOUNT --pay METHOD" in run.stderr
    assert js(desk, "appt", "list") and len(js(desk, "appt", "list")) == 1
    booked = js(desk, *SOFIA, *base, "--deposit", "100", "--pay", "cash")
    assert booked["deposit_paid_cents"] == 10000
    manager = js(desk, *MARCO, *base[:-1], "2026-11-21 18:00")
    assert manager["deposit_paid_cents"] == 0
