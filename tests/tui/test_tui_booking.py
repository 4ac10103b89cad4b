"""Booking from the dashboard (issue 27): the booking form (`b` from anywhere), its pickers, the new
client inline, rebooking from the card in a few keys, the walk-in form, refusals in the desk's words,
keys typed with no delay, and snapshots. On the demo salon at the fixed test clock (Saturday
21 November 2026, 11:00 in Mexico City)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import locations
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.book.booking_checks import desk_words, repeat_rule
from salon_cli.tui.screens.book.booking_form import BookingForm
from salon_cli.tui.screens.book.walk_in import WalkInForm
from salon_cli.tui.widgets.client_picker import ClientPicker
from salon_cli.tui.widgets.service_picker import ServicePicker, matches
from salon_cli.tui.widgets.staff_picker import StaffPicker
from salon_cli.tui.widgets.when_input import WhenInput
from tui_helpers import SOFIA, notes, settle, steady_cursors

SIZE = (120, 40)
XIMENA = 18  # Ximena Ibáñez Chávez
MISSPELT = "Ximana Ibanes"


class Desk(Screen[None]):
    """A screen with nothing on it: the forms open over it as over any other (`b` works from anywhere),
    and what the book draws underneath is the grid's tests' business. `w` as on Today."""

    BINDINGS = [("w", "walk_in", "Walk-in")]

    def compose(self):
        yield Static("desk", id="title")
        yield Footer()

    def action_walk_in(self) -> None:
        self.app.open_walk_in()


def desk_app(engine) -> SalonApp:
    app = SalonApp(engine, poll_seconds=0)
    app.get_default_screen = Desk  # type: ignore[method-assign]
    return app


def burst(app, keys) -> None:
    """Keys as a fast typist delivers them: all queued at once, no waiting between them (Pilot's `press`
    waits for the app to be idle after each key)."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        char = key if len(key) == 1 else None
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def _location(engine):
    with UnitOfWork(engine, write=False) as uow:
        return locations.resolve(uow.session, None)


def _appointments(engine, client_id=None):
    loc = _location(engine)
    with UnitOfWork(engine, write=False) as uow:
        rows = book.appointments(uow.session, location=loc, start=datetime(2026, 11, 21).date(),
                                 end=datetime(2027, 3, 31).date(), client_id=client_id)
    return rows


def _notes(app) -> list[str]:
    return notes(app)


def _error(app) -> str:
    return str(app.screen.query_one("#booking-error", Static).render())


async def _open_booking(pilot) -> BookingForm:
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BookingForm)
    return pilot.app.screen


# -- the pieces, without a screen ------------------------------------------------------------------


def test_refusals_are_said_without_command_line_flags():
    said = desk_words("ana is already booked: 2026-11-23 16:00-17:00 (appointment 9) "
                      "(choose another time or staff member, or pass --allow-overlap)")
    assert "--" not in said and "allow" not in said
    assert said.endswith("(choose another time or stylist: the free slots are listed)")
    said = desk_words("Verónica Díaz must leave a deposit to book (2 no-shows) "
                      "(take one: --deposit AMOUNT --pay METHOD, or a manager books it with --as CODE --pin PIN)")
    assert "--" not in said and "(2 no-shows)" in said and "take a deposit now" in said
    assert desk_words("no service 'x' at centro (see: salon service list)") == "no service 'x' at centro"
    assert desk_words("--client is needed (only a walk-in may be booked without one)").startswith("choose a client")


def test_repeat_every_n_weeks_until_a_date_is_an_rrule():
    now = datetime(2026, 11, 21, 11, 0)
    assert repeat_rule("", "", now) is None
    assert repeat_rule("2", "2027-01-31", now) == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270131T235959"
    with pytest.raises(Exception, match="until which date"):
        repeat_rule("2", "", now)
    with pytest.raises(Exception, match="how many weeks"):
        repeat_rule("x", "2027-01-31", now)


def test_the_menu_filters_by_the_start_of_words_accents_aside():
    from salon_cli.services.salon.catalog import ServiceView

    menu = [ServiceView(1, "corte-dama", "Corte de dama", "cuts", 60, 45000, True),
            ServiceView(2, "tinte-raiz", "Tinte de raíz", "colour", 90, 85000, True),
            ServiceView(3, "corte-caballero", "Corte de caballero", "cuts", 30, 28000, True)]
    assert [s.code for s in matches(menu, "corte da")] == ["corte-dama"]
    assert [s.code for s in matches(menu, "raiz")] == ["tinte-raiz"]
    assert [s.code for s in matches(menu, "corte-caballero")] == ["corte-caballero"]
    assert len(matches(menu, "")) == 3


# -- booking ---------------------------------------------------------------------------------------


