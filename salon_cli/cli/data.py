"""`salon import clients|appointments|sales` and `salon export clients|appointments|sales|payments`: data in and out of files.

An import is all or nothing: every row is checked first and every fault is named by row and column
(exit 2, nothing written). An export streams: rows are written as they are read, CSV by default,
to stdout or to `--output FILE` (written beside it, then moved into place, so that a failed export
never leaves half a file).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.io.tabular import SourceRow

import_app = typer.Typer(help="Bring data in from CSV files (all or nothing).", no_args_is_help=True)
export_app = typer.Typer(help="Write data out as CSV, JSON or NDJSON (streamed).", no_args_is_help=True)

SUMMARY_COLUMNS = ["rows", "created", "unchanged", "dry_run"]
_FAULTS_SHOWN = 50


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    ndjson = "ndjson"


@import_app.command("clients")
def import_clients(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="A CSV file with a header row; - reads stdin."),
    maps: list[str] = typer.Option([], "--map", metavar="SRC=field",
                                   help="Read the file's column SRC as field; repeat. Fields: first_name last_name "
                                        "phone email birthday external_code tags gender marketing_consent."),
    date_format: str = typer.Option("%Y-%m-%d", "--date-format", help="strftime pattern of birthdays, e.g. %d/%m/%Y."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's encoding (UTF-8 with or without BOM by default), e.g. latin-1."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and print the counts; write nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Import clients from a CSV file: every row is checked first; one bad row and nothing is written.

    A client already here (same external code, else phone, else e-mail) is left as it is and counted as unchanged.

    Tags are separated by ';' or ','. A file from `salon export clients` imports as it is.

    Example: salon --as sofia import clients clientes.csv --map "Nombre=first_name" --map "Apellido=last_name" --map "Teléfono=phone" --date-format %d/%m/%Y
    """
    from salon_cli.io.tabular import ImportRefused, parse_mapping
    from salon_cli.services import client_import

    app = app_context(ctx)
    loc = app.location()
    mapping = parse_mapping(maps)
    client_import.check_date_format(date_format)
    try:
        rows = _read_rows(file, mapping, _with_bom(encoding))
        source = "stdin" if file == "-" else Path(file).name

        def work(session: Any, actor: Any) -> Any:
            return client_import.import_clients(session, actor=actor, location=loc, rows=rows,
                                                date_format=date_format, dry_run=dry_run, source=source)

        if dry_run:
            actor = app.actor(Permission.desk)
            summary = app.read(lambda session: work(session, actor))
        else:
            summary = app.change(Permission.desk, work)
    except ImportRefused as exc:
        _say_faults(exc.faults)
        raise
    new = f"{summary.created} new client{'' if summary.created == 1 else 's'}"
    if dry_run:
        message(f"dry run, nothing written: {new}, {summary.unchanged} already here")
    else:
        message(f"imported {new}; {summary.unchanged} already here, left as they are")
    emit(summary, fmt, one=True, columns=SUMMARY_COLUMNS)


