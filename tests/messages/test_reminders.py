"""`send-reminders` over a weekend's book: exactly the messages a person would list by hand, none twice
(runs repeated, runs at once), none to a client who chose `none`, none in quiet hours.

The salon is Salón Centro (America/Mexico_City, no DST: UTC-6), quiet hours 21:00-08:00, Spanish by
default. The book is made on Friday 2026-11-20 at 20:00; cron then runs every 5 minutes until Sunday
22:00, detect-no-shows every 15, and the desk checks each client in as they arrive (all but Beto).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from cli_helpers import allow_clock_override
from salon_cli.core.errors import Busy
from salon_cli.db.models import AuditLog, JobRun, Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, status as appt_status, no_shows
from salon_cli.services.salon import catalog, locations, policy, staff
from salon_cli.services.clients import notes as client_notes, profiles as clients
from salon_cli.services.messages import sending as message_sending, outbox, reminders
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.messages.channels import channels_from_env

TZ = ZoneInfo("America/Mexico_City")
OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)


def local(text: str) -> datetime:
    """'Sat 10:00' of that weekend (Fri 20, Sat 21, Sun 22 November 2026) as a UTC instant."""
    day, hm = text.split()
    days = {"Fri": 20, "Sat": 21, "Sun": 22}
    hour, minute = map(int, hm.split(":"))
    return datetime(2026, 11, days[day], hour, minute, tzinfo=TZ).astimezone(timezone.utc)


def shown(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(TZ).strftime("%a %H:%M")


@dataclass
class Book:
    loc: locations.LocationView
    clients: dict[str, int]
    appts: dict[str, int]


PEOPLE = {
    # name: (phone, email, channel, reminder, language, birthday, consent)
    "Ana": ("55 1234 5601", "ana@example.com", "email", "24h", None, None, False),
    "Beto": ("55 1234 5602", None, "sms", "1h", None, None, False),
    "Carla": ("55 1234 5603", None, "whatsapp", "both", "en", None, False),
    "Dani": ("55 1234 5604", None, "sms", "none", None, None, False),
    "Elena": ("55 1234 5605", None, None, "both", None, None, False),
    "Fer": ("55 1234 5606", None, "sms", "1h", None, None, False),
    "Gabi": (None, None, None, None, None, None, False),
    "Karla": ("55 1234 5607", None, "sms", "24h", None, None, False),
    "Luis": (None, "luis@example.com", "email", "24h", None, None, False),
    "Juan": ("55 1234 5608", None, "sms", "24h", None, None, False),
    "Hugo": (None, "hugo@example.com", "email", "24h", None, "1990-11-22", True),
    "Iris": ("55 1234 5609", None, None, None, None, "1988-11-22", False),
}
FRIDAY_BOOK = {"Ana": "Sun 10:00", "Beto": "Sun 12:00", "Carla": "Sun 15:30", "Dani": "Sun 09:00",
               "Elena": "Sun 08:30", "Fer": "Sun 08:00", "Gabi": "Sun 13:00", "Karla": "Sun 16:00", "Luis": "Sun 17:00"}
ARRIVALS = {"Fer": "Sun 08:00", "Elena": "Sun 08:30", "Dani": "Sun 09:00", "Ana": "Sun 10:00", "Gabi": "Sun 13:00",
            "Carla": "Sun 15:30", "Juan": "Sun 18:00", "Luis": "Sun 19:00"}
STYLIST = {"Ana": "ana", "Beto": "beto", "Carla": "ana", "Dani": "beto", "Elena": "ana", "Fer": "beto", "Gabi": "ana",
           "Karla": "beto", "Luis": "beto", "Juan": "beto"}

# What a person would list by hand: (client, message, reminder lead, status, sent at)
BY_HAND = sorted([
    # Friday 20:00: the bookings' confirmations go at once (before the quiet hours). Dani chose none; Gabi
    # has neither phone nor e-mail (written as skipped, with the reason).
    ("Ana", "confirmation", None, "sent", "Fri 20:00"),
    ("Beto", "confirmation", None, "sent", "Fri 20:00"),
    ("Carla", "confirmation", None, "sent", "Fri 20:00"),
    ("Elena", "confirmation", None, "sent", "Fri 20:00"),
    ("Fer", "confirmation", None, "sent", "Fri 20:00"),
    ("Gabi", "confirmation", None, "skipped", None),
    ("Karla", "confirmation", None, "sent", "Fri 20:00"),
    ("Luis", "confirmation", None, "sent", "Fri 20:00"),
    # Saturday: each 24h reminder at its time; Karla cancelled at 12:00 (no reminder); Luis was moved to
    # Sunday 19:00 at 09:00 (reminded of the new time); Juan booked at 21:30 for Sunday 18:00: his
    # confirmation waits for the quiet hours to end, and there is no 24h reminder (booked after its time).
    ("Elena", "reminder", "24h", "sent", "Sat 08:30"),
    ("Ana", "reminder", "24h", "sent", "Sat 10:00"),
    ("Gabi", "reminder", "24h", "skipped", None),
    ("Carla", "reminder", "24h", "sent", "Sat 15:30"),
    ("Luis", "reminder", "24h", "sent", "Sat 19:00"),
    ("Juan", "confirmation", None, "sent", "Sun 08:00"),
    # Sunday: Hugo's birthday (consent; Iris gave none) at the end of the quiet hours; Fer's 1h reminder
    # (07:00) would wait until 08:00, when his appointment starts: skipped; Elena's (07:30) goes at 08:00.
    ("Hugo", "birthday", None, "sent", "Sun 08:00"),
    ("Fer", "reminder", "1h", "skipped", None),
    ("Elena", "reminder", "1h", "sent", "Sun 08:00"),
    ("Beto", "reminder", "1h", "sent", "Sun 11:00"),
    # Beto never came: detect-no-shows at 12:15 makes the penalty and its notice in one transaction
    ("Beto", "no_show_notice", None, "sent", "Sun 12:15"),
    ("Carla", "reminder", "1h", "sent", "Sun 14:30"),
], key=lambda m: (m[0], m[1], m[2] or ""))


def _book(engine, clock, name: str, at: str) -> int:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        done = appointments.book_appointment(uow.session, actor=OWNER, location=loc, client_id=_ids(engine)[name],
                                             services=["corte"], staff=STYLIST[name],
                                             at=local(at).astimezone(TZ).strftime("%Y-%m-%d %H:%M"))
        uow.commit()
    return done.appointments[0].id


def _ids(engine) -> dict[str, int]:
    from salon_cli.db.models import Client

    with UnitOfWork(engine, write=False) as uow:
        return {c.first_name: c.id for c in uow.session.exec(select(Client))}


def make_weekend(engine, clock) -> Book:
    clock.set(local("Fri 19:00"))
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        for code in ("ana", "beto"):
            staff.add(s, actor=OWNER, location=loc, name=code.title(), code=code, role="stylist", pin="2222")
        policy.update(s, actor=OWNER, location=loc, payment_url="https://pagos.example.com/p/{penalty_id}")
        for name, (phone, email, channel, reminder, language, birthday, consent) in PEOPLE.items():
            c = clients.add(s, actor=OWNER, location=loc, first_name=name, last_name="Prueba", phone=phone, email=email,
                            birthday=birthday, marketing_consent=consent)
            if any((channel, reminder, language)):
                client_notes.set_prefs(s, actor=OWNER, location=loc, client_id=c.id, channel=channel, reminder=reminder,
                                       language=language)
        uow.commit()
    clock.set(local("Fri 20:00"))
    appts = {name: _book(engine, clock, name, at) for name, at in FRIDAY_BOOK.items()}
    return Book(loc=loc, clients=_ids(engine), appts=appts)


def desk_work(engine, clock, book: Book, at: datetime) -> None:
    """What happens at the desk at `at` (the clock is there already)."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        if at == local("Sat 09:00"):
            appointments.move(s, actor=OWNER, location=book.loc, appointment_id=book.appts["Luis"],
                              at="2026-11-22 19:00")
        if at == local("Sat 12:00"):
            appt_status.cancel(s, actor=OWNER, location=book.loc, appointment_id=book.appts["Karla"], reason="viaje")
        for name, arrival in ARRIVALS.items():
            if at == local(arrival):
                appt_status.check_in(s, actor=OWNER, location=book.loc, appointment_id=book.appts[name])
        uow.commit()
    if at == local("Sat 21:30"):
        book.appts["Juan"] = _book(engine, clock, "Juan", "Sun 18:00")


def outcome(engine) -> list[tuple]:
    names = {v: k for k, v in _ids(engine).items()}
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.session.exec(select(Outbox)).all()
    return sorted(((names[m.client_id], m.template, (m.payload or {}).get("lead"), m.status, shown(m.sent_at))
                   for m in rows), key=lambda m: (m[0], m[1], m[2] or ""))


def weekend(engine, clock, book: Book, channels, *, runs_per_tick: int = 1, together: bool = False) -> None:
    at = local("Fri 20:00")
    while at <= local("Sun 22:00"):
        clock.set(at)
        desk_work(engine, clock, book, at)
        if at.minute % 15 == 0:
            no_shows.detect(engine, location=book.loc, as_of=at)
        if together:
            run_at_once(engine, book, channels, at)
        for _ in range(runs_per_tick):
            reminders.run(engine, location=book.loc, channels=channels, as_of=at)
        at += timedelta(minutes=5)


def run_at_once(engine, book: Book, channels, at: datetime) -> None:
    """Two runs started together; one may find the other holding the lock (exit 4, nothing changed)."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def one() -> None:
        start.wait()
        try:
            reminders.run(engine, location=book.loc, channels=channels, as_of=at)
        except Busy:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


@pytest.fixture
def delivery(mail_server, twilio):
    return channels_from_env({**mail_server.env(), **twilio.env()})


def test_a_weekend_sends_exactly_what_a_person_would_list(engine, salon, clock, mail_server, twilio, delivery):
    book = make_weekend(engine, clock)
    weekend(engine, clock, book, delivery, runs_per_tick=2)  # every run twice: the second finds nothing to do
    assert outcome(engine) == BY_HAND
    sent = [m for m in BY_HAND if m[3] == "sent"]
    # each message reached its provider exactly once: e-mail by SMTP, the others through Twilio
    emails = sorted((r.rcpt_tos[0], r.message["Subject"]) for r in mail_server.received)
    assert len(mail_server.received) == sum(1 for m in sent if m[0] in ("Ana", "Luis", "Hugo")) == 5
    assert emails == sorted([
        ("ana@example.com", "Recordatorio: tu cita del domingo 22 de noviembre"),
        ("ana@example.com", "Tu cita en Salón Centro"),
        ("hugo@example.com", "¡Feliz cumpleaños, Hugo!"),
        ("luis@example.com", "Recordatorio: tu cita del domingo 22 de noviembre"),
        ("luis@example.com", "Tu cita en Salón Centro"),
    ])
    texts = [(r.form["To"], r.form["Body"]) for r in twilio.delivered]
    with UnitOfWork(engine, write=False) as uow:
        ids = uow.session.exec(select(Outbox.provider_id).where(Outbox.status == "sent", Outbox.channel != "email")).all()
        message_ids = uow.session.exec(select(Outbox.provider_id).where(Outbox.status == "sent",
                                                                        Outbox.channel == "email")).all()
    assert sorted(r.sid for r in twilio.delivered) == sorted(ids) and len(ids) == len(sent) - 5 == 12
    assert sorted(r.message["Message-ID"].strip() for r in mail_server.received) == sorted(message_ids)
    assert not [r for r in twilio.requests if r.form["To"].endswith("5604")]  # Dani chose none
    carla = [body for to, body in texts if to == "whatsapp:+525512345603"]
    assert len(carla) == 3 and all(b.startswith("Hi Carla") for b in carla)  # in English, by WhatsApp
    assert any("Sunday, November 22 at 3:30 PM" in b for b in carla)
    (notice,) = [body for to, body in texts if to == "+525512345602" and "$175.00" in body]
    assert "https://pagos.example.com/p/1" in notice
    luis = [r.body for r in mail_server.received if r.rcpt_tos == ["luis@example.com"]]
    assert any("domingo 22 de noviembre a las 19:00" in b for b in luis)  # the new time, after the move
    # nothing went out in the quiet hours (21:00-08:00)
    with UnitOfWork(engine, write=False) as uow:
        times = [m.sent_at.astimezone(TZ) for m in uow.session.exec(select(Outbox).where(Outbox.status == "sent"))]
    assert times and all(8 <= t.hour < 21 for t in times)
    # the skipped ones say why
    with UnitOfWork(engine, write=False) as uow:
        reasons = {(m.template, (m.payload or {}).get("lead")): m.error
                   for m in uow.session.exec(select(Outbox).where(Outbox.status == "skipped"))}
    assert reasons[("reminder", "1h")].startswith("quiet hours until Sunday, November 22 at 8:00 AM; the appointment starts")
    assert reasons[("confirmation", None)] == "the client has no phone or e-mail address"


def test_runs_at_once_queue_and_send_each_message_once(engine, salon, clock, mail_server, twilio, delivery):
    book = make_weekend(engine, clock)
    weekend(engine, clock, book, delivery, runs_per_tick=0, together=True)
    assert outcome(engine) == BY_HAND
    sent = sum(1 for m in BY_HAND if m[3] == "sent")
    assert len(mail_server.received) + len(twilio.delivered) == sent
    with UnitOfWork(engine, write=False) as uow:
        runs = uow.session.exec(select(func.count()).select_from(JobRun).where(JobRun.job == "send-reminders")).one()
    assert runs >= 601  # each tick ran at least once (the other run of a tick may have found it busy)


# What the ticks below leave, run by any number of processes at once: Friday's confirmations; Saturday's
# 24h reminders due by 10:00; on Sunday at 08:00 (cron stopped since Saturday 10:00) the 24h reminders
# due meanwhile, Hugo's birthday, and Elena's 1h reminder (08:30; her 24h one went on Saturday).
BY_PROCESSES = sorted([
    ("Ana", "confirmation", None, "sent"), ("Ana", "reminder", "24h", "sent"),
    ("Beto", "confirmation", None, "sent"),
    ("Carla", "confirmation", None, "sent"), ("Carla", "reminder", "24h", "sent"),
    ("Elena", "confirmation", None, "sent"), ("Elena", "reminder", "1h", "sent"), ("Elena", "reminder", "24h", "sent"),
    ("Fer", "confirmation", None, "sent"),
    ("Gabi", "confirmation", None, "skipped"), ("Gabi", "reminder", "24h", "skipped"),
    ("Hugo", "birthday", None, "sent"),
    ("Karla", "confirmation", None, "sent"), ("Karla", "reminder", "24h", "sent"),
    ("Luis", "confirmation", None, "sent"), ("Luis", "reminder", "24h", "sent"),
], key=lambda m: (m[0], m[1], m[2] or ""))


@pytest.mark.slow
def test_cron_runs_in_separate_processes_at_once_send_each_message_once(db_url, engine, salon, clock, mail_server,
                                                                        twilio):
    """Four `salon send-reminders` processes started together at each tick, as overlapping crontabs on
    two machines would: each exits 0, or 4 when another holds the lock; each message reaches its provider
    once."""
    make_weekend(engine, clock)
    allow_clock_override(engine)  # the processes run under SALON_NOW
    engine.dispose()
    salon_cmd = [os.path.join(os.path.dirname(sys.executable), "salon"), "--db", db_url, "send-reminders", "-f", "json"]
    for tick in ("Fri 20:00", "Sat 08:30", "Sat 10:00", "Sun 08:00"):
        at = local(tick).isoformat()
        env = {**os.environ, **mail_server.env(), **twilio.env(), "SALON_NOW": at}
        procs = [subprocess.Popen([*salon_cmd, "--as-of", at], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        done = [(p.wait(timeout=300), *p.communicate()) for p in procs]
        assert all(code in (0, 4) for code, _, _ in done), [(c, err) for c, _, err in done]
        assert any(code == 0 for code, _, _ in done), tick
        for code, out, err in done:
            if code == 4:
                assert err.startswith("error: ") and "send-reminders" in err and out == "", err
            else:
                json.loads(out)
    assert [m[:4] for m in outcome(engine)] == BY_PROCESSES
    sent = [m for m in BY_PROCESSES if m[3] == "sent"]
    assert len(mail_server.received) == 5 and len(twilio.delivered) == len(sent) - 5 == 9
    with UnitOfWork(engine, write=False) as uow:
        provider_ids = uow.session.exec(select(Outbox.provider_id).where(Outbox.status == "sent")).all()
    assert len(set(provider_ids)) == len(sent)
    delivered = [r.sid for r in twilio.delivered] + [r.message["Message-ID"].strip() for r in mail_server.received]
    assert sorted(delivered) == sorted(provider_ids)


def test_after_a_pause_only_the_nearer_reminder_goes(engine, salon, clock, delivery):
    """Carla chose both; the job did not run between Friday night and Sunday 14:45: her 24h reminder
    is past, her 1h one is due. She gets the 1h one only, now and in every later run."""
    book = make_weekend(engine, clock)
    for at in ("Sun 14:45", "Sun 14:50", "Sun 15:00"):
        clock.set(local(at))
        reminders.run(engine, location=book.loc, channels=delivery, as_of=local(at))
    carla = [m for m in outcome(engine) if m[0] == "Carla" and m[1] == "reminder"]
    assert carla == [("Carla", "reminder", "1h", "sent", "Sun 14:45")]


def test_senders_without_the_lock_still_never_duplicate(engine, salon, clock, mail_server, twilio, delivery):
    """The lock aside, the database alone keeps each message single: queued once by its unique key,
    taken for sending by one UPDATE that only one sender can win."""
    book = make_weekend(engine, clock)
    clock.set(local("Sat 10:00"))
    errors = []
    start = threading.Barrier(4)

    def sender() -> None:
        start.wait()
        try:
            with UnitOfWork(engine) as uow:
                outbox.queue(uow.session, location=book.loc, actor=SYSTEM,
                                drafts=reminders.due_now(uow.session, book.loc, local("Sat 10:00")))
                uow.commit()
            message_sending.send_due(engine, location=book.loc, as_of=local("Sat 10:00"), channels=delivery)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert [m for m in outcome(engine) if m[3] != "skipped"] == sorted([
        # Friday's confirmations, and the 24h reminders due by Saturday 10:00 (Elena's 08:30, Ana's 10:00)
        ("Ana", "confirmation", None, "sent", "Sat 10:00"), ("Ana", "reminder", "24h", "sent", "Sat 10:00"),
        ("Beto", "confirmation", None, "sent", "Sat 10:00"), ("Carla", "confirmation", None, "sent", "Sat 10:00"),
        ("Elena", "confirmation", None, "sent", "Sat 10:00"), ("Elena", "reminder", "24h", "sent", "Sat 10:00"),
        ("Fer", "confirmation", None, "sent", "Sat 10:00"), ("Karla", "confirmation", None, "sent", "Sat 10:00"),
        ("Luis", "confirmation", None, "sent", "Sat 10:00"),
    ], key=lambda m: (m[0], m[1], m[2] or ""))
    assert len(mail_server.received) + len(twilio.delivered) == 9


def test_a_dry_run_lists_what_would_go_and_changes_nothing(engine, salon, clock, delivery):
    book = make_weekend(engine, clock)
    with UnitOfWork(engine, write=False) as uow:
        audit_rows = uow.session.exec(select(func.count()).select_from(AuditLog)).one()
    report = reminders.run(engine, location=book.loc, channels=delivery, as_of=local("Sat 10:00"), dry_run=True)
    names = {v: k for k, v in book.clients.items()}
    steps = sorted((s.action, names[s.message.client_id], s.message.template, s.message.payload.get("lead"))
                   for s in report.steps)
    assert ("send", "Ana", "reminder", "24h") in steps and ("send", "Ana", "confirmation", None) in steps
    assert ("skip", "Gabi", "confirmation", None) not in steps  # written skipped on Friday: nothing to do now
    assert not [s for s in steps if s[1] == "Dani"]
    # it would queue Elena's and Ana's 24h reminders, and send them with Friday's 7 confirmations
    assert (report.queued, report.sent, report.job_run_id) == (2, 9, None)
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == audit_rows
        assert s.exec(select(func.count()).select_from(JobRun)).one() == 0
        assert s.exec(select(func.count()).select_from(Outbox).where(Outbox.status != "queued",
                                                                     Outbox.status != "skipped")).one() == 0
        assert s.exec(select(func.count()).select_from(Outbox).where(Outbox.template == "reminder")).one() == 0


def test_in_quiet_hours_nothing_goes_and_due_messages_wait(engine, salon, clock, mail_server, twilio, delivery):
    book = make_weekend(engine, clock)
    report = reminders.run(engine, location=book.loc, channels=delivery, as_of=local("Fri 21:00"))
    assert (report.sent, report.waiting, report.quiet_until) == (0, 7, local("Sat 08:00"))
    assert mail_server.received == [] and twilio.requests == []
    report = reminders.run(engine, location=book.loc, channels=delivery, as_of=local("Sat 08:00"))
    assert (report.sent, report.waiting) == (7, 0)


def test_a_client_who_withdraws_consent_or_chooses_none_is_not_sent_what_was_queued(engine, salon, clock, delivery):
    book = make_weekend(engine, clock)
    with UnitOfWork(engine) as uow:
        client_notes.set_prefs(uow.session, actor=OWNER, location=book.loc, client_id=book.clients["Ana"], reminder="none")
        uow.commit()
    report = reminders.run(engine, location=book.loc, channels={}, as_of=local("Fri 20:05"))
    reasons = {s.message.client_id: s.message.error for s in report.steps if s.action == "skip"}
    assert reasons[book.clients["Ana"]] == "the client chose no reminders"


def test_birthday_greetings_once_a_year_to_consenting_clients(engine, salon, clock, mail_server, delivery):
    book = make_weekend(engine, clock)
    for at in ("Sat 23:55", "Sun 00:00", "Sun 00:05", "Sun 09:00", "Sun 23:55"):
        clock.set(local(at))
        reminders.run(engine, location=book.loc, channels=delivery, as_of=local(at))
    with UnitOfWork(engine, write=False) as uow:
        greetings = uow.session.exec(select(Outbox).where(Outbox.template == "birthday")).all()
    # Hugo (consent) once, queued at midnight, sent when the quiet hours ended; Iris (no consent) never
    assert [(g.client_id, g.dedupe_key, g.status, shown(g.send_after), shown(g.sent_at)) for g in greetings] == [
        (book.clients["Hugo"], f"birthday:client:{book.clients['Hugo']}:2026", "sent", "Sun 08:00", "Sun 09:00")]
    assert [r.body for r in mail_server.received if r.rcpt_tos == ["hugo@example.com"]] == [
        "¡Feliz cumpleaños, Hugo! Todo el equipo de Salón Centro te desea un gran día."]


def test_win_back_offers_once_a_lapse_to_consenting_clients_with_nothing_booked(engine, salon, clock, delivery):
    from salon_cli.db.models import Appointment

    book = make_weekend(engine, clock)
    now = local("Sat 12:00")
    with UnitOfWork(engine) as uow:
        s = uow.session
        policy.update(s, actor=OWNER, location=book.loc, win_back_days=60)
        names = {}
        for name, consent, days_ago, booked in (("Olga", True, 61, False), ("Pau", False, 61, False),
                                                ("Quim", True, 61, True), ("Rita", True, 95, False),
                                                ("Sara", True, 59, False)):
            c = clients.add(s, actor=OWNER, location=book.loc, first_name=name, last_name="Prueba",
                            phone=f"55 9999 00{len(names):02d}", marketing_consent=consent)
            names[name] = c.id
            at = now - timedelta(days=days_ago)
            s.add(Appointment(location_id=book.loc.id, client_id=c.id, staff_id=2, service_id=1, starts_at=at,
                              ends_at=at + timedelta(minutes=45), status="completed", price_cents=35000, created_at=at))
            if booked:
                s.add(Appointment(location_id=book.loc.id, client_id=c.id, staff_id=2, service_id=1,
                                  starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, minutes=45),
                                  status="booked", price_cents=35000, created_at=now))
        uow.commit()
    for minutes in (0, 5, 60 * 24):
        reminders.run(engine, location=book.loc, channels=delivery, as_of=now + timedelta(minutes=minutes))
    with UnitOfWork(engine, write=False) as uow:
        offers = uow.session.exec(select(Outbox).where(Outbox.template == "win_back")).all()
    # Olga only: Pau gave no consent, Quim is booked, Rita lapsed too long ago, Sara not long enough
    assert [(o.client_id, o.purpose, o.status) for o in offers] == [(names["Olga"], "promotion", "sent")]
    assert offers[0].dedupe_key == f"win_back:client:{names['Olga']}:2026-09-21"
    assert "hace tiempo que no te vemos" in offers[0].body


def test_send_reminders_is_job_logged_and_busy_while_another_run_holds_the_lock(engine, salon, clock, delivery):
    from salon_cli.services.salon import jobs

    book = make_weekend(engine, clock)
    with jobs.single_instance(engine, reminders.JOB, book.loc.id):
        with pytest.raises(Busy):
            reminders.run(engine, location=book.loc, channels=delivery, as_of=local("Fri 20:00"))
    report = reminders.run(engine, location=book.loc, channels=delivery, as_of=local("Fri 20:00"))
    with UnitOfWork(engine, write=False) as uow:
        run = uow.session.get(JobRun, report.job_run_id)
    assert (run.job, run.status, run.counts["sent"], run.counts["skipped"]) == ("send-reminders", "ok", 7, 0)
    assert run.finished_at is not None
