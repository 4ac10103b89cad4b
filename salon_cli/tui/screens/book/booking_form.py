"""The booking form: one modal for every booking the desk makes ahead of time.

Who (`ClientPicker`, "+ New client" inline), what (`ServicePicker`, several in order), with whom
(`StaffPicker`, or any stylist: the first free), when (`WhenInput`, typed as people say it), the next
free slots for those (`SlotPicker`: picking one fills in the stylist and the time), a deposit where the
client must leave one, a repeat (every N weeks until a date) and a note. Before saving the form shows
what the book would refuse (the stylist busy, off, or not working then), from the services' own checks;
saving calls `book.appointments.book_appointment`, or `till.deposits.book` when a deposit is taken. A
refusal keeps everything typed and says why in the desk's words (`booking_checks.desk_words`: never a
command-line flag).

A client picked with no stylist chosen brings their first preferred stylist working the day asked
(`clients.at_desk.preferred_stylist`), selected in its box: typing there replaces it.

Enter moves to the next field and books from the last; ctrl+s books from anywhere; a form opened with
everything filled in (a rebooking, a slot of the grid) has the focus on Book, so Enter books it. Enter
and Tab move the focus when the app reads them (`TypesAhead`), and a picker reads its text after the
keys typed before the Enter: a receptionist typing ahead never types into the wrong field. Booking
waits for a pick still on its way. The result is the new appointment's id (the first of a series), or None.

Services only an action needs are imported inside its handler (the dashboard's launch).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static
from textual.widgets.input import Selection

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, ngettext
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.book.booking_checks import any_stylist, book_problems, desk_words, method_typed, repeat_rule
from salon_cli.tui.screens.type_ahead import TypesAhead
from salon_cli.tui.widgets.client_picker import ClientPicker
from salon_cli.tui.widgets.picker import Picker
from salon_cli.tui.widgets.service_picker import ServicePicker
from salon_cli.tui.widgets.slot_picker import COUNT, SlotPicker
from salon_cli.tui.widgets.staff_picker import StaffPicker
from salon_cli.tui.widgets.when_input import WhenInput, shown

class BookingForm(TypesAhead, ModalScreen[int | None]):
    """Book ahead: prefilled by whoever opens it (the grid: stylist and time; the card: the client)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel-booking"),
        Binding("ctrl+s", "save", N_("Book"), id="save-booking"),
    ]
    TITLE_TEXT = N_("Book an appointment")  # shown through _

    def __init__(self, client_id: int | None = None, staff: str | None = None, at: datetime | None = None,
                 services: Sequence[str] = (), *, note: str = "", why: str = "") -> None:
        super().__init__(classes="form-modal booking-form")
        self.client_id = client_id
        self.staff = staff
        self.at = at
        self.services = tuple(services)
        self.note_text = note
        self.why = why  # what the prefill rests on (a rebooking's usual visit), shown under the title
        self.location: LocationView | None = None
        self._busy = False
        self._save_when_ready = False  # Enter to book came before a pick's answer: book when it comes
        self._generation = 0
        self._preferred: str | None = None  # the stylist the form put in the box (the client's preferred)
        self._preferred_generation = 0

    # -- the form ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="booking"):
            yield Static(_(self.TITLE_TEXT), id="booking-title", markup=False)
            if self.why:
                yield Static(self.why, id="booking-why", markup=False)
            with VerticalScroll(id="booking-body"):
                yield from self.fields()
            yield Static("", id="booking-check", classes="empty", markup=False)
            yield Static("", id="booking-error", classes="empty", markup=False)
            with Horizontal(id="booking-buttons"):
                yield Button(_("Book"), id="book-save", variant="primary", compact=True)
                yield Button(_("Cancel"), id="book-cancel", compact=True)
                yield Static(_("Enter: next · ctrl+s: book · Esc: cancel"), id="booking-keys", markup=False)

    def fields(self) -> ComposeResult:
        yield ClientPicker()
        yield ServicePicker(self.services)
        yield StaffPicker(self.staff)
        yield WhenInput()
        yield SlotPicker()
        with Horizontal(id="deposit-row", classes="form-row"):
            yield Label(_("Deposit"), classes="picker-label")
            yield Input(placeholder=_("amount"), id="deposit-amount", compact=True, select_on_focus=False)
            yield Input(placeholder=_("paid: cash, card or transfer"), id="deposit-method", compact=True,
                        select_on_focus=False)
        with Horizontal(id="repeat-row", classes="form-row"):
            yield Label(_("Repeat"), classes="picker-label")
            yield Input(placeholder=_("every N weeks"), id="repeat-every", compact=True, select_on_focus=False)
            yield Input(placeholder=_("until (e.g. 2027-03-31)"), id="repeat-until", compact=True, select_on_focus=False)
        with Horizontal(id="note-row", classes="form-row"):
            yield Label(_("Note"), classes="picker-label")
            yield Input(value=self.note_text, placeholder=_("optional"), id="note", compact=True, max_length=500,
                        select_on_focus=False)

    def order(self) -> list[Widget]:
        """The fields Enter walks through, in order (those on show)."""
        wanted = ["#client", "#services", "#staff", "#when", "#deposit-amount", "#deposit-method",
                  "#repeat-every", "#repeat-until", "#note"]
        found = [w for key in wanted for w in self.query(key)]
        return [w for w in found if w.display and all(a.display for a in w.ancestors_with_self if isinstance(a, Widget))]

    def on_mount(self) -> None:
        self.prepare()

    def prepare(self) -> None:
        """Read the location, fill in what was given, and put the focus where typing starts."""
        self.query_one("#deposit-row").display = False
        if self.client_id is not None:
            self.query_one(ClientPicker).pick_id(self.client_id)

        def located(location: LocationView) -> None:
            self.location = location
            when = self.query_one(WhenInput)
            when.set_zone(location.tz, location.currency)
            if self.at is not None:
                when.set_at(self.at)
            self._recheck()
            self._saving_now()

        self.app.read(lambda _s, loc: loc, located, self._refused, group="booking-location")  # type: ignore[attr-defined]
        if self.client_id is not None and self.services and self.staff and self.at is not None:
            self.set_focus(self.query_one("#book-save", Button))  # all there: Enter books it
        else:
            first = next((w for w in self.order() if not self._filled(w)), None) or self.query_one(ClientPicker)
            self.set_focus(first.input if isinstance(first, (Picker, WhenInput)) else first)

    def _filled(self, widget: Widget) -> bool:
        return {"client": self.client_id is not None, "services": bool(self.services),
                "staff": bool(self.staff), "when": self.at is not None}.get(widget.id or "", False)

    def _place(self, widget: Widget) -> tuple[list[Widget], int | None]:
        fields = self.order()
        return fields, next((i for i, w in enumerate(fields) if w is widget or w in widget.ancestors_with_self), None)

    def field_after(self, widget: Widget) -> None:
        """Focus the field after `widget` (now, not after a refresh: the next key typed goes there)."""
        fields, here = self._place(widget)
        if here is None or here + 1 >= len(fields):
            self.set_focus(self.query_one("#book-save", Button))
            return
        after = fields[here + 1]
        self.set_focus(after.input if isinstance(after, (Picker, WhenInput)) else after)

    def is_last(self, widget: Widget) -> bool:
        """Enter here books (the booking form: the note)."""
        return widget.id == "note"

    def submitted(self, field: Input) -> None:
        """Enter in a text field: the focus moves on now; the picker that owns the field picks (and the
        last field books) once the field has read the keys typed before the Enter."""
        owner = next((a for a in field.ancestors_with_self if isinstance(a, (Picker, WhenInput))), field)
        last = self.is_last(owner)
        if not last:
            self.field_after(owner)

        def then() -> None:
            if isinstance(owner, Picker):
                owner.submitted(field.value)
            if last:
                self.action_save()

        field.call_later(then)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is the screen's (`TypesAhead`); this is for a field Enter reached anyway
        self.submitted(event.input)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "book-save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- what changed: the checks and the free slots again -----------------------------------------

    def on_picker_changed(self, event: Picker.Changed) -> None:
        if isinstance(event.picker, ClientPicker):
            picked = event.picker.picked
            for row in self.query("#deposit-row"):
                row.display = bool(picked and picked.deposit_required)
            self._offer_preferred()
        self._recheck()
        self._saving_now()

    def on_client_picker_new_client(self, event: ClientPicker.NewClient) -> None:
        """The client form, inline; the client it answers with (added, or on file already) is picked."""
        from salon_cli.tui.screens.clients.client_form import ClientForm

        def made(client_id: int | None) -> None:
            if client_id is not None:
                event.picker.pick_id(int(client_id))

        self.app.push_screen(ClientForm(first=event.first, last=event.last), made)

    def on_when_input_changed(self, event: WhenInput.Changed) -> None:
        self._recheck()
        self._offer_preferred()

    def _offer_preferred(self) -> None:
        """The client's preferred stylist for the day asked (today until one is), while the box holds
        no stylist the desk chose or was given (the grid's column, a rebooking); again for a new day."""
        client = self.query_one(ClientPicker).picked
        whens = self.query(WhenInput)
        if self.staff or client is None or client.id is None or not whens:  # a walk-in: whoever is free now
            return
        staff_picker, at, client_id = self.query_one(StaffPicker), whens.first().at, client.id
        self._preferred_generation = generation = self._preferred_generation + 1

        def work(session: Any, location: LocationView) -> str | None:
            from salon_cli.services.clients.at_desk import preferred_stylist
            from salon_cli.services.salon.business_days import today

            day = at.astimezone(location.tz).date() if at is not None else today(location)
            return preferred_stylist(session, location=location, client_id=client_id, day=day)

        def done(code: str | None) -> None:
            ours = self._preferred is not None and staff_picker.decided and staff_picker.chosen_code == self._preferred
            untouched = not staff_picker.decided and not staff_picker.input.value
            if generation != self._preferred_generation or not (ours or untouched):
                return  # the receptionist chose or is typing: theirs stands
            if code is None:
                if ours:  # nobody the client prefers works that day: the desk chooses
                    self._preferred = None
                    staff_picker.input.value = ""
                    staff_picker.note(_("any stylist, or type a code or name"))
                return
            if staff_picker.team is None:  # the team is on its way
                self.set_timer(0.1, lambda: done(code))
                return
            member = next((m for m in staff_picker.team if m.code == code), None)
            if member is None or code == staff_picker.chosen_code:
                return
            self._preferred = code
            staff_picker.set_code(code)
            staff_picker.input.selection = Selection(0, len(code))  # typing in the box replaces it
            staff_picker.note("✓ " + _("{name} ({code}) · {client}'s preferred stylist").format(
                name=member.name, code=code, client=client.name))

        self.app.read(work, done, lambda _text: None, group="booking-preferred")  # type: ignore[attr-defined]

    def on_slot_picker_picked(self, event: SlotPicker.Picked) -> None:
        self.query_one(StaffPicker).set_code(event.staff)
        self.query_one(WhenInput).set_at(event.starts_at)
        self.field_after(self.query_one(WhenInput))

    def _recheck(self) -> None:
        """The free slots and what the book would refuse, for what the form holds now."""
        if self.location is None:
            return
        self._generation += 1
        generation = self._generation
        minutes = self.query_one(ServicePicker).minutes
        staff_picker = self.query_one(StaffPicker)
        staff = staff_picker.chosen_code if staff_picker.decided else None
        at = self.query_one(WhenInput).at
        slots_widget = self.query_one(SlotPicker)
        if not minutes:
            slots_widget.say(_("choose a service to see the free slots"))
            self._show_check([])
            return
        tz = self.location.tz

        def work(session: Any, location: LocationView) -> tuple[list[Any], list[str]]:
            from salon_cli.services.book.slots import free_slots

            after = at if at is not None and at > clock.now() else clock.now()
            slots = free_slots(session, location, minutes=minutes, staff=staff, after=after, count=COUNT)
            problems: list[str] = []
            if at is not None:
                if staff is not None:
                    problems = book_problems(session, location, staff=staff, at=at, minutes=minutes)
                elif staff_picker.decided:
                    try:
                        any_stylist(session, location, minutes=minutes, at=at)
                    except SalonError as exc:
                        problems = [exc.message]
            return slots, problems

        def done(result: tuple[list[Any], list[str]]) -> None:
            if generation != self._generation:
                return
            slots, problems = result
            if not slots:
                slots_widget.say(_("no free slot in the next two weeks"))
            else:
                slots_widget.show_slots(slots, tz, self.location.currency if self.location else "")
            self._show_check(problems)

        self.app.read(work, done, self._refused, group="booking-check")  # type: ignore[attr-defined]

    def _show_check(self, problems: list[str]) -> None:
        check = self.query_one("#booking-check", Static)
        check.update("\n".join(f"⚠ {desk_words(p)}" for p in problems))
        check.set_class(not problems, "empty")

    # -- saving ------------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        error = self.query_one("#booking-error", Static)
        error.update(text)
        error.set_class(not text, "empty")

    def _refused(self, text: str) -> None:
        self._busy = False
        self.say(_("Not booked: {why}").format(why=desk_words(text)))

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def _saving_now(self) -> None:
        """An answer came: book now if Enter to book was waiting for it."""
        if self._save_when_ready and self.location is not None and not any(p.pending for p in self.query(Picker)):
            self._save_when_ready = False
            self.action_save()

    def _wait_for_picks(self) -> bool:
        """True when a pick still waits for its answer: the form books when the answer comes."""
        if self.location is None or any(p.pending for p in self.query(Picker)):
            self._save_when_ready = True
            self.say(_("finding what was typed…"))
            return True
        return False

    def action_save(self) -> None:
        if self._busy or self._wait_for_picks():
            return
        location = self.location
        assert location is not None
        client = self.query_one(ClientPicker).picked
        services = self.query_one(ServicePicker)
        staff_picker = self.query_one(StaffPicker)
        when = self.query_one(WhenInput)
        codes = services.codes if services.menu is not None else self.services
        missing = (_("choose a client") if client is None or client.id is None else
                   _("choose a service") if not codes else
                   _("choose a stylist (or any)") if not staff_picker.decided and not self.staff else
                   _("when? {why}").format(why=when.error) if when.error else
                   _("say when (e.g. tomorrow 16)") if when.at is None else "")
        if missing:
            self.say(missing)
            return
        assert client is not None and client.id is not None and when.at is not None
        staff = staff_picker.chosen_code if staff_picker.decided else self.staff
        at, minutes, note = when.at, services.minutes, self._value("#note") or None
        deposit = self._value("#deposit-amount") if self.query_one("#deposit-row").display else ""
        method = method_typed(self._value("#deposit-method"))
        every, until = self._value("#repeat-every"), self._value("#repeat-until")
        try:
            repeat = repeat_rule(every, until, clock.now().astimezone(location.tz))
        except SalonError as exc:
            self.say(_("Not booked: {why}").format(why=desk_words(exc.message)))
            return
        if deposit and not method:
            self.say(_("how is the deposit paid? cash, card or transfer"))
            return

        def work(session: Any, loc: LocationView, actor: Any) -> Any:
            from salon_cli.core.money import parse_amount
            from salon_cli.services.book import appointments

            code = staff or any_stylist(session, loc, minutes=minutes, at=at)
            from salon_cli.services.benefits.priority import horizon_days

            booking = dict(client_id=client.id, services=list(codes), staff=code,
                           at=f"{at:%Y-%m-%d %H:%M}", repeat=repeat, note=note,  # the wall time: DST is the service's
                           horizon_days=horizon_days(session, loc, client.id))  # priority booking's, if theirs
            if deposit:
                from salon_cli.services.till import deposits

                cents = parse_amount(deposit, loc.currency, what=_("deposit"))  # a word of the refusal
                return deposits.book(session, actor=actor, location=loc, method=method, deposit_cents=cents, **booking)
            return appointments.book_appointment(session, actor=actor, location=loc, **booking)  # type: ignore[arg-type]

        def done(booking: Any) -> None:
            self._busy = False
            first = booking.appointments[0]
            repeats = len(booking.appointments) - 1
            more = ngettext(" (+{n} repeat)", " (+{n} repeats)", repeats).format(n=repeats) if repeats else ""
            self.app.notify(_("booked: {client} · {when} with {staff} · {service}").format(
                client=first.client, when=shown(first.starts_at.astimezone(location.tz), location.currency),
                staff=first.staff, service=first.service) + more)
            for warning in booking.warnings:
                self.app.notify(desk_words(warning), severity="warning", timeout=8)
            self.dismiss(first.id)

        self._busy = True
        self.say(_("booking…"))
        self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]
