"""A receipt's words, money and dates in its language (es or en), through Babel.

The language is the location's (`policy.message_language`), unless `SALON_LANG` names another. The
Babel locale comes from the language and the location's currency, so that money looks the way the
client reads it where that currency is spent:

    es + MXN -> es_MX ($1,234.50)     en + MXN -> en_US (MX$1,234.50)
    es + EUR -> es_ES (1.234,50 €)    en + EUR -> en_IE (€1,234.50)
    es + USD -> es_US ($1,234.50)     en + USD -> en_US ($1,234.50)
    es + COP, ARS, CLP, PEN ... -> es_CO, es_AR, es_CL, es_PE ...   en + GBP, CAD, AUD -> en_GB, en_CA, en_AU

that is: the language with the currency's country where Babel knows that locale, else `es_ES` or
`en_US`. Amounts are exact: cents become a `Decimal` scaled by the currency's exponent, never a float.
No-break spaces Babel puts in (`1.234,50 €`, `11:05 a.m.`) become plain spaces: a receipt is laid out
in fixed columns and printers know no such character.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import localedata
from babel.dates import format_date, format_time
from babel.numbers import format_currency, get_decimal_symbol

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import exponent

LANGUAGES = ("es", "en")
_COUNTRY = {"MXN": "MX", "USD": "US", "EUR": "ES", "GBP": "GB", "CAD": "CA", "AUD": "AU", "COP": "CO",
            "ARS": "AR", "CLP": "CL", "PEN": "PE", "UYU": "UY", "BOB": "BO", "PYG": "PY", "GTQ": "GT",
            "CRC": "CR", "DOP": "DO", "HNL": "HN", "NIO": "NI", "PAB": "PA", "VES": "VE", "NZD": "NZ"}
_SPECIAL = {("en", "EUR"): "en_IE", ("en", "MXN"): "en_US"}
_FALLBACK = {"es": "es_ES", "en": "en_US"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})

WORDS: dict[str, dict[str, str]] = {
    "es": {
        "sale": "Venta", "refund_of": "Devolución", "void": "ANULADA", "date": "Fecha", "cashier": "Atendió",
        "client": "Cliente", "tax_id": "Id. fiscal", "phone": "Tel.", "subtotal": "Subtotal",
        "discount": "Descuento", "total": "Total", "tip": "Propina", "total_tip": "Total con propina",
        "paid": "Pagado", "tendered": "Recibido", "change": "Cambio", "refunds": "Devoluciones",
        "refunded": "Devuelto", "reason": "Motivo", "points_earned": "Puntos ganados",
        "points_voided": "Puntos anulados", "points_balance": "Saldo de puntos", "card_balance": "Saldo",
        "card_sold": "Tarjeta de regalo", "pending": "pendiente", "included": "incl.",
        "void_reason": "Motivo de anulación", "thanks": "¡Gracias por su visita!", "of_sale": "de la venta",
        "copy": "Copia", "deposit": "Depósito",
        "subject": "Tu recibo de {location}: venta {sale}",
        "subject_refund": "Tu recibo de devolución de {location}: venta {sale}",
        "greeting": "Hola {name}, te enviamos tu recibo (el PDF va adjunto).",
        "greeting_anonymous": "Hola, te enviamos tu recibo (el PDF va adjunto).",
    },
    "en": {
        "sale": "Sale", "refund_of": "Refund", "void": "VOID", "date": "Date", "cashier": "Cashier",
        "client": "Client", "tax_id": "Tax ID", "phone": "Tel.", "subtotal": "Subtotal",
        "discount": "Discount", "total": "Total", "tip": "Tip", "total_tip": "Total with tip",
        "paid": "Paid", "tendered": "Tendered", "change": "Change", "refunds": "Refunds",
        "refunded": "Refunded", "reason": "Reason", "points_earned": "Points earned",
        "points_voided": "Points voided", "points_balance": "Points balance", "card_balance": "Balance",
        "card_sold": "Gift card", "pending": "pending", "included": "incl.",
        "void_reason": "Void reason", "thanks": "Thank you for your visit!", "of_sale": "of sale",
        "copy": "Copy", "deposit": "Deposit",
        "subject": "Your receipt from {location}: sale {sale}",
        "subject_refund": "Your refund receipt from {location}: sale {sale}",
        "greeting": "Hello {name}, here is your receipt (the PDF is attached).",
        "greeting_anonymous": "Hello, here is your receipt (the PDF is attached).",
    },
}

METHODS: dict[str, dict[str, str]] = {
    "es": {"cash": "Efectivo", "card": "Tarjeta", "stripe": "Tarjeta (Stripe)", "gift_card": "Tarjeta de regalo",
           "credit": "Crédito de membresía", "points": "Puntos", "transfer": "Transferencia", "unknown": "Otro"},
    "en": {"cash": "Cash", "card": "Card", "stripe": "Card (Stripe)", "gift_card": "Gift card",
           "credit": "Membership credit", "points": "Points", "transfer": "Transfer", "unknown": "Other"},
}


def language(location_language: str | None, override: str | None = None) -> str:
    """`override` (SALON_LANG: `es`, `en`, also `es_MX`, `en-US`) else the location's, else es."""
    if override:
        wanted = override.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
        if wanted not in LANGUAGES:
            raise InvalidInput(f"SALON_LANG {override!r} is not es or en")
        return wanted
    return location_language if location_language in LANGUAGES else "es"


def locale_for(lang: str, currency: str) -> str:
    """The Babel locale for a language and a currency (see the table above)."""
    special = _SPECIAL.get((lang, currency))
    if special:
        return special
    country = _COUNTRY.get(currency)
    if country and localedata.exists(f"{lang}_{country}"):
        return f"{lang}_{country}"
    return _FALLBACK[lang]


class Speaker:
    """Words, money and dates in one language and currency."""

    def __init__(self, lang: str, currency: str, tz: ZoneInfo) -> None:
        self.lang = lang
        self.currency = currency
        self.tz = tz
        self.locale = locale_for(lang, currency)
        self.words = WORDS[lang]

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def method(self, method: str) -> str:
        return METHODS[self.lang].get(method, method)

    def money(self, cents: int) -> str:
        amount = Decimal(cents).scaleb(-exponent(self.currency))
        return format_currency(amount, self.currency, locale=self.locale).translate(_SPACES)

    def day(self, day: date) -> str:
        return format_date(day, "medium", locale=self.locale).translate(_SPACES)

    def time(self, instant: datetime) -> str:
        return format_time(instant.astimezone(self.tz), "short", locale=self.locale).translate(_SPACES)

    def percent(self, bp: int) -> str:
        whole, rest = divmod(bp, 100)
        text = f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")
        return text.replace(".", get_decimal_symbol(self.locale)) + "%"


def mask(code: str | None) -> str | None:
    """A gift card's code shown by its last four characters only (****ABCD)."""
    if not code:
        return None
    plain = code.replace("-", "")
    return "****" + plain[-4:]
