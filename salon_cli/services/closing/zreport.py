"""The Z-report: one location's business day in figures (DESIGN.md, "Close day").

Which rows belong to day D (the location's `[D 00:00, D+1 00:00)` in its own zone, 23 or 25 hours
around a DST change):
- **Sales**: sales whose `business_date` is D and that were paid (statuses paid, partially_refunded,
  refunded; a sale's business date is the day it became paid). Gross, discounts, tax, totals and tips
  are theirs; staff lines and penalties collected (fee lines) come from their lines.
- **Money**: payments and refunds that *succeeded* with `business_date` D, the day the money moved;
  `by_method` is what came in per method (amount plus tip), `refunds_by_method` what went back.
  Money Stripe confirms for a closed day lands on the next open day; `late` lists those here.
- **Expenses**: recorded (not void) expenses dated D; **drawer**: the day's cash movements.
- **Appointments and loyalty**: no-shows among the appointments starting in D; points issued and
  redeemed by entries written at this location in D.

Every query reads one day through an index on (location, business day) or (location, instant), so
the cost of a close follows the size of the day, not of the history.

Cash: expected = float + cash received (amount + tip) - cash refunds + cash in - cash out - cash
expenses. `net_cents` = the day's sales totals (after discounts, with tax, before tips) minus refunds;
`revenue_cents` (net of discounts and refunds, before tax and tips) equals `salon report revenue` of D.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.days import business_date, day_bounds
from salon_cli.core.sale_math import round_half_up_div
from salon_cli.db.models import (
    Appointment, DayClose, Expense, LoyaltyEntry, Payment, Refund, Sale, SaleLine, Staff,
)
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.closing import revenue
from salon_cli.services.closing import drawer as cash_drawer
from salon_cli.services.loyalty.flows import flows

COUNTED = ("paid", "partially_refunded", "refunded")

# The keys of the report, in order (README lists them; scripts rely on them).
KEYS = [
    "business_date", "location", "timezone", "currency", "status", "revision", "hours",
    "sales_count", "gross_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents", "refund_cents",
    "net_cents", "revenue_cents", "by_method", "refunds_by_method",
    "expenses_cents", "expenses_by_category", "cash_expenses_cents",
    "cash_float_cents", "cash_sales_cents", "cash_refunds_cents", "cash_in_cents", "cash_out_cents",
    "expected_cash_cents", "counted_cash_cents", "variance_cents", "count", "note",
    "staff", "no_shows", "penalties_cents", "points_issued", "points_redeemed",
    "open_sales", "pending_payments", "late",
    "closed_at", "closed_by", "reopened_at", "reopened_by", "reopen_reason",
    "counts", "blind",
    # the guarded close: what was unfinished (live in a preview; kept by a manager's close over it) and
    # whether the close came before the closing hour (closed reports)
    "unfinished", "early",
]


def figures(session: Session, location: LocationView, day: date) -> dict[str, Any]:
    """Every figure of day D except the count (a dict in `KEYS` order; expected cash included)."""
    start, end = day_bounds(day, location.tz)
    loc = location.id
    report: dict[str, Any] = dict.fromkeys(KEYS)
    report.update(business_date=day.isoformat(), location=location.code, timezone=location.timezone,
                  currency=location.currency, hours=round((end - start).total_seconds() / 3600, 2), blind=False)
    report.update(_sales(session, loc, day))
    report.update(_money(session, loc, day))
    report["net_cents"] = report["total_cents"] - report["refund_cents"]

    report["revenue_cents"] = revenue.day_totals(session, location_id=loc, day=day).revenue_cents
    report.update(_expenses(session, loc, day))

    drawer = cash_drawer.totals(session, loc, day)
    report.update(cash_float_cents=drawer["float_cents"], cash_in_cents=drawer["in_cents"],
                  cash_out_cents=drawer["out_cents"])
    report["expected_cash_cents"] = (report["cash_float_cents"] + report["cash_sales_cents"]
                                     - report["cash_refunds_cents"] + report["cash_in_cents"]
                                     - report["cash_out_cents"] - report["cash_expenses_cents"])
    report["staff"] = _staff(session, loc, day)
    report["no_shows"] = int(session.exec(select(sa.func.count()).select_from(Appointment).where(
        Appointment.location_id == loc, col(Appointment.status) == "no_show",
        col(Appointment.starts_at) >= start, col(Appointment.starts_at) < end)).one())
    report.update(_loyalty(session, loc, start, end))
    report["late"] = _late(session, location, day, start)
    return report


def _sales(session: Session, loc: int, day: date) -> dict[str, Any]:
    counted = (Sale.location_id == loc, Sale.business_date == day, col(Sale.status).in_(COUNTED))
    n, gross, discount, tax, total, tips = session.exec(select(
        sa.func.count(), *(sa.func.coalesce(sa.func.sum(c), 0) for c in (
            Sale.subtotal_cents, Sale.discount_cents, Sale.tax_cents, Sale.total_cents, Sale.tip_cents)))
        .where(*counted)).one()
    # the fee lines of the day's sales; summed with CASE (not filtered on penalty_id) so that PostgreSQL
    # reads the day's sales first instead of every fee line ever written (benchmarks/close_day.py)
    fee = sa.case((col(SaleLine.penalty_id).is_not(None), SaleLine.total_cents), else_=0)
    penalties = session.exec(select(sa.func.coalesce(sa.func.sum(fee), 0))
                             .join(Sale, col(Sale.id) == SaleLine.sale_id).where(*counted)).one()
    open_sales = session.exec(select(sa.func.count()).select_from(Sale).where(
        Sale.location_id == loc, Sale.business_date == day, col(Sale.status) == "open")).one()
    return dict(sales_count=int(n), gross_cents=int(gross), discount_cents=int(discount), tax_cents=int(tax),
                total_cents=int(total), tip_cents=int(tips), penalties_cents=int(penalties), open_sales=int(open_sales))


def _money(session: Session, loc: int, day: date) -> dict[str, Any]:
    paid = session.exec(select(Payment.method, col(Payment.status),
                               sa.func.sum(Payment.amount_cents + Payment.tip_cents), sa.func.count())
                        .where(Payment.location_id == loc, Payment.business_date == day)
                        .group_by(Payment.method, Payment.status)).all()
    by_method: dict[str, int] = {}
    pending = 0
    for method, status, cents, n in paid:
        if status == "succeeded":
            by_method[method] = by_method.get(method, 0) + int(cents)
        elif status == "pending":
            pending += int(n)
    back = session.exec(select(Refund.method, sa.func.sum(Refund.amount_cents))
                        .where(Refund.location_id == loc, Refund.business_date == day,
                               col(Refund.status) == "succeeded")
                        .group_by(Refund.method)).all()
    refunds = {method: int(cents) for method, cents in back}
    return dict(by_method=dict(sorted(by_method.items())), refunds_by_method=dict(sorted(refunds.items())),
                refund_cents=sum(refunds.values()), cash_sales_cents=by_method.get("cash", 0),
                cash_refunds_cents=refunds.get("cash", 0), pending_payments=pending)


def _expenses(session: Session, loc: int, day: date) -> dict[str, Any]:
    rows = session.exec(select(Expense.category, Expense.paid_from, sa.func.sum(Expense.amount_cents))
                        .where(Expense.location_id == loc, Expense.business_date == day,
                               col(Expense.status) == "recorded")
                        .group_by(Expense.category, Expense.paid_from)).all()
    by_category: dict[str, int] = {}
    cash = 0
    for category, paid_from, cents in rows:
        by_category[category] = by_category.get(category, 0) + int(cents)
        if paid_from == "cash":
            cash += int(cents)
    return dict(expenses_cents=sum(by_category.values()), expenses_by_category=dict(sorted(by_category.items())),
                cash_expenses_cents=cash)


def _staff(session: Session, loc: int, day: date) -> list[dict[str, Any]]:
    """Per staff member: service lines (by quantity), revenue and tips as `salon report revenue --by staff`
    counts them, and commission at their rate on that revenue (rounded once, half up)."""
    services = dict(session.exec(
        select(SaleLine.staff_id, sa.func.sum(SaleLine.quantity))
        .join(Sale, col(Sale.id) == SaleLine.sale_id)
        .where(Sale.location_id == loc, Sale.business_date == day, col(Sale.status).in_(COUNTED),
               SaleLine.kind == "service", col(SaleLine.staff_id).is_not(None))
        .group_by(SaleLine.staff_id)).all())
    rows = {r.period: r for r in revenue.rows(session, location_id=loc, first=day, last=day, by="staff")}
    people = session.exec(select(Staff).where(col(Staff.code).in_(list(rows)))).all() if rows else []
    out = []
    for person in sorted(people, key=lambda p: p.code):
        row = rows[person.code]
        revenue_cents = row.revenue_cents
        commission = round_half_up_div(revenue_cents * person.commission_bp, 10_000) if revenue_cents > 0 else 0
        out.append(dict(code=person.code, name=person.name, services=int(services.get(person.id, 0)),
                        revenue_cents=revenue_cents, tips_cents=row.tips_cents, commission_cents=commission))
    return out


def _loyalty(session: Session, loc: int, start: Any, end: Any) -> dict[str, Any]:
    """Points issued and redeemed by this location's entries of the day (`loyalty.flows`: the loyalty
    report's own definition, so a voided code is not counted as redeemed)."""
    made = flows(session, LoyaltyEntry.location_id == loc, col(LoyaltyEntry.created_at) >= start,
                 col(LoyaltyEntry.created_at) < end)
    return dict(points_issued=made.issued, points_redeemed=made.redeemed)


def _late(session: Session, location: LocationView, day: date, start: Any) -> list[dict[str, Any]]:
    """Money asked for on an earlier day that landed on this one (Stripe confirmed it late, or its own
    day was already closed): the report says where it came from."""
    loc = location.id
    items: list[dict[str, Any]] = []
    for kind, model in (("payment", Payment), ("refund", Refund)):
        rows = session.exec(select(model).where(model.location_id == loc, model.business_date == day,
                                                col(model.status) == "succeeded", col(model.created_at) < start)
                            .order_by(col(model.id))).all()
        for row in rows:
            asked = business_date(row.created_at, location.tz)
            items.append(dict(kind=kind, id=row.id, sale_id=row.sale_id, method=row.method,
                              amount_cents=row.amount_cents + (getattr(row, "tip_cents", 0) or 0),
                              asked_on=asked.isoformat(), asked_on_closed=False))
    if items:
        days = {date.fromisoformat(i["asked_on"]) for i in items}
        closed = set(session.exec(select(DayClose.business_date).where(
            DayClose.location_id == loc, col(DayClose.business_date).in_(days))).all())
        for item in items:
            item["asked_on_closed"] = date.fromisoformat(item["asked_on"]) in closed
    return items
