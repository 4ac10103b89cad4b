"""`salon import sales`: receipts from another system (or our own `salon export sales`) in, all or nothing.

Every row is checked first and every fault is named by row and column, with the file's own values
(its receipt, client code, item); one fault refuses the file and nothing is written (DESIGN.md rule
8). Otherwise the new sales, their lines, payments, refunds, one `sale.import` audit row each (and
`sale.import_return` for each refund a return gives) and one `sale.import_file` row with the counts
are written in the caller's transaction, as batched inserts.

Receipts (SPEC.md): rows sharing a `receipt` are one paid sale, its `external_id`.
- `date` (and `time`, else the start of the day) on the location's clock: the sale's business day,
  which must not be closed. Every row of a receipt has the same date.
- client: by id, phone, e-mail or external code, as `import appointments` finds them (`--create-missing`
  creates a client from a code); an empty cell is a sale without a client. A receipt of several
  clients (a mother and daughter who paid together) is one sale per client, never a refusal: the first
  client's sale keeps the receipt as its external id, the others are `<receipt>/2`, `<receipt>/3` in
  the order the clients first appear (so a second import finds them); a row without a client belongs
  to the first client's sale; each sale is paid by its own rows' methods and tips, and its `source`
  names the receipt and all its clients. staff: id, code or exact name (`--create-missing`: stylists).
- description: a service's or product's code, external code (the other system's: `SH UR 300`,
  `OIL9.5ML`, `CUT+2`, kept whole) or name makes that kind of line (stock is left as it is: it was
  sold long ago), else a service line with only the description. `quantity` (1; a return's may be
  negative) and the unit price are for show: the figures are the file's.
- `amount` is the line's total in major units, what the client paid for it. A negative line on a
  receipt is a `return` line when it names a service or product, else a `discount` line ("misc -50"),
  with its own staff member: revenue per day and per staff member is the file's.
- `tax:NAME` columns hold the tax in it, with as many decimals as the source wrote (3.1875): per sale
  and tax, the exact sum of its lines rounded once, half up, split back over the lines; the exact
  figures are kept in `sale.source`. A tax the location's policy has keeps its rate and inclusive flag;
  another takes the rate the file implies, on top. Whether `amount` includes the taxes or is before
  them is `amount_before_tax` when given, else decided from the figures (`tax_basis.decide_basis`: a
  file that fits both readings or neither is refused, naming --amount-before-tax and
  --amount-includes-tax); before tax, total = amount + taxes.
- `method` (words of other systems too: efectivo, tarjeta, visa, transferencia, ...) and `tip`:
  one succeeded payment per method named on the sale's rows (a row without one takes the sale's
  first method, else `unknown`), dated the receipt's day.
- Optional columns, as `salon export sales --lines` writes them: `discount` (a line's discount in
  major units; `amount` is after it), `kind` (service, product, fee, gift_card, membership, discount,
  return; else as above), `tenders` (`card:10000:3000;cash:5000:0`: each payment's method, amount and
  tip in minor units; it replaces the rows' methods and tips and must add up to the sale's total) and
  `refund_of` (the receipt a return gives money back from).
- A receipt coming to less than zero gives money back from an earlier sale: refunds, a manager's
  (`sale_import_returns`).
Our export (a file with `total_cents`): one sale a row, with its figures, status, its payments
(`tenders`: each method, amount and tip; a file without them: one payment of its single method, else
`unknown`), refunds for `refunded_cents` (against the payments in order), and a single line holding the
money (its taxes as `tax` and `tax (included)`; an open sale takes this policy's taxes, which price
it again if it is changed at the desk). Its receipt is `external_id`, else LOCATION:ID;
a row whose sale is this very one (same location, id, day and total) is already here.

Nothing twice: a receipt whose external id is here already is `unchanged` (not compared), as is a
return whose refunds are here (`sale_import_here`, `sale_import_returns.here`).

`keep_ids` (our own export, moved from one salon database to another): each new sale takes the
row's `id`, its `external_id` as the file has it (none for a sale made at our desk) and its link to
its appointment (`appointment_id`: the appointments imported first, with their ids kept). An id
taken by another sale is a fault, as is an appointment that is not here or already has a live sale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.codes import slug
from salon_cli.core.errors import InvalidInput, NotPermitted
from salon_cli.core.money import exponent, format_amount
from salon_cli.core.permissions import Permission
from salon_cli.db.bulk import analyze
from salon_cli.db.models import AuditLog, DayClose, Payment, Refund, Sale, SaleLine, Staff
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.transfer import sale_import_catalog, sale_import_returns as returns
from salon_cli.services.transfer.appt_import_refs import _create_missing, _free
from salon_cli.services.transfer.appt_import_rows import (DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT, Formats, Ref, check_formats,
                                                          fold, formats)
from salon_cli.services.transfer.client_codes import create_clients, find_clients
from salon_cli.services.transfer.imports import (Created, ImportSummary, Outcome, Planned, Progress, quietly, run_import,
                                                 ticking)
from salon_cli.services.transfer.sale_import_here import chunks, existing, kept_ids
from salon_cli.services.transfer.sale_import_receipts import Receipt, group, pay, price
from salon_cli.services.transfer.sale_import_rows import EXPORTED, FIELDS, Row, Tax, check_row, read
from salon_cli.services.transfer.sale_import_write import write
from salon_cli.services.transfer.tax_basis import LineTax, decide_basis, implied_rate_bp
from salon_cli.services.transfer.visit_links import link_visits

__all__ = ["DEFAULT_DATE_FORMAT", "DEFAULT_TIME_FORMAT", "FIELDS", "Outcome", "check_formats", "import_sales", "read"]

_WRITE_CHUNK = 2000


def import_sales(
    session: Session, *, actor: Actor, location: LocationView, rows: Sequence[SourceRow],
    date_format: str | None = None, time_format: str | None = None, create_missing: bool = False,
    amount_before_tax: bool | None = None, decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False,
    keep_ids: bool = False, source: str | None = None, progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) write the new sales and returns. Raises `ImportRefused`
    (exit 2) naming every row and column at fault; the caller's transaction is then left unwritten. With
    `skip_bad` the receipts with a row at fault are left out (`Outcome.refused`, every row of them)
    and the rest imported. Dates and times are read with the given patterns, else those the columns
    show (ambiguity refused). `amount_before_tax`: True or False as given, None to decide from the
    tax columns (`InvalidInput` when they cannot tell). `keep_ids`: new sales keep the file's ids and
    appointment links. A return (money given back) needs a manager (`NotPermitted`, exit 3)."""
    authorize(actor, Permission.desk)
    if create_missing:
        authorize(actor, Permission.staff_manage)
    taxes = _taxes(session, location, rows)
    shape = formats(rows, date_format, time_format, decimal, money=("amount", "tip", "discount", *taxes))
    return run_import(lambda part: _import(session, actor, location, part, shape, taxes, create_missing,
                                           amount_before_tax, dry_run, keep_ids, source, progress),
                      rows, skip_bad=skip_bad, dry_run=dry_run, group_of=lambda r: r.values.get("receipt") or None)


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], shape: Formats,
            taxes: dict[str, Tax], create_missing: bool, amount_before_tax: bool | None, dry_run: bool,
            keep_ids: bool, source: str | None, progress: Progress) -> Outcome:
    faults: list[Fault] = []
    tick = ticking(progress, "checking", len(rows))
    good = []
    for done, src in enumerate(rows, 1):
        row = check_row(src, location, shape, taxes, faults)
        good += [row] if row is not None else []
        tick(done)
    try:
        before, settled = _basis(good, taxes, amount_before_tax, location.currency)
    except InvalidInput as exc:  # the file cannot be read either way: said with its rows' own faults
        raise ImportRefused([Fault(None, None, exc.message), *_in_order(faults)]) from None
    missing: dict[tuple[str, str], Ref] = {}
    faults += _resolve_staff(session, location, good, create_missing, missing)
    client_faults, new_clients = find_clients(session, good, create_missing=create_missing)
    faults += client_faults
    receipts = group(good, faults)
    price(receipts, settled, before, location.currency, sale_import_catalog.load(session, location), faults)
    pay(receipts, location.currency, faults)
    if not dry_run and session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("LOCK TABLE sale IN SHARE ROW EXCLUSIVE MODE"))  # one import at a time
    here = existing(session, location, receipts) | returns.here(session, location, receipts)
    if keep_ids:
        faults += kept_ids(session, location, receipts, here)
    new = [r for r in receipts if r.key not in here]
    closed = _closed(session, location, {r.first.day for r in new})
    faults += [Fault(r.first.number, r.first.date_column, f"business day {r.first.day.isoformat()} at {location.code} "
                     "is closed: a manager can re-open it (salon reopen-day)") for r in new if r.first.day in closed]
    sales = [r for r in new if not r.gives_back]
    gives = returns.plan(session, location, [r for r in new if r.gives_back], sales, faults)
    if faults:
        raise ImportRefused(_in_order(faults))
    _refunds_need_a_manager(actor, location, new)
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(receipts) - len(new), dry_run=dry_run)
    # how the file was read, for a mapping file; whether the amounts include the taxes only when it was given:
    # decided from the data, the next file's own figures decide again (a report may mean it the other way)
    settings = {"date_format": shape.date_pattern, "time_format": shape.time_pattern,
                "decimal_separator": shape.decimal, "amount_before_tax": amount_before_tax}
    used = {id(row.staff) for r in new for row in r.rows if row.staff is not None}
    missing = {key: ref for key, ref in missing.items() if id(ref) in used}
    new_clients = new_clients.used_by(row for r in new for row in r.rows)
    if dry_run:
        made = tuple(Created(kind, ref.code, ref.name) for (kind, _), ref in missing.items()) + new_clients.planned()
        return Outcome(summary, made, settings=settings,
                       plan=tuple(Planned(r.first.number, "match" if r.key in here else "create", _label(r, location))
                                  for r in receipts))
    made = _create_missing(session, actor, location, missing)
    made += create_clients(session, actor=actor, location=location, new=new_clients)
    policy_taxes = list(policy_row(session, location).taxes or [])
    sale_ids: dict[str, int] = {}
    for start in range(0, len(sales), _WRITE_CHUNK):
        progress("writing", start, len(sales))
        sale_ids.update(write(session, actor, location, sales[start:start + _WRITE_CHUNK], policy_taxes, keep_ids))
    progress("writing", len(sales), len(sales))
    returns.write(session, actor, location, gives, sale_ids)
    # each receipt of another system joined to the imported visit it paid for, so that the client's visit
    # counts once (our own export says which appointment a sale paid for: `appointment_id`, --keep-ids)
    receipts_paid = [sale_ids[r.key] for r in sales if r.first.figures is None]
    if receipts_paid:
        link_visits(session, location.id, sale_ids=receipts_paid, actor=actor)
    analyze(session, sum(len(r.rows) for r in new), Sale, SaleLine, Payment, Refund, AuditLog)
    audit.record(session, actor=actor, action="sale.import_file", entity="sale", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source, "total_cents": sum(row.total for r in new for row in r.rows),
                        "created_missing": [f"{c.kind}:{c.code}" for c in made]},
                 location_id=location.id)
    return Outcome(summary, tuple(made), settings=settings)


