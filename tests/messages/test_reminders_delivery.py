"""Delivery: e-mail to a real SMTP server (aiosmtpd) and SMS/WhatsApp to a stand-in of Twilio's API.

A provider that fails leaves the message queued and tried again with back-off (2, 4, 8 ... minutes),
never lost and never sent twice; a message it refuses for good is `failed` with the reason; a channel
without settings is `skipped` with the reason.
"""

from __future__ import annotations

import json
import ssl
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cli_helpers import salon as run_salon
from message_standins import MailServer, self_signed_certificate
from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import AuditLog, Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.salon import catalog, locations, staff
from salon_cli.services.clients import notes as client_notes, profiles as clients
from salon_cli.services.messages import sending as message_sending
from salon_cli.services.salon.actors import Actor
from salon_cli.services.messages.channels import SmtpEmail, channels_from_env

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)  # Saturday 11:00 in Mexico City


def desk(engine, people: dict[str, tuple[str | None, str | None, str | None]]) -> dict[str, int]:
    """A stylist, a service, and each client (phone, e-mail, channel) booked for Monday: their
    confirmations are queued. Returns the clients' ids."""
    ids = {}
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        staff.add(s, actor=OWNER, location=loc, name="Ana", code="ana", role="stylist", pin="2222")
        for i, (name, (phone, email, channel)) in enumerate(people.items()):
            c = clients.add(s, actor=OWNER, location=loc, first_name=name, last_name="Prueba", phone=phone, email=email)
            if channel:
                client_notes.set_prefs(s, actor=OWNER, location=loc, client_id=c.id, channel=channel)
            appointments.book_appointment(s, actor=OWNER, location=loc, client_id=c.id, services=["corte"], staff="ana",
                                          at=f"2026-11-23 {10 + i}:00")
            ids[name] = c.id
        uow.commit()
    return ids


def send(engine, channels, at: datetime):
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
    return message_sending.send_due(engine, location=loc, as_of=at, channels=channels)


def rows(engine) -> list[Outbox]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(Outbox).order_by(Outbox.id)))


