"""Referrals: a code per client, a referral recorded at the desk, its bonus, and the list with status.

- `referral_code` gives a client's code: made once (8 characters of the redemption codes' alphabet,
  no 0/O, 1/I/L look-alikes, e.g. `K7QM3XPD`), then the same one each time. The column is unique: a
  code drawn twice (two desks at once, or bad luck) is drawn again inside a savepoint.
- `refer` records that a client brought a new one, named by the referrer's id or by the code the new
  client gives at the desk. It makes a `referral` row, pending until `expires_on` (today plus the
  referral window, 90 days unless said), and keeps `loyalty_account.referred_by_id` in step. Only a
  client with no paid sale yet can be referred, once, by someone else (and not by a client they
  referred themselves).
- The bonus itself is paid when the referred client's first sale is paid (`cards.earn_for_sale`):
  the program's `referral_bonus` to each side, once each by entry key (`referral:client:{referred}`
  for the referrer, `referral:referred:{referred}` for the new client), and the row becomes
  `rewarded`. A referral past its `expires_on` (the location's local day) pays nothing and becomes
  `expired`, then or at the next `salon expire-points` (`mark_expired`).
- A refund of that first sale keeps both bonuses: the bonus rewards bringing a client who came and
  paid; the sale's own earn is voided as any refund voids it. A manager corrects abuse with
  `loyalty adjust`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import REFERRAL_STATUSES, Client, Location, LoyaltyAccount, Referral, Sale
from salon_cli.services.loyalty import cards, ledger
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

# as redemption codes (services.loyalty.rewards): no 0/O, 1/I/L to misread; 31^8, about 40 bits
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3650
PAID = ("paid", "partially_refunded", "refunded")


@dataclass(frozen=True)
class CodeView:
    client_id: int
    referral_code: str


@dataclass(frozen=True)
class ReferralView:
    id: int
    referrer_id: int
    referrer: str
    referred_id: int
    referred: str
    code: str | None
    status: str
    expires_on: date | None
    sale_id: int | None
    created_at: datetime
    rewarded_at: datetime | None


# ----------------------------------------------------------------------------- codes

def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    """A code as typed (`k7qm 3xpd`, `K7QM-3XPD`) as it is stored; exit 2 when it cannot be one."""
    body = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(body) != CODE_LENGTH or any(ch not in _ALPHABET for ch in body):
        raise InvalidInput(f"{code!r} is not a referral code", hint="referral codes look like K7QM3XPD")
    return body


def referral_code(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> CodeView:
    """The client's referral code, made (and the client enrolled) the first time."""
    authorize(actor, Permission.desk)
    _live(session, client_id)
    known = ledger.account(session, client_id, lock=False)
    if known is not None and known.referral_code:
        return CodeView(client_id, known.referral_code)
    business_days.ensure_today_open(session, location, "making a referral code")
    cards._program_on(session)
    acct = cards.ensure_account(session, client_id, actor=actor, location=location)
    if acct.referral_code:  # another desk made it while this one waited for the card's lock
        return CodeView(client_id, acct.referral_code)
    for _ in range(20):
        code = new_code()
        if session.exec(select(LoyaltyAccount.id).where(LoyaltyAccount.referral_code == code)).first() is not None:
            continue
        try:
            with session.begin_nested():
                session.execute(sa.update(LoyaltyAccount.__table__).where(LoyaltyAccount.__table__.c.id == acct.id)
                                .values(referral_code=code))
        except IntegrityError:  # drawn by another desk at the same moment: draw again
            continue
        session.refresh(acct)
        audit.record(session, actor=actor, action="loyalty.referral_code", entity="loyalty_account",
                     entity_id=acct.id, location_id=location.id, after={"client_id": client_id, "referral_code": code})
        return CodeView(client_id, code)
    raise RuntimeError("no free referral code after 20 draws")  # 31^8 codes: not in this universe


def _by_code(session: Session, code: str) -> int:
    body = normalise(code)
    owner = session.exec(select(LoyaltyAccount.client_id).where(LoyaltyAccount.referral_code == body)).first()
    if owner is None:
        raise NotFound(f"no client has referral code {body}",
                       hint="the referrer can look it up: salon loyalty referral-code CLIENT")
    return int(owner)


def _live(session: Session, client_id: int) -> Client:
    client = ledger.live_client(session, client_id)
    if client.erased_at is not None:
        raise RuleViolation(f"client {client_id} was erased")
    return client


# ----------------------------------------------------------------------------- the desk

