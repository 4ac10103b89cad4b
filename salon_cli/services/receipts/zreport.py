"""The Z-report (`services.closing.day_close.show`'s dict) as a receipt: text in 42 columns, on the
receipt printer, and as PDF, in the location's language. The same sections as the close's screen:
sales, money received and given back, expenses, the drawer (nothing of it while the count is blind),
the counts, staff, the day.

`print_report(session, location, report)` prints it on the location's printer: the session only
reads the printer from the policy; with `actor` given the print is audited (`day.report_printed`) in
that session, for the caller to commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from salon_cli.i18n import NC_
from salon_cli.services.receipts import escpos_out, pdf as pdf_out
from salon_cli.services.receipts.text import Row, Sheet, plain
from salon_cli.services.receipts.words import Speaker, language as pick_language
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

# the printed rows' words by key, in English (the msgids); their Spanish is in the catalog
LABELS: dict[str, str] = {
    "title": NC_("receipt", "Z-report"), "revision": NC_("receipt", "revision"), "sales": NC_("receipt", "Sales"), "gross": NC_("receipt", "Gross"),
    "discounts": NC_("receipt", "Discounts"), "tax": NC_("receipt", "Tax"), "total": NC_("receipt", "Total"), "refunds": NC_("receipt", "Refunds"), "net": NC_("receipt", "Net"),
    "revenue": NC_("receipt", "Revenue (before tax, tips)"), "tips": NC_("receipt", "Tips"), "penalties": NC_("receipt", "Penalties collected"),
    "received": NC_("receipt", "Money received"), "given_back": NC_("receipt", "Refunds given"), "expenses": NC_("receipt", "Expenses"),
    "drawer": NC_("receipt", "Cash drawer"), "float": NC_("receipt", "Float"), "cash_sales": NC_("receipt", "+ cash received"),
    "cash_refunds": NC_("receipt", "- cash refunds"), "cash_in": NC_("receipt", "+ cash in"), "cash_out": NC_("receipt", "- cash out"),
    "cash_expenses": NC_("receipt", "- cash expenses"), "expected": NC_("receipt", "= expected"), "after_count": NC_("receipt", "(after the count)"),
    "counted": NC_("receipt", "Counted"), "variance": NC_("receipt", "Variance"), "over": NC_("receipt", "over"), "short": NC_("receipt", "short"),
    "blind": NC_("receipt", "blind count: counted first, then shown"), "counts": NC_("receipt", "Counts"), "staff": NC_("receipt", "Staff"),
    "services": NC_("receipt", "services"), "commission": NC_("receipt", "commission"), "day": NC_("receipt", "The day"), "no_shows": NC_("receipt", "No-shows"),
    "points": NC_("receipt", "Points issued / redeemed"), "open_sales": NC_("receipt", "Open sales (not counted)"),
    "pending": NC_("receipt", "Payments still pending"), "note": NC_("receipt", "Note"), "closed_by": NC_("receipt", "Closed {at} by {who}"),
    "reopened_by": NC_("receipt", "Re-opened {at} by {who}: {why}"), "none": NC_("receipt", "(none)"),
    "unfinished": NC_("receipt", "Unfinished: {a} visits, {s} open sales, {p} penalties; approved by {who}"),
    "early": NC_("receipt", "Closed before the closing hour"),
}
STATUS: dict[str, str] = {"open": NC_("receipt", "open"), "closed": NC_("receipt", "closed"), "reopened": NC_("receipt", "re-opened")}


def _local(value: Any, tz: ZoneInfo) -> str:
    """An instant of the report (ISO text or datetime) as YYYY-MM-DD HH:MM on the location's clock."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at.tzinfo else at.strftime("%Y-%m-%d %H:%M")


