"""Follow-ups due: the desk's calls to make and checks to do today (a patch test's result, a colour
touch-up due), overdue ones first; Enter or `d` marks the one under the cursor done, `x` cancels it,
`o` opens the client's card. Opened from Today (`f`), which shows how many are due."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.clients import follow_ups
from salon_cli.services.clients.follow_ups import FollowUpView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter

COLUMNS = (N_("Due"), N_("Client"), N_("Note"), N_("By"))


def when_due(row: FollowUpView, today: Any, currency: str) -> Text:
    """'today' or 'Mon, Nov 30 (5 days late)' in bold yellow (the day in the desk's language)."""
    if row.due_on >= today:
        return Text(_("today"))
    late = (today - row.due_on).days
    day = f"{formats.weekday(row.due_on, currency, width='abbreviated')} {formats.day(row.due_on, currency)}"
    return Text(ngettext("{day} ({n} day late)", "{day} ({n} days late)", late).format(day=day, n=late),
                style="bold yellow")


def count_line(count: int) -> str:
    if not count:
        return _("no follow-ups due: nothing to call about today")
    return ngettext("{n} follow-up due: Enter or d marks it done, x cancels it",
                    "{n} follow-ups due: Enter or d marks one done, x cancels it", count).format(n=count)


class FollowUpsScreen(ReloadsWhenBack, Screen[None]):
    DEFAULT_CSS = "FollowUpsScreen #follow-ups { height: 1fr; }"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="follow-ups-back"),
        Binding("d", "done", N_("Done"), id="follow-up-done"),
        Binding("enter", "done", N_("Done"), show=False, id="follow-up-done-enter"),
        Binding("x", "cancel_follow_up", N_("Cancel it"), id="follow-up-cancel"),
        Binding("o", "open_client", N_("Client"), id="follow-up-client"),
        Binding("r", "refresh_list", N_("Refresh"), id="follow-ups-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[FollowUpView] = []
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("Follow-ups due"), id="title", markup=False)
        yield DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(_(c) for c in COLUMNS))
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
                self._set_summary(_("error: {text}").format(text=text), error=True)

        self.app.read(work, done, failed, group="follow-ups")  # type: ignore[attr-defined]

    def _show(self, location: LocationView, today: Any, rows: list[FollowUpView], then: str | None) -> None:
        self.query_one("#title", Static).update(_("Follow-ups due — {location}, {day}").format(
            location=location.name, day=formats.day(today, location.currency, width="full")))
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(when_due(row, today, location.currency), Text(row.client), Text(row.note.replace("\n", " ")),
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
        said = _("cancelled: {client}") if cancel else _("done: {client}")

        def refused(text: str) -> None:
            self.app.show_error(text)  # type: ignore[attr-defined]
            self._request(_("refused: {text}").format(text=text))

        self.app.change(Permission.desk, lambda s, loc, actor: follow_ups.close(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, follow_up_id=row.id, cancel=cancel),
            lambda _done: self._request(said.format(client=row.client)), refused)

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
