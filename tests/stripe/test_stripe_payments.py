"""Stripe's flows with the real `stripe` library against a local stand-in of Stripe's API, on SQLite and
PostgreSQL: card-present on a reader, payment links, off-session penalty charges, refunds, retries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from salon_cli.core.errors import OutsideServiceFailed, RuleViolation
from salon_cli.db.models import Appointment, Payment, Penalty, Refund, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.till import tickets
from salon_cli.services.book import penalties
from salon_cli.services.salon import install
from salon_cli.services.stripe import apply as stripe_apply, payments as stripe_payments
from salon_cli.services.till.sale_views import view
from shop import make_shop

NO_WAIT = {"poll": 0.0, "sleep": lambda _s: None}


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _apply(engine, event):
    with UnitOfWork(engine) as uow:
        outcome = stripe_apply.apply(uow.session, event)
        uow.commit()
    return outcome


def _sale(engine, shop):
    with UnitOfWork(engine) as uow:
        sale = tickets.open_sale(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
        uow.commit()
    return sale.id


def _no_show_penalty(engine, shop, amount=17500):
    with UnitOfWork(engine) as uow:
        s = uow.session
        appt = s.get(Appointment, shop.appt)
        appt.status = "no_show"
        s.add(appt)
        s.flush()
        row = Penalty(location_id=shop.loc.id, appointment_id=shop.appt, client_id=shop.ximena, kind="no_show",
                      amount_cents=amount, reason="no-show: Corte", created_at=appt.created_at)
        s.add(row)
        uow.commit()
        return row.id


def _count(engine, model, *where):
    return _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(model).where(*where)).one())


# ----------------------------------------------------------------------------- card-present

def test_reader_payment_succeeds_with_the_tip_in_the_intent(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(), tip_cents=3000, **NO_WAIT)
    assert out.ok and out.payment.status == "succeeded" and out.payment.tip_cents == 3000
    (pi,) = stripe_standin.payment_intents.values()
    assert pi["amount"] == 38000 and pi["payment_method_types"] == ["card_present"]
    assert pi["metadata"]["salon_payment_id"] == str(out.payment.id)
    assert out.payment.stripe_payment_intent_id == pi["id"]
    sale = _read(engine, view, sale_id, shop.loc)
    assert (sale.status, sale.paid_cents, sale.tip_cents) == ("paid", 35000, 3000)
    keys = [r.idempotency_key for r in stripe_standin.requests if r.method == "POST"]
    assert all(k and k.startswith("salon-centro-") for k in keys)


def test_reader_decline_leaves_the_sale_open(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_standin.reader_outcome["tmr_desk1"] = "declined"
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(), **NO_WAIT)
    assert not out.ok and out.payment.status == "failed" and "declined" in out.reason
    sale = _read(engine, view, sale_id, shop.loc)
    assert (sale.status, sale.paid_cents, sale.balance_cents) == ("open", 0, 35000)


def test_reader_timeout_cancels_the_reader_and_the_intent(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_standin.reader_outcome["tmr_desk1"] = "never"
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(), timeout=0.05, **NO_WAIT)
    assert not out.ok and out.payment.status == "cancelled" and "no card after" in out.reason
    paths = [r.path for r in stripe_standin.requests]
    assert "/v1/terminal/readers/tmr_desk1/cancel_action" in paths
    (pi,) = stripe_standin.payment_intents.values()
    assert pi["status"] == "canceled"


def test_a_failed_first_call_retried_by_the_library_charges_once(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_standin.fail_next(1, status=500)
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(max_network_retries=2), **NO_WAIT)
    assert out.ok
    key = next(r.idempotency_key for r in stripe_standin.requests if r.path == "/v1/payment_intents")
    assert stripe_standin.seen(key) == 2 and len(stripe_standin.payment_intents) == 1


def test_a_network_failure_is_exit_5_nothing_paid_and_the_rerun_reuses_the_key(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_standin.fail_next(1, status="drop")
    with pytest.raises(OutsideServiceFailed) as failed:
        stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                      gateway=stripe_standin.gateway(max_network_retries=0), **NO_WAIT)
    assert failed.value.exit_code == 5
    sale = _read(engine, view, sale_id, shop.loc)
    assert sale.status == "open" and sale.paid_cents == 0 and [p.status for p in sale.payments] == ["pending"]
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(max_network_retries=0), **NO_WAIT)
    assert out.ok and out.payment.id == sale.payments[0].id
    key = next(r.idempotency_key for r in stripe_standin.requests if r.path == "/v1/payment_intents")
    assert stripe_standin.seen(key) == 2 and len(stripe_standin.payment_intents) == 1
    assert _count(engine, Payment) == 1


def test_checkout_with_cash_then_stripe_last(engine, shop, stripe_standin):
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[checkout.parse_tender("cash:100", "MXN"), checkout.parse_tender("stripe", "MXN")],
                             tip_cents=2000, gateway_factory=stripe_standin.gateway, reader_timeout=5)
    assert done.reader.ok and done.sale.status == "paid"
    # the tip rides on the cash tender (issue 26: the cash one, else the first that pays in money)
    assert [(p.method, p.amount_cents, p.tip_cents) for p in done.sale.payments] == [("cash", 10000, 2000),
                                                                                    ("stripe", 25000, 0)]


# ----------------------------------------------------------------------------- refunds

def test_stripe_refund_through_the_api_pending_then_settled_by_the_event(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                  gateway=stripe_standin.gateway(), **NO_WAIT)
    rows = stripe_payments.refund_sale(engine, actor=shop.marco, location=shop.loc, sale_id=sale_id, reason="burn",
                                       amount_cents=10000, gateway_factory=stripe_standin.gateway)
    assert [(r.method, r.status, r.amount_cents) for r in rows] == [("stripe", "succeeded", 10000)]
    assert rows[0].stripe_refund_id in stripe_standin.refunds
    stripe_standin.refund_status_next = "pending"
    (pending,) = stripe_payments.refund_sale(engine, actor=shop.marco, location=shop.loc, sale_id=sale_id,
                                             reason="more", amount_cents=5000, gateway_factory=stripe_standin.gateway)
    assert pending.status == "pending"
    assert _read(engine, view, sale_id, shop.loc).refunded_cents == 10000  # pending money is not counted
    event = stripe_standin.settle_refund(pending.stripe_refund_id)
    assert _apply(engine, event)[0] == "applied"
    assert _apply(engine, event)[1].endswith("stays succeeded")  # applying again changes nothing
    sale = _read(engine, view, sale_id, shop.loc)
    assert (sale.status, sale.refunded_cents) == ("partially_refunded", 15000)


def test_refund_network_failure_then_resend_refunds_once(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                  gateway=stripe_standin.gateway(), **NO_WAIT)
    stripe_standin.fail_next(1, status="drop")
    with pytest.raises(OutsideServiceFailed):
        stripe_payments.refund_sale(engine, actor=shop.marco, location=shop.loc, sale_id=sale_id, reason="x",
                                    gateway_factory=lambda: stripe_standin.gateway(max_network_retries=0))
    assert _read(engine, view, sale_id, shop.loc).refunded_cents == 0
    sent = stripe_payments.resend_pending_refunds(engine, actor=shop.marco, location=shop.loc, sale_id=sale_id,
                                                  gateway=stripe_standin.gateway(max_network_retries=0))
    assert len(sent) == 1 and len(stripe_standin.refunds) == 1
    sale = _read(engine, view, sale_id, shop.loc)
    assert (sale.status, sale.refunded_cents) == ("refunded", 35000)


# ----------------------------------------------------------------------------- penalties off-session

def test_penalty_charged_off_session_goes_pending_charged_paid_on_the_webhook(engine, shop, stripe_standin):
    pid = _no_show_penalty(engine, shop)
    out = stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                         gateway=stripe_standin.gateway())
    assert out.ok and out.penalty.status == "charged" and out.payment.status == "pending"
    (pi,) = stripe_standin.payment_intents.values()
    sent = next(r.params for r in stripe_standin.requests if r.path == "/v1/payment_intents")
    assert (sent["off_session"], sent["confirm"]) == ("true", "true")
    assert (pi["customer"], pi["payment_method"], pi["amount"]) == ("cus_ximena", "pm_card_visa", 17500)
    event = next(e for e in stripe_standin.events if e["type"] == "payment_intent.succeeded")
    assert _apply(engine, event)[0] == "applied"
    pen = _read(engine, lambda s: s.get(Penalty, pid))
    assert (pen.status, pen.paid_method, pen.stripe_payment_intent_id) == ("paid", "stripe", pi["id"])
    assert _apply(engine, event)[1].endswith("had already succeeded")
    with pytest.raises(RuleViolation, match="is already paid"):
        stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                       gateway=stripe_standin.gateway())
    assert len(stripe_standin.payment_intents) == 1


@pytest.mark.parametrize("card, words", [("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
                                         ("pm_card_authenticationRequired", "authentication_required")])
def test_a_declined_card_leaves_the_penalty_failed_with_the_reason(engine, shop, stripe_standin, card, words):
    pid = _no_show_penalty(engine, shop)
    with UnitOfWork(engine) as uow:
        from salon_cli.db.models import Client

        client = uow.session.get(Client, shop.ximena)
        client.stripe_payment_method_id = card
        uow.session.add(client)
        uow.commit()
    out = stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                         gateway=stripe_standin.gateway())
    assert not out.ok and out.penalty.status == "failed" and words in out.penalty.failure_reason
    assert out.payment.status == "failed"
    assert _read(engine, lambda s: s.exec(select(Sale)).one()).paid_cents == 0


def test_a_waived_penalty_cannot_be_charged(engine, shop, stripe_standin):
    pid = _no_show_penalty(engine, shop)
    with UnitOfWork(engine) as uow:
        penalties.waive(uow.session, actor=shop.marco, location=shop.loc, penalty_id=pid, reason="family emergency")
        uow.commit()
    with pytest.raises(RuleViolation, match="waived"):
        stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                       gateway=stripe_standin.gateway())
    assert stripe_standin.requests == [] and _count(engine, Payment) == 0


def test_no_saved_card_points_to_a_payment_link(engine, shop, stripe_standin):
    pid = _no_show_penalty(engine, shop)
    with UnitOfWork(engine) as uow:
        from salon_cli.db.models import Client

        client = uow.session.get(Client, shop.ximena)
        client.stripe_payment_method_id = None
        uow.session.add(client)
        uow.commit()
    with pytest.raises(RuleViolation, match="no saved card") as refused:
        stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                       gateway=stripe_standin.gateway())
    assert "stripe link --penalty" in refused.value.hint and _count(engine, Sale) == 0


# ----------------------------------------------------------------------------- payment links

def test_penalty_link_is_idempotent_and_the_paid_link_pays_the_penalty(engine, shop, stripe_standin):
    pid = _no_show_penalty(engine, shop)
    first = stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                         gateway=stripe_standin.gateway())
    again = stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                         gateway=stripe_standin.gateway())
    assert first.payment_url and first.payment_url == again.payment_url and len(stripe_standin.checkout_sessions) == 1
    (session_id,) = stripe_standin.checkout_sessions
    event = stripe_standin.complete_session(session_id)
    assert _apply(engine, event)[0] == "applied"
    completed = stripe_standin.events[-1]
    assert completed["type"] == "checkout.session.completed" and _apply(engine, completed)[0] == "applied"
    pen = _read(engine, lambda s: s.get(Penalty, pid))
    assert pen.status == "paid"
    assert _read(engine, lambda s: s.exec(select(Payment)).one()).status == "succeeded"


def test_deposit_link_then_checkout_takes_the_rest(engine, salon, stripe_standin):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        appt = uow.session.get(Appointment, shop.appt)
        appt.deposit_cents = 10000
        uow.session.add(appt)
        uow.commit()
    link = stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                                        gateway=stripe_standin.gateway())
    assert link.amount_cents == 10000 and link.purpose == "deposit"
    (session_id,) = stripe_standin.checkout_sessions
    _apply(engine, stripe_standin.complete_session(session_id))
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[checkout.parse_tender("cash", "MXN")])
    assert done.sale.status == "paid" and [(p.method, p.amount_cents) for p in done.sale.payments] == [
        ("stripe", 10000), ("cash", 25000)]


def test_a_webhook_for_a_closed_day_lands_on_the_next_open_day(engine, shop, stripe_standin, clock):
    from salon_cli.db.models import DayClose

    pid = _no_show_penalty(engine, shop)
    stripe_payments.charge_penalty(engine, actor=shop.sofia, location=shop.loc, penalty_id=pid,
                                   gateway=stripe_standin.gateway())
    with UnitOfWork(engine) as uow:
        uow.session.add(DayClose(location_id=shop.loc.id, business_date=clock.now().date(), closed_at=clock.now()))
        uow.commit()
    clock.advance(hours=1)
    event = next(e for e in stripe_standin.events if e["type"] == "payment_intent.succeeded")
    _apply(engine, event)
    payment = _read(engine, lambda s: s.exec(select(Payment)).one())
    assert payment.status == "succeeded" and str(payment.business_date) == "2026-11-22"
    assert _count(engine, Refund) == 0


# ----------------------------------------------------------------------------- events that are not quite ours

def _intent_event(pi_id, metadata, status="succeeded"):
    return {"id": f"evt_{pi_id}", "type": f"payment_intent.{status}",
            "data": {"object": {"id": pi_id, "object": "payment_intent", "status": status, "metadata": metadata,
                                "latest_charge": f"ch_{pi_id}", "amount": 35000, "currency": "mxn"}}}


def test_metadata_of_another_database_does_not_pay_our_payment(engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    link = stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway())
    theirs = {"salon_payment_id": str(link.id), "salon_sale_id": "999", "salon_location": "elsewhere"}
    assert _apply(engine, _intent_event("pi_theirs", theirs))[0] == "ignored"
    other_place = {"salon_payment_id": str(link.id), "salon_sale_id": str(sale_id), "salon_location": "norte"}
    assert _apply(engine, _intent_event("pi_norte", other_place))[0] == "ignored"
    assert _read(engine, view, sale_id, shop.loc).payments[0].status == "pending"
    stamp = _read(engine, install.install_id)
    ours = {"salon_payment_id": str(link.id), "salon_sale_id": str(sale_id), "salon_location": "centro"}
    assert _apply(engine, _intent_event("pi_unstamped", ours))[1].endswith("(its salon_install stamp is another's)")
    ours["salon_install"] = stamp
    assert _apply(engine, _intent_event("pi_ours", ours))[0] == "applied"
    assert _read(engine, view, sale_id, shop.loc).status == "paid"


def test_dashboard_refunds_link_to_what_the_charge_already_recorded_and_never_exceed_the_payment(
        engine, shop, stripe_standin):
    sale_id = _sale(engine, shop)
    out = stripe_payments.pay_on_reader(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway(), tip_cents=5000, **NO_WAIT)
    pi, charge_id = out.payment.stripe_payment_intent_id, f"ch_x{sale_id}"
    charge = {"id": charge_id, "object": "charge", "payment_intent": pi, "status": "succeeded", "paid": True,
              "amount": 40000, "amount_refunded": 40000}  # the whole charge, tip included, no refunds list
    assert _apply(engine, {"id": "evt_c1", "type": "charge.refunded", "data": {"object": charge}})[0] == "applied"
    refund = {"id": "re_dash", "object": "refund", "amount": 40000, "status": "succeeded", "payment_intent": pi,
              "charge": charge_id}
    _apply(engine, {"id": "evt_r1", "type": "refund.created", "data": {"object": refund}})
    rows = _read(engine, lambda s: s.exec(select(Refund)).all())
    assert [(r.amount_cents, r.stripe_refund_id, r.status) for r in rows] == [(35000, "re_dash", "succeeded")]
    sale = _read(engine, view, sale_id, shop.loc)
    assert (sale.status, sale.paid_cents, sale.refunded_cents) == ("refunded", 35000, 35000)


def test_checkout_with_stripe_but_no_reader_records_nothing(engine, salon, stripe_standin):
    shop = make_shop(engine, reader=None)
    with pytest.raises(RuleViolation, match="has no Stripe reader"):
        checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                          tenders=[checkout.parse_tender("cash:100", "MXN"), checkout.parse_tender("stripe", "MXN")],
                          gateway_factory=stripe_standin.gateway)
    assert _count(engine, Sale) == 0 and _count(engine, Payment) == 0 and stripe_standin.requests == []
    assert _read(engine, lambda s: s.get(Appointment, shop.appt)).status == "booked"
