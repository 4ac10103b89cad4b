"""`salon import clients`: a CSV file of clients in, all or nothing.

Every row is checked first (`client_import_rows`: names, phone, e-mail, birthday, tags, duplicates
inside the file; `client_import_match`: against the clients already here) and every fault is
collected with its row and column; one fault refuses the whole file and nothing is written
(DESIGN.md rule 8). Otherwise every new client is written in the caller's one transaction: the
client, its tags, its search keys, its `client.add` audit row, and one `client.import` audit row
with the counts.

Re-importing a file creates nothing twice. A row is the client already here that has its external
code, else its phone, else its e-mail (a live client, never a merged one); a row with none of the
three is the live client with the same folded name and birthday and no phone, e-mail or external
code. Such rows count as `unchanged`: an import never edits a client, with one exception. A client
that an appointments or sales import created from a code alone (`--create-missing`: first name the
code, no last name) is filled in by the row with that external code: its names and the rest of the
row (phone, e-mail, birthday, gender, consent, when they joined, the profile's parts, preferred
stylists, tags and notes; what the desk gave it meanwhile stays where the file's cell is empty), its
search keys rebuilt, a `client.edit` audit row each; the dry run's action for such a row is `fill`,
the summary counts them as `filled`.

A row whose keys point at two different clients, or whose phone or e-mail is on a client with
another name (and no shared external code), is a fault: that is someone else's number.

Columns of our own export (`id, no_show_count, deposit_required`) are read and ignored, so an
exported file imports as it is (with `keep_ids`, each new client takes the row's `id`: a move from
one salon database to another, say SQLite to PostgreSQL, keeps every reference to it; a row that is
a client already here must be that id); `gender`, `marketing_consent`, `created_at` (when the client joined)
and `notes` are imported too: our export's notes cell ('type: body | type (private): body') as
those notes, any other text as one general note, written by the importer now. So is the rest of the
profile (`street, city, state, postal_code, country, phone2, email2, occupation, emergency_name,
emergency_phone`, checked as `client add` checks them) and `preferred_staff`: staff codes in order
(';' or ','), each a staff member here (a deactivated one too), or a fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.date_formats import detect_date_format
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.db.bulk import analyze, insert_many, insert_plain, insert_with_ids
from salon_cli.db.models import AuditLog, Client, ClientNote, ClientPreferredStaff, ClientSearchKey, ClientTag, Staff
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, read_csv
from salon_cli.services.clients.search import keys_for
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.client_import_match import chunks, hold, kept_ids, match_existing, preferred_staff
from salon_cli.services.transfer.client_import_rows import (FIELDS, IGNORED, PROFILE, ClientFileRow, check_row,
                                                            column_order, duplicates_in_file)
from salon_cli.services.transfer.imports import ImportSummary, Outcome, Planned, Progress, quietly, run_import, ticking

__all__ = ["DEFAULT_DATE_FORMAT", "FIELDS", "IGNORED", "ClientImportSummary", "check_date_format", "import_clients",
           "read"]

DEFAULT_DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class ClientImportSummary(ImportSummary):
    filled: int = 0  # clients named by their codes until now, filled in by their rows


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
    """Check every row, then (unless `dry_run`) write the new clients and fill in those named by
    their codes. Raises `ImportRefused` (exit 2) naming every row and column at fault; the caller's
    transaction is then left unwritten. With `skip_bad` the rows at fault are left out
    (`Outcome.refused`) and the rest imported. Birthdays are read with `date_format`, else the format
    the column's values show (ambiguity refused). `keep_ids`: each new client takes the row's `id`
    (a fault where it is another client's). The summary is a `ClientImportSummary`."""
    authorize(actor, Permission.desk)
    if date_format is None:
        date_format = detect_date_format((r.values.get("birthday", "") for r in rows), option="--date-format") \
            or DEFAULT_DATE_FORMAT
    check_date_format(date_format)
    shown = date_format if any(r.values.get("birthday") for r in rows) else None  # kept by --save-mapping
    return run_import(lambda part: _import(session, actor, location, part, date_format, dry_run, keep_ids, source,
                                           progress), rows, skip_bad=skip_bad, dry_run=dry_run,
                      settings={"date_format": shown})


def _import(session: Session, actor: Actor, location: LocationView, rows: Sequence[SourceRow], date_format: str,
            dry_run: bool, keep_ids: bool, source: str | None, progress: Progress) -> Outcome:
    faults: list[Fault] = []
    good: list[ClientFileRow] = []
    tick = ticking(progress, "checking", len(rows))
    for done, source_row in enumerate(rows, 1):
        row, row_faults = check_row(source_row, location, date_format, keep_ids)
        faults += row_faults
        if row is not None:
            good.append(row)
        tick(done)
    faults += duplicates_in_file(good)
    if not dry_run:
        hold(session, good)
    matches, match_faults = match_existing(session, good)
    faults += match_faults
    staff_ids, staff_faults = preferred_staff(session, good)
    faults += staff_faults
    if keep_ids:
        faults += kept_ids(session, good, matches.here)
    if faults:
        raise ImportRefused(sorted(faults, key=lambda f: (f.row or 0, column_order(f.column))))
    new = [r for r in good if r.number not in matches.here]
    fills = [r for r in good if r.number in matches.fill]
    summary = ClientImportSummary(rows=len(rows), created=len(new), unchanged=len(good) - len(new) - len(fills),
                                  dry_run=dry_run, filled=len(fills))
    if dry_run:
        return Outcome(summary, plan=tuple(_planned(r, matches.here.get(r.number), r.number in matches.fill)
                                           for r in good))
    progress("writing", 0, len(new) + len(fills))
    _write(session, actor, location, new, staff_ids, keep_ids)
    _fill_in(session, actor, location, fills, {r.number: matches.here[r.number].id for r in fills}, staff_ids)
    progress("writing", len(new) + len(fills), len(new) + len(fills))
    audit.record(session, actor=actor, action="client.import", entity="client", entity_id=None,
                 after={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged,
                        "filled": summary.filled, "source": source}, location_id=location.id)
    return Outcome(summary)


def _planned(row: ClientFileRow, client: Any, fill: bool) -> Planned:
    if client is None:
        return Planned(row.number, "create", _label(row))
    if fill:
        return Planned(row.number, "fill", _label(row), client.id,
                       reason=f"fill in client {client.external_code}, named by its code until now")
    return Planned(row.number, "match", _label(row), client.id)


def _label(row: ClientFileRow) -> str:
    return " · ".join(p for p in (f"{row.first_name} {row.last_name}".strip(), row.phone or row.email or "",
                                  row.external_code or "") if p)


# ----------------------------------------------------------------------------- writing

def _write(session: Session, actor: Actor, location: LocationView, rows: Sequence[ClientFileRow],
           staff_ids: dict[str, int], keep_ids: bool = False) -> None:
    """The new clients, their tags, preferred stylists, search keys and `client.add` audit rows, as
    batched inserts (10,000 clients in seconds: no ORM object per row)."""
    if not rows:
        return
    now = clock.now()
    defaults = Client(first_name="-").model_dump(exclude={"id"})  # every column, with the model's defaults
    values = [{**defaults, "first_name": r.first_name, "last_name": r.last_name, "name_key": r.name_key,
               "phone": r.phone, "phone_raw": r.phone_raw, "email": r.email, "birthday": r.birthday,
               "gender": r.gender, "external_code": r.external_code, "marketing_consent": r.marketing_consent,
               "home_location_id": location.id, "created_at": r.created_at or now, **dict(r.profile)} for r in rows]
    ids = insert_with_ids(session, Client, values, [r.id for r in rows if r.id is not None] if keep_ids else None)
    insert_plain(session, ClientTag, ("client_id", "tag"),
                 [(cid, t) for cid, r in zip(ids, rows, strict=True) for t in r.tags])
    _write_preferred(session, [(cid, r) for cid, r in zip(ids, rows) if r.preferred_staff], staff_ids)
    insert_plain(session, ClientSearchKey, ("key", "client_id", "kind"),
                 [(key, cid, kind) for cid, r in zip(ids, rows) for kind, key in sorted(keys_for(r.first_name, r.last_name))])
    insert_many(session, AuditLog, [
        {"at": now, "location_id": location.id, "actor": actor.code, "actor_id": actor.id, "action": "client.add",
         "entity": "client", "entity_id": cid, "before": None,
         "after": {**_json_safe({**v, "id": cid}), "tags": list(r.tags), "import_row": r.number,
                   "notes": len(r.notes), "preferred_staff": list(r.preferred_staff)}}
        for cid, v, r in zip(ids, values, rows)])
    _write_notes(session, actor, location, list(zip(ids, rows)), now)
    analyze(session, len(rows), Client, ClientTag, ClientSearchKey, ClientNote, AuditLog)


def _write_preferred(session: Session, rows: list[tuple[int, ClientFileRow]], staff_ids: dict[str, int]) -> None:
    """The rows' preferred stylists on their clients, positions 1, 2, ... in the file's order."""
    insert_plain(session, ClientPreferredStaff, ("client_id", "staff_id", "position"),
                 [(cid, staff_ids[code], n) for cid, r in rows for n, code in enumerate(r.preferred_staff, start=1)])


def _write_notes(session: Session, actor: Actor, location: LocationView, rows: list[tuple[int, ClientFileRow]],
                 now: datetime) -> None:
    """The rows' notes on their clients, oldest first, so that "newest first" lists them in the file's
    order; one audit row each."""
    notes = [{"client_id": cid, "type": kind, "body": body, "private": private, "author_id": actor.id,
              "created_at": now} for cid, r in rows for kind, private, body in reversed(r.notes)]
    if notes:
        note_ids = insert_with_ids(session, ClientNote, notes)
        insert_many(session, AuditLog, [
            {"at": now, "location_id": location.id, "actor": actor.code, "actor_id": actor.id,
             "action": "client.note", "entity": "client_note", "entity_id": nid, "before": None,
             "after": {"client_id": n["client_id"], "type": n["type"], "private": n["private"], "imported": True}}
            for nid, n in zip(note_ids, notes, strict=True)])


_FILLED = ("first_name", "last_name", "phone", "email", "birthday", "gender", "marketing_consent", "created_at",
           *PROFILE)


def _fill_in(session: Session, actor: Actor, location: LocationView, rows: Sequence[ClientFileRow],
             ids: dict[int, int], staff_ids: dict[str, int]) -> None:
    """The clients named by their codes (`ids`: row number -> client) take their rows' names and the
    rest of the row; a cell the file leaves empty keeps what the client has, and consent once given
    stays given. Their search keys are rebuilt; tags the client has not got are added; a row's
    preferred stylists replace the client's (an empty cell keeps them)."""
    if not rows:
        return
    now = clock.now()
    clients = {c.id: c for chunk in chunks(ids.values())
               for c in session.exec(select(Client).where(col(Client.id).in_(chunk)))}
    had = {(cid, tag) for chunk in chunks(ids.values()) for cid, tag in session.execute(
        sa.select(col(ClientTag.client_id), col(ClientTag.tag)).where(col(ClientTag.client_id).in_(chunk)))}
    preferred = _preferred_codes(session, list(ids.values()))
    edits = []
    for r in rows:
        client = clients[ids[r.number]]
        before = {**(audit.snapshot(client, only=_FILLED + ("external_code",)) or {}),
                  "preferred_staff": preferred.get(client.id, [])}
        client.first_name, client.last_name, client.name_key = r.first_name, r.last_name, r.name_key
        if r.phone:
            client.phone, client.phone_raw = r.phone, r.phone_raw
        client.email = r.email or client.email
        client.birthday = r.birthday or client.birthday
        client.gender = r.gender or client.gender
        client.marketing_consent = client.marketing_consent or r.marketing_consent
        client.created_at = r.created_at or client.created_at
        for part in PROFILE:
            setattr(client, part, r.part(part) or getattr(client, part))
        client.updated_at = now
        edits.append(("client.edit", "client", client.id, before,
                      {**(audit.snapshot(client, only=_FILLED + ("external_code",)) or {}), "tags": list(r.tags),
                       "preferred_staff": list(r.preferred_staff or preferred.get(client.id, [])),
                       "notes": len(r.notes), "import_row": r.number, "filled_in": True}))
    session.flush()
    filled = [ids[r.number] for r in rows]
    for chunk in chunks(filled):
        session.execute(sa.delete(ClientSearchKey).where(col(ClientSearchKey.client_id).in_(chunk)))
    insert_plain(session, ClientSearchKey, ("key", "client_id", "kind"),
                 [(key, ids[r.number], kind) for r in rows for kind, key in sorted(keys_for(r.first_name, r.last_name))])
    insert_plain(session, ClientTag, ("client_id", "tag"),
                 [(ids[r.number], t) for r in rows for t in r.tags if (ids[r.number], t) not in had])
    restaffed = [(ids[r.number], r) for r in rows if r.preferred_staff]
    for chunk in chunks(cid for cid, _ in restaffed):
        session.execute(sa.delete(ClientPreferredStaff).where(col(ClientPreferredStaff.client_id).in_(chunk)))
    _write_preferred(session, restaffed, staff_ids)
    audit.record_many(session, actor=actor, location_id=location.id, rows=edits)
    _write_notes(session, actor, location, [(ids[r.number], r) for r in rows], now)


def _preferred_codes(session: Session, client_ids: list[int]) -> dict[int, list[str]]:
    """The clients' preferred stylists' codes, first first (for the audit's before and after)."""
    found: dict[int, list[str]] = {}
    for chunk in chunks(client_ids):
        query = (sa.select(col(ClientPreferredStaff.client_id), col(Staff.code))
                 .join(Staff, col(Staff.id) == ClientPreferredStaff.staff_id)
                 .where(col(ClientPreferredStaff.client_id).in_(chunk))
                 .order_by(col(ClientPreferredStaff.client_id), col(ClientPreferredStaff.position)))
        for cid, code in session.execute(query):
            found.setdefault(cid, []).append(code)
    return found


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """The audit's picture of a client row: dates and instants as ISO text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
