"""The outbox: written in the same transaction as what caused it (a booking, a no-show), unique by its
key in the database, read by the communication log and the timeline; a birthday offer's code is a
promotion, a membership's birthday gift a service message."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from cli_helpers import INIT, OWNER as OWNER_ARGS, salon as run_salon
from salon_cli.db.models import Appointment, AuditLog, Outbox, Penalty
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, status as appt_status, penalties
from salon_cli.services.salon import catalog, locations, policy, staff
from salon_cli.services.messages import comms as client_comms, outbox
from salon_cli.services.clients import notes as client_notes, profiles as clients
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.record import timeline

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)  # Saturday 11:00 in Mexico City


@pytest.fixture
def desk(engine, salon, clock):
    """A service (Corte, 350.00), stylists ana and beto, and clients by their contact and choices."""
    ids = {}
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        for code in ("ana", "beto"):
            staff.add(s, actor=OWNER, location=loc, name=code.title(), code=code, role="stylist", pin="2222")
        for name, phone, email, prefs in (("Ximena", "55 1234 5601", "xime@example.com", {"channel": "email"}),
                                          ("Pedro", "55 1234 5602", None, {}),
                                          ("Nadia", "55 1234 5603", None, {"reminder": "none"}),
                                          ("Sin", None, None, {}),
                                          ("Grace", "55 1234 5604", None, {"language": "en", "channel": "whatsapp"})):
            c = clients.add(s, actor=OWNER, location=loc, first_name=name, last_name="Prueba", phone=phone, email=email)
            if prefs:
                client_notes.set_prefs(s, actor=OWNER, location=loc, client_id=c.id, **prefs)
            ids[name] = c.id
        uow.commit()
    return loc, ids


def book(engine, loc, client_id, at, **kw):
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=OWNER, location=loc, client_id=client_id,
                                             services=["corte"], staff=kw.pop("staff", "ana"), at=at, **kw)
        uow.commit()
    return done.appointments


def messages(engine, **where):
    with UnitOfWork(engine, write=False) as uow:
        query = select(Outbox).order_by(Outbox.id)
        for key, value in where.items():
            query = query.where(getattr(Outbox, key) == value)
        return list(uow.session.exec(query))


def test_a_booking_and_its_confirmation_are_one_transaction(engine, desk):
    loc, ids = desk
    with UnitOfWork(engine) as uow:
        appointments.book_appointment(uow.session, actor=OWNER, location=loc, client_id=ids["Ximena"],
                                      services=["corte"], staff="ana", at="2026-11-23 10:00")
        assert uow.session.exec(select(func.count()).select_from(Outbox)).one() == 1
        uow.rollback()  # the booking is undone: so is its confirmation
    assert messages(engine) == []
    (appt,) = book(engine, loc, ids["Ximena"], "2026-11-23 10:00")
    (row,) = messages(engine)
    assert (row.template, row.purpose, row.channel, row.recipient, row.status, row.appointment_id) == (
        "confirmation", "service", "email", "xime@example.com", "queued", appt.id)
    assert (row.send_after, row.next_attempt_at, row.created_by_id, row.language) == (NOW, NOW, 1, "es")
    assert row.subject == "Tu cita en Salón Centro"
    assert row.dedupe_key == f"confirmation:appointment:{appt.id}"
    with UnitOfWork(engine, write=False) as uow:
        log = uow.session.exec(select(AuditLog).where(AuditLog.entity == "outbox")).one()
    assert (log.action, log.entity_id, log.actor, log.after["template"]) == ("message.queue", row.id, "lucia",
                                                                             "confirmation")


def test_who_gets_a_confirmation(engine, desk):
    loc, ids = desk
    book(engine, loc, ids["Pedro"], "2026-11-23 10:00")  # no channel chosen: SMS to the phone on file
    book(engine, loc, ids["Nadia"], "2026-11-23 11:00")  # chose no reminders: nothing
    book(engine, loc, ids["Sin"], "2026-11-23 12:00")  # neither phone nor e-mail: written skipped, with why
    book(engine, loc, ids["Grace"], "2026-11-23 13:00")  # English, by WhatsApp
    series = book(engine, loc, ids["Ximena"], "2026-11-24 10:00", repeat="FREQ=WEEKLY;COUNT=3")
    book(engine, loc, ids["Pedro"], None, walk_in=True, staff="beto")  # here now: nothing to confirm
    got = [(m.client_id, m.channel, m.recipient, m.status, m.error, m.appointment_id) for m in messages(engine)]
    assert got == [
        (ids["Pedro"], "sms", "+525512345602", "queued", None, 1),
        (ids["Sin"], "sms", None, "skipped", "the client has no phone or e-mail address", 3),
        (ids["Grace"], "whatsapp", "+525512345604", "queued", None, 4),
        (ids["Ximena"], "email", "xime@example.com", "queued", None, series[0].id),  # one for the whole series
    ]
    grace = messages(engine, client_id=ids["Grace"])[0]
    assert grace.language == "en" and grace.subject is None
    assert grace.body.startswith("Hi Grace, your Corte appointment with Ana is booked for Monday, November 23 at 1:00 PM")


def test_a_booking_in_the_quiet_hours_is_confirmed_when_they_end(engine, desk, clock):
    loc, ids = desk
    clock.set(datetime(2026, 11, 22, 4, 30, tzinfo=timezone.utc))  # Saturday 22:30 in Mexico City
    book(engine, loc, ids["Pedro"], "2026-11-23 10:00")
    (row,) = messages(engine)
    assert row.send_after == datetime(2026, 11, 22, 14, 0, tzinfo=timezone.utc)  # Sunday 08:00
    clock.set(datetime(2026, 11, 23, 5, 0, tzinfo=timezone.utc))  # Sunday 23:00, quiet hours 23:00-06:00 now
    with UnitOfWork(engine) as uow:
        policy.update(uow.session, actor=OWNER, location=loc, quiet_hours="23:00-06:00")
        uow.commit()
    book(engine, loc, ids["Ximena"], "2026-11-23 06:30", staff="beto")
    # the confirmation would wait until 06:00, half an hour before the appointment: it still goes
    assert messages(engine, client_id=ids["Ximena"])[0].send_after == datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    book(engine, loc, ids["Grace"], "2026-11-23 05:30", staff="beto")
    grace = messages(engine, client_id=ids["Grace"])[0]
    assert (grace.status, grace.error) == ("skipped", "quiet hours until Monday, November 23 at 6:00 AM; "
                                                      "the appointment starts Monday, November 23 at 5:30 AM")


def test_an_appointment_booked_as_it_starts_gets_no_confirmation(engine, desk, clock):
    loc, ids = desk
    (appt,) = book(engine, loc, ids["Pedro"], "2026-11-21 10:55")  # five minutes ago, inside the grace
    (row,) = messages(engine)
    assert (row.status, row.error) == ("skipped", f"appointment {appt.id} has already started")


def test_the_same_message_is_never_queued_twice_by_constraint(engine, desk):
    loc, ids = desk
    (appt,) = book(engine, loc, ids["Pedro"], "2026-11-23 10:00")
    with UnitOfWork(engine) as uow:
        s = uow.session
        row = s.get(Appointment, appt.id)
        draft = outbox.Draft(template="confirmation", client_id=ids["Pedro"], due=NOW, appointment=row,
                             dedupe_key=f"confirmation:appointment:{appt.id}")
        assert outbox.queue(s, location=loc, drafts=[draft, draft], actor=SYSTEM) == []
        uow.commit()
    assert len(messages(engine)) == 1
    with UnitOfWork(engine) as uow:  # past the service, the database itself says no
        uow.session.add(Outbox(dedupe_key=f"confirmation:appointment:{appt.id}", location_id=loc.id,
                               client_id=ids["Pedro"], template="confirmation", purpose="service", channel="sms",
                               language="es", body="otra vez", send_after=NOW, created_at=NOW))
        with pytest.raises(sa.exc.IntegrityError):
            uow.session.flush()


def _no_show(engine, loc, appt_id):
    with UnitOfWork(engine) as uow:
        appt_status.no_show(uow.session, actor=OWNER, location=loc, appointment_id=appt_id)
        uow.commit()


def test_a_no_show_and_its_penalty_notice_are_one_transaction(engine, desk, clock):
    loc, ids = desk
    (pedro,) = book(engine, loc, ids["Pedro"], "2026-11-21 12:00")
    (grace,) = book(engine, loc, ids["Grace"], "2026-11-21 12:00", staff="beto")
    clock.set(datetime(2026, 11, 21, 18, 20, tzinfo=timezone.utc))  # 12:20
    _no_show(engine, loc, pedro.id)
    (notice,) = messages(engine, template="no_show_notice")
    with UnitOfWork(engine, write=False) as uow:
        penalty = uow.session.exec(select(Penalty).where(Penalty.appointment_id == pedro.id)).one()
    assert (notice.penalty_id, notice.appointment_id, notice.purpose, notice.status) == (
        penalty.id, pedro.id, "service", "queued")
    assert notice.body == ("Hola Pedro, te esperábamos el sábado 21 de noviembre a las 12:00 para Corte y no llegaste. "
                           "Según nuestra política se generó un cargo de $175.00. Puedes pagarlo en recepción. "
                           "Si hubo un error, contáctanos.")
    with UnitOfWork(engine) as uow:
        policy.update(uow.session, actor=OWNER, location=loc, payment_url="https://pagos.example.com/centro?p={penalty_id}")
        uow.commit()
    _no_show(engine, loc, grace.id)
    english = messages(engine, template="no_show_notice", client_id=ids["Grace"])[0]
    assert "a fee of MX$175.00 applies. You can pay it at https://pagos.example.com/centro?p=2." in english.body


def test_a_notice_of_a_waived_penalty_is_not_sent(engine, desk, clock):
    from salon_cli.services.messages import sending as message_sending

    loc, ids = desk
    (pedro,) = book(engine, loc, ids["Pedro"], "2026-11-21 12:00")
    clock.set(datetime(2026, 11, 21, 18, 20, tzinfo=timezone.utc))
    _no_show(engine, loc, pedro.id)
    with UnitOfWork(engine) as uow:
        penalty_id = uow.session.exec(select(Penalty.id)).one()
        penalties.waive(uow.session, actor=OWNER, location=loc, penalty_id=penalty_id, reason="llamó, emergencia")
        uow.commit()
    tally = message_sending.send_due(engine, location=loc, as_of=clock.now(), channels={})
    notice = messages(engine, template="no_show_notice")[0]
    assert notice.id in tally.skipped and (notice.status, notice.error) == ("skipped", f"penalty {penalty_id} was waived")


def test_no_fee_no_notice(engine, desk, clock):
    loc, ids = desk
    with UnitOfWork(engine) as uow:
        policy.update(uow.session, actor=OWNER, location=loc, no_show_fee="0")
        uow.commit()
    (pedro,) = book(engine, loc, ids["Pedro"], "2026-11-21 12:00")
    clock.set(datetime(2026, 11, 21, 18, 20, tzinfo=timezone.utc))
    _no_show(engine, loc, pedro.id)
    assert messages(engine, template="no_show_notice") == []


def test_the_communication_log_and_the_timeline_read_the_outbox(engine, desk, clock):
    loc, ids = desk
    book(engine, loc, ids["Ximena"], "2026-11-23 10:00")
    clock.advance(minutes=5)
    with UnitOfWork(engine) as uow:
        client_comms.log_comm(uow.session, actor=OWNER, location=loc, client_id=ids["Ximena"], channel="phone",
                              purpose="follow_up", message="Llamó para preguntar por el tinte")
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        log = client_comms.comms(uow.session, client_id=ids["Ximena"])
        events = timeline.timeline(uow.session, client_id=ids["Ximena"], reader=None)
    assert [(c.source, c.channel, c.purpose, c.status, c.recipient) for c in log] == [
        ("log", "phone", "follow_up", "logged", None), ("outbox", "email", "confirmation", "queued", "xime@example.com")]
    assert [e.kind for e in events if e.kind == "message"] == ["message", "message"]
    assert any(e.summary.startswith("email confirmation (queued): Hola Ximena") for e in events)


def test_policy_and_preferences_for_messages_on_the_command_line(db_url, clock):
    assert run_salon(db_url, *INIT).code == 0
    shown = json.loads(run_salon(db_url, "policy", "show", "-f", "json").stdout)
    assert (shown["quiet_hours"], shown["message_language"], shown["win_back_days"], shown["payment_url"]) == (
        "21:00-08:00", "es", 0, None)
    before = run_salon(db_url, "audit", "-f", "json").stdout
    for args, first_line in ((["--quiet-hours", "22-7:5"], "error: quiet hours '22-7:5' are not HH:MM-HH:MM"),
                             (["--message-language", "fr"], "error: message language 'fr' is not one of es, en"),
                             (["--payment-url", "pagos.example.com"],
                              "error: payment URL 'pagos.example.com' is not an http(s) address")):
        run = run_salon(db_url, *OWNER_ARGS, "policy", "set", *args)
        assert (run.code, run.stderr.splitlines()[0]) == (2, first_line)
    assert run_salon(db_url, "audit", "-f", "json").stdout == before
    assert run_salon(db_url, "--as", "lucia", "policy", "set", "--quiet-hours", "none").code == 3
    done = run_salon(db_url, *OWNER_ARGS, "policy", "set", "--quiet-hours", "20:30-9:00", "--message-language", "en",
                     "--win-back-days", "90", "--payment-url", "https://pagos.example.com/{penalty_id}", "-f", "json")
    assert done.code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["quiet_hours"], doc["message_language"], doc["win_back_days"], doc["payment_url"]) == (
        "20:30-09:00", "en", 90, "https://pagos.example.com/{penalty_id}")
    assert json.loads(run_salon(db_url, *OWNER_ARGS, "policy", "set", "--quiet-hours", "none",
                                "--payment-url", "none", "-f", "json").stdout)["quiet_hours"] == "none"
    assert run_salon(db_url, *OWNER_ARGS, "client", "add", "--first", "Grace", "--last", "Kelly",
                     "--phone", "5512345678").code == 0
    pref = run_salon(db_url, *OWNER_ARGS, "client", "prefs", "1", "--language", "EN", "-f", "json")
    assert json.loads(pref.stdout)["language"] == "en"
    bad = run_salon(db_url, *OWNER_ARGS, "client", "prefs", "1", "--language", "pt")
    assert (bad.code, bad.stderr.splitlines()[0]) == (2, "error: language 'pt' is not one of es, en")
    cleared = run_salon(db_url, *OWNER_ARGS, "client", "prefs", "1", "--language", "", "-f", "json")
    assert json.loads(cleared.stdout)["language"] is None


def _birthday_drafts(ids: dict[str, int], names: tuple[str, ...]) -> list[outbox.Draft]:
    drafts = []
    for name in names:
        drafts.append(outbox.Draft(template="birthday_offer", client_id=ids[name], due=NOW,
                                   dedupe_key=f"birthday_offer:1:client:{ids[name]}:2026",
                                   offer=outbox.OfferFacts("BDAY", f"BDAY-{name[:4].upper()}", "percent", 2000,
                                                           date(2026, 12, 5))))
        drafts.append(outbox.Draft(template="birthday_gift", client_id=ids[name], due=NOW,
                                   dedupe_key=f"birthday_gift:client:{ids[name]}:2026",
                                   gift=outbox.GiftFacts("K7QM-3XPD", "Corte de cumpleaños", 2026)))
    return drafts


def test_a_birthday_offer_needs_consent_and_a_birthday_gift_does_not(engine, desk):
    loc, ids = desk
    with UnitOfWork(engine) as uow:
        clients.edit(uow.session, actor=OWNER, location=loc, client_id=ids["Grace"], marketing_consent=True)
        uow.commit()
    with UnitOfWork(engine) as uow:
        outbox.queue(uow.session, location=loc, drafts=_birthday_drafts(ids, ("Pedro", "Grace", "Sin")), actor=SYSTEM)
        uow.commit()
    got = [(m.template, m.client_id, m.purpose, m.channel, m.status) for m in messages(engine)]
    assert got == [  # Pedro and Sin gave no consent: their gifts' messages only; Sin has no address
        ("birthday_gift", ids["Pedro"], "service", "sms", "queued"),
        ("birthday_offer", ids["Grace"], "promotion", "whatsapp", "queued"),
        ("birthday_gift", ids["Grace"], "service", "whatsapp", "queued"),
        ("birthday_gift", ids["Sin"], "service", "sms", "skipped"),
    ]
    pedro, offer, gift, _ = messages(engine)
    assert pedro.body == ("¡Feliz cumpleaños, Pedro! Tu membresía te regala Corte de cumpleaños: muestra el código "
                          "K7QM-3XPD en tu próxima visita a Salón Centro.")
    assert offer.body == ("Happy birthday, Grace! To celebrate, you have 20% off with your code BDAY-GRAC, "
                          "valid until Saturday, December 5. See you at Salón Centro.")
    assert gift.body == ("Happy birthday, Grace! Your membership gives you Corte de cumpleaños: show the code "
                         "K7QM-3XPD on your next visit to Salón Centro.")
    assert offer.payload == {"birthday_offer": {"offer": "BDAY", "code": "BDAY-GRAC", "kind": "percent",
                                                "value": 2000, "last_day": "2026-12-05"}}
    assert gift.payload == {"birthday_gift": {"code": "K7QM-3XPD", "reward": "Corte de cumpleaños",
                                              "birthday_year": 2026}}
    with UnitOfWork(engine, write=False) as uow:
        log = client_comms.comms(uow.session, client_id=ids["Grace"])
    assert sorted((c.source, c.purpose, c.channel) for c in log) == [
        ("outbox", "birthday", "whatsapp"), ("outbox", "birthday", "whatsapp")]


def test_the_database_takes_the_birthday_kinds_and_no_other(engine, desk):
    from salon_cli.db.models import MessageTemplate

    loc, ids = desk
    for kind, ok_ in (("birthday_offer", True), ("birthday_gift", True), ("postcard", False)):
        with UnitOfWork(engine) as uow:
            uow.session.add(Outbox(dedupe_key=f"x:{kind}", location_id=loc.id, client_id=ids["Pedro"], template=kind,
                                   purpose="service", channel="sms", language="es", body="hola", send_after=NOW,
                                   created_at=NOW))
            uow.session.add(MessageTemplate(location_id=loc.id, kind=kind, language="es", body="hola", updated_at=NOW))
            if ok_:
                uow.commit()
            else:
                with pytest.raises(sa.exc.IntegrityError):
                    uow.session.flush()


def test_downgrading_the_benefits_revision_keeps_the_birthday_messages_as_birthday_ones(engine, desk):
    from alembic import command

    from salon_cli.db import migrate
    from salon_cli.db.models import MessageTemplate

    loc, ids = desk
    with UnitOfWork(engine) as uow:
        outbox.queue(uow.session, location=loc, drafts=_birthday_drafts(ids, ("Grace",)), actor=SYSTEM)
        uow.session.add(MessageTemplate(location_id=loc.id, kind="birthday_gift", language="es", body="{gift_code}",
                                        updated_at=NOW))
        uow.session.add(MessageTemplate(location_id=loc.id, kind="birthday", language="es", body="Feliz día",
                                        updated_at=NOW))
        uow.commit()
    with migrate.writer(engine).begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0021_client_record")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT template, body FROM outbox ORDER BY id")).all()
        kinds = conn.execute(sa.text("SELECT kind FROM message_template ORDER BY id")).scalars().all()
    assert [r.template for r in rows] == ["birthday"]  # the gift's (Grace gave no consent: no offer's)
    assert rows[0].body.startswith("Happy birthday, Grace! Your membership gives you Corte de cumpleaños")
    assert kinds == ["birthday"]
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD
