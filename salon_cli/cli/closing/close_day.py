"""`salon close-day` and `salon reopen-day`, and the Z-report on a terminal (also `salon report day`).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import typer

from salon_cli.cli.closing import report_mail
from salon_cli.cli.closing.report_mail import EMAIL_OPTION, PDF_OPTION
from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message, styled
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.io import tabular


def _day(app: AppContext, text: str | None) -> date:
    from salon_cli.core.days import parse_date
    from salon_cli.services.salon import business_days

    return parse_date(text, what="--date") if text else business_days.today(app.location())


def _count(text: str, currency: str) -> tuple[int, list[dict[str, int]] | None]:
    from salon_cli.core.money import parse_amount, parse_count

    if "x" in text.lower() or "," in text or "×" in text:
        return parse_count(text, currency)
    return parse_amount(text, currency, what="counted cash"), None


def close_day(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="Business day to close, YYYY-MM-DD (default: today)."),
    counted_cash: str | None = typer.Option(None, "--counted-cash", help="What the drawer holds, e.g. 2350.50."),
    count: str | None = typer.Option(None, "--count", help='The drawer by denominations: "500x2,200x3,0.50x4".'),
    note: str | None = typer.Option(None, "--note", help="Why the drawer is over or short (needed past the policy's threshold)."),
    preview: bool = typer.Option(False, "--preview", help="Show the Z-report as it stands; store nothing."),
    early: bool = typer.Option(False, "--early", help="Close today before the location's closing hour, on purpose."),
    unfinished: bool = typer.Option(False, "--unfinished", help="List what still holds the day (store nothing)."),
    pending: bool = typer.Option(False, "--pending", help="List the days left unclosed (the last 60 days)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Close a business day: the Z-report (sales, tax, tips, refunds, money by method, expenses, the cash
    drawer, staff, no-shows, loyalty), stored as a snapshot; the day is then frozen (no sale, payment, refund,
    expense or drawer movement dated in it) until a manager re-opens it.

    The count is blind: until a count is committed, the preview shows no cash figure (only a manager with
    --pin sees the expected cash). Every count given to close is kept, even when the close is refused; a
    different count after that needs a manager's PIN (exit 3). Without --counted-cash or --count, the close
    uses the count already made, or a terminal asks for it; a script gets exit 2. A variance over the
    policy's threshold needs --note (exit 1 without; the count is kept). A day already closed is refused
    (exit 1).

    The close is guarded: while appointments of the day are still booked or in the chair, sales are
    open or penalties of the day pending (--unfinished lists them), a receptionist is refused (exit 1);
    a manager or the owner with --pin closes over them with --note, and the list is kept with the close.
    Finish them (appt no-show, appt complete, checkout, sale void) or leave a visit booked past the close
    with a reason (appt leave-booked). Closing today before the salon's closing hour asks on a terminal
    and needs --early in a script (exit 1 without). --pending lists the days before today (60 days back)
    with sales, payments, drawer movements, expenses or appointments and no close.

    Example: salon --as sofia close-day --date 2026-11-12 --count "500x4,200x6,100x3,50x2" --note "tip jar counted in"
    Example: salon --as marco --pin 2222 close-day --date 2026-11-20 --preview -f json
    Example: salon close-day --unfinished -f json
    Example: salon --as marco --pin 2222 close-day --counted-cash 3500 --early --note "two visits moved to Monday"
    Example: salon close-day --pending
    """
    from salon_cli.cli.closing import close_checks
    from salon_cli.services.closing import day_close

    app = app_context(ctx)
    if sum((preview, unfinished, pending)) > 1:
        raise InvalidInput("--preview, --unfinished and --pending go one at a time")
    if pending:
        if date_ is not None or counted_cash is not None or count is not None:
            raise InvalidInput("--pending lists every day left unclosed: it takes no --date or count")
        close_checks.show_pending(app, fmt)
        return
    loc = app.location()
    day = _day(app, date_)
    if unfinished:
        if counted_cash is not None or count is not None or note is not None:
            raise InvalidInput("--unfinished lists what holds the day: it takes no count or note")
        close_checks.show_unfinished(app, day, fmt)
        return
    if counted_cash is not None and count is not None:
        raise InvalidInput("give the count once: --counted-cash or --count, not both")
    if not preview and sys.stdin.isatty():
        early = close_checks.on_terminal(app, day, note, early)
    raw = counted_cash if counted_cash is not None else count
    if raw is None and not preview and sys.stdin.isatty() and app.read(
            lambda s: day_close.last_count(s, location=loc, day=day)) is None:
        raw = typer.prompt(f"Cash in the drawer for {day.isoformat()} (a total, or by denominations like 500x2,200x3)")
    counted, denominations = _count(raw, loc.currency) if raw is not None else (None, None)
    if preview:
        report = app.change(Permission.day_close, lambda s, actor: day_close.preview(
            s, actor=actor, location=loc, day=day, counted_cents=counted, denominations=denominations))
        if report["blind"]:
            message("preview: a blind count: no cash figure until a count is committed (close-day --counted-cash "
                    "or --count; a manager with --pin sees the expected cash)")
        render(report, fmt)
        return

    def closing(s: Any, actor: Any) -> dict[str, Any]:
        return day_close.close(s, actor=actor, location=loc, day=day, counted_cents=counted, note=note,
                               denominations=denominations, early=early)

    try:
        report = app.change(Permission.day_close, closing)
    except day_close.NoteNeeded as refused:
        if note is not None or not sys.stdin.isatty():
            raise
        message(refused.message)  # the count is kept; a terminal asks why and closes with that count
        note = typer.prompt("The variance needs a note: why is the drawer " +
                            ("over" if refused.variance_cents > 0 else "short"))
        report = app.change(Permission.day_close, closing)
    message(f"closed {report['business_date']} at {loc.code} (revision {report['revision']}): the day is frozen")
    over = close_checks.said(report)
    if over:
        message(over)
    render(report, fmt)


