"""`salon send-reminders`, `salon template ...` and `salon outbox`: messages to clients.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import Busy, InvalidInput, OutsideServiceFailed
from salon_cli.core.permissions import Permission

template_app = typer.Typer(help="Message wording per location and language (es, en): list, set, reset, preview.",
                           no_args_is_help=True)

RUN_COLUMNS = ["location", "as_of", "dry_run", "birthday_codes", "birthday_gifts", "queued", "sent", "retried",
               "failed", "skipped", "waiting", "recovered", "job_run_id"]
STEP_COLUMNS = ["action", "id", "client", "template", "channel", "recipient", "send_after", "attempts", "error"]
TEMPLATE_COLUMNS = ["kind", "language", "source", "subject", "body"]
OUTBOX_COLUMNS = ["id", "created_at", "client", "template", "channel", "recipient", "status", "send_after",
                  "attempts", "sent_at", "error"]
_KINDS = "confirmation, reminder, no_show_notice, birthday, win_back, birthday_offer or birthday_gift"


def _step(step: Any) -> dict[str, Any]:
    return {"action": step.action, **{k: v for k, v in asdict(step.message).items() if k != "payload"}}


def send_reminders(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO instant with offset (default: now)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be queued and sent; change and send nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Queue the reminders, birthday greetings and win-back offers that are due, then send the queue (for cron).

    First the birthday job (services.benefits.birthdays): each birthday offer's personal codes (promo add
    --birthday-days) and each member's birthday gift (loyalty program set --birthday-gift-reward), each told
    in a message (templates birthday_offer and birthday_gift); the summary counts them (birthday_codes,
    birthday_gifts; a dry run counts those it would issue).

    Reminders go 24h and/or 1h before each booked appointment, as each client chose (none: never);
    promotions only to clients with marketing consent; nothing in a location's quiet hours. A message
    the provider could not take stays queued and is tried again (2, 4, 8 ... minutes later; failed
    after 8 tries). Email needs SALON_SMTP_HOST and SALON_SMTP_FROM; SMS and WhatsApp need
    SALON_TWILIO_ACCOUNT_SID, SALON_TWILIO_AUTH_TOKEN and SALON_TWILIO_SMS_FROM / _WHATSAPP_FROM: a
    channel without them is skipped, with the reason. Every location, or only --location's; safe to
    run twice, or twice at once (a run while another holds the lock exits 4). Exit 5 when a provider
    refused or could not be reached for a message (those are kept, see the counts).

    Example: */5 * * * *  salon send-reminders >> /var/log/salon/reminders.log 2>&1

    Example: salon send-reminders --dry-run -f json
    """
    from salon_cli.core.clock import parse_as_of
    from salon_cli.services.benefits import birthdays
    from salon_cli.services.salon import locations
    from salon_cli.services.messages import reminders
    from salon_cli.services.messages.channels import channels_from_env

    app = app_context(ctx)
    at = parse_as_of(as_of) if as_of else None
    channels = channels_from_env()
    actor = app.job_actor()
    places = [app.location()] if app.settings.location else app.read(locations.list_locations)
    places = [p for p in places if p.active]
    reports, busy, born = [], None, {}
    for place in places:
        born[place.code] = birthdays.run(app.engine, location=place, as_of=at, dry_run=dry_run, actor=actor)
        try:
            reports.append(reminders.run(app.engine, location=place, channels=channels, as_of=at, dry_run=dry_run,
                                         actor=actor))
        except Busy as exc:
            busy = exc
    if busy is not None and not reports:
        raise busy
    total = _total(reports, dry_run, at, born)
    steps = [_step(s) for r in reports for s in r.steps]
    tz = places[0].tz if places else None
    if fmt is Format.table:
        if steps:
            emit(steps, Format.table, columns=STEP_COLUMNS, tz=tz)
            print()
        emit(total, fmt, one=True, columns=RUN_COLUMNS, tz=tz)
    else:
        emit({**total, "messages": steps}, fmt, one=True, tz=tz)
    verb = "would" if dry_run else ""
    message(f"{verb + ' ' if verb else ''}issue {total['birthday_codes']} birthday code"
            f"{'s' if total['birthday_codes'] != 1 else ''} and {total['birthday_gifts']} birthday gift"
            f"{'s' if total['birthday_gifts'] != 1 else ''}")
    message(f"{verb + ' ' if verb else ''}queue {total['queued']}, send {total['sent']}; "
            f"{total['retried']} to retry, {total['failed']} failed, {total['skipped']} skipped, "
            f"{total['waiting']} waiting for the end of quiet hours" + ("; dry run: nothing changed" if dry_run else ""))
    if busy is not None:
        raise busy
    trouble = [s for s in steps if s["action"] in ("retry", "fail")]
    if trouble:
        raise OutsideServiceFailed(
            f"{len(trouble)} message{'s' if len(trouble) != 1 else ''} not sent: {trouble[0]['error']}",
            hint="they are kept: the next run tries again those marked retry; see: salon outbox --status failed")


