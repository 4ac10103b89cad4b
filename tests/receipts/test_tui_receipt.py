"""The dashboard's receipt (`ReceiptScreen`), driven with Pilot on the demo salon: a paid sale's text
shown, `f` saving its PDF where the desk says, `p` printing it on the location's (file) printer and `e`
e-mailing it to a real SMTP server, both audited; and its snapshots at 80x24 and 160x50."""

from __future__ import annotations

import asyncio
import io

import pytest
from pypdf import PdfReader
from sqlmodel import select
from textual.widgets import Button, Input

from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.receipts import escpos_out, text
from salon_cli.services.receipts.content import build
from salon_cli.services.salon import locations, policy
from salon_cli.services.till import sale_views
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.receipt import ReceiptScreen
from shop import OWNER
from tui_helpers import SOFIA, settle, text_of


async def _until(pilot, said: str) -> None:
    """Wait for the worker that prints, sends or saves to say it is done (or to fail)."""
    for _ in range(150):
        await settle(pilot)
        state = text_of(pilot.app, "#receipt-state")
        if state.startswith(said) or state.startswith(("error", "refused")):
            return
        await asyncio.sleep(0.02)


def test_receipt_screen_shows_the_sale_saves_prints_and_emails_it(demo_engine, tmp_path, mail_server, monkeypatch):
    for key, value in mail_server.env().items():
        monkeypatch.setenv(key, value)
    printer = tmp_path / "printer.bin"
    with UnitOfWork(demo_engine) as uow:
        loc = locations.resolve(uow.session, None)
        policy.update(uow.session, actor=OWNER, location=loc, receipt_printer=f"file:{printer}")
        sale = sale_views.list_sales(uow.session, location=loc, status="paid", limit=1)[0]
        receipt = build(uow.session, loc, sale.id)
        uow.commit()
    target = tmp_path / "recibos" / f"venta-{sale.id}.pdf"

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0, language="en")  # the desk in English; the receipt in the location's Spanish
        async with app.run_test(size=(100, 40)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            await app.push_screen(ReceiptScreen(sale.id))
            await settle(pilot)
            shown = text_of(app, "#receipt-text")
            assert f"Venta #{sale.id}" in shown and shown == text.text(receipt).rstrip("\n")

            await pilot.press("f")
            await settle(pilot)
            field = app.screen.query_one("#field-path", Input)
            assert field.value.endswith(f"receipts/sale-{sale.id}.pdf")  # SALON_HOME/receipts by default
            field.value = str(target)
            app.screen.query_one("#ok", Button).press()
            await _until(pilot, "saved")
            assert text_of(app, "#receipt-state") == f"saved to {target}"
            said = PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text()
            assert f"Venta #{sale.id}" in said and "TOTAL" in said

            await pilot.press("p")
            await _until(pilot, "printed")
            assert text_of(app, "#receipt-state") == f"printed on file:{printer}"
            assert printer.read_bytes() == escpos_out.to_bytes(text.rows(receipt))

            await pilot.press("e")
            await settle(pilot)
            field = app.screen.query_one("#field-to", Input)
            assert field.value == (receipt.client_email or "")  # the client's address, to change if need be
            field.value = "recibos@example.com"
            app.screen.query_one("#ok", Button).press()
            await _until(pilot, "e-mailed")
            assert text_of(app, "#receipt-state") == "e-mailed to recibos@example.com"
            (got,) = mail_server.received
            assert got.rcpt_tos == ["recibos@example.com"]
            assert [a.get_filename() for a in got.message.iter_attachments()] == [f"sale-{sale.id}.pdf"]

    asyncio.run(scenario())
    with UnitOfWork(demo_engine, write=False) as uow:
        done = uow.session.exec(select(AuditLog.action, AuditLog.actor, AuditLog.entity_id)
                                .where(AuditLog.action.like("receipt.%")).order_by(AuditLog.id)).all()
    assert done == [("receipt.printed", "sofia", sale.id), ("receipt.emailed", "sofia", sale.id)]


def _first_paid(engine) -> int:
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        return sale_views.list_sales(uow.session, location=loc, status="paid", limit=1)[0].id


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_receipt_snapshot(demo_engine, snap_compare, size):
    sale_id = _first_paid(demo_engine)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(ReceiptScreen(sale_id))
        await settle(pilot)

    assert snap_compare(SalonApp(demo_engine, poll_seconds=0, language="en"), terminal_size=size, run_before=run_before)
