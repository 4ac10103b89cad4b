"""Changes from other desks and cron, shown on the dashboard: the app's refresh (mixed into `SalonApp`).

One refresh, two ways to start it. A refresh reads the change marker (`services.salon.changes.marker`,
the newest audit id) and, when it moved, asks the screen on show to reload (`data_changed`) and marks
the screens beneath it stale (`ReloadsWhenBack`: they reload when they are back on top).

- SQLite: the cheap poll, every `poll_seconds`.
- PostgreSQL: at once. Every committed change sends `NOTIFY salon_changes` (`db.notify`); a thread
  listens (`db.listen.ChangeListener`) and posts `ChangesHeard` to the app. A burst of changes is one
  refresh at its start and one after it (`SPACING`): a refresh starts at once when none started in the
  last `SPACING` seconds, else one more runs `SPACING` after the latest change heard (and at most
  `MAX_DELAY` after the last one, so a long stream of changes still shows). While the listener listens,
  the poll steps back to a read every `RELAXED` seconds (a safety net: a writer that does not notify);
  when its connection is lost the poll takes over at its own pace until the listener is back, which
  connects again with back-off and refreshes once as it does. The dashboard never fails for it.

`poll_seconds=0` turns both off (tests that want a still screen). The listener's thread stops when the
app unmounts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from salon_cli.tui.screens.reload import ReloadsWhenBack

if TYPE_CHECKING:
    from salon_cli.db.listen import ChangeListener

SPACING = 0.2  # seconds: refreshes started by notifications are at least this far apart
MAX_DELAY = 1.0  # seconds: during a stream of changes, a refresh at least this often
RELAXED = 30.0  # seconds between the poll's reads while the listener listens


class ChangesHeard(Message):
    """A change committed somewhere (posted from the listener's thread)."""


class LiveRefresh:
    """The refresh of `SalonApp`: the poll, the listener on PostgreSQL, and the refresh they start."""

    poll_seconds: float
    _marker: int | None = None
    listener: ChangeListener | None = None
    refreshes = 0  # refreshes started (tests, benchmarks)
    _last_refresh = float("-inf")  # time.monotonic() of the last refresh started
    _trailing: Timer | None = None
    _reading = False  # a read of the marker is running
    _again = False  # asked for while it ran: one more follows

    def start_refresh(self) -> None:
        """On mount: the poll, and on PostgreSQL the listener."""
        if self.poll_seconds <= 0:
            return
        app: Any = self
        self.refresh_changes()  # the marker as the first screen reads its data: what moves it later shows
        app.set_interval(self.poll_seconds, self._poll)
        if app.engine.dialect.name == "postgresql":
            from salon_cli.db.listen import ChangeListener  # psycopg: only on PostgreSQL

            self.listener = ChangeListener(app.engine, lambda: app.post_message(ChangesHeard())).start()

    def stop_refresh(self) -> None:
        if self.listener is not None:
            self.listener.stop()

    def on_unmount(self) -> None:
        self.stop_refresh()

    def _poll(self) -> None:
        listening = self.listener is not None and self.listener.listening
        if listening and time.monotonic() - self._last_refresh < RELAXED:
            return
        self.refresh_changes()

    def on_changes_heard(self, _message: ChangesHeard) -> None:
        app: Any = self
        now = time.monotonic()
        if self._trailing is None and now - self._last_refresh >= SPACING:
            self.refresh_changes()
            return
        if self._trailing is not None:
            self._trailing.stop()
        # the burst's last change shows SPACING after it, but never later than MAX_DELAY after the last refresh
        delay = min(SPACING, self._last_refresh + MAX_DELAY - now)
        if delay <= 0:  # MAX_DELAY is over (a busy machine): now; a timer of 0 s dies late (Textual divides by it)
            self._trailing_refresh()
            return
        self._trailing = app.set_timer(delay, self._trailing_refresh)

    def _trailing_refresh(self) -> None:
        self._trailing = None
        self.refresh_changes()

    def refresh_changes(self) -> None:
        """Read the change marker; when it moved, the screen on show reads again. Asked while a read
        runs, one more read follows it (a read is never cancelled for another)."""
        from salon_cli.services.salon import changes

        app: Any = self
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        self._last_refresh = time.monotonic()
        self.refreshes += 1

        def seen(marker: int) -> None:
            before, self._marker = self._marker, marker
            if before is not None and marker != before:
                # the screen on show reads again now; those beneath it (the book under a checkout)
                # when they are back on top, or they would keep showing the day as it was
                for screen in app.screen_stack[:-1]:
                    if isinstance(screen, ReloadsWhenBack):
                        screen.stale = True
                reload = getattr(app.screen, "data_changed", None)
                if callable(reload):
                    reload()
            read_done()

        def read_done(_text: str = "") -> None:
            self._reading = False
            if self._again:
                self.refresh_changes()

        app.read(lambda s, _loc: changes.marker(s), seen, read_done, group="poll", exclusive=False)
