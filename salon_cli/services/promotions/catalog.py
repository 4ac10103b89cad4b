"""The promotions catalog: add, list, show, change and end a promotion (manager: `program_manage`).

What people type is read here, exactly: a percent as `10` or `10%` (basis points), an amount in major
units (`core.money`), a points multiplier as `2` or `1.5x` (basis points of the points: 20000 = twice),
days as `mon,tue`, hours as `10:00-14:00` (local minutes, `[start, end)`). A code is upper-cased; a
promotion without one is automatic and needs a name.

A birthday offer (`birthday_days`, 0 to 60) is a code never used itself: the birthday job
(`services.benefits.birthdays`) issues each consenting client a personal code from it (`template_id`),
valid from that many days before the birthday to as many after. It is neither automatic nor personal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from salon_cli.core.money import format_amount, format_percent, parse_amount, parse_percent
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text
from salon_cli.db.models import Promotion, Service
from salon_cli.db.models.promotions import PROMOTION_KINDS
from salon_cli.services.clients.profiles import get as get_client
from salon_cli.services.promotions.rules import days_text, hours_text
from salon_cli.services.salon import audit, catalog
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
MAX_MULTIPLIER_BP = 100_000  # ten times the points


@dataclass(frozen=True)
class PromoInput:
    """What `promo add`/`promo set` were given, as typed (None: not given / unchanged)."""

    kind: str | None = None
    value: str | None = None
    service: str | None = None
    category: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    days: str | None = None
    hours: str | None = None
    min_spend: str | None = None
    tier: str | None = None
    tag: str | None = None
    new_clients: bool | None = None
    per_client: int | None = None
    limit: int | None = None
    stackable: bool | None = None
    name: str | None = None
    client_id: int | None = None
    location_only: bool | None = None  # only at the acting location
    birthday_days: int | None = None  # a birthday offer's window, days either side of the birthday


@dataclass(frozen=True)
class PromotionView:
    id: int
    code: str | None
    name: str
    kind: str
    value: int
    value_text: str
    service_id: int | None
    category: str | None
    starts_on: date | None
    ends_on: date | None
    days: list[str]
    hours: str | None
    min_spend_cents: int
    tier: str | None
    tag: str | None
    new_clients: bool
    per_client: int | None
    use_limit: int | None
    uses: int
    stackable: bool
    automatic: bool
    client_id: int | None
    location_id: int | None
    active: bool
    ended_at: datetime | None
    birthday_days: int | None = None  # a birthday offer
    template_id: int | None = None  # a personal code the birthday job issued from this offer

    @classmethod
    def of(cls, row: Promotion, currency: str) -> PromotionView:
        return cls(id=row.id or 0, code=row.code, name=row.name, kind=row.kind, value=row.value,
                   value_text=value_text(row.kind, row.value, currency), service_id=row.service_id,
                   category=row.category, starts_on=row.starts_on, ends_on=row.ends_on,
                   days=[list(_DAYS)[d] for d in sorted(row.days or [])],
                   hours=hours_text(row.start_minute, row.end_minute), min_spend_cents=row.min_spend_cents,
                   tier=row.tier, tag=row.tag, new_clients=row.new_clients, per_client=row.per_client,
                   use_limit=row.use_limit, uses=row.uses, stackable=row.stackable, automatic=row.automatic,
                   client_id=row.client_id, location_id=row.location_id, active=row.active, ended_at=row.ended_at,
                   birthday_days=row.birthday_days, template_id=row.template_id)


def value_text(kind: str, value: int, currency: str) -> str:
    if kind == "percent":
        return f"{format_percent(value)} off"
    if kind == "amount":
        return f"{format_amount(value, currency)} off"
    if kind == "free_service":
        return "the service free"
    whole, frac = divmod(value, 10000)
    return (f"{whole}" if not frac else f"{whole}.{frac:04d}".rstrip("0")) + "x points"


def check_code(text: str) -> str:
    code = (text or "").strip().upper()
    if not _CODE.match(code) or code.isdigit():
        raise InvalidInput(f"promotion code {text!r} is not valid: 2 to 32 letters, digits, '-' or '_', "
                           "not only digits", hint="e.g. HAPPY10")
    return code


def parse_days(text: str) -> list[int]:
    out = []
    for part in (p.strip().lower()[:3] for p in text.split(",") if p.strip()):
        if part not in _DAYS:
            raise InvalidInput(f"--days {text!r}: {part!r} is not a day", hint="e.g. --days mon,tue")
        out.append(_DAYS[part])
    if not out:
        raise InvalidInput("--days is empty", hint="e.g. --days mon,tue")
    return sorted(set(out))


def parse_hours(text: str) -> tuple[int, int]:
    found = _HOURS.match((text or "").strip())
    if not found:
        raise InvalidInput(f"--hours {text!r} is not HH:MM-HH:MM", hint="e.g. --hours 10:00-14:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or h1 > 23 or end > 24 * 60 or end <= start:
        raise InvalidInput(f"--hours {text!r}: the start must come before the end, within one day")
    return start, end


def parse_value(kind: str, text: str | None, currency: str) -> int:
    if kind == "free_service":
        if text not in (None, "", "0"):
            raise InvalidInput("a free_service promotion takes no --value: it gives its --service's price")
        return 0
    if text is None or not text.strip():
        raise InvalidInput(f"a {kind} promotion needs --value",
                           hint={"percent": "--value 10%", "amount": "--value 50"}.get(kind, "--value 2"))
    if kind == "percent":
        value = parse_percent(text, what="--value")
    elif kind == "amount":
        value = parse_amount(text, currency, what="--value")
    else:
        raw = text.strip().lower().removesuffix("x").strip()
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise InvalidInput(f"--value {text!r} is not a multiplier", hint="e.g. --value 2 (twice the points)") from None
        bp = number * 10000 if number.is_finite() else Decimal(-1)
        if bp != bp.to_integral_value() or not 10000 < bp <= MAX_MULTIPLIER_BP:
            raise InvalidInput(f"--value {text!r} must be more than 1 and at most 10, with up to four decimals")
        value = int(bp)
    if value <= 0:
        raise InvalidInput(f"--value {text!r} must be more than zero")
    return value


def _positive(value: int | None, what: str) -> int | None:
    if value is not None and value < 1:
        raise InvalidInput(f"{what} must be 1 or more")
    return value


def _apply(session: Session, row: Promotion, given: PromoInput, location: LocationView) -> None:
    """Write what was given onto the row, parsed and checked."""
    if given.kind is not None:
        kind = given.kind.strip().lower()
        if kind not in PROMOTION_KINDS:
            raise InvalidInput(f"--kind {given.kind!r} is not one of {', '.join(PROMOTION_KINDS)}")
        row.kind = kind
    if given.value is not None or given.kind is not None:
        row.value = parse_value(row.kind, given.value, location.currency)
    if given.service is not None and given.category is not None:
        raise InvalidInput("--service and --category cannot go together")
    if given.service is not None:
        row.service_id = catalog.find(session, Service, location, given.service).id if given.service else None
        row.category = None if given.service else row.category
    if given.category is not None:
        row.category = clean_text(given.category, "--category", 64) or None
        row.service_id = None if row.category else row.service_id
    if given.starts_on is not None:
        row.starts_on = given.starts_on
    if given.ends_on is not None:
        row.ends_on = given.ends_on
    if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
        raise InvalidInput(f"--to {row.ends_on.isoformat()} is before --from {row.starts_on.isoformat()}")
    if given.days is not None:
        row.days = parse_days(given.days) if given.days.strip() else []
    if given.hours is not None:
        row.start_minute, row.end_minute = parse_hours(given.hours) if given.hours.strip() else (None, None)
    if given.min_spend is not None:
        row.min_spend_cents = parse_amount(given.min_spend, location.currency, what="--min-spend")
    if given.tier is not None:
        row.tier = _tier(session, given.tier)
    if given.tag is not None:
        row.tag = clean_text(given.tag.strip().lower(), "--tag", 40) or None
    if given.client_id is not None:
        row.client_id = get_client(session, given.client_id).id
    if given.location_only is not None:
        row.location_id = location.id if given.location_only else None
    for name, value in (("new_clients", given.new_clients), ("stackable", given.stackable)):
        if value is not None:
            setattr(row, name, value)
    if given.per_client is not None:
        row.per_client = _positive(given.per_client, "--per-client")
    if given.limit is not None:
        row.use_limit = _positive(given.limit, "--limit")
        if row.use_limit is not None and row.use_limit < row.uses:
            raise RuleViolation(f"--limit {row.use_limit} is below the {row.uses} uses already made")
    if given.name is not None:
        row.name = clean_text(given.name, "--name", 120, required=True)
    if row.kind == "free_service" and row.service_id is None:
        raise InvalidInput("a free_service promotion names its service", hint="--service corte")
    if given.birthday_days is not None:
        row.birthday_days = _birthday_days(given.birthday_days)
    if row.birthday_days is not None:
        _birthday_offer(row)


MAX_BIRTHDAY_DAYS = 60  # the check `birthday_window` of the promotion table


def _birthday_days(days: int) -> int:
    if not 0 <= days <= MAX_BIRTHDAY_DAYS:
        raise InvalidInput(f"--birthday-days {days} must be between 0 and {MAX_BIRTHDAY_DAYS}",
                           hint="e.g. --birthday-days 7: from a week before the birthday to a week after")
    return days


def _birthday_offer(row: Promotion) -> None:
    """A birthday offer has a code of its own (never used: each client gets a personal one)."""
    if row.automatic:
        raise InvalidInput("a birthday offer cannot be automatic: each client gets a personal code",
                           hint="salon promo add BDAY --kind percent --value 20 --birthday-days 7")
    if row.client_id is not None or row.template_id is not None:
        raise InvalidInput(f"{row.code} is a personal code: a birthday offer is for every client with consent")


def _tier(session: Session, text: str) -> str | None:
    from salon_cli.services.loyalty import ledger

    tier = text.strip().lower()
    if not tier:
        return None
    names = [str(t["name"]).lower() for t in (ledger.program(session).tiers or [])]
    if names and tier not in names:
        raise InvalidInput(f"--tier {text!r} is not one of the program's tiers: {', '.join(names)}")
    return tier


def describe(row: Promotion, currency: str) -> str:
    """'20% off colour on Tuesdays': for an automatic promotion without a name of its own."""
    parts = [value_text(row.kind, row.value, currency)]
    if row.category:
        parts.append(row.category.lower())
    if row.days:
        parts.append(f"on {days_text(row.days)}")
    return " ".join(parts)


def add(session: Session, *, actor: Actor, location: LocationView, code: str | None, automatic: bool,
        given: PromoInput) -> PromotionView:
    authorize(actor, Permission.program_manage)
    if automatic and code:
        raise InvalidInput("an automatic promotion has no code: drop CODE or --automatic")
    if not automatic and not code:
        raise InvalidInput("a promotion needs a CODE (or --automatic --name NAME)")
    if automatic and not (given.name or "").strip():
        raise InvalidInput("an automatic promotion needs --name", hint='--name "20% off colour on Tuesdays"')
    if not given.kind:
        raise InvalidInput("--kind is needed: " + " | ".join(PROMOTION_KINDS))
    checked = check_code(code) if code else None
    if checked and session.exec(select(Promotion.id).where(Promotion.code == checked)).first() is not None:
        raise Conflict(f"promotion {checked} exists already", hint=f"change it: salon promo set {checked} ...")
    now = clock.now()
    row = Promotion(code=checked, name=checked or "", kind="percent", automatic=automatic, created_at=now,
                    created_by_id=actor.id, updated_at=now)
    _apply(session, row, given, location)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="promotion.add", entity="promotion", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return PromotionView.of(row, location.currency)


def find(session: Session, ref: str | int, *, lock: bool = False) -> Promotion:
    text = str(ref).strip()
    query = select(Promotion).where(Promotion.id == int(text)) if text.isdigit() else \
        select(Promotion).where(Promotion.code == text.upper())
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no promotion {text!r}", hint="see: salon promo list --all")
    return row


def show(session: Session, ref: str | int, location: LocationView) -> PromotionView:
    return PromotionView.of(find(session, ref), location.currency)


def list_all(session: Session, location: LocationView, *, include_ended: bool = False) -> list[PromotionView]:
    query = select(Promotion).order_by(col(Promotion.id))
    if not include_ended:
        query = query.where(col(Promotion.active).is_(True))
    return [PromotionView.of(r, location.currency) for r in session.exec(query).all()]


def update(session: Session, *, actor: Actor, location: LocationView, ref: str, given: PromoInput) -> PromotionView:
    authorize(actor, Permission.program_manage)
    if all(getattr(given, f.name) is None for f in fields(given)):
        raise InvalidInput("nothing to change", hint="e.g. salon promo set HAPPY10 --limit 200")
    row = find(session, ref, lock=True)
    if not row.active:
        raise RuleViolation(f"promotion {row.code or row.id} has ended: it cannot change")
    before = audit.snapshot(row)
    _apply(session, row, given, location)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="promotion.set", entity="promotion", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return PromotionView.of(row, location.currency)


def end(session: Session, *, actor: Actor, location: LocationView, ref: str) -> PromotionView:
    authorize(actor, Permission.program_manage)
    row = find(session, ref, lock=True)
    if not row.active:
        raise RuleViolation(f"promotion {row.code or row.id} has ended already")
    before: dict[str, Any] | None = audit.snapshot(row)
    now = clock.now()
    row.active, row.ended_at, row.ended_by_id, row.updated_at = False, now, actor.id, now
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="promotion.end", entity="promotion", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return PromotionView.of(row, location.currency)
