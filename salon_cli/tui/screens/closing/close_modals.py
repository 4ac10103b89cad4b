"""The close's question before closing early: the time now and the salon's closing hour, as the service
says them (`day_close.early_words`), and two answers: `y` closes early; `n`, Escape or Enter (on the focused "Not yet") does not.
Its own words are the desk's language (`_`); the service's sentence is shown as it comes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from salon_cli.i18n import N_, _


class EarlyCloseModal(ModalScreen[bool]):
    """'It is 11:00 and the salon closes at 20:00.' Close the day early? Dismisses True or False."""

    BINDINGS = [Binding("escape,n", "answer(False)", N_("Not yet"), id="early-no"),
                Binding("y", "answer(True)", N_("Close early"), id="early-yes")]

    def __init__(self, words: str, day_name: str) -> None:
        super().__init__(classes="form-modal")
        self.words = words
        self.day_name = day_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Close {day} early?").format(day=self.day_name), id="dialog-title", markup=False)
            yield Static(f"{self.words[0].upper()}{self.words[1:]}.", id="early-words", markup=False)
            yield Static(_("Once closed, nothing more is sold, paid or refunded on this day until a manager "
                           "re-opens it."), id="dialog-note", markup=False)
            yield Button(_("Close early (y)"), id="yes", variant="warning")
            yield Button(_("Not yet (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
