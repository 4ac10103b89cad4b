"""Likely duplicate clients: the same phone or e-mail, or names that sound alike with close birthdays.

Candidates come from the database (grouped contacts; clients sharing a search 'pair' key, i.e. two
name words with the same sound codes), and are then confirmed word by word in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput
from salon_cli.core.phonetics import name_tokens, token_code
from salon_cli.db.models import Client, ClientSearchKey

CLOSE_BIRTHDAYS_DAYS = 3


@dataclass(frozen=True)
class DuplicatePair:
    client_id: int
    duplicate_id: int
    score: int
    reason: str
    client: str
    duplicate: str


def _name(c: Client) -> str:
    return f"{c.first_name} {c.last_name}".strip()


def _first_and_last_codes(c: Client) -> tuple[str, str]:
    first = name_tokens(c.first_name)
    last = name_tokens(c.last_name)
    return (token_code(first[0]) if first else "", token_code(last[0]) if last else "")


def _name_score(a: Client, b: Client) -> tuple[int, str] | None:
    """Same-sounding first name and first last name, and birthdays that agree."""
    if _first_and_last_codes(a) != _first_and_last_codes(b) or not all(_first_and_last_codes(a)):
        return None
    if a.birthday is None or b.birthday is None:
        return None
    if a.birthday == b.birthday:
        return 95, "names sound alike, same birthday"
    if abs((a.birthday - b.birthday).days) <= CLOSE_BIRTHDAYS_DAYS:
        return 85, f"names sound alike, birthdays {abs((a.birthday - b.birthday).days)} days apart"
    if (a.birthday.month, a.birthday.day) == (b.birthday.month, b.birthday.day):
        return 80, "names sound alike, same birthday but another year"
    return None


def find(session: Session, *, min_score: int = 70, limit: int = 500) -> list[DuplicatePair]:
    if not 0 <= min_score <= 100:
        raise InvalidInput("--min-score must be between 0 and 100")
    live = sa.and_(col(Client.merged_into_id).is_(None), col(Client.erased_at).is_(None))  # erased: no one's twin
    found: dict[tuple[int, int], DuplicatePair] = {}

    def keep(a: Client, b: Client, score: int, reason: str) -> None:
        low, high = sorted((a, b), key=lambda c: c.id or 0)
        key = (low.id or 0, high.id or 0)
        if score >= min_score and (key not in found or found[key].score < score):
            found[key] = DuplicatePair(key[0], key[1], score, reason, _name(low), _name(high))

    for field, reason in ((Client.phone, "same phone"), (Client.email, "same e-mail")):
        shared = select(field).where(live, col(field).is_not(None)).group_by(field).having(sa.func.count() > 1)
        group: dict[str, list[Client]] = {}
        for c in session.exec(select(Client).where(live, col(field).in_(shared)).order_by(Client.id)):
            group.setdefault(getattr(c, field.key), []).append(c)
        for members in group.values():
            for other in members[1:]:
                keep(members[0], other, 100, reason)

    a_key, b_key = aliased(ClientSearchKey), aliased(ClientSearchKey)
    a_client, b_client = aliased(Client), aliased(Client)
    candidates = session.exec(
        select(a_client, b_client)
        .select_from(a_key)
        .join(b_key, sa.and_(a_key.key == b_key.key, a_key.kind == b_key.kind, a_key.client_id < b_key.client_id))
        .join(a_client, a_client.id == a_key.client_id)
        .join(b_client, b_client.id == b_key.client_id)
        .where(a_key.kind == "pair", col(a_client.birthday).is_not(None), col(b_client.birthday).is_not(None),
               col(a_client.merged_into_id).is_(None), col(b_client.merged_into_id).is_(None),
               col(a_client.erased_at).is_(None), col(b_client.erased_at).is_(None))
        .distinct()
    )
    for a, b in candidates:
        scored = _name_score(a, b)
        if scored:
            keep(a, b, *scored)
    return sorted(found.values(), key=lambda p: (-p.score, p.client_id, p.duplicate_id))[:limit]
