"""The dashboard's Checkout screen, driven with Pilot on the demo salon at the fixed test clock: looking at
an appointment's checkout shows a draft priced as `core.sale_math` says and keeps nothing, the first
change opens the sale, products and a discount change its totals, a tip rides on the next payment,
split tender ends the sale `paid`, and refusals are shown on the screen and keep nothing."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Button, DataTable, Digits, Input, Static

from salon_cli.core.money import format_amount
from salon_cli.core.sale_math import Discount, LineIn, price, tax_rates
from salon_cli.core.permissions import Permission
from salon_cli.i18n import formats
from salon_cli.db.models import AppointmentItem, Product
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import locations, policy, staff
from salon_cli.services.memberships import subscriptions as memberships
from salon_cli.services.till import sales, tenders, tickets
from salon_cli.services.till.sale_views import view
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.checkout import CheckoutScreen
from tui_helpers import SOFIA, settle, text_of

TODAY = date(2026, 11, 21)  # the clock fixture's business date in Mexico City


def today(engine, status: str):
    """Today's appointments in `status`, the dearest first."""
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        rows = [a for a in book.appointments(uow.session, location=loc, start=TODAY) if a.status == status]
    assert rows, f"the demo has no {status} appointment today"
    return sorted(rows, key=lambda a: -a.price_cents)


def expected_totals(engine, appointment_id: int, extra: tuple[int, ...] = (), discount: Discount | None = None):
    """What `core.sale_math` says the sale comes to: the appointment's services (and `extra` product
    lines), the location's taxes, the member's discount unless another is given."""
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        appt = book.view(s, appointment_id)
        items = s.exec(select(AppointmentItem.price_cents).where(AppointmentItem.appointment_id == appointment_id)
                       .order_by(AppointmentItem.position)).all()
        member = memberships.discount_for(s, appt.client_id)
        taxes = tax_rates(policy.row(s, loc).taxes or [])
    if discount is None and member is not None:
        discount = Discount("pct", member[0])
    return price([LineIn(c) for c in (*items, *extra)], taxes, discount)


def sale_of(engine, appointment_id: int):
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        live = sales.live_sale_of(uow.session, appointment_id)
        return None if live is None else view(uow.session, live.id, loc)


async def open_checkout(app, pilot, appointment_id: int) -> CheckoutScreen:
    await settle(pilot)
    app.open_checkout(appointment_id)
    await settle(pilot)
    assert isinstance(app.screen, CheckoutScreen)
    return app.screen


async def add_item(pilot, typed: str, quantity: str = "1") -> None:
    """`a`, then typed as the desk types it: a few letters of the item, Enter; Enter on who sold it (the
    appointment's stylist, prefilled); the quantity, Enter."""
    await pilot.press("a")
    await settle(pilot)  # the shelf and the menu are read
    await pilot.press(*typed, "enter", "enter", "backspace", *quantity, "enter")
    await settle(pilot)


async def fill(pilot, **values: str) -> None:
    """Fill the modal on show and press OK."""
    screen = pilot.app.screen
    for name, value in values.items():
        screen.query_one(f"#field-{name}", Input).value = value
    screen.query_one("#ok", Button).press()
    await settle(pilot)


