"""Client profiles: add, show, edit, list (filters and sorts), tags, notes with privacy, preferences.

Every test runs on SQLite and on PostgreSQL (`db_url`). Stylists: ana and beto; receptionist: sofia;
manager: marco; owner: lucia.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cli_helpers import INIT, OWNER, salon
from salon_cli.core.permissions import Permission, can

CLIENT_FIELDS = {"id", "first_name", "last_name", "phone", "email", "birthday", "tags", "no_show_count",
                 "deposit_required"}
NOTE_FIELDS = {"id", "client_id", "type", "body", "private", "author", "created_at"}
ANA = ["--as", "ana", "--pin", "4444"]
BETO = ["--as", "beto", "--pin", "5555"]
SOFIA = ["--as", "sofia", "--pin", "3333"]
MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia"]


@pytest.fixture
def desk(db_url, clock):
    """An initialised salon (America/Mexico_City, MXN) with its team and two services, by CLI."""
    assert salon(db_url, *INIT).code == 0
    for args in (
        ["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
        ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
        ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
        ["staff", "add", "Beto Gómez", "--code", "beto", "--role", "stylist", "--pin", "5555"],
        ["service", "add", "Corte de dama", "--duration", "45", "--price", "350", "--code", "corte"],
        ["service", "add", "Balayage", "--duration", "180", "--price", "2450.50", "--code", "balayage"],
    ):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return db_url


def _add(url, *args, who=DESK):
    run = salon(url, *who, "client", "add", *args, "-f", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def _audit(url, entity=None):
    args = ["--entity", entity] if entity else []
    return json.loads(salon(url, "audit", *args, "--limit", "1000", "-f", "json").stdout)


def _db(url):
    from salon_cli.db.engine import make_engine

    return make_engine(url)


# ----------------------------------------------------------------------------- add, show, edit

def test_add_prints_the_client_and_show_reads_it_back(desk):
    added = _add(desk, "--first", " Ximena ", "--last", "Jiménez  Ruiz", "--phone", "55-1234-5678",
                 "--email", "Ximena.J@Example.COM", "--birthday", "1990-04-12", "--tag", "VIP",
                 "--tag", "Novia Mayo", "--gender", "female", "--street", "Av. Juárez 10",
                 "--emergency-name", "Rosa", "--emergency-phone", "55 8765 4321", "--marketing-consent")
    assert CLIENT_FIELDS <= set(added)
    assert added["first_name"] == "Ximena" and added["last_name"] == "Jiménez Ruiz"
    assert (added["phone"], added["phone_raw"]) == ("+525512345678", "55-1234-5678")
    assert added["email"] == "ximena.j@example.com" and added["birthday"] == "1990-04-12"
    assert added["tags"] == ["novia-mayo", "vip"] and added["marketing_consent"] is True
    assert (added["no_show_count"], added["deposit_required"]) == (0, False)
    assert isinstance(added["id"], int) and added["created_at"].endswith("-06:00")

    card = json.loads(salon(desk, "client", "show", str(added["id"]), "-f", "json").stdout)
    assert {k: card[k] for k in added} == added
    assert (card["visits"], card["total_spent_cents"], card["last_visit_at"]) == (0, 0, None)
    assert card["notes"] == [] and card["prefs"]["reminder"] == "24h"

    log = _audit(desk, "client")
    assert [e["action"] for e in log] == ["client.add"] and log[0]["actor"] == "sofia"
    assert log[0]["after"]["phone"] == "+525512345678" and log[0]["after"]["tags"] == ["novia-mayo", "vip"]

    table = salon(desk, "client", "show", str(added["id"]))
    assert table.code == 0 and "Jiménez Ruiz" in table.stdout and "novia-mayo;vip" in table.stdout


def test_add_keeps_the_name_key_and_search_keys(desk):
    from salon_cli.db.models import Client, ClientSearchKey
    from salon_cli.db.uow import UnitOfWork

    cid = _add(desk, "--first", "José", "--last", "MUÑOZ")["id"]
    salon(desk, *DESK, "client", "edit", str(cid), "--last", "Núñez")
    engine = _db(desk)
    with UnitOfWork(engine, write=False) as uow:
        client = uow.session.get(Client, cid)
        keys = set(uow.session.exec(select(ClientSearchKey.key).where(ClientSearchKey.client_id == cid)))
    engine.dispose()
    assert client is not None and client.name_key == "jose nunez"
    assert {"jose", "nunez"} <= keys and "munoz" not in keys


def test_edit_changes_only_what_is_given_and_audits_before_and_after(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López", "--phone", "55 1111 2222", "--email", "ana@example.com")["id"]
    run = salon(desk, *DESK, "client", "edit", str(cid), "--phone", "+52 1 55 3333 4444", "--email", "",
                "--birthday", "1985-02-28", "--no-marketing-consent", "-f", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert (doc["first_name"], doc["phone"], doc["email"], doc["birthday"]) == ("Ana", "+525533334444", None, "1985-02-28")
    assert doc["updated_at"] is not None
    entry = _audit(desk, "client")[0]
    assert entry["action"] == "client.edit" and entry["entity_id"] == cid
    assert (entry["before"]["phone"], entry["after"]["phone"]) == ("+525511112222", "+525533334444")
    assert (entry["before"]["email"], entry["after"]["email"]) == ("ana@example.com", None)

    nothing = salon(desk, *DESK, "client", "edit", str(cid))
    assert nothing.code == 2 and nothing.stderr.splitlines()[0] == "error: nothing to change"
    missing = salon(desk, *DESK, "client", "edit", "999", "--first", "X")
    assert missing.code == 1 and missing.stderr.splitlines()[0] == "error: no client 999"
    assert salon(desk, "client", "show", "999").code == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--email", "ana@@example"], "error: email 'ana@@example' is not an e-mail address"),
        (["--email", "ana@example"], "error: email 'ana@example' is not an e-mail address"),
        (["--birthday", "2026-11-22"], "error: birthday 2026-11-22 is in the future"),
        (["--birthday", "12/04/1990"], "error: birthday '12/04/1990' is not a date"),
        (["--phone", "call me"], "error: phone 'call me' is not a phone number"),
        (["--phone", "55 1234"], "error: phone '55 1234' has 6 digits after +52; numbers there have 10"),
        (["--tag", "v!p"], "error: tag 'v!p' is not a tag"),
    ],
)
def test_bad_input_is_exit_2_and_changes_nothing(desk, args, error):
    cid = _add(desk, "--first", "Ana", "--last", "López")["id"]
    before = _audit(desk)
    add = salon(desk, *DESK, "client", "add", "--first", "Eva", "--last", "Ruiz", *args)
    assert add.code == 2 and add.stderr.splitlines()[0] == error and add.stdout == ""
    if args[0] != "--tag":
        edit = salon(desk, *DESK, "client", "edit", str(cid), *args)
        assert edit.code == 2 and edit.stderr.splitlines()[0] == error
    assert _audit(desk) == before
    assert len(json.loads(salon(desk, "client", "list", "-f", "json").stdout)) == 1


def test_names_must_not_be_empty(desk):
    run = salon(desk, *DESK, "client", "add", "--first", "  ", "--last", "Ruiz")
    assert run.code == 2 and run.stderr.splitlines()[0] == "error: first name is empty"
    cid = _add(desk, "--first", "Ana", "--last", "López")["id"]
    run = salon(desk, *DESK, "client", "edit", str(cid), "--last", "")
    assert run.code == 2 and run.stderr.splitlines()[0] == "error: last name is empty"


def test_the_same_phone_or_email_twice_is_refused_naming_the_client(desk):
    first = _add(desk, "--first", "Ana", "--last", "López", "--phone", "55 1234 5678", "--email", "ana@example.com")
    before = _audit(desk)
    same_phone = salon(desk, *DESK, "client", "add", "--first", "Eva", "--last", "Ruiz", "--phone", "+52 1 55 1234 5678")
    assert same_phone.code == 1
    assert same_phone.stderr.splitlines() == [
        f"error: phone +525512345678 is already on client {first['id']} (Ana López)",
        f"hint: see: salon client show {first['id']}",
    ]
    same_email = salon(desk, *DESK, "client", "add", "--first", "Eva", "--last", "Ruiz", "--email", "ANA@example.com")
    assert same_email.code == 1 and f"client {first['id']}" in same_email.stderr.splitlines()[0]
    assert _audit(desk) == before

    other = _add(desk, "--first", "Eva", "--last", "Ruiz", "--phone", "55 9999 0000")
    taken = salon(desk, *DESK, "client", "edit", str(other["id"]), "--email", "ana@example.com")
    assert taken.code == 1 and taken.stderr.startswith("error: email ana@example.com is already on client")
    # a client keeps its own phone when re-typed
    assert salon(desk, *DESK, "client", "edit", str(first["id"]), "--phone", "5512345678").code == 0


def test_a_merged_client_points_at_the_kept_one_and_refuses_changes(desk):
    from salon_cli.db.models import Client
    from salon_cli.db.uow import UnitOfWork

    kept = _add(desk, "--first", "Ana", "--last", "López")["id"]
    dup = _add(desk, "--first", "Anna", "--last", "Lopez")["id"]
    engine = _db(desk)
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Client, dup)
        assert row is not None
        row.merged_into_id = kept
        uow.session.add(row)
        uow.commit()
    engine.dispose()
    before = _audit(desk)
    shown = salon(desk, "client", "show", str(dup), "-f", "json")
    assert shown.code == 0 and json.loads(shown.stdout)["merged_into_id"] == kept
    assert shown.stderr.splitlines()[0] == f"client {dup} was merged into client {kept}: see salon client show {kept}"
    for args in (["edit", str(dup), "--first", "X"], ["tag", str(dup), "vip"], ["note", str(dup), "hola"],
                 ["prefs", str(dup), "--reminder", "1h"]):
        run = salon(desk, *DESK, "client", *args)
        assert run.code == 1, args
        assert run.stderr.splitlines()[0] == f"error: client {dup} was merged into client {kept}"
    assert _audit(desk) == before
    assert [c["id"] for c in json.loads(salon(desk, "client", "list", "-f", "json").stdout)] == [kept]


def test_changes_need_an_actor(desk):
    run = salon(desk, "client", "add", "--first", "Ana", "--last", "López")
    assert run.code == 3 and "--as" in run.stderr


# ----------------------------------------------------------------------------- tags

def test_tags_are_normalised_idempotent_and_audited(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López", "--tag", "vip")["id"]
    run = salon(desk, *DESK, "client", "tag", str(cid), "Alérgica Tinte", "VIP", "novia", "-f", "json")
    assert run.code == 0 and json.loads(run.stdout)["tags"] == ["alergica-tinte", "novia", "vip"]
    again = salon(desk, *DESK, "client", "tag", str(cid), "vip", "-f", "json")
    assert json.loads(again.stdout)["tags"] == ["alergica-tinte", "novia", "vip"]
    removed = salon(desk, *DESK, "client", "untag", str(cid), "NOVIA", "never-had", "-f", "json")
    assert json.loads(removed.stdout)["tags"] == ["alergica-tinte", "vip"]
    log = [e for e in _audit(desk, "client") if e["action"] in ("client.tag", "client.untag")]
    assert [(e["action"], e["after"]["tags"]) for e in reversed(log)] == [
        ("client.tag", ["alergica-tinte", "novia", "vip"]), ("client.untag", ["alergica-tinte", "vip"]),
    ]
    rows = list(csv.DictReader(io.StringIO(salon(desk, "client", "list", "-f", "csv").stdout)))
    assert rows[0]["tags"] == "alergica-tinte;vip"


# ----------------------------------------------------------------------------- notes and privacy

def _noted_client(url):
    cid = _add(url, "--first", "Ximena", "--last", "Jiménez")["id"]
    for who, args in ((ANA, ["Alergia al amoníaco", "--type", "medical", "--private"]),
                      (BETO, ["Pidió no hablar de su divorcio", "--private"]),
                      (SOFIA, ["Prefiere café sin azúcar", "--type", "preference"])):
        run = salon(url, *who, "client", "note", str(cid), *args, "-f", "json")
        assert run.code == 0, run.stderr
        assert NOTE_FIELDS <= set(json.loads(run.stdout))
    return cid


def _bodies(url, cid, *who, command="notes"):
    run = salon(url, *who, "client", command, str(cid), "-f", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    return sorted(n["body"] for n in (doc["notes"] if command == "show" else doc)), run


@pytest.mark.parametrize("command", ["show", "notes"])
def test_private_notes_only_for_owner_manager_and_their_author(desk, command):
    cid = _noted_client(desk)
    public = ["Prefiere café sin azúcar"]
    everything = sorted(["Alergia al amoníaco", "Pidió no hablar de su divorcio", *public])

    nobody, run = _bodies(desk, cid, command=command)
    assert nobody == public
    assert run.stderr.splitlines()[-1].startswith("2 private notes not shown")
    receptionist, run = _bodies(desk, cid, *SOFIA, command=command)
    assert receptionist == public and "2 private notes not shown" in run.stderr
    assert _bodies(desk, cid, *ANA, command=command)[0] == sorted(["Alergia al amoníaco", *public])
    assert _bodies(desk, cid, *BETO, command=command)[0] == sorted(["Pidió no hablar de su divorcio", *public])
    manager, run = _bodies(desk, cid, *MARCO, command=command)
    assert manager == everything and "not shown" not in run.stderr
    assert _bodies(desk, cid, *OWNER, command=command)[0] == everything
    # naming yourself is not proving it: without the PIN no private note is shown
    assert _bodies(desk, cid, "--as", "marco", command=command)[0] == public
    wrong = salon(desk, "--as", "marco", "--pin", "0000", "client", command, str(cid))
    assert wrong.code == 3


def test_no_format_leaks_a_private_note_to_the_desk(desk):
    cid = _noted_client(desk)
    for command in ("show", "notes"):
        for fmt in ("table", "json", "ndjson", "csv"):
            for who in ([], SOFIA, DESK):
                run = salon(desk, *who, "client", command, str(cid), "-f", fmt)
                assert run.code == 0
                assert "amoníaco" not in run.stdout and "divorcio" not in run.stdout, (command, fmt, who)
                assert "café" in run.stdout


def test_note_audit_keeps_the_body_out_and_records_the_author(desk):
    cid = _noted_client(desk)
    log = [e for e in _audit(desk) if e["action"] == "client.note"]
    assert [e["actor"] for e in reversed(log)] == ["ana", "beto", "sofia"]
    assert log[-1]["entity"] == "client_note"
    assert log[-1]["after"] == {"client_id": cid, "type": "medical", "private": True}
    assert "amoníaco" not in json.dumps(_audit(desk))
    notes = json.loads(salon(desk, *MARCO, "client", "notes", str(cid), "-f", "json").stdout)
    assert [n["author"] for n in notes] == ["sofia", "beto", "ana"]  # newest first (same instant: by id)
    assert [n["type"] for n in notes] == ["preference", "general", "medical"]


def test_bad_notes_are_refused(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López")["id"]
    before = _audit(desk)
    bad_type = salon(desk, *DESK, "client", "note", str(cid), "hola", "--type", "gossip")
    assert bad_type.code == 2
    assert bad_type.stderr.splitlines()[0] == (
        "error: note type 'gossip' is not one of general, technical, medical, preference, complaint")
    assert salon(desk, *DESK, "client", "note", str(cid), "   ").code == 2
    assert salon(desk, *DESK, "client", "note", str(cid), "x" * 4001).code == 2
    assert salon(desk, *DESK, "client", "note", "999", "hola").code == 1
    assert _audit(desk) == before


def test_only_owner_and_manager_roles_read_every_private_note():
    assert can("owner", Permission.notes_private_read) and can("manager", Permission.notes_private_read)
    assert not can("receptionist", Permission.notes_private_read)
    assert not can("stylist", Permission.notes_private_read)


def test_can_read_note_rule():
    from salon_cli.db.models import ClientNote
    from salon_cli.services.salon.actors import SYSTEM, Actor
    from salon_cli.services.clients.notes import can_read_note

    ana, beto = Actor(3, "ana", "Ana", "stylist"), Actor(4, "beto", "Beto", "stylist")
    desk_, boss = Actor(2, "sofia", "Sofía", "receptionist"), Actor(1, "marco", "Marco", "manager")
    private = ClientNote(client_id=1, body="x", private=True, author_id=3)
    public = ClientNote(client_id=1, body="x", private=False, author_id=3)
    assert [can_read_note(r, private) for r in (None, SYSTEM, ana, beto, desk_, boss)] == [
        False, False, True, False, False, True]
    assert all(can_read_note(r, public) for r in (None, SYSTEM, ana, beto, desk_, boss))


# ----------------------------------------------------------------------------- preferences

def test_prefs_show_defaults_then_change_and_clear(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López", "--phone", "55 1234 5678")["id"]
    shown = json.loads(salon(desk, "client", "prefs", str(cid), "-f", "json").stdout)
    assert shown == {"client_id": cid, "channel": None, "reminder": "24h", "preferred_staff": None,
                     "preferred_services": [], "requests": None, "updated_at": None, "language": None,
                     "preferred_staff_codes": []}
    run = salon(desk, *DESK, "client", "prefs", str(cid), "--channel", "WhatsApp", "--reminder", "both",
                "--staff", "ana", "--service", "Balayage", "--service", "corte", "--requests", "Agua mineral",
                "-f", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert (doc["channel"], doc["reminder"], doc["preferred_staff"]) == ("whatsapp", "both", "ana")
    assert doc["preferred_services"] == ["balayage", "corte"] and doc["requests"] == "Agua mineral"
    assert json.loads(salon(desk, "client", "show", str(cid), "-f", "json").stdout)["prefs"] == doc
    entry = _audit(desk, "client")[0]
    assert entry["action"] == "client.prefs" and entry["before"] is None
    assert entry["after"]["preferred_services"] == ["balayage", "corte"]

    cleared = json.loads(salon(desk, *DESK, "client", "prefs", str(cid), "--staff", "", "--service", "",
                               "--channel", "", "-f", "json").stdout)
    assert (cleared["preferred_staff"], cleared["preferred_services"], cleared["channel"]) == (None, [], None)
    assert cleared["reminder"] == "both" and cleared["requests"] == "Agua mineral"


def test_bad_prefs_are_refused_and_change_nothing(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López", "--phone", "55 1234 5678")["id"]
    before = _audit(desk)
    for args, code, first_line in (
        (["--channel", "pigeon"], 2, "error: channel 'pigeon' is not one of sms, email, whatsapp"),
        (["--reminder", "2h"], 2, "error: reminder '2h' is not one of 24h, 1h, both, none"),
        (["--channel", "email"], 1, f"error: client {cid} has no e-mail for reminders by email"),
        (["--staff", "nadie"], 1, "error: no staff member 'nadie'"),
        (["--service", "tatuaje"], 1, "error: no service 'tatuaje' at centro"),
    ):
        run = salon(desk, *DESK, "client", "prefs", str(cid), *args)
        assert run.code == code and run.stderr.splitlines()[0] == first_line, args
    assert _audit(desk) == before


# ----------------------------------------------------------------------------- list: filters and sorts

def _visits(url, plan):
    """Appointments straight into the book: (client_id, days_ago, status, price_cents[, location_id])."""
    from salon_cli.db.models import Appointment, Service, Staff
    from salon_cli.db.uow import UnitOfWork

    engine = _db(url)
    now = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)
    with UnitOfWork(engine) as uow:
        ana = uow.session.exec(select(Staff).where(Staff.code == "ana")).one()
        service = uow.session.exec(select(Service).where(Service.code == "corte")).one()
        for client_id, days_ago, status, cents, *where in plan:
            start = now - timedelta(days=days_ago)
            uow.session.add(Appointment(
                location_id=where[0] if where else service.location_id, client_id=client_id,
                staff_id=ana.id, service_id=service.id, starts_at=start, ends_at=start + timedelta(minutes=45),
                status=status, price_cents=cents, created_at=start))
        uow.commit()
    engine.dispose()


@pytest.fixture
def regulars(desk, clock):
    """Four clients on file for a year, with a history of visits (completed ones count)."""
    clock.set(datetime(2025, 11, 1, 17, 0, tzinfo=timezone.utc))
    ids = {name: _add(desk, "--first", name, "--last", last, *tags)["id"] for name, last, tags in (
        ("Carla", "Zepeda", ["--tag", "vip"]), ("Beatriz", "Alonso", []),
        ("Daniela", "Méndez", ["--tag", "vip", "--tag", "color"]), ("Alma", "Ortiz", []))}
    clock.set(datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc))
    _visits(desk, [
        (ids["Carla"], 3, "completed", 35000), (ids["Carla"], 20, "completed", 245050),
        (ids["Carla"], 40, "completed", 35000), (ids["Carla"], 1, "cancelled", 99999),
        (ids["Beatriz"], 70, "completed", 120000), (ids["Beatriz"], 10, "no_show", 35000),
        (ids["Daniela"], 5, "completed", 35000), (ids["Daniela"], 15, "completed", 35000),
        (ids["Daniela"], 0, "booked", 35000),
    ])
    return desk, ids


def _names(url, *args):
    run = salon(url, "client", "list", *args, "-f", "json")
    assert run.code == 0, run.stderr
    return [r["first_name"] for r in json.loads(run.stdout)]


def test_list_figures_come_from_completed_visits(regulars):
    url, ids = regulars
    rows = {r["first_name"]: r for r in json.loads(salon(url, "client", "list", "-f", "json").stdout)}
    assert CLIENT_FIELDS <= set(rows["Carla"])
    assert (rows["Carla"]["visits"], rows["Carla"]["total_spent_cents"]) == (3, 315050)
    assert rows["Carla"]["last_visit_at"] == "2026-11-18T11:00:00-06:00"
    assert rows["Carla"]["first_visit_at"] == "2026-10-12T11:00:00-06:00"
    assert (rows["Beatriz"]["visits"], rows["Beatriz"]["total_spent_cents"]) == (1, 120000)
    assert (rows["Alma"]["visits"], rows["Alma"]["total_spent_cents"], rows["Alma"]["last_visit_at"]) == (0, 0, None)
    card = json.loads(salon(url, "client", "show", str(ids["Carla"]), "-f", "json").stdout)
    assert (card["visits"], card["total_spent_cents"]) == (3, 315050)


def test_list_filters(regulars):
    url, _ = regulars
    assert _names(url, "--tag", "VIP") == ["Carla", "Daniela"]
    assert _names(url, "--tag", "vip", "--tag", "color") == ["Daniela"]
    assert _names(url, "--min-visits", "2") == ["Carla", "Daniela"]
    assert _names(url, "--min-visits", "3") == ["Carla"]
    assert _names(url, "--min-spent", "1200") == ["Beatriz", "Carla"]
    assert _names(url, "--min-spent", "1200.01") == ["Carla"]
    # no completed visit in 30 days: Beatriz (70 days ago) and Alma (never, on file for a year)
    assert _names(url, "--inactive-days", "30") == ["Alma", "Beatriz"]
    assert _names(url, "--inactive-days", "4", "--tag", "vip") == ["Daniela"]
    assert _names(url, "--tag", "nobody") == []
    bad = salon(url, "client", "list", "--min-spent", "12.345")
    assert bad.code == 2 and bad.stderr.startswith("error: --min-spent '12.345' has more decimals")
    assert salon(url, "client", "list", "--sort", "age").code == 2
    assert salon(url, "client", "list", "--limit", "0").code == 2


def test_list_sorts_and_pages(regulars):
    url, _ = regulars
    assert _names(url) == ["Alma", "Beatriz", "Carla", "Daniela"]
    assert _names(url, "--sort", "name", "--desc") == ["Daniela", "Carla", "Beatriz", "Alma"]
    assert _names(url, "--sort", "visits", "--desc") == ["Carla", "Daniela", "Beatriz", "Alma"]
    assert _names(url, "--sort", "visits") == ["Alma", "Beatriz", "Daniela", "Carla"]
    assert _names(url, "--sort", "total_spent", "--desc") == ["Carla", "Beatriz", "Daniela", "Alma"]
    # never-visited clients come last either way
    assert _names(url, "--sort", "last_visit", "--desc") == ["Carla", "Daniela", "Beatriz", "Alma"]
    assert _names(url, "--sort", "last_visit") == ["Beatriz", "Daniela", "Carla", "Alma"]
    assert _names(url, "--sort", "total_spent", "--desc", "--limit", "2") == ["Carla", "Beatriz"]
    assert _names(url, "--sort", "total_spent", "--desc", "--limit", "2", "--offset", "2") == ["Daniela", "Alma"]
    table = salon(url, "client", "list", "--sort", "total_spent", "--desc")
    assert table.stdout.splitlines()[1].split()[:3] == ["1", "Carla", "Zepeda"] and "3150.50" in table.stdout


def test_list_figures_are_per_location(regulars):
    url, ids = regulars
    add = salon(url, *OWNER, "location", "add", "--code", "norte", "--name", "Norte",
                "--timezone", "America/Monterrey", "--currency", "MXN")
    assert add.code == 0, add.stderr
    from salon_cli.db.models import Location
    from salon_cli.db.uow import UnitOfWork

    engine = _db(url)
    with UnitOfWork(engine, write=False) as uow:
        norte = uow.session.exec(select(Location.id).where(Location.code == "norte")).one()
    engine.dispose()
    _visits(url, [(ids["Alma"], 2, "completed", 50000, norte)])
    north = {r["first_name"]: r for r in json.loads(
        salon(url, "--location", "norte", "client", "list", "-f", "json").stdout)}
    assert (north["Alma"]["visits"], north["Carla"]["visits"]) == (1, 0)
    centre = {r["first_name"]: r["visits"] for r in json.loads(
        salon(url, "--location", "centro", "client", "list", "-f", "json").stdout)}
    assert centre["Alma"] == 0 and centre["Carla"] == 3


def test_last_visits_of_search_hits_come_in_one_query_and_agree_with_the_list(regulars):
    """The dashboard's search rows: each hit's last visit in one statement, the same as `client list`'s."""
    import sqlalchemy as sa

    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import views as client_views

    url, ids = regulars
    engine = _db(url)
    with UnitOfWork(engine, write=False) as uow:
        listed = {r.id: r.last_visit_at for r in client_views.list_clients(uow.session, location_id=None)}
        statements = []
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        last = client_views.last_visits(uow.session, client_ids=list(ids.values()), location_id=None)
        assert client_views.last_visits(uow.session, client_ids=[], location_id=None) == {}
    engine.dispose()
    assert len(statements) == 1
    assert last == {cid: at for cid, at in listed.items() if at is not None}
    assert set(last) == {ids["Carla"], ids["Beatriz"], ids["Daniela"]}  # Alma never came: left out
    assert last[ids["Carla"]].replace(tzinfo=timezone.utc) == datetime(2026, 11, 18, 17, 0, tzinfo=timezone.utc)


