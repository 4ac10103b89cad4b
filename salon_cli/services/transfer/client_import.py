"""`salon import clients`: a CSV file of clients in, all or nothing.

Every row is checked first (names, phone, e-mail, birthday, tags, duplicates inside the file and
against the clients already here) and every fault is collected with its row and column; one fault
refuses the whole file and nothing is written (DESIGN.md rule 8). Otherwise every new client is
written in the caller's one transaction: the client, its tags, its search keys, its `client.add`
audit row, and one `client.import` audit row with the counts.

Re-importing a file creates nothing twice. A row is the client already here that has its
external code, else its phone, else its e-mail (a live client, never a merged one); a row with none
of the three is the live client with the same folded name and birthday and no phone, e-mail or
external code. Such rows count as `unchanged`: an import never edits a client.

A row whose keys point at two different clients, or whose phone or e-mail is on a client with
another name (and no shared external code), is a fault: that is someone else's number.

Columns of our own export (`id, no_show_count, deposit_required`) are read and ignored, so an
exported file imports as it is (with `keep_ids`, each new client takes the row's `id`: a move from
one salon database to another, say SQLite to PostgreSQL, keeps every reference to it; a row that is
a client already here must be that id); `gender`, `marketing_consent`, `created_at` (when the client joined)
and `notes` are imported too: our export's notes cell ('type: body | type (private): body') as
those notes, any other text as one general note, written by the importer now.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.core.date_formats import detect_date_format, parse_date
from salon_cli.core.text import fold, name_key
from salon_cli.db.bulk import analyze, insert_many, insert_plain, insert_with_ids, taken_ids
from salon_cli.db.models import AuditLog, Client, ClientNote, ClientSearchKey, ClientTag
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, read_csv
from salon_cli.services.salon import audit
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.transfer.appt_import_rows import _instant as iso_instant
from salon_cli.services.salon.authz import authorize
from salon_cli.services.clients.search import keys_for
from salon_cli.services.transfer.imports import (ImportSummary, Outcome, Planned, Progress, quietly, record_id, run_import,
                                        ticking)
from salon_cli.services.salon.locations import LocationView

FIELDS = ("first_name", "last_name", "phone", "email", "birthday", "external_code", "tags", "gender",
          "marketing_consent", "notes", "created_at")
IGNORED = ("id", "no_show_count", "deposit_required")
_NOTE = re.compile(r"^(general|technical|medical|preference|complaint)( \(private\))?: (.*)$", re.DOTALL)
_NOTE_MAX = 4000
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
_TAG_SPLIT = re.compile(r"[;,]")
_TRUE = frozenset({"true", "yes", "y", "1", "si", "sí", "x"})
_FALSE = frozenset({"false", "no", "n", "0", ""})
_CHUNK = 500  # ids or values per IN (...) list
_MAX_KEY_LOCKS = 1000  # phones and e-mails held one by one on PostgreSQL; more: the table only
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Row:
    """A row that passed its own checks: values as they will be stored."""

    number: int
    first_name: str
    last_name: str
    phone: str | None
    phone_raw: str | None
    email: str | None
    birthday: date | None
    external_code: str | None
    tags: tuple[str, ...]
    gender: str | None
    marketing_consent: bool
    notes: tuple[tuple[str, bool, str], ...] = ()  # (type, private, body), newest first as exported
    created_at: datetime | None = None
    id: int | None = None  # the file's, kept (`keep_ids`)

    @property
    def name_key(self) -> str:
        return name_key(self.first_name, self.last_name)


def read(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> list[SourceRow]:
    """The rows of a clients file, or `ImportRefused` (unknown column, ragged row, bad bytes)."""
    return read_csv(stream, fields=FIELDS + IGNORED, required=("first_name",), mapping=mapping,
                    encoding=encoding)


def check_date_format(pattern: str) -> str:
    if "%" not in (pattern or ""):
        raise InvalidInput(f"--date-format {pattern!r} is not a strftime pattern", hint="e.g. %d/%m/%Y")
    return pattern


def import_clients(
    session: Session,
    *,
    actor: Actor,
    location: LocationView,
    rows: Sequence[SourceRow],
    date_format: str | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    keep_ids: bool = False,
    source: str | None = None,
    progress: Progress = quietly,
) -> Outcome:
    """Check every row, then (unless `dry_run`) write the new clients. Raises `ImportRefused` (exit 2)
    naming every row and column at fault; the caller's transaction is then left unwritten. With
    `skip_bad` the rows at fault are left out (`Outcome.refused`) and the rest imported. Birthdays
    are read with `date_format`, else the format the column's values show (ambiguity refused).
    `keep_ids`: each new client takes the row's `id` (a fault where it is another client's)."""
    authorize(actor, Permission.desk)
    if date_format is None:
        date_format = detect_date_format((r.values.get("birthday", "") for r in rows), option="--date-format") \
            or DEFAULT_DATE_FORMAT
    check_date_format(date_format)
    return run_import(lambda part: _import(session, actor, location, part, date_format, dry_run, keep_ids, source,
                                           progress), rows, skip_bad=skip_bad, dry_run=dry_run)


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], date_format: str,
            dry_run: bool, keep_ids: bool, source: str | None, progress: Progress) -> Outcome:
    faults: list[Fault] = []
    good: list[_Row] = []
    tick = ticking(progress, "checking", len(rows))
    for done, source_row in enumerate(rows, 1):
        row, row_faults = _check_row(source_row, location, date_format, keep_ids)
        faults += row_faults
        if row is not None:
            good.append(row)
        tick(done)
    faults += _duplicates_in_file(good)
    if not dry_run:
        _hold(session, good)
    matches, match_faults = _match_existing(session, good)
    faults += match_faults
    if keep_ids:
        faults += _kept_ids(session, good, matches)
    if faults:
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, _column_order(f.column))))
    new = [r for r in good if r.number not in matches]
    summary = ImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new), dry_run=dry_run)
    if dry_run:
        return Outcome(summary, plan=tuple(
            Planned(r.number, "match", _label(r), matches[r.number].id) if r.number in matches
            else Planned(r.number, "create", _label(r)) for r in good))
    progress("writing", 0, len(new))
    _write(session, actor, location, new, keep_ids)
    progress("writing", len(new), len(new))
    audit.record(session, actor=actor, action="client.import", entity="client", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "source": source}, location_id=location.id)
    return Outcome(summary)


def _label(row: _Row) -> str:
    return " · ".join(p for p in (f"{row.first_name} {row.last_name}".strip(), row.phone or row.email or "",
                                  row.external_code or "") if p)


# ----------------------------------------------------------------------------- checking rows

def _column_order(column: str | None) -> int:
    return FIELDS.index(column) if column in FIELDS else -1


def _check_row(source: SourceRow, location: LocationView, date_format: str,
               keep_ids: bool = False) -> tuple[_Row | None, list[Fault]]:
    values = source.values
    faults: list[Fault] = []

    def check(column: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except InvalidInput as exc:
            faults.append(Fault(source.number, column, exc.message))
            return None

    first = check("first_name", lambda: client_service.check_name(values.get("first_name"), what="first name"))
    last_text = values.get("last_name", "")
    last = check("last_name", lambda: client_service.check_name(last_text, what="last name")) if last_text.strip() else ""
    phone = check("phone", lambda: client_service.check_phone(values.get("phone"), location)) or (None, None)
    email = check("email", lambda: client_service.check_email(values.get("email")))
    birthday = check("birthday", lambda: _birthday(values.get("birthday", ""), date_format, location))
    external = check("external_code", lambda: _limited(values.get("external_code"), 64, "external code"))
    gender = check("gender", lambda: _limited(values.get("gender"), 16, "gender"))
    tags = check("tags", lambda: _tags(values.get("tags", "")))
    consent = check("marketing_consent", lambda: _consent(values.get("marketing_consent", "")))
    notes = check("notes", lambda: _notes(values.get("notes", "")))
    since = check("created_at", lambda: _joined(values.get("created_at", ""), location))
    kept = check("id", lambda: record_id(values.get("id", ""), "client")) if keep_ids else None
    if faults:
        return None, faults
    return _Row(number=source.number, first_name=first, last_name=last or "", phone=phone[0], phone_raw=phone[1],
                email=email, birthday=birthday, external_code=external, tags=tags, gender=gender,
                marketing_consent=bool(consent), notes=notes or (), created_at=since, id=kept), []


def _notes(cell: str) -> tuple[tuple[str, bool, str], ...]:
    """Our export's notes cell ('type: body | type (private): body'), else the cell as one general note."""
    cell = cell.strip()
    if not cell:
        return ()
    parts = cell.split(" | ")
    found = [_NOTE.match(p) for p in parts]
    notes = tuple((m[1], bool(m[2]), m[3].strip()) for m in found if m) if all(found) else (("general", False, cell),)
    for _, _, body in notes:
        if len(body) > _NOTE_MAX:
            raise InvalidInput(f"a note is longer than {_NOTE_MAX} characters")
    return tuple(n for n in notes if n[2])


