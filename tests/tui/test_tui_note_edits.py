"""Correcting and deleting a client's note from the card (`o`), on the demo salon at the fixed test
clock: the author as they are, a private note with its author's PIN, someone else's note with a
manager's code and PIN (a wrong one changes nothing); each audited (`clients.note_edits`), a private
note's body never in the audit. Demo PINs: marco 2222 (manager), sofia 3333 (receptionist), ana 4444."""

from __future__ import annotations

import asyncio

from sqlmodel import select
from textual.widgets import Checkbox, Input, OptionList, Select, Static

from salon_cli.db.models import AuditLog, ClientNote
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.salon import locations, staff
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.app import SalonApp
from salon_cli.tui.screens.clients.client_card import ClientCardScreen
from salon_cli.tui.screens.clients.note_actions import NotePicker, pin_title
from salon_cli.tui.screens.clients.note_form import NoteForm
from salon_cli.tui.screens.modals import FormModal
from tui_helpers import settle, text_of

SIZE = (120, 40)
RICARDO = 24  # Ricardo López Morales


def actor(engine, code: str, *, verified: bool = False) -> Actor:
    with UnitOfWork(engine, write=False) as uow:
        row = staff.find(uow.session, code)
        return Actor(id=row.id, code=row.code, name=row.name, role=row.role, verified=verified)


def _note(engine, author: str, body: str, **kw) -> int:
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        made = client_notes.add_note(uow.session, actor=actor(engine, author), location=loc, client_id=RICARDO,
                                     body=body, **kw)
        uow.commit()
    return made.id


def _row(engine, note_id: int) -> ClientNote | None:
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.get(ClientNote, note_id)
        return None if row is None else ClientNote.model_validate(row.model_dump())


def _audits(engine, action: str, note_id: int) -> list[AuditLog]:
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.session.exec(select(AuditLog).where(AuditLog.action == action, AuditLog.entity_id == note_id)).all()
        return [AuditLog.model_validate(r.model_dump()) for r in rows]


async def _open_notes(pilot, note_id: int) -> NotePicker:
    """Ricardo's card, `o`, the highlight on the note `note_id`."""
    app = pilot.app
    await settle(pilot)
    app.open_client(RICARDO)
    await settle(pilot)
    await pilot.press("o")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, NotePicker)
    ids = [n.id for n in picker.notes]
    picker.query_one(OptionList).highlighted = ids.index(note_id)
    await pilot.pause()
    return picker


def _notice(app) -> str:
    return text_of(app, "#notice")


def test_the_author_corrects_a_note_and_the_audit_keeps_before_and_after(demo_engine):
    note_id = _note(demo_engine, "sofia", "prefiere cafe sin azucar")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await _open_notes(pilot, note_id)
            await pilot.press("enter")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, NoteForm)
            assert form.query_one("#dialog-title", Static).render().plain == \
                "Correct sofia's note on Ricardo López Morales"
            body = form.query_one("#field-body", Input)
            assert body.value == "prefiere cafe sin azucar" and app.focused is body
            assert form.query_one("#field-type", Select).disabled and form.query_one("#field-private", Checkbox).disabled
            await pilot.press(*" ni leche")  # the cursor at the end: a correction types on
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert _notice(app) == f"note {note_id} corrected"
            assert "sofia: prefiere cafe sin azucar ni leche" in text_of(app, "#notes")

    asyncio.run(scenario())
    row = _row(demo_engine, note_id)
    assert row.body == "prefiere cafe sin azucar ni leche" and row.edited_by_id == actor(demo_engine, "sofia").id
    [audit] = _audits(demo_engine, "client.note_edit", note_id)
    assert audit.actor == "sofia"
    assert audit.before["body"] == "prefiere cafe sin azucar" and audit.after["body"] == "prefiere cafe sin azucar ni leche"


def test_an_empty_correction_is_refused_in_the_form_and_nothing_changes(demo_engine):
    note_id = _note(demo_engine, "sofia", "viene los sabados")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await _open_notes(pilot, note_id)
            await pilot.press("enter")
            await pilot.pause()
            app.screen.query_one("#field-body", Input).value = "   "
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, NoteForm)
            assert app.screen.query_one("#dialog-error", Static).render().plain == "the note is empty"

    asyncio.run(scenario())
    assert _row(demo_engine, note_id).body == "viene los sabados"
    assert _audits(demo_engine, "client.note_edit", note_id) == []


