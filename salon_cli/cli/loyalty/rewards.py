"""`salon loyalty rewards add | set | retire | list`: the rewards catalog, thin over
`services.loyalty.reward_catalog`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from typing import Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.loyalty.group import rewards_app
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

# the table shows what a reward is worth as people read it; JSON, NDJSON and CSV carry the typed fields
TABLE_COLUMNS = ["id", "name", "kind", "worth", "points", "available_from", "available_to", "stock", "active",
                 "retired_at"]

FROM_OPTION: Any = typer.Option(None, "--from", help="First local day it can be redeemed, YYYY-MM-DD.")
TO_OPTION: Any = typer.Option(None, "--to", help="Last local day it can be redeemed (included), YYYY-MM-DD.")
STOCK_OPTION: Any = typer.Option(None, "--stock", help="How many codes points may still buy (each redemption takes one).")
NO_LIMIT_OPTION: Any = typer.Option(False, "--no-stock-limit", help="No stock limit (the default for a new reward).")


def _value(kind: str, value: str | None, currency: str) -> int | None:
    from salon_cli.core.money import parse_amount, parse_percent

    if kind == "discount_amount":
        return parse_amount(value or "", currency, what="--value")
    if kind == "discount_pct":
        return parse_percent(value or "", what="--value")
    if value is not None:
        raise InvalidInput("--value is for discount_amount and discount_pct rewards")
    return None


def _day(text: str | None, what: str) -> Any:
    from salon_cli.core.days import parse_date

    return parse_date(text, what=what) if text is not None else None


def _stock(stock: int | None, no_limit: bool) -> tuple[bool, int | None]:
    """(given, stock): `--stock N` or `--no-stock-limit` (None), not both."""
    if stock is not None and no_limit:
        raise InvalidInput("give --stock N or --no-stock-limit, not both")
    return (stock is not None or no_limit), stock


def _out(views: Any, fmt: Format, currency: str, tz: Any, *, one: bool) -> None:
    from dataclasses import asdict

    from salon_cli.core.money import format_money

    if fmt is not Format.table:
        emit(views, fmt, one=one, tz=tz)
        return
    rows = []
    for v in [views] if one else views:
        row = asdict(v)
        if v.value_cents is not None:
            row["worth"] = format_money(v.value_cents, currency)
        elif v.percent is not None:
            row["worth"] = v.percent
        else:
            row["worth"] = v.service or (f"cheapest {v.category}" if v.category else "-")
        row["stock"] = "no limit" if v.stock is None else v.stock
        rows.append(row)
    emit(rows[0] if one else rows, fmt, one=one, columns=TABLE_COLUMNS, tz=tz)


@rewards_app.command("add")
def reward_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What the client gets, e.g. 'Free blow-dry'."),
    points: int = typer.Option(..., "--points", help="What it costs in points (0: a stamp card's reward only)."),
    kind: str = typer.Option(..., "--kind", help="discount_amount, discount_pct or free_service."),
    value: str | None = typer.Option(None, "--value", help="Amount (e.g. 100) or percent (e.g. 15%); not for free_service."),
    service: str | None = typer.Option(None, "--service", help="free_service: the service it pays (at most its price)."),
    category: str | None = typer.Option(None, "--category", help="free_service: or a category (the cheapest such line)."),
    from_: str | None = FROM_OPTION,
    to: str | None = TO_OPTION,
    stock: int | None = STOCK_OPTION,
    no_stock_limit: bool = NO_LIMIT_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add a reward to the catalog (a manager, with PIN; audited).

    Every reward is definite: an amount, a percent, or one service (or category) free, which pays at
    most that service's price on the ticket. Points buy it only from --from to --to (the location's
    local days, both included) and while its --stock lasts (each code takes one; a voided code gives
    it back). A full stamp card gives its reward whatever the window or stock.

    Example: salon --as lucia --pin 1234 loyalty rewards add "100 off" --points 500 --kind discount_amount --value 100

    Example: salon --as lucia --pin 1234 loyalty rewards add "A free blow-dry" --points 0 --kind free_service --service blowout

    Example: salon --as lucia --pin 1234 loyalty rewards add "Christmas 10%" --points 300 --kind discount_pct --value 10% --from 2026-12-01 --to 2026-12-24 --stock 50
    """
    from salon_cli.services.loyalty import reward_catalog

    app = app_context(ctx)
    loc = app.location()
    how = kind.strip().lower()
    amount = _value(how, value, loc.currency)
    start, end = _day(from_, "--from"), _day(to, "--to")
    _stock(stock, no_stock_limit)
    row = app.change(Permission.program_manage, lambda session, actor: reward_catalog.add_reward(
        session, actor=actor, location=loc, name=name, kind=how, points=points, value=amount or 0, service=service,
        category=category, available_from=start, available_to=end, stock=stock))
    _out(row, fmt, loc.currency, loc.tz, one=True)


