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
from salon_cli.core.money import format_amount, parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.refund_choices import RefundChoice, RefundChoices, refund_choices
from salon_cli.services.till.sale_views import PaymentView, RefundView, SaleView
from salon_cli.tui.screens.modals import ChoiceModal, Field, FormModal
from salon_cli.tui.screens.till.sale_words import method_words, payment_status, status_words
from salon_cli.tui.words import describe

SALE_BINDINGS = [
    Binding("r", "refund", N_("Refund"), id="sale-refund"),
    Binding("v", "void", N_("Void"), id="sale-void"),
    Binding("p", "receipt", N_("Receipt"), id="sale-receipt"),
    Binding("o", "take_on", N_("Checkout"), id="sale-checkout"),
]


def payment_words(p: PaymentView, currency: str) -> str:
    """'#176 card MX$300.00' / '#180 gift card G7K2-… MX$150.00' (a gift card named by its code)."""
    card = f" {p.gift_card}" if p.gift_card else ""
    return f"#{p.id} {method_words(p.method)}{card} {formats.money(p.amount_cents, currency)}"


def refund_words(rows: list[RefundView], currency: str) -> str:
    """What a refund came to: done, waiting for Stripe, refused by Stripe."""
    def total(status: str) -> int:
        return sum(r.amount_cents for r in rows if r.status == status)

    parts = []
    if total("succeeded"):
        parts.append(_("refunded {amount}").format(amount=formats.money(total("succeeded"), currency)))
    if total("pending"):
        parts.append(_("{amount} waiting for Stripe").format(amount=formats.money(total("pending"), currency)))
    for row in rows:
        if row.status in ("failed", "cancelled"):
            why = row.failure_reason or payment_status(row.status)
            parts.append(_("Stripe refused {amount}: {why}").format(amount=formats.money(row.amount_cents, currency),
                                                                    why=why))
    return "; ".join(parts) or _("nothing refunded")


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
        self._set_summary(_("refused: {why}").format(why=text), error=True)
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
            self._refused(_("sale {id} has nothing left to refund").format(id=sale.id))
            return
        if len(found.choices) == 1:
            self._ask_refund(sale, found.choices[0])
            return
        by_id = {str(c.payment.id): c for c in found.choices}

        def picked(key: str | None) -> None:
            if key is not None and key in by_id:
                self._ask_refund(sale, by_id[key])

        self.app.push_screen(ChoiceModal(
            _("Refund sale {id}: from which payment?").format(id=sale.id),
            _("{client} · total {total} · refunded so far {refunded}").format(
                client=sale.client or _("No client"), total=formats.money(sale.total_cents, money),
                refunded=formats.money(sale.refunded_cents, money)),
            [(key, f"{payment_words(c.payment, money):<28} " + _("refundable {amount}").format(
                amount=formats.money(c.refundable_cents, money)), None) for key, c in by_id.items()]), picked)

    def _ask_refund(self, sale: SaleView, choice: RefundChoice) -> None:
        p, money = choice.payment, sale.currency
        via = _("It is refunded through Stripe.") + " " if p.method == "stripe" else (
            _("The cash comes out of the drawer.") + " " if p.method == "cash" else "")

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            try:
                cents = parse_amount(values["amount"], money, what=_("the refund"))
            except SalonError as exc:
                self._refused(describe(exc))
                return
            reason = values["reason"]
            self._set_summary(_("a manager's code and PIN, then the refund…"))
            self.app.change(Permission.sale_refund, lambda s, loc, actor: (actor, loc),
                            lambda who: self._run_refund(who[0], who[1], sale.id, p.id, cents, reason),
                            self._refused,
                            title=_("A manager's PIN to refund {amount} of sale {id}").format(
                                amount=formats.money(cents, money), id=sale.id))

        self.app.push_screen(FormModal(
            _("Refund from payment {payment}").format(payment=payment_words(p, money)),
            [Field("amount", _("Amount ({currency})").format(currency=money),
                   value=format_amount(choice.refundable_cents, money)),  # an Input's value: parsed back
             Field("reason", _("Reason (kept in the audit log)"))],
            note=_("Up to {amount} can be refunded on it (tips are not).").format(
                amount=formats.money(choice.refundable_cents, money)) + " " + via
            + _("A manager's code and PIN are asked next."), ok=_("Refund"), focus="amount"), asked)

    def _run_refund(self, actor: Any, location: LocationView, sale_id: int, payment_id: int, cents: int,
                    reason: str) -> None:
        """The till's refund, then Stripe's for a Stripe payment: the network call is kept off the UI thread."""
        from salon_cli.services.stripe import payments as stripe_payments

        app = self.app
        self._set_summary(_("refunding…"))

        def job() -> None:
            try:
                rows = stripe_payments.refund_sale(app.engine, actor=actor, location=location, sale_id=sale_id,
                                                   reason=reason, amount_cents=cents, payment_id=payment_id)
            except OutsideServiceFailed as exc:  # recorded, then Stripe not reached: the refund waits, pending
                app.call_from_thread(self._refund_failed, _(
                    "{why}: the refund waits for Stripe (pending); send it again from the command line: "
                    "salon sale resend-refunds {sale_id}").format(why=describe(exc), sale_id=sale_id))
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
        text = _("sale {id}: {what}").format(id=sale_id, what=refund_words(rows, currency))
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

        self.app.push_screen(ChoiceModal(
            _("Refund {refund} of sale {sale}").format(refund=refund_id, sale=sale_id), text,
            [("receipt", _("Show the refund's receipt"), None), ("done", _("Done"), None)]), chosen)

    # -- void, receipt, checkout -------------------------------------------------------------------

    def action_void(self) -> None:
        from salon_cli.services.till import sales

        sale = self.sale_on_show()
        if sale is None:
            return
        if sale.status != "open":
            self._refused(_("sale {id} is {status}: only an open sale is voided").format(
                id=sale.id, status=status_words(sale.status))
                + (" " + _("(r refunds a paid one)") if sale.status in ("paid", "partially_refunded") else ""))
            return
        sale_id, money = sale.id, sale.currency

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]

            def done(view: SaleView) -> None:
                self.app.notify(_("sale {id} voided").format(id=sale_id))
                self._set_summary(_("sale {id} voided: {reason}").format(id=sale_id, reason=view.void_reason))
                self.data_changed()

            self.app.change(Permission.sale_void, lambda s, loc, actor: sales.void(
                s, actor=actor, location=loc, sale_id=sale_id, reason=reason), done, self._refused,
                title=_("A manager's PIN to void sale {id}").format(id=sale_id))

        self.app.push_screen(FormModal(
            _("Void sale {id} ({client}, {total})?").format(id=sale_id, client=sale.client or _("no client"),
                                                            total=formats.money(sale.total_cents, money)),
            [Field("reason", _("Reason (kept in the audit log)"))],
            note=_("Stock goes back and unsold gift cards die. A manager's code and PIN are asked next."),
            ok=_("Void")), asked)

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
            self._refused(_("sale {id} is {status}: there is nothing to take").format(
                id=sale.id, status=status_words(sale.status)))
            return
        self.app.push_screen(CheckoutScreen(sale.appointment_id, sale_id=sale.id))
