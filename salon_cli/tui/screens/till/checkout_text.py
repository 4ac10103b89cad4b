"""What the checkout screen shows of a sale, as text: the lines table's columns, the totals block, one
line per payment, the discount's label and the change due after cash. Pure functions of a `SaleView`;
the figures are the services'."""

from __future__ import annotations

from salon_cli.core.money import format_amount
from salon_cli.services.till.sale_views import PaymentView, SaleView

# fixed widths: the table fits 80 columns and lays out the same on every render
COLUMNS = (("Line", 34), ("Staff", 8), ("Qty", 4), ("Amount", 10), ("Total", 10))


def totals_text(sale: SaleView, tip_cents: int) -> str:
    """The sale's figures, right-aligned, in the location's currency."""
    money = sale.currency
    rows = [("Subtotal", sale.subtotal_cents), (discount_label(sale), -sale.discount_cents), ("Tax (in prices)" if
            _inclusive(sale) else "Tax", sale.tax_cents), ("Total", sale.total_cents), ("Paid", sale.paid_cents)]
    if sale.tip_cents:
        rows.append(("Tips paid", sale.tip_cents))
    if tip_cents and sale.status == "open":
        rows.append(("Tip (next payment)", tip_cents))
    rows.append(("Balance", sale.balance_cents))
    width = max(len(format_amount(v, money)) for _, v in rows)
    return f"Totals ({money})\n" + "\n".join(f"{name:<19}{format_amount(v, money):>{width}}" for name, v in rows)


def discount_label(sale: SaleView) -> str:
    """'Discount 10%' / 'Discount' (an amount, or none)."""
    if sale.discount_kind == "pct":
        return f"Discount {sale.discount_value / 100:g}%"
    return "Discount"


def _inclusive(sale: SaleView) -> bool:
    return any(t.get("inclusive") for line in sale.lines for t in line.taxes)


def payment_line(p: PaymentView, money: str) -> str:
    """'cash 700.00 + tip 50.00 (handed 1000.00, change 250.00)' / 'stripe 300.00 failed: declined'."""
    text = f"{p.method.replace('_', ' ')} {format_amount(p.amount_cents, money)}"
    if p.tip_cents:
        text += f" + tip {format_amount(p.tip_cents, money)}"
    if p.tendered_cents is not None:
        text += f" (handed {format_amount(p.tendered_cents, money)}, change {format_amount(p.change_cents, money)})"
    if p.status != "succeeded":
        text += f" {p.status}" + (f": {p.failure_reason}" if p.failure_reason else "")
    return text


def last_change(sale: SaleView) -> int | None:
    """The change due on the newest payment, when it was cash handed over."""
    done = [p for p in sale.payments if p.status == "succeeded"]
    if done and done[-1].method == "cash" and done[-1].tendered_cents is not None:
        return done[-1].change_cents
    return None
