"""`salon import appointments`: a CSV file of appointments (history or future) in, all or nothing.

Every row is checked first and every fault is named by row and column; one fault refuses the file
and nothing is written (DESIGN.md rule 8). Otherwise the new appointments, their items, and one
`appointment.import` audit row each (plus one `appointment.import_file` row with the counts) are
written in the caller's transaction, as batched inserts; look-ups are batched too (100,000 rows).

- client: by external code, id, phone or e-mail, tried in that order (so a number that is another
  system's client code finds that client, never ours of that id). Our own export names it by
  `client_phone`, `client_email`, then `client_id` (its `client` is a name, read only when those are
  empty). Only a `booked` row needs a client. service: id, code or exact name, several joined by
  ';' or '+'; staff: id, code or exact name. Unknown ones are faults, or with `create_missing` (a
  manager) created: services with the row's length and price (else 60 minutes, 0), staff as
  stylists with a random 8-digit PIN that they must change.
- date and time on the location's clock (strftime patterns; a time a DST change skips moves
  forward, RFC 5545), or `starts_at`/`ends_at` in ISO-8601. status: ours or other systems' words
  (`confirmed`, `done`, `canceled`, `no-show`, ...), booked by default. History rows get their
  stamps (checked in at the start, completed at the end, cancelled or no-show at the start) unless
  the file has them. Price (major units) and length default to the services'.
- Imported no-shows make no penalty (any fee belonged to the other system) but do count in the
  client's `no_show_count`, flagging `deposit_required` past the policy's threshold: the count stays
  honest. A booked, checked-in or in-service row holding a time its staff member already holds (here
  or in the file) is a fault unless `allow_overlap`; history rows are not checked.
- Nothing twice: a row whose `external_id` is here already, or without one whose client, staff and
  start are, is `unchanged`. The same `external_id` (or client, staff and start) twice in the file is a fault.
- `keep_ids` (a file of our own export, moved from one salon database to another): each new
  appointment takes the row's `id`, and a no-show or late cancel its penalty (`penalty_id`,
  `penalty_status`, `penalty_cents`), so that sales and penalties keep pointing at them. An id taken
  by another appointment (or penalty) is a fault; a row already here must be that id.
"""

from __future__ import annotations

import bisect
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import NUMERIC_PREFIX, check_code, slug
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.db.bulk import analyze, insert_plain, insert_with_ids, taken_ids
from salon_cli.db.models import (PENALTY_STATUSES, Appointment, AppointmentItem, AuditLog, Client, Penalty, Service,
                                Staff)
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow
from salon_cli.services.salon import audit, catalog
from salon_cli.services.book import views as book
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.book.appointments import MAX_MINUTES
from salon_cli.services.transfer.appt_import_rows import (DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, EXPORTED, FIELDS, Formats,
                                                 Ref, Row, check_formats, check_row, fold, formats, read)
from salon_cli.services.salon.authz import authorize
from salon_cli.services.transfer.imports import (Created, ImportSummary, Outcome, Planned, Progress, quietly, record_id,
                                        run_import, ticking)
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

__all__ = ["DEFAULT_DATE_FORMAT", "DEFAULT_TIME_FORMAT", "FIELDS", "Created", "Outcome", "check_formats",
           "import_appointments", "read"]

ACTIVE = ("booked", "checked_in", "in_service")  # rows checked for double bookings
_CHUNK, _WRITE_CHUNK = 500, 5000


