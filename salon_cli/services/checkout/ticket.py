"""The dashboard's checkout, step by step: the ticket built in front of the client, by the same rules as
`salon checkout` (`checkout.appointment`), for an appointment, an open sale, or a sale at the desk
with no appointment.

Looking changes nothing. `load` reads the live sale, or, while there is none, a draft: the sale the
first change will open, priced as `sales.create` prices it (the appointment's services with who does
them, the location's taxes, the member's discount, through `core.sale_math`), never written. The
first change to the ticket opens the sale (`ensure_sale`); the first money checks a booked
appointment in, in the same transaction as the payment (`pay`), since money before the visit is a
deposit (`till.tenders`). Leaving with no money taken deletes the sale (`till.discard`).

Promotions (`checkout.promos`): a code goes on when the desk types it; the automatic offers go on just
before the money (`before_money`), after any code, as `salon checkout` puts them on. Until then the ticket
shows them ahead (`Ticket.ahead`, and the draft), written nowhere, priced to the cent as they will be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.sale_math import Discount, LineIn, price, tax_rates
from salon_cli.db.models import Appointment, AppointmentItem, Service, Staff
from salon_cli.services.book import appointments
from salon_cli.services.book import status as appt_status
from salon_cli.services.book import views as book
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.checkout import client_offers, promos
from salon_cli.services.checkout.client_offers import Offers
from salon_cli.services.clients import profiles
from salon_cli.services.loyalty import rewards
from salon_cli.services.loyalty.rewards import RedemptionView
from salon_cli.services.salon import business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.till import discard, sales, tenders, tickets
from salon_cli.services.till.sale_views import PaymentView, SaleLineView, SaleView, view

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")
NO_SALE = ("cancelled", "late_cancelled", "no_show")


@dataclass(frozen=True)
class Desk:
    """What a checkout screen is about: an appointment, an open sale, or a client (or nobody) at the desk."""

    appointment_id: int | None = None
    sale_id: int | None = None
    client_id: int | None = None


@dataclass(frozen=True)
class Ticket:
    location: LocationView
    desk: Desk  # with the sale's id once there is one
    appointment: AppointmentView | None
    client: str
    sale: SaleView | None  # the live sale
    draft: SaleView | None  # what the first change will open, while there is no sale (status "draft", id 0)
    offers: Offers | None  # what the client brings (None: no client)
    note: str | None = None  # why there is neither sale nor draft
    ahead: SaleView | None = None  # the open sale with the automatic offers the next money puts on it (if any)

    @property
    def shown(self) -> SaleView | None:
        """What the screen shows and the money is asked against: the ticket as the next payment sees it."""
        return self.ahead or self.sale or self.draft


def load(session: Session, location: LocationView, desk: Desk) -> Ticket:
    """The ticket as it stands, with what the client brings to it."""
    sale = view(session, desk.sale_id, location) if desk.sale_id is not None else None
    appointment_id = sale.appointment_id if sale is not None else desk.appointment_id
    appointment = book.view(session, appointment_id, location=location) if appointment_id is not None else None
    if sale is None and appointment is not None:
        live = sales.live_sale_of(session, appointment.id)
        sale = view(session, live.id or 0, location) if live is not None else None
    client_id = sale.client_id if sale is not None else (
        appointment.client_id if appointment is not None else desk.client_id)
    desk = Desk(appointment_id, sale.id if sale is not None else None, client_id)
    draft, note = None, None
    if sale is None:
        if appointment is not None and appointment.status in NO_SALE:
            note = f"appointment {appointment.id} is {appointment.status.replace('_', ' ')}: it has no sale"
        else:
            draft = draft_sale(session, location, appointment=appointment, client_id=client_id)
            draft = promos.ahead(session, location, draft, policy_row(session, location).taxes or [])
    ahead = None
    if sale is not None and sale.status == "open":
        ahead = promos.ahead(session, location, sale, sales.get(session, sale.id, location).taxes or [])
        ahead = ahead if ahead is not sale else None
    name = (appointment.client if appointment is not None else sale.client if sale is not None else "")
    if client_id is not None and not name:
        row = profiles.get(session, client_id)
        name = f"{row.first_name} {row.last_name}".strip()
    offers = client_offers.offers(session, location, client_id=client_id, ticket=ahead or sale or draft) \
        if client_id is not None else None
    return Ticket(location, desk, appointment, name, sale, draft, offers, note, ahead)


def draft_sale(session: Session, location: LocationView, *, appointment: AppointmentView | None,
               client_id: int | None) -> SaleView:
    """The sale `tickets.create` would open now, priced and never written: its figures are those the
    real sale gets (the same lines, the policy's taxes, the member's discount, `core.sale_math`)."""
    rows = [] if appointment is None else session.exec(
        select(AppointmentItem, Service, Staff.code).join(Service, col(Service.id) == AppointmentItem.service_id)
        .outerjoin(Staff, col(Staff.id) == AppointmentItem.staff_id)
        .where(AppointmentItem.appointment_id == appointment.id).order_by(col(AppointmentItem.position))).all()
    taxes = list(policy_row(session, location).taxes or [])
    member = tickets.client_discount(session, client_id)
    discount = Discount("pct", member[0]) if member else None
    totals = price([LineIn(item.price_cents) for item, _, _ in rows], tax_rates(taxes), discount)
    lines = [SaleLineView(
        id=0, position=i, kind="service", description=service.name, quantity=1, unit_price_cents=item.price_cents,
        gross_cents=item.price_cents, discount_cents=out.discount_cents, net_cents=out.net_cents,
        tax_cents=out.tax_cents, total_cents=out.total_cents,
        taxes=[{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive, "amount_cents": t.amount_cents}
               for t in out.taxes],
        staff=staff_code, service_id=service.id, product_id=None, penalty_id=None, gift_card=None)
        for i, ((item, service, staff_code), out) in enumerate(zip(rows, totals.lines))]
    return SaleView(
        id=0, status="draft", location=location.code, currency=location.currency, client_id=client_id, client="",
        appointment_id=appointment.id if appointment is not None else None,
        business_date=business_days.today(location), subtotal_cents=totals.subtotal_cents,
        discount_kind="pct" if member else None, discount_value=member[0] if member else 0,
        discount_cents=totals.discount_cents, tax_cents=totals.tax_cents, tip_cents=0,
        total_cents=totals.total_cents, paid_cents=0, refunded_cents=0, balance_cents=totals.total_cents,
        created_at=clock.now(), paid_at=None, note=None, void_reason=None, lines=lines)


def ensure_sale(session: Session, location: LocationView, actor: Actor, desk: Desk) -> int:
    """The ticket's sale: the one it has, the appointment's live one, or a new one opened now (the
    first change to the ticket). Opening it checks nobody in."""
    if desk.sale_id is not None:
        return desk.sale_id
    if desk.appointment_id is not None:
        live = sales.live_sale_of(session, desk.appointment_id)
        if live is not None:
            return live.id or 0
        return tickets.create(session, actor=actor, location=location, appointment_id=desk.appointment_id).id or 0
    return tickets.create(session, actor=actor, location=location, client_id=desk.client_id).id or 0


def change(session: Session, location: LocationView, actor: Actor, desk: Desk,
           step: Callable[[int], T]) -> tuple[T, Ticket]:
    """One change to the ticket (`step(sale_id)`), its sale opened first if need be, and the ticket after it."""
    sale_id = ensure_sale(session, location, actor, desk)
    done = step(sale_id)
    return done, load(session, location, replace(desk, sale_id=sale_id))


def check_in_for_money(session: Session, location: LocationView, actor: Actor, sale_id: int) -> None:
    """Money is about to be taken: a booked appointment on the sale is checked in first (the visit has
    begun; money before it would be a deposit)."""
    sale = sales.get(session, sale_id, location)
    if sale.appointment_id is None:
        return
    appt = session.get(Appointment, sale.appointment_id)
    if appt is not None and appt.status == "booked":
        appt_status.check_in(session, actor=actor, location=location, appointment_id=sale.appointment_id)


def before_money(session: Session, location: LocationView, actor: Actor, sale_id: int) -> None:
    """What comes before any money at the desk, as in `salon checkout`: a booked visit checked in, then
    the automatic offers whose rules pass put on the sale (`promotions.apply.apply_automatic`; the ones
    already on it are not put twice)."""
    check_in_for_money(session, location, actor, sale_id)
    if sales.get(session, sale_id, location).status == "open":
        promos.apply_automatic(session, location, actor, sale_id)


def pay(session: Session, location: LocationView, actor: Actor, *, sale_id: int, **how: Any) -> PaymentView:
    """One payment (`till.tenders.pay`), after what comes before money (`before_money`); a paid sale
    completes its appointment (`tenders.EFFECTS`)."""
    if how.get("method") == "stripe":
        raise InvalidInput("a Stripe payment goes to the card reader")
    before_money(session, location, actor, sale_id)
    return tenders.pay(session, actor=actor, location=location, sale_id=sale_id, **how)


def complete_appointment(session: Session, location: LocationView, actor: Actor, appointment_id: int) -> None:
    """After the reader paid the rest: the visit completed as after a desk payment."""
    if appointments.get(session, appointment_id, location).status in ("checked_in", "in_service"):
        appt_status.complete(session, actor=actor, location=location, appointment_id=appointment_id)



def discard_if_empty(session: Session, location: LocationView, actor: Actor, sale_id: int) -> bool:
    """Leaving the ticket with no money taken: `till.discard.discard_if_empty`, the promotions on the sale
    given back first (`promos.give_back`: their uses go with it). A sale that is kept keeps them: the
    change is refused with why, nothing changed."""
    given = promos.give_back(session, location, actor, sale_id)
    gone = discard.discard_if_empty(session, actor, location, sale_id)
    if given and not gone:
        raise RuleViolation(discard.keeps(session, sale_id) or "its day is closed")
    return gone


def redeem_and_apply(session: Session, location: LocationView, actor: Actor, *, sale_id: int,
                     reward_id: int) -> tuple[RedemptionView, PaymentView]:
    """Spend the client's points on a reward and apply its new code to this sale, in one transaction: a
    reward that pays nothing here leaves the points where they were."""
    sale = sales.get(session, sale_id, location)
    if sale.client_id is None:
        raise RuleViolation("points are a client's: this sale has no client")
    issued = rewards.redeem(session, actor=actor, location=location, client_id=sale.client_id, reward_id=reward_id)
    return issued, pay(session, location, actor, sale_id=sale_id, method="points", code=issued.code)
