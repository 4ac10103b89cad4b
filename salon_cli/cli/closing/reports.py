"""`salon report ...`: thin over `services.closing.revenue` and `services.closing.reports*` (a manager or the owner; no PIN).

`salon report day` is the Z-report of `close_day`. Imports inside commands keep `salon --help` light
(DESIGN.md, lazy imports)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.closing import charts, report_mail
from salon_cli.cli.closing.close_day import report_day
from salon_cli.cli.closing.report_mail import EMAIL_OPTION, LAST_OPTION, PDF_OPTION
from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message, styled
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView

report_app = typer.Typer(
    help="Reports for managers: day (the Z-report), revenue, staff, no-shows, loyalty, finance (a manager or the owner; no PIN).",
    no_args_is_help=True)


class By(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    service = "service"
    staff = "staff"


class Every(StrEnum):
    day = "day"
    week = "week"
    month = "month"


DATE_OPTION: Any = typer.Option(None, "--date", help="One business day, YYYY-MM-DD (default: today).")
FROM_OPTION: Any = typer.Option(None, "--from", help="First business day, YYYY-MM-DD (inclusive).")
TO_OPTION: Any = typer.Option(None, "--to", help="Last business day, YYYY-MM-DD (inclusive; default: today).")

REVENUE_COLUMNS = ["period", "sales_count", "revenue_cents", "tax_cents", "tips_cents"]
STAFF_COLUMNS = ["code", "name", "services", "revenue_cents", "tips_cents", "commission_cents", "no_shows",
                 "appointments", "average_ticket_cents", "rebooking_rate"]
NO_SHOW_SUMMARY = ["appointments", "no_shows", "rate", "cost_cents", "penalties_cents", "collected_cents",
                   "waived_cents"]
FINANCE_SUMMARY = ["revenue_cents", "tax_cents", "tips_cents", "refund_cents", "expenses_cents", "net_cents"]
CHART_DAYS = 400  # a --by day chart fills empty days up to this many


def _period(app: AppContext, date_: str | None, from_: str | None, to: str | None) -> tuple[date, date]:
    """--date D, or --from D [--to D] (inclusive; --to defaults to today); nothing: today."""
    from salon_cli.core.days import parse_date
    from salon_cli.services.salon import business_days

    if date_ and (from_ or to):
        raise InvalidInput("--date goes alone, or use --from and --to")
    if to and not from_:
        raise InvalidInput("--to needs --from", hint="e.g. --from 2026-11-01 --to 2026-11-30")
    today = business_days.today(app.location())
    if date_:
        day = parse_date(date_, what="--date")
        return day, day
    if not from_:
        return today, today
    first = parse_date(from_, what="--from")
    last = parse_date(to, what="--to") if to else today
    if first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    return first, last


def _start(ctx: typer.Context, date_: str | None, from_: str | None, to: str | None) -> tuple[AppContext, LocationView, date, date]:
    app = app_context(ctx)
    loc = app.location()
    first, last = _period(app, date_, from_, to)
    app.actor(Permission.reports_view)
    return app, loc, first, last


def _money(loc: LocationView) -> Any:
    from salon_cli.core.money import format_amount

    return lambda cents: format_amount(cents, loc.currency)


def _section(title: str) -> None:
    """A heading between the tables of one report (table format only)."""
    if not styled():
        sys.stdout.write(f"\n{title}\n")


@report_app.command("revenue")
def revenue_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                   to: str | None = TO_OPTION,
                   by: By = typer.Option(By.day, "--by", help="day, week (ISO, Monday first), month, service or staff."),
                   fmt: Format = FORMAT_OPTION) -> None:
    """Revenue by day, ISO week, month, service or staff member: net of discounts and refunds, before tax and tips.

    A sale counts on its business day once paid (open and void sales never count).
    A refund counts on the day it was made: split over its sale's lines by their totals, each share into tax and the rest.
    Tips (never refunded) go to services and staff over the lines with a staff member, by their net.
    Every grouping adds up to the same totals, to the cent. A bar chart follows the table (ASCII in a pipe or with NO_COLOR).

    Example: salon --as lucia report revenue --from 2026-11-01 --to 2026-11-30 --by week -f csv
    """
    from salon_cli.services.closing import revenue

    app, loc, first, last = _start(ctx, date_, from_, to)
    rows = app.read(lambda s: revenue.rows(s, location_id=loc.id, first=first, last=last, by=by.value))
    if fmt is not Format.table:
        emit(rows, fmt, columns=REVENUE_COLUMNS)
        return
    whole = revenue.total(rows)
    shown = [asdict(r) for r in rows]
    if rows:
        shown.append({**asdict(whole), "sales_count": whole.sales_count if by.value in revenue.TIME_BY else None})
    emit(shown, fmt, columns=REVENUE_COLUMNS, currency=loc.currency, headers={"period": by.value})
    if rows:  # the chart: Unicode on a terminal, ASCII in a pipe or with NO_COLOR
        points = [(r.period, r.revenue_cents) for r in rows]
        if by is By.day and (last - first).days < CHART_DAYS:
            have = dict(points)
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            points = [(d.isoformat(), have.get(d.isoformat(), 0)) for d in days]
        chart = charts.bar_chart(points, show=_money(loc), plain=not styled())
        sys.stdout.write("\n" + "\n".join(chart) + "\n")


@report_app.command("staff")
def staff_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                 to: str | None = TO_OPTION, last_: Every | None = LAST_OPTION,
                 email: list[str] | None = EMAIL_OPTION, pdf: bool = PDF_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """Per staff member: services, revenue, tips, commission, no-shows, appointments, average ticket, rebooking.

    services: the service lines they did (by quantity) on sales paid in the period.
    revenue: their lines' net less their share of the period's refunds (as report revenue --by staff).
    commission: revenue x their rate, rounded half up once for the period (none when revenue is 0 or less).
    no_shows, appointments: their appointments starting in the period (appointments: not cancelled).
    average_ticket: revenue / the sales they worked on, rounded half up.
    rebooking_rate: percent of their completed visits in the period (known clients) rebooked before leaving.
    Rebooked: the client has a later appointment, not cancelled, created by the end of the visit's business day.
    A booking made earlier counts too; the rate is empty when they completed no visit.

    With --email the table goes by mail instead (--pdf attaches it as a PDF); stdout lists what was sent.

    Example: salon --as lucia report staff --from 2026-11-01 --to 2026-11-30 -f json
    Example: salon --as lucia report staff --last month --email owner@example.com --pdf
    """
    from salon_cli.services.closing import reports

    sending = report_mail.prepare(email, pdf)
    report_mail.check_last(last_, date_, from_, to)
    app, loc, first, last = _start(ctx, date_, from_, to)
    first, last = report_mail.previous(first, last, last_)
    rows = app.read(lambda s: reports.staff(s, location=loc, first=first, last=last))
    if fmt is not Format.table and sending is None:
        emit(rows, fmt, columns=STAFF_COLUMNS)
        return
    shown = [asdict(r) for r in rows]
    if rows:
        shown.append({"code": "total", "name": "", **{k: sum(getattr(r, k) for r in rows) for k in (
            "services", "revenue_cents", "tips_cents", "commission_cents", "no_shows", "appointments")}})

    def show() -> None:
        emit(shown, Format.table, columns=STAFF_COLUMNS, currency=loc.currency,
             headers={"average_ticket_cents": "avg_ticket"})

    if sending is not None:
        report_mail.mail(app, loc, sending, "staff", first, last, draw=show, fmt=fmt,
                         tables=[(None, shown, STAFF_COLUMNS, False)])
        return
    show()


@report_app.command("no-shows")
def no_shows_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                    to: str | None = TO_OPTION,
                    breakdown: str | None = typer.Option(None, "--breakdown",
                                                         help="client, staff or week: print only that breakdown's rows."),
                    fmt: Format = FORMAT_OPTION) -> None:
    """No-shows: count, rate, cost and penalties; by client (top 10), by staff and by ISO week.

    appointments: those due, starting in the period: completed, in service, checked in or no-show.
    rate: no-shows / appointments, in percent (one decimal). cost: the booked price of the no-shows.
    penalties: the no-show penalties on them; collected: those paid; waived: those waived.
    JSON is one object; CSV carries the summary, or with --breakdown that breakdown's rows.
    A sparkline of the weekly rate follows the table (ASCII in a pipe or with NO_COLOR).

    Example: salon --as lucia report no-shows --from 2026-10-01 --to 2026-11-30 --breakdown client -f csv
    """
    from salon_cli.services.closing import no_show_report as reports_no_shows

    parts = {"client": "by_client", "staff": "by_staff", "week": "by_week"}
    if breakdown is not None and breakdown not in parts:
        raise InvalidInput(f"--breakdown {breakdown!r} is not one of client, staff, week")
    app, loc, first, last = _start(ctx, date_, from_, to)
    report = app.read(lambda s: reports_no_shows.no_shows(s, location=loc, first=first, last=last))
    if breakdown is not None:
        emit(getattr(report, parts[breakdown]), fmt, currency=loc.currency)
        return
    if fmt is Format.csv:
        emit(report, fmt, one=True, columns=NO_SHOW_SUMMARY)
        message("the breakdowns: --breakdown client|staff|week (or -f json)")
        return
    if fmt is not Format.table:
        emit(report, fmt, one=True)
        return
    emit(report, fmt, one=True, columns=NO_SHOW_SUMMARY, currency=loc.currency)
    for title, rows in (("by client", report.by_client), ("by staff", report.by_staff), ("by week", report.by_week)):
        if rows:
            _section(title)
            emit(rows, fmt, currency=loc.currency, title=title)
    if report.by_week:
        weeks = report.by_week
        sys.stdout.write(f"\nweekly rate {weeks[0].week}..{weeks[-1].week}  "
                         f"{charts.sparkline([w.rate for w in weeks], plain=not styled())}\n")


@report_app.command("loyalty")
def loyalty_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                   to: str | None = TO_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """Loyalty points, stamps and codes: chain-wide, since the program is the whole business's.

    Entries of every location count, over the period's business days in this location's zone.
    points_issued: earn, welcome and referral entries, and adjustments upwards.
    points_redeemed: points spent on rewards, less those voided codes gave back.
    points_expired: taken by expiry; points_voided: taken back by refunds; stamps_issued: stamps given.
    rewards_issued, rewards_used: codes issued and used in the period.
    Balances at the end of the period (now, when it runs to today): liability_points (points on the cards),
    open_codes (issued, neither used nor voided), accounts and by_tier (cards per tier).

    Example: salon --as lucia report loyalty --from 2026-11-01 --to 2026-11-30 -f json
    """
    from salon_cli.services.closing import loyalty_report as reports_loyalty

    app, loc, first, last = _start(ctx, date_, from_, to)
    report = app.read(lambda s: reports_loyalty.loyalty(s, location=loc, first=first, last=last))
    data = asdict(report)
    if fmt is Format.table:
        data["by_tier"] = ", ".join(f"{k} {v}" for k, v in report.by_tier.items()) or "-"
    emit(data, fmt, one=True)


@report_app.command("finance")
def finance_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                   to: str | None = TO_OPTION,
                   by: Every | None = typer.Option(None, "--by", help="day, week or month: add the periods."),
                   breakdown: str | None = typer.Option(None, "--breakdown",
                                                        help="category or period: print only those rows."),
                   last_: Every | None = LAST_OPTION, email: list[str] | None = EMAIL_OPTION,
                   pdf: bool = PDF_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """Money in and out: revenue, tax, tips, refunds, expenses and net = revenue - expenses.

    revenue, tax, tips: as report revenue. refund: money given back in the period.
    expenses: recorded (not voided) expenses dated in the period, also by category.
    With --by day|week|month, the periods too (revenue, expenses, net each).
    JSON is one object (periods null without --by); CSV carries the summary, or with --breakdown those rows.
    With --email the tables go by mail instead (--pdf attaches them as a PDF); stdout lists what was sent.

    Example: salon --as lucia report finance --from 2026-01-01 --to 2026-12-31 --by month -f json
    Example: salon --as lucia report finance --last week --by day --email owner@example.com --pdf
    """
    from salon_cli.services.closing import reports

    if breakdown is not None and breakdown not in ("category", "period"):
        raise InvalidInput(f"--breakdown {breakdown!r} is not one of category, period")
    if breakdown == "period" and by is None:
        raise InvalidInput("--breakdown period needs --by day|week|month")
    sending = report_mail.prepare(email, pdf)
    report_mail.check_last(last_, date_, from_, to)
    app, loc, first, last = _start(ctx, date_, from_, to)
    first, last = report_mail.previous(first, last, last_)
    report = app.read(lambda s: reports.finance(s, location=loc, first=first, last=last,
                                                by=by.value if by is not None else None))
    tables = _finance_tables(report, by, breakdown)

    def show(fmt: Format) -> None:
        if breakdown is not None:
            emit(tables[0][1], fmt, currency=loc.currency)
            return
        if fmt is Format.csv:
            emit(report, fmt, one=True, columns=FINANCE_SUMMARY)
            message("the breakdowns: --breakdown category|period (or -f json)")
            return
        if fmt is not Format.table:
            emit(report, fmt, one=True)
            return
        for title, items, columns, one in tables:
            if title:
                _section(title)
            emit(items, fmt, one=one, columns=columns, currency=loc.currency, title=title)

    if sending is not None:
        report_mail.mail(app, loc, sending, "finance", first, last, draw=lambda: show(Format.table), fmt=fmt,
                         tables=tables)
        return
    show(fmt)


def _finance_tables(report: Any, by: Every | None, breakdown: str | None) -> list[report_mail.Section]:
    """The tables a finance report shows (title, records, columns, one record): the summary, expenses by
    category, the periods with --by; with --breakdown only those rows. The terminal and the mail share them."""
    periods = f"by {by.value if by else 'period'}"
    if breakdown is not None:
        return [("expenses by category", report.expenses_by_category, None, False) if breakdown == "category"
                else (periods, report.periods or [], None, False)]
    tables: list[report_mail.Section] = [(None, report, FINANCE_SUMMARY, True)]
    if report.expenses_by_category:
        tables.append(("expenses by category", report.expenses_by_category, None, False))
    if report.periods:
        tables.append((periods, report.periods, None, False))
    return tables


@report_app.command("promotions")
def promotions_report(ctx: typer.Context, date_: str | None = DATE_OPTION, from_: str | None = FROM_OPTION,
                      to: str | None = TO_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """Per promotion: uses, discount given, revenue of the sales that used it, new clients it brought.

    Uses count on paid sales of the period (a voided sale gives its use back). revenue: those sales' net,
    before tax and tips; refunded: money given back on those sales since, taxes included. new_clients: clients whose first paid sale used it. Promotions on offer show
    even without a use.

    Example: salon --as lucia report promotions --from 2026-11-01 --to 2026-11-30 -f json
    """
    from salon_cli.services.promotions import report

    app, loc, first, last = _start(ctx, date_, from_, to)
    rows = app.read(lambda s: report.rows(s, location=loc, first=first, last=last))
    emit(rows, fmt, currency=loc.currency if fmt is Format.table else None)


def register(root: typer.Typer) -> None:
    report_app.command("day")(report_day)  # the Z-report: the stored snapshot, or the open day live
    root.add_typer(report_app, name="report")
