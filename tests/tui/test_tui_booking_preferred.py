"""The booking form offers the client's preferred stylist: the first of their preferred stylists (in
order) who works the day asked, selected in the stylist box, so that Enter keeps it and typing replaces
it. On the demo salon at the fixed test clock (Saturday 21 November 2026; the salon is closed on
Sundays). Ximena has no preferred stylist in the demo: each test gives her some."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from textual.widgets import Static

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.salon import locations, staff, time_off
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.book.booking_form import BookingForm
from salon_cli.tui.widgets.staff_picker import StaffPicker
from tui_helpers import SOFIA, settle

SIZE = (120, 40)
XIMENA = 18  # Ximena Ibáñez Chávez
MISSPELT = "Ximana Ibanes"
MONDAY = date(2026, 11, 23)


def _owner(engine) -> Actor:
    with UnitOfWork(engine, write=False) as uow:
        row = staff.find(uow.session, "lucia")
        return Actor(id=row.id, code=row.code, name=row.name, role=row.role, verified=True)


def _location(engine):
    with UnitOfWork(engine, write=False) as uow:
        return locations.resolve(uow.session, None)


def _prefer(engine, codes: list[str]) -> None:
    with UnitOfWork(engine) as uow:
        client_notes.set_prefs(uow.session, actor=_owner(engine), location=_location(engine), client_id=XIMENA,
                               staff=codes)
        uow.commit()


def _off_on_monday(engine, code: str) -> None:
    with UnitOfWork(engine) as uow:
        time_off.add_time_off(uow.session, actor=_owner(engine), location=_location(engine), who=code,
                              first_day=MONDAY, last_day=MONDAY, reason="course")
        uow.commit()


def _ximenas(engine) -> list:
    with UnitOfWork(engine, write=False) as uow:
        return book.appointments(uow.session, location=_location(engine), start=date(2026, 11, 21),
                                 end=date(2026, 12, 31), client_id=XIMENA)


def _note(picker: StaffPicker) -> str:
    return str(picker.query_one(".picker-note", Static).render())


async def _form_for_ximena(pilot) -> tuple[BookingForm, StaffPicker]:
    app = pilot.app
    app.desk = SOFIA
    await settle(pilot)
    app.open_booking()
    await settle(pilot)
    form = app.screen
    assert isinstance(form, BookingForm)
    await pilot.press(*MISSPELT)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return form, form.query_one(StaffPicker)


def _booked(engine, before: set[int]):
    made = [a for a in _ximenas(engine) if a.id not in before]
    assert len(made) == 1
    return made[0]


def test_the_first_preferred_stylist_is_offered_and_enter_books_with_them(demo_engine):
    _prefer(demo_engine, ["diego", "ana"])
    before = {a.id for a in _ximenas(demo_engine)}

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form, picker = await _form_for_ximena(pilot)
            assert picker.decided and picker.chosen_code == "diego"
            assert picker.input.value == "diego" and picker.input.selected_text == "diego"
            assert _note(picker) == "✓ Diego Muñoz (diego) · Ximena Ibáñez Chávez's preferred stylist"
            await pilot.press(*"corte dama", "enter", "enter", *"monday 16")  # Enter on the stylist keeps diego
            await settle(pilot)
            assert picker.chosen_code == "diego"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), str(form.query_one("#booking-error", Static).render())

    asyncio.run(scenario())
    made = _booked(demo_engine, before)
    assert made.staff == "diego" and made.services == ("corte-dama",)
    assert f"{made.starts_at.astimezone(_location(demo_engine).tz):%Y-%m-%d %H:%M}" == "2026-11-23 16:00"


def test_the_day_asked_picks_again_the_first_who_works_it(demo_engine):
    _prefer(demo_engine, ["diego", "ana"])
    _off_on_monday(demo_engine, "diego")
    before = {a.id for a in _ximenas(demo_engine)}

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form, picker = await _form_for_ximena(pilot)
            assert picker.chosen_code == "diego"  # today diego works
            await pilot.press(*"corte dama", "enter", "enter", *"tomorrow 16")
            await settle(pilot)
            # Sunday: the salon is closed, nobody she prefers works: the stylist is the desk's to choose
            assert not picker.decided and picker.chosen_code is None and picker.input.value == ""
            await pilot.press(*["backspace"] * len("tomorrow 16"), *"monday 16")
            await settle(pilot)
            assert picker.chosen_code == "ana"  # diego is off on Monday: the next she prefers
            assert _note(picker).endswith("Ximena Ibáñez Chávez's preferred stylist")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), str(form.query_one("#booking-error", Static).render())

    asyncio.run(scenario())
    assert _booked(demo_engine, before).staff == "ana"


def test_typing_in_the_stylist_box_replaces_the_offer_and_a_day_changes_it_no_more(demo_engine):
    _prefer(demo_engine, ["diego", "ana"])
    before = {a.id for a in _ximenas(demo_engine)}

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form, picker = await _form_for_ximena(pilot)
            assert picker.chosen_code == "diego"
            await pilot.press(*"corte dama", "enter", *"valeria", "enter")
            await settle(pilot)
            assert picker.input.value == "valeria" and picker.chosen_code == "valeria"
            await pilot.press(*"monday 12")
            await settle(pilot)
            assert picker.chosen_code == "valeria"  # the receptionist's choice stands
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), str(form.query_one("#booking-error", Static).render())

    asyncio.run(scenario())
    assert _booked(demo_engine, before).staff == "valeria"


def test_a_stylist_given_by_the_grid_or_a_rebooking_is_kept(demo_engine):
    _prefer(demo_engine, ["diego"])

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            tz = _location(demo_engine).tz
            app.open_booking(client_id=XIMENA, staff="emma", at=datetime(2026, 11, 23, 12, 0, tzinfo=tz))
            await settle(pilot)
            picker = app.screen.query_one(StaffPicker)
            assert picker.chosen_code == "emma" and picker.input.value == "emma"

    asyncio.run(scenario())


def test_no_preferred_stylist_leaves_the_box_empty(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            _form, picker = await _form_for_ximena(pilot)
            assert not picker.decided and picker.input.value == ""
            assert _note(picker) == "any stylist, or type a code or name"

    asyncio.run(scenario())
