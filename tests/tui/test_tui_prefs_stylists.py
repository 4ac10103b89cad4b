"""The preferences form (`f` on the card) edits the client's preferred stylists in order, as staff codes
separated by commas; an unknown or deactivated one is refused in the form and nothing is saved. On the
demo salon at the fixed test clock: Ricardo prefers valeria."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select
from textual.widgets import Input, Static

from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.salon import staff
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.clients.client_card import ClientCardScreen
from salon_cli.tui.screens.clients.prefs_form import PrefsForm, codes_in
from tui_helpers import settle, text_of

SIZE = (120, 40)
RICARDO = 24  # Ricardo López Morales


def _sofia(engine) -> Actor:
    with UnitOfWork(engine, write=False) as uow:
        row = staff.find(uow.session, "sofia")
        return Actor(id=row.id, code=row.code, name=row.name, role=row.role)


def _preferred(engine) -> tuple[str, ...]:
    with UnitOfWork(engine, write=False) as uow:
        return client_notes.prefs(uow.session, client_id=RICARDO).preferred_staff_codes


def _prefs_audits(engine) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "client.prefs", AuditLog.entity_id == RICARDO)).one()


async def _open_prefs(pilot) -> PrefsForm:
    app = pilot.app
    app.desk = _sofia(app.engine)
    await settle(pilot)
    app.open_client(RICARDO)
    await settle(pilot)
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, PrefsForm)
    return app.screen


def test_codes_in_a_field():
    assert codes_in(" diego,ana , ,valeria ") == ["diego", "ana", "valeria"]
    assert codes_in("  ") == []


def test_two_stylists_are_saved_in_order_and_shown_back(demo_engine):
    assert _preferred(demo_engine) == ("valeria",)
    audits = _prefs_audits(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form = await _open_prefs(pilot)
            field = form.query_one("#field-staff", Input)
            assert field.value == "valeria"
            field.value = "diego, ana"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert text_of(app, "#notice") == "preferences saved"
            assert "Prefers   diego, ana · " in text_of(app, "#profile")
            await pilot.press("f")
            await pilot.pause()
            assert app.screen.query_one("#field-staff", Input).value == "diego, ana"

    asyncio.run(scenario())
    assert _preferred(demo_engine) == ("diego", "ana")
    assert _prefs_audits(demo_engine) == audits + 1


def test_an_unknown_stylist_is_refused_in_words_and_nothing_is_saved(demo_engine):
    audits = _prefs_audits(demo_engine)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form = await _open_prefs(pilot)
            form.query_one("#field-staff", Input).value = "diego, nadie"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#dialog-error", Static).render().plain == "no staff member 'nadie'"
            assert form.query_one("#field-staff", Input).value == "diego, nadie"  # what was typed stays

    asyncio.run(scenario())
    assert _preferred(demo_engine) == ("valeria",)
    assert _prefs_audits(demo_engine) == audits


def test_a_deactivated_stylist_is_refused_and_nothing_is_saved(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        owner = staff.find(uow.session, "lucia")
        staff.deactivate(uow.session, actor=Actor(owner.id, owner.code, owner.name, owner.role, verified=True),
                         who="emma")
        uow.commit()

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form = await _open_prefs(pilot)
            form.query_one("#field-staff", Input).value = "emma, diego"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#dialog-error", Static).render().plain == "staff member emma is deactivated"

    asyncio.run(scenario())
    assert _preferred(demo_engine) == ("valeria",)


def test_an_emptied_field_clears_the_preferred_stylists(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            form = await _open_prefs(pilot)
            form.query_one("#field-staff", Input).value = ""
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert "valeria" not in text_of(app, "#profile")

    asyncio.run(scenario())
    assert _preferred(demo_engine) == ()
