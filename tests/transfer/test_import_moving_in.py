"""Moving in: a salon's history from the system it leaves, in files shaped like that system's exports,
on SQLite and PostgreSQL (`db_url`). Each file is compared field by field with what was stored, and
the imported days' revenue report and close-day preview equal the source's own sums.

The files: a Latin-1 service menu with prices like "$1,200.00"; a UTF-16 product list with CR-only
line ends; a client list with a BOM, US birthdays, the old system's numeric client ids and a column
we do not keep (read through a `--mapping` TOML file); appointments with US dates, 12-hour times with
seconds and the old system's status words (formats detected); a no-show report with a client code
that is not here (refused, then `--skip-bad` with a rejects file that imports once fixed); receipts
with two tax columns, date and time in one column, currency symbols and thousands separators.

The clock is Saturday 2026-11-21 11:00 in Mexico City; the policy has IVA 16 % included in prices.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal

import pytest

from cli_helpers import INIT, OWNER, salon

MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia"]

SERVICES = (  # Latin-1, CRLF: a Windows spreadsheet's "CSV"
    "Clave,Servicio,Categoría,Duración (min),Precio\r\n"
    "CORTE-D,Corte de dama,Cabello,45,$350.00\r\n"
    'TINTE,Tinte completo,Color,90,"$1,200.00"\r\n'
    "DEPIL,Depilación de ceja,Estética,15,$150.00\r\n"
)
PRODUCTS = (  # UTF-16 with its BOM, CR-only line ends (an old Mac export)
    "SKU,Product,Retail Price,Stock\r"
    'SH-01,Shampoo Argán,"$1,080.50",12\r'
    "AC-02,Acondicionador,$280.00,0\r"
)
CLIENTS = (  # UTF-8 with a BOM, US birthdays, numeric client ids of the old system
    "\ufeffClient ID,First Name,Last Name,Mobile,Email,Date of Birth,Loyalty Points\n"
    "1001,Ximena,Ibáñez,(55) 1234-5678,xim@example.com,04/12/1990,120\n"
    "1002,Michael,Taylor,55 8765 4321,,11/30/1985,0\n"
    '1003,José,"Pérez Ñúñez",,pepe@example.com,,0\n'
)
CLIENT_MAPPING = """\
# how salon reads the old system's client list
[columns]
"Client ID" = "external_code"
"Mobile" = "phone"
"Date of Birth" = "birthday"
"Loyalty Points" = "-"
"""
APPOINTMENTS = (  # US dates, 12-hour times with seconds, the old system's statuses
    "Booking Ref,Client ID,Service,Team Member,Date,Time,Status\n"
    "B-1,1001,Corte de dama,Ana Díaz,11/16/2026,3:50:00 PM,Completed\n"
    "B-2,1002,TINTE,beto,11/16/2026,10:00:00 AM,No Show\n"
    "B-3,1003,Depilación de ceja,Ana Díaz,11/17/2026,11:15:00 AM,Cancelled\n"
    "B-4,1001,Tinte completo,beto,11/24/2026,9:30:00 AM,Confirmed\n"
)
APPOINTMENT_MAP = ["--map", "Booking Ref=external_id", "--map", "Client ID=client", "--map", "Team Member=staff"]
NO_SHOWS = (  # a no-show report: the second client is not in the client list
    "Client Code,Client Name,Date,Time,Service,Staff,Status\n"
    "1002,Michael Taylor,11/18/2026,12:00:00 PM,Corte de dama,Ana Díaz,No Show\n"
    "9999,Desconocida,11/18/2026,1:00:00 PM,Corte de dama,Ana Díaz,No Show\n"
)
NO_SHOW_MAP = ["--map", "Client Code=client", "--map", "Client Name=-"]
RECEIPTS = (  # two tax columns, date and time in one column, symbols and thousands separators
    "Receipt #,Date,Client ID,Team Member,Item,Qty,Total,IVA,Impuesto local,Payment,Tip\n"
    "T-501,11/16/2026 3:50 PM,1001,Ana Díaz,Corte de dama,1,$406.00,$56.00,,Cash,$50.00\n"
    'T-501,11/16/2026 3:50 PM,1001,,SH-01,1,"$1,080.50",$149.03,,Cash,\n'
    'T-502,11/16/2026 10:05 AM,1002,beto,Tinte completo,1,"$1,392.00",$192.00,$24.00,Visa,$100.00\n'
    "T-503,11/17/2026 11:40 AM,,Ana Díaz,Depilación de ceja,1,$150.00,$20.69,,,\n"
)
RECEIPT_MAP = ["--map", "Receipt #=receipt", "--map", "Client ID=client", "--map", "Team Member=staff",
               "--map", "Item=description", "--map", "Qty=quantity", "--map", "Total=amount",
               "--map", "IVA=tax:IVA", "--map", "Impuesto local=tax:Impuesto local", "--map", "Payment=method",
               "--amount-includes-tax"]  # T-502's taxes fit neither reading: the file says so


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _json(run):
    return json.loads(_ok(run).stdout)


@pytest.fixture
def salon_url(db_url, clock):
    """The new salon: owner, a manager, a receptionist, two stylists; IVA 16 % included in prices."""
    _ok(salon(db_url, *INIT))
    for args in (["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
                 ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["staff", "add", "Beto Ruiz", "--code", "beto", "--role", "stylist", "--pin", "5555"],
                 ["policy", "set", "--tax", "IVA:16%:inclusive"]):
        _ok(salon(db_url, *OWNER, *args))
    return db_url


def _file(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _cents(text: str) -> int:
    """The test's own reading of a money cell ("$1,080.50"), independent of the importer's."""
    return int(Decimal(text.replace("$", "").replace(",", "") or "0") * 100)


def _move_in(url, tmp_path):
    """Every file, in the order a salon would bring them."""
    _ok(salon(url, *MARCO, "import", "services", str(_file(tmp_path, "menu.csv", SERVICES, "latin-1")),
              "--encoding", "latin-1", "--map", "Clave=code", "--map", "Servicio=name", "--map", "Categoría=category",
              "--map", "Duración (min)=duration_min", "--map", "Precio=price"))
    _ok(salon(url, *MARCO, "import", "products", str(_file(tmp_path, "products.csv", PRODUCTS, "utf-16")),
              "--map", "SKU=code", "--map", "Product=name", "--map", "Retail Price=price"))
    mapping = _file(tmp_path, "clients.toml", CLIENT_MAPPING)
    _ok(salon(url, *DESK, "import", "clients", str(_file(tmp_path, "clients.csv", CLIENTS)), "--mapping", str(mapping)))
    _ok(salon(url, *DESK, "import", "appointments", str(_file(tmp_path, "appointments.csv", APPOINTMENTS)),
              *APPOINTMENT_MAP))
    _ok(salon(url, *DESK, "import", "sales", str(_file(tmp_path, "receipts.csv", RECEIPTS)), *RECEIPT_MAP))


def test_a_latin1_menu_and_a_utf16_product_list_field_by_field(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    services = _json(salon(salon_url, "service", "list", "-f", "json"))
    assert [(s["code"], s["name"], s["category"], s["duration_min"], s["price_cents"], s["active"]) for s in services] == [
        ("corte-d", "Corte de dama", "Cabello", 45, 35000, True),
        ("tinte", "Tinte completo", "Color", 90, 120000, True),
        ("depil", "Depilación de ceja", "Estética", 15, 15000, True)]
    products = _json(salon(salon_url, "product", "list", "-f", "json"))
    assert sorted((p["code"], p["name"], p["price_cents"], p["stock"]) for p in products) == [
        ("ac-02", "Acondicionador", 28000, 0), ("sh-01", "Shampoo Argán", 108050, 12)]


def test_clients_through_a_mapping_file_field_by_field(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    got = _json(salon(salon_url, "export", "clients", "-f", "json"))
    assert [(c["external_code"], c["first_name"], c["last_name"], c["phone"], c["email"], c["birthday"])
            for c in got] == [
        ("1001", "Ximena", "Ibáñez", "+525512345678", "xim@example.com", "1990-04-12"),
        ("1002", "Michael", "Taylor", "+525587654321", None, "1985-11-30"),
        ("1003", "José", "Pérez Ñúñez", None, "pepe@example.com", None)]


def test_appointments_with_us_dates_and_12_hour_times_field_by_field(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    clients = {c["external_code"]: c["id"] for c in _json(salon(salon_url, "export", "clients", "-f", "json"))}
    got = _json(salon(salon_url, "export", "appointments", "-f", "json"))
    assert [(a["external_id"], a["client_id"], a["services"], a["staff"], a["starts_at"], a["ends_at"], a["status"],
             a["price_cents"]) for a in got] == [
        ("B-2", clients["1002"], ["tinte"], "beto", "2026-11-16T10:00:00-06:00", "2026-11-16T11:30:00-06:00",
         "no_show", 120000),
        ("B-1", clients["1001"], ["corte-d"], "ana", "2026-11-16T15:50:00-06:00", "2026-11-16T16:35:00-06:00",
         "completed", 35000),
        ("B-3", clients["1003"], ["depil"], "ana", "2026-11-17T11:15:00-06:00", "2026-11-17T11:30:00-06:00",
         "cancelled", 15000),
        ("B-4", clients["1001"], ["tinte"], "beto", "2026-11-24T09:30:00-06:00", "2026-11-24T11:00:00-06:00",
         "booked", 120000)]
    # the old system's client 1002 is ours by its code, not our client with id 1002 (there is none) or 2
    michael = _json(salon(salon_url, "client", "show", str(clients["1002"]), "-f", "json"))
    assert michael["no_show_count"] == 1


def test_receipts_with_two_taxes_field_by_field(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    clients = {c["external_code"]: c["id"] for c in _json(salon(salon_url, "export", "clients", "-f", "json"))}
    sales = {s["external_id"]: s for s in _json(salon(salon_url, "export", "sales", "-f", "json"))}
    assert sorted(sales) == ["T-501", "T-502", "T-503"]
    t501, t502, t503 = sales["T-501"], sales["T-502"], sales["T-503"]
    assert (t501["business_date"], t501["client_id"], t501["total_cents"], t501["tax_cents"], t501["tip_cents"],
            t501["paid_at"]) == ("2026-11-16", clients["1001"], 40600 + 108050, 5600 + 14903, 5000,
                                 "2026-11-16T15:50:00-06:00")
    assert [(line["description"], line["kind"], line["total_cents"], line["tax_cents"]) for line in t501["lines"]] == [
        ("Corte de dama", "service", 40600, 5600), ("SH-01", "product", 108050, 14903)]
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in t501["payments"]] == [("cash", 148650, 5000)]
    # IVA is in the price; the local tax is on top of what was charged before it
    assert (t502["total_cents"], t502["tax_cents"], t502["tip_cents"]) == (139200, 19200 + 2400, 10000)
    assert sorted((t["name"], t["inclusive"], t["amount_cents"]) for t in t502["lines"][0]["taxes"]) == [
        ("IVA", True, 19200), ("Impuesto local", False, 2400)]
    assert [(p["method"], p["amount_cents"]) for p in t502["payments"]] == [("card", 139200)]
    assert (t503["client_id"], t503["business_date"], [p["method"] for p in t503["payments"]]) == (
        None, "2026-11-17", ["unknown"])


def test_the_imported_days_report_the_sources_own_sums(salon_url, tmp_path):
    """`report revenue --by day` and `close-day --preview` of each imported day: the file's sums."""
    _move_in(salon_url, tmp_path)
    day_of = {"11/16/2026": "2026-11-16", "11/17/2026": "2026-11-17"}
    source: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    receipts: dict[str, set] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(RECEIPTS)):
        day = day_of[row["Date"].split()[0]]
        total, taxes, tip = _cents(row["Total"]), _cents(row["IVA"]) + _cents(row["Impuesto local"]), _cents(row["Tip"])
        source[day]["total"] += total
        source[day]["tax"] += taxes
        source[day]["tips"] += tip
        method = {"Cash": "cash", "Visa": "card", "": "unknown"}[row["Payment"]]
        source[day][method] += total + tip
        receipts[day].add(row["Receipt #"])
    report = _json(salon(salon_url, *MARCO, "report", "revenue", "--from", "2026-11-16", "--to", "2026-11-17", "--by", "day",
                         "-f", "json"))
    assert [(r["period"], r["sales_count"], r["revenue_cents"], r["tax_cents"], r["tips_cents"]) for r in report] == [
        (day, len(receipts[day]), source[day]["total"] - source[day]["tax"], source[day]["tax"], source[day]["tips"])
        for day in ("2026-11-16", "2026-11-17")]
    for day in ("2026-11-16", "2026-11-17"):
        z = _json(salon(salon_url, *MARCO, "close-day", "--date", day, "--preview", "-f", "json"))
        assert (z["sales_count"], z["net_cents"], z["revenue_cents"], z["tax_cents"], z["tip_cents"]) == (
            len(receipts[day]), source[day]["total"], source[day]["total"] - source[day]["tax"], source[day]["tax"],
            source[day]["tips"])
        by_method = {m: c for m, c in source[day].items() if m in ("cash", "card", "unknown")}
        assert {m: c for m, c in z["by_method"].items() if c} == by_method
        assert z["cash_sales_cents"] == source[day].get("cash", 0)


