"""Receipts, on SQLite and PostgreSQL: the fixed sale (two tenders, a tip, two taxes, a refund) said to
the cent in Spanish and English, on an ESC/POS printer (python-escpos's Dummy, against a committed
snapshot of the bytes), as PDF (its text extracted with pypdf) and e-mailed to a real SMTP server with
the PDF attached; a refund's and a void's receipt; what has no receipt.

The snapshot is made again on purpose: REGENERATE_RECEIPTS=1 pytest tests/receipts (then look
at the diff of the text it prints before committing it).
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
from pathlib import Path

import pytest
from escpos.printer import Dummy
from pypdf import PdfReader
from sqlmodel import select

from salon_cli.core.errors import InvalidInput, NotFound, OutsideServiceFailed, RuleViolation
from salon_cli.db.models import AuditLog, Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.closing import day_close
from salon_cli.services.messages.channels import channels_from_env
from salon_cli.services.receipts import content, delivery, escpos_out, pdf, text, zreport
from salon_cli.services.receipts.words import Speaker, language, locale_for
from salon_cli.services.salon.policy_receipts import check_printer, parse_via
from salon_cli.services.till import sales, tenders, tickets
from receipt_sale import fixed_sale

SNAPSHOT = Path(__file__).parent / "data" / "fixed_sale.escpos"

SPANISH = """\
               Salón Centro
       Av. Juárez 10, Centro, CDMX
          Tel. +52 55 1234 5678
         Id. fiscal: SCE010101AB1
==========================================
Venta #1            21 nov 2026 11:00 a.m.
Atendió: Sofia
Cliente: Ximena Jiménez
------------------------------------------
Corte                              $350.00
  Ana
Shampoo                            $360.00
  2 x $180.00 · Sofia
------------------------------------------
Subtotal                           $710.00
Descuento (10%)                    -$71.00
IVA 16%                            $102.24
ISH 3%                              $19.17
TOTAL                              $760.41
Propina                             $50.00
Total con propina                  $810.41
------------------------------------------
Tarjeta                            $200.00
Efectivo                           $610.41
  Propina $50.00
  Recibido $700.00 · Cambio $89.59
Pagado                             $810.41
------------------------------------------
Devoluciones
#1 Efectivo                       -$100.00
  Motivo: tinte disparejo
Devuelto                          -$100.00
------------------------------------------
Puntos ganados                         760
Saldo de puntos                        810
==========================================
         ¡Gracias por su visita!
