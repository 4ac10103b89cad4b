"""A sales file's tax columns (issue 29, points 2 and 3), pure: the exact tax cells, a receipt's tax
rounded once and split over its lines, and whether `amount` is before the taxes or includes them,
decided from the file's own figures or refused naming the options that settle it."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from salon_cli.core.errors import InvalidInput
from salon_cli.services.transfer.tax_basis import (
    LineTax, decide_basis, exact_tax, implied_rate_bp, round_receipt,
)

SETTLE = ("--amount-before-tax", "--amount-includes-tax")


def lines(*rows: tuple) -> list[LineTax]:
    """(amount, {tax: cell}) per row, numbered from 2 as a file's rows under its header."""
    return [LineTax(n, D(amount), {k: D(v) for k, v in taxes.items()}) for n, (amount, taxes) in enumerate(rows, 2)]


# --- exact tax cells ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, currency, decimal, exact", [
    ("3.1875", "MXN", None, "3.1875"),
    ("$1,234.5678", "USD", None, "1234.5678"),
    ("3,1875", "EUR", ",", "3.1875"),
    ("1.234,5678 €", "EUR", None, "1234.5678"),
    ("MX$ 16.0000", "MXN", None, "16.0000"),
    ("-2.958", "USD", ".", "-2.958"),          # a return's tax, 3 decimals
    ("(0.1600)", "MXN", None, "-0.1600"),
    ("$.0625", "USD", None, "0.0625"),
    ("0.30000000000000004", "USD", None, "0.30000000000000004"),  # a float written out, kept exactly
    ("¥12", "JPY", None, "12"),
    ("0.375", "KWD", None, "0.375"),
])
def test_a_tax_cell_keeps_every_decimal_the_file_gives(text, currency, decimal, exact):
    value = exact_tax(text, currency, decimal, "tax:IVA")
    assert value == D(exact) and str(value) == exact


@pytest.mark.parametrize("text, currency, decimal, says", [
    ("abc", "MXN", None, "'abc' is not a number"),
    ("", "MXN", None, "tax:IVA is empty"),
    ("16 %", "MXN", None, "not a currency"),
    ("US$3.10", "MXN", None, "is in USD; this location bills in MXN"),
    ("1.2.3", "MXN", None, "misplaced thousands separators"),
    ("3.187", "MXN", None, "ambiguous"),       # thousands or decimals: the file's separator settles it
    ("0." + "1" * 21, "MXN", None, "more than 20 decimals"),
    ("99999999999999999.5", "MXN", None, "too large"),
    ("--3.1", "MXN", None, "not a number"),
])
def test_a_tax_cell_that_is_not_a_number_is_refused_naming_the_column(text, currency, decimal, says):
    with pytest.raises(InvalidInput) as refused:
        exact_tax(text, currency, decimal, "tax:IVA")
    assert "tax:IVA" in refused.value.message and says in refused.value.message


def test_a_three_decimal_tax_reads_as_decimals_once_the_file_shows_its_separator():
    assert exact_tax("3.187", "MXN", ".", "tax:IVA") == D("3.187")


# --- a receipt's tax: rounded once, split exactly -------------------------------------------------------

@pytest.mark.parametrize("exact, currency, total, parts", [
    (["3.1875", "1.0625"], "MXN", 425, [319, 106]),              # 4.25 exactly: each its nearest
    (["3.1875", "1.0625", "0.005"], "MXN", 426, [319, 106, 1]),  # 4.255 -> 4.26, half up
    (["0.004", "0.004", "0.004"], "MXN", 1, [1, 0, 0]),          # rounded per line it would be 0.00
    (["0.005", "0.005"], "MXN", 1, [1, 0]),                      # a tie goes to the earlier line
    (["-0.005", "-0.005"], "MXN", -1, [-1, 0]),                  # a return: the mirror
    (["-3.1875", "-1.0625", "-0.005"], "MXN", -426, [-319, -106, -1]),
    (["16.00", "-2.5625", "0"], "MXN", 1344, [1600, -256, 0]),   # a sale with a returned product
    (["0.6", "0.6", "0.6"], "JPY", 2, [1, 1, 0]),
    (["0.0625", "0.0625"], "KWD", 125, [63, 62]),
    (["16"], "MXN", 1600, [1600]),
    ([], "MXN", 0, []),
])
def test_a_receipts_tax_is_its_lines_summed_then_rounded_once(exact, currency, total, parts):
    assert round_receipt([D(x) for x in exact], currency) == (total, parts)