def test_reimporting_every_file_creates_nothing_twice(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    before = {what: len(_json(salon(salon_url, "export", what, "-f", "json")))
              for what in ("clients", "appointments", "sales")}
    again = [
        _json(salon(salon_url, *MARCO, "import", "services", str(tmp_path / "menu.csv"), "--encoding", "latin-1",
                    "--map", "Clave=code", "--map", "Servicio=name", "--map", "Categoría=category",
                    "--map", "Duración (min)=duration_min", "--map", "Precio=price", "-f", "json")),
        _json(salon(salon_url, *DESK, "import", "clients", str(tmp_path / "clients.csv"), "--mapping",
                    str(tmp_path / "clients.toml"), "-f", "json")),
        _json(salon(salon_url, *DESK, "import", "appointments", str(tmp_path / "appointments.csv"), *APPOINTMENT_MAP,
                    "-f", "json")),
        _json(salon(salon_url, *DESK, "import", "sales", str(tmp_path / "receipts.csv"), *RECEIPT_MAP, "-f", "json")),
    ]
    assert [(s["created"], s["unchanged"]) for s in again] == [(0, 3), (0, 3), (0, 4), (0, 3)]
    assert before == {what: len(_json(salon(salon_url, "export", what, "-f", "json")))
                      for what in ("clients", "appointments", "sales")}


def test_a_no_show_report_with_a_missing_client_code(salon_url, tmp_path):
    """All or nothing by default; --skip-bad imports the good row and writes the other, with its reason,
    to a rejects file, which imports as it is once the client is here."""
    _move_in(salon_url, tmp_path)
    report = _file(tmp_path, "no-shows.csv", NO_SHOWS)
    count = len(_json(salon(salon_url, "export", "appointments", "-f", "json")))
    run = salon(salon_url, *DESK, "import", "appointments", str(report), *NO_SHOW_MAP)
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("error: import refused, nothing written: row 3 column client: '9999' is no client "
                                 "here (by id, phone, e-mail or external code)")
    assert len(_json(salon(salon_url, "export", "appointments", "-f", "json"))) == count

    dry = salon(salon_url, *DESK, "import", "appointments", str(report), *NO_SHOW_MAP, "--dry-run", "--skip-bad",
                "-f", "csv")
    assert _ok(dry).stdout.splitlines() == [
        "row,action,record,existing_id,reason",
        '2,create,"2026-11-18 12:00 ana corte-d (client 1002, no_show)",,',
        "3,refuse,9999 · Desconocida · 11/18/2026,,"
        "\"client: '9999' is no client here (by id, phone, e-mail or external code)\""]
    assert not (tmp_path / "no-shows.rejected.csv").exists()  # a dry run writes nothing

    summary = _json(salon(salon_url, *DESK, "import", "appointments", str(report), *NO_SHOW_MAP, "--skip-bad",
                          "-f", "json"))
    assert summary == {"rows_read": 2, "rows_used": 1, "created": 1, "unchanged": 0, "refused": 1, "dry_run": False,
                       "updated": 0}
    rejects = tmp_path / "no-shows.rejected.csv"
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "Client Code,Client Name,Date,Time,Service,Staff,Status,import_error",
        "9999,Desconocida,11/18/2026,1:00:00 PM,Corte de dama,Ana Díaz,No Show,"
        "\"client: '9999' is no client here (by id, phone, e-mail or external code)\""]
    got = _json(salon(salon_url, "export", "appointments", "--from", "2026-11-18", "--to", "2026-11-18", "-f", "json"))
    assert [(a["client_id"], a["starts_at"], a["status"], a["staff"]) for a in got] == [
        (2, "2026-11-18T12:00:00-06:00", "no_show", "ana")]
    assert _json(salon(salon_url, "client", "show", "2", "-f", "json"))["no_show_count"] == 2

    # the client is found, the rejects file imports as it is (its import_error column is ignored)
    _ok(salon(salon_url, *DESK, "client", "add", "--first", "Desconocida", "--last", "Ruiz", "--external-code", "9999"))
    summary = _json(salon(salon_url, *DESK, "import", "appointments", str(rejects), *NO_SHOW_MAP, "-f", "json"))
    assert (summary["created"], summary["refused"]) == (1, 0)


