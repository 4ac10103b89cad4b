"""An appointment as an iCalendar invitation (RFC 5545, through the `icalendar` library): what a client
adds to their phone's calendar. The one builder of the event: `salon appt ics ID` writes it
(`book.ics`), and an e-mailed confirmation or reminder carries it as `invite.ics` (`sending`, built when
the message is sent, so it says what the book says then). This module is the only importer of
`icalendar`.

The event's UID is the appointment's own (`appointment-ID@LOCATION.salon`), so a calendar that already
holds the visit updates it rather than adding a second one: a moved visit comes with a higher SEQUENCE
(the number of times it was moved), a cancelled one (or a no-show) with STATUS:CANCELLED. Times are UTC
(`...Z`), which every calendar shows on its own clock; DTSTAMP is the salon's clock.

METHOD is PUBLISH, in the file and in the e-mail part's `method` (RFC 6047 wants them the same): the
salon tells the client of a visit, it does not invite them to a meeting. A REQUEST (iTIP) needs an
ORGANIZER and the client as ATTENDEE, and a phone then shows Accept / Decline buttons whose replies go
to the salon's sender address, which no one reads: a client who taps Decline would believe the visit
cancelled. Mail apps (iOS Mail, Gmail, Outlook) offer to add a published event to the calendar, and
update it by UID and SEQUENCE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from salon_cli.core import clock
from salon_cli.core.errors import NotFound
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Service, Staff
from salon_cli.services.messages.channels import Attachment
from salon_cli.services.salon.locations import LocationView

PRODID = "-//salon//salon front desk//ES"
METHOD = "PUBLISH"
CANCELLED = ("cancelled", "late_cancelled", "no_show")
FILENAME = "invite.ics"
CONTENT_TYPE = f"text/calendar; charset=utf-8; method={METHOD}"
# The e-mails that carry the visit's invitation (SMS and WhatsApp never do: `sending`).
CARRIED_BY = frozenset({"confirmation", "reminder"})


@dataclass(frozen=True)
class Visit:
    """What the event says of an appointment and its location."""

    appointment_id: int
    location_code: str
    location_name: str
    location_phone: str | None
    location_address: str | None
    service: str  # every service's name, joined by ' + ' (as `book.views` names them)
    staff_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    moves: int


def calendar(visit: Visit, *, stamp: datetime) -> bytes:
    """The visit as one VCALENDAR holding one VEVENT, stamped `stamp` (pure)."""
    from icalendar import Calendar, Event  # only an invitation needs the library (start-up time)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", METHOD)
    event = Event()
    event.add("uid", f"appointment-{visit.appointment_id}@{visit.location_code}.salon")
    event.add("dtstamp", stamp)
    event.add("dtstart", visit.starts_at)
    event.add("dtend", visit.ends_at)
    event.add("summary", f"{visit.service} · {visit.location_name}")
    event.add("description", f"{visit.service} with {visit.staff_name}"
              + (f". {visit.location_phone}" if visit.location_phone else ""))
    if visit.location_address:
        event.add("location", visit.location_address)
    event.add("status", "CANCELLED" if visit.status in CANCELLED else "CONFIRMED")
    event.add("sequence", visit.moves)
    cal.add_component(event)
    return cal.to_ical()


def moves(session: Session, appointment_id: int) -> int:
    """How many times the appointment was moved (its `appointment.move` audit rows)."""
    return int(session.exec(select(func.count()).select_from(AuditLog).where(
        col(AuditLog.action) == "appointment.move", col(AuditLog.entity) == "appointment",
        col(AuditLog.entity_id) == appointment_id)).one())


def visit(session: Session, location: LocationView, appointment_id: int) -> Visit:
    """The appointment at `location` as its event tells it (NotFound elsewhere)."""
    appt = session.get(Appointment, appointment_id)
    if appt is None or appt.location_id != location.id:
        raise NotFound(f"no appointment {appointment_id} at {location.code}", hint="see: salon appt list")
    names = list(session.exec(select(Service.name).join(AppointmentItem, col(AppointmentItem.service_id) == Service.id)
                              .where(AppointmentItem.appointment_id == appointment_id)
                              .order_by(col(AppointmentItem.position))))
    if not names:
        names = list(session.exec(select(Service.name).where(Service.id == appt.service_id)))
    staff_name = session.exec(select(Staff.name).where(Staff.id == appt.staff_id)).one()
    return Visit(appointment_id=appointment_id, location_code=location.code, location_name=location.name,
                 location_phone=location.phone, location_address=location.address, service=" + ".join(names),
                 staff_name=staff_name, starts_at=appt.starts_at, ends_at=appt.ends_at, status=appt.status,
                 moves=moves(session, appointment_id))


def invitation(session: Session, location: LocationView, appointment_id: int) -> bytes:
    """The appointment at `location` as an iCalendar invitation, stamped now (NotFound elsewhere)."""
    return calendar(visit(session, location, appointment_id), stamp=clock.now())


def attachment(session: Session, location: LocationView, appointment_id: int) -> Attachment:
    """The invitation as an e-mail's `invite.ics` (text/calendar; method=PUBLISH)."""
    return Attachment(filename=FILENAME, content_type=CONTENT_TYPE, data=invitation(session, location, appointment_id))
