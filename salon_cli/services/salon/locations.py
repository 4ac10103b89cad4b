"""Locations: a salon, or one branch of a chain, with its own zone, currency, country and policy.

The country (ISO 3166-1 alpha-2) is the region national phone numbers are read in; a new location
takes its zone's (`core.countries.country_for_zone`) unless one is given. The location's own phone is
checked in that country's plan and kept in the international format (`+52 55 1234 5678`): it is
printed on receipts and sent in messages, read from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import check_code
from salon_cli.core.countries import check_country, country_for_zone
from salon_cli.core.days import zone
from salon_cli.core.errors import Conflict, InvalidInput, NotFound
from salon_cli.core.money import check_currency
from salon_cli.core.permissions import Permission
from salon_cli.core.phones import international
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
    country: str | None = None  # ISO 3166-1 alpha-2: where national phone numbers are read (None: unknown)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def of(cls, row: Location) -> LocationView:
        return cls(
            id=row.id or 0, code=row.code, name=row.name, timezone=row.timezone,
            currency=row.currency, address=row.address, phone=row.phone, active=row.active,
            stripe_reader_id=row.stripe_reader_id, tax_id=row.tax_id, country=row.country,
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
    country: str | None = None,
) -> LocationView:
    """A new location with the default policy, loyalty program and membership plans; `country` (ISO
    3166-1 alpha-2) defaults to the zone's."""
    code = check_code(code, what="location code")
    if not name.strip():
        raise InvalidInput("location name is empty")
    zone(timezone)
    currency = check_currency(currency)
    country = check_country(country) or country_for_zone(timezone)
    phone = _phone(phone, country)
    if session.exec(select(Location).where(Location.code == code)).first():
        raise Conflict(f"location {code!r} exists already")
    now = clock.now()
    row = Location(
        code=code, name=name.strip(), timezone=timezone, currency=currency, country=country,
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
    country: str | None = None,
) -> LocationView:
    """Name, zone, country (ISO 3166-1 alpha-2; changing the zone does not change it), address, phone,
    active, the Stripe reader (`tmr_...`; "" removes it), the tax id printed on receipts ("" removes it).
    The currency is not changed here: money is kept in it."""
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
    if country is not None:
        if not country.strip():
            raise InvalidInput("country is empty", hint="two letters, e.g. MX, ES, US, CO")
        row.country = check_country(country)
    if address is not None:
        row.address = address or None
    if phone is not None:
        row.phone = _phone(phone, row.country)
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


def _phone(text: str | None, country: str | None) -> str | None:
    """The location's phone checked in its country's plan, international (`+52 55 1234 5678`); "" removes it."""
    if not (text or "").strip():
        return None
    return international(text or "", region=country)


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
