"""The Z-report on the close-day screen: a closed (or previewed) day's report dict from
`services.closing.day_close` as headed lines of figures, then as one Rich Text. The same sections as
`salon report day` prints, the counts of the close among them. The words are the desk's language (`_`),
the figures and days `i18n.formats`' (the figures alone: the report is in the location's currency)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.text import Text

from salon_cli.i18n import N_, _, formats
from salon_cli.tui.screens.closing.close_count import denomination_label

# how the money came in and went out (`till.PAYMENT_METHODS`), and the states of a close
METHOD_WORDS = {"cash": N_("cash"), "card": N_("card"), "stripe": N_("card (Stripe)"), "gift_card": N_("gift card"),
                "credit": N_("membership credit"), "points": N_("points"), "transfer": N_("transfer"),
                "unknown": N_("other")}
LATE_WORDS = {"payment": N_("payment"), "refund": N_("refund")}
STATE_WORDS = {"open": N_("open"), "closed": N_("closed"), "reopened": N_("re-opened"), "preview": N_("preview")}


def _said(table: dict[str, str], code: str) -> str:
    return _(table[code]) if code in table else code


def when(stamp: Any, currency: str) -> str:
    """An instant the report keeps (ISO, in the location's time) as the desk reads it: day and time."""
    try:
        at = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)[:16].replace("T", " ")
    return f"{formats.day(at.date(), currency)} {formats.clock_time(at, currency)}"


def on_day(iso_day: Any, currency: str) -> str:
    """A day the report keeps (ISO) as the desk reads it."""
    try:
        return formats.day(date.fromisoformat(str(iso_day)), currency)
    except ValueError:
        return str(iso_day)


