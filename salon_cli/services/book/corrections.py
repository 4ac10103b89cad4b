"""Taking back a step of an appointment's day that should not have happened.

- `reinstate`: a no-show that was not one (the client came, the salon had moved the visit) goes back to
  booked, or straight to checked in. A manager's correction (the permission that waives a penalty, so
  a PIN): its penalty is waived with the reason (`penalties.waive`), the client's no-show count goes
  down by one, and the client's `deposit_required` flag goes, when the corrected count is under the
  policy's threshold (only no-shows raise that flag: `no_shows.mark`, an import of no-shows, a merge of
  a flagged client; a threshold of 0 leaves the flag as it is). Refused while money has moved for the
  no-show: its fee paid or charged (a paid fee is refunded at the till, and the visit stays a no-show),
  its fee on a sale, or the deposit it held settled by the till (the visit's sale was turned into the
  fee, a deposit kept or returned). Back to booked, a visit whose time has passed should be moved at
  once: the next `detect-no-shows` inside its look-back would mark it again (with no new penalty: the
  waived one stays, by constraint).
- `undo_check_in`: checked in by mistake (the wrong row, the wrong client): back to booked. Anyone at
  the desk within `UNDO_CHECK_IN_MINUTES` of the check-in; later only a manager who gave a PIN. A
  walk-in was never booked (cancel it instead), and a visit whose sale took a payment beyond its
  deposit stays checked in (refund or finish the sale first).

The book reads the till's rows here (sales, their lines and payments) and changes none of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import NotPermitted, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import Appointment, Client, Payment, Penalty, Sale, SaleLine
from salon_cli.services.book import penalties
from salon_cli.services.book import views as book
from salon_cli.services.book.appointments import get
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

UNDO_CHECK_IN_MINUTES = 15
_REASON_MAX = 255
_STATE = {  # a refusal's words, said at the desk in its language (`core.errors.refusal_words`)
    "booked": refusal_words("is booked"), "checked_in": refusal_words("is checked in"),
    "in_service": refusal_words("is in the chair"), "completed": refusal_words("is completed"),
    "cancelled": refusal_words("was cancelled"), "late_cancelled": refusal_words("was cancelled late"),
    "no_show": refusal_words("was marked a no-show"),
}


def _change(session: Session, actor: Actor, location: LocationView, appt: Appointment, action: str,
            extra: dict[str, object], **values: object) -> None:
    before = audit.snapshot(appt)
    for name, value in values.items():
        setattr(appt, name, value)
    appt.updated_at = clock.now()
    session.add(appt)
    session.flush()
    audit.record(session, actor=actor, action=f"appointment.{action}", entity="appointment", entity_id=appt.id,
                 location_id=location.id, before=before, after={**(audit.snapshot(appt) or {}), **extra})


def _visit_sale(session: Session, appointment_id: int) -> Sale | None:
    return session.exec(select(Sale).where(Sale.appointment_id == appointment_id, col(Sale.status) != "void")).first()


def _refuse_money_moved(session: Session, appt: Appointment, penalty: Penalty | None) -> None:
    """Refused when the no-show's money has moved: what was settled stays settled."""
    aid = appt.id
    sale = _visit_sale(session, aid or 0)
    if sale is not None:
        settled = sale.status != "open" or session.exec(select(SaleLine.id).where(
            SaleLine.sale_id == sale.id, col(SaleLine.kind).in_(("deposit", "fee")))).first() is not None
        if settled:
            raise RuleViolation(f"appointment {aid}'s deposit was settled for the no-show (sale {sale.id})",
                                hint="what the till settled stays: book the visit again (salon appt book ...) and "
                                     f"refund what is owed (salon sale refund {sale.id} --reason R)")
    if penalty is None:
        return
    fee_sale = session.exec(select(Sale).join(SaleLine, col(SaleLine.sale_id) == Sale.id).where(
        SaleLine.penalty_id == penalty.id, col(Sale.status) != "void")).first()
    if penalty.status == "paid":
        where = f"sale {fee_sale.id}" if fee_sale is not None else "the desk"
        raise RuleViolation(f"appointment {aid}'s no-show fee (penalty {penalty.id}) is paid already ({where})",
                            hint=(f"refund that sale first: salon sale refund {fee_sale.id} --reason R; "
                                  "the visit then stays a no-show") if fee_sale is not None else
                            "refund the client first; the visit then stays a no-show")
    if penalty.status == "charged":
        raise RuleViolation(f"appointment {aid}'s no-show fee (penalty {penalty.id}) is being charged to the "
                            "client's card", hint="wait for Stripe's answer: salon penalty show " + str(penalty.id))
    if fee_sale is not None and penalty.status != "waived":
        raise RuleViolation(f"appointment {aid}'s no-show fee (penalty {penalty.id}) is on sale {fee_sale.id}",
                            hint=f"take it off or void that sale first: salon sale show {fee_sale.id}")


