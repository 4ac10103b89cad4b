"""Phone numbers as people type them, to E.164 (`+525512345678`), through `phonenumbers` (Google's
libphonenumber): read with the location's country (ISO 3166-1 alpha-2, `MX`), held to that country's
real numbering plan, stored in E.164, and shown at the desk in the national format of the location's
country (`national`).

A number written with its country (`+52 55 1234 5678`, `0034 91 123 45 67`, `011 44 20 ...` from the
NANP) keeps it; a national number (`55-1234-5678`, `(212) 555-0100`) takes the location's country. What
this module adds to the library:
- the characters a phone is typed with: digits, spaces, brackets, dots, dashes, slashes, a leading '+'.
  Letters (the library would read `555-CALL-NOW` as a vanity number) and extensions are refused;
- Mexico's dialling prefixes retired by the plan of 2019 (`044`/`045` before a mobile, `01` before a long
  distance call, the `1` after +52 that mobiles needed), which the library no longer reads: people
  still type them and old address books hold them;
- refusals in words: a length the country's numbers do not have, a North American area code that
  starts with 0 or 1, a number outside the country's plan;
- `problem`: why a number already stored is not valid (`salon db check --data` lists them).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

from salon_cli.core.errors import InvalidInput

_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+$")
_MAX_DIGITS = 15  # E.164, with the country code
_MIN_DIGITS = 7
_NANP = 1  # North American Numbering Plan: +1
_MEXICO = 52
# Mexico's retired prefixes typed before a national number: (prefix, how many digits with it).
_MX_OLD_PREFIXES = (("044", 13), ("045", 13), ("01", 12))
_LENGTH_REASONS = (ValidationResult.TOO_SHORT, ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH,
                   ValidationResult.IS_POSSIBLE_LOCAL_ONLY)
_HINT = "check the number, or write it with + and its country code"


class _Refused(Exception):
    """Why a phone is refused, without the number (`to_e164` puts it in front; `problem` returns it)."""

    def __init__(self, reason: str, hint: str | None = _HINT) -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint


def to_e164(text: str, *, region: str | None) -> str:
    """`text` as E.164. A national number takes `region` (the location's country, 'MX'); exit 2 when it
    is not a phone number, or not a valid one in its country's plan."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("phone is empty")
    try:
        return _e164(raw, region)
    except _Refused as refused:
        raise InvalidInput(f"phone {text!r} {refused.reason}", hint=refused.hint) from None


def international(text: str, *, region: str | None) -> str:
    """`text` checked as `to_e164` checks it, written the international way (`+52 55 1234 5678`)."""
    number = phonenumbers.parse(to_e164(text, region=region), None)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def national(e164: str, region: str | None) -> str:
    """How the desk shows a stored number: in the national format where its country is the location's
    (`55 1234 5678`, `(212) 555-0100`), international elsewhere (`+34 612 34 56 78`); a value that does
    not read as a number, as it is stored."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    home = phonenumbers.country_code_for_region(region.upper()) if region else 0
    how = PhoneNumberFormat.NATIONAL if number.country_code == home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, how)


def problem(stored: str) -> str | None:
    """Why a stored phone is not a valid number in E.164 (None when it is one); nothing is changed."""
    try:
        e164 = _e164(stored.strip(), None) if stored.strip().startswith("+") else None
    except _Refused as refused:
        return refused.reason
    if e164 is None:
        return "is not in E.164 (no + and country code)"
    if e164 != stored:
        return f"is not stored in E.164: the number is {e164}"
    return None


def _e164(raw: str, region: str | None) -> str:
    if not _ALLOWED.match(raw) or raw.count("(") != raw.count(")"):
        raise _Refused("is not a phone number",
                       hint="digits with spaces, dashes or brackets, e.g. +52 55 1234 5678 (no extensions)")
    digits = re.sub(r"\D", "", raw)
    region = region.upper() if region else None
    abroad = _after_exit_code(raw, digits, region)
    if abroad is not None:
        if not abroad or abroad[0] == "0":
            raise _Refused("does not start with a country code", hint="e.g. +52 55 1234 5678 or 0034 91 123 45 67")
        if not _MIN_DIGITS <= len(abroad) <= _MAX_DIGITS:
            raise _Refused(f"has {len(abroad)} digits with its country code; "
                           f"a phone number has {_MIN_DIGITS} to {_MAX_DIGITS}", hint=None)
        typed, default = "+" + abroad, None
    elif region is None:
        raise _Refused("has no country code and this location's country is not known",
                       hint="write it with + and the country code, e.g. +52 55 1234 5678")
    else:
        typed, default = (_without_old_prefix(digits) if region == "MX" else digits), region
    try:
        number = phonenumbers.parse(typed, default)
    except NumberParseException as failed:
        raise _unread(failed, digits) from None
    number = _without_old_mobile_one(number)
    _check(number)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _after_exit_code(raw: str, digits: str, region: str | None) -> str | None:
    """The digits after '+', '00' or (from the NANP) '011'; None for a national number."""
    if raw.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if region and phonenumbers.country_code_for_region(region) == _NANP and digits.startswith("011"):
        return digits[3:]
    return None


def _without_old_prefix(digits: str) -> str:
    for prefix, length in _MX_OLD_PREFIXES:
        if digits.startswith(prefix) and len(digits) == length:
            return digits[len(prefix):]
    return digits


def _without_old_mobile_one(number: PhoneNumber) -> PhoneNumber:
    """+52 1 55 1234 5678 (a Mexican mobile before 2019) -> +52 55 1234 5678."""
    national = phonenumbers.national_significant_number(number)
    if number.country_code == _MEXICO and len(national) == 11 and national[0] == "1" \
            and not phonenumbers.is_valid_number(number):
        return PhoneNumber(country_code=_MEXICO, national_number=int(national[1:]))
    return number


def _unread(failed: NumberParseException, digits: str) -> _Refused:
    kind = failed.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        return _Refused("does not start with a country code", hint="e.g. +52 55 1234 5678 or 0034 91 123 45 67")
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return _Refused(f"is too short to be a phone number ({len(digits)} digits)")
    if kind == NumberParseException.TOO_LONG:
        return _Refused(f"is too long to be a phone number ({len(digits)} digits)")
    return _Refused("is not a phone number",
                    hint="digits with spaces, dashes or brackets, e.g. +52 55 1234 5678 (no extensions)")


def _check(number: PhoneNumber) -> None:
    if phonenumbers.is_valid_number(number):
        return
    code = number.country_code
    national = phonenumbers.national_significant_number(number)
    if phonenumbers.is_possible_number_with_reason(number) in _LENGTH_REASONS:
        lengths = _lengths(code)
        if lengths and len(national) not in lengths:
            raise _Refused(f"has {len(national)} digits after +{code}; numbers there have {_said(lengths)}")
    if code == _NANP and national[:1] in ("0", "1"):
        raise _Refused("is not a North American number (area codes start with 2-9)")
    raise _Refused(f"is not a valid +{code} number: its area code or range is not in the country's plan")


def _lengths(code: int) -> tuple[int, ...]:
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    return tuple(sorted(metadata.general_desc.possible_length)) if metadata and metadata.general_desc else ()


def _said(lengths: tuple[int, ...]) -> str:
    if len(lengths) > 2 and lengths == tuple(range(lengths[0], lengths[-1] + 1)):
        return f"{lengths[0]} to {lengths[-1]}"
    words = [str(n) for n in lengths]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
