"""The client profile's parts (migration 0021) in `salon export clients` and `salon import clients`, on
SQLite and PostgreSQL (`db_url`): address in parts, second phone and e-mail, occupation, emergency
contact, gender and the preferred stylists in order (`preferred_staff`: staff codes, a list in JSON,
joined with ';' in CSV).

The export appends them after the columns it had; the import checks each as `client add` does (a bad
value names its row and column, exit 2, nothing written), reads them through `--map`, fills them in on
a client named by its code (an empty cell keeps what the desk gave it), and reads our own export back.

`tests/shop.py` gives the team (stylists ana and beto, manager marco, receptionist sofia; PINs 2222),
Ximena Jiménez (client 1, phone 5512345678) and Pedro Páramo (client 2). Clock: 2026-11-21 11:00 in
Mexico City.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from cli_helpers import INIT, MARCO, OWNER, SOFIA, js, ok, salon as run
from shop import make_shop

OLD_COLUMNS = ["id", "first_name", "last_name", "phone", "email", "birthday", "tags", "no_show_count",
               "deposit_required", "gender", "marketing_consent", "external_code", "created_at",
               "visits", "total_spent_cents", "first_visit", "last_visit", "notes"]
NEW_COLUMNS = ["street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
               "emergency_name", "emergency_phone", "preferred_staff"]
# what a round trip keeps: the client's own fields (ids, visit figures and instants are the database's)
PROFILE = ["first_name", "last_name", "phone", "email", "birthday", "tags", "gender", "marketing_consent",
           "external_code", *NEW_COLUMNS]
XIMENA = {"street": "Av. Juárez 10, int. 4", "city": "Ciudad de México", "state": "CDMX", "postal_code": "06050",
          "country": "MX", "phone2": "+525587654321", "email2": "xime.trabajo@example.com",
          "occupation": "Arquitecta", "emergency_name": "Luis Jiménez", "emergency_phone": "+525511112222",
          "preferred_staff": ["beto", "ana"]}
EMPTY = dict.fromkeys(NEW_COLUMNS[:-1]) | {"preferred_staff": []}


@pytest.fixture
def shop(salon, engine):
    make_shop(engine)
    return engine


def _profile(url: str) -> None:
    """Ximena's whole profile, as the desk gives it (Pedro has none)."""
    ok(url, *SOFIA, "client", "edit", "1", "--street", "Av. Juárez 10,  int. 4", "--city", "Ciudad de México",
       "--state", "CDMX", "--postal-code", "06050", "--country", "mx", "--phone2", "55 8765 4321",
       "--email2", "Xime.Trabajo@Example.com", "--occupation", "Arquitecta", "--emergency-name", "Luis Jiménez",
       "--emergency-phone", "5511112222", "--gender", "mujer")
    ok(url, *SOFIA, "client", "prefs", "1", "--staff", "beto", "--staff", "ana")


def _file(tmp_path, text: str, name: str = "clients.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _import(url: str, path: str, *args: str):
    return run(url, *SOFIA, "import", "clients", path, *args, "-f", "json")


def _state(engine) -> tuple:
    """What an import could write: clients, preferred stylists and audit rows (counts), and the profile columns."""
    with engine.connect() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                       for t in ("client", "client_preferred_staff", "client_tag", "audit_log"))
        rows = [tuple(r) for r in conn.execute(sa.text(
            "SELECT id, street, city, country, phone2, email2, gender FROM client ORDER BY id"))]
    return counts, rows


def _by_name(records: list[dict]) -> dict[str, dict]:
    return {r["first_name"]: r for r in records}


# ----------------------------------------------------------------------------- export

def test_export_appends_the_profile_columns_with_their_values(shop, db_url):
    _profile(db_url)
    text = ok(db_url, "export", "clients").stdout  # CSV by default; no actor: they are not gated
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(OLD_COLUMNS + NEW_COLUMNS)
    assert [{c: r[c] for c in NEW_COLUMNS + ["gender"]} for r in rows] == [
        {"street": "Av. Juárez 10, int. 4", "city": "Ciudad de México", "state": "CDMX", "postal_code": "06050",
         "country": "MX", "phone2": "+525587654321", "email2": "xime.trabajo@example.com", "occupation": "Arquitecta",
         "emergency_name": "Luis Jiménez", "emergency_phone": "+525511112222", "preferred_staff": "beto;ana",
         "gender": "female"},
        dict.fromkeys(NEW_COLUMNS + ["gender"], "")]
    doc = js(db_url, "export", "clients")
    assert [list(d) for d in doc] == [OLD_COLUMNS + NEW_COLUMNS] * 2
    assert [{c: d[c] for c in NEW_COLUMNS} for d in doc] == [XIMENA, EMPTY]
    ndjson = [json.loads(line) for line in ok(db_url, *SOFIA, "export", "clients", "-f", "ndjson").stdout.splitlines()]
    assert ndjson == doc  # a receptionist gets them too: contact details, not private notes


