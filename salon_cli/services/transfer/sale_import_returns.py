"""Receipts that give money back: refunds of earlier sales, imported once.

A receipt of another system coming to less than zero (returned items, `OIL9.5ML -50.00`) is no sale:
it gives money back from an earlier sale, as a refund at the desk would. The earlier sale is
- the one its `refund_of` column names (a receipt of this file or already here; `LOCATION:ID` for a
  sale made at our desk, as our exports key it), else
- for each returned line, the newest earlier sale (of this file or already here) of the same client
  holding that item with enough left to refund, else the newest earlier sale of that client with
  enough left (a receipt that also sells something is matched as a whole, by its first returned item).
A return with none is a fault naming the receipt, the item and the client as the file names them.

The money goes back as `Refund` rows (succeeded) dated the return's day and time, against the earlier
sale's payments (newest first, as at the desk), by the row's method (else the payment's), with reason
`imported return <receipt>` (so a second import of the file finds them and writes nothing twice), and
the staff member who gave it back: the rows' one staff member; when they name several, one refund each
if each one's rows give money back, else one refund without a staff member (revenue by staff then
follows the earlier sale's lines, as for a refund at the desk). The earlier sale's `refunded_cents` and
status follow. A return that our own export wrote for one of our refunds (`<receipt>-R<refund id>`) is
here when that refund is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.money import format_amount
from salon_cli.core.recurrence import resolve
from salon_cli.db.models import Payment, Refund, Sale, SaleLine
from salon_cli.io.tabular import Fault
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import Ref
from salon_cli.services.transfer.sale_import_here import chunks, desk_sale
from salon_cli.services.transfer.sale_import_receipts import Receipt
from salon_cli.services.transfer.sale_import_rows import Row

REASON = "imported return "
_REFUNDABLE = ("paid", "partially_refunded")
_OURS = re.compile(r"-R(\d{1,10})$")


@dataclass(eq=False)
class Earlier:
    """A sale a return may give money back from: new in this file (`key`) or here already (`sale_id`)."""

    label: str  # its receipt, as messages name it
    client_id: int | None
    when: tuple[date, datetime, int]  # its day, time and row (0: here already): earlier sorts first
    items: set[tuple[str, int]]
    left: int
    key: str | None = None
    sale_id: int | None = None


@dataclass(eq=False)
class GiveBack:
    """One refund to write."""

    receipt: Receipt
    earlier: Earlier
    amount: int
    staff: Ref | None
    method: str | None
    rows: list[Row] = field(default_factory=list)


def _instant(r: Receipt, location: LocationView) -> datetime:
    return next((row.at for row in r.rows if row.at), None) or resolve(datetime.combine(r.first.day, time(0)),
                                                                       location.tz).at


def here(session: Session, location: LocationView, receipts: Sequence[Receipt]) -> set[str]:
    """The returns imported already (by their refunds' reason), and those our export wrote for refunds here."""
    returns = [r for r in receipts if r.gives_back]
    found: set[str] = set()
    for chunk in chunks(REASON + r.key for r in returns):
        query = sa.select(col(Refund.reason)).where(Refund.location_id == location.id, col(Refund.reason).in_(chunk))
        found.update(reason.removeprefix(REASON) for reason in session.execute(query).scalars())
    ours = {int(m.group(1)): r for r in returns if r.first.refund_of and (m := _OURS.search(r.key))}
    for chunk in chunks(ours):
        query = sa.select(col(Refund.id), col(Refund.amount_cents), col(Sale.id), col(Sale.external_id)).join(
            Sale, col(Sale.id) == Refund.sale_id).where(
            Refund.location_id == location.id, col(Refund.id).in_(chunk), col(Refund.status) == "succeeded")
        for rid, amount, sale_id, external in session.execute(query):
            r = ours[rid]
            if amount == -r.total and r.first.refund_of in (external, f"{location.code}:{sale_id}"):
                found.add(r.key)
    return found


# ----------------------------------------------------------------------------- which sale each gives back from

def plan(session: Session, location: LocationView, returns: Sequence[Receipt], sales: Sequence[Receipt],
         faults: list[Fault]) -> list[GiveBack]:
    """The refunds of the new returns, each from its earlier sale (see the module), or faults."""
    if not returns:
        return []
    earlier = _in_file(sales, location) + _here(session, location, returns)
    by_client: dict[int, list[Earlier]] = {}  # each client's sales, the newest first
    for e in sorted(earlier, key=lambda e: e.when, reverse=True):
        if e.client_id is not None:
            by_client.setdefault(e.client_id, []).append(e)
    out: list[GiveBack] = []
    for r in sorted(returns, key=lambda x: x.first.number):
        out += _one(r, earlier, by_client, location, faults)
    return out


def _in_file(sales: Sequence[Receipt], location: LocationView) -> list[Earlier]:
    out = []
    for r in sales:
        fig = r.first.figures or {}
        if fig.get("status", "paid") not in _REFUNDABLE:
            continue
        items = {(row.item_kind, row.item_id) for row in r.rows
                 if row.item_kind and row.item_id is not None and row.kind != "return"}
        paid = sum(amount for _, amount, _, _ in r.tenders if amount > 0)
        out.append(Earlier(r.key, next((x.client_id for x in r.rows if x.client_id), None),
                           (r.first.day, _instant(r, location), r.first.number), items,  # type: ignore[arg-type]
                           paid - fig.get("refunded_cents", 0), key=r.key))
    return out


def _here(session: Session, location: LocationView, returns: Sequence[Receipt]) -> list[Earlier]:
    """The sales here that the returns' clients or `refund_of` cells may mean, with what is left of each."""
    clients = {row.client_id for r in returns for row in r.rows if row.client_id and row.client_id > 0}
    named = {row.refund_of for r in returns for row in r.rows if row.refund_of}
    desk = {n for ref in named if (n := desk_sale(ref, location)) is not None}
    wanted = [col(Sale.client_id).in_(sorted(clients)), col(Sale.external_id).in_(sorted(named)),
              col(Sale.id).in_(sorted(desk))]
    wanted += [col(Sale.external_id).like(re.sub(r"([\\%_])", r"\\\1", ref) + "/%", escape="\\") for ref in named]
    query = sa.select(col(Sale.id), col(Sale.external_id), col(Sale.client_id), col(Sale.business_date),
                      col(Sale.paid_at), col(Sale.created_at)).where(
        Sale.location_id == location.id, col(Sale.status).in_(_REFUNDABLE), sa.or_(*wanted))
    sales = {sid: Earlier(ext or f"{location.code}:{sid}", client, (day, paid or made, 0), set(), 0, sale_id=sid)
             for sid, ext, client, day, paid, made in session.execute(query)}
    for chunk in chunks(sales):
        for sid, paid in session.execute(
                sa.select(col(Payment.sale_id), sa.func.sum(Payment.amount_cents)).where(
                    col(Payment.sale_id).in_(chunk), col(Payment.status) == "succeeded").group_by(Payment.sale_id)):
            sales[sid].left += int(paid)
        for sid, back in session.execute(
                sa.select(col(Refund.sale_id), sa.func.sum(Refund.amount_cents)).where(
                    col(Refund.sale_id).in_(chunk), col(Refund.status).in_(("pending", "succeeded")))
                .group_by(Refund.sale_id)):
            sales[sid].left -= int(back)
        for sid, service_id, product_id in session.execute(
                sa.select(col(SaleLine.sale_id), col(SaleLine.service_id), col(SaleLine.product_id)).where(
                    col(SaleLine.sale_id).in_(chunk), col(SaleLine.kind) != "return")):
            sales[sid].items.update(item for item in (("service", service_id), ("product", product_id)) if item[1])
    return list(sales.values())


def _one(r: Receipt, earlier: list[Earlier], by_client: dict[int, list[Earlier]], location: LocationView,
         faults: list[Fault]) -> list[GiveBack]:
    currency, before = location.currency, len(faults)
    named = [row for row in r.rows if row.refund_of]
    faults += [Fault(row.number, "refund_of", f"receipt {r.receipt} gives back from {named[0].refund_of} on row "
                     f"{named[0].number}") for row in named[1:] if row.refund_of != named[0].refund_of]
    client = next((row.client_id for row in r.rows if row.client_id), None)
    when = (r.first.day, _instant(r, location), r.first.number)
    buckets: dict[int, tuple[Earlier, list[Row]]] = {}
    if named:
        ref = named[0].refund_of or ""
        desk = desk_sale(ref, location)
        fits = [e for e in earlier if e.label == ref or e.label.startswith(ref + "/") or (desk and e.sale_id == desk)]
        target = next((e for e in fits if e.client_id == client), fits[0] if fits else None)
        amount = -r.total
        if target is None:
            faults.append(Fault(named[0].number, "refund_of", f"receipt {r.receipt} gives back "
                                f"{format_amount(amount, currency)} from receipt {ref}, which is neither here nor in "
                                "this file"))
        elif target.left < amount:
            faults.append(Fault(named[0].number, "refund_of", f"receipt {r.receipt} gives back "
                                f"{format_amount(amount, currency)} and receipt {target.label} has "
                                f"{format_amount(max(target.left, 0), currency)} left to refund"))
        else:
            target.left -= amount
            buckets[id(target)] = (target, list(r.rows))
    else:
        per_line = all(row.total < 0 for row in r.rows)  # else it also sells: matched whole, by its first return
        for row in r.rows if per_line else [next(x for x in r.rows if x.total < 0)]:
            amount = -row.total if per_line else -r.total
            target = _newest(by_client.get(client, []) if client is not None else None, when, row, amount)
            if target is None:
                faults.append(_nothing_to_refund(r, row, amount, client, currency))
                continue
            target.left -= amount
            buckets.setdefault(id(target), (target, []))[1].extend([row] if per_line else r.rows)
    if len(faults) > before:
        return []
    return [give for target, rows in buckets.values() for give in _by_staff(r, target, rows)]


def _newest(theirs: list[Earlier] | None, when: tuple[Any, ...], row: Row, amount: int) -> Earlier | None:
    """The client's newest earlier sale holding the row's item with enough left, else their newest with enough."""
    before = [e for e in theirs or () if e.when < when and e.left >= amount]
    item = (row.item_kind, row.item_id) if row.kind == "return" else None
    return next((e for e in before if item in e.items), before[0] if before else None)


def _nothing_to_refund(r: Receipt, row: Row, amount: int, client: int | None, currency: str) -> Fault:
    what = f"{format_amount(amount, currency)} of {row.description}"
    if client is None:
        return Fault(row.number, "client", f"receipt {r.receipt} gives back {what} and names no client: give "
                     "refund_of (the receipt it gives back from)")
    who = next((x.client_cell for x in r.rows if x.client_id), "")
    return Fault(row.number, "amount", f"receipt {r.receipt} gives back {what} and client {who} has no earlier "
                 "sale to refund it from: import the earlier receipts first, or give refund_of")


def _by_staff(r: Receipt, target: Earlier, rows: list[Row]) -> list[GiveBack]:
    """One refund for the rows' one staff member; one each when several each give money back; else one
    without a staff member."""
    method = next((row.method for row in rows if row.method), None)
    staff: dict[int, tuple[Ref | None, int]] = {}
    for row in rows:
        ref, amount = staff.get(id(row.staff), (row.staff, 0))
        staff[id(row.staff)] = (ref, amount - row.total)
    if len(staff) > 1 and not all(amount > 0 for _, amount in staff.values()):
        staff = {0: (None, -sum(row.total for row in rows))}
    return [GiveBack(r, target, amount, ref, method, rows) for ref, amount in staff.values()]


# ----------------------------------------------------------------------------- writing

def write(session: Session, actor: Actor, location: LocationView, gives: Sequence[GiveBack],
          sale_ids: dict[str, int]) -> None:
    """The refunds, against the earlier sales' payments (newest first), and those sales' figures."""
    if not gives:
        return
    now = clock.now()
    ids = {id(g): g.earlier.sale_id or sale_ids[g.earlier.key or ""] for g in gives}
    room: dict[int, list[list[Any]]] = {}
    for chunk in chunks(ids.values()):
        query = sa.select(col(Payment.id), col(Payment.sale_id), col(Payment.method), col(Payment.amount_cents)).where(
            col(Payment.sale_id).in_(chunk), col(Payment.status) == "succeeded").order_by(col(Payment.id).desc())
        for pid, sid, method, amount in session.execute(query):
            room.setdefault(sid, []).append([pid, method, int(amount)])
    taken: dict[int, int] = {}
    for chunk in chunks(p[0] for ps in room.values() for p in ps):
        taken.update((pid, int(n)) for pid, n in session.execute(
            sa.select(col(Refund.payment_id), sa.func.sum(Refund.amount_cents)).where(
                col(Refund.payment_id).in_(chunk), col(Refund.status).in_(("pending", "succeeded")))
            .group_by(Refund.payment_id)))
    for payments in room.values():
        for payment in payments:
            payment[2] -= taken.get(payment[0], 0)
    refunds, back = [], {}
    for g in gives:
        sale_id, left, at = ids[id(g)], g.amount, _instant(g.receipt, location)
        back[sale_id] = back.get(sale_id, 0) + g.amount
        for payment in room.get(sale_id, []):
            take = min(left, payment[2])
            if take <= 0:
                continue
            payment[2], left = payment[2] - take, left - take
            refunds.append({"sale_id": sale_id, "payment_id": payment[0], "location_id": location.id,
                            "method": g.method or payment[1], "status": "succeeded", "amount_cents": take,
                            "reason": REASON + g.receipt.key, "business_date": g.receipt.first.day,
                            "staff_id": g.staff.id if g.staff else None, "created_at": at, "created_by_id": actor.id,
                            "succeeded_at": at, "updated_at": now})
    session.execute(sa.insert(Refund.__table__), refunds)  # type: ignore[attr-defined]
    for sale_id, amount in back.items():
        refunded = col(Sale.refunded_cents) + amount
        session.execute(sa.update(Sale).where(col(Sale.id) == sale_id).values(
            refunded_cents=refunded, updated_at=now,
            status=sa.case((refunded >= col(Sale.paid_cents), "refunded"), else_="partially_refunded")))
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("sale.import_return", "sale", ids[id(g)], None,
         {"receipt": g.receipt.key, "amount_cents": g.amount, "staff": g.staff.code if g.staff else None,
          "import_row": g.receipt.first.number})
        for g in gives))
