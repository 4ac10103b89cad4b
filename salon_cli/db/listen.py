"""Hearing the other desks' changes as they commit, on PostgreSQL: `LISTEN salon_changes` (`db.notify`).

A `ChangeListener` keeps one connection of its own (autocommit, outside the engine's pool) in a thread
of its own, waiting on the connection's socket and on a wake-up socket together (`select`): `heard()` is
called once for each batch of notifications read (a burst read in one go is one call), and once after
each LISTEN took hold, for whatever changed while nobody listened. `heard` runs on the listener's
thread; it must only hand the news on (the dashboard posts itself a message).

A lost connection (the server restarted, the backend terminated, the network down: TCP keepalives
notice a silent one) is never an error for the caller: `listening` turns False, and the listener
connects again after 0.5 s, then 1, 2, 4 ... up to 30 s between tries, until it is stopped. `stop()`
wakes the thread at once and waits for it (briefly: it is a daemon thread).

psycopg is imported here only, and this module only by a dashboard on PostgreSQL.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy.engine import Engine

from salon_cli.db.notify import CHANNEL

log = logging.getLogger(__name__)

FIRST_RETRY = 0.5  # seconds before the first reconnection; doubled each failed try, up to LAST_RETRY
LAST_RETRY = 30.0
# a connection that went silent (a cable pulled) is found dead by the kernel in about 10 + 3 x 3 s
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3, "keepalives_count": 3}
CONNECT_TIMEOUT = 5


class ChangeListener:
    """A thread that calls `heard()` whenever a change commits anywhere on `engine`'s database."""

    def __init__(self, engine: Engine, heard: Callable[[], None], *, first_retry: float | None = None,
                 last_retry: float | None = None, name: str = "salon-listen") -> None:
        self.heard = heard
        self.first_retry = FIRST_RETRY if first_retry is None else first_retry
        self.last_retry = LAST_RETRY if last_retry is None else last_retry
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        cparams.pop("context", None)  # SQLAlchemy's adapters: this connection reads no rows
        self._connect_args = (tuple(cargs), {**cparams, **KEEPALIVES, "connect_timeout": CONNECT_TIMEOUT})
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._listening = threading.Event()
        self.tries = 0  # connections tried
        self.connections = 0  # how many times LISTEN took hold (1 + the reconnections)
        self.backend_pid: int | None = None  # the server process of the connection listening now
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def listening(self) -> bool:
        """True while a connection listens: changes are heard as they commit."""
        return self._listening.is_set()

    def start(self) -> ChangeListener:
        self._thread.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        """Stop listening and wait (up to `wait` seconds) for the thread to end."""
        self._stop.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # stopped twice: the socket is closed already
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(wait)

    def wait_listening(self, timeout: float) -> bool:
        """Wait until a connection listens (tests, benchmarks)."""
        return self._listening.wait(timeout)

    # -- the thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.first_retry
        try:
            while not self._stop.is_set():
                self.tries += 1
                try:
                    conn = psycopg.connect(*self._connect_args[0], autocommit=True, **self._connect_args[1])
                except (psycopg.Error, OSError) as exc:
                    log.info("cannot listen for changes (%s); again in %.1f s", str(exc).splitlines()[0], delay)
                else:
                    before = self.connections
                    try:
                        self._listen(conn)  # returns only when stopped
                    except (psycopg.Error, OSError) as exc:
                        if self.connections > before:
                            delay = self.first_retry  # it listened, then lost: the back-off starts again
                        log.info("stopped hearing changes (%s); again in %.1f s", str(exc).splitlines()[0], delay)
                    finally:
                        self._listening.clear()
                        self.backend_pid = None
                        conn.close()
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self.last_retry)
        finally:
            self._listening.clear()
            self._wake_r.close()
            self._wake_w.close()

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"LISTEN {CHANNEL}")
        self.backend_pid = conn.info.backend_pid
        self.connections += 1
        self._listening.set()
        self._tell()  # whatever changed while nobody listened
        pgconn, wake = conn.pgconn, self._wake_r.fileno()
        while not self._stop.is_set():
            ready, _, _ = select.select([pgconn.socket, wake], [], [])
            if wake in ready:
                return
            pgconn.consume_input()  # raises when the connection is gone
            if pgconn.status != pq.ConnStatus.OK:
                raise psycopg.OperationalError("the connection was lost")
            batch = 0
            while pgconn.notifies() is not None:
                batch += 1
            if batch:
                self._tell()

    def _tell(self) -> None:
        try:
            self.heard()
        except Exception:  # noqa: BLE001 - the caller's news handler failing must not stop the listening
            log.debug("the change handler failed", exc_info=True)  # not on stderr: a dashboard is drawn there
