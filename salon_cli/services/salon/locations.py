"""Locations: a salon, or one branch of a chain, with its own zone, currency and policy."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import check_code
from salon_cli.core.days import zone
from salon_cli.core.errors import Conflict, InvalidInput, NotFound
from salon_cli.core.money import check_currency
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Location, Policy
from salon_cli.services.salon import audit, clock_override, programs
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize


@dataclass(frozen=True)
class LocationView:
    id: int
    code: str
    name: str
    timezone: str
    currency: str
    address: str | None
    phone: str | None
    active: bool
    stripe_reader_id: str | None = None  # the Stripe Terminal reader (tmr_...) of the desk
    tax_id: str | None = None  # printed on receipts (RFC, NIF, VAT number)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def of(cls, row: Location) -> LocationView:
        return cls(
            id=row.id or 0, code=row.code, name=row.name, timezone=row.timezone,
            currency=row.currency, address=row.address, phone=row.phone, active=row.active,
            stripe_reader_id=row.stripe_reader_id, tax_id=row.tax_id,
        )


def resolve(session: Session, code: str | None) -> LocationView:
    """The location named by `--location`, else the only one, else an error listing them."""
    if code:
        row = session.exec(select(Location).where(Location.code == code.strip().lower())).first()
        if row is None:
            raise NotFound(f"no location {code!r}", hint=f"locations: {_codes(session) or 'none'}")
        return LocationView.of(row)
    rows = session.exec(select(Location).where(col(Location.active)).order_by(Location.code)).all()
    if len(rows) == 1:
        return LocationView.of(rows[0])
    if not rows:
        raise NotFound("salon is not initialised here", hint="run: salon init ... (or salon demo)")
    raise InvalidInput(
        f"{len(rows)} locations: say which with --location or SALON_LOCATION",
        hint=f"locations: {_codes(session)}",
    )


def _codes(session: Session) -> str:
    return ", ".join(session.exec(select(Location.code).order_by(Location.code)).all())


def list_locations(session: Session) -> list[LocationView]:
    return [LocationView.of(r) for r in session.exec(select(Location).order_by(Location.code))]


def create(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    timezone: str,
    currency: str,
    address: str | None = None,
    phone: str | None = None,
) -> LocationView:
    """A new location with the default policy, loyalty program and membership plans."""
    code = check_code(code, what="location code")
    if not name.strip():
        raise InvalidInput("location name is empty")
    zone(timezone)
    currency = check_currency(currency)
    if session.exec(select(Location).where(Location.code == code)).first():
        raise Conflict(f"location {code!r} exists already")
    now = clock.now()
    row = Location(
        code=code, name=name.strip(), timezone=timezone, currency=currency,
        address=address, phone=phone, created_at=now,
    )
    session.add(row)
    session.flush()
    # the clock-override switch is the chain's: a new location takes it (services/salon/clock_override.py)
    session.add(Policy(location_id=row.id or 0, updated_at=now, allow_clock_override=clock_override.allowed(session)))
    programs.create_defaults(session, now=now)
    audit.record(session, actor=actor, action="location.add", entity="location", entity_id=row.id,
                 after=audit.snapshot(row), location_id=row.id)
    return LocationView.of(row)


def add(session: Session, *, actor: Actor, **fields: str | None) -> LocationView:
    authorize(actor, Permission.location_manage)
    return create(session, actor=actor, **fields)  # type: ignore[arg-type]


def update(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    name: str | None = None,
    timezone: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    active: bool | None = None,
    stripe_reader_id: str | None = None,
    tax_id: str | None = None,
) -> LocationView:
    """Name, zone, address, phone, active, the Stripe reader (`tmr_...`; "" removes it), the tax id
    printed on receipts ("" removes it). The currency is not changed here: money is kept in it."""
    authorize(actor, Permission.location_manage)
    row = session.get(Location, location.id, with_for_update=True)
    if row is None:
        raise NotFound(f"no location {location.code!r}")
    before = audit.snapshot(row)
    if name is not None:
        if not name.strip():
            raise InvalidInput("location name is empty")
        row.name = name.strip()
    if timezone is not None:
        zone(timezone)
        row.timezone = timezone
    if address is not None:
        row.address = address or None
    if phone is not None:
        row.phone = phone or None
    if active is not None:
        row.active = active
    if stripe_reader_id is not None:
        row.stripe_reader_id = _reader_id(stripe_reader_id) if stripe_reader_id.strip() else None
    if tax_id is not None:
        row.tax_id = _tax_id(tax_id)
    session.add(row)
    audit.record(session, actor=actor, action="location.set", entity="location", entity_id=row.id,
                 before=before, after=audit.snapshot(row), location_id=row.id)
    return LocationView.of(row)


def _tax_id(text: str) -> str | None:
    """A tax id as the tax office writes it (RFC, NIF, VAT number): up to 32 printable characters;
    "" or "none" removes it."""
    value = " ".join(text.split())
    if value.lower() in ("", "none"):
        return None
    if len(value) > 32 or not value.isprintable():
        raise InvalidInput(f"tax id {text!r} is not up to 32 printable characters", hint="e.g. SACE800101AB1")
    return value


def _reader_id(text: str) -> str:
    """A Stripe Terminal reader id: tmr_ then letters, digits and '_' (exit 2 otherwise)."""
    value = text.strip()
    if not value.startswith("tmr_") or len(value) == 4 or len(value) > 64 \
            or not value.replace("_", "").isalnum() or not value.isascii():
        raise InvalidInput(f"reader {text!r} is not a Stripe Terminal reader id like tmr_...",
                           hint="find it in the Stripe dashboard: Terminal > Readers")
    return value
