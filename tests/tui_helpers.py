"""What every dashboard test shares: waiting for the app's workers, reading a screen's text, and the
receptionist at the desk. (The demo salon they run on is the `demo_engine` fixture of conftest.py.)"""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.worker import WorkerFailed

from salon_cli.services.salon.actors import Actor

SOFIA = Actor(id=None, code="sofia", name="Sofía Ramírez", role="receptionist")


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every notification the app posted in this test, in order, whether or not it is still on screen: a
    toast lives 5 seconds, and on a busy machine a test can look later than that (tests/conftest.py
    records them)."""
    return [str(message) for message in app.__dict__.get("notes_seen", [])]


async def settle(pilot: Pilot) -> None:
    """Wait for the reads and changes to finish (a change answers with another read)."""
    for _ in range(4):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app reports it on screen; the tests look there
        await pilot.pause()
    await tables_measured(pilot)


async def tables_measured(pilot: Pilot, timeout: float = 5.0) -> None:
    """Wait until every table (on each screen shown, modals' backgrounds too) has measured its new rows.

    A DataTable sizes its columns when its message queue runs dry; on a busy machine that can come after
    the workers are done and Pilot's pauses are over, and a snapshot then shows every column only as wide
    as its heading. (`_require_update_dimensions` and `_updated_cells` are DataTable's own to-do marks.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        pending = [table for screen in pilot.app.screen_stack for table in screen.query(DataTable)
                   if getattr(table, "_require_update_dimensions", False) or getattr(table, "_updated_cells", None)]
        if not pending:
            break
        for table in pending:
            table.check_idle()  # an idle table does the sizing now
        await pilot.pause(0.02)
    await pilot.pause()


def text_of(app, selector: str) -> str:
    """The text of a Static on the screen on show."""
    return str(app.screen.query_one(selector, Static).render())


def steady_cursors(app) -> None:
    """No blinking text cursor on the screen on show: a snapshot takes the same picture every time."""
    for field in app.screen.query(Input):
        field.cursor_blink = False
