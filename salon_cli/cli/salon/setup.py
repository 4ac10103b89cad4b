"""Setting up: `init`, `demo`, `db upgrade|current|check`, and opening the dashboard.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports): the dashboard (Textual)
loads only when `salon tui` opens it."""

from __future__ import annotations

from dataclasses import asdict, replace

import typer

from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput, RuleViolation

db_app = typer.Typer(help="Schema migrations (Alembic).", no_args_is_help=True)


def init(
    ctx: typer.Context,
    location_code: str = typer.Option(..., "--location-code", help="Short code, e.g. centro."),
    location_name: str = typer.Option(..., "--location-name", help="Name shown on screens and reports."),
    timezone: str = typer.Option(..., "--timezone", help="IANA zone, e.g. America/Mexico_City."),
    currency: str = typer.Option(..., "--currency", help="ISO-4217 code, e.g. MXN."),
    country: str | None = typer.Option(
        None, "--country", help="ISO 3166-1 country code, e.g. MX: phone numbers typed without a country code are "
                                "read in its plan (default: the zone's country; salon location set --country changes it)."),
    owner: str = typer.Option(..., "--owner", help="The owner's name."),
    owner_code: str = typer.Option(..., "--owner-code", help="The owner's staff code (what --as takes)."),
    owner_pin: str = typer.Option(..., "--owner-pin", help="The owner's PIN, 4 to 12 digits."),
    allow_clock_override: bool = typer.Option(
        False, "--allow-clock-override",
        help="Let commands that change data honour SALON_NOW (tests, demos, backfills); off by default."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Create the schema, the first location and its owner, and the default policy.

    Example: salon init --location-code centro --location-name "Salón Centro" --timezone America/Mexico_City --currency MXN --owner "Lucía Hernández" --owner-code lucia --owner-pin 1234
    """
    from salon_cli.core import clock
    from salon_cli.core.redact import redact_url
    from salon_cli.services.salon import clock_override
    from salon_cli.services.salon.setup import initialise

    if clock.overridden() and not allow_clock_override:
        raise clock_override.refusal(hint="unset SALON_NOW, or create the database with: salon init ... --allow-clock-override")
    app = app_context(ctx)
    result = initialise(
        app.raw_engine(create=True), location_code=location_code, location_name=location_name,
        timezone=timezone, currency=currency, owner_name=owner, owner_code=owner_code,
        owner_pin=owner_pin, allow_clock_override=allow_clock_override, country=country,
    )
    message(f"initialised {result.location.name} ({result.location.code}); owner {result.owner.code}")
    emit({"location": result.location.code, "location_name": result.location.name,
          "timezone": result.location.timezone, "country": result.location.country,
          "currency": result.location.currency,
          "owner": result.owner.code, "schema_revision": result.schema_revision,
          "allow_clock_override": allow_clock_override,
          "database": redact_url(app.settings.database_url).split("@")[-1]}, fmt, one=True)


def demo(
    ctx: typer.Context,
    clients: int = typer.Option(300, "--clients", min=1, max=100_000, help="How many clients."),
    days: int = typer.Option(30, "--days", min=1, max=3650, help="Days of history before today."),
    seed: int = typer.Option(7, "--seed", help="Same seed, same salon."),
    force: bool = typer.Option(False, "--force", help="Wipe an initialised database first."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Build a realistic demo salon (Spanish and English names, a month of history, today's book).

    Writes into the database in use (--db, SALON_DATABASE_URL, or salon.db in SALON_HOME).
    Example: salon --db sqlite:///demo.db demo --clients 200 --days 60
    """
    from salon_cli.services.demo.build import fresh_demo

    summary = fresh_demo(app_context(ctx).raw_engine(create=True), clients=clients, days=days, seed=seed, force=force)
    message("demo salon ready; open it with: salon tui   (staff PINs below)")
    if fmt is not Format.table:
        emit(summary, fmt, one=True)
        return

    emit({k: v for k, v in asdict(summary).items() if k != "staff"}, fmt, one=True)
    print()
    emit(summary.staff, fmt, columns=["code", "name", "role", "pin"])


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """Bring the database schema to this version's head. Safe to run twice.

    Example: salon --db postgresql+psycopg://salon@db.local/salon db upgrade
    """
    from salon_cli.db import migrate

    before, after = migrate.upgrade(app_context(ctx).raw_engine(create=True))
    message("already at head" if before == after else f"upgraded {before or 'empty'} -> {after}")
    emit({"before": before, "after": after}, fmt, one=True)


@db_app.command("current")
def db_current(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """Show the database's schema revision and this version's head.

    Example: salon db current -f json
    """
    from salon_cli.db import migrate

    rev = migrate.current_revision(app_context(ctx).raw_engine())
    emit({"revision": rev, "head": migrate.HEAD, "at_head": rev == migrate.HEAD}, fmt, one=True)


@db_app.command("check")
def db_check(
    ctx: typer.Context,
    data: bool = typer.Option(
        False, "--data", help="Check the data too: list the clients whose stored phones are not valid numbers "
                              "(id, name, field, phone, reason); exit 1 when there is one. Nothing is changed."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Exit 0 when the schema is at head, 1 when it is not (for deploy scripts).

    Example: salon db check || salon db upgrade

    Example: salon db check --data -f json
    """
    from salon_cli.db import migrate

    app = app_context(ctx)
    rev = migrate.current_revision(app.raw_engine())
    if rev != migrate.HEAD:
        raise RuleViolation(f"schema is at {rev or 'nothing'}, head is {migrate.HEAD}", hint="run: salon db upgrade")
    message(f"schema at head ({rev})")
    if not data:
        return
    from salon_cli.services.salon.setup import phone_problems

    with app.uow(write=False) as uow:
        found = list(phone_problems(uow.session))
    if found or fmt is not Format.table:  # a script reads [] (JSON) or the header (CSV) when all is well
        emit(found, fmt, columns=["id", "name", "field", "phone", "reason"])
    if not found:
        message("data: every stored phone is a valid number")
        return
    clients = len({p.id for p in found})
    raise RuleViolation(f"{len(found)} stored phone{'s' if len(found) != 1 else ''} of {clients} "
                        f"client{'s' if clients != 1 else ''} {'are' if len(found) != 1 else 'is'} not valid",
                        hint="correct each with: salon client edit ID --phone ... (or --phone2, --emergency-phone)")


def tui(
    ctx: typer.Context,
    use_demo: bool = typer.Option(False, "--demo", help="Open the demo salon in SALON_HOME/demo.db (built on first "
                                                      "use, with progress; rebuilt for today when its days are past)."),
) -> None:
    """Open the full-screen dashboard.

    Example: salon tui --demo
    """
    app = app_context(ctx)
    from salon_cli import i18n

    try:  # SALON_LANG names the dashboard's language (es, en; else the location's): refused before anything opens
        i18n.choose(None, app.settings.language)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    built: str | None = None
    if use_demo:
        from salon_cli.services.demo.build import ensure_demo

        demo_settings = replace(app.settings, database_url=app.settings.demo_database_url,
                                default_database=True, location=None)
        app = AppContext(demo_settings)
        built = ensure_demo(app.raw_engine(create=True), progress=message)
        if built:
            message(f"{built} the demo salon in {app.settings.home / 'demo.db'}")
    location = app.location()
    app.check_writable()  # the dashboard changes data: SALON_NOW where it is not allowed is refused now
    from salon_cli.tui.app import run

    run(app.engine, location.code, location, demo=use_demo, welcome=bool(use_demo and built))


def register(root: typer.Typer) -> None:
    root.command("init")(init)
    root.command("demo")(demo)
    root.command("tui")(tui)
    root.add_typer(db_app, name="db")
