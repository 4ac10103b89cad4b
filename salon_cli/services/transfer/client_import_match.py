"""Which client already here each row of a clients file is (`client_import`), looked up in batches.

A row is the live client that has its external code, else its phone, else its e-mail; a row with
none of the three is the live client with the same folded name and birthday and no phone, e-mail
or external code. A row whose keys point at two different clients, or whose phone or e-mail is on
a client with another name (and no shared external code), is a fault: that is someone else's number.

A client that an appointments or sales import created from a code alone (`--create-missing`:
first name the code, no last name, external code the code) is still waiting for its names:
the row with that code is to fill it in (`Matches.fill`), not a client left as it is.

The preferred stylists a row names are staff here by code (`preferred_staff`): an unknown code is
a fault. A deactivated stylist is taken: the preference is a fact of the client's history, and our
own export carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.text import fold
from salon_cli.db.bulk import taken_ids
from salon_cli.db.models import Client, Staff
from salon_cli.io.tabular import Fault
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.transfer.client_import_rows import ClientFileRow

_CHUNK = 500  # ids or values per IN (...) list
_MAX_KEY_LOCKS = 1000  # phones and e-mails held one by one on PostgreSQL; more: the table only
_T = TypeVar("_T")


@dataclass
class Matches:
    """Row number -> the client here it is (`here`); the row numbers among them that fill in a client
    named by its code (`fill`)."""

    here: dict[int, Any] = field(default_factory=dict)
    fill: set[int] = field(default_factory=set)


def named_by_code(client: Any) -> bool:
    """A client created from a code alone and not named since: its first name is its code."""
    return bool(client.external_code) and client.first_name == client.external_code and client.last_name == ""


def hold(session: Session, rows: Sequence[ClientFileRow]) -> None:
    """On PostgreSQL, keep other writers of clients out until this import commits (SQLite's write
    transaction does that already). The phones and e-mails are held first, the way `clients.add`
    holds them, so that a desk adding one of these clients meanwhile waits instead of slipping in
    between our check and our insert; then the table, so that two imports run one after the other.
    A large file holds only the table: PostgreSQL's lock table has room for a few thousand locks.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = [f"{what}:{value}" for r in rows for what, value in (("phone", r.phone), ("email", r.email)) if value]
    if len(keys) <= _MAX_KEY_LOCKS:
        client_service._serialise(session, keys)
    session.execute(sa.text("LOCK TABLE client IN SHARE ROW EXCLUSIVE MODE"))


def chunks(values: Iterable[_T]) -> Iterable[list[_T]]:
    items = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# What matching needs of a client here, read as plain rows (attributes by these names), not as ORM
# objects: a re-import of 100,000 clients reads 250,000 of them.
_HERE = (col(Client.id), col(Client.first_name), col(Client.last_name), col(Client.name_key), col(Client.phone),
         col(Client.email), col(Client.external_code), col(Client.birthday))


def _live_by(session: Session, column: Any, values: Iterable[str]) -> dict[str, Any]:
    """Live clients whose `column` is one of `values` (the oldest client for each value)."""
    found: dict[str, Any] = {}
    for chunk in chunks(values):
        query = (sa.select(*_HERE).where(column.in_(chunk), col(Client.merged_into_id).is_(None))
                 .order_by(col(Client.id)))
        for client in session.execute(query):
            found.setdefault(getattr(client, column.key), client)
    return found


