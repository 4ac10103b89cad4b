"""Checkout: a ticket built in front of the desk — an appointment's, an open sale's, or a sale at the desk
with no appointment (`CheckoutScreen(None)`: gift cards, memberships, retail) — and what the client
brings to it, each applied with one key: the deposit (a payment already), the membership's credits,
reward codes (picked, never typed) and points, gift cards, open penalties, the visit's stamp, and a
promotion code (typed, or one of the client's own picked; automatic offers show ahead and go on at the money).

Looking changes nothing (`services.checkout.ticket`): until the first change the screen shows a draft
priced as the sale will be; the first change opens the sale and the first money checks a booked visit
in. Escape on a sale this screen opened and took no money for leaves nothing behind
(`till.discard.discard_if_empty`); a sale with payments stays open. Every figure comes from the
services; the text is `checkout_text`'s, the keys `checkout_keys`' (a mixin), the questions
`checkout_modals`', a payment on the Stripe card reader `checkout_reader`'s (a mixin).

The client card's module is imported only when leaving asks where it goes back to (`_back_to`): a
screen's module loads when it is first needed (tui/app.py), and the card imports nothing of the checkout."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Digits, Label, Static

from salon_cli.core.errors import SalonError
from salon_cli.core.money import parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.checkout import ticket
from salon_cli.services.checkout.ticket import Desk, Ticket
from salon_cli.services.till.sale_views import SaleView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.screens.till.checkout_keys import TicketKeys
from salon_cli.tui.screens.till.checkout_modals import ClientChoice, PickedClient
from salon_cli.tui.screens.till.checkout_reader import ReaderPayment
from salon_cli.tui.screens.till.checkout_text import (COLUMNS, last_change, offers_text, payment_line, state_words,
                                                      totals_text)
from salon_cli.tui.widgets.desk_footer import DeskFooter
from salon_cli.tui.words import describe

# keys that change the ticket: on an open sale or a draft, while nothing else is on its way
TICKET_KEYS = {"add_item", "discount", "tip", "pay_cash", "pay_card", "pay_stripe", "pay_credit", "reward",
               "pay_gift_card", "add_fee", "sell_gift_card", "membership", "promo"}
PAYING = {"pay_cash", "pay_card", "pay_stripe", "pay_credit", "pay_gift_card"}


class SaleLines(DataTable, can_focus=False):
    """The sale's lines: shown, not navigated (Enter belongs to the screen)."""


