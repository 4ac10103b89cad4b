"""The desk's follow-ups: Today counts those due (today or overdue), `f` lists them, Enter or `d` marks
one done, `x` cancels it; one closed at another desk meanwhile is refused in words, and the app runs on."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, select

from salon_cli.db.models import Client, ClientFollowUp
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import follow_ups
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.clients.follow_ups import FollowUpsScreen
from tui_helpers import SOFIA, notes, settle, text_of

SIZE = (120, 40)
OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)


def _add(engine, client_id: int, days: int, note: str) -> int:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        from salon_cli.services.salon import business_days

        added = follow_ups.add(uow.session, actor=OWNER, location=loc, client_id=client_id,
                               on=business_days.today(loc) + timedelta(days=days), note=note)
        uow.commit()
    return added.id


def _statuses(engine) -> dict[int, tuple[str, int | None]]:
    with UnitOfWork(engine, write=False) as uow:
        return {f.id: (f.status, f.closed_by_id) for f in uow.session.exec(select(ClientFollowUp))}


def _clients(engine) -> list[int]:
    with UnitOfWork(engine, write=False) as uow:
        return list(uow.session.exec(select(Client.id).order_by(col(Client.id)).limit(3)))


def test_today_counts_them_and_f_lists_marks_done_and_cancels(demo_engine, clock):
    a, b, c = _clients(demo_engine)
    clock.advance(days=-3)
    overdue = _add(demo_engine, a, 0, "Llamar: resultado de la prueba de alergia")  # due 3 days ago
    clock.advance(days=3)
    today = _add(demo_engine, b, 0, "Retoque de color")
    later = _add(demo_engine, c, 7, "Revisar el alisado")
    cancel_me = _add(demo_engine, c, 0, "Confirmar la cita de la novia")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            assert text_of(app, "#summary").endswith(" · 3 follow-ups due (f)")
            await pilot.press("f")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, FollowUpsScreen)
            assert [r.id for r in screen.rows] == [overdue, today, cancel_me]  # overdue first, then by id
            assert "3 days late" in str(screen.query_one("#follow-ups").get_row_at(0)[0])
            await pilot.press("enter")  # the overdue one: done
            await settle(pilot)
            assert [r.id for r in screen.rows] == [today, cancel_me]
            assert text_of(app, "#summary").startswith("done: ")
            await pilot.press("down", "x")  # the bride's: cancelled
            await settle(pilot)
            assert [r.id for r in screen.rows] == [today]
            await pilot.press("d")
            await settle(pilot)
            assert screen.rows == [] and "no follow-ups due" in text_of(app, "#summary")
            await pilot.press("escape")
            await settle(pilot)
            assert "follow-up" not in text_of(app, "#summary")

    asyncio.run(scenario())
    statuses = _statuses(demo_engine)
    assert statuses[overdue][0] == statuses[today][0] == "done" and statuses[cancel_me][0] == "cancelled"
    assert statuses[later] == ("open", None)
    assert statuses[overdue][1] is not None  # closed by sofia, who is at the desk


def test_one_closed_at_another_desk_is_refused_in_words(demo_engine, clock):
    a, _, _ = _clients(demo_engine)
    first = _add(demo_engine, a, 0, "Llamar")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = SOFIA
            await settle(pilot)
            assert text_of(app, "#summary").endswith(" · 1 follow-up due (f)")
            await pilot.press("f")
            await settle(pilot)
            with UnitOfWork(demo_engine) as uow:  # another desk marks it done meanwhile
                loc = locations.resolve(uow.session, None)
                follow_ups.close(uow.session, actor=OWNER, location=loc, follow_up_id=first)
                uow.commit()
            await pilot.press("d")
            await settle(pilot)
            assert app.is_running
            assert any(f"follow-up {first} is already done" in n for n in notes(app))
            assert app.screen.rows == []  # read again: nothing left to do

    asyncio.run(scenario())
    assert _statuses(demo_engine)[first][0] == "done"


def test_the_key_is_in_the_help(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            shown = "\n".join(str(s.render()) for s in app.screen.query("Static"))
            assert "Follow-ups due" in shown

    asyncio.run(scenario())