def _correct_client(session: Session, actor: Actor, location: LocationView, client_id: int) -> None:
    """One no-show fewer; the deposit flag goes when the count is under the policy's threshold."""
    client = session.get(Client, client_id, with_for_update=True)
    if client is None:
        return
    threshold = policy_row(session, location).deposit_after_no_shows
    before = {"no_show_count": client.no_show_count, "deposit_required": client.deposit_required}
    client.no_show_count = max(0, client.no_show_count - 1)
    if client.deposit_required and threshold > 0 and client.no_show_count < threshold:
        client.deposit_required = False
    client.updated_at = clock.now()
    session.add(client)
    session.flush()
    audit.record(session, actor=actor, action="client.no_show_reinstated", entity="client", entity_id=client.id,
                 location_id=location.id, before=before,
                 after={"no_show_count": client.no_show_count, "deposit_required": client.deposit_required})


def reinstate(session: Session, *, actor: Actor, location: LocationView, appointment_id: int, reason: str,
              checked_in: bool = False) -> book.AppointmentView:
    """A no-show that was not one goes back to booked (or checked in, when the client is here: today's
    visits only); a manager's, with a reason. See the module docstring for what follows and what refuses."""
    authorize(actor, Permission.penalty_waive)
    why = clean_text(reason, refusal_words("the reason"), _REASON_MAX, required=True) or ""
    appt = get(session, appointment_id, location, lock=True)
    if appt.status != "no_show":
        raise RuleViolation(f"appointment {appointment_id} {_STATE.get(appt.status, appt.status)}, not a no-show: "
                            "only a no-show is reinstated", hint=f"see: salon appt show {appointment_id}")
    now = clock.now()
    if checked_in and business_date(appt.starts_at, location.tz) != business_date(now, location.tz):
        raise RuleViolation(f"appointment {appointment_id} was on {business_date(appt.starts_at, location.tz)}: "
                            "only today's visit is checked in", hint="reinstate it without --checked-in")
    penalty = session.exec(select(Penalty).where(Penalty.appointment_id == appt.id).with_for_update()).first()
    _refuse_money_moved(session, appt, penalty)
    if penalty is not None and penalty.status in ("pending", "failed"):
        penalties.waive(session, actor=actor, location=location, penalty_id=penalty.id or 0,
                        reason=f"no-show reinstated: {why}"[:_REASON_MAX])
    if appt.client_id is not None:
        _correct_client(session, actor, location, appt.client_id)
    status = "checked_in" if checked_in else "booked"
    _change(session, actor, location, appt, "reinstate", {"reason": why, "penalty_id": penalty.id if penalty else None},
            status=status, no_show_at=None, checked_in_at=now if checked_in else None)
    return book.view(session, appointment_id)


def undo_check_in(session: Session, *, actor: Actor, location: LocationView, appointment_id: int) -> book.AppointmentView:
    """A check-in taken back: booked again, `checked_in_at` cleared (see the module docstring)."""
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    if appt.status != "checked_in":
        raise RuleViolation(f"appointment {appointment_id} {_STATE.get(appt.status, appt.status)}: only a checked-in "
                            "appointment goes back to booked", hint=f"see: salon appt show {appointment_id}")
    if appt.walk_in:
        raise RuleViolation(f"appointment {appointment_id} is a walk-in: it was never booked",
                            hint=f"cancel it instead: salon appt cancel {appointment_id} --by-salon")
    now = clock.now()
    since = now - (appt.checked_in_at or now)
    if since > timedelta(minutes=UNDO_CHECK_IN_MINUTES) and not actor.is_manager:
        raise NotPermitted(
            f"appointment {appointment_id} was checked in {int(since.total_seconds() // 60)} minutes ago: after "
            f"{UNDO_CHECK_IN_MINUTES} minutes only a manager undoes a check-in",
            hint="a manager does it: --as CODE --pin PIN")
    sale = _visit_sale(session, appointment_id)
    if sale is not None and session.exec(select(Payment.id).where(
            Payment.sale_id == sale.id, col(Payment.purpose) != "deposit",
            col(Payment.status).in_(("succeeded", "pending")))).first() is not None:
        raise RuleViolation(f"appointment {appointment_id}'s sale {sale.id} has taken a payment",
                            hint=f"finish or refund that sale first: salon sale show {sale.id}")
    _change(session, actor, location, appt, "undo_check_in", {"checked_in_at_was": _iso(appt.checked_in_at)},
            status="booked", checked_in_at=None)
    return book.view(session, appointment_id)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
