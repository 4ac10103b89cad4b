"""`salon expense ...` and `salon cash ...`: money out and the cash drawer, thin over `services.closing.expenses`
and `services.closing.drawer`.

Amounts are typed in major units of the location's currency (`--amount 12.50`) and shown in minor
units (`amount_cents`) in JSON, NDJSON and CSV. Totals go to stderr, so stdout stays data only.
Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView

expense_app = typer.Typer(help="Expenses: money out of the business (rent, supplies, repairs).", no_args_is_help=True)
cash_app = typer.Typer(help="The cash drawer: the opening float, cash put in, cash taken out.", no_args_is_help=True)

EXPENSE_COLUMNS = ["id", "business_date", "category", "description", "amount_cents", "paid_from", "status",
                   "created_by"]
VOID_COLUMNS = [*EXPENSE_COLUMNS, "void_reason", "voided_by"]
MOVEMENT_COLUMNS = ["id", "business_date", "kind", "amount_cents", "reason", "created_by", "created_at"]

AMOUNT_OPTION = typer.Option(..., "--amount", help="Amount in major units, e.g. 250 or 12.50.")


def _amount(loc: LocationView, text: str) -> int:
    from salon_cli.core.money import parse_amount

    return parse_amount(text, loc.currency, what="--amount")


def _money(cents: int, loc: LocationView) -> str:
    from salon_cli.core.money import format_money

    return format_money(cents, loc.currency)


# ----------------------------------------------------------------------------- expense ...

@expense_app.command("add")
def expense_add(
    ctx: typer.Context,
    amount: str = AMOUNT_OPTION,
    category: str = typer.Option(..., "--category", help="What kind of expense, e.g. supplies, rent (kept lower-case)."),
    description: str = typer.Option(..., "--description", help="What it was, e.g. 'Gloves and foil'."),
    paid_from: str = typer.Option("cash", "--paid-from", help="cash (from the drawer), card or bank."),
    date_: str | None = typer.Option(None, "--date", help="Business day it belongs to, YYYY-MM-DD (default: today)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Record an expense. Refused in a closed business day (exit 1) and for a day still to come (exit 2).

    Example: salon --as sofia expense add --amount 245.50 --category supplies --description "Gloves and foil" --paid-from cash
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.closing import expenses

    app = app_context(ctx)
    loc = app.location()
    cents = _amount(loc, amount)
    day = parse_date(date_, what="--date") if date_ else None
    view = app.change(Permission.desk, lambda session, actor: expenses.add(
        session, actor=actor, location=loc, amount_cents=cents, category=category, description=description,
        paid_from=paid_from, day=day))
    emit(view, fmt, one=True, tz=loc.tz, currency=loc.currency)
    message(f"expense {view.id} recorded: {_money(view.amount_cents, loc)} {view.category} "
            f"on {view.business_date.isoformat()}, paid from {view.paid_from}")


@expense_app.command("list")
def expense_list(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="One business day, YYYY-MM-DD."),
    from_: str | None = typer.Option(None, "--from", help="First business day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="Last business day, YYYY-MM-DD."),
    category: str | None = typer.Option(None, "--category", help="Only this category."),
    include_void: bool = typer.Option(False, "--include-void", help="Show voided expenses too (never counted in the total)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Expenses, newest first; the total goes to stderr. Without a day or range: every expense.

    Example: salon expense list --from 2026-11-01 --to 2026-11-30 --category supplies -f csv
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.closing import expenses

    app = app_context(ctx)
    loc = app.location()
    if date_ and (from_ or to):
        raise InvalidInput("--date goes alone, or use --from and --to")
    if date_:
        first = last = parse_date(date_, what="--date")
    else:
        first = parse_date(from_, what="--from") if from_ else None
        last = parse_date(to, what="--to") if to else None
    rows = app.read(lambda session: expenses.list_expenses(session, location=loc, first=first, last=last,
                                                           category=category, include_void=include_void))
    emit(rows, fmt, columns=VOID_COLUMNS if include_void else EXPENSE_COLUMNS, tz=loc.tz, currency=loc.currency)
    recorded = [row for row in rows if row.status == "recorded"]
    voided = len(rows) - len(recorded)
    message(f"{len(recorded)} expense{'' if len(recorded) == 1 else 's'}, total "
            f"{_money(sum(row.amount_cents for row in recorded), loc)}"
            + (f" ({voided} void, not counted)" if voided else ""))


@expense_app.command("void")
def expense_void(
    ctx: typer.Context,
    expense_id: int = typer.Argument(..., help="Expense id (salon expense list)."),
    reason: str = typer.Option(..., "--reason", help="Why it is voided (kept in the audit log)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Void an expense entered by mistake: a manager or the owner, with PIN. Refused in a closed day (exit 1).

    Example: salon --as marco --pin 2222 expense void 27 --reason "entered twice"
    """
    from salon_cli.services.closing import expenses

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.expense_void, lambda session, actor: expenses.void(
        session, actor=actor, location=loc, expense_id=expense_id, reason=reason))
    emit(view, fmt, one=True, tz=loc.tz, currency=loc.currency)
    message(f"expense {view.id} void")


