"""The client form: a new client (`n`, anywhere) or a client's profile (`e` on the card).

First and last name, phone, e-mail, birthday (YYYY-MM-DD) and tags (comma separated); then, below
(Tab on to them; the form scrolls on a small terminal), the rest of the profile: address in parts,
a second phone and e-mail, occupation, emergency contact and gender. Enter saves from the tags (a
new client at the desk rarely needs more) and from the last field. The form only collects text;
`services.clients` checks it, normalises it and says what is wrong:

- before a new client is added, `existing_contact` (the same phone or e-mail on a live client: that
  client is the one meant, and the form answers with them, saying so) and `likely_duplicates` (names
  that read alike: listed, to open one, or to create the new client anyway);
- then `profiles.add`, or `profiles.edit` with `tag`/`untag` for the tags, in one unit of work.

A refusal (a phone that is not one, a birthday in the future) is shown in the form in words, wrapped,
and everything typed stays. The form's result is the client's id (None: cancelled), so another screen
can create a client inline and go on with the id: `push_screen(ClientForm(first="Ana"), then)`.
The labels and placeholders are marked `N_` and said in the desk's language when the form is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.core.permissions import Permission
from salon_cli.core.phones import national
from salon_cli.i18n import N_, _, ngettext
from salon_cli.services.clients.profiles import ClientView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.type_ahead import TypesAhead

# (name, label, placeholder); the order is the order of the form and of Tab
FIELDS = (
    ("first", N_("First name"), ""),
    ("last", N_("Last name"), N_("both surnames if the client uses them")),
    ("phone", N_("Phone"), N_("e.g. 55 1234 5678 or +34 612 345 678")),
    ("email", N_("E-mail"), ""),
    ("birthday", N_("Birthday"), N_("YYYY-MM-DD")),
    ("tags", N_("Tags"), N_("comma separated, e.g. vip, alergia-tinte")),
)
# the rest of the profile, below the first fields (names as `profiles.add`/`edit` take them)
MORE_FIELDS = (
    ("street", N_("Street"), N_("street and number")),
    ("city", N_("City"), ""),
    ("state", N_("State"), ""),
    ("postal_code", N_("Postal code"), ""),
    ("country", N_("Country"), N_("two letters, e.g. MX, ES, US")),
    ("phone2", N_("Phone 2"), N_("a second phone")),
    ("email2", N_("E-mail 2"), N_("a second e-mail")),
    ("occupation", N_("Occupation"), ""),
    ("emergency_name", N_("Emergency"), N_("emergency contact's name")),
    ("emergency_phone", N_("Emerg. phone"), N_("emergency contact's phone")),
    ("gender", N_("Gender"), N_("female, male, non_binary, other (or empty)")),
)
ALL_FIELDS = FIELDS + MORE_FIELDS
ANYWAY = "create-anyway"


@dataclass(frozen=True)
class Draft:
    """What was typed, as typed (the services trim and check it)."""

    first: str = ""
    last: str = ""
    phone: str = ""
    email: str = ""
    birthday: str = ""
    tags: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    phone2: str = ""
    email2: str = ""
    occupation: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    gender: str = ""

    def parts(self) -> dict[str, str]:
        """The rest of the profile, by the names the services take."""
        return {name: getattr(self, name) for name, *_rest in MORE_FIELDS}

    def tag_list(self) -> list[str]:
        return [t for t in (part.strip() for part in self.tags.split(",")) if t]


@dataclass(frozen=True)
class Checked:
    """The look-up before a new client is added."""

    existing: ClientView | None  # the live client who has this phone or e-mail already
    likely: list[ClientView]  # clients whose names read like the one typed


def _name(c: ClientView) -> str:
    return f"{c.first_name} {c.last_name}".strip()


def check_new(session: Any, location: LocationView, draft: Draft) -> Checked:
    """Ask the client services whether the new client is on file already (one read)."""
    from salon_cli.services.clients import at_desk

    existing = at_desk.existing_contact(session, phone=draft.phone or None, email=draft.email or None,
                                        location=location)
    if existing is not None or not (draft.first.strip() and draft.last.strip()):
        return Checked(existing, [])
    return Checked(None, at_desk.likely_duplicates(session, first=draft.first, last=draft.last))


def add_client(session: Any, location: LocationView, actor: Any, draft: Draft) -> ClientView:
    from salon_cli.services.clients import profiles

    return profiles.add(session, actor=actor, location=location, first_name=draft.first, last_name=draft.last,
                        phone=draft.phone, email=draft.email, birthday=draft.birthday or None,
                        tags=draft.tag_list(), **draft.parts())


def edit_client(session: Any, location: LocationView, actor: Any, client_id: int, draft: Draft,
                had_tags: Sequence[str]) -> ClientView:
    """The profile as typed (an empty optional field clears it), then the tags added and taken off."""
    from salon_cli.services.clients import profiles

    client = profiles.edit(session, actor=actor, location=location, client_id=client_id, first_name=draft.first,
                           last_name=draft.last, phone=draft.phone, email=draft.email, birthday=draft.birthday,
                           **draft.parts())
    wanted = {profiles.normalise_tag(t) for t in draft.tag_list()}
    gone = sorted(set(had_tags) - wanted)
    new = sorted(wanted - set(had_tags))
    if gone:
        client = profiles.untag(session, actor=actor, location=location, client_id=client_id, tags=gone)
    if new:
        client = profiles.tag(session, actor=actor, location=location, client_id=client_id, tags=new)
    return client


class ClientForm(TypesAhead, ModalScreen[int | None]):
    """A new client, or (with `client_id`) the profile of one. Enter moves to the next field and saves
    from the last; ctrl+s saves from anywhere; Escape cancels. The result is the client's id."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel", priority=True),
        Binding("ctrl+s", "save", N_("Save"), id="save", priority=True),
    ]

    def __init__(self, *, client_id: int | None = None, first: str = "", last: str = "", phone: str = "",
                 email: str = "", birthday: str = "", tags: str = "", had_tags: Sequence[str] = (),
                 **parts: str) -> None:
        super().__init__(classes="form-modal client-form")
        self.client_id = client_id
        self.given = Draft(first, last, phone, email, birthday, tags, **parts)
        self.had_tags = tuple(had_tags)
        self.outcome = ""  # created | edited | existing | duplicate: how the id came back
        self.told = ""  # what the screen that opens the client should say about it
        self.likely: list[ClientView] = []

    @classmethod
    def editing(cls, client: ClientView) -> ClientForm:
        """The form filled with a client's profile (the phone as it was typed)."""
        return cls(client_id=client.id, first=client.first_name, last=client.last_name,
                   phone=client.phone_raw or client.phone or "", email=client.email or "",
                   birthday=client.birthday.isoformat() if client.birthday else "", tags=", ".join(client.tags),
                   had_tags=client.tags, **{name: getattr(client, name) or "" for name, *_rest in MORE_FIELDS})

    def compose(self) -> ComposeResult:
        heading = _("New client") if self.client_id is None else _("Edit client {id}").format(id=self.client_id)
        with VerticalScroll(id="dialog", can_focus=False):  # Tab goes from field to field
            yield Static(heading, id="dialog-title", markup=False)
            with Grid(id="client-fields"):
                for name, label, placeholder in FIELDS:
                    yield from self._field(name, label, placeholder)
                yield Label(_("More"), classes="field-label")
                yield Label(_("Tab on for the rest of the profile"), classes="field-label")
                for name, label, placeholder in MORE_FIELDS:
                    yield from self._field(name, label, placeholder)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            yield Static("", id="likely-note", markup=False)
            yield OptionList(id="likely")
            with Horizontal(id="form-buttons"):
                yield Button(_("Save"), id="ok", variant="primary", compact=True)
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Static(_("ctrl+s saves · Esc cancels"), classes="form-keys", markup=False)

    def _field(self, name: str, label: str, placeholder: str) -> ComposeResult:
        yield Label(_(label), classes="field-label")
        yield Input(value=getattr(self.given, name), placeholder=_(placeholder), id=f"field-{name}",
                    compact=True, select_on_focus=False)

    def on_mount(self) -> None:
        self.query_one("#likely-note").display = False
        self.query_one("#likely").display = False
        first = next((self.query_one(f"#field-{name}", Input) for name, *_rest in FIELDS
                      if not getattr(self.given, name)), None)
        # now, not after the keys already waiting: those typed right after `n` belong in this field
        self.set_focus(first or self.query_one("#field-first", Input))

    # -- what was typed ----------------------------------------------------------------------------

    def draft(self) -> Draft:
        return Draft(**{name: self.query_one(f"#field-{name}", Input).value for name, *_rest in ALL_FIELDS})

    def submitted(self, field: Input) -> None:
        if field.id == "field-tags":
            self.action_save()  # the first fields are what a new client at the desk needs
        else:
            super().submitted(field)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.likely and event.input.id in ("field-first", "field-last"):
            self._show_likely([])  # another name: the list was for the one before

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.form_button(event)

    # -- saving ------------------------------------------------------------------------------------

    def action_save(self, anyway: bool = False) -> None:
        if self._busy:
            return
        draft = self.draft()
        self.say("")
        if self.client_id is not None:
            self._edit(draft)
        elif anyway:
            self._add(draft)
        else:
            self.hold(True)
            self.app.read(lambda s, loc: check_new(s, loc, draft), self._checked,  # type: ignore[attr-defined]
                          self._refused, group="client-form")

    def _checked(self, checked: Checked) -> None:
        self.hold(False)
        draft = self.draft()
        if checked.existing is not None:
            c = checked.existing
            said = [what for what, typed in ((N_("phone"), draft.phone), (N_("e-mail"), draft.email)) if typed.strip()]
            what = (_("{first} or {second}").format(first=_(said[0]), second=_(said[1])) if len(said) == 2
                    else _(said[0]) if said else "")
            self.told = _("on file already: that {what} is on client {id} ({name}); no new client was added").format(
                what=what, id=c.id, name=_name(c))
            self._answer(c.id, "existing")
            return
        if checked.likely:
            self._show_likely(checked.likely)
            return
        self._add(draft)

    def _add(self, draft: Draft) -> None:
        def added(client: ClientView) -> None:
            self.told = _("new client added: {name}, client {id}").format(name=_name(client), id=client.id)
            self._answer(client.id, "created")

        self.hold(True)
        self.app.change(Permission.desk,  # type: ignore[attr-defined]
                        lambda s, loc, actor: add_client(s, loc, actor, draft), added, self._refused)

    def _edit(self, draft: Draft) -> None:
        self.hold(True)
        client_id, had = self.client_id, self.had_tags
        self.app.change(Permission.desk,  # type: ignore[attr-defined]
                        lambda s, loc, actor: edit_client(s, loc, actor, client_id, draft, had),
                        lambda c: self._answer(c.id, "edited"), self._refused)

    def _answer(self, client_id: int, outcome: str) -> None:
        self.hold(False)
        self.outcome = outcome
        self.dismiss(client_id)

    def _refused(self, text: str) -> None:
        self.hold(False)
        self.say(text)
        error = self.query_one("#dialog-error")  # below the fields: scrolled to on a small terminal
        self.call_after_refresh(lambda: error.scroll_visible(animate=False))

    # -- likely duplicates -------------------------------------------------------------------------

    def _show_likely(self, likely: list[ClientView]) -> None:
        self.likely = likely
        note, options = self.query_one("#likely-note", Static), self.query_one("#likely", OptionList)
        options.clear_options()
        note.display = options.display = bool(likely)
        if not likely:
            return
        typed = " ".join(f"{self.draft().first} {self.draft().last}".split())
        note.update(ngettext("On file already? {n} client with a name like this: Enter opens one.",
                             "On file already? {n} clients with a name like this: Enter opens one.",
                             len(likely)).format(n=len(likely)))
        for c in likely:
            country = getattr(self.app.location, "country", None)  # type: ignore[attr-defined]
            contact = " · ".join(x for x in (national(c.phone, country) if c.phone else None, c.email) if x)
            options.add_option(Option(Text(f"{_name(c)}  ") + Text(contact or _("no contact"), style="dim"),
                                      id=str(c.id)))
        options.add_option(Option(Text(_("Create anyway: {name} as a new client").format(name=typed), style="bold"),
                                  id=ANYWAY))
        options.highlighted = 0
        self.set_focus(options)
        dialog = self.query_one("#dialog")  # the list is below the fields: scrolled to on a small terminal
        self.call_after_refresh(lambda: dialog.scroll_end(animate=False))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == ANYWAY:
            self.action_save(anyway=True)
        elif event.option.id:
            self._answer(int(event.option.id), "duplicate")
