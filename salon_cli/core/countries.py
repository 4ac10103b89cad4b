"""Countries as ISO 3166-1 alpha-2 codes ('MX'), from CLDR through Babel: the list a code is checked
against (`check_country`) and the country of an IANA zone (`country_for_zone`), which is a location's
country until someone sets another (the region its phones are read in, `core.phones`).

Babel is imported inside the functions: its data loads only where a country is checked or a location
made, not for every command that imports this module (start-up time).
"""

from __future__ import annotations

from functools import cache

from salon_cli.core.errors import InvalidInput

# Regions in Babel's list that are not countries (unknown, the EU, the eurozone, the UN, pseudo-regions).
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (Babel's regions, less the ones that are not countries)."""
    from babel import Locale  # start-up: CLDR's names load only when a country is checked

    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def check_country(text: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case ('mx' -> 'MX'), or None for an empty value."""
    value = (text or "").strip().upper()
    if not value:
        return None
    if value not in countries():
        raise InvalidInput(f"country {text!r} is not an ISO 3166-1 country code",
                           hint="two letters, e.g. MX, ES, US, CO")
    return value


def country_for_zone(timezone: str | None) -> str | None:
    """The country an IANA zone is in ('America/Mexico_City' -> 'MX', 'Atlantic/Canary' -> 'ES'), from
    CLDR's zone-to-territory table (old names such as 'US/Eastern' or 'Asia/Calcutta' through its aliases);
    None for a zone of no country ('UTC', 'Etc/GMT+5') or one CLDR does not know."""
    if not timezone:
        return None
    from babel.core import get_global  # start-up: CLDR's tables load only when a location is made

    canonical = get_global("zone_aliases").get(timezone, timezone)
    country = get_global("zone_territories").get(canonical)
    return country if country in countries() else None
