"""The dashboard's refresh across desks on PostgreSQL: a committed change is told at once (NOTIFY in its
transaction, `db.notify`), a thread of the dashboard hears it (`db.listen`) and the screen on show
reads again, without waiting for the poll; the listener survives its connection being cut, the poll
standing in meanwhile; SQLite keeps the poll. On a PostgreSQL copy of the demo salon."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from textual.widgets import DataTable

from conftest import DEFAULT_NOW, _pg_server_url, throwaway_database
from salon_cli.core import clock as clock_module
from salon_cli.core.clock import FixedClock
from salon_cli.db import listen, notify
from salon_cli.db.engine import make_engine
from salon_cli.db.listen import ChangeListener
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import corrections, status as appt_status, views as book
from salon_cli.services.salon import audit, business_days, changes, locations
from salon_cli.services.salon.actors import Actor
from salon_cli.tui import live
from salon_cli.tui.app import SalonApp
from tui_helpers import settle

SIZE = (120, 40)
SYSTEM = Actor(id=None, code="system", name="system", role="system")
HOUR = 3600.0  # the poll's interval in these tests: what shows sooner was heard, not polled

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_demo_template(head_postgres):
    """The demo salon built once on PostgreSQL (at the test clock): each test gets a copy."""
    from salon_cli.services.demo.build import build_demo

    server = _pg_server_url()
    with throwaway_database(server, head_postgres) as url:
        clock_module.set_clock(FixedClock(DEFAULT_NOW))
        try:
            engine = make_engine(url)
            build_demo(engine, clients=30, days=7, ahead=0)
            engine.dispose()
        finally:
            clock_module.set_clock(None)
        from sqlalchemy.engine import make_url

        yield make_url(url).database


@pytest.fixture
def pg_demo(pg_demo_template, clock):
    """A copy of the PostgreSQL demo: its URL."""
    with throwaway_database(_pg_server_url(), pg_demo_template) as url:
        yield url


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _booked_today(engine) -> list[int]:
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        return [a.id for a in book.appointments(uow.session, location=loc, start=business_days.today(loc))
                if a.status == "booked"]


def _check_in(engine, appointment_id: int, undo: bool = False) -> None:
    """Another desk checks a client in (or takes the check-in back), on an engine of its own."""
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        step = corrections.undo_check_in if undo else appt_status.check_in
        step(uow.session, actor=SYSTEM, location=loc, appointment_id=appointment_id)
        uow.commit()


def _audited(engine, location_id: int | None = None, *, commit: bool = True, rows: int = 1) -> None:
    with UnitOfWork(engine) as uow:
        for _ in range(rows):
            audit.record(uow.session, actor=SYSTEM, action="test.change", entity="test", entity_id=None,
                         location_id=location_id)
        if commit:
            uow.commit()


def _state(app, appointment_id: int) -> str:
    return str(app.screen.query_one(DataTable).get_row(str(appointment_id))[1])


async def _until(pilot, ready, timeout: float = 10.0) -> float:
    """Wait (the app running) until `ready()`; the seconds it took."""
    start = time.monotonic()
    while not ready():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.01)
    return time.monotonic() - start


async def _listening(pilot, app) -> None:
    assert app.listener is not None
    await _until(pilot, lambda: app.listener.listening)
    await settle(pilot)


# -- the dashboard ---------------------------------------------------------------------------------

def test_a_change_at_another_desk_paints_at_once_and_after_the_connection_is_cut(pg_demo):
    """Poll once an hour: the check-in made on another engine shows at once; the listener's connection
    terminated by the server, it connects again and the next change (the check-in taken back) shows too."""
    other = make_engine(pg_demo)  # the other desk
    target = _booked_today(other)[-1]

    async def scenario() -> None:
        app = SalonApp(make_engine(pg_demo), poll_seconds=HOUR)
        async with app.run_test(size=SIZE) as pilot:
            await _listening(pilot, app)
            assert _state(app, target) != "here"
            await asyncio.to_thread(_check_in, other, target)
            await _until(pilot, lambda: _state(app, target) == "here")

            with psycopg.connect(_plain(pg_demo), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (app.listener.backend_pid,))
            await _until(pilot, lambda: app.listener.connections == 2 and app.listener.listening)
            await settle(pilot)
            await asyncio.to_thread(_check_in, other, target, True)
            await _until(pilot, lambda: _state(app, target) != "here")
        assert not app.listener._thread.is_alive()  # stopped with the app

    asyncio.run(scenario())
    other.dispose()


def test_while_the_listener_is_cut_off_the_poll_shows_changes(pg_demo, monkeypatch):
    """The listener's connection lost and not back for an hour: the poll (0.3 s) shows the change."""
    monkeypatch.setattr(listen, "FIRST_RETRY", HOUR)
    other = make_engine(pg_demo)
    target = _booked_today(other)[-1]

    async def scenario() -> None:
        app = SalonApp(make_engine(pg_demo), poll_seconds=0.3)
        async with app.run_test(size=SIZE) as pilot:
            await _listening(pilot, app)
            with psycopg.connect(_plain(pg_demo), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (app.listener.backend_pid,))
            await _until(pilot, lambda: not app.listener.listening)
            await asyncio.to_thread(_check_in, other, target)
            await _until(pilot, lambda: _state(app, target) == "here")
            assert not app.listener.listening and app.listener.connections == 1  # the poll did it

    asyncio.run(scenario())
    other.dispose()


