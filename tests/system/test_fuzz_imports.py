"""Hostile files through every `salon import` (hypothesis), on SQLite and PostgreSQL (`db_url`).

Each importer is fed what other systems and careless hands produce: random bytes, the wrong
encoding (latin-1, UTF-16 with and without its BOM), NUL bytes, huge fields, ragged rows,
unbalanced quotes, duplicate, missing and unknown headers, formula-like cells (`=CMD|...`), absurd
dates, amounts and phones, JSON instead of CSV, good rows mixed with bad ones, and odd options.
Whatever the file, the command must end with an exit code of SPEC.md (0, 1 or 2; 3 for a missing
PIN never happens here: the owner's PIN is given), say what is wrong as `error: ...` lines (never a
traceback: SALON_DEBUG=1 lets an unexpected exception through, and `catch_exceptions=False` fails the
test with it), and when it refuses, leave every row of every table exactly as it was (DESIGN.md rule 8).

One salon database is set up per test (and database kind); every example compares a dump of the
whole database before and after its command, so function-scoped fixtures are what we want here.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli_helpers import INIT, OWNER, salon
from salon_cli.cli.app import app

FIELDS = {
    "clients": ["first_name", "last_name", "phone", "email", "birthday", "external_code", "tags", "gender",
                "marketing_consent", "notes", "created_at", "id"],
    "services": ["code", "name", "category", "duration_min", "price", "price_cents", "active"],
    "products": ["code", "name", "category", "price", "stock", "active"],
    "appointments": ["external_id", "client", "service", "staff", "date", "time", "status", "duration_min", "price",
                     "note", "deposit", "starts_at", "client_id", "walk_in", "created", "cancel_date", "cancelled_by"],
    "sales": ["receipt", "date", "time", "client", "staff", "description", "quantity", "amount", "method", "tip",
              "tax:IVA", "external_id", "paid_at", "discount", "kind", "refund_of"],
}
# Values an importer should take (so that some rows, or whole files, are good), per field.
GOOD = {
    "first_name": ["Ana", "José", "Zoë"], "last_name": ["López", "", "O'Neil"],
    "phone": ["5512345678", "+34 911 234 567", "(555) 123-4567"], "email": ["ana@example.com", "x@y.mx"],
    "birthday": ["1990-05-17", "05/17/1990", "17 ene 1990"], "external_code": ["OLD-7", "C-1"],
    "tags": ["vip;color", "vip,"], "gender": ["f", "m"], "marketing_consent": ["yes", "0", ""],
    "notes": ["general: likes tea", "technical (private): 6N"], "created_at": ["2024-01-01T10:00:00-06:00"],
    "id": ["1", "7"], "code": ["corte", "nuevo-1"], "name": ["Corte dama", "Shampoo", "Nuevo"],
    "category": ["hair"], "duration_min": ["45", "60"], "price": ["350", "$1,250.00", "12,50"],
    "price_cents": ["35000"], "active": ["true", "no"], "stock": ["5", "0"], "external_id": ["A-1", "R-9"],
    "client": ["1", "5512345678", "OLD-7", "beto@example.com"], "service": ["corte", "Corte dama;corte"],
    "staff": ["ana", "Ana Díaz"], "date": ["2026-11-23", "11/23/2026", "2026-11-20"],
    "time": ["10:00", "3:50 PM"], "status": ["booked", "no-show", "completed"], "deposit": ["100"],
    "starts_at": ["2026-11-23T10:00:00-06:00"], "client_id": ["1"], "walk_in": ["false"],
    "receipt": ["R-1", "R-2"], "description": ["corte", "Shampoo", "Propina"], "quantity": ["1", "2"],
    "amount": ["350.00", "180"], "method": ["cash", "tarjeta", ""], "tip": ["50", ""], "tax:IVA": ["48.28", ""],
    "paid_at": ["2026-11-20T12:00:00-06:00"], "note": ["ok"], "created": ["2026-11-01", "11/01/2026"],
    "cancel_date": ["2026-11-19"], "cancelled_by": ["client", "Ana Díaz"], "discount": ["0", "10.00"],
    "kind": ["service", "product", "discount"], "refund_of": ["R-1", ""],
}
HOSTILE = [
    "", " ", "=CMD|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")", "\x00", "a\x00b",
    "\r", "\n", "\"", "\"\"", "'", "\\", ";", ",", "\t", "|", "é", "\ufeff", "\u202e", "\ud7ff", "🙂", "NaN", "inf",
    "-inf", "1e309", "-0", "0", "-1", "99999999999999999999999", "1" * 400, "1,2,3", "1.2.3", "$", "€-5",
    "(100)", "0x10", "١٢٣", "½", "2026-02-30", "0000-00-00", "9999-12-31", "31/12/9999", "1900-01-01",
    "-2026-01-01", "24:00", "25:61", "12:00 XM", "00:00", "+", "+52", "+999 1234567890123456", "0000000",
    "call me", "a@", "@b", "a@b@c", "x" * 5000, "None", "null", "true", "{\"a\": 1}", "[1,2]", "%Y-%m-%d",
    "%s", "{0}", "${jndi:ldap://x}", "<script>", "DROP TABLE client;--", "' OR 1=1 --", "tax:", "tax:IVA",
]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
OPTIONS = {
    "--encoding": ["utf-8", "latin-1", "utf-16", "utf-16-le", "cp1252", "ascii", "nope", "rot13", "hex", "idna",
                   "utf-7", "punycode", ""],
    "--date-format": ["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Q", "%", "nope", "%Y-%m-%d %H:%M", "", "%s", "%%"],
    "--time-format": ["%H:%M", "%I:%M %p", "%", "%H", "x", "%Y"],
    "--decimal-separator": [".", ",", "x", "", ".."],
    "--map": ["Nombre=first_name", "x=-", "=", "a=", "=b", "Fecha=date", "IVA=tax:IVA", "GST=tax:", "q=nope"],
}
COMMAND_OPTIONS = {
    "clients": ["--encoding", "--date-format", "--map"],
    "services": ["--encoding", "--decimal-separator", "--map"],
    "products": ["--encoding", "--decimal-separator", "--map"],
    "appointments": ["--encoding", "--date-format", "--time-format", "--decimal-separator", "--map"],
    "sales": ["--encoding", "--date-format", "--time-format", "--decimal-separator", "--map"],
}
FLAGS = {
    "clients": ["--dry-run", "--skip-bad", "--keep-ids"],
    "services": ["--dry-run", "--skip-bad"],
    "products": ["--dry-run", "--skip-bad"],
    "appointments": ["--dry-run", "--skip-bad", "--keep-ids", "--create-missing", "--allow-overlap"],
    "sales": ["--dry-run", "--skip-bad", "--keep-ids", "--create-missing", "--amount-before-tax",
              "--amount-includes-tax"],
}
ALLOWED_EXITS = {0, 1, 2}
# What stderr may say: errors and hints, the faults listed one a line, and a command's own notes.
STDERR_STARTS = ("error: ", "hint: ", "  ", "imported ", "dry run, nothing written", "the refused rows and why",
                 "created ", "would create ", "warning: ", "(no rows)")


def _cell(field: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(GOOD.get(field, ["x"])), st.sampled_from(HOSTILE), st.text(max_size=30),
                     st.text(alphabet=st.characters(codec="latin-1"), max_size=12))


def _quote(cell: str, delimiter: str, style: str) -> str:
    if style == "raw":  # as a careless exporter writes it: quotes, newlines and delimiters left as they are
        return cell
    if style == "unbalanced":
        return '"' + cell
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in f'"\r\n{delimiter}') else cell


@st.composite
def csv_files(draw, command: str) -> bytes:
    """A CSV-ish file for `command`: headers right, wrong, doubled or missing; rows good, bad or ragged."""
    fields = FIELDS[command]
    header = draw(st.lists(st.one_of(st.sampled_from(fields), st.sampled_from(fields).map(str.upper),
                                     st.sampled_from(HOSTILE[:30]), st.text(max_size=12)), min_size=0, max_size=8))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    style = draw(st.sampled_from(["csv", "csv", "raw", "unbalanced"]))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = [draw(_cell(name)) for name in header]
        if draw(st.integers(0, 5)) == 0:  # ragged
            cells = cells[:-1] if cells and draw(st.booleans()) else [*cells, draw(_cell("x"))]
        rows.append(cells)
    lines = [delimiter.join(_quote(c, delimiter, "csv") for c in header)]
    for cells in rows:
        lines.append(delimiter.join(_quote(c, delimiter, style if draw(st.integers(0, 3)) == 0 else "csv")
                                    for c in cells))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3, "\x00", "\"", "\x1a"]))
    if draw(st.integers(0, 9)) == 0:  # one huge field
        text += delimiter + "y" * draw(st.sampled_from([70_000, 200_000]))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # a stray byte somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


def good_files(command: str) -> st.SearchStrategy[bytes]:
    """A well-formed file of good and bad rows mixed: the checks beyond parsing are exercised."""
    fields = FIELDS[command]

    @st.composite
    def build(draw) -> bytes:
        header = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields), unique=True))
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for _ in range(draw(st.integers(1, 5))):
            writer.writerow([draw(st.one_of(st.sampled_from(GOOD.get(f, ["x"])), st.sampled_from(HOSTILE)))
                             for f in header])
        return out.getvalue().encode("utf-8")

    return build()


def other_files() -> st.SearchStrategy[bytes]:
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                               lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                           max_size=3), max_leaves=8)
    return st.one_of(
        st.binary(max_size=300),
        st.just(b""), st.just(b"\xef\xbb\xbf"), st.just(b"\xff\xfe"), st.just(b"\xfe\xff\x00"),
        st.just(b"\x00" * 64),
        json_values.map(lambda v: json.dumps(v).encode()),
        json_values.map(lambda v: "\n".join(json.dumps(v) for _ in range(3)).encode()),  # NDJSON
    )


@st.composite
def invocations(draw, command: str) -> tuple[bytes, list[str], bool]:
    data = draw(st.one_of(csv_files(command), good_files(command), other_files()))
    args: list[str] = []
    for option in draw(st.lists(st.sampled_from(COMMAND_OPTIONS[command]), max_size=2)):
        args += [option, draw(st.sampled_from(OPTIONS[option]))]
    args += draw(st.lists(st.sampled_from(FLAGS[command]), max_size=2, unique=True))
    return data, args, draw(st.integers(0, 4)) == 0  # the file on stdin, sometimes


def _setup(url: str) -> None:
    def ok(*args: str) -> None:
        run = salon(url, *args)
        assert run.code == 0, run.stderr

    ok(*INIT)
    ok(*OWNER, "staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444")
    ok(*OWNER, "service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350")
    ok(*OWNER, "product", "add", "Shampoo", "--code", "shampoo", "--price", "180", "--stock", "5")
    ok(*OWNER, "policy", "set", "--tax", "IVA:16%:inclusive")
    ok(*OWNER, "client", "add", "--first", "Ana", "--last", "López", "--phone", "5512345678")
    ok(*OWNER, "client", "add", "--first", "Carla", "--last", "Ruiz", "--external-code", "OLD-7")


class Dump:
    """Every row of every table, to compare the database before and after a command."""

    def __init__(self, url: str) -> None:
        import importlib

        from sqlmodel import SQLModel

        from salon_cli.db.engine import make_engine

        importlib.import_module("salon_cli.db.models")  # every table in the metadata

        self.engine = make_engine(url)
        self.tables = sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name)

    def __call__(self) -> dict[str, list[tuple]]:
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            return {t.name: sorted((tuple(map(repr, row)) for row in conn.execute(sa.select(t))))
                    for t in self.tables}

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def shop(db_url, clock, monkeypatch):
    monkeypatch.setenv("SALON_DEBUG", "1")  # an unexpected exception escapes: the test fails on it
    _setup(db_url)
    dump = Dump(db_url)
    yield db_url, dump
    dump.close()


def _run(url: str, command: str, data: bytes, args: list[str], stdin: bool, folder) -> tuple[int, str, str]:
    path = folder / f"{command}.csv"
    path.write_bytes(data)
    extra = ["--rejects", str(folder / "rejects.csv")] if "--skip-bad" in args else []
    argv = ["--db", url, *OWNER, "import", command, "-" if stdin else str(path), *args, *extra]
    result = CliRunner().invoke(app, argv, input=data if stdin else None, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_one(url: str, dump: Dump, command: str, data: bytes, args: list[str], stdin: bool, folder) -> int:
    before = dump()
    code, stdout, stderr = _run(url, command, data, args, stdin, folder)
    assert code in ALLOWED_EXITS, (code, stderr)
    assert "Traceback" not in stderr and "Traceback" not in stdout
    for line in stderr.splitlines():
        assert line.startswith(STDERR_STARTS), (line, stderr)
    if code != 0:
        assert "\nerror: " in "\n" + stderr, stderr
        assert dump() == before, f"exit {code} but the database changed: {stderr}"
    return code


# Function-scoped fixtures are deliberate: one salon per test, and each example checks that its own
# command changed nothing when it refused (the state carried between examples is part of the fuzz).
# 20 hostile files per importer and database kind on every run (240 in all, new ones each run: the seed
# is random); SALON_FUZZ_EXAMPLES=400 for a deeper hunt. Each example dumps the whole database twice.
FUZZ = settings(max_examples=int(os.environ.get("SALON_FUZZ_EXAMPLES", "20")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.mark.parametrize("command", list(FIELDS))
def test_a_hostile_file_is_refused_cleanly_and_changes_nothing(shop, command, tmp_path):
    url, dump = shop

    @FUZZ
    @given(invocations(command))
    def fuzz(case):
        data, args, stdin = case
        check_one(url, dump, command, data, args, stdin, tmp_path)

    fuzz()


# -- the cases the fuzzing found, kept as plain examples -------------------------------------------------


def test_encodings_the_fuzzing_found_are_refused_as_bad_input(shop, tmp_path):
    """Each of these crashed with a traceback (exit 1 without SALON_DEBUG): UTF-16 without its BOM,
    a codec of bytes rather than text, and idna in the sales importer's look for tax columns."""
    url, dump = shop
    for command, data, encoding in [("clients", "first_name\nAna\n".encode("utf-16-le"), "utf-16"),
                                    ("clients", b"\xef\xbb\xbf", "utf-16"),
                                    ("services", b"name,price,duration_min\nx,1,30\n", "hex"),
                                    ("sales", b"\x00", "idna"), ("sales", b"\x80", "punycode"),
                                    ("sales", b"\r,y\r\n", "utf-8")]:
        for stdin in (False, True):
            assert check_one(url, dump, command, data, ["--encoding", encoding], stdin, tmp_path) == 2


def test_a_utf16_sales_file_with_tax_columns_imports(shop, tmp_path):
    """Excel's "Unicode text" export: its tax:NAME column was refused as unknown (looked for in UTF-8)."""
    url, dump = shop
    text = "receipt,date,description,amount,tax:IVA\nR-16,2026-11-20,corte,350,48.28\n"
    assert check_one(url, dump, "sales", text.encode("utf-16"), [], False, tmp_path) == 0