def report_lines(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The Z-report as (kind, label, value): kind `h` a heading, `l` a figure, `t` a line of text.
    The same sections as `salon report day` prints."""
    cur = r["currency"]

    def m(cents: int | None) -> str:
        return "-" if cents is None else formats.amount(cents, cur)

    lines: list[tuple[str, str, str]] = []

    def h(text: str) -> None:
        lines.append(("h", text, ""))

    def line(label: str, value: str) -> None:
        lines.append(("l", label, value))

    def t(text: str) -> None:
        lines.append(("t", text, ""))

    day = date.fromisoformat(r["business_date"])
    state = _said(STATE_WORDS, str(r["status"])) + (
        ", " + _("revision {n}").format(n=r["revision"]) if r.get("revision") else "")
    t(_("Z-report  {location}  {day}  {state}").format(
        location=r["location"], day=formats.day(day, cur, width="full"), state=state))
    h(_("Sales ({n})").format(n=r["sales_count"]))
    for label, key in ((N_("gross"), "gross_cents"), (N_("discounts"), "discount_cents"), (N_("tax"), "tax_cents"),
                       (N_("total"), "total_cents"), (N_("refunds"), "refund_cents"), (N_("net"), "net_cents"),
                       (N_("revenue (before tax, tips)"), "revenue_cents"), (N_("tips"), "tip_cents"),
                       (N_("penalties collected"), "penalties_cents")):
        value = r.get(key) or 0
        line(_(label), m(-value if key in ("discount_cents", "refund_cents") and value else value))
    h(_("Money received"))
    for method, cents in (r.get("by_method") or {}).items() or [(None, 0)]:
        line(_("(none)") if method is None else _said(METHOD_WORDS, method), m(cents))
    if r.get("refunds_by_method"):
        h(_("Refunds given"))
        for method, cents in r["refunds_by_method"].items():
            line(_said(METHOD_WORDS, method), m(-cents))
    h(_("Expenses ({amount})").format(amount=m(r.get("expenses_cents") or 0)))
    for category, cents in (r.get("expenses_by_category") or {}).items():
        line(category, m(cents))
    h(_("Cash drawer"))
    if r.get("blind"):  # not shown on the dashboard before a count; said, should it ever be
        t("  " + _("blind count: counted first, then shown"))
        return lines
    for label, key, sign in ((N_("float"), "cash_float_cents", 1), (N_("+ cash received"), "cash_sales_cents", 1),
                             (N_("- cash refunds"), "cash_refunds_cents", -1), (N_("+ cash in"), "cash_in_cents", 1),
                             (N_("- cash out"), "cash_out_cents", -1),
                             (N_("- cash expenses"), "cash_expenses_cents", -1)):
        line(_(label), m(sign * (r.get(key) or 0)))
    line(_("= expected"), m(r["expected_cash_cents"]) if r.get("expected_cash_cents") is not None
         else _("(after the count)"))
    if r.get("counted_cash_cents") is not None:
        line(_("counted"), m(r["counted_cash_cents"]))
        v = r.get("variance_cents") or 0
        line(_("variance"), m(v) if not v else (_("{amount} over") if v > 0 else _("{amount} short")).format(
            amount=m(abs(v))))
    if r.get("count"):
        t("  " + _("by denominations: {counts}").format(counts=" · ".join(
            f"{denomination_label(c['denomination_cents'], cur)}x{c['count']}" for c in r["count"])))
    made = r.get("counts") or []
    if made:  # every count committed for this close; the last is the one it uses
        h(_("Counts ({n})").format(n=len(made)))
        for n, c in enumerate(made, 1):
            line(f"#{n} {str(c['at'])[11:16]} {c['by']}" + (" *" if c.get("after_expected_shown") else ""),
                 m(c["counted_cash_cents"]))
        if any(c.get("after_expected_shown") for c in made):
            t("  " + _("* counted after the expected cash was shown"))
    if r.get("staff"):
        h(_("Staff (services, revenue, tips, commission)"))
        for s in r["staff"]:
            line(f"{s['code']} {s['name']}", f"{s['services']:>3}  {m(s['revenue_cents']):>10}  "
                 f"{m(s['tips_cents']):>8}  {m(s['commission_cents']):>8}")
    h(_("The day"))
    line(_("no-shows"), str(r.get("no_shows") or 0))
    line(_("points issued / redeemed"), f"{r.get('points_issued') or 0} / {r.get('points_redeemed') or 0}")
    if r.get("open_sales"):
        line(_("open sales (not counted)"), str(r["open_sales"]))
    if r.get("pending_payments"):
        line(_("payments still pending"), str(r["pending_payments"]))
    for item in r.get("late") or []:
        said = (_("landed here: {kind} {id} of sale {sale}, {method} {amount}, asked on {day} (a closed day)")
                if item.get("asked_on_closed") else
                _("landed here: {kind} {id} of sale {sale}, {method} {amount}, asked on {day}"))
        t(said.format(kind=_said(LATE_WORDS, item["kind"]), id=item["id"], sale=item["sale_id"],
                      method=_said(METHOD_WORDS, item["method"]), amount=m(item["amount_cents"]),
                      day=on_day(item["asked_on"], cur)))
    if r.get("note"):
        t(_("note: {note}").format(note=r["note"]))
    if r.get("unfinished"):  # live in a preview; what a manager closed over, in a closed report
        kept = r["status"] in ("closed", "reopened")
        t((_("closed over: {words}") if kept else _("unfinished: {words}")).format(words=r["unfinished"]["words"]))
    if r.get("early"):
        t(_("closed before the closing hour"))
    if r.get("closed_at"):
        t(_("closed {when} by {who}").format(when=when(r["closed_at"], cur), who=r.get("closed_by")))
    if r.get("reopened_at"):
        t(_("re-opened {when} by {who}: {reason}").format(when=when(r["reopened_at"], cur), who=r.get("reopened_by"),
                                                          reason=r.get("reopen_reason")))
    return lines



def report_text(r: dict[str, Any]) -> Text:
    """The Z-report as one Rich Text: headings bold, figures right-aligned in a column."""
    lines = report_lines(r)
    width = max((len(label) for kind, label, _value in lines if kind == "l"), default=10) + 2
    text = Text()
    for i, (kind, label, value) in enumerate(lines):
        if kind == "l":
            text.append(f"  {label.ljust(width)}{value.rjust(12)}")
        else:
            text.append(label, style="bold" if kind == "h" or i == 0 else "")
        text.append("\n")
    text.rstrip()
    return text
