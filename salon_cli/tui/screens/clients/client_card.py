"""The client card: profile, preferences, notes (private ones only as `client_notes` lets the desk's
staff member read them), the loyalty card, membership, today's appointments, recent visits, no-shows and
penalties, and its history: visits, sales and loyalty beside one another. One key each: check in today's
next appointment, stamp, redeem a reward, checkout; edit the profile (`client_form`), add a note
(`note_form`), correct or delete one (`note_actions`), edit the preferences (`prefs_form`).

`load_card` reads everything in one unit of work; the `*_text` builders turn it into what the card shows.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.clients.notes import NoteView
from salon_cli.services.loyalty import rewards as loyalty_rewards
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.clients.client_words import note_kind
from salon_cli.tui.screens.clients.loyalty_card import CodeModal, LoyaltyCard, RewardPicker
from salon_cli.tui.screens.clients.search import _name
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter

from salon_cli.tui.screens.clients.client_card_data import (
    CardData, appointments_text, for_checkout, load_card, membership_text, notes_text, profile_text,
)


class ClientCardScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        Binding("c", "check_in", N_("Check in"), id="client-check-in"),
        Binding("k", "stamp", N_("Stamp"), id="stamp"),
        Binding("r", "redeem", N_("Redeem"), id="redeem"),
        Binding("p", "checkout", N_("Checkout"), id="client-checkout"),
        Binding("b", "rebook", N_("Book again"), id="rebook"),
        Binding("e", "edit_profile", N_("Edit"), id="client-edit"),
        Binding("a", "add_note", N_("Note"), id="client-note"),
        Binding("o", "note_actions", N_("Edit notes"), id="client-notes"),
        Binding("f", "edit_prefs", N_("Prefs"), id="client-prefs"),
        Binding("f5", "reload", N_("Reload"), id="reload", show=False),
    ]
    def __init__(self, client_id: int, *args: object, notice: str = "") -> None:
        super().__init__()
        self.client_id = int(client_id)
        self.notice = notice  # said when the card opens (e.g. why this card and not a new client)
        self.data: CardData | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("client {id}").format(id=self.client_id), id="title", markup=False)
        with VerticalScroll(id="card-body"):
            with Horizontal(id="card-top"):
                yield Static("", id="profile")
                yield LoyaltyCard(id="loyalty")
            yield Static("", id="membership")
            yield Static("", id="appointments")
            yield Static("", id="notes")
        yield Static("", id="notice", classes="empty", markup=False)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        if self.notice:
            self.say(self.notice)
        self._request()

    # -- loading ---------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request()

    def action_reload(self) -> None:
        self._request()

    def _request(self) -> None:
        self._generation += 1
        generation = self._generation
        reader = self.app.desk  # type: ignore[attr-defined]
        client_id = self.client_id

        def done(data: CardData) -> None:
            if generation == self._generation:
                self._show(data)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {text}").format(text=text), error=True)

        self.app.read(lambda s, loc: load_card(s, loc, client_id, reader), done, failed,  # type: ignore[attr-defined]
                      group="client-card")

    def _show(self, data: CardData) -> None:
        self.data = data
        c = data.client
        merged = " — " + _("merged into client {id}").format(id=c.merged_into_id) if c.merged_into_id else ""
        said = _("client {id}").format(id=c.id)
        self.query_one("#title", Static).update(f"{_name(c.first_name, c.last_name)} — {said}{merged}")
        self.query_one("#profile", Static).update(profile_text(data))
        card = self.query_one(LoyaltyCard)
        card.border_title = _("Loyalty") + (f" · {data.loyalty.tier}" if data.loyalty and data.loyalty.enrolled else "")
        card.show(data.loyalty, data.program, data.location.tz, data.location.currency)
        self.query_one("#membership", Static).update(membership_text(data.membership, data.location.currency))
        self.query_one("#appointments", Static).update(appointments_text(data))
        self.query_one("#notes", Static).update(notes_text(data))
        waiting = data.next_in
        hint = (_("next: {time} {service} (c checks in)").format(
                    time=f"{waiting.starts_at.astimezone(data.location.tz):%H:%M}", service=waiting.service)
                if waiting else _("no booked appointment left today"))
        desk = self.app.desk  # type: ignore[attr-defined]
        self._set_summary(_("{hint} · desk: {who}").format(hint=hint, who=desk.code if desk else _("nobody signed in")))

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def say(self, text: str, *, error: bool = False) -> None:
        """A line above the footer that stays until the next action (refusals say when to try again)."""
        notice = self.query_one("#notice", Static)
        notice.update(text)
        notice.set_class(error, "error")
        notice.set_class(not text, "empty")

    def _refused(self, text: str) -> None:
        self.say(_("refused: {text}").format(text=text), error=True)

    # -- actions ---------------------------------------------------------------------------------

    def action_check_in(self) -> None:
        from salon_cli.services.book import status as appt_status

        if self.data is None:
            return
        if self.data.next_in is None:
            self.say(_("no booked appointment today to check in"), error=True)
            return
        client_id, tz = self.client_id, self.data.location.tz

        def done(appt: AppointmentView) -> None:
            self.say(_("checked in: {time} {service} with {staff}").format(
                time=f"{appt.starts_at.astimezone(tz):%H:%M}", service=appt.service, staff=appt.staff))
            self.app.notify(_("{client} is here").format(client=appt.client))
            self._request()

        self.app.change(Permission.desk, lambda s, loc, actor: appt_status.check_in_next(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, client_id=client_id), done, self._refused)

    def action_stamp(self) -> None:
        if self.data is None:
            return
        client_id, tz, currency = self.client_id, self.data.location.tz, self.data.location.currency
        self.say("")

        def work(s: Any, loc: LocationView, actor: Any) -> Any:
            return loyalty_rewards.stamp(s, actor=actor, location=loc, client_id=client_id)

        def done(result: loyalty_rewards.StampResult) -> None:
            at = result.next_stamp_at.astimezone(tz)
            self.say(_("stamped: {stamps}/{target} · next stamp allowed from {day} {time}").format(
                stamps=result.stamps, target=result.stamps_target, day=formats.day(at.date(), currency),
                time=formats.clock_time(at, currency)))
            if result.reward_code:
                self.app.push_screen(CodeModal(_("The card is full!"), result.reward_code, result.reward or ""))
            self._request()

        if self.data.program is not None and self.data.program.require_pin:
            self.app.change_with_pin(Permission.desk, work, done, self._refused,  # type: ignore[attr-defined]
                                     title=_("A stamp needs your PIN"))
        else:
            self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]

    def action_redeem(self) -> None:
        data = self.data
        if data is None:
            return
        if not data.rewards:
            self.say(_("no rewards to redeem (see: salon loyalty rewards add)"), error=True)
            return
        client_id = self.client_id
        points = data.loyalty.points if data.loyalty else 0

        def done(result: loyalty_rewards.RedemptionView) -> None:
            self.say(_("redeemed: {reward} for {points} points · code {code}").format(
                reward=result.description, points=f"{result.points:,}", code=result.code))
            self.app.push_screen(CodeModal(_("Redemption code"), result.code,
                                           _("{reward} — use it at checkout. {points} points left.").format(
                                               reward=result.description, points=f"{result.balance:,}")))
            self._request()

        def picked(reward_id: int | None) -> None:
            if reward_id is None:
                return
            self.app.change(Permission.desk, lambda s, loc, actor: loyalty_rewards.redeem(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, client_id=client_id, reward_id=reward_id), done, self._refused)

        self.say("")
        self.app.push_screen(RewardPicker(data.rewards, points), picked)

    def action_checkout(self) -> None:
        if self.data is None:
            return
        appt = for_checkout(self.data.today)
        if appt is None:
            self.say(_("no appointment today to check out"), error=True)
            return
        self.app.open_checkout(appt.id)  # type: ignore[attr-defined]

    def action_rebook(self) -> None:
        """The booking form for this client, filled with their usual visit (`book.rebook.proposal`:
        the services, the stylist, the same weekday and time after their usual interval): Enter books it."""
        client_id = self.client_id

        def work(session: Any, location: LocationView) -> Any:
            from salon_cli.services.book import rebook

            return rebook.proposal(session, location=location, client_id=client_id)

        def proposed(usual: Any) -> None:
            if usual is None:  # no visit to go by: the form with the client
                self.app.open_booking(client_id=client_id)  # type: ignore[attr-defined]
            else:
                self.app.open_booking(client_id=client_id, services=usual.services,  # type: ignore[attr-defined]
                                      staff=usual.staff, at=usual.at,
                                      why=_("Usual visit: {basis}").format(basis=usual.basis))

        self.say("")
        self.app.read(work, proposed, self._refused, group="rebook")  # type: ignore[attr-defined]

    def action_edit_profile(self) -> None:
        from salon_cli.tui.screens.clients.client_form import ClientForm

        if self.data is None:
            return
        self.say("")

        def edited(client_id: int | None) -> None:
            if client_id is not None:
                self.say(_("profile saved"))
                self._request()

        self.app.push_screen(ClientForm.editing(self.data.client), edited)

    def action_add_note(self) -> None:
        from salon_cli.tui.screens.clients.note_form import NoteForm

        if self.data is None:
            return
        self.say("")

        def written(note: NoteView | None) -> None:
            if note is not None:
                self.say(_("note added ({kind})").format(kind=note_kind(note.type, note.private)))
                self._request()

        c = self.data.client
        self.app.push_screen(NoteForm(self.client_id, _name(c.first_name, c.last_name)), written)

    def action_note_actions(self) -> None:
        """The card's notes: Enter corrects one (the note form, filled), `d` deletes one (a reason; a PIN
        where `note_actions.pin_title` says the service will want one)."""
        from salon_cli.tui.screens.clients.note_actions import DELETE, NotePicker

        data = self.data
        if data is None:
            return
        if not data.client.notes:
            self.say(_("no notes to edit (a adds one)"), error=True)
            return
        self.say("")
        notes = {n.id: n for n in data.client.notes}
        name = _name(data.client.first_name, data.client.last_name)

        def picked(choice: tuple[str, int] | None) -> None:
            if choice is not None:
                what, note_id = choice
                (self._delete_note if what == DELETE else self._edit_note)(notes[note_id])

        self.app.push_screen(NotePicker(name, data.client.notes, data.location.tz, data.location.currency), picked)

    def _edit_note(self, note: NoteView) -> None:
        from salon_cli.tui.screens.clients.note_actions import pin_title, pin_who
        from salon_cli.tui.screens.clients.note_form import NoteForm

        def corrected(edited: NoteView | None) -> None:
            if edited is not None:
                self.say(_("note {id} corrected").format(id=edited.id))
                self._request()

        c = self.data.client  # type: ignore[union-attr]
        self.app.push_screen(NoteForm(self.client_id, _name(c.first_name, c.last_name), editing=note,
                                      pin_title=pin_title(note, self.app.desk),  # type: ignore[attr-defined]
                                      pin_who=pin_who(note, self.app.desk)), corrected)  # type: ignore[attr-defined]

    def _delete_note(self, note: NoteView) -> None:
        from salon_cli.services.clients import note_edits
        from salon_cli.tui.screens.clients.note_actions import pin_title, pin_who, reason_modal

        location = self.data.location  # type: ignore[union-attr]
        client_id, tz, currency = self.client_id, location.tz, location.currency

        def done(gone: NoteView) -> None:
            self.say(_("note {id} by {author} deleted").format(id=gone.id, author=gone.author))
            self._request()

        def given(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]

            def work(s: Any, loc: LocationView, actor: Any) -> NoteView:
                return note_edits.delete_note(s, actor=actor, location=loc, client_id=client_id, note_id=note.id,
                                              reason=reason)

            title = pin_title(note, self.app.desk)  # type: ignore[attr-defined]
            if title is None:
                self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]
            else:
                self.app.change_with_pin(Permission.desk, work, done, self._refused, title=title,  # type: ignore[attr-defined]
                                         who=pin_who(note, self.app.desk))  # type: ignore[attr-defined]

        self.app.push_screen(reason_modal(note, tz, currency), given)

    def action_edit_prefs(self) -> None:
        from salon_cli.services.clients.notes import PrefsView
        from salon_cli.tui.screens.clients.prefs_form import PrefsForm

        if self.data is None:
            return
        self.say("")

        def saved(prefs: PrefsView | None) -> None:
            if prefs is not None:
                self.say(_("preferences saved"))
                self._request()

        c = self.data.client
        self.app.push_screen(PrefsForm(_name(c.first_name, c.last_name), c.prefs), saved)
