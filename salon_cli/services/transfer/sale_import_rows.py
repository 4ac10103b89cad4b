"""One row of a sales file on its own: the columns read, and each value checked and parsed.

`check_row` turns a source row into a `Row` (a line of its receipt, or a whole sale of our own
export), or names its faults; `sale_import` groups the rows into receipts, resolves what they point
at and writes them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import parse_money_cell
from salon_cli.core.recurrence import resolve
from salon_cli.db.models import SALE_STATUSES
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, delimiter_of, file_encoding, read_csv
from salon_cli.services.transfer.appt_import_rows import Formats, Ref, _client_tries, _instant, _limited, _whole
from salon_cli.services.salon.locations import LocationView

FIELDS = ("receipt", "date", "time", "client", "staff", "description", "quantity", "amount", "method", "tip")
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
    rate_bp: int
    inclusive: bool


@dataclass(eq=False)
class Row:
    """One row of the file, checked; a line of its receipt."""

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
    gross: int
    tax: int
    total: int
    taxes: list[tuple[Tax, int]]
    method: str | None
    tip: int
    figures: dict[str, Any] | None = None  # a row of our export: its figures, status, instants
    client_id: int | None = None
    staff: Ref | None = None


def read(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> list[SourceRow]:
    """Every row of the file; its `tax:NAME` columns (and those `--map` names) are fields too."""
    data = stream.read()
    taxes = _tax_fields(data, mapping or {}, encoding)
    rows = read_csv(io.BytesIO(data), fields=FIELDS + EXPORTED + taxes, mapping=mapping, encoding=encoding)
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
                   for name in EXPORTED if name in have and name != "appointment_id"]
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
    for name in [*header, *mapping.values()]:
        key = " ".join(name.strip().split())
        if key.lower().startswith("tax:") and key[4:].strip():
            found.setdefault(key.lower(), "tax:" + key[4:].strip())
    return tuple(found.values())


def check_row(src: SourceRow, location: LocationView, formats: Formats, taxes: dict[str, Tax], before_tax: bool,
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
    common = dict(number=src.number, values=v, clients=clients, client_column=client_column,
                  staff_ref=text("staff") or None, quantity=check("quantity", _quantity, 1) or 1)
    if "total_cents" in v:
        return _check_exported(src, location, check, need, faults, before, common, method)
    receipt = need("receipt", lambda t: _limited(t, 64, "receipt"))
    day, at = need("date", formats.day_and_time) or (None, None)
    at = check("time", formats.time_of) if text("time") else at
    description = need("description", lambda t: _limited(t, 200, "description"))
    amount = need("amount", lambda t: parse_money_cell(t, currency, what="amount", decimal=formats.decimal)) or 0
    tip = money("tip")
    cells = [(tax, check(tax.field, lambda t, n=tax.field: parse_money_cell(t, currency, what=n, decimal=formats.decimal)))
             for tax in taxes.values() if text(tax.field)]
    if len(faults) > before:
        return None
    on_top = sum(c for t, c in cells if not t.inclusive)
    included = sum(c for t, c in cells if t.inclusive)
    gross, total = (amount, amount + on_top) if before_tax else (amount - on_top, amount)
    if gross < 0 or gross - included < 0:
        faults.append(Fault(src.number, "amount", f"the taxes ({on_top + included}) are more than the amount"))
        return None
    instant = resolve(datetime.combine(day, at), tz).at if at is not None else None
    return Row(**common, receipt=receipt, receipt_column="receipt", day=day, date_column="date", at=instant,
               description=description, gross=gross, tax=on_top + included, total=total, taxes=cells,
               method=method, tip=tip)


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
               gross=f["subtotal_cents"], tax=f["tax_cents"], total=f["total_cents"], taxes=taxes,
               method=methods[0] if len(methods) == 1 else method or "unknown", tip=f["tip_cents"],
               figures={**f, "status": figured, "created_at": stamps["created_at"], "paid_at": paid_at,
                        "sale_id": sale_id, "location": place, "tenders": tenders, "external_id": given,
                        "appointment_id": appointment_id})


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
    quantity = _whole(text, "quantity")
    if not 1 <= quantity <= 10_000:
        raise InvalidInput(f"quantity {quantity} must be between 1 and 10000")
    return quantity
