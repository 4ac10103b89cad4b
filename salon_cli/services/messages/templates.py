"""Message templates: each location's own wording per message and language, else the built-in text.

A template is checked when it is saved: every `{placeholder}` must be one its message knows
(`core.message_text.PLACEHOLDERS`), so a typo is refused at the desk rather than sent to clients.
Changing one is a manager's action (the policy permission: it is part of the location's rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.core.message_text import (
    BODY_MAX, KINDS, LANGUAGES, PLACEHOLDERS, SUBJECT_MAX, check_kind, check_language, check_template, local_date,
    local_time, local_when, render,
)
from salon_cli.core.money import format_percent
from salon_cli.i18n import formats
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Appointment, Client, ClientPref, MessageTemplate, Service, Staff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

# (subject for e-mail, body) of each message in each language.
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("confirmation", "es"): (
        "Tu cita en {location_name}",
        "Hola {client_first_name}, tu cita de {service} con {staff_name} quedó agendada para el "
        "{starts_at_local} en {location_name}. Si no puedes venir, avísanos con tiempo."),
    ("confirmation", "en"): (
        "Your appointment at {location_name}",
        "Hi {client_first_name}, your {service} appointment with {staff_name} is booked for "
        "{starts_at_local} at {location_name}. If you can't make it, please let us know in advance."),
    ("reminder", "es"): (
        "Recordatorio: tu cita del {date_local}",
        "Hola {client_first_name}, te recordamos tu cita de {service} con {staff_name} el {starts_at_local} "
        "en {location_name}. ¡Te esperamos!"),
    ("reminder", "en"): (
        "Reminder: your appointment on {date_local}",
        "Hi {client_first_name}, a reminder of your {service} appointment with {staff_name} on "
        "{starts_at_local} at {location_name}. See you soon!"),
    ("no_show_notice", "es"): (
        "Tu cita del {date_local} en {location_name}",
        "Hola {client_first_name}, te esperábamos el {starts_at_local} para {service} y no llegaste. "
        "Según nuestra política se generó un cargo de {penalty_amount}. Puedes pagarlo en {payment_link}. "
        "Si hubo un error, contáctanos."),
    ("no_show_notice", "en"): (
        "Your appointment on {date_local} at {location_name}",
        "Hi {client_first_name}, we expected you on {starts_at_local} for {service} and missed you. "
        "Under our policy a fee of {penalty_amount} applies. You can pay it at {payment_link}. "
        "If this is a mistake, please contact us."),
    ("birthday", "es"): (
        "¡Feliz cumpleaños, {client_first_name}!",
        "¡Feliz cumpleaños, {client_first_name}! Todo el equipo de {location_name} te desea un gran día."),
    ("birthday", "en"): (
        "Happy birthday, {client_first_name}!",
        "Happy birthday, {client_first_name}! Everyone at {location_name} wishes you a wonderful day."),
    ("win_back", "es"): (
        "Te extrañamos en {location_name}",
        "Hola {client_first_name}, hace tiempo que no te vemos en {location_name}. Reserva tu próxima cita "
        "y consiéntete: te estamos esperando."),
    ("win_back", "en"): (
        "We miss you at {location_name}",
        "Hi {client_first_name}, it's been a while since we saw you at {location_name}. Book your next visit "
        "and treat yourself: we'd love to see you."),
    # a birthday offer's personal code (services.benefits.birthdays): a promotion
    ("birthday_offer", "es"): (
        "Un regalo de cumpleaños de {location_name}",
        "¡Feliz cumpleaños, {client_first_name}! Para celebrarlo tienes {offer_text} con tu código {offer_code}, "
        "válido hasta el {last_day}. Te esperamos en {location_name}."),
    ("birthday_offer", "en"): (
        "A birthday treat from {location_name}",
        "Happy birthday, {client_first_name}! To celebrate, you have {offer_text} with your code {offer_code}, "
        "valid until {last_day}. See you at {location_name}."),
    # a membership's birthday gift: part of the member's plan, a service message
    ("birthday_gift", "es"): (
        "Tu regalo de cumpleaños en {location_name}",
        "¡Feliz cumpleaños, {client_first_name}! Tu membresía te regala {reward_name}: muestra el código "
        "{gift_code} en tu próxima visita a {location_name}."),
    ("birthday_gift", "en"): (
        "Your birthday gift at {location_name}",
        "Happy birthday, {client_first_name}! Your membership gives you {reward_name}: show the code "
        "{gift_code} on your next visit to {location_name}."),
}
# {payment_link} when the location has no payment page: where the client pays instead.
AT_THE_DESK = {"es": "recepción", "en": "the front desk"}

def offer_words(kind: str, value: int, currency: str, language: str) -> str:
    """What a birthday offer gives, as its message says it: '20% de descuento' / '20% off'."""
    if kind == "percent":
        amount = format_percent(value)
    elif kind == "amount":
        amount = formats.money(value, currency, lang=language)
    elif kind == "free_service":
        return "un servicio de regalo" if language == "es" else "a service on us"
    else:
        whole, frac = divmod(value, 10000)
        factor = f"{whole}" if not frac else f"{whole}.{frac:04d}".rstrip("0")
        return f"{factor} veces los puntos" if language == "es" else f"{factor} times the points"
    return f"{amount} de descuento" if language == "es" else f"{amount} off"


@dataclass(frozen=True)
class TemplateView:
    location: str
    kind: str
    language: str
    source: str  # default | custom
    subject: str
    body: str
    placeholders: list[str]
    updated_at: datetime | None


@dataclass(frozen=True)
class Preview:
    kind: str
    language: str
    source: str
    subject: str
    body: str
    values: dict[str, str]


Wording = dict[tuple[str, str], tuple[str, str, str]]  # (kind, language) -> (subject, body, source)


def wording(session: Session, location_id: int) -> Wording:
    """Every message's wording at a location, custom over built-in, in one query."""
    found: Wording = {key: (subject, body, "default") for key, (subject, body) in DEFAULTS.items()}
    for row in session.exec(select(MessageTemplate).where(MessageTemplate.location_id == location_id)):
        default_subject = DEFAULTS[(row.kind, row.language)][0]
        found[(row.kind, row.language)] = (row.subject or default_subject, row.body, "custom")
    return found


