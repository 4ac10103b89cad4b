"""What a Stripe event does to our records, in the caller's transaction (webhook, ingest, sync).

Events arrive late, twice, or out of order, so nothing here trusts order: each handler reads the
object Stripe sends (the state it was in when the event was made) and moves our rows only forward —
a payment that succeeded stays succeeded, a refund whose charge we have not yet seen succeed proves
the charge succeeded. The payment is found by its PaymentIntent id or, for a payment link whose
PaymentIntent Stripe made later, by the `salon_payment_id` we put in its metadata.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import Location, Payment, Refund
from salon_cli.services.salon import business_days
from salon_cli.services.till import payments, tenders
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.services.salon.locations import LocationView

HANDLED_TYPES = (
    "payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded", "charge.refund.updated",
    "refund.created", "refund.updated", "checkout.session.completed",
)
_TEXT = ("status", "mode", "payment_status", "failure_reason", "reason")
_EXPANDABLE = ("id", "latest_charge", "payment_intent", "charge")  # an id, or the object itself
_OBJECTS = ("metadata", "last_payment_error")
_AMOUNTS = ("amount", "amount_refunded")
_ID_MAX = 64  # our columns of Stripe ids
_REFUND_STATUS = {"succeeded": "succeeded", "failed": "failed", "canceled": "cancelled", "pending": "pending",
                  "requires_action": "pending"}


def _id(value: Any) -> str | None:
    """An expandable field: an id string, or the object itself."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _malformed(obj: Any) -> str | None:
    """Why an event's object is not one Stripe writes (a field of another JSON type, an id too long
    for our columns), or None. Checked before anything is applied: such an event is genuine (it is
    signed) but cannot be read, and delivering it again would not change that, so it is ignored
    with this note rather than failed for ever (or half applied)."""
    if not isinstance(obj, dict):
        return "its data.object is not a JSON object"
    for name in _EXPANDABLE:
        value = obj.get(name)
        ident = value.get("id") if isinstance(value, dict) and name != "id" else value
        if ident is not None and not (isinstance(ident, str) and len(ident) <= _ID_MAX):
            return f"its {name} is not an id"
    for name, kind, what in ((_TEXT, str, "text"), (_OBJECTS, dict, "an object")):
        for field in name:
            if obj.get(field) is not None and not isinstance(obj[field], kind):
                return f"its {field} is not {what}"
    for name in _AMOUNTS:
        value = obj.get(name)
        if value is not None and not (type(value) is int and 0 <= value < 2**63):
            return f"its {name} is not an amount in minor units"
    refunds = obj.get("refunds")
    if refunds is not None:
        listed = refunds.get("data") if isinstance(refunds, dict) else None
        if not isinstance(refunds, dict) or not isinstance(listed, list | None):
            return "its refunds are not a list"
        for refund in listed or []:
            if (why := _malformed(refund)) is not None:
                return f"a refund in it: {why}"
    return None


def _our_id(value: Any) -> int | None:
    """An id of ours as our metadata carries it ("12"), or None."""
    text = str(value if value is not None else "")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def _payment(session: Session, *, intent_id: str | None = None, charge_id: str | None = None,
             session_id: str | None = None, metadata: dict[str, Any] | None = None) -> Payment | None:
    row = None
    if intent_id:
        row = session.exec(select(Payment).where(Payment.stripe_payment_intent_id == intent_id).with_for_update()).first()
    if row is None and charge_id:
        row = session.exec(select(Payment).where(Payment.stripe_charge_id == charge_id).with_for_update()).first()
    if row is None and session_id:
        row = session.exec(select(Payment).where(Payment.stripe_checkout_session_id == session_id)
                           .with_for_update()).first()
    if row is None and metadata and (payment_id := _our_id(metadata.get("salon_payment_id"))) is not None:
        row = session.get(Payment, payment_id, with_for_update=True)
        if row is not None and not _ours(session, row, metadata, intent_id):
            row = None  # metadata naming a payment that is not this one (another database, another salon)
    return row


def _ours(session: Session, row: Payment, metadata: dict[str, Any], intent_id: str | None) -> bool:
    """Metadata is only a hint: it must name this payment's sale and location, and an intent we already
    know for the payment must be this one."""
    if row.method != "stripe" or str(metadata.get("salon_sale_id")) != str(row.sale_id):
        return False
    place = session.get(Location, row.location_id)
    if place is None or metadata.get("salon_location") != place.code:
        return False
    return not (intent_id and row.stripe_payment_intent_id and row.stripe_payment_intent_id != intent_id)


