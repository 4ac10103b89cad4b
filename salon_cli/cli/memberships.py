"""`salon membership ...` (plans and subscriptions) and `salon renew-memberships` (cron).

Thin commands over `services.memberships.plans`, `services.memberships.subscriptions` and
`services.memberships.renewal`: parse what people type (prices in major units of the location's
currency, discounts as PCT%), call the service, print the record. Plan changes are manager-only
(PIN); selling, pausing, resuming and cancelling are desk work.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView
    from salon_cli.services.memberships.subscriptions import MembershipView

membership_app = typer.Typer(help="Memberships: plans, subscribe, show, pause, resume, cancel.", no_args_is_help=True)
plan_app = typer.Typer(help="Membership plans (one set for the business): add and change them (manager PIN).",
                       no_args_is_help=True)

PLAN_COLUMNS = ["code", "name", "tier", "monthly_price_cents", "monthly_credits", "discount_bp", "benefits", "active"]
MEMBERSHIP_COLUMNS = ["id", "client_id", "plan", "tier", "status", "credits_remaining", "monthly_credits",
                      "discount_bp", "benefits", "current_period_start", "current_period_end", "period_number",
                      "fee_sale_id", "fee_status", "fee_cents", "cancels_at_period_end", "location"]
RENEW_COLUMNS = ["as_of", "dry_run", "renewed", "expired", "ended", "charged_cents", "membership_ids",
                 "fee_sale_ids", "voided_sale_ids", "open_fee_sale_ids", "job_run_id"]

CLIENT_ARG: Any = typer.Argument(..., help="Client id (find one: salon client search NAME).")


def _show(loc: LocationView, view: MembershipView, fmt: Format) -> None:
    emit(view, fmt, one=True, columns=MEMBERSHIP_COLUMNS if fmt is Format.table else None, tz=loc.tz,
         currency=loc.currency)


def _show_plan(loc: LocationView, view: Any, fmt: Format) -> None:
    emit(view, fmt, one=True, columns=PLAN_COLUMNS if fmt is Format.table else None, currency=loc.currency)


def _fee_note(loc: LocationView, view: MembershipView) -> str:
    from salon_cli.core.money import format_money

    if view.fee_sale_id is None:
        return "no fee (free plan)"
    fee = format_money(view.fee_cents or 0, loc.currency)
    if view.fee_status == "open":
        return f"fee sale {view.fee_sale_id} is open for {fee}: salon sale pay {view.fee_sale_id} --method cash"
    return f"fee sale {view.fee_sale_id} ({fee}) is {view.fee_status}"


# ----------------------------------------------------------------------------- plans

@membership_app.command("plans")
def plans(ctx: typer.Context,
          active_only: bool = typer.Option(False, "--active-only", help="Only the plans on sale."),
          fmt: Format = FORMAT_OPTION) -> None:
    """The membership plans, cheapest first.

    Example: salon membership plans -f json
    """
    from salon_cli.services.memberships import plans as membership_plans

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: membership_plans.list_plans(session, include_inactive=not active_only))
    emit(rows, fmt, columns=PLAN_COLUMNS, currency=loc.currency)


def _percent(text: str | None) -> int | None:
    from salon_cli.core.money import parse_percent

    return None if text is None else parse_percent(text, what="--discount")


def _price(loc: LocationView, text: str | None) -> int | None:
    from salon_cli.core.money import parse_amount

    return None if text is None else parse_amount(text, loc.currency, what="--price")


@plan_app.command("add")
def plan_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Short code, e.g. platinum."),
    name: str = typer.Option(..., "--name", help="As clients read it."),
    tier: str = typer.Option(..., "--tier", help="gold, black or vip."),
    price: str = typer.Option(..., "--price", help="Monthly price in major units, e.g. 500."),
    credits: int = typer.Option(0, "--credits", help="Services included each month (one credit, one service)."),
    discount: str = typer.Option("0%", "--discount", help="Off the member's sales, e.g. 10%."),
    benefits: list[str] = typer.Option([], "--benefit", help="photo_gallery, priority_booking or birthday_gift; repeat."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a membership plan, sold at every location (manager PIN).

    Example: salon --as lucia --pin 1234 membership plan add platinum --name Platinum --tier vip --price 2000 --credits 6 --discount 25% --benefit photo_gallery --benefit priority_booking
    """
    from salon_cli.services.memberships import plans as membership_plans

    app = app_context(ctx)
    loc = app.location()
    price_cents, discount_bp = _price(loc, price) or 0, _percent(discount) or 0
    view = app.change(Permission.program_manage, lambda session, actor: membership_plans.add_plan(
        session, actor=actor, location=loc, code=code, name=name, tier=tier, price_cents=price_cents,
        credits=credits, discount_bp=discount_bp, benefits=benefits))
    _show_plan(loc, view, fmt)


