"""Booking: one or more services with one staff member, typed on the location's clock, stored in UTC.

Rules of the desk kept here:
- the services run one after the other; the length is theirs unless given (at most 12 hours);
- a staff member is booked only inside their working hours, never on their time off
  (`salon.hours`: nothing is refused where no hours are set), unless a manager who gave their PIN
  books it with `allow_outside_hours`;
- a staff member is never booked twice at once (booked, here, in the chair or done) unless the
  booking says `allow_overlap`; on PostgreSQL the staff row is locked while checking, so two desks
  cannot both take the same slot (SQLite writers are serial already);
- a time already past (beyond the no-show grace) is booked only as a walk-in, who is here now;
- a visit is booked at most `horizon_days` ahead (its local date against today's; None: the policy's
  `booking_horizon_days`; the caller hands a client with priority booking the longer one,
  `benefits.priority.horizon_days`); a series is checked by its first visit, a walk-in never;
- a client flagged `deposit_required` is warned, and booked without a deposit only by a manager
  who gave their PIN;
- a repeat (RRULE) keeps the wall-clock time across DST changes; a time a change skips is moved
  forward (RFC 5545) or skipped, as asked; the series is booked whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation, refusal_words
from salon_cli.core.money import format_amount
from salon_cli.core.permissions import Permission
from salon_cli.core.days import business_date
from salon_cli.core.recurrence import GAP_CHOICES, LocalTime, occurrences, resolve
from salon_cli.core.spoken_time import wall_of
from salon_cli.db.models import Appointment, AppointmentItem, Client, Service, Staff
from salon_cli.services.salon import audit, catalog
from salon_cli.services.book import views as book
from salon_cli.services.book import waitlist
from salon_cli.services.messages import outbox
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.salon import hours as hours_service
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

MAX_MINUTES = 12 * 60
_NOTE_MAX = 500


@dataclass(frozen=True)
class Booking:
    """What `book` did: the appointments (one, or a series) and what the desk should be told."""

    appointments: list[book.AppointmentView]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Slot:
    starts_at: datetime
    ends_at: datetime
    wall: LocalTime


def _staff(session: Session, who: str, *, lock: bool) -> Staff:
    member = staff_service.find(session, who, lock=lock)
    if not member.active:
        raise RuleViolation(f"staff member {member.code} is deactivated", hint="see: salon staff list")
    return member


def _services(session: Session, location: LocationView, refs: Sequence[str]) -> list[Service]:
    if not refs:
        raise InvalidInput("no service given", hint="--service NAME|CODE|ID; repeat it for more than one")
    found = []
    for ref in refs:
        service = catalog.find(session, Service, location, ref)
        if not service.active:
            raise RuleViolation(f"service {service.code} is no longer offered", hint="see: salon service list")
        found.append(service)
    return found


def _client(session: Session, client_id: int | None, *, walk_in: bool) -> Client | None:
    if client_id is None:
        if not walk_in:
            raise InvalidInput("--client is needed (only a walk-in may be booked without one)")
        return None
    row = client_service.get(session, client_id)
    if row.merged_into_id is not None:
        raise RuleViolation(f"client {client_id} was merged into client {row.merged_into_id}",
                            hint=f"book client {row.merged_into_id}")
    return row


def overlapping(session: Session, staff_id: int, starts_at: datetime, ends_at: datetime,
                *, ignore_id: int | None = None) -> list[Appointment]:
    """The staff member's appointments that hold any of [starts_at, ends_at)."""
    query = select(Appointment).where(
        Appointment.staff_id == staff_id,
        col(Appointment.starts_at) < ends_at,
        col(Appointment.starts_at) > starts_at - timedelta(minutes=MAX_MINUTES),
        col(Appointment.ends_at) > starts_at,
        col(Appointment.status).in_(book.OCCUPYING),
    ).order_by(col(Appointment.starts_at))
    if ignore_id is not None:
        query = query.where(col(Appointment.id) != ignore_id)
    return list(session.exec(query))


def _refuse_overlaps(session: Session, location: LocationView, member: Staff, slots: Sequence[_Slot],
                     ignore_id: int | None = None) -> None:
    clashes = [(slot, other) for slot in slots
               for other in overlapping(session, member.id or 0, slot.starts_at, slot.ends_at, ignore_id=ignore_id)]
    if not clashes:
        return
    tz = location.tz
    shown = "; ".join(
        f"{other.starts_at.astimezone(tz):%Y-%m-%d %H:%M}-{other.ends_at.astimezone(tz):%H:%M} (appointment {other.id})"
        for _, other in clashes[:3])
    more = f" and {len(clashes) - 3} more" if len(clashes) > 3 else ""
    raise Conflict(f"{member.code} is already booked: {shown}{more}",
                   hint="choose another time or staff member, or pass --allow-overlap")


