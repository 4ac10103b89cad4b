"""The dashboard's Today screen and what every screen shares: the desk's keys (check-in, walk-in,
cancel, move), sign-in, the manager's PIN, changes from another terminal, help, the palette, themes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import DataTable, Input, Static

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import status as appt_status, views as book, board as desk_board
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import Actor
from salon_cli.services.book.views import AppointmentView
from salon_cli.tui.app import SalonApp
from tui_helpers import SOFIA, notes, settle, steady_cursors, text_of

SIZE = (120, 40)


def _booked_today(engine):
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        rows = book.appointments(uow.session, location=loc, start=loc_today(loc))
    return rows


def loc_today(loc):
    from salon_cli.services.salon import business_days

    return business_days.today(loc)


def _status(engine, appointment_id):
    with UnitOfWork(engine, write=False) as uow:
        return book.view(uow.session, appointment_id).status


async def _cursor_to(pilot, appointment_id: int) -> None:
    """The cursor on an appointment: its block in the grid (the book's default view), or its row in the list."""
    from salon_cli.tui.widgets.book_grid import BookGrid

    grid = pilot.app.screen.query_one(BookGrid)
    if grid.display:
        assert grid.go_to(appointment_id)
    else:
        table = pilot.app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(appointment_id)))
    await pilot.pause()


async def _type(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


def test_states_in_words_waiting_and_next_free_slot():
    tz = timezone.utc
    now = datetime(2026, 11, 21, 11, 5, tzinfo=tz)

    def appt(start_h, start_m, minutes, status, staff="ana"):
        start = datetime(2026, 11, 21, start_h, start_m, tzinfo=tz)
        return AppointmentView(id=1, client_id=1, client="X", staff=staff, staff_name=staff, service="Corte",
                               services=("corte",), starts_at=start, ends_at=start + timedelta(minutes=minutes),
                               status=status, price_cents=0, deposit_cents=0, checked_in_at=None, started_at=None,
                               completed_at=None, cancelled_at=None, no_show_at=None, walk_in=False, cancel_reason=None,
                               series_id=None, external_id=None, note=None, penalty_id=None,
                               penalty_status=None, penalty_cents=None)

    grace = timedelta(minutes=15)
    assert desk_board.state_of(appt(10, 45, 30, "booked"), now, grace) == "late"
    assert desk_board.state_of(appt(10, 55, 30, "booked"), now, grace) == "booked"
    assert desk_board.state_of(appt(10, 0, 30, "checked_in"), now, grace) == "here"
    assert desk_board.state_of(appt(10, 0, 30, "in_service"), now, grace) == "in chair"
    assert desk_board.state_of(appt(10, 0, 30, "completed"), now, grace) == "done"
    assert desk_board.state_of(appt(10, 0, 30, "no_show"), now, grace) == "no-show"
    # busy 11:00-11:45 and 12:00-13:00: the first 30 clear minutes from 11:15 start at 13:00
    rows = [appt(11, 0, 45, "in_service"), appt(12, 0, 60, "booked"), appt(11, 30, 30, "cancelled")]
    assert desk_board.next_free(rows, now, tz) == datetime(2026, 11, 21, 13, 0, tzinfo=tz)
    assert desk_board.next_free([], now, tz) == datetime(2026, 11, 21, 11, 15, tzinfo=tz)
    assert desk_board.next_free([appt(11, 0, 600, "booked")], now, tz) is None  # full to closing


def test_check_in_from_the_book_with_one_key_after_signing_in(demo_engine):
    booked = [a for a in _booked_today(demo_engine) if a.status == "booked"]
    target = booked[-1]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await _cursor_to(pilot, target.id)
            await pilot.press("c")  # nobody at the desk yet: sign in first
            await pilot.pause()
            await _type(pilot, "sofia")
            await pilot.press("enter")
            await _type(pilot, "3333")
            await pilot.press("enter")
            await settle(pilot)
            assert app.desk is not None and app.desk.code == "sofia"
            assert app.sub_title == "desk: Sofía Ramírez (receptionist)"
            assert _status(demo_engine, target.id) == "checked_in"
            row = app.screen.query_one(DataTable).get_row(str(target.id))
            assert str(row[1]) == "here"
            first, last = target.client.split()[:2]
            assert f"{first} {last[0]}. ({target.staff})" in text_of(app, "#desk")  # waiting

    asyncio.run(scenario())


def test_a_wrong_pin_at_sign_in_is_refused_and_changes_nothing(demo_engine):
    booked = [a for a in _booked_today(demo_engine) if a.status == "booked"]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await _cursor_to(pilot, booked[-1].id)
            await pilot.press("c")
            await pilot.pause()
            await _type(pilot, "sofia")
            await pilot.press("enter")
            await _type(pilot, "0000")
            await pilot.press("enter")
            await settle(pilot)
            assert app.desk is None
            assert _status(demo_engine, booked[-1].id) == "booked"

    asyncio.run(scenario())


def test_walk_in_cancel_and_move(demo_engine, clock):
    booked = [a for a in _booked_today(demo_engine) if a.status == "booked"]
    before = len(_booked_today(demo_engine))
    with UnitOfWork(demo_engine, write=False) as uow:
        board = desk_board.board(uow.session, location=locations.resolve(uow.session, None))
    free = sorted((at, code) for code, at in board.next_free.items() if code in ("ana", "diego", "emma") and at)
    clock.set(free[0][0])  # the walk-in comes in when the first stylist who cuts hair is free
    free = [free[0][1]]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await pilot.press("w")
            await pilot.pause()
            await pilot.press("enter")  # no client card
            await _type(pilot, "corte-caballero")
            await pilot.press("enter")
            await _type(pilot, free[0])
            await pilot.press("enter")
            await settle(pilot)
            assert len(_booked_today(demo_engine)) == before + 1, notes(app)
            walk = [a for a in _booked_today(demo_engine) if a.walk_in and a.client_id is None]
            assert walk and walk[-1].staff == free[0]
            await _cursor_to(pilot, booked[0].id)
            await pilot.press("x")
            await pilot.pause()
            await _type(pilot, "called")
            await pilot.press("enter")
            await settle(pilot)
            assert _status(demo_engine, booked[0].id) in ("cancelled", "late_cancelled")
            await pilot.press("v")  # the list view: `m` asks for the new time in words
            await settle(pilot)
            await _cursor_to(pilot, booked[1].id)
            await pilot.press("m")
            await pilot.pause()
            field = app.screen.query_one("#field-at", Input)
            field.value = "2026-11-24 10:00"
            await pilot.press("enter")
            await settle(pilot)
            with UnitOfWork(demo_engine, write=False) as uow:
                moved = book.view(uow.session, booked[1].id)
            assert moved.starts_at == datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)

    asyncio.run(scenario())


