"""Money and dates as the desk reads them, through Babel (CLDR), in the active language.

The Babel locale comes from the language and the location's currency, so that money looks the way
people read it where that currency is spent:

    es + MXN -> es_MX ($1,234.50)     en + MXN -> en_US (MX$1,234.50)
    es + EUR -> es_ES (1234,50 €)     en + EUR -> en_IE (€1,234.50)
    es + USD -> es_US ($1,234.50)     en + USD -> en_US ($1,234.50)
    es + COP, ARS, CLP, PEN ... -> es_CO, es_AR, es_CL, es_PE ...   en + GBP, CAD, AUD -> en_GB, en_CA, en_AU

that is: the language with the currency's country where Babel knows that locale, else `es_ES` or
`en_US`. Amounts are exact: minor units become a `Decimal` scaled by the currency's ISO-4217 exponent
(`core.money.exponent`, the storage contract), never a float; the digits shown are that exponent's
too, so what is stored is what is shown. No-break spaces Babel puts in (`1234,50 €`, `11:05 a.m.`)
become plain spaces: screens and receipts are laid out in fixed columns.

This is for people. Machine output (JSON, CSV, the command line's tables) keeps `core.money`'s plain
figures, as SPEC.md says. Babel loads on the first call, not at import.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from salon_cli.core.money import exponent
from salon_cli.i18n import active

_COUNTRY = {"MXN": "MX", "USD": "US", "EUR": "ES", "GBP": "GB", "CAD": "CA", "AUD": "AU", "COP": "CO",
            "ARS": "AR", "CLP": "CL", "PEN": "PE", "UYU": "UY", "BOB": "BO", "PYG": "PY", "GTQ": "GT",
            "CRC": "CR", "DOP": "DO", "HNL": "HN", "NIO": "NI", "PAB": "PA", "VES": "VE", "NZD": "NZ"}
_SPECIAL = {("en", "EUR"): "en_IE", ("en", "MXN"): "en_US"}
_FALLBACK = {"es": "es_ES", "en": "en_US"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


@lru_cache(maxsize=None)
def locale_for(lang: str, currency: str) -> str:
    """The Babel locale for a language and a currency (see the table above)."""
    from babel import localedata  # start-up: CLDR loads on the first amount shown

    special = _SPECIAL.get((lang, currency))
    if special:
        return special
    country = _COUNTRY.get(currency)
    if country and localedata.exists(f"{lang}_{country}"):
        return f"{lang}_{country}"
    return _FALLBACK[lang]


def money(cents: int, currency: str, *, lang: str | None = None) -> str:
    """1234 50 in MXN -> '$1,234.50' (es), 'MX$1,234.50' (en); EUR in Spanish '1234,50 €'; JPY '¥123,450'."""
    from babel.numbers import format_currency

    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError(f"money must be an int of minor units, not {type(cents).__name__}")
    places = exponent(currency)
    amount = Decimal(cents).scaleb(-places)
    locale = locale_for(lang or active(), currency)
    # the currency's ISO digits, not CLDR's: COP and HUF have cents in ISO-4217 and none in CLDR, and
    # what is stored is what is shown
    return format_currency(amount, currency, format=_pattern(locale, places), locale=locale,
                           currency_digits=False, group_separator=_groups(locale, cents, places)).translate(_SPACES)


@lru_cache(maxsize=None)
def _pattern(locale: str, places: int) -> str:
    from babel import Locale

    base = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    digits = "." + "0" * places if places else ""
    return base.replace(".00", digits)


def _groups(locale: str, cents: int, places: int) -> bool:
    """CLDR's minimumGroupingDigits, which Babel does not apply: Spain's Spanish groups from five digits
    on (1234,50 € but 12.345,50 €); Latin America's from four ($1,234.50)."""
    return not (locale == "es_ES" and abs(cents) < 10_000 * 10**places)


def amount(cents: int, currency: str, *, lang: str | None = None) -> str:
    """The figure alone, grouped in the locale's way, with the currency's decimals: '1,234.50', '1234,50'."""
    from babel.numbers import format_decimal

    places = exponent(currency)
    figure = Decimal(cents).scaleb(-places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    locale = locale_for(lang or active(), currency)
    return format_decimal(figure, format=pattern, locale=locale,
                          group_separator=_groups(locale, cents, places)).translate(_SPACES)


def day(value: date, currency: str, *, width: str = "medium", lang: str | None = None) -> str:
    """A date: 'medium' '21 nov 2026' / 'Nov 21, 2026'; 'full' with the weekday's name."""
    from babel.dates import format_date

    return format_date(value, width, locale=locale_for(lang or active(), currency)).translate(_SPACES)


def weekday(value: date, currency: str, *, width: str = "wide", lang: str | None = None) -> str:
    """The weekday's name: 'sábado' / 'Saturday' ('abbreviated': 'sáb' / 'Sat')."""
    from babel.dates import format_date

    pattern = {"wide": "EEEE", "abbreviated": "EEE", "short": "EEEEEE"}[width]
    return format_date(value, pattern, locale=locale_for(lang or active(), currency)).translate(_SPACES)


def clock_time(value: datetime | time, currency: str, tz: ZoneInfo | None = None, *, lang: str | None = None) -> str:
    """A time of day, short: '11:05' (es), '11:05 AM' (en)."""
    from babel.dates import format_time

    shown = value.astimezone(tz) if isinstance(value, datetime) and tz else value
    return format_time(shown, "short", locale=locale_for(lang or active(), currency)).translate(_SPACES)
