"""A Stripe deposit's refund from the dashboard: a cancel or a no-show (the appointment panel, the close's
list) commits the refund `pending` (the till knows no Stripe); this sends it to Stripe right after, in a
worker thread, as `salon appt cancel` and `appt no-show` do."""

from __future__ import annotations

from typing import Any

from salon_cli.services.salon.locations import LocationView


def send_deposit_refund(app: Any, actor: Any, location: LocationView, sale_id: int, done: str) -> None:
    """A Stripe deposit's refund, recorded by the change just committed, sent to Stripe now (in a thread);
    a failure is shown, and the refund waits for the no-show job or `sale resend-refunds`."""
    from salon_cli.core.errors import SalonError
    from salon_cli.services.stripe import deposit_refunds

    def job() -> None:
        try:
            deposit_refunds.send(app.engine, actor=actor, location=location, sale_id=sale_id, done=done)
        except SalonError as exc:
            app.call_from_thread(app.show_error, app.describe_failure(exc))

    app.run_worker(job, thread=True, group="stripe-refund", exit_on_error=False)
