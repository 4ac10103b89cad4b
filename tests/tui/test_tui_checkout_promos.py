"""Promotions in the dashboard's checkout, driven with Pilot on the demo salon at the fixed test clock
(Saturday 2026-11-21 11:00 in Mexico City): a code typed after `o` goes on the ticket with the figures
`salon checkout --promo` gives for the same visit (the same database copied, the command run on the copy);
a refused code shows the service's reason and keeps nothing; an automatic offer is on the ticket from the
draft and paying completes the visit with it; one of the client's own codes is picked from the list."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList

from cli_helpers import ok
from salon_cli.core.money import format_amount
from salon_cli.core.permissions import Permission
from salon_cli.i18n import formats
from salon_cli.db.models import Promotion, PromotionUse, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.promotions import catalog
from salon_cli.services.promotions.catalog import PromoInput
from salon_cli.services.salon import locations, staff
from salon_cli.services.till import sales
from salon_cli.services.till.sale_views import view
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.checkout import CheckoutScreen
from salon_cli.tui.screens.till.checkout_modals import PromoCodeForm
from tui_helpers import SOFIA, settle, text_of

TODAY = date(2026, 11, 21)
FIGURES = ("subtotal_cents", "discount_cents", "tax_cents", "total_cents")


def _promo(engine, code: str | None, **given) -> None:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        owner = staff.identify(uow, who="lucia", pin="1234", location=loc, permission=Permission.program_manage)
        catalog.add(uow.session, actor=owner, location=loc, code=code, automatic=code is None,
                    given=PromoInput(**given))
        uow.commit()


def _booked(engine):
    """Today's booked appointment, the dearest."""
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        rows = [a for a in book.appointments(uow.session, location=loc, start=TODAY) if a.status == "booked"]
    assert rows, "the demo has no booked appointment today"
    return max(rows, key=lambda a: a.price_cents)


def _sale_of(engine, appointment_id: int):
    with UnitOfWork(engine, write=False) as uow:
        live = sales.live_sale_of(uow.session, appointment_id)
        return None if live is None else view(uow.session, live.id, locations.resolve(uow.session, None))


def _state(engine):
    """What a refusal must leave as it was: the sales, the uses, each promotion's count."""
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        return (len(s.exec(select(Sale.id)).all()), len(s.exec(select(PromotionUse.id)).all()),
                sorted((p.code or p.name, p.uses) for p in s.exec(select(Promotion))))


async def _open(app, pilot, appointment_id: int) -> CheckoutScreen:
    await settle(pilot)
    app.open_checkout(appointment_id)
    await settle(pilot)
    assert isinstance(app.screen, CheckoutScreen)
    return app.screen


async def _type_code(pilot, code: str) -> None:
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PromoCodeForm)
    await pilot.press(*code, "enter")
    await settle(pilot)


async def _pay_card(pilot) -> None:
    """`2`, the amount the form offers (the balance on show), OK."""
    await pilot.press("2")
    await settle(pilot)
    pilot.app.screen.query_one("#ok").press()
    await settle(pilot)


def _discount_rows(screen: CheckoutScreen) -> list[tuple[str, str]]:
    table = screen.query_one(DataTable)
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return [(str(r[0]), str(r[4])) for r in rows if str(r[0]).startswith("Promo")]


def test_a_code_typed_at_the_checkout_gives_the_figures_of_salon_checkout_promo(demo_engine, tmp_path):
    _promo(demo_engine, "HOY15", kind="percent", value="15", name=None)
    appt = _booked(demo_engine)
    twin = tmp_path / "twin.db"  # the same database, for `salon checkout --promo` on the same visit
    with sqlite3.connect(demo_engine.url.database) as src, sqlite3.connect(twin) as dst:
        src.backup(dst)
    cli = json.loads(ok(f"sqlite:///{twin}", "--as", "sofia", "checkout", str(appt.id), "--promo", "HOY15",
                        "--pay", "card", "-f", "json").stdout)
    assert cli["discount_cents"] > 0 and cli["status"] == "paid"

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await _open(app, pilot, appt.id)
            assert screen.sale is None
            await _type_code(pilot, "hoy15")
            sale = screen.sale
            assert sale is not None and sale.status == "open"  # the code opened the sale
            assert [getattr(sale, f) for f in FIGURES] == [cli[f] for f in FIGURES]
            promo_lines = [ln for ln in sale.lines if ln.kind == "discount"]
            assert [ln.description for ln in promo_lines] == ["Promo HOY15: 15% off"] * len(promo_lines)
            assert _discount_rows(screen) == [(ln.description, formats.amount(ln.total_cents, "MXN"))
                                              for ln in promo_lines]
            totals = text_of(app, "#totals")
            assert formats.amount(-sale.discount_cents, "MXN") in totals and "promo" in totals.lower()
            assert f"balance {formats.money(sale.balance_cents, 'MXN')}" in text_of(app, "#state")
            await _pay_card(pilot)
            assert screen.sale.status == "paid"

    asyncio.run(scenario())
    paid = _sale_of(demo_engine, appt.id)
    assert paid.status == "paid" and [getattr(paid, f) for f in FIGURES] == [cli[f] for f in FIGURES]
    assert paid.paid_cents == cli["paid_cents"] == cli["total_cents"]
    with UnitOfWork(demo_engine, write=False) as uow:
        assert uow.session.exec(select(Promotion.uses)).one() == 1
        assert book.view(uow.session, appt.id).status == "completed"


@pytest.mark.parametrize("given,code,said", [
    (dict(kind="percent", value="10", days="tue", hours="10:00-14:00"), "HAPPY10", "HAPPY10 is for Tuesdays 10:00-14:00"),
    (dict(kind="percent", value="10"), "NOPE", "no promotion NOPE"),
    (dict(kind="amount", value="10", limit=1), "HAPPY10", "HAPPY10 has been used 1 of 1 times"),
])
def test_a_refused_code_shows_the_reason_and_keeps_nothing(demo_engine, given, code, said):
    _promo(demo_engine, "HAPPY10", **given)
    if given.get("limit"):  # its one use is gone
        with UnitOfWork(demo_engine) as uow:
            row = uow.session.exec(select(Promotion)).one()
            row.uses = 1
            uow.session.add(row)
            uow.commit()
    appt = _booked(demo_engine)
    before = _state(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await _open(app, pilot, appt.id)
            draft = screen.shown
            await _type_code(pilot, code)
            assert text_of(app, "#summary") == f"refused: {said}"
            assert screen.sale is None and screen.shown == draft  # still the draft, as it was
            assert _discount_rows(screen) == []

    asyncio.run(scenario())
    assert _state(demo_engine) == before
    assert _sale_of(demo_engine, appt.id) is None


def test_an_automatic_offer_is_on_the_ticket_and_paying_completes_with_it(demo_engine):
    _promo(demo_engine, None, kind="percent", value="10", days="sat", name="Saturday treat")
    appt = _booked(demo_engine)
    before = _state(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await _open(app, pilot, appt.id)
            draft = screen.shown
            offs = [ln for ln in draft.lines if ln.kind == "discount"]
            assert offs and {ln.description for ln in offs} == {"Promo: Saturday treat"}
            assert _discount_rows(screen) == [(ln.description, formats.amount(ln.total_cents, "MXN")) for ln in offs]
            assert f"total {formats.money(draft.total_cents, 'MXN')}" in text_of(app, "#state")
            assert _state(demo_engine) == before  # shown ahead, written nowhere
            await pilot.press("2")
            await settle(pilot)
            assert app.screen.query_one("#field-amount", Input).value == format_amount(draft.balance_cents, "MXN")
            app.screen.query_one("#ok").press()
            await settle(pilot)
            sale = screen.sale
            assert sale.status == "paid"
            assert [getattr(sale, f) for f in FIGURES] == [getattr(draft, f) for f in FIGURES]
            assert [(ln.description, ln.total_cents) for ln in sale.lines if ln.kind == "discount"] == [
                (ln.description, ln.total_cents) for ln in offs]

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        assert book.view(uow.session, appt.id).status == "completed"
        use = uow.session.exec(select(PromotionUse)).one()
        assert use.discount_cents == -sum(ln.gross_cents for ln in _sale_of(demo_engine, appt.id).lines
                                          if ln.kind == "discount")


def test_the_clients_own_code_is_picked_from_the_list(demo_engine):
    appt = _booked(demo_engine)
    _promo(demo_engine, "MINE20", kind="percent", value="20", client_id=appt.client_id, name=None)
    _promo(demo_engine, "MINETUE", kind="amount", value="50", client_id=appt.client_id, days="tue", name=None)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await _open(app, pilot, appt.id)
            assert "promo code MINE20: 20% off (o)" in text_of(app, "#offers")
            await pilot.press("o")
            await settle(pilot)
            listed = app.screen.query_one("#codes", OptionList)
            assert [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)] == [
                "MINE20 · 20% off", "MINETUE · 50.00 off on Tuesdays — MINETUE is for Tuesdays"]
            assert listed.get_option_at_index(1).disabled
            listed.focus()
            listed.highlighted = 0
            await pilot.press("enter")
            await settle(pilot)
            sale = screen.sale
            assert sale is not None and {ln.description for ln in sale.lines if ln.kind == "discount"} == {
                "Promo MINE20: 20% off"}
            assert "2 promo codes, 0 usable here (o)" in text_of(app, "#offers")

    asyncio.run(scenario())


def test_escape_after_a_code_and_no_money_keeps_nothing_and_gives_the_use_back(demo_engine):
    _promo(demo_engine, "LAST", kind="amount", value="10", limit=1)
    appt = _booked(demo_engine)
    before = _state(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            app.desk = SOFIA
            screen = await _open(app, pilot, appt.id)
            await _type_code(pilot, "LAST")
            assert screen.sale is not None and screen.sale.discount_cents >= 1000
            assert _state(demo_engine)[2] == [("LAST", 1)]
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, CheckoutScreen)

    asyncio.run(scenario())
    assert _state(demo_engine) == before and _sale_of(demo_engine, appt.id) is None
