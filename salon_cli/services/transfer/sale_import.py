"""`salon import sales`: receipts from another system (or our own `salon export sales`) in, all or nothing.

Every row is checked first and every fault is named by row and column; one fault refuses the file
and nothing is written (DESIGN.md rule 8). Otherwise the new sales, their lines, payments (and, from
our own export, refunds), one `sale.import` audit row each and one `sale.import_file` row with the
counts are written in the caller's transaction, as batched inserts.

Receipts (SPEC.md): rows sharing a `receipt` are one paid sale, its `external_id`.
- `date` (and `time`, else the start of the day) on the location's clock: the sale's business day,
  which must not be closed. Every row of a receipt has the same date and (if any) the same client.
- client: by id, phone, e-mail or external code, as `import appointments` finds them; an empty
  cell is a sale without a client. staff: id, code or exact name (`--create-missing`: stylists).
- description: a service's code or name makes a service line (with its `service_id`), else a
  product's a product line (stock is left as it is: it was sold long ago), else a service line
  with only the description. `quantity` (1) and the unit price are for show: the figures are the
  file's.
- `amount` is the line's total in major units, what the client paid for it. `tax:NAME` columns hold
  the tax in it: a tax the location's policy has keeps its rate and inclusive flag, another one is
  added on top at rate 0 (line subtotal = amount - those taxes). `amount_before_tax` reads every
  `amount` as before all the taxes (total = amount + taxes). So the sale's tax is the file's, to the cent.
- `method` (words of other systems too: efectivo, tarjeta, visa, transferencia, ...) and `tip`:
  one succeeded payment per method named on the receipt's rows (a row without one takes the
  receipt's first method, else `unknown`), dated the receipt's day.
Our export (a file with `total_cents`): one sale a row, with its figures, status, its payments
(`tenders`: each method, amount and tip; a file without them: one payment of its single method, else
`unknown`), refunds for `refunded_cents` (against the payments in order), and a single line holding the
money (its taxes as `tax` and `tax (included)`; an open sale takes this policy's taxes, which price
it again if it is changed at the desk). Its receipt is `external_id`, else LOCATION:ID;
a row whose sale is this very one (same location, id, day and total) is already here.

Nothing twice: a receipt whose external id is here already is `unchanged` (not compared).

`keep_ids` (our own export, moved from one salon database to another): each new sale takes the
row's `id`, its `external_id` as the file has it (none for a sale made at our desk) and its link to
its appointment (`appointment_id`: the appointments imported first, with their ids kept). An id
taken by another sale is a fault, as is an appointment that is not here or already has a live sale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import NUMERIC_PREFIX, slug
from salon_cli.core.errors import NotPermitted
from salon_cli.core.money import format_amount
from salon_cli.core.permissions import Permission
from salon_cli.core.recurrence import resolve
from salon_cli.core.sale_math import round_half_up_div
from salon_cli.db.bulk import analyze, insert_with_ids
from salon_cli.db.models import Appointment, AuditLog, Payment, Product, Refund, Sale, SaleLine, Service, Staff
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.transfer.appt_import import _create_missing, _free, _resolve_clients
from salon_cli.services.transfer.appt_import_rows import (DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, Formats, Ref, check_formats,
                                                 fold, formats)
from salon_cli.services.salon.authz import authorize
from salon_cli.services.transfer.imports import (Created, ImportSummary, Outcome, Planned, Progress, quietly, run_import,
                                        ticking)
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.transfer.sale_import_rows import EXPORTED, FIELDS, Row, Tax, check_row, read

__all__ = ["DEFAULT_DATE_FORMAT", "DEFAULT_TIME_FORMAT", "FIELDS", "Outcome", "check_formats", "import_sales", "read"]

_CHUNK, _WRITE_CHUNK = 500, 2000


@dataclass(eq=False)
class _Receipt:
    key: str
    rows: list[Row] = field(default_factory=list)
    tenders: list[tuple[str, int, int, int]] = field(default_factory=list)  # (method, amount, tip, first row)

    @property
    def first(self) -> Row:
        return self.rows[0]


def import_sales(
    session: Session, *, actor: Actor, location: LocationView, rows: Sequence[SourceRow],
    date_format: str | None = None, time_format: str | None = None, create_missing: bool = False,
    amount_before_tax: bool = False, decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False,
    keep_ids: bool = False, source: str | None = None, progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) write the new sales. Raises `ImportRefused` (exit 2)
    naming every row and column at fault; the caller's transaction is then left unwritten. With
    `skip_bad` the receipts with a row at fault are left out (`Outcome.refused`, every row of them)
    and the rest imported. Dates and times are read with the given patterns, else those the columns
    show (ambiguity refused). `keep_ids`: new sales keep the file's ids and appointment links."""
    authorize(actor, Permission.desk)
    if create_missing:
        authorize(actor, Permission.staff_manage)
    taxes = _taxes(session, location, rows, amount_before_tax)
    shape = formats(rows, date_format, time_format, decimal, money=("amount", "tip", *taxes))
    return run_import(lambda part: _import(session, actor, location, part, shape, taxes, create_missing,
                                           amount_before_tax, dry_run, keep_ids, source, progress),
                      rows, skip_bad=skip_bad, dry_run=dry_run, group_of=lambda r: r.values.get("receipt") or None)


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], shape: Formats,
            taxes: dict[str, Tax], create_missing: bool, amount_before_tax: bool, dry_run: bool, keep_ids: bool,
            source: str | None, progress: Progress) -> Outcome:
    faults: list[Fault] = []
    tick = ticking(progress, "checking", len(rows))
    good = []
    for done, src in enumerate(rows, 1):
        row = check_row(src, location, shape, taxes, amount_before_tax, faults)
        good += [row] if row is not None else []
        tick(done)
    missing: dict[tuple[str, str], Ref] = {}
    faults += _resolve_staff(session, location, good, create_missing, missing)
    faults += _resolve_clients(session, good)
    receipts = _group(good, faults)
    if not dry_run and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("LOCK TABLE sale IN SHARE ROW EXCLUSIVE MODE"))  # one import at a time
    here = _existing(session, location, receipts)
    if keep_ids:
        faults += _kept_ids(session, location, receipts, here)
    new = [r for r in receipts if r.key not in here]
    closed = {day for day in {r.first.day for r in new} if business_days.is_closed(session, location.id, day)}
    faults += [Fault(r.first.number, r.first.date_column, f"business day {r.first.day.isoformat()} at {location.code} "
                     "is closed: a manager can re-open it (salon reopen-day)") for r in new if r.first.day in closed]
    if faults:
        order = FIELDS + EXPORTED
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, order.index(f.column) if f.column in order else 99)))
    _refunds_need_a_manager(actor, location, new)
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(receipts) - len(new), dry_run=dry_run)
    used = {id(row.staff) for r in new for row in r.rows if row.staff is not None}
    missing = {key: ref for key, ref in missing.items() if id(ref) in used}
    if dry_run:
        return Outcome(summary, tuple(Created(kind, ref.code, ref.name) for (kind, _), ref in missing.items()),
                       plan=tuple(Planned(r.first.number, "match" if r.key in here else "create", _label(r, location))
                                  for r in receipts))
    made = _create_missing(session, actor, location, missing)
    catalog, policy_taxes = _catalog(session, location), list(policy_row(session, location).taxes or [])
    for start in range(0, len(new), _WRITE_CHUNK):
        progress("writing", start, len(new))
        _write(session, actor, location, new[start:start + _WRITE_CHUNK], catalog, policy_taxes, keep_ids)
    progress("writing", len(new), len(new))
    analyze(session, sum(len(r.rows) for r in new), Sale, SaleLine, Payment, Refund, AuditLog)
    audit.record(session, actor=actor, action="sale.import_file", entity="sale", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source, "total_cents": sum(row.total for r in new for row in r.rows),
                        "created_missing": [f"{c.kind}:{c.code}" for c in made]},
                 location_id=location.id)
    return Outcome(summary, tuple(made))


