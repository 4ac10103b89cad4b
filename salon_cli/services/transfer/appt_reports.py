"""No-show and cancellation reports, and a file's statuses against the bookings they name.

A report's row without a time, staff member or service (`Row.by_day`) names its booking by client
and day: the client's booking on that business day (the location's clock), here or among the rows
this file creates, narrowed by the row's time, staff member and service where it gives them; of
several, the one that already has the report's status (the report imported again; the first when all
have it), else the only one not cancelled or a no-show; still several, a fault naming their times. Each booking answers one
row. A row that finds none is its own record: at its time, else at the day's opening (the location's
hours; 09:00 where none are set or the salon is closed that day), its note saying the time is
unknown; without a service and a staff member to record it with, a fault that says so.

A booking (here, or a row of this file) that a row names, against the row's status:
- the same (a late cancellation is a cancellation): left as it is, but a cancellation takes the
  row's cancel date, who cancelled and the reason where they are new (a bookings file said only
  "cancelled"; a cancellations report says who and when);
- later in a visit's life (booked < checked in < completed < no-show or cancelled): updated, with the
  stamps an import sets (a no-show counts on its client, flagging a deposit past the policy's
  threshold, and makes no penalty), audited as `appointment.import_update` (before and after). A
  status read off the time (no status in the file: past is completed) updates only a booking still
  booked. Not a booking worked at our desk (checked in, completed, cancelled or marked a no-show
  here, with a live sale, or a penalty paid or charged): that is a fault saying why;
- earlier: left as it is, the plan saying so (a bookings file does not take back a report's no-show);
- a no-show against a cancellation (or the other way): a fault.
So a report imported again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.days import business_date, day_bounds
from salon_cli.core.recurrence import resolve
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Penalty, Sale, Staff
from salon_cli.io.tabular import Fault
from salon_cli.services.salon import audit, hours
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import REPORTED, Ref, Row
from salon_cli.services.transfer.appt_import_write import count_no_shows, stamps

RANK = {"booked": 0, "checked_in": 1, "in_service": 1, "completed": 2, "no_show": 3, "cancelled": 3,
        "late_cancelled": 3}
FINAL = ("completed", "no_show", "cancelled", "late_cancelled")  # what a file may move a booking here to
_DESK = {"appointment.check_in": "was checked in at our desk", "appointment.start": "was started at our desk",
         "appointment.walk_in": "came in as a walk-in at our desk", "appointment.complete": "was completed at our desk",
         "appointment.undo_check_in": "was checked in at our desk", "appointment.cancel": "was cancelled at our desk",
         "appointment.late_cancel": "was cancelled at our desk", "appointment.no_show": "was marked a no-show here",
         "appointment.reinstate": "was reinstated at our desk"}
_STAMPS = ("checked_in_at", "started_at", "completed_at", "cancelled_at", "no_show_at")
_STATE = ("status", *_STAMPS, "cancelled_by", "cancel_reason")
_CHUNK = 500


@dataclass(eq=False)
class Booking:
    """An appointment here that a row names; `state` is changed in place as the file's rows meet it."""

    id: int
    client_id: int | None
    staff_id: int
    staff_code: str
    starts_at: datetime
    ends_at: datetime
    external_id: str | None
    service_ids: set[int]
    state: dict[str, Any]


@dataclass(eq=False)
class Change:
    booking: Booking
    before: dict[str, Any]
    rows: list[int] = field(default_factory=list)


@dataclass
class Settled:
    """What the rows that meet a booking do: the changes to write (by appointment id), each row's
    action in the plan (`update` or `match`, and why) and the faults."""

    changes: dict[int, Change] = field(default_factory=dict)
    actions: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)


def _kind(status: str) -> str:
    return "cancelled" if status == "late_cancelled" else status


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# ----------------------------------------------------------------------------- reading the bookings here

_COLUMNS = (col(Appointment.id), col(Appointment.client_id), col(Appointment.staff_id), col(Staff.code),
            col(Appointment.starts_at), col(Appointment.ends_at), col(Appointment.external_id),
            *(getattr(Appointment, c) for c in _STATE))


