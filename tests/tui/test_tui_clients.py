"""Client search and the client card, driven with Pilot on the demo salon at the fixed test clock."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, Input, Static

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import business_days, locations, staff
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program, rewards as loyalty_rewards
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.clients.client_card import ClientCardScreen
from salon_cli.tui.screens.clients.loyalty_card import CodeModal, RewardPicker, stamp_row
from salon_cli.tui.screens.clients.search import ClientSearchScreen
from tui_helpers import settle, text_of

SIZE = (120, 40)
RICARDO = 24  # Ricardo López Morales: booked at 09:15 today, 2,520 points, one stamp, a private note
XIMENA = 18  # Ximena Ibáñez Chávez: in the chair now, a gold membership, a no-show


async def typed(pilot, text: str) -> None:
    """Type into the search box and wait for the answer (and any search folded in behind it)."""
    await pilot.press(*text)
    await settle(pilot)


def actor(engine, code: str) -> Actor:
    with UnitOfWork(engine, write=False) as uow:
        row = staff.find(uow.session, code)
        return Actor(id=row.id, code=row.code, name=row.name, role=row.role)


def _location(engine):
    with UnitOfWork(engine, write=False) as uow:
        return locations.resolve(uow.session, None)


def test_stamp_row_draws_the_card():
    assert stamp_row(3, 8) == "●●●○○○○○"
    assert stamp_row(0, 4) == "○○○○"
    assert stamp_row(9, 8) == "●●●●●●●●"
    assert stamp_row(2, 0) == ""


def test_a_misspelt_name_finds_the_client_and_enter_opens_the_card(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.pause()
            assert isinstance(app.screen, ClientSearchScreen)
            await typed(pilot, "Rikardo Lopes")
            table = app.screen.query_one(DataTable)
            assert table.row_count >= 1
            top = [str(c) for c in table.get_row_at(0)]
            assert top[0] == "Ricardo López Morales"
            assert top[1] == "55 8589 3910"  # national: the location is in Mexico (E.164 is kept)
            assert top[2] == "Nov 20, 2026"  # the last visit, from the client's visit figures
            assert "match 'Rikardo Lopes'" in text_of(app, "#summary")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#title") == f"Ricardo López Morales — client {RICARDO}"
            profile = text_of(app, "#profile")
            assert "ricardo.lopez@example.com.mx" in profile and "alergia-tinte" in profile
            assert "●○○○○○○○  1/8" in text_of(app, "#loyalty")
            assert "2,520 points" in text_of(app, "#loyalty")
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ClientSearchScreen)

    asyncio.run(scenario())


def test_only_the_latest_query_is_shown_and_down_enter_opens_the_selected_row(demo_engine, monkeypatch):
    import threading

    from salon_cli.tui.screens.clients import search as clients

    real, searched, gate = clients.find, [], threading.Event()

    def find(session, location, query):
        searched.append(query)
        gate.wait(5)  # the first search is slow: the rest of the name is typed while it runs
        return real(session, location, query)

    monkeypatch.setattr(clients, "find", find)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.pause()
            screen = app.screen
            await pilot.press(*"ximena")
            assert searched == ["x"] and screen.found is None  # one search at a time
            gate.set()
            await settle(pilot)
            # the five keys typed meanwhile are folded into one search; the answer for "x" is not shown
            assert searched == ["x", "ximena"] and screen.found.query == "ximena"
            table = screen.query_one(DataTable)
            names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            assert names[0] == "Ximena Ibáñez Chávez" and "Jimena Vázquez Gómez" in names
            await pilot.press("down", "down")  # into the table, then the second row
            assert app.focused is table and table.cursor_row == 1
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#title").startswith(names[1])

    asyncio.run(scenario())


def test_enter_before_the_answer_opens_the_best_hit(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.press(*"Inaky Reyes", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#title").startswith("Iñaki Reyes — client")

    asyncio.run(scenario())


def test_the_search_box_takes_a_hundred_characters(demo_engine):
    typed_in = ("Ricardo Lopez " * 11)[:150]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await typed(pilot, typed_in)
            assert app.screen.query_one(Input).value == typed_in[:100]
            assert app.screen.found.query == typed_in[:100]  # what was searched

    asyncio.run(scenario())


def test_check_in_from_the_card(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            assert "09:15 Corte infantil with diego (booked)" in text_of(app, "#appointments")
            await pilot.press("c")
            await settle(pilot)
            assert text_of(app, "#notice").startswith("checked in: 09:15 ")
            assert "09:15 Corte infantil with diego (here)" in text_of(app, "#appointments")

    asyncio.run(scenario())
    loc = _location(demo_engine)
    with UnitOfWork(demo_engine, write=False) as uow:
        today = book.appointments(uow.session, location=loc, start=business_days.today(loc), client_id=RICARDO)
    assert [a.status for a in today] == ["checked_in"]


def test_stamp_then_the_cooldown_refusal_is_on_screen(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("k")  # nobody at the desk: sign in first, then the stamp goes through
            await pilot.pause()
            await pilot.press(*"sofia", "enter", *"3333", "enter")
            await settle(pilot)
            assert app.desk is not None and app.desk.code == "sofia"
            notice = text_of(app, "#notice")
            assert notice.startswith("stamped: 2/8 · next stamp allowed from Nov 22, 2026 12:00 AM"), notice  # one a day
            assert "●●○○○○○○  2/8" in text_of(app, "#loyalty")
            await pilot.press("k")
            await settle(pilot)
            notice = text_of(app, "#notice")
            # one a day, and the cooldown too: the later of the two is the one told
            assert notice.startswith("refused: client 24 was stamped at 11:00 and has had 1 stamp today, the daily "
                                     "limit: the next stamp is allowed from 2026-11-22 00:00"), notice
            assert app.screen.query_one("#notice").has_class("error")
            assert "●●○○○○○○  2/8" in text_of(app, "#loyalty")

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        assert loyalty.card(uow.session, RICARDO).stamps == 2


def test_a_stamp_asks_for_the_pin_when_the_program_requires_it(demo_engine):
    owner = actor(demo_engine, "lucia")
    loc = _location(demo_engine)
    with UnitOfWork(demo_engine) as uow:
        loyalty_program.update(uow.session, actor=Actor(owner.id, owner.code, owner.name, owner.role, verified=True),
                               location=loc, require_pin=True)
        uow.commit()

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("k")
            await pilot.pause()
            assert app.screen.query_one("#dialog-title", Static).render().plain == "A stamp needs your PIN"
            assert app.screen.query_one("#field-who", Input).value == "sofia"
            await pilot.press(*"9999", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#notice") == "refused: wrong PIN for sofia"
            assert "●○○○○○○○  1/8" in text_of(app, "#loyalty")
            await pilot.press("k")
            await pilot.pause()
            await pilot.press(*"3333", "enter")
            await settle(pilot)
            assert text_of(app, "#notice").startswith("stamped: 2/8")

    asyncio.run(scenario())


def test_redeeming_a_reward_shows_the_code_large(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, RewardPicker)
            await pilot.press("enter")  # the first reward: $100 off for 500 points
            await settle(pilot)
            assert isinstance(app.screen, CodeModal)
            code = app.screen.code
            assert len(code) == 9 and code[4] == "-"
            assert str(app.screen.query_one("#code", Static).render()) == " ".join(code)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert code in text_of(app, "#loyalty")
            assert "2,020 points" in text_of(app, "#loyalty")

    asyncio.run(scenario())


def test_private_notes_follow_the_desk_role(demo_engine):
    owner = actor(demo_engine, "lucia")
    loc = _location(demo_engine)
    with UnitOfWork(demo_engine) as uow:
        client_notes.add_note(uow.session, actor=owner, location=loc, client_id=RICARDO, body="pays late, ask first",
                              private=True)
        uow.commit()

    async def card_notes(desk: Actor) -> str:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = desk
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            return text_of(app, "#notes")

    as_receptionist = asyncio.run(card_notes(actor(demo_engine, "sofia")))
    assert "pays late" not in as_receptionist and "private notes not shown" in as_receptionist
    as_owner = asyncio.run(card_notes(owner))
    assert "[general, private] lucia: pays late, ask first" in as_owner and "not shown" not in as_owner


async def _search_ximena(pilot) -> None:
    await settle(pilot)
    await pilot.press("slash")
    await pilot.pause()
    pilot.app.screen.query_one(Input).cursor_blink = False  # a steady cursor: the same picture every time
    await typed(pilot, "ximena")


async def _open_ximena(pilot) -> None:
    await settle(pilot)
    pilot.app.open_client(XIMENA)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_search_snapshot(demo_engine, snap_compare, size):
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_search_ximena)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_card_snapshot(demo_engine, snap_compare, size):
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_open_ximena)


async def _redeem_for_ricardo(pilot) -> None:
    """Ricardo's card, `r`, the first reward: the code modal, large."""
    await settle(pilot)
    pilot.app.open_client(RICARDO)
    await settle(pilot)
    await pilot.press("r")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CodeModal)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_code_modal_snapshot(demo_engine, snap_compare, size, monkeypatch):
    monkeypatch.setattr(loyalty_rewards, "new_code", lambda: "K7QM-3XPD")  # a code drawn at random otherwise
    app = SalonApp(demo_engine, poll_seconds=0)
    app.desk = actor(demo_engine, "sofia")
    assert snap_compare(app, terminal_size=size, run_before=_redeem_for_ricardo)

