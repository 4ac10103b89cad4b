"""The Stripe gateway, with the real `stripe` library, against the local stand-in (no database)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from stripe_standin import StripeStandIn, signed

from salon_cli.core.errors import InvalidInput, OutsideServiceFailed
from salon_cli.services.stripe.gateway import (
    CardDeclined,
    Intent,
    Link,
    RefundResult,
    StripeGateway,
    StripeNotConfigured,
    verify_webhook,
)

SECRET = "whsec_test_secret"
META = {"salon_payment": "pay_0001", "location": "centro"}


def _card_present(gw: StripeGateway, key: str = "pay_0001:create", amount: int = 45000) -> Intent:
    return gw.create_card_present_intent(amount_cents=amount, currency="MXN", idempotency_key=key,
                                         metadata=META, description="Corte y color")


def _paid_intent(gw: StripeGateway, key: str = "pen_1:charge", amount: int = 20000) -> Intent:
    return gw.charge_saved_card(amount_cents=amount, currency="mxn", customer_id="cus_1",
                                payment_method_id="pm_card_visa", idempotency_key=key, metadata=META,
                                description="No-show penalty")


# --- configuration and import hygiene -----------------------------------------------------------------


def test_module_does_not_import_stripe():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, salon_cli.services.stripe.gateway as g; "
         "g.StripeGateway.from_env({'SALON_STRIPE_API_KEY': 'sk_test_x'}); "
         "assert 'stripe' not in sys.modules, 'stripe was imported'; print('ok')"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.stdout.strip() == "ok", proc.stderr


def test_from_env():
    with pytest.raises(StripeNotConfigured) as info:
        StripeGateway.from_env({})
    assert info.value.exit_code == 1
    assert str(info.value) == "Stripe is not set up: set SALON_STRIPE_API_KEY"
    with pytest.raises(StripeNotConfigured):
        StripeGateway.from_env({"SALON_STRIPE_API_KEY": "  "})
    gw = StripeGateway.from_env({"SALON_STRIPE_API_KEY": "sk_test_abc", "SALON_STRIPE_API_BASE": "http://x:1/"})
    assert gw.api_base == "http://x:1"
    assert "sk_test_abc" not in repr(gw)
    assert StripeGateway.from_env({"SALON_STRIPE_API_KEY": "sk_test_abc"}).api_base is None


# --- card present (Terminal) --------------------------------------------------------------------------


def test_card_present_round_trip(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    intent = _card_present(gw)
    assert intent.status == "requires_payment_method"
    assert (intent.amount, intent.currency, intent.metadata, intent.latest_charge) == (45000, "mxn", META, None)
    sent = stripe_standin.requests[-1]
    assert (sent.method, sent.path, sent.idempotency_key) == ("POST", "/v1/payment_intents", "pay_0001:create")
    assert sent.params["payment_method_types"] == ["card_present"]
    assert sent.params["capture_method"] == "automatic"
    assert sent.params["metadata"] == META

    gw.process_on_reader(reader_id="tmr_front", payment_intent_id=intent.id, idempotency_key="pay_0001:reader")
    assert stripe_standin.readers["tmr_front"]["action"]["process_payment_intent"]["payment_intent"] == intent.id
    assert stripe_standin.requests[-1].idempotency_key == "pay_0001:reader"

    first = gw.retrieve_intent(intent.id)  # reader_delay_polls = 1: the first look is still unpaid
    assert first.status == "requires_payment_method"
    paid = gw.retrieve_intent(intent.id)
    assert paid.status == "succeeded" and paid.succeeded
    assert paid.latest_charge and paid.latest_charge.startswith("ch_")
    assert paid.amount_received == 45000
    assert [e["type"] for e in stripe_standin.events] == ["payment_intent.succeeded"]


def test_card_present_declined_on_reader(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    stripe_standin.reader_outcome["tmr_front"] = "declined"
    stripe_standin.reader_delay_polls = 0
    intent = _card_present(gw)
    gw.process_on_reader(reader_id="tmr_front", payment_intent_id=intent.id, idempotency_key="k-reader")
    after = gw.retrieve_intent(intent.id)
    assert after.status == "requires_payment_method"
    assert after.last_error == "card declined"
    assert after.last_error_code == "card_declined"
    assert stripe_standin.readers["tmr_front"]["action"]["status"] == "failed"
    assert [e["type"] for e in stripe_standin.events] == ["payment_intent.payment_failed"]


def test_card_present_cancelled(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    stripe_standin.reader_outcome["tmr_front"] = "never"
    intent = _card_present(gw)
    gw.process_on_reader(reader_id="tmr_front", payment_intent_id=intent.id, idempotency_key="k-reader")
    for _ in range(3):
        assert gw.retrieve_intent(intent.id).status == "requires_payment_method"
    gw.cancel_reader_action("tmr_front", idempotency_key="k-cancel-action")
    assert stripe_standin.readers["tmr_front"]["action"] is None
    cancelled = gw.cancel_intent(intent.id, idempotency_key="k-cancel")
    assert cancelled.status == "canceled"
    assert stripe_standin.payment_intents[intent.id]["status"] == "canceled"


def test_cancelling_a_paid_intent_is_refused(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    paid = _paid_intent(gw)
    with pytest.raises(OutsideServiceFailed) as info:
        gw.cancel_intent(paid.id, idempotency_key="k-cancel")
    assert info.value.exit_code == 5
    assert info.value.message.startswith("Stripe refused the request: You cannot cancel this PaymentIntent")
    assert "\n" not in info.value.message


def test_unknown_intent(stripe_standin: StripeStandIn):
    with pytest.raises(OutsideServiceFailed, match=r"^Stripe refused the request: No such payment_intent: 'pi_nope'"):
        stripe_standin.gateway().retrieve_intent("pi_nope")


# --- saved cards, off session -------------------------------------------------------------------------


def test_charge_saved_card_succeeds(stripe_standin: StripeStandIn):
    intent = _paid_intent(stripe_standin.gateway())
    assert intent.status == "succeeded"
    assert intent.latest_charge in stripe_standin.charges
    assert (intent.customer_id, intent.payment_method_id) == ("cus_1", "pm_card_visa")
    params = stripe_standin.requests[-1].params
    assert (params["off_session"], params["confirm"], params["customer"]) == ("true", "true", "cus_1")


@pytest.mark.parametrize(("pm", "decline_code", "reason"), [
    ("pm_card_chargeDeclined", "generic_decline", "card declined (generic_decline)"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "card declined (insufficient_funds)"),
])
def test_charge_saved_card_declined(stripe_standin: StripeStandIn, pm, decline_code, reason):
    gw = stripe_standin.gateway()
    with pytest.raises(CardDeclined) as info:
        gw.charge_saved_card(amount_cents=20000, currency="mxn", customer_id="cus_1", payment_method_id=pm,
                             idempotency_key="pen_1:charge", metadata=META, description="No-show penalty")
    err = info.value
    assert err.exit_code == 1
    assert (err.code, err.decline_code) == ("card_declined", decline_code)
    assert str(err) == err.message == reason
    assert err.stripe_message
    assert err.hint
    assert err.payment_intent_id in stripe_standin.payment_intents
    assert stripe_standin.payment_intents[err.payment_intent_id]["status"] == "requires_payment_method"
    assert gw.retrieve_intent(err.payment_intent_id).last_error == reason

    # The same key again: Stripe replays the decline, nothing new is created.
    with pytest.raises(CardDeclined) as again:
        gw.charge_saved_card(amount_cents=20000, currency="mxn", customer_id="cus_1", payment_method_id=pm,
                             idempotency_key="pen_1:charge", metadata=META, description="No-show penalty")
    assert again.value.payment_intent_id == err.payment_intent_id
    assert len(stripe_standin.payment_intents) == 1
    assert stripe_standin.seen("pen_1:charge") == 2


def test_charge_saved_card_needs_authentication(stripe_standin: StripeStandIn):
    with pytest.raises(CardDeclined) as info:
        stripe_standin.gateway().charge_saved_card(
            amount_cents=20000, currency="mxn", customer_id="cus_1", payment_method_id="pm_card_authenticationRequired",
            idempotency_key="pen_2:charge", metadata=META, description="No-show penalty")
    err = info.value
    assert err.code == "authentication_required"
    assert str(err) == "the bank asks the client to authenticate (authentication_required)"
    assert "payment link" in err.hint
    assert stripe_standin.payment_intents[err.payment_intent_id]["status"] == "requires_action"


# --- payment links, customers -------------------------------------------------------------------------


def test_payment_link_round_trip(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    link = gw.create_payment_link(amount_cents=15000, currency="MXN", description="Deposit", idempotency_key="dep_1",
                                  metadata={"salon_deposit": "dep_1"}, success_url="https://salon.example/ok",
                                  cancel_url="https://salon.example/no", customer_email="ana@example.com")
    assert isinstance(link, Link)
    assert link.id.startswith("cs_") and link.url.endswith(link.id)
    assert (link.status, link.payment_intent_id, link.amount_total) == ("open", None, 15000)
    params = stripe_standin.requests[-1].params
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"] == {
        "currency": "mxn", "unit_amount": "15000", "product_data": {"name": "Deposit"}}
    assert params["payment_intent_data"]["metadata"] == {"salon_deposit": "dep_1"}
    assert params["metadata"] == {"salon_deposit": "dep_1"}
    assert params["customer_email"] == "ana@example.com" and "customer" not in params

    event = stripe_standin.complete_session(link.id)
    assert event["type"] == "payment_intent.succeeded"
    pi = event["data"]["object"]
    assert pi["metadata"] == {"salon_deposit": "dep_1"} and pi["amount"] == 15000
    done = gw.retrieve_payment_link(link.id)
    assert (done.status, done.payment_intent_id, done.payment_status) == ("complete", pi["id"], "paid")
    assert gw.retrieve_intent(pi["id"]).succeeded
    assert [e["type"] for e in stripe_standin.events] == ["payment_intent.succeeded", "checkout.session.completed"]


def test_payment_link_prefers_customer(stripe_standin: StripeStandIn):
    stripe_standin.gateway().create_payment_link(
        amount_cents=100, currency="mxn", description="Fee", idempotency_key="fee_1", metadata={},
        success_url="https://s/ok", cancel_url="https://s/no", customer_id="cus_9", customer_email="a@b.c")
    params = stripe_standin.requests[-1].params
    assert params["customer"] == "cus_9" and "customer_email" not in params


def test_create_customer(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    cus = gw.create_customer(name="Ana López", email="ana@example.com", phone=None, idempotency_key="cli_7:customer",
                             metadata={"salon_client": "cli_7"})
    assert cus.startswith("cus_")
    stored = stripe_standin.customers[cus]
    assert (stored["name"], stored["email"], stored["phone"]) == ("Ana López", "ana@example.com", None)
    assert stored["metadata"] == {"salon_client": "cli_7"}
    assert gw.create_customer(name="Ana López", email="ana@example.com", phone=None, idempotency_key="cli_7:customer",
                              metadata={"salon_client": "cli_7"}) == cus
    assert len(stripe_standin.customers) == 1


# --- refunds ------------------------------------------------------------------------------------------


def test_refunds(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    paid = _paid_intent(gw, amount=20000)
    part = gw.create_refund(payment_intent_id=paid.id, amount_cents=5000, idempotency_key="ref_1",
                            metadata={"salon_refund": "ref_1"})
    assert isinstance(part, RefundResult)
    assert (part.status, part.amount, part.payment_intent_id, part.charge_id) == (
        "succeeded", 5000, paid.id, paid.latest_charge)
    assert part.failure_reason is None and part.metadata == {"salon_refund": "ref_1"}
    with pytest.raises(OutsideServiceFailed) as info:
        gw.create_refund(payment_intent_id=paid.id, amount_cents=15001, idempotency_key="ref_2", metadata={})
    assert info.value.exit_code == 5
    assert info.value.message == (
        "Stripe refused the request: Refund amount (15001) is greater than unrefunded amount on charge (15000)")

    stripe_standin.refund_status_next = "pending"
    rest = gw.create_refund(payment_intent_id=paid.id, amount_cents=15000, idempotency_key="ref_3", metadata={})
    assert rest.status == "pending"
    event = stripe_standin.settle_refund(rest.id)
    assert event["type"] == "charge.refund.updated"
    assert gw.retrieve_refund(rest.id).status == "succeeded"
    assert [e["type"] for e in stripe_standin.events][-3:] == ["charge.refunded", "charge.refunded",
                                                               "charge.refund.updated"]


# --- idempotency and failures -------------------------------------------------------------------------


def test_retry_after_a_500_reuses_the_key(stripe_standin: StripeStandIn):
    stripe_standin.fail_next(1, status=500)
    intent = _card_present(stripe_standin.gateway(), key="pay_0042:create")
    assert stripe_standin.seen("pay_0042:create") == 2
    assert [r.status for r in stripe_standin.requests] == [500, 200]
    assert list(stripe_standin.payment_intents) == [intent.id]


def test_retry_after_a_dropped_connection(stripe_standin: StripeStandIn):
    stripe_standin.fail_next(1, status="drop")
    intent = _card_present(stripe_standin.gateway(), key="pay_0043:create")
    assert stripe_standin.seen("pay_0043:create") == 2
    assert list(stripe_standin.payment_intents) == [intent.id]


def test_replayed_key_returns_the_first_answer(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    first = _card_present(gw, key="pay_0044:create")
    second = _card_present(gw, key="pay_0044:create")
    assert first == second
    assert stripe_standin.requests[-1].replayed
    assert len(stripe_standin.payment_intents) == 1


def test_same_key_other_request_is_refused(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    _card_present(gw, key="pay_0045:create", amount=100)
    with pytest.raises(OutsideServiceFailed, match=r"^Stripe refused: Keys for idempotent requests"):
        _card_present(gw, key="pay_0045:create", amount=200)


def test_concurrent_same_key_creates_one(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    results: list[Intent] = []
    threads = [threading.Thread(target=lambda: results.append(_card_present(gw, key="pay_0046:create")))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and len({r.id for r in results}) == 1
    assert len(stripe_standin.payment_intents) == 1


def test_dropped_connections_give_up(stripe_standin: StripeStandIn):
    stripe_standin.fail_next(3, status="drop")
    with pytest.raises(OutsideServiceFailed) as info:
        _card_present(stripe_standin.gateway(max_network_retries=2), key="pay_0050:create")
    err = info.value
    assert err.exit_code == 5
    assert err.message == "Stripe could not be reached: the connection was dropped"
    assert err.hint
    assert stripe_standin.seen("pay_0050:create") == 3
    assert stripe_standin.payment_intents == {}


def test_persistent_500_gives_up(stripe_standin: StripeStandIn):
    stripe_standin.fail_next(10, status=500)
    with pytest.raises(OutsideServiceFailed) as info:
        _card_present(stripe_standin.gateway(max_network_retries=2), key="pay_0051:create")
    assert info.value.exit_code == 5
    assert info.value.message.startswith("Stripe could not be reached: Stripe answered HTTP 500")
    assert stripe_standin.seen("pay_0051:create") == 3
    assert stripe_standin.payment_intents == {}


def test_nothing_listening(stripe_standin: StripeStandIn):
    url = stripe_standin.url
    stripe_standin.stop()
    gw = StripeGateway("sk_test_x", url, max_network_retries=1, timeout=2)
    with pytest.raises(OutsideServiceFailed, match=r"^Stripe could not be reached: the connection was refused"):
        gw.retrieve_intent("pi_1")


def test_bad_api_key(stripe_standin: StripeStandIn):
    stripe_standin.api_key = "sk_test_right"
    with pytest.raises(OutsideServiceFailed) as info:
        stripe_standin.gateway(api_key="sk_test_wrongkey1234").retrieve_intent("pi_1")
    assert info.value.exit_code == 5
    assert info.value.message.startswith("Stripe refused: the API key was not accepted")
    assert "wrongkey1234" not in info.value.message
    assert "SALON_STRIPE_API_KEY" in info.value.hint


def test_unknown_path_is_a_stripe_404(stripe_standin: StripeStandIn):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{stripe_standin.url}/v1/nothing_here")
    assert info.value.code == 404
    body = json.loads(info.value.read())
    assert body["error"]["type"] == "invalid_request_error"
    assert "Unrecognized request URL" in body["error"]["message"]


# --- events -------------------------------------------------------------------------------------------


def test_list_events_oldest_first_across_pages(stripe_standin: StripeStandIn):
    gw = stripe_standin.gateway()
    clock = iter(range(1_000, 2_000))
    stripe_standin.clock = lambda: next(clock)
    emitted = [stripe_standin.emit("payment_intent.succeeded" if i % 2 else "charge.refunded", {"id": f"obj_{i}"})
               for i in range(7)]
    got = gw.list_events(created_gte=None, page_size=2)
    assert [e["id"] for e in got] == [e["id"] for e in emitted]
    assert all(type(e) is dict and type(e["data"]["object"]) is dict for e in got)
    assert got[0] == emitted[0]
    assert sum(1 for r in stripe_standin.requests if r.path == "/v1/events") == 4
    assert stripe_standin.requests[-1].params["limit"] == "2"

    since = gw.list_events(created_gte=emitted[3]["created"], page_size=2)
    assert [e["id"] for e in since] == [e["id"] for e in emitted[3:]]
    only = gw.list_events(created_gte=None, types=["charge.refunded"], page_size=3)
    assert [e["id"] for e in only] == [e["id"] for e in emitted[0::2]]
    assert stripe_standin.requests[-1].params["types"] == ["charge.refunded"]
    assert gw.list_events(created_gte=5_000) == []


# --- webhooks -----------------------------------------------------------------------------------------


def _event() -> dict:
    return {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1_700_000_000,
            "data": {"object": {"id": "pi_1", "object": "payment_intent", "status": "succeeded"}}}


def test_verify_webhook_good():
    payload, header = signed(_event(), SECRET, timestamp=1_700_000_000)
    assert verify_webhook(payload, header, SECRET, now=1_700_000_100) == _event()
    fresh, header_now = signed(_event(), SECRET)
    assert verify_webhook(fresh, header_now, SECRET)["id"] == "evt_1"  # the real clock
    # Stripe may list several v1 signatures (secret rolling): any match will do.
    t = 1_700_000_000
    other = signed(_event(), "whsec_old", timestamp=t)[1].split(",")[1]
    assert verify_webhook(payload, f"t={t},{other},{header.split(',')[1]}", SECRET, now=t)["id"] == "evt_1"


@pytest.mark.parametrize(("case", "reason"), [
    ("wrong secret", "bad signature"),
    ("tampered", "bad signature"),
    ("stale", "signature timestamp is 600 s old (limit 300 s)"),
    ("future", "signature timestamp is 600 s in the future (limit 300 s)"),
    ("missing", "no Stripe-Signature header"),
    ("garbage header", "malformed Stripe-Signature header"),
    ("no v1", "bad signature (no v1 signature in the header)"),
])
def test_verify_webhook_refuses(case, reason):
    t = 1_700_000_000
    payload, header = signed(_event(), "whsec_other" if case == "wrong secret" else SECRET, timestamp=t)
    now = t
    if case == "tampered":
        payload = payload.replace(b"succeeded", b"failed")
    elif case == "stale":
        now = t + 600
    elif case == "future":
        now = t - 600
    elif case == "missing":
        header = None
    elif case == "garbage header":
        header = "nonsense"
    elif case == "no v1":
        header = f"t={t},v0=abc"
    with pytest.raises(InvalidInput) as info:
        verify_webhook(payload, header, SECRET, tolerance=300, now=now)
    assert info.value.exit_code == 2
    assert info.value.message == reason


def test_verify_webhook_not_json():
    import stripe

    t = int(time.time())
    header = stripe.WebhookSignature.generate_signature_header("not json {", SECRET, timestamp=t)
    with pytest.raises(InvalidInput) as info:
        verify_webhook(b"not json {", header, SECRET)
    assert info.value.message == "not JSON"


def test_verify_webhook_without_secret():
    payload, header = signed(_event(), SECRET)
    with pytest.raises(StripeNotConfigured):
        verify_webhook(payload, header, "")
