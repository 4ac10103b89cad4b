"""The exact pricing of a sale: discount allocation and per-line taxes in integer minor units.

Everything is an `int` of cents; divisions are done with integer arithmetic and rounded half up,
so the same sale always prices the same way, on any machine, and the parts add up to the whole
to the cent. Taxes are rounded per line (not per sale) so that a receipt line, a refund of one
line and the sale total all agree with each other without a "rounding difference" line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from salon_cli.core.errors import InvalidInput

MAX_RATE_BP = 100_000  # 1000%: beyond any real tax; larger is certainly a typo
_FULL = 10_000  # basis points in 100%


@dataclass(frozen=True)
class TaxRate:
    name: str
    rate_bp: int  # basis points, 1600 = 16%
    inclusive: bool  # the price already includes this tax


@dataclass(frozen=True)
class Discount:
    kind: str  # "pct" (value in basis points, 0..10000) | "amount" (value in cents, >= 0)
    value: int


@dataclass(frozen=True)
class LineIn:
    gross_cents: int  # quantity * unit price, >= 0
    taxable: bool = True
    discountable: bool = True


@dataclass(frozen=True)
class LineTax:
    name: str
    rate_bp: int
    inclusive: bool
    amount_cents: int


@dataclass(frozen=True)
class LineOut:
    gross_cents: int
    discount_cents: int  # this line's share of the sale discount
    net_cents: int  # before tax, after discount (the taxable base)
    tax_cents: int  # sum of taxes
    total_cents: int  # what the client pays for this line
    taxes: tuple[LineTax, ...]


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int  # sum of gross
    discount_cents: int
    net_cents: int  # sum of line net
    tax_cents: int
    total_cents: int
    lines: tuple[LineOut, ...]
    taxes: tuple[LineTax, ...]  # per tax name, summed over lines, in the order of the rates


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, in pure integers (no Decimal context, no float)."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up_div needs numerator >= 0 and denominator > 0")
    return (2 * numerator + denominator) // (2 * denominator)


def allocate(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """Split `amount_cents` in proportion to `weights` so the shares add up exactly.

    Largest remainder method: everyone gets the floor of their exact share, and the cents left
    over go one each to the largest fractional remainders (ties to the lower index). So no share
    is more than one cent away from its exact value, and a zero weight always gets 0.
    """
    if amount_cents < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate needs a non-negative amount and non-negative weights")
    total = sum(weights)
    if total == 0:
        if amount_cents:
            raise ValueError(f"cannot allocate {amount_cents} over weights that are all zero")
        return [0] * len(weights)
    shares = [amount_cents * w // total for w in weights]
    left = amount_cents - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(amount_cents * weights[i] % total), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def _whole(value: object, what: str) -> int:
    """Money and rates are ints; a float or bool here is a programming error, not user input."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return value


def _check_rates(taxes: Sequence[TaxRate]) -> None:
    seen: set[str] = set()
    for t in taxes:
        if not isinstance(t.name, str) or not t.name.strip():
            raise InvalidInput("a tax has no name")
        bp = _whole(t.rate_bp, f"rate of tax {t.name}")
        if not 0 <= bp <= MAX_RATE_BP:
            raise InvalidInput(f"tax {t.name} has rate {bp} bp; it must be between 0 and {MAX_RATE_BP}")
        key = t.name.strip().lower()  # same rule as the policy: "IVA" and "iva" are one tax
        if key in seen:
            raise InvalidInput(f"tax {t.name} is named twice")
        seen.add(key)


def _discount_cents(discount: Discount | None, discountable: int) -> int:
    if discount is None:
        return 0
    value = _whole(discount.value, "discount value")
    if discount.kind == "pct":
        if not 0 <= value <= _FULL:
            raise InvalidInput(f"discount of {value} bp must be between 0 and {_FULL} (0% to 100%)")
        return round_half_up_div(discountable * value, _FULL)
    if discount.kind == "amount":
        if value < 0:
            raise InvalidInput(f"discount {value} must not be negative")
        if value > discountable:
            raise InvalidInput(f"discount {value} is more than the {discountable} the discountable lines allow",
                               hint="gift cards and other non-discountable lines do not count")
        return value
    raise InvalidInput(f"discount kind {discount.kind!r} is not 'pct' or 'amount'")


