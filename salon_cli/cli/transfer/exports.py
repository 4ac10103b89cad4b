"""`salon export clients|appointments|sales|sale-lines|payments|loyalty|expenses|audit`: data out, streamed.

Rows are written as they are read, CSV by default, to stdout or to `--output FILE` (written beside
it, then moved into place, so that a failed export never leaves half a file). FILE is checked first
(`targets.py`): never the database, and an existing file only when it is a previous export of the same
kind, unless `--force`. CSV cells a spreadsheet would run get a leading `'` unless `--raw`. Imports:
`imports.py`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import message
from salon_cli.cli.transfer import targets
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.io import tabular

export_app = typer.Typer(help="Write data out as CSV, JSON or NDJSON (streamed).", no_args_is_help=True)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    ndjson = "ndjson"


OUTPUT_OPTION: Any = typer.Option(None, "--output", "-o",
                                  help="Write to this file (created 0600) instead of stdout. "
                                       + targets.OUTPUT_RULE.format(what="export of this kind"))
FORCE_OPTION: Any = targets.force_option("--output", "export of this kind")
RAW_OPTION: Any = typer.Option(False, "--raw",
                               help="CSV: every cell exactly as stored. Without it a cell a spreadsheet would run "
                                    "as a formula (starting with =, @, a tab, or + or - before more than a "
                                    "number) gets a leading ' (salon import takes it off). JSON is always exact.")


@export_app.command("clients")
def export_clients(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Clients created on or after this day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Clients created on or before this day, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    include_private: bool = typer.Option(False, "--include-private",
                                         help="Include private notes (owner or manager: --as CODE --pin PIN)."),
) -> None:
    """Export every client (merged ones left out) with tags and notes, streamed; CSV by default.

    Notes are a list of objects in JSON, 'type: body' joined with ' | ' in CSV.

    After the notes come the address and contact details (street, city, state, postal_code, country, phone2, email2, occupation, emergency_name, emergency_phone) and preferred_staff: the preferred stylists' codes, first first (a list in JSON, joined with ';' in CSV, like tags).

    Private notes only with --include-private: the owner or a manager, with their PIN (exit 3 otherwise).

    Example: salon --as marco --pin 2222 export clients --from 2026-01-01 --format ndjson --include-private --output clientes.ndjson
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.transfer import client_export

    app = app_context(ctx)
    _check_output(app, ctx, output, force, client_export.COLUMNS)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    client_export.window(loc, first, last)
    reader = None
    if include_private:
        reader = app.actor(Permission.notes_private_export)
        _record_private_export(app, reader, loc, first, last, fmt, output)
    with app.uow(write=False) as uow:
        rows = client_export.clients(uow.session, location=loc, first=first, last=last, private_reader=reader)
        count = _write(rows, fmt, output, loc.tz, raw=raw)
    where = f" to {output}" if output else ""
    message(f"exported {count} client{'' if count == 1 else 's'}{where}"
            + ("" if include_private else " (private notes left out)"))


def _record_private_export(app: Any, reader: Any, loc: Any, first: Any, last: Any, fmt: ExportFormat,
                           output: Path | None) -> None:
    """Private notes leaving the system are audited (who, when, which window, where to)."""
    from salon_cli.services.salon import audit

    with app.uow() as uow:
        audit.record(uow.session, actor=reader, action="client.export_private", entity="client", entity_id=None,
                     after={"from": first, "to": last, "format": fmt.value,
                            "output": str(output) if output else "stdout"}, location_id=loc.id)
        uow.commit()


def _check_output(app: Any, ctx: typer.Context, output: Path | None, force: bool, columns: list[str]) -> None:
    """--output FILE, before anything is read or written: see `targets`."""
    if output is not None:
        from salon_cli.io.output_files import export_of

        targets.check(app, output, option="--output", force=force, ours=export_of(columns),
                      what=f"{ctx.info_name} export")


