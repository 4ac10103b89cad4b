"""A sales file's rows as receipts: grouped, one sale per client, priced to the cent, and paid.

`group` gathers the rows sharing a `receipt` (all of one day). A receipt of several clients (a
mother and daughter who paid together) is one sale per client, in the order each client first
appears: the first client's sale keeps the receipt as its key (its `external_id`), the others are
`<receipt>/2`, `<receipt>/3`; a row without a client belongs to the first client's sale. Each sale is
paid by its own rows' methods and tips. A row of our own export (`salon export sales`) is a whole
sale on its own.

`price` turns each sale's rows into lines. Per tax name, the sale's tax is the exact sum of its
lines' cells (3.1875 + 1.0625) rounded once, half up, and split back over the lines by largest
remainder (`tax_basis.round_receipt`), so the lines add up to it. A line's `amount` is its total
(the taxes in it) or, when the amounts are before tax, its total less them; `discount` is a positive
line's discount, the amount being after it. A negative line of a sale is a `return` line when its
description names a service or product (or its `kind` says return), else a `discount` line: its
gross, net, tax and total are negative and it carries its own size as its discount, so the sale's
`subtotal_cents` is the positive lines' gross and its `discount_cents` the negative lines' (with the
positive lines' own discounts). A receipt whose total is below zero gives money back: it is no sale
but a refund of an earlier one (`sale_import_returns`).

`sale.source` keeps the receipt as the file gave it: {"receipt", "clients" (every client of the
receipt, as the file names them), "amount" and "tax" {NAME: exact sum}}, decimal strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from salon_cli.core.money import exponent, format_amount
from salon_cli.core.sale_math import round_half_up_div
from salon_cli.io.tabular import Fault
from salon_cli.services.transfer.sale_import_catalog import ITEM_KINDS, Catalog
from salon_cli.services.transfer.sale_import_rows import Row, Tax
from salon_cli.services.transfer.tax_basis import round_receipt

KEY_MOST = 64  # Sale.external_id
_ZERO = Decimal(0)
NEGATIVE_KINDS = ("discount", "return")


@dataclass(eq=False)
class Receipt:
    """One sale (or, with a total below zero, one return) of the file."""

    key: str  # the sale's external id: the receipt, or `<receipt>/2` for its second client
    receipt: str  # as the file names it
    rows: list[Row] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)  # every client of the file's receipt, as the file names them
    tenders: list[tuple[str, int, int, int]] = field(default_factory=list)  # (method, amount, tip, first row)
    source: dict[str, Any] | None = None
    total: int = 0  # the lines' totals, once priced
    gives_back: bool = False  # a receipt of another system coming to less than zero: a return of an earlier sale

    @property
    def first(self) -> Row:
        return self.rows[0]


def group(rows: Sequence[Row], faults: list[Fault]) -> list[Receipt]:
    """Rows sharing a receipt, all of one day: one sale per client. A row of our export is a sale."""
    receipts: dict[str, list[Row]] = {}
    for row in rows:
        same = receipts.setdefault(row.receipt, [])
        first = same[0] if same else None
        if first is not None and (row.figures is not None or first.figures is not None):
            faults.append(Fault(row.number, row.receipt_column, f"sale {row.receipt} is also on row {first.number}"))
            continue
        if first is not None and row.day != first.day:
            faults.append(Fault(row.number, row.date_column, f"receipt {row.receipt} is dated "
                                f"{first.day.isoformat()} on row {first.number}"))
        same.append(row)
    out: list[Receipt] = []
    for receipt, same in receipts.items():
        out += _by_client(receipt, same, faults)
    keys: dict[str, Receipt] = {}
    for r in out:
        other = keys.setdefault(r.key, r)
        if other is not r:  # a file's receipt `R-1/2` beside a receipt R-1 of two clients
            faults.append(Fault(r.first.number, r.first.receipt_column, f"receipt {r.key} is also the sale of "
                                f"receipt {other.receipt}'s client {other.first.client_cell} (row {other.first.number})"))
    return out


def _by_client(receipt: str, rows: list[Row], faults: list[Fault]) -> list[Receipt]:
    firsts: dict[int, Row] = {}  # each client's first row, in the order they appear
    for row in rows:
        if row.client_id is not None and row.client_id not in firsts:
            firsts[row.client_id] = row
    cells = [row.client_cell for row in firsts.values()]
    if len(firsts) < 2:  # most receipts: one client, or none
        return [Receipt(receipt, receipt, rows, cells)]
    parts = {cid: Receipt(receipt if n == 0 else f"{receipt}/{n + 1}", receipt, clients=cells)
             for n, cid in enumerate(firsts)}
    first = next(iter(parts.values()))
    for row in rows:  # a row without a client is the first client's
        parts.get(row.client_id, first).rows.append(row)  # type: ignore[arg-type]
    for part in parts.values():
        if len(part.key) > KEY_MOST:
            faults.append(Fault(part.first.number, part.first.receipt_column, f"receipt {receipt} has several "
                                f"clients: its sale for {part.first.client_cell} would be {part.key}, longer than "
                                f"{KEY_MOST} characters"))
    return list(parts.values())


# ----------------------------------------------------------------------------- the lines' figures

def price(receipts: Sequence[Receipt], taxes: dict[str, Tax], before: bool, currency: str, catalog: Catalog,
          faults: list[Fault]) -> None:
    """Each row's line: kind, item, and figures in minor units (see the module)."""
    places = exponent(currency)
    for r in receipts:
        if r.first.figures is not None:
            row = r.first
            found = catalog.find(row.description)
            row.kind, row.item_id = found or ("service", None)
            row.item_kind = row.kind if found else None
            r.total = row.total
            continue
        _tax_lines(r, taxes, currency, places)
        for row in r.rows:
            _figures(row, before, currency, faults)
        r.total = sum(row.total for row in r.rows)
        r.gives_back = r.total < 0
        for row in r.rows:
            if r.gives_back:  # no line is written: what it names only helps find the sale it gives back from
                row.kind, (row.item_kind, row.item_id) = "return", catalog.find(row.description) or (None, None)
            else:
                _classify(row, catalog, faults)
        r.source = _source(r, taxes, currency)


