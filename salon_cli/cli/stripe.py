"""`salon stripe serve | ingest | events | retry | sync | link`: Stripe events in, payment links out.

Everything that matters (verify, store first, apply once, record failures) is in
`services.stripe.events`; these commands parse input, call it and print records. Imports inside
commands keep `salon --help` light (DESIGN.md, lazy imports): `salon stripe --help` loads neither
sqlalchemy nor stripe.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput, SalonError
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

stripe_app = typer.Typer(help="Stripe events: the webhook endpoint, saved deliveries, catching up, retries.",
                         no_args_is_help=True)

SECRET_ENV = "SALON_STRIPE_WEBHOOK_SECRET"
SECRET_HINT = f"set {SECRET_ENV} to the endpoint's signing secret (whsec_... from the Stripe dashboard)"
RECEIVED_COLUMNS = ["id", "type", "status", "duplicate", "note"]
EVENT_COLUMNS = ["id", "type", "status", "source", "created_at", "received_at", "attempts", "error"]
SYNC_COLUMNS = ["since", "dry_run", "fetched", "applied", "ignored", "duplicates", "failed", "event_ids",
                "failed_ids", "job_run_id"]


class EventStatus(StrEnum):
    received = "received"
    applied = "applied"
    ignored = "ignored"
    failed = "failed"


def _secret() -> str:
    secret = (os.environ.get(SECRET_ENV) or "").strip()
    if not secret:
        raise InvalidInput(f"no webhook signing secret: {SECRET_ENV} is not set", hint=SECRET_HINT)
    return secret


def _tz(app: AppContext) -> ZoneInfo | None:
    """Instants in the location's offset when there is one location to speak of, else UTC."""

    try:
        return app.location().tz
    except SalonError:
        return None


def _record(got: Any) -> dict[str, Any]:
    return {"id": got.event_id, "type": got.type, "status": got.status, "duplicate": got.duplicate,
            "note": got.note}


@stripe_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8787, "--port", min=0, max=65535, help="Port to listen on."),
    tolerance: int = typer.Option(300, "--tolerance", min=0, help="Oldest signature accepted, in seconds."),
) -> None:
    """Run the webhook endpoint, POST /stripe/webhook, until Ctrl-C.

    Needs SALON_STRIPE_WEBHOOK_SECRET. Put a TLS proxy (or `stripe listen --forward-to`) in front of it:
    Stripe delivers only to https. Each delivery is verified, stored once and applied once; one log
    line per delivery goes to stderr.

    Example: SALON_STRIPE_WEBHOOK_SECRET=whsec_... salon stripe serve --port 8787
    """
    from salon_cli.web.stripe_webhook import serve as run

    secret = _secret()
    app = app_context(ctx)
    try:
        run(app.engine, host=host, port=port, secret=secret, tolerance=tolerance)
    except OSError as exc:
        raise SalonError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port, or stop what is using it") from None


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None


def _deliveries(data: bytes, signature: str | None) -> list[tuple[str, bytes, str]]:
    """(where, raw body, Stripe-Signature) for each delivery of the input."""

    if signature is not None:
        return [("input", data, signature)]
    shape = '{"payload": "<raw body>", "signature": "t=...,v1=..."}'
    found = []
    for number, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            raise InvalidInput(f"line {number} is not JSON; expected one saved delivery a line: {shape}",
                               hint="a raw event body takes --signature HEADER") from None
        if not isinstance(item, dict) or not isinstance(item.get("payload"), str) \
                or not isinstance(item.get("signature"), str):
            hint = ("this looks like a raw event body: pass its header with --signature"
                    if isinstance(item, dict) and item.get("object") == "event" else None)
            raise InvalidInput(f"line {number} is not a saved delivery {shape}", hint=hint)
        found.append((f"line {number}", item["payload"].encode("utf-8"), item["signature"]))
    if not found:
        raise InvalidInput("no deliveries in the input")
    return found


