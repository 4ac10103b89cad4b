"""A sales file's tax columns: their exact figures, a receipt's tax rounded once, and whether the file's
`amount` is before the taxes or includes them (issue 29, points 2 and 3). Pure: no database.

Other systems export a line's tax with more decimals than the currency has (3.1875). The source's tax
on a receipt is the sum of its lines rounded once, half up; rounding each line first would drift a cent
a receipt from the source's own totals. Split back over the lines by largest remainder, the parts add
up to that total exactly, so a line's tax and the receipt's agree.

A file with tax columns rarely says whether `amount` includes them; reading it the wrong way imports
every receipt short (or long) by its tax. So the file's own figures decide: a line whose tax is the
rate of its amount says "before tax", one whose tax is the rate of its amount less the taxes says
"includes". A file that fits both readings, or neither, is refused with the options that settle it:
a guess would be a silently wrong import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import MAX_AMOUNT_CENTS, check_currency, exponent, format_percent, money_cell_number

_BP = Decimal(10000)
_HALF_BP = Decimal("0.5")  # a policy rate is whole basis points: the source's may be 8.875 %, kept as 888
_INFINITY = Decimal("Infinity")
_ZERO = Decimal(0)
_MAX_DECIMALS = 20  # a float written out (0.30000000000000004) has 17; more is not a tax figure
_SETTLE = "give --amount-before-tax or --amount-includes-tax"


@dataclass(frozen=True)
class LineTax:
    row: int                   # the file's row number (for messages)
    amount: Decimal            # the line's `amount` as the file gives it, major units (may be negative), with
    #                            its decimals: 116.00, not 116 (they tell the minor unit, hence the rounding)
    taxes: dict[str, Decimal]  # tax name -> the file's tax cell, exact (e.g. Decimal("3.1875"))


def exact_tax(text: str, currency: str, decimal: str | None, column: str) -> Decimal:
    """A tax cell as the file wrote it, any number of decimals: '3.1875', '$1,234.5678', '(0.16)', and
    '3,1875' with `decimal` ','. Signs, symbols and separators follow `parse_money_cell`."""
    currency = check_currency(currency)
    negative, plain = money_cell_number(text, currency, what=column, decimal=decimal)
    whole, _, frac = plain.partition(".")
    if len(frac) > _MAX_DECIMALS:
        raise InvalidInput(f"{column} {text!r} has more than {_MAX_DECIMALS} decimals")
    value = Decimal(plain)
    if len(whole.lstrip("0")) > 16 or value.scaleb(exponent(currency)) > MAX_AMOUNT_CENTS:
        raise InvalidInput(f"{column} {text!r} is too large")
    return -value if negative else value


def round_receipt(exact: Sequence[Decimal], currency: str) -> tuple[int, list[int]]:
    """The receipt's tax in minor units, the sum of its lines' exact taxes rounded once half up (away
    from zero), and its split over the lines: each part is its line's figure rounded down or up, the
    largest remainders taking the units left (ties to the earlier line), adding up to the total.
    A receipt whose tax is negative (a return) is split as the mirror of the positive one."""
    places = exponent(currency)
    with localcontext() as ctx:
        ctx.prec = 60
        scaled = [Decimal(x).scaleb(places) for x in exact]
        exact_sum = sum(scaled, Decimal(0))
        total = int(exact_sum.to_integral_value(rounding=ROUND_HALF_UP))
        sign = -1 if exact_sum < 0 else 1
        mirrored = [x * sign for x in scaled]
        floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in mirrored]
        left = total * sign - sum(floors)  # 0 <= left <= number of lines with a remainder
        by_remainder = sorted(range(len(floors)), key=lambda k: (-(mirrored[k] - floors[k]), k))
    for k in by_remainder[:left]:
        floors[k] += 1
    return total, [part * sign for part in floors]


# --- which reading of `amount` the file's taxes fit ----------------------------------------------

def _decimals(value: Decimal) -> int:
    """The decimals a figure shows: 3.1875 4, 16.00 2, 16 0 (read from its text: a file has many)."""
    text = str(value)
    if "E" in text:
        exp = value.as_tuple().exponent
        return max(0, -exp) if isinstance(exp, int) else 0
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def _half_unit(lines: Sequence[LineTax]) -> Decimal:
    """Half the amount column's last shown decimal: half a minor unit of what the file writes."""
    places = max((_decimals(line.amount) for line in lines), default=0)
    return Decimal(5).scaleb(-places - 1)


def _shown_half(cell: Decimal) -> Decimal:
    """Half the last decimal a cell shows: 3.1875 is anything from 3.18745 to 3.18755."""
    places = _decimals(cell)
    if places not in _HALVES:
        _HALVES[places] = Decimal(5).scaleb(-places - 1)
    return _HALVES[places]