def _tax_lines(r: Receipt, taxes: dict[str, Tax], currency: str, places: int) -> None:
    """Each tax of the sale rounded once over its lines, and split back over them."""
    for row in r.rows:
        row.taxes = []
    if len(r.rows) == 1:  # one line: its cells rounded (the same as over a receipt, without the split)
        row = r.rows[0]
        row.taxes = [(taxes[name], int(cell.scaleb(places).to_integral_value(ROUND_HALF_UP))) for name, cell in row.exact]
        return
    fields = list(dict.fromkeys(name for row in r.rows for name, _ in row.exact))
    for name in fields:
        cells = [dict(row.exact).get(name) for row in r.rows]
        scaled = [cell.scaleb(places) if cell is not None else _ZERO for cell in cells]
        whole = [int(x) for x in scaled]
        # cells in whole minor units need no rounding: they are their own split
        parts = whole if whole == scaled else round_receipt([cell or _ZERO for cell in cells], currency)[1]
        for row, cell, part in zip(r.rows, cells, parts, strict=True):
            if cell is not None:
                row.taxes.append((taxes[name], part))


def _figures(row: Row, before: bool, currency: str, faults: list[Fault]) -> None:
    included = sum(c for t, c in row.taxes if t.inclusive)
    on_top = sum(c for t, c in row.taxes if not t.inclusive)
    row.tax = included + on_top
    row.total = row.amount + (on_top if before else 0)
    negative = row.total < 0
    row.gross = row.total - on_top + (0 if negative else row.discount)
    row.net = net = row.gross - (0 if negative else row.discount) - included
    # a negative line is the discount (or the return) itself: it carries its own size as the sale's discount
    row.line_discount = -row.gross if negative else row.discount
    if min(row.gross, net) < 0 if not negative else max(row.gross, net) > 0:
        faults.append(Fault(row.number, "amount", f"the taxes ({format_amount(row.tax, currency)}) are more than "
                            f"the amount ({format_amount(row.amount, currency)})"))


def _classify(row: Row, catalog: Catalog, faults: list[Fault]) -> None:
    """The line's kind and its service or product: a negative line is a return of one, else a discount."""
    given = row.kind_given
    wanted = given if given in ITEM_KINDS else None
    found = catalog.find(row.description, wanted) if given in (None, "return", *ITEM_KINDS) else None
    if row.total >= 0 and given in NEGATIVE_KINDS and row.total:
        faults.append(Fault(row.number, "kind", f"a {given} line is negative, not {row.values['amount'].strip()}"))
    elif row.total >= 0:
        row.kind = given or (found[0] if found else "service")
        row.item_kind, row.item_id = found if found is not None and found[0] == row.kind else (None, None)
    elif found is not None:
        row.kind, (row.item_kind, row.item_id) = "return", found
    elif given in (None, "discount"):
        row.kind = "discount"
    elif given == "return" or given in ITEM_KINDS:
        faults.append(Fault(row.number, "description", f"{row.description!r} is no {wanted or 'service or product'} "
                            f"here: a negative {given} line gives one back"))
    else:
        faults.append(Fault(row.number, "kind", f"a {given} line cannot be negative"))


