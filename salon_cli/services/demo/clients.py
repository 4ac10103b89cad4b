"""The demo salon's clients: two in three with Spanish names, one in three men, unique phones and
e-mails (on reserved example domains), and their profiles -- tags, notes, preferences and requests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import SQLModel

from salon_cli.core.codes import slug
from salon_cli.core.text import name_key
from salon_cli.db.models import Client, ClientNote, ClientPref, ClientPreferredStaff, ClientTag

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
# Reserved example domains (RFC 2606): a demo reminder can never reach a real inbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "example.com.mx")

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


def make_clients(rng: random.Random, count: int, since: datetime, location_id: int) -> tuple[list[Client], list[bool]]:
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


def make_profiles(rng: random.Random, people: Sequence[Client], regulars: Sequence[int],
                  staff_ids: dict[str, int | None], menu: dict[str, list[tuple[str, int]]],
                  now: datetime) -> tuple[list[SQLModel], dict[str, int]]:
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
                preferred_services=sorted(code for code, _ in rng.sample(menu[stylist], rng.choice((1, 2)))),
                requests=rng.choice(DEMO_REQUESTS) if rng.random() < 0.15 else None, updated_at=now))
            rows.append(ClientPreferredStaff(client_id=cid, staff_id=staff_ids[stylist], position=1))
            counts["prefs"] += 1
    return rows, dict(counts)