"""


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def test_the_fixed_sale_to_the_cent_in_spanish_english_escpos_and_pdf_and_its_refund(engine, salon):
    f = fixed_sale(engine)
    loc = f.shop.loc
    r = _read(engine, content.build, loc, f.sale_id)
    assert text.text(r) == SPANISH
    assert all(len(line) <= 42 for line in text.text(r).splitlines())
    # the read model: taxes summed by name, tenders, tip, the refund, points, money in cents
    assert [(t.name, t.rate_bp, t.inclusive, t.amount_cents) for t in r.taxes] == [
        ("IVA", 1600, False, 10224), ("ISH", 300, False, 1917)]
    assert (r.subtotal_cents, r.discount_cents, r.tax_cents, r.total_cents, r.tip_cents, r.paid_cents) == (
        71000, 7100, 12141, 76041, 5000, 81041)
    assert r.subtotal_cents - r.discount_cents + sum(t.amount_cents for t in r.taxes) == r.total_cents
    assert [(t.method, t.amount_cents, t.tip_cents, t.tendered_cents, t.change_cents) for t in r.tenders] == [
        ("card", 20000, 0, None, 0), ("cash", 56041, 5000, 70000, 8959)]
    assert [(x.amount_cents, x.method, x.reason) for x in r.refunds] == [(10000, "cash", "tinte disparejo")]
    assert (r.kind, r.cashier, r.points, r.points_balance, r.tax_id) == ("sale", "Sofia", 760, 810, "SCE010101AB1")
    assert [(x.description, x.quantity, x.staff, x.amount_cents, x.discount_cents) for x in r.lines] == [
        ("Corte", 1, "Ana", 35000, 3500), ("Shampoo", 2, "Sofia", 36000, 3600)]

    english = text.text(_read(engine, content.build, loc, f.sale_id, lang="en"))
    for line in ("Sale #1              Nov 21, 2026 11:00 AM", "Cashier: Sofia", "           Tax ID: SCE010101AB1",
                 "IVA 16%                          MX$102.24", "Total with tip                   MX$810.41",
                 "  Tendered MX$700.00 · Change MX$89.59", "#1 Cash                         -MX$100.00",
                 "Points balance                         810", "        Thank you for your visit!"):
        assert line in english.splitlines()

    refund = text.text(_read(engine, content.build, loc, f.sale_id, refund_id=f.refund_id))
    assert refund.splitlines()[5:17] == [
        "Devolución #1       21 nov 2026 11:00 a.m.", "De la venta #1", "Atendió: Marco", "Cliente: Ximena Jiménez",
        "-" * 42, "Venta #1 · Total                   $760.41", "#1 Efectivo                       -$100.00",
        "  Motivo: tinte disparejo", "DEVUELTO                          -$100.00", "-" * 42,
        "Puntos anulados                        -99", "Saldo de puntos                        711"]

    # on the printer: python-escpos's Dummy keeps the bytes; a committed snapshot holds them
    printer = Dummy()
    escpos_out.render(printer, text.rows(r))
    data = printer.output
    assert data == escpos_out.to_bytes(text.rows(r))  # the same bytes every time
    if os.environ.get("REGENERATE_RECEIPTS"):
        SNAPSHOT.write_bytes(data)
        print(text.text(r))
    assert data == SNAPSHOT.read_bytes(), "regenerate on purpose: REGENERATE_RECEIPTS=1"
    assert data.startswith(b"\x1b@")  # ESC @: the printer starts clean
    assert b"\x1ba\x01" in data and b"\x1bE\x01" in data  # centred, bold (the name, the total)
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, then GS V 0: the full cut
    assert b"TOTAL                              $760.41\n" in data
    assert b"Cliente: Ximena Jim\x82nez\n" in data  # é in the printer's code page (CP437)
    assert len(hashlib.sha256(data).hexdigest()) == 64

    for font in (True, None):  # the system's TrueType font; Courier with Latin-1 only
        document = pdf.document(text.rows(r), title="sale-1", created=r.at, font=font)
        assert document.startswith(b"%PDF-") and pdf.is_pdf_of_ours(document.decode("latin-1"))
        said = PdfReader(io.BytesIO(document)).pages[0].extract_text()
        for words in ("Venta #1", "Corte", "2 x $180.00 · Sofia", "IVA 16%", "$102.24", "ISH 3%", "$19.17",
                      "TOTAL", "$760.41", "Propina", "$50.00", "Tarjeta", "$200.00", "Efectivo", "$610.41",
                      "Cambio $89.59", "Devoluciones", "-$100.00", "tinte disparejo", "Id. fiscal: SCE010101AB1"):
            assert words in said, (font, words)

    # the day's Z-report, the same three ways
    report = _read(engine, day_close.show, location=f.shop.loc, day=r.business_date, actor=f.shop.marco)
    z = zreport.text(report, "es")
    z_lines = [line.split() for line in z.splitlines()]
    assert ["Ventas", "(1)"] in z_lines and ["Devoluciones", "-$100.00"] in z_lines
    assert ["=", "esperado", "$510.41"] in z_lines  # 610.41 cash in - 100.00 given back
    assert all(len(line) <= 42 for line in z.splitlines())
    z_printer = Dummy()
    zreport.to_printer(z_printer, report, "en")
    assert b"Z-report" in z_printer.output and z_printer.output.endswith(b"\x1dV\x00")
    assert "Corte Z" in PdfReader(io.BytesIO(zreport.pdf(report, f.shop.loc, "es"))).pages[0].extract_text()
    # a manager's close over unfinished work, before the closing hour, says so on the paper too
    guarded = {**report, "status": "closed", "early": True,
               "unfinished": {"appointments": [4, 5], "sales": [9], "penalties": [], "approved_by": "marco"}}
    said = " ".join(zreport.text(guarded, "en").split())
    assert "Unfinished: 2 visits, 1 open sales, 0 penalties; approved by marco" in said
    assert "Closed before the closing hour" in said
    assert "Sin terminar" not in zreport.text(report, "es")


def test_an_emailed_receipt_arrives_with_its_pdf_and_a_failed_one_stays_queued(engine, salon, mail_server):
    f = fixed_sale(engine)
    loc, sofia = f.shop.loc, f.shop.sofia
    channels = channels_from_env(mail_server.env())
    sent = delivery.email_receipt(engine, actor=sofia, location=loc, sale_id=f.sale_id, channels=channels)
    (got,) = mail_server.received
    assert got.rcpt_tos == ["xime@example.com"] and sent.to == "xime@example.com"
    assert got.message["Subject"] == "Tu recibo de Salón Centro: venta 1"
    body = got.message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hola Ximena, te enviamos tu recibo") and "TOTAL                              $760.41" in body
    (attached,) = list(got.message.iter_attachments())
    assert (attached.get_filename(), attached.get_content_type()) == ("sale-1.pdf", "application/pdf")
    said = PdfReader(io.BytesIO(attached.get_content())).pages[0].extract_text()
    assert "IVA 16%" in said and "tinte disparejo" in said

    # the refund's receipt to another address, in English; the mail server says "later"
    mail_server.fail_next("451 4.3.0 try later")
    with pytest.raises(OutsideServiceFailed, match="could not be sent now .*451.*stays queued"):
        delivery.email_receipt(engine, actor=sofia, location=loc, sale_id=f.sale_id, refund_id=f.refund_id,
                               to="ximena@trabajo.example", lang="en", channels=channels)
    rows = [m for m in _read(engine, lambda s: s.exec(select(Outbox).order_by(Outbox.id)).all()) if "receipt" in m.payload]
    assert [(m.status, m.recipient, m.payload["receipt"]["refund_id"]) for m in rows] == [
        ("sent", "xime@example.com", None), ("queued", "ximena@trabajo.example", 1)]
    assert rows[1].subject == "Your refund receipt from Salón Centro: sale 1"
    assert len(mail_server.received) == 1
    actions = _read(engine, lambda s: s.exec(select(AuditLog.action, AuditLog.after).where(
        AuditLog.action == "receipt.emailed").order_by(AuditLog.id)).all())
    assert [(a, after["to"]) for a, after in actions] == [("receipt.emailed", "xime@example.com"),
                                                         ("receipt.emailed", "ximena@trabajo.example")]

    # no e-mail settings: nothing queued; a client with no address: refused, nothing queued
    with pytest.raises(OutsideServiceFailed, match="SALON_SMTP_HOST not set; the receipt was not e-mailed"):
        delivery.email_receipt(engine, actor=sofia, location=loc, sale_id=f.sale_id, channels=channels_from_env({}))
    with UnitOfWork(engine) as uow:
        sale = tickets.open_sale(uow.session, actor=sofia, location=loc, client_id=f.shop.pedro)
        sales.add_product(uow.session, actor=sofia, location=loc, sale_id=sale.id, product="shampoo", quantity=1)
        tenders.pay(uow.session, actor=sofia, location=loc, sale_id=sale.id, method="cash")
        uow.commit()
    with pytest.raises(RuleViolation, match="Pedro Páramo has no e-mail address"):
        delivery.email_receipt(engine, actor=sofia, location=loc, sale_id=sale.id, channels=channels)
    assert _read(engine, lambda s: len([m for m in s.exec(select(Outbox)).all() if "receipt" in m.payload])) == 2


def test_void_gift_card_open_and_unknown_sales(engine, salon):
    f = fixed_sale(engine)
    loc, sofia = f.shop.loc, f.shop.sofia
    with UnitOfWork(engine) as uow:
        s = uow.session
        card_sale = tickets.open_sale(s, actor=sofia, location=loc, client_id=f.shop.pedro)
        sales.add_gift_card(s, actor=sofia, location=loc, sale_id=card_sale.id, amount_cents=50000)
        tenders.pay(s, actor=sofia, location=loc, sale_id=card_sale.id, method="cash", tendered_cents=50000)
        voided = tickets.open_sale(s, actor=sofia, location=loc, client_id=f.shop.pedro)
        sales.add_product(s, actor=sofia, location=loc, sale_id=voided.id, product="shampoo", quantity=1)
        sales.void(s, actor=f.shop.marco, location=loc, sale_id=voided.id, reason="marcada dos veces")
        still_open = tickets.open_sale(s, actor=sofia, location=loc)
        uow.commit()
    card = _read(engine, content.build, loc, card_sale.id)
    (sold,) = card.gift_cards
    assert sold.sold and sold.code.startswith("****") and len(sold.code) == 8 and sold.balance_cents == 50000
    assert any(line.startswith(f"Tarjeta de regalo {sold.code} · Saldo") and line.endswith(" $500.00")
               for line in text.text(card).splitlines())
    assert card.points is None  # Pedro has no loyalty card

    void = text.text(_read(engine, content.build, loc, voided.id, lang="en"))
    assert "*** VOID ***" in void
    assert "Void reason: marcada dos veces" in void and "Cashier: Marco" in void and "Paid" not in void

    with pytest.raises(RuleViolation, match=f"sale {still_open.id} is open: nothing paid yet"):
        _read(engine, content.build, loc, still_open.id)
    with pytest.raises(NotFound, match="no sale 999 at centro"):
        _read(engine, content.build, loc, 999)
    with pytest.raises(NotFound, match="sale 1 has no refund 7"):
        _read(engine, content.build, loc, 1, refund_id=7)


def test_printer_specs_languages_locales_and_an_unreachable_printer():
    assert [check_printer(t) for t in ("network:192.168.1.50", "NETWORK:printer.local:9101", "network:[fe80::1]:9100",
                                       "usb:04B8:0x202", "serial:/dev/ttyS0", "serial:COM3:19200",
                                       "file:/dev/usb/lp0", "none", "")] == [
        "network:192.168.1.50:9100", "network:printer.local:9101", "network:[fe80::1]:9100", "usb:04b8:0202",
        "serial:/dev/ttyS0:9600", "serial:COM3:19200", "file:/dev/usb/lp0", None, None]
    for bad in ("bogus", "lpt:1", "network:", "network:host:70000", "usb:04b8", "usb:zz:01", "serial:/dev/x:12"):
        with pytest.raises(InvalidInput, match="receipt printer"):
            check_printer(bad)
    assert parse_via(" email , SCREEN") == "screen,email"
    with pytest.raises(InvalidInput, match="'fax'"):
        parse_via("screen,fax")
    assert (language("es"), language("es", "en_US.UTF-8"), language("en", "ES")) == ("es", "en", "es")
    with pytest.raises(InvalidInput, match="SALON_LANG 'fr' is not es or en"):
        language("es", "fr")
    assert [locale_for(lang, cur) for lang, cur in (("es", "MXN"), ("es", "EUR"), ("en", "USD"), ("en", "EUR"),
                                                    ("en", "MXN"), ("es", "COP"), ("es", "JPY"))] == [
        "es_MX", "es_ES", "en_US", "en_IE", "en_US", "es_CO", "es_ES"]
    from zoneinfo import ZoneInfo

    euro = Speaker("es", "EUR", ZoneInfo("Europe/Madrid"))
    # Spain's Spanish groups from five digits on (CLDR's minimumGroupingDigits, `i18n.formats`)
    assert (euro.money(123450), euro.money(1234550), euro.money(-5), euro.percent(1050)) == (
        "1234,50 €", "12.345,50 €", "-0,05 €", "10,5%")
    assert Speaker("en", "JPY", ZoneInfo("Asia/Tokyo")).money(1234) == "¥1,234"
    assert pdf.latin1("Total — 12,00 € “ok”") == 'Total - 12,00 EUR "ok"'

    with socket.socket() as sock:  # a port nobody listens on: refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = escpos_out.printer_of(f"network:127.0.0.1:{port}")
    with pytest.raises(OutsideServiceFailed, match=r"cannot be reached \(Connection refused\); nothing was printed"):
        escpos_out.send(spec, b"\x1b@hola\n")
    with pytest.raises(RuleViolation, match="this location has no receipt printer"):
        escpos_out.printer_of(None)
