"""`salon loyalty ...` (the program, cards, points, stamps, codes) and `salon expire-points`: thin
over `services.loyalty.cards*` and `services.loyalty.expiry`. The rewards catalog is `rewards`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from typing import Any

import typer

from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

from salon_cli.cli.loyalty.group import loyalty_app, program_app

CARD_COLUMNS = ["client_id", "enrolled", "program_type", "points", "lifetime_points", "tier", "multiplier", "stamps",
                "stamps_target", "next_tier", "points_to_next_tier", "last_activity_at", "expiring", "codes"]
ENTRY_COLUMNS = ["id", "created_at", "kind", "points", "stamps", "ref", "reason"]
REDEMPTION_COLUMNS = ["code", "client_id", "description", "points", "status", "balance", "sale_id"]
STAMP_COLUMNS = ["client_id", "stamps", "stamps_target", "stamped_at", "reward_code", "reward", "next_stamp_at"]
EXPIRY_COLUMNS = ["as_of", "dry_run", "accounts", "points", "lots", "account_ids", "referrals", "job_run_id"]


def _card_out(app: AppContext, client_id: int, card: Any, fmt: Format) -> None:
    loc = app.location()
    data = asdict(card)
    if fmt is Format.table:
        data["expiring"] = ", ".join(f"{e['points']} by {e['expires_at'].astimezone(loc.tz):%Y-%m-%d}"
                                     for e in data["expiring"]) or "-"
        data["codes"] = ", ".join(f"{c['code']} ({c['description']})" for c in data["codes"]) or "-"
    emit(data, fmt, one=True, columns=CARD_COLUMNS if fmt is Format.table else None, tz=loc.tz)
    if card.expiring:
        first = min(e.expires_at for e in card.expiring)
        message(f"warning: {card.expiring_points} points expire within 30 days (first on "
                f"{first.astimezone(loc.tz):%Y-%m-%d})")


# ----------------------------------------------------------------------------- program

def _program_out(view: Any, fmt: Format) -> None:
    """The program; in a table each tier reads `gold from 2500 x1.5, 5% off, priority booking`."""
    from decimal import Decimal

    from salon_cli.core.money import format_percent

    if fmt is not Format.table:
        emit(view, fmt, one=True)
        return
    data = asdict(view)
    data["tiers"] = "; ".join(
        f"{t['name']} from {t['min_points']} x{format((Decimal(int(t['multiplier_bp'])) / 10000).normalize(), 'f')}"
        + (f", {format_percent(t['discount_bp'])} off" if t["discount_bp"] else "")
        + (", priority booking" if t["priority"] else "") for t in view.tiers)
    emit(data, fmt, one=True)


@program_app.command("show")
def program_show(ctx: typer.Context, fmt: Format = FORMAT_OPTION) -> None:
    """The program's rules.

    Example: salon loyalty program show -f json
    """
    from salon_cli.services.loyalty import program as loyalty_program

    app = app_context(ctx)
    _program_out(app.read(loyalty_program.show), fmt)


@program_app.command("set")
def program_set(
    ctx: typer.Context,
    type_: str | None = typer.Option(None, "--type", help="stamps, points or hybrid."),
    stamps_target: int | None = typer.Option(None, "--stamps-target", help="Stamps that fill a card."),
    stamps_reward: str | None = typer.Option(None, "--stamps-reward", help="REWARD_ID: the catalog reward a full card gives (loyalty rewards list --all)."),
    points_per_unit: int | None = typer.Option(None, "--points-per-unit", help="Points per currency unit paid."),
    min_purchase: str | None = typer.Option(None, "--min-purchase", help="Smallest sale that earns, e.g. 100."),
    welcome_bonus: int | None = typer.Option(None, "--welcome-bonus", help="Points on enrolment."),
    referral_bonus: int | None = typer.Option(None, "--referral-bonus", help="Points for a referral's first paid sale."),
    min_redemption: int | None = typer.Option(None, "--min-redemption", help="Points a card needs before redeeming."),
    expiry_months: int | None = typer.Option(None, "--expiry-months", help="Points expire this many months after earning (0: never)."),
    expiry_inactivity_days: int | None = typer.Option(None, "--expiry-inactivity-days",
                                                      help="All points expire after this many idle days (0: never)."),
    cooldown_minutes: int | None = typer.Option(None, "--cooldown-minutes", help="Minutes between two stamps of a card."),
    max_daily_stamps: int | None = typer.Option(None, "--max-daily-stamps", help="Stamps per card per day (0: no cap)."),
    require_pin: bool | None = typer.Option(None, "--require-pin/--no-require-pin", help="A stamp needs the staff PIN."),
    tiers: str | None = typer.Option(None, "--tiers", help="NAME:MIN[:MULTIPLIER],... e.g. bronze:0,silver:1000:1.25 (a tier keeps its discount and priority by name)"),
    tier_discount: str | None = typer.Option(None, "--tier-discount", help="TIER=PCT%,... a discount on the sales of the tier's clients, a whole percent up to 50% (the larger of it and a membership's applies, never both); tiers not named get none; none for no tier. E.g. gold=5%,platinum=10%"),
    tier_priority: str | None = typer.Option(None, "--tier-priority", help="TIER,... the tiers that book with priority (the policy's --priority-horizon); the others do not; none for no tier. E.g. gold,platinum"),
    active: bool | None = typer.Option(None, "--active/--inactive", help="Switch the program on or off."),
    birthday_gift_reward: str | None = typer.Option(
        None, "--birthday-gift-reward",
        help="REWARD_ID|none: the catalog reward a membership with the birthday_gift benefit gives on each "
             "birthday, as a code (no points spent; salon send-reminders issues it). "
             "Example: salon --as lucia --pin 1234 loyalty program set --birthday-gift-reward 1"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change the program's rules (a manager, with PIN; audited).

    Example: salon --as lucia --pin 1234 loyalty program set --type hybrid --stamps-target 8 --cooldown-minutes 120

    Example: salon --as lucia --pin 1234 loyalty program set --tier-discount gold=5%,platinum=10% --tier-priority gold,platinum
    """
    from salon_cli.core.money import parse_amount
    from salon_cli.services.loyalty import program as loyalty_program

    app = app_context(ctx)
    loc = app.location()
    changes = dict(type=type_.strip().lower() if type_ else None, stamps_target=stamps_target,
                   stamps_reward=stamps_reward, points_per_unit=points_per_unit,
                   min_purchase_cents=parse_amount(min_purchase, loc.currency, what="--min-purchase")
                   if min_purchase is not None else None,
                   welcome_bonus=welcome_bonus, referral_bonus=referral_bonus, min_redemption=min_redemption,
                   expiry_months=expiry_months, expiry_inactivity_days=expiry_inactivity_days,
                   cooldown_minutes=cooldown_minutes, max_daily_stamps=max_daily_stamps, require_pin=require_pin,
                   tiers=tiers, active=active)
    changes.update(tier_discount=tier_discount, tier_priority=tier_priority)
    changes.update(birthday_gift_reward=birthday_gift_reward)
    view = app.change(Permission.program_manage, lambda session, actor: loyalty_program.update(
        session, actor=actor, location=loc, **changes))
    _program_out(view, fmt)


