"""The book by stylist (`BookGrid` on Today) and the appointment's panel, driven by keys as a receptionist
would: move over slots and blocks, change day, open a block, move it to another stylist, cancel inside
the late window with the fee shown first, mark a no-show and reinstate it as a manager.

The demo salon (the `demo_engine` fixture); now is the fixed clock of tests/conftest.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from textual.widgets import DataTable

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, views as book
from salon_cli.services.salon import business_days, locations
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.book.appointment_panel import AppointmentPanel
from salon_cli.tui.widgets.book_grid import BookGrid
from tui_helpers import SOFIA, notes, settle

SIZE = (120, 40)


def _loc(engine):
    with UnitOfWork(engine, write=False) as uow:
        return locations.resolve(uow.session, None)


def _view(engine, appointment_id):
    with UnitOfWork(engine, write=False) as uow:
        return book.view(uow.session, appointment_id)


def _book_ahead(engine, *, days=3, at="10:00"):
    """A visit `days` ahead at `at` with the first stylist of that day's grid (outside hours allowed)."""
    from salon_cli.services.book import grid as book_grid

    loc = _loc(engine)
    day = business_days.today(loc) + timedelta(days=days)
    with UnitOfWork(engine) as uow:
        g = book_grid.grid(uow.session, location=loc, day=day)
        staff = [c.code for c in g.columns if not c.off]
        made = appointments.book_appointment(uow.session, actor=SYSTEM, location=loc, client_id=1, services=["corte-dama"],
                                             staff=staff[0], at=f"{day} {at}", allow_outside_hours=True,
                                             allow_overlap=True)
        uow.commit()
    return day, staff, made.appointments[0]


def _free_spot(g, block):
    """Another stylist's first slot, from the block's own time on, free and worked for the block's length."""
    for column in range(len(g.columns)):
        if column == block.column:
            continue
        for row in range(block.first_row, g.rows - block.rows):
            if all(g.working(column, r) and g.block_at(column, r) is None for r in range(row, row + block.rows)):
                return column, row
    raise AssertionError("no free slot for the move on that day")


async def _type(pilot, text):
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


def test_the_grid_shows_the_day_by_stylist_and_moves_by_keys(demo_engine):
    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            assert grid.display and grid.has_focus and grid.grid is not None
            today = grid.grid.day
            assert grid.cursor.row == grid.grid.now_row()
            start = grid.cursor
            await pilot.press("right", "down")
            assert grid.cursor.column == min(1, len(grid.grid.columns) - 1) and grid.cursor.row >= start.row
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert grid.grid.day == today + timedelta(days=1)
            await pilot.press("left_square_bracket", "left_square_bracket")
            await settle(pilot)
            assert grid.grid.day == today - timedelta(days=1)
            await pilot.press("t")
            await settle(pilot)
            assert grid.grid.day == today
            await pilot.press("v")  # the list view stays
            await settle(pilot)
            table = app.screen.query_one(DataTable)
            assert table.display and not grid.display and table.row_count == len(grid.grid.blocks) + sum(
                1 for r in app.screen.loaded.rows if r.appointment.status in ("cancelled", "late_cancelled"))
            await pilot.press("v")
            assert grid.display

    asyncio.run(scenario())


def test_go_to_a_date_open_a_block_and_move_it_to_another_stylist(demo_engine):
    day, staff, appt = _book_ahead(demo_engine)
    assert len(staff) >= 2

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("g")
            await pilot.pause()
            await _type(pilot, day.isoformat())
            await pilot.press("enter")
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            assert grid.grid.day == day
            assert grid.go_to(appt.id)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AppointmentPanel)
            await pilot.press("m")  # from the panel: pick it up on the grid
            await settle(pilot)
            assert grid.moving is not None and grid.moving.appointment.id == appt.id
            column, row = _free_spot(grid.grid, grid.moving)
            keys = ["right"] * (column - grid.cursor.column) + ["left"] * (grid.cursor.column - column)
            keys += ["down"] * (row - grid.cursor.row) + ["up"] * (grid.cursor.row - row)
            await pilot.press(*keys)
            await pilot.press("enter")
            await settle(pilot)
            moved = _view(demo_engine, appt.id)
            assert moved.staff == grid.grid.columns[column].code != staff[0], notes(app)
            assert moved.starts_at == grid.grid.at(row)
            assert any(n.startswith("moved: ") for n in notes(app)), notes(app)
            # picked up and put back with Escape: nothing changes
            assert grid.go_to(appt.id)
            await pilot.press("m", "left", "escape")
            await settle(pilot)
            assert grid.moving is None and _view(demo_engine, appt.id).staff == staff[1]

    asyncio.run(scenario())


def test_cancel_inside_the_window_shows_the_fee_before_it_is_confirmed(demo_engine):
    day, _, appt = _book_ahead(demo_engine, days=0, at="19:00")  # this evening: inside the 24 h window

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            assert grid.go_to(appt.id)
            await pilot.press("x")
            await settle(pilot)
            note = str(app.screen.query_one("#dialog-note").render())
            assert "Late cancellation" in note and "the policy charges" in note, note
            assert _view(demo_engine, appt.id).status == "booked"  # nothing yet
            await _type(pilot, "changed her mind")
            await pilot.press("enter")
            await settle(pilot)
            done = _view(demo_engine, appt.id)
            assert done.status == "late_cancelled" and done.penalty_cents and done.penalty_cents > 0

    asyncio.run(scenario())