_CELL = st.decimals(min_value=D("-999.999999"), max_value=D("999.999999"), places=6, allow_nan=False,
                    allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(_CELL, max_size=12), st.sampled_from(["MXN", "JPY", "KWD"]))
def test_the_parts_always_add_up_and_each_is_its_line_rounded_down_or_up(exact, currency):
    places = {"MXN": 2, "JPY": 0, "KWD": 3}[currency]
    total, parts = round_receipt(exact, currency)
    assert sum(parts) == total == int(sum(exact, D(0)).scaleb(places).to_integral_value(rounding=ROUND_HALF_UP))
    for cell, part in zip(exact, parts, strict=True):
        down, up = (cell.scaleb(places).to_integral_value(rounding=way) for way in (ROUND_FLOOR, ROUND_CEILING))
        assert down <= part <= up
    if all(x >= 0 for x in exact) or all(x <= 0 for x in exact):  # a return is the mirror of its sale
        assert round_receipt([-x for x in exact], currency) == (-total, [-p for p in parts])


# --- before tax or including it: the file's figures decide ---------------------------------------------

@pytest.mark.parametrize("rows, rates, before", [
    # Mexico, IVA 16 % inside the amount; an exempt product and a return between them
    ([("116.00", {"IVA": "16.00"}), ("350.00", {"IVA": "48.2759"}), ("80.00", {"IVA": "0"}),
      ("-58.00", {"IVA": "-8.0000"})], {"IVA": 1600}, False),
    # the same salon exporting before tax
    ([("100.00", {"IVA": "16.00"}), ("301.72", {"IVA": "48.2752"}), ("80.00", {}),
      ("-50.00", {"IVA": "-8.00"})], {"IVA": 1600}, True),
    # Spain, 21 %, amounts to the cent and the tax to 4 decimals
    ([("33.33", {"IVA": "6.9993"}), ("12.10", {"IVA": "2.5410"})], {"IVA": 2100}, True),
    ([("33.33", {"IVA": "5.7845"}), ("12.10", {"IVA": "2.1000"})], {"IVA": 2100}, False),
    # New York 8.875 %, which a policy holds as 888 basis points
    ([("45.00", {"Sales tax": "3.9938"}), ("1200.00", {"Sales tax": "106.50"})], {"Sales tax": 888}, True),
    ([("45.00", {"Sales tax": "3.6685"}), ("1200.00", {"Sales tax": "97.8180"})], {"Sales tax": 888}, False),
    # Canada, GST 5 % + PST 7 % on one line, GST only on another
    ([("112.00", {"GST": "5.00", "PST": "7.00"}), ("52.50", {"GST": "2.50", "PST": "0"})],
     {"GST": 500, "PST": 700}, False),
    ([("100.00", {"GST": "5.00", "PST": "7.00"}), ("50.00", {"GST": "2.50"})], {"GST": 500, "PST": 700}, True),
    # the same with rates the policy does not have: the lines' mix of taxes tells the readings apart
    ([("112.00", {"GST": "5.00", "PST": "7.00"}), ("52.50", {"GST": "2.50", "PST": "0"})],
     {"GST": None, "PST": None}, False),
    ([("100.00", {"GST": "5.00", "PST": "7.00"}), ("50.00", {"GST": "2.50"})], {}, True),
    # a known rate and an unknown one (a city tax) together
    ([("100.00", {"IVA": "16.00", "city": "3.00"}), ("200.00", {"IVA": "32.00", "city": "6.00"})],
     {"IVA": 1600, "city": None}, True),
    # one line is enough when the rate is known and the tax is not tiny
    ([("116.00", {"IVA": "16.00"})], {"IVA": 1600}, False),
    ([("116.00", {"IVA": "18.56"})], {"IVA": 1600}, True),
    # no tax anywhere: nothing to decide, the amounts are what was paid
    ([("116.00", {"IVA": "0"}), ("-20.00", {})], {"IVA": 1600}, False),
    ([], {}, False),
])
def test_the_reading_the_figures_fit_is_the_one_taken(rows, rates, before):
    assert decide_basis(lines(*rows), rates) is before


