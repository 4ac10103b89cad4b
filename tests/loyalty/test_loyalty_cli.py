"""`salon loyalty ...`, `salon expire-points` and `checkout --redeem` as the desk, managers and cron meet them
(tests/shop.py's salon: now Saturday 2026-11-21 11:00 in Mexico City; Ximena is client 1, Pedro 2;
appointment 1 is Ximena's corte, 350.00; PINs 2222, the owner lucia 1234)."""

from __future__ import annotations

import json

import pytest

from cli_helpers import OWNER
from cli_helpers import salon as cli
from shop import make_shop

SOFIA = ["--as", "sofia"]
SOFIA_PIN = ["--as", "sofia", "--pin", "2222"]
CARD_FIELDS = {"client_id", "enrolled", "program_type", "points", "lifetime_points", "stamps", "stamps_target", "tier",
               "multiplier", "next_tier", "points_to_next_tier", "last_activity_at", "expiring", "codes"}


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def test_enroll_card_and_history(desk):
    card = js(desk, *SOFIA, "loyalty", "enroll", "2")
    assert set(card) == CARD_FIELDS
    assert (card["client_id"], card["points"], card["lifetime_points"], card["tier"], card["expiring"]) == (
        2, 50, 50, "bronze", [])
    again = cli(desk, *SOFIA, "loyalty", "enroll", "2")
    assert (again.code, again.stderr.splitlines()[0]) == (1, "error: client 2 already has a loyalty card")
    history = js(desk, "loyalty", "history", "2")
    assert [(h["kind"], h["points"], h["stamps"], h["ref"], h["reason"]) for h in history] == [
        ("welcome", 50, 0, None, "welcome bonus")]
    assert set(history[0]) >= {"id", "kind", "points", "stamps", "created_at", "ref"}
    missing = cli(desk, "loyalty", "card", "99")
    assert (missing.code, missing.stderr.splitlines()[0]) == (1, "error: no client 99")


def test_program_show_and_set_need_a_manager(desk):
    assert js(desk, "loyalty", "program", "show")["type"] == "points"
    refused = cli(desk, *SOFIA_PIN, "loyalty", "program", "set", "--type", "hybrid")
    assert refused.code == 3
    bad = cli(desk, *OWNER, "loyalty", "program", "set", "--tiers", "silver:100")
    assert (bad.code, bad.stderr.splitlines()[0]) == (2, "error: the first tier must start at 0 points")
    both = cli(desk, *OWNER, "loyalty", "program", "set", "--expiry-months", "3", "--expiry-inactivity-days", "5")
    assert both.code == 2
    view = js(desk, *OWNER, "loyalty", "program", "set", "--type", "hybrid", "--stamps-target", "5",
              "--min-purchase", "100", "--require-pin", "--tiers", "bronze:0,silver:500:1.5")
    assert (view["type"], view["stamps_target"], view["min_purchase_cents"], view["require_pin"]) == (
        "hybrid", 5, 10000, True)
    assert view["tiers"][1] == {"name": "silver", "min_points": 500, "multiplier_bp": 15000, "discount_bp": 0,
                                "priority": False}


def test_stamp_pin_cooldown_and_reward(desk, clock):
    prize = js(desk, *OWNER, "loyalty", "rewards", "add", "A free corte", "--points", "0", "--kind", "free_service",
               "--service", "corte")
    ok(desk, *OWNER, "loyalty", "program", "set", "--type", "stamps", "--stamps-target", "2", "--require-pin",
       "--cooldown-minutes", "0", "--max-daily-stamps", "0", "--stamps-reward", str(prize["id"]))
    no_pin = cli(desk, *SOFIA, "loyalty", "stamp", "2")
    assert (no_pin.code, no_pin.stderr.splitlines()[0]) == (3, "error: a stamp needs the staff member's PIN")
    wrong = cli(desk, "--as", "sofia", "--pin", "9999", "loyalty", "stamp", "2")
    assert wrong.code == 3
    first = js(desk, *SOFIA_PIN, "loyalty", "stamp", "2")
    assert (first["stamps"], first["reward_code"]) == (1, None)
    second = js(desk, *SOFIA_PIN, "loyalty", "stamp", "2")
    assert second["stamps"] == 0 and len(second["reward_code"]) == 9
    card = js(desk, "loyalty", "card", "2")
    assert [c["code"] for c in card["codes"]] == [second["reward_code"]]
    ok(desk, *OWNER, "loyalty", "program", "set", "--cooldown-minutes", "45", "--no-require-pin")
    clock.advance(minutes=60)
    ok(desk, *SOFIA, "loyalty", "stamp", "2")
    refused = cli(desk, *SOFIA, "loyalty", "stamp", "2")
    assert (refused.code, refused.stderr.splitlines()[0]) == (
        1, "error: client 2 was stamped at 12:00: the next stamp is allowed at 12:45 (45 min cooldown)")


