"""`salon import clients` and `salon export clients`, on SQLite and PostgreSQL (`db_url`).

Imports are all or nothing and name the row and column at fault; re-importing creates nothing
twice; exports stream, default to CSV, and never carry a private note unless the owner or a manager
asks with --include-private and their PIN. Team: manager marco, receptionist sofia, stylist ana;
owner lucia.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from cli_helpers import INIT, OWNER, salon

SOFIA = ["--as", "sofia", "--pin", "3333"]
MARCO = ["--as", "marco", "--pin", "2222"]
ANA = ["--as", "ana", "--pin", "4444"]
DESK = ["--as", "sofia"]
EXPORT_COLUMNS = ["id", "first_name", "last_name", "phone", "email", "birthday", "tags", "no_show_count",
                  "deposit_required", "gender", "marketing_consent", "external_code", "created_at",
                  "visits", "total_spent_cents", "first_visit", "last_visit", "notes",
                  # the profile's parts (migration 0021), appended (tests/transfer/test_client_profile_transfer.py)
                  "street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
                  "emergency_name", "emergency_phone", "preferred_staff"]
PROFILE = ("first_name", "last_name", "phone", "email", "birthday", "tags", "gender", "marketing_consent",
           "external_code", "no_show_count", "deposit_required")


def _init(url):
    assert salon(url, *INIT).code == 0
    for args in (["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
                 ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"]):
        run = salon(url, *OWNER, *args)
        assert run.code == 0, run.stderr
    return url


@pytest.fixture
def desk(db_url, clock):
    return _init(db_url)


def _import(url, path_or_dash, *args, who=DESK, input=None):
    return salon(url, *who, "import", "clients", str(path_or_dash), *args, "-f", "json", input=input)


def _imported(url, path, *args, **kw):
    run = _import(url, path, *args, **kw)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def _write(tmp_path, text, name="clients.csv", *, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _export(url, *args, who=()):
    run = salon(url, *who, "export", "clients", *args)
    assert run.code == 0, run.stderr
    return run


def _clients(url):
    return json.loads(_export(url, "-f", "json").stdout)


def _counts(url):
    """(live clients, audit rows) straight from the database."""
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        return (conn.execute(sa.text("SELECT count(*) FROM client")).scalar_one(),
                conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one())


def _search(url, query):
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import search as client_search

    with UnitOfWork(make_engine(url), write=False) as uow:
        return client_search.search(uow.session, query)


def _add(url, *args):
    run = salon(url, *DESK, "client", "add", *args, "-f", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)["id"]


# ----------------------------------------------------------------------------- import

def test_round_trip_export_then_import_into_a_fresh_database(desk, fresh_url, tmp_path):
    _add(desk, "--first", "Ximena", "--last", "Jiménez Ruiz", "--phone", "55 1234 5678", "--email",
         "ximena@example.com", "--birthday", "1990-04-12", "--tag", "vip", "--tag", "novia", "--gender", "f",
         "--external-code", "OLD-1", "--marketing-consent")
    cid = _add(desk, "--first", "José \"Pepe\"", "--last", "O'Brien, Jr.", "--email", "pepe@example.com")
    _add(desk, "--first", "Luz", "--last", "Sin Datos")
    assert salon(desk, *SOFIA, "client", "note", str(cid), "Corte; corto | muy corto\nsegunda línea").code == 0
    exported = _export(desk, "--output", str(tmp_path / "out.csv"))
    assert exported.stdout == "" and f"exported 3 clients to {tmp_path / 'out.csv'}" in exported.stderr

    _init(fresh_url)
    summary = _imported(fresh_url, tmp_path / "out.csv")
    assert summary == {"rows_read": 3, "rows_used": 3, "created": 3, "unchanged": 0,
                       "dry_run": False, "refused": 0, "filled": 0}
    before = sorted((tuple(c[f] for f in PROFILE) for c in _clients(desk)), key=str)
    after = sorted((tuple(c[f] for f in PROFILE) for c in _clients(fresh_url)), key=str)
    assert after == before
    # imported clients are found by the search box like any other
    assert [(h.first_name, h.phone) for h in _search(fresh_url, "Ximena Gimenes")][:1] == [("Ximena", "+525512345678")]
    # and importing the same export again creates nothing twice
    again = _imported(fresh_url, tmp_path / "out.csv")
    assert again == {"rows_read": 3, "rows_used": 3, "created": 0, "unchanged": 3,
                     "dry_run": False, "refused": 0, "filled": 0}
    assert _counts(fresh_url)[0] == 3


def test_bom_crlf_and_quoted_newlines(desk, tmp_path):
    path = _write(tmp_path, '\ufefffirst_name,last_name,email,tags\r\n'
                            '"Ana","Muñoz","ANA@X.MX","vip, novia"\r\n'
                            '"María ""Mary""","Ibáñez\r\nPérez",,alergia-tinte\r\n')
    assert _imported(desk, path)["created"] == 2
    ana, mary = _clients(desk)
    assert (ana["first_name"], ana["email"], ana["tags"]) == ("Ana", "ana@x.mx", ["novia", "vip"])
    assert (mary["first_name"], mary["last_name"], mary["tags"]) == ('María "Mary"', "Ibáñez Pérez", ["alergia-tinte"])


