"""An appointment as an iCalendar invitation (RFC 5545, through the `icalendar` library): what a client
adds to their phone's calendar. `salon appt ics ID` writes it.

The event's UID is the appointment's own (`appointment-ID@LOCATION.salon`), so a calendar that already
holds the visit updates it rather than adding a second one: a moved visit comes with a higher SEQUENCE
(the number of times it was moved), a cancelled one with STATUS:CANCELLED. Times are UTC (`...Z`), which
every calendar shows on its own clock; DTSTAMP is the salon's clock.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from salon_cli.core import clock
from salon_cli.db.models import AuditLog
from salon_cli.services.book import views
from salon_cli.services.salon.locations import LocationView

PRODID = "-//salon//salon front desk//ES"
CANCELLED = ("cancelled", "late_cancelled", "no_show")


def _moves(session: Session, appointment_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(AuditLog).where(
        col(AuditLog.action) == "appointment.move", col(AuditLog.entity) == "appointment",
        col(AuditLog.entity_id) == appointment_id)).one())


def invitation(session: Session, location: LocationView, appointment_id: int) -> bytes:
    """The appointment at `location` as one VCALENDAR holding one VEVENT (NotFound elsewhere)."""
    from icalendar import Calendar, Event  # only this command needs the library

    appt = views.view(session, appointment_id, location=location)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appt.id}@{location.code}.salon")
    event.add("dtstamp", clock.now())
    event.add("dtstart", appt.starts_at)
    event.add("dtend", appt.ends_at)
    event.add("summary", f"{appt.service} · {location.name}")
    event.add("description", f"{appt.service} with {appt.staff_name}" + (f". {location.phone}" if location.phone else ""))
    if location.address:
        event.add("location", location.address)
    event.add("status", "CANCELLED" if appt.status in CANCELLED else "CONFIRMED")
    event.add("sequence", _moves(session, appt.id))
    cal.add_component(event)
    return cal.to_ical()
