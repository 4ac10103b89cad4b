"""`salon sale receipt`, `salon policy set --receipt-printer/--receipt-via` and `salon location set --tax-id`
as the desk and scripts meet them, on SQLite and PostgreSQL, with `receipt_sale.py`'s fixed sale 1
(refund 1). A `file:PATH` printer receives exactly the committed ESC/POS snapshot; an e-mail goes to a
real SMTP server; the hostile paths change nothing.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from cli_helpers import OWNER, salon as cli
from import_probe import HEAVY, PROBE
from salon_cli.db.models import AuditLog, Outbox
from salon_cli.db.uow import UnitOfWork
from receipt_sale import fixed_sale

SOFIA = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]
SNAPSHOT = Path(__file__).parent / "data" / "fixed_sale.escpos"


@pytest.fixture
def desk(engine, salon, db_url):
    fixed_sale(engine)
    return db_url


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def audit_actions(engine) -> list[tuple[str, str]]:
    with UnitOfWork(engine, write=False) as uow:
        return [(a, who) for a, who in uow.session.exec(
            select(AuditLog.action, AuditLog.actor).where(AuditLog.action.like("receipt.%")).order_by(AuditLog.id))]


def test_on_screen_as_json_saved_and_printed_to_a_file_printer(desk, engine, tmp_path):
    shown = ok(desk, "sale", "receipt", "1")
    assert shown.stdout.splitlines()[5] == "Venta #1            21 nov 2026 11:00 a.m."
    assert "TOTAL                              $760.41" in shown.stdout and shown.stderr == ""
    record = json.loads(ok(desk, "sale", "receipt", "1", "--refund", "1", "-f", "json").stdout)
    assert (record["kind"], record["sale_id"], record["refund_id"], record["cashier"]) == ("refund", 1, 1, "Marco")
    assert (record["total_cents"], record["refunded_cents"], record["points"], record["points_balance"]) == (
        76041, 10000, -99, 711)
    assert record["taxes"] == [{"name": "IVA", "rate_bp": 1600, "inclusive": False, "amount_cents": 10224},
                               {"name": "ISH", "rate_bp": 300, "inclusive": False, "amount_cents": 1917}]
    assert record["at"] == "2026-11-21T11:00:00-06:00"

    # saved: PDF and text, replaced when they are receipts written before; never the database
    pdf_file, txt_file = tmp_path / "out" / "venta-1.pdf", tmp_path / "venta-1.txt"
    run = ok(desk, "sale", "receipt", "1", "--pdf", str(pdf_file), "--text", str(txt_file))
    assert run.stdout == "" and f"saved to {pdf_file}" in run.stderr
    assert txt_file.read_text(encoding="utf-8") == shown.stdout
    said = PdfReader(io.BytesIO(pdf_file.read_bytes())).pages[0].extract_text()
    assert "ISH 3%" in said and "Cambio $89.59" in said and "tinte disparejo" in said
    ok(desk, "sale", "receipt", "1", "--pdf", str(pdf_file), "--text", str(txt_file))  # ours: replaced
    other = tmp_path / "notes.txt"
    other.write_text("not a receipt\n")
    refused = cli(desk, "sale", "receipt", "1", "--text", str(other))
    assert refused.code == 2 and "is not a previous text receipt" in refused.stderr
    if desk.startswith("sqlite"):
        database = desk.removeprefix("sqlite:///")
        before = Path(database).read_bytes()[:100]
        refused = cli(desk, "sale", "receipt", "1", "--pdf", database, "--force")
        assert refused.code == 2 and "is the salon's database" in refused.stderr
        assert Path(database).read_bytes()[:100] == before

    # printed: the file printer gets exactly the snapshot's bytes, and the print is audited
    printer = tmp_path / "printer.bin"
    ok(desk, *MARCO, "policy", "set", "--receipt-printer", f"file:{printer}", "--receipt-via", "print, screen")
    policy = json.loads(ok(desk, "policy", "show", "-f", "json").stdout)
    assert (policy["receipt_printer"], policy["receipt_via"]) == (f"file:{printer}", "screen,print")
    run = ok(desk, *SOFIA, "sale", "receipt", "1", "--print")
    assert printer.read_bytes() == SNAPSHOT.read_bytes() and f"printed on file:{printer}" in run.stderr
    ok(desk, *SOFIA, "sale", "receipt", "1", "--print")  # a reprint is the same again
    assert printer.read_bytes() == SNAPSHOT.read_bytes()
    assert audit_actions(engine) == [("receipt.printed", "sofia"), ("receipt.printed", "sofia")]

    located = json.loads(ok(desk, *OWNER, "location", "set", "--tax-id", "XAXX010101000", "-f", "json").stdout)
    assert located["tax_id"] == "XAXX010101000"
    assert "Id. fiscal: XAXX010101000" in ok(desk, "sale", "receipt", "1").stdout
    assert json.loads(ok(desk, *OWNER, "location", "set", "--tax-id", "none", "-f", "json").stdout)["tax_id"] is None


def test_hostile_receipts_refused_with_the_right_code_and_nothing_recorded(desk, engine, tmp_path):
    def refused(code: int, words: str, *args: str) -> None:
        run = cli(desk, *args)
        assert (run.code, run.stdout) == (code, ""), (args, run.stderr)
        assert words in run.stderr, (args, run.stderr)

    refused(1, "error: no sale 42 at centro", "sale", "receipt", "42")
    ok(desk, *SOFIA, "sale", "open")  # sale 2, open
    refused(1, "error: sale 2 is open: nothing paid yet", "sale", "receipt", "2")
    refused(1, "error: sale 1 has no refund 9", "sale", "receipt", "1", "--refund", "9")
    refused(2, "-f table or -f json", "sale", "receipt", "1", "-f", "csv")
    refused(1, "this location has no receipt printer\nhint: set one: salon policy set --receipt-printer",
            *SOFIA, "sale", "receipt", "1", "--print")
    refused(2, "receipt printer 'lpt1:9100'", *MARCO, "policy", "set", "--receipt-printer", "lpt1:9100")
    refused(2, "receipt printer 'usb:04b8'", *MARCO, "policy", "set", "--receipt-printer", "usb:04b8")
    refused(2, "--receipt-via 'screen,fax'", *MARCO, "policy", "set", "--receipt-via", "screen,fax")
    refused(3, "", *SOFIA, "policy", "set", "--receipt-printer", "network:10.0.0.9")  # a manager's PIN
    refused(2, "tax id", *OWNER, "location", "set", "--tax-id", "X" * 40)
    assert json.loads(ok(desk, "policy", "show", "-f", "json").stdout)["receipt_printer"] is None

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ok(desk, *MARCO, "policy", "set", "--receipt-printer", f"network:127.0.0.1:{port}")
    refused(5, f"the receipt printer network:127.0.0.1:{port} cannot be reached (Connection refused); nothing was printed",
            *SOFIA, "sale", "receipt", "1", "--print")
    refused(3, "", "--as", "sofia", "--pin", "0000", "sale", "receipt", "1", "--print")
    refused(2, "'not-an-address' is not an e-mail address", *SOFIA, "sale", "receipt", "1", "--email-to", "not-an-address")
    refused(5, "SALON_SMTP_HOST not set; the receipt was not e-mailed", *SOFIA, "sale", "receipt", "1", "--email")
    assert audit_actions(engine) == []
    with UnitOfWork(engine, write=False) as uow:
        assert not [m for m in uow.session.exec(select(Outbox)) if "receipt" in m.payload]


def test_email_from_the_command_line_goes_at_once_with_the_pdf(desk, engine, mail_server, monkeypatch):
    for key, value in mail_server.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SALON_LANG", "en")
    run = ok(desk, *SOFIA, "sale", "receipt", "1", "--email")
    assert run.stdout == "" and "receipt of sale 1 e-mailed to xime@example.com" in run.stderr
    (got,) = mail_server.received
    assert got.message["Subject"] == "Your receipt from Salón Centro: sale 1"
    assert "Total with tip                   MX$810.41" in got.message.get_body(preferencelist=("plain",)).get_content()
    (attached,) = list(got.message.iter_attachments())
    said = PdfReader(io.BytesIO(attached.get_content())).pages[0].extract_text()
    assert "IVA 16%" in said and "MX$89.59" in said
    mail_server.stop()  # the server is gone: exit 5, the message stays queued for send-reminders
    run = cli(desk, *SOFIA, "sale", "receipt", "1", "--refund", "1", "--email-to", "otra@example.com")
    assert run.code == 5 and "it stays queued" in run.stderr
    with UnitOfWork(engine, write=False) as uow:
        rows = [(m.status, m.recipient) for m in uow.session.exec(select(Outbox).order_by(Outbox.id))
                if "receipt" in m.payload]
    assert rows == [("sent", "xime@example.com"), ("queued", "otra@example.com")]
    assert audit_actions(engine) == [("receipt.emailed", "sofia"), ("receipt.emailed", "sofia")]


def test_receipt_help_loads_no_database_ui_pdf_or_printer_library():
    heavy = [*HEAVY, "babel", "escpos", "fpdf", "pypdf"]
    for args in (["sale", "--help"], ["sale", "receipt", "--help"]):
        proc = subprocess.run([sys.executable, "-c", PROBE.replace("json.loads(HEAVY)", repr(heavy)), *args],
                              capture_output=True, text=True, timeout=60)
        line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED=")]
        assert line and json.loads(line[0][len("LOADED="):]) == [], proc.stderr
        assert "receipt" in proc.stdout