def test_preferred_stylists_follow_the_desk_order_and_deactivation(shop, db_url):
    _profile(db_url)
    ok(db_url, *SOFIA, "client", "prefs", "2", "--staff", "marco", "--staff", "beto", "--staff", "ana")
    ok(db_url, *OWNER, "staff", "deactivate", "beto")
    doc = js(db_url, "export", "clients")
    assert [d["preferred_staff"] for d in doc] == [["beto", "ana"], ["marco", "beto", "ana"]]
    rows = list(csv.DictReader(io.StringIO(ok(db_url, "export", "clients").stdout)))
    assert [r["preferred_staff"] for r in rows] == ["beto;ana", "marco;beto;ana"]


# ----------------------------------------------------------------------------- import

FULL = ("first_name,last_name,phone,street,city,state,postal_code,country,phone2,email2,occupation,"
        "emergency_name,emergency_phone,gender,preferred_staff\n"
        "Carla,Ruiz,5533334444,  Calle Luna   5 ,Puebla,Puebla,72000,es,+34 612 345 678,CARLA@Example.COM,"
        "Dentista,Rosa  Ruiz,55 4444 5555,hombre,Marco; ana\n"
        "Dora,Vega,5566667777,,,,,,,,,,,,\n")
CARLA = {"street": "Calle Luna 5", "city": "Puebla", "state": "Puebla", "postal_code": "72000", "country": "ES",
         "phone2": "+34612345678", "email2": "carla@example.com", "occupation": "Dentista",
         "emergency_name": "Rosa Ruiz", "emergency_phone": "+525544445555", "preferred_staff": ["marco", "ana"]}


def test_import_reads_each_profile_field_as_client_add_does(shop, db_url, tmp_path):
    summary = json.loads(_import(db_url, _file(tmp_path, FULL)).stdout)
    assert (summary["created"], summary["unchanged"]) == (2, 0)
    clients = _by_name(js(db_url, "export", "clients"))
    assert {c: clients["Carla"][c] for c in NEW_COLUMNS} == CARLA
    assert clients["Carla"]["gender"] == "male"
    assert {c: clients["Dora"][c] for c in NEW_COLUMNS} == EMPTY and clients["Dora"]["gender"] is None
    carla = clients["Carla"]["id"]
    prefs = js(db_url, "client", "prefs", str(carla))
    assert (prefs["preferred_staff"], prefs["preferred_staff_codes"]) == ("marco", ["marco", "ana"])
    log = js(db_url, "audit", "--entity", "client", "--id", str(carla))
    [added] = [e["after"] for e in log if e["action"] == "client.add"]
    assert {k: added[k] for k in ("street", "country", "phone2", "email2", "preferred_staff")} == {
        "street": "Calle Luna 5", "country": "ES", "phone2": "+34612345678", "email2": "carla@example.com",
        "preferred_staff": ["marco", "ana"]}


def test_map_reads_other_column_names_as_the_new_fields(shop, db_url, tmp_path):
    path = _file(tmp_path, "Nombre,Apellido,Calle,Ciudad,País,Tel2,Correo2,Oficio,Contacto,TelContacto,Estilistas\n"
                           "Carla,Ruiz,Calle Luna 5,Puebla,es,+34 612 345 678,carla@example.com,Dentista,Rosa Ruiz,"
                           "55 4444 5555,marco;ana\n")
    maps = ["--map", "Nombre=first_name", "--map", "Apellido=last_name", "--map", "Calle=street",
            "--map", "Ciudad=city", "--map", "País=country", "--map", "Tel2=phone2", "--map", "Correo2=email2",
            "--map", "Oficio=occupation", "--map", "Contacto=emergency_name", "--map", "TelContacto=emergency_phone",
            "--map", "Estilistas=preferred_staff"]
    without = _import(db_url, path)
    assert without.code == 2 and "row 1 column Calle: unknown column" in without.stderr
    assert json.loads(_import(db_url, path, *maps).stdout)["created"] == 1
    carla = _by_name(js(db_url, "export", "clients"))["Carla"]
    assert {c: carla[c] for c in NEW_COLUMNS} == {**CARLA, "state": None, "postal_code": None}


