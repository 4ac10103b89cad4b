"""The blind count: who sees a day's expected cash, and every count of the drawer, kept.

- **Blind until a count is committed.** The expected cash of a day's open close (its next revision) and
  every part of it (float, cash received, cash refunds, cash in and out, cash expenses), and every
  money total it could be worked out from (the sales' totals, tax, tips, refunds, expenses, staff
  money, penalties, points), are shown only to a manager who proved it with a PIN
  (`Permission.cash_expected`, `sees_cash`), until a count of that close is committed. Anyone else
  gets `blind(report)`: the takings by method other than cash, the number of sales, no-shows, open
  sales and pending payments.
- **Every committed count is kept.** A count is committed when it is submitted to close the day
  (`day_close.close`, refused or not once past the guard of unfinished work and the closing hour, whose
  refusals show no figure and change nothing) or checked on the dashboard (`day_close.commit_count`); `record`
  keeps it in `cash_count` (audited `day.count`) with who, when, the expected cash at that moment and
  whether the day's expected cash had already been shown (`after_expected_shown`).
- **A count again needs a manager.** Committing a count shows its expected cash. A different count of
  the same close after that needs a manager's PIN (`Permission.day_recount`, `may_recount`): exit 3 for
  anyone else. The same count again (a note added after a refusal) is that count, not a new one.
- **A manager's look is kept.** When a manager's preview or report shows an open day's expected cash
  before any count of its close, `reveal` keeps it in `cash_reveal` (audited `day.expected_shown`);
  the next count is then marked as made after the expected cash was shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import NotPermitted
from salon_cli.core.permissions import Permission, can
from salon_cli.db.models import CashCount, CashReveal, DayClose, Staff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

# the report's money, hidden from a blind viewer (None); what stays: the day, the sales count, takings by
# method other than cash, staff services, no-shows, open sales and pending payments
HIDDEN = (
    "gross_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents", "refund_cents", "net_cents",
    "revenue_cents", "expenses_cents", "expenses_by_category", "cash_expenses_cents", "cash_float_cents",
    "cash_sales_cents", "cash_refunds_cents", "cash_in_cents", "cash_out_cents", "expected_cash_cents",
    "counted_cash_cents", "variance_cents", "count", "penalties_cents", "points_issued", "points_redeemed",
)


def sees_cash(actor: Actor | None) -> bool:
    """May see an open day's expected cash before a count of its close is committed: a manager or the
    owner who proved it with a PIN in this command (or the system)."""
    if actor is None:
        return False
    return actor.is_system or (actor.verified and can(actor.role, Permission.cash_expected))


def may_recount(actor: Actor) -> bool:
    """May commit a different count after the expected cash was shown: a manager or owner with a PIN."""
    return actor.is_system or (actor.verified and can(actor.role, Permission.day_recount))


def open_revision(session: Session, location_id: int, day: date) -> int:
    """The revision the day's next close will be (1, or one past the last close)."""
    top = session.exec(select(sa.func.max(DayClose.revision)).where(
        DayClose.location_id == location_id, DayClose.business_date == day)).one()
    return int(top or 0) + 1


def of_close(session: Session, location_id: int, day: date, revision: int) -> list[CashCount]:
    """The committed counts of one close of the day, oldest first."""
    return list(session.exec(select(CashCount).where(
        CashCount.location_id == location_id, CashCount.business_date == day, CashCount.revision == revision)
        .order_by(col(CashCount.id))).all())


def _shown_before(session: Session, location_id: int, day: date) -> bool:
    """The day's expected cash was shown already: a count, a close or a manager's look, any revision."""
    for model in (CashCount, CashReveal, DayClose):
        found = session.exec(select(model.id).where(
            model.location_id == location_id, model.business_date == day).limit(1)).first()
        if found is not None:
            return True
    return False


def _same(row: CashCount, counted_cents: int, denominations: list[dict[str, int]] | None) -> bool:
    return row.counted_cash_cents == counted_cents and (row.denominations or None) == (denominations or None)


