"""Message wording: placeholders checked when saved, dates in Spanish and English, quiet hours, back-off,
and `salon template list|set|reset|preview`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cli_helpers import INIT, OWNER, salon
from salon_cli.core.errors import InvalidInput
from salon_cli.core.message_text import (
    KINDS, LANGUAGES, PLACEHOLDERS, PROMOTIONS, check_template, local_date, local_when, parse_quiet_hours, placeholders_in, quiet_until, render,
    retry_delay,
)
from salon_cli.services.messages.templates import DEFAULTS

TZ = ZoneInfo("America/Mexico_City")
MANAGER = ["--as", "marco", "--pin", "2222"]


def test_placeholders_are_read_and_checked():
    assert placeholders_in("Hola {client_first_name}, {{literal}} {service}") == ["client_first_name", "service"]
    assert check_template("reminder", "Hola {client_first_name}", what="x") == "Hola {client_first_name}"
    for text, message in (
        ("Hola {nombre}", "reminder body: unknown placeholder {nombre}"),
        ("Hola {}", "reminder body: unknown placeholder {}"),
        ("Hola {0}", "reminder body: unknown placeholder {0}"),
        ("Te debes {penalty_amount}", "reminder body: unknown placeholder {penalty_amount}"),  # the notice's only
        ("Hola {client_first_name!r}", "reminder body: placeholder {client_first_name!r} takes no format; "
                                       "write {client_first_name}"),
        ("Hola {client_first_name:>10}", "reminder body: placeholder {client_first_name:>10} takes no format; "
                                         "write {client_first_name}"),
        ("Hola {client.__class__}", "reminder body: unknown placeholder {client.__class__}"),
        ("Hola {client_first_name", "reminder body: expected '}' before end of string (write {{ and }} for literal braces)"),
        ("Hola }", "reminder body: Single '}' encountered in format string (write {{ and }} for literal braces)"),
    ):
        with pytest.raises(InvalidInput) as caught:
            check_template("reminder", text, what="reminder body")
        assert caught.value.message == message
    with pytest.raises(InvalidInput) as caught:
        check_template("birthday", "{service}", what="birthday body")
    assert caught.value.hint == ("a birthday may use {client_first_name}, {client_last_name}, {location_name}, "
                                 "{location_phone}")


def test_every_built_in_text_is_valid_and_fills_in():
    assert set(DEFAULTS) == {(k, lang) for k in KINDS for lang in LANGUAGES}
    for (kind, language), (subject, body) in DEFAULTS.items():
        values = {name: f"<{name}>" for name in PLACEHOLDERS[kind]}
        for text in (subject, body):
            check_template(kind, text, what=f"{kind} ({language})")
            assert "{" not in render(text, values)


def test_dates_for_people_in_both_languages():
    three_pm = datetime(2026, 11, 21, 21, 0, tzinfo=timezone.utc)
    assert local_when(three_pm, TZ, "es") == "sábado 21 de noviembre a las 15:00"
    assert local_when(three_pm, TZ, "en") == "Saturday, November 21 at 3:00 PM"
    one_am = datetime(2026, 11, 22, 7, 5, tzinfo=timezone.utc)
    assert local_when(one_am, TZ, "es") == "domingo 22 de noviembre a la 1:05"
    assert local_when(one_am, TZ, "en") == "Sunday, November 22 at 1:05 AM"
    assert local_when(datetime(2026, 11, 22, 18, 30, tzinfo=timezone.utc), TZ, "en").endswith("at 12:30 PM")


def test_weekday_and_month_names_are_cldrs_and_what_clients_always_read():
    """The names come from Babel (CLDR); a Babel that spelled one otherwise ('setiembre') fails here."""
    monday = date(2026, 11, 16)
    assert [local_date(monday + timedelta(days=i), "es").split()[0] for i in range(7)] == [
        "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    assert [local_date(monday + timedelta(days=i), "en").split(",")[0] for i in range(7)] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert [local_date(date(2026, m, 1), "es").split(" de ")[1] for m in range(1, 13)] == [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
        "noviembre", "diciembre"]
    assert [local_date(date(2026, m, 1), "en").split()[1] for m in range(1, 13)] == [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December"]


def test_quiet_hours_on_the_location_clock():
    assert parse_quiet_hours("21:00-08:00") == (1260, 480)
    assert parse_quiet_hours(" 22-7 ") == (1320, 420)
    assert parse_quiet_hours("13:30-15:00") == (810, 900)
    assert parse_quiet_hours("none") == (0, 0)
    for bad in ("21:00", "25:00-08:00", "21:60-08:00", "21:00-21:00", "nine-five", "21:0-8:00"):
        with pytest.raises(InvalidInput):
            parse_quiet_hours(bad)

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 11, day, hour, minute, tzinfo=TZ)

    night = (1260, 480)
    assert quiet_until(at(21, 20, 59), TZ, *night) is None
    assert quiet_until(at(21, 21, 0), TZ, *night) == at(22, 8, 0)
    assert quiet_until(at(22, 3, 0), TZ, *night) == at(22, 8, 0)
    assert quiet_until(at(22, 8, 0), TZ, *night) is None
    lunch = (810, 900)
    assert quiet_until(at(22, 14, 0), TZ, *lunch) == at(22, 15, 0)
    assert quiet_until(at(22, 16, 0), TZ, *lunch) is None
    assert quiet_until(at(22, 3, 0), TZ, 0, 0) is None


def test_the_wait_between_tries_doubles_up_to_two_hours():
    assert [retry_delay(n) for n in range(1, 9)] == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 64, 120, 120)]


@pytest.fixture
def shop(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    for args in (("staff", "add", "Marco", "--code", "marco", "--role", "manager", "--pin", "2222"),
                 ("staff", "add", "Sofía", "--code", "sofia", "--role", "receptionist", "--pin", "3333"),
                 ("staff", "add", "Ana", "--code", "ana", "--role", "stylist", "--pin", "4444"),
                 ("service", "add", "Corte dama", "--duration", "45", "--price", "350", "--code", "corte"),
                 ("client", "add", "--first", "Grace", "--last", "Kelly", "--phone", "5512345678"),
                 ("client", "prefs", "1", "--language", "en"),
                 ("appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-23 10:00")):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, (args, run.stderr)
    return db_url


def test_template_list_shows_each_message_in_each_language(shop):
    rows = json.loads(salon(shop, "template", "list", "-f", "json").stdout)
    assert [(r["kind"], r["language"], r["source"]) for r in rows] == [
        (k, lang, "default") for k in KINDS for lang in LANGUAGES]
    reminder = json.loads(salon(shop, "template", "list", "--message", "reminder", "--language", "es", "-f", "json").stdout)
    assert [r["body"] for r in reminder] == [DEFAULTS[("reminder", "es")][1]]
    assert salon(shop, "template", "list", "--message", "postcard").stderr.startswith(
        "error: message 'postcard' is not one of confirmation, reminder, no_show_notice, birthday, win_back, "
        "birthday_offer, birthday_gift")


def test_setting_a_template_needs_a_manager_and_known_placeholders(shop):
    before = salon(shop, "audit", "-f", "json").stdout
    body = "Hola {client_first_name}, te esperamos el {starts_at_local} con {staff_name}."
    assert salon(shop, "--as", "sofia", "--pin", "3333", "template", "set", "reminder", "--body", body).code == 3
    assert salon(shop, "--as", "marco", "template", "set", "reminder", "--body", body).code == 3  # no PIN
    bad = salon(shop, *MANAGER, "template", "set", "reminder", "--language", "es", "--body", "Hola {nombre}")
    assert bad.code == 2
    assert bad.stderr.splitlines() == ["error: reminder (es) body: unknown placeholder {nombre}",
                                       "hint: a reminder may use " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS["reminder"])]
    bad_subject = salon(shop, *MANAGER, "template", "set", "reminder", "--body", body, "--subject", "Cita {dia}")
    assert (bad_subject.code, bad_subject.stderr.splitlines()[0]) == (
        2, "error: reminder (es) subject: unknown placeholder {dia}")
    assert salon(shop, *MANAGER, "template", "set", "reminder", "--language", "pt", "--body", body).code == 2
    assert salon(shop, *MANAGER, "template", "set", "reminder").stderr.startswith("error: nothing to change")
    assert salon(shop, "audit", "-f", "json").stdout == before  # refused: nothing changed

    done = salon(shop, *MANAGER, "template", "set", "reminder", "--body", body, "-f", "json")
    assert done.code == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["kind"], doc["language"], doc["source"], doc["body"]) == ("reminder", "es", "custom", body)
    assert doc["subject"] == DEFAULTS[("reminder", "es")][0]  # the subject stays the built-in one
    audit = json.loads(salon(shop, "audit", "--entity", "message_template", "-f", "json").stdout)
    assert [(a["action"], a["actor"], a["after"]["body"]) for a in audit] == [("template.set", "marco", body)]


def test_preview_fills_a_message_in_and_reset_brings_back_the_built_in_one(shop):
    body = "Hi {client_first_name}! {service} with {staff_name}, {starts_at_local}."
    assert salon(shop, *MANAGER, "template", "set", "reminder", "--language", "en", "--body", body).code == 0
    shown = salon(shop, "template", "preview", "reminder", "--appt", "1")  # Grace reads English
    assert shown.code == 0, shown.stderr
    assert shown.stdout == ("Subject: Reminder: your appointment on Monday, November 23\n\n"
                            "Hi Grace! Corte dama with Ana, Monday, November 23 at 10:00 AM.\n")
    sample = json.loads(salon(shop, "template", "preview", "no_show_notice", "-f", "json").stdout)
    assert sample["language"] == "es" and "Ximena" in sample["body"] and "$175.00" in sample["body"]
    assert salon(shop, "template", "preview", "reminder", "--appt", "99").code == 1
    reset = salon(shop, *MANAGER, "template", "reset", "reminder", "--language", "en", "-f", "json")
    assert json.loads(reset.stdout)["source"] == "default"
    again = salon(shop, *MANAGER, "template", "reset", "reminder", "--language", "en")
    assert (again.code, again.stderr.splitlines()[0]) == (
        1, "error: centro has no wording of its own for reminder (en)")


def test_the_location_wording_is_what_goes_out(shop):
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Outbox
    from salon_cli.db.uow import UnitOfWork
    from sqlmodel import select

    body = "Hi {client_first_name}, see you on {date_local} at {time_local}."
    assert salon(shop, *MANAGER, "template", "set", "confirmation", "--language", "en", "--body", body).code == 0
    assert salon(shop, *OWNER, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana",
                 "--at", "2026-11-24 16:30").code == 0
    engine = make_engine(shop)
    with UnitOfWork(engine, write=False) as uow:
        bodies = uow.session.exec(select(Outbox.body).order_by(Outbox.id)).all()
    engine.dispose()
    assert bodies[-1] == "Hi Grace, see you on Tuesday, November 24 at 4:30 PM."


def test_the_birthday_offer_is_a_promotion_and_the_gift_a_service_message():
    assert "birthday_offer" in PROMOTIONS and "birthday_gift" not in PROMOTIONS
    assert PLACEHOLDERS["birthday_offer"][-3:] == ("offer_code", "offer_text", "last_day")
    assert PLACEHOLDERS["birthday_gift"][-2:] == ("gift_code", "reward_name")
    for kind, text, unknown in (("birthday_offer", "Tu regalo {reward_name}", "{reward_name}"),
                                ("birthday_gift", "Tu código {offer_code}", "{offer_code}"),
                                ("birthday_gift", "Hasta el {last_visit_date}", "{last_visit_date}")):
        with pytest.raises(InvalidInput) as caught:
            check_template(kind, text, what=f"{kind} body")
        assert caught.value.message == f"{kind} body: unknown placeholder {unknown}"


def test_the_birthday_messages_are_listed_previewed_and_set_like_the_others(shop):
    rows = json.loads(salon(shop, "template", "list", "--message", "birthday-gift", "-f", "json").stdout)
    assert [(r["kind"], r["language"], r["source"], r["placeholders"][-2:]) for r in rows] == [
        ("birthday_gift", "es", "default", ["gift_code", "reward_name"]),
        ("birthday_gift", "en", "default", ["gift_code", "reward_name"])]
    gift = salon(shop, "template", "preview", "birthday_gift", "--language", "en")
    assert gift.code == 0, gift.stderr
    assert gift.stdout == ("Subject: Your birthday gift at Salón Centro\n\n"
                           "Happy birthday, Ximena! Your membership gives you Birthday haircut: show the code "
                           "K7QM-3XPD on your next visit to Salón Centro.\n")
    offer = json.loads(salon(shop, "template", "preview", "birthday_offer", "--client", "1", "-f", "json").stdout)
    assert (offer["kind"], offer["language"], offer["source"]) == ("birthday_offer", "en", "default")  # Grace's
    assert offer["body"] == ("Happy birthday, Grace! To celebrate, you have 20% off with your code BDAY-K7QM, "
                             "valid until Sunday, November 29. See you at Salón Centro.")
    before = salon(shop, "audit", "-f", "json").stdout
    bad = salon(shop, *MANAGER, "template", "set", "birthday_gift", "--language", "en", "--body",
                "Your code {offer_code}")
    assert (bad.code, bad.stderr.splitlines()[0]) == (2, "error: birthday_gift (en) body: unknown placeholder {offer_code}")
    bad_subject = salon(shop, *MANAGER, "template", "set", "birthday_offer", "--subject", "Hasta {last_visit_date}")
    assert (bad_subject.code, bad_subject.stderr.splitlines()[0]) == (
        2, "error: birthday_offer (es) subject: unknown placeholder {last_visit_date}")
    assert salon(shop, "--as", "sofia", "--pin", "3333", "template", "set", "birthday_gift", "--body", "{gift_code}").code == 3
    assert salon(shop, "audit", "-f", "json").stdout == before  # refused: nothing changed
    done = salon(shop, *MANAGER, "template", "set", "birthday_gift", "--language", "en", "--body",
                 "{client_first_name}, {reward_name} is yours: {gift_code}")
    assert done.code == 0, done.stderr
    shown = salon(shop, "template", "preview", "birthday_gift", "--client", "1")
    assert shown.stdout.splitlines()[-1] == "Grace, Birthday haircut is yours: K7QM-3XPD"
    reset = json.loads(salon(shop, *MANAGER, "template", "reset", "birthday_gift", "--language", "en", "-f", "json").stdout)
    assert (reset["source"], reset["body"]) == ("default", DEFAULTS[("birthday_gift", "en")][1])