def test_an_email_goes_by_smtp_with_sender_subject_and_message_id(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": ("55 1234 5678", "xime@example.com", "email")})
    tally = send(engine, channels_from_env(mail_server.env()), NOW)
    assert tally.sent == [1]
    (got,) = mail_server.received
    assert got.mail_from == "citas@salon.example" and got.rcpt_tos == ["xime@example.com"]
    assert got.message["From"] == "Salón Centro <citas@salon.example>"
    assert got.message["Subject"] == "Tu cita en Salón Centro"
    assert got.body == ("Hola Ximena, tu cita de Corte con Ana quedó agendada para el lunes 23 de noviembre a las "
                        "10:00 en Salón Centro. Si no puedes venir, avísanos con tiempo.")
    (row,) = rows(engine)
    assert (row.status, row.attempts, row.provider_id, row.sent_at) == (
        "sent", 1, got.message["Message-ID"].strip(), NOW)
    with UnitOfWork(engine, write=False) as uow:
        actions = uow.session.exec(select(AuditLog.action).where(AuditLog.entity == "outbox")
                                   .order_by(AuditLog.id)).all()
    assert actions == ["message.queue", "message.send", "message.sent"]


def test_a_busy_server_keeps_the_message_queued_and_it_goes_once_with_backoff(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": (None, "xime@example.com", "email")})
    channels = channels_from_env(mail_server.env())
    mail_server.fail_next("451 4.3.0 Mail server temporarily rejected message", times=3)
    history = []
    for minutes in range(0, 30):  # cron every minute here, to see the waits between tries
        send(engine, channels, NOW + timedelta(minutes=minutes))
        (row,) = rows(engine)
        history.append((minutes, row.status, row.attempts))
    tries = [(m, s, a) for (m, s, a), (_, _, before) in zip(history, [(None, None, 0)] + history) if a != before]
    # tried at 0, then 2, 4 and 8 minutes after each failure: 0, 2, 6, 14; sent on the fourth try
    assert tries == [(0, "queued", 1), (2, "queued", 2), (6, "queued", 3), (14, "sent", 4)]
    assert mail_server.attempts == 4 and len(mail_server.received) == 1
    (row,) = rows(engine)
    assert row.error is None and row.next_attempt_at is None


def test_a_server_that_refuses_connections_loses_nothing(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": (None, "xime@example.com", "email"), "Pedro": (None, "pedro@example.com", None)})
    channels = channels_from_env(mail_server.env())
    mail_server.stop()
    tally = send(engine, channels, NOW)
    assert sorted(tally.retried) == [1, 2] and tally.sent == []
    assert all(r.status == "queued" and r.attempts == 1 and "Connection refused" in r.error for r in rows(engine))
    assert all(r.next_attempt_at == NOW + timedelta(minutes=2) for r in rows(engine))
    mail_server.start()
    assert send(engine, channels, NOW + timedelta(minutes=1)).sent == []  # not yet: the back-off
    assert sorted(send(engine, channels, NOW + timedelta(minutes=2)).sent) == [1, 2]
    assert sorted(r.rcpt_tos[0] for r in mail_server.received) == ["pedro@example.com", "xime@example.com"]
    for minutes in (3, 60, 600):
        assert send(engine, channels, NOW + timedelta(minutes=minutes)).sent == []
    assert len(mail_server.received) == 2


def test_after_the_last_try_the_message_is_failed_and_left_alone(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": (None, "xime@example.com", "email")})
    channels = channels_from_env(mail_server.env())
    mail_server.fail_next("451 4.7.1 Greylisted", times=20)
    at = NOW
    for _ in range(48):  # hourly for two days: the back-off, and the nights' quiet hours
        send(engine, channels, at)
        at += timedelta(hours=1)
    (row,) = rows(engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 8, None)
    assert row.error == "SMTP: 451 4.7.1 Greylisted (gave up after 8 tries)"
    assert mail_server.attempts == 8 and mail_server.received == []


def test_an_address_refused_for_good_fails_at_once(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": (None, "xime@example.com", "email")})
    mail_server.refuse("xime@example.com")
    tally = send(engine, channels_from_env(mail_server.env()), NOW)
    assert tally.failed == [1]
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error == "SMTP refused xime@example.com: 550 5.1.1 mailbox unavailable"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd's, about our test server
def test_smtp_login_with_the_user_given(engine, salon, clock):
    server = MailServer(login=("citas@salon.example", "s3creto"))
    server.start()
    try:
        desk(engine, {"Ximena": (None, "xime@example.com", "email")})
        wrong = channels_from_env(server.env(SALON_SMTP_USER="citas@salon.example", SALON_SMTP_PASSWORD="nope"))
        assert send(engine, wrong, NOW).retried == [1]
        assert rows(engine)[0].error.startswith("SMTP login refused: 535")
        right = channels_from_env(server.env(SALON_SMTP_USER="citas@salon.example", SALON_SMTP_PASSWORD="s3creto"))
        assert send(engine, right, NOW + timedelta(minutes=2)).sent == [1]
        assert server.logins == ["citas@salon.example", "citas@salon.example"] and len(server.received) == 1
    finally:
        server.stop()


def test_starttls_before_the_login(engine, salon, clock, tmp_path, monkeypatch):
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # our own certificate authority, for the client's check
    server = MailServer(login=("citas@salon.example", "s3creto"), tls=context)
    server.start()
    try:
        desk(engine, {"Ximena": (None, "xime@example.com", "email")})
        channels = channels_from_env(server.env(SALON_SMTP_USER="citas@salon.example", SALON_SMTP_PASSWORD="s3creto"))
        assert channels["email"].tls == "starttls"
        assert send(engine, channels, NOW).sent == [1]
        assert len(server.received) == 1
    finally:
        server.stop()


def test_sms_and_whatsapp_through_twilio(engine, salon, clock, twilio):
    ids = desk(engine, {"Pedro": ("55 1234 5602", None, "sms"), "Wendy": ("55 1234 5603", None, "whatsapp")})
    tally = send(engine, channels_from_env(twilio.env()), NOW)
    assert sorted(tally.sent) == [1, 2]
    pedro, wendy = twilio.delivered
    assert pedro.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert (pedro.account, pedro.token) == (twilio.account_sid, twilio.auth_token)
    assert (pedro.form["To"], pedro.form["From"]) == ("+525512345602", "+15005550006")
    assert (wendy.form["To"], wendy.form["From"]) == ("whatsapp:+525512345603", "whatsapp:+14155238886")
    assert wendy.form["Body"].startswith("Hola Wendy, tu cita de Corte con Ana")
    assert {r.client_id: r.provider_id for r in rows(engine)} == {ids["Pedro"]: pedro.sid, ids["Wendy"]: wendy.sid}


def test_twilio_errors_retry_or_fail_as_twilio_means_them(engine, salon, clock, twilio):
    desk(engine, {"Pedro": ("55 1234 5602", None, "sms"), "Wendy": ("55 1234 5603", None, "sms")})
    channels = channels_from_env(twilio.env())
    twilio.fail_next(400, 21211, "The 'To' number +525512345602 is not a valid phone number.")
    twilio.fail_next(503, 20503, "Service Unavailable")
    tally = send(engine, channels, NOW)
    assert (tally.failed, tally.retried) == ([1], [2])
    pedro, wendy = rows(engine)
    assert pedro.status == "failed" and pedro.error == (
        "Twilio 400: 21211 The 'To' number +525512345602 is not a valid phone number.")
    assert (wendy.status, wendy.error) == ("queued", "Twilio 503: 20503 Service Unavailable")
    twilio.fail_next(429, 20429, "Too Many Requests")
    assert send(engine, channels, NOW + timedelta(minutes=2)).retried == [2]
    assert send(engine, channels, NOW + timedelta(minutes=6)).sent == [2]
    assert [r.form["To"] for r in twilio.delivered] == ["+525512345603"]
    assert send(engine, channels, NOW + timedelta(hours=3)).sent == []


def test_a_channel_without_settings_is_skipped_with_the_reason(engine, salon, clock):
    desk(engine, {"Ximena": (None, "xime@example.com", "email"), "Pedro": ("55 1234 5602", None, "sms"),
                  "Wendy": ("55 1234 5603", None, "whatsapp")})
    tally = send(engine, channels_from_env({"SALON_TWILIO_ACCOUNT_SID": "AC1", "SALON_TWILIO_AUTH_TOKEN": "t",
                                            "SALON_TWILIO_SMS_FROM": "+15005550006",
                                            "SALON_TWILIO_API_BASE": "http://127.0.0.1:9"}), NOW)
    assert sorted(tally.skipped) == [1, 3] and tally.retried == [2]  # SMS has settings (its server is down)
    assert [(r.status, r.error) for r in rows(engine)][::2] == [
        ("skipped", "email: SALON_SMTP_HOST not set"), ("skipped", "whatsapp: SALON_TWILIO_WHATSAPP_FROM not set")]
    assert all(r.attempts == 0 for r in rows(engine)[::2])


def test_bad_settings_are_refused_before_anything_is_done():
    with pytest.raises(InvalidInput, match="SALON_SMTP_TLS 'tls13' is not one of starttls, ssl, none"):
        channels_from_env({"SALON_SMTP_HOST": "mail.example.com", "SALON_SMTP_TLS": "tls13"})
    with pytest.raises(InvalidInput, match="SALON_SMTP_PORT 'abc' is not a port number"):
        channels_from_env({"SALON_SMTP_HOST": "mail.example.com", "SALON_SMTP_PORT": "abc"})
    email = SmtpEmail.from_env({"SALON_SMTP_HOST": "mail.example.com", "SALON_SMTP_USER": "citas@example.com",
                                "SALON_SMTP_TLS": "ssl"})
    assert (email.port, email.sender) == (465, "citas@example.com")


def test_a_message_a_dead_run_left_sending_goes_again_after_its_lease(engine, salon, clock, mail_server):
    desk(engine, {"Ximena": (None, "xime@example.com", "email")})
    channels = channels_from_env(mail_server.env())
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
    # a run takes the message and dies before it talks to the server
    assert message_sending._take(engine, 1, NOW, loc, channels, OWNER, message_sending.SendTally()) is not None
    assert rows(engine)[0].status == "sending"
    tally = send(engine, channels, NOW + timedelta(minutes=5))  # its lease is not over: left alone
    assert (tally.recovered, tally.sent, mail_server.received) == (0, [], [])
    tally = send(engine, channels, NOW + timedelta(minutes=15))
    assert (tally.recovered, tally.sent, len(mail_server.received)) == (1, [1], 1)
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("sent", 2)


# ----------------------------------------------------------------------------- the command

def test_send_reminders_on_the_command_line(db_url, clock, mail_server, monkeypatch):
    from cli_helpers import INIT, OWNER as OWNER_ARGS

    assert run_salon(db_url, *INIT).code == 0
    for args in (("service", "add", "Corte", "--duration", "45", "--price", "350", "--code", "corte"),
                 ("staff", "add", "Ana", "--code", "ana", "--role", "stylist", "--pin", "2222"),
                 ("client", "add", "--first", "Ximena", "--last", "Jiménez", "--email", "xime@example.com"),
                 ("client", "prefs", "1", "--channel", "email"),
                 ("appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-23 10:00")):
        run = run_salon(db_url, *OWNER_ARGS, *args)
        assert run.code == 0, run.stderr
    for key, value in mail_server.env().items():
        monkeypatch.setenv(key, value)
    dry = run_salon(db_url, "send-reminders", "--dry-run", "-f", "json")
    assert dry.code == 0, dry.stderr
    doc = json.loads(dry.stdout)
    assert (doc["dry_run"], doc["queued"], doc["sent"], doc["job_run_id"]) == (True, 0, 1, None)
    assert [(m["action"], m["template"], m["recipient"]) for m in doc["messages"]] == [
        ("send", "confirmation", "xime@example.com")]
    assert "dry run: nothing changed" in dry.stderr and mail_server.received == []

    mail_server.fail_next("451 4.3.0 try again later")
    failing = run_salon(db_url, "send-reminders", "-f", "json")
    assert failing.code == 5
    assert json.loads(failing.stdout)["retried"] == 1
    assert failing.stderr.splitlines()[-2:] == [
        "error: 1 message not sent: SMTP: 451 4.3.0 try again later",
        "hint: they are kept: the next run tries again those marked retry; see: salon outbox --status failed"]
    clock.advance(minutes=2)
    ok = run_salon(db_url, "send-reminders")
    assert ok.code == 0, ok.stderr
    lines = ok.stdout.splitlines()
    assert lines[0].split() == ["action", "id", "client", "template", "channel", "recipient", "send_after",
                                "attempts", "error"]
    assert lines[1].split()[:6] == ["send", "1", "Ximena", "Jiménez", "confirmation", "email"]
    assert "sent" in ok.stdout and "send 1" in ok.stderr
    assert len(mail_server.received) == 1
    listed = json.loads(run_salon(db_url, "outbox", "-f", "json").stdout)
    assert [(m["status"], m["attempts"], m["template"]) for m in listed] == [("sent", 2, "confirmation")]
    comms = json.loads(run_salon(db_url, "client", "comms", "1", "-f", "json").stdout)
    assert [(c["source"], c["purpose"], c["status"]) for c in comms] == [("outbox", "confirmation", "sent")]
    jobs = json.loads(run_salon(db_url, "jobs", "--job", "send-reminders", "-f", "json").stdout)
    assert [j["counts"]["sent"] for j in jobs] == [1, 0]
    assert run_salon(db_url, "outbox", "--status", "lost").code == 2
    monkeypatch.setenv("SALON_SMTP_TLS", "tls13")
    bad = run_salon(db_url, "send-reminders")
    assert bad.code == 2 and bad.stderr.startswith("error: SALON_SMTP_TLS 'tls13' is not one of starttls, ssl, none")