def test_spanish_headers_mapped_and_day_first_dates(desk, tmp_path):
    path = _write(tmp_path, "Nombre,Apellido,Teléfono,Correo,Cumpleaños\n"
                            "Ximena,Giménez,55 1234 5678,xg@example.com,12/04/1990\n"
                            "Luis,Vázquez,+34 612 345 678,,01/12/1985\n")
    maps = ["--map", "Nombre=first_name", "--map", "Apellido=last_name", "--map", "Teléfono=phone",
            "--map", "Correo=email", "--map", "Cumpleaños=birthday", "--date-format", "%d/%m/%Y"]
    assert _imported(desk, path, *maps)["created"] == 2
    rows = _clients(desk)
    assert [(c["last_name"], c["phone"], c["birthday"]) for c in rows] == [
        ("Giménez", "+525512345678", "1990-04-12"), ("Vázquez", "+34612345678", "1985-12-01")]
    # without the mapping the Spanish headers are unknown columns
    run = _import(desk, path)
    assert run.code == 2 and "row 1 column Nombre: unknown column" in run.stderr


def test_stdin_is_read_with_a_dash(desk):
    text = "first_name,last_name,phone\nAna,López,5512345678\nBeto,Gómez,5587654321\n"
    assert _imported(desk, "-", input=text) == {"rows_read": 2, "rows_used": 2, "created": 2, "unchanged": 0,
                                                "dry_run": False, "refused": 0, "filled": 0}
    assert [c["first_name"] for c in _clients(desk)] == ["Ana", "Beto"]
    log = json.loads(salon(desk, "audit", "--entity", "client", "-f", "json").stdout)
    imports = [e for e in log if e["action"] == "client.import"]
    assert [e["after"] for e in imports] == [{"rows": 2, "created": 2, "unchanged": 0, "filled": 0, "source": "stdin"}]
    assert sorted(e["actor"] for e in log if e["action"] == "client.add") == ["sofia", "sofia"]


def test_dry_run_counts_and_writes_nothing(desk, tmp_path):
    _add(desk, "--first", "Ana", "--last", "López", "--phone", "5512345678")
    path = _write(tmp_path, "first_name,last_name,phone\nAna,López,55 1234 5678\nBeto,Gómez,5587654321\n")
    before = _counts(desk)
    run = _import(desk, path, "--dry-run")
    assert run.code == 0, run.stderr
    ana = json.loads(salon(desk, "client", "search", "ana", "-f", "json").stdout)[0]["id"]
    assert json.loads(run.stdout) == [
        {"row": 2, "action": "match", "record": "Ana López · +525512345678", "existing_id": ana, "reason": None},
        {"row": 3, "action": "create", "record": "Beto Gómez · +525587654321", "existing_id": None, "reason": None}]
    assert "dry run, nothing written: read 2 rows, would use 2: 1 new client, 1 already here" in run.stderr
    assert _counts(desk) == before