def _location(session: Session, location_id: int) -> LocationView:
    row = session.get(Location, location_id)
    assert row is not None
    return LocationView.of(row)


def apply(session: Session, event: dict[str, Any]) -> tuple[str, str]:
    """Apply one event; returns ("applied" | "ignored", a note)."""
    kind = str(event.get("type", ""))
    data = event.get("data")
    obj = (data.get("object") if isinstance(data, dict) else data) or {}
    if kind in HANDLED_TYPES and (why := _malformed(obj)) is not None:
        return "ignored", f"{kind} not read: {why}"
    if kind == "payment_intent.succeeded":
        return _intent_succeeded(session, obj)
    if kind == "payment_intent.payment_failed":
        return _intent_failed(session, obj)
    if kind == "charge.refunded":
        return _charge_refunded(session, obj)
    if kind in ("charge.refund.updated", "refund.created", "refund.updated"):
        return _refund(session, obj)
    if kind == "checkout.session.completed":
        return _session_completed(session, obj)
    return "ignored", f"{kind or 'an event without a type'} is not a type salon applies"


def _intent_succeeded(session: Session, pi: dict[str, Any]) -> tuple[str, str]:
    payment = _payment(session, intent_id=pi.get("id"), metadata=pi.get("metadata"))
    if payment is None:
        return "ignored", f"no payment of ours for {pi.get('id')}"
    location = _location(session, payment.location_id)
    changed = tenders.succeed(session, payment, actor=SYSTEM, location=location,
                               charge_id=_id(pi.get("latest_charge")), intent_id=pi.get("id"))
    return "applied", f"payment {payment.id} " + ("succeeded" if changed else "had already succeeded")


def _intent_failed(session: Session, pi: dict[str, Any]) -> tuple[str, str]:
    payment = _payment(session, intent_id=pi.get("id"), metadata=pi.get("metadata"))
    if payment is None:
        return "ignored", f"no payment of ours for {pi.get('id')}"
    error = pi.get("last_payment_error") or {}
    reason = str(error.get("message") or "the payment failed")
    code = error.get("decline_code") or error.get("code")
    location = _location(session, payment.location_id)
    if payment.stripe_payment_intent_id is None and pi.get("id"):
        payment.stripe_payment_intent_id = pi["id"]
    changed = tenders.fail(session, payment, f"{reason} ({code})" if code else reason, actor=SYSTEM,
                            location=location)
    return "applied", f"payment {payment.id} " + ("failed" if changed else f"stays {payment.status}")


def _charge_refunded(session: Session, charge: dict[str, Any]) -> tuple[str, str]:
    payment = _payment(session, intent_id=_id(charge.get("payment_intent")), charge_id=charge.get("id"),
                       metadata=charge.get("metadata"))
    if payment is None:
        return "ignored", f"no payment of ours for charge {charge.get('id')}"
    location = _location(session, payment.location_id)
    if charge.get("status") == "succeeded" or charge.get("paid"):
        tenders.succeed(session, payment, actor=SYSTEM, location=location, charge_id=charge.get("id"))
    notes = []
    listed = (charge.get("refunds") or {}).get("data")
    for refund in listed or []:
        notes.append(_refund(session, refund, payment=payment)[1])
    if not listed:  # API versions since 2022-11-15 leave the refunds out of a Charge
        notes.append(_unlisted_refund(session, payment, charge, location))
    return "applied", "; ".join(notes)


def _unlisted_refund(session: Session, payment: Payment, charge: dict[str, Any], location: LocationView) -> str:
    """Record what Stripe refunded beyond the refunds we know of, as one refund without a Stripe id; a
    later event naming that refund links to it instead of adding another."""
    known = sum(r.amount_cents for r in session.exec(select(Refund).where(
        Refund.payment_id == payment.id, col(Refund.status).in_(("pending", "succeeded")))).all())
    missing = int(charge.get("amount_refunded") or 0) - known
    if missing <= 0:
        return f"payment {payment.id}: its refunds are all recorded"
    row = _new_refund(session, payment, location, missing, None, f"refunded in Stripe (charge {charge.get('id')})")
    tenders.refund_outcome(session, row, "succeeded", actor=SYSTEM, location=location)
    return f"refund {row.id} of {row.amount_cents} recorded from the charge"