def test_split_payment_with_a_tip_ends_paid_with_the_exact_figures(demo_engine):
    appt = today(demo_engine, "in_service")[0]
    totals = expected_totals(demo_engine, appt.id)
    total = totals.total_cents
    assert 50_000 < total < 150_000  # a card part of 500.00, then cash for the rest out of 1000.00
    card, tip = 50_000, 5_000
    cash = total - card
    change = 100_000 - cash

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            assert screen.sale is None and screen.shown.status == "draft"  # looking opens no sale
            assert screen.shown.total_cents == total
            assert f"total {formats.money(total, 'MXN')}" in text_of(app, "#state")
            assert screen.query_one(DataTable).row_count == len(screen.shown.lines) >= 1
            assert appt.client in text_of(app, "#title")
            assert sale_of(demo_engine, appt.id) is None

            await pilot.press("t")
            await fill(pilot, tip="50")
            assert "Tip (next payment)" in text_of(app, "#totals")
            await pilot.press("2")
            assert app.screen.query_one("#field-amount", Input).value == format_amount(total, "MXN")
            await fill(pilot, amount="500")
            assert screen.sale.paid_cents == card and screen.sale.balance_cents == cash
            assert screen.tip_cents == 0  # the tip went with the card payment
            await pilot.press("1")
            assert app.screen.query_one("#field-amount", Input).value == format_amount(cash, "MXN")
            await fill(pilot, tendered="1000")

            assert screen.sale.status == "paid"
            assert text_of(app, "#state").startswith("Paid")
            assert f"change {formats.money(change, 'MXN')}" in text_of(app, "#state")
            assert screen.query_one("#change-box").has_class("shown")
            assert screen.query_one("#change", Digits).value == formats.amount(change, "MXN")
            assert text_of(app, "#summary") == "p receipt · Escape: back to the book"
            await pilot.press("1")  # nothing left to take: the key does nothing
            await pilot.pause()
            assert isinstance(app.screen, CheckoutScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, CheckoutScreen)

    asyncio.run(scenario())

    sale = sale_of(demo_engine, appt.id)
    assert sale is not None and sale.status == "paid"
    assert (sale.total_cents, sale.paid_cents, sale.tip_cents, sale.balance_cents) == (total, total, tip, 0)
    assert [(p.method, p.amount_cents, p.tip_cents, p.tendered_cents, p.change_cents) for p in sale.payments] == [
        ("card", card, tip, None, 0), ("cash", cash, 0, 100_000, change)]
    with UnitOfWork(demo_engine, write=False) as uow:
        assert book.view(uow.session, appt.id).status == "completed"


def test_back_on_the_book_after_paying_the_appointment_shows_done(demo_engine):
    """Found trying a morning in tmux: the poll saw the sale's change while the checkout was on show
    and told only that screen, so the book beneath kept the client `in chair` after Escape until some
    other change came. Screens beneath the one on show now reload as they come back."""
    appt = today(demo_engine, "in_service")[0]
    total = expected_totals(demo_engine, appt.id).total_cents

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0.1)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            book_screen = app.screen
            book_table = book_screen.query_one(DataTable)
            assert str(book_table.get_row(str(appt.id))[1]) == "in chair"
            await open_checkout(app, pilot, appt.id)
            await pilot.press("1")
            await fill(pilot, amount=format_amount(total, "MXN"))
            assert app.screen.sale.status == "paid"
            for _ in range(30):  # let the poll see the sale's change while the checkout is on show
                await asyncio.sleep(0.05)
                await settle(pilot)
                if book_screen.stale:
                    break
            assert book_screen.stale  # marked, not read while hidden
            assert str(book_table.get_row(str(appt.id))[1]) == "in chair"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is book_screen and not book_screen.stale
            assert str(book_table.get_row(str(appt.id))[1]) == "done"

    asyncio.run(scenario())


def test_paid_from_the_clients_card_goes_back_to_the_card(demo_engine):
    from salon_cli.tui.screens.clients.client_card import ClientCardScreen

    appt = today(demo_engine, "in_service")[0]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_client(appt.client_id)
            await settle(pilot)
            screen = await open_checkout(app, pilot, appt.id)
            await pilot.press("2")
            await fill(pilot)  # the card pays the whole balance
            assert screen.sale is not None and screen.sale.status == "paid"
            assert text_of(app, "#summary") == "p receipt · Escape: back to the client's card"
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)

    asyncio.run(scenario())