def rows(report: dict[str, Any], lang: str, *, name: str | None = None) -> list[Row]:
    """The report as rows of at most 42 characters (`name`: the location's, else its code)."""
    r = report
    tz = ZoneInfo(r.get("timezone") or "UTC")
    say = Speaker(lang, r["currency"], tz)
    w = {key: say.gettext(msgid) for key, msgid in LABELS.items()}

    def m(cents: int | None) -> str:
        return say.money(cents or 0)

    sheet = Sheet()
    sheet.center(name or r["location"], "title")
    sheet.center(f"{w['title']} · {say.day(date.fromisoformat(r['business_date']))}")
    status = STATUS.get(str(r.get("status")))
    state = say.gettext(status) if status else str(r.get("status"))
    sheet.center(state + (f", {w['revision']} {r['revision']}" if r.get("revision") else ""))
    sheet.rule(heavy=True)
    sheet.add(f"{w['sales']} ({r.get('sales_count') or 0})", "bold")
    for label, key, sign in (("gross", "gross_cents", 1), ("discounts", "discount_cents", -1), ("tax", "tax_cents", 1),
                             ("total", "total_cents", 1), ("refunds", "refund_cents", -1), ("net", "net_cents", 1),
                             ("revenue", "revenue_cents", 1), ("tips", "tip_cents", 1),
                             ("penalties", "penalties_cents", 1)):
        sheet.pair(f"  {w[label]}", m(sign * (r.get(key) or 0)))
    sheet.add(w["received"], "bold")
    for method, cents in (r.get("by_method") or {}).items() or [(None, 0)]:
        sheet.pair(f"  {say.method(method) if method else w['none']}", m(cents))
    if r.get("refunds_by_method"):
        sheet.add(w["given_back"], "bold")
        for method, cents in r["refunds_by_method"].items():
            sheet.pair(f"  {say.method(method)}", m(-cents))
    sheet.pair(w["expenses"], m(r.get("expenses_cents")), "bold")
    for category, cents in (r.get("expenses_by_category") or {}).items():
        sheet.pair(f"  {category}", m(cents))
    sheet.rule()
    sheet.add(w["drawer"], "bold")
    if r.get("blind"):
        sheet.add(f"  {w['blind']}")
    else:
        for label, key, sign in (("float", "cash_float_cents", 1), ("cash_sales", "cash_sales_cents", 1),
                                 ("cash_refunds", "cash_refunds_cents", -1), ("cash_in", "cash_in_cents", 1),
                                 ("cash_out", "cash_out_cents", -1), ("cash_expenses", "cash_expenses_cents", -1)):
            sheet.pair(f"  {w[label]}", m(sign * (r.get(key) or 0)))
        expected = r.get("expected_cash_cents")
        sheet.pair(f"  {w['expected']}", m(expected) if expected is not None else w["after_count"], "bold")
        if r.get("counted_cash_cents") is not None:
            sheet.pair(f"  {w['counted']}", m(r["counted_cash_cents"]))
            v = r.get("variance_cents") or 0
            sheet.pair(f"  {w['variance']}", m(v) + ("" if not v else f" {w['over'] if v > 0 else w['short']}"))
        for n, c in enumerate(r.get("counts") or [], 1):
            sheet.pair(f"  {w['counts']} #{n} {_local(c['at'], tz)[11:]} {c.get('by') or ''}", m(c["counted_cash_cents"]))
    if r.get("staff"):
        sheet.rule()
        sheet.add(w["staff"], "bold")
        for s in r["staff"]:
            sheet.pair(f"  {s['name']} ({s['services']} {w['services']})", m(s["revenue_cents"]))
            sheet.pair(f"    {w['tips']} {m(s['tips_cents'])}", f"{w['commission']} {m(s['commission_cents'])}")
    sheet.rule()
    sheet.add(w["day"], "bold")
    sheet.pair(f"  {w['no_shows']}", str(r.get("no_shows") or 0))
    sheet.pair(f"  {w['points']}", f"{r.get('points_issued') or 0} / {r.get('points_redeemed') or 0}")
    if r.get("open_sales"):
        sheet.pair(f"  {w['open_sales']}", str(r["open_sales"]))
    if r.get("pending_payments"):
        sheet.pair(f"  {w['pending']}", str(r["pending_payments"]))
    if r.get("note"):
        sheet.add(f"{w['note']}: {r['note']}")
    left = r.get("unfinished")
    if left and r.get("status") != "preview":  # what a manager closed over (guarded close)
        sheet.add(w["unfinished"].format(a=len(left.get("appointments") or []), s=len(left.get("sales") or []),
                                         p=len(left.get("penalties") or []), who=left.get("approved_by") or ""))
    if r.get("early"):
        sheet.add(w["early"])
    if r.get("closed_at"):
        sheet.add(w["closed_by"].format(at=_local(r["closed_at"], tz), who=r.get("closed_by") or ""))
    if r.get("reopened_at"):
        sheet.add(w["reopened_by"].format(at=_local(r["reopened_at"], tz), who=r.get("reopened_by") or "",
                                          why=r.get("reopen_reason") or ""))
    sheet.rule(heavy=True)
    return sheet.rows


def text(report: dict[str, Any], lang: str) -> str:
    """The Z-report as plain text, 42 columns wide."""
    return plain(rows(report, lang))


def pdf(report: dict[str, Any], location: LocationView, lang: str) -> bytes:
    """The Z-report as a PDF 80 mm wide."""
    return pdf_out.document(rows(report, lang, name=location.name),
                            title=f"z-report-{report['location']}-{report['business_date']}")


def to_printer(printer: Any, report: dict[str, Any], lang: str = "es", *, name: str | None = None) -> None:
    """Draw the Z-report on a python-escpos printer object (a Dummy in tests), then cut."""
    escpos_out.render(printer, rows(report, lang, name=name))


def print_report(session: Session, location: LocationView, report: dict[str, Any], *, actor: Actor | None = None,
                 lang: str | None = None, protected: Sequence[Path] = ()) -> int:
    """Print the Z-report on the location's printer (exit 1 with none set, exit 5 when it cannot be
    reached); audited in `session` when `actor` is given. Returns the bytes sent."""
    policy = policy_row(session, location)
    spec = escpos_out.printer_of(policy.receipt_printer)
    payload = escpos_out.to_bytes(rows(report, pick_language(policy.message_language, lang), name=location.name))
    escpos_out.send(spec, payload, protected=protected)
    if actor is not None:
        escpos_out.record_printed(session, actor=actor, location=location, entity="day_close", entity_id=None, printer=str(spec),
                       size=len(payload), action="day.report_printed", business_date=report["business_date"],
                       revision=report.get("revision"))
    return len(payload)
