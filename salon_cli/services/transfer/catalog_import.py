"""`salon import services|products`: a menu or a retail list from another system, all or nothing.

Every row is checked first (name, code, length, price, stock, and duplicates inside the file); one
fault refuses the file unless `skip_bad`. A row is the service (product) already here with its
code, else with its name (case and spacing aside): such rows are `unchanged`, never edited, so
re-importing a file creates nothing twice. New ones are added through `catalog.add_service` /
`add_product` (its rules and one audit row each) and one `service.import` (`product.import`) audit
row with the counts. A file from `salon service list -f csv` (or `product list`) imports as it is.
Adding to the menu is a manager's action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sqlmodel import Session, col, select

from salon_cli.core.codes import catalog_code
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import detect_decimal_separator, parse_money_cell
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Product, Service
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, SourceRows, read_csv
from salon_cli.services.salon import audit, catalog
from salon_cli.services.salon.actors import Actor
from salon_cli.services.transfer.appt_import_rows import check_decimal
from salon_cli.services.salon.authz import authorize
from salon_cli.services.transfer.imports import ImportSummary, Outcome, Planned, Progress, quietly, run_import, ticking
from salon_cli.services.salon.locations import LocationView
from salon_cli.core.money import format_amount

SERVICE_FIELDS = ("code", "name", "category", "duration_min", "price")
PRODUCT_FIELDS = ("code", "name", "category", "price", "stock")
_EXPORTED = ("id", "price_cents", "active")  # columns of `service list -f csv`: read (price_cents) or ignored
_TRUE, _FALSE = frozenset({"true", "yes", "1", "si", "sí"}), frozenset({"false", "no", "0"})


@dataclass(frozen=True)
class _Row:
    number: int
    code: str | None
    name: str
    category: str | None
    duration_min: int | None
    price_cents: int
    stock: int
    active: bool


def read(kind: str) -> Callable[..., SourceRows]:
    """The reader of a services (`kind="service"`) or products file."""
    fields = SERVICE_FIELDS if kind == "service" else PRODUCT_FIELDS

    def reader(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> SourceRows:
        rows = read_csv(stream, fields=fields + _EXPORTED, required=("name",), mapping=mapping, encoding=encoding)
        have = set().union(*(r.values for r in rows[:1]))
        need = [("price", {"price", "price_cents"})] + ([("duration_min", {"duration_min"})] if kind == "service" else [])
        missing = [Fault(1, name, "required column is missing") for name, alts in need if rows and not have & alts]
        if missing:
            raise ImportRefused(missing)
        return rows
    return reader


def import_catalog(
    session: Session, *, actor: Actor, location: LocationView, kind: str, rows: Sequence[SourceRow],
    decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False, source: str | None = None,
    progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) add the new services (`kind="service"`) or products.
    Raises `ImportRefused` (exit 2) naming every row and column at fault, unless `skip_bad`."""
    authorize(actor, Permission.service_manage)
    if kind not in ("service", "product"):
        raise ValueError(kind)
    decimal = check_decimal(decimal) or detect_decimal_separator(r.values.get("price", "") for r in rows)
    return run_import(lambda part: _import(session, actor, location, kind, part, decimal, dry_run, source, progress),
                      rows, skip_bad=skip_bad, dry_run=dry_run)