def _refunds_need_a_manager(actor: Actor, location: LocationView, new: Sequence[_Receipt]) -> None:
    """Money given back, by any path, is a manager's with their PIN: a file that records a refund is
    refused to anyone else (exit 3), before anything is written."""
    refunding = [r for r in new if (r.first.figures or {}).get("refunded_cents")]
    if not refunding or actor.is_manager:
        return
    first = refunding[0]
    more = f" (and {len(refunding) - 1} more)" if len(refunding) > 1 else ""
    raise NotPermitted(f"receipt {first.key} (row {first.first.number}) records a refund of "
                       f"{format_amount(first.first.figures['refunded_cents'], location.currency)}{more}: "
                       "refunds need a manager's PIN", hint="import it as a manager: --as MANAGER --pin PIN")


def _label(receipt: _Receipt, location: LocationView) -> str:
    lines = len(receipt.rows)
    total = sum(row.total for row in receipt.rows)
    return (f"receipt {receipt.key} {receipt.first.day.isoformat()}: {lines} line{'' if lines == 1 else 's'}, "
            f"{format_amount(total, location.currency)}")


def _taxes(session: Session, location: LocationView, rows: Sequence[SourceRow], before_tax: bool) -> dict[str, Tax]:
    """The file's tax columns: the policy's rate and inclusive flag when it has the tax, else rate 0 on top."""
    fields = [name for row in rows[:1] for name in row.values if name.startswith("tax:")]
    policy = {str(t.get("name", "")).strip().lower(): t for t in policy_row(session, location).taxes or []}
    out = {}
    for name in fields:
        known = policy.get(name[4:].strip().lower())
        out[name] = Tax(name, known["name"] if known else name[4:], int(known.get("rate_bp", 0)) if known else 0,
                        bool(known.get("inclusive")) and not before_tax if known else False)
    return out


