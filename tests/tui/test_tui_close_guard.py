"""The guarded close on the dashboard (issue 28), with Pilot on the demo salon at the fixed test clock
(Saturday 11:00; the salon closes at 20:00): the list of what is unfinished before the count, a key per
row (the services decide and their refusals are shown), the receptionist held there, a manager's
approval with a note; a closed day printed, saved as PDF and re-opened; the Today screen's warning of a
day left unclosed; and SVG snapshots of the list (80x24, 160x50) and of the warning (80x24)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from salon_cli.db.models import Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.closing import day_close, unfinished
from salon_cli.services.salon import locations, staff
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.closing.close_day import CloseDayScreen
from test_tui_close import TODAY, _read, close_early, finish_the_day, screen_text
from tui_helpers import SOFIA, settle, steady_cursors, text_of


async def _until(pilot, selector: str) -> None:
    """Wait for a modal's field (however slow the run)."""
    for _ in range(200):
        await pilot.pause()
        if pilot.app.screen.query(selector):
            return
    raise AssertionError(f"{selector} never came")


async def _select(pilot, key: str) -> None:
    table = pilot.app.screen.query_one("#unfinished", DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def _answer(pilot, *fields: str) -> None:
    """Type into a form modal's fields, one after the other (Enter moves on, then submits)."""
    await _until(pilot, "#dialog Input")
    for value in fields:
        await pilot.press(*value, "enter")
    await settle(pilot)


def _keys(app) -> list[str]:
    return [str(k.value) for k in app.screen.query_one("#unfinished", DataTable).rows]


def test_the_close_holds_a_receptionist_until_the_day_is_finished_or_a_manager_approves(demo_engine):
    left = _read(demo_engine, lambda s, loc: unfinished.of_day(s, location=loc, day=TODAY))
    chair = next(a.id for a in left.appointments if a.status == "in_service")
    late = next(a.id for a in left.appointments if a.status == "booked")  # 09:15, its time has come
    later = [a.id for a in left.appointments if a.status == "booked"][-1]
    sale = left.sales[0].id

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CloseDayScreen) and screen.step == "unfinished"
            assert text_of(app, "#unfinished-intro").startswith(
                "Before the count: 31 appointments still booked or in the chair, 1 sale open.")
            assert len(_keys(app)) == 32 and not screen.query_one("#body").display
            await pilot.press("ctrl+s")  # no count while work remains
            await settle(pilot)
            assert screen.step == "unfinished"
            await _select(pilot, f"appointment:{chair}")
            await pilot.press("c")  # in the chair and not paid: the service refuses, the screen says why
            await settle(pilot)
            assert text_of(app, "#summary").startswith(f"refused: appointment {chair} has ")
            assert "to pay: it is completed by its checkout" in text_of(app, "#summary")
            await pilot.press("enter")  # its checkout, then back to the list, read again
            await settle(pilot)
            assert type(app.screen).__name__ == "CheckoutScreen"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen and screen.step == "unfinished" and len(_keys(app)) == 32
            await _select(pilot, f"appointment:{late}")
            await pilot.press("x")  # a no-show, as `salon appt no-show` (its fee is a penalty of today)
            await settle(pilot)
            keys = _keys(app)
            assert f"appointment:{late}" not in keys and any(k.startswith("penalty:") for k in keys)
            await _select(pilot, f"appointment:{later}")
            await pilot.press("l")
            await _answer(pilot, "she comes after 20:00")
            assert f"appointment:{later}" not in _keys(app)
            assert "(1 left booked past the close)" in text_of(app, "#unfinished-intro")
            await _select(pilot, f"sale:{sale}")
            await pilot.press("v")
            await _answer(pilot, "opened by mistake")
            await _answer(pilot, "marco", "2222")  # a void is a manager's
            assert f"sale:{sale}" not in _keys(app)
            await pilot.press("a")  # close anyway: a receptionist's PIN does not do
            await _answer(pilot, "the evening's visits stay booked")
            await _answer(pilot, "sofia", "3333")
            assert screen.step == "unfinished"
            assert text_of(app, "#summary").startswith("refused: sofia (receptionist) may not close a day with work unfinished")
            await pilot.press("a")
            await _answer(pilot, "the evening's visits stay booked")
            await _answer(pilot, "marco", "2222")
            assert screen.step == "count" and screen.query_one("#body").display
            assert text_of(app, "#intro").startswith("Closing over 29 appointments still booked or in the chair, "
                                                     "1 penalty pending, approved by Marco")
            expected = _read(demo_engine, lambda s, loc: day_close.preview(
                s, actor=SYSTEM, location=loc, day=TODAY))["expected_cash_cents"]
            screen.query_one("#total", Input).value = f"{expected // 100}.{expected % 100:02d}"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert screen.step == "review"
            await pilot.press("ctrl+s")
            await close_early(pilot)
            assert screen.step == "closed" and "closed over: 29 appointments" in screen_text(app)

    asyncio.run(scenario())
    stored = _read(demo_engine, lambda s, loc: day_close.show(s, location=loc, day=TODAY))
    assert (stored["status"], stored["closed_by"], stored["note"], stored["early"]) == (
        "closed", "sofia", "the evening's visits stay booked", True)
    assert stored["unfinished"]["approved_by"] == "marco" and len(stored["unfinished"]["appointments"]) == 29
    assert stored["unfinished"]["left_booked"] == [later] and len(stored["unfinished"]["penalties"]) == 1