def _new_refund(session: Session, payment: Payment, location: LocationView, amount: int, refund_id: str | None,
                reason: str) -> Refund:
    """A refund made outside salon (Stripe's dashboard); never more than the payment has left to refund
    (Stripe's charge also holds the tip, which salon does not refund)."""
    amount = min(amount, payments.refundable_cents(session, payment))
    if amount <= 0:
        raise _Nothing(f"payment {payment.id} has nothing left to refund")
    row = Refund(sale_id=payment.sale_id, payment_id=payment.id or 0, location_id=payment.location_id,
                 method="stripe", status="pending", amount_cents=amount, reason=reason[:255],
                 business_date=business_days.landing_day(session, location), stripe_refund_id=refund_id,
                 created_at=clock.now(), updated_at=clock.now())
    session.add(row)
    session.flush()
    payments.audit_row(session, SYSTEM, location, "create", row)
    return row


class _Nothing(Exception):
    """A refund event with nothing left to record."""


def _refund(session: Session, refund: dict[str, Any], *, payment: Payment | None = None) -> tuple[str, str]:
    refund_id = refund.get("id")
    row = session.exec(select(Refund).where(Refund.stripe_refund_id == refund_id).with_for_update()).first()
    if row is None and (refund_id_ours := _our_id((refund.get("metadata") or {}).get("salon_refund_id"))) is not None:
        candidate = session.get(Refund, refund_id_ours, with_for_update=True)
        if candidate is not None and candidate.stripe_refund_id in (None, refund_id):
            row = candidate
    if payment is None:
        payment = (session.get(Payment, row.payment_id, with_for_update=True) if row is not None else
                   _payment(session, intent_id=_id(refund.get("payment_intent")), charge_id=_id(refund.get("charge"))))
    if payment is None:
        return "ignored", f"no payment of ours for refund {refund_id}"
    location = _location(session, payment.location_id)
    # a refund exists only for a charge that succeeded, whatever order the events came in
    tenders.succeed(session, payment, actor=SYSTEM, location=location, charge_id=_id(refund.get("charge")))
    status = _REFUND_STATUS.get(str(refund.get("status")), "pending")
    if row is None:
        amount = int(refund.get("amount") or 0)
        if amount <= 0:
            return "ignored", f"refund {refund_id} has no amount"
        row = session.exec(select(Refund).where(  # recorded earlier from a charge.refunded without its id
            Refund.payment_id == payment.id, col(Refund.stripe_refund_id).is_(None), col(Refund.method) == "stripe",
            col(Refund.reason).like("refunded in Stripe (charge %"), col(Refund.amount_cents) <= amount)
            .with_for_update()).first()
        if row is None:
            reason = str((refund.get("metadata") or {}).get("reason") or refund.get("reason") or "refunded in Stripe")
            try:
                row = _new_refund(session, payment, location, amount, refund_id, reason)
            except _Nothing as nothing:
                return "ignored", str(nothing)
    changed = tenders.refund_outcome(session, row, status, actor=SYSTEM, location=location,
                                      reason=refund.get("failure_reason"), stripe_refund_id=refund_id)
    return "applied", f"refund {row.id} " + (status if changed else f"stays {row.status}")


def _session_completed(session: Session, checkout: dict[str, Any]) -> tuple[str, str]:
    if checkout.get("mode") not in (None, "payment"):
        return "ignored", f"checkout session in {checkout.get('mode')} mode"
    payment = _payment(session, intent_id=_id(checkout.get("payment_intent")), session_id=checkout.get("id"),
                       metadata=checkout.get("metadata"))
    if payment is None:
        return "ignored", f"no payment of ours for {checkout.get('id')}"
    if checkout.get("payment_status") != "paid":
        return "ignored", f"checkout session {checkout.get('id')} is not paid yet"
    location = _location(session, payment.location_id)
    changed = tenders.succeed(session, payment, actor=SYSTEM, location=location,
                               intent_id=_id(checkout.get("payment_intent")))
    return "applied", f"payment {payment.id} " + ("succeeded" if changed else "had already succeeded")


__all__ = ["HANDLED_TYPES", "apply"]
