"""A sale's figures from its lines: each line's share of the sale's discount and its taxes, and the
sale's totals (`core.sale_math`). A discount line (a promotion's) is taxed like the item it takes off,
negated; its size counts as the sale's discount and not in the subtotal, as an imported receipt's
negative line does."""

from __future__ import annotations

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.sale_math import Discount, LineIn, price, tax_rates
from salon_cli.db.models import Sale, SaleLine


def reprice(session: Session, sale: Sale) -> None:
    """Write every line's discount share and taxes and the sale's totals (core.sale_math)."""
    every = session.exec(select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(col(SaleLine.position))).all()
    lines, offs = [ln for ln in every if ln.kind != "discount"], [ln for ln in every if ln.kind == "discount"]
    discount = Discount(sale.discount_kind, sale.discount_value) if sale.discount_kind else None
    rates = tax_rates(sale.taxes or [])
    totals = price([LineIn(gross_cents=line.gross_cents, taxable=line.kind not in ("gift_card", "deposit"),
                           discountable=line.kind not in ("gift_card", "fee", "membership", "deposit"))
                    for line in lines], rates, discount)
    # a discount line (a promotion's) is taxed like the item it takes off, negated; its size counts as
    # the sale's discount and not in the subtotal, as an imported receipt's negative line does
    off = price([LineIn(gross_cents=line.quantity * line.unit_price_cents, discountable=False) for line in offs], rates)
    for line, out, sign in [*((ln, o, 1) for ln, o in zip(lines, totals.lines)), *((ln, o, -1) for ln, o in zip(offs, off.lines))]:
        line.gross_cents = sign * out.gross_cents
        line.discount_cents = out.discount_cents if sign > 0 else out.gross_cents
        line.net_cents, line.tax_cents, line.total_cents = sign * out.net_cents, sign * out.tax_cents, sign * out.total_cents
        line.taxes = [{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive,
                       "amount_cents": sign * t.amount_cents} for t in out.taxes]
        session.add(line)
    sale.subtotal_cents, sale.discount_cents, sale.tax_cents, sale.total_cents = (
        totals.subtotal_cents, totals.discount_cents + off.subtotal_cents, totals.tax_cents - off.tax_cents,
        totals.total_cents - off.total_cents)
    sale.updated_at = clock.now()
    session.add(sale)
    session.flush()