def test_reimport_creates_nothing_twice(desk, tmp_path):
    path = _write(tmp_path, "external_code,first_name,last_name,phone,email\n"
                            "C1,Ana,López,5512345678,ana@example.com\n"
                            "C2,Beto,Gómez,,beto@example.com\n"
                            ",Carla,Ruiz,5511112222,\n"
                            ",Dora,Sin Contacto,,\n")
    assert _imported(desk, path)["created"] == 4
    before = _counts(desk)
    assert _imported(desk, path) == {"rows_read": 4, "rows_used": 4, "created": 0, "unchanged": 4,
                                     "dry_run": False, "refused": 0, "filled": 0}
    assert _counts(desk)[0] == before[0]
    # matched by external code first (even with a new phone), then phone, then e-mail: still nothing new
    edited = _write(tmp_path, "external_code,first_name,last_name,phone,email\n"
                              "C1,Ana,López,5599998888,\n"
                              ",Carla,Ruiz,55 1111 2222,carla@example.com\n"
                              ",Beto,Gómez,,BETO@example.com\n"
                              ",Eva,Nueva,,\n", name="edited.csv")
    assert _imported(desk, edited) == {"rows_read": 4, "rows_used": 4, "created": 1, "unchanged": 3,
                                       "dry_run": False, "refused": 0, "filled": 0}
    assert _counts(desk)[0] == before[0] + 1
    ana = _clients(desk)[0]
    assert (ana["phone"], ana["email"]) == ("+525512345678", "ana@example.com")  # an import never edits


def test_someone_elses_phone_or_email_is_refused(desk, tmp_path):
    _add(desk, "--first", "Ana", "--last", "López", "--phone", "5512345678")
    _add(desk, "--first", "Beto", "--last", "Gómez", "--email", "beto@example.com")
    before = _counts(desk)
    other_name = _write(tmp_path, "first_name,last_name,phone\nPedro,Pérez,5512345678\n")
    run = _import(desk, other_name)
    assert run.code == 2
    assert "row 2 column phone: +525512345678 is already on client 1 (Ana López), another name" in run.stderr
    two_clients = _write(tmp_path, "first_name,last_name,phone,email\nAna,López,5512345678,beto@example.com\n",
                         name="two.csv")
    run = _import(desk, two_clients)
    assert run.code == 2 and "row 2 column email: beto@example.com is already on client 2" in run.stderr
    assert _counts(desk) == before


