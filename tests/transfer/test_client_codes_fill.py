"""A clients file after a bookings file that named its clients only by codes, on SQLite and PostgreSQL
(`db_url`): the clients `--create-missing` made from the codes (named by them) are filled in by the
rows with those codes, names and all, searchable by their names; a real client with a code stays as it
is; a fill that would take someone else's phone is refused with nothing written.

The clock is Saturday 2026-11-21 11:00 in Mexico City. `tests/shop.py` gives the team (ana, beto; marco
a manager, sofia at the desk), corte and tinte, and Ximena (phone 5512345678).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import MARCO, SOFIA, salon as run
from shop import make_shop

BOOKINGS = ("external_id,client,service,staff,date,time,status\n"
            "K-1,PERA01,corte,ana,2026-10-02,10:00,completed\n"
            "K-2,LOPA02,tinte,beto,2026-10-05,11:00,completed\n"
            "K-3,PERA01,tinte,ana,2026-10-20,16:00,completed\n")
CLIENTS = ("external_code,first_name,last_name,phone,email,birthday,tags\n"
           "PERA01,Pera,Ramos,5511112222,pera@example.com,1990-04-03,color\n"
           "LOPA02,Lola,Pardo,,lola@example.com,,\n"
           "RUIZ03,Rosa,Ruiz,5533334444,,,\n"
           "NEW04,Nina,Nueva,,,,\n")


def _ok(result):
    assert result.code == 0, result.stderr
    return result


def _json(result):
    return json.loads(_ok(result).stdout)


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _rows(engine, query):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def _client(engine, code):
    [(cid, first, last, phone, email, birthday, external)] = _rows(
        engine, f"SELECT id, first_name, last_name, phone, email, birthday, external_code FROM client "
                f"WHERE external_code = '{code}'")
    return cid, first, last, phone, email, birthday and str(birthday), external


def test_a_client_file_fills_in_the_clients_made_from_codes(db_url, salon, engine, tmp_path):
    make_shop(engine)
    _ok(run(db_url, *MARCO, "import", "appointments", _file(tmp_path, "b.csv", BOOKINGS), "--create-missing"))
    pera, lopa = _client(engine, "PERA01"), _client(engine, "LOPA02")
    assert (pera[1:], lopa[1:3]) == (("PERA01", "", None, None, None, "PERA01"), ("LOPA02", ""))
    # meanwhile the desk tags one and gives the other a phone: still named by their codes
    _ok(run(db_url, *SOFIA, "client", "tag", str(pera[0]), "vip"))
    _ok(run(db_url, *SOFIA, "client", "edit", str(lopa[0]), "--phone", "5599998888"))
    _ok(run(db_url, *SOFIA, "client", "add", "--first", "Rosa", "--last", "Ruiz", "--external-code", "RUIZ03"))
    clients = _file(tmp_path, "clients.csv", CLIENTS)
    # a row whose phone is Ximena's is refused, and nothing is filled in
    taken = run(db_url, *SOFIA, "import", "clients",
                _file(tmp_path, "c0.csv", "external_code,first_name,last_name,phone\nPERA01,Pera,Ramos,5512345678\n"))
    assert taken.code == 2 and "row 2 column phone: +525512345678 is already on client" in taken.stderr
    assert _client(engine, "PERA01") == pera
    plan = _json(run(db_url, *SOFIA, "import", "clients", clients, "--dry-run", "-f", "json"))
    assert [(p["action"], p["existing_id"], p["reason"]) for p in plan] == [
        ("fill", pera[0], "fill in client PERA01, named by its code until now"),
        ("fill", lopa[0], "fill in client LOPA02, named by its code until now"),
        ("match", _client(engine, "RUIZ03")[0], None), ("create", None, None)]
    summary = _json(run(db_url, *SOFIA, "import", "clients", clients, "-f", "json"))
    assert (summary["created"], summary["unchanged"], summary["filled"]) == (1, 1, 2)
    assert [_client(engine, c)[1:] for c in ("PERA01", "LOPA02", "RUIZ03")] == [
        ("Pera", "Ramos", "+525511112222", "pera@example.com", "1990-04-03", "PERA01"),
        ("Lola", "Pardo", "+525599998888", "lola@example.com", None, "LOPA02"),  # the desk's phone kept
        ("Rosa", "Ruiz", None, None, None, "RUIZ03")]  # a real client: left as it is
    assert _rows(engine, f"SELECT tag FROM client_tag WHERE client_id = {pera[0]} ORDER BY tag") == [("color",), ("vip",)]
    # searched by the names they have now, not by the codes they were named by
    [hit, *_] = _json(run(db_url, "client", "search", "Lola Pardo", "-f", "json"))
    assert (hit["id"], hit["matched_on"]) == (lopa[0], "name")
    assert _rows(engine, f"SELECT kind, key FROM client_search_key WHERE client_id = {lopa[0]} ORDER BY kind, key") == [
        ("pair", "LOLA PARDO"), ("ph", "LOLA"), ("ph", "PARDO"), ("tok", "lola"), ("tok", "pardo")]  # LOPA's are gone
    edits = _rows(engine, "SELECT entity_id, after FROM audit_log WHERE action = 'client.edit' AND entity_id IN "
                          f"({pera[0]}, {lopa[0]}) ORDER BY id")
    filled = [(cid, a["first_name"], a["import_row"], a["filled_in"])
              for cid, a in ((cid, json.loads(a) if isinstance(a, str) else a) for cid, a in edits) if "import_row" in a]
    assert filled == [(pera[0], "Pera", 2, True), (lopa[0], "Lola", 3, True)]
    # the same file again: all four are here, named; nothing filled in twice
    again = _json(run(db_url, *SOFIA, "import", "clients", clients, "-f", "json"))
    assert (again["created"], again["unchanged"], again["filled"]) == (0, 4, 0)
    assert _rows(engine, "SELECT count(*) FROM client") == [(6,)]  # Ximena, Pedro, the two filled, Rosa, Nina