@pytest.mark.parametrize("rows, rates, says", [
    # one tax at one rate the policy does not know: 13.79 % of every amount is 16 % of every amount less it
    ([("116.00", {"IVA": "16.00"}), ("350.00", {"IVA": "48.2759"})], {"IVA": None},
     "cannot tell whether the amounts include the taxes: IVA is 13.79% of every amount and 16% of every "
     "amount before tax, e.g. row 3 (amount 350.00, IVA 48.2759)"),
    ([("116.00", {"IVA": "16.00"})], {}, "IVA is 13.79% of every amount and 16% of every amount before tax"),
    # lines too small for the cents to tell
    ([("0.05", {"IVA": "0.0069"}), ("0.10", {"IVA": "0.0138"})], {"IVA": 1600},
     "every row is too small to tell, e.g. row 3 (amount 0.10, IVA 0.0138) is 16% of the amount and of the "
     "amount before tax (0.0862) within rounding"),
    ([("0.00", {"IVA": "1.00"})], {"IVA": 1600}, "no row shows both an amount and a tax"),
    # the policy's rate is not the file's
    ([("116.00", {"IVA": "16.00"})], {"IVA": 2100},
     "the taxes fit neither reading of the amounts: row 2 (amount 116.00, IVA 16.00) is not 21% of the amount, "
     "nor 21% of the amount before tax (100.00); check the policy's tax rates"),
    # a file that mixes both readings
    ([("116.00", {"IVA": "16.00"}), ("100.00", {"IVA": "16.00"})], {"IVA": 1600},
     "row 2 (amount 116.00, IVA 16.00) is not 16% of the amount, and row 3 (amount 100.00, IVA 16.00) is not "
     "16% of the amount before tax (84.00)"),
    ([("116.00", {"IVA": "16.00"}), ("100.00", {"IVA": "16.00"})], {"IVA": None},
     "IVA is 16% of the amount on row 3 (amount 100.00, IVA 16.00) but 13.79% on row 2"),
    # figures no reading can give
    ([("-58.00", {"IVA": "8.00"})], {"IVA": 1600}, "row 2 (amount -58.00, IVA 8.00) has a tax of the other sign"),
    ([("10.00", {"IVA": "12.00"}), ("116.00", {"IVA": "16.00"})], {"IVA": None},
     "row 2 (amount 10.00, IVA 12.00) has taxes of 12.00, not less than the amount"),
])
def test_both_readings_or_neither_is_refused_with_a_row_and_the_options(rows, rates, says):
    with pytest.raises(InvalidInput) as refused:
        decide_basis(lines(*rows), rates)
    message = refused.value.message
    assert says in message and all(option in message for option in SETTLE) and "\n" not in message


