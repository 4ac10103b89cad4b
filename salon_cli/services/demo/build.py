"""`salon demo`: a living demo salon -- a team, a menu, clients, a month of history and today's book.

Everything comes from `seed` and `clock.now()`: the same seed at the same "now" builds the same
salon, row for row. Staff, services and products go through their services (audited one by one);
the bulk rows (clients, appointments and their items, penalties) are added directly and summed up
in one `demo.build` audit row, so that a month of history builds in well under a second.

The history is what the services would have left behind: every appointment has its items (now and
then two services, e.g. a cut and a blow-dry); around 6 % of past appointments are no-shows, marked
at start + the policy's grace with their penalty (as `detect-no-shows` would: created by the system),
and around 7.5 % were cancelled -- ahead of the late-cancel window, late by the client (with the
late-cancel penalty) or late by the salon (no penalty). Most penalties are still pending, some were
paid at the desk a day or two later, a few were waived by the owner with a reason. Nothing in the
past is left `booked`, so `detect-no-shows` run at once marks only today's overdue appointment.
Today's book draws on its own random stream: a change to the history leaves it as it was.

Every completed past visit was checked out: a paid sale priced with the demo's tax (IVA 16 %,
included in the prices), now and then a product, a promotion, a gift card sold and later spent,
tips, cash with change, the card terminal, Stripe, split tender, and two refunds
(`demo_setup.demo_sales`, its own random stream too).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select

from salon_cli.core import clock
from salon_cli.core.codes import slug
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.text import name_key
from salon_cli.db.models import Appointment, AppointmentItem, Client, ClientNote, ClientPref, ClientTag, Penalty, Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit, catalog, setup, staff
from salon_cli.services.clients import search as client_search
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.catalog import ServiceView
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.book.penalties import policy_fee, reason_for

LOCATION = {"code": "centro", "name": "Salón Centro", "timezone": "America/Mexico_City", "currency": "MXN"}
OPENING, CLOSING = time(9, 0), time(20, 0)
CLOSED_WEEKDAYS = frozenset({6})  # Sunday; today's book is built whatever the day, for the newcomer


@dataclass(frozen=True)
class DemoStaff:
    code: str
    name: str
    role: str
    pin: str


@dataclass(frozen=True)
class DemoSummary:
    location: str
    location_name: str
    business_date: date
    staff: tuple[DemoStaff, ...]
    services: int
    products: int
    clients: int
    appointments_past: int
    appointments_today: int
    sales: int = 0


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

SPANISH_WOMEN = (
    "María", "Guadalupe", "Ximena", "Jimena", "Sofía", "Valentina", "Camila", "Fernanda", "Daniela",
    "Andrea", "Lucía", "Mariana", "Regina", "Renata", "Paola", "Itzel", "Verónica", "Alejandra",
    "Gabriela", "Natalia",
)
SPANISH_MEN = (
    "José", "Juan Pablo", "Luis", "Carlos", "Miguel Ángel", "Jorge", "Alejandro", "Emiliano",
    "Santiago", "Mateo", "Héctor", "Ricardo", "Fernando", "Iñaki",
)
SPANISH_SURNAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez",
    "Flores", "Jiménez", "Giménez", "Vázquez", "Muñoz", "Gómez", "Díaz", "Reyes", "Morales", "Cruz",
    "Ortiz", "Gutiérrez", "Chávez", "Ruiz", "Mendoza", "Castillo", "Núñez", "Ibáñez", "Peña",
)
ENGLISH_WOMEN = ("Emily", "Olivia", "Sarah", "Jessica", "Hannah", "Grace", "Chloe", "Megan", "Lauren", "Kate")
ENGLISH_MEN = ("James", "Michael", "David", "Daniel", "Ryan", "Matthew", "Chris", "Andrew", "Tom", "Ben")
ENGLISH_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thompson", "O'Brien", "Murphy", "Clarke", "Walker",
)
# Services booked by one kind of client only (for believable books; not a rule of the salon).
MENS_SERVICES = frozenset({"corte-caballero", "fade", "barba", "afeitado", "corte-barba"})
WOMENS_SERVICES = frozenset({"corte-dama", "mechas", "balayage", "acrilicas"})
# Reserved example domains (RFC 2606): a demo reminder can never reach a real inbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "example.com.mx")

# Minutes between one appointment and the next in a stylist's day.
BUSY_GAPS = (0, 0, 15, 15, 30, 45, 60)
QUIET_GAPS = (0, 15, 30, 45, 60, 90, 120)
QUIET_WEEKDAYS = frozenset({0, 1})  # Monday, Tuesday

# Client profiles: notes as (type, private, body) -- stylists write the technical, medical and
# private ones, the desk the rest -- tags, and special requests.
DEMO_NOTES: tuple[tuple[str, bool, str], ...] = (
    ("technical", False, "Fórmula: 7.1 + 6% 30 vol, 35 min; matiz 9.12 al final"),
    ("technical", False, "Puntas porosas: protector de enlaces antes de decolorar"),
    ("medical", True, "Alergia a la PPD: prueba de parche 48 h antes de cualquier tinte"),
    ("medical", True, "Embarazada: nada de alisados químicos por ahora"),
    ("general", True, "Pidió no mencionar su divorcio"),
    ("preference", False, "Prefiere café americano sin azúcar"),
    ("preference", False, "Le gusta platicar poco; música tranquila"),
    ("complaint", False, "Esperó 25 min su última cita; se le ofreció un matiz sin costo"),
    ("general", False, "Viene con su hija los sábados"),
)
# A second service booked with the first, now and then (same stylist, one appointment, two items).
ADD_ONS = {"corte-dama": "blowout", "tinte-raiz": "matiz", "tinte-completo": "matiz", "corte-caballero": "barba",
           "fade": "barba", "manicure-gel": "pedicure-spa", "facial": "ceja"}
ADD_ON_RATE = 0.12

# Outcomes of past bookings, as shares of all past appointments (walk-ins included).
NO_SHOW_RATE = 0.06
CANCEL_RATE = 0.075
EARLY_CANCEL_SHARE = 0.45  # of cancellations: made before the policy's late-cancel window
SALON_CANCEL_SHARE = 0.2  # of those inside the window: the salon cancelled (no penalty)
CANCEL_REASONS = ("cambio de planes", "enfermedad", "viaje de trabajo", "se le complicó el trabajo",
                  "problema con el transporte", "reagenda por WhatsApp")
SALON_CANCEL_REASONS = ("la estilista se reportó enferma", "corte de luz en el local")
# Penalties: shares settled by now (the rest still pending); paid only once a day or two has passed.
PENALTY_PAID_SHARE = 0.3
PENALTY_WAIVED_SHARE = 0.1
PAID_METHODS = ("cash", "card", "card")  # at the desk: cash, or the outside card terminal
WAIVE_REASONS = ("llamó con emergencia familiar", "primera vez, se le explicó la política")

DEMO_TAGS = ("novia", "cabello-rizado", "estudiante", "referida", "prefiere-manana", "color-fantasia")
DEMO_REQUESTS = ("Agua mineral al llegar", "Secadora a temperatura baja", "Acceso sin escalones")


@dataclass
class _Visit:
    """An appointment before the clients have ids (`client` is an index into the client list)."""

    staff: str
    services: tuple[str, ...]  # codes, in the order they are done (the first is the appointment's)
    starts_at: datetime
    ends_at: datetime
    status: str
    client: int | None
    created_at: datetime
    walk_in: bool = False
    checked_in_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cancelled_by_salon: bool = False
    no_show_at: datetime | None = None

    @property
    def updated_at(self) -> datetime | None:
        return self.no_show_at or self.cancelled_at or self.completed_at or self.checked_in_at


def build_demo(engine: Engine, *, clients: int = 300, days: int = 30, seed: int = 7) -> DemoSummary:
    """Initialise an empty database (schema at head) as the demo salon `centro` and fill it."""
    if clients < 1 or days < 0:
        raise InvalidInput("the demo needs at least one client and zero or more days of history")
    with UnitOfWork(engine, write=False) as uow:
        if setup.is_initialised(uow):
            raise RuleViolation("this database already holds a salon; the demo needs an empty one",
                                hint="use another --db, or salon demo --force to wipe it")
    init = setup.initialise(
        engine, location_code=LOCATION["code"], location_name=LOCATION["name"],
        timezone=LOCATION["timezone"], currency=LOCATION["currency"],
        owner_name=OWNER.name, owner_code=OWNER.code, owner_pin=OWNER.pin,
    )
    location, now, rng = init.location, clock.now(), random.Random(seed)
    tz = location.tz
    today = business_date(now, tz)
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role)
    stylists = [(member.code, cats) for member, _, cats in TEAM if cats]

    with UnitOfWork(engine) as uow:
        session = uow.session
        staff_ids = {OWNER.code: init.owner.id}
        for member, commission_bp, _ in TEAM:
            view = staff.add(session, actor=owner, location=location, name=member.name, code=member.code,
                             role=member.role, pin=member.pin, commission_bp=commission_bp)
            staff_ids[member.code] = view.id
        services = {}
        for code, name, category, minutes, cents in SERVICE_MENU:
            services[code] = catalog.add_service(session, actor=owner, location=location, name=name,
                                                 duration_min=minutes, price_cents=cents,
                                                 category=category, code=code)
        products = [catalog.add_product(session, actor=owner, location=location, name=name, price_cents=cents,
                                        stock=stock, category=category, code=code)
                    for code, name, category, cents, stock in PRODUCTS]
        menu = {code: [(s[0], s[3]) for s in SERVICE_MENU if s[2] in cats] for code, cats in stylists}

        people, men = _clients(rng, clients, now - timedelta(days=days), location.id)
        regulars = [rng.choice((1, 1, 1, 2, 3, 5)) for _ in people]  # some clients come far more often
        audience = _Audience(regulars, men)
        policy = session.exec(select(Policy).where(Policy.location_id == location.id)).one()
        past = _history(rng, today, days, tz, menu, audience)
        _outcomes(rng, past, grace=timedelta(minutes=policy.no_show_grace_min),
                  late_window=timedelta(hours=policy.late_cancel_hours))
        booked_today = _today_book(random.Random(f"{seed}:today"), today, now, tz, menu, audience)

        no_shows = Counter(v.client for v in past if v.status == "no_show" and v.client is not None)
        for index, person in enumerate(people):
            person.no_show_count = no_shows[index]
            person.deposit_required = no_shows[index] >= policy.deposit_after_no_shows
        session.add_all(people)
        session.flush()
        desk_id = staff_ids["sofia"]
        visits = past + booked_today
        appointments = [
            Appointment(
                location_id=location.id, staff_id=staff_ids[v.staff], service_id=services[v.services[0]].id,
                client_id=people[v.client].id if v.client is not None else None,
                starts_at=v.starts_at, ends_at=v.ends_at, status=v.status,
                price_cents=sum(services[code].price_cents for code in v.services), walk_in=v.walk_in,
                checked_in_at=v.checked_in_at, completed_at=v.completed_at, cancelled_at=v.cancelled_at,
                cancel_reason=v.cancel_reason, cancelled_by_salon=v.cancelled_by_salon, no_show_at=v.no_show_at,
                created_at=v.created_at, created_by_id=desk_id, updated_at=v.updated_at,
            )
            for v in visits
        ]
        session.add_all(appointments)
        session.flush()
        session.execute(sa.insert(AppointmentItem), [
            {"appointment_id": appt.id, "position": position, "service_id": services[code].id,
             "staff_id": appt.staff_id, "duration_min": services[code].duration_min,
             "price_cents": services[code].price_cents}
            for appt, v in zip(appointments, visits, strict=True) for position, code in enumerate(v.services)
        ])
        penalty_rows = _penalties(random.Random(f"{seed}:penalties"), appointments[:len(past)], past, policy,
                                  services, location, now=now, desk_id=desk_id, owner_id=init.owner.id)
        if penalty_rows:
            session.execute(sa.insert(Penalty), penalty_rows)
        session.flush()
        from salon_cli.services.demo.setup import DEMO_TAXES, demo_sales

        policy.taxes = [dict(tax) for tax in DEMO_TAXES]
        session.add(policy)
        sold = demo_sales(session, rng=random.Random(f"{seed}:sales"), location=location,
                          appointments=appointments[:len(past)], visits=past, services=services, products=products,
                          taxes=policy.taxes, desk_id=desk_id, manager_id=staff_ids["marco"],
                          paid_penalties=session.exec(select(Penalty).where(
                              Penalty.location_id == location.id, Penalty.status == "paid")
                              .order_by(col(Penalty.id))).all())
        from salon_cli.services.demo.loyalty import demo_loyalty

        desk = Actor(id=staff_ids["sofia"], code="sofia", name="Sofía Ramírez", role="receptionist")
        sold.update(demo_loyalty(session, rng=random.Random(f"{seed}:loyalty"), location=location, owner=owner,
                                 desk=desk, history_start=now - timedelta(days=days), now=now))
        from salon_cli.services.demo.close import demo_close

        manager = Actor(id=staff_ids["marco"], code="marco", name="Marco Antonio Ruiz", role="manager")
        sold.update(demo_close(session, rng=random.Random(f"{seed}:close"), location=location, today=today, days=days,
                               now=now, desk=desk, manager=manager))
        profiles, counts = _profiles(random.Random(f"{seed}:profiles"), people, regulars, staff_ids, menu, now)
        session.add_all(profiles)
        session.flush()
        client_search.reindex_all(session)
        summary = DemoSummary(
            location=location.code, location_name=location.name, business_date=today,
            staff=(OWNER, *(member for member, _, _ in TEAM)), services=len(SERVICE_MENU),
            products=len(PRODUCTS), clients=len(people), appointments_past=len(past),
            appointments_today=len(booked_today), sales=sold["sales"],
        )
        outcomes = Counter(v.status for v in past)
        by_status = Counter(row["status"] for row in penalty_rows)
        audit.record(session, actor=owner, action="demo.build", entity="location", entity_id=location.id,
                     location_id=location.id, after={
                         "seed": seed, "days": days, "clients": summary.clients,
                         "services": summary.services, "products": summary.products,
                         "appointments_past": summary.appointments_past,
                         "appointments_today": summary.appointments_today,
                         "appointment_items": sum(len(v.services) for v in visits),
                         "no_shows": sum(no_shows.values()), "cancelled": outcomes["cancelled"],
                         "late_cancelled": outcomes["late_cancelled"],
                         "penalties": len(penalty_rows),
                         "penalties_no_show": sum(row["kind"] == "no_show" for row in penalty_rows),
                         "penalties_late_cancel": sum(row["kind"] == "late_cancel" for row in penalty_rows),
                         "penalties_pending": by_status["pending"], "penalties_paid": by_status["paid"],
                         "penalties_waived": by_status["waived"],
                         "penalty_cents": sum(row["amount_cents"] for row in penalty_rows),
                         "business_date": today, "taxes": policy.taxes, **sold, **counts,
                     })
        uow.commit()
    return summary


def _clients(rng: random.Random, count: int, since: datetime, location_id: int) -> tuple[list[Client], list[bool]]:
    """`count` clients, all on file before `since` (the first day of history): two in three with
    Spanish names, one in three men; unique phones and e-mails."""
    phones = rng.sample(range(10_000_000, 100_000_000), count)
    emails: set[str] = set()
    people, men = [], []
    for index in range(count):
        man = rng.random() < 0.35
        if rng.random() < 0.68:
            first = rng.choice(SPANISH_MEN if man else SPANISH_WOMEN)
            surnames = rng.sample(SPANISH_SURNAMES, 2)
            # Mexican clients often give both surnames
            last = " ".join(surnames) if rng.random() < 0.5 else surnames[0]
        else:
            first, last = rng.choice(ENGLISH_MEN if man else ENGLISH_WOMEN), rng.choice(ENGLISH_SURNAMES)
        men.append(man)
        email = None
        if rng.random() < 0.85:
            local = f"{slug(first)}.{slug(last.split()[0])}".replace("-", "")
            email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
            n = 2
            while email in emails:
                email, n = f"{local}{n}@{email.split('@')[1]}", n + 1
            emails.add(email)
        birthday = None
        if rng.random() < 0.7:
            birthday = date(rng.randint(1958, 2008), 1, 1) + timedelta(days=rng.randint(0, 364))
        people.append(Client(
            first_name=first, last_name=last, name_key=name_key(first, last), phone=f"+5255{phones[index]}", email=email,
            birthday=birthday, marketing_consent=rng.random() < 0.4, home_location_id=location_id,
            created_at=since - timedelta(days=rng.randint(7, 900), minutes=rng.randint(0, 600)),
        ))
    return people, men


def _profiles(rng: random.Random, people: Sequence[Client], regulars: Sequence[int], staff_ids: dict[str, int | None],
              menu: dict[str, list[tuple[str, int]]], now: datetime) -> tuple[list[SQLModel], dict[str, int]]:
    """Tags, notes and preferences for the clients (its own random stream: the book stays as it was)."""
    rows: list[SQLModel] = []
    counts = Counter[str]()
    stylists = sorted(menu)
    for person, visits_weight in zip(people, regulars, strict=True):
        cid = person.id or 0
        tags = {"vip"} if visits_weight >= 5 else set()
        if rng.random() < 0.3:
            tags.add(rng.choice(DEMO_TAGS))
        stylist = rng.choice(stylists)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            kind, private, body = rng.choice(DEMO_NOTES)
            if "PPD" in body:
                tags.add("alergia-tinte")
            author = stylist if kind in ("technical", "medical") or private else "sofia"
            rows.append(ClientNote(client_id=cid, type=kind, body=body, private=private,
                                   author_id=staff_ids[author],
                                   created_at=person.created_at + (now - person.created_at) * rng.random()))
            counts["notes"] += 1
            counts["private_notes"] += private
        rows.extend(ClientTag(client_id=cid, tag=tag) for tag in sorted(tags))
        counts["tags"] += len(tags)
        if rng.random() < 0.6:
            channels = ("whatsapp", "whatsapp", "sms") + (("email",) if person.email else ())
            rows.append(ClientPref(
                client_id=cid, channel=rng.choice(channels), reminder=rng.choice(("24h", "24h", "both", "1h", "none")),
                preferred_staff_id=staff_ids[stylist],
                preferred_services=sorted(code for code, _ in rng.sample(menu[stylist], rng.choice((1, 2)))),
                requests=rng.choice(DEMO_REQUESTS) if rng.random() < 0.15 else None, updated_at=now))
            counts["prefs"] += 1
    return rows, dict(counts)


def _hours(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    opening = datetime.combine(day, OPENING, tzinfo=tz).astimezone(timezone.utc)
    return opening, datetime.combine(day, CLOSING, tzinfo=tz).astimezone(timezone.utc)


def _fill(rng: random.Random, start: datetime, end: datetime, services: Sequence[tuple[str, int]],
          gaps: Sequence[int]) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    """A stylist's back-to-back slots in [start, end): never overlapping, by construction. Now and
    then a slot takes the service's add-on too (`ADD_ONS`), when the stylist does it and it fits."""
    durations = dict(services)
    slots, at = [], start
    while True:
        at += timedelta(minutes=rng.choice(gaps))
        fitting = [(code, minutes) for code, minutes in services if at + timedelta(minutes=minutes) <= end]
        if not fitting:
            return slots
        code, minutes = rng.choice(fitting)
        codes: tuple[str, ...] = (code,)
        extra = ADD_ONS.get(code)
        if (extra in durations and at + timedelta(minutes=minutes + durations[extra]) <= end
                and rng.random() < ADD_ON_RATE):
            codes, minutes = (code, extra), minutes + durations[extra]
        slots.append((at, at + timedelta(minutes=minutes), codes))
        at += timedelta(minutes=minutes)


