"""Service and product lists as other systems export them, on SQLite and PostgreSQL (`db_url`): codes with
spaces, dots and symbols kept as the items' external codes beside valid codes derived from them, rows
without names or durations given what the dry run says, re-imports that create nothing twice, and
refusals of a code that say what a code may be.

`tests/shop.py` gives the menu `corte`, `tinte` and the product `shampoo`, and marco, a manager (PIN 2222).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import MARCO, salon as run
from salon_cli.core.codes import CODE_RULE
from shop import make_shop

MENU = (  # a spreadsheet's export: its own column names, codes as that system writes them
    "Código,Servicio,Duración,Precio\n"
    "SH UR 300,Short hair,30,300\n"
    "CUT+2,Cut two,45,350\n"
    "CUT 2,Cut two again,45,360\n"
    "COL 2,Colour,90,800\n"
    "A&B,,60,500\n"  # no name: named after its code
    "cut-2,Cut plain,30,250\n"  # a valid code: it keeps it, the derived ones step aside
    "101,Barba,,200\n"  # no duration: --default-duration
)
MENU_MAP = ["--map", "Código=code", "--map", "Servicio=name", "--map", "Duración=duration_min", "--map", "Precio=price"]


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


def test_codes_with_spaces_dots_and_symbols_are_kept_and_made_valid(db_url, salon, engine, tmp_path):
    make_shop(engine)
    menu = _file(tmp_path, "menu.csv", MENU)
    plan = _json(run(db_url, *MARCO, "import", "services", menu, *MENU_MAP, "--default-duration", "40",
                     "--dry-run", "-f", "json"))
    assert [(p["row"], p["action"], p["record"], p["reason"]) for p in plan] == [
        (2, "create", "sh-ur-300 (SH UR 300) Short hair, 30 min, 300.00", None),
        (3, "create", "cut-2-2 (CUT+2) Cut two, 45 min, 350.00", None),
        (4, "create", "cut-2-3 (CUT 2) Cut two again, 45 min, 360.00", None),
        (5, "create", "col-2 (COL 2) Colour, 90 min, 800.00", None),
        (6, "create", "a-b (A&B) A&B, 60 min, 500.00", "no name: named after its code A&B"),
        (7, "create", "cut-2 Cut plain, 30 min, 250.00", None),
        (8, "create", "s-101 (101) Barba, 40 min, 200.00", "no duration: 40 min (--default-duration)"),
    ]
    assert _rows(engine, "SELECT count(*) FROM service") == [(2,)]  # a dry run writes nothing
    _ok(run(db_url, *MARCO, "import", "services", menu, *MENU_MAP, "--default-duration", "40"))
    assert _rows(engine, "SELECT code, external_code, name, duration_min, price_cents FROM service "
                         "WHERE external_code IS NOT NULL ORDER BY id") == [
        ("sh-ur-300", "SH UR 300", "Short hair", 30, 30000), ("cut-2-2", "CUT+2", "Cut two", 45, 35000),
        ("cut-2-3", "CUT 2", "Cut two again", 45, 36000), ("col-2", "COL 2", "Colour", 90, 80000),
        ("a-b", "A&B", "A&B", 60, 50000), ("cut-2", "cut-2", "Cut plain", 30, 25000),
        ("s-101", "101", "Barba", 40, 20000)]
    [(after,)] = _rows(engine, "SELECT after FROM audit_log WHERE action = 'service.import'")
    after = json.loads(after) if isinstance(after, str) else after
    assert (after["created"], after["assumed"]) == (7, [
        {"row": 6, "code": "a-b", "external_code": "A&B", "notes": ["no name: named after its code A&B"]},
        {"row": 8, "code": "s-101", "external_code": "101", "notes": ["no duration: 40 min (--default-duration)"]}])
    # the same file again, and the code in another case and spacing under a name changed since: nothing twice
    again = _json(run(db_url, *MARCO, "import", "services", menu, *MENU_MAP, "--default-duration", "40", "-f", "json"))
    assert (again["created"], again["unchanged"]) == (0, 7)
    renamed = _json(run(db_url, *MARCO, "import", "services",
                        _file(tmp_path, "m2.csv", "code,name,duration_min,price\nsh  ur 300,Pelo corto,30,300\n"),
                        "-f", "json"))
    assert (renamed["created"], renamed["unchanged"]) == (0, 1)
    # the desk finds a service by the code the old system gave it
    assert _json(run(db_url, *MARCO, "service", "set", "SH UR 300", "--price", "310", "-f", "json"))["code"] == "sh-ur-300"
    products = "SKU,Product,Price\nOIL9.5ML,Oil 9.5 ml,180\nSH UR 300,,120\n2001,Cera,90\n"
    _ok(run(db_url, *MARCO, "import", "products", _file(tmp_path, "p.csv", products), "--map", "SKU=code",
            "--map", "Product=name", "--map", "Price=price"))
    assert _rows(engine, "SELECT code, external_code, name, price_cents FROM product WHERE external_code IS NOT NULL "
                         "ORDER BY id") == [
        ("oil9-5ml", "OIL9.5ML", "Oil 9.5 ml", 18000), ("sh-ur-300", "SH UR 300", "SH UR 300", 12000),
        ("p-2001", "2001", "Cera", 9000)]


def test_a_list_without_durations_takes_the_policy_slot_and_a_bad_code_says_what_a_code_is(db_url, salon, engine,
                                                                                          tmp_path):
    make_shop(engine)
    _ok(run(db_url, "--as", "lucia", "--pin", "1234", "policy", "set", "--slot", "20"))
    listing = _file(tmp_path, "list.csv", "code,price\nMANI 1,250\nPEDI.2,300\n")  # no names, no durations
    plan = _json(run(db_url, *MARCO, "import", "services", listing, "--dry-run", "-f", "json"))
    assert [(p["record"], p["reason"]) for p in plan] == [
        ("mani-1 (MANI 1) MANI 1, 20 min, 250.00", "no name: named after its code MANI 1; no duration: 20 min "
                                                   "(the policy's slot)"),
        ("pedi-2 (PEDI.2) PEDI.2, 20 min, 300.00", "no name: named after its code PEDI.2; no duration: 20 min "
                                                   "(the policy's slot)")]
    _ok(run(db_url, *MARCO, "import", "services", listing))
    assert _rows(engine, "SELECT code, name, duration_min FROM service WHERE external_code IS NOT NULL ORDER BY id") == [
        ("mani-1", "MANI 1", 20), ("pedi-2", "PEDI.2", 20)]
    # a file that gives neither a name nor a code, or a duration out of bounds, is refused
    bad = run(db_url, *MARCO, "import", "services", _file(tmp_path, "bad.csv", "code,name,price\n,,100\n"))
    assert bad.code == 2 and "row 2 column name: name is empty, and there is no code to name it after" in bad.stderr
    short = run(db_url, *MARCO, "import", "services", listing, "--default-duration", "3")
    assert short.code == 2 and "--default-duration 3 is not between 5 and 1440 minutes" in short.stderr
    # by hand, a code with a space is refused with the rule
    for args in (["service", "add", "Uñas", "--duration", "30", "--price", "100", "--code", "UN AS"],
                 ["staff", "add", "Eva", "--code", "e.va", "--role", "stylist", "--pin", "4321"]):
        refused = run(db_url, *MARCO, *args) if args[0] == "service" else run(db_url, "--as", "lucia", "--pin", "1234",
                                                                               *args)
        assert refused.code == 2 and CODE_RULE in refused.stderr, refused.stderr
    assert _rows(engine, "SELECT count(*) FROM service") == [(4,)]


def test_own_codes_derived_from_other_systems_codes():
    from salon_cli.core.codes import own_code, unique_code

    assert [own_code(c, "service") for c in ("SH UR 300", "OIL9.5ML", "CUT+2", "COL 2", "A&B", "womens-cut", "101",
                                             "#101", "Ñandú 1", "+++", "X" * 40)] == [
        "sh-ur-300", "oil9-5ml", "cut-2", "col-2", "a-b", "womens-cut", "s-101", "s-101", "nandu-1", "", "x" * 32]
    assert own_code("2001", "product") == "p-2001"
    assert unique_code("cut-2", {"cut-2", "cut-2-2"}) == "cut-2-3" and unique_code("a" * 32, {"a" * 32}) == "a" * 30 + "-2"