class CheckoutScreen(ReloadsWhenBack, TicketKeys, ReaderPayment, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("a", "add_item", N_("Add item"), id="add-item"),
        Binding("d", "discount", N_("Discount"), id="discount"),
        Binding("t", "tip", N_("Tip"), id="tip"),
        Binding("1", "pay_cash", N_("Cash"), id="pay-cash"),
        Binding("2", "pay_card", N_("Card"), id="pay-card"),
        Binding("3", "pay_stripe", N_("Stripe"), id="pay-stripe"),
        Binding("c", "pay_credit", N_("Credit"), id="pay-credit"),
        Binding("r", "reward", N_("Reward"), id="reward"),
        Binding("o", "promo", N_("Promo code"), id="promo-code", tooltip=N_("A promotion code on this ticket")),
        Binding("g", "pay_gift_card", N_("Gift card"), id="pay-gift-card"),
        Binding("f", "add_fee", N_("Penalty"), id="add-fee"),
        Binding("k", "stamp", N_("Stamp"), id="stamp"),
        Binding("G", "sell_gift_card", N_("Sell gift card"), id="sell-gift-card"),
        Binding("M", "membership", N_("Membership"), id="membership"),
        Binding("C", "choose_client", N_("Client"), id="choose-client"),
        Binding("p", "receipt", N_("Receipt"), id="receipt"),
    ]

    READER_POLL = 1.0  # seconds between questions to Stripe while the reader waits for the card

    def __init__(self, appointment_id: int | None, *, sale_id: int | None = None, client_id: int | None = None) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.desk = Desk(appointment_id, sale_id, client_id)
        self.ticket: Ticket | None = None
        self.tip_cents = 0
        self.busy = False  # a reader payment is running
        self.working = False  # a change to the ticket is on its way
        self.created_sale_id: int | None = None  # the sale this screen opened (Escape discards it when empty)
        self._stop: threading.Event | None = None  # set: the desk asked the reader to stop
        self._generation = 0
        self._ask_client = appointment_id is None and sale_id is None and client_id is None

    @property
    def sale(self) -> SaleView | None:
        """The live sale (None while the ticket is a draft)."""
        return self.ticket.sale if self.ticket is not None else None

    @property
    def shown(self) -> SaleView | None:
        return self.ticket.shown if self.ticket is not None else None

    def _back_to_card(self) -> bool:
        """Where leaving goes: the screen this checkout was opened from (the client's card, or the book)."""
        from salon_cli.tui.screens.clients.client_card import ClientCardScreen

        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        return isinstance(below, ClientCardScreen)

    def compose(self) -> ComposeResult:
        # markup off: names and error texts are shown as they are, brackets and all
        title = _("Checkout — appointment {id}").format(id=self.appointment_id) if self.appointment_id else \
            _("Checkout — a sale at the desk")
        yield Static(title, id="title", markup=False)
        yield SaleLines(id="lines", cursor_type="none", zebra_stripes=True)
        yield Static("", id="offers", markup=False)
        with Horizontal(id="money"):
            yield Static("", id="totals", markup=False)
            with Vertical(id="side"):
                yield Static("", id="payments", markup=False)
                with Vertical(id="change-box"):
                    yield Label(_("Change due"), id="change-label")
                    yield Digits("", id="change")
        yield Static(" ", id="state", markup=False)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in COLUMNS:
            label = Text(_(name), justify="left" if name in ("Line", "Staff") else "right")
            table.add_column(label, key=name, width=width)
        if self._ask_client:
            self._ask_client = False
            self.app.push_screen(ClientChoice(), self._client_chosen)
        self._request()

    def _client_chosen(self, picked: PickedClient | None) -> None:
        if picked is not None and self.sale is None:
            self.desk = replace(self.desk, client_id=picked.id)
            self._request()

    def on_screen_resume(self) -> None:  # (ReloadsWhenBack's runs too: Textual calls each class's handler)
        if self.working and getattr(self.app, "desk", None) is None:
            self.working = False  # the sign-in was cancelled: no change is on its way
            self.refresh_bindings()

    # -- loading ---------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request()

    def _request(self, then: Callable[[], None] | None = None) -> None:
        self._generation += 1
        generation = self._generation

        def done(loaded: Ticket) -> None:
            if generation == self._generation:
                self._loaded(loaded)
                if then is not None:
                    then()

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {why}").format(why=text), error=True)

        desk = self.desk
        self.app.read(lambda s, loc: ticket.load(s, loc, desk), done, failed, group="checkout")  # type: ignore[attr-defined]

    def _loaded(self, loaded: Ticket) -> None:
        if not self.is_attached:  # an answer that came after the desk went back
            return
        self._generation += 1  # a read started before this change answers with the ticket as it was
        self.ticket, self.desk = loaded, loaded.desk
        self._show_title()
        self._show()

    def _show_title(self) -> None:
        t = self.ticket
        if t is None:
            return
        appt, tz = t.appointment, t.location.tz
        if appt is not None:
            text = _("Checkout — {client} · {service} · {time} with {staff}").format(
                client=appt.client or _("walk-in"), service=appt.service, staff=appt.staff_name,
                time=formats.clock_time(appt.starts_at, t.location.currency, tz))
        else:
            text = _("Desk sale — {client}").format(client=t.client or _("no client")) + \
                (" · " + _("sale {id}").format(id=t.sale.id) if t.sale else "")
        self.query_one("#title", Static).update(text)

    def _show(self) -> None:
        t = self.ticket
        if t is None:
            return
        sale, money = t.shown, t.location.currency
        self.query_one("#offers", Static).update(offers_text(t.offers, t.client, money,
                                                             choose=t.appointment is None and t.sale is None))
        table = self.query_one(DataTable)
        table.clear()
        state = self.query_one("#state", Static)
        if sale is None:
            state.update(t.note or "")
            self._set_summary(_("nothing to take here"), error=bool(t.note))
            self.refresh_bindings()
            return
        for line in sale.lines:
            table.add_row(Text(line.description), Text(line.staff or ""), Text(str(line.quantity), justify="right"),
                          Text(formats.amount(line.gross_cents, money), justify="right"),
                          Text(formats.amount(line.total_cents, money), justify="right"), key=str(line.position))
        self.query_one("#totals", Static).update(totals_text(sale, self.tip_cents))
        paid = [payment_line(p, money) for p in sale.payments]
        self.query_one("#payments", Static).update((_("Payments:") + "\n" + "\n".join(paid)) if paid
                                                   else _("No payments yet"))
        change = last_change(sale)
        self.query_one("#change-box").set_class(change is not None, "shown")
        if change is not None:
            # the big figure: the locale's plain figure (Digits draws digits, . , and $ € but no letters)
            self.query_one("#change", Digits).update(formats.amount(change, money))
        state.set_class(sale.status == "paid", "paid")
        said, keys = state_words(sale, desk_sale=t.appointment is None,
                                 back_to_card=sale.status == "paid" and self._back_to_card())
        state.update(said)
        self._set_summary(keys)
        self.refresh_bindings()

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        if not self.is_attached:
            return
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def _refused(self, text: str) -> None:
        self.working = False
        self.refresh_bindings()
        self._set_summary(_("refused: {why}").format(why=text), error=True)

    def _change(self, work: Any, done: Any) -> None:
        self.working = True
        self.refresh_bindings()

        def finished(result: Any) -> None:
            self.working = False
            done(result)
            self.refresh_bindings()

        self.app.change(Permission.desk, work, finished, self._refused)  # type: ignore[attr-defined]

    def _on_ticket(self, step: Callable[[Any, Any, Any, int], Any], said: Callable[[Any], str] | str) -> None:
        """One change to the ticket: `step(session, location, actor, sale_id)` on the sale, opened first if
        there is none yet; the screen shows the ticket as that transaction left it."""
        desk, opening = self.desk, self.sale is None

        def work(s: Any, loc: Any, actor: Any) -> Any:
            return ticket.change(s, loc, actor, desk, lambda sale_id: step(s, loc, actor, sale_id))

        def done(result: tuple[Any, Ticket]) -> None:
            value, loaded = result
            if opening and loaded.sale is not None:
                self.created_sale_id = loaded.sale.id
            text = said(value) if callable(said) else said
            was_paid = self.sale is not None and self.sale.status == "paid"
            self._loaded(loaded)
            if loaded.sale is None or last_change(loaded.sale) is None:  # a notice would hide the change due
                self.app.notify(text)
            if loaded.sale is not None and loaded.sale.status == "paid" and not was_paid:
                self._receipt_by_policy(loaded.sale.id)

        self._change(work, done)

    def _receipt_by_policy(self, sale_id: int) -> None:
        """The location's ways out for a receipt (`policy set --receipt-via print,email`), once the sale is
        paid; each outcome told, none undoing the sale. `p` shows it on screen whatever the policy."""
        engine = self.app.engine  # type: ignore[attr-defined]

        def with_actor(actor: Any) -> None:
            location = self.app.location  # type: ignore[attr-defined]

            def job() -> None:
                from salon_cli.services.messages.channels import channels_from_env
                from salon_cli.services.receipts import delivery, files

                said = delivery.by_policy(engine, actor=actor, location=location, sale_id=sale_id,
                                          channels=channels_from_env(), protected=files.protected_by_engine(engine))
                for words in said:
                    self.app.call_from_thread(self.app.notify, words, severity="warning" if " not " in words else "information")

            self.run_worker(job, thread=True, group="receipt-out", exit_on_error=False)

        self.app.change(Permission.desk, lambda _s, _loc, actor: actor, with_actor, lambda _why: None)  # type: ignore[attr-defined]

    # -- which keys apply ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        t, shown = self.ticket, self.shown
        if action == "choose_client":
            return t is not None and t.appointment is None and t.sale is None
        if action == "receipt":
            return t is not None and t.sale is not None and t.sale.status not in ("open", "void")
        if action == "stamp":
            return t is not None and t.offers is not None and t.offers.stamp is not None
        if action not in TICKET_KEYS:
            return True
        if shown is None or shown.status not in ("open", "draft"):
            return False  # settled, or nothing to sell: the keys leave the footer
        offers = t.offers if t is not None else None
        member = offers.membership if offers is not None else None
        hidden = {"pay_credit": member is None or member.status != "active" or member.credits_remaining <= 0,
                  "reward": offers is None or not (offers.codes or offers.rewards),
                  "add_fee": offers is None or not offers.penalties,
                  "membership": offers is None or member is not None}
        if hidden.get(action):
            return False
        if self.busy or self.working or (action in PAYING and shown.balance_cents <= 0):
            return None  # shown dimmed in the footer, not run
        return True

    # -- leaving -------------------------------------------------------------------------------------

    def _money(self) -> str:
        return self.ticket.location.currency if self.ticket is not None else ""

    def _parse(self, text: str, what: str) -> int | None:
        try:
            return parse_amount(text, self._money(), what=what)
        except SalonError as exc:
            self._refused(describe(exc))
            return None

    def in_progress(self) -> str | None:
        """What quitting now would leave half done (None: nothing): a reader payment running, or a sale
        with money taken and a balance still to take."""
        sale = self.sale
        if self.busy:
            return _("a card payment is waiting at the reader")
        if sale is not None and sale.status == "open" and sale.paid_cents > 0 and sale.balance_cents > 0:
            return _("sale {id} has {paid} paid and {balance} still to take").format(
                id=sale.id, paid=formats.money(sale.paid_cents, sale.currency),
                balance=formats.money(sale.balance_cents, sale.currency))
        return None

    def _empty_created(self) -> int | None:
        sale = self.sale
        if sale is not None and sale.id == self.created_sale_id and sale.status == "open" and not sale.payments:
            return sale.id
        return None

    def leave_nothing(self, then: Callable[[], None]) -> None:
        """Discard the sale this screen opened if no money was taken on it, then `then()` (whatever the answer)."""
        from salon_cli.services.till import discard

        if self.busy and self._stop is not None:
            self._stop.set()  # quitting: the reader is told to stop
        sale_id = self._empty_created()
        if sale_id is None:
            then()
            return

        def done(gone: bool) -> None:
            self.created_sale_id = None
            if gone:
                self.app.notify(_("nothing kept: sale {id} had no payment").format(id=sale_id))
            else:
                self.app.notify(_("sale {id} stays open: {why}").format(id=sale_id, why=self._kept_why),
                                severity="warning")
            then()

        def work(s: Any, loc: Any, actor: Any) -> bool:
            self._kept_why = discard.keeps(s, sale_id) or _("its day is closed")
            return ticket.discard_if_empty(s, loc, actor, sale_id)  # a promotion's use given back

        def failed(text: str) -> None:
            self.app.notify(_("sale {id} stays open: {why}").format(id=sale_id, why=text), severity="warning")
            then()

        self.app.change(Permission.desk, work, done, failed)  # type: ignore[attr-defined]

    _kept_why = ""

    def action_back(self) -> None:
        if self.busy:  # the reader is waiting: Escape tells it to stop (the screen stays for the answer)
            if self._stop is not None and not self._stop.is_set():
                self._stop.set()
                self._set_summary(_("cancelling the payment at the card reader…"))
            return
        if self.working:
            return  # a change is on its way: its answer decides what there is to keep
        self.leave_nothing(self._pop)

    def _pop(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()
