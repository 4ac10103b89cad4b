"""The client card: profile, preferences, notes (private ones only as `client_notes` lets the desk's
staff member read them), the loyalty card, membership, today's appointments, recent visits, no-shows and
penalties, and its history: visits, sales and loyalty beside one another. One key each: check in today's
next appointment, stamp, redeem a reward, checkout; edit the profile (`client_form`), add a note
(`note_form`), edit the preferences (`prefs_form`).

`load_card` reads everything in one unit of work; the `*_text` builders turn it into what the card shows.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount
from salon_cli.core.permissions import Permission
from salon_cli.services.book.penalties import PenaltyView
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.clients import views as client_views
from salon_cli.services.clients.views import ClientCard
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program, rewards as loyalty_rewards
from salon_cli.services.loyalty.cards import CardView, EntryView
from salon_cli.services.loyalty.program import ProgramView
from salon_cli.services.loyalty.rewards import RewardView
from salon_cli.services.memberships import subscriptions as memberships
from salon_cli.services.memberships.subscriptions import MembershipView
from salon_cli.services.record import timeline
from salon_cli.services.record.timeline import TimelineEvent
from salon_cli.services.salon import business_days
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.sale_views import SaleView
from salon_cli.tui.screens.clients.loyalty_card import CodeModal, LoyaltyCard, RewardPicker
from salon_cli.tui.screens.clients.search import _day, _name
from salon_cli.tui.screens.reload import ReloadsWhenBack

# which of today's appointments `p` takes to checkout, in this order of preference
CHECKOUT_ORDER = ("in_service", "checked_in", "booked", "completed")
HISTORY = 8  # lines of history on the card (visits, sales and loyalty together)
STATUS_WORD = {"booked": "booked", "checked_in": "here", "in_service": "in chair", "completed": "done",
               "cancelled": "cancelled", "late_cancelled": "late cancel", "no_show": "no-show"}


@dataclass(frozen=True)
class CardData:
    client: ClientCard
    loyalty: CardView | None
    program: ProgramView | None
    rewards: list[RewardView]
    membership: MembershipView | None
    today: list[AppointmentView]
    next_in: AppointmentView | None  # the booked one `c` checks in
    visits: list[TimelineEvent]
    penalties: list[PenaltyView]
    sales: list[SaleView]  # the newest at this location
    points: list[EntryView]  # the newest entries of the loyalty card
    now: datetime
    location: LocationView


def load_card(session: Any, location: LocationView, client_id: int, reader: Any) -> CardData:
    """Everything the card shows, in one read; `reader` (the desk's staff member) decides which
    private notes come back."""
    from salon_cli.services.book import status as appt_status, views as book, penalties
    from salon_cli.services.till import sale_views

    card = client_views.show(session, client_id=client_id, reader=reader, location_id=location.id, notes_limit=8)
    try:
        program: ProgramView | None = loyalty_program.show(session)
        points: CardView | None = loyalty.card(session, client_id)
        rewards = loyalty_rewards.list_rewards(session, for_points=True)
        entries = loyalty.history(session, client_id, limit=HISTORY)
    except SalonError:
        program, points, rewards, entries = None, None, [], []
    try:
        membership: MembershipView | None = memberships.show(session, client_id)
    except SalonError:
        membership = None
    day = business_days.today(location)
    today = book.appointments(session, location=location, start=day, client_id=client_id)
    # before today (today's are listed apart, with what can be done to them)
    visits = [e for e in timeline.timeline(session, client_id=client_id, reader=reader, limit=40)
              if e.kind == "visit" and e.at.astimezone(location.tz).date() < day][:6]
    owed = penalties.list_penalties(session, location=location, client_id=client_id, limit=5)
    next_in = appt_status.next_to_check_in(session, location=location, client_id=client_id)
    sales = sale_views.list_sales(session, location=location, client_id=client_id, limit=HISTORY)
    return CardData(card, points, program, rewards, membership, today, next_in, visits, owed, sales, entries,
                    clock.now(), location)


def profile_text(data: CardData) -> Text:
    c, tz, currency = data.client, data.location.tz, data.location.currency
    text = Text()

    def line(label: str, value: str, style: str = "") -> None:
        text.append("\n" if text.plain else "")
        text.append(f"{label:<10}", style="dim")
        text.append(value, style=style)

    line("Phone", c.phone or "—")
    line("E-mail", c.email or "—")
    if c.birthday:
        today = data.now.astimezone(tz).date()
        age = today.year - c.birthday.year - ((today.month, today.day) < (c.birthday.month, c.birthday.day))
        line("Birthday", f"{c.birthday:%d %b %Y} ({age})")
    else:
        line("Birthday", "—")
    line("Tags", ", ".join(c.tags) or "—")
    p = c.prefs
    prefers = [x for x in (p.preferred_staff, ", ".join(p.preferred_services), p.channel) if x]
    line("Prefers", " · ".join(prefers + [f"reminder {p.reminder}"]))
    if p.requests:
        line("Requests", p.requests)
    line("Visits", f"{c.visits} · last {_day(c.last_visit_at, tz)}")
    line("Spent", format_amount(c.total_spent_cents, currency))
    no_shows = f"{c.no_show_count}" + (" · deposit required" if c.deposit_required else "")
    line("No-shows", no_shows, "bold red" if c.no_show_count else "")
    open_fees = [p for p in data.penalties if p.status in ("pending", "failed")]
    if data.penalties:
        owed = sum(p.amount_cents for p in open_fees)
        line("Penalties", f"{len(data.penalties)} · {format_amount(owed, currency)} open" if open_fees
             else f"{len(data.penalties)} · none open", "bold red" if open_fees else "")
    else:
        line("Penalties", "none")
    return text


def membership_text(m: MembershipView | None) -> Text:
    text = Text("Membership ", style="bold")
    if m is None:
        text.append("none", style="dim")
        return text
    text.append(f"{m.plan_name} · {m.status}")
    if m.monthly_credits:
        text.append(f" · {m.credits_remaining}/{m.monthly_credits} credits")
    if m.discount_bp:
        text.append(f" · {m.discount_bp / 100:g}% off")
    if m.status in ("active", "paused"):
        ends = "ends" if m.cancels_at_period_end else "renews"
        text.append(f" · {ends} {m.current_period_end:%Y-%m-%d}")
    if m.fee_status == "open":
        text.append(" · fee unpaid", style="bold red")
    return text


def appointments_text(data: CardData) -> Text:
    tz = data.location.tz
    text = Text("Today", style="bold")
    if not data.today:
        text.append("  no appointment", style="dim")
    for a in data.today:
        text.append(f"\n  {a.starts_at.astimezone(tz):%H:%M} {a.service} with {a.staff} ")
        text.append(f"({STATUS_WORD.get(a.status, a.status)})", style="bold" if a.status == "booked" else "dim")
    text.append("\nHistory", style="bold")
    rows = history_rows(data)
    if not rows:
        text.append("  none", style="dim")
    for at, kind, summary in rows:
        text.append(f"\n  {_day(at, tz)}  ")
        text.append(f"{kind:<8}", style="dim")
        text.append(summary)
    return text


def history_rows(data: CardData) -> list[tuple[datetime, str, str]]:
    """Visits, sales and loyalty entries, newest first: (when, what, summary)."""
    currency = data.location.currency
    rows = [(e.at, "visit", e.summary) for e in data.visits]
    for sale in data.sales:
        money = format_amount(sale.total_cents, currency)
        refunded = f" · {format_amount(sale.refunded_cents, currency)} refunded" if sale.refunded_cents else ""
        rows.append((sale.paid_at or sale.created_at, "sale", f"#{sale.id} {money} {sale.status}{refunded}"))
    for entry in data.points:
        moved = [f"{entry.points:+,} points" if entry.points else "",
                 f"{entry.stamps:+} stamp{'s' if abs(entry.stamps) != 1 else ''}" if entry.stamps else ""]
        what = " ".join(x for x in moved if x) or "—"
        ref = f" ({entry.ref})" if entry.ref else ""
        rows.append((entry.created_at, "loyalty", f"{entry.kind.replace('_', ' ')} {what}{ref}"))
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows[:HISTORY]


def notes_text(data: CardData) -> Text:
    tz = data.location.tz
    text = Text("Notes", style="bold")
    if not data.client.notes:
        text.append("  none", style="dim")
    for n in data.client.notes:
        text.append(f"\n  {_day(n.created_at, tz)} ")
        text.append(f"[{n.type}{', private' if n.private else ''}]", style="magenta" if n.private else "dim")
        text.append(f" {n.author}: {n.body}")
    if data.client.private_notes_hidden:
        hidden = data.client.private_notes_hidden
        text.append(f"\n  {hidden} private note{'s' if hidden != 1 else ''} not shown to this desk", style="dim")
    return text


def for_checkout(today: list[AppointmentView]) -> AppointmentView | None:
    for status in CHECKOUT_ORDER:
        for a in today:
            if a.status == status:
                return a
    return None


class ClientCardScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("c", "check_in", "Check in", id="client-check-in"),
        Binding("k", "stamp", "Stamp", id="stamp"),
        Binding("r", "redeem", "Redeem", id="redeem"),
        Binding("p", "checkout", "Checkout", id="client-checkout"),
        Binding("b", "rebook", "Book again", id="rebook"),
        Binding("e", "edit_profile", "Edit", id="client-edit"),
        Binding("a", "add_note", "Note", id="client-note"),
        Binding("f", "edit_prefs", "Prefs", id="client-prefs"),
        Binding("f5", "reload", "Reload", id="reload", show=False),
    ]
    def __init__(self, client_id: int, *args: object, notice: str = "") -> None:
        super().__init__()
        self.client_id = int(client_id)
        self.notice = notice  # said when the card opens (e.g. why this card and not a new client)
        self.data: CardData | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(f"client {self.client_id}", id="title", markup=False)
        with VerticalScroll(id="card-body"):
            with Horizontal(id="card-top"):
                yield Static("", id="profile")
                yield LoyaltyCard(id="loyalty")
            yield Static("", id="membership")
            yield Static("", id="appointments")
            yield Static("", id="notes")
        yield Static("", id="notice", classes="empty", markup=False)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

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
                self._set_summary(f"error: {text}", error=True)

        self.app.read(lambda s, loc: load_card(s, loc, client_id, reader), done, failed,  # type: ignore[attr-defined]
                      group="client-card")

    def _show(self, data: CardData) -> None:
        self.data = data
        c = data.client
        merged = f" — merged into client {c.merged_into_id}" if c.merged_into_id else ""
        self.query_one("#title", Static).update(f"{_name(c.first_name, c.last_name)} — client {c.id}{merged}")
        self.query_one("#profile", Static).update(profile_text(data))
        card = self.query_one(LoyaltyCard)
        card.border_title = f"Loyalty · {data.loyalty.tier}" if data.loyalty and data.loyalty.enrolled else "Loyalty"
        card.show(data.loyalty, data.program, data.location.tz)
        self.query_one("#membership", Static).update(membership_text(data.membership))
        self.query_one("#appointments", Static).update(appointments_text(data))
        self.query_one("#notes", Static).update(notes_text(data))
        waiting = data.next_in
        hint = (f"next: {waiting.starts_at.astimezone(data.location.tz):%H:%M} {waiting.service} (c checks in)"
                if waiting else "no booked appointment left today")
        desk = self.app.desk  # type: ignore[attr-defined]
        self._set_summary(f"{hint} · desk: {desk.code if desk else 'nobody signed in'}")

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
        self.say(f"refused: {text}", error=True)

    # -- actions ---------------------------------------------------------------------------------

    def action_check_in(self) -> None:
        from salon_cli.services.book import status as appt_status

        if self.data is None:
            return
        if self.data.next_in is None:
            self.say("no booked appointment today to check in", error=True)
            return
        client_id, tz = self.client_id, self.data.location.tz

        def done(appt: AppointmentView) -> None:
            self.say(f"checked in: {appt.starts_at.astimezone(tz):%H:%M} {appt.service} with {appt.staff}")
            self.app.notify(f"{appt.client} is here")
            self._request()

        self.app.change(Permission.desk, lambda s, loc, actor: appt_status.check_in_next(  # type: ignore[attr-defined]
            s, actor=actor, location=loc, client_id=client_id), done, self._refused)

    def action_stamp(self) -> None:
        if self.data is None:
            return
        client_id, tz = self.client_id, self.data.location.tz
        self.say("")

        def work(s: Any, loc: LocationView, actor: Any) -> Any:
            return loyalty_rewards.stamp(s, actor=actor, location=loc, client_id=client_id)

        def done(result: loyalty_rewards.StampResult) -> None:
            self.say(f"stamped: {result.stamps}/{result.stamps_target} · next stamp allowed from "
                     f"{result.next_stamp_at.astimezone(tz):%Y-%m-%d %H:%M}")
            if result.reward_code:
                self.app.push_screen(CodeModal("The card is full!", result.reward_code, result.reward or ""))
            self._request()

        if self.data.program is not None and self.data.program.require_pin:
            self.app.change_with_pin(Permission.desk, work, done, self._refused,  # type: ignore[attr-defined]
                                     title="A stamp needs your PIN")
        else:
            self.app.change(Permission.desk, work, done, self._refused)  # type: ignore[attr-defined]

    def action_redeem(self) -> None:
        data = self.data
        if data is None:
            return
        if not data.rewards:
            self.say("no rewards to redeem (see: salon loyalty rewards add)", error=True)
            return
        client_id = self.client_id
        points = data.loyalty.points if data.loyalty else 0

        def done(result: loyalty_rewards.RedemptionView) -> None:
            self.say(f"redeemed: {result.description} for {result.points:,} points · code {result.code}")
            self.app.push_screen(CodeModal("Redemption code", result.code,
                                           f"{result.description} — use it at checkout. "
                                           f"{result.balance:,} points left."))
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
            self.say("no appointment today to check out", error=True)
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
                                      staff=usual.staff, at=usual.at, why=f"Usual visit: {usual.basis}")

        self.say("")
        self.app.read(work, proposed, self._refused, group="rebook")  # type: ignore[attr-defined]

    def action_edit_profile(self) -> None:
        from salon_cli.tui.screens.clients.client_form import ClientForm

        if self.data is None:
            return
        self.say("")

        def edited(client_id: int | None) -> None:
            if client_id is not None:
                self.say("profile saved")
                self._request()

        self.app.push_screen(ClientForm.editing(self.data.client), edited)

    def action_add_note(self) -> None:
        from salon_cli.services.clients.notes import NoteView
        from salon_cli.tui.screens.clients.note_form import NoteForm

        if self.data is None:
            return
        self.say("")

        def written(note: NoteView | None) -> None:
            if note is not None:
                self.say(f"note added ({note.type}{', private' if note.private else ''})")
                self._request()

        c = self.data.client
        self.app.push_screen(NoteForm(self.client_id, _name(c.first_name, c.last_name)), written)

    def action_edit_prefs(self) -> None:
        from salon_cli.services.clients.notes import PrefsView
        from salon_cli.tui.screens.clients.prefs_form import PrefsForm

        if self.data is None:
            return
        self.say("")

        def saved(prefs: PrefsView | None) -> None:
            if prefs is not None:
                self.say("preferences saved")
                self._request()

        c = self.data.client
        self.app.push_screen(PrefsForm(_name(c.first_name, c.last_name), c.prefs), saved)
