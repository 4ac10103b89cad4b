"""The birthday job: a birthday offer's personal codes and a membership's birthday gift, each told in a
message. `salon send-reminders` runs it at each location before it queues (`run`).

- A birthday offer (`promotion.birthday_days`, `promotions.catalog`) is never used itself. On the first
  day of a client's window (their birthday less the offer's days; 29 February is kept on the 28th in
  other years, as `clients.insights.birthdays` does), or on a later day of the window when the job did
  not run that day, each client with marketing consent whose home is this location (or who has none)
  gets a personal code (`BDAY-K7QM`): valid from that first day to as many days after the birthday,
  used once, with the offer's kind, value, service or category, least spend, stackability and location.
  A window that began before the offer was made gets no code (the job did not miss it).
- A membership's `birthday_gift`: on the birthday, a client whose active (not paused) membership's plan
  lists it gets a redemption code of the program's `birthday_gift_reward_id` (no points spent; a card
  opened first if they had none), one per birthday year. A gift is part of the plan, not marketing: it
  needs no consent. Its ledger entry is a `stamp_reward` of nothing (a reward given, not bought), so that
  voiding the code finds what it reverses.

Erased and merged-away clients get nothing (`birthdays` leaves them out). Each code and gift is issued
once: `one_birthday_code` (offer, client, first day) and `one_birthday_gift` (card, year) are unique, and
each row goes in inside a savepoint, so a second run, or one at the same moment, issues nothing more.
Each is audited, and its message is queued through the outbox in the same transaction (a dedupe key per
client and year, and per offer).

The messages are of their own kinds, worded like any other (the location's template, else the built-in
one; `salon template set birthday_offer|birthday_gift`): a `birthday_offer` is a promotion, for clients
with marketing consent (they alone get the code); a `birthday_gift` is part of the member's plan, a
service message that needs no consent (a channel still: one with no phone or e-mail is written skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.db.models import Client, LoyaltyAccount, Promotion, Redemption, Reward
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients.insights import Birthday, birthdays
from salon_cli.services.loyalty import cards, ledger
from salon_cli.services.loyalty.rewards import new_code
from salon_cli.services.memberships.subscriptions import has_benefit
from salon_cli.services.messages.outbox import Draft, GiftFacts, OfferFacts, queue
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.salon.locations import LocationView

GIFT_BENEFIT = "birthday_gift"
_DRAWS = 20


@dataclass(frozen=True)
class BirthdayCode:
    """A personal code from a birthday offer (`code` None: a dry run's, not issued)."""

    client_id: int
    offer: str
    code: str | None
    birthday: date
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class BirthdayGift:
    """A membership's birthday gift, a redemption code (`code` None: a dry run's, not issued)."""

    client_id: int
    reward: str
    code: str | None
    birthday_year: int


@dataclass(frozen=True)
class BirthdayReport:
    location: str
    as_of: datetime
    dry_run: bool
    codes: list[BirthdayCode] = field(default_factory=list)
    gifts: list[BirthdayGift] = field(default_factory=list)
    messages: int = 0  # queued (or skipped with the reason); a dry run queues none

    @property
    def birthday_codes(self) -> int:
        return len(self.codes)

    @property
    def birthday_gifts(self) -> int:
        return len(self.gifts)


# ----------------------------------------------------------------------------- who is due

def birthday_offers(session: Session, location: LocationView, today: date) -> list[Promotion]:
    """The active birthday offers of this location (or of every location) running today."""
    rows = session.exec(select(Promotion).where(
        col(Promotion.birthday_days).is_not(None), col(Promotion.active).is_(True),
        sa.or_(col(Promotion.location_id).is_(None), col(Promotion.location_id) == location.id))
        .order_by(col(Promotion.id))).all()
    return [p for p in rows if (p.starts_on is None or p.starts_on <= today) and (p.ends_on is None or today <= p.ends_on)]


def _here(session: Session, location: LocationView, found: Sequence[Birthday]) -> list[Birthday]:
    """The clients whose home is this location, or who have none (as the birthday greeting goes)."""
    if not found:
        return []
    homes = dict(session.exec(select(col(Client.id), col(Client.home_location_id))
                              .where(col(Client.id).in_([b.id for b in found]))).all())
    return [b for b in found if homes.get(b.id) in (None, location.id)]


def _window(offer: Promotion, birthday: date) -> tuple[date, date]:
    days = timedelta(days=offer.birthday_days or 0)
    return birthday - days, birthday + days


def due_codes(session: Session, location: LocationView, today: date) -> list[tuple[Promotion, Birthday]]:
    """(offer, client) for each consenting client whose window of an offer holds today, without its code."""
    due = []
    for offer in birthday_offers(session, location, today):
        days = offer.birthday_days or 0
        # a window holding today is one whose birthday falls from `days` before today to `days` after
        found = _here(session, location, [b for b in birthdays(session, location=location, days=2 * days,
                                                                   today=today - timedelta(days=days))
                                          if b.marketing_consent])
        if not found:
            continue
        issued = set(session.exec(select(Promotion.client_id, Promotion.starts_on).where(
            Promotion.template_id == offer.id, col(Promotion.client_id).in_([b.id for b in found]))).all())
        # a window that began before the offer was made is not one the job missed: no code for it
        made = business_date(offer.created_at, location.tz)
        due += [(offer, b) for b in found if made <= (first := _window(offer, b.next_birthday)[0])
                and (b.id, first) not in issued]
    return due


def gift_reward(session: Session) -> Reward | None:
    """The reward a membership's birthday gift gives (None: none chosen, or it was retired)."""
    prog = ledger.program(session)
    reward = session.get(Reward, prog.birthday_gift_reward_id) if prog.birthday_gift_reward_id is not None else None
    return reward if reward is not None and reward.active else None


def due_gifts(session: Session, location: LocationView, today: date) -> list[Birthday]:
    """Members with the gift in their active plan whose birthday is today and who have not had it this year."""
    found = [b for b in _here(session, location, birthdays(session, location=location, days=0, today=today))
             if has_benefit(session, b.id, GIFT_BENEFIT)]
    if not found:
        return []
    given = set(session.exec(select(LoyaltyAccount.client_id)
                             .join(Redemption, col(Redemption.account_id) == LoyaltyAccount.id)
                             .where(Redemption.birthday_year == today.year,
                                    col(LoyaltyAccount.client_id).in_([b.id for b in found]))).all())
    return [b for b in found if b.id not in given]


# ----------------------------------------------------------------------------- issuing

def _code_of(session: Session, offer_id: int, client_id: int, starts_on: date) -> Promotion | None:
    return session.exec(select(Promotion).where(Promotion.template_id == offer_id, Promotion.client_id == client_id,
                                                Promotion.starts_on == starts_on)).first()


def _offer_name(offer: Promotion) -> str:
    return offer.name if offer.name and offer.name != offer.code else f"Birthday offer {offer.code}"


def issue_code(session: Session, *, offer: Promotion, client: Birthday, location: LocationView, actor: Actor,
               now: datetime) -> Promotion | None:
    """The client's personal code of the offer for this birthday; None when it exists already."""
    starts_on, ends_on = _window(offer, client.next_birthday)
    for _ in range(_DRAWS):
        row = Promotion(
            code=f"{(offer.code or 'BDAY')[:27]}-{new_code()[:4]}", name=_offer_name(offer), kind=offer.kind,
            value=offer.value, service_id=offer.service_id, category=offer.category, starts_on=starts_on,
            ends_on=ends_on, min_spend_cents=offer.min_spend_cents, per_client=1, stackable=offer.stackable,
            client_id=client.id, template_id=offer.id, location_id=offer.location_id, created_at=now,
            created_by_id=actor.id, updated_at=now,
            extra={"birthday_offer": offer.code})  # where it came from (not the birthday: the person's)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            if _code_of(session, offer.id or 0, client.id, starts_on) is not None:
                return None  # another run issued it a moment ago
            continue  # the code was drawn before: draw again
        audit.record(session, actor=actor, action="promotion.birthday_code", entity="promotion", entity_id=row.id,
                     location_id=location.id, after=audit.snapshot(row))
        return row
    raise RuntimeError(f"no free code for {offer.code} after {_DRAWS} draws")


def _gift_of(session: Session, account_id: int, year: int) -> Redemption | None:
    return session.exec(select(Redemption).where(Redemption.account_id == account_id,
                                                 Redemption.birthday_year == year)).first()


def issue_gift(session: Session, *, client: Birthday, reward: Reward, location: LocationView, actor: Actor,
               now: datetime) -> Redemption | None:
    """The member's birthday gift of this year, a code of `reward`; None when it was given already."""
    acct = cards.ensure_account(session, client.id, actor=actor, location=location)  # locked
    year = client.next_birthday.year
    if _gift_of(session, acct.id or 0, year) is not None:
        return None
    for _ in range(_DRAWS):
        row = Redemption(code=new_code(), account_id=acct.id or 0, reward_id=reward.id, description=reward.name,
                         kind=reward.kind, value=reward.value, service_id=reward.service_id, category=reward.category,
                         points=0, location_id=location.id, issued_at=now, issued_by_id=actor.id, birthday_year=year)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            if _gift_of(session, acct.id or 0, year) is not None:
                return None
            continue
        ledger.post(session, acct, "stamp_reward", actor=actor, location_id=location.id,
                    key=f"birthday_gift:redemption:{row.id}", redemption_id=row.id,
                    reason=f"birthday gift: {reward.name}"[:255], now=now)
        audit.record(session, actor=actor, action="loyalty.birthday_gift", entity="redemption", entity_id=row.id,
                     location_id=location.id, after={"client_id": client.id, "code": row.code, "reward_id": reward.id,
                                                     "reward": reward.name, "birthday_year": year})
        return row
    raise RuntimeError(f"no free redemption code after {_DRAWS} draws")


# ----------------------------------------------------------------------------- the job

def issue(session: Session, *, location: LocationView, as_of: datetime, actor: Actor = SYSTEM,
          dry_run: bool = False) -> BirthdayReport:
    """Issue what is due at `as_of` in the caller's transaction (a dry run reads only and says what
    would be issued)."""
    today = business_date(as_of, location.tz)
    offered = due_codes(session, location, today)
    reward = gift_reward(session)
    gifted = due_gifts(session, location, today) if reward is not None else []
    if dry_run:
        return BirthdayReport(
            location=location.code, as_of=as_of, dry_run=True,
            codes=[BirthdayCode(b.id, offer.code or "", None, b.next_birthday, *_window(offer, b.next_birthday))
                   for offer, b in offered],
            gifts=[BirthdayGift(b.id, reward.name if reward else "", None, b.next_birthday.year) for b in gifted])
    now = clock.now()
    codes: list[BirthdayCode] = []
    gifts: list[BirthdayGift] = []
    drafts: list[Draft] = []
    for offer, b in offered:
        row = issue_code(session, offer=offer, client=b, location=location, actor=actor, now=now)
        if row is None:
            continue
        codes.append(BirthdayCode(b.id, offer.code or "", row.code, b.next_birthday, row.starts_on or today,
                                  row.ends_on or today))
        drafts.append(Draft(
            template="birthday_offer", client_id=b.id, due=as_of, created_by_id=actor.id,
            dedupe_key=f"birthday_offer:{offer.id}:client:{b.id}:{b.next_birthday.year}",
            offer=OfferFacts(offer.code or "", row.code or "", row.kind, row.value, row.ends_on or today)))
    for b in gifted:
        assert reward is not None
        given = issue_gift(session, client=b, reward=reward, location=location, actor=actor, now=now)
        if given is None:
            continue
        gifts.append(BirthdayGift(b.id, reward.name, given.code, b.next_birthday.year))
        drafts.append(Draft(
            template="birthday_gift", client_id=b.id, due=as_of, created_by_id=actor.id,
            dedupe_key=f"birthday_gift:client:{b.id}:{b.next_birthday.year}",
            gift=GiftFacts(given.code, reward.name, b.next_birthday.year)))
    sent = len(queue(session, location=location, drafts=drafts, actor=actor))
    return BirthdayReport(location=location.code, as_of=as_of, dry_run=False, codes=codes, gifts=gifts, messages=sent)


def run(engine: Engine, *, location: LocationView, as_of: datetime | None = None, dry_run: bool = False,
        actor: Actor = SYSTEM) -> BirthdayReport:
    """One location's run, in one transaction (a dry run writes nothing)."""
    as_of = as_of or clock.now()
    with UnitOfWork(engine, write=not dry_run) as uow:
        report = issue(uow.session, location=location, as_of=as_of, actor=actor, dry_run=dry_run)
        if not dry_run:
            uow.commit()
    return report