def _export(ctx: typer.Context, from_: str | None, to: str | None, fmt: ExportFormat, output: Path | None,
            force: bool, raw: bool, *, noun: str, columns: list[str],
            rows_of: Callable[[Any, Any, Any, Any], Iterable[Any]], singular: str = "", plural: str = "s") -> None:
    """The body every export but clients shares: the location, the --from/--to window, the rows of
    `rows_of(session, location, first, last)` written out on one read-only transaction, the count said."""
    from salon_cli.core.days import parse_date

    app = app_context(ctx)
    _check_output(app, ctx, output, force, columns)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        count = _write(rows_of(uow.session, loc, first, last), fmt, output, loc.tz, columns, raw=raw)
    where = f" to {output}" if output else ""
    message(f"exported {count} {noun}{singular if count == 1 else plural}{where}")


def _write(rows: Iterable[dict[str, Any]], fmt: ExportFormat, output: Path | None, tz: Any,
           columns: list[str] | None = None, *, raw: bool = False) -> int:
    """Records to stdout or (via FILE.part, then moved into place) to `output`; the count written.
    Without `columns`, the clients' columns and their notes cell. `raw`: CSV cells not neutralised."""
    from salon_cli.io import private_files, tabular
    from salon_cli.services.transfer import client_export

    if columns is None:
        counter = _Counter(tabular.records(rows, tz))
        records: Iterable[dict[str, Any]] = counter
        columns = client_export.COLUMNS
        if fmt is ExportFormat.csv:
            records = ({**r, "notes": client_export.notes_cell(r["notes"])} for r in counter)
    elif fmt is ExportFormat.csv:  # the CSV writer makes each cell ready itself: no record in between
        counter = records = _Counter(rows)
    else:
        counter = records = _Counter(tabular.records(rows, tz))
    if output is None:
        _write_to(records, fmt, sys.stdout, columns, tz, raw)  # a closed pipe: see SalonGroup
        sys.stdout.flush()
        return counter.count
    part = targets.part_of(output)
    try:
        with private_files.open_replacement(part, output) as out:  # 0600 unless FILE was shared
            _write_to(records, fmt, out, columns, tz, raw)
        os.replace(part, output)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {output}: {exc.strerror or exc}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return counter.count


def _write_to(records: Iterable[dict[str, Any]], fmt: ExportFormat, out: IO[str], columns: list[str],
              tz: Any = None, raw: bool = False) -> None:

    if fmt is ExportFormat.json:
        tabular.write_json(records, out)
    elif fmt is ExportFormat.ndjson:
        tabular.write_ndjson(records, out)
    else:
        tabular.write_csv(records, out, columns=columns, tz=tz, raw=raw)