def test_skip_bad_leaves_out_whole_receipts(salon_url, tmp_path):
    _move_in(salon_url, tmp_path)
    bad = RECEIPTS.replace("T-501", "T-601").replace("T-502", "T-602").replace("T-503", "T-603")
    bad = bad.replace('"$1,080.50",$149.03', '"$1,080.50","$1,49.03"')  # the second row of T-601 is bad
    path = _file(tmp_path, "more.csv", bad)
    summary = _json(salon(salon_url, *DESK, "import", "sales", str(path), *RECEIPT_MAP, "--skip-bad", "-f", "json"))
    assert summary == {"rows_read": 4, "rows_used": 2, "created": 2, "unchanged": 0, "refused": 2, "dry_run": False}
    sales = {s["external_id"] for s in _json(salon(salon_url, "export", "sales", "-f", "json"))}
    assert {"T-602", "T-603"} <= sales and "T-601" not in sales
    rejected = list(csv.DictReader(io.StringIO((tmp_path / "more.rejected.csv").read_text(encoding="utf-8"))))
    assert [(r["Receipt #"], r["import_error"]) for r in rejected] == [
        ("T-601", "receipt T-601 has a refused row (3)"),
        ("T-601", "tax:IVA: tax:IVA '$1,49.03' has misplaced thousands separators")]


