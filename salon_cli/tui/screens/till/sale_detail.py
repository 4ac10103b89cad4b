"""One sale in full, from the day's sales (Enter): its lines, its figures, its payments with their ids and
what each has given back, and its refunds; the keys on a sale (`sale_actions`) work here too.

`sale_text` is the text: a pure function of a `SaleView` (the figures are the services')."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from salon_cli.i18n import N_, _, formats
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import SaleView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.screens.till.sale_actions import SALE_BINDINGS, SaleKeys
from salon_cli.tui.screens.till.sale_words import method_words, payment_status, status_words
from salon_cli.tui.widgets.desk_footer import DeskFooter

STATUS_STYLE = {"open": "bold yellow", "paid": "green", "partially_refunded": "cyan", "refunded": "magenta",
                "void": "dim"}

FIGURES = (N_("Subtotal"), N_("Discount"), N_("Tax"), N_("Total"), N_("Tips"), N_("Paid"), N_("Refunded"))


def sale_text(sale: SaleView, tz: tzinfo) -> Text:
    """The sale as the desk reads it: heading, lines, figures (under a heading naming the currency: the
    locale's plain figures), payments (ids), refunds."""
    money = sale.currency

    def amount(cents: int) -> str:
        return formats.amount(cents, money)

    def clock(at: datetime) -> str:
        return formats.clock_time(at, money, tz)

    text = Text()
    text.append(_("Sale {id}").format(id=sale.id) + " · ", style="bold")
    text.append(status_words(sale.status), style=STATUS_STYLE.get(sale.status, ""))
    text.append(" · " + (sale.client or _("no client")))
    if sale.appointment_id is not None:
        text.append(" · " + _("appointment {id}").format(id=sale.appointment_id))
    when = "\n" + _("rung {time}").format(time=clock(sale.created_at))
    if sale.paid_at is not None:
        when += " · " + _("paid {time}").format(time=clock(sale.paid_at))
    text.append(when + " · " + _("business day {day}").format(day=formats.day(sale.business_date, money)) + "\n")
    if sale.void_reason:
        text.append(_("void: {reason}").format(reason=sale.void_reason) + "\n", style="dim")
    text.append("\n" + _("Lines") + "\n", style="bold")
    for line in sale.lines:
        qty = f"{line.quantity} × {amount(line.unit_price_cents)}"
        text.append(f"  {line.description[:34]:<34} {line.staff or '':<8} {qty:>16} {amount(line.total_cents):>12}\n")
    if not sale.lines:
        text.append("  " + _("(none)") + "\n", style="dim")
    figures = list(zip(FIGURES, (sale.subtotal_cents, -sale.discount_cents, sale.tax_cents, sale.total_cents,
                                 sale.tip_cents, sale.paid_cents, sale.refunded_cents)))
    if sale.status == "open":
        figures.append((N_("Balance"), sale.balance_cents))
    text.append("\n" + _("Figures ({currency})").format(currency=money) + "\n", style="bold")
    for name, cents in figures:
        text.append(f"  {_(name):<10}{amount(cents):>14}\n")
    text.append("\n" + _("Payments") + "\n", style="bold")
    for p in sale.payments:
        card = f" {p.gift_card}" if p.gift_card else ""
        tip = " + " + _("tip {amount}").format(amount=amount(p.tip_cents)) if p.tip_cents else ""
        at = p.succeeded_at or p.created_at
        text.append(f"  #{p.id:<5} {method_words(p.method) + card:<22} {amount(p.amount_cents):>12}{tip}  "
                    f"{payment_status(p.status)} {clock(at)}")
        if p.refunded_cents:
            text.append(" · " + _("refunded {amount}").format(amount=amount(p.refunded_cents)))
        if p.failure_reason:
            text.append(f" · {p.failure_reason}", style="red")
        text.append("\n")
    if not sale.payments:
        text.append("  " + _("(none)") + "\n", style="dim")
    if sale.refunds:
        text.append("\n" + _("Refunds") + "\n", style="bold")
        for r in sale.refunds:
            style = "red" if r.status in ("failed", "cancelled") else ("yellow" if r.status == "pending" else "")
            text.append(f"  #{r.id:<5} " + _("{method} {amount} of payment #{id}").format(
                method=method_words(r.method), amount=amount(r.amount_cents), id=r.payment_id) + "  ")
            text.append(payment_status(r.status), style=style)
            text.append(f" {clock(r.created_at)}  {r.reason}")
            if r.failure_reason:
                text.append(f" · {r.failure_reason}", style="red")
            text.append("\n")
    return text


class SaleDetailScreen(SaleKeys, ReloadsWhenBack, Screen[None]):
    """One sale: read again after every change made here or elsewhere."""

    DEFAULT_CSS = """
    SaleDetailScreen #sale-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"), id="back"), *SALE_BINDINGS]

    def __init__(self, sale_id: int) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.sale: SaleView | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("Sale {id}").format(id=self.sale_id), id="title", markup=False)
        with VerticalScroll(id="sale-body"):
            yield Static("", id="sale-detail", markup=False)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#sale-body").focus()
        self._request()

    def data_changed(self) -> None:
        self._request(keep_summary=True)

    def _request(self, *, keep_summary: bool = False) -> None:
        from salon_cli.services.till import sale_views

        self._generation += 1
        generation = self._generation
        sale_id = self.sale_id

        def work(session: Any, location: LocationView) -> tuple[SaleView, LocationView]:
            return sale_views.view(session, sale_id, location), location

        def done(result: tuple[SaleView, LocationView]) -> None:
            if generation == self._generation:
                self._show(*result, keep_summary=keep_summary)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {why}").format(why=text), error=True)

        self.app.read(work, done, failed, group="sale-detail")  # type: ignore[attr-defined]

    def _show(self, sale: SaleView, location: LocationView, *, keep_summary: bool) -> None:
        self.sale = sale
        self.query_one("#title", Static).update(_("Sale {id} — {place}, {day}").format(
            id=sale.id, place=location.name, day=formats.day(sale.business_date, location.currency, width="full")))
        self.query_one("#sale-detail", Static).update(sale_text(sale, location.tz))
        if not keep_summary:
            keys = _("r refund · p receipt · Esc back") if sale.status != "open" else \
                _("o checkout · v void · p receipt · Esc back")
            self._set_summary(f"{status_words(sale.status)}: {keys}")

    def sale_on_show(self) -> SaleView | None:
        return self.sale

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")
