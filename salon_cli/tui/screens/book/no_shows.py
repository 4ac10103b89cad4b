"""No-shows: today's no-shows and the penalties still owed (pending or failed to charge), one table;
waive one (a manager's code and PIN, with a reason) or take it in cash at the desk.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.services.book import penalties, views as book
from salon_cli.services.book.penalties import PenaltyView
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack

COLUMNS = ("Client", "Appointment", "Kind", "Amount", "Status")
OPEN = ("pending", "failed")
KIND = {"no_show": "no-show", "late_cancel": "late cancel"}
STATUS_STYLE = {"pending": "bold yellow", "failed": "bold red", "charged": "cyan", "paid": "green", "waived": "dim"}


@dataclass(frozen=True)
class Loaded:
    location: LocationView
    today: date
    no_shows: list[AppointmentView]
    penalties: list[PenaltyView]


def today_line(rows: Sequence[AppointmentView], location: LocationView) -> str:
    """"Today's no-shows: 09:30 Ana López (Corte, ana) · …" or that there are none so far."""
    if not rows:
        return "Today's no-shows: none so far"
    return f"Today's no-shows ({len(rows)}): " + " · ".join(
        f"{r.starts_at.astimezone(location.tz):%H:%M} {r.client or '(no client)'} ({r.service}, {r.staff})"
        for r in rows)


def owed_summary(rows: Sequence[PenaltyView], currency: str, *, everything: bool) -> str:
    if everything:
        return f"{len(rows)} recent penalties (a: only those still owed)"
    pending = [r for r in rows if r.status in OPEN]
    if not pending:
        return "no penalties are owed"
    total = sum(r.amount_cents for r in pending)
    noun = "penalty" if len(pending) == 1 else "penalties"
    return f"{len(pending)} pending {noun}: {format_money(total, currency)} owed"


def detail_line(row: PenaltyView | None, location: LocationView) -> str:
    """The selected penalty in words: its reason, and who waived or took it."""
    if row is None:
        return " "
    tz = location.tz
    parts = [f"#{row.id} {row.reason}"]
    if row.status == "waived" and row.waived_by:
        when = f" {row.waived_at.astimezone(tz):%Y-%m-%d %H:%M}" if row.waived_at else ""
        parts.append(f"waived by {row.waived_by}{when}: {row.waive_reason or ''}")
    if row.status == "paid" and row.paid_method:
        when = f" {row.paid_at.astimezone(tz):%Y-%m-%d %H:%M}" if row.paid_at else ""
        parts.append(f"paid {row.paid_method}{when}")
    if row.failure_reason:
        parts.append(f"charge failed: {row.failure_reason}")
    return " — ".join(parts)


class NoShowsScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("w", "waive", "Waive", id="waive"),
        Binding("m", "mark_paid", "Paid at desk", id="mark-paid"),
        Binding("a", "toggle_all", "Owed/all", id="toggle-all"),
        Binding("r", "refresh_list", "Refresh", id="refresh-penalties"),
        Binding("enter", "open_client", "Client", id="penalty-client", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.rows: list[PenaltyView] = []
        self.everything = False
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static("No-shows and penalties", id="title", markup=False)
        yield Static(" ", id="today-no-shows", markup=False)
        yield DataTable(id="penalties", cursor_type="row", zebra_stripes=True)
        yield Static(" ", id="detail", markup=False)
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

    def _request(self, then: str | None = None) -> None:
        from salon_cli.services.salon import business_days

        self._generation += 1
        generation = self._generation
        if then is None:
            self._set_summary("loading…")

        def work(session: Any, location: LocationView) -> Loaded:
            today = business_days.today(location)
            return Loaded(location=location, today=today,
                          no_shows=book.appointments(session, location=location, start=today, status="no_show"),
                          penalties=penalties.list_penalties(session, location=location, limit=200))

        def done(result: Loaded) -> None:
            if generation == self._generation:
                self._show(result, then)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)

        self.app.read(work, done, failed, group="no-shows")  # type: ignore[attr-defined]

    def _show(self, loaded: Loaded, then: str | None) -> None:
        self.loaded = loaded
        location, day = loaded.location, loaded.today
        self.query_one("#title", Static).update(
            f"No-shows and penalties — {location.name}, {day:%A} {day.day} {day:%B %Y}")
        self.query_one("#today-no-shows", Static).update(today_line(loaded.no_shows, location))
        self.rows = [p for p in loaded.penalties if self.everything or p.status in OPEN]
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for p in self.rows:
            table.add_row(
                Text(p.client or "(no client)"),
                Text(f"{p.appointment_at.astimezone(location.tz):%a %d %b %H:%M}"),
                Text(KIND.get(p.kind, p.kind)),
                Text(format_money(p.amount_cents, location.currency), justify="right"),
                Text(p.status, style=STATUS_STYLE.get(p.status, "")),
                key=str(p.id),
            )
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self._show_detail()
        summary = owed_summary(self.rows, location.currency, everything=self.everything)
        self._set_summary(f"{then} · {summary}" if then else summary)

    def _show_detail(self) -> None:
        if self.loaded is not None:
            self.query_one("#detail", Static).update(detail_line(self.selected(), self.loaded.location))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def selected(self) -> PenaltyView | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    # -- actions -----------------------------------------------------------------------------------

    def action_refresh_list(self) -> None:
        self._request()

    def action_toggle_all(self) -> None:
        self.everything = not self.everything
        if self.loaded is not None:
            self._show(self.loaded, None)

    def _refused(self, text: str) -> None:
        self._set_summary(f"refused: {text}", error=True)
        self.app.show_error(text)  # type: ignore[attr-defined]

    def _owed(self) -> PenaltyView | None:
        row = self.selected()
        if row is None:
            return None
        if row.status not in OPEN:
            self._set_summary(f"penalty {row.id} is {row.status}: nothing is owed", error=True)
            return None
        return row

    def action_waive(self) -> None:
        row = self._owed()
        if row is None or self.loaded is None:
            return
        amount = format_money(row.amount_cents, self.loaded.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]
            self.app.change(Permission.penalty_waive, lambda s, loc, actor: penalties.waive(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, penalty_id=row.id, reason=reason),
                lambda done: self._request(f"waived: {done.client} {amount} by {done.waived_by}"), self._refused,
                title=f"A manager's PIN to waive {row.client}'s fee")

        self.app.push_screen(FormModal(f"Waive {row.client}'s {KIND.get(row.kind, row.kind)} fee of {amount}?",
                                       [Field("reason", "Reason (kept in the audit log)")],
                                       note="A manager's code and PIN are asked next.", ok="Waive"), asked)

    def action_mark_paid(self) -> None:
        from salon_cli.services.till import penalty_fees

        row = self._owed()
        if row is None or self.loaded is None:
            return
        amount = format_money(row.amount_cents, self.loaded.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            method = values["method"]
            self.app.change(Permission.desk, lambda s, loc, actor: penalty_fees.mark_paid(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, penalty_id=row.id, method=method),
                lambda done: self._request(f"paid: {done.client} {amount} ({done.paid_method})"), self._refused)

        self.app.push_screen(FormModal(f"{row.client} pays {amount} at the desk",
                                       [Field("method", "Method (cash, card, transfer)", value="cash")],
                                       ok="Paid"), asked)

    def action_open_client(self) -> None:
        row = self.selected()
        if row is not None and row.client_id is not None:
            self.app.open_client(row.client_id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_client()
