"""Today: the book of one day as a grid by stylist (`BookGrid`) or as a list by time (`v`), each
appointment's state in colour and word, who is waiting, each stylist's next free slot; check-in,
walk-in, cancel and move in one key each; Enter on a free slot books there, on a block opens the
appointment's panel; `m` picks a block up and Enter drops it on another slot or stylist. A day before
today left unclosed is flagged under the title, and `z` then closes it (`closing.unfinished.pending_days`).

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from salon_cli import launch
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.book import board as desk_board
from salon_cli.services.book import grid as book_grid
from salon_cli.services.book.board import Board, BoardRow
from salon_cli.services.book.grid import Grid
from salon_cli.services.clients import follow_ups
from salon_cli.tui.screens.book.day_lines import day_title, desk_line, due_note, status_summary
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.book_grid import BookGrid, state_word
from salon_cli.tui.widgets.desk_footer import DeskFooter

# the state comes second so that it is on screen at 80 columns, where the service may be cut (through _)
COLUMNS = (N_("Time"), N_("Status"), N_("Client"), N_("Stylist"), N_("Service"), N_("Price"))
STATE_STYLE = {"booked": "", "late": "bold yellow", "here": "bold cyan", "in chair": "bold magenta",
               "done": "green", "no-show": "bold red", "late cancel": "red", "cancelled": "dim"}


def _day_typed(text: str, now: Any) -> date:
    """A day as the desk types it: 2026-12-11, today, tomorrow, fri, viernes, +7 (days from today)."""
    words = text.strip().lower()
    if not words:
        raise ValueError(_("type a date, e.g. 2026-12-11, tomorrow, fri or +7"))
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
        raise ValueError(_("{text!r} is not a date I know: try 2026-12-11, tomorrow, fri or +7").format(
            text=text)) from exc


class TodayScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh_book", N_("Refresh"), id="refresh"),
        # priority: the list's table would otherwise take left/right; in the grid they move the cursor
        Binding("left", "list_day(-1)", N_("Day"), key_display="←", priority=True, show=False, id="list-previous-day"),
        Binding("right", "list_day(1)", N_("Day"), key_display="→", priority=True, show=False, id="list-next-day"),
        Binding("left_square_bracket", "previous_day", N_("Previous day"), key_display="[", id="previous-day"),
        Binding("right_square_bracket", "next_day", N_("Next day"), key_display="]", id="next-day"),
        Binding("t", "today", N_("Today"), id="today"),
        Binding("g", "go_to_day", N_("Go to date"), id="go-to-day"),
        Binding("v", "toggle_view", N_("Grid/list"), id="toggle-view"),
        Binding("c", "check_in", N_("Check in"), id="check-in"),
        Binding("w", "walk_in", N_("Walk-in"), id="walk-in"),
        Binding("x", "cancel_appointment", N_("Cancel"), id="cancel-appointment"),
        Binding("m", "move_appointment", N_("Move"), id="move-appointment"),
        Binding("p", "checkout", N_("Checkout"), id="checkout"),
        Binding("enter", "open_client", N_("Client"), id="open-client", show=False),
        # only while a day before today is left unclosed (check_action; the warning line names the key);
        # else the app's `z` closes today
        Binding("z", "close_unclosed", show=False, id="close-unclosed"),
        # off the footer (full already); the summary line names the key when any are due, F1 lists it
        Binding("f", "follow_ups", N_("Follow-ups due"), show=False, id="follow-ups"),
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
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*(_(c) for c in COLUMNS))
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
        self._set_summary(_("loading…"))

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
                self._set_summary(_("error: {text}").format(text=text), error=True)
                self.call_after_refresh(launch.settle)

        self.app.read(lambda s, loc: (desk_board.board(s, location=loc, day=day),  # type: ignore[attr-defined]
                                      book_grid.grid(s, location=loc, day=day),
                                      follow_ups.due_count(s, location=loc)), done, failed, group="book")

    def _read_unclosed(self) -> None:
        from salon_cli.services.closing import unfinished

        def done(days: list[Any]) -> None:
            self.unclosed, more = (days[-1].business_date if days else None), len(days) - 1
            line, d = self.query_one("#unclosed", Static), self.unclosed
            cur = self.loaded.location.currency if self.loaded else ""
            line.display = d is not None
            line.update(Text(_("{day} was not closed — z closes it").format(
                day=f"{formats.weekday(d, cur, width='abbreviated')} {formats.day(d, cur)}") + (ngettext(
                    " ({n} earlier day too)", " ({n} earlier days too)", more).format(n=more) if more > 0 else ""),
                "bold yellow") if d else "")
            self.refresh_bindings()

        self.app.read(lambda s, loc: unfinished.pending_days(s, location=loc), done, lambda _text: None,  # type: ignore[attr-defined]
                      group="unclosed")

    def action_close_unclosed(self) -> None:
        if self.unclosed is not None:
            self.app.open_close_day(self.unclosed)  # type: ignore[attr-defined]

    def _show(self, board: Board) -> None:
        self.loaded = board
        tz, currency = board.location.tz, board.location.currency  # the price: the figure alone (a narrow column)
        self.query_one("#title", Static).update(day_title(board.location, board.day, board.today))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in board.rows:
            appt = row.appointment
            table.add_row(
                Text(f"{appt.starts_at.astimezone(tz):%H:%M}–{appt.ends_at.astimezone(tz):%H:%M}"),
                Text(state_word(row.state), style=STATE_STYLE.get(row.state, "")),
                Text(appt.client), Text(appt.staff_name.split()[0] if appt.staff_name else appt.staff),
                Text(appt.service), Text(formats.amount(appt.price_cents, currency), justify="right"),
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
            s, actor=actor, location=loc, appointment_id=appt.id),
            self._changed(_("{client} is here").format(client=appt.client)))

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
                self._set_summary(_("moving {client}: arrows, Enter drops, Esc back").format(
                    client=block.appointment.client))
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
                    self._changed(_("moved: {client} to {when}").format(client=appt.client, when=values["at"])))

        self.app.push_screen(FormModal(_("Move {client}'s {service}").format(client=appt.client, service=appt.service), [
            Field("at", _("New time (YYYY-MM-DD HH:MM)"), value=f"{appt.starts_at.astimezone(tz):%Y-%m-%d %H:%M}")]),
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

        self.app.push_screen(FormModal(_("Go to a date"), [Field(
            "day", _("Date (2026-12-11, tomorrow, fri, +7)"), placeholder="2026-12-11")], ok=_("Go")), asked)

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
        at, cur = f"{event.at.astimezone(tz):%Y-%m-%d %H:%M}", self.loaded.location.currency if self.loaded else ""

        def moved(done: Any) -> None:
            view = done.appointments[0]
            self.app.notify(_("moved: {client} to {staff} {time}").format(
                client=view.client, staff=view.staff, time=formats.clock_time(view.starts_at, cur, tz)))
            for warning in done.warnings:
                self.app.notify(warning, severity="warning")
            self.action_refresh_book()

        def refused(text: str) -> None:
            self._set_summary(_("not moved: {why}").format(why=text), error=True)
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
