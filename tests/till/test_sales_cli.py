"""`salon checkout`, `salon sale ...`, `salon giftcard ...`, `salon stripe link`, `salon penalty charge`,
`salon client card` and `salon location set --stripe-reader` as the desk and scripts meet them.

Every salon here is `tests/shop.py`'s: now is Saturday 2026-11-21 11:00 in Mexico City (MXN); services
corte 350.00 and tinte 800.00, product shampoo 180.00 (5 in stock); clients Ximena (1, saved card
cus_ximena/pm_card_visa) and Pedro (2); appointment 1, Ximena's corte with ana at 12:00; reader tmr_desk1.
Staff PINs are 2222 (marco is the manager, sofia the receptionist); the owner is lucia, PIN 1234.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_helpers import OWNER
from cli_helpers import salon as cli
from shop import book, make_shop

SOFIA = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]
NOW = "2026-11-21T11:00:00-06:00"
SALE_FIELDS = {"id", "status", "client_id", "appointment_id", "business_date", "subtotal_cents", "discount_cents",
               "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents", "lines", "payments"}


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


@pytest.fixture
def shop(engine, salon):
    """make_shop's salon, no taxes."""
    return make_shop(engine)


@pytest.fixture
def desk(shop, db_url):
    return db_url


@pytest.fixture
def taxed_shop(engine, salon):
    """make_shop's salon with IVA 16% included in prices."""
    return make_shop(engine, taxes=["IVA:16%:inclusive"])