def reopen_day(
    ctx: typer.Context,
    date_: str = typer.Option(..., "--date", help="The closed business day, YYYY-MM-DD."),
    reason: str = typer.Option(..., "--reason", help="Why it is re-opened (kept in the audit log)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Re-open a closed day (a manager, with a PIN and a reason). Its snapshot is kept as a revision; the
    next close of the day is the next revision.

    Example: salon --as marco --pin 2222 reopen-day --date 2026-11-20 --reason "card refund missed"
    """
    from salon_cli.core.days import parse_date
    from salon_cli.services.closing import day_close

    app = app_context(ctx)
    loc = app.location()
    day = parse_date(date_, what="--date")
    result = app.change(Permission.day_reopen, lambda s, actor: day_close.reopen(
        s, actor=actor, location=loc, day=day, reason=reason))
    message(f"re-opened {day.isoformat()} at {loc.code}: revision {result['revision']} is kept; "
            f"the next close is revision {result['next_revision']}")
    emit(result, fmt, one=True)


def report_day(
    ctx: typer.Context,
    date_: str | None = typer.Option(None, "--date", help="Business day, YYYY-MM-DD (default: today)."),
    revision: int | None = typer.Option(None, "--revision", min=1, help="A kept revision of a re-opened day."),
    revisions: bool = typer.Option(False, "--revisions", help="List the day's closes and re-openings instead."),
    email: list[str] | None = EMAIL_OPTION,
    pdf: bool = PDF_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """A day's Z-report: the stored snapshot of a closed day (or a kept revision), else the live figures of
    the open day (blind until a count is committed, unless a manager gives --pin).

    With --email the report goes by mail instead, as printed here; --pdf attaches the Z-report's PDF
    (80 mm, as printed on the receipt printer). stdout lists what was sent.

    Example: salon --as marco report day --date 2026-11-20
    Example: salon --as marco report day --date 2026-11-20 --revision 1 -f json
    Example: salon --as lucia report day --date 2026-11-20 --email owner@example.com --pdf
    """
    from salon_cli.services.closing import day_close

    sending = report_mail.prepare(email, pdf)
    if sending is not None and revisions:
        raise InvalidInput("--email mails the Z-report: not with --revisions")
    app = app_context(ctx)
    loc = app.location()
    day = _day(app, date_)
    if revisions:
        app.actor(Permission.reports_view)
        emit(app.read(lambda s: day_close.revisions(s, location=loc, day=day)), fmt, tz=loc.tz, currency=loc.currency,
             columns=["revision", "status", "closed_at", "closed_by", "expected_cash_cents", "counted_cash_cents",
                      "variance_cents", "note", "reopened_at", "reopened_by", "reopen_reason"])
        return
    report, actor = app.change(Permission.reports_view, lambda s, actor: (day_close.show(
        s, location=loc, day=day, revision=revision, actor=actor), actor))
    if report["status"] == "open":
        message(f"{day.isoformat()} is open: live figures" + (
            "; blind until a count is committed (a manager with --pin sees the cash)" if report["blind"] else ""))
    elif report["status"] == "reopened":
        message(f"revision {report['revision']} of {day.isoformat()}, re-opened {report['reopened_at'][:16]} "
                f"by {report['reopened_by']}: {report['reopen_reason']}")
    if sending is not None:
        report_mail.mail(app, loc, sending, "day", day, day, draw=lambda: render(report, Format.table), fmt=fmt,
                         z_report=report, actor=actor)
        return
    render(report, fmt)


# ----------------------------------------------------------------------------- rendering

def flatten(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """The report as (dotted key, value) pairs: `by_method.cash`, `staff.ana.revenue_cents`, `late.0.amount_cents`."""
    out: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                key = item.get("code") if isinstance(item, dict) and "code" in item else i
                walk(f"{prefix}.{key}", item)
        else:
            out.append((prefix, value))

    walk("", report)
    return out


def render(report: dict[str, Any], fmt: Format) -> None:
    """JSON (one object, the README's keys), CSV (`field,value` rows, dotted keys), or the readable report."""
    if fmt in (Format.json, Format.ndjson):
        emit(report, fmt, one=True)
        return
    if fmt is Format.csv:
        tabular.write_csv(({"field": k, "value": v} for k, v in flatten(report)), sys.stdout, columns=["field", "value"])
        sys.stdout.flush()
        return
    _readable(report)


def _readable(r: dict[str, Any]) -> None:
    from salon_cli.core.money import format_amount

    cur = r["currency"]

    def m(cents: int | None) -> str:
        return "-" if cents is None else format_amount(cents, cur)

    lines: list[tuple[str, str, str]] = []  # (kind, label, value): kind h = heading, l = line, t = text

    def h(text: str) -> None:
        lines.append(("h", text, ""))

    def line(label: str, value: str) -> None:
        lines.append(("l", label, value))

    day = date.fromisoformat(r["business_date"])
    state = r["status"] + (f", revision {r['revision']}" if r.get("revision") else "")
    lines.append(("t", f"Z-report  {r['location']}  {day.isoformat()} ({day:%A})  {state}  [{r['hours']:g} h, {r['timezone']}]", ""))
    blind = bool(r.get("blind"))
    h(f"Sales ({r['sales_count']})")
    if blind:
        lines.append(("t", "  blind count: the money is shown once a count is committed", ""))
    else:
        for label, key in (("gross", "gross_cents"), ("discounts", "discount_cents"), ("tax", "tax_cents"),
                           ("total", "total_cents"), ("refunds", "refund_cents"), ("net", "net_cents"),
                           ("revenue (before tax and tips)", "revenue_cents"), ("tips", "tip_cents"),
                           ("penalties collected", "penalties_cents")):
            sign = -1 if key in ("discount_cents", "refund_cents") and r[key] else 1
            line(label, m(sign * r[key]))
    h("Money received" + (" (other than cash)" if blind else ""))
    for method, cents in r["by_method"].items() or [("(none)", 0)]:
        line(method, m(cents))
    if r["refunds_by_method"]:
        h("Refunds given")
        for method, cents in r["refunds_by_method"].items():
            line(method, m(-cents))
    if not blind:
        h(f"Expenses ({m(r['expenses_cents'])})")
        for category, cents in r["expenses_by_category"].items():
            line(category, m(cents))
        _drawer(r, h, line, m)
    _counts(r, h, line, lines, m)
    if r["staff"]:
        h("Staff (services)" if blind else "Staff (services, revenue, tips, commission)")
        for s in r["staff"]:
            line(f"{s['code']} {s['name']}", f"{s['services']:>3}" if blind else
                 f"{s['services']:>3}  {m(s['revenue_cents']):>10}  {m(s['tips_cents']):>8}  {m(s['commission_cents']):>8}")
    h("The day")
    line("no-shows", str(r["no_shows"]))
    if not blind:
        line("points issued / redeemed", f"{r['points_issued']} / {r['points_redeemed']}")
    if r["open_sales"]:
        line("open sales (not counted)", str(r["open_sales"]))
    if r["pending_payments"]:
        line("payments still pending", str(r["pending_payments"]))
    for item in r["late"] or []:
        closed = " (a closed day)" if item["asked_on_closed"] else ""
        lines.append(("t", f"landed here: {item['kind']} {item['id']} of sale {item['sale_id']}, {item['method']} "
                      f"{m(item['amount_cents'])}, asked on {item['asked_on']}{closed}", ""))
    if r.get("note"):
        lines.append(("t", f"note: {r['note']}", ""))
    if r.get("unfinished"):  # live in a preview; what a manager closed over, in a closed report
        kept = r["status"] in ("closed", "reopened")
        lines.append(("t", f"{'closed over' if kept else 'unfinished'}: {r['unfinished']['words']}", ""))
    if r.get("early"):
        lines.append(("t", "closed before the closing hour", ""))
    if r.get("closed_at"):
        lines.append(("t", f"closed {r['closed_at'][:16].replace('T', ' ')} by {r['closed_by']}", ""))
    if r.get("reopened_at"):
        lines.append(("t", f"re-opened {r['reopened_at'][:16].replace('T', ' ')} by {r['reopened_by']}: "
                      f"{r['reopen_reason']}", ""))
    width = max((len(label) for kind, label, _ in lines if kind == "l"), default=10) + 2
    fancy = styled()
    if fancy:
        from rich.console import Console
        from rich.markup import escape

        console = Console()
    for i, (kind, label, value) in enumerate(lines):
        text = f"  {label.ljust(width)}{value.rjust(12)}" if kind == "l" else label
        if fancy:
            console.print(f"[bold]{escape(text)}[/bold]" if kind == "h" or i == 0 else escape(text), highlight=False)
        else:
            sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _drawer(r: dict[str, Any], h: Any, line: Any, m: Any) -> None:
    """The cash drawer: its parts, the expected cash, the count and the variance."""
    from salon_cli.core.money import format_amount

    h("Cash drawer")
    for label, key, sign in (("float", "cash_float_cents", 1), ("+ cash received", "cash_sales_cents", 1),
                             ("- cash refunds", "cash_refunds_cents", -1), ("+ cash in", "cash_in_cents", 1),
                             ("- cash out", "cash_out_cents", -1), ("- cash expenses", "cash_expenses_cents", -1)):
        line(label, m(sign * r[key] if r[key] else 0))
    line("= expected", m(r["expected_cash_cents"]))
    if r["counted_cash_cents"] is not None:
        line("counted", m(r["counted_cash_cents"]))
        v = r["variance_cents"]
        line("variance", m(v) + ("" if not v else " over" if v > 0 else " short"))
    if r.get("count"):
        line("by denominations", ", ".join(f"{format_amount(c['denomination_cents'], r['currency'])}x{c['count']}"
                                           for c in r["count"]))


def _counts(r: dict[str, Any], h: Any, line: Any, lines: list[tuple[str, str, str]], m: Any) -> None:
    """Every committed count of the close, oldest first; the last is the one the close uses."""
    made = r.get("counts") or []
    if r.get("blind"):
        h("Cash drawer")
        lines.append(("t", "  blind count: counted first, then shown", ""))
        return
    if not made:
        return
    h(f"Counts ({len(made)})")
    for n, c in enumerate(made, 1):
        line(f"#{n} {c['at'][11:16]} {c['by']}" + (" *" if c["after_expected_shown"] else ""),
             m(c["counted_cash_cents"]))
    if any(c["after_expected_shown"] for c in made):
        lines.append(("t", "  * counted after the expected cash was shown", ""))


def register(root: typer.Typer) -> None:
    root.command("close-day")(close_day)
    root.command("reopen-day")(reopen_day)
