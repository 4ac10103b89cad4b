"""The client each row of an import names, and (`--create-missing`) the clients a file names only by
another system's client code, created from that code. `import appointments` and `import sales` share it.

`find_clients(session, rows)` gives each row its client: the first of the row's tries (`clients`:
external code, id, phone, e-mail, in the row's order) that finds a live client, looked up in
batches. A row that finds none is a fault naming its cell. With `create_missing`, a cell that reads
as a client code is a client to create instead (`NewClients`): one per code, however many rows name
it. Until `create_clients` writes them, those rows hold a stand-in id (negative, one per code), so
that the checks that compare rows' clients (one client a receipt, a booking twice) hold as they will.

A client code is the cell as the file has it (codes are compared exactly, as they are stored): one
word (no spaces), no '@', not a phone number (a cell the location's country reads as one was tried
as a phone), at most 64 characters. A name (`Ana López`), an e-mail or a phone is not created: it
stays a fault. The new client is `first_name` = the code, `last_name` = "", `external_code` = the
code (a later client import finds it by that code and fills the names in), at the import's
location, with its search keys and a `client.add` audit row (`import_row`: the first row naming it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.permissions import Permission
from salon_cli.core.text import name_key
from salon_cli.db.bulk import insert_plain, insert_with_ids
from salon_cli.db.models import Client, ClientSearchKey
from salon_cli.io.tabular import Fault
from salon_cli.services.clients.search import keys_for
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.imports import Created

__all__ = ["CODE_RULE", "ClientRow", "NewClients", "client_code", "create_clients", "find_clients"]

CODE_MAX = 64  # Client.external_code
CODE_RULE = "a client code is one word, no '@', not a phone number, at most 64 characters"
_CHUNK = 500


class ClientRow(Protocol):
    """What an import's row carries for its client (both `appt_import_rows.Row` and `sale_import_rows.Row`)."""

    number: int
    values: dict[str, str]
    clients: list[tuple[str, str, Any]]  # (column, kind, value): kind is id, phone, email or external_code
    client_column: str
    client_id: int | None


@dataclass
class NewClients:
    """Clients to create, by code: the rows naming each (file order) and the stand-in id they hold."""

    rows: dict[str, list[Any]] = field(default_factory=dict)
    stand_in: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def add(self, code: str, row: ClientRow) -> None:
        self.stand_in.setdefault(code, -(len(self.stand_in) + 1))
        self.rows.setdefault(code, []).append(row)
        row.client_id = self.stand_in[code]

    def code_of(self, client_id: int | None) -> str | None:
        """The code a stand-in id stands for (None for a real id)."""
        if client_id is None or client_id >= 0:
            return None
        return next((code for code, given in self.stand_in.items() if given == client_id), None)

    def used_by(self, rows: Iterable[ClientRow]) -> NewClients:
        """Only the codes these rows (those to be written) name."""
        wanted = {r.client_id for r in rows if r.client_id is not None and r.client_id < 0}
        return NewClients({c: rs for c, rs in self.rows.items() if self.stand_in[c] in wanted},
                          {c: i for c, i in self.stand_in.items() if i in wanted})

    def planned(self) -> tuple[Created, ...]:
        """What a dry run says it would create."""
        return tuple(Created("client", code, code) for code in self.rows)


