"""`salon export clients`: every live client as a record, streamed.

The clients are read in batches from one query (a server-side cursor on PostgreSQL, `yield_per`
on both), with the batch's tags and notes read beside them: memory stays flat however many clients
there are. Merged clients are left out.

Each client carries their visit figures at the location, as `client list` and `client show` count them
(`clients.views.visit_stats`): `visits`, `total_spent_cents`, and the days (the location's) of the
`first_visit` and `last_visit` (empty when they never came). An import of this file ignores them.

After them come the rest of the profile (`profile_fields.PARTS` but gender, which has its place
already): `street, city, state, postal_code, country, phone2, email2, occupation, emergency_name,
emergency_phone`, and `preferred_staff`, the codes of the client's preferred stylists, first first
(a list in JSON, joined with ';' in CSV, as `tags` are). They are contact details like `phone` and
`email`, not notes: they are exported whoever asks, as `client show` shows them to the desk.

Notes: without `private_reader` only notes that are not private are exported, whoever asks (a
manager included). With it, the reader must hold `notes.private.export` (owner or manager, PIN
checked by the caller) and gets the notes `client_notes.readable_clause` lets them read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.days import business_date, day_bounds
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Client, ClientNote, ClientPreferredStaff, Staff
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.clients.notes import readable_clause
from salon_cli.services.clients.profiles import tags_of
from salon_cli.services.clients.views import visit_stats
from salon_cli.services.salon.locations import LocationView

COLUMNS = ["id", "first_name", "last_name", "phone", "email", "birthday", "tags", "no_show_count",
           "deposit_required", "gender", "marketing_consent", "external_code", "created_at",
           "visits", "total_spent_cents", "first_visit", "last_visit", "notes",
           # the profile's parts (migration 0021), appended: scripts read columns by name, old ones keep their place
           "street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
           "emergency_name", "emergency_phone", "preferred_staff"]
VISIT_COLUMNS = ("visits", "total_spent_cents", "first_visit", "last_visit")  # read-only: an import ignores them
NOTE_FIELDS = ("id", "type", "body", "private", "author", "created_at")
_CLIENT_COLUMNS = [getattr(Client, name) for name in COLUMNS
                   if name not in ("tags", "notes", "preferred_staff", *VISIT_COLUMNS)]


def window(location: LocationView, first: date | None, last: date | None) -> tuple[Any, Any]:
    """`--from D --to D` as instants: [first 00:00, last+1 00:00) in the location's zone."""
    if first and last and first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    start = day_bounds(first, location.tz)[0] if first else None
    end = day_bounds(last, location.tz)[1] if last else None
    return start, end


def clients(
    session: Session,
    *,
    location: LocationView,
    first: date | None = None,
    last: date | None = None,
    private_reader: Actor | None = None,
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Live clients created in the window (every one without it), by id: one dict each with `COLUMNS`;
    `notes` is a list of dicts with `NOTE_FIELDS`, newest first; `preferred_staff` a list of staff
    codes, first first."""
    if private_reader is not None:
        authorize(private_reader, Permission.notes_private_export)
    notes_clause = readable_clause(private_reader) if private_reader is not None else ~col(ClientNote.private)
    start, end = window(location, first, last)
    query = sa.select(*_CLIENT_COLUMNS).where(col(Client.merged_into_id).is_(None))
    if start is not None:
        query = query.where(col(Client.created_at) >= start)
    if end is not None:
        query = query.where(col(Client.created_at) < end)
    query = query.order_by(col(Client.id)).execution_options(yield_per=batch)
    result = session.execute(query)
    try:
        for part in result.partitions():
            ids = [row.id for row in part]
            tags = tags_of(session, ids)
            notes = _notes(session, ids, notes_clause)
            preferred = _preferred_staff(session, ids)
            visits = _visits(session, location, ids)
            for row in part:
                record = dict(row._mapping)
                record["tags"] = list(tags.get(row.id, ()))
                record["notes"] = notes.get(row.id, [])
                record["preferred_staff"] = preferred.get(row.id, [])
                record.update(visits.get(row.id) or _NEVER)
                yield {name: record[name] for name in COLUMNS}
    finally:
        result.close()


_NEVER = {"visits": 0, "total_spent_cents": 0, "first_visit": None, "last_visit": None}


def _visits(session: Session, location: LocationView, client_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The batch's visit figures at the location, in one query (clients who never came left out)."""
    stats = visit_stats(location.id, list(client_ids))
    tz = location.tz
    return {int(cid): {"visits": int(visits or 0), "total_spent_cents": int(spent or 0),
                       "first_visit": business_date(first, tz) if first else None,
                       "last_visit": business_date(last, tz) if last else None}
            for cid, visits, spent, first, last in session.execute(sa.select(stats))}


def _preferred_staff(session: Session, client_ids: Sequence[int]) -> dict[int, list[str]]:
    """The batch's preferred stylists' codes, in the clients' order (as `client prefs` lists them)."""
    found: dict[int, list[str]] = {}
    query = (sa.select(ClientPreferredStaff.client_id, Staff.code)
             .join(Staff, col(Staff.id) == ClientPreferredStaff.staff_id)
             .where(col(ClientPreferredStaff.client_id).in_(list(client_ids)))
             .order_by(col(ClientPreferredStaff.client_id), col(ClientPreferredStaff.position),
                       col(ClientPreferredStaff.staff_id)))
    for client_id, code in session.execute(query):
        found.setdefault(client_id, []).append(code)
    return found


def _notes(session: Session, client_ids: Sequence[int], clause: Any) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    query = (
        sa.select(ClientNote.id, ClientNote.client_id, ClientNote.type, ClientNote.body, ClientNote.private,
                  Staff.code, ClientNote.created_at)
        .outerjoin(Staff, col(Staff.id) == ClientNote.author_id)
        .where(col(ClientNote.client_id).in_(list(client_ids)), clause)
        .order_by(col(ClientNote.client_id), col(ClientNote.created_at).desc(), col(ClientNote.id).desc())
    )
    for note_id, client_id, kind, body, private, author, created_at in session.execute(query):
        found.setdefault(client_id, []).append({"id": note_id, "type": kind, "body": body, "private": private,
                                                "author": author or "system", "created_at": created_at})
    return found


def notes_cell(notes: Sequence[dict[str, Any]]) -> str:
    """The notes in one CSV cell: 'type: body' (private ones marked), joined with ' | '."""
    return " | ".join(f"{n['type']}{' (private)' if n['private'] else ''}: {n['body']}" for n in notes)
