"""Reports by e-mail for cron: `salon report day|staff|finance ... --email ADDRESS [--pdf]`, sent to a real
SMTP server (aiosmtpd, `mail_server`), on SQLite and PostgreSQL. The body is the table the command prints
in a pipe; the PDF (its text read back with pypdf) carries the same figures as the JSON; each message
taken is audited; refusals send nothing and record nothing. `--last day|week|month` is the period cron
asks for.

The salon: Friday 2026-11-20, Ximena's corte with ana (350.00 - 10% = 315.00 + IVA 50.40) and a shampoo sold
by sofia (180.00 - 10% = 162.00 + 25.92), tip 50.00, all by card; an expense of 120.00 (supplies, card);
the day closed with 0.00 counted. "Now" is Monday 2026-11-23, 08:00 in Mexico City.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlmodel import select

from cli_helpers import salon as run
from salon_cli.core.money import format_amount
from salon_cli.core.periods import previous
from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.closing import day_close, expenses
from salon_cli.services.receipts import report_pdf
from shop import OWNER, book, make_shop

MX = ZoneInfo("America/Mexico_City")
LUCIA = ["--as", "lucia"]
WEEK = ["--from", "2026-11-16", "--to", "2026-11-22"]


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=MX)


@pytest.fixture
def week(engine, salon, clock):
    clock.set(at("2026-11-20", "09:00"))
    shop = make_shop(engine, taxes=["IVA:16%"])
    appt = book(engine, shop, at="2026-11-20 12:00")
    clock.set(at("2026-11-20", "12:30"))
    checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=appt,
                      tenders=[checkout.parse_tender("card", "MXN")], tip_cents=5000, discount="10%",
                      products=[("shampoo", 1)])
    with UnitOfWork(engine) as uow:
        expenses.add(uow.session, actor=OWNER, location=shop.loc, amount_cents=12000, category="supplies",
                     description="towels", paid_from="card")
        uow.commit()
    clock.set(at("2026-11-23", "08:00"))
    with UnitOfWork(engine) as uow:
        day_close.close(uow.session, actor=OWNER, location=shop.loc, day=date(2026, 11, 20), counted_cents=0)
        uow.commit()
    return shop


@pytest.fixture
def smtp(mail_server, monkeypatch):
    for key, value in mail_server.env().items():
        monkeypatch.setenv(key, value)
    return mail_server


def _pdf_text(part) -> str:
    reader = PdfReader(io.BytesIO(part.get_content()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _body(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # as on the wire


def _attachments(message):
    return [part for part in message.iter_attachments()]


def _mailed_rows(engine) -> list[AuditLog]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(AuditLog).where(AuditLog.action == "report.emailed")
                                     .order_by(AuditLog.id)).all())


# ----------------------------------------------------------------------------- what is sent

def test_finance_by_mail_the_pipe_table_in_the_body_the_json_figures_in_the_pdf(db_url, engine, week, smtp):
    piped = run(db_url, *LUCIA, "report", "finance", *WEEK, "--by", "day")
    assert piped.code == 0 and smtp.received == []  # without --email: printed as ever, nothing sent
    figures = json.loads(run(db_url, *LUCIA, "report", "finance", *WEEK, "--by", "day", "-f", "json").stdout)
    assert figures["revenue_cents"] == 31500 + 16200 and figures["expenses_cents"] == 12000

    out = run(db_url, *LUCIA, "report", "finance", *WEEK, "--by", "day", "--email", "owner@example.com", "--pdf",
              "-f", "json")
    assert out.code == 0, out.stderr
    (got,) = smtp.received
    assert got.rcpt_tos == ["owner@example.com"]
    assert got.message["Subject"] == "Salón Centro · finance 2026-11-16..2026-11-22"
    assert got.message["From"] == "Salón Centro <citas@salon.example>"
    assert _body(got) == piped.stdout  # the very table a pipe gets, aligned
    assert "expenses by category" in _body(got) and "by day" in _body(got)
    (pdf,) = _attachments(got.message)
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "finance-centro-2026-11-16..2026-11-22.pdf"
    text = _pdf_text(pdf)
    for words in ("Salón Centro", "Finance report · 2026-11-16..2026-11-22", "amounts in MXN", "expenses by category",
                  "supplies", "by day", "2026-11-20"):
        assert words in text, words
    for key in ("revenue_cents", "tax_cents", "tips_cents", "expenses_cents", "net_cents"):
        assert format_amount(figures[key], "MXN") in text, key  # 477.00, 76.32, 50.00, 120.00, 357.00
    assert PdfReader(io.BytesIO(pdf.get_content())).pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4

    (sent,) = json.loads(out.stdout)  # stdout: what was sent
    assert sent == {"report": "finance", "period": "2026-11-16..2026-11-22", "to": "owner@example.com",
                    "subject": got.message["Subject"], "attachment": pdf.get_filename(),
                    "message_id": got.message["Message-ID"].strip()}
    (row,) = _mailed_rows(engine)
    assert (row.actor, row.entity, row.entity_id) == ("lucia", "report", None)
    assert row.after == {"report": "finance", "first": "2026-11-16", "last": "2026-11-22", "to": "owner@example.com",
                         "subject": sent["subject"], "attachment": sent["attachment"], "message_id": sent["message_id"]}


def test_staff_to_several_addresses_one_message_each_with_the_totals(db_url, engine, week, smtp):
    rows = json.loads(run(db_url, *LUCIA, "report", "staff", *WEEK, "-f", "json").stdout)
    piped = run(db_url, *LUCIA, "report", "staff", *WEEK).stdout
    out = run(db_url, *LUCIA, "report", "staff", *WEEK, "--email", "owner@example.com,marco@example.com",
              "--email", "OWNER@example.com", "--pdf")
    assert out.code == 0, out.stderr
    assert [r.rcpt_tos for r in smtp.received] == [["owner@example.com"], ["marco@example.com"]]  # each once
    assert {_body(r) for r in smtp.received} == {piped}
    assert out.stdout.count("staff") >= 2 and "marco@example.com" in out.stdout  # the table of what was sent
    reader = PdfReader(io.BytesIO(_attachments(smtp.received[0].message)[0].get_content()))
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.1)  # A4: the ten columns fit upright
    text = page.extract_text()
    assert "Staff report · 2026-11-16..2026-11-22" in text
    for r in rows:
        assert r["code"] in text and format_amount(r["revenue_cents"], "MXN") in text
    total = sum(r["revenue_cents"] for r in rows)
    assert "total" in text and format_amount(total, "MXN") in text
    assert [a.after["to"] for a in _mailed_rows(engine)] == ["owner@example.com", "marco@example.com"]


def test_day_by_mail_the_z_report_and_its_receipt_pdf(db_url, engine, week, smtp):
    piped = run(db_url, *LUCIA, "report", "day", "--date", "2026-11-20").stdout
    z = json.loads(run(db_url, *LUCIA, "report", "day", "--date", "2026-11-20", "-f", "json").stdout)
    out = run(db_url, *LUCIA, "report", "day", "--date", "2026-11-20", "--email", "owner@example.com", "--pdf")
    assert out.code == 0, out.stderr
    (got,) = smtp.received
    assert got.message["Subject"] == "Salón Centro · day 2026-11-20"
    assert _body(got) == piped and piped.startswith("Z-report  centro  2026-11-20")
    (pdf,) = _attachments(got.message)
    assert pdf.get_filename() == "z-report-centro-2026-11-20.pdf"
    page = PdfReader(io.BytesIO(pdf.get_content())).pages[0]
    assert float(page.mediabox.width) == pytest.approx(80 / 25.4 * 72, abs=0.1)  # the receipt's 80 mm
    text = page.extract_text()
    assert "Corte Z" in text  # the location's language (es), as printed
    assert "$477.00" in text and z["revenue_cents"] == 47700  # the same figure, in the desk's money format
    (row,) = _mailed_rows(engine)
    assert row.after["report"] == "day" and row.after["first"] == row.after["last"] == "2026-11-20"
    # without --pdf: the body alone
    assert run(db_url, *LUCIA, "report", "day", "--date", "2026-11-20", "--email", "owner@example.com").code == 0
    assert _attachments(smtp.received[-1].message) == []
    # today is open and uncounted: blind without a manager's PIN; the body says so, a PDF is refused
    blind = run(db_url, *LUCIA, "report", "day", "--email", "owner@example.com", "--pdf")
    assert blind.code == 1 and "blind" in blind.stderr and blind.stdout == "" and len(smtp.received) == 2
    assert run(db_url, *LUCIA, "report", "day", "--email", "owner@example.com").code == 0
    assert "blind count" in _body(smtp.received[-1]) and "477.00" not in _body(smtp.received[-1])
    assert len(_mailed_rows(engine)) == 3


# ----------------------------------------------------------------------------- the period cron asks for

@pytest.mark.parametrize(("today", "unit", "first", "last"), [
    ("2026-11-23", "week", "2026-11-16", "2026-11-22"),  # a Monday: the week before
    ("2026-11-22", "week", "2026-11-09", "2026-11-15"),  # a Sunday: still the week before this one
    ("2026-01-01", "week", "2025-12-22", "2025-12-28"),
    ("2026-03-01", "month", "2026-02-01", "2026-02-28"),
    ("2026-01-31", "month", "2025-12-01", "2025-12-31"),
    ("2024-03-15", "month", "2024-02-01", "2024-02-29"),
    ("2026-03-01", "day", "2026-02-28", "2026-02-28"),
])
def test_previous_period(today, unit, first, last):
    assert previous(date.fromisoformat(today), unit) == (date.fromisoformat(first), date.fromisoformat(last))


def test_last_week_is_the_locations_week_before_today(db_url, week):
    # "now" is Monday 2026-11-23 08:00 in Mexico City (14:00 UTC): the week before is 16..22
    assert run(db_url, *LUCIA, "report", "finance", "--last", "week", "-f", "json").stdout == \
        run(db_url, *LUCIA, "report", "finance", *WEEK, "-f", "json").stdout
    staff = json.loads(run(db_url, *LUCIA, "report", "staff", "--last", "month", "-f", "json").stdout)
    assert staff == []  # October: nothing
    both = run(db_url, *LUCIA, "report", "finance", "--last", "week", "--from", "2026-11-01")
    assert both.code == 2 and both.stderr.startswith("error: --last") and both.stdout == ""
    assert run(db_url, *LUCIA, "report", "staff", "--last", "year").code == 2


# ----------------------------------------------------------------------------- refusals

def test_refusals_send_nothing_and_record_nothing(db_url, engine, week, mail_server, monkeypatch):
    mail = ["--email", "owner@example.com"]

    def refused(code, *args):
        out = run(db_url, *args)
        assert out.code == code, (args, out.code, out.stderr)
        assert out.stdout == "" and out.stderr.startswith("error: ") and len(out.stderr.splitlines()) <= 2
        return out.stderr.splitlines()[0]

    # no mail server set up: exit 2, naming what is missing
    assert refused(2, *LUCIA, "report", "finance", *WEEK, *mail) == \
        "error: --email needs a mail server: SALON_SMTP_HOST not set"
    monkeypatch.setenv("SALON_SMTP_HOST", "127.0.0.1")
    assert refused(2, *LUCIA, "report", "finance", *WEEK, *mail) == \
        "error: --email needs a mail server: SALON_SMTP_FROM not set"
    for key, value in mail_server.env().items():
        monkeypatch.setenv(key, value)
    # usage: --pdf alone, a bad address, --email with --revisions
    assert "--pdf" in refused(2, *LUCIA, "report", "finance", *WEEK, "--pdf")
    assert "--pdf" in refused(2, *LUCIA, "report", "day", "--pdf")
    for bad in ("owner@", "not-an-address", "owner@example", "a b@example.com", "owner@example.com,,x@example.com", ""):
        refused(2, *LUCIA, "report", "staff", *WEEK, "--email", bad)
    refused(2, *LUCIA, "report", "day", "--revisions", *mail)
    # a receptionist has no reports permission: exit 3
    refused(3, "--as", "sofia", "report", "finance", *WEEK, *mail, "--pdf")
    refused(3, "--as", "sofia", "report", "day", "--date", "2026-11-20", *mail)
    assert mail_server.received == [] and mail_server.attempts == 0

    # the mail server failing: exit 5, nothing recorded as sent
    mail_server.refuse("nobody@example.com")
    assert "nobody@example.com" in refused(5, *LUCIA, "report", "finance", *WEEK, "--email", "nobody@example.com")
    mail_server.fail_next("451 4.3.0 try later")
    assert "451" in refused(5, *LUCIA, "report", "staff", *WEEK, *mail, "--pdf")
    assert _mailed_rows(engine) == [] and mail_server.received == []
    # one address refused of two: the other is sent and recorded, the command still says exit 5
    line = refused(5, *LUCIA, "report", "finance", *WEEK, "--email", "nobody@example.com,owner@example.com")
    assert "nobody@example.com" in line and "it was sent to owner@example.com" in line
    assert [r.after["to"] for r in _mailed_rows(engine)] == ["owner@example.com"]
    # the server gone
    mail_server.stop()
    refused(5, *LUCIA, "report", "day", "--date", "2026-11-20", *mail)
    assert len(_mailed_rows(engine)) == 1


# ----------------------------------------------------------------------------- the PDF alone

def test_report_pdf_in_courier_keeps_latin1_and_spells_the_rest():
    tables = [report_pdf.Table(None, {"revenue_cents": 123456, "net_cents": -5}, None, one=True),
              report_pdf.Table("by staff", [{"code": "ana", "name": "Ana Núñez — €", "revenue_cents": 99}])]
    data = report_pdf.document(location_name="Salón Centro", title="Finance report", period="2026-11-01..2026-11-30",
                               tables=tables, currency="EUR", font=None)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    for words in ("Salón Centro", "revenue", "1234.56", "-0.05", "Ana Núñez - EUR", "0.99", "amounts in EUR"):
        assert words in text, words
    wide = report_pdf.document(location_name="X", title="Staff report", period="2026-11-01", currency="MXN",
                               tables=[report_pdf.Table(None, [{f"column_{n}_cents": 10**11 * n for n in range(9)}])])
    page = PdfReader(io.BytesIO(wide)).pages[0]
    assert page.mediabox.width > page.mediabox.height and "8000000000.00" in page.extract_text()  # landscape
    empty = report_pdf.document(location_name="X", title="Staff report", period="2026-11-01",
                                tables=[report_pdf.Table(None, [], ["code"])], currency="MXN")
    assert "(no rows)" in PdfReader(io.BytesIO(empty)).pages[0].extract_text()
