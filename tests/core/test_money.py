"""Money is exact: integer minor units, no float anywhere, percentages rounded half up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import (
    MAX_AMOUNT_CENTS,
    CURRENCIES,
    exponent,
    format_amount,
    format_money,
    format_percent,
    parse_amount,
    parse_fee,
    parse_percent,
    percent_of,
)


@pytest.mark.parametrize(
    ("text", "currency", "cents"),
    [
        ("12.50", "MXN", 1250), ("12.5", "MXN", 1250), ("12", "MXN", 1200), ("0.01", "MXN", 1),
        (".5", "USD", 50), ("350", "MXN", 35000), ("12.500", "MXN", 1250), (" 7.05 ", "EUR", 705),
        ("500", "JPY", 500), ("1.250", "KWD", 1250), ("0", "MXN", 0),
    ],
)
def test_parse_amount(text, currency, cents):
    assert parse_amount(text, currency) == cents


@pytest.mark.parametrize(
    ("text", "currency"),
    [("12.505", "MXN"), ("1.5", "JPY"), ("1.2345", "KWD"), ("12,50", "MXN"), ("1e3", "MXN"),
     ("abc", "MXN"), ("", "MXN"), ("-5", "MXN"), ("12.50.1", "MXN"), ("nan", "MXN"), ("$12", "MXN")],
)
def test_parse_amount_refuses_with_exit_2(text, currency):
    with pytest.raises(InvalidInput) as err:
        parse_amount(text, currency)
    assert err.value.exit_code == 2


def test_12_505_mxn_is_exit_2_with_a_clear_message():
    with pytest.raises(InvalidInput, match="more decimals than MXN allows"):
        parse_amount("12.505", "MXN")


def test_negative_only_when_allowed():
    assert parse_amount("-12.50", "MXN", allow_negative=True) == -1250


def test_unknown_currency_is_exit_2():
    with pytest.raises(InvalidInput):
        exponent("XYZ")


def test_format():
    assert format_amount(1250, "MXN") == "12.50"
    assert format_amount(-5, "MXN") == "-0.05"
    assert format_amount(500, "JPY") == "500"
    assert format_amount(1250, "KWD") == "1.250"
    assert format_money(123456789, "MXN") == "1,234,567.89 MXN"


def test_format_refuses_floats():
    with pytest.raises(TypeError):
        format_amount(12.5, "MXN")  # type: ignore[arg-type]


@given(cents=st.integers(min_value=-MAX_AMOUNT_CENTS, max_value=MAX_AMOUNT_CENTS),
       currency=st.sampled_from(sorted(CURRENCIES)))
def test_round_trip(cents, currency):
    assert parse_amount(format_amount(cents, currency), currency, allow_negative=True) == cents


@given(cents=st.integers(min_value=0, max_value=10**12))
def test_parse_equals_decimal_arithmetic(cents):
    text = f"{Decimal(cents) / 100:.2f}"
    assert parse_amount(text, "MXN") == cents


@given(cents=st.integers(min_value=-(10**12), max_value=10**12), bp=st.integers(min_value=0, max_value=10000))
def test_percent_of_is_exact_half_up(cents, bp):
    result = percent_of(cents, bp)
    assert isinstance(result, int)
    exact = Decimal(cents) * bp / 10000
    assert abs(Decimal(result) - exact) <= Decimal("0.5")
    # half up means away from zero on a tie, symmetric around zero
    assert percent_of(-cents, bp) == -result


def test_percent_rounding_ties():
    assert percent_of(1001, 5000) == 501  # 500.5 -> 501
    assert percent_of(1, 5000) == 1  # 0.5 -> 1
    assert percent_of(333, 3333) == 111  # 110.99 -> 111


@pytest.mark.parametrize(("text", "bp"), [("50%", 5000), ("12.5%", 1250), ("0.25", 25), ("100%", 10000), ("0%", 0)])
def test_parse_percent(text, bp):
    assert parse_percent(text) == bp
    assert parse_percent(format_percent(bp)) == bp


@pytest.mark.parametrize("text", ["12.345%", "101%", "-1%", "abc", "inf%", "NaN"])
def test_parse_percent_refuses(text):
    with pytest.raises(InvalidInput):
        parse_percent(text)


def test_parse_fee():
    assert parse_fee("50%", "MXN") == ("pct", 5000)
    assert parse_fee("150", "MXN") == ("fixed", 15000)
    assert parse_fee("0", "MXN") == ("fixed", 0)


def test_no_float_in_money_module():
    import inspect

    import salon_cli.core.money as money

    source = inspect.getsource(money)
    assert "float(" not in source