def _read(session: Session, where: Any, into: dict[int, Booking]) -> list[Booking]:
    query = sa.select(*_COLUMNS).join(Staff, col(Staff.id) == col(Appointment.staff_id)).where(where)
    got = []
    for r in session.execute(query):
        if r[0] not in into:
            into[r[0]] = Booking(r[0], r[1], r[2], r[3], r[4], r[5], r[6], set(), dict(zip(_STATE, r[7:])))
        got.append(into[r[0]])
    return got


def _services(session: Session, bookings: Sequence[Booking]) -> None:
    of = {b.id: b for b in bookings}
    for chunk in _chunks(of):
        query = sa.select(col(AppointmentItem.appointment_id), col(AppointmentItem.service_id)).where(
            col(AppointmentItem.appointment_id).in_(chunk))
        for appt_id, service_id in session.execute(query):
            of[appt_id].service_ids.add(service_id)


def read_bookings(session: Session, ids: Iterable[int], into: dict[int, Booking]) -> None:
    """The appointments here that rows matched (by external id, or client, staff member and start)."""
    for chunk in _chunks(ids):  # their services are read only where a report's row looks among them
        _read(session, col(Appointment.id).in_(chunk), into)


def _on_days(session: Session, location: LocationView, rows: Sequence[Row],
             into: dict[int, Booking]) -> dict[tuple[int, date], list[Booking]]:
    """(client, day) -> the client's bookings here that business day, for the days the rows name."""
    tz = location.tz
    wanted = {(r.client_id, r.day) for r in rows if r.client_id and r.client_id > 0 and r.day}
    found: dict[tuple[int, date], list[Booking]] = defaultdict(list)
    if not wanted:
        return found
    lo = day_bounds(min(d for _, d in wanted), tz)[0]
    hi = day_bounds(max(d for _, d in wanted), tz)[1]
    got: list[Booking] = []
    for chunk in _chunks(c for c, _ in wanted):
        got += _read(session, sa.and_(col(Appointment.location_id) == location.id,
                                      col(Appointment.client_id).in_(chunk),
                                      col(Appointment.starts_at) >= lo, col(Appointment.starts_at) < hi), into)
    _services(session, got)
    for b in got:
        key = (b.client_id or 0, business_date(b.starts_at, tz))
        if key in wanted and b not in found[key]:
            found[key].append(b)
    return found


# ----------------------------------------------------------------------------- a report's rows, by day

def _ref_key(ref: Ref) -> Any:
    return ref.id if ref.id is not None else ("new", id(ref))  # a service or staff member made by this import


def _status_of(target: Booking | Row) -> str:
    return target.state["status"] if isinstance(target, Booking) else target.status


def _start_of(target: Booking | Row) -> datetime:
    start = target.starts_at
    assert start is not None
    return start


def _fits(target: Booking | Row, row: Row) -> bool:
    """The row's time, staff member and service (those it gives) are the booking's."""
    if isinstance(target, Booking):
        staff, services = target.staff_id, target.service_ids
    else:
        staff, services = _ref_key(target.staff) if target.staff else None, {_ref_key(s) for s in target.services}
    return ((row.starts_at is None or row.starts_at == _start_of(target))
            and (row.staff is None or _ref_key(row.staff) == staff)
            and (not row.services or bool(services & {_ref_key(s) for s in row.services})))


def _named(target: Booking | Row, location: LocationView) -> str:
    """A booking in the source's words: its reference, else its time and staff member."""
    if isinstance(target, Row):
        return f"row {target.number} of this file"
    if target.external_id:
        return f"booking {target.external_id}"
    return f"the booking of {target.starts_at.astimezone(location.tz):%Y-%m-%d %H:%M} with {target.staff_code}"


def _at(target: Booking | Row, location: LocationView) -> str:
    staff = target.staff_code if isinstance(target, Booking) else (target.staff.code if target.staff else "?")
    ref = target.external_id
    return f"{_start_of(target).astimezone(location.tz):%H:%M} {staff}" + (f" ({ref})" if ref else "")