@pytest.mark.parametrize("rows, name, before, bp", [
    ([("116.00", {"IVA": "16.00"}), ("350.00", {"IVA": "48.2759"})], "IVA", False, 1600),
    ([("116.00", {"IVA": "16.00"}), ("350.00", {"IVA": "48.2759"})], "IVA", True, 1379),
    ([("45.00", {"tax": "3.9938"}), ("1200.00", {"tax": "106.5000"})], "tax", True, 888),  # 8.875 %, half up
    ([("100.00", {"GST": "5.00", "PST": "7.00"}), ("50.00", {"GST": "2.50"})], "GST", True, 500),
    ([("112.00", {"GST": "5.00", "PST": "7.00"}), ("52.50", {"GST": "2.50"})], "GST", False, 500),
    ([("112.00", {"GST": "5.00", "PST": "7.00"}), ("52.50", {"GST": "2.50"})], "GST", True, None),  # 4.46 vs 4.76 %
    ([("-50.00", {"IVA": "-8.00"}), ("25.00", {"IVA": "4.00"})], "IVA", True, 1600),  # a return agrees
    ([("80.00", {"IVA": "0"}), ("0.00", {"IVA": "1.00"})], "IVA", True, None),  # nothing tells
    ([("116.00", {"IVA": "16.00"})], "ISR", True, None),
])
def test_a_rate_not_in_the_policy_is_the_one_the_lines_agree_on(rows, name, before, bp):
    assert implied_rate_bp(lines(*rows), name, before) == bp


# --- property: data made from a known reading is read that way --------------------------------------

_CENT = D("0.01")


def _line(row: int, cents: int, rates: dict[str, D], before: bool, places: int, exempt: set[str]) -> LineTax:
    """A line as a source system writes it: amount to the cent, each tax rounded to `places` decimals."""
    amount = D(cents) * _CENT
    applied = {name: rate for name, rate in rates.items() if name not in exempt}
    base = amount if before else amount / (1 + sum(applied.values(), D(0)))
    unit = D(1).scaleb(-places)
    taxes = {name: (base * rate).quantize(unit, rounding=ROUND_HALF_UP) for name, rate in applied.items()}
    return LineTax(row, amount, taxes)


_RATES = st.sampled_from([
    {"IVA": (1600, "0.16")}, {"IVA": (2100, "0.21")}, {"Sales tax": (888, "0.08875")},
    {"GST": (500, "0.05"), "PST": (700, "0.07")}, {"HST": (1300, "0.13")},
])


def _read(rows: list[LineTax], rates: dict[str, int | None]) -> bool | None:
    try:
        return decide_basis(rows, rates)
    except InvalidInput as refused:
        assert all(option in refused.message for option in SETTLE)
        return None


@settings(max_examples=150, deadline=None)
@given(_RATES, st.booleans(), st.sampled_from([2, 3, 4]),
       st.lists(st.tuples(st.integers(-20_000, 500_000), st.booleans()), min_size=0, max_size=8),
       st.one_of(st.none(), st.integers(1_000, 500_000)))
def test_data_made_from_a_known_reading_is_read_that_way_or_refused_never_misread(rates, before, places, others, big):
    """With the policy's rates, one line of 10.00 or more is enough to tell; without it, or without the
    rates, the answer is the reading the data was made from or a refusal, never the other reading."""
    exact = {name: D(rate) for name, (_, rate) in rates.items()}
    first = next(iter(rates))
    rows = [_line(2, big, exact, before, places, set())] if big is not None else []
    rows += [_line(k, cents, exact, before, places, {first} if exempt else set())
             for k, (cents, exempt) in enumerate(others, 3)]
    known, unknown = _read(rows, {name: bp for name, (bp, _) in rates.items()}), _read(rows, dict.fromkeys(rates))
    if not any(cell for row in rows for cell in row.taxes.values()):
        assert known is unknown is False  # nothing to decide
        return
    assert known is before if big is not None else known in (before, None)
    assert unknown in (before, None)


@settings(max_examples=60, deadline=None)
@given(_RATES, st.booleans(), st.lists(st.integers(10_000, 500_000), min_size=1, max_size=6))
def test_the_rate_of_a_tax_not_in_the_policy_is_found_from_4_decimal_figures(rates, before, amounts):
    exact = {name: D(rate) for name, (_, rate) in rates.items()}
    rows = [_line(k, cents, exact, before, 4, set()) for k, cents in enumerate(amounts, 2)]
    for name, (bp, _) in rates.items():
        assert implied_rate_bp(rows, name, before) == bp
