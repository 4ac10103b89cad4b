"""Issue 31: an e-mailed confirmation or reminder carries the visit as `invite.ics` (text/calendar;
method=PUBLISH), the same event `salon appt ics` writes at the moment it is sent: received by a real SMTP
server (aiosmtpd), parsed with the `email` package and with icalendar. A moved visit's reminder carries
its new time and a higher SEQUENCE under the same UID; SMS and WhatsApp carry the text alone.

Salón Centro is America/Mexico_City (UTC-6); the clock starts on Saturday 2026-11-21 11:00 there.
Both databases.
"""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar
from sqlmodel import select

from salon_cli.db.models import Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, ics
from salon_cli.services.clients import notes as client_notes, profiles as clients
from salon_cli.services.messages import reminders, sending
from salon_cli.services.messages.channels import OutgoingMessage, SmtpEmail, channels_from_env
from salon_cli.services.salon import catalog, locations, staff
from salon_cli.services.salon.actors import Actor

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
ADDRESS = "Av. Juárez 10, Centro, CDMX"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def desk(engine, people: dict[str, tuple[str | None, str | None, str]]) -> tuple[locations.LocationView, dict[str, int]]:
    """The location with its address and phone, Corte and Tinte, the stylist Ana, and each client
    (phone, e-mail, channel). Returns the location and the clients' ids."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.update(s, actor=OWNER, location=locations.resolve(s, None), address=ADDRESS,
                               phone="55 1234 5678")
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        catalog.add_service(s, actor=OWNER, location=loc, name="Tinte", duration_min=90, price_cents=80000, code="tinte")
        staff.add(s, actor=OWNER, location=loc, name="Ana", code="ana", role="stylist", pin="2222")
        ids = {}
        for name, (phone, email, channel) in people.items():
            c = clients.add(s, actor=OWNER, location=loc, first_name=name, last_name="Prueba", phone=phone, email=email)
            client_notes.set_prefs(s, actor=OWNER, location=loc, client_id=c.id, channel=channel)
            ids[name] = c.id
        uow.commit()
    return loc, ids


def book(engine, loc, client_id: int, at: str, *services: str) -> int:
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=OWNER, location=loc, client_id=client_id,
                                             services=list(services), staff="ana", at=at)
        uow.commit()
    return done.appointments[0].id


def invite_part(received):
    """The message's one text/calendar part."""
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in received.message.walk()]
    return parts[0]


def the_event(part):
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert (str(cal["version"]), str(cal["method"])) == ("2.0", "PUBLISH")
    (event,) = cal.walk("VEVENT")
    return event


def test_an_emailed_confirmation_carries_the_visit_as_the_invitation_appt_ics_writes(engine, salon, clock, mail_server):
    loc, ids = desk(engine, {"Ximena": ("55 1234 5601", "xime@example.com", "email")})
    appt = book(engine, loc, ids["Ximena"], "2026-11-23 10:30", "corte", "tinte")  # 45 + 90 min
    clock.advance(minutes=2)  # sent a little after it was queued: stamped when sent
    with UnitOfWork(engine, write=False) as uow:
        written_now = ics.invitation(uow.session, loc, appt)  # what `salon appt ics` writes at this moment
    tally = sending.send_due(engine, location=loc, as_of=clock.now(), channels=channels_from_env(mail_server.env()))
    assert len(tally.sent) == 1

    (got,) = mail_server.received
    assert got.rcpt_tos == ["xime@example.com"] and got.message["Subject"] == "Tu cita en Salón Centro"
    assert got.message.get_content_type() == "multipart/mixed"
    body = got.message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hola Ximena, tu cita de Corte con Ana quedó agendada para el lunes 23 de noviembre")
    part = invite_part(got)
    assert (part.get_filename(), part.get_param("method"), part.get_content_charset()) == ("invite.ics", "PUBLISH", "utf-8")
    assert part.get_content_disposition() == "attachment"
    assert part.get_payload(decode=True) == written_now  # the same bytes, DTSTAMP included

    event = the_event(part)
    assert str(event["uid"]) == f"appointment-{appt}@centro.salon"
    assert event.decoded("dtstart") == utc(2026, 11, 23, 16, 30)  # 10:30 in Mexico City
    assert event.decoded("dtend") == utc(2026, 11, 23, 18, 45)
    assert event.decoded("dtstamp") == utc(2026, 11, 21, 17, 2)
    assert str(event["summary"]) == "Corte + Tinte · Salón Centro"
    assert str(event["location"]) == ADDRESS
    assert loc.phone and str(event["description"]) == f"Corte + Tinte with Ana. {loc.phone}"  # as the location keeps it
    assert (str(event["status"]), int(event["sequence"])) == ("CONFIRMED", 0)
    with UnitOfWork(engine, write=False) as uow:
        (row,) = uow.session.exec(select(Outbox)).all()
    assert (row.template, row.status, row.payload) == ("confirmation", "sent", {"starts_at": "2026-11-23T16:30:00+00:00"})


