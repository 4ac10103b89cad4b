"""`salon appt ics ID`: an appointment as an iCalendar invitation, what a client adds to their phone's
calendar.

The event is built in one place, `messages.invites` (below the book, so that an e-mailed confirmation or
reminder carries the same event as `invite.ics`): its UID is the appointment's own, a moved visit comes
with a higher SEQUENCE, a cancelled one with STATUS:CANCELLED, the times in UTC.
"""

from __future__ import annotations

from sqlmodel import Session

from salon_cli.services.messages import invites
from salon_cli.services.salon.locations import LocationView


def invitation(session: Session, location: LocationView, appointment_id: int) -> bytes:
    """The appointment at `location` as one VCALENDAR holding one VEVENT (NotFound elsewhere)."""
    return invites.invitation(session, location, appointment_id)