def match_existing(session: Session, rows: Sequence[ClientFileRow]) -> tuple[Matches, list[Fault]]:
    """The clients already here that the rows are (and which of them to fill in); faults for rows
    that collide."""
    by_code = _live_by(session, col(Client.external_code), (r.external_code for r in rows if r.external_code))
    by_phone = _live_by(session, col(Client.phone), (r.phone for r in rows if r.phone))
    by_email = _live_by(session, col(Client.email), (r.email for r in rows if r.email))
    by_name = _keyless_clients(session, [r for r in rows if not (r.external_code or r.phone or r.email)])
    matches = Matches()
    faults: list[Fault] = []
    for row in rows:
        if not (row.external_code or row.phone or row.email):
            twin = by_name.get((row.name_key, row.birthday))
            if twin is not None:
                matches.here[row.number] = twin
            continue
        code_match = by_code.get(row.external_code) if row.external_code else None
        phone_match = by_phone.get(row.phone) if row.phone else None
        email_match = by_email.get(row.email) if row.email else None
        client = code_match or phone_match or email_match
        if client is None:
            continue
        row_faults = [Fault(row.number, column, f"{value} is already on client {other.id} ({name_of(other)}), "
                                                f"but this row is client {client.id} ({name_of(client)})")
                      for column, value, other in (("phone", row.phone, phone_match), ("email", row.email, email_match))
                      if other is not None and other.id != client.id]
        if code_match is None and not row_faults:
            column, value = ("phone", row.phone) if phone_match is not None else ("email", row.email)
            if row.external_code and client.external_code:
                row_faults.append(Fault(row.number, column, f"{value} is already on client {client.id} "
                                        f"({name_of(client)}), whose external code is {client.external_code}"))
            elif not _same_person(row, client):
                row_faults.append(Fault(row.number, column, f"{value} is already on client {client.id} "
                                        f"({name_of(client)}), another name"))
        if row_faults:
            faults += row_faults
            continue
        matches.here[row.number] = client
        if code_match is not None and named_by_code(code_match):
            matches.fill.add(row.number)
    return matches, faults


def preferred_staff(session: Session, rows: Sequence[ClientFileRow]) -> tuple[dict[str, int], list[Fault]]:
    """The staff ids of the codes the rows' `preferred_staff` name; a fault for each unknown code."""
    ids: dict[str, int] = {}
    for chunk in chunks(code for r in rows for code in r.preferred_staff):
        ids.update((code, sid) for code, sid in session.execute(
            sa.select(col(Staff.code), col(Staff.id)).where(col(Staff.code).in_(chunk))))
    faults = [Fault(r.number, "preferred_staff", f"no staff member {code!r}")
              for r in rows for code in r.preferred_staff if code not in ids]
    return ids, faults


def kept_ids(session: Session, rows: Sequence[ClientFileRow], matches: dict[int, Any]) -> list[Fault]:
    """`keep_ids`: a row that is a client here must be that client's id; a new row's id must be free."""
    faults = [Fault(r.number, "id", f"this row is client {matches[r.number].id} here ({name_of(matches[r.number])}), "
                    f"not {r.id}: with --keep-ids the ids must agree")
              for r in rows if r.number in matches and matches[r.number].id != r.id]
    new = [r for r in rows if r.number not in matches and r.id is not None]
    taken = taken_ids(session, Client, (r.id for r in new))
    faults += [Fault(r.number, "id", f"id {r.id} is taken here by another client") for r in new if r.id in taken]
    return faults


def _keyless_clients(session: Session, rows: Sequence[ClientFileRow]) -> dict[tuple[str, date | None], Any]:
    found: dict[tuple[str, date | None], Any] = {}
    for chunk in chunks(r.name_key for r in rows):
        query = (sa.select(*_HERE).where(col(Client.name_key).in_(chunk), col(Client.merged_into_id).is_(None),
                                      col(Client.phone).is_(None), col(Client.email).is_(None),
                                      col(Client.external_code).is_(None))
                 .order_by(col(Client.id)))
        for client in session.execute(query):
            found.setdefault((client.name_key, client.birthday), client)
    return found


def _same_person(row: ClientFileRow, client: Any) -> bool:
    """Names that agree: the whole name, the first word of the first name, or the last name."""
    if row.name_key == client.name_key:
        return True
    first_word = (fold(row.first_name).split() or [""])[0]
    if first_word and first_word == (fold(client.first_name).split() or [""])[0]:
        return True
    return bool(row.last_name) and fold(row.last_name) == fold(client.last_name)


def name_of(client: Any) -> str:
    return f"{client.first_name} {client.last_name}".strip()

