"""The Today placeholder dashboard, driven with Pilot on the demo salon at the fixed test clock."""

from __future__ import annotations

import asyncio
from datetime import date

from textual.widgets import DataTable

from salon_cli.db.engine import make_engine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import locations
from salon_cli.tui.app import SalonApp
from tui_helpers import settle, text_of

SIZE = (120, 36)
TODAY = date(2026, 11, 21)  # the clock fixture's business date in Mexico City


def test_today_shows_the_book(demo_engine):
    with UnitOfWork(demo_engine, write=False) as uow:
        location = locations.resolve(uow.session, None)
        expected = book.appointments(uow.session, location=location, start=TODAY)

    async def scenario() -> None:
        app = SalonApp(demo_engine, "centro")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.query_one(DataTable)
            assert table.row_count == len(expected) > 0
            first = expected[0]
            cells = [str(c) for c in table.get_row(str(first.id))]
            assert cells[2:5] == [first.client, first.staff_name.split()[0], first.service]
            assert cells[1] in ("booked", "late", "here", "in chair", "done", "no-show", "cancelled", "late cancel")
            assert cells[0] == "09:00–" + cells[0].split("–")[1]
            assert text_of(app, "#title") == "Salón Centro — Saturday, November 21, 2026  (today)"
            summary = text_of(app, "#summary")
            assert summary.startswith(f"{len(expected)} appointments: ")
            assert "in chair" in summary and "done" in summary

    asyncio.run(scenario())


def test_days_move_with_the_arrow_keys_and_t_comes_back(demo_engine):
    """In the list view (`v`) the arrows change the day (in the grid, `[` and `]` do: test_tui_grid.py)."""
    async def scenario() -> None:
        app = SalonApp(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("v")
            today_rows = app.query_one(DataTable).row_count
            await pilot.press("right")
            await settle(pilot)
            assert text_of(app, "#title") == "Salón Centro — Sunday, November 22, 2026"
            assert app.query_one(DataTable).row_count == 0  # the demo books nothing ahead
            assert text_of(app, "#summary") == "no appointments"
            await pilot.press("left", "left")
            await settle(pilot)
            assert text_of(app, "#title") == "Salón Centro — Friday, November 20, 2026"
            assert app.query_one(DataTable).row_count > 0
            assert "booked" not in text_of(app, "#summary")  # history only: every visit has ended
            await pilot.press("t")
            await settle(pilot)
            assert text_of(app, "#title").endswith("Saturday, November 21, 2026  (today)")
            assert app.query_one(DataTable).row_count == today_rows
            await pilot.press("r")
            await settle(pilot)
            assert app.query_one(DataTable).row_count == today_rows

    asyncio.run(scenario())


def test_q_quits(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(scenario())


def test_an_uninitialised_database_is_a_message_not_a_crash(engine, clock):
    async def scenario() -> None:
        app = SalonApp(engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert text_of(app, "#summary").startswith("error: salon is not initialised here")
            assert app.query_one("#summary").has_class("error")
            assert app.query_one(DataTable).row_count == 0

    asyncio.run(scenario())


def test_a_broken_database_is_a_message_not_a_crash(sqlite_url, clock):
    engine = make_engine(sqlite_url)  # no schema at all: every query fails

    async def scenario() -> None:
        app = SalonApp(engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            summary = text_of(app, "#summary")
            assert summary.startswith("error: ") and "no such table" in summary
            assert app.is_running

    try:
        asyncio.run(scenario())
    finally:
        engine.dispose()


def test_an_unexpected_failure_is_a_message_not_a_crash(demo_engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the book is on fire")

    monkeypatch.setattr(book, "appointments", broken)

    async def scenario() -> None:
        app = SalonApp(demo_engine)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert text_of(app, "#summary") == "error: RuntimeError: the book is on fire"
            assert app.is_running

    asyncio.run(scenario())
