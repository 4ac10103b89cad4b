"""`salon import appointments`: a CSV file of appointments (history or future), or another system's
no-show or cancellation report, in, all or nothing.

Every row is checked first and every fault is named by row and column; one fault refuses the file
and nothing is written (DESIGN.md rule 8). Otherwise the new appointments, their items, and one
`appointment.import` audit row each, the bookings the file changes (`appointment.import_update`) and
one `appointment.import_file` row with the counts are written in the caller's transaction, as
batched inserts; look-ups are batched too (100,000 rows).

- client: by external code, id, phone or e-mail, tried in that order (so a number that is another
  system's client code finds that client, never ours of that id). Our own export names it by
  `client_phone`, `client_email`, then `client_id` (its `client` is a name, read only when those are
  empty). Only a `booked` row needs a client. With `create_missing`, a client named only by a code
  is created from it (`client_codes`). Services and staff: `appt_import_refs` (a combined service
  `CUT+2` matched whole first, then by its parts).
- date and time on the location's clock (strftime patterns; a time a DST change skips moves
  forward, RFC 5545), or `starts_at`/`ends_at` in ISO-8601. status: ours or other systems' words
  (`confirmed`, `done`, `canceled`, `no-show`, ...); `status` (`--status`) for every row whose cell is
  empty; none at all: a past row is `completed`, a future one `booked` (the dry run says so).
  `created` (when the booking was made; a date or date and time) is its `created_at`, else the
  import's moment. A no-show or cancellation may come without time, staff or service: `appt_reports`
  finds its booking by client and day, and a row whose booking is here with another status updates it.
- Imported no-shows make no penalty (any fee belonged to the other system) but do count in the
  client's `no_show_count`, flagging `deposit_required` past the policy's threshold: the count stays
  honest. A booked, checked-in or in-service row holding a time its staff member already holds (here
  or in the file) is a fault unless `allow_overlap`; history rows are not checked.
- Nothing twice: a row whose `external_id` is here already, or without one whose client, staff and
  start are, is `unchanged` (or, its status later than ours, `updated`). The same `external_id` (or
  client, staff and start) twice in the file is a fault.
- `keep_ids`: a file of our own export keeps its ids (`appt_import_kept`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.permissions import Permission
from salon_cli.db.bulk import analyze
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Client, Penalty
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow
from salon_cli.services.book import views as book
from salon_cli.services.book.appointments import MAX_MINUTES
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer import appt_reports as reports
from salon_cli.services.transfer.appt_import_kept import kept_ids, read_kept
from salon_cli.services.transfer.appt_import_refs import _create_missing, _free, resolve_refs
from salon_cli.services.transfer.appt_import_rows import (DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, EXPORTED, FIELDS,
                                                          Formats, Ref, Row, check_columns, check_formats, check_row,
                                                          check_status, formats, read)
from salon_cli.services.transfer.appt_import_write import write
from salon_cli.services.transfer.client_codes import NewClients, create_clients, find_clients
from salon_cli.services.transfer.imports import (Created, ImportSummary, Outcome, Planned, Progress, quietly, run_import,
                                                 settings_of, ticking)
from salon_cli.services.transfer.visit_links import link_visits

__all__ = ["DEFAULT_DATE_FORMAT", "DEFAULT_TIME_FORMAT", "FIELDS", "BookingOutcome", "Created", "Outcome",
           "check_formats", "import_appointments", "read",
           "_create_missing", "_free", "_resolve_clients"]  # the last three: `sale_import` shares them

ACTIVE = ("booked", "checked_in", "in_service")  # rows checked for double bookings
_CHUNK, _WRITE_CHUNK = 500, 5000


@dataclass(frozen=True)
class BookingOutcome(Outcome):
    """An appointments import's outcome; `updated`: the rows that changed a booking here (a status
    later in the visit's life, a cancellation's details), not counted in `summary.unchanged`."""

    updated: int = 0


def import_appointments(
    session: Session, *, actor: Actor, location: LocationView, rows: Sequence[SourceRow],
    date_format: str | None = None, time_format: str | None = None, create_missing: bool = False,
    allow_overlap: bool = False, decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False,
    keep_ids: bool = False, source: str | None = None, progress: Progress = quietly, status: str | None = None,
) -> Outcome:
    """Check every row, then (unless `dry_run`) write the new appointments and the changed ones.
    Raises `ImportRefused` (exit 2) naming every row and column at fault; the caller's transaction is
    then left unwritten. With `skip_bad` the rows at fault are left out (`Outcome.refused`) and the
    rest imported. Dates and times are read with the given patterns, else those the columns show
    (ambiguity refused). `keep_ids`: new appointments (and their penalties) take the file's ids.
    `status`: every row's status where its cell is empty (a cell that disagrees is a fault).
    `create_missing` (a manager): unknown services, staff and clients named by a code are created."""
    authorize(actor, Permission.desk)
    if create_missing:
        authorize(actor, Permission.service_manage)
        authorize(actor, Permission.staff_manage)
    status = check_status(status)
    shape = formats(rows, date_format, time_format, decimal)
    check_columns(rows, status, shape)
    return run_import(lambda part: _import(session, actor, location, part, shape, create_missing, allow_overlap,
                                           dry_run, keep_ids, source, progress, status),
                      rows, skip_bad=skip_bad, dry_run=dry_run, settings=settings_of(shape, rows, status=status))


def _resolve_clients(session: Session, rows: Sequence[Any]) -> list[Fault]:
    """Each row's client (no client created): `client_codes.find_clients`' faults."""
    return find_clients(session, rows)[0]


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], shape: Formats,
            create_missing: bool, allow_overlap: bool, dry_run: bool, keep_ids: bool, source: str | None,
            progress: Progress, status: str | None) -> Outcome:
    faults: list[Fault] = []
    good: list[Row] = []
    tick = ticking(progress, "checking", len(rows))
    for done, source_row in enumerate(rows, 1):
        row = check_row(source_row, location, shape, faults, status)
        if row is not None and keep_ids and not read_kept(row, faults):
            row = None
        good += [row] if row is not None else []
        tick(done)
    missing: dict[tuple[str, str], Ref] = {}
    faults += resolve_refs(session, location, good, create_missing, missing)
    client_faults, clients = find_clients(session, good, create_missing=create_missing)
    faults += client_faults
    good = [r for r in good if r.by_day or (r.staff is not None and r.services)]
    timed = [r for r in good if not r.by_day]
    faults += [f for r in timed for f in _finish(r)]
    faults += _duplicates_in_file(timed + [r for r in good if r.by_day and r.external_id])
    if not dry_run and session.get_bind().dialect.name == "postgresql":
        # one import or booking at a time while we check and write (SQLite's write lock does this)
        session.execute(sa.text("LOCK TABLE appointment IN SHARE ROW EXCLUSIVE MODE"))
    here = _existing(session, location, good)
    if keep_ids:
        faults += kept_ids(session, location, good, here)
    new = [r for r in timed if r.number not in here]
    bookings: dict[int, reports.Booking] = {}
    reports.read_bookings(session, set(here.values()), bookings)
    by_day = [r for r in good if r.by_day and r.number not in here]
    pairs, placed, day_faults = reports.find_by_day(session, location, by_day, new, bookings)
    faults += day_faults + reports.place(session, location, placed)
    placed = [r for r in placed if r.starts_at is not None and r.staff is not None and r.services]
    faults += [f for r in placed for f in _finish(r)]
    new += placed
    if not allow_overlap:
        faults += _overlaps(session, location, new)
    met = [(r, bookings[here[r.number]]) for r in good if r.number in here]
    settled = reports.settle(session, location, met + pairs)
    faults += settled.faults
    if faults:
        order = FIELDS + EXPORTED
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0,
                                                          order.index(f.column) if f.column in order else -1)))
    updated = sum(1 for action, _ in settled.actions.values() if action == "update")
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new) - updated,
                            dry_run=dry_run)
    used = {id(ref) for row in new for ref in (row.staff, *row.services)}
    missing = {key: ref for key, ref in missing.items() if id(ref) in used}
    clients = clients.used_by(new)
    if dry_run:
        at = {r.number: t for r, t in pairs}
        return BookingOutcome(summary, tuple(Created(kind, ref.code, ref.name) for (kind, _), ref in missing.items())
                              + clients.planned(), plan=tuple(_planned(r, location, here, at, settled, clients)
                                                              for r in good), updated=updated)
    made = _create_missing(session, actor, location, missing)
    made += create_clients(session, actor=actor, location=location, new=clients)
    written: list[int] = []
    for start in range(0, len(new), _WRITE_CHUNK):
        progress("writing", start, len(new))
        written += write(session, actor, location, new[start:start + _WRITE_CHUNK], keep_ids)
    progress("writing", len(new), len(new))
    reports.write_changes(session, actor, location, list(settled.changes.values()))
    if not keep_ids:  # a visit and the receipt that paid it, whichever file came first (our own export keeps its links)
        link_visits(session, location.id, appointment_ids=written + list(settled.changes), actor=actor)
    analyze(session, len(new), Appointment, AppointmentItem, Penalty, AuditLog, *([Client] if clients else []))
    audit.record(session, actor=actor, action="appointment.import_file", entity="appointment", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        **({"updated": updated} if updated else {}),
                        "source": source, "created_missing": [f"{c.kind}:{c.code}" for c in made]},
                 location_id=location.id)
    return BookingOutcome(summary, tuple(made), updated=updated)


def _planned(row: Row, location: LocationView, here: dict[int, int], at: dict[int, Any], settled: reports.Settled,
             clients: NewClients) -> Planned:
    """A row's line in the dry run's plan: create, update or match, and why where the file did not say."""
    target = at.get(row.number)
    existing = here.get(row.number) or (target.id if isinstance(target, reports.Booking) else None)
    when = row.starts_at or (target.starts_at if target is not None else None)
    if row.number in settled.actions:
        action, reason = settled.actions[row.number]
        return Planned(row.number, action, _label(row, location, clients, when), existing, reason)
    if existing is None and target is None:
        return Planned(row.number, "create", _label(row, location, clients, when),
                       reason=row.status_note or row.placed)
    return Planned(row.number, "match", _label(row, location, clients, when), existing)


def _label(row: Row, location: LocationView, clients: NewClients, when: datetime | None = None) -> str:
    """A row in a few words: when, who with whom, what."""
    staff = row.staff.code if row.staff is not None else "?"
    code = clients.code_of(row.client_id)
    given = " ".join(row.values.get(row.client_column, "").split())  # the file's own name for the client
    client = (f"new client {code}" if code else f"client {given or row.client_id}" if row.client_id
              else "no client")
    services = "+".join(s.code for s in row.services) or "?"
    day = f"{when.astimezone(location.tz):%Y-%m-%d %H:%M}" if when else f"{row.day} (no time)"
    return f"{day} {staff} {services} ({client}, {row.status})"


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _finish(row: Row) -> list[Fault]:
    """Length, end and price from the services; the rules that need them."""
    faults: list[Fault] = []
    row.duration = row.duration or sum(s.duration_min for s in row.services)
    if row.duration > MAX_MINUTES:
        faults.append(Fault(row.number, "duration_min", f"{row.duration} minutes is longer than an appointment may be"))
    row.ends_at = row.starts_at + timedelta(minutes=row.duration)
    row.price = row.price if row.price is not None else sum(s.price_cents for s in row.services)
    if row.deposit[1] > row.price:
        faults.append(Fault(row.number, row.deposit[0], "the deposit is more than the price"))
    if row.client_id is None and row.status == "booked" and not row.clients:
        faults.append(Fault(row.number, row.client_column, "a booked appointment needs a client"))
    if row.status in ACTIVE and row.staff is not None and not row.staff.active:
        faults.append(Fault(row.number, "staff", f"staff member {row.staff.code} is deactivated"))
    if row.status in ACTIVE:
        faults += [Fault(row.number, row.service_column, f"service {s.code} is no longer offered")
                   for s in row.services if not s.active]
    return faults


def _duplicates_in_file(rows: Sequence[Row]) -> list[Fault]:
    faults: list[Fault] = []
    seen: dict[Any, int] = {}
    for row in rows:
        column, key = ("external_id", row.external_id) if row.external_id else \
            (row.time_column, (row.client_id, id(row.staff), row.starts_at))
        first = seen.setdefault((column, key), row.number)
        if first != row.number:
            what = f"external id {row.external_id}" if row.external_id else "the same client, staff member and start"
            faults.append(Fault(row.number, column, f"{what} is also on row {first} of this file"))
    return faults


# ----------------------------------------------------------------------------- what is here already

def _existing(session: Session, location: LocationView, rows: Sequence[Row]) -> dict[int, int]:
    """The rows already here (row number -> appointment id): by external id, else by client, staff
    member and start."""
    here: dict[int, int] = {}
    by_external = {r.external_id: r.number for r in rows if r.external_id}
    for chunk in _chunks(by_external):
        query = sa.select(col(Appointment.external_id), col(Appointment.id)).where(
            Appointment.location_id == location.id, col(Appointment.external_id).in_(chunk))
        here.update((by_external[e], appt_id) for e, appt_id in session.execute(query))
    by_key = {(r.client_id, r.staff.id, r.starts_at): r.number for r in rows
              if not r.external_id and r.staff is not None and r.staff.id is not None and r.starts_at is not None}
    for chunk in _chunks(k[2] for k in by_key):
        query = sa.select(col(Appointment.client_id), col(Appointment.staff_id), col(Appointment.starts_at),
                          col(Appointment.id)).where(Appointment.location_id == location.id,
                                                     col(Appointment.starts_at).in_(chunk))
        for client_id, staff_id, starts, appt_id in session.execute(query):
            if (client_id, staff_id, starts) in by_key:
                here.setdefault(by_key[(client_id, staff_id, starts)], appt_id)
    return here


def _overlaps(session: Session, location: LocationView, new: Sequence[Row]) -> list[Fault]:
    """Faults for new booked, checked-in or in-service rows that hold a time their staff member
    already holds: an appointment here (at any location: staff work the chain) or another new row."""
    active = [r for r in new if r.status in ACTIVE]
    if not active:
        return []
    tz, reach = location.tz, timedelta(minutes=MAX_MINUTES)
    held: dict[int, list[tuple[datetime, datetime, str, int]]] = {}
    for r in new:
        if r.status in book.OCCUPYING and r.ends_at is not None:
            held.setdefault(id(r.staff), []).append((r.starts_at, r.ends_at, f"row {r.number} of this file", r.number))
    members = {r.staff.id: r.staff for r in active if r.staff is not None and r.staff.id is not None}
    lo, hi = min(r.starts_at for r in active) - reach, max(r.ends_at or r.starts_at for r in active)
    for chunk in _chunks(members):
        query = sa.select(col(Appointment.id), col(Appointment.staff_id), col(Appointment.starts_at),
                          col(Appointment.ends_at), col(Appointment.external_id)).where(
            col(Appointment.staff_id).in_(chunk), col(Appointment.status).in_(book.OCCUPYING),
            col(Appointment.starts_at) > lo, col(Appointment.starts_at) < hi)
        for appt_id, staff_id, starts, ends, ref in session.execute(query):  # named as the source named it
            what = f"booking {ref}" if ref else f"appointment {appt_id}"
            held.setdefault(id(members[staff_id]), []).append((starts, ends, what, 0))
    starts_of: dict[int, list[datetime]] = {}
    for key, spans in held.items():
        spans.sort()
        starts_of[key] = [s[0] for s in spans]
    faults: list[Fault] = []
    for r in active:
        spans, starts = held.get(id(r.staff), []), starts_of.get(id(r.staff), [])
        window = spans[bisect.bisect_right(starts, r.starts_at - reach):bisect.bisect_left(starts, r.ends_at)]
        clash = next((s for s in window if s[3] != r.number and s[1] > r.starts_at), None)
        if clash is not None and r.staff is not None:
            faults.append(Fault(r.number, r.time_column, f"{r.staff.code} is already booked "
                                f"{clash[0].astimezone(tz):%Y-%m-%d %H:%M}-{clash[1].astimezone(tz):%H:%M} "
                                f"({clash[2]}); --allow-overlap imports it anyway"))
    return faults