def test_a_moved_visits_reminder_carries_its_new_time_under_the_same_uid(engine, salon, clock, mail_server):
    loc, ids = desk(engine, {"Ximena": (None, "xime@example.com", "email")})
    appt = book(engine, loc, ids["Ximena"], "2026-11-23 10:00", "corte")
    channels = channels_from_env(mail_server.env())
    sending.send_due(engine, location=loc, as_of=clock.now(), channels=channels)  # the confirmation
    first = the_event(invite_part(mail_server.received[0]))
    assert (int(first["sequence"]), first.decoded("dtstart")) == (0, utc(2026, 11, 23, 16, 0))

    clock.advance(hours=1)
    with UnitOfWork(engine) as uow:
        appointments.move(uow.session, actor=OWNER, location=loc, appointment_id=appt, at="2026-11-24 12:00")
        uow.commit()
    clock.set(utc(2026, 11, 23, 18, 5))  # Monday 12:05: 24 hours before the new time
    report = reminders.run(engine, location=loc, channels=channels, as_of=clock.now())
    assert (report.sent, report.failed) == (1, 0)

    assert len(mail_server.received) == 2
    reminder = mail_server.received[1]
    assert reminder.message["Subject"] == "Recordatorio: tu cita del martes 24 de noviembre"
    event = the_event(invite_part(reminder))
    assert str(event["uid"]) == str(first["uid"]) == f"appointment-{appt}@centro.salon"
    assert int(event["sequence"]) == 1  # a calendar holding the first one replaces it
    assert event.decoded("dtstart") == utc(2026, 11, 24, 18, 0)  # 12:00 in Mexico City
    assert event.decoded("dtend") == utc(2026, 11, 24, 18, 45)
    assert str(event["summary"]) == "Corte · Salón Centro" and str(event["location"]) == ADDRESS
    assert str(event["status"]) == "CONFIRMED"


class Recorder:
    """A channel that keeps what it is handed (SMS, WhatsApp)."""

    def __init__(self, name: str) -> None:
        self.name, self.handed = name, []

    def send(self, message: OutgoingMessage) -> str:
        self.handed.append(message)
        return f"{self.name}-{message.outbox_id}"


def test_sms_and_whatsapp_confirmations_carry_no_invitation(engine, salon, clock, mail_server):
    loc, ids = desk(engine, {"Ximena": ("55 1234 5601", "xime@example.com", "email"),
                             "Beto": ("55 1234 5602", "beto@example.com", "sms"),
                             "Carla": ("55 1234 5603", "carla@example.com", "whatsapp")})
    for hour, name in zip((10, 11, 12), ("Ximena", "Beto", "Carla")):
        book(engine, loc, ids[name], f"2026-11-23 {hour}:00", "corte")
    sms, whatsapp = Recorder("sms"), Recorder("whatsapp")
    email = SmtpEmail.from_env(mail_server.env())
    tally = sending.send_due(engine, location=loc, as_of=clock.now(),
                             channels={"email": email, "sms": sms, "whatsapp": whatsapp})
    assert len(tally.sent) == 3
    for recorder in (sms, whatsapp):
        (message,) = recorder.handed
        assert message.attachments == () and message.body.startswith("Hola ")
    (got,) = mail_server.received
    assert got.rcpt_tos == ["xime@example.com"]
    assert [p.get_filename() for p in got.message.iter_attachments()] == ["invite.ics"]
