"""A receipt laid out in 42 columns (80 mm paper, font A): the text shown on screen and saved as .txt,
and the rows the printer and the PDF set with their styles (`Row.style`), so all three say the same.

Styles: `title` (the salon's name: centred, bold, tall), `center`, `bold` (the total), `rule` (a line of
`=` or `-`), and plain.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from salon_cli.services.receipts.content import Receipt
from salon_cli.services.receipts.words import Speaker

WIDTH = 42
HEAVY_RULE = "=" * WIDTH
LIGHT_RULE = "-" * WIDTH


@dataclass(frozen=True)
class Row:
    text: str
    style: str = ""  # "" | title | center | bold | rule


class Sheet:
    """Rows being laid out, each at most WIDTH characters."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(self, text: str, style: str = "") -> None:
        for part in textwrap.wrap(text, WIDTH, subsequent_indent="  " if not style else "") or [""]:
            self.rows.append(Row(part, style))

    def center(self, text: str, style: str = "center") -> None:
        for part in textwrap.wrap(text, WIDTH) or [""]:
            self.rows.append(Row(part, style))

    def rule(self, heavy: bool = False) -> None:
        self.rows.append(Row(HEAVY_RULE if heavy else LIGHT_RULE, "rule"))

    def pair(self, left: str, right: str, style: str = "") -> None:
        """`left` then `right` flush right on the same line; a long `left` wraps above it."""
        room = WIDTH - len(right) - 1
        parts = textwrap.wrap(left, max(room, 10)) or [""]
        for part in parts[:-1]:
            self.rows.append(Row(part, style))
        last = parts[-1]
        if len(last) > room:
            self.rows.append(Row(last, style))
            last = ""
        self.rows.append(Row(last + " " * (WIDTH - len(last) - len(right)) + right, style))


def speaker(receipt: Receipt) -> Speaker:
    return Speaker(receipt.language, receipt.currency, ZoneInfo(receipt.timezone))


def _header(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    sheet.center(r.location_name, "title")
    if r.address:
        sheet.center(r.address)
    if r.phone:
        sheet.center(f"{say['phone']} {r.phone}")
    if r.tax_id:
        sheet.center(f"{say['tax_id']}: {r.tax_id}")
    sheet.rule(heavy=True)


def _who(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    if r.cashier:
        sheet.add(f"{say['cashier']}: {r.cashier}")
    if r.client:
        sheet.add(f"{say['client']}: {r.client}")


def _lines(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    for line in r.lines:
        sheet.pair(line.description, say.money(line.amount_cents))
        detail = [f"{line.quantity} x {say.money(line.unit_price_cents)}"] if line.quantity != 1 else []
        if line.staff:
            detail.append(line.staff)
        if line.gift_card:
            detail.append(f"{say['card_sold']} {line.gift_card}")
        if detail:
            sheet.add("  " + " · ".join(detail))


def _totals(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    sheet.pair(say["subtotal"], say.money(r.subtotal_cents))
    if r.discount_cents:
        pct = f" ({say.percent(r.discount_value)})" if r.discount_kind == "pct" else ""
        sheet.pair(f"{say['discount']}{pct}", say.money(-r.discount_cents))
    for tax in r.taxes:
        included = f" ({say['included']})" if tax.inclusive else ""
        sheet.pair(f"{tax.name} {say.percent(tax.rate_bp)}{included}", say.money(tax.amount_cents))
    sheet.pair(say["total"].upper(), say.money(r.total_cents), "bold")
    if r.tip_cents:
        sheet.pair(say["tip"], say.money(r.tip_cents))
        sheet.pair(say["total_tip"], say.money(r.total_cents + r.tip_cents))


def _tenders(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    if not r.tenders:
        return
    sheet.rule()
    for t in r.tenders:
        name = say.method(t.method) + (f" {t.gift_card}" if t.gift_card else "")
        if t.purpose == "deposit":
            name = f"{say['deposit']} ({name})"
        sheet.pair(name, say.money(t.amount_cents + t.tip_cents))
        if t.tip_cents:
            sheet.add(f"  {say['tip']} {say.money(t.tip_cents)}")
        if t.tendered_cents is not None:
            sheet.add(f"  {say['tendered']} {say.money(t.tendered_cents)} · {say['change']} {say.money(t.change_cents)}")
    sheet.pair(say["paid"], say.money(r.paid_cents))


def _refund_rows(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    for f in r.refunds:
        pending = f" ({say['pending']})" if f.status == "pending" else ""
        sheet.pair(f"#{f.id} {say.method(f.method)}{pending}", say.money(-f.amount_cents))
        if f.reason:
            sheet.add(f"  {say['reason']}: {f.reason}")


def _loyalty(sheet: Sheet, r: Receipt, say: Speaker) -> None:
    if r.points is None and not r.gift_cards:
        return
    sheet.rule()
    if r.points is not None:
        sheet.pair(say["points_voided"] if r.kind == "refund" else say["points_earned"], str(r.points))
        sheet.pair(say["points_balance"], str(r.points_balance or 0))
    for card in r.gift_cards:
        sheet.pair(f"{say['card_sold']} {card.code} · {say['card_balance']}", say.money(card.balance_cents))


def rows(r: Receipt) -> list[Row]:
    """The receipt as rows of at most 42 characters, with their styles."""
    say = speaker(r)
    sheet = Sheet()
    _header(sheet, r, say)
    when = f"{say.day(r.business_date)} {say.time(r.at)}"
    if r.kind == "refund":
        sheet.pair(f"{say['refund_of']} #{r.refund_id}", when, "bold")
        sheet.add(f"{say['of_sale']} #{r.sale_id}".capitalize())
        _who(sheet, r, say)
        sheet.rule()
        sheet.pair(f"{say['sale']} #{r.sale_id} · {say['total']}", say.money(r.total_cents))
        _refund_rows(sheet, r, say)
        sheet.pair(say["refunded"].upper(), say.money(-r.refunded_cents), "bold")
    else:
        if r.kind == "void":
            sheet.center(f"*** {say['void']} ***", "title")
        sheet.pair(f"{say['sale']} #{r.sale_id}", when, "bold")
        _who(sheet, r, say)
        sheet.rule()
        _lines(sheet, r, say)
        sheet.rule()
        _totals(sheet, r, say)
        _tenders(sheet, r, say)
        if r.refunds:
            sheet.rule()
            sheet.add(say["refunds"], "bold")
            _refund_rows(sheet, r, say)
            sheet.pair(say["refunded"], say.money(-r.refunded_cents))
        if r.void_reason:
            sheet.rule()
            sheet.add(f"{say['void_reason']}: {r.void_reason}")
    _loyalty(sheet, r, say)
    sheet.rule(heavy=True)
    sheet.center(say["thanks"])
    return sheet.rows


def plain(rows_: list[Row]) -> str:
    """Rows as text: centred rows centred in the 42 columns, each line ending in a newline."""
    return "".join((row.text.center(WIDTH).rstrip() if row.style in ("title", "center") else row.text.rstrip()) + "\n"
                   for row in rows_)


def text(r: Receipt) -> str:
    """The receipt as plain text, 42 columns wide."""
    return plain(rows(r))


def is_receipt(head: str) -> bool:
    """A file that is a text receipt (or Z-report) written before: every line within 42 columns and
    a heavy rule among them. `salon sale receipt --text FILE` replaces such a file without --force."""
    lines = head.splitlines()
    return bool(lines) and HEAVY_RULE in lines and all(len(line) <= WIDTH for line in lines)
