"""How `salon checkout` and `salon sale ...` print: a sale as a receipt on a table (SPEC.md's sale
record otherwise), the columns of sales, payments, refunds and gift cards, and a card the reader
did not take. Output only. Imports inside functions keep `salon --help` light
(DESIGN.md, lazy imports).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from salon_cli.cli.output import Format, emit
from salon_cli.core.errors import RuleViolation

if TYPE_CHECKING:
    from salon_cli.services.salon.locations import LocationView
    from salon_cli.services.till.sale_views import SaleView

SALE_COLUMNS = ["id", "status", "client_id", "client", "appointment_id", "business_date", "subtotal_cents",
                "discount_cents", "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents",
                "balance_cents", "currency"]
LIST_COLUMNS = ["id", "business_date", "status", "client", "appointment_id", "total_cents", "tip_cents",
                "paid_cents", "refunded_cents", "balance_cents"]
PAYMENT_COLUMNS = ["id", "sale_id", "method", "status", "amount_cents", "tip_cents", "tendered_cents",
                   "change_cents", "gift_card", "stripe_payment_intent_id", "failure_reason", "created_at"]
REFUND_COLUMNS = ["id", "sale_id", "payment_id", "method", "status", "amount_cents", "reason", "stripe_refund_id",
                  "failure_reason"]
GIFT_CARD_COLUMNS = ["id", "code", "status", "client_id", "initial_cents", "balance_cents", "sale_id",
                     "activated_at"]


def _sale_record(sale: SaleView, **extra: Any) -> dict[str, Any]:
    return {**asdict(sale), **extra}


def show_sale(loc: LocationView, sale: SaleView, fmt: Format, *, change_cents: int | None = None) -> None:
    """A sale: a receipt on a table, SPEC.md's sale record otherwise."""
    if fmt is Format.table:
        receipt(sale, change_cents=change_cents)
        return
    extra = {} if change_cents is None else {"change_cents": change_cents}
    emit(_sale_record(sale, **extra), fmt, one=True, columns=SALE_COLUMNS if fmt is Format.csv else None,
         tz=loc.tz, currency=loc.currency)


def receipt(sale: SaleView, *, change_cents: int | None = None) -> None:
    """A readable receipt: lines with who did them, discount, each tax, total, payments, change."""
    from salon_cli.core.money import format_amount, format_money, format_percent

    cur = sale.currency

    def amount(cents: int) -> str:
        return format_amount(cents, cur)

    rows: list[tuple[str, str]] = []
    out: list[str] = []
    head = [f"Sale {sale.id}", sale.client or "no client"]
    if sale.appointment_id:
        head.append(f"appointment {sale.appointment_id}")
    head += [sale.business_date.isoformat(), sale.status.replace("_", " "), f"({cur})"]
    out.append("  ".join(head))
    if sale.note:
        out.append(f"Note: {sale.note}")
    body = []
    for line in sale.lines:
        what = line.description + (f" ({line.staff})" if line.staff else "")
        qty = f"{line.quantity} x {amount(line.unit_price_cents)}" if line.quantity != 1 else ""
        body.append((f"#{line.id}", what, qty, amount(line.gross_cents)))
    if not body:
        out.append("  (no lines yet: salon sale add ...)")
    width = max([len(b[1]) for b in body] + [24])
    for ref, what, qty, money in body:
        out.append(f"  {ref:<5} {what:<{width}} {qty:>16} {money:>12}")
    rows.append(("Subtotal", amount(sale.subtotal_cents)))
    if sale.discount_cents:
        rows.append(("Discount", amount(-sale.discount_cents)))
    taxes: dict[tuple[str, int, bool], int] = defaultdict(int)
    for line in sale.lines:
        for tax in line.taxes:
            taxes[(tax["name"], tax["rate_bp"], bool(tax["inclusive"]))] += int(tax["amount_cents"])
    for (name, rate, inclusive), cents in taxes.items():
        rows.append((f"{name} {format_percent(rate)}" + (" (included)" if inclusive else ""), amount(cents)))
    rows.append(("Total", amount(sale.total_cents)))
    label = width + 23
    out += [f"  {k:>{label}} {v:>12}" for k, v in rows]
    if sale.payments:
        out.append("Payments")
    for p in sale.payments:
        what = p.method + (f" {p.gift_card}" if p.gift_card else "")
        bits = [f"  {'#' + str(p.id):<5} {what:<{width}} {'':>16} {amount(p.amount_cents):>12}"]
        if p.tip_cents:
            bits.append(f"tip {amount(p.tip_cents)}")
        if p.tendered_cents is not None:
            bits.append(f"handed {amount(p.tendered_cents)}")
        if p.change_cents:
            bits.append(f"change {amount(p.change_cents)}")
        if p.status != "succeeded":
            bits.append(p.status + (f": {p.failure_reason}" if p.failure_reason else ""))
        if p.payment_url and p.status == "pending":
            bits.append(p.payment_url)
        out.append("  ".join(bits))
    for r in sale.refunds:
        state = "" if r.status == "succeeded" else f" ({r.status}{': ' + r.failure_reason if r.failure_reason else ''})"
        what = f"refund of #{r.payment_id} ({r.method})"
        out.append(f"  {'R' + str(r.id):<5} {what:<{width}} {'':>16} {amount(-r.amount_cents):>12}  {r.reason}{state}")
    tail = [("Paid", amount(sale.paid_cents))]
    if sale.tip_cents:
        tail.append(("Tips", amount(sale.tip_cents)))
    if sale.refunded_cents:
        tail.append(("Refunded", amount(sale.refunded_cents)))
    if sale.status == "open":
        tail.append(("Due", amount(sale.balance_cents)))
    out += [f"  {k:>{label}} {v:>12}" for k, v in tail]
    if sale.void_reason:
        out.append(f"VOID: {sale.void_reason}")
    change = sum(p.change_cents for p in sale.payments if p.status == "succeeded") \
        if change_cents is None else change_cents
    if change:
        out.append("")
        out.append(f"Change: {format_money(change, cur)}")
    sys.stdout.write("\n".join(line.rstrip() for line in out) + "\n")
    sys.stdout.flush()


def reader_refused(loc: LocationView, sale: SaleView, reason: str | None) -> None:
    from salon_cli.core.money import format_money

    raise RuleViolation(f"the card payment was not taken: {reason or 'no reason given'}",
                        hint=f"sale {sale.id} stays open with {format_money(sale.balance_cents, loc.currency)} due: "
                             f"salon sale pay {sale.id} --method cash|card|stripe")