def find_by_day(session: Session, location: LocationView, rows: Sequence[Row], file_rows: Sequence[Row],
                into: dict[int, Booking]) -> tuple[list[tuple[Row, Booking | Row]], list[Row], list[Fault]]:
    """Each report row's booking by client and day, among the bookings here and `file_rows` (those
    this file creates): (row, its booking) pairs, the rows that found none, and the faults."""
    if not rows:
        return [], [], []
    tz = location.tz
    pool: dict[tuple[int | None, date | None], list[Booking | Row]] = defaultdict(list)
    for key, found in _on_days(session, location, rows, into).items():
        pool[key] += found
    wanted = {(r.client_id, r.day) for r in rows}
    for r in file_rows:
        key = (r.client_id, business_date(_start_of(r), tz))
        if key in wanted:
            pool[key].append(r)
    taken: set[int] = set()
    pairs: list[tuple[Row, Booking | Row]] = []
    unmatched: list[Row] = []
    faults: list[Fault] = []
    for row in rows:
        fits = sorted((t for t in pool[(row.client_id, row.day)] if id(t) not in taken and _fits(t, row)),
                      key=_start_of)
        for prefer in (lambda t: _kind(_status_of(t)) == _kind(row.status), lambda t: _status_of(t) not in REPORTED):
            if len(fits) > 1 and sum(map(prefer, fits)) == 1:
                fits = [t for t in fits if prefer(t)]
        if len(fits) > 1 and all(_kind(_status_of(t)) == _kind(row.status) for t in fits):
            fits = fits[:1]  # all as the row says already (two no-shows of one day imported again): nothing to change
        if len(fits) == 1:
            taken.add(id(fits[0]))
            pairs.append((row, fits[0]))
        elif not fits:
            unmatched.append(row)
        else:
            client = " ".join(row.values.get(row.client_column, "").split())
            faults.append(Fault(row.number, row.time_column, f"{client!r} has {len(fits)} bookings on "
                                f"{row.day}: {', '.join(_at(t, location) for t in fits)}; give the time, staff "
                                "member or service to tell which"))
    return pairs, unmatched, faults


def place(session: Session, location: LocationView, rows: Sequence[Row]) -> list[Fault]:
    """A report's rows that found no booking, as their own records: at their time, else at the day's
    opening (noted as time unknown); a fault where there is no service or staff member to record."""
    opening = hours.opening_week(session, location)
    faults: list[Fault] = []
    for row in rows:
        lacking = [w for w, gone in (("service", not row.services), ("staff member", row.staff is None)) if gone]
        if lacking:
            client = " ".join(row.values.get(row.client_column, "").split())
            faults.append(Fault(row.number, row.service_column if lacking[0] == "service" else "staff",
                                f"no booking of {client!r} on {row.day} to mark {row.status.replace('_', '-')}, "
                                f"and no {' or '.join(lacking)} to record it on its own"))
            continue
        if row.starts_at is None and row.day is not None:
            spans = opening.get(row.day.weekday(), ()) if opening else ()
            at = spans[0].start if spans else hours.DEFAULT_DAY.start
            row.starts_at = resolve(datetime.combine(row.day, at), location.tz).at
            unknown = f"time unknown: the report gave only the day (placed at {at:%H:%M})"
            row.fields["note"] = "; ".join(n for n in (row.fields["note"], unknown) if n)[:500]
            row.placed = f"no booking that day: its own record, {unknown}"
    return faults


# ----------------------------------------------------------------------------- the file's status against ours