def import_appointments(
    session: Session, *, actor: Actor, location: LocationView, rows: Sequence[SourceRow],
    date_format: str | None = None, time_format: str | None = None, create_missing: bool = False,
    allow_overlap: bool = False, decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False,
    keep_ids: bool = False, source: str | None = None, progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) write the new appointments. Raises `ImportRefused`
    (exit 2) naming every row and column at fault; the caller's transaction is then left unwritten.
    With `skip_bad` the rows at fault are left out (`Outcome.refused`) and the rest imported. Dates
    and times are read with the given patterns, else those the columns show (ambiguity refused).
    `keep_ids`: new appointments (and their penalties) take the file's ids."""
    authorize(actor, Permission.desk)
    if create_missing:
        authorize(actor, Permission.service_manage)
        authorize(actor, Permission.staff_manage)
    shape = formats(rows, date_format, time_format, decimal)
    return run_import(lambda part: _import(session, actor, location, part, shape, create_missing, allow_overlap,
                                           dry_run, keep_ids, source, progress), rows, skip_bad=skip_bad, dry_run=dry_run)


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], shape: Formats,
            create_missing: bool, allow_overlap: bool, dry_run: bool, keep_ids: bool, source: str | None,
            progress: Progress) -> Outcome:
    faults: list[Fault] = []
    good: list[Row] = []
    tick = ticking(progress, "checking", len(rows))
    for done, source_row in enumerate(rows, 1):
        row = check_row(source_row, location, shape, faults)
        if row is not None and keep_ids and not _read_kept(row, faults):
            row = None
        good += [row] if row is not None else []
        tick(done)
    missing: dict[tuple[str, str], Ref] = {}
    faults += _resolve_refs(session, location, good, create_missing, missing)
    faults += _resolve_clients(session, good)
    good = [r for r in good if r.staff is not None and r.services]
    faults += [f for r in good for f in _finish(r)]
    faults += _duplicates_in_file(good)
    if not dry_run and session.get_bind().dialect.name == "postgresql":
        # one import or booking at a time while we check and write (SQLite's write lock does this)
        session.execute(sa.text("LOCK TABLE appointment IN SHARE ROW EXCLUSIVE MODE"))
    here = _existing(session, location, good)
    if keep_ids:
        faults += _kept_ids(session, location, good, here)
    new = [r for r in good if r.number not in here]
    if not allow_overlap:
        faults += _overlaps(session, location, new)
    if faults:
        order = FIELDS + EXPORTED
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, order.index(f.column) if f.column in order else -1)))
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new), dry_run=dry_run)
    used = {id(ref) for row in new for ref in (row.staff, *row.services)}
    missing = {key: ref for key, ref in missing.items() if id(ref) in used}
    if dry_run:
        return Outcome(summary, tuple(Created(kind, ref.code, ref.name) for (kind, _), ref in missing.items()),
                       plan=tuple(Planned(r.number, "create" if r.number not in here else "match", _label(r, location),
                                          here.get(r.number)) for r in good))
    made = _create_missing(session, actor, location, missing)
    for start in range(0, len(new), _WRITE_CHUNK):
        progress("writing", start, len(new))
        _write(session, actor, location, new[start:start + _WRITE_CHUNK], keep_ids)
    progress("writing", len(new), len(new))
    analyze(session, len(new), Appointment, AppointmentItem, Penalty, AuditLog)
    audit.record(session, actor=actor, action="appointment.import_file", entity="appointment", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source, "created_missing": [f"{c.kind}:{c.code}" for c in made]},
                 location_id=location.id)
    return Outcome(summary, tuple(made))



def _label(row: Row, location: LocationView) -> str:
    """A row in a few words: when, who with whom, what."""
    staff = row.staff.code if row.staff is not None else "?"
    client = f"client {row.client_id}" if row.client_id else "no client"
    services = "+".join(s.code for s in row.services)
    return f"{row.starts_at.astimezone(location.tz):%Y-%m-%d %H:%M} {staff} {services} ({client}, {row.status})"


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# ----------------------------------------------------------------------------- what the rows point at

def _resolve_refs(session: Session, location: LocationView, rows: Sequence[Row], create_missing: bool,
                  missing: dict[tuple[str, str], Ref]) -> list[Fault]:
    """Each row's services and staff member, from the menu and the team read once; unknown ones are
    faults, or (create_missing) placeholders shared by every row that names them."""
    known: dict[str, dict[tuple[str, Any], Ref | None]] = {"service": {}, "staff": {}}
    for s in session.exec(select(Service).where(Service.location_id == location.id).order_by(col(Service.id))):
        ref = Ref(s.id, s.code, s.name, s.active, s.duration_min, s.price_cents)
        for key in (("id", s.id), ("code", s.code), ("name", fold(s.name))):
            known["service"].setdefault(key, ref)
    for m in session.exec(select(Staff).order_by(col(Staff.id))):
        ref, by_name = Ref(m.id, m.code, m.name, m.active), ("name", fold(m.name))
        known["staff"].update({("id", m.id): ref, ("code", m.code): ref,
                               by_name: None if by_name in known["staff"] else ref})  # None: two of that name
    codes = {kind: {k[1] for k in refs if k[0] == "code"} for kind, refs in known.items()}
    faults: list[Fault] = []

    def find(kind: str, ref: str, row: Row, column: str) -> Ref | None:
        keys = [("id", int(ref))] if ref.isdigit() else [("code", ref.lower()), ("name", fold(ref))]
        if kind == "service" and ref.isdigit():  # another system's service code, as `import services` kept it
            keys.insert(0, ("code", NUMERIC_PREFIX["service"] + ref))
        key = next((k for k in keys if k in known[kind]), None)
        if key is not None and known[kind][key] is None:
            faults.append(Fault(row.number, column, f"{ref!r} is the name of two staff members; give the code"))
        if key is not None:
            return known[kind][key]
        what = "service" if kind == "service" else "staff member"
        if not create_missing or ref.isdigit() or len(ref) > 120:
            faults.append(Fault(row.number, column, f"no {what} {ref!r} at {location.code}"
                                + ("" if ref.isdigit() else " (--create-missing adds it)")))
            return None
        if (kind, fold(ref)) not in missing:
            single = kind == "service" and len(row.service_refs) == 1
            missing[(kind, fold(ref))] = Ref(None, _free(slug(ref), codes[kind]), " ".join(ref.split()),
                                             duration_min=max(5, row.duration or 60) if single else 60,
                                             price_cents=(row.price or 0) if single else 0)
        return missing[(kind, fold(ref))]

    for row in rows:
        services = [find("service", ref, row, row.service_column) for ref in row.service_refs]
        row.services = [s for s in services if s is not None] if None not in services else []
        row.staff = find("staff", row.values["staff"].strip(), row, "staff")
    return faults


