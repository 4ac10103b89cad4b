"""Erasing a client at their request (`salon client erase`): the person leaves the record, the money stays.

What goes: the profile's personal fields (names become `Erased` / `client #ID`), the search keys, tags,
notes, preferences and preferred stylists, follow-ups, waitlist entries, photos (rows and files), the bodies of messages
and, in any other row of any table, every string that names the person. What stays, on the now
anonymous client: appointments, sales, payments, refunds, gift cards, loyalty accounts, entries and lots,
memberships, penalties and promotions' uses, so that every total stays true.

The scrub is generic, so that a new column cannot be forgotten: the person's strings are gathered before
anything changes (`needles`), then every text and JSON column of every table in `SQLModel.metadata` is
searched for them and each one found is replaced by `[erased]`:

- strong strings (full name, phones as stored and as typed, e-mails, the saved card's Stripe ids) are
  replaced wherever they appear, and a row that quotes one is about the person;
- weak strings (the first or the last name alone, the import's code, the emergency contact, the street)
  are replaced only in rows about the person: rows that belong to them through a column referring to
  `client`, audit rows of the client, JSON that names the client's id under a `client_id` key, and rows
  quoting a strong string. "Ana" is not scrubbed from another client's note or a stylist's name.

Rows that belong to another client are left alone (a shared family phone stays on the mother's card), and
so are the salon's own `staff` and `location` (a stylist who is also a client is another record).
Clients merged into this one (`merged_into_id`) are the same person: they are erased with it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.core.permissions import Permission
from salon_cli.core.text import clean_text, name_key
from salon_cli.db.models import (
    Client, ClientFollowUp, ClientNote, ClientPhoto, ClientPref, ClientPreferredStaff, ClientSearchKey, ClientTag,
    Communication, Membership, Outbox, Penalty, WaitlistEntry,
)
from salon_cli.services.record.photos import media_path
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize

ERASED = "[erased]"
FIRST_NAME = "Erased"
# Erasing is a manager's act with a PIN, as merging is (core/permissions.py has no permission of its own yet).
PERMISSION = Permission.client_erase

# The profile's personal fields, set to None (those the model no longer has are passed over).
PERSONAL = ("phone", "phone_raw", "email", "birthday", "gender", "address", "emergency_contact", "street", "city",
            "state", "postal_code", "country", "phone2", "email2", "occupation", "emergency_name",
            "emergency_phone", "external_code", "stripe_customer_id", "stripe_payment_method_id")
# A client's snapshot in JSON (an audit row's before or after): these keys' values go whatever they hold.
PERSONAL_KEYS = frozenset(PERSONAL) | {"first_name", "last_name", "name_key"}

# Tables of the client's rows, by what erasure does with them; a test fails when a table that refers to
# `client` is in none of them.
DELETED: tuple[type[SQLModel], ...] = (ClientSearchKey, ClientTag, ClientNote, ClientPref, ClientPreferredStaff,
                                       ClientFollowUp, ClientPhoto, WaitlistEntry)
EMPTIED = frozenset({"communication", "outbox"})  # the bodies go, the fact that a message went stays
KEPT = frozenset({"client", "appointment", "penalty", "sale", "gift_card", "loyalty_account", "membership",
                  "promotion", "promotion_use", "referral"})
LEFT_ALONE = frozenset({"staff", "location"})


@dataclass(frozen=True)
class Needles:
    strong: tuple[str, ...]
    weak: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        return self.strong + self.weak


@dataclass(frozen=True)
class EraseResult:
    client_id: int
    erased_at: datetime
    merged_ids: tuple[int, ...]
    deleted: dict[str, int] = field(default_factory=dict)
    emptied: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    photo_files: int = 0


def erase(session: Session, *, actor: Actor, client_id: int, reason: str, media_root: Path | None) -> EraseResult:
    authorize(actor, PERMISSION)
    why = clean_text(reason, refusal_words("the reason"), 500, required=True)
    assert why is not None
    client = session.exec(select(Client).where(Client.id == client_id).with_for_update()).first()
    if client is None:
        raise NotFound(f"no client {client_id}")
    if client.erased_at is not None:
        raise RuleViolation(f"client {client_id} was already erased on {client.erased_at.date().isoformat()}")
    if client.merged_into_id is not None:
        raise RuleViolation(f"client {client_id} was merged into client {client.merged_into_id}",
                            hint=f"erase that one: salon client erase {client.merged_into_id} --reason ...")
    people = [client, *_merged_into(session, client_id)]
    ids = {p.id for p in people if p.id is not None}
    _refuse_while_owed(session, client_id, ids)
    needles = needles_of(session, people)
    now = clock.now()

    photos = list(session.exec(select(ClientPhoto).where(col(ClientPhoto.client_id).in_(ids))).all())
    deleted = {}
    for model in DELETED:
        table = model.__table__  # type: ignore[attr-defined]
        deleted[table.name] = session.execute(sa.delete(table).where(table.c.client_id.in_(ids))).rowcount or 0
    emptied = {
        "communication": session.execute(sa.update(Communication).where(col(Communication.client_id).in_(ids))
                                         .values(body=ERASED)).rowcount or 0,
        "outbox": _empty_outbox(session, ids),
    }
    for person in people:
        for name in PERSONAL:
            if name in Client.model_fields:
                setattr(person, name, None)
        person.first_name, person.last_name = FIRST_NAME, f"client #{person.id}"
        person.name_key = name_key(person.first_name, person.last_name)
        person.marketing_consent = False
        person.erased_at = person.updated_at = now
        session.add(person)
    session.flush()
    scrubbed = scrub(session, needles, ids)
    files = _remove_photo_files(media_root, photos, ids)
    result = EraseResult(client_id=client_id, erased_at=now, merged_ids=tuple(sorted(ids - {client_id})),
                         deleted=deleted, emptied=emptied, scrubbed=scrubbed, photo_files=files)
    audit.record(session, actor=actor, action="client.erase", entity="client", entity_id=client_id, after={
        "reason": _replace(why, needles.all()), "merged_ids": list(result.merged_ids), "deleted": deleted,
        "emptied": emptied, "scrubbed": scrubbed, "photo_files": files})
    return result


def _merged_into(session: Session, client_id: int) -> list[Client]:
    """Every client merged into this one, directly or through another merged one."""
    found: list[Client] = []
    wave = [client_id]
    while wave:
        rows = list(session.exec(select(Client).where(col(Client.merged_into_id).in_(wave)).with_for_update()).all())
        found += rows
        wave = [r.id for r in rows if r.id is not None]
    return found


def _refuse_while_owed(session: Session, client_id: int, ids: set[int]) -> None:
    pending = session.exec(select(Penalty.id).where(col(Penalty.client_id).in_(ids), Penalty.status == "pending")
                           ).first()
    if pending is not None:
        raise RuleViolation(f"client {client_id} has a pending penalty ({pending})",
                            hint=f"settle it first: salon penalty waive {pending} --reason ... or charge it")
    live = session.exec(select(Membership.id, Membership.status).where(
        col(Membership.client_id).in_(ids), col(Membership.status).in_(("active", "paused")))).first()
    if live is not None:
        raise RuleViolation(f"client {client_id} has an {live[1]} membership ({live[0]})",
                            hint=f"cancel it first: salon membership cancel {client_id} --now --reason ...")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def needles_of(session: Session, people: Iterable[Client]) -> Needles:
    """The strings that name the person, read before anything is erased."""
    strong: set[str] = set()
    weak: set[str] = set()
    for p in people:
        first, last = (p.first_name or "").strip(), (p.last_name or "").strip()
        if first and last:
            strong |= {f"{first} {last}", f"{last} {first}", f"{last}, {first}"}
        weak |= {first, last}
        for name in ("phone", "phone_raw", "phone2", "emergency_phone"):
            value = getattr(p, name, None)
            if value:
                strong.add(value.strip())
                if len(_digits(value)) >= 6:
                    strong.add(_digits(value))
        for name in ("email", "email2", "stripe_customer_id", "stripe_payment_method_id"):
            value = getattr(p, name, None)
            if value:
                strong.add(value.strip())
        for name in ("external_code", "emergency_name", "emergency_contact", "street", "address"):
            value = getattr(p, name, None)
            if value:
                weak.add(value.strip())
    strong = {s for s in strong if len(s) >= 3}
    weak = {w for w in weak if len(w) >= 2} - strong
    longest_first = lambda items: tuple(sorted(items, key=lambda s: (-len(s), s)))  # noqa: E731
    return Needles(strong=longest_first(strong), weak=longest_first(weak))


def _pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    # whole words only: "Ana" is not in "Banana", a code "350" not in the amount "350.00"
    parts = [re.escape(n) for n in needles]
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?!\w|[.,]\w)", re.IGNORECASE) if parts else None


def _replace(text: str, needles: Iterable[str]) -> str:
    pattern = _pattern(needles)
    return pattern.sub(ERASED, text) if pattern else text


def _texty(column: sa.Column[Any]) -> bool:
    """Text or JSON (SQLModel's `AutoString` and our `JSONDocument` are decorators over them)."""
    kind = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
    return isinstance(kind, sa.String | sa.JSON)


def _like(text: str) -> str:
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def scrub(session: Session, needles: Needles, ids: set[int]) -> dict[str, int]:
    """Replace the person's strings in every text and JSON column of every table; rows changed, by table."""
    changed: dict[str, int] = {}
    everything = needles.all()
    if not everything:
        return changed
    # JSON on SQLite is text with non-ASCII escaped (\u00e9): look for both spellings
    probes = sorted({form for n in everything for form in (n, json.dumps(n)[1:-1])})
    strong, weak = _pattern(needles.strong), _pattern(everything)
    for table in SQLModel.metadata.sorted_tables:
        if table.name in LEFT_ALONE:
            continue
        texts = [c for c in table.columns if _texty(c)]
        keys = list(table.primary_key.columns)
        owners = [table.c.id] if table.name == "client" else [
            c for c in table.columns if any(fk.column.table.name == "client" for fk in c.foreign_keys)]
        if not texts or not keys:
            continue
        found = sa.or_(*(sa.cast(c, sa.Text).ilike(_like(p), escape="/") for c in texts for p in probes))
        audited = [table.c.entity, table.c.entity_id] if table.name == "audit_log" else []
        picked = [*dict.fromkeys([*keys, *owners, *texts, *audited])]
        count = 0
        for row in session.execute(sa.select(*picked).where(found)).mappings().all():
            belongs = {row[c.name] for c in owners if row[c.name] is not None}
            if belongs and not belongs & ids:
                continue  # another client's row
            about = bool(belongs) or (table.name == "audit_log" and row["entity"] == "client"
                                      and row["entity_id"] in ids)
            values = {c.name: row[c.name] for c in texts}
            about = about or any(_mentions(v, ids, strong) for v in values.values())
            pattern = weak if about else strong
            new = {k: _clean(v, pattern, about and _Person(ids, strong)) for k, v in values.items()}
            new = {k: v for k, v in new.items() if v != values[k]}
            if new and pattern is not None:
                session.execute(sa.update(table).where(*(k == row[k.name] for k in keys)).values(**new))
                count += 1
        if count:
            changed[table.name] = count
    return changed


def _mentions(value: Any, ids: set[int], strong: re.Pattern[str] | None) -> bool:
    """Whether a value quotes a strong string or names one of the clients under a `client_id` key."""
    if isinstance(value, str):
        return bool(strong and strong.search(value))
    if isinstance(value, dict):
        return any((k.endswith("client_id") and v in ids) or _mentions(v, ids, strong) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, ids, strong) for v in value)
    return False