def record(session: Session, *, actor: Actor, location: LocationView, day: date, revision: int,
           counted_cents: int, denominations: list[dict[str, int]] | None, expected_cents: int) -> CashCount:
    """Commit a count of the drawer for the close `revision` of `day` (the caller holds the day's close
    lock). The same count as the last one is that one; a different one after a committed count needs a
    manager's PIN (exit 3)."""
    earlier = of_close(session, location.id, day, revision)
    if earlier and _same(earlier[-1], counted_cents, denominations):
        return earlier[-1]
    if earlier and not may_recount(actor):
        first = earlier[0]
        at = first.created_at.astimezone(location.tz).strftime("%H:%M")
        raise NotPermitted(
            f"the drawer of {day.isoformat()} was counted at {at} by {_code(session, first.counted_by_id)} and "
            f"its expected cash was shown: counting again needs a manager's PIN",
            hint="the count made is kept: close with it (salon close-day --note TEXT), or a manager counts "
                 "again: salon --as CODE --pin PIN close-day --counted-cash AMOUNT")
    row = CashCount(location_id=location.id, business_date=day, revision=revision, counted_cash_cents=counted_cents,
                    denominations=denominations or None, expected_cash_cents=expected_cents,
                    counted_by_id=actor.id, created_at=clock.now(),
                    after_expected_shown=_shown_before(session, location.id, day))
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="day.count", entity="cash_count", entity_id=row.id,
                 location_id=location.id, after={
                     "business_date": day.isoformat(), "revision": revision, "counted_cash_cents": counted_cents,
                     "count": row.denominations, "expected_cash_cents": expected_cents,
                     "variance_cents": counted_cents - expected_cents, "after_expected_shown": row.after_expected_shown,
                     "recount": bool(earlier)})
    return row


def reveal(session: Session, *, actor: Actor, location: LocationView, day: date, revision: int,
           expected_cents: int, via: str) -> None:
    """Keep a manager's look at an open day's expected cash before any count of its close."""
    if actor.is_system:
        return
    row = CashReveal(location_id=location.id, business_date=day, revision=revision, expected_cash_cents=expected_cents,
                     shown_to_id=actor.id, shown_at=clock.now(), via=via)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="day.expected_shown", entity="cash_reveal", entity_id=row.id,
                 location_id=location.id, after={"business_date": day.isoformat(), "revision": revision,
                                                 "expected_cash_cents": expected_cents, "via": via})


def _code(session: Session, staff_id: int | None) -> str:
    person = session.get(Staff, staff_id) if staff_id is not None else None
    return person.code if person is not None else "system"


def views(session: Session, location: LocationView, rows: list[CashCount]) -> list[dict[str, Any]]:
    """The counts as the Z-report lists them (`counts`), oldest first."""
    return [{"id": r.id, "counted_cash_cents": r.counted_cash_cents, "count": r.denominations,
             "expected_cash_cents": r.expected_cash_cents, "variance_cents": r.counted_cash_cents - r.expected_cash_cents,
             "by": _code(session, r.counted_by_id), "at": r.created_at.astimezone(location.tz).isoformat(),
             "after_expected_shown": r.after_expected_shown} for r in rows]


def blind(report: dict[str, Any]) -> dict[str, Any]:
    """The report as a blind viewer sees it: no cash figure of any kind, nothing it could be worked out from."""
    for key in HIDDEN:
        report[key] = None
    report["by_method"] = {m: c for m, c in (report.get("by_method") or {}).items() if m != "cash"}
    report["refunds_by_method"] = {m: c for m, c in (report.get("refunds_by_method") or {}).items() if m != "cash"}
    report["staff"] = [{**s, "revenue_cents": None, "tips_cents": None, "commission_cents": None}
                       for s in report.get("staff") or []]
    report["late"] = [item for item in report.get("late") or [] if item.get("method") != "cash"]
    report["counts"] = []
    report["blind"] = True
    return report
