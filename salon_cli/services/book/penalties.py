"""Penalties: the fee for a no-show or a late cancellation, one per appointment (by constraint).

The amount follows the location's policy when the penalty is created: a percentage of the booked
price (rounded half up) or a fixed amount; zero means no penalty. A penalty is `pending` until it is
paid at the desk (`paid`, through a sale with the fee as a line: `till.penalty_fees`), charged to a
saved card (`charged`, then `paid` when Stripe confirms: `services.stripe.payments.charge_penalty`),
fails to charge (`failed`, with the reason) or is waived by a manager with a reason (`waived`). A
waived penalty is never charged or paid, and stays waived whatever runs later. The till tells this
module when a sale carrying a fee is paid or its payment fails (`paid_by_sale`, `failed_with_payment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import day_bounds
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.money import percent_of
from salon_cli.core.permissions import Permission
from salon_cli.db.models import PENALTY_STATUSES, Appointment, Client, Penalty, Policy, SaleLine, Staff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

_OPEN = ("pending", "failed")  # may still be paid, charged or waived
_REASON_MAX = 255


@dataclass(frozen=True)
class PenaltyView:
    """A penalty as SPEC.md shows it, with its appointment and who waived or took it."""

    id: int
    appointment_id: int
    client_id: int | None
    client: str
    kind: str
    amount_cents: int
    status: str
    reason: str
    appointment_at: datetime
    created_at: datetime
    waived_by: str | None
    waived_at: datetime | None
    waive_reason: str | None
    paid_method: str | None
    paid_at: datetime | None
    failure_reason: str | None


def fee(kind: str, value: int, price_cents: int) -> int:
    """The policy's fee for an appointment of `price_cents`: percent (basis points) or fixed."""
    if kind == "pct":
        return percent_of(price_cents, value)
    return value


def policy_fee(policy: Policy, penalty_kind: str, price_cents: int) -> int:
    if penalty_kind == "no_show":
        return fee(policy.no_show_fee_kind, policy.no_show_fee_value, price_cents)
    return fee(policy.late_cancel_fee_kind, policy.late_cancel_fee_value, price_cents)


def reason_for(kind: str, service: str, starts_at: datetime, location: LocationView) -> str:
    what = "no-show" if kind == "no_show" else "late cancellation"
    return f"{what}: {service}, {starts_at.astimezone(location.tz):%Y-%m-%d %H:%M}"[:_REASON_MAX]


def insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert penalties; one that its appointment already has is left as it is (the constraint)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect in use: its INSERT ... ON CONFLICT
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(Penalty.__table__).on_conflict_do_nothing(index_elements=["appointment_id"]), rows)


