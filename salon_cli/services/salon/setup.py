"""`salon init`: the schema, the first location and its owner, and the default rules; `phone_problems`:
what `salon db check --data` finds wrong in the data (clients' stored phones that are not valid)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core.codes import check_code
from salon_cli.core.countries import check_country
from salon_cli.core.days import zone
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.money import check_currency
from salon_cli.core.phones import problem
from salon_cli.core.pins import check_pin_format
from salon_cli.db import migrate
from salon_cli.db.engine import is_sqlite
from salon_cli.db.models import Client, Location
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import clock_override, locations, staff
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.staff import StaffView

_INIT_LOCK = 0x5A1_0001


@dataclass(frozen=True)
class InitResult:
    location: LocationView
    owner: StaffView
    schema_revision: str


@dataclass(frozen=True)
class PhoneProblem:
    """A client's stored phone that phonenumbers does not find valid, and why."""

    id: int  # the client's
    name: str
    field: str  # phone, phone2 or emergency_phone
    phone: str
    reason: str


_PHONE_FIELDS = ("phone", "phone2", "emergency_phone")


def phone_problems(session: Session) -> Iterator[PhoneProblem]:
    """Every stored phone of every client that is not a valid number in E.164 (by client id): numbers
    accepted before the phone plans were checked, or moved in by a migration as written. Nothing is
    changed; `client edit` corrects one."""
    rows = session.execute(
        select(Client.id, Client.first_name, Client.last_name, Client.phone, Client.phone2, Client.emergency_phone)
        .where(sa.or_(*(col(getattr(Client, f)).is_not(None) for f in _PHONE_FIELDS)))
        .order_by(col(Client.id)).execution_options(yield_per=1000))
    for client_id, first, last, *phones in rows:
        for field, stored in zip(_PHONE_FIELDS, phones):
            reason = problem(stored) if stored else None
            if reason is not None:
                yield PhoneProblem(id=client_id, name=" ".join(x for x in (first, last) if x), field=field,
                                   phone=stored, reason=reason)


def is_initialised(uow: UnitOfWork) -> bool:
    return uow.session.exec(select(Location.id).limit(1)).first() is not None


def initialise(
    engine: Engine,
    *,
    location_code: str,
    location_name: str,
    timezone: str,
    currency: str,
    owner_name: str,
    owner_code: str,
    owner_pin: str,
    allow_clock_override: bool = False,
    country: str | None = None,
) -> InitResult:
    """The schema, the first location and its owner; `allow_clock_override` turns on the owner's switch
    that lets commands that change data honour SALON_NOW (tests, demos, backfills; off by default);
    `country` (ISO 3166-1 alpha-2, where national phone numbers are read) defaults to the zone's."""
    # Bad input changes nothing: check every value before the schema is touched.
    check_code(location_code, what="location code")
    if not location_name.strip() or not owner_name.strip():
        raise InvalidInput("location name and owner name must not be empty")
    zone(timezone)
    check_currency(currency)
    check_country(country)
    check_code(owner_code, what="owner code")
    check_pin_format(owner_pin)

    migrate.upgrade(engine)
    with UnitOfWork(engine) as uow:
        if not is_sqlite(engine):
            uow.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _INIT_LOCK})
        if is_initialised(uow):
            raise RuleViolation("this database is initialised already", hint="see: salon location list")
        location = locations.create(
            uow.session, actor=SYSTEM, code=location_code, name=location_name,
            timezone=timezone, currency=currency, country=country,
        )
        owner = staff.add(
            uow.session, actor=SYSTEM, location=location, name=owner_name, code=owner_code,
            role="owner", pin=owner_pin,
        )
        if allow_clock_override:
            clock_override.set_allowed(uow.session, actor=SYSTEM, allow=True)
        uow.commit()
    return InitResult(location=location, owner=owner, schema_revision=migrate.HEAD)
