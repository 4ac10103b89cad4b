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
from textual.widgets import DataTable, Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.book import penalties, views as book
from salon_cli.services.book.penalties import PenaltyView
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.book.booking_checks import METHODS, method_typed
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter

COLUMNS = (N_("Client"), N_("Appointment"), N_("Kind"), N_("Amount"), N_("Status"))  # through _
OPEN = ("pending", "failed")
KIND = {"no_show": N_("no-show"), "late_cancel": N_("late cancel")}  # through _
STATUS = {"pending": N_("pending"), "failed": N_("failed"), "charged": N_("charged"), "paid": N_("paid"),
          "waived": N_("waived")}  # through _
STATUS_STYLE = {"pending": "bold yellow", "failed": "bold red", "charged": "cyan", "paid": "green", "waived": "dim"}


@dataclass(frozen=True)
class Loaded:
    location: LocationView
    today: date
    no_shows: list[AppointmentView]
    penalties: list[PenaltyView]


def today_line(rows: Sequence[AppointmentView], location: LocationView) -> str:
    """"Today's no-shows: 09:30 Ana López (Corte, ana) · …" or that there are none so far (the times
    `HH:MM`, a compact list)."""
    if not rows:
        return _("Today's no-shows: none so far")
    nobody = _("(no client)")
    return _("Today's no-shows ({n}): ").format(n=len(rows)) + " · ".join(
        f"{r.starts_at.astimezone(location.tz):%H:%M} {r.client or nobody} ({r.service}, {r.staff})"
        for r in rows)


def appointment_when(at: Any, location: LocationView) -> str:
    """'Sat 11/21/26 09:30' / 'sáb 21/11/26 09:30': the locale's short date, the time `HH:MM` (a column)."""
    local, currency = at.astimezone(location.tz), location.currency
    day = local.date()
    return f"{formats.weekday(day, currency, width='abbreviated')} {formats.day(day, currency, width='short')} {local:%H:%M}"


def owed_summary(rows: Sequence[PenaltyView], currency: str, *, everything: bool) -> str:
    if everything:
        return ngettext("{n} recent penalty (a: only those still owed)",
                        "{n} recent penalties (a: only those still owed)", len(rows)).format(n=len(rows))
    pending = [r for r in rows if r.status in OPEN]
    if not pending:
        return _("no penalties are owed")
    total = sum(r.amount_cents for r in pending)
    return ngettext("{n} pending penalty: {total} owed", "{n} pending penalties: {total} owed", len(pending)).format(
        n=len(pending), total=formats.money(total, currency))


def detail_line(row: PenaltyView | None, location: LocationView) -> str:
    """The selected penalty in words: its reason, and who waived or took it."""
    if row is None:
        return " "
    tz, currency = location.tz, location.currency

    def when(at: Any) -> str:
        return f" {formats.day(at.astimezone(tz).date(), currency)} {formats.clock_time(at, currency, tz)}" \
            if at else ""

    parts = [f"#{row.id} {row.reason}"]
    if row.status == "waived" and row.waived_by:
        parts.append(_("waived by {who}{when}: {reason}").format(who=row.waived_by, when=when(row.waived_at),
                                                                 reason=row.waive_reason or ""))
    if row.status == "paid" and row.paid_method:
        parts.append(_("paid {method}{when}").format(method=_(METHODS.get(row.paid_method, row.paid_method)),
                                                     when=when(row.paid_at)))
    if row.failure_reason:
        parts.append(_("charge failed: {reason}").format(reason=row.failure_reason))
    return " — ".join(parts)


class NoShowsScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        Binding("w", "waive", N_("Waive"), id="waive"),
        Binding("m", "mark_paid", N_("Paid at desk"), id="mark-paid"),
        Binding("a", "toggle_all", N_("Owed/all"), id="toggle-all"),
        Binding("r", "refresh_list", N_("Refresh"), id="refresh-penalties"),
        Binding("enter", "open_client", N_("Client"), id="penalty-client", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.rows: list[PenaltyView] = []
        self.everything = False
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("No-shows and penalties"), id="title", markup=False)
        yield Static(" ", id="today-no-shows", markup=False)
        yield DataTable(id="penalties", cursor_type="row", zebra_stripes=True)
        yield Static(" ", id="detail", markup=False)
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

    def _request(self, then: str | None = None) -> None:
        from salon_cli.services.salon import business_days

        self._generation += 1
        generation = self._generation
        if then is None:
            self._set_summary(_("loading…"))

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
                self._set_summary(_("error: {text}").format(text=text), error=True)

        self.app.read(work, done, failed, group="no-shows")  # type: ignore[attr-defined]

    def _show(self, loaded: Loaded, then: str | None) -> None:
        self.loaded = loaded
        location, day = loaded.location, loaded.today
        self.query_one("#title", Static).update(_("No-shows and penalties — {location}, {day}").format(
            location=location.name, day=formats.day(day, location.currency, width="full")))
        self.query_one("#today-no-shows", Static).update(today_line(loaded.no_shows, location))
        self.rows = [p for p in loaded.penalties if self.everything or p.status in OPEN]
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for p in self.rows:
            table.add_row(
                Text(p.client or _("(no client)")),
                Text(appointment_when(p.appointment_at, location)),
                Text(_(KIND.get(p.kind, p.kind))),
                Text(formats.money(p.amount_cents, location.currency), justify="right"),
                Text(_(STATUS.get(p.status, p.status)), style=STATUS_STYLE.get(p.status, "")),
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
        self._set_summary(_("refused: {text}").format(text=text), error=True)
        self.app.show_error(text)  # type: ignore[attr-defined]

    def _owed(self) -> PenaltyView | None:
        row = self.selected()
        if row is None:
            return None
        if row.status not in OPEN:
            self._set_summary(_("penalty {id} is {status}: nothing is owed").format(
                id=row.id, status=_(STATUS.get(row.status, row.status))), error=True)
            return None
        return row

    def action_waive(self) -> None:
        row = self._owed()
        if row is None or self.loaded is None:
            return
        amount = formats.money(row.amount_cents, self.loaded.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]
            self.app.change(Permission.penalty_waive, lambda s, loc, actor: penalties.waive(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, penalty_id=row.id, reason=reason),
                lambda done: self._request(_("waived: {client} {amount} by {who}").format(
                    client=done.client, amount=amount, who=done.waived_by)), self._refused,
                title=_("A manager's PIN to waive {client}'s fee").format(client=row.client))

        question = _("Waive {client}'s {kind} fee of {amount}?").format(
            client=row.client, kind=_(KIND.get(row.kind, row.kind)), amount=amount)
        self.app.push_screen(FormModal(question, [Field("reason", _("Reason (kept in the audit log)"))],
                                       note=_("A manager's code and PIN are asked next."), ok=_("Waive")), asked)

    def action_mark_paid(self) -> None:
        from salon_cli.services.till import penalty_fees

        row = self._owed()
        if row is None or self.loaded is None:
            return
        amount = formats.money(row.amount_cents, self.loaded.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            method = values["method"]
            self.app.change(Permission.desk, lambda s, loc, actor: penalty_fees.mark_paid(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, penalty_id=row.id, method=method_typed(method)),
                lambda done: self._request(_("paid: {client} {amount} ({method})").format(
                    client=done.client, amount=amount, method=_(METHODS.get(done.paid_method, done.paid_method)))),
                self._refused)

        self.app.push_screen(FormModal(_("{client} pays {amount} at the desk").format(client=row.client, amount=amount),
                                       [Field("method", _("Method (cash, card, transfer)"), value=_("cash"))],
                                       ok=_("Paid")), asked)

    def action_open_client(self) -> None:
        row = self.selected()
        if row is not None and row.client_id is not None:
            self.app.open_client(row.client_id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_client()