def test_ambiguous_dates_are_refused_until_the_format_is_given(salon_url, tmp_path):
    path = _file(tmp_path, "fechas.csv", "first_name,last_name,birthday\nAna,Ruiz,03/04/1990\nEva,Sol,05/06/1985\n")
    run = salon(salon_url, *DESK, "import", "clients", str(path))
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("error: the dates are ambiguous: '03/04/1990' reads as 1990-03-04 (%m/%d/%Y) or "
                                 "1990-04-03 (%d/%m/%Y)"), run.stderr
    assert _json(salon(salon_url, "export", "clients", "-f", "json")) == []
    _ok(salon(salon_url, *DESK, "import", "clients", str(path), "--date-format", "%d/%m/%Y"))
    got = _json(salon(salon_url, "export", "clients", "-f", "json"))
    assert [c["birthday"] for c in got] == ["1990-04-03", "1985-06-05"]


def test_amounts_whose_decimal_separator_the_file_does_not_show(salon_url, tmp_path):
    path = _file(tmp_path, "menu.csv", "name,duration_min,price\nCorte,30,1.250\nBarba,15,350\n")
    run = salon(salon_url, *MARCO, "import", "services", str(path))
    assert run.code == 2 and "price '1.250' is ambiguous" in run.stderr
    _ok(salon(salon_url, *MARCO, "import", "services", str(path), "--decimal-separator", ","))
    assert {s["name"]: s["price_cents"] for s in _json(salon(salon_url, "service", "list", "-f", "json"))} == {
        "Corte": 125000, "Barba": 35000}


