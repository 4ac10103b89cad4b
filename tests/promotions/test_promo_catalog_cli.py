"""Issue 30: `salon promo add|list|show|set|end`: exact parsing, refusals with their exit codes, nothing
changed on a refusal, manager PIN (a receptionist gets exit 3). Both databases."""

from __future__ import annotations

import pytest

from cli_helpers import OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from shop import make_shop


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def _count(desk) -> int:
    return len(js(desk, "promo", "list", "--all"))


def test_add_parses_exactly_and_upper_cases_the_code(desk):
    p = js(desk, *OWNER, "promo", "add", "happy10", "--kind", "percent", "--value", "12.5%", "--days", "tue,thu",
           "--hours", "10:00-14:00", "--from", "2026-11-01", "--to", "2026-11-30", "--min-spend", "500.05",
           "--per-client", "3", "--limit", "100", "--service", "tinte", "--tier", "gold", "--tag", "VIP")
    assert (p["code"], p["kind"], p["value"], p["days"], p["hours"], p["min_spend_cents"], p["per_client"],
            p["use_limit"], p["uses"], p["tier"], p["tag"], p["starts_on"], p["ends_on"]) == (
        "HAPPY10", "percent", 1250, ["tue", "thu"], "10:00-14:00", 50005, 3, 100, 0, "gold", "vip",
        "2026-11-01", "2026-11-30")
    assert js(desk, "promo", "show", "happy10")["id"] == p["id"] == js(desk, "promo", "show", str(p["id"]))["id"]
    amount = js(desk, *OWNER, "promo", "add", "FIFTY", "--kind", "amount", "--value", "50")
    assert (amount["value"], amount["value_text"]) == (5000, "50.00 off")
    double = js(desk, *OWNER, "promo", "add", "DOUBLE", "--kind", "points_multiplier", "--value", "2")
    assert double["value"] == 20000
    auto = js(desk, *OWNER, "promo", "add", "--automatic", "--name", "20% off colour on Tuesdays", "--kind", "percent",
              "--value", "20", "--category", "Colour", "--days", "tue")
    assert (auto["code"], auto["automatic"], auto["value"], auto["category"]) == (None, True, 2000, "Colour")


@pytest.mark.parametrize("args,code,first_line", [
    (["HAPPY10", "--kind", "percent", "--value", "10"], 1, "error: promotion HAPPY10 exists already"),
    (["H!", "--kind", "percent", "--value", "10"], 2,
     "error: promotion code 'H!' is not valid: 2 to 32 letters, digits, '-' or '_', not only digits"),
    (["X1", "--kind", "percent", "--value", "101"], 2, "error: --value '101' must be between 0% and 100%"),
    (["X1", "--kind", "amount", "--value", "10.005"], 2, None),
    (["X1", "--kind", "bogus", "--value", "1"], 2,
     "error: --kind 'bogus' is not one of percent, amount, free_service, points_multiplier"),
    (["X1", "--kind", "percent", "--value", "10", "--hours", "14:00-10:00"], 2,
     "error: --hours '14:00-10:00': the start must come before the end, within one day"),
    (["X1", "--kind", "percent", "--value", "10", "--days", "mon,funday"], 2,
     "error: --days 'mon,funday': 'fun' is not a day"),
    (["X1", "--kind", "free_service"], 2, "error: a free_service promotion names its service"),
    (["X1", "--kind", "percent", "--value", "10", "--from", "2026-12-02", "--to", "2026-12-01"], 2,
     "error: --to 2026-12-01 is before --from 2026-12-02"),
    (["X1", "--kind", "points_multiplier", "--value", "1"], 2,
     "error: --value '1' must be more than 1 and at most 10, with up to four decimals"),
    (["--kind", "percent", "--value", "10", "--automatic"], 2, "error: an automatic promotion needs --name"),
])
def test_refusals_change_nothing(desk, args, code, first_line):
    ok(desk, *OWNER, "promo", "add", "HAPPY10", "--kind", "percent", "--value", "10")
    before = _count(desk)
    run = cli(desk, *OWNER, "promo", "add", *args)
    assert run.code == code, run.stderr
    if first_line:
        assert run.stderr.splitlines()[0] == first_line
    assert _count(desk) == before


def test_a_receptionist_cannot_add_change_or_end(desk):
    ok(desk, *OWNER, "promo", "add", "HAPPY10", "--kind", "percent", "--value", "10")
    for args in (["add", "NEW1", "--kind", "percent", "--value", "10"], ["set", "HAPPY10", "--limit", "5"],
                 ["end", "HAPPY10"]):
        run = cli(desk, *SOFIA, "promo", *args)
        assert run.code == 3, (args, run.stderr)
    p = js(desk, "promo", "show", "HAPPY10")
    assert (p["use_limit"], p["active"]) == (None, True)
    assert _count(desk) == 1
    assert js(desk, *SOFIA, "promo", "list")[0]["code"] == "HAPPY10"  # reading is for the desk


def test_set_and_end(desk):
    ok(desk, *OWNER, "promo", "add", "HAPPY10", "--kind", "percent", "--value", "10", "--days", "tue")
    p = js(desk, *OWNER, "promo", "set", "HAPPY10", "--limit", "200", "--days", "", "--value", "15%")
    assert (p["use_limit"], p["days"], p["value"]) == (200, [], 1500)
    assert cli(desk, *OWNER, "promo", "set", "HAPPY10").code == 2  # nothing to change
    assert cli(desk, *OWNER, "promo", "set", "NOPE", "--limit", "2").code == 1
    ended = js(desk, *OWNER, "promo", "end", "HAPPY10")
    assert ended["active"] is False and ended["ended_at"]
    assert js(desk, "promo", "list") == []
    assert [p["code"] for p in js(desk, "promo", "list", "--all")] == ["HAPPY10"]
    again = cli(desk, *OWNER, "promo", "end", "HAPPY10")
    assert (again.code, again.stderr.splitlines()[0]) == (1, "error: promotion HAPPY10 has ended already")
    audit = js(desk, *OWNER, "audit", "--entity", "promotion")
    assert sorted(a["action"] for a in audit) == ["promotion.add", "promotion.end", "promotion.set"]


def test_help_has_examples():
    for sub in ("add", "list", "show", "set", "end"):
        assert "Example: salon" in cli(None, "promo", sub, "--help").stdout