def _total(reports: list[Any], dry_run: bool, at: Any, born: dict[str, Any]) -> dict[str, Any]:
    """The summary; `born` is each location's birthday job (`services.benefits.birthdays`), by code."""
    from salon_cli.core import clock

    keys = ("queued", "sent", "retried", "failed", "skipped", "waiting", "recovered")
    gifts = ("birthday_codes", "birthday_gifts")

    def issued(r: Any) -> dict[str, Any]:
        job = born.get(r.location)
        return {k: getattr(job, k) if job is not None else 0 for k in gifts}

    return {
        "location": ",".join(r.location for r in reports),
        "as_of": reports[0].as_of if reports else at or clock.now(),
        "dry_run": dry_run,
        **{k: sum(getattr(b, k) for b in born.values()) for k in gifts},
        **{k: sum(getattr(r, k) for r in reports) for k in keys},
        "job_run_id": reports[0].job_run_id if len(reports) == 1 else None,
        "locations": [{"location": r.location, "job_run_id": r.job_run_id, "quiet_until": r.quiet_until,
                       **issued(r), **{k: getattr(r, k) for k in keys}} for r in reports],
        "birthday": [{"location": b.location, "codes": [asdict(c) for c in b.codes],
                      "gifts": [asdict(g) for g in b.gifts]} for b in born.values()],
    }


@template_app.command("list")
def template_list(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--message", help=f"Only this message: {_KINDS}."),
    language: str | None = typer.Option(None, "--language", help="Only es or en."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Each message's wording at the location in each language, its own (custom) or built in (default).

    Example: salon template list --language es
    """
    from salon_cli.services.messages import templates as message_templates

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: message_templates.list_templates(session, location=loc, kind=kind, language=language))
    emit(rows, fmt, columns=TEMPLATE_COLUMNS, tz=loc.tz)


@template_app.command("set")
def template_set(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=_KINDS),
    language: str | None = typer.Option(None, "--language", help="es or en (default: the location's)."),
    body: str | None = typer.Option(None, "--body", help="The text, with {placeholders}."),
    subject: str | None = typer.Option(None, "--subject", help="The e-mail subject, with {placeholders}."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Word a message the location's way (manager PIN). Placeholders are checked: an unknown one is refused.

    Placeholders: {client_first_name} {client_last_name} {location_name} {location_phone};
    appointment messages add {service} {staff_name} {starts_at_local} {date_local} {time_local};
    the no-show notice adds {penalty_amount} {payment_link}; the win-back offer {last_visit_date};
    a birthday offer's code {offer_code} {offer_text} {last_day}; a member's birthday gift {gift_code}
    {reward_name}. {{ and }} are braces.

    Example: salon --as marco --pin 2222 template set reminder --language es --body "Hola {client_first_name}, te esperamos el {starts_at_local}."
    """
    from salon_cli.services.messages import templates as message_templates

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.policy_manage, lambda session, actor: message_templates.set_template(
        session, actor=actor, location=loc, kind=kind, language=language, body=body, subject=subject))
    emit(view, fmt, one=True, columns=TEMPLATE_COLUMNS if fmt is Format.table else None, tz=loc.tz)


@template_app.command("reset")
def template_reset(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=_KINDS),
    language: str | None = typer.Option(None, "--language", help="es or en (default: the location's)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Go back to the built-in wording of a message (manager PIN).

    Example: salon --as marco --pin 2222 template reset reminder --language es
    """
    from salon_cli.services.messages import templates as message_templates

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.policy_manage, lambda session, actor: message_templates.reset_template(
        session, actor=actor, location=loc, kind=kind, language=language))
    emit(view, fmt, one=True, columns=TEMPLATE_COLUMNS if fmt is Format.table else None, tz=loc.tz)


@template_app.command("preview")
def template_preview(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=_KINDS),
    language: str | None = typer.Option(None, "--language", help="es or en (default: the client's, else the location's)."),
    appt: int | None = typer.Option(None, "--appt", help="Fill it in with this appointment (and its client)."),
    client: int | None = typer.Option(None, "--client", help="Fill it in with this client."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A message as it would go out, filled in with an appointment's or a client's values (else a sample).

    Example: salon template preview no_show_notice --appt 120 --language en
    """
    from salon_cli.services.messages import templates as message_templates

    app = app_context(ctx)
    loc = app.location()
    shown = app.read(lambda session: message_templates.preview(
        session, location=loc, kind=kind, language=language, appointment_id=appt, client_id=client))
    if fmt is Format.table:
        print(f"Subject: {shown.subject}\n\n{shown.body}")
        return
    emit(shown, fmt, one=True, tz=loc.tz)


def outbox_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="queued, sending, sent, failed or skipped."),
    client: int | None = typer.Option(None, "--client", help="Client id."),
    limit: int = typer.Option(100, "--limit", min=1),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The location's messages to clients, newest first: what is queued, sent, failed or skipped, and why.

    Example: salon outbox --status failed -f json
    """
    from salon_cli.db.models import OUTBOX_STATUSES
    from salon_cli.services.messages import outbox

    if status is not None and status.strip().lower() not in OUTBOX_STATUSES:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(OUTBOX_STATUSES)}")
    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: outbox.messages(session, location=loc, status=status and status.strip().lower(),
                                                    client_id=client, limit=limit))
    emit(rows, fmt, columns=OUTBOX_COLUMNS, tz=loc.tz)


def register(root: typer.Typer) -> None:
    root.command("send-reminders")(send_reminders)
    root.add_typer(template_app, name="template")
    root.command("outbox")(outbox_list)
