"""Writing a sales file's new sales: sales, lines, payments, (from our own export) refunds and audit
rows as batched inserts, no ORM object per row, in the caller's transaction.

A sale's figures are its lines' (`sale_import_receipts.price`): `subtotal_cents` the positive lines'
gross, `discount_cents` their discounts and the negative lines' size (`discount_kind` amount),
`tax_cents` and `total_cents` the sums. An open sale (from our export) takes the policy's taxes, so a
line added at the desk reprices it like any other; an imported one keeps the taxes its lines carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.recurrence import resolve
from salon_cli.db.bulk import insert_many, insert_with_ids
from salon_cli.db.models import Payment, Refund, Sale, SaleLine
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.sale_import_receipts import Receipt, unit_price

_AUDITED = ("external_id", "business_date", "status", "client_id", "appointment_id", "subtotal_cents", "discount_cents",
            "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents")


def write(session: Session, actor: Actor, location: LocationView, receipts: Sequence[Receipt],
          policy_taxes: list[dict[str, Any]], keep_ids: bool = False) -> dict[str, int]:
    """The sales of `receipts` (none of them a return); their ids by receipt key."""
    if not receipts:
        return {}
    sales = [_sale(r, actor, location, policy_taxes, keep_ids) for r in receipts]
    sale_ids = insert_with_ids(session, Sale, sales, [(r.first.figures or {})["sale_id"] for r in receipts]
                               if keep_ids else None)
    now = clock.now()
    lines, payments = [], []
    for sale_id, r, sale in zip(sale_ids, receipts, sales, strict=True):
        lines += [_line(sale_id, position, row, sale) for position, row in enumerate(r.rows)]
        paid_at = sale["paid_at"] or sale["created_at"]
        payments += [{"sale_id": sale_id, "location_id": location.id, "method": method, "status": "succeeded",
                      "purpose": "sale", "amount_cents": amount, "tip_cents": tip, "tendered_cents": None,
                      "change_cents": 0, "business_date": r.first.day, "gift_card_id": None,
                      "reference": f"receipt {r.receipt}"[:120], "created_at": paid_at, "created_by_id": actor.id,
                      "succeeded_at": paid_at, "updated_at": now}
                     for method, amount, tip, _ in r.tenders if amount > 0]
    insert_many(session, SaleLine, lines)
    payment_ids = insert_with_ids(session, Payment, payments) if payments else []
    _exported_refunds(session, actor, location, sale_ids, sales, payment_ids, payments, now)
    audit.record_many(session, actor=actor, location_id=location.id, rows=(
        ("sale.import", "sale", sale_id, None,
         {k: sale[k] for k in _AUDITED} | {"lines": len(r.rows), "import_row": r.first.number})
        for sale_id, sale, r in zip(sale_ids, sales, receipts, strict=True)))
    return {r.key: sale_id for r, sale_id in zip(receipts, sale_ids, strict=True)}


def _sale(r: Receipt, actor: Actor, location: LocationView, policy_taxes: list[dict[str, Any]],
          keep_ids: bool) -> dict[str, Any]:
    first, fig = r.first, r.first.figures or {}
    at = next((row.at for row in r.rows if row.at), None) or resolve(datetime.combine(first.day, time(0)), location.tz).at
    taxes = {t.name: {"name": t.name, "rate_bp": t.rate_bp or 0, "inclusive": t.inclusive}
             for row in r.rows for t, _ in row.taxes}
    total = r.total
    status = fig.get("status", "paid")
    subtotal = fig["subtotal_cents"] if fig else sum(row.gross for row in r.rows if row.gross > 0)
    discount = fig["discount_cents"] if fig else sum(row.line_discount for row in r.rows)
    return {
        "location_id": location.id, "client_id": next((x.client_id for x in r.rows if x.client_id), None),
        "appointment_id": fig.get("appointment_id") if keep_ids else None, "status": status,
        "business_date": first.day, "discount_kind": "amount" if discount else None, "discount_value": discount,
        "taxes": policy_taxes if status == "open" else list(taxes.values()), "subtotal_cents": subtotal,
        "discount_cents": discount, "tax_cents": sum(row.tax for row in r.rows), "total_cents": total,
        "tip_cents": sum(t[2] for t in r.tenders), "paid_cents": fig.get("paid_cents", total),
        "refunded_cents": fig.get("refunded_cents", 0),
        "external_id": fig.get("external_id") if keep_ids else r.key, "source": r.source, "note": None,
        "created_at": fig.get("created_at") or at, "created_by_id": actor.id,
        "paid_at": (fig.get("paid_at") or at) if status not in ("open", "void") else None,
        "voided_at": at if status == "void" else None, "voided_by_id": None,
        "void_reason": "imported void" if status == "void" else None, "updated_at": clock.now()}


def _line(sale_id: int, position: int, row: Any, sale: dict[str, Any]) -> dict[str, Any]:
    # a row of our export is one line holding the whole sale, its discount with it
    discount = sale["discount_cents"] if row.figures is not None else row.line_discount
    net = row.net if row.figures is None else row.gross - discount - sum(c for t, c in row.taxes if t.inclusive)
    return {"sale_id": sale_id, "position": position, "kind": row.kind, "description": row.description,
            "quantity": row.quantity, "unit_price_cents": unit_price(row), "gross_cents": row.gross,
            "discount_cents": discount, "net_cents": net, "tax_cents": row.tax, "total_cents": row.total,
            "taxes": [{"name": t.name, "rate_bp": t.rate_bp or 0, "inclusive": t.inclusive, "amount_cents": c}
                      for t, c in row.taxes],
            "service_id": row.item_id if row.item_kind == "service" else None,
            "product_id": row.item_id if row.item_kind == "product" else None,
            "staff_id": row.staff.id if row.staff else None, "penalty_id": None, "gift_card_id": None}


def _exported_refunds(session: Session, actor: Actor, location: LocationView, sale_ids: list[int],
                      sales: list[dict[str, Any]], payment_ids: list[int], payments: list[dict[str, Any]],
                      now: datetime) -> None:
    """Our export's `refunded_cents`, given back against the sale's payments in order, each up to its amount."""
    if not any(sale["refunded_cents"] for sale in sales):
        return
    by_sale: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for pid, p in zip(payment_ids, payments, strict=True):
        by_sale.setdefault(p["sale_id"], []).append((pid, p))
    refunds = []
    for sale_id, sale in zip(sale_ids, sales, strict=True):
        left = sale["refunded_cents"]
        for payment_id, payment in by_sale.get(sale_id, []) if left else []:
            amount = min(left, payment["amount_cents"])
            left -= amount
            if amount:
                refunds.append({"sale_id": sale_id, "payment_id": payment_id, "location_id": location.id,
                                "method": payment["method"], "status": "succeeded", "amount_cents": amount,
                                "reason": "imported", "business_date": sale["business_date"],
                                "created_at": payment["created_at"], "created_by_id": actor.id,
                                "succeeded_at": payment["created_at"], "updated_at": now})
    if refunds:
        session.execute(sa.insert(Refund.__table__), refunds)  # type: ignore[attr-defined]
