"""One row of a sales file on its own: the columns read, and each value checked and parsed.

`check_row` turns a source row into a `Row` (a line of its receipt, or a whole sale of our own
export), or names its faults; `sale_import` groups the rows into receipts, resolves what they point
at and writes them. A line's money is read as the file has it: `amount` in minor units (negative for
a discount or a return), its `discount`, and each `tax:NAME` cell exactly (`Decimal`, any number of
decimals); its figures in minor units come once its receipt is known (`sale_import_receipts.price`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import parse_money_cell
from salon_cli.core.recurrence import resolve
from salon_cli.db.models import LINE_KINDS, SALE_STATUSES
from salon_cli.io.column_map import mapped_fields
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, delimiter_of, file_encoding, read_csv
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import Formats, Ref, _client_tries, _instant, _limited, _whole
from salon_cli.services.transfer.tax_basis import exact_tax

FIELDS = ("receipt", "date", "time", "client", "staff", "description", "quantity", "amount", "method", "tip",
          "discount", "kind", "tenders", "refund_of")
# where a row of `salon export sales --lines` comes from: read and left alone
INFORMATIVE = ("sale_id", "line", "net_cents")
EXPORTED = ("id", "location", "external_id", "business_date", "status", "client_id", "client_phone", "client_email",
            "subtotal_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents", "paid_cents",
            "refunded_cents", "methods", "tenders", "created_at", "paid_at", "appointment_id")
_FIGURES = ("subtotal_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents")
_METHODS = {"cash": "cash", "efectivo": "cash", "contado": "cash", "card": "card", "tarjeta": "card",
            "creditcard": "card", "debitcard": "card", "debit": "card", "debito": "card", "débito": "card",
            "tarjetadecredito": "card", "tarjetadecrédito": "card", "tarjetadedebito": "card",
            "tarjetadedébito": "card", "visa": "card", "mastercard": "card", "amex": "card",
            "americanexpress": "card", "terminal": "card", "stripe": "stripe", "giftcard": "gift_card",
            "tarjetaderegalo": "gift_card", "voucher": "gift_card", "transfer": "transfer",
            "banktransfer": "transfer", "transferencia": "transfer", "spei": "transfer", "credit": "credit",
            "points": "points", "puntos": "points", "unknown": "unknown"}


@dataclass(frozen=True)
class Tax:
    field: str  # the column's field, tax:NAME
    name: str
    rate_bp: int | None  # the policy's; None: a tax the policy does not have (its rate is read off the file)
    inclusive: bool  # in the price (the policy's flag, when the amounts include the taxes)


@dataclass(eq=False)
class Row:
    """One row of the file, checked; a line of its receipt. `gross` .. `taxes`, `kind` and `item_id`
    are its line's figures, set once its receipt is priced (a row of our export: when it is read)."""

    number: int
    values: dict[str, str]
    receipt: str
    receipt_column: str
    day: date
    date_column: str
    at: datetime | None
    clients: list[tuple[str, str, Any]]
    client_column: str
    staff_ref: str | None
    description: str
    quantity: int
    method: str | None
    tip: int
    amount: int = 0  # the `amount` cell in minor units, signed
    discount: int = 0  # the `discount` cell (a positive line's discount; amount is after it)
    exact: list[tuple[str, Decimal]] = field(default_factory=list)  # (tax field, the cell as written)
    kind_given: str | None = None
    tenders: tuple[tuple[str, int, int], ...] | None = None  # the `tenders` cell: (method, amount, tip)
    refund_of: str | None = None
    gross: int = 0
    net: int = 0
    tax: int = 0
    total: int = 0
    taxes: list[tuple[Tax, int]] = field(default_factory=list)
    line_discount: int = 0
    kind: str = "service"
    item_kind: str | None = None  # service or product: what `item_id` is (a return line's is either)
    item_id: int | None = None
    figures: dict[str, Any] | None = None  # a row of our export: its figures, status, instants
    client_id: int | None = None
    staff: Ref | None = None

    @property
    def client_cell(self) -> str:
        """The client as the file names it (`PERA01`), for messages and the sale's `source`."""
        return self.values.get(self.client_column, "").strip()


