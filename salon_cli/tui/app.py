"""The dashboard's first screen, Today: a read-only look at the book, one day at a time.

A placeholder that the dashboard work replaces: it holds no business rules, only reads
`services.book.appointments` in a worker thread and shows what it gets. Database work never runs
on the UI thread; the worker talks back only with a `BookLoaded` or `BookFailed` message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount
from salon_cli.db.uow import UnitOfWork
from salon_cli.services import book, locations
from salon_cli.services.book import AppointmentView
from salon_cli.services.locations import LocationView

COLUMNS = ("Time", "Staff", "Client", "Service", "Status", "Price")
# The order a day's summary names the statuses in: the appointment's life, then the ways it ends early.
STATUS_ORDER = ("booked", "checked_in", "in_service", "completed", "no_show", "late_cancelled", "cancelled")


@dataclass(frozen=True)
class Book:
    """One day of one location's book, as loaded."""

    location: LocationView
    day: date
    today: date
    rows: Sequence[AppointmentView]


class BookLoaded(Message):
    def __init__(self, generation: int, book: Book) -> None:
        super().__init__()
        self.generation = generation
        self.book = book


class BookFailed(Message):
    def __init__(self, generation: int, error: str) -> None:
        super().__init__()
        self.generation = generation
        self.error = error


def day_title(location: LocationView, day: date, today: date) -> str:
    """'Salón Centro — Saturday 21 November 2026' (marked when it is today)."""
    text = f"{location.name} — {day:%A} {day.day} {day:%B %Y}"
    return f"{text}  (today)" if day == today else text


def status_summary(rows: Sequence[AppointmentView]) -> str:
    """'12 appointments: 3 booked · 2 in_service · 7 completed'."""
    if not rows:
        return "no appointments"
    counts = Counter(row.status for row in rows)
    order = [s for s in STATUS_ORDER if s in counts] + sorted(set(counts) - set(STATUS_ORDER))
    noun = "appointment" if len(rows) == 1 else "appointments"
    return f"{len(rows)} {noun}: " + " · ".join(f"{counts[s]} {s}" for s in order)


class SalonApp(App[None]):
    """The front-desk dashboard over one database and location."""

    TITLE = "salon"
    CSS_PATH = "salon.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("r", "refresh_book", "Refresh", id="refresh"),
        # priority: the table would otherwise take left/right to move its cursor between columns
        Binding("left", "previous_day", "Previous day", key_display="←", priority=True, id="previous-day"),
        Binding("right", "next_day", "Next day", key_display="→", priority=True, id="next-day"),
        Binding("t", "today", "Today", id="today"),
    ]

    def __init__(self, engine: Engine, location_code: str | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.location_code = location_code
        self.loaded: Book | None = None
        self._generation = 0  # answers from an older request are dropped

    def compose(self) -> ComposeResult:
        # markup off: names and error texts are shown as they are, brackets and all
        yield Static("salon", id="title", markup=False)
        yield DataTable(id="book", cursor_type="row", zebra_stripes=True)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self._request(None)

    # -- actions ---------------------------------------------------------------------------------

    def action_refresh_book(self) -> None:
        self._request(self.loaded.day if self.loaded else None)

    def action_previous_day(self) -> None:
        if self.loaded:
            self._request(self.loaded.day - timedelta(days=1))

    def action_next_day(self) -> None:
        if self.loaded:
            self._request(self.loaded.day + timedelta(days=1))

    def action_today(self) -> None:
        self._request(None)

    # -- loading ---------------------------------------------------------------------------------

    def _request(self, day: date | None) -> None:
        """Load `day` (None: the location's business date now) in the background."""
        self._generation += 1
        self._set_summary("loading…")
        self.load_book(self._generation, day)

    @work(thread=True, exclusive=True, exit_on_error=False, group="book")
    def load_book(self, generation: int, day: date | None) -> None:
        try:
            with UnitOfWork(self.engine, write=False) as uow:
                location = locations.resolve(uow.session, self.location_code)
                today = business_date(clock.now(), location.tz)
                rows = book.appointments(uow.session, location=location, start=day or today)
        except SalonError as exc:
            self.post_message(BookFailed(generation, exc.message))
            return
        except SQLAlchemyError as exc:  # the database is down, locked, or not a salon's
            self.post_message(BookFailed(generation, str(exc).splitlines()[0]))
            return
        self.post_message(BookLoaded(generation, Book(location, day or today, today, rows)))

    def on_book_loaded(self, message: BookLoaded) -> None:
        if message.generation != self._generation:
            return
        loaded = self.loaded = message.book
        tz, currency = loaded.location.tz, loaded.location.currency
        self.query_one("#title", Static).update(day_title(loaded.location, loaded.day, loaded.today))
        table = self.query_one(DataTable)
        table.clear()
        for row in loaded.rows:
            table.add_row(
                Text(f"{row.starts_at.astimezone(tz):%H:%M}–{row.ends_at.astimezone(tz):%H:%M}"),
                Text(row.staff_name), Text(row.client), Text(row.service), Text(row.status),
                Text(format_amount(row.price_cents, currency), justify="right"),
                key=str(row.id),
            )
        self._set_summary(status_summary(loaded.rows))

    def on_book_failed(self, message: BookFailed) -> None:
        if message.generation == self._generation:
            self._set_summary(f"error: {message.error}", error=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Anything the worker did not turn into BookFailed (a bug) lands here: shown, not a crash.
        if event.state == WorkerState.ERROR and event.worker.group == "book":
            error = event.worker.error
            self._set_summary(f"error: {type(error).__name__}: {error}".splitlines()[0], error=True)

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")


def run(engine: Engine, location_code: str | None = None) -> None:
    """Open the dashboard in this terminal until the user quits."""
    SalonApp(engine, location_code).run()
