"""The day's sales (`L`): every sale of the business day, open ones listed as open, newest first; `[` and
`]` change the day as on Today, `t` comes back to today. Enter opens a sale in full (`sale_detail`);
the keys on a sale (refund, void, receipt, the checkout) are `sale_actions`'.

The list shows each sale's own figures, as `salon sale list` does; it adds no day's total (the takings
are the close's, blind until the count: `services.closing.counts`).

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import SaleView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.screens.till.sale_actions import SALE_BINDINGS, SaleKeys, payment_words
from salon_cli.tui.screens.till.sale_detail import STATUS_STYLE, SaleDetailScreen
from salon_cli.tui.screens.till.sale_words import payment_status, status_count, status_words
from salon_cli.tui.widgets.desk_footer import DeskFooter

# fixed widths: the table fits 80 columns; a time is as the locale says it ('11:05 AM', '11:05 a.m.').
# The names are the columns' keys; their headers are said through `_`
COLUMNS = ((N_("Sale"), 6), (N_("Time"), 10), (N_("Client"), 17), (N_("Total"), 10), (N_("Paid"), 10),
           (N_("Refunded"), 10), (N_("Status"), 10))
ORDER = ("open", "paid", "partially_refunded", "refunded", "void")


@dataclass(frozen=True)
class Loaded:
    location: LocationView
    day: date
    today: date
    sales: list[SaleView]


def day_title(location: LocationView, day: date, today: date) -> str:
    """'Sales — Salón Centro, Saturday, November 21, 2026  (today)'."""
    text = _("Sales — {place}, {day}").format(place=location.name,
                                              day=formats.day(day, location.currency, width="full"))
    return text + "  " + _("(today)") if day == today else text


def count_line(sales: list[SaleView]) -> str:
    """'7 sales: 1 open · 6 paid' (no money: the day's takings are the close's)."""
    if not sales:
        return _("no sales")
    counts = Counter(s.status for s in sales)
    order = [s for s in ORDER if s in counts] + sorted(set(counts) - set(ORDER))
    return ngettext("{n} sale", "{n} sales", len(sales)).format(n=len(sales)) + ": " + \
        " · ".join(status_count(s, counts[s]) for s in order)


def money_line(sale: SaleView | None) -> str:
    """The highlighted sale's payments, with their ids (what a refund picks from)."""
    if sale is None:
        return " "
    paid = ", ".join(payment_words(p, sale.currency)
                     + ("" if p.status == "succeeded" else f" {payment_status(p.status)}")
                     for p in sale.payments) or _("no payment")
    n = len(sale.refunds)
    refunds = " · " + ngettext("{n} refund", "{n} refunds", n).format(n=n) if n else ""
    return _("sale {id}: {what}").format(id=sale.id, what=paid + refunds)


class SalesScreen(SaleKeys, ReloadsWhenBack, Screen[None]):
    """The business day's sales."""

    DEFAULT_CSS = """
    SalesScreen #sales { height: 1fr; }
    SalesScreen #sale-money { height: 1; padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        Binding("left_square_bracket", "previous_day", N_("Previous day"), key_display="[", id="sales-previous-day"),
        Binding("right_square_bracket", "next_day", N_("Next day"), key_display="]", id="sales-next-day"),
        Binding("t", "today", N_("Today"), id="sales-today"),
        Binding("enter", "open_sale", N_("Sale"), id="open-sale-detail", show=False),
        *SALE_BINDINGS,
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day  # None: today
        self.loaded: Loaded | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("Sales"), id="title", markup=False)
        yield DataTable(id="sales", cursor_type="row", zebra_stripes=True)
        yield Static(" ", id="sale-money", markup=False)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in COLUMNS:
            table.add_column(Text(_(name), justify="left" if name in ("Client", "Status") else "right"),
                             key=name, width=width)
        table.focus()
        self._request(self.day)

    # -- loading -----------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request(self.loaded.day if self.loaded else self.day, keep_summary=True)

    def _request(self, day: date | None, *, keep_summary: bool = False) -> None:
        from salon_cli.services.salon import business_days
        from salon_cli.services.till import sale_views

        self._generation += 1
        generation = self._generation
        if not keep_summary:
            self._set_summary(_("loading…"))

        def work(session: Any, location: LocationView) -> Loaded:
            today = business_days.today(location)
            shown = day or today
            return Loaded(location=location, day=shown, today=today,
                          sales=sale_views.list_sales(session, location=location, start=shown, end=shown))

        def done(loaded: Loaded) -> None:
            if generation == self._generation:
                self._show(loaded, keep_summary=keep_summary)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {why}").format(why=text), error=True)

        self.app.read(work, done, failed, group="sales")  # type: ignore[attr-defined]

    def _show(self, loaded: Loaded, *, keep_summary: bool) -> None:
        same_day = self.loaded is not None and self.loaded.day == loaded.day
        self.loaded = loaded
        location = loaded.location
        tz, money = location.tz, location.currency
        self.query_one("#title", Static).update(day_title(location, loaded.day, loaded.today))
        table = self.query_one(DataTable)
        keep = table.cursor_row if same_day else 0
        table.clear()
        for sale in loaded.sales:
            at = formats.clock_time(sale.paid_at or sale.created_at, money, tz)
            table.add_row(  # one location's currency: the figures plain, in the locale's way
                Text(str(sale.id), justify="right"), Text(at), Text(sale.client or _("(no client)")),
                Text(formats.amount(sale.total_cents, money), justify="right"),
                Text(formats.amount(sale.paid_cents, money), justify="right"),
                Text(formats.amount(sale.refunded_cents, money) if sale.refunded_cents else "", justify="right"),
                Text(status_words(sale.status), style=STATUS_STYLE.get(sale.status, "")),
                key=str(sale.id))
        if loaded.sales:
            table.move_cursor(row=min(keep, len(loaded.sales) - 1))
        self._show_money()
        if not keep_summary:
            self._set_summary(count_line(loaded.sales) + " · " + _("Enter: the sale · r refund · v void · p receipt"))

    def _show_money(self) -> None:
        self.query_one("#sale-money", Static).update(money_line(self.sale_on_show()))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_money()

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def sale_on_show(self) -> SaleView | None:
        table = self.query_one(DataTable)
        if self.loaded is None or not self.loaded.sales or table.row_count == 0:
            return None
        return self.loaded.sales[min(table.cursor_row, len(self.loaded.sales) - 1)]

    # -- actions -----------------------------------------------------------------------------------

    def action_previous_day(self) -> None:
        if self.loaded:
            self._request(self.loaded.day - timedelta(days=1))

    def action_next_day(self) -> None:
        if self.loaded:
            self._request(self.loaded.day + timedelta(days=1))

    def action_today(self) -> None:
        self._request(None)

    def action_open_sale(self) -> None:
        sale = self.sale_on_show()
        if sale is not None:
            self.app.push_screen(SaleDetailScreen(sale.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_sale()
