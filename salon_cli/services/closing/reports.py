"""Reports of a location over business days `first..last` (inclusive): staff and finance here, no-shows
in `reports_no_shows`, loyalty in `reports_loyalty`. Money figures come from `services.closing.revenue`, so every
report agrees with `salon report revenue` (and the Z-report) to the cent. Services return plain
dataclasses; `cli/closing/reports.py` renders them.

Days are the location's business days: sales, refunds and expenses by their `business_date`;
appointments by `starts_at` and loyalty entries by `created_at`, inside `[first 00:00, last+1 00:00)`
of the location's zone (`core.days.day_bounds`). Weeks are ISO weeks (Monday first), `YYYY-Www`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.days import business_date, day_bounds
from salon_cli.core.errors import InvalidInput
from salon_cli.core.sale_math import round_half_up_div
from salon_cli.db.models import Appointment, Expense, Sale, SaleLine, Staff
from salon_cli.services.closing import revenue
from salon_cli.services.salon.locations import LocationView

CANCELLED = ("cancelled", "late_cancelled")
_CHUNK = 500


def check_period(first: date, last: date) -> None:
    if first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")


def bounds(location: LocationView, first: date, last: date) -> tuple[datetime, datetime]:
    """`[first 00:00, last+1 00:00)` in the location's zone, as UTC instants."""
    return day_bounds(first, location.tz)[0], day_bounds(last, location.tz)[1]


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent with one decimal, rounded half up (33.3); None when `whole` is 0."""
    if whole <= 0:
        return None
    return round_half_up_div(part * 1000, whole) / 10


def div_half_up(amount: int, by: int) -> int:
    """`amount / by` rounded half away from zero (so a negative figure rounds like its positive)."""
    if by <= 0:
        return 0
    quotient = round_half_up_div(abs(amount), by)
    return quotient if amount >= 0 else -quotient


def commission(revenue_cents: int, commission_bp: int) -> int:
    """A staff member's commission on their period's revenue, rounded once, half up. Nothing on a
    revenue of zero or less (refunds of earlier work are not clawed back below zero); the Z-report
    uses the same rule."""
    if revenue_cents <= 0 or commission_bp <= 0:
        return 0
    return round_half_up_div(revenue_cents * commission_bp, 10_000)


def chunks(ids: list[Any]) -> list[list[Any]]:
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


# ----------------------------------------------------------------------------- staff

@dataclass(frozen=True)
class StaffRow:
    code: str
    name: str
    services: int  # service lines they did, by quantity
    revenue_cents: int  # their lines' net less their share of refunds (as `report revenue --by staff`)
    tips_cents: int
    commission_cents: int
    no_shows: int  # their appointments starting in the period marked no-show
    appointments: int  # their appointments starting in the period, not cancelled
    average_ticket_cents: int  # revenue / distinct sales they worked on, half up
    # percent of their completed visits rebooked before the client left; a visit of imported history whose
    # client's later booking has no known making time is left out (`rebooking`); None when no visit counts
    rebooking_rate: float | None


def staff(session: Session, *, location: LocationView, first: date, last: date) -> list[StaffRow]:
    """One row per staff member who worked a line of a counting sale (or had a refund against one) or
    had appointments in the period, by code."""
    check_period(first, last)
    money = {r.period: r for r in revenue.rows(session, location_id=location.id, first=first, last=last, by="staff")}
    services = {int(sid): int(n) for sid, n in session.exec(
        select(SaleLine.staff_id, sa.func.sum(SaleLine.quantity)).join(Sale, col(Sale.id) == SaleLine.sale_id)
        .where(Sale.location_id == location.id, col(Sale.business_date) >= first, col(Sale.business_date) <= last,
               col(Sale.status).in_(revenue.COUNTED), SaleLine.kind == "service", col(SaleLine.staff_id).is_not(None))
        .group_by(SaleLine.staff_id)).all()}
    start, end = bounds(location, first, last)
    booked: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    for sid, status, n in session.exec(
            select(Appointment.staff_id, Appointment.status, sa.func.count())
            .where(Appointment.location_id == location.id, col(Appointment.starts_at) >= start,
                   col(Appointment.starts_at) < end)
            .group_by(Appointment.staff_id, Appointment.status)).all():
        if status not in CANCELLED:
            booked[int(sid)] += int(n)
        if status == "no_show":
            missed[int(sid)] += int(n)
    rebooked = rebooking(session, location, start, end)
    codes = [c for c in money if c != revenue.NONE]
    ids = [i for i, n in booked.items() if n > 0]
    people = session.exec(select(Staff).where(sa.or_(col(Staff.code).in_(codes), col(Staff.id).in_(ids)))).all() \
        if codes or ids else []
    out = []
    for person in sorted(people, key=lambda p: p.code):
        pid = person.id or 0
        row = money.get(person.code) or revenue.RevenueRow(person.code, 0, 0, 0, 0)
        done, again = rebooked.get(pid, (0, 0))
        out.append(StaffRow(
            code=person.code, name=person.name, services=services.get(pid, 0), revenue_cents=row.revenue_cents,
            tips_cents=row.tips_cents, commission_cents=commission(row.revenue_cents, person.commission_bp),
            no_shows=missed.get(pid, 0), appointments=booked.get(pid, 0),
            average_ticket_cents=div_half_up(row.revenue_cents, row.sales_count),
            rebooking_rate=percent(again, done)))
    return out


def rebooking(session: Session, location: LocationView, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """staff id -> (completed visits counted, of which rebooked). A completed visit (starting in
    `[start, end)`, with a known client) is rebooked when its client has a later appointment (starting
    after it, at any location of the business, not cancelled) created no later than the end of the
    visit's business day: the client booked again before leaving (a standing booking made earlier
    counts too).

    Imported history may not say when its bookings were made: such an appointment is stamped with the
    instant of the import, after its own day had ended, which no booking at the desk can be (a day gone
    by is not booked). Its creation time is unknown, so a visit that no known booking rebooks but whose
    client has such a later appointment may have been rebooked or not: it is left out of the count,
    neither rebooked nor not. A staff member all of whose visits are left out counts (0, 0): their
    rate is none (null), not 0 %."""
    visits = session.exec(select(Appointment.staff_id, Appointment.client_id, Appointment.starts_at).where(
        Appointment.location_id == location.id, Appointment.status == "completed",
        col(Appointment.starts_at) >= start, col(Appointment.starts_at) < end,
        col(Appointment.client_id).is_not(None))).all()
    if not visits:
        return {}
    tz = location.tz
    day_end: dict[date, datetime] = {}

    def end_of(at: datetime) -> datetime:
        day = business_date(at, tz)
        if day not in day_end:
            day_end[day] = day_bounds(day, tz)[1]
        return day_end[day]

    cutoff = {at: end_of(at) for _, _, at in visits}
    later: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)  # (starts, created; None: unknown)
    earliest, latest = min(at for _, _, at in visits), max(cutoff.values())
    for part in chunks(sorted({int(c) for _, c, _ in visits})):
        for cid, starts, created in session.exec(
                select(Appointment.client_id, Appointment.starts_at, Appointment.created_at).where(
                    col(Appointment.client_id).in_(part), col(Appointment.status).not_in(CANCELLED),
                    col(Appointment.starts_at) > earliest,
                    sa.or_(col(Appointment.created_at) < latest,
                           col(Appointment.created_at) > Appointment.starts_at))).all():
            later[int(cid)].append((starts, None if created >= end_of(starts) else created))
    out: dict[int, tuple[int, int]] = {}
    for sid, cid, at in visits:
        after = [created for starts, created in later.get(int(cid), ()) if starts > at]
        again = any(created is not None and created < cutoff[at] for created in after)
        done, hits = out.get(int(sid), (0, 0))
        if again or None not in after:
            out[int(sid)] = (done + 1, hits + int(again))
        else:
            out[int(sid)] = (done, hits)
    return out


# ----------------------------------------------------------------------------- finance

@dataclass(frozen=True)
class FinanceReport:
    revenue_cents: int
    tax_cents: int
    tips_cents: int
    refund_cents: int  # money given back in the period
    expenses_cents: int
    net_cents: int  # revenue - expenses
    expenses_by_category: list[dict[str, Any]]  # [{category, amount_cents}], largest first
    periods: list[dict[str, Any]] | None  # with --by: [{period, revenue_cents, expenses_cents, net_cents}]


def finance(session: Session, *, location: LocationView, first: date, last: date, by: str | None = None) -> FinanceReport:
    check_period(first, last)
    if by is not None and by not in revenue.TIME_BY:
        raise InvalidInput(f"--by {by!r}: a finance report goes by day, week or month")
    days = revenue.rows(session, location_id=location.id, first=first, last=last, by="day")
    whole = revenue.total(days)
    spent = session.exec(select(Expense.business_date, Expense.category, sa.func.sum(Expense.amount_cents)).where(
        Expense.location_id == location.id, col(Expense.business_date) >= first, col(Expense.business_date) <= last,
        col(Expense.status) == "recorded").group_by(Expense.business_date, Expense.category)).all()
    by_category: dict[str, int] = defaultdict(int)
    for _, category, cents in spent:
        by_category[category] += int(cents)
    expenses = sum(by_category.values())
    periods = None
    if by is not None:
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in days:
            table[revenue.period_of(date.fromisoformat(row.period), by)][0] += row.revenue_cents
        for day, _, cents in spent:
            table[revenue.period_of(day, by)][1] += int(cents)
        periods = [dict(period=p, revenue_cents=r, expenses_cents=e, net_cents=r - e) for p, (r, e) in sorted(table.items())]
    return FinanceReport(
        revenue_cents=whole.revenue_cents, tax_cents=whole.tax_cents, tips_cents=whole.tips_cents,
        refund_cents=revenue.refunded_cents(session, location_id=location.id, first=first, last=last),
        expenses_cents=expenses, net_cents=whole.revenue_cents - expenses,
        expenses_by_category=[dict(category=c, amount_cents=a)
                              for c, a in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))],
        periods=periods)