def _with_bom(encoding: str) -> str:
    """UTF-8 means UTF-8 with or without a byte-order mark."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not known", hint="e.g. utf-8, latin-1, cp1252") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else encoding


def _read_rows(file: str, mapping: dict[str, str], encoding: str,
               reader: Callable[..., list[SourceRow]] | None = None) -> list[SourceRow]:
    """The file's rows, read by `reader` (the clients reader by default)."""
    if reader is None:
        from salon_cli.services import client_import

        reader = client_import.read
    if file == "-":
        return reader(sys.stdin.buffer, mapping=mapping, encoding=encoding)
    try:
        stream = open(file, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
    with stream:
        return reader(stream, mapping=mapping, encoding=encoding)


def _run_import(app: Any, file: str, maps: list[str] | None, encoding: str, reader: Any, create_missing: bool,
                dry_run: bool, run: Any) -> Any:
    """Read FILE (or stdin) with `reader`, then `run(session, actor, rows, source)` in one transaction
    (read-only for a dry run); a manager's PIN when the import may create staff or services."""
    from salon_cli.io.tabular import ImportRefused, parse_mapping

    permission = Permission.staff_manage if create_missing else Permission.desk
    try:
        rows = _read_rows(file, parse_mapping(maps), _with_bom(encoding), reader)
        source = "stdin" if file == "-" else Path(file).name
        if dry_run:
            actor = app.actor(permission)
            return app.read(lambda session: run(session, actor, rows, source))
        return app.change(permission, lambda session, actor: run(session, actor, rows, source))
    except ImportRefused as exc:
        _say_faults(exc.faults)
        raise


def _say_faults(faults: list[Any]) -> None:
    """The error line names three faults; a longer list goes to stderr first, one a line."""
    if len(faults) <= 3:
        return
    for fault in faults[:_FAULTS_SHOWN]:
        message(f"  {fault}")
    if len(faults) > _FAULTS_SHOWN:
        message(f"  ... and {len(faults) - _FAULTS_SHOWN} more")


@export_app.command("clients")
def export_clients(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Clients created on or after this day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Clients created on or before this day, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    include_private: bool = typer.Option(False, "--include-private",
                                         help="Include private notes (owner or manager: --as CODE --pin PIN)."),
) -> None:
    """Export every client (merged ones left out) with tags and notes, streamed; CSV by default.

    Notes are a list of objects in JSON, 'type: body' joined with ' | ' in CSV.

    Private notes only with --include-private: the owner or a manager, with their PIN (exit 3 otherwise).

    Example: salon --as marco --pin 2222 export clients --from 2026-01-01 --format ndjson --include-private --output clientes.ndjson
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services import client_export

    app = app_context(ctx)
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
        count = _write(rows, fmt, output, loc.tz)
    where = f" to {output}" if output else ""
    message(f"exported {count} client{'' if count == 1 else 's'}{where}"
            + ("" if include_private else " (private notes left out)"))


def _record_private_export(app: Any, reader: Any, loc: Any, first: Any, last: Any, fmt: ExportFormat,
                           output: Path | None) -> None:
    """Private notes leaving the system are audited (who, when, which window, where to)."""
    from salon_cli.services import audit

    with app.uow() as uow:
        audit.record(uow.session, actor=reader, action="client.export_private", entity="client", entity_id=None,
                     after={"from": first, "to": last, "format": fmt.value,
                            "output": str(output) if output else "stdout"}, location_id=loc.id)
        uow.commit()


def _write(rows: Iterable[dict[str, Any]], fmt: ExportFormat, output: Path | None, tz: Any,
           columns: list[str] | None = None) -> int:
    """Records to stdout or (via FILE.part, then moved into place) to `output`; the count written.
    Without `columns`, the clients' columns and their notes cell."""
    from salon_cli.io import tabular
    from salon_cli.services import client_export

    counter = _Counter(tabular.records(rows, tz))
    records: Iterable[dict[str, Any]] = counter
    if columns is None:
        columns = client_export.COLUMNS
        if fmt is ExportFormat.csv:
            records = ({**r, "notes": client_export.notes_cell(r["notes"])} for r in counter)
    if output is None:
        _write_to(records, fmt, sys.stdout, columns)  # a closed pipe: see SalonGroup
        sys.stdout.flush()
        return counter.count
    part = output.with_name(output.name + ".part")
    try:
        with open(part, "w", encoding="utf-8", newline="") as out:
            _write_to(records, fmt, out, columns)
        os.replace(part, output)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {output}: {exc.strerror or exc}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return counter.count


def _write_to(records: Iterable[dict[str, Any]], fmt: ExportFormat, out: IO[str], columns: list[str]) -> None:
    from salon_cli.io import tabular

    if fmt is ExportFormat.json:
        tabular.write_json(records, out)
    elif fmt is ExportFormat.ndjson:
        tabular.write_ndjson(records, out)
    else:
        tabular.write_csv(records, out, columns=columns)


class _Counter:
    def __init__(self, items: Iterable[dict[str, Any]]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self._items:
            self.count += 1
            yield item


@import_app.command("appointments")
def import_appointments(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="A CSV file with a header row; - reads stdin."),
    maps: list[str] = typer.Option([], "--map", metavar="SRC=field",
                                   help="Read the file's column SRC as field; repeat. Fields: external_id client "
                                        "service staff date time status duration_min price note deposit."),
    date_format: str = typer.Option("%Y-%m-%d", "--date-format", help="strftime pattern of the date column, e.g. %m/%d/%Y."),
    time_format: str = typer.Option("%H:%M", "--time-format",
                                    help="strftime pattern of the time column, e.g. '%I:%M %p' (default also reads %H:%M:%S)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's encoding (UTF-8 with or without BOM by default), e.g. latin-1."),
    create_missing: bool = typer.Option(False, "--create-missing",
                                        help="Create unknown services and staff (stylists with a random PIN); "
                                             "a manager's PIN is needed."),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Import booked rows that double-book a staff member."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and print the counts; write nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Import appointments (history or future) from a CSV file: every row is checked first; one bad row and nothing is written.

    Date and time are on the location's clock. A client is found by id, phone, e-mail or external code; services by code or name (several joined by ';' or '+'); staff by code or name.

    Status: booked (default), checked_in, in_service, completed, cancelled, late_cancelled, no_show, or words such as confirmed, arrived, done, canceled, no-show, late cancel.

    A row whose external_id is already here (or, without one, the same client, staff and start) is left as it is and counted as unchanged. Imported no-shows count on the client but make no penalty. A file from `salon export appointments` imports as it is.

    Example: salon --as sofia import appointments citas.csv --map "Cliente=client" --map "Servicio=service" --date-format %m/%d/%Y --time-format "%I:%M %p"
    """
    from salon_cli.services import appt_import

    app = app_context(ctx)
    loc = app.location()
    appt_import.check_formats(date_format, time_format)
    outcome = _run_import(app, file, maps, encoding, appt_import.read, create_missing, dry_run,
                          lambda session, actor, rows, source: appt_import.import_appointments(
                              session, actor=actor, location=loc, rows=rows, date_format=date_format,
                              time_format=time_format, create_missing=create_missing, allow_overlap=allow_overlap,
                              dry_run=dry_run, source=source))
    summary = outcome.summary
    for made in outcome.created:
        would = "would create" if dry_run else "created"
        if made.pin:
            message(f"{would} staff member {made.name} ({made.code}, stylist) with PIN {made.pin}: "
                    f"they must set their own: salon --as {made.code} --pin {made.pin} staff set-pin {made.code} --new-pin NEW")
        else:
            message(f"{would} {made.kind} {made.name}" + (f" ({made.code})" if made.code else "")
                    + ("" if made.kind == "staff" else f"; check its price and length: salon service set {made.code or 'CODE'} ..."))
    new = f"{summary.created} new appointment{'' if summary.created == 1 else 's'}"
    if dry_run:
        message(f"dry run, nothing written: {new}, {summary.unchanged} already here")
    else:
        message(f"imported {new}; {summary.unchanged} already here, left as they are")
    emit(summary, fmt, one=True, columns=SUMMARY_COLUMNS)


@export_app.command("appointments")
def export_appointments(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Appointments starting on or after this day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Appointments starting on or before this day, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    status: str | None = typer.Option(None, "--status", help="Only this status, e.g. no_show."),
    staff: str | None = typer.Option(None, "--staff", help="Only this staff member's (code)."),
) -> None:
    """Export the location's appointments by start time, with their services and penalties, streamed; CSV by default.

    Days are business days on the location's clock; instants carry its UTC offset. `services` lists the service codes (joined by ';' in CSV).

    Example: salon export appointments --from 2026-11-01 --to 2026-11-30 --status completed --format ndjson --output noviembre.ndjson
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services import appt_export

    app = app_context(ctx)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        rows = appt_export.appointments(uow.session, location=loc, first=first, last=last, status=status, staff=staff)
        count = _write(rows, fmt, output, loc.tz, appt_export.COLUMNS)
    where = f" to {output}" if output else ""
    message(f"exported {count} appointment{'' if count == 1 else 's'}{where}")


@import_app.command("sales")
def import_sales(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="A CSV file with a header row; - reads stdin."),
    maps: list[str] = typer.Option([], "--map", metavar="SRC=field",
                                   help="Read the file's column SRC as field; repeat. Fields: receipt date time client "
                                        "staff description quantity amount method tip, and tax:NAME for a column of "
                                        "tax amounts (e.g. --map GST=tax:GST)."),
    date_format: str = typer.Option("%Y-%m-%d", "--date-format", help="strftime pattern of the date column, e.g. %m/%d/%Y."),
    time_format: str = typer.Option("%H:%M", "--time-format",
                                    help="strftime pattern of the time column, e.g. '%I:%M %p' (default also reads %H:%M:%S)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="The file's encoding (UTF-8 with or without BOM by default), e.g. latin-1."),
    create_missing: bool = typer.Option(False, "--create-missing",
                                        help="Create unknown staff (stylists with a random PIN); a manager's PIN is needed."),
    amount_before_tax: bool = typer.Option(False, "--amount-before-tax",
                                           help="Each amount is before the tax columns (total = amount + taxes), "
                                                "not the line's total."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and print the counts; write nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Import paid sales (receipts from another system) from a CSV file: every row is checked first; one bad row and nothing is written.

    Rows sharing a receipt are one sale, paid on its date (not a closed business day). amount is the line's total in major units; a tax:NAME column holds the tax of that name in it (the policy's rate and inclusive flag when it has the tax, else added on top at rate 0).

    A description that is a service's or product's code or name makes that kind of line. One payment per method on the receipt (efectivo, tarjeta, visa, ... are understood; none: unknown), with the rows' tips.

    A receipt already here is left as it is and counted as unchanged. A file from `salon export sales` imports as it is.

    Example: salon --as sofia import sales tickets.csv --map "Ticket=receipt" --map "Fecha=date" --map "Concepto=description" --map "Importe=amount" --map "IVA=tax:IVA" --date-format %d/%m/%Y
    """
    from salon_cli.services import sale_import

    app = app_context(ctx)
    loc = app.location()
    sale_import.check_formats(date_format, time_format)
    outcome = _run_import(app, file, maps, encoding, sale_import.read, create_missing, dry_run,
                          lambda session, actor, rows, source: sale_import.import_sales(
                              session, actor=actor, location=loc, rows=rows, date_format=date_format,
                              time_format=time_format, create_missing=create_missing,
                              amount_before_tax=amount_before_tax, dry_run=dry_run, source=source))
    summary = outcome.summary
    for made in outcome.created:
        would = "would create" if dry_run else "created"
        message(f"{would} staff member {made.name} ({made.code}, stylist)" + (
            f" with PIN {made.pin}: they must set their own: salon --as {made.code} --pin {made.pin} "
            f"staff set-pin {made.code} --new-pin NEW" if made.pin else ""))
    new = f"{summary.created} new sale{'' if summary.created == 1 else 's'}"
    if dry_run:
        message(f"dry run, nothing written: {new}, {summary.unchanged} already imported ({summary.rows} rows)")
    else:
        message(f"imported {new} ({summary.rows} rows); {summary.unchanged} already imported, left as they are")
    emit(summary, fmt, one=True, columns=SUMMARY_COLUMNS)


@export_app.command("sales")
def export_sales(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Sales of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Sales of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    status: str | None = typer.Option(None, "--status", help="Only this status: open, paid, void, partially_refunded, refunded."),
) -> None:
    """Export the location's sales by id, one record a sale, streamed; CSV by default.

    The days are business days (the day a sale was paid). Money is in minor units (`_cents`); `methods` lists the methods of its payments (joined by ';' in CSV). JSON and NDJSON also carry each sale's lines, payments and refunds.

    Example: salon export sales --from 2026-11-01 --to 2026-11-30 --format ndjson --output ventas-noviembre.ndjson
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services import sale_export

    app = app_context(ctx)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        rows = sale_export.sales(uow.session, location=loc, first=first, last=last, status=status,
                                 detail=fmt is not ExportFormat.csv)
        count = _write(rows, fmt, output, loc.tz, sale_export.COLUMNS)
    where = f" to {output}" if output else ""
    message(f"exported {count} sale{'' if count == 1 else 's'}{where}")


@export_app.command("payments")
def export_payments(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Payments of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Payments of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    method: str | None = typer.Option(None, "--method", help="Only this method, e.g. cash."),
) -> None:
    """Export the location's payments (every status) by id, streamed; CSV by default.

    The days are the business days the money came in. `refunded_cents` is what was given back from each payment.

    Example: salon export payments --from 2026-11-01 --to 2026-11-30 --method cash
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services import sale_export

    app = app_context(ctx)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        rows = sale_export.payments(uow.session, location=loc, first=first, last=last, method=method)
        count = _write(rows, fmt, output, loc.tz, sale_export.PAYMENT_COLUMNS)
    where = f" to {output}" if output else ""
    message(f"exported {count} payment{'' if count == 1 else 's'}{where}")


@export_app.command("expenses")
def export_expenses(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Expenses of this business day or later, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Expenses of this business day or earlier, YYYY-MM-DD."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (default), json or ndjson."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Export the location's expenses (recorded and void) by id, streamed; CSV by default.

    The days are the business days the expenses belong to. Money is in minor units (`amount_cents`); staff are named by their codes.

    Example: salon export expenses --from 2026-11-01 --to 2026-11-30 --output gastos-noviembre.csv
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services import expense_export

    app = app_context(ctx)
    loc = app.location()
    first = parse_date(from_, what="--from") if from_ else None
    last = parse_date(to, what="--to") if to else None
    with app.uow(write=False) as uow:
        rows = expense_export.expenses(uow.session, location=loc, first=first, last=last)
        count = _write(rows, fmt, output, loc.tz, expense_export.COLUMNS)
    where = f" to {output}" if output else ""
    message(f"exported {count} expense{'' if count == 1 else 's'}{where}")


def register(root: typer.Typer) -> None:
    root.add_typer(import_app, name="import")
    root.add_typer(export_app, name="export")
