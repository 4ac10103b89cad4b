"""Phone numbers as people type them, to E.164 (`+525512345678`), without a phone library.

A number written with its country (`+52 55 1234 5678`, `0034 91 123 45 67`, `011 44 20 ...` from
the NANP) keeps it; a national number (`55-1234-5678`, `(555) 123-4567`) takes the location's
country, which is derived from its IANA zone by the small table below. Countries in `_PLANS` also
have their national lengths and trunk prefixes checked; any other country code is only held to the
E.164 limits (7 to 15 digits). Extensions, letters and stray symbols are refused.
"""

from __future__ import annotations

import re

from salon_cli.core.errors import InvalidInput

# IANA zone -> country calling code, for the countries whose salons are likely to use `salon`.
# Zones not listed here (and UTC) have no default: their national numbers must be typed with +CC.
_ZONE_CODES: dict[str, str] = {
    # Mexico
    **dict.fromkeys((
        "America/Mexico_City", "America/Cancun", "America/Merida", "America/Monterrey",
        "America/Matamoros", "America/Chihuahua", "America/Ciudad_Juarez", "America/Ojinaga",
        "America/Mazatlan", "America/Bahia_Banderas", "America/Hermosillo", "America/Tijuana",
    ), "52"),
    # North American Numbering Plan: United States, Canada, Puerto Rico, Dominican Republic
    **dict.fromkeys((
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
        "America/Los_Angeles", "America/Anchorage", "America/Juneau", "America/Adak", "America/Boise",
        "America/Detroit", "America/Menominee", "Pacific/Honolulu", "America/Toronto",
        "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Regina",
        "America/Halifax", "America/St_Johns", "America/Moncton", "America/Whitehorse",
        "America/Puerto_Rico", "America/Santo_Domingo",
    ), "1"),
    "Europe/Madrid": "34", "Atlantic/Canary": "34", "Africa/Ceuta": "34",
    "Europe/Lisbon": "351", "Atlantic/Madeira": "351", "Atlantic/Azores": "351",
    "Europe/London": "44", "Europe/Paris": "33", "Europe/Berlin": "49", "Europe/Rome": "39",
    "America/Bogota": "57", "America/Lima": "51", "America/Santiago": "56", "America/Caracas": "58",
    "America/Sao_Paulo": "55", "America/Guayaquil": "593", "America/La_Paz": "591",
    "America/Asuncion": "595", "America/Montevideo": "598", "America/Havana": "53",
    "America/Guatemala": "502", "America/El_Salvador": "503", "America/Tegucigalpa": "504",
    "America/Managua": "505", "America/Costa_Rica": "506", "America/Panama": "507",
    "Australia/Sydney": "61", "Australia/Melbourne": "61", "Australia/Brisbane": "61",
    "Australia/Perth": "61", "Australia/Adelaide": "61",
}
# Whole families of zones in one country.
_ZONE_PREFIXES = {"America/Indiana/": "1", "America/Kentucky/": "1", "America/North_Dakota/": "1",
                  "America/Argentina/": "54"}

# Country code -> (national number lengths, trunk prefixes dropped from national numbers).
# Mexico: '044'/'045' (mobile) and '01' (long distance) are the old dialling prefixes, and the
# '1' after +52 that mobiles used to need is dropped too (10-digit numbers since 2019).
_PLANS: dict[str, tuple[frozenset[int], tuple[str, ...]]] = {
    "1": (frozenset({10}), ("1",)),
    "52": (frozenset({10}), ("044", "045", "01")),
    "34": (frozenset({9}), ()),
    "351": (frozenset({9}), ()),
    "33": (frozenset({9}), ("0",)),
    "44": (frozenset({9, 10}), ("0",)),
    "49": (frozenset(range(6, 12)), ("0",)),
    "39": (frozenset(range(6, 12)), ()),  # Italy keeps its leading 0 in international form
    "54": (frozenset({10, 11}), ("0",)),
    "55": (frozenset({10, 11}), ("0",)),
    "56": (frozenset({9}), ()),
    "57": (frozenset({10}), ()),
    "51": (frozenset({8, 9}), ("0",)),
    "58": (frozenset({10}), ("0",)),
    "61": (frozenset({9}), ("0",)),
    "593": (frozenset({8, 9}), ("0",)),
    "591": (frozenset({8}), ()),
    "595": (frozenset(range(6, 10)), ("0",)),
    "598": (frozenset({8}), ("0",)),
    "53": (frozenset({8}), ("0",)),
    **dict.fromkeys(("502", "503", "504", "505", "506"), (frozenset({8}), ())),
    "507": (frozenset({7, 8}), ()),
}
# What people dial before a country code: '00' nearly everywhere, '011' from the NANP.
_EXIT_CODES = {"1": "011"}

