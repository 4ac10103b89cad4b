"""The keys on a sale, shared by the day's sales (`sales_today`) and one sale's detail (`sale_detail`):
refund (a manager's PIN; the payment chosen from the sale's, the amount and a reason), void (a manager's
PIN and a reason), the receipt again, and an open sale taken on in the checkout.

A refund goes the way `salon sale refund` goes: the manager is identified first (`app.change` with
`Permission.sale_refund` asks the code and PIN), then `services.stripe.payments.refund_sale` runs in a
thread worker: the till records the refund (`till.tenders.refund`, on the payment chosen) and commits, and
a Stripe payment's refund is then asked of Stripe by the refund's id (`send_refunds`). What Stripe says
(or that it could not be reached: the refund then waits, pending, for `salon sale resend-refunds`) is
shown as the service leaves it. What each payment can still give back is `till.refund_choices`'.

A mixin: the screen provides `sale_on_show()`, `data_changed()` and `_set_summary(text, error=)`.
Services only an action needs are imported inside it (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from textual.binding import Binding

from salon_cli.core.errors import OutsideServiceFailed, SalonError
from salon_cli.core.money import format_amount, format_money, parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.refund_choices import RefundChoice, RefundChoices, refund_choices
from salon_cli.services.till.sale_views import PaymentView, RefundView, SaleView
from salon_cli.tui.screens.modals import ChoiceModal, Field, FormModal

SALE_BINDINGS = [
    Binding("r", "refund", "Refund", id="sale-refund"),
    Binding("v", "void", "Void", id="sale-void"),
    Binding("p", "receipt", "Receipt", id="sale-receipt"),
    Binding("o", "take_on", "Checkout", id="sale-checkout"),
]

METHOD = {"gift_card": "gift card", "stripe": "Stripe card", "card": "card", "cash": "cash", "transfer": "transfer",
          "credit": "membership credit", "points": "points"}


def method_words(method: str) -> str:
    return METHOD.get(method, method.replace("_", " "))


def payment_words(p: PaymentView, currency: str) -> str:
    """'#176 card 300.00' / '#180 gift card G7K2-… 150.00' (a gift card named by its code)."""
    card = f" {p.gift_card}" if p.gift_card else ""
    return f"#{p.id} {method_words(p.method)}{card} {format_amount(p.amount_cents, currency)}"


def refund_words(rows: list[RefundView], currency: str) -> str:
    """What a refund came to: done, waiting for Stripe, refused by Stripe."""
    def total(status: str) -> int:
        return sum(r.amount_cents for r in rows if r.status == status)

    parts = []
    if total("succeeded"):
        parts.append(f"refunded {format_money(total('succeeded'), currency)}")
    if total("pending"):
        parts.append(f"{format_money(total('pending'), currency)} waiting for Stripe")
    for row in rows:
        if row.status in ("failed", "cancelled"):
            why = row.failure_reason or row.status
            parts.append(f"Stripe refused {format_money(row.amount_cents, currency)}: {why}")
    return "; ".join(parts) or "nothing refunded"


class SaleKeys:
    """Refund, void, receipt and checkout on the sale the screen shows (a mixin of a `Screen`)."""

    app: Any

    # -- provided by the screen (SalesScreen, SaleDetailScreen): abstract here, never called as is ---

    def sale_on_show(self) -> SaleView | None:
        raise NotImplementedError

    def data_changed(self) -> None:
        raise NotImplementedError

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        raise NotImplementedError

    def _refused(self, text: str) -> None:
        self._set_summary(f"refused: {text}", error=True)
        self.app.show_error(text)

    # -- refund ------------------------------------------------------------------------------------

    def action_refund(self) -> None:
        sale = self.sale_on_show()
        if sale is None:
            return
        sale_id = sale.id
        self.app.read(lambda s, loc: refund_choices(s, location=loc, sale_id=sale_id), self._pick_payment,
                      self._refused, group="refund-choices")

    def _pick_payment(self, found: RefundChoices) -> None:
        sale, money = found.sale, found.sale.currency
        if not found.choices:
            self._refused(f"sale {sale.id} has nothing left to refund")
            return
        if len(found.choices) == 1:
            self._ask_refund(sale, found.choices[0])
            return
        by_id = {str(c.payment.id): c for c in found.choices}

        def picked(key: str | None) -> None:
            if key is not None and key in by_id:
                self._ask_refund(sale, by_id[key])

        self.app.push_screen(ChoiceModal(
            f"Refund sale {sale.id}: from which payment?", f"{sale.client or 'No client'} · total "
            f"{format_money(sale.total_cents, money)} · refunded so far {format_money(sale.refunded_cents, money)}",
            [(key, f"{payment_words(c.payment, money):<28} refundable {format_amount(c.refundable_cents, money)}", None)
             for key, c in by_id.items()]), picked)

    def _ask_refund(self, sale: SaleView, choice: RefundChoice) -> None:
        p, money = choice.payment, sale.currency
        via = "It is refunded through Stripe. " if p.method == "stripe" else (
            "The cash comes out of the drawer. " if p.method == "cash" else "")

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            try:
                cents = parse_amount(values["amount"], money, what="the refund")
            except SalonError as exc:
                self._refused(exc.message)
                return
            reason = values["reason"]
            self._set_summary("a manager's code and PIN, then the refund…")
            self.app.change(Permission.sale_refund, lambda s, loc, actor: (actor, loc),
                            lambda who: self._run_refund(who[0], who[1], sale.id, p.id, cents, reason),
                            self._refused,
                            title=f"A manager's PIN to refund {format_money(cents, money)} of sale {sale.id}")

        self.app.push_screen(FormModal(
            f"Refund from payment {payment_words(p, money)}",
            [Field("amount", f"Amount ({money})", value=format_amount(choice.refundable_cents, money)),
             Field("reason", "Reason (kept in the audit log)")],
            note=f"Up to {format_money(choice.refundable_cents, money)} can be refunded on it (tips are not). "
                 f"{via}A manager's code and PIN are asked next.", ok="Refund", focus="amount"), asked)

    def _run_refund(self, actor: Any, location: LocationView, sale_id: int, payment_id: int, cents: int,
                    reason: str) -> None:
        """The till's refund, then Stripe's for a Stripe payment: the network call is kept off the UI thread."""
        from salon_cli.services.stripe import payments as stripe_payments

        app = self.app
        self._set_summary("refunding…")

        def job() -> None:
            try:
                rows = stripe_payments.refund_sale(app.engine, actor=actor, location=location, sale_id=sale_id,
                                                   reason=reason, amount_cents=cents, payment_id=payment_id)
            except OutsideServiceFailed as exc:  # recorded, then Stripe not reached: the refund waits, pending
                app.call_from_thread(self._refund_failed, f"{exc.message}: the refund waits for Stripe (pending); "
                                     f"send it again from the command line: salon sale resend-refunds {sale_id}")
                return
            except (SalonError, SQLAlchemyError) as exc:
                app.call_from_thread(self._refund_failed, app.describe_failure(exc))
                return
            app.call_from_thread(self._refunded, sale_id, location.currency, rows)

        app.run_worker(job, thread=True, group="refund", exit_on_error=False)

    def _refund_failed(self, text: str) -> None:
        self._refused(text)
        self.data_changed()  # a Stripe refund that could not be sent shows as pending

    def _refunded(self, sale_id: int, currency: str, rows: list[RefundView]) -> None:
        text = f"sale {sale_id}: {refund_words(rows, currency)}"
        refused = any(r.status in ("failed", "cancelled") for r in rows)
        self._set_summary(text, error=refused)
        self.app.notify(text, severity="error" if refused else "information")
        self.data_changed()
        kept = [r for r in rows if r.status in ("succeeded", "pending")]
        if not kept:
            return
        refund_id = kept[-1].id

        def chosen(key: str | None) -> None:
            if key == "receipt":
                self._receipt(sale_id, refund_id)

        self.app.push_screen(ChoiceModal(f"Refund {refund_id} of sale {sale_id}", text,
                                       [("receipt", "Show the refund's receipt", None), ("done", "Done", None)]), chosen)

    # -- void, receipt, checkout -------------------------------------------------------------------

    def action_void(self) -> None:
        from salon_cli.services.till import sales

        sale = self.sale_on_show()
        if sale is None:
            return
        if sale.status != "open":
            self._refused(f"sale {sale.id} is {sale.status.replace('_', ' ')}: only an open sale is voided"
                          + (" (r refunds a paid one)" if sale.status in ("paid", "partially_refunded") else ""))
            return
        sale_id, money = sale.id, sale.currency

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]

            def done(view: SaleView) -> None:
                self.app.notify(f"sale {sale_id} voided")
                self._set_summary(f"sale {sale_id} voided: {view.void_reason}")
                self.data_changed()

            self.app.change(Permission.sale_void, lambda s, loc, actor: sales.void(
                s, actor=actor, location=loc, sale_id=sale_id, reason=reason), done, self._refused,
                title=f"A manager's PIN to void sale {sale_id}")

        self.app.push_screen(FormModal(
            f"Void sale {sale_id} ({sale.client or 'no client'}, {format_money(sale.total_cents, money)})?",
            [Field("reason", "Reason (kept in the audit log)")],
            note="Stock goes back and unsold gift cards die. A manager's code and PIN are asked next.",
            ok="Void"), asked)

    def action_receipt(self) -> None:
        sale = self.sale_on_show()
        if sale is not None:
            self._receipt(sale.id, None)

    def _receipt(self, sale_id: int, refund_id: int | None) -> None:
        from salon_cli.tui.screens.till.receipt import ReceiptScreen

        self.app.push_screen(ReceiptScreen(sale_id, refund_id))

    def action_take_on(self) -> None:
        """An open sale (payments taken, a balance left) carried on in the checkout."""
        from salon_cli.tui.screens.till.checkout import CheckoutScreen

        sale = self.sale_on_show()
        if sale is None:
            return
        if sale.status != "open":
            self._refused(f"sale {sale.id} is {sale.status.replace('_', ' ')}: there is nothing to take")
            return
        self.app.push_screen(CheckoutScreen(sale.appointment_id, sale_id=sale.id))
