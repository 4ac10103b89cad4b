"""Today: the book of one day by time, each appointment's state in colour and word, who is waiting,
each stylist's next free slot; check-in, walk-in, cancel and move in one key each.

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
from salon_cli.services.book.board import Board, BoardRow
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack

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


class TodayScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh_book", "Refresh", id="refresh"),
        # priority: the table would otherwise take left/right to move its cursor between columns
        Binding("left", "previous_day", "Day", key_display="←", priority=True, id="previous-day"),
        Binding("right", "next_day", "Day", key_display="→", priority=True, id="next-day"),
        Binding("t", "today", "Today", id="today"),
        Binding("c", "check_in", "Check in", id="check-in"),
        Binding("w", "walk_in", "Walk-in", id="walk-in"),
        Binding("x", "cancel_appointment", "Cancel", id="cancel-appointment"),
        Binding("m", "move_appointment", "Move", id="move-appointment"),
        Binding("p", "checkout", "Checkout", id="checkout"),
        Binding("enter", "open_client", "Client", id="open-client", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Board | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        # markup off: names and error texts are shown as they are, brackets and all
        yield Static("salon", id="title", markup=False)
        yield DataTable(id="book", cursor_type="row", zebra_stripes=True)
        yield Static(" ", id="desk", markup=False)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self._request(None)

    # -- loading ---------------------------------------------------------------------------------

    def data_changed(self) -> None:
        """Another terminal (or cron) changed something: reload the day on show."""
        self._request(self.loaded.day if self.loaded else None)

    def _request(self, day: date | None) -> None:
        self._generation += 1
        generation = self._generation
        self._set_summary("loading…")

        def done(board: Board) -> None:
            if generation == self._generation:
                self._show(board)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)
                self.call_after_refresh(launch.settle)

        self.app.read(lambda s, loc: desk_board.board(s, location=loc, day=day), done, failed, group="book")  # type: ignore[attr-defined]

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
        self._set_summary(status_summary(board.rows))
        self.call_after_refresh(launch.settle)  # the first book is on screen: start-up is over

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def selected(self) -> BoardRow | None:
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
        from salon_cli.services.till import deposits

        row = self.selected()
        if row is None:
            return
        appt = row.appointment

        def cancelled(result: Any) -> None:
            actor, (_, settled) = result
            self._changed(f"cancelled: {appt.client} {appt.starts_at.astimezone(self.loaded.location.tz):%H:%M}")(None)
            if settled is not None and settled.refunded_cents:
                self._send_deposit_refund(actor, settled.sale_id, f"{appt.client}'s visit is cancelled")

        def asked(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.change(Permission.desk, lambda s, loc, actor: (actor, deposits.cancel(  # type: ignore[attr-defined]
                    s, actor=actor, location=loc, appointment_id=appt.id, reason=values["reason"] or None)), cancelled)

        self.app.push_screen(FormModal(f"Cancel {appt.client}'s {appt.service}?",
                                       [Field("reason", "Reason", required=False)], ok="Cancel it"), asked)

    def _send_deposit_refund(self, actor: Any, sale_id: int, done: str) -> None:
        """A Stripe deposit's refund, recorded by the change just committed, sent to Stripe now."""
        from salon_cli.core.errors import SalonError
        from salon_cli.services.stripe import deposit_refunds

        location, app = self.loaded.location, self.app

        def job() -> None:
            try:
                deposit_refunds.send(app.engine, actor=actor, location=location, sale_id=sale_id,  # type: ignore[attr-defined]
                                     done=done)
            except SalonError as exc:
                app.call_from_thread(app.show_error, app.describe_failure(exc))  # type: ignore[attr-defined]

        self.run_worker(job, thread=True, group="stripe-refund", exit_on_error=False)

    def action_move_appointment(self) -> None:
        from salon_cli.services.book import appointments

        row = self.selected()
        if row is None or self.loaded is None:
            return
        appt = row.appointment
        tz = self.loaded.location.tz

        def asked(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.change(Permission.desk, lambda s, loc, actor: appointments.move(  # type: ignore[attr-defined]
                    s, actor=actor, location=loc, appointment_id=appt.id, at=values["at"]),
                    self._changed(f"moved: {appt.client} to {values['at']}"))

        self.app.push_screen(FormModal(f"Move {appt.client}'s {appt.service}", [
            Field("at", "New time (YYYY-MM-DD HH:MM)", value=f"{appt.starts_at.astimezone(tz):%Y-%m-%d %H:%M}")]),
            asked)

    def action_walk_in(self) -> None:
        from salon_cli.services.book import appointments

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            client = int(values["client"]) if values["client"].isdigit() else None
            self.app.change(Permission.desk, lambda s, loc, actor: appointments.book_appointment(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, client_id=client, services=[values["service"]], staff=values["staff"],
                at=None, walk_in=True), self._changed("walk-in booked"))

        self.app.push_screen(FormModal("Walk-in: starts now", [
            Field("client", "Client id (blank: no client card)", required=False),
            Field("service", "Service (code or name)"), Field("staff", "Stylist (code)")], ok="Book"), asked)

    def action_checkout(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.open_checkout(row.appointment.id)  # type: ignore[attr-defined]

    def action_open_client(self) -> None:
        row = self.selected()
        if row is not None and row.appointment.client_id is not None:
            self.app.open_client(row.appointment.client_id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_client()
