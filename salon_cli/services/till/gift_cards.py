"""Gift cards: sold as a sale line, usable once that sale is paid, spent as a payment, never below zero.

The balance is kept on the card and only moved by conditional updates (`balance >= amount`) under
the card's row lock, with a CHECK constraint behind them, so two desks spending one card at once
cannot overdraw it. The code is random (not guessable from another card's) and avoids letters that
read alike aloud (0/O, 1/I/L).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation, refusal_words
from salon_cli.db.models import GiftCard, Refund, Sale, SaleLine
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.db.models import Location
from salon_cli.core.money import format_money

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_CENTS = 100_000_000  # one card holds at most 1,000,000.00 of the currency


@dataclass(frozen=True)
class GiftCardView:
    id: int
    code: str
    status: str
    client_id: int | None
    initial_cents: int
    balance_cents: int
    refunded_cents: int
    sale_id: int | None
    created_at: datetime
    activated_at: datetime | None


def view_of(card: GiftCard) -> GiftCardView:
    return GiftCardView(id=card.id or 0, code=card.code, status=card.status, client_id=card.client_id,
                        initial_cents=card.initial_cents, balance_cents=card.balance_cents,
                        refunded_cents=card.refunded_cents, sale_id=card.sale_id,
                        created_at=card.created_at, activated_at=card.activated_at)


def new_code() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"GC-{body[:4]}-{body[4:]}"


def normalise(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if raw.startswith("GC"):
        raw = raw[2:]
    if len(raw) != 8:
        raise InvalidInput(f"gift card code {code!r} is not like GC-XXXX-XXXX")
    return f"GC-{raw[:4]}-{raw[4:]}"


def create_pending(session: Session, *, location: LocationView, sale: Sale, amount_cents: int,
                   client_id: int | None, code: str | None = None) -> GiftCard:
    """A card sold on `sale`, usable once it is paid; `code`: the one printed on a card handed over
    (else a new random one)."""
    if amount_cents <= 0:
        raise InvalidInput("a gift card's amount must be more than zero")
    if amount_cents > MAX_CENTS:
        raise InvalidInput("a gift card's amount is too large")
    if code is not None:
        code = normalise(code)
        if session.exec(select(GiftCard.id).where(GiftCard.code == code)).first() is not None:
            raise RuleViolation(f"gift card {code} exists already", hint="use another card, or leave the code out")
    tries = 0 if code is not None else 10
    for _ in range(tries):  # 31^8 codes: a collision is rare, and the UNIQUE constraint stands behind this
        code = new_code()
        if session.exec(select(GiftCard.id).where(GiftCard.code == code)).first() is None:
            break
    assert code is not None
    card = GiftCard(code=code, location_id=location.id, client_id=client_id, initial_cents=amount_cents,
                    balance_cents=amount_cents, status="pending", sale_id=sale.id, created_at=clock.now())
    session.add(card)
    session.flush()
    return card


def find(session: Session, code: str, *, lock: bool = False) -> GiftCard:
    query = select(GiftCard).where(GiftCard.code == normalise(code))
    if lock:
        query = query.with_for_update()
    card = session.exec(query).first()
    if card is None:
        raise NotFound(f"no gift card {normalise(code)}")
    return card


def show(session: Session, code: str) -> GiftCardView:
    return view_of(find(session, code))


def list_cards(session: Session, *, location: LocationView, client_id: int | None = None,
               status: str | None = None, limit: int | None = None) -> list[GiftCardView]:
    query = select(GiftCard).where(GiftCard.location_id == location.id)
    if client_id is not None:
        query = query.where(GiftCard.client_id == client_id)
    if status:
        query = query.where(GiftCard.status == status)
    query = query.order_by(col(GiftCard.id).desc())
    if limit:
        query = query.limit(limit)
    return [view_of(c) for c in session.exec(query).all()]


def activate(session: Session, card_id: int, *, actor: Actor, location: LocationView) -> None:
    card = session.get(GiftCard, card_id, with_for_update=True)
    if card is None or card.status != "pending":
        return
    card.status, card.activated_at, card.updated_at = "active", clock.now(), clock.now()
    session.add(card)
    session.flush()
    audit.record(session, actor=actor, action="gift_card.activate", entity="gift_card", entity_id=card.id,
                 location_id=location.id, after=audit.snapshot(card))


def void_pending(session: Session, card_id: int) -> None:
    """A card whose sale line goes away before the sale is paid is never usable."""
    session.execute(sa.update(GiftCard).where(col(GiftCard.id) == card_id, col(GiftCard.status) == "pending")
                    .values(status="void", updated_at=clock.now()))


def debit(session: Session, code: str, amount_cents: int) -> GiftCard:
    """Take `amount_cents` off an active card, or refuse (exit 1) saying what is left."""
    card = find(session, code, lock=True)
    if card.status != "active":
        if card.status == "pending":
            raise RuleViolation(f"gift card {card.code} cannot be used: its sale is not paid yet")
        raise RuleViolation(f"gift card {card.code} cannot be used: it was voided")
    result = session.execute(sa.update(GiftCard)
                             .where(col(GiftCard.id) == card.id, col(GiftCard.balance_cents) >= amount_cents)
                             .values(balance_cents=GiftCard.balance_cents - amount_cents, updated_at=clock.now()))
    if not result.rowcount:
        money = _currency(session, card)
        raise RuleViolation(f"gift card {card.code} has {money(card.balance_cents)} left, less than {money(amount_cents)}",
                            hint="pay the rest with another method (split tender)")
    session.refresh(card)
    return card


def credit(session: Session, card_id: int, amount_cents: int) -> None:
    """Put money back on a card (a refund of a gift-card payment); never above what it was sold for."""
    result = session.execute(sa.update(GiftCard).where(
        col(GiftCard.id) == card_id, GiftCard.balance_cents + amount_cents <= GiftCard.initial_cents)
        .values(balance_cents=GiftCard.balance_cents + amount_cents, updated_at=clock.now()))
    if not result.rowcount:
        card = session.get(GiftCard, card_id)
        assert card is not None
        raise RuleViolation(f"gift card {card.code} cannot take back {_currency(session, card)(amount_cents)}: "
                            "more than it was sold for")


def follow_refunds(session: Session, sale: Sale, *, actor: Actor, location: LocationView,
                   asked_cents: int = 0) -> None:
    """Keep the cards a sale sold in step with the money its refunds give back (pending or succeeded).

    A refund comes off the sale's other lines first; what goes beyond them is value the cards no longer
    hold, taken off them in the order they were sold, up to what is left unspent on them (more is
    refused: that value was spent). A refund that fails puts it back, newest card first. A card whose
    whole value went back is void. Idempotent: it moves the cards to what the refunds say. `asked_cents`,
    the refund being recorded, only words the refusal."""
    sold = session.exec(select(SaleLine.gift_card_id, SaleLine.total_cents).where(
        SaleLine.sale_id == sale.id, col(SaleLine.gift_card_id).is_not(None)).order_by(col(SaleLine.id))).all()
    if not sold:
        return
    back = int(session.exec(select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.sale_id == sale.id, col(Refund.status).in_(("pending", "succeeded")))).one())
    value = sum(int(total) for _, total in sold)
    owed = min(value, max(0, back - max(0, sale.total_cents - value)))
    cards = [c for c in (session.get(GiftCard, card_id, with_for_update=True) for card_id, _ in sold) if c is not None]
    change = owed - sum(c.refunded_cents for c in cards)
    if change > 0 and change > sum(c.balance_cents for c in cards):
        money = _currency(session, cards[0])
        left = sum(c.balance_cents for c in cards)
        most = asked_cents - (change - left)
        hint = refusal_words(f"refund at most {money(most)}") if most > 0 else None
        if len(cards) == 1:
            raise RuleViolation(f"gift card {cards[0].code} has {money(left)} left unspent: what was spent from it "
                                "cannot be given back", hint=hint)
        raise RuleViolation(f"gift cards {', '.join(c.code for c in cards)} have {money(left)} left unspent: what "
                            "was spent from it cannot be given back", hint=hint)
    for card in cards if change > 0 else reversed(cards):
        if change == 0:
            break
        step = min(change, card.balance_cents) if change > 0 else -min(-change, card.refunded_cents)
        if step == 0:
            continue
        before = audit.snapshot(card)
        card.balance_cents -= step
        card.refunded_cents += step
        card.status = "void" if card.refunded_cents >= card.initial_cents else "active"
        card.updated_at = clock.now()
        session.add(card)
        session.flush()
        audit.record(session, actor=actor, action="gift_card.refund" if step > 0 else "gift_card.refund_undone",
                     entity="gift_card", entity_id=card.id, location_id=location.id, before=before,
                     after=audit.snapshot(card))
        change -= step


def _currency(session: Session, card: GiftCard):  # type: ignore[no-untyped-def]

    place = session.get(Location, card.location_id)
    currency = place.currency if place is not None else "MXN"
    return lambda cents: format_money(cents, currency)
