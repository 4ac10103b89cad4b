"""The outbox: messages to clients, queued in the same transaction as what caused them.

A message is settled when it is queued: its channel and address (the client's choice; with none, SMS
to their phone, else e-mail), its language (the client's, else the location's), its wording (the
location's template, else the built-in one) and when it may go (`send_after`: its due time, moved to
the end of the location's quiet hours when it falls in them). One that cannot go is written `skipped`
with the reason, so the desk sees why a client heard nothing. What is not wanted is not written at all:
promotions to a client without marketing consent, appointment messages to one who chose `none`.

Each message carries a `dedupe_key` that is unique in the database, and rows go in with
`INSERT ... ON CONFLICT DO NOTHING`: two runs at once, or a run and a booking, queue it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.message_text import (
    ABOUT_AN_APPOINTMENT, PROMOTIONS, local_date, local_when, outside_quiet_hours, render,
)
from salon_cli.db.models import Appointment, Client, ClientPref, Outbox, Penalty, Policy
from salon_cli.services.salon import audit
from salon_cli.services.messages import templates
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

_CHUNK = 500
# How the communication log names each message.
LOG_PURPOSE = {"confirmation": "confirmation", "reminder": "reminder", "no_show_notice": "no_show",
               "birthday": "birthday", "win_back": "win_back", "birthday_offer": "birthday",
               "birthday_gift": "birthday"}


class AppointmentFacts(NamedTuple):
    """What a message says of an appointment (an `Appointment` row has these too)."""

    id: int | None
    starts_at: datetime
    service_id: int
    staff_id: int


class PenaltyFacts(NamedTuple):
    """What a message says of a penalty (a `Penalty` row has these too)."""

    id: int | None
    amount_cents: int


class OfferFacts(NamedTuple):
    """What a birthday offer's message says of the client's personal code (`services.benefits.birthdays`)."""

    offer: str  # the birthday offer's own code (BDAY)
    code: str  # the client's personal code (BDAY-K7QM)
    kind: str  # the promotion's kind and value, told in words in the client's language
    value: int
    last_day: date


class GiftFacts(NamedTuple):
    """What a membership's birthday gift's message says of it."""

    code: str  # the redemption code
    reward: str  # the reward's name
    birthday_year: int


@dataclass(frozen=True)
class Draft:
    """A message to queue: what it is about and when it is due; the rest is worked out from the client."""

    template: str
    client_id: int
    dedupe_key: str
    due: datetime
    appointment: Appointment | AppointmentFacts | None = None
    penalty: Penalty | PenaltyFacts | None = None
    last_visit: date | None = None
    offer: OfferFacts | None = None  # a birthday_offer's
    gift: GiftFacts | None = None  # a birthday_gift's
    lead: str | None = None  # a reminder's: 24h | 1h
    created_by_id: int | None = None


@dataclass(frozen=True)
class Contact:
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    marketing_consent: bool
    merged: bool
    channel: str | None
    reminder: str
    language: str | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class MessageView:
    """An outbox row as `send-reminders` and the communication log show it (`id` None: a dry run's)."""

    id: int | None
    client_id: int
    client: str
    template: str
    purpose: str
    channel: str
    recipient: str | None
    language: str
    status: str
    send_after: datetime
    attempts: int
    appointment_id: int | None
    subject: str | None
    body: str
    error: str | None
    provider_id: str | None = None
    sent_at: datetime | None = None
    next_attempt_at: datetime | None = None
    dedupe_key: str = ""
    created_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_row(cls, row: dict[str, Any], client: str = "") -> MessageView:
        """From the values of a row being written (no ORM object: a no-show run writes thousands)."""
        return cls(**{k: row[k] for k in _VIEW_FIELDS}, client=client, payload=shown_payload(row["payload"]))

    @classmethod
    def of(cls, row: Outbox, client: str = "") -> MessageView:
        return cls(id=row.id, client_id=row.client_id, client=client, template=row.template, purpose=row.purpose,
                   channel=row.channel, recipient=row.recipient, language=row.language, status=row.status,
                   send_after=row.send_after, attempts=row.attempts, appointment_id=row.appointment_id,
                   subject=row.subject, body=row.body, error=row.error, provider_id=row.provider_id,
                   sent_at=row.sent_at, next_attempt_at=row.next_attempt_at, dedupe_key=row.dedupe_key,
                   created_at=row.created_at, payload=shown_payload(row.payload))


def shown_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A message's payload as lists show it: an attachment by its name, type and size, not its bytes."""
    shown = dict(payload or {})
    if shown.get("attachments"):
        shown["attachments"] = [{"filename": a.get("filename"), "content_type": a.get("content_type"),
                                 "bytes": _decoded_size(a.get("data_base64") or "")} for a in shown["attachments"]]
    return shown


def _decoded_size(data: str) -> int:
    return len(data) * 3 // 4 - data[-2:].count("=")


_VIEW_FIELDS = tuple(f for f in MessageView.__dataclass_fields__ if f not in ("client", "payload"))


def contacts(session: Session, client_ids: Sequence[int]) -> dict[int, Contact]:
    """Names, addresses, consent and message preferences of many clients, a query per 500."""
    found: dict[int, Contact] = {}
    ids = sorted(set(client_ids))
    for start in range(0, len(ids), _CHUNK):
        query = (select(col(Client.id), Client.first_name, Client.last_name, Client.email, Client.phone,
                        Client.marketing_consent, Client.merged_into_id, ClientPref.channel, ClientPref.reminder,
                        ClientPref.language)
                 .outerjoin(ClientPref, col(ClientPref.client_id) == Client.id)
                 .where(col(Client.id).in_(ids[start:start + _CHUNK])))
        for cid, first, last, email, phone, consent, merged_into, channel, reminder, language in session.exec(query):
            found[cid] = Contact(id=cid, first_name=first, last_name=last, email=email, phone=phone,
                                 marketing_consent=consent, merged=merged_into is not None, channel=channel,
                                 reminder=reminder or "24h", language=language)
    return found


def address(contact: Contact) -> tuple[str, str | None, str | None]:
    """(channel, address, why it cannot go): the client's channel, else SMS to a phone, else e-mail."""
    if contact.channel == "email":
        return "email", contact.email, None if contact.email else "the client has no e-mail address"
    if contact.channel in ("sms", "whatsapp"):
        return contact.channel, contact.phone, None if contact.phone else f"the client has no phone for {contact.channel}"
    if contact.phone:
        return "sms", contact.phone, None
    if contact.email:
        return "email", contact.email, None
    return "sms", None, "the client has no phone or e-mail address"


def wanted(template: str, contact: Contact) -> bool:
    """Whether the client wants this kind of message at all (promotions: consent; appointment
    messages: a reminder choice other than `none`)."""
    if contact.merged:
        return False
    if template in PROMOTIONS:
        return contact.marketing_consent
    if template in ABOUT_AN_APPOINTMENT:
        return contact.reminder != "none"
    return True


def _values(session: Session, draft: Draft, contact: Contact, location: LocationView, policy: Policy,
            language: str, known: tuple[dict[int, str], dict[int, str]]) -> dict[str, str]:
    values = {"client_first_name": contact.first_name, "client_last_name": contact.last_name,
              "location_name": location.name, "location_phone": location.phone or ""}
    if draft.appointment is not None:
        values.update(templates.appointment_values(session, draft.appointment, location, language, known))
    if draft.penalty is not None:
        values.update(templates.penalty_values(draft.penalty, location, policy.payment_url, language))
    if draft.last_visit is not None:
        values["last_visit_date"] = local_date(draft.last_visit, language)
    if draft.offer is not None:
        values.update(offer_code=draft.offer.code, last_day=local_date(draft.offer.last_day, language),
                      offer_text=templates.offer_words(draft.offer.kind, draft.offer.value, location.currency, language))
    if draft.gift is not None:
        values.update(gift_code=draft.gift.code, reward_name=draft.gift.reward)
    return values


def _row(session: Session, draft: Draft, contact: Contact, location: LocationView, policy: Policy,
         wording: templates.Wording, known: tuple[dict[int, str], dict[int, str]], now: datetime) -> dict[str, Any]:
    channel, recipient, problem = address(contact)
    language = contact.language or policy.message_language
    values = _values(session, draft, contact, location, policy, language, known)
    subject, body, _ = wording[(draft.template, language)]
    send_after = outside_quiet_hours(draft.due, location.tz, policy.quiet_hours_start_min, policy.quiet_hours_end_min)
    appt = draft.appointment
    if problem is None and appt is not None and draft.template in ABOUT_AN_APPOINTMENT and send_after >= appt.starts_at:
        problem = (f"quiet hours until {local_when(send_after, location.tz, 'en')}; "
                   f"the appointment starts {local_when(appt.starts_at, location.tz, 'en')}"
                   if send_after > draft.due else f"appointment {appt.id} has already started")
    payload: dict[str, Any] = {}
    if appt is not None:
        payload["starts_at"] = appt.starts_at.isoformat()
    if draft.lead:
        payload["lead"] = draft.lead
    if draft.offer is not None:
        payload["birthday_offer"] = {**draft.offer._asdict(), "last_day": draft.offer.last_day.isoformat()}
    if draft.gift is not None:
        payload["birthday_gift"] = draft.gift._asdict()
    return {
        "dedupe_key": draft.dedupe_key, "location_id": location.id, "client_id": contact.id,
        "appointment_id": appt.id if appt is not None else None,
        "penalty_id": draft.penalty.id if draft.penalty is not None else None,
        "template": draft.template, "purpose": "promotion" if draft.template in PROMOTIONS else "service",
        "channel": channel, "recipient": recipient, "language": language,
        "subject": render(subject, values)[:200] if channel == "email" else None,
        "body": render(body, values)[:4000], "payload": payload,
        "status": "skipped" if problem else "queued", "send_after": send_after,
        "next_attempt_at": None if problem else send_after, "attempts": 0, "provider_id": None,
        "error": problem[:500] if problem else None, "created_at": now, "created_by_id": draft.created_by_id,
        "sent_at": None, "updated_at": None,
    }


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(session.exec(select(Outbox.dedupe_key).where(
            col(Outbox.dedupe_key).in_(list(keys[start:start + _CHUNK])))).all())
    return found


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the rows whose key is new, in batches: {key: id} of those inserted (a key taken meanwhile,
    by another run or a booking, is left as it is)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect in use: its INSERT ... ON CONFLICT
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Outbox.__table__  # type: ignore[attr-defined]
    statement = (insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(table.c.id, table.c.dedupe_key))
    inserted: dict[str, int] = {}
    for start in range(0, len(rows), _CHUNK):
        inserted.update((key, ident) for ident, key in session.execute(statement, rows[start:start + _CHUNK]))
    return inserted


def queue(session: Session, *, location: LocationView, drafts: Sequence[Draft], actor: Actor,
          dry_run: bool = False) -> list[MessageView]:
    """Queue the drafts not queued before, in the caller's transaction (each with its audit row);
    a dry run only says what would be queued. Returns the messages written (or that would be)."""
    if not drafts:
        return []
    taken = existing_keys(session, [d.dedupe_key for d in drafts])
    drafts = [d for d in dict((d.dedupe_key, d) for d in drafts).values() if d.dedupe_key not in taken]
    people = contacts(session, [d.client_id for d in drafts])
    drafts = [d for d in drafts if d.client_id in people and wanted(d.template, people[d.client_id])]
    if not drafts:
        return []
    policy = policy_row(session, location)
    wording = templates.wording(session, location.id)
    now = clock.now()
    known = templates.names(session, [d.appointment for d in drafts if d.appointment is not None])
    rows = [_row(session, d, people[d.client_id], location, policy, wording, known, now) for d in drafts]
    if dry_run:
        return [MessageView.of_row({**r, "id": None}, people[r["client_id"]].name) for r in rows]
    ids = _insert_new(session, rows)
    written = [{**r, "id": ids[r["dedupe_key"]]} for r in rows if r["dedupe_key"] in ids]
    audit.record_many(session, actor=actor, location_id=location.id, rows=[
        ("message.skip" if r["status"] == "skipped" else "message.queue", "outbox", r["id"], None,
         {k: r[k] for k in ("template", "client_id", "channel", "status", "send_after", "dedupe_key", "error")})
        for r in written])
    return [MessageView.of_row(r, people[r["client_id"]].name) for r in written]


# ----------------------------------------------------------------------------- reading

def client_messages(session: Session, client_id: int, *, limit: int = 100) -> list[Outbox]:
    """A client's messages in the outbox, newest first."""
    return list(session.exec(select(Outbox).where(Outbox.client_id == client_id)
                             .order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc()).limit(limit)))


def messages(session: Session, *, location: LocationView, status: str | None = None, client_id: int | None = None,
             limit: int = 100) -> list[MessageView]:
    """The location's outbox, newest first."""
    query = (select(Outbox, Client).join(Client, col(Client.id) == Outbox.client_id)
             .where(Outbox.location_id == location.id))
    if status:
        query = query.where(Outbox.status == status)
    if client_id is not None:
        query = query.where(Outbox.client_id == client_id)
    query = query.order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc()).limit(limit)
    return [MessageView.of(m, f"{c.first_name} {c.last_name}".strip()) for m, c in session.exec(query)]


def outbox_views(session: Session, ids: Sequence[int]) -> list[MessageView]:
    """Outbox rows by id, in the order given, with their clients' names."""
    found: dict[int, MessageView] = {}
    for start in range(0, len(ids), _CHUNK):
        query = (select(Outbox, Client).join(Client, col(Client.id) == Outbox.client_id)
                 .where(col(Outbox.id).in_(list(ids[start:start + _CHUNK]))))
        found.update((m.id or 0, MessageView.of(m, f"{c.first_name} {c.last_name}".strip())) for m, c in session.exec(query))
    return [found[i] for i in ids if i in found]

