"""A currency's decimals: ISO 4217's minor unit (`core.money.exponent`) is the storage contract, and
what is stored is what is shown (`i18n.formats`). Babel's CLDR data (`get_currency_precision`) agrees for
every currency we accept except the ones named below, each for its reason; a Babel upgrade that changes
one of them, or makes another one differ, fails here and is looked at, not followed."""

from __future__ import annotations

import re

import pytest
from babel import Locale
from babel.numbers import get_currency_precision, list_currencies

from salon_cli.core.money import CURRENCIES, exponent
from salon_cli.i18n import formats

# ISO 4217's minor unit vs CLDR's display digits (`currencyData/fractions`: digits 0): the minor unit is
# in the standard but not in use, so CLDR shows whole amounts. We store and show ISO's.
ISO_NOT_CLDR: dict[str, tuple[int, int, str]] = {
    "AFN": (2, 0, "Afghan afghani: ISO keeps the pul; CLDR shows whole afghanis"),
    "ALL": (2, 0, "Albanian lek: ISO keeps the qindarka; CLDR shows whole lekë"),
    "COP": (2, 0, "Colombian peso: ISO keeps the centavo; CLDR shows whole pesos, as prices are written"),
    "HUF": (2, 0, "Hungarian forint: ISO keeps the fillér (withdrawn 1999); CLDR shows whole forints"),
    "IDR": (2, 0, "Indonesian rupiah: ISO keeps the sen; CLDR shows whole rupiah"),
    "IQD": (3, 0, "Iraqi dinar: ISO keeps the fils (3 decimals); CLDR shows whole dinars"),
    "IRR": (2, 0, "Iranian rial: ISO keeps the dinar (2 decimals); CLDR shows whole rials"),
    "KPW": (2, 0, "North Korean won: ISO keeps the chon; CLDR shows whole won"),
    "LAK": (2, 0, "Lao kip: ISO keeps the att; CLDR shows whole kip"),
    "LBP": (2, 0, "Lebanese pound: ISO keeps the piastre; CLDR shows whole pounds"),
    "MGA": (2, 0, "Malagasy ariary: ISO says 2 (the iraimbilanja, a fifth); CLDR shows whole ariary"),
    "MMK": (2, 0, "Myanmar kyat: ISO keeps the pya; CLDR shows whole kyat"),
    "SOS": (2, 0, "Somali shilling: ISO keeps the senti; CLDR shows whole shillings"),
    "SYP": (2, 0, "Syrian pound: ISO keeps the piastre; CLDR shows whole pounds"),
    "YER": (2, 0, "Yemeni rial: ISO keeps the fils; CLDR shows whole rials"),
}


def test_every_currency_we_accept_is_known_to_babel():
    assert sorted(CURRENCIES - set(list_currencies())) == []  # CLDR's currencies in use somewhere
    assert sorted(CURRENCIES - set(Locale.parse("en").currencies)) == []  # and named


def test_babels_decimals_are_ours_but_for_the_named_differences():
    differ = {c: (exponent(c), get_currency_precision(c)) for c in sorted(CURRENCIES)
              if exponent(c) != get_currency_precision(c)}
    assert differ == {c: (iso, cldr) for c, (iso, cldr, _) in ISO_NOT_CLDR.items()}
    assert all(why for _, _, why in ISO_NOT_CLDR.values())


@pytest.mark.parametrize("currency", sorted(ISO_NOT_CLDR))
def test_money_shows_isos_digits_where_cldr_shows_none(currency):
    places = exponent(currency)
    cents = 123450 if places == 2 else 1234500  # 1234.50 or 1234.500
    figure = "1,234.50" if places == 2 else "1,234.500"
    assert formats.amount(cents, currency, lang="en") == figure
    assert formats.money(cents, currency, lang="en").endswith(figure)
    spanish = formats.money(cents, currency, lang="es")  # es_CO '$1.234,50', es_ES '1234,50 HUF'
    assert re.sub(r"[^\d,]", "", spanish) == figure.replace(",", "").replace(".", ",")


def test_colombian_pesos_keep_their_cents():
    assert formats.money(123450, "COP", lang="es") == "$1.234,50"  # es_CO
    assert formats.money(123450, "COP", lang="en") == "COP1,234.50"
    assert formats.money(5, "COP", lang="es") == "$0,05"
    assert formats.money(123450, "HUF", lang="en") == "HUF1,234.50"
