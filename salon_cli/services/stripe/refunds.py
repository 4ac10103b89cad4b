"""Stripe's refunds as its events tell them, matched by Stripe's refund id (`services.stripe.apply`).

A refund event names its refund (`refund.created`, `refund.updated`, `charge.refund.updated`, or the
refunds a `charge.refunded` of an older API version lists). A `charge.refunded` of the API versions
since 2022-11-15 lists none: it says only how much of the charge is refunded (`amount_refunded`). What
that holds beyond what is recorded here becomes one *unnamed* refund (no Stripe id, its reason starts
with `UNNAMED`), so that money given back from Stripe's dashboard counts even where no refund event is
subscribed to.

Unnamed refunds give way to named ones. A refund Stripe names that is not recorded here yet takes its
money from the payment's unnamed refunds first: one of the same amount simply becomes it; otherwise they
are cancelled and what they held beyond it stays unnamed in one new refund (`till.payments.replace_refunds`,
one step, the sale settled once). So, whatever order the events come in and however often, the refunds
of a charge here add up to the larger of what its charges said and what its named refunds hold: once
every refund is named, exactly what Stripe refunded, never more.

A charge in an event may be older than a refund's failure (Stripe then lowered `amount_refunded`): a
named refund that failed or was cancelled still counts as recorded when a charge's amount is compared,
so a stale charge never brings its money back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.models import Payment, Refund
from salon_cli.services.salon import business_days
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till import payments, tenders

UNNAMED = "refunded in Stripe (charge "  # how an unnamed refund's reason starts
_STATUS = {"succeeded": "succeeded", "failed": "failed", "canceled": "cancelled", "pending": "pending",
           "requires_action": "pending"}


def status_of(refund: dict[str, Any]) -> str:
    """Our status for a Stripe refund's."""
    return _STATUS.get(str(refund.get("status")), "pending")


def _unnamed(session: Session, payment: Payment) -> list[Refund]:
    return list(session.exec(select(Refund).where(
        Refund.payment_id == payment.id, col(Refund.method) == "stripe", col(Refund.stripe_refund_id).is_(None),
        col(Refund.status) == "succeeded", col(Refund.reason).startswith(UNNAMED, autoescape=True))
        .order_by(col(Refund.id)).with_for_update()).all())


def _counted(session: Session, payment: Payment) -> int:
    """What this payment's refunds here account for of a charge's `amount_refunded`: every refund pending
    or succeeded, and every named one that failed or was cancelled (a charge older than the failure
    counts it)."""
    return int(session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment.id, sa.or_(col(Refund.status).in_(("pending", "succeeded")),
                                                col(Refund.stripe_refund_id).is_not(None)))).one())


def from_charge(session: Session, payment: Payment, charge: dict[str, Any], location: LocationView) -> str:
    """A `charge.refunded` without its refunds: what `amount_refunded` holds beyond what is counted here
    is recorded as one unnamed refund (never more than the payment has left: Stripe's charge also holds
    the tip, which salon does not refund)."""
    missing = int(charge.get("amount_refunded") or 0) - _counted(session, payment)
    if missing <= 0:
        return f"payment {payment.id}: its refunds are all recorded"
    amount = min(missing, payments.refundable_cents(session, payment))
    if amount <= 0:
        return f"payment {payment.id} has nothing left to refund"
    row = _add(session, _row(payment, amount, None, f"{UNNAMED}{charge.get('id')})"), location)
    tenders.refund_outcome(session, row, "succeeded", actor=SYSTEM, location=location)
    return f"refund {row.id} of {row.amount_cents} recorded from the charge"


def named(session: Session, payment: Payment, refund: dict[str, Any], location: LocationView) -> tuple[str, str]:
    """A refund Stripe names that is not recorded here yet (made outside salon: Stripe's dashboard)."""
    refund_id, status = refund.get("id"), status_of(refund)
    guesses = _unnamed(session, payment)
    held = sum(g.amount_cents for g in guesses)
    amount = min(int(refund.get("amount") or 0), payments.refundable_cents(session, payment) + held)
    if amount <= 0:
        return "ignored", f"refund {refund_id}: payment {payment.id} has nothing left to refund"
    same = next((g for g in guesses if g.amount_cents == amount), None)
    if same is not None and status in ("succeeded", "pending"):  # the unnamed refund was this one
        tenders.refund_outcome(session, same, status, actor=SYSTEM, location=location, stripe_refund_id=refund_id)
        return "applied", f"refund {same.id} is {refund_id}"
    reason = str((refund.get("metadata") or {}).get("reason") or refund.get("reason") or "refunded in Stripe")
    if not held:
        row = _add(session, _row(payment, amount, refund_id, reason), location)
        tenders.refund_outcome(session, row, status, actor=SYSTEM, location=location,
                               reason=refund.get("failure_reason"))
        return "applied", f"refund {row.id} {row.status}"
    taken = min(amount, held)
    # what an unnamed refund counted has gone back already: a pending refund it wholly covers counts too
    row = _row(payment, amount, refund_id, reason, "succeeded" if status == "pending" and taken == amount else status)
    row.failure_reason = str(refund.get("failure_reason") or "")[:255] or None
    rest = [_row(payment, held - taken, None, guesses[0].reason, "succeeded")] if held > taken else []
    tenders.replace_refunds(session, guesses, [row, *rest], actor=SYSTEM, location=location,
                            why=f"in place of it, Stripe's refund {refund_id}")
    return "applied", f"refund {row.id} {row.status}, in place of unnamed {', '.join(str(g.id) for g in guesses)}"


def _row(payment: Payment, amount: int, refund_id: str | None, reason: str, status: str = "pending") -> Refund:
    now = clock.now()
    return Refund(sale_id=payment.sale_id, payment_id=payment.id or 0, location_id=payment.location_id,
                  method="stripe", status=status, amount_cents=amount, reason=reason[:255],
                  business_date=now.date(), stripe_refund_id=refund_id, created_at=now, updated_at=now)


def _add(session: Session, row: Refund, location: LocationView) -> Refund:
    """A new pending refund, recorded (its outcome follows through `tenders.refund_outcome`)."""
    row.business_date = business_days.landing_day(session, location)
    session.add(row)
    session.flush()
    payments.audit_row(session, SYSTEM, location, "create", row)
    return row
