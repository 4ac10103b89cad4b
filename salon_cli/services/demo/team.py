"""The demo salon's place and people: its location, the owner and the team (roles, PINs, commissions
and the service categories each stylist works in), the service menu and the retail shelf, and their
hours: the opening hours, a stylist's split shift and another's holiday (`demo.visits` says which).

They are added through their services (`salon.staff`, `salon.catalog`, `salon.hours`,
`salon.time_off`), audited one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from salon_cli.services.demo.visits import CLOSING, OPENING, SPLIT_SHIFTS, SPLIT_WEEKDAYS
from salon_cli.services.salon import catalog, hours, staff, time_off
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.catalog import ProductView, ServiceView
from salon_cli.services.salon.locations import LocationView

LOCATION = {"code": "centro", "name": "Salón Centro", "timezone": "America/Mexico_City", "currency": "MXN"}


@dataclass(frozen=True)
class DemoStaff:
    code: str
    name: str
    role: str
    pin: str


OWNER = DemoStaff("lucia", "Lucía Hernández", "owner", "1234")
# (member, commission in basis points, the service categories a stylist works in)
TEAM: tuple[tuple[DemoStaff, int, tuple[str, ...]], ...] = (
    (DemoStaff("marco", "Marco Antonio Ruiz", "manager", "2222"), 0, ()),
    (DemoStaff("sofia", "Sofía Ramírez", "receptionist", "3333"), 0, ()),
    (DemoStaff("ana", "Ana Jiménez", "stylist", "4444"), 4000, ("cuts", "colour")),
    (DemoStaff("diego", "Diego Muñoz", "stylist", "5555"), 3500, ("barber", "cuts")),
    (DemoStaff("valeria", "Valeria Torres", "stylist", "6666"), 3500, ("nails", "spa")),
    (DemoStaff("emma", "Emma Collins", "stylist", "7777"), 4000, ("colour", "cuts", "spa")),
)

# (code, name, category, duration in minutes, price in MXN cents)
SERVICE_MENU: tuple[tuple[str, str, str, int, int], ...] = (
    ("corte-dama", "Corte de dama", "cuts", 60, 450_00),
    ("corte-caballero", "Corte de caballero", "cuts", 30, 280_00),
    ("corte-infantil", "Corte infantil", "cuts", 30, 220_00),
    ("blowout", "Peinado y blowout", "cuts", 45, 350_00),
    ("tinte-raiz", "Tinte de raíz", "colour", 90, 850_00),
    ("tinte-completo", "Tinte completo", "colour", 120, 1_200_00),
    ("mechas", "Mechas / highlights", "colour", 150, 1_900_00),
    ("balayage", "Balayage", "colour", 180, 2_800_00),
    ("matiz", "Matiz (toner)", "colour", 45, 450_00),
    ("manicure", "Manicure clásico", "nails", 40, 300_00),
    ("manicure-gel", "Manicure en gel", "nails", 60, 450_00),
    ("pedicure-spa", "Pedicure spa", "nails", 60, 520_00),
    ("acrilicas", "Uñas acrílicas", "nails", 90, 750_00),
    ("facial", "Facial hidratante", "spa", 60, 850_00),
    ("masaje", "Masaje relajante", "spa", 60, 950_00),
    ("ceja", "Diseño de ceja", "spa", 20, 150_00),
    ("fade", "Fade / degradado", "barber", 45, 320_00),
    ("barba", "Arreglo de barba", "barber", 20, 180_00),
    ("afeitado", "Afeitado clásico con toalla caliente", "barber", 40, 350_00),
    ("corte-barba", "Corte y barba", "barber", 60, 480_00),
)

# (code, name, category, price in MXN cents, stock)
PRODUCTS: tuple[tuple[str, str, str, int, int], ...] = (
    ("shampoo-reparador", "Shampoo reparador 300 ml", "haircare", 420_00, 18),
    ("acondicionador", "Acondicionador hidratante 300 ml", "haircare", 420_00, 14),
    ("aceite-argan", "Aceite de argán 100 ml", "haircare", 380_00, 9),
    ("protector-termico", "Protector térmico 150 ml", "haircare", 350_00, 7),
    ("cera-barba", "Cera para barba 60 g", "barber", 220_00, 12),
    ("esmalte-gel", "Esmalte en gel", "nails", 180_00, 30),
)


def add_team_and_menu(session: Session, *, actor: Actor, location: LocationView,
                      owner_id: int) -> tuple[dict[str, int], dict[str, ServiceView], list[ProductView]]:
    """The team (`TEAM`), the menu (`SERVICE_MENU`) and the shelf (`PRODUCTS`), added by `actor` (the owner):
    the staff ids by code (the owner's too), the services by code, the products in order."""
    staff_ids = {OWNER.code: owner_id}
    for member, commission_bp, _ in TEAM:
        view = staff.add(session, actor=actor, location=location, name=member.name, code=member.code,
                         role=member.role, pin=member.pin, commission_bp=commission_bp)
        staff_ids[member.code] = view.id
    services = {}
    for code, name, category, minutes, cents in SERVICE_MENU:
        services[code] = catalog.add_service(session, actor=actor, location=location, name=name,
                                             duration_min=minutes, price_cents=cents,
                                             category=category, code=code)
    products = [catalog.add_product(session, actor=actor, location=location, name=name, price_cents=cents,
                                    stock=stock, category=category, code=code)
                for code, name, category, cents, stock in PRODUCTS]
    return staff_ids, services, products


# A stylist on holiday a few days from now (days after today, first and last), never today.
HOLIDAY = ("emma", 3, 7, "vacaciones")


def add_hours(session: Session, *, actor: Actor, location: LocationView, today: date) -> None:
    """Open Monday to Saturday (and on Sunday only when the demo is built on one, for the newcomer);
    the split shift of `visits.SPLIT_SHIFTS`; the holiday of `HOLIDAY`."""
    day = f"{OPENING:%H:%M}-{CLOSING:%H:%M}"
    open_days = ("mon", "tue", "wed", "thu", "fri", "sat") + (("sun",) if today.weekday() == 6 else ())
    hours.set_opening(session, actor=actor, location=location, days=dict.fromkeys(open_days, day),
                      closed=() if today.weekday() == 6 else ("sun",))
    for code, split in SPLIT_SHIFTS.items():
        shift = ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in split)
        hours.set_staff_hours(session, actor=actor, location=location, who=code, days={
            key: shift if weekday in SPLIT_WEEKDAYS else day for weekday, key in enumerate(hours.WEEKDAYS)
            if key in open_days})
    code, first, last, reason = HOLIDAY
    time_off.add_time_off(session, actor=actor, location=location, who=code, first_day=today + timedelta(days=first),
                          last_day=today + timedelta(days=last), reason=reason)


def stylist_menus() -> dict[str, list[tuple[str, int]]]:
    """Each stylist's (service code, minutes) of the categories they work in, by stylist code."""
    stylists = [(member.code, cats) for member, _, cats in TEAM if cats]
    return {code: [(s[0], s[3]) for s in SERVICE_MENU if s[2] in cats] for code, cats in stylists}
