"""Revenue: the one definition every report, the Z-report and `salon report revenue` share.

Revenue is net of discounts and refunds, before tax and tips, in integer minor units:

- **Sales side.** A sale counts on its `business_date` when its status is paid, partially_refunded or
  refunded (open and void sales never count). It brings the `net_cents` of each of its lines (after
  the line's share of the discount, before tax), their `tax_cents`, and the sale's `tip_cents`.
- **Refund side.** A succeeded refund counts on its *own* `business_date` (the day the money went
  back), whatever day its sale counted on. Each refund is split over its sale's lines in proportion to
  the lines' `total_cents` (largest remainder: the shares add up to the refund exactly; an imported
  sale's `discount` and `return` lines have negative totals, and so take a negative share, the other
  lines more); each line's share is split into a pre-tax part, `share * net / total` rounded half away
  from zero (0 for a line whose total is 0), and a tax part, the rest. Revenue loses the pre-tax parts,
  tax the tax parts. Tips are never refunded.

Gift cards sold are not revenue (the money is owed back as services until the card is spent, and the
sale it is spent on counts then): `gift_card` lines, and the refund parts that fall on them, are left out.

So `revenue_cents = sum(line net) - sum(refund pre-tax parts)`, `tax_cents = sum(line tax) - sum(refund
tax parts)` and `tips_cents = sum(sale tip)`. Every grouping (day, ISO week, month, service, staff)
sums the very same per-line figures, so the total over any grouping is identical to the cent.

By service and by staff, a sale's tip goes to the people who did its services: it is split over its
service lines that have a staff member (or, on a sale with none, its other lines that have one, but
its discount and return lines), in proportion to their net (`allocate`; equally when those nets are
all 0); a sale without such a line gives its tip to `(none)`. Lines without a service go to
`(products)`, `(fees)`, `(gift cards)` or `(memberships)` by kind, an imported receipt's negative
`discount` lines to `(discounts)`, and a `return` line (an item given back on a receipt that also
sells) to its service, or to `(products)`, like that item's own lines; lines without a staff member go
to `(none)`. By staff, a refund that says who gave the money back (`refund.staff_id`, an imported
return) takes its pre-tax part from that staff member; by service it stays split over its sale's lines.
`sales_count` is the number of distinct counting sales in a group (0 for a group that only has
refunds or tips).

Sales are aggregated in SQL (GROUP BY) through `ix_sale_location_date`; refunds, which are few, are
read through `ix_refund_location_date` with their sales' lines and split here. `day_totals` reads one
day only, so the Z-report's cost does not grow with the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput
from salon_cli.core.sale_math import allocate, round_half_up_div
from salon_cli.db.models import Refund, Sale, SaleLine, Service, Staff

COUNTED = ("paid", "partially_refunded", "refunded")
TIME_BY = ("day", "week", "month")
BY = (*TIME_BY, "service", "staff")
NONE = "(none)"
NOT_REVENUE = "gift_card"  # a liability until spent
KIND_LABELS = {"product": "(products)", "fee": "(fees)", "gift_card": "(gift cards)",
               "membership": "(memberships)", "service": "(other services)", "discount": "(discounts)"}
NEGATIVE = ("discount", "return")  # an imported receipt's lines of money taken off
_CHUNK = 500


@dataclass(frozen=True)
class RevenueRow:
    period: str  # YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM, a service name or a staff code
    sales_count: int
    revenue_cents: int
    tax_cents: int
    tips_cents: int


@dataclass
class _Sum:
    sales: int = 0
    revenue: int = 0
    tax: int = 0
    tips: int = 0


@dataclass(frozen=True)
class _Line:
    id: int
    sale_id: int
    kind: str
    service_id: int | None
    staff_id: int | None
    net_cents: int
    total_cents: int


def check_by(by: str) -> str:
    how = (by or "").strip().lower()
    if how not in BY:
        raise InvalidInput(f"--by {by!r} is not one of {', '.join(BY)}")
    return how


def period_of(day: date, by: str) -> str:
    """The label of the day's period: `2026-11-21`, `2026-W47` (ISO week, Monday first) or `2026-11`."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    raise ValueError(f"period_of: {by!r} is not a time grouping")


