"""A booking saved with nobody at the desk asks who is there first. Cancelling that sign-in (or a wrong
PIN) brings the form back as it was, its fields free, and the next save asks again: the dashboard never
falls over on the way back (the booking form's body is its own, not a `#dialog`). The demo salon."""

from __future__ import annotations

import asyncio

from salon_cli.tui.screens.book.booking_form import BookingForm
from salon_cli.tui.screens.modals import FormModal
from test_tui_booking import SIZE, XIMENA, _appointments, _notes, _open_booking, desk_app
from tui_helpers import settle


def test_a_cancelled_sign_in_leaves_the_booking_form_as_it_was(demo_engine):
    before = {a.id for a in _appointments(demo_engine, XIMENA)}

    async def scenario() -> None:
        app = desk_app(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            assert app.desk is None
            form = await _open_booking(pilot)
            await pilot.press(*"ximena ibanez", "enter", *"corte dama", "enter", *"ana", "enter", *"monday 16")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormModal)  # who is at the desk?
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is form and app.is_running
            assert form._busy is False  # the save may be asked again
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FormModal)
            await pilot.press(*"sofia", "tab", *"9999", "enter")  # a wrong PIN: refused, back to the form
            await settle(pilot)
            assert app.is_running
            await pilot.press("ctrl+s")
            await settle(pilot)
            if isinstance(app.screen, FormModal):
                await pilot.press(*"sofia", "tab", *"3333", "enter")
                await settle(pilot)
            assert not isinstance(app.screen, BookingForm)
            assert any("booked: Ximena Ibáñez Chávez" in n for n in _notes(app)), _notes(app)

    asyncio.run(scenario())
    assert len([a for a in _appointments(demo_engine, XIMENA) if a.id not in before]) == 1
