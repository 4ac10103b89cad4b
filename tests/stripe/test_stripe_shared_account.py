"""Two salon databases on one Stripe account with the same location code (issue 26, item 7), on SQLite and
PostgreSQL: the same sale and payment ids, the same amounts, the same metadata but for each database's
stamp. Stripe's webhook tells both databases of every event; an object found only by its metadata pays
a sale only in the database that made it, and only for its amount and currency."""

from __future__ import annotations

import pytest
from sqlmodel import select

from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import Payment, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import install
from salon_cli.services.salon.setup import initialise
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till import tickets
from shop import make_shop
from test_stripe_webhooks import deliver, event, rows


@pytest.fixture
def twin(fresh_url, salon, clock):
    """Another salon's database, initialised like ours: location `centro` too. A second later: the
    idempotency keys of the two databases differ by their location's creation second
    (`stripe.payments.key_prefix`)."""
    clock.advance(seconds=1)
    eng = make_engine(fresh_url)
    migrate.upgrade(eng)
    initialise(eng, location_code="centro", location_name="Otro Centro", timezone="America/Mexico_City",
               currency="MXN", owner_name="Otra Dueña", owner_code="lucia", owner_pin="1234")
    yield eng
    eng.dispose()


def link_for_a_sale(engine, stripe_standin) -> tuple[int, str]:
    """The shop's appointment opened as a sale and sent a payment link: (sale id, Checkout Session id)."""
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        sale_id = tickets.open_sale(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt).id
        uow.commit()
    link = stripe_payments.payment_link(engine, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                        gateway=stripe_standin.gateway())
    return sale_id, link.payment_url.rsplit("/", 1)[1]


def state(engine, sale_id: int) -> tuple[str, str, int]:
    with UnitOfWork(engine, write=False) as uow:
        sale = uow.session.get(Sale, sale_id)
        payment = uow.session.exec(select(Payment).where(Payment.sale_id == sale_id)).one()
        return sale.status, payment.status, sale.paid_cents


def test_another_salons_payment_on_the_same_account_never_pays_our_sale(engine, twin, stripe_standin):
    ours, our_session = link_for_a_sale(engine, stripe_standin)
    theirs, their_session = link_for_a_sale(twin, stripe_standin)
    sent = {s: cs["metadata"] for s, cs in stripe_standin.checkout_sessions.items()}
    assert ours == theirs and sent[our_session]["salon_payment_id"] == sent[their_session]["salon_payment_id"]
    assert sent[our_session]["salon_location"] == sent[their_session]["salon_location"] == "centro"
    assert sent[our_session]["salon_install"] != sent[their_session]["salon_install"]

    paid = stripe_standin.complete_session(their_session)  # their client pays their link
    completed = stripe_standin.events[-1]
    for evt in (paid, completed):  # the account's webhook tells both databases
        got = deliver(engine, evt)
        assert (got.status, got.duplicate) == ("ignored", False)
        assert "not made by this database" in got.note and "names payment 1" in got.note
        assert rows(engine)[evt["id"]].error == got.note  # recorded, with why
        assert deliver(twin, evt).status == "applied"
    assert state(engine, ours) == ("open", "pending", 0)
    assert state(twin, theirs) == ("paid", "succeeded", 35000)

    paid = stripe_standin.complete_session(our_session)  # and ours pays only ours
    assert deliver(engine, paid).status == "applied" and deliver(twin, paid).status == "ignored"
    assert state(engine, ours) == ("paid", "succeeded", 35000)


_made = iter(range(1, 10**9))


def intent_naming(engine, sale_id: int, **change) -> dict:
    """A succeeded PaymentIntent Stripe made for our payment link, unknown here by its id."""
    with UnitOfWork(engine, write=False) as uow:
        payment = uow.session.exec(select(Payment).where(Payment.sale_id == sale_id)).one()
        stamp = install.install_id(uow.session)
    metadata = {"salon_payment_id": str(payment.id), "salon_sale_id": str(sale_id), "salon_location": "centro",
                "salon_install": stamp}
    pi = {"id": f"pi_made_by_a_link_{next(_made)}", "object": "payment_intent", "amount": 35000,
          "currency": "mxn", "status": "succeeded", "latest_charge": None, "metadata": metadata}
    metadata.update(change.pop("metadata", {}))
    return event("payment_intent.succeeded", {**pi, **change})


@pytest.mark.parametrize("change, why", [
    ({"amount": 30000}, "it is for 30000 mxn, that payment for 35000 mxn"),
    ({"currency": "usd"}, "it is for 35000 usd, that payment for 35000 mxn"),
    ({"metadata": {"salon_install": "0" * 32}}, "not made by this database"),
    ({"metadata": {"salon_install": None}}, "not made by this database"),
    ({"metadata": {"salon_sale_id": "2"}}, "its sale or location is not that payment's"),
])
def test_metadata_without_our_stamp_amount_and_currency_pays_nothing(engine, salon, stripe_standin, change, why):
    sale_id, _ = link_for_a_sale(engine, stripe_standin)
    got = deliver(engine, intent_naming(engine, sale_id, **change))
    assert got.status == "ignored" and why in got.note
    assert state(engine, sale_id) == ("open", "pending", 0)
    assert deliver(engine, intent_naming(engine, sale_id)).status == "applied"  # the very same, but ours
    assert state(engine, sale_id) == ("paid", "succeeded", 35000)
