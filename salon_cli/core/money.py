"""Exact money: integer minor units of an ISO-4217 currency.

`Decimal` is used only to read what people type and to apply percentages (rounded half up);
every amount that is stored or added is an `int`. No float anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from salon_cli.core.errors import InvalidInput

# ISO 4217 minor-unit exponents for currencies a salon may bill in; anything not listed has 2. This is the
# storage contract (a stored integer is ISO minor units) and what money shows (`i18n.formats`), also where
# CLDR/Babel shows fewer digits (AFN ALL COP HUF IDR IQD IRR KPW LAK LBP MGA MMK SOS SYP YER: whole units
# there); tests/core/test_currency_digits.py names each difference.
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

# The largest amount anyone may type or import, in minor units: 10 trillion (100 billion pesos or
# rupiah with two decimals). Well past any salon's price, tender or day, and small enough that a
# million of them still add up inside a 64-bit column: an absurd figure is refused where it comes in
# instead of making a day impossible to close or report.
MAX_AMOUNT_CENTS = 10**13

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
    if len(whole.lstrip("0")) > 16:  # never build a huge int from a hostile string
        raise InvalidInput(f"{what} {text!r} is too large",
                           hint=f"at most {format_amount(MAX_AMOUNT_CENTS, currency)} {currency.upper()}")
    cents = int(whole) * 10**places + (int(frac.ljust(places, "0")) if places else 0)
    check_bound(cents, currency, what=what, shown=text)
    if negative and cents:
        if not allow_negative:
            raise InvalidInput(f"{what} {text!r} must not be negative")
        cents = -cents
    return cents


def check_bound(cents: int, currency: str, *, what: str = "amount", shown: object = None) -> int:
    """Refuse (exit 2) an amount beyond `MAX_AMOUNT_CENTS` either way, naming the field."""
    if abs(cents) > MAX_AMOUNT_CENTS:
        figure = shown if shown is not None else format_amount(cents, currency)
        raise InvalidInput(f"{what} {figure!r} is too large",
                           hint=f"at most {format_amount(MAX_AMOUNT_CENTS, currency)} {currency.upper()}")
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
        if len(how_many.strip()) > 9:
            raise InvalidInput(f"--count item {part!r}: too many notes or coins")
        seen[value] = seen.get(value, 0) + int(how_many.strip())
    count = [{"denomination_cents": d, "count": n} for d, n in sorted(seen.items(), reverse=True)]
    total = check_bound(sum(d * n for d, n in seen.items()), currency, what="--count")
    return total, count


# Symbols spelled with letters say which currency they are; a bare sign ($, €, ¥) is taken for any.
_LETTER_SYMBOLS = {
    "us$": "USD", "u$s": "USD", "mx$": "MXN", "r$": "BRL", "s/": "PEN", "b/": "PAB", "c$": "CAD NIO",
    "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "nt$": "TWD",
    "rd$": "DOP", "j$": "JMD", "tt$": "TTD", "bz$": "BZD", "q": "GTQ", "l": "HNL ALL MDL", "r": "ZAR",
    "kr": "SEK NOK DKK ISK", "zł": "PLN", "kč": "CZK", "ft": "HUF", "fr": "CHF", "lei": "RON", "rp": "IDR",
    "rm": "MYR", "rs": "INR PKR LKR NPR MUR SCR", "bs": "VES BOB", "ksh": "KES", "tl": "TRY", "gs": "PYG",
}
_CELL_CHARS = frozenset("0123456789.,' \u00a0\u202f\u2019")
_GROUPING = {"\u00a0": " ", "\u202f": " ", "\u2019": "'"}
_SIGNS = "-\u2212()"


def parse_money_cell(text: str, currency: str, *, what: str = "amount", allow_negative: bool = False,
                     decimal: str | None = None) -> int:
    """What an exported file's money cell holds, in minor units (see `_money_cell`); a file's amounts
    repeat, so each distinct cell is read once."""
    found = _money_cell_once(text, currency, what, allow_negative, decimal)
    if isinstance(found, int):
        return found
    raise InvalidInput(found[0], hint=found[1])


@lru_cache(maxsize=16384)
def _money_cell_once(text: str, currency: str, what: str, allow_negative: bool,
                     decimal: str | None) -> int | tuple[str, str | None]:
    try:
        return _money_cell(text, currency, what=what, allow_negative=allow_negative, decimal=decimal)
    except InvalidInput as exc:
        return exc.message, exc.hint


def _money_cell(text: str, currency: str, *, what: str = "amount", allow_negative: bool = False,
                decimal: str | None = None) -> int:
    """What an exported file's money cell holds, in minor units: '$1,234.50' -> 123450.

    Accepted around the number: any currency sign ($ € £ ¥ ...), the currency's ISO code or a
    lettered symbol (MX$, US$, R$, S/, kr ...), which must be the location's `currency`; a sign
    as a leading or trailing '-' or parentheses '(12.50)'.
    Separators: when both ',' and '.' appear, the last is the decimal separator and the others
    group thousands. One ',' or '.' followed by exactly 3 digits ('1,234', '12.500') is the
    `decimal` separator given (the file's: see `detect_decimal_separator`) or else groups
    thousands; with no `decimal` known it is refused as ambiguous (a currency without decimals:
    thousands, '¥1.200' is 1200), unless what precedes it cannot be a group ('0.500'). Followed by
    other than 3 digits, or after space-grouped thousands ('1 234,50'), it is the decimal
    separator ('12,5' is 12.50). The same one repeated
    groups thousands ('1.234.567'). Spaces, no-break spaces and apostrophes always group
    thousands. The first group has 1 to 3 digits, the others exactly 3, all with one separator.
    The exact conversion, decimals included, is `parse_amount`'s.
    """
    currency = check_currency(currency)
    negative, plain = money_cell_number(text, currency, what=what, decimal=decimal)
    try:
        cents = parse_amount(plain, currency, what=what)
    except InvalidInput as exc:  # name the cell as written, not the number it was reduced to
        raise InvalidInput(exc.message.replace(repr(plain), repr(text)), hint=exc.hint) from None
    if negative and cents and not allow_negative:
        raise InvalidInput(f"{what} {text!r} must not be negative")
    return -cents if negative else cents


def money_cell_number(text: str, currency: str, *, what: str = "amount", decimal: str | None = None) -> tuple[bool, str]:
    """A money cell of an exported file taken apart: (negative, the plain number '1234.5678'), its
    signs, currency symbols and separators read as `_money_cell` says; the number keeps every decimal
    the cell has (a tax column's exact figure, `services.transfer.tax_basis`)."""
    currency = check_currency(currency)
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(f"{what} is empty")
    digits = [k for k, ch in enumerate(raw) if ch.isascii() and ch.isdigit()]
    if not digits:
        raise InvalidInput(f"{what} {text!r} is not a number", hint="write it like 1,234.50 or 1.234,50")
    before, core, after = raw[:digits[0]], raw[digits[0]:digits[-1] + 1], raw[digits[-1] + 1:]
    if not set(core) <= _CELL_CHARS:
        raise InvalidInput(f"{what} {text!r} is not a number", hint="write it like 1,234.50 or 1.234,50")
    # '$.50' starts with its decimal separator, but the dot of 'Fr.12' or 'S/.25' belongs to the symbol.
    owner = before[:-1].rstrip()[-1:]
    if before.endswith((".", ",")) and not (owner.isalpha() or owner in ("/", ".")):
        core, before = "0" + before[-1] + core, before[:-1]
    negative = _sign(before, after, text, what)
    for affix in (before, after):
        named = _affix_currencies(affix, text, what)
        if named is not None and currency not in named:
            raise InvalidInput(f"{what} {text!r} is in {' or '.join(sorted(named))}; this location bills in {currency}")
    plain = _plain_number(core, currency, text, what, decimal)
    return negative, plain


def _sign(before: str, after: str, text: str, what: str) -> bool:
    minus = sum(affix.count(m) for affix in (before, after) for m in "-\u2212")
    opened, closed = before.count("("), after.count(")")
    if before.count(")") or after.count("(") or opened != closed or opened > 1 or minus + opened > 1:
        raise InvalidInput(f"{what} {text!r} is not a number", hint="write a negative amount like -12.50 or (12.50)")
    return bool(minus or opened)


def _affix_currencies(affix: str, text: str, what: str) -> set[str] | None:
    """The currencies a symbol or code names; None for a bare sign or nothing."""
    body = "".join(ch for ch in affix if not ch.isspace() and ch not in _SIGNS).removesuffix(".")
    letters = "".join(ch for ch in body if ch.isalpha())
    if not letters and all(unicodedata.category(ch) == "Sc" for ch in body):
        return None
    around = body.replace(letters, "", 1) if letters else body
    if letters.upper() in CURRENCIES and all(unicodedata.category(ch) == "Sc" for ch in around):
        return {letters.upper()}
    if body.casefold() in _LETTER_SYMBOLS:
        return set(_LETTER_SYMBOLS[body.casefold()].split())
    raise InvalidInput(f"{what} {text!r} holds {affix.strip()!r}, which is not a currency",
                       hint="write it like 1,234.50 or 1.234,50, with no other text")


def _plain_number(core: str, currency: str, text: str, what: str, decimal_mark: str | None = None) -> str:
    """'1.234,50' -> '1234.50', following the separator rules of `parse_money_cell`."""
    groups = re.split(r"[^0-9]", core)
    seps = [_GROUPING.get(ch, ch) for ch in re.findall(r"[^0-9]", core)]
    misplaced = InvalidInput(f"{what} {text!r} has misplaced thousands separators",
                             hint="write it like 1,234.50 or 1.234,50")
    if "" in groups:
        raise misplaced
    soft = [k for k, sep in enumerate(seps) if sep in ".,"]
    decimal: int | None = None
    if decimal_mark is not None and len({seps[k] for k in soft}) == 1 and seps[soft[0]] == decimal_mark \
            and len(soft) > 1:
        raise InvalidInput(f"{what} {text!r} has two decimal separators", hint="write it like 1,234.50 or 1.234,50")
    if len({seps[k] for k in soft}) == 2:
        decimal = soft[-1]
        if decimal_mark is not None and seps[decimal] != decimal_mark:
            raise InvalidInput(f"{what} {text!r} has {seps[decimal]!r} for decimals; this file's amounts use "
                               f"{decimal_mark!r}")
        if seps.count(seps[decimal]) > 1:
            raise InvalidInput(f"{what} {text!r} has two decimal separators", hint="write it like 1,234.50 or 1.234,50")
    elif len(soft) == 1 and soft[0] == len(seps) - 1:
        k = soft[0]
        # after space or apostrophe groups, or unless it could group thousands, it is the decimal point
        three = len(groups[k + 1]) == 3 and len(groups[k]) <= 3 and not groups[k].startswith("0")
        if k > 0 or not three or seps[k] == decimal_mark:
            decimal = k
        elif decimal_mark is None and exponent(currency) > 0:
            # '12.500' is 12.50 or 12500: only the rest of the file can tell
            raise InvalidInput(f"{what} {text!r} is ambiguous: {seps[k]!r} may separate thousands or decimals",
                               hint="give --decimal-separator '.' or ',' (or write it with its decimals: 1,234.00)")
    if decimal is not None and decimal != len(seps) - 1:
        raise misplaced
    grouping = seps if decimal is None else seps[:decimal]
    whole = groups if decimal is None else groups[:decimal + 1]
    if len(set(grouping)) > 1 or (grouping and len(whole[0]) > 3) or any(len(g) != 3 for g in whole[1:]):
        raise misplaced
    return "".join(whole) + ("" if decimal is None else "." + groups[-1])


def detect_decimal_separator(values: Iterable[str]) -> str | None:
    """The decimal separator a file's money cells show ('.' or ','), None when none shows it:
    '1,234.50' and '12.5' show '.', '1.234.567' shows ',' ... A lone separator before exactly three
    digits ('1,234') shows nothing. Cells showing both are refused (`InvalidInput`)."""
    seen: dict[str, str] = {}
    for text in dict.fromkeys(values):  # each distinct cell once, in file order
        mark = _decimal_shown(text)
        if mark is not None:
            seen.setdefault(mark, text.strip())
            if len(seen) == 2:
                raise InvalidInput(f"the amounts mix decimal points and commas: {seen['.']!r} and {seen[',']!r}",
                                   hint="give --decimal-separator '.' or ','")
    return next(iter(seen), None)


def _decimal_shown(text: str) -> str | None:
    marks = [ch for ch in text if ch in ".,"]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    mark = marks[0]
    if len(marks) > 1:
        return "," if mark == "." else "."  # repeated: it groups thousands, so the other is decimal
    whole, _, frac = text.rpartition(mark)
    frac_digits = len(frac) - len(frac.lstrip("0123456789"))
    whole_digits = re.sub(r"[^0-9]", "", whole)
    if frac_digits != 3 or not whole_digits or whole_digits.startswith("0") or len(whole_digits) > 3:
        return mark if frac_digits else None
    return None
