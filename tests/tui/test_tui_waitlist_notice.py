"""Issue 30: the dashboard says who waits for a slot it frees. Cancelling a visit from the book (the
appointment's panel) puts up a notice naming how many wait for that slot and who is offered it first,
as `salon appt cancel` says on stderr. The demo salon; the fixed clock of tests/conftest.py."""

from __future__ import annotations

import asyncio

from salon_cli.db.models import Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import waitlist
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.tui.app import SalonApp
from salon_cli.tui.widgets.book_grid import BookGrid
from test_tui_grid import SIZE, _book_ahead, _loc, _type, _view
from tui_helpers import SOFIA, notes, settle


def _notices(app) -> list[str]:
    return notes(app)


def test_cancelling_from_the_book_names_who_waits_for_the_slot(demo_engine):
    day, _, appt = _book_ahead(demo_engine, days=3, at="10:00")
    loc = _loc(demo_engine)
    with UnitOfWork(demo_engine) as uow:
        waiting = uow.session.get(Client, 2)
        waitlist.add(uow.session, actor=SYSTEM, location=loc, client_id=2, service="corte-dama",
                     from_date=day, to_date=day)
        uow.commit()
        name = f"{waiting.first_name} {waiting.last_name}"

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("]", "]", "]")
            await settle(pilot)
            assert app.screen.query_one(BookGrid).go_to(appt.id)
            await pilot.press("x")
            await settle(pilot)
            await _type(pilot, "moved away")
            await pilot.press("enter")
            await settle(pilot)
            await settle(pilot)
            assert _view(demo_engine, appt.id).status == "cancelled"
            assert f"waitlist: 1 waiting for this slot; first: {name} (salon appt waitlist offers {appt.id})" \
                in _notices(app), _notices(app)

    asyncio.run(scenario())
