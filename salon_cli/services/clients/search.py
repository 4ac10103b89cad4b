"""Finding a client as the receptionist types: by name (typos and sound-alike spellings), by any
run of phone digits, by the start of an e-mail address, or by the code another system gave them
(`PERA01`, any case: first, at 100); ranked, each hit with a score.

Names go through the key index of client_name_index.py (the keys a name is stored under and how a
typed name reads them) and are scored by core/name_match.py; phones and e-mails through their
own indexed columns. No search scans every client in Python.

Interface for the client services: `index_client(session, client)` after a client is added,
renamed or merged; `reindex_all(session)` after an import; `search(session, query, limit=...)` for
the dashboard's search box (called on every keystroke) and `salon client search`; `bound_query(query)`
for what `search` makes of a query longer than `MAX_QUERY` characters, and the warning that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.db.models import Client, ClientSearchKey
from salon_cli.services.clients import name_index as client_name_index
from salon_cli.services.clients.name_index import keys_for

__all__ = ["MAX_QUERY", "BoundQuery", "ClientHit", "bound_query", "index_client", "keys_for", "reindex_all", "search"]

PHONE_CHARS = re.compile(r"[\d\s()+.\-/]+")
EMAIL_HINT = re.compile(r"[@._+\d]")
MAX_QUERY = 100  # characters searched: a name, a phone or an e-mail is far shorter; a paste is cut


@dataclass(frozen=True)
class ClientHit:
    """One row of search results: the client record of SPEC.md plus its score (0-100)."""

    id: int
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    birthday: date | None
    tags: tuple[str, ...]
    no_show_count: int
    deposit_required: bool
    score: float
    matched_on: str  # name | phone | email | external_code


def _key_rows(client_id: int, first_name: str, last_name: str) -> list[dict]:
    return [{"key": key, "client_id": client_id, "kind": kind}
            for kind, key in sorted(keys_for(first_name, last_name))]


_INSERT_KEYS = sa.insert(ClientSearchKey.__table__)


def _insert_keys(session: Session, rows: list[dict]) -> None:
    """Many key rows at once: COPY on PostgreSQL (an executemany there is a round trip a row),
    a plain executemany on SQLite; in key order, so that index pages fill in order."""
    rows.sort(key=lambda row: row["key"])
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(rows) > 50:
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy("COPY client_search_key (key, client_id, kind) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row["key"], row["client_id"], row["kind"]))
    else:
        connection.execute(_INSERT_KEYS, rows)


def index_client(session: Session, client: Client) -> None:
    """Replace the client's look-up keys (call after add, rename and merge).

    A merged or erased client keeps no keys: it must not turn up in a search.
    """
    session.flush()
    assert client.id is not None
    session.execute(sa.delete(ClientSearchKey).where(col(ClientSearchKey.client_id) == client.id))
    gone = client.merged_into_id is not None or client.erased_at is not None
    rows = [] if gone else _key_rows(client.id, client.first_name, client.last_name)
    if rows:
        _insert_keys(session, rows)


def reindex_all(session: Session, *, batch: int = 5000) -> int:
    """Rebuild every live client's keys (after an import or a rule change). Returns clients indexed."""
    session.flush()
    session.execute(sa.delete(ClientSearchKey))
    last_id, indexed = 0, 0
    while True:
        people = session.execute(
            sa.select(Client.id, Client.first_name, Client.last_name)
            .where(col(Client.id) > last_id, col(Client.merged_into_id).is_(None), col(Client.erased_at).is_(None))
            .order_by(col(Client.id)).limit(batch)
        ).all()
        if not people:
            return indexed
        rows = [row for cid, first, last in people for row in _key_rows(cid, first, last)]
        _insert_keys(session, rows)
        indexed += len(people)
        last_id = people[-1][0]


class BoundQuery(NamedTuple):
    """A query as `search` reads it."""

    text: str  # at most MAX_QUERY characters, spaces around it dropped
    warning: str | None  # what was cut off, when something was
    typing: bool  # whether its last word may be half-typed (and so count as the start of a word)