def _joined(text: str, location: LocationView) -> datetime | None:
    """When the client joined (our export's `created_at`): an ISO-8601 instant, read as appointment
    imports read theirs, and not in the future."""
    text = text.strip()
    if not text:
        return None
    at = iso_instant(text, location.tz, "created_at")
    if at > clock.now():
        raise InvalidInput(f"created_at {text} is in the future")
    return at

def _birthday(text: str, pattern: str, location: LocationView) -> date | None:
    text = text.strip()
    if not text:
        return None
    return client_service.check_birthday(parse_date(text, pattern, what="birthday"), location)


def _limited(text: str | None, most: int, what: str) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > most:
        raise InvalidInput(f"{what} is longer than {most} characters")
    return value or None


def _tags(text: str) -> tuple[str, ...]:
    return tuple(sorted({client_service.normalise_tag(t) for t in _TAG_SPLIT.split(text) if t.strip()}))


def _consent(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"marketing consent {text!r} is not yes or no", hint="true/false, yes/no or 1/0")


def _duplicates_in_file(rows: Iterable[_Row]) -> list[Fault]:
    faults: list[Fault] = []
    first_seen: dict[tuple[str, object], int] = {}
    for row in rows:
        for column, value in (("phone", row.phone), ("email", row.email), ("external_code", row.external_code),
                              ("id", row.id)):
            if value is None:
                continue
            earlier = first_seen.setdefault((column, value), row.number)
            if earlier != row.number:
                faults.append(Fault(row.number, column, f"{value} is also on row {earlier} of this file"))
    return faults


