"""A small salon ready to sell, for the sales, payments and Stripe tests.

`make_shop(engine)` (after the `salon` fixture) adds: services corte (45 min, 350.00) and tinte
(90 min, 800.00); product shampoo (180.00, 5 in stock); stylists ana and beto; manager marco (PIN 2222);
receptionist sofia; clients Ximena Jiménez (with a saved Stripe card) and Pedro Páramo; and today's
12:00 appointment of Ximena's corte with ana. Taxes as `taxes` says (none by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salon_cli.db.models import Client, Location
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.salon import catalog, locations, policy, staff
from salon_cli.services.clients import profiles as clients
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)


@dataclass
class Shop:
    loc: LocationView
    ximena: int
    pedro: int
    appt: int
    sofia: Actor
    marco: Actor
    ana: int


def make_shop(engine: Any, *, taxes: list[str] | None = None, reader: str | None = "tmr_desk1") -> Shop:
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        catalog.add_service(s, actor=OWNER, location=loc, name="Corte", duration_min=45, price_cents=35000, code="corte")
        catalog.add_service(s, actor=OWNER, location=loc, name="Tinte", duration_min=90, price_cents=80000, code="tinte")
        catalog.add_product(s, actor=OWNER, location=loc, name="Shampoo", price_cents=18000, code="shampoo", stock=5)
        ids = {}
        for code, role in (("ana", "stylist"), ("beto", "stylist"), ("marco", "manager"), ("sofia", "receptionist")):
            ids[code] = staff.add(s, actor=OWNER, location=loc, name=code.title(), code=code, role=role, pin="2222").id
        x = clients.add(s, actor=OWNER, location=loc, first_name="Ximena", last_name="Jiménez", phone="5512345678",
                        email="xime@example.com")
        p = clients.add(s, actor=OWNER, location=loc, first_name="Pedro", last_name="Páramo")
        row = s.get(Client, x.id)
        row.stripe_customer_id, row.stripe_payment_method_id = "cus_ximena", "pm_card_visa"
        s.add(row)
        if reader:
            place = s.get(Location, loc.id)
            place.stripe_reader_id = reader
            s.add(place)
        if taxes:
            policy.update(s, actor=OWNER, location=loc, taxes=taxes)
        appt = appointments.book_appointment(s, actor=OWNER, location=loc, client_id=x.id, services=["corte"],
                                             staff="ana", at="2026-11-21 12:00").appointments[0]
        uow.commit()
    return Shop(loc=loc, ximena=x.id, pedro=p.id, appt=appt.id,
                sofia=Actor(id=ids["sofia"], code="sofia", name="Sofía", role="receptionist"),
                marco=Actor(id=ids["marco"], code="marco", name="Marco", role="manager", verified=True),
                ana=ids["ana"])


def book(engine: Any, shop: Shop, *, at: str = "2026-11-21 15:00", client: int | None = None,
         services: tuple[str, ...] = ("corte",), staff_code: str = "ana", deposit_cents: int = 0) -> int:
    with UnitOfWork(engine) as uow:
        done = appointments.book_appointment(uow.session, actor=OWNER, location=shop.loc,
                                             client_id=client or shop.ximena, services=list(services),
                                             staff=staff_code, at=at, deposit_cents=deposit_cents)
        uow.commit()
    return done.appointments[0].id