GOOD = "Carla,Ruiz,,,,,,,\n"
HEADER = "first_name,last_name,phone2,email2,country,gender,emergency_phone,postal_code,preferred_staff\n"
BAD = {
    "phone2": ("Dora,Vega,12,,,,,,", "row 3 column phone2: second phone: phone '12' has 2 digits after +52; "
                                     "numbers there have 10"),
    "email2": ("Dora,Vega,,dora@@example.com,,,,,", "row 3 column email2: second e-mail 'dora@@example.com' "
                                                    "is not an e-mail address"),
    "country": ("Dora,Vega,,,México,,,,", "row 3 column country: country 'México' is not an ISO 3166-1 country code"),
    "country code": ("Dora,Vega,,,XX,,,,", "row 3 column country: country 'XX' is not an ISO 3166-1 country code"),
    "gender": ("Dora,Vega,,,,alien,,,", "row 3 column gender: gender 'alien' is not one of female, male, "
                                        "non_binary, other"),
    "emergency phone": ("Dora,Vega,,,,,abc,,", "row 3 column emergency_phone: emergency phone: phone 'abc' is not "
                                               "a phone number"),
    "postal code": ("Dora,Vega,,,,,,12345678901234567,", "row 3 column postal_code: postal code is longer than 16 "
                                                         "characters"),
    "unknown stylist": ("Dora,Vega,,,,,,,ana;zoe", "row 3 column preferred_staff: no staff member 'zoe'"),
    "not a code": ("Dora,Vega,,,,,,,ana y beto", "row 3 column preferred_staff: staff code 'ana y beto' is not "
                                                 "valid: a code is 1 to 32 of a-z, 0-9, - and _, starting with a "
                                                 "letter or digit, and not only digits"),
}


def test_a_bad_value_names_its_row_and_column_and_nothing_is_written(shop, db_url, tmp_path):
    before = _state(shop)
    for case in sorted(BAD):  # one salon for every case: each import is refused whole
        line, fault = BAD[case]
        path = _file(tmp_path, HEADER + GOOD + line + "\n", name=case.replace(" ", "_") + ".csv")
        refused = _import(db_url, path)
        assert refused.code == 2 and refused.stdout == "", case
        assert f"error: import refused, nothing written: {fault} (read 2 rows, 1 refused)" in \
            refused.stderr.splitlines(), case
        assert _state(shop) == before
        dry = _import(db_url, path, "--dry-run")
        assert dry.code == 2
        plan = json.loads(dry.stdout)
        column, problem = fault.removeprefix("row 3 column ").split(": ", 1)
        assert [(p["row"], p["action"], p["reason"]) for p in plan] == [
            (2, "create", None), (3, "refuse", f"{column}: {problem}")], case
        assert _state(shop) == before


def test_every_bad_field_of_a_row_is_listed(shop, db_url, tmp_path):
    path = _file(tmp_path, HEADER + "Dora,Vega,12,x@@y,XX,alien,,,\n")
    before = _state(shop)
    refused = _import(db_url, path)
    assert refused.code == 2
    listed = [line.strip() for line in refused.stderr.splitlines() if line.startswith("  row")]
    assert [line.split(":")[0] for line in listed] == [
        "row 2 column gender", "row 2 column country", "row 2 column phone2", "row 2 column email2"]
    assert _state(shop) == before


def test_dry_run_plans_the_rows_and_writes_nothing(shop, db_url, tmp_path):
    before = _state(shop)
    dry = _import(db_url, _file(tmp_path, FULL), "--dry-run")
    assert dry.code == 0, dry.stderr
    assert json.loads(dry.stdout) == [
        {"row": 2, "action": "create", "record": "Carla Ruiz · +525533334444", "existing_id": None, "reason": None},
        {"row": 3, "action": "create", "record": "Dora Vega · +525566667777", "existing_id": None, "reason": None}]
    assert "dry run, nothing written: read 2 rows, would use 2: 2 new clients, 0 already here" in dry.stderr
    assert _state(shop) == before


# ----------------------------------------------------------------------------- re-import

BOOKINGS = ("external_id,client,service,staff,date,time,status\n"
            "K-1,PERA01,corte,ana,2026-10-02,10:00,completed\n"
            "K-2,LOPA02,tinte,beto,2026-10-05,11:00,completed\n")


def _by_code(url: str) -> dict[str, dict]:
    return {c["external_code"] or c["first_name"]: c for c in js(url, "export", "clients")}


