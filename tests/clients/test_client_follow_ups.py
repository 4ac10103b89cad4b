"""Follow-ups (`salon client follow-up | follow-ups | follow-up-done`): added for today or later, listed
soonest first, due today or overdue at the location's own today, closed once (done or cancelled),
audited without their note; refusals change nothing.

Every test runs on SQLite and on PostgreSQL (`db_url`). The clock is 2026-11-21 11:00 in
America/Mexico_City (17:00 UTC). Receptionist: sofia; stylist: ana.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from cli_helpers import INIT, OWNER, salon

SOFIA = ["--as", "sofia", "--pin", "3333"]
ANA = ["--as", "ana", "--pin", "4444"]
FIELDS = {"id", "client_id", "client", "due_on", "note", "status", "created_by", "created_at"}


@pytest.fixture
def desk(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    for args in (["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["client", "add", "--first", "Ximena", "--last", "Jiménez"],
                 ["client", "add", "--first", "Pedro", "--last", "Páramo"]):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return db_url


def _js(url, *args):
    run = salon(url, *args, "-f", "json")
    assert run.code == 0, (args, run.stderr)
    return json.loads(run.stdout)


def _add(url, client_id, on, note, who=SOFIA):
    return _js(url, *who, "client", "follow-up", str(client_id), "--on", on, "--note", note)


def _audit(url):
    return json.loads(salon(url, "audit", "--limit", "1000", "-f", "json").stdout)


def _rows(url):
    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT id, status, closed_by_id FROM client_follow_up ORDER BY id")).all()
    finally:
        engine.dispose()


def test_add_prints_the_follow_up_and_audits_it_without_its_note(desk):
    added = _add(desk, 1, "2026-11-28", "  Llamar: resultado de la prueba de alergia ")
    assert FIELDS <= set(added)
    assert (added["client_id"], added["client"], added["due_on"]) == (1, "Ximena Jiménez", "2026-11-28")
    assert (added["note"], added["status"], added["created_by"]) == ("Llamar: resultado de la prueba de alergia",
                                                                      "open", "sofia")
    assert added["created_at"] == "2026-11-21T11:00:00-06:00" and added["closed_at"] is None
    entry = [e for e in _audit(desk) if e["entity"] == "client_follow_up"]
    assert [(e["action"], e["entity_id"], e["actor"]) for e in entry] == [("client.follow_up", added["id"], "sofia")]
    assert "alergia" not in json.dumps(entry)
    # today is allowed (the location's today), and the table shows it
    assert _add(desk, 2, "2026-11-21", "Retoque de color")["due_on"] == "2026-11-21"
    table = salon(desk, "client", "follow-ups")
    assert table.code == 0 and "Retoque de color" in table.stdout and "Pedro Páramo" in table.stdout


def test_open_ones_soonest_first_and_due_means_today_or_overdue(desk, clock):
    week = _add(desk, 1, "2026-11-28", "Retoque de raíz")
    today = _add(desk, 2, "2026-11-21", "Llamar para reagendar")
    tomorrow = _add(desk, 1, "2026-11-22", "Resultado de la prueba")
    assert [f["id"] for f in _js(desk, "client", "follow-ups")] == [today["id"], tomorrow["id"], week["id"]]
    assert [f["id"] for f in _js(desk, "client", "follow-ups", "--due")] == [today["id"]]
    assert [f["id"] for f in _js(desk, "client", "follow-ups", "--client", "1")] == [tomorrow["id"], week["id"]]
    # 23:59 in Mexico City is still the 21st (05:59 UTC on the 22nd): tomorrow's is not due yet
    clock.set(datetime(2026, 11, 22, 5, 59, tzinfo=timezone.utc))
    assert [f["id"] for f in _js(desk, "client", "follow-ups", "--due")] == [today["id"]]
    clock.set(datetime(2026, 11, 22, 6, 0, tzinfo=timezone.utc))
    assert [f["id"] for f in _js(desk, "client", "follow-ups", "--due")] == [today["id"], tomorrow["id"]]
    # the other formats carry the same records
    nd = [json.loads(line) for line in salon(desk, "client", "follow-ups", "--due", "-f", "ndjson").stdout.splitlines()]
    assert [f["id"] for f in nd] == [today["id"], tomorrow["id"]]
    rows = list(csv.DictReader(io.StringIO(salon(desk, "client", "follow-ups", "--due", "-f", "csv").stdout)))
    assert [r["note"] for r in rows] == ["Llamar para reagendar", "Resultado de la prueba"]
    assert FIELDS <= set(rows[0])


def test_done_and_cancel_close_once_and_are_audited(desk):
    first = _add(desk, 1, "2026-11-21", "Llamar")
    second = _add(desk, 2, "2026-11-23", "Retoque")
    done = _js(desk, *SOFIA, "client", "follow-up-done", str(first["id"]))
    assert (done["status"], done["closed_by"], done["closed_at"]) == ("done", "sofia", "2026-11-21T11:00:00-06:00")
    cancelled = _js(desk, *ANA, "client", "follow-up-done", str(second["id"]), "--cancel")
    assert (cancelled["status"], cancelled["closed_by"]) == ("cancelled", "ana")
    assert _js(desk, "client", "follow-ups") == []
    assert {f["id"]: f["status"] for f in _js(desk, "client", "follow-ups", "--all")} == {
        first["id"]: "done", second["id"]: "cancelled"}
    actions = [(e["action"], e["entity_id"]) for e in _audit(desk) if e["entity"] == "client_follow_up"]
    assert ("client.follow_up.done", first["id"]) in actions and ("client.follow_up.cancel", second["id"]) in actions
    # closing a closed one is refused, and changes nothing
    before, rows = _audit(desk), _rows(desk)
    for args in ([str(first["id"])], [str(first["id"]), "--cancel"], [str(second["id"])]):
        run = salon(desk, *SOFIA, "client", "follow-up-done", *args)
        assert run.code == 1, args
        assert run.stderr.startswith(f"error: follow-up {args[0]} is already ")
    missing = salon(desk, *SOFIA, "client", "follow-up-done", "999")
    assert missing.code == 1 and missing.stderr.startswith("error: no follow-up 999")
    assert _audit(desk) == before and _rows(desk) == rows


@pytest.mark.parametrize(("args", "code", "says"), [
    (["1", "--on", "2026-13-01", "--note", "x"], 2, "error: --on '2026-13-01' is not a date"),
    (["1", "--on", "tomorrow", "--note", "x"], 2, "error: --on 'tomorrow' is not a date"),
    (["1", "--on", "2026-11-20", "--note", "x"], 1, "error: 2026-11-20 has already passed (today is 2026-11-21)"),
    (["1", "--on", "2026-11-28", "--note", "   "], 2, "error: the follow-up's note is empty"),
    (["1", "--on", "2026-11-28", "--note", "x" * 1001], 2, "error: the follow-up's note is longer than 1000"),
    (["99", "--on", "2026-11-28", "--note", "x"], 1, "error: no client 99"),
    (["abc", "--on", "2026-11-28", "--note", "x"], 2, ""),
])
def test_bad_input_and_refusals_change_nothing(desk, args, code, says):
    before = _audit(desk)
    run = salon(desk, *SOFIA, "client", "follow-up", *args)
    assert run.code == code, run.stderr
    assert run.stderr.startswith(says)
    assert _audit(desk) == before and _rows(desk) == []


def test_merged_and_erased_clients_take_no_follow_up(desk):
    assert salon(desk, *OWNER, "client", "merge", "1", "2").code == 0
    merged = salon(desk, *SOFIA, "client", "follow-up", "2", "--on", "2026-11-28", "--note", "x")
    assert merged.code == 1 and merged.stderr.startswith("error: client 2 was merged into client 1")
    from salon_cli.db.engine import make_engine

    engine = make_engine(desk)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE client SET erased_at = :at WHERE id = 1"),
                     {"at": datetime(2026, 11, 21, 16, 0, tzinfo=timezone.utc)})
    engine.dispose()
    erased = salon(desk, *SOFIA, "client", "follow-up", "1", "--on", "2026-11-28", "--note", "x")
    assert erased.code == 1 and erased.stderr.startswith("error: client 1 was erased")
    assert _rows(desk) == []


def test_who_may_add_and_close(desk):
    # the desk's permission (as for client notes): a receptionist and a stylist may both add and close
    by_desk = _add(desk, 1, "2026-11-22", "Llamar", who=SOFIA)
    by_stylist = _add(desk, 1, "2026-11-22", "Prueba de mechón", who=ANA)
    assert (by_desk["created_by"], by_stylist["created_by"]) == ("sofia", "ana")
    before, rows = _audit(desk), _rows(desk)
    # nobody named (no desk actor in the policy), a wrong PIN, an unknown member: exit 3, nothing changed
    for who in ([], ["--as", "sofia", "--pin", "0000"], ["--as", "nadie"]):
        run = salon(desk, *who, "client", "follow-up", "1", "--on", "2026-11-22", "--note", "x")
        assert run.code == 3, (who, run.stderr)
        run = salon(desk, *who, "client", "follow-up-done", str(by_desk["id"]))
        assert run.code == 3, (who, run.stderr)
    assert _rows(desk) == rows
    assert [e for e in _audit(desk) if e["entity"] == "client_follow_up"] == [
        e for e in before if e["entity"] == "client_follow_up"]


def test_list_of_an_unknown_client_is_not_found(desk):
    run = salon(desk, "client", "follow-ups", "--client", "99")
    assert run.code == 1 and run.stderr.startswith("error: no client 99")


@pytest.mark.parametrize("command", ["follow-up", "follow-ups", "follow-up-done"])
def test_help_has_an_example(command):
    run = salon(None, "client", command, "--help")
    assert run.code == 0 and "Example: salon" in run.stdout


def test_the_count_and_list_through_the_service(desk, clock):
    """What the dashboard reads: the due count at the location's today."""
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import follow_ups
    from salon_cli.services.salon import locations

    _add(desk, 1, "2026-11-21", "hoy")
    _add(desk, 2, "2026-11-22", "mañana")
    engine = make_engine(desk)
    try:
        with UnitOfWork(engine, write=False) as uow:
            loc = locations.resolve(uow.session, None)
            assert follow_ups.due_count(uow.session, location=loc) == 1
        clock.set(datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc))
        with UnitOfWork(engine, write=False) as uow:
            assert follow_ups.due_count(uow.session, location=loc) == 2
            assert [f.note for f in follow_ups.follow_ups(uow.session, location=loc, due=True)] == ["hoy", "mañana"]
    finally:
        engine.dispose()
