"""Mapping another system's columns (issue 29, point 10), on SQLite and PostgreSQL (`db_url`).

One column read as two fields works (a client list of codes only: the code is the external code and,
until a fuller list arrives, the name); two columns read as one field, a column both skipped and read,
and one column read as two amounts of money are refused, naming the options. A dry run writes the
mapping it used (`--save-mapping`): every column of the file, the formats and the import's own options,
0600, through the output-file checks; the next import with `--mapping` alone reproduces the import.

The clock is Saturday 2026-11-21 11:00 in Mexico City; the policy has IVA 16 % included in prices.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tomllib
from collections import defaultdict
from decimal import Decimal

import pytest

from cli_helpers import OWNER, salon, small_salon

DESK = ["--as", "sofia"]
SALES = (  # semicolons, decimal commas, day-first dates that read both ways (03/11), amounts before tax
    "Ticket;Fecha;Estilista;Concepto;Importe;IVA;Nota\n"
    "A-1;03/11/2026;ana;Corte dama;100,00;16,00;primera vez\n"
    "A-1;03/11/2026;ana;Shampoo;50,50;8,08;\n"
    "A-2;04/11/2026;ana;Corte dama;800,00;128,00;\n"
)
SALES_MAP = ["--map", "Ticket=receipt", "--map", "Fecha=date", "--map", "Estilista=staff", "--map", "Concepto=description",
             "--map", "Importe=amount", "--map", "IVA=tax:IVA", "--map", "Nota=-"]
CODES = "Code,Phone,Puntos\nPERA01,5512345678,120\nLOPE02,,0\n"  # a client list of codes only
CODE_MAP = ["--map", "Code=external_code", "--map", "Code=first_name", "--map", "Puntos=-"]


def _ok(run):
    assert run.code == 0, run.stderr
    return run


@pytest.fixture
def salon_url(db_url, clock):
    small_salon(db_url)
    return db_url


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _toml(path):
    with open(path, "rb") as stream:
        return tomllib.load(stream)


def _clients(url):
    exported = json.loads(_ok(salon(url, *DESK, "export", "clients", "-f", "json")).stdout)
    return sorted((c["external_code"], c["first_name"], c["phone"]) for c in exported)


def test_one_column_read_as_two_fields_saved_and_read_again(salon_url, tmp_path):
    source = _file(tmp_path, "codes.csv", CODES)
    saved = tmp_path / "codes.toml"
    dry = _ok(salon(salon_url, *DESK, "import", "clients", source, *CODE_MAP, "--dry-run", "--save-mapping", str(saved),
                    "-f", "json"))
    assert [(p["row"], p["action"]) for p in json.loads(dry.stdout)] == [(2, "create"), (3, "create")]
    assert f"the mapping used: {saved}" in dry.stderr
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    assert _toml(saved) == {"encoding": "utf-8", "columns": {"Code": ["external_code", "first_name"], "Phone": "phone",
                                                            "Puntos": "-"}}
    assert _clients(salon_url) == []  # a dry run writes the mapping, not the clients

    done = json.loads(_ok(salon(salon_url, *DESK, "import", "clients", source, "--mapping", str(saved), "-f", "json")).stdout)
    assert (done["rows_read"], done["rows_used"], done["created"], done["unchanged"]) == (2, 2, 2, 0)
    assert _clients(salon_url) == [("LOPE02", "LOPE02", None), ("PERA01", "PERA01", "+525512345678")]

    # --map wins over the file column by column: Code is now the external code only, and a client needs a name
    run = salon(salon_url, *DESK, "import", "clients", source, "--mapping", str(saved), "--map", "Code=external_code")
    assert run.code == 2 and "row 1 column first_name: required column is missing" in run.stderr


def test_a_dry_run_saves_the_mapping_that_reproduces_the_import(salon_url, tmp_path):
    source = _file(tmp_path, "tickets.csv", SALES)
    saved = tmp_path / "tickets.toml"
    _ok(salon(salon_url, *DESK, "import", "sales", source, *SALES_MAP, "--date-format", "%d/%m/%Y", "--amount-before-tax",
              "--dry-run", "--save-mapping", str(saved)))
    mapping = _toml(saved)
    assert mapping.pop("columns") == {"Ticket": "receipt", "Fecha": "date", "Estilista": "staff",
                                      "Concepto": "description", "Importe": "amount", "IVA": "tax:IVA", "Nota": "-"}
    # the formats given and found (the decimal comma, read off the amounts), and the amounts' basis
    assert mapping == {"date_format": "%d/%m/%Y", "encoding": "utf-8", "decimal_separator": ",",
                       "amount_before_tax": True}
    assert json.loads(_ok(salon(salon_url, *DESK, "export", "sales", "-f", "json")).stdout) == []

    # the next import needs the mapping only: without it the columns are unknown, with it the file's figures
    assert salon(salon_url, *DESK, "import", "sales", source).code == 2
    done = json.loads(_ok(salon(salon_url, *DESK, "import", "sales", source, "--mapping", str(saved), "-f", "json")).stdout)
    assert (done["rows_read"], done["rows_used"], done["created"]) == (3, 3, 2)
    want: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in csv.DictReader(io.StringIO(SALES), delimiter=";"):
        amount, tax = (int(Decimal(row[c].replace(",", ".")) * 100) for c in ("Importe", "IVA"))
        want[row["Ticket"]][0] += amount + tax
        want[row["Ticket"]][1] += tax
    sales = json.loads(_ok(salon(salon_url, *DESK, "export", "sales", "-f", "json")).stdout)
    assert {s["external_id"]: [s["total_cents"], s["tax_cents"]] for s in sales} == want == {
        "A-1": [17458, 2408], "A-2": [92800, 12800]}
    assert [s["business_date"] for s in sorted(sales, key=lambda s: s["external_id"])] == ["2026-11-03", "2026-11-04"]

    # saved again over itself (a file --save-mapping wrote may be replaced): the same mapping
    _ok(salon(salon_url, *DESK, "import", "sales", source, "--mapping", str(saved), "--dry-run", "--save-mapping", str(saved)))
    assert _toml(saved)["amount_before_tax"] is True and _toml(saved)["columns"]["Nota"] == "-"


def test_the_import_s_own_options_are_kept_in_the_mapping(salon_url, tmp_path):
    """A service list without lengths: --default-duration is kept, and the next import reads it there."""
    menu = _file(tmp_path, "menu.csv", "Clave,Servicio,Precio\nCUT+2,Corte doble,350\nCOL 2,Color,900\n")
    saved = tmp_path / "menu.toml"
    _ok(salon(salon_url, *OWNER, "import", "services", menu, "--map", "Clave=code", "--map", "Servicio=name",
              "--map", "Precio=price", "--default-duration", "30", "--dry-run", "--save-mapping", str(saved)))
    assert _toml(saved) == {"encoding": "utf-8", "default_duration": 30,
                            "columns": {"Clave": "code", "Servicio": "name", "Precio": "price"}}
    _ok(salon(salon_url, *OWNER, "import", "services", menu, "--mapping", str(saved)))
    services = json.loads(_ok(salon(salon_url, *OWNER, "service", "list", "-f", "json")).stdout)
    assert sorted((s["name"], s["duration_min"], s["price_cents"]) for s in services) == [
        ("Color", 30, 90000), ("Corte dama", 45, 35000), ("Corte doble", 30, 35000)]


def test_mappings_that_would_lose_or_double_a_value_are_refused(salon_url, tmp_path):
    codes = _file(tmp_path, "codes.csv", CODES)
    tickets = _file(tmp_path, "tickets.csv", SALES)
    cases = [
        (["clients", codes, "--map", "Code=external_code", "--map", "Phone=external_code"],
         "error: --map Code=external_code and --map Phone=external_code: two columns read as one field, external_code"),
        (["clients", _file(tmp_path, "both.csv", "external_code,Code,first_name\nA1,B1,Ana\n"), "--map", "Code=external_code"],
         "row 1 column Code: read as external_code, as is column external_code: two columns read as one field"),
        (["clients", codes, "--map", "Code=-", "--map", "Code=first_name"],
         "error: --map Code: both skipped (-) and read as first_name"),
        (["sales", tickets, *SALES_MAP, "--map", "Importe=tip"],
         "error: --map Importe: read as amount and as tip would count its money twice"),
        (["sales", tickets, *SALES_MAP, "--map", "IVA=tax:IEPS"],
         "error: --map IVA: read as tax:IVA and as tax:IEPS would count its money twice"),
        (["sales", tickets, *SALES_MAP, "--amount-before-tax", "--amount-includes-tax"],
         "error: --amount-before-tax and --amount-includes-tax together"),
        (["sales", tickets, "--mapping", _file(tmp_path, "noshow.toml", 'status = "no_show"\n[columns]\nTicket = "receipt"\n')],
         "status is not an option of this import"),
        (["clients", codes, "--mapping", _file(tmp_path, "twice.toml", '[columns]\nCode = ["-", "first_name"]\n')],
         "the --mapping file's column 'Code': both skipped (-) and read as first_name"),
        (["services", codes, "--default-duration", "0"], "--default-duration"),
    ]
    for args, said in cases:
        run = salon(salon_url, *OWNER, "import", *args)
        assert run.code == 2 and said in run.stderr, (args, run.stderr)
    assert _clients(salon_url) == []
    assert json.loads(_ok(salon(salon_url, *DESK, "export", "sales", "-f", "json")).stdout) == []

    # --save-mapping goes through the output-file checks: not over a file it did not write, unless --force
    letter = tmp_path / "letter.toml"
    letter.write_text("# my own notes\n")
    run = salon(salon_url, *DESK, "import", "clients", codes, *CODE_MAP, "--dry-run", "--save-mapping", str(letter))
    assert run.code == 2 and "--save-mapping" in run.stderr and "--force" in run.stderr
    assert letter.read_text() == "# my own notes\n"
    _ok(salon(salon_url, *DESK, "import", "clients", codes, *CODE_MAP, "--dry-run", "--save-mapping", str(letter), "--force"))
    assert _toml(letter)["columns"]["Code"] == ["external_code", "first_name"]
    if salon_url.startswith("sqlite"):
        database = salon_url.removeprefix("sqlite:///")
        run = salon(salon_url, *DESK, "import", "clients", codes, *CODE_MAP, "--dry-run", "--save-mapping", database,
                    "--force")
        assert run.code == 2 and "is the salon's database" in run.stderr