# ----------------------------------------------------------------------------- what the rows point at

def _resolve_staff(session: Session, location: LocationView, rows: Sequence[Row], create_missing: bool,
                   missing: dict[tuple[str, str], Ref]) -> list[Fault]:
    """Each row's staff member (staff work the whole chain); unknown ones are faults, or
    (create_missing) placeholders shared by every row that names them."""
    known: dict[tuple[str, Any], Ref | None] = {}
    for m in session.exec(select(Staff).order_by(col(Staff.id))):
        ref, by_name = Ref(m.id, m.code, m.name, m.active), ("name", fold(m.name))
        known.update({("id", m.id): ref, ("code", m.code): ref,
                      by_name: None if by_name in known else ref})  # None: two of that name
    codes = {k[1] for k in known if k[0] == "code"}
    faults: list[Fault] = []
    for row in rows:
        ref = row.staff_ref
        if not ref:
            continue
        keys = [("id", int(ref))] if ref.isdigit() else [("code", ref.lower()), ("name", fold(ref))]
        key = next((k for k in keys if k in known), None)
        if key is not None and known[key] is None:
            faults.append(Fault(row.number, "staff", f"{ref!r} is the name of two staff members; give the code"))
        elif key is not None:
            row.staff = known[key]
        elif not create_missing or ref.isdigit() or len(ref) > 120:
            faults.append(Fault(row.number, "staff", f"no staff member {ref!r} at {location.code}"
                                + ("" if ref.isdigit() else " (--create-missing adds it)")))
        else:
            if ("staff", fold(ref)) not in missing:
                missing[("staff", fold(ref))] = Ref(None, _free(slug(ref), codes), " ".join(ref.split()))
            row.staff = missing[("staff", fold(ref))]
    return faults


def _group(rows: Sequence[Row], faults: list[Fault]) -> list[_Receipt]:
    """Rows sharing a receipt, as one sale: same day, one client. A row of our export is a sale."""
    receipts: dict[str, _Receipt] = {}
    for row in rows:
        r = receipts.setdefault(row.receipt, _Receipt(row.receipt))
        first = r.rows[0] if r.rows else None
        if first is not None and (row.figures is not None or first.figures is not None):
            faults.append(Fault(row.number, row.receipt_column, f"sale {row.receipt} is also on row {first.number}"))
            continue
        if first is not None and row.day != first.day:
            faults.append(Fault(row.number, row.date_column, f"receipt {row.receipt} is dated "
                                f"{first.day.isoformat()} on row {first.number}"))
        client = next((x for x in r.rows if x.client_id is not None), None)
        if client is not None and row.client_id is not None and row.client_id != client.client_id:
            faults.append(Fault(row.number, row.client_column, f"receipt {row.receipt} is client "
                                f"{client.client_id}'s on row {client.number}"))
        r.rows.append(row)
    for r in receipts.values():
        r.tenders = _tenders(r)
        for method, amount, tip, number in r.tenders:
            if tip and not amount:
                faults.append(Fault(number, "tip", f"a tip paid by {method} on a receipt with nothing paid by {method}"))
    return list(receipts.values())


