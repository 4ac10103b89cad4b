"""`salon audit` and `salon jobs`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit

AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id"]
JOB_COLUMNS = ["id", "job", "started_at", "finished_at", "status", "run_by", "counts"]


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
    from salon_cli.services.salon import audit as audit_service

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
    from salon_cli.services.salon import jobs as jobs_service

    app = app_context(ctx)
    loc = app.location()
    with app.uow(write=False) as uow:
        rows = jobs_service.list_runs(uow.session, job=job, limit=limit)
    emit(rows, fmt, columns=JOB_COLUMNS, tz=loc.tz)


def register(root: typer.Typer) -> None:
    root.command("audit")(audit)
    root.command("jobs")(jobs)