@pytest.mark.parametrize("toml, problem", [
    ("[columns]\nNombre = 3\n", "[columns] must map each column name to a field name"),
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("[columns\n", "is not TOML"),
])
def test_a_bad_mapping_file_is_a_usage_error(salon_url, tmp_path, toml, problem):
    path = _file(tmp_path, "clients.csv", "first_name\nAna\n")
    run = salon(salon_url, *DESK, "import", "clients", str(path), "--mapping", str(_file(tmp_path, "m.toml", toml)))
    assert run.code == 2 and problem in run.stderr, run.stderr
    assert _json(salon(salon_url, "export", "clients", "-f", "json")) == []


def test_semicolon_separated_files_as_excel_writes_them_where_the_decimal_mark_is_a_comma(salon_url, tmp_path):
    """Excel in Spain or Mexico set to a comma decimal mark saves "CSV" with semicolons; the
    separator is read off the header line (a quoted one inside a value is not taken for it)."""
    menu = "Código;Servicio;Duración;Precio\r\nCD;\"Corte; dama\";45;1.234,50\r\nBB;Barba;15;350,00\r\n"
    _ok(salon(salon_url, *MARCO, "import", "services", str(_file(tmp_path, "menu.csv", menu, "utf-8-sig")),
              "--map", "Código=code", "--map", "Servicio=name", "--map", "Duración=duration_min",
              "--map", "Precio=price"))
    assert sorted((x["code"], x["name"], x["duration_min"], x["price_cents"])
                  for x in _json(salon(salon_url, "service", "list", "-f", "json"))) == [
        ("bb", "Barba", 15, 35000), ("cd", "Corte; dama", 45, 123450)]
    clients = "Nombre;Apellido;Teléfono;Nacimiento\nAna;López;55 1234 5678;25/12/1990\n"
    _ok(salon(salon_url, *DESK, "import", "clients", str(_file(tmp_path, "clientes.csv", clients, "latin-1")),
              "--encoding", "latin-1", "--map", "Nombre=first_name", "--map", "Apellido=last_name",
              "--map", "Teléfono=phone", "--map", "Nacimiento=birthday"))
    [ana] = _json(salon(salon_url, "export", "clients", "-f", "json"))
    assert (ana["first_name"], ana["last_name"], ana["phone"], ana["birthday"]) == (
        "Ana", "López", "+525512345678", "1990-12-25")
    receipts = ("Ticket;Fecha;Concepto;Importe;tax:IVA\n"
                "T-1;16/11/2026;Corte; dama;1.234,50;170,28\n")
    run = salon(salon_url, *DESK, "import", "sales", str(_file(tmp_path, "tickets.csv", receipts)),
                "--map", "Ticket=receipt", "--map", "Fecha=date", "--map", "Concepto=description", "--map", "Importe=amount")
    assert run.code == 2 and "row 2: has 6 values, the header has 5" in run.stderr  # the unquoted ';' in a value
    _ok(salon(salon_url, *DESK, "import", "sales", str(_file(tmp_path, "tickets.csv", receipts.replace("Corte; dama", "Corte dama"))),
              "--map", "Ticket=receipt", "--map", "Fecha=date", "--map", "Concepto=description", "--map", "Importe=amount"))
    [sale] = _json(salon(salon_url, "export", "sales", "-f", "json"))
    assert (sale["external_id"], sale["business_date"], sale["total_cents"], sale["tax_cents"]) == (
        "T-1", "2026-11-16", 123450, 17028)


