"""Follow-ups: something to do about a client on a day (call back, a patch test's result, a colour
touch-up due), a salon's "opportunities".

A follow-up belongs to the location that wrote it and is due on that location's local day. It is
`open` until someone marks it `done` or `cancelled` (once: closing a closed one is refused). A
follow-up is *due* when it is open and its day is the location's today or earlier (`core.clock` in the
location's zone). Any staff member at the desk may add and close one (`Permission.desk`, as for client
notes). The note never goes into the audit log (it may say a patch test's result): only the client,
the day and the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from salon_cli.core import clock
from salon_cli.core.days import parse_date
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Client, ClientFollowUp, Staff
from salon_cli.services.clients.profiles import live
from salon_cli.services.salon import audit, business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

NOTE_MAX = 1000


@dataclass(frozen=True)
class FollowUpView:
    id: int
    client_id: int
    client: str  # the client's name
    due_on: date
    note: str
    status: str  # open | done | cancelled
    created_by: str  # staff code, or "system"
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None


def _day(on: date | str) -> date:
    return on if isinstance(on, date) else parse_date(on, what="--on")


def _note(text: str) -> str:
    note = (text or "").strip()
    if not note:
        raise InvalidInput("the follow-up's note is empty",
                           hint='say what to do, e.g. --note "call about the patch test"')
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"the follow-up's note is longer than {NOTE_MAX} characters")
    return note


def add(session: Session, *, actor: Actor, location: LocationView, client_id: int, on: date | str,
        note: str) -> FollowUpView:
    """A follow-up on the client, due on `on` (the location's today or later)."""
    authorize(actor, Permission.desk)
    day, text = _day(on), _note(note)
    today = business_days.today(location)
    if day < today:
        raise RuleViolation(f"{day.isoformat()} has already passed (today is {today.isoformat()})",
                            hint="a follow-up is due today or later")
    client = live(session, client_id)
    if client.erased_at is not None:
        raise RuleViolation(f"client {client_id} was erased")
    row = ClientFollowUp(client_id=client_id, location_id=location.id, due_on=day, note=text, status="open",
                         created_by_id=actor.id, created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.follow_up", entity="client_follow_up", entity_id=row.id,
                 after={"client_id": client_id, "due_on": day.isoformat(), "status": "open"},
                 location_id=location.id)
    return get(session, row.id or 0)


def close(session: Session, *, actor: Actor, location: LocationView, follow_up_id: int,
          cancel: bool = False) -> FollowUpView:
    """Mark an open follow-up done (or cancelled): once."""
    authorize(actor, Permission.desk)
    row = session.get(ClientFollowUp, follow_up_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no follow-up {follow_up_id}", hint="see: salon client follow-ups")
    if row.status != "open":
        raise RuleViolation(f"follow-up {follow_up_id} is already {row.status}")
    status = "cancelled" if cancel else "done"
    row.status, row.closed_at, row.closed_by_id = status, clock.now(), actor.id
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action=f"client.follow_up.{'cancel' if cancel else 'done'}",
                 entity="client_follow_up", entity_id=follow_up_id, before={"status": "open"},
                 after={"client_id": row.client_id, "due_on": row.due_on.isoformat(), "status": status},
                 location_id=location.id)
    return get(session, follow_up_id)


# ----------------------------------------------------------------------------- reading

def _query() -> sa.Select:
    created, closed = aliased(Staff), aliased(Staff)
    return (
        select(ClientFollowUp, Client.first_name, Client.last_name, created.code, closed.code)
        .join(Client, col(Client.id) == ClientFollowUp.client_id)
        .outerjoin(created, created.id == ClientFollowUp.created_by_id)
        .outerjoin(closed, closed.id == ClientFollowUp.closed_by_id)
    )


def _view(row: ClientFollowUp, first: str, last: str, created_by: str | None, closed_by: str | None) -> FollowUpView:
    return FollowUpView(id=row.id or 0, client_id=row.client_id, client=f"{first} {last}".strip(),
                        due_on=row.due_on, note=row.note, status=row.status, created_by=created_by or "system",
                        created_at=row.created_at, closed_at=row.closed_at,
                        closed_by=(closed_by or "system") if row.closed_at else None)


def get(session: Session, follow_up_id: int) -> FollowUpView:
    found = session.exec(_query().where(ClientFollowUp.id == follow_up_id)).first()
    if found is None:
        raise NotFound(f"no follow-up {follow_up_id}", hint="see: salon client follow-ups")
    return _view(*found)


def _here(location: LocationView) -> sa.ColumnElement[bool]:
    """This location's follow-ups (and any written with no location), of clients not erased."""
    return sa.and_(sa.or_(col(ClientFollowUp.location_id) == location.id, col(ClientFollowUp.location_id).is_(None)),
                   col(Client.erased_at).is_(None))


def follow_ups(session: Session, *, location: LocationView, due: bool = False, client_id: int | None = None,
               everything: bool = False) -> list[FollowUpView]:
    """The open follow-ups of the location, soonest first; `due`: those due today or overdue; `everything`:
    done and cancelled ones too; `client_id`: one client's (an unknown client is not found)."""
    query = _query().where(_here(location))
    if client_id is not None:
        if session.get(Client, client_id) is None:
            raise NotFound(f"no client {client_id}", hint="find one: salon client search NAME")
        query = query.where(ClientFollowUp.client_id == client_id)
    if not everything or due:
        query = query.where(ClientFollowUp.status == "open")
    if due:
        query = query.where(col(ClientFollowUp.due_on) <= business_days.today(location))
    query = query.order_by(col(ClientFollowUp.due_on), col(ClientFollowUp.id))
    return [_view(*found) for found in session.exec(query)]


def due_count(session: Session, *, location: LocationView) -> int:
    """How many open follow-ups are due today or overdue at the location (the desk's line)."""
    query = (select(func.count()).select_from(ClientFollowUp)
             .join(Client, col(Client.id) == ClientFollowUp.client_id)
             .where(_here(location), ClientFollowUp.status == "open",
                    col(ClientFollowUp.due_on) <= business_days.today(location)))
    return int(session.exec(query).one())
