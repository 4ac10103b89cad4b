"""Everything held about one client, as one JSON document (`salon client export-data`): the right of access.

Each part is the client's rows as stored (`audit.snapshot`: every column, JSON-safe, instants in UTC ISO-8601,
money in minor units), so that nothing held is left out by a view that shows less: the profile, tags,
preferences and preferred stylists, every note (private ones too: the client's own data, and the command
needs a manager's PIN), follow-ups, appointments with their services, sales with their lines and payments,
refunds, gift cards, loyalty (accounts, entries, lots, redemptions), memberships with their periods,
penalties, the communication log and the outbox's messages, photos (paths and captions), referrals (given
and received), promotions used and waitlist entries. Reading it is audited (`client.export_data`), without its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, SQLModel, col, or_, select

from salon_cli.core import clock
from salon_cli.core.errors import NotFound
from salon_cli.core.permissions import Permission
from salon_cli.db.models import (
    Appointment, AppointmentItem, Client, ClientFollowUp, ClientNote, ClientPhoto, ClientPref, ClientPreferredStaff,
    ClientTag, Communication, GiftCard, LoyaltyAccount, LoyaltyEntry, LoyaltyLot, Membership, MembershipPeriod,
    Outbox, Payment, Penalty, PromotionUse, Redemption, Referral, Refund, Sale, SaleLine, Staff, WaitlistEntry,
)
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize

FORMAT = "salon client data"
VERSION = 1
PERMISSION = Permission.notes_private_export  # every note, private ones too: a manager's or owner's PIN
# internal look-up columns, derived from what the document already holds
_INTERNAL = frozenset({"name_key"})


def _dump(row: SQLModel) -> dict[str, Any]:
    data = audit.snapshot(row) or {}
    return {k: v for k, v in data.items() if k not in _INTERNAL}


def _rows(session: Session, model: type[SQLModel], *where: Any, order: Any = None) -> list[SQLModel]:
    query = select(model).where(*where)
    pk = [c for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
    query = query.order_by(*(order if isinstance(order, Sequence) else [order] if order is not None else pk))
    return list(session.exec(query).all())


def _children(session: Session, model: type[SQLModel], column: Any, parents: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if parents:
        for row in _rows(session, model, col(column).in_(parents)):
            found.setdefault(getattr(row, column.key), []).append(_dump(row))
    return found


def _with(parents: list[SQLModel], key: str, children: dict[int, list[dict]]) -> list[dict[str, Any]]:
    return [{**_dump(p), key: children.get(p.id, [])} for p in parents]  # type: ignore[attr-defined]


def gather(session: Session, client_id: int) -> dict[str, Any]:
    """The document, read in the caller's transaction (no permission check: see `export_data`)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client {client_id}")
    staff = {s.id: s.code for s in session.exec(select(Staff)).all()}

    def owned(model: type[SQLModel]) -> list[SQLModel]:
        return _rows(session, model, model.client_id == client_id)  # type: ignore[attr-defined]

    notes = [{**_dump(n), "author": staff.get(n.author_id), "edited_by": staff.get(n.edited_by_id)}
             for n in owned(ClientNote)]  # type: ignore[attr-defined]
    preferred = [{**_dump(p), "staff": staff.get(p.staff_id)}  # type: ignore[attr-defined]
                 for p in _rows(session, ClientPreferredStaff, ClientPreferredStaff.client_id == client_id,
                                order=col(ClientPreferredStaff.position))]
    appts = owned(Appointment)
    sales = owned(Sale)
    sale_ids = [s.id for s in sales]  # type: ignore[attr-defined]
    lines = _children(session, SaleLine, SaleLine.sale_id, sale_ids)
    payments = _children(session, Payment, Payment.sale_id, sale_ids)
    accounts = owned(LoyaltyAccount)
    account_ids = [a.id for a in accounts]  # type: ignore[attr-defined]
    memberships = owned(Membership)
    pref = session.get(ClientPref, client_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": clock.now().isoformat(),
        "client": _dump(client),
        "tags": [t.tag for t in _rows(session, ClientTag, ClientTag.client_id == client_id, order=col(ClientTag.tag))],
        "preferences": _dump(pref) if pref is not None else None,
        "preferred_stylists": preferred,
        "notes": notes,
        "follow_ups": [_dump(r) for r in owned(ClientFollowUp)],
        "appointments": _with(appts, "items", _children(
            session, AppointmentItem, AppointmentItem.appointment_id, [a.id for a in appts])),  # type: ignore[attr-defined]
        "sales": [{**_dump(s), "lines": lines.get(s.id, []), "payments": payments.get(s.id, [])}  # type: ignore[attr-defined]
                  for s in sales],
        "refunds": [_dump(r) for r in _rows(session, Refund, col(Refund.sale_id).in_(sale_ids))] if sale_ids else [],
        "gift_cards": [_dump(r) for r in owned(GiftCard)],
        "loyalty": {
            "accounts": [_dump(a) for a in accounts],
            "entries": _flat(session, LoyaltyEntry, LoyaltyEntry.account_id, account_ids),
            "lots": _flat(session, LoyaltyLot, LoyaltyLot.account_id, account_ids),
            "redemptions": _flat(session, Redemption, Redemption.account_id, account_ids),
        },
        "memberships": _with(memberships, "periods", _children(
            session, MembershipPeriod, MembershipPeriod.membership_id, [m.id for m in memberships])),  # type: ignore[attr-defined]
        "penalties": [_dump(r) for r in owned(Penalty)],
        "communications": [_dump(r) for r in owned(Communication)],
        "messages": [_dump(r) for r in owned(Outbox)],
        "photos": [_dump(r) for r in owned(ClientPhoto)],
        "referrals": [_dump(r) for r in _rows(session, Referral, or_(Referral.referrer_id == client_id,
                                                                      Referral.referred_id == client_id))],
        "promotion_uses": [_dump(r) for r in owned(PromotionUse)],
        "waitlist": [{**_dump(r), "staff": staff.get(r.staff_id)} for r in owned(WaitlistEntry)],  # type: ignore[attr-defined]
    }


def _flat(session: Session, model: type[SQLModel], column: Any, parents: list[int]) -> list[dict[str, Any]]:
    return [_dump(r) for r in _rows(session, model, col(column).in_(parents))] if parents else []


def export_data(session: Session, *, actor: Actor, client_id: int) -> dict[str, Any]:
    """The document, for a manager or owner (private notes included); the reading is audited."""
    authorize(actor, PERMISSION)
    document = gather(session, client_id)
    audit.record(session, actor=actor, action="client.export_data", entity="client", entity_id=client_id,
                 after={"parts": {k: len(v) for k, v in document.items() if isinstance(v, list)}})
    return document