def test_deleting_asks_why_and_the_audit_keeps_the_reason(demo_engine):
    note_id = _note(demo_engine, "sofia", "escrita en el cliente equivocado")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await _open_notes(pilot, note_id)
            await pilot.press("d")
            await pilot.pause()
            modal = app.screen
            assert isinstance(modal, FormModal)
            assert modal.query_one("#dialog-title", Static).render().plain == "Delete sofia's note?"
            assert "[general] sofia: escrita en el cliente equivocado" in modal.query_one("#dialog-note", Static).render().plain
            await pilot.press("enter")  # no reason: asked for
            await pilot.pause()
            assert modal.query_one("#dialog-error", Static).render().plain == "Reason is needed"
            await pilot.press(*"wrong client", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert _notice(app) == f"note {note_id} by sofia deleted"
            assert "escrita en el cliente equivocado" not in text_of(app, "#notes")

    asyncio.run(scenario())
    assert _row(demo_engine, note_id) is None
    [audit] = _audits(demo_engine, "client.note_delete", note_id)
    assert audit.actor == "sofia" and audit.after == {"reason": "wrong client"}
    assert audit.before["body"] == "escrita en el cliente equivocado" and audit.before["author"] == "sofia"


def test_a_receptionist_deleting_anothers_note_needs_a_managers_pin_and_a_wrong_one_changes_nothing(demo_engine):
    note_id = _note(demo_engine, "ana", "le gusta el flequillo corto", type="preference")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await _open_notes(pilot, note_id)
            await pilot.press("d", *"duplicada", "enter")
            await pilot.pause()
            pin = app.screen
            assert isinstance(pin, FormModal)
            assert pin.query_one("#dialog-title", Static).render().plain == "A manager's code and PIN: the note is ana's"
            assert pin.query_one("#field-who", Input).value == ""  # the manager types their own code
            assert pin.focused is pin.query_one("#field-who", Input)
            await pilot.press(*"marco", "tab", *"9999", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ClientCardScreen)
            assert _notice(app) == "refused: wrong PIN for marco"
            assert "ana: le gusta el flequillo corto" in text_of(app, "#notes")
            assert _row(demo_engine, note_id) is not None
            # her own code and PIN are hers, not a manager's: refused by the rule, nothing changed
            await pilot.press("o")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = [n.id for n in app.screen.notes].index(note_id)
            await pilot.press("d", *"duplicada", "enter")
            await pilot.pause()
            await pilot.press(*"sofia", "tab", *"3333", "enter")
            await settle(pilot)
            assert _notice(app) == ("refused: sofia (receptionist) may not change a note written by ana"
                                    " (a manager's PIN is asked)")
            assert _row(demo_engine, note_id) is not None
            await pilot.press("o")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = [n.id for n in app.screen.notes].index(note_id)
            await pilot.press("d", *"duplicada", "enter")
            await pilot.pause()
            await pilot.press(*"marco", "tab", *"2222", "enter")
            await settle(pilot)
            assert _notice(app) == f"note {note_id} by ana deleted"

    asyncio.run(scenario())
    assert _row(demo_engine, note_id) is None
    [audit] = _audits(demo_engine, "client.note_delete", note_id)
    assert audit.actor == "marco" and audit.after == {"reason": "duplicada"}


def test_a_private_note_is_deleted_with_its_authors_pin_and_its_body_stays_out_of_the_audit(demo_engine):
    secret = "alergia al amoniaco"
    note_id = _note(demo_engine, "ana", secret, type="medical", private=True)

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "ana", verified=True)  # signed in with her PIN: she reads her note
            await _open_notes(pilot, note_id)
            await pilot.press("d", *"se la dictaron mal", "enter")
            await pilot.pause()
            pin = app.screen
            assert pin.query_one("#dialog-title", Static).render().plain == "Your PIN: the note is private"
            assert pin.query_one("#field-who", Input).value == "ana"
            await pilot.press(*"4444", "enter")
            await settle(pilot)
            assert _notice(app) == f"note {note_id} by ana deleted"
            assert secret not in text_of(app, "#notes")

    asyncio.run(scenario())
    assert _row(demo_engine, note_id) is None
    [audit] = _audits(demo_engine, "client.note_delete", note_id)
    assert audit.actor == "ana" and audit.after == {"reason": "se la dictaron mal"}
    assert audit.before["private"] is True and audit.before["length"] == len(secret)
    assert "body" not in audit.before and secret not in str(audit.before)


def test_a_receptionist_is_not_offered_a_private_note_she_may_not_read(demo_engine):
    secret = "paga tarde, preguntar antes"
    note_id = _note(demo_engine, "lucia", secret, private=True)
    public = _note(demo_engine, "lucia", "trae a su hija los sabados")

    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await settle(pilot)
            app.open_client(RICARDO)
            await settle(pilot)
            await pilot.press("o")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, NotePicker)
            assert public in [n.id for n in picker.notes] and note_id not in [n.id for n in picker.notes]
            assert all(not n.private for n in picker.notes)  # the demo's private note on Ricardo: not hers either
            listed = picker.query_one(OptionList)
            assert all(secret not in str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count))
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ClientCardScreen)

    asyncio.run(scenario())
    assert _row(demo_engine, note_id).body == secret


def test_a_card_with_no_notes_she_may_read_says_so(demo_engine):
    async def scenario() -> None:
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            app.desk = actor(demo_engine, "sofia")
            await settle(pilot)
            app.open_client(RICARDO)  # his one note is private (the demo's)
            await settle(pilot)
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, ClientCardScreen)
            assert _notice(app) == "no notes to edit (a adds one)"

    asyncio.run(scenario())


def test_when_the_pin_is_asked():
    from datetime import UTC, datetime

    from salon_cli.services.clients.notes import NoteView

    def note(author: str, private: bool = False) -> NoteView:
        return NoteView(1, RICARDO, "general", "x", private, author, datetime(2026, 11, 21, tzinfo=UTC))

    sofia = Actor(3, "sofia", "Sofía", "receptionist")
    marco = Actor(2, "marco", "Marco", "manager")
    assert pin_title(note("sofia"), sofia) is None
    assert pin_title(note("sofia", private=True), sofia) == "Your PIN: the note is private"
    assert pin_title(note("ana"), sofia) == "A manager's code and PIN: the note is ana's"
    assert pin_title(note("ana"), marco) == "Your PIN, to change ana's note"
    assert pin_title(note("ana"), None) is None  # the sign-in comes first; the service decides
