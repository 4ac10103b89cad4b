"""`salon appt waitlist [list] | add | remove | offers` and the stderr line after `appt cancel` and
`appt no-show`, as the desk meets them, on SQLite and PostgreSQL.

Any staff member at the desk adds and removes entries: a receptionist (sofia) does, with her PIN; a wrong
PIN is exit 3. Now is Saturday 2026-11-21 11:00 in Mexico City.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_helpers import INIT, OWNER, salon

SOFIA = ["--as", "sofia", "--pin", "3333"]
ENTRY_FIELDS = {"id", "client_id", "client", "service", "staff", "from_date", "to_date", "note", "status",
                "appointment_id", "created_at", "created_by", "closed_at", "closed_by"}


def ok(db, *args):
    run = salon(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


@pytest.fixture
def desk(db_url, clock):
    """Receptionist sofia (3333), stylists ana and beto, services corte (45 min) and peinado (30 min),
    clients Ximena (1), Pedro (2) and Regina (3)."""
    ok(db_url, *INIT)
    for args in (
        ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
        ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
        ["staff", "add", "Beto Sol", "--code", "beto", "--role", "stylist", "--pin", "5555"],
        ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
        ["service", "add", "Peinado", "--code", "peinado", "--duration", "30", "--price", "250"],
        ["client", "add", "--first", "Ximena", "--last", "Jiménez"],
        ["client", "add", "--first", "Pedro", "--last", "Páramo", "--phone", "55 1234 5678"],
        ["client", "add", "--first", "Regina", "--last", "Castillo"],
    ):
        ok(db_url, *OWNER, *args)
    return db_url


def _listed(db, *args):
    return json.loads(ok(db, "appt", "waitlist", "list", *args, "-f", "json").stdout)


def test_a_receptionist_adds_lists_and_removes(desk):
    added = json.loads(ok(desk, *SOFIA, "appt", "waitlist", "add", "2", "--service", "Corte dama", "--staff", "ana",
                          "--from", "2026-11-23", "--to", "2026-11-27", "--note", "por la tarde", "-f", "json").stdout)
    assert ENTRY_FIELDS <= set(added)
    assert {k: added[k] for k in ("id", "client_id", "client", "service", "staff", "from_date", "to_date", "note",
                                  "status", "created_by")} == {
        "id": 1, "client_id": 2, "client": "Pedro Páramo", "service": "corte", "staff": "ana",
        "from_date": "2026-11-23", "to_date": "2026-11-27", "note": "por la tarde", "status": "waiting",
        "created_by": "sofia"}
    assert added["created_at"] == "2026-11-21T11:00:00-06:00"
    ok(desk, *SOFIA, "appt", "waitlist", "add", "3", "--service", "peinado")
    # alone, the group lists what waits; a table by default
    table = ok(desk, "appt", "waitlist").stdout.splitlines()
    assert table[0].split() == ["id", "client_id", "client", "service", "staff", "from_date", "to_date", "status",
                                "appointment_id", "note", "created_at"]
    assert len(table) == 3 and "Pedro Páramo" in table[1] and "Regina Castillo" in table[2]
    assert [e["id"] for e in json.loads(ok(desk, "appt", "waitlist", "-f", "json").stdout)] == [1, 2]
    assert [e["id"] for e in _listed(desk, "--date", "2026-11-22")] == [2]
    removed = json.loads(ok(desk, *SOFIA, "appt", "waitlist", "remove", "1", "--reason", "ya no puede",
                            "-f", "json").stdout)
    assert (removed["status"], removed["closed_by"]) == ("removed", "sofia")
    assert [e["id"] for e in _listed(desk)] == [2]
    assert [e["id"] for e in _listed(desk, "--status", "removed")] == [1]
    rows = list(csv.DictReader(io.StringIO(ok(desk, "appt", "waitlist", "list", "--status", "all",
                                              "-f", "csv").stdout)))
    assert [(r["id"], r["status"], r["staff"]) for r in rows] == [("1", "removed", "ana"), ("2", "waiting", "")]
    lines = ok(desk, "appt", "waitlist", "list", "-f", "ndjson").stdout.splitlines()
    assert [json.loads(line)["client"] for line in lines] == ["Regina Castillo"]
    audit = json.loads(ok(desk, *OWNER, "audit", "--entity", "waitlist_entry", "-f", "json").stdout)
    assert sorted(a["action"] for a in audit) == ["waitlist.add", "waitlist.add", "waitlist.remove"]


REFUSED_ADDS = [
    (["9", "--service", "corte"], 1, ["error: no client 9", "hint: find one: salon client search NAME"]),
    (["2", "--service", "tinte"], 1, ["error: no service 'tinte' at centro", "hint: see: salon service list"]),
    (["2", "--service", "corte", "--staff", "sofia"], 1, [
        "error: sofia does not take appointments at centro",
        "hint: name a stylist who does, or leave --staff out for any stylist"]),
    (["2", "--service", "corte", "--from", "2026-11-20"], 1, [
        "error: 2026-11-20 has already passed (today is 2026-11-21)", "hint: a client waits from today or later"]),
    (["2", "--service", "corte", "--from", "2026-11-25", "--to", "2026-11-24"], 2, [
        "error: --to 2026-11-24 is before --from 2026-11-25"]),
    (["2", "--service", "corte", "--to", "2027-03-01"], 2, [
        "error: 2026-11-21 to 2027-03-01 is 101 days; a client waits at most 92 days",
        "hint: add another entry later for the days after"]),
    (["2", "--service", "corte", "--from", "mañana"], 2, [
        "error: --from 'mañana' is not a date", "hint: write it as YYYY-MM-DD"]),
]


def test_a_refused_add_is_one_line_with_its_code_and_writes_nothing(desk):
    for args, code, lines in REFUSED_ADDS:  # one salon for every case: each refusal writes nothing
        run = salon(desk, *SOFIA, "appt", "waitlist", "add", *args)
        assert (run.code, run.stdout, run.stderr.splitlines()) == (code, "", lines), args
        assert _listed(desk, "--status", "all") == []


def test_a_second_wait_wrong_pins_and_removals_are_refused(desk):
    ok(desk, *SOFIA, "appt", "waitlist", "add", "2", "--service", "corte")
    twice = salon(desk, *SOFIA, "appt", "waitlist", "add", "2", "--service", "corte", "--from", "2026-11-30")
    assert (twice.code, twice.stderr.splitlines()) == (1, [
        "error: Pedro Páramo is already waiting for corte from 2026-11-21 to 2026-12-04 (waitlist entry 1)",
        "hint: remove it first: salon appt waitlist remove 1 --reason ..."])
    wrong = salon(desk, "--as", "sofia", "--pin", "0000", "appt", "waitlist", "add", "3", "--service", "corte")
    assert wrong.code == 3
    no_reason = salon(desk, *SOFIA, "appt", "waitlist", "remove", "1")
    assert no_reason.code == 2 and "--reason" in no_reason.stderr
    missing = salon(desk, *SOFIA, "appt", "waitlist", "remove", "7", "--reason", "x")
    assert (missing.code, missing.stderr.splitlines()[0]) == (1, "error: no waitlist entry 7 at centro")
    assert salon(desk, "--as", "sofia", "--pin", "0000", "appt", "waitlist", "remove", "1", "--reason", "x").code == 3
    bad = salon(desk, "appt", "waitlist", "list", "--status", "gone")
    assert (bad.code, bad.stderr.splitlines()[0]) == (2, "error: --status 'gone' is not one of waiting, booked, removed")
    assert [(e["id"], e["status"]) for e in _listed(desk, "--status", "all")] == [(1, "waiting")]


def _book(db, client, at, *extra):
    run = ok(db, *SOFIA, "appt", "book", "--client", str(client), "--service", "corte", "--staff", "ana", "--at", at,
             *extra, "-f", "json")
    return json.loads(run.stdout)["id"]


def test_a_cancel_says_who_waits_for_the_slot_and_offers_lists_them(desk):
    appt = _book(desk, 1, "2026-11-23 10:00")
    ok(desk, *SOFIA, "appt", "waitlist", "add", "2", "--service", "corte", "--from", "2026-11-23", "--to", "2026-11-23")
    ok(desk, *SOFIA, "appt", "waitlist", "add", "3", "--service", "peinado", "--staff", "ana")
    ok(desk, *SOFIA, "appt", "waitlist", "add", "1", "--service", "peinado", "--staff", "beto")  # another stylist
    ok(desk, *OWNER, "membership", "subscribe", "3", "gold", "--pay", "cash")
    booked = salon(desk, "appt", "waitlist", "offers", str(appt))
    assert (booked.code, booked.stderr.splitlines()) == (1, [
        f"error: appointment {appt} is booked and was never moved: it left no slot free",
        "hint: offers follow a cancel, a no-show or a move"])
    run = ok(desk, *SOFIA, "appt", "cancel", str(appt), "--by-salon")
    assert run.stderr.splitlines()[-1] == (
        f"waitlist: 2 waiting for this slot; first: Regina Castillo (priority) — salon appt waitlist offers {appt}")
    offers = salon(desk, "appt", "waitlist", "offers", str(appt), "-f", "json")
    assert offers.stderr.splitlines() == [f"slot left by appointment {appt} (cancelled): 2026-11-23 10:00-10:45 with ana; "
                                          "free now: 2026-11-23 10:00-10:45"]
    assert [(o["position"], o["client_id"], o["client"], o["priority"], o["service"], o["phone"])
            for o in json.loads(offers.stdout)] == [(1, 3, "Regina Castillo", True, "peinado", None),
                                                    (2, 2, "Pedro Páramo", False, "corte", "+525512345678")]
    table = ok(desk, "appt", "waitlist", "offers", str(appt)).stdout.splitlines()
    assert table[0].split()[:6] == ["position", "entry_id", "client_id", "client", "phone", "priority"]
    assert "true" in table[1] and "false" in table[2]
    # booking Pedro for his corte in his days takes him off the waitlist
    again = _book(desk, 2, "2026-11-23 10:00")
    entry = _listed(desk, "--status", "booked")
    assert [(e["client_id"], e["appointment_id"]) for e in entry] == [(2, again)]
    assert salon(desk, "appt", "waitlist", "offers", "999").code == 1


def test_a_cancel_with_no_one_waiting_says_nothing_of_the_waitlist(desk):
    appt = _book(desk, 1, "2026-11-23 10:00")
    run = ok(desk, *SOFIA, "appt", "cancel", str(appt))
    assert "waitlist" not in run.stderr


def test_a_no_show_says_who_waits_for_what_is_left(desk, clock):
    appt = _book(desk, 1, "2026-11-21 11:00", "--duration", "90")
    ok(desk, *SOFIA, "appt", "waitlist", "add", "2", "--service", "corte")
    clock.advance(minutes=20)
    run = ok(desk, *SOFIA, "appt", "no-show", str(appt))
    assert run.stderr.splitlines()[-1] == (
        f"waitlist: 1 waiting for this slot; first: Pedro Páramo — salon appt waitlist offers {appt}")
    offers = salon(desk, "appt", "waitlist", "offers", str(appt), "-f", "csv")
    assert offers.stderr.splitlines() == [f"slot left by appointment {appt} (no show): 2026-11-21 11:00-12:30 with ana; "
                                          "free now: 2026-11-21 11:20-12:30"]
    clock.advance(hours=2)
    past = salon(desk, "appt", "waitlist", "offers", str(appt))
    assert (past.code, len(past.stdout.splitlines()), past.stderr.splitlines()) == (0, 1, [  # the header alone
        f"slot left by appointment {appt} (no show): 2026-11-21 11:00-12:30 with ana; nothing of it is free now",
        "(no rows)"])
    assert [r["client"] for r in csv.DictReader(io.StringIO(offers.stdout))] == ["Pedro Páramo"]


def test_every_waitlist_command_has_an_example(desk):
    for args in (["appt", "waitlist"], ["appt", "waitlist", "list"], ["appt", "waitlist", "add"],
                 ["appt", "waitlist", "remove"], ["appt", "waitlist", "offers"]):
        run = salon(None, *args, "--help")
        assert run.code == 0 and "Example: salon" in run.stdout, args