def test_a_slow_answer_to_an_older_query_is_dropped(demo_engine, monkeypatch):
    import time

    from salon_cli.tui.screens.clients import search as clients

    real = clients.find

    def find(session, location, query):
        if query == "Inaki":
            time.sleep(0.4)  # the older query answers last
        return real(session, location, query)

    monkeypatch.setattr(clients, "find", find)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.pause()
            screen, box = app.screen, app.screen.query_one(Input)
            box.value = "Inaki"
            screen._search()
            box.value = "ximena"
            screen._search()
            await pilot.pause(0.6)
            await settle(pilot)
            assert screen.found.query == "ximena"
            assert str(screen.query_one(DataTable).get_row_at(0)[0]) == "Ximena Ibáñez Chávez"

    asyncio.run(scenario())


def test_p_takes_the_appointment_in_the_chair_to_checkout(demo_engine):
    loc = _location(demo_engine)
    with UnitOfWork(demo_engine, write=False) as uow:
        today = book.appointments(uow.session, location=loc, start=business_days.today(loc), client_id=XIMENA)
    in_chair = next(a for a in today if a.status == "in_service")

    async def scenario() -> list[int]:
        app = SalonApp(demo_engine, poll_seconds=0)
        opened: list[int] = []
        app.open_checkout = opened.append  # the checkout screen is tested on its own
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(XIMENA)
            await settle(pilot)
            await pilot.press("p")
            await pilot.pause()
            await pilot.press("c")  # nothing booked is left today: said on screen
            await pilot.pause()
            assert text_of(app, "#notice") == "no booked appointment today to check in"
        return opened

    assert asyncio.run(scenario()) == [in_chair.id]