def _row(session: Session, location: LocationView, kind: str, language: str, *, lock: bool = False) -> MessageTemplate | None:
    query = select(MessageTemplate).where(MessageTemplate.location_id == location.id, MessageTemplate.kind == kind,
                                          MessageTemplate.language == language)
    return session.exec(query.with_for_update() if lock else query).first()


def list_templates(session: Session, *, location: LocationView, kind: str | None = None,
                   language: str | None = None) -> list[TemplateView]:
    kinds = [check_kind(kind)] if kind else list(KINDS)
    languages = [check_language(language)] if language else list(LANGUAGES)
    custom = {(r.kind, r.language): r for r in session.exec(
        select(MessageTemplate).where(MessageTemplate.location_id == location.id))}
    shown = []
    for k in kinds:
        for lang in languages:
            row = custom.get((k, lang))
            subject, body = DEFAULTS[(k, lang)]
            shown.append(TemplateView(
                location=location.code, kind=k, language=lang, source="custom" if row else "default",
                subject=(row.subject or subject) if row else subject, body=row.body if row else body,
                placeholders=list(PLACEHOLDERS[k]), updated_at=row.updated_at if row else None))
    return shown


def _clean(text: str | None, *, what: str, limit: int) -> str | None:
    if text is None:
        return None
    value = text.strip()
    if not value:
        raise InvalidInput(f"{what} is empty")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return value


def _language(session: Session, location: LocationView, language: str | None) -> str:
    return check_language(language) if language else policy_row(session, location).message_language


def set_template(session: Session, *, actor: Actor, location: LocationView, kind: str, language: str | None = None,
                 body: str | None = None, subject: str | None = None) -> TemplateView:
    """Save the location's wording of a message (body, e-mail subject or both) in `language` (default:
    the location's); every placeholder is checked first, and nothing changes when one is unknown."""
    authorize(actor, Permission.policy_manage)
    kind, language = check_kind(kind), _language(session, location, language)
    if body is None and subject is None:
        raise InvalidInput("nothing to change", hint="give --body TEXT, --subject TEXT or both")
    body = _clean(body, what="the body", limit=BODY_MAX)
    subject = _clean(subject, what="the subject", limit=SUBJECT_MAX)
    if body is not None:
        check_template(kind, body, what=f"{kind} ({language}) body")
    if subject is not None:
        check_template(kind, subject, what=f"{kind} ({language}) subject")
        if "\n" in subject:
            raise InvalidInput("the subject is one line")
    row = _row(session, location, kind, language, lock=True)
    before = audit.snapshot(row)
    now = clock.now()
    if row is None:
        row = MessageTemplate(location_id=location.id, kind=kind, language=language, subject=subject,
                              body=body or DEFAULTS[(kind, language)][1], updated_at=now, updated_by_id=actor.id)
    else:
        row.body = body if body is not None else row.body
        row.subject = subject if subject is not None else row.subject
        row.updated_at, row.updated_by_id = now, actor.id
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="template.set", entity="message_template", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row))
    return list_templates(session, location=location, kind=kind, language=language)[0]


