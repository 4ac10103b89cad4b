"""Checkout: one appointment's sale built in front of the desk — its service lines (and the member's
discount) when it opens, products, a discount, a redemption code, a tip, then cash, card or Stripe
payments until the balance is nothing; the change due after cash is shown large.

Every figure comes from the services (`services.till.sales`, `services.till.payments`): the screen parses what is
typed with `core.money` and shows what the sale says afterwards. An appointment that already has a live
sale continues that sale. The text of the figures is `checkout_text`'s; a payment on the Stripe card
reader is `checkout_reader`'s (a mixin of the screen).

The client card's module is imported only when leaving asks where it goes back to (`_back_to`): a
screen's module loads when it is first needed (tui/app.py), and the card imports nothing of the checkout."""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Digits, Footer, Label, Static

from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount, parse_amount, parse_fee
from salon_cli.core.permissions import Permission
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import sales
from salon_cli.services.till.sale_views import PaymentView, SaleView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.screens.till.checkout_reader import ReaderPayment
from salon_cli.tui.screens.till.checkout_text import COLUMNS, last_change, payment_line, totals_text

OPEN_ONLY = {"add_product", "discount", "redeem", "tip", "pay_cash", "pay_card", "pay_stripe"}


class SaleLines(DataTable, can_focus=False):
    """The sale's lines: shown, not navigated (Enter belongs to the screen: Done)."""


