"""`keep_ids` for `import appointments`: a file of our own export, moved from one salon database to
another. Each new appointment takes the row's `id`, and a no-show or late cancel its penalty
(`penalty_id`, `penalty_status`, `penalty_cents`), so that sales and penalties keep pointing at them.
An id taken by another appointment (or penalty) is a fault; a row already here must be that id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput
from salon_cli.db.bulk import insert_with_ids, taken_ids
from salon_cli.db.models import PENALTY_STATUSES, Appointment, Penalty
from salon_cli.io.tabular import Fault
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import Row
from salon_cli.services.transfer.imports import record_id

PENALISED = {"no_show": "no_show", "late_cancelled": "late_cancel"}  # appointment status -> penalty kind
_CHUNK = 500


def read_kept(row: Row, faults: list[Fault]) -> bool:
    """The row's own id and its penalty, as our export writes them; False on a fault."""
    before, v = len(faults), row.values

    def read(column: str, fn: Any) -> Any:
        try:
            return fn(v.get(column, "").strip())
        except InvalidInput as exc:
            faults.append(Fault(row.number, column, exc.message))
            return None

    row.kept_id = read("id", lambda t: record_id(t, "appointment"))
    given = {c: v.get(c, "").strip() for c in ("penalty_id", "penalty_status", "penalty_cents")}
    if any(given.values()):
        penalty_id = read("penalty_id", lambda t: record_id(t, "penalty"))
        status = given["penalty_status"]
        if status not in PENALTY_STATUSES:
            faults.append(Fault(row.number, "penalty_status", f"penalty status {status!r} is not one of "
                                f"{', '.join(PENALTY_STATUSES)}"))
        cents = given["penalty_cents"]
        if not cents.isdigit() or int(cents) <= 0:
            faults.append(Fault(row.number, "penalty_cents", f"penalty_cents {cents!r} is not a positive whole number"))
        if row.status not in PENALISED:
            faults.append(Fault(row.number, "penalty_id", f"a {row.status} appointment has no penalty "
                                "(only no-shows and late cancels)"))
        if len(faults) == before and penalty_id is not None:
            row.penalty = (penalty_id, status, int(cents))
    return len(faults) == before


def kept_ids(session: Session, location: LocationView, rows: Sequence[Row], here: dict[int, int]) -> list[Fault]:
    """A row already here must be that id; a new row's id, and its penalty's, must be free. A row whose
    id is an appointment here at the same place, staff member and start is here already."""
    faults: list[Fault] = []
    first: dict[tuple[str, int], int] = {}
    for r in rows:
        for column, value in (("id", r.kept_id), ("penalty_id", r.penalty[0] if r.penalty else None)):
            if value is not None and first.setdefault((column, value), r.number) != r.number:
                faults.append(Fault(r.number, column, f"{column} {value} is also on row {first[(column, value)]} "
                                    "of this file"))
    found: dict[int, tuple[int, int | None, datetime]] = {}
    wanted = sorted({r.kept_id for r in rows if r.kept_id is not None})
    for start in range(0, len(wanted), _CHUNK):
        query = sa.select(col(Appointment.id), col(Appointment.location_id), col(Appointment.staff_id),
                          col(Appointment.starts_at)).where(col(Appointment.id).in_(wanted[start:start + _CHUNK]))
        found.update((appt_id, (loc, staff, starts)) for appt_id, loc, staff, starts in session.execute(query))
    for r in rows:
        if r.kept_id is None:
            continue
        if r.number in here:
            if here[r.number] != r.kept_id:
                faults.append(Fault(r.number, "id", f"this row is appointment {here[r.number]} here, not {r.kept_id}: "
                                    "with --keep-ids the ids must agree"))
        elif r.kept_id in found:
            if found[r.kept_id] == (location.id, r.staff.id if r.staff else None, r.starts_at):
                here[r.number] = r.kept_id
            else:
                faults.append(Fault(r.number, "id", f"id {r.kept_id} is taken here by another appointment"))
    penalties = {r.penalty[0]: r for r in rows if r.penalty is not None and r.number not in here}
    faults += [Fault(penalties[p].number, "penalty_id", f"penalty {p} is taken here by another appointment's")
               for p in sorted(taken_ids(session, Penalty, penalties))]
    return faults


def write_penalties(session: Session, actor: Actor, location: LocationView, kept: list[tuple[int, Row]]) -> None:
    """The penalties of our own export's no-shows and late cancels, with their ids, amounts and
    statuses (how one was paid or waived is not in the file: `reason` says it was imported)."""
    if not kept:
        return
    now = clock.now()
    values = [{"location_id": location.id, "appointment_id": appt_id, "client_id": r.client_id,
               "kind": PENALISED[r.status], "amount_cents": r.penalty[2], "status": r.penalty[1],
               "reason": f"imported: {r.status.replace('_', '-')} "
                         f"{r.starts_at.astimezone(location.tz):%Y-%m-%d %H:%M}" if r.starts_at else "imported",
               "created_at": now, "created_by_id": actor.id}
              for appt_id, r in kept if r.penalty is not None]
    ids = insert_with_ids(session, Penalty, values, [r.penalty[0] for _, r in kept if r.penalty is not None])
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("penalty.import", "penalty", pid, None, {**{k: x for k, x in v.items() if k != "created_at"}, "id": pid})
        for pid, v in zip(ids, values, strict=True)))