def reset_template(session: Session, *, actor: Actor, location: LocationView, kind: str,
                   language: str | None = None) -> TemplateView:
    """Go back to the built-in wording (a location with none of its own: nothing to do, refused)."""
    authorize(actor, Permission.policy_manage)
    kind, language = check_kind(kind), _language(session, location, language)
    row = _row(session, location, kind, language, lock=True)
    if row is None:
        raise NotFound(f"{location.code} has no wording of its own for {kind} ({language})")
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor=actor, action="template.reset", entity="message_template", entity_id=before["id"] if before else None,
                 location_id=location.id, before=before)
    return list_templates(session, location=location, kind=kind, language=language)[0]


# ----------------------------------------------------------------------------- values

def names(session: Session, appts: Sequence[Any]) -> tuple[dict[int, str], dict[int, str]]:
    """The services' and staff members' names of many appointments, a query each."""
    services = {a.service_id for a in appts}
    members = {a.staff_id for a in appts}
    return (dict(session.exec(select(Service.id, Service.name).where(col(Service.id).in_(sorted(services)))).all())
            if services else {},
            dict(session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(sorted(members)))).all())
            if members else {})


def appointment_values(session: Session, appt: Any, location: LocationView, language: str,
                       known: tuple[dict[int, str], dict[int, str]] | None = None) -> dict[str, str]:
    """What an appointment's messages say about it (`known`: the names, from `names`, for many)."""
    services, members = known or names(session, [appt])
    local = appt.starts_at.astimezone(location.tz)
    return {
        "service": services.get(appt.service_id, ""),
        "staff_name": members.get(appt.staff_id, ""),
        "starts_at_local": local_when(appt.starts_at, location.tz, language),
        "date_local": local_date(local.date(), language),
        "time_local": local_time(local, language),
    }


def penalty_values(penalty: Any, location: LocationView, payment_url: str | None, language: str) -> dict[str, str]:
    link = payment_url.replace("{penalty_id}", str(penalty.id)) if payment_url else AT_THE_DESK[language]
    return {"penalty_amount": formats.money(penalty.amount_cents, location.currency, lang=language),
            "payment_link": link}


def client_values(client: Client, location: LocationView) -> dict[str, str]:
    return {"client_first_name": client.first_name, "client_last_name": client.last_name,
            "location_name": location.name, "location_phone": location.phone or ""}


def _sample(kind: str, location: LocationView, language: str) -> dict[str, str]:
    at = clock.now().replace(second=0, microsecond=0) + timedelta(days=1)
    local = at.astimezone(location.tz).replace(minute=0)
    sample: dict[str, Any] = {
        "client_first_name": "Ximena", "client_last_name": "Jiménez", "location_name": location.name,
        "location_phone": location.phone or "", "service": "Corte" if language == "es" else "Haircut",
        "staff_name": "Ana", "starts_at_local": local_when(local, location.tz, language),
        "date_local": local_date(local.date(), language), "time_local": local_time(local, language),
        "penalty_amount": formats.money(17500, location.currency, lang=language), "payment_link": AT_THE_DESK[language],
        "last_visit_date": local_date((local - timedelta(days=120)).date(), language),
        "offer_code": "BDAY-K7QM", "offer_text": offer_words("percent", 2000, location.currency, language),
        "last_day": local_date((local + timedelta(days=7)).date(), language),
        "gift_code": "K7QM-3XPD", "reward_name": "Corte de cumpleaños" if language == "es" else "Birthday haircut",
    }
    return {k: sample[k] for k in PLACEHOLDERS[kind]}


def preview(session: Session, *, location: LocationView, kind: str, language: str | None = None,
            appointment_id: int | None = None, client_id: int | None = None) -> Preview:
    """A message as it would go out: with an appointment's (or a client's) own values, else a sample's;
    in `language`, else the client's, else the location's."""
    kind = check_kind(kind)
    language = check_language(language) if language else None
    appt = None
    if appointment_id is not None:
        appt = session.get(Appointment, appointment_id)
        if appt is None or appt.location_id != location.id:
            raise NotFound(f"no appointment {appointment_id} at {location.code}", hint="see: salon appt list")
        client_id = client_id if client_id is not None else appt.client_id
    client = None
    if client_id is not None:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound(f"no client {client_id}")
        pref = session.get(ClientPref, client_id)
        language = language or (pref.language if pref else None)
    language = language or policy_row(session, location).message_language
    values = _sample(kind, location, language)
    if appt is not None:
        values.update({k: v for k, v in appointment_values(session, appt, location, language).items() if k in values})
    if client is not None:
        values.update({k: v for k, v in client_values(client, location).items() if k in values})
    subject, body, source = wording(session, location.id)[(kind, language)]
    return Preview(kind=kind, language=language, source=source, subject=render(subject, values),
                   body=render(body, values), values=values)
