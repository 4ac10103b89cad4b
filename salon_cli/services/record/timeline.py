"""One client's story across every area, newest first: visits, sales, refunds, loyalty entries, notes
(as the reader may see them), the communication log and the messages the outbox holds for them.

Money and points are shown to every reader, as `salon sale list` and `salon loyalty history` show
them; only private notes depend on who reads (`clients.notes`). A sale is dated when it was paid
(voided, for a void; opened, for one still open), a refund when the money went back (asked, while it
is pending), a loyalty entry when it was written. A sale is named by its receipt: the external id an
import gave it, else `LOCATION:ID`, as `salon export sales` keys it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from salon_cli.core.money import format_money
from salon_cli.db.models import (Appointment, Communication, Location, LoyaltyAccount, LoyaltyEntry, Redemption,
                                 Refund, Sale, SaleLine, Service, Staff)
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.clients.profiles import get
from salon_cli.services.messages import outbox
from salon_cli.services.salon.actors import Actor

_ITEMS = 3  # a sale's first items named in its line; the rest counted


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # visit | sale | refund | loyalty | note | message
    ref: int  # the appointment's, sale's, refund's, entry's, note's or message's id
    summary: str
    amount_cents: int | None = None  # a sale's total; a refund's amount given back, negative
    points: int | None = None  # a loyalty entry's points, signed


def timeline(session: Session, *, client_id: int, reader: Actor | None, limit: int = 200,
             kinds: Collection[str] | None = None) -> list[TimelineEvent]:
    """Visits, sales, refunds, loyalty, notes (as `reader` may see them) and messages, newest first;
    only the `kinds` given (`visit`, `sale`, `refund`, `loyalty`, `note`, `message`) when given."""
    get(session, client_id)
    if kinds is not None and set(kinds) == {"visit"}:  # the card's past visits: no money or notes to read
        return _visits(session, client_id, limit)
    if kinds is not None:
        return [e for e in timeline(session, client_id=client_id, reader=reader, limit=limit) if e.kind in kinds]
    events: list[TimelineEvent] = _visits(session, client_id, limit)
    events += _sales(session, client_id, limit)
    events += _refunds(session, client_id, limit)
    events += _loyalty(session, client_id, limit)
    for note in client_notes.notes(session, client_id=client_id, reader=reader, limit=limit).notes:
        label = f"{note.type}{', private' if note.private else ''}"
        events.append(TimelineEvent(note.created_at, "note", note.id, f"[{label}] {note.author}: {note.body}"))
    messages = session.exec(select(Communication).where(Communication.client_id == client_id)
                            .order_by(col(Communication.created_at).desc()).limit(limit)).all()
    for msg in messages:
        events.append(TimelineEvent(msg.created_at, "message", msg.id or 0,
                                    f"{msg.channel} {msg.purpose} ({msg.status}): {msg.body[:80]}"))
    for out in outbox.client_messages(session, client_id, limit=limit):
        events.append(TimelineEvent(out.created_at, "message", out.id or 0,
                                    f"{out.channel} {outbox.LOG_PURPOSE[out.template]} ({out.status}): {out.body[:80]}"))
    events.sort(key=lambda e: (e.at, e.kind, e.ref), reverse=True)
    return events[:limit]


def _visits(session: Session, client_id: int, limit: int) -> list[TimelineEvent]:
    visits = session.exec(
        select(Appointment, Service.name, Staff.code)
        .join(Service, col(Service.id) == Appointment.service_id)
        .join(Staff, col(Staff.id) == Appointment.staff_id)
        .where(Appointment.client_id == client_id)
        .order_by(col(Appointment.starts_at).desc()).limit(limit)
    ).all()
    return [TimelineEvent(appt.starts_at, "visit", appt.id or 0, f"{service} with {staff} ({appt.status})")
            for appt, service, staff in visits]


def _receipt(external_id: str | None, location: str, sale_id: int) -> str:
    return external_id or f"{location}:{sale_id}"


def _sales(session: Session, client_id: int, limit: int) -> list[TimelineEvent]:
    """The client's sales at every location, each with its status, total, receipt and first items."""
    rows = session.exec(
        select(Sale.id, Sale.status, Sale.total_cents, Sale.external_id, Sale.created_at, Sale.paid_at,
               Sale.voided_at, Location.code, Location.currency)
        .join(Location, col(Location.id) == Sale.location_id)
        .where(Sale.client_id == client_id)
        .order_by(col(Sale.created_at).desc(), col(Sale.id).desc()).limit(limit)
    ).all()
    items = _items(session, [int(r[0]) for r in rows])
    events = []
    for sale_id, status, total, external_id, created_at, paid_at, voided_at, place, currency in rows:
        at = (voided_at if status == "void" else paid_at) or created_at
        named = items.get(sale_id, [])
        what = ", ".join(named[:_ITEMS]) + (f" and {len(named) - _ITEMS} more" if len(named) > _ITEMS else "")
        summary = (f"{status} {format_money(total, currency)}, receipt {_receipt(external_id, place, sale_id)}"
                   + (f": {what}" if what else ""))
        events.append(TimelineEvent(at, "sale", sale_id, summary, amount_cents=total))
    return events


