"""Small modals every screen shares: a short form (a reason, a time, a count), the PIN prompt for
manager actions and the desk's sign-in. They only collect text; the screens call the services.
Their callers hand them text in the desk's language already (`_`); their own words are said here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.i18n import N_, _


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    password: bool = False
    placeholder: str = ""
    value: str = ""
    required: bool = True


class FormModal(ModalScreen[dict[str, str] | None]):
    """A title, a few labelled inputs, OK and Cancel. Enter moves to the next field, then submits;
    Escape cancels (the result is None)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, title: str, fields: list[Field], *, note: str = "", ok: str | None = None,
                 focus: str | None = None) -> None:
        super().__init__(classes="form-modal")
        self.heading = title
        self.fields = fields
        self.note = note
        self.ok_label = ok if ok is not None else _("OK")
        self.focus_first = focus  # a field to start on (else the first one left blank)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="dialog-title", markup=False)
            if self.note:
                yield Static(self.note, id="dialog-note", markup=False)
            for field in self.fields:
                yield Label(field.label)
                yield Input(value=field.value, placeholder=field.placeholder, password=field.password,
                            id=f"field-{field.name}")
            yield Static("", id="dialog-error", markup=False)
            with Horizontal(id="dialog-buttons"):  # side by side: a three-field form still fits 24 rows
                yield Button(self.ok_label, id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        if self.focus_first is not None:
            self.query_one(f"#field-{self.focus_first}", Input).focus()
            return
        first = next((self.query_one(f"#field-{f.name}", Input) for f in self.fields if not f.value), None)
        (first or self.query_one(f"#field-{self.fields[0].name}", Input)).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [f.name for f in self.fields]
        current = (event.input.id or "").removeprefix("field-")
        index = names.index(current) if current in names else len(names) - 1
        if index + 1 < len(names):
            self.query_one(f"#field-{names[index + 1]}", Input).focus()
        else:
            self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}
        missing = [f.label for f in self.fields if f.required and not values[f.name]]
        if missing:
            self.query_one("#dialog-error", Static).update(_("{field} is needed").format(field=missing[0]))
            return
        self.dismiss(values)


Choice = tuple[str, str, str | None]  # (id, label, why it cannot be chosen: None when it can)


class ChoiceModal(ModalScreen[str | None]):
    """A title, a note and a short list; Enter picks one (its id), Escape cancels (None). An option that
    cannot be chosen is shown dimmed with why."""

    DEFAULT_CSS = """
    ChoiceModal #choices { height: auto; max-height: 12; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, title: str, note: str, options: Sequence[Choice]) -> None:
        super().__init__(classes="form-modal")
        self.heading = title
        self.note = note
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="dialog-title", markup=False)
            if self.note:
                yield Static(self.note, id="dialog-note", markup=False)
            yield OptionList(*(Option(Text(label if why is None else f"{label} — {why}",
                                           style="" if why is None else "dim"), id=key, disabled=why is not None)
                               for key, label, why in self.options), id="choices")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        listed = self.query_one(OptionList)
        listed.focus()
        first = next((i for i, (_, _, why) in enumerate(self.options) if why is None), None)
        if first is not None:
            listed.highlighted = first

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def pin_modal(title: str, who: str = "") -> FormModal:
    """A manager's (or a staff member's) code and PIN, for one action."""
    return FormModal(title, [Field("who", _("Staff code"), value=who), Field("pin", _("PIN"), password=True)])


def sign_in_modal() -> FormModal:
    return FormModal(_("Who is at the desk?"), [Field("who", _("Staff code")), Field("pin", _("PIN"), password=True)],
                     note=_("Sign in with your code and PIN; desk actions are recorded under your name."),
                     ok=_("Sign in"))
