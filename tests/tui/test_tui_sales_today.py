"""The dashboard's day of sales (`L`): a refund by a manager from the payment chosen (a wrong PIN and a
receptionist refused), a void with its reason, a sale's detail, and a Stripe payment's refund going
through Stripe (the stand-in of tests/stripe_standin.py), refused on screen when Stripe cannot be reached.
Driven with Pilot on the demo salon at the fixed test clock."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select
from textual.widgets import DataTable, Input, OptionList, Static

from salon_cli.db.models import Location, LoyaltyEntry, Product, Refund
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.closing import zreport
from salon_cli.services.salon import locations, staff
from salon_cli.services.salon.actors import Actor
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.till.sale_views import view
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.checkout import CheckoutScreen
from salon_cli.tui.screens.till.receipt import ReceiptScreen
from salon_cli.tui.screens.modals import ChoiceModal as PickModal
from salon_cli.tui.screens.till.sale_detail import SaleDetailScreen
from salon_cli.tui.screens.till.sales_today import SalesScreen
from tui_helpers import SOFIA, settle, text_of

SIZE = (120, 36)


def _desk(engine, work):
    """`work(session, location, sofia)` in one committed unit of work."""
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        sofia = staff.identify(uow, who="sofia", pin=None, location=loc)
        done = work(uow.session, loc, sofia)
        uow.commit()
    return done


def _read(engine, work):
    with UnitOfWork(engine, write=False) as uow:
        return work(uow.session, locations.resolve(uow.session, None))


def _ring(engine, *products: str, client_id: int | None = 1) -> int:
    """An open sale at the desk (no appointment) of the demo's products: aceite-argan 380.00, cera-barba 220.00."""
    def work(s, loc, a):
        opened = tickets.create(s, actor=a, location=loc, client_id=client_id)
        for code in products:
            sales.add_product(s, actor=a, location=loc, sale_id=opened.id, product=code)
        return opened.id

    return _desk(engine, work)


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


async def _wait_for(pilot, screen_type, tries: int = 200):
    for _ in range(tries):
        await pilot.pause()
        if isinstance(pilot.app.screen, screen_type):
            return pilot.app.screen
    raise AssertionError(f"{screen_type.__name__} never showed (on show: {type(pilot.app.screen).__name__})")


async def _on_sale(pilot, sale_id: int) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(sale_id)))
    await pilot.pause()


async def _refund(pilot, *, payment_index: int | None, amount: str | None, reason: str, who: str, pin: str) -> dict:
    """r on the sale under the cursor: the payment picked, the form (returns its fields as shown), the PIN."""
    await pilot.press("r")
    await settle(pilot)
    if payment_index is not None:
        picker = await _wait_for(pilot, PickModal)
        picker.query_one(OptionList).highlighted = payment_index
        await pilot.press("enter")
        await pilot.pause()
    form = pilot.app.screen
    shown = {name: form.query_one(f"#field-{name}", Input).value for name in ("amount", "reason")}
    if amount is not None:
        form.query_one("#field-amount", Input).value = amount
    form.query_one("#field-reason", Input).focus()
    await pilot.press(*reason, "enter")
    for _ in range(200):
        await pilot.pause()
        if pilot.app.screen.query("#field-pin"):
            break
    who_field = pilot.app.screen.query_one("#field-who", Input)
    who_field.value = who
    pilot.app.screen.query_one("#field-pin", Input).focus()
    await pilot.press(*pin, "enter")
    await settle(pilot)
    return shown