def test_numeric_service_and_product_codes_are_kept_with_a_prefix_and_found_by_the_number(salon_url, tmp_path):
    """Codes that are only digits would read as ids at the desk: `101` is kept as `s-101` (`p-2001`
    for a product), and the appointment and sales imports find `101` there, before any id 101."""
    _ok(salon(salon_url, *MARCO, "service", "add", "Manicure", "--duration", "40", "--price", "250"))  # our id 1
    menu = _file(tmp_path, "menu.csv", "code,name,duration_min,price\n101,Corte,30,350\n1,Barba,15,200\n")
    _ok(salon(salon_url, *MARCO, "import", "services", str(menu)))
    _ok(salon(salon_url, *MARCO, "import", "products", str(_file(tmp_path, "p.csv", "code,name,price\n2001,Cera,180\n"))))
    services = {x["code"]: x for x in _json(salon(salon_url, "service", "list", "-f", "json"))}
    assert sorted(services) == ["manicure", "s-1", "s-101"]
    assert [p["code"] for p in _json(salon(salon_url, "product", "list", "-f", "json"))] == ["p-2001"]
    # the same file again: matched by the kept codes, nothing twice
    assert _json(salon(salon_url, *MARCO, "import", "services", str(menu), "-f", "json"))["unchanged"] == 2
    _ok(salon(salon_url, *DESK, "import", "clients", str(_file(tmp_path, "c.csv", "first_name,phone\nAna,5512345678\n"))))
    visits = "external_id,client,service,staff,date,time\nV-1,5512345678,1,ana,2026-11-16,10:00\nV-2,5512345678,101,ana,2026-11-16,11:00\n"
    _ok(salon(salon_url, *DESK, "import", "appointments", str(_file(tmp_path, "v.csv", visits))))
    got = _json(salon(salon_url, "export", "appointments", "-f", "json"))
    assert [(a["external_id"], a["services"], a["price_cents"]) for a in got] == [
        ("V-1", ["s-1"], 20000), ("V-2", ["s-101"], 35000)]  # `1` is the file's Barba, not our service 1
    receipts = "receipt,date,description,amount\nT-1,2026-11-16,101,350\nT-1,2026-11-16,2001,180\n"
    _ok(salon(salon_url, *DESK, "import", "sales", str(_file(tmp_path, "t.csv", receipts))))
    [sale] = _json(salon(salon_url, "export", "sales", "-f", "json"))
    assert [(x["kind"], x["description"], x["total_cents"]) for x in sale["lines"]] == [
        ("service", "101", 35000), ("product", "2001", 18000)]
    assert [x["service_id"] for x in sale["lines"]][0] == services["s-101"]["id"]


def test_importing_the_menu_is_a_managers_action(salon_url, tmp_path):
    path = _file(tmp_path, "menu.csv", "name,duration_min,price\nCorte,30,350\n")
    assert salon(salon_url, *DESK, "import", "services", str(path)).code == 3
    assert _json(salon(salon_url, "service", "list", "-f", "json")) == []


# Columns that cannot survive a move without --keep-ids: our database's own ids of appointments (the
# export lists them by start, the import creates them in that order), penalties (an imported no-show
# makes none: any fee belonged to the other system), the sale's link to its appointment (ids differ)
# and the receipt key the import remembers (`external_id`).
# Without --keep-ids a sale's appointment is not carried, so a client's figures, which count a visit's
# sale once through it (clients.views.visit_facts), are not either: a re-imported visit and its sale
# count apart (issue 30's note: link them for the sales the export says paid for a visit).
NOT_CARRIED = {"appointments": {"id", "penalty_id", "penalty_status", "penalty_cents"},
               "sales": {"appointment_id", "external_id"},
               "clients": {"visits", "total_spent_cents", "first_visit", "last_visit"}}


def _empty_salon_like(db_url, fresh_url, tmp_path):
    """The demo salon (its clients with notes, no-shows with penalties, sales of appointments), and an
    empty salon with the same team, taxes and (through `service list -f csv` and `import services`) menu."""
    _ok(salon(db_url, "demo", "--clients", "30", "--days", "5"))
    _ok(salon(fresh_url, *INIT))
    for member in _json(salon(db_url, "staff", "list", "-f", "json")):
        if member["code"] != "lucia":
            _ok(salon(fresh_url, *OWNER, "staff", "add", member["name"], "--code", member["code"],
                      "--role", member["role"], "--pin", "9876"))
    _ok(salon(fresh_url, *OWNER, "policy", "set", "--tax", "IVA:16%:inclusive"))
    for kind in ("service", "product"):
        listing = _file(tmp_path, f"{kind}s.csv", _ok(salon(db_url, kind, "list", "-f", "csv")).stdout)
        _ok(salon(fresh_url, *OWNER, "import", f"{kind}s", str(listing)))


def _export(url, what, out):
    _ok(salon(url, "export", what, "--output", str(out)))
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_round_trip_export_import_into_an_empty_salon_export_again(db_url, fresh_url, clock, tmp_path):
    """The demo salon's clients, appointments and sales, exported, imported into an empty salon,
    exported again: the same files, but for the columns above."""
    _empty_salon_like(db_url, fresh_url, tmp_path)
    first: dict[str, list[dict]] = {}
    for what in ("clients", "appointments", "sales"):
        first[what] = _export(db_url, what, tmp_path / f"first-{what}.csv")
        summary = _json(salon(fresh_url, *OWNER, "import", what, str(tmp_path / f"first-{what}.csv"), "-f", "json"))
        assert (summary["created"], summary["refused"]) == (len(first[what]), 0), (what, summary)
    for what in ("clients", "appointments", "sales"):
        again = list(csv.DictReader(io.StringIO(_ok(salon(fresh_url, "export", what)).stdout)))
        skip = NOT_CARRIED.get(what, set())
        assert [{k: v for k, v in r.items() if k not in skip} for r in again] == \
               [{k: v for k, v in r.items() if k not in skip} for r in first[what]], what
        assert len(again) > 20
    assert any(r["notes"] for r in first["clients"]) and any(r["status"] == "no_show" for r in first["appointments"])


