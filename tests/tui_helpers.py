"""What every dashboard test shares: waiting for the app's workers, reading a screen's text, and the
receptionist at the desk. (The demo salon they run on is the `demo_engine` fixture of conftest.py.)"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerFailed

from salon_cli.services.actors import Actor

SOFIA = Actor(id=None, code="sofia", name="Sofía Ramírez", role="receptionist")


async def settle(pilot: Pilot) -> None:
    """Wait for the reads and changes to finish (a change answers with another read)."""
    for _ in range(4):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app reports it on screen; the tests look there
        await pilot.pause()


def text_of(app, selector: str) -> str:
    """The text of a Static on the screen on show."""
    return str(app.screen.query_one(selector, Static).render())
