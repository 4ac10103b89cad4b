"""The booking horizon at the dashboard's booking form: a visit past the policy's horizon is refused in
words, the form kept; a client with priority booking (a Gold membership) books up to the longer one. On
the demo salon at the fixed test clock (Saturday 21 November 2026, 11:00 in Mexico City): the book opens
until 2027-05-20, and until 2027-11-21 for clients with priority booking. Mariana Ortiz (12) has no
membership; Ximena Ibáñez (18) is a Gold member (the plan has priority_booking)."""

from __future__ import annotations

import asyncio
from datetime import date

from textual.widgets import Static

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import locations
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.book.booking_form import BookingForm
from salon_cli.tui.widgets.when_input import WhenInput
from tui_helpers import SOFIA, settle

SIZE = (120, 40)
MARIANA = 12  # Mariana Ortiz Hernández
XIMENA = 18  # Ximena Ibáñez Chávez, a Gold member
REFUSED = ("Not booked: 2027-05-21 is too far ahead: bookings open 180 days ahead (until 2027-05-20); "
           "clients with priority booking 365 days")
REFUSED_GOLD = ("Not booked: 2027-11-22 is too far ahead: bookings open 365 days ahead for clients with priority "
                "booking (until 2027-11-21)")


def _appointments(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        return [(a.id, f"{a.starts_at.astimezone(loc.tz):%Y-%m-%d %H:%M}")
                for a in book.appointments(uow.session, location=loc, start=date(2026, 11, 21),
                                           end=date(2028, 12, 31), client_id=client_id)]


async def _book(pilot, client_id: int, when: str) -> BookingForm:
    app = pilot.app
    await settle(pilot)
    app.open_booking(client_id=client_id)
    await settle(pilot)
    form = app.screen
    assert isinstance(form, BookingForm)
    await pilot.press(*"corte dama", "enter", *"ana", "enter", *when)
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    return form


def _error(app) -> str:
    return str(app.screen.query_one("#booking-error", Static).render())


def _refused(engine, client_id: int, when: str, said: str) -> None:
    before = _appointments(engine, client_id)

    async def scenario() -> None:
        app = SalonApp(engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            form = await _book(pilot, client_id, when)
            assert app.screen is form
            error = _error(app)
            assert error == said, error
            assert "--" not in error and "salon policy" not in error
            assert form.query_one(WhenInput).input.value == when  # nothing typed is lost

    asyncio.run(scenario())
    assert _appointments(engine, client_id) == before


def _booked(engine, client_id: int, when: str) -> None:
    async def scenario() -> None:
        app = SalonApp(engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await _book(pilot, client_id, when)
            assert not isinstance(app.screen, BookingForm), _error(app)

    asyncio.run(scenario())
    assert when in [at for _, at in _appointments(engine, client_id)]


def test_past_the_horizon_the_form_says_so_in_words_and_books_nothing(demo_engine):
    _refused(demo_engine, MARIANA, "2027-05-21 12:00", REFUSED)
    _booked(demo_engine, MARIANA, "2027-05-20 12:00")  # the last day open to her


def test_a_gold_member_books_up_to_her_own_horizon(demo_engine):
    _booked(demo_engine, XIMENA, "2027-11-19 12:00")
    _refused(demo_engine, XIMENA, "2027-11-22 12:00", REFUSED_GOLD)