def test_book_a_client_found_by_a_misspelt_name_for_a_time_said_in_words(demo_engine):
    before = {a.id for a in _appointments(demo_engine, XIMENA)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT)
            await settle(pilot)
            assert "Ximena Ibáñez Chávez" in str(form.query_one(ClientPicker).options.get_option_at_index(0).prompt)
            await pilot.press("enter")
            await pilot.press(*"corte dama", "enter")
            await pilot.press(*"ana", "enter")
            await pilot.press(*"monday 16")
            await settle(pilot)
            when = form.query_one(WhenInput)
            assert str(when.query_one(".picker-note", Static).render()) == "✓ Mon Nov 23, 2026 4:00 PM"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)
            assert any("booked: Ximena Ibáñez Chávez" in n for n in _notes(app)), _notes(app)

    asyncio.run(scenario())
    made = [a for a in _appointments(demo_engine, XIMENA) if a.id not in before]
    assert len(made) == 1
    tz = _location(demo_engine).tz
    assert made[0].staff == "ana" and made[0].services == ("corte-dama",)
    assert f"{made[0].starts_at.astimezone(tz):%Y-%m-%d %H:%M}" == "2026-11-23 16:00"


def test_a_time_not_understood_is_said_in_words_and_nothing_typed_is_lost(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", *"ana", "enter", *"someday 16")
            await settle(pilot)
            note = str(form.query_one(WhenInput).query_one(".picker-note", Static).render())
            assert note.startswith("time 'someday 16' is not a time: e.g."), note
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert _error(app).startswith("when?")
            assert form.query_one(ClientPicker).picked.id == XIMENA
            assert form.query_one(ServicePicker).codes == ("corte-dama",)
            assert form.query_one(WhenInput).input.value == "someday 16"

    asyncio.run(scenario())


def test_a_clash_is_shown_before_saving_and_the_refusal_keeps_the_form(demo_engine):
    taken = next(a for a in _appointments(demo_engine) if a.status == "booked"
                 and a.starts_at > datetime(2026, 11, 21, 18, 0, tzinfo=a.starts_at.tzinfo))
    tz = _location(demo_engine).tz
    at = taken.starts_at.astimezone(tz)

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", *taken.staff, "enter",
                              *f"{at:%Y-%m-%d %H:%M}")
            await settle(pilot)
            check = str(form.query_one("#booking-check", Static).render())
            assert f"{taken.staff} is already booked" in check and f"appointment {taken.id}" in check
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            error = _error(app)
            assert error.startswith("Not booked:") and "already booked" in error
            assert "--" not in error
            assert form.query_one(WhenInput).input.value == f"{at:%Y-%m-%d %H:%M}"

    asyncio.run(scenario())


def test_a_new_client_made_inline_is_booked(demo_engine):
    async def scenario() -> None:
        from salon_cli.tui.screens.clients.client_form import ClientForm

        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*"Renata Solís")
            await settle(pilot)
            picker = form.query_one(ClientPicker)
            while picker.highlighted_id() != "new":
                await pilot.press("down")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientForm)
            assert app.screen.query_one("#field-first", Input).value == "Renata"
            assert app.screen.query_one("#field-last", Input).value == "Solís"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form, _notes(app)
            assert picker.picked is not None and picker.picked.name == "Renata Solís"
            await pilot.press(*"corte dama", "enter", *"ana", "enter", *"monday 12", "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        from salon_cli.services.clients import search

        hit = search.search(uow.session, "Renata Solís", limit=1)[0]
    made = _appointments(demo_engine, hit.id)
    assert [a.services for a in made] == [("corte-dama",)]


def test_outside_a_stylists_hours_is_shown_before_saving_and_refused_with_the_reason(demo_engine):
    """The demo salon is closed on Sundays: tomorrow is one."""
    before = len(_appointments(demo_engine, XIMENA))

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", *"ana", "enter", *"tomorrow 16")
            await settle(pilot)
            assert "ana does not work on Sundays" in str(form.query_one("#booking-check", Static).render())
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            error = _error(app)
            assert error.startswith("Not booked: ana does not work on Sundays"), error
            assert "--" not in error and "salon staff" not in error
            assert "choose another time or stylist" in error
            shown = form.query_one("#booking-error", Static)  # wrapped at 80 columns, not cut
            assert len(error) > shown.size.width and shown.size.height >= -(-len(error) // shown.size.width)
            assert error.rstrip().endswith("(choose another time or stylist)")

    asyncio.run(scenario())
    assert len(_appointments(demo_engine, XIMENA)) == before


def test_a_free_slot_picked_fills_in_the_stylist_and_the_time(demo_engine):
    async def scenario() -> None:
        from salon_cli.tui.widgets.slot_picker import SlotPicker

        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", "enter")  # any stylist
            await settle(pilot)
            slots = form.query_one(SlotPicker).slots
            assert len(slots) == 6 and slots[0].starts_at > datetime(2026, 11, 21, 17, 0, tzinfo=slots[0].starts_at.tzinfo)
            assert form.query_one(StaffPicker).decided and form.query_one(StaffPicker).chosen_code is None
            await pilot.press("tab", "down", "enter")  # from the time to the slots: the second one
            await settle(pilot)
            second = slots[1]
            assert form.query_one(StaffPicker).chosen_code == second.staff
            assert form.query_one(WhenInput).at == second.starts_at
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())


def test_a_returning_client_is_rebooked_from_the_card_in_two_keys(demo_engine):
    """Santiago Ramírez comes every week or so for a fade and his beard, with diego: `b`, Enter."""
    from salon_cli.services.book import rebook
    from salon_cli.tui.screens.clients.client_card import ClientCardScreen

    santiago = 8
    with UnitOfWork(demo_engine, write=False) as uow:
        usual = rebook.proposal(uow.session, location=_location(demo_engine), client_id=santiago)
    assert usual is not None and usual.services == ("fade", "barba")
    before = {a.id for a in _appointments(demo_engine, santiago)}
    keys = ["b", "enter"]

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_client(santiago)
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen), _notes(app)

    asyncio.run(scenario())
    assert len(keys) <= 8
    made = [a for a in _appointments(demo_engine, santiago) if a.id not in before]
    assert len(made) == 1
    assert (made[0].services, made[0].staff, made[0].starts_at) == (usual.services, usual.staff, usual.at)


