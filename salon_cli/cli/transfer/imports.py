"""`salon import services|products|clients|appointments|sales`: another system's CSV exports in.

Each command reads the file (or stdin), maps its columns (`--map SRC=field`, `--mapping FILE.toml`),
checks every row and then writes in one transaction, or nothing (exit 2, every fault named by row
and column). `--dry-run` lists what each row would do (create, match, refuse) and writes nothing;
`--skip-bad` imports the good rows and writes the refused ones, with their reasons, to a rejects
file (0600; checked before the import runs: never the database, and an existing file only when it is
a previous rejects file, unless `--force`: see `targets.py`). A progress bar shows on stderr (a terminal only) for large files.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.cli.transfer import targets
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.io.tabular import ImportRefused, parse_mapping, write_rejects

if TYPE_CHECKING:
    from salon_cli.io.tabular import SourceRows
    from salon_cli.services.transfer.imports import Outcome

import_app = typer.Typer(help="Bring another system's data in from CSV files (all or nothing, or --skip-bad).",
                         no_args_is_help=True)

SUMMARY_COLUMNS = ["rows", "created", "unchanged", "refused", "dry_run"]
PLAN_COLUMNS = ["row", "action", "record", "existing_id", "reason"]
_FAULTS_SHOWN = 50
_PROGRESS_FROM = 5000  # rows: smaller files are done before a bar would be read

FILE_ARG: Any = typer.Argument(..., metavar="FILE|-", help="A CSV file with a header row; - reads stdin.")
MAPPING_OPTION: Any = typer.Option(None, "--mapping", metavar="FILE.toml",
                                   help="Column names and formats kept in a TOML file ([columns] SRC = \"field\"; "
                                        "date_format, time_format, encoding). Options given here win.")
DATE_OPTION: Any = typer.Option(None, "--date-format",
                                help="strftime pattern of the dates, e.g. %m/%d/%Y or %d/%m/%Y. "
                                     "Default: detected from the file (ambiguous dates are refused).")
TIME_OPTION: Any = typer.Option(None, "--time-format",
                                help="strftime pattern of the times, e.g. '%I:%M:%S %p'. Default: detected.")
ENCODING_OPTION: Any = typer.Option(None, "--encoding",
                                    help="The file's encoding: UTF-8 with or without BOM by default (a UTF-16 BOM "
                                         "is followed); e.g. latin-1, cp1252, utf-16.")
DECIMAL_OPTION: Any = typer.Option(None, "--decimal-separator", metavar="'.'|','",
                                   help="The amounts' decimal separator, where the file does not show it "
                                        "(every amount like 1,234 or 12.500).")
DRY_RUN_OPTION: Any = typer.Option(False, "--dry-run",
                                   help="List what each row would do (create, match, refuse); write nothing.")
SKIP_BAD_OPTION: Any = typer.Option(False, "--skip-bad",
                                    help="Import the good rows; write the refused ones and why to --rejects.")
KEEP_IDS_OPTION: Any = typer.Option(False, "--keep-ids",
                                    help="Keep the ids of a file from `salon export` (moving from one salon database "
                                         "to another): references between clients, appointments, penalties and sales "
                                         "stay as they were. An id taken by another record is refused.")
REJECTS_OPTION: Any = typer.Option(None, "--rejects", metavar="FILE",
                                   help="Where --skip-bad writes refused rows (default: FILE.rejected.csv beside "
                                        "the input; created 0600). It imports again as it is once fixed. An existing "
                                        "file is replaced only when it is a previous rejects file (its header row "
                                        "ends with the import_error column) or is empty; anything else needs "
                                        "--force. Never the salon's database or its -wal/-shm files, even with "
                                        "--force.")
FORCE_OPTION: Any = targets.force_option("--rejects", "rejects file")


def _maps_help(fields: str) -> Any:
    return typer.Option([], "--map", metavar="SRC=field",
                        help=f"Read the file's column SRC as field (SRC=- skips it); repeat. Fields: {fields}.")


class ImportRun:
    """The options every import shares, resolved: mapping file under command-line options."""

    def __init__(self, ctx: typer.Context, file: str, maps: list[str], mapping: Path | None, date_format: str | None,
                 time_format: str | None, encoding: str | None, dry_run: bool, skip_bad: bool,
                 rejects: Path | None, fmt: Format, decimal: str | None = None, *, force: bool = False) -> None:
        from salon_cli.io import mapping_file

        self.app = app_context(ctx)
        self.rejects = rejects
        if skip_bad and not dry_run and rejects is None:
            if file == "-":
                raise InvalidInput("--skip-bad on stdin needs --rejects FILE for the refused rows")
            self.rejects = Path(file).with_name(Path(file).stem + ".rejected.csv")
        if skip_bad and not dry_run and self.rejects is not None:  # before the database is even opened
            from salon_cli.io.output_files import is_rejects

            targets.check(self.app, self.rejects, option="--rejects", force=force, ours=is_rejects,
                          what="rejects file")
        self.location = self.app.location()
        settings = mapping_file.load(mapping) if mapping is not None else mapping_file.MappingFile()
        self.mapping = parse_mapping(maps, base=settings.columns)
        self.date_format = date_format or settings.date_format
        self.time_format = time_format or settings.time_format
        self.encoding = _with_bom(encoding or settings.encoding or "utf-8")
        self.decimal = decimal or settings.decimal_separator
        self.file, self.dry_run, self.skip_bad, self.fmt = file, dry_run, skip_bad, fmt
        self.source = "stdin" if file == "-" else Path(file).name

    def run(self, reader: Callable[..., SourceRows], permission: Permission,
            work: Callable[[Any, Any, SourceRows, Any], Outcome]) -> Outcome:
        """Read the rows, then `work(session, actor, rows, progress)`: read-only for a dry run, else
        in one committed transaction. Faults are listed on stderr before the error."""

        rows = _read_rows(self.file, self.mapping, self.encoding, reader)
        self.header = rows.header
        try:
            with _progress_bar(len(rows)) as progress:
                if self.dry_run:
                    actor = self.app.actor(permission)
                    return self.app.read(lambda session: work(session, actor, rows, progress))
                return self.app.change(permission, lambda session, actor: work(session, actor, rows, progress))
        except ImportRefused as exc:
            if exc.outcome is not None:
                emit(exc.outcome.plan, self.fmt, columns=PLAN_COLUMNS)
            _say_faults(exc.faults)
            raise

    def finish(self, outcome: Outcome, noun: str, *, unit: str = "") -> None:
        """The plan (dry run) or the summary on stdout; what happened, in words, on stderr."""
        s = outcome.summary
        new = f"{s.created} new {noun}{'' if s.created == 1 else 's'}"
        rows = f" ({s.rows} rows)" if unit else ""
        refused = f"; {s.refused} row{'' if s.refused == 1 else 's'} refused" if s.refused else ""
        if self.dry_run:
            emit(outcome.plan, self.fmt, columns=PLAN_COLUMNS)
            message(f"dry run, nothing written: {new}{rows}, {s.unchanged} already here{refused}")
            return
        message(f"imported {new}{rows}; {s.unchanged} already here, left as they are{refused}")
        if outcome.refused and self.rejects is not None:
            _write_rejects(self.rejects, self.header, outcome)
            message(f"the refused rows and why: {self.rejects} (fix them and import that file again)")
        emit(s, self.fmt, one=True, columns=SUMMARY_COLUMNS)


def _with_bom(encoding: str) -> str:
    """UTF-8 means UTF-8 with or without a byte-order mark."""

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not known", hint="e.g. utf-8, latin-1, cp1252, utf-16") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else encoding


def _read_rows(file: str, mapping: dict[str, str], encoding: str, reader: Callable[..., SourceRows]) -> SourceRows:
    if file == "-":
        return reader(sys.stdin.buffer, mapping=mapping, encoding=encoding)
    try:
        stream = open(file, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
    with stream:
        return reader(stream, mapping=mapping, encoding=encoding)


def _say_faults(faults: list[Any]) -> None:
    """The error line names three faults; a longer list goes to stderr first, one a line."""
    if len(faults) <= 3:
        return
    for fault in faults[:_FAULTS_SHOWN]:
        message(f"  {fault}")
    if len(faults) > _FAULTS_SHOWN:
        message(f"  ... and {len(faults) - _FAULTS_SHOWN} more")


def _write_rejects(path: Path, header: list[str], outcome: Outcome) -> None:
    """The refused rows (file's own columns, plus `import_error`), via PATH.part moved into place:
    0600, or the mode PATH had (salon_cli/io/private_files.py)."""
    from salon_cli.io.private_files import open_replacement

    part = targets.part_of(path)
    try:
        with open_replacement(part, path) as out:
            write_rejects(out, header, outcome.refused)
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        # the import is committed: say so rather than fail as if nothing happened
        message(f"warning: the import is done, but the refused rows could not be written to {path}: "
                f"{exc.strerror or exc}")


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback: a bar on stderr for a large file read at a terminal; else silent."""
    from salon_cli.services.transfer.imports import quietly

    if total < _PROGRESS_FROM or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield quietly
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    with Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        def progress(phase: str, done: int, total_: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=max(total_, 1))
            bar.update(tasks[phase], completed=done, total=max(total_, 1))
        yield progress


def _say_created(outcome: Outcome, dry_run: bool) -> None:
    """Services and staff `--create-missing` made: staff with the PIN they must change."""
    would = "would create" if dry_run else "created"
    for made in outcome.created:
        if made.pin:
            message(f"{would} staff member {made.name} ({made.code}, stylist) with PIN {made.pin}: "
                    f"they must set their own: salon --as {made.code} --pin {made.pin} staff set-pin {made.code} "
                    "--new-pin NEW")
        elif made.kind == "staff":
            message(f"{would} staff member {made.name} ({made.code}, stylist)")
        else:
            message(f"{would} {made.kind} {made.name}" + (f" ({made.code})" if made.code else "")
                    + f"; check its price and length: salon service set {made.code or 'CODE'} ...")


@import_app.command("services")
def import_services(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = _maps_help("code name category duration_min price"),
    mapping: Path | None = MAPPING_OPTION, encoding: str | None = ENCODING_OPTION,
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, force: bool = FORCE_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import the service menu from a CSV file (a manager's PIN): every row is checked first.

    A service already here (same code, else same name) is left as it is and counted as unchanged; without a code one is made from the name. Prices may carry currency symbols and thousands separators ($1,250.00). A file from `salon service list -f csv` imports as it is.

    Example: salon --as marco --pin 2222 import services menu.csv --map "Service Name=name" --map "Duration=duration_min" --map "Price=price"
    """
    _import_catalog("service", ImportRun(ctx, file, maps, mapping, None, None, encoding, dry_run, skip_bad, rejects,
                                      fmt, decimal, force=force))


@import_app.command("products")
def import_products(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = _maps_help("code name category price stock"),
    mapping: Path | None = MAPPING_OPTION, encoding: str | None = ENCODING_OPTION,
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, force: bool = FORCE_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import retail products from a CSV file (a manager's PIN): every row is checked first.

    A product already here (same code, else same name) is left as it is (its stock too) and counted as unchanged. A file from `salon product list -f csv` imports as it is.

    Example: salon --as marco --pin 2222 import products productos.csv --map "Artículo=name" --map "Precio=price" --map "Existencias=stock"
    """
    _import_catalog("product", ImportRun(ctx, file, maps, mapping, None, None, encoding, dry_run, skip_bad, rejects,
                                      fmt, decimal, force=force))


def _import_catalog(kind: str, run: ImportRun) -> None:
    """Services or products (a manager's PIN, as for changing the menu by hand)."""
    from salon_cli.services.transfer import catalog_import

    outcome = run.run(catalog_import.read(kind), Permission.service_manage,
                      lambda session, actor, rows, progress: catalog_import.import_catalog(
                          session, actor=actor, location=run.location, kind=kind, rows=rows, decimal=run.decimal,
                          dry_run=run.dry_run, skip_bad=run.skip_bad, source=run.source, progress=progress))
    run.finish(outcome, kind)


@import_app.command("clients")
def import_clients(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = _maps_help("first_name last_name phone email birthday external_code tags gender "
                                 "marketing_consent"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION,
    encoding: str | None = ENCODING_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, force: bool = FORCE_OPTION, keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import clients from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad).

    A client already here (same external code, else phone, else e-mail) is left as it is and counted as unchanged. Keep the other system's client id as external_code: appointments and sales find their clients by it.

    Tags are separated by ';' or ','. A file from `salon export clients` imports as it is.

    Example: salon --as sofia import clients clientes.csv --map "Nombre=first_name" --map "Apellido=last_name" --map "Teléfono=phone" --date-format %d/%m/%Y
    """
    from salon_cli.services.transfer import client_import

    run = ImportRun(ctx, file, maps, mapping, date_format, None, encoding, dry_run, skip_bad, rejects, fmt,
                    force=force)
    outcome = run.run(client_import.read, Permission.desk,
                      lambda session, actor, rows, progress: client_import.import_clients(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          dry_run=dry_run, skip_bad=skip_bad, keep_ids=keep_ids, source=run.source, progress=progress))
    run.finish(outcome, "client")


@import_app.command("appointments")
def import_appointments(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = _maps_help("external_id client service staff date time status duration_min price note deposit"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION, time_format: str | None = TIME_OPTION,
    encoding: str | None = ENCODING_OPTION,
    create_missing: bool = typer.Option(False, "--create-missing",
                                        help="Create unknown services and staff (stylists with a random PIN); "
                                             "a manager's PIN is needed."),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Import booked rows that double-book a staff member."),
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION, rejects: Path | None = REJECTS_OPTION, force: bool = FORCE_OPTION,
    keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import appointments (history or future) from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad).

    Date and time are on the location's clock; a date column may hold the time too (11/21/2026 3:50 PM). A client is found by id, phone, e-mail or external code; services by code or name (several joined by ';' or '+'); staff by code or name.

    Status: booked (default), checked_in, in_service, completed, cancelled, late_cancelled, no_show, or words such as confirmed, arrived, done, canceled, no-show, late cancel.

    A row whose external_id is already here (or, without one, the same client, staff and start) is left as it is and counted as unchanged. Imported no-shows count on the client but make no penalty (with --keep-ids, our export's penalties come too). A file from `salon export appointments` imports as it is.

    Example: salon --as sofia import appointments citas.csv --map "Cliente=client" --map "Servicio=service" --date-format %m/%d/%Y --time-format "%I:%M %p"
    """
    from salon_cli.services.transfer import appt_import

    run = ImportRun(ctx, file, maps, mapping, date_format, time_format, encoding, dry_run, skip_bad, rejects, fmt, decimal,
                    force=force)
    permission = Permission.staff_manage if create_missing else Permission.desk
    outcome = run.run(appt_import.read, permission,
                      lambda session, actor, rows, progress: appt_import.import_appointments(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          time_format=run.time_format, create_missing=create_missing, allow_overlap=allow_overlap,
                          decimal=run.decimal, dry_run=dry_run, skip_bad=skip_bad, keep_ids=keep_ids, source=run.source,
                          progress=progress))
    _say_created(outcome, dry_run)
    run.finish(outcome, "appointment")


@import_app.command("sales")
def import_sales(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = _maps_help("receipt date time client staff description quantity amount method tip, and "
                                 "tax:NAME for a column of tax amounts (e.g. --map GST=tax:GST)"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION, time_format: str | None = TIME_OPTION,
    encoding: str | None = ENCODING_OPTION,
    create_missing: bool = typer.Option(False, "--create-missing",
                                        help="Create unknown staff (stylists with a random PIN); a manager's PIN is needed."),
    amount_before_tax: bool = typer.Option(False, "--amount-before-tax",
                                           help="Each amount is before the tax columns (total = amount + taxes), "
                                                "not the line's total."),
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION, rejects: Path | None = REJECTS_OPTION, force: bool = FORCE_OPTION,
    keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import paid sales (receipts from another system) from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad, which leaves out whole receipts).

    Rows sharing a receipt are one sale, paid on its date (not a closed business day). amount is the line's total in major units (currency symbols and thousands separators are fine); a tax:NAME column holds the tax of that name in it (the policy's rate and inclusive flag when it has the tax, else added on top at rate 0).

    A description that is a service's or product's code or name makes that kind of line. One payment per method on the receipt (efectivo, tarjeta, visa, ... are understood; none: unknown), with the rows' tips.

    A receipt already here is left as it is and counted as unchanged. A file from `salon export sales` imports as it is.

    Example: salon --as sofia import sales tickets.csv --map "Ticket=receipt" --map "Fecha=date" --map "Concepto=description" --map "Importe=amount" --map "IVA=tax:IVA" --date-format %d/%m/%Y
    """
    from salon_cli.services.transfer import sale_import

    run = ImportRun(ctx, file, maps, mapping, date_format, time_format, encoding, dry_run, skip_bad, rejects, fmt, decimal,
                    force=force)
    permission = Permission.staff_manage if create_missing else Permission.desk
    outcome = run.run(sale_import.read, permission,
                      lambda session, actor, rows, progress: sale_import.import_sales(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          time_format=run.time_format, create_missing=create_missing,
                          amount_before_tax=amount_before_tax, decimal=run.decimal, dry_run=dry_run, skip_bad=skip_bad,
                          keep_ids=keep_ids, source=run.source, progress=progress))
    _say_created(outcome, dry_run)
    run.finish(outcome, "sale", unit="rows")


def register(root: typer.Typer) -> None:
    root.add_typer(import_app, name="import")