@plan_app.command("set")
def plan_set(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Plan code (salon membership plans)."),
    name: str | None = typer.Option(None, "--name"),
    price: str | None = typer.Option(None, "--price", help="Monthly price; members pay it from their next period."),
    credits: int | None = typer.Option(None, "--credits", help="Services each month, from members' next period."),
    discount: str | None = typer.Option(None, "--discount", help="e.g. 15%; applies at once."),
    benefits: list[str] = typer.Option([], "--benefit", help="Replaces the benefits; repeat for several."),
    no_benefits: bool = typer.Option(False, "--no-benefits", help="Remove every benefit."),
    active: bool | None = typer.Option(None, "--active/--inactive", help="On sale or not (members keep it)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a membership plan (manager PIN). What is not given stays as it is.

    Example: salon --as lucia --pin 1234 membership plan set gold --price 550 --discount 12% --benefit priority_booking
    """
    from salon_cli.services.memberships import plans as membership_plans

    if no_benefits and benefits:
        raise InvalidInput("--benefit and --no-benefits do not go together")
    app = app_context(ctx)
    loc = app.location()
    price_cents, discount_bp = _price(loc, price), _percent(discount)
    perks = [] if no_benefits else (benefits or None)
    view = app.change(Permission.program_manage, lambda session, actor: membership_plans.update_plan(
        session, actor=actor, location=loc, code=code, name=name, price_cents=price_cents, credits=credits,
        discount_bp=discount_bp, benefits=perks, active=active))
    _show_plan(loc, view, fmt)


# ----------------------------------------------------------------------------- memberships

@membership_app.command("subscribe")
def subscribe(
    ctx: typer.Context,
    client: int = CLIENT_ARG,
    plan: str = typer.Argument(..., help="Plan code (salon membership plans)."),
    pay: str | None = typer.Option(None, "--pay", help="Take the first fee now: cash, card or transfer."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Sell a plan to a client from today: its credits at once and the month's fee as a sale.

    Without --pay the fee sale stays open for the desk (salon sale pay SALE ...); a fee still unpaid
    when the period ends lets the membership expire. One membership per client (exit 1 for a second).

    Example: salon --as sofia membership subscribe 12 gold --pay card
    """
    from salon_cli.services.till import membership_fees

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: membership_fees.subscribe(
        session, actor=actor, location=loc, client_id=client, plan_code=plan, pay_method=pay))
    message(f"client {client} is a {view.plan_name} member until {view.current_period_end.isoformat()} "
            f"({view.credits_remaining} credit{'s' if view.credits_remaining != 1 else ''}); {_fee_note(loc, view)}")
    _show(loc, view, fmt)


@membership_app.command("show")
def show(ctx: typer.Context, client: int = CLIENT_ARG, fmt: Format = FORMAT_OPTION) -> None:
    """The client's membership (the active or paused one, else the latest).

    Example: salon membership show 42 -f json
    """
    from salon_cli.services.memberships import subscriptions as memberships

    app = app_context(ctx)
    loc = app.location()
    _show(loc, app.read(lambda session: memberships.show(session, client)), fmt)


@membership_app.command("pause")
def pause(ctx: typer.Context, client: int = CLIENT_ARG,
          reason: str | None = typer.Option(None, "--reason", help="Why (kept in the audit log)."),
          fmt: Format = FORMAT_OPTION) -> None:
    """Pause a membership: credits kept but not spendable, no discount or benefits, no renewal.

    Example: salon --as sofia membership pause 42 --reason "de viaje un mes"
    """
    from salon_cli.services.memberships import subscriptions as memberships

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: memberships.pause(
        session, actor=actor, location=loc, client_id=client, reason=reason))
    message(f"membership {view.id} paused")
    _show(loc, view, fmt)


