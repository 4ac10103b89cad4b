"""The Stripe Terminal part of the checkout: a payment sent to the sale's card reader, polled in a thread
worker (`services.stripe.payments.pay_on_reader`) while the screen says how it goes; Escape asks it to
stop. Before the reader is asked, the sale is opened if it was a draft, a booked visit is checked in and
the automatic offers go on (what comes before money: `services.checkout.ticket.before_money`). A mixin of `CheckoutScreen`, which holds the state it
uses and provides the screen's doors (`_change`, `_request`, `_loaded`, `_set_summary`, `_refused`)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from salon_cli.core.errors import SalonError
from salon_cli.i18n import _
from salon_cli.services.checkout import ticket
from salon_cli.services.checkout.ticket import Desk, Ticket
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till.sale_views import SaleView


class ReaderPayment:
    """`CheckoutScreen`'s card-reader payments (key 3)."""

    # the screen's state (set in CheckoutScreen.__init__; READER_POLL is CheckoutScreen's class attribute)
    desk: Desk
    sale: SaleView | None
    created_sale_id: int | None
    tip_cents: int
    busy: bool
    _stop: threading.Event | None
    READER_POLL: float

    # -- Stripe Terminal: the reader is polled in a thread ---------------------------------------------

    def _reader(self, amount: int) -> None:
        """Who acts is settled first (sign-in if needed) in the change that opens the sale if need be and
        checks a booked visit in; then the reader runs in a thread worker and tells the screen how it goes."""
        desk, tip, opening = self.desk, self.tip_cents, self.sale is None

        def work(s: Any, loc: LocationView, actor: Any) -> tuple[Any, LocationView, int]:
            sale_id = ticket.ensure_sale(s, loc, actor, desk)
            ticket.before_money(s, loc, actor, sale_id)  # checked in, the automatic offers on
            return actor, loc, sale_id

        def ready(who: tuple[Any, LocationView, int]) -> None:
            actor, location, sale_id = who
            if opening:
                self.created_sale_id = sale_id
            self.desk = replace(desk, sale_id=sale_id)
            self._run_reader(actor, location, sale_id, amount, tip)

        self._change(work, ready)

    def _run_reader(self, actor: Any, location: LocationView, sale_id: int, amount: int, tip: int) -> None:
        app = self.app
        self.busy = True
        stop = self._stop = threading.Event()
        self.refresh_bindings()
        self._set_summary(_("sending the payment to the card reader…"))

        def job() -> None:
            try:
                outcome = stripe_payments.pay_on_reader(
                    app.engine, actor=actor, location=location, sale_id=sale_id,  # type: ignore[attr-defined]
                    gateway=stripe_payments.default_gateway(), amount_cents=amount, tip_cents=tip, poll=self.READER_POLL,
                    stop=stop,
                    progress=lambda text: app.call_from_thread(self._set_summary,
                                                               _("{progress} (Esc cancels)").format(progress=text)))
            except (SalonError, SQLAlchemyError) as exc:
                app.call_from_thread(self._reader_done, None, app.describe_failure(exc))  # type: ignore[attr-defined]
                return
            app.call_from_thread(self._reader_done, outcome.ok, outcome.reason, outcome.payment.status)

        app.run_worker(job, thread=True, group="reader", exit_on_error=False)

    def _reader_done(self, ok: bool | None, reason: str | None, status: str = "failed") -> None:
        self.busy, self._stop = False, None
        if ok:
            self.tip_cents = 0
            self.app.notify(_("card payment succeeded"))
            self._finish_after_reader()
            return
        text = (reason or _("the reader failed")) if ok is None else \
            (_("card payment not taken: {why}") if status == "cancelled" else _("card payment failed: {why}")).format(
                why=reason)
        self._refused(text)
        self._request(then=lambda: self._refused(text))

    def _finish_after_reader(self) -> None:
        """The reader paid the rest: the appointment is completed like after a desk payment."""
        desk = self.desk

        def work(s: Any, loc: LocationView, actor: Any) -> Ticket:
            loaded = ticket.load(s, loc, desk)
            if loaded.sale is not None and loaded.sale.status == "paid" and loaded.appointment is not None:
                ticket.complete_appointment(s, loc, actor, loaded.appointment.id)
                loaded = ticket.load(s, loc, desk)
            return loaded

        self._change(work, self._loaded)
