"""`salon client note-edit | note-delete` and `client notes --type --private --author --since`, on SQLite
and PostgreSQL (`db_url`).

A note is corrected or removed by its author, or by a manager or the owner with their PIN, each audited
in the same transaction (who, and for a removal why); a private note is found only by who may read it,
and its body never reaches the audit log. Team: manager marco, receptionist sofia, stylists ana and
beto; owner lucia.
"""

from __future__ import annotations

import json

import pytest

from cli_helpers import INIT, OWNER, salon

ANA = ["--as", "ana", "--pin", "4444"]
BETO = ["--as", "beto", "--pin", "5555"]
SOFIA = ["--as", "sofia", "--pin", "3333"]
MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia"]
PRIVATE = "Alergia al amoníaco"
EDITED_PRIVATE = "Alergia al amoníaco y al PPD"


@pytest.fixture
def desk(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    for args in (["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
                 ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["staff", "add", "Beto Gómez", "--code", "beto", "--role", "stylist", "--pin", "5555"]):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return db_url


def _js(url, *args):
    run = salon(url, *args, "-f", "json")
    assert run.code == 0, (args, run.stderr)
    return json.loads(run.stdout)


def _client(url, first="Ximena"):
    return _js(url, *DESK, "client", "add", "--first", first, "--last", "Jiménez")["id"]


def _note(url, cid, who, *args):
    return _js(url, *who, "client", "note", str(cid), *args)["id"]


def _audit(url):
    return _js(url, "audit", "--limit", "1000")


def _all_notes(url, cid):
    return _js(url, *OWNER, "client", "notes", str(cid))


@pytest.fixture
def noted(desk):
    """Ximena with sofia's public note, ana's private medical note and beto's preference; Pedro with one."""
    cid = _client(desk)
    ids = {"sofia": _note(desk, cid, DESK, "Prefiere café sin azúcar"),
           "ana": _note(desk, cid, ANA, PRIVATE, "--type", "medical", "--private"),
           "beto": _note(desk, cid, BETO, "Le gusta el flequillo corto", "--type", "preference")}
    other = _client(desk, "Pedro")
    ids["pedro"] = _note(desk, other, DESK, "Viene los sábados")
    return desk, cid, other, ids


# ----------------------------------------------------------------------------- edit

def test_the_author_edits_a_note_and_the_audit_keeps_who_before_and_after(noted):
    url, cid, _, ids = noted
    edited = _js(url, *DESK, "client", "note-edit", str(cid), str(ids["sofia"]), "  Café con leche de avena  ")
    assert edited["body"] == "Café con leche de avena" and edited["author"] == "sofia"
    assert edited["edited_by"] == "sofia" and edited["edited_at"].endswith("-06:00")
    assert (edited["type"], edited["private"], edited["id"]) == ("general", False, ids["sofia"])
    listed = {n["id"]: n for n in _all_notes(url, cid)}
    assert listed[ids["sofia"]]["body"] == "Café con leche de avena"
    assert listed[ids["sofia"]]["edited_by"] == "sofia"
    assert listed[ids["beto"]]["edited_at"] is None and listed[ids["beto"]]["edited_by"] is None
    row = [e for e in _audit(url) if e["action"] == "client.note_edit"]
    assert len(row) == 1 and row[0]["actor"] == "sofia" and row[0]["entity"] == "client_note"
    assert row[0]["entity_id"] == ids["sofia"]
    assert row[0]["before"] == {"client_id": cid, "type": "general", "private": False, "author": "sofia",
                                "body": "Prefiere café sin azúcar"}
    assert row[0]["after"]["body"] == "Café con leche de avena"


def test_the_same_text_again_changes_nothing(noted):
    url, cid, _, ids = noted
    before = _audit(url)
    again = _js(url, *DESK, "client", "note-edit", str(cid), str(ids["sofia"]), "Prefiere café sin azúcar")
    assert again["edited_at"] is None and _audit(url) == before


def test_a_manager_with_the_pin_edits_anyones_note_the_desk_does_not(noted):
    url, cid, _, ids = noted
    before = (_audit(url), _all_notes(url, cid))
    refused = salon(url, *SOFIA, "client", "note-edit", str(cid), str(ids["beto"]), "otra cosa")
    assert refused.code == 3 and refused.stderr.startswith("error: sofia (receptionist) may not change a note written by beto")
    assert "hint:" in refused.stderr
    assert salon(url, *ANA, "client", "note-delete", str(cid), str(ids["beto"]), "--reason", "x").code == 3
    # a manager who does not prove it is a manager only by name
    assert salon(url, "--as", "marco", "client", "note-edit", str(cid), str(ids["beto"]), "otra cosa").code == 3
    assert (_audit(url), _all_notes(url, cid)) == before
    edited = _js(url, *MARCO, "client", "note-edit", str(cid), str(ids["beto"]), "Flequillo largo")
    assert (edited["author"], edited["edited_by"]) == ("beto", "marco")
    assert _js(url, *OWNER, "client", "note-edit", str(cid), str(ids["sofia"]), "Café solo")["edited_by"] == "lucia"


def test_bad_edits_are_refused_and_change_nothing(noted):
    url, cid, other, ids = noted
    before = (_audit(url), _all_notes(url, cid), _all_notes(url, other))
    cases = [
        (2, [*DESK, "client", "note-edit", str(cid), str(ids["sofia"]), "   "], "error: the note is empty"),
        (2, [*DESK, "client", "note-edit", str(cid), str(ids["sofia"]), "x" * 4001], "error: the note is longer"),
        (1, [*DESK, "client", "note-edit", str(cid), "9999", "hola"], f"error: client {cid} has no note 9999"),
        (1, [*DESK, "client", "note-edit", str(cid), str(ids["pedro"]), "hola"], f"error: client {cid} has no note"),
        (1, [*DESK, "client", "note-edit", "9999", str(ids["sofia"]), "hola"], "error: "),
        (2, [*DESK, "client", "note-edit", str(cid), "uno", "hola"], ""),
        (2, [*DESK, "client", "note-delete", str(cid), str(ids["sofia"])], ""),  # --reason is required
        (2, [*DESK, "client", "note-delete", str(cid), str(ids["sofia"]), "--reason", "  "], "error: say why"),
        (1, [*DESK, "client", "note-delete", str(cid), str(ids["pedro"]), "--reason", "x"], "error: client"),
        (1, [*MARCO, "client", "note-delete", str(cid), "9999", "--reason", "x"], "error: client"),
    ]
    for code, args, said in cases:
        run = salon(url, *args)
        assert run.code == code, (args, run.stderr)
        assert run.stderr.startswith(said), (args, run.stderr)
    assert (_audit(url), _all_notes(url, cid), _all_notes(url, other)) == before


# ----------------------------------------------------------------------------- private notes

def test_a_private_note_is_not_there_for_who_may_not_read_it(noted):
    url, cid, _, ids = noted
    before = (_audit(url), _all_notes(url, cid))
    for who in (SOFIA, DESK, BETO, ["--as", "ana"], ["--as", "marco"]):  # naming yourself is not proving it
        for args in (["note-edit", str(cid), str(ids["ana"]), "hola"],
                     ["note-delete", str(cid), str(ids["ana"]), "--reason", "x"]):
            run = salon(url, *who, "client", *args)
            assert run.code == 1, (who, args, run.stderr)
            assert run.stderr.startswith(f"error: client {cid} has no note {ids['ana']}")
            assert PRIVATE not in run.stdout + run.stderr
    assert (_audit(url), _all_notes(url, cid)) == before


def test_a_private_note_stays_private_in_the_audit(noted, tmp_path):
    url, cid, _, ids = noted
    edited = _js(url, *ANA, "client", "note-edit", str(cid), str(ids["ana"]), EDITED_PRIVATE)
    assert edited["body"] == EDITED_PRIVATE and edited["private"] is True
    _js(url, *MARCO, "client", "note-delete", str(cid), str(ids["ana"]), "--reason", "duplicada")
    log = _audit(url)
    edit = next(e for e in log if e["action"] == "client.note_edit")
    assert edit["before"] == {"client_id": cid, "type": "medical", "private": True, "author": "ana",
                              "length": len(PRIVATE)}
    assert edit["after"]["length"] == len(EDITED_PRIVATE) and "body" not in edit["after"]
    gone = next(e for e in log if e["action"] == "client.note_delete")
    assert gone["actor"] == "marco" and gone["after"] == {"reason": "duplicada"}
    assert gone["before"]["private"] is True and "body" not in gone["before"]
    assert (gone["before"]["type"], gone["before"]["author"]) == ("medical", "ana")
    everything = json.dumps(log, ensure_ascii=False)
    for fmt in ("csv", "json", "ndjson"):
        exported = salon(url, *OWNER, "export", "audit", "--format", fmt)
        assert exported.code == 0, exported.stderr
        everything += exported.stdout
    for table in (salon(url, *OWNER, "audit", "--limit", "1000"),):
        everything += table.stdout
    assert "amoníaco" not in everything and "PPD" not in everything
    assert "amon\\u00edaco" not in everything  # nor JSON-escaped


# ----------------------------------------------------------------------------- delete

def test_delete_removes_the_note_and_keeps_who_why_and_what(noted):
    url, cid, _, ids = noted
    run = salon(url, *DESK, "client", "note-delete", str(cid), str(ids["sofia"]), "--reason",
                "escrita en la clienta equivocada", "-f", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["body"] == "Prefiere café sin azúcar"
    assert f"note {ids['sofia']} removed from client {cid}" in run.stderr
    assert ids["sofia"] not in [n["id"] for n in _all_notes(url, cid)]
    row = next(e for e in _audit(url) if e["action"] == "client.note_delete")
    assert (row["actor"], row["entity"], row["entity_id"]) == ("sofia", "client_note", ids["sofia"])
    assert row["after"] == {"reason": "escrita en la clienta equivocada"}
    assert {k: row["before"][k] for k in ("client_id", "type", "private", "author", "body")} == {
        "client_id": cid, "type": "general", "private": False, "author": "sofia", "body": "Prefiere café sin azúcar"}
    assert row["before"]["created_at"].startswith("2026-11-21")
    again = salon(url, *DESK, "client", "note-delete", str(cid), str(ids["sofia"]), "--reason", "x")
    assert again.code == 1


def test_the_manager_deletes_anyones_note(noted):
    url, cid, _, ids = noted
    _js(url, *MARCO, "client", "note-delete", str(cid), str(ids["beto"]), "--reason", "no es cierto")
    assert sorted(n["author"] for n in _all_notes(url, cid)) == ["ana", "sofia"]


# ----------------------------------------------------------------------------- filters

def test_notes_filters(noted, clock):
    url, cid, _, ids = noted
    clock.advance(days=3)
    later = _note(url, cid, MARCO, "Queja por la espera", "--type", "complaint")
    every = _all_notes(url, cid)
    assert len(every) == 4 and every[0]["id"] == later  # newest first

    def shown(*args, who=OWNER):
        return [n["id"] for n in _js(url, *who, "client", "notes", str(cid), *args)]

    assert shown("--type", "medical") == [ids["ana"]]
    assert shown("--type", "Preference") == [ids["beto"]]
    assert shown("--private") == [ids["ana"]]
    assert shown("--author", "beto") == [ids["beto"]]
    assert shown("--author", "MARCO") == [later]
    assert shown("--since", "2026-11-24") == [later]
    assert shown("--since", "2026-11-21") == [n["id"] for n in every]
    assert shown("--since", "2026-11-22T00:00:00-06:00") == [later]
    assert shown("--type", "general", "--author", "sofia") == [ids["sofia"]]
    assert shown("--private", "--author", "sofia") == []
    # the desk sees no private note, filtered or not, and is told how many the filter held back
    desk_private = salon(url, *SOFIA, "client", "notes", str(cid), "--private", "-f", "json")
    assert json.loads(desk_private.stdout) == [] and "1 private note not shown" in desk_private.stderr
    assert PRIVATE not in desk_private.stdout
    assert shown("--type", "medical", who=SOFIA) == []
    assert shown("--author", "ana", who=ANA) == [ids["ana"]]
    for args, code in ((["--type", "gossip"], 2), (["--since", "21/11/2026"], 2), (["--author", "nadie"], 1)):
        run = salon(url, *OWNER, "client", "notes", str(cid), *args)
        assert run.code == code, (args, run.stderr)
        assert run.stderr.startswith("error: ")
