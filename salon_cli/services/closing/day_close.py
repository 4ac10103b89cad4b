"""Closing a business day: the Z-report stored as a snapshot, the day frozen, re-opening as revisions.

- `preview` computes the report and stores nothing. Without a count it leaves the expected cash out
  (the blind count: whoever counts the drawer sees what it should hold only after saying what it holds).
- `close` needs the count (a total or by denominations), takes the day's lock (`business_days`), refuses
  a day already closed or still to come, and a variance over the policy's threshold without a note;
  then stores the snapshot in `day_close` (status `closed`, the next revision) and audits it. From then
  on every sale, payment, refund, expense and drawer movement dated in the day is refused
  (`business_days.ensure_open`, the one place that rule lives).
- `reopen` (a manager, with a reason, audited) turns the closed row into a kept revision; the next
  close of the day is revision + 1. `show` gives the latest closed snapshot, or the live figures of a
  day that is open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.db.models import DayClose, Staff
from salon_cli.services.salon import audit, business_days
from salon_cli.services.closing import zreport
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

_TEXT_MAX = 1000


def _with_count(report: dict[str, Any], counted_cents: int | None,
                denominations: list[dict[str, int]] | None) -> dict[str, Any]:
    """Put the count in; without one, leave the expected cash out (the blind count)."""
    if counted_cents is None:
        report["expected_cash_cents"] = None
        report["variance_cents"] = None
    else:
        report["counted_cash_cents"] = counted_cents
        report["count"] = denominations
        report["variance_cents"] = counted_cents - report["expected_cash_cents"]
    return report


def _check_day(location: LocationView, day: date) -> None:
    today = business_days.today(location)
    if day > today:
        raise RuleViolation(f"{day.isoformat()} has not happened yet at {location.code} (today is {today.isoformat()})")


def preview(session: Session, *, location: LocationView, day: date, counted_cents: int | None = None,
            denominations: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """The Z-report of the day as it stands, live; nothing is stored."""
    report = zreport.figures(session, location, day)
    report["status"] = "preview"
    report["revision"] = _next_revision(session, location.id, day)
    return _with_count(report, counted_cents, denominations)


def _next_revision(session: Session, location_id: int, day: date) -> int:
    top = session.exec(select(sa.func.max(DayClose.revision)).where(
        DayClose.location_id == location_id, DayClose.business_date == day)).one()
    return int(top or 0) + 1


def closed_row(session: Session, location_id: int, day: date, *, lock: bool = False) -> DayClose | None:
    query = select(DayClose).where(DayClose.location_id == location_id, DayClose.business_date == day,
                                   col(DayClose.status) == "closed")
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def _who(session: Session, staff_id: int | None) -> str | None:
    person = session.get(Staff, staff_id) if staff_id is not None else None
    return person.code if person is not None else None


def close(session: Session, *, actor: Actor, location: LocationView, day: date, counted_cents: int | None,
          note: str | None = None, denominations: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """Close the day: store the Z-report and freeze it."""
    authorize(actor, Permission.day_close)
    _check_day(location, day)
    if counted_cents is None:
        raise InvalidInput("closing a day needs the drawer's count",
                           hint='pass --counted-cash AMOUNT or --count "500x2,200x3,..."')
    if counted_cents < 0:
        raise InvalidInput("the counted cash must not be negative")
    text = (note or "").strip() or None
    if text is not None and len(text) > _TEXT_MAX:
        raise InvalidInput(f"the note is longer than {_TEXT_MAX} characters")
    business_days.lock_for_close(session, location.id, day)
    done = closed_row(session, location.id, day)
    if done is not None:
        at = done.closed_at.astimezone(location.tz).strftime("%Y-%m-%d %H:%M")
        raise RuleViolation(
            f"business day {day.isoformat()} at {location.code} is already closed (revision {done.revision}, "
            f"{at} by {_who(session, done.closed_by_id) or 'system'})",
            hint=f"see it: salon report day --date {day.isoformat()}; a manager can re-open it: "
                 f"salon reopen-day --date {day.isoformat()} --reason ...")
    report = _with_count(zreport.figures(session, location, day), counted_cents, denominations)
    threshold = policy_row(session, location).variance_note_over_cents
    if abs(report["variance_cents"]) > threshold and text is None:
        raise RuleViolation(
            f"the drawer is {format_money(abs(report['variance_cents']), location.currency)} "
            f"{'over' if report['variance_cents'] > 0 else 'short'}, more than the "
            f"{format_money(threshold, location.currency)} the policy allows without a note",
            hint="count again, or close with --note saying why")
    now = clock.now()
    revision = _next_revision(session, location.id, day)
    report.update(status="closed", revision=revision, note=text, closed_at=now.astimezone(location.tz).isoformat(),
                  closed_by=actor.code)
    row = DayClose(location_id=location.id, business_date=day, revision=revision, status="closed", snapshot=report,
                   expected_cash_cents=report["expected_cash_cents"], counted_cash_cents=counted_cents,
                   variance_cents=report["variance_cents"], note=text, closed_at=now, closed_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="day.close", entity="day_close", entity_id=row.id,
                 location_id=location.id, after={
                     "business_date": day.isoformat(), "revision": revision, "expected_cash_cents": row.expected_cash_cents,
                     "counted_cash_cents": counted_cents, "variance_cents": row.variance_cents, "note": text,
                     "net_cents": report["net_cents"], "sales_count": report["sales_count"]})
    return report


def reopen(session: Session, *, actor: Actor, location: LocationView, day: date, reason: str) -> dict[str, Any]:
    """A manager re-opens a closed day (with a reason): the snapshot stays as its revision."""
    authorize(actor, Permission.day_reopen)
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("re-opening a day needs a reason (--reason)")
    if len(why) > 255:
        raise InvalidInput("the reason is longer than 255 characters")
    business_days.lock_for_close(session, location.id, day)
    row = closed_row(session, location.id, day, lock=True)
    if row is None:
        raise RuleViolation(f"business day {day.isoformat()} at {location.code} is not closed",
                            hint="see: salon report day --date " + day.isoformat())
    now = clock.now()
    before = {"status": row.status, "revision": row.revision}
    row.status, row.reopened_at, row.reopened_by_id, row.reopen_reason = "reopened", now, actor.id, why
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="day.reopen", entity="day_close", entity_id=row.id,
                 location_id=location.id, before=before,
                 after={"status": "reopened", "revision": row.revision, "business_date": day.isoformat(), "reason": why})
    return {"business_date": day.isoformat(), "location": location.code, "revision": row.revision,
            "status": "reopened", "reopened_at": now.astimezone(location.tz).isoformat(), "reopened_by": actor.code,
            "reopen_reason": why, "next_revision": row.revision + 1}


def _snapshot(session: Session, location: LocationView, row: DayClose) -> dict[str, Any]:
    report = dict.fromkeys(zreport.KEYS)
    report.update(row.snapshot or {})
    report["status"] = row.status
    if row.status == "reopened":
        report.update(reopened_at=row.reopened_at.astimezone(location.tz).isoformat() if row.reopened_at else None,
                      reopened_by=_who(session, row.reopened_by_id), reopen_reason=row.reopen_reason)
    return report


def show(session: Session, *, location: LocationView, day: date, revision: int | None = None) -> dict[str, Any]:
    """The day's report: a given revision, else the closed snapshot, else the live figures (status
    `open`, expected cash left out until the count)."""
    if revision is not None:
        row = session.exec(select(DayClose).where(DayClose.location_id == location.id, DayClose.business_date == day,
                                                  DayClose.revision == revision)).first()
        if row is None:
            raise NotFound(f"business day {day.isoformat()} at {location.code} has no revision {revision}",
                           hint=f"see: salon report day --date {day.isoformat()}")
        return _snapshot(session, location, row)
    row = closed_row(session, location.id, day)
    if row is not None:
        return _snapshot(session, location, row)
    _check_day(location, day)
    report = preview(session, location=location, day=day)
    report["status"] = "open"
    return report


def revisions(session: Session, *, location: LocationView, day: date) -> list[dict[str, Any]]:
    """Every close of the day, oldest first: revision, status, when and by whom, the variance, re-opening."""
    rows = session.exec(select(DayClose).where(DayClose.location_id == location.id, DayClose.business_date == day)
                        .order_by(col(DayClose.revision))).all()
    return [{"revision": r.revision, "status": r.status,
             "closed_at": r.closed_at.astimezone(location.tz).isoformat(), "closed_by": _who(session, r.closed_by_id),
             "expected_cash_cents": r.expected_cash_cents, "counted_cash_cents": r.counted_cash_cents,
             "variance_cents": r.variance_cents, "note": r.note,
             "reopened_at": r.reopened_at.astimezone(location.tz).isoformat() if r.reopened_at else None,
             "reopened_by": _who(session, r.reopened_by_id), "reopen_reason": r.reopen_reason} for r in rows]
