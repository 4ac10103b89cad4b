"""The drawer count at the close of day: the notes and coins of each currency, their labels, the total
of a count by denominations (as `services.closing.day_close` takes it) and the variance in words (the desk's
language, the amounts `i18n.formats`')."""

from __future__ import annotations

from salon_cli.core.money import exponent
from salon_cli.i18n import _, formats

# the notes and coins of a drawer, in minor units, largest first; other currencies count a plain total
DENOMINATIONS: dict[str, tuple[int, ...]] = {
    "MXN": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50),
    "USD": (10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1),
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
}


def denomination_label(cents: int, currency: str) -> str:
    """100000 MXN -> '1,000', 50 -> '0.50' (the figure in the locale's way, no zero cents)."""
    text = formats.amount(cents, currency)
    places = exponent(currency)
    whole = places and text.endswith("0" * places) and not text[-places - 1].isdigit()
    return text[:-places - 1] if whole else text


def counted(counts: dict[int, int]) -> tuple[int, list[dict[str, int]]]:
    """The total of a count by denominations, and the count as the services take it (largest first)."""
    items = [{"denomination_cents": d, "count": n} for d, n in sorted(counts.items(), reverse=True) if n > 0]
    return sum(i["denomination_cents"] * i["count"] for i in items), items


def variance_words(variance: int, currency: str) -> str:
    """'      MX$400.00 short' (right-aligned under the expected and counted figures)."""
    amount = f"{formats.money(abs(variance), currency):>16}"
    if variance == 0:
        return _("{amount} (the drawer is right)").format(amount=amount)
    return (_("{amount} over") if variance > 0 else _("{amount} short")).format(amount=amount)
