"""Today: the book of one day as a grid by stylist (`BookGrid`) or as a list by time (`v`), each
appointment's state in colour and word, who is waiting, each stylist's next free slot; check-in,
walk-in, cancel and move in one key each; Enter on a free slot books there, on a block opens the
appointment's panel; `m` picks a block up and Enter drops it on another slot or stylist. A day before
today left unclosed is flagged under the title, and `z` then closes it (`closing.unfinished.pending_days`).

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from salon_cli import launch
from salon_cli.core.money import format_amount
from salon_cli.core.permissions import Permission
from salon_cli.services.book import board as desk_board
from salon_cli.services.book import grid as book_grid
from salon_cli.services.book.board import Board, BoardRow
from salon_cli.services.book.grid import Grid
from salon_cli.services.clients import follow_ups
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.book_grid import BookGrid

# the state comes second so that it is on screen at 80 columns, where the service may be cut
COLUMNS = ("Time", "Status", "Client", "Stylist", "Service", "Price")
STATE_ORDER = ("booked", "late", "here", "in chair", "done", "no-show", "late cancel", "cancelled")
STATE_STYLE = {"booked": "", "late": "bold yellow", "here": "bold cyan", "in chair": "bold magenta",
               "done": "green", "no-show": "bold red", "late cancel": "red", "cancelled": "dim"}


def day_title(location: LocationView, day: date, today: date) -> str:
    """'Salón Centro — Saturday 21 November 2026' (marked when it is today)."""
    text = f"{location.name} — {day:%A} {day.day} {day:%B %Y}"
    return f"{text}  (today)" if day == today else text


def status_summary(rows: Sequence[BoardRow]) -> str:
    """'12 appointments: 3 booked · 1 late · 2 here · 6 done'."""
    if not rows:
        return "no appointments"
    counts = Counter(row.state for row in rows)
    order = [s for s in STATE_ORDER if s in counts] + sorted(set(counts) - set(STATE_ORDER))
    noun = "appointment" if len(rows) == 1 else "appointments"
    return f"{len(rows)} {noun}: " + " · ".join(f"{counts[s]} {s}" for s in order)


def due_note(count: int) -> str:
    """' · 3 follow-ups due (f)', when any are due today or overdue."""
    return f" · {count} follow-up{'s' if count != 1 else ''} due (f)" if count else ""


def _short(name: str) -> str:
    """'Jimena Vázquez Gómez' -> 'Jimena V.' (the desk line has one row for everyone waiting)."""
    words = name.split()
    return f"{words[0]} {words[1][0]}." if len(words) > 1 else name


def desk_line(board: Board) -> str:
    """'Waiting (2): Ximena J. (ana), Pedro P. (beto)' and, on a line of its own, 'Next free: ana 11:15 · beto 12:30'."""
    tz = board.location.tz
    parts = []
    if board.waiting:
        parts.append(f"Waiting ({len(board.waiting)}): " + ", ".join(
            f"{_short(r.appointment.client)} ({r.appointment.staff})" for r in board.waiting))
    if board.next_free:
        parts.append("Next free: " + " · ".join(
            f"{code} {at.astimezone(tz):%H:%M}" if at else f"{code} full" for code, at in board.next_free.items()))
    return "\n".join(parts) or " "


def _day_typed(text: str, now: Any) -> date:
    """A day as the desk types it: 2026-12-11, today, tomorrow, fri, viernes, +7 (days from today)."""
    words = text.strip().lower()
    if not words:
        raise ValueError("type a date, e.g. 2026-12-11, tomorrow, fri or +7")
    if words.lstrip("+-").isdigit() and words[0] in "+-":
        return now.date() + timedelta(days=int(words))
    try:
        return date.fromisoformat(words)
    except ValueError:
        pass
    from salon_cli.core.errors import SalonError
    from salon_cli.core.spoken_time import parse_when

    try:
        return parse_when(f"{words} 23:59", now).date()
    except SalonError as exc:
        raise ValueError(f"{text!r} is not a date I know: try 2026-12-11, tomorrow, fri or +7") from exc


class TodayScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh_book", "Refresh", id="refresh"),
        # priority: the list's table would otherwise take left/right; in the grid they move the cursor
        Binding("left", "list_day(-1)", "Day", key_display="←", priority=True, show=False, id="list-previous-day"),
        Binding("right", "list_day(1)", "Day", key_display="→", priority=True, show=False, id="list-next-day"),
        Binding("left_square_bracket", "previous_day", "Previous day", key_display="[", id="previous-day"),
        Binding("right_square_bracket", "next_day", "Next day", key_display="]", id="next-day"),
        Binding("t", "today", "Today", id="today"),
        Binding("g", "go_to_day", "Go to date", id="go-to-day"),
        Binding("v", "toggle_view", "Grid/list", id="toggle-view"),
        Binding("c", "check_in", "Check in", id="check-in"),
        Binding("w", "walk_in", "Walk-in", id="walk-in"),
        Binding("x", "cancel_appointment", "Cancel", id="cancel-appointment"),
        Binding("m", "move_appointment", "Move", id="move-appointment"),
        Binding("p", "checkout", "Checkout", id="checkout"),
        Binding("enter", "open_client", "Client", id="open-client", show=False),
        # only while a day before today is left unclosed (check_action; the warning line names the key);
        # else the app's `z` closes today
        Binding("z", "close_unclosed", show=False, id="close-unclosed"),
        # off the footer (full already); the summary line names the key when any are due, F1 lists it
        Binding("f", "follow_ups", "Follow-ups due", show=False, id="follow-ups"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Board | None = None
        self.grid: Grid | None = None
        self.list_view = False
        self._go_to: int | None = None  # an appointment to put the cursor on once its day is loaded
        self._generation = 0
        self.unclosed: date | None = None  # the latest day before today left unclosed
        self.due = 0  # follow-ups due today or overdue (services.clients.follow_ups)

    def compose(self) -> ComposeResult:
        # markup off: names and error texts are shown as they are, brackets and all
        yield Static("salon", id="title", markup=False)
        yield Static("", id="unclosed", markup=False)
        yield BookGrid(id="grid")
        yield DataTable(id="book", cursor_type="row", zebra_stripes=True)
        yield Static(" ", id="desk", markup=False)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.query_one("#unclosed").display, self.query_one("#unclosed").styles.padding = False, (0, 1)
        self._set_view()
        self._request(None)

    # -- loading ---------------------------------------------------------------------------------

    def data_changed(self) -> None:
        """Another terminal (or cron) changed something: reload the day on show."""
        self._request(self.loaded.day if self.loaded else None)

    def _request(self, day: date | None) -> None:
        self._generation += 1
        generation = self._generation
        self._set_summary("loading…")

        def done(loaded: tuple[Board, Grid, int]) -> None:
            if generation == self._generation:
                self.grid, self.due = loaded[1], loaded[2]
                self.query_one(BookGrid).show(loaded[1])
                self._show(loaded[0])
                if self._go_to is not None:
                    self.query_one(BookGrid).go_to(self._go_to)
                    self._go_to = None
                self._read_unclosed()

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)
                self.call_after_refresh(launch.settle)

        self.app.read(lambda s, loc: (desk_board.board(s, location=loc, day=day),  # type: ignore[attr-defined]
                                      book_grid.grid(s, location=loc, day=day),
                                      follow_ups.due_count(s, location=loc)), done, failed, group="book")

    def _read_unclosed(self) -> None:
        from salon_cli.services.closing import unfinished

        def done(days: list[Any]) -> None:
            self.unclosed, more = (days[-1].business_date if days else None), len(days) - 1
            line, d = self.query_one("#unclosed", Static), self.unclosed
            line.display = d is not None
            line.update(Text(f"{d:%a} {d.day} {d:%b} was not closed — z closes it" + (
                f" ({more} earlier day{'s' if more > 1 else ''} too)" if more > 0 else ""), "bold yellow") if d else "")
            self.refresh_bindings()

        self.app.read(lambda s, loc: unfinished.pending_days(s, location=loc), done, lambda _text: None,  # type: ignore[attr-defined]
                      group="unclosed")

    def action_close_unclosed(self) -> None:
        if self.unclosed is not None:
            self.app.open_close_day(self.unclosed)  # type: ignore[attr-defined]

    def _show(self, board: Board) -> None:
        self.loaded = board
        tz, currency = board.location.tz, board.location.currency
        self.query_one("#title", Static).update(day_title(board.location, board.day, board.today))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in board.rows:
            appt = row.appointment
            table.add_row(
                Text(f"{appt.starts_at.astimezone(tz):%H:%M}–{appt.ends_at.astimezone(tz):%H:%M}"),
                Text(row.state, style=STATE_STYLE.get(row.state, "")),
                Text(appt.client), Text(appt.staff_name.split()[0] if appt.staff_name else appt.staff),
                Text(appt.service), Text(format_amount(appt.price_cents, currency), justify="right"),
                key=str(appt.id),
            )
        if board.rows:
            table.move_cursor(row=min(keep, len(board.rows) - 1))
        self.query_one("#desk", Static).update(desk_line(board))
        self._set_summary(status_summary(board.rows) + due_note(self.due))
        self.call_after_refresh(launch.settle)  # the first book is on screen: start-up is over

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def selected(self) -> BoardRow | None:
        if not self.list_view:
            block = self.query_one(BookGrid).selected_block()
            return BoardRow(block.appointment, block.state) if block is not None else None
        table = self.query_one(DataTable)
        if self.loaded is None or not self.loaded.rows or table.row_count == 0:
            return None
        return self.loaded.rows[min(table.cursor_row, len(self.loaded.rows) - 1)]

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

    def _changed(self, what: str) -> Any:
        def done(_: object) -> None:
            self.app.notify(what)
            self.action_refresh_book()
        return done

    def action_check_in(self) -> None:
        from salon_cli.services.book import status as appt_status

        row = self.selected()
        if row is None:
            return
        appt = row.appointment
        self.app.change(Permission.desk, lambda s, loc, actor: appt_status.check_in(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, appointment_id=appt.id), self._changed(f"{appt.client} is here"))

    def action_cancel_appointment(self) -> None:
        """The appointment's panel, straight to its cancel: the fee the policy charges shown first."""
        row = self.selected()
        if row is not None:
            self._open_panel(row.appointment.id, then="cancel_visit")

    def action_move_appointment(self) -> None:
        from salon_cli.services.benefits import priority
        from salon_cli.services.book import appointments

        if not self.list_view:  # in the grid: pick the block up; the arrows carry it, Enter drops it
            block = self.query_one(BookGrid).pick_up()
            if block is not None:
                self._set_summary(f"moving {block.appointment.client}: arrows, Enter drops, Esc back")
            return
        row = self.selected()
        if row is None or self.loaded is None:
            return
        appt = row.appointment
        tz = self.loaded.location.tz

        def asked(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.change(Permission.desk, lambda s, loc, actor: appointments.move(  # type: ignore[attr-defined]
                    s, actor=actor, location=loc, appointment_id=appt.id, at=values["at"],
                    horizon_days=priority.appointment_horizon_days(s, loc, appt.id)),
                    self._changed(f"moved: {appt.client} to {values['at']}"))

        self.app.push_screen(FormModal(f"Move {appt.client}'s {appt.service}", [
            Field("at", "New time (YYYY-MM-DD HH:MM)", value=f"{appt.starts_at.astimezone(tz):%Y-%m-%d %H:%M}")]),
            asked)

    def action_walk_in(self) -> None:
        self.app.open_walk_in()  # type: ignore[attr-defined]  # the walk-in form (screens/book/walk_in.py)

    # -- the grid --------------------------------------------------------------------------------------

    def _set_view(self) -> None:
        grid, table = self.query_one(BookGrid), self.query_one(DataTable)
        grid.display, table.display = not self.list_view, self.list_view
        (table if self.list_view else grid).focus()
        self.refresh_bindings()

    def action_toggle_view(self) -> None:
        self.list_view = not self.list_view
        self._set_view()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "list_day":  # the arrows change the day in the list; in the grid they move the cursor
            return self.list_view
        if action == "close_unclosed":  # else the app's `z`: today's close
            return self.unclosed is not None
        return True

    def action_list_day(self, step: int) -> None:
        if self.loaded:
            self._request(self.loaded.day + timedelta(days=step))

    def action_go_to_day(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None or self.loaded is None:
                return
            try:
                day = _day_typed(values["day"], self.loaded.now.astimezone(self.loaded.location.tz))
            except ValueError as exc:
                self.app.show_error(str(exc))  # type: ignore[attr-defined]
                return
            self._request(day)

        self.app.push_screen(FormModal("Go to a date", [Field(
            "day", "Date (2026-12-11, tomorrow, fri, +7)", placeholder="2026-12-11")], ok="Go"), asked)

    def show_appointment(self, appointment_id: int) -> None:
        """After a booking: its day on the book, the cursor on it."""
        from salon_cli.core.days import business_date
        from salon_cli.services.book import views

        def found(view: Any) -> None:
            self._go_to = appointment_id
            self._request(business_date(view.starts_at, self.loaded.location.tz) if self.loaded else None)

        self.app.read(lambda s, _loc: views.view(s, appointment_id), found, group="book-find")  # type: ignore[attr-defined]

    def on_book_grid_slot_chosen(self, event: BookGrid.SlotChosen) -> None:
        opener = getattr(self.app, "open_booking", None)
        if callable(opener):
            opener(staff=event.staff, at=event.at)

    def on_book_grid_block_chosen(self, event: BookGrid.BlockChosen) -> None:
        self._open_panel(event.appointment_id)

    def _open_panel(self, appointment_id: int, then: str | None = None) -> None:
        from salon_cli.tui.screens.book.appointment_panel import AppointmentPanel

        def closed(result: str | None) -> None:
            if result == "move" and not self.list_view:
                self.query_one(BookGrid).go_to(appointment_id)
                self.action_move_appointment()
            elif result == "move":
                self.action_move_appointment()
            if result:
                self.action_refresh_book()

        self.app.push_screen(AppointmentPanel(appointment_id, then=then), closed)

    def on_book_grid_dropped(self, event: BookGrid.Dropped) -> None:
        from salon_cli.services.benefits import priority
        from salon_cli.services.book import appointments

        tz = self.loaded.location.tz if self.loaded else None
        at = f"{event.at.astimezone(tz):%Y-%m-%d %H:%M}"

        def moved(done: Any) -> None:
            view = done.appointments[0]
            self.app.notify(f"moved: {view.client} to {view.staff} {view.starts_at.astimezone(tz):%H:%M}")
            for warning in done.warnings:
                self.app.notify(warning, severity="warning")
            self.action_refresh_book()

        def refused(text: str) -> None:
            self._set_summary(f"not moved: {text}", error=True)
            self.app.show_error(text)  # type: ignore[attr-defined]
            self.action_refresh_book()

        self.app.change(Permission.desk, lambda s, loc, actor: appointments.move(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, appointment_id=event.appointment_id, at=at, staff=event.staff,
            horizon_days=priority.appointment_horizon_days(s, loc, event.appointment_id)),
            moved, refused)

    def on_book_grid_move_cancelled(self, _: BookGrid.MoveCancelled) -> None:
        if self.loaded is not None:
            self._set_summary(status_summary(self.loaded.rows) + due_note(self.due))

    def action_checkout(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.open_checkout(row.appointment.id)  # type: ignore[attr-defined]

    def action_follow_ups(self) -> None:
        from salon_cli.tui.screens.clients.follow_ups import FollowUpsScreen

        self.app.push_screen(FollowUpsScreen(), lambda _: self.action_refresh_book())

    def action_open_client(self) -> None:
        row = self.selected()
        if row is not None and row.appointment.client_id is not None:
            self.app.open_client(row.appointment.client_id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_client()