def _verify_all(deliveries: list[tuple[str, bytes, str]], secret: str, tolerance: int) -> list[dict[str, Any]]:
    """Every delivery verified before any is stored: one bad one and nothing is stored (exit 2)."""
    from salon_cli.services.stripe import events as stripe_events

    events, bad = [], []
    for where, payload, signature in deliveries:
        try:
            events.append(stripe_events.verify(payload, signature, secret=secret, tolerance=tolerance))
        except InvalidInput as exc:
            trimmed = payload.rstrip(b"\r\n")
            if where == "input" and trimmed != payload:  # an editor's final newline is not Stripe's
                try:
                    events.append(stripe_events.verify(trimmed, signature, secret=secret, tolerance=tolerance))
                    continue
                except InvalidInput:
                    pass
            bad.append(f"{where}: {exc.message}")
    if bad:
        stale = any("s old" in b for b in bad)
        raise InvalidInput(
            f"{len(bad)} of {len(deliveries)} deliver{'y' if len(deliveries) == 1 else 'ies'} failed verification, "
            f"nothing was stored: {'; '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}",
            hint=("a saved delivery older than --tolerance seconds needs a larger --tolerance (0: no age check)"
                  if stale else f"check {SECRET_ENV} and that the bodies are byte-for-byte as Stripe sent them"))
    return events


