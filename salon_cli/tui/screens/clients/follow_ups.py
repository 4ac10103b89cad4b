"""Follow-ups due: the desk's calls to make and checks to do today (a patch test's result, a colour
touch-up due), overdue ones first; Enter or `d` marks the one under the cursor done, `x` cancels it,
`o` opens the client's card. Opened from Today (`f`), which shows how many are due."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from salon_cli.core.permissions import Permission
from salon_cli.services.clients import follow_ups
from salon_cli.services.clients.follow_ups import FollowUpView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.reload import ReloadsWhenBack

COLUMNS = ("Due", "Client", "Note", "By")


def when_due(row: FollowUpView, today: Any) -> Text:
    """'today' or 'Mon 30 Nov (5 days late)' in bold yellow."""
    if row.due_on >= today:
        return Text("today")
    late = (today - row.due_on).days
    return Text(f"{row.due_on:%a %d %b} ({late} day{'s' if late != 1 else ''} late)", style="bold yellow")


def count_line(count: int) -> str:
    if not count:
        return "no follow-ups due: nothing to call about today"
    return f"{count} follow-up{'s' if count != 1 else ''} due: Enter or d marks one done, x cancels it"


class FollowUpsScreen(ReloadsWhenBack, Screen[None]):
    DEFAULT_CSS = "FollowUpsScreen #follow-ups { height: 1fr; }"
    BINDINGS = [
        Binding("escape", "back", "Back", id="follow-ups-back"),
        Binding("d", "done", "Done", id="follow-up-done"),
        Binding("enter", "done", "Done", show=False, id="follow-up-done-enter"),
        Binding("x", "cancel_follow_up", "Cancel it", id="follow-up-cancel"),
        Binding("o", "open_client", "Client", id="follow-up-client"),
        Binding("r", "refresh_list", "Refresh", id="follow-ups-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[FollowUpView] = []
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static("Follow-ups due", id="title", markup=False)
        yield DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self._request()

    # -- loading -----------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request()

    def action_refresh_list(self) -> None:
        self._request()

    def _request(self, then: str | None = None) -> None:
        from salon_cli.services.salon import business_days

        self._generation += 1
        generation = self._generation

        def work(session: Any, location: LocationView) -> tuple[LocationView, Any, list[FollowUpView]]:
            return location, business_days.today(location), follow_ups.follow_ups(session, location=location, due=True)

        def done(loaded: tuple[LocationView, Any, list[FollowUpView]]) -> None:
            if generation == self._generation:
                self._show(*loaded, then)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)

        self.app.read(work, done, failed, group="follow-ups")  # type: ignore[attr-defined]

    def _show(self, location: LocationView, today: Any, rows: list[FollowUpView], then: str | None) -> None:
        self.query_one("#title", Static).update(
            f"Follow-ups due — {location.name}, {today:%A} {today.day} {today:%B %Y}")
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(when_due(row, today), Text(row.client), Text(row.note.replace("\n", " ")),
                          Text(row.created_by), key=str(row.id))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        summary = count_line(len(rows))
        self._set_summary(f"{then} · {summary}" if then else summary)

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def selected(self) -> FollowUpView | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    # -- actions -----------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)  # Today reads its count again

    def _close(self, cancel: bool) -> None:
        row = self.selected()
        if row is None:
            return
        word = "cancelled" if cancel else "done"

        def refused(text: str) -> None:
            self.app.show_error(text)  # type: ignore[attr-defined]
            self._request(f"refused: {text}")

        self.app.change(Permission.desk, lambda s, loc, actor: follow_ups.close(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, follow_up_id=row.id, cancel=cancel),
            lambda _done: self._request(f"{word}: {row.client}"), refused)

    def action_done(self) -> None:
        self._close(cancel=False)

    def action_cancel_follow_up(self) -> None:
        self._close(cancel=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_done()

    def action_open_client(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.open_client(row.client_id)  # type: ignore[attr-defined]