@dataclass(frozen=True)
class _Audience:
    """How often each client comes (`weights`), and who would book men's or women's services."""

    weights: Sequence[int]
    men: Sequence[bool]

    def weights_for(self, service: str) -> Sequence[int]:
        if service in MENS_SERVICES or service in WOMENS_SERVICES:
            want_man = service in MENS_SERVICES
            chosen = [w if man == want_man else 0 for w, man in zip(self.weights, self.men, strict=True)]
            if any(chosen):
                return chosen
        return self.weights


class _ClientPicker:
    """Clients for one day's visits: regulars more often, nobody twice the same day (if avoidable)."""

    def __init__(self, rng: random.Random, audience: _Audience) -> None:
        self.rng, self.audience = rng, audience
        self.population = range(len(audience.weights))
        self.taken: set[int] = set()

    def pick(self, services: tuple[str, ...]) -> int:
        weights = self.audience.weights_for(services[0])
        for _ in range(8):
            index = self.rng.choices(self.population, weights)[0]
            if index not in self.taken:
                break
        self.taken.add(index)
        return index


def _history(rng: random.Random, today: date, days: int, tz: ZoneInfo,
             menu: dict[str, list[tuple[str, int]]], audience: _Audience) -> list[_Visit]:
    """Every past day's book, as if everybody came (`_outcomes` then decides who did not)."""
    visits = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() in CLOSED_WEEKDAYS:
            continue
        opening, closing = _hours(day, tz)
        gaps = QUIET_GAPS if day.weekday() in QUIET_WEEKDAYS else BUSY_GAPS
        clients = _ClientPicker(rng, audience)
        for code, services in menu.items():
            for start, end, booked in _fill(rng, opening, closing, services, gaps):
                visits.append(_past_visit(rng, code, booked, start, end, clients))
    return visits