def _free(base: str, taken: set[str]) -> str:
    """A code like `base` that is not taken (and then is)."""
    base = base if base and not base.isdigit() else f"s-{base}"
    candidate, n = base, 2
    while candidate in taken or candidate in staff_service.RESERVED_CODES:
        candidate, n = f"{base[:28]}-{n}", n + 1
    taken.add(candidate)
    return check_code(candidate)


def _resolve_clients(session: Session, rows: Sequence[Row]) -> list[Fault]:
    """Each row's client: the first way of finding one that matches (look-ups in batches)."""
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
    for row in rows:
        hit = next(((column, found[kind][value]) for column, kind, value in row.clients if value in found[kind]), None)
        if hit is not None and hit[1][1] is not None:
            faults.append(Fault(row.number, hit[0], f"client {hit[1][0]} was merged into client {hit[1][1]}"))
        elif hit is not None:
            row.client_id = hit[1][0]
        elif row.clients:
            faults.append(Fault(row.number, row.client_column, f"{row.values[row.client_column].strip()!r} is no "
                                "client here (by id, phone, e-mail or external code)"))
    return faults


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
              if not r.external_id and r.staff is not None and r.staff.id is not None}
    for chunk in _chunks(k[2] for k in by_key):
        query = sa.select(col(Appointment.client_id), col(Appointment.staff_id), col(Appointment.starts_at),
                          col(Appointment.id)).where(Appointment.location_id == location.id,
                                                     col(Appointment.starts_at).in_(chunk))
        for client_id, staff_id, starts, appt_id in session.execute(query):
            if (client_id, staff_id, starts) in by_key:
                here.setdefault(by_key[(client_id, staff_id, starts)], appt_id)
    return here


def _read_kept(row: Row, faults: list[Fault]) -> bool:
    """`keep_ids`: the row's own id and its penalty, as our export writes them; False on a fault."""
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
        if row.status not in _PENALISED:
            faults.append(Fault(row.number, "penalty_id", f"a {row.status} appointment has no penalty "
                                "(only no-shows and late cancels)"))
        if len(faults) == before and penalty_id is not None:
            row.penalty = (penalty_id, status, int(cents))
    return len(faults) == before


_PENALISED = {"no_show": "no_show", "late_cancelled": "late_cancel"}  # appointment status -> penalty kind


def _kept_ids(session: Session, location: LocationView, rows: Sequence[Row], here: dict[int, int]) -> list[Fault]:
    """`keep_ids`: a row already here must be that id; a new row's id, and its penalty's, must be free.
    A row whose id is an appointment here at the same place, staff member and start is here already."""
    faults: list[Fault] = []
    first: dict[tuple[str, int], int] = {}
    for r in rows:
        for column, value in (("id", r.kept_id), ("penalty_id", r.penalty[0] if r.penalty else None)):
            if value is not None and first.setdefault((column, value), r.number) != r.number:
                faults.append(Fault(r.number, column, f"{column} {value} is also on row {first[(column, value)]} "
                                    "of this file"))
    found: dict[int, tuple[int, int | None, datetime]] = {}
    for chunk in _chunks(r.kept_id for r in rows if r.kept_id is not None):
        query = sa.select(col(Appointment.id), col(Appointment.location_id), col(Appointment.staff_id),
                          col(Appointment.starts_at)).where(col(Appointment.id).in_(chunk))
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
                          col(Appointment.ends_at)).where(
            col(Appointment.staff_id).in_(chunk), col(Appointment.status).in_(book.OCCUPYING),
            col(Appointment.starts_at) > lo, col(Appointment.starts_at) < hi)
        for appt_id, staff_id, starts, ends in session.execute(query):
            held.setdefault(id(members[staff_id]), []).append((starts, ends, f"appointment {appt_id}", 0))
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