def test_reimport_fills_in_clients_named_by_their_codes_and_leaves_the_others(shop, db_url, tmp_path):
    ok(db_url, *MARCO, "import", "appointments", _file(tmp_path, BOOKINGS, "b.csv"), "--create-missing")
    _profile(db_url)
    made = _by_code(db_url)
    pera, lopa = made["PERA01"]["id"], made["LOPA02"]["id"]
    # meanwhile the desk gives Pera a city and an occupation, and Lola a stylist
    ok(db_url, *SOFIA, "client", "edit", str(pera), "--city", "Puebla", "--occupation", "Abogada")
    ok(db_url, *SOFIA, "client", "prefs", str(lopa), "--staff", "beto")
    path = _file(tmp_path, "external_code,first_name,last_name,phone,street,city,country,phone2,occupation,"
                           "gender,preferred_staff\n"
                           "PERA01,Pera,Ramos,,Calle 5,,es,5522223333,,f,marco;ana\n"
                           "LOPA02,Lola,Pardo,,,,,,,,\n"
                           ",Ximena,Jiménez,5512345678,Otra 9,Oaxaca,CO,,Pintora,m,ana\n")
    before = _state(shop)
    plan = json.loads(_import(db_url, path, "--dry-run").stdout)
    assert [(p["action"], p["existing_id"]) for p in plan] == [("fill", pera), ("fill", lopa), ("match", 1)]
    assert _state(shop) == before
    summary = json.loads(_import(db_url, path).stdout)
    assert (summary["created"], summary["unchanged"], summary["filled"]) == (0, 1, 2)
    after = _by_code(db_url)
    assert {c: after["PERA01"][c] for c in NEW_COLUMNS + ["first_name", "gender"]} == {
        **EMPTY, "street": "Calle 5", "city": "Puebla", "country": "ES", "phone2": "+525522223333",
        "occupation": "Abogada", "preferred_staff": ["marco", "ana"], "first_name": "Pera", "gender": "female"}
    # an empty cell keeps the desk's stylist; a client already here is left as it is (an import never edits)
    assert {c: after["LOPA02"][c] for c in NEW_COLUMNS} == {**EMPTY, "preferred_staff": ["beto"]}
    assert {c: after["Ximena"][c] for c in NEW_COLUMNS} == XIMENA and after["Ximena"]["gender"] == "female"
    [edit] = [e for e in js(db_url, "audit", "--entity", "client", "--id", str(pera))
              if e["action"] == "client.edit" and e["after"].get("filled_in")]
    assert ({k: edit["before"][k] for k in ("street", "city", "preferred_staff")},
            {k: edit["after"][k] for k in ("street", "city", "preferred_staff")}) == (
        {"street": None, "city": "Puebla", "preferred_staff": []},
        {"street": "Calle 5", "city": "Puebla", "preferred_staff": ["marco", "ana"]})
    # the same file again: nothing left to fill in
    again = json.loads(_import(db_url, path).stdout)
    assert (again["created"], again["unchanged"], again["filled"]) == (0, 3, 0)
    assert _by_code(db_url) == after


# ----------------------------------------------------------------------------- round trip

def test_our_export_round_trips_into_an_empty_salon(shop, db_url, fresh_url, tmp_path):
    _profile(db_url)
    ok(db_url, *SOFIA, "client", "add", "--first", "Carla", "--last", "Ruiz", "--street", "Calle Luna 5",
       "--country", "es", "--phone2", "+34 612 345 678", "--gender", "no binario", "--external-code", "C-9")
    ok(db_url, *SOFIA, "client", "prefs", "3", "--staff", "marco")
    ok(db_url, *OWNER, "staff", "deactivate", "beto")  # still Ximena's first choice
    out = tmp_path / "clientes.csv"
    ok(db_url, "export", "clients", "--output", str(out))
    # the same file into the same salon: every row is here already
    assert json.loads(_import(db_url, str(out)).stdout)["unchanged"] == 3

    ok(fresh_url, *INIT)
    for code, role in (("marco", "manager"), ("sofia", "receptionist"), ("beto", "stylist"), ("ana", "stylist")):
        ok(fresh_url, *OWNER, "staff", "add", code.title(), "--code", code, "--role", role, "--pin", "2222")
    ok(fresh_url, *OWNER, "staff", "deactivate", "beto")
    summary = json.loads(_import(fresh_url, str(out)).stdout)
    assert (summary["created"], summary["unchanged"]) == (3, 0)

    def profile_rows(url: str) -> list[dict]:
        return [{c: r[c] for c in PROFILE} for r in csv.DictReader(io.StringIO(ok(url, "export", "clients").stdout))]

    assert profile_rows(fresh_url) == profile_rows(db_url)
    assert [{c: d[c] for c in NEW_COLUMNS} for d in js(fresh_url, "export", "clients")] == [
        XIMENA, EMPTY, {**EMPTY, "street": "Calle Luna 5", "country": "ES", "phone2": "+34612345678",
                        "preferred_staff": ["marco"]}]