def test_a_no_show_marked_from_the_panel_is_reinstated_by_a_manager(demo_engine, clock):
    soon = clock.now().astimezone(_loc(demo_engine).tz) + timedelta(minutes=30)
    _, _, appt = _book_ahead(demo_engine, days=0, at=f"{soon:%H}:{soon.minute - soon.minute % 15:02d}")
    clock.advance(hours=1)  # past its grace, nobody came

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            assert grid.go_to(appt.id)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("N")
            await settle(pilot)
            marked = _view(demo_engine, appt.id)
            assert marked.status == "no_show" and marked.penalty_id is not None
            await pilot.press("i")
            await pilot.pause()
            await _type(pilot, "she was here, we missed her")
            await pilot.press("enter", "enter")  # the reason, then "not here now"
            await pilot.pause()
            await _type(pilot, "lucia")  # the manager's PIN modal
            await pilot.press("enter")
            await _type(pilot, "1234")
            await pilot.press("enter")
            await settle(pilot)
            back = _view(demo_engine, appt.id)
            assert back.status == "booked" and back.penalty_status == "waived", notes(app)

    asyncio.run(scenario())


def test_the_palette_finds_the_screens_and_the_apps_actions_with_their_keys(demo_engine):
    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            from salon_cli.tui.app import SalonCommands

            provider = SalonCommands(app.screen_stack[-2])  # the palette was opened on Today
            found = {name: key for name, key, _ in provider._actions()}
            assert found["Check in"] == "key: c" and found["Go to date"] == "key: g"
            assert found["Open / book"] == "key: ⏎" or found["Open / book"].startswith("key: ")
            assert {"Cancel", "Move", "Checkout", "Next day", "Grid/list", "Find client", "Close day",
                    "Sign in", "Help"} <= set(found)
            for key in "mov":
                await pilot.press(key)
            await pilot.pause(0.3)
            hits = app.screen.query_one("OptionList")
            shown = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
            assert any("Move" in hit for hit in shown), shown
            await pilot.press("enter")
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            assert grid.moving is not None or grid.selected_block() is None

    asyncio.run(scenario())


async def _on_a_block(pilot) -> None:
    await settle(pilot)
    grid = pilot.app.screen.query_one(BookGrid)
    block = next(b for b in grid.grid.blocks if b.state in ("booked", "here", "late"))
    grid.go_to(block.appointment.id)
    await pilot.pause()


async def _panel_open(pilot) -> None:
    await _on_a_block(pilot)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_grid_snapshot(demo_engine, snap_compare, size):
    """The book by stylist, the cursor on a booked block (fixed demo data and clock)."""
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_on_a_block)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_appointment_panel_snapshot(demo_engine, snap_compare, size):
    """A block opened: who, what, when, price, state and its history, with the panel's keys."""
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_panel_open)


def test_states_read_in_words_without_colour_and_time_off_is_shaded(demo_engine):
    """The tests run with NO_COLOR (conftest): every block on screen still says its state in a word."""
    import os

    assert os.environ.get("NO_COLOR")

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            text = "\n".join(grid.render_line(y).text for y in range(grid.scrollable_content_region.height))
            shown = {b.state for b in grid.grid.blocks if b.rows >= 2}
            assert shown and all(state in text for state in shown), (shown, text)
            assert "now▸" in text and "─" in text  # the line at the current time

    asyncio.run(scenario())


def test_the_demo_shows_its_codes_and_pins_once_and_again_with_f1(demo_engine):
    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0, demo=True, welcome=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            from salon_cli.tui.screens.help import DemoWelcome, HelpScreen

            assert isinstance(app.screen, DemoWelcome)
            said = " ".join(str(s.render()) for s in app.screen.query("Static"))
            assert "sofia      PIN 3333" in said and "lucia      PIN 1234" in said
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(app.screen, DemoWelcome)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert "marco      PIN 2222" in " ".join(str(s.render()) for s in app.screen.query("Static"))

    asyncio.run(scenario())


def test_enter_on_an_empty_slot_books_there_for_a_client_found_by_a_misspelt_name(demo_engine):
    """The phone rings: Enter on a free slot of a day ahead, then the client by a misspelt name and a
    service; the booking lands in that stylist's column at that time."""
    from salon_cli.tui.screens.book.booking_form import BookingForm

    day, staff, _ = _book_ahead(demo_engine, days=3, at="09:00")  # the day's columns (one visit at 09:00)

    async def scenario():
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("g")
            await pilot.pause()
            await _type(pilot, day.isoformat())
            await pilot.press("enter")
            await settle(pilot)
            grid = app.screen.query_one(BookGrid)
            column = next(i for i, c in enumerate(grid.grid.columns) if c.code == staff[1])
            row = next(r for r in range(grid.grid.rows - 4) if all(
                grid.grid.working(column, x) and grid.grid.block_at(column, x) is None for x in range(r, r + 4)))
            await pilot.press(*(["right"] * (column - grid.cursor.column)), *(["down"] * (row - grid.cursor.row)))
            at = grid.grid.at(row)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, BookingForm)
            await _type(pilot, "ximana ibanes")
            await settle(pilot)
            await pilot.press("enter")
            await _type(pilot, "corte dama")
            await settle(pilot)
            await pilot.press("enter", "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, BookingForm), notes(app)
            with UnitOfWork(demo_engine, write=False) as uow:
                made = [a for a in book.appointments(uow.session, location=_loc(demo_engine), start=day)
                        if a.starts_at == at and a.staff == staff[1]]
            assert len(made) == 1 and made[0].client.startswith("Ximena Ibáñez"), made
            block = grid.selected_block()  # the book shows the new visit, the cursor on it
            assert grid.grid.day == day and block is not None and block.appointment.id == made[0].id

    asyncio.run(scenario())