def unit_price(row: Row) -> int:
    """What one of the line's items cost, for show (the line's figures are the file's)."""
    return round_half_up_div(abs(row.gross), row.quantity)


def _source(r: Receipt, taxes: dict[str, Tax], currency: str) -> dict[str, Any]:
    places = exponent(currency)
    sums: dict[str, Decimal] = {}
    for row in r.rows:
        for name, cell in row.exact:
            sums[taxes[name].name] = sums.get(taxes[name].name, Decimal(0)) + cell
    out: dict[str, Any] = {"receipt": r.receipt}
    if r.clients:
        out["clients"] = r.clients
    out["amount"] = str(Decimal(sum(row.amount for row in r.rows)).scaleb(-places))
    if any(row.discount for row in r.rows):
        out["discount"] = str(Decimal(sum(row.discount for row in r.rows)).scaleb(-places))
    if sums:
        out["tax"] = {name: str(value) for name, value in sums.items()}
    return out


# ----------------------------------------------------------------------------- payments

def pay(receipts: Sequence[Receipt], currency: str, faults: list[Fault]) -> None:
    """Each sale's payments (`Receipt.tenders`); a return's are the money it gives back (none here)."""
    for r in receipts:
        r.tenders = [] if r.gives_back else _tenders(r, currency, faults)
        for method, amount, tip, number in r.tenders:
            if tip and not amount:
                faults.append(Fault(number, "tip", f"a tip paid by {method} on a receipt with nothing paid by {method}"))
        if r.gives_back:
            faults += [Fault(row.number, "tip", f"receipt {r.receipt} gives money back: it has no tip")
                       for row in r.rows if row.tip]
        elif r.first.figures is None:
            named = next((row for row in r.rows if row.refund_of), None)
            if named is not None:
                faults.append(Fault(named.number, "refund_of", f"receipt {r.receipt} comes to "
                                    f"{format_amount(r.total, currency)}: only a receipt giving money back refunds another"))


def _tenders(r: Receipt, currency: str, faults: list[Fault]) -> list[tuple[str, int, int, int]]:
    """(method, amount, tip, first row): one payment each. The `tenders` cell when the rows give it,
    else one per method named on the rows (a row without one takes the receipt's first method, else
    `unknown`); money a negative line gave back in one method comes off the others. A row of our
    export: its `tenders` (else one payment of its single method, else `unknown`)."""
    first = r.first
    if first.figures is not None:
        if first.figures.get("tenders") is not None:
            return [(method, amount, tip, first.number) for method, amount, tip in first.figures["tenders"]]
        return [(first.method or "unknown", first.figures["paid_cents"], first.tip, first.number)]
    given = [row for row in r.rows if row.tenders is not None]
    if given:
        return _given_tenders(r, given, currency, faults)
    default = next((row.method for row in r.rows if row.method), None) or "unknown"
    found: dict[str, list[int]] = {}
    for row in r.rows:
        tender = found.setdefault(row.method or default, [0, 0, row.number])
        tender[0] += row.total
        tender[1] += row.tip
    owed = -sum(t[0] for t in found.values() if t[0] < 0)
    for tender in found.values():
        if tender[0] < 0:
            tender[0] = 0
        take = min(owed, tender[0])
        tender[0], owed = tender[0] - take, owed - take
    return [(method, amount, tip, number) for method, (amount, tip, number) in found.items()]


def _given_tenders(r: Receipt, given: list[Row], currency: str, faults: list[Fault]) -> list[tuple[str, int, int, int]]:
    first = given[0]
    faults += [Fault(row.number, "tenders", f"receipt {r.receipt} is paid {row.values['tenders'].strip()!r} "
                     f"here and {first.values['tenders'].strip()!r} on row {first.number}")
               for row in given[1:] if row.tenders != first.tenders]
    tenders = first.tenders or ()
    paid = sum(amount for _, amount, _ in tenders)
    if paid != r.total:
        faults.append(Fault(first.number, "tenders", f"the tenders of receipt {r.receipt} add up to "
                            f"{format_amount(paid, currency)}, not its total {format_amount(r.total, currency)}"))
    return [(method, amount, tip, first.number) for method, amount, tip in tenders]