def rows(session: Session, *, location_id: int, first: date, last: date, by: str) -> list[RevenueRow]:
    """Revenue of the location's business days `first..last` (inclusive), one row per period (or service,
    or staff member) that has something; time periods in order, services and staff by revenue."""
    how = check_by(by)
    if first > last:
        raise InvalidInput(f"the first day {first.isoformat()} is after the last {last.isoformat()}")
    counted = (Sale.location_id == location_id, col(Sale.business_date) >= first,
               col(Sale.business_date) <= last, col(Sale.status).in_(COUNTED))
    sums = _by_time(session, counted, how) if how in TIME_BY else _by_line(session, counted, how)
    for when, line, pre_tax, tax, staff_id in _refund_parts(session, location_id, first, last):
        if how == "staff" and staff_id is not None:
            key = staff_id  # who gave the money back
        else:
            key = period_of(when, how) if how in TIME_BY else _line_key(line, how)
        acc = sums[key]
        acc.revenue -= pre_tax
        acc.tax -= tax
    labels = _labels(session, list(sums), how)
    out = [RevenueRow(period=labels[k], sales_count=s.sales, revenue_cents=s.revenue, tax_cents=s.tax,
                      tips_cents=s.tips) for k, s in sums.items()]
    if how in TIME_BY:
        return sorted(out, key=lambda r: r.period)
    return sorted(out, key=lambda r: (-r.revenue_cents, r.period))


def day_totals(session: Session, *, location_id: int, day: date) -> RevenueRow:
    """One business day's revenue (the Z-report's figure): reads only that day's sales and refunds."""
    found = rows(session, location_id=location_id, first=day, last=day, by="day")
    return found[0] if found else RevenueRow(day.isoformat(), 0, 0, 0, 0)


def total(found: Iterable[RevenueRow], label: str = "total") -> RevenueRow:
    """The sum of rows (the same whatever they are grouped by, except `sales_count` across services or
    staff, where one sale may count in several rows)."""
    items = list(found)
    return RevenueRow(period=label, sales_count=sum(r.sales_count for r in items),
                      revenue_cents=sum(r.revenue_cents for r in items), tax_cents=sum(r.tax_cents for r in items),
                      tips_cents=sum(r.tips_cents for r in items))


def refunded_cents(session: Session, *, location_id: int, first: date, last: date) -> int:
    """Money given back in the days `first..last`: succeeded refunds by the day they were made."""
    return int(session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.location_id == location_id, col(Refund.business_date) >= first, col(Refund.business_date) <= last,
        col(Refund.status) == "succeeded")).one())


# ----------------------------------------------------------------------------- sales side

def _by_time(session: Session, counted: tuple[Any, ...], how: str) -> dict[Any, _Sum]:
    sums: dict[Any, _Sum] = defaultdict(_Sum)
    per_day = session.exec(select(Sale.business_date, sa.func.count(), sa.func.coalesce(sa.func.sum(Sale.tip_cents), 0))
                           .where(*counted).group_by(Sale.business_date)).all()
    for day, n, tips in per_day:
        acc = sums[period_of(day, how)]
        acc.sales += int(n)
        acc.tips += int(tips)
    lines = session.exec(select(Sale.business_date, sa.func.coalesce(sa.func.sum(SaleLine.net_cents), 0),
                                sa.func.coalesce(sa.func.sum(SaleLine.tax_cents), 0))
                         .join(Sale, col(Sale.id) == SaleLine.sale_id)
                         .where(*counted, SaleLine.kind != NOT_REVENUE).group_by(Sale.business_date)).all()
    for day, net, tax in lines:
        acc = sums[period_of(day, how)]
        acc.revenue += int(net)
        acc.tax += int(tax)
    return sums