# ----------------------------------------------------------------------------- writing

def _create_missing(session: Session, actor: Actor, location: LocationView,
                    missing: dict[tuple[str, str], Ref]) -> list[Created]:
    made: list[Created] = []
    for (kind, _), ref in missing.items():
        if kind == "service":
            service = catalog.add_service(session, actor=actor, location=location, name=ref.name,
                                          duration_min=ref.duration_min, price_cents=ref.price_cents, code=ref.code)
            ref.id = service.id
            made.append(Created("service", service.code, service.name))
        else:
            pin = f"{secrets.randbelow(10**8):08d}"
            member = staff_service.add(session, actor=actor, location=location, name=ref.name, code=ref.code,
                                       role="stylist", pin=pin)
            ref.id = member.id
            made.append(Created("staff", member.code, member.name, pin))
    return made


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """`total` shared in proportion to `weights` (the rest on the last; all on the first if no weight)."""
    whole = sum(weights)
    if len(weights) == 1 or whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    parts = [total * w // whole for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _values(row: Row, location: LocationView, actor: Actor, now: datetime) -> dict[str, Any]:
    """The appointment row; history statuses stamped at the start (completed: at the end)."""
    start, status, given = row.starts_at, row.status, row.fields
    stamps = {"checked_in_at": start if status in ("checked_in", "in_service", "completed") else None,
              "started_at": start if status in ("in_service", "completed") else None,
              "completed_at": row.ends_at if status == "completed" else None,
              "cancelled_at": start if status in ("cancelled", "late_cancelled") else None,
              "no_show_at": start if status == "no_show" else None}
    return {"location_id": location.id, "client_id": row.client_id, "staff_id": row.staff and row.staff.id,
            "service_id": row.services[0].id, "starts_at": start, "ends_at": row.ends_at, "status": status,
            "price_cents": row.price, "deposit_cents": row.deposit[1], "walk_in": given["walk_in"],
            **{k: given.get(k) or v for k, v in stamps.items()}, "cancel_reason": given["cancel_reason"],
            "cancelled_by_salon": False, "series_id": None, "external_id": given["external_id"],
            "note": given["note"], "created_at": now, "created_by_id": actor.id, "updated_at": None}


def _write(session: Session, actor: Actor, location: LocationView, rows: Sequence[Row], keep_ids: bool = False) -> None:
    """Appointments, their items, kept penalties and audit rows as batched inserts (no ORM object per row)."""
    if not rows:
        return
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
    _count_no_shows(session, actor, location, [r.client_id for r in rows if r.status == "no_show" and r.client_id])
    _write_penalties(session, actor, location, [(appt_id, r) for appt_id, r in zip(ids, rows) if r.penalty])


def _write_penalties(session: Session, actor: Actor, location: LocationView, kept: list[tuple[int, Row]]) -> None:
    """`keep_ids`: the penalties of our own export's no-shows and late cancels, with their ids, amounts
    and statuses (how one was paid or waived is not in the file: `reason` says it was imported)."""
    if not kept:
        return
    now = clock.now()
    values = [{"location_id": location.id, "appointment_id": appt_id, "client_id": r.client_id,
               "kind": _PENALISED[r.status], "amount_cents": r.penalty[2], "status": r.penalty[1],
               "reason": f"imported: {r.status.replace('_', '-')} {r.starts_at.astimezone(location.tz):%Y-%m-%d %H:%M}",
               "created_at": now, "created_by_id": actor.id}
              for appt_id, r in kept if r.penalty is not None]
    ids = insert_with_ids(session, Penalty, values, [r.penalty[0] for _, r in kept if r.penalty is not None])
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("penalty.import", "penalty", pid, None, {**{k: x for k, x in v.items() if k != "created_at"}, "id": pid})
        for pid, v in zip(ids, values, strict=True)))


def _count_no_shows(session: Session, actor: Actor, location: LocationView, client_ids: list[int]) -> None:
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