GOOD = "Ana,López,5512345678,ana@example.com,1990-04-12\n"
MALFORMED = {
    "bad email": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,5587654321,beto@@x,\n",
                  "row 3 column email"),
    "unknown column": ("first_name,last_name,phone,email,birthday,colour\n" + GOOD.replace("\n", ",red\n"),
                       "row 1 column colour: unknown column"),
    "ragged row": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez\n",
                   "row 3: has 2 values, the header has 5"),
    "bad date": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,,,31/02/1990\n",
                 "row 3 column birthday"),
    "future birthday": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,,,2030-01-01\n",
                        "row 3 column birthday: birthday 2030-01-01 is in the future"),
    "duplicate phone in file": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,55 1234 5678,,\n",
                                "row 3 column phone: +525512345678 is also on row 2 of this file"),
    "duplicate email in file": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,,ANA@example.com,\n",
                                "row 3 column email: ana@example.com is also on row 2 of this file"),
    "empty first name": ("first_name,last_name,phone,email,birthday\n" + GOOD + ",Gómez,,,\n",
                         "row 3 column first_name: first name is empty"),
    "bad phone": ("first_name,last_name,phone,email,birthday\n" + GOOD + "Beto,Gómez,12,,\n",
                  "row 3 column phone"),
    "bad tag": ("first_name,tags\nAna,vip;¡hola!\n", "row 2 column tags"),
    "no first_name column": ("last_name\nLópez\n", "column first_name: required column is missing"),
    "not utf-8": ("first_name\nJos\xe9\n", "not utf-8-sig text"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_import_changes_nothing_and_names_the_row(desk, tmp_path, case):
    _add(desk, "--first", "Zoe", "--last", "Existente")
    text, named = MALFORMED[case]
    path = _write(tmp_path, text, encoding="latin-1" if case == "not utf-8" else "utf-8")
    before = _counts(desk)
    for extra in ([], ["--dry-run"]):
        run = _import(desk, path, *extra)
        assert run.code == 2, (case, run.stdout, run.stderr)
        if extra and run.stdout:  # a dry run lists each row's fate first: the refused row among them
            plan = json.loads(run.stdout)
            assert [p["row"] for p in plan if p["action"] == "refuse"] == [int(named.split()[1])], plan
        else:
            assert run.stdout == ""
        assert run.stderr.startswith("error: import refused, nothing written: ")
        assert named in run.stderr, run.stderr
        assert _counts(desk) == before


def test_every_fault_is_listed(desk, tmp_path):
    rows = "".join(f"Cliente{i},X,,bad{i}@,\n" for i in range(6))
    run = _import(desk, _write(tmp_path, "first_name,last_name,phone,email,birthday\n" + rows))
    assert run.code == 2
    assert "(and 3 more)" in run.stderr
    assert all(f"row {n} column email" in run.stderr for n in range(2, 8))


def test_bad_options_are_usage_errors(desk, tmp_path):
    path = _write(tmp_path, "first_name\nAna\n")
    assert _import(desk, path, "--map", "nombre").code == 2
    assert _import(desk, path, "--date-format", "dd/mm/yyyy").code == 2
    assert _import(desk, path, "--encoding", "klingon").code == 2
    missing = _import(desk, tmp_path / "nope.csv")
    assert missing.code == 2 and "cannot read" in missing.stderr
    assert _counts(desk)[0] == 0


def test_latin1_file_with_encoding(desk, tmp_path):
    path = _write(tmp_path, "first_name,last_name\nJosé,Muñoz\n", encoding="latin-1")
    assert _imported(desk, path, "--encoding", "latin-1")["created"] == 1
    assert _clients(desk)[0]["last_name"] == "Muñoz"


def test_import_needs_a_staff_member(desk, tmp_path):
    path = _write(tmp_path, "first_name\nAna\n")
    assert _import(desk, path, who=["--as", "nadie"]).code == 3
    assert _counts(desk)[0] == 0


# ----------------------------------------------------------------------------- export

def _noted(url):
    cid = _add(url, "--first", "Ximena", "--last", "Jiménez", "--tag", "vip")
    for who, args in ((ANA, ["Alergia al amoníaco", "--type", "medical", "--private"]),
                      (MARCO, ["Pidió no hablar de su divorcio", "--private"]),
                      (SOFIA, ["Prefiere café sin azúcar", "--type", "preference"])):
        run = salon(url, *who, "client", "note", str(cid), *args)
        assert run.code == 0, run.stderr
    return cid


SECRETS = ("amoníaco", "divorcio")


def test_private_notes_only_for_a_manager_who_asks_with_a_pin(desk):
    _noted(desk)
    for who in ([], DESK, SOFIA, ANA, MARCO, OWNER):
        for fmt in ("csv", "json", "ndjson"):
            run = _export(desk, "-f", fmt, who=who)
            assert not any(s in run.stdout for s in SECRETS), (who, fmt)
            assert "café" in run.stdout and "private notes left out" in run.stderr
    for who in ([], DESK, SOFIA, ANA, ["--as", "marco"], ["--as", "marco", "--pin", "0000"]):
        run = salon(desk, *who, "export", "clients", "--include-private")
        assert run.code == 3, (who, run.stderr)
        assert run.stdout == ""
    for who in (MARCO, OWNER):
        run = _export(desk, "--include-private", "-f", "json", who=who)
        notes = json.loads(run.stdout)[0]["notes"]
        assert [(n["type"], n["private"], n["author"]) for n in notes] == [
            ("preference", False, "sofia"), ("general", True, "marco"), ("medical", True, "ana")]
        assert set(notes[0]) == {"id", "type", "body", "private", "author", "created_at"}
    row = next(csv.DictReader(io.StringIO(_export(desk, "--include-private", who=MARCO).stdout)))
    assert row["notes"] == ("preference: Prefiere café sin azúcar | general (private): Pidió no hablar de su "
                            "divorcio | medical (private): Alergia al amoníaco")
    log = json.loads(salon(desk, "audit", "--entity", "client", "-f", "json").stdout)
    assert [e["actor"] for e in log if e["action"] == "client.export_private"] == ["marco", "lucia", "marco"]


def test_formats_parse_and_carry_the_client_fields(desk):
    _noted(desk)
    _add(desk, "--first", "Luis", "--last", "Pérez", "--phone", "5512345678", "--birthday", "1985-12-01")
    rows = list(csv.DictReader(io.StringIO(_export(desk).stdout)))  # CSV by default
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [(r["first_name"], r["tags"], r["deposit_required"]) for r in rows] == [
        ("Ximena", "vip", "false"), ("Luis", "", "false")]
    assert rows[0]["notes"] == "preference: Prefiere café sin azúcar"
    doc = json.loads(_export(desk, "-f", "json").stdout)
    lines = [json.loads(line) for line in _export(desk, "-f", "ndjson").stdout.splitlines()]
    assert doc == lines and [list(d) for d in doc] == [EXPORT_COLUMNS] * 2
    assert (doc[1]["phone"], doc[1]["birthday"], doc[1]["tags"], doc[1]["notes"]) == (
        "+525512345678", "1985-12-01", [], [])
    assert doc[0]["created_at"].endswith("-06:00")  # the location's offset
    assert salon(desk, "export", "clients", "-f", "table").code == 2


def test_created_window_output_file_and_merged_clients(desk, clock, tmp_path):
    first = _add(desk, "--first", "Ana", "--last", "Uno")
    clock.advance(days=2)
    second = _add(desk, "--first", "Ana", "--last", "Dos")
    clock.advance(days=1)
    third = _add(desk, "--first", "Ana", "--last", "Tres")
    ids = lambda *args: [c["id"] for c in json.loads(_export(desk, "-f", "json", *args).stdout)]  # noqa: E731
    assert ids() == [first, second, third]
    assert ids("--from", "2026-11-23") == [second, third]
    assert ids("--to", "2026-11-23") == [first, second]
    assert ids("--from", "2026-11-23", "--to", "2026-11-23") == [second]
    assert salon(desk, "export", "clients", "--from", "2026-11-24", "--to", "2026-11-23").code == 2
    assert salon(desk, "export", "clients", "--from", "ayer").code == 2
    assert salon(desk, *MARCO, "client", "merge", str(first), str(third)).code == 0
    assert ids() == [first, second]
    out = tmp_path / "clientes.ndjson"
    run = _export(desk, "-f", "ndjson", "--output", str(out))
    assert run.stdout == "" and "exported 2 clients to" in run.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [first, second]
    assert not (tmp_path / "clientes.ndjson.part").exists()
    empty = _export(desk, "--from", "2030-01-01")
    assert empty.stdout.splitlines() == [",".join(EXPORT_COLUMNS)]
    assert _export(desk, "-f", "json", "--from", "2030-01-01").stdout == "[]\n"


def test_two_thousand_clients_import_and_export(desk, tmp_path):
    lines = ["external_code,first_name,last_name,phone,email,tags"]
    lines += [f"K{i},Cliente{i},Apellido{i % 97},55{i:08d},c{i}@example.com,{'vip' if i % 3 else 'nueva;vip'}"
              for i in range(2000)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    assert _imported(desk, path)["created"] == 2000
    assert _counts(desk)[0] == 2000
    ndjson = _export(desk, "-f", "ndjson").stdout.splitlines()
    assert len(ndjson) == 2000 and json.loads(ndjson[-1])["external_code"] == "K1999"
    rows = list(csv.DictReader(io.StringIO(_export(desk).stdout)))
    assert len(rows) == 2000 and rows[0]["tags"] == "nueva;vip"
    assert len(json.loads(_export(desk, "-f", "json").stdout)) == 2000
    assert _imported(desk, path)["unchanged"] == 2000


def test_export_streams_in_batches(desk):
    """The service is a generator over a batched query: a small batch still yields every client once."""
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.transfer import client_export
    from salon_cli.services.salon import locations

    for i in range(7):
        _add(desk, "--first", f"Ana{i}", "--last", "Lote")
    engine = make_engine(desk)
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        rows = client_export.clients(uow.session, location=loc, batch=2)
        assert iter(rows) is rows  # a generator, not a list
        assert [r["first_name"] for r in rows] == [f"Ana{i}" for i in range(7)]


@pytest.mark.parametrize("args", [["import", "clients", "--help"], ["export", "clients", "--help"]])
def test_help_loads_no_database_library(args):
    probe = ("import sys\nfrom salon_cli.cli.app import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'psycopg'}), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "Example:" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_two_imports_at_once_create_each_client_once(desk, tmp_path):
    """Run together, two imports of one file end as one would: the second finds the first's clients."""
    import threading

    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.transfer import client_import
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor

    text = "first_name,last_name,phone,email\n" + "".join(
        f"Cliente{i},Prueba,55{i:08d},c{i}@example.com\n" for i in range(300))
    rows = client_import.read(io.BytesIO(text.encode()))
    engine = make_engine(desk)
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        member = staff_service.find(uow.session, "sofia")
        actor = Actor(id=member.id, code=member.code, name=member.name, role=member.role)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            with UnitOfWork(engine) as uow:
                results.append(client_import.import_clients(uow.session, actor=actor, location=loc, rows=rows))
                uow.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted((r.summary.created, r.summary.unchanged) for r in results) == [(0, 300), (300, 0)]
    assert _counts(desk)[0] == 300