def test_a_product_and_a_ten_percent_discount_change_the_totals(demo_engine):
    appt = today(demo_engine, "checked_in")[0]
    with UnitOfWork(demo_engine, write=False) as uow:
        product = uow.session.exec(select(Product).where(Product.code == "cera-barba")).one()
        stock, unit = product.stock, product.price_cents
    with_product = expected_totals(demo_engine, appt.id, (2 * unit,))
    discounted = expected_totals(demo_engine, appt.id, (2 * unit,), Discount("pct", 1000))

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            lines = len(screen.shown.lines)
            await add_item(pilot, "cera barba", "2")
            assert screen.sale is not None and len(screen.sale.lines) == lines + 1  # the first change opened it
            assert screen.query_one(DataTable).row_count == lines + 1
            added = screen.sale.lines[-1]
            assert (added.description, added.quantity, added.staff) == ("Cera para barba 60 g", 2, appt.staff)
            assert (screen.sale.subtotal_cents, screen.sale.discount_cents, screen.sale.tax_cents,
                    screen.sale.total_cents) == (with_product.subtotal_cents, with_product.discount_cents,
                                                 with_product.tax_cents, with_product.total_cents)
            await pilot.press("d")
            await fill(pilot, discount="10%")
            assert (screen.sale.subtotal_cents, screen.sale.discount_cents, screen.sale.tax_cents,
                    screen.sale.total_cents) == (discounted.subtotal_cents, discounted.discount_cents,
                                                 discounted.tax_cents, discounted.total_cents)
            totals = text_of(app, "#totals")
            assert f"-{formats.amount(discounted.discount_cents, 'MXN')}" in totals
            assert formats.amount(discounted.total_cents, "MXN") in totals

    asyncio.run(scenario())
    sale = sale_of(demo_engine, appt.id)
    assert sale.status == "open" and sale.total_cents == discounted.total_cents
    with UnitOfWork(demo_engine, write=False) as uow:
        assert uow.session.exec(select(Product).where(Product.code == "cera-barba")).one().stock == stock - 2


def test_refusals_are_shown_and_change_nothing(demo_engine):
    appt = today(demo_engine, "in_service")[0]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            balance = screen.shown.balance_cents
            await pilot.press("2")
            await fill(pilot, amount=format_amount(balance + 100, "MXN"))
            summary = text_of(app, "#summary")
            assert summary.startswith("refused: a card payment of ") and "is more than the" in summary
            assert screen.query_one("#summary").has_class("error")
            assert screen.sale is None  # refused: not even the sale it would have opened is kept

            await pilot.press("t")
            await fill(pilot, tip="ten")
            assert text_of(app, "#summary").startswith("refused: tip 'ten' is not a number")
            assert screen.tip_cents == 0

            await pilot.press("1")
            await fill(pilot, amount="100", tendered="50")
            assert "handed over is less than" in text_of(app, "#summary")

            await pilot.press("d")
            await fill(pilot, discount="150%")
            assert text_of(app, "#summary").startswith("refused: discount '150%' must be between")

            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*"no such thing", "enter")
            await settle(pilot)
            assert "nothing on the shelf or the menu matches 'no such thing'" in str(
                app.screen.query_one(".picker-note", Static).render())
            await pilot.press("escape")
            await settle(pilot)
            assert screen.sale is None and screen.shown.balance_cents == balance

    asyncio.run(scenario())
    assert sale_of(demo_engine, appt.id) is None
    with UnitOfWork(demo_engine, write=False) as uow:
        assert book.view(uow.session, appt.id).status == "in_service"


def test_a_live_sale_is_continued_not_opened_twice(demo_engine):
    appt = today(demo_engine, "in_service")[0]
    with UnitOfWork(demo_engine) as uow:
        loc = locations.resolve(uow.session, None)
        actor = staff.identify(uow, who="sofia", pin=None, location=loc, permission=Permission.desk)
        opened = tickets.open_sale(uow.session, actor=actor, location=loc, appointment_id=appt.id)
        tenders.pay(uow.session, actor=actor, location=loc, sale_id=opened.id, method="card", amount_cents=10_000)
        uow.commit()

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_checkout(app, pilot, appt.id)  # nobody signed in: reading needs no one
            assert screen.sale.id == opened.id
            assert screen.sale.paid_cents == 10_000
            assert "card 100.00" in text_of(app, "#payments")

    asyncio.run(scenario())


