"""`salon detect-no-shows`: the no-show job cron runs, with the deposits it settles and the Stripe refunds
it sends (`salon appt ...` is in `book.appointments`).

Imports inside the command keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer

from salon_cli.cli.book.appointments import APPT_COLUMNS
from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import Busy, InvalidInput, SalonError

NO_SHOW_COLUMNS = ["location", "as_of", "dry_run", "marked", "penalties", "penalty_cents", "clients_flagged",
                   "stale", "appointment_ids", "stale_ids", "job_run_id"]


def detect_no_shows(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO instant with offset (default: now)."),
    lookback: str | None = typer.Option(None, "--lookback", help="How far back to look, e.g. 12h (default: policy)."),
    grace: str | None = typer.Option(None, "--grace", help="Minutes after the start before a no-show, e.g. 15m (default: policy)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be marked; change nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Mark booked appointments nobody checked in as no-shows, with penalties (for cron).

    Every location, or only --location's. Safe to run twice, or twice at once: a run while another
    holds the lock exits 4 (busy) and changes nothing.

    Example: salon detect-no-shows --dry-run -f json
    """
    from salon_cli.core.clock import parse_as_of
    from salon_cli.core.recurrence import parse_span
    from salon_cli.services.salon import locations
    from salon_cli.services.book import no_shows
    from salon_cli.services.stripe import deposit_refunds

    app = app_context(ctx)
    at = parse_as_of(as_of) if as_of else None
    back = parse_span(lookback, what="--lookback") if lookback else None
    wait = parse_span(grace, what="--grace") if grace else None
    if back is not None and back.total_seconds() <= 0:
        raise InvalidInput("--lookback must be more than zero")
    actor = app.job_actor()
    places = [app.location()] if app.settings.location else app.read(locations.list_locations)
    places = [p for p in places if p.active]
    reports, busy, sent, refused = [], None, 0, None
    for place in places:
        try:
            reports.append(no_shows.detect(app.engine, location=place, as_of=at, grace=wait, lookback=back,
                                           dry_run=dry_run, actor=actor, then=_deposits_of(place, actor)))
        except Busy as exc:
            busy = exc
            continue
        if not dry_run:
            try:
                sent += deposit_refunds.send(app.engine, actor=actor, location=place)
            except SalonError as exc:  # Stripe down or not set up: the marking stands, the refunds wait
                refused = refused or exc
    if busy is not None and not reports:
        raise busy
    total = {**_total(reports, dry_run, at), "deposit_refunds_sent": sent}
    if dry_run and fmt is Format.table and total["appointment_ids"]:
        _show_due(app, places, total["appointment_ids"])
    emit(total, fmt, one=True, columns=NO_SHOW_COLUMNS if fmt is Format.table else None,
         tz=places[0].tz if places else None, currency=places[0].currency if len(places) == 1 else None)
    verb = "would mark" if dry_run else "marked"
    message(f"{verb} {total['marked']} no-show{'s' if total['marked'] != 1 else ''}, {total['penalties']} "
            f"penalt{'ies' if total['penalties'] != 1 else 'y'}; {total['stale']} older booked left alone (stale)"
            + ("; dry run: nothing changed" if dry_run else ""))
    if refused is not None:
        raise refused
    if busy is not None:
        raise busy


def _deposits_of(place: Any, actor: Any) -> Any:
    """The no-show job's last step: the deposits of appointments that will not happen, settled."""
    from salon_cli.services.till import deposits

    return lambda session: deposits.settle_held(session, location=place, actor=actor)


def _total(reports: list[Any], dry_run: bool, at: Any) -> dict[str, Any]:
    from salon_cli.core import clock

    return {
        "as_of": (reports[0].as_of if reports else at or clock.now()),
        "dry_run": dry_run,
        "location": ",".join(r.location for r in reports),
        "marked": sum(r.marked for r in reports),
        "penalties": sum(r.penalties for r in reports),
        "penalty_cents": sum(r.penalty_cents for r in reports),
        "clients_flagged": sum(len(r.clients_flagged) for r in reports),
        "stale": sum(r.stale for r in reports),
        "appointment_ids": [i for r in reports for i in r.appointment_ids],
        "stale_ids": [i for r in reports for i in r.stale_ids],
        "job_run_id": reports[0].job_run_id if len(reports) == 1 else None,
        "locations": [asdict(r) for r in reports],
    }


def _show_due(app: AppContext, places: list[Any], ids: list[int]) -> None:
    from salon_cli.services.book import views as book_service

    rows = app.read(lambda session: book_service.views(session, ids))
    emit(rows, Format.table, columns=APPT_COLUMNS, tz=places[0].tz, currency=places[0].currency)
    print()


def register(root: typer.Typer) -> None:
    root.command("detect-no-shows")(detect_no_shows)
