"""Client profiles: names, contact details, tags, and the card the desk reads.

Clients are shared by every location of a chain. A phone is kept in E.164 (the location's country
by default) beside what was typed; e-mails are lower-cased; the same phone or e-mail on two live
clients is refused. The rest of the profile (address in parts, a second phone and e-mail,
occupation, emergency contact, gender) is checked by `profile_fields`. A merged client
(`merged_into_id`) is still shown, pointing at the client it was merged into, and refuses changes.
Notes and preferences live in `client_notes`; visit figures and `client list` in `client_list`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date, parse_date
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.core.text import fold, name_key
from salon_cli.db.models import Client, ClientTag
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.clients.profile_fields import PARTS, check_email, check_parts, check_phone
from salon_cli.services.clients.search import index_client
from salon_cli.services.salon.locations import LocationView

_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_OLDEST_BIRTHDAY = date(1900, 1, 1)
# Longest values the columns take (models.py); longer input is refused, never cut.
_LIMITS = {"first_name": 80, "last_name": 80, "external_code": 64}
__all__ = ["ClientView", "PARTS", "check_email", "check_phone", "check_name", "check_birthday", "normalise_tag",
           "get", "live", "view", "tags_of", "refuse_duplicates", "add", "edit", "tag", "untag"]


@dataclass(frozen=True)
class ClientView:
    """A client as SPEC.md shows it, plus the rest of the profile."""

    id: int
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    birthday: date | None
    tags: tuple[str, ...]
    no_show_count: int
    deposit_required: bool
    phone_raw: str | None
    gender: str | None
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None
    phone2: str | None
    email2: str | None
    occupation: str | None
    emergency_name: str | None
    emergency_phone: str | None
    external_code: str | None
    marketing_consent: bool
    merged_into_id: int | None
    home_location_id: int | None
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, row: Client, tags: Iterable[str] = ()) -> ClientView:
        return cls(
            id=row.id or 0, first_name=row.first_name, last_name=row.last_name, phone=row.phone,
            email=row.email, birthday=row.birthday, tags=tuple(sorted(tags)),
            no_show_count=row.no_show_count, deposit_required=row.deposit_required,
            phone_raw=row.phone_raw, gender=row.gender, street=row.street, city=row.city, state=row.state,
            postal_code=row.postal_code, country=row.country, phone2=row.phone2, email2=row.email2,
            occupation=row.occupation, emergency_name=row.emergency_name, emergency_phone=row.emergency_phone,
            external_code=row.external_code,
            marketing_consent=row.marketing_consent, merged_into_id=row.merged_into_id,
            home_location_id=row.home_location_id, created_at=row.created_at, updated_at=row.updated_at,
        )

    def fields_dict(self) -> dict[str, object]:
        """The fields by name, to build a wider view (a list row, a card) from this one."""
        return {f.name: getattr(self, f.name) for f in fields(ClientView)}


# ----------------------------------------------------------------------------- finding clients

def get(session: Session, client_id: int, *, lock: bool = False) -> Client:
    row = session.get(Client, client_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(f"no client {client_id}", hint="find one: salon client search NAME")
    return row


def live(session: Session, client_id: int) -> Client:
    """The client, locked for a change; a merged client refuses changes."""
    row = get(session, client_id, lock=True)
    if row.merged_into_id is not None:
        raise RuleViolation(f"client {client_id} was merged into client {row.merged_into_id}",
                            hint=f"change that one: salon client show {row.merged_into_id}")
    return row


def tags_of(session: Session, client_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Tags of many clients in one query."""
    found: dict[int, list[str]] = {cid: [] for cid in client_ids}
    if client_ids:
        query = select(ClientTag).where(col(ClientTag.client_id).in_(list(client_ids)))
        for row in session.exec(query.order_by(col(ClientTag.tag))):
            found[row.client_id].append(row.tag)
    return {cid: tuple(tags) for cid, tags in found.items()}


