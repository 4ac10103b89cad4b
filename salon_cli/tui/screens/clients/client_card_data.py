"""What the client card shows, read in one unit of work (`load_card`) and turned into text (the `*_text`
builders and `history_rows`: visits, sales and loyalty together); `for_checkout` is which of today's
appointments the card's `p` takes. The screen is `client_card.ClientCardScreen`. The words are the desk's
language (`_`; the tables of state words marked `N_`), money and days `i18n.formats`'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.core.phones import national
from salon_cli.i18n import N_, _, formats, ngettext
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
from salon_cli.tui.screens.clients.client_words import (
    CHANNEL_WORD, KIND_WORD, LOYALTY_WORD, MEMBERSHIP_WORD, PROFILE_LABELS, REMINDER_WORD, SALE_WORD, STATUS_WORD,
    note_kind, word,
)
from salon_cli.tui.screens.clients.search import _day

# which of today's appointments `p` takes to checkout, in this order of preference
CHECKOUT_ORDER = ("in_service", "checked_in", "booked", "completed")
HISTORY = 8  # lines of history on the card (visits, sales and loyalty together)


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
    visits = [e for e in timeline.timeline(session, client_id=client_id, reader=reader, limit=40, kinds=("visit",))
              if e.kind == "visit" and e.at.astimezone(location.tz).date() < day][:6]
    owed = penalties.list_penalties(session, location=location, client_id=client_id, limit=5)
    next_in = appt_status.next_to_check_in(session, location=location, client_id=client_id)
    sales = sale_views.list_sales(session, location=location, client_id=client_id, limit=HISTORY)
    return CardData(card, points, program, rewards, membership, today, next_in, visits, owed, sales, entries,
                    clock.now(), location)


def profile_text(data: CardData) -> Text:
    c, tz, currency = data.client, data.location.tz, data.location.currency
    text = Text()
    width = max(len(_(label)) for label in PROFILE_LABELS) + 1  # the values in one column, in either language

    def line(label: str, value: str, style: str = "") -> None:
        text.append("\n" if text.plain else "")
        text.append(_(label).ljust(width), style="dim")
        text.append(value, style=style)

    def day(at: Any) -> str:
        return _day(at, tz, currency)

    line(N_("Phone"), national(c.phone, data.location.country) if c.phone else "—")
    line(N_("E-mail"), c.email or "—")
    if c.birthday:
        today = data.now.astimezone(tz).date()
        age = today.year - c.birthday.year - ((today.month, today.day) < (c.birthday.month, c.birthday.day))
        line(N_("Birthday"), f"{day(c.birthday)} ({age})")
    else:
        line(N_("Birthday"), "—")
    line(N_("Tags"), ", ".join(c.tags) or "—")
    p = c.prefs
    stylists = ", ".join(p.preferred_staff_codes) or p.preferred_staff  # in order: the first is offered first
    channel = word(CHANNEL_WORD, p.channel) if p.channel else ""
    prefers = [x for x in (stylists, ", ".join(p.preferred_services), channel) if x]
    line(N_("Prefers"), " · ".join(prefers + [word(REMINDER_WORD, p.reminder)]))
    if p.requests:
        line(N_("Requests"), p.requests)
    line(N_("Visits"), _("{n} · last {day}").format(n=c.visits, day=day(c.last_visit_at)))
    line(N_("Spent"), formats.money(c.total_spent_cents, currency))
    no_shows = (f"{c.no_show_count}" + (_(" · last {day}").format(day=day(c.last_no_show_on)) if c.last_no_show_on
                                        else "") + (_(" · deposit required") if c.deposit_required else ""))
    line(N_("No-shows"), no_shows, "bold red" if c.no_show_count else "")
    if c.next_expiry_on is not None:
        line(N_("Expiry"), _("{points} pts on {day}").format(points=f"{c.next_expiry_points or 0:,}",
                                                             day=day(c.next_expiry_on)))
    open_fees = [p for p in data.penalties if p.status in ("pending", "failed")]
    if data.penalties:
        owed = sum(p.amount_cents for p in open_fees)
        line(N_("Penalties"), _("{n} · {amount} open").format(n=len(data.penalties),
                                                              amount=formats.money(owed, currency))
             if open_fees else _("{n} · none open").format(n=len(data.penalties)), "bold red" if open_fees else "")
    else:
        line(N_("Penalties"), _("none"))
    return text


def membership_text(m: MembershipView | None, currency: str) -> Text:
    text = Text(_("Membership") + " ", style="bold")
    if m is None:
        text.append(_("none"), style="dim")
        return text
    text.append(f"{m.plan_name} · {word(MEMBERSHIP_WORD, m.status)}")
    if m.monthly_credits:
        text.append(" · " + _("{left}/{monthly} credits").format(left=m.credits_remaining, monthly=m.monthly_credits))
    if m.discount_bp:
        text.append(" · " + _("{percent}% off").format(percent=f"{m.discount_bp / 100:g}"))
    if m.status in ("active", "paused"):
        ends = _("ends {day}") if m.cancels_at_period_end else _("renews {day}")
        text.append(" · " + ends.format(day=formats.day(m.current_period_end, currency)))
    if m.fee_status == "open":
        text.append(" · " + _("fee unpaid"), style="bold red")
    return text


def appointments_text(data: CardData) -> Text:
    tz, currency = data.location.tz, data.location.currency
    text = Text(_("Today"), style="bold")
    if not data.today:
        text.append("  " + _("no appointment"), style="dim")
    for a in data.today:
        text.append("\n  " + _("{time} {service} with {staff}").format(
            time=f"{a.starts_at.astimezone(tz):%H:%M}", service=a.service, staff=a.staff) + " ")
        text.append(f"({word(STATUS_WORD, a.status)})", style="bold" if a.status == "booked" else "dim")
    text.append("\n" + _("History"), style="bold")
    rows = history_rows(data)
    if not rows:
        text.append("  " + _("none"), style="dim")
    days = [_day(at, tz, currency) for at, _kind, _summary in rows]
    day_width = max(map(len, days), default=0)  # 'Nov 2, 2026' and 'Nov 20, 2026' in one column
    kind_width = max(len(_(k)) for k in KIND_WORD.values()) + 1
    for day, (_at, kind, summary) in zip(days, rows):
        text.append(f"\n  {day.ljust(day_width)}  ")
        text.append(word(KIND_WORD, kind).ljust(kind_width), style="dim")
        text.append(summary)
    return text


def history_rows(data: CardData) -> list[tuple[datetime, str, str]]:
    """Visits, sales and loyalty entries, newest first: (when, what, summary)."""
    currency = data.location.currency
    rows = [(e.at, "visit", e.summary) for e in data.visits]
    for sale in data.sales:
        money = formats.money(sale.total_cents, currency)
        refunded = (" · " + _("{amount} refunded").format(amount=formats.money(sale.refunded_cents, currency))
                    if sale.refunded_cents else "")
        rows.append((sale.paid_at or sale.created_at, "sale",
                     f"#{sale.id} {money} {word(SALE_WORD, sale.status)}{refunded}"))
    for entry in data.points:
        moved = [ngettext("{n} point", "{n} points", abs(entry.points)).format(n=f"{entry.points:+,}")
                 if entry.points else "",
                 ngettext("{n} stamp", "{n} stamps", abs(entry.stamps)).format(n=f"{entry.stamps:+}")
                 if entry.stamps else ""]
        what = " ".join(x for x in moved if x) or "—"
        ref = f" ({entry.ref})" if entry.ref else ""
        rows.append((entry.created_at, "loyalty", f"{word(LOYALTY_WORD, entry.kind)} {what}{ref}"))
    rows.sort(key=lambda row: row[0], reverse=True)
    return rows[:HISTORY]


def notes_text(data: CardData) -> Text:
    tz, currency = data.location.tz, data.location.currency
    text = Text(_("Notes"), style="bold")
    if not data.client.notes:
        text.append("  " + _("none"), style="dim")
    for n in data.client.notes:
        text.append(f"\n  {_day(n.created_at, tz, currency)} ")
        text.append(f"[{note_kind(n.type, n.private)}]", style="magenta" if n.private else "dim")
        text.append(f" {n.author}: {n.body}")
    if data.client.private_notes_hidden:
        hidden = data.client.private_notes_hidden
        text.append("\n  " + ngettext("{n} private note not shown to this desk",
                                      "{n} private notes not shown to this desk", hidden).format(n=hidden), style="dim")
    return text


def for_checkout(today: list[AppointmentView]) -> AppointmentView | None:
    for status in CHECKOUT_ORDER:
        for a in today:
            if a.status == status:
                return a
    return None


