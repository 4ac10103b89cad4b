"""The fixed sale every receipt test prints (`fixed_sale(engine)`, after the `salon` fixture, at the
test clock: Saturday 2026-11-21 11:00 in Mexico City).

Salón Centro with its address, phone and tax id, taxes IVA 16% and ISH 3% (both added to the price).
Ximena (with a loyalty card) checks out her 12:00 corte with ana and two shampoos, 10% off, a tip of
50.00: 200.00 by card and 700.00 cash handed over for the rest (change 89.59). Then marco gives back
100.00 in cash ("tinte disparejo"). Every id is 1 on a fresh database.
"""

from __future__ import annotations

from dataclasses import dataclass

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.loyalty import cards
from salon_cli.services.salon import locations
from salon_cli.services.till import tenders
from shop import OWNER, Shop, make_shop


@dataclass
class FixedSale:
    shop: Shop
    sale_id: int
    refund_id: int


def fixed_sale(engine) -> FixedSale:
    shop = make_shop(engine, taxes=["IVA:16%", "ISH:3%"])
    with UnitOfWork(engine) as uow:
        shop.loc = locations.update(uow.session, actor=OWNER, location=shop.loc, address="Av. Juárez 10, Centro, CDMX",
                                    phone="+52 55 1234 5678", tax_id="SCE010101AB1")
        cards.enroll(uow.session, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
        uow.commit()
    done = checkout.checkout(engine, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             tenders=[checkout.parse_tender("card:200", "MXN"), checkout.parse_tender("cash:700", "MXN")],
                             tip_cents=5000, discount="10%", products=[("shampoo", 2)])
    cash = next(p for p in done.sale.payments if p.method == "cash")
    with UnitOfWork(engine) as uow:
        (refund,) = tenders.refund(uow.session, actor=shop.marco, location=shop.loc, sale_id=done.sale.id,
                                   reason="tinte disparejo", amount_cents=10000, payment_id=cash.id)
        uow.commit()
    return FixedSale(shop=shop, sale_id=done.sale.id, refund_id=refund.id)
