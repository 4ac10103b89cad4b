"""The waitlist: clients waiting for a slot that is not free yet (a service, perhaps a stylist, between two
of the location's days).

Rules kept here:
- an entry names a client who is neither erased nor merged, a service of the location still offered, and
  optionally a stylist who takes appointments here (None: any stylist);
- its days are the location's local days, both included, from today at the earliest, at most
  `MAX_DAYS` long (default: today and the 13 days after it);
- a client waits once for a service over any day: a second waiting entry for the same service whose days
  overlap the first's is refused (the client's row is locked while checking);
- an entry is `waiting` until it is `booked` (a booking of the client for that service on one of its days:
  `fulfil`, called by the book) or `removed` (by someone at the desk, with a reason kept in the audit log);
- `matching` is what a freed slot offers: the waiting entries whose days hold the slot's day, whose stylist
  is the slot's (or any), and whose service fits in the slot. The order of the offers (priority clients
  first) belongs to `benefits.waitlist_offers`: the book knows no membership nor loyalty.

Any staff member at the desk may add and remove entries (`Permission.desk`, as for follow-ups). The note
never goes into the audit log (it may say why the client is waiting): only that there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import parse_date
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import Appointment, AppointmentItem, Client, Service, Staff, WaitlistEntry
from salon_cli.db.models.book import WAITLIST_STATUSES
from salon_cli.services.clients import profiles
from salon_cli.services.salon import audit, business_days, catalog, hours
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

MAX_DAYS = 92
DEFAULT_DAYS = 14
NOTE_MAX = 255


@dataclass(frozen=True)
class WaitlistView:
    id: int
    client_id: int
    client: str  # the client's name
    phone: str | None
    service_id: int
    service: str  # the service's code
    service_name: str
    duration_min: int
    staff: str | None  # stylist's code; None: any stylist
    from_date: date
    to_date: date
    note: str | None
    status: str  # waiting | booked | removed
    appointment_id: int | None
    created_at: datetime
    created_by: str  # staff code, or "system"
    closed_at: datetime | None
    closed_by: str | None


def _day(value: date | str | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(value, what=what)


def _days(location: LocationView, start: date | str | None, end: date | str | None) -> tuple[date, date]:
    today = business_days.today(location)
    first = _day(start, "--from") or today
    last = _day(end, "--to") or max(first, today) + timedelta(days=DEFAULT_DAYS - 1)
    if first < today:
        raise RuleViolation(f"{first.isoformat()} has already passed (today is {today.isoformat()})",
                            hint="a client waits from today or later")
    if last < first:
        raise InvalidInput(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    span = (last - first).days + 1
    if span > MAX_DAYS:
        raise InvalidInput(f"{first.isoformat()} to {last.isoformat()} is {span} days; a client waits at most "
                           f"{MAX_DAYS} days", hint="add another entry later for the days after")
    return first, last


def _client(session: Session, client_id: int) -> Client:
    row = profiles.get(session, client_id, lock=True)  # locked: two desks adding at once wait for each other
    if row.erased_at is not None:
        raise RuleViolation(f"client {client_id} was erased")
    if row.merged_into_id is not None:
        raise RuleViolation(f"client {client_id} was merged into client {row.merged_into_id}",
                            hint=f"add that one: salon appt waitlist add {row.merged_into_id} ...")
    return row


def _stylist(session: Session, location: LocationView, who: str) -> Staff:
    member = staff_service.find(session, who)
    if not member.active:
        raise RuleViolation(f"staff member {member.code} is deactivated", hint="see: salon staff list")
    if not hours.takes_appointments(member, location, hours.staff_week(session, member.id or 0) is not None):
        raise RuleViolation(f"{member.code} does not take appointments at {location.code}",
                            hint="name a stylist who does, or leave --staff out for any stylist")
    return member


def _name(client: Client) -> str:
    return f"{client.first_name} {client.last_name}".strip()


def add(session: Session, *, actor: Actor, location: LocationView, client_id: int, service: str,
        staff: str | None = None, from_date: date | str | None = None, to_date: date | str | None = None,
        note: str | None = None) -> WaitlistView:
    """Put the client on the waitlist for a service (and a stylist, or any) between two days."""
    authorize(actor, Permission.desk)
    text = clean_text(note, "the note", NOTE_MAX)
    first, last = _days(location, from_date, to_date)
    client = _client(session, client_id)
    item = catalog.find(session, Service, location, service)
    if not item.active:
        raise RuleViolation(f"service {item.code} is no longer offered", hint="see: salon service list")
    member = _stylist(session, location, staff) if staff is not None else None
    same = session.exec(select(WaitlistEntry).where(
        WaitlistEntry.client_id == client_id, WaitlistEntry.service_id == item.id,
        WaitlistEntry.status == "waiting", col(WaitlistEntry.from_date) <= last, col(WaitlistEntry.to_date) >= first,
    ).order_by(col(WaitlistEntry.id))).first()
    if same is not None:
        raise RuleViolation(f"{_name(client)} is already waiting for {item.code} from {same.from_date.isoformat()} "
                            f"to {same.to_date.isoformat()} (waitlist entry {same.id})",
                            hint=f"remove it first: salon appt waitlist remove {same.id} --reason ...")
    row = WaitlistEntry(location_id=location.id, client_id=client_id, service_id=item.id or 0,
                        staff_id=member.id if member else None, from_date=first, to_date=last, note=text,
                        status="waiting", created_at=clock.now(), created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="waitlist.add", entity="waitlist_entry", entity_id=row.id,
                 location_id=location.id, after={
                     "client_id": client_id, "service": item.code, "staff": member.code if member else None,
                     "from_date": first.isoformat(), "to_date": last.isoformat(), "note": text is not None,
                     "status": "waiting"})
    return get(session, row.id or 0, location)


def remove(session: Session, *, actor: Actor, location: LocationView, entry_id: int, reason: str) -> WaitlistView:
    """Take a waiting entry off the waitlist, with the reason (audited)."""
    authorize(actor, Permission.desk)
    why = clean_text(reason, refusal_words("the reason"), 255, required=True)
    row = session.get(WaitlistEntry, entry_id, with_for_update=True)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no waitlist entry {entry_id} at {location.code}", hint="see: salon appt waitlist")
    if row.status != "waiting":
        raise RuleViolation(f"waitlist entry {entry_id} is {row.status} already")
    row.status, row.closed_at, row.closed_by_id = "removed", clock.now(), actor.id
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="waitlist.remove", entity="waitlist_entry", entity_id=entry_id,
                 location_id=location.id, before={"status": "waiting"},
                 after={"client_id": row.client_id, "status": "removed", "reason": why})
    return get(session, entry_id, location)


def fulfil(session: Session, *, actor: Actor, location: LocationView, appointments: Sequence[Appointment]) -> list[int]:
    """The client's waiting entries that these bookings answer (one of their services, on one of the entry's
    days) become `booked` with the appointment's id (the first that answers each); their ids."""
    done: list[int] = []
    for appt in appointments:
        if appt.client_id is None:
            continue
        day = appt.starts_at.astimezone(location.tz).date()
        services = select(AppointmentItem.service_id).where(AppointmentItem.appointment_id == appt.id)
        rows = session.exec(select(WaitlistEntry).where(
            WaitlistEntry.location_id == location.id, WaitlistEntry.client_id == appt.client_id,
            WaitlistEntry.status == "waiting", col(WaitlistEntry.from_date) <= day, col(WaitlistEntry.to_date) >= day,
            sa.or_(WaitlistEntry.service_id == appt.service_id, col(WaitlistEntry.service_id).in_(services)),
        ).order_by(col(WaitlistEntry.id)).with_for_update()).all()
        for row in rows:
            row.status, row.appointment_id, row.closed_at, row.closed_by_id = "booked", appt.id, clock.now(), actor.id
            session.add(row)
            session.flush()
            audit.record(session, actor=actor, action="waitlist.booked", entity="waitlist_entry", entity_id=row.id,
                         location_id=location.id, before={"status": "waiting"},
                         after={"client_id": row.client_id, "status": "booked", "appointment_id": appt.id})
            done.append(row.id or 0)
    return done


