"""Exact money: integer minor units of an ISO-4217 currency.

`Decimal` is used only to read what people type and to apply percentages (rounded half up);
every amount that is stored or added is an `int`. No float anywhere.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from salon_cli.core.errors import InvalidInput

# ISO 4217 minor-unit exponents for currencies a salon may bill in; anything not listed has 2.
_EXPONENT_OTHER = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # three decimals
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four decimals
    "CLF": 4, "UYW": 4,
}
_TWO_DECIMALS = set(
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
    "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWL".split()
)
CURRENCIES = frozenset(_TWO_DECIMALS | set(_EXPONENT_OTHER))

_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<int>\d+)(?:\.(?P<frac>\d*))?$|^(?P<sign2>-)?\.(?P<frac2>\d+)$")


def check_currency(code: str) -> str:
    norm = (code or "").strip().upper()
    if norm not in CURRENCIES:
        raise InvalidInput(f"currency {code!r} is not an ISO-4217 code", hint="e.g. MXN, USD, EUR")
    return norm


def exponent(currency: str) -> int:
    """Decimals of the currency's minor unit (MXN 2, JPY 0, KWD 3)."""
    return _EXPONENT_OTHER.get(check_currency(currency), 2)


def parse_amount(text: str, currency: str, *, allow_negative: bool = False, what: str = "amount") -> int:
    """'12.50' in MXN -> 1250. More decimals than the currency has is an error (exit 2)."""
    raw = (text or "").strip()
    m = _AMOUNT.match(raw)
    if not m:
        raise InvalidInput(f"{what} {text!r} is not a number", hint="write it like 350 or 12.50")
    negative = bool(m.group("sign") or m.group("sign2"))
    whole = m.group("int") or "0"
    frac = m.group("frac") if m.group("frac") is not None else (m.group("frac2") or "")
    places = exponent(currency)
    if len(frac) > places:
        trimmed = frac.rstrip("0")
        if len(trimmed) > places:
            unit = "no decimals" if places == 0 else f"{places} decimals"
            raise InvalidInput(f"{what} {text!r} has more decimals than {currency.upper()} allows ({unit})")
        frac = trimmed
    cents = int(whole) * 10**places + (int(frac.ljust(places, "0")) if places else 0)
    if negative and cents:
        if not allow_negative:
            raise InvalidInput(f"{what} {text!r} must not be negative")
        cents = -cents
    return cents


def format_amount(cents: int, currency: str) -> str:
    """1250 in MXN -> '12.50'; -5 -> '-0.05'; JPY 500 -> '500'."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError(f"money must be an int of minor units, not {type(cents).__name__}")
    places = exponent(currency)
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 10**places)
    return f"{sign}{whole}" if places == 0 else f"{sign}{whole}.{frac:0{places}d}"


def format_money(cents: int, currency: str) -> str:
    """For people: '1,250.00 MXN'."""
    places = exponent(currency)
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 10**places)
    body = f"{whole:,}" if places == 0 else f"{whole:,}.{frac:0{places}d}"
    return f"{sign}{body} {currency.upper()}"


def parse_percent(text: str, *, what: str = "percent") -> int:
    """'12.5%' or '12.5' -> 1250 basis points (1% = 100). At most two decimals, 0..100%."""
    raw = (text or "").strip().removesuffix("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{what} {text!r} is not a percentage", hint="write it like 15%") from None
    if not value.is_finite():
        raise InvalidInput(f"{what} {text!r} is not a percentage", hint="write it like 15%")
    bp = value * 100
    if bp != bp.to_integral_value():
        raise InvalidInput(f"{what} {text!r} has more than two decimals")
    if not 0 <= bp <= 10000:
        raise InvalidInput(f"{what} {text!r} must be between 0% and 100%")
    return int(bp)


def format_percent(bp: int) -> str:
    whole, frac = divmod(bp, 100)
    return f"{whole}%" if not frac else f"{whole}.{frac:02d}".rstrip("0") + "%"


def percent_of(cents: int, bp: int) -> int:
    """`bp` basis points of an amount, rounded half up (away from zero) to the minor unit."""
    exact = Decimal(cents) * Decimal(bp) / Decimal(10000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_fee(text: str, currency: str, *, what: str = "fee") -> tuple[str, int]:
    """'50%' -> ('pct', 5000 bp); '150' -> ('fixed', 15000 cents). '0' means none."""
    raw = (text or "").strip()
    if raw.endswith("%"):
        return "pct", parse_percent(raw, what=what)
    return "fixed", parse_amount(raw, currency, what=what)


def format_fee(kind: str, value: int, currency: str) -> str:
    return format_percent(value) if kind == "pct" else format_amount(value, currency)


def parse_count(text: str, currency: str) -> tuple[int, list[dict[str, int]]]:
    """A drawer counted by denominations, '500x2,200x3,0.50x4' (denomination in major units x how many),
    to its total in cents and the count itself. Exit 2 for anything malformed."""
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise InvalidInput("--count is empty", hint='write it like --count "500x2,200x3,0.50x4"')
    seen: dict[int, int] = {}
    for part in parts:
        denomination, sep, how_many = part.lower().replace("×", "x").replace("*", "x").partition("x")
        if not sep or not how_many.strip().isdigit():
            raise InvalidInput(f"--count item {part!r} is not DENOMINATIONxCOUNT", hint='e.g. --count "500x2,200x3"')
        value = parse_amount(denomination, currency, what="denomination")
        if value <= 0:
            raise InvalidInput(f"--count item {part!r}: the denomination must be more than zero")
        seen[value] = seen.get(value, 0) + int(how_many.strip())
    count = [{"denomination_cents": d, "count": n} for d, n in sorted(seen.items(), reverse=True)]
    return sum(d * n for d, n in seen.items()), count