def read(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> list[SourceRow]:
    """Every row of the file; its `tax:NAME` columns (and those `--map` names) are fields too."""
    data = stream.read()
    taxes = _tax_fields(data, mapping or {}, encoding)
    rows = read_csv(io.BytesIO(data), fields=FIELDS + EXPORTED + INFORMATIVE + taxes, mapping=mapping,
                    encoding=encoding)
    have = set(rows[0].values) if rows else set()
    if "total_cents" in have:
        need: tuple[tuple[str, set[str]], ...] = (("business_date", {"business_date", "date"}),
                                                  ("id", {"id", "external_id"}))
        need += tuple((name, {name}) for name in _FIGURES)
        faults = [Fault(1, name, "required column is missing") for name, alts in need if not have & alts]
    else:
        faults = [Fault(1, name, "required column is missing") for name in ("receipt", "date", "description", "amount")
                  if rows and name not in have]
        faults += [Fault(1, name, "only files from `salon export sales` (with total_cents) have this column")
                   for name in EXPORTED if name in have and name not in (*FIELDS, "appointment_id")]
    if faults:
        raise ImportRefused(faults)
    return rows


def _tax_fields(data: bytes, mapping: dict[str, str], encoding: str) -> tuple[str, ...]:
    try:
        text = data[:65536].decode(file_encoding(encoding, data), errors="replace")
    except (LookupError, UnicodeError):  # not a text encoding, or one without "replace" (idna): read_csv says so
        return ()
    try:
        header = next(csv.reader(io.StringIO(text, newline=""),
                                 delimiter=delimiter_of(re.split(r"\r\n|\r|\n", text, maxsplit=1)[0])), [])
    except csv.Error:  # malformed: read_csv says where
        return ()
    found: dict[str, str] = {}
    for name in [*header, *mapped_fields(mapping)]:
        key = " ".join(name.strip().split())
        if key.lower().startswith("tax:") and key[4:].strip():
            found.setdefault(key.lower(), "tax:" + key[4:].strip())
    return tuple(found.values())


def check_row(src: SourceRow, location: LocationView, formats: Formats, taxes: dict[str, Tax],
              faults: list[Fault]) -> Row | None:
    v, tz, currency, before = src.values, location.tz, location.currency, len(faults)

    spaced = {name: " ".join(value.split()) for name, value in v.items()}  # each cell's spaces folded once

    def text(name: str) -> str:
        return spaced.get(name, "")

    def check(column: str, fn: Callable[[str], Any], default: Any = None) -> Any:
        given = spaced.get(column, "")
        if not given:
            return default
        try:
            return fn(given)
        except InvalidInput as exc:
            faults.append(Fault(src.number, column, exc.message))
            return None

    def need(column: str, fn: Callable[[str], Any]) -> Any:
        if text(column):
            return check(column, fn)
        faults.append(Fault(src.number, column, f"{column} is empty"))
        return None

    def money(column: str) -> int:
        return check(column, lambda t: parse_money_cell(t, currency, what=column, decimal=formats.decimal), 0) or 0

    clients, client_column = _client_tries(v, location, check)
    method = check("method", _method)
    quantity = check("quantity", _quantity, 1) or 1
    common = dict(number=src.number, values=v, clients=clients, client_column=client_column,
                  staff_ref=text("staff") or None, quantity=abs(quantity))
    if "total_cents" in v:
        return _check_exported(src, location, check, need, faults, before, common, method)
    receipt = need("receipt", lambda t: _limited(t, 64, "receipt"))
    day, at = need("date", formats.day_and_time) or (None, None)
    at = check("time", formats.time_of) if text("time") else at
    description = need("description", lambda t: _limited(t, 200, "description"))
    amount = need("amount", lambda t: parse_money_cell(t, currency, what="amount", allow_negative=True,
                                                       decimal=formats.decimal)) or 0
    tip, discount = money("tip"), money("discount")
    exact = [(tax.field, check(tax.field, lambda t, n=tax.field: _exact_tax(t, currency, formats.decimal, n)))
             for tax in taxes.values() if text(tax.field)]
    kind = check("kind", _kind)
    tenders = check("tenders", _tenders)
    refund_of = check("refund_of", lambda t: _limited(t, 64, "refund_of"))
    if quantity < 0 < amount:
        faults.append(Fault(src.number, "quantity", f"quantity {quantity} is negative on a line of {text('amount')}"))
    if len(faults) > before:
        return None
    instant = _instant_at(datetime.combine(day, at), tz) if at is not None else None
    return Row(**common, receipt=receipt, receipt_column="receipt", day=day, date_column="date", at=instant,
               description=description, method=method, tip=tip, amount=amount, discount=discount, exact=exact,
               kind_given=kind, tenders=tuple(tenders) if tenders is not None else None, refund_of=refund_of)


@lru_cache(maxsize=65536)
def _instant_at(wall: datetime, tz: Any) -> datetime:
    """The UTC instant of a line's wall time: the lines of a receipt share it."""
    return resolve(wall, tz).at


def _check_exported(src: SourceRow, location: LocationView, check: Callable[..., Any], need: Callable[..., Any],
                    faults: list[Fault], before: int, common: dict[str, Any], method: str | None) -> Row | None:
    """A row of `salon export sales`: its figures must add up the way the services keep them."""
    v, tz = src.values, location.tz
    given = check("external_id", lambda t: _limited(t, 64, "external id"))
    sale_id = check("id", lambda t: _whole(t, "id"))
    place = " ".join(v.get("location", "").split()) or location.code
    receipt = given or (f"{place}:{sale_id}" if sale_id is not None else None)
    if receipt is None and len(faults) == before:
        faults.append(Fault(src.number, "id", "a sale needs its id or external_id"))
    date_column = "business_date" if v.get("business_date", "").strip() else "date"
    day = need(date_column, lambda t: _iso_day(t))
    figures: dict[str, Any] = {name: need(name, lambda t, n=name: _whole(t, n)) for name in _FIGURES}
    status = check("status", _sale_status)
    methods = [m for m in (check("methods", lambda t: [_method(p) for p in re.split(r"[;,]", t) if p.strip()]) or [])
               if m]
    tenders = check("tenders", _tenders)
    stamps = {name: check(name, lambda t, n=name: _instant(t, tz, n)) for name in ("created_at", "paid_at")}
    appointment_id = check("appointment_id", lambda t: _whole(t, "appointment_id"))
    if len(faults) > before:
        return None
    f = figures
    base, bad = f["subtotal_cents"] - f["discount_cents"], len(faults)
    on_top = f["total_cents"] - base
    included = f["tax_cents"] - on_top
    if base < 0:
        faults.append(Fault(src.number, "discount_cents", "the discount is more than the subtotal"))
    elif not 0 <= on_top <= f["tax_cents"] or included > base:
        faults.append(Fault(src.number, "total_cents", "total_cents is not subtotal - discount + the taxes not included"))
    if f["paid_cents"] > f["total_cents"]:
        faults.append(Fault(src.number, "paid_cents", "paid_cents is more than total_cents"))
    if f["refunded_cents"] > f["paid_cents"]:
        faults.append(Fault(src.number, "refunded_cents", "refunded_cents is more than paid_cents"))
    if f["tip_cents"] and not f["paid_cents"]:
        faults.append(Fault(src.number, "tip_cents", "a tip without a payment"))
    if tenders is not None and (sum(t[1] for t in tenders), sum(t[2] for t in tenders)) != (f["paid_cents"], f["tip_cents"]):
        faults.append(Fault(src.number, "tenders", f"the tenders add up to {sum(t[1] for t in tenders)} paid and "
                            f"{sum(t[2] for t in tenders)} in tips, not paid_cents {f['paid_cents']} and "
                            f"tip_cents {f['tip_cents']}"))
    figured = "paid" if f["paid_cents"] >= f["total_cents"] else "open"
    if f["refunded_cents"]:
        figured = "refunded" if f["refunded_cents"] >= f["paid_cents"] else "partially_refunded"
    if status == "void" and not f["paid_cents"]:
        figured = "void"
    if status and status != figured:
        faults.append(Fault(src.number, "status", f"the figures make this sale {figured}, not {status}"))
    if len(faults) > bad:
        return None
    taxes = [(Tax("tax", "tax", 0, False), on_top)] if on_top else []
    taxes += [(Tax("tax", "tax (included)", 0, True), included)] if included else []
    paid_at = stamps["paid_at"]
    return Row(**common, receipt=receipt, receipt_column="external_id" if given else "id", day=day,
               date_column=date_column, at=paid_at or stamps["created_at"],
               description=" ".join(v.get("description", "").split()) or f"Imported sale {receipt}"[:200],
               amount=f["total_cents"], gross=f["subtotal_cents"], tax=f["tax_cents"], total=f["total_cents"], taxes=taxes,
               method=methods[0] if len(methods) == 1 else method or "unknown", tip=f["tip_cents"],
               figures={**f, "status": figured, "created_at": stamps["created_at"], "paid_at": paid_at,
                        "sale_id": sale_id, "location": place, "tenders": tenders, "external_id": given,
                        "appointment_id": appointment_id})


@lru_cache(maxsize=16384)
def _exact_tax(text: str, currency: str, decimal: str | None, column: str) -> Decimal:
    """`exact_tax`, each distinct cell read once: a file's taxes repeat as its prices do."""
    return exact_tax(text, currency, decimal, column)


def _tenders(text: str) -> list[tuple[str, int, int]]:
    """`card:10000:3000;cash:5000:0` (our export's `tenders`): each payment's method, amount and tip in cents."""
    found = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        method, _, rest = part.partition(":")
        amount, _, tip = rest.partition(":")
        if not (amount.isdigit() and (tip.isdigit() or tip == "")):
            raise InvalidInput(f"tender {part!r} is not method:amount_cents:tip_cents")
        found.append((_method(method), int(amount), int(tip or 0)))
    return found


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"business_date {text!r} is not a date (YYYY-MM-DD)") from None


def _sale_status(text: str) -> str:
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in SALE_STATUSES:
        raise InvalidInput(f"status {text!r} is not one of {', '.join(SALE_STATUSES)}")
    return value


def _method(text: str) -> str:
    found = _METHODS.get(re.sub(r"[\s_-]+", "", text.lower()))
    if found is None:
        raise InvalidInput(f"method {text!r} is not one of cash, card, stripe, gift_card, transfer, credit, points "
                           "(or efectivo, tarjeta, visa, transferencia, ...)")
    return found


def _quantity(text: str) -> int:
    """A line's quantity; a returned item's may be negative (-1), as other systems write a return."""
    quantity = -_whole(text[1:], "quantity") if text.startswith("-") and text[1:].isdigit() else _whole(text, "quantity")
    if not 1 <= abs(quantity) <= 10_000:
        raise InvalidInput(f"quantity {quantity} must be between 1 and 10000")
    return quantity


def _kind(text: str) -> str:
    kind = re.sub(r"[\s-]+", "_", text.strip().lower())
    if kind not in LINE_KINDS:
        raise InvalidInput(f"kind {text!r} is not one of {', '.join(LINE_KINDS)}")
    return kind
