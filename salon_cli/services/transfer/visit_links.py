"""An imported receipt joined to the imported visit it paid for.

Another system's receipts and bookings come in as two files, and nothing in them says which receipt
paid which booking: the sale comes in with no appointment. Left so, a client's figures count that
visit twice (the appointment's price as a visit, the receipt as a purchase: `clients.views.visit_facts`).
`link_visits` sets each such sale's `appointment_id`, by the salon's own reading of the two files:

- the sale: imported (`external_id`), kept (paid, partly or wholly refunded), with a client, no
  appointment yet;
- its visit: a completed appointment of the same client at the same location, on the sale's business
  day (the location's clock), with no live sale of its own (imported or not: a bookings file without
  references can bring visits without an `external_id`);
- when a day of one client holds several of either, the pairs whose stylist did a line of the sale
  come first, then the closest start to the sale's time, then the lower ids: one sale per appointment,
  one appointment per sale, the same links whatever order the files came in.

The ids given only say whose days to look at (the clients of those sales or appointments); the rule
is the same for every day it reads, so a second call links nothing twice. Everything is read and
written in batches, in the caller's transaction: three queries per 500 clients (past 2,000 clients,
one read of the location's waiting receipts and its free visits), one update for all the links, and
one audit row per link (`sale.link_visit`, its appointment before and after). A day closed since does
not stop it: the link moves no money, it says which visit the money was for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.days import day_bounds, zone
from salon_cli.db.models import Appointment, Location, Sale, SaleLine
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import SYSTEM, Actor

KEPT = ("paid", "partially_refunded", "refunded")  # the statuses `visit_facts` counts as money kept
_CHUNK, _FEW = 500, 2_000


@dataclass
class _Receipt:
    id: int
    at: datetime
    staff: set[int]


@dataclass(frozen=True)
class _Visit:
    id: int
    starts_at: datetime
    staff_id: int


def link_visits(session: Session, location_id: int, *, sale_ids: Sequence[int] | None = None,
                appointment_ids: Sequence[int] | None = None, actor: Actor = SYSTEM) -> int:
    """Link the imported sales of `location_id` that have no appointment to their visits (see the
    module); the number of sales linked. With neither `sale_ids` nor `appointment_ids`, every client of
    the location; else the clients of the sales and appointments given (an import passes the ones it
    wrote)."""
    tz = zone(session.get_one(Location, location_id).timezone)
    day_start = cache(lambda day: day_bounds(day, tz)[0])
    clients = None
    if sale_ids is not None or appointment_ids is not None:
        clients = _clients_of(session, Sale, sale_ids or ()) | _clients_of(session, Appointment, appointment_ids or ())
        if not clients:
            return 0
    # a few clients are read by their index, batch by batch; many, in one read of the location's waiting receipts
    passes: list[list[int] | None] = _chunks(clients) if clients is not None and len(clients) <= _FEW else [None]
    links: list[tuple[int, int]] = []
    for part in passes:
        receipts = _receipts(session, location_id, part)
        if part is None and clients is not None:
            receipts = {key: found for key, found in receipts.items() if key[0] in clients}
        if receipts:
            days = [day for _, day in receipts]
            links += _match(receipts, _visits(session, location_id, part, min(days), max(days), day_start))
    if links:
        _write(session, location_id, actor, links)
    return len(links)


def _chunks(values: Iterable[int]) -> list[list[int]]:
    items = sorted(set(values))
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _clients_of(session: Session, model: Any, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for part in _chunks(ids):
        found.update(session.execute(sa.select(model.client_id).where(
            model.id.in_(part), model.client_id.is_not(None))).scalars())
    return found


def _receipts(session: Session, location_id: int, clients: list[int] | None) -> dict[tuple[int, date], list[_Receipt]]:
    """The sales waiting for their visit (of `clients`, else of the whole location), by (client,
    business day), with the staff of their lines."""
    query = sa.select(col(Sale.id), col(Sale.client_id), col(Sale.business_date), col(Sale.paid_at),
                      col(Sale.created_at), col(Sale.external_id), col(Sale.appointment_id)).where(
        col(Sale.location_id) == location_id, col(Sale.status).in_(KEPT))
    waiting = [col(Sale.external_id).is_not(None), col(Sale.appointment_id).is_(None), col(Sale.client_id).is_not(None)]
    # a batch of clients: only what their index finds (SQLite would take the external ids' index and
    # read the location's every receipt for each batch), the rest sorted out here
    query = query.where(*waiting) if clients is None else query.where(col(Sale.client_id).in_(clients))
    found: dict[int, _Receipt] = {}
    days: dict[tuple[int, date], list[_Receipt]] = defaultdict(list)
    for sid, cid, day, paid_at, created_at, external, linked in session.execute(query):
        if external is not None and linked is None and cid is not None:
            found[sid] = _Receipt(sid, paid_at or created_at, set())
            days[(cid, day)].append(found[sid])
    lines = sa.select(col(SaleLine.sale_id), col(SaleLine.staff_id)).where(col(SaleLine.staff_id).is_not(None))
    if clients is None:
        reads = [lines.join(Sale, col(Sale.id) == SaleLine.sale_id).where(
            col(Sale.location_id) == location_id, col(Sale.status).in_(KEPT), *waiting)]
    else:
        reads = [lines.where(col(SaleLine.sale_id).in_(part)) for part in _chunks(found)]
    for read in reads:
        for sid, staff_id in session.execute(read):
            found[sid].staff.add(staff_id)
    return days


def _write(session: Session, location_id: int, actor: Actor, links: list[tuple[int, int]]) -> None:
    """The links, in one statement on PostgreSQL (60,000 single-row updates are seconds of round trips
    there), as one batch of updates on SQLite; one audit row each."""
    now = clock.now()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(
            "UPDATE sale SET appointment_id = link.appointment_id, updated_at = :now "
            "FROM unnest(CAST(:sales AS bigint[]), CAST(:appointments AS bigint[])) AS link(sale_id, appointment_id) "
            "WHERE sale.id = link.sale_id AND sale.appointment_id IS NULL"),
            {"now": now, "sales": [s for s, _ in links], "appointments": [a for _, a in links]})
    else:
        table = Sale.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("b_sale"), table.c.appointment_id.is_(None))
            .values(appointment_id=sa.bindparam("b_appt"), updated_at=now),
            [{"b_sale": sid, "b_appt": aid} for sid, aid in links])
    audit.record_many(session, actor=actor, location_id=location_id, rows=(
        ("sale.link_visit", "sale", sid, {"appointment_id": None}, {"appointment_id": aid}) for sid, aid in links))


def _visits(session: Session, location_id: int, clients: list[int] | None, first: date, last: date,
            day_start: Callable[[date], datetime]) -> dict[tuple[int, date], list[_Visit]]:
    """Completed appointments on business days `first..last` with no live sale, by (client, business day)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 2)]
    starts = [day_start(day) for day in days]  # an instant's day by bisection, not a zone sum per row
    live = sa.select(sa.literal(1)).where(col(Sale.appointment_id) == Appointment.id, col(Sale.status) != "void")
    query = sa.select(col(Appointment.id), col(Appointment.client_id), col(Appointment.staff_id),
                      col(Appointment.starts_at)).where(
        col(Appointment.location_id) == location_id, col(Appointment.status) == "completed",
        col(Appointment.client_id).is_not(None), col(Appointment.starts_at) >= starts[0],
        col(Appointment.starts_at) < starts[-1], ~live.exists())
    if clients is not None:
        query = query.where(col(Appointment.client_id).in_(clients))
    found: dict[tuple[int, date], list[_Visit]] = defaultdict(list)
    for aid, cid, staff_id, at in session.execute(query):
        found[(cid, days[bisect_right(starts, at) - 1])].append(_Visit(aid, at, staff_id))
    return found


def _match(receipts: dict[tuple[int, date], list[_Receipt]],
           visits: dict[tuple[int, date], list[_Visit]]) -> list[tuple[int, int]]:
    """(sale id, appointment id) pairs, day by day: every pair of a day ranked (the stylist did a line
    of the sale, then the distance between the sale's time and the start, then the ids) and taken in
    that order while both are free; every sale of a day finds a visit while the day has one left."""
    links = []
    for key in sorted(receipts.keys() & visits.keys()):
        ranked = sorted((v.staff_id not in r.staff, abs(v.starts_at - r.at), r.id, v.id)
                        for r in receipts[key] for v in visits[key])
        sold, seen = set(), set()
        for _, _, sid, aid in ranked:
            if sid not in sold and aid not in seen:
                sold.add(sid)
                seen.add(aid)
                links.append((sid, aid))
    return links
