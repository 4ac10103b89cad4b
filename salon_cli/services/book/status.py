"""An appointment's day: check-in, into the chair, done; or cancelled, cancelled late, no-show.

    booked -> checked_in -> in_service -> completed
    booked | checked_in -> cancelled          (a booked one inside the policy window: late_cancelled)
    booked -> no_show                         (by hand once it has started, or by detect-no-shows)

`start` from booked checks the client in on the way (they are in the chair, so they are here), and
`complete` from checked_in skips the chair step. Every other move is refused with the reason, and
every change is audited. A cancellation by the salon (`by_salon`) is never late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date, day_bounds
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Appointment, Policy, Service
from salon_cli.services.salon import audit
from salon_cli.services.book import views as book, penalties
from salon_cli.services.clients import search as client_search
from salon_cli.services.salon.actors import Actor
from salon_cli.services.book.appointments import get
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.book.no_shows import Due, mark
from salon_cli.services.salon.policy import row as policy_row

_FROM = {
    "check_in": ("booked",),
    "start": ("booked", "checked_in"),
    "complete": ("checked_in", "in_service"),
    "cancel": ("booked", "checked_in"),
    "no_show": ("booked",),
}
_STATE = {  # a refusal's words, said at the desk in its language (`core.errors.refusal_words`)
    "booked": refusal_words("is booked and not checked in yet"),
    "checked_in": refusal_words("is already checked in"),
    "in_service": refusal_words("is already in the chair"),
    "completed": refusal_words("is already completed"),
    "cancelled": refusal_words("was cancelled"),
    "late_cancelled": refusal_words("was cancelled late"),
    "no_show": refusal_words("was marked a no-show"),
}
_HINT = {
    "complete": "check the client in first: salon appt checkin {id}",
    "no_show": "a manager can waive its penalty: salon penalty list --status pending",
    "cancelled": "book again: salon appt book ...",
    "late_cancelled": "book again: salon appt book ...",
}
_REASON_MAX = 255


@dataclass(frozen=True)
class Cancelled:
    appointment: book.AppointmentView
    late: bool
    penalty: penalties.PenaltyView | None


@dataclass(frozen=True)
class CancelTerms:
    """What a cancellation now would be: late (inside the policy's window) and its fee (0: none)."""

    late: bool
    fee_cents: int
    window_hours: int


def _refuse(appt: Appointment, action: str) -> None:
    if appt.status in _FROM[action]:
        return
    hint = _HINT.get(action if appt.status == "booked" else appt.status, "see: salon appt show {id}")
    state, hint = _STATE[appt.status], hint.format(id=appt.id)
    if action == "check_in":  # a whole sentence for each step: the desk says each in its language
        raise RuleViolation(f"appointment {appt.id} {state}; it cannot be checked in", hint=hint)
    if action == "start":
        raise RuleViolation(f"appointment {appt.id} {state}; it cannot be started", hint=hint)
    if action == "complete":
        raise RuleViolation(f"appointment {appt.id} {state}; it cannot be completed", hint=hint)
    if action == "cancel":
        raise RuleViolation(f"appointment {appt.id} {state}; it cannot be cancelled", hint=hint)
    raise RuleViolation(f"appointment {appt.id} {state}; it cannot be marked a no-show", hint=hint)


def _change(session: Session, actor: Actor, location: LocationView, appt: Appointment, action: str,
            **values: object) -> book.AppointmentView:
    before = audit.snapshot(appt)
    for name, value in values.items():
        setattr(appt, name, value)
    appt.updated_at = clock.now()
    session.add(appt)
    session.flush()
    audit.record(session, actor=actor, action=f"appointment.{action}", entity="appointment", entity_id=appt.id,
                 location_id=location.id, before=before, after=audit.snapshot(appt))
    return book.view(session, appt.id or 0)


def _today_only(appt: Appointment, location: LocationView, now: datetime) -> None:
    day, today = business_date(appt.starts_at, location.tz), business_date(now, location.tz)
    if day != today:
        raise RuleViolation(f"appointment {appt.id} is on {day.isoformat()}, not today ({today.isoformat()})",
                            hint="move it to today first: salon appt move ID --at ...")


def check_in(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> book.AppointmentView:
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    _refuse(appt, "check_in")
    now = clock.now()
    _today_only(appt, location, now)
    return _change(session, actor, location, appt, "check_in", status="checked_in", checked_in_at=now)


def start(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> book.AppointmentView:
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    _refuse(appt, "start")
    now = clock.now()
    _today_only(appt, location, now)
    return _change(session, actor, location, appt, "start", status="in_service", started_at=now,
                   checked_in_at=appt.checked_in_at or now)


def complete(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> book.AppointmentView:
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    _refuse(appt, "complete")
    return _change(session, actor, location, appt, "complete", status="completed", completed_at=clock.now())


def cancel(session: Session, *, actor: Actor, location: LocationView, appointment_id: int,
           reason: str | None = None, by_salon: bool = False) -> Cancelled:
    """Cancel; a client's cancellation of a booked appointment inside the policy window is late and
    gets the late-cancel penalty of the policy (zero: none)."""
    authorize(actor, Permission.desk)
    why = " ".join((reason or "").split()) or None
    if why and len(why) > _REASON_MAX:
        raise InvalidInput(f"the reason is longer than {_REASON_MAX} characters")
    appt = get(session, appointment_id, location, lock=True)
    _refuse(appt, "cancel")
    now = clock.now()
    policy = policy_row(session, location)
    terms = _terms(appt, policy, now, by_salon)
    late = terms.late
    view = _change(session, actor, location, appt, "late_cancel" if late else "cancel",
                   status="late_cancelled" if late else "cancelled", cancelled_at=now, cancel_reason=why,
                   cancelled_by_salon=by_salon)
    penalty = None
    if late:
        service = session.get(Service, appt.service_id)
        row = penalties.create(session, actor=actor, location=location, appt=appt, kind="late_cancel",
                               amount_cents=terms.fee_cents,
                               service=service.name if service else "?")
        if row is not None:
            penalty = penalties.view(session, row.id or 0, location)
            view = book.view(session, appt.id or 0)
    return Cancelled(view, late, penalty)


def _terms(appt: Appointment, policy: Policy, now: datetime, by_salon: bool) -> CancelTerms:
    """The one rule `cancel` and `cancel_terms` share: a client's cancellation of a booked appointment
    inside the window is late, with the policy's late-cancel fee (none without a client to owe it)."""
    late = (appt.status == "booked" and not by_salon
            and now >= appt.starts_at - timedelta(hours=policy.late_cancel_hours))
    fee = penalties.policy_fee(policy, "late_cancel", appt.price_cents) if late and appt.client_id is not None else 0
    return CancelTerms(late=late, fee_cents=max(fee, 0), window_hours=policy.late_cancel_hours)


def cancel_terms(session: Session, *, location: LocationView, appointment_id: int,
                 by_salon: bool = False) -> CancelTerms:
    """What `cancel` would do now (the dashboard shows the fee first); changes nothing. An appointment
    that cannot be cancelled is refused as `cancel` refuses it."""
    appt = get(session, appointment_id, location)
    _refuse(appt, "cancel")
    return _terms(appt, policy_row(session, location), clock.now(), by_salon)


def no_show(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> book.AppointmentView:
    """Mark one appointment a no-show by hand (once its time has come), as detection would."""
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    _refuse(appt, "no_show")
    now = clock.now()
    if appt.starts_at > now:
        local = appt.starts_at.astimezone(location.tz)
        raise RuleViolation(f"appointment {appointment_id} starts at {local:%Y-%m-%d %H:%M}; it is not a no-show yet")
    mark(session, actor=actor, location=location, policy=policy_row(session, location),
         rows=[Due(appt.id or 0, appt.client_id, appt.price_cents, appt.starts_at, appt.service_id)], now=now)
    session.expire(appt)
    return book.view(session, appointment_id)


def check_in_client(session: Session, *, actor: Actor, location: LocationView, query: str) -> book.AppointmentView:
    """Find the client by search and check in their next booked appointment today."""
    authorize(actor, Permission.desk)
    text = (query or "").strip()
    if not text:
        raise InvalidInput("who is checking in? give a name, phone or e-mail")
    hits = client_search.search(session, text, limit=10)
    if not hits:
        raise NotFound(f"no client matches {text!r}", hint="see: salon client search QUERY")
    now = clock.now()
    lo, hi = day_bounds(business_date(now, location.tz), location.tz)
    rows = session.exec(
        select(Appointment).where(
            Appointment.location_id == location.id, Appointment.status == "booked",
            col(Appointment.client_id).in_([h.id for h in hits]),
            col(Appointment.starts_at) >= lo, col(Appointment.starts_at) < hi,
        ).order_by(col(Appointment.starts_at))
    ).all()
    if not rows:
        names = ", ".join(f"{h.first_name} {h.last_name} ({h.id})" for h in hits[:3])
        raise NotFound(f"no booked appointment today for {names}",
                       hint="book a walk-in: salon appt book --walk-in --client ID --service S --staff CODE")
    by_client: dict[int, list[Appointment]] = {}
    for row in rows:
        by_client.setdefault(row.client_id or 0, []).append(row)
    if len(by_client) > 1:
        ranked = [h for h in hits if h.id in by_client]
        best, second = ranked[0], ranked[1]
        if best.score - second.score < 10:
            shown = "; ".join(f"{h.first_name} {h.last_name} (client {h.id}, appointment "
                              f"{by_client[h.id][0].id} at {by_client[h.id][0].starts_at.astimezone(location.tz):%H:%M})"
                              for h in ranked[:4])
            raise RuleViolation(f"{len(ranked)} clients match {text!r} with appointments today: {shown}",
                                hint="say which: salon appt checkin APPOINTMENT_ID")
        by_client = {best.id: by_client[best.id]}
    (appts,) = by_client.values()
    return check_in(session, actor=actor, location=location, appointment_id=_next_of(appts, now).id or 0)


def next_to_check_in(session: Session, *, location: LocationView, client_id: int) -> book.AppointmentView | None:
    """The client's booked appointment today that a check-in takes, if any."""
    now = clock.now()
    lo, hi = day_bounds(business_date(now, location.tz), location.tz)
    appts = session.exec(
        select(Appointment).where(
            Appointment.location_id == location.id, Appointment.status == "booked",
            Appointment.client_id == client_id,
            col(Appointment.starts_at) >= lo, col(Appointment.starts_at) < hi,
        ).order_by(col(Appointment.starts_at), col(Appointment.id))
    ).all()
    return book.view(session, _next_of(list(appts), now).id or 0) if appts else None


def check_in_next(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> book.AppointmentView:
    """Check in this client's next booked appointment today (the dashboard's client card, one key)."""
    authorize(actor, Permission.desk)
    chosen = next_to_check_in(session, location=location, client_id=client_id)
    if chosen is None:
        raise NotFound(f"client {client_id} has no booked appointment today",
                       hint="book a walk-in: salon appt book --walk-in --client ID --service S --staff CODE")
    return check_in(session, actor=actor, location=location, appointment_id=chosen.id)


def _next_of(appts: list[Appointment], now: datetime) -> Appointment:
    """Of one client's booked appointments today (by start): the first not yet over, else the first."""
    upcoming = [a for a in appts if a.ends_at > now]
    return (upcoming or appts)[0]