class _Counter:
    def __init__(self, items: Iterable[dict[str, Any]]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self._items:
            self.count += 1
            yield item


@export_app.command("appointments")
def export_appointments(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Appointments starting on or after this day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Appointments starting on or before this day, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    status: str | None = typer.Option(None, "--status", help="Only this status, e.g. no_show."),
    staff: str | None = typer.Option(None, "--staff", help="Only this staff member's (code)."),
) -> None:
    """Export the location's appointments by start time, with their services and penalties, streamed; CSV by default.

    Days are business days on the location's clock; instants carry its UTC offset. `services` lists the service codes (joined by ';' in CSV).

    Example: salon export appointments --from 2026-11-01 --to 2026-11-30 --status completed --format ndjson --output noviembre.ndjson
    """
    from salon_cli.services.transfer import appt_export

    _export(ctx, from_, to, fmt, output, force, raw, noun="appointment", columns=appt_export.COLUMNS,
            rows_of=lambda session, loc, first, last: appt_export.appointments(
                session, location=loc, first=first, last=last, status=status, staff=staff))


@export_app.command("sales")
def export_sales(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Sales of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Sales of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    status: str | None = typer.Option(None, "--status", help="Only this status: open, paid, void, partially_refunded, refunded."),
    lines: bool = typer.Option(False, "--lines", help="One row a sale line, as salon import sales reads them "
                                                      "(the same as salon export sale-lines)."),
) -> None:
    """Export the location's sales by id, one record a sale, streamed; CSV by default.

    The days are business days (the day a sale was paid). Money is in minor units (`_cents`); `methods` lists the methods of its payments (joined by ';' in CSV). JSON and NDJSON also carry each sale's lines, payments and refunds.

    With --lines, one row a sale line instead: see salon export sale-lines.

    Example: salon export sales --from 2026-11-01 --to 2026-11-30 --format ndjson --output ventas-noviembre.ndjson
    """
    from salon_cli.services.transfer import sale_export

    if lines:
        if status is not None:
            raise InvalidInput("--lines exports the sales that took money and their refunds: no --status with it")
        _export_sale_lines(ctx, from_, to, fmt, output, force, raw)
        return
    _export(ctx, from_, to, fmt, output, force, raw, noun="sale", columns=sale_export.COLUMNS,
            rows_of=lambda session, loc, first, last: sale_export.sales(
                session, location=loc, first=first, last=last, status=status, detail=fmt is not ExportFormat.csv))


@export_app.command("sale-lines")
def export_sale_lines(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Sales and refunds of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Sales and refunds of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
) -> None:
    """Export one row a sale line, as salon import sales reads them, streamed; CSV by default (also: export sales --lines).

    The sales that took money (paid or refunded; open and void ones are left out), by id: receipt, date, time, client (external code, phone, e-mail or id), staff (code), description, kind, quantity, amount (the line's total, after its discount, with its taxes, in major units), discount, one tax:NAME column a tax, method (the sale's only one) and tenders (method:amount_cents:tip_cents;...: the tips are there).

    Then each refund made in the period, as a receipt of its own (RECEIPT-R<refund id>, refund_of RECEIPT) with negative amounts, split over the sale's lines as report revenue splits it; its staff is who gave the money back, when the refund says.

    sale_id, line and net_cents say where a row comes from. Imported into another salon, the file gives the same sales, revenue by day and by staff.

    Example: salon export sale-lines --from 2026-11-01 --to 2026-11-30 --output lineas-noviembre.csv
    """
    _export_sale_lines(ctx, from_, to, fmt, output, force, raw)


def _export_sale_lines(ctx: typer.Context, from_: str | None, to: str | None, fmt: ExportFormat,
                       output: Path | None, force: bool, raw: bool) -> None:
    """Like `_export`, but the columns depend on the period (a tax:NAME column a tax): a previous file of
    this export is one whose columns start with the fixed ones."""
    from salon_cli.core.days import parse_date
    from salon_cli.services.transfer import sale_line_export

    app = app_context(ctx)
    if output is not None:
        targets.check(app, output, option="--output", force=force, what="sale lines export",
                      ours=_sale_lines_file(sale_line_export.FIXED))
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        columns = sale_line_export.columns(uow.session, location=loc, first=first, last=last)
        rows = sale_line_export.sale_lines(uow.session, location=loc, first=first, last=last)
        count = _write(rows, fmt, output, loc.tz, columns, raw=raw)
    where = f" to {output}" if output else ""
    message(f"exported {count} sale line{'' if count == 1 else 's'}{where}")


def _sale_lines_file(fixed: list[str]) -> Callable[[str], bool]:
    """A previous sale lines export: its records begin with `fixed` (JSON, NDJSON), or its CSV header is
    `fixed` and tax:NAME columns."""
    import csv
    import io

    from salon_cli.io.output_files import export_of

    as_records = export_of(fixed)

    def recognise(head: str) -> bool:
        if as_records(head):
            return True
        try:
            header = next(csv.reader(io.StringIO(head, newline="")), [])
        except csv.Error:
            return False
        return header[:len(fixed)] == fixed and all(name.startswith("tax:") for name in header[len(fixed):])

    return recognise


@export_app.command("payments")
def export_payments(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Payments of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Payments of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    method: str | None = typer.Option(None, "--method", help="Only this method, e.g. cash."),
) -> None:
    """Export the location's payments (every status) by id, streamed; CSV by default.

    The days are the business days the money came in. `refunded_cents` is what was given back from each payment.

    Example: salon export payments --from 2026-11-01 --to 2026-11-30 --method cash
    """
    from salon_cli.services.transfer import sale_export

    _export(ctx, from_, to, fmt, output, force, raw, noun="payment", columns=sale_export.PAYMENT_COLUMNS,
            rows_of=lambda session, loc, first, last: sale_export.payments(
                session, location=loc, first=first, last=last, method=method))


@export_app.command("expenses")
def export_expenses(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Expenses of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Expenses of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
) -> None:
    """Export the location's expenses (recorded and void) by id, streamed; CSV by default.

    The days are the business days the expenses belong to. Money is in minor units (`amount_cents`); staff are named by their codes.

    Example: salon export expenses --from 2026-11-01 --to 2026-11-30 --output gastos-noviembre.csv
    """
    from salon_cli.services.transfer import expense_export

    _export(ctx, from_, to, fmt, output, force, raw, noun="expense", columns=expense_export.COLUMNS,
            rows_of=lambda session, loc, first, last: expense_export.expenses(
                session, location=loc, first=first, last=last))


@export_app.command("loyalty")
def export_loyalty(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Entries of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Entries of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    kind: str | None = typer.Option(None, "--kind", help="Only this kind: earn, redeem, expire, void, welcome, "
                                                         "adjust, referral, stamp, stamp_reward."),
) -> None:
    """Export the loyalty ledger by id: every entry made at this location, and the chain's own (point expiries), streamed; CSV by default.

    Points and stamps are signed (an expiry or a redemption is negative); `ref` says what the entry points at, as `salon loyalty history` does.

    Example: salon export loyalty --from 2026-11-01 --to 2026-11-30 --kind redeem -f ndjson --output canjes.ndjson
    """
    from salon_cli.db.models import LOYALTY_ENTRY_KINDS
    from salon_cli.services.transfer import ledger_export

    if kind is not None and kind not in LOYALTY_ENTRY_KINDS:
        raise InvalidInput(f"unknown --kind {kind!r}", hint="one of: " + ", ".join(sorted(LOYALTY_ENTRY_KINDS)))
    _export(ctx, from_, to, fmt, output, force, raw, noun="loyalty entr", plural="ies", singular="y",
            columns=ledger_export.LOYALTY_COLUMNS,
            rows_of=lambda session, loc, first, last: ledger_export.loyalty_entries(
                session, location=loc, first=first, last=last, kind=kind))


@export_app.command("audit")
def export_audit(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Rows written on this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Rows written on this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = OUTPUT_OPTION, force: bool = FORCE_OPTION, raw: bool = RAW_OPTION,
    entity: str | None = typer.Option(None, "--entity", help="Only this entity: sale, client, appointment, ..."),
) -> None:
    """Export the audit log oldest first: this location's rows and the chain's own (cron jobs, merges), streamed; CSV by default.

    `before` and `after` are the row as it was and as it became (JSON text in CSV). No PIN hash or note body is ever in the log.

    Example: salon export audit --from 2026-11-01 --to 2026-11-30 --entity sale -f ndjson --output auditoria.ndjson
    """
    from salon_cli.services.transfer import ledger_export

    _export(ctx, from_, to, fmt, output, force, raw, noun="audit row", columns=ledger_export.AUDIT_COLUMNS,
            rows_of=lambda session, loc, first, last: ledger_export.audit_entries(
                session, location=loc, first=first, last=last, entity=entity))


def register(root: typer.Typer) -> None:
    root.add_typer(export_app, name="export")
