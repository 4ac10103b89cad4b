"""Money, dates and times as other salon systems export them (Fresha, Vagaro, spreadsheets)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from salon_cli.core.date_formats import (
    DATE_PATTERNS,
    DATETIME_PATTERNS,
    TIME_PATTERNS,
    detect_date_format,
    detect_datetime_format,
    detect_time_format,
    normalise,
    parse_date,
    parse_datetime,
    parse_time,
)
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import detect_decimal_separator, parse_amount, parse_money_cell

NBSP, NNBSP = "\u00a0", "\u202f"


# --- money cells ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "currency", "cents"),
    [
        # symbols and codes, before or after, with or without a space
        ("$1,234.50", "MXN", 123450), ("MX$ 350", "MXN", 35000), ("MX$350", "MXN", 35000),
        ("US$12", "USD", 1200), ("US$ 12.5", "USD", 1250), ("€ 12,50", "EUR", 1250), ("12,50 €", "EUR", 1250),
        ("12,50€", "EUR", 1250), ("£7", "GBP", 700), ("R$ 10,00", "BRL", 1000), ("S/ 25.00", "PEN", 2500),
        ("S/.25.00", "PEN", 2500), ("¥500", "JPY", 500), ("¥1,200", "JPY", 1200), ("350 MXN", "MXN", 35000),
        ("MXN 350", "MXN", 35000), ("mxn350", "MXN", 35000), ("350mxn", "MXN", 35000), ("$350 MXN", "MXN", 35000),
        ("MXN$ 350", "MXN", 35000), ("$ 12", "USD", 1200), ("$12", "CLP", 12),
        ("CHF 1'234.50", "CHF", 123450), ("Fr. 12.50", "CHF", 1250), ("kr 12,50", "SEK", 1250),
        ("12,50 zł", "PLN", 1250), ("C$ 5", "CAD", 500), ("C$ 5", "NIO", 500),
        ("€12", "MXN", 1200),  # a bare sign is not checked against the currency
        # separators
        ("1,234.50", "MXN", 123450), ("1.234,50", "EUR", 123450), ("1.234,50 €", "EUR", 123450),
        ("12,5", "EUR", 1250), ("12.5", "MXN", 1250),
        ("12,50", "EUR", 1250), ("12.50", "MXN", 1250), ("1.234.567", "MXN", 123456700),
        ("1,234,567", "MXN", 123456700), ("1,234,567.89", "MXN", 123456789), ("1.234.567,89", "EUR", 123456789),
        ("1 234,50", "EUR", 123450), (f"1{NBSP}234,50", "EUR", 123450), (f"1{NNBSP}234,50", "EUR", 123450),
        (f"1{NBSP}234{NBSP}567", "EUR", 123456700), ("1 234 567.89", "USD", 123456789),
        ("1'234.50", "CHF", 123450), ("1'234'567", "CHF", 123456700), ("1\u2019234.50", "CHF", 123450),
        ("1234.5", "MXN", 123450), ("1234,56", "EUR", 123456), ("1234", "MXN", 123400),
        ("0,50", "EUR", 50), ("0.500", "MXN", 50), ("12.5000", "MXN", 1250), ("1234.500", "MXN", 123450),
        (".50", "MXN", 50), ("$.50", "MXN", 50), (",5", "EUR", 50),
        # currencies without or with three decimals
        ("1,234", "JPY", 1234), ("1.234", "JPY", 1234), ("1,234,567", "KWD", 1234567000),
        ("1,234.500", "KWD", 1234500), ("1.234,567", "KWD", 1234567), ("12.5", "KWD", 12500),
        ("0.500", "KWD", 500), ("1 234,567", "KWD", 1234567),
        # zero, whitespace
        ("0", "MXN", 0), ("$0.00", "MXN", 0), ("-0", "MXN", 0), ("(0.00)", "MXN", 0),
        ("  $ 12.50  ", "MXN", 1250), ("\t350 MXN\n", "MXN", 35000),
    ],
)
def test_money_cell_reads_exported_forms(text, currency, cents):
    assert parse_money_cell(text, currency) == cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [("-12.50", -1250), ("12.50-", -1250), ("(12.50)", -1250), ("-$12.50", -1250), ("$-12.50", -1250),
     ("($12.50)", -1250), ("$(12.50)", -1250), ("$ (1,234.50)", -123450), ("-1.234,50 MXN", -123450),
     ("MXN -350", -35000), ("350 MXN-", -35000), ("\u221212.50", -1250), (" ( 12.50 ) ", -1250)],
)
def test_money_cell_negatives(text, cents):
    assert parse_money_cell(text, "MXN", allow_negative=True) == cents
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell(text, "MXN", what="refund")
    assert exc.value.message == f"refund {text!r} must not be negative"


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "MXN", "amount is empty"),
        ("   ", "MXN", "amount is empty"),
        ("12 USD", "MXN", "amount '12 USD' is in USD; this location bills in MXN"),
        ("USD 12", "MXN", "amount 'USD 12' is in USD; this location bills in MXN"),
        ("eur12", "MXN", "amount 'eur12' is in EUR; this location bills in MXN"),
        ("$12 USD", "MXN", "amount '$12 USD' is in USD; this location bills in MXN"),
        ("US$12", "MXN", "amount 'US$12' is in USD; this location bills in MXN"),
        ("R$ 10,00", "MXN", "amount 'R$ 10,00' is in BRL; this location bills in MXN"),
        ("C$ 5", "MXN", "amount 'C$ 5' is in CAD or NIO; this location bills in MXN"),
        ("MXN 12 USD", "MXN", "amount 'MXN 12 USD' is in USD; this location bills in MXN"),
        ("12 abc", "MXN", "amount '12 abc' holds 'abc', which is not a currency"),
        ("XYZ 12", "MXN", "amount 'XYZ 12' holds 'XYZ', which is not a currency"),
        ("12.50 pesos", "MXN", "amount '12.50 pesos' holds 'pesos', which is not a currency"),
        ("12%", "MXN", "amount '12%' holds '%', which is not a currency"),
        ("abc", "MXN", "amount 'abc' is not a number"),
        ("$", "MXN", "amount '$' is not a number"),
        ("-", "MXN", "amount '-' is not a number"),
        ("1e3", "MXN", "amount '1e3' is not a number"),
        ("12-50", "MXN", "amount '12-50' is not a number"),
        ("12 / 50", "MXN", "amount '12 / 50' is not a number"),
        ("--12", "MXN", "amount '--12' is not a number"),
        ("-12-", "MXN", "amount '-12-' is not a number"),
        ("-(12)", "MXN", "amount '-(12)' is not a number"),
        ("(12", "MXN", "amount '(12' is not a number"),
        ("12)", "MXN", "amount '12)' is not a number"),
        ("1,23,4", "MXN", "amount '1,23,4' has misplaced thousands separators"),
        ("1,23,456", "INR", "amount '1,23,456' has misplaced thousands separators"),
        ("12.50.1", "MXN", "amount '12.50.1' has misplaced thousands separators"),
        ("1234,567,890", "MXN", "amount '1234,567,890' has misplaced thousands separators"),
        ("12,50.00", "MXN", "amount '12,50.00' has misplaced thousands separators"),
        ("1 23", "MXN", "amount '1 23' has misplaced thousands separators"),
        ("1 2345,50", "EUR", "amount '1 2345,50' has misplaced thousands separators"),
        ("1'23.50", "CHF", "amount \"1'23.50\" has misplaced thousands separators"),
        ("1,,234", "MXN", "amount '1,,234' has misplaced thousands separators"),
        ("1, 234", "MXN", "amount '1, 234' has misplaced thousands separators"),
        ("1,234 567", "MXN", "amount '1,234 567' has misplaced thousands separators"),
        ("1,234.56 7", "MXN", "amount '1,234.56 7' has misplaced thousands separators"),
        ("1 234.567,89", "EUR", "amount '1 234.567,89' has misplaced thousands separators"),
        (".1,234", "MXN", "amount '.1,234' has misplaced thousands separators"),
        ("1.234,56,7", "EUR", "amount '1.234,56,7' has two decimal separators"),
        ("1,234.567.89", "MXN", "amount '1,234.567.89' has two decimal separators"),
        ("12.5055", "MXN", "amount '12.5055' has more decimals than MXN allows (2 decimals)"),
        ("$1,234.505", "MXN", "amount '$1,234.505' has more decimals than MXN allows (2 decimals)"),
        ("1 234,567", "EUR", "amount '1 234,567' has more decimals than EUR allows (2 decimals)"),
        ("¥1.5", "JPY", "amount '¥1.5' has more decimals than JPY allows (no decimals)"),
        ("1,50", "JPY", "amount '1,50' has more decimals than JPY allows (no decimals)"),
        ("1.2345", "KWD", "amount '1.2345' has more decimals than KWD allows (3 decimals)"),
    ],
)
def test_money_cell_refusals(text, currency, message):
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell(text, currency)
    assert exc.value.message == message


@pytest.mark.parametrize("text", ["1,234", "1.234", "KWD 1,234", "12.500", "$999,000"])
def test_money_cell_three_decimal_currency_refuses_ambiguous_single_separator(text):
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell(text, "KWD")
    assert exc.value.message.startswith(f"amount {text!r} is ambiguous")
    assert exc.value.hint


@pytest.mark.parametrize("currency", ["BHD", "JOD", "OMR", "TND"])
def test_every_three_decimal_currency_is_ambiguous_on_one_separator(currency):
    with pytest.raises(InvalidInput, match="ambiguous"):
        parse_money_cell("1,234", currency)


def test_money_cell_names_the_column():
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell("12 USD", "MXN", what="tip")
    assert exc.value.message == "tip '12 USD' is in USD; this location bills in MXN"
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell("", "MXN", what="tip")
    assert exc.value.message == "tip is empty"
    with pytest.raises(InvalidInput) as exc:
        parse_money_cell("$1,234.505", "MXN", what="price")
    assert exc.value.message == "price '$1,234.505' has more decimals than MXN allows (2 decimals)"


def test_money_cell_refuses_an_unknown_currency():
    with pytest.raises(InvalidInput, match="not an ISO-4217 code"):
        parse_money_cell("12", "XXQ")


def test_money_cell_returns_int():
    value = parse_money_cell("1.234,50 €", "EUR")
    assert type(value) is int and value == 123450


@pytest.mark.parametrize("text", ["$12", "1,234.50", "12,50", "MXN 350"])
def test_parse_amount_stays_strict(text):
    with pytest.raises(InvalidInput):
        parse_amount(text, "MXN")


@pytest.mark.parametrize("text", ["12.50", "350", "0.01", ".5"])
def test_money_cell_agrees_with_parse_amount_on_plain_numbers(text):
    assert parse_money_cell(text, "MXN") == parse_amount(text, "MXN")


@pytest.mark.parametrize("text, currency, decimal, cents", [
    ("$ 10.000", "COP", ",", 1000000), ("₹1,234", "INR", ".", 123400), ("1,234", "MXN", ".", 123400),
    ("1.234", "EUR", ",", 123400), ("12.500", "MXN", ".", 1250), ("12,500", "EUR", ",", 1250),
])
def test_a_lone_separator_before_three_digits_follows_the_files_decimal_separator(text, currency, decimal, cents):
    with pytest.raises(InvalidInput, match="is ambiguous"):
        parse_money_cell(text, currency)  # 12.500: 12.50 or 12500? only the file can tell
    assert parse_money_cell(text, currency, decimal=decimal) == cents


@pytest.mark.parametrize("text, currency, decimal, cents", [
    ("1.234,50", "EUR", ",", 123450), ("1,234.50", "MXN", ".", 123450), ("350", "MXN", ",", 35000),
    ("12,5", "EUR", ",", 1250), ("1.234.567", "EUR", ",", 123456700),
])
def test_unambiguous_cells_read_the_same_with_the_files_separator(text, currency, decimal, cents):
    assert parse_money_cell(text, currency) == cents
    assert parse_money_cell(text, currency, decimal=decimal) == cents


def test_cells_against_the_files_decimal_separator_are_refused():
    with pytest.raises(InvalidInput, match="this file's amounts use ','"):
        parse_money_cell("1,234.50", "EUR", decimal=",")
    with pytest.raises(InvalidInput, match="two decimal separators"):
        parse_money_cell("1.234.50", "MXN", decimal=".")


@pytest.mark.parametrize("values, mark", [
    (["$1,234.50", "350"], "."), (["12,5", "1.234"], ","), (["1.234.567", "12"], ","), (["1,234,567"], "."),
    (["1,234", "12.500", "350"], None), (["0.500"], "."), ([], None), (["$12.50", "$1,250"], "."),
])
def test_the_decimal_separator_a_file_shows(values, mark):
    assert detect_decimal_separator(values) == mark


def test_a_file_mixing_decimal_points_and_commas_is_refused():
    with pytest.raises(InvalidInput, match="mix decimal points and commas: '12.50' and '3,5'"):
        detect_decimal_separator(["12.50", "1,234", "3,5"])


# --- normalising dates and times -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "plain"),
    [("3:50:00 p. m.", "3:50:00 PM"), ("3:50:00 p.m.", "3:50:00 PM"), ("3:50 a. m.", "3:50 AM"),
     ("3:50pm", "3:50PM"), ("3:50 Pm", "3:50 PM"), ("3:50 P.M.", "3:50 PM"), ("3:50 am", "3:50 AM"),
     ("3:50 a.m", "3:50 AM"), ("  5   ene.  2026 ", "5 Jan 2026"), ("05/AGO/2026", "05/Aug/2026"),
     ("05.ene.2026", "05.Jan.2026"), ("Septiembre 5, 2026", "Sep 5, 2026"), ("5 setiembre 2026", "5 Sep 2026"),
     ("5 Sept 2026", "5 Sep 2026"), ("5 January 2026", "5 Jan 2026"), ("1 mar 2026 3:50 p. m.", "1 Mar 2026 3:50 PM"),
     ("2026-03-04T15:50", "2026-03-04T15:50"), ("12 mayo 2026", "12 May 2026")],
)
def test_normalise(text, plain):
    assert normalise(text) == plain


# --- parsing with a given pattern ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "pattern", "day"),
    [
        ("2026-03-04", "%Y-%m-%d", date(2026, 3, 4)), ("2026/03/04", "%Y/%m/%d", date(2026, 3, 4)),
        ("03/04/2026", "%m/%d/%Y", date(2026, 3, 4)), ("03/04/2026", "%d/%m/%Y", date(2026, 4, 3)),
        ("3/4/26", "%m/%d/%y", date(2026, 3, 4)), ("3/4/99", "%m/%d/%y", date(1999, 3, 4)),
        ("04.03.2026", "%d.%m.%Y", date(2026, 3, 4)), ("04-03-2026", "%d-%m-%Y", date(2026, 3, 4)),
        ("03-04-2026", "%m-%d-%Y", date(2026, 3, 4)), (" 2026-03-04 ", "%Y-%m-%d", date(2026, 3, 4)),
        ("4 Mar 2026", "%d %b %Y", date(2026, 3, 4)), ("4 MARCH 2026", "%d %b %Y", date(2026, 3, 4)),
        ("Mar 4, 2026", "%b %d, %Y", date(2026, 3, 4)), ("04/mar/2026", "%d/%b/%Y", date(2026, 3, 4)),
        ("04-Mar-2026", "%d-%b-%Y", date(2026, 3, 4)),
    ],
)
def test_parse_date(text, pattern, day):
    assert parse_date(text, pattern) == day


@pytest.mark.parametrize(
    ("text", "month"),
    [("5 ene 2026", 1), ("5 enero 2026", 1), ("5 feb 2026", 2), ("5 febrero 2026", 2), ("5 marzo 2026", 3),
     ("5 abr 2026", 4), ("5 Abril 2026", 4), ("5 mayo 2026", 5), ("5 jun 2026", 6), ("5 junio 2026", 6),
     ("5 jul 2026", 7), ("5 julio 2026", 7), ("5 ago 2026", 8), ("5 AGOSTO 2026", 8), ("5 sep 2026", 9),
     ("5 sept 2026", 9), ("5 set 2026", 9), ("5 septiembre 2026", 9), ("5 setiembre 2026", 9),
     ("5 oct 2026", 10), ("5 octubre 2026", 10), ("5 nov 2026", 11), ("5 noviembre 2026", 11),
     ("5 dic 2026", 12), ("5 diciembre 2026", 12), ("5 dic. 2026", 12), ("5 December 2026", 12)],
)
def test_spanish_and_english_month_names(text, month):
    assert parse_date(text, "%d %b %Y") == date(2026, month, 5)


@pytest.mark.parametrize(
    ("text", "pattern", "at"),
    [
        ("15:50", "%H:%M", time(15, 50)), ("15:50:30", "%H:%M:%S", time(15, 50, 30)),
        ("3:50 PM", "%I:%M %p", time(15, 50)), ("3:50:00 PM", "%I:%M:%S %p", time(15, 50)),
        ("3:50:00 p.m.", "%I:%M:%S %p", time(15, 50)), ("3:50:00 p. m.", "%I:%M:%S %p", time(15, 50)),
        ("11:05:09 a. m.", "%I:%M:%S %p", time(11, 5, 9)), ("12:15 a. m.", "%I:%M %p", time(0, 15)),
        ("12:15 p. m.", "%I:%M %p", time(12, 15)), ("3:50pm", "%I:%M%p", time(15, 50)),
        ("3:50:10pm", "%I:%M:%S%p", time(15, 50, 10)), ("3 PM", "%I %p", time(15)), ("9am", "%I%p", time(9)),
    ],
)
def test_parse_time(text, pattern, at):
    assert parse_time(text, pattern) == at


@pytest.mark.parametrize(
    ("text", "pattern", "at"),
    [("2026-03-04T15:50", "%Y-%m-%dT%H:%M", datetime(2026, 3, 4, 15, 50)),
     ("2026-03-04 15:50:05", "%Y-%m-%d %H:%M:%S", datetime(2026, 3, 4, 15, 50, 5)),
     ("11/21/2026 3:50 PM", "%m/%d/%Y %I:%M %p", datetime(2026, 11, 21, 15, 50)),
     ("21/11/2026 3:50:00 p. m.", "%d/%m/%Y %I:%M:%S %p", datetime(2026, 11, 21, 15, 50)),
     ("21 nov 2026 15:50", "%d %b %Y %H:%M", datetime(2026, 11, 21, 15, 50))],
)
def test_parse_datetime(text, pattern, at):
    assert parse_datetime(text, pattern) == at


def test_parse_date_refusal_names_value_format_and_option():
    with pytest.raises(InvalidInput) as exc:
        parse_date("31/02/2026", "%d/%m/%Y")
    assert exc.value.message == "date '31/02/2026' does not match the date format %d/%m/%Y"
    assert exc.value.hint == "give the file's format with --date-format, e.g. %m/%d/%Y"
    assert exc.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("13/01/2026", "%m/%d/%Y"), ("2026-03-04", "%d/%m/%Y"), ("01/13/2026", "%m/%d/%y"),
     ("3/4/26", "%m/%d/%Y"), ("5 foo 2026", "%d %b %Y"), ("2026-03-04 15:50", "%Y-%m-%d"), ("x", "%Y-%m-%d")],
)
def test_parse_date_refusals(text, pattern):
    with pytest.raises(InvalidInput, match="does not match the date format"):
        parse_date(text, pattern)


def test_parse_date_empty_and_named():
    with pytest.raises(InvalidInput) as exc:
        parse_date("  ", "%Y-%m-%d", what="birthday")
    assert exc.value.message == "birthday is empty"
    with pytest.raises(InvalidInput) as exc:
        parse_date("1990-02-30", "%Y-%m-%d", what="birthday")
    assert exc.value.message == "birthday '1990-02-30' does not match the birthday format %Y-%m-%d"


@pytest.mark.parametrize(("text", "pattern"), [("25:00", "%H:%M"), ("3:50", "%I:%M %p"), ("3:50 PM", "%H:%M"),
                                               ("3:50 PM", "%I:%M%p"), ("13:00 PM", "%I:%M %p")])
def test_parse_time_refusals(text, pattern):
    with pytest.raises(InvalidInput) as exc:
        parse_time(text, pattern)
    assert exc.value.message == f"time {text!r} does not match the time format {pattern}"
    assert exc.value.hint == 'give the file\'s format with --time-format, e.g. "%I:%M %p"'


# --- the patterns --------------------------------------------------------------------------------

def test_pattern_tuples():
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y",
                    "%d-%m-%Y", "%m-%d-%Y", "%d %b %Y", "%b %d, %Y", "%d/%b/%Y"):
        assert pattern in DATE_PATTERNS
    assert DATE_PATTERNS.index("%m/%d/%Y") < DATE_PATTERNS.index("%d/%m/%Y")
    assert TIME_PATTERNS[:8] == ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I:%M:%S%p",
                                 "%I %p", "%I%p")
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                    "%m/%d/%Y %I:%M %p", "%d/%m/%Y %I:%M:%S %p", "%d %b %Y %H:%M"):
        assert pattern in DATETIME_PATTERNS
    assert len(set(DATETIME_PATTERNS)) == len(DATETIME_PATTERNS)
    assert len(DATETIME_PATTERNS) >= len(DATE_PATTERNS) * len(TIME_PATTERNS)


# --- detecting the pattern -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (["13/01/2026", "02/03/2026", "05/05/2026"], "%d/%m/%Y"),
        (["01/13/2026", "02/03/2026", "05/05/2026"], "%m/%d/%Y"),
        (["2026-03-04", "2026-12-01"], "%Y-%m-%d"),
        (["2026/03/04"], "%Y/%m/%d"),
        (["1/13/26", "2/3/26"], "%m/%d/%y"),
        (["13/1/26", "2/3/26"], "%d/%m/%y"),
        (["13.01.2026", "04.03.2026"], "%d.%m.%Y"),
        (["13-01-2026", "04-03-2026"], "%d-%m-%Y"),
        (["01-13-2026", "04-03-2026"], "%m-%d-%Y"),
        (["4 mar 2026", "21 dic 2026"], "%d %b %Y"),
        (["Mar 4, 2026", "Dec 21, 2026"], "%b %d, %Y"),
        (["04/ene/2026"], "%d/%b/%Y"),
        (["04-Jan-2026"], "%d-%b-%Y"),
        (["05/05/2026"], "%m/%d/%Y"),  # reads the same either way: the first pattern
        (["05/05/2026", "06/06/2026", "", "  "], "%m/%d/%Y"),
    ],
)
def test_detect_date_format(values, pattern):
    assert detect_date_format(values) == pattern


def test_detect_date_format_refuses_ambiguity_naming_both_patterns():
    with pytest.raises(InvalidInput) as exc:
        detect_date_format(["05/05/2026", "03/04/2026", "11/12/2026"])
    assert exc.value.message == ("the dates are ambiguous: '03/04/2026' reads as 2026-03-04 (%m/%d/%Y) "
                                 "or 2026-04-03 (%d/%m/%Y)")
    assert exc.value.hint == "give the file's format with --date-format %m/%d/%Y or --date-format %d/%m/%Y"
    assert exc.value.exit_code == 2


def test_detect_ambiguity_names_the_column_and_option():
    with pytest.raises(InvalidInput) as exc:
        detect_date_format(["03-04-2026"], what="birthday", option="--birthday-format")
    assert exc.value.message.startswith("the birthdays are ambiguous: '03-04-2026' reads as")
    assert exc.value.hint == "give the file's format with --birthday-format %d-%m-%Y or --birthday-format %m-%d-%Y"


def test_detect_date_format_with_junk_takes_the_best_pattern():
    values = ["13/01/2026", "14/02/2026", "n/a", "02/30/2026", "03/04/2026", "soon"]
    assert detect_date_format(values) == "%d/%m/%Y"


def test_detect_counts_repeated_values():
    # the US reading wins on the number of rows, not of distinct values
    values = ["01/13/2026"] * 3 + ["13/01/2026", "14/01/2026"]
    assert detect_date_format(values) == "%m/%d/%Y"


def test_detect_tie_on_different_rows_takes_the_first_pattern():
    assert detect_date_format(["01/13/2026", "13/01/2026"]) == "%m/%d/%Y"


@pytest.mark.parametrize("values", [[], ["", " "], ["n/a", "tomorrow"], ["2026-03-04 15:50"], ["31/02/2026"]])
def test_detect_date_format_nothing_readable(values):
    assert detect_date_format(values) is None


def test_detect_date_format_two_digit_year_not_taken_for_four():
    assert detect_date_format(["01/13/2026"]) == "%m/%d/%Y"
    assert detect_date_format(["01/13/26"]) == "%m/%d/%y"


def test_detect_accepts_a_generator():
    assert detect_date_format(v for v in ["13/01/2026", "01/02/2026"]) == "%d/%m/%Y"


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (["15:50", "09:05"], "%H:%M"),
        (["15:50:00", "09:05:10"], "%H:%M:%S"),
        (["3:50 PM", "9:05 AM"], "%I:%M %p"),
        (["3:50:00 PM", "9:05:00 AM"], "%I:%M:%S %p"),
        (["3:50:00 p. m.", "11:05:00 a. m."], "%I:%M:%S %p"),
        (["3:50 p.m.", "11:05 a.m."], "%I:%M %p"),
        (["3:50pm", "9:05am"], "%I:%M%p"),
        (["3:50:10pm"], "%I:%M:%S%p"),
        (["3 PM", "11 AM"], "%I %p"),
        (["3pm"], "%I%p"),
        (["15:50", "15:50:00", "16:00"], "%H:%M"),
        (["3:50 PM", "3:50PM", "4:00 PM"], "%I:%M %p"),
    ],
)
def test_detect_time_format(values, pattern):
    assert detect_time_format(values) == pattern


def test_detect_time_format_nothing_readable():
    assert detect_time_format(["later", "25:99"]) is None


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (["2026-03-04T15:50", "2026-03-05T09:00"], "%Y-%m-%dT%H:%M"),
        (["2026-03-04T15:50:00"], "%Y-%m-%dT%H:%M:%S"),
        (["2026-03-04 15:50"], "%Y-%m-%d %H:%M"),
        (["2026-03-04 15:50:00"], "%Y-%m-%d %H:%M:%S"),
        (["11/21/2026 3:50 PM", "11/22/2026 10:00 AM"], "%m/%d/%Y %I:%M %p"),
        (["21/11/2026 3:50:00 p. m.", "22/11/2026 10:00:00 a. m."], "%d/%m/%Y %I:%M:%S %p"),
        (["21/11/2026 15:50", "bad"], "%d/%m/%Y %H:%M"),
        (["4 mar 2026 15:50"], "%d %b %Y %H:%M"),
    ],
)
def test_detect_datetime_format(values, pattern):
    assert detect_datetime_format(values) == pattern


def test_detect_datetime_format_refuses_ambiguity():
    with pytest.raises(InvalidInput) as exc:
        detect_datetime_format(["03/04/2026 3:50 p. m."])
    assert exc.value.message == ("the dates are ambiguous: '03/04/2026 3:50 p. m.' reads as 2026-03-04 15:50:00 "
                                 "(%m/%d/%Y %I:%M %p) or 2026-04-03 15:50:00 (%d/%m/%Y %I:%M %p)")
    assert exc.value.hint == ('give the file\'s format with --date-format "%m/%d/%Y %I:%M %p" '
                              'or --date-format "%d/%m/%Y %I:%M %p"')


def test_detect_datetime_format_none_for_plain_dates():
    assert detect_datetime_format(["2026-03-04"]) is None
    assert detect_date_format(["2026-03-04T15:50"]) is None


def _rows(pool: list[str], count: int, seed: int) -> list[str]:
    """`count` values drawn from `pool`, as a column of a big export repeats them."""
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(count)]


def test_detect_on_100000_values():
    days = [(date(2024, 1, 1) + timedelta(days=k)) for k in range(2_000)]
    column = _rows([d.strftime("%d/%m/%Y") for d in days], 100_000, seed=1)
    column[500] = "not a date"
    assert detect_date_format(column) == "%d/%m/%Y"
    assert detect_date_format(_rows([d.strftime("%m/%d/%Y") for d in days], 100_000, seed=2)) == "%m/%d/%Y"
    clock = [f"{h}:{m:02d}:00 {half}" for h in range(1, 13) for m in range(0, 60, 5) for half in ("a. m.", "p. m.")]
    assert detect_time_format(_rows(clock, 100_000, seed=3)) == "%I:%M:%S %p"
    stamps = [f"{d:%m/%d/%Y} {t}" for d, t in zip(days, clock * 10)]
    assert detect_datetime_format(_rows(stamps, 100_000, seed=4)) == "%m/%d/%Y %I:%M:%S %p"