def test_b_opens_the_form_over_the_book_and_several_services_keep_their_order(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)  # the real book underneath
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", "shift+tab", *"blowout", "enter")
            await settle(pilot)
            services = form.query_one(ServicePicker)
            assert services.codes == ("corte-dama", "blowout") and services.minutes == 105
            assert "Corte de dama + Peinado y blowout · 105 min" in str(
                services.query_one(".picker-note", Static).render())
            await pilot.press("shift+tab", "backspace")  # the empty box: the last one off
            await pilot.pause()
            assert services.codes == ("corte-dama",)
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm)

    asyncio.run(scenario())


def test_a_client_who_must_leave_a_deposit_books_with_it_taken(demo_engine):
    """Verónica Díaz (two no-shows) must leave a deposit: the form asks for it, and books it taken."""
    veronica = 16
    before = {a.id for a in _appointments(demo_engine, veronica)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_booking(client_id=veronica)
            await settle(pilot)
            form = app.screen
            assert form.query_one("#deposit-row").display  # the rule asks for one
            await pilot.press(*"manicure cl", "enter", *"valeria", "enter", *"monday 10", "ctrl+s")
            await settle(pilot)
            error = _error(app)
            assert error.startswith("Not booked: Verónica Díaz must leave a deposit to book (2 no-shows)"), error
            assert "take a deposit now" in error and "--" not in error
            await pilot.press("enter", *"200", "enter", *"cash", "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())
    made = [a for a in _appointments(demo_engine, veronica) if a.id not in before]
    assert len(made) == 1 and made[0].deposit_cents == 200_00 and made[0].services == ("manicure",)


def test_repeat_every_two_weeks_until_a_date_books_the_series(demo_engine):
    before = {a.id for a in _appointments(demo_engine, XIMENA)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await _open_booking(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", *"ana", "enter", *"lunes 12", "enter",
                              "2", "enter", *"2027-01-04", "enter", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)
            assert any("(+3 repeats)" in n for n in _notes(app)), _notes(app)

    asyncio.run(scenario())
    made = sorted((a for a in _appointments(demo_engine, XIMENA) if a.id not in before), key=lambda a: a.starts_at)
    tz = _location(demo_engine).tz
    assert [f"{a.starts_at.astimezone(tz):%Y-%m-%d %H:%M}" for a in made] == [
        "2026-11-23 12:00", "2026-12-07 12:00", "2026-12-21 12:00", "2027-01-04 12:00"]
    assert len({a.series_id for a in made}) == 1


def test_the_grid_opens_the_form_with_a_stylist_and_a_time(demo_engine):
    """What the grid's Enter on an empty slot does: `open_booking(staff=..., at=...)`; the client is next."""
    tz = _location(demo_engine).tz
    at = datetime(2026, 11, 24, 13, 30, tzinfo=tz)
    before = {a.id for a in _appointments(demo_engine, XIMENA)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            app.open_booking(staff="diego", at=at)
            await settle(pilot)
            form = app.screen
            assert form.query_one(StaffPicker).chosen_code == "diego"
            assert str(form.query_one(WhenInput).query_one(".picker-note", Static).render()) == "✓ Tue Nov 24, 2026 1:30 PM"
            assert app.focused is form.query_one(ClientPicker).input
            await pilot.press(*MISSPELT, "enter", *"fade", "enter", "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())
    [made] = [a for a in _appointments(demo_engine, XIMENA) if a.id not in before]
    assert (made.staff, made.services, made.starts_at.astimezone(tz)) == ("diego", ("fade",), at)


# -- keys typed fast -------------------------------------------------------------------------------


def test_keys_sent_with_no_delay_land_in_the_right_fields(demo_engine, monkeypatch):
    """Every key at once, while the searches and the menu are still on their way: Enter never waits."""
    import threading

    from salon_cli.services.clients import search as client_search

    slow, typed = client_search.search, threading.Event()

    def slow_search(*args, **kwargs):
        typed.wait(10)  # the answer comes after every key has been typed
        return slow(*args, **kwargs)

    monkeypatch.setattr(client_search, "search", slow_search)

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            # the deposit is not asked of her: after the time come repeat every, until, and the note
            await pilot.press("b")
            form = app.screen
            assert isinstance(form, BookingForm)
            burst(app, [*MISSPELT, "enter", *"corte dama", "enter", *"ana", "enter", *"monday 17",
                        "enter", "enter", "enter", *"rubio", "enter"])
            await pilot.pause()
            for _ in range(50):  # the keys are read (the search still waits)
                if form.query_one("#note", Input).value == "rubio":
                    break
                await pilot.pause(0.02)
            assert form.query_one(ClientPicker).picked is None  # the search has not answered yet
            assert form.query_one(ServicePicker).codes == ("corte-dama",)
            assert form.query_one(StaffPicker).chosen_code == "ana"
            assert f"{form.query_one(WhenInput).at:%Y-%m-%d %H:%M}" == "2026-11-23 17:00"
            assert form.query_one("#note", Input).value == "rubio"
            assert "finding" in _error(app)  # Enter to book waits for the client
            typed.set()
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())
    made = [a for a in _appointments(demo_engine, XIMENA) if a.note == "rubio"]
    assert len(made) == 1
    assert (made[0].staff, made[0].services) == ("ana", ("corte-dama",))
    assert f"{made[0].starts_at.astimezone(_location(demo_engine).tz):%Y-%m-%d %H:%M}" == "2026-11-23 17:00"


# -- walk-ins --------------------------------------------------------------------------------------


def test_a_walk_in_typed_by_name_resolves_the_client(demo_engine, clock):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            assert isinstance(app.screen, WalkInForm)
            await pilot.press(*MISSPELT)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.query_one(ClientPicker).picked.id == XIMENA

    asyncio.run(scenario())


def test_a_walk_in_name_that_matches_several_asks_and_never_books_nobody(demo_engine):
    before = len(_appointments(demo_engine))

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"jimena")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            picker = form.query_one(ClientPicker)
            assert picker.picked is None
            assert "match 'jimena': which one?" in str(picker.query_one(".picker-note", Static).render())
            assert app.focused is picker.input  # it asks here
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and "who is 'jimena'?" in _error(app)
            await pilot.press("down", "enter")  # the second Jimena, chosen
            await settle(pilot)
            assert picker.picked is not None and picker.picked.id != XIMENA

    asyncio.run(scenario())
    assert len(_appointments(demo_engine)) == before


def test_no_client_is_an_explicit_choice(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            picker = app.screen.query_one(ClientPicker)
            assert picker.highlighted_id() == "none"  # nothing typed: the first option is "No client"
            await pilot.press("enter")
            await settle(pilot)
            assert picker.picked is not None and picker.picked.id is None

    asyncio.run(scenario())


def test_a_walk_in_with_any_stylist_goes_to_the_one_free_now(demo_engine):
    before = {a.id for a in _appointments(demo_engine, XIMENA)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("w")
            await settle(pilot)
            await pilot.press(*MISSPELT, "enter", *"corte caballero", "enter", "enter")  # any stylist: books
            await settle(pilot)
            assert not isinstance(app.screen, WalkInForm), _error(app)
            assert any("walk-in booked: Ximena Ibáñez Chávez" in n for n in _notes(app)), _notes(app)

    asyncio.run(scenario())
    made = [a for a in _appointments(demo_engine, XIMENA) if a.id not in before]
    assert len(made) == 1 and made[0].walk_in and made[0].status == "checked_in"


# -- snapshots -------------------------------------------------------------------------------------


async def _filled_form(pilot) -> None:
    await settle(pilot)
    pilot.app.desk = SOFIA
    await pilot.press("b")
    await settle(pilot)
    await pilot.press(*MISSPELT, "enter", *"corte dama", "enter", *"ana", "enter", *"monday 16")
    await settle(pilot)
    steady_cursors(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_booking_form_snapshot(demo_engine, snap_compare, size):
    assert snap_compare(desk_app(demo_engine), terminal_size=size, run_before=_filled_form)