def _kind_key_column() -> Any:
    # a returned item goes with that item's own lines: its service, else (products)
    returned = sa.case((col(SaleLine.service_id).is_not(None), "service"), else_="product")
    return sa.case((col(SaleLine.kind) == "return", returned), else_=col(SaleLine.kind))


def _service_key_column() -> Any:
    # a service line's service (and a returned service's); every other kind of line is grouped by its kind alone
    return sa.case((col(SaleLine.kind).in_(("service", "return")), col(SaleLine.service_id)), else_=sa.null())


def _line_key(line: _Line, how: str) -> Any:
    if how == "staff":
        return NONE if line.staff_id is None else line.staff_id
    kind = ("service" if line.service_id is not None else "product") if line.kind == "return" else line.kind
    return (kind, line.service_id if kind == "service" else None)


def _by_line(session: Session, counted: tuple[Any, ...], how: str) -> dict[Any, _Sum]:
    sums: dict[Any, _Sum] = defaultdict(_Sum)
    keys = [col(SaleLine.staff_id)] if how == "staff" else [_kind_key_column(), _service_key_column()]
    grouped = session.exec(select(*keys, sa.func.count(sa.distinct(SaleLine.sale_id)),
                                  sa.func.coalesce(sa.func.sum(SaleLine.net_cents), 0),
                                  sa.func.coalesce(sa.func.sum(SaleLine.tax_cents), 0))
                           .join(Sale, col(Sale.id) == SaleLine.sale_id)
                           .where(*counted, SaleLine.kind != NOT_REVENUE).group_by(*keys)).all()
    for *key, n, net, tax in grouped:
        if how == "staff":
            acc = sums[NONE if key[0] is None else key[0]]
        else:
            acc = sums[(key[0], key[1])]
        acc.sales += int(n)
        acc.revenue += int(net)
        acc.tax += int(tax)
    tipped = session.exec(select(Sale.id, Sale.tip_cents).where(*counted, col(Sale.tip_cents) > 0)).all()
    tips = {int(sale_id): int(cents) for sale_id, cents in tipped}
    lines = _lines_of(session, list(tips))
    for sale_id, cents in tips.items():
        for key, share in _split_tip(cents, lines.get(sale_id, []), how):
            sums[key].tips += share
    return sums


def _split_tip(cents: int, lines: Sequence[_Line], how: str) -> list[tuple[Any, int]]:
    """A sale's tip over its service lines with a staff member (else its other lines with one), by net
    (equally if those nets are all 0)."""
    worked = [line for line in lines if line.staff_id is not None and line.kind == "service"] or [
        line for line in lines if line.staff_id is not None and line.kind not in NEGATIVE]
    if not worked:
        return [(NONE, cents)]
    weights = [line.net_cents for line in worked]
    if sum(weights) == 0:
        weights = [1] * len(worked)
    return [(_line_key(line, how), share) for line, share in zip(worked, allocate(cents, weights), strict=True)]


# ----------------------------------------------------------------------------- refund side