def bound_query(query: str | None) -> BoundQuery:
    """The query cut to MAX_QUERY characters, between words where it can be; the words after the cut
    are ignored. Only a first word longer than the bound is cut in the middle (its start is searched)."""
    raw = query or ""
    text = raw.strip()
    if len(text) <= MAX_QUERY:
        return BoundQuery(text, None, not raw.endswith(" "))
    cut = max((k for k, ch in enumerate(text[:MAX_QUERY + 1]) if ch.isspace()), default=0)
    said = f"query cut to {MAX_QUERY} characters; "
    if cut:
        kept = text[:cut].rstrip()
        return BoundQuery(kept, said + _ignored(len(text[cut:].split())), False)
    first, *rest = text.split()
    said += f"only the start of a {len(first)}-character word was searched"
    return BoundQuery(text[:MAX_QUERY], said + (f", and {_ignored(len(rest))}" if rest else ""), True)


def _ignored(words: int) -> str:
    return "the last word was ignored" if words == 1 else f"the last {words} words were ignored"


def search(session: Session, query: str, *, limit: int = 10) -> list[ClientHit]:
    """Clients that best match `query`, best first, merged clients never.

    Any query: the clients whose external code it is (`_by_external_code`), first. Only digits (and
    phone punctuation): any run of 3+ digits of the phone. An '@', a dot, an
    underscore or a digit among letters: the start of an e-mail. Otherwise names, typo-tolerant and
    by sound (a trailing half-typed word counts as a prefix); a one-word query also matches the
    start of e-mails. Only the first MAX_QUERY characters count (`bound_query`).
    """
    text, _, typing = bound_query(query)
    if not text or limit <= 0:
        return []
    coded = _by_external_code(session, " ".join(text.split()), limit)
    if PHONE_CHARS.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        found = [_by_phone(session, digits, limit)] if len(digits) >= 3 else []
    elif " " not in text and EMAIL_HINT.search(text):
        found = [_by_email(session, text.lower(), limit)]
    else:
        named = client_name_index.find(session, text, limit=limit, typing=typing)
        found = [[(cid, score, "name") for cid, score in named]]
        if " " not in text and len(text) >= 3:
            found.append(_by_email(session, text.lower(), limit))
    return _hits(session, _merge([coded, *found])[: limit + 10])[:limit]  # a few spare for merged clients


Ranked = list[tuple[int, float, str]]  # (client id, score, matched_on), best first


def _merge(found: list[Ranked]) -> Ranked:
    """One list from several ranked ones: a client once, with its best score; ties keep the
    order of the list they came from."""
    best: dict[int, tuple[float, int, int, str]] = {}
    for source, ranked in enumerate(found):
        for position, (cid, score, how) in enumerate(ranked):
            if cid not in best or best[cid][0] < score:
                best[cid] = (score, source, position, how)
    order = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1], item[1][2]))
    return [(cid, score, how) for cid, (score, _, _, how) in order]


# Plain SQL for the hot path: building ORM selects costs more than running them here.
_CLIENT_ROWS = sa.text(
    "SELECT id, first_name, last_name, phone, email, birthday, no_show_count, deposit_required "
    "FROM client WHERE id IN :ids AND merged_into_id IS NULL AND erased_at IS NULL"  # erased: never found
).bindparams(sa.bindparam("ids", expanding=True)).columns(birthday=sa.Date, deposit_required=sa.Boolean)
_TAGS = sa.text("SELECT client_id, tag FROM client_tag WHERE client_id IN :ids ORDER BY tag").bindparams(
    sa.bindparam("ids", expanding=True))