def move_client(session: Session, keep_id: int, duplicate_id: int) -> int:
    """A merge: the duplicate's entries go to the kept client; one still waiting that overlaps a waiting entry
    of the kept client for the same service is removed (the client waits once). Rows moved."""
    kept = list(session.exec(select(WaitlistEntry).where(WaitlistEntry.client_id == keep_id,
                                                         WaitlistEntry.status == "waiting")).all())
    rows = list(session.exec(select(WaitlistEntry).where(WaitlistEntry.client_id == duplicate_id)).all())
    for row in rows:
        if row.status == "waiting" and any(k.service_id == row.service_id and k.from_date <= row.to_date
                                           and k.to_date >= row.from_date for k in kept):
            row.status, row.closed_at = "removed", clock.now()
        row.client_id = keep_id
        session.add(row)
    session.flush()
    return len(rows)


# ----------------------------------------------------------------------------- reading

def _query() -> sa.Select:
    created, closed, stylist = aliased(Staff), aliased(Staff), aliased(Staff)
    return (
        select(WaitlistEntry, Client.first_name, Client.last_name, Client.phone, Service.code, Service.name,
               Service.duration_min, stylist.code, created.code, closed.code)
        .join(Client, col(Client.id) == WaitlistEntry.client_id)
        .join(Service, col(Service.id) == WaitlistEntry.service_id)
        .outerjoin(stylist, stylist.id == WaitlistEntry.staff_id)
        .outerjoin(created, created.id == WaitlistEntry.created_by_id)
        .outerjoin(closed, closed.id == WaitlistEntry.closed_by_id)
    )


