"""`salon import services|products|clients|appointments|sales`: another system's CSV exports in.

Each command reads the file (or stdin), maps its columns (`--map SRC=field`, `--mapping FILE.toml`),
checks every row and then writes in one transaction, or nothing (exit 2, every fault named by row
and column). `--dry-run` lists what each row would do (create, match, refuse) and writes nothing;
`--skip-bad` imports the good rows and writes the refused ones, with their reasons, to a rejects
file (0600; checked before the import runs: never the database, and an existing file only when it is
a previous rejects file, unless `--force`: see `targets.py`). `--save-mapping FILE.toml` writes the
mapping used, for the next import (`saved_mapping.py`). A progress bar shows on stderr (a terminal
only) for large files. The options are in `import_options.py`, one run's course in `import_run.py`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from salon_cli.cli.output import FORMAT_OPTION, Format, message
from salon_cli.cli.transfer.import_options import (AMOUNT_BEFORE_TAX_OPTION, AMOUNT_INCLUDES_TAX_OPTION,
                                                   CREATE_MISSING_HELP, DATE_OPTION, DECIMAL_OPTION,
                                                   DEFAULT_DURATION_OPTION, DRY_RUN_OPTION, ENCODING_OPTION,
                                                   FILE_ARG, FORCE_OPTION, KEEP_IDS_OPTION, MAPPING_OPTION, MONEY,
                                                   REJECTS_OPTION, SAVE_MAPPING_OPTION, SKIP_BAD_OPTION,
                                                   STATUS_OPTION, TIME_OPTION, amount_basis, maps_option)
from salon_cli.cli.transfer.import_run import ImportRun
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.transfer.imports import Outcome

import_app = typer.Typer(help="Bring another system's data in from CSV files (all or nothing, or --skip-bad).",
                         no_args_is_help=True)


def _say_created(outcome: Outcome, dry_run: bool) -> None:
    """What `--create-missing` made: services, staff with the PIN they must change, and clients
    named by their codes (in one line: a receipts file may name hundreds)."""
    would = "would create" if dry_run else "created"
    clients = [made.code for made in outcome.created if made.kind == "client"]
    for made in outcome.created:
        if made.kind == "client":
            continue
        if made.pin:
            message(f"{would} staff member {made.name} ({made.code}, stylist) with PIN {made.pin}: "
                    f"they must set their own: salon --as {made.code} --pin {made.pin} staff set-pin {made.code} "
                    "--new-pin NEW")
        elif made.kind == "staff":
            message(f"{would} staff member {made.name} ({made.code}, stylist)")
        else:
            message(f"{would} {made.kind} {made.name}" + (f" ({made.code})" if made.code else "")
                    + f"; check its price and length: salon service set {made.code or 'CODE'} ...")
    if clients:
        shown = ", ".join(clients[:5]) + (f" and {len(clients) - 5:,} more" if len(clients) > 5 else "")
        one = len(clients) == 1
        message(f"{would} {len(clients):,} client{'' if one else 's'} named by {'its code' if one else 'their codes'} "
                f"({shown}): a client file imported later fills {'the name' if one else 'their names'} in")


@import_app.command("services")
def import_services(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = maps_option("code name category duration_min price"),
    mapping: Path | None = MAPPING_OPTION, encoding: str | None = ENCODING_OPTION,
    decimal: str | None = DECIMAL_OPTION, default_duration: int | None = DEFAULT_DURATION_OPTION,
    dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION, rejects: Path | None = REJECTS_OPTION,
    save_mapping: Path | None = SAVE_MAPPING_OPTION, force: bool = FORCE_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import the service menu from a CSV file (a manager's PIN): every row is checked first.

    A service already here (same code, else same name) is left as it is and counted as unchanged; without a code one is made from the name. Prices may carry currency symbols and thousands separators ($1,250.00). A file from `salon service list -f csv` imports as it is.

    Example: salon --as marco --pin 2222 import services menu.csv --map "Service Name=name" --map "Duration=duration_min" --map "Price=price"

    Example: salon --as marco --pin 2222 import services listado.csv --map "Código=code" --map "Precio=price" --default-duration 30 --dry-run --save-mapping listado.toml
    """
    _import_catalog("service", ImportRun(ctx, file, maps=maps, mapping=mapping, fmt=fmt, encoding=encoding,
                                         decimal=decimal, dry_run=dry_run, skip_bad=skip_bad, rejects=rejects,
                                         save_mapping=save_mapping, force=force, money=MONEY["services"],
                                         flags={"default_duration": default_duration}))