def _lines_of(session: Session, sale_ids: Sequence[int]) -> dict[int, list[_Line]]:
    found: dict[int, list[_Line]] = defaultdict(list)
    ids = sorted(set(sale_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for row in session.exec(select(SaleLine.id, SaleLine.sale_id, SaleLine.kind, SaleLine.service_id,
                                       SaleLine.staff_id, SaleLine.net_cents, SaleLine.total_cents)
                                .where(col(SaleLine.sale_id).in_(chunk))
                                .order_by(col(SaleLine.sale_id), col(SaleLine.position), col(SaleLine.id))).all():
            found[int(row[1])].append(_Line(int(row[0]), int(row[1]), row[2], row[3], row[4], int(row[5]), int(row[6])))
    return found


def refund_split(amount_cents: int, lines: Sequence[_Line]) -> list[tuple[_Line, int, int]]:
    """One refund over its sale's lines: (line, pre-tax part, tax part) for each line. A negative line
    (an imported discount or return) takes a negative share: the refund of the whole sale gives back
    each line as it was."""
    if not lines:
        return []
    weights = [line.total_cents for line in lines]
    if sum(weights) <= 0:  # nothing was charged, so nothing can have been paid: kept total anyway
        weights = [1] * len(lines)
    out = []
    for line, share in zip(lines, _allocate_signed(amount_cents, weights), strict=True):
        pre_tax = _div_half_away(share * line.net_cents, line.total_cents) if line.total_cents else 0
        out.append((line, pre_tax, share - pre_tax))
    return out


def _allocate_signed(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """`allocate` where some weights may be negative (their sum is above 0): each share is the floor of
    its exact part, the cents left going to the largest remainders (ties to the lower index), so the
    shares add up to the amount and none is a cent or more from its exact part."""
    if all(w >= 0 for w in weights):
        return allocate(amount_cents, weights)
    total = sum(weights)
    shares = [amount_cents * w // total for w in weights]  # floor division: also for a negative weight
    order = sorted(range(len(weights)), key=lambda i: (-(amount_cents * weights[i] % total), i))
    for i in order[:amount_cents - sum(shares)]:
        shares[i] += 1
    return shares


def _div_half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero (half up, as a positive one is)."""
    quotient = round_half_up_div(abs(numerator), abs(denominator))
    return quotient if (numerator < 0) == (denominator < 0) else -quotient


def _refund_parts(session: Session, location_id: int, first: date,
                  last: date) -> list[tuple[date, _Line, int, int, int | None]]:
    """(day, line, pre-tax part, tax part, who gave the money back when the refund says) of each refund."""
    refunds = session.exec(select(Refund.id, Refund.sale_id, Refund.amount_cents, Refund.business_date,
                                  Refund.staff_id).where(
        Refund.location_id == location_id, col(Refund.business_date) >= first, col(Refund.business_date) <= last,
        col(Refund.status) == "succeeded").order_by(col(Refund.id))).all()
    if not refunds:
        return []
    lines = _lines_of(session, [int(r[1]) for r in refunds])
    parts = []
    for _, sale_id, amount, when, staff_id in refunds:
        for line, pre_tax, tax in refund_split(int(amount), lines.get(int(sale_id), [])):
            if line.kind != NOT_REVENUE:
                parts.append((when, line, pre_tax, tax, staff_id))
    return parts


# ----------------------------------------------------------------------------- labels

def _labels(session: Session, keys: list[Any], how: str) -> dict[Any, str]:
    if how in TIME_BY:
        return {k: k for k in keys}
    if how == "staff":
        ids = [k for k in keys if isinstance(k, int)]
        codes = dict(session.exec(select(Staff.id, Staff.code).where(col(Staff.id).in_(ids))).all()) if ids else {}
        return {k: NONE if k == NONE else codes.get(k, f"#{k}") for k in keys}
    ids = [k[1] for k in keys if isinstance(k, tuple) and k[1] is not None]
    services = {sid: (name, code) for sid, name, code in session.exec(
        select(Service.id, Service.name, Service.code).where(col(Service.id).in_(ids))).all()} if ids else {}
    names = [services[i][0] for i in ids if i in services]
    out: dict[Any, str] = {}
    for k in keys:
        if k == NONE:
            out[k] = NONE
        elif k[1] is None:
            out[k] = KIND_LABELS.get(k[0], f"({k[0]})")
        elif k[1] in services:
            name, code = services[k[1]]
            out[k] = f"{name} [{code}]" if names.count(name) > 1 else name  # two services of one name
        else:
            out[k] = f"service #{k[1]}"
    return out