def _closed(session: Session, location: LocationView, days: set[date]) -> set[date]:
    """The days among `days` that are closed at the location (in batches: a file spans years)."""
    found: set[date] = set()
    for chunk in chunks(days):
        found.update(session.execute(sa.select(col(DayClose.business_date)).where(
            DayClose.location_id == location.id, col(DayClose.status) == "closed",
            col(DayClose.business_date).in_(chunk))).scalars())
    return found


def _in_order(faults: list[Fault]) -> list[Fault]:
    order = FIELDS + EXPORTED
    return sorted(faults, key=lambda f: (f.row or 0, order.index(f.column) if f.column in order else 99))


def _refunds_need_a_manager(actor: Actor, location: LocationView, new: Sequence[Receipt]) -> None:
    """Money given back, by any path, is a manager's with their PIN: a file that records a refund (our
    export's `refunded_cents`) or a return (a receipt giving money back) is refused to anyone else
    (exit 3), before anything is written."""
    refunding = [(r, (r.first.figures or {}).get("refunded_cents") or -r.total) for r in new
                 if (r.first.figures or {}).get("refunded_cents") or r.gives_back]
    if not refunding or actor.is_manager:
        return
    first, amount = refunding[0]
    more = f" (and {len(refunding) - 1} more)" if len(refunding) > 1 else ""
    what = "records a refund of" if first.first.figures else "gives back"
    raise NotPermitted(f"receipt {first.key} (row {first.first.number}) {what} "
                       f"{format_amount(amount, location.currency)}{more}: refunds need a manager's PIN",
                       hint="import it as a manager: --as MANAGER --pin PIN")


