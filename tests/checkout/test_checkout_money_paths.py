"""Issue 26, items 2, 4 and 10: the tip rides on a tender that pays it, a declined card never leaves a
completed visit without money, and the desk's discount has a ceiling.

The salon is `tests/shop.py`'s (no taxes): now is Saturday 2026-11-21 11:00 in Mexico City; appointment 1
is Ximena's corte (350.00) with ana at 12:00. sofia is the receptionist, marco the manager (PINs 2222).
"""

from __future__ import annotations

import json

import pytest

from cli_helpers import MARCO, OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from shop import make_shop





@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def _code_worth(desk, value: str = "350") -> str:
    """A reward code for Ximena worth `value` (a 350.00 one covers the corte)."""
    ok(desk, *OWNER, "loyalty", "adjust", "1", "--points", "400", "--reason", "moved from the old card")
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", f"{value} off", "--points", "300",
                "--kind", "discount_amount", "--value", value)
    return ok(desk, *SOFIA, "loyalty", "redeem", "1", str(reward["id"])).stdout.strip()


def _unchanged(desk, code: str | None = None) -> None:
    assert js(desk, "appt", "show", "1")["status"] == "booked"
    assert [s for s in js(desk, "sale", "list") if s["appointment_id"] == 1] == []
    if code:
        assert [c["code"] for c in js(desk, "loyalty", "card", "1")["codes"]] == [code]


# ----------------------------------------------------------------------------- 2. tips

def test_a_tip_with_only_a_code_to_pay_it_is_refused_not_dropped(desk):
    code = _code_worth(desk)
    run = cli(desk, *SOFIA, "checkout", "1", "--redeem", code, "--tip", "50")
    assert run.code == 2, run.stderr
    assert run.stderr.splitlines() == ["error: a tip is money and nothing here pays it in money",
                                       "hint: add --pay cash (or card) for the tip"]
    _unchanged(desk, code)


def test_a_code_that_covers_the_bill_and_a_tip_in_cash(desk):
    code = _code_worth(desk)
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--tip", "50", "--pay", "cash")
    assert (sale["status"], sale["total_cents"], sale["paid_cents"], sale["tip_cents"]) == ("paid", 35000, 35000, 5000)
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in sale["payments"]] == [
        ("points", 35000, 0), ("cash", 0, 5000)]
    assert js(desk, "appt", "show", "1")["status"] == "completed"
    day = js(desk, *MARCO, "close-day", "--preview", "--counted-cash", "50")
    assert (day["tip_cents"], day["expected_cash_cents"], day["variance_cents"]) == (5000, 5000, 0)


def test_cash_handed_over_for_a_tip_alone_gives_change(desk):
    code = _code_worth(desk)
    run = ok(desk, *SOFIA, "checkout", "1", "--redeem", code, "--tip", "50", "--pay", "cash:100", "-f", "json")
    sale = json.loads(run.stdout)
    assert [(p["method"], p["amount_cents"], p["tip_cents"], p["tendered_cents"], p["change_cents"])
            for p in sale["payments"]] == [("points", 35000, 0, None, 0), ("cash", 0, 5000, 10000, 5000)]


def test_a_covering_code_and_a_cash_tender_without_a_tip_needs_no_cash(desk):
    code = _code_worth(desk)
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 35000)]
    assert sale["status"] == "paid"


def test_a_credit_that_covers_the_ticket_and_the_tip_on_cash(desk):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    # typed cash first: the credit is still spent before the money, which pays what it leaves
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "cash", "--pay", "credit", "--tip", "20")
    assert (sale["status"], sale["tip_cents"], sale["paid_cents"]) == ("paid", 2000, sale["total_cents"])
    assert [(p["method"], p["tip_cents"]) for p in sale["payments"]] == [("credit", 0), ("cash", 2000)]


def test_a_tip_on_a_credit_alone_is_refused(desk):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    run = cli(desk, *SOFIA, "checkout", "1", "--pay", "credit", "--tip", "20")
    assert run.code == 2 and "a tip is money" in run.stderr
    assert js(desk, "membership", "show", "1")["credits_remaining"] == 1
    _unchanged(desk)