@import_app.command("products")
def import_products(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = maps_option("code name category price stock"),
    mapping: Path | None = MAPPING_OPTION, encoding: str | None = ENCODING_OPTION,
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, save_mapping: Path | None = SAVE_MAPPING_OPTION,
    force: bool = FORCE_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import retail products from a CSV file (a manager's PIN): every row is checked first.

    A product already here (same code, else same name) is left as it is (its stock too) and counted as unchanged. A file from `salon product list -f csv` imports as it is.

    Example: salon --as marco --pin 2222 import products productos.csv --map "Artículo=name" --map "Precio=price" --map "Existencias=stock"
    """
    _import_catalog("product", ImportRun(ctx, file, maps=maps, mapping=mapping, fmt=fmt, encoding=encoding,
                                         decimal=decimal, dry_run=dry_run, skip_bad=skip_bad, rejects=rejects,
                                         save_mapping=save_mapping, force=force, money=MONEY["products"]))


def _import_catalog(kind: str, run: ImportRun) -> None:
    """Services or products (a manager's PIN, as for changing the menu by hand)."""
    from salon_cli.services.transfer import catalog_import

    outcome = run.run(catalog_import.read(kind), Permission.service_manage,
                      lambda session, actor, rows, progress: catalog_import.import_catalog(
                          session, actor=actor, location=run.location, kind=kind, rows=rows, decimal=run.decimal,
                          dry_run=run.dry_run, skip_bad=run.skip_bad, source=run.source, progress=progress,
                          **run.given()))
    run.finish(outcome, kind)


@import_app.command("clients")
def import_clients(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = maps_option("first_name last_name phone email birthday external_code tags gender "
                                  "marketing_consent notes created_at street city state postal_code country "
                                  "phone2 email2 occupation emergency_name emergency_phone preferred_staff"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION,
    encoding: str | None = ENCODING_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, save_mapping: Path | None = SAVE_MAPPING_OPTION,
    force: bool = FORCE_OPTION, keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import clients from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad).

    A client already here (same external code, else phone, else e-mail) is left as it is and counted as unchanged. Keep the other system's client id as external_code: appointments and sales find their clients by it.

    Tags are separated by ';' or ','. A file from `salon export clients` imports as it is.

    The rest of the profile is checked as `client add` checks it: street, city, state, postal_code, country (ISO code, e.g. MX), phone2, email2, occupation, emergency_name, emergency_phone; gender is female, male, non_binary or other (f, m, mujer, hombre... understood). preferred_staff is staff codes in order, separated by ';' or ',' (an unknown code refuses the file).

    Example: salon --as sofia import clients clientes.csv --map "Nombre=first_name" --map "Apellido=last_name" --map "Teléfono=phone" --date-format %d/%m/%Y

    Example: salon --as sofia import clients codes.csv --map "Code=external_code" --map "Code=first_name" --dry-run --save-mapping codes.toml
    """
    from salon_cli.services.transfer import client_import

    run = ImportRun(ctx, file, maps=maps, mapping=mapping, fmt=fmt, date_format=date_format, encoding=encoding,
                    dry_run=dry_run, skip_bad=skip_bad, rejects=rejects, save_mapping=save_mapping, force=force,
                    money=MONEY["clients"])
    outcome = run.run(client_import.read, Permission.desk,
                      lambda session, actor, rows, progress: client_import.import_clients(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          dry_run=dry_run, skip_bad=skip_bad, keep_ids=keep_ids, source=run.source, progress=progress))
    run.finish(outcome, "client")


@import_app.command("appointments")
def import_appointments(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = maps_option("external_id client service staff date time status duration_min price note "
                                  "deposit"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION, time_format: str | None = TIME_OPTION,
    encoding: str | None = ENCODING_OPTION, status: str | None = STATUS_OPTION,
    create_missing: bool = typer.Option(False, "--create-missing",
                                        help=CREATE_MISSING_HELP.format(what="services and staff")),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Import booked rows that double-book a staff member."),
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, save_mapping: Path | None = SAVE_MAPPING_OPTION,
    force: bool = FORCE_OPTION, keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import appointments (history or future) from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad).

    Date and time are on the location's clock; a date column may hold the time too (11/21/2026 3:50 PM). A client is found by id, phone, e-mail or external code; services by code or name (several joined by ';' or '+'); staff by code or name.

    Status: booked (default), checked_in, in_service, completed, cancelled, late_cancelled, no_show, or words such as confirmed, arrived, done, canceled, no-show, late cancel. --status gives every row one status (a no-show or cancellations report).

    A row whose external_id is already here (or, without one, the same client, staff and start) is left as it is and counted as unchanged. Imported no-shows count on the client but make no penalty (with --keep-ids, our export's penalties come too). A file from `salon export appointments` imports as it is.

    Example: salon --as sofia import appointments citas.csv --map "Cliente=client" --map "Servicio=service" --date-format %m/%d/%Y --time-format "%I:%M %p"

    Example: salon --as sofia import appointments no-shows.csv --map "Client Code=client" --status no_show --dry-run --save-mapping no-shows.toml
    """
    from salon_cli.services.transfer import appt_import

    run = ImportRun(ctx, file, maps=maps, mapping=mapping, fmt=fmt, date_format=date_format, time_format=time_format,
                    encoding=encoding, decimal=decimal, dry_run=dry_run, skip_bad=skip_bad, rejects=rejects,
                    save_mapping=save_mapping, force=force, money=MONEY["appointments"], flags={"status": status})
    permission = Permission.staff_manage if create_missing else Permission.desk
    outcome = run.run(appt_import.read, permission,
                      lambda session, actor, rows, progress: appt_import.import_appointments(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          time_format=run.time_format, create_missing=create_missing, allow_overlap=allow_overlap,
                          decimal=run.decimal, dry_run=dry_run, skip_bad=skip_bad, keep_ids=keep_ids, source=run.source,
                          progress=progress, **run.given()))
    _say_created(outcome, dry_run)
    run.finish(outcome, "appointment")


@import_app.command("sales")
def import_sales(
    ctx: typer.Context, file: str = FILE_ARG,
    maps: list[str] = maps_option("receipt date time client staff description quantity amount method tip, and "
                                  "tax:NAME for a column of tax amounts (e.g. --map GST=tax:GST)"),
    mapping: Path | None = MAPPING_OPTION, date_format: str | None = DATE_OPTION, time_format: str | None = TIME_OPTION,
    encoding: str | None = ENCODING_OPTION,
    create_missing: bool = typer.Option(False, "--create-missing", help=CREATE_MISSING_HELP.format(what="staff")),
    amount_before_tax: bool = AMOUNT_BEFORE_TAX_OPTION, amount_includes_tax: bool = AMOUNT_INCLUDES_TAX_OPTION,
    decimal: str | None = DECIMAL_OPTION, dry_run: bool = DRY_RUN_OPTION, skip_bad: bool = SKIP_BAD_OPTION,
    rejects: Path | None = REJECTS_OPTION, save_mapping: Path | None = SAVE_MAPPING_OPTION,
    force: bool = FORCE_OPTION, keep_ids: bool = KEEP_IDS_OPTION, fmt: Format = FORMAT_OPTION,
) -> None:
    """Import paid sales (receipts from another system) from a CSV file: every row is checked first; one bad row and nothing is written (or --skip-bad, which leaves out whole receipts).

    Rows sharing a receipt are one sale, paid on its date (not a closed business day). amount is the line's total in major units (currency symbols and thousands separators are fine); a tax:NAME column holds the tax of that name in it (the policy's rate and inclusive flag when it has the tax, else added on top at rate 0). Whether the amounts include the tax columns is decided from the data, or said by --amount-before-tax / --amount-includes-tax.

    A description that is a service's or product's code or name makes that kind of line. One payment per method on the receipt (efectivo, tarjeta, visa, ... are understood; none: unknown), with the rows' tips.

    A receipt already here is left as it is and counted as unchanged. A file from `salon export sales` imports as it is.

    Example: salon --as sofia import sales tickets.csv --map "Ticket=receipt" --map "Fecha=date" --map "Concepto=description" --map "Importe=amount" --map "IVA=tax:IVA" --date-format %d/%m/%Y

    Example: salon --as sofia import sales tickets-septiembre.csv --map "Ticket=receipt" --map "Fecha=date" --map "Concepto=description" --map "Importe=amount" --map "IVA=tax:IVA" --amount-before-tax --dry-run --save-mapping tickets.toml

    Example: salon --as sofia import sales tickets-octubre.csv --mapping tickets.toml
    """
    from salon_cli.services.transfer import sale_import

    basis = amount_basis(amount_before_tax, amount_includes_tax)
    run = ImportRun(ctx, file, maps=maps, mapping=mapping, fmt=fmt, date_format=date_format, time_format=time_format,
                    encoding=encoding, decimal=decimal, dry_run=dry_run, skip_bad=skip_bad, rejects=rejects,
                    save_mapping=save_mapping, force=force, money=MONEY["sales"],
                    flags={"amount_before_tax": basis})
    permission = Permission.staff_manage if create_missing else Permission.desk
    outcome = run.run(sale_import.read, permission,
                      lambda session, actor, rows, progress: sale_import.import_sales(
                          session, actor=actor, location=run.location, rows=rows, date_format=run.date_format,
                          time_format=run.time_format, create_missing=create_missing, decimal=run.decimal,
                          dry_run=dry_run, skip_bad=skip_bad, keep_ids=keep_ids, source=run.source, progress=progress,
                          **run.given()))
    _say_created(outcome, dry_run)
    run.finish(outcome, "sale")


def register(root: typer.Typer) -> None:
    root.add_typer(import_app, name="import")
