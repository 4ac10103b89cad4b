"""A deposit paid through Stripe goes back through Stripe (DESIGN.md: deposits).

`till.deposits` settles a deposit in the transaction that cancels the visit or marks the no-show; the
till knows no Stripe, so a Stripe deposit's refund is recorded there `pending`. Right after that commit,
whoever made the change (`appt cancel`, `appt no-show`, the dashboard, the no-show job) hands those
refunds to Stripe here, as `sale refund` does with its own.

If Stripe cannot be reached (or is not set up), the visit's change stands and the refund waits,
`pending`, with nothing counted as refunded. The error says so; the next run of the no-show job sends
every deposit refund still waiting, and `salon sale resend-refunds SALE` sends one sale's. Both ask with
the same idempotency key, so Stripe never refunds twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from salon_cli.core.errors import OutsideServiceFailed, SalonError
from salon_cli.db.models import Payment, Refund
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.stripe import payments as stripe_payments
from salon_cli.services.stripe.gateway import StripeGateway, StripeNotConfigured

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def waiting(session: Session, location: LocationView, sale_id: int | None = None) -> list[int]:
    """Ids of Stripe deposit refunds recorded and not yet accepted by Stripe, oldest first."""
    query = select(Refund.id).join(Payment, col(Payment.id) == Refund.payment_id).where(
        Refund.location_id == location.id, col(Refund.method) == "stripe", col(Refund.status) == "pending",
        col(Refund.stripe_refund_id).is_(None), col(Payment.purpose) == "deposit")
    if sale_id is not None:
        query = query.where(Refund.sale_id == sale_id)
    return [int(i or 0) for i in session.exec(query.order_by(col(Refund.id))).all()]


def send(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int | None = None,
         done: str | None = None, gateway_factory: Callable[[], StripeGateway] | None = None) -> int:
    """Send the deposit refunds waiting (one sale's, or the location's); how many were handed to Stripe.

    `done` says what stands when Stripe fails ("appointment 12 is cancelled"): the error keeps its exit
    code (5 unreachable, 1 not set up) and its hint says how the refund gets sent later."""
    with UnitOfWork(engine, write=False) as uow:
        ids = waiting(uow.session, location, sale_id)
    if not ids:
        return 0
    try:
        gateway = (gateway_factory or stripe_payments.default_gateway)()
        stripe_payments.send_refunds(engine, actor=actor, location=location, refund_ids=ids, gateway=gateway)
    except (OutsideServiceFailed, StripeNotConfigured) as exc:
        raise _waits(exc, len(ids), sale_id, done) from exc
    return len(ids)


def _waits(exc: SalonError, count: int, sale_id: int | None, done: str | None) -> SalonError:
    plural = count != 1
    what = f"{count} deposit refund{'s' if plural else ''} through Stripe wait{'' if plural else 's'}"
    later = (f"salon sale resend-refunds {sale_id}" if sale_id is not None else "salon sale resend-refunds SALE")
    hint = (f"{done}; " if done else "") + f"{what}: {later} sends {'them' if plural else 'it'} (so does the next " \
        "detect-no-shows run)" + (f"; {exc.hint}" if exc.hint else "")
    failure = type(exc)(f"{exc.message}; {what}", hint=hint)
    return failure