@dataclass(frozen=True)
class _Person:
    """Which JSON objects are the person's snapshot: a client's (first or last name among its keys) whose
    id is one of theirs or that quotes a strong string. Another client's snapshot in the same row stays."""

    ids: set[int]
    strong: re.Pattern[str] | None

    def __call__(self, obj: dict[str, Any]) -> bool:
        if "first_name" not in obj and "last_name" not in obj:
            return False
        return obj.get("id") in self.ids or any(_mentions(v, set(), self.strong) for v in obj.values())


def _clean(value: Any, pattern: re.Pattern[str] | None, person: _Person | bool) -> Any:
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        theirs = bool(person) and callable(person) and person(value)
        return {k: (ERASED if theirs and k in PERSONAL_KEYS and v not in (None, "") and isinstance(v, str)
                    else _clean(v, pattern, person)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, pattern, person) for v in value]
    return value


def _empty_outbox(session: Session, ids: set[int]) -> int:
    """Messages to the client lose their address, subject, body and payload; one still waiting is skipped."""
    rows = list(session.exec(select(Outbox).where(col(Outbox.client_id).in_(ids))).all())
    for row in rows:
        row.recipient, row.body, row.payload = None, ERASED, {}
        row.subject = ERASED if row.subject is not None else None
        if row.status in ("queued", "sending"):
            row.status, row.next_attempt_at, row.error = "skipped", None, "client erased"
        session.add(row)
    session.flush()
    return len(rows)


def _remove_photo_files(media_root: Path | None, photos: list[ClientPhoto], ids: set[int]) -> int:
    """The photos' files and the clients' media folders. Done last, once the rows are gone: a failed commit
    after it leaves rows naming missing files (erasing again finishes the job), never a person's photo."""
    if media_root is None:
        return 0
    removed = 0
    for photo in photos:
        try:
            target = media_path(media_root, photo.path)
        except InvalidInput:
            continue
        if target.is_file():
            target.unlink()
            removed += 1
    for cid in ids:
        folder = media_path(media_root, f"clients/{cid}")
        if folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    return removed