def create(session: Session, *, actor: Actor, location: LocationView, appt: Appointment, kind: str,
           amount_cents: int, service: str) -> Penalty | None:
    """The penalty of one appointment (None when the fee is zero or there is no client to owe it)."""
    if amount_cents <= 0 or appt.client_id is None:
        return None
    now = clock.now()
    insert_ignoring_duplicates(session, [{
        "location_id": location.id, "appointment_id": appt.id, "client_id": appt.client_id, "kind": kind,
        "amount_cents": amount_cents, "status": "pending", "created_at": now, "created_by_id": actor.id,
        "reason": reason_for(kind, service, appt.starts_at, location),
    }])
    row = session.exec(select(Penalty).where(Penalty.appointment_id == appt.id)).one()
    audit.record(session, actor=actor, action="penalty.create", entity="penalty", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return row


# ----------------------------------------------------------------------------- reading

def _query():  # type: ignore[no-untyped-def]
    waiver = aliased(Staff)
    return (select(Penalty, Appointment, Client, waiver)
            .join(Appointment, col(Appointment.id) == Penalty.appointment_id)
            .outerjoin(Client, col(Client.id) == Penalty.client_id)
            .outerjoin(waiver, col(waiver.id) == Penalty.waived_by_id))


def _view(row: tuple[Penalty, Appointment, Client | None, Staff | None]) -> PenaltyView:
    p, appt, client, waiver = row
    return PenaltyView(
        id=p.id or 0, appointment_id=p.appointment_id, client_id=p.client_id,
        client=f"{client.first_name} {client.last_name}".strip() if client else "",
        kind=p.kind, amount_cents=p.amount_cents, status=p.status, reason=p.reason,
        appointment_at=appt.starts_at, created_at=p.created_at,
        waived_by=waiver.code if waiver else None, waived_at=p.waived_at, waive_reason=p.waive_reason,
        paid_method=p.paid_method, paid_at=p.paid_at, failure_reason=p.failure_reason,
    )


def check_status(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value not in PENALTY_STATUSES:
        raise InvalidInput(f"status {text!r} is not one of {', '.join(PENALTY_STATUSES)}")
    return value


def list_penalties(session: Session, *, location: LocationView, status: str | None = None,
                   client_id: int | None = None, start: date | None = None, end: date | None = None,
                   limit: int | None = None) -> list[PenaltyView]:
    """Penalties of the location, newest first; `start`..`end` are business days of the appointment."""
    query = _query().where(Penalty.location_id == location.id)
    status = check_status(status)
    if status:
        query = query.where(Penalty.status == status)
    if client_id is not None:
        query = query.where(Penalty.client_id == client_id)
    if start is not None:
        query = query.where(col(Appointment.starts_at) >= day_bounds(start, location.tz)[0])
    if end is not None:
        query = query.where(col(Appointment.starts_at) < day_bounds(end, location.tz)[1])
    query = query.order_by(col(Appointment.starts_at).desc(), col(Penalty.id).desc())
    if limit:
        query = query.limit(limit)
    return [_view(r) for r in session.exec(query)]


def view(session: Session, penalty_id: int, location: LocationView) -> PenaltyView:
    row = session.exec(_query().where(Penalty.id == penalty_id)).first()
    if row is None or row[0].location_id != location.id:
        raise NotFound(f"no penalty {penalty_id} at {location.code}", hint="see: salon penalty list")
    return _view(row)


# ----------------------------------------------------------------------------- changes

def open_penalty(session: Session, penalty_id: int, location: LocationView, doing: str) -> Penalty:
    row = session.get(Penalty, penalty_id, with_for_update=True)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no penalty {penalty_id} at {location.code}", hint="see: salon penalty list")
    if row.status == "waived":
        raise RuleViolation(f"penalty {penalty_id} was waived: it is never {doing}")
    if row.status in ("paid", "charged"):
        raise RuleViolation(f"penalty {penalty_id} is already {row.status}")
    return row


def _reason(text: str | None, what: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise InvalidInput(f"{what} is empty", hint="say why, e.g. --reason \"family emergency, called ahead\"")
    if len(value) > _REASON_MAX:
        raise InvalidInput(f"{what} is longer than {_REASON_MAX} characters")
    return value


def waive(session: Session, *, actor: Actor, location: LocationView, penalty_id: int, reason: str) -> PenaltyView:
    """A manager lets a penalty go, saying why (audited); it is never charged afterwards."""
    authorize(actor, Permission.penalty_waive)
    why = _reason(reason, refusal_words("the reason"))
    row = open_penalty(session, penalty_id, location, "charged")
    before = audit.snapshot(row)
    now = clock.now()
    row.status, row.waived_at, row.waived_by_id, row.waive_reason, row.updated_at = "waived", now, actor.id, why, now
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="penalty.waive", entity="penalty", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return view(session, penalty_id, location)


# ----------------------------------------------------------------------------- what the till sets off

def paid_by_sale(session: Session, sale_id: int, *, method: str, actor: Actor, location: LocationView,
                 now: datetime) -> None:
    """Sale `sale_id` carrying penalties' fees is paid (by `method`, or `mixed`): those penalties are paid."""
    for penalty_id in session.exec(select(SaleLine.penalty_id).where(
            SaleLine.sale_id == sale_id, col(SaleLine.penalty_id).is_not(None)).order_by(col(SaleLine.id))).all():
        penalty = session.get(Penalty, penalty_id, with_for_update=True)
        if penalty is not None and penalty.status not in ("paid", "waived"):
            before = audit.snapshot(penalty)
            penalty.status, penalty.paid_at, penalty.paid_method = "paid", now, method
            penalty.paid_by_id, penalty.updated_at = actor.id, now
            session.add(penalty)
            session.flush()
            audit.record(session, actor=actor, action="penalty.paid", entity="penalty", entity_id=penalty.id,
                         location_id=location.id, before=before, after=audit.snapshot(penalty))


def failed_with_payment(session: Session, sale_id: int, reason: str, *, actor: Actor, location: LocationView) -> None:
    """A payment on sale `sale_id` failed: penalties whose fee it was paying become `failed` with the reason."""
    for penalty in session.exec(select(Penalty).join(SaleLine, col(SaleLine.penalty_id) == Penalty.id)
                                .where(SaleLine.sale_id == sale_id).with_for_update()).all():
        if penalty.status in ("pending", "charged"):
            p_before = audit.snapshot(penalty)
            penalty.status, penalty.failure_reason, penalty.updated_at = "failed", reason[:255], clock.now()
            session.add(penalty)
            session.flush()
            audit.record(session, actor=actor, action="penalty.failed", entity="penalty", entity_id=penalty.id,
                         location_id=location.id, before=p_before, after=audit.snapshot(penalty))
