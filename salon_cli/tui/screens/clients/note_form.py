"""A note on the client (`a` on the card): its text, its type and whether it is private, as
`salon client note` takes them, written by `client_notes.add_note` as the desk's staff member. Opened
with a note (`editing`, from the card's `o`), it corrects that note's text (`note_edits.edit_note`, as
`salon client note-edit`): its type and privacy stay and are shown only; with a `pin_title` the save
asks for a PIN first (`note_actions.pin_title`). A refusal shows in the form and keeps what was typed.
The result is the note written or corrected (None: cancelled). Its words are the desk's language (`_`)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _
from salon_cli.services.clients.notes import NOTE_TYPES, NoteView
from salon_cli.tui.screens.clients.client_words import NOTE_TYPE_WORD, word
from salon_cli.tui.screens.type_ahead import TypesAhead


class NoteForm(TypesAhead, ModalScreen[NoteView | None]):
    """The note's text first (where the cursor is), then its type and privacy (Tab). Enter in the text,
    or ctrl+s, saves; Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel", priority=True),
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
    ]

    def __init__(self, client_id: int, client_name: str, *, editing: NoteView | None = None,
                 pin_title: str | None = None, pin_who: str | None = None) -> None:
        super().__init__(classes="form-modal note-form")
        self.client_id = client_id
        self.client_name = client_name
        self.editing = editing
        self.pin_title = pin_title
        self.pin_who = pin_who  # the PIN modal's code: None the desk's, "" a manager types theirs

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):  # Tab goes from field to field
            note = self.editing
            title = (_("Correct {author}'s note on {name}").format(author=note.author, name=self.client_name) if note
                     else _("A note on {name}").format(name=self.client_name))
            yield Static(title, id="dialog-title", markup=False)
            with Grid(id="note-fields"):
                yield Label(_("Note"), classes="field-label")
                yield Input(note.body if note else "", id="field-body", compact=True, select_on_focus=note is None,
                            placeholder=_("what the next person should know"))  # a correction: the cursor at the end
                yield Label(_("Type"), classes="field-label")
                yield Select([(word(NOTE_TYPE_WORD, t), t) for t in NOTE_TYPES], value=note.type if note else "general",
                             allow_blank=False,
                             id="field-type", compact=True, disabled=note is not None)
                yield Label(_("Private"), classes="field-label")
                yield Checkbox(_("only the owner, managers and its author read it") if note
                               else _("only the owner, managers and you read it"), value=bool(note and note.private),
                               id="field-private", compact=True, disabled=note is not None)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(_("Save"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Static(_("ctrl+s saves · Esc cancels"), classes="form-keys", markup=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#field-body", Input))

    def submitted(self, field: Input) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.form_button(event)

    def action_save(self) -> None:
        from salon_cli.services.clients import note_edits, notes as client_notes

        if self._busy:
            return
        body = self.query_one("#field-body", Input).value
        kind = str(self.query_one("#field-type", Select).value)
        private = self.query_one("#field-private", Checkbox).value
        client_id, note_id = self.client_id, self.editing.id if self.editing else None

        def work(s: Any, loc: Any, actor: Any) -> NoteView:
            if note_id is not None:
                return note_edits.edit_note(s, actor=actor, location=loc, client_id=client_id, note_id=note_id,
                                            body=body)
            return client_notes.add_note(s, actor=actor, location=loc, client_id=client_id, body=body, type=kind,
                                         private=private)

        def refused(text: str) -> None:
            self.hold(False)
            self.say(text)

        self.say("")
        if self.pin_title:  # the PIN modal takes the keys meanwhile (held, a cancelled one would keep it held)
            self.app.change_with_pin(Permission.desk, work, self.dismiss, refused,  # type: ignore[attr-defined]
                                     title=self.pin_title, who=self.pin_who)
            return
        self.hold(True)
        self.app.change(Permission.desk, work, self.dismiss, refused)  # type: ignore[attr-defined]
