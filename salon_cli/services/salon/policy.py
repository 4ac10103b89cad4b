"""A location's house rules: no-shows, late cancels, deposits, cash variance, taxes, PIN lockout, how far
ahead the book opens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.message_text import check_language, format_quiet_hours, parse_quiet_hours
from salon_cli.core.money import format_fee, format_percent, parse_amount, parse_fee, parse_percent
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Policy, Staff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy_receipts import check_printer, parse_via
from salon_cli.services.salon.staff import find


@dataclass(frozen=True)
class Tax:
    name: str
    rate_bp: int
    inclusive: bool


@dataclass(frozen=True)
class PolicyView:
    location: str
    no_show_grace_min: int
    no_show_lookback_hours: int
    no_show_fee: str
    no_show_fee_kind: str
    no_show_fee_value: int
    late_cancel_hours: int
    late_cancel_fee: str
    late_cancel_fee_kind: str
    late_cancel_fee_value: int
    deposit_after_no_shows: int
    variance_note_over_cents: int
    taxes: list[dict[str, Any]]
    pin_max_failures: int
    pin_lock_minutes: int
    desk_actor: str | None
    quiet_hours: str = "21:00-08:00"
    message_language: str = "es"
    win_back_days: int = 0
    payment_url: str | None = None
    allow_clock_override: bool = False  # the owner's switch: SALON_NOW in commands that change data
    max_desk_discount: str = "20%"
    deposit_remainder: str = "refund"
    slot_min: int = 15  # the book's row: slot suggestions and the next free slot sit on this grid
    receipt_printer: str | None = None  # the ESC/POS printer (services/salon/policy_receipts.py)
    receipt_via: str = "screen"  # the ways a receipt goes out by default: screen, print, email
    booking_horizon_days: int = 180  # a visit may be booked up to today + this many days (the location's date)
    priority_horizon_days: int = 365  # ... by a client with priority booking (`services.benefits.priority`)


MAX_HORIZON_DAYS = 1095  # three years: the book's horizons run from 1 day to this


def parse_tax(text: str) -> Tax:
    """`IVA:16%` or `VAT:20%:inclusive`."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (2, 3) or not parts[0] or (len(parts) == 3 and parts[2] not in ("inclusive", "exclusive")):
        raise InvalidInput(f"tax {text!r} is not NAME:RATE%[:inclusive]", hint="e.g. IVA:16% or VAT:20%:inclusive")
    return Tax(name=parts[0], rate_bp=parse_percent(parts[1], what=f"tax rate of {parts[0]}"),
               inclusive=len(parts) == 3 and parts[2] == "inclusive")


def row(session: Session, location: LocationView, *, lock: bool = False) -> Policy:
    query = select(Policy).where(Policy.location_id == location.id)
    if lock:
        query = query.with_for_update()
    found = session.exec(query).first()
    if found is None:
        raise RuleViolation(f"location {location.code} has no policy row")
    return found


def show(session: Session, location: LocationView) -> PolicyView:
    p = row(session, location)
    desk = session.get(Staff, p.desk_actor_id) if p.desk_actor_id else None
    cur = location.currency
    return PolicyView(
        location=location.code,
        no_show_grace_min=p.no_show_grace_min,
        no_show_lookback_hours=p.no_show_lookback_hours,
        no_show_fee=format_fee(p.no_show_fee_kind, p.no_show_fee_value, cur),
        no_show_fee_kind=p.no_show_fee_kind,
        no_show_fee_value=p.no_show_fee_value,
        late_cancel_hours=p.late_cancel_hours,
        late_cancel_fee=format_fee(p.late_cancel_fee_kind, p.late_cancel_fee_value, cur),
        late_cancel_fee_kind=p.late_cancel_fee_kind,
        late_cancel_fee_value=p.late_cancel_fee_value,
        deposit_after_no_shows=p.deposit_after_no_shows,
        variance_note_over_cents=p.variance_note_over_cents,
        taxes=list(p.taxes or []),
        pin_max_failures=p.pin_max_failures,
        pin_lock_minutes=p.pin_lock_minutes,
        desk_actor=desk.code if desk else None,
        quiet_hours=format_quiet_hours(p.quiet_hours_start_min, p.quiet_hours_end_min),
        message_language=p.message_language,
        win_back_days=p.win_back_days,
        payment_url=p.payment_url,
        allow_clock_override=p.allow_clock_override,
        max_desk_discount=format_percent(p.max_desk_discount_bp),
        deposit_remainder=p.deposit_remainder,
        slot_min=p.slot_min,
        receipt_printer=p.receipt_printer,
        receipt_via=p.receipt_via,
        booking_horizon_days=p.booking_horizon_days,
        priority_horizon_days=p.priority_horizon_days,
    )


def _payment_url(text: str) -> str | None:
    """Where clients pay a penalty ({payment_link} in the no-show notice); '' or 'none' forgets it."""
    value = text.strip()
    if value.lower() in ("", "none"):
        return None
    if not value.startswith(("https://", "http://")) or " " in value or len(value) > 255:
        raise InvalidInput(f"payment URL {text!r} is not an http(s) address",
                           hint="e.g. https://pay.example.com/centro?ref={penalty_id}")
    return value


def _bounded(value: int | None, low: int, high: int, what: str) -> int | None:
    if value is not None and not low <= value <= high:
        raise InvalidInput(f"{what} must be between {low} and {high}")
    return value