_HALVES: dict[int, Decimal] = {}


class _Span:
    """What the lines say of one tax under one reading: the rates (basis points) they all allow, the lines
    bounding them, the first line refusing the policy's rate, and the sums giving the overall share."""

    __slots__ = ("rate", "low", "high", "low_line", "high_line", "refusing", "taxes", "bases")

    def __init__(self, rate: int | None) -> None:
        self.rate, self.low, self.high = rate, _ZERO, _INFINITY
        self.low_line = self.high_line = self.refusing = None
        self.taxes = self.bases = _ZERO

    def add(self, line: LineTax, low: Decimal, high: Decimal, tax: Decimal, base: Decimal) -> None:
        if low > self.low or self.low_line is None:
            self.low, self.low_line = low, line
        if high < self.high or self.high_line is None:
            self.high, self.high_line = high, line
        if self.rate is not None and self.refusing is None and not low - _HALF_BP <= self.rate <= high + _HALF_BP:
            self.refusing = line
        self.taxes += tax
        self.bases += base

    @property
    def agreed(self) -> bool:
        return self.low <= self.high


def _survey(lines: Sequence[LineTax], rates: dict[str, int | None], *,
            rounded: bool = True) -> dict[tuple[bool, str], _Span]:
    """One pass over the lines (a file may have 100,000), for each reading (before tax: True) and tax.

    A line tells something when it has an amount and a tax. A tax cell may be off by the rounding it
    shows plus, when `rounded`, half a minor unit (the source may have rounded each line's tax before
    writing it with more decimals); the amount by half a minor unit; the amount before tax (amount less
    the line's taxes) by the sum of those."""
    half_unit = _half_unit(lines)
    cell_unit = half_unit if rounded else _ZERO
    spans: dict[tuple[bool, str], _Span] = {}
    with localcontext() as ctx:
        ctx.prec = 40
        for line in lines:
            amount = line.amount
            if not amount:
                continue
            negative, size = amount.is_signed(), abs(amount)
            cells = [(name, abs(cell), cell_unit + _shown_half(cell), cell.is_signed() != negative)
                     for name, cell in line.taxes.items() if cell]
            if not cells:
                continue
            base = size - sum(cell[1] for cell in cells)
            base_slack = half_unit + sum(cell[2] for cell in cells)
            for before, whole, slack_whole in ((True, size, half_unit), (False, base, base_slack)):
                for name, tax, slack, flipped in cells:
                    span = spans.get((before, name))
                    if span is None:
                        span = spans[before, name] = _Span(rates.get(name))
                    if flipped or whole + slack_whole <= 0:  # no rate gives a tax of the other sign, or more than all
                        span.add(line, _INFINITY, _ZERO, tax, whole)
                        continue
                    low = max(_ZERO, tax - slack) * _BP / (whole + slack_whole)
                    high = (tax + slack) * _BP / (whole - slack_whole) if whole > slack_whole else _INFINITY
                    span.add(line, low, high, tax, whole)
    return spans


def _simplest_rate(low: Decimal, high: Decimal, near: Decimal) -> Decimal:
    """The rate with fewest decimals (in %) between low and high, nearest to `near`: 16 % before 15.9 %,
    8.875 % when nothing shorter fits."""
    for step in (Decimal(100), Decimal(10), Decimal(1), Decimal("0.1"), Decimal("0.01")):
        first = (low / step).to_integral_value(rounding=ROUND_CEILING)
        last = (high / step).to_integral_value(rounding=ROUND_FLOOR) if high.is_finite() else first + 1
        if first <= last:
            best = min(max((near / step).to_integral_value(rounding=ROUND_HALF_UP), first), last)
            return best * step
    return near


def implied_rate_bp(lines: Sequence[LineTax], name: str, before: bool) -> int | None:
    """A tax the policy does not have: the rate (basis points, half up) on which every line that shows it
    agrees, as a share of the amount (`before`) or of the amount less the line's taxes; None when no
    line tells or the lines disagree."""
    # the figures as written first: a 4-decimal tax pins 8.875 % where half a cent of slack allows 8.87 %
    span = _survey(lines, {}, rounded=False).get((before, name))
    if span is not None and not span.agreed:
        span = _survey(lines, {}).get((before, name))
    if span is None or not span.agreed:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        near = span.taxes * _BP / span.bases if span.bases > 0 else span.low
        return int(_simplest_rate(span.low, span.high, near).to_integral_value(rounding=ROUND_HALF_UP))