def refer(session: Session, *, actor: Actor, location: LocationView, referred_id: int, client_id: int | None = None,
          code: str | None = None, expires_in_days: int = WINDOW_DAYS) -> ReferralView:
    """Record that a client (by id, or by their referral code) brought `referred_id`."""
    authorize(actor, Permission.desk)
    if (client_id is None) == (code is None):
        raise InvalidInput("name the referrer by client id or by --code, one of the two")
    if not 1 <= expires_in_days <= MAX_WINDOW_DAYS:
        raise InvalidInput(f"--expires-in-days must be from 1 to {MAX_WINDOW_DAYS}")
    today = business_days.ensure_today_open(session, location, "a referral")
    cards._program_on(session)
    given = normalise(code) if code is not None else None
    referrer_id = _by_code(session, given) if given is not None else int(client_id or 0)
    if referrer_id == referred_id:
        raise InvalidInput("a client cannot refer themselves")
    _live(session, referrer_id)
    _live(session, referred_id)
    paid = session.exec(select(Sale.id).where(Sale.client_id == referred_id, col(Sale.status).in_(PAID))
                        .limit(1)).first()
    if paid is not None:
        raise RuleViolation(f"client {referred_id} has paid sale {paid} already: a referral is for a new client")
    referrer = cards.ensure_account(session, referrer_id, actor=actor, location=location)
    acct = cards.ensure_account(session, referred_id, actor=actor, location=location)
    before = session.exec(select(Referral.referrer_id).where(Referral.referred_id == referred_id)).first()
    if acct.referred_by_id is not None or before is not None:
        raise RuleViolation(f"client {referred_id} was referred by client {acct.referred_by_id or before} already")
    if referrer.referred_by_id == referred_id:
        raise RuleViolation(f"client {referrer_id} was referred by client {referred_id}: they cannot refer each other")
    row = Referral(referrer_id=referrer_id, referred_id=referred_id, code=given, status="pending",
                   expires_on=today + timedelta(days=expires_in_days), location_id=location.id,
                   created_by_id=actor.id, created_at=clock.now())
    acct.referred_by_id = referrer_id
    session.add_all([row, acct])
    session.flush()
    audit.record(session, actor=actor, action="loyalty.refer", entity="referral", entity_id=row.id,
                 location_id=location.id, after=audit.snapshot(row))
    return _views(session, sa.select(Referral).where(col(Referral.id) == row.id), today)[0]


# ----------------------------------------------------------------------------- the list

def list_referrals(session: Session, location: LocationView, *, status: str | None = None,
                   client_id: int | None = None) -> list[ReferralView]:
    """Newest first. A pending referral past its day reads `expired` before the cron job marks it."""
    today = business_days.today(location)
    query = sa.select(Referral)
    if status is not None:
        status = status.strip().lower()
        if status not in REFERRAL_STATUSES:
            raise InvalidInput(f"--status {status!r} is not one of {', '.join(REFERRAL_STATUSES)}")
        overdue = sa.and_(col(Referral.status) == "pending", col(Referral.expires_on) < today)
        query = query.where(sa.or_(col(Referral.status) == "expired", overdue) if status == "expired"
                            else sa.and_(col(Referral.status) == status, sa.not_(overdue)) if status == "pending"
                            else col(Referral.status) == status)
    if client_id is not None:
        ledger.live_client(session, client_id)
        query = query.where(sa.or_(col(Referral.referrer_id) == client_id, col(Referral.referred_id) == client_id))
    return _views(session, query.order_by(col(Referral.id).desc()), today)


def _views(session: Session, query: Any, today: date) -> list[ReferralView]:
    """`query` (a select of referrals with its filters and order) with both clients' names."""
    referrer, referred = aliased(Client), aliased(Client)
    named = (query.join(referrer, col(referrer.id) == Referral.referrer_id)
             .join(referred, col(referred.id) == Referral.referred_id)
             .add_columns(referrer.first_name, referrer.last_name, referred.first_name, referred.last_name))
    return [ReferralView(id=r.id or 0, referrer_id=r.referrer_id, referrer=_name(f1, l1), referred_id=r.referred_id,
                         referred=_name(f2, l2), code=r.code, status=effective_status(r, today),
                         expires_on=r.expires_on, sale_id=r.sale_id, created_at=r.created_at,
                         rewarded_at=r.rewarded_at) for r, f1, l1, f2, l2 in session.execute(named).all()]


def _name(first: str, last: str) -> str:
    return " ".join(p for p in (first, last) if p)


def effective_status(row: Referral, today: date) -> str:
    if row.status == "pending" and row.expires_on is not None and row.expires_on < today:
        return "expired"
    return row.status


# ----------------------------------------------------------------------------- cron

def mark_expired(session: Session, *, as_of: datetime, actor: Actor, dry_run: bool = False) -> list[int]:
    """Pending referrals whose `expires_on` has passed at `as_of` (each in its location's local day)
    become `expired`, one audit row each; returns their ids. Idempotent: an expired one is not pending."""
    zones = {loc_id: tz for loc_id, tz in session.exec(select(Location.id, Location.timezone)).all()}
    default = next(iter(sorted(zones.items())), (None, "UTC"))[1]
    latest = as_of.date() + timedelta(days=1)  # no zone's day is later than UTC's next one
    due: list[tuple[int, int | None]] = []
    query = select(Referral.id, Referral.location_id, Referral.expires_on).where(
        col(Referral.status) == "pending", col(Referral.expires_on) < latest).order_by(col(Referral.id))
    for ref_id, loc_id, expires_on in session.exec(query).all():
        if expires_on < business_date(as_of, ZoneInfo(zones.get(loc_id, default))):
            due.append((int(ref_id), loc_id))
    if dry_run or not due:
        return [ref_id for ref_id, _ in due]
    table = Referral.__table__
    # only those still pending: a desk paying one of them meanwhile wins (its row lock is waited for)
    still = sa.and_(table.c.id.in_([i for i, _ in due]), table.c.status == "pending")
    ids = sorted(session.execute(sa.update(table).where(still).values(status="expired")
                                 .returning(table.c.id)).scalars().all())
    audit.record_many(session, actor=actor, location_id=None, rows=[
        ("loyalty.referral_expired", "referral", ref_id, {"status": "pending"},
         {"status": "expired", "as_of": as_of.isoformat()}) for ref_id in ids])
    return ids