def _items(session: Session, sale_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not sale_ids:
        return found
    query = (select(SaleLine.sale_id, SaleLine.description, SaleLine.quantity)
             .where(col(SaleLine.sale_id).in_(list(sale_ids))).order_by(col(SaleLine.sale_id), col(SaleLine.position)))
    for sale_id, description, quantity in session.exec(query).all():
        found[sale_id].append(description if quantity == 1 else f"{quantity} x {description}")
    return found


def _refunds(session: Session, client_id: int, limit: int) -> list[TimelineEvent]:
    """Money given back from the client's sales (pending, failed and cancelled ones say so)."""
    rows = session.exec(
        select(Refund.id, Refund.sale_id, Refund.amount_cents, Refund.method, Refund.status, Refund.reason,
               Refund.created_at, Refund.succeeded_at, Sale.external_id, Location.code, Location.currency)
        .join(Sale, col(Sale.id) == Refund.sale_id)
        .join(Location, col(Location.id) == Sale.location_id)
        .where(Sale.client_id == client_id)
        .order_by(col(Refund.created_at).desc(), col(Refund.id).desc()).limit(limit)
    ).all()
    events = []
    for r in rows:
        summary = (f"{format_money(r.amount_cents, r.currency)} back by {r.method} from receipt "
                   f"{_receipt(r.external_id, r.code, r.sale_id)}"
                   + ("" if r.status == "succeeded" else f" ({r.status})") + (f": {r.reason}" if r.reason else ""))
        events.append(TimelineEvent(r.succeeded_at or r.created_at, "refund", r.id, summary,
                                    amount_cents=-r.amount_cents))
    return events


def _loyalty(session: Session, client_id: int, limit: int) -> list[TimelineEvent]:
    """The client's loyalty ledger: points and stamps earned, redeemed, expired, voided, adjusted."""
    rows = session.exec(
        select(LoyaltyEntry, Redemption.code)
        .join(LoyaltyAccount, col(LoyaltyAccount.id) == LoyaltyEntry.account_id)
        .outerjoin(Redemption, col(Redemption.id) == LoyaltyEntry.redemption_id)
        .where(LoyaltyAccount.client_id == client_id)
        .order_by(col(LoyaltyEntry.id).desc()).limit(limit)
    ).all()
    events = []
    for entry, code in rows:
        moved = [f"{n:+d} {word}{'' if abs(n) == 1 else 's'}"
                 for n, word in ((entry.points, "point"), (entry.stamps, "stamp")) if n]
        refs = [f"code {code}"] if code else []
        if not entry.reason:  # a reason names the sale or refund itself (`sale 12 (bronze)`, `refund 3 of sale 12`)
            refs = [f"sale {entry.sale_id}"] * bool(entry.sale_id) + [f"refund {entry.refund_id}"] * bool(
                entry.refund_id) + refs
        summary = (" ".join([entry.kind, *moved]) + (f" ({', '.join(refs)})" if refs else "")
                   + (f": {entry.reason}" if entry.reason else ""))
        events.append(TimelineEvent(entry.created_at, "loyalty", entry.id or 0, summary, points=entry.points))
    return events