@rewards_app.command("set")
def reward_set(
    ctx: typer.Context,
    reward: int = typer.Argument(..., help="Reward id (salon loyalty rewards list --all)."),
    name: str | None = typer.Option(None, "--name"),
    points: int | None = typer.Option(None, "--points", help="What it costs in points (0: a stamp card's reward only)."),
    value: str | None = typer.Option(None, "--value", help="Amount or percent, for its kind."),
    service: str | None = typer.Option(None, "--service", help="free_service: the service it pays."),
    category: str | None = typer.Option(None, "--category", help="free_service: or a category."),
    from_: str | None = FROM_OPTION,
    to: str | None = TO_OPTION,
    no_window: bool = typer.Option(False, "--no-window", help="Redeemable any day again (clears --from and --to)."),
    stock: int | None = STOCK_OPTION,
    no_stock_limit: bool = typer.Option(False, "--no-stock-limit", help="Take the stock limit away."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a reward of the catalog (a manager, with PIN; audited).

    Codes already issued keep what they were issued for. --stock N sets how many are left;
    --no-stock-limit takes the limit away; --no-window makes it redeemable any day again.

    Example: salon --as lucia --pin 1234 loyalty rewards set 4 --service corte-dama

    Example: salon --as lucia --pin 1234 loyalty rewards set 3 --from 2026-12-01 --to 2026-12-24 --stock 20
    """
    from salon_cli.services.loyalty import reward_catalog
    from salon_cli.services.loyalty.reward_catalog import UNSET

    app = app_context(ctx)
    loc = app.location()
    if no_window and (from_ is not None or to is not None):
        raise InvalidInput("give --from/--to or --no-window, not both")
    start = None if no_window else _day(from_, "--from") if from_ is not None else UNSET
    end = None if no_window else _day(to, "--to") if to is not None else UNSET
    given, count = _stock(stock, no_stock_limit)

    def work(session: Any, actor: Any) -> Any:
        row = session.get(reward_catalog.Reward, reward)
        amount = _value(row.kind, value, loc.currency) if row is not None and value is not None else None
        return reward_catalog.set_reward(session, actor=actor, location=loc, reward_id=reward, name=name,
                                         points=points, value=amount, service=service, category=category,
                                         available_from=start, available_to=end, stock=count if given else UNSET)

    row = app.change(Permission.program_manage, work)
    _out(row, fmt, loc.currency, loc.tz, one=True)


@rewards_app.command("retire")
def reward_retire(
    ctx: typer.Context,
    reward: int = typer.Argument(..., help="Reward id (salon loyalty rewards list)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Retire a reward for good (a manager, with PIN; audited).

    Points buy it no more; codes already issued stay valid. The stamp card's own reward is refused
    (exit 1) until the program gives another (loyalty program set --stamps-reward REWARD_ID).

    Example: salon --as lucia --pin 1234 loyalty rewards retire 3
    """
    from salon_cli.services.loyalty import reward_catalog

    app = app_context(ctx)
    loc = app.location()
    row = app.change(Permission.program_manage, lambda session, actor: reward_catalog.retire_reward(
        session, actor=actor, location=loc, reward_id=reward))
    _out(row, fmt, loc.currency, loc.tz, one=True)
    message(f"reward {row.id} ({row.name}) retired; codes already issued stay valid")


@rewards_app.command("list")
def reward_list(ctx: typer.Context, all_: bool = typer.Option(False, "--all", help="Include retired rewards."),
                fmt: Format = FORMAT_OPTION) -> None:
    """The rewards catalog, cheapest first: what each is worth, its window and its stock.

    In JSON: value_cents (discount_amount), value_bp and percent (discount_pct), service_id and service
    (free_service), available_from, available_to, stock (null: no limit), active, retired_at.

    Example: salon loyalty rewards list -f json
    """
    from salon_cli.services.loyalty import reward_catalog

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: reward_catalog.list_rewards(session, include_inactive=all_))
    _out(rows, fmt, loc.currency, loc.tz, one=False)
