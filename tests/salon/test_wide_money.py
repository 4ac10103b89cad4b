"""Issue 26, item 8: money and points are 64-bit on both databases, and absurd amounts stop at the door.

An IDR salon bills a 30,000,000.00 balayage: 3,000,000,000 minor units, past PostgreSQL's 32-bit INTEGER
(2,147,483,647). Before 0010_wide_money, its checkout or its close failed with `integer out of range`.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from cli_helpers import OWNER, ok
from cli_helpers import salon as cli
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import MAX_AMOUNT_CENTS, parse_amount, parse_count, parse_money_cell

IDR_INIT = [
    "init", "--location-code", "bali", "--location-name", "Salon Bali", "--timezone", "Asia/Makassar",
    "--currency", "IDR", "--owner", "Wayan", "--owner-code", "lucia", "--owner-pin", "1234",
]



def test_an_idr_salon_sells_and_closes_past_two_billion_minor_units(db_url, clock):
    ok(db_url, *IDR_INIT)
    ok(db_url, *OWNER, "service", "add", "Balayage", "--duration", "180", "--price", "30000000", "--code", "bal")
    ok(db_url, *OWNER, "staff", "add", "Ana", "--code", "ana", "--role", "stylist", "--pin", "2222")
    ok(db_url, *OWNER, "client", "add", "--first", "Made", "--last", "Sari")
    ok(db_url, *OWNER, "loyalty", "program", "set", "--points-per-unit", "100")
    today = clock.now().astimezone(ZoneInfo("Asia/Makassar")).date()
    for hour in ("10:00", "14:00"):
        ok(db_url, *OWNER, "appt", "book", "--client", "1", "--service", "bal", "--staff", "ana",
           "--at", f"{today} {hour}", "--allow-overlap")
    clock.advance(hours=14)
    for appt in ("1", "2"):
        sale = json.loads(ok(db_url, *OWNER, "checkout", appt, "--pay", "cash", "--tip", "500000", "-f", "json").stdout)
        assert (sale["total_cents"], sale["tip_cents"], sale["status"]) == (3_000_000_000, 50_000_000, "paid")
    card = json.loads(ok(db_url, *OWNER, "loyalty", "card", "1", "-f", "json").stdout)
    assert card["points"] == card["lifetime_points"] > 6_000_000_000 > 2**31
    report = json.loads(ok(db_url, *OWNER, "close-day", "--counted-cash", "61000000", "-f", "json").stdout)
    assert report["gross_cents"] == 6_000_000_000
    assert report["expected_cash_cents"] == report["counted_cash_cents"] == 6_100_000_000
    assert report["variance_cents"] == 0 and report["points_issued"] > 6_000_000_000
    revenue = json.loads(ok(db_url, *OWNER, "report", "revenue", "--by", "day", "-f", "json").stdout)
    assert sum(r["revenue_cents"] for r in revenue) == 6_000_000_000


@pytest.mark.parametrize("args, field", [
    (["service", "add", "X", "--duration", "30", "--price", "100000000000000000000"], "price"),
    (["service", "add", "X", "--duration", "30", "--price", "100000000001"], "price"),
    (["product", "add", "Y", "--price", "99999999999999999999999999999999"], "price"),
])
def test_an_absurd_amount_is_exit_2_naming_the_field_and_changes_nothing(db_url, clock, args, field):
    from cli_helpers import INIT
    ok(db_url, *INIT)
    run = cli(db_url, *OWNER, *args)
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("error: ") and field in run.stderr.splitlines()[0] and "too large" in run.stderr
    assert "at most 100,000,000,000.00 MXN" in run.stderr or "at most 100000000000.00 MXN" in run.stderr
    listing = json.loads(ok(db_url, *OWNER, args[0], "list", "-f", "json").stdout)
    assert listing == []


def test_the_bound_is_the_same_for_every_way_money_comes_in():
    assert parse_amount("100000000000", "MXN") == MAX_AMOUNT_CENTS
    for text in ("100000000000.01", "-100000000000.01", "9" * 40):
        with pytest.raises(InvalidInput, match="too large"):
            parse_amount(text, "MXN", allow_negative=True, what="--tip")
    with pytest.raises(InvalidInput, match="Amount '\\$100,000,000,001.00' is too large"):
        parse_money_cell("$100,000,000,001.00", "MXN", what="Amount")
    with pytest.raises(InvalidInput, match="too many notes"):
        parse_count("500x99999999999999", "MXN")
    with pytest.raises(InvalidInput, match="--count"):
        parse_count("1000000000x100000", "MXN")
    assert parse_amount("10000000000000", "JPY") == MAX_AMOUNT_CENTS
