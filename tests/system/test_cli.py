"""The command line as users and scripts meet it: formats, stdout/stderr, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from cli_helpers import INIT, OWNER, salon

STAFF_FIELDS = {"id", "code", "name", "role", "active"}
SERVICE_FIELDS = {"id", "code", "name", "category", "duration_min", "price_cents", "active"}


@pytest.fixture
def shop(db_url, clock):
    """An initialised salon with a manager, a receptionist, two services and a product, by CLI."""
    assert salon(db_url, *INIT).code == 0
    for args in (
        ["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
        ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
        ["service", "add", "Corte de dama", "--duration", "45", "--price", "350", "--category", "cortes"],
        ["service", "add", "Balayage", "--duration", "180", "--price", "2450.50", "--category", "color"],
        ["product", "add", "Shampoo Argán", "--price", "289.90", "--stock", "12"],
    ):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return db_url


def test_staff_list_formats(shop):
    as_json = json.loads(salon(shop, "staff", "list", "-f", "json").stdout)
    assert isinstance(as_json, list) and len(as_json) == 3
    assert all(STAFF_FIELDS <= set(r) for r in as_json)
    assert {r["code"]: r["role"] for r in as_json} == {"lucia": "owner", "marco": "manager", "sofia": "receptionist"}
    assert all(isinstance(r["id"], int) and isinstance(r["active"], bool) for r in as_json)

    lines = salon(shop, "staff", "list", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(x) for x in lines] == as_json

    rows = list(csv.DictReader(io.StringIO(salon(shop, "staff", "list", "-f", "csv").stdout)))
    assert STAFF_FIELDS <= set(rows[0])
    assert [r["code"] for r in rows] == [r["code"] for r in as_json]
    assert rows[0]["active"] == "true"


def test_service_list_formats(shop):
    as_json = json.loads(salon(shop, "service", "list", "-f", "json").stdout)
    assert all(SERVICE_FIELDS <= set(r) for r in as_json)
    by_code = {r["code"]: r for r in as_json}
    assert by_code["balayage"]["price_cents"] == 245050
    assert by_code["corte-de-dama"] == {
        "id": by_code["corte-de-dama"]["id"], "code": "corte-de-dama", "name": "Corte de dama",
        "category": "cortes", "duration_min": 45, "price_cents": 35000, "active": True,
    }
    rows = list(csv.DictReader(io.StringIO(salon(shop, "service", "list", "-f", "csv").stdout)))
    assert {r["code"]: r["price_cents"] for r in rows} == {"corte-de-dama": "35000", "balayage": "245050"}
    nd = [json.loads(x) for x in salon(shop, "service", "list", "-f", "ndjson").stdout.splitlines()]
    assert nd == as_json


def test_table_shows_money_in_major_units(shop):
    out = salon(shop, "service", "list").stdout
    assert "2450.50" in out and "350.00" in out
    assert "245050" not in out


def test_show_one_record_is_a_json_object(shop):
    run = salon(shop, *OWNER, "service", "set", "balayage", "--price", "2500", "-f", "json")
    doc = json.loads(run.stdout)
    assert isinstance(doc, dict) and doc["price_cents"] == 250000


def test_empty_list_is_an_empty_array(shop):
    assert json.loads(salon(shop, "service", "list", "--category", "nails", "-f", "json").stdout) == []


def test_errors_are_one_line_with_exit_codes(shop):
    too_precise = salon(shop, *OWNER, "service", "add", "X", "--duration", "30", "--price", "12.505")
    assert too_precise.code == 2
    assert too_precise.stderr.splitlines()[0] == "error: price '12.505' has more decimals than MXN allows (2 decimals)"
    assert too_precise.stdout == ""

    unknown = salon(shop, *OWNER, "service", "set", "nope", "--price", "1")
    assert unknown.code == 1 and unknown.stderr.startswith("error: no service 'nope'")

    bad_option = salon(shop, "staff", "list", "--bogus")
    assert bad_option.code == 2 and bad_option.stderr.startswith("error: No such option: --bogus")
    assert "Traceback" not in bad_option.stderr

    bad_format = salon(shop, "staff", "list", "-f", "xml")
    assert bad_format.code == 2

    wrong_pin = salon(shop, "--as", "lucia", "--pin", "0000", "staff", "unlock", "sofia")
    assert wrong_pin.code == 3 and wrong_pin.stderr.startswith("error: wrong PIN")

    receptionist = salon(shop, "--as", "sofia", "--pin", "3333", "service", "add", "X", "--duration", "30", "--price", "1")
    assert receptionist.code == 3

    no_actor = salon(shop, "service", "add", "X", "--duration", "30", "--price", "1")
    assert no_actor.code == 3 and "--as" in no_actor.stderr


def test_bad_input_changes_nothing(shop):
    before = salon(shop, "audit", "-f", "json").stdout
    salon(shop, *OWNER, "service", "add", "X", "--duration", "30", "--price", "1.234")
    salon(shop, *OWNER, "staff", "add", "Y", "--code", "marco", "--role", "stylist", "--pin", "1111")
    salon(shop, *OWNER, "policy", "set", "--no-show-fee", "50%", "--tax", "IVA")
    assert salon(shop, "audit", "-f", "json").stdout == before
    assert json.loads(salon(shop, "policy", "show", "-f", "json").stdout)["taxes"] == []


def test_wrong_pin_via_cli_is_audited_and_locks(shop):
    for _ in range(5):
        assert salon(shop, "--as", "marco", "--pin", "0000", "staff", "unlock", "sofia").code == 3
    locked = salon(shop, "--as", "marco", "--pin", "2222", "staff", "unlock", "sofia")
    assert locked.code == 3 and "locked" in locked.stderr
    log = json.loads(salon(shop, "audit", "--entity", "staff", "-f", "json").stdout)
    actions = [e["action"] for e in log if e["actor"] == "marco"]
    assert actions.count("staff.pin_failed") == 5 and "staff.pin_refused_locked" in actions
    unlocked = salon(shop, *OWNER, "staff", "unlock", "marco")
    assert unlocked.code == 0
    assert salon(shop, "--as", "marco", "--pin", "2222", "staff", "unlock", "sofia").code == 0


def test_policy_set_and_show(shop):
    run = salon(shop, "--as", "marco", "--pin", "2222", "policy", "set", "--no-show-fee", "150",
                "--late-cancel-fee", "30%", "--late-cancel-hours", "12", "--deposit-after", "3",
                "--tax", "IVA:16%:inclusive", "--variance-note-over", "20", "-f", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert (doc["no_show_fee_kind"], doc["no_show_fee_value"]) == ("fixed", 15000)
    assert (doc["late_cancel_fee_kind"], doc["late_cancel_fee_value"]) == ("pct", 3000)
    assert doc["late_cancel_hours"] == 12 and doc["deposit_after_no_shows"] == 3
    assert doc["taxes"] == [{"name": "IVA", "rate_bp": 1600, "inclusive": True}]
    assert doc["variance_note_over_cents"] == 2000
    audit = json.loads(salon(shop, "audit", "--entity", "policy", "-f", "json").stdout)
    assert audit[0]["action"] == "policy.set" and audit[0]["actor"] == "marco"
    assert audit[0]["before"]["no_show_fee_kind"] == "pct" and audit[0]["after"]["no_show_fee_value"] == 15000


def test_desk_actor_never_stands_in_for_a_manager(shop):
    assert salon(shop, *OWNER, "policy", "set", "--desk-actor", "sofia").code == 0
    # the desk actor covers desk work only; a manager-only change still needs --as and a PIN
    assert salon(shop, "service", "add", "X", "--duration", "30", "--price", "1").code == 3


def test_locations_and_ambiguity(shop):
    add = salon(shop, *OWNER, "location", "add", "--code", "norte", "--name", "Salón Norte",
                "--timezone", "America/Monterrey", "--currency", "MXN", "-f", "json")
    assert add.code == 0, add.stderr
    many = salon(shop, "staff", "list")
    assert many.code == 2 and "--location" in many.stderr and "centro, norte" in many.stderr
    assert salon(shop, "--location", "norte", "service", "list", "-f", "json").stdout.strip() == "[]"
    assert salon(shop, "--location", "nowhere", "service", "list").code == 1
    bad_zone = salon(shop, *OWNER, "location", "add", "--code", "sur", "--name", "Sur",
                     "--timezone", "Mexico City", "--currency", "MXN")
    assert bad_zone.code == 2
    # a manager may not add locations: owner only
    manager = salon(shop, "--location", "centro", "--as", "marco", "--pin", "2222", "location", "add",
                    "--code", "sur", "--name", "Sur", "--timezone", "America/Cancun", "--currency", "MXN")
    assert manager.code == 3


def test_audit_lists_every_change_with_its_actor(shop):
    log = json.loads(salon(shop, "audit", "-f", "json").stdout)
    assert {"id", "at", "actor", "action", "entity", "entity_id"} <= set(log[0])
    assert [e["action"] for e in reversed(log)] == [
        "location.add", "staff.add", "staff.add", "staff.add", "service.add", "service.add", "product.add",
    ]
    assert log[0]["at"].endswith("-06:00")  # instants in the location's offset


def test_init_refuses_twice(shop):
    again = salon(shop, *INIT)
    assert again.code == 1 and "initialised already" in again.stderr


@pytest.mark.empty_database  # bad input migrates nothing either
def test_init_bad_input_touches_nothing(db_url):
    bad = [a if a != "MXN" else "MXX" for a in INIT]
    assert salon(db_url, *bad).code == 2
    assert salon(db_url, "db", "current", "-f", "json").stdout.count('"revision": null') == 1


def test_pipe_gets_no_ansi_and_no_box_drawing(shop, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update({"TERM": "xterm-256color", "FORCE_COLOR": "", "COLUMNS": "120"})
    for args in (["staff", "list"], ["service", "list"], ["policy", "show"], ["--help"], ["staff", "list", "-f", "json"]):
        proc = subprocess.run([sys.executable, "-m", "salon_cli", "--db", shop, *args],
                              capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b[" not in proc.stdout
        if args[-1] != "--help":
            assert not set("─│┏┃╭") & set(proc.stdout)
    err = subprocess.run([sys.executable, "-m", "salon_cli", "--db", shop, "staff", "list", "-f", "xml"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert err.returncode == 2 and "\x1b[" not in err.stderr


def test_every_command_help_has_an_example():
    from typer.main import get_command

    from salon_cli.cli.app import app

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, cmd

    missing = [" ".join(p) for p, cmd in walk(get_command(app), []) if "Example:" not in (cmd.help or "")]
    assert missing == []


def test_init_creates_the_default_program_plans_and_policy(shop):
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import programs

    engine = make_engine(shop)
    with UnitOfWork(engine, write=False) as uow:
        program = programs.loyalty_program(uow.session)
        plans = programs.membership_plans(uow.session)
    engine.dispose()
    assert program is not None and program.type == "points" and program.expiry_months == 6
    assert [t["name"] for t in program.tiers] == ["bronze", "silver", "gold", "platinum"]
    assert [(p.code, p.name, p.tier) for p in plans] == [("gold", "Gold", "gold"), ("black", "Black", "black"), ("vip", "VIP", "vip")]
    assert "photo_gallery" in plans[2].benefits
    assert [(p.monthly_price_cents, p.monthly_credits, p.discount_bp, p.active) for p in plans] == [
        (50000, 1, 1000, True), (90000, 2, 1500, True), (150000, 4, 2000, True)]
    policy = json.loads(salon(shop, "policy", "show", "-f", "json").stdout)
    assert (policy["no_show_grace_min"], policy["pin_max_failures"], policy["pin_lock_minutes"]) == (15, 5, 15)


def test_set_pin_own_with_current_pin_or_a_manager_for_others(shop):
    no_current = salon(shop, "--as", "sofia", "staff", "set-pin", "sofia", "--new-pin", "4444")
    assert no_current.code == 3 and "current one" in no_current.stderr
    wrong_current = salon(shop, "--as", "sofia", "--pin", "0000", "staff", "set-pin", "sofia", "--new-pin", "4444")
    assert wrong_current.code == 3
    assert salon(shop, "--as", "sofia", "--pin", "3333", "staff", "set-pin", "sofia", "--new-pin", "4444").code == 0
    # a receptionist cannot reset someone else's PIN; a manager can
    other = salon(shop, "--as", "sofia", "--pin", "4444", "staff", "set-pin", "marco", "--new-pin", "5555")
    assert other.code == 3
    assert salon(shop, "--as", "marco", "--pin", "2222", "staff", "set-pin", "sofia", "--new-pin", "6666").code == 0
    assert salon(shop, "--as", "sofia", "--pin", "6666", "staff", "set-pin", "sofia", "--new-pin", "7777").code == 0
    weak = salon(shop, "--as", "sofia", "--pin", "7777", "staff", "set-pin", "sofia", "--new-pin", "12")
    assert weak.code == 2
    actions = [e["action"] for e in json.loads(salon(shop, "audit", "--entity", "staff", "-f", "json").stdout)]
    assert actions.count("staff.set_pin") == 3


def test_demo_opens_and_lists_todays_book(db_url, clock):
    built = salon(db_url, "demo", "--clients", "25", "--days", "5", "-f", "json")
    assert built.code == 0, built.stderr
    summary = json.loads(built.stdout)
    assert summary["business_date"] == "2026-11-21" and summary["appointments_today"] > 0
    book = json.loads(salon(db_url, "appt", "list", "-f", "json").stdout)
    assert len(book) == summary["appointments_today"]
    assert {"id", "client_id", "staff", "service", "starts_at", "ends_at", "status", "price_cents", "checked_in_at"} <= set(book[0])
    assert all(a["starts_at"].startswith("2026-11-21T") and a["starts_at"].endswith("-06:00") for a in book)
    assert {"completed", "booked"} <= {a["status"] for a in book}
    assert salon(db_url, "db", "check").code == 0
    # demo clients are searchable: a typo of the first booked client's name finds them
    booked = next(a for a in book if a["client_id"] is not None)
    first, *rest = booked["client"].split()
    typo = " ".join([first[:-1], *rest])
    hits = json.loads(salon(db_url, "client", "search", typo, "-f", "json").stdout)
    assert booked["client_id"] in [h["id"] for h in hits[:5]], (typo, hits[:5])
    again = salon(db_url, "demo")
    assert again.code == 1 and "--force" in again.stderr
    forced = salon(db_url, "demo", "--force", "--clients", "10", "--days", "2", "-f", "json")
    assert forced.code == 0 and json.loads(forced.stdout)["clients"] == 10