def _tenders(r: _Receipt) -> list[tuple[str, int, int, int]]:
    """(method, amount, tip, first row): one payment each. A receipt's rows give one per method; a row
    of our export, its `tenders` (else one payment of its single method, else `unknown`)."""
    first = r.first
    if first.figures is not None:
        if first.figures.get("tenders") is not None:
            return [(method, amount, tip, first.number) for method, amount, tip in first.figures["tenders"]]
        return [(first.method or "unknown", first.figures["paid_cents"], first.tip, first.number)]
    default = next((row.method for row in r.rows if row.method), None) or "unknown"
    found: dict[str, list[int]] = {}
    for row in r.rows:
        tender = found.setdefault(row.method or default, [0, 0, row.number])
        tender[0] += row.total
        tender[1] += row.tip
    return [(method, amount, tip, number) for method, (amount, tip, number) in found.items()]


def _chunks(values: Any) -> Any:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _existing(session: Session, location: LocationView, receipts: Sequence[_Receipt]) -> set[str]:
    """Receipts here already: by external id; a row of our own export also by its sale, day and total."""
    here: set[str] = set()
    for chunk in _chunks(r.key for r in receipts):
        query = sa.select(col(Sale.external_id)).where(Sale.location_id == location.id,
                                                       col(Sale.external_id).in_(chunk))
        here.update(session.execute(query).scalars())
    ours = {r.first.figures["sale_id"]: r for r in receipts
            if r.first.figures and r.first.receipt_column == "id" and r.first.figures["location"] == location.code}
    for chunk in _chunks(ours):
        query = sa.select(col(Sale.id), col(Sale.business_date), col(Sale.total_cents)).where(
            Sale.location_id == location.id, col(Sale.id).in_(chunk), col(Sale.external_id).is_(None))
        for sale_id, day, total in session.execute(query):
            if (ours[sale_id].first.day, ours[sale_id].first.total) == (day, total):
                here.add(ours[sale_id].key)
    return here