def test_round_trip_with_kept_ids_is_identical(db_url, fresh_url, clock, tmp_path):
    """With --keep-ids (moving from one salon database to another) every column comes back: ids,
    penalties with their statuses, sales' appointments and external ids. Run again, nothing is made
    twice; and the next client, appointment and sale made at the desk take ids past the kept ones."""
    _empty_salon_like(db_url, fresh_url, tmp_path)
    first: dict[str, list[dict]] = {}
    for what in ("clients", "appointments", "sales"):
        first[what] = _export(db_url, what, tmp_path / f"first-{what}.csv")
        summary = _json(salon(fresh_url, *OWNER, "import", what, str(tmp_path / f"first-{what}.csv"), "--keep-ids",
                              "-f", "json"))
        assert (summary["created"], summary["refused"]) == (len(first[what]), 0), (what, summary)
    for what in ("clients", "appointments", "sales"):
        assert _export(fresh_url, what, tmp_path / f"again-{what}.csv") == first[what], what
    # what the demo has, so that the comparison above means something
    appointments, sales = first["appointments"], first["sales"]
    assert [int(r["id"]) for r in appointments] != sorted(int(r["id"]) for r in appointments)  # not in id order
    assert {r["penalty_status"] for r in appointments if r["penalty_id"]} >= {"pending"}
    assert sum(1 for r in sales if r["appointment_id"]) > 10
    # the same files again: nothing new, nothing refused
    for what in ("clients", "appointments", "sales"):
        summary = _json(salon(fresh_url, *OWNER, "import", what, str(tmp_path / f"first-{what}.csv"), "--keep-ids",
                              "-f", "json"))
        assert (summary["created"], summary["unchanged"], summary["refused"]) == (0, len(first[what]), 0), what
    # new records take ids past the kept ones (PostgreSQL: the sequences were moved on)
    added = _json(salon(fresh_url, *OWNER, "client", "add", "--first", "Nueva", "--last", "Clienta", "--phone", "5512345678", "-f", "json"))
    assert added["id"] == max(int(r["id"]) for r in first["clients"]) + 1


def test_kept_ids_that_are_taken_are_refused_and_nothing_is_written(db_url, fresh_url, clock, tmp_path):
    """An id already another record's here is a fault of its row; a sale whose appointment is not here
    is one too; the database is as it was."""
    _empty_salon_like(db_url, fresh_url, tmp_path)
    clients = _export(db_url, "clients", tmp_path / "clients.csv")
    _export(db_url, "appointments", tmp_path / "appointments.csv")
    _export(db_url, "sales", tmp_path / "sales.csv")
    _ok(salon(fresh_url, *OWNER, "client", "add", "--first", "Ocupa", "--last", "Id", "--phone", "5599999999"))  # takes id 1
    run = salon(fresh_url, *OWNER, "import", "clients", str(tmp_path / "clients.csv"), "--keep-ids")
    assert run.code == 2
    assert "row 2 column id: id 1 is taken here by another client" in run.stderr, run.stderr
    assert len(_json(salon(fresh_url, "client", "list", "-f", "json"))) == 1
    # sales before their appointments: each linked sale is refused, nothing written
    run = salon(fresh_url, *OWNER, "import", "sales", str(tmp_path / "sales.csv"), "--keep-ids")
    assert run.code == 2 and "column appointment_id: no appointment" in run.stderr and "(import the appointments first" \
        in run.stderr, run.stderr
    assert _ok(salon(fresh_url, "export", "sales")).stdout.count("\n") == 1  # the header alone
    # a file of another system has no ids to keep
    other = _file(tmp_path, "other.csv", "first_name,last_name,phone\nAna,Ruiz,5511112222\n")
    run = salon(fresh_url, *OWNER, "import", "clients", str(other), "--keep-ids")
    assert run.code == 2 and "column id: --keep-ids needs each client's id" in run.stderr, run.stderr
    assert len(clients) > 20