def decide_basis(lines: Sequence[LineTax], rates: dict[str, int | None]) -> bool:
    """True when the file's amounts are before its taxes, False when they include them, from the data.

    A tax with a policy rate (basis points) fits a reading when every line's cell is that rate of the
    amount (before) or of the amount less the line's taxes (includes), within half a minor unit plus the
    rounding the file shows; a tax without one (None) fits when the lines agree on a rate. Exactly one
    reading must fit; both (nothing tells them apart) or neither is refused (InvalidInput) naming
    --amount-before-tax and --amount-includes-tax. A file without any tax has nothing to decide: False.
    """
    names = list(dict.fromkeys(name for line in lines for name, cell in line.taxes.items() if cell))
    if not names:
        return False
    spans = _survey(lines, rates)
    misfit = {before: _misfit(spans, names, before) for before in (True, False)}
    if (misfit[True] is None) != (misfit[False] is None):
        return misfit[True] is None
    if misfit[True] is None:
        raise InvalidInput(f"cannot tell whether the amounts include the taxes: {_both_fit(lines, names, rates)}; "
                           f"{_SETTLE}")
    first, second = misfit[True], misfit[False]
    head = first.partition(") is not ")[0] + ") is not "
    if ") is not " in first and second.startswith(head):  # the same row refutes both: name it once
        second = "nor " + second.removeprefix(head)
    else:
        second = "and " + second
    raise InvalidInput(f"the taxes fit neither reading of the amounts: {first}, {second}; "
                       f"check the policy's tax rates, or {_SETTLE}")


def _misfit(spans: dict[tuple[bool, str], _Span], names: list[str], before: bool) -> str | None:
    """Why the reading does not fit, naming a row; None when it fits."""
    reading = "of the amount" if before else "of the amount before tax"
    for name in names:
        span = spans.get((before, name))
        if span is None:
            continue
        if span.rate is None and not span.agreed:
            low_line, high_line = span.low_line, span.high_line
            if low_line is high_line:
                return _impossible(low_line, name)
            return (f"{name} is {_share(low_line, name, before)} {reading} on row {low_line.row} "
                    f"(amount {_fig(low_line.amount)}, {name} {_fig(low_line.taxes[name])}) but "
                    f"{_share(high_line, name, before)} on row {high_line.row} "
                    f"(amount {_fig(high_line.amount)}, {name} {_fig(high_line.taxes[name])})")
        line = span.refusing
        if line is not None:
            if _base(line, before) <= 0 or (line.taxes[name] < 0) != (line.amount < 0):
                return _impossible(line, name)
            return (f"row {line.row} (amount {_fig(line.amount)}, {name} {_fig(line.taxes[name])}) is not "
                    f"{format_percent(span.rate)} {reading}{_base_shown(line, before)}")
    return None


def _impossible(line: LineTax, name: str) -> str:
    head = f"row {line.row} (amount {_fig(line.amount)}, {name} {_fig(line.taxes[name])})"
    if (line.taxes[name] < 0) != (line.amount < 0):
        return f"{head} has a tax of the other sign than its amount"
    return f"{head} has taxes of {_fig(sum(line.taxes.values(), Decimal(0)))}, not less than the amount"


def _both_fit(lines: Sequence[LineTax], names: list[str], rates: dict[str, int | None]) -> str:
    """Why both readings fit, with the row that shows it best (the largest tax)."""
    told = [(abs(cell), line, name) for line in lines if line.amount for name, cell in line.taxes.items() if cell]
    if not told:
        return "no row shows both an amount and a tax"
    _, line, name = max(told, key=lambda t: (t[0], -t[1].row))
    head = f"row {line.row} (amount {_fig(line.amount)}, {name} {_fig(line.taxes[name])})"
    rate = rates.get(name)
    if rate is not None:
        return (f"every row is too small to tell, e.g. {head} is {format_percent(rate)} of the amount and "
                f"of the amount before tax{_base_shown(line, False)} within rounding")
    return (f"{name} is {_share(line, name, True)} of every amount and {_share(line, name, False)} of every "
            f"amount before tax, e.g. {head}")


def _base(line: LineTax, before: bool) -> Decimal:
    """What the line's taxes are a share of under a reading, by size."""
    return abs(line.amount) - (0 if before else sum((abs(c) for c in line.taxes.values()), Decimal(0)))


def _share(line: LineTax, name: str, before: bool) -> str:
    """The line's own rate of tax `name` under a reading, for people: '13.79%'."""
    base = _base(line, before)
    if base <= 0:
        return "more than all"
    bp = (abs(line.taxes[name]) * _BP / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return format_percent(int(bp))


def _base_shown(line: LineTax, before: bool) -> str:
    return "" if before else f" ({_fig(line.amount - sum(line.taxes.values(), Decimal(0)))})"


def _fig(value: Decimal) -> str:
    return format(value, "f")
