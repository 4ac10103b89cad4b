"""`salon promo ...`: promotion codes and automatic offers (add, list, show, set, end).

Thin commands over `services.promotions.catalog`: what people type goes to the service as typed (it
parses percents, amounts in major units, days and hours exactly). Adding, changing and ending a
promotion is a manager's (PIN); listing and showing are for anyone at the desk.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.promotions.catalog import PromoInput

promo_app = typer.Typer(help="Promotions: codes and automatic offers with their rules (add, list, show, set, end).",
                        no_args_is_help=True)

COLUMNS = ["id", "code", "name", "kind", "value_text", "service_id", "category", "starts_on", "ends_on", "days",
           "hours", "min_spend_cents", "tier", "tag", "new_clients", "per_client", "use_limit", "uses", "stackable",
           "automatic", "client_id", "location_id", "active", "birthday_days", "template_id"]
LIST_COLUMNS = ["id", "code", "name", "kind", "value_text", "starts_on", "ends_on", "days", "hours", "uses",
                "use_limit", "birthday_days", "active"]

REF_ARG: Any = typer.Argument(..., help="The promotion's code or id.")
KIND_OPT: Any = typer.Option(None, "--kind", help="percent | amount | free_service | points_multiplier.")
VALUE_OPT: Any = typer.Option(None, "--value", help="percent: 10 or 10%; amount: major units (50); "
                                                    "points_multiplier: 2 (twice the points).")
SERVICE_OPT: Any = typer.Option(None, "--service", help="Only this service's lines (code, id or name).")
CATEGORY_OPT: Any = typer.Option(None, "--category", help="Only this category's service lines.")
FROM_OPT: Any = typer.Option(None, "--from", help="First day, YYYY-MM-DD (included).")
TO_OPT: Any = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (included).")
DAYS_OPT: Any = typer.Option(None, "--days", help="Weekdays, e.g. mon,tue.")
HOURS_OPT: Any = typer.Option(None, "--hours", help="Local hours, e.g. 10:00-14:00 (the end excluded).")
MIN_SPEND_OPT: Any = typer.Option(None, "--min-spend", help="The ticket's least subtotal, major units.")
TIER_OPT: Any = typer.Option(None, "--tier", help="Loyalty tier the client must hold (or above), e.g. gold.")
TAG_OPT: Any = typer.Option(None, "--tag", help="Client tag the client must carry, e.g. vip.")
PER_CLIENT_OPT: Any = typer.Option(None, "--per-client", help="Uses per client.")
LIMIT_OPT: Any = typer.Option(None, "--limit", help="Uses in all.")
CLIENT_OPT: Any = typer.Option(None, "--client", help="A personal code: only this client (id).")
BIRTHDAY_OPT: Any = typer.Option(
    None, "--birthday-days",
    help="A birthday offer (0-60): never used itself; `salon send-reminders` gives each client with marketing "
         "consent a personal code valid this many days either side of their birthday. "
         "Example: salon --as lucia --pin 1234 promo add BDAY --kind percent --value 20 --birthday-days 7")


def _date(text: str | None, what: str) -> Any:
    from salon_cli.core.days import parse_date

    return parse_date(text, what=what) if text else None


def _input(*, kind: str | None, value: str | None, service: str | None, category: str | None, from_: str | None,
           to: str | None, days: str | None, hours: str | None, min_spend: str | None, tier: str | None,
           tag: str | None, new_clients: bool | None, per_client: int | None, limit: int | None,
           stackable: bool | None, name: str | None, client: int | None, here_only: bool | None,
           birthday_days: int | None = None) -> PromoInput:
    from salon_cli.services.promotions.catalog import PromoInput

    return PromoInput(kind=kind, value=value, service=service, category=category, starts_on=_date(from_, "--from"),
                      ends_on=_date(to, "--to"), days=days, hours=hours, min_spend=min_spend, tier=tier, tag=tag,
                      new_clients=new_clients, per_client=per_client, limit=limit, stackable=stackable, name=name,
                      client_id=client, location_only=here_only, birthday_days=birthday_days)


@promo_app.command("add")
def add(
    ctx: typer.Context,
    code: str = typer.Argument(None, help="The code clients give, e.g. HAPPY10 (upper-cased); none with --automatic."),
    kind: str = KIND_OPT, value: str = VALUE_OPT, service: str = SERVICE_OPT, category: str = CATEGORY_OPT,
    from_: str = FROM_OPT, to: str = TO_OPT, days: str = DAYS_OPT, hours: str = HOURS_OPT,
    min_spend: str = MIN_SPEND_OPT, tier: str = TIER_OPT, tag: str = TAG_OPT,
    new_clients: bool = typer.Option(False, "--new-clients", help="Only a client's first paid visit."),
    per_client: int = PER_CLIENT_OPT, limit: int = LIMIT_OPT,
    stackable: bool = typer.Option(False, "--stackable", help="May go with another promotion on one sale."),
    automatic: bool = typer.Option(False, "--automatic", help="No code: applies by itself at checkout."),
    name: str = typer.Option(None, "--name", help="As the ticket shows it, e.g. \"20% off colour on Tuesdays\"."),
    client: int = CLIENT_OPT,
    here_only: bool = typer.Option(False, "--here-only", help="Only at this location (default: every one)."),
    birthday_days: int = BIRTHDAY_OPT,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a promotion (manager PIN).

    Example: salon --as lucia --pin 1234 promo add HAPPY10 --kind percent --value 10% --days tue,sat --hours 10:00-14:00 --limit 100
    Example: salon --as lucia --pin 1234 promo add --automatic --name "20% off colour on Tuesdays" --kind percent --value 20 --category colour --days tue

    Example: salon --as lucia --pin 1234 promo add BDAY --kind percent --value 20 --birthday-days 7
    """
    from salon_cli.services.promotions import catalog

    app = app_context(ctx)
    loc = app.location()
    given = _input(kind=kind, value=value, service=service, category=category, from_=from_, to=to, days=days,
                   hours=hours, min_spend=min_spend, tier=tier, tag=tag, new_clients=new_clients or None,
                   per_client=per_client, limit=limit, stackable=stackable or None, name=name, client=client,
                   here_only=here_only or None, birthday_days=birthday_days)
    view = app.change(Permission.program_manage, lambda session, actor: catalog.add(
        session, actor=actor, location=loc, code=code, automatic=automatic, given=given))
    emit(view, fmt, one=True, columns=COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@promo_app.command("list")
def list_(ctx: typer.Context, all_: bool = typer.Option(False, "--all", help="Ended promotions too."),
          fmt: Format = FORMAT_OPTION) -> None:
    """The promotions on offer (with --all, the ended ones too).

    Example: salon promo list --all -f json
    """
    from salon_cli.services.promotions import catalog

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: catalog.list_all(session, loc, include_ended=all_))
    emit(rows, fmt, columns=LIST_COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@promo_app.command("show")
def show(ctx: typer.Context, ref: str = REF_ARG, fmt: Format = FORMAT_OPTION) -> None:
    """One promotion, with its rules and uses.

    Example: salon promo show HAPPY10
    """
    from salon_cli.services.promotions import catalog

    app = app_context(ctx)
    loc = app.location()
    view = app.read(lambda session: catalog.show(session, ref, loc))
    emit(view, fmt, one=True, columns=COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@promo_app.command("set")
def set_(
    ctx: typer.Context, ref: str = REF_ARG,
    kind: str = KIND_OPT, value: str = VALUE_OPT, service: str = SERVICE_OPT, category: str = CATEGORY_OPT,
    from_: str = FROM_OPT, to: str = TO_OPT,
    days: str = typer.Option(None, "--days", help="Weekdays, e.g. mon,tue; \"\" for every day."),
    hours: str = typer.Option(None, "--hours", help="e.g. 10:00-14:00; \"\" for all day."),
    min_spend: str = MIN_SPEND_OPT, tier: str = TIER_OPT, tag: str = TAG_OPT,
    new_clients: bool = typer.Option(None, "--new-clients/--all-clients", help="Only a client's first paid visit."),
    per_client: int = PER_CLIENT_OPT, limit: int = LIMIT_OPT,
    stackable: bool = typer.Option(None, "--stackable/--not-stackable", help="May go with another promotion."),
    name: str = typer.Option(None, "--name", help="As the ticket shows it."),
    birthday_days: int = BIRTHDAY_OPT,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a promotion's rules (manager PIN); what is not given stays.

    Example: salon --as lucia --pin 1234 promo set HAPPY10 --to 2026-12-31 --limit 200

    Example: salon --as lucia --pin 1234 promo set BDAY --birthday-days 10
    """
    from salon_cli.services.promotions import catalog

    app = app_context(ctx)
    loc = app.location()
    given = _input(kind=kind, value=value, service=service, category=category, from_=from_, to=to, days=days,
                   hours=hours, min_spend=min_spend, tier=tier, tag=tag, new_clients=new_clients,
                   per_client=per_client, limit=limit, stackable=stackable, name=name, client=None, here_only=None,
                   birthday_days=birthday_days)
    view = app.change(Permission.program_manage, lambda session, actor: catalog.update(
        session, actor=actor, location=loc, ref=ref, given=given))
    emit(view, fmt, one=True, columns=COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


@promo_app.command("end")
def end(ctx: typer.Context, ref: str = REF_ARG, fmt: Format = FORMAT_OPTION) -> None:
    """End a promotion now (manager PIN): it is kept, with its uses, and no longer applies.

    Example: salon --as lucia --pin 1234 promo end HAPPY10
    """
    from salon_cli.services.promotions import catalog

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.program_manage, lambda session, actor: catalog.end(
        session, actor=actor, location=loc, ref=ref))
    emit(view, fmt, one=True, columns=COLUMNS if fmt is Format.table else None, tz=loc.tz, currency=loc.currency)


def register(root: typer.Typer) -> None:
    root.add_typer(promo_app, name="promo")