@pytest.fixture
def stripe_env(stripe_standin, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_x")
    monkeypatch.setenv("SALON_STRIPE_API_BASE", stripe_standin.url)
    stripe_standin.reader_delay_polls = 0  # the card is tapped at once: one poll (the CLI polls every second)
    return stripe_standin


def _payment(id_, method, amount, *, tip=0, tendered=None, change=0, gift_card=None):
    return {"id": id_, "sale_id": 1, "method": method, "status": "succeeded", "purpose": "sale",
            "amount_cents": amount, "tip_cents": tip, "tendered_cents": tendered, "change_cents": change,
            "refunded_cents": 0, "business_date": "2026-11-21", "gift_card": gift_card,
            "stripe_payment_intent_id": None, "payment_url": None, "failure_reason": None,
            "created_at": NOW, "succeeded_at": NOW}


# ----------------------------------------------------------------------------- checkout

def test_checkout_split_tender_tip_discount_product_and_inclusive_tax(taxed_shop, db_url, engine):
    taxed = db_url
    run = ok(taxed, *SOFIA, "checkout", "1", "--pay", "card:100", "--pay", "cash:500", "--tip", "20",
             "--discount", "10%", "--product", "shampoo", "-f", "json")
    sale = json.loads(run.stdout)
    # By hand: corte 350.00 + shampoo 180.00 = 530.00; 10% off = 53.00, shared by gross: 35.00 and 18.00.
    # Corte 315.00 includes IVA 315.00 x 16/116 = 43.448 -> 43.45 (net 271.55); shampoo 162.00 includes
    # 162.00 x 16/116 = 22.344 -> 22.34 (net 139.66). Total 477.00, tax 65.79. Card 100.00, then cash:
    # 500.00 handed for the 377.00 left plus the 20.00 tip: change 103.00.
    assert sale == {
        "id": 1, "status": "paid", "location": "centro", "currency": "MXN", "client_id": 1,
        "client": "Ximena Jiménez", "appointment_id": 1, "business_date": "2026-11-21",
        "subtotal_cents": 53000, "discount_kind": "pct", "discount_value": 1000, "discount_cents": 5300,
        "tax_cents": 6579, "tip_cents": 2000,
        "total_cents": 47700, "paid_cents": 47700, "refunded_cents": 0, "balance_cents": 0,
        "created_at": NOW, "paid_at": NOW, "note": None, "void_reason": None,
        "lines": [
            {"id": 1, "position": 0, "kind": "service", "description": "Corte", "quantity": 1,
             "unit_price_cents": 35000, "gross_cents": 35000, "discount_cents": 3500, "net_cents": 27155,
             "tax_cents": 4345, "total_cents": 31500,
             "taxes": [{"name": "IVA", "rate_bp": 1600, "inclusive": True, "amount_cents": 4345}],
             "staff": "ana", "service_id": 1, "product_id": None, "penalty_id": None, "gift_card": None},
            {"id": 2, "position": 1, "kind": "product", "description": "Shampoo", "quantity": 1,
             "unit_price_cents": 18000, "gross_cents": 18000, "discount_cents": 1800, "net_cents": 13966,
             "tax_cents": 2234, "total_cents": 16200,
             "taxes": [{"name": "IVA", "rate_bp": 1600, "inclusive": True, "amount_cents": 2234}],
             "staff": "sofia", "service_id": None, "product_id": 1, "penalty_id": None, "gift_card": None},
        ],
        "payments": [_payment(1, "card", 10000),
                     _payment(2, "cash", 37700, tip=2000, tendered=50000, change=10300)],
        "refunds": [], "change_cents": 10300,
    }
    assert SALE_FIELDS <= set(sale)
    assert "sale 1 paid; appointment 1 completed" in run.stderr
    assert js(taxed, "appt", "show", "1")["status"] == "completed"
    assert js(taxed, "sale", "show", "1")["total_cents"] == 47700

    # The same on a table is a receipt: who did what, the discount, the tax, the payments, the change.
    book(engine, taxed_shop, at="2026-11-21 15:00", client=taxed_shop.pedro)
    table = ok(taxed, *SOFIA, "checkout", "2", "--pay", "cash:400").stdout
    assert "Change: 50.00 MXN" in table.splitlines()[-1]
    for text in ("Corte (ana)", "IVA 16% (included)", "48.28", "cash", "handed 400.00"):
        assert text in table, (text, table)
    assert [line.split() for line in table.splitlines() if line.strip().startswith("Total")] == [["Total", "350.00"]]
    again = cli(taxed, *SOFIA, "checkout", "2", "--pay", "cash")
    assert again.code == 1 and "was checked out already" in again.stderr


def test_checkout_that_does_not_cover_records_nothing(desk):
    run = cli(desk, *SOFIA, "checkout", "1", "--pay", "card:100")
    assert run.code == 1 and run.stdout == ""
    assert run.stderr.splitlines()[0] == ("error: the payments leave 250.00 MXN of 350.00 MXN unpaid; "
                                          "nothing was recorded")
    assert js(desk, "sale", "list") == []
    assert js(desk, "appt", "show", "1")["status"] == "booked"
    for args, code in ((["--pay", "bitcoin"], 2), (["--pay", "cash:12.345"], 2), ([], 2),
                       (["--pay", "cash", "--tip", "-5"], 2), (["--pay", "cash", "--product", "champú"], 1)):
        bad = cli(desk, *SOFIA, "checkout", "1", *args)
        assert bad.code == code and bad.stderr.startswith("error: "), (args, bad.stderr)
    assert js(desk, "sale", "list") == []


# ----------------------------------------------------------------------------- sale ...

def test_sale_open_add_pay_show_list_round_trip(desk):
    opened = js(desk, *SOFIA, "sale", "open", "--client", "2", "--note", "walk-in")
    assert (opened["id"], opened["status"], opened["client"], opened["lines"]) == (1, "open", "Pedro Páramo", [])
    js(desk, *SOFIA, "sale", "add", "1", "--service", "tinte", "--staff", "beto")
    sale = js(desk, *SOFIA, "sale", "add", "1", "--product", "shampoo", "--qty", "2")
    assert [(line["kind"], line["staff"], line["gross_cents"]) for line in sale["lines"]] == [
        ("service", "beto", 80000), ("product", "sofia", 36000)]
    for args in (["--service", "tinte", "--product", "shampoo"], [], ["--product", "shampoo", "--price", "1"],
                 ["--gift-card", "12.345"]):
        bad = cli(desk, *SOFIA, "sale", "add", "1", *args)
        assert bad.code == 2, (args, bad.stderr)
    assert cli(desk, *SOFIA, "sale", "add", "1", "--product", "shampoo", "--qty", "9").code == 1
    extra = js(desk, *SOFIA, "sale", "add", "1", "--service", "corte", "--staff", "ana", "--price", "300")
    removed = js(desk, *SOFIA, "sale", "remove", "1", str(extra["lines"][-1]["id"]))
    assert len(removed["lines"]) == 2 and removed["total_cents"] == 116000
    assert js(desk, *SOFIA, "sale", "discount", "1", "100")["total_cents"] == 106000

    card = cli(desk, *SOFIA, "sale", "pay", "1", "--method", "card", "--amount", "600", "--reference", "T-88",
               "-f", "json")
    assert card.code == 0 and json.loads(card.stdout)["amount_cents"] == 60000
    assert "sale 1: 460.00 MXN still due" in card.stderr
    too_much = cli(desk, *SOFIA, "sale", "pay", "1", "--method", "card", "--amount", "500")
    assert too_much.code == 1 and "only cash gives change" in too_much.stderr
    cash = cli(desk, *SOFIA, "sale", "pay", "1", "--method", "cash", "--tendered", "500", "-f", "json")
    assert cash.code == 0, cash.stderr
    assert (json.loads(cash.stdout)["amount_cents"], json.loads(cash.stdout)["change_cents"]) == (46000, 4000)
    assert "sale 1: paid; change: 40.00 MXN" in cash.stderr

    shown = js(desk, "sale", "show", "1")
    assert (shown["status"], shown["paid_cents"], shown["discount_cents"], shown["balance_cents"]) == (
        "paid", 106000, 10000, 0)
    receipt = ok(desk, "sale", "show", "1").stdout
    assert "Tinte (beto)" in receipt and "Discount" in receipt and receipt.rstrip().endswith("Change: 40.00 MXN")
    assert [s["id"] for s in js(desk, "sale", "list")] == [1]
    assert js(desk, "sale", "list", "--status", "open") == []
    assert [s["id"] for s in js(desk, "sale", "list", "--date", "2026-11-21", "--client", "2")] == [1]
    csv_out = ok(desk, "sale", "list", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,status,client_id") and len(csv_out) == 2
    assert cli(desk, "sale", "list", "--status", "gone").code == 2
    assert cli(desk, "sale", "show", "9").code == 1
    late = cli(desk, *SOFIA, "sale", "add", "1", "--product", "shampoo")
    assert late.code == 1 and "sale 1 is paid" in late.stderr
    stock = [p for p in json.loads(ok(desk, "product", "list", "-f", "json").stdout) if p["code"] == "shampoo"]
    assert stock[0]["stock"] == 3


def test_gift_card_sold_then_spent_then_balance(desk):
    ok(desk, *SOFIA, "sale", "open", "--client", "2")
    sold = js(desk, *SOFIA, "sale", "add", "1", "--gift-card", "500", "--for", "1")
    code = sold["lines"][0]["gift_card"]
    assert code.startswith("GC-") and sold["total_cents"] == 50000 and sold["tax_cents"] == 0
    assert js(desk, "giftcard", "show", code)["status"] == "pending"
    early = cli(desk, *SOFIA, "checkout", "1", "--pay", f"gift_card:{code}")
    assert early.code == 1 and "its sale is not paid yet" in early.stderr
    ok(desk, *SOFIA, "sale", "pay", "1", "--method", "cash")
    card = js(desk, "giftcard", "show", code.lower().replace("-", ""))
    assert {k: card[k] for k in ("code", "status", "client_id", "initial_cents", "balance_cents", "sale_id")} == {
        "code": code, "status": "active", "client_id": 1, "initial_cents": 50000, "balance_cents": 50000,
        "sale_id": 1}
    assert "id" in card

    visit = js(desk, *SOFIA, "checkout", "1", "--pay", f"gift_card:{code}:200", "--pay", "cash")
    assert [(p["method"], p["amount_cents"], p["gift_card"]) for p in visit["payments"]] == [
        ("gift_card", 20000, code), ("cash", 15000, None)]
    assert js(desk, "giftcard", "show", code)["balance_cents"] == 30000
    assert "300.00" in ok(desk, "giftcard", "show", code).stdout

    later = str(js(desk, *SOFIA, "sale", "open", "--client", "1")["id"])
    ok(desk, *SOFIA, "sale", "add", later, "--service", "tinte", "--staff", "ana")
    over = cli(desk, *SOFIA, "sale", "pay", later, "--method", "gift_card", "--gift-card", code, "--amount", "400")
    assert over.code == 1 and over.stderr.startswith(f"error: gift card {code} has")
    assert js(desk, "giftcard", "show", code)["balance_cents"] == 30000
    assert js(desk, "sale", "show", later)["paid_cents"] == 0
    assert [c["code"] for c in js(desk, "giftcard", "list", "--client", "1")] == [code]
    assert js(desk, "giftcard", "list", "--status", "void") == []
    assert cli(desk, "giftcard", "list", "--status", "gone").code == 2
    assert cli(desk, "giftcard", "show", "GC-2222-2222").code == 1


def test_void_needs_a_manager_pin(desk):
    ok(desk, *SOFIA, "sale", "open", "--client", "2")
    ok(desk, *SOFIA, "sale", "add", "1", "--product", "shampoo", "--qty", "2")
    for who in (["--as", "marco"], SOFIA, ["--as", "marco", "--pin", "9999"]):
        refused = cli(desk, *who, "sale", "void", "1", "--reason", "rang up twice")
        assert refused.code == 3 and refused.stdout == "", refused.stderr
    assert cli(desk, *MARCO, "sale", "void", "1", "--reason", " ").code == 2
    voided = js(desk, *MARCO, "sale", "void", "1", "--reason", "rang up twice")
    assert (voided["status"], voided["void_reason"]) == ("void", "rang up twice")
    stock = [p for p in json.loads(ok(desk, "product", "list", "-f", "json").stdout) if p["code"] == "shampoo"]
    assert stock[0]["stock"] == 5
    assert "VOID: rang up twice" in ok(desk, "sale", "show", "1").stdout


def test_partial_cash_refund(desk):
    ok(desk, *SOFIA, "checkout", "1", "--pay", "cash", "--tip", "30")
    assert cli(desk, *SOFIA, "sale", "refund", "1", "--amount", "100", "--reason", "corte disparejo").code == 3
    run = cli(desk, *MARCO, "sale", "refund", "1", "--amount", "100", "--reason", "corte disparejo", "-f", "json")
    assert run.code == 0, run.stderr
    (refund,) = json.loads(run.stdout)
    assert (refund["method"], refund["status"], refund["amount_cents"], refund["payment_id"]) == (
        "cash", "succeeded", 10000, 1)
    assert "sale 1: refunded 100.00 MXN" in run.stderr
    sale = js(desk, "sale", "show", "1")
    assert (sale["status"], sale["refunded_cents"], sale["paid_cents"], sale["tip_cents"]) == (
        "partially_refunded", 10000, 35000, 3000)
    over = cli(desk, *MARCO, "sale", "refund", "1", "--amount", "300", "--reason", "x")
    assert over.code == 1 and "more than the 250.00 MXN" in over.stderr
    js(desk, *MARCO, "sale", "refund", "1", "--reason", "todo")
    assert js(desk, "sale", "show", "1")["status"] == "refunded"
    assert "refund of #1 (cash)" in ok(desk, "sale", "show", "1").stdout


# ----------------------------------------------------------------------------- Stripe

def test_checkout_on_the_stripe_reader_declined_then_paid(desk, stripe_env):
    stripe_env.reader_outcome["tmr_desk1"] = "declined"
    declined = cli(desk, *SOFIA, "checkout", "1", "--pay", "stripe", "--tip", "20", "-f", "json")
    assert declined.code == 1
    sale = json.loads(declined.stdout)
    assert (sale["status"], sale["paid_cents"], sale["balance_cents"]) == ("open", 0, 35000)
    assert [(p["method"], p["status"], p["failure_reason"]) for p in sale["payments"]] == [
        ("stripe", "failed", "card declined")]
    assert "waiting for the card on reader tmr_desk1" in declined.stderr
    assert "error: the card payment was not taken: card declined" in declined.stderr
    assert "hint: sale 1 stays open with 350.00 MXN due" in declined.stderr

    stripe_env.reader_outcome["tmr_desk1"] = "succeeded"
    paid = cli(desk, *SOFIA, "sale", "pay", "1", "--method", "stripe", "--tip", "20", "-f", "json")
    assert paid.code == 0, paid.stderr
    payment = json.loads(paid.stdout)
    assert (payment["method"], payment["status"], payment["amount_cents"], payment["tip_cents"]) == (
        "stripe", "succeeded", 35000, 2000)
    assert payment["stripe_payment_intent_id"].startswith("pi_")
    assert stripe_env.payment_intents[payment["stripe_payment_intent_id"]]["amount"] == 37000
    assert js(desk, "sale", "show", "1")["status"] == "paid"


def test_checkout_on_the_stripe_reader_succeeds(desk, stripe_env):
    run = cli(desk, *SOFIA, "checkout", "1", "--pay", "cash:100", "--pay", "stripe", "-f", "json")
    assert run.code == 0, run.stderr
    sale = json.loads(run.stdout)
    assert sale["status"] == "paid"
    assert [(p["method"], p["status"], p["amount_cents"]) for p in sale["payments"]] == [
        ("cash", "succeeded", 10000), ("stripe", "succeeded", 25000)]
    assert js(desk, "appt", "show", "1")["status"] == "completed"

    # A Stripe refund Stripe does not answer: exit 5, the refund waits; resent later, it goes through once.
    stripe_env.fail_next(3, 500)
    down = cli(desk, *MARCO, "sale", "refund", "1", "--payment", "2", "--amount", "50", "--reason", "mal corte")
    assert down.code == 5 and down.stderr.startswith("error: Stripe could not be reached"), down.stderr
    assert [(r["status"], r["amount_cents"]) for r in js(desk, "sale", "show", "1")["refunds"]] == [("pending", 5000)]
    assert js(desk, "sale", "show", "1")["status"] == "paid"
    resent = cli(desk, *SOFIA, "sale", "resend-refunds", "1", "-f", "json")
    assert resent.code == 0 and "resent 1 refund" in resent.stderr, resent.stderr
    assert [(r["status"], r["stripe_refund_id"][:3]) for r in json.loads(resent.stdout)] == [("succeeded", "re_")]
    assert len(stripe_env.refunds) == 1
    assert js(desk, "sale", "show", "1")["status"] == "partially_refunded"
    assert "no refund waiting" in ok(desk, *SOFIA, "sale", "resend-refunds", "1").stderr


def test_stripe_unset_or_no_reader_changes_nothing(desk, monkeypatch):
    unset = cli(desk, *SOFIA, "checkout", "1", "--pay", "stripe")
    assert unset.code == 1 and "SALON_STRIPE_API_KEY" in unset.stderr
    ok(desk, *OWNER, "location", "set", "--no-stripe-reader")
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_x")
    none = cli(desk, *SOFIA, "checkout", "1", "--pay", "stripe")
    assert none.code == 1 and "has no Stripe reader" in none.stderr
    assert js(desk, "sale", "list") == [] and js(desk, "appt", "show", "1")["status"] == "booked"


@pytest.fixture
def no_shows(desk, shop, engine, clock):
    """Two no-shows of Ximena's, each with a 175.00 penalty: 1 (11:30 with beto) and 2 (12:00 with ana)."""
    book(engine, shop, at="2026-11-21 11:30", staff_code="beto")
    clock.advance(hours=2)
    assert js(desk, "detect-no-shows")["penalties"] == 2
    return desk


def test_stripe_link_for_a_penalty_is_the_same_link_twice(no_shows, stripe_env):
    first = ok(no_shows, *SOFIA, "stripe", "link", "--penalty", "1")
    url = first.stdout.strip()
    assert first.stdout == url + "\n" and url.startswith(f"{stripe_env.url}/pay/cs_test_")
    assert "175.00 MXN" in first.stderr
    again = js(no_shows, *SOFIA, "stripe", "link", "--penalty", "1")
    assert (again["payment_url"], again["purpose"], again["status"], again["amount_cents"]) == (
        url, "penalty", "pending", 17500)
    assert len(stripe_env.checkout_sessions) == 1
    assert cli(no_shows, *SOFIA, "stripe", "link", "--penalty", "1", "--sale", "1").code == 2
    assert cli(no_shows, *SOFIA, "stripe", "link").code == 2


def test_penalty_charge_declined_then_charged(no_shows, stripe_env):
    ok(no_shows, *SOFIA, "client", "card", "1", "--customer", "cus_ximena", "--payment-method", "pm_card_chargeDeclined")
    declined = cli(no_shows, *SOFIA, "penalty", "charge", "1", "-f", "json")
    assert declined.code == 1
    penalty = json.loads(declined.stdout)
    assert (penalty["status"], penalty["failure_reason"]) == ("failed", "card declined (generic_decline)")
    assert declined.stderr.splitlines()[0] == "error: penalty 1 was not charged: card declined (generic_decline)"
    assert declined.stderr.splitlines()[1].startswith("hint: send the client a payment link")

    ok(no_shows, *SOFIA, "client", "card", "1", "--customer", "cus_ximena", "--payment-method", "pm_card_visa")
    charged = js(no_shows, *SOFIA, "penalty", "charge", "1")
    assert (charged["id"], charged["status"], charged["amount_cents"]) == (1, "charged", 17500)
    # Until Stripe confirms (webhook or sync) the charge is in flight: running it again asks Stripe
    # again with the same idempotency key, and Stripe answers with the first charge.
    assert js(no_shows, *SOFIA, "penalty", "charge", "1")["status"] == "charged"
    assert [pi["status"] for pi in stripe_env.payment_intents.values()] == ["requires_payment_method", "succeeded"]
    assert "charged" in ok(no_shows, "penalty", "show", "1").stdout


def test_penalty_charge_with_stripe_down_then_waived(no_shows, stripe_env):
    stripe_env.stop()
    down = cli(no_shows, *SOFIA, "penalty", "charge", "2")
    assert down.code == 5 and down.stdout == ""
    assert down.stderr.startswith("error: Stripe could not be reached")
    assert js(no_shows, "penalty", "show", "2")["status"] == "pending"
    assert all(s["paid_cents"] == 0 and all(p["status"] != "succeeded" for p in s["payments"])
               for s in js(no_shows, "sale", "list"))
    js(no_shows, *MARCO, "penalty", "waive", "2", "--reason", "llamó antes")
    waived = cli(no_shows, *SOFIA, "penalty", "charge", "2")
    assert waived.code == 1 and "waived" in waived.stderr
    assert js(no_shows, "penalty", "show", "2")["status"] == "waived"


# ----------------------------------------------------------------------------- settings

def test_client_card_set_show_remove(desk):
    assert js(desk, "client", "card", "2")["saved"] is False
    for args in (["--customer", "cu_1", "--payment-method", "pm_1"], ["--customer", "cus_1", "--payment-method", "card_1"],
                 ["--customer", "cus_1"], ["--remove", "--customer", "cus_1", "--payment-method", "pm_1"]):
        bad = cli(desk, *SOFIA, "client", "card", "2", *args)
        assert bad.code == 2 and bad.stderr.startswith("error: "), (args, bad.stderr)
    saved = js(desk, *SOFIA, "client", "card", "2", "--customer", "cus_pedro", "--payment-method", "pm_card_visa")
    assert (saved["stripe_customer_id"], saved["stripe_payment_method_id"], saved["saved"]) == (
        "cus_pedro", "pm_card_visa", True)
    assert cli(desk, *SOFIA, "client", "card", "2", "--remove").code == 3
    assert cli(desk, "--as", "marco", "client", "card", "2", "--remove").code == 3
    removed = js(desk, *MARCO, "client", "card", "2", "--remove")
    assert (removed["stripe_customer_id"], removed["saved"]) == (None, False)
    audit = json.loads(ok(desk, "audit", "--entity", "client", "--id", "2", "-f", "json").stdout)
    assert [a["action"] for a in audit][:2] == ["client.card_remove", "client.card_set"]


def test_location_stripe_reader(desk):
    assert js(desk, "location", "show")["stripe_reader_id"] == "tmr_desk1"
    assert js(desk, *OWNER, "location", "set", "--stripe-reader", "tmr_FZx8d2")["stripe_reader_id"] == "tmr_FZx8d2"
    assert js(desk, "location", "show")["stripe_reader_id"] == "tmr_FZx8d2"
    assert "tmr_FZx8d2" in ok(desk, "location", "show").stdout
    for args in (["--stripe-reader", "rdr_1"], ["--stripe-reader", "tmr_"], ["--stripe-reader", "tmr_1",
                                                                              "--no-stripe-reader"]):
        assert cli(desk, *OWNER, "location", "set", *args).code == 2, args
    assert cli(desk, *MARCO, "location", "set", "--stripe-reader", "tmr_2").code == 3
    assert js(desk, *OWNER, "location", "set", "--no-stripe-reader")["stripe_reader_id"] is None
    audit = json.loads(ok(desk, "audit", "--entity", "location", "-f", "json").stdout)
    assert audit[0]["action"] == "location.set"


# ----------------------------------------------------------------------------- help

NEW_COMMANDS = [["checkout"], ["sale", "open"], ["sale", "add"], ["sale", "remove"], ["sale", "discount"],
                ["sale", "pay"], ["sale", "show"], ["sale", "list"], ["sale", "void"], ["sale", "refund"],
                ["sale", "resend-refunds"], ["giftcard", "show"], ["giftcard", "list"], ["stripe", "link"],
                ["penalty", "charge"], ["client", "card"], ["location", "set"]]


def test_every_new_command_has_an_example():
    for path in NEW_COMMANDS:
        run = cli(None, *path, "--help")
        assert run.code == 0 and "Example:" in run.stdout, path


@pytest.mark.parametrize("args", [["checkout", "--help"], ["sale", "pay", "--help"], ["stripe", "link", "--help"]])
def test_help_imports_nothing_heavy(args):
    from import_probe import HEAVY, PROBE

    proc = subprocess.run([sys.executable, "-c", PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY))), *args],
                          capture_output=True, text=True, timeout=60)
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED=")]
    assert line and json.loads(line[0][len("LOADED="):]) == [], proc.stderr
