"""A client's preferences (`f` on the card), as `salon client prefs` takes them: the channel and timing
of reminders, the preferred stylists in order (staff codes, comma separated: the first is the one the
booking form offers), the preferred services, and special requests. The form is filled with what is on
file; an emptied field clears it. `client_notes.set_prefs` checks and saves them as the desk's staff
member (an unknown or deactivated stylist is refused and nothing is saved); a refusal shows in the form
and keeps what was typed. The result is the preferences saved (None: cancelled). Its words are the desk's
language (`_`); the channels and reminders are shown in words, kept as their codes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _
from salon_cli.services.clients.notes import CHANNELS, REMINDERS, PrefsView
from salon_cli.tui.screens.clients.client_words import CHANNEL_WORD, REMINDER_CHOICE, word
from salon_cli.tui.screens.type_ahead import TypesAhead

NO_CHANNEL = "none"


def codes_in(text: str) -> list[str]:
    """The items of a comma-separated field, in order (an empty field: none, which clears the list)."""
    return [item.strip() for item in text.split(",") if item.strip()]


class PrefsForm(TypesAhead, ModalScreen[PrefsView | None]):
    """Enter moves to the next field and saves from the last; ctrl+s saves; Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel", priority=True),
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
    ]

    def __init__(self, client_name: str, prefs: PrefsView) -> None:
        super().__init__(classes="form-modal prefs-form")
        self.client_name = client_name
        self.prefs = prefs

    def compose(self) -> ComposeResult:
        p = self.prefs
        with VerticalScroll(id="dialog", can_focus=False):  # Tab goes from field to field
            yield Static(_("Preferences of {name}").format(name=self.client_name), id="dialog-title", markup=False)
            with Grid(id="prefs-fields"):
                yield Label(_("Reminders by"), classes="field-label")
                yield Select([(_("no preference"), NO_CHANNEL), *((word(CHANNEL_WORD, c), c) for c in CHANNELS)],
                             value=p.channel or NO_CHANNEL, allow_blank=False, id="field-channel", compact=True)
                yield Label(_("Remind"), classes="field-label")
                yield Select([(word(REMINDER_CHOICE, r), r) for r in REMINDERS], value=p.reminder, allow_blank=False,
                             id="field-reminder",
                             compact=True)
                yield Label(_("Stylists"), classes="field-label")
                yield Input(", ".join(p.preferred_staff_codes), id="field-staff", compact=True,
                            placeholder=_("staff codes in order, comma separated (e.g. ana, diego)"))
                yield Label(_("Services"), classes="field-label")
                yield Input(", ".join(p.preferred_services), id="field-services", compact=True,
                            placeholder=_("codes or names, comma separated"))
                yield Label(_("Requests"), classes="field-label")
                yield Input(p.requests or "", id="field-requests", compact=True)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(_("Save"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Static(_("ctrl+s saves · Esc cancels"), classes="form-keys", markup=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#field-channel", Select))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.form_button(event)

    def action_save(self) -> None:
        from salon_cli.services.clients import notes as client_notes

        if self._busy:
            return
        client_id = self.prefs.client_id
        channel = str(self.query_one("#field-channel", Select).value)
        channel = "" if channel == NO_CHANNEL else channel
        reminder = str(self.query_one("#field-reminder", Select).value)
        staff = codes_in(self.query_one("#field-staff", Input).value)
        services = codes_in(self.query_one("#field-services", Input).value)
        requests = self.query_one("#field-requests", Input).value

        def refused(text: str) -> None:
            self.hold(False)
            self.say(text)

        self.hold(True)
        self.say("")
        self.app.change(Permission.desk, lambda s, loc, actor: client_notes.set_prefs(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, client_id=client_id, channel=channel, reminder=reminder, staff=staff,
            services=services, requests=requests), self.dismiss, refused)
