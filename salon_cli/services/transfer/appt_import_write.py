"""Writing an appointments file's new rows: appointments, their items, their audit rows, the
no-shows counted on their clients, as batched inserts (no ORM object per row).

History statuses are stamped at the start (completed: checked in at the start, done at the end)
unless the file has the stamps; a cancellation keeps the report's cancel date and who cancelled.
`created_at` is the file's `created` (when the booking was made), else the moment of the import.
Imported no-shows make no penalty (any fee belonged to the other system) but count in the client's
`no_show_count`, flagging `deposit_required` past the policy's threshold: the count stays honest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.db.bulk import insert_plain, insert_with_ids
from salon_cli.db.models import Appointment, AppointmentItem, Client
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.transfer.appt_import_kept import write_penalties
from salon_cli.services.transfer.appt_import_rows import Row

_CHUNK = 500


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """`total` shared in proportion to `weights` (the rest on the last; all on the first if no weight)."""
    whole = sum(weights)
    if len(weights) == 1 or whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    parts = [total * w // whole for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def stamps(status: str, start: datetime, end: datetime | None, given: dict[str, Any]) -> dict[str, Any]:
    """An appointment's stamps for `status`, at the start (completed: at the end), and any the file
    gives (our own export's, a report's cancel date)."""
    made = {"checked_in_at": start if status in ("checked_in", "in_service", "completed") else None,
            "started_at": start if status in ("in_service", "completed") else None,
            "completed_at": end if status == "completed" else None,
            "cancelled_at": start if status in ("cancelled", "late_cancelled") else None,
            "no_show_at": start if status == "no_show" else None}
    return {k: given.get(k) or v for k, v in made.items()}


def _values(row: Row, location: LocationView, actor: Actor, now: datetime) -> dict[str, Any]:
    """The appointment row."""
    start, status, given = row.starts_at, row.status, row.fields
    assert start is not None
    cancelled = status in ("cancelled", "late_cancelled")
    return {"location_id": location.id, "client_id": row.client_id, "staff_id": row.staff and row.staff.id,
            "service_id": row.services[0].id, "starts_at": start, "ends_at": row.ends_at, "status": status,
            "price_cents": row.price, "deposit_cents": row.deposit[1], "walk_in": given["walk_in"],
            **stamps(status, start, row.ends_at, given), "cancel_reason": given["cancel_reason"],
            "cancelled_by": given["cancelled_by"] if cancelled else None,
            "cancelled_by_salon": False, "series_id": None, "external_id": given["external_id"],
            "note": given["note"], "created_at": given.get("created") or now, "created_by_id": actor.id,
            "updated_at": None}


def write(session: Session, actor: Actor, location: LocationView, rows: Sequence[Row],
          keep_ids: bool = False) -> list[int]:
    """Appointments, their items, kept penalties and audit rows as batched inserts; the new ids."""
    if not rows:
        return []
    values = [_values(r, location, actor, clock.now()) for r in rows]
    ids = insert_with_ids(session, Appointment, values, [r.kept_id for r in rows if r.kept_id] if keep_ids else None)
    items = []
    for appt_id, r in zip(ids, rows, strict=True):
        minutes = _split(r.duration or 0, [s.duration_min for s in r.services])
        prices = _split(r.price or 0, [s.price_cents for s in r.services])
        items += [(appt_id, i, s.id, r.staff and r.staff.id, m, p)
                  for i, (s, m, p) in enumerate(zip(r.services, minutes, prices))]
    insert_plain(session, AppointmentItem,
                 ("appointment_id", "position", "service_id", "staff_id", "duration_min", "price_cents"), items)
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("appointment.import", "appointment", appt_id, None,  # empty columns left out: half the size
         {**{k: x for k, x in v.items() if x is not None}, "id": appt_id, "services": [s.code for s in r.services],
          "import_row": r.number})
        for appt_id, v, r in zip(ids, values, rows)))
    count_no_shows(session, actor, location, [r.client_id for r in rows if r.status == "no_show" and r.client_id])
    write_penalties(session, actor, location, [(appt_id, r) for appt_id, r in zip(ids, rows) if r.penalty])
    return list(ids)


def count_no_shows(session: Session, actor: Actor, location: LocationView, client_ids: list[int]) -> None:
    """Imported no-shows count on their clients (no penalty), flagging a deposit past the threshold."""
    per_client = Counter(client_ids)
    threshold = policy_row(session, location).deposit_after_no_shows
    changes: dict[int, tuple[int, bool, int, bool]] = {}
    for chunk in _chunks(per_client):
        query = (select(col(Client.id), col(Client.no_show_count), col(Client.deposit_required))
                 .where(col(Client.id).in_(chunk)).with_for_update())
        for cid, count, flagged in session.exec(query):
            new = count + per_client[cid]
            changes[cid] = (count, flagged, new, flagged or (threshold > 0 and new >= threshold))
    if not changes:
        return
    table = Client.__table__  # type: ignore[attr-defined]
    session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                    .values(no_show_count=sa.bindparam("b_count"), deposit_required=sa.bindparam("b_flag")),
                    [{"b_id": cid, "b_count": c[2], "b_flag": c[3]} for cid, c in changes.items()])
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("client.no_show", "client", cid, {"no_show_count": c[0], "deposit_required": c[1]},
         {"no_show_count": c[2], "deposit_required": c[3], "imported": True}) for cid, c in changes.items()))