def _worked_here(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Appointment id -> why it was worked at our desk (a live sale, a penalty paid or charged, a
    desk step in the audit log), for those that were."""
    why: dict[int, str] = {}
    for chunk in _chunks(ids):
        for appt_id, ref in session.execute(sa.select(col(Sale.appointment_id), col(Sale.external_id)).where(
                col(Sale.appointment_id).in_(chunk), col(Sale.status) != "void")):
            why.setdefault(appt_id, f"has a sale here (receipt {ref})" if ref else "has a sale made at our desk")
        for appt_id, status in session.execute(sa.select(col(Penalty.appointment_id), col(Penalty.status)).where(
                col(Penalty.appointment_id).in_(chunk), col(Penalty.status).in_(("paid", "charged")))):
            why.setdefault(appt_id, f"its penalty was {status} here")
        for appt_id, action in session.execute(sa.select(col(AuditLog.entity_id), col(AuditLog.action)).where(
                col(AuditLog.entity) == "appointment", col(AuditLog.entity_id).in_(chunk),
                col(AuditLog.action).in_(tuple(_DESK))).order_by(col(AuditLog.id))):
            why.setdefault(appt_id, _DESK[action])
    return why


def _verdict(row: Row, now: str) -> str:
    """same | update | keep | conflict: what the row's status does to a booking whose status is `now`."""
    if _kind(row.status) == _kind(now):
        return "same"
    if row.status not in FINAL or row.status_said == "future":
        return "keep"
    if row.status_said == "past":  # read off the time: it says nothing against what is here
        return "update" if now == "booked" else "keep"
    return "update" if RANK[row.status] > RANK[now] else "conflict" if RANK[row.status] == RANK[now] else "keep"


def _details(row: Row, have: dict[str, Any]) -> dict[str, Any]:
    """A cancellation's cancel date, who cancelled and reason the row gives and the booking lacks."""
    if _kind(row.status) != "cancelled":
        return {}
    return {k: row.fields[k] for k in ("cancelled_at", "cancelled_by", "cancel_reason")
            if row.fields.get(k) is not None and row.fields[k] != have.get(k)}


def settle(session: Session, location: LocationView, pairs: Sequence[tuple[Row, Booking | Row]]) -> Settled:
    """The rows that meet a booking (here, or a row this file creates), in file order."""
    out = Settled()
    # only the bookings a row would change are looked up (a file imported again changes none)
    worked = _worked_here(session, {t.id for r, t in pairs if isinstance(t, Booking) and (
        _verdict(r, t.state["status"]) == "update" or _details(r, t.state))})
    for row, target in sorted(pairs, key=lambda p: p[0].number):
        now = _status_of(target)
        verdict = _verdict(row, now)
        blocked = worked.get(target.id) if isinstance(target, Booking) else None
        if verdict == "conflict":
            out.faults.append(Fault(row.number, "status", f"{_named(target, location)} is {now} here; "
                                    f"the file says {row.status}"))
        elif verdict == "update" and blocked:
            out.faults.append(Fault(row.number, "status", f"{_named(target, location)} is {now} here and {blocked}: "
                                    f"the file's {row.status} is not applied (change it at the desk)"))
        elif verdict == "update":
            _apply(row, target, row.status, out)
            note = f"{now} -> {row.status}" + (f" ({row.status_note})" if row.status_note else "")
            where = "" if isinstance(target, Booking) else f"{_named(target, location)}: "
            out.actions[row.number] = ("update", where + note)
        elif verdict == "same" and not blocked and _details(row, _have(target)):
            _apply(row, target, now, out)
            out.actions[row.number] = ("update", f"{now}: " + ", ".join(
                k.replace("_", " ") for k in _details(row, {})) + " from the file")
        else:
            kept = f"kept {now} (the file says {row.status})" if verdict == "keep" else None
            out.actions[row.number] = ("match", kept)
    return out


def _have(target: Booking | Row) -> dict[str, Any]:
    return target.state if isinstance(target, Booking) else target.fields


def _apply(row: Row, target: Booking | Row, status: str, out: Settled) -> None:
    """The row's status (and a cancellation's details) on the booking, stamped as an import stamps."""
    details = _details(row, {})
    if isinstance(target, Row):  # a row of this file: written with the report's status
        if status != target.status:
            target.fields.update({k: row.fields.get(k) for k in _STAMPS})
            target.status, target.status_said = status, row.status_said
        target.fields.update(details)
        return
    change = out.changes.setdefault(target.id, Change(target, dict(target.state)))
    change.rows.append(row.number)
    if status != target.state["status"]:
        target.state.update(stamps(status, target.starts_at, target.ends_at, row.fields), status=status)
    target.state.update(details)


def write_changes(session: Session, actor: Actor, location: LocationView, changes: Sequence[Change]) -> None:
    """The bookings the file changed, in one statement, each audited; new no-shows counted."""
    if not changes:
        return
    now = clock.now()
    table = Appointment.__table__  # type: ignore[attr-defined]
    session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                    .values(updated_at=sa.bindparam("b_updated_at"), **{c: sa.bindparam(f"b_{c}") for c in _STATE}),
                    [{"b_id": c.booking.id, "b_updated_at": now, **{f"b_{k}": c.booking.state[k] for k in _STATE}}
                     for c in changes])
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("appointment.import_update", "appointment", c.booking.id, {k: c.before[k] for k in _STATE},
         {**{k: c.booking.state[k] for k in _STATE}, "import_rows": c.rows}) for c in changes))
    count_no_shows(session, actor, location, [c.booking.client_id for c in changes if c.booking.client_id
                                              and c.booking.state["status"] == "no_show" != c.before["status"]])
