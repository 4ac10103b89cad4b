"""What the desk reads about clients: `client list` with visit figures, and the client card.

Visit figures (visits, total spent, first and last visit) are aggregated in SQL from
`visit_facts`, one row per visit, per location (or the whole chain with `location_id=None`).
A visit is a completed appointment. What was spent is what its paid sale kept (payments less
refunds, tips aside), or the booked price for a visit with no paid sale (history imported without
receipts); a sale with no appointment (retail only, a gift card) adds to what was spent, not to visits.

The card also says when the client last failed to come (`last_no_show_on`, any location: as
`no_show_count` counts them) and when their next points expire and how many (`next_expiry_on`,
`next_expiry_points`), however far away: the loyalty tables read as `salon expire-points` reads them
(a lot at its `expires_at`, or the whole balance once the card is idle `expiry_inactivity_days`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput
from salon_cli.core.days import business_date, day_bounds, zone
from salon_cli.db.models import (
    Appointment, Client, ClientTag, Location, LoyaltyAccount, LoyaltyLot, LoyaltyProgram, Sale,
)
from salon_cli.services.clients import notes as client_notes
from salon_cli.services.salon.actors import Actor
from salon_cli.services.clients.notes import NoteView, PrefsView
from salon_cli.services.clients.profiles import ClientView, get, normalise_tag, tags_of, view

VISIT_STATUSES = ("completed",)
SORTS = ("name", "last_visit", "total_spent", "visits")


@dataclass(frozen=True)
class ClientRow(ClientView):
    """A client with their visit figures at the location (or the chain)."""

    visits: int
    total_spent_cents: int
    first_visit_at: datetime | None
    last_visit_at: datetime | None


@dataclass(frozen=True)
class ClientCard(ClientRow):
    """Everything the desk sees on one client; private notes only for a reader allowed them."""

    prefs: PrefsView
    notes: tuple[NoteView, ...]
    private_notes_hidden: int
    last_no_show_on: date | None = None  # the day (where it was booked) of the latest no-show anywhere
    next_expiry_on: date | None = None  # the next day points expire (the location's day), however far
    next_expiry_points: int | None = None  # how many expire that day


_KEPT = ("paid", "partially_refunded", "refunded")


def visit_facts(location_id: int | None, client_ids: Sequence[int] | None = None) -> Any:
    """One row per visit or purchase: (client_id, at, spent_cents, visit 1|0). The one place that says
    what a visit is and what a client spent."""
    kept = sa.select(Sale.appointment_id.label("appointment_id"),  # type: ignore[union-attr]
                     (Sale.paid_cents - Sale.refunded_cents).label("kept")).where(
        col(Sale.status).in_(_KEPT), col(Sale.appointment_id).is_not(None)).subquery("kept")
    visits = sa.select(
        col(Appointment.client_id).label("client_id"),
        col(Appointment.starts_at).label("at"),
        sa.func.coalesce(kept.c.kept, col(Appointment.price_cents)).label("spent_cents"),
        sa.literal(1).label("visit"),
    ).outerjoin(kept, kept.c.appointment_id == Appointment.id).where(
        col(Appointment.status).in_(VISIT_STATUSES), col(Appointment.client_id).is_not(None))
    purchases = sa.select(
        col(Sale.client_id).label("client_id"),
        col(Sale.paid_at).label("at"),
        (Sale.paid_cents - Sale.refunded_cents).label("spent_cents"),
        sa.literal(0).label("visit"),
    ).where(col(Sale.status).in_(_KEPT), col(Sale.appointment_id).is_(None), col(Sale.client_id).is_not(None))
    if location_id is not None:
        visits = visits.where(col(Appointment.location_id) == location_id)
        purchases = purchases.where(col(Sale.location_id) == location_id)
    if client_ids is not None:
        visits = visits.where(col(Appointment.client_id).in_(list(client_ids)))
        purchases = purchases.where(col(Sale.client_id).in_(list(client_ids)))
    return sa.union_all(visits, purchases)


def visit_stats(location_id: int | None, client_ids: Sequence[int] | None = None) -> Any:
    """A subquery of (client_id, visits, total_spent_cents, first_visit_at, last_visit_at)."""
    facts = visit_facts(location_id, client_ids).subquery("visit_facts")
    visit_at = sa.case((facts.c.visit == 1, facts.c.at), else_=None)
    return (
        sa.select(
            facts.c.client_id,
            sa.func.sum(facts.c.visit).label("visits"),
            sa.func.sum(facts.c.spent_cents).label("total_spent_cents"),
            sa.func.min(visit_at).label("first_visit_at"),
            sa.func.max(visit_at).label("last_visit_at"),
        )
        .group_by(facts.c.client_id)
        .subquery("visit_stats")
    )


def _with_stats(stats: Any) -> Any:
    return select(  # type: ignore[call-overload]
        Client,
        sa.func.coalesce(stats.c.visits, 0).label("visits"),
        sa.func.coalesce(stats.c.total_spent_cents, 0).label("total_spent_cents"),
        stats.c.first_visit_at,
        stats.c.last_visit_at,
    ).outerjoin(stats, stats.c.client_id == Client.id)


def _row(client: Client, tags: Sequence[str], visits: int, spent: int, first: datetime | None,
         last: datetime | None) -> ClientRow:
    return ClientRow(**ClientView.of(client, tags).fields_dict(), visits=int(visits),
                     total_spent_cents=int(spent), first_visit_at=first, last_visit_at=last)


def list_clients(
    session: Session,
    *,
    location_id: int | None,
    tags: Sequence[str] = (),
    min_visits: int | None = None,
    min_spent_cents: int | None = None,
    inactive_days: int | None = None,
    sort: str = "name",
    desc: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[ClientRow]:
    """Live (not merged) clients with their visit figures, filtered and sorted in the database.

    `tags`: clients carrying every one of them. `inactive_days`: no visit in that many days (a
    client who never came counts once on file that long). Ties sort by name, then id; clients who
    never came sort last by last visit either way.
    """
    if sort not in SORTS:
        raise InvalidInput(f"sort {sort!r} is not one of {', '.join(SORTS)}")
    for what, value in (("--min-visits", min_visits), ("--min-spent", min_spent_cents),
                        ("--inactive-days", inactive_days), ("--offset", offset)):
        if value is not None and value < 0:
            raise InvalidInput(f"{what} must not be negative")
    if limit is not None and limit < 1:
        raise InvalidInput("--limit must be at least 1")
    wanted = sorted({normalise_tag(t) for t in tags})

    stats = visit_stats(location_id)
    visits = sa.func.coalesce(stats.c.visits, 0)
    spent = sa.func.coalesce(stats.c.total_spent_cents, 0)
    last = stats.c.last_visit_at
    query = _with_stats(stats).where(col(Client.merged_into_id).is_(None))
    for tag in wanted:
        query = query.where(col(Client.id).in_(select(ClientTag.client_id).where(ClientTag.tag == tag)))
    if min_visits:
        query = query.where(visits >= min_visits)
    if min_spent_cents:
        query = query.where(spent >= min_spent_cents)
    if inactive_days is not None:
        cutoff = clock.now() - timedelta(days=inactive_days)
        query = query.where(sa.or_(last < cutoff, sa.and_(last.is_(None), col(Client.created_at) < cutoff)))

    name = col(Client.name_key).desc() if desc and sort == "name" else col(Client.name_key)
    order: list[Any] = {
        "name": [],
        "visits": [visits.desc() if desc else visits],
        "total_spent": [spent.desc() if desc else spent],
        "last_visit": [last.is_(None), last.desc() if desc else last],
    }[sort]
    query = query.order_by(*order, name, col(Client.id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    found = session.exec(query).all()
    tag_map = tags_of(session, [c.id for c, *_ in found])
    return [_row(c, tag_map[c.id], v, s, f, la) for c, v, s, f, la in found]


def last_visits(session: Session, *, client_ids: Sequence[int], location_id: int | None) -> dict[int, datetime]:
    """Each given client's last visit at the location (or the chain), in one query; clients who never
    came are left out."""
    if not client_ids:
        return {}
    stats = visit_stats(location_id, list(client_ids))
    rows = session.exec(select(stats.c.client_id, stats.c.last_visit_at)).all()  # type: ignore[call-overload]
    return {int(cid): last for cid, last in rows if last is not None}


def show(
    session: Session,
    *,
    client_id: int,
    reader: Actor | None,
    location_id: int | None,
    notes_limit: int | None = None,
) -> ClientCard:
    """The client card: profile, tags, visit figures, preferences and the notes `reader` may see.

    A merged client is shown as it was, with `merged_into_id` pointing at the client kept."""
    client = get(session, client_id)
    stats = visit_stats(location_id, [client_id])
    _, visits, spent, first, last = session.exec(_with_stats(stats).where(col(Client.id) == client_id)).one()
    listed = client_notes.notes(session, client_id=client_id, reader=reader, limit=notes_limit)
    place = session.get(Location, location_id) if location_id is not None else None
    expiry_on, expiry_points = next_expiry(session, client_id, zone(place.timezone) if place else ZoneInfo("UTC"))
    return ClientCard(
        **view(session, client).fields_dict(), visits=int(visits), total_spent_cents=int(spent),
        first_visit_at=first, last_visit_at=last, prefs=client_notes.prefs(session, client_id=client_id),
        notes=listed.notes, private_notes_hidden=listed.hidden, last_no_show_on=last_no_show(session, client_id),
        next_expiry_on=expiry_on, next_expiry_points=expiry_points,
    )


def last_no_show(session: Session, client_id: int) -> date | None:
    """The day of the client's latest no-show at any location, in that location's zone."""
    found = session.exec(
        select(Appointment.starts_at, Location.timezone)
        .join(Location, col(Location.id) == Appointment.location_id)
        .where(Appointment.client_id == client_id, Appointment.status == "no_show")
        .order_by(col(Appointment.starts_at).desc()).limit(1)
    ).first()
    return business_date(found[0], zone(found[1])) if found else None


def next_expiry(session: Session, client_id: int, tz: ZoneInfo) -> tuple[date | None, int | None]:
    """The next day (in `tz`) some of the client's points expire, and how many expire by its end:
    the lots reaching their `expires_at` by then, or the whole balance on the day an idle card
    expires, when that comes first. (None, None) with no points, or none that expire."""
    acct = session.exec(select(LoyaltyAccount).where(LoyaltyAccount.client_id == client_id)).first()
    if acct is None or acct.points <= 0:
        return None, None
    prog = session.get(LoyaltyProgram, 1)
    idle_at = (acct.last_activity_at + timedelta(days=prog.expiry_inactivity_days)
               if prog is not None and prog.expiry_inactivity_days and acct.last_activity_at else None)
    first_at = session.exec(select(sa.func.min(LoyaltyLot.expires_at)).where(
        LoyaltyLot.account_id == acct.id, col(LoyaltyLot.remaining) > 0,
        col(LoyaltyLot.expires_at).is_not(None))).one()
    if idle_at is not None and (first_at is None or business_date(idle_at, tz) <= business_date(first_at, tz)):
        return business_date(idle_at, tz), acct.points
    if first_at is None:
        return None, None
    day = business_date(first_at, tz)
    points = session.exec(select(sa.func.sum(LoyaltyLot.remaining)).where(
        LoyaltyLot.account_id == acct.id, col(LoyaltyLot.remaining) > 0,
        col(LoyaltyLot.expires_at) < day_bounds(day, tz)[1])).one()
    return day, int(points or 0)