def _inclusive_taxes(base: int, rates: Sequence[TaxRate]) -> list[int]:
    """Each inclusive tax is base x r_i / (10000 + R), rounded half up on its own.

    With three or more inclusive taxes adding up to hundreds of percent, those separate
    roundings could together take more than the base (a negative net). Only then the total
    inclusive tax is rounded once and split by rate, which can never exceed the base.
    """
    big_r = sum(t.rate_bp for t in rates)
    amounts = [round_half_up_div(base * t.rate_bp, _FULL + big_r) for t in rates]
    if sum(amounts) > base:
        whole = round_half_up_div(base * big_r, _FULL + big_r)
        amounts = allocate(whole, [t.rate_bp for t in rates])
    return amounts


def _price_line(line: LineIn, discount: int, taxes: Sequence[TaxRate]) -> LineOut:
    base = line.gross_cents - discount  # A: what the line costs after its share of the discount
    if not line.taxable:
        return LineOut(line.gross_cents, discount, base, 0, base, ())
    inclusive = [t for t in taxes if t.inclusive]
    amounts = dict(zip((t.name for t in inclusive), _inclusive_taxes(base, inclusive), strict=True))
    net = base - sum(amounts.values())
    for t in taxes:
        if not t.inclusive:
            amounts[t.name] = round_half_up_div(net * t.rate_bp, _FULL)
    parts = tuple(LineTax(t.name, t.rate_bp, t.inclusive, amounts[t.name]) for t in taxes)
    tax = sum(p.amount_cents for p in parts)
    exclusive = sum(p.amount_cents for p in parts if not p.inclusive)
    return LineOut(line.gross_cents, discount, net, tax, base + exclusive, parts)


def price(lines: Sequence[LineIn], taxes: Sequence[TaxRate] = (), discount: Discount | None = None) -> Totals:
    """Price a sale exactly: the discount is shared by the discountable lines in proportion to
    their gross, then each line is taxed on what is left of it, every tax rounded per line."""
    _check_rates(taxes)
    for n, line in enumerate(lines, 1):
        if _whole(line.gross_cents, f"gross of line {n}") < 0:
            raise InvalidInput(f"line {n} has a negative price ({line.gross_cents})")
    weights = [line.gross_cents if line.discountable else 0 for line in lines]
    off = _discount_cents(discount, sum(weights))
    shares = allocate(off, weights)
    out = tuple(_price_line(line, share, taxes) for line, share in zip(lines, shares, strict=True))
    summed = tuple(
        LineTax(t.name, t.rate_bp, t.inclusive,
                sum(p.amount_cents for o in out for p in o.taxes if p.name == t.name))
        for t in taxes
    )
    return Totals(
        subtotal_cents=sum(o.gross_cents for o in out),
        discount_cents=sum(o.discount_cents for o in out),
        net_cents=sum(o.net_cents for o in out),
        tax_cents=sum(o.tax_cents for o in out),
        total_cents=sum(o.total_cents for o in out),
        lines=out,
        taxes=summed,
    )


def tax_rates(policy_taxes: Sequence[Mapping]) -> tuple[TaxRate, ...]:
    """Turn `Policy.taxes` ([{"name", "rate_bp", "inclusive"}]) into checked `TaxRate`s.

    The JSON column is only as good as whoever last wrote it, so every field is checked here
    rather than trusting it at the till.
    """
    rates = []
    for n, item in enumerate(policy_taxes or (), 1):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"tax {n} in the policy is not a name/rate/inclusive record")
        name, bp, inclusive = item.get("name"), item.get("rate_bp"), item.get("inclusive", False)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"tax {n} in the policy has no name")
        if not isinstance(bp, int) or isinstance(bp, bool):
            raise InvalidInput(f"tax {name} in the policy has rate {bp!r}, not whole basis points")
        if not isinstance(inclusive, bool):
            raise InvalidInput(f"tax {name} in the policy has inclusive={inclusive!r}, not true/false")
        rates.append(TaxRate(name=name.strip(), rate_bp=bp, inclusive=inclusive))
    _check_rates(rates)
    return tuple(rates)