def test_refund_the_card_of_a_cash_and_card_sale_then_void_an_open_sale(demo_engine):
    # a client buys 600.00 of products and pays 200.00 cash and 400.00 by card: paid, and points earned
    sale_id = _ring(demo_engine, "aceite-argan", "cera-barba")
    cash = _desk(demo_engine, lambda s, loc, a: tenders.pay(s, actor=a, location=loc, sale_id=sale_id, method="cash",
                                                            amount_cents=20000))
    card = _desk(demo_engine, lambda s, loc, a: tenders.pay(s, actor=a, location=loc, sale_id=sale_id, method="card"))
    earned = _read(demo_engine, lambda s, loc: s.exec(select(LoyaltyEntry).where(
        LoyaltyEntry.key == f"earn:sale:{sale_id}")).one()).points
    assert earned > 0
    # and a sale rung up twice: open, one product on it
    stock = _read(demo_engine, lambda s, loc: s.exec(select(Product.stock).where(Product.code == "cera-barba")).one())
    twice = _ring(demo_engine, "cera-barba", client_id=None)

    def refunds():
        return _read(demo_engine, lambda s, loc: [(r.payment_id, r.method, r.amount_cents, r.status, r.reason)
                                                   for r in s.exec(select(Refund).where(Refund.sale_id == sale_id))])

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("L")
            screen = await _wait_for(pilot, SalesScreen)
            await settle(pilot)
            assert text_of(app, "#title") == "Sales — Salón Centro, Saturday, November 21, 2026  (today)"
            table = screen.query_one(DataTable)
            assert table.row_count == 9  # the demo's seven, and these two
            assert str(table.get_row(str(twice))[-1]) == "open"
            assert text_of(app, "#summary").startswith("9 sales: 2 open · 7 paid")
            await _on_sale(pilot, sale_id)
            assert text_of(app, "#sale-money") == f"sale {sale_id}: #{cash.id} cash MX$200.00, #{card.id} card MX$400.00"

            # a receptionist alone: her own PIN does not refund
            shown = await _refund(pilot, payment_index=1, amount=None, reason="tinte disparejo", who="sofia",
                                  pin="3333")
            assert shown == {"amount": "400.00", "reason": ""}  # what the card can still give back
            assert "refused" in text_of(app, "#summary") and "sofia (receptionist) may not" in text_of(app, "#summary")
            # a manager's wrong PIN: refused, nothing recorded
            await _refund(pilot, payment_index=1, amount="123.45", reason="tinte disparejo", who="marco", pin="9999")
            assert "refused" in text_of(app, "#summary")
            assert refunds() == []
            # the manager's PIN: 123.45 back on the card payment, to the cent
            await _refund(pilot, payment_index=1, amount="123.45", reason="tinte disparejo", who="marco", pin="2222")
            offer = await _wait_for(pilot, PickModal)
            assert "refunded MX$123.45" in str(offer.query_one("#dialog-note", Static).render())
            await pilot.press("escape")
            await settle(pilot)
            assert refunds() == [(card.id, "card", 12345, "succeeded", "tinte disparejo")]
            assert text_of(app, "#summary") == f"sale {sale_id}: refunded MX$123.45"
            row = table.get_row(str(sale_id))
            assert [str(c) for c in row[3:]] == ["600.00", "600.00", "123.45", "partially refunded"]

            # the sale in full: its payments by id and the refund on the card
            await pilot.press("enter")
            detail = await _wait_for(pilot, SaleDetailScreen)
            await settle(pilot)
            body = str(detail.query_one("#sale-detail", Static).render())
            assert f"#{card.id}" in body and "refunded 123.45" in body
            assert f"card 123.45 of payment #{card.id}  succeeded" in body and "tinte disparejo" in body
            await pilot.press("p")  # the receipt again
            receipt = await _wait_for(pilot, ReceiptScreen)
            assert (receipt.sale_id, receipt.refund_id) == (sale_id, None)
            await settle(pilot)
            await pilot.press("escape")
            await _wait_for(pilot, SaleDetailScreen)
            await pilot.press("escape")
            await _wait_for(pilot, SalesScreen)

            # a paid sale is not voided (said before any PIN); the open one is, by a manager, with a reason
            await pilot.press("v")
            await pilot.pause()
            assert "only an open sale is voided (r refunds a paid one)" in text_of(app, "#summary")
            await _on_sale(pilot, twice)
            await pilot.press("o")  # an open sale is taken on in the checkout
            checkout = await _wait_for(pilot, CheckoutScreen)
            await settle(pilot)
            assert checkout.sale is not None and checkout.sale.id == twice
            await pilot.press("escape")
            await _wait_for(pilot, SalesScreen)
            await settle(pilot)
            await pilot.press("v")
            await pilot.pause()
            await pilot.press(*"rang up twice", "enter")
            for _ in range(200):
                await pilot.pause()
                if app.screen.query("#field-pin"):
                    break
            await pilot.press(*"marco", "enter", *"2222", "enter")
            await settle(pilot)
            assert str(table.get_row(str(twice))[-1]) == "void"
            assert text_of(app, "#summary") == f"sale {twice} voided: rang up twice"

    asyncio.run(scenario())
    sale = _read(demo_engine, lambda s, loc: view(s, sale_id, loc))
    assert (sale.status, sale.paid_cents, sale.refunded_cents) == ("partially_refunded", 60000, 12345)
    # the loyalty effect is the till's: the refunded share of the sale's points voided
    voided = _read(demo_engine, lambda s, loc: s.exec(select(LoyaltyEntry).where(
        col(LoyaltyEntry.key).like("void:refund:%"), LoyaltyEntry.sale_id == sale_id)).one())
    assert voided.points == -(earned * 12345 // 60000)
    # the day's books: the card gave it back, the drawer did not
    day = _read(demo_engine, lambda s, loc: zreport.figures(s, loc, sale.business_date))
    assert (day["refunds_by_method"], day["cash_refunds_cents"]) == ({"card": 12345}, 0)
    gone = _read(demo_engine, lambda s, loc: view(s, twice, loc))
    assert (gone.status, gone.void_reason) == ("void", "rang up twice")
    assert _read(demo_engine, lambda s, loc: s.exec(select(Product.stock).where(
        Product.code == "cera-barba")).one()) == stock  # back on the shelf


def test_a_stripe_payment_is_refunded_through_stripe(demo_engine, stripe_standin, monkeypatch):
    """Stripe unreachable: refused on screen, the refund left pending (what `resend-refunds` sends); the rest
    refunded through Stripe by the same path as `salon sale refund`."""
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_standin")
    monkeypatch.setenv("SALON_STRIPE_API_BASE", stripe_standin.url)
    sale_id = _ring(demo_engine, "aceite-argan")  # 380.00

    def reader(s, loc, a):
        place = s.get(Location, loc.id)
        place.stripe_reader_id = "tmr_desk1"
        s.add(place)
        return a

    sofia: Actor = _desk(demo_engine, reader)
    loc = _read(demo_engine, lambda s, loc: loc)
    paid = stripe_payments.pay_on_reader(demo_engine, actor=sofia, location=loc, sale_id=sale_id,
                                         gateway=stripe_standin.gateway(), poll=0.0, sleep=lambda _s: None)
    assert paid.ok

    def refunds():
        return _read(demo_engine, lambda s, loc: [(r.method, r.amount_cents, r.status, r.stripe_refund_id, r.id)
                                                   for r in s.exec(select(Refund).where(Refund.sale_id == sale_id)
                                                                   .order_by(col(Refund.id)))])

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("L")
            await _wait_for(pilot, SalesScreen)
            await settle(pilot)
            await _on_sale(pilot, sale_id)
            stripe_standin.fail_next(3, status="drop")  # the call and both of the library's retries
            shown = await _refund(pilot, payment_index=None, amount="200.00", reason="alergia", who="marco", pin="2222")
            assert shown["amount"] == "380.00"  # one payment: no picker, the form at once
            assert text_of(app, "#summary").startswith("refused: Stripe could not be reached")
            assert text_of(app, "#summary").endswith(f"the refund waits for Stripe (pending); send it again from "
                                                     f"the command line: salon sale resend-refunds {sale_id}")
            assert [r[:4] for r in refunds()] == [("stripe", 20000, "pending", None)]
            # what is left to refund leaves out the one waiting for Stripe
            shown = await _refund(pilot, payment_index=None, amount=None, reason="alergia", who="marco", pin="2222")
            assert shown["amount"] == "180.00"
            await _wait_for(pilot, PickModal)  # the refund's receipt offered, and taken
            await pilot.press("enter")
            receipt = await _wait_for(pilot, ReceiptScreen)
            assert (receipt.sale_id, receipt.refund_id) == (sale_id, refunds()[-1][4])
            await settle(pilot)

    asyncio.run(scenario())
    (waiting, done) = refunds()
    assert waiting[:4] == ("stripe", 20000, "pending", None)
    assert done[:3] == ("stripe", 18000, "succeeded") and done[3] in stripe_standin.refunds
    assert stripe_standin.refunds[done[3]]["amount"] == 18000