def view(session: Session, row: Client) -> ClientView:
    return ClientView.of(row, tags_of(session, [row.id or 0])[row.id or 0])


# ----------------------------------------------------------------------------- checking input

def check_name(text: str | None, *, what: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise InvalidInput(f"{what} is empty")
    return _fits(value, what.replace(" ", "_"), what)


def _fits(value: str, field: str, what: str) -> str:
    if len(value) > _LIMITS[field]:
        raise InvalidInput(f"{what} is longer than {_LIMITS[field]} characters")
    return value


def _optional(text: str | None, field: str) -> str | None:
    value = " ".join((text or "").split())
    return _fits(value, field, field.replace("_", " ")) if value else None


def check_birthday(value: date | str | None, location: LocationView) -> date | None:
    if value is None or value == "":
        return None
    day = parse_date(value, what="birthday") if isinstance(value, str) else value
    today = business_date(clock.now(), location.tz)
    if day > today:
        raise InvalidInput(f"birthday {day.isoformat()} is in the future")
    if day < _OLDEST_BIRTHDAY:
        raise InvalidInput(f"birthday {day.isoformat()} is before {_OLDEST_BIRTHDAY.isoformat()}")
    return day


def normalise_tag(text: str) -> str:
    """'  Novia VIP ' -> 'novia-vip': lower case, no accents, words joined by '-'."""
    tag = "-".join(fold(text).split())
    if not tag or len(tag) > 40 or not _TAG.match(tag):
        raise InvalidInput(f"tag {text!r} is not a tag",
                           hint="letters, digits, '-' and '_', up to 40 characters, e.g. vip or alergia-tinte")
    return tag


def _tags(texts: Iterable[str]) -> list[str]:
    return sorted({normalise_tag(t) for t in texts})


# ----------------------------------------------------------------------------- duplicates

def _serialise(session: Session, keys: Iterable[str]) -> None:
    """On PostgreSQL, one transaction at a time per phone/e-mail (SQLite writers are serial already),
    so that two desks adding the same phone at once cannot both pass the duplicate check."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        number = int.from_bytes(hashlib.blake2b(f"client:{key}".encode(), digest_size=8).digest(), "big", signed=True)
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})


def refuse_duplicates(session: Session, *, phone: str | None, email: str | None,
                      except_id: int | None = None) -> None:
    """Exit 1 when another live client has this exact phone or e-mail, naming that client."""
    checks = [("phone", col(Client.phone), phone), ("email", col(Client.email), email)]
    _serialise(session, [f"{what}:{value}" for what, _, value in checks if value])
    for what, column, value in checks:
        if value is None:
            continue
        query = select(Client).where(column == value, col(Client.merged_into_id).is_(None))
        if except_id is not None:
            query = query.where(col(Client.id) != except_id)
        other = session.exec(query.order_by(col(Client.id))).first()
        if other is not None:
            name = f"{other.first_name} {other.last_name}".strip()
            raise Conflict(f"{what} {value} is already on client {other.id} ({name})",
                           hint=f"see: salon client show {other.id}")


# ----------------------------------------------------------------------------- changes

def add(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    first_name: str,
    last_name: str,
    phone: str | None = None,
    email: str | None = None,
    birthday: date | str | None = None,
    tags: Sequence[str] = (),
    external_code: str | None = None,
    marketing_consent: bool = False,
    **parts: str | None,
) -> ClientView:
    """A new client; `parts` are the rest of the profile by name (`PARTS`: street, city, state,
    postal_code, country, phone2, email2, occupation, emergency_name, emergency_phone, gender)."""
    authorize(actor, Permission.desk)
    first, last = check_name(first_name, what="first name"), check_name(last_name, what="last name")
    e164, raw = check_phone(phone, location)
    email_ = check_email(email)
    extra = check_parts(_known(parts), location)
    row = Client(
        first_name=first, last_name=last, name_key=name_key(first, last), phone=e164, phone_raw=raw,
        email=email_, birthday=check_birthday(birthday, location), **extra,
        external_code=_optional(external_code, "external_code"), marketing_consent=marketing_consent,
        home_location_id=location.id, created_at=clock.now(),
    )
    tag_list = _tags(tags)
    refuse_duplicates(session, phone=e164, email=email_)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add_all([ClientTag(client_id=row.id, tag=t) for t in tag_list])
    index_client(session, row)
    audit.record(session, actor=actor, action="client.add", entity="client", entity_id=row.id,
                 after={**(audit.snapshot(row) or {}), "tags": tag_list}, location_id=location.id)
    return ClientView.of(row, tag_list)


def edit(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    client_id: int,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    birthday: date | str | None = None,
    external_code: str | None = None,
    marketing_consent: bool | None = None,
    **parts: str | None,
) -> ClientView:
    """Change what is given: None leaves a field alone, an empty string clears an optional one.
    `parts` as for `add`."""
    authorize(actor, Permission.desk)
    changes: dict[str, object] = dict(check_parts(_known(parts), location))
    if first_name is not None:
        changes["first_name"] = check_name(first_name, what="first name")
    if last_name is not None:
        changes["last_name"] = check_name(last_name, what="last name")
    if phone is not None:
        changes["phone"], changes["phone_raw"] = check_phone(phone, location)
    if email is not None:
        changes["email"] = check_email(email)
    if birthday is not None:
        changes["birthday"] = check_birthday(birthday, location)
    if external_code is not None:
        changes["external_code"] = _optional(external_code, "external_code")
    if marketing_consent is not None:
        changes["marketing_consent"] = marketing_consent
    if not changes:
        raise InvalidInput("nothing to change", hint="see: salon client edit --help")
    row = live(session, client_id)
    refuse_duplicates(session, phone=cast("str | None", changes.get("phone")),
                      email=cast("str | None", changes.get("email")), except_id=row.id)
    before, old_names = audit.snapshot(row), (row.first_name, row.last_name)
    for field, value in changes.items():
        setattr(row, field, value)
    renamed = (row.first_name, row.last_name) != old_names
    row.name_key = name_key(row.first_name, row.last_name)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    if renamed:
        index_client(session, row)
    audit.record(session, actor=actor, action="client.edit", entity="client", entity_id=row.id,
                 before=before, after=audit.snapshot(row), location_id=location.id)
    return view(session, row)


def _known(parts: dict[str, str | None]) -> dict[str, str | None]:
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise TypeError(f"not a part of a client's profile: {', '.join(unknown)}")
    return parts


def tag(session: Session, *, actor: Actor, location: LocationView, client_id: int,
        tags: Sequence[str]) -> ClientView:
    """Add tags (those the client has already are left as they are)."""
    return _retag(session, actor, location, client_id, tags, add=True)


def untag(session: Session, *, actor: Actor, location: LocationView, client_id: int,
          tags: Sequence[str]) -> ClientView:
    """Remove tags (those the client does not have are ignored)."""
    return _retag(session, actor, location, client_id, tags, add=False)


def _retag(session: Session, actor: Actor, location: LocationView, client_id: int,
           tags: Sequence[str], *, add: bool) -> ClientView:
    authorize(actor, Permission.desk)
    wanted = _tags(tags)
    if not wanted:
        raise InvalidInput("no tags given")
    row = live(session, client_id)
    had = set(tags_of(session, [client_id])[client_id])
    now = had | set(wanted) if add else had - set(wanted)
    if now != had:
        if add:
            session.add_all([ClientTag(client_id=client_id, tag=t) for t in sorted(now - had)])
        else:
            session.execute(sa.delete(ClientTag).where(col(ClientTag.client_id) == client_id,
                                                       col(ClientTag.tag).in_(sorted(had - now))))
        session.flush()
        audit.record(session, actor=actor, action="client.tag" if add else "client.untag", entity="client",
                     entity_id=client_id, before={"tags": sorted(had)}, after={"tags": sorted(now)},
                     location_id=location.id)
    return ClientView.of(row, now)