# ----------------------------------------------------------------------------- matching clients here

def _hold(session: Session, rows: Sequence[_Row]) -> None:
    """On PostgreSQL, keep other writers of clients out until this import commits (SQLite's write
    transaction does that already). The phones and e-mails are held first, the way `clients.add`
    holds them, so that a desk adding one of these clients meanwhile waits instead of slipping in
    between our check and our insert; then the table, so that two imports run one after the other.
    A large file holds only the table: PostgreSQL's lock table has room for a few thousand locks.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = [f"{what}:{value}" for r in rows for what, value in (("phone", r.phone), ("email", r.email)) if value]
    if len(keys) <= _MAX_KEY_LOCKS:
        client_service._serialise(session, keys)
    session.execute(sa.text("LOCK TABLE client IN SHARE ROW EXCLUSIVE MODE"))


def _chunks(values: Iterable[_T]) -> Iterable[list[_T]]:
    items = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# What matching needs of a client here, read as plain rows (attributes by these names), not as ORM
# objects: a re-import of 100,000 clients reads 250,000 of them.
_HERE = (col(Client.id), col(Client.first_name), col(Client.last_name), col(Client.name_key), col(Client.phone),
         col(Client.email), col(Client.external_code), col(Client.birthday))


def _live_by(session: Session, column: Any, values: Iterable[str]) -> dict[str, Any]:
    """Live clients whose `column` is one of `values` (the oldest client for each value)."""
    found: dict[str, Any] = {}
    for chunk in _chunks(values):
        query = (sa.select(*_HERE).where(column.in_(chunk), col(Client.merged_into_id).is_(None))
                 .order_by(col(Client.id)))
        for client in session.execute(query):
            found.setdefault(getattr(client, column.key), client)
    return found


def _match_existing(session: Session, rows: Sequence[_Row]) -> tuple[dict[int, Any], list[Fault]]:
    """Row number -> the client already here that the row is; faults for rows that collide."""
    by_code = _live_by(session, col(Client.external_code), (r.external_code for r in rows if r.external_code))
    by_phone = _live_by(session, col(Client.phone), (r.phone for r in rows if r.phone))
    by_email = _live_by(session, col(Client.email), (r.email for r in rows if r.email))
    by_name = _keyless_clients(session, [r for r in rows if not (r.external_code or r.phone or r.email)])
    matches: dict[int, Any] = {}
    faults: list[Fault] = []
    for row in rows:
        if not (row.external_code or row.phone or row.email):
            twin = by_name.get((row.name_key, row.birthday))
            if twin is not None:
                matches[row.number] = twin
            continue
        code_match = by_code.get(row.external_code) if row.external_code else None
        phone_match = by_phone.get(row.phone) if row.phone else None
        email_match = by_email.get(row.email) if row.email else None
        client = code_match or phone_match or email_match
        if client is None:
            continue
        row_faults = [Fault(row.number, column, f"{value} is already on client {other.id} ({_name(other)}), "
                                                f"but this row is client {client.id} ({_name(client)})")
                      for column, value, other in (("phone", row.phone, phone_match), ("email", row.email, email_match))
                      if other is not None and other.id != client.id]
        if code_match is None and not row_faults:
            column, value = ("phone", row.phone) if phone_match is not None else ("email", row.email)
            if row.external_code and client.external_code:
                row_faults.append(Fault(row.number, column, f"{value} is already on client {client.id} "
                                        f"({_name(client)}), whose external code is {client.external_code}"))
            elif not _same_person(row, client):
                row_faults.append(Fault(row.number, column, f"{value} is already on client {client.id} "
                                        f"({_name(client)}), another name"))
        if row_faults:
            faults += row_faults
        else:
            matches[row.number] = client
    return matches, faults


def _kept_ids(session: Session, rows: Sequence[_Row], matches: dict[int, Any]) -> list[Fault]:
    """`keep_ids`: a row that is a client here must be that client's id; a new row's id must be free."""
    faults = [Fault(r.number, "id", f"this row is client {matches[r.number].id} here ({_name(matches[r.number])}), "
                    f"not {r.id}: with --keep-ids the ids must agree")
              for r in rows if r.number in matches and matches[r.number].id != r.id]
    new = [r for r in rows if r.number not in matches and r.id is not None]
    taken = taken_ids(session, Client, (r.id for r in new))
    faults += [Fault(r.number, "id", f"id {r.id} is taken here by another client") for r in new if r.id in taken]
    return faults


def _keyless_clients(session: Session, rows: Sequence[_Row]) -> dict[tuple[str, date | None], Any]:
    found: dict[tuple[str, date | None], Any] = {}
    for chunk in _chunks(r.name_key for r in rows):
        query = (sa.select(*_HERE).where(col(Client.name_key).in_(chunk), col(Client.merged_into_id).is_(None),
                                      col(Client.phone).is_(None), col(Client.email).is_(None),
                                      col(Client.external_code).is_(None))
                 .order_by(col(Client.id)))
        for client in session.execute(query):
            found.setdefault((client.name_key, client.birthday), client)
    return found


def _same_person(row: _Row, client: Any) -> bool:
    """Names that agree: the whole name, the first word of the first name, or the last name."""
    if row.name_key == client.name_key:
        return True
    first_word = (fold(row.first_name).split() or [""])[0]
    if first_word and first_word == (fold(client.first_name).split() or [""])[0]:
        return True
    return bool(row.last_name) and fold(row.last_name) == fold(client.last_name)


def _name(client: Any) -> str:
    return f"{client.first_name} {client.last_name}".strip()


# ----------------------------------------------------------------------------- writing

def _write(session: Session, actor: Actor, location: LocationView, rows: Sequence[_Row], keep_ids: bool = False) -> None:
    """The new clients, their tags, search keys and `client.add` audit rows, as batched inserts
    (10,000 clients in seconds: no ORM object per row)."""
    if not rows:
        return
    now = clock.now()
    defaults = Client(first_name="-").model_dump(exclude={"id"})  # every column, with the model's defaults
    values = [{**defaults, "first_name": r.first_name, "last_name": r.last_name, "name_key": r.name_key,
               "phone": r.phone, "phone_raw": r.phone_raw, "email": r.email, "birthday": r.birthday,
               "gender": r.gender, "external_code": r.external_code, "marketing_consent": r.marketing_consent,
               "home_location_id": location.id, "created_at": r.created_at or now} for r in rows]
    ids = insert_with_ids(session, Client, values, [r.id for r in rows if r.id is not None] if keep_ids else None)
    insert_plain(session, ClientTag, ("client_id", "tag"),
                 [(cid, t) for cid, r in zip(ids, rows, strict=True) for t in r.tags])
    insert_plain(session, ClientSearchKey, ("key", "client_id", "kind"),
                 [(key, cid, kind) for cid, r in zip(ids, rows) for kind, key in sorted(keys_for(r.first_name, r.last_name))])
    insert_many(session, AuditLog, [
        {"at": now, "location_id": location.id, "actor": actor.code, "actor_id": actor.id, "action": "client.add",
         "entity": "client", "entity_id": cid, "before": None,
         "after": {**_json_safe({**v, "id": cid}), "tags": list(r.tags), "import_row": r.number,
                   "notes": len(r.notes)}}
        for cid, v, r in zip(ids, values, rows)])
    # notes oldest first, so that "newest first" lists them in the file's order; one audit row each
    notes = [{"client_id": cid, "type": kind, "body": body, "private": private, "author_id": actor.id,
              "created_at": now} for cid, r in zip(ids, rows) for kind, private, body in reversed(r.notes)]
    if notes:
        note_ids = insert_with_ids(session, ClientNote, notes)
        insert_many(session, AuditLog, [
            {"at": now, "location_id": location.id, "actor": actor.code, "actor_id": actor.id,
             "action": "client.note", "entity": "client_note", "entity_id": nid, "before": None,
             "after": {"client_id": n["client_id"], "type": n["type"], "private": n["private"], "imported": True}}
            for nid, n in zip(note_ids, notes, strict=True)])
    analyze(session, len(rows), Client, ClientTag, ClientSearchKey, ClientNote, AuditLog)


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """The audit's picture of a client row: dates and instants as ISO text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