def client_code(row: ClientRow) -> str | None:
    """The row's client cell when it reads as a client code (see the module's rule), else None."""
    kinds = {kind for _, kind, _ in row.clients}
    code = next((value for _, kind, value in row.clients if kind == "external_code"), None)
    if code is None or kinds & {"phone", "email"} or "@" in code or len(code) > CODE_MAX or len(code.split()) != 1:
        return None
    return code


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def find_clients(session: Session, rows: Sequence[ClientRow], *,
                 create_missing: bool = False) -> tuple[list[Fault], NewClients]:
    """Each row's client: the first way of finding one that matches (look-ups in batches). Faults for
    rows that find none; with `create_missing`, those whose cell is a client code are `NewClients`."""
    wanted: dict[str, set[Any]] = {"id": set(), "phone": set(), "email": set(), "external_code": set()}
    for row in rows:
        for _, kind, value in row.clients:
            wanted[kind].add(value)
    found: dict[str, dict[Any, tuple[int, int | None]]] = {kind: {} for kind in wanted}
    for chunk in _chunks(i for i in wanted["id"] if i < 2**31):  # ids are 32-bit; a phone is not an id
        query = sa.select(col(Client.id), col(Client.merged_into_id)).where(col(Client.id).in_(chunk))
        found["id"].update((cid, (cid, merged)) for cid, merged in session.execute(query))
    for kind in ("phone", "email", "external_code"):
        column = getattr(Client, kind)
        for chunk in _chunks(wanted[kind]):
            query = (sa.select(col(Client.id), column).order_by(col(Client.id))
                     .where(col(column).in_(chunk), col(Client.merged_into_id).is_(None)))
            for cid, value in session.execute(query):
                found[kind].setdefault(value, (cid, None))
    faults: list[Fault] = []
    new = NewClients()
    for row in rows:
        hit = next(((column, found[kind][value]) for column, kind, value in row.clients if value in found[kind]), None)
        if hit is not None and hit[1][1] is not None:
            faults.append(Fault(row.number, hit[0], f"client {hit[1][0]} was merged into client {hit[1][1]}"))
        elif hit is not None:
            row.client_id = hit[1][0]
        elif row.clients:
            code = client_code(row) if create_missing else None
            if code is not None:
                new.add(code, row)
                continue
            cell = row.values.get(row.client_column, "").strip()
            why = f"; --create-missing creates a client only from a code ({CODE_RULE})" if create_missing else ""
            faults.append(Fault(row.number, row.client_column, f"{cell!r} is no client here (by id, phone, e-mail or "
                                f"external code){why}"))
    return faults, new


def create_clients(session: Session, *, actor: Actor, location: LocationView, new: NewClients) -> list[Created]:
    """Write the clients `find_clients` found missing (in the caller's transaction) and give their rows
    the new ids. On PostgreSQL the client table is held first, and a code that another desk or import
    added meanwhile is that client, not a second one."""
    if not new:
        return []
    authorize(actor, Permission.desk)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("LOCK TABLE client IN SHARE ROW EXCLUSIVE MODE"))
    meanwhile: dict[str, int] = {}
    for chunk in _chunks(new.rows):
        query = (sa.select(col(Client.external_code), col(Client.id)).order_by(col(Client.id))
                 .where(col(Client.external_code).in_(chunk), col(Client.merged_into_id).is_(None)))
        for code, cid in session.execute(query):
            meanwhile.setdefault(code, cid)
    codes = [c for c in new.rows if c not in meanwhile]
    now = clock.now()
    defaults = Client(first_name="-").model_dump(exclude={"id"})  # every column, with the model's defaults
    values = [{**defaults, "first_name": code, "last_name": "", "name_key": name_key(code, ""), "external_code": code,
               "home_location_id": location.id, "created_at": now} for code in codes]
    ids = insert_with_ids(session, Client, values)
    insert_plain(session, ClientSearchKey, ("key", "client_id", "kind"),
                 [(key, cid, kind) for cid, code in zip(ids, codes, strict=True)
                  for kind, key in sorted(keys_for(code, ""))])
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("client.add", "client", cid, None, {**{k: x for k, x in v.items() if x is not None}, "id": cid,
                                             "import_row": new.rows[v["external_code"]][0].number,
                                             "named_by": "client code"})
        for cid, v in zip(ids, values)))
    made = {**meanwhile, **dict(zip(codes, ids))}
    for code, rows in new.rows.items():
        for row in rows:
            row.client_id = made[code]
    return [Created("client", code, code) for code in codes]
