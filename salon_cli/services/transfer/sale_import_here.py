"""Which receipts of a sales file are here already, and (`--keep-ids`) whether the ids a file keeps are free.

Nothing twice: a receipt whose key is a sale's `external_id` at the location is here (`unchanged`,
not compared). A sale of our own export keyed `LOCATION:ID` (no external id: made at our desk) is here
when this location's sale ID has that day and total. Returns (receipts giving money back) are found
by their refunds' reason (`sale_import_returns.here`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.db.models import Appointment, Sale
from salon_cli.io.tabular import Fault
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.sale_import_receipts import Receipt

_CHUNK = 500


def chunks(values: Any) -> Any:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def existing(session: Session, location: LocationView, receipts: Sequence[Receipt]) -> set[str]:
    """Receipts here already: by external id; a row of our own export also by its sale, day and total."""
    here: set[str] = set()
    for chunk in chunks(r.key for r in receipts if not r.gives_back):
        query = sa.select(col(Sale.external_id)).where(Sale.location_id == location.id,
                                                       col(Sale.external_id).in_(chunk))
        here.update(session.execute(query).scalars())
    ours = {r.first.figures["sale_id"]: r for r in receipts
            if r.first.figures and r.first.receipt_column == "id" and r.first.figures["location"] == location.code}
    ours.update((sale_id, r) for r in receipts if r.first.figures is None and not r.gives_back
                and (sale_id := desk_sale(r.key, location)) is not None)
    for chunk in chunks(ours):
        query = sa.select(col(Sale.id), col(Sale.business_date), col(Sale.total_cents)).where(
            Sale.location_id == location.id, col(Sale.id).in_(chunk), col(Sale.external_id).is_(None))
        for sale_id, day, total in session.execute(query):
            if (ours[sale_id].first.day, ours[sale_id].total) == (day, total):
                here.add(ours[sale_id].key)
    return here


def desk_sale(key: str, location: LocationView) -> int | None:
    """The id in `LOCATION:ID`, how our exports key a sale made at this location's desk; else None."""
    place, colon, number = key.rpartition(":")
    return int(number) if colon and place == location.code and number.isdigit() and int(number) < 2**31 else None


def kept_ids(session: Session, location: LocationView, receipts: Sequence[Receipt], here: set[str]) -> list[Fault]:
    """`keep_ids`: every receipt is a sale of our export whose id is free here (or is this very sale:
    then it is here already), and a new sale's appointment is here with no other live sale."""
    faults: list[Fault] = []
    ours = [r for r in receipts if r.first.figures is not None and r.first.figures["sale_id"] is not None]
    faults += [Fault(r.first.number, "id", "--keep-ids keeps the ids of a file from salon export sales")
               for r in receipts if r not in ours]
    first: dict[int, int] = {}
    for r in ours:
        kept = (r.first.figures or {})["sale_id"]
        if first.setdefault(kept, r.first.number) != r.first.number:
            faults.append(Fault(r.first.number, "id", f"sale {kept} is also on row {first[kept]} of this file"))
    found: dict[int, tuple[int, Any, int, str | None]] = {}
    for chunk in chunks(r.first.figures["sale_id"] for r in ours if r.first.figures):
        query = sa.select(col(Sale.id), col(Sale.location_id), col(Sale.business_date), col(Sale.total_cents),
                          col(Sale.external_id)).where(col(Sale.id).in_(chunk))
        found.update((sid, (loc, day, total, ext)) for sid, loc, day, total, ext in session.execute(query))
    for r in ours:
        fig = r.first.figures or {}
        kept = fig["sale_id"]
        if kept in found:
            if found[kept] == (location.id, r.first.day, r.first.total, fig["external_id"]):
                here.add(r.key)
            else:
                faults.append(Fault(r.first.number, "id", f"id {kept} is taken here by another sale"))
        elif r.key in here:
            faults.append(Fault(r.first.number, r.first.receipt_column, f"receipt {r.key} is here already as another "
                                f"sale, not {kept}: with --keep-ids the ids must agree"))
    linked = {(r.first.figures or {})["appointment_id"]: r for r in ours if r.key not in here
              and (r.first.figures or {}).get("appointment_id") is not None and r.first.figures["status"] != "void"}
    appointments: dict[int, tuple[int, int | None]] = {}
    live: dict[int, int] = {}
    for chunk in chunks(linked):
        query = sa.select(col(Appointment.id), col(Appointment.location_id), col(Appointment.client_id)).where(
            col(Appointment.id).in_(chunk))
        appointments.update((aid, (loc, client)) for aid, loc, client in session.execute(query))
        query = sa.select(col(Sale.appointment_id), col(Sale.id)).where(col(Sale.appointment_id).in_(chunk),
                                                                        col(Sale.status) != "void")
        live.update((aid, sid) for aid, sid in session.execute(query))
    seen: dict[int, int] = {}
    for r in ours:
        aid = (r.first.figures or {}).get("appointment_id")
        if aid is None or r.key in here or r.first.figures["status"] == "void":
            continue
        client = next((x.client_id for x in r.rows if x.client_id), None)
        problem = None
        if appointments.get(aid, (None,))[0] != location.id:
            problem = f"no appointment {aid} at {location.code} (import the appointments first, with --keep-ids)"
        elif aid in live:
            problem = f"appointment {aid} already has sale {live[aid]}"
        elif seen.setdefault(aid, r.first.number) != r.first.number:
            problem = f"appointment {aid} is also on row {seen[aid]} of this file"
        elif client is not None and appointments[aid][1] not in (None, client):
            problem = f"appointment {aid} is client {appointments[aid][1]}'s, not client {client}'s"
        if problem:
            faults.append(Fault(r.first.number, "appointment_id", problem))
    return faults