def _horizon(days: int | None, flag: str) -> int | None:
    if days is not None and not 1 <= days <= MAX_HORIZON_DAYS:
        raise InvalidInput(f"{flag} {days} must be between 1 and {MAX_HORIZON_DAYS} days")
    return days


def _check_horizons(booking: int, priority: int) -> None:
    """Priority booking opens the book at least as far ahead as for everyone."""
    if priority < booking:
        raise InvalidInput(f"the priority horizon ({priority} days) is shorter than the booking horizon "
                           f"({booking} days): clients with priority booking would book less far ahead",
                           hint="give --priority-horizon at least as long as --booking-horizon")


def update(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    no_show_grace_min: int | None = None,
    no_show_lookback_hours: int | None = None,
    no_show_fee: str | None = None,
    late_cancel_hours: int | None = None,
    late_cancel_fee: str | None = None,
    deposit_after_no_shows: int | None = None,
    variance_note_over: str | None = None,
    taxes: list[str] | None = None,
    pin_max_failures: int | None = None,
    pin_lock_minutes: int | None = None,
    desk_actor: str | None = None,
    quiet_hours: str | None = None,
    message_language: str | None = None,
    win_back_days: int | None = None,
    payment_url: str | None = None,
    max_desk_discount: str | None = None,
    deposit_remainder: str | None = None,
    slot_min: int | None = None,
    receipt_printer: str | None = None,
    receipt_via: str | None = None,
    booking_horizon_days: int | None = None,
    priority_horizon_days: int | None = None,
) -> PolicyView:
    """Change some rules; everything is validated before anything is written."""
    authorize(actor, Permission.policy_manage)
    cur = location.currency
    changes: dict[str, Any] = {
        "no_show_grace_min": _bounded(no_show_grace_min, 0, 240, "no-show grace (minutes)"),
        "no_show_lookback_hours": _bounded(no_show_lookback_hours, 1, 24 * 14, "no-show look-back (hours)"),
        "late_cancel_hours": _bounded(late_cancel_hours, 0, 24 * 14, "late-cancel window (hours)"),
        "deposit_after_no_shows": _bounded(deposit_after_no_shows, 0, 100, "deposit after N no-shows"),
        "pin_max_failures": _bounded(pin_max_failures, 1, 100, "PIN failures before lock"),
        "pin_lock_minutes": _bounded(pin_lock_minutes, 1, 24 * 60, "PIN lock (minutes)"),
        "win_back_days": _bounded(win_back_days, 0, 3650, "win-back offer after (days)"),
        "booking_horizon_days": _horizon(booking_horizon_days, "--booking-horizon"),
        "priority_horizon_days": _horizon(priority_horizon_days, "--priority-horizon"),
    }
    if slot_min is not None:
        if not 5 <= slot_min <= 60 or 60 % slot_min:
            raise InvalidInput(f"--slot {slot_min} must be between 5 and 60 minutes and divide an hour",
                               hint="e.g. 5, 10, 15, 20, 30 or 60")
        changes["slot_min"] = slot_min
    if quiet_hours is not None:
        changes["quiet_hours_start_min"], changes["quiet_hours_end_min"] = parse_quiet_hours(quiet_hours)
    if message_language is not None:
        changes["message_language"] = check_language(message_language, what="message language")
    if no_show_fee is not None:
        changes["no_show_fee_kind"], changes["no_show_fee_value"] = parse_fee(no_show_fee, cur, what="no-show fee")
    if late_cancel_fee is not None:
        changes["late_cancel_fee_kind"], changes["late_cancel_fee_value"] = parse_fee(late_cancel_fee, cur, what="late-cancel fee")
    if deposit_remainder is not None:
        if deposit_remainder.strip().lower() not in ("refund", "keep"):
            raise InvalidInput(f"--deposit-remainder {deposit_remainder!r} is not refund or keep")
        changes["deposit_remainder"] = deposit_remainder.strip().lower()
    if max_desk_discount is not None:
        changes["max_desk_discount_bp"] = parse_percent(max_desk_discount, what="maximum desk discount")
    if variance_note_over is not None:
        changes["variance_note_over_cents"] = parse_amount(variance_note_over, cur, what="variance")
    if taxes is not None:
        parsed = [parse_tax(t) for t in taxes]
        names = [t.name.lower() for t in parsed]
        if len(set(names)) != len(names):
            raise InvalidInput("a tax is named twice")
        changes["taxes"] = [{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive} for t in parsed]
    if desk_actor is not None:
        if desk_actor.strip().lower() in ("", "none"):
            changes["desk_actor_id"] = None
        else:
            changes["desk_actor_id"] = find(session, desk_actor).id
    if payment_url is not None:
        changes["payment_url"] = _payment_url(payment_url)
    if receipt_printer is not None:  # "none" clears it
        changes["receipt_printer"] = check_printer(receipt_printer)
    if receipt_via is not None:
        changes["receipt_via"] = parse_via(receipt_via)
    changes = {k: v for k, v in changes.items()
               if v is not None or k in ("payment_url", "receipt_printer")
               or k == "desk_actor_id" and desk_actor is not None}
    p = row(session, location, lock=True)
    _check_horizons(changes.get("booking_horizon_days") or p.booking_horizon_days,
                    changes.get("priority_horizon_days") or p.priority_horizon_days)
    before = audit.snapshot(p)
    for key, value in changes.items():
        setattr(p, key, value)
    p.updated_at = clock.now()
    session.add(p)
    audit.record(session, actor=actor, action="policy.set", entity="policy", entity_id=p.id,
                 before=before, after=audit.snapshot(p), location_id=location.id)
    return show(session, location)
