"""The rows of a clients file, each checked on its own: what `client_import` reads.

Names, phone, e-mail, birthday (in the import's date format), external code, tags, gender, marketing
consent, notes (our export's cell, or any text as one general note) and `created_at` (when the
client joined: an ISO-8601 instant, not in the future); `id` where the import keeps ids. The rest
of the profile (`profile_fields.PARTS`: address in parts, second phone and e-mail, occupation,
emergency contact) is checked the one way `client add` checks it (`check_parts`), column by column;
`preferred_staff` is staff codes in order, split on ';' or ',' (whether they are staff here is for
`client_import_match.preferred_staff`). Every fault is collected with its row and column. Then the
rows that share a phone, e-mail, external code or id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from salon_cli.core import clock
from salon_cli.core.codes import check_code
from salon_cli.core.date_formats import parse_date
from salon_cli.core.errors import InvalidInput
from salon_cli.core.text import name_key
from salon_cli.io.tabular import Fault, SourceRow
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.clients.profile_fields import check_gender, check_parts
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import _instant as iso_instant
from salon_cli.services.transfer.imports import record_id

# the profile's parts beyond gender (`profile_fields.PARTS`), in our export's order
PROFILE = ("street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
           "emergency_name", "emergency_phone")
FIELDS = ("first_name", "last_name", "phone", "email", "birthday", "external_code", "tags", "gender",
          "marketing_consent", "notes", "created_at", *PROFILE, "preferred_staff")
# our export's read-only columns (`client_export`): a re-import of an exported file ignores them
IGNORED = ("id", "no_show_count", "deposit_required", "visits", "total_spent_cents", "first_visit", "last_visit")
_NOTE = re.compile(r"^(general|technical|medical|preference|complaint)( \(private\))?: (.*)$", re.DOTALL)
_NOTE_MAX = 4000
_TAG_SPLIT = re.compile(r"[;,]")
_TRUE = frozenset({"true", "yes", "y", "1", "si", "sí", "x"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


@dataclass(frozen=True)
class ClientFileRow:
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
    profile: tuple[tuple[str, str], ...] = ()  # (PROFILE part, value) of the cells not empty, as stored
    preferred_staff: tuple[str, ...] = ()  # staff codes, first first

    def part(self, name: str) -> str | None:
        return dict(self.profile).get(name)

    @property
    def name_key(self) -> str:
        return name_key(self.first_name, self.last_name)


def column_order(column: str | None) -> int:
    return FIELDS.index(column) if column in FIELDS else -1


def check_row(source: SourceRow, location: LocationView, date_format: str,
              keep_ids: bool = False) -> tuple[ClientFileRow | None, list[Fault]]:
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
    gender = check("gender", lambda: check_gender(values.get("gender")))
    tags = check("tags", lambda: _tags(values.get("tags", "")))
    consent = check("marketing_consent", lambda: _consent(values.get("marketing_consent", "")))
    notes = check("notes", lambda: _notes(values.get("notes", "")))
    since = check("created_at", lambda: _joined(values.get("created_at", ""), location))
    kept = check("id", lambda: record_id(values.get("id", ""), "client")) if keep_ids else None
    profile = [(part, check(part, lambda part=part: check_parts({part: values.get(part, "")}, location)[part]))
               for part in PROFILE]
    preferred = check("preferred_staff", lambda: _staff_codes(values.get("preferred_staff", "")))
    if faults:
        return None, faults
    return ClientFileRow(number=source.number, first_name=first, last_name=last or "", phone=phone[0],
                         phone_raw=phone[1], email=email, birthday=birthday, external_code=external, tags=tags,
                         gender=gender, marketing_consent=bool(consent), notes=notes or (), created_at=since,
                         id=kept, profile=tuple((p, v) for p, v in profile if v is not None),
                         preferred_staff=preferred or ()), []


def _staff_codes(text: str) -> tuple[str, ...]:
    """'Ana; marco,ana' -> ('ana', 'marco'): codes in order, each once."""
    return tuple(dict.fromkeys(check_code(c, what="staff code") for c in _TAG_SPLIT.split(text) if c.strip()))


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


def duplicates_in_file(rows: Iterable[ClientFileRow]) -> list[Fault]:
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