def _hits(session: Session, ranked: Ranked) -> list[ClientHit]:
    if not ranked:
        return []
    ids = [cid for cid, _, _ in ranked]
    rows = {row.id: row for row in session.execute(_CLIENT_ROWS, {"ids": ids})}
    tags: dict[int, list[str]] = {}
    for cid, tag in session.execute(_TAGS, {"ids": ids}):
        tags.setdefault(cid, []).append(tag)
    return [
        ClientHit(id=cid, first_name=row.first_name, last_name=row.last_name, phone=row.phone, email=row.email,
                  birthday=row.birthday, tags=tuple(tags.get(cid, ())), no_show_count=row.no_show_count,
                  deposit_required=row.deposit_required, score=score, matched_on=how)
        for cid, score, how in ranked if (row := rows.get(cid)) is not None
    ]


# -- external code, phone and e-mail -------------------------------------------------------------


def _by_external_code(session: Session, code: str, limit: int) -> Ranked:
    # An exact look-up on the column's plain index, as typed, in capitals and in small letters: other
    # systems write their codes in one case (`PERA01`), the desk types it in either. A code stored in
    # mixed case (`PerA01`) is found as stored or in one case only; a case-blind index would need a
    # migration (lower(external_code)), and this costs one index probe a keystroke, no scan.
    if not code or len(code) > 64:
        return []
    rows = session.execute(_EXTERNAL, {"codes": sorted({code, code.upper(), code.lower()}), "most": limit}).all()
    return [(cid, 100.0, "external_code") for (cid,) in rows]


_EXTERNAL = sa.text("SELECT id FROM client WHERE external_code IN :codes AND merged_into_id IS NULL "
                    "ORDER BY id LIMIT :most").bindparams(sa.bindparam("codes", expanding=True))



def _by_phone(session: Session, digits: str, limit: int) -> Ranked:
    # Phones are E.164 ('+5215512345678'): a run typed anywhere in it matches. The leading
    # wildcard means the database reads the whole phone index (in SQL, not in Python: about
    # 8 ms per 100,000 clients); merged clients are dropped afterwards, with the other columns.
    rows = session.execute(_PHONES, {"pattern": f"%{digits}%", "most": max(limit * 20, 200)}).all()
    scored = [(cid, _phone_score(digits, phone), phone) for cid, phone in rows]
    scored.sort(key=lambda row: (-row[1], row[2], row[0]))
    return [(cid, score, "phone") for cid, score, _ in scored]


_PHONES = sa.text("SELECT id, phone FROM client WHERE phone LIKE :pattern LIMIT :most")


def _phone_score(digits: str, phone: str) -> float:
    """The share of the number typed; the last digits (how people read a number out) count more."""
    number = re.sub(r"\D", "", phone)
    if number == digits:
        return 100.0
    share = len(digits) / len(number)
    return round(min(99.0, 50 + 40 * share + (9 if number.endswith(digits) else 0)), 1)


def _by_email(session: Session, prefix: str, limit: int) -> Ranked:
    # An index range on the e-mail column (usable whatever the collation) plus an exact LIKE.
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x7F else None
    rows = session.execute(_EMAILS if high else _EMAILS_OPEN, {
        "low": prefix, "high": high, "pattern": escaped + "%", "most": max(limit * 5, 50)}).all()
    scored = [(cid, _email_score(prefix, email), email) for cid, email in rows]
    scored.sort(key=lambda row: (-row[1], row[2], row[0]))
    return [(cid, score, "email") for cid, score, _ in scored]


_EMAILS_SQL = ("SELECT id, email FROM client WHERE email >= :low {below} AND email LIKE :pattern ESCAPE '\\' "
               "AND merged_into_id IS NULL ORDER BY email LIMIT :most")
_EMAILS = sa.text(_EMAILS_SQL.format(below="AND email < :high"))
_EMAILS_OPEN = sa.text(_EMAILS_SQL.format(below=""))  # a prefix ending beyond ASCII: no upper bound


def _email_score(prefix: str, email: str) -> float:
    if email == prefix:
        return 100.0
    mailbox = email.split("@")[0]
    if prefix == mailbox or prefix.startswith(mailbox + "@"):
        return 95.0
    return round(min(94.0, 60 + 34 * len(prefix) / len(mailbox)), 1)