def _past_visit(rng: random.Random, staff_code: str, services: tuple[str, ...], start: datetime, end: datetime,
                clients: _ClientPicker) -> _Visit:
    minutes = timedelta(minutes=1)
    if rng.random() < 0.05:  # a walk-in, sometimes never asked for a name
        client = clients.pick(services) if rng.random() < 0.5 else None
        return _Visit(staff_code, services, start, end, "completed", client, created_at=start, walk_in=True,
                      checked_in_at=start, completed_at=end + rng.randint(0, 10) * minutes)
    return _Visit(staff_code, services, start, end, "completed", clients.pick(services),
                  created_at=start - timedelta(days=rng.randint(2, 21), minutes=rng.randint(0, 600)),
                  checked_in_at=start - rng.randint(-8, 12) * minutes,  # early, or a little late
                  completed_at=end + rng.randint(-5, 10) * minutes)


def _outcomes(rng: random.Random, visits: Sequence[_Visit], *, grace: timedelta, late_window: timedelta) -> None:
    """Turn some booked (not walk-in) past visits into no-shows and cancellations, at the demo's rates
    (`NO_SHOW_RATE`, `CANCEL_RATE` of all past visits; exact counts, so even a short history has them).

    A no-show is marked at start + grace, as detection would. A cancellation before the late-cancel
    window is `cancelled`; one inside it is `late_cancelled` (the client's, penalised) or, now and
    then, `cancelled` by the salon. Every cancellation says why and comes after the booking was made.
    """
    booked = [v for v in visits if not v.walk_in]
    no_shows = min(len(booked), round(len(visits) * NO_SHOW_RATE))
    cancels = min(len(booked) - no_shows, round(len(visits) * CANCEL_RATE))
    chosen = rng.sample(booked, no_shows + cancels)
    window_min = max(1, int(late_window.total_seconds() // 60))
    for v in chosen[:no_shows]:
        v.status, v.checked_in_at, v.completed_at, v.no_show_at = "no_show", None, None, v.starts_at + grace
    for v in chosen[no_shows:]:
        v.checked_in_at = v.completed_at = None
        roll = rng.random()
        latest_early = v.starts_at - late_window - timedelta(minutes=1)  # the last moment before the window
        if roll < EARLY_CANCEL_SHARE and latest_early > v.created_at + timedelta(minutes=1):
            room = int((latest_early - v.created_at).total_seconds() // 60)
            v.status, v.cancel_reason = "cancelled", rng.choice(CANCEL_REASONS)
            v.cancelled_at = latest_early - timedelta(minutes=rng.randint(0, min(room - 1, 3 * 24 * 60)))
            continue
        ahead = timedelta(minutes=rng.randint(min(30, window_min), window_min))
        v.cancelled_at = max(v.starts_at - ahead, v.created_at + timedelta(minutes=1))
        if rng.random() < SALON_CANCEL_SHARE:
            v.status, v.cancelled_by_salon, v.cancel_reason = "cancelled", True, rng.choice(SALON_CANCEL_REASONS)
        else:
            v.status, v.cancel_reason = "late_cancelled", rng.choice(CANCEL_REASONS)


def _penalties(rng: random.Random, appointments: Sequence[Appointment], visits: Sequence[_Visit], policy: Policy,
               services: dict[str, ServiceView], location: LocationView, *, now: datetime, desk_id: int | None,
               owner_id: int) -> list[dict[str, Any]]:
    """The penalty rows of the past no-shows (made by detection: no staff member) and late cancellations
    (made at the desk), at the policy's fee; none when the fee is zero or nobody is on file.

    Most are still pending; a share was paid at the desk a day or two later (those old enough), a few
    were waived by the owner with a reason."""
    made: list[tuple[datetime, dict[str, Any]]] = []
    for appt, v in zip(appointments, visits, strict=True):
        if v.status not in ("no_show", "late_cancelled") or appt.client_id is None:
            continue
        kind = "no_show" if v.status == "no_show" else "late_cancel"
        amount = policy_fee(policy, kind, appt.price_cents)
        created = v.no_show_at if kind == "no_show" else v.cancelled_at
        if amount <= 0 or created is None:
            continue
        made.append((created, {
            "location_id": appt.location_id, "appointment_id": appt.id, "client_id": appt.client_id, "kind": kind,
            "amount_cents": amount, "status": "pending", "created_at": created,
            "created_by_id": None if kind == "no_show" else desk_id,
            "reason": reason_for(kind, services[v.services[0]].name, v.starts_at, location),
            "waived_at": None, "waived_by_id": None, "waive_reason": None,
            "paid_at": None, "paid_method": None, "paid_by_id": None, "updated_at": created,
        }))
    order = rng.sample(made, len(made))
    waived = round(len(made) * PENALTY_WAIVED_SHARE)
    paid = round(len(made) * PENALTY_PAID_SHARE)
    for created, row in order[:waived]:
        at = min(now, created + timedelta(hours=rng.randint(1, 30)))
        row.update(status="waived", waived_at=at, waived_by_id=owner_id, waive_reason=rng.choice(WAIVE_REASONS),
                   updated_at=at)
    for created, row in order[waived:]:
        if paid <= 0:
            break
        at = created + timedelta(hours=rng.randint(20, 52), minutes=rng.randint(0, 59))
        if at <= now:  # else too recent to have been paid: still pending
            row.update(status="paid", paid_at=at, paid_method=rng.choice(PAID_METHODS), paid_by_id=desk_id,
                       updated_at=at)
            paid -= 1
    return [row for _, row in made]


def _today_book(rng: random.Random, today: date, now: datetime, tz: ZoneInfo,
                menu: dict[str, list[tuple[str, int]]], audience: _Audience) -> list[_Visit]:
    """Today's book around `now`: done, in the chair, arriving, still to come, and one who never came."""
    opening, closing = _hours(today, tz)
    quarter = timedelta(minutes=15)
    local = now.astimezone(tz)
    this_quarter = local.replace(minute=local.minute // 15 * 15, second=0, microsecond=0)
    clients = _ClientPicker(rng, audience)
    visits = []
    for turn, (code, services) in enumerate(menu.items()):
        slots = None
        if opening + 2 * quarter <= now <= closing - 4 * quarter:
            # Anchor one slot on "now": half the stylists are mid-service, half about to start.
            if turn % 2 == 0:
                start = max(opening, this_quarter.astimezone(timezone.utc) - rng.randint(0, 2) * quarter)
                fitting = [(s, m) for s, m in services
                           if start + timedelta(minutes=m) > now and start + timedelta(minutes=m) <= closing]
            else:
                start = this_quarter.astimezone(timezone.utc) + rng.randint(1, 2) * quarter
                fitting = [(s, m) for s, m in services if start + timedelta(minutes=m) <= closing]
            if fitting:
                service, minutes = rng.choice(fitting)
                end = start + timedelta(minutes=minutes)
                slots = (_fill(rng, opening, start, services, BUSY_GAPS) + [(start, end, (service,))]
                         + _fill(rng, end, closing, services, BUSY_GAPS))
        if slots is None:
            slots = _fill(rng, opening, closing, services, BUSY_GAPS)
        for start, end, booked in slots:
            visits.append(_today_visit(rng, code, booked, start, end, now, clients))
    # One client who should be here by now and is not: left `booked` for no-show detection.
    overdue = [v for v in visits if v.status == "completed" and not v.walk_in]
    if overdue:
        late = rng.choice(overdue)
        late.status, late.checked_in_at, late.completed_at = "booked", None, None
    return visits


def _today_visit(rng: random.Random, staff_code: str, services: tuple[str, ...], start: datetime, end: datetime,
                 now: datetime, clients: _ClientPicker) -> _Visit:
    minutes = timedelta(minutes=1)
    if end <= now and rng.random() < 0.08:
        return _Visit(staff_code, services, start, end, "completed", None, created_at=start, walk_in=True,
                      checked_in_at=start, completed_at=end)
    visit = _Visit(staff_code, services, start, end, "booked", clients.pick(services),
                   created_at=min(start, now) - timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600)))
    if end <= now:
        visit.status = "completed"
        visit.checked_in_at = start - rng.randint(0, 10) * minutes
        visit.completed_at = min(now, end + rng.randint(0, 8) * minutes)
    elif start <= now:
        visit.status, visit.checked_in_at = "in_service", start - rng.randint(0, 10) * minutes
    elif start <= now + 30 * minutes:
        visit.status, visit.checked_in_at = "checked_in", now - rng.randint(1, 10) * minutes
    return visit