@stripe_app.command("ingest")
def ingest(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="Saved deliveries, one JSON object a line; - reads stdin."),
    signature: str | None = typer.Option(None, "--signature", metavar="HEADER",
                                         help="FILE is one raw event body and this its Stripe-Signature header."),
    tolerance: int = typer.Option(300, "--tolerance", metavar="SECONDS", min=0,
                                  help="Oldest signature accepted, in seconds; 0: no age check."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Verify and apply saved events (the same checks as the webhook).

    FILE holds one saved delivery a line: {"payload": "<raw body, as sent>", "signature": "t=...,v1=..."};
    or, with --signature, FILE is one raw event body. Every delivery is verified first: if any fails
    (bad signature, or older than --tolerance seconds -- a saved delivery usually is, so give a larger
    --tolerance, or 0) nothing is stored and the exit code is 2. Then each event is stored and applied;
    one already applied is a duplicate and changes nothing. Prints id, type, status, duplicate per event.

    Example: salon stripe ingest deliveries.ndjson --tolerance 86400 -f json
    """
    from salon_cli.services.stripe import events as stripe_events

    secret = _secret()
    events = _verify_all(_deliveries(_read(file), signature), secret, tolerance)
    app = app_context(ctx)
    records, failed = [], []
    for event in events:
        try:
            records.append(_record(stripe_events.store_and_apply(app.engine, event, source="ingest")))
        except stripe_events.EventFailed as exc:
            failed.append(exc)
            records.append({"id": exc.event_id, "type": exc.type, "status": "failed", "duplicate": False,
                            "note": exc.error})
    emit(records, fmt, columns=RECEIVED_COLUMNS)
    applied = sum(1 for r in records if r["status"] == "applied" and not r["duplicate"])
    dupes = sum(1 for r in records if r["duplicate"])
    message(f"{len(records)} event{'s' if len(records) != 1 else ''}: {applied} applied, {dupes} duplicate, "
            f"{len(failed)} failed")
    if failed:
        raise SalonError(f"{len(failed)} event{'s' if len(failed) != 1 else ''} could not be applied: "
                         + ", ".join(f"{f.event_id} ({f.error})" for f in failed[:3]),
                         hint=f"they are stored as failed; fix the cause, then: salon stripe retry {failed[0].event_id}")


@stripe_app.command("events")
def events(
    ctx: typer.Context,
    status: EventStatus | None = typer.Option(None, "--status", help="Only events in this status."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest first."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Stored Stripe events, newest first: what was applied, ignored (and why) or failed (and why).

    Example: salon stripe events --status failed -f json
    """
    from salon_cli.services.stripe import events as stripe_events

    app = app_context(ctx)
    rows = app.read(lambda s: stripe_events.list_events(s, status=status.value if status else None, limit=limit))
    emit(rows, fmt, columns=EVENT_COLUMNS, tz=_tz(app))


@stripe_app.command("retry")
def retry(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., metavar="EVENT_ID", help="The event's id, evt_..."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Apply a failed event again (as system); one already applied or ignored is refused (exit 1).

    Example: salon stripe retry evt_1QxYz2AbCdEf
    """
    from salon_cli.services.stripe import events as stripe_events

    app = app_context(ctx)
    got = stripe_events.retry(app.engine, event_id)
    emit(_record(got), fmt, one=True, columns=RECEIVED_COLUMNS)
    message(f"{got.event_id}: {got.status}" + (f" ({got.note})" if got.note else ""))


@stripe_app.command("sync")
def sync(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be applied; change nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Catch up with Stripe's events when no webhook can reach this desk (for cron, every minute).

    Pulls the events since the newest one stored (the first time: the last 3 days) with
    SALON_STRIPE_API_KEY, and stores and applies each once, oldest first. One run at a time: a run
    while another holds the lock exits 4; Stripe unreachable exits 5; an event that fails exits 1.

    Example: * * * * *  salon stripe sync >> /var/log/salon/stripe-sync.log 2>&1
    """
    from salon_cli.services.stripe import events as stripe_events
    from salon_cli.services.stripe.gateway import StripeGateway

    app = app_context(ctx)
    gateway = StripeGateway.from_env()
    report = stripe_events.sync(app.engine, gateway, dry_run=dry_run)
    emit(report, fmt, one=True, columns=SYNC_COLUMNS if fmt is Format.table else None, tz=_tz(app))
    if dry_run:
        message(f"would apply {len(report.event_ids)} of {report.fetched} events; dry run: nothing changed")
    else:
        message(f"fetched {report.fetched}: {report.applied} applied, {report.ignored} ignored, "
                f"{report.duplicates} duplicate, {report.failed} failed")
    if report.failed:
        raise SalonError(f"{report.failed} event{'s' if report.failed != 1 else ''} could not be applied: "
                         + ", ".join(report.failed_ids[:3]),
                         hint=f"see: salon stripe events --status failed; then: salon stripe retry {report.failed_ids[0]}")


@stripe_app.command("link")
def stripe_link(
    ctx: typer.Context,
    sale: int | None = typer.Option(None, "--sale", help="What is due on an open sale."),
    penalty: int | None = typer.Option(None, "--penalty", help="A no-show or late-cancel fee."),
    appt: int | None = typer.Option(None, "--appt", help="An appointment's deposit."),
    success_url: str | None = typer.Option(None, "--success-url", help="Where the client lands after paying."),
    cancel_url: str | None = typer.Option(None, "--cancel-url", help="Where the client lands if they go back."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A Stripe payment link for a sale, a penalty or a deposit; the same link again if one is open.

    On a table only the URL is printed, to pipe or paste; -f json prints the payment record. The
    money counts when Stripe says the client paid (webhook, or salon stripe sync).

    Example: salon --as sofia stripe link --penalty 7 | qrencode -t ansiutf8
    """
    from salon_cli.services.stripe import payments as stripe_payments

    if [sale, penalty, appt].count(None) != 2:
        raise InvalidInput("say what the link is for: one of --sale, --penalty or --appt")
    for flag, url in (("--success-url", success_url), ("--cancel-url", cancel_url)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise InvalidInput(f"{flag} {url!r} is not an http(s) address")
    app = app_context(ctx)
    loc = app.location()
    from salon_cli.services.stripe.gateway import StripeGateway

    gateway = StripeGateway.from_env()
    actor = app.actor(Permission.desk)
    urls = {k: v for k, v in (("success_url", success_url), ("cancel_url", cancel_url)) if v}
    payment = stripe_payments.payment_link(app.engine, actor=actor, location=loc, gateway=gateway, sale_id=sale,
                                           penalty_id=penalty, appointment_id=appt, **urls)
    if fmt is Format.table:
        sys.stdout.write(f"{payment.payment_url}\n")
        sys.stdout.flush()
    else:
        emit(payment, fmt, one=True, tz=loc.tz, currency=loc.currency)
    from salon_cli.core.money import format_money

    message(f"payment {payment.id}: {format_money(payment.amount_cents, loc.currency)} for sale {payment.sale_id} "
            f"({payment.status}); it counts once the client pays")


def register(root: typer.Typer) -> None:
    root.add_typer(stripe_app, name="stripe")
