"""The dashboard's drawer (`D`): the float, cash in, cash out and an expense paid from the drawer, typed at
the desk and in the database to the cent; the running figure never on a receptionist's screen, shown to
a manager's PIN (the look kept) and following what is done after; an expense voided by a manager.
Driven with Pilot on the demo salon, the day after the demo's (the demo's own float is counted already)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

from sqlmodel import col, select
from textual.widgets import DataTable, Static

from salon_cli.db.models import CashMovement, CashReveal, Expense
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.closing import day_close
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.closing.drawer import DrawerScreen
from tui_helpers import SOFIA, settle, text_of

DAY = date(2026, 11, 22)


def _read(engine, work):
    with UnitOfWork(engine, write=False) as uow:
        return work(uow.session, locations.resolve(uow.session, None))


def screen_text(app) -> str:
    """Every Static and every cell of the table on show."""
    table = app.screen.query_one(DataTable)
    cells = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
    return "\n".join([str(w.render()) for w in app.screen.query(Static) if w.display] + cells)


async def _form(pilot, *values: str) -> None:
    """A form modal's fields in order, each typed and Enter (the last Enter records)."""
    for _ in range(200):
        await pilot.pause()
        if pilot.app.screen.query("#field-amount, #field-reason, #field-pin"):
            break
    for value in values:
        await pilot.press(*value, "enter")
    await settle(pilot)


def test_the_drawer_at_the_desk_float_in_out_expense_and_the_figure_for_managers_only(demo_engine, clock):
    clock.advance(days=1)  # Sunday 22 November, 11:00: no float counted yet

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("D")
            await settle(pilot)
            assert isinstance(app.screen, DrawerScreen)
            assert text_of(app, "#title") == "Drawer — Salón Centro, Sunday, November 22, 2026"
            await pilot.press("f")
            await _form(pilot, "1000", "")
            await pilot.press("i")
            await _form(pilot, "200", "change from the bank")
            await pilot.press("o")
            await _form(pilot, "150.50", "window cleaner")
            await pilot.press("e")
            await _form(pilot, "80.25", "Supplies", "cotton and foil")
            assert text_of(app, "#summary") == "expense of MX$80.25 paid from the drawer"
            assert text_of(app, "#drawer-totals") == \
                "Float 1,000.00 · cash in 200.00 · cash out 150.50 · cash expenses 80.25 MXN"
            # the receptionist: the movements, never the figure (1000 + 200 - 150.50 - 80.25 = 969.25)
            assert "969.25" not in screen_text(app)
            assert text_of(app, "#expected").startswith("Expected cash now: not shown before the count")
            # her own PIN does not show it
            await pilot.press("x")
            await _form(pilot, "sofia", "3333")
            assert "refused" in text_of(app, "#summary") and "969.25" not in screen_text(app)
            # a manager's PIN does
            await pilot.press("x")
            await _form(pilot, "marco", "2222")
            assert text_of(app, "#expected") == "Expected cash now: MX$969.25 (shown to marco)"
            # the manager voids the expense: the figure follows
            table = app.screen.query_one(DataTable)
            table.move_cursor(row=table.get_row_index(f"expense-{expense_id()}"))
            await pilot.press("v")
            await _form(pilot, "typed on the wrong day")
            await _form(pilot, "marco", "2222")
            assert text_of(app, "#expected").startswith("Expected cash now: MX$1,049.50")
            assert "expense, void" in screen_text(app)
            # someone signs in at the desk: the figure is gone at the next reading
            app.desk = dataclasses.replace(SOFIA)
            app.screen.data_changed()
            await settle(pilot)
            assert "1,049.50" not in screen_text(app) and "expense, void" in screen_text(app)
            # left and opened again: blind again
            await pilot.press("escape", "D")
            await settle(pilot)
            assert isinstance(app.screen, DrawerScreen) and "1,049.50" not in screen_text(app)

    def expense_id() -> int:
        return _read(demo_engine, lambda s, loc: s.exec(select(Expense.id).where(Expense.business_date == DAY)).one())

    asyncio.run(scenario())
    moved = _read(demo_engine, lambda s, loc: [(m.kind, m.amount_cents, m.reason) for m in s.exec(
        select(CashMovement).where(CashMovement.business_date == DAY).order_by(col(CashMovement.id)))])
    assert moved == [("float", 100000, None), ("in", 20000, "change from the bank"), ("out", 15050, "window cleaner")]
    spent = _read(demo_engine, lambda s, loc: [(e.amount_cents, e.category, e.description, e.paid_from, e.status,
                                                 e.void_reason) for e in s.exec(select(Expense).where(
                                                     Expense.business_date == DAY))])
    assert spent == [(8025, "supplies", "cotton and foil", "cash", "void", "typed on the wrong day")]
    # the figure shown is the Z-report's; the manager's look is kept
    assert _read(demo_engine, lambda s, loc: day_close.preview(s, actor=SYSTEM, location=loc, day=DAY))[
        "expected_cash_cents"] == 104950
    assert _read(demo_engine, lambda s, loc: [(r.business_date, r.expected_cash_cents) for r in s.exec(
        select(CashReveal).where(CashReveal.business_date == DAY))]) == [(DAY, 96925)]
