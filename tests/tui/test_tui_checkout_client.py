"""Issue 28, the checkout that knows the client, driven with Pilot on the demo salon at the fixed test clock
(Saturday 2026-11-21 11:00 in Mexico City): what the client brings is on the screen and applied with one
key each (the deposit as a payment, an open penalty put on the ticket, a reward code picked from the list,
points redeemed after a confirmation that says what they cost, a membership credit, a gift card whose
balance is shown before the amount); Escape and quitting keep nothing that took no money, and quitting
with money taken asks first; a sale at the desk with no appointment sells a gift card, a membership and a
product in one payment. Money is checked to the cent in the database after each."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import select
from textual.widgets import Input, Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import formats
from salon_cli.db.models import AuditLog, GiftCard, LoyaltyEntry, Payment, Penalty, Product, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.book import status as appt_status
from salon_cli.services.book import views as book
from salon_cli.services.clients import profiles as clients
from salon_cli.services.loyalty import cards, rewards
from salon_cli.services.memberships import subscriptions
from salon_cli.services.salon import locations, staff
from salon_cli.services.till import deposits, membership_fees, sales, tenders, tickets
from salon_cli.services.till.sale_views import view
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.checkout import CheckoutScreen
from salon_cli.tui.screens.modals import ChoiceModal
from salon_cli.tui.screens.till.checkout_modals import ConfirmModal, GiftCardPay
from tui_helpers import SOFIA, settle, text_of

TODAY = date(2026, 11, 21)


def _owner(uow):
    loc = locations.resolve(uow.session, None)
    return loc, staff.identify(uow, who="lucia", pin="1234", location=loc, permission=Permission.desk)


def _client(engine, first: str) -> int:
    with UnitOfWork(engine) as uow:
        loc, owner = _owner(uow)
        client = clients.add(uow.session, actor=owner, location=loc, first_name=first, last_name="Prueba").id
        uow.commit()
    return client


def _sale(engine, sale_id: int):
    with UnitOfWork(engine, write=False) as uow:
        return view(uow.session, sale_id, locations.resolve(uow.session, None))


async def _pick(pilot, label_start: str) -> None:
    """On a `ChoiceModal`, Enter on the option whose text starts with `label_start`."""
    modal = pilot.app.screen
    assert isinstance(modal, ChoiceModal), modal
    listed = modal.query_one("#choices")
    index = next(i for i, (_, label, why) in enumerate(modal.options) if label.startswith(label_start) and why is None)
    listed.highlighted = index
    await pilot.press("enter")
    await settle(pilot)


def test_the_client_brings_a_deposit_a_penalty_a_code_points_a_credit_and_a_gift_card(demo_engine):
    client = _client(demo_engine, "Valeria")
    with UnitOfWork(demo_engine) as uow:
        s = uow.session
        loc, owner = _owner(uow)
        visit = appointments.book_appointment(s, actor=owner, location=loc, client_id=client, services=["facial"],
                                              staff="emma", at="2026-11-21 18:00", allow_overlap=True).appointments[0]
        missed = appointments.book_appointment(s, actor=owner, location=loc, client_id=client, services=["balayage"],
                                               staff="emma", at="2026-11-21 10:50", allow_overlap=True).appointments[0]
        appt_status.no_show(s, actor=owner, location=loc, appointment_id=missed.id)
        membership_fees.subscribe(s, actor=owner, location=loc, client_id=client, plan_code="gold", pay_method="cash")
        cards.adjust(s, actor=owner, location=loc, client_id=client, points=1000, reason="moved from the old card")
        own = rewards.add_reward(s, actor=owner, location=loc, name="150 off", kind="discount_amount", points=300,
                                 value=15000)
        small = rewards.add_reward(s, actor=owner, location=loc, name="80 off", kind="discount_amount", points=100,
                                   value=8000)
        code = rewards.redeem(s, actor=owner, location=loc, client_id=client, reward_id=own.id).code
        sold = tickets.create(s, actor=owner, location=loc, client_id=client)
        sales.add_gift_card(s, actor=owner, location=loc, sale_id=sold.id, amount_cents=50000)
        tenders.pay(s, actor=owner, location=loc, sale_id=sold.id, method="cash")
        card = s.exec(select(GiftCard).where(GiftCard.sale_id == sold.id)).one().code
        deposits.take(s, actor=owner, location=loc, appointment_id=visit.id, method="cash", amount_cents=10000)
        fee = s.exec(select(Penalty).where(Penalty.appointment_id == missed.id)).one()
        points = cards.card(s, client).points  # after the code's 300
        uow.commit()
    total = 85000 - 8500  # the facial, Gold's 10 % off (IVA inside the price)
    assert fee.amount_cents > 0 and points >= 100

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(100, 40)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_checkout(visit.id)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CheckoutScreen) and screen.sale is not None  # the deposit opened it
            assert "deposit · cash 100.00" in text_of(app, "#payments")
            offers = text_of(app, "#offers")
            for said in ("Valeria Prueba: deposit MX$100.00 paid", "Gold 10% off, 1 credit (c)",
                         f"no-show fee {formats.money(fee.amount_cents, 'MXN')} open (f)",
                         f"gift card {card} MX$500.00 (g)", "1 code, ", "(r): 150 off pays MX$150.00"):
                assert said in offers, (said, offers)

            await pilot.press("f")  # the open penalty, on this ticket
            await _pick(pilot, "No-show")
            assert [line.kind for line in screen.sale.lines] == ["service", "fee"]
            assert screen.sale.total_cents == total + fee.amount_cents
            assert "open (f)" not in text_of(app, "#offers")

            await pilot.press("r")  # the client's code, picked: never typed
            await _pick(pilot, code)
            assert (screen.sale.payments[-1].method, screen.sale.payments[-1].amount_cents) == ("points", 15000)

            await pilot.press("r")  # points for a reward: the confirmation says what they cost first
            await _pick(pilot, "Redeem 100 points: 80 off")
            assert isinstance(app.screen, ConfirmModal)
            note = str(app.screen.query_one("#dialog-note", Static).render())
            assert note.startswith(f"80 off costs 100 points: the card goes from {points:,} to "
                                   f"{points - 100:,} points") and "it pays MX$80.00." in note
            await pilot.press("escape")  # not now: nothing spent
            await settle(pilot)
            assert len(screen.sale.payments) == 2 and screen.ticket.offers.points == points
            await pilot.press("r")
            await _pick(pilot, "Redeem 100 points: 80 off")
            await pilot.press("enter")  # Redeem
            await settle(pilot)
            assert (screen.sale.payments[-1].method, screen.sale.payments[-1].amount_cents) == ("points", 8000)
            assert screen.ticket.offers.points == points - 100

            await pilot.press("c")  # a membership credit pays the facial's line
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("enter")
            await settle(pilot)
            due = total + fee.amount_cents - 10000 - 15000 - 8000
            credit = min(total, due)
            assert (screen.sale.payments[-1].method, screen.sale.payments[-1].amount_cents) == ("credit", credit)

            await pilot.press("g")  # the gift card: its balance is shown before the amount is asked
            assert isinstance(app.screen, GiftCardPay)
            await pilot.press(*card, "enter")
            await settle(pilot)
            assert str(app.screen.query_one("#balance", Static).render()) == f"{card}: MX$500.00 left"
            amount = app.screen.query_one("#field-amount", Input)
            assert amount.has_focus and amount.value == f"{min(50000, due - credit) / 100:.2f}"
            await pilot.press("enter")
            await settle(pilot)
            if screen.sale.status == "open":
                await pilot.press("1")
                await settle(pilot)
                await pilot.press("enter", "enter")  # the balance, exact
                await settle(pilot)
            assert screen.sale.status == "paid"

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        sale = view(s, sales.live_sale_of(s, visit.id).id, loc)
        due = total + fee.amount_cents - 10000 - 15000 - 8000
        credit = min(total, due)
        by_card = min(50000, due - credit)
        expected = [("cash", "deposit", 10000), ("points", "sale", 15000), ("points", "sale", 8000),
                    ("credit", "sale", credit), ("gift_card", "sale", by_card)]
        if due - credit - by_card:
            expected.append(("cash", "sale", due - credit - by_card))
        assert [(p.method, p.purpose, p.amount_cents) for p in sale.payments] == expected
        assert (sale.status, sale.total_cents, sale.paid_cents) == ("paid", total + fee.amount_cents,
                                                                    total + fee.amount_cents)
        assert s.get(Penalty, fee.id).status == "paid"
        assert s.exec(select(GiftCard).where(GiftCard.code == card)).one().balance_cents == 50000 - by_card
        assert subscriptions.live(s, client).credits_remaining == 0
        earned = s.exec(select(LoyaltyEntry.points).where(LoyaltyEntry.sale_id == sale.id,
                                                          LoyaltyEntry.kind == "earn")).one()
        assert cards.card(s, client).points == points - 100 + earned and cards.card(s, client).codes == []
        assert book.view(s, visit.id).status == "completed"


def test_escape_and_quit_keep_nothing_without_money_and_quitting_with_money_asks_first(demo_engine):
    rows = sorted((a for a in _today(demo_engine) if a.status == "booked"), key=lambda a: a.starts_at)
    appt = rows[-1]
    with UnitOfWork(demo_engine, write=False) as uow:
        stock = uow.session.exec(select(Product.stock).where(Product.code == "cera-barba")).one()
        sale_count = len(uow.session.exec(select(Sale.id)).all())

    def unchanged() -> None:
        with UnitOfWork(demo_engine, write=False) as uow:
            s = uow.session
            assert sales.live_sale_of(s, appt.id) is None and len(s.exec(select(Sale.id)).all()) == sale_count
            assert s.exec(select(Product.stock).where(Product.code == "cera-barba")).one() == stock
            assert book.view(s, appt.id).status == "booked"

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(100, 32)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_checkout(appt.id)
            await settle(pilot)
            assert app.screen.shown.status == "draft"
            await pilot.press("escape")  # looked at: nothing was kept
            await settle(pilot)
            assert not isinstance(app.screen, CheckoutScreen)
            unchanged()

            app.open_checkout(appt.id)
            await settle(pilot)
            screen = app.screen
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*"cera", "enter", "enter", "enter")
            await settle(pilot)
            assert screen.sale is not None and screen.sale.lines[-1].product_id is not None
            opened = screen.sale.id
            await pilot.press("escape")  # a line and no money: the sale is discarded, the stock back
            await settle(pilot)
            assert not isinstance(app.screen, CheckoutScreen)
            unchanged()
            with UnitOfWork(demo_engine, write=False) as uow:
                row = uow.session.exec(select(AuditLog).where(AuditLog.action == "sale.discard")).one()
                assert (row.entity_id, row.actor) == (opened, "sofia")

            app.open_checkout(appt.id)
            await settle(pilot)
            screen = app.screen
            await pilot.press("2")
            await settle(pilot)
            app.screen.query_one("#field-amount", Input).value = "100"
            await pilot.press("enter")  # card 100.00: the first money checks the visit in
            await settle(pilot)
            assert screen.sale.paid_cents == 10000 and screen.sale.balance_cents > 0
            assert "sale" in (screen.in_progress() or "")
            await pilot.press("q")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmModal)
            assert "still to take" in str(app.screen.query_one("#dialog-note", Static).render())
            await pilot.press("escape")  # stay
            await settle(pilot)
            assert app.screen is screen and app.return_code is None
            await pilot.press("q")
            await settle(pilot)
            await pilot.press("enter")  # Quit
            await pilot.pause()
            assert app.return_code == 0

    other = rows[-2]

    async def quit_with_a_line_only() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(100, 32)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_checkout(other.id)
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*"cera", "enter", "enter", "enter")
            await settle(pilot)
            assert app.screen.sale is not None and app.screen.in_progress() is None
            await pilot.press("q")  # no money taken: no question, and the sale it opened is not left behind
            await settle(pilot)
            assert app.return_code == 0

    asyncio.run(scenario())
    asyncio.run(quit_with_a_line_only())
    with UnitOfWork(demo_engine, write=False) as uow:
        s = uow.session
        live = sales.live_sale_of(s, appt.id)
        assert live is not None and (live.status, live.paid_cents) == ("open", 10000)  # kept open, listed by the close
        assert [(p.method, p.amount_cents) for p in s.exec(select(Payment).where(Payment.sale_id == live.id))] == [
            ("card", 10000)]
        assert book.view(s, appt.id).status == "checked_in"
        assert sales.live_sale_of(s, other.id) is None and book.view(s, other.id).status == "booked"
        assert s.exec(select(Product.stock).where(Product.code == "cera-barba")).one() == stock
        assert len(s.exec(select(Sale.id)).all()) == sale_count + 1


def test_a_sale_at_the_desk_sells_a_gift_card_a_membership_and_a_product(demo_engine):
    client = _client(demo_engine, "Pedro")
    with UnitOfWork(demo_engine, write=False) as uow:
        stock = uow.session.exec(select(Product.stock).where(Product.code == "esmalte-gel")).one()

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(100, 32)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("S")  # sell at the desk: first, who for
            await settle(pilot)
            await pilot.press(*"pedro prueba", "enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CheckoutScreen) and screen.desk.client_id == client
            assert text_of(app, "#title") == "Desk sale — Pedro Prueba" and screen.sale is None

            await pilot.press("G")
            await settle(pilot)
            app.screen.query_one("#field-amount", Input).value = "500"
            await pilot.press("enter", "enter")  # the amount; no code: a new one
            await settle(pilot)
            assert screen.sale is not None and screen.sale.lines[0].kind == "gift_card"
            await pilot.press("M")
            await settle(pilot)
            await _pick(pilot, "Black")
            assert [line.kind for line in screen.sale.lines] == ["gift_card", "membership"]
            assert "Black 15% off, 2 credits (c)" in text_of(app, "#offers")
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*"esmalte", "enter", "enter", "enter")
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("enter")  # the card pays the whole balance, as offered
            await settle(pilot)
            assert screen.sale.status == "paid"
            await pilot.press("p")  # its receipt
            await settle(pilot)
            assert type(app.screen).__name__ == "ReceiptScreen" and app.screen.sale_id == screen.sale.id

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        (sale_id,) = s.exec(select(Sale.id).where(Sale.client_id == client)).all()
        sale = view(s, sale_id, loc)
        assert sale.appointment_id is None
        assert [(line.kind, line.total_cents, line.staff) for line in sale.lines] == [
            ("gift_card", 50000, None), ("membership", 90000, None), ("product", 18000, "sofia")]
        assert (sale.status, sale.total_cents, sale.paid_cents) == ("paid", 158000, 158000)
        assert [(p.method, p.amount_cents) for p in sale.payments] == [("card", 158000)]
        card = s.exec(select(GiftCard).where(GiftCard.code == sale.lines[0].gift_card)).one()
        assert (card.status, card.balance_cents, card.client_id) == ("active", 50000, client)
        member = subscriptions.show(s, client)
        assert (member.plan, member.fee_sale_id, member.fee_status) == ("black", sale_id, "paid")
        assert s.exec(select(Product.stock).where(Product.code == "esmalte-gel")).one() == stock - 1


def _today(engine):
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        return book.appointments(uow.session, location=loc, start=TODAY)

