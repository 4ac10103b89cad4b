"""Issue 31: `salon appt ics ID`, an appointment as an iCalendar invitation (the `icalendar` library):
the same UID every time so that a calendar updates the visit, the times in UTC, a moved visit with a
higher SEQUENCE, a cancelled one CANCELLED; an appointment that is not here is exit 1 with nothing on
stdout. Both databases."""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar

from cli_helpers import salon as cli
from shop import book, make_shop

DESK = ["--as", "sofia", "--pin", "2222"]


def _event(db_url: str, appointment_id: int):
    run = cli(db_url, "appt", "ics", str(appointment_id))
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("BEGIN:VCALENDAR") and run.stderr == ""
    cal = Calendar.from_ical(run.stdout)
    assert (str(cal["version"]), str(cal["method"])) == ("2.0", "PUBLISH")
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_an_appointment_becomes_an_invitation_that_follows_its_moves_and_cancel(engine, salon, db_url):
    shop = make_shop(engine)
    appt = book(engine, shop, at="2026-11-23 10:30")  # Mexico City: UTC-6
    event = _event(db_url, appt)
    uid = f"appointment-{appt}@{shop.loc.code}.salon"
    assert str(event["uid"]) == uid
    assert event.decoded("dtstart") == datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc)
    assert event.decoded("dtend") == datetime(2026, 11, 23, 17, 15, tzinfo=timezone.utc)  # Corte: 45 min
    assert str(event["summary"]) == f"Corte · {shop.loc.name}"
    assert str(event["description"]) == "Corte with Ana"
    assert (str(event["status"]), int(event["sequence"])) == ("CONFIRMED", 0)

    assert cli(db_url, *DESK, "appt", "move", str(appt), "--at", "2026-11-24 12:00").code == 0
    moved = _event(db_url, appt)
    assert str(moved["uid"]) == uid and int(moved["sequence"]) == 1
    assert moved.decoded("dtstart") == datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)

    assert cli(db_url, *DESK, "appt", "cancel", str(appt), "--reason", "viaje").code == 0
    cancelled = _event(db_url, appt)
    assert (str(cancelled["uid"]), str(cancelled["status"])) == (uid, "CANCELLED")


def test_an_appointment_that_is_not_here_is_exit_1_and_nothing_on_stdout(engine, salon, db_url):
    make_shop(engine)
    run = cli(db_url, "appt", "ics", "999")
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr.splitlines()[0] == "error: no appointment 999 at centro"
    assert "Example: salon appt ics" in cli(None, "appt", "ics", "--help").stdout
