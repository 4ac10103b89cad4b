"""The Stripe Terminal part of the checkout: a payment sent to the sale's card reader, polled in a thread
worker (`services.stripe.payments.pay_on_reader`) while the screen says how it goes; Escape asks it to
stop. A mixin of `CheckoutScreen`, which holds the state it uses and provides the screen's doors
(`_change`, `_request`, `_show`, `_set_summary`, `_refused`)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from salon_cli.core.errors import SalonError
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.till.sale_views import SaleView, view


class ReaderPayment:
    """`CheckoutScreen`'s card-reader payments (key 3)."""

    # the screen's state (set in CheckoutScreen.__init__; READER_POLL is CheckoutScreen's class attribute)
    appointment_id: int
    sale: SaleView | None
    tip_cents: int
    busy: bool
    _stop: threading.Event | None
    READER_POLL: float

    # -- Stripe Terminal: the reader is polled in a thread ---------------------------------------------

    def _reader(self, amount: int) -> None:
        """Who acts is settled first (sign-in if needed), then the reader runs in a thread worker and
        tells the screen how it goes."""
        sale = self.sale
        if sale is None:
            return
        tip, sale_id = self.tip_cents, sale.id
        self._change(lambda s, loc, actor: (actor, loc), lambda who: self._run_reader(who[0], who[1], sale_id,
                                                                                      amount, tip))

    def _run_reader(self, actor: Any, location: LocationView, sale_id: int, amount: int, tip: int) -> None:
        app = self.app
        self.busy = True
        stop = self._stop = threading.Event()
        self.refresh_bindings()
        self._set_summary("sending the payment to the card reader…")

        def job() -> None:
            try:
                outcome = stripe_payments.pay_on_reader(
                    app.engine, actor=actor, location=location, sale_id=sale_id,  # type: ignore[attr-defined]
                    gateway=stripe_payments.default_gateway(), amount_cents=amount, tip_cents=tip, poll=self.READER_POLL,
                    stop=stop,
                    progress=lambda text: app.call_from_thread(self._set_summary, f"{text} (Esc cancels)"))
            except (SalonError, SQLAlchemyError) as exc:
                app.call_from_thread(self._reader_done, None, app.describe_failure(exc))  # type: ignore[attr-defined]
                return
            app.call_from_thread(self._reader_done, outcome.ok, outcome.reason, outcome.payment.status)

        app.run_worker(job, thread=True, group="reader", exit_on_error=False)

    def _reader_done(self, ok: bool | None, reason: str | None, status: str = "failed") -> None:
        self.busy, self._stop = False, None
        if ok:
            self.tip_cents = 0
            self.app.notify("card payment succeeded")
            self._finish_after_reader()
            return
        text = (reason or "the reader failed") if ok is None else \
            f"card payment {'not taken' if status == 'cancelled' else 'failed'}: {reason}"
        self._refused(text)
        self._request(open_if_missing=False, then=lambda: self._refused(text))

    def _finish_after_reader(self) -> None:
        """The reader paid the rest: the appointment is completed like after a desk payment."""
        appointment_id = self.appointment_id
        sale_id = self.sale.id if self.sale else 0

        def work(s: Any, loc: LocationView, actor: Any) -> SaleView:
            sale = view(s, sale_id, loc)
            if sale.status == "paid":
                checkout.complete_appointment(s, loc, actor, appointment_id)
            return sale

        self._change(work, self._show)
