"""One sale in full, from the day's sales (Enter): its lines, its figures, its payments with their ids and
what each has given back, and its refunds; the keys on a sale (`sale_actions`) work here too.

`sale_text` is the text: a pure function of a `SaleView` (the figures are the services')."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from salon_cli.core.money import format_amount
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import SaleView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.screens.till.sale_actions import SALE_BINDINGS, SaleKeys, method_words

STATUS_STYLE = {"open": "bold yellow", "paid": "green", "partially_refunded": "cyan", "refunded": "magenta",
                "void": "dim"}


def status_words(status: str) -> str:
    return status.replace("_", " ")


def sale_text(sale: SaleView, tz: tzinfo) -> Text:
    """The sale as the desk reads it: heading, lines, figures, payments (ids), refunds."""
    money = sale.currency

    def amount(cents: int) -> str:
        return format_amount(cents, money)

    text = Text()
    text.append(f"Sale {sale.id} · ", style="bold")
    text.append(status_words(sale.status), style=STATUS_STYLE.get(sale.status, ""))
    text.append(f" · {sale.client or 'no client'}")
    if sale.appointment_id is not None:
        text.append(f" · appointment {sale.appointment_id}")
    when = f"\nrung {sale.created_at.astimezone(tz):%H:%M}"
    if sale.paid_at is not None:
        when += f" · paid {sale.paid_at.astimezone(tz):%H:%M}"
    text.append(f"{when} · business day {sale.business_date.isoformat()}\n")
    if sale.void_reason:
        text.append(f"void: {sale.void_reason}\n", style="dim")
    text.append("\nLines\n", style="bold")
    for line in sale.lines:
        qty = f"{line.quantity} × {amount(line.unit_price_cents)}"
        text.append(f"  {line.description[:34]:<34} {line.staff or '':<8} {qty:>16} {amount(line.total_cents):>12}\n")
    if not sale.lines:
        text.append("  (none)\n", style="dim")
    figures = [("Subtotal", sale.subtotal_cents), ("Discount", -sale.discount_cents), ("Tax", sale.tax_cents),
               ("Total", sale.total_cents), ("Tips", sale.tip_cents), ("Paid", sale.paid_cents),
               ("Refunded", sale.refunded_cents)]
    if sale.status == "open":
        figures.append(("Balance", sale.balance_cents))
    text.append(f"\nFigures ({money})\n", style="bold")
    for name, cents in figures:
        text.append(f"  {name:<10}{amount(cents):>14}\n")
    text.append("\nPayments\n", style="bold")
    for p in sale.payments:
        card = f" {p.gift_card}" if p.gift_card else ""
        tip = f" + tip {amount(p.tip_cents)}" if p.tip_cents else ""
        at = p.succeeded_at or p.created_at
        text.append(f"  #{p.id:<5} {method_words(p.method) + card:<22} {amount(p.amount_cents):>12}{tip}  "
                    f"{p.status} {at.astimezone(tz):%H:%M}")
        if p.refunded_cents:
            text.append(f" · refunded {amount(p.refunded_cents)}")
        if p.failure_reason:
            text.append(f" · {p.failure_reason}", style="red")
        text.append("\n")
    if not sale.payments:
        text.append("  (none)\n", style="dim")
    if sale.refunds:
        text.append("\nRefunds\n", style="bold")
        for r in sale.refunds:
            style = "red" if r.status in ("failed", "cancelled") else ("yellow" if r.status == "pending" else "")
            text.append(f"  #{r.id:<5} {method_words(r.method)} {amount(r.amount_cents)} of payment #{r.payment_id}  ")
            text.append(r.status, style=style)
            text.append(f" {r.created_at.astimezone(tz):%H:%M}  {r.reason}")
            if r.failure_reason:
                text.append(f" · {r.failure_reason}", style="red")
            text.append("\n")
    return text


class SaleDetailScreen(SaleKeys, ReloadsWhenBack, Screen[None]):
    """One sale: read again after every change made here or elsewhere."""

    DEFAULT_CSS = """
    SaleDetailScreen #sale-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back"), *SALE_BINDINGS]

    def __init__(self, sale_id: int) -> None:
        super().__init__()
        self.sale_id = sale_id
        self.sale: SaleView | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(f"Sale {self.sale_id}", id="title", markup=False)
        with VerticalScroll(id="sale-body"):
            yield Static("", id="sale-detail", markup=False)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

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
                self._set_summary(f"error: {text}", error=True)

        self.app.read(work, done, failed, group="sale-detail")  # type: ignore[attr-defined]

    def _show(self, sale: SaleView, location: LocationView, *, keep_summary: bool) -> None:
        self.sale = sale
        self.query_one("#title", Static).update(
            f"Sale {sale.id} — {location.name}, {sale.business_date:%A} {sale.business_date.day} "
            f"{sale.business_date:%B %Y}")
        self.query_one("#sale-detail", Static).update(sale_text(sale, location.tz))
        if not keep_summary:
            keys = "r refund · p receipt" if sale.status != "open" else "o checkout · v void · p receipt"
            self._set_summary(f"{status_words(sale.status)}: {keys} · Esc back")

    def sale_on_show(self) -> SaleView | None:
        return self.sale

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")
