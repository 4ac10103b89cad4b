"""The Z-report on the close-day screen: a closed (or previewed) day's report dict from
`services.closing.day_close` as headed lines of figures, then as one Rich Text. The same sections as
`salon report day` prints, the counts of the close among them."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text

from salon_cli.core.money import format_amount
from salon_cli.tui.screens.closing.close_count import denomination_label


def report_lines(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The Z-report as (kind, label, value): kind `h` a heading, `l` a figure, `t` a line of text.
    The same sections as `salon report day` prints."""
    cur = r["currency"]

    def m(cents: int | None) -> str:
        return "-" if cents is None else format_amount(cents, cur)

    lines: list[tuple[str, str, str]] = []

    def h(text: str) -> None:
        lines.append(("h", text, ""))

    def line(label: str, value: str) -> None:
        lines.append(("l", label, value))

    day = date.fromisoformat(r["business_date"])
    state = str(r["status"]) + (f", revision {r['revision']}" if r.get("revision") else "")
    lines.append(("t", f"Z-report  {r['location']}  {day.isoformat()} ({day:%A})  {state}", ""))
    h(f"Sales ({r['sales_count']})")
    for label, key in (("gross", "gross_cents"), ("discounts", "discount_cents"), ("tax", "tax_cents"),
                       ("total", "total_cents"), ("refunds", "refund_cents"), ("net", "net_cents"),
                       ("revenue (before tax, tips)", "revenue_cents"), ("tips", "tip_cents"),
                       ("penalties collected", "penalties_cents")):
        value = r.get(key) or 0
        line(label, m(-value if key in ("discount_cents", "refund_cents") and value else value))
    h("Money received")
    for method, cents in (r.get("by_method") or {}).items() or [("(none)", 0)]:
        line(method, m(cents))
    if r.get("refunds_by_method"):
        h("Refunds given")
        for method, cents in r["refunds_by_method"].items():
            line(method, m(-cents))
    h(f"Expenses ({m(r.get('expenses_cents') or 0)})")
    for category, cents in (r.get("expenses_by_category") or {}).items():
        line(category, m(cents))
    h("Cash drawer")
    if r.get("blind"):  # not shown on the dashboard before a count; said, should it ever be
        lines.append(("t", "  blind count: counted first, then shown", ""))
        return lines
    for label, key, sign in (("float", "cash_float_cents", 1), ("+ cash received", "cash_sales_cents", 1),
                             ("- cash refunds", "cash_refunds_cents", -1), ("+ cash in", "cash_in_cents", 1),
                             ("- cash out", "cash_out_cents", -1), ("- cash expenses", "cash_expenses_cents", -1)):
        line(label, m(sign * (r.get(key) or 0)))
    line("= expected", m(r["expected_cash_cents"]) if r.get("expected_cash_cents") is not None else "(after the count)")
    if r.get("counted_cash_cents") is not None:
        line("counted", m(r["counted_cash_cents"]))
        v = r.get("variance_cents") or 0
        line("variance", m(v) if not v else f"{m(abs(v))} {'over' if v > 0 else 'short'}")
    if r.get("count"):
        lines.append(("t", "  by denominations: " + ", ".join(
            f"{denomination_label(c['denomination_cents'], cur)}x{c['count']}" for c in r["count"]), ""))
    made = r.get("counts") or []
    if made:  # every count committed for this close; the last is the one it uses
        h(f"Counts ({len(made)})")
        for n, c in enumerate(made, 1):
            line(f"#{n} {str(c['at'])[11:16]} {c['by']}" + (" *" if c.get("after_expected_shown") else ""),
                 m(c["counted_cash_cents"]))
        if any(c.get("after_expected_shown") for c in made):
            lines.append(("t", "  * counted after the expected cash was shown", ""))
    if r.get("staff"):
        h("Staff (services, revenue, tips, commission)")
        for s in r["staff"]:
            line(f"{s['code']} {s['name']}", f"{s['services']:>3}  {m(s['revenue_cents']):>10}  "
                 f"{m(s['tips_cents']):>8}  {m(s['commission_cents']):>8}")
    h("The day")
    line("no-shows", str(r.get("no_shows") or 0))
    line("points issued / redeemed", f"{r.get('points_issued') or 0} / {r.get('points_redeemed') or 0}")
    if r.get("open_sales"):
        line("open sales (not counted)", str(r["open_sales"]))
    if r.get("pending_payments"):
        line("payments still pending", str(r["pending_payments"]))
    for item in r.get("late") or []:
        closed = " (a closed day)" if item.get("asked_on_closed") else ""
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
        lines.append(("t", f"closed {str(r['closed_at'])[:16].replace('T', ' ')} by {r.get('closed_by')}", ""))
    if r.get("reopened_at"):
        lines.append(("t", f"re-opened {str(r['reopened_at'])[:16].replace('T', ' ')} by {r.get('reopened_by')}: "
                      f"{r.get('reopen_reason')}", ""))
    return lines


def report_text(r: dict[str, Any]) -> Text:
    """The Z-report as one Rich Text: headings bold, figures right-aligned in a column."""
    lines = report_lines(r)
    width = max((len(label) for kind, label, _ in lines if kind == "l"), default=10) + 2
    text = Text()
    for i, (kind, label, value) in enumerate(lines):
        if kind == "l":
            text.append(f"  {label.ljust(width)}{value.rjust(12)}")
        else:
            text.append(label, style="bold" if kind == "h" or i == 0 else "")
        text.append("\n")
    text.rstrip()
    return text