def test_the_tip_rides_on_the_cash_tender_else_the_first_money_tender(desk):
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "card:100", "--pay", "cash", "--tip", "30")
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in sale["payments"]] == [
        ("card", 10000, 0), ("cash", 25000, 3000)]
    ok(desk, *OWNER, "appt", "book", "--client", "2", "--service", "corte", "--staff", "beto",
       "--at", "2026-11-21 13:00")
    code = js(desk, *SOFIA, "sale", "open", "--client", "2")  # an unrelated sale: gift card for Pedro
    sold = js(desk, *SOFIA, "sale", "add", str(code["id"]), "--gift-card", "500", "--for", "2")
    ok(desk, *SOFIA, "sale", "pay", str(code["id"]), "--method", "cash")
    card = sold["lines"][0]["gift_card"]
    visit = js(desk, *SOFIA, "checkout", "2", "--pay", f"gift_card:{card}", "--tip", "20")
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in visit["payments"]] == [
        ("gift_card", 35000, 2000)]
    assert js(desk, "giftcard", "show", card)["balance_cents"] == 50000 - 37000


# ----------------------------------------------------------------------------- 4. a declined card

@pytest.fixture
def stripe_env(stripe_standin, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_x")
    monkeypatch.setenv("SALON_STRIPE_API_BASE", stripe_standin.url)
    stripe_standin.reader_delay_polls = 0
    return stripe_standin


def test_a_declined_card_leaves_the_visit_checked_in_and_the_sale_open_to_resume(desk, stripe_env):
    stripe_env.reader_outcome["tmr_desk1"] = "declined"
    declined = cli(desk, *SOFIA, "checkout", "1", "--pay", "stripe", "-f", "json")
    assert declined.code == 1
    assert "hint: sale 1 stays open with 350.00 MXN due" in declined.stderr
    assert js(desk, "appt", "show", "1")["status"] == "checked_in"  # never completed without money
    assert js(desk, "sale", "show", "1")["status"] == "open"
    paid = js(desk, *SOFIA, "sale", "pay", "1", "--method", "cash")
    assert paid["status"] == "succeeded"
    assert js(desk, "sale", "show", "1")["status"] == "paid"
    assert js(desk, "appt", "show", "1")["status"] == "completed"  # the money completes the visit


def test_a_card_taken_on_the_reader_completes_the_visit(desk, stripe_env):
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "cash:100", "--pay", "stripe", "--tip", "10")
    assert sale["status"] == "paid"
    assert [(p["method"], p["tip_cents"]) for p in sale["payments"]] == [("cash", 1000), ("stripe", 0)]
    assert js(desk, "appt", "show", "1")["status"] == "completed"


# ----------------------------------------------------------------------------- 10. the desk's discount

def test_the_desk_gives_up_to_the_policy_maximum_and_a_manager_more(desk):
    full = cli(desk, *SOFIA, "checkout", "1", "--discount", "100%", "--pay", "cash")
    assert full.code == 3, full.stderr
    assert full.stderr.splitlines() == ["error: a discount of 100% is more than the desk may give (20%)",
                                        "hint: a manager gives it: --as MANAGER --pin PIN"]
    _unchanged(desk)
    amount = cli(desk, *SOFIA, "checkout", "1", "--discount", "100", "--pay", "cash")  # 100 of 350: 28.57%
    assert amount.code == 3
    _unchanged(desk)
    assert js(desk, "policy", "show")["max_desk_discount"] == "20%"
    refused = cli(desk, *SOFIA, "policy", "set", "--max-desk-discount", "50%")
    assert refused.code == 3
    ok(desk, *MARCO, "policy", "set", "--max-desk-discount", "30%")
    sale = js(desk, *SOFIA, "checkout", "1", "--discount", "100", "--pay", "cash")
    assert (sale["discount_cents"], sale["total_cents"]) == (10000, 25000)


def test_a_manager_with_a_pin_gives_a_full_discount(desk):
    sale = js(desk, *MARCO, "checkout", "1", "--discount", "100%")
    assert (sale["status"], sale["total_cents"], sale["discount_cents"]) == ("paid", 0, 35000)
    bad = cli(desk, *MARCO, "policy", "set", "--max-desk-discount", "120%")
    assert bad.code == 2 and "between 0% and 100%" in bad.stderr