_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+$")
_MAX_DIGITS = 15  # E.164
_MIN_DIGITS = 7


def country_code_for_zone(timezone: str | None) -> str | None:
    """The calling code of the country a zone is in ('America/Mexico_City' -> '52'), if known."""
    if not timezone:
        return None
    if timezone in _ZONE_CODES:
        return _ZONE_CODES[timezone]
    for prefix, code in _ZONE_PREFIXES.items():
        if timezone.startswith(prefix):
            return code
    return None


def to_e164(text: str, *, country_code: str | None) -> str:
    """`text` as E.164. National numbers take `country_code` (digits, no '+'); exit 2 if not a phone."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("phone is empty")
    if not _ALLOWED.match(raw) or raw.count("(") != raw.count(")"):
        raise InvalidInput(
            f"phone {text!r} is not a phone number",
            hint="digits with spaces, dashes or brackets, e.g. +52 55 1234 5678 (no extensions)",
        )
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        return _international(digits, text)
    if digits.startswith("00"):
        return _international(digits[2:], text)
    if country_code and country_code in _EXIT_CODES and digits.startswith(_EXIT_CODES[country_code]):
        return _international(digits[len(_EXIT_CODES[country_code]):], text)
    if not country_code:
        raise InvalidInput(
            f"phone {text!r} has no country code and this location's country is not known",
            hint="write it with + and the country code, e.g. +52 55 1234 5678",
        )
    return _national(country_code, digits, text)


def _international(digits: str, text: str) -> str:
    if not digits or digits[0] == "0":
        raise InvalidInput(f"phone {text!r} does not start with a country code",
                           hint="e.g. +52 55 1234 5678 or 0034 91 123 45 67")
    code = next((c for c in _PLANS if digits.startswith(c)), None)
    if code is None:
        _check_length(digits, text)
        return "+" + digits
    national = digits[len(code):]
    if code == "52" and len(national) == 11 and national.startswith("1"):
        national = national[1:]
    return _checked(code, national, text)


def _national(code: str, digits: str, text: str) -> str:
    lengths, trunks = _PLANS.get(code, (frozenset(), ()))
    if digits.startswith(code) and len(digits) not in lengths:
        try:  # typed with its country code but without the '+'
            return _international(digits, text)
        except InvalidInput:
            pass
    for trunk in trunks:
        if digits.startswith(trunk) and len(digits) - len(trunk) in lengths:
            digits = digits[len(trunk):]
            break
    return _checked(code, digits, text)


def _checked(code: str, national: str, text: str) -> str:
    plan = _PLANS.get(code)
    if plan is not None:
        lengths = plan[0]
        if len(national) not in lengths:
            want = " or ".join(str(n) for n in sorted(lengths)) if len(lengths) <= 2 else \
                f"{min(lengths)} to {max(lengths)}"
            raise InvalidInput(
                f"phone {text!r} has {len(national)} digits after +{code}; numbers there have {want}",
                hint="check the number, or write it with + and its country code",
            )
        if code == "1" and national[0] in "01":
            raise InvalidInput(f"phone {text!r} is not a North American number (area codes start with 2-9)")
    number = code + national
    _check_length(number, text)
    return "+" + number


def _check_length(digits: str, text: str) -> None:
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        raise InvalidInput(f"phone {text!r} has {len(digits)} digits with its country code; "
                           f"a phone number has {_MIN_DIGITS} to {_MAX_DIGITS}")
