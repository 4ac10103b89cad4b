"""Closing a business day: the Z-report stored as a snapshot, the day frozen, re-opening as revisions.

- The count is blind (`counts`): until a count of the day's open close is committed, its expected cash
  and every part of it are shown only to a manager with a PIN; `preview` and `show` give anyone else
  `counts.blind(report)`. Every committed count is kept and listed in the report (`counts`); the last
  one is `counted_cash_cents`.
- `preview` computes the report and stores nothing but a manager's look at the expected cash before any
  count (`counts.reveal`; call it in a unit of work that commits). A count given to a blind viewer's
  preview is refused (exit 3): it would show the expected cash without committing the count.
- `commit_count` (the dashboard's "check the count") commits a count without closing and returns the
  report with its variance.
- `close` commits the count it is given (or closes with the last one committed), takes the day's lock
  (`business_days`), refuses a day already closed or still to come, and a variance over the policy's
  threshold without a note (`NoteNeeded`): that refusal *commits* the count (and a `day.close_refused`
  audit row) before it raises, as a wrong PIN is kept. Then it stores the snapshot in `day_close`
  (status `closed`, the next revision) and audits it. From then on every sale, payment, refund, expense
  and drawer movement dated in the day is refused (`business_days.ensure_open`, the one place that
  rule lives).
- **The guard** (issue 28): `close` refuses, before it commits any count, while the day has work
  unfinished (`unfinished.of_day`: appointments still booked or in the chair, open sales, penalties of
  the day pending): anyone but a manager or owner with a PIN is refused (`WorkUnfinished`, exit 1), and
  a manager closes over it only with a note; the list is kept in the snapshot (`unfinished`) and the
  audit row. It refuses too a close of today before the location's closing hour (`salon.hours`) unless
  `early` says it is meant (`EarlyClose`, exit 1); a location without opening hours, a day the salon
  does not open and a past day are never early. `commit_count` (the dashboard's check) is not guarded:
  counting the drawer freezes nothing, and the count is committed first whatever the close then says.
- `reopen` (a manager, with a reason, audited) turns the closed row into a kept revision; the next
  close of the day is revision + 1, counted afresh. `show` gives the latest closed snapshot, or the live
  figures of a day that is open (blind as the preview is).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission, can
from salon_cli.db.models import DayClose, Staff
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon import hours as salon_hours
from salon_cli.services.closing import counts, unfinished, zreport
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

_TEXT_MAX = 1000


class NoteNeeded(RuleViolation):
    """The variance is past the policy's threshold and the close has no note (exit 1); the count is kept."""

    def __init__(self, message: str, *, hint: str | None = None, variance_cents: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.variance_cents = variance_cents


class WorkUnfinished(RuleViolation):
    """The day has work unfinished and the close may not go over it (exit 1); nothing is changed."""

    def __init__(self, message: str, *, hint: str | None = None, left: unfinished.Unfinished) -> None:
        super().__init__(message, hint=hint)
        self.left = left


class EarlyClose(RuleViolation):
    """Today is closed before the location's closing hour without saying it is meant (exit 1)."""


def may_close_unfinished(actor: Actor) -> bool:
    """May close a day with work unfinished (with a note): a manager or owner with a PIN, or the system."""
    return actor.is_system or (actor.verified and can(actor.role, Permission.day_close_unfinished))


def early_words(session: Session, *, location: LocationView, day: date) -> str | None:
    """'it is 07:21 and the salon closes at 20:00' when closing `day` now is early, else None: only
    today, in a location with opening hours, on a day it opens, before the end of its last range."""
    if day != business_days.today(location):
        return None
    week = salon_hours.opening_week(session, location)
    spans = (week or {}).get(day.weekday(), ())
    if not spans:
        return None
    closes = max(salon_hours.minutes(s.end) for s in spans)
    now = clock.now().astimezone(location.tz)
    if now.hour * 60 + now.minute >= closes:
        return None
    return f"it is {now:%H:%M} and the salon closes at {closes // 60:02d}:{closes % 60:02d}"


def check_unfinished(session: Session, *, actor: Actor, location: LocationView, day: date,
                     note: str | None, approved_by: Actor | None = None) -> unfinished.Unfinished:
    """The guard: refused (`WorkUnfinished`) while the day has work unfinished, unless a manager with a
    PIN (the actor, or `approved_by`: the dashboard's manager who approved the close at the desk) gives
    a note. Returns what is unfinished (empty: nothing)."""
    left = unfinished.of_day(session, location=location, day=day)
    if left.empty:
        return left
    date_flag = "" if day == business_days.today(location) else f" --date {day.isoformat()}"
    if not may_close_unfinished(approved_by or actor):
        raise WorkUnfinished(f"{left.words()}: finish them first", left=left,
                             hint=f"see them: salon close-day --unfinished{date_flag}; a manager may close "
                                  "with --note (--as CODE --pin PIN)")
    if not (note or "").strip():
        raise WorkUnfinished(f"{left.words()}: a manager closes over them only with a note", left=left,
                             hint=f"say why with --note (see them: salon close-day --unfinished{date_flag})")
    return left


def _with_count(report: dict[str, Any], counted_cents: int | None,
                denominations: list[dict[str, int]] | None) -> dict[str, Any]:
    """Put the count in, with its variance."""
    if counted_cents is not None:
        report["counted_cash_cents"] = counted_cents
        report["count"] = denominations
        report["variance_cents"] = counted_cents - report["expected_cash_cents"]
    return report


def _check_day(location: LocationView, day: date) -> None:
    today = business_days.today(location)
    if day > today:
        raise RuleViolation(f"{day.isoformat()} has not happened yet at {location.code} (today is {today.isoformat()})")


def _check_count(counted_cents: int | None) -> None:
    if counted_cents is not None and counted_cents < 0:
        raise InvalidInput("the counted cash must not be negative")


def preview(session: Session, *, actor: Actor | None, location: LocationView, day: date,
            counted_cents: int | None = None, denominations: list[dict[str, int]] | None = None,
            via: str = "preview") -> dict[str, Any]:
    """The Z-report of the day as it stands, live, as `actor` may see it (None: nobody in particular).

    Blind (`counts.blind`) until a count of the open close is committed, unless the actor `sees_cash`;
    then with the last committed count (or the count given, a manager's what-if) and its variance."""
    _check_count(counted_cents)
    report = zreport.figures(session, location, day)
    revision = counts.open_revision(session, location.id, day)
    report.update(status="preview", revision=revision)
    left = unfinished.of_day(session, location=location, day=day)
    report["unfinished"] = None if left.empty else left.summary()
    made = counts.of_close(session, location.id, day, revision)
    report["counts"] = counts.views(session, location, made)
    if not made and not counts.sees_cash(actor):
        if counted_cents is not None:
            raise NotPermitted(
                "a preview with a count would show the expected cash before the count is committed",
                hint="close the day with the count (salon close-day --counted-cash AMOUNT): it is kept even if "
                     "the close is refused; or a manager with a PIN previews it")
        return counts.blind(report)
    if not made and actor is not None and closed_row(session, location.id, day) is None:
        counts.reveal(session, actor=actor, location=location, day=day, revision=revision,
                      expected_cents=report["expected_cash_cents"], via=via)
    if counted_cents is None and made:
        counted_cents, denominations = made[-1].counted_cash_cents, made[-1].denominations
    return _with_count(report, counted_cents, denominations)


def closed_row(session: Session, location_id: int, day: date, *, lock: bool = False) -> DayClose | None:
    query = select(DayClose).where(DayClose.location_id == location_id, DayClose.business_date == day,
                                   col(DayClose.status) == "closed")
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def _who(session: Session, staff_id: int | None) -> str | None:
    person = session.get(Staff, staff_id) if staff_id is not None else None
    return person.code if person is not None else None


def _open_close(session: Session, *, actor: Actor, location: LocationView, day: date) -> int:
    """Checks before a count or a close: the permission, the day (not to come, not closed), the day's lock
    taken. Returns the revision of the open close."""
    authorize(actor, Permission.day_close)
    _check_day(location, day)
    business_days.lock_for_close(session, location.id, day)
    done = closed_row(session, location.id, day)
    if done is not None:
        at = done.closed_at.astimezone(location.tz).strftime("%Y-%m-%d %H:%M")
        raise RuleViolation(
            f"business day {day.isoformat()} at {location.code} is already closed (revision {done.revision}, "
            f"{at} by {_who(session, done.closed_by_id) or 'system'})",
            hint=f"see it: salon report day --date {day.isoformat()}; a manager can re-open it: "
                 f"salon reopen-day --date {day.isoformat()} --reason ...")
    return counts.open_revision(session, location.id, day)


def commit_count(session: Session, *, actor: Actor, location: LocationView, day: date, counted_cents: int,
                 denominations: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """Commit a count of the drawer without closing (the dashboard's check): kept, audited, and the report
    with its variance returned. A different count after one was committed needs a manager's PIN."""
    authorize(actor, Permission.day_close)
    _check_count(counted_cents)
    revision = _open_close(session, actor=actor, location=location, day=day)
    report = zreport.figures(session, location, day)
    counts.record(session, actor=actor, location=location, day=day, revision=revision, counted_cents=counted_cents,
                  denominations=denominations, expected_cents=report["expected_cash_cents"])
    report.update(status="preview", revision=revision,
                  counts=counts.views(session, location, counts.of_close(session, location.id, day, revision)))
    return _with_count(report, counted_cents, denominations)


def last_count(session: Session, *, location: LocationView, day: date) -> int | None:
    """The last count committed for the day's open close (None: not counted yet)."""
    made = counts.of_close(session, location.id, day, counts.open_revision(session, location.id, day))
    return made[-1].counted_cash_cents if made else None


def close(session: Session, *, actor: Actor, location: LocationView, day: date, counted_cents: int | None,
          note: str | None = None, denominations: list[dict[str, int]] | None = None,
          early: bool = False, approved_by: Actor | None = None) -> dict[str, Any]:
    """Close the day with the count given (committed first) or, without one, the last count committed:
    store the Z-report and freeze the day. Guarded: refused while work is unfinished (a manager, the
    actor or `approved_by`, goes over it with a note) and before the closing hour unless `early`."""
    authorize(actor, Permission.day_close)
    _check_count(counted_cents)
    text = (note or "").strip() or None
    if text is not None and len(text) > _TEXT_MAX:
        raise InvalidInput(f"the note is longer than {_TEXT_MAX} characters")
    revision = _open_close(session, actor=actor, location=location, day=day)
    if counted_cents is None and not counts.of_close(session, location.id, day, revision):
        raise InvalidInput("closing a day needs the drawer's count",
                           hint='pass --counted-cash AMOUNT or --count "500x2,200x3,..."')
    left = check_unfinished(session, actor=actor, location=location, day=day, note=text, approved_by=approved_by)
    too_early = early_words(session, location=location, day=day)
    if too_early and not early:
        raise EarlyClose(too_early, hint="close before the closing hour on purpose: salon close-day --early")
    report = zreport.figures(session, location, day)
    if counted_cents is not None:
        used = counts.record(session, actor=actor, location=location, day=day, revision=revision,
                             counted_cents=counted_cents, denominations=denominations,
                             expected_cents=report["expected_cash_cents"])
    else:
        used = counts.of_close(session, location.id, day, revision)[-1]
    counted_cents = used.counted_cash_cents
    report = _with_count(report, counted_cents, used.denominations)
    report["counts"] = counts.views(session, location, counts.of_close(session, location.id, day, revision))
    threshold = policy_row(session, location).variance_note_over_cents
    variance = report["variance_cents"]
    if abs(variance) > threshold and text is None:
        cur = location.currency
        audit.record(session, actor=actor, action="day.close_refused", entity="cash_count", entity_id=used.id,
                     location_id=location.id, after={
                         "business_date": day.isoformat(), "revision": revision, "counted_cash_cents": counted_cents,
                         "expected_cash_cents": report["expected_cash_cents"], "variance_cents": variance,
                         "reason": "variance past the threshold without a note"})
        session.commit()  # the count (and the refusal) stay, though the close is refused
        raise NoteNeeded(
            f"the drawer is {format_money(abs(variance), cur)} {'over' if variance > 0 else 'short'}, more than "
            f"the {format_money(threshold, cur)} the policy allows without a note (expected "
            f"{format_money(report['expected_cash_cents'], cur)}, counted {format_money(counted_cents, cur)})",
            hint="the count is kept: close with --note saying why, or a manager counts again "
                 "(--as CODE --pin PIN --counted-cash AMOUNT)", variance_cents=variance)
    now = clock.now()
    kept = None if left.empty else {**left.summary(), "approved_by": (approved_by or actor).code}
    report.update(status="closed", revision=revision, note=text, closed_at=now.astimezone(location.tz).isoformat(),
                  closed_by=actor.code, unfinished=kept, early=bool(too_early))
    row = DayClose(location_id=location.id, business_date=day, revision=revision, status="closed", snapshot=report,
                   expected_cash_cents=report["expected_cash_cents"], counted_cash_cents=counted_cents,
                   variance_cents=variance, note=text, closed_at=now, closed_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="day.close", entity="day_close", entity_id=row.id,
                 location_id=location.id, after={
                     "business_date": day.isoformat(), "revision": revision, "expected_cash_cents": row.expected_cash_cents,
                     "counted_cash_cents": counted_cents, "variance_cents": row.variance_cents, "note": text,
                     "net_cents": report["net_cents"], "sales_count": report["sales_count"],
                     "counts": len(report["counts"]), "unfinished": kept, "early": bool(too_early)})
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


def show(session: Session, *, location: LocationView, day: date, revision: int | None = None,
         actor: Actor | None = None) -> dict[str, Any]:
    """The day's report: a given revision, else the closed snapshot, else the live figures (status
    `open`) as `actor` may see them (`preview`: blind until a count is committed)."""
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
    report = preview(session, actor=actor, location=location, day=day, via="report")
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