def test_rewards_redeem_void_and_checkout_redeem(desk):
    # adjusting enrols Ximena first: welcome 50 + 400
    ok(desk, *OWNER, "loyalty", "adjust", "1", "--points", "400", "--reason", "moved from the old card")
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", "100 off", "--points", "300", "--kind", "discount_amount",
                "--value", "100")
    assert (reward["kind"], reward["value"], reward["points"]) == ("discount_amount", 10000, 300)
    assert [r["name"] for r in js(desk, "loyalty", "rewards", "list")] == ["100 off"]
    code = ok(desk, *SOFIA, "loyalty", "redeem", "1", str(reward["id"])).stdout.strip()
    assert len(code) == 9 and code[4] == "-"
    voided = js(desk, *SOFIA, "loyalty", "void", code)
    assert (voided["status"], voided["balance"]) == ("voided", 450)
    code = ok(desk, *SOFIA, "loyalty", "redeem", "1", str(reward["id"])).stdout.strip()
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 10000), ("cash", 25000)]
    # 150 left + 250 earned on the cash part
    assert js(desk, "loyalty", "card", "1")["points"] == 400
    used = cli(desk, *SOFIA, "loyalty", "void", code)
    assert (used.code, used.stderr.splitlines()[0]) == (1, "error: code " + code + " is used: only an unused code can be voided")
    bad = cli(desk, *SOFIA, "loyalty", "void", "nope")
    assert bad.code == 2


def test_adjust_and_earn_are_manager_only(desk):
    refused = cli(desk, *SOFIA_PIN, "loyalty", "adjust", "2", "--points", "10", "--reason", "x")
    assert refused.code == 3
    card = js(desk, *OWNER, "loyalty", "earn", "2", "--amount", "350")
    assert card["points"] == 400  # welcome 50 + 350
    negative = cli(desk, *OWNER, "loyalty", "adjust", "2", "--points", "-1000", "--reason", "typo")
    assert (negative.code, negative.stderr.splitlines()[0]) == (1, "error: the card has 400 points, not 1000")
    bad = cli(desk, *OWNER, "loyalty", "earn", "2", "--amount", "3.505")
    assert bad.code == 2


def test_refer_and_card_warning(desk, clock):
    ok(desk, *SOFIA, "loyalty", "refer", "1", "--referred", "2")
    ok(desk, *OWNER, "loyalty", "program", "set", "--expiry-months", "1")
    ok(desk, *OWNER, "loyalty", "adjust", "1", "--points", "30", "--reason", "x")
    run = ok(desk, "loyalty", "card", "1", "-f", "json")
    card = json.loads(run.stdout)
    # the welcome lot (made under the six-month rule) is not due; the adjustment's is due in a month
    assert [(e["points"], e["expires_at"]) for e in card["expiring"]] == [(30, "2026-12-21T11:00:00-06:00")]
    assert run.stderr.strip() == "warning: 30 points expire within 30 days (first on 2026-12-21)"


def test_expire_points_dry_run_then_real_then_again(desk, clock):
    ok(desk, *SOFIA, "loyalty", "enroll", "2")
    clock.advance(days=200)  # past the default six months
    dry = cli(desk, "expire-points", "--dry-run", "-f", "json")
    assert dry.code == 0
    report = json.loads(dry.stdout)
    assert (report["dry_run"], report["accounts"], report["points"], report["account_ids"]) == (True, 1, 50, [1])
    assert dry.stderr.strip() == "would expire 50 points on 1 card; dry run: nothing changed"
    real = json.loads(ok(desk, "expire-points", "-f", "json").stdout)
    assert (real["points"], real["job_run_id"] is not None) == (50, True)
    assert json.loads(ok(desk, "expire-points", "-f", "json").stdout)["points"] == 0
    earlier = json.loads(ok(desk, "expire-points", "--as-of", "2026-11-22T00:00:00-06:00", "-f", "json").stdout)
    assert earlier["points"] == 0
    bad = cli(desk, "expire-points", "--as-of", "tomorrow")
    assert bad.code == 2