def _import(session: Session, actor: Actor, location: LocationView, kind: str, rows: Sequence[SourceRow],
            decimal: str | None, dry_run: bool, source: str | None, progress: Progress) -> Outcome:
    faults: list[Fault] = []
    good: list[_Row] = []
    tick = ticking(progress, "checking", len(rows), every=500)
    for done, src in enumerate(rows, 1):
        row = _check_row(src, kind, location, decimal, faults)
        good += [row] if row is not None else []
        tick(done)
    faults += _duplicates_in_file(good)
    model: Any = Service if kind == "service" else Product
    here = {}
    for item in session.exec(select(model).where(model.location_id == location.id).order_by(col(model.id))):
        here.setdefault(("code", item.code), item)
        here.setdefault(("name", _fold(item.name)), item)
    matches = {r.number: here.get(("code", r.code)) or here.get(("name", _fold(r.name))) for r in good}
    matches = {n: item for n, item in matches.items() if item is not None}
    taken_by_other = [Fault(r.number, "code", f"code {r.code} is {kind} {item.id} ({item.name}) here, another name")
                      for r in good if (item := matches.get(r.number)) is not None and r.code
                      and item.code == r.code and _fold(item.name) != _fold(r.name)]
    faults += taken_by_other
    if faults:
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, str(f.column))))
    new = [r for r in good if r.number not in matches]
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new), dry_run=dry_run)
    if dry_run:
        return Outcome(summary, plan=tuple(
            Planned(r.number, "match", _label(r, location), matches[r.number].id) if r.number in matches
            else Planned(r.number, "create", _label(r, location)) for r in good))
    for done, r in enumerate(new, 1):
        if kind == "service":
            view: Any = catalog.add_service(session, actor=actor, location=location, name=r.name,
                                            duration_min=r.duration_min or 0, price_cents=r.price_cents,
                                            category=r.category, code=r.code)
        else:
            view = catalog.add_product(session, actor=actor, location=location, name=r.name, price_cents=r.price_cents,
                                       stock=r.stock, category=r.category, code=r.code)
        if not r.active:
            session.get(model, view.id).active = False  # type: ignore[union-attr]
        if done % 100 == 0 or done == len(new):
            progress("writing", done, len(new))
    audit.record(session, actor=actor, action=f"{kind}.import", entity=kind, entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source}, location_id=location.id)
    return Outcome(summary)


def _check_row(src: SourceRow, kind: str, location: LocationView, decimal: str | None,
               faults: list[Fault]) -> _Row | None:
    v, before = src.values, len(faults)

    def text(name: str) -> str:
        return " ".join(v.get(name, "").split())

    def check(column: str, fn: Callable[[str], Any], default: Any = None) -> Any:
        if not text(column):
            return default
        try:
            return fn(text(column))
        except InvalidInput as exc:
            faults.append(Fault(src.number, column, exc.message))
            return None

    name = text("name")
    if not name:
        faults.append(Fault(src.number, "name", "name is empty"))
    elif len(name) > 120:
        faults.append(Fault(src.number, "name", "name is longer than 120 characters"))
    code = check("code", lambda t: catalog_code(t, kind))
    category = check("category", lambda t: _limited(t, 64, "category"))
    if text("price"):
        price = check("price", lambda t: parse_money_cell(t, location.currency, what="price", decimal=decimal))
    elif text("price_cents"):
        price = check("price_cents", lambda t: _whole(t, "price_cents", 0, 10**10))
    else:
        price = None
        faults.append(Fault(src.number, "price", "price is empty"))
    duration = None
    if kind == "service":
        duration = check("duration_min", lambda t: _whole(t, "duration", 5, 24 * 60))
        if not text("duration_min"):
            faults.append(Fault(src.number, "duration_min", "duration_min is empty"))
    stock = check("stock", lambda t: _whole(t, "stock", 0, 10**9), 0) if kind == "product" else 0
    active = check("active", _flag, True)
    if len(faults) > before:
        return None
    return _Row(src.number, code, name, category, duration, price, stock or 0, bool(active))


def _duplicates_in_file(rows: Sequence[_Row]) -> list[Fault]:
    faults: list[Fault] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        for column, key in (("code", row.code), ("name", _fold(row.name))):
            if key is None:
                continue
            first = seen.setdefault((column, key), row.number)
            if first != row.number:
                faults.append(Fault(row.number, column, f"the same {column} as row {first} of this file"))
    return faults


def _label(row: _Row, location: LocationView) -> str:
    length = f", {row.duration_min} min" if row.duration_min else ""
    return f"{row.code or '(new code)'} {row.name}{length}, {format_amount(row.price_cents, location.currency)}"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _limited(text: str, most: int, what: str) -> str:
    if len(text) > most:
        raise InvalidInput(f"{what} is longer than {most} characters")
    return text


def _whole(text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit():
        raise InvalidInput(f"{what} {text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"{what} {value} is not between {low} and {high}")
    return value


def _flag(text: str) -> bool:
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"active {text!r} is not yes or no")
