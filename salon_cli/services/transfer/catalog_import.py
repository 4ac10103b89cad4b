"""`salon import services|products`: a menu or a retail list from another system, all or nothing.

Every row is checked first (name, code, length, price, stock, and duplicates inside the file); one
fault refuses the file unless `skip_bad`. A row is the service (product) already here that another
system's file gave the same code (its external code, case aside), else the one whose code is the
row's code, else the one with its name (case and spacing aside): such rows are `unchanged`, never
edited, so re-importing a file creates nothing twice. New ones are added through
`catalog.add_service` / `add_product` (its rules and one audit row each) and one `service.import`
(`product.import`) audit row with the counts and what was assumed. A file from
`salon service list -f csv` (or `product list`) imports as it is. Adding to the menu is a manager's action.

Codes as other systems write them (`SH UR 300`, `OIL9.5ML`, `CUT+2`, `A&B`) are kept as the item's
`external_code`; its own code is derived from them (`core.codes.own_code`: `sh-ur-300`, `oil9-5ml`,
`cut-2`, `a-b`), `-2`, `-3` added where that is taken here or earlier in the file. A code that is
valid as it is stays as it is (`101` as `s-101`, as before). A row without a name is named after its
code; a service without a duration takes `default_duration`, else the policy's slot (`slot_min`),
since that is the grid the book offers times on. Both are said in the dry run and the audit row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sqlmodel import Session, col, select

from salon_cli.core.codes import own_code, unique_code
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import detect_decimal_separator, format_amount
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Product, Service
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, SourceRows, read_csv
from salon_cli.services.salon import audit, catalog, policy
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import check_decimal
from salon_cli.services.transfer.catalog_import_rows import CatalogRow, Default, check_row, duplicates_in_file, fold
from salon_cli.services.transfer.imports import ImportSummary, Outcome, Planned, Progress, quietly, run_import, ticking

SERVICE_FIELDS = ("code", "name", "category", "duration_min", "price")
PRODUCT_FIELDS = ("code", "name", "category", "price", "stock")
_EXPORTED = ("id", "price_cents", "active")  # columns of `service list -f csv`: read (price_cents) or ignored
DEFAULT_DURATION_OPTION = "--default-duration"


def read(kind: str) -> Callable[..., SourceRows]:
    """The reader of a services (`kind="service"`) or products file. A name column or a code column
    (items named after their codes), and a price column; durations may be missing (a default)."""
    fields = SERVICE_FIELDS if kind == "service" else PRODUCT_FIELDS

    def reader(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> SourceRows:
        rows = read_csv(stream, fields=fields + _EXPORTED, mapping=mapping, encoding=encoding)
        have = set().union(*(r.values for r in rows[:1]))
        need = [("name", {"name", "code"}), ("price", {"price", "price_cents"})]
        missing = [Fault(1, name, "required column is missing") for name, alts in need if rows and not have & alts]
        if missing:
            raise ImportRefused(missing)
        return rows
    return reader


def import_catalog(
    session: Session, *, actor: Actor, location: LocationView, kind: str, rows: Sequence[SourceRow],
    decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False, source: str | None = None,
    default_duration: int | None = None, progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) add the new services (`kind="service"`) or products.
    `default_duration`: the minutes of a service listed without any (else the policy's slot).
    Raises `ImportRefused` (exit 2) naming every row and column at fault, unless `skip_bad`."""
    authorize(actor, Permission.service_manage)
    if kind not in ("service", "product"):
        raise ValueError(kind)
    if default_duration is not None and not 5 <= default_duration <= 24 * 60:
        raise InvalidInput(f"{DEFAULT_DURATION_OPTION} {default_duration} is not between 5 and 1440 minutes")
    decimal = check_decimal(decimal) or detect_decimal_separator(r.values.get("price", "") for r in rows)
    default = None
    if kind == "service":
        default = Default(default_duration, DEFAULT_DURATION_OPTION) if default_duration is not None else \
            Default(max(5, policy.row(session, location).slot_min), "the policy's slot")
    return run_import(lambda part: _import(session, actor, location, kind, part, decimal, default, dry_run, source,
                                           progress), rows, skip_bad=skip_bad, dry_run=dry_run,
                      settings={"decimal_separator": decimal, "default_duration": default_duration})


@dataclass(frozen=True)
class _New:
    row: CatalogRow
    code: str  # ours, free at this location


