"""What the checkout screen shows of a sale, as text: the lines table's columns, the totals block, one
line per payment (a deposit said so), the discount's label, the change due after cash, and what the
client brings (`offers_text`, with the key that applies each). Pure functions of a `SaleView` and the
services' `Offers`; the figures are the services'."""

from __future__ import annotations

from rich.text import Text

from salon_cli.core.money import format_amount
from salon_cli.services.checkout.client_offers import Offers
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
    if tip_cents and sale.status in ("open", "draft"):
        rows.append(("Tip (next payment)", tip_cents))
    rows.append(("Balance", sale.balance_cents))
    width = max(len(format_amount(v, money)) for _, v in rows)
    return f"Totals ({money})\n" + "\n".join(f"{name:<19}{format_amount(v, money):>{width}}" for name, v in rows)


def discount_label(sale: SaleView) -> str:
    """'Discount 10%' / 'Discount' (an amount, or none) / 'Discount 10%+promo' / 'Discount + promo' (a
    promotion's lines are part of the sale's discount)."""
    promo = any(line.kind == "discount" for line in sale.lines)
    if sale.discount_kind == "pct":
        return f"Discount {sale.discount_value / 100:g}%" + ("+promo" if promo else "")
    return "Discount + promo" if promo and sale.discount_kind else "Promotions" if promo else "Discount"


def _inclusive(sale: SaleView) -> bool:
    return any(t.get("inclusive") for line in sale.lines for t in line.taxes)


def payment_line(p: PaymentView, money: str) -> str:
    """'cash 700.00 + tip 50.00 (handed 1000.00, change 250.00)' / 'stripe 300.00 failed: declined' /
    'deposit · cash 200.00'."""
    text = ("deposit · " if p.purpose == "deposit" else "") + \
        f"{p.method.replace('_', ' ')} {format_amount(p.amount_cents, money)}"
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


def offers_text(offers: Offers | None, client: str, money: str, *, choose: bool = False) -> Text:
    """What the client brings, a few short lines, each thing with the key that applies it (`choose`: the
    client may still be chosen, with C)."""
    out = Text()
    if offers is None:
        out.append("No client" if not client else client, style="bold")
        out.append(": nothing of a client's to apply (points, credits, codes)"
                   + (" · C chooses the client" if choose else ""), style="dim")
        return out
    out.append(client or f"client {offers.client_id}", style="bold")
    head = []
    if offers.deposit_cents:
        head.append(f"deposit {format_amount(offers.deposit_cents, money)} paid")
    m = offers.membership
    if m is not None:
        if m.status == "paused":
            head.append(f"{m.plan_name} (paused: no discount or credits)")
        else:
            head.append(f"{m.plan_name} {m.discount_bp / 100:g}% off, "
                        f"{m.credits_remaining} credit{'s' if m.credits_remaining != 1 else ''} (c)")
    if offers.points or offers.rewards:
        head.append(f"{offers.points:,} points")
    if offers.stamp is not None:
        stamp = offers.stamp
        head.append(f"stamped today: {stamp.stamps} of {stamp.target}" if stamp.given_today and stamp.stamps else
                    f"stamp {stamp.next} of {stamp.target} (k)")
    if head:
        out.append(": " + " · ".join(head))
    due: list[tuple[str, str]] = []
    if len(offers.penalties) == 1:
        p = offers.penalties[0]
        due.append((f"{'no-show' if p.kind == 'no_show' else 'late-cancel'} fee "
                    f"{format_amount(p.amount_cents, money)} open (f)", "bold yellow"))
    elif offers.penalties:
        due.append((f"{len(offers.penalties)} open penalties, "
                    f"{format_amount(sum(p.amount_cents for p in offers.penalties), money)} (f)", "bold yellow"))
    if len(offers.gift_cards) == 1:
        card = offers.gift_cards[0]
        due.append((f"gift card {card.code} {format_amount(card.balance_cents, money)} (g)", ""))
    elif offers.gift_cards:
        due.append((f"{len(offers.gift_cards)} gift cards, "
                    f"{format_amount(sum(c.balance_cents for c in offers.gift_cards), money)} (g)", ""))
    for i, (text, style) in enumerate(due):
        out.append("\n" if i == 0 else " · ")
        out.append(text, style=style)
    usable = [p for p in offers.promos if p.why_not is None]
    if offers.promos:
        out.append("\n" + (f"promo code {usable[0].code}: {usable[0].text} (o)" if len(usable) == 1 else
                           f"{len(offers.promos)} promo codes, {len(usable)} usable here (o)"))
    rewards = [c for c in offers.codes if c.pays_cents] + [r for r in offers.rewards if r.pays_cents]
    if offers.codes or offers.rewards:
        best = max(rewards, key=lambda c: c.pays_cents) if rewards else None
        parts = [f"{len(offers.codes)} code{'s' if len(offers.codes) != 1 else ''}"] if offers.codes else []
        if offers.rewards:
            parts.append(f"{len(offers.rewards)} reward{'s' if len(offers.rewards) != 1 else ''} for points")
        line = ", ".join(parts)
        line += f" (r): {best.reward} pays {format_amount(best.pays_cents, money)}" if best else \
            " (r): none pays on this ticket"
        out.append("\n" + line)
    return out