def test_a_closed_day_prints_saves_its_z_report_and_a_manager_reopens_it(demo_engine, tmp_path):
    finish_the_day(demo_engine)
    printer = tmp_path / "printer.bin"
    with UnitOfWork(demo_engine) as uow:
        loc = locations.resolve(uow.session, None)
        uow.session.exec(select(Policy)).one().receipt_printer = f"file:{printer}"
        uow.commit()
    with UnitOfWork(demo_engine) as uow:
        marco = staff.identify(uow, who="marco", pin="2222", location=loc, permission=day_close.Permission.day_close)
    with UnitOfWork(demo_engine) as uow:
        day_close.close(uow.session, actor=marco, location=loc, day=TODAY, counted_cents=350000, early=True)
        uow.commit()
    pdf = tmp_path / "z.pdf"

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            screen = app.screen
            assert screen.step == "closed"
            assert text_of(app, "#summary").startswith("Nov 21, 2026 is closed: p prints the Z-report, f saves it")
            await pilot.press("p")
            await settle(pilot)
            assert text_of(app, "#summary").startswith("the Z-report is printed (")
            await pilot.press("f")
            await _until(pilot, "#field-path")
            assert app.screen.query_one("#field-path", Input).value.endswith("reports/z-report-centro-2026-11-21.pdf")
            app.screen.query_one("#field-path", Input).value = str(pdf)
            await pilot.press("enter")
            await settle(pilot)
            assert text_of(app, "#summary") == f"the Z-report is saved to {pdf}"
            await pilot.press("R")
            await _answer(pilot, "a card refund was missed")
            await _answer(pilot, "marco", "2222")
            assert screen.step == "count" and "(revision" not in screen_text(app)
            await pilot.press("ctrl+s")  # the next close starts afresh: nothing counted yet
            await settle(pilot)
            assert "count the drawer first" in text_of(app, "#summary")

    asyncio.run(scenario())
    # the receipt's language: SALON_LANG (en here, conftest.py) over the location's (es: "Corte Z")
    assert printer.read_bytes().startswith(b"\x1b@") and b"Z-report" in printer.read_bytes()
    assert pdf.read_bytes().startswith(b"%PDF")
    kept = _read(demo_engine, lambda s, loc: day_close.revisions(s, location=loc, day=TODAY))
    assert [(r["revision"], r["status"], r["reopened_by"], r["reopen_reason"]) for r in kept] == [
        (1, "reopened", "marco", "a card refund was missed")]


def _reopen_friday(engine) -> None:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        day_close.reopen(uow.session, actor=SYSTEM, location=loc, day=date(2026, 11, 20), reason="a refund was missed")
        uow.commit()


def test_today_flags_a_day_left_unclosed_and_z_closes_that_day(demo_engine):
    _reopen_friday(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        app.desk = SOFIA
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            today = app.screen
            assert text_of(app, "#unclosed") == "Fri Nov 20, 2026 was not closed — z closes it"
            await pilot.press("z")
            await settle(pilot)
            assert isinstance(app.screen, CloseDayScreen) and app.screen.requested_day == date(2026, 11, 20)
            assert text_of(app, "#title").endswith("Friday, November 20, 2026 (an earlier day)")
            assert app.screen.step == "unfinished" and "penalties pending" in text_of(app, "#unfinished-intro")
            await pilot.press("escape")
            await settle(pilot)
            with UnitOfWork(demo_engine) as uow:  # a manager closes it elsewhere, over its fees
                loc = locations.resolve(uow.session, None)
                day_close.close(uow.session, actor=SYSTEM, location=loc, day=date(2026, 11, 20), counted_cents=0,
                                note="fees wait")
                uow.commit()
            today.data_changed()
            await settle(pilot)
            assert not today.query_one("#unclosed", Static).display and today.unclosed is None
            await pilot.press("z")  # the app's key again: today's close
            await settle(pilot)
            assert isinstance(app.screen, CloseDayScreen) and app.screen.requested_day is None
            assert app.screen.day == TODAY

    asyncio.run(scenario())


# ----------------------------------------------------------------------------- snapshots

async def _open_the_list(pilot) -> None:
    await settle(pilot)
    await pilot.press("z")
    await settle(pilot)
    steady_cursors(pilot.app)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
def test_guarded_close_snapshot(demo_engine, snap_compare, size):
    """Before the count: the day's unfinished visits and its open sale, the keys on the selected row."""
    app = SalonApp(demo_engine, poll_seconds=0)
    app.desk = SOFIA
    assert snap_compare(app, terminal_size=size, run_before=_open_the_list)


def test_unclosed_day_warning_snapshot(demo_engine, snap_compare):
    """The Today screen at 80x24 with Friday left unclosed: one line under the title."""
    _reopen_friday(demo_engine)
    assert snap_compare(SalonApp(demo_engine, poll_seconds=0), terminal_size=(80, 24), run_before=settle)
