"""Sale pricing is exact: discounts allocated to the cent, taxes rounded half up per line."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import percent_of
from salon_cli.core.sale_math import (
    Discount,
    LineIn,
    LineTax,
    TaxRate,
    Totals,
    allocate,
    price,
    round_half_up_div,
    tax_rates,
)

IVA = TaxRate("IVA", 1600, inclusive=True)
GST = TaxRate("GST", 500, inclusive=False)
PST = TaxRate("PST", 800, inclusive=False)


# --- rounding and allocation ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(0, 7, 0), (5, 10, 1), (15, 10, 2), (25, 10, 3), (4, 10, 0), (14, 10, 1), (6, 10, 1),
     (1, 2, 1), (1, 3, 0), (2, 3, 1), (10, 5, 2), (406_000_000, 11_600, 35_000)],
)
def test_round_half_up_div(num: int, den: int, expected: int) -> None:
    assert round_half_up_div(num, den) == expected


@pytest.mark.parametrize(("num", "den"), [(-1, 10), (1, 0), (1, -3)])
def test_round_half_up_div_refuses_bad_arguments(num: int, den: int) -> None:
    with pytest.raises(ValueError):
        round_half_up_div(num, den)


@given(st.integers(0, 10**15), st.integers(1, 10**9))
@settings(max_examples=300, deadline=None)
def test_round_half_up_div_matches_decimal(num: int, den: int) -> None:
    exact = (Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # Decimal division is 28 digits; well within that here
    assert round_half_up_div(num, den) == int(exact)


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (1333, [10000, 3333, 1], [1000, 333, 0]),
        (100, [1, 1, 1], [34, 33, 33]),        # tie broken by lower index
        (2, [1, 1, 1], [1, 1, 0]),
        (10, [0, 5, 0, 5], [0, 5, 0, 5]),
        (1, [0, 0, 7], [0, 0, 1]),
        (0, [0, 0], [0, 0]),
        (0, [], []),
        (7, [3], [7]),
        (5, [2, 3], [2, 3]),
    ],
)
def test_allocate_examples(amount: int, weights: list[int], expected: list[int]) -> None:
    assert allocate(amount, weights) == expected


@pytest.mark.parametrize(("amount", "weights"), [(1, [0, 0]), (1, []), (-1, [1]), (5, [3, -1])])
def test_allocate_refuses(amount: int, weights: list[int]) -> None:
    with pytest.raises(ValueError):
        allocate(amount, weights)


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**8), min_size=1, max_size=15))
@settings(max_examples=300, deadline=None)
def test_allocate_properties(amount: int, weights: list[int]) -> None:
    total = sum(weights)
    if total == 0:
        amount = 0
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    for share, w in zip(shares, weights, strict=True):
        floor = amount * w // total if total else 0
        assert floor <= share <= floor + 1
        if w == 0:
            assert share == 0


# --- worked examples, checked by hand ------------------------------------------------------

def test_mexican_iva_inclusive_on_350() -> None:
    # 35000 * 1600 / 11600 = 4827.586... -> 4828; net 35000 - 4828 = 30172
    t = price([LineIn(35000)], [IVA])
    assert (t.subtotal_cents, t.discount_cents, t.net_cents, t.tax_cents, t.total_cents) == (
        35000, 0, 30172, 4828, 35000)
    assert t.taxes == (LineTax("IVA", 1600, True, 4828),)
    assert t.lines[0].taxes == (LineTax("IVA", 1600, True, 4828),)


def test_two_exclusive_taxes_rounded_per_line() -> None:
    # 10000: 5% = 500, 8% = 800.  3333: 5% = 166.65 -> 167, 8% = 266.64 -> 267
    t = price([LineIn(10000), LineIn(3333)], [GST, PST])
    a, b = t.lines
    assert [x.amount_cents for x in a.taxes] == [500, 800]
    assert (a.net_cents, a.tax_cents, a.total_cents) == (10000, 1300, 11300)
    assert [x.amount_cents for x in b.taxes] == [167, 267]
    assert (b.net_cents, b.tax_cents, b.total_cents) == (3333, 434, 3767)
    assert t.taxes == (LineTax("GST", 500, False, 667), LineTax("PST", 800, False, 1067))
    assert (t.net_cents, t.tax_cents, t.total_cents) == (13333, 1734, 15067)


def test_two_inclusive_taxes() -> None:
    # R = 1300; 10000*500/11300 = 442.477 -> 442; 10000*800/11300 = 707.96 -> 708; net 8850
    t = price([LineIn(10000)], [TaxRate("A", 500, True), TaxRate("B", 800, True)])
    (line,) = t.lines
    assert [x.amount_cents for x in line.taxes] == [442, 708]
    assert (line.net_cents, line.tax_cents, line.total_cents) == (8850, 1150, 10000)


def test_one_inclusive_one_exclusive() -> None:
    # inclusive 16%: 11600*1600/11600 = 1600, net 10000; exclusive 5% of net = 500; total 12100
    t = price([LineIn(11600)], [IVA, GST])
    (line,) = t.lines
    assert [x.amount_cents for x in line.taxes] == [1600, 500]
    assert (line.net_cents, line.tax_cents, line.total_cents) == (10000, 2100, 12100)
    assert t.taxes == (LineTax("IVA", 1600, True, 1600), LineTax("GST", 500, False, 500))


def test_pct_discount_over_three_lines_allocated_exactly() -> None:
    # 10% of 13334 = 1333.4 -> 1333; shares 999.70 / 333.20 / 0.0999 -> 1000, 333, 0
    t = price([LineIn(10000), LineIn(3333), LineIn(1)], discount=Discount("pct", 1000))
    assert t.discount_cents == 1333
    assert [x.discount_cents for x in t.lines] == [1000, 333, 0]
    assert [x.net_cents for x in t.lines] == [9000, 3000, 1]
    assert t.total_cents == 12001


def test_discount_skips_gift_cards_and_then_taxes_the_rest() -> None:
    lines = [LineIn(20000), LineIn(50000, taxable=False, discountable=False)]
    t = price(lines, [IVA], Discount("amount", 5000))
    service, gift = t.lines
    assert (gift.discount_cents, gift.tax_cents, gift.total_cents, gift.taxes) == (0, 0, 50000, ())
    # 15000 * 1600 / 11600 = 2068.97 -> 2069
    assert (service.discount_cents, service.tax_cents, service.net_cents) == (5000, 2069, 12931)
    assert t.total_cents == 65000
    assert t.taxes == (LineTax("IVA", 1600, True, 2069),)


def test_full_amount_discount_is_allowed() -> None:
    t = price([LineIn(35000)], [GST], Discount("amount", 35000))
    assert (t.net_cents, t.tax_cents, t.total_cents) == (0, 0, 0)


def test_half_up_at_half_a_cent() -> None:
    # 5% of 10 = 0.5 -> 1; of 30 = 1.5 -> 2; of 50 = 2.5 -> 3 (not banker's 2)
    t = price([LineIn(10), LineIn(30), LineIn(50)], [GST])
    assert [x.tax_cents for x in t.lines] == [1, 2, 3]
    # 50% of 1 cent = 0.5 -> 1
    assert price([LineIn(1)], discount=Discount("pct", 5000)).discount_cents == 1


def test_no_lines_and_no_taxes() -> None:
    t = price([])
    assert t == Totals(0, 0, 0, 0, 0, (), ())
    t = price([], [GST, IVA], Discount("pct", 1000))
    assert t.taxes == (LineTax("GST", 500, False, 0), LineTax("IVA", 1600, True, 0))


def test_extreme_inclusive_taxes_never_take_more_than_the_price() -> None:
    # each 2*100000/310000 = 0.645 -> 1 would be 3 cents of tax out of 2; the total is split instead
    rates = [TaxRate(n, 100_000, True) for n in "ABC"]
    (line,) = price([LineIn(2)], rates).lines
    assert [x.amount_cents for x in line.taxes] == [1, 1, 0]
    assert (line.net_cents, line.total_cents) == (0, 2)


# --- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("lines", "taxes", "discount"),
    [
        ([LineIn(-1)], [], None),
        ([LineIn(100)], [TaxRate("X", -1, False)], None),
        ([LineIn(100)], [TaxRate("X", 100_001, True)], None),
        ([LineIn(100)], [TaxRate("X", 500, False), TaxRate("X", 800, True)], None),
        ([LineIn(100)], [TaxRate("iva", 500, False), TaxRate("IVA", 800, False)], None),
        ([LineIn(100)], [TaxRate(" ", 500, False)], None),
        ([LineIn(100)], [], Discount("pct", 10_001)),
        ([LineIn(100)], [], Discount("pct", -1)),
        ([LineIn(100)], [], Discount("amount", -1)),
        ([LineIn(100)], [], Discount("amount", 101)),
        ([LineIn(100, discountable=False)], [], Discount("amount", 1)),
        ([LineIn(100)], [], Discount("free", 1)),
    ],
)
def test_price_refuses(lines: list[LineIn], taxes: list[TaxRate], discount: Discount | None) -> None:
    with pytest.raises(InvalidInput):
        price(lines, taxes, discount)


def test_excess_discount_message_names_both_amounts() -> None:
    lines = [LineIn(35000), LineIn(10000, discountable=False)]
    with pytest.raises(InvalidInput) as err:
        price(lines, discount=Discount("amount", 50000))
    assert err.value.exit_code == 2
    assert "50000" in err.value.message and "35000" in err.value.message
    assert "\n" not in err.value.message


def test_float_money_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        price([LineIn(3.5)])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        price([LineIn(100)], [TaxRate("X", 16.0, False)])  # type: ignore[arg-type]


def test_tax_rates_from_policy() -> None:
    stored = [{"name": "IVA", "rate_bp": 1600, "inclusive": True}, {"name": "ISH", "rate_bp": 300, "inclusive": False}]
    assert tax_rates(stored) == (TaxRate("IVA", 1600, True), TaxRate("ISH", 300, False))
    assert tax_rates([]) == ()
    assert tax_rates([{"name": "VAT", "rate_bp": 2000}]) == (TaxRate("VAT", 2000, False),)


@pytest.mark.parametrize(
    "stored",
    [
        [{"rate_bp": 1600, "inclusive": True}],
        [{"name": "", "rate_bp": 1600, "inclusive": True}],
        [{"name": "IVA", "inclusive": True}],
        [{"name": "IVA", "rate_bp": "16%", "inclusive": True}],
        [{"name": "IVA", "rate_bp": 16.0, "inclusive": True}],
        [{"name": "IVA", "rate_bp": True, "inclusive": True}],
        [{"name": "IVA", "rate_bp": 1600, "inclusive": "yes"}],
        [{"name": "IVA", "rate_bp": -5, "inclusive": False}],
        [{"name": "IVA", "rate_bp": 100_001, "inclusive": False}],
        [{"name": "IVA", "rate_bp": 1600, "inclusive": True}, {"name": "iva", "rate_bp": 800, "inclusive": False}],
        ["IVA:16%"],
    ],
)
def test_tax_rates_refuses(stored: list) -> None:
    with pytest.raises(InvalidInput):
        tax_rates(stored)


# --- properties ----------------------------------------------------------------------------

lines_st = st.lists(st.builds(LineIn, st.integers(0, 10_000_000), st.booleans(), st.booleans()), max_size=12)
rate_st = st.one_of(st.integers(0, 3000), st.integers(0, 100_000))


@st.composite
def taxes_st(draw: st.DrawFn) -> list[TaxRate]:
    names = draw(st.lists(st.sampled_from(["IVA", "GST", "PST", "ISH", "VAT"]), max_size=3, unique=True))
    return [TaxRate(n, draw(rate_st), draw(st.booleans())) for n in names]


@st.composite
def sale_st(draw: st.DrawFn) -> tuple[list[LineIn], list[TaxRate], Discount | None]:
    lines = draw(lines_st)
    room = sum(x.gross_cents for x in lines if x.discountable)
    discount = draw(st.one_of(
        st.none(),
        st.builds(Discount, st.just("pct"), st.integers(0, 10_000)),
        st.builds(Discount, st.just("amount"), st.integers(0, room)),
    ))
    return lines, draw(taxes_st()), discount


@given(sale_st())
@settings(max_examples=300, deadline=None)
def test_price_invariants(sale: tuple[list[LineIn], list[TaxRate], Discount | None]) -> None:
    lines, taxes, discount = sale
    t = price(lines, taxes, discount)
    outs = t.lines
    assert len(outs) == len(lines)
    discountable = sum(x.gross_cents for x in lines if x.discountable)
    exclusive = sum(p.amount_cents for o in outs for p in o.taxes if not p.inclusive)

    assert t.subtotal_cents == sum(x.gross_cents for x in lines)
    assert t.discount_cents == sum(o.discount_cents for o in outs)
    assert t.net_cents == sum(o.net_cents for o in outs)
    assert t.tax_cents == sum(o.tax_cents for o in outs) == sum(x.amount_cents for x in t.taxes)
    assert t.total_cents == sum(o.total_cents for o in outs) == t.subtotal_cents - t.discount_cents + exclusive
    assert 0 <= t.discount_cents <= discountable
    if discount is not None and discount.kind == "pct":
        assert t.discount_cents == percent_of(discountable, discount.value)
    elif discount is not None:
        assert t.discount_cents == discount.value
    else:
        assert t.discount_cents == 0
    assert [(x.name, x.rate_bp, x.inclusive) for x in t.taxes] == [(r.name, r.rate_bp, r.inclusive) for r in taxes]

    for line, o in zip(lines, outs, strict=True):
        inclusive = sum(p.amount_cents for p in o.taxes if p.inclusive)
        assert o.gross_cents == line.gross_cents
        assert o.gross_cents - o.discount_cents == o.net_cents + inclusive
        assert o.total_cents == o.net_cents + o.tax_cents
        assert o.tax_cents == sum(p.amount_cents for p in o.taxes)
        assert min(o.discount_cents, o.net_cents, o.tax_cents, o.total_cents) >= 0
        assert all(p.amount_cents >= 0 for p in o.taxes)
        if not line.discountable:
            assert o.discount_cents == 0
        if not line.taxable:
            assert o.taxes == () and o.net_cents == o.total_cents == o.gross_cents - o.discount_cents
        else:
            assert [p.name for p in o.taxes] == [r.name for r in taxes]
            for p in o.taxes:  # exclusive taxes are exactly half-up of the net
                if not p.inclusive:
                    assert p.amount_cents == percent_of(o.net_cents, p.rate_bp)
    assert min(t.subtotal_cents, t.net_cents, t.tax_cents, t.total_cents) >= 0


@given(lines_st, st.integers(1, 10**6))
@settings(max_examples=300, deadline=None)
def test_amount_discount_over_the_limit_is_refused(lines: list[LineIn], extra: int) -> None:
    room = sum(x.gross_cents for x in lines if x.discountable)
    with pytest.raises(InvalidInput):
        price(lines, [IVA], Discount("amount", room + extra))
