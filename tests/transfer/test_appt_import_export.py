"""`salon import appointments` and `salon export appointments`, on SQLite and PostgreSQL (`db_url`).

Exports stream the location's appointments in start order with their services and penalties;
imports are all or nothing, name the row and column at fault, read other systems' files (mapped
headers, US dates, their status words) and our own exports as they are, and create nothing twice.
Team: owner lucia, manager marco, receptionist sofia, stylists ana (Ana Díaz) and beto (Beto Ruiz).
The clock is Saturday 2026-11-21 11:00 in Mexico City (UTC-6).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from cli_helpers import INIT, OWNER, salon

SOFIA = ["--as", "sofia", "--pin", "3333"]
MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia"]
COLUMNS = ["id", "external_id", "starts_at", "ends_at", "status", "client_id", "client", "client_phone",
           "client_email", "staff", "service", "services", "price_cents", "deposit_cents", "walk_in",
           "checked_in_at", "completed_at", "cancelled_at", "cancel_reason", "no_show_at", "series_id", "note",
           "penalty_id", "penalty_status", "penalty_cents"]
SAME = [c for c in COLUMNS if c not in ("id", "series_id", "penalty_id", "penalty_status", "penalty_cents")]


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _init(url, timezone="America/Mexico_City"):
    """The salon, its team, menu and four clients (ids 1-4, in this order on every database)."""
    init = list(INIT)
    init[init.index("America/Mexico_City")] = timezone
    _ok(salon(url, *init))
    for args in (["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
                 ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["staff", "add", "Beto Ruiz", "--code", "beto", "--role", "stylist", "--pin", "5555"],
                 ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
                 ["service", "add", "Tinte", "--code", "tinte", "--duration", "90", "--price", "800"],
                 ["service", "add", "Barba", "--code", "barba", "--duration", "30", "--price", "150"]):
        _ok(salon(url, *OWNER, *args))
    for args in (["--first", "Ana", "--last", "López", "--phone", "5512345678"],
                 ["--first", "Beto", "--last", "Gómez", "--email", "beto@example.com"],
                 ["--first", "Carla", "--last", "Ruiz", "--external-code", "OLD-7"],
                 ["--first", "Dora", "--last", "Sin Contacto"]):
        _ok(salon(url, *DESK, "client", "add", *args))
    return url


@pytest.fixture
def desk(db_url, clock):
    return _init(db_url)


def _do(url, fn, who="sofia"):
    """Run a service as `who` in one committed transaction: fn(session, actor, location)."""
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor

    with UnitOfWork(make_engine(url)) as uow:
        loc = locations.resolve(uow.session, None)
        m = staff_service.find(uow.session, who)
        result = fn(uow.session, Actor(id=m.id, code=m.code, name=m.name, role=m.role, verified=True), loc)
        uow.commit()
    return result


def _book(url, client_id, services, staff, at, **kw):
    from salon_cli.services.book import appointments

    booking = _do(url, lambda s, a, loc: appointments.book_appointment(
        s, actor=a, location=loc, client_id=client_id, services=services, staff=staff, at=at, **kw))
    return booking.appointments[0].id


def _status(url, action, appt_id, **kw):
    from salon_cli.services.book import status as appt_status

    return _do(url, lambda s, a, loc: getattr(appt_status, action)(s, actor=a, location=loc, appointment_id=appt_id, **kw))


def _export(url, *args):
    return _ok(salon(url, "export", "appointments", *args))


def _records(url, *args):
    return json.loads(_export(url, "-f", "json", *args).stdout)


def _import(url, path, *args, who=DESK, input=None):
    return salon(url, *who, "import", "appointments", str(path), *args, "-f", "json", input=input)


def _imported(url, path, *args, **kw):
    return json.loads(_ok(_import(url, path, *args, **kw)).stdout)


def _write(tmp_path, text, name="citas.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sql(url, query):
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    with make_engine(url).connect() as conn:
        return conn.execute(sa.text(query)).all()


def _counts(url):
    """(appointments, items, audit rows, penalties, staff, services) straight from the database."""
    return tuple(_sql(url, f"SELECT count(*) FROM {t}")[0][0]
                 for t in ("appointment", "appointment_item", "audit_log", "penalty", "staff", "service"))


def _history(url, clock):
    """A morning at the desk: a two-service visit completed, a no-show with its penalty, a walk-in,
    a future booking with a deposit and a note, and a cancellation with a reason."""
    done = _book(url, 1, ["corte", "tinte"], "ana", "2026-11-21 11:30")
    missed = _book(url, 2, ["barba"], "beto", "2026-11-21 11:20")
    later = _book(url, 3, ["corte"], "ana", "2026-11-24 10:00", deposit_cents=10000, note="con flequillo")
    gone = _book(url, 4, ["tinte"], "beto", "2026-11-25 16:00")
    _status(url, "cancel", gone, reason="se fue de viaje")
    clock.advance(minutes=45)
    _status(url, "check_in", done)
    _status(url, "no_show", missed)
    clock.advance(hours=2, minutes=15)
    _status(url, "complete", done)
    walk_in = _book(url, None, ["barba"], "beto", None, walk_in=True)
    return {"done": done, "missed": missed, "later": later, "gone": gone, "walk_in": walk_in}


# ----------------------------------------------------------------------------- export

def test_export_csv_header_order_services_and_penalties(desk, clock):
    ids = _history(desk, clock)
    run = _export(desk)  # CSV by default
    assert run.stderr.strip() == "exported 5 appointments"
    lines = run.stdout.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [int(r["id"]) for r in rows] == [ids["missed"], ids["done"], ids["walk_in"], ids["later"], ids["gone"]]
    missed, done, walk_in, later, gone = rows
    assert {k: done[k] for k in ("starts_at", "ends_at", "status", "client_id", "client", "client_phone", "staff",
                                 "service", "services", "price_cents", "walk_in", "checked_in_at", "completed_at")} == {
        "starts_at": "2026-11-21T11:30:00-06:00", "ends_at": "2026-11-21T13:45:00-06:00", "status": "completed",
        "client_id": "1", "client": "Ana López", "client_phone": "+525512345678", "staff": "ana",
        "service": "Corte dama + Tinte", "services": "corte;tinte", "price_cents": "115000", "walk_in": "false",
        "checked_in_at": "2026-11-21T11:45:00-06:00", "completed_at": "2026-11-21T14:00:00-06:00"}
    assert (missed["status"], missed["client_email"], missed["no_show_at"], missed["penalty_status"],
            missed["penalty_cents"]) == ("no_show", "beto@example.com", "2026-11-21T11:45:00-06:00", "pending", "7500")
    assert missed["penalty_id"] != "" and done["penalty_id"] == ""
    assert (walk_in["client_id"], walk_in["client"], walk_in["walk_in"], walk_in["status"]) == ("", "", "true", "checked_in")
    assert (later["deposit_cents"], later["note"], later["services"]) == ("10000", "con flequillo", "corte")
    assert (gone["status"], gone["cancel_reason"], gone["cancelled_at"]) == (
        "cancelled", "se fue de viaje", "2026-11-21T11:00:00-06:00")


def test_export_json_and_ndjson_shapes_filters_and_output_file(desk, clock, tmp_path):
    ids = _history(desk, clock)
    doc = _records(desk)
    lines = [json.loads(line) for line in _export(desk, "-f", "ndjson").stdout.splitlines()]
    assert doc == lines and [list(r) for r in doc] == [COLUMNS] * 5
    done = next(r for r in doc if r["id"] == ids["done"])
    assert (done["services"], done["price_cents"], done["walk_in"], done["client_id"]) == (["corte", "tinte"], 115000, False, 1)
    assert done["penalty_id"] is None and done["external_id"] is None
    assert [r["id"] for r in _records(desk, "--status", "cancelled")] == [ids["gone"]]
    assert [r["id"] for r in _records(desk, "--staff", "ana")] == [ids["done"], ids["later"]]
    assert _records(desk, "--staff", "beto", "--status", "no-show")[0]["id"] == ids["missed"]
    assert salon(desk, "export", "appointments", "--staff", "nadie").code == 1
    assert salon(desk, "export", "appointments", "--status", "perdida").code == 2
    assert salon(desk, "export", "appointments", "-f", "table").code == 2
    out = tmp_path / "citas.ndjson"
    run = _export(desk, "-f", "ndjson", "--output", str(out), "--from", "2026-11-24")
    assert run.stdout == "" and run.stderr.strip() == f"exported 2 appointments to {out}"
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [ids["later"], ids["gone"]]
    assert not (tmp_path / "citas.ndjson.part").exists()
    empty = _export(desk, "--from", "2030-01-01")
    assert empty.stdout.splitlines() == [",".join(COLUMNS)] and "exported 0 appointments" in empty.stderr
    assert _export(desk, "-f", "json", "--from", "2030-01-01").stdout == "[]\n"


def test_export_window_is_business_days_in_the_location_zone(desk):
    late = _book(desk, 1, ["barba"], "ana", "2026-11-22 23:30")  # 2026-11-23 05:30 UTC
    early = _book(desk, 2, ["barba"], "ana", "2026-11-23 00:15")
    monday = _book(desk, 3, ["corte"], "beto", "2026-11-23 18:30")  # 2026-11-24 00:30 UTC
    ids = lambda *args: [r["id"] for r in _records(desk, *args)]  # noqa: E731
    assert ids() == [late, early, monday]
    assert ids("--from", "2026-11-22", "--to", "2026-11-22") == [late]
    assert ids("--from", "2026-11-23") == [early, monday]
    assert ids("--to", "2026-11-23") == [late, early, monday]
    assert ids("--from", "2026-11-24") == []
    assert salon(desk, "export", "appointments", "--from", "2026-11-24", "--to", "2026-11-23").code == 2
    assert salon(desk, "export", "appointments", "--from", "mañana").code == 2


def test_export_streams_in_batches(desk):
    from salon_cli.services.transfer import appt_export

    booked = [_book(desk, 1, ["barba"], "ana", f"2026-11-{23 + i // 5} {10 + i % 5}:00") for i in range(7)]
    rows = _do(desk, lambda s, a, loc: list(_take(appt_export.appointments(s, location=loc, batch=2))))
    assert [r["id"] for r in rows] == booked


def _take(rows):
    assert iter(rows) is rows  # a generator, not a list
    yield from rows


# ----------------------------------------------------------------------------- import

US_FILE = (
    "Ref,Customer,Treatment,Stylist,Day,Hour,State,Minutes,Amount,Comment,Deposit\n"
    "A-1,55 1234 5678,Corte dama,Ana Díaz,11/25/2026,10:30 AM,Confirmed,,,Primera vez,100\n"
    "A-2,BETO@example.com,corte + tinte,ana,11/25/2026,02:00 PM,booked,150,999.50,,\n"
    "A-3,OLD-7,barba,BETO,11/02/2026,09:00 AM,Done,,,,\n"
    "A-4,4,tinte,beto ruiz,11/03/2026,04:15 PM,No-Show,,,,\n"
    "A-5,,corte,ana,11/04/2026,11:00 AM,canceled,,,,\n"
    "A-6,+525512345678,barba;corte,beto,11/05/2026,12:00 PM,Late Cancel,,,,\n"
    "A-7,2,barba,ana,11/06/2026,09:30 AM,arrived,,,,\n"
)
US_MAP = ["--map", "Ref=external_id", "--map", "Customer=client", "--map", "Treatment=service", "--map", "Stylist=staff",
          "--map", "Day=date", "--map", "Hour=time", "--map", "State=status", "--map", "Minutes=duration_min",
          "--map", "Amount=price", "--map", "Comment=note", "--map", "Deposit=deposit",
          "--date-format", "%m/%d/%Y", "--time-format", "%I:%M %p"]


def test_import_a_us_file_with_foreign_headers_field_by_field(desk, tmp_path):
    path = _write(tmp_path, US_FILE)
    assert _imported(desk, path, *US_MAP) == {"rows_read": 7, "rows_used": 7, "created": 7, "unchanged": 0,
                                              "dry_run": False, "refused": 0, "updated": 0}
    got = {r["external_id"]: r for r in _records(desk)}
    fields = ("client_id", "staff", "services", "starts_at", "ends_at", "status", "price_cents", "deposit_cents",
              "note", "checked_in_at", "completed_at", "cancelled_at", "no_show_at", "penalty_id", "walk_in")
    expected = {
        "A-1": (1, "ana", ["corte"], "2026-11-25T10:30:00-06:00", "2026-11-25T11:15:00-06:00", "booked", 35000, 10000,
                "Primera vez", None, None, None, None, None, False),
        "A-2": (2, "ana", ["corte", "tinte"], "2026-11-25T14:00:00-06:00", "2026-11-25T16:30:00-06:00", "booked",
                99950, 0, None, None, None, None, None, None, False),
        "A-3": (3, "beto", ["barba"], "2026-11-02T09:00:00-06:00", "2026-11-02T09:30:00-06:00", "completed", 15000, 0,
                None, "2026-11-02T09:00:00-06:00", "2026-11-02T09:30:00-06:00", None, None, None, False),
        "A-4": (4, "beto", ["tinte"], "2026-11-03T16:15:00-06:00", "2026-11-03T17:45:00-06:00", "no_show", 80000, 0,
                None, None, None, None, "2026-11-03T16:15:00-06:00", None, False),
        "A-5": (None, "ana", ["corte"], "2026-11-04T11:00:00-06:00", "2026-11-04T11:45:00-06:00", "cancelled", 35000, 0,
                None, None, None, "2026-11-04T11:00:00-06:00", None, None, False),
        "A-6": (1, "beto", ["barba", "corte"], "2026-11-05T12:00:00-06:00", "2026-11-05T13:15:00-06:00",
                "late_cancelled", 50000, 0, None, None, None, "2026-11-05T12:00:00-06:00", None, None, False),
        "A-7": (2, "ana", ["barba"], "2026-11-06T09:30:00-06:00", "2026-11-06T10:00:00-06:00", "checked_in", 15000, 0,
                None, "2026-11-06T09:30:00-06:00", None, None, None, None, False),
    }
    assert {k: tuple(r[f] for f in fields) for k, r in got.items()} == expected
    # the price of the file is shared over the items; the length too; every appointment has its items
    items = _sql(desk, "SELECT a.external_id, i.position, s.code, i.duration_min, i.price_cents FROM appointment_item i "
                       "JOIN appointment a ON a.id = i.appointment_id JOIN service s ON s.id = i.service_id "
                       "WHERE a.external_id = 'A-2' ORDER BY i.position")
    assert [tuple(i) for i in items] == [("A-2", 0, "corte", 50, 30419), ("A-2", 1, "tinte", 100, 69531)]
    assert _sql(desk, "SELECT count(*) FROM appointment a WHERE NOT EXISTS "
                      "(SELECT 1 FROM appointment_item i WHERE i.appointment_id = a.id AND i.position = 0)")[0][0] == 0
    # an imported no-show counts on the client but makes no penalty
    dora = json.loads(_ok(salon(desk, "client", "show", "4", "-f", "json")).stdout)
    assert dora["no_show_count"] == 1 and _counts(desk)[3] == 0
    log = json.loads(salon(desk, "audit", "--entity", "appointment", "-f", "json").stdout)
    assert sorted(e["entity_id"] for e in log if e["action"] == "appointment.import") == sorted(r["id"] for r in got.values())
    assert all(e["actor"] == "sofia" for e in log)
    assert [e["after"] for e in log if e["action"] == "appointment.import_file"] == [
        {"rows": 7, "created": 7, "unchanged": 0, "source": "citas.csv", "created_missing": []}]
    # the same file again creates nothing, and counts nothing twice
    before = _counts(desk)
    assert _imported(desk, path, *US_MAP) == {"rows_read": 7, "rows_used": 7, "created": 0, "unchanged": 7,
                                              "dry_run": False, "refused": 0, "updated": 0}
    assert _counts(desk)[:2] == before[:2]
    assert json.loads(salon(desk, "client", "show", "4", "-f", "json").stdout)["no_show_count"] == 1


def test_rows_without_external_id_match_by_client_staff_and_start(desk, tmp_path):
    text = "client,service,staff,date,time,status\n1,corte,ana,2026-11-25,10:00:30,\n,barba,beto,2026-10-01,18:00,done\n"
    assert _imported(desk, "-", input=text)["created"] == 2
    assert _imported(desk, "-", input=text) == {"rows_read": 2, "rows_used": 2, "created": 0, "unchanged": 2,
                                                "dry_run": False, "refused": 0, "updated": 0}
    assert [r["starts_at"] for r in _records(desk)] == ["2026-10-01T18:00:00-06:00", "2026-11-25T10:00:30-06:00"]
    log = json.loads(salon(desk, "audit", "--entity", "appointment", "-f", "json").stdout)
    assert {e["after"]["source"] for e in log if e["action"] == "appointment.import_file"} == {"stdin"}


BAD_FILE = (
    "external_id,client,service,staff,date,time,status\n"
    "B-1,1,corte,ana,2026-11-25,10:00,booked\n"
    "B-2,1,keratina,ana,2026-11-25,12:00,booked\n"
    "B-3,2,corte,ana,2026-02-30,12:00,booked\n"
    "B-4,5599999999,corte,ana,2026-11-26,12:00,booked\n"
    "B-5,1,corte,nadie,2026-11-26,13:00,booked\n"
    "B-1,1,corte,beto,2026-11-27,10:00,booked\n"
    "B-7,,corte,beto,2026-11-27,11:00,booked\n"
    "B-8,2,corte,beto,2026-11-27,25:00,booked\n"
    "B-9,3,corte,beto,2026-11-28,10:00,perdida\n"
)


def test_a_bad_file_changes_nothing_and_names_every_row_and_column(desk, tmp_path):
    path = _write(tmp_path, BAD_FILE)
    before = _counts(desk)
    for extra in ([], ["--dry-run"]):
        run = _import(desk, path, *extra)
        assert run.code == 2
        if extra:  # a dry run lists every row's fate, then refuses as the real run would
            plan = json.loads(run.stdout)
            assert [(p["row"], p["action"]) for p in plan] == [(2, "create")] + [(n, "refuse") for n in range(3, 11)]
        else:
            assert run.stdout == ""
        assert "error: import refused, nothing written: " in run.stderr
        for named in ("row 3 column service: no service 'keratina' at centro (--create-missing adds it)",
                      "row 4 column date: date '2026-02-30' does not match the date format %Y-%m-%d",
                      "row 5 column client: '5599999999' is no client here",
                      "row 10 column status: status 'perdida' is not one of",
                      "row 6 column staff: no staff member 'nadie' at centro",
                      "row 7 column external_id: external id B-1 is also on row 2 of this file",
                      "row 8 column client: a booked appointment needs a client",
                      "row 9 column time: time '25:00' does not match the time format %H:%M"):
            assert named in run.stderr, (named, run.stderr)
        assert _counts(desk) == before


def test_missing_columns_bad_options_and_unreadable_files(desk, tmp_path):
    run = _import(desk, _write(tmp_path, "client,staff,date\n1,ana,2026-11-25\n"))
    assert run.code == 2 and "row 1 column service: required column is missing" in run.stderr
    assert "row 1 column time: required column is missing" in run.stderr
    run = _import(desk, _write(tmp_path, "client,service,staff,date,time,colour\n1,corte,ana,2026-11-25,10:00,red\n"))
    assert run.code == 2 and "row 1 column colour: unknown column" in run.stderr
    good = _write(tmp_path, "client,service,staff,date,time\n1,corte,ana,2026-11-25,10:00\n", name="good.csv")
    assert _import(desk, good, "--time-format", "HH:MM").code == 2
    assert _import(desk, good, "--map", "nada").code == 2
    assert _import(desk, tmp_path / "nope.csv").code == 2
    assert _import(desk, good, who=["--as", "nadie"]).code == 3
    assert _counts(desk)[0] == 0


def test_dry_run_counts_and_writes_nothing(desk, tmp_path):
    path = _write(tmp_path, US_FILE)
    _imported(desk, path, *US_MAP)
    more = _write(tmp_path, US_FILE + "A-8,1,barba,beto,11/30/2026,10:00 AM,,,,,\n", name="more.csv")
    before = _counts(desk)
    run = _ok(_import(desk, more, *US_MAP, "--dry-run"))
    plan = json.loads(run.stdout)
    assert [p["action"] for p in plan] == ["match"] * 7 + ["create"]
    assert plan[-1] == {"row": 9, "action": "create", "record": "2026-11-30 10:00 beto barba (client 1, booked)",
                        "existing_id": None, "reason": None}
    assert "dry run, nothing written: read 8 rows, would use 8: 1 new appointment, 7 already here" in run.stderr
    assert _counts(desk) == before


def test_double_bookings_are_faults_unless_allowed_history_is_not_checked(desk, tmp_path):
    held = _book(desk, 1, ["corte"], "ana", "2026-11-25 10:00")
    path = _write(tmp_path, "client,service,staff,date,time,status\n"
                            "2,barba,ana,2026-11-25,10:30,booked\n"
                            "3,barba,beto,2026-11-25,10:00,confirmed\n"
                            "4,barba,beto,2026-11-25,10:15,arrived\n"
                            "4,corte,ana,2026-11-25,10:00,done\n")
    before = _counts(desk)
    run = _import(desk, path)
    assert run.code == 2 and _counts(desk) == before
    assert (f"row 2 column time: ana is already booked 2026-11-25 10:00-10:45 (appointment {held}); "
            "--allow-overlap imports it anyway") in run.stderr
    assert "row 3 column time: beto is already booked 2026-11-25 10:15-10:45 (row 4 of this file)" in run.stderr
    assert "row 4 column time: beto is already booked 2026-11-25 10:00-10:30 (row 3 of this file)" in run.stderr
    assert "row 5" not in run.stderr  # a completed visit from the past system is history: not checked
    assert _imported(desk, path, "--allow-overlap")["created"] == 4


def test_create_missing_services_and_staff_needs_a_manager(desk, tmp_path):
    path = _write(tmp_path, "client,service,staff,date,time,duration_min,price\n"
                            "1,Keratina Brasileña,Pedro Páramo,2026-11-25,10:00,120,1500\n"
                            "2,keratina brasileña + corte,pedro páramo,2026-11-26,10:00,,\n")
    before = _counts(desk)
    refused = _import(desk, path)
    assert refused.code == 2 and "row 2 column staff: no staff member 'Pedro Páramo'" in refused.stderr
    assert _import(desk, path, "--create-missing", who=SOFIA).code == 3
    dry = _ok(_import(desk, path, "--create-missing", "--dry-run", who=MARCO))
    assert "would create service Keratina Brasileña (keratina-brasilena)" in dry.stderr
    assert _counts(desk) == before
    run = _ok(_import(desk, path, "--create-missing", who=MARCO))
    assert json.loads(run.stdout)["created"] == 2
    pin = re.search(r"created staff member Pedro Páramo \(pedro-paramo, stylist\) with PIN (\d{8})", run.stderr).group(1)
    services = {s["code"]: s for s in json.loads(_ok(salon(desk, "service", "list", "-f", "json")).stdout)}
    assert (services["keratina-brasilena"]["duration_min"], services["keratina-brasilena"]["price_cents"]) == (120, 150000)
    staff = {s["code"]: s for s in json.loads(_ok(salon(desk, "staff", "list", "-f", "json")).stdout)}
    assert (staff["pedro-paramo"]["name"], staff["pedro-paramo"]["role"]) == ("Pedro Páramo", "stylist")
    assert [(r["services"], r["price_cents"], r["ends_at"]) for r in _records(desk)] == [
        (["keratina-brasilena"], 150000, "2026-11-25T12:00:00-06:00"),
        (["keratina-brasilena", "corte"], 185000, "2026-11-26T12:45:00-06:00")]
    _ok(salon(desk, "--as", "pedro-paramo", "--pin", pin, "staff", "set-pin", "pedro-paramo", "--new-pin", "8642"))
    log = json.loads(salon(desk, "audit", "-f", "json").stdout)
    assert {"service.add", "staff.add", "appointment.import_file"} <= {e["action"] for e in log if e["actor"] == "marco"}


def test_daylight_saving_gap_moves_forward(db_url, clock, tmp_path):
    url = _init(db_url, timezone="America/New_York")
    text = "client,service,staff,date,time,status\n1,barba,ana,2026-03-08,02:30,done\n2,barba,ana,2026-11-01,01:30,done\n"
    assert _imported(url, "-", input=text)["created"] == 2
    assert [(r["starts_at"], r["ends_at"]) for r in _records(url)] == [
        ("2026-03-08T03:30:00-04:00", "2026-03-08T04:00:00-04:00"),  # 02:30 does not exist that night
        ("2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00")]  # 01:30 happens twice: the first


def test_round_trip_export_then_import_into_a_fresh_salon(desk, fresh_url, clock, tmp_path):
    _history(desk, clock)
    out = tmp_path / "citas.csv"
    _export(desk, "--output", str(out))
    _init(fresh_url)
    assert _imported(fresh_url, out) == {"rows_read": 5, "rows_used": 5, "created": 5, "unchanged": 0,
                                         "dry_run": False, "refused": 0, "updated": 0}
    before = [{k: r[k] for k in SAME} for r in _records(desk)]
    after = [{k: r[k] for k in SAME} for r in _records(fresh_url)]
    assert after == before
    # the no-show counts on the client here too, without a penalty
    assert json.loads(salon(fresh_url, "client", "show", "2", "-f", "json").stdout)["no_show_count"] == 1
    assert _counts(fresh_url)[3] == 0
    # and the same export again is already here (JSON round trip through CSV is exact)
    assert _imported(fresh_url, out)["unchanged"] == 5
    assert _imported(desk, out) == {"rows_read": 5, "rows_used": 5, "created": 0, "unchanged": 5,
                                    "dry_run": False, "refused": 0, "updated": 0}


def test_two_thousand_appointments_import_and_export(desk, tmp_path):
    lines = ["external_id,client,service,staff,date,time,status"]
    lines += [f"X{i},{1 + i % 4},{'corte;barba' if i % 3 else 'tinte'},{'ana' if i % 2 else 'beto'},"
              f"2026-{1 + i // 200:02d}-{1 + i % 28:02d},{8 + (i // 28) % 7}:00,{'done' if i % 5 else 'no show'}"
              for i in range(2000)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    assert _imported(desk, path)["created"] == 2000
    assert _counts(desk)[:2] == (2000, 2000 + 1333)  # one item each, two for the 1,333 corte;barba rows
    rows = list(csv.DictReader(io.StringIO(_export(desk).stdout)))
    assert len(rows) == 2000 and rows == sorted(rows, key=lambda r: (r["starts_at"], int(r["id"])))
    assert _imported(desk, path)["unchanged"] == 2000


@pytest.mark.parametrize("args", [["import", "appointments", "--help"], ["export", "appointments", "--help"]])
def test_help_loads_no_database_library(args):
    probe = ("import sys\nfrom salon_cli.cli.app import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'psycopg'}), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "Example:" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]"
