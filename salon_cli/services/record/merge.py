"""Merging a duplicate client into the one kept: everything moves, the duplicate stays as a pointer."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from salon_cli.core import clock
from salon_cli.core.errors import NotFound, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import (
    Appointment, Client, ClientFollowUp, ClientNote, ClientPhoto, ClientPref, ClientPreferredStaff, ClientSearchKey,
    ClientTag, Communication, GiftCard, Membership, Outbox, Penalty, Promotion, PromotionUse, Referral, Sale,
)
from salon_cli.services.salon import audit
from salon_cli.services.clients import search as client_search
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.loyalty import ledger as loyalty_ledger
from salon_cli.services.book import waitlist

# Every table whose rows belong to a client through `client_id` and simply move to the kept one.
# Later areas (sales, loyalty, memberships) add their tables here; a test fails if one is forgotten.
MOVED: tuple[type[SQLModel], ...] = (Appointment, Penalty, ClientNote, Communication, ClientPhoto, Sale, GiftCard,
                                     Outbox, ClientFollowUp, Promotion, PromotionUse)
# Tables moved by a rule of their own (below).
SPECIAL = frozenset({"client_tag", "client_pref", "client_preferred_staff", "client_search_key", "loyalty_account",
                     "membership", "referral", "waitlist_entry"})


@dataclass(frozen=True)
class MergeResult:
    kept_id: int
    merged_id: int
    moved: dict[str, int]


def _client(session: Session, client_id: int) -> Client:
    row = session.exec(select(Client).where(Client.id == client_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"no client {client_id}")
    return row


def merge(session: Session, *, actor: Actor, keep_id: int, duplicate_id: int) -> MergeResult:
    authorize(actor, Permission.client_merge)
    if keep_id == duplicate_id:
        raise RuleViolation("a client cannot be merged into itself")
    # lock both rows in id order, so two merges of the same pair cannot deadlock
    first, second = sorted((keep_id, duplicate_id))
    rows = {first: _client(session, first), second: _client(session, second)}
    keep, dup = rows[keep_id], rows[duplicate_id]
    if keep.merged_into_id is not None:
        raise RuleViolation(f"client {keep_id} was merged into {keep.merged_into_id}; keep that one instead")
    if dup.merged_into_id is not None:
        raise RuleViolation(f"client {duplicate_id} is already merged into {dup.merged_into_id}")
    before = {"keep": audit.snapshot(keep), "duplicate": audit.snapshot(dup)}
    moved: dict[str, int] = {"membership": _move_memberships(session, keep_id, duplicate_id)}
    for model in MOVED:
        table = model.__table__  # type: ignore[attr-defined]
        result = session.execute(sa.update(table).where(table.c.client_id == duplicate_id).values(client_id=keep_id))
        moved[table.name] = result.rowcount or 0
    moved["client_tag"] = _move_tags(session, keep_id, duplicate_id)
    moved["client_pref"] = _move_prefs(session, keep_id, duplicate_id)
    moved["client_preferred_staff"] = _move_preferred_staff(session, keep_id, duplicate_id)
    moved["referral"] = _move_referrals(session, keep_id, duplicate_id)
    moved["waitlist_entry"] = waitlist.move_client(session, keep_id, duplicate_id)  # the client waits once

    moved["loyalty_account"] = loyalty_ledger.merge_accounts(session, keep_id, duplicate_id)
    keep.no_show_count += dup.no_show_count
    keep.deposit_required = keep.deposit_required or dup.deposit_required
    for field in ("phone", "phone_raw", "email", "birthday", "gender", "street", "city", "state", "postal_code",
                  "country", "phone2", "email2", "occupation", "emergency_name", "emergency_phone", "external_code"):
        if getattr(keep, field) is None and getattr(dup, field) is not None:
            setattr(keep, field, getattr(dup, field))
            if field in ("phone", "email", "external_code"):
                setattr(dup, field, None)  # one client owns a contact; the pointer row keeps none
    if keep.stripe_customer_id is None and dup.stripe_customer_id is not None:  # the saved card goes with its customer
        keep.stripe_customer_id, keep.stripe_payment_method_id = dup.stripe_customer_id, dup.stripe_payment_method_id
    keep.marketing_consent = keep.marketing_consent or dup.marketing_consent
    dup.merged_into_id = keep.id
    now = clock.now()
    keep.updated_at = dup.updated_at = now
    session.add(keep)
    session.add(dup)
    session.execute(sa.delete(ClientSearchKey).where(col(ClientSearchKey.client_id) == duplicate_id))
    session.flush()
    client_search.index_client(session, keep)
    audit.record(session, actor=actor, action="client.merge", entity="client", entity_id=keep.id,
                 before=before, after={"keep": audit.snapshot(keep), "merged_id": duplicate_id, "moved": moved})
    return MergeResult(kept_id=keep_id, merged_id=duplicate_id, moved=moved)


def _move_memberships(session: Session, keep_id: int, dup_id: int) -> int:
    """Memberships move; a client holds one live (active or paused) membership, so two live ones refuse."""
    live = ("active", "paused")
    both = [session.exec(select(Membership.id).where(Membership.client_id == cid, col(Membership.status).in_(live))
                         ).first() for cid in (keep_id, dup_id)]
    if all(m is not None for m in both):
        raise RuleViolation(f"clients {keep_id} and {dup_id} both hold a live membership ({both[0]} and {both[1]})",
                            hint=f"cancel one first: salon membership cancel {dup_id} --now --reason duplicate")
    result = session.execute(sa.update(Membership).where(col(Membership.client_id) == dup_id).values(client_id=keep_id))
    return result.rowcount or 0


def _move_tags(session: Session, keep_id: int, dup_id: int) -> int:
    kept = set(session.exec(select(ClientTag.tag).where(ClientTag.client_id == keep_id)).all())
    moved = 0
    for tag in session.exec(select(ClientTag).where(ClientTag.client_id == dup_id)).all():
        if tag.tag not in kept:
            session.add(ClientTag(client_id=keep_id, tag=tag.tag))
            moved += 1
        session.delete(tag)
    session.flush()
    return moved


def _move_referrals(session: Session, keep_id: int, dup_id: int) -> int:
    """Referrals follow the person on both sides. A referral between the two (one brought the other) goes,
    as it would now refer a client to themself; when both were referred, the kept client's referral wins
    (one per referred client). Their bonuses already paid stay on the merged card (loyalty merges it)."""
    table = Referral.__table__  # type: ignore[attr-defined]
    pair = sa.or_(sa.and_(table.c.referrer_id == keep_id, table.c.referred_id == dup_id),
                  sa.and_(table.c.referrer_id == dup_id, table.c.referred_id == keep_id))
    session.execute(sa.delete(table).where(pair))
    if session.exec(select(Referral.id).where(Referral.referred_id == keep_id)).first() is not None:
        session.execute(sa.delete(table).where(table.c.referred_id == dup_id))
    moved = session.execute(sa.update(table).where(table.c.referred_id == dup_id).values(referred_id=keep_id)).rowcount
    moved += session.execute(sa.update(table).where(table.c.referrer_id == dup_id).values(referrer_id=keep_id)).rowcount
    return moved or 0


def _move_preferred_staff(session: Session, keep_id: int, dup_id: int) -> int:
    """The kept client's preferred stylists win; the duplicate's (in their order) only if the kept has none."""
    table = ClientPreferredStaff.__table__  # type: ignore[attr-defined]
    kept = session.exec(select(ClientPreferredStaff.staff_id).where(ClientPreferredStaff.client_id == keep_id)).first()
    if kept is not None:
        session.execute(sa.delete(table).where(table.c.client_id == dup_id))
        return 0
    result = session.execute(sa.update(table).where(table.c.client_id == dup_id).values(client_id=keep_id))
    return result.rowcount or 0


def _move_prefs(session: Session, keep_id: int, dup_id: int) -> int:
    """The kept client's preferences win; the duplicate's are used only where the kept has none."""
    dup_pref = session.get(ClientPref, dup_id)
    if dup_pref is None:
        return 0
    if session.get(ClientPref, keep_id) is None:
        session.add(ClientPref(
            client_id=keep_id, channel=dup_pref.channel, reminder=dup_pref.reminder,
            preferred_services=list(dup_pref.preferred_services),
            requests=dup_pref.requests, language=dup_pref.language, updated_at=clock.now(),
        ))
    session.delete(dup_pref)
    session.flush()
    return 1