def _import(session: Session, actor: Actor, location: LocationView, kind: str, rows: Sequence[SourceRow],
            decimal: str | None, default: Default | None, dry_run: bool, source: str | None,
            progress: Progress) -> Outcome:
    faults: list[Fault] = []
    good: list[CatalogRow] = []
    tick = ticking(progress, "checking", len(rows), every=500)
    for done, src in enumerate(rows, 1):
        row = check_row(src, kind, location, decimal, default, faults)
        good += [row] if row is not None else []
        tick(done)
    faults += duplicates_in_file(good)
    model: Any = Service if kind == "service" else Product
    here = list(session.exec(select(model).where(model.location_id == location.id).order_by(col(model.id))))
    matches, match_faults = _match(kind, good, here)
    faults += match_faults
    if faults:
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, str(f.column))))
    new = _codes([r for r in good if r.number not in matches], kind, {item.code for item in here})
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new), dry_run=dry_run)
    if dry_run:
        made = {n.row.number: n for n in new}
        return Outcome(summary, plan=tuple(
            Planned(r.number, "match", _label(r, matches[r.number].code, location), matches[r.number].id)
            if r.number in matches
            else Planned(r.number, "create", _label(r, made[r.number].code, location),
                         reason="; ".join(r.notes) or None) for r in good))
    for done, n in enumerate(new, 1):
        r = n.row
        if kind == "service":
            view: Any = catalog.add_service(session, actor=actor, location=location, name=r.name,
                                            duration_min=r.duration_min or 0, price_cents=r.price_cents,
                                            category=r.category, code=n.code, external_code=r.external)
        else:
            view = catalog.add_product(session, actor=actor, location=location, name=r.name, price_cents=r.price_cents,
                                       stock=r.stock, category=r.category, code=n.code, external_code=r.external)
        if not r.active:
            session.get(model, view.id).active = False  # type: ignore[union-attr]
        if done % 100 == 0 or done == len(new):
            progress("writing", done, len(new))
    assumed = [{"row": n.row.number, "code": n.code, "external_code": n.row.external, "notes": list(n.row.notes)}
               for n in new if n.row.notes]
    audit.record(session, actor=actor, action=f"{kind}.import", entity=kind, entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source, **({"assumed": assumed} if assumed else {})}, location_id=location.id)
    return Outcome(summary)


def _match(kind: str, rows: Sequence[CatalogRow], here: Sequence[Any]) -> tuple[dict[int, Any], list[Fault]]:
    """Row number -> the item already here that the row is: by the other system's code, by our
    code, by name, in that order. A code of ours that is another item's (another name) is a fault."""
    by: dict[tuple[str, str], Any] = {}
    for item in here:  # the oldest first
        if item.external_code:
            by.setdefault(("external", fold(item.external_code)), item)
        by.setdefault(("code", item.code), item)
        by.setdefault(("name", fold(item.name)), item)
    matches: dict[int, Any] = {}
    faults: list[Fault] = []
    for r in rows:
        if r.external and (item := by.get(("external", fold(r.external)))) is not None:
            matches[r.number] = item  # the same item of the same system, whatever it is called here now
        elif r.own and (item := by.get(("code", r.own))) is not None:
            if fold(item.name) != fold(r.name):
                faults.append(Fault(r.number, "code", f"code {r.external} is {kind} {item.code} ({item.name}) here, "
                                                      "another name"))
            else:
                matches[r.number] = item
        elif (item := by.get(("name", fold(r.name)))) is not None:
            matches[r.number] = item
    return matches, faults


def _codes(rows: Sequence[CatalogRow], kind: str, taken: set[str]) -> list[_New]:
    """Our code for each new row: its own where it is valid (those first, so that a code derived from
    another row never takes it), else one derived from its code (or its name), made unique."""
    codes = {r.number: r.own for r in rows if r.own}
    taken = taken | set(codes.values())
    for r in rows:
        if r.number not in codes:
            codes[r.number] = unique_code(own_code(r.external or "", kind) or own_code(r.name, kind) or kind, taken)
            taken.add(codes[r.number])
    return [_New(r, codes[r.number]) for r in rows]


def _label(row: CatalogRow, code: str, location: LocationView) -> str:
    """`sh-ur-300 (SH UR 300) Short hair, 30 min, 300.00`: our code, the file's where it is another."""
    length = f", {row.duration_min} min" if row.duration_min else ""
    theirs = f" ({row.external})" if row.external and row.external != code else ""
    return f"{code}{theirs} {row.name}{length}, {format_amount(row.price_cents, location.currency)}"