def _kept_ids(session: Session, location: LocationView, receipts: Sequence[_Receipt], here: set[str]) -> list[Fault]:
    """`keep_ids`: every receipt is a sale of our export whose id is free here (or is this very sale:
    then it is here already), and a new sale's appointment is here with no other live sale."""
    faults: list[Fault] = []
    ours = [r for r in receipts if r.first.figures is not None and r.first.figures["sale_id"] is not None]
    faults += [Fault(r.first.number, "id", "--keep-ids keeps the ids of a file from salon export sales")
               for r in receipts if r not in ours]
    first: dict[int, int] = {}
    for r in ours:
        kept = (r.first.figures or {})["sale_id"]
        if first.setdefault(kept, r.first.number) != r.first.number:
            faults.append(Fault(r.first.number, "id", f"sale {kept} is also on row {first[kept]} of this file"))
    found: dict[int, tuple[int, Any, int, str | None]] = {}
    for chunk in _chunks(r.first.figures["sale_id"] for r in ours if r.first.figures):
        query = sa.select(col(Sale.id), col(Sale.location_id), col(Sale.business_date), col(Sale.total_cents),
                          col(Sale.external_id)).where(col(Sale.id).in_(chunk))
        found.update((sid, (loc, day, total, ext)) for sid, loc, day, total, ext in session.execute(query))
    for r in ours:
        fig = r.first.figures or {}
        kept = fig["sale_id"]
        if kept in found:
            if found[kept] == (location.id, r.first.day, r.first.total, fig["external_id"]):
                here.add(r.key)
            else:
                faults.append(Fault(r.first.number, "id", f"id {kept} is taken here by another sale"))
        elif r.key in here:
            faults.append(Fault(r.first.number, r.first.receipt_column, f"receipt {r.key} is here already as another "
                                f"sale, not {kept}: with --keep-ids the ids must agree"))
    linked = {(r.first.figures or {})["appointment_id"]: r for r in ours if r.key not in here
              and (r.first.figures or {}).get("appointment_id") is not None and r.first.figures["status"] != "void"}
    appointments: dict[int, tuple[int, int | None]] = {}
    live: dict[int, int] = {}
    for chunk in _chunks(linked):
        query = sa.select(col(Appointment.id), col(Appointment.location_id), col(Appointment.client_id)).where(
            col(Appointment.id).in_(chunk))
        appointments.update((aid, (loc, client)) for aid, loc, client in session.execute(query))
        query = sa.select(col(Sale.appointment_id), col(Sale.id)).where(col(Sale.appointment_id).in_(chunk),
                                                                        col(Sale.status) != "void")
        live.update((aid, sid) for aid, sid in session.execute(query))
    seen: dict[int, int] = {}
    for r in ours:
        aid = (r.first.figures or {}).get("appointment_id")
        if aid is None or r.key in here or r.first.figures["status"] == "void":
            continue
        client = next((x.client_id for x in r.rows if x.client_id), None)
        problem = None
        if appointments.get(aid, (None,))[0] != location.id:
            problem = f"no appointment {aid} at {location.code} (import the appointments first, with --keep-ids)"
        elif aid in live:
            problem = f"appointment {aid} already has sale {live[aid]}"
        elif seen.setdefault(aid, r.first.number) != r.first.number:
            problem = f"appointment {aid} is also on row {seen[aid]} of this file"
        elif client is not None and appointments[aid][1] not in (None, client):
            problem = f"appointment {aid} is client {appointments[aid][1]}'s, not client {client}'s"
        if problem:
            faults.append(Fault(r.first.number, "appointment_id", problem))
    return faults


def _catalog(session: Session, location: LocationView) -> dict[str, tuple[str, int]]:
    """Service and product codes and names (folded) -> (line kind, id); services first."""
    found: dict[str, tuple[str, int]] = {}
    for model, kind in ((Service, "service"), (Product, "product")):
        query = (sa.select(model.id, model.code, model.name)  # type: ignore[attr-defined]
                 .where(model.location_id == location.id).order_by(model.id))  # type: ignore[attr-defined]
        rows = session.execute(query).all()
        prefix = NUMERIC_PREFIX[kind]
        for item_id, code, _ in rows:
            found.setdefault(code.lower(), (kind, item_id))
            if code.startswith(prefix) and code[len(prefix):].isdigit():  # `101` of another system: `s-101` here
                found.setdefault(code[len(prefix):], (kind, item_id))
        for item_id, _, name in rows:
            found.setdefault(fold(name), (kind, item_id))
    return found


# ----------------------------------------------------------------------------- writing

