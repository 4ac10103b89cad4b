"""A note on the client (`a` on the card): its text, its type and whether it is private, as
`salon client note` takes them, written by `client_notes.add_note` as the desk's staff member. A
refusal shows in the form and keeps what was typed. The result is the note written (None: cancelled)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from salon_cli.core.permissions import Permission
from salon_cli.services.clients.notes import NOTE_TYPES, NoteView
from salon_cli.tui.screens.type_ahead import TypesAhead


class NoteForm(TypesAhead, ModalScreen[NoteView | None]):
    """The note's text first (where the cursor is), then its type and privacy (Tab). Enter in the text,
    or ctrl+s, saves; Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel", priority=True),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
    ]

    def __init__(self, client_id: int, client_name: str) -> None:
        super().__init__(classes="form-modal note-form")
        self.client_id = client_id
        self.client_name = client_name

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):  # Tab goes from field to field
            yield Static(f"A note on {self.client_name}", id="dialog-title", markup=False)
            with Grid(id="note-fields"):
                yield Label("Note", classes="field-label")
                yield Input(id="field-body", compact=True, placeholder="what the next person should know")
                yield Label("Type", classes="field-label")
                yield Select([(t, t) for t in NOTE_TYPES], value="general", allow_blank=False, id="field-type",
                             compact=True)
                yield Label("Private", classes="field-label")
                yield Checkbox("only the owner, managers and you read it", id="field-private", compact=True)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Static("ctrl+s saves · Esc cancels", classes="form-keys", markup=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#field-body", Input))

    def submitted(self, field: Input) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.form_button(event)

    def action_save(self) -> None:
        from salon_cli.services.clients import notes as client_notes

        if self._busy:
            return
        body = self.query_one("#field-body", Input).value
        kind = str(self.query_one("#field-type", Select).value)
        private = self.query_one("#field-private", Checkbox).value
        client_id = self.client_id

        def refused(text: str) -> None:
            self.hold(False)
            self.say(text)

        self.hold(True)
        self.say("")
        self.app.change(Permission.desk, lambda s, loc, actor: client_notes.add_note(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, client_id=client_id, body=body, type=kind, private=private),
            self.dismiss, refused)
