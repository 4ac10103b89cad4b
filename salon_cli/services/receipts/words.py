"""A receipt's words, money and dates in its language (es or en).

The language is the location's (`policy.message_language`), unless `SALON_LANG` names another; it is
chosen per receipt, so the words come from that language's catalog (`i18n.catalog(lang)`), never from
the process's active language: the dashboard may speak English while it prints a Spanish receipt.
The words are written here in English, marked `NC_("receipt", ...)` for the catalog (`salon_cli/i18n/locale`), and
looked up when the receipt is said.

Money, dates and times are `i18n.formats`' (Babel, in the locale of the language and the location's
currency: es + MXN -> es_MX `$1,234.50`, es + EUR -> es_ES `1234,50 €`, en + MXN -> en_US
`MX$1,234.50`), with plain spaces for Babel's no-break ones: a receipt is laid out in fixed columns and
printers know no such character.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from salon_cli.core.errors import InvalidInput
from salon_cli.i18n import LANGUAGES, NC_, catalog, choose, formats
from salon_cli.i18n.formats import locale_for

__all__ = ["LANGUAGES", "METHODS", "WORDS", "Speaker", "language", "locale_for", "mask"]

# the receipt's words by key, in English (the msgids); their Spanish is in the catalog
WORDS: dict[str, str] = {
    "sale": NC_("receipt", "Sale"), "refund_of": NC_("receipt", "Refund"), "void": NC_("receipt", "VOID"), "cashier": NC_("receipt", "Cashier"),
    "client": NC_("receipt", "Client"), "tax_id": NC_("receipt", "Tax ID"), "phone": NC_("receipt", "Tel."), "subtotal": NC_("receipt", "Subtotal"),
    "discount": NC_("receipt", "Discount"), "total": NC_("receipt", "Total"), "tip": NC_("receipt", "Tip"), "total_tip": NC_("receipt", "Total with tip"),
    "paid": NC_("receipt", "Paid"), "tendered": NC_("receipt", "Tendered"), "change": NC_("receipt", "Change"), "refunds": NC_("receipt", "Refunds"),
    "refunded": NC_("receipt", "Refunded"), "reason": NC_("receipt", "Reason"), "points_earned": NC_("receipt", "Points earned"),
    "points_voided": NC_("receipt", "Points voided"), "points_balance": NC_("receipt", "Points balance"), "card_balance": NC_("receipt", "Balance"),
    "card_sold": NC_("receipt", "Gift card"), "pending": NC_("receipt", "pending"), "included": NC_("receipt", "incl."),
    "void_reason": NC_("receipt", "Void reason"), "thanks": NC_("receipt", "Thank you for your visit!"), "of_sale": NC_("receipt", "of sale"),
    "deposit": NC_("receipt", "Deposit"),
    "subject": NC_("receipt", "Your receipt from {location}: sale {sale}"),
    "subject_refund": NC_("receipt", "Your refund receipt from {location}: sale {sale}"),
    "greeting": NC_("receipt", "Hello {name}, here is your receipt (the PDF is attached)."),
    "greeting_anonymous": NC_("receipt", "Hello, here is your receipt (the PDF is attached)."),
}

METHODS: dict[str, str] = {
    "cash": NC_("receipt", "Cash"), "card": NC_("receipt", "Card"), "stripe": NC_("receipt", "Card (Stripe)"), "gift_card": NC_("receipt", "Gift card"),
    "credit": NC_("receipt", "Membership credit"), "points": NC_("receipt", "Points"), "transfer": NC_("receipt", "Transfer"), "unknown": NC_("receipt", "Other"),
}


def language(location_language: str | None, override: str | None = None) -> str:
    """`override` (SALON_LANG: `es`, `en`, also `es_MX`, `en-US`) else the location's, else es."""
    try:
        return choose(location_language, override)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


class Speaker:
    """Words, money and dates in one language and currency."""

    def __init__(self, lang: str, currency: str, tz: ZoneInfo) -> None:
        self.lang = lang
        self.currency = currency
        self.tz = tz
        self.locale = locale_for(lang, currency)
        said = catalog(lang)  # this receipt's language, whatever the process speaks
        # a receipt's words are the receipt's own (context "receipt"): "Refund" heads a receipt as
        # "Devolución" where the dashboard's key says "Devolver"
        self.gettext = lambda msgid: said.pgettext("receipt", msgid)
        self.words = {key: self.gettext(msgid) for key, msgid in WORDS.items()}

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def method(self, method: str) -> str:
        msgid = METHODS.get(method)
        return self.gettext(msgid) if msgid else method

    def money(self, cents: int) -> str:
        return formats.money(cents, self.currency, lang=self.lang)

    def day(self, day: date) -> str:
        return formats.day(day, self.currency, lang=self.lang)

    def time(self, instant: datetime) -> str:
        return formats.clock_time(instant, self.currency, self.tz, lang=self.lang)

    def percent(self, bp: int) -> str:
        from babel.numbers import get_decimal_symbol

        whole, rest = divmod(bp, 100)
        text = f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")
        return text.replace(".", get_decimal_symbol(self.locale)) + "%"


def mask(code: str | None) -> str | None:
    """A gift card's code shown by its last four characters only (****ABCD)."""
    if not code:
        return None
    plain = code.replace("-", "")
    return "****" + plain[-4:]