def _outside_hours(session: Session, location: LocationView, member: Staff, slot: _Slot) -> str | None:
    """Why `slot` is outside the member's working hours, in the desk's words; None when it is inside."""
    tz = location.tz
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    day = start.date()
    rule = hours_service.staff_rule(session, location, member.id or 0, day)
    if rule.off is not None:
        return refusal_words(f"{member.code} is off on {day} ({rule.off})")
    if rule.spans is None:
        return None
    weekday = hours_service.DAY_NAMES[day.weekday()]
    if not rule.spans:
        return refusal_words(f"{member.code} does not work on {weekday}s ({day} is {weekday})")
    first = start.hour * 60 + start.minute
    last = (end.date() - day).days * 1440 + end.hour * 60 + end.minute + (1 if end.second or end.microsecond else 0)
    if any(hours_service.minutes(s.start) <= first and last <= hours_service.minutes(s.end) for s in rule.spans):
        return None
    return refusal_words(f"{member.code} works {hours_service.spans_text(rule.spans)} on {weekday}: "
                         f"{start:%H:%M}-{end:%H:%M} is outside their hours")


def outside_hours(session: Session, location: LocationView, member: Staff, starts_at: datetime,
                  ends_at: datetime) -> str | None:
    """Why a visit from `starts_at` to `ends_at` would be outside the member's hours (the booking form
    says so before saving); None when it is inside. The same check booking makes."""
    return _outside_hours(session, location, member, _Slot(starts_at, ends_at, None))  # type: ignore[arg-type]


def _refuse_outside_hours(session: Session, location: LocationView, member: Staff, slots: Sequence[_Slot],
                          *, actor: Actor, allow: bool) -> list[str]:
    """Refuse (exit 1) a time outside the member's hours; `allow` (a manager with a PIN) books it with a
    warning instead."""
    if allow and not actor.is_manager:
        raise NotPermitted(f"booking outside working hours needs a manager ({actor.code} is {actor.role})",
                           hint="a manager books it: --as MANAGER --pin PIN ... --allow-outside-hours")
    reasons = [why for slot in slots if (why := _outside_hours(session, location, member, slot)) is not None]
    if reasons and not allow:
        more = f" (and {len(reasons) - 1} more of the series)" if len(reasons) > 1 else ""
        raise RuleViolation(reasons[0] + more, hint=f"see: salon staff hours {member.code}; "
                            "a manager may book it anyway: --allow-outside-hours")
    return [f"{why}: booked anyway by {actor.code}" for why in reasons[:3]]


def _refuse_beyond_horizon(session: Session, location: LocationView, slot: _Slot, horizon_days: int | None,
                           now: datetime) -> None:
    """Refuse (exit 1) a visit whose local date is past today + the horizon, saying the limit that applies
    to this client and, to a client without priority, the longer one priority booking gives."""
    policy = policy_row(session, location)
    days = policy.booking_horizon_days if horizon_days is None else horizon_days
    last = business_date(now, location.tz) + timedelta(days=days)
    day = slot.starts_at.astimezone(location.tz).date()
    if day <= last:
        return
    hint, until, priority = ("a manager sets how far: salon policy set --booking-horizon DAYS --priority-horizon DAYS",
                             last.isoformat(), policy.priority_horizon_days)
    if days > policy.booking_horizon_days and days == priority:
        raise RuleViolation(f"{day.isoformat()} is too far ahead: bookings open {days} days ahead for clients with "
                            f"priority booking (until {until})", hint=hint)
    if days == policy.booking_horizon_days and priority > days:
        raise RuleViolation(f"{day.isoformat()} is too far ahead: bookings open {days} days ahead (until {until}); "
                            f"clients with priority booking {priority} days", hint=hint)
    raise RuleViolation(f"{day.isoformat()} is too far ahead: bookings open {days} days ahead (until {until})",
                        hint=hint)


def _slots(location: LocationView, at: str | datetime, minutes: int, repeat: str | None,
           on_gap: str) -> tuple[list[_Slot], list[str]]:
    tz, notes = location.tz, []
    wall = (wall_of(at, clock.now().astimezone(tz), what="--at") if isinstance(at, str)  # or "mañana 10"
            else at.astimezone(tz).replace(tzinfo=None))
    walls = occurrences(repeat, wall) if repeat else [wall]
    slots = []
    for when in walls:
        local = resolve(when, tz)
        if local.shifted:
            if on_gap == "skip" and repeat:
                notes.append(f"{when:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks move forward): skipped")
                continue
            if on_gap == "skip":
                raise InvalidInput(f"{when:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks move forward)",
                                   hint="choose another time, or --on-gap shift to book the time it becomes")
            notes.append(f"{when:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks move forward): "
                         f"booked at {local.landed(tz):%H:%M}")
        elif local.ambiguous:
            notes.append(f"{when:%Y-%m-%d %H:%M} happens twice in {tz.key} (clocks move back): "
                         f"booked the first, {local.at.astimezone(tz):%H:%M %Z}")
        slots.append(_Slot(local.at, local.at + timedelta(minutes=minutes), local))
    if not slots:
        raise InvalidInput("the repeat leaves no appointment to book")
    return slots, notes


