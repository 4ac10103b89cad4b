"""The parts of a client's profile beyond names: contact details, address, occupation, emergency
contact and gender, each checked the one way the desk, the dashboard and imports use.

- Phones (`phone`, `phone2`, `emergency_phone`) are kept in E.164; a national number takes the
  location's country (`check_phone` also returns the number as typed, which `phone_raw` keeps).
- E-mails (`email`, `email2`) are lower-cased and must read as an address.
- `country` is an ISO 3166-1 alpha-2 code in upper case, checked against the list of regions (`core.countries`).
- `gender` is one of `GENDERS` (or unset); a few spellings in English and Spanish are understood.
- Longer input than a column takes is refused, never cut.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from salon_cli.core.errors import InvalidInput
from salon_cli.core.countries import check_country
from salon_cli.core.phones import to_e164
from salon_cli.core.text import fold
from salon_cli.db.models.clients import GENDERS
from salon_cli.services.salon.locations import LocationView

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")

# The profile's parts that `profiles.add`/`edit` take beside the names (in the order they are shown).
PARTS = ("street", "city", "state", "postal_code", "country", "phone2", "email2", "occupation",
         "emergency_name", "emergency_phone", "gender")
_TEXT_LIMITS = {"street": 255, "city": 80, "state": 80, "postal_code": 16, "occupation": 80,
                "emergency_name": 120}
_WHAT = {"phone2": "second phone", "email2": "second e-mail", "emergency_phone": "emergency phone",
         "emergency_name": "emergency contact name", "postal_code": "postal code"}

# Spellings people type (folded: lower case, no accents) -> the stored value.
GENDER_SPELLINGS: dict[str, str] = {
    **{g: g for g in GENDERS},
    "f": "female", "woman": "female", "mujer": "female", "femenino": "female", "femenina": "female",
    "m": "male", "man": "male", "hombre": "male", "masculino": "male",
    "non-binary": "non_binary", "non binary": "non_binary", "nonbinary": "non_binary", "nb": "non_binary",
    "no binario": "non_binary", "no binaria": "non_binary", "no-binario": "non_binary", "no_binario": "non_binary",
    "otro": "other", "otra": "other",
}


def check_email(text: str | None, *, what: str = "email") -> str | None:
    """A lower-cased e-mail address, or None for an empty one; exit 2 when it is not one."""
    value = (text or "").strip().lower()
    if not value:
        return None
    if len(value) > 254 or not _EMAIL.match(value) or ".." in value:
        raise InvalidInput(f"{what} {text!r} is not an e-mail address", hint="e.g. ana.lopez@example.com")
    return value


def check_phone(text: str | None, location: LocationView) -> tuple[str | None, str | None]:
    """(E.164, as typed); a national number takes the location's country."""
    raw = " ".join((text or "").split())
    if not raw:
        return None, None
    if len(raw) > 40:
        raise InvalidInput(f"phone {text!r} is too long")
    return to_e164(raw, region=location.country), raw


def check_gender(text: str | None) -> str | None:
    """One of GENDERS, or None for an empty value; exit 2 naming the choices otherwise."""
    value = " ".join(fold(text or "").split())
    if not value:
        return None
    found = GENDER_SPELLINGS.get(value) or GENDER_SPELLINGS.get(value.replace("_", " "))
    if found is None:
        raise InvalidInput(f"gender {text!r} is not one of {', '.join(GENDERS)}",
                           hint='or leave it unset ("" clears it); f, m, mujer, hombre, no binario are understood')
    return found


def _text(value: str, field: str) -> str | None:
    text = " ".join(value.split())
    if len(text) > _TEXT_LIMITS[field]:
        raise InvalidInput(f"{_WHAT.get(field, field)} is longer than {_TEXT_LIMITS[field]} characters")
    return text or None


def check_parts(given: Mapping[str, str | None], location: LocationView) -> dict[str, str | None]:
    """The parts given (None: not given) checked and normalised; an empty value clears one (None)."""
    checked: dict[str, str | None] = {}
    for field, value in given.items():
        if value is None:
            continue
        if field in ("phone2", "emergency_phone"):
            try:
                checked[field] = check_phone(value, location)[0]
            except InvalidInput as refused:
                raise InvalidInput(f"{_WHAT[field]}: {refused}", hint=refused.hint) from None
        elif field == "email2":
            checked[field] = check_email(value, what=_WHAT[field])
        elif field == "country":
            checked[field] = check_country(value)
        elif field == "gender":
            checked[field] = check_gender(value)
        else:
            checked[field] = _text(value, field)
    return checked