def test_a_burst_of_fifty_changes_is_one_or_two_refreshes(pg_demo):
    other = make_engine(pg_demo)

    async def scenario() -> None:
        app = SalonApp(make_engine(pg_demo), poll_seconds=HOUR)
        async with app.run_test(size=SIZE) as pilot:
            await _listening(pilot, app)
            await pilot.pause(live.SPACING)
            await settle(pilot)
            reloads, screen = [], app.screen
            original = screen.data_changed
            screen.data_changed = lambda: (reloads.append(1), original())  # type: ignore[method-assign]
            before = app.refreshes

            def burst() -> float:
                start = time.monotonic()
                for _ in range(50):
                    _audited(other, 1)
                return time.monotonic() - start

            took = await asyncio.to_thread(burst)
            with UnitOfWork(other, write=False) as uow:
                last = changes.marker(uow.session)
            await _until(pilot, lambda: app._marker == last and app._trailing is None)
            await settle(pilot)
            allowed = 2 + int(took // live.MAX_DELAY)  # a burst longer than MAX_DELAY shows along the way
            assert 1 <= app.refreshes - before <= allowed, (app.refreshes - before, took)
            assert 1 <= len(reloads) <= allowed

    asyncio.run(scenario())
    other.dispose()


def test_sqlite_keeps_the_poll_and_no_listener(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=HOUR)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.listener is None
            assert app._marker is not None  # the marker was read as the dashboard opened

    asyncio.run(scenario())


# -- the notification: sent on commit only -----------------------------------------------------------

def _heard_until_sentinel(conn: psycopg.Connection, sentinel: str) -> list[str]:
    """Payloads heard on `conn` up to and including the sentinel (notifications arrive in commit order)."""
    heard: list[str] = []
    for note in conn.notifies(timeout=10):
        heard.append(note.payload)
        if note.payload == sentinel:
            return heard
    raise AssertionError(f"the sentinel never came: {heard}")


def test_notify_is_sent_on_commit_only_once_per_transaction(pg_demo):
    engine = make_engine(pg_demo)
    with psycopg.connect(_plain(pg_demo), autocommit=True) as conn:
        conn.execute(f"LISTEN {notify.CHANNEL}")

        _audited(engine, 1, commit=False)  # rolled back: nobody hears it
        _audited(engine, None)  # the sentinel: payload ""
        assert _heard_until_sentinel(conn, "") == [""]

        _audited(engine, 1, rows=3)  # three audit rows, one transaction: one notification
        _audited(engine, None)
        assert _heard_until_sentinel(conn, "") == ["1", ""]

        for keep in (False, True):  # a savepoint released: told once, when (and if) the transaction commits
            with UnitOfWork(engine) as uow:
                with uow.session.begin_nested():
                    audit.record(uow.session, actor=SYSTEM, action="test.change", entity="test", entity_id=None,
                                 location_id=1)
                if keep:
                    uow.commit()
        _audited(engine, None)
        assert _heard_until_sentinel(conn, "") == ["1", ""]

        target = _booked_today(engine)[-1]
        _check_in(engine, target)  # a change through a service: its location is named
        assert _heard_until_sentinel(conn, "1") == ["1"]
        assert notify.payload({None, 2, 1}) == "1,2"
    engine.dispose()


def test_sqlite_sends_nothing_and_commits_as_before(demo_engine):
    with UnitOfWork(demo_engine, write=False) as uow:
        before = changes.marker(uow.session)
    _audited(demo_engine, 1)
    with UnitOfWork(demo_engine, write=False) as uow:
        assert changes.marker(uow.session) == before + 1


# -- the listener alone ------------------------------------------------------------------------------

def test_the_listener_reconnects_after_its_backend_is_terminated_and_stops_promptly(pg_demo):
    engine = make_engine(pg_demo)
    heard: list[float] = []
    listener = ChangeListener(engine, lambda: heard.append(time.monotonic()), first_retry=0.05).start()
    try:
        assert listener.wait_listening(10)
        assert len(heard) == 1  # once on listening: what changed while nobody listened
        _audited(engine, 1)
        _wait(lambda: len(heard) == 2)

        for round_ in (2, 3):  # cut twice: back each time
            with psycopg.connect(_plain(pg_demo), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
            _wait(lambda: listener.connections == round_ and listener.listening)
        count = len(heard)
        _audited(engine, 1)
        _wait(lambda: len(heard) > count)
    finally:
        start = time.monotonic()
        listener.stop()
        stopped_in = time.monotonic() - start
    assert not listener._thread.is_alive() and stopped_in < 1.0
    assert not listener.listening
    engine.dispose()


def test_a_listener_that_cannot_connect_keeps_trying_and_never_fails(pg_demo):
    from sqlalchemy.engine import make_url

    nobody = make_url(pg_demo).set(host="127.0.0.1", port=_free_port())  # a port nobody listens on
    engine = make_engine(nobody.render_as_string(hide_password=False))
    listener = ChangeListener(engine, lambda: None, first_retry=0.01, last_retry=0.05).start()
    _wait(lambda: listener.tries >= 4)  # refused, and tried again with back-off: the thread lives on
    assert listener._thread.is_alive() and not listener.listening and listener.connections == 0
    listener.stop()
    assert not listener._thread.is_alive()
    engine.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(ready, timeout: float = 10.0) -> None:
    """Wait for the listener's thread to do what `ready()` checks (an event set elsewhere)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