class CheckoutScreen(ReloadsWhenBack, ReaderPayment, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("a", "add_product", "Product", id="add-product"),
        Binding("d", "discount", "Discount", id="discount"),
        Binding("r", "redeem", "Redeem", id="redeem"),
        Binding("t", "tip", "Tip", id="tip"),
        Binding("1", "pay_cash", "Cash", id="pay-cash"),
        Binding("2", "pay_card", "Card", id="pay-card"),
        Binding("3", "pay_stripe", "Stripe", id="pay-stripe"),
        Binding("o", "open_sale", "Open sale", id="open-sale"),
    ]

    READER_POLL = 1.0  # seconds between questions to Stripe while the reader waits for the card

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.appointment: AppointmentView | None = None
        self.location: LocationView | None = None
        self.sale: SaleView | None = None
        self.tip_cents = 0
        self.busy = False  # a reader payment is running
        self._stop: threading.Event | None = None  # set: the desk asked the reader to stop
        self._generation = 0

    def _back_to(self) -> str:
        """Where leaving goes: the screen this checkout was opened from."""
        from salon_cli.tui.screens.clients.client_card import ClientCardScreen

        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        return "the client's card" if isinstance(below, ClientCardScreen) else "the book"

    def compose(self) -> ComposeResult:
        # markup off: names and error texts are shown as they are, brackets and all
        yield Static(f"Checkout — appointment {self.appointment_id}", id="title", markup=False)
        yield SaleLines(id="lines", cursor_type="none", zebra_stripes=True)
        with Horizontal(id="money"):
            yield Static("", id="totals", markup=False)
            with Vertical(id="side"):
                yield Static("", id="payments", markup=False)
                with Vertical(id="change-box"):
                    yield Label("Change due", id="change-label")
                    yield Digits("", id="change")
        yield Static(" ", id="state", markup=False)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in COLUMNS:
            label = Text(name, justify="left" if name in ("Line", "Staff") else "right")
            table.add_column(label, key=name, width=width)
        self._request(open_if_missing=True)

    # -- loading ---------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request(open_if_missing=False)

    def _request(self, *, open_if_missing: bool, then: Any = None) -> None:
        self._generation += 1
        generation = self._generation

        def done(loaded: checkout.Loaded) -> None:
            if generation != self._generation:
                return
            self.appointment, self.location = loaded.appointment, loaded.location
            self._show_title()
            if loaded.sale is not None:
                self._show(loaded.sale)
                if then is not None:
                    then()
            elif open_if_missing:
                self._open_sale()
            else:
                self._set_summary("no sale yet")

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)

        appointment_id = self.appointment_id
        self.app.read(lambda s, loc: checkout.load(s, loc, appointment_id), done, failed, group="checkout")  # type: ignore[attr-defined]

    def action_open_sale(self) -> None:
        if self.sale is None and self.appointment is not None:
            self._open_sale()

    def _open_sale(self) -> None:
        self._set_summary("opening the sale… (o opens it again if the sign-in was cancelled)")
        self.refresh_bindings()
        appointment_id = self.appointment_id
        self._change(lambda s, loc, actor: checkout.open_for_appointment(s, loc, actor, appointment_id), self._show)

    def _show_title(self) -> None:
        appt, location = self.appointment, self.location
        if appt is None or location is None:
            return
        at = appt.starts_at.astimezone(location.tz)
        who = appt.client or "walk-in"
        self.query_one("#title", Static).update(
            f"Checkout — {who} · {appt.service} · {at:%H:%M} with {appt.staff_name}")

    def _show(self, sale: SaleView) -> None:
        if not self.is_attached:  # an answer that came after the desk went back
            return
        self.sale = sale
        money = sale.currency
        table = self.query_one(DataTable)
        table.clear()
        for line in sale.lines:
            table.add_row(Text(line.description), Text(line.staff or ""), Text(str(line.quantity), justify="right"),
                          Text(format_amount(line.gross_cents, money), justify="right"),
                          Text(format_amount(line.total_cents, money), justify="right"), key=str(line.id))
        self.query_one("#totals", Static).update(totals_text(sale, self.tip_cents))
        paid = [payment_line(p, money) for p in sale.payments]
        self.query_one("#payments", Static).update(
            ("Payments:\n" + "\n".join(paid)) if paid else "No payments yet")
        change = last_change(sale)
        box = self.query_one("#change-box")
        box.set_class(change is not None, "shown")
        if change is not None:
            self.query_one("#change", Digits).update(format_amount(change, money))
        state = self.query_one("#state", Static)
        state.set_class(sale.status == "paid", "paid")
        if sale.status == "open":
            state.update(f"Sale {sale.id} · open · balance {format_amount(sale.balance_cents, money)} {money}")
            self._set_summary("1 cash · 2 card · 3 stripe — pay several times to split")
        elif sale.status == "paid":
            tail = f" · change {format_amount(change, money)}" if change is not None else ""
            state.update(f"Paid · sale {sale.id} · {format_amount(sale.total_cents, money)} {money}{tail}")
            # not Enter: a second Enter after typing the cash must not hide the change
            self._set_summary(f"Escape: back to {self._back_to()}")
        else:
            state.update(f"Sale {sale.id} · {sale.status.replace('_', ' ')}")
            self._set_summary("nothing to take on this sale")
        self.refresh_bindings()

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        if not self.is_attached:
            return
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def _refused(self, text: str) -> None:
        self._set_summary(f"refused: {text}", error=True)

    def _change(self, work: Any, done: Any) -> None:
        self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]

    # -- which keys apply ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        is_open = self.sale is not None and self.sale.status == "open" and not self.busy
        if action in OPEN_ONLY:
            if self.sale is not None and self.sale.status != "open":
                return False  # settled: the keys leave the footer
            return True if is_open else None  # None: shown dimmed in the footer, not run
        if action == "open_sale":
            return self.sale is None and self.appointment is not None
        return True

    # -- actions ---------------------------------------------------------------------------------

    def _money(self) -> str:
        if self.sale is not None:
            return self.sale.currency
        return self.location.currency if self.location is not None else ""

    def _parse(self, text: str, what: str) -> int | None:
        try:
            return parse_amount(text, self._money(), what=what)
        except SalonError as exc:
            self._refused(exc.message)
            return None

    def action_add_product(self) -> None:
        sale = self.sale
        if sale is None:
            return

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            qty = values["quantity"] or "1"
            if not qty.isdigit() or int(qty) < 1:
                self._refused(f"quantity {qty!r} is not a whole number of at least 1")
                return
            self._change(lambda s, loc, actor: sales.add_product(
                s, actor=actor, location=loc, sale_id=sale.id, product=values["product"], quantity=int(qty)),
                self._changed(f"added: {values['product']} × {qty}"))

        self.app.push_screen(FormModal("Add a product", [
            Field("product", "Product (code or name)"), Field("quantity", "Quantity", value="1")], ok="Add"), asked)

    def action_discount(self) -> None:
        sale = self.sale
        if sale is None:
            return

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            text = values["discount"] or "0"
            try:
                parse_fee(text, self._money(), what="discount")
            except SalonError as exc:
                self._refused(exc.message)
                return
            self._change(lambda s, loc, actor: sales.set_discount(
                s, actor=actor, location=loc, sale_id=sale.id, discount=text), self._changed(f"discount: {text}"))

        self.app.push_screen(FormModal("Discount", [Field("discount", "10% or an amount (0 removes it)")],
                                       note="It replaces the sale's discount (a member's too).", ok="Apply"), asked)

    def action_redeem(self) -> None:
        sale = self.sale
        if sale is None:
            return
        appointment_id = self.appointment_id

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            code = values["code"]
            self._change(lambda s, loc, actor: checkout.pay_and_finish(
                s, loc, actor, appointment_id=appointment_id, sale_id=sale.id, method="points", code=code),
                self._paid(f"redeemed {code}"))

        self.app.push_screen(FormModal("Redeem a reward", [Field("code", "Redemption code", placeholder="K7QM-3XPD")],
                                       ok="Redeem"), asked)

    def action_tip(self) -> None:
        if self.sale is None:
            return

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._parse(values["tip"] or "0", "tip")
            if cents is None:
                return
            self.tip_cents = cents
            if self.sale is not None:
                self._show(self.sale)
            self._set_summary(f"tip {format_amount(cents, self._money())} rides on the next payment")

        self.app.push_screen(FormModal("Tip (goes with the next payment)", [
            Field("tip", "Tip", value=format_amount(self.tip_cents, self._money()))], ok="Keep"), asked)

    def _ask_payment(self, method: str) -> None:
        sale = self.sale
        if sale is None:
            return
        money = sale.currency
        fields = [Field("amount", f"Amount ({money})", value=format_amount(sale.balance_cents, money))]
        if method == "cash":
            fields.append(Field("tendered", "Handed over (blank: exact)", required=False))
        tip = f"A tip of {format_amount(self.tip_cents, money)} goes with it. " if self.tip_cents else ""
        note = f"{tip}Balance {format_amount(sale.balance_cents, money)} {money}."
        self.app.push_screen(FormModal(f"Pay by {method}", fields, note=note, ok="Take it"),
                             lambda values: self._take(method, values))

    def _take(self, method: str, values: dict[str, str] | None) -> None:
        sale = self.sale
        if values is None or sale is None:
            return
        amount = self._parse(values["amount"], "amount")
        if amount is None:
            return
        tendered = None
        if values.get("tendered"):
            tendered = self._parse(values["tendered"], "amount handed over")
            if tendered is None:
                return
        if method == "stripe":
            self._reader(amount)
            return
        appointment_id, tip = self.appointment_id, self.tip_cents
        self._change(lambda s, loc, actor: checkout.pay_and_finish(
            s, loc, actor, appointment_id=appointment_id, sale_id=sale.id, method=method, amount_cents=amount,
            tip_cents=tip, tendered_cents=tendered), self._paid(f"{method} {format_amount(amount, sale.currency)}"))

    def action_pay_cash(self) -> None:
        self._ask_payment("cash")

    def action_pay_card(self) -> None:
        self._ask_payment("card")

    def action_pay_stripe(self) -> None:
        self._ask_payment("stripe")

    def action_back(self) -> None:
        if self.busy:  # the reader is waiting: Escape tells it to stop (the screen stays for the answer)
            if self._stop is not None and not self._stop.is_set():
                self._stop.set()
                self._set_summary("cancelling the payment at the card reader…")
            return
        self.app.pop_screen()

    def _changed(self, what: str) -> Any:
        def done(sale: SaleView) -> None:
            self._show(sale)
            self.app.notify(what)
        return done

    def _paid(self, what: str) -> Any:
        def done(result: tuple[PaymentView, SaleView]) -> None:
            self.tip_cents = 0  # the tip went with this payment
            self._show(result[1])
            self.app.notify(f"paid: {what}")
        return done