def test_a_refusal_is_shown_and_the_app_keeps_running(demo_engine):
    done = [a for a in _booked_today(demo_engine) if a.status == "completed"]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await _cursor_to(pilot, done[0].id)
            await pilot.press("c")
            await settle(pilot)
            assert any("completed" in n for n in notes(app))
            assert app.is_running and _status(demo_engine, done[0].id) == "completed"

    asyncio.run(scenario())


def test_a_read_only_database_is_said_in_words_and_the_app_keeps_running(demo_engine):
    """The SQLite file turns read-only under the desk (SQLITE_READONLY, as a file made read-only gives
    it): the check-in is refused in the command line's words, nothing changes, the book still reads."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    booked = [a for a in _booked_today(demo_engine) if a.status == "booked"]
    path = make_url(str(demo_engine.url)).database

    def read_only(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            sa.event.listen(demo_engine, "connect", read_only)
            demo_engine.dispose()  # every connection from now on is read-only
            await _cursor_to(pilot, booked[-1].id)
            await pilot.press("c")
            await settle(pilot)
            said = notes(app)
            assert f"cannot write the database {path}: it is read-only; nothing was saved (salon writes the " \
                   "file and, beside it, its -wal and -shm files: check the owner and permissions of the file " \
                   "and its folder)" in said, said
            assert not any("OperationalError" in text or "attempt to write" in text for text in said)
            await pilot.press("r")  # reading still works
            await settle(pilot)
            assert app.is_running and app.screen.query_one(DataTable).row_count > 0
    try:
        asyncio.run(scenario())
    finally:
        sa.event.remove(demo_engine, "connect", read_only)
        demo_engine.dispose()
    assert _status(demo_engine, booked[-1].id) == "booked"


def test_a_lost_database_connection_is_said_in_words():
    """PostgreSQL gone mid-transaction (the fault tests cut a real one): the desk reads what to do."""
    from sqlalchemy.exc import OperationalError

    from salon_cli.tui.app import describe

    lost = OperationalError("UPDATE appointment ...", {}, Exception("server closed the connection unexpectedly"),
                            connection_invalidated=True)
    assert describe(lost, "postgresql+psycopg://salon:secret@db/salon") == (
        "the database connection was lost; nothing was saved (check that the database server is running and "
        "reachable, then run the command again)")
    other = OperationalError("SELECT 1", {}, Exception("deadlock detected\nDETAIL: ..."))
    assert describe(other) == "deadlock detected"  # not one we can name: the driver's first line


def test_a_change_from_another_terminal_shows_within_the_poll(demo_engine):
    booked = [a for a in _booked_today(demo_engine) if a.status == "booked"]
    target = booked[-1]

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0.2)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            with UnitOfWork(demo_engine) as uow:  # another desk checks the client in
                loc = locations.resolve(uow.session, None)
                desk = Actor(id=None, code="system", name="system", role="system")
                appt_status.check_in(uow.session, actor=desk, location=loc, appointment_id=target.id)
                uow.commit()
            for _ in range(20):
                await asyncio.sleep(0.1)
                await settle(pilot)
                if str(app.screen.query_one(DataTable).get_row(str(target.id))[1]) == "here":
                    break
            assert str(app.screen.query_one(DataTable).get_row(str(target.id))[1]) == "here"

    asyncio.run(scenario())


def test_help_palette_and_theme(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            shown = "\n".join(str(s.render()) for s in app.screen.query(Static))
            assert "Check in" in shown and "Command palette" in shown and "Close day" in shown
            await pilot.press("escape")
            await pilot.pause()
            theme = app.theme
            await pilot.press("f2")
            assert app.theme != theme
            from salon_cli.tui.app import SalonCommands

            provider = SalonCommands(app.screen)
            names = [name for name, _, _ in provider._actions()]
            assert {"Check in", "Walk-in", "Cancel", "Move", "Checkout", "Find client", "Close day",
                    "No-shows", "Sign in", "Help"} <= set(names)

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_today_snapshot(demo_engine, snap_compare, size):
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=settle)


async def _open_help(pilot) -> None:
    await settle(pilot)
    await pilot.press("f1")
    await pilot.pause()


async def _signing_in(pilot) -> None:
    """Today's `s`: the sign-in modal, the code typed and the PIN (masked) typed, not yet sent."""
    await settle(pilot)
    await pilot.press("s")
    await pilot.pause()
    steady_cursors(pilot.app)
    await _type(pilot, "sofia")
    await pilot.press("enter")
    await _type(pilot, "3333")
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_help_snapshot(demo_engine, snap_compare, size):
    """F1 on Today: Today's keys and the keys that work everywhere."""
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_open_help)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_sign_in_snapshot(demo_engine, snap_compare, size):
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=size, run_before=_signing_in)
