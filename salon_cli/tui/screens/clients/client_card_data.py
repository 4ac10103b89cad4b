"""What the client card shows, read in one unit of work (`load_card`) and turned into text (the `*_text`
builders and `history_rows`: visits, sales and loyalty together); `for_checkout` is which of today's
appointments the card's `p` takes. The screen is `client_card.ClientCardScreen`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount
from salon_cli.core.phones import national
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
from salon_cli.tui.screens.clients.search import _day

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

    def line(label: str, value: str, style: str = "") -> None:
        text.append("\n" if text.plain else "")
        text.append(f"{label:<10}", style="dim")
        text.append(value, style=style)

    line("Phone", national(c.phone, data.location.country) if c.phone else "—")
    line("E-mail", c.email or "—")
    if c.birthday:
        today = data.now.astimezone(tz).date()
        age = today.year - c.birthday.year - ((today.month, today.day) < (c.birthday.month, c.birthday.day))
        line("Birthday", f"{c.birthday:%d %b %Y} ({age})")
    else:
        line("Birthday", "—")
    line("Tags", ", ".join(c.tags) or "—")
    p = c.prefs
    stylists = ", ".join(p.preferred_staff_codes) or p.preferred_staff  # in order: the first is offered first
    prefers = [x for x in (stylists, ", ".join(p.preferred_services), p.channel) if x]
    line("Prefers", " · ".join(prefers + [f"reminder {p.reminder}"]))
    if p.requests:
        line("Requests", p.requests)
    line("Visits", f"{c.visits} · last {_day(c.last_visit_at, tz)}")
    line("Spent", format_amount(c.total_spent_cents, currency))
    no_shows = (f"{c.no_show_count}" + (f" · last {_day(c.last_no_show_on, tz)}" if c.last_no_show_on else "")
                + (" · deposit required" if c.deposit_required else ""))
    line("No-shows", no_shows, "bold red" if c.no_show_count else "")
    if c.next_expiry_on is not None:
        line("Expiry", f"{c.next_expiry_points or 0:,} pts on {_day(c.next_expiry_on, tz)}")
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


