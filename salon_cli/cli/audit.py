"""`salon audit`, `salon jobs` and the read-only book (`salon appt list`)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit

appt_app = typer.Typer(help="Appointments.", no_args_is_help=True)

AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id"]
JOB_COLUMNS = ["id", "job", "started_at", "finished_at", "status", "counts"]
APPT_COLUMNS = ["id", "starts_at", "ends_at", "staff", "client", "service", "status", "price_cents"]


def audit(
    ctx: typer.Context,
    entity: str | None = typer.Option(None, "--entity", help="staff, service, policy, location, ..."),
    id_: int | None = typer.Option(None, "--id", help="The entity's id."),
    actor: str | None = typer.Option(None, "--actor", help="Staff code, or system."),
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD (location's day) or an ISO instant."),
    limit: int = typer.Option(200, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The audit log, newest first.

    Example: salon audit --entity staff --id 3 -f json
    """
    from salon_cli.core.clock import parse_instant
    from salon_cli.core.days import day_bounds, parse_date
    from salon_cli.services import audit as audit_service

    app = app_context(ctx)
    loc = app.location()
    since_at = None
    if since:
        since_at = parse_instant(since, what="--since") if "T" in since else day_bounds(parse_date(since, what="--since"), loc.tz)[0]
    with app.uow(write=False) as uow:
        rows = list(audit_service.entries(uow.session, entity=entity, entity_id=id_, actor=actor,
                                          since=since_at, limit=limit))
    emit(rows, fmt, columns=AUDIT_COLUMNS, tz=loc.tz)


def jobs(
    ctx: typer.Context,
    job: str | None = typer.Option(None, "--job", help="Only this job, e.g. detect-no-shows."),
    limit: int = typer.Option(50, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Recent runs of the cron jobs, newest first.

    Example: salon jobs --job detect-no-shows -f json
    """
    from salon_cli.services import jobs as jobs_service

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        rows = jobs_service.list_runs(uow.session, job=job, limit=limit)
    emit(rows, fmt, columns=JOB_COLUMNS, tz=loc.tz)


@appt_app.command("list")
def appt_list(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default: today)."),
    from_: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    staff: str | None = typer.Option(None, "--staff", help="Staff code."),
    status: str | None = typer.Option(None, "--status"),
    client: int | None = typer.Option(None, "--client", help="Client id."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The book for a day or a range of days, by start time.

    Example: salon appt list --date 2026-11-21 --staff ana
    """
    from salon_cli.core import clock
    from salon_cli.core.days import business_date, parse_date
    from salon_cli.core.errors import InvalidInput
    from salon_cli.services.book import appointments

    app = app_context(ctx)
    loc = app.location()
    if date_ and (from_ or to):
        raise InvalidInput("--date goes alone, or use --from and --to")
    start = parse_date(date_ or from_, what="date") if (date_ or from_) else business_date(clock.now(), loc.tz)
    end = parse_date(to, what="--to") if to else start
    if end < start:
        raise InvalidInput("--to is before --from")
    with app.uow(write=False) as uow:
        rows = appointments(uow.session, location=loc, start=start, end=end, staff=staff, status=status,
                            client_id=client)
    emit(rows, fmt, columns=APPT_COLUMNS, tz=loc.tz, currency=loc.currency)


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
    root.command("jobs")(jobs)
    root.add_typer(appt_app, name="appt")
