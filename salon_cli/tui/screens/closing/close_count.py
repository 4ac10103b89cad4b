"""The drawer count at the close of day: the notes and coins of each currency, their labels, the total
of a count by denominations (as `services.closing.day_close` takes it) and the variance in words."""

from __future__ import annotations

from salon_cli.core.money import format_amount, format_money

# the notes and coins of a drawer, in minor units, largest first; other currencies count a plain total
DENOMINATIONS: dict[str, tuple[int, ...]] = {
    "MXN": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50),
    "USD": (10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1),
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
}


def denomination_label(cents: int, currency: str) -> str:
    """100000 MXN -> '1000', 50 -> '0.50'."""
    text = format_amount(cents, currency)
    return text[:-3] if text.endswith(".00") else text


def counted(counts: dict[int, int]) -> tuple[int, list[dict[str, int]]]:
    """The total of a count by denominations, and the count as the services take it (largest first)."""
    items = [{"denomination_cents": d, "count": n} for d, n in sorted(counts.items(), reverse=True) if n > 0]
    return sum(i["denomination_cents"] * i["count"] for i in items), items


def variance_words(variance: int, currency: str) -> str:
    """'    400.00 MXN short' (right-aligned under the expected and counted figures)."""
    if variance == 0:
        return f"{format_money(0, currency):>16} (the drawer is right)"
    return f"{format_money(abs(variance), currency):>16} {'over' if variance > 0 else 'short'}"
