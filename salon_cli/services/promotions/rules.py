"""A promotion's rules, checked against one sale: pure functions, no database.

`refusal(promo, ctx)` gives the exact sentence the desk reads when the promotion cannot apply to this
sale ("HAPPY10 is for Tuesdays 10:00-14:00", "used 3 of 3 times by this client"), or None when every rule
passes. The caller (`promotions.apply`) builds the `SaleContext` from the database: the location's local
date and time, the client (tier, tags, first paid visit), the promotion's uses, the sale's lines.
Boundaries: `starts_on` and `ends_on` are both included; hours are `[start, end)` in local minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from salon_cli.core.money import format_money

__all__ = ["DAY_NAMES", "LineInfo", "PromoRules", "SaleContext", "days_text", "hours_text", "label",
           "matching", "refusal"]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class PromoRules:
    """What `refusal` reads of a promotion (a `Promotion` row has all of these)."""

    id: int | None
    code: str | None
    name: str
    kind: str
    service_id: int | None = None
    category: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    days: Sequence[int] = ()
    start_minute: int | None = None
    end_minute: int | None = None
    min_spend_cents: int = 0
    tier: str | None = None
    tag: str | None = None
    new_clients: bool = False
    per_client: int | None = None
    use_limit: int | None = None
    uses: int = 0
    stackable: bool = False
    client_id: int | None = None
    location_id: int | None = None
    active: bool = True
    birthday_days: int | None = None  # a birthday offer: never used itself (its clients' codes are)


@dataclass(frozen=True)
class LineInfo:
    """A service or product line of the sale, as a promotion sees it."""

    kind: str
    gross_cents: int
    service_id: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class SaleContext:
    currency: str
    local_date: date
    local_time: time
    location_id: int
    subtotal_cents: int  # the ticket's service and product lines, before discounts
    lines: Sequence[LineInfo] = ()
    client_id: int | None = None
    client_tiers: frozenset[str] = frozenset()  # the client's tier and every tier below it
    client_tags: frozenset[str] = frozenset()
    first_visit: bool = False  # the client has no paid sale yet
    client_uses: int = 0  # this client's applied uses of the promotion
    other_promotions: Sequence[PromoRules] = field(default_factory=tuple)  # already on this sale


def label(promo: PromoRules) -> str:
    return promo.code or promo.name


def days_text(days: Sequence[int]) -> str:
    """[1] -> 'Tuesdays'; [0, 1] -> 'Mondays and Tuesdays'; [0, 2, 4] -> 'Mondays, Wednesdays and Fridays'."""
    names = [f"{DAY_NAMES[d]}s" for d in sorted(set(days))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_text(start_minute: int | None, end_minute: int | None) -> str | None:
    if start_minute is None or end_minute is None:
        return None
    return f"{_hhmm(start_minute)}-{_hhmm(end_minute)}"


def matching(promo: PromoRules, lines: Sequence[LineInfo]) -> list[int]:
    """Indexes of the lines the promotion applies to: its service's, its category's, else every one."""
    if promo.service_id is not None:
        return [i for i, line in enumerate(lines) if line.kind == "service" and line.service_id == promo.service_id]
    if promo.category:
        wanted = promo.category.strip().lower()
        return [i for i, line in enumerate(lines)
                if line.kind == "service" and (line.category or "").strip().lower() == wanted]
    return list(range(len(lines)))


def _when(promo: PromoRules, ctx: SaleContext) -> str | None:
    name = label(promo)
    if promo.starts_on is not None and ctx.local_date < promo.starts_on:
        return f"{name} starts on {promo.starts_on.isoformat()}"
    if promo.ends_on is not None and ctx.local_date > promo.ends_on:
        return f"{name} ended on {promo.ends_on.isoformat()}"
    minute = ctx.local_time.hour * 60 + ctx.local_time.minute
    wrong_day = bool(promo.days) and ctx.local_date.weekday() not in promo.days
    hours = hours_text(promo.start_minute, promo.end_minute)
    wrong_hour = hours is not None and not (promo.start_minute or 0) <= minute < (promo.end_minute or 0)
    if wrong_day or wrong_hour:
        when = " ".join(part for part in (days_text(promo.days) if promo.days else None, hours) if part)
        return f"{name} is for {when}"
    return None


def _who(promo: PromoRules, ctx: SaleContext) -> str | None:
    name = label(promo)
    needs_client = promo.client_id is not None or promo.tier or promo.tag or promo.new_clients or promo.per_client
    if needs_client and ctx.client_id is None:
        return f"{name} needs a client on the sale"
    if promo.client_id is not None and ctx.client_id != promo.client_id:
        return f"{name} is for another client"
    if promo.tier and promo.tier.lower() not in ctx.client_tiers:
        return f"{name} is for {promo.tier.lower()} members"
    if promo.tag and promo.tag.lower() not in ctx.client_tags:
        return f"{name} is for clients tagged {promo.tag.lower()}"
    if promo.new_clients and not ctx.first_visit:
        return f"{name} is for a client's first visit"
    return None


def _counts(promo: PromoRules, ctx: SaleContext) -> str | None:
    name = label(promo)
    if promo.per_client is not None and ctx.client_uses >= promo.per_client:
        return f"{name}: used {ctx.client_uses} of {promo.per_client} times by this client"
    if promo.use_limit is not None and promo.uses >= promo.use_limit:
        return f"{name} has been used {promo.uses} of {promo.use_limit} times"
    return None


def _ticket(promo: PromoRules, ctx: SaleContext) -> str | None:
    name = label(promo)
    if ctx.subtotal_cents < promo.min_spend_cents:
        return (f"{name} needs a spend of {format_money(promo.min_spend_cents, ctx.currency)} "
                f"(this ticket: {format_money(ctx.subtotal_cents, ctx.currency)})")
    if (promo.service_id is not None or promo.category) and not matching(promo, ctx.lines):
        what = f"{promo.category} services" if promo.category else "its service"
        return f"{name} applies to {what}: none on this ticket"
    if not matching(promo, ctx.lines) and promo.kind != "points_multiplier":
        return f"{name} has nothing on this ticket to take off"
    for other in ctx.other_promotions:
        if other.id == promo.id:
            return f"{name} is on this sale already"
        if not (promo.stackable and other.stackable):
            return f"{name} does not go with {label(other)}, already on this sale"
    return None


def refusal(promo: PromoRules, ctx: SaleContext) -> str | None:
    """Why `promo` cannot apply to this sale, in one sentence; None when it can."""
    if promo.birthday_days is not None:
        return f"{label(promo)} is a birthday offer: each client gets a personal code"
    if not promo.active:
        return f"{label(promo)} has ended"
    if promo.location_id is not None and promo.location_id != ctx.location_id:
        return f"{label(promo)} is not offered at this location"
    for check in (_when, _who, _counts, _ticket):
        why = check(promo, ctx)
        if why:
            return why
    return None
