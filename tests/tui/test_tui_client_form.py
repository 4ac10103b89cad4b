"""Clients at the desk: `n` adds a client from anywhere (or finds the one on file), and the card edits the
profile (`e`), adds notes (`a`) and preferences (`f`) and shows sales and loyalty beside visits. Driven with
Pilot on the demo salon at the fixed test clock."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import select
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Checkbox, Input, OptionList, Select

from salon_cli.db.models import Client, ClientNote, ClientTag
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.salon import staff
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.book.no_shows import NoShowsScreen
from salon_cli.tui.screens.clients.client_card import ClientCardScreen
from salon_cli.tui.screens.clients.client_form import ClientForm
from salon_cli.tui.screens.clients.note_form import NoteForm
from salon_cli.tui.screens.clients.prefs_form import PrefsForm
from salon_cli.tui.screens.modals import FormModal
from tui_helpers import settle, steady_cursors, text_of

SIZE = (120, 40)
RICARDO = 24  # Ricardo López Morales, +525585893910, ricardo.lopez@example.com.mx: sales, points and a stamp


def actor(engine, code: str) -> Actor:
    with UnitOfWork(engine, write=False) as uow:
        row = staff.find(uow.session, code)
        return Actor(id=row.id, code=row.code, name=row.name, role=row.role)


def desk_app(engine, code: str = "sofia") -> SalonApp:
    app = SalonApp(engine, poll_seconds=0)
    app.desk = actor(engine, code)
    return app


def clients_named(engine, first: str) -> list[Client]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(Client).where(Client.first_name == first)).all())


def field(app, name: str) -> str:
    return app.screen.query_one(f"#field-{name}", Input).value


def burst(app, keys) -> None:
    """Keys as a fast typist (or a terminal that was busy) delivers them: all queued at once, no waiting
    between them (Pilot's `press` waits for the app to be idle after each key)."""
    for key in keys:
        char = key if len(key) == 1 else None
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def fill(*, first="", last="", phone="", email="", birthday="", tags="") -> list[str]:
    """The keys that fill the new-client form from its first field, Tab between fields (no Enter), up to
    the last one given."""
    texts = [first, last, phone, email, birthday, tags]
    while texts and not texts[-1]:
        texts.pop()
    keys: list[str] = []
    for i, text in enumerate(texts):
        keys += ["tab"] if i else []
        keys += list(text)
    return keys


def test_n_adds_a_client_and_opens_the_card(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            assert isinstance(app.screen, ClientForm)
            await pilot.press(*fill(first="Zoe", last="Quintana Nava", phone="55 1234 5678",
                                    email="Zoe.Q@Example.com", birthday="1992-03-04", tags="VIP, novia"), "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            [zoe] = clients_named(demo_engine, "Zoe")
            assert text_of(app, "#title") == f"Zoe Quintana Nava — client {zoe.id}"
            assert text_of(app, "#notice") == f"new client added: Zoe Quintana Nava, client {zoe.id}"
            profile = text_of(app, "#profile")
            assert "55 1234 5678" in profile and "zoe.q@example.com" in profile and "novia, vip" in profile
            assert "+52" not in profile  # the phone in the location's national format (E.164 is kept)
            assert "Mar 4, 1992 (34)" in profile

    asyncio.run(scenario())


def test_fast_typing_lands_in_each_field(demo_engine):
    """No pause between keys: each Tab moves on before the next letter is read."""
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Ana", last="Nueva"))  # straight after `n`
            assert (field(app, "first"), field(app, "last")) == ("Ana", "Nueva")
            burst(app, ["tab", *"55 1234 5678", "tab", *"ana@example.com", "enter", *"1990-01-02", "tab",
                        *"vip", "shift+tab", "shift+tab", *"x"])
            await settle(pilot)
            assert [field(app, n) for n in ("phone", "email", "birthday", "tags")] == \
                ["55 1234 5678", "ana@example.comx", "1990-01-02", "vip"]

    asyncio.run(scenario())


def test_an_existing_phone_opens_that_client_instead(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Ricky", last="Otro", phone="55 8589 3910"), "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert app.screen.client_id == RICARDO
            notice = text_of(app, "#notice")
            assert notice == ("on file already: that phone is on client 24 (Ricardo López Morales); "
                              "no new client was added")
            assert clients_named(demo_engine, "Ricky") == []

    asyncio.run(scenario())


def test_an_existing_email_opens_that_client_too(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="R", last="L", email="Ricardo.Lopez@example.com.mx"), "ctrl+s")
            await settle(pilot)
            assert app.screen.client_id == RICARDO
            assert "that e-mail is on client 24" in text_of(app, "#notice")

    asyncio.run(scenario())


def test_a_similar_name_offers_the_duplicate(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Rikardo", last="Lopes Morales"), "ctrl+s")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ClientForm)
            assert [c.id for c in form.likely][:1] == [RICARDO]
            options = form.query_one("#likely", OptionList)
            assert app.focused is options
            labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert labels[0].startswith("Ricardo López Morales")
            assert labels[-1] == "Create anyway: Rikardo Lopes Morales as a new client"
            await pilot.press("enter")  # the first: Ricardo's card, no new client
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen) and app.screen.client_id == RICARDO
            assert clients_named(demo_engine, "Rikardo") == []

            await pilot.press("n", *fill(first="Rikardo", last="Lopes Morales"), "ctrl+s")
            await settle(pilot)
            options = app.screen.query_one("#likely", OptionList)
            options.highlighted = options.option_count - 1
            await pilot.press("enter")  # create anyway
            await settle(pilot)
            [new] = clients_named(demo_engine, "Rikardo")
            assert isinstance(app.screen, ClientCardScreen) and app.screen.client_id == new.id

    asyncio.run(scenario())


def test_a_bad_birthday_keeps_what_was_typed_and_says_why(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            typed = dict(first="Zoe", last="Quintana", phone="55 1234 5678", email="zoe@example.com",
                         birthday="1992-13-40", tags="vip")
            await pilot.press("n", *fill(**typed), "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientForm)
            assert {name: field(app, name) for name in typed} == typed
            error = app.screen.query_one("#dialog-error")
            assert str(error.render()) == "birthday '1992-13-40' is not a date (write it as YYYY-MM-DD)"
            assert error.size.height == 1 and error.size.width >= len(str(error.render()))  # whole, not cut
            await pilot.press("shift+tab", *["backspace"] * 10, *"2099-01-01", "ctrl+s")
            await settle(pilot)
            said = str(app.screen.query_one("#dialog-error").render())
            assert said == "birthday 2099-01-01 is in the future"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert clients_named(demo_engine, "Zoe") == []

    asyncio.run(scenario())


def test_a_long_refusal_wraps_in_the_form(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Zoe", last="Quintana", tags="ok, " + "x" * 45), "ctrl+s")
            await settle(pilot)
            error = app.screen.query_one("#dialog-error")
            words = str(error.render())
            assert words.startswith("tag 'xxxxxxxx") and words.endswith("e.g. vip or alergia-tinte)")
            assert error.size.height >= 2 and error.size.width < len(words)  # wrapped, every word kept
            assert field(app, "tags") == "ok, " + "x" * 45

    asyncio.run(scenario())


def test_nobody_at_the_desk_signs_in_and_the_pin_is_never_shown(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Zoe", last="Quintana"), "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormModal)  # who is at the desk?
            await pilot.press(*"sofia", "enter", *"3333")
            pin = app.screen.query_one("#field-pin", Input)
            assert pin.password and pin.value == "3333"
            shown = "".join(re.findall(r"<text[^>]*>([^<]*)</text>", app.export_screenshot()))
            assert "sofia" in shown and "3333" not in shown and "••••" in shown
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert app.desk.code == "sofia" and len(clients_named(demo_engine, "Zoe")) == 1

    asyncio.run(scenario())


def test_keys_typed_while_the_form_saves_reach_no_field(demo_engine):
    """Nobody at the desk: the code and PIN typed before the sign-in is up never land in the form; a
    cancelled sign-in gives the form back as it was."""
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("n", *fill(first="Zoe", last="Quintana"))
            form = app.screen
            burst(app, ["ctrl+s", *"sofia", "enter", *"3333", "enter"])
            await settle(pilot)
            assert isinstance(app.screen, FormModal)
            assert form.draft().first == "Zoe" and form.draft().last == "Quintana"
            assert "3333" not in "".join(form.draft().__dict__.values())
            await pilot.press("escape")  # no sign-in after all
            await settle(pilot)
            assert app.screen is form and app.focused is form.query_one("#field-last", Input)
            await pilot.press(*" Nava")
            assert field(app, "last") == "Quintana Nava"

    asyncio.run(scenario())


def test_e_edits_the_profile_and_its_tags(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ClientForm) and form.client_id == RICARDO
            assert field(app, "first") == "Ricardo" and field(app, "tags") == "alergia-tinte"
            form.query_one("#field-email", Input).value = "ricky@example.com"
            form.query_one("#field-tags", Input).value = "VIP"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#notice") == "profile saved"
            profile = text_of(app, "#profile")
            assert "ricky@example.com" in profile and "vip" in profile and "alergia-tinte" not in profile

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        assert uow.session.get(Client, RICARDO).email == "ricky@example.com"
        tags = uow.session.exec(select(ClientTag.tag).where(ClientTag.client_id == RICARDO)).all()
        assert list(tags) == ["vip"]


def test_e_edits_the_rest_of_the_profile_and_a_refusal_names_it(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ClientForm) and field(app, "city") == "" and field(app, "gender") == ""
            for name, value in (("street", "Av. Juárez 10"), ("city", "CDMX"), ("country", "mx"),
                                ("emergency_name", "Rosa"), ("emergency_phone", "55 8765 4321"), ("gender", "robot")):
                form.query_one(f"#field-{name}", Input).value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and "gender 'robot' is not one of" in text_of(app, "#dialog-error")
            assert field(app, "city") == "CDMX"  # what was typed stays
            form.query_one("#field-gender", Input).value = "hombre"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        row = uow.session.get(Client, RICARDO)
        assert (row.street, row.city, row.country, row.gender) == ("Av. Juárez 10", "CDMX", "MX", "male")
        assert (row.emergency_name, row.emergency_phone) == ("Rosa", "+525587654321")


def test_a_adds_a_private_note(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, NoteForm)
            await pilot.press(*"Alergia al amoniaco", "tab")
            app.screen.query_one("#field-type", Select).value = "medical"
            await pilot.press("tab", "space")  # private
            assert app.screen.query_one("#field-private", Checkbox).value is True
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#notice") == "note added (medical, private)"
            assert "[medical, private] sofia: Alergia al amoniaco" in text_of(app, "#notes")  # its author reads it

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        note = uow.session.exec(select(ClientNote).where(ClientNote.body == "Alergia al amoniaco")).one()
        assert (note.client_id, note.type, note.private) == (RICARDO, "medical", True)


def test_f_edits_the_preferences_and_a_refusal_stays_in_the_form(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, PrefsForm)
            form.query_one("#field-channel", Select).value = "whatsapp"
            form.query_one("#field-reminder", Select).value = "both"
            await pilot.press("tab", "tab", *"nobody", "tab", *"Corte infantil", "tab", *"agua mineral")
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is form
            assert "nobody" in str(form.query_one("#dialog-error").render())
            assert form.query_one("#field-requests", Input).value == "agua mineral"
            form.query_one("#field-staff", Input).value = "diego"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#notice") == "preferences saved"

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        prefs = client_notes.prefs(uow.session, client_id=RICARDO)
    assert (prefs.channel, prefs.reminder, prefs.preferred_staff, prefs.requests) == \
        ("whatsapp", "both", "diego", "agua mineral")
    assert len(prefs.preferred_services) == 1


def test_the_card_shows_sales_and_loyalty_beside_visits(demo_engine):
    async def scenario() -> str:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            return text_of(app, "#appointments")

    history = asyncio.run(scenario()).split("History", 1)[1]
    assert "Nov 20, 2026  sale    #" in history and " paid" in history
    assert "Nov 20, 2026  loyalty earn +220 points (sale " in history
    assert "Nov 20, 2026  loyalty stamp +1 stamp" in history
    assert "Nov 20, 2026  visit   Corte infantil with diego (completed)" in history


def test_shift_n_opens_the_no_shows(demo_engine):
    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("N")
            await settle(pilot)
            assert isinstance(app.screen, NoShowsScreen)
            await pilot.press("n")  # a new client from there too
            await settle(pilot)
            assert isinstance(app.screen, ClientForm)

    asyncio.run(scenario())


def test_the_form_prefilled_for_another_screen_answers_with_the_new_id(demo_engine):
    async def scenario() -> list:
        app = desk_app(demo_engine)
        answers: list = []
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.push_screen(ClientForm(first="Ana", last=""), answers.append)
            await settle(pilot)
            assert field(app, "first") == "Ana" and app.focused.id == "field-last"  # the first empty field
            await pilot.press(*"Prellenada", "ctrl+s")
            await settle(pilot)
        return answers

    answers = asyncio.run(scenario())
    [ana] = [c for c in clients_named(demo_engine, "Ana") if c.last_name == "Prellenada"]
    assert answers == [ana.id]


async def _new_client_form(pilot) -> None:
    await settle(pilot)
    await pilot.press("n", *fill(first="Zoe", last="Quintana Nava", phone="55 1234 5678", email="zoe@example.com",
                                 birthday="1990-02-30", tags="vip"), "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ClientForm)
    steady_cursors(pilot.app)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_client_form_snapshot(demo_engine, snap_compare, size):
    """The form with what was typed kept and the birthday refused in words."""
    assert snap_compare(desk_app(demo_engine), terminal_size=size, run_before=_new_client_form)


async def _likely_duplicates(pilot) -> None:
    await settle(pilot)
    await pilot.press("n", *fill(first="Rikardo", last="Lopes Morales"), "ctrl+s")
    await settle(pilot)
    steady_cursors(pilot.app)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_client_form_duplicates_snapshot(demo_engine, snap_compare, size):
    """A similar name: the likely duplicates, and "create anyway"."""
    assert snap_compare(desk_app(demo_engine), terminal_size=size, run_before=_likely_duplicates)