def _label(receipt: Receipt, location: LocationView) -> str:
    lines = len(receipt.rows)
    what = "return" if receipt.gives_back else "receipt"
    return (f"{what} {receipt.key} {receipt.first.day.isoformat()}: {lines} line{'' if lines == 1 else 's'}, "
            f"{format_amount(receipt.total, location.currency)}")


# ----------------------------------------------------------------------------- taxes

def _taxes(session: Session, location: LocationView, rows: Sequence[SourceRow]) -> dict[str, Tax]:
    """The file's tax columns: the policy's rate and inclusive flag when it has the tax, else no rate yet."""
    fields = [name for row in rows[:1] for name in row.values if name.startswith("tax:")]
    policy = {str(t.get("name", "")).strip().lower(): t for t in policy_row(session, location).taxes or []}
    out = {}
    for name in fields:
        known = policy.get(name[4:].strip().lower())
        out[name] = Tax(name, known["name"], int(known.get("rate_bp", 0)), bool(known.get("inclusive"))) if known \
            else Tax(name, name[4:], None, False)
    return out


def _basis(rows: Sequence[Row], taxes: dict[str, Tax], given: bool | None,
           currency: str) -> tuple[bool, dict[str, Tax]]:
    """Whether the amounts are before tax (as given, else as the figures say), and each tax column as
    the lines are taxed with it: a tax the policy lacks at the rate the file implies, on top; a tax
    included in the policy's prices is on top when the amounts are before tax."""
    places = exponent(currency)
    lines = [LineTax(row.number, Decimal(row.amount).scaleb(-places), {taxes[f].name: cell for f, cell in row.exact})
             for row in rows if row.figures is None and row.exact]
    before = given if given is not None else decide_basis(lines, {t.name: t.rate_bp for t in taxes.values()})
    settled = {}
    for name, tax in taxes.items():
        rate = tax.rate_bp if tax.rate_bp is not None else implied_rate_bp(lines, tax.name, before) or 0
        settled[name] = Tax(name, tax.name, rate, tax.inclusive and not before)
    return before, settled


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