def test_p_on_today_opens_the_checkout_of_the_selected_appointment(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            row = app.screen.selected()
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, CheckoutScreen)
            assert app.screen.appointment_id == row.appointment.id
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, CheckoutScreen)

    asyncio.run(scenario())


def _snapshot_run(appointment_id: int, pay: bool):
    async def run_before(pilot) -> None:
        app = pilot.app
        app.desk = SOFIA
        await open_checkout(app, pilot, appointment_id)
        if pay:
            await pilot.press("2")
            await fill(pilot, amount="500")
            await pilot.press("1")
            await fill(pilot, tendered="1000")
        app.clear_notifications()
        await pilot.pause()
    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_checkout_snapshot(demo_engine, snap_compare, size):
    """The checkout of the appointment in the chair before anything is taken: the draft (its lines, the
    member's discount, totals and balance) and what the client brings (membership, points, the stamp)."""
    appt = today(demo_engine, "in_service")[0]
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size,
                        run_before=_snapshot_run(appt.id, pay=False))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_checkout_paid_snapshot(demo_engine, snap_compare, size):
    """The same sale paid by card and cash: the payments and the change, large."""
    appt = today(demo_engine, "in_service")[0]
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size,
                        run_before=_snapshot_run(appt.id, pay=True))


@pytest.fixture
def reader(demo_engine, stripe_standin, monkeypatch):
    """The demo location with a Stripe Terminal reader, Stripe aimed at the local stand-in."""
    from salon_cli.db.models import Location
    from salon_cli.services.stripe import payments as stripe_payments

    with UnitOfWork(demo_engine) as uow:
        place = uow.session.exec(select(Location).where(Location.code == "centro")).one()
        place.stripe_reader_id = "tmr_desk1"
        uow.session.add(place)
        uow.commit()
    monkeypatch.setattr(stripe_payments, "default_gateway", stripe_standin.gateway)
    monkeypatch.setattr(CheckoutScreen, "READER_POLL", 0.0)
    return stripe_standin


def test_stripe_on_the_reader_pays_the_rest(demo_engine, reader):
    appt = today(demo_engine, "in_service")[0]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            await pilot.press("2")
            await fill(pilot, amount="100")
            balance = screen.sale.balance_cents
            await pilot.press("3")
            await fill(pilot)  # the balance, as offered
            assert screen.sale.status == "paid"
            assert text_of(app, "#state").startswith("Paid")
            assert "stripe " + formats.amount(balance, "MXN") in text_of(app, "#payments")

    asyncio.run(scenario())
    sale = sale_of(demo_engine, appt.id)
    assert sale.status == "paid" and [p.method for p in sale.payments] == ["card", "stripe"]
    (intent,) = reader.payment_intents.values()
    assert intent["amount"] == sale.payments[1].amount_cents
    with UnitOfWork(demo_engine, write=False) as uow:
        assert book.view(uow.session, appt.id).status == "completed"


def test_a_declined_card_on_the_reader_leaves_the_balance(demo_engine, reader):
    appt = today(demo_engine, "in_service")[0]
    reader.reader_outcome["tmr_desk1"] = "declined"

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            total = screen.shown.total_cents
            await pilot.press("3")
            await fill(pilot)
            summary = text_of(app, "#summary")
            assert summary.startswith("refused: card payment failed: ") and "declined" in summary
            assert screen.sale.status == "open" and screen.sale.balance_cents == total
            assert not screen.busy
            assert "stripe " + formats.amount(total, "MXN") + " failed" in text_of(app, "#payments")

    asyncio.run(scenario())
    assert sale_of(demo_engine, appt.id).status == "open"