# ----------------------------------------------------------------------------- cards

@loyalty_app.command("enroll")
def enroll(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."), fmt: Format = FORMAT_OPTION) -> None:
    """Give a client a loyalty card (with the welcome bonus). A first paid sale does this by itself.

    Example: salon --as sofia loyalty enroll 77
    """
    from salon_cli.services.loyalty import cards as loyalty

    app = app_context(ctx)
    loc = app.location()
    card = app.change(Permission.desk, lambda session, actor: loyalty.enroll(session, actor=actor, location=loc,
                                                                             client_id=client))
    _card_out(app, client, card, fmt)
    message(f"client {client} enrolled with {card.points} points")


@loyalty_app.command("card")
def card_show(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."), fmt: Format = FORMAT_OPTION) -> None:
    """A client's card: points, lifetime points, tier, stamps, codes to use, points expiring within 30 days.

    Example: salon loyalty card 12 -f json
    """
    from salon_cli.services.loyalty import cards as loyalty

    app = app_context(ctx)
    card = app.read(lambda session: loyalty.card(session, client))
    _card_out(app, client, card, fmt)


@loyalty_app.command("history")
def history(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."),
            limit: int | None = typer.Option(None, "--limit", min=1), fmt: Format = FORMAT_OPTION) -> None:
    """A card's entries, newest first (earn, redeem, expire, void, welcome, adjust, referral, stamps).

    Example: salon loyalty history 12 -f csv
    """
    from salon_cli.services.loyalty import cards as loyalty

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: loyalty.history(session, client, limit=limit))
    emit(rows, fmt, columns=ENTRY_COLUMNS, tz=loc.tz)


@loyalty_app.command("stamp")
def stamp(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."), fmt: Format = FORMAT_OPTION) -> None:
    """Stamp a client's card. Refused within the cooldown or past the daily cap (exit 1, saying when the
    next stamp is allowed); needs the staff PIN when the program says so (exit 3 without it).

    Example: salon --as ana --pin 4444 loyalty stamp 12
    """
    from salon_cli.services.loyalty import program as loyalty_program, rewards as loyalty_rewards

    app = app_context(ctx)
    loc = app.location()
    if app.settings.pin is None and app.settings.staff and sys.stdin.isatty() and app.read(loyalty_program.show).require_pin:
        app.settings = replace(app.settings, pin=typer.prompt(f"PIN for {app.settings.staff}", hide_input=True))
    result = app.change(Permission.desk, lambda session, actor: loyalty_rewards.stamp(
        session, actor=actor, location=loc, client_id=client))
    emit(result, fmt, one=True, columns=STAMP_COLUMNS if fmt is Format.table else None, tz=loc.tz)
    if result.reward_code:
        message(f"card full: reward code {result.reward_code} ({result.reward}); a new card starts")
    else:
        message(f"client {client}: {result.stamps} of {result.stamps_target} stamps")


@loyalty_app.command("earn")
def earn(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."),
         amount: str = typer.Option(..., "--amount", help="What was paid outside a sale, e.g. 350."),
         reason: str | None = typer.Option(None, "--reason"), fmt: Format = FORMAT_OPTION) -> None:
    """Points for a purchase made outside a sale (a manager, with PIN). Paid sales earn by themselves.

    Example: salon --as lucia --pin 1234 loyalty earn 12 --amount 350 --reason "paid at the old system"
    """
    from salon_cli.core.money import parse_amount
    from salon_cli.services.loyalty import cards as loyalty

    app = app_context(ctx)
    loc = app.location()
    cents = parse_amount(amount, loc.currency, what="--amount")
    card = app.change(Permission.points_adjust, lambda session, actor: loyalty.earn_manual(
        session, actor=actor, location=loc, client_id=client, amount_cents=cents, reason=reason))
    _card_out(app, client, card, fmt)


@loyalty_app.command("adjust")
def adjust(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."),
           points: int = typer.Option(..., "--points", help="Points to add (or, negative, to take)."),
           reason: str = typer.Option(..., "--reason", help="Why (kept in the history and the audit log)."),
           fmt: Format = FORMAT_OPTION) -> None:
    """A manager's correction of a card's points, with the reason.

    Example: salon --as lucia --pin 1234 loyalty adjust 12 --points -40 --reason "double earn on receipt 88"
    """
    from salon_cli.services.loyalty import cards as loyalty

    app = app_context(ctx)
    loc = app.location()
    card = app.change(Permission.points_adjust, lambda session, actor: loyalty.adjust(
        session, actor=actor, location=loc, client_id=client, points=points, reason=reason))
    _card_out(app, client, card, fmt)


# ----------------------------------------------------------------------------- codes (the rewards catalog: `rewards`)

@loyalty_app.command("redeem")
def redeem(ctx: typer.Context, client: int = typer.Argument(..., help="Client id."),
           reward: int = typer.Argument(..., help="Reward id (salon loyalty rewards list)."),
           fmt: Format = FORMAT_OPTION) -> None:
    """Spend a client's points on a reward; prints the code to use at checkout (--redeem CODE).

    Example: salon --as sofia loyalty redeem 12 3
    """
    from salon_cli.services.loyalty import rewards as loyalty_rewards

    app = app_context(ctx)
    loc = app.location()
    row = app.change(Permission.desk, lambda session, actor: loyalty_rewards.redeem(
        session, actor=actor, location=loc, client_id=client, reward_id=reward))
    if fmt is Format.table:
        typer.echo(row.code)
    else:
        emit(row, fmt, one=True, tz=loc.tz)
    message(f"code {row.code}: {row.description} for {row.points} points; {row.balance} points left")


@loyalty_app.command("void")
def void_code(ctx: typer.Context, code: str = typer.Argument(..., help="An unused redemption code."),
              reason: str | None = typer.Option(None, "--reason"), fmt: Format = FORMAT_OPTION) -> None:
    """Cancel an unused code: its points go back to the lots they came from.

    Example: salon --as sofia loyalty void K7QM-3XPD --reason "client changed her mind"
    """
    from salon_cli.services.loyalty import rewards as loyalty_rewards

    app = app_context(ctx)
    loc = app.location()
    row = app.change(Permission.desk, lambda session, actor: loyalty_rewards.void(
        session, actor=actor, location=loc, code=code, reason=reason))
    emit(row, fmt, one=True, columns=REDEMPTION_COLUMNS if fmt is Format.table else None, tz=loc.tz)
    message(f"code {row.code} voided; {row.points} points back; {row.balance} on the card")


# ----------------------------------------------------------------------------- cron

def expire_points(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="ISO instant with offset (default: now)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would expire; change nothing."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Expire points whose time is up: lots past their age, cards idle too long (for cron).

    Safe to run twice, or twice at once: a run while another holds the lock exits 4 (busy).

    Example: salon expire-points --dry-run -f json
    """
    from salon_cli.core.clock import parse_as_of
    from salon_cli.services.loyalty import expiry as points_expiry

    app = app_context(ctx)
    at = parse_as_of(as_of) if as_of else None
    report = points_expiry.expire(app.engine, as_of=at, dry_run=dry_run, actor=app.job_actor())
    places = app.read(_first_location)
    emit(asdict(report), fmt, one=True, columns=EXPIRY_COLUMNS if fmt is Format.table else None,
         tz=places.tz if places else None)
    verb = "would expire" if dry_run else "expired"
    referrals = report.referrals
    message(f"{verb} {report.points} points on {report.accounts} card{'s' if report.accounts != 1 else ''}"
            + (f"; {referrals} referral{'s' if referrals != 1 else ''} {verb}" if referrals else "")
            + ("; dry run: nothing changed" if dry_run else ""))


def _first_location(session: Any) -> Any:
    from salon_cli.services.salon import locations

    places = locations.list_locations(session)
    return places[0] if places else None