def test_list_service_aggregates_in_one_query(regulars, db_url):
    """The figures are SQL aggregates: one statement for the page plus one for its tags."""
    import sqlalchemy as sa

    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import views as client_views

    url, _ = regulars
    engine = _db(url)
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with UnitOfWork(engine, write=False) as uow:
        rows = client_views.list_clients(uow.session, location_id=None, sort="visits", desc=True)
    engine.dispose()
    assert [r.visits for r in rows] == [3, 2, 1, 0]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and "sum(" in selects[0].lower() and "visit_stats" in selects[0].lower()


# ----------------------------------------------------------------------------- the command line

def test_every_client_command_prints_the_formats(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López", "--tag", "vip")["id"]
    salon(desk, *DESK, "client", "note", str(cid), "hola")
    for args in (["list"], ["notes", str(cid)]):
        as_json = json.loads(salon(desk, "client", *args, "-f", "json").stdout)
        lines = salon(desk, "client", *args, "-f", "ndjson").stdout.splitlines()
        assert [json.loads(x) for x in lines] == as_json
        rows = list(csv.DictReader(io.StringIO(salon(desk, "client", *args, "-f", "csv").stdout)))
        assert [int(r["id"]) for r in rows] == [r["id"] for r in as_json]
    one = json.loads(salon(desk, "client", "show", str(cid), "-f", "ndjson").stdout)
    assert one["id"] == cid and one["tags"] == ["vip"]


@pytest.mark.parametrize("args", [["client", "--help"], ["client", "add", "--help"], ["client", "list", "--help"]])
def test_client_help_imports_nothing_heavy(args):
    probe = (
        "import sys\nfrom salon_cli.cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'textual', 'alembic', 'psycopg'})\n"
        "sys.stderr.write('LOADED=' + ','.join(heavy) + '\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "LOADED=\n" in proc.stderr and "Usage: salon client" in proc.stdout


def test_phone_country_follows_the_location(db_url, clock):
    init = [a if a != "America/Mexico_City" else "Europe/Madrid" for a in INIT]
    init = [a if a != "MXN" else "EUR" for a in init]
    assert salon(db_url, *init).code == 0
    run = salon(db_url, *OWNER, "client", "add", "--first", "Lola", "--last", "Flores",
                "--phone", "612 34 56 78", "-f", "json")
    assert run.code == 0 and json.loads(run.stdout)["phone"] == "+34612345678"
    rows = json.loads(salon(db_url, "client", "list", "-f", "json").stdout)
    assert [r["phone"] for r in rows] == ["+34612345678"]


def test_demo_clients_have_notes_tags_and_preferences(db_url, clock):
    from salon_cli.db.models import ClientNote, ClientPref, ClientTag, Staff
    from salon_cli.db.uow import UnitOfWork

    assert salon(db_url, "demo", "--clients", "60", "--days", "5").code == 0
    engine = _db(db_url)
    with UnitOfWork(engine, write=False) as uow:
        notes = uow.session.exec(select(ClientNote, Staff.code).join(Staff, Staff.id == ClientNote.author_id)).all()
        tags = uow.session.exec(select(ClientTag)).all()
        prefs = uow.session.exec(select(ClientPref)).all()
        uow.session.expunge_all()
    engine.dispose()
    assert len(notes) > 20 and len(tags) > 5 and len(prefs) > 20
    assert {n.type for n, _ in notes} >= {"technical", "medical", "preference"}
    private = [(n, author) for n, author in notes if n.private]
    assert private and all(author not in ("sofia", "marco", "lucia") for _, author in private)
    note, author = private[0]
    desk_view = json.loads(salon(db_url, "--as", "sofia", "--pin", "3333", "client", "notes", str(note.client_id),
                                 "-f", "json").stdout)
    assert note.id not in {n["id"] for n in desk_view}
    pins = {"ana": "4444", "diego": "5555", "valeria": "6666", "emma": "7777"}
    author_view = json.loads(salon(db_url, "--as", author, "--pin", pins[author], "client", "notes",
                                   str(note.client_id), "-f", "json").stdout)
    assert note.id in {n["id"] for n in author_view}
    assert _names(db_url, "--tag", "vip")


def test_two_desks_adding_the_same_phone_at_once_make_one_client(engine, salon):
    """No unique index can hold the rule (a merged duplicate keeps its phone), so the check is
    serialised: BEGIN IMMEDIATE on SQLite, an advisory lock per phone on PostgreSQL."""
    import threading

    from salon_cli.core.errors import Conflict
    from salon_cli.db.models import Client
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import profiles as clients
    from salon_cli.services.salon.actors import Actor

    owner = Actor(id=salon.owner.id, code=salon.owner.code, name=salon.owner.name, role=salon.owner.role)
    barrier, outcomes = threading.Barrier(4), []

    def desk(n: int) -> None:
        barrier.wait()
        try:
            with UnitOfWork(engine) as uow:
                clients.add(uow.session, actor=owner, location=salon.location, first_name=f"Ana{n}",
                            last_name="López", phone="55 1234 5678")
                uow.commit()
            outcomes.append("added")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["added", "refused", "refused", "refused"]
    with UnitOfWork(engine, write=False) as uow:
        assert len(uow.session.exec(select(Client)).all()) == 1
