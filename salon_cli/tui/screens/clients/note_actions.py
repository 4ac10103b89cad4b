"""Correcting and removing a client's note from the card (`o`): `NotePicker` lists the notes the card
shows (a private note only to whoever may read it, as on the card), Enter corrects the highlighted one
(the note form, filled with it) and `d` removes it, asking why (`reason_modal`).

Who may is `clients.note_edits`' rule: the note's author, or a manager or the owner who proves it with
their PIN; a private note only for someone who proved who they are. `pin_title` is the form's reading
of that rule, to ask for the PIN before the service would refuse without it: None when the desk's staff
member may go ahead as they are (their own note, not private), else the PIN modal's title (the desk's
code is filled in, or none when a receptionist's manager must sign: `pin_who`). The words are the desk's
language (`_`), the days `i18n.formats`'.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.i18n import N_, _, formats
from salon_cli.services.clients.notes import NoteView
from salon_cli.services.salon.actors import Actor
from salon_cli.tui.screens.clients.client_words import note_kind
from salon_cli.tui.screens.modals import Field, FormModal

EDIT, DELETE = "edit", "delete"
MANAGERS = ("owner", "manager")


def pin_title(note: NoteView, desk: Actor | None) -> str | None:
    """The PIN modal's title for changing `note` at this desk, or None when no PIN is asked (nobody
    signed in: the sign-in comes first and the service decides)."""
    if desk is None:
        return None
    if note.author == desk.code:
        return _("Your PIN: the note is private") if note.private else None
    if desk.role in MANAGERS:
        return _("Your PIN, to change {author}'s note").format(author=note.author)
    return _("A manager's code and PIN: the note is {author}'s").format(author=note.author)


def pin_who(note: NoteView, desk: Actor | None) -> str | None:
    """The code the PIN modal starts with: "" when a manager must sign for a receptionist (they type
    their own code), None for the desk's own."""
    if desk is None or note.author == desk.code or desk.role in MANAGERS:
        return None
    return ""


def note_line(note: NoteView, tz: tzinfo, currency: str, width: int = 64) -> str:
    """One line for a note: its day (the location's), type, author and the start of its text."""
    kind = note_kind(note.type, note.private)
    body = " ".join(note.body.split())
    head = f"{formats.day(note.created_at.astimezone(tz).date(), currency)} [{kind}] {note.author}: "
    room = max(10, width - len(head))
    return head + (body if len(body) <= room else body[:room - 1] + "…")


def reason_modal(note: NoteView, tz: tzinfo, currency: str) -> FormModal:
    """Why the note is removed (kept in the audit); it shows the note it removes."""
    return FormModal(_("Delete {author}'s note?").format(author=note.author),
                     [Field("reason", _("Reason"), placeholder=_("kept in the audit"))],
                     note=note_line(note, tz, currency, 200), ok=_("Delete"))  # wrapped: a few lines at most


class NotePicker(ModalScreen[tuple[str, int] | None]):
    """The card's notes, newest first. Enter: correct the highlighted one; d: delete it; Esc: back.
    The result is (`EDIT` or `DELETE`, the note's id), or None."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Back"), id="notes-back"),
        Binding("d", "pick('delete')", N_("Delete"), id="note-delete"),
    ]

    def __init__(self, client_name: str, notes: tuple[NoteView, ...], tz: tzinfo, currency: str) -> None:
        super().__init__(classes="form-modal")
        self.client_name = client_name
        self.notes = notes
        self.tz = tz
        self.currency = currency

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Notes on {name}").format(name=self.client_name), id="dialog-title", markup=False)
            yield Static(_("Enter: correct it · d: delete it · Esc: back"), id="dialog-note", markup=False)
            yield OptionList(*(Option(Text(note_line(n, self.tz, self.currency), style="magenta" if n.private else ""),
                                      id=str(n.id))
                               for n in self.notes), id="note-choices")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Edit"), id=EDIT, variant="primary", compact=True)
                yield Button(_("Delete"), id=DELETE, variant="error", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        listed = self.query_one(OptionList)
        listed.focus()
        listed.highlighted = 0

    def highlighted_note(self) -> NoteView | None:
        listed = self.query_one(OptionList)
        return self.notes[listed.highlighted] if listed.highlighted is not None else None

    def action_pick(self, what: str) -> None:
        note = self.highlighted_note()
        if note is not None:
            self.dismiss((what, note.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(EDIT)  # a click on a note

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id in (EDIT, DELETE):
            self.action_pick(event.button.id)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
