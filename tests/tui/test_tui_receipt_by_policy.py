"""Issue 28: a receipt's way out is chosen per location (`policy set --receipt-via print`) and per sale
(`p` on the paid checkout). With the policy saying print, paying the last of a ticket at the dashboard's
checkout sends the receipt to the location's ESC/POS printer (python-escpos's own `file:` printer here) by
itself, audited; a printer that cannot be reached is told to the desk and the sale stays paid."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import select

from salon_cli.core.permissions import Permission
from salon_cli.db.models import AuditLog, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import views as book
from salon_cli.services.salon import locations, policy, staff
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.till.checkout import CheckoutScreen
from tui_helpers import SOFIA, notes, settle


def _set_printer(engine, printer: str) -> None:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        owner = staff.identify(uow, who="lucia", pin="1234", location=loc, permission=Permission.policy_manage)
        policy.update(uow.session, actor=owner, location=loc, receipt_printer=printer, receipt_via="screen,print")
        uow.commit()


def test_a_paid_ticket_prints_its_receipt_when_the_policy_says_print(demo_engine, tmp_path):
    target = tmp_path / "printer.bin"
    target.write_bytes(b"")
    _set_printer(demo_engine, f"file:{target}")
    with UnitOfWork(demo_engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        booked = sorted((a for a in book.appointments(uow.session, location=loc, start=date(2026, 11, 21))
                         if a.status == "booked"), key=lambda a: a.starts_at)
    first, second = booked[-1], booked[-2]

    async def pay_in_full(pilot, app, appointment_id: int) -> CheckoutScreen:
        app.open_checkout(appointment_id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        await pilot.press("2")  # card, the whole balance as offered
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(50):  # the printing runs in a worker after the payment's answer
            await settle(pilot)
            if screen.sale is not None and screen.sale.status == "paid" and not app.workers._workers:
                break
        assert screen.sale.status == "paid"
        return screen

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(100, 32)) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            screen = await pay_in_full(pilot, app, first.id)
            printed = target.read_bytes()
            assert printed.startswith(b"\x1b@") and str(screen.sale.id).encode() in printed
            with UnitOfWork(demo_engine, write=False) as uow:
                row = uow.session.exec(select(AuditLog).where(AuditLog.action == "receipt.printed")).one()
                assert (row.entity_id, row.actor) == (screen.sale.id, "sofia")
            await pilot.press("escape")
            await settle(pilot)

            target.unlink()
            _set_printer(demo_engine, "network:127.0.0.1:9")  # nothing listens on the discard port
            screen = await pay_in_full(pilot, app, second.id)
            told = notes(app)
            assert any(m.startswith("receipt not printed") for m in told), told
            with UnitOfWork(demo_engine, write=False) as uow:
                assert uow.session.get(Sale, screen.sale.id).status == "paid"
                assert len(uow.session.exec(select(AuditLog).where(AuditLog.action == "receipt.printed")).all()) == 1

    asyncio.run(scenario())