def book_appointment(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int | None,
    services: Sequence[str],
    staff: str,
    at: str | datetime | None,
    duration_min: int | None = None,
    walk_in: bool = False,
    deposit_cents: int = 0,
    repeat: str | None = None,
    allow_overlap: bool = False,
    on_gap: str = "shift",
    note: str | None = None,
    deposit_taken: bool = False,
    allow_outside_hours: bool = False,
    horizon_days: int | None = None,
) -> Booking:
    """`deposit_cents` is the deposit asked; `deposit_taken` says the caller takes it as a payment in
    this transaction (`till.deposits.book`): a client flagged deposit_required books only so, or by a
    manager with a PIN. `horizon_days`: how far ahead this client may book (None: the policy's
    `booking_horizon_days`); a series is checked by its first visit, a walk-in (now) not at all."""
    authorize(actor, Permission.desk)
    now = clock.now()
    if on_gap not in GAP_CHOICES:
        raise InvalidInput(f"--on-gap {on_gap!r} is not one of {', '.join(GAP_CHOICES)}")
    if duration_min is not None and not 1 <= duration_min <= MAX_MINUTES:
        raise InvalidInput(f"duration {duration_min} is not between 1 and {MAX_MINUTES} minutes")
    if deposit_cents < 0:
        raise InvalidInput("a deposit cannot be negative")
    if walk_in and repeat:
        raise InvalidInput("a walk-in is here now: it does not repeat")
    if at is None and not walk_in:
        raise InvalidInput("--at is needed (a walk-in starts now without it)")
    note = " ".join((note or "").split()) or None
    if note and len(note) > _NOTE_MAX:
        raise InvalidInput(f"the note is longer than {_NOTE_MAX} characters")
    client = _client(session, client_id, walk_in=walk_in)
    menu = _services(session, location, services)
    price = sum(s.price_cents for s in menu)
    minutes = duration_min or sum(s.duration_min for s in menu)
    if minutes > MAX_MINUTES:
        raise InvalidInput(f"{minutes} minutes is longer than an appointment may be ({MAX_MINUTES})",
                           hint="book it as two appointments")
    if deposit_cents >= price > 0:
        raise InvalidInput(f"the deposit {format_amount(deposit_cents, location.currency)} is not less than the price "
                           f"{format_amount(price, location.currency)}", hint="a deposit is part of the price")
    # Locked (PostgreSQL) so that two desks checking the same staff member's time wait for each other.
    member = _staff(session, staff, lock=True)
    slots, warnings = _slots(location, at if at is not None else now, minutes, repeat, on_gap)
    policy = policy_row(session, location)
    grace = timedelta(minutes=policy.no_show_grace_min)
    if not walk_in and slots[0].starts_at + grace <= now:
        raise RuleViolation(f"{slots[0].wall.wall:%Y-%m-%d %H:%M} has already passed",
                            hint="if the client is here, book a walk-in: --walk-in")
    if walk_in and slots[0].starts_at > now + timedelta(hours=1):
        raise InvalidInput("a walk-in starts now (or within the hour)", hint="book it without --walk-in")
    if not walk_in:
        _refuse_beyond_horizon(session, location, slots[0], horizon_days, now)
    if client is not None and client.deposit_required:
        count = f"{client.no_show_count} no-show{'s' if client.no_show_count != 1 else ''}"
        name = f"{client.first_name} {client.last_name}".strip()
        taken = deposit_cents > 0 and deposit_taken
        if not taken and not walk_in and not actor.is_manager:
            raise RuleViolation(f"{name} must leave a deposit to book ({count})",
                                hint="take one: --deposit AMOUNT --pay METHOD, or a manager books it with --as CODE --pin PIN")
        warnings.insert(0, f"{name} has a deposit required ({count})"
                        + ("" if taken or walk_in else f"; booked without one taken by {actor.code}"))
    warnings += _refuse_outside_hours(session, location, member, slots, actor=actor, allow=allow_outside_hours)
    if not allow_overlap:
        _refuse_overlaps(session, location, member, slots)
    created: list[Appointment] = []
    for slot in slots:
        appt = Appointment(
            location_id=location.id, client_id=client.id if client else None, staff_id=member.id or 0,
            service_id=menu[0].id or 0, starts_at=slot.starts_at, ends_at=slot.ends_at,
            status="checked_in" if walk_in else "booked", price_cents=price, deposit_cents=deposit_cents,
            walk_in=walk_in, checked_in_at=now if walk_in else None, note=note, created_at=now,
            created_by_id=actor.id,
        )
        session.add(appt)
        session.flush()
        if created:
            appt.series_id = created[0].id
        elif repeat:
            appt.series_id = appt.id
        session.add_all([AppointmentItem(appointment_id=appt.id or 0, position=i, service_id=s.id or 0,
                                         staff_id=member.id or 0, duration_min=s.duration_min,
                                         price_cents=s.price_cents) for i, s in enumerate(menu)])
        created.append(appt)
    session.flush()
    for appt in created:
        audit.record(session, actor=actor, action="appointment.walk_in" if walk_in else "appointment.book",
                     entity="appointment", entity_id=appt.id, location_id=location.id,
                     after={**(audit.snapshot(appt) or {}), "services": [s.code for s in menu]})
    waitlist.fulfil(session, actor=actor, location=location, appointments=created)  # the client waited for it
    if client is not None and not walk_in:  # a walk-in is here: nothing to confirm
        first = created[0]
        outbox.queue(session, location=location, actor=actor, drafts=[outbox.Draft(
            template="confirmation", client_id=client.id or 0, due=now, appointment=first,
            dedupe_key=f"confirmation:appointment:{first.id}", created_by_id=actor.id)])
    return Booking(book.views(session, [a.id or 0 for a in created]), warnings)


