"""What the desk's forms ask while the receptionist types: is this person here already (the new-client
form)? Whom does this client prefer on that day (the booking form)?

- `existing_contact`: a live client with this phone (read to E.164 as `profiles` stores it, the
  location's country for a national number) or this e-mail (lower-cased). `clients add` refuses
  that same phone or e-mail (`profiles.refuse_duplicates`, exit 1): the form opens that client
  instead. The phone is asked first. What is not a phone or an e-mail yet (half typed) finds no one:
  saving the form says what is wrong with it.
- `likely_duplicates`: live clients whose name answers the typed first and last name by the search's
  own scoring (typos and sound-alike spellings: Ximena Jiménez ~ Jimena Giménez), best first, those
  scoring at least `LIKELY_SCORE` only.
- `preferred_stylist`: the booking form's stylist for a client on a day, the first of their preferred
  stylists (in order) who works that day (active, taking appointments here, hours that day, not off).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import Client
from salon_cli.services.clients import name_index
from salon_cli.services.clients.notes import preferred_staff_ids
from salon_cli.services.clients.profiles import ClientView, check_email, check_phone, tags_of
from salon_cli.services.salon.hours import day_plan
from salon_cli.services.salon.locations import LocationView

LIKELY_SCORE = 75.0  # a slip in each name, or names said the same and spelt otherwise


def existing_contact(session: Session, *, phone: str | None, email: str | None,
                     location: LocationView) -> ClientView | None:
    """The live client who has this phone or e-mail already (phone first), else None."""
    try:
        e164 = check_phone(phone, location)[0] if phone else None
    except InvalidInput:
        e164 = None
    try:
        address = check_email(email) if email else None
    except InvalidInput:
        address = None
    for column, value in ((col(Client.phone), e164), (col(Client.email), address)):
        if value is None:
            continue
        row = session.exec(select(Client).where(column == value, col(Client.merged_into_id).is_(None))
                           .order_by(col(Client.id))).first()
        if row is not None:
            return ClientView.of(row, tags_of(session, [row.id or 0])[row.id or 0])
    return None


def likely_duplicates(session: Session, *, first: str, last: str, limit: int = 5) -> list[ClientView]:
    """Live clients whose names answer `first last` (the search's scoring), best first."""
    text = " ".join(f"{first or ''} {last or ''}".split())
    if not text or limit <= 0:
        return []
    ranked = [(cid, score) for cid, score in name_index.find(session, text, limit=limit + 10, typing=False)
              if score >= LIKELY_SCORE]
    if not ranked:
        return []
    ids = [cid for cid, _ in ranked]
    rows = {c.id: c for c in session.exec(select(Client).where(col(Client.id).in_(ids),
                                                               col(Client.merged_into_id).is_(None)))}
    tags = tags_of(session, [cid for cid in ids if cid in rows])
    return [ClientView.of(rows[cid], tags[cid]) for cid in ids if cid in rows][:limit]


def preferred_stylist(session: Session, *, location: LocationView, client_id: int, day: date) -> str | None:
    """The code of the client's first preferred stylist who works `day` at this location, else None."""
    wanted = preferred_staff_ids(session, client_id)
    if not wanted:
        return None
    working = {m.staff_id: m.code for m in day_plan(session, location, day).staff if m.spans}
    return next((working[sid] for sid in wanted if sid in working), None)
