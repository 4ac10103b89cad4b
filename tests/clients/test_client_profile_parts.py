"""The client's profile in parts (issue 30): address, a second phone and e-mail, occupation, emergency
contact, gender from a short list, and several preferred stylists in order; merge keeps them.

Every test runs on SQLite and on PostgreSQL (`db_url`). The salon is in America/Mexico_City (national
numbers are Mexican). Stylists: ana, beto; receptionist: sofia; manager: marco; owner: lucia.
"""

from __future__ import annotations

import json

import pytest

from cli_helpers import INIT, OWNER, salon

DESK = ["--as", "sofia"]
MARCO = ["--as", "marco", "--pin", "2222"]
PARTS = ("street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
         "emergency_name", "emergency_phone", "gender")


@pytest.fixture
def desk(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    for args in (
        ["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
        ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
        ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
        ["staff", "add", "Beto Gómez", "--code", "beto", "--role", "stylist", "--pin", "5555"],
        ["staff", "add", "Carla Vega", "--code", "carla", "--role", "stylist", "--pin", "6666"],
    ):
        run = salon(db_url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return db_url


def _json(url, *args):
    run = salon(url, *args, "-f", "json")
    assert run.code == 0, (args, run.stderr)
    return json.loads(run.stdout)


def _add(url, *args):
    return _json(url, *DESK, "client", "add", *args)


def _client_row(url, cid):
    """The client's columns straight from the database (what the JSON says is what is stored)."""
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT * FROM client WHERE id = :i"), {"i": cid}).mappings().one())
    finally:
        engine.dispose()


def _audit_count(url):
    return len(_json(url, "audit", "--limit", "10000"))


def test_add_show_and_edit_every_part(desk):
    added = _add(desk, "--first", "Ximena", "--last", "Jiménez", "--street", "  Av. Juárez   10, int. 3 ",
                 "--city", "Ciudad de México", "--state", "CDMX", "--postal-code", "06050", "--country", "mx",
                 "--phone2", "55-8765-4321", "--email2", "Xime@Trabajo.MX", "--occupation", "Arquitecta",
                 "--emergency-name", "Rosa Jiménez", "--emergency-phone", "(55) 1111 2222", "--gender", "Mujer")
    assert {k: added[k] for k in PARTS} == {
        "street": "Av. Juárez 10, int. 3", "city": "Ciudad de México", "state": "CDMX", "postal_code": "06050",
        "country": "MX", "phone2": "+525587654321", "email2": "xime@trabajo.mx", "occupation": "Arquitecta",
        "emergency_name": "Rosa Jiménez", "emergency_phone": "+525511112222", "gender": "female"}
    cid = added["id"]
    row = _client_row(desk, cid)
    assert {k: row[k] for k in PARTS} == {k: added[k] for k in PARTS}
    assert "address" not in row and "emergency_contact" not in row  # the old one-line columns are gone

    card = _json(desk, "client", "show", str(cid))
    assert {k: card[k] for k in PARTS} == {k: added[k] for k in PARTS}
    table = salon(desk, "client", "show", str(cid))
    assert table.code == 0 and "Av. Juárez 10, int. 3" in table.stdout and "+525511112222" in table.stdout

    edited = _json(desk, *DESK, "client", "edit", str(cid), "--city", "Guadalajara", "--state", "Jalisco",
                   "--country", "MX", "--phone2", "+34 612 345 678", "--gender", "no binario", "--occupation", "")
    assert (edited["city"], edited["state"], edited["phone2"], edited["gender"], edited["occupation"]) == (
        "Guadalajara", "Jalisco", "+34612345678", "non_binary", None)
    assert edited["street"] == "Av. Juárez 10, int. 3"  # not given: left alone
    log = _json(desk, "audit", "--entity", "client", "--limit", "10")
    assert log[0]["action"] == "client.edit" and log[0]["before"]["city"] == "Ciudad de México"
    assert log[0]["after"]["city"] == "Guadalajara"

    cleared = _json(desk, *DESK, "client", "edit", str(cid), *(x for p in PARTS for x in (f"--{p.replace('_', '-')}", "")))
    assert all(cleared[p] is None for p in PARTS)
    assert all(_client_row(desk, cid)[p] is None for p in PARTS)


GENDER_SPELLINGS = [
    ("f", "female"), ("F", "female"), ("femenino", "female"), ("MUJER", "female"), ("female", "female"),
    ("m", "male"), ("hombre", "male"), ("Masculino", "male"), ("No binario", "non_binary"),
    ("non_binary", "non_binary"), ("other", "other"), ("otro", "other"),
]


def test_gender_spellings_and_unset(desk):
    for typed, stored in GENDER_SPELLINGS:
        assert _add(desk, "--first", "Alex", "--last", typed, "--gender", typed)["gender"] == stored, typed
    assert _add(desk, "--first", "Sam", "--last", "Ruiz")["gender"] is None


def test_gender_check_unit():
    from salon_cli.core.errors import InvalidInput
    from salon_cli.services.clients.profile_fields import check_country, check_gender

    assert [check_gender(t) for t, _ in GENDER_SPELLINGS] == [s for _, s in GENDER_SPELLINGS]
    assert check_gender("  ") is None and check_country(" es ") == "ES" and check_country("") is None
    with pytest.raises(InvalidInput) as refused:
        check_gender("robot")
    assert refused.value.exit_code == 2


def test_refusals_name_the_problem_and_change_nothing(desk):
    cid = _add(desk, "--first", "Ana", "--last", "Ruiz", "--city", "Puebla")["id"]
    before, audited = _client_row(desk, cid), _audit_count(desk)
    for args, first_line in (
        (["--gender", "mujerr"], "error: gender 'mujerr' is not one of female, male, non_binary, other"),
        (["--gender", "x"], "error: gender 'x' is not one of female, male, non_binary, other"),
        (["--country", "XX"], "error: country 'XX' is not an ISO 3166-1 country code"),
        (["--country", "Mexico"], "error: country 'Mexico' is not an ISO 3166-1 country code"),
        (["--country", "ZZ"], "error: country 'ZZ' is not an ISO 3166-1 country code"),
        (["--phone2", "55 1234"], "error: second phone: phone '55 1234'"),
        (["--phone2", "call me"], "error: second phone: phone 'call me'"),
        (["--emergency-phone", "12345678901234567"], "error: emergency phone: phone '12345678901234567'"),
        (["--email2", "ana@"], "error: second e-mail 'ana@' is not an e-mail address"),
        (["--postal-code", "1" * 17], "error: postal code is longer than 16 characters"),
        (["--city", "Puebla de Zaragoza", "--state", "x" * 81], "error: state is longer than 80 characters"),
    ):
        run = salon(desk, *DESK, "client", "edit", str(cid), *args)
        assert run.code == 2, (args, run.stderr)
        assert run.stderr.splitlines()[0].startswith(first_line), run.stderr
    run = salon(desk, *DESK, "client", "add", "--first", "Bea", "--last", "Ruiz", "--gender", "robot")
    assert run.code == 2 and "female, male, non_binary, other" in run.stderr
    assert _client_row(desk, cid) == before and _audit_count(desk) == audited
    assert len(_json(desk, "client", "list")) == 1


def test_preferred_stylists_in_order_set_reorder_clear(desk):
    cid = _add(desk, "--first", "Ana", "--last", "López")["id"]
    prefs = _json(desk, *DESK, "client", "prefs", str(cid), "--staff", "ana", "--staff", "marco", "--staff", "beto")
    assert prefs["preferred_staff_codes"] == ["ana", "marco", "beto"] and prefs["preferred_staff"] == "ana"
    assert _json(desk, "client", "show", str(cid))["prefs"]["preferred_staff_codes"] == ["ana", "marco", "beto"]

    reordered = _json(desk, *DESK, "client", "prefs", str(cid), "--staff", "beto", "--staff", "ana")
    assert reordered["preferred_staff_codes"] == ["beto", "ana"] and reordered["preferred_staff"] == "beto"
    # other preferences leave the stylists alone
    assert _json(desk, *DESK, "client", "prefs", str(cid), "--reminder", "1h")["preferred_staff_codes"] == ["beto", "ana"]
    entry = _json(desk, "audit", "--entity", "client", "--limit", "5")[1]
    assert entry["action"] == "client.prefs" and entry["after"]["preferred_staff_ids"] != entry["before"]["preferred_staff_ids"]

    # a deactivated stylist is refused (exit 1), nothing changes
    assert salon(desk, *OWNER, "staff", "deactivate", "carla").code == 0
    run = salon(desk, *DESK, "client", "prefs", str(cid), "--staff", "ana", "--staff", "carla")
    assert run.code == 1 and run.stderr.startswith("error: staff member carla is deactivated")
    run = salon(desk, *DESK, "client", "prefs", str(cid), "--staff", "nadie")
    assert run.code == 1
    assert _json(desk, "client", "prefs", str(cid))["preferred_staff_codes"] == ["beto", "ana"]

    cleared = _json(desk, *DESK, "client", "prefs", str(cid), "--staff", "")
    assert (cleared["preferred_staff_codes"], cleared["preferred_staff"]) == ([], None)
    assert cleared["reminder"] == "1h"


def test_merge_keeps_the_parts_and_the_stylists(desk):
    keep = _add(desk, "--first", "Ximena", "--last", "Jiménez", "--city", "Puebla")["id"]
    dup = _add(desk, "--first", "Jimena", "--last", "Giménez", "--city", "Oaxaca", "--street", "Calle 5",
               "--country", "MX", "--phone2", "55 2222 3333", "--email2", "j@example.com", "--occupation", "Chef",
               "--emergency-name", "Luis", "--emergency-phone", "55 4444 5555", "--gender", "f")["id"]
    assert salon(desk, *DESK, "client", "prefs", str(dup), "--staff", "beto", "--staff", "ana").code == 0
    run = salon(desk, *MARCO, "client", "merge", str(keep), str(dup))
    assert run.code == 0, run.stderr
    kept = _json(desk, "client", "show", str(keep))
    assert kept["city"] == "Puebla"  # the kept client's own value wins
    assert (kept["street"], kept["country"], kept["phone2"], kept["email2"], kept["occupation"]) == (
        "Calle 5", "MX", "+525522223333", "j@example.com", "Chef")
    assert (kept["emergency_name"], kept["emergency_phone"], kept["gender"]) == ("Luis", "+525544445555", "female")
    assert kept["prefs"]["preferred_staff_codes"] == ["beto", "ana"]
