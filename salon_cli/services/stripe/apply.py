"""What a Stripe event does to our records, in the caller's transaction (webhook, ingest, sync).

Events arrive late, twice, or out of order, so nothing here trusts order: each handler reads the
object Stripe sends (the state it was in when the event was made) and moves our rows only forward —
a payment that succeeded stays succeeded, a refund whose charge we have not yet seen succeed proves
the charge succeeded. The payment is found by its PaymentIntent id or, for a payment link whose
PaymentIntent Stripe made later, by the `salon_payment_id` we put in its metadata; metadata is only a
hint, trusted when the object also carries this database's stamp, its payment's amount and currency
(`_by_metadata`). Refunds are matched by Stripe's refund id (`services.stripe.refunds`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from salon_cli.db.models import Location, Payment, Refund
from salon_cli.services.salon import install
from salon_cli.services.stripe import refunds
from salon_cli.services.till import tenders
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
             session_id: str | None = None, claim: dict[str, Any] | None = None,
             amount_key: str = "amount") -> Payment | None:
    """Our payment for an object: by its Stripe ids, else by the metadata of `claim` (the object itself)."""
    row = None
    if intent_id:
        row = session.exec(select(Payment).where(Payment.stripe_payment_intent_id == intent_id).with_for_update()).first()
    if row is None and charge_id:
        row = session.exec(select(Payment).where(Payment.stripe_charge_id == charge_id).with_for_update()).first()
    if row is None and session_id:
        row = session.exec(select(Payment).where(Payment.stripe_checkout_session_id == session_id)
                           .with_for_update()).first()
    if row is None and claim is not None:
        row = _by_metadata(session, claim, intent_id, amount_key)
    return row


class _NotOurs(Exception):
    """An object whose metadata names one of our payments, but which is not this database's: the event is
    ignored with this note and changes nothing."""


def _by_metadata(session: Session, obj: dict[str, Any], intent_id: str | None, amount_key: str) -> Payment | None:
    """The payment our metadata names. Metadata is only a hint: two salon databases may share one Stripe
    account and a location code, so the object must carry this database's stamp, name the payment's sale
    and location, be for its amount (with the tip) in its location's currency, and not contradict a
    PaymentIntent we already know for it; otherwise _NotOurs."""
    metadata = obj.get("metadata") or {}
    payment_id = _our_id(metadata.get("salon_payment_id"))
    row = session.get(Payment, payment_id, with_for_update=True) if payment_id is not None else None
    if row is None:
        return None
    why = _not_ours(session, row, obj, metadata, intent_id, amount_key)
    if why is not None:
        raise _NotOurs(f"{obj.get('object') or 'object'} {obj.get('id')} names payment {payment_id} "
                       f"in its metadata, but {why}")
    return row


def _not_ours(session: Session, row: Payment, obj: dict[str, Any], metadata: dict[str, Any], intent_id: str | None,
              amount_key: str) -> str | None:
    place = session.get(Location, row.location_id)
    stamp = install.install_id(session)
    if row.method != "stripe" or place is None:
        return "that payment is not a Stripe payment"
    if stamp is None or metadata.get("salon_install") != stamp:
        return "it was not made by this database (its salon_install stamp is another's)"
    if str(metadata.get("salon_sale_id")) != str(row.sale_id) or metadata.get("salon_location") != place.code:
        return "its sale or location is not that payment's"
    if intent_id and row.stripe_payment_intent_id and row.stripe_payment_intent_id != intent_id:
        return f"that payment is {row.stripe_payment_intent_id}'s"
    amount, currency = obj.get(amount_key), str(obj.get("currency") or "").lower()
    due = row.amount_cents + row.tip_cents
    if amount != due or currency != place.currency.lower():
        return f"it is for {amount} {currency}, that payment for {due} {place.currency.lower()}"
    return None


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
    try:
        return _apply(session, kind, obj)
    except _NotOurs as other:
        return "ignored", str(other)


def _apply(session: Session, kind: str, obj: dict[str, Any]) -> tuple[str, str]:
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
    payment = _payment(session, intent_id=pi.get("id"), claim=pi)
    if payment is None:
        return "ignored", f"no payment of ours for {pi.get('id')}"
    location = _location(session, payment.location_id)
    changed = tenders.succeed(session, payment, actor=SYSTEM, location=location,
                               charge_id=_id(pi.get("latest_charge")), intent_id=pi.get("id"))
    return "applied", f"payment {payment.id} " + ("succeeded" if changed else "had already succeeded")


def _intent_failed(session: Session, pi: dict[str, Any]) -> tuple[str, str]:
    payment = _payment(session, intent_id=pi.get("id"), claim=pi)
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
    payment = _payment(session, intent_id=_id(charge.get("payment_intent")), charge_id=charge.get("id"), claim=charge)
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
        notes.append(refunds.from_charge(session, payment, charge, location))
    return "applied", "; ".join(notes)


def _refund(session: Session, refund: dict[str, Any], *, payment: Payment | None = None) -> tuple[str, str]:
    refund_id = refund.get("id")
    row = session.exec(select(Refund).where(Refund.stripe_refund_id == refund_id).with_for_update()).first()
    row = row or _asked_by_us(session, refund)
    if payment is None:
        payment = (session.get(Payment, row.payment_id, with_for_update=True) if row is not None else
                   _payment(session, intent_id=_id(refund.get("payment_intent")), charge_id=_id(refund.get("charge"))))
    if payment is None:
        return "ignored", f"no payment of ours for refund {refund_id}"
    location = _location(session, payment.location_id)
    # a refund exists only for a charge that succeeded, whatever order the events came in
    tenders.succeed(session, payment, actor=SYSTEM, location=location, charge_id=_id(refund.get("charge")))
    if row is None:
        return refunds.named(session, payment, refund, location)
    status = refunds.status_of(refund)
    changed = tenders.refund_outcome(session, row, status, actor=SYSTEM, location=location,
                                      reason=refund.get("failure_reason"), stripe_refund_id=refund_id)
    return "applied", f"refund {row.id} " + (status if changed else f"stays {row.status}")


def _asked_by_us(session: Session, refund: dict[str, Any]) -> Refund | None:
    """A refund salon asked Stripe for whose answer never came back, named by the `salon_refund_id` of
    its metadata: only for that refund's own payment's PaymentIntent and amount (another database's
    refund may carry the same number)."""
    ours = _our_id((refund.get("metadata") or {}).get("salon_refund_id"))
    row = session.get(Refund, ours, with_for_update=True) if ours is not None else None
    if row is None or row.stripe_refund_id not in (None, refund.get("id")) or row.amount_cents != refund.get("amount"):
        return None
    payment = session.get(Payment, row.payment_id)
    intent = payment.stripe_payment_intent_id if payment is not None else None
    return row if intent and intent == _id(refund.get("payment_intent")) else None


def _session_completed(session: Session, checkout: dict[str, Any]) -> tuple[str, str]:
    if checkout.get("mode") not in (None, "payment"):
        return "ignored", f"checkout session in {checkout.get('mode')} mode"
    payment = _payment(session, intent_id=_id(checkout.get("payment_intent")), session_id=checkout.get("id"),
                       claim=checkout, amount_key="amount_total")
    if payment is None:
        return "ignored", f"no payment of ours for {checkout.get('id')}"
    if checkout.get("payment_status") != "paid":
        return "ignored", f"checkout session {checkout.get('id')} is not paid yet"
    location = _location(session, payment.location_id)
    changed = tenders.succeed(session, payment, actor=SYSTEM, location=location,
                               intent_id=_id(checkout.get("payment_intent")))
    return "applied", f"payment {payment.id} " + ("succeeded" if changed else "had already succeeded")


__all__ = ["HANDLED_TYPES", "apply"]