def test_escape_while_the_reader_waits_cancels_it_and_keeps_the_balance(demo_engine, reader):
    appt = today(demo_engine, "in_service")[0]
    reader.reader_outcome["tmr_desk1"] = "never"  # the client never taps

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            screen.READER_POLL = 0.05
            total = screen.shown.total_cents

            def summary() -> str:
                return str(screen.query_one("#summary", Static).render())

            await pilot.press("3")
            modal = app.screen
            modal.query_one("#ok", Button).press()  # the balance, as offered (no settle: the reader waits)
            for _ in range(100):  # the worker is polling the stand-in
                if "Esc cancels" in summary():
                    break
                await pilot.pause(0.05)
            assert screen.busy and "waiting for the card on reader tmr_desk1" in summary()
            await pilot.press("escape")
            assert app.screen is screen  # Escape stops the reader; it does not leave
            for _ in range(100):
                if not screen.busy:
                    break
                await pilot.pause(0.05)
            assert not screen.busy
            assert summary() == "refused: card payment not taken: cancelled at the desk"
            assert screen.sale.status == "open" and screen.sale.balance_cents == total
            await pilot.press("escape")  # now Escape leaves
            await pilot.pause()
            assert app.screen is not screen

    asyncio.run(scenario())
    sale = sale_of(demo_engine, appt.id)
    assert sale.status == "open" and [(p.method, p.status) for p in sale.payments] == [("stripe", "cancelled")]
    (intent,) = reader.payment_intents.values()
    assert intent["status"] == "canceled"
    cancels = [r for r in reader.requests if (r.idempotency_key or "").endswith("-reader-cancel")]
    assert len(cancels) == 1 and reader.readers["tmr_desk1"].get("action") is None


def test_looking_asks_no_one_and_the_first_money_asks_who_and_checks_the_visit_in(demo_engine):
    """Issue 28: opening a booked appointment's checkout changes nothing (no sign-in asked, no check-in, no
    sale); the first money asks who is at the desk, and a sign-in cancelled keeps nothing either."""
    appt = today(demo_engine, "booked")[0]
    total = expected_totals(demo_engine, appt.id).total_cents

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_checkout(appt.id)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CheckoutScreen) and screen.sale is None and screen.shown.total_cents == total
            await pilot.press("1")
            await fill(pilot)  # the balance, exact
            assert app.screen.query_one("#field-who", Input)  # who takes the money?
            await pilot.press("escape")  # not now: nothing is kept, the keys work again
            await settle(pilot)
            assert app.screen is screen and screen.sale is None and not screen.working
            assert sale_of(demo_engine, appt.id) is None
            await pilot.press("1")
            await fill(pilot)
            await fill(pilot, who="sofia", pin="3333")
            assert screen.sale is not None and screen.sale.status == "paid"
            assert (screen.sale.total_cents, screen.sale.paid_cents) == (total, total)

    asyncio.run(scenario())
    sale = sale_of(demo_engine, appt.id)
    assert [(p.method, p.amount_cents) for p in sale.payments] == [("cash", total)]
    with UnitOfWork(demo_engine, write=False) as uow:
        seen = book.view(uow.session, appt.id)
        assert seen.status == "completed" and seen.checked_in_at is not None  # checked in by the money, then done


def test_cash_typed_at_the_keyboard_leaves_the_change_on_screen(demo_engine):
    """Typed as the desk types it: the change stays on screen (Enter does nothing more) until Escape."""
    appt = today(demo_engine, "in_service")[0]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await open_checkout(app, pilot, appt.id)
            await pilot.press("1")
            await settle(pilot)
            # the amount is filled in with the balance, so the cursor waits in "handed over"
            assert app.screen.query_one("#field-tendered", Input).has_focus
            await pilot.press("9", "0", "0", "0", "enter")  # more than any demo ticket
            await settle(pilot)
            assert screen.sale.status == "paid" and isinstance(app.screen, CheckoutScreen)
            assert screen.query_one("#change-box").has_class("shown")
            await pilot.press("enter")  # Enter does not leave a paid sale: Escape goes back
            await settle(pilot)
            assert isinstance(app.screen, CheckoutScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, CheckoutScreen)

    asyncio.run(scenario())
