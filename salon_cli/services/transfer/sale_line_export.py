"""`salon export sales --lines` (`salon export sale-lines`): one row a sale line, as `salon import sales` reads them.

A row names its receipt (the sale's external id, else `LOCATION:ID` as `salon export sales` keys it),
its business day (`date`), the time the sale was paid on the location's clock (`time`, HH:MM:SS), the client
(their external code, else phone, else e-mail, else id: what the import finds them by), the staff
member who did the line (`staff`, a code), `description`, `kind`, `quantity`, `amount` (the line's
total in major units: after its share of the discount, with its taxes), `discount` (that share), one
`tax:NAME` column per tax the period's sales carry (the line's amount of it), `method` (the sale's one
method, else empty) and `tenders` (every payment as `method:amount_cents:tip_cents`, on every row of
the sale; `tip` stays empty: the tips are in the tenders). `sale_id`, `line` and `net_cents` say where
a row comes from; the import does not read them.

The sales exported are those that took money (paid, partially refunded, refunded) on the business
days `first..last`; an open sale took none yet and a void one never will (the void is in `salon export
sales` and the audit). Each succeeded refund made on those days follows as a receipt of its own,
`<receipt>-R<refund id>`, dated the day the money went back, with `refund_of` naming the sale's
receipt and negative amounts: the refund split over the sale's lines as `report revenue` splits it
(`closing.revenue.refund_split`, each share into its pre-tax part and its taxes). Its `staff` is who
gave the money back, when the refund says (an imported return): revenue by staff takes the refund from
them; else it is empty, and revenue by staff follows the sale's lines, here and once imported (one
refund without a staff member), so that revenue by day and by staff member imports as it was.

Rows are read in keyset pages (`sale_export.keyset`): sales by id, then refunds by id.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.errors import RuleViolation
from salon_cli.core.money import format_amount
from salon_cli.core.sale_math import allocate
from salon_cli.db.models import Client, Refund, Sale, SaleLine, Staff
from salon_cli.services.closing.revenue import refund_split
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.sale_export import check_window, keyset, methods_and_tenders

FIXED = ["receipt", "date", "time", "client", "staff", "description", "kind", "quantity", "amount", "discount",
         "method", "tenders", "tip", "refund_of", "sale_id", "line", "net_cents"]
INFORMATIVE = ("sale_id", "line", "net_cents")  # where a row comes from: not imported
TOOK_MONEY = ("paid", "partially_refunded", "refunded")
RETURN = "return"  # the kind of a refund's rows
_CHUNK = 500

_SALE_QUERY = (col(Sale.id), col(Sale.business_date), col(Sale.paid_at), col(Sale.created_at), col(Sale.external_id),
               col(Sale.client_id), col(Client.external_code), col(Client.phone), col(Client.email))
_REFUND_QUERY = (col(Refund.id), col(Refund.sale_id), col(Refund.amount_cents), col(Refund.method),
                 col(Refund.business_date), col(Refund.succeeded_at), col(Refund.created_at), col(Refund.staff_id),
                 col(Sale.external_id), col(Sale.client_id), col(Client.external_code), col(Client.phone),
                 col(Client.email))


@dataclass(frozen=True)
class _Line:
    """A sale line as the rows need it; `net_cents` and `total_cents` are what `refund_split` reads."""

    sale_id: int
    position: int
    kind: str
    description: str
    quantity: int
    discount_cents: int
    net_cents: int
    total_cents: int
    taxes: tuple[tuple[str, int], ...]  # (name, amount_cents)
    staff_id: int | None


def columns(session: Session, *, location: LocationView, first: date | None = None,
            last: date | None = None) -> list[str]:
    """`FIXED` and a `tax:NAME` column for each tax the exported sales and refunded sales carry."""
    check_window(first, last)
    return FIXED + [f"tax:{name}" for name in _tax_names(session, location, first, last)]


def sale_lines(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
               batch: int = 500) -> Iterator[dict[str, Any]]:
    """One dict a row (`columns`' keys), from a generator over keyset pages: every line of the sales that
    took money on business days `first..last`, then every refund made on those days."""
    check_window(first, last)  # refused here, before the first row
    taxes = {name.casefold(): f"tax:{name}" for name in _tax_names(session, location, first, last)}
    staff = {staff_id: code for staff_id, code in session.execute(sa.select(col(Staff.id), col(Staff.code)))}
    order = FIXED + list(taxes.values())
    rows = itertools.chain(_sale_rows(session, location, first, last, batch, taxes, staff),
                           _refund_rows(session, location, first, last, batch, taxes, staff))
    return ({column: row.get(column) for column in order} for row in rows)  # a tax a line has not: None


def _within(query: Any, column: Any, first: date | None, last: date | None) -> Any:
    if first is not None:
        query = query.where(column >= first)
    if last is not None:
        query = query.where(column <= last)
    return query


def _tax_names(session: Session, location: LocationView, first: date | None, last: date | None) -> list[str]:
    """The taxes of the sales exported and of those refunded in the window: the names of `sale.taxes`,
    which every line's taxes come from (one spelling of a name, whatever its case)."""
    texts = sa.cast(col(Sale.taxes), sa.Text)
    sold = _within(sa.select(texts).where(Sale.location_id == location.id, col(Sale.status).in_(TOOK_MONEY)),
                   col(Sale.business_date), first, last)
    refunded = _within(sa.select(texts).join(Refund, col(Refund.sale_id) == Sale.id)
                       .where(Refund.location_id == location.id, col(Refund.status) == "succeeded"),
                       col(Refund.business_date), first, last)
    found: dict[str, str] = {}
    for text in session.execute(sa.union(sold, refunded)).scalars():
        for tax in (json.loads(text) if text else None) or []:  # JSON null: a sale without taxes
            found.setdefault(str(tax.get("name", "")).casefold(), str(tax.get("name", "")))
    return sorted(found.values(), key=str.casefold)


def _lines(session: Session, sale_ids: Sequence[int]) -> dict[int, list[_Line]]:
    """Each sale's lines in `refund_split`'s order (position, then id)."""
    found: dict[int, list[_Line]] = defaultdict(list)
    ids = sorted(set(sale_ids))
    for at in range(0, len(ids), _CHUNK):
        query = (sa.select(col(SaleLine.sale_id), col(SaleLine.position), col(SaleLine.kind),
                           col(SaleLine.description), col(SaleLine.quantity), col(SaleLine.discount_cents),
                           col(SaleLine.net_cents), col(SaleLine.total_cents), col(SaleLine.taxes),
                           col(SaleLine.staff_id))
                 .where(col(SaleLine.sale_id).in_(ids[at:at + _CHUNK]))
                 .order_by(col(SaleLine.sale_id), col(SaleLine.position), col(SaleLine.id)))
        for row in session.execute(query):
            taxes = tuple((str(t["name"]), int(t.get("amount_cents", 0))) for t in row.taxes or [])
            found[row.sale_id].append(_Line(row.sale_id, row.position, row.kind, row.description, row.quantity,
                                            row.discount_cents, row.net_cents, row.total_cents, taxes, row.staff_id))
    return found


def _client(row: Any) -> str:
    """What `salon import sales` finds the client by: external code, phone, e-mail, else our id."""
    if row.client_id is None:
        return ""
    return row.external_code or row.phone or row.email or str(row.client_id)


def _tax_cells(line: _Line, amounts: Sequence[int], taxes: dict[str, str], currency: str) -> dict[str, str]:
    cells: dict[str, str] = {}
    for (name, _), amount in zip(line.taxes, amounts, strict=True):
        column = taxes.get(name.casefold())
        if column is None:  # cannot be: a line is taxed with its sale's taxes (`core.sale_math`)
            raise RuleViolation(f"sale {line.sale_id} line {line.position + 1} has a tax {name!r} its sale does not "
                                "list; salon export sales -f json shows it")
        cells[column] = format_amount(amount, currency)
    return cells


def _sale_rows(session: Session, location: LocationView, first: date | None, last: date | None, batch: int,
               taxes: dict[str, str], staff: dict[int, str]) -> Iterator[dict[str, Any]]:
    query = _within(sa.select(*_SALE_QUERY).outerjoin(Client, col(Client.id) == Sale.client_id)
                    .where(Sale.location_id == location.id, col(Sale.status).in_(TOOK_MONEY)),
                    col(Sale.business_date), first, last)
    currency, tz = location.currency, location.tz

    def page(rows: Sequence[Any]) -> Iterator[dict[str, Any]]:
        ids = [row.id for row in rows]
        methods, tenders = methods_and_tenders(session, ids)
        lines = _lines(session, ids)
        for row in rows:
            common = {"receipt": row.external_id or f"{location.code}:{row.id}", "date": row.business_date.isoformat(),
                      "time": _clock(row.paid_at or row.created_at, tz), "client": _client(row),
                      "method": methods[row.id][0] if len(methods.get(row.id, [])) == 1 else "",
                      "tenders": ";".join(tenders.get(row.id, [])), "tip": "", "refund_of": "", "sale_id": row.id}
            for line in lines.get(row.id, []):
                yield {**common, "staff": staff.get(line.staff_id, "") if line.staff_id else "",
                       "description": line.description, "kind": line.kind, "quantity": line.quantity,
                       "amount": format_amount(line.total_cents, currency),
                       "discount": format_amount(line.discount_cents, currency), "line": line.position + 1,
                       "net_cents": line.net_cents,
                       **_tax_cells(line, [amount for _, amount in line.taxes], taxes, currency)}

    return keyset(session, query, col(Sale.id), batch, page)


def _refund_rows(session: Session, location: LocationView, first: date | None, last: date | None, batch: int,
                 taxes: dict[str, str], staff: dict[int, str]) -> Iterator[dict[str, Any]]:
    query = _within(sa.select(*_REFUND_QUERY).join(Sale, col(Sale.id) == Refund.sale_id)
                    .outerjoin(Client, col(Client.id) == Sale.client_id)
                    .where(Refund.location_id == location.id, col(Refund.status) == "succeeded"),
                    col(Refund.business_date), first, last)
    currency, tz = location.currency, location.tz

    def page(rows: Sequence[Any]) -> Iterator[dict[str, Any]]:
        lines = _lines(session, [row.sale_id for row in rows])
        for row in rows:
            receipt = row.external_id or f"{location.code}:{row.sale_id}"
            common = {"receipt": f"{receipt}-R{row.id}", "date": row.business_date.isoformat(),
                      "time": _clock(row.succeeded_at or row.created_at, tz), "client": _client(row),
                      "staff": staff.get(row.staff_id, "") if row.staff_id else "",
                      "kind": RETURN, "quantity": 1, "discount": format_amount(0, currency), "method": row.method,
                      "tenders": "", "tip": "", "refund_of": receipt, "sale_id": row.sale_id}
            split = refund_split(row.amount_cents, lines.get(row.sale_id, []))  # type: ignore[arg-type]
            for line, pre_tax, tax in split:
                if not pre_tax + tax:
                    continue
                weights = [abs(amount) for _, amount in line.taxes]
                # a share of a discount or return line is negative: split its size, then give the sign back
                parts = allocate(abs(tax), weights) if sum(weights) else [0] * len(weights)
                parts = [-part for part in parts] if tax < 0 else parts
                yield {**common, "description": line.description,
                       "amount": format_amount(-(pre_tax + tax), currency), "line": line.position + 1,
                       "net_cents": -pre_tax, **_tax_cells(line, [-part for part in parts], taxes, currency)}

    return keyset(session, query, col(Refund.id), batch, page)


def _clock(at: datetime | None, tz: Any) -> str:
    return at.astimezone(tz).strftime("%H:%M:%S") if at is not None else ""