def test_kept_ids_twice_in_one_file_are_refused(db_url, fresh_url, clock, tmp_path):
    """Two rows of one file with the same appointment id (or penalty id) name each other."""
    _empty_salon_like(db_url, fresh_url, tmp_path)
    _export(db_url, "clients", tmp_path / "clients.csv")
    _ok(salon(fresh_url, *OWNER, "import", "clients", str(tmp_path / "clients.csv"), "--keep-ids"))
    rows = _export(db_url, "appointments", tmp_path / "appointments.csv")
    penalised = [i for i, r in enumerate(rows) if r["penalty_id"]]
    rows[1]["id"] = rows[0]["id"]
    rows[penalised[1]]["penalty_id"] = rows[penalised[0]]["penalty_id"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    bad = _file(tmp_path, "twice.csv", out.getvalue())
    run = salon(fresh_url, *OWNER, "import", "appointments", str(bad), "--keep-ids")
    assert run.code == 2, run.stderr
    assert f"row 3 column id: id {rows[0]['id']} is also on row 2 of this file" in run.stderr, run.stderr
    assert f"column penalty_id: penalty_id {rows[penalised[0]]['penalty_id']} is also on row {penalised[0] + 2}" \
        in run.stderr, run.stderr
    assert _ok(salon(fresh_url, "export", "appointments")).stdout.count("\n") == 1  # nothing written


def test_an_import_reports_its_progress(salon_url, tmp_path):
    """The services tell how far they are (checking, then writing); the CLI draws that as a bar on
    stderr, at a terminal only."""
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.io.tabular import read_csv
    from salon_cli.services.transfer import client_import
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor

    text = "first_name,last_name,phone\n" + "".join(f"Cliente,{n},55{n:08d}\n" for n in range(4500))
    rows = read_csv(io.BytesIO(text.encode()), fields=client_import.FIELDS, required=("first_name",))
    told: list[tuple[str, int, int]] = []
    with UnitOfWork(make_engine(salon_url)) as uow:
        loc = locations.resolve(uow.session, None)
        m = staff_service.find(uow.session, "sofia")
        actor = Actor(id=m.id, code=m.code, name=m.name, role=m.role, verified=True)
        outcome = client_import.import_clients(uow.session, actor=actor, location=loc, rows=rows,
                                               progress=lambda *args: told.append(args))
        uow.commit()
    assert outcome.summary.created == 4500
    assert [t for t in told if t[0] == "checking"] == [("checking", 2000, 4500), ("checking", 4000, 4500),
                                                       ("checking", 4500, 4500)]
    assert [t for t in told if t[0] == "writing"] == [("writing", 0, 4500), ("writing", 4500, 4500)]


def test_the_progress_bar_is_drawn_on_a_terminal_only(monkeypatch):
    import sys

    from salon_cli.cli.transfer import import_run

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with import_run._progress_bar(100) as progress:  # a small file: no bar
        assert progress.__name__ == "quietly"
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setenv("TERM", "xterm")
    with import_run._progress_bar(10_000) as progress:
        progress("checking", 5000, 10_000)
        progress("writing", 10_000, 10_000)
    drawn = screen.getvalue()
    assert "checking" in drawn and "writing" in drawn and "10000/10000" in drawn
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # piped: nothing drawn
    with import_run._progress_bar(10_000) as progress:
        assert progress.__name__ == "quietly"


def test_bulk_inserts_store_exactly_what_the_orm_stores(db_url, clock):
    """`db.bulk.insert_many` hands the driver each value through its column type as SQLAlchemy would
    (SQLite: executemany; PostgreSQL: COPY): the same stored values for instants and JSON, so that
    lookups by value find bulk-inserted rows, and the model's defaults for columns left out."""
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from salon_cli.db import migrate
    from salon_cli.db.bulk import insert_many
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import AuditLog
    from salon_cli.db.uow import UnitOfWork

    engine = make_engine(db_url)
    migrate.upgrade(engine)
    at = datetime(2026, 11, 21, 20, 0, 5, tzinfo=timezone.utc)
    row = {"at": at, "location_id": None, "actor": "system", "actor_id": None, "action": "x", "entity": "y",
           "entity_id": 1, "before": None, "after": {"á": [1, "b"]}}
    with UnitOfWork(engine) as uow:
        insert_many(uow.session, AuditLog, [row])
        uow.session.add(AuditLog(**{**row, "entity_id": 2}))
        uow.commit()
    with engine.connect() as c:
        raw = c.execute(sa.text("SELECT entity_id, at, after FROM audit_log ORDER BY entity_id")).all()
        assert raw[0][1:] == raw[1][1:]
        found = c.execute(sa.select(AuditLog.__table__.c.entity_id).where(AuditLog.__table__.c.at == at)).scalars()
        assert sorted(found) == [1, 2]
        assert c.execute(sa.text("SELECT count(*) FROM audit_log WHERE before IS NULL")).scalar_one() in (0, 2)
    # columns left out take the model's defaults, as through the ORM
    from salon_cli.db.models import Client

    with UnitOfWork(engine) as uow:
        insert_many(uow.session, Client, [{"id": 901, "first_name": "Bulk", "created_at": at}])
        uow.session.add(Client(id=902, first_name="Bulk", created_at=at))
        uow.commit()
    with engine.connect() as c:
        table = Client.__table__
        stored = [dict(r._mapping) for r in c.execute(sa.select(table).where(table.c.id.in_([901, 902]))
                                                      .order_by(table.c.id))]
        assert {**stored[0], "id": 902} == stored[1]
        assert (stored[0]["last_name"], stored[0]["no_show_count"], stored[0]["marketing_consent"]) == ("", 0, False)