def ask_deposit(session: Session, *, actor: Actor, location: LocationView, appt: Appointment, cents: int) -> None:
    """The deposit asked of an appointment (its row locked by the caller), audited."""
    if not 0 <= cents < appt.price_cents:
        raise InvalidInput(f"the deposit {format_amount(cents, location.currency)} is not less than the price "
                           f"{format_amount(appt.price_cents, location.currency)}", hint="a deposit is part of the price")
    before = audit.snapshot(appt, only=("deposit_cents",))
    appt.deposit_cents, appt.updated_at = cents, clock.now()
    session.add(appt)
    audit.record(session, actor=actor, action="appointment.deposit_ask", entity="appointment", entity_id=appt.id,
                 location_id=location.id, before=before, after={"deposit_cents": cents})


def get(session: Session, appointment_id: int, location: LocationView, *, lock: bool = False) -> Appointment:
    row = session.get(Appointment, appointment_id, with_for_update=lock or None)
    if row is None or row.location_id != location.id:
        raise NotFound(f"no appointment {appointment_id} at {location.code}", hint="see: salon appt list")
    return row


def move(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    appointment_id: int,
    at: str,
    staff: str | None = None,
    allow_overlap: bool = False,
    on_gap: str = "shift",
    allow_outside_hours: bool = False,
    horizon_days: int | None = None,
) -> Booking:
    """Move a booked appointment to another time (and staff member), keeping its length; no further
    ahead than `horizon_days` (None: the policy's `booking_horizon_days`), as booking."""
    authorize(actor, Permission.desk)
    appt = get(session, appointment_id, location, lock=True)
    if appt.status != "booked":
        raise RuleViolation(f"appointment {appointment_id} is {appt.status.replace('_', ' ')}; only a booked one moves")
    member = _staff(session, staff, lock=True) if staff else _staff(session, str(appt.staff_id), lock=True)
    minutes = int((appt.ends_at - appt.starts_at).total_seconds() // 60)
    slots, warnings = _slots(location, at, minutes, None, on_gap)
    slot = slots[0]
    now = clock.now()
    if slot.starts_at + timedelta(minutes=policy_row(session, location).no_show_grace_min) <= now:
        raise RuleViolation(f"{slot.wall.wall:%Y-%m-%d %H:%M} has already passed")
    _refuse_beyond_horizon(session, location, slot, horizon_days, now)
    if (slot.starts_at, member.id) == (appt.starts_at, appt.staff_id):
        raise InvalidInput("the appointment is already at that time with that staff member")
    warnings += _refuse_outside_hours(session, location, member, [slot], actor=actor, allow=allow_outside_hours)
    if not allow_overlap:
        _refuse_overlaps(session, location, member, [slot], ignore_id=appt.id)
    before = audit.snapshot(appt)
    appt.starts_at, appt.ends_at, appt.staff_id, appt.updated_at = slot.starts_at, slot.ends_at, member.id or 0, now
    session.add(appt)
    for item in session.exec(select(AppointmentItem).where(AppointmentItem.appointment_id == appt.id)):
        item.staff_id = member.id or 0
        session.add(item)
    session.flush()
    audit.record(session, actor=actor, action="appointment.move", entity="appointment", entity_id=appt.id,
                 location_id=location.id, before=before, after=audit.snapshot(appt))
    waitlist.fulfil(session, actor=actor, location=location, appointments=[appt])  # moved into days they waited
    return Booking([book.view(session, appt.id or 0)], warnings)