def _view(row: WaitlistEntry, first: str, last: str, phone: str | None, code: str, name: str, minutes: int,
          stylist: str | None, created_by: str | None, closed_by: str | None) -> WaitlistView:
    return WaitlistView(
        id=row.id or 0, client_id=row.client_id, client=f"{first} {last}".strip(), phone=phone,
        service_id=row.service_id, service=code, service_name=name, duration_min=minutes, staff=stylist,
        from_date=row.from_date, to_date=row.to_date, note=row.note, status=row.status,
        appointment_id=row.appointment_id, created_at=row.created_at, created_by=created_by or "system",
        closed_at=row.closed_at, closed_by=(closed_by or "system") if row.closed_at else None)


def get(session: Session, entry_id: int, location: LocationView) -> WaitlistView:
    found = session.exec(_query().where(WaitlistEntry.id == entry_id,
                                        WaitlistEntry.location_id == location.id)).first()
    if found is None:
        raise NotFound(f"no waitlist entry {entry_id} at {location.code}", hint="see: salon appt waitlist")
    return _view(*found)


def entries(session: Session, *, location: LocationView, status: str | None = "waiting", on: date | str | None = None,
            client_id: int | None = None) -> list[WaitlistView]:
    """The location's entries in the order clients joined: of one status (None: all), those whose days hold
    `on`, one client's."""
    query = _query().where(WaitlistEntry.location_id == location.id)
    if status is not None:
        if status not in WAITLIST_STATUSES:
            raise InvalidInput(f"--status {status!r} is not one of {', '.join(WAITLIST_STATUSES)}")
        query = query.where(WaitlistEntry.status == status)
    day = _day(on, "--date")
    if day is not None:
        query = query.where(col(WaitlistEntry.from_date) <= day, col(WaitlistEntry.to_date) >= day)
    if client_id is not None:
        query = query.where(WaitlistEntry.client_id == client_id)
    query = query.order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
    return [_view(*found) for found in session.exec(query).all()]


def matching(session: Session, location: LocationView, starts_at: datetime, ends_at: datetime, staff_id: int,
             service_id: int | None = None) -> list[WaitlistView]:
    """The waiting entries a free slot fits, in the order clients joined: the slot's local day inside their
    days, their stylist the slot's (or any), their service no longer than the slot (and `service_id`'s
    only, when given)."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes <= 0:
        return []
    day = starts_at.astimezone(location.tz).date()
    query = _query().where(
        WaitlistEntry.location_id == location.id, WaitlistEntry.status == "waiting",
        col(WaitlistEntry.from_date) <= day, col(WaitlistEntry.to_date) >= day,
        sa.or_(col(WaitlistEntry.staff_id).is_(None), WaitlistEntry.staff_id == staff_id),
        col(Service.duration_min) <= minutes,
    )
    if service_id is not None:
        query = query.where(WaitlistEntry.service_id == service_id)
    query = query.order_by(col(WaitlistEntry.created_at), col(WaitlistEntry.id))
    return [_view(*found) for found in session.exec(query).all()]


def waiting_count(session: Session, location: LocationView) -> int:
    """How many entries wait at the location."""
    return session.exec(select(sa.func.count()).select_from(WaitlistEntry).where(
        WaitlistEntry.location_id == location.id, WaitlistEntry.status == "waiting")).one()
