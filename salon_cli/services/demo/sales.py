"""The demo salon's month of sales: every completed visit of the past checked out and paid, as
`salon checkout` would have left it, and every penalty paid at the desk as a sale of its fee.

`demo_sales` is called by `demo.build.build_demo` in its own transaction, after the history and
before the loyalty; `DEMO_TAXES` are the taxes it puts in the policy for them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.core.days import business_date
from salon_cli.core.money import percent_of
from salon_cli.core.sale_math import Discount, LineIn, price, tax_rates
from salon_cli.db.models import Appointment, GiftCard, Payment, Penalty, Refund, Sale, SaleLine
from salon_cli.services.demo.visits import Visit
from salon_cli.services.salon.catalog import ProductView, ServiceView
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.till.penalty_fees import fee_line

# Mexican prices include IVA (16 %): the demo's policy says so, and its sales are priced that way.
DEMO_TAXES = ({"name": "IVA", "rate_bp": 1600, "inclusive": True},)
PRODUCT_RATE = 0.12  # sales that also sell a retail product
DISCOUNT_RATE, DISCOUNT_BP = 0.06, 1000  # a 10 % promotion now and then
GIFT_CARDS = (500_00, 1_000_00, 1_500_00)  # sold in the first days, spent later
# How a sale is paid: (share, method); gift cards when one is usable, split tender: card + cash.
TENDERS = ((0.07, "gift_card"), (0.08, "split"), (0.36, "cash"), (0.36, "card"), (0.13, "stripe"))
REFUND_REASONS = ("la clienta no quedó conforme con el color", "producto cobrado dos veces")
_GC_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass
class _Card:
    code: str
    initial: int
    balance: int
    client_id: int | None
    sale: int  # index of the sale that sold it
    active_from: datetime
    last_used: datetime


def demo_sales(session: Session, *, rng: random.Random, location: LocationView, appointments: Sequence[Appointment],
               visits: Sequence[Visit], services: dict[str, ServiceView], products: Sequence[ProductView],
               taxes: Sequence[dict[str, Any]], desk_id: int | None, manager_id: int | None,
               paid_penalties: Sequence[Penalty] = ()) -> dict[str, int]:
    """One paid sale per completed past visit, one per penalty paid at the desk (its fee as the line), as checkout would have left it (lines with who did
    them, a product now and then, IVA, a promotion, tips; cash with change, the card terminal,
    Stripe, gift cards sold and spent, split tender), and two refunds. Written as batched inserts;
    every figure is `core.sale_math`'s, so totals equal the sums of their parts. Returns counts."""
    rates = tax_rates(taxes)
    done = sorted(((a, v) for a, v in zip(appointments, visits, strict=True) if v.status == "completed"),
                  key=lambda p: (p[1].completed_at, p[0].id))
    sold_cards = set(rng.sample(range(min(len(done), max(len(done) // 4, len(GIFT_CARDS)))),
                                min(len(done), len(GIFT_CARDS))))
    cards: list[_Card] = []
    sales, lines, payments = [], [], []
    for index, (appt, v) in enumerate(done):
        paid_at = v.completed_at or v.ends_at
        items = [("service", services[code].name, 1, services[code].price_cents, services[code].id, None, None)
                 for code in v.services]
        if rng.random() < PRODUCT_RATE:
            product = rng.choice(products)
            items.append(("product", product.name, rng.choice((1, 1, 1, 2)), product.price_cents, None, product.id, None))
        card = None
        if index in sold_cards:
            amount = GIFT_CARDS[len(cards)]
            code = "GC-" + "".join(rng.choice(_GC_ALPHABET) for _ in range(4)) + "-" + \
                "".join(rng.choice(_GC_ALPHABET) for _ in range(4))
            card = _Card(code, amount, amount, appt.client_id, index, paid_at, paid_at)
            cards.append(card)
            items.append(("gift_card", f"Gift card {code}", 1, amount, None, None, len(cards) - 1))
        discount = Discount("pct", DISCOUNT_BP) if rng.random() < DISCOUNT_RATE else None
        totals = price([LineIn(q * unit, taxable=kind != "gift_card", discountable=kind != "gift_card")
                        for kind, _, q, unit, *_ in items], rates, discount)
        for position, ((kind, text, q, unit, service_id, product_id, card_at), out) in enumerate(
                zip(items, totals.lines, strict=True)):
            lines.append({"sale": index, "position": position, "kind": kind, "description": text, "quantity": q,
                          "unit_price_cents": unit, "gross_cents": out.gross_cents,
                          "discount_cents": out.discount_cents, "net_cents": out.net_cents,
                          "tax_cents": out.tax_cents, "total_cents": out.total_cents,
                          "taxes": [{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive,
                                     "amount_cents": t.amount_cents} for t in out.taxes],
                          "service_id": service_id, "product_id": product_id,
                          "staff_id": appt.staff_id, "penalty_id": None, "card": card_at})
        tenders = _tenders(rng, totals.total_cents, paid_at, [c for c in cards if c is not card])
        for method, amount, tip, used in tenders:
            tendered = change = None
            if method == "cash" and rng.random() < 0.5:
                tendered = -(-(amount + tip) // 50_00) * 50_00
                change = tendered - amount - tip
            stripe = method == "stripe"
            payments.append({
                "sale": index, "location_id": location.id, "method": method, "status": "succeeded",
                "purpose": "sale", "amount_cents": amount, "tip_cents": tip, "tendered_cents": tendered,
                "change_cents": change or 0, "business_date": business_date(paid_at, location.tz),
                "card": cards.index(used) if used is not None else None,
                "stripe_payment_intent_id": f"pi_demo{index:05d}{rng.getrandbits(40):010x}" if stripe else None,
                "stripe_charge_id": f"ch_demo{index:05d}{rng.getrandbits(40):010x}" if stripe else None,
                "reader_id": "tmr_demo_desk" if stripe else None, "created_at": paid_at, "created_by_id": desk_id,
                "succeeded_at": paid_at, "updated_at": paid_at})
        sales.append({
            "location_id": location.id, "client_id": appt.client_id, "appointment_id": appt.id, "status": "paid",
            "business_date": business_date(paid_at, location.tz),
            "discount_kind": discount and discount.kind, "discount_value": discount.value if discount else 0,
            "taxes": list(taxes), "subtotal_cents": totals.subtotal_cents, "discount_cents": totals.discount_cents,
            "tax_cents": totals.tax_cents, "total_cents": totals.total_cents,
            "tip_cents": sum(t[2] for t in tenders), "paid_cents": sum(t[1] for t in tenders), "refunded_cents": 0,
            "external_id": None, "note": None, "created_at": paid_at - timedelta(minutes=2), "created_by_id": desk_id,
            "paid_at": paid_at, "updated_at": paid_at})
    for penalty in paid_penalties:  # what `salon penalty mark-paid` records: a sale with the fee as its line
        _fee_sale(penalty, location, rates, taxes, desk_id, sales, lines, payments)
    refunds = _refunds(rng, sales, payments, manager_id)
    return _insert_sales(session, location, sales, lines, payments, refunds, cards)


def _fee_sale(penalty: Penalty, location: LocationView, rates: Any, taxes: Sequence[dict[str, Any]],
              desk_id: int | None, sales: list[dict[str, Any]], lines: list[dict[str, Any]],
              payments: list[dict[str, Any]]) -> None:
    at = penalty.paid_at or penalty.created_at
    day, index = business_date(at, location.tz), len(sales)
    (out,) = price([LineIn(penalty.amount_cents, taxable=True, discountable=False)], rates).lines
    lines.append({"sale": index, "position": 0, "kind": "fee", "description": fee_line(penalty).description,
                  "quantity": 1, "unit_price_cents": penalty.amount_cents, "gross_cents": out.gross_cents,
                  "discount_cents": 0, "net_cents": out.net_cents, "tax_cents": out.tax_cents,
                  "total_cents": out.total_cents,
                  "taxes": [{"name": t.name, "rate_bp": t.rate_bp, "inclusive": t.inclusive,
                             "amount_cents": t.amount_cents} for t in out.taxes],
                  "service_id": None, "product_id": None, "staff_id": None, "penalty_id": penalty.id, "card": None})
    payments.append({
        "sale": index, "location_id": location.id, "method": penalty.paid_method or "cash", "status": "succeeded",
        "purpose": "penalty", "amount_cents": out.total_cents, "tip_cents": 0, "tendered_cents": None,
        "change_cents": 0, "business_date": day, "card": None, "stripe_payment_intent_id": None,
        "stripe_charge_id": None, "reader_id": None, "created_at": at, "created_by_id": penalty.paid_by_id or desk_id,
        "succeeded_at": at, "updated_at": at})
    sales.append({
        "location_id": location.id, "client_id": penalty.client_id, "appointment_id": None, "status": "paid",
        "business_date": day, "discount_kind": None, "discount_value": 0, "taxes": list(taxes),
        "subtotal_cents": out.gross_cents, "discount_cents": 0, "tax_cents": out.tax_cents,
        "total_cents": out.total_cents, "tip_cents": 0, "paid_cents": out.total_cents, "refunded_cents": 0,
        "external_id": None, "note": None, "created_at": at - timedelta(minutes=1), "created_by_id": desk_id,
        "paid_at": at, "updated_at": at})


def _tenders(rng: random.Random, total: int, at: datetime,
             cards: list[_Card]) -> list[tuple[str, int, int, _Card | None]]:
    """(method, amount, tip, gift card) of each payment of a sale of `total`; the last one takes the tip."""
    if total <= 0:
        return []
    roll, method = rng.random(), "card"
    for share, name in TENDERS:
        if roll < share:
            method = name
            break
        roll -= share
    usable = [c for c in cards if c.balance > 0 and c.active_from < at]
    out: list[tuple[str, int, int, _Card | None]] = []
    if method == "gift_card" and usable:
        card = rng.choice(usable)
        take = min(card.balance, total)
        card.balance, card.last_used = card.balance - take, at
        out.append(("gift_card", take, 0, card))
        method = "cash" if rng.random() < 0.5 else "card"
    elif method == "split" and total >= 200_00:
        part = total // 2 // 100 * 100
        out.append(("card", part, 0, None))
        method = "cash"
    elif method in ("gift_card", "split"):
        method = "card"
    rest = total - sum(t[1] for t in out)
    if rest <= 0:
        return out
    tip = 0
    if method in ("card", "stripe") and rng.random() < 0.5:
        tip = max(20_00, percent_of(total, rng.choice((1000, 1500))) // 10_00 * 10_00)
    elif method == "cash" and rng.random() < 0.2:
        tip = rng.choice((20_00, 50_00))
    return [*out, (method, rest, tip, None)]


def _refunds(rng: random.Random, sales: list[dict[str, Any]], payments: list[dict[str, Any]],
             manager_id: int | None) -> list[dict[str, Any]]:
    """Two refunds by the manager, the same day: half of a card payment, all of a cash one."""
    paid_once = Counter(p["sale"] for p in payments)
    refunds = []
    for method, whole in (("card", False), ("cash", True)):
        choices = [i for i, p in enumerate(payments) if p["method"] == method and paid_once[p["sale"]] == 1
                   and p["purpose"] == "sale" and not sales[p["sale"]]["refunded_cents"]]
        if not choices:
            continue
        payment = payments[rng.choice(choices)]
        sale = sales[payment["sale"]]
        amount = payment["amount_cents"] if whole else payment["amount_cents"] // 2 // 100 * 100 or 1
        at = payment["succeeded_at"] + timedelta(hours=1)
        sale.update(refunded_cents=amount, status="refunded" if amount >= sale["paid_cents"] else "partially_refunded",
                    updated_at=at)
        refunds.append({"sale": payment["sale"], "payment": payments.index(payment), "location_id": sale["location_id"],
                        "method": method, "status": "succeeded", "amount_cents": amount,
                        "reason": REFUND_REASONS[len(refunds)], "business_date": sale["business_date"],
                        "created_at": at, "created_by_id": manager_id, "succeeded_at": at, "updated_at": at})
    return refunds


def _insert_sales(session: Session, location: LocationView, sales: list[dict[str, Any]],
                  lines: list[dict[str, Any]], payments: list[dict[str, Any]], refunds: list[dict[str, Any]],
                  cards: list[_Card]) -> dict[str, int]:
    def ids(model: Any, values: list[dict[str, Any]]) -> list[int]:
        """Ids first (PostgreSQL: from the sequence; SQLite: after the largest, under its write lock),
        then one plain executemany: much faster than an INSERT ... RETURNING of every row."""
        if not values:
            return []
        table = model.__table__
        if session.get_bind().dialect.name == "postgresql":
            new = list(session.execute(sa.text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                               "FROM generate_series(1, :n)"), {"n": len(values)}).scalars())
        else:
            top = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
            new = list(range(top + 1, top + 1 + len(values)))
        session.execute(sa.insert(table), [{**v, "id": i} for v, i in zip(values, new, strict=True)])
        return new

    sale_ids = ids(Sale, sales)
    card_ids = ids(GiftCard, [
        {"code": c.code, "location_id": location.id, "client_id": c.client_id, "initial_cents": c.initial,
         "balance_cents": c.balance, "status": "active", "sale_id": sale_ids[c.sale],
         "created_at": sales[c.sale]["created_at"], "activated_at": c.active_from, "updated_at": c.last_used}
        for c in cards])
    if lines:
        session.execute(sa.insert(SaleLine.__table__), [  # type: ignore[attr-defined]
            {**{k: v for k, v in line.items() if k not in ("sale", "card")}, "sale_id": sale_ids[line["sale"]],
             "gift_card_id": card_ids[line["card"]] if line["card"] is not None else None} for line in lines])
    payment_ids = ids(Payment, [
        {**{k: v for k, v in p.items() if k not in ("sale", "card")}, "sale_id": sale_ids[p["sale"]],
         "gift_card_id": card_ids[p["card"]] if p["card"] is not None else None} for p in payments])
    if refunds:
        session.execute(sa.insert(Refund.__table__), [  # type: ignore[attr-defined]
            {**{k: v for k, v in r.items() if k not in ("sale", "payment")}, "sale_id": sale_ids[r["sale"]],
             "payment_id": payment_ids[r["payment"]]} for r in refunds])
    return {"sales": len(sales), "sale_lines": len(lines), "payments": len(payments), "refunds": len(refunds),
            "gift_cards": len(cards), "sales_total_cents": sum(s["total_cents"] for s in sales),
            "tips_cents": sum(s["tip_cents"] for s in sales),
            "refunded_cents": sum(r["amount_cents"] for r in refunds)}
