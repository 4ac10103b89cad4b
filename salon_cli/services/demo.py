"""`salon demo`: a living demo salon -- a team, a menu, clients, a month of history and today's book.

Everything comes from one `random.Random(seed)` and `clock.now()`: the same seed at the same "now"
builds the same salon, row for row. Staff, services and products go through their services (audited
one by one); the bulk rows (clients, appointments) are added directly and summed up in one
`demo.build` audit row, so that a month of history builds in well under a second.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from salon_cli.core import clock
from salon_cli.core.codes import slug
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.text import name_key
from salon_cli.db.models import Appointment, Client, ClientNote, ClientPref, ClientTag, Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services import audit, catalog, client_search, setup, staff
from salon_cli.services.actors import Actor

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
DEMO_TAGS = ("novia", "cabello-rizado", "estudiante", "referida", "prefiere-manana", "color-fantasia")
DEMO_REQUESTS = ("Agua mineral al llegar", "Secadora a temperatura baja", "Acceso sin escalones")


@dataclass
class _Visit:
    """An appointment before the clients have ids (`client` is an index into the client list)."""

    staff: str
    service: str
    starts_at: datetime
    ends_at: datetime
    status: str
    client: int | None
    created_at: datetime
    walk_in: bool = False
    checked_in_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None


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
        for code, name, category, cents, stock in PRODUCTS:
            catalog.add_product(session, actor=owner, location=location, name=name, price_cents=cents,
                                stock=stock, category=category, code=code)
        menu = {code: [(s[0], s[3]) for s in SERVICE_MENU if s[2] in cats] for code, cats in stylists}

        people, men = _clients(rng, clients, now - timedelta(days=days), location.id)
        regulars = [rng.choice((1, 1, 1, 2, 3, 5)) for _ in people]  # some clients come far more often
        audience = _Audience(regulars, men)
        past = _history(rng, today, days, tz, menu, audience)
        booked_today = _today_book(rng, today, now, tz, menu, audience)

        no_shows = Counter(v.client for v in past if v.status == "no_show" and v.client is not None)
        policy = session.exec(select(Policy).where(Policy.location_id == location.id)).one()
        for index, person in enumerate(people):
            person.no_show_count = no_shows[index]
            person.deposit_required = no_shows[index] >= policy.deposit_after_no_shows
        session.add_all(people)
        session.flush()
        desk_id = staff_ids["sofia"]
        session.add_all([
            Appointment(
                location_id=location.id, staff_id=staff_ids[v.staff], service_id=services[v.service].id,
                client_id=people[v.client].id if v.client is not None else None,
                starts_at=v.starts_at, ends_at=v.ends_at, status=v.status,
                price_cents=services[v.service].price_cents, walk_in=v.walk_in,
                checked_in_at=v.checked_in_at, completed_at=v.completed_at, cancelled_at=v.cancelled_at,
                created_at=v.created_at, created_by_id=desk_id,
            )
            for v in past + booked_today
        ])
        session.flush()
        profiles, counts = _profiles(random.Random(f"{seed}:profiles"), people, regulars, staff_ids, menu, now)
        session.add_all(profiles)
        session.flush()
        client_search.reindex_all(session)
        summary = DemoSummary(
            location=location.code, location_name=location.name, business_date=today,
            staff=(OWNER, *(member for member, _, _ in TEAM)), services=len(SERVICE_MENU),
            products=len(PRODUCTS), clients=len(people), appointments_past=len(past),
            appointments_today=len(booked_today),
        )
        audit.record(session, actor=owner, action="demo.build", entity="location", entity_id=location.id,
                     location_id=location.id, after={
                         "seed": seed, "days": days, "clients": summary.clients,
                         "services": summary.services, "products": summary.products,
                         "appointments_past": summary.appointments_past,
                         "appointments_today": summary.appointments_today,
                         "no_shows": sum(no_shows.values()), "business_date": today, **counts,
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
          gaps: Sequence[int]) -> list[tuple[datetime, datetime, str]]:
    """A stylist's back-to-back slots in [start, end): never overlapping, by construction."""
    slots, at = [], start
    while True:
        at += timedelta(minutes=rng.choice(gaps))
        fitting = [(code, minutes) for code, minutes in services if at + timedelta(minutes=minutes) <= end]
        if not fitting:
            return slots
        code, minutes = rng.choice(fitting)
        slots.append((at, at + timedelta(minutes=minutes), code))
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

    def pick(self, service: str) -> int:
        weights = self.audience.weights_for(service)
        for _ in range(8):
            index = self.rng.choices(self.population, weights)[0]
            if index not in self.taken:
                break
        self.taken.add(index)
        return index


def _history(rng: random.Random, today: date, days: int, tz: ZoneInfo,
             menu: dict[str, list[tuple[str, int]]], audience: _Audience) -> list[_Visit]:
    visits = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() in CLOSED_WEEKDAYS:
            continue
        opening, closing = _hours(day, tz)
        gaps = QUIET_GAPS if day.weekday() in QUIET_WEEKDAYS else BUSY_GAPS
        clients = _ClientPicker(rng, audience)
        for code, services in menu.items():
            for start, end, service in _fill(rng, opening, closing, services, gaps):
                visits.append(_past_visit(rng, code, service, start, end, clients))
    return visits


def _past_visit(rng: random.Random, staff_code: str, service: str, start: datetime, end: datetime,
                clients: _ClientPicker) -> _Visit:
    minutes = timedelta(minutes=1)
    if rng.random() < 0.05:  # a walk-in, sometimes never asked for a name
        client = clients.pick(service) if rng.random() < 0.5 else None
        return _Visit(staff_code, service, start, end, "completed", client, created_at=start, walk_in=True,
                      checked_in_at=start, completed_at=end + rng.randint(0, 10) * minutes)
    visit = _Visit(staff_code, service, start, end, "completed", clients.pick(service),
                   created_at=start - timedelta(days=rng.randint(2, 21), minutes=rng.randint(0, 600)))
    roll = rng.random()
    if roll < 0.82:
        visit.checked_in_at = start - rng.randint(-8, 12) * minutes  # early, or a little late
        visit.completed_at = end + rng.randint(-5, 10) * minutes
    elif roll < 0.88:
        visit.status = "no_show"
    elif roll < 0.95:
        visit.status = "cancelled"
        visit.cancelled_at = start - timedelta(hours=rng.randint(25, 47))
    else:
        visit.status = "late_cancelled"
        visit.cancelled_at = start - rng.randint(60, 23 * 60) * minutes
    return visit


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
                slots = (_fill(rng, opening, start, services, BUSY_GAPS) + [(start, end, service)]
                         + _fill(rng, end, closing, services, BUSY_GAPS))
        if slots is None:
            slots = _fill(rng, opening, closing, services, BUSY_GAPS)
        for start, end, service in slots:
            visits.append(_today_visit(rng, code, service, start, end, now, clients))
    # One client who should be here by now and is not: left `booked` for no-show detection.
    overdue = [v for v in visits if v.status == "completed" and not v.walk_in]
    if overdue:
        late = rng.choice(overdue)
        late.status, late.checked_in_at, late.completed_at = "booked", None, None
    return visits


def _today_visit(rng: random.Random, staff_code: str, service: str, start: datetime, end: datetime,
                 now: datetime, clients: _ClientPicker) -> _Visit:
    minutes = timedelta(minutes=1)
    if end <= now and rng.random() < 0.08:
        return _Visit(staff_code, service, start, end, "completed", None, created_at=start, walk_in=True,
                      checked_in_at=start, completed_at=end)
    visit = _Visit(staff_code, service, start, end, "booked", clients.pick(service),
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