def _write(session: Session, actor: Actor, location: LocationView, receipts: Sequence[_Receipt],
           catalog: dict[str, tuple[str, int]], policy_taxes: list[dict[str, Any]], keep_ids: bool = False) -> None:
    """Sales, lines, payments, refunds and audit rows as batched inserts (no ORM object per row).
    An open sale takes the policy's taxes: a line added at the desk reprices it like any other."""
    if not receipts:
        return
    now, tz = clock.now(), location.tz
    sales: list[dict[str, Any]] = []
    for r in receipts:
        first, fig = r.first, r.first.figures or {}
        at = next((row.at for row in r.rows if row.at), None) or resolve(datetime.combine(first.day, time(0)), tz).at
        taxes = {t.name: {"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive}
                 for row in r.rows for t, _ in row.taxes}
        total = sum(row.total for row in r.rows)
        status, discount = fig.get("status", "paid"), fig.get("discount_cents", 0)
        sales.append({
            "location_id": location.id, "client_id": next((x.client_id for x in r.rows if x.client_id), None),
            "appointment_id": fig.get("appointment_id") if keep_ids else None, "status": status, "business_date": first.day,
            "discount_kind": "amount" if discount else None, "discount_value": discount,
            "taxes": policy_taxes if status == "open" else list(taxes.values()),
            "subtotal_cents": sum(row.gross for row in r.rows),
            "discount_cents": discount, "tax_cents": sum(row.tax for row in r.rows), "total_cents": total,
            "tip_cents": sum(t[2] for t in r.tenders), "paid_cents": fig.get("paid_cents", total),
            "refunded_cents": fig.get("refunded_cents", 0), "external_id": fig.get("external_id") if keep_ids else r.key,
            "note": None,
            "created_at": fig.get("created_at") or at, "created_by_id": actor.id,
            "paid_at": (fig.get("paid_at") or at) if status not in ("open", "void") else None,
            "voided_at": at if status == "void" else None,
            "voided_by_id": None, "void_reason": "imported void" if status == "void" else None, "updated_at": now})
    sale_ids = insert_with_ids(session, Sale, sales, [(r.first.figures or {})["sale_id"] for r in receipts]
                               if keep_ids else None)
    lines, payments, refunds = [], [], []
    for sale_id, r, sale in zip(sale_ids, receipts, sales, strict=True):
        for position, row in enumerate(r.rows):
            kind, item_id = catalog.get(row.description.lower()) or catalog.get(fold(row.description)) or ("service", None)
            included = sum(c for t, c in row.taxes if t.inclusive)
            lines.append({
                "sale_id": sale_id, "position": position, "kind": kind, "description": row.description,
                "quantity": row.quantity, "unit_price_cents": round_half_up_div(row.gross, row.quantity),
                "gross_cents": row.gross, "discount_cents": sale["discount_cents"],
                "net_cents": row.gross - sale["discount_cents"] - included, "tax_cents": row.tax,
                "total_cents": row.total, "taxes": [{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive,
                                                     "amount_cents": c} for t, c in row.taxes],
                "service_id": item_id if kind == "service" else None,
                "product_id": item_id if kind == "product" else None,
                "staff_id": row.staff.id if row.staff else None, "penalty_id": None, "gift_card_id": None})
        paid_at = sale["paid_at"] or sale["created_at"]
        for method, amount, tip, _ in r.tenders:
            if amount > 0:
                payments.append({
                    "sale_id": sale_id, "location_id": location.id, "method": method, "status": "succeeded",
                    "purpose": "sale", "amount_cents": amount, "tip_cents": tip, "tendered_cents": None,
                    "change_cents": 0, "business_date": r.first.day, "gift_card_id": None,
                    "reference": f"receipt {r.key}"[:120], "created_at": paid_at, "created_by_id": actor.id,
                    "succeeded_at": paid_at, "updated_at": now})
    if lines:
        session.execute(sa.insert(SaleLine.__table__), lines)  # type: ignore[attr-defined]
    payment_ids = insert_with_ids(session, Payment, payments) if payments else []
    by_sale: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for pid, p in zip(payment_ids, payments, strict=True):
        by_sale.setdefault(p["sale_id"], []).append((pid, p))
    for sale_id, sale in zip(sale_ids, sales, strict=True):
        left = sale["refunded_cents"]  # given back against the payments in order, each up to its amount
        for payment_id, payment in by_sale.get(sale_id, []) if left else []:
            amount = min(left, payment["amount_cents"])
            left -= amount
            if amount:
                refunds.append({"sale_id": sale_id, "payment_id": payment_id, "location_id": location.id,
                                "method": payment["method"], "status": "succeeded", "amount_cents": amount,
                                "reason": "imported", "business_date": sale["business_date"],
                                "created_at": payment["created_at"], "created_by_id": actor.id,
                                "succeeded_at": payment["created_at"], "updated_at": now})
    if refunds:
        session.execute(sa.insert(Refund.__table__), refunds)  # type: ignore[attr-defined]
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("sale.import", "sale", sale_id, None,
         {k: sale[k] for k in ("external_id", "business_date", "status", "client_id", "appointment_id", "subtotal_cents", "discount_cents",
                               "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents")}
         | {"lines": len(r.rows), "import_row": r.first.number})
        for sale_id, sale, r in zip(sale_ids, sales, receipts, strict=True)))