@membership_app.command("resume")
def resume(ctx: typer.Context, client: int = CLIENT_ARG, fmt: Format = FORMAT_OPTION) -> None:
    """Resume a paused membership, or keep one that was set to cancel at its period end.

    A paused membership's period end moves on by the whole days it was paused.

    Example: salon --as sofia membership resume 42
    """
    from salon_cli.services.memberships import subscriptions as memberships

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: memberships.resume(
        session, actor=actor, location=loc, client_id=client))
    message(f"membership {view.id} is active; this period ends on {view.current_period_end.isoformat()}")
    _show(loc, view, fmt)


@membership_app.command("cancel")
def cancel(ctx: typer.Context, client: int = CLIENT_ARG,
           reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
           now: bool = typer.Option(False, "--now", help="End it today rather than at the period end."),
           fmt: Format = FORMAT_OPTION) -> None:
    """Cancel a membership at the end of its period (it keeps its credits until then), or --now.

    A paused membership ends at once. An open fee sale is left for the desk to take or void.

    Example: salon --as sofia membership cancel 42 --reason "se muda de ciudad"
    """
    from salon_cli.services.memberships import subscriptions as memberships

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: memberships.cancel(
        session, actor=actor, location=loc, client_id=client, reason=reason, now=now))
    if view.status == "cancelled":
        message(f"membership {view.id} cancelled")
    else:
        message(f"membership {view.id} ends on {view.current_period_end.isoformat()} (cancelled at its period end)")
    if view.fee_status == "open":
        message(f"note: {_fee_note(loc, view)}, or a manager voids it: salon sale void {view.fee_sale_id} --reason ...")
    _show(loc, view, fmt)


# ----------------------------------------------------------------------------- cron

def renew_memberships(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO instant with offset (default: now)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would happen; change nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Renew, expire and end memberships whose period has ended, at every location (for cron, daily).

    Paid: a new period, credits reset (unused ones do not roll over), the next fee as an open sale.
    Unpaid: expired, its open fee sale voided. Cancelled at period end: ended. Paused: skipped.
    A location whose business day is closed is skipped (in `skipped`). Safe to run twice, or twice
    at once: a run while another holds the lock exits 4 (busy) and changes nothing.

    Example: salon renew-memberships --dry-run -f json
    """
    from salon_cli.core.clock import parse_as_of
    from salon_cli.services.salon import locations
    from salon_cli.services.till import membership_fees

    app = app_context(ctx)
    at = parse_as_of(as_of) if as_of else None
    report = membership_fees.renew(app.engine, as_of=at, dry_run=dry_run, actor=app.job_actor())
    places = app.read(locations.list_locations)
    one = places[0] if len(places) == 1 else None
    emit(asdict(report), fmt, one=True, columns=RENEW_COLUMNS if fmt is Format.table else None,
         tz=one.tz if one else None, currency=one.currency if one else None)
    for skipped in report.skipped:
        message(f"warning: {skipped['location']} skipped: business day {skipped['business_date']} is closed "
                f"({skipped['due']} due); run again once it is re-opened, or tomorrow")
    verb = "would renew" if dry_run else "renewed"
    message(f"{verb} {report.renewed} period{'s' if report.renewed != 1 else ''}, expired {report.expired}, "
            f"ended {report.ended}" + ("; dry run: nothing changed" if dry_run else ""))


def register(root: typer.Typer) -> None:
    membership_app.add_typer(plan_app, name="plan")
    root.add_typer(membership_app, name="membership")
    root.command("renew-memberships")(renew_memberships)