# ----------------------------------------------------------------------------- cash ...

def _move(ctx: typer.Context, kind: str, amount: str, reason: str | None, fmt: Format) -> None:
    from salon_cli.services.closing import drawer as cash_drawer

    app = app_context(ctx)
    loc = app.location()
    cents = _amount(loc, amount)
    view = app.change(Permission.desk, lambda session, actor: cash_drawer.move(
        session, actor=actor, location=loc, kind=kind, amount_cents=cents, reason=reason))
    emit(view, fmt, one=True, tz=loc.tz, currency=loc.currency)
    what = {"float": "opening float", "in": "cash in", "out": "cash out"}[kind]
    message(f"{what} of {_money(view.amount_cents, loc)} recorded on {view.business_date.isoformat()}")


@cash_app.command("float")
def cash_float(
    ctx: typer.Context,
    amount: str = AMOUNT_OPTION,
    reason: str | None = typer.Option(None, "--reason", help="A note, e.g. 'counted by sofia'."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """The drawer's opening float for today (once a day; correct it with cash in / cash out).

    Example: salon --as sofia cash float --amount 500
    """
    _move(ctx, "float", amount, reason, fmt)


@cash_app.command("in")
def cash_in(
    ctx: typer.Context,
    amount: str = AMOUNT_OPTION,
    reason: str | None = typer.Option(None, "--reason", help="Why, e.g. 'change from the bank'."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Cash put into the drawer today (not a sale).

    Example: salon --as sofia cash in --amount 200 --reason "change from the bank"
    """
    _move(ctx, "in", amount, reason, fmt)


@cash_app.command("out")
def cash_out(
    ctx: typer.Context,
    amount: str = AMOUNT_OPTION,
    reason: str | None = typer.Option(None, "--reason", help="Why (required), e.g. 'bank deposit'."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Cash taken out of the drawer today (not an expense: a deposit, a safe drop). Needs --reason.

    Example: salon --as sofia cash out --amount 1500 --reason "bank deposit"
    """
    _move(ctx, "out", amount, reason, fmt)


@cash_app.command("list")
def cash_list(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="Business day, YYYY-MM-DD (default: today)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A business day's drawer movements in the order they were made; the totals go to stderr.

    Example: salon cash list --date 2026-11-21 -f json
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.salon import business_days
    from salon_cli.services.closing import drawer as cash_drawer

    app = app_context(ctx)
    loc = app.location()
    day = parse_date(date_, what="--date") if date_ else business_days.today(loc)

    def work(session: Any) -> tuple[Any, dict[str, int]]:
        return (cash_drawer.movements(session, location=loc, day=day),
                cash_drawer.totals(session, loc.id, day))

    rows, sums = app.read(work)
    emit(rows, fmt, columns=MOVEMENT_COLUMNS, tz=loc.tz, currency=loc.currency)
    from salon_cli.core.money import format_amount

    def amount(key: str) -> str:
        return format_amount(sums[key], loc.currency)

    message(f"{day.isoformat()}: float {amount('float_cents')}, in {amount('in_cents')}, out {amount('out_cents')} "
            f"{loc.currency}")


def register(root: typer.Typer) -> None:
    root.add_typer(expense_app, name="expense")
    root.add_typer(cash_app, name="cash")
